"""The bundle manifest: what a .wsbundle holds, who wrote it, and its signature.

A manifest is strict JSON (unknown fields are errors)::

    {"format": "workstream-console/bundle", "format_version": 1,
     "app_version": "0.1.0", "min_app_version": "0.1.0",
     "created_at": "2024-05-01T12:00:00Z", "source_database_id": "...",
     "label": "...", "kind": "full" | "delta",
     "members": {"config.json": {"sha256": "<64 hex>", "size": <bytes>}},
     "signature": {"alg": "HMAC-SHA256", "value": "<64 hex>"}}   # optional

The signature is HMAC-SHA256, keyed by the bytes of a key file, over the
canonical JSON of the manifest *without* its ``signature`` field.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from app.common.version import app_version
from app.config.document import issues_from_pydantic

MANIFEST_FORMAT = "workstream-console/bundle"
MANIFEST_VERSION = 1
KNOWN_FORMAT_VERSIONS = (1,)
# The first release able to read format_version 1; written as min_app_version.
MIN_READER_FOR_FORMAT = {1: "0.1.0"}
SIGNATURE_ALG = "HMAC-SHA256"
CONFIG_MEMBER = "config.json"
MANIFEST_MEMBER = "manifest.json"
# created_at when the caller has no better time: the zip timestamps' epoch.
FIXED_CREATED_AT = "1980-01-01T00:00:00Z"

_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?")
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
AppVersion = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z.+!-]{1,64}$")]
ReleaseVersion = Annotated[str, StringConstraints(pattern=r"^\d{1,6}(\.\d{1,6}){0,3}$")]
Text = Annotated[str, StringConstraints(max_length=200)]


class ManifestInvalid(ValueError):
    """The manifest is unreadable; the message is one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class MemberDigest(_Strict):
    sha256: Hex64
    size: Annotated[int, Field(ge=0)]


class Signature(_Strict):
    alg: Literal["HMAC-SHA256"]
    value: Hex64


class Manifest(_Strict):
    format: Literal["workstream-console/bundle"]
    format_version: int
    app_version: AppVersion
    min_app_version: ReleaseVersion
    created_at: str
    source_database_id: Text
    label: Text
    kind: Literal["full", "delta"]
    members: dict[str, MemberDigest]
    signature: Signature | None = None

    @field_validator("created_at")
    @classmethod
    def _utc_timestamp(cls, value: str) -> str:
        problem = "must be a UTC time like 2024-05-01T12:00:00Z"
        if not _TIMESTAMP.match(value):
            raise ValueError(problem)
        try:
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")  # a real date (no month 13)
        except ValueError:
            raise ValueError(problem) from None
        return value

    def to_json(self) -> dict:
        data = self.model_dump(mode="json")
        if data["signature"] is None:
            del data["signature"]
        return data


# --------------------------------------------------------------------------- helpers

def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no spaces, UTF-8, final newline."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def version_tuple(text: str) -> tuple[int, int, int, int]:
    """The numeric release part of a version ('1.2' -> (1, 2, 0, 0)); suffixes ignored."""
    match = _VERSION.match(text)
    if not match:
        return (0, 0, 0, 0)
    parts = [int(p) if p else 0 for p in match.groups()]
    return (parts[0], parts[1], parts[2], parts[3])


def utc_timestamp(moment: datetime | str) -> str:
    """created_at text from an aware datetime (or an already formatted string)."""
    if isinstance(moment, str):
        try:
            parsed = datetime.strptime(moment, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise ValueError(f"created_at must look like 2024-05-01T12:00:00Z, not {moment!r}") from None
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    if moment.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signing_bytes(manifest: Mapping[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in manifest.items() if k != "signature"})


def sign(manifest: Mapping[str, Any], key: bytes) -> str:
    return hmac.new(key, signing_bytes(manifest), hashlib.sha256).hexdigest()


def signature_matches(manifest: Mapping[str, Any], key: bytes) -> bool:
    signature = manifest.get("signature")
    if not isinstance(signature, Mapping) or not isinstance(signature.get("value"), str):
        return False
    return hmac.compare_digest(sign(manifest, key), signature["value"])


# --------------------------------------------------------------------------- build / parse

def build_manifest(*, config_bytes: bytes, kind: str, label: str, source_database_id: str,
                   created_at: datetime | str, sign_key: bytes | None = None) -> dict:
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "format_version": MANIFEST_VERSION,
        "app_version": app_version(),
        "min_app_version": MIN_READER_FOR_FORMAT[MANIFEST_VERSION],
        "created_at": utc_timestamp(created_at),
        "source_database_id": source_database_id,
        "label": label,
        "kind": kind,
        "members": {CONFIG_MEMBER: {"sha256": sha256_hex(config_bytes), "size": len(config_bytes)}},
    }
    parse_manifest(manifest)  # the writer obeys the same schema the reader enforces
    if sign_key is not None:
        manifest["signature"] = {"alg": SIGNATURE_ALG, "value": sign(manifest, sign_key)}
    return manifest


def parse_manifest(data: Any) -> Manifest:
    """Strict schema and known versions. Raises ManifestInvalid (one line)."""
    if not isinstance(data, dict):
        raise ManifestInvalid("must be a JSON object")
    if data.get("format") != MANIFEST_FORMAT:
        raise ManifestInvalid(f"format must be '{MANIFEST_FORMAT}'")
    version = data.get("format_version")
    if type(version) is not int or version not in KNOWN_FORMAT_VERSIONS:
        raise ManifestInvalid(f"unsupported format_version {version!r} (this app reads 1)")
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as error:
        issue = issues_from_pydantic(error)[0]
        raise ManifestInvalid(str(issue)) from None
    needed = manifest.min_app_version
    if version_tuple(needed) > version_tuple(app_version()):
        raise ManifestInvalid(f"needs Workstream Console {needed} or newer (this is {app_version()})")
    return manifest

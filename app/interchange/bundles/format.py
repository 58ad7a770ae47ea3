"""Writing and reading ``.wsbundle`` files.

A bundle is a zip holding exactly ``manifest.json`` then ``config.json`` (a
configuration document with ids, or a delta document).  Writing is
deterministic: canonical JSON (sorted keys, no spaces, UTF-8, final newline),
fixed member order, timestamps 1980-01-01 00:00:00, mode 0644 (Unix), deflate
level 9.  The same inputs give the same bytes (with the same zlib).

``created_at`` is the one field that varies between exports, so callers pass
it.  Policy for the CLI (``wsc bundle export``): the configuration's own
last-modified time, i.e. the latest ``modified_at`` of the exported objects,
formatted by ``created_at_for``; ``FIXED_CREATED_AT`` when there is none; an
explicit ``--created-at`` overrides.  Exporting an unchanged configuration
twice therefore gives identical bytes, while a bundle still says how fresh its
content is.  (Editing and then reverting an object moves its ``modified_at``, so
that case gives a new timestamp: the bytes then differ only in the manifest.)

Reading checks, in order, and stops at the first problem with a one-line
``BundleRejected``: archive safety and limits (app.common.safety), the
manifest (strict schema, known format version, min_app_version not newer than
this app), the members listed with matching SHA-256 and size, the signature
(when required, or when a key is given and a signature present), strict JSON
of config.json, then the full schema and reference validation of the document
(a delta: its own strict schema; references are checked when it is applied).
"""
from __future__ import annotations

from app.common.files import MAX_DOCUMENT_BYTES, read_limited, write_atomically

import io
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Union

from app.common import safety
from app.interchange.bundles.delta import DELTA_FORMAT, DeltaDocument, document_dict, parse_delta
from app.interchange.bundles.manifest import (
    CONFIG_MEMBER,
    FIXED_CREATED_AT,
    MANIFEST_MEMBER,
    Manifest,
    ManifestInvalid,
    build_manifest,
    canonical_json,
    parse_manifest,
    sha256_hex,
    signature_matches,
    utc_timestamp,
)
from app.common.safety import BundleRejected, MemberRule
from app.config.document import FORMAT_NAME, ConfigDocument, DocumentInvalid, KnownNames, validate_document
from app.common.errors import UserError

BUNDLE_SUFFIX = ".wsbundle"
MAX_CONFIG_BYTES = MAX_DOCUMENT_BYTES  # the one limit every document reader applies
MAX_MANIFEST_BYTES = 64 * safety.KiB
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o100644  # regular file, rw-r--r--
MIN_KEY_BYTES = 16

Source = Union[str, os.PathLike, bytes, bytearray, memoryview, IO[bytes]]
Target = Union[str, os.PathLike, IO[bytes]]


@dataclass(frozen=True)
class LoadedBundle:
    manifest: Manifest
    document: ConfigDocument | DeltaDocument
    raw_config: dict
    signature_verified: bool = False

    @property
    def kind(self) -> str:
        return self.manifest.kind


# --------------------------------------------------------------------------- write

def created_at_for(last_modified: datetime | None) -> str:
    """The CLI's created_at: the configuration's last change, or the fixed epoch.

    A naive datetime is taken as UTC (the database stores ``modified_at`` that way).
    """
    if last_modified is None:
        return FIXED_CREATED_AT
    if last_modified.tzinfo is None:
        last_modified = last_modified.replace(tzinfo=timezone.utc)
    return utc_timestamp(last_modified)


def config_bytes_for(config: dict, kind: str) -> bytes:
    """Validate and normalise what goes into config.json (ids kept, defaults filled in)."""
    if kind == "full":
        try:
            normal = document_dict(validate_document(config))
        except DocumentInvalid as error:
            raise UserError(f"cannot export: {error}") from None
    elif kind == "delta":
        try:
            normal = parse_delta(config).to_json()
        except DocumentInvalid as error:
            raise UserError(f"cannot export the delta: {error}") from None
    else:
        raise ValueError(f"kind must be 'full' or 'delta', not {kind!r}")
    return canonical_json(normal)


def bundle_bytes(config: dict, *, kind: str = "full", label: str, source_database_id: str,
                 created_at: datetime | str, sign_key: bytes | None = None) -> bytes:
    data = config_bytes_for(config, kind)
    manifest = build_manifest(config_bytes=data, kind=kind, label=label, source_database_id=source_database_id,
                              created_at=created_at, sign_key=sign_key)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        add_member(archive, MANIFEST_MEMBER, canonical_json(manifest))
        add_member(archive, CONFIG_MEMBER, data)
    return buffer.getvalue()


def add_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add one member with fixed timestamp, mode and compression (deterministic bytes)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, on every platform, so the bytes do not depend on the OS
    info.external_attr = ZIP_FILE_MODE << 16
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def write_bundle(target: Target, config: dict, *, kind: str = "full", label: str, source_database_id: str,
                 created_at: datetime | str, sign_key: bytes | None = None) -> None:
    """Write a bundle to a path (atomically: temp file then rename) or a binary file object."""
    data = bundle_bytes(config, kind=kind, label=label, source_database_id=source_database_id,
                        created_at=created_at, sign_key=sign_key)
    if hasattr(target, "write"):
        target.write(data)  # type: ignore[union-attr]
        return
    write_atomically(target, data)  # type: ignore[arg-type]


def load_sign_key(path: str | os.PathLike) -> bytes:
    """The signing key: a file's bytes, trailing whitespace removed, at least 16 bytes."""
    try:
        key = read_limited(path, what="key file").rstrip()
    except UserError as error:
        raise UserError(f"cannot read the key file: {error}") from None
    if len(key) < MIN_KEY_BYTES:
        raise UserError(f"the key file must hold at least {MIN_KEY_BYTES} bytes")
    return key


# --------------------------------------------------------------------------- read

def _source_bytes(source: Source) -> bytes:
    limit = safety.MAX_ARCHIVE_BYTES
    too_big = f"bundle: larger than {safety.human_size(limit)}"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(limit + 1)  # type: ignore[union-attr]
    else:
        try:
            data = read_limited(source, limit=limit, what="bundle")  # type: ignore[arg-type]
        except UserError as error:
            raise BundleRejected(f"bundle: {error}") from None
    if len(data) > limit:
        raise BundleRejected(too_big)
    return data


def _members(data: bytes) -> dict[str, bytes]:
    rules = [MemberRule(MANIFEST_MEMBER, MAX_MANIFEST_BYTES), MemberRule(CONFIG_MEMBER, MAX_CONFIG_BYTES)]
    return safety.read_archive(data, rules, what="bundle", error=BundleRejected)


def _manifest(raw: bytes) -> tuple[Manifest, dict]:
    value = safety.load_json(raw, MANIFEST_MEMBER)
    try:
        return parse_manifest(value), value
    except ManifestInvalid as error:
        raise BundleRejected(f"manifest: {error}") from None


def _check_members(manifest: Manifest, config_raw: bytes) -> None:
    for name in manifest.members:
        if name != CONFIG_MEMBER:
            raise BundleRejected(f"manifest: lists unknown member {name!r}")
    listed = manifest.members.get(CONFIG_MEMBER)
    if listed is None:
        raise BundleRejected(f"manifest: {CONFIG_MEMBER} is not listed")
    if listed.size != len(config_raw):
        raise BundleRejected(f"manifest: size mismatch for {CONFIG_MEMBER}")
    if listed.sha256 != sha256_hex(config_raw):
        raise BundleRejected(f"manifest: sha256 mismatch for {CONFIG_MEMBER}")


def _check_signature(manifest_json: dict, require: bool, key: bytes | None) -> bool:
    present = "signature" in manifest_json
    if require and key is None:
        raise BundleRejected("signature: required, but no key was given to check it")
    if require and not present:
        raise BundleRejected("signature: missing (this bundle must be signed)")
    if not present or key is None:
        return False
    if not signature_matches(manifest_json, key):
        raise BundleRejected("signature: does not match (wrong key, or the bundle was altered)")
    return True


def _document(kind: str, config: Any, known: KnownNames | None) -> ConfigDocument | DeltaDocument:
    actual = config.get("format") if isinstance(config, dict) else None
    if kind == "full" and actual == DELTA_FORMAT:
        raise BundleRejected(f"{CONFIG_MEMBER}: the manifest says 'full' but it holds a delta")
    if kind == "delta" and actual == FORMAT_NAME:
        raise BundleRejected(f"{CONFIG_MEMBER}: the manifest says 'delta' but it holds a full configuration")
    try:
        return validate_document(config, known) if kind == "full" else parse_delta(config)
    except DocumentInvalid as error:
        raise BundleRejected(f"{CONFIG_MEMBER}: {error}", error.issues) from None


def read_bundle(source: Source, *, require_signature: bool = False, sign_key: bytes | None = None,
                known: KnownNames | None = None) -> LoadedBundle:
    """Read and check a bundle; any problem raises BundleRejected with a one-line cause.

    ``known`` holds names in the receiving database that a merge import may refer to
    without listing (passed on to app.config.document.validate_document).
    """
    members = _members(_source_bytes(source))
    manifest, manifest_json = _manifest(members[MANIFEST_MEMBER])
    config_raw = members[CONFIG_MEMBER]
    _check_members(manifest, config_raw)
    verified = _check_signature(manifest_json, require_signature, sign_key)
    config = safety.load_json(config_raw, CONFIG_MEMBER)
    document = _document(manifest.kind, config, known)
    return LoadedBundle(manifest=manifest, document=document, raw_config=config, signature_verified=verified)

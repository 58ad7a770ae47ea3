"""Writing and reading .wsbundle files: determinism, signatures, and hostile input."""
from __future__ import annotations

import io
import json
import stat
import warnings
import zipfile
from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest

from app.interchange.bundles import format as bundle_format
from app.common import safety
from app.interchange.bundles.delta import DeltaDocument, document_dict
from app.interchange.bundles.format import (
    BundleRejected,
    LoadedBundle,
    bundle_bytes,
    created_at_for,
    load_sign_key,
    read_bundle,
    write_bundle,
)
from app.interchange.bundles.manifest import FIXED_CREATED_AT, canonical_json
from app.config.document import ConfigDocument, KnownNames, validate_document
from app.common.errors import UserError
from tests.app.interchange.bundles.helpers import (
    canonical,
    local_offset,
    manifest_for,
    patch_entry,
    raw_bundle,
    sample_doc,
    zip_of,
)

KEY = b"0123456789abcdef-test-key"
WHEN = "2024-05-01T12:00:00Z"


def make(doc: dict | None = None, **options) -> bytes:
    options.setdefault("label", "nightly")
    options.setdefault("source_database_id", "db-1")
    options.setdefault("created_at", WHEN)
    return bundle_bytes(sample_doc() if doc is None else doc, **options)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


# --------------------------------------------------------------------------- writing

def test_round_trip_keeps_the_document_with_ids():
    loaded = read_bundle(make())
    assert isinstance(loaded, LoadedBundle)
    assert isinstance(loaded.document, ConfigDocument)
    assert loaded.raw_config == document_dict(validate_document(sample_doc()))
    assert loaded.manifest.kind == "full"
    assert loaded.manifest.label == "nightly"
    assert loaded.manifest.created_at == WHEN
    assert loaded.signature_verified is False


def test_same_document_twice_gives_identical_bytes():
    assert make() == make()


def test_key_order_and_defaults_do_not_change_the_bytes():
    doc = sample_doc()
    reordered = json.loads(json.dumps(doc, sort_keys=True))
    reordered["workstreams"] = [{k: w[k] for k in reversed(list(w))} for w in reordered["workstreams"]]
    assert make(doc) == make(reordered)


def test_created_at_is_the_only_varying_input():
    first, second = make(created_at=WHEN), make(created_at="2024-05-02T12:00:00Z")
    assert first != second
    assert members(first)["config.json"] == members(second)["config.json"]


def test_created_at_accepts_aware_datetimes_and_the_cli_policy_helper():
    moment = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert read_bundle(make(created_at=moment)).manifest.created_at == WHEN
    assert created_at_for(moment) == WHEN
    assert created_at_for(None) == FIXED_CREATED_AT
    assert created_at_for(datetime(2024, 5, 1, 12, 0)) == WHEN  # naive = UTC, as the database stores it
    with pytest.raises(ValueError):
        make(created_at=datetime(2024, 5, 1))  # naive: ambiguous


def test_layout_is_fixed():
    data = make()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["manifest.json", "config.json"]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr >> 16 == 0o100644
        assert info.create_system == 3
    content = members(data)
    assert content["config.json"].endswith(b"\n") and b", " not in content["config.json"]
    manifest = json.loads(content["manifest.json"])
    assert manifest["format"] == "workstream-console/bundle"
    assert manifest["format_version"] == 1
    assert manifest["members"]["config.json"]["size"] == len(content["config.json"])
    assert canonical_json(manifest) == content["manifest.json"]


def test_write_bundle_to_a_path_and_a_file_object(tmp_path):
    path = tmp_path / "out.wsbundle"
    write_bundle(path, sample_doc(), label="x", source_database_id="db", created_at=WHEN)
    handle = io.BytesIO()
    write_bundle(handle, sample_doc(), label="x", source_database_id="db", created_at=WHEN)
    assert path.read_bytes() == handle.getvalue()
    assert read_bundle(path).raw_config == read_bundle(str(path)).raw_config
    assert not list(tmp_path.glob("*.part"))


def test_writing_an_invalid_document_is_refused():
    doc = sample_doc()
    doc["workstreams"][0]["default_queue"] = "Nowhere"
    with pytest.raises(UserError, match="unknown queue 'Nowhere'"):
        make(doc)


def test_missing_file_is_a_rejection(tmp_path):
    with pytest.raises(BundleRejected, match="cannot read"):
        read_bundle(tmp_path / "absent.wsbundle")


def test_known_names_allow_references_to_the_receiving_database():
    doc = sample_doc()
    doc["workstreams"][0]["default_queue"] = "Elsewhere"
    config = canonical(doc)
    with pytest.raises(BundleRejected, match="unknown queue 'Elsewhere'"):
        read_bundle(raw_bundle(config))
    known = KnownNames()
    known.queues = {"Elsewhere"}
    assert read_bundle(raw_bundle(config), known=known).document.workstreams[0].default_queue == "Elsewhere"


def test_a_delta_bundle_reads_as_a_delta_document():
    delta = {"format": "workstream-console/delta", "version": 1, "baseline": {"id": "b1", "label": "base"},
             "changes": [{"op": "delete", "kind": "queue", "id": "6f1c2a4e-7d0b-4c1e-9a53-3f2b8e1d9c02",
                          "name": "VIP", "from_version": 2, "data": None}]}
    loaded = read_bundle(make(delta, kind="delta"))
    assert isinstance(loaded.document, DeltaDocument)
    assert loaded.manifest.kind == "delta"


def test_kind_mismatch_is_named():
    config = canonical(document_dict(validate_document(sample_doc())))
    with pytest.raises(BundleRejected, match="manifest says 'delta'"):
        read_bundle(raw_bundle(config, manifest_for(config, kind="delta")))


# --------------------------------------------------------------------------- signatures

def test_signed_bundle_verifies_with_the_right_key():
    loaded = read_bundle(make(sign_key=KEY), require_signature=True, sign_key=KEY)
    assert loaded.signature_verified
    assert loaded.manifest.signature is not None and loaded.manifest.signature.alg == "HMAC-SHA256"


def test_signature_is_checked_when_a_key_is_given_even_if_not_required():
    with pytest.raises(BundleRejected, match="signature: does not match"):
        read_bundle(make(sign_key=KEY), sign_key=b"another key of enough length")


def test_unsigned_bundle_is_fine_when_not_required():
    assert read_bundle(make(), sign_key=KEY).signature_verified is False


def test_requiring_a_signature_without_a_key_is_refused():
    with pytest.raises(BundleRejected, match="no key"):
        read_bundle(make(sign_key=KEY), require_signature=True)


def test_altered_manifest_breaks_the_signature():
    data = make(sign_key=KEY)
    content = members(data)
    manifest = json.loads(content["manifest.json"])
    manifest["label"] = "forged"
    forged = raw_bundle(content["config.json"], manifest)
    with pytest.raises(BundleRejected, match="signature: does not match"):
        read_bundle(forged, require_signature=True, sign_key=KEY)


def test_load_sign_key(tmp_path):
    path = tmp_path / "key"
    path.write_bytes(KEY + b"\n")
    assert load_sign_key(path) == KEY
    path.write_bytes(b"short")
    with pytest.raises(UserError, match="at least 16 bytes"):
        load_sign_key(path)
    with pytest.raises(UserError, match="cannot read the key file"):
        load_sign_key(tmp_path / "absent")


# --------------------------------------------------------------------------- hostile bundles

def _valid_config() -> bytes:
    return canonical(document_dict(validate_document(sample_doc())))


def _with_config(text: bytes) -> bytes:
    return raw_bundle(text)


def _bad_names(name: str) -> Callable[[pytest.MonkeyPatch], bytes]:
    return lambda mp: zip_of([("manifest.json", b"{}"), (name, b"{}")])


def _duplicate_names(second: str) -> Callable[[pytest.MonkeyPatch], bytes]:
    def build(mp: pytest.MonkeyPatch) -> bytes:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate we want
            return zip_of([("manifest.json", b"{}"), ("config.json", b"{}"), (second, b"{}")])
    return build


def _symlink(mp: pytest.MonkeyPatch) -> bytes:
    config = _valid_config()
    return zip_of([("manifest.json", canonical(manifest_for(config))), ("config.json", b"/etc/passwd")],
                  external_attr={"config.json": (stat.S_IFLNK | 0o777) << 16})


def _patched(**fields: int) -> Callable[[pytest.MonkeyPatch], bytes]:
    return lambda mp: patch_entry(raw_bundle(_valid_config()), "config.json", **fields)


def _oversized_bundle(mp: pytest.MonkeyPatch) -> bytes:
    mp.setattr(safety, "MAX_ARCHIVE_BYTES", 200)
    return raw_bundle(_valid_config())


def _lying_header(mp: pytest.MonkeyPatch) -> bytes:
    mp.setattr(bundle_format, "MAX_CONFIG_BYTES", 1000)
    config = _valid_config()
    assert len(config) > 1000
    return patch_entry(raw_bundle(config), "config.json", file_size=500)


def _zip_bomb(mp: pytest.MonkeyPatch) -> bytes:
    return raw_bundle(b" " * (8 * safety.MiB))


def _zip_bomb_lying_header(mp: pytest.MonkeyPatch) -> bytes:
    return patch_entry(raw_bundle(b" " * (8 * safety.MiB)), "config.json", file_size=100)


def _huge_array(mp: pytest.MonkeyPatch) -> bytes:
    mp.setattr(safety, "MAX_JSON_ITEMS", 1000)
    return _with_config(b"[" + b",".join([b"1"] * 1001) + b"]")


def _sha_mismatch(mp: pytest.MonkeyPatch) -> bytes:
    config = _valid_config()
    tampered = config.replace(b'"capacity":20', b'"capacity":21')
    assert tampered != config and len(tampered) == len(config)
    return raw_bundle(tampered, manifest_for(config))


def _size_mismatch(mp: pytest.MonkeyPatch) -> bytes:
    config = _valid_config()
    return raw_bundle(config + b" ", manifest_for(config))


def _manifest_with(**overrides) -> Callable[[pytest.MonkeyPatch], bytes]:
    def build(mp: pytest.MonkeyPatch) -> bytes:
        config = _valid_config()
        return raw_bundle(config, manifest_for(config, **overrides))
    return build


def _doc_with(change: Callable[[dict], None]) -> Callable[[pytest.MonkeyPatch], bytes]:
    def build(mp: pytest.MonkeyPatch) -> bytes:
        doc = sample_doc()
        change(doc)
        return _with_config(canonical(doc))
    return build


def _set(path: list, value) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        target = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


def _config_pointing_at_manifest(mp: pytest.MonkeyPatch) -> bytes:
    data = raw_bundle(_valid_config())
    return patch_entry(data, "config.json", header_offset=local_offset(data, "manifest.json"))


def _truncated_member(mp: pytest.MonkeyPatch) -> bytes:
    data = raw_bundle(_valid_config())
    offset = local_offset(data, "config.json")
    return patch_entry(data, "config.json", compress_size=len(data) - offset)


HOSTILE: list[tuple[str, Callable[[pytest.MonkeyPatch], bytes], str]] = [
    ("path-traversal", _bad_names("../x"), "member name '../x' is not allowed (parent directory)"),
    ("nested-traversal", _bad_names("a/../../config.json"), "(parent directory)"),
    ("absolute-path", _bad_names("/etc/config.json"), "(absolute path)"),
    ("backslash", _bad_names("..\\config.json"), "(backslash)"),
    ("drive-letter", _bad_names("C:config.json"), "(drive letter)"),
    ("control-char", _bad_names("conf\x07ig.json"), "(control character)"),
    ("empty-name", _bad_names(""), "(empty name)"),
    ("duplicate-name", _duplicate_names("config.json"), "duplicate member name 'config.json'"),
    ("case-duplicate", _duplicate_names("CONFIG.json"), "differ only by case"),
    ("symlink", _symlink, "is a symbolic link"),
    ("directory-entry", lambda mp: zip_of([("manifest.json", b"{}"), ("config.json/", b"")]), "directory entry"),
    ("directory-mode", lambda mp: zip_of([("manifest.json", b"{}"), ("config.json", b"")],
                                          external_attr={"config.json": (stat.S_IFDIR | 0o755) << 16}),
     "directory entry"),
    ("encrypted-flag", _patched(flags=0x1), "'config.json' is encrypted"),
    ("unknown-compression", _patched(method=14), "unsupported compression method 14"),
    ("too-many-members", lambda mp: zip_of([(f"f{i}.json", b"{}") for i in range(5)]), "too many members (5 > 4)"),
    ("missing-manifest", lambda mp: zip_of([("config.json", _valid_config())]), "manifest.json is missing"),
    ("missing-config", lambda mp: zip_of([("manifest.json", b"{}")]), "config.json is missing"),
    ("unlisted-member", lambda mp: raw_bundle(_valid_config(), extra=[("notes.txt", b"hi")]),
     "unexpected member 'notes.txt'"),
    ("oversized-bundle", _oversized_bundle, "bundle: larger than 200 bytes"),
    ("lying-size-header", _lying_header, "config.json: larger than 1000 bytes"),
    ("zip-bomb-ratio", _zip_bomb, "expands more than 200:1"),
    ("zip-bomb-lying-header", _zip_bomb_lying_header, "expands more than 200:1"),
    ("local-header-mismatch", _config_pointing_at_manifest, "different name in its local header"),
    ("member-runs-past-end", _truncated_member, "truncated"),
    ("deep-nesting-65", lambda mp: _with_config(b"[" * 65 + b"]" * 65), "config.json: nesting deeper than 64"),
    ("deep-nesting-100k", lambda mp: _with_config(b"[" * 100_000 + b"]" * 100_000), "nesting deeper than 64"),
    ("long-string", lambda mp: _with_config(b'{"a":"' + b"x" * 100_001 + b'"}'), "longer than 100000 characters"),
    ("long-escaped-string", lambda mp: _with_config(b'{"a":"' + b'\\"' * 100_001 + b'"}'),
     "longer than 100000 characters"),
    # Read in one pass: retrying each escaped quote as a string start would take hours.
    ("unclosed-escaped-quotes", lambda mp: _with_config(b'{"a":"' + b'\\"' * 200_000), "config.json: not valid JSON"),
    ("huge-array", _huge_array, "an array has more than 1000 items"),
    ("huge-integer", lambda mp: _with_config(b'{"a":9007199254740993}'), "larger than 2^53"),
    ("integer-digits", lambda mp: _with_config(b'{"a":' + b"9" * 5000 + b"}"), "is too long"),
    ("float-overflow", lambda mp: _with_config(b'{"a":1e999}'), "out of range"),
    ("duplicate-keys", lambda mp: _with_config(b'{"format":"a","format":"b"}'), "duplicate key 'format'"),
    ("nan", lambda mp: _with_config(b'{"a":NaN}'), "NaN is not allowed"),
    ("infinity", lambda mp: _with_config(b'{"a":-Infinity}'), "-Infinity is not allowed"),
    ("bom", lambda mp: _with_config(b"\xef\xbb\xbf" + _valid_config()), "byte order mark"),
    ("bad-utf8", lambda mp: _with_config(b'{"a":"\xff\xfe"}'), "not valid UTF-8"),
    ("lone-surrogate", lambda mp: _with_config(b'{"a":"\\ud800"}'), "unpaired surrogate"),
    ("not-json", lambda mp: _with_config(b"{format: 1}"), "config.json: not valid JSON"),
    ("sha-mismatch", _sha_mismatch, "manifest: sha256 mismatch for config.json"),
    ("size-mismatch", _size_mismatch, "manifest: size mismatch for config.json"),
    ("manifest-unknown-field", _manifest_with(extra="x"), "manifest: extra: unknown field"),
    ("manifest-lists-other-member", _manifest_with(members={"other.json": {"sha256": "0" * 64, "size": 1}}),
     "lists unknown member 'other.json'"),
    ("manifest-bad-created-at", _manifest_with(created_at="2024-13-01T00:00:00Z"),
     "manifest: created_at: must be a UTC time"),
    ("unknown-format-version", _manifest_with(format_version=2), "unsupported format_version 2"),
    ("wrong-format", _manifest_with(format="something/else"), "format must be 'workstream-console/bundle'"),
    ("min-app-version-too-new", _manifest_with(min_app_version="99.0.0"), "needs Workstream Console 99.0.0"),
    ("manifest-not-object", lambda mp: raw_bundle(_valid_config(), b"[1]\n"), "manifest: must be a JSON object"),
    ("not-a-zip", lambda mp: b"this is not a zip at all", "bundle: not a zip file"),
    ("empty-file", lambda mp: b"", "bundle: not a zip file"),
    ("truncated-zip", lambda mp: raw_bundle(_valid_config())[:-30], "bundle: not a"),
    ("truncated-half", lambda mp: raw_bundle(_valid_config())[:300], "bundle: not a"),
    ("config-invalid-schema", _doc_with(_set(["workstreams", 0, "capacity"], -1)),
     "config.json: workstreams[0].capacity"),
    ("config-unknown-field", _doc_with(_set(["queues", 0, "colour"], "red")), "queues[0].colour: unknown field"),
    ("dangling-reference", _doc_with(_set(["workstreams", 0, "default_queue"], "Nowhere")),
     "workstreams[0].default_queue: unknown queue 'Nowhere'"),
    ("bad-condition", _doc_with(_set(["workstreams", 0, "routing_rules", 0, "condition"],
                                     {"variable": "nope", "operator": "eq", "value": "x"})),
     "unknown context variable 'nope'"),
]


@pytest.mark.parametrize("build, reason", [pytest.param(b, r, id=i) for i, b, r in HOSTILE])
def test_hostile_bundle_is_rejected_with_its_reason(build, reason, monkeypatch):
    data = build(monkeypatch)
    with pytest.raises(BundleRejected) as caught:
        read_bundle(data)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message
    assert isinstance(caught.value, UserError)


@pytest.mark.parametrize("case", [
    pytest.param("missing", id="missing-signature"),
    pytest.param("bad", id="bad-signature"),
])
def test_required_signature_is_enforced(case):
    data = make() if case == "missing" else make(sign_key=b"the wrong key, long enough")
    reason = "signature: missing" if case == "missing" else "signature: does not match"
    with pytest.raises(BundleRejected, match=reason):
        read_bundle(data, require_signature=True, sign_key=KEY)


def test_oversized_file_on_disk_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_ARCHIVE_BYTES", 100)
    path = tmp_path / "big.wsbundle"
    path.write_bytes(make())
    with pytest.raises(BundleRejected, match="larger than 100 bytes"):
        read_bundle(path)


def test_schema_problems_carry_their_issue_list():
    doc = sample_doc()
    doc["workstreams"][0]["capacity"] = -1
    doc["workstreams"][0]["default_queue"] = "Nowhere"
    with pytest.raises(BundleRejected) as caught:
        read_bundle(raw_bundle(canonical(doc)))
    assert caught.value.issues and caught.value.issues[0].path.startswith("workstreams[0]")

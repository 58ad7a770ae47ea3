"""Property: whatever bytes arrive, read_bundle either returns or raises BundleRejected."""
from __future__ import annotations

import json
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.interchange.bundles.delta import document_dict
from app.interchange.bundles.format import BundleRejected, LoadedBundle, bundle_bytes, read_bundle
from app.config.document import validate_document
from tests.app.interchange.bundles.helpers import canonical, manifest_for, raw_bundle, sample_doc

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@lru_cache(maxsize=1)
def valid_bundle() -> bytes:
    return bundle_bytes(sample_doc(), label="fuzz", source_database_id="db", created_at="2024-05-01T12:00:00Z")


def read_or_reject(data: bytes) -> None:
    try:
        result = read_bundle(data)
    except BundleRejected as rejection:
        message = str(rejection)
        assert message and "\n" not in message
    else:
        assert isinstance(result, LoadedBundle)


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
    st.tuples(st.just("cut"), st.integers(min_value=0), st.just(0)),
    st.tuples(st.just("insert"), st.integers(min_value=0), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(min_value=0), st.integers(min_value=1, max_value=16)),
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    out = bytearray(data)
    for kind, where, what in steps:
        if not out:
            break
        at = where % len(out)
        if kind == "flip":
            out[at] ^= what
        elif kind == "cut":
            del out[at:]
        elif kind == "insert":
            out[at:at] = what
        else:
            del out[at:at + what]
    return bytes(out)


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_bundles_are_rejected_cleanly(steps):
    read_or_reject(mutate(valid_bundle(), steps))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=30,
)


@FUZZ
@given(json_values)
def test_any_json_as_config_is_rejected_cleanly(value):
    config = json.dumps(value).encode()
    read_or_reject(raw_bundle(config))


@FUZZ
@given(json_values)
def test_any_json_as_manifest_is_rejected_cleanly(value):
    config = canonical(document_dict(validate_document(sample_doc())))
    read_or_reject(raw_bundle(config, json.dumps(value).encode()))


manifest_fields = st.sampled_from(["format", "format_version", "app_version", "min_app_version", "created_at",
                                   "source_database_id", "label", "kind", "members"])


@FUZZ
@given(manifest_fields, json_values)
def test_any_value_in_a_manifest_field_is_rejected_cleanly(name, value):
    config = canonical(document_dict(validate_document(sample_doc())))
    read_or_reject(raw_bundle(config, manifest_for(config, **{name: value})))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))


ALL_PATHS = [p for p in _paths(sample_doc()) if p]


@FUZZ
@given(st.sampled_from(ALL_PATHS), json_values)
def test_any_value_anywhere_in_a_document_is_rejected_cleanly(path, value):
    doc = sample_doc()
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    read_or_reject(raw_bundle(json.dumps(doc).encode()))

"""The strict JSON reader and archive rules on their own (valid edge cases included)."""
from __future__ import annotations

import json

import pytest

from app.bundles import safety
from app.bundles.safety import BundleRejected, MemberRule, load_json, name_problem, read_archive
from tests.app.bundles.helpers import zip_of


def test_depth_64_is_accepted_and_65_is_not():
    assert load_json(b"[" * 64 + b"]" * 64, "x") is not None
    with pytest.raises(BundleRejected, match="x: nesting deeper than 64"):
        load_json(b"[" * 65 + b"]" * 65, "x")


def test_brackets_and_quotes_inside_strings_do_not_count():
    text = json.dumps({"a": "[[[[{{{{" * 100, "b": 'quote " and \\ backslash ]]]', "c": [1, 2, {"d": "}"}]})
    assert load_json(text.encode(), "x") == json.loads(text)


def test_limits_at_their_edge_pass():
    assert load_json(b'{"a":9007199254740992,"b":-9007199254740992}', "x")["b"] == -(2**53)
    assert load_json(b'"' + b"x" * safety.MAX_JSON_STRING_CHARS + b'"', "x")
    assert load_json(b'{"f":1.5e300,"g":-0.0,"u":"\\u00e9\\ud83d\\ude00"}', "x")["u"] == "é😀"


def test_escaped_string_is_measured_decoded():
    # 20 000 escapes are 120 000 raw characters but 20 000 decoded ones.
    text = b'"' + b"\\u00e9" * 20_000 + b'"'
    assert len(load_json(text, "x")) == 20_000


def test_array_and_object_limits(monkeypatch):
    monkeypatch.setattr(safety, "MAX_JSON_ITEMS", 3)
    assert load_json(b"[1,2,3]", "x") == [1, 2, 3]
    assert load_json(b'[[1,2,3],[1,2,3],{"a":1,"b":2,"c":3}]', "x")
    with pytest.raises(BundleRejected, match="an object has more than 3 items"):
        load_json(b'{"a":1,"b":2,"c":3,"d":4}', "x")


def test_surrogate_in_a_key_is_refused():
    with pytest.raises(BundleRejected, match="unpaired surrogate"):
        load_json(b'{"\\udc00":1}', "x")


def test_unbalanced_input_reports_a_syntax_error():
    for text in (b"]]]", b"[[[", b'{"a":', b'"open'):
        with pytest.raises(BundleRejected, match="not valid JSON"):
            load_json(text, "x")


def test_utf16_boms_are_refused():
    with pytest.raises(BundleRejected, match="byte order mark"):
        load_json("{}".encode("utf-16"), "x")


@pytest.mark.parametrize("name", ["config.json", "a/b.json", "[Content_Types].xml", "é.json", "a..b"])
def test_ordinary_names_are_fine(name):
    assert name_problem(name) is None


def test_optional_members_and_allow_list():
    rules = [MemberRule("a.txt", 100), MemberRule("b.txt", 100, required=False)]
    assert read_archive(zip_of([("a.txt", b"hello")]), rules) == {"a.txt": b"hello"}
    with pytest.raises(BundleRejected, match="a.txt: larger than 100 bytes"):
        read_archive(zip_of([("a.txt", b"x" * 101)]), rules)


def test_stored_members_are_read_and_limited():
    rules = [MemberRule("a.txt", 10)]
    assert read_archive(zip_of([("a.txt", b"stored")], method=0), rules) == {"a.txt": b"stored"}
    with pytest.raises(BundleRejected, match="larger than 10 bytes"):
        read_archive(zip_of([("a.txt", b"x" * 11)], method=0), rules)


def test_damaged_deflate_data_is_named():
    data = bytearray(zip_of([("a.txt", b"hello world " * 50)]))
    start = 30 + len("a.txt")
    data[start:start + 8] = b"\xff" * 8
    with pytest.raises(BundleRejected, match="a.txt: (damaged|CRC|compressed data ends|extra bytes)"):
        read_archive(bytes(data), [MemberRule("a.txt", 10_000)])


def test_custom_error_class_and_label():
    class Custom(safety.RejectedInput):
        pass

    with pytest.raises(Custom, match="^package: not a zip file$"):
        read_archive(b"nope", [MemberRule("a", 1)], what="package", error=Custom)

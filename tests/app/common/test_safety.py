"""The strict JSON reader and archive rules on their own (valid edge cases included)."""
from __future__ import annotations

import contextlib
import json
import re
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.common import safety
from app.common.safety import BundleRejected, MemberRule, load_json, name_problem, read_archive
from tests.app.interchange.bundles.helpers import zip_of


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


# --------------------------------------------------------------------------- the quick paths
# load_json vouches for ordinary text at C speed and falls back to the exact
# per-token scan, per-number hooks and the surrogate walk only when needed.
# The reference below is the reader with every slow step always on.

def reference_outcome(text: str) -> tuple:
    try:
        safety._prescan(text)
        value = json.loads(text, object_pairs_hook=safety._object_without_duplicates,
                           parse_constant=safety._refuse_constant, parse_int=safety._bounded_int,
                           parse_float=safety._finite_float)
        safety._check_strings(value)
    except safety._JsonLimit as problem:
        return ("refused", f"x: {problem}")
    except json.JSONDecodeError as problem:
        return ("refused", f"x: not valid JSON (line {problem.lineno} column {problem.colno}: {problem.msg})")
    except RecursionError:
        return ("refused", "x: nesting deeper than 64")
    return ("read", value)


def outcome(text: str) -> tuple:
    try:
        return ("read", load_json(text.encode("utf-8"), "x"))
    except BundleRejected as rejection:
        return ("refused", str(rejection))


@contextlib.contextmanager
def small_limits():
    with mock.patch.multiple(safety, MAX_JSON_DEPTH=4, MAX_JSON_ITEMS=3, MAX_JSON_STRING_CHARS=6,
                             MAX_JSON_INT=1000, MAX_NUMBER_CHARS=9):
        yield


def json_text_for(value, ascii_only: bool) -> str:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assume(ascii_only or not any("\ud800" <= c <= "\udfff" for c in text))  # not UTF-8 encodable
    return text


JSON_ALPHABET = '[]{},:" \\u0123456789abcdefDEe.-+Etrunl'
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20) | st.floats()
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8) | st.sampled_from(["\ud83d\ude00", "\udc00", '"[{', "\\"]),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=4), children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=JSON_ALPHABET, max_size=40))
def test_any_short_text_gets_the_exact_readers_answer(text):
    with small_limits():
        assert outcome(text) == reference_outcome(text)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans(), st.integers(min_value=0), st.text(alphabet=JSON_ALPHABET, max_size=3))
def test_json_with_limits_and_a_splice_gets_the_exact_readers_answer(value, ascii_only, where, splice):
    text = json_text_for(value, ascii_only)
    at = where % (len(text) + 1)
    for candidate in (text, text[:at] + splice + text[at:]):
        with small_limits():
            assert outcome(candidate) == reference_outcome(candidate)
        assert outcome(candidate) == reference_outcome(candidate)  # the real limits


OLD_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{},]', re.DOTALL)  # the tokens _prescan always read


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='"\\[]{},a', max_size=40))
def test_the_token_reader_reads_what_the_one_regex_did(text):
    assert list(safety._tokens(text)) == [m.group() for m in OLD_TOKENS.finditer(text)]


def test_an_unclosed_string_full_of_escaped_quotes_is_read_once():
    with pytest.raises(BundleRejected, match="not valid JSON"):
        load_json(b'["' + b'\\"' * 200_000, "x")
    with pytest.raises(BundleRejected, match="nesting deeper than 64"):
        load_json(b'["' + b'\\"' * 200_000 + b"[" * 65, "x")  # what follows is still counted


def test_ordinary_text_takes_no_slow_step(monkeypatch):
    def slow(*_args):
        raise AssertionError("slow path taken")

    monkeypatch.setattr(safety, "_prescan", slow)
    monkeypatch.setattr(safety, "_check_strings", slow)
    for value in ({"a": ["x", "é😀", 12, -3.25, True, None], "b": {"c": ""}},  # no escapes, no structure in strings
                  {"a": ["x[{,", "é😀", 12], "b": {"c": ""}},  # structure in a string
                  {"a": ['x[{"\\', "é😀", 12, -3.25, True, None], "b": {"c": "tab\there"}}):  # escapes
        text = json.dumps(value, ensure_ascii=False)
        assert load_json(text.encode(), "x") == value


def test_a_lone_surrogate_escape_deep_down_is_refused():
    deep = "[" * 60 + '{"k":["ok","\\uDBFF"]}' + "]" * 60
    with pytest.raises(BundleRejected, match="unpaired surrogate"):
        load_json(deep.encode(), "x")
    with pytest.raises(BundleRejected, match="unpaired surrogate"):
        load_json(b'{"a":"\\udfff and more"}', "x")


def test_escapes_that_are_not_lone_surrogates_pass_the_walk():
    assert load_json(b'["\\ud83d\\ude00", "\\\\ud800", "\\u00e9"]', "x") == ["😀", "\\ud800", "é"]


@pytest.mark.parametrize("inside", ['"]]]]}}}}" , "[[[[{{{{", ""', '"]]]]}}}}" , "\\"]]]" , "[[[[{{{{\\\\"'],
                         ids=["without-escapes", "with-escapes"])
def test_depth_counts_only_brackets_outside_strings(inside):
    assert load_json(("[" * 64 + inside + "]" * 64).encode(), "x")
    with pytest.raises(BundleRejected, match="x: nesting deeper than 64"):
        load_json(("[" * 65 + inside + "]" * 65).encode(), "x")


def test_depth_of_objects_and_arrays_together():
    with pytest.raises(BundleRejected, match="x: nesting deeper than 64"):
        load_json(('[{"a":' * 33 + "1" + "}]" * 33).encode(), "x")


def test_brackets_of_any_kind_pair_up_and_extra_closers_are_syntax_errors():
    for text in (b"[}", b"[1]]", b'{"a":[1}]', b"[" * 65 + b"}" * 65):
        assert outcome(text.decode()) == reference_outcome(text.decode())
    with pytest.raises(BundleRejected, match="not valid JSON"):
        load_json(b"[[]]]", "x")


def test_string_length_is_measured_on_every_path(monkeypatch):
    monkeypatch.setattr(safety, "MAX_JSON_STRING_CHARS", 10)
    assert load_json(b'"' + b"\\u0041" * 10 + b'"', "x") == "A" * 10
    assert load_json('["ok", "éééééééééé"]'.encode(), "x")  # 20 bytes, 10 characters
    for text in (b'["ok", "' + b'\\"' * 11 + b'"]', b'["ok", "' + b"x" * 11 + b'"]', b'["ok", "[' + b"x" * 10 + b'"]'):
        with pytest.raises(BundleRejected, match="longer than 10 characters"):
            load_json(text, "x")


def test_numbers_at_and_past_their_limits():
    for text, reason in ((b"[123456789012345678]", r"larger than 2\^53"), (b"[1" + b"0" * 400 + b".5]", "too long"),
                         (b"[2e308]", "out of range"), (b"[1E400]", "out of range")):
        with pytest.raises(BundleRejected, match=reason):
            load_json(text, "x")
    assert load_json(b"[999999999999999, 123456789012345.123456789012345, 1e3]", "x") == [
        999999999999999, 123456789012345.123456789012345, 1000.0]


def test_item_limit_counts_each_container_on_its_own(monkeypatch):
    monkeypatch.setattr(safety, "MAX_JSON_ITEMS", 3)
    assert load_json(b'[[1,2,3],[4,5,6],[7,[8,9,10],11]]', "x")
    with pytest.raises(BundleRejected, match="an array has more than 3 items"):
        load_json(b'[[1,2,3],[4,5,6],[7,[8,9,10],11,12]]', "x")

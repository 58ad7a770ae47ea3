"""The compiled router must mean exactly what app.routing.conditions.evaluate means."""
from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.routing.conditions import ALL_OPERATORS, evaluate, evaluate_leaf
from app.common.errors import UserError
from app.routing.router import RouterCache, coerce_context, compile_workstream

VARIABLES = [
    {"display_name": "Country", "name": "country", "type": "text"},
    {"display_name": "Segment", "name": "segment", "type": "text"},
    {"display_name": "Order value", "name": "ordervalue", "type": "number"},
    {"display_name": "Age", "name": "age", "type": "number"},
]


def rule(name: str, queue: str, condition: dict) -> dict:
    return {"name": name, "description": "", "queue": queue, "condition": condition}


def stream(*rules: dict, default_queue: str | None = "General") -> dict:
    return {"name": "Chat - Support", "default_queue": default_queue,
            "context_variables": VARIABLES, "routing_rules": list(rules)}


def leaf(variable: str, operator: str, value=None) -> dict:
    node = {"variable": variable, "operator": operator}
    if value is not None:
        node["value"] = value
    return node


def single_leaf_matches(node: dict, context: dict) -> bool:
    """Route through a one-rule stream and check the reference agrees."""
    router = compile_workstream(stream(rule("R", "Hit", {"all": [node]})))
    compiled = router.route_queue(context) == "Hit"
    assert compiled == evaluate_leaf(node, context), (node, context)
    assert router.route(context).queue == router.route_queue(context)
    return compiled


# --------------------------------------------------------------------------- every operator

TEXT_CASES = [
    # operator, literal, seen, expected
    ("eq", "France", "FRANCE", True),
    ("eq", "France", "Frankreich", False),
    ("eq", "Straße", "STRASSE", True),       # case folding, not just lower()
    ("ne", "France", "france", False),
    ("ne", "France", "Spain", True),
    ("contains", "VIP", "gold vip member", True),
    ("contains", "vip", "gold member", False),
    ("not_contains", "vip", "gold member", True),
    ("not_contains", "VIP", "a Vip", False),
    ("begins_with", "Gold", "GOLDEN", True),
    ("begins_with", "Gold", "old gold", False),
    ("ends_with", "LAND", "Finland", True),
    ("ends_with", "land", "Landes", False),
    ("in", ["FR", "de"], "De", True),
    ("in", ["FR", "de"], "es", False),
    ("not_in", ["FR", "de"], "fr", False),
    ("not_in", ["FR", "de"], "es", True),
    ("is_empty", None, "", True),
    ("is_empty", None, "   ", True),
    ("is_empty", None, "x", False),
    ("is_not_empty", None, " x ", True),
    ("is_not_empty", None, " \t", False),
]


@pytest.mark.parametrize("operator, literal, seen, expected", TEXT_CASES)
def test_text_operators(operator, literal, seen, expected):
    assert single_leaf_matches(leaf("country", operator, literal), {"country": seen}) is expected


NUMBER_CASES = [
    ("eq", 100, 100, True),
    ("eq", 100, 100.0, True),
    ("eq", 100, 99, False),
    ("ne", 100, 99, True),
    ("ne", 100, 100, False),
    ("gt", 1000, 1000.5, True),
    ("gt", 1000, 1000, False),
    ("ge", 1000, 1000, True),
    ("ge", 1000, 999, False),
    ("lt", 18, 17, True),
    ("lt", 18, 18, False),
    ("le", 18, 18, True),
    ("le", 18, 19, False),
    ("in", [1, 2.5, 3], 2.5, True),
    ("in", [1, 2.5, 3], 2, False),
    ("not_in", [1, 2.5, 3], 2, True),
    ("not_in", [1, 2.5, 3], 1.0, False),
    ("is_empty", None, 0, False),
    ("is_not_empty", None, 0, True),
]


@pytest.mark.parametrize("operator, literal, seen, expected", NUMBER_CASES)
def test_number_operators(operator, literal, seen, expected):
    assert single_leaf_matches(leaf("ordervalue", operator, literal), {"ordervalue": seen}) is expected


@pytest.mark.parametrize("operator, literal", [
    ("eq", "x"), ("ne", "x"), ("contains", "x"), ("not_contains", "x"), ("begins_with", "x"),
    ("ends_with", "x"), ("in", ["x"]), ("not_in", ["x"]),
])
@pytest.mark.parametrize("context", [{}, {"country": None}])
def test_a_missing_text_variable_matches_nothing_but_is_empty(operator, literal, context):
    assert single_leaf_matches(leaf("country", operator, literal), context) is False


@pytest.mark.parametrize("operator, literal", [
    ("eq", 1), ("ne", 1), ("gt", 1), ("ge", 1), ("lt", 1), ("le", 1), ("in", [1]), ("not_in", [1]),
])
@pytest.mark.parametrize("context", [{}, {"ordervalue": None}])
def test_a_missing_number_variable_matches_nothing_but_is_empty(operator, literal, context):
    assert single_leaf_matches(leaf("ordervalue", operator, literal), context) is False


@pytest.mark.parametrize("variable", ["country", "ordervalue"])
@pytest.mark.parametrize("context", [{}, {"country": None, "ordervalue": None}])
def test_missing_values_are_empty(variable, context):
    assert single_leaf_matches(leaf(variable, "is_empty"), context) is True
    assert single_leaf_matches(leaf(variable, "is_not_empty"), context) is False


def test_mistyped_contexts_still_agree_with_the_reference():
    # The reference compares text against "" for a number literal; the router must too.
    for node in (leaf("ordervalue", "eq", 5), leaf("ordervalue", "ne", 5), leaf("ordervalue", "gt", 5),
                 leaf("ordervalue", "in", [5]), leaf("ordervalue", "not_in", [5])):
        for seen in ("", "abc", " "):
            single_leaf_matches(node, {"ordervalue": seen})
    assert single_leaf_matches(leaf("ordervalue", "eq", 5), {"ordervalue": ""}) is True
    for node in (leaf("country", "eq", "5"), leaf("country", "contains", "5"), leaf("country", "in", ["5"]),
                 leaf("country", "not_in", ["5"]), leaf("country", "is_empty")):
        single_leaf_matches(node, {"country": 5})


def test_leaves_that_do_not_fit_their_variable_use_the_reference_meaning():
    odd_leaves = [
        leaf("country", "gt", 5),              # number operator on a text variable
        leaf("ordervalue", "contains", "1"),   # text operator on a number variable
        leaf("ordervalue", "eq", "5"),         # text literal for a number
        leaf("unknown", "eq", "x"),            # undeclared variable
        leaf("country", "in", ["a", 1]),       # mixed list
        {"variable": "country", "operator": "eq", "value": "x", "extra": 1},
        leaf("country", "frobnicate", "x"),    # unknown operator
    ]
    contexts = [{}, {"country": "X", "ordervalue": 5, "unknown": "x"}, {"country": "5", "ordervalue": 1.0}]
    for node in odd_leaves:
        for context in contexts:
            single_leaf_matches(node, context)


# --------------------------------------------------------------------------- rules

def test_nested_groups():
    condition = {"all": [
        leaf("ordervalue", "ge", 1000),
        {"any": [leaf("country", "in", ["FR", "BE"]), {"all": [leaf("segment", "eq", "gold"), leaf("age", "lt", 30)]}]},
    ]}
    router = compile_workstream(stream(rule("VIP", "VIP", condition)))
    cases = [
        ({"ordervalue": 1500, "country": "fr"}, "VIP"),
        ({"ordervalue": 1500, "country": "es", "segment": "Gold", "age": 25}, "VIP"),
        ({"ordervalue": 1500, "country": "es", "segment": "Gold", "age": 35}, "General"),
        ({"ordervalue": 999, "country": "fr"}, "General"),
        ({"country": "fr"}, "General"),
    ]
    for context, queue in cases:
        assert router.route_queue(context) == queue
        assert (queue == "VIP") == evaluate(condition, context)


def test_empty_groups():
    router = compile_workstream(stream(rule("Never", "A", {"any": []}), rule("Always", "B", {"all": []})))
    result = router.route({})
    assert (result.queue, result.rule, result.fallback) == ("B", "Always", False)


def test_first_matching_rule_wins_and_later_rules_are_not_traced():
    router = compile_workstream(stream(
        rule("Big orders", "Sales", {"all": [leaf("ordervalue", "gt", 100)]}),
        rule("French", "France", {"all": [leaf("country", "eq", "FR")]}),
        rule("Also big", "Other", {"all": [leaf("ordervalue", "gt", 10)]}),
    ))
    result = router.route({"ordervalue": 500, "country": "fr"})
    assert (result.queue, result.rule, result.fallback) == ("Sales", "Big orders", False)
    assert [entry["rule"] for entry in result.trace] == ["Big orders"]
    result = router.route({"ordervalue": 50, "country": "fr"})
    assert (result.queue, result.rule) == ("France", "French")
    assert [(e["rule"], e["position"], e["matched"]) for e in result.trace] == [
        ("Big orders", 0, False), ("French", 1, True)]


def test_no_match_falls_back_to_the_default_queue():
    router = compile_workstream(stream(rule("French", "France", {"all": [leaf("country", "eq", "FR")]})))
    result = router.route({"country": "de"})
    assert (result.queue, result.rule, result.fallback) == ("General", None, True)
    assert [entry["matched"] for entry in result.trace] == [False]
    assert router.route_queue({"country": "de"}) == "General"


def test_no_match_and_no_default_queue_routes_nowhere():
    router = compile_workstream(stream(rule("French", "France", {"all": [leaf("country", "eq", "FR")]}),
                                       default_queue=None))
    assert router.route({}).queue is None and router.route({}).fallback
    assert router.route_queue({}) is None


def test_trace_reports_every_leaf_with_its_path_and_seen_value():
    condition = {"all": [
        leaf("ordervalue", "ge", 1000),
        {"any": [leaf("country", "in", ["FR", "BE"]), leaf("segment", "is_empty")]},
    ]}
    router = compile_workstream(stream(rule("VIP", "VIP", condition)))
    result = router.route({"ordervalue": 10, "country": "Fr"})
    (entry,) = result.trace
    assert entry["matched"] is False
    # every leaf is reported, even those the short-circuit would skip
    assert entry["conditions"] == [
        {"path": "all[0]", "variable": "ordervalue", "operator": "ge", "value": 1000, "seen": 10, "result": False},
        {"path": "all[1].any[0]", "variable": "country", "operator": "in", "value": ["FR", "BE"],
         "seen": "Fr", "result": True},
        {"path": "all[1].any[1]", "variable": "segment", "operator": "is_empty", "value": None,
         "seen": None, "result": True},
    ]
    assert result.to_json() == {"workstream": "Chat - Support", "queue": "General", "rule": None,
                                "fallback": True, "targets": [], "draw": None, "trace": result.trace}


def test_a_bare_leaf_condition_has_an_empty_path():
    router = compile_workstream(stream(rule("R", "Q", leaf("country", "eq", "x"))))
    (entry,) = router.route({"country": "X"}).trace
    assert entry["matched"] and entry["conditions"][0]["path"] == ""


def test_malformed_condition_trees_are_refused_at_compile_time():
    with pytest.raises(UserError, match="routing_rules\\[0\\]"):
        compile_workstream(stream(rule("R", "Q", {"all": [{"variable": "country"}]})))
    with pytest.raises(UserError, match="must be a list"):
        compile_workstream(stream(rule("R", "Q", {"any": "nope"})))


def test_casefold_is_idempotent_and_keeps_blank_text_blank():
    # routing.py folds context text once per call and relies on both facts.
    for code_point in range(0, sys.maxunicode + 1, 7):
        char = chr(code_point)
        folded = char.casefold()
        assert folded.casefold() == folded
        assert (not char.strip()) == (not folded.strip())


# --------------------------------------------------------------------------- contexts

def test_coerce_context_parses_numbers_and_keeps_text():
    ws = stream()
    assert coerce_context(ws, {"ordervalue": "1500", "country": "FR", "age": " 42.5 "}) == {
        "ordervalue": 1500, "country": "FR", "age": 42.5}
    assert coerce_context(ws, {"ordervalue": 12, "country": None}) == {"ordervalue": 12, "country": None}


def test_coerce_context_matches_names_case_insensitively():
    assert coerce_context(stream(), {"OrderValue": "7"}) == {"ordervalue": 7}


def test_coerce_context_rejects_a_non_number():
    with pytest.raises(UserError) as raised:
        coerce_context(stream(), {"ordervalue": "12a"})
    assert str(raised.value) == "ordervalue: '12a' is not a number"


def test_coerce_context_rejects_a_number_for_text_and_text_types_for_numbers():
    with pytest.raises(UserError, match="country: 12 is not text"):
        coerce_context(stream(), {"country": 12})
    with pytest.raises(UserError, match="ordervalue: true is not a number"):
        coerce_context(stream(), {"ordervalue": True})


def test_coerce_context_names_an_unknown_variable_and_the_known_ones():
    with pytest.raises(UserError) as raised:
        coerce_context(stream(), {"colour": "red"})
    message = str(raised.value)
    assert "'colour'" in message and "age, country, ordervalue, segment" in message


# --------------------------------------------------------------------------- cache

def test_router_cache_compiles_once_per_version():
    cache = RouterCache()
    ws = stream(rule("French", "France", {"all": [leaf("country", "eq", "FR")]}))
    first = cache.get("ws-1", 1, ws)
    assert cache.get("ws-1", 1, ws) is first
    changed = stream(rule("French", "Paris", {"all": [leaf("country", "eq", "FR")]}))
    second = cache.get("ws-1", 2, changed)
    assert second is not first and second.route_queue({"country": "fr"}) == "Paris"
    cache.invalidate("ws-1")
    assert cache.get("ws-1", 2, changed) is not second
    cache.invalidate("never-cached")  # harmless
    assert len(cache) == 1


def test_router_cache_without_a_version_keys_on_the_content():
    cache = RouterCache()
    ws = stream(rule("French", "France", {"all": [leaf("country", "eq", "FR")]}))
    first = cache.get("ws-1", None, ws)
    assert cache.get("ws-1", None, dict(ws)) is first
    edited = stream(rule("French", "Paris", {"all": [leaf("country", "eq", "FR")]}))
    assert cache.get("ws-1", None, edited).route_queue({"country": "FR"}) == "Paris"


# --------------------------------------------------------------------------- agreement, at random

TYPES = {v["name"]: v["type"] for v in VARIABLES}
WORDS = ["fr", "FR", "Fr", "de", "", " ", "straße", "STRASSE", "ß", "İ", "i̇", "gold vip", "VIP", "é", "É"]
numbers = st.one_of(st.integers(-5, 5), st.sampled_from([0.5, -0.5, 2.0, 1e9, 1000]))
texts = st.one_of(st.sampled_from(WORDS), st.text(alphabet="aAbB ßẞ", max_size=4))
literals = st.one_of(numbers, texts)


@st.composite
def leaves(draw):
    variable = draw(st.sampled_from([*TYPES, "undeclared"]))
    operator = draw(st.sampled_from(ALL_OPERATORS))
    node = {"variable": variable, "operator": operator}
    if operator in ("is_empty", "is_not_empty"):
        return node
    if operator in ("in", "not_in"):
        node["value"] = draw(st.lists(literals, min_size=1, max_size=4))
    elif operator in ("gt", "ge", "lt", "le"):
        node["value"] = draw(numbers)  # the reference raises on text here; nothing to compare
    else:
        node["value"] = draw(literals)
    return node


conditions = st.recursive(
    leaves(),
    lambda children: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(children, max_size=4)),
        st.builds(lambda xs: {"any": xs}, st.lists(children, max_size=4)),
    ),
    max_leaves=12,
)


@st.composite
def contexts(draw):
    context = {}
    for name, var_type in [*TYPES.items(), ("undeclared", "text")]:
        choice = draw(st.sampled_from(["absent", "none", "typed", "typed", "typed", "mistyped"]))
        if choice == "none":
            context[name] = None
        elif choice == "typed":
            context[name] = draw(texts if var_type == "text" else numbers)
        elif choice == "mistyped":
            context[name] = draw(numbers if var_type == "text" else texts)
    return context


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(conditions, min_size=1, max_size=5), st.lists(contexts(), min_size=1, max_size=5))
def test_compiled_router_agrees_with_the_reference(condition_list, context_list):
    rules = [rule(f"R{i}", f"Q{i}", condition) for i, condition in enumerate(condition_list)]
    router = compile_workstream(stream(*rules))
    for context in context_list:
        expected_index = next((i for i, c in enumerate(condition_list) if evaluate(c, context)), None)
        expected_queue = "General" if expected_index is None else f"Q{expected_index}"
        assert router.route_queue(context) == expected_queue
        result = router.route(context)
        assert result.queue == expected_queue
        assert result.fallback is (expected_index is None)
        for entry in result.trace:
            condition = condition_list[entry["position"]]
            assert entry["matched"] == evaluate(condition, context)
            leaves_in_order = list(_leaves(condition))
            assert [c["result"] for c in entry["conditions"]] == [
                evaluate_leaf(node, context) for node in leaves_in_order]


def _leaves(node):
    if isinstance(node, dict) and len(node) == 1 and next(iter(node)) in ("all", "any"):
        for child in next(iter(node.values())):
            yield from _leaves(child)
    else:
        yield node


# --------------------------------------------------------------------------- the generated route_queue

import io  # noqa: E402 - kept with the tests that use them
import os  # noqa: E402
import tokenize  # noqa: E402

import app.routing.router as routing  # noqa: E402

GENERATED_NAMES = {"def", "return", "if", "elif", "is", "not", "and", "or", "in", "None", "True", "False",
                   "_route", "ctx", "_K", "_str", "_isinstance", "_slow",
                   "get", "casefold", "strip", "startswith", "endswith", "__class__"}


def assert_only_generated_tokens(source: str) -> None:
    """The source holds no string literal, no non-integer number and no name it did not make."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            raise AssertionError(f"string literal in generated source: {token.string}")
        if token.type == tokenize.NUMBER:
            assert token.string.isdigit(), token.string
        if token.type == tokenize.NAME:
            assert token.string in GENERATED_NAMES or (
                token.string[0] == "v" and token.string[1:].isdigit()), token.string
        if token.type == tokenize.OP:
            assert token.string in {"(", ")", "[", "]", ",", ":", "=", "==", "!=", "<", "<=", ">", ">=", "."}, \
                token.string
        assert token.type not in (tokenize.ERRORTOKEN, tokenize.COMMENT), token


@st.composite
def deep_conditions(draw):
    """A leaf wrapped in up to 14 groups (all/any mixed), each with a few sibling leaves."""
    node = draw(leaves())
    for _ in range(draw(st.integers(1, 14))):
        siblings = draw(st.lists(leaves(), max_size=3))
        siblings.insert(draw(st.integers(0, len(siblings))), node)
        node = {draw(st.sampled_from(["all", "any"])): siblings}
    return node


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(conditions, deep_conditions()), min_size=1, max_size=40),
       st.lists(contexts(), min_size=1, max_size=8))
def test_the_generated_function_agrees_with_the_reference_and_the_closures(condition_list, context_list):
    router = compile_workstream(stream(*[rule(f"R{i}", f"Q{i}", c) for i, c in enumerate(condition_list)]))
    assert router.source is not None  # this test is about the generated function
    assert_only_generated_tokens(router.source)
    for context in context_list:
        expected_index = next((i for i, c in enumerate(condition_list) if evaluate(c, context)), None)
        expected_queue = "General" if expected_index is None else f"Q{expected_index}"
        assert router.route_queue(context) == expected_queue
        assert router._route_queue_closures(context) == expected_queue
        assert router.route(context).queue == expected_queue


def test_mistyped_and_unusual_values_are_handed_to_an_exact_path():
    class Text(str):
        pass

    router = compile_workstream(stream(
        rule("Number", "N", {"all": [leaf("ordervalue", "gt", 5)]}),
        rule("Empty text", "E", {"all": [leaf("segment", "is_empty")]}),
        rule("Contains", "C", {"all": [leaf("country", "contains", "an")]}),
    ))
    assert router.source is not None
    cases = [
        {"ordervalue": "abc", "segment": "x"},     # text in a number slot: reference meaning
        {"ordervalue": 6},
        {"segment": 5, "country": "France"},      # a number in a text slot
        {"segment": Text("  "), "ordervalue": 1},  # a str subclass
        {"segment": "x", "country": Text("FRANCE")},
        {"segment": "x", "country": 7},
        {"segment": True, "ordervalue": True},
    ]
    for context in cases:
        expected = next((q for q, c in [("N", leaf("ordervalue", "gt", 5)), ("E", leaf("segment", "is_empty")),
                                        ("C", leaf("country", "contains", "an"))] if evaluate_leaf(c, context)),
                        "General")
        assert router.route_queue(context) == expected, context


def test_generated_source_reads_each_variable_once_and_only_those_the_rules_use():
    router = compile_workstream(stream(
        rule("A", "A", {"any": [leaf("country", "eq", "fr"), leaf("country", "in", ["de", "at"])]}),
        rule("B", "B", {"all": [leaf("ordervalue", "ge", 10), leaf("country", "is_not_empty")]}),
    ))
    assert router.source.count("ctx.get(") == 2  # country and ordervalue; never segment or age
    assert router.route_queue({"country": "DE"}) == "A"
    assert router.route_queue({"country": "es", "ordervalue": 10}) == "B"
    assert router.route_queue({"country": "es", "ordervalue": 9}) == "General"


def test_user_text_is_data_never_code(monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args))
    evil = "'); import os; os.system('x') #"
    evil_name = 'x"] or __import__("os").system("x") or ctx["'
    evil_number = "n'); __import__('os').system('y'); ('"
    triple = '""" + __import__("os").system("z") + """'
    ws = {
        "name": "W'); os.system('w') #",
        "default_queue": "Def\n    import os\n    os.system('d')",
        "context_variables": [
            {"display_name": "Evil", "name": evil_name, "type": "text"},
            {"display_name": "Num", "name": evil_number, "type": "number"},
            {"display_name": "Undeclared-ish", "name": "_K[0]", "type": "text"},
        ],
        "routing_rules": [
            rule(evil, evil, {"all": [leaf(evil_name, "eq", evil)]}),
            rule("r2", triple, {"any": [leaf(evil_name, "in", [triple, "\\'"]), leaf(evil_number, "gt", 10**30)]}),
            rule("r3", "{v}", {"all": [leaf("_K[0]", "contains", "{k}"), leaf("ctx", "eq", "}")]}),
        ],
    }
    router = compile_workstream(ws)
    assert router.source is not None
    assert_only_generated_tokens(router.source)
    user_strings = [evil, evil_name, evil_number, triple, "{k}", "{v}", "\\'", ws["default_queue"], ws["name"],
                    "os.system", "__import__", "import"]
    for text in user_strings:
        assert text not in router.source, text
    assert router.route_queue({evil_name: evil.upper()}) == evil
    assert router.route_queue({evil_name: triple}) == triple
    assert router.route_queue({evil_number: 10**30 + 1}) == triple
    assert router.route_queue({"_K[0]": "a{K}b", "ctx": "}"}) == "{v}"
    assert router.route_queue({}) == ws["default_queue"]
    assert router.route({evil_name: evil}).queue == evil
    assert calls == []
    # the generated function has no builtins to reach for
    assert router._route_queue.__globals__["__builtins__"] == {}


def _nested(depth: int) -> dict:
    node: dict = leaf("ordervalue", "ge", 10)
    for level in range(depth):
        node = {("all", "any")[level % 2]: [node, leaf("country", "eq", f"c{level}")]}
    return node


def test_nesting_up_to_the_limit_is_generated_and_deeper_falls_back_to_the_closures():
    deepest = _nested(routing.MAX_GENERATED_DEPTH - 1)  # the leaf is one level below the groups
    too_deep = _nested(routing.MAX_GENERATED_DEPTH)
    for condition, generated in ((deepest, True), (too_deep, False)):
        router = compile_workstream(stream(rule("Deep", "Deep", condition)))
        assert (router.source is not None) is generated
        for context in ({"ordervalue": 11}, {"ordervalue": 1, "country": "C1"}, {"country": "c0"}, {}):
            assert router.route_queue(context) == ("Deep" if evaluate(condition, context) else "General")


def test_a_stream_with_too_many_leaves_falls_back_to_the_closures(monkeypatch):
    monkeypatch.setattr(routing, "MAX_GENERATED_LEAVES", 6)
    rules = [rule(f"R{i}", f"Q{i}", {"all": [leaf("ordervalue", "eq", i), leaf("country", "eq", f"c{i}")]})
             for i in range(3)]
    assert compile_workstream(stream(*rules)).source is not None  # 6 leaves: still generated
    router = compile_workstream(stream(*rules, rule("R3", "Q3", {"all": [leaf("ordervalue", "eq", 3)]})))
    assert router.source is None
    assert router.route_queue({"ordervalue": 3}) == "Q3"
    assert router.route_queue({"ordervalue": 1, "country": "C1"}) == "Q1"
    assert router.route_queue({"ordervalue": 1}) == "General"


@pytest.mark.parametrize("raw", [
    {"ordervalue": " 42 ", "age": "4_2", "country": "Fr", "segment": None},
    {"ordervalue": "1e3", "age": "-0.5", "country": "", "segment": " "},
    {"ordervalue": 12, "age": 2.5, "Country": "x"},
    {"ordervalue": "12a"}, {"ordervalue": "nan"}, {"ordervalue": "inf"}, {"ordervalue": True},
    {"ordervalue": float("inf")}, {"ordervalue": "١٢"}, {"country": 12}, {"country": ["x"]},
])
def test_coerce_context_fast_paths_mean_what_coerce_value_means(raw):
    ws = stream()
    types = routing.variable_types(ws)
    expected: dict = {}
    try:
        for name, value in raw.items():
            canonical = routing._resolve_variable(name, types, ws["name"])
            expected[canonical] = routing.coerce_value(canonical, value, types[canonical])
    except UserError as error:
        with pytest.raises(UserError) as raised:
            coerce_context(ws, raw)
        assert str(raised.value) == str(error)
        return
    typed = coerce_context(ws, raw)
    assert typed == expected
    assert [type(v) for v in typed.values()] == [type(v) for v in expected.values()]

"""Fuzz the configuration validator and the condition checks: only DocumentInvalid, never a crash."""
from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.routing import conditions as condition_rules
from app.routing.conditions import ALL_OPERATORS, condition_is_valid, validate_condition
from app.config.document import DocumentInvalid, validate_document
from app.config.demo import demo_document

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=120))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)

leaf = st.fixed_dictionaries({
    "variable": st.one_of(st.sampled_from(["topic", "accountbalance", "missing"]), st.text(max_size=8), json_values),
    "operator": st.one_of(st.sampled_from(ALL_OPERATORS), st.text(max_size=8), json_values),
}, optional={"value": json_values})
conditions = st.recursive(st.one_of(leaf, json_values), lambda inner: st.one_of(
    st.builds(lambda xs: {"all": xs}, st.lists(inner, max_size=4)),
    st.builds(lambda xs: {"any": xs}, st.lists(inner, max_size=4)),
    st.dictionaries(st.sampled_from(["all", "any", "variable"]), inner, max_size=3)), max_leaves=20)

PATHS = [("workstreams", 0, "capacity"), ("workstreams", 0, "routing_rules", 0, "condition"),
         ("workstreams", 0, "context_variables", 0), ("queues", 0, "agents"), ("agents", 0, "presence"),
         ("workstreams", 0, "allowed_presences"), ("presences", 0), ("workstreams", 0, "channels", 0, "kind"),
         ("workstreams",), ("version",), ("workstreams", 1, "screen_pop_timeout_s"), ("queues", 1)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=conditions)
def test_condition_validation_never_crashes(node):
    issues = validate_condition(node, {"topic": "text", "accountbalance": "number"})
    assert all(issue.path.startswith("condition") for issue in issues)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=conditions)
def test_the_fast_condition_check_agrees_with_the_full_one(node):
    types = {"topic": "text", "accountbalance": "number"}
    issues: list = []
    condition_rules._validate(node, types, "condition", 1, issues)
    assert condition_is_valid(node, types) == (not issues)


def test_the_fast_condition_check_on_edge_cases():
    types = {"topic": "text", "n": "number"}
    leaf = {"variable": "n", "operator": "in", "value": [1, 2.5]}
    deep = leaf
    for _ in range(condition_rules.MAX_CONDITION_DEPTH - 1):
        deep = {"all": [deep]}
    assert condition_is_valid(deep, types) and not condition_is_valid({"any": [deep]}, types)
    for bad in ({"variable": "n", "operator": "in", "value": [1, True]},
                {"variable": "n", "operator": "eq", "value": float("inf")},
                {"variable": "topic", "operator": "is_empty", "value": ""},
                {"variable": "topic", "operator": "gt", "value": "a"},
                {"all": [], "any": []}, {"all": {}}, {"variable": "topic", "operator": "eq"}):
        assert not condition_is_valid(bad, types) and validate_condition(bad, types)
    assert condition_is_valid({"variable": "topic", "operator": "is_empty", "value": None}, types)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=st.one_of(json_values, conditions))
def test_document_validation_only_ever_says_invalid(path, value):
    doc = copy.deepcopy(demo_document())
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    try:
        validate_document(doc)
    except DocumentInvalid as error:
        assert error.issues and str(error)

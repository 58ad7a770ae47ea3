"""Percentage splits (the draw picks a queue) and work classification (first match attaches skills)."""
from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.common.errors import UserError
from app.routing.conditions import evaluate
from app.routing.router import (
    Classification,
    SplitTarget,
    classify,
    compile_classifier,
    compile_workstream,
    percentage_draw,
    pick_target,
    required_skills,
)

VARIABLES = [{"display_name": "Topic", "name": "topic", "type": "text"},
             {"display_name": "Value", "name": "value", "type": "number"}]


def leaf(variable, operator, value=None):
    node = {"variable": variable, "operator": operator}
    if value is not None:
        node["value"] = value
    return node


def split_stream(*shares, condition=None, default_queue="General"):
    rules = [{"name": "Before", "queue": "Early", "condition": {"all": [leaf("topic", "eq", "early")]}},
             {"name": "Split", "queues": [{"queue": q, "percent": p} for q, p in shares],
              "condition": condition or {"all": [leaf("value", "ge", 10)]}}]
    return {"name": "S", "default_queue": default_queue, "context_variables": VARIABLES, "routing_rules": rules}


SIXTY_FORTY = split_stream(("A", 60), ("B", 40))


# --------------------------------------------------------------------------- the draw

@pytest.mark.parametrize("draw, queue", [
    (0, "A"), (0.0, "A"), (59.999, "A"), (60, "B"), (60.0, "B"), (99.9999, "B"), (None, "A"),
])
def test_the_first_target_whose_cumulative_percent_exceeds_the_draw(draw, queue):
    router = compile_workstream(SIXTY_FORTY)
    assert router.route_queue({"value": 10}, draw) == queue
    assert router.route_queue({"value": 10}, draw=draw) == queue
    result = router.route({"value": 10}, draw=draw)
    assert (result.queue, result.rule, result.fallback, result.draw) == (queue, "Split", False, draw)
    assert result.targets == (SplitTarget("A", 60), SplitTarget("B", 40))


def test_five_way_split_boundaries_are_exact():
    router = compile_workstream(split_stream(("A", 10), ("B", 20), ("C", 30), ("D", 25), ("E", 15)))
    # cumulative: A <10, B <30, C <60, D <85, E <100
    seen = [router.route_queue({"value": 99}, d) for d in (9.99, 10, 29.99, 30, 59.99, 60, 84.99, 85, 99.99)]
    assert seen == ["A", "B", "B", "C", "C", "D", "D", "E", "E"]


@pytest.mark.parametrize("draw", [-0.1, 100, 100.5, float("nan"), "50", True])
def test_a_draw_outside_0_to_100_is_refused(draw):
    router = compile_workstream(SIXTY_FORTY)
    with pytest.raises(ValueError, match="percentage draw"):
        router.route_queue({"value": 10}, draw)


def test_rules_that_are_not_splits_ignore_the_draw_and_report_none():
    router = compile_workstream(SIXTY_FORTY)
    early = router.route({"topic": "Early"}, draw=75)
    assert (early.queue, early.targets, early.draw) == ("Early", (), None)
    fallback = router.route({"value": 1}, draw=75)
    assert (fallback.queue, fallback.fallback, fallback.targets, fallback.draw) == ("General", True, (), None)
    assert router.route_queue({"topic": "early"}, 99) == "Early"


def test_trace_json_names_the_targets_and_the_draw():
    data = compile_workstream(SIXTY_FORTY).route({"value": 12}, draw=61.5).to_json()
    assert data["queue"] == "B" and data["rule"] == "Split"
    assert data["targets"] == [{"queue": "A", "percent": 60}, {"queue": "B", "percent": 40}]
    assert data["draw"] == 61.5
    assert [entry["rule"] for entry in data["trace"]] == ["Before", "Split"]


def test_a_mistyped_context_still_draws_through_the_reference_path():
    router = compile_workstream(SIXTY_FORTY)
    # text in a number slot: the generated function hands over to the closures and the reference
    assert router.route_queue({"value": "abc"}, 70) == router.route({"value": "abc"}, draw=70).queue


def test_a_big_stream_routed_by_the_closures_draws_too(monkeypatch):
    import app.routing.router as router_module

    monkeypatch.setattr(router_module, "MAX_GENERATED_LEAVES", 0)
    router = compile_workstream(SIXTY_FORTY)
    assert router.source is None
    assert [router.route_queue({"value": 10}, d) for d in (None, 10, 70)] == ["A", "A", "B"]


@given(st.floats(min_value=0, max_value=100, exclude_max=True), st.integers(min_value=0, max_value=30))
def test_route_and_route_queue_agree_on_every_draw(draw, value):
    router = compile_workstream(SIXTY_FORTY)
    assert router.route({"value": value}, draw=draw).queue == router.route_queue({"value": value}, draw)


def test_pick_target_and_the_seeded_draw_are_reproducible():
    targets = (SplitTarget("A", 50), SplitTarget("B", 50))
    first = [pick_target(targets, percentage_draw(rng)) for rng in [random.Random(7)] for _ in range(20)]
    again = [pick_target(targets, percentage_draw(rng)) for rng in [random.Random(7)] for _ in range(20)]
    assert first == again and set(first) == {"A", "B"}
    assert all(0 <= percentage_draw(random.Random(seed)) < 100 for seed in range(50))


def test_a_split_shares_out_many_draws_about_by_percent():
    router = compile_workstream(SIXTY_FORTY)
    rng = random.Random(1)
    counts = {"A": 0, "B": 0}
    for _ in range(10_000):
        counts[router.route_queue({"value": 10}, percentage_draw(rng))] += 1
    assert 5_800 < counts["A"] < 6_200 and counts["A"] + counts["B"] == 10_000


# --------------------------------------------------------------------------- classification

RULES = [
    {"name": "Mortgage", "condition": {"any": [leaf("topic", "contains", "mortgage")]}, "skills": {"Mortgages": "3"}},
    {"name": "Big", "condition": {"all": [leaf("value", "gt", 1000)]}, "skills": {"Mortgages": "5", "Languages": "2"}},
    {"name": "Also mortgage", "condition": {"all": [leaf("topic", "contains", "MORT")]}, "skills": {"Languages": "1"}},
]


def classified_stream(rules=RULES):
    return {"name": "S", "default_queue": "General", "context_variables": VARIABLES, "classification_rules": rules}


@pytest.mark.parametrize("context, rule, skills", [
    ({"topic": "My Mortgage", "value": 5000}, "Mortgage", {"Mortgages": "3"}),  # first match wins
    ({"topic": "loan", "value": 5000}, "Big", {"Mortgages": "5", "Languages": "2"}),
    ({"topic": "short mort", "value": 1}, "Also mortgage", {"Languages": "1"}),
    ({"topic": "loan", "value": 1000}, None, {}),  # gt, not ge
    ({}, None, {}),
])
def test_classification_is_ordered_first_match(context, rule, skills):
    assert classify(classified_stream(), context) == Classification(rule, skills)
    assert compile_classifier(classified_stream()).classify(context) == Classification(rule, skills)
    assert required_skills(classified_stream(), context) == skills


def test_classification_agrees_with_the_reference_interpreter_including_mistyped_contexts():
    classifier = compile_classifier(classified_stream())
    contexts = [{"topic": "MORTGAGE"}, {"topic": None, "value": 2000}, {"value": "2000"}, {"topic": 5},
                {"topic": "  "}, {"value": 1001.5}]
    for context in contexts:
        expected = next((r["name"] for r in RULES if evaluate(r["condition"], context)), None)
        assert classifier.classify(context).rule == expected, context


def test_no_rules_means_no_skills_and_to_json_is_plain():
    assert classify({"name": "S"}, {"topic": "x"}) == Classification(None, {})
    assert classify(classified_stream(), {"topic": "mortgage"}).to_json() == {"rule": "Mortgage",
                                                                               "skills": {"Mortgages": "3"}}


def test_classify_recompiles_when_the_rules_change():
    ws = classified_stream()
    assert classify(ws, {"value": 2000}).rule == "Big"
    changed = classified_stream([{**RULES[1], "condition": {"all": [leaf("value", "gt", 5000)]}}])
    assert classify(changed, {"value": 2000}).rule is None


def test_an_empty_condition_always_matches():
    ws = classified_stream([{"name": "All", "condition": {"all": []}, "skills": {"Languages": "1"}}])
    assert classify(ws, {}).rule == "All"


def test_a_malformed_classification_condition_is_a_user_error_with_its_path():
    ws = classified_stream([{"name": "Bad", "condition": {"all": [{"nope": 1}]}, "skills": {"Languages": "1"}}])
    with pytest.raises(UserError, match=r"classification_rules\[0\]\.condition\.all\[0\]"):
        compile_classifier(ws)


# --------------------------------------------------------------------------- one call for both

def test_classify_and_route_agrees_with_classify_and_route_queue():
    ws = {**SIXTY_FORTY, "classification_rules": RULES}
    router = compile_workstream(ws)
    assert router.classifier is not None and router.classifier.source is not None
    contexts = [{"topic": "mortgage", "value": 50}, {"topic": "x", "value": 5000}, {"topic": "early"},
                {"value": "mistyped"}, {}]
    for context in contexts:
        for draw in (None, 0, 59.9, 60, 99.9):
            classification, queue = router.classify_and_route(context, draw)
            assert classification == classify(ws, context)
            assert queue == router.route_queue(context, draw), (context, draw)


def test_classify_and_route_without_classification_rules_attaches_nothing():
    router = compile_workstream(SIXTY_FORTY)
    assert router.classifier is None
    assert router.classify_and_route({"value": 10}, 70) == (Classification(None, {}), "B")


def test_classify_and_route_by_the_closures_when_too_big(monkeypatch):
    import app.routing.router as router_module

    monkeypatch.setattr(router_module, "MAX_GENERATED_LEAVES", 0)
    router = compile_workstream({**SIXTY_FORTY, "classification_rules": RULES})
    assert router.source is None and router.classifier.source is None
    assert router.classify_and_route({"topic": "Mortgage", "value": 10}, 61) == (
        Classification("Mortgage", {"Mortgages": "3"}), "B")

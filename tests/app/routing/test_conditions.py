"""app.routing.conditions: what a condition means, how it is checked, how it reads."""
from __future__ import annotations

import pytest

from app.routing.conditions import (
    MAX_CONDITION_DEPTH, always_true, condition_is_valid, evaluate, parse_value, rename_variable,
    render_condition, validate_condition, variables_used,
)

TYPES = {"language": "text", "amount": "number"}


def leaf(variable, operator, value=None):
    node = {"variable": variable, "operator": operator}
    if value is not None:
        node["value"] = value
    return node


@pytest.mark.parametrize("operator, value, seen, expected", [
    ("eq", "French", "french", True),          # text compares case-folded
    ("eq", "French", "Français", False),
    ("ne", "French", "FRENCH", False),
    ("contains", "ort", "Mortgage", True),
    ("not_contains", "ort", "Mortgage", False),
    ("begins_with", "mor", "Mortgage", True),
    ("ends_with", "AGE", "mortgage", True),
    ("in", ["fr", "de"], "DE", True),
    ("not_in", ["fr", "de"], "es", True),
])
def test_text_operators(operator, value, seen, expected):
    assert evaluate(leaf("language", operator, value), {"language": seen}) is expected


@pytest.mark.parametrize("operator, value, seen, expected", [
    ("eq", 5, 5.0, True), ("ne", 5, 6, True), ("gt", 5, 5, False), ("ge", 5, 5, True),
    ("lt", 5, 4.5, True), ("le", 5, 5.5, False), ("in", [1, 2], 2, True), ("not_in", [1, 2], 3, True),
])
def test_number_operators(operator, value, seen, expected):
    assert evaluate(leaf("amount", operator, value), {"amount": seen}) is expected


def test_an_absent_variable_matches_only_emptiness_tests():
    for operator, value in (("eq", "x"), ("ne", "x"), ("not_contains", "x"), ("not_in", ["x"])):
        assert evaluate(leaf("language", operator, value), {}) is False
    assert evaluate(leaf("language", "is_empty"), {}) is True
    assert evaluate(leaf("language", "is_empty"), {"language": "   "}) is True
    assert evaluate(leaf("language", "is_not_empty"), {"language": "fr"}) is True
    assert evaluate(leaf("amount", "is_not_empty"), {"amount": None}) is False


def test_groups_and_the_empty_group():
    french = leaf("language", "eq", "fr")
    big = leaf("amount", "gt", 1000)
    assert evaluate({"all": [french, big]}, {"language": "fr", "amount": 5}) is False
    assert evaluate({"any": [french, big]}, {"language": "fr", "amount": 5}) is True
    assert evaluate(always_true(), {}) is True
    assert evaluate({"any": []}, {}) is False
    assert evaluate({"all": [{"any": [french, big]}, leaf("amount", "lt", 10)]}, {"language": "FR", "amount": 5})


def test_validation_names_the_place_of_each_problem():
    node = {"all": [leaf("language", "gt", 5), leaf("amount", "eq", "five"), leaf("nobody", "eq", "x"),
                    leaf("amount", "in", []), leaf("language", "is_empty", "x")]}
    found = {str(issue) for issue in validate_condition(node, TYPES)}
    assert found == {
        "condition.all[0]: operator 'gt' needs a number variable",
        "condition.all[1].value: 'five' is not a number",
        "condition.all[2]: unknown context variable 'nobody'",
        "condition.all[3].value: operator 'in' needs a non-empty list",
        "condition.all[4]: operator 'is_empty' takes no value",
    }
    assert condition_is_valid(node, TYPES) is False


def test_the_fast_check_agrees_with_the_full_one_on_good_and_deep_conditions():
    good = {"any": [leaf("language", "in", ["fr"]), leaf("amount", "le", 3.5), leaf("amount", "is_empty")]}
    assert validate_condition(good, TYPES) == [] and condition_is_valid(good, TYPES)
    deep: dict = leaf("amount", "eq", 1)
    for _ in range(MAX_CONDITION_DEPTH):
        deep = {"all": [deep]}
    assert not condition_is_valid(deep, TYPES)
    assert any("deeper than" in issue.message for issue in validate_condition(deep, TYPES))


def test_parse_value_types_what_a_user_typed():
    assert parse_value(" 42 ", "number") == 42 and parse_value("2.5", "number") == 2.5
    assert parse_value(" 42 ", "text") == " 42 "
    for bad in ("forty", "nan", "inf"):
        with pytest.raises(ValueError):
            parse_value(bad, "number")


def test_reading_renaming_and_listing_variables():
    node = {"all": [leaf("language", "in", ["fr", "de"]), {"any": [leaf("amount", "ge", 1000.0),
                                                                    leaf("language", "is_empty")]}]}
    assert render_condition(node, {"language": "Language"}) == \
        "Language is one of ['fr', 'de'] AND (amount ≥ 1000 OR Language is empty)"
    assert render_condition(always_true()) == "(always)"
    renamed = rename_variable(node, "language", "locale")
    assert variables_used(renamed) == {"locale", "amount"} and variables_used(node) == {"language", "amount"}

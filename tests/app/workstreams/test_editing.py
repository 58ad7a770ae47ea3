"""app.workstreams.editing: the Name suggested from a Display Name, copy names and the variable guards."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.workstreams.editing import copy_name, referrer_sentence, rename_variable_in_rules, rules_using_variable, \
    suggest_variable_name
from models.choices import NAME_MAX, VARIABLE_NAME_PATTERN


# --------------------------------------------------------------------------- suggest_variable_name

def test_lower_case_and_spaces_dropped():
    assert suggest_variable_name("Customer Tier") == "customertier"


def test_accents_fold_to_their_letter():
    assert suggest_variable_name("Chloé") == "chloe"
    assert suggest_variable_name("Çà va, Señor Ørjan") == "cavasenorrjan"  # Ø has no decomposition: dropped


def test_symbols_dropped_underscores_and_digits_kept():
    assert suggest_variable_name("Order #-total (€)!") == "ordertotal"
    assert suggest_variable_name("account_balance 2") == "account_balance2"


def test_leading_digit_gets_an_underscore():
    assert suggest_variable_name("2nd line") == "_2ndline"
    assert suggest_variable_name("  42 ") == "_42"


def test_empty_or_nothing_usable_gives_empty():
    assert suggest_variable_name("") == ""
    assert suggest_variable_name("   ") == ""
    assert suggest_variable_name("!!! ---") == ""


def test_clashes_get_numbered_suffixes_case_insensitively():
    assert suggest_variable_name("Topic", ["topic"]) == "topic_2"
    assert suggest_variable_name("Topic", ["TOPIC", "topic_2"]) == "topic_3"
    assert suggest_variable_name("Topic", ["other"]) == "topic"


def test_length_is_capped_even_with_a_suffix():
    long = "a" * 150
    assert suggest_variable_name(long) == "a" * NAME_MAX
    clash = suggest_variable_name(long, ["a" * NAME_MAX])
    assert clash == "a" * (NAME_MAX - 2) + "_2"
    assert len(clash) == NAME_MAX


@given(st.text(max_size=120), st.lists(st.text(max_size=20), max_size=5))
def test_any_suggestion_is_a_valid_unused_name_or_empty(display, taken):
    name = suggest_variable_name(display, taken)
    if name:
        assert re.match(VARIABLE_NAME_PATTERN, name)
        assert len(name) <= NAME_MAX
        assert name.casefold() not in {t.casefold() for t in taken}


# --------------------------------------------------------------------------- copy_name

def test_copy_name_first_then_numbered():
    assert copy_name("Chat", []) == "Copy of Chat"
    assert copy_name("Chat", ["copy of chat"]) == "Copy of Chat (2)"
    assert copy_name("Chat", ["Copy of Chat", "Copy of Chat (2)"]) == "Copy of Chat (3)"


def test_copy_name_stays_within_the_name_limit():
    long = "x" * NAME_MAX
    first = copy_name(long, [])
    assert len(first) == NAME_MAX and first.startswith("Copy of ")
    second = copy_name(long, [first])
    assert len(second) <= NAME_MAX and second.endswith(" (2)")


# --------------------------------------------------------------------------- guards

RULES = [
    {"name": "VIP", "queue": "VIP", "condition": {"all": [{"variable": "tier", "operator": "eq", "value": "Gold"}]}},
    {"name": "Nested", "queue": "Billing", "condition": {"any": [
        {"variable": "topic", "operator": "contains", "value": "bill"},
        {"all": [{"variable": "tier", "operator": "is_not_empty"},
                 {"variable": "balance", "operator": "lt", "value": 0}]}]}},
    {"name": "Always", "queue": "General", "condition": {"all": []}},
]


def test_rules_using_variable_finds_nested_leaves_in_rule_order():
    assert rules_using_variable(RULES, "tier") == ["VIP", "Nested"]
    assert rules_using_variable(RULES, "balance") == ["Nested"]
    assert rules_using_variable(RULES, "unused") == []
    assert rules_using_variable([{"name": "no condition"}], "tier") == []


def test_rename_variable_in_rules_rewrites_every_leaf_and_leaves_the_input_alone():
    renamed = rename_variable_in_rules(RULES, "tier", "customer_tier")
    assert rules_using_variable(renamed, "tier") == []
    assert rules_using_variable(renamed, "customer_tier") == ["VIP", "Nested"]
    nested = renamed[1]["condition"]["any"][1]["all"]
    assert nested[0] == {"variable": "customer_tier", "operator": "is_not_empty"}
    assert nested[1] == {"variable": "balance", "operator": "lt", "value": 0}
    assert [r["name"] for r in renamed] == ["VIP", "Nested", "Always"]
    assert renamed[2]["condition"] == {"all": []}
    # the original rules are unchanged
    assert RULES[0]["condition"]["all"][0]["variable"] == "tier"
    assert rules_using_variable(RULES, "tier") == ["VIP", "Nested"]


def test_referrer_sentence_names_the_first_five():
    assert referrer_sentence("Queue 'A'", ["x"]) == "Queue 'A' is used by x"
    text = referrer_sentence("Queue 'A'", [f"r{i}" for i in range(7)])
    assert text == "Queue 'A' is used by r0, r1, r2, r3, r4 and 2 more"

"""The registered checks, the editor's per-rule view and the import preview's new findings."""
from __future__ import annotations

import copy

import pytest

from app.config.document import validate_document
from app.config.generate import generate
from app.doctor import CHECKS, diagnose, findings_for_workstream, import_findings
from app.doctor.findings import check


def doc_with(**stream_overrides) -> dict:
    """A small valid document: one live-chat stream routing to 'Sales' (members Ann, Bob)."""
    stream = {
        "name": "Chat", "channel": "live_chat", "active": True, "capacity": 10, "auto_close_after_inactivity_s": 0,
        "distribution_mode": "push", "notification": "screen_pop_timeout", "screen_pop_timeout_s": 120,
        "allowed_presences": ["available", "busy"], "assign_after_decline_s": 0, "keep_same_agent": False,
        "wrap_up_block_s": 0, "default_queue": "Sales",
        "context_variables": [{"display_name": "Country", "name": "country", "type": "text"},
                              {"display_name": "Amount", "name": "amount", "type": "number"}],
        "routing_rules": [
            {"name": "France", "description": "", "queue": "Sales",
             "condition": {"all": [{"variable": "country", "operator": "in", "value": ["FR", "BE"]}]}},
            {"name": "Big", "description": "", "queue": "Sales",
             "condition": {"all": [{"variable": "amount", "operator": "gt", "value": 1000}]}},
        ],
        "channels": [],
    }
    stream.update(stream_overrides)
    doc = {"format": "workstream-console/config", "version": 1, "presences": [],
           "agents": [{"name": "Ann", "capacity": 100, "presence": "Available"},
                      {"name": "Bob", "capacity": 50, "presence": "Busy"}],
           "queues": [{"name": "Sales", "kind": "messaging", "description": "", "agents": ["Ann", "Bob"]},
                      {"name": "Records", "kind": "records", "description": "", "agents": ["Ann"]},
                      {"name": "Empty", "kind": "messaging", "description": "", "agents": []}],
           "workstreams": [stream]}
    validate_document(doc)  # the fixture itself must be a valid document
    return doc


def codes(doc, workstream=None) -> list[str]:
    return [f.code for f in diagnose(doc, workstream)]


def test_a_sound_configuration_has_only_the_empty_queue():
    assert codes(doc_with()) == ["queue-no-members"]


def test_capacity_beyond_every_member_is_an_error_naming_the_stream_and_queue():
    findings = [f for f in diagnose(doc_with(capacity=101)) if f.code == "capacity-exceeds-members"]
    assert len(findings) == 1
    assert findings[0].severity == "error"
    assert findings[0].paths == ("workstreams[0].capacity", "queues[0]")
    assert "101" in findings[0].message and "'Sales'" in findings[0].message
    assert "capacity-exceeds-members" not in codes(doc_with(capacity=100))


def test_a_profile_format_stream_uses_no_capacity_units_so_its_capacity_is_not_checked_against_members():
    doc = doc_with(capacity=101)
    assert "capacity-exceeds-members" in codes(doc)
    doc.update(version=2, capacity_profiles=[{"name": "Chat", "work_item_limit": 2}])
    doc["workstreams"][0].update(capacity_format="profile", capacity_profile="Chat")
    validate_document(doc)
    assert "capacity-exceeds-members" not in codes(doc)


def test_a_shadowed_rule_routes_to_a_queue_that_does_not_count():
    rules = doc_with()["workstreams"][0]["routing_rules"]
    rules.append({"name": "Dead", "description": "", "queue": "Records",
                  "condition": {"all": [{"variable": "country", "operator": "eq", "value": "fr"}]}})
    found = codes(doc_with(routing_rules=rules))
    assert "rule-shadowed" in found and "queue-kind-mismatch" not in found
    rules[-1]["condition"] = {"all": [{"variable": "country", "operator": "eq", "value": "de"}]}
    assert "queue-kind-mismatch" in codes(doc_with(routing_rules=rules))


def test_presences_the_stream_does_not_allow():
    found = diagnose(doc_with(allowed_presences=["away"]))
    assert [f.code for f in found if f.code == "no-member-presence-allowed"] == ["no-member-presence-allowed"]


def test_stream_setting_findings():
    assert "timeout-with-direct-open" in codes(doc_with(notification="direct_open", screen_pop_timeout_s=60))
    assert "timeout-with-direct-open" not in codes(doc_with(notification="direct_open"))
    assert "affinity-on-pick" in codes(doc_with(keep_same_agent=True, distribution_mode="pick"))
    assert "affinity-on-pick" not in codes(doc_with(keep_same_agent=True))
    channels = [{"name": "Web", "kind": "chat_widget", "is_default": False}]
    assert "inactive-stream-with-channels" in codes(doc_with(active=False, channels=channels))


def test_rule_findings_carry_paths_witness_and_jump_target():
    rules = doc_with()["workstreams"][0]["routing_rules"]
    rules.insert(2, {"name": "Impossible", "description": "", "queue": "Sales", "condition": {"all": [
        {"variable": "amount", "operator": "gt", "value": 5}, {"variable": "amount", "operator": "lt", "value": 3}]}})
    rules.append({"name": "French", "description": "", "queue": "Sales",
                  "condition": {"all": [{"variable": "country", "operator": "eq", "value": "Fr"}]}})
    doc = doc_with(routing_rules=rules)
    by_code = {f.code: f for f in diagnose(doc)}
    shadowed = by_code["rule-shadowed"]
    assert shadowed.paths == ("workstreams[0].routing_rules[3]", "workstreams[0].routing_rules[0]")
    assert shadowed.message == ("'Chat': rule 4 'French' never fires: every conversation it matches "
                                "goes to rule 1 first")
    assert shadowed.witness == {"country": "fr"} and shadowed.rule_index == 3 and shadowed.workstream == "Chat"
    assert by_code["rule-unsatisfiable"].rule_index == 2
    per_rule = findings_for_workstream(doc, "chat")
    assert sorted(per_rule.rules) == [2, 3] and per_rule.worst == "warning"
    assert [f.code for f in per_rule.rules[3]] == ["rule-shadowed"]


def test_in_values_variables_and_emptiness():
    rules = [{"name": "fr", "description": "", "queue": "Sales",
              "condition": {"all": [{"variable": "country", "operator": "eq", "value": "fr"}]}},
             {"name": "several", "description": "", "queue": "Sales",
              "condition": {"all": [{"variable": "country", "operator": "in", "value": ["FR", "de"]}]}},
             {"name": "blank", "description": "", "queue": "Sales",
              "condition": {"all": [{"variable": "country", "operator": "is_empty"}]}}]
    found = {f.code: f for f in diagnose(doc_with(routing_rules=rules))}
    assert found["rule-in-value-taken"].witness == {"country": "FR"}
    assert found["variable-unused"].paths == ("workstreams[0].context_variables[1]",)
    assert found["rule-tests-only-emptiness"].rule_index == 2


def test_always_true_rule_with_rules_after_it():
    rules = doc_with()["workstreams"][0]["routing_rules"]
    rules.insert(0, {"name": "Everything", "description": "", "queue": "Sales", "condition": {"all": []}})
    found = codes(doc_with(routing_rules=rules))
    assert {"rule-always-true", "default-queue-unreachable"} <= set(found)
    assert found.count("rule-shadowed") == 2


def test_every_check_has_a_unique_code_and_new_ones_slot_in():
    assert len({c.code for c in CHECKS}) == len(CHECKS)
    before = len(CHECKS)

    @check("test-overflow", "info", "workstream", "a later rule family")
    def overflow(facts):
        yield from ()
    try:
        assert len(CHECKS) == before + 1 and CHECKS[-1].summary == "a later rule family"
    finally:
        CHECKS.pop()
    with pytest.raises(ValueError):
        check("bad", "fatal", "workstream")


def test_import_findings_lists_only_what_the_import_adds():
    current = doc_with()
    incoming = copy.deepcopy(current)
    incoming["workstreams"][0]["capacity"] = 500
    incoming["queues"] = [q for q in incoming["queues"] if q["name"] != "Empty"]
    result = import_findings(current, incoming)
    assert [f.code for f in result.new] == ["capacity-exceeds-members"]
    assert [f.code for f in result.kept] == ["queue-no-members"]  # merge import: 'Empty' stays
    assert result.all[0].code == "capacity-exceeds-members"
    replaced = import_findings(current, incoming, replace=True)
    assert [f.code for f in replaced.resolved] == ["queue-no-members"]


def test_generated_configuration_findings_are_stable():
    doc = generate("tiny")
    first = [f.to_json() for f in diagnose(doc)]
    assert first == [f.to_json() for f in diagnose(copy.deepcopy(doc))]
    assert {"rule-shadowed", "rule-unsatisfiable"} <= {f["code"] for f in first}


def test_badges_by_workstream():
    from app.doctor import worst_by_workstream

    badges = worst_by_workstream(diagnose(doc_with(capacity=500, keep_same_agent=True, distribution_mode="pick")))
    assert badges == {"Chat": ("error", 2)}

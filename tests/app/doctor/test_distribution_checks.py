"""The version 2 distribution findings: skills, capacity profiles, operating hours, overflow, splits."""
from __future__ import annotations

import copy

import pytest

from app.config.demo import demo_distribution_document
from app.config.document import dump, validate_document
from app.doctor import diagnose
from app.routing.conditions import evaluate

OFFICE_HOURS = {"timezone": "Europe/London", "week": {"mon": [["09:00", "17:00"]]}, "closed_dates": []}


def v2_doc(**stream_overrides) -> dict:
    """A small valid version 2 document: stream 'Chat' routes French conversations to 'Sales',
    the rest to its default queue 'General'; Ann (Mortgages 4, Chat profile) and Bob (Mortgages 2)."""
    stream = {
        "name": "Chat", "channel": "live_chat", "default_queue": "General",
        "context_variables": [{"display_name": "Country", "name": "country", "type": "text"},
                              {"display_name": "Topic", "name": "topic", "type": "text"}],
        "routing_rules": [{"name": "France", "queue": "Sales",
                           "condition": {"all": [{"variable": "country", "operator": "eq", "value": "FR"}]}}],
        "skill_matching": "exact",
        "classification_rules": [
            {"name": "Loans", "condition": {"all": [{"variable": "topic", "operator": "contains", "value": "loan"}]},
             "skills": {"Mortgages": "3"}}],
    }
    stream.update(stream_overrides)
    doc = {"format": "workstream-console/config", "version": 2,
           "rating_models": [{"name": "Proficiency", "values": ["1", "2", "3", "4", "5"]}],
           "skills": [{"name": "Mortgages", "rating_model": "Proficiency"},
                      {"name": "Languages", "rating_model": "Proficiency"}],
           "capacity_profiles": [{"name": "Chat", "work_item_limit": 3}, {"name": "Email", "work_item_limit": 5}],
           "agents": [{"name": "Ann", "skills": {"Mortgages": "4"}, "capacity_profiles": {"Chat": 2}},
                      {"name": "Bob", "skills": {"Mortgages": "2"}},
                      {"name": "Cy", "skills": {"Languages": "5"}}],
           "queues": [{"name": "Sales", "agents": ["Ann", "Bob"]},
                      {"name": "General", "agents": ["Ann", "Bob"]},
                      {"name": "Linguists", "agents": ["Cy"]},
                      {"name": "Empty", "agents": []}],
           "workstreams": [stream]}
    return doc


def checked(doc: dict) -> dict:
    """The document as the doctor gets it (validated, defaults filled in): every fixture is valid,
    the doctor looks past validity."""
    return dump(validate_document(doc))


def found(doc, code: str) -> list:
    return [f for f in diagnose(checked(doc)) if f.code == code]


def test_the_small_document_is_sound_but_for_its_empty_queue():
    # 'topic' is read by the classification rule only: not an unused variable
    assert [f.code for f in diagnose(checked(v2_doc()))] == ["queue-no-members"]
    assert "variable-unused" in [f.code for f in diagnose(checked(v2_doc(classification_rules=[])))]


# ------------------------------------------------------------------ skills

def test_a_skill_nobody_holds_at_the_rating_is_an_error_on_the_classification_rule():
    rules = [{"name": "Loans", "condition": {"all": [{"variable": "topic", "operator": "contains", "value": "loan"}]},
              "skills": {"Mortgages": "5"}}]
    [finding] = found(v2_doc(classification_rules=rules), "skills-unheld")
    assert finding.severity == "error"
    assert finding.paths == ("workstreams[0].classification_rules[0]",
                             "workstreams[0].classification_rules[0].skills.Mortgages", "skills[0]")
    assert "'Mortgages' at 5 or above" in finding.message and "'Loans'" in finding.message
    # the witness is a conversation that this classification rule classifies
    assert evaluate(rules[0]["condition"], finding.witness) is True
    rules[0]["skills"]["Mortgages"] = "4"  # Ann holds 4
    assert found(v2_doc(classification_rules=rules), "skills-unheld") == []


def test_the_witness_gets_past_earlier_classification_rules():
    rules = [{"name": "Any loan", "condition": {"all": [{"variable": "topic", "operator": "contains", "value": "loan"}]},
              "skills": {"Mortgages": "1"}},
             {"name": "Big", "condition": {"all": [{"variable": "topic", "operator": "contains", "value": "big"}]},
              "skills": {"Languages": "5", "Mortgages": "5"}}]
    [finding] = found(v2_doc(classification_rules=rules), "skills-unheld")
    assert finding.paths[0] == "workstreams[0].classification_rules[1]"
    assert evaluate(rules[1]["condition"], finding.witness) and not evaluate(rules[0]["condition"], finding.witness)


def test_skills_held_only_outside_the_streams_queues():
    rules = [{"name": "French", "condition": {"all": []}, "skills": {"Languages": "4"}}]
    [finding] = found(v2_doc(classification_rules=rules), "skills-unheld")
    assert "no member of the stream's queues" in finding.message and finding.severity == "error"
    # routing French conversations to the linguists' queue mends it
    routing = [{"name": "France", "queue": "Linguists",
                "condition": {"all": [{"variable": "country", "operator": "eq", "value": "FR"}]}}]
    assert found(v2_doc(classification_rules=rules, routing_rules=routing), "skills-unheld") == []


def test_exact_skills_must_be_held_together_by_one_member():
    rules = [{"name": "Both", "condition": {"all": []}, "skills": {"Languages": "1", "Mortgages": "1"}}]
    routing = [{"name": "France", "queue": "Linguists",
                "condition": {"all": [{"variable": "country", "operator": "eq", "value": "FR"}]}}]
    # Cy has Languages, Ann Mortgages, nobody both
    assert len(found(v2_doc(classification_rules=rules, routing_rules=routing), "skills-unheld")) == 1


def test_skill_matching_decides_the_severity():
    rules = [{"name": "Loans", "condition": {"all": []}, "skills": {"Mortgages": "5"}}]
    assert [f.severity for f in found(v2_doc(classification_rules=rules, skill_matching="closest"),
                                      "skills-unheld")] == ["warning"]
    assert found(v2_doc(classification_rules=rules, skill_matching="none"), "skills-unheld") == []


# ------------------------------------------------------------------ capacity profiles

def test_a_profile_stream_whose_profile_no_member_holds():
    doc = v2_doc(capacity_format="profile", capacity_profile="Email")
    findings = found(doc, "profile-unheld")
    assert [f.severity for f in findings] == ["error", "error"]  # Sales and General
    assert findings[0].paths[0] == "workstreams[0].capacity_profile"
    assert {f.paths[1] for f in findings} == {"queues[0].agents", "queues[1].agents"}
    assert all("'Email'" in f.message for f in findings)
    assert found(v2_doc(capacity_format="profile", capacity_profile="chat"), "profile-unheld") == []


def test_a_profile_stream_gets_no_capacity_unit_findings():
    units = v2_doc(capacity=500)
    assert len(found(units, "capacity-exceeds-members")) == 2
    assert found(v2_doc(capacity=500, capacity_format="profile", capacity_profile="Chat"),
                 "capacity-exceeds-members") == []


# ------------------------------------------------------------------ operating hours and overflow

def test_a_queue_closed_at_every_hour():
    doc = v2_doc()
    doc["queues"][0]["operating_hours"] = {"timezone": "Europe/London", "week": {"mon": []},
                                           "closed_dates": ["2026-12-25"]}
    [finding] = found(doc, "queue-never-open")
    assert finding.severity == "error" and finding.paths == ("queues[0].operating_hours.week",)
    assert "'Sales'" in finding.message and "is ever assigned" in finding.message
    doc["queues"][0]["operating_hours"] = copy.deepcopy(OFFICE_HOURS)
    assert found(doc, "queue-never-open") == []


def test_an_overflow_loop_is_reported_once_with_its_path():
    doc = v2_doc()
    sales, general, linguists = doc["queues"][0], doc["queues"][1], doc["queues"][2]
    for queue in (sales, general, linguists):
        queue["operating_hours"] = copy.deepcopy(OFFICE_HOURS)
    sales["overflow"] = [{"when": "closed", "action": "transfer", "queue": "Linguists"}]
    linguists["overflow"] = [{"when": "waiting_exceeds", "limit": 5, "action": "transfer", "queue": "Sales"}]
    [finding] = found(doc, "overflow-loop")
    assert "Sales → Linguists → Sales" in finding.message
    assert finding.paths == ("queues[0].overflow[0]", "queues[2].overflow[0]")
    linguists["overflow"] = [{"when": "closed", "action": "transfer", "queue": "General"}]
    assert found(doc, "overflow-loop") == []
    general["overflow"] = [{"when": "closed", "action": "transfer", "queue": "Sales"}]
    [longer] = found(doc, "overflow-loop")
    assert "Sales → Linguists → General → Sales" in longer.message


def test_overflow_on_the_default_queue_is_ignored():
    doc = v2_doc()
    doc["queues"][1]["operating_hours"] = copy.deepcopy(OFFICE_HOURS)
    doc["queues"][1]["overflow"] = [{"when": "closed", "action": "transfer", "queue": "Sales"}]
    [finding] = found(doc, "overflow-on-default-queue")
    assert finding.paths == ("workstreams[0].default_queue", "queues[1].overflow")
    assert "ignored" in finding.message
    # a rule that takes every conversation leaves nothing to fall through
    always = [{"name": "All", "queue": "Sales", "condition": {"all": []}}]
    assert found(v2_doc(routing_rules=always) | {"queues": doc["queues"]}, "overflow-on-default-queue") == []


# ------------------------------------------------------------------ splits

@pytest.mark.parametrize("unusable", ["Empty", "Closed"])
def test_a_split_share_sent_to_a_queue_that_never_assigns(unusable):
    doc = v2_doc()
    doc["queues"].append({"name": "Closed", "agents": ["Ann"],
                          "operating_hours": {"timezone": "UTC", "week": {}, "closed_dates": []}})
    doc["workstreams"][0]["routing_rules"] = [
        {"name": "Split", "queues": [{"queue": "Sales", "percent": 70}, {"queue": unusable, "percent": 30}],
         "condition": {"all": [{"variable": "country", "operator": "eq", "value": "FR"}]}}]
    [finding] = found(doc, "split-to-unusable-queue")
    assert finding.paths == ("workstreams[0].routing_rules[0].queues[1]", f"queues[{3 if unusable == 'Empty' else 4}]")
    assert finding.rule_index == 0 and "30%" in finding.message
    assert finding.witness == {"country": "fr"}
    doc["workstreams"][0]["routing_rules"][0]["queues"][1]["queue"] = "General"
    assert found(doc, "split-to-unusable-queue") == []


def test_split_queues_count_as_routed_for_the_other_checks():
    doc = v2_doc(capacity=90)
    doc["agents"].append({"name": "Dee", "capacity": 50})
    doc["queues"].append({"name": "Small", "agents": ["Dee"]})
    doc["workstreams"][0]["routing_rules"] = [
        {"name": "Split", "queues": [{"queue": "Sales", "percent": 50}, {"queue": "Small", "percent": 50}],
         "condition": {"all": [{"variable": "country", "operator": "eq", "value": "FR"}]}}]
    [finding] = found(doc, "capacity-exceeds-members")
    assert "'Small'" in finding.message


# ------------------------------------------------------------------ the demo

def test_the_demo_bank_has_no_false_findings():
    doc = demo_distribution_document()
    findings = diagnose(doc)
    # the profile-based retail stream (30 units in the document) gets no capacity-unit finding,
    # its skills are held, nothing loops; what remains is true and informational
    assert {(f.severity, f.code, f.workstream) for f in findings} == {
        ("info", "variable-unused", "SMS - General enquiries"),
        # Investments is the desk's default queue: its out-of-hours transfer applies only to the
        # retail stream's rule that routes there
        ("info", "overflow-on-default-queue", "Chat - Investments desk"),
    }

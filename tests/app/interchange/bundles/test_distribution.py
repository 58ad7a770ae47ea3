"""Document version 2 in bundles: the new kinds and fields travel in deltas and show in the diff."""
from __future__ import annotations

import pytest

from app.config.document import DocumentInvalid
from app.interchange.bundles.delta import apply_delta, make_delta, objects_by_key, parse_delta
from app.interchange.bundles.diff import diff_documents
from tests.app.interchange.bundles.helpers import find, sample_doc, stream

CHAT = "Chat - Support"
MODEL = "10000000-0000-4000-8000-000000000001"
SKILL = "10000000-0000-4000-8000-000000000002"
PROFILE = "10000000-0000-4000-8000-000000000003"


def distribution_doc() -> dict:
    """The bundles' sample document with ids, plus skills, a profile and queue settings."""
    doc = sample_doc()
    doc["version"] = 2
    doc["rating_models"] = [{"id": MODEL, "name": "Proficiency", "values": ["1", "2", "3"]}]
    doc["skills"] = [{"id": SKILL, "name": "Mortgages", "rating_model": "Proficiency"}]
    doc["capacity_profiles"] = [{"id": PROFILE, "name": "Chat", "work_item_limit": 3}]
    find(doc["agents"], "Ana")["skills"] = {"Mortgages": "3"}
    find(doc["agents"], "Ana")["capacity_profiles"] = {"Chat": 2}
    vip = find(doc["queues"], "VIP")
    vip.update({"priority": 1, "assignment_method": "round_robin",
                "operating_hours": {"timezone": "Europe/Paris", "week": {"mon": [["09:00", "17:00"]]}},
                "overflow": [{"when": "closed", "action": "transfer", "queue": "General"}]})
    chat = stream(doc, CHAT)
    chat.update({"capacity_format": "profile", "capacity_profile": "Chat", "skill_matching": "exact"})
    chat["classification_rules"] = [{"name": "Mortgage talk", "skills": {"Mortgages": "2"}}]
    return doc


def _versions(doc: dict, version: int = 3) -> dict:
    return {key: version for key in objects_by_key(doc)}


def _baseline(doc: dict, version: int = 3) -> dict:
    return {key: {"version": version, "name": obj["name"]} for key, obj in objects_by_key(doc).items()}


def test_the_new_kinds_are_objects_of_a_delta():
    keys = objects_by_key(distribution_doc())
    assert {("rating_model", MODEL), ("skill", SKILL), ("capacity_profile", PROFILE)} <= set(keys)


def test_a_delta_creates_updates_and_deletes_the_new_kinds_in_order():
    before = sample_doc()
    after = distribution_doc()
    versions = _versions(after)
    for key in list(versions):
        if key[0] in ("agent", "queue", "workstream"):
            versions[key] = 4
    versions.update({("rating_model", MODEL): 1, ("skill", SKILL): 1, ("capacity_profile", PROFILE): 1})
    delta = make_delta(_baseline(before), after, versions, baseline_id="b", label="")
    kinds = [(c["op"], c["kind"]) for c in delta["changes"]]
    assert kinds[:3] == [("create", "rating_model"), ("create", "skill"), ("create", "capacity_profile")]
    receiver = sample_doc()
    result = apply_delta(receiver, delta, receiver_versions=_versions(receiver))
    assert find(result["agents"], "Ana")["skills"] == {"Mortgages": "3"}
    assert find(result["queues"], "VIP")["overflow"][0]["queue"] == "General"
    assert stream(result, CHAT)["capacity_profile"] == "Chat"


def test_a_delta_change_of_a_new_kind_is_checked():
    delta = {"format": "workstream-console/delta", "version": 1, "baseline": {"id": "b"},
             "changes": [{"op": "create", "kind": "capacity_profile", "id": PROFILE, "name": "Chat",
                          "from_version": None, "data": {"id": PROFILE, "name": "Chat", "work_item_limit": 0}}]}
    with pytest.raises(DocumentInvalid) as raised:
        parse_delta(delta)
    assert "changes[0].data.work_item_limit" in str(raised.value)


def test_renaming_a_skill_profile_or_queue_renames_what_refers_to_it_here():
    sender = distribution_doc()
    find(sender["skills"], "Mortgages")["name"] = "Home loans"
    find(sender["capacity_profiles"], "Chat")["name"] = "Live chat"
    find(sender["queues"], "General")["name"] = "Everything"
    versions = _versions(sender)
    versions.update({("skill", SKILL): 4, ("capacity_profile", PROFILE): 4})
    for key in versions:
        if key[0] == "queue" and key[1] == find(sender["queues"], "Everything")["id"]:
            versions[key] = 4
    delta = make_delta(_baseline(distribution_doc()), sender, versions, baseline_id="b", label="")
    receiver = distribution_doc()
    result = apply_delta(receiver, delta, receiver_versions=_versions(receiver))
    assert find(result["agents"], "Ana")["skills"] == {"Home loans": "3"}
    assert find(result["agents"], "Ana")["capacity_profiles"] == {"Live chat": 2}
    chat = stream(result, CHAT)
    assert chat["capacity_profile"] == "Live chat"
    assert chat["classification_rules"][0]["skills"] == {"Home loans": "2"}
    assert find(result["queues"], "VIP")["overflow"][0]["queue"] == "Everything"


def test_the_diff_shows_the_new_kinds_and_fields():
    old, new = distribution_doc(), distribution_doc()
    new["rating_models"][0]["values"] = ["1", "2", "3", "4"]
    find(new["agents"], "Ana")["skills"] = {"Mortgages": "2"}
    vip = find(new["queues"], "VIP")
    vip["priority"] = 5
    vip["overflow"] = [{"when": "waiting_exceeds", "limit": 10, "action": "end", "reason": "busy"}]
    vip["operating_hours"] = None
    chat = stream(new, CHAT)
    chat["classification_rules"][0]["skills"] = {"Mortgages": "3"}
    rule = chat["routing_rules"][0]
    rule.pop("queue")
    rule["queues"] = [{"queue": "VIP", "percent": 70}, {"queue": "General", "percent": 30}]
    new["capacity_profiles"].append({"name": "Email", "work_item_limit": 5})
    text = diff_documents(old, new).render_text()
    assert "+ capacity profile 'Email'" in text
    assert "~ rating model 'Proficiency': values ['1', '2', '3'] → ['1', '2', '3', '4']" in text
    assert "~ agent 'Ana': skills Mortgages 3 → Mortgages 2" in text
    assert "~ queue 'VIP': priority 1 → 5" in text
    assert "~ queue 'VIP': operating hours [Europe/Paris: mon 09:00-17:00] → (always open)" in text
    assert ("~ queue 'VIP': overflow [closed: transfer to 'General'] → [more than 10 waiting: end ('busy')]"
            in text)
    assert "~ classification rule 'Mortgage talk': skills Mortgages 2 → Mortgages 3" in text
    assert "split (none) → ['VIP' 70%, 'General' 30%]" in text
    assert diff_documents(distribution_doc(), distribution_doc()).is_empty


def test_a_renamed_skill_is_one_rename_not_an_echo_in_every_agent():
    old, new = distribution_doc(), distribution_doc()
    find(new["skills"], "Mortgages")["name"] = "Home loans"
    find(new["agents"], "Ana")["skills"] = {"Home loans": "3"}
    stream(new, CHAT)["classification_rules"][0]["skills"] = {"Home loans": "2"}
    changes = diff_documents(old, new).to_json()["changes"]
    assert changes == [{"op": "rename", "kind": "skill", "name": "Home loans", "old_name": "Mortgages"}]

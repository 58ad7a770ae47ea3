"""Document version 2 (work distribution): each validation rule, named by its path."""
from __future__ import annotations

import copy

import pytest

from app.config.document import (
    FORMAT_VERSION,
    DocumentInvalid,
    KnownNames,
    normalize_document,
    parse_document,
    validate_document,
)


def distribution_document() -> dict:
    """A small version 2 document using every new field."""
    return {
        "format": "workstream-console/config", "version": 2,
        "rating_models": [{"name": "Proficiency", "values": ["1", "2", "3", "4", "5"]}],
        "skills": [{"name": "Mortgages", "rating_model": "Proficiency"},
                   {"name": "Languages", "rating_model": "Proficiency"}],
        "capacity_profiles": [{"name": "Chat", "work_item_limit": 3}],
        "presences": [],
        "agents": [{"name": "Ana", "capacity": 100, "presence": "Available",
                    "skills": {"Mortgages": "4", "Languages": "2"}, "capacity_profiles": {"Chat": 2}},
                   {"name": "Ben", "capacity": 100, "presence": "Available", "skills": {}, "capacity_profiles": {}}],
        "queues": [
            {"name": "General", "agents": ["Ana", "Ben"]},
            {"name": "VIP", "agents": ["Ana"], "priority": 1, "assignment_method": "round_robin",
             "overflow": [{"when": "waiting_exceeds", "limit": 20, "action": "end", "reason": "busy"}]},
            {"name": "Mortgage desk", "agents": ["Ana"],
             "operating_hours": {"timezone": "Europe/London",
                                 "week": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["09:00", "17:00"]]},
                                 "closed_dates": ["2026-12-25"]},
             "overflow": [{"when": "closed", "action": "transfer", "queue": "General"}]},
        ],
        "workstreams": [{
            "name": "Chat", "channel": "live_chat", "default_queue": "General",
            "capacity_format": "profile", "capacity_profile": "Chat", "skill_matching": "exact",
            "missed_notification_presence": "Away", "decline_reasons": ["Busy with a customer", "Wrong skill"],
            "reconnect_window_s": 600,
            "context_variables": [{"display_name": "Topic", "name": "topic", "type": "text"}],
            "classification_rules": [{"name": "Mortgage talk",
                                      "condition": {"variable": "topic", "operator": "eq", "value": "mortgage"},
                                      "skills": {"Mortgages": "3"}}],
            "routing_rules": [
                {"name": "Mortgages", "queue": "Mortgage desk",
                 "condition": {"variable": "topic", "operator": "eq", "value": "mortgage"}},
                {"name": "Split", "queues": [{"queue": "VIP", "percent": 60}, {"queue": "General", "percent": 40}]},
            ],
        }],
    }


def _at(doc, path):
    target = doc
    for part in path.replace("]", "").replace("[", ".").split("."):
        target = target[int(part)] if part.isdigit() else target[part]
    return target


def _set(path, value):
    def apply(doc):
        parent, _, last = path.rpartition(".")
        target = _at(doc, parent) if parent else doc
        if "[" in last:
            name, index = last.rstrip("]").split("[")
            target[name][int(index)] = value
        else:
            target[last] = value
        return doc
    return apply


def _drop(path):
    def apply(doc):
        parent, _, last = path.rpartition(".")
        del _at(doc, parent)[last]
        return doc
    return apply


BAD = [
    ("no rating values", _set("rating_models[0].values", []), "rating_models[0].values"),
    ("rating value twice", _set("rating_models[0].values", ["1", "2", "2"]),
     "rating_models[0].values[2]: rating value '2' listed twice"),
    ("duplicate rating model", lambda d: d["rating_models"].append({"name": "proficiency", "values": ["x"]}) or d,
     "rating_models[1].name: duplicate rating model name"),
    ("skill of an unknown model", _set("skills[0].rating_model", "Stars"),
     "skills[0].rating_model: unknown rating model 'Stars'"),
    ("duplicate skill", _set("skills[1].name", "MORTGAGES"), "skills[1].name: duplicate skill name"),
    ("profile limit too high", _set("capacity_profiles[0].work_item_limit", 101), "capacity_profiles[0].work_item_limit"),
    ("profile limit zero", _set("capacity_profiles[0].work_item_limit", 0), "capacity_profiles[0].work_item_limit"),
    ("duplicate profile", lambda d: d["capacity_profiles"].append({"name": "chat"}) or d,
     "capacity_profiles[1].name: duplicate capacity profile name"),
    ("agent rating not of the model", _set("agents[0].skills.Mortgages", "9"),
     "agents[0].skills.Mortgages: '9' is not a rating of skill 'Mortgages'"),
    ("agent unknown skill", _set("agents[1].skills", {"Cooking": "1"}), "agents[1].skills.Cooking: unknown skill"),
    ("agent unknown profile", _set("agents[1].capacity_profiles", {"Email": 1}),
     "agents[1].capacity_profiles.Email: unknown capacity profile"),
    ("agent profile override out of range", _set("agents[0].capacity_profiles", {"Chat": 0}),
     "agents[0].capacity_profiles.Chat"),
    ("priority zero", _set("queues[1].priority", 0), "queues[1].priority"),
    ("priority too large", _set("queues[1].priority", 10_001), "queues[1].priority"),
    ("unknown assignment method", _set("queues[1].assignment_method", "random"), "queues[1].assignment_method"),
    ("unknown time zone", _set("queues[2].operating_hours.timezone", "Mars/Olympus"),
     "queues[2].operating_hours.timezone: unknown time zone 'Mars/Olympus'"),
    ("unknown weekday", _set("queues[2].operating_hours.week", {"funday": [["09:00", "10:00"]]}),
     "queues[2].operating_hours.week.funday"),
    ("bad time", _set("queues[2].operating_hours.week", {"mon": [["9:00", "10:00"]]}),
     "queues[2].operating_hours.week.mon[0][0]"),
    ("end before start", _set("queues[2].operating_hours.week", {"mon": [["17:00", "09:00"]]}),
     "queues[2].operating_hours.week.mon[0]: starts at 17:00, not before its end 09:00"),
    ("overlapping intervals", _set("queues[2].operating_hours.week", {"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}),
     "queues[2].operating_hours.week.tue[1]: 11:00-13:00 overlaps"),
    ("interval of one time", _set("queues[2].operating_hours.week", {"mon": [["09:00"]]}),
     "queues[2].operating_hours.week.mon[0]"),
    ("closed date not a date", _set("queues[2].operating_hours.closed_dates", ["2026-02-30"]),
     "queues[2].operating_hours.closed_dates: '2026-02-30' is not a date"),
    ("closed date not ISO", _set("queues[2].operating_hours.closed_dates", ["25/12/2026"]),
     "queues[2].operating_hours.closed_dates[0]"),
    ("overflow to an unknown queue", _set("queues[2].overflow[0].queue", "Nowhere"),
     "queues[2].overflow[0].queue: unknown queue 'Nowhere'"),
    ("overflow to itself", _set("queues[2].overflow[0].queue", "mortgage DESK"),
     "queues[2].overflow[0].queue: a queue cannot overflow to itself"),
    ("transfer without a queue", _drop("queues[2].overflow[0].queue"), "queues[2].overflow[0].queue: a transfer needs"),
    ("end with a queue", _set("queues[1].overflow[0].queue", "General"),
     "queues[1].overflow[0].queue: only a transfer names a queue"),
    ("reason on assign anyway", _set("queues[1].overflow[0].action", "assign_anyway"),
     "queues[1].overflow[0].reason: only the end action has a reason"),
    ("waiting_exceeds without limit", _drop("queues[1].overflow[0].limit"), "queues[1].overflow[0].limit"),
    ("limit on closed", _set("queues[2].overflow[0].limit", 5), "queues[2].overflow[0].limit"),
    ("limit too large", _set("queues[1].overflow[0].limit", 101), "queues[1].overflow[0].limit"),
    ("unknown overflow action", _set("queues[1].overflow[0].action", "voicemail"), "queues[1].overflow[0].action"),
    ("closed overflow without hours", _set("queues[1].overflow[0]", {"when": "closed", "action": "assign_anyway"}),
     "queues[1].overflow[0].when: the queue has no operating hours"),
    ("two rules for one condition", lambda d: d["queues"][2]["overflow"].append(
        {"when": "closed", "action": "assign_anyway"}) or d, "queues[2].overflow[1].when: a second 'closed'"),
    ("profile format without profile", _set("workstreams[0].capacity_profile", None),
     "workstreams[0].capacity_profile: a profile-based work stream needs a capacity profile"),
    ("profile on a unit-based stream", _set("workstreams[0].capacity_format", "units"),
     "workstreams[0].capacity_profile: only a profile-based work stream has a capacity profile"),
    ("unknown profile on a stream", _set("workstreams[0].capacity_profile", "Email"),
     "workstreams[0].capacity_profile: unknown capacity profile 'Email'"),
    ("unknown skill matching", _set("workstreams[0].skill_matching", "fuzzy"), "workstreams[0].skill_matching"),
    ("unknown missed-notification presence", _set("workstreams[0].missed_notification_presence", "Asleep"),
     "workstreams[0].missed_notification_presence: unknown presence 'Asleep'"),
    ("decline reason twice", _set("workstreams[0].decline_reasons", ["A", "a"]),
     "workstreams[0].decline_reasons[1]: decline reason 'a' listed twice"),
    ("reconnect window too long", _set("workstreams[0].reconnect_window_s", 86_401), "workstreams[0].reconnect_window_s"),
    ("classification of an unknown skill", _set("workstreams[0].classification_rules[0].skills", {"Cooking": "1"}),
     "workstreams[0].classification_rules[0].skills.Cooking: unknown skill"),
    ("classification rating not of the model", _set("workstreams[0].classification_rules[0].skills", {"Mortgages": "6"}),
     "workstreams[0].classification_rules[0].skills.Mortgages: '6' is not a rating"),
    ("classification without skills", _set("workstreams[0].classification_rules[0].skills", {}),
     "workstreams[0].classification_rules[0].skills"),
    ("classification condition of an unknown variable",
     _set("workstreams[0].classification_rules[0].condition", {"variable": "colour", "operator": "is_empty"}),
     "workstreams[0].classification_rules[0].condition: unknown context variable 'colour'"),
    ("rule with queue and queues", _set("workstreams[0].routing_rules[1].queue", "VIP"),
     "workstreams[0].routing_rules[1].queue: give exactly one of 'queue' or 'queues'"),
    ("rule with neither", _drop("workstreams[0].routing_rules[0].queue"),
     "workstreams[0].routing_rules[0].queue: give exactly one of 'queue' or 'queues'"),
    ("split not adding to 100", _set("workstreams[0].routing_rules[1].queues[1]", {"queue": "General", "percent": 30}),
     "workstreams[0].routing_rules[1].queues: the percentages add up to 90, not 100"),
    ("split of one queue", _set("workstreams[0].routing_rules[1].queues", [{"queue": "VIP", "percent": 100}]),
     "workstreams[0].routing_rules[1].queues[0].percent"),
    ("split of six queues", _set("workstreams[0].routing_rules[1].queues",
                                 [{"queue": "VIP", "percent": 10}] * 5 + [{"queue": "General", "percent": 50}]),
     "workstreams[0].routing_rules[1].queues"),
    ("split percent not an integer", _set("workstreams[0].routing_rules[1].queues[0]", {"queue": "VIP", "percent": 60.0}),
     "workstreams[0].routing_rules[1].queues[0].percent"),
    ("split to an unknown queue", _set("workstreams[0].routing_rules[1].queues[0]", {"queue": "Nowhere", "percent": 60}),
     "workstreams[0].routing_rules[1].queues[0].queue: unknown queue 'Nowhere'"),
    ("split to one queue twice", _set("workstreams[0].routing_rules[1].queues[1]", {"queue": "vip", "percent": 40}),
     "workstreams[0].routing_rules[1].queues[1].queue: queue 'vip' listed twice"),
]


@pytest.mark.parametrize("label, mutate, expected", BAD, ids=[b[0] for b in BAD])
def test_each_rule_is_reported_at_its_path(label, mutate, expected):
    with pytest.raises(DocumentInvalid) as raised:
        validate_document(mutate(distribution_document()))
    assert expected in str(raised.value), str(raised.value)


def test_the_distribution_document_is_valid():
    doc = validate_document(distribution_document())
    assert doc.version == FORMAT_VERSION == 2
    assert doc.workstreams[0].routing_rules[1].queue_names() == ["VIP", "General"]


def test_a_split_of_two_queues_splits_evenly_or_not():
    doc = distribution_document()
    doc["workstreams"][0]["routing_rules"][1]["queues"] = [{"queue": "VIP", "percent": 1}, {"queue": "General", "percent": 99}]
    validate_document(doc)


def test_a_version_1_document_is_upgraded_with_every_default():
    doc = parse_document({"format": "workstream-console/config", "version": 1,
                          "queues": [{"name": "General"}],
                          "workstreams": [{"name": "Chat", "channel": "live_chat", "default_queue": "General",
                                           "routing_rules": [{"name": "All", "queue": "General"}]}],
                          "agents": [{"name": "Ana"}]})
    assert doc.version == 2
    assert doc.rating_models == [] and doc.skills == [] and doc.capacity_profiles == []
    assert doc.agents[0].skills == {} and doc.agents[0].capacity_profiles == {}
    queue = doc.queues[0]
    assert (queue.priority, queue.assignment_method, queue.operating_hours, queue.overflow) == \
        (10_000, "highest_capacity", None, [])
    stream = doc.workstreams[0]
    assert (stream.capacity_format, stream.capacity_profile, stream.skill_matching, stream.classification_rules,
            stream.missed_notification_presence, stream.decline_reasons, stream.reconnect_window_s) == \
        ("units", None, "none", [], None, [], 0)
    assert stream.routing_rules[0].queue == "General" and stream.routing_rules[0].queues == []


def test_a_version_1_document_cannot_carry_version_2_lists():
    with pytest.raises(DocumentInvalid) as raised:
        parse_document({"format": "workstream-console/config", "version": 1, "skills": []})
    assert "skills: unknown field in a version 1 document" in str(raised.value)


@pytest.mark.parametrize("version", [0, 3, "2", True])
def test_other_versions_are_refused(version):
    with pytest.raises(DocumentInvalid) as raised:
        parse_document({"format": "workstream-console/config", "version": version})
    assert "version: unsupported version" in str(raised.value)


def test_a_merge_may_refer_to_what_the_database_has():
    doc = distribution_document()
    del doc["rating_models"], doc["skills"], doc["capacity_profiles"]
    with pytest.raises(DocumentInvalid):
        validate_document(copy.deepcopy(doc))
    known = KnownNames(skills={"Mortgages": ["1", "2", "3", "4", "5"], "Languages": ["1", "2", "3", "4", "5"]},
                       capacity_profiles={"Chat"}, queues={"General"})
    validate_document(doc, known)


def test_normalize_orders_the_new_lists_but_keeps_meaningful_order():
    doc = distribution_document()
    doc["skills"].reverse()
    doc["queues"][2]["operating_hours"]["week"] = {"fri": [["09:00", "17:00"]],
                                                   "mon": [["13:00", "17:00"], ["09:00", "12:00"]]}
    doc["queues"][2]["operating_hours"]["closed_dates"] = ["2026-12-26", "2026-12-25"]
    normal = normalize_document(doc)
    assert [s["name"] for s in normal["skills"]] == ["Languages", "Mortgages"]
    mortgage_desk = next(q for q in normal["queues"] if q["name"] == "Mortgage desk")
    assert list(mortgage_desk["operating_hours"]["week"]) == ["mon", "fri"]
    assert mortgage_desk["operating_hours"]["week"]["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert mortgage_desk["operating_hours"]["closed_dates"] == ["2026-12-25", "2026-12-26"]
    assert normal["rating_models"][0]["values"] == ["1", "2", "3", "4", "5"]  # lowest first: kept
    assert normal["workstreams"][0]["decline_reasons"] == ["Busy with a customer", "Wrong skill"]

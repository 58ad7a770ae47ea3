"""The demo bank's work distribution (document version 2), laid over the version 1 demo file.

resources/demo_config.json stays a version 1 document (so every start proves a version 1
document still imports); this adds what version 2 brings: a Proficiency 1-5 rating
model, two skills the agents hold, a "Chat" capacity profile the retail chat stream
uses, the VIP queue first (priority 1, round robin) and an Investments desk that keeps
office hours and sends out-of-hours conversations to General.
"""
from __future__ import annotations

import copy

from app.config.document import FORMAT_VERSION

PROFICIENCY = ["1", "2", "3", "4", "5"]

# agent -> (skills, capacity profile overrides); agents not listed hold nothing new
AGENT_SKILLS = {
    "Ana Ruiz": ({"Mortgages": "5", "Languages": "3"}, {"Chat": 3}),
    "Ben Okafor": ({"Mortgages": "2"}, {"Chat": 2}),
    "Chloé Martin": ({"Languages": "5"}, {"Chat": 3}),
    "Dev Patel": ({"Mortgages": "4", "Languages": "2"}, {"Chat": 4}),
    "Emma Lindqvist": ({"Languages": "4"}, {}),
    "Farid Haddad": ({"Mortgages": "3", "Languages": "4"}, {"Chat": 2}),
}

QUEUE_SETTINGS = {
    "VIP": {"priority": 1, "assignment_method": "round_robin"},
    "Investments": {
        "operating_hours": {
            "timezone": "Europe/London",
            "week": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
            "closed_dates": ["2026-12-25", "2026-12-26", "2027-01-01"],
        },
        "overflow": [{"when": "closed", "action": "transfer", "queue": "General"}],
    },
}

STREAM_SETTINGS = {
    "Chat - Retail banking": {
        "capacity_format": "profile",
        "capacity_profile": "Chat",
        "skill_matching": "closest",
        "classification_rules": [
            {"name": "Mortgage questions",
             "condition": {"any": [{"variable": "topic", "operator": "contains", "value": "mortgage"},
                                   {"variable": "topic", "operator": "contains", "value": "remortgage"}]},
             "skills": {"Mortgages": "3"}},
            {"name": "Other languages",
             "condition": {"any": [{"variable": "topic", "operator": "contains", "value": "français"},
                                   {"variable": "topic", "operator": "contains", "value": "español"}]},
             "skills": {"Languages": "4"}},
        ],
        "missed_notification_presence": "Away",
        "decline_reasons": ["Busy with another customer", "Needs another skill"],
        "keep_same_agent": True,  # with the reconnect window: a returning customer gets the same agent
        "reconnect_window_s": 300,
    },
}


def with_demo_distribution(document: dict) -> dict:
    """The demo document as version 2: ``document`` (version 1) plus the settings above."""
    doc = copy.deepcopy(document)
    doc["version"] = FORMAT_VERSION
    doc["rating_models"] = [{"name": "Proficiency", "values": list(PROFICIENCY)}]
    doc["skills"] = [{"name": "Languages", "rating_model": "Proficiency"},
                     {"name": "Mortgages", "rating_model": "Proficiency"}]
    doc["capacity_profiles"] = [{"name": "Chat", "work_item_limit": 3}]
    for agent in doc["agents"]:
        skills, profiles = AGENT_SKILLS.get(agent["name"], ({}, {}))
        agent["skills"], agent["capacity_profiles"] = dict(skills), dict(profiles)
    for queue in doc["queues"]:
        queue.update(copy.deepcopy(QUEUE_SETTINGS.get(queue["name"], {})))
    for stream in doc["workstreams"]:
        stream.update(copy.deepcopy(STREAM_SETTINGS.get(stream["name"], {})))
    return doc

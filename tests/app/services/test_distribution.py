"""Work distribution use cases: rating models, skills, capacity profiles, agents' skills, queue settings."""
from __future__ import annotations

import subprocess
import sys

import pytest

from app.common.errors import ConflictError, DocumentInvalid, InUseError
from app.services.changes import Changes

VIP_HOURS = {"timezone": "Europe/London",
             "week": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
             "closed_dates": ["2026-12-25"]}


def _by_name(rows, name):
    return next(row for row in rows if row.name == name)


def _issues(error) -> dict[str, str]:
    return {issue.path: issue.message for issue in error.value.issues}


# --------------------------------------------------------------------------- lists


def test_the_demo_lists_its_rating_model_skills_and_profile(services):
    (model,) = services.list_rating_models()
    assert (model.name, model.values, model.skill_count) == ("Proficiency", ("1", "2", "3", "4", "5"), 2)
    skills = services.list_skills()
    assert [s.name for s in skills] == ["Languages", "Mortgages"]
    # Languages: Ana, Chloé, Dev, Emma, Farid; Mortgages: Ana, Ben, Dev, Farid
    assert [(s.rating_model, s.agent_count) for s in skills] == [("Proficiency", 5), ("Proficiency", 4)]
    (chat,) = services.list_capacity_profiles()
    assert (chat.name, chat.work_item_limit, chat.agent_count, chat.workstream_count) == ("Chat", 3, 5, 1)
    assert [s.name for s in services.list_skills(search="MORT")] == ["Mortgages"]


def test_the_catalogue_gives_skills_with_values_profiles_presences_and_queues(services):
    catalogue = services.distribution_catalogue()
    assert catalogue.skills == {"Languages": ("1", "2", "3", "4", "5"), "Mortgages": ("1", "2", "3", "4", "5")}
    assert catalogue.profiles == {"Chat": 3}
    assert catalogue.queues == ("Billing", "General", "Investments", "VIP")
    assert "Available" in catalogue.presences and catalogue.ratings("MORTGAGES") == ("1", "2", "3", "4", "5")


# --------------------------------------------------------------------------- rating models


def test_a_rating_model_round_trips_with_its_values_in_order(services):
    saved = services.save_rating_model({"name": "Fluency", "values": ["Basic", "Good", "Native"]})
    assert saved.changes == Changes.of("rating_models", "skills", ids=[saved.id])
    loaded = services.load_rating_model(saved.id)
    assert loaded.doc.values == ["Basic", "Good", "Native"] and loaded.version == saved.version
    again = services.save_rating_model({"name": "Fluency level", "values": ["Basic", "Good", "Fluent", "Native"]},
                                       saved.id, loaded.version)
    assert again.version > saved.version
    assert _by_name(services.list_rating_models(), "Fluency level").values == ("Basic", "Good", "Fluent", "Native")


@pytest.mark.parametrize("data, path, message", [
    ({"name": "", "values": ["1"]}, "name", "at least 1 character"),
    ({"name": "Scale", "values": []}, "values", "at least 1 item"),
    ({"name": "Scale", "values": ["a", "A"]}, "values[1]", "rating value 'A' listed twice"),
    ({"name": "proficiency", "values": ["1"]}, "name", "a rating model named 'Proficiency' already exists"),
])
def test_a_bad_rating_model_is_refused_with_the_path_of_each_problem(services, data, path, message):
    before = services.list_rating_models()
    with pytest.raises(DocumentInvalid) as error:
        services.save_rating_model(data)
    assert message in _issues(error)[path]
    assert services.list_rating_models() == before


def test_a_rating_value_still_held_cannot_be_taken_away(services):
    model = services.list_rating_models()[0]
    with pytest.raises(DocumentInvalid) as error:
        services.save_rating_model({"name": "Proficiency", "values": ["1", "2", "3", "4"]}, model.id, model.version)
    message = _issues(error)["values"]
    assert message == "rating '5' is still used by agent 'Ana Ruiz' (Mortgages 5), agent 'Chloé Martin' (Languages 5)"
    assert services.load_rating_model(model.id).doc.values == ["1", "2", "3", "4", "5"]
    # adding a value above is fine
    saved = services.save_rating_model({"name": "Proficiency", "values": ["1", "2", "3", "4", "5", "6"]},
                                       model.id, model.version)
    assert saved.version == model.version + 1


def test_a_stale_rating_model_save_is_a_conflict(services):
    model = services.list_rating_models()[0]
    services.save_rating_model({"name": "Proficiency", "values": ["1", "2", "3", "4", "5", "6"]}, model.id,
                               model.version)
    with pytest.raises(ConflictError):
        services.save_rating_model({"name": "Renamed", "values": ["1", "2", "3", "4", "5"]}, model.id, model.version)


def test_a_rating_model_in_use_is_refused_before_and_at_delete(services):
    model = services.list_rating_models()[0]
    refusal = services.delete_refusal("rating_models", model.id)
    assert refusal == "Rating model 'Proficiency' is used by skill 'Languages', skill 'Mortgages'"
    with pytest.raises(InUseError) as error:
        services.delete_rating_model(model.id)
    assert str(error.value) == refusal
    unused = services.save_rating_model({"name": "Spare", "values": ["low", "high"]})
    assert services.delete_refusal("rating_models", unused.id) is None
    assert services.delete_rating_model(unused.id) == Changes.of("rating_models", "skills", ids=[unused.id])
    assert [m.name for m in services.list_rating_models()] == ["Proficiency"]


# --------------------------------------------------------------------------- skills


def test_a_skill_is_created_on_a_rating_model_and_renamed(services):
    services.save_rating_model({"name": "Fluency", "values": ["Basic", "Native"]})
    saved = services.save_skill({"name": "German", "rating_model": "fluency"})
    assert saved.changes == Changes.of("skills", "rating_models", ids=[saved.id])
    assert services.load_skill(saved.id).doc.rating_model == "Fluency"  # stored with the model's own spelling
    renamed = services.save_skill({"name": "Deutsch", "rating_model": "Fluency"}, saved.id, saved.version)
    assert _by_name(services.list_skills(), "Deutsch").values == ("Basic", "Native")
    assert renamed.version == saved.version + 1


def test_a_skill_needs_a_known_rating_model_and_a_free_name(services):
    with pytest.raises(DocumentInvalid) as error:
        services.save_skill({"name": "mortgages", "rating_model": "Nope"})
    issues = _issues(error)
    assert issues["name"] == "a skill named 'Mortgages' already exists"
    assert issues["rating_model"] == "unknown rating model 'Nope'"


def test_a_held_skill_keeps_a_rating_model_that_has_its_ratings(services):
    services.save_rating_model({"name": "Yes or no", "values": ["no", "yes"]})
    skill = _by_name(services.list_skills(), "Mortgages")
    with pytest.raises(DocumentInvalid) as error:
        services.save_skill({"name": "Mortgages", "rating_model": "Yes or no"}, skill.id, skill.version)
    message = _issues(error)["rating_model"]
    assert message.startswith("ratings '5', '2', '4', '3' are still used by agent 'Ana Ruiz' (Mortgages 5), ")
    assert message.endswith(" and 2 more")  # Ben, Dev, Farid and the classification rule


def test_a_skill_in_use_is_refused_and_an_unused_one_deleted(services):
    skill = _by_name(services.list_skills(), "Mortgages")
    refusal = services.delete_refusal("skills", skill.id)
    assert refusal.startswith("Skill 'Mortgages' is used by agent 'Ana Ruiz'")
    with pytest.raises(InUseError):
        services.delete_skill(skill.id)
    spare = services.save_skill({"name": "Pensions", "rating_model": "Proficiency"})
    assert services.delete_refusal("skills", spare.id) is None
    services.delete_skill(spare.id)
    assert [s.name for s in services.list_skills()] == ["Languages", "Mortgages"]


# --------------------------------------------------------------------------- capacity profiles


def test_a_capacity_profile_round_trips_and_its_limit_is_checked(services):
    saved = services.save_capacity_profile({"name": "Voice", "work_item_limit": 1})
    assert saved.changes == Changes.of("capacity_profiles", ids=[saved.id])
    services.save_capacity_profile({"name": "Voice", "work_item_limit": 2}, saved.id, saved.version)
    assert _by_name(services.list_capacity_profiles(), "Voice").work_item_limit == 2
    with pytest.raises(DocumentInvalid) as error:
        services.save_capacity_profile({"name": "Email", "work_item_limit": 101})
    assert "less than or equal to 100" in _issues(error)["work_item_limit"]
    with pytest.raises(DocumentInvalid) as error:
        services.save_capacity_profile({"name": "chat", "work_item_limit": 1})
    assert _issues(error)["name"] == "a capacity profile named 'Chat' already exists"


def test_a_capacity_profile_in_use_is_refused(services):
    chat = services.list_capacity_profiles()[0]
    refusal = services.delete_refusal("capacity_profiles", chat.id)
    assert refusal.startswith("Capacity profile 'Chat' is used by work stream 'Chat - Retail banking'")
    with pytest.raises(InUseError):
        services.delete_capacity_profile(chat.id)
    spare = services.save_capacity_profile({"name": "Spare"})
    assert services.delete_capacity_profile(spare.id) == Changes.of("capacity_profiles", ids=[spare.id])


# --------------------------------------------------------------------------- agents


def test_an_agent_gets_skills_and_a_profile_override(services):
    agent = _by_name(services.list_agents(), "Emma Lindqvist")
    saved = services.set_agent_distribution(agent.id, {"Mortgages": "4", "Languages": "5"}, {"Chat": 2},
                                            agent.version)
    assert "agents" in saved.changes.kinds
    doc = services.load_agent(agent.id).doc
    assert (doc.skills, doc.capacity_profiles) == ({"Mortgages": "4", "Languages": "5"}, {"Chat": 2})
    assert services.agent_queues(agent.id) == ["General", "Investments"]  # the rest of the agent is kept
    assert _by_name(services.list_skills(), "Mortgages").agent_count == 5


def test_an_agent_rating_outside_the_model_or_an_unknown_profile_is_refused(services):
    agent = _by_name(services.list_agents(), "Emma Lindqvist")
    with pytest.raises(DocumentInvalid) as error:
        services.set_agent_distribution(agent.id, {"Mortgages": "9", "Cooking": "1"}, {"Voice": 2})
    issues = _issues(error)
    assert issues["skills.Mortgages"] == "'9' is not a rating of skill 'Mortgages' (one of 1, 2, 3, 4, 5)"
    assert issues["skills.Cooking"] == "unknown skill 'Cooking'"
    assert issues["capacity_profiles.Voice"] == "unknown capacity profile 'Voice'"
    assert services.load_agent(agent.id).doc.skills == {"Languages": "4"}


# --------------------------------------------------------------------------- queues


def _vip(services):
    return _by_name(services.list_queues(), "VIP")


def test_save_queue_really_saves_overflow_and_hours(services):
    """The bug seen: save_queue wrote the hours but never the overflow rules."""
    vip = _vip(services)
    data = services.load_queue(vip.id).doc.model_dump(exclude={"id"})
    data.update(operating_hours=VIP_HOURS, overflow=[
        {"when": "closed", "action": "transfer", "queue": "General"},
        {"when": "waiting_exceeds", "limit": 20, "action": "end", "reason": "busy"}])
    saved = services.save_queue(data, vip.id, vip.version)
    assert saved.version == vip.version + 1
    doc = services.load_queue(vip.id).doc
    assert doc.operating_hours.model_dump() == VIP_HOURS
    assert [o.model_dump() for o in doc.overflow] == [
        {"when": "closed", "limit": None, "action": "transfer", "queue": "General", "reason": ""},
        {"when": "waiting_exceeds", "limit": 20, "action": "end", "queue": None, "reason": "busy"}]
    # and the export carries them (what the simulator and bundles read)
    from app.config.io import export_document

    exported = next(q for q in export_document(services.db)["queues"] if q["name"] == "VIP")
    assert [o["action"] for o in exported["overflow"]] == ["transfer", "end"]
    assert exported["operating_hours"]["week"]["fri"] == [["09:00", "17:00"]]
    # taking them away saves too
    services.save_queue({**data, "operating_hours": None, "overflow": []}, vip.id, saved.version)
    doc = services.load_queue(vip.id).doc
    assert doc.operating_hours is None and doc.overflow == []


def test_queue_settings_are_set_and_the_rest_kept(services):
    vip = _vip(services)
    saved = services.set_queue_distribution(vip.id, priority=2, assignment_method="least_active",
                                            operating_hours=VIP_HOURS,
                                            overflow=[{"when": "closed", "action": "assign_anyway"}])
    assert saved.changes.kinds >= {"queues"}
    doc = services.load_queue(vip.id).doc
    assert (doc.priority, doc.assignment_method) == (2, "least_active")
    assert [o.action for o in doc.overflow] == ["assign_anyway"]
    assert doc.agents == ["Ana Ruiz", "Dev Patel"]  # members kept


def test_a_queue_that_was_overflowed_to_cannot_be_deleted(services):
    vip = _vip(services)
    services.set_queue_distribution(vip.id, priority=1, assignment_method="round_robin", operating_hours=VIP_HOURS,
                                    overflow=[{"when": "closed", "action": "transfer", "queue": "Billing"}])
    billing = _by_name(services.list_queues(), "Billing")
    assert "the overflow of queue 'VIP'" in services.delete_refusal("queues", billing.id)


@pytest.mark.parametrize("hours, overflow, path, message", [
    ({**VIP_HOURS, "timezone": "Mars/Olympus"}, [], "operating_hours.timezone", "unknown time zone 'Mars/Olympus'"),
    ({**VIP_HOURS, "week": {"mon": [["17:00", "09:00"]]}}, [], "operating_hours.week.mon[0]",
     "starts at 17:00, not before its end 09:00"),
    ({**VIP_HOURS, "week": {"tue": [["09:00", "13:00"], ["12:00", "17:00"]]}}, [], "operating_hours.week.tue[1]",
     "12:00-17:00 overlaps another interval of tue"),
    ({**VIP_HOURS, "week": {"mon": [["9:00", "17:00"]]}}, [], "operating_hours.week.mon[0][0]", "should match"),
    ({**VIP_HOURS, "closed_dates": ["2026-02-30"]}, [], "operating_hours.closed_dates", "is not a date"),
    (None, [{"when": "closed", "action": "end"}], "overflow[0].when",
     "the queue has no operating hours, so it is never closed"),
    (VIP_HOURS, [{"when": "waiting_exceeds", "limit": 101, "action": "end"}], "overflow[0].limit",
     "less than or equal to 100"),
    (VIP_HOURS, [{"when": "waiting_exceeds", "action": "end"}], "overflow[0].limit",
     "'limit' is required for waiting_exceeds and only there"),
    (VIP_HOURS, [{"when": "closed", "action": "transfer", "queue": "VIP"}], "overflow[0].queue",
     "a queue cannot overflow to itself"),
    (VIP_HOURS, [{"when": "closed", "action": "transfer", "queue": "Nowhere"}], "overflow[0].queue",
     "unknown queue 'Nowhere'"),
    (VIP_HOURS, [{"when": "closed", "action": "transfer"}], "overflow[0].queue", "a transfer needs a queue"),
])
def test_bad_hours_and_overflow_are_refused_with_their_paths(services, hours, overflow, path, message):
    vip = _vip(services)
    before = services.load_queue(vip.id)
    with pytest.raises(DocumentInvalid) as error:
        services.set_queue_distribution(vip.id, priority=1, assignment_method="round_robin", operating_hours=hours,
                                        overflow=overflow)
    assert message in _issues(error)[path]
    after = services.load_queue(vip.id)
    assert (after.version, after.doc) == (before.version, before.doc)


def test_default_queue_users_name_the_streams(services):
    general = _by_name(services.list_queues(), "General")
    assert "Chat - Retail banking" in services.default_queue_users(general.id)
    assert services.default_queue_users(_vip(services).id) == []


def test_the_module_imports_neither_sqlalchemy_nor_pydantic():
    probe = ("import sys, app.services.distribution\n"
             "print(','.join(m for m in ('sqlalchemy', 'pydantic') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

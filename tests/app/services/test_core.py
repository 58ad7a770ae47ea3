"""Use cases: guards on delete, copies, optimistic locking, inline-ready validation."""
from __future__ import annotations

import pytest

from app.config.document import DocumentInvalid
from app.common.errors import ConflictError, InUseError, UserError


def _stream(services, name):
    return services.load_workstream(services.workstream_id_by_name(name))


def test_list_workstreams_filters_active_inactive_and_search(services):
    active = {r.name for r in services.list_workstreams("active")}
    inactive = {r.name for r in services.list_workstreams("inactive")}
    assert "SMS - General enquiries" in inactive and "SMS - General enquiries" not in active
    assert active | inactive == {r.name for r in services.list_workstreams("all")}
    assert [r.name for r in services.list_workstreams(search="INVEST")] == ["Chat - Investments desk"]
    assert services.list_workstreams(search="100%_") == []  # LIKE wildcards are literal


def test_save_new_workstream_and_reload_every_field(services):
    data = services.new_workstream("sms")
    data.update(name="SMS - Mortgages", capacity=15, auto_close_after_inactivity_s=5400, distribution_mode="pick",
                notification="screen_pop_decline", screen_pop_timeout_s=210, allowed_presences=["away", "available"],
                assign_after_decline_s=30, keep_same_agent=True, wrap_up_block_s=600, default_queue="General",
                active=True)
    saved = services.save_workstream(data)
    loaded = services.load_workstream(saved.id)
    doc = loaded.doc
    assert (doc.name, doc.channel, doc.capacity, doc.auto_close_after_inactivity_s) == ("SMS - Mortgages", "sms", 15, 5400)
    assert (doc.distribution_mode, doc.notification, doc.screen_pop_timeout_s) == ("pick", "screen_pop_decline", 210)
    assert doc.allowed_presences == ["available", "away"]
    assert (doc.assign_after_decline_s, doc.keep_same_agent, doc.wrap_up_block_s) == (30, True, 600)
    assert doc.default_queue == "General" and loaded.version == saved.version


def test_new_workstream_defaults_match_the_product():
    from app.services.core import Services

    data = Services.new_workstream()
    assert data["screen_pop_timeout_s"] == 120 and data["notification"] == "screen_pop_timeout"
    assert data["distribution_mode"] == "push" and data["active"] is False and data["name"] == ""


def test_duplicate_name_any_case_is_an_inline_issue(services):
    data = services.new_workstream()
    data.update(name="chat - RETAIL banking", default_queue="General")
    with pytest.raises(DocumentInvalid) as raised:
        services.save_workstream(data)
    assert raised.value.issues[0].path == "name"


def test_schema_problems_come_back_with_field_paths(services):
    data = services.new_workstream()
    data.update(name="", capacity=-3)
    with pytest.raises(DocumentInvalid) as raised:
        services.save_workstream(data)
    assert {i.path for i in raised.value.issues} >= {"name", "capacity"}


def test_copy_copies_variables_and_rules_inactive_without_channels(services):
    original = _stream(services, "Chat - Retail banking")
    saved = services.copy_workstream(original.id)
    copy = services.load_workstream(saved.id).doc
    assert copy.name == "Copy of Chat - Retail banking" and copy.active is False and copy.channels == []
    assert [v.name for v in copy.context_variables] == [v.name for v in original.doc.context_variables]
    assert [(r.name, r.queue, r.condition) for r in copy.routing_rules] == \
        [(r.name, r.queue, r.condition) for r in original.doc.routing_rules]
    assert {v.id for v in copy.context_variables}.isdisjoint({v.id for v in original.doc.context_variables})
    second = services.copy_workstream(original.id)
    assert second.name == "Copy of Chat - Retail banking (2)"


def test_save_over_a_newer_version_is_refused(services):
    loaded = _stream(services, "Chat - Retail banking")
    mine = loaded.doc.model_dump()
    theirs = loaded.doc.model_dump()
    theirs["capacity"] = 99
    services.save_workstream(theirs, loaded.id, loaded.version)
    mine["capacity"] = 5
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.save_workstream(mine, loaded.id, loaded.version)
    assert services.load_workstream(loaded.id).doc.capacity == 99


def test_editing_only_a_rule_bumps_the_stream_version(services):
    loaded = _stream(services, "Chat - Retail banking")
    data = loaded.doc.model_dump()
    data["routing_rules"][0]["name"] = "Private banking (renamed)"
    saved = services.save_workstream(data, loaded.id, loaded.version)
    assert saved.version == loaded.version + 1


def test_saving_unchanged_keeps_the_version(services):
    loaded = _stream(services, "Chat - Retail banking")
    saved = services.save_workstream(loaded.doc.model_dump(), loaded.id, loaded.version)
    assert saved.version == loaded.version


def test_renaming_a_variable_keeps_its_id(services):
    from app.workstreams.editing import rename_variable_in_rules

    loaded = _stream(services, "Chat - Retail banking")
    data = loaded.doc.model_dump()
    variable = next(v for v in data["context_variables"] if v["name"] == "topic")
    variable["name"] = "subject"
    data["routing_rules"] = rename_variable_in_rules(data["routing_rules"], "topic", "subject")
    # classification rules read variables too (the demo's read 'topic')
    data["classification_rules"] = rename_variable_in_rules(data["classification_rules"], "topic", "subject")
    services.save_workstream(data, loaded.id, loaded.version)
    after = services.load_workstream(loaded.id).doc
    assert next(v for v in after.context_variables if v.name == "subject").id == variable["id"]
    assert "subject" in str(after.routing_rules[1].condition) and "topic" not in str(after.routing_rules[1].condition)


def test_deleting_a_referenced_queue_names_the_referrers(services):
    queue = next(q for q in services.list_queues() if q.name == "VIP")
    with pytest.raises(InUseError) as raised:
        services.delete_queue(queue.id)
    message = str(raised.value)
    assert "rule 'Private banking customers' in 'Chat - Retail banking'" in message
    assert "rule 'Suspected fraud' in 'SMS - Billing alerts'" in message


def test_deleting_a_default_queue_names_the_stream(services):
    queue = next(q for q in services.list_queues() if q.name == "General")
    with pytest.raises(InUseError, match=r"work stream 'Chat - Retail banking' \(default queue\)"):
        services.delete_queue(queue.id)


def test_deleting_a_workstream_used_by_a_channel_is_refused(services):
    loaded = _stream(services, "Chat - Retail banking")
    with pytest.raises(InUseError, match="channel 'Mobile app chat'"):
        services.delete_workstream(loaded.id)


def test_deleting_an_unreferenced_workstream_works(services):
    loaded = _stream(services, "SMS - General enquiries")
    services.delete_workstream(loaded.id)
    assert "SMS - General enquiries" not in services.names("workstreams")


def test_base_presences_cannot_be_deleted_or_changed(services):
    available = next(p for p in services.list_presences() if p.name == "Available")
    with pytest.raises(UserError, match="base presence"):
        services.delete_presence(available.id)
    with pytest.raises(UserError, match="base presence"):
        services.save_presence({"name": "Here", "base": "available"}, available.id)


def test_a_presence_in_use_names_its_agents(services):
    training = next(p for p in services.list_presences() if p.name == "Away - Training")
    with pytest.raises(InUseError, match="agent 'Emma Lindqvist'"):
        services.delete_presence(training.id)


def test_activation_needs_a_default_queue(services):
    data = services.new_workstream()
    data["name"] = "Chat - Draft"
    saved = services.save_workstream(data)
    with pytest.raises(UserError, match="needs a default queue"):
        services.set_workstream_active(saved.id, True)
    data = services.load_workstream(saved.id).doc.model_dump()
    data["default_queue"] = "General"
    services.save_workstream(data, saved.id)
    assert services.set_workstream_active(saved.id, True).version > saved.version


def test_agent_save_sets_queue_membership(services):
    saved = services.save_agent({"name": "Gita", "capacity": 40, "presence": "Away - Training"},
                                queues=["VIP", "Billing"])
    assert services.agent_queues(saved.id) == ["Billing", "VIP"]
    with pytest.raises(DocumentInvalid) as raised:
        services.save_agent({"name": "gita", "capacity": 1, "presence": "Nowhere"})
    assert {i.path for i in raised.value.issues} == {"name", "presence"}


def test_queue_save_validates_members(services):
    with pytest.raises(DocumentInvalid, match="unknown agent 'Nobody'"):
        services.save_queue({"name": "Loans", "agents": ["Nobody"]})
    saved = services.save_queue({"name": "Loans", "agents": ["Ana Ruiz"]})
    assert services.load_queue(saved.id).doc.agents == ["Ana Ruiz"]


def test_channel_kind_must_match_the_streams_channel(services):
    with pytest.raises(DocumentInvalid, match="serves sms_number channels"):
        services.save_channel({"name": "Another widget", "kind": "chat_widget"}, "SMS - Billing alerts")
    saved = services.save_channel({"name": "SMS shortcode 80808", "kind": "sms_number", "is_default": True},
                                  "SMS - Billing alerts")
    defaults = [c.name for c in services.list_channels() if c.kind == "sms_number" and c.is_default]
    assert defaults == ["SMS shortcode 80808"] and saved.name == "SMS shortcode 80808"


def test_routing_test_cases_are_saved_per_stream(services):
    loaded = _stream(services, "Chat - Retail banking")
    services.save_test_case(loaded.id, "Gold goes VIP", {"customertier": "gold"}, "VIP")
    services.save_test_case(loaded.id, "Gold goes VIP", {"customertier": "Gold"}, "VIP")
    cases = services.list_test_cases(loaded.id)
    assert [(c["name"], c["context"]) for c in cases] == [("Gold goes VIP", {"customertier": "Gold"})]


@pytest.mark.parametrize("spelling", ["WEBSITE CHAT WIDGET", "website chat widget"])
def test_a_channel_of_another_stream_is_refused_whatever_its_case(services, spelling):
    data = services.new_workstream()
    data.update(name="Chat - Elsewhere", channels=[{"name": spelling, "kind": "chat_widget"}])
    with pytest.raises(DocumentInvalid, match="belongs to work stream 'Chat - Retail banking'"):
        services.save_workstream(data)


def test_channel_names_fold_beyond_ascii(services):
    first = services.new_workstream()
    first.update(name="Chat - Zürich", channels=[{"name": "Ärger-Chat", "kind": "chat_widget"}])
    services.save_workstream(first)
    second = services.new_workstream()
    second.update(name="Chat - Basel", channels=[{"name": "ärger-chat", "kind": "chat_widget"}])
    with pytest.raises(DocumentInvalid, match="channel 'ärger-chat' belongs to work stream 'Chat - Zürich'"):
        services.save_workstream(second)


# --------------------------------------------------------------------------- work distribution (document v2)

def test_a_queue_used_by_an_overflow_or_a_split_is_not_deleted(services):
    general = next(q for q in services.list_queues() if q.name == "General")
    with pytest.raises(InUseError, match=r"the overflow of queue 'Investments'"):
        services.delete_queue(general.id)
    vip = services.load_queue(next(q.id for q in services.list_queues() if q.name == "VIP"))
    loaded = _stream(services, "Chat - Investments desk")
    data = loaded.doc.model_dump()
    data["routing_rules"][0]["queue"] = None
    data["routing_rules"][0]["queues"] = [{"queue": "VIP", "percent": 50}, {"queue": "Billing", "percent": 50}]
    services.save_workstream(data, loaded.id, loaded.version)
    billing = next(q for q in services.list_queues() if q.name == "Billing")
    with pytest.raises(InUseError, match=r"rule 'Large portfolios to VIP' in 'Chat - Investments desk' \(a 50% share\)"):
        services.delete_queue(billing.id)
    assert vip.doc.priority == 1


def test_a_presence_named_for_missed_notifications_is_not_deleted(services):
    loaded = _stream(services, "Chat - Investments desk")
    data = loaded.doc.model_dump()
    data["missed_notification_presence"] = "Away - Training"
    services.save_workstream(data, loaded.id, loaded.version)
    training = next(p for p in services.list_presences() if p.name == "Away - Training")
    with pytest.raises(InUseError, match=r"work stream 'Chat - Investments desk' \(after a missed notification\)"):
        services.delete_presence(training.id)


def test_saving_checks_the_version_2_references(services):
    loaded = _stream(services, "Chat - Investments desk")
    data = loaded.doc.model_dump()
    data["capacity_format"], data["capacity_profile"] = "profile", "Email"
    with pytest.raises(DocumentInvalid, match="capacity_profile: unknown capacity profile 'Email'"):
        services.save_workstream(data, loaded.id, loaded.version)
    queue = services.load_queue(next(q.id for q in services.list_queues() if q.name == "VIP"))
    queue_data = queue.doc.model_dump()
    queue_data["overflow"] = [{"when": "waiting_exceeds", "limit": 5, "action": "transfer", "queue": "VIP"}]
    with pytest.raises(DocumentInvalid, match=r"overflow\[0\].queue: a queue cannot overflow to itself"):
        services.save_queue(queue_data, queue.id, queue.version)
    agent = services.load_agent(next(a.id for a in services.list_agents() if a.name == "Ana Ruiz"))
    agent_data = agent.doc.model_dump()
    agent_data["skills"] = {"Mortgages": "7"}
    with pytest.raises(DocumentInvalid, match="skills.Mortgages: '7' is not a rating"):
        services.save_agent(agent_data, agent.id, agent.version)


def test_an_editor_that_does_not_send_the_version_2_fields_keeps_them(services):
    vip = next(q for q in services.list_queues() if q.name == "VIP")
    loaded = services.load_queue(vip.id)
    services.save_queue({"name": "VIP", "kind": "messaging", "description": "Changed", "agents": loaded.doc.agents},
                        vip.id, loaded.version)
    again = services.load_queue(vip.id).doc
    assert (again.description, again.priority, again.assignment_method) == ("Changed", 1, "round_robin")
    ana = next(a for a in services.list_agents() if a.name == "Ana Ruiz")
    agent = services.load_agent(ana.id)
    services.save_agent({"name": "Ana Ruiz", "capacity": 90, "presence": "Available"}, ana.id, agent.version)
    assert services.load_agent(ana.id).doc.skills == {"Mortgages": "5", "Languages": "3"}

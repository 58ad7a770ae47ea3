"""Version 2 on the live panel, on a fixed clock: skills on cards and pops, queue priority and
opening hours on the headers, overflows and missed notifications in the log in plain words,
and a decline that asks for the stream's reason.

The demo bank (version 2): Ana Ruiz holds Mortgages 5 and Languages 3; retail chats about a
mortgage need Mortgages 3; VIP has priority 1 (round robin); Investments keeps office hours
(Mon-Fri 09:00-17:00, Europe/London) and sends out-of-hours conversations to General; a
retail pop left to expire sets the agent Away; retail declines have two reasons.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from ui.panel.agent_panel import AgentPanel
from ui.panel.panel_models import EventLogModel, event_details
from tests.helpers.clocks import FakeWallClock

RETAIL = "Chat - Retail banking"
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0)
MONDAY_BEFORE_NINE = datetime(2026, 12, 7, 8, 59)


def make_panel(qtbot, services, start=None):
    wall = FakeWallClock()
    panel = AgentPanel(services, time_source=wall, calendar_start=start)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    panel.driver.timer.stop()  # ticks by hand
    return panel, wall


def tick(qtbot, panel, wall, seconds):
    wall.now += seconds
    panel.driver.tick()
    if panel.refresh_pending:
        with qtbot.waitSignal(panel.cardsRefreshed, timeout=5000):
            pass


def send(panel, **context):
    panel.set_workstream(RETAIL)
    for name, value in context.items():
        panel.set_field(name, value)
    return panel.send_conversation()


def log_rows(panel, conversation=None, event=None):
    model = panel.log_model
    rows = []
    for row in range(model.rowCount()):
        record = model.index(row, 0).data(EventLogModel.RecordRole)
        if (conversation is None or record.get("conversation") == conversation) \
                and (event is None or record.get("event") == event):
            rows.append((model.index(row, EventLogModel.EVENT).data(), model.index(row, EventLogModel.DETAILS).data()))
    return rows


def test_cards_show_the_agents_skills(qtbot, services):
    panel, _wall = make_panel(qtbot, services)
    ana = panel.cards["Ana Ruiz"]
    assert [badge.text() for badge in ana.skill_badges] == ["Languages 3", "Mortgages 5"]
    assert all(badge.isVisibleTo(ana) for badge in ana.skill_badges)
    assert ana.skill_badges[1].toolTip() == "Skill Mortgages, rating 5"
    assert [badge.text() for badge in panel.cards["Emma Lindqvist"].skill_badges] == ["Languages 4"]


def test_a_pop_says_which_skills_the_conversation_needs(qtbot, services):
    panel, _wall = make_panel(qtbot, services)
    panel.driver.set_presence("Dev Patel", "Offline")
    mortgage = send(panel, customertier="Gold", topic="mortgage renewal")
    plain = send(panel, customertier="Gold", topic="card")
    ana = panel.cards["Ana Ruiz"]
    assert list(ana.pops) == [mortgage]
    assert ana.pops[mortgage].skills_line == "Needs Mortgages 3"
    assert "Needs Mortgages 3" in ana.pops[mortgage].toolTip()
    panel.focus_agent("Ana Ruiz")
    assert panel.toast_pop.skills_label.text() == "Needs Mortgages 3" and panel.toast_pop.skills_label.isVisibleTo(
        panel.toast_pop)
    assert log_rows(panel, mortgage, "classified") == [
        ("Classified", "needs Mortgages at 3 or better (rule 'Mortgage questions')")]
    assert log_rows(panel, plain, "classified") == [
        ("Classified", "needs no particular skill (no classification rule matched)")]
    panel.accept("Ana Ruiz", mortgage)  # the next pop takes the card's one place, needing nothing
    assert list(ana.pops) == [plain] and ana.pops[plain].skills_line == "No skills needed"


def test_queue_headers_show_priority_and_whether_the_queue_is_open(qtbot, services):
    panel, wall = make_panel(qtbot, services, start=MONDAY_BEFORE_NINE)
    vip, investments, general = panel.groups["VIP"], panel.groups["Investments"], panel.groups["General"]
    assert vip.priority_tag.text() == "P1" and vip.priority_tag.isVisibleTo(vip)
    assert "round robin" in vip.priority_tag.toolTip()
    assert not general.priority_tag.isVisibleTo(general)
    assert investments.closed_tag.isVisibleTo(investments) and investments.closed_tag.text() == "Closed"
    assert not vip.closed_tag.isVisibleTo(vip)  # no opening hours: always open
    header = investments.header.geometry()
    tick(qtbot, panel, wall, 61)  # 09:00:01 in London
    assert not investments.closed_tag.isVisibleTo(investments)
    assert investments.header.geometry() == header  # the tag comes and goes without moving anything


def test_a_short_queue_name_has_its_tag_right_after_it(qtbot):
    """'VIP' is narrower than the six characters a cut name keeps: the P1 tag still follows it."""
    from ui.panel.agent_cards import QueueGroup

    group = QueueGroup("VIP", 2, priority=1)
    qtbot.addWidget(group)
    group.resize(600, 200)
    group.show()
    qtbot.waitExposed(group)
    title, tag = group.title, group.priority_tag
    text_end = title.x() + title.fontMetrics().horizontalAdvance("VIP")
    assert 0 <= tag.x() - text_end <= 16, (title.geometry(), tag.geometry())


def test_an_overflow_is_told_in_plain_words(qtbot, services):
    panel, _wall = make_panel(qtbot, services, start=SATURDAY_NOON)
    assert panel.groups["Investments"].closed_tag.isVisibleTo(panel.groups["Investments"])
    conv = send(panel, topic="pension")  # Investments by rule; closed on Saturdays: to General
    assert log_rows(panel, conv, "overflowed") == [("Overflowed", "Investments is closed: transferred to General")]
    assert panel.driver.simulator.conversation(conv).queue == "General"


def test_a_missed_notification_sets_the_agent_away_and_the_log_says_why(qtbot, services):
    panel, wall = make_panel(qtbot, services)
    panel.driver.set_presence("Dev Patel", "Offline")
    conv = send(panel, customertier="Gold")
    tick(qtbot, panel, wall, 121)  # nobody answered Ana's pop
    assert ("Offer expired", "nobody answered the pop in time") in log_rows(panel, conv)
    assert ("Presence changed", "set to Away: the agent missed a notification") in log_rows(
        panel, event="presence_changed")
    assert panel.cards["Ana Ruiz"].presence_combo.currentText() == "Away"


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")  # offscreen menus
def test_decline_asks_for_one_of_the_streams_reasons_and_the_log_shows_it(qtbot, services):
    panel, _wall = make_panel(qtbot, services)
    conv = send(panel, customertier="Gold")
    pop = panel.cards["Ana Ruiz"].pops[conv]
    pop.decline()  # the Decline… button, Esc or Ctrl+Shift+D
    menu = pop.reason_menu
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == ["Why decline?", "Busy with another customer", "Needs another skill", "Without a reason"]
    assert not menu.actions()[0].isEnabled()
    assert log_rows(panel, conv, "declined") == []  # nothing yet
    menu.hide()  # Esc: the pop stays
    assert not pop.answered and panel.driver.simulator.agent("Ana Ruiz").offers
    pop.decline()
    [needs] = [a for a in pop.reason_menu.actions() if a.text() == "Needs another skill"]
    needs.trigger()
    assert log_rows(panel, conv, "declined") == [("Declined", "the agent declined the pop: Needs another skill")]


def test_a_stream_without_reasons_declines_at_once():
    assert event_details({"event": "declined"}) == "the agent declined the pop"


@pytest.mark.parametrize("event, words", [
    ({"event": "overflowed", "queue": "VIP", "when": "waiting_exceeds", "action": "end", "reason": "busy"},
     "too many waiting in VIP: ended (busy)"),
    ({"event": "overflowed", "queue": "VIP", "when": "closed", "action": "assign_anyway"},
     "VIP is closed: assigned there anyway"),
    ({"event": "queued", "queue": "Investments", "reason": "closed"}, "waiting in Investments until it opens"),
    ({"event": "routed", "workstream": "Chat", "queue": "A", "rule": "Split", "draw": 37.4},
     "Chat → A by rule 'Split', a percentage split that drew 37 of 100"),
    ({"event": "reconnected", "agent": "Ana Ruiz", "within_window": True},
     "the customer came back: to Ana Ruiz, the last agent"),
])
def test_version_2_events_in_words(event, words):
    assert event_details(event) == words


def test_a_profile_slot_coming_back_is_said_as_a_slot():
    assert event_details({"event": "capacity_released", "units": 0, "free": 100, "reason": "declined",
                          "profile": "Chat", "free_slots": 2}) == "a Chat slot back (declined); 2 free"
    assert event_details({"event": "capacity_released", "units": 30, "free": 70, "reason": "ended"}) == \
        "30 units back (ended); 70 free"


def test_a_card_counts_capacity_profile_slots_beside_units(qtbot, services):
    panel, _wall = make_panel(qtbot, services)
    panel.driver.set_presence("Dev Patel", "Offline")
    ana = panel.cards["Ana Ruiz"]
    assert ana.capacity_label.text() == "0/100 · Chat 0/3"  # her own limit: 3 chats at once
    conv = send(panel, customertier="Gold")  # retail banking is profile-based: a Chat slot, no units
    assert ana.capacity_label.text() == "0/100 · Chat 1/3"
    panel.accept("Ana Ruiz", conv)
    assert ana.capacity_label.text() == "0/100 · Chat 1/3"
    assert "Capacity profile Chat: 1 of 3 at once" in ana.gauge.toolTip()


def test_with_agents_answering_their_pops_a_burst_drains_and_nobody_goes_away(qtbot, services):
    """The trainer's 60x burst: without the autopilot every pop expires and the retail stream's
    missed-notification setting sets each agent Away; with it, pops are taken and chats end."""
    panel, wall = make_panel(qtbot, services)
    panel.set_autopilot(True)
    assert panel.autopilot_check.isChecked() and panel.autopilot.simulator is panel.driver.simulator
    panel.set_workstream(RETAIL)
    sent = panel.send_burst(12, seed=5)
    for _ in range(12):
        tick(qtbot, panel, wall, 10)  # ten simulated seconds at 1x
    accepted = {conv for conv in sent if log_rows(panel, conv, event="accepted")}
    assert accepted and not log_rows(panel, event="offer_expired")
    assert not [row for row in log_rows(panel, event="presence_changed") if "missed" in row[1]]
    for _ in range(50):
        tick(qtbot, panel, wall, 10)
    assert [row for row in log_rows(panel, event="closed")], "chats end by themselves"


def test_the_autopilot_follows_a_reset_and_stops_when_switched_off(qtbot, services):
    panel, wall = make_panel(qtbot, services)
    panel.set_autopilot(True)
    before = panel.autopilot
    panel.driver.reset()
    assert panel.autopilot is not before and panel.autopilot.simulator is panel.driver.simulator
    assert before.closed
    panel.set_autopilot(False)
    assert panel.autopilot is None
    conv = send(panel, customertier="Gold")
    tick(qtbot, panel, wall, 60)
    assert not log_rows(panel, conv, event="accepted")  # the pop waits for the trainer again

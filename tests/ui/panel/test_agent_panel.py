"""The live agent panel on the demo bank, driven by a fake wall clock (no sleeps)."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ui.panel.agent_panel import EMPTY_TEXT, AgentPanel
from ui.panel.panel_models import GREEN_BG, EventLogModel, TraceModel
from tests.helpers.clocks import FakeWallClock

RETAIL = "Chat - Retail banking"   # push, screen pop with decline, 120 s
SMS = "SMS - Billing alerts"       # push, direct open
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def wall():
    return FakeWallClock()


@pytest.fixture
def panel(qtbot, services, wall):
    widget = AgentPanel(services, time_source=wall)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def tick(qtbot, panel, wall, seconds):
    """A timer tick after ``seconds`` of wall time; the cards on screen follow in the refresh queue's slices."""
    wall.advance(seconds)
    panel.driver.tick()
    settle(qtbot, panel)


def settle(qtbot, panel):
    """Let the refresh queue drain on the real event loop."""
    if panel.refresh_pending:
        with qtbot.waitSignal(panel.cardsRefreshed, timeout=5000):
            pass
    assert not panel.refresh_pending


def send_gold(panel):
    """A Gold customer on retail banking: routed to VIP, offered to Ana Ruiz."""
    panel.set_workstream(RETAIL)
    panel.set_field("customertier", "Gold")
    return panel.send_conversation()


def log_events(panel, conversation=None):
    model = panel.log_model
    return [model.index(row, 0).data(EventLogModel.EventRole) for row in range(model.rowCount())
            if conversation is None or model.index(row, 0).data(EventLogModel.ConversationRole) == conversation]


def activate(qtbot, widget):
    window = widget.window()
    with qtbot.waitActive(window):
        window.activateWindow()


# ------------------------------------------------------------------ layout and empty state

def test_empty_state_and_cards_grouped_by_home_queue(panel):
    assert panel.log_stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == EMPTY_TEXT
    assert set(panel.cards) == {"Ana Ruiz", "Ben Okafor", "Chloé Martin", "Dev Patel", "Emma Lindqvist",
                                "Farid Haddad"}
    homes = {name: queue for queue, group in panel.groups.items() for name in (c.name for c in group.cards)}
    assert homes == {"Ben Okafor": "Billing", "Chloé Martin": "Billing", "Farid Haddad": "Billing",
                     "Dev Patel": "Investments", "Emma Lindqvist": "Investments", "Ana Ruiz": "VIP"}
    assert panel.groups["General"].cards == [] and panel.groups["General"].note.isVisibleTo(panel)
    assert panel.clock_label.text() == "00:00:00"
    assert panel.speed_buttons["1×"].isChecked()
    assert panel.cards["Emma Lindqvist"].presence_combo.currentText() == "Away - Training"


# ------------------------------------------------------------------ pops and their countdown

def test_an_offer_shows_a_pop_counting_down_from_120(qtbot, panel, wall):
    conv = send_gold(panel)
    assert conv is not None
    card_pop = panel.cards["Ana Ruiz"].pops[conv]
    assert card_pop.countdown_text == "2:00"
    assert panel.focused_agent == "Ana Ruiz" and panel.cards["Ana Ruiz"].selected
    toast = panel.toast_pop
    assert toast is not None and toast.conversation_id == conv and toast.countdown_text == "2:00"
    assert toast.title_label.text() == "Incoming chat request"
    assert ("Customer tier", "Gold") in toast.context_rows
    assert panel.toast.header.full_text() == "Notification for Ana Ruiz"
    tick(qtbot, panel, wall, 30)
    assert card_pop.countdown_text == "1:30" and toast.countdown_label.text() == "1:30"
    assert panel.clock_label.text() == "00:00:30"
    assert panel.log_stack.currentWidget() is panel.log_view


def test_accept_by_mouse_opens_the_conversation(qtbot, panel):
    conv = send_gold(panel)
    card = panel.cards["Ana Ruiz"]
    qtbot.mouseClick(card.pops[conv].accept_button, Qt.MouseButton.LeftButton)
    assert log_events(panel, conv)[-1] == "accepted"
    assert card.pops == {} and list(card.chips) == [conv]
    assert panel.toast_pop is None
    assert card.capacity_label.text() == "0/100 · Chat 1/3"  # the retail stream takes a 'Chat' profile slot, no units


def choose_reason(qtbot, pop, reason):
    """Decline asked for a reason (the stream has decline reasons): choose ``reason`` in its menu."""
    menu = pop.reason_menu
    assert menu is not None and menu.isVisible()
    [action] = [action for action in menu.actions() if action.text() == reason]
    action.trigger()


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")  # offscreen menus
def test_decline_by_mouse_offers_the_next_agent(qtbot, panel):
    conv = send_gold(panel)
    pop = panel.cards["Ana Ruiz"].pops[conv]
    assert pop.decline_button.text() == "Decline…"
    qtbot.mouseClick(pop.decline_button, Qt.MouseButton.LeftButton)
    assert log_events(panel, conv)[-1] == "offered"  # nothing declined yet: a reason is asked for
    choose_reason(qtbot, pop, "Busy with another customer")
    assert log_events(panel, conv)[-3:] == ["declined", "capacity_released", "offered"]
    assert panel.cards["Ana Ruiz"].pops == {}
    assert panel.cards["Dev Patel"].pops[conv].countdown_text == "2:00"


def test_the_toast_accepts_with_its_buttons_too(qtbot, panel):
    conv = send_gold(panel)
    qtbot.mouseClick(panel.toast_pop.accept_button, Qt.MouseButton.LeftButton)
    assert log_events(panel, conv)[-1] == "accepted"
    assert panel.cards["Ana Ruiz"].pops == {}


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")  # offscreen menus
def test_keyboard_shortcuts_accept_and_decline_the_toast(qtbot, panel):
    activate(qtbot, panel)
    first = send_gold(panel)
    qtbot.keyClick(panel.stream_combo, Qt.Key.Key_A, CTRL_SHIFT)
    assert log_events(panel, first)[-1] == "accepted"
    second = send_gold(panel)  # Ana has 70 free, Dev 100: Dev gets this one
    assert second in panel.cards["Dev Patel"].pops
    panel.focus_agent("Dev Patel")
    assert panel.toast_pop.conversation_id == second
    qtbot.keyClick(panel.stream_combo, Qt.Key.Key_D, CTRL_SHIFT)
    menu = panel.toast_pop.reason_menu  # the keyboard chooses a reason too: the first is ready, Enter takes it
    assert menu.activeAction().text() == "Busy with another customer"
    qtbot.keyClick(menu, Qt.Key.Key_Down)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    assert "declined" in log_events(panel, second)
    assert panel.log_model.events()[-3]["reason"] == "Needs another skill"
    assert second not in panel.cards["Dev Patel"].pops


def test_expiry_removes_the_pop_at_exactly_120_seconds(qtbot, panel, wall):
    conv = send_gold(panel)
    tick(qtbot, panel, wall, 119.9)
    assert panel.cards["Ana Ruiz"].pops[conv].countdown_text == "0:01"
    tick(qtbot, panel, wall, 0.1)
    assert conv not in panel.cards["Ana Ruiz"].pops
    row = panel.log_model.find_last("offer_expired", conv)
    assert row >= 0
    assert panel.log_model.index(row, EventLogModel.TIME).data() == "00:02:00"
    assert panel.log_model.index(row, EventLogModel.EVENT).data() == "Offer expired"
    assert panel.log_model.index(row, EventLogModel.AGENT).data() == "Ana Ruiz"
    assert panel.cards["Dev Patel"].pops[conv].countdown_text == "2:00"  # offered on at once


def test_sixty_times_runs_a_120_second_pop_in_two_wall_seconds(qtbot, panel, wall):
    qtbot.mouseClick(panel.speed_buttons["60×"], Qt.MouseButton.LeftButton)
    assert panel.driver.speed == 60 and panel.speed_buttons["60×"].isChecked()
    conv = send_gold(panel)
    tick(qtbot, panel, wall, 1)
    assert panel.cards["Ana Ruiz"].pops[conv].countdown_text == "1:00"
    tick(qtbot, panel, wall, 1)
    assert conv not in panel.cards["Ana Ruiz"].pops
    assert "offer_expired" in log_events(panel, conv)
    assert panel.clock_label.text() == "00:02:00"


def test_pause_freezes_the_countdown(qtbot, panel, wall):
    conv = send_gold(panel)
    tick(qtbot, panel, wall, 8)
    qtbot.mouseClick(panel.speed_buttons["Pause"], Qt.MouseButton.LeftButton)
    assert panel.driver.paused and panel.speed_buttons["Pause"].isChecked()
    tick(qtbot, panel, wall, 300)
    pop = panel.cards["Ana Ruiz"].pops[conv]
    assert pop.countdown_text == "1:52" and panel.clock_label.text() == "00:00:08"
    qtbot.mouseClick(panel.speed_buttons["2×"], Qt.MouseButton.LeftButton)
    tick(qtbot, panel, wall, 1)
    assert pop.countdown_text == "1:50"


def test_direct_open_shows_no_pop(panel):
    panel.set_workstream(SMS)
    panel.set_field("alerttype", "fraud")
    panel.set_field("amount", "900")
    conv = panel.send_conversation()
    assert log_events(panel, conv) == ["routed", "assigned"]
    assert all(not card.pops for card in panel.cards.values())
    assert panel.toast_pop is None
    holder = [name for name, card in panel.cards.items() if conv in card.chips]
    assert holder and holder[0] in ("Ana Ruiz", "Dev Patel")  # the VIP queue


# ------------------------------------------------------------------ injector, burst, scenarios

def test_a_mistyped_number_is_shown_inline_and_nothing_is_sent(panel):
    panel.set_workstream(RETAIL)
    panel.set_field("accountbalance", "lots")
    error = panel._field_errors["accountbalance"]
    assert error.isVisibleTo(panel) and "not a number" in error.text()
    assert panel.send_conversation() is None
    assert panel.driver.simulator.conversations() == []
    panel.set_field("accountbalance", "-20")
    assert not error.isVisibleTo(panel)
    conv = panel.send_conversation()
    assert panel.driver.simulator.conversation(conv).queue == "Billing"  # overdrawn


def test_burst_creates_n_conversations(qtbot, panel):
    panel.set_workstream(RETAIL)
    panel.burst_spin.setValue(12)
    assert panel.burst_button.text() == "Send 12"
    qtbot.mouseClick(panel.burst_button, Qt.MouseButton.LeftButton)
    assert len(panel.driver.simulator.conversations()) == 12
    assert panel.stats_label.text().startswith("12 conversations")
    assert log_events(panel).count("routed") == 12


def test_the_scenario_loader_refuses_a_malformed_file_with_the_reason(qtbot, panel, answers, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"events": [{"at": 0, "type": "teleport"}]}), encoding="utf-8")
    panel.choose_scenario_file = lambda: str(bad)
    qtbot.mouseClick(panel.scenario_button, Qt.MouseButton.LeftButton)
    assert answers.asked == [("error", "Can't play this scenario", "events[0]: unknown type 'teleport'")]
    assert panel.driver.scheduled_count == 0


def test_a_scenario_plays_on_the_simulated_clock(qtbot, panel, wall, answers, tmp_path):
    good = tmp_path / "morning.json"
    good.write_text(json.dumps({"events": [
        {"at": 5, "type": "conversation", "id": "m1", "workstream": RETAIL, "context": {"customertier": "Gold"}},
        {"at": 20, "type": "accept", "agent": "Ana Ruiz", "conversation": "m1"},
    ]}), encoding="utf-8")
    assert panel.load_scenario_file(str(good))
    assert answers.asked == []
    assert "morning.json: 2 events" in panel.scenario_label.text()
    tick(qtbot, panel, wall, 5)
    assert "m1" in panel.cards["Ana Ruiz"].pops
    tick(qtbot, panel, wall, 15)
    assert "m1" in panel.cards["Ana Ruiz"].chips


# ------------------------------------------------------------------ the log and the route trace

def test_event_log_model_passes_qtmodeltester(qtmodeltester, panel):
    send_gold(panel)
    panel.burst_spin.setValue(5)
    panel.send_burst()
    qtmodeltester.check(panel.log_model, force_py=True)
    assert panel.log_model.headerData(4, Qt.Orientation.Horizontal) == "Details"


def test_event_log_is_capped_and_stays_valid(qtmodeltester, qtbot):
    model = EventLogModel(max_rows=5)
    model.append_events([{"t": i, "event": "routed", "conversation": f"c{i}", "queue": "VIP", "rule": "r",
                          "workstream": "w", "fallback": False} for i in range(3)])
    with qtbot.waitSignals([model.rowsRemoved, model.rowsInserted]):
        model.append_events([{"t": 10 + i, "event": "offer_expired", "conversation": f"d{i}", "agent": "Ana"}
                             for i in range(4)])
    assert model.rowCount() == 5 and model.dropped == 2
    assert [model.index(r, 2).data() for r in range(5)] == ["c2", "d0", "d1", "d2", "d3"]
    qtmodeltester.check(model, force_py=True)
    model.append_events([{"t": 99, "event": "closed", "conversation": f"e{i}", "reason": "ended"}
                         for i in range(9)])
    assert [model.index(r, 2).data() for r in range(5)] == ["e4", "e5", "e6", "e7", "e8"]
    qtmodeltester.check(model, force_py=True)


def test_selecting_a_log_row_shows_the_route_trace_with_the_matched_rule(panel):
    conv = send_gold(panel)
    row = panel.log_model.find_last("routed", conv)
    panel.trace_view.clear()
    panel.select_log_row(row)
    assert panel.selected_conversation == conv
    model: TraceModel = panel.trace_view.trace_model
    rules = model.rows_of_kind("rule")
    assert [(r.text(), r.data(TraceModel.MatchedRole)) for r in rules] == [("1. Private banking customers", True)]
    assert model.itemFromIndex(rules[0].index().siblingAtColumn(1)).text() == "→ VIP"
    assert panel.side_tabs.currentIndex() == 1  # the Route trace tab came to the front
    assert rules[0].background().color() == QColor(GREEN_BG)
    condition = model.rows_of_kind("condition")[0]
    assert condition.text() == "Customer tier is one of ['Gold', 'Platinum']"
    assert model.itemFromIndex(condition.index().siblingAtColumn(1)).text() == "'Gold'"
    assert panel.trace_header.text() == f"{conv} → VIP"
    assert panel.trace_why.text() == "Chat - Retail banking · rule “Private banking customers” · offered, ringing Ana Ruiz"
    assert panel.trace_header.toolTip() == "Context: Customer tier: Gold"


def test_a_chip_shows_the_route_and_its_menu_ends_or_idles_the_conversation(qtbot, panel):
    conv = send_gold(panel)
    panel.accept("Ana Ruiz", conv)
    chip = panel.cards["Ana Ruiz"].chips[conv]
    panel.selected_conversation = None
    chip.click()
    assert panel.selected_conversation == conv
    chip.idle_action.trigger()
    assert log_events(panel, conv)[-1] == "waiting" and chip.state == "waiting"
    chip.active_action.trigger()
    assert log_events(panel, conv)[-1] == "active"
    chip.end_action.trigger()
    assert "closed" in log_events(panel, conv)
    assert panel.cards["Ana Ruiz"].chips == {}


def test_changing_presence_on_a_card_gets_the_agent_work(panel):
    card = panel.cards["Emma Lindqvist"]
    panel.set_workstream(RETAIL)
    panel.set_field("topic", "pension")
    first = panel.send_conversation()  # Investments: Dev (available) gets it
    second = panel.send_conversation()
    third = panel.send_conversation()
    fourth = panel.send_conversation()
    fifth = panel.send_conversation()  # Dev is full (4 'Chat' profile slots, his own limit): waits
    assert panel.driver.simulator.conversation(fifth).state == "queued"
    assert panel.groups["Investments"].meta.text() == "2 members · 1 waiting"
    card.presence_combo.activated.emit(card.presence_combo.findText("Available"))
    assert log_events(panel)[-2:] == ["presence_changed", "offered"]
    assert fifth in card.pops and panel.groups["Investments"].meta.text() == "2 members · 0 waiting"
    dev_offers = [offer.conversation for offer in panel.driver.simulator.agent("Dev Patel").offers]
    assert set(dev_offers) == {first, second, third, fourth}
    dev = panel.cards["Dev Patel"]
    assert list(dev.pops) == dev_offers[:1]  # one pop in full, the others counted
    assert dev.more_pops.full_text() == f"+{len(dev_offers) - 1} more pops waiting"


def test_pick_mode_items_are_listed_on_their_queue_and_can_be_picked(panel):
    panel.set_workstream("SMS - General enquiries")  # pick mode, default queue General
    assert "(inactive)" in panel.stream_combo.currentText()
    first = panel.send_conversation()
    second = panel.send_conversation()
    general = panel.groups["General"]
    assert panel.open_items("General") == [first, second]
    assert general.meta.text() == "6 members · 0 waiting · 2 open items"
    assert general.pick_button.isVisibleTo(panel)
    general.pick_menu.aboutToShow.emit()
    entries = [a.text() for a in general.pick_menu.actions()]
    assert entries == [f"{first} · SMS - General enquiries", f"{second} · SMS - General enquiries"]
    pick_as_ben = next(a for a in general.pick_menu.actions()[0].menu().actions() if a.text() == "Ben Okafor picks it")
    pick_as_ben.trigger()
    assert log_events(panel, first)[-1] == "assigned" and first in panel.cards["Ben Okafor"].chips
    assert panel.open_items("General") == [second]
    assert general.meta.text() == "6 members · 0 waiting · 1 open item"


def test_clicking_a_card_puts_its_agent_in_focus(qtbot, panel):
    qtbot.mouseClick(panel.cards["Ben Okafor"], Qt.MouseButton.LeftButton)
    assert panel.focused_agent == "Ben Okafor" and panel.cards["Ben Okafor"].selected
    assert panel.toast_pop is None  # Ben has no pop


# ------------------------------------------------------------------ life cycle

def test_the_timer_runs_while_shown_and_stops_when_closed(qtbot, panel, wall):
    assert panel.driver.timer.isActive()
    wall.advance(3)
    with qtbot.waitSignal(panel.driver.timeChanged, timeout=2000):
        pass
    panel.hide()
    assert not panel.driver.timer.isActive()
    panel.show()
    assert panel.driver.timer.isActive()
    panel.close()
    assert not panel.driver.timer.isActive()


def test_reset_asks_first_while_conversations_are_live(qtbot, panel, wall, answers):
    from ui.common import messages

    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)  # nothing live: no question
    assert answers.asked == []
    send_gold(panel)
    tick(qtbot, panel, wall, 10)
    answers.push(messages.NO)
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert answers.asked[-1][1] == "Reset the simulation?" and "1 conversation is still going on" in answers.asked[-1][2]
    assert panel.clock_label.text() == "00:00:10" and panel.live_conversations() == 1  # kept


def test_reset_and_reload(qtbot, panel, services, wall, answers):
    from ui.common import messages

    send_gold(panel)
    tick(qtbot, panel, wall, 10)
    answers.push(messages.YES)
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert panel.clock_label.text() == "00:00:00"
    assert panel.log_model.rowCount() == 0 and panel.toast_pop is None
    assert all(not card.pops for card in panel.cards.values())
    services.save_agent({"name": "Zoe Adams", "capacity": 50, "presence": "Available"}, queues=["VIP"])
    panel.reload()
    assert "Zoe Adams" in panel.cards and panel.groups["VIP"].members == 3


def test_a_configuration_that_cannot_be_read_keeps_the_simulation_and_says_why(panel, monkeypatch):
    import app.config.io
    from app.common.errors import UserError

    def broken(_db):
        raise UserError("database is locked")

    monkeypatch.setattr(app.config.io, "export_document", broken)
    panel.reload()
    assert panel.load_error_label.isVisibleTo(panel)
    assert panel.load_error_label.text() == "Can't simulate this configuration: database is locked"
    assert len(panel.cards) == 6 and panel.driver.workstream(RETAIL) is not None
    monkeypatch.undo()
    panel.reload()
    assert not panel.load_error_label.isVisibleTo(panel)


def test_screenshot_state_puts_a_ringing_pop_and_an_accepted_chat_on_screen(panel):
    assert panel.screenshot_state() is True
    toast = panel.toast_pop
    assert toast is not None and toast.countdown_text == "1:52" and toast.decline_button is not None
    assert panel.clock_label.text() == "00:00:28"
    accepted = [e for e in panel.log_model.events() if e["event"] == "accepted"]
    assert len(accepted) == 1
    assert panel.selected_conversation == toast.conversation_id


def test_screenshot_state_is_safe_on_an_empty_configuration(qtbot, empty_db):
    from app.services.core import Services

    widget = AgentPanel(Services(empty_db), time_source=FakeWallClock())
    qtbot.addWidget(widget)
    assert widget.screenshot_state() is False
    assert widget.cards == {} and not widget.send_button.isEnabled()


# ------------------------------------------------------------------ the refresh queue (many agents, 60×)

def many_agents_doc(agents: int = 40, queues: int = 4) -> dict:
    """``agents`` in ``queues`` queues of equal size; a chat stream routes ``{"q": n}`` to queue n."""
    names = [f"Agent {i:02d}" for i in range(1, agents + 1)]
    queue_names = [f"Queue {i}" for i in range(queues)]
    return {
        "presences": [],
        "agents": [{"name": name, "capacity": 100, "presence": "Available"} for name in names],
        "queues": [{"name": q, "agents": names[i::queues]} for i, q in enumerate(queue_names)],
        "workstreams": [{
            "name": "Chat", "channel": "live_chat", "capacity": 20, "distribution_mode": "push",
            "notification": "screen_pop_decline", "screen_pop_timeout_s": 120, "allowed_presences": ["available"],
            "default_queue": queue_names[0],
            "context_variables": [{"name": "q", "display_name": "Queue", "type": "number"}],
            "routing_rules": [{"name": f"To {q}", "queue": q,
                               "condition": {"all": [{"variable": "q", "operator": "eq", "value": i}]}}
                              for i, q in enumerate(queue_names)],
        }],
    }


@pytest.fixture
def crowded(qtbot, wall):
    """A panel with more cards than fit on screen."""
    widget = AgentPanel(None, config_doc=many_agents_doc(), time_source=wall)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    settle(qtbot, widget)
    return widget


def shows_state(panel, agent: str) -> bool:
    """The card shows the agent as the simulator has it now."""
    from ui.panel.agent_cards import MAX_CHIPS, MAX_POPS

    view = panel.driver.simulator.agent(agent)
    card = panel.cards[agent]
    return (list(card.pops) == [offer.conversation for offer in view.offers][:MAX_POPS]
            and list(card.chips) == list(view.active)[:MAX_CHIPS]
            and card.capacity_label.text() == f"{view.capacity - view.free_capacity}/{view.capacity}")


def arrive(panel, count: int, at: float, prefix: str = "b") -> None:
    for i in range(count):
        panel.driver.schedule(at, "conversation", id=f"{prefix}{i:03d}", workstream="Chat", context={"q": i % 4})


def test_a_tick_refreshes_the_cards_on_screen_in_slices_and_the_others_once_scrolled_to(qtbot, crowded, wall,
                                                                                         monkeypatch):
    import ui.panel.agent_panel as agent_panel_module

    monkeypatch.setattr(agent_panel_module, "REFRESH_BUDGET_S", 0.0)  # one card per slice
    slices = []
    crowded._refresh_timer.timeout.connect(lambda: slices.append(len(slices)))
    arrive(crowded, 120, at=1)  # three pops for each of the 40 agents
    wall.advance(1)
    crowded.driver.tick()
    on_screen = crowded.cards_on_screen()
    assert 0 < len(on_screen) < len(crowded.cards)
    # The tick only queued the work: no log row and no card changed yet.
    assert crowded.refresh_pending and crowded.log_model.rowCount() == 0
    assert all(not crowded.cards[agent].pops for agent in on_screen)
    settle(qtbot, crowded)
    assert crowded.cards_on_screen() == on_screen  # cards never grow: the same ones are still on screen
    refreshed = [agent for agent, card in crowded.cards.items() if card.pops]
    assert set(on_screen) <= set(refreshed)
    assert len(slices) >= 1 + len(refreshed)  # the log's slice, then a card per slice
    assert crowded.log_model.rowCount() == 240  # routed + offered each
    assert crowded.log_count.text() == "240 events"
    assert all(shows_state(crowded, agent) and len(crowded.cards[agent].pops) == 1
               and crowded.cards[agent].more_pops.text() == "+2 more pops waiting" for agent in refreshed)
    assert len(refreshed) < len(crowded.cards)  # the others stay stale until seen
    scrollbar = crowded.cards_scroll.verticalScrollBar()
    scrollbar.setValue(scrollbar.maximum())
    settle(qtbot, crowded)
    now_on_screen = crowded.cards_on_screen()
    assert set(now_on_screen) - set(on_screen)
    assert all(shows_state(crowded, agent) for agent in now_on_screen)
    # The countdowns on screen move with the next tick (30 simulated seconds later: 1:30 left).
    tick(qtbot, crowded, wall, 30)
    for agent in crowded.cards_on_screen():
        assert [pop.countdown_text for pop in crowded.cards[agent].pops.values()] == ["1:30"]


def test_many_events_for_one_card_in_a_tick_refresh_it_once(qtbot, crowded, wall, monkeypatch):
    from collections import Counter

    from ui.panel.agent_cards import AgentCard

    refreshes = Counter()
    original = AgentCard.refresh

    def counting(card, *args, **kwargs):
        refreshes[card.name] += 1
        return original(card, *args, **kwargs)

    monkeypatch.setattr(AgentCard, "refresh", counting)
    agent = crowded.cards_on_screen()[0]
    queue = int(crowded.driver.simulator.agent(agent).queues[0].split()[-1])
    members = len(crowded.driver.simulator.queue(f"Queue {queue}").members)
    for i in range(3 * members):  # every member of the queue gets three pops in this tick...
        crowded.driver.schedule(1, "conversation", id=f"c{i:03d}", workstream="Chat", context={"q": queue})
    wall.advance(1)
    crowded.driver.tick()
    settle(qtbot, crowded)
    assert len(crowded.driver.simulator.agent(agent).offers) == 3
    assert len(crowded.cards[agent].pops) == 1 and shows_state(crowded, agent)
    assert refreshes[agent] == 1  # ... three events naming the agent, one refresh


def test_a_ticks_rows_reach_the_log_in_their_own_slice_and_only_the_newest_are_kept(qtbot, crowded, wall):
    crowded.log_model.max_rows = 5
    emitted = []
    crowded.driver.eventsEmitted.connect(emitted.extend)
    arrive(crowded, 4, at=1)
    wall.advance(1)
    crowded.driver.tick()
    assert crowded.log_model.rowCount() == 0
    settle(qtbot, crowded)
    assert crowded.log_model.events() == emitted[-5:] and crowded.log_model.dropped == 3
    assert crowded.log_count.text() == "5 events (oldest 3 dropped)"
    # Hidden, the rows wait (at most twice the cap of them); shown again, the newest reach the log.
    crowded.hide()
    arrive(crowded, 20, at=2, prefix="h")
    wall.advance(1)
    crowded.driver.tick()
    assert not crowded.refresh_pending and len(crowded._log_backlog) <= 10
    crowded.show()
    settle(qtbot, crowded)
    assert crowded.log_model.events() == emitted[-5:] and crowded.log_model.dropped == len(emitted) - 5


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")  # offscreen menus
def test_the_toast_shows_the_next_pop_of_the_agent_in_focus_in_the_same_widget(qtbot, panel):
    panel.driver.set_presence("Dev Patel", "Offline")  # Ana gets every VIP pop
    first = send_gold(panel)
    toast = panel.toast_pop
    panel.accept("Ana Ruiz", first)
    assert panel.toast_pop is None
    second = send_gold(panel)
    assert panel.toast_pop is toast
    assert toast.conversation_id == second and toast.countdown_text == "2:00" and not toast.answered
    assert toast.accept_button.isEnabled() and toast.decline_button.isEnabled()
    qtbot.mouseClick(toast.decline_button, Qt.MouseButton.LeftButton)
    choose_reason(qtbot, toast, "Without a reason")
    assert "declined" in log_events(panel, second)


def test_the_log_follows_the_newest_rows_from_the_first_tick_unless_scrolled_up(qtbot, crowded, wall):
    scrollbar = crowded.log_view.verticalScrollBar()
    arrive(crowded, 60, at=1)
    tick(qtbot, crowded, wall, 1)
    assert scrollbar.maximum() > 0 and scrollbar.value() == scrollbar.maximum()
    scrollbar.setValue(0)  # the user reads older rows: they stay put
    arrive(crowded, 20, at=2, prefix="u")
    tick(qtbot, crowded, wall, 1)
    assert scrollbar.value() == 0 < scrollbar.maximum()
    scrollbar.setValue(scrollbar.maximum())
    arrive(crowded, 20, at=3, prefix="v")
    tick(qtbot, crowded, wall, 1)
    assert scrollbar.value() == scrollbar.maximum()

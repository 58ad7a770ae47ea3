"""ScreenPop on its own: title by channel, context summary, countdown, accept/decline by mouse and keys."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.panel.screen_pop import ACCEPT_KEYS, DECLINE_KEYS, CardPop, ScreenPop, context_lines, format_countdown

CHAT = {
    "name": "Chat - Retail banking", "channel": "live_chat", "notification": "screen_pop_decline",
    "screen_pop_timeout_s": 120,
    "context_variables": [
        {"name": "customertier", "display_name": "Customer tier", "type": "text"},
        {"name": "accountbalance", "display_name": "Account balance", "type": "number"},
        {"name": "topic", "display_name": "Topic", "type": "text"},
    ],
}
SMS_TIMEOUT = {"name": "SMS - Alerts", "channel": "sms", "notification": "screen_pop_timeout",
               "screen_pop_timeout_s": 60, "context_variables": []}


def make_pop(qtbot, workstream=CHAT, *, now=0.0, expires_at=120.0, context=None, **kwargs):
    pop = ScreenPop("C-0001", workstream=workstream, queue="VIP", expires_at=expires_at, now=now, agent="Ana Ruiz",
                    context={"customertier": "Gold", "accountbalance": 2450} if context is None else context,
                    **kwargs)
    qtbot.addWidget(pop)
    return pop


def show_active(qtbot, widget):
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitActive(widget):
        widget.activateWindow()


@pytest.mark.parametrize("remaining, text", [(120, "2:00"), (119.2, "2:00"), (90, "1:30"), (59.5, "1:00"),
                                             (0.4, "0:01"), (0, "0:00"), (-3, "0:00")])
def test_format_countdown_rounds_up(remaining, text):
    assert format_countdown(remaining) == text


def test_title_route_and_context_use_display_names(qtbot):
    pop = make_pop(qtbot, toast=True)
    assert pop.title_label.text() == "Incoming chat request"
    assert "VIP" in pop.route_label.text() and "Chat - Retail banking" in pop.route_label.text()
    assert pop.context_rows == [("Customer tier", "Gold"), ("Account balance", "2,450")]
    sms = make_pop(qtbot, SMS_TIMEOUT, context={})
    assert sms.title_label.text() == "Incoming SMS"


def test_context_lines_skip_unset_values_and_keep_undeclared_ones():
    assert context_lines(CHAT, {"topic": "", "customertier": None, "extra": "x"}) == [("extra", "x")]


def test_countdown_reads_the_time_it_is_given(qtbot):
    pop = make_pop(qtbot)
    assert pop.countdown_text == "2:00"
    assert pop.progress.value() == pop.progress.maximum()
    pop.update_time(30)
    assert pop.countdown_label.text() == "1:30"
    assert pop.progress.value() == pop.progress.maximum() * 3 // 4
    assert pop.property("urgent") is False
    pop.update_time(110)
    assert pop.countdown_text == "0:10" and pop.property("urgent") is True
    pop.update_time(500)
    assert pop.countdown_text == "0:00" and pop.progress.value() == 0


def test_accept_and_decline_by_mouse(qtbot):
    pop = make_pop(qtbot)
    pop.show()
    with qtbot.waitSignal(pop.accepted) as blocker:
        qtbot.mouseClick(pop.accept_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["C-0001"]
    assert not pop.accept_button.isEnabled()  # answered once
    other = make_pop(qtbot)
    other.show()
    with qtbot.waitSignal(other.declined) as blocker:
        qtbot.mouseClick(other.decline_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["C-0001", None]  # a stream without decline reasons: no reason


def test_a_timeout_only_pop_has_no_decline(qtbot):
    pop = make_pop(qtbot, SMS_TIMEOUT, expires_at=60)
    assert pop.decline_button is None and not pop.can_decline
    with qtbot.assertNotEmitted(pop.declined):
        pop.decline()
    assert pop.countdown_text == "1:00"


def test_escape_declines_the_focused_pop(qtbot):
    pop = make_pop(qtbot)
    show_active(qtbot, pop)
    pop.accept_button.setFocus()
    with qtbot.waitSignal(pop.declined, timeout=2000):
        qtbot.keyClick(pop.accept_button, Qt.Key.Key_Escape)


@pytest.mark.parametrize("keys, signal", [(ACCEPT_KEYS, "accepted"), (DECLINE_KEYS, "declined")])
def test_notification_shortcuts(qtbot, keys, signal):
    assert (ACCEPT_KEYS, DECLINE_KEYS) == ("Ctrl+Shift+A", "Ctrl+Shift+D")
    pop = make_pop(qtbot, toast=True)
    pop.enable_shortcuts()
    show_active(qtbot, pop)
    key = Qt.Key.Key_A if signal == "accepted" else Qt.Key.Key_D
    with qtbot.waitSignal(getattr(pop, signal), timeout=2000) as blocker:
        qtbot.keyClick(pop, key, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args[0] == "C-0001"


def test_clicking_the_body_selects_the_conversation(qtbot):
    pop = make_pop(qtbot)
    pop.show()
    with qtbot.waitSignal(pop.selected) as blocker:
        qtbot.mouseClick(pop.route_label, Qt.MouseButton.LeftButton)
    assert blocker.args == ["C-0001"]


def test_card_pop_paints_a_compact_pop_with_the_same_behaviour(qtbot):
    pop = CardPop("C-0002", workstream=CHAT, queue="VIP", context={"customertier": "Gold", "topic": "card"},
                  expires_at=140, now=20, agent="Dev Patel")
    qtbot.addWidget(pop)
    pop.resize(260, CardPop.HEIGHT)
    pop.show()
    assert pop.countdown_text == "2:00" and pop.summary == "C-0002 · Gold · card"
    # Queue and work stream are each named as what they are.
    assert pop.title == "Incoming chat" and pop.route == "Queue VIP"
    assert pop.stream_line == "Work stream Chat - Retail banking"
    assert "Customer tier: Gold" in pop.toolTip()
    pop.update_time(50)
    assert pop.countdown_text == "1:30"
    pop.grab()  # paints without warnings
    with qtbot.waitSignal(pop.accepted) as blocker:
        qtbot.mouseClick(pop.accept_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["C-0002"] and pop.answered
    timeout_only = CardPop("C-0003", workstream=SMS_TIMEOUT, queue="Q", context={}, expires_at=60)
    qtbot.addWidget(timeout_only)
    assert timeout_only.decline_button is None and timeout_only.summary == "C-0003 · no context values"


def _on_screen(qtbot, pop):
    """What the window shows (the offscreen platform's backing store), not a fresh render."""
    from PySide6.QtGui import QGuiApplication

    qtbot.waitExposed(pop)
    QGuiApplication.processEvents()
    return QGuiApplication.primaryScreen().grabWindow(pop.winId()).toImage()


@pytest.mark.parametrize("later", [31, 106.5, 130])  # a step, the step into the urgent red, expired
def test_a_card_pop_repainting_only_its_countdown_shows_what_a_fresh_pop_shows(qtbot, later):
    def shown_pop(now):
        pop = CardPop("C-0004", workstream=CHAT, queue="VIP", context={"customertier": "Gold"}, expires_at=120,
                      now=now, agent="Ana Ruiz")
        qtbot.addWidget(pop)
        pop.resize(202, CardPop.HEIGHT)
        pop.show()
        return pop

    stepped = shown_pop(0)
    _on_screen(qtbot, stepped)
    stepped.update_time(later)  # repaints the countdown corner and the bar only (or all when it turns red)
    fresh = shown_pop(later)
    assert stepped.countdown_text == fresh.countdown_text
    assert _on_screen(qtbot, stepped) == _on_screen(qtbot, fresh)


def test_the_toast_shows_another_offer_of_the_same_stream_in_place(qtbot):
    pop = make_pop(qtbot, toast=True, context={"customertier": "Gold", "accountbalance": 2450})
    pop.accept()
    assert pop.answered and not pop.accept_button.isEnabled()
    labels = pop.findChildren(type(pop.route_label))
    assert pop.set_offer("C-0009", workstream=CHAT, queue="Billing", context={"customertier": "Silver",
                         "accountbalance": -20}, expires_at=200, agent="Ana Ruiz", now=110)
    assert pop.findChildren(type(pop.route_label)) == labels  # nothing built again
    assert (pop.conversation_id, pop.queue, pop.answered) == ("C-0009", "Billing", False)
    assert pop.accept_button.isEnabled() and pop.decline_button.isEnabled()
    assert pop.context_rows == [("Customer tier", "Silver"), ("Account balance", "-20")]
    assert [label.text() for label in pop._value_labels] == ["Silver", "-20"]
    assert "Billing" in pop.route_label.text() and pop.countdown_text == "1:30"
    with qtbot.waitSignal(pop.declined) as blocker:
        pop.decline()
    assert blocker.args == ["C-0009", None]
    # Other context rows or another stream: not in place (the caller builds a new pop).
    assert not pop.set_offer("C-0010", workstream=CHAT, queue="VIP", context={"topic": "card"}, expires_at=300)
    assert not pop.set_offer("C-0010", workstream=SMS_TIMEOUT, queue="VIP", context={}, expires_at=300)
    assert pop.conversation_id == "C-0009"


def test_a_card_pop_showing_a_new_offer_after_an_urgent_one_shows_what_a_fresh_pop_shows(qtbot):
    pop = CardPop("C-0005", workstream=CHAT, queue="VIP", context={}, expires_at=120, now=110, agent="Ana Ruiz")
    qtbot.addWidget(pop)
    pop.resize(202, CardPop.HEIGHT)
    pop.show()
    _on_screen(qtbot, pop)
    pop.set_offer("C-0006", workstream=CHAT, queue="VIP", context={"customertier": "Gold"}, expires_at=240,
                  agent="Ana Ruiz", now=110)
    fresh = CardPop("C-0006", workstream=CHAT, queue="VIP", context={"customertier": "Gold"}, expires_at=240,
                    now=110, agent="Ana Ruiz")
    qtbot.addWidget(fresh)
    fresh.resize(202, CardPop.HEIGHT)
    fresh.show()
    assert _on_screen(qtbot, pop) == _on_screen(qtbot, fresh)

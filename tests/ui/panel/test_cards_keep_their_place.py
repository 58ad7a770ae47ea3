"""Groups and cards keep their place when pops come and go.

A card shows one pop in full and a "+N more" line (its tooltip names the others; the
notification pane lists them all), and keeps that room while it has no pop, so the
geometry of every group and card is the same with 0, 1 and 3 pops on a card — and with
chips coming and going.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect

from ui.panel.agent_panel import AgentPanel
from tests.helpers.clocks import FakeWallClock

RETAIL = "Chat - Retail banking"


@pytest.fixture(params=[False, True], ids=["normal", "presentation"])
def panel(request, qtbot, services):
    widget = AgentPanel(services, time_source=FakeWallClock())
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    qtbot.waitExposed(widget)
    widget.driver.timer.stop()
    if request.param:
        widget.set_presentation(True, full_screen=False)
    yield widget
    widget.set_presentation(False)


def geometry(panel) -> dict[str, QRect]:
    """Every group and card, in the canvas's coordinates."""
    canvas = panel.cards_scroll.widget()
    boxes = {f"group {name}": QRect(group.mapTo(canvas, group.rect().topLeft()), group.size())
             for name, group in panel.groups.items()}
    boxes.update({f"card {name}": QRect(card.mapTo(canvas, card.rect().topLeft()), card.size())
                  for name, card in panel.cards.items()})
    return boxes


def send_gold(panel) -> str:
    panel.set_workstream(RETAIL)
    panel.set_field("customertier", "Gold")
    return panel.send_conversation()  # VIP: Ana Ruiz (Dev is offline)


def show(panel, qtbot) -> dict[str, QRect]:
    panel.refresh_all_cards()
    qtbot.wait(1)  # the layout request
    return geometry(panel)


def test_group_and_card_geometry_is_the_same_with_0_1_and_3_pops(panel, qtbot):
    panel.driver.set_presence("Dev Patel", "Offline")
    ana = panel.cards["Ana Ruiz"]
    empty = show(panel, qtbot)
    assert ana.pops == {} and not ana.more_pops.isVisibleTo(ana)

    first = send_gold(panel)
    one = show(panel, qtbot)
    assert list(ana.pops) == [first] and not ana.more_pops.isVisibleTo(ana)
    assert one == empty
    assert ana.pops[first].height() == ana.pop_slot.height()  # the room kept was a pop's, in this type
    assert ana.pops[first].geometry().bottom() < ana.pop_slot.height()

    second, third = send_gold(panel), send_gold(panel)
    three = show(panel, qtbot)
    assert list(ana.pops) == [first]
    assert ana.more_pops.isVisibleTo(ana) and ana.more_pops.full_text() == "+2 more pops waiting"
    assert second in ana.more_pops.toolTip() and third in ana.more_pops.toolTip()
    assert three == empty

    # Accepting brings chips; the next pop moves up into the one full pop's place; nothing else moves.
    panel.accept("Ana Ruiz", first)
    panel.accept("Ana Ruiz", second)
    after = show(panel, qtbot)
    assert list(ana.pops) == [third] and len(ana.chips) >= 1
    assert after == empty


def test_the_notification_pane_lists_every_pop_of_the_agent_in_focus(panel, qtbot):
    panel.driver.set_presence("Dev Patel", "Offline")
    sent = [send_gold(panel) for _ in range(3)]
    panel.focus_agent("Ana Ruiz")
    assert panel.toast_pop.conversation_id == sent[0]
    others = panel.toast.others
    assert others.isVisibleTo(panel.toast) and others.full_text() == f"Also waiting: {sent[1]}, {sent[2]}"
    details = others.toolTip().splitlines()
    assert [line.split(":")[0] for line in details[-2:]] == sent[1:]
    assert all("queue VIP" in line and "until 00:02:" in line for line in details[-2:])
    panel.accept("Ana Ruiz", sent[0])
    panel.accept("Ana Ruiz", sent[1])
    assert panel.toast_pop.conversation_id == sent[2] and not panel.toast.others.isVisibleTo(panel.toast)


def test_cards_of_a_panel_are_equally_tall(panel):
    heights = {card.height() for card in panel.cards.values()}
    assert len(heights) == 1

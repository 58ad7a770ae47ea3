"""A card's presence drop-down shows every presence at once: Offline without a scroll.

With the console's own style (its item-view padding is what left the last presence under
a scroll arrow), in normal and presentation type, the open list's rows all lie inside its
viewport, nothing scrolls, and the list stays on the screen.
"""
from __future__ import annotations

import pytest

# Offscreen, an open list can be neither raised nor given the keyboard; neither matters here.

from ui.panel.agent_panel import AgentPanel
from tests.helpers.clocks import FakeWallClock


@pytest.fixture
def panel(qtbot, services, styled):
    widget = AgentPanel(services, time_source=FakeWallClock())
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    qtbot.waitExposed(widget)
    widget.driver.timer.stop()
    return widget


def open_list_problems(combo) -> list[str]:
    view = combo.view()
    combo.showPopup()
    try:
        popup = view.window()
        screen = combo.screen().availableGeometry()
        problems = []
        if view.verticalScrollBar().maximum() > 0:
            problems.append(f"the list scrolls by {view.verticalScrollBar().maximum()}px")
        for row in range(combo.count()):
            rect = view.visualRect(combo.model().index(row, 0))
            if rect.top() < 0 or rect.bottom() >= view.viewport().height():
                problems.append(f"'{combo.itemText(row)}' is outside the open list ({rect.top()}..{rect.bottom()}, "
                                f"list {view.viewport().height()}px high)")
        if not screen.contains(popup.geometry()):
            problems.append(f"the list {popup.geometry()} leaves the screen {screen}")
        return problems
    finally:
        combo.hidePopup()


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_every_presence_shows_without_scrolling(panel, presentation):
    if presentation:
        panel.set_presentation(True, full_screen=False)
    for agent in ("Ben Okafor", "Dev Patel"):  # a card in the first group and one lower down
        combo = panel.cards[agent].presence_combo
        assert combo.itemText(combo.count() - 1) == "Offline"
        assert combo.count() >= 7
        assert open_list_problems(combo) == [], agent
    if presentation:
        panel.set_presentation(False)


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_choosing_offline_from_the_open_list_reaches_the_simulator(panel, qtbot):
    combo = panel.cards["Ben Okafor"].presence_combo
    combo.showPopup()
    combo.hidePopup()
    combo.activated.emit(combo.findText("Offline"))
    assert panel.driver.simulator.agent("Ben Okafor").presence == "Offline"

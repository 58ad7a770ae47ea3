"""Presentation mode (View → Presentation, F11): large type, the window's chrome hidden, and back."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.panel.agent_cards import CARD_WIDTH
from ui.panel.agent_panel import AgentPanel
from ui.shell.main_window import MainWindow
from tests.helpers.clocks import FakeWallClock


def test_f11_presents_the_panel_and_f11_again_comes_back(qtbot, services):
    window = MainWindow(services, restore_settings=False, remember_settings=False,
                        panel_factory=lambda svc, parent: AgentPanel(svc, parent, time_source=FakeWallClock()))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    assert window.current_view() != "agent-panel"
    nav = window.findChild(QWidget, "navPane")
    qtbot.keyClick(window, Qt.Key.Key_F11)
    panel = window.agent_panel
    assert window.current_view() == "agent-panel" and panel.presentation
    assert window.act_presentation.isChecked()
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible() and not nav.isVisible()
    assert panel.clock_label.font().pointSizeF() >= 30
    normal = window.font().pointSizeF()
    card = panel.cards["Ana Ruiz"]
    assert card.name_label.font().pointSizeF() >= 1.4 * normal  # every text larger, not only the clock
    assert panel.log_view.font().pointSizeF() >= 1.4 * normal
    assert all(card.width() == int(CARD_WIDTH * 1.5) for card in panel.cards.values())
    assert panel.exit_presentation_button.isVisible()
    panel.screenshot_state()  # the simulation runs on in presentation mode
    assert any(card.pops for card in panel.cards.values())
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert not panel.presentation and not window.act_presentation.isChecked()
    assert window.menuBar().isVisible() and window.statusBar().isVisible() and nav.isVisible()
    assert all(card.width() == CARD_WIDTH for card in panel.cards.values())
    assert panel.cards["Ana Ruiz"].name_label.font().pointSizeF() == normal
    assert any(card.pops for card in panel.cards.values())  # the same simulation, shown again


def test_the_exit_button_leaves_presentation_and_unchecks_the_menu(qtbot, services):
    window = MainWindow(services, restore_settings=False, remember_settings=False,
                        panel_factory=lambda svc, parent: AgentPanel(svc, parent, time_source=FakeWallClock()))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.act_presentation.setChecked(True)
    panel = window.agent_panel
    qtbot.mouseClick(panel.exit_presentation_button, Qt.MouseButton.LeftButton)
    assert not panel.presentation and not window.act_presentation.isChecked()
    assert window.menuBar().isVisible()

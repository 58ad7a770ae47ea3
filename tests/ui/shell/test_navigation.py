"""The navigation pane: its views, and its collapsed (icons only) mode in the window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from ui.common.icons import app_icon, icon
from ui.shell.actions import VIEWS, view_shortcut
from ui.shell.main_window import MainWindow
from ui.shell.window_settings import SETTINGS_NAV_COLLAPSED
from ui.shell.navigation import COLLAPSED_WIDTH, EXPANDED_WIDTH, ROW_HEIGHT, NavPane


@pytest.fixture
def pane(qtbot):
    widget = NavPane("Workstream Console", app_icon(),
                     [(key, label, icon(name), view_shortcut(key)) for key, label, name in VIEWS],
                     "console.db", "/data/console.db", toggle_keys="Ctrl+Shift+B")
    qtbot.addWidget(widget)
    widget.resize(EXPANDED_WIDTH, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def make_window(qtbot, services, styled):
    def make(width: int, height: int = 700, **kwargs):
        window = MainWindow(services, **kwargs)
        qtbot.addWidget(window)
        window.resize(width, height)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def shown_text(pane: NavPane, row: int) -> str:
    """The text the pane's delegate paints for a row (the item keeps its name either way)."""
    option = QStyleOptionViewItem()
    pane.nav.itemDelegate().initStyleOption(option, pane.nav.model().index(row, 0))
    return option.text


# --------------------------------------------------------------------------- the pane


def test_picking_a_view_asks_for_it_and_marking_one_does_not(qtbot, pane):
    asked = []
    pane.viewRequested.connect(asked.append)
    pane.nav.setCurrentRow(2)
    assert asked == ["agents"]
    pane.set_current("queues")
    assert asked == ["agents"] and pane.nav.currentItem().text() == "Queues"
    pane.set_current("")
    assert pane.nav.currentRow() == -1


def test_collapsed_shows_icons_only_with_the_names_and_keys_in_tooltips(qtbot, pane):
    assert pane.width() == EXPANDED_WIDTH and pane.brand_name.isVisible() and pane.brand_db.isVisible()
    assert shown_text(pane, 0) == "Work streams"
    rows_before = [pane.nav.visualItemRect(pane.nav.item(i)).top() for i in range(pane.nav.count())]
    pane.set_collapsed(True)
    qtbot.waitUntil(lambda: pane.width() == COLLAPSED_WIDTH)
    assert pane.is_collapsed()
    assert pane.logo.isVisible() and not pane.brand_name.isVisible() and not pane.brand_db.isVisible()
    assert [shown_text(pane, i) for i in range(pane.nav.count())] == [""] * len(VIEWS)
    assert [pane.nav.item(i).text() for i in range(pane.nav.count())] == [label for _k, label, _i in VIEWS]
    assert pane.nav.item(1).toolTip() == f"Queues ({view_shortcut('queues')})"
    assert pane.toggle_button.toolTip().startswith("Expand the navigation")
    assert "Ctrl+Shift+B" in pane.toggle_button.toolTip()
    # the rows keep their height: only the brand above them changes
    qtbot.waitUntil(lambda: pane.nav.visualItemRect(pane.nav.item(1)).height() == ROW_HEIGHT)
    heights = {pane.nav.visualItemRect(pane.nav.item(i)).height() for i in range(pane.nav.count())}
    assert heights == {ROW_HEIGHT}
    # every icon whole inside the narrow list
    for i in range(pane.nav.count()):
        assert pane.nav.viewport().rect().contains(pane.nav.visualItemRect(pane.nav.item(i)))
    pane.set_collapsed(False)
    qtbot.waitUntil(lambda: pane.width() == EXPANDED_WIDTH)
    assert shown_text(pane, 0) == "Work streams" and pane.brand_name.isVisible()
    qtbot.waitUntil(lambda: pane.nav.visualItemRect(pane.nav.item(1)).top() == rows_before[1])
    assert [pane.nav.visualItemRect(pane.nav.item(i)).top() for i in range(pane.nav.count())] == rows_before


def test_the_toggle_asks_and_the_window_decides(qtbot, pane):
    asked = []
    pane.collapseRequested.connect(asked.append)
    pane.toggle_button.click()
    assert asked == [True] and not pane.is_collapsed()  # the pane waits for the window
    pane.set_collapsed(True)
    pane.toggle_button.click()
    assert asked == [True, False]


# --------------------------------------------------------------------------- in the window


def test_a_narrow_window_starts_collapsed_and_a_wide_one_expanded(make_window):
    narrow = make_window(1024, restore_settings=False, remember_settings=False)
    assert narrow.nav_pane.is_collapsed() and narrow.nav_pane.width() == COLLAPSED_WIDTH
    assert narrow.act_collapse_navigation.isChecked()
    wide = make_window(1280, restore_settings=False, remember_settings=False)
    assert not wide.nav_pane.is_collapsed() and wide.nav_pane.width() == EXPANDED_WIDTH
    assert not wide.act_collapse_navigation.isChecked()


def test_until_the_user_chooses_the_width_decides(qtbot, make_window):
    window = make_window(1280, restore_settings=False, remember_settings=False)
    window.resize(1024, 700)
    qtbot.waitUntil(window.nav_pane.is_collapsed)
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: not window.nav_pane.is_collapsed())
    window.act_collapse_navigation.trigger()  # the user's choice: kept whatever the width
    assert window.nav_pane.is_collapsed() and window.navigation_choice is True
    window.resize(1500, 800)
    qtbot.waitUntil(lambda: window.width() == 1500)
    assert window.nav_pane.is_collapsed()


def test_the_toggle_button_and_the_menu_stay_in_step(qtbot, make_window):
    window = make_window(1280, restore_settings=False, remember_settings=False)
    assert window.act_collapse_navigation.shortcut().toString() == "Ctrl+Shift+B"
    assert window.act_collapse_navigation in window.menuBar().actions()[2].menu().actions()  # View
    window.nav_pane.toggle_button.click()
    assert window.nav_pane.is_collapsed() and window.act_collapse_navigation.isChecked()
    assert window.navigation_choice is True
    window.act_collapse_navigation.trigger()
    assert not window.nav_pane.is_collapsed() and not window.nav_pane.toggle_button.text() == "»"
    assert window.navigation_choice is False


def test_the_keyboard_collapses_and_expands(qtbot, make_window):
    window = make_window(1280, restore_settings=False, remember_settings=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.lists["workstreams"].focus_list()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_B, modifiers)
    assert window.nav_pane.is_collapsed()
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_B, modifiers)
    assert not window.nav_pane.is_collapsed()


def test_the_choice_is_remembered_and_never_choosing_writes_nothing(qtbot, make_window):
    untouched = make_window(1024)
    assert untouched.close()
    assert QSettings().value(SETTINGS_NAV_COLLAPSED) is None  # still "by width" next time
    first = make_window(1024)
    assert first.nav_pane.is_collapsed()
    first.act_collapse_navigation.trigger()  # expanded, though narrow
    assert first.close()
    second = make_window(1024)
    assert not second.nav_pane.is_collapsed() and second.navigation_choice is False
    second.act_collapse_navigation.trigger()
    assert second.close()
    third = make_window(1920, 1080)
    assert third.nav_pane.is_collapsed() and third.act_collapse_navigation.isChecked()


def test_a_collapsed_pane_gives_its_width_to_the_page(make_window):
    window = make_window(1024, restore_settings=False, remember_settings=False)
    page = window.page_widget("workstreams")
    assert window.nav_pane.width() + page.width() <= window.width()
    assert page.width() >= window.width() - COLLAPSED_WIDTH - 2

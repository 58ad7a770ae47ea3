"""At 1024x700, with the console's own style: nothing overlaps, nothing vanishes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QToolButton, QWidget

from ui.shell.main_window import MainWindow

RETAIL = "Chat - Retail banking"


@pytest.fixture
def small_window(qtbot, services, styled):
    window = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    return window


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def assert_side_by_side(widgets: list[QWidget], container: QWidget) -> None:
    """Each shown whole (not squeezed under its text), inside the container, none over another."""
    rects = [rect_in(w, container) for w in widgets]
    for widget, rect in zip(widgets, rects):
        assert widget.isVisible(), widget.objectName() or widget.text()
        assert widget.width() >= widget.minimumSizeHint().width(), f"{widget.objectName()} squeezed"
        assert container.rect().contains(rect), f"{widget.objectName() or widget.text()} {rect} outside"
    for i, first in enumerate(rects):
        for second in rects[i + 1:]:
            assert not first.intersects(second), f"{first} overlaps {second}"


def test_the_routing_rules_buttons_do_not_overlap(qtbot, small_window, services):
    small_window.open_workstream(services.workstream_id_by_name(RETAIL), tab="routing-rules")
    editor = small_window.editor
    qtbot.waitUntil(editor.rules_view.isVisible)
    buttons = [editor.new_rule_button, editor.edit_rule_button, editor.delete_rule_button,
               editor.move_up_button, editor.move_down_button]
    assert_side_by_side(buttons, buttons[0].parentWidget())
    assert all(b.toolTip() for b in buttons)  # the arrows say what they do


@pytest.mark.parametrize("editing", [False, True])
def test_every_command_stays_on_the_bar(qtbot, small_window, services, editing):
    if editing:
        small_window.open_workstream(services.workstream_id_by_name(RETAIL))
    bar = small_window.command_bar
    qtbot.waitUntil(lambda: bar.width() > 0)
    shown = [bar.widgetForAction(a) for a in bar.actions() if a.isVisible() and not a.isSeparator()]
    assert {b.defaultAction().text() for b in shown} >= {"Delete", "Refresh"}
    assert_side_by_side(shown, bar)
    overflow = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow is None or not overflow.isVisible()  # nothing tucked behind an arrow
    assert not rect_in(bar, small_window).intersects(rect_in(small_window.search_box, small_window)) \
        or not small_window.search_box.isVisible()


def test_the_first_tab_fits_without_sideways_scrolling_or_clipped_hints(qtbot, small_window, services):
    from PySide6.QtWidgets import QLabel, QScrollArea

    small_window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = small_window.editor
    scroll = editor.findChild(QScrollArea, "workDistributionPage")
    qtbot.waitUntil(scroll.isVisible)
    qtbot.waitUntil(lambda: not scroll.horizontalScrollBar().isVisible(), timeout=2000)  # once laid out
    viewport = scroll.viewport()
    for label in scroll.widget().findChildren(QLabel):
        if label.isVisible() and label.text():
            right = label.mapTo(viewport, label.rect().topLeft()).x() + min(label.width(), label.sizeHint().width())
            assert right <= viewport.width(), f"'{label.text()}' runs off the edge"

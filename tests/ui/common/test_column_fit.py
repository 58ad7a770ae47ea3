"""fit_columns: a table never scrolls sideways; the slack column elides with a tooltip."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView, QToolTip

from ui.common.column_fit import CELL_PADDING, fit_columns

LONG = "A very long free-text description that will never fit beside the other columns of this table"


def make_table(qtbot, rows, width, slack=None):
    model = QStandardItemModel(0, 4)
    model.setHorizontalHeaderLabels(["Name", "Queue", "Description", "Count"])
    for row in rows:
        model.appendRow([QStandardItem(text) for text in row])
    view = QTableView()
    view.setModel(model)
    view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    qtbot.addWidget(view)
    fit_columns(view, slack)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    return view, model


def widths(view):
    return [view.columnWidth(c) for c in range(view.model().columnCount())]


def test_the_stretching_column_takes_the_slack_and_the_others_fit_their_contents(qtbot):
    view, _model = make_table(qtbot, [["Ana Ruiz", "VIP", LONG, "3"], ["Ben Okafor", "General", "short", "12"]], 700)
    assert not view.horizontalScrollBar().isVisible()
    assert sum(widths(view)) == view.viewport().width()
    name_needs = view.fontMetrics().horizontalAdvance("Ben Okafor")
    assert view.columnWidth(0) >= name_needs  # whole
    assert view.columnWidth(2) < view.fontMetrics().horizontalAdvance(LONG)  # the slack, elided


@pytest.mark.qt_log_ignore("does not support")
def test_an_elided_cell_has_its_whole_text_as_a_tooltip_and_a_whole_one_none(qtbot):
    view, _model = make_table(qtbot, [["Ana Ruiz", "VIP", LONG, "3"]], 600)
    cut = view.visualRect(view.model().index(0, 2)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, cut, view.viewport().mapToGlobal(cut))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.isVisible() and QToolTip.text() == LONG
    QToolTip.hideText()
    whole = view.visualRect(view.model().index(0, 0)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, whole, view.viewport().mapToGlobal(whole))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.text() != "Ana Ruiz"


def test_when_even_the_others_are_too_wide_the_widest_gives_way(qtbot):
    long_name = "Bartholomew Alexander Featherstonehaugh-Cholmondeley the Third of That Ilk"
    view, model = make_table(qtbot, [[long_name, "VIP", LONG, "3"]], 520)
    assert not view.horizontalScrollBar().isVisible()
    assert sum(widths(view)) <= view.viewport().width()
    assert view.columnWidth(2) >= 120  # the slack keeps its minimum
    assert view.columnWidth(0) < view.fontMetrics().horizontalAdvance(long_name) + CELL_PADDING
    # Wider again: everything as wide as it wants.
    view.resize(1900, 300)
    QApplication.processEvents()
    assert view.columnWidth(0) >= view.fontMetrics().horizontalAdvance(long_name)
    assert sum(widths(view)) == view.viewport().width()


def test_rows_that_arrive_later_refit(qtbot):
    view, model = make_table(qtbot, [["Ana", "VIP", "x", "3"]], 700)
    before = view.columnWidth(0)
    model.appendRow([QStandardItem(t) for t in ["Emma Lindqvist-Johansson", "General", "y", "4"]])
    QApplication.processEvents()
    assert view.columnWidth(0) > before
    assert sum(widths(view)) == view.viewport().width()


def test_when_not_even_the_headers_fit_they_are_cut_rather_than_the_slack(qtbot):
    """Seven columns beside a wide navigation at 1024 px: the names stay readable."""
    model = QStandardItemModel(0, 7)
    model.setHorizontalHeaderLabels(["Name", "A rather long heading", "Another long heading", "Third heading",
                                     "Fourth heading", "Fifth heading", "Sixth heading"])
    model.appendRow([QStandardItem("Chat - Retail banking")] + [QStandardItem("x") for _ in range(6)])
    view = QTableView()
    view.setModel(model)
    view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    qtbot.addWidget(view)
    fit_columns(view)
    header = view.horizontalHeader()
    headers_need = sum(header.sectionSizeHint(c) for c in range(1, 7))
    view.resize(headers_need + 60, 200)  # less than the other headers plus the slack's minimum
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    assert view.columnWidth(0) >= 120  # the slack keeps its minimum: the name is not "…"
    assert sum(widths(view)) <= view.viewport().width()
    assert all(view.columnWidth(c) >= header.minimumSectionSize() for c in range(1, 7))


@pytest.mark.parametrize("share", [0.0, 0.6])
def test_a_name_in_the_slack_is_whole_before_the_others_long_texts_with_a_share(qtbot, share):
    name, notification = "Chat - Investments desk (private clients)", "Screen pop with decline and a timeout"
    model = QStandardItemModel(0, 3)
    model.setHorizontalHeaderLabels(["Name", "Notification", "Queue"])
    model.appendRow([QStandardItem(name), QStandardItem(notification), QStandardItem("VIP")])
    view = QTableView()
    view.setModel(model)
    view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    qtbot.addWidget(view)
    fitter = fit_columns(view)
    fitter.set_slack_share(share)
    metrics = view.fontMetrics()
    name_needs, notification_needs = metrics.horizontalAdvance(name), metrics.horizontalAdvance(notification)
    # Room for the name or for the notification whole, not for both.
    view.resize(max(name_needs, notification_needs) + 200, 200)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    whole = (view.columnWidth(0) >= name_needs, view.columnWidth(1) >= notification_needs)
    assert whole == ((True, False) if share else (False, True))
    assert sum(widths(view)) <= view.viewport().width()

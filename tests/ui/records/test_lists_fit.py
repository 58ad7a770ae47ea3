"""The record lists never scroll sideways at 1024 px: the free-text column takes the slack
(eliding, with the whole text as a tooltip) and the others size to their contents."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from ui.records.pages import LIST_VIEWS
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot, services, styled):
    main = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(main)
    main.resize(1024, 700)
    main.show()
    qtbot.waitExposed(main)
    return main


def sideways_problems(table) -> list[str]:
    header = table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))
    problems = []
    if table.horizontalScrollBar().isVisible():
        problems.append(f"{table.objectName()}: a horizontal scroll bar is shown")
    if used > table.viewport().width():
        problems.append(f"{table.objectName()}: columns take {used}px of {table.viewport().width()}px")
    return problems


@pytest.mark.parametrize("key", LIST_VIEWS)
def test_no_list_scrolls_sideways_at_1024(qtbot, window, key):
    window.show_view(key)
    page = window.lists[key]
    table = page.table
    for _ in range(3):
        QApplication.processEvents()
    assert page.model.rowCount() > 0
    assert sideways_problems(table) == []

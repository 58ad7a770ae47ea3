"""Spin boxes and date fields start their text where a line edit does (ui/common/spin_boxes.py)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QDateTime
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit, QSpinBox, QVBoxLayout, QWidget

from ui.common.spin_boxes import TEXT_INSET, DateEdit, DateTimeEdit, DoubleSpinBox, SpinBox


def first_text_column(image, widget) -> int:
    """How far into ``widget`` the first dark (text) pixel is; the border is lighter."""
    area = widget.geometry()
    for x in range(area.left() + 2, area.right()):
        for y in range(area.top() + 4, area.bottom() - 4):
            if QColor(image.pixel(x, y)).lightness() < 90:
                return x - area.left()
    raise AssertionError("no text drawn")


@pytest.mark.usefixtures("styled")
def test_the_text_lines_up_with_a_line_edits_and_a_bare_spin_box_would_not(qtbot):
    page = QWidget()
    layout = QVBoxLayout(page)
    line = QLineEdit("100")
    ours = SpinBox()
    ours.setRange(0, 1000)
    ours.setValue(100)
    bare = QSpinBox()  # what the house rule keeps out of ui/
    bare.setRange(0, 1000)
    bare.setValue(100)
    for widget in (line, ours, bare):
        layout.addWidget(widget)
    qtbot.addWidget(page)
    page.resize(300, 160)
    page.show()
    qtbot.waitExposed(page)
    image = page.grab().toImage()
    assert abs(first_text_column(image, ours) - first_text_column(image, line)) <= 2
    assert first_text_column(image, line) - first_text_column(image, bare) >= TEXT_INSET - 3


@pytest.mark.parametrize("make", [SpinBox, DoubleSpinBox, lambda: DateEdit(QDate(2026, 12, 3)),
                                  lambda: DateTimeEdit(QDateTime(QDate(2026, 12, 3).startOfDay()))])
def test_every_kind_is_indented_when_made(qtbot, make):
    box = make()
    qtbot.addWidget(box)
    assert box.lineEdit().textMargins().left() == TEXT_INSET

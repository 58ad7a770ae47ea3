"""The console's spin boxes and date fields: Qt's, with their text inset like a line edit's.

Style sheets ignore a spin box's left padding (its line edit starts at the border), so the
text would sit 4 px from the edge while line edits and combo boxes start at 13.  Each class
here indents its own line edit when it is made.  (This used to be a QProxyStyle hook on every
polished widget; a Python style costs every start-up ~8 ms and wraps each widget it polishes.)
tests/test_house_rules.py checks that ui/ makes no spin box or date field but these.
"""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox, QDateEdit, QDateTimeEdit, QDoubleSpinBox, QSpinBox

TEXT_INSET = 9  # px: where a line edit's text starts, past its border and padding


def inset_text(box: QAbstractSpinBox) -> None:
    """Indent the text of a spin box Qt made (an item view's default editor, say)."""
    edit = box.lineEdit()
    if edit is not None and edit.textMargins().left() < TEXT_INSET:
        edit.setTextMargins(TEXT_INSET, 0, 0, 0)


class SpinBox(QSpinBox):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inset_text(self)


class DoubleSpinBox(QDoubleSpinBox):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inset_text(self)


class DateEdit(QDateEdit):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inset_text(self)


class DateTimeEdit(QDateTimeEdit):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inset_text(self)

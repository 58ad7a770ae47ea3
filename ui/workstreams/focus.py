"""Keyboard focus helpers of the work stream editor's forms."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QButtonGroup


class _TabToChecked(QObject):
    def __init__(self, group: QButtonGroup):
        super().__init__(group)
        self.group = group
        for button in group.buttons():
            button.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusIn and isinstance(event, QFocusEvent):
            reason = event.reason()
            checked = self.group.checkedButton()
            if reason in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason) \
                    and checked is not None and checked is not watched and checked.isEnabled():
                checked.setFocus(reason)
        return False


def tab_to_checked(group: QButtonGroup) -> None:
    """Tab into a radio group lands on its chosen button (as on every desktop), not on the first
    one: Space there would otherwise change the choice by accident."""
    _TabToChecked(group)

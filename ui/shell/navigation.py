"""The left navigation's look."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem


class NavDelegate(QStyledItemDelegate):
    """Navigation items, with the Fluent selection mark: a short brand-coloured bar on the left."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        view = self.parent()
        if view is not None and view.selectionModel().isSelected(index):
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#0F6CBD"))
            bar = QRectF(option.rect.left() + 1, option.rect.center().y() - 8, 3, 16)
            painter.drawRoundedRect(bar, 1.5, 1.5)
            painter.restore()

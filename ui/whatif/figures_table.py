"""A small read-only table of one section of a run's figures (per skill, per overflow queue).

``FiguresTableModel`` shows rows ``{name: {figure: value}}`` in chosen columns, each value
formatted as the report formats it (percentages, seconds; with replications the mean, and
"mean (low – high)" in the tooltip, as the KPI tiles show the mean); ``FiguresTable`` is a view that is exactly as tall as its rows, so a run's
column in the lab's scroll area never clips it and never shows a scroll bar of its own.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex


class FiguresTableModel(QAbstractTableModel):
    """Rows of figures: the row's name first, then one column per figure."""

    def __init__(self, first_header: str, columns: Sequence[tuple[str, str]], parent=None):
        """``columns``: (figure name, header) pairs."""
        super().__init__(parent)
        self._first_header = first_header
        self._columns = tuple(columns)
        self._rows: list[tuple[str, Mapping[str, Any]]] = []

    def set_rows(self, rows: Mapping[str, Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows.items())
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section <= len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._first_header if section == 0 else self._columns[section - 1][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() <= len(self._columns):
            return None
        name, row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return name
            from app.simulation.report import format_value

            figure = self._columns[column - 1][0]
            value = row.get(figure)
            if role == Qt.ItemDataRole.DisplayRole and isinstance(value, dict):
                value = value.get("mean")  # replications: the mean here, with its 95 % CI in the tooltip
            return format_value(figure, value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None


class FiguresTable(QTableView):
    """A ``FiguresTableModel`` at its full height (no inner scrolling), columns sized to their text."""

    def __init__(self, model: FiguresTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        model.modelReset.connect(self._fit_height)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the header and the rows; at least as wide as every column's text."""
        model, header = self.model(), self.horizontalHeader()
        height = header.sizeHint().height() + 2 * self.frameWidth()
        height += model.rowCount() * self.verticalHeader().defaultSectionSize()
        self.setFixedHeight(height)
        width = sum(max(header.sectionSizeHint(column), self.sizeHintForColumn(column))
                    for column in range(model.columnCount()))
        self.setMinimumWidth(width + 2 * self.frameWidth())


__all__ = ["FiguresTable", "FiguresTableModel"]

"""Bundle history: every bundle exported from or imported into this database.

``BundleHistoryModel`` caches ``app.interchange.bundle_service.history(db)`` (one call per
refresh, never a query per cell); ``BundleHistoryDialog`` shows it newest first,
or an empty state.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.interchange import bundle_service
from app.common.errors import UserError
from ui.records.list_models import (
    DASH, LEFT, RIGHT, Column, ListProxyModel, RowTableModel, format_modified, sort_timestamp,
)

DIRECTIONS = {"import": "Import", "export": "Export"}
KINDS = {"full": "Full", "delta": "Delta", "cmt": "CMT package"}


def _count(attribute: str) -> Column:
    def display(row) -> str:
        return DASH if row.direction == "export" else str(getattr(row, attribute))

    return Column(attribute.capitalize(), display,
                  lambda row: -1 if row.direction == "export" else getattr(row, attribute), RIGHT)


class BundleHistoryModel(RowTableModel):
    """The history rows, cached; columns When … Baseline."""

    noun = ("bundle", "bundles")
    extra_roles = frozenset({Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole})
    columns = (
        Column("When", lambda r: format_modified(r.at), lambda r: sort_timestamp(r.at)),
        Column("Direction", lambda r: DIRECTIONS.get(r.direction, r.direction), lambda r: r.direction),
        Column("File", lambda r: Path(r.file).name or r.file, lambda r: Path(r.file).name.casefold()),
        Column("Label", lambda r: r.label or DASH, lambda r: r.label.casefold()),
        Column("Kind", lambda r: KINDS.get(r.kind, r.kind), lambda r: r.kind),
        _count("created"),
        _count("updated"),
        _count("deleted"),
        Column("Baseline", lambda r: r.baseline_id[:12] or DASH, lambda r: r.baseline_id, LEFT),
    )
    FILE_COLUMN, LABEL_COLUMN, COUNT_COLUMNS, BASELINE_COLUMN = 2, 3, (5, 6, 7), 8

    def load(self):
        return bundle_service.history(self.services.db)

    def extra_data(self, item, column, role):
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.FILE_COLUMN:
                return item.file
            if column == self.BASELINE_COLUMN and item.baseline_id:
                return f"Baseline {item.baseline_id}"
        if role == Qt.ItemDataRole.AccessibleTextRole and column == self.BASELINE_COLUMN:
            return item.baseline_id or "none"
        return None


class BundleHistoryDialog(QDialog):
    """A read-only table of the bundle history, newest first."""

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.setObjectName("bundleHistoryDialog")
        self.setWindowTitle("Bundle history")
        self.setModal(True)
        self.setMinimumSize(QSize(900, 420))
        self.resize(1120, 540)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 18)
        outer.setSpacing(10)
        heading = QLabel("Bundle history")
        heading.setProperty("role", "dialogTitle")
        outer.addWidget(heading)
        hint = QLabel("Bundles exported from and imported into this database, newest first. An import is listed "
                      "with what it created, updated and deleted; the baseline is what later deltas build on.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        outer.addWidget(hint)

        self.model = BundleHistoryModel(services, self)
        self.proxy = ListProxyModel(self.model, self)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setSortingEnabled(True)
        self.table.setFrameShape(QFrame.Shape.NoFrame)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(60)
        for column in range(self.model.columnCount()):
            if column == BundleHistoryModel.FILE_COLUMN:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            elif column == BundleHistoryModel.LABEL_COLUMN:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(column, 190)
            elif column in BundleHistoryModel.COUNT_COLUMNS:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, 92)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.empty = QLabel("No bundles yet.\nBundles you export or import with File › Export bundle… and "
                            "File › Import bundle… are listed here.")
        self.empty.setObjectName("historyEmpty")
        self.empty.setProperty("role", "emptyText")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        outer.addWidget(self.stack, 1)

        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        outer.addWidget(self.error_label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        outer.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.model.refresh()
        except UserError as error:
            self.error_label.setText(f"Can't read the history: {error}")
            self.error_label.show()
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.stack.setCurrentWidget(self.table if self.model.rowCount() else self.empty)

    def is_empty(self) -> bool:
        return self.model.rowCount() == 0

"""The Doctor view: every finding about the configuration, with jump-to.

The examination runs in the background (progress + Cancel); the table lists
findings worst first, filterable by severity; the pane below explains the
selected one (its paths and, for a rule, the context to try in Test routing).
Enter or double-click emits ``jumpRequested(workstream, tab, rule_index)``:
the shell opens the editor there.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.doctor.findings import SEVERITIES, SEVERITY_RANK, Finding, at_or_above

SEVERITY_COLOURS = {"error": "#d13438", "warning": "#c27c0e", "info": "#0f6cbd"}
SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Info"}
ROUTING_TAB = "routing-rules"
DISTRIBUTION_TAB = "work-distribution"
VARIABLES_TAB = "context-variables"
FindingRole = Qt.ItemDataRole.UserRole + 1


def severity_icon(severity: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(SEVERITY_COLOURS[severity]))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def tab_for(finding: Finding) -> str:
    """The editor tab a finding is about."""
    if finding.rule_index is not None or finding.code.startswith(("rule-", "default-queue")):
        return ROUTING_TAB
    if finding.code.startswith("variable-"):
        return VARIABLES_TAB
    return DISTRIBUTION_TAB


def witness_text(witness: dict | None, labels: dict[str, str] | None = None) -> str:
    """``Customer tier = "gold", Amount = 5`` (variables by their display names when given)."""
    if witness is None:
        return ""
    if not witness:
        return "(no context values)"
    labels = labels or {}
    return ", ".join(f"{labels.get(name, name)} = {json.dumps(value, ensure_ascii=False)}"
                     for name, value in witness.items())


def short_message(finding: Finding) -> str:
    """The message without its leading "'Work stream': " (the table has a column for that)."""
    prefix = f"'{finding.workstream}': "
    text = finding.message[len(prefix):] if finding.workstream and finding.message.startswith(prefix) else \
        finding.message
    return text[:1].upper() + text[1:]


class FindingsModel(QAbstractTableModel):
    """Findings as rows: severity, code, work stream, message."""

    HEADERS = ("Severity", "Finding", "Work stream", "Why")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Finding] = []
        self._icons: dict[str, QIcon] = {}

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self._rows = list(findings)
        self.endResetModel()

    def finding(self, row: int) -> Finding:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        finding = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (SEVERITY_LABELS[finding.severity], finding.code, finding.workstream or "—",
                    short_message(finding))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = finding.message
            if finding.witness is not None:
                tip += f"\nTry: {witness_text(finding.witness)}"
            return tip
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            if finding.severity not in self._icons:
                self._icons[finding.severity] = severity_icon(finding.severity)
            return self._icons[finding.severity]
        if role == Qt.ItemDataRole.UserRole:  # the sort key
            return (SEVERITY_RANK[finding.severity], finding.code, (finding.workstream or "").casefold(),
                    finding.message)[column]
        if role == FindingRole:
            return finding
        return None


class FindingsFilter(QSortFilterProxyModel):
    """Findings at or above a severity."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.threshold = "info"
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def set_threshold(self, severity: str) -> None:
        self.beginFilterChange()
        self.threshold = severity
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        finding = model.data(model.index(source_row, 0, source_parent), FindingRole)
        return finding is not None and at_or_above(finding.severity, self.threshold)


class FindingsTable(QTableView):
    activatedFinding = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activatedFinding.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class DoctorView(QWidget):
    """Lists findings; ``examine`` runs the doctor through ``run_examination``."""

    jumpRequested = Signal(str, str, int)  # work stream, editor tab, rule index (-1: none)
    examined = Signal(int)  # the number of findings, after each examination

    def __init__(self, run_examination: Callable[["DoctorView"], None] | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("doctorView")
        self._run_examination = run_examination
        self.model = FindingsModel(self)
        self.proxy = FindingsFilter(self)
        self.proxy.setSourceModel(self.model)

        self.check_button = QPushButton("&Check configuration")
        self.check_button.setObjectName("doctorCheck")
        self.check_button.clicked.connect(self.examine)
        self.severity = QComboBox()
        self.severity.setObjectName("doctorSeverity")
        for severity, label in (("info", "All findings"), ("warning", "Warnings and errors"), ("error", "Errors only")):
            self.severity.addItem(label, severity)
        self.severity.setAccessibleName("Show")
        self.severity.currentIndexChanged.connect(self._filter_changed)
        self.summary = QLabel("")
        self.summary.setObjectName("doctorSummary")
        show_label = QLabel("&Show:")
        show_label.setBuddy(self.severity)
        top = QHBoxLayout()
        top.addWidget(self.check_button)
        top.addSpacing(12)
        top.addWidget(show_label)
        top.addWidget(self.severity)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)

        self.table = FindingsTable()
        self.table.setObjectName("doctorFindings")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 160)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._jump)
        self.table.activatedFinding.connect(self._jump)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)

        self.detail = QTextBrowser()
        self.detail.setObjectName("doctorDetail")
        self.detail.setOpenLinks(False)
        self.open_button = QPushButton("&Open in editor")
        self.open_button.setObjectName("doctorOpen")
        self.open_button.setEnabled(False)
        self.open_button.setToolTip("Open the work stream on this finding (Enter); "
                                    "View ▸ Configuration doctor brings this list back")
        self.open_button.clicked.connect(lambda: self._jump(self.table.currentIndex()))
        detail_box = QWidget()
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        detail_layout.addLayout(buttons)

        self.empty = QLabel()
        self.empty.setObjectName("doctorEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(splitter)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self._examined = False
        self._update_state()

    # ------------------------------------------------------------------ data

    def examine(self) -> None:
        """Run the doctor (through the host's runner); ``set_findings`` receives the result."""
        if self._run_examination is not None:
            self.summary.setText("Checking…")
            self._run_examination(self)

    def set_findings(self, findings: list[Finding]) -> None:
        self._examined = True
        self.model.set_findings(findings)
        self._fit_stream_column(findings)
        self.table.sortByColumn(self.table.horizontalHeader().sortIndicatorSection(),
                                self.table.horizontalHeader().sortIndicatorOrder())
        self._update_state()
        if self.proxy.rowCount():
            self.table.selectRow(0)
            self.table.setFocus()  # keyboard first: arrows move, Enter opens the editor
        self.examined.emit(len(findings))

    def _fit_stream_column(self, findings: list[Finding]) -> None:
        """Wide enough for the longest work stream name (measured once, not per row), within reason."""
        names = {f.workstream for f in findings if f.workstream}
        metrics = self.table.fontMetrics()
        widest = max((metrics.horizontalAdvance(name) for name in names), default=60)
        self.table.horizontalHeader().resizeSection(2, min(320, max(110, widest + 28)))

    def examination_failed(self, message: str) -> None:
        self.summary.setText(f"The check stopped: {message}")

    def _filter_changed(self) -> None:
        self.proxy.set_threshold(self.severity.currentData())
        self._update_state()

    def _update_state(self) -> None:
        total = self.model.rowCount()
        counts = {s: sum(self.model.finding(r).severity == s for r in range(total)) for s in SEVERITIES}
        if not self._examined:
            self.summary.setText("")
            self.empty.setText("Check the configuration to find routing rules that never fire and distribution "
                               "settings that cannot work.\nPress Check configuration (Alt+C).")
        else:
            self.summary.setText(", ".join(f"{n} {SEVERITY_LABELS[s].lower()}{'s' if n != 1 else ''}"
                                           for s, n in counts.items()))
            self.empty.setText("No findings: the configuration is clean." if not total else
                               "No findings at this level. Choose All findings to see the rest.")
        self.stack.setCurrentIndex(1 if self.proxy.rowCount() else 0)

    # ------------------------------------------------------------------ selection

    def current_finding(self) -> Finding | None:
        index = self.table.currentIndex()
        return self.proxy.data(index, FindingRole) if index.isValid() else None

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex = QModelIndex()) -> None:
        finding = self.proxy.data(current, FindingRole) if current.isValid() else None
        self.open_button.setEnabled(finding is not None and finding.workstream is not None)
        if finding is None:
            self.detail.clear()
            return
        parts = [f"<p><b>{SEVERITY_LABELS[finding.severity]}</b> · <code>{finding.code}</code></p>",
                 f"<p>{_escape(finding.message)}</p>",
                 "<p>Where: " + ", ".join(f"<code>{_escape(p)}</code>" for p in finding.paths) + "</p>"]
        if finding.witness is not None:
            parts.append(f"<p>Try in Test routing: <code>{_escape(witness_text(finding.witness))}</code></p>")
        self.detail.setHtml("".join(parts))

    def _jump(self, index: QModelIndex) -> None:
        finding = self.proxy.data(index, FindingRole) if index.isValid() else None
        if finding is None or finding.workstream is None:
            return
        rule = finding.rule_index if finding.rule_index is not None else -1
        self.jumpRequested.emit(finding.workstream, tab_for(finding), rule)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

""""Doctor: N new findings" for an import preview (bundle or CMT).

The findings come from ``app.doctor.service.bundle_import_findings`` /
``cmt_import_findings``, best computed in the preview's own worker thread; the
note shows the new ones (worst first) and says how many existing ones the
import keeps or resolves.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.doctor import ImportFindings
from ui.doctor.view import SEVERITY_LABELS, severity_icon

MAX_LISTED = 200


class DoctorImportNote(QWidget):
    def __init__(self, parent: QWidget | None = None, max_list_height: int = 150):
        super().__init__(parent)
        self.max_list_height = max_list_height
        self.setObjectName("doctorImportNote")
        self.title = QLabel()
        self.title.setObjectName("doctorImportTitle")
        self.title.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("doctorImportList")
        self.list.setAccessibleName("New findings")
        # long messages wrap instead of scrolling sideways
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self.set_findings(ImportFindings())

    def set_findings(self, result: ImportFindings) -> None:
        new = result.new
        parts = [f"Doctor: {len(new)} new finding{'s' if len(new) != 1 else ''}"]
        if result.resolved:
            parts.append(f"{len(result.resolved)} resolved")
        if result.kept:
            parts.append(f"{len(result.kept)} already there")
        self.title.setText(", ".join(parts) + ("." if new else " — the import adds no problems."))
        self.list.clear()
        for finding in new[:MAX_LISTED]:
            item = QListWidgetItem(severity_icon(finding.severity), finding.message)
            item.setToolTip(f"{SEVERITY_LABELS[finding.severity]} · {finding.code}\n" + "\n".join(finding.paths))
            self.list.addItem(item)
        if len(new) > MAX_LISTED:
            self.list.addItem(f"… and {len(new) - MAX_LISTED} more (wsc doctor after the import lists them all)")
        self.list.setVisible(bool(new))
        # as tall as its rows (about two lines for a long message), up to max_list_height
        line = self.list.fontMetrics().height()
        rows = sum(2 if len(f.message) > 90 else 1 for f in new[:MAX_LISTED])
        self.list.setMaximumHeight(min(self.max_list_height, rows * line + len(new[:MAX_LISTED]) * 12 + 16))

"""Importing a Dynamics 365 CMT package (or an unpacked solution folder): a preview, then Apply.

The preview is ``app.interchange.cmt_service.import_cmt``'s own dry run in a worker thread;
the doctor compares the configuration now with what the import would leave and the
dialog shows first the findings the import would add, then what it changes, then what
the package carries that the console does not.  Apply runs the real import (one
transaction, after a backup).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from app.doctor import ImportFindings
from app.doctor.service import plan_findings
from app.interchange import cmt_service
from app.interchange.bundle_service import ImportPlan
from ui.bundles.dialogs import bundle_qss, dialog_label, populate_diff_tree, separator_line
from ui.common import messages
from ui.common.background import BackgroundTask, describe_error, run_in_background
from ui.doctor.import_note import DoctorImportNote

CMT_FILTER = "Configuration Migration packages (*.zip);;All files (*)"


@dataclass
class CmtPreview:
    plan: ImportPlan
    remarks: list[str] = field(default_factory=list)  # what the package carries that the console does not
    findings: ImportFindings | None = None


def preview_cmt(db, path: str, progress=None) -> CmtPreview:
    """The dry run and the doctor's comparison (in the worker thread)."""
    if progress is not None:
        progress("Reading the package", 0, 2)
    plan, remarks = cmt_service.import_cmt(db, path, dry_run=True, name=Path(path).name, keep_documents=True)
    preview = CmtPreview(plan, remarks)
    preview.findings = plan_findings(plan, progress)
    plan.before_document = plan.after_document = None
    return preview


def apply_cmt(db, path: str, progress=None) -> tuple[ImportPlan, list[str]]:
    if progress is not None:
        progress("Importing the package", 0, 1)
    return cmt_service.import_cmt(db, path, name=Path(path).name)


class ImportCmtDialog(QDialog):
    """The CMT import preview: the doctor's new findings, the changes, what is not carried."""

    imported = Signal(object)  # the applied ImportPlan
    message = Signal(str)
    taskFinished = Signal()

    def __init__(self, services, parent: QWidget | None = None, path: str | Path | None = None):
        super().__init__(parent)
        self.services = services
        self.path = str(path) if path else ""
        self.preview: CmtPreview | None = None
        self.task: BackgroundTask | None = None
        self._opened = False
        self._applying = False
        self.setObjectName("importCmtDialog")
        self.setWindowTitle("Import Dynamics package")
        self.setModal(True)
        self.setMinimumSize(QSize(680, 520))
        self.resize(860, 720)
        self.setStyleSheet(bundle_qss())

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 18)
        outer.setSpacing(10)
        title_row = QHBoxLayout()
        title_row.addWidget(dialog_label("Import Dynamics package", "dialogTitle"))
        title_row.addStretch(1)
        outer.addLayout(title_row)
        self.file_label = dialog_label("", "hint", wrap=True, name="cmtFile")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.file_label)

        self.doctor_note = DoctorImportNote()
        outer.addWidget(self.doctor_note)

        self.summary_label = dialog_label("", name="diffSummary")
        outer.addWidget(self.summary_label)
        self.diff_stack = QStackedWidget()
        self.tree = QTreeWidget()
        self.tree.setObjectName("diffTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setIconSize(QSize(18, 18))
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.empty_label = dialog_label("", name="diffEmpty", wrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.diff_stack.addWidget(self.tree)
        self.diff_stack.addWidget(self.empty_label)
        outer.addWidget(self.diff_stack, 1)

        self.remarks_title = dialog_label("", name="cmtRemarksTitle", wrap=True)
        outer.addWidget(self.remarks_title)
        self.remarks = QListWidget()
        self.remarks.setObjectName("cmtRemarks")
        self.remarks.setAccessibleName("Not carried")
        self.remarks.setMaximumHeight(120)
        self.remarks.setWordWrap(True)
        outer.addWidget(self.remarks)

        self.error_banner = dialog_label("", "error-banner", wrap=True, name="cmtError")
        self.error_banner.hide()
        outer.addWidget(self.error_banner)
        outer.addWidget(separator_line())
        self.buttons = QDialogButtonBox()
        self.apply_button: QPushButton = self.buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("applyButton")
        self.apply_button.setProperty("role", "primary")
        self.apply_button.setDefault(True)
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("Import the package as previewed (the database is backed up first)")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    # ------------------------------------------------------------------ previewing

    def start(self) -> BackgroundTask | None:
        """The preview; the dialog opens when it succeeds (a refused package only shows why)."""
        if not self.path:
            return None
        task = run_in_background(self.parentWidget() or self, preview_cmt, self.services.db, self.path,
                                 progress_title="Reading the package", cancellable=True,
                                 on_done=self._previewed, on_error=self._refused, on_cancelled=self._cancelled)
        self._watch(task)
        return task

    def _watch(self, task: BackgroundTask) -> None:
        self.task = task
        task.finished.connect(lambda t=task: self._task_done(t))

    def _task_done(self, task: BackgroundTask) -> None:
        if self.task is task:
            self.task = None
            self.taskFinished.emit()

    def _previewed(self, preview: CmtPreview) -> None:
        self.preview = preview
        plan = preview.plan
        self.file_label.setText(f"{Path(self.path).name} — merged by id, then by name: what the package "
                                "carries is created or updated, nothing else changes.")
        self.file_label.setToolTip(self.path)
        if preview.findings is not None:
            self.doctor_note.set_findings(preview.findings)
        if plan.diff.is_empty:
            self.summary_label.setText("No changes")
            self.empty_label.setText("Nothing to change: this database already matches the package.")
            self.diff_stack.setCurrentWidget(self.empty_label)
        else:
            self.summary_label.setText(plan.diff.summary())
            populate_diff_tree(self.tree, plan.diff)
            self.tree.resizeColumnToContents(0)
            if self.tree.columnWidth(0) > 420:
                self.tree.setColumnWidth(0, 420)
            self.diff_stack.setCurrentWidget(self.tree)
        count = len(preview.remarks)
        self.remarks_title.setText(f"Not carried ({count}): the package holds this, the console does not"
                                   if count else "The console carries everything in the package.")
        self.remarks.clear()
        self.remarks.addItems(preview.remarks)
        self.remarks.setVisible(bool(count))
        self.apply_button.setEnabled(True)
        if not self._opened:
            self._opened = True
            self.open()

    def _refused(self, error: BaseException) -> None:
        self._applying = False
        reason = describe_error(error)
        name = Path(self.path).name
        if not self._opened:
            messages.error(self.parentWidget(), "Can't import the package", f"{name}: {reason}")
            self.message.emit(f"Import refused: {name}: {reason}")
            self.done(QDialog.DialogCode.Rejected)
            return
        messages.error(self, "Can't import the package", f"{name}: {reason}", "Nothing was imported.")
        self.apply_button.setEnabled(self.preview is not None)
        self.message.emit(f"Import failed: {reason}")

    def _cancelled(self) -> None:
        self.message.emit("Import cancelled: nothing was imported")
        if not self._opened:
            self.done(QDialog.DialogCode.Rejected)

    # ------------------------------------------------------------------ applying

    def apply(self) -> BackgroundTask | None:
        if self.preview is None or not self.apply_button.isEnabled():
            return None
        self.apply_button.setEnabled(False)
        self._applying = True
        task = run_in_background(self, apply_cmt, self.services.db, self.path, progress_title="Importing the package",
                                 cancellable=False, on_done=self._applied, on_error=self._refused)
        self._watch(task)
        return task

    def _applied(self, result: tuple[ImportPlan, list[str]]) -> None:
        self._applying = False
        plan, _remarks = result
        counts = plan.counts()
        summary = f"{counts['created']} created, {counts['updated']} updated, {counts['deleted']} deleted"
        self.imported.emit(plan)
        self.message.emit(f"Imported {Path(self.path).name}: {summary}")
        informative = f"The database was backed up first, to {plan.backup}." if plan.backup else ""
        messages.info(self, "Package imported", f"Imported {Path(self.path).name}: {summary}.", informative)
        self.accept()

    def reject(self) -> None:
        task = self.task
        if task is not None and task.is_running() and self._applying:
            return  # one transaction that is being written: let it finish (the progress says so)
        if task is not None and task.is_running():
            task.on_done = task.on_error = task.on_cancelled = None
            task.cancel()
        super().reject()


def ask_cmt_path(parent: QWidget | None) -> str:
    path, _filter = QFileDialog.getOpenFileName(parent, "Import Dynamics package", "", CMT_FILTER)
    return path


__all__ = ["CmtPreview", "ImportCmtDialog", "ask_cmt_path", "preview_cmt"]

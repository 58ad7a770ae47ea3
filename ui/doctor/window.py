"""The Doctor window: findings and the impact navigator, fed by one background examination.

The shell opens it with ``DoctorWindow(services, parent)`` and connects
``jumpRequested(workstream, tab, rule_index)`` to its editor.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout

from app.common.errors import UserError
from app.doctor.service import examine
from ui.common.background import describe_error, run_in_background
from ui.doctor.impact_view import ImpactView
from ui.doctor.view import DoctorView


class DoctorWindow(QDialog):
    jumpRequested = Signal(str, str, int)

    def __init__(self, services, parent=None, synchronous: bool | None = None):
        super().__init__(parent)
        self.setObjectName("doctorWindow")
        self.setWindowTitle("Configuration doctor")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setModal(False)
        self.services = services
        self.synchronous = synchronous
        self.findings_view = DoctorView(self._run_examination)
        self.impact_view = ImpactView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.findings_view, "&Findings")
        self.tabs.addTab(self.impact_view, "&Impact")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.findings_view.jumpRequested.connect(self.jumpRequested)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.findings_view.examine)
        self.resize(980, 620)

    def _run_examination(self, view: DoctorView) -> None:
        view.check_button.setEnabled(False)

        def done(result) -> None:
            view.check_button.setEnabled(True)
            view.set_findings(result.findings)
            self.impact_view.set_graph(result.graph)

        def failed(error: BaseException) -> None:
            view.check_button.setEnabled(True)
            view.examination_failed(describe_error(error))

        def cancelled() -> None:
            view.check_button.setEnabled(True)
            view.examination_failed("cancelled")

        run_in_background(self, examine, self.services.db, on_done=done, on_error=failed, on_cancelled=cancelled,
                          progress_title="Checking the configuration", synchronous=self.synchronous)


def open_doctor_window(main_window) -> DoctorWindow:
    """Show the main window's Doctor window (made once, checked on first show); a jump opens
    the work stream's editor on the finding's tab and selects the rule."""
    window = getattr(main_window, "doctor_window", None)
    if window is None:
        window = DoctorWindow(main_window.services, main_window)
        main_window.doctor_window = window

        def jump(workstream: str, tab: str, rule_index: int) -> None:
            try:
                stream_id = main_window.services.workstream_id_by_name(workstream)
            except UserError as error:
                window.findings_view.examination_failed(str(error))
                return
            if not main_window.open_workstream(stream_id, tab):
                return
            # out of the editor's way; Ctrl+Shift+H brings the same findings back
            window.hide()
            view = getattr(main_window.editor, "rules_view", None)
            if rule_index >= 0 and view is not None and rule_index < view.model().rowCount():
                view.selectRow(rule_index)
                view.setFocus()
        window.jumpRequested.connect(jump)
        window.show()
        window.findings_view.examine()
    window.show()
    if QGuiApplication.platformName() != "offscreen":  # (offscreen cannot raise windows and says so)
        window.raise_()
    window.activateWindow()
    return window

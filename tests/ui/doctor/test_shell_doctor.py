"""View ▸ Configuration doctor… in the main window, and a jump into the editor."""
from __future__ import annotations

from ui.common import background
from ui.shell.main_window import MainWindow
from tests.ui.doctor.test_rule_marks import STREAM, add_late_copy_of_first_rule


def menu_action(window, text):
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.text() == text:
                return action
    raise AssertionError(f"no menu entry {text!r}")


def test_menu_entry_opens_the_doctor_and_a_jump_selects_the_rule(qtbot, services, monkeypatch):
    monkeypatch.setattr(background, "SYNCHRONOUS", True)
    row = add_late_copy_of_first_rule(services)
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    action = menu_action(window, "Configuration doctor…")
    assert action.shortcut().toString() == "Ctrl+Shift+H"
    action.trigger()
    doctor = window.doctor_window
    assert doctor.isVisible()
    findings = [doctor.findings_view.model.finding(r) for r in range(doctor.findings_view.model.rowCount())]
    duplicate = next(f for f in findings if f.code == "rule-duplicate")
    assert duplicate.workstream == STREAM and duplicate.rule_index == row
    doctor.jumpRequested.emit(STREAM, "routing-rules", row)
    assert window.editor is not None and window.editor.current_tab() == "routing-rules"
    assert window.editor.rules_view.currentIndex().row() == row
    assert not doctor.isVisible()  # out of the editor's way
    action.trigger()  # a second time: the same window and findings, not a new check
    assert window.doctor_window is doctor and doctor.isVisible()
    assert doctor.findings_view.model.rowCount() == len(findings)
    doctor.close()

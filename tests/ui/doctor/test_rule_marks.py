"""The editor's Routing rule items tab marks a rule that never fires, with the witness to try."""
from __future__ import annotations

from app.config.document import dump
from ui.doctor.rule_marks import rule_marks
from ui.workstreams.editor import WorkStreamEditor

STREAM = "Chat - Retail banking"


def add_late_copy_of_first_rule(services) -> int:
    stream_id = services.workstream_id_by_name(STREAM)
    loaded = services.load_workstream(stream_id)
    doc = dump(loaded.doc, with_ids=False)
    first = dict(doc["routing_rules"][0], name="Late copy")
    doc["routing_rules"].append(first)
    services.save_workstream(doc, stream_id, expected_version=loaded.version)
    return len(doc["routing_rules"]) - 1


def open_editor(qtbot, services) -> WorkStreamEditor:
    editor = WorkStreamEditor(services, services.workstream_id_by_name(STREAM))
    qtbot.addWidget(editor)
    editor.resize(1100, 750)
    editor.set_tab("routing-rules")
    editor.show()
    return editor


def test_the_demo_stream_has_no_marks(qtbot, services):
    editor = open_editor(qtbot, services)
    assert editor.doctor_marks.marks == {} and editor.doctor_marks.isHidden()


def test_a_late_duplicate_is_marked_and_the_link_selects_it(qtbot, services):
    row = add_late_copy_of_first_rule(services)
    editor = open_editor(qtbot, services)
    marks = editor.doctor_marks
    assert list(marks.marks) == [row] and marks.isVisible()
    assert "never fires" in marks.text() and "Try " in marks.text() and "in Test routing" in marks.text()
    marks.linkActivated.emit(str(row))
    assert editor.rules_view.currentIndex().row() == row


def test_rule_marks_of_a_draft():
    rule = {"name": "a", "queue": "Q", "condition": {"all": [{"variable": "n", "operator": "gt", "value": 5},
                                                             {"variable": "n", "operator": "lt", "value": 3}]}}
    draft = {"name": "", "context_variables": [{"display_name": "N", "name": "n", "type": "number"}],
             "routing_rules": [rule]}
    assert [f.code for f in rule_marks(draft)[0]] == ["rule-unsatisfiable"]

"""The Doctor window: findings table (qtmodeltester), jump-to, filter, empty states, impact navigation."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.doctor import diagnose
from app.doctor.impact import ImpactGraph
from tests.app.doctor.test_checks import doc_with
from ui.doctor.impact_view import ImpactView, NeighbourModel
from ui.doctor.view import DoctorView, FindingsModel, tab_for
from ui.doctor.window import DoctorWindow


def findings_doc():
    doc = doc_with(capacity=500)
    doc["workstreams"][0]["routing_rules"].append(
        {"name": "Late", "description": "", "queue": "Sales",
         "condition": {"all": [{"variable": "country", "operator": "eq", "value": "be"}]}})
    return doc


def test_models_pass_the_model_tester(qtmodeltester):
    model = FindingsModel()
    model.set_findings(diagnose(findings_doc()))
    assert model.rowCount() >= 3
    qtmodeltester.check(model)
    view = DoctorView()
    view.set_findings(diagnose(findings_doc()))
    qtmodeltester.check(view.proxy)
    neighbours = NeighbourModel()
    graph = ImpactGraph.from_document(findings_doc())
    neighbours.set_rows(graph.used_by(graph.find("queue", "Sales")))
    assert neighbours.rowCount() == 4  # three rules and the default queue
    qtmodeltester.check(neighbours)


def test_rows_are_worst_first_and_filterable(qtbot):
    view = DoctorView()
    qtbot.addWidget(view)
    assert view.stack.currentIndex() == 0 and "Check configuration" in view.empty.text()
    view.set_findings(diagnose(findings_doc()))
    assert view.stack.currentIndex() == 1
    first = view.proxy.index(0, 0)
    assert first.data() == "Error" and view.proxy.index(0, 1).data() == "capacity-exceeds-members"
    assert "1 error" in view.summary.text()
    view.severity.setCurrentIndex(view.severity.findData("error"))
    assert view.proxy.rowCount() == 1
    view.set_findings([])
    assert view.stack.currentIndex() == 0 and "clean" in view.empty.text()


def test_enter_on_a_shadowed_rule_jumps_to_its_rule(qtbot):
    view = DoctorView()
    qtbot.addWidget(view)
    view.show()
    view.set_findings(diagnose(findings_doc()))
    rows = [view.proxy.index(r, 1).data() for r in range(view.proxy.rowCount())]
    row = rows.index("rule-shadowed")
    view.table.setCurrentIndex(view.proxy.index(row, 0))
    assert "Try in Test routing" in view.detail.toPlainText() and 'country = "be"' in view.detail.toPlainText()
    with qtbot.waitSignal(view.jumpRequested) as jumped:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert jumped.args == ["Chat", "routing-rules", 2]
    error_row = rows.index("capacity-exceeds-members")
    with qtbot.waitSignal(view.jumpRequested) as jumped:
        view.table.doubleClicked.emit(view.proxy.index(error_row, 2))
    assert jumped.args == ["Chat", "work-distribution", -1]


def test_tab_for_findings():
    found = {f.code: f for f in diagnose(findings_doc())}
    assert tab_for(found["rule-shadowed"]) == "routing-rules"
    assert tab_for(found["capacity-exceeds-members"]) == "work-distribution"


def test_window_examines_the_database_and_fills_both_views(qtbot, services):
    window = DoctorWindow(services, synchronous=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.findings_view.examined) as done:
        qtbot.mouseClick(window.findings_view.check_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == window.findings_view.model.rowCount()
    assert window.findings_view.check_button.isEnabled()
    impact = window.impact_view
    assert impact.graph.of_kind("queue")


def test_impact_navigation_forward_and_back(qtbot):
    view = ImpactView()
    qtbot.addWidget(view)
    view.show()
    view.set_graph(ImpactGraph.from_document(findings_doc()))
    view.kind.setCurrentIndex(view.kind.findData("queue"))
    view.object.activated.emit(view.object.findText("Sales"))
    assert view.title.text() == "Queue 'Sales'"
    assert view.uses_model.rowCount() == 2 and view.used_by_model.rowCount() == 4
    view.uses_list.setFocus()
    view.uses_list.setCurrentIndex(view.uses_model.index(0, 0))
    qtbot.keyClick(view.uses_list, Qt.Key.Key_Return)
    assert view.title.text() == "Agent 'Ann'" and view.back_button.isEnabled()
    (presence, _), = view.graph.uses(view.current)
    assert presence.name == "Available"
    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert view.title.text() == "Queue 'Sales'" and not view.back_button.isEnabled()


def test_import_note_lists_new_findings_first(qtbot):
    import copy

    from app.doctor import import_findings
    from ui.doctor.import_note import DoctorImportNote

    current = doc_with()
    incoming = copy.deepcopy(current)
    incoming["workstreams"][0]["capacity"] = 500
    note = DoctorImportNote()
    qtbot.addWidget(note)
    assert note.title.text().startswith("Doctor: 0 new findings") and note.list.isHidden()
    result = import_findings(current, incoming)
    note.set_findings(result)
    # only the stream changed: only it was examined, so "already there" is not counted
    assert result.partial and note.title.text() == "Doctor: 1 new finding."
    assert note.list.count() == 1 and "500" in note.list.item(0).text()
    incoming["queues"][2]["description"] = "changed too"  # now everything is examined
    note.set_findings(import_findings(current, incoming))
    assert note.title.text() == "Doctor: 1 new finding, 1 already there."

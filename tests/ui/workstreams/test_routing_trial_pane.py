"""The Test routing pane: typed form, trace highlighting, saved cases and the failing-count signal."""
from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ui.panel.panel_models import GREEN_BG, RED_BG, TraceModel
from ui.workstreams.routing_trial_pane import RouteTraceView, TestRoutingPane

RETAIL = "Chat - Retail banking"


@pytest.fixture
def retail(services):
    workstream_id = services.workstream_id_by_name(RETAIL)
    return workstream_id, services.load_workstream(workstream_id).doc.model_dump()


@pytest.fixture
def pane(qtbot, services, retail):
    widget = TestRoutingPane(services)
    qtbot.addWidget(widget)
    widget.resize(360, 760)
    widget.set_workstream(*reversed(retail))
    widget.show()
    return widget


def type_values(pane, **values):
    for name, text in values.items():
        pane._fields[name].setText(text)


def test_the_form_has_one_typed_field_per_variable(pane):
    assert list(pane._fields) == ["accountbalance", "customertier", "portfoliovalue", "topic"]
    labels = [pane.form.itemAt(row, pane.form.ItemRole.LabelRole).widget().text() for row in range(pane.form.rowCount())]
    assert labels == ["Account balance (number)", "Customer tier", "Portfolio value (number)", "Topic"]


def test_test_shows_the_queue_and_highlights_the_matched_rule_and_failing_rows(qtbot, pane):
    type_values(pane, topic="statement", accountbalance="250")
    with qtbot.waitSignal(pane.routed) as blocker:
        qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert (result.queue, result.rule, result.fallback) == ("Billing", "Billing and overdrafts", False)
    assert pane.result_label.text() == "→ Billing   by rule “Billing and overdrafts”"
    model: TraceModel = pane.trace_view.trace_model
    rules = model.rows_of_kind("rule")
    assert [(r.data(TraceModel.RuleRole), r.data(TraceModel.MatchedRole)) for r in rules] == [
        ("Private banking customers", False), ("Investment questions", False), ("Billing and overdrafts", True)]
    assert rules[2].background().color() == QColor(GREEN_BG)
    assert rules[0].background().style() == Qt.BrushStyle.NoBrush
    failing = [row for row in model.rows_of_kind("condition") if row.data(TraceModel.MatchedRole) is False]
    assert failing and all(row.background().color() == QColor(RED_BG) for row in failing)
    seen = {row.text(): model.itemFromIndex(row.index().siblingAtColumn(1)).text()
            for row in model.rows_of_kind("condition")}
    assert seen["Topic contains 'invest'"] == "'statement'"
    assert seen["Account balance < 0"] == "250"
    assert seen["Portfolio value ≥ 50,000"] == "(not set)"
    groups = [g.text() for g in model.rows_of_kind("group")]
    assert groups == ["Any of these", "All of these", "Any of these"]


def test_the_default_queue_and_skipped_rules_are_explained(pane):
    result = pane.run_test()
    assert result.fallback and result.queue == "General"
    assert "default queue" in pane.result_label.text()
    model = pane.trace_view.trace_model
    fallback = model.rows_of_kind("fallback")
    assert [r.text() for r in fallback] == ["No rule matched: default queue"]
    assert model.itemFromIndex(fallback[0].index().siblingAtColumn(1)).text() == "→ General"
    type_values(pane, customertier="gold")
    pane.run_test()
    assert [r.text() for r in model.rows_of_kind("skipped")] == [
        "Not evaluated: Investment questions, Billing and overdrafts"]


def test_a_mistyped_number_is_an_inline_error_not_an_exception(pane):
    type_values(pane, accountbalance="12abc")
    error = pane._errors["accountbalance"]
    assert error.isVisibleTo(pane) and error.text() == "'12abc' is not a number"
    assert pane._fields["accountbalance"].property("invalid") is True
    assert pane.run_test() is None
    assert "Fix the highlighted value first: Account balance" in pane.result_label.text()
    assert pane.trace_view.trace_model.rowCount() == 0
    type_values(pane, accountbalance="-5")
    assert not error.isVisibleTo(pane)
    assert pane.run_test().queue == "Billing"


def test_a_half_edited_draft_never_breaks_the_pane(pane, retail):
    workstream_id, draft = retail
    broken = copy.deepcopy(draft)
    broken["routing_rules"][0] = {"name": "no queue yet", "condition": {"all": []}}
    pane.set_workstream(broken, workstream_id)
    assert pane.run_test() is None
    assert pane.result_label.text().startswith("Can't test these rules yet")
    broken["routing_rules"][0] = {"name": "bad", "queue": "VIP", "condition": {"all": "nope"}}
    pane.set_workstream(broken, workstream_id)
    assert pane.run_test() is None
    pane.set_workstream(None, None)
    assert pane._fields == {} and pane.no_variables.isVisibleTo(pane)


def test_saved_cases_run_and_a_failing_case_raises_the_count(qtbot, pane, services, retail):
    workstream_id, draft = retail
    assert pane.failing_count == 0 and pane.case_list.count() == 0
    assert pane.cases_summary.property("failing") == "none"  # neutral, not a green "passing"
    type_values(pane, customertier="Gold")
    assert pane.save_as_test_case("Gold goes to VIP", "VIP")
    type_values(pane, customertier="", accountbalance="-1")
    assert pane.save_as_test_case("Overdrawn goes to Billing", "Billing")
    assert [c["name"] for c in services.list_test_cases(workstream_id)] == ["Gold goes to VIP",
                                                                            "Overdrawn goes to Billing"]
    assert services.list_test_cases(workstream_id)[1]["context"] == {"accountbalance": -1}
    assert pane.case_list.count() == 2 and pane.cases_summary.text() == "All 2 passing"
    assert pane.cases_summary.property("failing") == "false"
    assert pane.case_list.item(0).text().startswith("✓")

    edited = copy.deepcopy(draft)
    edited["routing_rules"][0]["queue"] = "General"  # an edit that breaks the first case
    with qtbot.waitSignal(pane.failingCountChanged) as blocker:
        pane.set_workstream(edited, workstream_id)
    assert blocker.args == [1]
    assert pane.case_result("Gold goes to VIP") == (False, "expected VIP, got General")
    assert pane.case_list.item(0).text().startswith("✗")
    assert pane.cases_summary.text() == "1 of 2 failing"
    assert pane.cases_summary.property("failing") == "true"
    with qtbot.assertNotEmitted(pane.failingCountChanged):
        qtbot.mouseClick(pane.run_all_button, Qt.MouseButton.LeftButton)  # same count: no signal
    with qtbot.waitSignal(pane.failingCountChanged) as blocker:
        pane.set_workstream(draft, workstream_id)
    assert blocker.args == [0]


def test_a_case_whose_variable_was_removed_fails_instead_of_raising(pane, services, retail):
    workstream_id, draft = retail
    services.save_test_case(workstream_id, "by topic", {"topic": "fees"}, "Billing")
    pane.set_workstream(draft, workstream_id)
    assert pane.failing_count == 0
    without_topic = copy.deepcopy(draft)
    without_topic["context_variables"] = [v for v in draft["context_variables"] if v["name"] != "topic"]
    pane.set_workstream(without_topic, workstream_id)
    assert pane.failing_count == 1
    assert "unknown context variable 'topic'" in pane.case_result("by topic")[1]


def test_selecting_a_case_loads_its_values(pane, services, retail):
    workstream_id, draft = retail
    services.save_test_case(workstream_id, "pension", {"topic": "pension"}, "Investments")
    pane.set_workstream(draft, workstream_id)
    pane._case_activated(pane.case_list.item(0))
    assert pane._fields["topic"].text() == "pension"
    assert pane.last_result.queue == "Investments"


def test_save_asks_for_a_name_and_queue_and_can_be_cancelled(pane):
    asked = []
    pane.ask_case = lambda name, queues, current: asked.append((name, current, "VIP" in queues)) or None
    type_values(pane, customertier="Platinum")
    assert pane.save_as_test_case() is None
    assert asked == [("Customer tier 'Platinum'", "VIP", True)]  # the list says where it goes
    pane.ask_case = lambda name, queues, current: ("platinum", current)
    assert pane.save_as_test_case() is not None
    assert [c["name"] for c in pane.cases] == ["platinum"]


def test_delete_a_case_after_confirming(pane, services, retail, answers):
    workstream_id, draft = retail
    services.save_test_case(workstream_id, "gone soon", {}, "General")
    pane.set_workstream(draft, workstream_id)
    pane.case_list.setCurrentRow(0)
    answers.push("yes")
    pane.delete_selected_case()
    assert services.list_test_cases(workstream_id) == [] and pane.case_list.count() == 0
    assert answers.asked[-1][0] == "question"


def test_an_unsaved_work_stream_cannot_keep_cases(pane, retail, answers):
    _id, draft = retail
    pane.set_workstream(draft, None)
    assert not pane.save_case_button.isEnabled()
    assert pane.cases_summary.text() == "Save the work stream to keep test cases."
    assert pane.save_as_test_case("x", "VIP") is None
    assert answers.asked[-1][0] == "info"
    assert pane.run_test().queue == "General"  # testing still works


def test_values_survive_an_edit_of_the_same_stream_and_the_test_reruns(pane, retail, services):
    workstream_id, draft = retail
    type_values(pane, customertier="Gold")
    field = pane._fields["customertier"]
    assert pane.run_test().queue == "VIP"
    edited = copy.deepcopy(draft)
    edited["routing_rules"][0]["queue"] = "Billing"
    pane.set_workstream(edited, workstream_id)
    assert pane._fields["customertier"] is field and field.text() == "Gold"  # same variables: same fields
    assert pane.last_result.queue == "Billing"
    edited["context_variables"].append({"display_name": "Language", "name": "language", "type": "text"})
    pane.set_workstream(edited, workstream_id)
    assert "language" in pane._fields and pane._fields["customertier"].text() == "Gold"
    other_id = services.workstream_id_by_name("SMS - Billing alerts")
    pane.set_workstream(services.load_workstream(other_id).doc.model_dump(), other_id)
    assert list(pane._fields) == ["alerttype", "amount"] and pane.values() == {}


def test_trace_model_passes_qtmodeltester(qtmodeltester, qtbot, pane):
    type_values(pane, topic="pension", portfoliovalue="80000")
    pane.run_test()
    qtmodeltester.check(pane.trace_view.trace_model, force_py=True)


def test_route_trace_view_of_a_bare_leaf_condition(qtbot):
    view = RouteTraceView()
    qtbot.addWidget(view)
    stream = {"name": "w", "context_variables": [{"name": "x", "display_name": "X", "type": "number"}],
              "routing_rules": [{"name": "big", "queue": "Q", "condition": {"variable": "x", "operator": "gt",
                                                                             "value": 5}}]}
    from app.routing.router import compile_workstream

    result = compile_workstream(stream).route({"x": 7})
    view.show_route(stream, trace=result.trace, queue=result.queue, rule=result.rule, fallback=result.fallback)
    conditions = view.trace_model.rows_of_kind("condition")
    assert [c.text() for c in conditions] == ["X > 5"]

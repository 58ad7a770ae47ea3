"""The Test routing pane with version 2 rules: the classification and a split's draw."""
from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ui.workstreams.routing_trial_pane import TestRoutingPane

RETAIL = "Chat - Retail banking"


@pytest.fixture
def retail(services):
    workstream_id = services.workstream_id_by_name(RETAIL)
    return workstream_id, services.load_workstream(workstream_id).doc.model_dump()


@pytest.fixture
def pane(qtbot, services):
    widget = TestRoutingPane(services)
    qtbot.addWidget(widget)
    widget.resize(360, 760)
    widget.show()
    return widget


def with_split(draft: dict) -> dict:
    """The first rule made a 60/40 split between General and VIP."""
    draft = copy.deepcopy(draft)
    draft["routing_rules"][0].update(queue=None, queues=[{"queue": "General", "percent": 60},
                                                         {"queue": "VIP", "percent": 40}])
    return draft


def private_banking_values(pane) -> None:
    pane._fields["customertier"].setText("Platinum")  # the demo's first rule: private banking customers


def test_the_classification_names_the_rule_and_its_skills(qtbot, pane, retail):
    workstream_id, draft = retail
    pane.set_workstream(draft, workstream_id)
    pane._fields["topic"].setText("a remortgage")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    assert pane.classification_label.isVisible()
    assert pane.classification_label.text() == "Classified by “Mortgage questions”: needs Mortgages ≥ 3."
    assert pane.last_classification.rule == "Mortgage questions"
    pane._fields["topic"].setText("weather")
    qtbot.keyClick(pane._fields["topic"], Qt.Key.Key_Return)
    assert pane.classification_label.text() == "Classification: no rule matched, so no skills are required."


def test_a_stream_without_classification_rules_shows_none(qtbot, pane, retail):
    workstream_id, draft = retail
    draft["classification_rules"] = []
    pane.set_workstream(draft, workstream_id)
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    assert pane.last_result is not None and not pane.classification_label.isVisible()


def test_a_typed_draw_replays_the_split_and_a_new_draw_is_shown(qtbot, pane, retail):
    workstream_id, draft = retail
    pane.set_workstream(with_split(draft), workstream_id)
    assert pane.draw_row.isVisible()
    private_banking_values(pane)
    pane.draw_edit.setText("59.99")
    qtbot.keyClick(pane.draw_edit, Qt.Key.Key_Return)
    assert pane.last_result.queue == "General" and pane.last_result.draw == 59.99
    assert pane.split_label.text() == "Split General 60 % · VIP 40 %: the draw 59.99 chose General."
    pane.draw_edit.setText("60")
    qtbot.keyClick(pane.draw_edit, Qt.Key.Key_Return)
    assert pane.last_result.queue == "VIP"
    assert pane.result_label.text().startswith("→ VIP")
    pane.draw_edit.clear()
    pane.draws.seed(7)
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    first = pane.last_result.draw
    assert 0 <= first < 100 and f"the draw {first:.2f} chose" in pane.split_label.text()
    pane.draws.seed(7)
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    assert pane.last_result.draw == first  # the same seed, the same draw


def test_a_bad_draw_is_refused_inline_and_the_old_result_goes(qtbot, pane, retail):
    workstream_id, draft = retail
    pane.set_workstream(with_split(draft), workstream_id)
    private_banking_values(pane)
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    assert pane.last_result is not None
    pane.draw_edit.setText("100")
    assert pane.draw_error.isVisible() and pane.draw_error.text() == "A draw is from 0 up to (not including) 100."
    assert pane.last_result is None and not pane.split_label.isVisible()
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    assert pane.last_result is None and "the split draw" in pane.result_label.text()


def test_no_split_no_draw_field(pane, retail):
    workstream_id, draft = retail
    pane.set_workstream(draft, workstream_id)
    assert not pane.draw_row.isVisible()


def test_a_saved_case_expecting_one_of_the_splits_queues_passes(qtbot, pane, services, retail):
    workstream_id, draft = retail
    services.save_test_case(workstream_id, "VIP by split", {"customertier": "Platinum"}, "VIP")
    pane.set_workstream(with_split(draft), workstream_id)
    passed, detail = pane.case_result("VIP by split")
    assert passed and detail == "→ split General 60 % · VIP 40 %"
    draft = with_split(draft)
    draft["routing_rules"][0]["queues"][1]["queue"] = "Billing"
    pane.set_workstream(draft, workstream_id)
    assert pane.case_result("VIP by split") == (False, "expected VIP, got the split General 60 % · Billing 40 %")


def test_tab_goes_down_the_pane_fields_draw_test(qtbot, pane, retail):
    workstream_id, draft = retail
    pane.set_workstream(with_split(draft), workstream_id)
    QApplication.processEvents()  # new fields show at the next turn of the event loop
    fields = list(pane._fields.values())
    chain, widget = [], fields[0]
    while len(chain) < len(fields) + 2:
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.focusProxy() is None:
            chain.append(widget)
    assert chain == [*fields[1:], pane.draw_edit, pane.test_button, pane.save_case_button]

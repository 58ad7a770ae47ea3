"""The editor's table models: qtmodeltester, display text, moves and drag-and-drop data."""
from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import QModelIndex, Qt

from ui.workstreams.editor_models import RULE_ROWS_MIME, RulesModel, VariablesModel

VARIABLES = [
    {"id": None, "display_name": "Customer tier", "name": "customertier", "type": "text"},
    {"id": None, "display_name": "Portfolio value", "name": "portfoliovalue", "type": "number"},
]
RULES = [
    {"id": None, "name": "A", "description": "first", "queue": "VIP",
     "condition": {"all": [{"variable": "customertier", "operator": "in", "value": ["Gold", "Platinum"]}]}},
    {"id": None, "name": "B", "description": "", "queue": "Investments",
     "condition": {"any": [{"variable": "portfoliovalue", "operator": "ge", "value": 50000},
                           {"all": [{"variable": "customertier", "operator": "is_not_empty"},
                                    {"variable": "portfoliovalue", "operator": "lt", "value": 0}]}]}},
    {"id": None, "name": "C", "description": "", "queue": "General", "condition": {"all": []}},
]


def names(model: RulesModel) -> list[str]:
    return [model.index(r, RulesModel.NAME).data() for r in range(model.rowCount())]


def orders(model: RulesModel) -> list[str]:
    return [model.index(r, RulesModel.ORDER).data() for r in range(model.rowCount())]


@pytest.fixture
def variables_model(qtbot):
    return VariablesModel(copy.deepcopy(VARIABLES))


@pytest.fixture
def rules_model(qtbot, variables_model):
    return RulesModel(copy.deepcopy(RULES), variables_model.labels)


def test_variables_model_passes_modeltester_and_shows_columns(qtmodeltester, variables_model):
    qtmodeltester.check(variables_model, force_py=True)
    assert [variables_model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == \
        ["Display name", "Name", "Type"]
    assert [variables_model.index(1, c).data() for c in range(3)] == ["Portfolio value", "portfoliovalue", "Number"]
    assert variables_model.labels() == {"customertier": "Customer tier", "portfoliovalue": "Portfolio value"}


def test_variables_model_edits_keep_the_draft_list_and_signal(qtmodeltester, qtbot, variables_model):
    qtmodeltester.check(variables_model, force_py=True)
    rows = variables_model.rows()
    new = {"id": None, "display_name": "Topic", "name": "topic", "type": "text"}
    with qtbot.waitSignal(variables_model.rowsInserted):
        variables_model.insert_item(1, new)
    assert rows[1] is new and variables_model.rowCount() == 3
    with qtbot.waitSignal(variables_model.dataChanged):
        variables_model.replace_item(1, {**new, "display_name": "Subject"})
    assert variables_model.index(1, 0).data() == "Subject"
    with qtbot.waitSignal(variables_model.rowsRemoved):
        variables_model.remove_item(0)
    assert [v["name"] for v in rows] == ["topic", "portfoliovalue"]


def test_row_errors_show_a_dot_and_tooltip(qtmodeltester, variables_model):
    variables_model.set_row_errors({1: ["Duplicate context variable name."]})
    qtmodeltester.check(variables_model, force_py=True)
    assert variables_model.index(1, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert variables_model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole) == "Duplicate context variable name."
    assert variables_model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is None


def test_empty_models_pass_modeltester(qtmodeltester, qtbot):
    qtmodeltester.check(VariablesModel([]), force_py=True)
    qtmodeltester.check(RulesModel([]), force_py=True)


def test_rules_model_passes_modeltester_and_renders_conditions(qtmodeltester, rules_model):
    qtmodeltester.check(rules_model, force_py=True)
    assert [rules_model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == \
        ["Name", "Queue", "Condition", "Order"]
    assert [rules_model.index(0, c).data() for c in range(4)] == \
        ["A", "VIP", "Customer tier is one of ['Gold', 'Platinum']", "1"]
    assert rules_model.index(1, RulesModel.CONDITION).data() == \
        "Portfolio value ≥ 50000 OR (Customer tier is not empty AND Portfolio value < 0)"
    assert rules_model.index(2, RulesModel.CONDITION).data() == "(always)"
    assert rules_model.index(0, RulesModel.NAME).data(Qt.ItemDataRole.ToolTipRole) == "A\nfirst"  # name whole, then description
    assert orders(rules_model) == ["1", "2", "3"]


def test_move_rows_reorders_and_renumbers(qtmodeltester, qtbot, rules_model):
    qtmodeltester.check(rules_model, force_py=True)
    with qtbot.waitSignal(rules_model.rowsMoved):
        assert rules_model.moveRows(QModelIndex(), 2, 1, QModelIndex(), 0)
    assert names(rules_model) == ["C", "A", "B"]
    assert orders(rules_model) == ["1", "2", "3"]
    assert rules_model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)  # to the end
    assert names(rules_model) == ["A", "B", "C"]
    assert [r["name"] for r in rules_model.rows()] == ["A", "B", "C"]


@pytest.mark.parametrize("source,count,destination", [(0, 1, 0), (0, 1, 1), (-1, 1, 0), (2, 2, 0), (0, 1, 4),
                                                      (0, 0, 2)])
def test_move_rows_refuses_no_ops_and_out_of_range(rules_model, source, count, destination):
    assert not rules_model.moveRows(QModelIndex(), source, count, QModelIndex(), destination)
    assert names(rules_model) == ["A", "B", "C"]


def test_move_hook_receives_the_move_instead(rules_model):
    asked = []
    rules_model.move_hook = lambda *args: asked.append(args) or True
    assert rules_model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)
    assert asked == [(0, 1, 3)]
    assert names(rules_model) == ["A", "B", "C"]  # the hook decides; nothing moved by itself


def test_drag_and_drop_moves_through_move_rows(qtmodeltester, rules_model):
    qtmodeltester.check(rules_model, force_py=True)
    assert rules_model.mimeTypes() == [RULE_ROWS_MIME]
    assert rules_model.supportedDropActions() == Qt.DropAction.MoveAction
    assert rules_model.flags(rules_model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert rules_model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled
    data = rules_model.mimeData([rules_model.index(0, c) for c in range(4)])  # a whole row
    assert rules_model.canDropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    # False: the model moved the rows itself, so the view must not remove the "source" rows.
    assert rules_model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex()) is False
    assert names(rules_model) == ["B", "C", "A"]
    # dropped onto a row: lands before it
    data = rules_model.mimeData([rules_model.index(2, 1)])
    rules_model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, rules_model.index(0, 0))
    assert names(rules_model) == ["A", "B", "C"]
    # dropped on empty space: goes last
    data = rules_model.mimeData([rules_model.index(0, 1)])
    rules_model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert names(rules_model) == ["B", "C", "A"]


def test_foreign_drops_are_refused(rules_model):
    from PySide6.QtCore import QMimeData

    other = QMimeData()
    other.setText("1")
    assert not rules_model.canDropMimeData(other, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert not rules_model.dropMimeData(other, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert names(rules_model) == ["A", "B", "C"]


def test_refresh_rendering_follows_new_display_names(qtbot, variables_model, rules_model):
    variables_model.replace_item(0, {**variables_model.item(0), "display_name": "Tier"})
    with qtbot.waitSignal(rules_model.dataChanged):
        rules_model.refresh_rendering()
    assert rules_model.index(0, RulesModel.CONDITION).data() == "Tier is one of ['Gold', 'Platinum']"

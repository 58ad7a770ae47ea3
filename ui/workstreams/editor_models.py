"""Table models over the work-stream editor's in-memory draft.

Each model holds a reference to one list of the draft (``context_variables`` or
``routing_rules``) and changes it only through its own methods, which emit the
right signals; the editor's undo commands call those methods.  Nothing here
touches the database, and the rendered text is cached, never built per paint.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from app.routing.conditions import render_condition
from app.workstreams.editing import destination_text, skills_text
from models.choices import VARIABLE_TYPE_LABELS
from ui.common.widgets import error_dot_icon

RULE_ROWS_MIME = "application/x-wsc-routing-rule-rows"
CLASSIFICATION_ROWS_MIME = "application/x-wsc-classification-rule-rows"

_Index = QModelIndex | QPersistentModelIndex


class _DraftListModel(QAbstractTableModel):
    """Rows are the dicts of one draft list; per-row problems show as a red dot and tooltip."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, rows: list[dict] | None = None, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = rows if rows is not None else []
        self._errors: dict[int, list[str]] = {}

    # -------------------------------------------------------------- Qt API
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.COLUMNS):
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            problems = self._errors.get(row)
            if problems:
                return "\n".join(problems)
            return self._tooltip(row, index.column())
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0 and self._errors.get(row):
            return error_dot_icon()
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[row]
        return None

    # -------------------------------------------------------------- the draft list
    def rows(self) -> list[dict]:
        return self._rows

    def item(self, row: int) -> dict:
        return self._rows[row]

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._errors = {}
        self._rebuild()
        self.endResetModel()

    def insert_item(self, row: int, item: dict) -> None:
        row = max(0, min(row, len(self._rows)))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, item)
        self._errors = {}
        self._rebuild()
        self.endInsertRows()
        self._after_structure_change()

    def remove_item(self, row: int) -> dict:
        self.beginRemoveRows(QModelIndex(), row, row)
        item = self._rows.pop(row)
        self._errors = {}
        self._rebuild()
        self.endRemoveRows()
        self._after_structure_change()
        return item

    def replace_item(self, row: int, item: dict) -> None:
        self._rows[row] = item
        self._errors.pop(row, None)
        self._rebuild()
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    # The editor's draft (app.workstreams.editing.WorkStreamDraft) changes the shared row list;
    # these announce the change to the views around it.
    def begin_insert(self, row: int) -> None:
        self.beginInsertRows(QModelIndex(), row, row)

    def end_insert(self) -> None:
        self._errors = {}
        self._rebuild()
        self.endInsertRows()
        self._after_structure_change()

    def begin_remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)

    def end_remove(self) -> None:
        self._errors = {}
        self._rebuild()
        self.endRemoveRows()
        self._after_structure_change()

    def begin_move(self, source: int, count: int, destination: int) -> None:
        self.beginMoveRows(QModelIndex(), source, source + count - 1, QModelIndex(), destination)

    def end_move(self) -> None:
        self._errors = {}
        self._rebuild()
        self.endMoveRows()
        self._after_structure_change()

    def rows_replaced(self, first: int, last: int) -> None:
        self._errors = {r: m for r, m in self._errors.items() if not first <= r <= last}
        self._rebuild()
        if 0 <= first <= last < len(self._rows):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))

    def set_row_errors(self, errors: dict[int, list[str]]) -> None:
        old = set(self._errors)
        self._errors = {r: list(m) for r, m in errors.items() if 0 <= r < len(self._rows) and m}
        for row in sorted(old | set(self._errors)):
            if row < len(self._rows):
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1),
                                      [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole])

    def row_errors(self) -> dict[int, list[str]]:
        return dict(self._errors)

    # -------------------------------------------------------------- hooks
    def _display(self, row: int, column: int) -> str:
        raise NotImplementedError

    def _tooltip(self, row: int, column: int) -> str | None:
        return None

    def _rebuild(self) -> None:
        """Refresh cached display text after the rows changed."""

    def _after_structure_change(self) -> None:
        """Rows were inserted or removed."""


class VariablesModel(_DraftListModel):
    """The stream's context variables: Display name, Name, Type."""

    COLUMNS = ("Display name", "Name", "Type")

    def _display(self, row: int, column: int) -> str:
        variable = self._rows[row]
        if column == 0:
            return variable.get("display_name", "")
        if column == 1:
            return variable.get("name", "")
        return VARIABLE_TYPE_LABELS.get(variable.get("type", "text"), variable.get("type", ""))

    def _tooltip(self, row: int, column: int) -> str | None:
        return self._display(row, column) if column in (0, 1) else None  # the whole text of an elided name

    def names(self) -> list[str]:
        return [v.get("name", "") for v in self._rows]

    def labels(self) -> dict[str, str]:
        return {v.get("name", ""): v.get("display_name") or v.get("name", "") for v in self._rows}

    def types(self) -> dict[str, str]:
        return {v.get("name", ""): v.get("type", "text") for v in self._rows}


class RulesModel(_DraftListModel):
    """The stream's routing rule items in evaluation order: Order, Name, Queue, Condition.

    Reordering goes through ``moveRows`` (also used by drag and drop); when the
    editor sets ``move_hook`` the move is handed to it (to become an undoable
    command, which then calls ``apply_move``).
    """

    # Order is the last model column, shown first by the view: a column 0 derived from the
    # position would change under inserts and moves, which item-model testers rightly refuse.
    COLUMNS = ("Name", "Queue", "Condition", "Order")
    NAME, QUEUE, CONDITION, ORDER = range(4)

    def __init__(self, rows: list[dict] | None = None, labels: Callable[[], dict[str, str]] | None = None,
                 parent=None):
        self._labels = labels or (lambda: {})
        self._rendered: list[str] = []
        self.move_hook: Callable[[int, int, int], bool] | None = None
        super().__init__(rows, parent)
        self._rebuild()

    def _rebuild(self) -> None:
        labels = self._labels()
        self._rendered = [render_condition(rule.get("condition", {"all": []}), labels) for rule in self._rows]

    def _after_structure_change(self) -> None:
        self._order_changed()

    def _order_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, self.ORDER), self.index(len(self._rows) - 1, self.ORDER),
                                  [Qt.ItemDataRole.DisplayRole])

    def refresh_rendering(self) -> None:
        """Variable display names changed: re-render the Condition column."""
        self._rebuild()
        if self._rows:
            self.dataChanged.emit(self.index(0, self.CONDITION), self.index(len(self._rows) - 1, self.CONDITION),
                                  [Qt.ItemDataRole.DisplayRole])

    def rendered(self, row: int) -> str:
        return self._rendered[row]

    def _display(self, row: int, column: int) -> str:
        rule = self._rows[row]
        if column == self.ORDER:
            return str(row + 1)
        if column == self.NAME:
            return rule.get("name", "")
        if column == self.QUEUE:
            return destination_text(rule)
        return self._rendered[row]

    def _tooltip(self, row: int, column: int) -> str | None:
        rule = self._rows[row]
        if column == self.CONDITION:
            return self._rendered[row]
        if column == self.QUEUE and rule.get("queues"):
            return f"{destination_text(rule)}: a percentage split, each conversation draws one queue"
        if column == self.NAME:  # a long name is elided in the column: the whole name here
            return "\n".join(t for t in (rule.get("name", ""), rule.get("description") or "") if t) or None
        return rule.get("description") or None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid() and index.column() == self.ORDER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)

    # -------------------------------------------------------------- moving
    def moveRows(self, sourceParent: _Index, sourceRow: int, count: int,  # noqa: N802,N803
                 destinationParent: _Index, destinationChild: int) -> bool:  # noqa: N803
        if sourceParent.isValid() or destinationParent.isValid() or count < 1:
            return False
        size = len(self._rows)
        if sourceRow < 0 or sourceRow + count > size or not 0 <= destinationChild <= size:
            return False
        if sourceRow <= destinationChild <= sourceRow + count:
            return False  # lands where it already is
        if self.move_hook is not None:
            return bool(self.move_hook(sourceRow, count, destinationChild))
        return self.apply_move(sourceRow, count, destinationChild)

    def apply_move(self, source: int, count: int, destination: int) -> bool:
        """Move rows [source, source+count) to before ``destination`` (Qt's moveRows meaning)."""
        if not self.beginMoveRows(QModelIndex(), source, source + count - 1, QModelIndex(), destination):
            return False
        block = self._rows[source:source + count]
        del self._rows[source:source + count]
        at = destination if destination < source else destination - count
        self._rows[at:at] = block
        self._errors = {}
        self._rebuild()
        self.endMoveRows()
        self._order_changed()
        return True

    @staticmethod
    def landing_row(source: int, count: int, destination: int) -> int:
        """Where the first moved row ends up."""
        return destination if destination < source else destination - count

    # -------------------------------------------------------------- drag and drop
    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [RULE_ROWS_MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data = QMimeData()
        data.setData(RULE_ROWS_MIME, QByteArray(",".join(map(str, rows)).encode("ascii")))
        return data

    @staticmethod
    def _decode(data: QMimeData) -> list[int]:
        if data is None or not data.hasFormat(RULE_ROWS_MIME):
            return []
        try:
            return [int(p) for p in bytes(data.data(RULE_ROWS_MIME).data()).decode("ascii").split(",") if p]
        except ValueError:
            return []

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                        parent: _Index) -> bool:
        rows = self._decode(data)
        return action == Qt.DropAction.MoveAction and bool(rows) and rows == list(range(rows[0], rows[-1] + 1)) \
            and rows[-1] < len(self._rows)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: _Index) -> bool:
        """Move the dragged rows; returns False so the view never removes the 'source' rows itself."""
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        rows = self._decode(data)
        if parent.isValid():  # dropped onto a row: insert before it
            row = parent.row()
        if row < 0:
            row = len(self._rows)
        self.moveRows(QModelIndex(), rows[0], len(rows), QModelIndex(), row)
        return False


class ClassificationRulesModel(RulesModel):
    """The stream's classification rules in evaluation order: Order, Name, Required skills, Condition.

    The same shape as the routing rules (the first match attaches its skills), so it moves the
    same way; the Queue column is the skills the rule requires.
    """

    COLUMNS = ("Name", "Required skills", "Condition", "Order")
    NAME, SKILLS, CONDITION, ORDER = range(4)

    def _display(self, row: int, column: int) -> str:
        if column == self.SKILLS:
            return skills_text(self._rows[row].get("skills") or {})
        return super()._display(row, column)

    def _tooltip(self, row: int, column: int) -> str | None:
        if column == self.SKILLS:
            return "Required skills, each at least at this rating: " + skills_text(self._rows[row].get("skills") or {})
        if column == self.CONDITION:
            return self._rendered[row]
        return self._rows[row].get("name") or None

    def mimeTypes(self) -> list[str]:  # noqa: N802 - a rule dragged here is not a routing rule
        return [CLASSIFICATION_ROWS_MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        data = super().mimeData(indexes)
        moved = QMimeData()
        moved.setData(CLASSIFICATION_ROWS_MIME, data.data(RULE_ROWS_MIME))
        return moved

    @staticmethod
    def _decode(data: QMimeData) -> list[int]:
        if data is None or not data.hasFormat(CLASSIFICATION_ROWS_MIME):
            return []
        try:
            return [int(p) for p in bytes(data.data(CLASSIFICATION_ROWS_MIME).data()).decode("ascii").split(",") if p]
        except ValueError:
            return []

"""The impact view: what an object uses and what uses it, to click through.

A two-column navigator around one object: "Uses" on the left, "Used by" on the
right (channel → work stream → rules → queues → agents → presences).  Enter or
double-click on an item moves there; Back (Alt+Left) returns.  The facts come
from ``app.doctor.impact.ImpactGraph``.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.doctor.impact import KIND_LABELS, ImpactGraph, Node

NodeRole = Qt.ItemDataRole.UserRole + 1


class NeighbourModel(QAbstractListModel):
    """(node, how) pairs as "label — how"."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[Node, str]] = []

    def set_rows(self, rows: list[tuple[Node, str]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        node, how = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{node.label} — {how}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{node.label}\n{how}\nEnter or double-click to go there"
        if role == NodeRole:
            return node
        return None


class NeighbourList(QListView):
    chosen = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.setUniformItemSizes(True)
        self.doubleClicked.connect(self._choose)

    def _choose(self, index: QModelIndex) -> None:
        node = index.data(NodeRole) if index.isValid() else None
        if node is not None:
            self.chosen.emit(node)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._choose(self.currentIndex())
            return
        super().keyPressEvent(event)


class ImpactView(QWidget):
    """Navigate the impact graph around one object at a time."""

    currentChanged = Signal(object)  # the Node shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("impactView")
        self.graph = ImpactGraph()
        self.current: Node | None = None
        self.history: list[Node] = []

        self.kind = QComboBox()
        self.kind.setObjectName("impactKind")
        for kind, label in KIND_LABELS.items():
            if kind != "rule":
                self.kind.addItem(f"{label}s", kind)
        self.kind.currentIndexChanged.connect(self._fill_objects)
        self.object = QComboBox()
        self.object.setObjectName("impactObject")
        self.object.setMinimumContentsLength(24)
        self.object.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.object.activated.connect(self._object_chosen)
        self.back_button = QPushButton("Back")
        self.back_button.setObjectName("impactBack")
        self.back_button.setToolTip("Back to the previous object (Alt+Left)")
        self.back_button.clicked.connect(self.back)
        QShortcut(QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left), self, self.back)
        kind_label = QLabel("&Object:")
        kind_label.setBuddy(self.kind)
        top = QHBoxLayout()
        top.addWidget(kind_label)
        top.addWidget(self.kind)
        top.addWidget(self.object, 1)
        top.addWidget(self.back_button)

        self.title = QLabel("Choose an object to see what it uses and what uses it.")
        self.title.setObjectName("impactTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)

        self.uses_model = NeighbourModel(self)
        self.used_by_model = NeighbourModel(self)
        self.uses_list = NeighbourList()
        self.uses_list.setObjectName("impactUses")
        self.uses_list.setModel(self.uses_model)
        self.used_by_list = NeighbourList()
        self.used_by_list.setObjectName("impactUsedBy")
        self.used_by_list.setModel(self.used_by_model)
        self.uses_list.chosen.connect(self.show_node)
        self.used_by_list.chosen.connect(self.show_node)
        self.uses_label = QLabel("&Uses")
        self.uses_label.setBuddy(self.uses_list)
        self.used_by_label = QLabel("Used &by")
        self.used_by_label.setBuddy(self.used_by_list)
        grid = QGridLayout()
        grid.addWidget(self.uses_label, 0, 0)
        grid.addWidget(self.used_by_label, 0, 1)
        grid.addWidget(self.uses_list, 1, 0)
        grid.addWidget(self.used_by_list, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addLayout(grid, 1)
        self._update_back()

    def set_graph(self, graph: ImpactGraph) -> None:
        self.graph = graph
        self.history.clear()
        self._fill_objects()
        if self.current is not None:
            same = graph.nodes.get((self.current.kind, self.current.name.casefold(),
                                    self.current.workstream.casefold(), self.current.rule_index))
            self.current = None
            if same is not None:
                self.show_node(same, remember=False)
        self._update_back()

    def _fill_objects(self) -> None:
        kind = self.kind.currentData()
        self.object.clear()
        for node in self.graph.of_kind(kind):
            self.object.addItem(node.name, node)
        self.object.setCurrentIndex(-1)
        self.object.setPlaceholderText(f"Choose a {KIND_LABELS[kind].lower()}…" if self.object.count()
                                       else f"No {KIND_LABELS[kind].lower()}s")

    def _object_chosen(self, row: int) -> None:
        node = self.object.itemData(row)
        if node is not None:
            self.show_node(node)

    def show_node(self, node: Node, remember: bool = True) -> None:
        if remember and self.current is not None and self.current != node:
            self.history.append(self.current)
        self.current = node
        uses, used_by = self.graph.uses(node), self.graph.used_by(node)
        self.title.setText(node.label)
        self.uses_model.set_rows(uses)
        self.used_by_model.set_rows(used_by)
        self.uses_label.setText(f"&Uses ({len(uses)})" if uses else "&Uses (nothing)")
        self.used_by_label.setText(f"Used &by ({len(used_by)})" if used_by else "Used &by (nothing)")
        for view in (self.uses_list, self.used_by_list):
            if view.model().rowCount():
                view.setCurrentIndex(view.model().index(0, 0))
        self._update_back()
        self.currentChanged.emit(node)

    def back(self) -> None:
        if self.history:
            self.show_node(self.history.pop(), remember=False)

    def _update_back(self) -> None:
        self.back_button.setEnabled(bool(self.history))

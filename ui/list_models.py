"""Table models for the main window's lists: cached rows, one service call per refresh.

``data()`` only reads the cached rows (never the database); ``refresh()`` reloads
them with a single ``Services.list_*`` call inside a model reset.  Roles:

* ``Qt.DisplayRole`` — friendly text (choice labels from ``models.choices``)
* ``SORT_ROLE`` — the raw value to sort by (case-folded text, numbers, timestamps)
* ``ID_ROLE`` (``Qt.UserRole``) — the row's id
* ``ROW_ROLE`` — the cached row object itself
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from models.choices import (
    BASE_PRESENCE_NAMES,
    CHANNEL_KIND_LABELS,
    CHANNEL_LABELS,
    DISTRIBUTION_MODE_LABELS,
    NOTIFICATION_LABELS,
    QUEUE_KIND_LABELS,
)

ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
INACTIVE_COLOUR = QColor("#8A8A8A")
DASH = "—"

WORKSTREAM_STATES = {"active": "Active work streams", "inactive": "Inactive work streams", "all": "All work streams"}


def format_modified(value: datetime | None) -> str:
    """A stored UTC time as local 'YYYY-MM-DD HH:MM'."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def _timestamp(value: datetime | None) -> float:
    if value is None:
        return 0.0
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def _text_key(value: str) -> str:
    return value.casefold()


@dataclass(frozen=True)
class Column:
    title: str
    display: Callable[[Any], str]
    sort: Callable[[Any], Any]
    align: Qt.AlignmentFlag = LEFT


def _name_column() -> Column:
    return Column("Name", lambda r: r.name, lambda r: _text_key(r.name))


def _modified_column() -> Column:
    return Column("Modified", lambda r: format_modified(r.modified_at), lambda r: _timestamp(r.modified_at))


class RowTableModel(QAbstractTableModel):
    """A read-only table of frozen service rows."""

    columns: Sequence[Column] = ()
    noun: tuple[str, str] = ("item", "items")
    refreshed = Signal()

    def __init__(self, services, parent=None):
        super().__init__(parent)
        self.services = services
        self._rows: list[Any] = []

    # ------------------------------------------------------------------ loading

    def load(self) -> list[Any]:
        """The one service call behind this model."""
        raise NotImplementedError

    def refresh(self) -> None:
        rows = list(self.load())  # may raise: the cache stays as it was
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
        self.refreshed.emit()

    # ------------------------------------------------------------------ access

    @property
    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_for_id(self, row_id: str) -> int:
        for number, item in enumerate(self._rows):
            if item.id == row_id:
                return number
        return -1

    def describe_count(self, count: int | None = None) -> str:
        count = len(self._rows) if count is None else count
        return f"{count} {self.noun[0] if count == 1 else self.noun[1]}"

    # ------------------------------------------------------------------ Qt model

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.columns):
            return None
        item = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(item)
        if role == SORT_ROLE:
            return column.sort(item)
        if role == ID_ROLE:
            return item.id
        if role == ROW_ROLE:
            return item
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        return self.extra_data(item, index.column(), role)

    def extra_data(self, item: Any, column: int, role: int) -> Any:
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.columns[section].align
        return None


class WorkStreamListModel(RowTableModel):
    noun = ("work stream", "work streams")
    columns = (
        _name_column(),
        Column("Channel", lambda r: CHANNEL_LABELS.get(r.channel, r.channel), lambda r: r.channel),
        Column("Mode", lambda r: DISTRIBUTION_MODE_LABELS.get(r.distribution_mode, r.distribution_mode),
               lambda r: r.distribution_mode),
        Column("Notification", lambda r: NOTIFICATION_LABELS.get(r.notification, r.notification),
               lambda r: r.notification),
        Column("Capacity", lambda r: str(r.capacity), lambda r: r.capacity, RIGHT),
        Column("Default queue", lambda r: r.default_queue or DASH, lambda r: _text_key(r.default_queue)),
        _modified_column(),
    )

    def __init__(self, services, parent=None, state: str = "active"):
        super().__init__(services, parent)
        self.state = state

    def set_state(self, state: str) -> None:
        if state not in WORKSTREAM_STATES:
            raise ValueError(f"unknown work stream view '{state}'")
        self.state = state
        self.refresh()

    def load(self):
        return self.services.list_workstreams(state=self.state)

    def describe_count(self, count: int | None = None) -> str:
        count = len(self._rows) if count is None else count
        adjective = {"active": "active ", "inactive": "inactive "}.get(self.state, "")
        return f"{count} {adjective}{self.noun[0] if count == 1 else self.noun[1]}"

    def extra_data(self, item, column, role):
        if not item.active:
            if role == Qt.ItemDataRole.ForegroundRole:
                return INACTIVE_COLOUR
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{item.name} is inactive"
        return None


class QueueListModel(RowTableModel):
    noun = ("queue", "queues")
    columns = (
        _name_column(),
        Column("Type", lambda r: QUEUE_KIND_LABELS.get(r.kind, r.kind), lambda r: r.kind),
        Column("Agents", lambda r: str(r.agent_count), lambda r: r.agent_count, RIGHT),
        Column("Description", lambda r: " ".join(r.description.split())[:160], lambda r: _text_key(r.description)),
        _modified_column(),
    )

    def load(self):
        return self.services.list_queues()


class AgentListModel(RowTableModel):
    noun = ("agent", "agents")
    columns = (
        _name_column(),
        Column("Capacity", lambda r: str(r.capacity), lambda r: r.capacity, RIGHT),
        Column("Presence", lambda r: r.presence, lambda r: _text_key(r.presence)),
        Column("Queues", lambda r: ", ".join(r.queues) or DASH, lambda r: _text_key(", ".join(r.queues))),
        _modified_column(),
    )

    def load(self):
        return self.services.list_agents()


class PresenceListModel(RowTableModel):
    noun = ("presence", "presences")
    columns = (
        _name_column(),
        Column("Base presence", lambda r: BASE_PRESENCE_NAMES.get(r.base, r.base), lambda r: r.base),
        Column("Presence text", lambda r: " ".join(r.text.split())[:160], lambda r: _text_key(r.text)),
        Column("Type", lambda r: "Base" if r.is_system else "Custom", lambda r: 0 if r.is_system else 1),
        _modified_column(),
    )

    def load(self):
        return self.services.list_presences()

    def extra_data(self, item, column, role):
        if item.is_system and role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.name} is a base presence: built in, read-only"
        return None


class ChannelListModel(RowTableModel):
    noun = ("channel", "channels")
    columns = (
        _name_column(),
        Column("Type", lambda r: CHANNEL_KIND_LABELS.get(r.kind, r.kind), lambda r: r.kind),
        Column("Work stream", lambda r: r.workstream, lambda r: _text_key(r.workstream)),
        Column("Default", lambda r: "Yes" if r.is_default else "No", lambda r: 0 if r.is_default else 1),
        _modified_column(),
    )

    def load(self):
        return self.services.list_channels()


MODEL_FOR_VIEW: dict[str, type[RowTableModel]] = {
    "workstreams": WorkStreamListModel,
    "queues": QueueListModel,
    "agents": AgentListModel,
    "presences": PresenceListModel,
    "channels": ChannelListModel,
}


class ListProxyModel(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` and filters by name (case-insensitive, fixed text)."""

    def __init__(self, source: RowTableModel, parent=None):
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def set_search(self, text: str) -> None:
        self.setFilterFixedString(text.strip())

    def id_at(self, row: int) -> str | None:
        if not 0 <= row < self.rowCount():
            return None
        return self.index(row, 0).data(ID_ROLE)

    def row_for_id(self, row_id: str) -> int:
        source: RowTableModel = self.sourceModel()
        source_row = source.row_for_id(row_id)
        if source_row < 0:
            return -1
        return self.mapFromSource(source.index(source_row, 0)).row()

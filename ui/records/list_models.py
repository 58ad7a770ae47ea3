"""Table models for the main window's lists: cached rows, one service call per refresh.

``data()`` only reads the cached rows (never the database); ``refresh()`` reloads
them with a single ``Services.list_*`` call inside a model reset.  The work streams
list is paged (``canFetchMore``/``fetchMore``, sorted and searched in SQL); the
others are small and load whole.  Roles:

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

from app.common.errors import UserError
from app.common.names import name_key
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

_DISPLAY, _SORT, _ID, _ROW = int(Qt.ItemDataRole.DisplayRole), int(SORT_ROLE), int(ID_ROLE), int(ROW_ROLE)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_BASE_ROLES = frozenset({_DISPLAY, _SORT, _ID, _ROW, _ALIGN})

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


def sort_timestamp(value: datetime | None) -> float:
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
    return Column("Modified", lambda r: format_modified(r.modified_at), lambda r: sort_timestamp(r.modified_at))


class RowTableModel(QAbstractTableModel):
    """A read-only table of frozen service rows."""

    columns: Sequence[Column] = ()
    noun: tuple[str, str] = ("item", "items")
    # Roles ``extra_data`` answers (besides display, sort, id, row and alignment).
    extra_roles: frozenset[int] = frozenset()
    _roles = _BASE_ROLES
    refreshed = Signal()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._roles = _BASE_ROLES | frozenset(int(role) for role in cls.extra_roles)

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
        # A view asks ~20 roles per cell (size hints of every loaded row): answer the
        # ones this model has no value for first, with plain ints, before anything else.
        role = int(role)
        if role not in self._roles:
            return None
        row, number = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= number < len(self.columns)):
            return None
        item = self._rows[row]
        if role == _DISPLAY:
            return self.columns[number].display(item)
        if role == _SORT:
            return self.columns[number].sort(item)
        if role == _ID:
            return item.id
        if role == _ROW:
            return item
        if role == _ALIGN:
            return self.columns[number].align
        return self.extra_data(item, number, role)

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
    """The work streams list, loaded a page at a time (it can hold 100,000 streams).

    ``refresh()`` loads the first page (or as many rows as were loaded, so the view
    keeps its place) with one ``Services.list_workstream_page`` call; the view asks
    for more with ``canFetchMore``/``fetchMore`` as it scrolls, one call per page,
    keyset-paged on the sort key and the case-folded name.  Sorting (``sort()``, which
    ``ListProxyModel`` forwards here) and the search (``set_search()``) are done in SQL,
    so neither loads the whole table.  ``data()`` reads the cached rows only.

    When the search matches nothing the model keeps the first page of the unfiltered
    list and ``hides_all`` says so: the proxy then shows no row, and the page can tell
    "no matches" from "nothing here" (``rowCount() > 0`` of the source).
    """

    noun = ("work stream", "work streams")
    columns = (
        _name_column(),
        Column("Channel", lambda r: CHANNEL_LABELS.get(r.channel, r.channel), lambda r: r.channel),
        Column("Mode", lambda r: DISTRIBUTION_MODE_LABELS.get(r.distribution_mode, r.distribution_mode),
               lambda r: r.distribution_mode),
        Column("Notification", lambda r: NOTIFICATION_LABELS.get(r.notification, r.notification),
               lambda r: r.notification),
        # A profile-based stream's capacity is its profile's work item limit, not units.
        Column("Capacity", lambda r: f"{r.capacity_profile} profile" if r.capacity_profile else str(r.capacity),
               lambda r: r.capacity, RIGHT),
        Column("Default queue", lambda r: r.default_queue or DASH, lambda r: _text_key(r.default_queue)),
        _modified_column(),
    )
    extra_roles = frozenset({Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole,
                             Qt.ItemDataRole.DecorationRole})
    # The service's sort key of each column, in column order.
    ORDERS = ("name", "channel", "distribution_mode", "notification", "capacity", "default_queue", "modified_at")
    # Rows per page: a screenful or three.  The view measures every loaded row for its
    # ResizeToContents columns before the first paint, so a page is kept small.
    PAGE_SIZE = 64
    paged = True

    def __init__(self, services, parent=None, state: str = "active"):
        super().__init__(services, parent)
        self.state = state
        self.search = ""
        self.sort_column = 0
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._last_key: tuple | None = None
        self._more = False
        self._hides_all = False
        self._matching = 0
        self._total = 0
        self._ids: dict[str, int] = {}
        self._loaded = False
        # the doctor's badges (ui/doctor/badges.py fills them off the GUI thread): folded name -> Badge
        self.badges: dict[str, Any] = {}
        self.badge_icon: Callable[[str], Any] | None = None

    # ------------------------------------------------------------------ loading

    def _page(self, *, search: str | None = None, after_key: tuple | None = None, limit: int | None = None,
              through_id: str | None = None, with_counts: bool = False) -> dict:
        return self.services.list_workstream_page(
            state=self.state, search=self.search if search is None else search, after_key=after_key,
            limit=limit, order=self.ORDERS[self.sort_column],
            descending=self.sort_order == Qt.SortOrder.DescendingOrder, through_id=through_id,
            with_counts=with_counts)

    def load(self):
        """The rows a refresh shows (and, as side data, the counts and where the next page starts)."""
        return self._load()[0]

    def _load(self) -> tuple[list, dict]:
        limit = max(self.PAGE_SIZE, len(self._rows))
        page = self._page(limit=limit, with_counts=True)
        hides_all = bool(self.search) and page["matching"] == 0 and page["total"] > 0
        if hides_all:
            page = {**self._page(search="", limit=self.PAGE_SIZE), "matching": 0, "total": page["total"]}
        page["hides_all"] = hides_all
        page["more"] = len(page["rows"]) >= limit and not hides_all
        return page["rows"], page

    def refresh(self) -> None:
        rows, page = self._load()  # may raise: the cache stays as it was
        self.beginResetModel()
        self._set_rows(rows)
        self._last_key, self._more = page["last_key"], page["more"]
        self._hides_all = page["hides_all"]
        self._matching, self._total = page["matching"], page["total"]
        self._loaded = True
        self.endResetModel()
        self.refreshed.emit()

    def _set_rows(self, rows: list) -> None:
        self._rows = list(rows)
        self._ids = {row.id: number for number, row in enumerate(self._rows)}

    def _append(self, rows: list, last_key: tuple | None) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        for number, row in enumerate(rows, first):
            self._rows.append(row)
            self._ids[row.id] = number
        self._last_key = last_key
        self.endInsertRows()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        try:
            page = self._page(after_key=self._last_key, limit=self.PAGE_SIZE)
        except UserError:
            self._more = False  # the next refresh tries again
            return
        self._more = len(page["rows"]) >= self.PAGE_SIZE
        self._append(page["rows"], page["last_key"])

    def fetch_through(self, row_id: str) -> int:
        """Load every row up to ``row_id`` (one call); its row number, or -1 when not listed."""
        if row_id in self._ids:
            return self._ids[row_id]
        if not self._more:
            return -1
        page = self._page(after_key=self._last_key, through_id=row_id)
        rows = page["rows"]
        if not rows or rows[-1].id != row_id:
            return -1
        self._append(rows, page["last_key"])
        return self._ids.get(row_id, -1)

    # ------------------------------------------------------------------ state, search, order

    def set_state(self, state: str) -> None:
        if state not in WORKSTREAM_STATES:
            raise ValueError(f"unknown work stream view '{state}'")
        self.state = state
        self.refresh()

    def set_search(self, text: str) -> None:
        text = text.strip()
        if text == self.search and self._loaded:
            return
        self.search = text
        if self._loaded:
            self.refresh()

    @property
    def hides_all(self) -> bool:
        return self._hides_all

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        column = column if 0 <= column < len(self.ORDERS) else 0
        if (column, order) == (self.sort_column, self.sort_order):
            return
        self.sort_column, self.sort_order = column, order
        if self._loaded:
            self.refresh()

    # ------------------------------------------------------------------ access

    def row_for_id(self, row_id: str) -> int:
        return self._ids.get(row_id, -1)

    def describe_count(self, count: int | None = None) -> str:
        adjective = {"active": "active ", "inactive": "inactive "}.get(self.state, "")

        def words(number: int) -> str:
            return f"{number} {adjective}{self.noun[0] if number == 1 else self.noun[1]}"

        if count is not None and count != len(self._rows):
            return words(count)
        # the whole list, not just the rows loaded so far
        if self.search and not self._hides_all and self._matching != self._total:
            return f"{self._matching} of {words(self._total)}"
        return words(self._total)

    def set_badges(self, badges: dict[str, Any]) -> None:
        """The doctor's badges by folded name; the Name column repaints."""
        self.badges = badges
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0),
                                  [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole])

    def extra_data(self, item, column, role):
        if column == 0 and role == _DECORATION:
            # every row has the badge's room (a blank one without findings), so names never shift
            if self.badge_icon is None:
                return None
            badge = self.badges.get(name_key(item.name))
            return self.badge_icon(None if badge is None else badge.worst)
        if column == 0 and role == _TOOLTIP and self.badges:
            badge = self.badges.get(name_key(item.name))
            if badge is not None:
                import html  # tooltips only: not on the first window's path

                inactive = "" if item.active else f"{item.name} is inactive\n"
                # rich text, so Qt wraps the long lines instead of running off the screen
                lines = (inactive + badge.tooltip).splitlines()
                return "<qt>" + "<br>".join(html.escape(line) for line in lines) + "</qt>"
        if not item.active:
            if role == Qt.ItemDataRole.ForegroundRole:
                return INACTIVE_COLOUR
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{item.name} is inactive"
        return None


_DECORATION, _TOOLTIP = int(Qt.ItemDataRole.DecorationRole), int(Qt.ItemDataRole.ToolTipRole)


class QueueListModel(RowTableModel):
    noun = ("queue", "queues")
    columns = (
        _name_column(),
        Column("Type", lambda r: QUEUE_KIND_LABELS.get(r.kind, r.kind), lambda r: r.kind),
        Column("Agents", lambda r: str(r.agent_count), lambda r: r.agent_count, RIGHT),
        Column("Priority", lambda r: str(r.priority), lambda r: r.priority, RIGHT),  # 1 is the highest
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

    extra_roles = frozenset({Qt.ItemDataRole.ToolTipRole})

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


def _scale(values: tuple[str, ...]) -> str:
    """A rating scale as read aloud, lowest first: '1 · 2 · 3 · 4 · 5'."""
    return " · ".join(values)


class SkillListModel(RowTableModel):
    noun = ("skill", "skills")
    columns = (
        _name_column(),
        Column("Rating model", lambda r: r.rating_model, lambda r: _text_key(r.rating_model)),
        Column("Ratings", lambda r: _scale(r.values), lambda r: len(r.values)),
        Column("Agents", lambda r: str(r.agent_count), lambda r: r.agent_count, RIGHT),
        _modified_column(),
    )

    def load(self):
        return self.services.list_skills()


class RatingModelListModel(RowTableModel):
    """The rating models, shown on the Skills page under its skills."""

    noun = ("rating model", "rating models")
    columns = (
        _name_column(),
        Column("Values (lowest first)", lambda r: _scale(r.values), lambda r: len(r.values)),
        Column("Skills", lambda r: str(r.skill_count), lambda r: r.skill_count, RIGHT),
        _modified_column(),
    )

    def load(self):
        return self.services.list_rating_models()


class CapacityProfileListModel(RowTableModel):
    noun = ("capacity profile", "capacity profiles")
    columns = (
        _name_column(),
        Column("Work item limit", lambda r: str(r.work_item_limit), lambda r: r.work_item_limit, RIGHT),
        Column("Agent overrides", lambda r: str(r.agent_count), lambda r: r.agent_count, RIGHT),
        Column("Work streams", lambda r: str(r.workstream_count), lambda r: r.workstream_count, RIGHT),
        _modified_column(),
    )

    def load(self):
        return self.services.list_capacity_profiles()


MODEL_FOR_VIEW: dict[str, type[RowTableModel]] = {
    "workstreams": WorkStreamListModel,
    "queues": QueueListModel,
    "agents": AgentListModel,
    "skills": SkillListModel,
    "capacity_profiles": CapacityProfileListModel,
    "presences": PresenceListModel,
    "channels": ChannelListModel,
}


class ListProxyModel(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` and filters by name (case-insensitive, fixed text).

    Over a paged source (``source.paged``) sorting and searching are the source's,
    done in SQL: this proxy then keeps the source's order, and hides rows only when
    the source says the search matched nothing (``hides_all``).
    """

    def __init__(self, source: RowTableModel, parent=None):
        super().__init__(parent)
        self._paged = bool(getattr(source, "paged", False))
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)  # a source reset re-runs filterAcceptsRow (hides_all)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._paged:
            self.sourceModel().sort(column, order)  # ORDER BY in SQL; the rows come back in order
            return
        super().sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._paged:
            return not self.sourceModel().hides_all
        return super().filterAcceptsRow(source_row, source_parent)

    def set_search(self, text: str) -> None:
        if self._paged:
            self.sourceModel().set_search(text)
            return
        self.setFilterFixedString(text.strip())

    def id_at(self, row: int) -> str | None:
        if not 0 <= row < self.rowCount():
            return None
        return self.index(row, 0).data(ID_ROLE)

    def row_for_id(self, row_id: str) -> int:
        source: RowTableModel = self.sourceModel()
        source_row = source.row_for_id(row_id)
        if source_row < 0 and self._paged:
            source_row = source.fetch_through(row_id)  # a row not loaded yet: load up to it
        if source_row < 0:
            return -1
        return self.mapFromSource(source.index(source_row, 0)).row()

"""The list models: cached rows, one service call per refresh, friendly labels, sort and id roles."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.core import Services
from ui.records.list_models import (
    ID_ROLE,
    MODEL_FOR_VIEW,
    ROW_ROLE,
    SORT_ROLE,
    AgentListModel,
    ChannelListModel,
    ListProxyModel,
    PresenceListModel,
    QueueListModel,
    WorkStreamListModel,
)

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
         Qt.ItemDataRole.TextAlignmentRole, SORT_ROLE, ID_ROLE, ROW_ROLE)


class CountingServices:
    """Wraps Services and counts the list_* calls a model makes."""

    def __init__(self, services: Services):
        self._services = services
        self.calls: list[str] = []
        self.broken = False

    def __getattr__(self, name):
        target = getattr(self._services, name)
        if not name.startswith("list_"):
            return target

        def call(*args, **kwargs):
            if self.broken:
                raise AssertionError(f"{name} called after the refresh")
            self.calls.append(name)
            return target(*args, **kwargs)

        return call


def all_cells(model) -> list:
    return [model.index(r, c).data(role) for r in range(model.rowCount()) for c in range(model.columnCount())
            for role in ROLES]


@pytest.mark.parametrize("view", list(MODEL_FOR_VIEW))
def test_every_model_passes_the_model_tester_with_data(qtmodeltester, services, view):
    model = MODEL_FOR_VIEW[view](services)
    if view == "workstreams":
        model.state = "all"
    model.refresh()
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize("view", list(MODEL_FOR_VIEW))
def test_every_model_passes_the_model_tester_empty(qtmodeltester, empty_db, view):
    model = MODEL_FOR_VIEW[view](Services(empty_db))
    model.refresh()
    expected_rows = 5 if view == "presences" else 0  # the base presences are always there
    assert model.rowCount() == expected_rows
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize("view", list(MODEL_FOR_VIEW))
def test_the_proxy_passes_the_model_tester(qtmodeltester, services, view):
    model = MODEL_FOR_VIEW[view](services)
    model.refresh()
    proxy = ListProxyModel(model)
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    proxy.set_search("a")
    qtmodeltester.check(proxy, force_py=True)


@pytest.mark.parametrize("view", list(MODEL_FOR_VIEW))
def test_refresh_is_one_service_call_and_data_never_queries(services, view):
    counting = CountingServices(services)
    model = MODEL_FOR_VIEW[view](counting)
    model.refresh()
    assert len(counting.calls) == 1 and counting.calls[0].startswith("list_")
    counting.broken = True  # from now on any query fails the test
    cells = all_cells(model)
    assert cells and any(cell for cell in cells)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def test_refresh_resets_the_model_and_keeps_the_cache_when_the_call_fails(qtbot, services):
    model = QueueListModel(services)
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset, model.refreshed]):
        model.refresh()
    before = model.rows

    def broken():
        raise RuntimeError("database gone")

    model.load = broken
    with pytest.raises(RuntimeError):
        model.refresh()
    assert model.rows == before


def test_work_stream_rows_show_friendly_labels_and_raw_sort_values(services):
    model = WorkStreamListModel(services, state="all")
    model.refresh()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    row = names.index("Chat - Retail banking")
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["Name", "Channel", "Mode", "Notification", "Capacity", "Default queue", "Modified"]
    display = [model.index(row, c).data() for c in range(model.columnCount())]
    # Retail banking's capacity is the Chat profile (document version 2): the column says so, not "30".
    assert display[1:6] == ["Live chat", "Push", "Screen pop with decline", "Chat profile", "General"]
    units = names.index("Chat - Investments desk")
    assert model.index(units, 4).data().isdigit()
    assert model.index(row, 1).data(SORT_ROLE) == "live_chat"
    assert model.index(row, 4).data(SORT_ROLE) == 30
    assert model.index(row, 0).data(ID_ROLE) == services.workstream_id_by_name("Chat - Retail banking")
    assert model.index(row, 0).data(ROW_ROLE).name == "Chat - Retail banking"
    assert model.index(row, 4).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert len(display[6]) == len("2024-01-01 12:00")


def test_inactive_work_streams_are_greyed(services):
    model = WorkStreamListModel(services, state="all")
    model.refresh()
    rows = {model.index(r, 0).data(): r for r in range(model.rowCount())}
    inactive = model.index(rows["SMS - General enquiries"], 2)
    active = model.index(rows["Chat - Retail banking"], 2)
    colour = inactive.data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(colour, (QColor, QBrush))
    assert QColor(colour if isinstance(colour, QColor) else colour.color()).lightness() > 100
    assert "inactive" in inactive.data(Qt.ItemDataRole.ToolTipRole)
    assert active.data(Qt.ItemDataRole.ForegroundRole) is None


def test_work_stream_states_filter_through_the_service(services):
    model = WorkStreamListModel(services)
    counts = {}
    for state in ("active", "inactive", "all"):
        model.set_state(state)
        counts[state] = model.rowCount()
    assert counts == {"active": 3, "inactive": 1, "all": 4}
    assert model.describe_count() == "4 work streams"
    model.set_state("inactive")
    assert model.describe_count() == "1 inactive work stream"
    with pytest.raises(ValueError):
        model.set_state("archived")


def test_the_proxy_sorts_numbers_as_numbers(services):
    services.save_agent({"name": "Zoe Nine", "capacity": 9})
    model = AgentListModel(services)
    model.refresh()
    proxy = ListProxyModel(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    shown = [proxy.index(r, 1).data() for r in range(proxy.rowCount())]
    assert shown[0] == "9"  # as text "9" would sort after "100"
    assert [int(v) for v in shown] == sorted(int(v) for v in shown)


def test_the_proxy_filters_by_name_case_insensitively(services):
    model = AgentListModel(services)
    model.refresh()
    proxy = ListProxyModel(model)
    proxy.set_search("  RUIZ ")
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data() == "Ana Ruiz"
    assert proxy.id_at(0) == model.index(model.row_for_id(proxy.id_at(0)), 0).data(ID_ROLE)
    assert proxy.row_for_id(proxy.id_at(0)) == 0
    assert proxy.id_at(5) is None
    proxy.set_search("")
    assert proxy.rowCount() == model.rowCount() == 6


def test_other_models_show_labels(services):
    queues = QueueListModel(services)
    queues.refresh()
    general = [r for r in range(queues.rowCount()) if queues.index(r, 0).data() == "General"][0]
    assert queues.index(general, 1).data() == "Messaging"
    assert queues.index(general, 2).data() == "6"
    vip = [r for r in range(queues.rowCount()) if queues.index(r, 0).data() == "VIP"][0]
    assert queues.index(vip, 3).data() == "1"  # its priority: the highest
    assert queues.index(general, 3).data(SORT_ROLE) == 10_000

    agents = AgentListModel(services)
    agents.refresh()
    assert agents.index(0, 0).data() == "Ana Ruiz"
    assert "General" in agents.index(0, 3).data()

    presences = PresenceListModel(services)
    presences.refresh()
    labels = [(presences.index(r, 0).data(), presences.index(r, 3).data()) for r in range(presences.rowCount())]
    assert labels[0] == ("Available", "Base")
    assert ("Away - Training", "Custom") in labels
    assert presences.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).endswith("read-only")

    channels = ChannelListModel(services)
    channels.refresh()
    kinds = {channels.index(r, 0).data(): channels.index(r, 1).data() for r in range(channels.rowCount())}
    assert kinds["Website chat widget"] == "Chat widget"
    assert kinds["SMS +44 7700 900123"] == "SMS number"


def test_invalid_indexes_and_headers_are_empty(services):
    model = QueueListModel(services)
    model.refresh()
    assert model.data(QModelIndex()) is None
    assert model.index(99, 0).data() is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(99, Qt.Orientation.Horizontal) is None
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags

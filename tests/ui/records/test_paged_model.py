"""The paged work streams model: pages on demand, sorts and searches in SQL, passes the model tester."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.config.io import import_document
from app.services.core import Services
from benchmarks.generate import Preset, generate
from ui.records.list_models import ID_ROLE, ROW_ROLE, SORT_ROLE, ListProxyModel, WorkStreamListModel

PAGE = 40
STREAMS = 130  # three full pages and a bit
COLUMNS = range(len(WorkStreamListModel.columns))


@pytest.fixture
def many(empty_db) -> Services:
    doc = generate(Preset("paged", streams=STREAMS, variables=1, rules=1, queues=7, agents=4, presences=1,
                          members=2, channel_every=50))
    import_document(empty_db, doc)
    return Services(empty_db)


@pytest.fixture
def model(many, monkeypatch) -> WorkStreamListModel:
    monkeypatch.setattr(WorkStreamListModel, "PAGE_SIZE", PAGE)
    return WorkStreamListModel(many, state="all")


class Counting:
    def __init__(self, services):
        self._services, self.calls = services, []

    def __getattr__(self, name):
        target = getattr(self._services, name)
        if not name.startswith("list_"):
            return target

        def call(*args, **kwargs):
            self.calls.append(name)
            return target(*args, **kwargs)
        return call


def names(model) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def fetch_all(model) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def expected_order(services, column: int, descending: bool) -> list[str]:
    """What sorting every row by the column's SORT_ROLE (ties by folded name) gives."""
    everything = WorkStreamListModel(services, state="all")
    everything.PAGE_SIZE = 10_000
    everything.refresh()
    key = WorkStreamListModel.columns[column].sort
    rows = sorted(everything.rows, key=lambda r: (key(r), r.name.casefold()), reverse=descending)
    return [r.name for r in rows]


def test_a_refresh_loads_one_page_and_fetch_more_the_next(model):
    model.refresh()
    assert model.rowCount() == PAGE and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE
    fetch_all(model)
    assert model.rowCount() == STREAMS and not model.canFetchMore(QModelIndex())
    assert names(model) == sorted(names(model), key=str.casefold)
    assert len(set(names(model))) == STREAMS
    model.refresh()  # keeps as many rows as were loaded: the view keeps its place
    assert model.rowCount() == STREAMS
    assert model.describe_count() == f"{STREAMS} work streams"


@pytest.mark.parametrize("stage", ["refreshed", "fetched more", "refreshed again", "sorted", "another state"])
def test_the_model_tester_passes(qtmodeltester, model, stage):
    """One tester per model (two testers on one model trip over each other's fetchMore)."""
    model.refresh()
    if stage != "refreshed":
        model.fetchMore(QModelIndex())
        assert model.rowCount() == 2 * PAGE
    if stage == "refreshed again":
        model.refresh()
        assert model.rowCount() == 2 * PAGE
    if stage == "sorted":
        model.sort(6, Qt.SortOrder.DescendingOrder)
    if stage == "another state":
        model.set_state("active")
    qtmodeltester.check(model, force_py=True)  # (the tester also fetches more itself)
    assert 0 < model.rowCount() <= STREAMS


def test_fetch_more_inserts_rows_and_data_reads_only_the_cache(qtbot, many, monkeypatch):
    monkeypatch.setattr(WorkStreamListModel, "PAGE_SIZE", PAGE)
    counting = Counting(many)
    model = WorkStreamListModel(counting, state="all")
    model.refresh()
    assert counting.calls == ["list_workstream_page"]
    with qtbot.waitSignals([model.rowsAboutToBeInserted, model.rowsInserted]):
        model.fetchMore(QModelIndex())
    assert counting.calls == ["list_workstream_page"] * 2
    cells = [model.index(r, c).data(role) for r in range(model.rowCount()) for c in COLUMNS
             for role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, ID_ROLE, ROW_ROLE, Qt.ItemDataRole.ToolTipRole)]
    assert any(cells) and len(counting.calls) == 2


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorting_asks_the_database_and_pages_in_that_order(model, many, column, order):
    model.refresh()
    model.sort(column, order)
    assert model.rowCount() == PAGE  # sorting did not load everything
    fetch_all(model)
    assert names(model) == expected_order(many, column, order == Qt.SortOrder.DescendingOrder)


def test_the_proxy_forwards_sort_and_search_and_passes_the_model_tester(qtmodeltester, model, many):
    proxy = ListProxyModel(model)
    model.refresh()
    proxy.sort(4, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == PAGE and proxy.rowCount() == PAGE
    shown = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert shown == expected_order(many, 4, True)[:PAGE]
    proxy.fetchMore(QModelIndex())
    assert proxy.rowCount() == 2 * PAGE
    proxy.set_search("  STREAM 00001 ")  # Stream 000010 .. 000019
    assert {proxy.index(r, 0).data() for r in range(proxy.rowCount())} == {f"Stream {i:06d}" for i in range(10, 20)}
    assert model.describe_count() == f"10 of {STREAMS} work streams"
    proxy.set_search("")
    assert proxy.rowCount() == PAGE
    # The Python tester runs its checks (and a fetchMore) from modelReset before it sees
    # the reset itself: it is attached once the resets are over.
    qtmodeltester.check(proxy, force_py=True)


def test_a_search_that_matches_nothing_hides_the_rows_it_keeps(qtmodeltester, model):
    proxy = ListProxyModel(model)
    model.refresh()
    proxy.set_search("no such stream")
    assert proxy.rowCount() == 0 and model.rowCount() > 0 and model.hides_all
    assert not model.canFetchMore(QModelIndex())
    assert model.describe_count() == f"{STREAMS} work streams"
    proxy.set_search("100_%")  # LIKE wildcards are plain text
    assert proxy.rowCount() == 0
    proxy.set_search("000100")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["Stream 000100"]
    proxy.set_search("no such stream")
    qtmodeltester.check(proxy, force_py=True)


def test_states_filter_in_the_database(model, many):
    model.set_state("inactive")
    inactive = names(model)
    assert inactive and model.describe_count() == f"{len(inactive)} inactive work stream{'s' * (len(inactive) > 1)}"
    assert all(not model.index(r, 0).data(ROW_ROLE).active for r in range(model.rowCount()))
    model.set_state("active")
    fetch_all(model)
    assert model.rowCount() == STREAMS - len(inactive)
    with pytest.raises(ValueError):
        model.set_state("archived")


def test_selecting_a_row_not_loaded_yet_loads_up_to_it(model, many):
    proxy = ListProxyModel(model)
    model.refresh()
    target = many.workstream_id_by_name("Stream 000101")
    assert model.row_for_id(target) == -1
    row = proxy.row_for_id(target)
    assert row == 101 and proxy.id_at(row) == target
    assert model.rowCount() == 102 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert names(model)[102] == "Stream 000102"
    assert proxy.row_for_id("00000000-0000-4000-8000-000000000000") == -1


def test_an_empty_list(qtmodeltester, empty_db):
    model = WorkStreamListModel(Services(empty_db))
    model.refresh()
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    assert model.describe_count() == "0 active work streams"
    qtmodeltester.check(model, force_py=True)

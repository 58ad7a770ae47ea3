"""Migration 0005 (context variable position): existing variables keep the order exports
gave them (by name), so an upgrade changes no export; down drops the column.

Runs on SQLite and, as the ``[postgresql]`` variant (marked pg), on PostgreSQL.
"""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from models import make_engine
from tests.migrations.steps import migrate as _migrate, tracked_insert as _tracked


def _a_stream(engine) -> None:
    with engine.begin() as c:
        c.execute(text(_tracked("workstream", "w1", name="Chat", name_key="chat", channel="live_chat", active=False,
                                capacity=10, auto_close_after_inactivity_s=0, distribution_mode="push",
                                notification="screen_pop_timeout", screen_pop_timeout_s=120,
                                allowed_presences='["available"]', assign_after_decline_s=0,
                                keep_same_agent=False, wrap_up_block_s=0)))


@pytest.fixture
def engine(backend_url):
    engine = make_engine(backend_url)
    yield engine
    engine.dispose()


def _variables(engine, *names: str) -> None:
    with engine.begin() as c:
        for index, name in enumerate(names):
            c.execute(text(_tracked("context_variable", f"v{index}", workstream_id="w1", display_name=name,
                                    name=name, type="text")))


def _positions(engine) -> list[tuple[str, int]]:
    with engine.connect() as c:
        return [tuple(row) for row in c.execute(text("select name, position from context_variable order by position"))]


def test_upgrade_numbers_existing_variables_in_their_old_name_order(engine):
    _migrate(engine, "upgrade", "0004")
    _a_stream(engine)
    _variables(engine, "zeta", "Alpha", "beta")  # inserted out of order; the old order was case-folded names
    _migrate(engine, "upgrade", "0005")
    assert _positions(engine) == [("Alpha", 0), ("beta", 1), ("zeta", 2)]


def test_downgrade_drops_the_column_and_keeps_the_variables(engine):
    _migrate(engine, "upgrade", "0004")
    _a_stream(engine)
    _variables(engine, "b", "a")
    _migrate(engine, "upgrade", "0005")
    with engine.begin() as c:
        c.execute(text("update context_variable set position = 1 - position"))  # the user reorders
    _migrate(engine, "downgrade", "0004")
    assert "position" not in {col["name"] for col in inspect(engine).get_columns("context_variable")}
    with engine.connect() as c:
        assert sorted(c.execute(text("select name from context_variable")).scalars()) == ["a", "b"]
    _migrate(engine, "upgrade", "0005")  # and up again: the name order
    assert _positions(engine) == [("a", 0), ("b", 1)]


def test_a_new_row_without_a_position_gets_zero(engine):
    _migrate(engine, "upgrade", "0005")
    _a_stream(engine)
    _variables(engine, "x")
    assert _positions(engine) == [("x", 0)]

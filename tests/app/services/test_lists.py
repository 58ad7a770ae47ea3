"""The record lists (app.services.lists), read through the light table views, against the ORM's reading."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.services import lists
from models import Agent, Presence, Queue, WorkStream


def test_every_kind_wsc_list_offers_has_a_list():
    from app.cli.core import LIST_KINDS

    assert set(lists.LISTS) == set(LIST_KINDS)


@pytest.mark.parametrize("kind", sorted(lists.LISTS))
def test_each_list_holds_every_record_once_with_typed_cells(db, kind):
    rows = lists.LISTS[kind](db)
    assert rows, f"the demo has {kind}"
    assert len({row.id for row in rows}) == len(rows)
    for row in rows:
        # The views carry the models' types: SQLite's text comes back as a datetime, 0/1 as a bool.
        assert isinstance(row.modified_at, datetime)
        for flag in ("active", "is_default", "is_system"):
            if hasattr(row, flag):
                assert isinstance(getattr(row, flag), bool)


def test_the_lists_agree_with_the_mapped_classes(db):
    with db.sessions() as session:
        streams = {w.name: (w.active, w.default_queue.name if w.default_queue else "", w.version)
                   for w in session.scalars(select(WorkStream))}
        queues = {q.name: len(q.agents) for q in session.scalars(select(Queue))}
        agents = {a.name: (session.get(Presence, a.presence_id).name, tuple(sorted(q.name for q in a.queues)))
                  for a in session.scalars(select(Agent))}
    assert {r.name: (r.active, r.default_queue, r.version) for r in lists.list_workstreams(db)} == streams
    assert {r.name: r.agent_count for r in lists.list_queues(db)} == queues
    assert {r.name: (r.presence, tuple(sorted(r.queues))) for r in lists.list_agents(db)} == agents


def test_a_search_is_a_literal_case_insensitive_substring(db):
    assert lists.like_pattern("50%_Off\\") == "%50\\%\\_off\\\\%"
    names = [row.name for row in lists.list_workstreams(db)]
    wanted = [name for name in names if "chat" in name.casefold()]
    assert wanted and [row.name for row in lists.list_workstreams(db, search="CHAT")] == wanted
    assert lists.list_workstreams(db, search="%") == []  # a wildcard typed is a character looked for

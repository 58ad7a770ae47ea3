"""Two consoles on one database: optimistic locking on every edited object, on SQLite and PostgreSQL.

Each console is its own ``Database`` (engine and pool) and ``Services`` over the same
database URL, as two workstations sharing a PostgreSQL server (or a SQLite file) are.
A save over a version someone else has moved on is a ``ConflictError`` and writes
nothing, never a silent overwrite; edits to different objects both land.
"""
from __future__ import annotations

import threading

import pytest

from app.common.errors import ConflictError, NotFound
from app.services.core import Services


@pytest.fixture
def consoles(backend, backend_url):
    """Two consoles opened on one (demo-seeded) database."""
    first = Services(backend.open(backend_url))
    second = Services(backend.open(backend_url))
    assert first.db.engine is not second.db.engine
    return first, second


def _stream_id(services, name):
    return services.workstream_id_by_name(name)


def _row_id(rows, name):
    return next(r.id for r in rows if r.name == name)


# --------------------------------------------------------------------------- the same object


def test_second_save_of_the_same_workstream_is_a_conflict_never_an_overwrite(consoles):
    first, second = consoles
    stream_id = _stream_id(first, "Chat - Retail banking")
    mine, theirs = second.load_workstream(stream_id), first.load_workstream(stream_id)
    assert mine.version == theirs.version

    edited = theirs.doc.model_dump()
    edited["capacity"] = 11
    saved = first.save_workstream(edited, stream_id, theirs.version)
    assert saved.version > theirs.version

    draft = mine.doc.model_dump()
    draft["capacity"] = 22
    draft["routing_rules"][0]["name"] = "Renamed by the second console"
    with pytest.raises(ConflictError, match="changed by someone else") as raised:
        second.save_workstream(draft, stream_id, mine.version)
    assert raised.value.current_version == saved.version

    for console in (first, second):  # both consoles read the first one's edit, and nothing of the second's
        now = console.load_workstream(stream_id)
        assert now.version == saved.version and now.doc.capacity == 11
        assert now.doc.routing_rules[0].name == theirs.doc.routing_rules[0].name

    # "Keep mine": the editor saves its draft again over the version it now knows.
    kept = second.save_workstream(draft, stream_id, second.load_workstream(stream_id).version)
    assert first.load_workstream(stream_id).doc.capacity == 22 and kept.version > saved.version


def _edit_queue(services, object_id, version, value):
    doc = services.load_queue(object_id).doc.model_dump()
    doc["description"] = value
    return services.save_queue(doc, object_id, version)


def _edit_agent(services, object_id, version, value):
    doc = services.load_agent(object_id).doc.model_dump()
    doc["capacity"] = len(value)
    return services.save_agent(doc, object_id, version)


def _edit_presence(services, object_id, version, value):
    doc = services.load_presence(object_id).doc.model_dump()
    doc["text"] = value
    return services.save_presence(doc, object_id, version)


def _edit_channel(services, object_id, version, value):
    doc, stream = services.load_channel(object_id).doc
    data = doc.model_dump()
    data["name"] = f"Mobile app chat ({value})"
    return services.save_channel(data, stream, object_id, version)


def _read_queue(services, object_id):
    return services.load_queue(object_id).doc.description


def _read_agent(services, object_id):
    return services.load_agent(object_id).doc.capacity


def _read_presence(services, object_id):
    return services.load_presence(object_id).doc.text


def _read_channel(services, object_id):
    return services.load_channel(object_id).doc[0].name


OBJECTS = {
    "queue": ("list_queues", "Billing", "load_queue", _edit_queue, _read_queue),
    "agent": ("list_agents", "Ana Ruiz", "load_agent", _edit_agent, _read_agent),
    "presence": ("list_presences", "Away - Training", "load_presence", _edit_presence, _read_presence),
    "channel": ("list_channels", "Mobile app chat", "load_channel", _edit_channel, _read_channel),
}


@pytest.mark.parametrize("kind", OBJECTS)
def test_second_save_of_the_same_object_is_a_conflict(consoles, kind):
    first, second = consoles
    lister, name, loader, edit, read = OBJECTS[kind]
    object_id = _row_id(getattr(first, lister)(), name)
    mine, theirs = getattr(second, loader)(object_id), getattr(first, loader)(object_id)

    saved = edit(first, object_id, theirs.version, "first console")
    assert saved.version > theirs.version
    with pytest.raises(ConflictError, match="changed by someone else"):
        edit(second, object_id, mine.version, "the second console")
    assert read(second, object_id) == read(first, object_id)
    assert getattr(second, loader)(object_id).version == saved.version
    assert "second" not in str(read(second, object_id))


def test_activating_a_stream_someone_else_changed_is_a_conflict(consoles):
    first, second = consoles
    stream_id = _stream_id(first, "Chat - Retail banking")
    seen = second.load_workstream(stream_id).version
    first.set_workstream_active(stream_id, False, expected_version=seen)
    with pytest.raises(ConflictError):
        second.set_workstream_active(stream_id, False, expected_version=seen)


def test_saving_a_stream_someone_else_deleted_is_refused_not_recreated(consoles):
    first, second = consoles
    stream_id = _stream_id(first, "SMS - General enquiries")
    draft = second.load_workstream(stream_id)
    first.delete_workstream(stream_id)
    data = draft.doc.model_dump()
    data["capacity"] = 3
    with pytest.raises(NotFound, match="no longer exists"):
        second.save_workstream(data, stream_id, draft.version)
    assert "SMS - General enquiries" not in second.names("workstreams")


# --------------------------------------------------------------------------- different objects


def test_edits_to_different_streams_both_land(consoles):
    first, second = consoles
    retail, billing = _stream_id(first, "Chat - Retail banking"), _stream_id(first, "SMS - Billing alerts")
    a, b = first.load_workstream(retail), second.load_workstream(billing)
    doc_a, doc_b = a.doc.model_dump(), b.doc.model_dump()
    doc_a["capacity"], doc_b["capacity"] = 31, 32
    first.save_workstream(doc_a, retail, a.version)
    second.save_workstream(doc_b, billing, b.version)
    for console in (first, second):
        assert console.load_workstream(retail).doc.capacity == 31
        assert console.load_workstream(billing).doc.capacity == 32


def test_edits_to_a_queue_and_an_agent_both_land(consoles):
    first, second = consoles
    queue_id = _row_id(first.list_queues(), "Billing")
    agent_id = _row_id(second.list_agents(), "Ana Ruiz")
    queue, agent = first.load_queue(queue_id), second.load_agent(agent_id)
    _edit_queue(first, queue_id, queue.version, "edited in the first console")
    _edit_agent(second, agent_id, agent.version, "x" * 42)
    for console in (first, second):
        assert _read_queue(console, queue_id) == "edited in the first console"
        assert _read_agent(console, agent_id) == 42


# --------------------------------------------------------------------------- the race


def test_two_saves_racing_past_the_version_check_one_lands_one_conflicts(consoles):
    """Both consoles check the version they loaded before either writes: the database picks one winner.

    The loser's UPDATE (made after the winner's, which holds the row) matches no row of the
    version it read; ``Database.session`` turns that StaleDataError into a ConflictError.
    """
    first, second = consoles
    stream_id = _stream_id(first, "Chat - Retail banking")
    loaded = first.load_workstream(stream_id)
    both_checked = threading.Barrier(2, timeout=30)

    def checked_then_wait(obj, expected_version, label):
        Services._check_version(obj, expected_version, label)
        both_checked.wait()

    outcomes: dict[str, object] = {}

    def save(console, capacity, key):
        console._check_version = checked_then_wait
        doc = loaded.doc.model_dump()
        doc["capacity"] = capacity
        try:
            outcomes[key] = console.save_workstream(doc, stream_id, loaded.version)
        except Exception as error:  # noqa: BLE001 - asserted below
            outcomes[key] = error

    threads = [threading.Thread(target=save, args=(first, 41, "first")),
               threading.Thread(target=save, args=(second, 42, "second"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)

    conflicts = {k: v for k, v in outcomes.items() if isinstance(v, ConflictError)}
    saved = {k: v for k, v in outcomes.items() if not isinstance(v, Exception)}
    assert len(conflicts) == 1 and len(saved) == 1, outcomes
    (winner, result), = saved.items()
    assert str(next(iter(conflicts.values()))).startswith(
        "The work stream was changed or deleted by someone else while you were saving it")
    now = first.load_workstream(stream_id)
    assert now.version == result.version > loaded.version
    assert now.doc.capacity == {"first": 41, "second": 42}[winner]

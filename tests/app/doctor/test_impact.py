"""The impact graph agrees with the delete guard, and walks channel → ... → presence."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.common.errors import InUseError
from app.config.io import export_document
from app.doctor.impact import ImpactGraph
from app.services.core import Services
from app.config.opening import open_database
from models import Presence, Queue, WorkStream


@pytest.fixture
def services(tmp_path, template_databases):
    db = open_database(template_databases.copy_to(tmp_path / "demo.db"))
    yield Services(db)
    db.dispose()


def guard_words(graph: ImpactGraph, node) -> list[str]:
    """The graph's "used by" in the delete guard's words."""
    words = []
    for user, how in graph.used_by(node):
        if user.kind == "workstream" and how == "default queue":
            words.append(f"work stream '{user.name}' (default queue)")
        elif user.kind == "workstream" and how == "after a missed notification":
            words.append(f"work stream '{user.name}' (after a missed notification)")
        elif user.kind == "queue" and how == "overflows to":
            words.append(f"the overflow of queue '{user.name}'")
        elif user.kind == "rule" and how.startswith("routes a "):
            words.append(f"rule '{user.name}' in '{user.workstream}' (a {how.split()[2]} share)")
        elif user.kind == "rule":
            words.append(f"rule '{user.name}' in '{user.workstream}'")
        else:
            words.append(f"{user.kind} '{user.name}'")
    return words


def test_queue_users_are_what_the_delete_guard_names(services):
    graph = ImpactGraph.from_document(export_document(services.db))
    with services.db.sessions() as session:
        queues = list(session.scalars(select(Queue)))
        assert queues
        for queue in queues:
            expected = services.queue_referrers(session, queue)
            assert sorted(guard_words(graph, graph.find("queue", queue.name))) == sorted(expected), queue.name


def test_presence_and_stream_users_are_what_the_delete_guard_names(services):
    graph = ImpactGraph.from_document(export_document(services.db))
    with services.db.sessions() as session:
        presences = [(p.id, p.name) for p in session.scalars(select(Presence).where(Presence.is_system.is_(False)))]
        streams = [(w.id, w.name) for w in session.scalars(select(WorkStream))]
    checked = 0
    for presence_id, name in presences:
        users = guard_words(graph, graph.find("presence", name))
        if users:
            with pytest.raises(InUseError) as refused:
                services.delete_presence(presence_id)
            assert sorted(refused.value.referrers) == sorted(users)
            checked += 1
    for stream_id, name in streams:
        users = [f"channel '{u.name}'" for u, _ in graph.used_by(graph.find("workstream", name)) if u.kind == "channel"]
        if users:
            with pytest.raises(InUseError) as refused:
                services.delete_workstream(stream_id)
            assert sorted(refused.value.referrers) == sorted(users)
            checked += 1
    assert checked  # the demo has presences and streams in use


def test_the_chain_from_channel_to_presence():
    doc = {"presences": [], "agents": [{"name": "Ann", "presence": "Busy"}],
           "queues": [{"name": "Sales", "agents": ["ann"]}],
           "workstreams": [{"name": "Chat", "default_queue": "sales", "channels": [{"name": "Web"}],
                            "routing_rules": [{"name": "r", "queue": "Sales", "condition": {"all": []}}]}]}
    graph = ImpactGraph.from_document(doc)
    channel = graph.find("channel", "web")
    (stream, _), = graph.uses(channel)
    assert stream.label == "Work stream 'Chat'"
    rule, default = [n for n, _ in graph.uses(stream)]
    assert rule.kind == "rule" and rule.label == "Rule 1 'r' in 'Chat'" and default.name == "Sales"
    (queue, how), = graph.uses(rule)
    assert queue is default and how == "routes to"
    (agent, _), = graph.uses(queue)
    (presence, _), = graph.uses(agent)
    assert presence.label == "Presence 'Busy'"
    assert [n.label for n, _ in graph.used_by(queue)] == ["Rule 1 'r' in 'Chat'", "Work stream 'Chat'"]

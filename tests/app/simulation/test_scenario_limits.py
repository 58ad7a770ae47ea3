"""Issue 9: a scenario whose `until` is huge, with a pop nobody answers, must end with one line."""
from __future__ import annotations

import io
import json

import pytest

from app.cli import CliContext, main
from app.simulation import engine

CONFIG = {
    "format": "workstream-console/config",
    "version": 1,
    "agents": [{"name": "Ana"}, {"name": "Ben"}],
    "queues": [{"name": "General", "agents": ["Ana", "Ben"]}],
    "workstreams": [{"name": "Chat", "channel": "live_chat", "screen_pop_timeout_s": 60,
                     "default_queue": "General"}],
}
ONE_UNANSWERED = [{"at": 0, "type": "conversation", "id": "c1", "workstream": "Chat"}]


@pytest.fixture(scope="module")
def dbfile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits")
    (folder / "config.json").write_text(json.dumps(CONFIG))
    db = folder / "limits.db"
    assert wsc(db, "import", str(folder / "config.json"), "--replace")[0] == 0
    return db


def wsc(db_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(""))
    code = main(["--db", str(db_path), *argv], ctx=ctx)
    return code, out.getvalue(), err.getvalue()


def test_until_beyond_the_maximum_is_one_line(dbfile, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"until": 1e18, "events": ONE_UNANSWERED}))
    code, out, err = wsc(dbfile, "simulate", str(path))
    assert (code, out) == (1, "")
    assert err == (f"wsc: {path}: until: 1000000000000000000 is beyond the maximum of "
                   f"{engine.MAX_UNTIL_S} seconds (366 days)\n")


def test_a_pop_offered_round_and_round_stops_at_the_event_cap(dbfile, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "MAX_SCENARIO_EVENTS", 500)
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"until": engine.MAX_UNTIL_S, "events": ONE_UNANSWERED}))
    code, out, err = wsc(dbfile, "simulate", str(path))
    assert (code, out) == (1, "")
    assert err.startswith(f"wsc: {path}: the scenario produced more than 500 events by t=")
    assert err.endswith("lower until\n") and err.count("\n") == 1


def test_an_hour_of_a_pop_going_round_is_bounded_and_in_time_order(dbfile, tmp_path):
    events = engine.run_scenario(CONFIG, {"until": 3600, "events": ONE_UNANSWERED})
    # offered, expired, released, offered ... every 60 s for an hour: bounded, time always moves on
    assert 100 < len(events) < 1000
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)

"""`wsc route` and `wsc simulate` against a database holding our own configuration."""
from __future__ import annotations

import io
import json

import pytest

from app.cli import CliContext, main

CONFIG = {
    "format": "workstream-console/config",
    "version": 1,
    "presences": [{"name": "Lunch", "base": "away", "text": ""}],
    "agents": [
        {"name": "Ana", "capacity": 100, "presence": "Available"},
        {"name": "Ben", "capacity": 100, "presence": "Available"},
    ],
    "queues": [
        {"name": "Test General", "kind": "messaging", "description": "", "agents": ["Ana", "Ben"]},
        {"name": "Test VIP", "kind": "messaging", "description": "", "agents": ["Ben"]},
    ],
    "workstreams": [{
        "name": "Test Chat",
        "channel": "live_chat",
        "capacity": 40,
        "notification": "screen_pop_decline",
        "screen_pop_timeout_s": 60,
        "assign_after_decline_s": 30,
        "default_queue": "Test General",
        "context_variables": [
            {"display_name": "Order value", "name": "ordervalue", "type": "number"},
            {"display_name": "Country", "name": "country", "type": "text"},
        ],
        "routing_rules": [{
            "name": "Big French orders",
            "description": "",
            "queue": "Test VIP",
            "condition": {"all": [
                {"variable": "ordervalue", "operator": "ge", "value": 1000},
                {"variable": "country", "operator": "eq", "value": "FR"},
            ]},
        }],
    }],
}


def wsc(db_path, *argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(stdin))
    code = main(["--db", str(db_path), *argv], ctx=ctx)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def dbfile(tmp_path_factory):
    """One database for the module: migrated once, our configuration imported over the demo."""
    folder = tmp_path_factory.mktemp("route-simulate")
    path = folder / "config.json"
    path.write_text(json.dumps(CONFIG))
    db_path = folder / "wsc.db"
    code, _, err = wsc(db_path, "import", "--replace", str(path))
    assert code == 0, err
    return db_path


def write(tmp_path, name, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- route

def test_route_names_the_queue_and_the_rule(dbfile):
    code, out, err = wsc(dbfile, "route", "test chat", "ordervalue=1500", "Country=fr")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["queue: Test VIP", "rule: Big French orders"]


def test_route_falls_back_to_the_default_queue(dbfile):
    code, out, _ = wsc(dbfile, "route", "Test Chat", "ordervalue=10")
    assert code == 0
    assert out.splitlines() == ["queue: Test General", "rule: default queue (no rule matched)"]


def test_route_json_has_the_trace(dbfile):
    code, out, _ = wsc(dbfile, "route", "Test Chat", "ordervalue=1500", "country=DE", "--json")
    result = json.loads(out)
    assert code == 0
    assert set(result) == {"workstream", "queue", "rule", "fallback", "targets", "draw", "seed", "classification",
                           "trace"}
    assert (result["targets"], result["draw"], result["seed"], result["classification"]) == ([], None, None, None)
    assert (result["workstream"], result["queue"], result["rule"], result["fallback"]) == (
        "Test Chat", "Test General", None, True)
    (entry,) = result["trace"]
    assert [(c["path"], c["seen"], c["result"]) for c in entry["conditions"]] == [
        ("all[0]", 1500, True), ("all[1]", "DE", False)]


@pytest.mark.parametrize("argv, message", [
    (["Nope"], "unknown work stream 'Nope' (known: 'Test Chat')"),
    (["Test Chat", "colour=red"], "unknown context variable 'colour'"),
    (["Test Chat", "ordervalue=12a"], "ordervalue: '12a' is not a number"),
    (["Test Chat", "ordervalue"], "malformed context value 'ordervalue': expected NAME=VALUE"),
    (["Test Chat", "=5"], "malformed context value '=5'"),
    (["Test Chat", "ordervalue=1", "OrderValue=2"], "context variable 'OrderValue' given twice"),
])
def test_route_errors_are_one_line(dbfile, argv, message):
    code, out, err = wsc(dbfile, "route", *argv)
    assert code == 1 and out == ""
    assert err.startswith("wsc: ") and message in err and err.count("\n") == 1


# --------------------------------------------------------------------------- simulate

SCENARIO = {
    "until": 200,
    "agents": {"Ben": {"presence": "Lunch"}},
    "events": [
        {"at": 0, "type": "conversation", "id": "c1", "workstream": "Test Chat", "context": {"ordervalue": 5}},
        {"at": 10, "type": "decline", "agent": "Ana", "conversation": "c1"},
        {"at": 20, "type": "presence", "agent": "Ben", "presence": "Available"},
        {"at": 25, "type": "accept", "agent": "Ben", "conversation": "c1"},
    ],
}


def test_simulate_prints_one_compact_sorted_json_object_per_line(dbfile, tmp_path):
    path = write(tmp_path, "scenario.json", SCENARIO)
    code, out, err = wsc(dbfile, "simulate", path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    events = [json.loads(line) for line in lines]
    assert all(line == json.dumps(e, sort_keys=True, separators=(",", ":")) for line, e in zip(lines, events))
    assert [(e["t"], e["event"], e.get("agent")) for e in events] == [
        (0, "routed", None),
        (0, "offered", "Ana"),
        (10, "declined", "Ana"),
        (10, "capacity_released", "Ana"),
        (10, "queued", None),
        (20, "presence_changed", "Ben"),
        (20, "offered", "Ben"),
        (25, "accepted", "Ben"),
    ]
    # the same scenario prints the same bytes
    assert wsc(dbfile, "simulate", path)[1] == out


def test_simulate_reads_stdin(dbfile):
    code, out, _ = wsc(dbfile, "simulate", "-", stdin=json.dumps(SCENARIO))
    assert code == 0 and len(out.splitlines()) == 8


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON (line 1"),
    ({"events": [{"at": 0, "type": "foo"}]}, "events[0]: unknown type 'foo'"),
    ({"events": [{"at": -1, "type": "end", "conversation": "c1"}]}, "events[0].at: must be a number ≥ 0"),
    ({"events": [{"at": 0, "type": "conversation", "id": "c1", "workstream": "Test Chat",
                  "context": {"ordervalue": "lots"}}]}, "events[0].context: ordervalue: 'lots' is not a number"),
])
def test_simulate_errors_name_the_file_and_the_bad_event(dbfile, tmp_path, content, message):
    path = write(tmp_path, "bad.json", content)
    code, out, err = wsc(dbfile, "simulate", path)
    assert code == 1 and out == ""
    assert err.startswith(f"wsc: {path}: ") and message in err and err.count("\n") == 1


def test_simulate_missing_file(dbfile, tmp_path):
    code, _, err = wsc(dbfile, "simulate", str(tmp_path / "absent.json"))
    assert code == 1 and "absent.json" in err


def test_help_lists_both_commands(capsys):
    for command in ("route", "simulate"):
        with pytest.raises(SystemExit) as raised:
            main([command, "--help"])
        assert raised.value.code == 0
    assert "usage: wsc simulate" in capsys.readouterr().out

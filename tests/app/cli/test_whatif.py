"""`wsc whatif`: figures, JSON, replications, compare, staffing, report and series files, errors."""
from __future__ import annotations

import csv
import io
import json

import pytest

from app.cli import CliContext, main
from app.simulation import whatif

CONFIG = {
    "format": "workstream-console/config", "version": 1,
    "agents": [{"name": "Ana", "capacity": 10}, {"name": "Ben", "capacity": 10}],
    "queues": [{"name": "General", "agents": ["Ana", "Ben"]}],
    "workstreams": [{"name": "Chat", "channel": "live_chat", "capacity": 10, "notification": "direct_open",
                     "default_queue": "General"}],
}
MODEL = {
    "format": "workstream-console/workload", "version": 1, "seed": 9, "duration_s": 7200, "warmup_s": 600,
    "interval_s": 1800,
    "arrivals": [{"workstream": "Chat", "per_hour": 20, "handle_time_s": {"exponential": 300},
                  "patience_s": {"exponential": 600}}],
}


def wsc(tmp_path, *argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    db = tmp_path / "unused.db"
    ctx = CliContext(db_url=f"sqlite:///{db}", stdout=out, stderr=err, stdin=io.StringIO(stdin))
    code = main(["--db", str(db), *argv], ctx=ctx)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    (tmp_path / "model.json").write_text(json.dumps(MODEL))
    bigger = {**CONFIG, "agents": CONFIG["agents"] + [{"name": "Cy", "capacity": 10}],
              "queues": [{"name": "General", "agents": ["Ana", "Ben", "Cy"]}]}
    (tmp_path / "bigger.json").write_text(json.dumps(bigger))
    return tmp_path


def run_json(files, *extra):
    code, out, err = wsc(files, "whatif", str(files / "model.json"), "--config", str(files / "config.json"),
                         "--json", *extra)
    assert (code, err) == (0, "")
    return out


def test_json_has_exactly_the_six_sections_and_is_byte_identical(files):
    out = run_json(files)
    figures = json.loads(out)
    assert list(figures) == ["totals", "workstreams", "queues", "agents", "skills", "overflow"]
    assert figures["skills"] == {} and figures["overflow"] == {}  # a version 1 configuration has neither
    assert list(figures["workstreams"]) == ["Chat"] and list(figures["agents"]) == ["Ana", "Ben"]
    for name in ("arrived", "answered", "abandoned", "waiting_at_end", "service_level", "asa_s", "wait_p50_s",
                 "wait_p90_s", "wait_p95_s", "abandon_rate", "aht_s", "offers", "accepted", "declined", "expired",
                 "reoffers_per_conversation", "occupancy", "capacity_used"):
        assert name in figures["totals"], name
    assert {"occupancy", "capacity_used", "answered"} <= set(figures["agents"]["Ana"])
    assert run_json(files) == out  # same model, same seed: the same bytes


def test_text_output_names_every_section(files):
    code, out, err = wsc(files, "whatif", str(files / "model.json"), "--config", str(files / "config.json"))
    assert (code, err) == (0, "")
    assert out.startswith("Totals\n  all  arrived=") and "\nQueues\n  General" in out and "\nAgents\n  Ana" in out


def test_replications_print_mean_and_ci(files):
    figures = json.loads(run_json(files, "--replications", "4"))
    value = figures["totals"]["service_level"]
    assert set(value) == {"mean", "ci95"} and value["ci95"][0] <= value["mean"] <= value["ci95"][1]


def test_compare_with_itself_is_all_zero_and_with_more_agents_waits_less(files):
    same = json.loads(run_json(files, "--compare", str(files / "config.json")))
    assert list(same) == ["a", "b", "delta"]
    assert all(v in (0, None) for v in same["delta"]["totals"].values())
    assert all(v in (0, None) for row in same["delta"]["agents"].values() for v in row.values())
    more = json.loads(run_json(files, "--compare", str(files / "bigger.json")))
    assert more["delta"]["totals"]["arrived"] == 0  # common random numbers: the same conversations
    assert more["delta"]["totals"]["asa_s"] < 0


def test_report_and_series_files(files):
    report, series = files / "out.html", files / "out.csv"
    run_json(files, "--report", str(report), "--series", str(series))
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3
    assert "Conversations waiting per queue" in page and "Occupancy per agent" in page
    rows = list(csv.DictReader(series.read_text(encoding="utf-8").splitlines()))
    assert {row["series"] for row in rows} == {"arrived", "service_level", "waiting", "occupancy"}
    assert sorted({int(row["interval_end_s"]) for row in rows}) == [1800, 3600, 5400, 7200]
    compared = files / "compared.html"
    run_json(files, "--compare", str(files / "bigger.json"), "--report", str(compared))
    assert compared.read_text(encoding="utf-8").count("<svg") == 6  # two runs side by side


def test_solve_agents_prints_the_number_and_the_figures(files):
    out = run_json(files, "--solve-agents", "general", "--target-sl", "0.8")
    result = json.loads(out)
    assert result["queue"] == "General" and result["agents"] >= 1 and result["target_sl"] == 0.8
    assert result["figures"]["queues"]["General"]["service_level"] >= 0.8
    tried = {row["agents"]: row["service_level"] for row in result["tried"]}
    assert tried[result["agents"]] >= 0.8 and (result["agents"] == 1 or tried[result["agents"] - 1] < 0.8)


def test_the_database_configuration_is_used_without_config(tmp_path):
    """No --config: the configuration comes from the database (the demo one when new)."""
    model = {"format": "workstream-console/workload", "version": 1, "duration_s": 600, "arrivals": []}
    (tmp_path / "m.json").write_text(json.dumps(model))
    code, out, err = wsc(tmp_path, "whatif", str(tmp_path / "m.json"), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["agents"]  # the demo's agents


@pytest.mark.parametrize("model, message", [
    ("{nope", "model.json: not valid JSON"),
    ({**MODEL, "duration_s": -1}, "model.json: duration_s: Input should be greater than 0"),
    ({**MODEL, "arrivals": [{**MODEL["arrivals"][0], "workstream": "SMS"}]},
     "model.json: arrivals[0].workstream: unknown work stream 'SMS'"),
])
def test_a_bad_model_is_one_line(files, model, message):
    (files / "model.json").write_text(model if isinstance(model, str) else json.dumps(model))
    code, out, err = wsc(files, "whatif", str(files / "model.json"), "--config", str(files / "config.json"))
    assert (code, out) == (1, "")
    assert err.startswith("wsc: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["--config", "{dir}/absent.json"], "absent.json: cannot read: No such file or directory"),
    (["--config", "{dir}/model.json"], "model.json: configuration: format"),
    (["--config", "{dir}/config.json", "--solve-agents", "General"], "--solve-agents needs --target-sl"),
    (["--config", "{dir}/config.json", "--target-sl", "0.8"], "--target-sl goes with --solve-agents"),
    (["--config", "{dir}/config.json", "--solve-agents", "Nope", "--target-sl", "0.8"],
     "--solve-agents: unknown queue 'Nope'"),
])
def test_bad_options_are_one_line(files, argv, message):
    argv = [arg.replace("{dir}", str(files)) for arg in argv]
    code, out, err = wsc(files, "whatif", str(files / "model.json"), *argv)
    assert (code, out) == (1, "")
    assert err.startswith("wsc: ") and message in err and err.count("\n") == 1


def test_ctrl_c_stops_cleanly_with_one_line_and_130(files, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(whatif, "run_once", interrupted)
    code, out, err = wsc(files, "whatif", str(files / "model.json"), "--config", str(files / "config.json"))
    assert (code, out, err) == (130, "", "wsc: interrupted\n")


def test_progress_goes_to_a_terminal_stderr_only(files, monkeypatch):
    monkeypatch.setattr(whatif, "PROGRESS_EVERY", 10)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out, err = io.StringIO(), Terminal()
    ctx = CliContext(db_url="sqlite://", stdout=out, stderr=err, stdin=io.StringIO(""))
    code = main(["whatif", str(files / "model.json"), "--config", str(files / "config.json"), "--json"], ctx=ctx)
    assert code == 0
    assert "wsc whatif: simulating: " in err.getvalue() and err.getvalue().endswith("\r\033[K")
    json.loads(out.getvalue())  # stdout stays clean JSON


def test_version_2_figures_in_the_text_table_the_json_and_the_report(tmp_path):
    from tests.app.simulation.test_whatif_v2 import config as v2_config, model as v2_model

    (tmp_path / "config.json").write_text(json.dumps(v2_config()))
    (tmp_path / "model.json").write_text(json.dumps(v2_model()))
    argv = ("whatif", str(tmp_path / "model.json"), "--config", str(tmp_path / "config.json"))
    code, out, err = wsc(tmp_path, *argv, "--json", "--report", str(tmp_path / "out.html"))
    assert (code, err) == (0, "")
    figures = json.loads(out)
    assert figures["overflow"]["Desk"]["transfer"] > 0 and figures["skills"]["French"]["arrived"] > 0
    page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "Skills (conversations requiring each)" in page and "<th>Mortgages</th>" in page
    assert "Overflow (conversations per action)" in page and "<th>assign_anyway</th>" in page
    code, text, err = wsc(tmp_path, *argv)
    assert (code, err) == (0, "")
    assert "\nSkills\n  Mortgages  arrived=" in text
    assert f"\nOverflow\n  Desk  transfer={figures['overflow']['Desk']['transfer']}  end=0  assign_anyway=0\n" in text


def test_a_bad_start_is_one_line_naming_it(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    (tmp_path / "model.json").write_text(json.dumps({**MODEL, "start": "2026-13-01T09:00"}))
    code, out, err = wsc(tmp_path, "whatif", str(tmp_path / "model.json"), "--config", str(tmp_path / "config.json"))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "start: '2026-13-01T09:00' is not a date-time" in err

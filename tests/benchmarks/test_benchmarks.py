"""Every benchmark runs end to end on a tiny preset, and the report writes only its README region."""
from __future__ import annotations

import json
import sqlite3

import pytest

from benchmarks import __main__ as runner
from benchmarks import bench_cli, bench_data, bench_startup, report
from benchmarks.generate import PRESETS, count_objects, generate
from benchmarks.generate import main as generate_main


@pytest.fixture(autouse=True)
def fresh_report():
    report.clear()
    yield
    report.clear()


def test_the_generator_is_deterministic_and_sized_by_its_preset():
    first, second = generate("tiny"), generate("tiny")
    assert json.dumps(first) == json.dumps(second)
    assert generate("tiny", seed=2) != first
    assert count_objects(first) == PRESETS["tiny"].objects
    assert len(first["workstreams"]) == 20
    assert PRESETS["large"].objects > 700_000 and PRESETS["huge-list"].streams == 100_000


def test_the_generator_writes_a_database_and_a_bundle(tmp_path, capsys):
    db, bundle = tmp_path / "tiny.db", tmp_path / "tiny.wsbundle"
    assert generate_main(["--preset", "tiny", "--db", str(db), "--bundle", str(bundle)]) == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM workstream").fetchone()[0] == 20
    from app.interchange.bundles.format import read_bundle

    assert len(read_bundle(bundle).document.workstreams) == 20
    assert "objects generated" in capsys.readouterr().out


def test_bench_data_runs_on_the_tiny_preset(monkeypatch):
    monkeypatch.setattr(bench_data, "PROBE_REPEATS", 1)
    lines: list[str] = []
    results = bench_data.run(lines.append, preset="tiny", compare_unpaged=False)
    bundles = results["bundles"]
    assert bundles["objects"] == PRESETS["tiny"].objects
    assert bundles["export_s"] > 0 and bundles["floor_export_s"] > 0
    assert bundles["import_s"] > 0 and bundles["floor_import_s"] > 0
    (listed,) = results["lists"]
    assert listed["streams"] == 20 and listed["paged_ms"] > 0 and listed["floor_ms"] > 0
    text = "\n".join(lines)
    assert "export_bundle" in text and "import_bundle" in text and "first paint" in text
    figures = [row.figure for row in report.recorded("data")]
    assert any("Bundle import" in f for f in figures) and any("first paint" in f for f in figures)


def test_bench_startup_runs(monkeypatch):
    lines: list[str] = []
    results = bench_startup.run(lines.append, repeats=1)
    assert results["ready_s"] > results["console_s"] > results["floor_s"] > 0
    assert "Workstream Console main window" in "\n".join(lines)
    assert "work streams listed" in "\n".join(lines)
    painted, listed = report.recorded("startup")
    assert painted.ratio == pytest.approx(results["ratio"]) and painted.goal == "<= 1.5x"
    assert listed.value == results["ready_s"] and listed.met is None


def test_bench_cli_runs():
    lines: list[str] = []
    results = bench_cli.run(lines.append, repeats=1)
    assert results["command_s"] > 0 and results["floor_s"] > 0
    assert results["ratio"] == pytest.approx(results["command_s"] / results["floor_s"])
    assert "wsc list workstreams" in "\n".join(lines)
    (row,) = report.recorded("cli")
    assert row.goal == "<= 1.3x" and row.met == (results["ratio"] <= 1.3)
    assert "benchmarks.bench_cli" in runner.MODULES


def test_the_runner_lists_the_new_benchmarks_and_keeps_the_old():
    assert runner.MODULES[:2] == ("benchmarks.bench_routing", "benchmarks.bench_panel")
    assert "benchmarks.bench_data" in runner.MODULES and "benchmarks.bench_startup" in runner.MODULES


ROUTING_OUTPUT = """routing: 200 rules, 16 contexts (8 match rule 190, the rest fall back)
  router                                     routes/s  vs hand-written
  hand-written if-statements (baseline)       512,345            1.00x
  CompiledRouter.route_queue                  498,000            0.97x
simulator: 200 agents, 2,000 conversations, 30,000 events in 1.00 s
  events/s                                     30,000
"""
PANEL_OUTPUT = """idle event loop (baseline)                                                              1.2ms   1.0ms    1.0×
200 agents / 1,000 conversations       1.20      900     2,000    1.00ms    20.0ms     35.5ms   9.0ms   29.6×
500 agents / 5,000 conversations       3.40    4,000     6,000    2.00ms    90.0ms    300.0ms  40.0ms  250.0×
"""


def test_the_report_reads_the_modules_that_only_print():
    routing = report.from_output("routing", ROUTING_OUTPUT, 0)
    assert routing[0].value == 498_000 and routing[0].baseline_value == 512_345
    assert routing[0].ratio == pytest.approx(498_000 / 512_345)
    assert routing[0].goal == ">= 0.5x" and routing[0].met is True
    panel = report.from_output("panel", PANEL_OUTPUT, 1)
    assert [(r.value, r.met) for r in panel] == [(35.5, True), (300.0, False)]
    assert report.from_output("other", "nothing to read", 1)[0].met is False


def test_the_readme_region_is_written_and_only_it(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nSome text.\n", encoding="utf-8")
    report.record("data", [report.Row("Bundle import", 9.0, "s", "floor", 3.0, "<= 3x", True)])
    table = report.render(where="test machine")
    assert "| data | Bundle import | 9.00 s | floor | 3.00 s | 3.00× | <= 3x | yes |" in table
    report.write_readme(table, readme)
    first = readme.read_text(encoding="utf-8")
    assert first.startswith("# Title\n\nSome text.\n\n## Benchmarks\n\n<!-- bench:start -->\n")
    assert first.rstrip().endswith("<!-- bench:end -->")
    readme.write_text(first + "\n## After\n\nkept\n", encoding="utf-8")
    report.record("data", [report.Row("Bundle import", 6.0, "s", "floor", 3.0, "<= 3x", True)])
    report.write_readme(report.render(where="test machine"), readme)
    second = readme.read_text(encoding="utf-8")
    assert "6.00 s" in second and "9.00 s" not in second
    assert second.count("## Benchmarks") == 1 and second.endswith("## After\n\nkept\n")


def test_the_report_command_uses_the_saved_figures(tmp_path, capsys):
    report.record("startup", [report.Row("Startup", 0.9, "s", "bare window", 0.3, "<= 1.5x", False)])
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    report.save(results)
    report.clear()
    assert report.main(["--results", str(results), "--write-readme", "--readme", str(readme)]) == 0
    assert "| startup | Startup | 0.90 s | bare window | 0.30 s | 3.00× | <= 1.5x | **no** |" in readme.read_text()
    assert report.main(["--results", str(tmp_path / "missing.json")]) == 1

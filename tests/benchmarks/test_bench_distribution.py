"""bench_distribution runs, compares like with like, and records its two rows (a smoke test: no timings asserted)."""
from __future__ import annotations

from benchmarks import __main__ as runner
from benchmarks import bench_distribution, report


def test_it_runs_and_records_both_ratios(monkeypatch):
    monkeypatch.setattr(bench_distribution, "REPEATS", 1)
    monkeypatch.setattr(bench_distribution, "ROUTES", 64)
    lines: list[str] = []
    results = bench_distribution.run(lines.append)
    bench_distribution.record(results)
    text = "\n".join(lines)
    assert "version 1: route_queue (baseline)" in text and "version 2: skills, priority, methods, profile" in text
    rows = report.recorded("distribution")
    assert [row.goal for row in rows] == [">= 0.7x", ">= 0.7x"]
    assert rows[0].ratio == results["route"]["ratio"] and rows[1].ratio == results["simulate"]["ratio"]
    assert "benchmarks.bench_distribution" in runner.MODULES


def test_the_version_2_world_really_has_the_features_on():
    from benchmarks.bench_routing import simulator_world

    v1, arrivals = simulator_world()
    v2 = bench_distribution.distribution_world(v1)
    assert {q["assignment_method"] for q in v2["queues"]} == {"highest_capacity", "round_robin", "least_active"}
    assert len({q["priority"] for q in v2["queues"]}) == len(v2["queues"])
    assert {s["skill_matching"] for s in v2["workstreams"]} == {"closest", "exact"}
    assert any(s.get("capacity_format") == "profile" for s in v2["workstreams"])
    assert sum(bool(a["skills"]) for a in v2["agents"]) > 150
    _, v2_stream, _ = bench_distribution.route_streams()
    assert v2_stream["classification_rules"] and any("queues" in rule for rule in v2_stream["routing_rules"])

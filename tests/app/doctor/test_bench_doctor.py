"""benchmarks.bench_doctor runs end to end on the tiny preset and records its figure."""
from __future__ import annotations

from benchmarks import __main__ as runner
from benchmarks import bench_doctor, report


def test_bench_doctor_runs_on_the_tiny_preset():
    report.clear()
    lines: list[str] = []
    try:
        result = bench_doctor.run("tiny", lines.append)
        bench_doctor.record(result)
        (row,) = report.recorded("doctor")
    finally:
        report.clear()
    assert result["streams"] == 20 and result["findings"] > 0
    assert row.baseline == "export_document of the same" and row.ratio == result["doctor_s"] / result["export_s"]
    assert any(line.strip().startswith("diagnose") for line in lines)
    assert "benchmarks.bench_doctor" in runner.MODULES

"""The configuration doctor on a large configuration.

On the generated configuration (``benchmarks.generate``; the ``large`` preset is
10,000 work streams with 20 context variables and 50 routing rules each, ~713k
objects), written into a database by the app's import path (setup, not timed):

* export: ``export_document`` of the database (what ``wsc doctor`` reads first,
  and what ``wsc export`` writes) -- the baseline, measured in the same run;
* doctor: ``app.doctor.diagnose`` of that document: every rule decided by
  reasoning (satisfiable? shadowed? always true? ``in`` values taken?) and every
  distribution check, with the worker processes ``wsc doctor`` uses (one per core;
  ``app.doctor.parallel``) -- and in one process too, so both figures are in the run;
* ``wsc doctor`` as a whole is the sum of the two.

The ratio doctor / export is the figure to watch; there is no goal yet.  Also
shown: the findings by code, and how many rules the search could not decide
within its budget ("possibly shadowed").

Run with ``python -m benchmarks.bench_doctor [--preset large|small|tiny]``
(``WSC_BENCH_PRESET`` also sets it; the large preset takes several minutes on 2 cores).
"""
from __future__ import annotations

import argparse
import collections
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import PRESETS, count_objects, generate, write_database

DEFAULT_PRESET = os.environ.get("WSC_BENCH_PRESET", "large")


def timed(fn):
    gc.collect()
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run(preset: str, report=print) -> dict:
    from app.config.io import export_document
    from app.doctor import diagnose
    from app.config.opening import open_database

    doc = generate(preset)
    objects = count_objects(doc)
    rules = sum(len(w["routing_rules"]) for w in doc["workstreams"])
    report(f"preset {preset}: {len(doc['workstreams']):,} work streams, {rules:,} routing rules, {objects:,} objects")
    with tempfile.TemporaryDirectory(prefix="wsc-bench-doctor-") as folder:
        path = Path(folder) / "doctor.db"
        setup_s, _ = timed(lambda: write_database(doc, path))
        report(f"  setup (import into a database, not compared)   {setup_s:8.1f} s")
        db = open_database(f"sqlite:///{path}", seed_demo=False, backup=False)
        try:
            export_s, exported = timed(lambda: export_document(db))
        finally:
            db.dispose()
    del doc
    report(f"  export_document (baseline)                      {export_s:8.1f} s")
    from app.doctor.parallel import MIN_STREAMS, usable_workers

    workers = usable_workers() if len(exported["workstreams"]) >= MIN_STREAMS else 1
    cpu_started = time.process_time()
    single_s, findings = timed(lambda: diagnose(exported))
    cpu_s = time.process_time() - cpu_started
    report(f"  diagnose, one process                           {single_s:8.1f} s   "
           f"{single_s / export_s if export_s else float('nan'):5.2f}x the export  (CPU {cpu_s:.1f} s)")
    doctor_s = single_s
    if workers > 1:
        doctor_s, parallel_findings = timed(lambda: diagnose(exported, workers=workers))
        assert [f.to_json() for f in parallel_findings] == [f.to_json() for f in findings]
    ratio = doctor_s / export_s if export_s else float("nan")
    report(f"  diagnose ({workers} process{'es' if workers != 1 else ''})                          "
           f"{doctor_s:8.1f} s   {ratio:5.2f}x the export")
    report(f"  wsc doctor (export + diagnose)                  {export_s + doctor_s:8.1f} s")
    report(f"  per work stream                                 {1000 * doctor_s / max(1, len(exported['workstreams'])):8.2f} ms")
    counts = collections.Counter(f.code for f in findings)
    report(f"  {len(findings):,} findings: " + ", ".join(f"{code} {n:,}" for code, n in counts.most_common()))
    return {"preset": preset, "streams": len(exported["workstreams"]), "rules": rules, "export_s": export_s,
            "doctor_s": doctor_s, "single_s": single_s, "workers": workers, "findings": len(findings),
            "undecided": counts.get("rule-possibly-shadowed", 0)}


def record(result: dict) -> None:
    from benchmarks import report as bench_report

    size = f"{result['streams']:,} streams, {result['rules']:,} rules"
    bench_report.record("doctor", [
        bench_report.Row(f"Doctor, all checks ({size})", result["doctor_s"], "s", "export_document of the same",
                         result["export_s"], "—", None),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_doctor")
    parser.add_argument("--preset", choices=sorted(PRESETS), default=DEFAULT_PRESET)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    record(run(args.preset))
    return 0


if __name__ == "__main__":
    sys.exit(main())

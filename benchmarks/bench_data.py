"""Large configurations: bundle export and import, and opening the work streams list.

1. Bundles, on the generated configuration (``benchmarks.generate``; the ``large``
   preset is 10,000 work streams with 20 context variables and 50 routing rules
   each, ~713k objects):

   * setup: the document is written into database A by the app's import path
     (``import_document``; timed and shown, not compared);
   * export: ``export_bundle`` of A, against the hand-rolled floor — the same rows
     selected back with plain ``sqlite3`` and ``json.dumps``-ed into the same
     canonical config.json (no validation, no zip);
   * import: ``import_bundle`` of that bundle into an empty database B (checks,
     preview plan, backup, apply, baseline record), against the floor —
     ``json.loads`` of the same config.json and ``executemany`` of its rows into the
     same tables of another empty database (no checks).
   Both floors run with the same connection settings as the app (WAL, synchronous
   NORMAL, foreign keys, the page cache of the bulk path) and, like the app's bulk
   paths, with the cyclic GC paused.  Goal: at most ``BUNDLE_GOAL`` x the floor.

2. Opening the work streams list (``ui.shell.main_window.ListPage``: the real table,
   proxy and paged model, all streams) on B (10,000 streams) and on a
   ``huge-list`` database (100,000 streams): time from building the page to its
   first paint, and the peak memory (maxrss) it added, each in a fresh process
   (offscreen, 1280x800).  Floor: a bare ``QTableView`` over an empty model, also
   to its first paint.  Goal: ``PAINT_GOAL_MS``.  For comparison, the list as it
   was before paging (every row loaded, sorted by the proxy) is measured once too.

Run with ``python -m benchmarks.bench_data [--preset large|small|tiny]`` (the
large preset takes about 4 minutes on 2 cores; ``WSC_BENCH_PRESET`` also sets it).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from app.common.collector import gc_paused
from benchmarks.generate import PRESETS, count_objects, generate, write_database

Report = Callable[[str], None]

BUNDLE_GOAL = 3.0
PAINT_GOAL_MS = 300.0
DEFAULT_PRESET = os.environ.get("WSC_BENCH_PRESET", "large")
LIST_PRESET = {"large": "huge-list", "small": "small", "tiny": "tiny", "huge-list": "huge-list"}
PROBE_REPEATS = 3
PROBE_TIMEOUT_S = 300


def _fresh(path: Path) -> Path:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return path


def _empty_database(path: Path) -> str:
    from app.config.opening import open_database

    url = f"sqlite:///{_fresh(path)}"
    open_database(url, seed_demo=False, backup=False).dispose()
    return url


def _maxrss_mb() -> float:
    """Peak resident memory of this process image, MB.

    Linux: VmHWM, which starts afresh at exec; ``ru_maxrss`` would carry over the
    parent's peak into a child started by fork+exec (a 2 GB parent hides the child's).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --------------------------------------------------------------------------- the floors

def _floor_connection(path: Path) -> sqlite3.Connection:
    from app.config.io import BULK_CACHE_KIB

    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=5000", "synchronous=NORMAL",
                   f"cache_size=-{BULK_CACHE_KIB}"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def floor_import(config: bytes, path: Path) -> float:
    """json.loads + executemany of the same rows into the same (empty) tables; seconds."""
    connection = _floor_connection(path)
    try:
        with gc_paused():
            started = time.perf_counter()
            doc = json.loads(config)
            now = datetime.now(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
            fold = str.casefold
            presence = {fold(name): pid for pid, name in connection.execute("SELECT id, name FROM presence")}
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT INTO presence (id, created_at, modified_at, version, name, base, text, is_system) "
                "VALUES (?, ?, ?, 1, ?, ?, ?, 0)",
                [(p["id"], now, now, p["name"], p["base"], p["text"]) for p in doc["presences"]])
            presence.update((fold(p["name"]), p["id"]) for p in doc["presences"])
            connection.executemany(
                "INSERT INTO agent (id, created_at, modified_at, version, name, capacity, presence_id) "
                "VALUES (?, ?, ?, 1, ?, ?, ?)",
                [(a["id"], now, now, a["name"], a["capacity"], presence[fold(a["presence"])]) for a in doc["agents"]])
            agent = {fold(a["name"]): a["id"] for a in doc["agents"]}
            connection.executemany(
                "INSERT INTO queue (id, created_at, modified_at, version, name, kind, description) "
                "VALUES (?, ?, ?, 1, ?, ?, ?)",
                [(q["id"], now, now, q["name"], q["kind"], q["description"]) for q in doc["queues"]])
            connection.executemany("INSERT INTO queue_member (queue_id, agent_id) VALUES (?, ?)",
                                   [(q["id"], agent[fold(n)]) for q in doc["queues"] for n in q["agents"]])
            queue = {fold(q["name"]): q["id"] for q in doc["queues"]}
            streams, variables, rules, channels = [], [], [], []
            dumps = json.dumps
            for w in doc["workstreams"]:
                wid = w["id"]
                streams.append((wid, now, now, w["name"], fold(w["name"]), w["channel"], w["active"], w["capacity"],
                                w["auto_close_after_inactivity_s"], w["distribution_mode"], w["notification"],
                                w["screen_pop_timeout_s"], dumps(w["allowed_presences"]), w["assign_after_decline_s"],
                                w["keep_same_agent"], w["wrap_up_block_s"],
                                queue[fold(w["default_queue"])] if w["default_queue"] else None))
                variables += [(v["id"], now, now, wid, v["display_name"], v["name"], v["type"])
                              for v in w["context_variables"]]
                rules += [(r["id"], now, now, wid, r["name"], r["description"], queue[fold(r["queue"])], position,
                           dumps(r["condition"])) for position, r in enumerate(w["routing_rules"])]
                channels += [(c["id"], now, now, wid, c["name"], c["kind"], c["is_default"]) for c in w["channels"]]
            connection.executemany(
                "INSERT INTO workstream (id, created_at, modified_at, version, name, name_key, channel, active, "
                "capacity, auto_close_after_inactivity_s, distribution_mode, notification, screen_pop_timeout_s, "
                "allowed_presences, assign_after_decline_s, keep_same_agent, wrap_up_block_s, default_queue_id) "
                "VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", streams)
            connection.executemany(
                "INSERT INTO context_variable (id, created_at, modified_at, version, workstream_id, display_name, "
                "name, type) VALUES (?, ?, ?, 1, ?, ?, ?, ?)", variables)
            connection.executemany(
                "INSERT INTO routing_rule_item (id, created_at, modified_at, version, workstream_id, name, "
                "description, queue_id, position, condition) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)", rules)
            connection.executemany(
                "INSERT INTO channel (id, created_at, modified_at, version, workstream_id, name, kind, is_default) "
                "VALUES (?, ?, ?, 1, ?, ?, ?, ?)", channels)
            connection.execute("COMMIT")
            return time.perf_counter() - started
    finally:
        connection.close()


def _name_key(value: str) -> tuple[str, str]:
    return (value.casefold(), value)


def floor_export(path: Path) -> tuple[float, int]:
    """The same rows selected back and json.dumps-ed as the same canonical document; (seconds, bytes)."""
    connection = _floor_connection(path)
    try:
        with gc_paused():
            started = time.perf_counter()
            loads = json.loads
            presence = dict(connection.execute("SELECT id, name FROM presence"))
            presences = [{"name": n, "base": b, "text": t, "id": i} for i, n, b, t in
                         connection.execute("SELECT id, name, base, text FROM presence WHERE is_system = 0")]
            # The generated configurations hold no skills, profiles, overflow or classification
            # rules: the floor reads the version 2 columns and writes those lists empty.
            agents = [{"name": n, "capacity": c, "presence": presence[p], "id": i, "skills": {},
                       "capacity_profiles": {}} for i, n, c, p in
                      connection.execute("SELECT id, name, capacity, presence_id FROM agent")]
            agent_name = {a["id"]: a["name"] for a in agents}
            queue_rows = connection.execute(
                "SELECT id, name, kind, description, priority, assignment_method, operating_hours FROM queue").fetchall()
            queue_name = {row[0]: row[1] for row in queue_rows}
            members: dict[str, list[str]] = {i: [] for i, *_ in queue_rows}
            for queue_id, agent_id in connection.execute("SELECT queue_id, agent_id FROM queue_member"):
                members[queue_id].append(agent_name[agent_id])
            queues = [{"name": n, "kind": k, "description": d, "agents": sorted(members[i], key=_name_key), "id": i,
                       "priority": p, "assignment_method": a, "operating_hours": loads(h) if h else None,
                       "overflow": []}
                      for i, n, k, d, p, a, h in queue_rows]
            children: dict[str, tuple[list, list, list]] = {}
            streams = []
            for row in connection.execute(
                    "SELECT id, name, channel, active, capacity, auto_close_after_inactivity_s, distribution_mode, "
                    "notification, screen_pop_timeout_s, allowed_presences, assign_after_decline_s, keep_same_agent, "
                    "wrap_up_block_s, default_queue_id, capacity_format, skill_matching, decline_reasons, "
                    "reconnect_window_s FROM workstream"):
                own = children[row[0]] = ([], [], [])
                streams.append({"name": row[1], "channel": row[2], "active": bool(row[3]), "capacity": row[4],
                                "auto_close_after_inactivity_s": row[5], "distribution_mode": row[6],
                                "notification": row[7], "screen_pop_timeout_s": row[8],
                                "allowed_presences": loads(row[9]), "assign_after_decline_s": row[10],
                                "keep_same_agent": bool(row[11]), "wrap_up_block_s": row[12],
                                "default_queue": queue_name.get(row[13]), "context_variables": own[0],
                                "routing_rules": own[1], "channels": own[2], "id": row[0],
                                "capacity_format": row[14], "capacity_profile": None, "skill_matching": row[15],
                                "classification_rules": [], "missed_notification_presence": None,
                                "decline_reasons": loads(row[16]), "reconnect_window_s": row[17]})
            for wid, i, d, n, t in connection.execute(
                    "SELECT workstream_id, id, display_name, name, type FROM context_variable"):
                children[wid][0].append({"display_name": d, "name": n, "type": t, "id": i})
            for wid, i, n, d, q, p, c in connection.execute(
                    "SELECT workstream_id, id, name, description, queue_id, position, condition FROM routing_rule_item"):
                children[wid][1].append((p, {"name": n, "description": d, "queue": queue_name[q],
                                             "queues": [], "condition": loads(c), "id": i}))
            for wid, i, n, k, d in connection.execute(
                    "SELECT workstream_id, id, name, kind, is_default FROM channel"):
                children[wid][2].append({"name": n, "kind": k, "is_default": bool(d), "id": i})
            for variables, rules, channels in children.values():
                variables.sort(key=lambda v: _name_key(v["name"]))
                rules.sort(key=lambda pair: pair[0])
                rules[:] = [rule for _p, rule in rules]
                channels.sort(key=lambda c: _name_key(c["name"]))
            doc = {"format": "workstream-console/config", "version": 2, "rating_models": [], "skills": [],
                   "capacity_profiles": []}
            for key, items in (("presences", presences), ("agents", agents), ("queues", queues),
                               ("workstreams", streams)):
                doc[key] = sorted(items, key=lambda item: _name_key(item["name"]))
            data = (json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
            return time.perf_counter() - started, len(data)
    finally:
        connection.close()


# --------------------------------------------------------------------------- bundles

def bench_bundles(report: Report, preset: str, folder: Path) -> dict:
    from app.interchange.bundle_service import export_bundle, import_bundle
    from app.store.database import table_counts
    from app.config.opening import open_database

    started = time.perf_counter()
    doc = generate(preset)
    objects = count_objects(doc)
    streams = len(doc["workstreams"])
    generated_s = time.perf_counter() - started
    source = _fresh(folder / "a.db")
    started = time.perf_counter()
    write_database(doc, source)
    setup_s = time.perf_counter() - started
    del doc
    gc.collect()
    report(f"configuration '{preset}': {streams:,} work streams, {objects:,} objects "
           f"(generated in {generated_s:.1f} s; written by import_document in {setup_s:.1f} s)")

    bundle = folder / "large.wsbundle"
    db = open_database(f"sqlite:///{source}", seed_demo=False, backup=False)
    try:
        started = time.perf_counter()
        export_bundle(db, bundle, label=f"bench {preset}")
        export_s = time.perf_counter() - started
    finally:
        db.dispose()
    floor_export_s, floor_bytes = floor_export(source)
    with zipfile.ZipFile(bundle) as archive:
        config = archive.read("config.json")

    target = folder / "b.db"
    url = _empty_database(target)
    db = open_database(url, seed_demo=False, backup=False)
    steps: list[tuple[str, float]] = []
    try:
        started = time.perf_counter()
        plan = import_bundle(db, bundle, progress=lambda step, _done, _total: steps.append(
            (step, time.perf_counter() - started)))
        import_s = time.perf_counter() - started
        counts = table_counts(db)
    finally:
        db.dispose()
    floor_db = folder / "c.db"
    _empty_database(floor_db)
    floor_import_s = floor_import(config, floor_db)
    with sqlite3.connect(floor_db) as connection:
        floor_rows = connection.execute("SELECT count(*) FROM routing_rule_item").fetchone()[0]
    assert plan.applied and counts["routing_rule_item"] == floor_rows, (counts, floor_rows)
    assert len(config) == floor_bytes, "the floor must produce the same config.json"
    for path in (floor_db, source):
        _fresh(path)

    phases = [(name, at) for name, at in steps]
    breakdown = ", ".join(f"{a[0].lower()} {b[1] - a[1]:.1f} s" for a, b in zip(phases, phases[1:]))
    export_ratio, import_ratio = export_s / floor_export_s, import_s / floor_import_s
    size = f"{streams:,} streams, {objects:,} objects"
    report(f"  config.json {len(config) / 2**20:.0f} MiB, bundle {bundle.stat().st_size / 2**20:.1f} MiB; "
           f"peak memory of this process so far {_maxrss_mb():,.0f} MB")
    report(f"  {'':<52} {'s':>7} {'floor s':>8} {'ratio':>7}  goal <= {BUNDLE_GOAL:g}x")
    report(f"  {'export_bundle (' + size + ')':<52} {export_s:>7.1f} {floor_export_s:>8.1f} {export_ratio:>6.2f}x"
           f"  {'met' if export_ratio <= BUNDLE_GOAL else 'NOT met'}")
    report(f"  {'import_bundle into an empty database':<52} {import_s:>7.1f} {floor_import_s:>8.1f} "
           f"{import_ratio:>6.2f}x  {'met' if import_ratio <= BUNDLE_GOAL else 'NOT met'}")
    report(f"    import steps: {breakdown}")
    return {"preset": preset, "streams": streams, "objects": objects, "export_s": export_s,
            "floor_export_s": floor_export_s, "import_s": import_s, "floor_import_s": floor_import_s,
            "setup_import_document_s": setup_s, "import_steps": dict(steps), "db": target, "url": url}


# --------------------------------------------------------------------------- the list

def _probe(url: str, mode: str) -> dict:
    """One measurement in a fresh process (so its memory peak is its own)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["XDG_CONFIG_HOME"] = tempfile.gettempdir()
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_data", "--probe-list", url, mode],
                          capture_output=True, text=True, env=env, timeout=PROBE_TIMEOUT_S,
                          cwd=str(Path(__file__).resolve().parent.parent))
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"list probe {mode} failed: {done.stderr.strip()[-800:]}")
    return json.loads(lines[-1])


def probe_list(url: str, mode: str) -> dict:
    """In the child: build the list page (or the floor), wait for its first paint."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from app.config.opening import open_database
    from app.services.core import Services
    from ui.records import list_models
    from ui.shell.main_window import ListPage

    app = QApplication.instance() or QApplication([])
    services = Services(open_database(url, seed_demo=False, backup=False)) if mode != "floor" else None

    class AllRowsModel(list_models.RowTableModel):
        """The list before paging: every row in one call, sorted and filtered by the proxy."""

        noun = list_models.WorkStreamListModel.noun
        columns = list_models.WorkStreamListModel.columns
        extra_roles = list_models.WorkStreamListModel.extra_roles
        extra_data = list_models.WorkStreamListModel.extra_data

        def __init__(self, services, parent=None, state: str = "active"):
            super().__init__(services, parent)
            self.state = state

        def load(self):
            return self.services.list_workstreams(state=self.state)

    class FirstPaint(QObject):
        def __init__(self, loop: QEventLoop):
            super().__init__()
            self.loop, self.seen = loop, False

        def eventFilter(self, _obj, event) -> bool:
            if event.type() == QEvent.Type.Paint and not self.seen:
                self.seen = True
                QTimer.singleShot(0, self.loop.quit)
            return False

    if mode == "unpaged":
        list_models.MODEL_FOR_VIEW["workstreams"] = AllRowsModel
    gc.collect()
    before = _maxrss_mb()
    started = time.perf_counter()
    if mode == "floor":
        view = QTableView()
        view.setModel(QStandardItemModel(0, 7, view))
        widget, viewport, model = view, view.viewport(), None
    else:
        widget = ListPage("workstreams", services)
        widget.model.state = "all"
        widget.model.refresh()
        viewport, model = widget.table.viewport(), widget.model
    loop = QEventLoop()
    spy = FirstPaint(loop)
    viewport.installEventFilter(spy)
    QTimer.singleShot(PROBE_TIMEOUT_S * 1000, loop.quit)
    widget.resize(1280, 800)
    widget.show()
    loop.exec()
    elapsed = time.perf_counter() - started
    result = {"mode": mode, "first_paint_ms": elapsed * 1000, "painted": spy.seen,
              "peak_mb": _maxrss_mb() - before,
              "rows_loaded": model.rowCount() if model is not None else 0,
              "rows_listed": getattr(model, "_total", model.rowCount() if model is not None else 0)}
    app.processEvents()
    return result


def bench_list(report: Report, url: str, label: str, *, compare_unpaged: bool = True) -> dict:
    floor, paged = [], []
    for _ in range(PROBE_REPEATS):  # in turn, so a burst of load hits both
        floor.append(_probe(url, "floor"))
        paged.append(_probe(url, "paged"))
    unpaged = _probe(url, "unpaged") if compare_unpaged else None
    floor_ms = statistics.median(p["first_paint_ms"] for p in floor)
    paged_ms = statistics.median(p["first_paint_ms"] for p in paged)
    paged_mb = statistics.median(p["peak_mb"] for p in paged)
    floor_mb = statistics.median(p["peak_mb"] for p in floor)
    rows = paged[0]
    report(f"  work streams list, {label}: {rows['rows_listed']:,} streams listed, {rows['rows_loaded']:,} loaded "
           f"for the first paint (median of {PROBE_REPEATS})")
    report(f"    {'':<44} {'first paint ms':>15} {'peak +MB':>9}")
    report(f"    {'bare QTableView, empty model (floor)':<44} {floor_ms:>15.0f} {floor_mb:>9.1f}")
    report(f"    {'ListPage, paged model':<44} {paged_ms:>15.0f} {paged_mb:>9.1f}   "
           f"goal <= {PAINT_GOAL_MS:.0f} ms: {'met' if paged_ms <= PAINT_GOAL_MS else 'NOT met'} "
           f"({paged_ms / floor_ms:.1f}x the floor)")
    if unpaged is not None:
        report(f"    {'  before paging: every row, proxy-sorted':<44} {unpaged['first_paint_ms']:>15.0f} "
               f"{unpaged['peak_mb']:>9.1f}")
    return {"label": label, "streams": rows["rows_listed"], "paged_ms": paged_ms, "floor_ms": floor_ms,
            "paged_mb": paged_mb, "floor_mb": floor_mb,
            "unpaged_ms": unpaged["first_paint_ms"] if unpaged else None,
            "unpaged_mb": unpaged["peak_mb"] if unpaged else None}


# --------------------------------------------------------------------------- run

def run(report: Report = print, preset: str = DEFAULT_PRESET, list_preset: str | None = None,
        compare_unpaged: bool = True) -> dict:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset '{preset}'")
    list_preset = list_preset or LIST_PRESET[preset]
    with tempfile.TemporaryDirectory(prefix="wsc-bench-data-") as name:
        folder = Path(name)
        bundles = bench_bundles(report, preset, folder)
        lists = [bench_list(report, bundles["url"], f"{bundles['streams']:,}-stream database ('{preset}')",
                            compare_unpaged=compare_unpaged)]
        if list_preset != preset:
            started = time.perf_counter()
            huge = folder / "huge.db"
            doc = generate(list_preset)
            streams = len(doc["workstreams"])
            write_database(doc, huge)
            del doc
            gc.collect()
            report(f"  ('{list_preset}' database: {streams:,} streams, written in {time.perf_counter() - started:.1f} s)")
            lists.append(bench_list(report, f"sqlite:///{huge}", f"{streams:,}-stream database ('{list_preset}')",
                                    compare_unpaged=compare_unpaged))
    results = {"bundles": bundles, "lists": lists}
    _record(results)
    return results


def _record(results: dict) -> None:
    from benchmarks import report as bench_report

    b = results["bundles"]
    size = f"{b['streams']:,} streams / {b['objects']:,} objects"
    rows = [
        bench_report.Row(f"Bundle export ({size})", b["export_s"], "s", "sqlite3 select + json.dumps",
                         b["floor_export_s"], f"<= {BUNDLE_GOAL:g}x", b["export_s"] / b["floor_export_s"] <= BUNDLE_GOAL),
        bench_report.Row(f"Bundle import into an empty db ({size})", b["import_s"], "s",
                         "json.loads + sqlite3 executemany", b["floor_import_s"], f"<= {BUNDLE_GOAL:g}x",
                         b["import_s"] / b["floor_import_s"] <= BUNDLE_GOAL),
    ]
    for item in results["lists"]:
        rows.append(bench_report.Row(f"Work streams list first paint, {item['streams']:,} streams", item["paged_ms"],
                                     "ms", "bare QTableView, empty model", item["floor_ms"],
                                     f"<= {PAINT_GOAL_MS:.0f} ms", item["paged_ms"] <= PAINT_GOAL_MS))
        rows.append(bench_report.Row(f"Work streams list peak memory, {item['streams']:,} streams", item["paged_mb"],
                                     "MB", "bare QTableView, empty model", item["floor_mb"] or None, "—", None))
    bench_report.record("data", rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_data")
    parser.add_argument("--preset", choices=sorted(PRESETS), default=DEFAULT_PRESET)
    parser.add_argument("--list-preset", choices=sorted(PRESETS))
    parser.add_argument("--no-unpaged", action="store_true", help="skip the before-paging comparison")
    parser.add_argument("--probe-list", nargs=2, metavar=("URL", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.probe_list:
        print(json.dumps(probe_list(*args.probe_list)), flush=True)
        os._exit(0)  # no teardown of Qt and the database: nothing to measure there
    run(print, args.preset, args.list_preset, compare_unpaged=not args.no_unpaged)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Kill an import at random points: the database is untouched or fully imported, never half.

Each run forks a child that imports a bundle and SIGKILLs itself after a random
number of profiler events (Python calls and returns, and C calls such as the
sqlite3 ones), so the kill points spread over the whole import, commit
included, and are reproducible from the seed.  No sleeps, no timing.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import sys

import pytest

from app.interchange.bundle_service import export_bundle
from app.config.io import export_document, import_document
from app.config.opening import open_database

RUNS = int(os.environ.get("WSC_KILL_RUNS", "50"))
EMPTY = {"format": "workstream-console/config", "version": 1}


def _import_until(db_path: str, bundle: str, kill_after: int, counter_out, commit_out, after_commit: int = -1) -> None:
    """Child: import, and die by SIGKILL at the ``kill_after``-th profiler event.

    With ``after_commit >= 0`` it dies that many events after its own commit began
    instead: the event counts of two children differ by a few hundred (object ids
    order some of SQLAlchemy's work), more than the stretch after the commit.
    """
    from sqlalchemy import event

    from app.interchange.bundle_service import import_bundle
    from app.config.opening import open_database

    db = open_database(f"sqlite:///{db_path}", seed_demo=False)
    events = 0
    committed_at = None

    @event.listens_for(db.engine, "commit")
    def _remember_commit(_connection):
        nonlocal committed_at
        commit_out.value = committed_at = events

    def profile(_frame, _event, _arg):
        nonlocal events
        events += 1
        if after_commit >= 0:
            if committed_at is not None and events >= committed_at + after_commit:
                os.kill(os.getpid(), signal.SIGKILL)
        elif events >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    sys.setprofile(profile)
    import_bundle(db, bundle)
    sys.setprofile(None)
    counter_out.value = events
    os._exit(0)


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill")
    source = open_database(f"sqlite:///{root / 'source.db'}")
    export_bundle(source, root / "demo.wsbundle", label="demo")
    expected = export_document(source, with_ids=True)
    source.dispose()
    base = open_database(f"sqlite:///{root / 'base.db'}")
    import_document(base, EMPTY, replace=True)
    before = export_document(base, with_ids=True)
    base.dispose()
    with sqlite3.connect(root / "base.db") as connection:  # fold the WAL in: one file to copy
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["app.interchange.bundle_service", "app.store.database"])
    return root, before, expected, context


def _run_child(context, root, name, kill_after, after_commit=-1):
    target = root / f"{name}.db"
    shutil.copy(root / "base.db", target)
    # Lock-free: a child killed while holding a Value's lock would block the parent forever.
    counter, commit_at = context.Value("q", 0, lock=False), context.Value("q", 0, lock=False)
    child = context.Process(target=_import_until,
                            args=(str(target), str(root / "demo.wsbundle"), kill_after, counter, commit_at,
                                  after_commit))
    child.start()
    child.join(120)
    assert child.exitcode is not None, "the import child hung"
    return target, child.exitcode, (counter.value, commit_at.value)


def _state(path, before, expected):
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    db = open_database(f"sqlite:///{path}", seed_demo=False)
    try:
        now = export_document(db, with_ids=True)
    finally:
        db.dispose()
    if now == before:
        return "untouched"
    assert now == expected, "the database holds a half-applied import"
    return "imported"


def test_killing_an_import_at_random_points_never_half_applies(scene):
    root, before, expected, context = scene
    target, exitcode, (total, commit_at) = _run_child(context, root, "complete", kill_after=10**12)
    assert exitcode == 0 and 1000 < commit_at < total, (commit_at, total)
    print(f"profiler events: {total}, import commit at {commit_at}")
    assert _state(target, before, expected) == "imported"
    rng = random.Random(20261125)
    outcomes = []
    # Half the kill points anywhere; half around each child's own commit (from a few
    # hundred events before it to past the end), where "half applied" would show if it
    # could.  Spread evenly, not at random: the stretch after the commit is short.
    points = [(rng.randint(1, total), -1) for _ in range(RUNS // 2)]
    near = RUNS - RUNS // 2
    tail = total - commit_at
    offsets = [-400 + index * (tail + 450) // max(1, near - 1) for index in range(near)]
    points += [(commit_at + offset, -1) if offset < 0 else (0, offset) for offset in offsets]
    for run, (kill_after, after_commit) in enumerate(points):
        target, exitcode, _ = _run_child(context, root, f"run{run}", kill_after=kill_after,
                                         after_commit=after_commit)
        assert exitcode in (0, -signal.SIGKILL)
        outcomes.append(_state(target, before, expected))
        target.unlink()
        for extra in root.glob(f"run{run}.*"):
            extra.unlink()
    # Both outcomes must occur, or the kill points did not span the commit.
    assert {"untouched", "imported"} <= set(outcomes), outcomes

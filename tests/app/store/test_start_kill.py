"""Kill the first start, or the upgrade from 0001, at many points: the file always opens afterwards.

Creating the schema, upgrading it and seeding the demo are one transaction.  Each
child opens the database and SIGKILLs itself after a number of profiler events
(Python and C calls), so the kill points spread over the whole start, commit
included; no sleeps, no timing.  The fast variant kills at a handful of points; the
slow one (``-m slow``) at many.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sqlite3
import sys

import pytest

from app.config.io import export_document
from app.store.database import alembic_config, current_revision, head_revision
from app.config.opening import open_database
from models import make_engine

MARKER = ("marker", "kept")


def _start_until(db_path: str, kill_after: int, counter_out) -> None:
    """Child: open (create or upgrade, and seed) the database; die at the ``kill_after``-th event."""
    from app.config.opening import open_database

    events = 0

    def profile(_frame, _event, _arg):
        nonlocal events
        events += 1
        if events >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    sys.setprofile(profile)
    open_database(f"sqlite:///{db_path}").dispose()
    sys.setprofile(None)
    counter_out.value = events
    os._exit(0)


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    root = tmp_path_factory.mktemp("start-kill")
    old = root / "old-0001.db"
    engine = make_engine(f"sqlite:///{old}")
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql("INSERT INTO setting (key, value) VALUES (?, ?)", MARKER)
    engine.dispose()
    with sqlite3.connect(old) as connection:  # one file to copy
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["app.store.database", "app.config.demo", "app.config.io", "alembic.command",
                                    "alembic.script", "alembic.runtime.migration", "alembic.operations"])
    return root, context


def _run(context, root, name, start_from, kill_after):
    target = root / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    if start_from is not None:
        shutil.copy(root / start_from, target)
    counter = context.Value("q", 0, lock=False)  # lock-free: a killed child must not hold a lock
    child = context.Process(target=_start_until, args=(str(target), kill_after, counter))
    child.start()
    child.join(180)
    assert child.exitcode is not None, "the start hung"
    return target, child.exitcode, counter.value


def _opens_with_its_data(path, *, old: bool) -> None:
    if path.exists():
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db = open_database(f"sqlite:///{path}")  # refused files raise here
    try:
        assert current_revision(db.engine) == head_revision()
        doc = export_document(db)
        if old:
            assert db.setting(MARKER[0]) == MARKER[1]
        else:
            assert len(doc["workstreams"]) == 4 and len(doc["queues"]) == 4  # the demo, whole
        assert db.database_id
    finally:
        db.dispose()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def _kill_points(total: int, count: int) -> list[int]:
    # Spread evenly over the whole start, plus the very end (around the commit).
    return sorted({max(1, total * i // count) for i in range(1, count)} | {total - 50, total - 5})


@pytest.mark.parametrize("start_from", [None, "old-0001.db"], ids=["first-start", "upgrade-from-0001"])
def test_killing_a_start_at_a_few_points_leaves_a_file_that_opens(scene, start_from):
    _kill_at_points(scene, start_from, count=6)


@pytest.mark.slow
@pytest.mark.parametrize("start_from", [None, "old-0001.db"], ids=["first-start", "upgrade-from-0001"])
def test_killing_a_start_at_many_points_leaves_a_file_that_opens(scene, start_from):
    _kill_at_points(scene, start_from, count=60)


def _kill_at_points(scene, start_from, count):
    root, context = scene
    old = start_from is not None
    target, exitcode, total = _run(context, root, "complete", start_from, kill_after=10**12)
    assert exitcode == 0 and total > 1000, total
    _opens_with_its_data(target, old=old)
    killed = 0
    for point in _kill_points(total, count):
        target, exitcode, _ = _run(context, root, f"killed-{point}", start_from, kill_after=point)
        killed += exitcode == -signal.SIGKILL
        _opens_with_its_data(target, old=old)
    assert killed >= count - 2, killed

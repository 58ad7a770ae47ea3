"""Every failure is one line on stderr, a non-zero exit, and nothing lost.

Most cases run the real `wsc` (``python -m app.cli``) in a subprocess: what a user
sees, including what Python itself would print on the way out.
"""
from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import CliContext, main
from app.common.errors import UserError
from app.common.files import read_limited, write_atomically
from app.store.database import backup_sqlite_file
from app.config.opening import open_database

REPO = Path(__file__).resolve().parents[3]
DOC = {"format": "workstream-console/config", "version": 1,
       "queues": [{"name": "Escalations", "kind": "messaging", "description": "", "agents": []}]}


def wsc(*argv, env: dict | None = None, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    environment.pop("WSC_DB", None)
    environment.pop("WSC_DB_URL", None)
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, argv)], cwd=REPO, capture_output=True,
                          text=True, env=environment, timeout=timeout, **kwargs)


def assert_one_line(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wsc: ") and "Traceback" not in lines[0], lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def integrity_ok(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def no_sidecars(path: Path) -> None:
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


@pytest.fixture
def doc_file(tmp_path) -> Path:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    return path


@pytest.fixture
def demo_db(tmp_path, template_databases) -> Path:
    path = tmp_path / "demo.db"
    template_databases.copy_to(path)
    return path


# --------------------------------------------------------------------------- the database file

def test_a_text_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n" * 50)
    before = path.read_bytes()
    assert_one_line(wsc("--db", path, "list", "queues"), "not a SQLite database")
    assert path.read_bytes() == before
    no_sidecars(path)


def test_a_damaged_database_is_one_line(demo_db):
    data = bytearray(demo_db.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page but the first is garbage
    demo_db.write_bytes(bytes(data))
    assert_one_line(wsc("--db", demo_db, "list", "queues"), "damaged", "restore a backup")
    assert demo_db.read_bytes() == bytes(data)


def test_a_schema_tampered_with_is_refused_untouched(demo_db):
    with sqlite3.connect(demo_db) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("ALTER TABLE queue DROP COLUMN description")
    before = demo_db.read_bytes()
    assert_one_line(wsc("--db", demo_db, "list", "queues"), "queue", "description", "restore a backup")
    assert demo_db.read_bytes() == before
    no_sidecars(demo_db)


@pytest.mark.parametrize("kind", ["foreign", "newer"])
def test_a_refused_database_is_byte_identical_and_not_switched_to_wal(tmp_path, kind):
    path = tmp_path / f"{kind}.db"
    if kind == "newer":
        open_database(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
        if kind == "foreign":
            connection.execute("CREATE TABLE notes (body TEXT)")
        else:
            connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path.read_bytes()
    line = assert_one_line(wsc("--db", path, "list", "queues"))
    assert ("not created by Workstream Console" if kind == "foreign" else "newer than this app") in line
    assert path.read_bytes() == before
    no_sidecars(path)


def test_a_read_only_database_is_one_line(demo_db, doc_file):
    url = f"sqlite:///file:{demo_db}?mode=ro&uri=true"
    assert_one_line(wsc("--db-url", url, "import", doc_file), "read-only")
    integrity_ok(demo_db)
    assert "Escalations" not in wsc("--db", demo_db, "list", "queues").stdout


def test_a_locked_database_waits_the_stated_time_then_one_line(demo_db, doc_file):
    holder = sqlite3.connect(demo_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = wsc("--db", demo_db, "import", doc_file, env={"WSC_LOCK_WAIT_MS": "300"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line(result, "locked by another program", "waited 0.3 s")
    integrity_ok(demo_db)


def test_a_garbage_url_is_one_line(tmp_path):
    assert_one_line(wsc("--db-url", "garbage", "list", "queues"), "not a database URL")
    assert not (REPO / "garbage").exists()


def test_an_empty_db_path_is_refused_not_the_default_database(tmp_path):
    home = tmp_path / "home"
    result = wsc("--db", "", "list", "queues", env={"HOME": str(home), "XDG_DATA_HOME": str(home / "data")})
    assert result.returncode == 2
    assert_one_line(result, "--db is empty")
    assert not (home / "data").exists()


def test_a_full_disk_is_one_line_and_nothing_half_written(demo_db, doc_file):
    from sqlalchemy import event

    db = open_database(f"sqlite:///{demo_db}")
    with sqlite3.connect(demo_db) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(db.engine, "connect")
    def _no_room(dbapi_connection, _record):  # the disk fills up: not one more page
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    db.engine.dispose()
    big = {**DOC, "queues": [{"name": f"Q{i}", "kind": "messaging", "description": "x" * 2000, "agents": []}
                             for i in range(200)]}
    doc_file.write_text(json.dumps(big))
    err = io.StringIO()
    ctx = CliContext(db_url=db.url, stdout=io.StringIO(), stderr=err, stdin=io.StringIO(""), _database=db)
    assert main(["import", str(doc_file)], ctx=ctx) == 1
    assert err.getvalue().count("\n") == 1 and "disk holding" in err.getvalue() and "full" in err.getvalue()
    integrity_ok(demo_db)


def _raise_inside_import(monkeypatch, error):
    import app.config.io as config_io

    def failing(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(config_io, "apply_document", failing)
    import app.interchange.bundle_service as service

    monkeypatch.setattr(service, "apply_document", failing)


def test_two_imports_racing_is_one_line(demo_db, doc_file, monkeypatch):
    import sqlite3 as driver

    from sqlalchemy.exc import IntegrityError

    _raise_inside_import(monkeypatch, IntegrityError("INSERT INTO queue ...", {},
                                                     driver.IntegrityError("UNIQUE constraint failed: queue.name")))
    err = io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{demo_db}", stdout=io.StringIO(), stderr=err, stdin=io.StringIO(""))
    assert main(["import", str(doc_file)], ctx=ctx) == 1
    assert err.getvalue().count("\n") == 1
    assert "another console saved a conflicting change at the same moment" in err.getvalue()


def test_two_deltas_racing_is_one_line(demo_db, tmp_path, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    bundle = tmp_path / "full.wsbundle"
    out, err = io.StringIO(), io.StringIO()
    main(["bundle", "export", str(bundle)], ctx=CliContext(db_url=f"sqlite:///{demo_db}", stdout=out, stderr=err))
    _raise_inside_import(monkeypatch, StaleDataError(
        "UPDATE statement on table 'queue' expected to update 1 row(s); 0 were matched."))
    ctx = CliContext(db_url=f"sqlite:///{demo_db}", stdout=out, stderr=err, stdin=io.StringIO(""))
    assert main(["bundle", "import", str(bundle)], ctx=ctx) == 1
    assert err.getvalue().count("\n") == 1
    assert "queue was changed or deleted by someone else" in err.getvalue()


# --------------------------------------------------------------------------- migrations

def test_a_failed_backup_leaves_no_empty_bak(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database at all" * 100)
    with pytest.raises(UserError):
        backup_sqlite_file(path, "before-0003")
    assert list(tmp_path.glob("*.bak")) == []


# --------------------------------------------------------------------------- reading

def test_dev_zero_is_refused_at_once(demo_db):
    assert_one_line(wsc("--db", demo_db, "import", "/dev/zero", timeout=30), "/dev/zero", "a device")


def test_a_fifo_is_refused_without_hanging(demo_db, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert_one_line(wsc("--db", demo_db, "import", fifo, timeout=30), "FIFO")
    assert_one_line(wsc("--db", demo_db, "bundle", "diff", fifo, "db", timeout=30), "FIFO")
    assert_one_line(wsc("--db", demo_db, "simulate", fifo, timeout=30), "FIFO")


def test_a_600_mb_document_is_refused_like_bundle_diff_does(demo_db, tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:  # sparse: no disk used
        handle.truncate(600 * 1024 * 1024)
    for argv in (("import", big), ("bundle", "diff", big, "db"), ("simulate", big)):
        assert_one_line(wsc("--db", demo_db, *argv), "larger than 256 MiB")


def test_reading_stops_past_the_limit_while_counting():
    class Endless(io.RawIOBase):
        read_calls = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            Endless.read_calls += 1
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    stdin = io.TextIOWrapper(io.BufferedReader(Endless()))
    with pytest.raises(UserError, match="larger than 1 KiB"):
        read_limited("-", stdin=stdin, limit=1024)
    assert Endless.read_calls < 10


# --------------------------------------------------------------------------- writing

def test_export_through_a_symlink_writes_its_target_and_keeps_the_link(demo_db, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = wsc("--db", demo_db, "export", link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and json.loads(real.read_text())["format"] == "workstream-console/config"


def test_export_to_a_fifo_is_refused_and_the_fifo_kept(demo_db, tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    assert_one_line(wsc("--db", demo_db, "export", fifo, timeout=30), "only a regular file")
    assert fifo.is_fifo()
    link = tmp_path / "to-fifo.json"
    link.symlink_to(fifo)
    assert_one_line(wsc("--db", demo_db, "export", link, timeout=30), "only a regular file")
    assert link.is_symlink() and fifo.is_fifo()


def test_write_atomically_refuses_a_device(tmp_path):
    with pytest.raises(UserError, match="a device"):
        write_atomically("/dev/null", b"x")


def test_export_to_a_closed_stdout_is_one_line(demo_db):
    result = subprocess.run([sys.executable, "-m", "app.cli", "--db", str(demo_db), "export", "-"], cwd=REPO,
                            stderr=subprocess.PIPE, text=True, timeout=60, preexec_fn=lambda: os.close(1),
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wsc: ") and "standard output" in lines[0], result.stderr


def test_bundle_export_never_writes_what_import_refuses(demo_db, tmp_path, monkeypatch):
    from app.interchange.bundles import format as bundle_format

    monkeypatch.setattr(bundle_format, "MAX_CONFIG_BYTES", 4096)  # the demo's config.json is larger
    target = tmp_path / "too-big.wsbundle"
    out, err = io.StringIO(), io.StringIO()
    code = main(["bundle", "export", str(target)], ctx=CliContext(db_url=f"sqlite:///{demo_db}", stdout=out,
                                                                   stderr=err))
    assert code == 1 and "config.json would be" in err.getvalue() and err.getvalue().count("\n") == 1
    assert not target.exists()


# --------------------------------------------------------------------------- usage

def test_a_usage_error_is_one_line(tmp_path):
    result = wsc("--db", tmp_path / "x.db", "list", "bogus")
    assert result.returncode == 2
    assert_one_line(result, "invalid choice", "--help")
    assert_one_line(wsc("--frobnicate"), "unrecognized arguments")


def test_the_services_say_a_race_in_one_line_for_the_gui_too(demo_db, tmp_path, monkeypatch):
    """import_bundle / import_document raise a UserError (what the GUI shows), not a driver error."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.config.io import import_document
    from app.interchange.bundle_service import export_bundle, import_bundle

    db = open_database(f"sqlite:///{demo_db}")
    export_bundle(db, tmp_path / "full.wsbundle")
    _raise_inside_import(monkeypatch, StaleDataError("UPDATE statement on table 'agent' expected to update 1 row(s)"))
    with pytest.raises(UserError, match="agent was changed or deleted by someone else"):
        import_bundle(db, tmp_path / "full.wsbundle")
    with pytest.raises(UserError, match="agent was changed or deleted by someone else"):
        import_document(db, DOC)
    db.dispose()


@pytest.mark.parametrize("command", [["list", "workstreams"], ["list", "agents", "--json"], ["export", "-"]])
def test_a_reader_that_went_away_ends_the_command_quietly(demo_db, command):
    """`wsc list … | head`: the reader closed the pipe; like cat, no message, exit 128 + SIGPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    try:
        result = subprocess.run([sys.executable, "-m", "ui.launcher", "--db", str(demo_db), *command], cwd=REPO,
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")

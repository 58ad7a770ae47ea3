"""The log file: a migration, an import, a conflict and an error each leave a line."""
from __future__ import annotations

import io
import json
import logging

import pytest

from app.cli import CliContext, main
from app.common.errors import ConflictError
from app.common.logs import LOG_FILE_NAME, log_folder, start_logging, stop_logging
from app.config.demo import demo_document
from app.config.io import import_document
from app.services.core import Services
from app.config.opening import open_database


@pytest.fixture
def log_file(tmp_path):
    path = start_logging(tmp_path / "logs")
    yield path
    stop_logging()


def lines(path) -> list[str]:
    for handler in logging.getLogger("app").handlers:
        handler.flush()
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_log_folder_follows_the_environment(tmp_path):
    assert log_folder({"WSC_LOG_DIR": str(tmp_path)}) == tmp_path
    assert "workstream-console" in str(log_folder({}))


def test_a_migration_an_import_a_conflict_and_an_error_each_leave_a_line(log_file, tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'new.db'}", seed_demo=False)
    try:
        assert any("creating" in line and "app.store.database" in line for line in lines(log_file))
        import_document(db, demo_document())
        assert any("imported a configuration document" in line for line in lines(log_file))
        services = Services(db)
        queue = services.list_queues()[0]
        with pytest.raises(ConflictError):
            services.save_queue({"name": queue.name + " renamed"}, queue.id, expected_version=queue.version + 5)
        assert any("save conflict" in line and "WARNING" in line for line in lines(log_file))
    finally:
        db.dispose()
    err = io.StringIO()
    assert main(["import", str(tmp_path / "missing.json")],
                ctx=CliContext(db_url=f"sqlite:///{tmp_path / 'cli.db'}", stdout=io.StringIO(), stderr=err)) == 1
    assert err.getvalue().startswith("wsc: ")
    assert any("ERROR app.cli" in line and "missing.json" in line for line in lines(log_file))


def test_starting_twice_attaches_one_file(log_file):
    start_logging(log_file.parent)
    assert sum(getattr(h, "baseFilename", None) == str(log_file) for h in logging.getLogger("app").handlers) == 1
    assert log_file.name == LOG_FILE_NAME

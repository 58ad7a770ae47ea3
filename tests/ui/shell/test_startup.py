"""The interactive start: the window shell first, the database opened behind it."""
from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QCoreApplication

from app.config.opening import open_database
from ui.shell import startup as gui_main
from ui.shell.main_window import MainWindow


@pytest.fixture
def startups():
    """Startups made by a test; their window and database are closed afterwards."""
    made: list[gui_main.Startup] = []
    yield made
    for startup in made:
        startup.wait()
        services = startup.services()
        gui_main._close_window(startup.window)
        if services is not None:
            services.db.dispose()


def start(qtbot, startups, url: str, **kwargs) -> gui_main.Startup:
    startup = gui_main.Startup(url, restore_settings=False, remember_settings=False, **kwargs)
    startups.append(startup)
    qtbot.addWidget(startup.window)
    return startup


def test_the_shell_shows_opening_and_offers_no_data_commands(qtbot):
    window = MainWindow(None, restore_settings=False, remember_settings=False, database_label="bank.db")
    qtbot.addWidget(window)
    page = window.lists["workstreams"]
    assert page.stack.currentWidget() is page.empty
    assert page.empty.title_label.text() == "Opening the database…"
    assert page.empty.text_label.text() == "bank.db"
    assert page.empty_new.isHidden()
    assert page._table is None and page.selected_rows() == []  # the table waits for the data
    assert window.status_message.text() == "Opening the database…"
    assert "bank.db" in window.windowTitle()
    assert [action.text() for action in window.data_actions() if action.isEnabled()] == []
    assert not window.nav.isEnabled()
    assert not window.search_box.isEnabled()
    assert window.act_quit.isEnabled()


def test_attaching_services_fills_the_shell_in(qtbot, db):
    from app.services.core import Services

    services = Services(db)
    active = {row.name for row in services.list_workstreams("active")}
    assert active
    window = MainWindow(None, restore_settings=False, remember_settings=False, database_label="x.db")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.servicesAttached, timeout=1000):
        assert window.attach_services(services)
    page = window.lists["workstreams"]
    assert page.stack.currentWidget() is page.table
    assert {row.name for row in page.model.rows} == active
    page.table.selectRow(0)  # built on attach, and wired to the window's commands
    assert window.act_delete.isEnabled() and window.act_copy.isEnabled()
    assert window.status_message.text() == "Ready"
    assert window.nav.isEnabled() and window.search_box.isEnabled()
    assert window.act_new.isEnabled() and window.act_import.isEnabled() and window.act_export_bundle.isEnabled()
    assert all(action.isEnabled() for action in window.view_actions.values())
    assert window.brand_db.text() == window.database_label()
    with pytest.raises(RuntimeError):
        window.attach_services(Services(db))


def test_attach_restores_the_last_view(qtbot, db):
    from app.services.core import Services

    before = MainWindow(Services(db), restore_settings=False)
    qtbot.addWidget(before)
    before.show_view("queues")
    before.save_settings()
    window = MainWindow(None, restore_settings=True, remember_settings=False, database_label="x.db")
    qtbot.addWidget(window)
    assert window.current_view() == "workstreams"  # the last view needs the data: restored on attach
    window.attach_services(Services(db))
    assert window.current_view() == "queues"


def test_startup_shows_the_window_then_opens_the_database_after_its_first_paint(qtbot, startups, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    startup = start(qtbot, startups, url)
    assert startup.window.isVisible()
    assert startup.task is None and startup.window.services is None  # nothing opened before the paint
    assert not (tmp_path / "new.db").exists()
    with qtbot.waitSignal(startup.opened, timeout=30000):
        pass
    assert not startup._fallback.isActive()  # the paint started it, not the fallback
    assert startup.failed_error is None
    window = startup.window
    assert window.services is not None
    shown = {row.name for row in window.lists["workstreams"].model.rows}
    assert shown == {row.name for row in window.services.list_workstreams("active")} != set()  # seeded demo
    assert window.status_message.text() == "Ready"


def test_startup_opens_the_database_even_if_the_window_never_paints(qtbot, startups, db_url, db, monkeypatch):
    monkeypatch.setattr(gui_main._FirstPaint, "eventFilter", lambda self, watched, event: False)
    startup = start(qtbot, startups, db_url)
    with qtbot.waitSignal(startup.opened, timeout=30000):
        pass
    assert startup.window.services is not None


def test_closing_before_the_database_opened_still_closes_it_cleanly(qtbot, startups, db_url, db):
    startup = start(qtbot, startups, db_url)
    startup.window.close()
    startup.wait()  # what run() does after the event loop: the open finishes, undelivered
    assert startup.window.services is None
    services = startup.services()
    assert services is not None and services.list_queues()


def test_startup_opens_the_asked_work_stream(qtbot, startups, db_url, db):
    startup = start(qtbot, startups, db_url, workstream="Chat - Retail banking", tab="routing-rules")
    with qtbot.waitSignal(startup.opened, timeout=30000):
        pass
    assert startup.window.editor is not None
    assert startup.window.editor_host.title() == "Chat - Retail banking"


def test_startup_with_an_unknown_work_stream_says_so_and_stays_open(qtbot, startups, db_url, db, answers):
    startup = start(qtbot, startups, db_url, workstream="No such stream")
    with qtbot.waitSignal(startup.opened, timeout=30000):
        pass
    assert startup.failed_error is None
    assert [(kind, title) for kind, title, _text in answers.asked] == [("error", "Can't show that")]
    assert startup.window.services is not None


def test_startup_refuses_a_newer_database_with_one_line_and_exit_1(qtbot, startups, tmp_path, answers, monkeypatch):
    path = tmp_path / "newer.db"
    url = f"sqlite:///{path}"
    open_database(url).dispose()
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    exits: list[int] = []
    monkeypatch.setattr(QCoreApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    startup = start(qtbot, startups, url)
    with qtbot.waitSignal(startup.opened, timeout=30000):
        pass
    assert startup.failed_error is not None
    assert exits == [1]
    [(kind, title, text)] = answers.asked
    assert (kind, title) == ("error", "Can't open the database")
    assert "newer" in text and "\n" not in text
    assert startup.window.services is None
    assert startup.window.status_message.text() == "Could not open the database"


def test_a_failure_message_never_shows_the_password():
    error = RuntimeError("connection refused")
    text = gui_main.open_failure_text("postgresql+psycopg://admin:s3cret@db.example:5432/wsc", error)
    assert "s3cret" not in text
    assert "db.example" in text and "RuntimeError" in text


@pytest.mark.parametrize("url, label", [
    ("sqlite:////home/ana/bank.db", "bank.db"),
    ("sqlite:///relative/x.db?mode=ro", "x.db"),
    ("postgresql+psycopg://admin:s3cret@db.example:5432/wsc", "db.example:5432/wsc"),
])
def test_the_shell_names_the_database_without_credentials(url, label):
    assert gui_main.database_label(url) == label


def test_the_first_window_imports_neither_sqlalchemy_nor_pydantic():
    """What the shell needs must stay light: the heavy modules load behind it, in the worker."""
    probe = ("import sys\n"
             "import ui.shell.startup, ui.shell.main_window, ui.common.background, app.cli\n"
             "app.cli.build_parser()\n"
             "heavy = sorted(m for m in ('sqlalchemy', 'pydantic', 'alembic') if m in sys.modules)\n"
             "print(','.join(heavy))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_first_window_leaves_the_record_dialogs_and_their_controller_for_later():
    """The record dialogs, their controller and the delete flow load when a record is first opened or deleted."""
    probe = ("import sys\n"
             "import ui.shell.startup, ui.shell.main_window\n"
             "later = ('ui.records.editors', 'ui.records.controller', 'ui.common.deleting')\n"
             "print(','.join(sorted(m for m in later if m in sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

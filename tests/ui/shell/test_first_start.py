"""A first start on a plain Linux desktop: missing xcb libraries are named before Qt aborts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ui.shell import startup

ROOT = Path(__file__).resolve().parents[3]


def test_the_platform_is_xcb_only_on_linux_without_another_platform_chosen():
    assert startup.platform_is_xcb(environ={"DISPLAY": ":0"}, platform="linux")
    assert startup.platform_is_xcb(environ={"QT_QPA_PLATFORM": "xcb"}, platform="linux")
    assert not startup.platform_is_xcb(environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux")
    assert not startup.platform_is_xcb(environ={"QT_QPA_PLATFORM": "wayland"}, platform="linux")
    assert not startup.platform_is_xcb(environ={}, platform="darwin")
    assert not startup.platform_is_xcb(screenshot=True, environ={}, platform="linux")  # goes offscreen


def test_missing_libraries_are_named_with_their_packages(monkeypatch):
    everything = set(startup.XCB_LIBRARIES)
    assert startup.missing_xcb_libraries(everything) == []
    assert startup.missing_xcb_libraries(None) == []  # can't tell: start and let Qt speak
    monkeypatch.setattr(startup, "platform_is_xcb", lambda screenshot=False: True)
    monkeypatch.setattr(startup, "installed_libraries",
                        lambda: everything - {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"})
    assert startup.xcb_problem() == (
        "Qt can't open windows here: missing libxcb-icccm.so.4, libxcb-keysyms.so.1; "
        "install them with: sudo apt-get install libxcb-icccm4 libxcb-keysyms1")


def test_ldconfig_listing_is_read_by_soname():
    found = startup.installed_libraries()
    if found is None:
        return  # no ldconfig on this system: nothing can be told (and nothing is reported)
    assert any(name.startswith("libc.so") for name in found)


def test_wsc_gui_prints_one_line_and_exits_1_instead_of_qt_aborting(tmp_path):
    code = ("import sys, ui.shell.startup as s\n"
            "s.installed_libraries = lambda: set(s.XCB_LIBRARIES) - {'libxcb-cursor.so.0'}\n"
            f"sys.exit(s.main(['--db', {str(tmp_path / 'x.db')!r}]))\n")  # what `wsc gui` runs
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=":4242", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          cwd=ROOT)
    if not sys.platform.startswith("linux"):
        return
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "wsc: Qt can't open windows here: missing libxcb-cursor.so.0; "
        "install them with: sudo apt-get install libxcb-cursor0"]
    assert not (tmp_path / "x.db").exists()  # nothing was opened or written


def test_a_new_database_says_what_it_is_doing_while_it_opens(qtbot, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    begun = startup.Startup(url, restore_settings=False, remember_settings=False)
    qtbot.addWidget(begun.window)
    shown: list[str] = []
    page = begun.window.lists["workstreams"]
    try:
        with qtbot.waitSignal(begun.opened, timeout=30000):
            begun.open_database()
            begun.task.progressed.connect(lambda *_a: shown.append(page.empty.text_label.text()))
        assert begun.stages == ["Creating the database", "Adding the demo bank"]
        assert shown[0] == "new.db · Creating the database…"
        assert begun.window.status_message.text() == "Ready"
    finally:
        begun.wait()
        services = begun.services()
        begun.window.close()
        if services is not None:
            services.db.dispose()


def test_an_existing_database_at_head_reports_no_stage(tmp_path, db_url, db):
    from app.config.opening import open_database

    stages: list[str] = []
    open_database(db_url, progress=stages.append).dispose()
    assert stages == []

"""`ui.shell.startup.run(url, screenshot=PATH)` renders the window to a PNG and returns without an event loop."""
from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from ui.shell import startup as gui_main
from ui.shell import screenshots


@pytest.fixture(autouse=True)
def keep_the_app_look(qapp):
    """run() styles the whole application; give the next tests the plain one back."""
    sheet, palette, font, style = qapp.styleSheet(), qapp.palette(), qapp.font(), qapp.style().name()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setStyle(style)


def image(path) -> QImage:
    picture = QImage(str(path))
    assert not picture.isNull()
    return picture


def test_screenshot_writes_a_png_of_the_asked_size(db_url, tmp_path):
    target = tmp_path / "shot.png"
    assert gui_main.run(db_url, screenshot=str(target)) == 0
    assert target.stat().st_size > 10_000
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    picture = image(target)
    assert (picture.width(), picture.height()) == (1280, 800)
    assert QApplication.topLevelWidgets() == [] or all(not w.isVisible() for w in QApplication.topLevelWidgets())


def test_screenshot_of_a_view_and_a_size(db_url, tmp_path):
    target = tmp_path / "queues.png"
    assert gui_main.run(db_url, screenshot=str(target), view="queues", size="900x600") == 0
    picture = image(target)
    assert (picture.width(), picture.height()) == (900, 600)


def test_screenshot_of_an_editor_tab(db_url, tmp_path):
    target = tmp_path / "rules.png"
    assert gui_main.run(db_url, screenshot=str(target), workstream="Chat - Retail banking",
                        tab="routing-rules") == 0
    assert image(target).width() == 1280


def test_screenshot_of_the_agent_panel(db_url, tmp_path):
    target = tmp_path / "panel.png"
    assert gui_main.run(db_url, screenshot=str(target), tab="agent-panel") == 0
    assert image(target).height() == 800


def test_screenshot_with_a_record_dialog(db_url, tmp_path):
    target = tmp_path / "agent.png"
    assert gui_main.run(db_url, screenshot=str(target), dialog="agents:Ana Ruiz") == 0
    assert (image(target).width(), image(target).height()) == (1280, 800)


def test_unknown_work_stream_is_one_line_on_stderr(db_url, tmp_path, capsys, answers):
    target = tmp_path / "none.png"
    assert gui_main.run(db_url, screenshot=str(target), workstream="No such stream") == 1
    assert "unknown work stream 'No such stream'" in capsys.readouterr().err
    assert not target.exists()
    assert answers.asked == []  # no dialog in screenshot mode


def test_a_bad_size_is_refused(db_url, tmp_path, capsys):
    assert gui_main.run(db_url, screenshot=str(tmp_path / "x.png"), size="big") == 1
    assert "--size must look like 1280x800" in capsys.readouterr().err


def test_a_database_that_is_not_ours_is_refused(tmp_path, capsys, answers):
    path = tmp_path / "foreign.db"
    connection = sqlite3.connect(path)
    connection.execute("create table customers (id integer)")
    connection.commit()
    connection.close()
    url = f"sqlite:///{path}"
    assert gui_main.run(url, screenshot=str(tmp_path / "x.png")) == 1
    assert "not created by Workstream Console" in capsys.readouterr().err
    # without --screenshot the same refusal is a message box (and exit code 1)
    assert gui_main.run(url) == 1
    assert answers.asked[-1][:2] == ("error", "Can't open the database")
    assert "not created by Workstream Console" in answers.asked[-1][2]


def test_the_docs_screenshots(tmp_path):
    written = screenshots.render_all(tmp_path, size="1024x700")
    assert [p.name for p in written] == [*screenshots.SHOTS, screenshots.WHATIF_SHOT]
    lab = image(tmp_path / screenshots.WHATIF_SHOT)
    assert (lab.width(), lab.height()) == (1600, 1000)  # the lab's own size, two runs side by side
    for path in written[:-1]:
        picture = image(path)
        own = screenshots.SHOTS[path.name].get("size")  # a shot may ask for its own size (a whole tall form)
        expected = tuple(int(n) for n in own.split("x")) if own else (1024, 700)
        assert (picture.width(), picture.height()) == expected
    # The live panel is pictured at a laptop's 1280×720 whatever the set's size (issue 10).
    assert {name: (image(tmp_path / name).width(), image(tmp_path / name).height())
            for name in ("agent-panel.png", "agent-panel-presentation.png")} == {
        "agent-panel.png": (1280, 720), "agent-panel-presentation.png": (1280, 720)}


def test_screenshots_usage(capsys):
    assert screenshots.main([]) == 2
    assert "usage" in capsys.readouterr().err

"""`wsc gui --screenshot PATH --size WxH --presentation`: the live panel in presentation mode."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from ui.shell.startup import main as wsc_gui  # `wsc gui ...`


@pytest.fixture(autouse=True)
def keep_the_app_look(qapp):
    sheet, palette, font, style = qapp.styleSheet(), qapp.palette(), qapp.font(), qapp.style().name()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setStyle(style)


def test_a_presentation_screenshot_at_the_asked_size(tmp_path, db_url, db):
    target = tmp_path / "presenting.png"
    assert wsc_gui(["--db-url", db_url, "--presentation", "--screenshot", str(target), "--size", "1366x768"]) == 0
    picture = QImage(str(target))
    assert (picture.width(), picture.height()) == (1366, 768)


def test_presentation_is_the_agent_panel_only(tmp_path, db_url, db, capsys):
    code = wsc_gui(["--db-url", db_url, "--presentation", "--workstream", "Chat - Retail banking",
                    "--screenshot", str(tmp_path / "x.png")])
    assert code == 1
    assert capsys.readouterr().err.strip() == "wsc: --presentation shows the live agent panel only"

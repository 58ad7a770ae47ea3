"""The wsc entry point: headless commands plus gui, the default."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from app.common.version import app_version
from ui import launcher


def test_gui_has_help_beside_the_headless_commands(capsys):
    for command in ("gui", "import", "export", "list", "demo", "route", "simulate", "bundle", "cmt"):
        with pytest.raises(SystemExit) as raised:
            launcher.main([command, "--help"])
        assert raised.value.code == 0
    assert "usage: wsc gui" in capsys.readouterr().out


def test_a_bare_wsc_opens_the_gui(monkeypatch, tmp_path):
    opened = []
    from ui.shell import startup

    monkeypatch.setattr(startup, "run", lambda url, **options: opened.append((url, options)) or 0)
    assert launcher.main(["--db", str(tmp_path / "x.db")]) == 0
    assert opened and opened[0][0].endswith("x.db") and opened[0][1]["screenshot"] is None


def test_version_comes_from_the_package_metadata():
    result = subprocess.run([sys.executable, "-m", "ui", "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"wsc {app_version()}" and app_version() != "0.0.0"


def test_headless_commands_never_load_qt():
    code = ("import sys; from ui.launcher import main; "
            "main(['--db', sys.argv[1], 'list', 'queues']); print('PySide6' in sys.modules, file=sys.stderr)")
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([sys.executable, "-c", code, os.path.join(folder, "x.db")],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "False"

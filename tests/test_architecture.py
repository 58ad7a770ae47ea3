"""The domain stays Qt-free: app/ and models/ never import PySide6 or ui."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_modules_do_not_import_qt_or_ui():
    offenders = []
    for package in ("app", "models"):
        for path in (ROOT / package).rglob("*.py"):
            bad = _imports(path) & {"PySide6", "PyQt5", "PyQt6", "shiboken6", "ui"}
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_the_scanner_would_notice_a_qt_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from PySide6.QtCore import QTimer\n")
    assert "PySide6" in _imports(bad)


def test_importing_the_domain_does_not_load_qt():
    code = ("import sys, app.cli, app.services.core, app.config.io, app.routing.conditions, app.config.document, models; "
            "import importlib; [importlib.import_module(m) for m in ('app.routing.router','app.simulation.engine') "
            "if importlib.util.find_spec(m)]; print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ui_never_opens_database_sessions_itself():
    offenders = []
    for path in (ROOT / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names = _imports(path)
        if "sqlalchemy" in names or ".sessions(" in text or ".session()" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []

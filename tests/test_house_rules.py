"""House rules, checked the way qutebrowser's scripts/dev/misc_checks.py checks its own.

Each rule is one small function over the tracked files, so a broken rule names the file.
"""
from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("app", "ui", "models")
PROJECT_ROOTS = ("app", "ui", "models", "migrations", "resources", "benchmarks", "tests")
# The one module allowed to load project modules by name: it defers SQLAlchemy until a model is used.
IMPORTLIB_ALLOWED = {"models/__init__.py"}


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def product_modules() -> list[Path]:
    return [path for path in tracked_files()
            if path.suffix == ".py" and path.relative_to(ROOT).parts[0] in PRODUCT_PACKAGES]


def python_files() -> list[Path]:
    return [path for path in tracked_files() if path.suffix == ".py"]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_merge_leftovers():
    assert [relative(p) for p in tracked_files() if p.suffix in (".orig", ".rej")] == []


def test_no_product_module_is_named_like_a_test():
    assert [relative(p) for p in product_modules() if p.name.startswith("test_")] == []


def test_message_boxes_only_in_the_messages_module():
    offenders = [relative(p) for p in product_modules()
                 if "QMessageBox" in p.read_text(encoding="utf-8") and relative(p) != "ui/common/messages.py"]
    assert offenders == []


def private_imports(path: Path) -> list[str]:
    """``from project.module import _name``: reaching into another module's insides."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in PROJECT_ROOTS:
                found += [f"{relative(path)}:{node.lineno} {node.module}.{alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_no_module_imports_another_modules_private_names():
    offenders = [line for path in python_files() for line in private_imports(path)]
    assert offenders == []


def importlib_of_project_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            argument = node.args[0] if node.args else None
            literal = argument.value if isinstance(argument, ast.Constant) else None
            if literal is None or str(literal).split(".")[0] in PROJECT_ROOTS:
                found.append(f"{relative(path)}:{node.lineno}")
    return found


def test_no_importlib_of_project_modules():
    offenders = [line for path in product_modules() if relative(path) not in IMPORTLIB_ALLOWED
                 for line in importlib_of_project_modules(path)]
    assert offenders == []


# Qt's spin boxes and date fields, made directly: their text would sit at the border (ui/common/spin_boxes.py).
BARE_SPIN_BOXES = ("QSpinBox", "QDoubleSpinBox", "QDateEdit", "QDateTimeEdit", "QTimeEdit")


def bare_spin_boxes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in BARE_SPIN_BOXES:
            found.append(f"{relative(path)}:{node.lineno}")
    return found


def test_spin_boxes_come_from_the_spin_boxes_module():
    offenders = [line for path in product_modules() if relative(path) != "ui/common/spin_boxes.py"
                 for line in bare_spin_boxes(path)]
    assert offenders == []


def test_the_rules_would_notice(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import importlib\nfrom app.config.io import _Writer\nimportlib.import_module('ui.shell')\n"
                   "box = QtWidgets.QSpinBox()\n")
    bad_relative = ROOT / "tests" / "_house_rule_probe.py"
    try:
        bad_relative.write_text(bad.read_text())
        assert private_imports(bad_relative) and importlib_of_project_modules(bad_relative)
        assert bare_spin_boxes(bad_relative)
    finally:
        bad_relative.unlink()

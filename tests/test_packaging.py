"""The wheel `make dist` builds installs into a fresh environment and runs there.

The fresh environment borrows the dependencies (PySide6, SQLAlchemy, ...) of the one
running the tests through a path entry, so the test needs no network; the console itself
comes only from the wheel: neither this checkout nor its editable install is on the path.
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from app.common.version import app_version

ROOT = Path(__file__).resolve().parents[1]
# The children see neither a PYTHONPATH pointing at this checkout (how one runs a worktree's tests).
CLEAN_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtual environment with only the built wheel installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(work / "dist"),
                    str(ROOT)], check=True, capture_output=True, cwd=work)
    wheel = next((work / "dist").glob("workstream_console-*.whl"))
    target = work / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    bin_folder = target / ("Scripts" if sys.platform == "win32" else "bin")
    new_site = subprocess.run([str(bin_folder / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    # A plain path line: the outer site-packages' own .pth files (the editable install) are not run.
    Path(new_site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # --ignore-installed: through the borrowed path pip sees the editable install of the same version
    # (make test's) and would otherwise skip the wheel, leaving no wsc script in the new environment.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_folder / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", "--ignore-installed", str(wheel)], check=True, capture_output=True,
                   env=CLEAN_ENV)
    return bin_folder, Path(new_site)


def run(installed, *args, cwd):
    bin_folder, _ = installed
    return subprocess.run([str(bin_folder / "wsc"), *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env=CLEAN_ENV)


def test_the_installed_wsc_reports_its_version(installed, tmp_path):
    result = run(installed, "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wsc {app_version()}"


def test_the_installed_wsc_lists_the_demo_work_streams(installed, tmp_path):
    result = run(installed, "--db", str(tmp_path / "fresh.db"), "list", "workstreams", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Chat - Retail banking" in result.stdout


def test_the_console_runs_from_the_wheel_not_the_checkout(installed, tmp_path):
    bin_folder, site = installed
    where = subprocess.run([str(bin_folder / "python"), "-c", "import app, ui, migrations; print(app.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, env=CLEAN_ENV).stdout.strip()
    assert Path(where).is_relative_to(site)

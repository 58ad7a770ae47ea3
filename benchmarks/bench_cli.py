"""`wsc list workstreams` on the demo database against `python -c "import sqlalchemy.orm"`.

A headless command cannot start faster than the library it queries with, so the floor is
a fresh interpreter importing SQLAlchemy's ORM, timed in the same run, alternating with the
command (so that drift on a shared machine hits both alike).  Goal: at most 1.3× the floor.

Both children keep the bytecode cache the untimed warm-up runs write, as on a user's machine
(pip compiles site-packages at install; the app's own modules need one start).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPEATS = 10
GOAL_RATIO = 1.3
ROOT = Path(__file__).resolve().parent.parent

Report = Callable[[str], None]


def _child_env(folder: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see the module's note
    env["WSC_LOG_DIR"] = folder  # never the user's log folder
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    return env


def time_command(args: list[str], env: dict[str, str]) -> float:
    """Seconds from launching ``python *args`` until it has exited (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=env, cwd=str(ROOT), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return elapsed


def bench_cli(report: Report = print, repeats: int = REPEATS) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="wsc-bench-cli-") as folder:
        env = _child_env(folder)
        floor_args = ["-c", "import sqlalchemy.orm"]
        command_args = ["-m", "ui.launcher", "--db", str(Path(folder) / "demo.db"), "list", "workstreams"]
        time_command(command_args, env)  # creates and seeds the demo database; not timed
        time_command(floor_args, env)  # warm the caches for both, not timed
        time_command(command_args, env)
        floor, command = [], []
        for _ in range(repeats):
            floor.append(time_command(floor_args, env))
            command.append(time_command(command_args, env))
    floor_s, command_s = statistics.median(floor), statistics.median(command)
    ratio = command_s / floor_s
    report(f"headless command, median of {repeats} fresh processes each (demo database)")
    report(f"  {'':<44} {'ms':>8} {'vs floor':>9}")
    floor_label = 'python -c "import sqlalchemy.orm" (floor)'
    report(f"  {floor_label:<44} {floor_s * 1000:>8.0f} {1.0:>8.2f}x")
    report(f"  {'wsc list workstreams':<44} {command_s * 1000:>8.0f} {ratio:>8.2f}x"
           f"   goal <= {GOAL_RATIO}x: {'met' if ratio <= GOAL_RATIO else 'NOT met'}")
    report(f"  spread: floor {min(floor) * 1000:.0f}–{max(floor) * 1000:.0f} ms, "
           f"command {min(command) * 1000:.0f}–{max(command) * 1000:.0f} ms")
    return {"command_s": command_s, "floor_s": floor_s, "ratio": ratio, "goal": GOAL_RATIO}


def run(report: Report = print, repeats: int = REPEATS) -> dict:
    results = bench_cli(report, repeats)
    try:
        from benchmarks import report as bench_report
    except ImportError:  # pragma: no cover
        return results
    bench_report.record("cli", [
        bench_report.Row("wsc list workstreams (demo db)", results["command_s"], "s",
                         'python -c "import sqlalchemy.orm"', results["floor_s"], f"<= {GOAL_RATIO}x",
                         results["ratio"] <= GOAL_RATIO),
    ])
    return results


def main() -> int:
    run(print)
    return 0


if __name__ == "__main__":
    sys.exit(main())

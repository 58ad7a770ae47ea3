"""`make bench`: run every benchmark module in turn.

Each module has ``main() -> int`` and prints its own table; absolute times on a
shared machine drift, so every figure comes with a ratio against a floor
measured in the same run.  At the end ``benchmarks.report`` gathers the figures
into one table, prints it and writes it into README.md (between the
``<!-- bench:start -->`` / ``<!-- bench:end -->`` markers); ``--no-readme``
leaves README.md alone.
"""
from __future__ import annotations

import importlib
import io
import platform
import sys
import time
import traceback
from datetime import datetime, timezone

MODULES = ("benchmarks.bench_routing", "benchmarks.bench_panel")
MODULES += ("benchmarks.bench_data", "benchmarks.bench_startup")
MODULES += ("benchmarks.bench_cli",)
MODULES += ("benchmarks.bench_whatif",)
MODULES += ("benchmarks.bench_doctor",)
MODULES += ("benchmarks.bench_distribution",)


class _Tee(io.TextIOBase):
    """Writes through to the real stdout and keeps a copy (for modules that only print)."""

    def __init__(self, target):
        self.target, self.copy = target, io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.target.write(text)

    def flush(self) -> None:
        self.target.flush()


def main(argv: list[str] | None = None) -> int:
    from benchmarks import report

    argv = sys.argv[1:] if argv is None else argv
    print(f"Workstream Console benchmarks — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.machine()}, Python {platform.python_version()}, {platform.system()}")
    status = 0
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        short = name.split(".")[-1]
        print(f"\n== {short} ==")
        started = time.perf_counter()
        tee, stdout = _Tee(sys.stdout), sys.stdout
        sys.stdout = tee
        try:
            result = module.main() or 0
        except Exception:  # one broken benchmark must not lose the others' figures
            traceback.print_exc()
            result = 1
        finally:
            sys.stdout = stdout
        status |= result
        key = short.removeprefix("bench_")
        if not report.recorded(key):
            report.record(key, report.from_output(key, tee.copy.getvalue(), result))
        print(f"({time.perf_counter() - started:.1f} s)")
    table = report.render()
    print("\n== summary ==\n" + table, end="")
    report.save()
    if "--no-readme" not in argv:
        report.write_readme(table)
        print(f"(written into {report.README})")
    return status


if __name__ == "__main__":
    sys.exit(main())

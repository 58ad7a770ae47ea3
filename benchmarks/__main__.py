"""`make bench`: run every benchmark module in turn.

Each module has ``main() -> int`` and prints its own table; absolute times on a
shared machine drift, so every figure comes with a ratio against a floor
measured in the same run.
"""
from __future__ import annotations

import importlib
import platform
import sys
import time
from datetime import datetime, timezone

MODULES = ("benchmarks.bench_routing", "benchmarks.bench_panel")


def main() -> int:
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
        print(f"\n== {name.split('.')[-1]} ==")
        started = time.perf_counter()
        status |= module.main() or 0
        print(f"({time.perf_counter() - started:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())

"""The benchmarks' figures as one Markdown table, written into README.md.

Benchmark modules call ``record(benchmark, rows)`` with their figures; for the
modules that print only (bench_routing, bench_panel), ``from_output`` reads the
figures out of what they printed.  ``python -m benchmarks`` (``make bench``) runs
everything, then ``render()`` gives the table and ``write_readme()`` puts it
between the ``<!-- bench:start -->`` and ``<!-- bench:end -->`` markers of
README.md (only that region; the markers are added under a "## Benchmarks"
heading at the end when missing).  The last run's figures are also kept in
``RESULTS_FILE``, so ``python -m benchmarks.report --write-readme`` can redo the
README from them without running anything.

Every row: figure, its baseline measured in the same run, the ratio, the goal
and whether it is met.  The README table is never typed in by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
HEADING = "## Benchmarks"
README = Path(__file__).resolve().parent.parent / "README.md"
RESULTS_FILE = Path(tempfile.gettempdir()) / "workstream-console-bench.json"


@dataclass
class Row:
    figure: str
    value: float
    unit: str  # "s", "ms", "MB", "/s", ...
    baseline: str  # what the floor is
    baseline_value: float | None
    goal: str = "—"
    met: bool | None = None
    ratio: float | None = None  # value / baseline_value unless given
    benchmark: str = ""

    def __post_init__(self) -> None:
        if self.ratio is None and self.baseline_value:
            self.ratio = self.value / self.baseline_value


_rows: list[Row] = []


def record(benchmark: str, rows: list[Row]) -> None:
    """Add a benchmark's figures (replacing what it recorded before in this process)."""
    global _rows
    _rows = [row for row in _rows if row.benchmark != benchmark]
    for row in rows:
        row.benchmark = benchmark
        _rows.append(row)


def recorded(benchmark: str | None = None) -> list[Row]:
    return [row for row in _rows if benchmark is None or row.benchmark == benchmark]


def clear() -> None:
    _rows.clear()


# --------------------------------------------------------------------------- modules that only print

_NUMBER = r"([\d,]+(?:\.\d+)?)"
ROUTING_GOAL = 0.5  # compiled routes/s at least half the hand-written function's


def from_output(benchmark: str, text: str, status: int) -> list[Row]:
    """Figures read from a module's printed table, for modules that do not ``record``."""
    rows: list[Row] = []
    if benchmark == "routing":
        base = re.search(r"hand-written if-statements \(baseline\)\s+" + _NUMBER, text)
        compiled = re.search(r"CompiledRouter\.route_queue\s+" + _NUMBER + r"\s+" + _NUMBER + "x", text)
        if base and compiled:
            ratio = _num(compiled.group(1)) / _num(base.group(1))
            rows.append(Row("Routing, 200 rules: CompiledRouter.route_queue", _num(compiled.group(1)), "routes/s",
                            "hand-written if-statements", _num(base.group(1)), f">= {ROUTING_GOAL}x",
                            ratio >= ROUTING_GOAL))
        events = re.search(r"events/s\s+" + _NUMBER, text)
        if events:
            rows.append(Row("Simulator, 200 agents / 2,000 conversations", _num(events.group(1)), "events/s",
                            "—", None, "—", None))
    elif benchmark == "panel":
        idle = re.search(r"idle event loop \(baseline\).*?" + _NUMBER + r"ms", text)
        for match in re.finditer(r"^(\d[\d,]* agents[^\n]*?)\s{2,}.*?" + _NUMBER + r"ms\s+" + _NUMBER + r"ms\s+"
                                 + _NUMBER + r"×\s*$", text, re.MULTILINE):
            label, stall = match.group(1).strip(), _num(match.group(2))
            rows.append(Row(f"Live agent panel at 60x, {label}: longest stall", stall, "ms", "idle event loop",
                            _num(idle.group(1)) if idle else None, "stall <= 50 ms", stall <= 50.0))
    if not rows:
        rows.append(Row(f"{benchmark}: see its printed output", float(status), "exit status", "—", None, "exit 0",
                        status == 0))
    for row in rows:
        row.benchmark = benchmark
    return rows


def _num(text: str) -> float:
    return float(text.replace(",", ""))


# --------------------------------------------------------------------------- the table

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * size / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    import sqlite3

    try:
        from PySide6 import __version__ as pyside
    except ImportError:  # pragma: no cover
        pyside = "?"
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, PySide6 {pyside}, SQLite {sqlite3.sqlite_version}")


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    if unit in ("ms", "MB"):
        return f"{value:,.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.3g} {unit}"


def render(rows: list[Row] | None = None, *, when: datetime | None = None, where: str | None = None) -> str:
    rows = recorded() if rows is None else rows
    when = when or datetime.now(timezone.utc)
    lines = [
        f"Measured by `make bench` on {when:%Y-%m-%d %H:%M} UTC — {where or machine()}.",
        "Each figure has a baseline measured in the same run; the ratio is figure ÷ baseline.",
        "",
        "| benchmark | figure | value | baseline | baseline value | ratio | goal | met? |",
        "| --- | --- | ---: | --- | ---: | ---: | --- | :---: |",
    ]
    for row in rows:
        met = "—" if row.met is None else ("yes" if row.met else "**no**")
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
        lines.append(f"| {row.benchmark} | {row.figure} | {_value(row.value, row.unit)} | {row.baseline} | "
                     f"{_value(row.baseline_value, row.unit)} | {ratio} | {row.goal} | {met} |")
    return "\n".join(lines) + "\n"


def write_readme(table: str, readme: Path = README) -> None:
    """Replace the region between the markers (adding heading and markers at the end if absent)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    block = f"{START}\n{table.rstrip()}\n{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        before, rest = text.split(START, 1)
        _old, after = rest.split(END, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + ("\n\n" if text.strip() else "") + f"{HEADING}\n\n{block}\n"
    temp = readme.with_name(readme.name + ".part")
    temp.write_text(text, encoding="utf-8")
    temp.replace(readme)


def save(path: Path = RESULTS_FILE, rows: list[Row] | None = None) -> None:
    data = {"when": datetime.now(timezone.utc).isoformat(), "machine": machine(),
            "rows": [asdict(row) for row in (recorded() if rows is None else rows)]}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def load(path: Path = RESULTS_FILE) -> tuple[list[Row], datetime, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Row(**row) for row in data["rows"]], datetime.fromisoformat(data["when"]), data["machine"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report",
                                     description="Print the last benchmark run's table; optionally write it into README.md.")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE, help="figures of a run (default: the last one)")
    parser.add_argument("--write-readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    if recorded():
        rows, when, where = recorded(), None, None
    else:
        try:
            rows, when, where = load(args.results)
        except (OSError, ValueError, KeyError) as error:
            print(f"no benchmark figures to report ({args.results}: {error}); run `make bench` first", file=sys.stderr)
            return 1
    table = render(rows, when=when, where=where)
    print(table, end="")
    if args.write_readme:
        write_readme(table, args.readme)
        print(f"wrote the table into {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`wsc whatif MODEL.json`: play a workload model through the simulator and print its figures."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from app.common.errors import UserError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "whatif",
        help="run a workload model through the work-distribution simulator (waiting times, service level ...)",
        description="Play a workload model (arrivals, handle times, patience, agents' answers) on a virtual "
                    "clock against the configuration (the database, or --config FILE.json) and print service "
                    "level, speed of answer, abandonment, occupancy ... per work stream, queue and agent. "
                    "The same model and seed always print the same figures.",
    )
    parser.add_argument("model", metavar="MODEL.json", help="the workload model ('-' for stdin)")
    parser.add_argument("--config", metavar="FILE.json", help="a configuration document instead of the database")
    parser.add_argument("--compare", metavar="OTHER.json",
                        help="also run a second configuration with the same random numbers; print a, b and delta")
    parser.add_argument("--replications", metavar="N", type=_positive_int,
                        help="independent runs (mean and 95%% confidence interval of each figure)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--report", metavar="OUT.html", help="write an HTML report with charts")
    parser.add_argument("--series", metavar="OUT.csv", help="write the interval series as CSV")
    parser.add_argument("--solve-agents", metavar="QUEUE",
                        help="find the fewest agents for QUEUE reaching --target-sl (copies of its members)")
    parser.add_argument("--target-sl", metavar="SL", type=_fraction, default=None,
                        help="the service level to reach with --solve-agents (0-1, e.g. 0.8)")
    parser.set_defaults(handler=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("must be from 1 to 1000")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("must be above 0 and at most 1")
    return value


def read_json(path: str, stdin) -> Any:
    from app.common.files import read_text_limited
    from app.common.jsonio import loads_strict

    return loads_strict(read_text_limited(path, stdin=stdin), source=path)


def _configuration(path: str, stdin) -> dict:
    from app.simulation.engine import normalize_config

    data = read_json(path, stdin)
    try:
        return normalize_config(data)
    except UserError as error:
        raise UserError(f"{path}: {error}") from None


class StderrProgress:
    """``progress(step, done, total)`` as one rewritten line on a terminal (nothing otherwise)."""

    def __init__(self, stream):
        self.stream = stream
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.last = 0.0
        self.shown = False

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        percent = 100 * done // total if total else 100
        self.stream.write(f"\rwsc whatif: {step}: {percent}%\033[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def run(args: argparse.Namespace, ctx) -> int:
    from app.simulation import report
    from app.simulation.whatif import compare, prepare, run_model, solve_agents

    if args.solve_agents and args.target_sl is None:
        raise UserError("--solve-agents needs --target-sl (e.g. --target-sl 0.8)")
    if args.target_sl is not None and not args.solve_agents:
        raise UserError("--target-sl goes with --solve-agents QUEUE")
    if args.solve_agents and args.compare:
        raise UserError("--solve-agents and --compare cannot be combined")
    raw_model = read_json(args.model, ctx.stdin)
    if args.config:
        config_doc = _configuration(args.config, ctx.stdin)
    else:
        from app.config.io import export_document

        config_doc = export_document(ctx.database())
    try:
        config, workload = prepare(config_doc, raw_model)
    except UserError as error:
        raise UserError(f"{args.model}: {error}") from None
    progress = StderrProgress(ctx.stderr)
    try:
        if args.solve_agents:
            staffing = solve_agents(config, workload, args.solve_agents, args.target_sl, args.replications,
                                    progress)
            progress.clear()
            output = {"queue": staffing.queue, "agents": staffing.agents, "erlang_c_estimate": staffing.estimate,
                      "target_sl": args.target_sl,
                      "tried": [{"agents": n, "service_level": sl} for n, sl in staffing.tried],
                      "figures": staffing.figures}
            _print(ctx, args, output, lambda: _staffing_text(staffing, args.target_sl))
            return 0
        if args.compare:
            other = _configuration(args.compare, ctx.stdin)
            try:
                _, workload_b = prepare(other, workload.model)
            except UserError as error:
                raise UserError(f"{args.model} (with {args.compare}): {error}") from None
            result, run_a, run_b = compare(config, other, workload, workload_b, args.replications, progress)
            progress.clear()
            _print(ctx, args, result, lambda: _compare_text(result))
            # the charts and series are those of the first replication of each
            _write_outputs(args, [("A", result["a"], run_a.series), ("B", result["b"], run_b.series)],
                           [("A", run_a.series), ("B", run_b.series)], result["delta"], report)
            return 0
        result = run_model(config, workload, args.replications, progress)
        progress.clear()
        figures = result.figures
        _print(ctx, args, figures, lambda: _figures_text(figures))
        _write_outputs(args, [("Run", figures, result.series)], [("Run", result.series)], None, report)
        return 0
    finally:
        progress.clear()


def _write_outputs(args, runs, series, delta, report) -> None:
    from app.common.files import write_atomically

    if args.report:
        title = f"What-if: {Path(args.model).name}"
        write_atomically(args.report, report.html_report(title, runs, delta).encode("utf-8"))
    if args.series:
        write_atomically(args.series, report.series_csv(series).encode("utf-8"))


def _print(ctx, args, data: dict, text) -> None:
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False), file=ctx.stdout)
    else:
        print(text(), file=ctx.stdout, end="")


# --------------------------------------------------------------------------- text output

TEXT_FIGURES = ("arrived", "answered", "abandoned", "waiting_at_end", "service_level", "asa_s", "wait_p90_s",
                "abandon_rate", "aht_s")


def _rows_text(title: str, rows: dict, names: tuple[str, ...]) -> str:
    from app.simulation.report import format_value

    if not rows:
        return ""
    lines = [title]
    width = max(len(key) for key in rows)
    for key, row in rows.items():
        cells = "  ".join(f"{name}={format_value(name, row.get(name))}" for name in names if name in row)
        lines.append(f"  {key:<{width}}  {cells}")
    return "\n".join(lines) + "\n"


def _figures_text(figures: dict) -> str:
    text = _rows_text("Totals", {"all": figures["totals"]}, TEXT_FIGURES + ("occupancy",))
    text += _rows_text("Work streams", figures["workstreams"], TEXT_FIGURES)
    text += _rows_text("Queues", figures["queues"], TEXT_FIGURES)
    text += _rows_text("Agents", figures["agents"], ("answered", "aht_s", "offers", "occupancy", "capacity_used"))
    text += _rows_text("Skills", figures.get("skills", {}), ("arrived", "answered", "abandoned", "asa_s",
                                                            "service_level"))
    text += _rows_text("Overflow", figures.get("overflow", {}), ("transfer", "end", "assign_anyway"))
    return text


def _compare_text(result: dict) -> str:
    return ("== A ==\n" + _figures_text(result["a"]) + "== B ==\n" + _figures_text(result["b"])
            + "== B − A ==\n" + _figures_text(result["delta"]))


def _staffing_text(staffing, target: float) -> str:
    from app.simulation.report import format_value

    tried = ", ".join(f"{n}: {format_value('service_level', sl)}" for n, sl in staffing.tried)
    return (f"Queue '{staffing.queue}' reaches a service level of {target:g} with {staffing.agents} agents "
            f"(Erlang C estimate {staffing.estimate}; tried {tried})\n"
            + _rows_text("Queue", {staffing.queue: staffing.figures["queues"][staffing.queue]}, TEXT_FIGURES))


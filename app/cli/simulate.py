"""`wsc simulate SCENARIO.json`: play a scenario, print one JSON event per line."""
from __future__ import annotations

import argparse
import json

from app.cli.route import seed_number
from app.common.errors import UserError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="run a work-distribution scenario and print its events as JSON lines",
        description="Play a scenario (conversations, accepts, declines, presence changes ...) against the "
                    "current configuration on a virtual clock. The same scenario always prints the same lines.",
    )
    parser.add_argument("scenario", metavar="SCENARIO.json", help="the scenario file ('-' for stdin)")
    parser.add_argument("--seed", type=seed_number, default=0, metavar="N",
                        help="seed of the percentage draws of split routing rules (default 0; "
                             "the same seed, the same queues)")
    parser.set_defaults(handler=run)


def read_scenario(path: str, stdin) -> object:
    from app.common.jsonio import loads_strict

    from app.common.files import read_limited

    try:
        text = read_limited(path, stdin=stdin, what="scenario").decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise UserError(f"{path}: {error.strerror or error}") from None
    return loads_strict(text, source=path)


def event_line(event: dict) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"))


def run(args: argparse.Namespace, ctx) -> int:
    from app.config.io import export_document
    from app.simulation.engine import run_scenario

    scenario = read_scenario(args.scenario, ctx.stdin)
    doc = export_document(ctx.database())
    try:
        events = run_scenario(doc, scenario, seed=args.seed)
    except UserError as error:
        raise UserError(f"{args.scenario}: {error}") from None
    for event in events:
        print(event_line(event), file=ctx.stdout)
    return 0

"""`wsc route WORKSTREAM key=value ... [--json]`: where would this conversation go?"""
from __future__ import annotations

import argparse
import json
from typing import Any, Mapping

from app.common.errors import UserError
from app.common.names import name_key


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "route",
        help="show which queue a conversation with these context values is routed to",
        description="Evaluate a work stream's routing rules for one conversation, top to bottom.",
    )
    parser.add_argument("workstream", metavar="WORKSTREAM", help="the work stream's name")
    parser.add_argument("context", metavar="NAME=VALUE", nargs="*", help="context variable values")
    parser.add_argument("--json", action="store_true",
                        help="print {workstream, queue, rule, fallback, targets, draw, seed, classification, trace} "
                             "as JSON")
    parser.add_argument("--seed", type=seed_number, metavar="N",
                        help="seed of the percentage draw when a split rule matches (the same seed, the same queue; "
                             "the simulator's first draw with --seed N is this one). Default: a fresh seed, printed")
    parser.set_defaults(handler=run)


MAX_SEED = 2**63 - 1


def seed_number(text: str) -> int:
    """A whole number 0..2**63-1 (argparse turns the ValueError into one usage line)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and {MAX_SEED}")
    return value


def parse_assignments(items: list[str]) -> dict[str, str]:
    """NAME=VALUE pairs (the value may itself contain '=').  Linear in the number of
    pairs: each name is folded once and looked up in a set."""
    values: dict[str, str] = {}
    seen: set[str] = set()
    for item in items:
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise UserError(f"malformed context value '{item}': expected NAME=VALUE")
        key = name_key(name)
        if key in seen:
            raise UserError(f"context variable '{name}' given twice")
        seen.add(key)
        values[name] = value
    return values


def find_workstream(doc: Mapping[str, Any], name: str) -> dict:
    wanted = name_key(name)
    for ws in doc["workstreams"]:
        if name_key(ws["name"]) == wanted:
            return ws
    known = ", ".join(f"'{ws['name']}'" for ws in doc["workstreams"]) or "none"
    raise UserError(f"unknown work stream '{name}' (known: {known})")


def describe(result_json: Mapping[str, Any]) -> list[str]:
    queue = result_json["queue"]
    lines: list[str]
    if queue is None:
        lines = ["queue: none (no rule matched and the work stream has no default queue)"]
    else:
        rule = result_json["rule"] if result_json["rule"] is not None else "default queue (no rule matched)"
        lines = [f"queue: {queue}", f"rule: {rule}"]
    targets = result_json.get("targets") or []
    if targets:
        shares = ", ".join(f"{target['queue']} {target['percent']}%" for target in targets)
        lines.append(f"split: {shares}; draw {result_json['draw']:.2f} (seed {result_json['seed']})")
    classification = result_json.get("classification")
    if classification is not None:
        skills = ", ".join(f"{name} ≥ {rating}" for name, rating in classification["skills"].items())
        lines.append(f"skills: {skills} (classification rule: {classification['rule']})" if skills
                     else "skills: none (no classification rule matched)")
    return lines


def run(args: argparse.Namespace, ctx) -> int:
    import random

    from app.config.io import export_document
    from app.routing.router import classify, coerce_context, compile_workstream, percentage_draw

    raw = parse_assignments(args.context)
    doc = export_document(ctx.database())
    ws = find_workstream(doc, args.workstream)
    context = coerce_context(ws, raw)
    router = compile_workstream(ws)
    result = router.route(context)
    seed = None
    if result.targets:  # a split matched: draw as the simulator's first draw with this seed does
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
        result = router.route(context, draw=percentage_draw(random.Random(seed)))
    output = result.to_json()
    trace = output.pop("trace")  # last: the long part
    output["seed"] = seed
    output["classification"] = classify(ws, context).to_json() if ws.get("classification_rules") else None
    output["trace"] = trace
    if args.json:
        print(json.dumps(output, indent=2, ensure_ascii=False), file=ctx.stdout)
    else:
        for line in describe(output):
            print(line, file=ctx.stdout)
    return 0

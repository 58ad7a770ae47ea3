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
                        help="print {workstream, queue, rule, fallback, trace} as JSON")
    parser.set_defaults(handler=run)


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
    if queue is None and result_json["rule"] is not None:
        return ["queue: a percentage split between queues (the per-conversation draw is not routed yet)",
                f"rule: {result_json['rule']}"]
    if queue is None:
        return ["queue: none (no rule matched and the work stream has no default queue)"]
    rule = result_json["rule"] if result_json["rule"] is not None else "default queue (no rule matched)"
    return [f"queue: {queue}", f"rule: {rule}"]


def run(args: argparse.Namespace, ctx) -> int:
    from app.config.io import export_document
    from app.routing.router import coerce_context, compile_workstream

    raw = parse_assignments(args.context)
    doc = export_document(ctx.database())
    ws = find_workstream(doc, args.workstream)
    context = coerce_context(ws, raw)
    result = compile_workstream(ws).route(context).to_json()
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False), file=ctx.stdout)
    else:
        for line in describe(result):
            print(line, file=ctx.stdout)
    return 0

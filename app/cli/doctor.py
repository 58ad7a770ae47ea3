"""`wsc doctor [--json] [--workstream NAME] [--fail-on error|warning|info] [--config FILE.json]`.

Exit status for pipelines: 0 when no finding is at or above ``--fail-on``
(default: error), 1 when one is.
"""
from __future__ import annotations

import argparse
import json

from app.common.errors import DocumentInvalid, UserError

EXIT_CLEAN = 0
EXIT_FINDINGS = 1


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="find routing rules that never fire and distribution settings that cannot work",
        description="Check the configuration (the database, or a document with --config) and list findings, "
                    "worst first. Exit status 1 when a finding is at or above --fail-on.",
    )
    parser.add_argument("--json", action="store_true",
                        help='print [{"code", "severity", "message", "paths", "witness"}, ...]')
    parser.add_argument("--workstream", metavar="NAME", help="only this work stream's findings")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), default="error",
                        help="the lowest severity that makes the exit status 1 (default: error)")
    parser.add_argument("--config", metavar="FILE.json", help="check this configuration document instead")
    parser.add_argument("--jobs", type=int, metavar="N", default=None,
                        help="processes for the rule analysis of a large configuration (default: one per core; "
                             "1: this process only)")
    parser.set_defaults(handler=run)


def load_document(args: argparse.Namespace, ctx) -> dict:
    if args.config is None:
        from app.config.io import export_document

        # one stream: read only it and what it references (fast on a 10,000-stream database)
        names = None if args.workstream is None else [args.workstream]
        return export_document(ctx.database(), workstreams=names)
    from app.cli.core import read_json_file
    from app.config.document import dump, parse_document

    data = read_json_file(args.config, ctx.stdin)
    try:
        return dump(parse_document(data))
    except DocumentInvalid as error:
        raise UserError(f"{args.config}: {error}") from None


def run(args: argparse.Namespace, ctx) -> int:
    from app.doctor import at_or_above, diagnose

    doc = load_document(args, ctx)
    if args.workstream is not None and not any(
            ws["name"].casefold() == args.workstream.casefold() for ws in doc.get("workstreams", [])):
        raise UserError(f"unknown work stream '{args.workstream}'")
    from app.doctor.parallel import usable_workers

    if args.jobs is not None and args.jobs < 1:
        raise UserError("--jobs must be 1 or more")
    findings = diagnose(doc, args.workstream, workers=usable_workers(args.jobs))
    if args.json:
        print(json.dumps([f.to_json() for f in findings], indent=2, ensure_ascii=False), file=ctx.stdout)
    else:
        for finding in findings:
            print(f"{finding.severity:<7}  {finding.code:<28}  {finding.message}", file=ctx.stdout)
            if finding.witness is not None:
                shown = " ".join(f"{name}={json.dumps(value, ensure_ascii=False)}"
                                 for name, value in finding.witness.items())
                print(f"{'':<39}try: {shown or '(no context values)'}", file=ctx.stdout)
        counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
        print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: "
              + ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()), file=ctx.stdout)
    failing = any(at_or_above(f.severity, args.fail_on) for f in findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN

"""`wsc cmt export|import|inspect`: Dynamics Configuration Migration packages.

``inspect`` and ``import`` take a CMT package (zip) or an unpacked solution folder.
``inspect`` reads without touching the database and prints what the source holds and
what the console leaves out (``ignored``) or maps (``notes``); ``--document OUT.json``
writes the configuration document it would import.  ``import`` upserts what the source
carries and changes nothing else; a source that is refused is refused before the
database is opened.  ``export`` lists the durations it had to round up to whole minutes.
"""
from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from app.common.files import write_atomically

if TYPE_CHECKING:  # imported by the handlers: `wsc gui` must not pay for the CMT reader
    from app.interchange.cmt import CmtImport


def add_parser(subparsers) -> None:
    cmt = subparsers.add_parser("cmt", help="Dynamics 365 Configuration Migration tool packages: export, import, inspect")
    commands = cmt.add_subparsers(dest="cmt_command", metavar="SUBCOMMAND", required=True)
    export = commands.add_parser("export", help="write the configuration as a CMT data package (zip)")
    export.add_argument("file", metavar="OUT.zip")
    export.set_defaults(handler=run_export)
    imp = commands.add_parser("import", help="map a CMT package and merge it in one transaction")
    imp.add_argument("file", metavar="PACKAGE.zip|FOLDER")
    imp.add_argument("--dry-run", action="store_true", help="stop at the plan; write nothing")
    imp.set_defaults(handler=run_import)
    add_cmt_subcommands(commands)


def run_export(args: argparse.Namespace, ctx) -> int:
    from app.interchange.cmt_service import export_cmt

    result = export_cmt(ctx.database(), args.file)
    print(f"wrote {args.file}: {result.workstreams} work streams, {result.queues} queues", file=ctx.stdout)
    for line in result.rounded:
        print(f"rounded: {line}", file=ctx.stdout)
    for line in result.not_carried:
        print(f"not carried: {line}", file=ctx.stdout)
    return 0


def run_import(args: argparse.Namespace, ctx) -> int:
    from app.interchange.cmt_service import import_cmt, read_cmt_source

    imported = read_cmt_source(args.file)  # before the database is opened: a refused file touches nothing
    plan, remarks = import_cmt(ctx.database(), imported, dry_run=args.dry_run, name=args.file)
    for line in remarks:
        print(f"note: {line}", file=ctx.stdout)
    if not plan.diff.is_empty:
        ctx.stdout.write(plan.diff.render_text())
    counts = plan.counts()
    verb = "imported" if plan.applied else "would import"
    print(f"{verb}: {counts['created']} created, {counts['updated']} updated, {counts['deleted']} deleted",
          file=ctx.stdout)
    return 0


def add_cmt_subcommands(commands) -> None:
    inspect = commands.add_parser("inspect", help="read a CMT package and report what would be imported")
    inspect.add_argument("file", metavar="PACKAGE.zip|FOLDER")
    inspect.add_argument("--json", action="store_true", help="the report as JSON")
    inspect.add_argument("--document", metavar="OUT.json", help="also write the configuration document")
    inspect.set_defaults(handler=run_inspect)


def run_inspect(args: argparse.Namespace, ctx) -> int:
    from app.interchange.cmt_service import read_cmt_source

    imported = read_cmt_source(args.file)
    if args.document:
        text = json.dumps(imported.document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        write_atomically(args.document, text.encode("utf-8"))
    report = inspect_report(imported)
    if args.json:
        print(json.dumps(report, sort_keys=True, indent=2, ensure_ascii=False), file=ctx.stdout)
        return 0
    counts = report["contents"]
    print(f"{args.file}: ok — {counts['workstreams']} work streams, {counts['queues']} queues, "
          f"{counts['context_variables']} context variables, {counts['routing_rules']} routing rules", file=ctx.stdout)
    if counts["rules_to_queues_by_id"]:
        print(f"and {counts['rules_to_queues_by_id']} routing rules whose queue is matched by id on import",
              file=ctx.stdout)
    for line in imported.notes:
        print(f"note: {line}", file=ctx.stdout)
    for line in imported.ignored:
        print(f"ignored: {line}", file=ctx.stdout)
    return 0


def inspect_report(imported: CmtImport) -> dict:
    streams = imported.document["workstreams"]
    return {
        "contents": {
            "workstreams": len(streams),
            "queues": len(imported.document["queues"]),
            "context_variables": sum(len(w["context_variables"]) for w in streams),
            "routing_rules": sum(len(w["routing_rules"]) for w in streams),
            "rules_to_queues_by_id": len(imported.pending_rules),
        },
        "notes": imported.notes,
        "ignored": imported.ignored,
    }

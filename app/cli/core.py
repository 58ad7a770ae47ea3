"""The first headless commands: import, export, list, demo (``gui`` is ui.launcher's)."""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import datetime

from app.common.errors import DocumentInvalid, UserError
from app.common.files import STDIN, read_limited, write_atomically

LIST_KINDS = ("workstreams", "queues", "agents", "presences", "channels", "skills", "rating_models",
              "capacity_profiles")
# The plain table's columns where a row holds more than people read at a glance (field, heading);
# --json keeps every field. The other kinds show every field but id, version and modified_at.
LIST_COLUMNS = {
    "skills": (("name", "NAME"), ("rating_model", "RATING MODEL"), ("agent_count", "HOLDERS")),
    "rating_models": (("name", "NAME"), ("values", "VALUES")),
    "capacity_profiles": (("name", "NAME"), ("work_item_limit", "WORK ITEM LIMIT"),
                          ("agent_count", "AGENT OVERRIDES"), ("workstream_count", "STREAMS USING IT")),
}


def list_kind(text: str) -> str:
    """``rating-models`` and ``rating_models`` (any case) name the same kind; argparse checks the choice."""
    return text.strip().lower().replace("-", "_")


def add_parser(subparsers) -> None:
    imp = subparsers.add_parser("import", help="validate a configuration document and apply it in one transaction")
    imp.add_argument("file", metavar="FILE.json", help="the configuration document ('-' for stdin)")
    imp.add_argument("--replace", action="store_true", help="empty the configuration first")
    imp.add_argument("--dry-run", action="store_true", help="validate and show the plan, write nothing")
    imp.set_defaults(handler=run_import)

    exp = subparsers.add_parser("export", help="write the whole configuration as a document")
    exp.add_argument("file", metavar="FILE.json", help="where to write ('-' for stdout)")
    exp.add_argument("--workstream", action="append", metavar="NAME",
                     help="only this work stream and what it references (repeatable)")
    exp.add_argument("--with-ids", action="store_true", help="include every object's UUID")
    exp.set_defaults(handler=run_export)

    lst = subparsers.add_parser("list", help="list work streams, queues, agents, presences, channels, skills, "
                                             "rating models or capacity profiles")
    lst.add_argument("kind", type=list_kind, choices=LIST_KINDS,
                     help="what to list (rating-models and capacity-profiles may be spelled with '-' or '_')")
    lst.add_argument("--json", action="store_true", help="a JSON list of objects, one per row")
    lst.set_defaults(handler=run_list)

    demo = subparsers.add_parser("demo", help="reset the database to the demo configuration")
    demo.add_argument("--yes", action="store_true", help="do not ask")
    demo.set_defaults(handler=run_demo)


def read_json_file(path: str, stdin) -> object:
    """A document read with the same hostile-input rules as a bundle's config.json."""
    from app.common import safety

    data = read_limited(path, stdin=stdin, what="document")
    return safety.load_json(data, path, error=safety.RejectedInput)


def run_import(args: argparse.Namespace, ctx) -> int:
    from app.config.io import import_document

    data = read_json_file(args.file, ctx.stdin)
    try:
        summary = import_document(ctx.database(), data, replace=args.replace, dry_run=args.dry_run)
    except DocumentInvalid as error:
        raise UserError(f"{args.file}: {error}") from None
    counts = summary.counts()
    for line in summary.lines():
        print(line, file=ctx.stdout)
    verb = "would change" if args.dry_run else "imported"
    print(f"{verb}: {counts['created']} created, {counts['updated']} updated, {counts['deleted']} deleted",
          file=ctx.stdout)
    return 0


def run_export(args: argparse.Namespace, ctx) -> int:
    from app.config.io import canonical_json, export_document

    text = canonical_json(export_document(ctx.database(), with_ids=args.with_ids, workstreams=args.workstream))
    if args.file == STDIN:
        write_stdout(ctx, text)
    else:
        write_atomically(args.file, text.encode("utf-8"))
    return 0


def write_stdout(ctx, text: str) -> None:
    """All of ``text`` to standard output, or one line saying it could not be written."""
    problem = "it is closed"
    if ctx.stdout is not None:
        try:
            ctx.stdout.write(text)
            ctx.stdout.flush()
            return
        except BrokenPipeError:
            raise  # the reader went away: wsc's main ends quietly (app/cli/__init__.py)
        except (OSError, ValueError) as error:
            problem = getattr(error, "strerror", None) or str(error)
    raise UserError(f"cannot write to standard output: {problem}")


def _plain(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, tuple):
        return list(value)
    return value


def run_list(args: argparse.Namespace, ctx) -> int:
    # The lists module, not Services: `wsc list` never loads the mapped classes (app/services/lists.py).
    from app.services.lists import LISTS

    rows = LISTS[args.kind](ctx.database())
    records = [{k: _plain(v) for k, v in asdict(row).items()} for row in rows]
    if args.json:
        print(json.dumps(records, indent=2, ensure_ascii=False), file=ctx.stdout)
        return 0
    if not records:
        print(f"no {args.kind.replace('_', ' ')}", file=ctx.stdout)
        return 0
    chosen = LIST_COLUMNS.get(args.kind) or [(c, c.upper()) for c in records[0]
                                             if c not in ("id", "version", "modified_at")]
    columns = [field for field, _heading in chosen]
    headings = [heading for _field, heading in chosen]
    cells = [[_cell(r[c]) for c in columns] for r in records]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headings)]
    print("  ".join(h.ljust(w) for h, w in zip(headings, widths)).rstrip(), file=ctx.stdout)
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip(), file=ctx.stdout)
    return 0


def _cell(value) -> str:
    if value is None:  # e.g. the capacity profile of a stream that counts units
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def run_demo(args: argparse.Namespace, ctx) -> int:
    from app.config.demo import load_demo

    if not args.yes:
        print("Replace the whole configuration with the demo one? [y/N] ", end="", file=ctx.stderr, flush=True)
        answer = ctx.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            raise UserError("demo reset cancelled; nothing changed")
    summary = load_demo(ctx.database())
    counts = summary.counts()
    print(f"demo configuration loaded: {counts['created']} created, {counts['updated']} updated, "
          f"{counts['deleted']} deleted", file=ctx.stdout)
    return 0

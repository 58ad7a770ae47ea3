"""`wsc bundle validate|diff`: the bundle commands that need no database of their own.

``validate FILE`` checks a .wsbundle exactly as an import would (safety,
manifest, checksums, signature, schema and references).  ``diff A B`` shows
what changes from A to B, where each side is a .wsbundle, a configuration
document (.json) or ``db`` (the current database, with ids).

``bundle export`` and ``bundle import`` (database side) are added next to these.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from app.common.errors import DocumentInvalid, UserError

if TYPE_CHECKING:  # the handlers import what they use: `wsc gui` must not pay for pydantic
    from app.interchange.bundles.format import LoadedBundle
    from app.config.document import KnownNames

DB_SIDE = "db"
_ZIP_MAGIC = b"PK\x03\x04"


def add_parser(subparsers) -> None:
    bundle = subparsers.add_parser("bundle", help="configuration bundles (.wsbundle): export, validate, diff, import")
    commands = bundle.add_subparsers(dest="bundle_command", metavar="SUBCOMMAND", required=True)
    add_database_subcommands(commands)
    add_bundle_subcommands(commands)


def add_database_subcommands(commands) -> None:
    export = commands.add_parser("export", help="write the configuration (or a delta) as a bundle")
    export.add_argument("file", metavar="OUT.wsbundle")
    export.add_argument("--workstream", action="append", metavar="NAME",
                        help="only this work stream and everything it references (repeatable)")
    export.add_argument("--delta-since", metavar="BASELINE",
                        help="only what changed since a baseline (its id, label, or the full bundle file)")
    export.add_argument("--label", default="", help="a human label written into the manifest")
    export.add_argument("--sign-key-file", metavar="PATH", help="sign the manifest with this HMAC key")
    export.set_defaults(handler=run_export)

    imp = commands.add_parser("import", help="show the plan and apply a bundle in one transaction")
    imp.add_argument("file", metavar="FILE.wsbundle")
    imp.add_argument("--dry-run", action="store_true", help="stop at the plan; write nothing")
    imp.add_argument("--replace", action="store_true",
                     help="full bundles: remove what the bundle does not carry (default: merge)")
    imp.add_argument("--on-conflict", choices=("stop", "theirs", "ours"), default="stop",
                     help="delta bundles: what to do when this console changed the same object (default: stop)")
    imp.add_argument("--json", action="store_true", help="print the plan as JSON")
    add_signature_options(imp)
    imp.set_defaults(handler=run_import)


def run_export(args: argparse.Namespace, ctx) -> int:
    from app.interchange.bundles.format import load_sign_key
    from app.interchange.bundle_service import export_bundle

    key = load_sign_key(args.sign_key_file) if args.sign_key_file else None
    result = export_bundle(ctx.database(), args.file, workstreams=args.workstream, label=args.label,
                           delta_since=args.delta_since, sign_key=key)
    contents = ", ".join(f"{count} {kind}" for kind, count in result.counts.items())
    print(f"wrote {result.path}: {result.kind} bundle, {contents}, "
          f"{result.size:,} bytes; baseline {result.baseline_id[:12]}", file=ctx.stdout)
    return 0


def run_import(args: argparse.Namespace, ctx) -> int:
    from app.interchange.bundle_service import import_bundle
    from app.interchange.bundles.delta import DeltaConflict

    try:
        plan = import_bundle(ctx.database(), args.file, dry_run=args.dry_run, replace=args.replace,
                             on_conflict=args.on_conflict, require_signature=args.require_signature,
                             sign_key=sign_key_from(args))
    except DeltaConflict as error:
        for conflict in error.conflicts:
            print(str(conflict), file=ctx.stderr)
        raise UserError(f"{args.file}: {len(error.conflicts)} conflict(s); nothing imported "
                        f"(use --on-conflict theirs|ours to decide)") from None
    print_plan(plan, args, ctx)
    if plan.conflicts and args.on_conflict == "stop":
        return 1  # dry run that would stop
    return 0


def print_plan(plan, args: argparse.Namespace, ctx) -> None:
    counts = plan.counts()
    if getattr(args, "json", False):
        print(json.dumps({"file": plan.file, "kind": plan.kind, "label": plan.label, "applied": plan.applied,
                          "counts": counts, "changes": plan.diff.to_json(),
                          "conflicts": [c.to_json() for c in plan.conflicts]},
                         sort_keys=True, indent=2, ensure_ascii=False, default=str), file=ctx.stdout)
        return
    for conflict in plan.conflicts:
        print(str(conflict), file=ctx.stdout)
    if not plan.diff.is_empty:
        ctx.stdout.write(plan.diff.render_text())
    verb = "imported" if plan.applied else "would import"
    print(f"{verb}: {counts['created']} created, {counts['updated']} updated, {counts['deleted']} deleted"
          + (f" (backup: {plan.backup})" if plan.backup else ""), file=ctx.stdout)


def add_bundle_subcommands(commands) -> None:
    """The database-free subcommands; the caller may add export/import to ``commands``."""
    validate = commands.add_parser("validate", help="check a bundle as an import would, write nothing")
    validate.add_argument("file", metavar="FILE.wsbundle")
    add_signature_options(validate)
    validate.add_argument("--json", action="store_true", help="print the manifest and counts as JSON")
    validate.set_defaults(handler=run_validate)

    diff = commands.add_parser("diff", help="what changes from A to B (bundles, documents or 'db')")
    diff.add_argument("a", metavar="A", help="a .wsbundle, a configuration document (.json), or 'db'")
    diff.add_argument("b", metavar="B", help="the same kinds as A")
    diff.add_argument("--json", action="store_true", help="the changes as JSON (stable order)")
    diff.set_defaults(handler=run_diff)


def add_signature_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sign-key-file", metavar="PATH", help="HMAC key file: check the signature if present")
    parser.add_argument("--require-signature", action="store_true",
                        help="refuse a bundle without a valid signature (needs --sign-key-file)")


def sign_key_from(args: argparse.Namespace) -> bytes | None:
    from app.interchange.bundles.format import load_sign_key
    
    if args.require_signature and not args.sign_key_file:
        raise UserError("--require-signature needs --sign-key-file")
    return load_sign_key(args.sign_key_file) if args.sign_key_file else None


def receiving_names(args: argparse.Namespace, ctx) -> KnownNames | None:
    """Names in the receiving database that a merge import may refer to."""
    from app.config.io import known_names

    with ctx.database().sessions() as session:
        return known_names(session)


# --------------------------------------------------------------------------- validate

def run_validate(args: argparse.Namespace, ctx) -> int:
    """Every check an import makes, against this database, and a plan; nothing is written."""
    from app.interchange.bundles.format import read_bundle
    from app.interchange.bundle_service import import_bundle
    from app.interchange.bundles.delta import DeltaConflict

    loaded = read_bundle(args.file, require_signature=args.require_signature, sign_key=sign_key_from(args),
                         known=receiving_names(args, ctx))
    try:
        plan = import_bundle(ctx.database(), args.file, dry_run=True, require_signature=args.require_signature,
                             sign_key=sign_key_from(args))
    except DeltaConflict as error:  # pragma: no cover - dry runs return conflicts in the plan
        raise UserError(str(error)) from None
    if plan.conflicts:
        raise UserError(f"{args.file}: {plan.conflicts[0]}" + (f" (and {len(plan.conflicts) - 1} more)"
                                                                if len(plan.conflicts) > 1 else ""))
    summary = bundle_summary(loaded)
    summary["plan"] = plan.counts()
    if args.json:
        print(json.dumps(summary, sort_keys=True, indent=2, ensure_ascii=False), file=ctx.stdout)
    else:
        print(summary_line(args.file, summary), file=ctx.stdout)
    return 0


def bundle_summary(loaded: LoadedBundle) -> dict[str, Any]:
    from app.config.document import ConfigDocument
    
    document = loaded.document
    if isinstance(document, ConfigDocument):
        contents = {kind: len(getattr(document, kind)) for kind in ("presences", "agents", "queues", "workstreams")}
    else:
        contents = {"changes": len(document.changes)}
    return {
        "manifest": loaded.manifest.to_json(),
        "contents": contents,
        "signature": "verified" if loaded.signature_verified else
                     ("present, not checked" if loaded.manifest.signature else "unsigned"),
    }


def summary_line(file: str, summary: dict[str, Any]) -> str:
    manifest = summary["manifest"]
    contents = ", ".join(f"{count} {kind}" for kind, count in summary["contents"].items())
    return (f"{file}: ok — {manifest['kind']} bundle '{manifest['label']}' from {manifest['source_database_id']}, "
            f"created {manifest['created_at']} by {manifest['app_version']}; {contents}; {summary['signature']}")


# --------------------------------------------------------------------------- diff

def run_diff(args: argparse.Namespace, ctx) -> int:
    from app.interchange.bundles.diff import diff_documents
    
    before = load_side(args.a, ctx)
    after = load_side(args.b, ctx)
    try:
        diff = diff_documents(before, after)
    except DocumentInvalid as error:
        raise UserError(f"cannot compare: {error}") from None
    if args.json:
        print(json.dumps(diff.to_json(), sort_keys=True, indent=2, ensure_ascii=False), file=ctx.stdout)
    elif diff.is_empty:
        print("no differences", file=ctx.stdout)
    else:
        ctx.stdout.write(diff.render_text())
        print(diff.summary(), file=ctx.stdout)
    return 0


def load_side(spec: str, ctx) -> dict:
    """A full configuration document from a bundle, a JSON document, or the database."""
    from app.interchange.bundles.format import read_bundle
    
    if spec == DB_SIDE:
        from app.config.io import export_document

        return export_document(ctx.database(), with_ids=True)
    from app.common.files import read_limited

    data = read_limited(spec, what="document")
    if data.startswith(_ZIP_MAGIC):
        loaded = read_bundle(data)
        if loaded.manifest.kind != "full":
            raise UserError(f"{spec}: a delta bundle has no whole configuration to compare")
        return loaded.raw_config
    return parse_document_bytes(data, spec)


def read_document(path: Path) -> dict:
    """A JSON configuration document, read with the same strict rules (and limit) as a bundle's."""
    from app.common.files import read_limited

    return parse_document_bytes(read_limited(path, what="document"), str(path))


def parse_document_bytes(data: bytes, path: str) -> dict:
    from app.common import safety
    from app.common.safety import RejectedInput

    value = safety.load_json(data, str(path), error=RejectedInput)
    if not isinstance(value, dict):
        raise UserError(f"{path}: the document must be a JSON object")
    return value

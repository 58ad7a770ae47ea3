"""The benchmarks' large configurations: ``app.config.generate`` plus writing them to a database or bundle.

``write_database(doc, path)`` loads a document through the app's own import
path (``app.config.io.import_document`` on a freshly migrated database);
``write_bundle(doc, path)`` writes it as a full ``.wsbundle``.

    python -m benchmarks.generate --preset small --db PATH [--bundle PATH]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.config.generate import PRESETS, Preset, count_objects, generate  # noqa: F401 — the benchmarks import them from here

FIXED_CREATED_AT = "2024-01-01T00:00:00Z"
SOURCE_DATABASE_ID = "00000000-0000-4000-8000-00000000b0b0"


def write_database(doc: dict, path: str | Path, *, replace: bool = True):
    """A fresh database at ``path`` holding ``doc``, written by the app's import path."""
    from app.config.io import import_document
    from app.config.opening import open_database

    path = Path(path)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    db = open_database(f"sqlite:///{path}", seed_demo=False, backup=False)
    try:
        return import_document(db, doc, replace=replace)
    finally:
        db.dispose()


def write_bundle(doc: dict, path: str | Path, *, label: str = "generated") -> int:
    """``doc`` as a full bundle at ``path``; returns its size in bytes."""
    from app.interchange.bundles.format import write_bundle as write

    write(path, doc, kind="full", label=label, source_database_id=SOURCE_DATABASE_ID, created_at=FIXED_CREATED_AT)
    return Path(path).stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--db", help="write a database here (replaced if it exists)")
    parser.add_argument("--bundle", help="write a full bundle here")
    args = parser.parse_args(argv)
    if not args.db and not args.bundle:
        parser.error("give --db PATH and/or --bundle PATH")
    started = time.perf_counter()
    doc = generate(args.preset, args.seed)
    print(f"{args.preset}: {count_objects(doc):,} objects generated in {time.perf_counter() - started:.1f} s")
    if args.db:
        started = time.perf_counter()
        summary = write_database(doc, args.db)
        print(f"database {args.db}: {summary.counts()['created']:,} top-level objects created in "
              f"{time.perf_counter() - started:.1f} s")
    if args.bundle:
        started = time.perf_counter()
        size = write_bundle(doc, args.bundle)
        print(f"bundle {args.bundle}: {size:,} bytes in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

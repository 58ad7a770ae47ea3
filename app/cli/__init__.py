"""The `wsc` command line: `wsc [--db PATH | --db-url URL] COMMAND ...`.

Each command lives in its own module with ``add_parser(subparsers)``; the
parser it adds sets ``handler=run`` where ``run(args, ctx) -> int``.
A ``UserError`` (or any ``ValueError`` raised by validation) becomes one line on
stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass, field
from typing import IO, Callable

from app.common.errors import UserError

# Command modules, in the order `wsc --help` lists them.
COMMAND_MODULES = (
    "app.cli.core",      # gui, import, export, list, demo
    "app.cli.route",     # route
    "app.cli.simulate",  # simulate
    "app.cli.bundle",    # bundle export|validate|diff|import
    "app.cli.cmt",       # cmt export|import
    "app.cli.doctor",    # doctor
)

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2


@dataclass
class CliContext:
    """What a command needs from the outside world; tests pass their own."""

    db_url: str
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    _database: object | None = None

    def database(self, *, seed_demo: bool = True):
        """The opened (migrated, and if new, seeded) database."""
        if self._database is None:
            from app.store.database import open_database

            self._database = open_database(self.db_url, seed_demo=seed_demo)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsc",
        description="Workstream Console: routing and work-distribution settings of a contact centre.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", help="SQLite database file (default: $WSC_DB or the user data folder)")
    where.add_argument("--db-url", metavar="URL", help="any SQLAlchemy database URL (default: $WSC_DB_URL)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue  # a command not built yet
            raise
        module.add_parser(subparsers)
    return parser


def resolve_db_url(args: argparse.Namespace, environ=os.environ) -> str:
    from app.store.paths import default_database_path, sqlite_url

    if args.db_url:
        return args.db_url
    if args.db:
        return sqlite_url(args.db)
    if environ.get("WSC_DB_URL"):
        return environ["WSC_DB_URL"]
    if environ.get("WSC_DB"):
        return sqlite_url(environ["WSC_DB"])
    return sqlite_url(default_database_path())


def main(argv: list[str] | None = None, ctx: CliContext | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "gui"])
    handler: Callable[[argparse.Namespace, CliContext], int] = args.handler
    if ctx is None:
        ctx = CliContext(db_url=resolve_db_url(args))
    try:
        return handler(args, ctx)
    except (UserError, ValueError, OSError) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"wsc: {message}", file=ctx.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("wsc: interrupted", file=ctx.stderr)
        return 130
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

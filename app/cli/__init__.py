"""The `wsc` command line: `wsc [--db PATH | --db-url URL] COMMAND ...`.

Each command lives in its own module with ``add_parser(subparsers)``; the
parser it adds sets ``handler=run`` where ``run(args, ctx) -> int``.
A ``UserError`` (or any ``ValueError`` raised by validation), a database failure
and a usage error each become one line on stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass, field
from typing import IO, Callable

from app.common.errors import UserError


EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
# The reader of standard output went away (`wsc list … | head`): 128 + SIGPIPE, what a shell
# reports for cat or ls in the same place.
EXIT_BROKEN_PIPE = 141


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
            from app.config.opening import open_database

            self._database = open_database(self.db_url, seed_demo=seed_demo)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


class UsageError(Exception):
    """A bad command line (argparse's complaint), shown as one line, exit 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the usage and the error on two lines, then exits: here the
    error is raised instead, and ``main`` prints one line naming ``--help``.
    (Sub-command parsers are made of the same class.)"""

    def error(self, message: str):
        raise UsageError(f"{message} (see '{self.prog} --help')")


class VersionAction(argparse.Action):
    """``--version``: the package metadata is read only when asked (reading it costs ~40 ms)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from app.common.version import app_version

        parser._print_message(f"wsc {app_version()}\n", sys.stdout)
        parser.exit()


# The module that adds each top-level command. A command line that names one builds only that
# module's sub-parsers: building all of them costs ~10 ms (argparse) that `wsc list` would pay
# for nothing. Anything else (no command, --help, a command not listed here) builds them all.
COMMAND_MODULES = {"import": "core", "export": "core", "list": "core", "demo": "core", "route": "route",
                   "simulate": "simulate", "whatif": "whatif", "doctor": "doctor", "bundle": "bundle", "cmt": "cmt"}
GLOBAL_OPTIONS_WITH_VALUE = ("--db", "--db-url")


def command_module(argv: list[str]) -> str | None:
    """The name of the module that adds the command ``argv`` names, or None (then every module)."""
    tokens = iter(argv)
    for token in tokens:
        if token in GLOBAL_OPTIONS_WITH_VALUE:
            next(tokens, None)
        elif token.startswith("-"):
            if token in ("-h", "--help", "--version"):
                return None
        else:
            return COMMAND_MODULES.get(token)
    return None


def build_parser(extra_commands: tuple = (), only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every headless command; ``extra_commands`` come first (``gui``, from ui.launcher).

    ``only`` (a ``COMMAND_MODULES`` value): just that module's commands, for a command line that names one.
    """
    from app.cli import bundle, cmt, core, doctor, route, simulate, whatif

    parser = OneLineParser(
        prog="wsc",
        description="Workstream Console: routing and work-distribution settings of a contact centre.",
    )
    parser.add_argument("--version", action=VersionAction)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", help="SQLite database file (default: $WSC_DB or the user data folder)")
    where.add_argument("--db-url", metavar="URL", help="any SQLAlchemy database URL (default: $WSC_DB_URL)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # In the order `wsc --help` lists them.
    modules = (*extra_commands, core, route, simulate, whatif, doctor, bundle, cmt)
    if only is not None:
        modules = tuple(m for m in modules if m.__name__ == f"app.cli.{only}")
    for module in modules:
        module.add_parser(subparsers)
    return parser


def resolve_db_url(args: argparse.Namespace, environ=os.environ) -> str:
    from app.store.paths import default_database_path, sqlite_url

    if args.db_url is not None:
        if not args.db_url.strip():
            raise UsageError("--db-url is empty: give a database URL, or leave the option out")
        return args.db_url
    if args.db is not None:
        # An empty path would resolve to the current folder (or, unchecked, the default database).
        if not args.db.strip():
            raise UsageError("--db is empty: give a database file, or leave the option out")
        return sqlite_url(args.db)
    if environ.get("WSC_DB_URL"):
        return environ["WSC_DB_URL"]
    if environ.get("WSC_DB"):
        return sqlite_url(environ["WSC_DB"])
    return sqlite_url(default_database_path())


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: list[str] | None = None, ctx: CliContext | None = None, *,
         extra_commands: tuple = (), default_command: str | None = None) -> int:
    parser = build_parser(extra_commands, only=command_module(sys.argv[1:] if argv is None else argv))
    err = ctx.stderr if ctx is not None else sys.stderr
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            if default_command is None:
                raise UsageError("a command is needed (see 'wsc --help')")
            args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), default_command])
        db_url = resolve_db_url(args) if ctx is None else ctx.db_url
    except UsageError as error:
        print(f"wsc: {one_line(error)}", file=err)
        return EXIT_USAGE
    handler: Callable[[argparse.Namespace, CliContext], int] = args.handler
    if ctx is None:  # a real run, not a test's: its errors and migrations go to the log file
        from app.common.logs import start_logging

        start_logging()
        ctx = CliContext(db_url=db_url)
    try:
        return handler(args, ctx)
    except BrokenPipeError:
        # What the reader wanted it has; like cat, say nothing (no "[Errno 32] Broken pipe").
        _stop_writing_stdout(ctx.stdout)
        return EXIT_BROKEN_PIPE
    except (UserError, ValueError, OSError) as error:
        logging.getLogger(__name__).error("wsc %s: %s", args.command, one_line(error))
        print(f"wsc: {one_line(error)}", file=ctx.stderr)
        return EXIT_USER_ERROR
    except Exception as error:
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.orm.exc import StaleDataError

        if not isinstance(error, (DBAPIError, StaleDataError)):
            raise
        from app.store.database import describe_database_error

        message = one_line(describe_database_error(error))
        logging.getLogger(__name__).error("wsc %s: %s", args.command, message)
        print(f"wsc: {message}", file=ctx.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("wsc: interrupted", file=ctx.stderr)
        return 130
    finally:
        ctx.close()


def _stop_writing_stdout(stream) -> None:
    """Point a real process's standard output at the null device, so that the interpreter's
    own flush at exit does not fail on the broken pipe too (the Python docs' SIGPIPE recipe)."""
    if stream is not sys.stdout or sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def run_as_program(argv: list[str] | None = None, **options) -> int:
    """``main`` for a real process: a closed or broken standard output is one line too
    (Python's own flush at exit would otherwise print a traceback-like complaint)."""
    code = main(argv, **options)
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        _stop_writing_stdout(sys.stdout)
        code = code or EXIT_BROKEN_PIPE
    except (OSError, ValueError):
        if sys.stderr is not None:
            print("wsc: could not write to standard output (closed, or the reader went away)", file=sys.stderr)
        code = code or EXIT_USER_ERROR
    try:  # nothing left for the interpreter to flush (and fail on) at exit
        sys.stdout = None  # type: ignore[assignment]
    except Exception:  # pragma: no cover
        pass
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_as_program())

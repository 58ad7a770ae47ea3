"""Where things live on the user's machine."""
from __future__ import annotations

from pathlib import Path

APP_NAME = "WorkstreamConsole"


def default_database_path() -> Path:
    from platformdirs import user_data_dir  # only without --db: ~5 ms every command would pay

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "workstream-console.db"


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases, :memory: and URLs
    that are not URLs at all (opening those says what is wrong)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    database = parsed.database
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        # sqlite:///file:/path/db?mode=ro&uri=true — the file is the part after "file:".
        database = database[len("file:"):].split("?", 1)[0]
        if not database or database == ":memory:" or parsed.query.get("mode") == "memory":
            return None
    return Path(database)

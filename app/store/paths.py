"""Where things live on the user's machine."""
from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "WorkstreamConsole"


def default_database_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "workstream-console.db"


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and :memory:."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)

"""Named loggers and one rotating log file for support.

Every module logs to ``logging.getLogger(__name__)`` (app.store.database, app.config.io, ...);
``start_logging`` sends them to ``workstream-console.log`` in the user log folder (or
$WSC_LOG_DIR), rotated at 1 MB with three old files kept, so a support call can ask for the
folder that Help → Open log folder shows. Nothing is written until something starts logging,
so importing a module never creates files.
"""
from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "workstream-console.log"
LOG_DIR_ENV = "WSC_LOG_DIR"
# The project's top-level packages: their loggers are the ones that reach the file.
PROJECT_LOGGERS = ("app", "ui", "models", "migrations")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_folder(environ=os.environ) -> Path:
    """Where the log file lives: $WSC_LOG_DIR, else the platform's user log folder."""
    if environ.get(LOG_DIR_ENV):
        return Path(environ[LOG_DIR_ENV])
    from platformdirs import user_log_dir

    return Path(user_log_dir("workstream-console", appauthor=False))


def start_logging(folder: Path | None = None, *, level: int = logging.INFO) -> Path | None:
    """Attach the rotating file to the project's loggers (once); returns the file, or None if unwritable."""
    folder = folder or log_folder()
    path = folder / LOG_FILE_NAME
    for name in PROJECT_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if any(getattr(handler, "baseFilename", None) == str(path) for handler in logger.handlers):
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True)
        except OSError:
            return None  # a read-only home must not stop the console: it runs without a log
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
    return path


def stop_logging() -> None:
    """Detach and close the file handlers ``start_logging`` attached (tests, and a clean exit)."""
    for name in PROJECT_LOGGERS:
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]:
            logger.removeHandler(handler)
            handler.close()

"""A data-version counter per database: how a running view learns that something was saved.

``track_changes(engine)`` (called by ``open_database``) installs two engine event
listeners, so every writer is covered — services, imports, bundle imports, the sample
generator, raw SQL — without any of them having to remember to announce it:

* ``after_cursor_execute`` marks the connection as having written when a statement
  is an INSERT, UPDATE, DELETE or REPLACE;
* ``commit`` bumps the engine's counter when the committed transaction wrote
  (``rollback`` forgets the mark: nothing changed).

A view compares ``data_version(engine)`` with the number it saw last (a dict look-up,
cheap enough for every timer tick) and reloads when it moved.  The counter counts
commits made through this process's engine; another process writing the same file is
not seen (the GUI and the ``wsc`` commands it runs share one engine).
"""
from __future__ import annotations

import re
import threading
import weakref
from typing import Any

from sqlalchemy import Engine, event

_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_WROTE = "wsc_wrote"  # Connection.info key: this transaction wrote
_versions: "weakref.WeakKeyDictionary[Engine, list[int]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _after_cursor_execute(connection, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if _WRITES.match(statement):
        connection.info[_WROTE] = True


def _forget(connection) -> None:
    connection.info.pop(_WROTE, None)


def track_changes(engine: Engine) -> None:
    """Count the committed writes of ``engine`` (idempotent)."""
    with _lock:
        if engine in _versions:
            return
        counter = [0]
        _versions[engine] = counter

    def on_commit(connection) -> None:
        if connection.info.pop(_WROTE, False):
            with _lock:
                counter[0] += 1

    event.listen(engine, "after_cursor_execute", _after_cursor_execute)
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", _forget)


def data_version(source: Any) -> int:
    """How many writing transactions ``source`` (an Engine, or anything with ``.engine``) has committed
    since it was opened; -1 when it is not tracked."""
    engine = source if isinstance(source, Engine) else getattr(source, "engine", None)
    counter = _versions.get(engine) if engine is not None else None
    return counter[0] if counter is not None else -1


__all__ = ["data_version", "track_changes"]

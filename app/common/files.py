"""Reading and writing the user's files: bounded reads, and writes a crash never leaves half of.

Every reader of a document, a scenario, a key file or a bundle goes through
``read_limited``: one limit (``MAX_DOCUMENT_BYTES``), counted while reading (a
size the file system reports is not trusted: /dev/zero says 0), and only regular
files (a FIFO would block, a device never ends); ``-`` reads standard input,
with the same limit.  Writers go through ``write_atomically``, which replaces
only regular files.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

from app.common.errors import UserError

KiB = 1024
MiB = 1024 * KiB
# The one limit on a document, scenario or key file, and on a bundle's config.json.
MAX_DOCUMENT_BYTES = 256 * MiB
_CHUNK = 1 * MiB
STDIN = "-"


def human_size(n: int) -> str:
    for unit, size in (("GiB", 1024 * MiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= size:
            value = n / size
            return f"{value:g} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_limited(path: str | os.PathLike, *, stdin: IO | None = None, limit: int = MAX_DOCUMENT_BYTES,
                 what: str = "file") -> bytes:
    """The bytes of a regular file (or of standard input for ``-``), at most ``limit`` of them.

    Any problem is a ``UserError`` naming the path, on one line.
    """
    name = os.fspath(path)
    too_big = f"{name}: larger than {human_size(limit)}, the most a {what} may be"
    if name == STDIN:
        if stdin is None:
            raise UserError("-: there is no standard input to read")
        source = getattr(stdin, "buffer", stdin)
        data = _read_counted(source, limit, too_big, name)
        return data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
    try:
        before = os.stat(name)
        if not stat.S_ISREG(before.st_mode):  # checked before opening: opening a FIFO blocks
            raise UserError(f"{name}: {_kind_of(before.st_mode)}, not a file: give the path of a regular file"
                            + (" (or '-' to read standard input)" if what != "key file" else ""))
        if before.st_size > limit:
            raise UserError(too_big)
        with open(name, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise UserError(f"{name}: not a regular file")
            return _read_counted(handle, limit, too_big, name)
    except OSError as error:
        raise UserError(f"{name}: cannot read: {error.strerror or error}") from None


def read_text_limited(path: str | os.PathLike, *, stdin: IO | None = None, limit: int = MAX_DOCUMENT_BYTES,
                      what: str = "file") -> str:
    """:func:`read_limited`, decoded as UTF-8 (a file that is not is one line, too)."""
    data = read_limited(path, stdin=stdin, limit=limit, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{os.fspath(path)}: not UTF-8 text") from None


def _read_counted(source, limit: int, too_big: str, name: str):
    chunks = []
    total = 0
    try:
        while True:
            chunk = source.read(min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise UserError(too_big)
            chunks.append(chunk)
    except (OSError, ValueError) as error:  # ValueError: a closed stream
        raise UserError(f"{name}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    empty = b"" if not chunks or isinstance(chunks[0], bytes) else ""
    return empty.join(chunks)


def writable_target(path: str | os.PathLike) -> Path:
    """The regular file a write to ``path`` replaces: ``path`` itself, or the file a
    symlink points to.  A FIFO, device, socket or folder is refused (replacing it
    with a file would break whatever it was for)."""
    target = Path(path)
    try:
        if target.is_symlink():
            target = Path(os.path.realpath(target))
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as error:
        raise UserError(f"{path}: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        raise UserError(f"{path}: {_kind_of(mode)}; only a regular file is written (use '-' for standard output)")
    return target


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write beside the target, then rename over it (atomic on one file system).

    Only a regular file (or a new name) is replaced; through a symlink, the file it
    points to is, and the link stays.  The file keeps its permissions.  A failure
    (a full disk) leaves the old file as it was and no temporary file behind.
    """
    target = writable_target(path)
    temp = target.with_name(f".{target.name}.part")
    try:
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}; the file was not changed") from None
    finally:
        temp.unlink(missing_ok=True)

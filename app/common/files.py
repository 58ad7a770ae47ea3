"""Writing files so that a crash never leaves half of one."""
from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write beside the target, then rename over it (atomic on one file system)."""
    target = Path(path)
    temp = target.with_name(f".{target.name}.part")
    try:
        temp.write_bytes(data)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)

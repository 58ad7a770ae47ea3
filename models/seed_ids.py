"""Stable identities of the rows every database has (the base presences)."""
from __future__ import annotations

import uuid
from datetime import datetime

from models.choices import BASE_PRESENCE_NAMES

# Fixed so that the same base presence has the same id on every workstation.
_NAMESPACE = uuid.UUID("5b0c6f1e-3c1a-4f0e-9a43-7b1d2f6a0c11")
_EPOCH = datetime(2026, 1, 1)


def base_presence_id(base: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"presence:{base}"))


def base_presence_rows() -> list[dict]:
    return [
        {"id": base_presence_id(base), "name": name, "base": base, "text": "", "is_system": True,
         "created_at": _EPOCH, "modified_at": _EPOCH, "version": 1}
        for base, name in BASE_PRESENCE_NAMES.items()
    ]


def demo_object_id(kind: str, name: str, owner: str | None = None) -> str:
    """The id of a demo object, the same in every database: named by its kind, its name
    and (for a work stream's variables, rules and channels) its work stream's name."""
    path = f"{kind}:{owner}/{name}" if owner is not None else f"{kind}:{name}"
    return str(uuid.uuid5(_NAMESPACE, f"demo:{path}"))

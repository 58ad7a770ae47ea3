"""Strict JSON from text a user hands us, with the bundle reader's rules and limits."""
from __future__ import annotations

from typing import Any

from app.common import safety


def loads_strict(text: str, source: str = "input") -> Any:
    """Refuses duplicate keys, NaN/Infinity, a BOM, too deep or too big: one line naming ``source``."""
    return safety.load_json(text.encode("utf-8", "surrogatepass"), source, error=safety.RejectedInput)

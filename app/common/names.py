"""The one rule for comparing names: case-insensitive, and blind to Unicode composition.

"Café" typed on one keyboard (é as one code point) and pasted from another
(e followed by a combining accent) is the same name; so is "CAFÉ".
"""
from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """The form two names are compared in: NFC, then case-folded (folding can undo NFC, so again)."""
    folded = unicodedata.normalize("NFC", name).casefold()
    return folded if folded.isascii() else unicodedata.normalize("NFC", folded)


def same_name(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


def sort_key(name: str) -> tuple[str, str]:
    """The order names are listed in: case-insensitive, ties broken by the exact spelling."""
    return (name.casefold(), name)

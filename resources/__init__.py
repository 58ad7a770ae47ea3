"""Icons, the style sheet and the demo data, shipped as package data.

``path(...)`` finds them next to this file (cheaper at start-up than
``importlib.resources``, which pulls in zipfile and friends).
"""
from __future__ import annotations

from pathlib import Path

HOME = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """A file or folder of the resources, e.g. ``path("icons", "save.svg")``."""
    return HOME.joinpath(*parts)

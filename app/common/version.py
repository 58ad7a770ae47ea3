"""The installed release of Workstream Console, from the package metadata."""
from __future__ import annotations

from importlib import metadata


def app_version() -> str:
    """The version pip installed ("0.0.0" when run from a tree that was never installed)."""
    try:
        return metadata.version("workstream-console")
    except metadata.PackageNotFoundError:
        return "0.0.0"

"""Errors the domain raises for the user to read (one line each)."""
from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; the message is shown as is, on one line."""


class NotFound(UserError):
    pass


class ConflictError(UserError):
    """A save over a newer version: someone else changed the object first."""

    def __init__(self, message: str, *, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version


class InUseError(UserError):
    """A delete refused because other objects refer to this one."""

    def __init__(self, message: str, referrers: list[str]):
        super().__init__(message)
        self.referrers = referrers


class DocumentInvalid(ValueError):
    """A configuration document failed validation; ``issues`` has every problem found.

    Each issue is an ``app.routing.conditions.Issue(path, message)``.  It lives here, not in
    ``app.config.document``, so that catching it does not import pydantic.
    """

    def __init__(self, issues: list):
        self.issues = issues
        first = str(issues[0]) if issues else "invalid document"
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(first + more)

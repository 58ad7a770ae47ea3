"""Pure helpers behind the editor: name suggestions and the guards inside a work stream."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from app.routing.conditions import rename_variable, variables_used
from models.choices import NAME_MAX

_NOT_NAME_CHAR = re.compile(r"[^a-z0-9_]")


def suggest_variable_name(display_name: str, taken: Iterable[str] = ()) -> str:
    """The Name the product fills in from a Display Name.

    Lower-case; letters, digits and underscores kept (accents folded to their
    letter), everything else dropped; a leading digit gets an ``_``; a clash
    with ``taken`` gets ``_2``, ``_3``, ...
    """
    folded = unicodedata.normalize("NFKD", display_name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    base = _NOT_NAME_CHAR.sub("", folded)
    if not base:
        return ""
    if base[0].isdigit():
        base = "_" + base
    base = base[:NAME_MAX]
    taken_folded = {t.casefold() for t in taken}
    if base.casefold() not in taken_folded:
        return base
    counter = 2
    while True:
        suffix = f"_{counter}"
        candidate = base[: NAME_MAX - len(suffix)] + suffix
        if candidate.casefold() not in taken_folded:
            return candidate
        counter += 1


def copy_name(name: str, taken: Iterable[str]) -> str:
    """'Copy of X', then 'Copy of X (2)', ... avoiding names in ``taken`` (any case)."""
    taken_folded = {t.casefold() for t in taken}
    candidate = f"Copy of {name}"[:NAME_MAX]
    counter = 2
    while candidate.casefold() in taken_folded:
        suffix = f" ({counter})"
        candidate = f"Copy of {name}"[: NAME_MAX - len(suffix)] + suffix
        counter += 1
    return candidate


def rules_using_variable(rules: Iterable[dict], variable: str) -> list[str]:
    """Names of the rules whose condition reads ``variable``."""
    return [rule["name"] for rule in rules if variable in variables_used(rule.get("condition", {}))]


def rename_variable_in_rules(rules: list[dict], old: str, new: str) -> list[dict]:
    """Rules with every condition on ``old`` now on ``new`` (renaming a variable keeps rules working)."""
    return [{**rule, "condition": rename_variable(rule.get("condition", {}), old, new)} for rule in rules]


def referrer_sentence(what: str, referrers: list[str], limit: int = 5) -> str:
    shown = ", ".join(referrers[:limit])
    more = f" and {len(referrers) - limit} more" if len(referrers) > limit else ""
    return f"{what} is used by {shown}{more}"

"""What a write changed, as every write of Services returns it (no database imports: the first window uses it)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

KINDS = ("workstreams", "queues", "agents", "presences", "channels", "rating_models", "skills", "capacity_profiles")


@dataclass(frozen=True)
class Changes:
    """What a write changed: kinds of record (the list keys) and, when known, the ids written.

    Every write of Services says what it changed, so a window can refresh just what shows it.
    """

    kinds: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *kinds: str, ids: Iterable[str] = ()) -> "Changes":
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kinds of record: {sorted(unknown)}")
        return cls(frozenset(kinds), frozenset(i for i in ids if i))

    @classmethod
    def everything(cls) -> "Changes":
        return cls(frozenset(KINDS))

    def touches(self, kinds: Iterable[str]) -> bool:
        return not self.kinds.isdisjoint(kinds)

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(self.kinds | other.kinds, self.ids | other.ids)

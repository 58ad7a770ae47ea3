"""What the doctor reports: findings, and the registry of checks that produce them.

A check is a function registered with ``@check(code, severity, scope)``:

* scope ``"workstream"``: called once per work stream with a ``StreamFacts``
  (the stream, its index, the document's lookups and the lazily computed rule
  analysis) and yields findings about that stream;
* scope ``"document"``: called once with a ``DocumentFacts``.

New kinds of finding (skills, capacity profiles, operating hours, overflow...)
are new registered functions in their own module, imported by
``app.doctor.checks``; nothing else changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    paths: tuple[str, ...]
    witness: dict | None = None
    # where to jump in the app: the work stream's name and, for a rule finding, its index
    workstream: str | None = None
    rule_index: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "paths": list(self.paths), "witness": self.witness}

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a finding across documents whose indexes differ (import preview)."""
        return (self.code, self.message)


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], f.workstream or "", f.rule_index or -1, f.code))


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    scope: str  # "workstream" | "document"
    run: Callable[[Any], Iterable[Finding]]
    summary: str = ""


CHECKS: list[Check] = []


def check(code: str, severity: str, scope: str, summary: str = "") -> Callable:
    """Register a check (see the module docstring)."""
    if severity not in SEVERITIES or scope not in ("workstream", "document"):
        raise ValueError(f"bad check registration {code!r}")

    def register(function: Callable[[Any], Iterable[Finding]]) -> Callable:
        CHECKS.append(Check(code, severity, scope, function, summary or (function.__doc__ or "").strip()))
        return function
    return register


@dataclass
class FindingsByRule:
    """A work stream's findings, and those of each rule by index (for the editor's marks)."""

    workstream: str
    stream: list[Finding] = field(default_factory=list)
    rules: dict[int, list[Finding]] = field(default_factory=dict)

    @property
    def worst(self) -> str | None:
        everything = self.stream + [f for found in self.rules.values() for f in found]
        return min((f.severity for f in everything), key=SEVERITY_RANK.__getitem__, default=None)

    def count(self) -> int:
        return len(self.stream) + sum(len(found) for found in self.rules.values())

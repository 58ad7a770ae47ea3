"""The configuration doctor: findings about a configuration document (Qt-free).

``diagnose(doc)`` runs every registered check (``app.doctor.findings.CHECKS``)
over a configuration document (the plain JSON dict of app/config/document.py)
and returns findings, worst first.  ``findings_for_workstream`` gives one
stream's findings by rule for the editor; ``import_findings`` says what an
import would add.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from app.common.collector import gc_paused
from app.doctor import distribution_checks, rule_checks  # noqa: F401 — importing registers their checks
from app.doctor.facts import DocumentFacts, fold
from app.doctor.findings import (
    CHECKS,
    ERROR,
    INFO,
    SEVERITIES,
    WARNING,
    SEVERITY_RANK,
    Finding,
    FindingsByRule,
    at_or_above,
    sort_findings,
)

Progress = Callable[[str, int, int], None] | None
PROGRESS_EVERY = 100


class Cancelled(Exception):
    """Raised from ``diagnose`` when ``cancelled()`` says so."""


def diagnose(doc: Mapping[str, Any], workstream: str | None = None, *, progress: Progress = None,
             cancelled: Callable[[], bool] | None = None, budget: int | None = None,
             analyses: dict | None = None, only_streams: bool = False, workers: int = 1,
             streams: set[str] | None = None) -> list[Finding]:
    """Every finding about ``doc`` (only about one work stream's when ``workstream`` is given).

    ``analyses`` (a dict the caller keeps) shares rule analyses between calls: a stream whose
    variables and rules are the same is not analysed twice.  ``only_streams`` skips the
    document-wide checks (the list's badges need the streams' findings only).  ``workers`` > 1
    analyses the rules of a large configuration in that many processes where that is safe
    (``app.doctor.parallel``); the findings are the same.  ``streams`` (folded names) limits
    the work stream checks to those streams (the document-wide checks still run)."""
    # The analysis makes millions of short-lived containers: no full collections meanwhile.
    with gc_paused():
        return _diagnose(doc, workstream, progress=progress, cancelled=cancelled, budget=budget,
                         analyses=analyses, only_streams=only_streams, workers=workers, selected=streams)


def _diagnose(doc, workstream, *, progress, cancelled, budget, analyses, only_streams, workers,
              selected=None) -> list[Finding]:
    from app.doctor import parallel

    facts = DocumentFacts(doc, budget, analyses=analyses)
    if workers > 1 and workstream is None and selected is None and analyses is None \
            and len(doc.get("workstreams", [])) >= parallel.MIN_STREAMS:
        workers = parallel.usable_workers(workers)
        if workers > 1:
            found = [] if only_streams else [f for c in CHECKS if c.scope == "document" for f in c.run(facts)]
            found += parallel.examine_in_processes(doc, workers, budget, progress)
            if progress is not None:
                progress("Examined", len(doc["workstreams"]), len(doc["workstreams"]))
            return sort_findings(found)
    found: list[Finding] = []
    stream_checks = [c for c in CHECKS if c.scope == "workstream"]
    streams = list(facts.streams())
    if selected is not None:
        streams = [s for s in streams if fold(s.name) in selected]
    if workstream is not None:
        streams = [s for s in streams if fold(s.name) == fold(workstream)]
    elif not only_streams:
        for document_check in (c for c in CHECKS if c.scope == "document"):
            found += document_check.run(facts)
    total = len(streams)
    for done, stream in enumerate(streams):
        if done % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress("Examining work streams", done, total)
        for stream_check in stream_checks:
            found += stream_check.run(stream)
    if progress is not None:
        progress("Examined", total, total)
    return sort_findings(found)


def findings_for_workstream(doc: Mapping[str, Any], name: str, *, budget: int | None = None) -> FindingsByRule:
    """One work stream's findings, those about a rule under its index (for the editor)."""
    result = FindingsByRule(name)
    for finding in diagnose(doc, name, budget=budget):
        if finding.rule_index is None:
            result.stream.append(finding)
        else:
            result.rules.setdefault(finding.rule_index, []).append(finding)
    return result


def worst_by_workstream(findings: list[Finding]) -> dict[str, tuple[str, int]]:
    """Work stream name -> (worst severity, number of findings): the list's badge."""
    badges: dict[str, tuple[str, int]] = {}
    for finding in findings:
        if finding.workstream is None:
            continue
        worst, count = badges.get(finding.workstream, (finding.severity, 0))
        if SEVERITY_RANK[finding.severity] < SEVERITY_RANK[worst]:
            worst = finding.severity
        badges[finding.workstream] = (worst, count + 1)
    return badges


@dataclass(frozen=True)
class Badge:
    """What the work streams list shows beside a stream: its worst finding, and every finding
    as (severity, message without the stream's name), worst first."""

    worst: str
    lines: tuple[tuple[str, str], ...]

    @property
    def tooltip(self) -> str:
        shown = [f"{SEVERITY_NAMES[severity]}: {message}" for severity, message in self.lines[:BADGE_LINES]]
        more = len(self.lines) - BADGE_LINES
        return "\n".join(shown + ([f"… and {more} more (View > Configuration doctor)"] if more > 0 else []))


SEVERITY_NAMES = {ERROR: "Error", WARNING: "Warning", INFO: "Info"}
BADGE_LINES = 8


def badges_by_workstream(findings: list[Finding]) -> dict[str, Badge]:
    """Folded work stream name -> its badge (streams without findings are left out)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.workstream is not None:
            grouped.setdefault(fold(finding.workstream), []).append(finding)
    badges = {}
    for name, found in grouped.items():
        ordered = sort_findings(found)
        badges[name] = Badge(ordered[0].severity, tuple((f.severity, _without_stream(f)) for f in ordered))
    return badges


def _without_stream(finding: Finding) -> str:
    """The message without its "'Stream': " prefix (the row already names the stream)."""
    prefix = f"'{finding.workstream}': "
    return finding.message[len(prefix):] if finding.message.startswith(prefix) else finding.message


def merged_document(current: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict:
    """``current`` as a merge import of ``incoming`` leaves it: objects matched by name
    (case-insensitively) are replaced, new ones added, nothing removed."""
    merged: dict[str, Any] = dict(current)
    for kind in ("rating_models", "skills", "capacity_profiles", "presences", "agents", "queues", "workstreams"):
        by_name = {fold(item["name"]): item for item in current.get(kind, [])}
        for item in incoming.get(kind, []):
            by_name[fold(item["name"])] = item
        merged[kind] = list(by_name.values())
    return merged


@dataclass
class ImportFindings:
    new: list[Finding] = field(default_factory=list)  # what the import adds
    kept: list[Finding] = field(default_factory=list)  # already there, still there
    resolved: list[Finding] = field(default_factory=list)  # there now, gone after the import
    # True when only the work streams the import changes were examined (nothing else changed):
    # ``kept`` then holds only theirs and the document-wide findings
    partial: bool = False

    @property
    def all(self) -> list[Finding]:
        """New findings first, then the ones already there."""
        return self.new + self.kept


def import_findings(current: Mapping[str, Any], incoming: Mapping[str, Any], *, replace: bool = False,
                    progress: Progress = None) -> ImportFindings:
    """The findings an import of ``incoming`` into ``current`` would add (and keep, and resolve),
    the import taken as a merge by name (or a replace).  When the import's own dry run is at
    hand, ``compare_findings(before, after)`` on its two documents is exact."""
    after_doc = dict(incoming) if replace else merged_document(current, incoming)
    return compare_findings(current, after_doc, progress=progress)


def compare_findings(before_doc: Mapping[str, Any], after_doc: Mapping[str, Any], *,
                     progress: Progress = None) -> ImportFindings:
    """The findings of ``after_doc`` that ``before_doc`` does not have (first), those it keeps,
    and those it resolves.

    Findings are matched by code and message (they name objects, not indexes, so a
    finding about an untouched object is the same before and after).  A stream whose
    rules did not change is analysed once for both documents.  When the import changes work
    streams only (queues, agents, presences, skills and profiles identical), only the streams
    that differ are examined: the others' findings cannot change (``partial``)."""
    analyses: dict = {}
    changed = _changed_streams(before_doc, after_doc)

    def stage(label: str) -> Progress:
        if progress is None:
            return None
        return lambda step, done, total: progress(f"{label}: {step.lower()}", done, total)

    before = diagnose(before_doc, progress=stage("Doctor, now"), analyses=analyses, streams=changed)
    after = diagnose(after_doc, progress=stage("Doctor, after the import"), analyses=analyses, streams=changed)
    before_keys = {f.key for f in before}
    after_keys = {f.key for f in after}
    return ImportFindings(
        new=[f for f in after if f.key not in before_keys],
        kept=[f for f in after if f.key in before_keys],
        resolved=[f for f in before if f.key not in after_keys],
        partial=changed is not None,
    )


_OTHER_KINDS = ("rating_models", "skills", "capacity_profiles", "presences", "agents", "queues")


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _changed_streams(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str] | None:
    """Folded names of the work streams that differ, or None when anything else differs too
    (a queue, an agent... can change any stream's findings).  Ids are ignored: a full bundle's
    ids replace the receiver's without changing anything the doctor looks at."""
    if any(_without_ids(before.get(kind, [])) != _without_ids(after.get(kind, [])) for kind in _OTHER_KINDS):
        return None
    old = {fold(w["name"]): _without_ids(w) for w in before.get("workstreams", [])}
    new = {fold(w["name"]): _without_ids(w) for w in after.get("workstreams", [])}
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}


__all__ = [
    "Badge", "CHECKS", "ERROR", "INFO", "badges_by_workstream", "SEVERITIES", "WARNING", "Cancelled", "Finding", "FindingsByRule", "ImportFindings",
    "at_or_above", "compare_findings", "diagnose", "findings_for_workstream", "import_findings", "merged_document",
    "worst_by_workstream",
]

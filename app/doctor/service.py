"""What the app's Doctor and impact views call (they never open a session themselves)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from app.doctor import FindingsByRule, diagnose, findings_for_workstream
from app.doctor.findings import Finding
from app.doctor.impact import ImpactGraph

Progress = Callable[[str, int, int], None] | None


@dataclass(frozen=True)
class Examination:
    findings: list[Finding]
    graph: ImpactGraph


def read_document(db, progress: Progress = None) -> dict:
    from app.config.io import export_document

    if progress is not None:
        progress("Reading the configuration", 0, 2)
    return export_document(db)


def examine(db, progress: Progress = None) -> Examination:
    """Every finding and the impact graph of the database's configuration (a background task)."""
    doc = read_document(db, progress)
    findings = diagnose(doc, progress=progress)
    return Examination(findings, ImpactGraph.from_document(doc))


def impact_graph(db) -> ImpactGraph:
    return ImpactGraph.from_document(read_document(db))


def workstream_findings(db, name: str) -> FindingsByRule:
    """One stream's findings by rule, for the editor's marks and the list badge."""
    from app.config.io import export_document

    return findings_for_workstream(export_document(db, workstreams=[name]), name)

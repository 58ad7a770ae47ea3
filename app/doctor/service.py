"""What the app's Doctor and impact views call (they never open a session themselves)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from app.doctor import Badge, FindingsByRule, badges_by_workstream, ImportFindings, compare_findings, diagnose, findings_for_workstream
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


def workstream_badges(db, names: list[str], progress: Progress = None) -> dict[str, Badge | None]:
    """Folded name -> badge (None: no findings) for these work streams (the rows a list has loaded):
    only they and what they use are read, so a page of a 10,000-stream list costs a page."""
    from app.doctor.facts import fold

    if not names:
        return {}
    doc = read_document_of(db, names)
    badges = badges_by_workstream(diagnose(doc, progress=progress, only_streams=True))
    return {fold(name): badges.get(fold(name)) for name in names}


def read_document_of(db, names: list[str]) -> dict:
    from app.config.io import export_document

    return export_document(db, workstreams=names)


def plan_findings(plan, progress: Progress = None) -> ImportFindings:
    """What an import's dry run (``keep_documents=True``) adds to the findings, new ones first."""
    if plan.before_document is None or plan.after_document is None:
        raise ValueError("the plan was made without keep_documents=True")
    return compare_findings(plan.before_document, plan.after_document, progress=progress)


def bundle_import_findings(db, path, *, replace: bool = False, on_conflict: str = "stop",
                           progress: Progress = None) -> ImportFindings:
    """What importing a ``.wsbundle`` (full or delta) would add to the findings (new findings first).

    It is the bundle import's own dry run, so what is compared is exactly what the import
    would leave."""
    from app.interchange.bundle_service import import_bundle

    plan = import_bundle(db, path, dry_run=True, replace=replace, on_conflict=on_conflict, keep_documents=True)
    return plan_findings(plan, progress)


def cmt_import_findings(db, path, progress: Progress = None) -> ImportFindings:
    """What merging a CMT package (or solution folder) would add to the findings (new findings first)."""
    from app.interchange.cmt_service import import_cmt

    plan, _remarks = import_cmt(db, path, dry_run=True, keep_documents=True)
    return plan_findings(plan, progress)

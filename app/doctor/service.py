"""What the app's Doctor and impact views call (they never open a session themselves)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from app.doctor import FindingsByRule, ImportFindings, diagnose, findings_for_workstream, import_findings
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


def bundle_import_findings(db, path, *, replace: bool = False, progress: Progress = None) -> ImportFindings:
    """What importing a full ``.wsbundle`` would add to the findings (new findings first).

    Delta bundles are not previewed (what they leave depends on the receiver's
    versions); run the doctor after applying one."""
    from app.common.errors import UserError
    from app.config.document import dump
    from app.interchange.bundles.format import read_bundle

    loaded = read_bundle(path)
    if loaded.kind == "delta":
        raise UserError("the doctor previews full bundles only; check a delta after applying it")
    return import_findings(read_document(db, progress), dump(loaded.document), replace=replace, progress=progress)


def cmt_import_findings(db, path, progress: Progress = None) -> ImportFindings:
    """What merging a CMT package would add to the findings (new findings first)."""
    from app.interchange.cmt import read_cmt_package

    return import_findings(read_document(db, progress), read_cmt_package(path).document, progress=progress)

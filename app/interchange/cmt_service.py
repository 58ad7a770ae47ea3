"""CMT packages and unpacked solution folders against the database: export, import.

An import is an upsert, as Microsoft's Configuration Migration tool does it: what the
package carries is created or updated; nothing else changes (app.interchange.cmt.merge_into).
It is planned and applied in one transaction after a backup; a refused import leaves the
database file byte-identical.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.common.errors import UserError
from app.config.document import DocumentInvalid, validate_document
from app.config.io import apply_document, export_from_session, known_names
from app.interchange.bundle_service import ImportPlan
from app.interchange.bundles.diff import diff_documents
from app.interchange.cmt import CmtImport, build_cmt_package, merge_into, named_problem, read_cmt_package
from app.interchange.solution_folder import read_solution_folder
from app.common.files import write_atomically
from app.store.database import Database, backup_sqlite_file
from models import BundleHistory

LABEL = "CMT package"


@dataclass(frozen=True)
class CmtExport:
    workstreams: int
    queues: int
    rounded: list[str]  # durations that were not whole minutes (written rounded up), one line each
    not_carried: list[str] = field(default_factory=list)  # what a package cannot hold (split rules...), one line each


def read_cmt_source(source: str | Path) -> CmtImport:
    """A CMT package (zip) or an unpacked solution folder; CmtRejected names any problem."""
    if Path(source).is_dir():
        return read_solution_folder(source)
    return read_cmt_package(source)


def export_cmt(db: Database, target: str | Path) -> CmtExport:
    with db.session() as session:
        document = export_from_session(session, with_ids=True)
        package = build_cmt_package(document)
        session.add(BundleHistory(direction="export", file=str(target), label=LABEL, kind="cmt"))
        write_atomically(Path(target), package.data)
    return CmtExport(len(document["workstreams"]), len(document["queues"]), package.rounded, package.not_carried)


def import_cmt(db: Database, source: str | Path | CmtImport, *, dry_run: bool = False,
               name: str | None = None, keep_documents: bool = False) -> tuple[ImportPlan, list[str]]:
    """Upsert what a package (or solution folder) carries; everything else stays as it is.

    ``keep_documents`` puts the configuration before and after in the plan (for the doctor).
    ``source`` may be already read (``read_cmt_source``), so a command line can refuse a bad
    file before it opens the database at all.
    """
    imported = source if isinstance(source, CmtImport) else read_cmt_source(source)
    where = name or (str(source) if not isinstance(source, CmtImport) else "package")
    with db.sessions() as session:
        known = known_names(session)
        current = export_from_session(session, with_ids=True)
    merged, notes = merge_into(current, imported)
    try:
        doc = validate_document(merged, known)
    except DocumentInvalid as error:
        raise UserError(f"{where}: {named_problem(error, merged)}") from None
    remarks = [*notes, *imported.ignored]
    if not dry_run and db.path is not None and db.path.exists():
        backup = str(backup_sqlite_file(db.path, "before-import"))
    else:
        backup = None
    with db.sessions() as session:
        try:
            before = export_from_session(session, with_ids=True)
            with session.no_autoflush:
                summary = apply_document(session, doc)
            session.flush()
            after = export_from_session(session, with_ids=True)
            plan = ImportPlan(where, "cmt", LABEL, {}, diff_documents(before, after), summary, backup=backup)
            if keep_documents:
                plan.before_document, plan.after_document = before, after
            if dry_run:
                session.rollback()
                return plan, remarks
            counts = summary.counts()
            session.add(BundleHistory(direction="import", file=where, label=LABEL, kind="cmt",
                                      created=counts["created"], updated=counts["updated"], deleted=counts["deleted"]))
            session.commit()
            plan.applied = True
            return plan, remarks
        except BaseException:
            session.rollback()
            raise

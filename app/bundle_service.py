"""Bundles against the database: export, plan, import (one transaction), history.

Provenance travels with the configuration, not the file: the manifest's
``source_database_id`` is the configuration's *origin* (the database it was
first created in) and ``created_at`` the time it last changed.  A replacing
import adopts both, so DB → bundle → empty DB → bundle gives the same bytes.

A *baseline* is the configuration as one full bundle carried it, identified by
the SHA-256 of that bundle's config.json.  Each console records, per object,
the (local) version it had at that baseline; a delta since it carries what
changed after.  Versions are local to a database, so the receiver of a delta
judges conflicts against its own record of the same baseline.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.bundles.delta import DeltaConflict, apply_delta, detect_conflicts, make_delta
from app.bundles.diff import Diff, diff_documents
from app.bundles.format import LoadedBundle, bundle_bytes, read_bundle
from app.bundles.manifest import utc_timestamp
from app.configdoc import ConfigDocument, DocumentInvalid, validate_document
from app.configio import ApplySummary, apply_document, export_from_session, known_names
from app.database import Database, backup_sqlite_file
from app.errors import UserError
from models import Agent, Baseline, BaselineObject, BundleHistory, Presence, Queue, Setting, WorkStream
from models.entities import utcnow

from app.database import CHANGED_KEY, ORIGIN_KEY
VERSIONED = (("presence", Presence), ("agent", Agent), ("queue", Queue), ("workstream", WorkStream))
Progress = Callable[[str, int, int], None]  # step, done, total


# --------------------------------------------------------------------------- provenance

def _setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def _set(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def provenance(session: Session) -> tuple[str, str]:
    """(origin id, last-changed time) for a manifest."""
    origin = _setting(session, ORIGIN_KEY) or _setting(session, "database_id") or ""
    changed = _setting(session, CHANGED_KEY) or "1980-01-01T00:00:00Z"
    return origin, changed


# --------------------------------------------------------------------------- export

@dataclass
class ExportResult:
    path: str
    kind: str
    label: str
    baseline_id: str
    size: int
    counts: dict[str, int]


def local_versions(session: Session) -> dict[tuple[str, str], tuple[int, str]]:
    """(kind, id) -> (version, name) for every versioned top-level object."""
    found = {}
    for kind, model in VERSIONED:
        query = select(model.id, model.version, model.name)
        if model is Presence:
            query = query.where(Presence.is_system.is_(False))
        for object_id, version, name in session.execute(query):
            found[(kind, object_id)] = (version, name)
    return found


def baseline_id_for(config_bytes: bytes) -> str:
    return hashlib.sha256(config_bytes).hexdigest()


def _config_member(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # our own bytes, just written
        return archive.read("config.json")


def export_bundle(db: Database, target: str | Path, *, workstreams: list[str] | None = None, label: str = "",
                  delta_since: str | None = None, sign_key: bytes | None = None) -> ExportResult:
    with db.session() as session:
        origin, changed = provenance(session)
        document = export_from_session(session, with_ids=True, workstreams=workstreams)
        if delta_since is not None:
            baseline = resolve_baseline(session, delta_since)
            rows = session.scalars(select(BaselineObject).where(BaselineObject.baseline_id == baseline.id)).all()
            recorded = {(r.kind, r.object_id): {"version": r.version, "name": r.name} for r in rows}
            now = {key: version for key, (version, _name) in local_versions(session).items()}
            config = make_delta(recorded, document, now, baseline_id=baseline.id, label=label or baseline.label)
            kind = "delta"
        else:
            config, kind = document, "full"
        data = bundle_bytes(config, kind=kind, label=label, source_database_id=origin, created_at=changed,
                            sign_key=sign_key)
        baseline_id = baseline_id_for(_config_member(data)) if kind == "full" else config["baseline"]["id"]
        if kind == "full" and workstreams is None:
            _record_baseline(session, baseline_id, label, origin)
        counts = ({k: len(document[k]) for k in ("presences", "agents", "queues", "workstreams")} if kind == "full"
                  else {"changes": len(config["changes"])})
        session.add(BundleHistory(direction="export", file=str(target), label=label, kind=kind,
                                  baseline_id=baseline_id))
        _write_atomically(Path(target), data)
    return ExportResult(str(target), kind, label, baseline_id, len(data), counts)


def _write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".part")
    temp.write_bytes(data)
    temp.replace(path)


def _record_baseline(session: Session, baseline_id: str, label: str, origin: str) -> None:
    """Remember every object's local version as of this configuration."""
    session.execute(delete(BaselineObject).where(BaselineObject.baseline_id == baseline_id))
    existing = session.get(Baseline, baseline_id)
    if existing is None:
        session.add(Baseline(id=baseline_id, label=label, source_database_id=origin))
    else:
        existing.label, existing.at = label or existing.label, utcnow()
    session.flush()
    session.add_all(
        BaselineObject(baseline_id=baseline_id, kind=kind, object_id=object_id, name=name, version=version)
        for (kind, object_id), (version, name) in local_versions(session).items()
    )


def resolve_baseline(session: Session, spec: str) -> Baseline:
    """A baseline by id (or a unique prefix of 8+ characters), by label, or by the bundle file it came from."""
    path = Path(spec)
    if path.suffix == ".wsbundle" or path.is_file():
        loaded = read_bundle(path)
        if loaded.manifest.kind != "full":
            raise UserError(f"{spec}: a delta bundle is not a baseline; name the full bundle it was made from")
        spec = loaded.manifest.members["config.json"].sha256
    candidates = session.scalars(select(Baseline).where(Baseline.id == spec.lower())).all()
    if not candidates and len(spec) >= 8:
        candidates = session.scalars(select(Baseline).where(Baseline.id.startswith(spec.lower()))).all()
    if not candidates:
        candidates = session.scalars(select(Baseline).where(Baseline.label == spec).order_by(Baseline.at.desc())).all()[:1]
    if not candidates:
        raise UserError(f"no baseline '{spec}' here: export or import the full bundle it names first")
    if len(candidates) > 1:
        raise UserError(f"baseline '{spec}' is ambiguous; give more of its id")
    return candidates[0]


def list_baselines(db: Database) -> list[dict]:
    with db.sessions() as session:
        return [{"id": b.id, "label": b.label, "at": b.at, "source_database_id": b.source_database_id}
                for b in session.scalars(select(Baseline).order_by(Baseline.at.desc()))]


# --------------------------------------------------------------------------- import

@dataclass
class ImportPlan:
    file: str
    kind: str
    label: str
    manifest: dict
    diff: Diff
    summary: ApplySummary
    conflicts: list = field(default_factory=list)
    applied: bool = False
    backup: str | None = None

    def lines(self) -> list[str]:
        return self.summary.lines()

    def counts(self) -> dict[str, int]:
        return self.summary.counts()


def import_bundle(db: Database, source: str | Path | bytes, *, dry_run: bool = False, replace: bool = False,
                  on_conflict: str = "stop", require_signature: bool = False, sign_key: bytes | None = None,
                  progress: Progress | None = None) -> ImportPlan:
    """Check everything, plan, and (unless dry_run) apply in one transaction after a backup.

    Conflicts of a delta with on_conflict="stop" are returned in the plan of a
    dry run and raised (DeltaConflict) by a real one; nothing is written then.
    """
    step = progress or (lambda *_: None)
    name = str(source) if not isinstance(source, (bytes, bytearray)) else "bundle"
    step("Checking the bundle", 0, 4)
    with db.sessions() as session:
        known = known_names(session)
    loaded = read_bundle(source, require_signature=require_signature, sign_key=sign_key,
                         known=None if replace else known)
    step("Planning", 1, 4)
    plan = _plan(db, loaded, name, replace=replace, on_conflict=on_conflict, apply=False)
    if dry_run or (plan.conflicts and on_conflict == "stop"):
        if plan.conflicts and on_conflict == "stop" and not dry_run:
            raise DeltaConflict(plan.conflicts)
        return plan
    step("Backing up the database", 2, 4)
    if db.path is not None and db.path.exists():
        plan.backup = str(backup_sqlite_file(db.path, "before-import"))
    step("Applying", 3, 4)
    applied = _plan(db, loaded, name, replace=replace, on_conflict=on_conflict, apply=True)
    applied.backup = plan.backup
    step("Done", 4, 4)
    return applied


def _plan(db: Database, loaded: LoadedBundle, name: str, *, replace: bool, on_conflict: str, apply: bool) -> ImportPlan:
    """Apply inside a transaction and read the result back: the plan is exactly what happens.

    Without ``apply`` the transaction is rolled back, so a preview writes nothing.
    """
    with db.sessions() as session:
        try:
            before = export_from_session(session, with_ids=True)
            conflicts: list = []
            if loaded.kind == "delta":
                target, conflicts = _delta_target(session, loaded, before, on_conflict)
                if target is None:
                    session.rollback()
                    return ImportPlan(name, "delta", loaded.manifest.label, loaded.manifest.to_json(),
                                      diff_documents(before, before), ApplySummary(), conflicts)
                doc, doc_replace = validate_document(target), True
            else:
                doc, doc_replace = loaded.document, replace
                assert isinstance(doc, ConfigDocument)
            with session.no_autoflush:
                summary = apply_document(session, doc, replace=doc_replace)
            session.flush()
            after = export_from_session(session, with_ids=True)
            plan = ImportPlan(name, loaded.kind, loaded.manifest.label, loaded.manifest.to_json(),
                              diff_documents(before, after), summary, conflicts)
            if not apply:
                session.rollback()
                return plan
            _after_import(session, loaded, name, summary, replace=doc_replace or _was_empty(before))
            session.commit()
            plan.applied = True
            return plan
        except BaseException:
            session.rollback()
            raise


def _was_empty(document: dict) -> bool:
    return not any(document[k] for k in ("presences", "agents", "queues", "workstreams"))


def _delta_target(session: Session, loaded: LoadedBundle, before: dict, on_conflict: str) -> tuple[dict | None, list]:
    delta = loaded.raw_config
    baseline = session.get(Baseline, delta["baseline"]["id"])
    if baseline is None:
        raise UserError(f"this console has no baseline {delta['baseline']['id'][:12]} "
                        f"('{delta['baseline']['label']}'): import the full bundle the delta was made from first")
    recorded = {(r.kind, r.object_id): r.version for r in
                session.scalars(select(BaselineObject).where(BaselineObject.baseline_id == baseline.id))}
    now = local_versions(session)
    translated: dict[tuple[str, str], int] = {}
    from_versions = {(c["kind"], c["id"]): c["from_version"] for c in delta["changes"]}
    for key, (version, _name) in now.items():
        unchanged = recorded.get(key) == version
        # Equal to the delta's from_version exactly when unchanged here since the shared baseline;
        # a negative number says "changed here" and never matches.
        translated[key] = from_versions.get(key, version) if unchanged and key in from_versions else -version
    conflicts = detect_conflicts(delta, translated, before)
    if conflicts and on_conflict == "stop":
        return None, conflicts
    try:
        return apply_delta(before, delta, on_conflict, receiver_versions=translated), conflicts
    except DeltaConflict as error:  # pragma: no cover - detect_conflicts saw them first
        return None, list(error.conflicts)


def _after_import(session: Session, loaded: LoadedBundle, name: str, summary: ApplySummary, *, replace: bool) -> None:
    counts = summary.counts()
    config_sha = loaded.manifest.members["config.json"].sha256
    session.add(BundleHistory(direction="import", file=name, label=loaded.manifest.label, kind=loaded.kind,
                              created=counts["created"], updated=counts["updated"], deleted=counts["deleted"],
                              baseline_id=config_sha if loaded.kind == "full" else loaded.raw_config["baseline"]["id"]))
    if loaded.kind == "full":
        session.flush()
        if replace:
            # The configuration now *is* the bundle's: adopt its provenance.
            session.info["adopting_provenance"] = True
            _set(session, ORIGIN_KEY, loaded.manifest.source_database_id)
            _set(session, CHANGED_KEY, loaded.manifest.created_at)
            session.flush()
            session.info.pop("adopting_provenance", None)
        _record_baseline(session, config_sha, loaded.manifest.label, loaded.manifest.source_database_id)


# --------------------------------------------------------------------------- history

@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    direction: str
    file: str
    label: str
    kind: str
    created: int
    updated: int
    deleted: int
    baseline_id: str


def history(db: Database, limit: int = 500) -> list[HistoryRow]:
    with db.sessions() as session:
        rows = session.scalars(select(BundleHistory).order_by(BundleHistory.at.desc()).limit(limit))
        return [HistoryRow(r.at, r.direction, r.file, r.label, r.kind, r.created, r.updated, r.deleted,
                           r.baseline_id or "") for r in rows]


# --------------------------------------------------------------------------- CMT

def export_cmt(db: Database, target: str | Path) -> dict[str, int]:
    from app.cmt import cmt_package_bytes

    with db.session() as session:
        document = export_from_session(session, with_ids=True)
        data = cmt_package_bytes(document)
        session.add(BundleHistory(direction="export", file=str(target), label="CMT package", kind="cmt"))
        _write_atomically(Path(target), data)
    return {"workstreams": len(document["workstreams"]), "queues": len(document["queues"])}


def import_cmt(db: Database, source: str | Path, *, dry_run: bool = False) -> tuple[ImportPlan, list[str]]:
    """Map a CMT package to a document and merge it through the same validation and transaction."""
    from app.cmt import read_cmt_package

    imported = read_cmt_package(source)
    with db.sessions() as session:
        known = known_names(session)
    try:
        doc = validate_document(imported.document, known)
    except DocumentInvalid as error:
        raise UserError(f"{source}: {error}") from None
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
            plan = ImportPlan(str(source), "cmt", "CMT package", {}, diff_documents(before, after), summary,
                              backup=backup)
            if dry_run:
                session.rollback()
                return plan, [*imported.notes, *imported.ignored]
            counts = summary.counts()
            session.add(BundleHistory(direction="import", file=str(source), label="CMT package", kind="cmt",
                                      created=counts["created"], updated=counts["updated"], deleted=counts["deleted"]))
            session.commit()
            plan.applied = True
            return plan, [*imported.notes, *imported.ignored]
        except BaseException:
            session.rollback()
            raise

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
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.interchange.bundles.delta import DeltaConflict, apply_delta, detect_conflicts, make_delta
from app.interchange.bundles.diff import Change, Diff, diff_documents
from app.interchange.bundles.format import LoadedBundle, add_member, bundle_bytes, read_bundle
from app.interchange.bundles.manifest import CONFIG_MEMBER, MANIFEST_MEMBER, build_manifest
from app.interchange.bundles.manifest import canonical_json as config_json_bytes
from app.config.document import ConfigDocument, DocumentInvalid, validate_document
from app.config.io import SUMMARY_KINDS, ApplySummary, apply_document, export_from_session, gc_paused, known_names
from app.store.database import Database, backup_sqlite_file, database_errors
from app.common.errors import UserError
from app.common.files import write_atomically
from models import Agent, Baseline, BaselineObject, BundleHistory, Presence, Queue, Setting, WorkStream
from models import CapacityProfile, RatingModel, Skill
from models.entities import utcnow

from app.store.database import CHANGED_KEY, ORIGIN_KEY
VERSIONED = (("presence", Presence), ("agent", Agent), ("queue", Queue), ("workstream", WorkStream),
             ("rating_model", RatingModel), ("skill", Skill), ("capacity_profile", CapacityProfile))
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


def export_bundle(db: Database, target: str | Path, *, workstreams: list[str] | None = None, label: str = "",
                  delta_since: str | None = None, sign_key: bytes | None = None) -> ExportResult:
    with gc_paused(), database_errors(db), db.session() as session:
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
        if kind == "full":
            config_data = config_json_bytes(document)
            data = _bundle_bytes_of(config_data, kind=kind, label=label, source_database_id=origin,
                                    created_at=changed, sign_key=sign_key, check=lambda: _check_export(document))
            baseline_id = baseline_id_for(config_data)
        else:
            data = bundle_bytes(config, kind=kind, label=label, source_database_id=origin, created_at=changed,
                                sign_key=sign_key)
            baseline_id = config["baseline"]["id"]
        if kind == "full" and workstreams is None:
            _record_baseline(session, baseline_id, label, origin)
        counts = ({k: len(document[k]) for k in ("presences", "agents", "queues", "workstreams")} if kind == "full"
                  else {"changes": len(config["changes"])})
        check_readable(data)
        session.add(BundleHistory(direction="export", file=str(target), label=label, kind=kind,
                                  baseline_id=baseline_id))
        _write_atomically(Path(target), data)
    return ExportResult(str(target), kind, label, baseline_id, len(data), counts)


def _check_export(document: dict) -> None:
    """The check ``config_bytes_for(document, "full")`` makes, with the same refusal.

    A document just exported from a database is written as it is, not re-dumped
    through the schema: it already carries every field, filled in, with its id, in
    the types the schema dumps (tests/app/services/test_bulk.py checks the bytes are the same),
    and on a large configuration that dump costs more than the export itself.
    """
    try:
        validate_document(document)
    except DocumentInvalid as error:
        raise UserError(f"cannot export: {error}") from None


# From this size on, the zip is deflated in a second thread while the document is
# validated (zlib releases the GIL): the two take about as long on a large export.
PARALLEL_ZIP_BYTES = 4 * 1024 * 1024


def _bundle_bytes_of(config_data: bytes, *, kind: str, label: str, source_database_id: str, created_at: str,
                     sign_key: bytes | None, check: Callable[[], None]) -> bytes:
    """``bundle_bytes`` for config.json bytes already made (app.interchange.bundles.format writes the same
    members, in the same order, the same way); ``check()`` raises if they must not be written."""
    try:
        manifest = build_manifest(config_bytes=config_data, kind=kind, label=label,
                                  source_database_id=source_database_id, created_at=created_at, sign_key=sign_key)
    except Exception:
        check()  # a problem with the document is reported first, as bundle_bytes does
        raise

    def build() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            add_member(archive, MANIFEST_MEMBER, config_json_bytes(manifest))
            add_member(archive, CONFIG_MEMBER, config_data)
        return buffer.getvalue()

    if len(config_data) < PARALLEL_ZIP_BYTES:
        check()
        return build()
    with ThreadPoolExecutor(max_workers=1) as pool:
        zipped = pool.submit(build)
        check()  # raising here still waits for the thread, then discards its bytes
        return zipped.result()


def _write_atomically(path: Path, data: bytes) -> None:
    write_atomically(path, data)


def check_readable(data: bytes) -> None:
    """Refuse to write a bundle that ``read_bundle`` would refuse for its size: the
    archive, each member and its expansion ratio are held to the reader's limits."""
    from app.interchange.bundles import format as bundle_format
    from app.common import safety

    if len(data) > safety.MAX_ARCHIVE_BYTES:
        raise UserError(f"cannot export: the bundle would be {safety.human_size(len(data))}, more than the "
                        f"{safety.human_size(safety.MAX_ARCHIVE_BYTES)} a bundle may be; export fewer work streams "
                        "(--workstream)")
    limits = {MANIFEST_MEMBER: bundle_format.MAX_MANIFEST_BYTES, CONFIG_MEMBER: bundle_format.MAX_CONFIG_BYTES}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            limit = limits.get(info.filename)
            if limit is not None and info.file_size > limit:
                raise UserError(f"cannot export: {info.filename} would be {safety.human_size(info.file_size)}, "
                                f"more than the {safety.human_size(limit)} a bundle may hold; export fewer work "
                                "streams (--workstream)")
            budget = max(safety.MAX_EXPANSION_RATIO * info.compress_size, safety.RATIO_GRACE_BYTES)
            if info.file_size > budget:
                raise UserError(f"cannot export: {info.filename} compresses more than "
                                f"{safety.MAX_EXPANSION_RATIO}:1, which the bundle reader refuses")


def _record_baseline(session: Session, baseline_id: str, label: str, origin: str) -> None:
    """Remember every object's local version as of this configuration."""
    session.execute(delete(BaselineObject).where(BaselineObject.baseline_id == baseline_id))
    existing = session.get(Baseline, baseline_id)
    if existing is None:
        session.add(Baseline(id=baseline_id, label=label, source_database_id=origin))
    else:
        existing.label, existing.at = label or existing.label, utcnow()
    session.flush()
    rows = [{"baseline_id": baseline_id, "kind": kind, "object_id": object_id, "name": name, "version": version}
            for (kind, object_id), (version, name) in local_versions(session).items()]
    if rows:
        session.execute(insert(BaselineObject.__table__), rows)


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
    # a dry run asked for them (keep_documents): the configuration before and after, for the doctor
    before_document: dict | None = None
    after_document: dict | None = None

    def lines(self) -> list[str]:
        return self.summary.lines()

    def counts(self) -> dict[str, int]:
        return self.summary.counts()


def import_bundle(db: Database, source: str | Path | bytes, *, dry_run: bool = False, replace: bool = False,
                  on_conflict: str = "stop", require_signature: bool = False, sign_key: bytes | None = None,
                  progress: Progress | None = None, keep_documents: bool = False) -> ImportPlan:
    """Check everything, plan, and (unless dry_run) apply in one transaction after a backup.

    Conflicts of a delta with on_conflict="stop" are returned in the plan of a
    dry run and raised (DeltaConflict) by a real one; nothing is written then.

    The plan is made by applying the bundle inside the transaction and reading the
    result back, so it is exactly what happens; a real import then keeps that same
    transaction (after backing up the file, whose committed state is still the one
    before the import) instead of rolling back and applying everything a second time.
    ``keep_documents`` puts the configuration before and after in the plan (the import
    preview's doctor compares them).
    """
    with gc_paused(), database_errors(db):
        return _import_bundle(db, source, dry_run=dry_run, replace=replace, on_conflict=on_conflict,
                              require_signature=require_signature, sign_key=sign_key, progress=progress,
                              keep_documents=keep_documents)


def _import_bundle(db: Database, source: str | Path | bytes, *, dry_run: bool, replace: bool, on_conflict: str,
                   require_signature: bool, sign_key: bytes | None, progress: Progress | None,
                   keep_documents: bool = False) -> ImportPlan:
    step = progress or (lambda *_: None)
    name = str(source) if not isinstance(source, (bytes, bytearray)) else "bundle"
    step("Checking the bundle", 0, 4)
    with db.sessions() as session:
        known = known_names(session)
    loaded = read_bundle(source, require_signature=require_signature, sign_key=sign_key,
                         known=None if replace else known)
    step("Planning", 1, 4)
    with db.sessions() as session:
        try:
            plan, doc_replace = _plan(session, loaded, name, replace=replace, on_conflict=on_conflict,
                                      keep_documents=keep_documents)
            stopped = bool(plan.conflicts) and on_conflict == "stop"
            if dry_run or stopped or doc_replace is None:
                session.rollback()
                if stopped and not dry_run:
                    raise DeltaConflict(plan.conflicts)
                return plan
            step("Backing up the database", 2, 4)
            if db.path is not None and db.path.exists():
                # A separate connection reads the last committed state: the database before this import.
                plan.backup = str(backup_sqlite_file(db.path, "before-import"))
            step("Applying", 3, 4)
            _after_import(session, loaded, name, plan.summary, replace=doc_replace)
            session.commit()
            plan.applied = True
        except BaseException:
            session.rollback()
            raise
    step("Done", 4, 4)
    return plan


def _plan(session: Session, loaded: LoadedBundle, name: str, *, replace: bool,
          on_conflict: str, keep_documents: bool = False) -> tuple[ImportPlan, bool | None]:
    """Apply inside the session's transaction and read the result back: the plan is exactly
    what happens.  Returns the plan and whether a real import replaces the configuration
    (None when nothing can be applied: a delta stopped by its conflicts).  The caller
    commits or rolls back.
    """
    before = export_from_session(session, with_ids=True)
    conflicts: list = []
    if loaded.kind == "delta":
        target, conflicts = _delta_target(session, loaded, before, on_conflict)
        if target is None:
            stopped = ImportPlan(name, "delta", loaded.manifest.label, loaded.manifest.to_json(),
                                 diff_documents(before, before), ApplySummary(), conflicts)
            if keep_documents:  # nothing would change
                stopped.before_document = stopped.after_document = before
            return stopped, None
        doc, doc_replace = validate_document(target), True
    else:
        doc, doc_replace = loaded.document, replace
        assert isinstance(doc, ConfigDocument)
    was_empty = _was_empty(before)
    with session.no_autoflush:
        # A full bundle's ids become this console's: a later delta finds its objects here.
        summary = apply_document(session, doc, replace=doc_replace, adopt_ids=loaded.kind == "full")
    session.flush()
    after = export_from_session(session, with_ids=True) if keep_documents or not was_empty else None
    if was_empty:
        diff = created_diff(summary)
    else:
        diff = diff_documents(before, after)
    plan = ImportPlan(name, loaded.kind, loaded.manifest.label, loaded.manifest.to_json(), diff, summary, conflicts)
    if keep_documents:
        plan.before_document, plan.after_document = before, after
    return plan, doc_replace or was_empty


def created_diff(summary: ApplySummary) -> Diff:
    """``diff_documents(before, after)`` when ``before`` held no configuration.

    Everything in ``after`` was created by this import, and that is the summary's
    ``created`` (the writer records each object it creates; base presences are not
    exported and not recorded).  With nothing on the old side the diff matches nothing,
    so it is one create per top-level object and nothing nested: no need to export
    ``after`` and parse both documents for that.
    """
    changes = [Change("create", kind[:-1], name) for kind in SUMMARY_KINDS for name in summary.created[kind]]
    return Diff(sorted(changes, key=Change.sort_key))


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


# CMT packages against the database: app.interchange.cmt_service (export_cmt, import_cmt).

"""Long actions over a whole configuration, made to run off the GUI thread.

Each takes ``progress(step, done, total)``: the GUI's background runner passes
one that raises ``Cancelled`` after Cancel was pressed, so every call of it is
a point where the action may stop.  Everything that writes does so in one
transaction, and its progress calls come before the commit: a cancelled (or
failed) action leaves the database as it was.

* ``preview_import`` reads and checks a configuration document (JSON) and
  works out what importing it would change (a dry run, rolled back);
  ``apply_import`` then merges it, work streams in chunks so progress moves
  and Cancel is heard.
* ``export_configuration`` writes the whole configuration as a document.
* ``generate_sample`` merges a generated configuration of a chosen size
  (``app.config.generate``).
* ``delete_many`` deletes many records of one kind, set-based.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.config.document import ConfigDocument, check_references, parse_document
from app.config.references import presence_users, queue_users
from app.config.io import (
    ApplySummary,
    note_change,
    apply_document,
    canonical_json,
    export_document,
    gc_paused,
    known_names,
)
from app.store.database import Database
from app.common.errors import DocumentInvalid, InUseError, UserError
from app.common import files
from app.common.files import write_atomically
from models import Agent, Channel, ContextVariable, Presence, Queue, RoutingRuleItem, RoutingTestCase, WorkStream
from models.entities import queue_members

Progress = Callable[[str, int, int], None] | None

IMPORT_CHUNK = 250  # work streams applied between two progress points
DELETE_CHUNK = 500  # rows deleted between two progress points
MAX_DOCUMENT_BYTES = files.MAX_DOCUMENT_BYTES  # the one limit (app/common/files.py)


def _report(progress: Progress, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


# --------------------------------------------------------------------------- import


@dataclass
class ImportPreview:
    """A checked document and what merging it would do (as of the check)."""

    path: str
    document: ConfigDocument
    counts: dict[str, int]
    lines: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.path).name


def read_document_file(path: str | Path) -> Any:
    """A JSON document read with the bundle reader's rules and limits; one-line errors."""
    from app.common import safety

    path = Path(path)
    data = files.read_limited(path, limit=MAX_DOCUMENT_BYTES, what="document")  # counted; regular files only
    return safety.load_json(data, path.name, error=safety.RejectedInput)


def preview_import(db: Database, path: str | Path, progress: Progress = None) -> ImportPreview:
    """Read, check and dry-run a merge of the document at ``path``; nothing is written."""
    _report(progress, "Reading the file", 0, 3)
    data = read_document_file(path)
    _report(progress, "Checking the configuration", 1, 3)
    with gc_paused():
        document = parse_document(data)
        _report(progress, "Working out the changes", 2, 3)
        with db.session() as session:
            _check(session, document)
            summary = apply_document(session, document)
            session.rollback()
    _report(progress, "Checked", 3, 3)
    return ImportPreview(str(path), document, summary.counts(), summary.lines())


def apply_import(db: Database, preview: ImportPreview, progress: Progress = None) -> ApplySummary:
    """Merge a previewed document (its references are checked again: the database may have moved on)."""
    with gc_paused(), db.session() as session:
        _check(session, preview.document)
        summary = apply_in_chunks(session, preview.document, progress, step="Importing work streams")
    _report(progress, "Imported", 1, 1)
    return summary


def _check(session: Session, document: ConfigDocument) -> None:
    issues = check_references(document, known_names(session))
    if issues:
        raise DocumentInvalid(issues)


def apply_in_chunks(session: Session, document: ConfigDocument, progress: Progress, *,
                    step: str, chunk: int | None = None) -> ApplySummary:
    """``apply_document`` (merge) in the session's transaction, the work streams ``chunk`` at a time.

    Presences, agents and queues go first (streams refer to them), then each
    slice of streams; a progress call between slices may cancel, and the
    caller's transaction then rolls everything back.
    """
    chunk = chunk or IMPORT_CHUNK
    streams = list(document.workstreams)
    total = len(streams) + 1
    _report(progress, "Importing presences, agents and queues", 0, total)
    summary = apply_document(session, document.model_copy(update={"workstreams": []}))
    session.flush()
    for start in range(0, len(streams), chunk):
        _report(progress, step, start + 1, total)
        part = apply_document(session, document.model_copy(update={
            "presences": [], "agents": [], "queues": [], "workstreams": streams[start:start + chunk]}))
        session.flush()
        _merge(summary, part)
    _report(progress, "Saving", total - 1, total)  # the last point where Cancel still rolls back
    return summary


def _merge(into: ApplySummary, part: ApplySummary) -> None:
    for table, more in ((into.created, part.created), (into.updated, part.updated), (into.deleted, part.deleted)):
        for kind, names in more.items():
            table[kind].extend(names)


# --------------------------------------------------------------------------- export


@dataclass
class ExportResult:
    path: str
    counts: dict[str, int]
    size: int


def export_configuration(db: Database, path: str | Path, progress: Progress = None) -> ExportResult:
    """The whole configuration as a document at ``path`` (written atomically)."""
    _report(progress, "Reading the configuration", 0, 3)
    with gc_paused():
        document = export_document(db)
        _report(progress, "Formatting the document", 1, 3)
        data = canonical_json(document).encode("utf-8")
    _report(progress, "Writing the file", 2, 3)
    try:
        write_atomically(path, data)
    except OSError as error:
        raise UserError(f"{Path(path).name}: {error.strerror or error}") from None
    _report(progress, "Exported", 3, 3)
    counts = {kind: len(document[kind]) for kind in ("presences", "agents", "queues", "workstreams")}
    return ExportResult(str(path), counts, len(data))


# --------------------------------------------------------------------------- generate


def generate_sample(db: Database, streams: int, variables: int = 20, rules: int = 50, *,
                    seed: int = 20240501, progress: Progress = None) -> ApplySummary:
    """Merge a generated configuration of ``streams`` work streams (see ``app.config.generate``)."""
    from app.config.generate import generate, sample_preset

    try:
        preset = sample_preset(streams, variables, rules)
    except ValueError as error:
        raise UserError(str(error)) from None
    with gc_paused():
        data = generate(preset, seed, progress=progress)
        _report(progress, "Checking the configuration", 0, 1)
        document = parse_document(data)
        del data
        with db.session() as session:
            _check(session, document)
            summary = apply_in_chunks(session, document, progress, step="Writing work streams")
    _report(progress, "Generated", 1, 1)
    return summary


# --------------------------------------------------------------------------- delete

KIND_MODEL = {"workstreams": WorkStream, "queues": Queue, "agents": Agent, "presences": Presence,
              "channels": Channel}
KIND_NOUN = {"workstreams": "work stream", "queues": "queue", "agents": "agent", "presences": "presence",
             "channels": "channel"}
MAX_NAMED = 5  # in-use records named in the refusal


def delete_many(db: Database, kind: str, ids: Iterable[str], progress: Progress = None) -> list[str]:
    """Delete the records of ``kind`` with ``ids`` in one transaction; the ids deleted.

    Refused as a whole (nothing deleted) when any of them is in use by a record
    that is not being deleted too, e.g. a queue a rule routes to; the refusal
    names them.  Ids already gone are skipped.
    """
    if kind not in KIND_MODEL:
        raise ValueError(f"unknown kind '{kind}'")
    model = KIND_MODEL[kind]
    wanted = list(dict.fromkeys(ids))
    with db.session() as session:
        _report(progress, "Checking what uses them", 0, max(1, len(wanted)))
        found = _existing(session, model, wanted)
        blockers = _blockers(session, kind, found)
        if blockers:
            named = [f"{label} is used by {', '.join(users)}" for label, users in blockers[:MAX_NAMED]]
            more = f" (and {len(blockers) - MAX_NAMED} more)" if len(blockers) > MAX_NAMED else ""
            raise InUseError(f"nothing deleted: {'; '.join(named)}{more}",
                             [user for _label, users in blockers for user in users])
        ids_found = list(found)
        total = len(ids_found)
        for start in range(0, total, DELETE_CHUNK):
            _report(progress, f"Deleting {KIND_NOUN[kind]}s", start, total)
            _delete_rows(session, kind, ids_found[start:start + DELETE_CHUNK])
        if ids_found:
            note_change(session)
    _report(progress, "Deleted", max(1, len(wanted)), max(1, len(wanted)))
    return ids_found


def _existing(session: Session, model: type, ids: list[str]) -> dict[str, str]:
    """id -> name of the ids that still exist (in the order asked)."""
    names: dict[str, str] = {}
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = ids[start:start + DELETE_CHUNK]
        names.update(session.execute(select(model.id, model.name).where(model.id.in_(chunk))).all())
    return {object_id: names[object_id] for object_id in ids if object_id in names}


def _blockers(session: Session, kind: str, found: dict[str, str]) -> list[tuple[str, list[str]]]:
    """(record, [what uses it]) for each record to delete that something else still needs."""
    if kind in ("agents", "channels") or not found:
        return []  # memberships go with an agent; nothing refers to a channel
    users: dict[str, list[str]] = {}
    noun = KIND_NOUN[kind].capitalize()
    ids = list(found)
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = ids[start:start + DELETE_CHUNK]
        if kind == "workstreams":
            rows = session.execute(select(Channel.workstream_id, Channel.name).where(Channel.workstream_id.in_(chunk))
                                   .order_by(Channel.name))
            for owner, name in rows:
                users.setdefault(owner, []).append(f"channel '{name}'")
        elif kind == "queues":
            rows = session.execute(select(WorkStream.default_queue_id, WorkStream.name)
                                   .where(WorkStream.default_queue_id.in_(chunk)).order_by(WorkStream.name_key))
            for owner, name in rows:
                users.setdefault(owner, []).append(f"work stream '{name}' (default queue)")
            rows = session.execute(select(RoutingRuleItem.queue_id, RoutingRuleItem.name, WorkStream.name)
                                   .join(RoutingRuleItem.workstream).where(RoutingRuleItem.queue_id.in_(chunk))
                                   .order_by(WorkStream.name_key, RoutingRuleItem.position))
            for owner, rule, stream in rows:
                users.setdefault(owner, []).append(f"rule '{rule}' in '{stream}'")
            for owner, phrases in queue_users(session, chunk, going=found).items():  # split shares, overflow
                users.setdefault(owner, []).extend(phrases)
        elif kind == "presences":
            for presence_id, name, is_system in session.execute(
                    select(Presence.id, Presence.name, Presence.is_system).where(Presence.id.in_(chunk))):
                if is_system:
                    users.setdefault(presence_id, []).append("the console itself (a base presence)")
            rows = session.execute(select(Agent.presence_id, Agent.name).where(Agent.presence_id.in_(chunk))
                                   .order_by(Agent.name))
            for owner, name in rows:
                users.setdefault(owner, []).append(f"agent '{name}'")
            for owner, phrases in presence_users(session, chunk).items():
                users.setdefault(owner, []).extend(phrases)
    return [(f"{noun} '{found[object_id]}'", users[object_id]) for object_id in found if object_id in users]


def _delete_rows(session: Session, kind: str, ids: list[str]) -> None:
    if kind == "workstreams":
        for child in (ContextVariable, RoutingRuleItem, RoutingTestCase):
            session.execute(delete(child).where(child.workstream_id.in_(ids)))
        session.execute(delete(WorkStream).where(WorkStream.id.in_(ids)))
    elif kind == "queues":
        session.execute(delete(queue_members).where(queue_members.c.queue_id.in_(ids)))
        session.execute(delete(Queue).where(Queue.id.in_(ids)))
    elif kind == "agents":
        session.execute(delete(queue_members).where(queue_members.c.agent_id.in_(ids)))
        session.execute(delete(Agent).where(Agent.id.in_(ids)))
    else:
        model = KIND_MODEL[kind]
        session.execute(delete(model).where(model.id.in_(ids)))


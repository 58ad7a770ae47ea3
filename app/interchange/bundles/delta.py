"""Delta documents: the objects changed since a baseline, and applying them elsewhere.

A delta is strict JSON::

    {"format": "workstream-console/delta", "version": 1,
     "baseline": {"id": "<baseline id>", "label": "<text>"},
     "changes": [{"op": "create" | "update" | "delete",
                  "kind": "presence" | "agent" | "queue" | "workstream",
                  "id": "<uuid>", "name": "<name>",
                  "from_version": <int> | null,      # null exactly for create
                  "data": {<object document>} | null}]}  # null exactly for delete

A work stream's ``data`` is the whole stream: its context variables, routing
rules and channels travel with it (the stream's version covers its children).
Objects are keyed by ``(kind, id)``; ids compare case-insensitively.

Everything here is pure: documents in, documents out.  Conflicts are found
against the receiver's object versions (and, when given, its document):

* update: the receiver's version is not ``from_version`` (changed here), or
  the object is gone (deleted here);
* delete: the receiver's version is not ``from_version`` (changed here);
* create: the id already exists with different content, or the name is used
  by another object of that kind;
* create/update: the (new) name is used here by another object of that kind.

A change whose object already looks exactly like ``data`` is never a conflict
(so applying the same delta twice is harmless).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Annotated, Any, Callable, Iterable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.routing.conditions import Issue
from app.config.document import (
    AgentDoc,
    CapacityProfileDoc,
    ConfigDocument,
    RatingModelDoc,
    SkillDoc,
    DocumentInvalid,
    Name,
    PresenceDoc,
    QueueDoc,
    Uuid,
    WorkStreamDoc,
    check_workstream,
    dump,
    issues_from_pydantic,
    parse_document,
    validate_document,
)
from app.common.errors import UserError
from app.common.names import name_key
from models.choices import MAX_INT32

DELTA_FORMAT = "workstream-console/delta"
DELTA_VERSION = 1
# Version 2's kinds first: what the others name is created before them.
KINDS = ("rating_model", "skill", "capacity_profile", "presence", "agent", "queue", "workstream")
PLURAL = {"presence": "presences", "agent": "agents", "queue": "queues", "workstream": "workstreams",
          "rating_model": "rating_models", "skill": "skills", "capacity_profile": "capacity_profiles"}
KIND_LABELS = {"presence": "presence", "agent": "agent", "queue": "queue", "workstream": "work stream",
               "rating_model": "rating model", "skill": "skill", "capacity_profile": "capacity profile"}
OPS = ("create", "update", "delete")
_MODEL: dict[str, type[BaseModel]] = {
    "presence": PresenceDoc,
    "agent": AgentDoc,
    "queue": QueueDoc,
    "workstream": WorkStreamDoc,
    "rating_model": RatingModelDoc,
    "skill": SkillDoc,
    "capacity_profile": CapacityProfileDoc,
}
OnConflict = Literal["stop", "theirs", "ours"]
Key = tuple[str, str]


# --------------------------------------------------------------------------- schema

class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class BaselineDoc(_Strict):
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    label: Annotated[str, StringConstraints(max_length=200)] = ""


class ChangeDoc(_Strict):
    op: Literal["create", "update", "delete"]
    kind: Literal["presence", "agent", "queue", "workstream", "rating_model", "skill", "capacity_profile"]
    id: Uuid
    name: Name
    from_version: Annotated[int, Field(ge=0, le=MAX_INT32)] | None
    data: dict[str, Any] | None

    @property
    def key(self) -> Key:
        return (self.kind, self.id.lower())


class DeltaDocument(_Strict):
    format: Literal["workstream-console/delta"]
    version: Literal[1]
    baseline: BaselineDoc
    changes: list[ChangeDoc] = Field(default_factory=list)

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


class DeltaConflict(UserError):
    """Applying a delta with on_conflict='stop' met conflicts; ``conflicts`` lists them all."""

    def __init__(self, conflicts: list["Conflict"]):
        self.conflicts = conflicts
        more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
        super().__init__(str(conflicts[0]) + more)


class DeltaInvalid(UserError):
    """Applying a delta would give an invalid configuration."""

    def __init__(self, message: str, issues: list[Issue]):
        super().__init__(message)
        self.issues = issues


# --------------------------------------------------------------------------- normal forms

def drop_null_ids(value: Any) -> Any:
    """A dumped document keeps the ids it has and loses the ``"id": null`` it has not."""
    if isinstance(value, dict):
        return {k: drop_null_ids(v) for k, v in value.items() if not (k == "id" and v is None)}
    if isinstance(value, list):
        return [drop_null_ids(v) for v in value]
    return value


def document_dict(doc: ConfigDocument) -> dict:
    """The JSON-ready form of a parsed document: defaults filled in, ids kept."""
    return drop_null_ids(dump(doc, with_ids=True))


def object_dict(model: BaseModel) -> dict:
    return drop_null_ids(dump(model, with_ids=True))


# --------------------------------------------------------------------------- parse

def parse_delta(data: Any) -> DeltaDocument:
    """Strict schema of a delta document. Raises DocumentInvalid naming every problem."""
    if isinstance(data, DeltaDocument):
        return data
    if not isinstance(data, Mapping):
        raise DocumentInvalid([Issue("", "the delta must be a JSON object")])
    if data.get("format") != DELTA_FORMAT:
        raise DocumentInvalid([Issue("format", f"expected '{DELTA_FORMAT}'")])
    if data.get("version") != DELTA_VERSION or type(data.get("version")) is not int:
        raise DocumentInvalid([Issue("version", f"unsupported version {data.get('version')!r} (this app reads 1)")])
    try:
        delta = DeltaDocument.model_validate(data)
    except ValidationError as error:
        raise DocumentInvalid(issues_from_pydantic(error)) from None
    issues: list[Issue] = []
    changes = [_checked_change(change, f"changes[{i}]", issues) for i, change in enumerate(delta.changes)]
    issues += _duplicate_keys(delta.changes)
    if issues:
        raise DocumentInvalid(issues)
    return delta.model_copy(update={"changes": changes})


def _checked_change(change: ChangeDoc, path: str, issues: list[Issue]) -> ChangeDoc:
    if change.op == "create" and change.from_version is not None:
        issues.append(Issue(f"{path}.from_version", "must be null for a create"))
    if change.op != "create" and change.from_version is None:
        issues.append(Issue(f"{path}.from_version", f"is required for an {change.op}"))
    if change.op == "delete":
        if change.data is not None:
            issues.append(Issue(f"{path}.data", "must be null for a delete"))
        return change
    if change.data is None:
        issues.append(Issue(f"{path}.data", f"is required for a {change.op}"))
        return change
    try:
        model = _MODEL[change.kind].model_validate(change.data)
    except ValidationError as error:
        issues.extend(issues_from_pydantic(error, f"{path}.data"))
        return change
    if not isinstance(model.id, str) or model.id.lower() != change.id.lower():
        issues.append(Issue(f"{path}.data.id", "must equal the change's id"))
    if model.name != change.name:
        issues.append(Issue(f"{path}.data.name", "must equal the change's name"))
    if isinstance(model, WorkStreamDoc):
        issues.extend(_stream_issues(model, f"{path}.data"))
    return change.model_copy(update={"data": object_dict(model)})


def _stream_issues(stream: WorkStreamDoc, path: str) -> list[Issue]:
    """Checks inside one stream; its queues are resolved only when the delta is applied."""
    referenced = {q.casefold() for q in [stream.default_queue, *(r.queue for r in stream.routing_rules)] if q}
    referenced |= {share.queue.casefold() for r in stream.routing_rules for share in r.queues}
    return check_workstream(stream, referenced, path)


def _duplicate_keys(changes: Iterable[ChangeDoc]) -> list[Issue]:
    seen: set[Key] = set()
    issues = []
    for index, change in enumerate(changes):
        if change.key in seen:
            issues.append(Issue(f"changes[{index}].id", f"{change.kind} {change.id} is changed twice"))
        seen.add(change.key)
    return issues


# --------------------------------------------------------------------------- make

def _norm_keys(mapping: Mapping[Key, Any]) -> dict[Key, Any]:
    return {(kind, object_id.lower()): value for (kind, object_id), value in mapping.items()}


def objects_by_key(doc: Mapping[str, Any]) -> dict[Key, dict]:
    """(kind, lower-case id) -> object dict, for every top-level object that has an id."""
    found: dict[Key, dict] = {}
    for kind in KINDS:
        for obj in doc.get(PLURAL[kind], []):
            if isinstance(obj.get("id"), str):
                found[(kind, obj["id"].lower())] = obj
    return found


def make_delta(baseline_objects: Mapping[Key, Mapping[str, Any]], current_doc: Mapping[str, Any],
               current_versions: Mapping[Key, int], *, baseline_id: str, label: str) -> dict:
    """The changes from a baseline to the current document.

    ``baseline_objects`` maps (kind, id) -> {"version": int, "name": str} as they were
    at the baseline; ``current_versions`` maps (kind, id) -> the version now.  Every
    object of ``current_doc`` must carry its id.
    """
    doc = document_dict(parse_document(current_doc))
    baseline = _norm_keys(baseline_objects)
    versions = _norm_keys(current_versions)
    current = _require_ids(doc)
    changes: list[dict] = []
    for key, obj in current.items():
        before = baseline.get(key)
        if key not in versions:
            raise ValueError(f"no version given for {key[0]} '{obj['name']}'")
        if before is None:
            changes.append(_change("create", key, obj, None))
        elif versions[key] != before["version"]:
            changes.append(_change("update", key, obj, before["version"]))
    for key, before in baseline.items():
        if key not in current:
            changes.append({"op": "delete", "kind": key[0], "id": key[1], "name": before["name"],
                            "from_version": before["version"], "data": None})
    changes.sort(key=_change_order)
    delta = {"format": DELTA_FORMAT, "version": DELTA_VERSION,
             "baseline": {"id": baseline_id, "label": label}, "changes": changes}
    return parse_delta(delta).to_json()


def _require_ids(doc: dict) -> dict[Key, dict]:
    for kind in KINDS:
        for obj in doc[PLURAL[kind]]:
            if not obj.get("id"):
                raise ValueError(f"{kind} '{obj['name']}' has no id; a delta needs the document with ids")
    return objects_by_key(doc)


def _change(op: str, key: Key, obj: dict, from_version: int | None) -> dict:
    return {"op": op, "kind": key[0], "id": obj["id"], "name": obj["name"],
            "from_version": from_version, "data": obj}


def _change_order(change: Mapping[str, Any]) -> tuple:
    return (KINDS.index(change["kind"]), OPS.index(change["op"]), change["name"].casefold(), change["id"])


# --------------------------------------------------------------------------- conflicts

@dataclass(frozen=True)
class Conflict:
    kind: str
    id: str
    name: str
    reason: Literal["changed_here", "deleted_here", "exists", "name_taken"]
    from_version: int | None = None
    here_version: int | None = None
    op: str = "update"  # what the delta does to the object ("there")

    def __str__(self) -> str:
        """What happened on each side: here (the receiver) and there (the bundle's console)."""
        label = KIND_LABELS.get(self.kind, self.kind)
        what = f"{label} '{self.name}'"
        there = {"update": "changed", "delete": "deleted", "create": "created"}.get(self.op, "changed")
        if self.reason == "changed_here":
            return f"conflict: {what} was changed here and " + ("there" if there == "changed" else f"{there} there")
        if self.reason == "deleted_here":
            return f"conflict: {what} was deleted here and {there} there"
        if self.reason == "exists":
            return f"conflict: {what} was created here and there, with different content"
        return f"conflict: {what} was {there} there, but the name is used here by another {label}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "name": self.name, "reason": self.reason,
                "from_version": self.from_version, "here_version": self.here_version, "message": str(self)}


def detect_conflicts(delta: Any, receiver_versions: Mapping[Key, int],
                     receiver_doc: Mapping[str, Any] | None = None) -> list[Conflict]:
    """Every change that would overwrite, revive or collide with the receiver's work.

    ``receiver_doc`` (the receiver's document with ids) enables the name and
    "already looks like this" checks; without it only versions are compared.
    """
    parsed = parse_delta(delta)
    versions = _norm_keys(receiver_versions)
    doc = document_dict(parse_document(receiver_doc)) if receiver_doc is not None else None
    here = objects_by_key(doc) if doc is not None else {}
    conflicts = []
    for change in parsed.changes:
        conflict = _conflict_of(change, versions, here, doc)
        if conflict is not None:
            conflicts.append(conflict)
    return conflicts


def _conflict_of(change: ChangeDoc, versions: dict[Key, int], here: dict[Key, dict],
                 doc: dict | None) -> Conflict | None:
    key = change.key
    if change.data is not None and here.get(key) == change.data:
        return None  # already applied
    exists = key in versions or key in here
    reason: str | None = None
    if change.op == "create":
        reason = "exists" if exists else None
    elif not exists:
        reason = None if change.op == "delete" else "deleted_here"
    elif versions.get(key) != change.from_version:
        reason = "changed_here"
    if reason is None and change.op != "delete" and doc is not None and _name_taken(doc, change):
        reason = "name_taken"
    if reason is None:
        return None
    return Conflict(change.kind, change.id, change.name, reason, change.from_version, versions.get(key),  # type: ignore[arg-type]
                    change.op)


def _name_taken(doc: dict, change: ChangeDoc) -> bool:
    folded = name_key(change.name)
    return any(name_key(obj["name"]) == folded and str(obj.get("id", "")).lower() != change.id.lower()
               for obj in doc[PLURAL[change.kind]])


# --------------------------------------------------------------------------- apply

def apply_delta(doc_with_ids: Mapping[str, Any], delta: Any, on_conflict: OnConflict = "stop", *,
                receiver_versions: Mapping[Key, int]) -> dict:
    """The receiver's new full document after the delta.

    ``on_conflict``: "stop" raises DeltaConflict listing every conflict; "theirs"
    applies the bundle's version of conflicting objects (a same-named object
    here is replaced); "ours" keeps the receiver's version and skips those changes.
    A renamed queue, agent or presence has its references renamed here too.
    The result is validated; DeltaInvalid says why it would not be valid.
    """
    if on_conflict not in ("stop", "theirs", "ours"):
        raise ValueError(f"on_conflict must be 'stop', 'theirs' or 'ours', not {on_conflict!r}")
    parsed = parse_delta(delta)
    doc = document_dict(parse_document(doc_with_ids))
    conflicts = detect_conflicts(parsed, receiver_versions, doc)
    if conflicts and on_conflict == "stop":
        raise DeltaConflict(conflicts)
    skipped = {(c.kind, c.id.lower()) for c in conflicts} if on_conflict == "ours" else set()
    for change in parsed.changes:
        if change.key not in skipped:
            _apply_change(doc, change)
    try:
        return document_dict(validate_document(doc))
    except DocumentInvalid as error:
        raise DeltaInvalid(f"delta: the result would not be valid: {error}", error.issues) from None


def _apply_change(doc: dict, change: ChangeDoc) -> None:
    items: list[dict] = doc[PLURAL[change.kind]]
    index = next((i for i, obj in enumerate(items) if str(obj.get("id", "")).lower() == change.id.lower()), None)
    if change.op == "delete":
        if index is not None:
            del items[index]
        return
    assert change.data is not None  # parse_delta guarantees it
    target = items[index] if index is not None else None
    if target is not None and target["name"] != change.name:
        rename_references(doc, change.kind, target["name"], change.name)
    # The bundle's object takes its name; a different object here with that name gives way.
    folded = change.name.casefold()
    keep = [obj for obj in items if obj is target or obj["name"].casefold() != folded]
    data = copy.deepcopy(change.data)  # later renames edit the document in place
    if target is None:
        keep.append(data)
    else:
        keep[next(i for i, obj in enumerate(keep) if obj is target)] = data
    items[:] = keep


def rename_references(doc: dict, kind: str, old: str, new: str) -> None:
    """Point every by-name reference to a renamed object at its new name (in place)."""
    folded = old.casefold()

    def same(name: Any) -> bool:
        return isinstance(name, str) and name.casefold() == folded

    if kind == "queue":
        for stream in doc["workstreams"]:
            if same(stream.get("default_queue")):
                stream["default_queue"] = new
            for rule in stream.get("routing_rules", []):
                if same(rule.get("queue")):
                    rule["queue"] = new
            for share in rule.get("queues", []):
                if same(share.get("queue")):
                    share["queue"] = new
        for queue in doc["queues"]:
            for overflow in queue.get("overflow", []):
                if same(overflow.get("queue")):
                    overflow["queue"] = new
    elif kind == "agent":
        for queue in doc["queues"]:
            queue["agents"] = [new if same(a) else a for a in queue.get("agents", [])]
    elif kind == "presence":
        for agent in doc["agents"]:
            if same(agent.get("presence")):
                agent["presence"] = new
        for stream in doc["workstreams"]:
            if same(stream.get("missed_notification_presence")):
                stream["missed_notification_presence"] = new
    else:
        _rename_distribution_references(doc, kind, same, new)


def _rename_distribution_references(doc: dict, kind: str, same: Callable[[Any], bool], new: str) -> None:
    """Version 2's by-name references: a skill's rating model, skills and profiles by key."""
    def renamed_keys(mapping: dict) -> dict:
        return {new if same(key) else key: value for key, value in mapping.items()}

    if kind == "rating_model":
        for skill in doc.get("skills", []):
            if same(skill.get("rating_model")):
                skill["rating_model"] = new
    elif kind == "skill":
        for agent in doc["agents"]:
            agent["skills"] = renamed_keys(agent.get("skills", {}))
        for stream in doc["workstreams"]:
            for rule in stream.get("classification_rules", []):
                rule["skills"] = renamed_keys(rule.get("skills", {}))
    elif kind == "capacity_profile":
        for agent in doc["agents"]:
            agent["capacity_profiles"] = renamed_keys(agent.get("capacity_profiles", {}))
        for stream in doc["workstreams"]:
            if same(stream.get("capacity_profile")):
                stream["capacity_profile"] = new

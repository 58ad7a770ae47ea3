"""Semantic diff of two configuration documents (what an import preview shows).

Objects are matched by id (when both sides carry the same id), then by name
(case-insensitively), like the importer does.  Reported, per kind:

* ``create`` / ``delete`` of presences, agents, queues, work streams, and of the
  context variables, routing rules and channels inside a work stream both sides have;
* ``update`` with field-level changes (old → new);
* ``rename``: an id-matched object whose name changed; a context variable is also
  a rename when (lacking a common id) one disappears and one appears with the same
  display name and type;
* ``move``: a routing rule whose place in the evaluation order changed (the
  fewest moves that explain the new order; rules kept in relative order are not moved),
  and likewise a context variable the user put elsewhere in the list.

Renames do not echo: a condition differing only by a renamed variable, or a
reference (default queue, rule queue, queue member, agent presence) differing
only by a renamed object, is not reported again.  Channels and queue members
are unordered (the exporter sorts them); rules and context variables are ordered.

``counts`` counts top-level objects: a work stream whose rules changed is one update.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping

from app.interchange.bundles.delta import document_dict
from app.routing.conditions import is_group, render_condition
from app.config.document import parse_document

TOP_KINDS = ("rating_model", "skill", "capacity_profile", "presence", "agent", "queue", "workstream")
NESTED_KINDS = ("context_variable", "classification_rule", "routing_rule", "channel")
PLURAL = {"presence": "presences", "agent": "agents", "queue": "queues", "workstream": "workstreams",
          "context_variable": "context_variables", "routing_rule": "routing_rules", "channel": "channels",
          "rating_model": "rating_models", "skill": "skills", "capacity_profile": "capacity_profiles",
          "classification_rule": "classification_rules"}
LABEL = {"presence": "presence", "agent": "agent", "queue": "queue", "workstream": "workstream",
         "context_variable": "context variable", "routing_rule": "rule", "channel": "channel",
         "rating_model": "rating model", "skill": "skill", "capacity_profile": "capacity profile",
         "classification_rule": "classification rule"}
OPS = ("delete", "create", "rename", "update", "move")
SYMBOL = {"create": "+", "delete": "-", "update": "~", "rename": "✎", "move": "↕"}
FIELD_LABELS = {
    "auto_close_after_inactivity_s": "auto-close after inactivity (s)",
    "screen_pop_timeout_s": "screen pop timeout (s)",
    "assign_after_decline_s": "assign after decline (s)",
    "wrap_up_block_s": "wrap-up block (s)",
    "keep_same_agent": "keep same agent",
    "distribution_mode": "distribution mode",
    "allowed_presences": "allowed presences",
    "default_queue": "default queue",
    "display_name": "display name",
    "is_default": "default",
    "work_item_limit": "work item limit",
    "rating_model": "rating model",
    "capacity_profiles": "capacity profiles",
    "assignment_method": "assignment method",
    "operating_hours": "operating hours",
    "capacity_format": "capacity format",
    "capacity_profile": "capacity profile",
    "skill_matching": "skill matching",
    "missed_notification_presence": "presence after a missed notification",
    "decline_reasons": "decline reasons",
    "reconnect_window_s": "reconnect window (s)",
    "queues": "split",
}
# Fields that are identity or compared separately, never reported as field changes.
_SKIP = {"id", "name", "context_variables", "routing_rules", "channels", "classification_rules"}
_TEXT_MAX = 60
Op = Literal["create", "delete", "update", "rename", "move"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def to_json(self) -> dict:
        return {"field": self.field, "old": self.old, "new": self.new}

    def render(self) -> str:
        label = FIELD_LABELS.get(self.field, self.field)
        if self.field == "agents" and isinstance(self.old, list) and isinstance(self.new, list):
            return f"{label} {_membership(self.old, self.new)}"
        if self.field in _DISTRIBUTION_RENDER:
            render = _DISTRIBUTION_RENDER[self.field]
            return f"{label} {render(self.old)} → {render(self.new)}"
        return f"{label} {_value(self.old)} → {_value(self.new)}"


@dataclass(frozen=True)
class Change:
    op: Op
    kind: str
    name: str  # the name now (the old name for a delete)
    workstream: str | None = None  # owner of a nested object
    fields: tuple[FieldChange, ...] = ()
    old_name: str | None = None  # rename
    from_position: int | None = None  # move, 1-based
    to_position: int | None = None

    @property
    def is_nested(self) -> bool:
        return self.workstream is not None

    def sort_key(self) -> tuple:
        owner = self.workstream if self.is_nested else self.name
        top = TOP_KINDS.index("workstream" if self.is_nested else self.kind)
        nested = NESTED_KINDS.index(self.kind) + 1 if self.is_nested else 0
        return (top, owner.casefold(), owner, nested, self.name.casefold(), self.name, OPS.index(self.op))

    def to_json(self) -> dict:
        data: dict[str, Any] = {"op": self.op, "kind": self.kind, "name": self.name}
        if self.workstream is not None:
            data["workstream"] = self.workstream
        if self.fields:
            data["fields"] = [f.to_json() for f in self.fields]
        if self.old_name is not None:
            data["old_name"] = self.old_name
        if self.op == "move":
            data["from_position"], data["to_position"] = self.from_position, self.to_position
        return data

    def lines(self) -> list[str]:
        what = LABEL[self.kind]
        if self.op == "rename":
            return [f"✎ {what} '{self.old_name}' renamed to '{self.name}'"]
        if self.op == "move":
            return [f"↕ {what} '{self.name}' moved {self.from_position} → {self.to_position}"]
        if self.op == "update":
            return [f"~ {what} '{self.name}': {f.render()}" for f in self.fields]
        return [f"{SYMBOL[self.op]} {what} '{self.name}'"]


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def counts(self) -> dict[str, int]:
        top = [c for c in self.changes if not c.is_nested]
        updated = {(c.kind, c.name.casefold()) for c in top if c.op in ("update", "rename")}
        updated |= {("workstream", c.workstream.casefold()) for c in self.changes if c.workstream is not None}
        return {
            "created": sum(1 for c in top if c.op == "create"),
            "updated": len(updated),
            "deleted": sum(1 for c in top if c.op == "delete"),
        }

    def to_json(self) -> dict:
        return {"counts": self.counts, "changes": [c.to_json() for c in sorted(self.changes, key=Change.sort_key)]}

    def render_text(self) -> str:
        lines: list[str] = []
        headed: set[str] = set()
        for change in sorted(self.changes, key=Change.sort_key):
            if change.is_nested:
                owner = change.workstream or ""
                if owner not in headed:
                    lines.append(f"~ workstream '{owner}'")
                    headed.add(owner)
                lines.extend("  " + line for line in change.lines())
            else:
                lines.extend(change.lines())
                if change.kind == "workstream" and change.op != "delete":
                    headed.add(change.name)
        return "\n".join(lines) + ("\n" if lines else "")

    def summary(self) -> str:
        counts = self.counts
        return f"{counts['created']} to create, {counts['updated']} to update, {counts['deleted']} to delete"


# --------------------------------------------------------------------------- rendering

def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        text = value if len(value) <= _TEXT_MAX else value[: _TEXT_MAX - 1] + "…"
        return "'" + " ".join(text.split("\n")) + "'"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "'" + render_condition(value) + "'"
    return str(value)


def _ratings(value: Any) -> str:
    """Skills with ratings, profiles with limits: {'Mortgages': '4'} -> 'Mortgages 4'."""
    if not value:
        return "(none)"
    return ", ".join(f"{name} {rating}" for name, rating in value.items())


def _hours(value: Any) -> str:
    if value is None:
        return "(always open)"
    days = "; ".join(f"{day} " + ", ".join(f"{a}-{b}" for a, b in spans) for day, spans in value["week"].items())
    closed = f"; closed {', '.join(value['closed_dates'])}" if value.get("closed_dates") else ""
    return f"[{value['timezone']}: {days or 'no open hours'}{closed}]"


def _overflow(value: Any) -> str:
    if not value:
        return "(none)"
    parts = []
    for rule in value:
        when = "closed" if rule["when"] == "closed" else f"more than {rule['limit']} waiting"
        action = {"transfer": f"transfer to '{rule['queue']}'", "assign_anyway": "assign anyway"}.get(
            rule["action"], f"end ('{rule['reason']}')" if rule["reason"] else "end")
        parts.append(f"{when}: {action}")
    return "[" + "; ".join(parts) + "]"


def _split(value: Any) -> str:
    if not value:
        return "(none)"
    return "[" + ", ".join(f"'{share['queue']}' {share['percent']}%" for share in value) + "]"


_DISTRIBUTION_RENDER: dict[str, Callable[[Any], str]] = {
    "skills": _ratings, "capacity_profiles": _ratings, "operating_hours": _hours, "overflow": _overflow,
    "queues": _split,
}


def _membership(old: list, new: list) -> str:
    old_fold = {str(n).casefold() for n in old}
    new_fold = {str(n).casefold() for n in new}
    added = [f"+'{n}'" for n in new if str(n).casefold() not in old_fold]
    removed = [f"−'{n}'" for n in old if str(n).casefold() not in new_fold]
    return " ".join(added + removed)


# --------------------------------------------------------------------------- matching

def _id(obj: Mapping) -> str | None:
    value = obj.get("id")
    return value.lower() if isinstance(value, str) else None


def match(a_items: list[dict], b_items: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pairs (by id, then by folded name; repeated names pair in order), then the unmatched of a, then of b."""
    pairs: list[tuple[dict, dict]] = []
    a_left = list(a_items)
    b_left = list(b_items)
    for key in (_id, lambda obj: obj["name"].casefold()):
        waiting: dict[Any, list[dict]] = {}
        for obj in a_left:
            k = key(obj)
            if k is not None:
                waiting.setdefault(k, []).append(obj)
        unmatched_b = []
        for obj in b_left:
            k = key(obj)
            queue = waiting.get(k) if k is not None else None
            if queue:
                pairs.append((queue.pop(0), obj))
            else:
                unmatched_b.append(obj)
        paired = {id(old) for old, _new in pairs}
        a_left = [obj for obj in a_left if id(obj) not in paired]
        b_left = unmatched_b
    order = {id(obj): i for i, obj in enumerate(b_items)}
    pairs.sort(key=lambda pair: order[id(pair[1])])
    return pairs, a_left, b_left


def _match_renamed_variables(a_left: list[dict], b_left: list[dict]) -> list[tuple[dict, dict]]:
    """Same display name and type, new name: a rename, unless both carry (different) ids."""
    def signature(var: Mapping) -> tuple[str, str]:
        return (var["display_name"].casefold(), var["type"])

    pairs = []
    for old in list(a_left):
        candidates = [new for new in b_left if signature(new) == signature(old)]
        rivals = [other for other in a_left if signature(other) == signature(old)]
        if len(candidates) != 1 or len(rivals) != 1:
            continue  # ambiguous: report as delete + create
        new = candidates[0]
        if _id(old) and _id(new):
            continue  # different ids: different variables
        pairs.append((old, new))
        a_left.remove(old)
        b_left.remove(new)
    return pairs


# --------------------------------------------------------------------------- comparing

def _field_changes(old: Mapping, new: Mapping, normalise: Callable[[str, Any], Any] | None = None) -> tuple[FieldChange, ...]:
    changes = []
    for name in new:
        if name in _SKIP:
            continue
        before, after = old.get(name), new.get(name)
        if normalise is not None:
            if normalise(name, before) == normalise(name, after):
                continue
        elif before == after:
            continue
        changes.append(FieldChange(name, before, after))
    return tuple(changes)


def _members_key(field_name: str, value: Any) -> Any:
    if field_name == "agents" and isinstance(value, list):
        return sorted(str(v).casefold() for v in value)
    return value


def _rename_in_condition(node: Any, mapping: Mapping[str, str]) -> Any:
    """A copy of a condition with every variable renamed at once (swaps included)."""
    if is_group(node):
        key = next(iter(node))
        return {key: [_rename_in_condition(child, mapping) for child in node[key]]}
    if isinstance(node, Mapping):
        leaf = dict(node)
        if leaf.get("variable") in mapping:
            leaf["variable"] = mapping[leaf["variable"]]
        return leaf
    return node


def _rename_references(doc: dict, kind: str, mapping: Mapping[str, str]) -> None:
    """Rewrite by-name references in ``doc`` (folded old name -> new name), all at once."""
    def renamed(name: Any) -> Any:
        return mapping.get(name.casefold(), name) if isinstance(name, str) else name

    def renamed_keys(mapping_: dict) -> dict:
        return {renamed(k): v for k, v in mapping_.items()}

    if kind == "queue":
        for stream in doc["workstreams"]:
            stream["default_queue"] = renamed(stream.get("default_queue"))
            for rule in stream["routing_rules"]:
                rule["queue"] = renamed(rule["queue"])
                for share in rule.get("queues", []):
                    share["queue"] = renamed(share["queue"])
        for queue in doc["queues"]:
            for overflow in queue.get("overflow", []):
                overflow["queue"] = renamed(overflow["queue"])
    elif kind == "agent":
        for queue in doc["queues"]:
            queue["agents"] = [renamed(n) for n in queue["agents"]]
    elif kind == "presence":
        for agent in doc["agents"]:
            agent["presence"] = renamed(agent["presence"])
        for stream in doc["workstreams"]:
            stream["missed_notification_presence"] = renamed(stream.get("missed_notification_presence"))
    elif kind == "rating_model":
        for skill in doc["skills"]:
            skill["rating_model"] = renamed(skill["rating_model"])
    elif kind == "skill":
        for agent in doc["agents"]:
            agent["skills"] = renamed_keys(agent.get("skills", {}))
        for stream in doc["workstreams"]:
            for rule in stream.get("classification_rules", []):
                rule["skills"] = renamed_keys(rule["skills"])
    elif kind == "capacity_profile":
        for agent in doc["agents"]:
            agent["capacity_profiles"] = renamed_keys(agent.get("capacity_profiles", {}))
        for stream in doc["workstreams"]:
            stream["capacity_profile"] = renamed(stream.get("capacity_profile"))


def _longest_increasing(values: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (patience sort, O(n log n))."""
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[slot] = value
            tail_index[slot] = i
        previous[i] = tail_index[slot - 1] if slot else -1
    keep = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return keep


def _moves(pairs: list[tuple[dict, dict]], a_rules: list[dict], b_rules: list[dict], stream: str) -> list[Change]:
    a_position = {id(rule): i for i, rule in enumerate(a_rules)}
    b_position = {id(rule): i for i, rule in enumerate(b_rules)}
    ordered = sorted(pairs, key=lambda pair: b_position[id(pair[1])])
    stay = _longest_increasing([a_position[id(old)] for old, _new in ordered])
    return [Change("move", "routing_rule", new["name"], workstream=stream,
                   from_position=a_position[id(old)] + 1, to_position=b_position[id(new)] + 1)
            for i, (old, new) in enumerate(ordered) if i not in stay]


# --------------------------------------------------------------------------- the diff

def diff_documents(a: Mapping[str, Any], b: Mapping[str, Any]) -> Diff:
    """What changes when going from document ``a`` to document ``b``.

    Both are parsed (schema only, so defaults compare equal to explicit values);
    an invalid one raises app.config.document.DocumentInvalid.
    """
    old = document_dict(parse_document(a))
    new = document_dict(parse_document(b))
    changes: list[Change] = []
    for kind in TOP_KINDS:
        pairs, gone, added = match(old[PLURAL[kind]], new[PLURAL[kind]])
        changes += [Change("delete", kind, obj["name"]) for obj in gone]
        changes += [Change("create", kind, obj["name"]) for obj in added]
        renames = {o["name"].casefold(): n["name"] for o, n in pairs if o["name"] != n["name"]}
        changes += [Change("rename", kind, n["name"], old_name=o["name"]) for o, n in pairs if o["name"] != n["name"]]
        if renames:
            _rename_references(old, kind, renames)  # so references do not echo the rename
        for before, after in pairs:
            if kind == "workstream":
                changes += _workstream_changes(before, after)
            else:
                fields = _field_changes(before, after, _members_key)
                if fields:
                    changes.append(Change("update", kind, after["name"], fields=fields))
    return Diff(sorted(changes, key=Change.sort_key))


def _workstream_changes(old: dict, new: dict) -> list[Change]:
    stream = new["name"]
    changes: list[Change] = []
    fields = _field_changes(old, new)
    if fields:
        changes.append(Change("update", "workstream", stream, fields=fields))

    pairs, gone, added = match(old["context_variables"], new["context_variables"])
    pairs += _match_renamed_variables(gone, added)
    variable_renames = {o["name"]: n["name"] for o, n in pairs if o["name"] != n["name"]}
    changes += _nested_changes("context_variable", stream, pairs, gone, added)
    # Variables keep the user's order (issue 10): a reorder is a move, nothing else.
    changes += [Change("move", "context_variable", c.name, workstream=stream, from_position=c.from_position,
                       to_position=c.to_position)
                for c in _moves(pairs, old["context_variables"], new["context_variables"], stream)]

    rule_pairs, gone, added = match(old["routing_rules"], new["routing_rules"])
    # Compare conditions as if the variables had always had their new names.
    compared = [({**o, "condition": _rename_in_condition(o["condition"], variable_renames)}, n)
                for o, n in rule_pairs]
    changes += _nested_changes("routing_rule", stream, compared, gone, added)
    changes += _moves(rule_pairs, old["routing_rules"], new["routing_rules"], stream)

    k_pairs, gone, added = match(old.get("classification_rules", []), new.get("classification_rules", []))
    compared = [({**o, "condition": _rename_in_condition(o["condition"], variable_renames)}, n)
                for o, n in k_pairs]
    changes += _nested_changes("classification_rule", stream, compared, gone, added)
    changes += [Change("move", "classification_rule", c.name, workstream=stream, from_position=c.from_position,
                       to_position=c.to_position)
                for c in _moves(k_pairs, old.get("classification_rules", []), new.get("classification_rules", []),
                                stream)]

    pairs, gone, added = match(old["channels"], new["channels"])
    changes += _nested_changes("channel", stream, pairs, gone, added)
    return changes


def _nested_changes(kind: str, stream: str, pairs: Iterable[tuple[dict, dict]], gone: list[dict],
                    added: list[dict]) -> list[Change]:
    changes = [Change("delete", kind, obj["name"], workstream=stream) for obj in gone]
    changes += [Change("create", kind, obj["name"], workstream=stream) for obj in added]
    for before, after in pairs:
        if before["name"] != after["name"]:
            changes.append(Change("rename", kind, after["name"], workstream=stream, old_name=before["name"]))
        fields = _field_changes(before, after)
        if fields:
            changes.append(Change("update", kind, after["name"], workstream=stream, fields=fields))
    return changes

"""The work stream editor's domain, without Qt: the draft and its edits, name suggestions, the guards."""
from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from pydantic import ValidationError

from app.common.names import name_key
from app.config.document import WorkStreamDoc, check_workstream, issues_from_pydantic
from app.routing.conditions import Issue, rename_variable, variables_used
from models.choices import NAME_MAX

if TYPE_CHECKING:
    from app.workstreams.catalogue import DistributionCatalogue

_NOT_NAME_CHAR = re.compile(r"[^a-z0-9_]")


def suggest_variable_name(display_name: str, taken: Iterable[str] = ()) -> str:
    """The Name the product fills in from a Display Name.

    Lower-case; letters, digits and underscores kept (accents folded to their
    letter), everything else dropped; a leading digit gets an ``_``; a clash
    with ``taken`` gets ``_2``, ``_3``, ...
    """
    folded = unicodedata.normalize("NFKD", display_name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    base = _NOT_NAME_CHAR.sub("", folded)
    if not base:
        return ""
    if base[0].isdigit():
        base = "_" + base
    base = base[:NAME_MAX]
    taken_folded = {t.casefold() for t in taken}
    if base.casefold() not in taken_folded:
        return base
    counter = 2
    while True:
        suffix = f"_{counter}"
        candidate = base[: NAME_MAX - len(suffix)] + suffix
        if candidate.casefold() not in taken_folded:
            return candidate
        counter += 1


def copy_name(name: str, taken: Iterable[str]) -> str:
    """'Copy of X', then 'Copy of X (2)', ... avoiding names in ``taken`` (any case)."""
    taken_folded = {t.casefold() for t in taken}
    candidate = f"Copy of {name}"[:NAME_MAX]
    counter = 2
    while candidate.casefold() in taken_folded:
        suffix = f" ({counter})"
        candidate = f"Copy of {name}"[: NAME_MAX - len(suffix)] + suffix
        counter += 1
    return candidate


def rules_using_variable(rules: Iterable[dict], variable: str) -> list[str]:
    """Names of the rules whose condition reads ``variable``."""
    return [rule["name"] for rule in rules if variable in variables_used(rule.get("condition", {}))]


def rename_variable_in_rules(rules: list[dict], old: str, new: str) -> list[dict]:
    """Rules with every condition on ``old`` now on ``new`` (renaming a variable keeps rules working)."""
    return [{**rule, "condition": rename_variable(rule.get("condition", {}), old, new)} for rule in rules]


def referrer_sentence(what: str, referrers: list[str], limit: int = 5) -> str:
    shown = ", ".join(referrers[:limit])
    more = f" and {len(referrers) - limit} more" if len(referrers) > limit else ""
    return f"{what} is used by {shown}{more}"


def destination_text(rule: dict) -> str:
    """Where a routing rule sends: its queue, or its split as 'A 60 % · B 40 %'."""
    shares = rule.get("queues") or []
    if shares:
        return " · ".join(f"{share.get('queue', '')} {share.get('percent', 0)} %" for share in shares)
    return rule.get("queue") or ""


def skills_text(skills: dict) -> str:
    """A classification rule's required skills as 'Mortgages ≥ 4 · Languages ≥ Fluent'."""
    return " · ".join(f"{name} ≥ {rating}" for name, rating in skills.items())


# --------------------------------------------------------------------------- the editor's draft
#
# The work stream editor edits a WorkStreamDraft: a plain dict shaped like
# WorkStreamDoc (ids included) plus the edits that change it.  Each edit is a
# small value object that can be applied and reverted; the editor wraps each in
# a thin QUndoCommand, so undo/redo is the draft's logic, testable without Qt.
# A listener (the editor) hears before and after each change to keep its
# widgets and table models in step.

LIST_KEYS = {"variables": "context_variables", "rules": "routing_rules", "classification": "classification_rules"}
# What an edit's text calls one item of each list.
ITEM_NOUNS = {"variables": "variable", "rules": "rule", "classification": "classification rule"}
# Consecutive edits of these fields (keystrokes, spin steps) merge into one undo step.
MERGEABLE_FIELDS = ("name", "capacity", "auto_close_after_inactivity_s", "assign_after_decline_s", "wrap_up_block_s",
                    "reconnect_window_s")


class EditRefused(ValueError):
    """An edit the draft will not make (a variable in use, a type change under a rule); says why."""


@dataclass(frozen=True)
class SetField:
    key: str
    old: Any
    new: Any
    text: str

    def merged(self, later: "SetField") -> "SetField | None":
        """One step for two consecutive edits of the same mergeable field (None: they do not merge)."""
        if later.key != self.key or self.key not in MERGEABLE_FIELDS:
            return None
        return SetField(self.key, self.old, later.new, self.text)


@dataclass(frozen=True)
class SetFields:
    """Several fields in one step (capacity format and profile belong together)."""

    keys: tuple[str, ...]
    old: tuple[Any, ...]
    new: tuple[Any, ...]
    text: str


@dataclass(frozen=True)
class AddItem:
    kind: str  # "variables" or "rules"
    row: int
    item: dict
    text: str


@dataclass(frozen=True)
class DeleteItem:
    kind: str
    row: int
    item: dict
    text: str


@dataclass(frozen=True)
class ReplaceItem:
    """A variable or rule replaced; a renamed variable also carries its rules' new conditions."""

    kind: str
    row: int
    old: dict
    new: dict
    text: str
    old_rules: tuple[dict, ...] | None = None
    new_rules: tuple[dict, ...] | None = None
    # Classification rules test variables too: a rename carries theirs as well.
    old_classification: tuple[dict, ...] | None = None
    new_classification: tuple[dict, ...] | None = None


@dataclass(frozen=True)
class MoveRules:
    """Items [source, source+count) of one list (``kind``: rules unless said) moved to before
    ``destination`` (Qt's moveRows meaning)."""

    source: int
    count: int
    destination: int
    text: str
    kind: str = "rules"

    def landing(self) -> int:
        return landing_row(self.source, self.count, self.destination)

    def reversed(self) -> "MoveRules":
        at = self.landing()
        back = self.source if self.source < at else self.source + self.count
        return MoveRules(at, self.count, back, self.text, self.kind)


MoveItems = MoveRules  # the same edit, for variables and classification rules too

Edit = SetField | SetFields | AddItem | DeleteItem | ReplaceItem | MoveRules


def landing_row(source: int, count: int, destination: int) -> int:
    """Where the first moved row ends up."""
    return destination if destination < source else destination - count


class DraftListener(Protocol):
    """Told around every change of the draft (the editor: its models and widgets)."""

    def draft_changing(self, change: Edit) -> None: ...

    def draft_changed(self, change: Edit) -> None: ...


class WorkStreamDraft:
    """One work stream as edited: its data, the edits that change it, and its validation."""

    def __init__(self, data: dict, listener: DraftListener | None = None):
        self.data = data
        self.listener = listener

    # ------------------------------------------------------------------ reading
    def get(self, key: str) -> Any:
        return self.data.get(key)

    def items(self, kind: str) -> list[dict]:
        return self.data[LIST_KEYS[kind]]

    @property
    def variables(self) -> list[dict]:
        return self.items("variables")

    @property
    def rules(self) -> list[dict]:
        return self.items("rules")

    @property
    def classification_rules(self) -> list[dict]:
        return self.data.setdefault("classification_rules", [])

    def for_save(self) -> dict:
        data = copy.deepcopy(self.data)
        data["name"] = data["name"].strip()
        return data

    # ------------------------------------------------------------------ building edits (nothing changes yet)
    def set_field(self, key: str, value: Any, label: str = "") -> SetField | None:
        old = self.data.get(key)
        if old == value:
            return None
        return SetField(key, copy.deepcopy(old), copy.deepcopy(value), f"Edit {label or key}")

    def add_variable(self, variable: dict) -> AddItem:
        variable = variable if "id" in variable else {"id": None, **variable}
        return AddItem("variables", len(self.variables), variable, f"Add variable '{variable['display_name']}'")

    def edit_variable(self, row: int, new: dict) -> ReplaceItem | None:
        old = self.variables[row]
        if new == old:
            return None
        used_by = rules_using_variable(self.rules + self.classification_rules, old["name"])
        if used_by and new.get("type") != old.get("type"):
            raise EditRefused(f"'{old['display_name']}' is compared by {', '.join(repr(n) for n in used_by)}, "
                              "so its type cannot change.")
        if used_by and new["name"] != old["name"]:
            rules = rename_variable_in_rules(self.rules, old["name"], new["name"])
            classification = rename_variable_in_rules(self.classification_rules, old["name"], new["name"])
            routing = len(rules_using_variable(self.rules, old["name"]))
            classifying = len(used_by) - routing
            updates = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in
                       ((routing, "rule"), (classifying, "classification rule")) if n]
            text = f"Rename variable '{old['name']}' to '{new['name']}' (updates {' and '.join(updates)})"
            return ReplaceItem("variables", row, old, new, text, tuple(self.rules), tuple(rules),
                               tuple(self.classification_rules), tuple(classification))
        return ReplaceItem("variables", row, old, new, f"Edit variable '{new['display_name']}'")

    def delete_variable(self, row: int) -> DeleteItem:
        variable = self.variables[row]
        used_by = rules_using_variable(self.rules + self.classification_rules, variable["name"])
        if used_by:
            rules = ", ".join(f"'{n}'" for n in used_by)
            raise EditRefused(f"'{variable['display_name']}' ({variable['name']}) is used by "
                              f"{'rule' if len(used_by) == 1 else 'rules'} {rules}. Change or delete those rules first.")
        return DeleteItem("variables", row, variable, f"Delete variable '{variable['display_name']}'")

    def add_rule(self, rule: dict) -> AddItem:
        rule = rule if "id" in rule else {"id": None, **rule}
        return AddItem("rules", len(self.rules), rule, f"Add rule '{rule['name']}'")

    def edit_rule(self, row: int, new: dict) -> ReplaceItem | None:
        old = self.rules[row]
        if new == old:
            return None
        return ReplaceItem("rules", row, old, new, f"Edit rule '{new['name']}'")

    def delete_rule(self, row: int) -> DeleteItem:
        rule = self.rules[row]
        return DeleteItem("rules", row, rule, f"Delete rule '{rule.get('name', '')}'")

    def move_rules(self, source: int, count: int, destination: int, kind: str = "rules") -> MoveRules | None:
        """Qt's moveRows meaning; None when the rows would land where they are."""
        items = self.items(kind)
        size = len(items)
        if count < 1 or source < 0 or source + count > size or not 0 <= destination <= size:
            return None
        if source <= destination <= source + count:
            return None
        landing = landing_row(source, count, destination)
        name = items[source].get("display_name") or items[source].get("name", "")
        return MoveRules(source, count, destination,
                         f"Move {ITEM_NOUNS[kind]} '{name}' {'up' if landing < source else 'down'}", kind)

    def move_rule(self, row: int, delta: int, kind: str = "rules") -> MoveRules | None:
        """One item up (delta -1) or down (+1)."""
        size = len(self.items(kind))
        target = row + delta
        if not 0 <= row < size or not 0 <= target < size:
            return None
        return self.move_rules(row, 1, target if delta < 0 else target + 1, kind)

    def move_variable(self, row: int, delta: int) -> MoveRules | None:
        """Context variables keep the user's order (issue 10): one up or down."""
        return self.move_rule(row, delta, "variables")

    # ------------------------------------------------------------------ classification rules
    def add_classification_rule(self, rule: dict) -> AddItem:
        rule = rule if "id" in rule else {"id": None, **rule}
        return AddItem("classification", len(self.classification_rules), rule,
                       f"Add classification rule '{rule['name']}'")

    def edit_classification_rule(self, row: int, new: dict) -> ReplaceItem | None:
        old = self.classification_rules[row]
        if new == old:
            return None
        return ReplaceItem("classification", row, old, new, f"Edit classification rule '{new['name']}'")

    def delete_classification_rule(self, row: int) -> DeleteItem:
        rule = self.classification_rules[row]
        return DeleteItem("classification", row, rule, f"Delete classification rule '{rule.get('name', '')}'")

    # ------------------------------------------------------------------ work distribution (version 2)
    def set_capacity_format(self, capacity_format: str, profile: str | None = None) -> SetFields | None:
        """Units or a profile, in one step: a unit-based stream has no profile, a profile-based one needs one
        (``profile`` None keeps the one chosen, if any)."""
        new_profile = None if capacity_format == "units" else (profile or self.data.get("capacity_profile"))
        keys = ("capacity_format", "capacity_profile")
        new = (capacity_format, new_profile)
        old = tuple(self.data.get(key) for key in keys)
        if old == new:
            return None
        text = "Use capacity units" if capacity_format == "units" else f"Use capacity profile '{new_profile or ''}'"
        return SetFields(keys, old, new, text)

    @property
    def decline_reasons(self) -> list[str]:
        return list(self.data.get("decline_reasons") or [])

    def _reasons(self, reasons: list[str], text: str) -> SetField | None:
        """The whole list in one SetField: undo puts back exactly the list before."""
        return None if reasons == self.decline_reasons else SetField("decline_reasons", self.decline_reasons,
                                                                     reasons, text)

    def add_decline_reason(self, reason: str) -> SetField | None:
        reason = reason.strip()
        return self._reasons([*self.decline_reasons, reason], f"Add decline reason '{reason}'") if reason else None

    def rename_decline_reason(self, row: int, reason: str) -> SetField | None:
        reasons = self.decline_reasons
        if not 0 <= row < len(reasons) or not reason.strip():
            return None
        old = reasons[row]
        reasons[row] = reason.strip()
        return self._reasons(reasons, f"Rename decline reason '{old}' to '{reasons[row]}'")

    def delete_decline_reason(self, row: int) -> SetField | None:
        reasons = self.decline_reasons
        if not 0 <= row < len(reasons):
            return None
        gone = reasons.pop(row)
        return self._reasons(reasons, f"Delete decline reason '{gone}'")

    def move_decline_reason(self, row: int, delta: int) -> SetField | None:
        reasons = self.decline_reasons
        target = row + delta
        if not 0 <= row < len(reasons) or not 0 <= target < len(reasons):
            return None
        reasons[row], reasons[target] = reasons[target], reasons[row]
        return self._reasons(reasons, f"Move decline reason '{reasons[target]}' {'up' if delta < 0 else 'down'}")

    # ------------------------------------------------------------------ changing
    def apply(self, edit: Edit) -> None:
        self._change(edit, undo=False)

    def revert(self, edit: Edit) -> None:
        self._change(edit, undo=True)

    def _change(self, edit: Edit, undo: bool) -> None:
        change = _inverse(edit) if undo else edit
        if self.listener is not None:
            self.listener.draft_changing(change)
        if isinstance(change, SetField):
            self.data[change.key] = copy.deepcopy(change.new)
        elif isinstance(change, SetFields):
            for key, value in zip(change.keys, change.new):
                self.data[key] = copy.deepcopy(value)
        elif isinstance(change, AddItem):
            self.items(change.kind).insert(change.row, change.item)
        elif isinstance(change, DeleteItem):
            del self.items(change.kind)[change.row]
        elif isinstance(change, ReplaceItem):
            self.items(change.kind)[change.row] = change.new
            if change.new_rules is not None:
                self.rules[:] = list(change.new_rules)
            if change.new_classification is not None:
                self.data["classification_rules"] = list(change.new_classification)
        elif isinstance(change, MoveRules):
            rules = self.items(change.kind)
            block = rules[change.source:change.source + change.count]
            del rules[change.source:change.source + change.count]
            at = change.landing()
            rules[at:at] = block
        if self.listener is not None:
            self.listener.draft_changed(change)

    # ------------------------------------------------------------------ validation
    def problems(self, queue_names: Iterable[str] | None = None,
                 catalogue: "DistributionCatalogue | None" = None) -> list[Issue]:
        """The document's own validation of this draft (paths as in WorkStreamDoc).

        ``queue_names`` None: queue references are not checked (the service does that on save).
        ``catalogue``: the skills (with their ratings), capacity profiles and presences the
        draft may name; None leaves those references to the service too.
        """
        data = self.for_save()
        try:
            doc = WorkStreamDoc.model_validate(data)
        except ValidationError as error:
            return issues_from_pydantic(error)
        if queue_names is None:
            queue_names = [doc.default_queue or "", *(name for rule in doc.routing_rules for name in rule.queue_names())]
        known = {} if catalogue is None else {"skills": catalogue.folded_skills(), "profiles": catalogue.folded_profiles(),
                                             "presences": catalogue.folded_presences()}
        return check_workstream(doc, {name_key(name) for name in queue_names}, **known)


def _inverse(edit: Edit) -> Edit:
    """The edit that undoes ``edit``."""
    if isinstance(edit, SetField):
        return SetField(edit.key, edit.new, edit.old, edit.text)
    if isinstance(edit, SetFields):
        return SetFields(edit.keys, edit.new, edit.old, edit.text)
    if isinstance(edit, AddItem):
        return DeleteItem(edit.kind, edit.row, edit.item, edit.text)
    if isinstance(edit, DeleteItem):
        return AddItem(edit.kind, edit.row, edit.item, edit.text)
    if isinstance(edit, ReplaceItem):
        return ReplaceItem(edit.kind, edit.row, edit.new, edit.old, edit.text, edit.new_rules, edit.old_rules,
                           edit.new_classification, edit.old_classification)
    return edit.reversed()

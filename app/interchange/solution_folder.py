"""Read an unpacked Dynamics solution folder (SolutionPackager output) as a CMT import.

Layout (see ../shared/reference/dynamics-alm/solution/): one folder per entity, one folder
per record, one XML file per record whose root element is the entity and whose child
elements are the columns, values exactly as Dataverse stores them::

    msdyn_liveworkstreams/<id>/msdyn_liveworkstream.xml       <msdyn_liveworkstream msdyn_liveworkstreamid=...>
    msdyn_routingconfigurations/<name>/msdyn_routingconfiguration.xml   (lookup to its work stream)
    msdyn_routingconfigurationsteps/<name>/msdyn_routingconfigurationstep.xml   (config, ruleset, order)
    msdyn_decisionrulesets/<name>/msdyn_decisionruleset.xml + msdyn_rulesetdefinition.xml

A lookup column holds the key of the record it points at in a child element
(``<msdyn_rulesetid><msdyn_uniquename>new_…</msdyn_uniquename></msdyn_rulesetid>``).

What is carried: work streams (the columns app.interchange.cmt reads, durations in
minutes), their context variables when the folder has them, and the rules of each work
stream's active routing configuration whose ruleset routes to queues
(``assign_to.queue`` actions).  A rule's queue is named only by GUID: it is resolved
against the database's queues on import.  Conditions of ``<logical operator=AND|OR>``
groups over the stream's context variables become the console's condition model;
``msdyn_ocliveworkitem.msdyn_createdon`` *not-null*, the condition Microsoft's editor
writes for "every conversation", is always true.  A rule whose condition cannot be
translated is not carried and says why.  Every column and every related record not
carried is reported by the name of its work stream.
"""
from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from app.interchange.cmt import (
    GUID_NAMESPACE,
    OPERATOR_FROM_XML,
    PROFILE,
    PROFILE_LINK,
    STREAM,
    VARIABLE,
    CmtImport,
    CmtRejected,
    Field,
    PendingRule,
    Reader,
    ReadRecord,
    imported_from,
    parse_guid,
    parse_int,
    parse_xml,
    typed_value,
)
from app.routing.conditions import LIST_OPERATORS, VALUELESS_OPERATORS

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_FILES = 20_000
ROUTING_CONFIGURATION = "msdyn_routingconfiguration"
ROUTING_STEP = "msdyn_routingconfigurationstep"
RULESET = "msdyn_decisionruleset"
RULESET_DEFINITION = "msdyn_rulesetdefinition.xml"
ASSIGN_TO_QUEUE = "assign_to.queue"
ALWAYS_TRUE = ("msdyn_ocliveworkitem.msdyn_createdon", "not-null")  # Microsoft's "every conversation"


class Untranslatable(Exception):
    """A ruleset condition the console's condition model cannot express."""


@dataclass
class SolutionRecord:
    entity: str
    key: str  # the GUID or unique name in the root element's attribute
    element: Element
    place: str  # path relative to the folder
    refs: set[str] = field(default_factory=set)  # keys of the records its lookups point at

    def text(self, column: str) -> str | None:
        child = self.element.find(column)
        if child is None:
            return None
        if child.get("default") is not None:  # a localised label: <msdyn_name default="…"><label …/></msdyn_name>
            return child.get("default")
        if len(child):  # a lookup: the key is in its child
            return (child[0].text or "").strip()
        if child.text is None and child.get("default") is not None:  # a localised label
            return child.get("default")
        return child.text or ""


def read_solution_folder(path: str | os.PathLike) -> CmtImport:
    """Read an unpacked solution folder; CmtRejected names any problem (one line)."""
    root = Path(path)
    if not (root / "msdyn_liveworkstreams").is_dir():
        raise CmtRejected(f"{root}: not an unpacked solution folder with work streams (no msdyn_liveworkstreams/)")
    try:
        records = _load(root)
    except OSError as error:  # unreadable folder or file: one line, no traceback
        raise CmtRejected(f"{root}: cannot read {error.filename or ''}: {error.strerror or error}") from None
    first: dict[tuple[str, str], SolutionRecord] = {}
    for record in records:  # one key, two records: refused naming both files, never merged
        earlier = first.setdefault((record.entity, record.key.casefold()), record)
        if earlier is not record:
            raise CmtRejected(f"{record.entity} {record.key} appears twice: {earlier.place} and {record.place}")
    keys = {record.key.casefold() for record in records}
    for record in records:
        record.refs = {ref for ref in _lookup_keys(record.element) if ref.casefold() in keys}
    streams = [r for r in records if r.entity == STREAM]
    variables = [r for r in records if r.entity == VARIABLE]
    read = {STREAM: [_read_record(r) for r in streams], VARIABLE: [_read_record(r) for r in variables]}
    # Capacity profiles are keyed by unique name; their links to work streams by GUID.
    profiles = [r for r in records if r.entity == PROFILE]
    read[PROFILE] = [_read_record(r, _key_guid(r.key)) for r in profiles]
    for profile, record in zip(read[PROFILE], profiles):
        if not (profile.text("msdyn_name") or "").strip():  # named by its unique name, then
            profile.fields["msdyn_name"] = Field(record.key, None, None)
    read[PROFILE_LINK] = [_read_record(r) for r in records if r.entity == PROFILE_LINK]
    reader = Reader(read)
    reader.profile_keys = {r.key.casefold(): _key_guid(r.key) for r in profiles}
    translator = _RuleTranslator(root, records)
    return imported_from(reader, [], str(root), then=translator.add_to)


def _key_guid(key: str) -> str:
    """A record's GUID: its key when that is one, else stable from its unique name."""
    try:
        return str(uuid.UUID(key)).lower()
    except ValueError:
        return str(uuid.uuid5(GUID_NAMESPACE, f"solution/{key.casefold()}"))


def _load(root: Path) -> list[SolutionRecord]:
    records: list[SolutionRecord] = []
    count = 0
    for entity_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and p.name != "Other"):
        for record_dir in sorted(p for p in entity_dir.iterdir() if p.is_dir() and not p.is_symlink()):
            # The record is <entity>.xml (its folder is the plural); other files are companions
            # (a ruleset's definition, a contract's definition), read where they are needed.
            for file in sorted(record_dir.glob("*.xml")):
                if file.is_symlink() or file.stem + "s" != entity_dir.name:
                    continue
                count += 1
                if count > MAX_FILES:
                    raise CmtRejected(f"{root}: more than {MAX_FILES} record files")
                place = str(file.relative_to(root))
                if file.stat().st_size > MAX_FILE_BYTES:
                    raise CmtRejected(f"{place}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
                element = parse_xml(file.read_bytes(), place)
                key = _record_key(element, place)
                records.append(SolutionRecord(element.tag, key, element, place))
    return records


def _record_key(element: Element, place: str) -> str:
    key = element.get(f"{element.tag}id") or element.get("msdyn_uniquename")
    if not key:
        raise CmtRejected(f"{place}: <{element.tag}> has no {element.tag}id or msdyn_uniquename")
    return key


def _lookup_keys(element: Element) -> set[str]:
    return {(child[0].text or "").strip() for child in element if len(child) and child[0].tag != "label"}


def _read_record(record: SolutionRecord, record_id: str | None = None) -> ReadRecord:
    fields: dict[str, Field] = {}
    for child in record.element:
        if child.tag in fields:
            raise CmtRejected(f"{record.place}: column {child.tag} twice")
        fields[child.tag] = Field(record.text(child.tag) or "", None, None)
    record_id = record_id or parse_guid(record.key, f"{record.place}: {record.entity}id")
    return ReadRecord(record.entity, record_id, fields, record.place)


class _RuleTranslator:
    """Adds each work stream's route-to-queue rules and the report of related records not carried."""

    def __init__(self, base: Path, records: list[SolutionRecord]):
        self.base = base
        self.records = records
        self.by_key = {r.key.casefold(): r for r in records}
        self.pointing_at: dict[str, list[SolutionRecord]] = {}
        for record in records:
            for ref in record.refs:
                self.pointing_at.setdefault(ref.casefold(), []).append(record)
        self.decisions: dict[Path, Element | None] = {}

    def add_to(self, reader: Reader) -> None:
        reported: set[str] = set()
        for record in self.records:
            if record.entity != STREAM:
                continue
            related = self._related(record)
            reported |= {r.key.casefold() for r in related} | {record.key.casefold()}
            stream = reader.streams.get(parse_guid(record.key, record.place))
            carried: set[str] = set()
            if stream is not None:
                carried = self._rules(record, stream, reader)
                if stream.get("capacity_profile") is not None:  # its profile and the link were read
                    carried |= {r.key.casefold() for r in related if r.entity in (PROFILE, PROFILE_LINK)}
            counts = Counter(r.entity for r in related if r.key.casefold() not in carried and r.entity != VARIABLE)
            if counts:
                reader.related[parse_guid(record.key, record.place)] = counts
        others = Counter(r.entity for r in self.records if r.key.casefold() not in reported and r.entity != VARIABLE)
        for entity, count in sorted(others.items()):
            reader.ignored.append(f"entity {entity} ({count} record{'s' if count != 1 else ''}): not carried")

    def _related(self, stream: SolutionRecord) -> list[SolutionRecord]:
        """Records that belong to a stream: those pointing at it (and at them), and what those point at."""
        found: dict[str, SolutionRecord] = {}
        owned = [stream]
        while owned:  # children: config <- step, stream <- config, stream <- capacity profile link ...
            parent = owned.pop()
            for child in self.pointing_at.get(parent.key.casefold(), []):
                if child.entity != STREAM and child.key.casefold() not in found:
                    found[child.key.casefold()] = child
                    owned.append(child)
        pending = [stream, *found.values()]
        while pending:  # what they point at: rulesets, capacity profiles, decision contracts
            record = pending.pop()
            for ref in record.refs:
                target = self.by_key[ref.casefold()]
                if target.entity != STREAM and target.key.casefold() not in found:
                    found[target.key.casefold()] = target
                    pending.append(target)
        return sorted(found.values(), key=lambda r: (r.entity, r.place))

    def _rules(self, stream_record: SolutionRecord, stream: dict, reader: Reader) -> set[str]:
        """Translate the active routing configuration's route-to-queue rules; the keys carried."""
        carried: set[str] = set()
        configs = [r for r in self.pointing_at.get(stream_record.key.casefold(), [])
                   if r.entity == ROUTING_CONFIGURATION and (r.text("msdyn_isactiveconfiguration") or "0").strip() == "1"]
        types = {v["name"]: v["type"] for v in stream["context_variables"]}
        for config in configs[:1]:
            steps = [r for r in self.pointing_at.get(config.key.casefold(), []) if r.entity == ROUTING_STEP]
            steps.sort(key=lambda r: parse_int(r.text("msdyn_steporder") or "0", f"{r.place}: msdyn_steporder"))
            for step in steps:
                ruleset = self.by_key.get((step.text("msdyn_rulesetid") or "").casefold())
                if ruleset is None or ruleset.entity != RULESET:
                    continue
                definition = Path(ruleset.place).parent / RULESET_DEFINITION
                if not self._routes_to_queues(ruleset, definition):
                    continue
                if self._translate(ruleset, definition, stream, types, reader):
                    carried |= {config.key.casefold(), step.key.casefold(), ruleset.key.casefold()}
        return carried

    def _routes_to_queues(self, ruleset: SolutionRecord, definition: Path) -> bool:
        decision = self._decision(definition)
        return decision is not None and any(
            (lhs.text or "").strip() == ASSIGN_TO_QUEUE for lhs in decision.iter("lhs"))

    def _decision(self, definition: Path) -> Element | None:
        if definition not in self.decisions:
            self.decisions[definition] = self._parse_decision(definition)
        return self.decisions[definition]

    def _parse_decision(self, definition: Path) -> Element | None:
        file = self.base / definition
        if not file.is_file() or file.is_symlink():
            return None
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CmtRejected(f"{definition}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        root = parse_xml(file.read_bytes(), str(definition))
        if root.tag != "decision":
            raise CmtRejected(f"{definition}: the root element must be <decision>, not <{root.tag}>")
        return root

    def _translate(self, ruleset: SolutionRecord, definition: Path, stream: dict, types: dict[str, str],
                   reader: Reader) -> bool:
        """Add the ruleset's rules to the stream; True when any was (those left out are reported)."""
        decision = self._decision(definition)
        assert decision is not None
        rules = decision.findall("rules/rule")
        what = f"workstream '{stream['name']}'"
        if decision.get("hit-policy", "first") != "first" and len(rules) > 1:
            reader.notes.append(f"{what}: ruleset '{ruleset.text('msdyn_name')}' applies all matching rules; "
                                "the console routes to the first match")
        carried = False
        for rule in rules:
            name = rule.get("name") or rule.get("id") or "rule"
            queue_ids = [(rhs.text or "").strip() for action in rule.findall("action/setattribute")
                         if (action.findtext("lhs") or "").strip() == ASSIGN_TO_QUEUE
                         for rhs in action.findall("rhs")]
            try:
                if len(queue_ids) != 1:
                    raise Untranslatable(f"{len(queue_ids)} queues")
                logical = rule.find("logical")
                condition = _condition(logical, types, str(definition)) if logical is not None else {"all": []}
            except Untranslatable as why:
                reader.ignored.append(f"{what}: rule '{name}' not carried: {why}")
                continue
            rule_doc: dict[str, Any] = {"name": name[:100], "description": "", "condition": condition}
            if rule.get("id"):
                rule_doc["id"] = parse_guid(rule.get("id") or "", f"{definition}: rule '{name}' id")
            queue_id = parse_guid(queue_ids[0], f"{definition}: rule '{name}': {ASSIGN_TO_QUEUE}")
            note = f"{what}: rule '{name}' routes to queue {queue_id} (matched by id on import)"
            reader.pending_rules.append(PendingRule(stream["id"], rule_doc, queue_id, note))
            reader.notes.append(note)
            carried = True
        return carried


def _condition(element: Element, types: dict[str, str], where: str) -> dict:
    """A ``<logical>`` tree in the console's condition model (Untranslatable when it has no equivalent)."""
    if element.tag == "logical":
        operator = (element.get("operator") or "AND").upper()
        if operator not in ("AND", "OR"):
            raise Untranslatable(f"logical operator {operator!r}")
        children = [_condition(child, types, where) for child in element]
        always = {"all": []}
        if operator == "AND":
            return {"all": [c for c in children if c != always]}
        return always if always in children or not children else {"any": children}
    if element.tag != "condition":
        raise Untranslatable(f"<{element.tag}> in a condition")
    lhs = (element.findtext("lhs") or "").strip()
    xml_operator = element.get("operator") or ""
    if (lhs, xml_operator) == ALWAYS_TRUE:
        return {"all": []}
    variable = lhs.rsplit(".", 1)[-1]
    if variable not in types:
        raise Untranslatable(f"condition on {lhs or 'nothing'}, which is not a context variable of the work stream")
    operator = OPERATOR_FROM_XML.get(xml_operator)
    if operator is None:
        raise Untranslatable(f"operator {xml_operator!r}")
    leaf: dict[str, Any] = {"variable": variable, "operator": operator}
    if operator in VALUELESS_OPERATORS:
        return leaf
    values = [typed_value((rhs.text or "").strip(), types[variable], where) for rhs in element.findall("rhs")]
    if operator in LIST_OPERATORS:
        leaf["value"] = values
    elif len(values) == 1:
        leaf["value"] = values[0]
    else:
        raise Untranslatable(f"operator {xml_operator!r} with {len(values)} values")
    return leaf

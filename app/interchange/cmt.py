"""Dynamics 365 Configuration Migration tool (CMT) packages: write and read.

A package is a zip of ``[Content_Types].xml``, ``data_schema.xml`` (entities and
fields, Microsoft's schema format) and ``data.xml`` (the records).

What is carried
---------------
* ``queue``: ``queueid``, ``name``, ``description``, ``msdyn_queuetype``
  (192350000 messaging, 192350001 records) and ``msdyn_isomnichannelqueue``
  (always written True; read and not kept).
* ``msdyn_liveworkstream``: name, channel (``msdyn_streamsource``), capacity,
  auto-close after inactivity and assign after decline (``Format: Duration``
  columns: MINUTES in Dataverse, seconds in the console; export rounds a part
  minute up and lists it in ``CmtPackage.rounded``), distribution mode,
  notification, screen pop timeout (written as ``msdyn_screenpoptimeout_optionSet``
  only, as Microsoft's records do; read from it or ``msdyn_screenpoptimeout``),
  allowed presences, default queue (lookup), keep same agent, wrap-up block
  (``Format: None``: seconds both sides), ``msdyn_isdefault`` (written True when
  the stream owns a default channel; read back as a placeholder default channel
  for a new stream, since channels themselves are not carried),
  ``statecode``/``statuscode`` (0/1 active, 1/2 inactive).  Also written with the
  values Microsoft's unified-routing records use (``fixed_stream_values``):
  ``msdyn_mode`` 717210001, ``msdyn_direction`` 0 (inbound), ``msdyn_conversationmode``
  192350000 (live chat streams only) and ``msdyn_enableselectingfrompushbasedworkstreams`` (True on push streams);
  read back, another value there is reported as not carried.
* ``msdyn_ocliveworkstreamcontextvariable``: display name, name, data type
  (192350000 text, 192350001 number), work stream lookup,
  ``msdyn_issystemdefined`` (written False), state 0/1.
* ``msdyn_ocruleitem`` (a separate entity block, optional): routing rule items
  with ``msdyn_name``, ``description``, ``msdyn_liveworkstream`` (lookup),
  ``msdyn_cdsqueueassignid`` (queue lookup), ``msdyn_priority`` (1-based order)
  and ``msdyn_condition`` (the condition as FetchXML-like XML, see below).  These
  column names come from Microsoft's msdyn_ocruleitem table reference; the entity
  is *not* in Microsoft's published CMT sample schemas, so its CMT types are ours.

* Version 2, only where Microsoft's sample schemas list the table and column:
  ``ratingmodel`` (name, ``minratingvalue`` 1, ``maxratingvalue`` n) with its
  ``ratingvalue`` records (name, ``value`` 1..n lowest first, lookup); skills as
  ``characteristic`` (name; a characteristic names no rating model, so a new skill
  read back is rated on the package's first model and an existing one keeps its own);
  ``msdyn_capacityprofile`` (name, ``msdyn_defaultmaxunits`` = work item limit);
  ``queue.msdyn_priority`` and ``msdyn_assignmentstrategy`` (192350000 highest
  capacity, 192350001 round robin, 192350003 longest idle = least active; 192350002,
  a custom assignment configuration, is reported not carried); the work stream's
  ``msdyn_capacityformat`` (192350000 units, 192360000 profile), ``msdyn_matchinglogic``
  (192350000 exact, 192350001 closest; not written for "none") and its profile as a
  ``msdyn_liveworkstreamcapacityprofile`` link.  Unpacked solution folders carry the
  capacity profiles (keyed by unique name) and links too.

What is not carried: presences, agents (so neither their skills nor their
profiles: ``bookableresourcecharacteristic`` is in no published schema), queue
membership, channels (chat widgets, numbers...), operating hours (``msdyn_operatinghour``
has no schedule columns there), overflow and classification rules (decision rule
sets), percentage splits (a rule item has one queue: the export skips such a rule
and says so in ``CmtPackage.not_carried``), ids of nothing else.
Reading gives a document with no presences and agents, queues without members and
streams without channels; importing into a database (``merge_into``) upserts what
the package carries and leaves everything else exactly as it is.

Spelling inside ``value``
-------------------------
Written: booleans ``True``/``False``; choices as the integer; multi-select as
Microsoft's records spell it, ``[-1,192360000,192360001,-1]``; numbers as decimal
integers; GUIDs lower-case 8-4-4-4-12.  Read: booleans ``True``/``False``/``1``/``0``
(any case); multi-select integers separated by commas, with or without brackets,
spaces and ``-1`` markers (``192360000,192360001`` is how the Web API takes them).

Rule conditions (``msdyn_condition``)::

    <filter type="and|or"> ... </filter>            a group ("all" / "any")
    <condition attribute="var" operator="op" value="v"/>
    <condition attribute="var" operator="in"><value>a</value><value>b</value></condition>

operators: eq, ne, like (contains; value %x%), not-like, begins-with,
ends-with, gt, ge, lt, le, in, not-in, null (is empty), not-null.  Values
are typed by the stream's variable (number: int, or float when written with a
point/exponent).  ``"value": null`` on null/not-null is not kept.

Reading references
------------------
Ids come from the record ids.  A lookup to a queue not in the package (Dynamics
excludes system queues such as "Default entity queue" from exports) becomes
a stub queue of that name (from ``lookupentityname``; messaging, or records for
an entity-records stream), listed in ``notes``; without a name the reference is
dropped: an active stream without a default queue is imported inactive, a rule
without a queue is skipped (``notes``).  Entities the console does not model are
listed in ``ignored``, one line each, and so is every record with columns it does
not carry, by name: ``msdyn_liveworkstream 'Chat': not carried: msdyn_foo, msdyn_bar``.
Two records of one entity under one GUID reject the package, naming both places.  Unknown choice values in a
work stream's channel or a queue's type skip that record (``ignored``);
other bad values reject the package.  The result passes
app.config.document.validate_document or the package is rejected.

Reading uses the bundle rules for the zip (app.common.safety) and a
hardened XML parser (defusedxml: no DTD, no entities, no external references)
with a depth and element-count limit.
"""
from __future__ import annotations

from app.common.names import name_key

from app.common.files import write_atomically

from models.choices import CHANNEL_KIND_FOR, NAME_MAX

import io
import math
import os
import re
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Mapping, Union
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from app.common import safety
from app.interchange.bundles.delta import document_dict
from app.interchange.bundles.format import add_member
from app.common.safety import MemberRule, RejectedInput
from app.routing.conditions import GROUP_KEYS, VALUELESS_OPERATORS, LIST_OPERATORS
from app.config.document import DocumentInvalid, validate_document
from app.common.errors import UserError
from models.choices import BASE_PRESENCES, MAX_INT32, MAX_QUEUE_PRIORITY, MAX_WORK_ITEM_LIMIT

CONTENT_TYPES = "[Content_Types].xml"
DATA = "data.xml"
SCHEMA = "data_schema.xml"
FIXED_TIMESTAMP = "1980-01-01T00:00:00.0000000Z"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:workstream-console:cmt")

MAX_DATA_BYTES = 256 * safety.MiB
MAX_SCHEMA_BYTES = 16 * safety.MiB
MAX_CONTENT_TYPES_BYTES = 64 * safety.KiB
MAX_XML_DEPTH = 32
MAX_XML_ELEMENTS = 2_000_000

QUEUE = "queue"
STREAM = "msdyn_liveworkstream"
VARIABLE = "msdyn_ocliveworkstreamcontextvariable"
RULE = "msdyn_ocruleitem"
RATING_MODEL = "ratingmodel"
RATING_VALUE = "ratingvalue"
SKILL = "characteristic"
PROFILE = "msdyn_capacityprofile"
PROFILE_LINK = "msdyn_liveworkstreamcapacityprofile"

# Choice values (dataverse-facts.md; queue types from Microsoft's queue table).
QUEUE_TYPES = {"messaging": 192350000, "records": 192350001}
CHANNELS = {"live_chat": 192360000, "sms": 192340000, "facebook": 192330000, "entity_records": 192350000}
DISTRIBUTION = {"push": 192350000, "pick": 192350001}
NOTIFICATIONS = {"direct_open": 100000000, "screen_pop_timeout": 100000001, "screen_pop_decline": 100000002}
PRESENCES = dict(zip(BASE_PRESENCES, range(192360000, 192360005)))
DATA_TYPES = {"text": 192350000, "number": 192350001}
# Version 2 (dataverse-facts.md and the queue table reference's msdyn_queueassignmentstrategy).
CAPACITY_FORMATS = {"units": 192350000, "profile": 192360000}
SKILL_MATCHING = {"exact": 192350000, "closest": 192350001}  # "none": the column is not written
ASSIGNMENT_METHODS = {"highest_capacity": 192350000, "round_robin": 192350001, "least_active": 192350003}
CUSTOM_ASSIGNMENT = 192350002  # an assignment configuration of rulesets: not modelled
ENTITY_REFERENCE_TYPE = 192350100
STATE = {True: (0, 1), False: (1, 2)}  # active -> (statecode, statuscode)

# Whole-number columns whose Dataverse metadata says "Format: Duration" hold MINUTES; the console
# keeps seconds.  Import multiplies by 60; export divides, rounding a part minute up (and says so).
DURATION_COLUMNS = {
    "msdyn_autocloseafterinactivity": "auto_close_after_inactivity_s",
    "msdyn_assignworkitemafterdecline": "assign_after_decline_s",
}
UNIFIED_ROUTING_MODE = 717210001
CONVERSATION_LIVE_CHAT = 192350000
FIXED_COLUMNS = ("msdyn_mode", "msdyn_direction", "msdyn_conversationmode",
                 "msdyn_enableselectingfrompushbasedworkstreams")

CONDITION_OPERATORS = {
    "eq": "eq", "ne": "ne", "contains": "like", "not_contains": "not-like",
    "begins_with": "begins-with", "ends_with": "ends-with", "gt": "gt", "ge": "ge",
    "lt": "lt", "le": "le", "in": "in", "not_in": "not-in",
    "is_empty": "null", "is_not_empty": "not-null",
}
OPERATOR_FROM_XML = {xml: ours for ours, xml in CONDITION_OPERATORS.items()}
_LIKE = {"contains", "not_contains"}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_INT = re.compile(r"^[+-]?\d{1,12}$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$")
_GUID = re.compile(r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$")

Source = Union[bytes, bytearray, memoryview, str, os.PathLike, IO[bytes]]


class CmtRejected(RejectedInput):
    """A CMT package is refused (one line naming the cause)."""


class CmtError(UserError):
    """A configuration cannot be written as a CMT package."""


# --------------------------------------------------------------------------- the schema we write

@dataclass(frozen=True)
class FieldSpec:
    name: str
    display: str
    type: str
    lookup: str | None = None
    primary: bool = False


@dataclass(frozen=True)
class EntitySpec:
    name: str
    display: str
    etc: int | None
    id_field: str
    name_field: str
    fields: tuple[FieldSpec, ...]


WRITTEN_ENTITIES: tuple[EntitySpec, ...] = (
    # Skills and capacity profiles first: queues and work streams are imported after what they use.
    EntitySpec(RATING_MODEL, "Rating Model", 1144, "ratingmodelid", "name", (
        FieldSpec("ratingmodelid", "Rating Model", "guid", primary=True),
        FieldSpec("name", "Name", "string"),
        FieldSpec("minratingvalue", "Min Rating Value", "number"),
        FieldSpec("maxratingvalue", "Max Rating Value", "number"),
    )),
    EntitySpec(RATING_VALUE, "Rating Value", 1142, "ratingvalueid", "name", (
        FieldSpec("ratingvalueid", "Rating Value", "guid", primary=True),
        FieldSpec("name", "Name", "string"),
        FieldSpec("ratingmodel", "Rating Model", "entityreference", lookup=RATING_MODEL),
        FieldSpec("value", "Value", "number"),
    )),
    EntitySpec(SKILL, "Characteristic", 1141, "characteristicid", "name", (
        FieldSpec("characteristicid", "Characteristic", "guid", primary=True),
        FieldSpec("name", "Name", "string"),
    )),
    EntitySpec(PROFILE, "Capacity Profile", 10465, "msdyn_capacityprofileid", "msdyn_name", (
        FieldSpec("msdyn_capacityprofileid", "Capacity Profile", "guid", primary=True),
        FieldSpec("msdyn_name", "Name", "string"),
        FieldSpec("msdyn_defaultmaxunits", "Default Max Units", "number"),
    )),
    EntitySpec(QUEUE, "Queue", 2020, "queueid", "name", (
        FieldSpec("queueid", "Queue", "guid", primary=True),
        FieldSpec("name", "Name", "string"),
        FieldSpec("description", "Description", "string"),
        FieldSpec("msdyn_queuetype", "Queue type", "optionsetvalue"),
        FieldSpec("msdyn_isomnichannelqueue", "Is Omnichannel queue", "bool"),
        FieldSpec("msdyn_priority", "Priority", "number"),
        FieldSpec("msdyn_assignmentstrategy", "Assignment Strategy", "optionsetvalue"),
    )),
    EntitySpec(STREAM, "Work Stream", 10481, "msdyn_liveworkstreamid", "msdyn_name", (
        FieldSpec("msdyn_liveworkstreamid", "Work Stream", "guid", primary=True),
        FieldSpec("msdyn_name", "Name", "string"),
        FieldSpec("msdyn_streamsource", "Channel", "optionsetvalue"),
        FieldSpec("msdyn_mode", "Mode", "optionsetvalue"),
        FieldSpec("msdyn_direction", "Direction", "optionsetvalue"),
        FieldSpec("msdyn_capacityformat", "Capacity format", "optionsetvalue"),
        FieldSpec("msdyn_conversationmode", "Conversation mode", "optionsetvalue"),
        FieldSpec("msdyn_capacityrequired", "Capacity", "number"),
        FieldSpec("msdyn_autocloseafterinactivity", "Auto-close after inactivity", "number"),
        FieldSpec("msdyn_workdistributionmode", "Work Distribution Mode", "optionsetvalue"),
        FieldSpec("msdyn_enableselectingfrompushbasedworkstreams", "Enable selecting from push based work streams",
                  "bool"),
        FieldSpec("msdyn_notification", "Notification", "optionsetvalue"),
        FieldSpec("msdyn_screenpoptimeout_optionSet", "Screen pop timeout", "optionsetvalue"),
        FieldSpec("msdyn_allowedpresences", "Allowed Presences", "optionsetvaluecollection"),
        FieldSpec("msdyn_defaultqueue", "Default Queue", "entityreference", lookup=QUEUE),
        FieldSpec("msdyn_assignworkitemafterdecline", "Assign WorkItem After Decline or Timeout", "number"),
        FieldSpec("msdyn_enableagentaffinity", "Keep same agent for entire conversation", "bool"),
        FieldSpec("msdyn_blockcapacityforwrapup", "Block capacity for wrap up state", "number"),
        FieldSpec("msdyn_isdefault", "Is Default", "bool"),
        FieldSpec("msdyn_matchinglogic", "Matching Logic", "optionsetvalue"),
        FieldSpec("statecode", "Status", "state"),
        FieldSpec("statuscode", "Status Reason", "status"),
    )),
    # A profile-based work stream's capacity profile.
    EntitySpec(PROFILE_LINK, "Work stream capacity profile", 10537, "msdyn_liveworkstreamcapacityprofileid",
               "msdyn_name", (
                   FieldSpec("msdyn_liveworkstreamcapacityprofileid", "Work stream capacity profile", "guid",
                             primary=True),
                   FieldSpec("msdyn_name", "Name", "string"),
                   FieldSpec("msdyn_capacityprofile_id", "Capacity Profile", "entityreference", lookup=PROFILE),
                   FieldSpec("msdyn_workstream_id", "Work Stream", "entityreference", lookup=STREAM),
               )),
    EntitySpec(VARIABLE, "Context variable", 10494, "msdyn_ocliveworkstreamcontextvariableid", "msdyn_name", (
        FieldSpec("msdyn_ocliveworkstreamcontextvariableid", "Context variable", "guid", primary=True),
        FieldSpec("msdyn_name", "Name", "string"),
        FieldSpec("msdyn_displayname", "Display Name", "string"),
        FieldSpec("msdyn_datatype", "Type", "optionsetvalue"),
        FieldSpec("msdyn_liveworkstreamid", "Work stream", "entityreference", lookup=STREAM),
        FieldSpec("msdyn_issystemdefined", "System Defined", "bool"),
        FieldSpec("statecode", "Status", "state"),
        FieldSpec("statuscode", "Status Reason", "status"),
    )),
    # Not in Microsoft's CMT sample schemas: see the module docstring.
    EntitySpec(RULE, "Rule Item", None, "msdyn_ocruleitemid", "msdyn_name", (
        FieldSpec("msdyn_ocruleitemid", "Rule Item", "guid", primary=True),
        FieldSpec("msdyn_name", "Name", "string"),
        FieldSpec("description", "Description", "string"),
        FieldSpec("msdyn_liveworkstream", "Work Stream", "entityreference", lookup=STREAM),
        FieldSpec("msdyn_cdsqueueassignid", "Queue", "entityreference", lookup=QUEUE),
        FieldSpec("msdyn_priority", "Order", "number"),
        FieldSpec("msdyn_condition", "Condition", "string"),
    )),
)
SPECS = {spec.name: spec for spec in WRITTEN_ENTITIES}


# --------------------------------------------------------------------------- XML text

def _attr(value: str) -> str:
    """An attribute value, escaped so that newlines and tabs survive a parse."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _check_xml_text(value: str, what: str) -> str:
    if _XML_ILLEGAL.search(value):
        raise CmtError(f"cannot write {what} to a CMT package: it contains a control character")
    return value


# --------------------------------------------------------------------------- write

@dataclass
class _Record:
    id: str
    fields: list[tuple[str, str, dict[str, str]]]  # (name, value, extra attributes)


def guid_for(doc_id: str | None, *parts: str) -> str:
    """The record GUID: the document's id when it has one, else stable from the names."""
    if doc_id:
        try:
            return str(uuid.UUID(doc_id))
        except ValueError:
            raise CmtError(f"id {doc_id!r} is not a GUID") from None
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join(parts)))


def _bool(value: bool) -> str:
    return "True" if value else "False"


def _number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def condition_xml(node: Mapping[str, Any]) -> str:
    """A condition tree as FetchXML-like text (see the module docstring)."""
    if len(node) == 1 and next(iter(node)) in GROUP_KEYS:
        key = next(iter(node))
        inner = "".join(condition_xml(child) for child in node[key])
        kind = "and" if key == "all" else "or"
        return f'<filter type="{kind}">{inner}</filter>' if inner else f'<filter type="{kind}"/>'
    operator = node["operator"]
    head = f'<condition attribute="{_attr(node["variable"])}" operator="{CONDITION_OPERATORS[operator]}"'
    if operator in VALUELESS_OPERATORS:
        return head + "/>"
    value = node["value"]
    if operator in LIST_OPERATORS:
        items = "".join(f"<value>{_text(_literal(v))}</value>" for v in value)
        return f"{head}>{items}</condition>"
    literal = _literal(value)
    if operator in _LIKE:
        literal = f"%{literal}%"
    return f'{head} value="{_attr(literal)}"/>'


def _literal(value: Any) -> str:
    return value if isinstance(value, str) else _number(value)


def _records(doc: Mapping[str, Any], include_rule_items: bool, rounded: list[str],
             not_carried: list[str]) -> dict[str, list[_Record]]:
    queue_ids = {q["name"].casefold(): (guid_for(q.get("id"), QUEUE, q["name"].casefold()), q["name"])
                 for q in doc["queues"]}
    records: dict[str, list[_Record]] = {spec.name: [] for spec in WRITTEN_ENTITIES}
    profile_ids = _distribution_records(doc, records)
    for queue in doc["queues"]:
        qid = queue_ids[queue["name"].casefold()][0]
        records[QUEUE].append(_Record(qid, [
            ("queueid", qid, {}),
            ("name", _check_xml_text(queue["name"], "a queue name"), {}),
            ("description", _check_xml_text(queue["description"], f"the description of queue '{queue['name']}'"), {}),
            ("msdyn_queuetype", str(QUEUE_TYPES[queue["kind"]]), {}),
            ("msdyn_isomnichannelqueue", "True", {}),
            ("msdyn_priority", str(queue["priority"]), {}),
            ("msdyn_assignmentstrategy", str(ASSIGNMENT_METHODS[queue["assignment_method"]]), {}),
        ]))
    not_carried += _not_carried_lines(doc)
    for stream in doc["workstreams"]:
        sid = guid_for(stream.get("id"), STREAM, stream["name"].casefold())
        records[STREAM].append(_Record(sid, _stream_fields(stream, sid, queue_ids, rounded)))
        if stream["capacity_format"] == "profile" and stream["capacity_profile"] is not None:
            pid, pname = profile_ids[_fold(stream["capacity_profile"])]
            lid = guid_for(None, PROFILE_LINK, stream["name"].casefold(), pname.casefold())
            records[PROFILE_LINK].append(_Record(lid, [
                ("msdyn_liveworkstreamcapacityprofileid", lid, {}),
                ("msdyn_name", _check_xml_text(f"{pname}-{stream['name']}"[:NAME_MAX], "a capacity profile name"), {}),
                ("msdyn_capacityprofile_id", pid, {"lookupentity": PROFILE, "lookupentityname": pname}),
                ("msdyn_workstream_id", sid, {"lookupentity": STREAM, "lookupentityname": stream["name"]}),
            ]))
        for var in stream["context_variables"]:
            vid = guid_for(var.get("id"), VARIABLE, stream["name"].casefold(), var["name"])
            records[VARIABLE].append(_Record(vid, [
                ("msdyn_ocliveworkstreamcontextvariableid", vid, {}),
                ("msdyn_name", var["name"], {}),
                ("msdyn_displayname", _check_xml_text(var["display_name"], f"variable '{var['name']}'"), {}),
                ("msdyn_datatype", str(DATA_TYPES[var["type"]]), {}),
                ("msdyn_liveworkstreamid", sid, {"lookupentity": STREAM, "lookupentityname": stream["name"]}),
                ("msdyn_issystemdefined", "False", {}),
                ("statecode", "0", {}),
                ("statuscode", "1", {}),
            ]))
        if include_rule_items:
            records[RULE] += _rule_records(stream, sid, queue_ids, not_carried)
    return records


def _distribution_records(doc: Mapping[str, Any], records: dict[str, list[_Record]]) -> dict[str, tuple[str, str]]:
    """Rating models with their values, skills (characteristics) and capacity profiles;
    returns folded profile name -> (GUID, name) for the work streams' links."""
    model_ids: dict[str, tuple[str, str]] = {}
    for model in doc.get("rating_models", []):
        mid = guid_for(model.get("id"), RATING_MODEL, _fold(model["name"]))
        model_ids[_fold(model["name"])] = (mid, model["name"])
        what = f"rating model '{model['name']}'"
        records[RATING_MODEL].append(_Record(mid, [
            ("ratingmodelid", mid, {}),
            ("name", _check_xml_text(model["name"], what), {}),
            ("minratingvalue", "1", {}),  # the values are numbered 1..n, lowest first
            ("maxratingvalue", str(len(model["values"])), {}),
        ]))
        for number, value in enumerate(model["values"], start=1):
            vid = guid_for(None, RATING_VALUE, _fold(model["name"]), _fold(value))
            records[RATING_VALUE].append(_Record(vid, [
                ("ratingvalueid", vid, {}),
                ("name", _check_xml_text(value, f"a rating value of {what}"), {}),
                ("ratingmodel", mid, {"lookupentity": RATING_MODEL, "lookupentityname": model["name"]}),
                ("value", str(number), {}),
            ]))
    for skill in doc.get("skills", []):
        kid = guid_for(skill.get("id"), SKILL, _fold(skill["name"]))
        records[SKILL].append(_Record(kid, [
            ("characteristicid", kid, {}),
            ("name", _check_xml_text(skill["name"], "a skill name"), {}),
        ]))
    profile_ids: dict[str, tuple[str, str]] = {}
    for profile in doc.get("capacity_profiles", []):
        pid = guid_for(profile.get("id"), PROFILE, _fold(profile["name"]))
        profile_ids[_fold(profile["name"])] = (pid, profile["name"])
        records[PROFILE].append(_Record(pid, [
            ("msdyn_capacityprofileid", pid, {}),
            ("msdyn_name", _check_xml_text(profile["name"], "a capacity profile name"), {}),
            ("msdyn_defaultmaxunits", str(profile["work_item_limit"]), {}),
        ]))
    return profile_ids


def _not_carried_lines(doc: Mapping[str, Any]) -> list[str]:
    """What of version 2 a package cannot hold, one line per kind (the export says so)."""
    lines = []
    hours = [q["name"] for q in doc["queues"] if q.get("operating_hours") is not None]
    if hours:
        lines.append(f"operating hours of {_listed(hours, 'queue')}: Microsoft's schema has no columns for a "
                     "weekly schedule (msdyn_operatinghour holds a name only)")
    overflow = [q["name"] for q in doc["queues"] if q.get("overflow")]
    if overflow:
        lines.append(f"overflow rules of {_listed(overflow, 'queue')}: Dynamics keeps them as decision rule sets, "
                     "which the console does not write")
    classified = [w["name"] for w in doc["workstreams"] if w.get("classification_rules")]
    if classified:
        lines.append(f"classification rules of {_listed(classified, 'work stream')}: Dynamics keeps them as "
                     "decision rule sets, which the console does not write")
    skilled = [a["name"] for a in doc.get("agents", []) if a.get("skills") or a.get("capacity_profiles")]
    if skilled:
        lines.append(f"skills and capacity profiles of {_listed(skilled, 'agent')}: agents are not carried")
    return lines


def _listed(names: list[str], noun: str) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{len(names)} {noun}{'s' if len(names) != 1 else ''} ({shown})"


def minutes_for(seconds: int) -> int:
    """Seconds as the whole minutes Dataverse stores, a part minute rounded up."""
    return -(-seconds // 60)


def fixed_stream_values(stream: Mapping[str, Any]) -> dict[str, str]:
    """Columns every unified-routing work stream carries, spelled as the console writes them.

    The values are those of Microsoft's own exported records (dataverse-facts.md, last section).
    """
    values = {
        "msdyn_mode": str(UNIFIED_ROUTING_MODE),
        "msdyn_direction": "0",  # inbound
    }
    if stream["channel"] == "live_chat":
        values["msdyn_conversationmode"] = str(CONVERSATION_LIVE_CHAT)
    # Microsoft's push streams allow it; on a pick stream every item is picked anyway.
    values["msdyn_enableselectingfrompushbasedworkstreams"] = _bool(stream["distribution_mode"] == "push")
    return values


def _stream_fields(stream: Mapping[str, Any], sid: str, queue_ids: Mapping[str, tuple[str, str]],
                   rounded: list[str]) -> list:
    statecode, statuscode = STATE[stream["active"]]
    presences = ",".join(str(PRESENCES[p]) for p in stream["allowed_presences"])
    fixed = fixed_stream_values(stream)
    minutes = {}
    for column, key in DURATION_COLUMNS.items():
        seconds = stream[key]
        minutes[column] = minutes_for(seconds)
        if seconds % 60:
            rounded.append(f"workstream '{stream['name']}': {key} {seconds} s is not whole minutes; "
                           f"{column} written as {minutes[column]} min (rounded up)")
    fields: list[tuple[str, str, dict[str, str]]] = [
        ("msdyn_liveworkstreamid", sid, {}),
        ("msdyn_name", _check_xml_text(stream["name"], "a work stream name"), {}),
        ("msdyn_streamsource", str(CHANNELS[stream["channel"]]), {}),
        ("msdyn_mode", fixed["msdyn_mode"], {}),
        ("msdyn_direction", fixed["msdyn_direction"], {}),
        ("msdyn_capacityformat", str(CAPACITY_FORMATS[stream.get("capacity_format", "units")]), {}),
    ]
    if "msdyn_conversationmode" in fixed:
        fields.append(("msdyn_conversationmode", fixed["msdyn_conversationmode"], {}))
    fields += [
        ("msdyn_capacityrequired", str(stream["capacity"]), {}),
        ("msdyn_autocloseafterinactivity", str(minutes["msdyn_autocloseafterinactivity"]), {}),
        ("msdyn_workdistributionmode", str(DISTRIBUTION[stream["distribution_mode"]]), {}),
        ("msdyn_enableselectingfrompushbasedworkstreams", fixed["msdyn_enableselectingfrompushbasedworkstreams"], {}),
        ("msdyn_notification", str(NOTIFICATIONS[stream["notification"]]), {}),
        ("msdyn_screenpoptimeout_optionSet", str(stream["screen_pop_timeout_s"]), {}),
        ("msdyn_allowedpresences", f"[-1,{presences},-1]", {}),  # as Microsoft's records spell it
    ]
    if stream["default_queue"] is not None:
        qid, qname = queue_ids[stream["default_queue"].casefold()]
        fields.append(("msdyn_defaultqueue", qid, {"lookupentity": QUEUE, "lookupentityname": qname}))
    fields += [
        ("msdyn_assignworkitemafterdecline", str(minutes["msdyn_assignworkitemafterdecline"]), {}),
        ("msdyn_enableagentaffinity", _bool(stream["keep_same_agent"]), {}),
        ("msdyn_blockcapacityforwrapup", str(stream["wrap_up_block_s"]), {}),
        ("msdyn_isdefault", _bool(any(c["is_default"] for c in stream["channels"])), {}),
    ]
    if stream.get("skill_matching", "none") in SKILL_MATCHING:
        fields.append(("msdyn_matchinglogic", str(SKILL_MATCHING[stream["skill_matching"]]), {}))
    fields += [
        ("statecode", str(statecode), {}),
        ("statuscode", str(statuscode), {}),
    ]
    return fields


def _rule_records(stream: Mapping[str, Any], sid: str, queue_ids: Mapping[str, tuple[str, str]],
                  not_carried: list[str]) -> list[_Record]:
    records = []
    seen: Counter[str] = Counter()
    for position, rule in enumerate(stream["routing_rules"], start=1):
        occurrence = seen[rule["name"]]
        seen[rule["name"]] += 1
        rid = guid_for(rule.get("id"), RULE, stream["name"].casefold(), rule["name"], str(occurrence))
        if rule.get("queue") is None:
            shares = ", ".join(f"{share['percent']}% '{share['queue']}'" for share in rule["queues"])
            not_carried.append(f"rule '{rule['name']}' of work stream '{stream['name']}' splits conversations "
                               f"between queues ({shares}); a routing rule item has one queue, so it is skipped")
            continue
        qid, qname = queue_ids[rule["queue"].casefold()]
        what = f"rule '{rule['name']}'"
        records.append(_Record(rid, [
            ("msdyn_ocruleitemid", rid, {}),
            ("msdyn_name", _check_xml_text(rule["name"], what), {}),
            ("description", _check_xml_text(rule["description"], f"the description of {what}"), {}),
            ("msdyn_liveworkstream", sid, {"lookupentity": STREAM, "lookupentityname": stream["name"]}),
            ("msdyn_cdsqueueassignid", qid, {"lookupentity": QUEUE, "lookupentityname": qname}),
            ("msdyn_priority", str(position), {}),
            ("msdyn_condition", _check_xml_text(condition_xml(rule["condition"]), f"the condition of {what}"), {}),
        ]))
    return records


def schema_xml(include_rule_items: bool = True) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<entities>"]
    for spec in WRITTEN_ENTITIES:
        if spec.name == RULE and not include_rule_items:
            continue
        etc = f' etc="{spec.etc}"' if spec.etc is not None else ""
        lines.append(f'  <entity name="{spec.name}" displayname="{spec.display}"{etc} '
                     f'primaryidfield="{spec.id_field}" primarynamefield="{spec.name_field}" disableplugins="false">')
        lines.append("    <fields>")
        for f in spec.fields:
            extra = f' lookupType="{f.lookup}"' if f.lookup else ""
            extra += ' primaryKey="true"' if f.primary else ""
            extra += ' customfield="true"' if f.name.startswith("msdyn_") and not f.primary else ""
            lines.append(f'      <field displayname="{_attr(f.display)}" name="{f.name}" type="{f.type}"{extra} />')
        lines.append("    </fields>")
        lines.append("  </entity>")
    lines.append("</entities>")
    return "\n".join(lines) + "\n"


def data_xml(records: Mapping[str, list[_Record]], include_rule_items: bool = True,
             timestamp: str = FIXED_TIMESTAMP) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<entities xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
             f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" timestamp="{_attr(timestamp)}">']
    for spec in WRITTEN_ENTITIES:
        if spec.name == RULE and not include_rule_items:
            continue
        lines.append(f'  <entity name="{spec.name}" displayname="{spec.display}">')
        lines.append("    <records>")
        for record in records[spec.name]:
            lines.append(f'      <record id="{record.id}">')
            for name, value, extra in record.fields:
                attrs = "".join(f' {k}="{_attr(v)}"' for k, v in extra.items())
                lines.append(f'        <field name="{name}" value="{_attr(value)}"{attrs} />')
            lines.append("      </record>")
        lines.append("    </records>")
        lines.append("    <m2mrelationships />")
        lines.append("  </entity>")
    lines.append("</entities>")
    return "\n".join(lines) + "\n"


CONTENT_TYPES_XML = ('<?xml version="1.0" encoding="utf-8"?>'
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="xml" ContentType="application/octet-stream" /></Types>')


@dataclass(frozen=True)
class CmtPackage:
    data: bytes
    rounded: list[str]  # durations that were not whole minutes, one line each
    not_carried: list[str] = field(default_factory=list)  # what the package cannot hold, one line each


def build_cmt_package(config_doc: Mapping[str, Any], *, include_rule_items: bool = True,
                      timestamp: str = FIXED_TIMESTAMP) -> CmtPackage:
    """The package bytes and what the export had to round (durations travel in whole minutes)."""
    try:
        doc = document_dict(validate_document(config_doc))
    except DocumentInvalid as error:
        raise CmtError(f"cannot export: {error}") from None
    rounded: list[str] = []
    not_carried: list[str] = []
    records = _records(doc, include_rule_items, rounded, not_carried)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        add_member(archive, CONTENT_TYPES, CONTENT_TYPES_XML.encode("utf-8"))
        add_member(archive, SCHEMA, schema_xml(include_rule_items).encode("utf-8"))
        add_member(archive, DATA, data_xml(records, include_rule_items, timestamp).encode("utf-8"))
    return CmtPackage(buffer.getvalue(), rounded, not_carried)


def cmt_package_bytes(config_doc: Mapping[str, Any], *, include_rule_items: bool = True,
                      timestamp: str = FIXED_TIMESTAMP) -> bytes:
    return build_cmt_package(config_doc, include_rule_items=include_rule_items, timestamp=timestamp).data


def write_cmt_package(target: Union[str, os.PathLike, IO[bytes]], config_doc: Mapping[str, Any], *,
                      include_rule_items: bool = True, timestamp: str = FIXED_TIMESTAMP) -> None:
    """Write a CMT package (deterministic bytes) to a binary file object or a path."""
    data = cmt_package_bytes(config_doc, include_rule_items=include_rule_items, timestamp=timestamp)
    if hasattr(target, "write"):
        target.write(data)  # type: ignore[union-attr]
        return
    write_atomically(target, data)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- hardened XML

class _XmlLimit(Exception):
    pass


def parse_xml(data: bytes, where: str) -> Element:
    """Parse untrusted XML: no DTD, entities or external references; bounded depth and size."""
    depth = 0
    count = 0
    root: Element | None = None
    try:
        for event, element in SafeET.iterparse(io.BytesIO(data), events=("start", "end"),
                                               forbid_dtd=True, forbid_entities=True, forbid_external=True):
            if event == "start":
                depth += 1
                count += 1
                if root is None:
                    root = element
                if depth > MAX_XML_DEPTH:
                    raise _XmlLimit(f"nesting deeper than {MAX_XML_DEPTH}")
                if count > MAX_XML_ELEMENTS:
                    raise _XmlLimit(f"more than {MAX_XML_ELEMENTS} elements")
            else:
                depth -= 1
    except _XmlLimit as problem:
        raise CmtRejected(f"{where}: {problem}") from None
    except DefusedXmlException as problem:
        raise CmtRejected(f"{where}: {_defused_reason(problem)}") from None
    except ParseError as problem:
        raise CmtRejected(f"{where}: not well-formed XML ({problem})") from None
    except (ValueError, LookupError, UnicodeError) as problem:  # odd encodings declared by the file
        raise CmtRejected(f"{where}: unreadable XML ({safety._short(problem)})") from None
    if root is None:
        raise CmtRejected(f"{where}: empty document")
    return root


def _defused_reason(problem: DefusedXmlException) -> str:
    name = type(problem).__name__
    if name == "DTDForbidden":
        return "DTDs are not allowed (no DOCTYPE, no entity declarations)"
    if name == "EntitiesForbidden":
        return "entity declarations are not allowed"
    if name == "ExternalReferenceForbidden":
        return "external references are not allowed"
    return f"refused ({name})"


# --------------------------------------------------------------------------- read

@dataclass(frozen=True)
class PendingRule:
    """A route-to-queue rule whose queue the source names only by GUID (resolved against a database)."""

    stream_id: str
    rule: dict  # a routing rule document without "queue"
    queue_id: str
    note: str = ""  # what inspecting says of it; an import says what became of it instead


@dataclass(frozen=True)
class CmtImport:
    """What a package (or an unpacked solution folder) holds, mapped to the console's terms.

    ``document`` stands alone (defaults filled in; what ``cmt inspect --document`` writes).
    ``carried`` is, per work stream id, only the values the source really set: an import into a
    database changes those and nothing else (see ``merge_into``).
    """

    document: dict
    ignored: list[str] = field(default_factory=list)  # entities/fields not modelled, one line each
    notes: list[str] = field(default_factory=list)  # how references were mapped
    carried: dict[str, dict] = field(default_factory=dict)  # stream id -> carried scalar values
    default_streams: frozenset[str] = frozenset()  # stream ids marked msdyn_isdefault
    placeholder_notes: dict[str, str] = field(default_factory=dict)  # stream id -> "placeholder created" note
    stub_queues: frozenset[str] = frozenset()  # queue ids only referenced, not carried
    pending_rules: list[PendingRule] = field(default_factory=list)
    queue_carried: dict[str, dict] = field(default_factory=dict)  # queue id -> carried version 2 values


@dataclass
class Field:
    value: str
    lookup_entity: str | None = None
    lookup_name: str | None = None


@dataclass
class ReadRecord:
    entity: str
    id: str
    fields: dict[str, Field]
    place: str = DATA  # where it was read, for messages: "data.xml", a solution file path

    def text(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found is not None else None


# Read as well as what is written: the plain-number screen pop timeout older packages carry.
READ_FIELDS = {spec.name: {f.name for f in spec.fields} for spec in WRITTEN_ENTITIES}
READ_FIELDS[STREAM].add("msdyn_screenpoptimeout")


def named_problem(error: DocumentInvalid, document: Mapping[str, Any]) -> str:
    """A validation message with "workstreams[3]" spelled as the stream's name (one line)."""
    def name(match: re.Match) -> str:
        kind, index = match.group(1), int(match.group(2))
        items = document.get(kind, [])
        if index < len(items) and isinstance(items[index], Mapping) and "name" in items[index]:
            return f"{'workstream' if kind == 'workstreams' else 'queue'} '{items[index]['name']}'"
        return match.group(0)
    return re.sub(r"\b(workstreams|queues)\[(\d+)\]", name, str(error))


def parse_guid(text: str, where: str) -> str:
    match = _GUID.match(text.strip())
    if not match:
        raise CmtRejected(f"{where}: {text!r} is not a GUID")
    return match.group(1).lower()


def parse_bool(text: str, where: str) -> bool:
    folded = text.strip().casefold()
    if folded in ("true", "1"):
        return True
    if folded in ("false", "0"):
        return False
    raise CmtRejected(f"{where}: {text!r} is not a yes/no value (True/False or 1/0)")


def parse_int(text: str, where: str) -> int:
    if not _INT.match(text.strip()):
        raise CmtRejected(f"{where}: {text[:40]!r} is not a whole number")
    value = int(text.strip())
    if abs(value) > 2**31:
        raise CmtRejected(f"{where}: {value} is out of range")
    return value


def parse_multi(text: str, where: str) -> list[int]:
    """A multi-select choice in any spelling Microsoft's writers use.

    ``[-1,192360000,192360001,-1]`` (solution files and CMT: the values between -1 markers),
    ``[192360000,192360001]`` and ``192360000,192360001`` (Web API), with or without spaces.
    """
    inner = text.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    values = [parse_int(part, where) for part in inner.split(",") if part.strip()]
    return [value for value in values if value != -1]


def _choice(text: str, table: Mapping[str, int], where: str) -> str:
    number = parse_int(text, where)
    for ours, theirs in table.items():
        if theirs == number:
            return ours
    raise CmtRejected(f"{where}: unknown choice value {number}")


class Reader:
    """Turns parsed records into a configuration document, noting what it leaves out."""

    def __init__(self, records: dict[str, list[ReadRecord]]):
        self.records = records
        self.ignored: list[str] = []
        self.notes: list[str] = []
        self.queues: dict[str, dict] = {}  # GUID -> queue dict
        self.skipped_queues: set[str] = set()
        self.streams: dict[str, dict] = {}  # GUID -> stream dict
        self.skipped_streams: set[str] = set()
        self.carried: dict[str, dict] = {}  # GUID -> the stream values the record really set
        self.default_streams: set[str] = set()
        self.placeholder_notes: dict[str, str] = {}  # stream GUID -> its note (void if the stream exists)
        self.stub_queues: set[str] = set()
        self.pending_rules: list[PendingRule] = []
        self.not_carried: dict[str, list[str]] = {}  # record GUID -> columns (with odd values)
        self.related: dict[str, Counter[str]] = {}  # stream GUID -> related entity -> count
        self.labels: dict[str, str] = {}  # record GUID -> "entity 'name'"
        self.rating_models: dict[str, dict] = {}  # GUID -> rating model
        self.skills: dict[str, dict] = {}  # GUID -> skill
        self.profiles: dict[str, dict] = {}  # GUID -> capacity profile
        self.profile_keys: dict[str, str] = {}  # another key of a profile (a solution's unique name) -> GUID
        self.queue_carried: dict[str, dict] = {}  # queue GUID -> the version 2 values its record set

    def document(self, then: Callable[[Reader], None] | None = None) -> dict:
        """The configuration document; ``then`` adds what another source format carries."""
        refuse_duplicate_ids(self.records)
        self._rating_models(self.records.get(RATING_MODEL, []), self.records.get(RATING_VALUE, []))
        for record in self.records.get(SKILL, []):
            self._skill(record)
        for record in self.records.get(PROFILE, []):
            self._profile(record)
        for record in self.records.get(QUEUE, []):
            self._queue(record)
        for record in self.records.get(STREAM, []):
            self._stream(record)
        for record in self.records.get(VARIABLE, []):
            self._variable(record)
        self._rules(self.records.get(RULE, []))
        for record in self.records.get(PROFILE_LINK, []):
            self._profile_link(record)
        if then is not None:
            then(self)
        self._profile_streams_without_profile()
        for record_id, label in self.labels.items():
            parts = []
            if self.not_carried.get(record_id):
                parts.append("not carried: " + ", ".join(self.not_carried[record_id]))
            if self.related.get(record_id):
                parts.append("related records not carried: "
                             + ", ".join(f"{n} {entity}" for entity, n in sorted(self.related[record_id].items())))
            if parts:
                self.ignored.append(f"{label}: {'; '.join(parts)}")
        return {
            "format": "workstream-console/config",
            "version": 2,
            "rating_models": list(self.rating_models.values()),
            "skills": list(self.skills.values()),
            "capacity_profiles": list(self.profiles.values()),
            "presences": [],
            "agents": [],
            "queues": list(self.queues.values()),
            "workstreams": list(self.streams.values()),
        }

    # -- rating models, skills, capacity profiles (version 2)

    def _rating_models(self, models: list[ReadRecord], values: list[ReadRecord]) -> None:
        numbered: dict[str, list[tuple[int, int, str]]] = {}
        for record in models:
            self._note_unknown(record)
            name = self._name(record, "name", "rating model")
            self.rating_models[record.id] = {"id": record.id, "name": name, "values": []}
            numbered[record.id] = []
        for index, record in enumerate(values):
            self._note_unknown(record)
            name = self._name(record, "name", "rating value")
            where = f"{record.place}: rating value '{name}'"
            lookup = record.fields.get("ratingmodel")
            model = parse_guid(lookup.value, f"{where}: ratingmodel") if lookup and lookup.value else None
            if model not in numbered:
                self.ignored.append(f"rating value '{name}': its rating model is not in the package (skipped)")
                continue
            raw = record.text("value")
            number = parse_int(raw, f"{where}: value") if raw is not None and raw.strip() else 2**31
            numbered[model].append((number, index, name))
        for model_id, found in numbered.items():
            model = self.rating_models[model_id]
            model["values"] = [name for _n, _i, name in sorted(found)]  # lowest value first
            if not model["values"]:
                self.ignored.append(f"rating model '{model['name']}': no rating values in the package (skipped)")
                del self.rating_models[model_id]

    def _skill(self, record: ReadRecord) -> None:
        self._note_unknown(record)
        name = self._name(record, "name", "characteristic")
        models = list(self.rating_models.values())
        if not models:
            self.ignored.append(f"characteristic '{name}': no rating model in the package to rate it on (skipped)")
            return
        # A characteristic names no rating model (an agent's rating does): the package's first one.
        self.skills[record.id] = {"id": record.id, "name": name, "rating_model": models[0]["name"]}
        if len(models) > 1:
            self.notes.append(f"skill '{name}': rated on '{models[0]['name']}' (a characteristic names no "
                              "rating model; an existing skill keeps its own)")

    def _profile(self, record: ReadRecord) -> None:
        self._note_unknown(record)
        name = self._name(record, "msdyn_name", "capacity profile")
        profile: dict[str, Any] = {"id": record.id, "name": name}
        raw = record.text("msdyn_defaultmaxunits")
        if raw is not None and raw.strip():
            limit = parse_int(raw, f"{record.place}: capacity profile '{name}': msdyn_defaultmaxunits")
            if not 1 <= limit <= MAX_WORK_ITEM_LIMIT:
                raise CmtRejected(f"{record.place}: capacity profile '{name}': msdyn_defaultmaxunits {limit} is "
                                  f"out of range (1 to {MAX_WORK_ITEM_LIMIT})")
            profile["work_item_limit"] = limit
        self.profiles[record.id] = profile

    def _profile_link(self, record: ReadRecord) -> None:
        self._note_unknown(record)
        what = f"work stream capacity profile {record.id}"
        stream = self._owner(record, "msdyn_workstream_id", what)
        lookup = record.fields.get("msdyn_capacityprofile_id")
        if stream is None or lookup is None or not lookup.value:
            return
        key = self.profile_keys.get(lookup.value.strip().casefold()) or parse_guid(lookup.value, f"{record.place}: {what}")
        profile = self.profiles.get(key)
        if profile is None:
            self.ignored.append(f"{what} of workstream '{stream['name']}': its capacity profile is not in the "
                                "package (skipped)")
            return
        if stream.get("capacity_profile") is not None:
            self.ignored.append(f"workstream '{stream['name']}': a second capacity profile '{profile['name']}' "
                                "is not carried (the console's streams use one)")
            return
        stream["capacity_profile"] = profile["name"]
        self.carried[stream["id"]]["capacity_profile"] = profile["name"]

    def _profile_streams_without_profile(self) -> None:
        for stream in self.streams.values():
            if stream.get("capacity_format") == "profile" and stream.get("capacity_profile") is None:
                stream["capacity_format"] = "units"
                self.carried[stream["id"]].pop("capacity_format", None)
                self.notes.append(f"workstream '{stream['name']}': profile based, but its capacity profile is not "
                                  "in the package; kept as it is here (unit based when new)")
            elif stream.get("capacity_format", "units") == "units" and stream.get("capacity_profile") is not None:
                self.ignored.append(f"workstream '{stream['name']}': capacity profile '{stream['capacity_profile']}' "
                                    "is not carried: the stream is unit based")
                del stream["capacity_profile"]
                self.carried[stream["id"]].pop("capacity_profile", None)

    def _note_unknown(self, record: ReadRecord) -> None:
        name = record.text(SPECS[record.entity].name_field) or record.id
        self.labels[record.id] = f"{record.entity} '{name}'"
        unknown = [column for column in record.fields if column not in READ_FIELDS[record.entity]]
        if unknown:
            self.not_carried.setdefault(record.id, []).extend(sorted(unknown))

    def _name(self, record: ReadRecord, field_name: str, what: str) -> str:
        name = record.text(field_name)
        if not name or not name.strip():
            raise CmtRejected(f"{record.place}: {what} record {record.id} has no {field_name}")
        return name

    # -- queues

    def _queue(self, record: ReadRecord) -> None:
        self._note_unknown(record)
        name = self._name(record, "name", "queue")
        where = f"{record.place}: queue '{name}'"
        kind = "messaging"
        raw_type = record.text("msdyn_queuetype")
        if raw_type is not None and raw_type.strip():
            number = parse_int(raw_type, f"{where}: msdyn_queuetype")
            kinds = {v: k for k, v in QUEUE_TYPES.items()}
            if number not in kinds:
                self.ignored.append(f"queue '{name}': queue type {number} is not modelled (skipped)")
                self.skipped_queues.add(record.id)
                return
            kind = kinds[number]
        if record.text("msdyn_isomnichannelqueue") is not None:
            parse_bool(record.text("msdyn_isomnichannelqueue") or "", f"{where}: msdyn_isomnichannelqueue")
        queue = {"id": record.id, "name": name, "kind": kind, "description": record.text("description") or "",
                 "agents": []}
        carried: dict[str, Any] = {}
        priority = record.text("msdyn_priority")
        if priority is not None and priority.strip():
            value = parse_int(priority, f"{where}: msdyn_priority")
            if not 1 <= value <= MAX_QUEUE_PRIORITY:
                raise CmtRejected(f"{where}: msdyn_priority {value} is out of range (1 to {MAX_QUEUE_PRIORITY})")
            carried["priority"] = value
        strategy = record.text("msdyn_assignmentstrategy")
        if strategy is not None and strategy.strip() and parse_int(strategy, f"{where}: msdyn_assignmentstrategy") != -1:
            number = parse_int(strategy, f"{where}: msdyn_assignmentstrategy")
            methods = {v: k for k, v in ASSIGNMENT_METHODS.items()}
            if number in methods:
                carried["assignment_method"] = methods[number]
            else:
                label = "custom assignment configuration" if number == CUSTOM_ASSIGNMENT else str(number)
                self.not_carried.setdefault(record.id, []).append(f"msdyn_assignmentstrategy {number} ({label})")
        queue.update(carried)
        self.queue_carried[record.id] = carried
        self.queues[record.id] = queue

    def _queue_name(self, lookup: Field, where: str, stub_kind: str) -> str | None:
        guid = parse_guid(lookup.value, where)
        if guid in self.queues:
            return self.queues[guid]["name"]
        if guid in self.skipped_queues or not lookup.lookup_name:
            return None
        name = lookup.lookup_name
        same_name = next((q for q in self.queues.values() if q["name"].casefold() == name.casefold()), None)
        if same_name is not None:
            return same_name["name"]
        self.queues[guid] = {"id": guid, "name": name, "kind": stub_kind, "description": "", "agents": []}
        self.stub_queues.add(guid)
        self.notes.append(f"queue '{name}' is referenced but not in the package: added as an empty {stub_kind} queue")
        return name

    # -- work streams

    def _stream(self, record: ReadRecord) -> None:
        self._note_unknown(record)
        name = self._name(record, "msdyn_name", "work stream")
        where = f"{record.place}: workstream '{name}'"
        source = record.text("msdyn_streamsource")
        if source is None:
            raise CmtRejected(f"{where}: msdyn_streamsource (channel) is missing")
        number = parse_int(source, f"{where}: msdyn_streamsource")
        channels = {v: k for k, v in CHANNELS.items()}
        if number not in channels:
            self.ignored.append(f"workstream '{name}': channel {number} is not modelled (skipped)")
            self.skipped_streams.add(record.id)
            return
        stream: dict[str, Any] = {"id": record.id, "name": name, "channel": channels[number]}
        self._stream_values(record, stream, where)
        self._note_fixed_columns(record, stream, where)
        carried = dict(stream)
        self._stream_queue(record, stream, where)
        if stream["default_queue"] is not None:
            carried["default_queue"] = stream["default_queue"]
        self.carried[record.id] = carried
        stream.update({"context_variables": [], "routing_rules": [], "channels": []})
        if record.text("msdyn_isdefault") is not None and parse_bool(record.text("msdyn_isdefault") or "", where):
            self.default_streams.add(record.id)
            # Channels are not carried; a placeholder keeps "default of its kind" (and so the round trip).
            kind = CHANNEL_KIND_FOR[stream["channel"]]
            placeholder = placeholder_channel_name(name, kind)
            stream["channels"] = [{"name": placeholder, "kind": kind, "is_default": True}]
            note = f"workstream '{name}': default of its channel kind; placeholder channel '{placeholder}' created"
            self.notes.append(note)
            self.placeholder_notes[record.id] = note
        self.streams[record.id] = stream

    def _stream_values(self, record: ReadRecord, stream: dict, where: str) -> None:
        numbers = {
            "msdyn_capacityrequired": "capacity",
            "msdyn_blockcapacityforwrapup": "wrap_up_block_s",
        }
        for column, key in numbers.items():
            text = record.text(column)
            if text is not None:
                stream[key] = parse_int(text, f"{where}: {column}")
        for column, key in DURATION_COLUMNS.items():
            text = record.text(column)
            if text is not None:
                minutes = parse_int(text, f"{where}: {column}")
                if not 0 <= minutes * 60 <= MAX_INT32:
                    raise CmtRejected(f"{where}: {column} {minutes} minutes is out of range "
                                      f"(0 to {MAX_INT32 // 60} minutes)")
                stream[key] = minutes * 60
        choices = {"msdyn_workdistributionmode": ("distribution_mode", DISTRIBUTION),
                   "msdyn_notification": ("notification", NOTIFICATIONS)}
        for column, (key, table) in choices.items():
            text = record.text(column)
            if text is not None:
                stream[key] = _choice(text, table, f"{where}: {column}")
        # The real records set only the option set; older packages may carry the plain number.
        for column in ("msdyn_screenpoptimeout_optionSet", "msdyn_screenpoptimeout"):
            timeout = record.text(column)
            if timeout is not None and timeout.strip():
                stream["screen_pop_timeout_s"] = parse_int(timeout, f"{where}: {column}")
                break
        presences = record.text("msdyn_allowedpresences")
        if presences is not None:
            names = {v: k for k, v in PRESENCES.items()}
            values = parse_multi(presences, f"{where}: msdyn_allowedpresences")
            unknown = [v for v in values if v not in names]
            if unknown:
                raise CmtRejected(f"{where}: msdyn_allowedpresences: unknown presence value {unknown[0]}")
            stream["allowed_presences"] = [names[v] for v in values]
        capacity_format = record.text("msdyn_capacityformat")
        if capacity_format is not None and capacity_format.strip():
            number = parse_int(capacity_format, f"{where}: msdyn_capacityformat")
            formats = {v: k for k, v in CAPACITY_FORMATS.items()}
            if number in formats:
                stream["capacity_format"] = formats[number]
            else:
                self.not_carried.setdefault(record.id, []).append(f"msdyn_capacityformat {number}")
        matching = record.text("msdyn_matchinglogic")
        if matching is not None and matching.strip():
            number = parse_int(matching, f"{where}: msdyn_matchinglogic")
            logic = {v: k for k, v in SKILL_MATCHING.items()}
            if number in logic:
                stream["skill_matching"] = logic[number]
            elif number != -1:
                self.not_carried.setdefault(record.id, []).append(f"msdyn_matchinglogic {number}")
        affinity = record.text("msdyn_enableagentaffinity")
        if affinity is not None:
            stream["keep_same_agent"] = parse_bool(affinity, f"{where}: msdyn_enableagentaffinity")
        state = record.text("statecode")
        if state is not None:
            code = parse_int(state, f"{where}: statecode")
            if code not in (0, 1):
                raise CmtRejected(f"{where}: statecode {code} is not 0 (active) or 1 (inactive)")
            stream["active"] = code == 0

    def _note_fixed_columns(self, record: ReadRecord, stream: dict, where: str) -> None:
        """A column the console writes with one value: another value there is not carried."""
        expected = fixed_stream_values({"channel": stream["channel"],
                                        "distribution_mode": stream.get("distribution_mode", "push")})
        for column in FIXED_COLUMNS:
            text = record.text(column)
            if text is None or not text.strip():
                continue
            if column == "msdyn_enableselectingfrompushbasedworkstreams":
                same = parse_bool(text, f"{where}: {column}") == (expected[column] == "True")
            else:
                same = column in expected and parse_int(text, f"{where}: {column}") == int(expected[column])
            if not same:
                self.not_carried.setdefault(record.id, []).append(f"{column} {text.strip()}")

    def _stream_queue(self, record: ReadRecord, stream: dict, where: str) -> None:
        lookup = record.fields.get("msdyn_defaultqueue")
        stub_kind = "records" if stream["channel"] == "entity_records" else "messaging"
        queue = self._queue_name(lookup, f"{where}: msdyn_defaultqueue", stub_kind) if lookup and lookup.value else None
        stream["default_queue"] = queue
        if queue is None and stream.get("active", True):
            stream["active"] = False
            self.notes.append(f"workstream '{stream['name']}': no default queue in the package; imported as inactive")

    # -- context variables

    def _variable(self, record: ReadRecord) -> None:
        self._note_unknown(record)
        name = self._name(record, "msdyn_name", "context variable")
        stream = self._owner(record, "msdyn_liveworkstreamid", f"context variable '{name}'")
        if stream is None:
            return
        where = f"{record.place}: context variable '{name}' of workstream '{stream['name']}'"
        raw_type = record.text("msdyn_datatype")
        var_type = "text"
        if raw_type is not None:
            number = parse_int(raw_type, f"{where}: msdyn_datatype")
            types = {v: k for k, v in DATA_TYPES.items()}
            if number not in types:
                label = "Entity Reference" if number == ENTITY_REFERENCE_TYPE else str(number)
                self.ignored.append(f"context variable '{name}' of workstream '{stream['name']}': "
                                    f"type {label} is not modelled (skipped)")
                return
            var_type = types[number]
        display = record.text("msdyn_displayname") or name
        stream["context_variables"].append({"id": record.id, "display_name": display, "name": name, "type": var_type})

    def _owner(self, record: ReadRecord, column: str, what: str) -> dict | None:
        lookup = record.fields.get(column)
        if lookup is None or not lookup.value:
            self.ignored.append(f"{what}: no work stream (skipped)")
            return None
        guid = parse_guid(lookup.value, f"{DATA}: {what}: {column}")
        stream = self.streams.get(guid)
        if stream is None:
            why = "skipped with its work stream" if guid in self.skipped_streams else \
                "its work stream is not in the package (skipped)"
            self.ignored.append(f"{what}: {why}")
        return stream

    # -- routing rules

    def _rules(self, records: list[ReadRecord]) -> None:
        ordered = []
        for index, record in enumerate(records):
            self._note_unknown(record)
            name = self._name(record, "msdyn_name", "rule item")
            priority = record.text("msdyn_priority")
            order = parse_int(priority, f"{DATA}: rule '{name}': msdyn_priority") if priority is not None else 2**31
            ordered.append((order, index, name, record))
        for _order, _index, name, record in sorted(ordered, key=lambda item: item[:2]):
            stream = self._owner(record, "msdyn_liveworkstream", f"rule '{name}'")
            if stream is not None:
                self._rule(record, name, stream)

    def _rule(self, record: ReadRecord, name: str, stream: dict) -> None:
        what = f"rule '{name}' of workstream '{stream['name']}'"
        lookup = record.fields.get("msdyn_cdsqueueassignid")
        stub_kind = "records" if stream["channel"] == "entity_records" else "messaging"
        queue = self._queue_name(lookup, f"{DATA}: {what}", stub_kind) if lookup and lookup.value else None
        if queue is None:
            self.notes.append(f"{what}: its queue is not in the package (skipped)")
            return
        types = {v["name"]: v["type"] for v in stream["context_variables"]}
        text = record.text("msdyn_condition")
        condition = parse_condition(text, types, f"{DATA}: {what}: msdyn_condition") if text else {"all": []}
        stream["routing_rules"].append({"id": record.id, "name": name, "description": record.text("description") or "",
                                        "queue": queue, "condition": condition})


def parse_condition(text: str, types: Mapping[str, str], where: str) -> dict:
    """The condition tree from its FetchXML-like text (values typed by the variables)."""
    root = parse_xml(text.encode("utf-8"), where)
    return _condition_node(root, types, where)


def _condition_node(element: Element, types: Mapping[str, str], where: str) -> dict:
    if element.tag == "filter":
        kind = element.get("type", "and")
        if kind not in ("and", "or"):
            raise CmtRejected(f"{where}: filter type {kind!r} is not 'and' or 'or'")
        return {"all" if kind == "and" else "any": [_condition_node(child, types, where) for child in element]}
    if element.tag != "condition":
        raise CmtRejected(f"{where}: unexpected element <{element.tag}>")
    variable = element.get("attribute") or ""
    operator = OPERATOR_FROM_XML.get(element.get("operator") or "")
    if operator is None:
        raise CmtRejected(f"{where}: unknown operator {element.get('operator')!r}")
    leaf: dict[str, Any] = {"variable": variable, "operator": operator}
    if operator in VALUELESS_OPERATORS:
        return leaf
    var_type = types.get(variable, "text")
    if operator in LIST_OPERATORS:
        leaf["value"] = [typed_value(v.text or "", var_type, where) for v in element if v.tag == "value"]
        return leaf
    literal = element.get("value")
    if literal is None:
        raise CmtRejected(f"{where}: operator '{operator}' needs a value")
    if operator in _LIKE and len(literal) >= 2 and literal.startswith("%") and literal.endswith("%"):
        literal = literal[1:-1]
    leaf["value"] = typed_value(literal, var_type, where)
    return leaf


def typed_value(literal: str, var_type: str, where: str) -> Any:
    if var_type == "text":
        return literal
    text = literal.strip()
    if _INT.match(text) and len(text) <= 20:
        return int(text)
    if not _FLOAT.match(text) or len(text) > 40:
        raise CmtRejected(f"{where}: {literal[:40]!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise CmtRejected(f"{where}: {literal[:40]!r} is not a finite number")
    return value


def placeholder_channel_name(stream_name: str, kind: str) -> str:
    return f"{stream_name} (default {kind.replace('_', ' ')})"[:NAME_MAX]


def refuse_duplicate_ids(records: Mapping[str, list[ReadRecord]]) -> None:
    """Two records of one entity under one GUID: refused, naming both places (never merged)."""
    for entity, found in records.items():
        first: dict[str, ReadRecord] = {}
        for record in found:
            earlier = first.setdefault(record.id, record)
            if earlier is not record:
                raise CmtRejected(f"{entity} {record.id} appears twice: {earlier.place} and {record.place}")


def _read_records(root: Element) -> tuple[dict[str, list[ReadRecord]], list[str]]:
    if root.tag != "entities":
        raise CmtRejected(f"{DATA}: the root element must be <entities>, not <{root.tag}>")
    records: dict[str, list[ReadRecord]] = {}
    ignored = []
    for entity in root.findall("entity"):
        name = entity.get("name") or ""
        elements = entity.findall("records/record")
        if name not in READ_FIELDS:
            count = len(elements)
            ignored.append(f"entity {name} ({count} record{'s' if count != 1 else ''}): not modelled")
            continue
        found = records.setdefault(name, [])
        for element in elements:
            found.append(_record(name, element, f"{DATA} ({name} record {len(found) + 1})"))
    return records, ignored


def _record(entity: str, element: Element, place: str) -> ReadRecord:
    fields: dict[str, Field] = {}
    for item in element.findall("field"):
        name = item.get("name")
        if not name:
            continue
        if name in fields:
            raise CmtRejected(f"{DATA}: {entity} record {element.get('id')!r} has field {name} twice")
        fields[name] = Field(item.get("value") or "", item.get("lookupentity"), item.get("lookupentityname"))
    where = f"{DATA}: {entity} record"
    primary = SPECS[entity].id_field
    raw_id = element.get("id") or (fields[primary].value if primary in fields else "")
    if not raw_id:
        raise CmtRejected(f"{where} without an id")
    record_id = parse_guid(raw_id, where)
    if primary in fields and fields[primary].value and parse_guid(fields[primary].value, where) != record_id:
        raise CmtRejected(f"{where} {record_id}: {primary} differs from the record id")
    return ReadRecord(entity, record_id, fields, place)


def _package_bytes(source: Source) -> bytes:
    limit = safety.MAX_ARCHIVE_BYTES
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(limit + 1)  # type: ignore[union-attr]
    else:
        try:
            with open(source, "rb") as handle:  # type: ignore[arg-type]
                data = handle.read(limit + 1)
        except OSError as error:
            raise CmtRejected(f"package: cannot read {os.fspath(source)!r}: {error.strerror or error}") from None  # type: ignore[arg-type]
    if len(data) > limit:
        raise CmtRejected(f"package: larger than {safety.human_size(limit)}")
    return data


def read_cmt_package(source: Source) -> CmtImport:
    """Read a CMT package into a configuration document; CmtRejected names any problem."""
    rules = [MemberRule(DATA, MAX_DATA_BYTES), MemberRule(SCHEMA, MAX_SCHEMA_BYTES),
             MemberRule(CONTENT_TYPES, MAX_CONTENT_TYPES_BYTES, required=False)]
    members = safety.read_archive(_package_bytes(source), rules, what="package", error=CmtRejected)
    if CONTENT_TYPES in members:
        parse_xml(members[CONTENT_TYPES], CONTENT_TYPES)
    schema_root = parse_xml(members[SCHEMA], SCHEMA)
    if schema_root.tag != "entities":
        raise CmtRejected(f"{SCHEMA}: the root element must be <entities>, not <{schema_root.tag}>")
    records, ignored = _read_records(parse_xml(members[DATA], DATA))
    return imported_from(Reader(records), ignored, DATA)


def imported_from(reader: "Reader", ignored: list[str], where: str,
                  then: Callable[["Reader"], None] | None = None) -> CmtImport:
    document = reader.document(then)
    try:
        validated = validate_document(document)
    except DocumentInvalid as error:
        raise CmtRejected(f"{where}: {named_problem(error, document)}", error.issues) from None
    return CmtImport(document=document_dict(validated), ignored=ignored + reader.ignored, notes=reader.notes,
                     carried=reader.carried, default_streams=frozenset(reader.default_streams),
                     placeholder_notes=reader.placeholder_notes,
                     stub_queues=frozenset(reader.stub_queues), pending_rules=reader.pending_rules,
                     queue_carried=reader.queue_carried)


def written_fields(include_rule_items: bool = True) -> dict[str, dict[str, tuple[str, str | None]]]:
    """entity -> field -> (CMT type, lookupType): exactly what the writer emits."""
    return {spec.name: {f.name: (f.type, f.lookup) for f in spec.fields}
            for spec in WRITTEN_ENTITIES if include_rule_items or spec.name != RULE}


# --------------------------------------------------------------------------- merge into a database's configuration

def _fold(name: str) -> str:
    return name_key(name)  # the one rule: case-insensitive, composed (NFC)


def merge_into(current: dict, imported: CmtImport) -> tuple[dict, list[str]]:
    """The configuration ``current`` with what ``imported`` carries upserted, and nothing else changed.

    ``current`` (a document the caller owns, e.g. a fresh export) is changed in place and
    returned: copying a large configuration costs more than the rest of the merge.

    A Configuration Migration import creates and updates records; it never deletes.  So queue
    membership, agents, presences, channels, and every stream, queue, variable and rule the
    package does not mention stay exactly as they are; an existing stream changes only in the
    values its record really sets (``imported.carried``).  Records are matched by id, then by
    name.  Returns the document to apply and the notes for this import (one line each).
    """
    doc = current
    void = set()  # the reader's notes that do not apply here
    notes: list[str] = []
    source = imported.document
    profile_names = _merge_distribution(doc, source, void, imported.notes)
    queue_names = _merge_queues(doc, source["queues"], imported.stub_queues, imported.queue_carried)
    streams_by_id = {w["id"]: w for w in doc["workstreams"] if w.get("id")}
    streams_by_name = {_fold(w["name"]): w for w in doc["workstreams"]}
    merged: dict[str, dict] = {}  # package stream id -> stream in the result
    for stream in source["workstreams"]:
        incoming = _renamed_queues(stream, queue_names)
        existing = streams_by_id.get(stream["id"]) or streams_by_name.get(_fold(stream["name"]))
        if existing is None:
            if not _add_stream(doc, incoming, stream["id"] in imported.default_streams, notes):
                void.add(imported.placeholder_notes.get(stream["id"]))
            merged[stream["id"]] = incoming
            continue
        void.add(imported.placeholder_notes.get(stream["id"]))  # its channels stay as they are
        carried = imported.carried.get(stream["id"], {})
        for key, value in carried.items():
            if key == "default_queue":
                existing[key] = queue_names.get(_fold(value), value)
            elif key == "capacity_profile":
                existing[key] = profile_names.get(_fold(value), value)
            elif key != "id":
                existing[key] = value
        if existing.get("capacity_format", "units") == "units":
            existing["capacity_profile"] = None  # a unit-based stream has none
        _upsert(existing["context_variables"], incoming["context_variables"], ("display_name", "type"))
        _upsert(existing["routing_rules"], incoming["routing_rules"], ("description", "queue", "condition"))
        if existing.get("active", True) and existing.get("default_queue") is None:
            existing["active"] = False
            notes.append(f"workstream '{existing['name']}': no default queue; set inactive")
        merged[stream["id"]] = existing
    queues_by_id = {q["id"]: q for q in doc["queues"] if q.get("id")}
    for pending in imported.pending_rules:
        target = merged.get(pending.stream_id)
        queue = queues_by_id.get(pending.queue_id)
        what = f"rule '{pending.rule['name']}'"
        void.add(pending.note)
        if target is None:
            continue
        if queue is None:
            notes.append(f"{what} of workstream '{target['name']}': queue {pending.queue_id} is neither in the "
                         "package nor in the database (skipped)")
            continue
        _upsert(target["routing_rules"], [dict(pending.rule, queue=queue["name"])], ("description", "queue", "condition"))
        notes.append(f"{what} of workstream '{target['name']}': routes to queue '{queue['name']}' (matched by id)")
    return doc, [note for note in imported.notes if note not in void] + notes


def _merge_distribution(doc: dict, source: dict, void: set, reader_notes: list[str]) -> dict[str, str]:
    """Upsert rating models, skills and capacity profiles (by id, then name); an existing skill keeps
    its rating model (a characteristic names none).  Returns folded profile name -> name in the result."""
    for kind, keys in (("rating_models", ("values",)), ("skills", ()), ("capacity_profiles", ("work_item_limit",))):
        existing = doc.setdefault(kind, [])
        by_id = {item["id"]: item for item in existing if item.get("id")}
        by_name = {_fold(item["name"]): item for item in existing}
        for item in source.get(kind, []):
            match = by_id.get(item["id"]) or by_name.get(_fold(item["name"]))
            if match is None:
                existing.append(dict(item))
                continue
            if kind == "skills":
                void.update(note for note in reader_notes if note.startswith(f"skill '{item['name']}': rated on"))
            match["name"] = item["name"]
            for key in keys:
                if key in item:
                    match[key] = item[key]
    if source.get("rating_models") or source.get("skills") or source.get("capacity_profiles"):
        doc["version"] = 2
    return {_fold(p["name"]): p["name"] for p in doc.get("capacity_profiles", [])}


def _merge_queues(doc: dict, queues: list[dict], stubs: frozenset[str],
                  carried: Mapping[str, dict] | None = None) -> dict[str, str]:
    """Upsert the package's queues (members kept); folded package name -> name in the result."""
    by_id = {q["id"]: q for q in doc["queues"] if q.get("id")}
    by_name = {_fold(q["name"]): q for q in doc["queues"]}
    names: dict[str, str] = {}
    for queue in queues:
        existing = by_id.get(queue["id"]) or by_name.get(_fold(queue["name"]))
        if existing is None:
            added = dict(queue, agents=[])
            doc["queues"].append(added)
            by_name[_fold(added["name"])] = added
            names[_fold(queue["name"])] = queue["name"]
            continue
        if queue["id"] in stubs:  # only referenced by the package: left exactly as it is
            names[_fold(queue["name"])] = existing["name"]
            continue
        old = existing["name"]
        existing.update(name=queue["name"], kind=queue["kind"], description=queue["description"])
        existing.update((carried or {}).get(queue["id"], {}))  # priority, assignment method: only when set
        names[_fold(queue["name"])] = queue["name"]
        if old != queue["name"]:  # references are by name: follow the rename everywhere
            for stream in doc["workstreams"]:
                if stream.get("default_queue") is not None and _fold(stream["default_queue"]) == _fold(old):
                    stream["default_queue"] = queue["name"]
                for rule in stream.get("routing_rules", []):
                    if rule.get("queue") is not None and _fold(rule["queue"]) == _fold(old):
                        rule["queue"] = queue["name"]
                    for share in rule.get("queues", []):
                        if _fold(share["queue"]) == _fold(old):
                            share["queue"] = queue["name"]
    return names


def _renamed_queues(stream: dict, names: Mapping[str, str]) -> dict:
    """A copy of the stream (its own lists and rules; conditions shared, never changed) naming queues as merged."""
    result = dict(stream, context_variables=[dict(v) for v in stream["context_variables"]],
                  channels=[dict(c) for c in stream["channels"]],
                  routing_rules=[dict(r, queue=names.get(_fold(r["queue"]), r["queue"])) for r in stream["routing_rules"]])
    if result.get("default_queue") is not None:
        result["default_queue"] = names.get(_fold(result["default_queue"]), result["default_queue"])
    return result


def _add_stream(doc: dict, stream: dict, is_default: bool, notes: list[str]) -> bool:
    """Add a new stream; False when its placeholder default channel was dropped."""
    kept = True
    if is_default and stream["channels"]:
        kind = stream["channels"][0]["kind"]
        holder = next((w["name"] for w in doc["workstreams"]
                       for c in w.get("channels", []) if c["kind"] == kind and c["is_default"]), None)
        if holder is not None:  # taking the default would change a channel the package does not carry
            stream["channels"] = []
            kept = False
            notes.append(f"workstream '{stream['name']}': default of its channel kind in the package, but "
                         f"'{holder}' holds the default {kind.replace('_', ' ')} here; left as it is")
    doc["workstreams"].append(stream)
    return kept


def _upsert(existing: list[dict], incoming: list[dict], keys: tuple[str, ...]) -> None:
    """Update matching children (by id, then name) in place and append the new ones."""
    by_id = {item["id"]: item for item in existing if item.get("id")}
    by_name = {item["name"]: item for item in existing}
    for item in incoming:
        match = by_id.get(item.get("id")) or by_name.get(item["name"])
        if match is None:
            existing.append(dict(item))
            continue
        match["name"] = item["name"]
        for key in keys:
            match[key] = item[key]
        if item.get("queue") is not None and match.get("queues"):
            match["queues"] = []  # a split rule the package gives one queue

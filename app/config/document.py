"""The configuration document: the canonical JSON form of a whole configuration.

Two layers: a strict pydantic schema (shapes, ranges, choices) and a reference
check (unique names, every name resolves, conditions fit their variables).
Both report problems as ``Issue(path, message)`` with paths such as
``workstreams[2].routing_rules[0].condition``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Iterable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from app.routing.conditions import Issue, always_true, condition_is_valid, validate_condition
from app.common.names import name_key
from app.common.errors import DocumentInvalid  # noqa: F401 — defined there so the UI can catch it without pydantic
from models.choices import (
    BASE_PRESENCE_NAMES,
    CHANNEL_KIND_FOR,
    DEFAULT_SCREEN_POP_TIMEOUT,
    DESCRIPTION_MAX,
    MAX_INT32,
    MAX_WRAP_UP_BLOCK_S,
    NAME_MAX,
    PRESENCE_TEXT_MAX,
    SCREEN_POP_TIMEOUTS,
    VARIABLE_NAME_PATTERN,
    sort_base_presences,
)

FORMAT_NAME = "workstream-console/config"
FORMAT_VERSION = 1

# No NUL: PostgreSQL text cannot hold it (SQLite would), so refuse it everywhere, inline.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX, pattern=NO_NUL)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX, pattern=NO_NUL)]
Count = Annotated[int, Field(ge=0, le=MAX_INT32)]
Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$")]
BasePresence = Literal["available", "busy", "busy_dnd", "away", "offline"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", validate_assignment=False)


class PresenceDoc(_Strict):
    id: Uuid | None = None
    name: Name
    base: BasePresence
    text: Annotated[str, StringConstraints(max_length=PRESENCE_TEXT_MAX, pattern=NO_NUL)] = ""


class AgentDoc(_Strict):
    id: Uuid | None = None
    name: Name
    capacity: Count = 100
    presence: Name = "Available"


class QueueDoc(_Strict):
    id: Uuid | None = None
    name: Name
    kind: Literal["messaging", "records"] = "messaging"
    description: Description = ""
    agents: list[Name] = Field(default_factory=list)


class ContextVariableDoc(_Strict):
    id: Uuid | None = None
    display_name: Name
    name: Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX, pattern=VARIABLE_NAME_PATTERN)]
    type: Literal["text", "number"] = "text"


class RoutingRuleDoc(_Strict):
    id: Uuid | None = None
    name: Name
    description: Description = ""
    queue: Name
    condition: dict[str, Any] = Field(default_factory=always_true)


class ChannelDoc(_Strict):
    id: Uuid | None = None
    name: Name
    kind: Literal["chat_widget", "sms_number", "facebook_page", "entity_channel"]
    is_default: bool = False


class WorkStreamDoc(_Strict):
    id: Uuid | None = None
    name: Name
    channel: Literal["live_chat", "sms", "facebook", "entity_records"]
    active: bool = True
    capacity: Count = 10
    auto_close_after_inactivity_s: Count = 0
    distribution_mode: Literal["push", "pick"] = "push"
    notification: Literal["direct_open", "screen_pop_timeout", "screen_pop_decline"] = "screen_pop_timeout"
    screen_pop_timeout_s: int = DEFAULT_SCREEN_POP_TIMEOUT
    allowed_presences: list[BasePresence] = Field(default_factory=lambda: ["available", "busy"], min_length=1)
    assign_after_decline_s: Count = 0
    keep_same_agent: bool = False
    wrap_up_block_s: Annotated[int, Field(ge=0, le=MAX_WRAP_UP_BLOCK_S)] = 0
    default_queue: Name | None = None
    context_variables: list[ContextVariableDoc] = Field(default_factory=list)
    routing_rules: list[RoutingRuleDoc] = Field(default_factory=list)
    channels: list[ChannelDoc] = Field(default_factory=list)

    @field_validator("screen_pop_timeout_s")
    @classmethod
    def _timeout_is_an_option(cls, value: int) -> int:
        if value not in SCREEN_POP_TIMEOUTS:
            raise ValueError("must be one of 30, 60, 90, ... 300 seconds")
        return value

    @field_validator("allowed_presences")
    @classmethod
    def _canonical_presences(cls, value: list[str]) -> list[str]:
        return sort_base_presences(value)


class ConfigDocument(_Strict):
    format: Literal["workstream-console/config"] = FORMAT_NAME
    version: Literal[1] = FORMAT_VERSION
    presences: list[PresenceDoc] = Field(default_factory=list)
    agents: list[AgentDoc] = Field(default_factory=list)
    queues: list[QueueDoc] = Field(default_factory=list)
    workstreams: list[WorkStreamDoc] = Field(default_factory=list)


# --------------------------------------------------------------------------- paths

def format_loc(loc: Iterable[Any]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


_FRIENDLY = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
}


def issues_from_pydantic(error: ValidationError, prefix: str = "") -> list[Issue]:
    issues = []
    for item in error.errors(include_url=False):
        loc = [p for p in item["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal[")))]
        path = format_loc(loc)
        if prefix:
            path = f"{prefix}.{path}" if path and not path.startswith("[") else prefix + path
        message = _FRIENDLY.get(item["type"], item["msg"])
        message = re.sub(r"^Value error, ", "", message)
        issues.append(Issue(path, message))
    return issues


# --------------------------------------------------------------------------- references

@dataclass
class KnownNames:
    """Names that already exist in the receiving database (for a merge import)."""

    presences: set[str] = field(default_factory=lambda: set(BASE_PRESENCE_NAMES.values()))
    agents: set[str] = field(default_factory=set)
    queues: set[str] = field(default_factory=set)
    # channel name -> owning work stream name, to refuse a channel claimed twice
    channels: dict[str, str] = field(default_factory=dict)


def _fold(name: str) -> str:
    return name_key(name)  # the one rule: case-insensitive, composed (NFC)


def _duplicates(names: Iterable[tuple[int, str]], path: str, what: str) -> list[Issue]:
    seen: dict[str, int] = {}
    issues = []
    for index, name in names:
        key = _fold(name)
        if key in seen:
            issues.append(Issue(f"{path}[{index}].name", f"duplicate {what} name '{name}'"))
        else:
            seen[key] = index
    return issues


def check_references(doc: ConfigDocument, known: KnownNames | None = None) -> list[Issue]:
    known = known or KnownNames()
    issues: list[Issue] = []
    base_by_fold = {_fold(name): base for base, name in BASE_PRESENCE_NAMES.items()}

    issues += _duplicates(enumerate(p.name for p in doc.presences), "presences", "presence")
    for index, presence in enumerate(doc.presences):
        base = base_by_fold.get(_fold(presence.name))
        if base is not None and base != presence.base:
            issues.append(Issue(f"presences[{index}].base", f"'{presence.name}' is a base presence of base '{base}'"))
    presence_names = {_fold(n) for n in known.presences} | {_fold(p.name) for p in doc.presences}

    issues += _duplicates(enumerate(a.name for a in doc.agents), "agents", "agent")
    agent_names = {_fold(n) for n in known.agents} | {_fold(a.name) for a in doc.agents}
    for index, agent in enumerate(doc.agents):
        if _fold(agent.presence) not in presence_names:
            issues.append(Issue(f"agents[{index}].presence", f"unknown presence '{agent.presence}'"))

    issues += _duplicates(enumerate(q.name for q in doc.queues), "queues", "queue")
    queue_names = {_fold(n) for n in known.queues} | {_fold(q.name) for q in doc.queues}
    for index, queue in enumerate(doc.queues):
        members: set[str] = set()
        for member_index, member in enumerate(queue.agents):
            if _fold(member) not in agent_names:
                issues.append(Issue(f"queues[{index}].agents[{member_index}]", f"unknown agent '{member}'"))
            elif _fold(member) in members:
                issues.append(Issue(f"queues[{index}].agents[{member_index}]", f"agent '{member}' listed twice"))
            members.add(_fold(member))

    issues += _duplicates(enumerate(w.name for w in doc.workstreams), "workstreams", "work stream")
    channel_owner = {_fold(k): v for k, v in known.channels.items()}
    stream_names = {_fold(w.name) for w in doc.workstreams}
    # Channels owned by streams in this document are re-declared by it.
    channel_owner = {k: v for k, v in channel_owner.items() if _fold(v) not in stream_names}
    defaults: dict[str, str] = {}  # a default declared here replaces the receiver's; two here clash
    for index, stream in enumerate(doc.workstreams):
        issues += check_workstream(stream, queue_names, f"workstreams[{index}]")
        for c_index, channel in enumerate(stream.channels):
            path = f"workstreams[{index}].channels[{c_index}]"
            owner = channel_owner.get(_fold(channel.name))
            if owner is not None and _fold(owner) != _fold(stream.name):
                issues.append(Issue(f"{path}.name", f"channel '{channel.name}' already belongs to work stream '{owner}'"))
            channel_owner[_fold(channel.name)] = stream.name
            if channel.is_default:
                other = defaults.get(channel.kind)
                if other is not None:
                    issues.append(Issue(f"{path}.is_default", f"'{other}' is already the default {channel.kind}"))
                defaults[channel.kind] = channel.name
    return issues


def check_workstream(stream: WorkStreamDoc, queue_names: set[str], path: str = "") -> list[Issue]:
    """Reference checks inside one work stream; ``queue_names`` are case-folded."""
    def at(suffix: str) -> str:
        return f"{path}.{suffix}" if path else suffix

    issues: list[Issue] = []
    if stream.default_queue is not None and _fold(stream.default_queue) not in queue_names:
        issues.append(Issue(at("default_queue"), f"unknown queue '{stream.default_queue}'"))
    if stream.active and stream.default_queue is None:
        issues.append(Issue(at("default_queue"), "an active work stream needs a default queue"))
    issues += _duplicates(enumerate(v.name for v in stream.context_variables), at("context_variables"), "context variable")
    types = {v.name: v.type for v in stream.context_variables}
    for index, rule in enumerate(stream.routing_rules):
        if _fold(rule.queue) not in queue_names:
            issues.append(Issue(at(f"routing_rules[{index}].queue"), f"unknown queue '{rule.queue}'"))
        if not condition_is_valid(rule.condition, types):  # the path is built only for a problem
            issues += validate_condition(rule.condition, types, at(f"routing_rules[{index}].condition"))
    issues += _duplicates(enumerate(c.name for c in stream.channels), at("channels"), "channel")
    expected_kind = CHANNEL_KIND_FOR[stream.channel]
    for index, channel in enumerate(stream.channels):
        if channel.kind != expected_kind:
            issues.append(Issue(at(f"channels[{index}].kind"),
                                f"a {stream.channel} work stream serves {expected_kind} channels, not {channel.kind}"))
    return issues


# --------------------------------------------------------------------------- entry points

def parse_document(data: Any) -> ConfigDocument:
    """Schema only. Raises DocumentInvalid."""
    if not isinstance(data, Mapping):
        raise DocumentInvalid([Issue("", "the document must be a JSON object")])
    if data.get("format") != FORMAT_NAME:
        raise DocumentInvalid([Issue("format", f"expected '{FORMAT_NAME}'")])
    if data.get("version") != FORMAT_VERSION:
        raise DocumentInvalid([Issue("version", f"unsupported version {data.get('version')!r} (this app reads 1)")])
    try:
        return ConfigDocument.model_validate(data)
    except ValidationError as error:
        raise DocumentInvalid(issues_from_pydantic(error)) from None


def validate_document(data: Any, known: KnownNames | None = None) -> ConfigDocument:
    """Schema and references. Raises DocumentInvalid naming every problem."""
    doc = parse_document(data)
    issues = check_references(doc, known)
    if issues:
        raise DocumentInvalid(issues)
    return doc


def parse_workstream(data: Any, path: str = "") -> WorkStreamDoc:
    try:
        return WorkStreamDoc.model_validate(data)
    except ValidationError as error:
        raise DocumentInvalid(issues_from_pydantic(error, path)) from None


def dump(model: BaseModel, with_ids: bool = False) -> dict:
    """JSON-ready dict; ids dropped unless asked for (the plain document has none)."""
    data = model.model_dump(mode="json")
    return data if with_ids else strip_ids(data)


def strip_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_ids(v) for k, v in value.items() if not (k == "id" and (v is None or isinstance(v, str)))}
    if isinstance(value, list):
        return [strip_ids(v) for v in value]
    return value


def _name_order(item: dict) -> tuple[str, str]:
    return (item["name"].casefold(), item["name"])


def normalize_workstream(stream: dict) -> dict:
    out = dict(stream)
    out["allowed_presences"] = sort_base_presences(stream.get("allowed_presences", []))
    out["context_variables"] = sorted(stream.get("context_variables", []), key=_name_order)
    out["channels"] = sorted(stream.get("channels", []), key=_name_order)
    return out  # routing rules keep their order: it is their meaning


def normalize_document(doc: dict) -> dict:
    """The document's value once ordered: named lists by name, rules as they stand."""
    out = dict(doc)
    for kind in ("presences", "agents", "queues", "workstreams"):
        out[kind] = sorted(doc.get(kind, []), key=_name_order)
    out["queues"] = [{**q, "agents": sorted(q.get("agents", []), key=lambda n: (n.casefold(), n))} for q in out["queues"]]
    out["workstreams"] = [normalize_workstream(w) for w in out["workstreams"]]
    return out

"""The configuration document: the canonical JSON form of a whole configuration.

Two layers: a strict pydantic schema (shapes, ranges, choices) and a reference
check (unique names, every name resolves, conditions fit their variables).
Both report problems as ``Issue(path, message)`` with paths such as
``workstreams[2].routing_rules[0].condition``.
"""
from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass, field
from typing import Annotated, Any, Iterable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from app.routing.conditions import Issue, always_true, condition_is_valid, validate_condition
from app.common.names import name_key
from app.common.errors import DocumentInvalid  # noqa: F401 — defined there so the UI can catch it without pydantic
from models.choices import (
    DECLINE_REASONS_MAX,
    DEFAULT_QUEUE_PRIORITY,
    DEFAULT_WORK_ITEM_LIMIT,
    MAX_QUEUE_PRIORITY,
    MAX_RATING_VALUES,
    MAX_RECONNECT_WINDOW_S,
    MAX_SPLIT_QUEUES,
    MAX_WORK_ITEM_LIMIT,
    OVERFLOW_LIMIT_MAX,
    OVERFLOW_WHENS,
    WEEKDAYS,
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
# Version 2 adds work distribution (skills, capacity profiles, queue priority,
# operating hours, overflow, percentage splits). A version 1 document is still
# read: it is the same shape without those fields, upgraded in memory.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)

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


class RatingModelDoc(_Strict):
    """A rating model: its values, lowest first (Dynamics: msdyn_ratingmodel + msdyn_ratingvalue)."""

    id: Uuid | None = None
    name: Name
    values: list[Name] = Field(min_length=1, max_length=MAX_RATING_VALUES)


class SkillDoc(_Strict):
    """A skill (Dynamics: characteristic) rated on a rating model."""

    id: Uuid | None = None
    name: Name
    rating_model: Name


WorkItemLimit = Annotated[int, Field(ge=1, le=MAX_WORK_ITEM_LIMIT)]


class CapacityProfileDoc(_Strict):
    """A capacity profile: how many of its work items an agent takes at once (msdyn_defaultmaxunits)."""

    id: Uuid | None = None
    name: Name
    work_item_limit: WorkItemLimit = DEFAULT_WORK_ITEM_LIMIT


class AgentDoc(_Strict):
    id: Uuid | None = None
    name: Name
    capacity: Count = 100
    presence: Name = "Available"
    # skill name -> rating value (a value of the skill's rating model)
    skills: dict[Name, Name] = Field(default_factory=dict)
    # capacity profile name -> this agent's work item limit for it (overrides the profile's)
    capacity_profiles: dict[Name, WorkItemLimit] = Field(default_factory=dict)


# "24:00" closes a day at midnight.
HHMM = Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
Interval = Annotated[list[HHMM], Field(min_length=2, max_length=2)]  # [start, end]


class OperatingHoursDoc(_Strict):
    """When a queue is open: weekly intervals in a time zone, minus closed dates."""

    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    # weekday (mon..sun) -> [[start, end], ...] local "HH:MM" times; a missing day is closed
    week: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[Interval]] = Field(default_factory=dict)
    closed_dates: list[Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]] = Field(default_factory=list)

    @field_validator("closed_dates")
    @classmethod
    def _real_dates(cls, value: list[str]) -> list[str]:
        for text in value:
            try:
                date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"'{text}' is not a date") from None
        return sorted(set(value))


class OverflowDoc(_Strict):
    """One overflow rule of a queue: when the condition holds, do the action."""

    when: Literal["closed", "waiting_exceeds"]
    # waiting_exceeds only: more than this many work items waiting in the queue
    limit: Annotated[int, Field(ge=1, le=OVERFLOW_LIMIT_MAX)] | None = None
    action: Literal["transfer", "end", "assign_anyway"]
    queue: Name | None = None  # transfer only
    reason: Annotated[str, StringConstraints(max_length=NAME_MAX, pattern=NO_NUL)] = ""  # end only


class QueueDoc(_Strict):
    id: Uuid | None = None
    name: Name
    kind: Literal["messaging", "records"] = "messaging"
    description: Description = ""
    agents: list[Name] = Field(default_factory=list)
    priority: Annotated[int, Field(ge=1, le=MAX_QUEUE_PRIORITY)] = DEFAULT_QUEUE_PRIORITY
    assignment_method: Literal["highest_capacity", "round_robin", "least_active"] = "highest_capacity"
    operating_hours: OperatingHoursDoc | None = None  # None: always open
    overflow: list[OverflowDoc] = Field(default_factory=list, max_length=len(OVERFLOW_WHENS))


class ContextVariableDoc(_Strict):
    id: Uuid | None = None
    display_name: Name
    name: Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX, pattern=VARIABLE_NAME_PATTERN)]
    type: Literal["text", "number"] = "text"


class QueueShareDoc(_Strict):
    queue: Name
    percent: Annotated[int, Field(ge=1, le=99)]


class RoutingRuleDoc(_Strict):
    id: Uuid | None = None
    name: Name
    description: Description = ""
    # Exactly one of: ``queue`` (one queue) or ``queues`` (a percentage split over 2..5 queues).
    queue: Name | None = None
    queues: list[QueueShareDoc] = Field(default_factory=list, max_length=MAX_SPLIT_QUEUES)
    condition: dict[str, Any] = Field(default_factory=always_true)

    def queue_names(self) -> list[str]:
        return [self.queue] if self.queue is not None else [share.queue for share in self.queues]


class ClassificationRuleDoc(_Strict):
    """Work classification: the first rule whose condition holds attaches its skills (name -> rating)."""

    id: Uuid | None = None
    name: Name
    condition: dict[str, Any] = Field(default_factory=always_true)
    skills: dict[Name, Name] = Field(min_length=1)


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
    capacity_format: Literal["units", "profile"] = "units"
    capacity_profile: Name | None = None  # required iff capacity_format == "profile"
    skill_matching: Literal["none", "exact", "closest"] = "none"
    classification_rules: list[ClassificationRuleDoc] = Field(default_factory=list)
    # The presence an agent is put in after missing a notification (None: unchanged).
    missed_notification_presence: Name | None = None
    decline_reasons: list[Name] = Field(default_factory=list, max_length=DECLINE_REASONS_MAX)
    reconnect_window_s: Annotated[int, Field(ge=0, le=MAX_RECONNECT_WINDOW_S)] = 0  # 0: no reconnect

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
    version: Literal[1, 2] = FORMAT_VERSION
    rating_models: list[RatingModelDoc] = Field(default_factory=list)
    skills: list[SkillDoc] = Field(default_factory=list)
    capacity_profiles: list[CapacityProfileDoc] = Field(default_factory=list)
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
    # rating model name -> its values; skill name -> its rating model's values
    rating_models: dict[str, list[str]] = field(default_factory=dict)
    skills: dict[str, list[str]] = field(default_factory=dict)
    capacity_profiles: set[str] = field(default_factory=set)


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

    skill_values, profile_names, distribution_issues = check_distribution(doc, known)
    issues += distribution_issues

    issues += _duplicates(enumerate(a.name for a in doc.agents), "agents", "agent")
    agent_names = {_fold(n) for n in known.agents} | {_fold(a.name) for a in doc.agents}
    for index, agent in enumerate(doc.agents):
        if _fold(agent.presence) not in presence_names:
            issues.append(Issue(f"agents[{index}].presence", f"unknown presence '{agent.presence}'"))
        issues += check_skill_ratings(agent.skills, skill_values, f"agents[{index}].skills")
        issues += check_profile_names(agent.capacity_profiles, profile_names, f"agents[{index}].capacity_profiles")

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
        issues += check_queue_distribution(queue, queue_names, f"queues[{index}]")

    issues += _duplicates(enumerate(w.name for w in doc.workstreams), "workstreams", "work stream")
    channel_owner = {_fold(k): v for k, v in known.channels.items()}
    stream_names = {_fold(w.name) for w in doc.workstreams}
    # Channels owned by streams in this document are re-declared by it.
    channel_owner = {k: v for k, v in channel_owner.items() if _fold(v) not in stream_names}
    defaults: dict[str, str] = {}  # a default declared here replaces the receiver's; two here clash
    for index, stream in enumerate(doc.workstreams):
        issues += check_workstream(stream, queue_names, f"workstreams[{index}]", skills=skill_values,
                                   profiles=profile_names, presences=presence_names)
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


def check_workstream(stream: WorkStreamDoc, queue_names: set[str], path: str = "", *,
                     skills: Mapping[str, list[str]] | None = None, profiles: set[str] | None = None,
                     presences: set[str] | None = None) -> list[Issue]:
    """Reference checks inside one work stream; ``queue_names`` are case-folded.

    ``skills`` (folded skill name -> rating values), ``profiles`` and ``presences``
    (folded names) are checked when given; None leaves those references unchecked
    (a caller without the whole configuration at hand)."""
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
        if rule.queue is not None and _fold(rule.queue) not in queue_names:
            issues.append(Issue(at(f"routing_rules[{index}].queue"), f"unknown queue '{rule.queue}'"))
        issues += check_split(rule, queue_names, at(f"routing_rules[{index}]"))
        if not condition_is_valid(rule.condition, types):  # the path is built only for a problem
            issues += validate_condition(rule.condition, types, at(f"routing_rules[{index}].condition"))
    issues += check_stream_distribution(stream, at, skills, profiles, presences)
    issues += _duplicates(enumerate(c.name for c in stream.channels), at("channels"), "channel")
    expected_kind = CHANNEL_KIND_FOR[stream.channel]
    for index, channel in enumerate(stream.channels):
        if channel.kind != expected_kind:
            issues.append(Issue(at(f"channels[{index}].kind"),
                                f"a {stream.channel} work stream serves {expected_kind} channels, not {channel.kind}"))
    return issues


# --------------------------------------------------------------------------- work distribution (version 2)

def check_distribution(doc: ConfigDocument, known: KnownNames) -> tuple[dict[str, list[str]], set[str], list[Issue]]:
    """Rating models, skills and capacity profiles; returns (folded skill name -> its
    rating values, folded profile names, issues) for the checks of agents and streams."""
    issues: list[Issue] = []
    issues += _duplicates(enumerate(m.name for m in doc.rating_models), "rating_models", "rating model")
    models = {_fold(k): v for k, v in known.rating_models.items()}
    for index, model in enumerate(doc.rating_models):
        seen: set[str] = set()
        for v_index, value in enumerate(model.values):
            if _fold(value) in seen:
                issues.append(Issue(f"rating_models[{index}].values[{v_index}]", f"rating value '{value}' listed twice"))
            seen.add(_fold(value))
        models[_fold(model.name)] = model.values
    issues += _duplicates(enumerate(s.name for s in doc.skills), "skills", "skill")
    skills = {_fold(k): v for k, v in known.skills.items()}
    for index, skill in enumerate(doc.skills):
        values = models.get(_fold(skill.rating_model))
        if values is None:
            issues.append(Issue(f"skills[{index}].rating_model", f"unknown rating model '{skill.rating_model}'"))
            values = []
        skills[_fold(skill.name)] = values
    issues += _duplicates(enumerate(p.name for p in doc.capacity_profiles), "capacity_profiles", "capacity profile")
    profiles = {_fold(n) for n in known.capacity_profiles} | {_fold(p.name) for p in doc.capacity_profiles}
    return skills, profiles, issues


def check_skill_ratings(ratings: Mapping[str, str], skills: Mapping[str, list[str]], path: str) -> list[Issue]:
    """Each skill exists (once, case-insensitively) and its rating is a value of its rating model."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for name, rating in ratings.items():
        values = skills.get(_fold(name))
        if values is None:
            issues.append(Issue(f"{path}.{name}", f"unknown skill '{name}'"))
        elif _fold(name) in seen:
            issues.append(Issue(f"{path}.{name}", f"skill '{name}' listed twice"))
        elif rating not in values:
            issues.append(Issue(f"{path}.{name}", f"'{rating}' is not a rating of skill '{name}' "
                                                  f"(one of {', '.join(values)})"))
        seen.add(_fold(name))
    return issues


def check_profile_names(limits: Mapping[str, int], profiles: set[str], path: str) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[str] = set()
    for name in limits:
        if _fold(name) not in profiles:
            issues.append(Issue(f"{path}.{name}", f"unknown capacity profile '{name}'"))
        elif _fold(name) in seen:
            issues.append(Issue(f"{path}.{name}", f"capacity profile '{name}' listed twice"))
        seen.add(_fold(name))
    return issues


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def timezone_is_known(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # the tzdata package supplies zones on Windows

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_queue_distribution(queue: QueueDoc, queue_names: set[str], path: str) -> list[Issue]:
    """A queue's operating hours and overflow rules."""
    issues: list[Issue] = []
    path = f"{path}." if path else ""
    hours = queue.operating_hours
    if hours is not None:
        if not timezone_is_known(hours.timezone):
            issues.append(Issue(f"{path}operating_hours.timezone", f"unknown time zone '{hours.timezone}'"))
        for day, intervals in hours.week.items():
            previous_end = -1
            for i_index, (start, end) in sorted(enumerate(intervals), key=lambda item: item[1][0]):
                at = f"{path}operating_hours.week.{day}[{i_index}]"
                if _minutes(start) >= _minutes(end):
                    issues.append(Issue(at, f"starts at {start}, not before its end {end}"))
                elif _minutes(start) < previous_end:
                    issues.append(Issue(at, f"{start}-{end} overlaps another interval of {day}"))
                previous_end = max(previous_end, _minutes(end))
    whens: set[str] = set()
    for o_index, rule in enumerate(queue.overflow):
        at = f"{path}overflow[{o_index}]"
        if rule.when in whens:
            issues.append(Issue(f"{at}.when", f"a second '{rule.when}' overflow rule"))
        whens.add(rule.when)
        if rule.when == "closed" and hours is None:
            issues.append(Issue(f"{at}.when", "the queue has no operating hours, so it is never closed"))
        if (rule.when == "waiting_exceeds") != (rule.limit is not None):
            issues.append(Issue(f"{at}.limit", "'limit' is required for waiting_exceeds and only there"))
        if rule.action == "transfer":
            if rule.queue is None:
                issues.append(Issue(f"{at}.queue", "a transfer needs a queue"))
            elif _fold(rule.queue) == _fold(queue.name):
                issues.append(Issue(f"{at}.queue", "a queue cannot overflow to itself"))
            elif _fold(rule.queue) not in queue_names:
                issues.append(Issue(f"{at}.queue", f"unknown queue '{rule.queue}'"))
        elif rule.queue is not None:
            issues.append(Issue(f"{at}.queue", "only a transfer names a queue"))
        if rule.reason and rule.action != "end":
            issues.append(Issue(f"{at}.reason", "only the end action has a reason"))
    return issues


def check_split(rule: RoutingRuleDoc, queue_names: set[str], path: str) -> list[Issue]:
    """A rule routes to exactly one of ``queue`` or a split ``queues`` of 2..5 queues summing to 100%."""
    if (rule.queue is None) == (not rule.queues):
        return [Issue(f"{path}.queue", "give exactly one of 'queue' or 'queues'")]
    if not rule.queues:
        return []
    issues: list[Issue] = []
    if len(rule.queues) < 2:
        issues.append(Issue(f"{path}.queues", "a split needs 2 to 5 queues; use 'queue' for one"))
    total = sum(share.percent for share in rule.queues)
    if total != 100:
        issues.append(Issue(f"{path}.queues", f"the percentages add up to {total}, not 100"))
    seen: set[str] = set()
    for s_index, share in enumerate(rule.queues):
        if _fold(share.queue) not in queue_names:
            issues.append(Issue(f"{path}.queues[{s_index}].queue", f"unknown queue '{share.queue}'"))
        elif _fold(share.queue) in seen:
            issues.append(Issue(f"{path}.queues[{s_index}].queue", f"queue '{share.queue}' listed twice"))
        seen.add(_fold(share.queue))
    return issues


def check_stream_distribution(stream: WorkStreamDoc, at, skills: Mapping[str, list[str]] | None,
                              profiles: set[str] | None, presences: set[str] | None) -> list[Issue]:
    issues: list[Issue] = []
    if stream.capacity_format == "profile" and stream.capacity_profile is None:
        issues.append(Issue(at("capacity_profile"), "a profile-based work stream needs a capacity profile"))
    elif stream.capacity_format == "units" and stream.capacity_profile is not None:
        issues.append(Issue(at("capacity_profile"), "only a profile-based work stream has a capacity profile"))
    elif stream.capacity_profile is not None and profiles is not None and _fold(stream.capacity_profile) not in profiles:
        issues.append(Issue(at("capacity_profile"), f"unknown capacity profile '{stream.capacity_profile}'"))
    if (stream.missed_notification_presence is not None and presences is not None
            and _fold(stream.missed_notification_presence) not in presences):
        issues.append(Issue(at("missed_notification_presence"),
                            f"unknown presence '{stream.missed_notification_presence}'"))
    seen: set[str] = set()
    for r_index, reason in enumerate(stream.decline_reasons):
        if _fold(reason) in seen:
            issues.append(Issue(at(f"decline_reasons[{r_index}]"), f"decline reason '{reason}' listed twice"))
        seen.add(_fold(reason))
    types = {v.name: v.type for v in stream.context_variables}
    for c_index, rule in enumerate(stream.classification_rules):
        if not condition_is_valid(rule.condition, types):
            issues += validate_condition(rule.condition, types, at(f"classification_rules[{c_index}].condition"))
        if skills is not None:
            issues += check_skill_ratings(rule.skills, skills, at(f"classification_rules[{c_index}].skills"))
    return issues


# --------------------------------------------------------------------------- entry points

def parse_document(data: Any) -> ConfigDocument:
    """Schema only. Raises DocumentInvalid."""
    if not isinstance(data, Mapping):
        raise DocumentInvalid([Issue("", "the document must be a JSON object")])
    if data.get("format") != FORMAT_NAME:
        raise DocumentInvalid([Issue("format", f"expected '{FORMAT_NAME}'")])
    version = data.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise DocumentInvalid([Issue("version", f"unsupported version {version!r} (this app reads 1 and 2)")])
    if version == 1:
        newer = [key for key in V2_TOP_LEVEL if key in data]
        if newer:
            raise DocumentInvalid([Issue(newer[0], "unknown field in a version 1 document (it is new in version 2)")])
    try:
        doc = ConfigDocument.model_validate(data)
    except ValidationError as error:
        raise DocumentInvalid(issues_from_pydantic(error)) from None
    # A version 1 document is a version 2 one with every new field at its default.
    doc.version = FORMAT_VERSION
    return doc


V2_TOP_LEVEL = ("rating_models", "skills", "capacity_profiles")


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
    out["context_variables"] = list(stream.get("context_variables", []))  # the user's order (issue 10): kept
    out["channels"] = sorted(stream.get("channels", []), key=_name_order)
    if "decline_reasons" in stream:  # shown to the agent in this order: kept
        out["decline_reasons"] = list(stream["decline_reasons"])
    return out  # routing and classification rules keep their order: it is their meaning


def normalize_operating_hours(hours: dict | None) -> dict | None:
    """Days in week order, intervals by start, closed dates ascending."""
    if hours is None:
        return None
    week = hours.get("week", {})
    return {**hours,
            "week": {day: sorted(week[day]) for day in WEEKDAYS if day in week},
            "closed_dates": sorted(set(hours.get("closed_dates", [])))}


def normalize_queue(queue: dict) -> dict:
    out = {**queue, "agents": sorted(queue.get("agents", []), key=lambda n: (n.casefold(), n))}
    if "operating_hours" in queue:
        out["operating_hours"] = normalize_operating_hours(queue["operating_hours"])
    if "overflow" in queue:  # one rule per condition, in the order of OVERFLOW_WHENS
        out["overflow"] = sorted(queue["overflow"], key=lambda o: OVERFLOW_WHENS.index(o["when"])
                                 if o.get("when") in OVERFLOW_WHENS else len(OVERFLOW_WHENS))
    return out


def normalize_document(doc: dict) -> dict:
    """The document's value once ordered: named lists by name, rules as they stand."""
    out = dict(doc)
    for kind in ("presences", "agents", "queues", "workstreams"):
        out[kind] = sorted(doc.get(kind, []), key=_name_order)
    for kind in V2_TOP_LEVEL:  # rating values keep their order: lowest first
        if kind in doc:
            out[kind] = sorted(doc[kind], key=_name_order)
    out["queues"] = [normalize_queue(q) for q in out["queues"]]
    out["workstreams"] = [normalize_workstream(w) for w in out["workstreams"]]
    return out

"""The workload model of the what-if lab: who calls, how often, how long, how agents answer.

A JSON document read as strictly as the configuration document (pydantic strict,
unknown fields refused) and checked against a configuration (work streams,
context variables, agents and presences must exist there).  Any problem is ONE
``UserError`` line naming the place, e.g. ``arrivals[0].handle_time_s: ...``.

Queues, agents, capacities, streams and rules are not restated: they come from
the configuration the model runs against.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Mapping

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_serializer,
                      field_validator, model_validator)

from app.common.errors import UserError
from app.config.document import issues_from_pydantic
from app.simulation.hours import parse_start
from models.choices import BASE_PRESENCE_NAMES

FORMAT_NAME = "workstream-console/workload"
FORMAT_VERSION = 1
DEFAULT_AGENT = "default"
MAX_DURATION_S = 366 * 24 * 3600
MAX_REPLICATIONS = 1000
MAX_PER_HOUR = 1_000_000

Seconds = Annotated[float, Field(ge=0, le=MAX_DURATION_S, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

DISTRIBUTION_FORMS = '{"exponential": MEAN}, {"lognormal": [MEAN, SD]} or {"fixed": S}'


# --------------------------------------------------------------------------- distributions

@dataclass(frozen=True)
class Distribution:
    """A random duration in seconds: exponential, lognormal or fixed."""

    kind: str
    mean: float
    sd: float = 0.0

    def sampler(self):
        """A function rng -> seconds (parameters worked out once)."""
        if self.kind == "fixed":
            value = self.mean
            return lambda rng: value
        if self.kind == "exponential":
            if self.mean <= 0:
                return lambda rng: 0.0
            rate, log = 1.0 / self.mean, math.log
            return lambda rng: -log(1.0 - rng.random()) / rate  # rng.expovariate(rate), one call fewer
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu, sigma = math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)
        return lambda rng: rng.lognormvariate(mu, sigma)

    def as_json(self) -> dict:
        if self.kind == "lognormal":
            return {"lognormal": [self.mean, self.sd]}
        return {self.kind: self.mean}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_distribution(value: Any) -> Distribution:
    """``{"exponential": MEAN}``, ``{"lognormal": [MEAN, SD]}`` or ``{"fixed": S}``; ValueError otherwise."""
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, Mapping) or len(value) != 1:
        raise ValueError(f"expected one of {DISTRIBUTION_FORMS}")
    (kind, params), = value.items()
    if kind in ("exponential", "fixed"):
        if not _number(params) or params < 0 or params > MAX_DURATION_S:
            raise ValueError(f"{kind}: must be a number of seconds from 0 to {MAX_DURATION_S}")
        return Distribution(kind, float(params))
    if kind == "lognormal":
        if (not isinstance(params, list) or len(params) != 2 or not all(_number(p) for p in params)
                or params[0] <= 0 or params[1] < 0 or params[0] > MAX_DURATION_S):
            raise ValueError("lognormal: must be [MEAN, SD] with MEAN > 0 and SD ≥ 0 seconds")
        return Distribution(kind, float(params[0]), float(params[1]))
    raise ValueError(f"unknown distribution '{kind}': expected one of {DISTRIBUTION_FORMS}")


# --------------------------------------------------------------------------- the document

class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", arbitrary_types_allowed=True)


class _AfterADelay(_Strict):
    """A customer behaviour: it happens with ``probability``, ``after_s`` (a distribution) later."""

    probability: Probability
    after_s: Any

    @field_validator("after_s", mode="before")
    @classmethod
    def _check_after(cls, value: Any) -> Distribution:
        return parse_distribution(value)

    @field_serializer("after_s")
    def _distribution_json(self, value: Distribution) -> dict:
        return value.as_json()


class IdleBehaviour(_AfterADelay):
    """The customer goes quiet ``after_s`` into the conversation and does not come back.

    With the stream's auto-close the conversation then closes by itself; without it, it
    ends at its handle time like any other."""


class ReconnectBehaviour(_AfterADelay):
    """After an answered conversation ends, the customer comes back with this probability,
    ``after_s`` later (the simulator's ``reconnect``: within the work stream's reconnect window
    it goes straight back to the last agent, otherwise it is routed anew).  A returning
    conversation lasts a new handle time, and may come back again."""


class ArrivalStream(_Strict):
    workstream: Annotated[str, Field(min_length=1)]
    per_hour: Annotated[float, Field(ge=0, le=MAX_PER_HOUR, allow_inf_nan=False)]
    profile: list[Any] = Field(default_factory=list)
    context: dict[str, dict[str, Any]] = Field(default_factory=dict)
    handle_time_s: Any
    patience_s: Any = None
    idle: IdleBehaviour | None = None
    reconnect: ReconnectBehaviour | None = None

    @field_validator("handle_time_s", mode="before")
    @classmethod
    def _check_handle(cls, value: Any) -> Distribution:
        return parse_distribution(value)

    @field_validator("patience_s", mode="before")
    @classmethod
    def _check_patience(cls, value: Any) -> Any:
        return None if value is None else parse_distribution(value)

    @field_validator("profile")
    @classmethod
    def _check_profile(cls, steps: list) -> list:
        checked = []
        for index, step in enumerate(steps):
            if (not isinstance(step, list) or len(step) != 2 or not all(_number(x) for x in step)
                    or not 0 <= step[0] <= MAX_DURATION_S or not 0 <= step[1] <= 1000):
                raise ValueError(f"step {index}: expected [START_S, MULTIPLIER] (seconds ≥ 0, multiplier 0 to 1000)")
            if checked and step[0] <= checked[-1][0]:
                raise ValueError(f"step {index}: steps must start at increasing times")
            checked.append((float(step[0]), float(step[1])))
        return checked

    @field_serializer("handle_time_s", "patience_s")
    def _distribution_json(self, value: Distribution | None) -> dict | None:
        return None if value is None else value.as_json()

    def rate_at(self, t: float) -> float:
        """Arrivals per second at ``t`` (the profile multiplier in force; 1 before its first step)."""
        multiplier = 1.0
        for start, factor in self.profile:
            if start > t:
                break
            multiplier = factor
        return self.per_hour * multiplier / 3600.0


class AgentBehaviour(_Strict):
    """How an agent answers a screen pop: accept, decline or (the rest) leave it to expire."""

    accept: Probability = 1.0
    decline: Probability = 0.0
    response_s: Any = Field(default_factory=lambda: Distribution("fixed", 0.0))
    presence: list[Any] = Field(default_factory=list)

    @field_validator("response_s", mode="before")
    @classmethod
    def _check_response(cls, value: Any) -> Distribution:
        return parse_distribution(value)

    @field_validator("presence")
    @classmethod
    def _check_presence(cls, steps: list) -> list:
        checked = []
        for index, step in enumerate(steps):
            if (not isinstance(step, list) or len(step) != 2 or not _number(step[0])
                    or not 0 <= step[0] <= MAX_DURATION_S or not isinstance(step[1], str) or not step[1]):
                raise ValueError(f"step {index}: expected [AT_S, \"Presence name\"]")
            checked.append((float(step[0]), step[1]))
        if [at for at, _ in checked] != sorted(at for at, _ in checked):
            raise ValueError("steps must be in time order")
        return checked

    @field_serializer("response_s")
    def _distribution_json(self, value: Distribution) -> dict:
        return value.as_json()

    @model_validator(mode="after")
    def _at_most_one(self) -> "AgentBehaviour":
        if self.accept + self.decline > 1 + 1e-12:
            raise ValueError("accept + decline must be at most 1 (the rest ignores the pop)")
        return self


class WorkloadModel(_Strict):
    format: Literal["workstream-console/workload"]
    version: Literal[1]
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    start: Any = None  # the local date-time of t=0 (ISO 8601 text), for the queues' operating hours
    duration_s: Annotated[float, Field(gt=0, le=MAX_DURATION_S, allow_inf_nan=False)]
    warmup_s: Seconds = 0.0
    service_level_s: Seconds = 60.0
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = 1
    interval_s: Annotated[float, Field(gt=0, le=MAX_DURATION_S, allow_inf_nan=False)] = 900.0
    arrivals: list[ArrivalStream] = Field(default_factory=list)
    agents: dict[str, AgentBehaviour] = Field(default_factory=dict)

    @field_validator("start", mode="before")
    @classmethod
    def _start_is_a_date_time(cls, value: Any) -> str | None:
        if value is not None:
            try:
                parse_start(value)
            except UserError as error:
                raise ValueError(str(error).removeprefix("start: ")) from None
        return value

    @property
    def start_at(self) -> datetime | None:
        """``start`` as a ``datetime`` (None: no calendar, every queue always open)."""
        return parse_start(self.start)

    @field_validator("warmup_s")
    @classmethod
    def _warmup_inside(cls, value: float, info: ValidationInfo) -> float:
        duration = info.data.get("duration_s")
        if duration is not None and value >= duration:
            raise ValueError(f"must be shorter than duration_s ({duration:g})")
        return value

    def behaviour(self, agent: str) -> AgentBehaviour:
        found = self.agents.get(agent)
        if found is None:
            folded = agent.casefold()
            found = next((b for name, b in self.agents.items() if name.casefold() == folded), None)
        return found or self.agents.get(DEFAULT_AGENT) or AgentBehaviour()


# --------------------------------------------------------------------------- context mixes

@dataclass(frozen=True)
class ContextMix:
    """One context variable's values: weighted choice, uniform or normal (numbers only)."""

    variable: str
    kind: str  # weights | uniform | normal
    values: tuple = ()
    cumulative: tuple[float, ...] = ()
    low: float = 0.0
    high: float = 0.0

    def draw(self, rng: random.Random) -> Any:
        if self.kind == "weights":
            x = rng.random() * self.cumulative[-1]
            for value, edge in zip(self.values, self.cumulative):
                if x < edge:
                    return value
            return self.values[-1]
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high)
        return rng.gauss(self.low, self.high)


def parse_mix(variable: str, var_type: str, spec: Mapping[str, Any]) -> ContextMix:
    """ValueError (a message for the path ``context.VARIABLE``) when ``spec`` does not fit ``var_type``."""
    forms = '{"weights": {VALUE: W}}' + ('' if var_type == "text" else ', {"uniform": [LOW, HIGH]} or {"normal": [MEAN, SD]}')
    if len(spec) != 1:
        raise ValueError(f"expected one of {forms}")
    (kind, params), = spec.items()
    if kind == "weights":
        if not isinstance(params, Mapping) or not params:
            raise ValueError("weights: must be an object of value -> weight")
        values, cumulative, total = [], [], 0.0
        for raw, weight in params.items():
            if not _number(weight) or weight < 0:
                raise ValueError(f"weights.{raw}: must be a number ≥ 0")
            if var_type == "number":
                try:
                    value = float(raw)
                except ValueError:
                    raise ValueError(f"weights.{raw}: '{raw}' is not a number (a number variable)") from None
                if not math.isfinite(value):
                    raise ValueError(f"weights.{raw}: must be a finite number")
                values.append(int(value) if value.is_integer() else value)
            else:
                values.append(raw)
            total += weight
            cumulative.append(total)
        if total <= 0:
            raise ValueError("weights: at least one weight must be above 0")
        return ContextMix(variable, kind, tuple(values), tuple(cumulative))
    if kind in ("uniform", "normal"):
        if var_type != "number":
            raise ValueError(f"{kind}: a text variable takes only {{\"weights\": {{VALUE: W}}}}")
        if not isinstance(params, list) or len(params) != 2 or not all(_number(p) for p in params):
            raise ValueError(f"{kind}: must be two numbers")
        a, b = float(params[0]), float(params[1])
        if kind == "uniform" and a > b:
            raise ValueError("uniform: LOW must not be above HIGH")
        if kind == "normal" and b < 0:
            raise ValueError("normal: SD must be ≥ 0")
        return ContextMix(variable, kind, low=a, high=b)
    raise ValueError(f"unknown form '{kind}': expected one of {forms}")


# --------------------------------------------------------------------------- reading and checking

@dataclass(frozen=True)
class CheckedWorkload:
    """A model checked against one (normalised) configuration, names resolved."""

    model: WorkloadModel
    streams: tuple[tuple[ArrivalStream, str, tuple[ContextMix, ...]], ...]  # (arrivals, canonical stream, mixes)
    presence_plan: tuple[tuple[float, str, str], ...]  # (at, canonical agent, presence), time-ordered


def parse_workload(data: Any) -> WorkloadModel:
    """Schema only; UserError naming the first problem's place."""
    if not isinstance(data, Mapping):
        raise UserError("the workload model must be a JSON object")
    if data.get("format") != FORMAT_NAME:
        raise UserError(f"format: expected '{FORMAT_NAME}'")
    if data.get("version") != FORMAT_VERSION:
        raise UserError(f"version: unsupported version {data.get('version')!r} (this app reads 1)")
    try:
        return WorkloadModel.model_validate(data)
    except ValidationError as error:
        issue = issues_from_pydantic(error)[0]
        raise UserError(f"{issue.path}: {issue.message}" if issue.path else issue.message) from None


def check_workload(model: WorkloadModel, config: Mapping[str, Any]) -> CheckedWorkload:
    """Names resolved against a normalised configuration; UserError naming the first bad place."""
    streams = {ws["name"].casefold(): ws for ws in config["workstreams"]}
    agents = {a["name"].casefold(): a["name"] for a in config["agents"]}
    presences = {name.casefold() for name in BASE_PRESENCE_NAMES.values()}
    presences |= {p["name"].casefold() for p in config["presences"]}
    checked = []
    seen: dict[str, int] = {}
    for index, arrivals in enumerate(model.arrivals):
        path = f"arrivals[{index}]"
        ws = streams.get(arrivals.workstream.casefold())
        if ws is None:
            raise UserError(f"{path}.workstream: unknown work stream '{arrivals.workstream}'")
        if ws["name"] in seen:
            raise UserError(f"{path}.workstream: '{ws['name']}' already has arrivals (arrivals[{seen[ws['name']]}])")
        seen[ws["name"]] = index
        types = {v["name"].casefold(): (v["name"], v["type"]) for v in ws["context_variables"]}
        mixes = []
        for variable, spec in arrivals.context.items():
            known = types.get(variable.casefold())
            if known is None:
                raise UserError(f"{path}.context.{variable}: unknown context variable of '{ws['name']}'")
            try:
                mixes.append(parse_mix(known[0], known[1], spec))
            except ValueError as error:
                raise UserError(f"{path}.context.{variable}: {error}") from None
        checked.append((arrivals, ws["name"], tuple(mixes)))
    plan = []
    for name, behaviour in model.agents.items():
        if name != DEFAULT_AGENT and name.casefold() not in agents:
            raise UserError(f"agents.{name}: unknown agent (or use \"default\")")
        for step_index, (at, presence) in enumerate(behaviour.presence):
            if presence.casefold() not in presences:
                raise UserError(f"agents.{name}.presence[{step_index}]: unknown presence '{presence}'")
    for agent_doc in config["agents"]:
        behaviour = model.behaviour(agent_doc["name"])
        plan += [(at, agent_doc["name"], presence) for at, presence in behaviour.presence]
    plan.sort(key=lambda step: step[0])  # stable: agents in configuration order at equal times
    return CheckedWorkload(model, tuple(checked), tuple(plan))


def read_workload(data: Any, config: Mapping[str, Any]) -> CheckedWorkload:
    return check_workload(parse_workload(data), config)


def model_json(model: WorkloadModel) -> dict:
    """The model as its JSON document (distributions in their written form)."""
    data = model.model_dump(mode="python", exclude_none=True)

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    return plain(data)


__all__ = [
    "AgentBehaviour",
    "ArrivalStream",
    "CheckedWorkload",
    "ContextMix",
    "DEFAULT_AGENT",
    "Distribution",
    "FORMAT_NAME",
    "IdleBehaviour",
    "ReconnectBehaviour",
    "WorkloadModel",
    "check_workload",
    "context_mix_from_rules",
    "default_model",
    "model_json",
    "parse_distribution",
    "parse_workload",
    "read_workload",
]


# --------------------------------------------------------------------------- a starting model

DEFAULT_HANDLE_S = 300
DEFAULT_LOAD = 0.7  # the starting model keeps the agents about this busy


def rule_values(condition: Any, found: dict[str, list]) -> None:
    """Every (variable, value) a condition compares with, collected into ``found``."""
    if isinstance(condition, Mapping):
        if isinstance(condition.get("variable"), str) and "value" in condition:
            values = condition["value"] if isinstance(condition["value"], list) else [condition["value"]]
            bucket = found.setdefault(condition["variable"].casefold(), [])
            bucket += [v for v in values if v not in bucket and not isinstance(v, (dict, list))]
        for value in condition.values():
            if isinstance(value, (Mapping, list)):
                rule_values(value, found)
    elif isinstance(condition, list):
        for item in condition:
            rule_values(item, found)


def rule_queues(rule: Mapping[str, Any]) -> list[str]:
    """The queues a routing rule sends to: its one queue, or those of its percentage split (version 2)."""
    if rule.get("queue"):
        return [rule["queue"]]
    return [target["queue"] for target in rule.get("queues") or [] if target.get("queue")]


def context_mix_from_rules(ws: Mapping[str, Any]) -> dict[str, dict]:
    """Per context variable its rules read (routing and classification): the values they name, equally
    likely (plus one other for text, so the default queue gets some); numbers uniform from 0 to twice
    the largest threshold."""
    found: dict[str, list] = {}
    # routing rules pick the queue, classification rules (version 2) the skills: both need their values
    for rule in [*ws.get("routing_rules", []), *ws.get("classification_rules", [])]:
        rule_values(rule.get("condition", {}), found)
    mixes: dict[str, dict] = {}
    for variable in ws.get("context_variables", []):
        values = found.get(variable["name"].casefold())
        if not values:
            continue
        if variable["type"] == "number":
            numbers = [float(v) for v in values if _number(v)]
            if numbers:
                high = max(2 * max(numbers), 1.0)
                mixes[variable["name"]] = {"uniform": [0, int(high) if high.is_integer() else high]}
        else:
            texts = [str(v) for v in values if isinstance(v, str) and v]
            if texts:
                other = "other"
                while other in texts:
                    other += "_"
                mixes[variable["name"]] = {"weights": {**{text: 1 for text in texts}, other: 1}}
    return mixes


def _slots(agent: Mapping[str, Any], ws: Mapping[str, Any], profiles: Mapping[str, int]) -> int:
    """Conversations of ``ws`` one agent holds at once: capacity units ÷ the stream's need, or the
    work item limit of the stream's capacity profile (the agent's own, else the profile's)."""
    if ws.get("capacity_format") == "profile" and ws.get("capacity_profile"):
        own = {name.casefold(): limit for name, limit in (agent.get("capacity_profiles") or {}).items()}
        profile = ws["capacity_profile"].casefold()
        return max(own.get(profile, profiles.get(profile, 0)), 0)
    return max(agent["capacity"] // max(ws["capacity"], 1), 0)


def default_model(config: Mapping[str, Any], *, seed: int = 1, duration_s: int = 8 * 3600) -> dict:
    """A starting workload model for a (normalised) configuration: every active work stream with a rate
    that keeps its agents (those in a presence it allows) about ``DEFAULT_LOAD`` busy (shared among the
    streams using them), 5-minute
    conversations, 3-minute patience, context values taken from the stream's rules."""
    members = {q["name"].casefold(): [m.casefold() for m in q["agents"]] for q in config["queues"]}
    agent_docs = {a["name"].casefold(): a for a in config["agents"]}
    bases = {name.casefold(): base for base, name in BASE_PRESENCE_NAMES.items()}
    bases |= {p["name"].casefold(): p["base"] for p in config.get("presences", [])}
    profiles = {p["name"].casefold(): p["work_item_limit"] for p in config.get("capacity_profiles", [])}
    active = [ws for ws in config["workstreams"] if ws["active"] and ws.get("default_queue")]
    arrivals = []
    for ws in active:
        queues = {ws["default_queue"].casefold()} | {name.casefold() for r in ws.get("routing_rules", [])
                                                     for name in rule_queues(r)}
        allowed = set(ws["allowed_presences"])
        # the members who can take its conversations now: in a presence it allows
        agents = [agent_docs[agent] for agent in {agent for queue in queues for agent in members.get(queue, [])}
                  if agent in agent_docs and bases.get(agent_docs[agent]["presence"].casefold()) in allowed]
        slots = sum(_slots(agent, ws, profiles) for agent in agents)
        per_hour = max(1.0, round(DEFAULT_LOAD * slots * 3600 / DEFAULT_HANDLE_S / max(len(active), 1)))
        stream = {"workstream": ws["name"], "per_hour": per_hour,
                  "handle_time_s": {"exponential": DEFAULT_HANDLE_S}, "patience_s": {"exponential": 180}}
        mix = context_mix_from_rules(ws)
        if mix:
            stream["context"] = mix
        arrivals.append(stream)
    return {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "seed": seed, "duration_s": duration_s,
        "warmup_s": 1800, "service_level_s": 60, "replications": 1, "interval_s": 900,
        "arrivals": arrivals,
        "agents": {DEFAULT_AGENT: {"accept": 0.9, "decline": 0.05, "response_s": {"exponential": 8}}},
    }

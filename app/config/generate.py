"""Large, deterministic sample configurations: for trying the console at scale and for the benchmarks.

``generate(preset)`` builds a configuration document (with ids) from a seeded
random generator: the same preset always gives the same document, byte for
byte.  Presets:

==========  ========  =========  =====  ======  ======  =========================
preset      streams   vars/rules queues agents  objects  for
==========  ========  =========  =====  ======  ======  =========================
tiny        20        5 / 10     10     20      ~350     smoke tests
small       500       20 / 50    200    2,000   ~37k     a quick look
large       10,000    20 / 50    200    2,000   ~700k    the issue's target size
huge-list   100,000   1 / 1      200    2,000   ~300k    the work streams list
==========  ========  =========  =====  ======  ======  =========================

``sample_preset(streams, variables, rules)`` sizes one for File > Generate
sample configuration.  Generated names ("Stream 000000", "Queue 0000",
"Agent 00000", ...) are stable, so generating again updates the same objects.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from app.config.document import FORMAT_NAME, FORMAT_VERSION
from models.choices import DEFAULT_QUEUE_PRIORITY

TEXT_WORDS = ("fr", "de", "es", "it", "gold", "silver", "bronze", "loan", "card", "mortgage", "savings", "vip")
TEXT_OPERATORS = ("eq", "ne", "contains", "not_contains", "begins_with", "ends_with", "in", "not_in",
                  "is_empty", "is_not_empty")
NUMBER_OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "is_empty", "is_not_empty")
CHANNEL_KINDS = {"live_chat": "chat_widget", "sms": "sms_number", "facebook": "facebook_page",
                 "entity_records": "entity_channel"}
NOTIFICATIONS = ("direct_open", "screen_pop_timeout", "screen_pop_decline")
BASES = ("available", "busy", "busy_dnd", "away", "offline")
PROGRESS_EVERY = 250
MAX_STREAMS, MAX_VARIABLES, MAX_RULES = 100_000, 50, 100


@dataclass(frozen=True)
class Preset:
    name: str
    streams: int
    variables: int  # per stream
    rules: int  # per stream
    queues: int
    agents: int
    presences: int = 10
    members: int = 20  # agents per queue
    channel_every: int = 10  # one channel on every n-th stream

    @property
    def objects(self) -> int:
        return (self.streams * (1 + self.variables + self.rules) + self.queues + self.agents + self.presences
                + self.streams // self.channel_every)


PRESETS = {
    "tiny": Preset("tiny", 20, 5, 10, 10, 20, presences=3, members=5, channel_every=4),
    "small": Preset("small", 500, 20, 50, 200, 2_000),
    "large": Preset("large", 10_000, 20, 50, 200, 2_000),
    "huge-list": Preset("huge-list", 100_000, 1, 1, 200, 2_000, channel_every=100),
}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _leaf(rng: random.Random, text_vars: list[str], number_vars: list[str]) -> dict:
    if number_vars and (not text_vars or rng.random() < 0.5):
        variable, operator = rng.choice(number_vars), rng.choice(NUMBER_OPERATORS)
        literal: Any = rng.choice([rng.randint(0, 5000), round(rng.uniform(0, 5000), 2)])
        listed: list = [rng.randint(0, 100) for _ in range(3)]
    else:
        variable, operator = rng.choice(text_vars), rng.choice(TEXT_OPERATORS)
        literal = rng.choice(TEXT_WORDS)
        listed = rng.sample(TEXT_WORDS, 3)
    leaf: dict[str, Any] = {"variable": variable, "operator": operator}
    if operator in ("in", "not_in"):
        leaf["value"] = listed
    elif operator not in ("is_empty", "is_not_empty"):
        leaf["value"] = literal
    return leaf


def _condition(rng: random.Random, text_vars: list[str], number_vars: list[str]) -> dict:
    size = rng.choice((1, 1, 2, 2, 3))
    leaves = [_leaf(rng, text_vars, number_vars) for _ in range(size)]
    if size == 3 and rng.random() < 0.5:
        return {"all": [leaves[0], {"any": leaves[1:]}]}
    return {rng.choice(("all", "any")) if size > 1 else "all": leaves}


def sample_preset(streams: int, variables: int = 20, rules: int = 50) -> Preset:
    """A preset for ``streams`` work streams, with queues and agents in proportion (the GUI's generator)."""
    if not 1 <= streams <= MAX_STREAMS:
        raise ValueError(f"work streams must be 1 to {MAX_STREAMS:,}, not {streams}")
    if not 0 <= variables <= MAX_VARIABLES:
        raise ValueError(f"context variables per stream must be 0 to {MAX_VARIABLES}, not {variables}")
    if not 0 <= rules <= MAX_RULES:
        raise ValueError(f"routing rules per stream must be 0 to {MAX_RULES}, not {rules}")
    queues = max(2, min(200, streams // 50))
    agents = max(5, min(2_000, queues * 10))
    return Preset(f"sample-{streams}-{variables}-{rules}", streams, variables, rules, queues, agents,
                  presences=3, members=min(20, agents), channel_every=10)


def generate(preset: str | Preset = "small", seed: int = 20240501,
             progress: Callable[[str, int, int], None] | None = None) -> dict:
    """The configuration document (with ids) of a preset; deterministic for a seed.

    ``progress(step, done, total)`` is called every ``PROGRESS_EVERY`` streams.
    """
    spec = PRESETS[preset] if isinstance(preset, str) else preset
    rng = random.Random(f"{spec.name}:{seed}")
    presences = [{"id": _uuid(rng), "name": f"Custom presence {i:02d}", "base": BASES[i % len(BASES)],
                  "text": f"Generated presence number {i}"} for i in range(spec.presences)]
    presence_names = ["Available", "Busy", "Away"] + [p["name"] for p in presences]
    agents = [{"id": _uuid(rng), "name": f"Agent {i:05d}", "capacity": rng.choice((50, 80, 100, 100, 120)),
               "presence": rng.choice(presence_names)} for i in range(spec.agents)]
    agent_names = [a["name"] for a in agents]
    queues = []
    for i in range(spec.queues):
        members = sorted(rng.sample(agent_names, min(spec.members, len(agent_names))))
        queues.append({"id": _uuid(rng), "name": f"Queue {i:04d}", "kind": "messaging" if i % 7 else "records",
                       "description": f"Generated queue {i} for the data benchmarks", "agents": members})
    queue_names = [q["name"] for q in queues]
    streams = []
    default_claimed: set[str] = set()
    for i in range(spec.streams):
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress("Generating work streams", i, spec.streams)
        channel = ("live_chat", "sms", "facebook", "entity_records")[i % 4]
        variables = []
        for v in range(spec.variables):
            kind = "text" if v % 2 == 0 else "number"
            variables.append({"id": _uuid(rng), "display_name": f"Variable {v:02d}", "name": f"var{v:02d}",
                              "type": kind})
        text_vars = [v["name"] for v in variables if v["type"] == "text"]
        number_vars = [v["name"] for v in variables if v["type"] == "number"]
        rules = []
        for r in range(spec.rules):
            rule: dict[str, Any] = {"id": _uuid(rng), "name": f"Rule {r:03d}", "description": "" if r % 3 else
                                    f"Rule {r} of stream {i}", "queue": rng.choice(queue_names)}
            rule["condition"] = _condition(rng, text_vars, number_vars) if variables else {"all": []}
            rules.append(rule)
        channels = []
        if i % spec.channel_every == 0:
            kind = CHANNEL_KINDS[channel]
            channels.append({"id": _uuid(rng), "name": f"Channel {i:06d}", "kind": kind,
                             "is_default": kind not in default_claimed})
            default_claimed.add(kind)
        active = i % 9 != 4
        notification = rng.choice(NOTIFICATIONS)
        streams.append({
            "id": _uuid(rng), "name": f"Stream {i:06d}", "channel": channel, "active": active,
            "capacity": rng.choice((5, 10, 20, 30, 40)),
            "auto_close_after_inactivity_s": rng.choice((0, 300, 600)),
            "distribution_mode": "push" if i % 5 else "pick", "notification": notification,
            "screen_pop_timeout_s": rng.choice((60, 90, 120)),
            "allowed_presences": ["available", "busy"] if i % 3 else ["available"],
            "assign_after_decline_s": 0, "keep_same_agent": i % 4 == 0, "wrap_up_block_s": rng.choice((0, 30)),
            "default_queue": rng.choice(queue_names), "context_variables": variables, "routing_rules": rules,
            "channels": channels,
        })
    return with_distribution_defaults({"format": FORMAT_NAME, "version": FORMAT_VERSION, "presences": presences,
                                       "agents": agents, "queues": queues, "workstreams": streams})


def with_distribution_defaults(doc: dict) -> dict:
    """Every version 2 field at its default, as an export writes them (no random draws: the
    generated configuration stays what it was for a seed)."""
    doc = {"rating_models": [], "skills": [], "capacity_profiles": [], **doc}
    for agent in doc["agents"]:
        agent.setdefault("skills", {})
        agent.setdefault("capacity_profiles", {})
    for queue in doc["queues"]:
        for key, value in (("priority", DEFAULT_QUEUE_PRIORITY), ("assignment_method", "highest_capacity"),
                           ("operating_hours", None), ("overflow", [])):
            queue.setdefault(key, value)
    for stream in doc["workstreams"]:
        for key, value in (("capacity_format", "units"), ("capacity_profile", None), ("skill_matching", "none"),
                           ("classification_rules", []), ("missed_notification_presence", None),
                           ("decline_reasons", []), ("reconnect_window_s", 0)):
            stream.setdefault(key, value)
        for rule in stream["routing_rules"]:
            rule.setdefault("queues", [])
    return doc


def count_objects(doc: dict) -> int:
    top = sum(len(doc[k]) for k in ("presences", "agents", "queues", "workstreams"))
    nested = sum(len(w["context_variables"]) + len(w["routing_rules"]) + len(w["channels"])
                 for w in doc["workstreams"])
    return top + nested

"""A large, deterministic configuration for the data benchmarks.

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

``write_database(doc, path)`` loads it through the app's own import path
(``app.configio.import_document`` on a freshly migrated database);
``write_bundle(doc, path)`` writes it as a full ``.wsbundle``.

    python -m benchmarks.generate --preset small --db PATH [--bundle PATH]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.configdoc import FORMAT_NAME, FORMAT_VERSION

TEXT_WORDS = ("fr", "de", "es", "it", "gold", "silver", "bronze", "loan", "card", "mortgage", "savings", "vip")
TEXT_OPERATORS = ("eq", "ne", "contains", "not_contains", "begins_with", "ends_with", "in", "not_in",
                  "is_empty", "is_not_empty")
NUMBER_OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "is_empty", "is_not_empty")
CHANNEL_KINDS = {"live_chat": "chat_widget", "sms": "sms_number", "facebook": "facebook_page",
                 "entity_records": "entity_channel"}
NOTIFICATIONS = ("direct_open", "screen_pop_timeout", "screen_pop_decline")
BASES = ("available", "busy", "busy_dnd", "away", "offline")
FIXED_CREATED_AT = "2024-01-01T00:00:00Z"
SOURCE_DATABASE_ID = "00000000-0000-4000-8000-00000000b0b0"


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


def generate(preset: str | Preset = "small", seed: int = 20240501) -> dict:
    """The configuration document (with ids) of a preset; deterministic for a seed."""
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
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "presences": presences, "agents": agents,
            "queues": queues, "workstreams": streams}


def count_objects(doc: dict) -> int:
    top = sum(len(doc[k]) for k in ("presences", "agents", "queues", "workstreams"))
    nested = sum(len(w["context_variables"]) + len(w["routing_rules"]) + len(w["channels"])
                 for w in doc["workstreams"])
    return top + nested


def write_database(doc: dict, path: str | Path, *, replace: bool = True):
    """A fresh database at ``path`` holding ``doc``, written by the app's import path."""
    from app.configio import import_document
    from app.database import open_database

    path = Path(path)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    db = open_database(f"sqlite:///{path}", seed_demo=False, backup=False)
    try:
        return import_document(db, doc, replace=replace)
    finally:
        db.dispose()


def write_bundle(doc: dict, path: str | Path, *, label: str = "generated") -> int:
    """``doc`` as a full bundle at ``path``; returns its size in bytes."""
    from app.bundles.format import write_bundle as write

    write(path, doc, kind="full", label=label, source_database_id=SOURCE_DATABASE_ID, created_at=FIXED_CREATED_AT)
    return Path(path).stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--db", help="write a database here (replaced if it exists)")
    parser.add_argument("--bundle", help="write a full bundle here")
    args = parser.parse_args(argv)
    if not args.db and not args.bundle:
        parser.error("give --db PATH and/or --bundle PATH")
    started = time.perf_counter()
    doc = generate(args.preset, args.seed)
    print(f"{args.preset}: {count_objects(doc):,} objects generated in {time.perf_counter() - started:.1f} s")
    if args.db:
        started = time.perf_counter()
        summary = write_database(doc, args.db)
        print(f"database {args.db}: {summary.counts()['created']:,} top-level objects created in "
              f"{time.perf_counter() - started:.1f} s")
    if args.bundle:
        started = time.perf_counter()
        size = write_bundle(doc, args.bundle)
        print(f"bundle {args.bundle}: {size:,} bytes in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

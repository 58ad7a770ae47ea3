"""Work distribution of document version 2 against today's (version 1) behaviour, in the same run.

1. Route: bench_routing's stream of 200 rules routed by ``route_queue`` (version 1), against the
   same stream with 10 classification rules and its matching rule made a percentage split, where
   a conversation costs ``classify_and_route(context, draw)`` (one generated function reads the
   context once for both rule lists) and a seeded draw.
2. Simulate: the simulator world of ``bench_routing`` (200 agents, 4 queues of 60, 2,000
   conversations, agents answering pops after a delay) as version 1, against the same world
   with skills held by every agent and classification with ``closest`` (chat) and ``exact``
   (SMS) matching, four queue priorities, a round-robin and a least-active queue, and the chat
   stream on a capacity profile.

Each side runs ``REPEATS`` times, alternating; the best time of each counts, in CPU time of
this process (``time.process_time``: the machine is shared, and waiting for a core is not work).
The simulator's times include building it from the document (a few ms of 100+).  Goal: version 2 with the features on at least 0.7x version 1's throughput.
Run with ``python -m benchmarks.bench_distribution`` (about 20-40 s).
"""
from __future__ import annotations

import copy
import random
import sys
import time
from typing import Any, Callable

from app.routing.router import compile_workstream
from benchmarks.bench_routing import MATCH_POSITION, build_stream, drive_simulator, random_condition, simulator_world

Report = Callable[[str], None]

GOAL = 0.7
REPEATS = 5
ROUTES = 20_000
SKILLS = ("Mortgages", "Languages", "Cards")
LEVELS = ["1", "2", "3", "4", "5"]


# --------------------------------------------------------------------------- route

def route_streams(seed: int = 3) -> tuple[dict, dict, list[dict]]:
    """bench_routing's 200-rule stream (version 1), and the same with 10 classification rules and
    its one matching rule (190) a three-way percentage split (version 2)."""
    v1, contexts = build_stream()
    rng = random.Random(seed)
    v2 = copy.deepcopy(v1)
    split = v2["routing_rules"][MATCH_POSITION]
    del split["queue"]
    split["queues"] = [{"queue": "A", "percent": 50}, {"queue": "B", "percent": 30}, {"queue": "C", "percent": 20}]
    classes = [{"name": f"Skill {i}", "condition": random_condition(rng), "skills": {SKILLS[i % 3]: LEVELS[i % 5]}}
               for i in range(9)]
    classes.append({"name": "Mortgages", "skills": {"Mortgages": "3"},
                    "condition": {"all": [{"variable": "product", "operator": "contains", "value": "mortgage"}]}})
    v2["classification_rules"] = classes
    return v1, v2, contexts


def _time_v1(v1: dict, contexts: list[dict]) -> float:
    route = compile_workstream(v1).route_queue
    batch = contexts * (ROUTES // len(contexts))
    started = time.process_time()
    for context in batch:
        route(context)
    return len(batch) / (time.process_time() - started)


def _time_v2(v2: dict, contexts: list[dict]) -> float:
    decide = compile_workstream(v2).classify_and_route
    draw = random.Random(1).random
    batch = contexts * (ROUTES // len(contexts))
    started = time.process_time()
    for context in batch:
        decide(context, draw() * 100)  # a draw for every conversation: the worst case
    return len(batch) / (time.process_time() - started)


def bench_route(report: Report) -> dict[str, float]:
    v1, v2, contexts = route_streams()
    best_v1 = best_v2 = 0.0
    for _ in range(REPEATS):
        best_v1 = max(best_v1, _time_v1(v1, contexts))
        best_v2 = max(best_v2, _time_v2(v2, contexts))
    ratio = best_v2 / best_v1
    report(f"route: {len(v1['routing_rules'])} rules (bench_routing's), {ROUTES:,} conversations per run, "
           f"best of {REPEATS}")
    report(f"  {'version 1: route_queue (baseline)':<52} {best_v1:>12,.0f} /s   1.00x")
    report(f"  {'version 2: classify_and_route, 10 classification':<52} {best_v2:>12,.0f} /s   {ratio:.2f}x"
           f"   (goal >= {GOAL}x: {'met' if ratio >= GOAL else 'NOT met'})")
    return {"v1_per_s": best_v1, "v2_per_s": best_v2, "ratio": ratio}


# --------------------------------------------------------------------------- simulate

def distribution_world(doc: dict, seed: int = 17) -> dict:
    """``doc`` (bench_routing's world) with skills, priorities, methods and a profile on."""
    rng = random.Random(seed)
    v2 = copy.deepcopy(doc)
    v2.update(format="workstream-console/config", version=2,
              rating_models=[{"name": "Proficiency", "values": LEVELS}],
              skills=[{"name": s, "rating_model": "Proficiency"} for s in SKILLS],
              capacity_profiles=[{"name": "Chat", "work_item_limit": 3}])
    for agent in v2["agents"]:
        agent["skills"] = {s: rng.choice(LEVELS) for s in SKILLS if rng.random() < 0.8}
        if rng.random() < 0.3:
            agent["capacity_profiles"] = {"Chat": rng.choice([2, 4])}
    methods = ["highest_capacity", "round_robin", "least_active", "highest_capacity"]
    for index, queue in enumerate(v2["queues"]):
        queue.update(priority=index + 1, assignment_method=methods[index % len(methods)])
    for stream in v2["workstreams"]:
        stream["context_variables"] = stream["context_variables"] + [
            {"display_name": "Topic", "name": "topic", "type": "text"}]
        stream["classification_rules"] = [
            {"name": f"{skill} questions", "skills": {skill: level},
             "condition": {"all": [{"variable": "topic", "operator": "eq", "value": skill.lower()}]}}
            for skill, level in zip(SKILLS, ("3", "2", "1"))]
        stream["skill_matching"] = "closest" if stream["name"] == "Chat" else "exact"
        if stream["name"] == "Chat":
            stream.update(capacity_format="profile", capacity_profile="Chat")
    return v2


def with_topics(arrivals: list, seed: int = 23) -> list:
    rng = random.Random(seed)
    topics = [s.lower() for s in SKILLS] + ["other"]
    return [(at, conv, stream, {**context, "topic": rng.choice(topics)}) for at, conv, stream, context in arrivals]


def bench_simulate(report: Report) -> dict[str, float]:
    v1, arrivals = simulator_world()
    v2 = distribution_world(v1)
    arrivals_v2 = with_topics(arrivals)
    best_v1 = best_v2 = 0.0
    events_v1 = events_v2 = 0
    counts_v2: dict[str, int] = {}
    for _ in range(REPEATS):
        started = time.process_time()
        events_v1, _seconds, _counts, _sim = drive_simulator(v1, arrivals)
        best_v1 = max(best_v1, len(arrivals) / (time.process_time() - started))
        started = time.process_time()
        events_v2, _seconds, counts_v2, _sim = drive_simulator(v2, arrivals_v2)
        best_v2 = max(best_v2, len(arrivals_v2) / (time.process_time() - started))
    ratio = best_v2 / best_v1
    report(f"simulate: {len(v1['agents'])} agents, {len(arrivals):,} conversations, best of {REPEATS}")
    report(f"  {'version 1 (baseline)':<52} {best_v1:>12,.0f} conversations/s   1.00x   ({events_v1:,} events)")
    report(f"  {'version 2: skills, priority, methods, profile':<52} {best_v2:>12,.0f} conversations/s   "
           f"{ratio:.2f}x   ({events_v2:,} events; goal >= {GOAL}x: {'met' if ratio >= GOAL else 'NOT met'})")
    mix = ", ".join(f"{k} {v:,}" for k, v in sorted(counts_v2.items(), key=lambda kv: -kv[1])[:6])
    report(f"  version 2 mix: {mix}")
    return {"v1_per_s": best_v1, "v2_per_s": best_v2, "ratio": ratio}


def run(report: Report = print) -> dict[str, Any]:
    return {"route": bench_route(report), "simulate": bench_simulate(report)}


def record(results: dict[str, Any]) -> None:
    from benchmarks import report as bench_report

    route, simulate = results["route"], results["simulate"]
    bench_report.record("distribution", [
        bench_report.Row("Route with classification and splits", route["v2_per_s"], "/s",
                         "version 1 route_queue", route["v1_per_s"], f">= {GOAL}x", route["ratio"] >= GOAL),
        bench_report.Row("Simulate with skills, priority, profiles", simulate["v2_per_s"], "/s",
                         "version 1 world", simulate["v1_per_s"], f">= {GOAL}x", simulate["ratio"] >= GOAL),
    ])


def main() -> int:
    results = run(print)
    record(results)
    return 0 if results["route"]["ratio"] >= GOAL and results["simulate"]["ratio"] >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())

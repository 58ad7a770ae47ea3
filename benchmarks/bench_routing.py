"""Routing and simulator throughput.

1. A work stream with 200 routing rules (mixed operators, both variable types,
   almost none matching) routed by ``CompiledRouter.route_queue``, against a
   hand-written function of the same 200 rules as plain if-statements (its
   source is generated and exec'd) measured in the same run.  The ratio is the
   figure to watch: the generated function vs the best a person could write.
   Also shown: the closure path (used for streams too big to generate and for
   mistyped contexts), and coerce_context + route_queue (what the simulator does
   per conversation), so context preparation never quietly dominates.
2. The distribution simulator driven like the GUI drives it: ~200 agents, 2,000
   conversations, agents reacting to pops after a delay; events per second.

Run with ``python -m benchmarks.bench_routing`` (about 15-25 s).
"""
from __future__ import annotations

import heapq
import random
import sys
import time
from typing import Any, Callable

from app.simulation.clock import VirtualClock
from app.routing.conditions import evaluate
from app.routing.router import coerce_context, compile_workstream
from app.simulation.engine import Simulator

Report = Callable[[str], None]

TEXT_VARIABLES = ("country", "segment", "product")
NUMBER_VARIABLES = ("ordervalue", "age", "tenure")
WORDS = ("fr", "de", "es", "it", "gold", "silver", "bronze", "loan", "card", "mortgage", "savings", "vip")
TEXT_OPERATORS = ("eq", "ne", "contains", "not_contains", "begins_with", "ends_with", "in", "not_in",
                  "is_empty", "is_not_empty")
NUMBER_OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "is_empty", "is_not_empty")
RULE_COUNT = 200
MATCH_POSITION = 190  # the one rule some contexts match, near the end


# --------------------------------------------------------------------------- the 200-rule stream

def random_leaf(rng: random.Random) -> dict:
    if rng.random() < 0.5:
        variable, operator = rng.choice(TEXT_VARIABLES), rng.choice(TEXT_OPERATORS)
        literal: Any = rng.choice(WORDS).upper() if rng.random() < 0.3 else rng.choice(WORDS)
        listed = rng.sample(WORDS, 3)
    else:
        variable, operator = rng.choice(NUMBER_VARIABLES), rng.choice(NUMBER_OPERATORS)
        literal = rng.choice([rng.randint(0, 5000), round(rng.uniform(0, 5000), 2)])
        listed = [rng.randint(0, 100) for _ in range(4)]
    leaf = {"variable": variable, "operator": operator}
    if operator in ("in", "not_in"):
        leaf["value"] = listed
    elif operator not in ("is_empty", "is_not_empty"):
        leaf["value"] = literal
    return leaf


def random_condition(rng: random.Random) -> dict:
    size = rng.choice([1, 1, 2, 2, 3])
    leaves = [random_leaf(rng) for _ in range(size)]
    if size > 2 and rng.random() < 0.5:
        return {"all": [leaves[0], {"any": leaves[1:]}]}
    return {rng.choice(["all", "any"]) if size > 1 else "all": leaves}


def benchmark_contexts(rng: random.Random) -> list[dict]:
    contexts = []
    for index in range(16):
        context: dict[str, Any] = {
            "country": rng.choice(["FR", "de", "Es", "pt"]),
            "segment": rng.choice(["Gold", "standard", " "]),
            "ordervalue": rng.choice([12, 250.5, 1800, 4999]),
            "age": rng.randint(18, 90),
        }
        if index % 2:
            context["product"] = rng.choice(["Mortgage", "card", "loan"])
            context["tenure"] = rng.randint(0, 30)
        contexts.append(context)
    return contexts


def build_stream(seed: int = 7) -> tuple[dict, list[dict]]:
    """200 rules none of the contexts match, except rule 190 for half of them."""
    rng = random.Random(seed)
    contexts = benchmark_contexts(rng)
    rules = []
    while len(rules) < RULE_COUNT:
        if len(rules) == MATCH_POSITION:
            condition = {"all": [{"variable": "product", "operator": "is_not_empty"},
                                 {"variable": "tenure", "operator": "ge", "value": 0}]}
        else:
            condition = random_condition(rng)
            if any(evaluate(condition, context) for context in contexts):
                continue  # keep the work realistic: most rules don't match
        rules.append({"name": f"Rule {len(rules)}", "description": "", "queue": f"Queue {len(rules) % 17}",
                      "condition": condition})
    variables = [{"display_name": n, "name": n, "type": "text"} for n in TEXT_VARIABLES]
    variables += [{"display_name": n, "name": n, "type": "number"} for n in NUMBER_VARIABLES]
    ws = {"name": "Bench", "default_queue": "Default", "context_variables": variables, "routing_rules": rules}
    return ws, contexts


# --------------------------------------------------------------------------- the hand-written baseline

def _leaf_source(leaf: dict, is_text: bool) -> str:
    v = f"v_{leaf['variable']}"
    op = leaf["operator"]
    if op == "is_empty":
        return f"({v} is None or not {v}.strip())" if is_text else f"({v} is None)"
    if op == "is_not_empty":
        return f"({v} is not None and bool({v}.strip()))" if is_text else f"({v} is not None)"
    value = leaf["value"]
    if is_text:
        value = [x.casefold() for x in value] if isinstance(value, list) else value.casefold()
    if op == "in":
        return f"({v} in {set(value)!r})"
    if op == "not_in":
        return f"({v} is not None and {v} not in {set(value)!r})"
    if op == "eq":
        return f"({v} == {value!r})"
    symbol = {"ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}.get(op)
    if symbol:
        return f"({v} is not None and {v} {symbol} {value!r})"
    if op == "contains":
        return f"({v} is not None and {value!r} in {v})"
    if op == "not_contains":
        return f"({v} is not None and {value!r} not in {v})"
    method = {"begins_with": "startswith", "ends_with": "endswith"}[op]
    return f"({v} is not None and {v}.{method}({value!r}))"


def _condition_source(node: dict) -> str:
    if len(node) == 1 and next(iter(node)) in ("all", "any"):
        key = next(iter(node))
        parts = [_condition_source(child) for child in node[key]]
        if not parts:
            return "True" if key == "all" else "False"
        return "(" + (" and " if key == "all" else " or ").join(parts) + ")"
    return _leaf_source(node, node["variable"] in TEXT_VARIABLES)


def hand_written_router(ws: dict) -> Callable[[dict], str]:
    """What a person would write for these rules, for well-typed contexts."""
    lines = ["def route(ctx):"]
    for name in TEXT_VARIABLES:
        lines.append(f"    v_{name} = ctx.get({name!r})")
        lines.append(f"    if v_{name} is not None: v_{name} = v_{name}.casefold()")
    for name in NUMBER_VARIABLES:
        lines.append(f"    v_{name} = ctx.get({name!r})")
    for rule in ws["routing_rules"]:
        lines.append(f"    if {_condition_source(rule['condition'])}:")
        lines.append(f"        return {rule['queue']!r}")
    lines.append(f"    return {ws['default_queue']!r}")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<hand-written rules>", "exec"), namespace)  # noqa: S102 - our own source
    return namespace["route"]


# --------------------------------------------------------------------------- timing

def evaluations_per_second(route: Callable[[dict], Any], contexts: list[dict], seconds: float) -> float:
    """Best of three rounds of at least ``seconds`` / 3 each (less noise on a shared machine)."""
    best = 0.0
    for _ in range(3):
        count = 0
        started = time.perf_counter()
        deadline = started + seconds / 3
        while True:
            for context in contexts:
                route(context)
            count += len(contexts)
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - started))
    return best


def interleaved_rates(routes: list[Callable[[dict], Any]], contexts: list[dict], seconds: float,
                      rounds: int = 6) -> list[float]:
    """Best rate of each router over ``rounds`` rounds taken in turn (A B A B ...), so a
    burst of load on a shared machine hits all of them alike; ``seconds`` per router."""
    best = [0.0] * len(routes)
    for _ in range(rounds):
        for position, route in enumerate(routes):
            count = 0
            started = time.perf_counter()
            deadline = started + seconds / rounds
            while True:
                for context in contexts:
                    route(context)
                count += len(contexts)
                now = time.perf_counter()
                if now >= deadline:
                    break
            best[position] = max(best[position], count / (now - started))
    return best


def bench_routing(report: Report, seconds: float = 3.0) -> dict[str, float]:
    ws, contexts = build_stream()
    router = compile_workstream(ws)
    assert router.source is not None, "the 200-rule stream must get a generated route_queue"
    baseline = hand_written_router(ws)
    closures = router._route_queue_closures  # the fallback path, for comparison
    for context in contexts:  # same answers before timing anything
        expected = next((r["queue"] for r in ws["routing_rules"] if evaluate(r["condition"], context)), "Default")
        assert router.route_queue(context) == closures(context) == baseline(context) == expected, context
    compiled_rate, baseline_rate, with_coerce_rate = interleaved_rates(
        [router.route_queue, baseline, lambda c: router.route_queue(coerce_context(ws, c))], contexts, seconds)
    closures_rate = evaluations_per_second(closures, contexts, seconds / 3)
    reference_rate = evaluations_per_second(
        lambda c: next((r["queue"] for r in ws["routing_rules"] if evaluate(r["condition"], c)), "Default"),
        contexts, seconds / 3)
    matched = sum(router.route_queue(c) != "Default" for c in contexts)
    report(f"routing: {RULE_COUNT} rules, {len(contexts)} contexts ({matched} match rule {MATCH_POSITION}, "
           f"the rest fall back)")
    report(f"  {'router':<38} {'routes/s':>12} {'vs hand-written':>16}")
    report(f"  {'hand-written if-statements (baseline)':<38} {baseline_rate:>12,.0f} {1.0:>15.2f}x")
    report(f"  {'CompiledRouter.route_queue':<38} {compiled_rate:>12,.0f} {compiled_rate / baseline_rate:>15.2f}x")
    report(f"  {'  the closures (fallback path)':<38} {closures_rate:>12,.0f} {closures_rate / baseline_rate:>15.2f}x")
    report(f"  {'  coerce_context + route_queue':<38} {with_coerce_rate:>12,.0f} "
           f"{with_coerce_rate / baseline_rate:>15.2f}x")
    report(f"  {'reference interpreter (evaluate)':<38} {reference_rate:>12,.0f} "
           f"{reference_rate / baseline_rate:>15.2f}x")
    return {"compiled": compiled_rate, "hand_written": baseline_rate, "reference": reference_rate,
            "closures": closures_rate, "coerce_and_route": with_coerce_rate,
            "ratio": compiled_rate / baseline_rate}


# --------------------------------------------------------------------------- simulator

def simulator_world(agents: int = 200, conversations: int = 2000, seed: int = 11) -> tuple[dict, list]:
    rng = random.Random(seed)
    names = [f"Agent {i:03d}" for i in range(agents)]
    agent_docs = [{"name": n, "capacity": 100, "presence": rng.choice(["Available"] * 8 + ["Busy", "Away"])}
                  for n in names]
    queues = [{"name": f"Queue {q}", "agents": names[q * 50:(q + 1) * 50 + 10]} for q in range(agents // 50)]
    rules = [{"name": f"To queue {q}", "description": "", "queue": f"Queue {q}",
              "condition": {"all": [{"variable": "region", "operator": "eq", "value": f"r{q}"}]}}
             for q in range(1, len(queues))]
    variables = [{"display_name": "Region", "name": "region", "type": "text"}]
    streams = [
        {"name": "Chat", "channel": "live_chat", "capacity": 30, "notification": "screen_pop_decline",
         "screen_pop_timeout_s": 60, "assign_after_decline_s": 30, "wrap_up_block_s": 20,
         "auto_close_after_inactivity_s": 120, "default_queue": "Queue 0",
         "context_variables": variables, "routing_rules": rules},
        {"name": "SMS", "channel": "sms", "capacity": 20, "notification": "direct_open",
         "wrap_up_block_s": 10, "default_queue": "Queue 0", "context_variables": variables, "routing_rules": rules},
    ]
    doc = {"agents": agent_docs, "queues": queues, "workstreams": streams}
    arrivals = [(i * 0.5, f"c{i}", rng.choice(["Chat", "Chat", "SMS"]), {"region": f"r{rng.randrange(len(queues))}"})
                for i in range(conversations)]
    return doc, arrivals


def drive_simulator(doc: dict, arrivals: list, seed: int = 5) -> tuple[int, float, dict[str, int], Simulator]:
    """Agents react to pops after a delay, as the GUI panel's trainees would."""
    rng = random.Random(seed)
    clock = VirtualClock()
    sim = Simulator(doc, clock)
    pending: list[tuple[float, int, str, tuple]] = []
    sequence = 0

    def later(when: float, action: str, *args: Any) -> None:
        nonlocal sequence
        sequence += 1
        heapq.heappush(pending, (when, sequence, action, args))

    counts: dict[str, int] = {}

    def react(event: dict) -> None:
        kind = event["event"]
        counts[kind] = counts.get(kind, 0) + 1
        t = event["t"]
        if kind == "offered":
            roll = rng.random()
            if roll < 0.75:
                later(t + rng.uniform(2, 40), "accept", event["agent"], event["conversation"])
            elif roll < 0.9:
                later(t + rng.uniform(2, 30), "decline", event["agent"], event["conversation"])
        elif kind in ("accepted", "assigned"):
            if rng.random() < 0.2:
                later(t + rng.uniform(10, 60), "customer_idle", event["conversation"])
            later(t + rng.uniform(60, 400), "end", event["conversation"])
        elif kind == "waiting" and rng.random() < 0.5:
            later(t + rng.uniform(10, 150), "customer_active", event["conversation"])

    sim.subscribe(react)
    for at, conv_id, stream, context in arrivals:
        later(at, "add_conversation", conv_id, stream, context)
    for index in range(200):
        later(index * 5.0, "set_presence", f"Agent {rng.randrange(200):03d}",
              rng.choice(["Available", "Available", "Busy", "Away"]))
    started = time.perf_counter()
    while pending:
        when, _, action, args = heapq.heappop(pending)
        clock.set(max(when, clock.now()))
        getattr(sim, action)(*args)
    clock.advance(3600)
    sim.tick()
    elapsed = time.perf_counter() - started
    return sum(counts.values()), elapsed, counts, sim


def snapshot_seconds(sim: Simulator, rounds: int = 20) -> float:
    """One panel refresh: every agent, queue and conversation view."""
    started = time.perf_counter()
    for _ in range(rounds):
        sim.agents()
        sim.queues()
        sim.conversations()
    return (time.perf_counter() - started) / rounds


def bench_simulator(report: Report) -> dict[str, float]:
    doc, arrivals = simulator_world()
    events, elapsed, counts, sim = drive_simulator(doc, arrivals)
    refresh = snapshot_seconds(sim)
    agents = len(doc["agents"])
    report(f"simulator: {agents} agents, {len(arrivals):,} conversations, {events:,} events in {elapsed:.2f} s")
    report(f"  {'events/s':<38} {events / elapsed:>12,.0f}")
    report(f"  {'µs per event':<38} {elapsed / events * 1e6:>12.1f}")
    top = ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:8])
    report(f"  mix: {top}")
    report(f"  {'full snapshot (agents+queues+convs), ms':<38} {refresh * 1000:>12.1f}")
    return {"events": events, "seconds": elapsed, "events_per_second": events / elapsed,
            "snapshot_seconds": refresh}


def run(report: Report = print) -> dict[str, dict[str, float]]:
    return {"routing": bench_routing(report), "simulator": bench_simulator(report)}


def main() -> int:
    run(print)
    return 0


if __name__ == "__main__":
    sys.exit(main())

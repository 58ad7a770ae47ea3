"""The ranking heaps choose exactly the agent a scan of every member would (the rule in the engine's docstring)."""
from __future__ import annotations

import random

import pytest

from app.simulation.clock import VirtualClock
from app.simulation.engine import Simulator

PRESENCES = ["Available", "Busy", "Busy - DND", "Away", "Offline"]


def scan(simulator: Simulator, conv) -> tuple:
    """The rule, by brute force: most free capacity, oldest last touch, name; cool-downs skipped."""
    stream = conv.stream
    best, best_key, anyone_fits = None, None, False
    for agent in conv.queue.members:
        if agent.base not in stream.allowed or agent.capacity - agent.used < stream.capacity:
            continue
        anyone_fits = True
        if conv.cooldowns and simulator.time < conv.cooldowns.get(agent.name, -float("inf")):
            continue
        key = (agent.used - agent.capacity, agent.last_touch, agent.name)
        if best_key is None or key < best_key:
            best, best_key = agent, key
    return best, anyone_fits


def config(rng: random.Random, capacities: tuple[int, ...] = (10, 20)) -> dict:
    agents = [{"name": f"A{i:02d}", "capacity": rng.choice([10, 20, 30, 40]),
               "presence": rng.choice(PRESENCES)} for i in range(24)]
    names = [a["name"] for a in agents]
    queues = [{"name": f"Q{q}", "agents": rng.sample(names, rng.randint(1, 12))} for q in range(4)]
    streams = [{"name": f"S{s}", "channel": "live_chat", "capacity": rng.choice(capacities),
                "notification": rng.choice(["screen_pop_decline", "screen_pop_timeout", "direct_open"]),
                "screen_pop_timeout_s": 30, "assign_after_decline_s": rng.choice([0, 20]),
                "wrap_up_block_s": rng.choice([0, 15]),
                "allowed_presences": rng.sample(["available", "busy", "busy_dnd", "away"], rng.randint(1, 3)),
                "default_queue": f"Q{s}"} for s in range(4)]
    return {"format": "workstream-console/config", "version": 1, "agents": agents, "queues": queues,
            "workstreams": streams}


# (10, 20): agents with under 10 free get no heap entry; (0, 5, 20): a stream needing nothing ranks everyone
@pytest.mark.parametrize("capacities", [(10, 20), (0, 5, 20)])
@pytest.mark.parametrize("seed", range(12))
def test_every_choice_matches_a_scan_of_the_members(seed, capacities, monkeypatch):
    rng = random.Random(seed)
    checks = []
    original = Simulator._best_agent

    def checked(self, conv):
        chosen = original(self, conv)
        expected = scan(self, conv)
        checks.append(chosen == expected)
        assert chosen == expected, (chosen[0] and chosen[0].name, expected[0] and expected[0].name)
        return chosen

    monkeypatch.setattr(Simulator, "_best_agent", checked)
    clock = VirtualClock(0)
    doc = config(rng, capacities)
    simulator = Simulator(doc, clock)
    agents = [a["name"] for a in doc["agents"]]
    live: list[str] = []
    for step in range(600):
        clock.advance(rng.choice([0, 0, 1, 5, 20]))
        simulator.tick()
        action = rng.random()
        if action < 0.35:
            conv_id = f"c{step}"
            simulator.add_conversation(conv_id, f"S{rng.randrange(4)}")
            live.append(conv_id)
        elif action < 0.55 and live:
            view = simulator.conversation(rng.choice(live))
            if view.offered_to:
                (simulator.accept if rng.random() < 0.6 else simulator.decline)(view.offered_to, view.id)
        elif action < 0.7 and live:
            simulator.end(live.pop(rng.randrange(len(live))))
        elif action < 0.85:
            simulator.set_presence(rng.choice(agents), rng.choice(PRESENCES))
        else:
            simulator.set_capacity(rng.choice(agents), rng.choice([0, 10, 20, 40]))
    assert len(checks) > 100


def test_a_queue_full_of_stale_entries_is_rebuilt(monkeypatch):
    clock = VirtualClock(0)
    simulator = Simulator({"format": "workstream-console/config", "version": 1,
                           "agents": [{"name": "Ana"}], "queues": [{"name": "Q", "agents": ["Ana"]}],
                           "workstreams": [{"name": "S", "channel": "live_chat", "default_queue": "Q",
                                            "notification": "direct_open"}]}, clock)
    for index in range(500):
        simulator.add_conversation(f"c{index}", "S")
        simulator.end(f"c{index}")
    queue = simulator._queues["Q"]
    assert sum(len(heap) for heap in queue.ranking.values()) <= 2 * len(queue.members) + 65

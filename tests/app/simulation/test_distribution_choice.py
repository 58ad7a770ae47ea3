"""The simulator's choice of agent equals a brute-force reading of the README's rules, on random
worlds with skills, assignment methods and capacity profiles (and today's heap for version 1)."""
from __future__ import annotations

import random

import pytest

from app.simulation.clock import VirtualClock
from app.simulation.distribution import coverage_key, qualifies
from app.simulation.engine import Simulator

PRESENCES = ["Available", "Busy", "Away"]
LEVELS = ["1", "2", "3", "4"]
SKILLS = ["Mortgages", "Languages"]
METHODS = ["highest_capacity", "round_robin", "least_active"]


def reference(simulator: Simulator, conv) -> tuple:
    """Every member, by the rules as written: presence, free capacity or profile slot, skills,
    cool-downs; best by coverage (closest), then the queue's assignment method."""
    stream, queue = conv.stream, conv.queue
    requirements = conv.requirements
    best = best_key = None
    fits = False
    count = len(queue.members)
    for position, agent in enumerate(queue.members):
        if agent.base not in stream.allowed:
            continue
        if stream.profile is None:
            free = agent.capacity - agent.used
            if free < stream.capacity:
                continue
        else:
            free = agent.profile_free[stream.profile]
            if free < 1:
                continue
        fits = True
        if requirements and stream.skill_matching == "exact" and not qualifies(agent.held, requirements):
            continue
        if conv.cooldowns and simulator.time < conv.cooldowns.get(agent.name, -float("inf")):
            continue
        if queue.method == "highest_capacity":
            key = (-free, agent.last_touch, agent.name)
        elif queue.method == "round_robin":
            key = ((position - queue.rr_last - 1) % count,)
        else:
            key = (agent.last_release, position)
        if requirements and stream.skill_matching == "closest":
            key = coverage_key(agent.held, requirements) + key
        if best_key is None or key < best_key:
            best, best_key = agent, key
    return best, fits or best is not None


def world(rng: random.Random, version_1: bool) -> dict:
    agents = []
    for index in range(16):
        agent = {"name": f"A{index:02d}", "capacity": rng.choice([10, 20, 30, 40]), "presence": rng.choice(PRESENCES)}
        if not version_1:
            agent["skills"] = {s: rng.choice(LEVELS) for s in SKILLS if rng.random() < 0.7}
            if rng.random() < 0.4:
                agent["capacity_profiles"] = {"Chat": rng.randint(1, 3)}
        agents.append(agent)
    names = [a["name"] for a in agents]
    queues = [{"name": f"Q{q}", "agents": rng.sample(names, rng.randint(1, 10))} for q in range(3)]
    streams = []
    for s in range(3):
        stream = {"name": f"S{s}", "channel": "live_chat", "capacity": rng.choice([10, 20]),
                  "notification": rng.choice(["screen_pop_decline", "direct_open"]), "screen_pop_timeout_s": 30,
                  "assign_after_decline_s": rng.choice([0, 20]), "wrap_up_block_s": rng.choice([0, 15]),
                  "allowed_presences": ["available", "busy"], "default_queue": f"Q{s}",
                  "context_variables": [{"display_name": "Topic", "name": "topic"}]}
        if not version_1:
            stream["skill_matching"] = rng.choice(["exact", "closest", "none"])
            stream["classification_rules"] = [
                {"name": skill, "skills": {skill: rng.choice(LEVELS)},
                 "condition": {"all": [{"variable": "topic", "operator": "eq", "value": skill}]}} for skill in SKILLS]
            if rng.random() < 0.5:
                stream.update(capacity_format="profile", capacity_profile="Chat")
        streams.append(stream)
    doc = {"format": "workstream-console/config", "version": 1, "agents": agents, "queues": queues,
           "workstreams": streams}
    if not version_1:
        for queue in queues:
            queue.update(assignment_method=rng.choice(METHODS), priority=rng.randint(1, 3))
        doc.update(version=2, rating_models=[{"name": "P", "values": LEVELS}],
                   skills=[{"name": s, "rating_model": "P"} for s in SKILLS],
                   capacity_profiles=[{"name": "Chat", "work_item_limit": 2}])
    return doc


def play(doc: dict, rng: random.Random, steps: int = 500) -> None:
    clock = VirtualClock(0)
    simulator = Simulator(doc, clock)
    agents = [a["name"] for a in doc["agents"]]
    live: list[str] = []
    for step in range(steps):
        clock.advance(rng.choice([0, 0, 1, 5, 20]))
        simulator.tick()
        action = rng.random()
        if action < 0.35:
            simulator.add_conversation(f"c{step}", f"S{rng.randrange(3)}", {"topic": rng.choice(SKILLS + ["x"])})
            live.append(f"c{step}")
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


@pytest.mark.parametrize("seed", range(10))
def test_every_version_2_choice_matches_the_rules_read_brute_force(seed, monkeypatch):
    rng = random.Random(seed)
    original = Simulator._best_agent
    seen: dict[str, int] = {}

    def checked(self, conv):
        chosen = original(self, conv)
        expected = reference(self, conv)
        assert chosen == expected, (chosen[0] and chosen[0].name, expected[0] and expected[0].name)
        kind = f"{conv.queue.method}/{conv.stream.skill_matching if conv.requirements else 'none'}"
        seen[kind] = seen.get(kind, 0) + 1
        return chosen

    monkeypatch.setattr(Simulator, "_best_agent", checked)
    play(world(rng, version_1=False), rng)
    assert sum(seen.values()) > 100 and len(seen) >= 3, seen


def test_the_member_scan_agrees_with_todays_heap_for_version_1(monkeypatch):
    original = Simulator._best_agent
    checks = 0

    def checked(self, conv):
        nonlocal checks
        chosen = original(self, conv)
        assert chosen == self._best_agent_by_scan(conv)
        checks += 1
        return chosen

    monkeypatch.setattr(Simulator, "_best_agent", checked)
    for seed in range(6):
        rng = random.Random(100 + seed)
        play(world(rng, version_1=True), rng)
    assert checks > 300

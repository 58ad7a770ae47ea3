"""Burst contexts a class can watch each rule catch: every rule of the demo streams fires."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from app.config.demo import demo_document
from app.routing.router import coerce_context
from app.simulation.burst import ContextMaker
from app.simulation.engine import Simulator, normalize_config
from app.simulation.clock import VirtualClock


@pytest.fixture(scope="module")
def config():
    return normalize_config(demo_document())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_rule_and_the_default_route_catch_some_of_a_burst(config, seed):
    simulator = Simulator(config, VirtualClock(0))
    for stream in config["workstreams"]:
        maker = ContextMaker(stream)
        rng = random.Random(seed)
        contexts = maker.contexts(4 * (len(maker.rules) + 1), rng)
        caught = Counter()
        for number, context in enumerate(contexts):
            conv_id = f"{stream['name']}-{number}"
            simulator.add_conversation(conv_id, stream["name"], context)
            view = simulator.conversation(conv_id)
            assert view is not None, f"{stream['name']}: {context} was refused"
            caught[view.rule if not view.fallback else None] += 1
        wanted = {rule["name"] for rule in maker.rules} | {None}
        assert set(caught) == wanted, f"{stream['name']}: {dict(caught)}"


def test_values_are_typed_and_plausible(config):
    stream = next(ws for ws in config["workstreams"] if ws["name"] == "Chat - Retail banking")
    maker = ContextMaker(stream)
    rng = random.Random(5)
    types = {v["name"]: v["type"] for v in stream["context_variables"]}
    for context in maker.contexts(60, rng):
        assert coerce_context(stream, context) == context  # already the right types
        for name, value in context.items():
            assert isinstance(value, (int, float)) if types[name] == "number" else isinstance(value, str) and value
    tiers = {c.get("customertier") for c in maker.contexts(60, random.Random(6))} - {None}
    assert {"Gold", "Platinum"} & tiers and tiers <= {"Standard", "Silver", "Gold", "Platinum"}


def test_the_same_seed_gives_the_same_contexts(config):
    stream = config["workstreams"][0]
    assert ContextMaker(stream).contexts(20, random.Random(9)) == ContextMaker(stream).contexts(20, random.Random(9))


def test_queue_counts_agree_with_the_queue_views(config):
    simulator = Simulator(config, VirtualClock(0))
    stream = next(ws for ws in config["workstreams"] if ws["name"] == "Chat - Retail banking")
    for number, context in enumerate(ContextMaker(stream).contexts(40, random.Random(4))):
        simulator.add_conversation(f"c{number}", stream["name"], context)
    for view in simulator.queues():
        assert simulator.queue_counts(view.name) == (len(view.waiting), len(view.open_work_items))
    assert any(simulator.queue_counts(v.name)[0] for v in simulator.queues())  # some are waiting
    assert simulator.queue_counts("no such queue") is None

"""app.config.generate: large configurations for benchmarks and File → Generate sample."""
from __future__ import annotations

import pytest

from app.config.document import validate_document
from app.config.generate import MAX_STREAMS, count_objects, generate, sample_preset


def test_the_same_seed_gives_the_same_document_and_another_seed_another():
    preset = sample_preset(12, variables=4, rules=6)
    assert generate(preset, seed=7) == generate(preset, seed=7)
    assert generate(preset, seed=7) != generate(preset, seed=8)


def test_a_generated_document_is_valid_and_as_large_as_asked():
    preset = sample_preset(30, variables=4, rules=5)
    doc = generate(preset, seed=1)
    validate_document(doc)  # raises DocumentInvalid with every problem if not
    assert len(doc["workstreams"]) == 30
    assert all(len(w["routing_rules"]) == 5 and len(w["context_variables"]) == 4 for w in doc["workstreams"])
    assert count_objects(doc) == (len(doc["presences"]) + len(doc["agents"]) + len(doc["queues"]) + 30
                                  + 30 * (5 + 4) + sum(len(w["channels"]) for w in doc["workstreams"]))
    ids = [obj["id"] for kind in ("presences", "agents", "queues", "workstreams") for obj in doc[kind]]
    assert len(ids) == len(set(ids))


def test_progress_is_reported_while_generating():
    seen = []
    generate(sample_preset(600, variables=0, rules=0), progress=lambda step, done, total: seen.append((done, total)))
    assert seen == [(0, 600), (250, 600), (500, 600)]


@pytest.mark.parametrize("arguments", [(0,), (MAX_STREAMS + 1,), (5, -1), (5, 2, -3)])
def test_a_preset_out_of_range_is_refused(arguments):
    with pytest.raises(ValueError):
        sample_preset(*arguments)

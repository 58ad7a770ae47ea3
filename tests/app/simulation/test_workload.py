"""The workload model is read strictly: every problem is one line naming its place."""
from __future__ import annotations

import pytest

from app.common.errors import UserError
from app.simulation.engine import normalize_config
from app.simulation.workload import check_workload, model_json, parse_distribution, parse_workload

CONFIG = normalize_config({
    "format": "workstream-console/config", "version": 1,
    "presences": [{"name": "Lunch", "base": "away"}],
    "agents": [{"name": "Ana"}, {"name": "Ben"}],
    "queues": [{"name": "General", "agents": ["Ana", "Ben"]}],
    "workstreams": [{"name": "Chat", "channel": "live_chat", "default_queue": "General",
                     "context_variables": [{"display_name": "Tier", "name": "tier", "type": "text"},
                                           {"display_name": "Amount", "name": "amount", "type": "number"}]}],
})


def model(**changes) -> dict:
    base = {"format": "workstream-console/workload", "version": 1, "seed": 3, "duration_s": 3600,
            "arrivals": [{"workstream": "Chat", "per_hour": 30, "handle_time_s": {"exponential": 300}}]}
    base.update(changes)
    return base


def arrivals(**changes) -> list[dict]:
    return [{"workstream": "Chat", "per_hour": 30, "handle_time_s": {"exponential": 300}, **changes}]


def test_a_full_model_reads_and_round_trips():
    data = model(warmup_s=600, service_level_s=20, replications=4, interval_s=300, arrivals=arrivals(
        profile=[[0, 0.5], [1800, 2]], patience_s={"lognormal": [120, 60]},
        idle={"probability": 0.1, "after_s": {"fixed": 30}},
        context={"tier": {"weights": {"gold": 1, "silver": 3}}, "Amount": {"normal": [100, 20]}}),
        agents={"default": {"accept": 0.8, "decline": 0.1, "response_s": {"exponential": 6}},
                "ana": {"presence": [[600, "Lunch"], [1200, "Available"]]}})
    checked = check_workload(parse_workload(data), CONFIG)
    assert checked.streams[0][1] == "Chat"
    assert [mix.variable for mix in checked.streams[0][2]] == ["tier", "amount"]
    assert checked.presence_plan == ((600, "Ana", "Lunch"), (1200, "Ana", "Available"))
    again = model_json(parse_workload(model_json(parse_workload(data))))
    assert again == model_json(parse_workload(data))
    assert again["arrivals"][0]["patience_s"] == {"lognormal": [120, 60]}


@pytest.mark.parametrize("data, message", [
    ([], "the workload model must be a JSON object"),
    (model(format="workstream-console/config"), "format: expected 'workstream-console/workload'"),
    (model(version=2), "version: unsupported version 2"),
    (model(extra=1), "extra: unknown field"),
    (model(duration_s="3600"), "duration_s: Input should be a valid number"),
    (model(duration_s=0), "duration_s: Input should be greater than 0"),
    (model(warmup_s=3600), "warmup_s: must be shorter than duration_s (3600)"),
    (model(seed=True), "seed: Input should be a valid integer"),
    (model(replications=0), "replications: Input should be greater than or equal to 1"),
    (model(arrivals=arrivals(per_hour=-1)), "arrivals[0].per_hour: Input should be greater than or equal to 0"),
    (model(arrivals=arrivals(handle_time_s={"gamma": 3})), "arrivals[0].handle_time_s: unknown distribution 'gamma'"),
    (model(arrivals=arrivals(handle_time_s={"lognormal": [0, 1]})),
     "arrivals[0].handle_time_s: lognormal: must be [MEAN, SD] with MEAN > 0"),
    (model(arrivals=arrivals(patience_s=5)), "arrivals[0].patience_s: expected one of"),
    (model(arrivals=arrivals(profile=[[10, 1], [5, 2]])), "arrivals[0].profile: step 1: steps must start at increasing"),
    (model(arrivals=arrivals(idle={"probability": 2, "after_s": {"fixed": 1}})),
     "arrivals[0].idle.probability: Input should be less than or equal to 1"),
    (model(agents={"default": {"accept": 0.8, "decline": 0.3}}),
     "agents.default: accept + decline must be at most 1"),
    (model(agents={"default": {"presence": [[5, 7]]}}), "agents.default.presence: step 0: expected [AT_S"),
])
def test_schema_problems_are_one_line_naming_the_place(data, message):
    with pytest.raises(UserError) as raised:
        parse_workload(data)
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("changes, message", [
    ({"arrivals": arrivals(workstream="Email")}, "arrivals[0].workstream: unknown work stream 'Email'"),
    ({"arrivals": arrivals() + arrivals()}, "arrivals[1].workstream: 'Chat' already has arrivals (arrivals[0])"),
    ({"arrivals": arrivals(context={"colour": {"weights": {"red": 1}}})},
     "arrivals[0].context.colour: unknown context variable of 'Chat'"),
    ({"arrivals": arrivals(context={"tier": {"uniform": [1, 2]}})},
     "arrivals[0].context.tier: uniform: a text variable takes only"),
    ({"arrivals": arrivals(context={"amount": {"weights": {"lots": 1}}})},
     "arrivals[0].context.amount: weights.lots: 'lots' is not a number"),
    ({"arrivals": arrivals(context={"amount": {"uniform": [5, 1]}})},
     "arrivals[0].context.amount: uniform: LOW must not be above HIGH"),
    ({"arrivals": arrivals(context={"tier": {"weights": {"a": 0}}})},
     "arrivals[0].context.tier: weights: at least one weight must be above 0"),
    ({"agents": {"Zed": {"accept": 1}}}, "agents.Zed: unknown agent"),
    ({"agents": {"Ben": {"presence": [[5, "Nap"]]}}}, "agents.Ben.presence[0]: unknown presence 'Nap'"),
])
def test_names_are_checked_against_the_configuration(changes, message):
    with pytest.raises(UserError) as raised:
        check_workload(parse_workload(model(**changes)), CONFIG)
    assert str(raised.value).startswith(message)


def test_distributions_have_the_means_they_say():
    import random
    import statistics

    rng = random.Random(5)
    for spec, mean in (({"exponential": 50}, 50), ({"lognormal": [50, 30]}, 50), ({"fixed": 7}, 7)):
        draw = parse_distribution(spec).sampler()
        assert statistics.fmean(draw(rng) for _ in range(20_000)) == pytest.approx(mean, rel=0.03)
    lognormal = parse_distribution({"lognormal": [50, 30]}).sampler()
    assert statistics.stdev(lognormal(rng) for _ in range(20_000)) == pytest.approx(30, rel=0.08)


def test_the_starting_model_draws_the_values_classification_rules_and_splits_read():
    """Version 2: the skills' rules get their values too, and a percentage split's queues count as the stream's."""
    from app.simulation.workload import default_model
    from tests.app.simulation.test_whatif_v2 import config

    doc = config()
    doc["workstreams"][0]["routing_rules"].append(
        {"name": "Split", "condition": {"all": [{"variable": "topic", "operator": "eq", "value": "split"}]},
         "queues": [{"queue": "Desk", "percent": 50}, {"queue": "General", "percent": 50}]})
    model = default_model(normalize_config(doc))
    weights = model["arrivals"][0]["context"]["topic"]["weights"]
    assert set(weights) == {"mortgage", "split", "both", "other"}  # "both" only a classification rule names
    assert model["arrivals"][0]["per_hour"] > 0
    parse_workload(model)

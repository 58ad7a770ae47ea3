"""The what-if lab: determinism, common random numbers, the figures' meaning, staffing, the live player."""
from __future__ import annotations

import copy
import json

import pytest

from app.common.errors import UserError
from app.simulation.clock import VirtualClock
from app.simulation.engine import Simulator
from app.simulation.whatif import (
    CONVERSATION_FIGURES, WorkloadPlayer, compare, prepare, run_model, run_once, solve_agents, with_queue_size,
)


def config(*, agents: int = 3, notification: str = "screen_pop_decline", auto_close_s: int = 0,
           mode: str = "push", capacity: int = 10) -> dict:
    names = [f"Agent {i}" for i in range(1, agents + 1)]
    return {
        "format": "workstream-console/config", "version": 1,
        "presences": [{"name": "Lunch", "base": "away"}],
        "agents": [{"name": name, "capacity": capacity} for name in names],
        "queues": [{"name": "General", "agents": names}, {"name": "VIP", "agents": names[-1:]}],
        "workstreams": [{
            "name": "Chat", "channel": "live_chat", "capacity": 10, "notification": notification,
            "distribution_mode": mode, "screen_pop_timeout_s": 60, "auto_close_after_inactivity_s": auto_close_s,
            "default_queue": "General",
            "context_variables": [{"display_name": "Tier", "name": "tier", "type": "text"}],
            "routing_rules": [{"name": "Gold", "queue": "VIP",
                               "condition": {"all": [{"variable": "tier", "operator": "eq", "value": "gold"}]}}],
        }],
    }


def model(**changes) -> dict:
    data = {
        "format": "workstream-console/workload", "version": 1, "seed": 42, "duration_s": 7200, "warmup_s": 600,
        "interval_s": 1800,
        "arrivals": [{"workstream": "Chat", "per_hour": 30, "handle_time_s": {"exponential": 240},
                      "patience_s": {"exponential": 300},
                      "context": {"tier": {"weights": {"gold": 1, "silver": 3}}}}],
        "agents": {"default": {"accept": 0.85, "decline": 0.1, "response_s": {"exponential": 10}}},
    }
    data.update(changes)
    return data


def figures_of(config_doc: dict, model_doc: dict, replications: int | None = None) -> dict:
    normalized, workload = prepare(config_doc, model_doc)
    return run_model(normalized, workload, replications).figures


def test_the_same_model_and_seed_give_the_same_bytes():
    first = json.dumps(figures_of(config(), model()), sort_keys=True)
    assert json.dumps(figures_of(config(), model()), sort_keys=True) == first
    assert json.dumps(figures_of(config(), model(seed=43)), sort_keys=True) != first


def test_the_figures_add_up():
    totals = figures_of(config(), model())["totals"]
    assert set(CONVERSATION_FIGURES) <= set(totals)
    assert totals["arrived"] == totals["answered"] + totals["abandoned"] + totals["waiting_at_end"]
    # every offer is accepted, declined or expired, but for the few outstanding or withdrawn at the end
    outstanding = totals["offers"] - totals["accepted"] - totals["declined"] - totals["expired"]
    assert 0 <= outstanding <= totals["abandoned"] + totals["waiting_at_end"]
    assert totals["accepted"] == totals["answered"]  # pops: every answer is an accepted offer
    assert totals["declined"] > 0 and totals["expired"] > 0 and totals["reoffers_per_conversation"] > 0
    assert 0 < totals["service_level"] < 1 and totals["wait_p50_s"] <= totals["wait_p90_s"] <= totals["wait_p95_s"]
    assert totals["abandon_rate"] == pytest.approx(totals["abandoned"] / (totals["answered"] + totals["abandoned"]))


def test_sections_split_the_totals():
    figures = figures_of(config(), model())
    assert set(figures) == {"totals", "workstreams", "queues", "agents", "skills", "overflow"}
    queues = figures["queues"]
    assert queues["General"]["arrived"] + queues["VIP"]["arrived"] == figures["totals"]["arrived"]
    assert figures["workstreams"]["Chat"]["arrived"] == figures["totals"]["arrived"]
    assert sum(row["answered"] for row in figures["agents"].values()) == figures["totals"]["answered"]
    # gold customers (a quarter) go to VIP, served by one agent
    assert queues["VIP"]["arrived"] < queues["General"]["arrived"]


def test_compare_with_itself_gives_all_zero_deltas():
    normalized, workload = prepare(config(), model())
    result, _a, _b = compare(normalized, normalized, workload, workload)
    numbers = [value for section in ("workstreams", "queues", "agents")
               for row in result["delta"][section].values() for value in row.values()]
    numbers += list(result["delta"]["totals"].values())
    assert numbers and all(value in (0, None) for value in numbers)
    assert result["a"] == result["b"]


def test_compare_uses_common_random_numbers():
    """More agents: the same conversations arrive (same count, same contexts), only waiting changes."""
    normalized_a, workload_a = prepare(config(agents=2), model())
    normalized_b, workload_b = prepare(config(agents=6), model())
    result, _, _ = compare(normalized_a, normalized_b, workload_a, workload_b)
    assert result["delta"]["totals"]["arrived"] == 0
    assert result["delta"]["queues"]["VIP"]["arrived"] == 0
    assert result["delta"]["totals"]["asa_s"] < 0  # six agents answer faster than two
    assert set(result["b"]["agents"]) - set(result["a"]["agents"]) == {"Agent 3", "Agent 4", "Agent 5", "Agent 6"}


def test_replications_give_a_mean_and_a_ci_around_it():
    totals = figures_of(config(), model(), replications=5)["totals"]
    for name in ("arrived", "service_level", "asa_s"):
        low, high = totals[name]["ci95"]
        assert low < totals[name]["mean"] < high


def test_nobody_answering_means_every_pop_expires_and_everyone_abandons():
    data = model(agents={"default": {"accept": 0, "decline": 0}})
    totals = figures_of(config(), data)["totals"]
    assert totals["answered"] == 0 and totals["accepted"] == 0 and totals["declined"] == 0
    assert totals["expired"] > totals["arrived"]  # offered round and round until patience runs out
    assert totals["abandon_rate"] == 1 and totals["service_level"] == 0


def test_declines_only_where_the_stream_allows_them():
    data = model(agents={"default": {"accept": 0.5, "decline": 0.5}})
    assert figures_of(config(notification="screen_pop_decline"), data)["totals"]["declined"] > 0
    # a pop with timeout cannot be declined: the agent leaves it to expire instead
    timeout_only = figures_of(config(notification="screen_pop_timeout"), data)["totals"]
    assert timeout_only["declined"] == 0 and timeout_only["expired"] > 0


def test_direct_open_answers_at_once_when_someone_is_free():
    data = model(arrivals=[{"workstream": "Chat", "per_hour": 2, "handle_time_s": {"fixed": 60}}])
    totals = figures_of(config(notification="direct_open"), data)["totals"]
    assert totals["offers"] == 0 and totals["answered"] > 0
    assert totals["asa_s"] == 0 and totals["service_level"] == 1 and totals["aht_s"] == 60


def test_an_agent_away_answers_nothing_and_is_not_counted_occupied():
    data = model(agents={"default": {"accept": 1}, "Agent 2": {"presence": [[0, "Lunch"]]}})
    agents = figures_of(config(), data)["agents"]
    assert agents["Agent 2"]["answered"] == 0 and agents["Agent 2"]["offers"] == 0
    assert agents["Agent 2"]["occupancy"] is None  # never in an allowed presence
    assert agents["Agent 1"]["occupancy"] > 0


def test_idle_customers_are_auto_closed_by_the_stream():
    data = model(arrivals=[{"workstream": "Chat", "per_hour": 10, "handle_time_s": {"fixed": 600},
                            "idle": {"probability": 1, "after_s": {"fixed": 30}}}],
                 agents={"default": {"accept": 1}})
    with_auto_close = figures_of(config(auto_close_s=60), data)["totals"]
    assert with_auto_close["aht_s"] == pytest.approx(90)  # quiet after 30 s, closed 60 s later
    without = figures_of(config(auto_close_s=0), data)["totals"]
    assert without["aht_s"] == pytest.approx(600)


def test_pick_mode_conversations_are_picked_by_members_with_room():
    data = model(arrivals=[{"workstream": "Chat", "per_hour": 20, "handle_time_s": {"exponential": 200}}])
    totals = figures_of(config(mode="pick"), data)["totals"]
    assert totals["answered"] > 0 and totals["offers"] == 0


def test_series_cover_every_interval():
    normalized, workload = prepare(config(), model())
    series = run_once(normalized, workload).series
    assert series["interval_end_s"] == [1800, 3600, 5400, 7200]
    assert set(series["waiting"]) == {"General", "VIP"}
    assert all(len(values) == 4 for values in series["occupancy"].values())
    assert sum(series["arrived"]) > 0


def test_with_queue_size_copies_members_in_turn():
    doc = prepare(config(agents=2), model())[0]
    grown = with_queue_size(doc, "general", 5)
    queue = next(q for q in grown["queues"] if q["name"] == "General")
    assert queue["agents"] == ["Agent 1", "Agent 2", "Agent 1 (2)", "Agent 2 (2)", "Agent 1 (3)"]
    assert len(grown["agents"]) == 5
    assert next(q for q in with_queue_size(doc, "General", 1)["queues"] if q["name"] == "General")["agents"] == [
        "Agent 1"]
    with pytest.raises(UserError, match="unknown queue 'Nope'"):
        with_queue_size(doc, "Nope", 3)


def test_solve_agents_finds_the_fewest_reaching_the_target():
    data = model(duration_s=14_400, warmup_s=1800,
                 arrivals=[{"workstream": "Chat", "per_hour": 60, "handle_time_s": {"exponential": 300}}],
                 agents={"default": {"accept": 1}})
    normalized, workload = prepare(config(agents=2, notification="direct_open"), data)
    staffing = solve_agents(normalized, workload, "General", 0.8)
    results = dict(staffing.tried)
    assert results[staffing.agents] >= 0.8
    assert results[staffing.agents - 1] < 0.8  # one fewer misses it
    assert staffing.figures["queues"]["General"]["service_level"] >= 0.8
    assert abs(staffing.estimate - staffing.agents) <= 2  # Erlang C starts close


def test_the_player_plays_live_on_any_clock():
    """The panel's way: actions due by the clock's time are played at each tick."""
    normalized, workload = prepare(config(), model(duration_s=1800, warmup_s=0))
    clock = VirtualClock(0)
    simulator = Simulator(normalized, clock)
    events = []
    simulator.subscribe(events.append)
    player = WorkloadPlayer(simulator, workload, normalized)
    for tick in range(1, 1801):  # a one-second tick for half an hour
        clock.set(tick)
        simulator.tick()
        player.play_due(clock.now())
    player.close()
    kinds = {event["event"] for event in events}
    assert {"routed", "offered", "accepted", "closed"} <= kinds
    assert not any(event["event"] == "action_rejected" for event in events)
    assert player.next_action_at() is None or player.next_action_at() > 1800


def test_a_model_does_not_change_the_configuration_it_runs_on():
    doc = config()
    before = copy.deepcopy(doc)
    figures_of(doc, model())
    assert doc == before


def test_charts_and_report_are_well_formed_xml():
    from xml.etree import ElementTree

    from app.simulation.report import charts, html_report

    normalized, workload = prepare(config(), model())
    result = run_model(normalized, workload)
    for svg in charts(result.figures, result.series):
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg") and root.get("width") == "560"
    page = html_report("t", [("A", result.figures, result.series)])
    assert page.count("<svg") == 3 and "Service level" in page


def test_the_player_can_start_later_on_a_running_simulation():
    """A panel plays a model from its current time: the model's t=0 falls on start_s."""
    normalized, workload = prepare(config(), model(duration_s=1800, warmup_s=0))
    clock = VirtualClock(0)
    simulator = Simulator(normalized, clock)
    simulator.add_conversation("w1", "Chat", {})  # the panel's own conversation, with a clashing id
    clock.set(5000)
    simulator.tick()
    events = []
    simulator.subscribe(events.append)
    player = WorkloadPlayer(simulator, workload, normalized, start_s=5000, id_prefix="wl-")
    assert 5000 <= player.next_action_at() < 6800
    for tick in range(5001, 6801):
        clock.set(tick)
        simulator.tick()
        player.play_due(clock.now())
    player.close()
    routed = [event for event in events if event["event"] == "routed"]
    assert routed and all(event["conversation"].startswith("wl-") for event in routed)
    assert all(5000 <= event["t"] <= 6800 for event in routed)
    assert not any(event["event"] == "action_rejected" for event in events)


def test_progress_covers_every_replication_so_a_cancel_is_heard_between_short_ones():
    """A short replication reports only its end; with N of them that end is not the end of the work."""
    normalized, workload = prepare(config(), model(duration_s=600, warmup_s=0))
    heard: list[tuple] = []
    run_model(normalized, workload, replications=3, progress=lambda step, done, total: heard.append((done, total)))
    assert heard == [(600, 1800), (1200, 1800), (1800, 1800)]

    class Stop(Exception):
        pass

    def cancelled_after_the_first(step, done, total):
        if done >= 600 and done < total:  # what ui.common.background's report does once Cancel is pressed
            raise Stop()

    with pytest.raises(Stop):
        run_model(normalized, workload, replications=3, progress=cancelled_after_the_first)

"""The what-if lab on document version 2: a start for operating hours, customers coming back
(reconnect), figures per skill and per overflow action."""
from __future__ import annotations

import json

import pytest

from app.common.errors import UserError
from app.simulation.whatif import OVERFLOW_ACTIONS, SKILL_FIGURES, compare, prepare, run_model, run_once
from app.simulation.workload import parse_workload
from tests.app.simulation.test_distribution import CLASSIFY, OFFICE, agent, document, stream, topic_is

MONDAY_0800 = "2026-12-07T08:00:00"  # Desk opens at 09:00 London time


def config(overflow=None, **ws) -> dict:
    """Mortgage questions go to Desk (Ana, office hours); the rest to General (Ben, Cy)."""
    overflow = overflow if overflow is not None else [{"when": "closed", "action": "transfer", "queue": "General"}]
    ws = {"notification": "direct_open", **ws}
    return document(stream(default_queue="General", capacity=50,
                           classification_rules=CLASSIFY, skill_matching="none",
                           routing_rules=[{"name": "Desk", "queue": "Desk", "condition": topic_is("mortgage")}], **ws),
                    agents=[agent("Ana"), agent("Ben"), agent("Cy")],
                    queues=[{"name": "Desk", "agents": ["Ana"], "operating_hours": OFFICE, "overflow": overflow},
                            {"name": "General", "agents": ["Ben", "Cy"]}])


def model(**changes) -> dict:
    data = {"format": "workstream-console/workload", "version": 1, "seed": 5, "start": MONDAY_0800,
            "duration_s": 7200, "service_level_s": 60,
            "arrivals": [{"workstream": "Chat", "per_hour": 60, "handle_time_s": {"exponential": 200},
                          "context": {"topic": {"weights": {"mortgage": 1, "both": 1, "other": 2}}}}]}
    data.update(changes)
    return data


def figures_of(config_doc: dict, model_doc: dict, replications: int | None = None) -> dict:
    normalized, workload = prepare(config_doc, model_doc)
    return run_model(normalized, workload, replications).figures


def test_the_new_sections_sit_beside_the_old_ones_whose_names_do_not_change():
    figures = figures_of(config(), model())
    assert list(figures) == ["totals", "workstreams", "queues", "agents", "skills", "overflow"]
    assert list(figures["skills"]) == ["Mortgages", "French"]  # the configuration's order
    assert all(list(row) == list(SKILL_FIGURES) for row in figures["skills"].values())
    assert list(figures["overflow"]) == ["Desk"] and list(figures["overflow"]["Desk"]) == list(OVERFLOW_ACTIONS)


def test_per_skill_figures_count_the_conversations_that_required_the_skill():
    figures = figures_of(config(), model())
    mortgages, french = figures["skills"]["Mortgages"], figures["skills"]["French"]
    # "mortgage" and "both" require Mortgages (about half the arrivals), only "both" French
    assert french["arrived"] < mortgages["arrived"] < figures["totals"]["arrived"]
    assert french["arrived"] > 0
    for row in (mortgages, french):
        assert row["answered"] + row["abandoned"] <= row["arrived"]
        assert 0 <= row["service_level"] <= 1 and row["asa_s"] >= 0


def test_operating_hours_follow_the_start_closed_desk_transfers_until_nine():
    """From 08:00 the Desk is closed for an hour: its conversations are transferred to General."""
    figures = figures_of(config(), model())
    transfers = figures["overflow"]["Desk"]["transfer"]
    assert transfers > 0 and figures["overflow"]["Desk"]["end"] == 0
    # the queue figures follow the transfer: General got them, Desk kept the ones after nine
    assert figures["queues"]["Desk"]["arrived"] + figures["queues"]["General"]["arrived"] == figures["totals"]["arrived"]
    assert figures["queues"]["Desk"]["arrived"] > 0  # 09:00-10:00 the Desk is open
    later = figures_of(config(), model(start="2026-12-07T09:00:00"))
    assert later["overflow"]["Desk"]["transfer"] == 0  # open the whole run: nothing transferred
    sunday = figures_of(config(), model(start="2026-12-06T09:00:00"))
    assert sunday["queues"]["Desk"]["arrived"] == 0  # closed all Sunday: everything went to General


def test_without_a_start_every_queue_is_open_and_nothing_overflows():
    figures = figures_of(config(), model(start=None))
    assert figures["overflow"]["Desk"] == {action: 0 for action in OVERFLOW_ACTIONS}


def test_overflow_end_neither_answers_nor_abandons():
    ended = [{"when": "closed", "action": "end", "reason": "closed"}]
    figures = figures_of(config(overflow=ended), model())
    totals, desk = figures["totals"], figures["queues"]["Desk"]
    assert figures["overflow"]["Desk"]["end"] > 0
    assert totals["abandoned"] == 0  # nobody gave up: the rule ended them
    assert totals["arrived"] == (totals["answered"] + totals["abandoned"] + totals["waiting_at_end"]
                                 + figures["overflow"]["Desk"]["end"])
    assert desk["answered"] < desk["arrived"]


def test_customers_coming_back_add_agent_time_but_not_arrivals():
    plain = figures_of(config(reconnect_window_s=600), model(start=None))
    back = model(start=None)
    back["arrivals"][0]["reconnect"] = {"probability": 0.5, "after_s": {"fixed": 60}}
    again = figures_of(config(reconnect_window_s=600), back)
    # common random numbers: the same first arrivals (a return is not a new arrival) ...
    assert again["totals"]["arrived"] == plain["totals"]["arrived"]
    totals = again["totals"]
    assert totals["arrived"] == totals["answered"] + totals["abandoned"] + totals["waiting_at_end"]
    # ... the agents busier with the returning half, so first contacts wait longer
    assert totals["occupancy"] > plain["totals"]["occupancy"] * 1.2
    assert totals["asa_s"] > plain["totals"]["asa_s"]


def test_reconnect_is_deterministic_and_compare_with_itself_is_zero():
    back = model()
    back["arrivals"][0]["reconnect"] = {"probability": 0.3, "after_s": {"exponential": 120}}
    first = json.dumps(figures_of(config(reconnect_window_s=300), back), sort_keys=True)
    assert json.dumps(figures_of(config(reconnect_window_s=300), back), sort_keys=True) == first
    normalized, workload = prepare(config(reconnect_window_s=300), back)
    result, _a, _b = compare(normalized, normalized, workload, workload)
    assert all(value in (0, None) for row in result["delta"]["overflow"].values() for value in row.values())
    assert all(value in (0, None) for row in result["delta"]["skills"].values() for value in row.values())


def test_replications_give_a_mean_and_ci_for_the_new_figures_too():
    figures = figures_of(config(), model(), replications=3)
    assert set(figures["skills"]["Mortgages"]["arrived"]) == {"mean", "ci95"}
    assert set(figures["overflow"]["Desk"]["transfer"]) == {"mean", "ci95"}


def test_a_version_1_configuration_gives_empty_new_sections():
    from tests.app.simulation.test_whatif import config as v1_config, model as v1_model
    figures = figures_of(v1_config(), v1_model())
    assert figures["skills"] == {} and figures["overflow"] == {}


@pytest.mark.parametrize("changes, message", [
    ({"start": "next monday"}, "start: 'next monday' is not a date-time"),
    ({"start": 20261207}, "start: must be a local date-time"),
    ({"arrivals": [{"workstream": "Chat", "per_hour": 1, "handle_time_s": {"fixed": 1},
                    "reconnect": {"probability": 1.5, "after_s": {"fixed": 1}}}]},
     "arrivals[0].reconnect.probability:"),
    ({"arrivals": [{"workstream": "Chat", "per_hour": 1, "handle_time_s": {"fixed": 1},
                    "reconnect": {"probability": 0.5, "after_s": {"weibull": 1}}}]},
     "arrivals[0].reconnect.after_s: unknown distribution 'weibull'"),
    ({"arrivals": [{"workstream": "Chat", "per_hour": 1, "handle_time_s": {"fixed": 1},
                    "reconnect": {"probability": 0.5}}]},
     "arrivals[0].reconnect.after_s:"),
    ({"arrivals": [{"workstream": "Chat", "per_hour": 1, "handle_time_s": {"fixed": 1},
                    "reconnect": {"probability": 0.5, "after_s": {"fixed": 1}, "window": 3}}]},
     "arrivals[0].reconnect.window: unknown field"),
])
def test_start_and_reconnect_are_read_strictly_with_their_paths(changes, message):
    with pytest.raises(UserError) as caught:
        parse_workload(model(**changes))
    assert str(caught.value).startswith(message)


def test_the_start_and_reconnect_survive_a_save():
    from app.simulation.workload import model_json
    back = model()
    back["arrivals"][0]["reconnect"] = {"probability": 0.25, "after_s": {"lognormal": [90, 30]}}
    saved = model_json(parse_workload(back))
    assert saved["start"] == MONDAY_0800
    assert saved["arrivals"][0]["reconnect"] == {"probability": 0.25, "after_s": {"lognormal": [90, 30]}}
    assert parse_workload(saved) == parse_workload(back)


def test_series_cover_transfers_without_losing_count():
    normalized, workload = prepare(config(), model())
    series = run_once(normalized, workload).series
    assert all(count >= 0 for counts in series["waiting"].values() for count in counts if count is not None)
    assert sum(series["arrived"]) >= figures_of(config(), model())["totals"]["arrived"]

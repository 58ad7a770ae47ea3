"""The live agent panel plays a what-if workload model from its "Open scenario…" button."""
from __future__ import annotations

import json

import pytest

from ui.panel.agent_panel import AgentPanel
from ui.whatif import panel_player
from tests.helpers.clocks import FakeWallClock

RETAIL = "Chat - Retail banking"


@pytest.fixture
def wall():
    return FakeWallClock()


@pytest.fixture
def panel(qtbot, services, wall):
    widget = AgentPanel(services, time_source=wall)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def model(**changes) -> dict:
    data = {"format": "workstream-console/workload", "version": 1, "seed": 3, "duration_s": 1800,
            "arrivals": [{"workstream": RETAIL, "per_hour": 240, "handle_time_s": {"fixed": 120}}],
            "agents": {"default": {"accept": 1, "response_s": {"fixed": 5}}}}
    data.update(changes)
    return data


def play_for(qtbot, panel, wall, seconds: int) -> None:
    for _ in range(seconds):
        wall.now += 1
        panel.driver.tick()
    panel.driver.run_pending()


def test_a_workload_model_plays_on_the_live_panel(qtbot, panel, wall, answers, tmp_path):
    path = tmp_path / "busy-morning.json"
    path.write_text(json.dumps(model()), encoding="utf-8")
    assert panel.load_scenario_file(str(path))
    assert answers.asked == []
    assert panel.scenario_label.text() == "busy-morning.json: a 0.5 h workload on 1 work stream, playing"
    assert panel_player.playing(panel.driver)
    seen = []
    panel.driver.eventsEmitted.connect(seen.extend)
    play_for(qtbot, panel, wall, 120)
    routed = [e for e in seen if e["event"] == "routed"]
    assert routed and all(e["conversation"].startswith("wl") for e in routed)
    assert any(e["event"] == "accepted" for e in seen)  # the model's agents answer their pops
    panel.driver.reset()  # a fresh simulation drops the model
    assert not panel_player.playing(panel.driver)


def test_a_model_that_does_not_fit_is_refused_with_one_line(qtbot, panel, answers, tmp_path):
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(model(arrivals=[{"workstream": "Nope", "per_hour": 1,
                                                "handle_time_s": {"fixed": 1}}])), encoding="utf-8")
    assert not panel.load_scenario_file(str(path))
    assert answers.asked == [("error", "Can't play this scenario",
                              "wrong.json: arrivals[0].workstream: unknown work stream 'Nope'")]
    assert not panel_player.playing(panel.driver)

"""A running panel follows saved configuration changes at its next tick, without Refresh."""
from __future__ import annotations

import json

import pytest

from ui.panel.agent_panel import AgentPanel
from ui.panel.panel_models import EventLogModel
from tests.helpers.clocks import FakeWallClock

RETAIL = "Chat - Retail banking"


@pytest.fixture
def running(qtbot, services):
    wall = FakeWallClock()
    panel = AgentPanel(services, time_source=wall)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    panel.driver.timer.stop()  # ticks by hand
    return panel, wall


def tick(panel, wall, seconds=1.0):
    wall.now += seconds
    panel.driver.tick()
    panel.refresh_stale_cards()


def logged(panel, event):
    model = panel.log_model
    return [model.index(r, EventLogModel.DETAILS).data() for r in range(model.rowCount())
            if model.index(r, 0).data(EventLogModel.EventRole) == event]


def test_a_configuration_import_reaches_the_running_panel_at_its_next_tick(running, services, tmp_path):
    panel, wall = running
    panel.set_workstream(RETAIL)
    panel.set_field("customertier", "Gold")
    panel.send_conversation()
    tick(panel, wall, 5)
    assert "Zoe Adams" not in panel.cards
    exported = tmp_path / "config.json"
    services.export_configuration(str(exported))
    doc = json.loads(exported.read_text(encoding="utf-8"))
    doc["agents"].append({"name": "Zoe Adams", "capacity": 50, "presence": "Available"})
    vip = next(q for q in doc["queues"] if q["name"] == "VIP")
    vip["agents"].append("Zoe Adams")
    exported.write_text(json.dumps(doc), encoding="utf-8")
    preview = services.preview_configuration_import(str(exported))
    tick(panel, wall)  # a dry run writes nothing: nothing to follow
    assert "Zoe Adams" not in panel.cards and logged(panel, "configuration_changed") == []
    services.import_configuration(preview)
    assert "Zoe Adams" not in panel.cards  # not before the tick
    time_before = panel.driver.time
    tick(panel, wall)
    assert "Zoe Adams" in panel.cards and panel.groups["VIP"].members == 3
    assert panel.driver.time > time_before  # the simulation carried on, it did not start over
    lines = logged(panel, "configuration_changed")
    assert len(lines) == 1 and "1 conversation in flight ended" in lines[0]
    # The new agent is routed to at once: a Gold chat on VIP rings someone in VIP.
    panel.set_field("customertier", "Gold")
    conv = panel.send_conversation()
    assert panel.driver.simulator.conversation(conv).queue == "VIP"


def test_saving_a_presence_reaches_the_cards_with_a_line_in_the_log(running, services):
    panel, wall = running
    services.save_presence({"name": "On a break", "base": "away"})
    assert panel.cards["Ana Ruiz"].presence_combo.findText("On a break") < 0
    tick(panel, wall)
    assert len(logged(panel, "configuration_changed")) == 1
    assert panel.cards["Ana Ruiz"].presence_combo.findText("On a break") >= 0
    tick(panel, wall)  # nothing new saved: nothing reapplied
    assert len(logged(panel, "configuration_changed")) == 1

"""SimulationDriver: scaled time from a fake wall clock, batched events, bounded ticks, bursts, scenarios."""
from __future__ import annotations

import json

import pytest

from app.common.errors import UserError
from ui.panel.sim_driver import BUDGET_CHECK_EVERY, BURST_CHUNK, SPEED_PRESETS, SimulationDriver, format_clock
from tests.helpers.clocks import FakeWallClock

RETAIL = "Chat - Retail banking"
GOLD = {"customertier": "Gold"}  # routes to VIP: Ana Ruiz gets the pop first


@pytest.fixture
def demo_doc():
    from importlib import resources

    return json.loads(resources.files("resources").joinpath("demo_config.json").read_text(encoding="utf-8"))


@pytest.fixture
def wall():
    return FakeWallClock(start=1000.0)


@pytest.fixture
def driver(qtbot, demo_doc, wall):
    drv = SimulationDriver(demo_doc, time_source=wall)
    batches: list[list[dict]] = []
    drv.eventsEmitted.connect(batches.append)
    drv.batches = batches
    yield drv
    drv.close()


def events(driver, name=None):
    found = [e for batch in driver.batches for e in batch]
    return [e for e in found if name is None or e["event"] == name]


def test_format_clock():
    assert format_clock(0) == "00:00:00"
    assert format_clock(125.9) == "00:02:05"
    assert format_clock(3 * 3600 + 61) == "03:01:01"
    assert [label for label, _speed in SPEED_PRESETS] == ["Pause", "1×", "2×", "5×", "10×", "60×"]


def test_inject_emits_one_batch_with_routing_and_the_offer(driver):
    conv = driver.inject(RETAIL, GOLD)
    assert len(driver.batches) == 1
    assert [e["event"] for e in driver.batches[0]] == ["routed", "offered"]
    offered = driver.batches[0][1]
    assert offered["conversation"] == conv and offered["agent"] == "Ana Ruiz" and offered["expires_at"] == 120
    assert driver.context_of(conv) == {"customertier": "Gold"}


def test_offer_expires_at_exactly_120_simulated_seconds(driver, wall):
    conv = driver.inject(RETAIL, GOLD)
    wall.advance(119.9)
    driver.tick()
    assert driver.time == pytest.approx(119.9)
    assert not events(driver, "offer_expired")
    wall.advance(0.1)
    driver.tick()
    expired = events(driver, "offer_expired")
    assert [(e["t"], e["conversation"], e["agent"]) for e in expired] == [(120, conv, "Ana Ruiz")]


def test_one_tick_emits_one_batch_and_time_changed(qtbot, driver, wall):
    driver.inject(RETAIL, GOLD)
    driver.batches.clear()
    wall.advance(125)
    with qtbot.waitSignal(driver.timeChanged) as blocker:
        driver.tick()
    assert blocker.args == [pytest.approx(125)]
    assert len(driver.batches) == 1
    assert [e["event"] for e in driver.batches[0]] == ["offer_expired", "capacity_released", "offered"]


def test_sixty_times_makes_two_wall_seconds_120_simulated_seconds(driver, wall):
    driver.set_speed(60)
    assert driver.speed == 60 and not driver.paused
    driver.inject(RETAIL, GOLD)
    wall.advance(1.99)
    driver.tick()
    assert not events(driver, "offer_expired")
    wall.advance(0.01)
    driver.tick()
    assert driver.time == pytest.approx(120)
    assert len(events(driver, "offer_expired")) == 1


def test_pause_freezes_simulated_time_and_resume_goes_on(driver, wall):
    wall.advance(10)
    driver.tick()
    driver.pause()
    assert driver.paused
    wall.advance(500)
    driver.tick()
    assert driver.time == pytest.approx(10)
    driver.set_speed(2)  # a speed resumes
    wall.advance(5)
    driver.tick()
    assert driver.time == pytest.approx(20)


def test_an_action_catches_up_with_the_clock_first(driver, wall):
    conv = driver.inject(RETAIL, GOLD)
    wall.advance(130)  # no tick: the accept itself must notice the offer expired at 120
    driver.accept("Ana Ruiz", conv)
    names = [e["event"] for e in events(driver)]
    assert names.index("offer_expired") < names.index("action_rejected")
    assert events(driver, "action_rejected")[0]["t"] == 130


def test_ticks_are_bounded_and_catch_up_over_the_next_ticks(demo_doc, wall):
    driver = SimulationDriver(demo_doc, time_source=wall, budget_s=0.0)
    try:
        for second in range(1, 101):
            driver.schedule(second, "presence", agent="Ana Ruiz",
                            presence="Busy" if second % 2 else "Available")
        wall.advance(200)
        driver.tick()
        assert driver.time < 200  # stopped after one budget check
        assert driver.scheduled_count == 100 - BUDGET_CHECK_EVERY
        for _ in range(100 // BUDGET_CHECK_EVERY):
            driver.tick()
        assert driver.time == pytest.approx(200) and driver.scheduled_count == 0
        stats = driver.tick_stats()
        assert stats.ticks >= 2 and stats.max_s >= stats.avg_s > 0 and stats.events == 100
    finally:
        driver.close()


def test_burst_creates_n_conversations_with_typed_random_contexts(driver):
    ids = driver.burst(BURST_CHUNK + 50, RETAIL, seed=7)
    assert len(ids) == BURST_CHUNK + 50 == len(set(ids))
    assert len(driver.simulator.conversations()) == BURST_CHUNK  # the rest arrive over the next ticks
    assert driver.burst_backlog == 50
    driver.tick()
    assert driver.burst_backlog == 0
    assert len(driver.simulator.conversations()) == BURST_CHUNK + 50
    types = {v["name"]: v["type"] for v in driver.workstream(RETAIL)["context_variables"]}
    for conv in ids:
        for name, value in driver.context_of(conv).items():
            assert isinstance(value, (int, float)) if types[name] == "number" else isinstance(value, str)
    queues = {c.queue for c in driver.simulator.conversations()}
    assert len(queues) >= 3  # the contexts exercise several rules


def test_burst_is_reproducible_with_a_seed(demo_doc, wall):
    first = SimulationDriver(demo_doc, time_source=wall)
    second = SimulationDriver(demo_doc, time_source=wall)
    try:
        a = first.burst(20, RETAIL, seed=3)
        b = second.burst(20, RETAIL, seed=3)
        assert [first.context_of(c) for c in a] == [second.context_of(c) for c in b]
    finally:
        first.close()
        second.close()


def test_burst_rejects_a_bad_count_or_stream(driver):
    with pytest.raises(UserError, match="whole number"):
        driver.burst(-1, RETAIL)
    with pytest.raises(UserError, match="unknown work stream"):
        driver.burst(3, "Nope")


def test_scenario_events_play_at_their_time_from_the_moment_it_is_loaded(driver, wall):
    wall.advance(50)
    driver.tick()
    count = driver.load_scenario({"agents": {"Dev Patel": {"presence": "Offline"}}, "events": [
        {"at": 0, "type": "conversation", "id": "s1", "workstream": RETAIL, "context": {"customertier": "Gold"}},
        {"at": 10, "type": "accept", "agent": "Ana Ruiz", "conversation": "s1"},
        {"at": 40, "type": "end", "conversation": "s1"},
    ]})
    assert count == 3
    assert events(driver, "scenario_loaded")
    assert events(driver, "presence_changed")[0]["agent"] == "Dev Patel"
    assert events(driver, "offered")[0]["t"] == 50
    wall.advance(15)
    driver.tick()
    assert [(e["t"], e["agent"]) for e in events(driver, "accepted")] == [(60, "Ana Ruiz")]
    wall.advance(30)
    driver.tick()
    assert [e["t"] for e in events(driver, "closed")] == [90]


def test_a_scenario_played_twice_gets_fresh_conversation_ids(driver):
    scenario = {"events": [{"at": 0, "type": "conversation", "id": "s1", "workstream": RETAIL}]}
    driver.load_scenario(scenario)
    driver.load_scenario(scenario)
    assert [c.id for c in driver.simulator.conversations()] == ["s1", "s1·2"]
    assert not events(driver, "action_rejected")


@pytest.mark.parametrize("scenario, reason", [
    ([], "must be a JSON object"),
    ({"events": [{"at": 0, "type": "teleport"}]}, "unknown type 'teleport'"),
    ({"events": [{"at": 0, "type": "accept", "agent": "Nobody", "conversation": "x"}]}, "unknown agent 'Nobody'"),
])
def test_a_malformed_scenario_is_refused_with_its_reason(driver, scenario, reason):
    with pytest.raises(UserError, match=reason):
        driver.load_scenario(scenario)
    assert driver.scheduled_count == 0


def test_scenario_file_errors_name_the_file(driver, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ nope", encoding="utf-8")
    with pytest.raises(UserError, match="bad.json: not valid JSON"):
        driver.load_scenario_file(str(bad))
    with pytest.raises(UserError, match="missing.json"):
        driver.load_scenario_file(str(tmp_path / "missing.json"))


def test_reset_starts_over_and_keeps_the_speed(qtbot, driver, wall):
    driver.set_speed(10)
    driver.inject(RETAIL, GOLD)
    wall.advance(3)
    driver.tick()
    with qtbot.waitSignal(driver.simulationReset):
        driver.reset()
    assert driver.time == 0 and driver.simulator.conversations() == []
    assert driver.speed == 10
    wall.advance(1)
    driver.tick()
    assert driver.time == pytest.approx(10)


def test_the_timer_ticks_and_stops(qtbot, driver, wall):
    driver.start()
    assert driver.timer.isActive()
    wall.advance(5)
    with qtbot.waitSignal(driver.timeChanged, timeout=2000):
        pass  # the QTimer calls tick() on its own
    assert driver.time == pytest.approx(5)
    driver.stop()
    assert not driver.timer.isActive()
    driver.start()
    driver.close()
    assert not driver.timer.isActive()
    driver.start()  # closed for good
    assert not driver.timer.isActive()


def test_ticking_is_true_only_while_a_tick_emits_its_batch(driver, wall):
    seen = []
    driver.eventsEmitted.connect(lambda _batch: seen.append(driver.ticking))
    driver.inject(RETAIL, GOLD)  # a user action: shown at once
    driver.schedule(5, "conversation", id="t1", workstream=RETAIL, context=GOLD)
    wall.advance(5)
    driver.tick()
    assert seen == [False, True] and not driver.ticking


def test_while_running_what_survives_a_young_collection_is_frozen_after_the_tick(driver, wall):
    import gc

    from ui.panel.sim_driver import GcPolicy

    if GcPolicy.running:
        pytest.skip("another driver is running")
    driver.start()
    try:
        baseline = gc.get_freeze_count()  # start() collected once and froze everything
        survivors = [[index] for index in range(2000)]  # tracked containers
        gc.collect(1)  # moves them into the old generation, where every full collection would walk them
        assert gc.get_freeze_count() == baseline
        wall.advance(1)
        driver.tick()
        assert gc.get_freeze_count() >= baseline + len(survivors)
        assert len(gc.get_objects(2)) < len(survivors)  # a full collection now has little to walk
    finally:
        driver.stop()
    assert gc.get_freeze_count() == 0  # given back when the last driver stops

"""A pop on a card is exactly an outstanding offer of the simulator, after every tick.

Bursts at 60× on a fake wall clock, with declines, expiries and re-offers of the same
conversation to the same agent (a short cool-down, few agents): after each tick the pops
of every card are the agent's offers in the simulator, each counting down from its own
expiry.
"""
from __future__ import annotations

import random
from collections import Counter

import pytest

from ui.panel.agent_cards import MAX_POPS
from ui.panel.agent_panel import AgentPanel
from ui.panel.screen_pop import format_countdown
from tests.helpers.clocks import FakeWallClock


def small_doc() -> dict:
    names = ["Ana", "Ben", "Cleo"]
    return {
        "presences": [],
        "agents": [{"name": name, "capacity": 100, "presence": "Available"} for name in names],
        "queues": [{"name": "General", "agents": names}, {"name": "VIP", "agents": ["Ana"]}],
        "workstreams": [{
            "name": "Chat", "channel": "live_chat", "capacity": 20, "distribution_mode": "push",
            "notification": "screen_pop_decline", "screen_pop_timeout_s": 30, "allowed_presences": ["available"],
            "assign_after_decline_s": 3, "default_queue": "General",
            "decline_reasons": ["Busy with another customer", "Needs another skill"],
            "context_variables": [{"name": "tier", "display_name": "Tier", "type": "text"}],
            "routing_rules": [{"name": "Gold to VIP", "queue": "VIP",
                               "condition": {"all": [{"variable": "tier", "operator": "eq", "value": "Gold"}]}}],
        }],
    }


def settle(qtbot, panel):
    if panel.refresh_pending:
        with qtbot.waitSignal(panel.cardsRefreshed, timeout=5000):
            pass


def mismatches(panel) -> list[str]:
    sim = panel.driver.simulator
    now = panel.driver.time
    problems = []
    for name, card in panel.cards.items():
        offers = list(sim.agent(name).offers)
        wanted = [(o.conversation, float(o.expires_at)) for o in offers[:MAX_POPS]]
        shown = [(conv, pop.expires_at) for conv, pop in card.pops.items()]
        if shown != wanted:
            problems.append(f"{name}: card {shown} != simulator {wanted} at {now}")
            continue
        for conv, expires in wanted:
            text = card.pops[conv].countdown_text
            if text != format_countdown(expires - now):
                problems.append(f"{name}: {conv} shows {text}, expected {format_countdown(expires - now)}")
        if name == panel.focused_agent:  # the toast is the focused agent's first outstanding offer
            toast = panel.toast_pop
            first = (offers[0].conversation, float(offers[0].expires_at)) if offers else None
            shown_toast = (toast.conversation_id, toast.expires_at) if toast is not None else None
            if shown_toast != first:
                problems.append(f"toast for {name}: {shown_toast} != simulator {first}")
            elif toast is not None and toast.countdown_text != format_countdown(first[1] - now):
                problems.append(f"toast for {name} shows {toast.countdown_text}")
        extra = len(offers) - len(wanted)
        if card.more_pops.isVisibleTo(card) != (extra > 0):
            problems.append(f"{name}: '+N more' shown={card.more_pops.isVisibleTo(card)} with {extra} extra")
    return problems


@pytest.mark.parametrize("seed", [1, 2])
def test_cards_show_exactly_the_outstanding_offers_after_every_tick(qtbot, seed):
    wall = FakeWallClock(start=100.0)
    panel = AgentPanel(None, config_doc=small_doc(), time_source=wall, speed=60.0)
    qtbot.addWidget(panel)
    panel.resize(1600, 1000)
    panel.show()
    qtbot.waitExposed(panel)
    rng = random.Random(seed)
    panel.driver.timer.stop()  # the test ticks by hand
    declines = 0
    for step in range(240):
        if step % 60 == 0:
            panel.send_burst(12, seed=seed * 100 + step)
        # Decline about a third of what is ringing, from the card's own pop.
        for name, card in panel.cards.items():
            for conv, pop in list(card.pops.items()):
                if rng.random() < 0.08:
                    pop.decline(rng.choice([*pop.decline_reasons, None]))  # as chosen in its reason menu
                    declines += 1
        toast = panel.toast_pop
        if toast is not None and rng.random() < 0.1:
            toast.decline(rng.choice([*toast.decline_reasons, None]))  # Ctrl+Shift+D, then a reason
            declines += 1
        if step % 50 == 25:  # another agent in focus now and then
            panel.focus_agent(rng.choice(sorted(panel.cards)))
        wall.now += 0.05  # one timer tick: three simulated seconds at 60×
        panel.driver.tick()
        settle(qtbot, panel)
        assert mismatches(panel) == [], f"after tick {step}"
    panel.driver.stop()
    events = panel.log_model.events()
    expiries = sum(1 for e in events if e.get("event") == "offer_expired")
    offers = Counter((e["agent"], e["conversation"]) for e in events if e.get("event") == "offered")
    reoffers = sum(1 for count in offers.values() if count > 1)  # the same conversation to the same agent
    assert declines > 5 and expiries > 5 and reoffers > 0
    assert any(e.get("reason") for e in events if e.get("event") == "declined")  # reasons reach the simulator

"""The distribution simulator, on a virtual clock: every rule of the spec, event by event."""
from __future__ import annotations

import json
import random

import pytest

from app.simulation.clock import VirtualClock
from app.common.errors import UserError
from app.simulation.engine import Simulator, run_scenario, validate_scenario

# --------------------------------------------------------------------------- building documents


def workstream(name: str = "Chat", **settings) -> dict:
    ws = {
        "name": name,
        "channel": "live_chat",
        "capacity": 10,
        "distribution_mode": "push",
        "notification": "screen_pop_decline",
        "screen_pop_timeout_s": 60,
        "allowed_presences": ["available", "busy"],
        "assign_after_decline_s": 0,
        "wrap_up_block_s": 0,
        "auto_close_after_inactivity_s": 0,
        "default_queue": "Support",
        "context_variables": [{"display_name": "Order value", "name": "ordervalue", "type": "number"}],
        "routing_rules": [],
    }
    ws.update(settings)
    return ws


def document(*streams: dict, agents=None, queues=None, presences=None) -> dict:
    """Agents are (name, capacity) pairs or agent dicts; by default one queue holds them all."""
    agents = agents if agents is not None else [("Ana", 10), ("Ben", 10)]
    agent_docs = [a if isinstance(a, dict) else agent(*a) for a in agents]
    return {
        "presences": presences or [],
        "agents": agent_docs,
        "queues": queues if queues is not None else [{"name": "Support", "agents": [a["name"] for a in agent_docs]}],
        "workstreams": list(streams) or [workstream()],
    }


def agent(name: str, capacity: int = 10, presence: str = "Available") -> dict:
    return {"name": name, "capacity": capacity, "presence": presence}


class Harness:
    """A simulator on a virtual clock that records every event."""

    def __init__(self, doc: dict):
        self.clock = VirtualClock()
        self.sim = Simulator(doc, self.clock)
        self.events: list[dict] = []
        self.sim.subscribe(self.events.append)

    def at(self, t: float) -> Simulator:
        self.clock.set(t)
        return self.sim

    def run_to(self, t: float) -> None:
        self.clock.set(t)
        self.sim.tick()

    def of(self, *kinds: str) -> list[dict]:
        return [e for e in self.events if e["event"] in kinds]

    def last(self, kind: str) -> dict:
        return self.of(kind)[-1]

    def offers(self) -> list[tuple]:
        return [(e["t"], e["conversation"], e["agent"]) for e in self.of("offered")]

    def take(self) -> list[dict]:
        taken, self.events[:] = list(self.events), []
        return taken


def brief(events: list[dict]) -> list[tuple]:
    """(t, event, who/what) triples, for readable assertions on sequences."""
    return [(e["t"], e["event"], e.get("conversation"), e.get("agent")) for e in events]


# --------------------------------------------------------------------------- routing and offers

def test_arrival_is_routed_then_offered_with_its_expiry():
    ws = workstream(routing_rules=[{"name": "Big", "description": "", "queue": "Sales",
                                    "condition": {"all": [{"variable": "ordervalue", "operator": "ge", "value": 1000}]}}])
    doc = document(ws, queues=[{"name": "Support", "agents": ["Ana"]}, {"name": "Sales", "agents": ["Ben"]}])
    h = Harness(doc)
    h.at(5).add_conversation("c1", "chat", {"ordervalue": 1500})
    routed, offered = h.events
    assert routed == {"t": 5, "event": "routed", "conversation": "c1", "workstream": "Chat",
                      "queue": "Sales", "rule": "Big", "fallback": False}
    assert offered == {"t": 5, "event": "offered", "conversation": "c1", "agent": "Ben", "expires_at": 65}
    view = h.sim.conversation("c1")
    assert (view.state, view.queue, view.offered_to, view.offer_expires_at) == ("offered", "Sales", "Ben", 65)
    assert view.trace[0]["matched"] is True
    h.at(6).add_conversation("c2", "Chat", {"ordervalue": "10"})
    assert h.last("routed")["queue"] == "Support" and h.last("routed")["fallback"] is True


def test_routes_are_remembered_by_the_values_the_rules_read_and_match_the_router():
    from app.simulation.engine import ROUTE_CACHE_SIZE

    ws = workstream(
        context_variables=[{"display_name": "Order value", "name": "ordervalue", "type": "number"},
                           {"display_name": "Tier", "name": "tier", "type": "text"},
                           {"display_name": "Note", "name": "note", "type": "text"}],
        routing_rules=[{"name": "Big", "description": "", "queue": "Sales",
                        "condition": {"all": [{"variable": "ordervalue", "operator": "ge", "value": 1000}]}},
                       {"name": "Gold", "description": "", "queue": "Sales",
                        "condition": {"any": [{"variable": "tier", "operator": "eq", "value": "gold"}]}}])
    doc = document(ws, queues=[{"name": "Support", "agents": ["Ana"]}, {"name": "Sales", "agents": ["Ben"]}])
    h = Harness(doc)
    stream = h.sim._streams["Chat"]
    assert stream.reads == ("ordervalue", "tier")  # "note" is read by no rule
    contexts = [{"ordervalue": 1500}, {"ordervalue": 1500, "note": "x"}, {"ordervalue": 1500.0},
                {"ordervalue": 0.0}, {"ordervalue": -0.0}, {"tier": "Gold"}, {"tier": "GOLD"}, {},
                {"ordervalue": None}]
    for number, context in enumerate(contexts):
        h.at(number).add_conversation(f"c{number}", "Chat", context)
        view = h.sim.conversation(f"c{number}")
        expected = stream.router.route(context)  # the router itself, nothing remembered
        assert (view.queue, view.rule, view.fallback, view.trace) == \
            (expected.queue, expected.rule, expected.fallback, expected.trace)
    # The same values read by the rules share one result; a value that only looks equal does not
    # (1500 / 1500.0 and 0.0 / -0.0 show differently in the trace), an absent value reads as None.
    route = {f"c{n}": h.sim._conversations[f"c{n}"].route for n in range(len(contexts))}
    assert route["c0"] is route["c1"] and route["c7"] is route["c8"]
    assert len({id(route[c]) for c in ("c0", "c2", "c3", "c4", "c5", "c6", "c7")}) == 7
    assert [t["conditions"][0]["seen"] for t in route["c2"].trace][:1] == [1500.0]
    for number in range(ROUTE_CACHE_SIZE + 5):  # bounded: it starts over when full
        stream.route({"ordervalue": number})
    assert len(stream.routes) <= ROUTE_CACHE_SIZE


def test_remembered_routes_do_not_change_what_a_scenario_prints(monkeypatch):
    rules = [{"name": f"R{i}", "description": "", "queue": "Sales",
              "condition": {"all": [{"variable": "ordervalue", "operator": "eq", "value": i}]}} for i in range(5)]
    doc = document(workstream(routing_rules=rules),
                   queues=[{"name": "Support", "agents": ["Ana"]}, {"name": "Sales", "agents": ["Ben"]}])
    rng = random.Random(4)
    events = [{"at": i, "type": "conversation", "id": f"c{i}", "workstream": "Chat",
               "context": {"ordervalue": rng.choice([0, 1, 2.0, 7, -0.0])}} for i in range(40)]
    first = json.dumps(run_scenario(doc, {"events": events}), sort_keys=True)
    assert first == json.dumps(run_scenario(doc, {"events": events}), sort_keys=True)
    import app.simulation.engine as simulator_module

    monkeypatch.setattr(simulator_module._Stream, "route", lambda self, context: self.router.route(context))
    assert json.dumps(run_scenario(doc, {"events": events}), sort_keys=True) == first  # the same, unremembered


def test_offer_expires_at_exactly_the_timeout_and_goes_to_the_next_agent_at_once():
    h = Harness(document(workstream(screen_pop_timeout_s=60)))
    h.at(0).add_conversation("c1", "Chat")
    assert h.offers() == [(0, "c1", "Ana")]
    h.run_to(59.999)
    assert not h.of("offer_expired")
    assert h.sim.agent("Ana").offers[0].expires_at == 60
    h.run_to(60)
    assert brief(h.events[2:]) == [
        (60, "offer_expired", "c1", "Ana"),
        (60, "capacity_released", "c1", "Ana"),
        (60, "offered", "c1", "Ben"),
    ]
    assert h.last("offered")["expires_at"] == 120


def test_an_accept_at_the_expiry_instant_is_too_late():
    h = Harness(document(workstream(screen_pop_timeout_s=60)))
    h.at(0).add_conversation("c1", "Chat")
    h.at(60).accept("Ana", "c1")
    rejected = h.last("action_rejected")
    assert rejected["action"] == "accept" and "no outstanding offer" in rejected["reason"]
    assert h.offers() == [(0, "c1", "Ana"), (60, "c1", "Ben")]


def test_with_no_cool_down_an_expired_pop_may_return_to_the_same_agent():
    h = Harness(document(workstream(screen_pop_timeout_s=60, assign_after_decline_s=0), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(60).accept("Ana", "c1")  # the expiry fires first, then the new pop is accepted
    assert h.offers() == [(0, "c1", "Ana"), (60, "c1", "Ana")]
    assert brief(h.events[-1:]) == [(60, "accepted", "c1", "Ana")]


def test_accept_makes_the_conversation_active_with_that_agent():
    h = Harness(document())
    h.at(0).add_conversation("c1", "Chat")
    h.at(59).accept("Ana", "c1")
    assert h.last("accepted") == {"t": 59, "event": "accepted", "conversation": "c1", "agent": "Ana"}
    h.run_to(1000)
    assert not h.of("offer_expired")  # the expiry timer was cancelled
    view = h.sim.agent("Ana")
    assert view.active == ("c1",) and view.offers == () and view.free_capacity == 0
    assert h.sim.conversation("c1").state == "active"


def test_capacity_is_held_while_an_offer_is_outstanding():
    h = Harness(document(workstream(capacity=10), agents=[("Ana", 15), ("Ben", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    assert h.offers() == [(0, "c1", "Ana")]  # most free capacity
    assert h.sim.agent("Ana").free_capacity == 5
    h.at(1).add_conversation("c2", "Chat")
    assert h.offers()[-1] == (1, "c2", "Ben")  # Ana's 5 free units are not enough
    h.at(2).add_conversation("c3", "Chat")
    assert h.last("queued") == {"t": 2, "event": "queued", "conversation": "c3", "queue": "Support",
                                "reason": "no_eligible_agent"}
    assert h.sim.queue("Support").waiting == ("c3",)


def test_choice_prefers_most_free_capacity():
    h = Harness(document(workstream(capacity=10), agents=[("Ana", 20), ("Ben", 50), ("Cy", 30)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(0).add_conversation("c2", "Chat")
    h.at(0).add_conversation("c3", "Chat")
    # Ben has 50 free, then 40 (still the most); at 30 he ties Cy, who was never offered: Cy.
    assert [agent for _, _, agent in h.offers()] == ["Ben", "Ben", "Cy"]


def test_choice_breaks_ties_by_oldest_offer_never_offered_first_then_name():
    h = Harness(document(workstream(capacity=10, notification="direct_open"),
                         agents=[("Zed", 100), ("Amy", 100), ("Bob", 100)]))
    h.at(0).add_conversation("c1", "Chat")   # all tie, never offered: by name → Amy
    h.at(1).add_conversation("c2", "Chat")   # Bob and Zed have 100 free, never offered → Bob
    h.at(2).add_conversation("c3", "Chat")   # Zed has 100 free: most free capacity
    h.at(3).end("c1")                        # Amy back to 100... but so is nobody else
    h.at(3).end("c2")                        # Amy (touched at 0) and Bob (touched at 1) at 100; Zed at 90
    h.at(4).add_conversation("c4", "Chat")   # tie Amy/Bob on capacity: Amy's last assignment is older
    assert [(e["conversation"], e["agent"]) for e in h.of("assigned")] == [
        ("c1", "Amy"), ("c2", "Bob"), ("c3", "Zed"), ("c4", "Amy")]


@pytest.mark.parametrize("agents, expected", [
    ([("Ana", 20), ("Ben", 50), ("Cy", 30)], "Ben"),
    ([("Ana", 50), ("Ben", 50)], "Ana"),
    ([("Ben", 50), ("Ana", 50)], "Ana"),
])
def test_first_choice(agents, expected):
    h = Harness(document(workstream(), agents=agents))
    h.at(0).add_conversation("c1", "Chat")
    assert h.offers() == [(0, "c1", expected)]


def test_successive_offers_follow_free_capacity_then_oldest_touch():
    h = Harness(document(workstream(capacity=10), agents=[("Ana", 20), ("Ben", 40), ("Cy", 30)]))
    for index in range(4):
        h.at(index).add_conversation(f"c{index}", "Chat")
    # Ben 40 → 30 ties Cy (never offered) → Cy; then Ben 30 vs Cy 20 → Ben; then Ben 20, Cy 20, Ana 20:
    # Ana never offered → Ana.
    assert [agent for _, _, agent in h.offers()] == ["Ben", "Cy", "Ben", "Ana"]


# --------------------------------------------------------------------------- notification kinds

def test_direct_open_assigns_at_once_without_a_pop():
    h = Harness(document(workstream(notification="direct_open")))
    h.at(3).add_conversation("c1", "Chat")
    assert brief(h.events) == [(3, "routed", "c1", None), (3, "assigned", "c1", "Ana")]
    assert h.last("assigned")["via"] == "direct_open"
    assert not h.of("offered")
    assert h.sim.agent("Ana").free_capacity == 0 and h.sim.conversation("c1").state == "active"


def test_screen_pop_with_timeout_cannot_be_declined():
    h = Harness(document(workstream(notification="screen_pop_timeout", screen_pop_timeout_s=30)))
    h.at(0).add_conversation("c1", "Chat")
    h.at(5).decline("Ana", "c1")
    rejected = h.last("action_rejected")
    assert rejected["action"] == "decline" and "not declined" in rejected["reason"]
    assert not h.of("declined")
    assert h.sim.conversation("c1").offered_to == "Ana"  # the pop is still up
    h.run_to(30)
    assert h.last("offer_expired")["t"] == 30


def test_screen_pop_decline_expires_after_its_timeout_by_default():
    ws = workstream()
    del ws["screen_pop_timeout_s"]  # the document default: 120 s
    h = Harness(document(ws))
    h.at(0).add_conversation("c1", "Chat")
    assert h.last("offered")["expires_at"] == 120


# --------------------------------------------------------------------------- decline and cool-down

def test_decline_offers_the_next_agent_at_the_same_instant():
    h = Harness(document(workstream(assign_after_decline_s=100)))
    h.at(0).add_conversation("c1", "Chat")
    h.at(7.5).decline("Ana", "c1")
    assert brief(h.events[2:]) == [
        (7.5, "declined", "c1", "Ana"),
        (7.5, "capacity_released", "c1", "Ana"),
        (7.5, "offered", "c1", "Ben"),
    ]
    assert h.sim.conversation("c1").cooldowns == {"Ana": 107.5}


def test_cool_down_is_respected_then_the_conversation_is_offered_again():
    h = Harness(document(workstream(assign_after_decline_s=60), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(10).decline("Ana", "c1")
    assert h.last("queued")["t"] == 10  # nobody else: it waits
    h.run_to(69.99)
    assert h.offers() == [(0, "c1", "Ana")]
    h.run_to(70)
    assert h.offers() == [(0, "c1", "Ana"), (70, "c1", "Ana")]


def test_expiry_also_starts_a_cool_down():
    h = Harness(document(workstream(assign_after_decline_s=45, screen_pop_timeout_s=30), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.run_to(74)
    assert h.offers() == [(0, "c1", "Ana")]
    h.run_to(75)
    assert h.offers() == [(0, "c1", "Ana"), (75, "c1", "Ana")]


def test_a_cooling_agent_still_gets_other_conversations():
    h = Harness(document(workstream(assign_after_decline_s=100), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")    # Ana's capacity is held by the c1 pop
    h.at(2).decline("Ana", "c1")              # c1 waits (cool-down); c2 is next for Ana
    assert h.offers() == [(0, "c1", "Ana"), (2, "c2", "Ana")]
    assert h.sim.queue("Support").waiting == ("c1",)
    h.at(3).accept("Ana", "c2")
    h.at(50).end("c2")                         # capacity back, but c1 still cools down
    assert h.offers()[-1] == (2, "c2", "Ana")
    h.run_to(102)
    assert h.offers()[-1] == (102, "c1", "Ana")


def test_decline_of_an_offer_not_outstanding_is_rejected():
    h = Harness(document())
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).decline("Ben", "c1")
    rejected = h.last("action_rejected")
    assert rejected == {"t": 1, "event": "action_rejected", "action": "decline", "agent": "Ben",
                        "conversation": "c1", "reason": "no outstanding offer of conversation 'c1' to 'Ben'"}


@pytest.mark.parametrize("call, reason", [
    (lambda s: s.accept("Nobody", "c1"), "unknown agent 'Nobody'"),
    (lambda s: s.accept("Ana", "c9"), "unknown conversation 'c9'"),
    (lambda s: s.end("c9"), "unknown conversation 'c9'"),
    (lambda s: s.customer_idle("c1"), "is offered, not active"),
    (lambda s: s.customer_active("c1"), "is offered, not waiting"),
    (lambda s: s.set_presence("Ana", "Lunch"), "unknown presence 'Lunch'"),
    (lambda s: s.set_capacity("Ana", -1), "whole number"),
    (lambda s: s.add_conversation("c1", "Chat"), "already exists"),
    (lambda s: s.add_conversation("c2", "Email"), "unknown work stream 'Email'"),
    (lambda s: s.add_conversation("c2", "Chat", {"ordervalue": "12a"}), "ordervalue: '12a' is not a number"),
    (lambda s: s.add_conversation("c2", "Chat", {"colour": "red"}), "unknown context variable 'colour'"),
])
def test_invalid_actions_are_reported_not_raised(call, reason):
    h = Harness(document())
    h.at(0).add_conversation("c1", "Chat")
    before = h.sim.agents(), h.sim.conversations()
    call(h.sim)
    assert reason in h.last("action_rejected")["reason"]
    assert (h.sim.agents(), h.sim.conversations()) == before


# --------------------------------------------------------------------------- waiting conversations

def test_waiting_conversations_are_served_oldest_first():
    h = Harness(document(workstream(notification="direct_open"), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")
    h.at(2).add_conversation("c3", "Chat")
    assert h.sim.queue("Support").waiting == ("c2", "c3")
    h.at(5).end("c1")
    assert [(e["t"], e["conversation"]) for e in h.of("assigned")] == [(0, "c1"), (5, "c2")]
    h.at(6).end("c2")
    assert [(e["t"], e["conversation"]) for e in h.of("assigned")][-1] == (6, "c3")


def test_oldest_first_holds_across_work_streams_sharing_a_queue():
    doc = document(workstream("Chat", notification="direct_open"),
                   {**workstream("Chat VIP", notification="direct_open", capacity=10), "channel": "live_chat"},
                   agents=[("Ana", 10)])
    h = Harness(doc)
    h.at(0).add_conversation("c0", "Chat")
    h.at(1).add_conversation("a1", "Chat")
    h.at(2).add_conversation("b2", "Chat VIP")
    h.at(3).add_conversation("a3", "Chat")
    order = []
    for t, conv in ((10, "c0"), (11, "a1"), (12, "b2")):
        h.at(t).end(conv)
        order.append(h.last("assigned")["conversation"])
    assert order == ["a1", "b2", "a3"]


def test_a_declined_conversation_keeps_its_place_in_the_queue():
    h = Harness(document(workstream(assign_after_decline_s=0), agents=[("Ana", 10), ("Ben", 10)]))
    h.at(0).add_conversation("old", "Chat")      # → Ana
    h.at(1).add_conversation("other", "Chat")    # → Ben
    h.at(2).add_conversation("young", "Chat")    # waits
    h.at(3).accept("Ben", "other")
    h.at(4).decline("Ana", "old")                # no cool-down: Ana is the only one free → back to her
    assert h.offers()[-1] == (4, "old", "Ana")
    h.at(5).accept("Ana", "old")
    h.at(6).end("other")
    assert h.offers()[-1] == (6, "young", "Ben")


def test_presence_change_makes_an_agent_eligible_and_drains_the_queue():
    h = Harness(document(workstream(allowed_presences=["available"]),
                         agents=[agent("Ana", 20, "Away")]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")
    assert h.sim.queue("Support").waiting == ("c1", "c2")
    h.at(30).set_presence("Ana", "available")
    assert h.of("presence_changed") == [{"t": 30, "event": "presence_changed", "agent": "Ana",
                                         "presence": "Available", "base": "available"}]
    assert h.offers() == [(30, "c1", "Ana"), (30, "c2", "Ana")]


def test_allowed_presences_use_the_base_of_custom_presences():
    presences = [{"name": "On a call", "base": "busy", "text": ""}, {"name": "Lunch", "base": "away", "text": ""}]
    doc = document(workstream(allowed_presences=["available", "busy"]),
                   agents=[agent("Ana", 10, "Lunch"), agent("Ben", 10, "Busy - DND"), agent("Cy", 10, "On a call")],
                   presences=presences)
    h = Harness(doc)
    h.at(0).add_conversation("c1", "Chat")
    assert h.offers() == [(0, "c1", "Cy")]
    assert h.sim.agent("Cy").base == "busy"
    h.at(1).add_conversation("c2", "Chat")
    assert h.last("queued")["conversation"] == "c2"  # Ana (away) and Ben (busy_dnd) are not allowed
    h.at(2).set_presence("Ana", "Offline")
    assert h.last("queued")["conversation"] == "c2" and len(h.offers()) == 1
    h.at(3).set_presence("Ben", "on a call")
    assert h.offers()[-1] == (3, "c2", "Ben")


def test_raising_capacity_drains_and_lowering_it_can_leave_an_agent_over_capacity():
    h = Harness(document(workstream(notification="direct_open"), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")
    h.at(2).set_capacity("Ana", 20)
    assert h.last("assigned")["conversation"] == "c2"
    h.at(3).set_capacity("Ana", 5)
    assert h.sim.agent("Ana").free_capacity == -15
    assert h.last("capacity_changed") == {"t": 3, "event": "capacity_changed", "agent": "Ana",
                                          "capacity": 5, "free": -15}


# --------------------------------------------------------------------------- pick mode

def pick_doc(**settings) -> dict:
    queues = [{"name": "Support", "agents": ["Ana", "Ben"]}, {"name": "Other", "agents": ["Cy"]}]
    return document(workstream(distribution_mode="pick", capacity=10, **settings),
                    agents=[("Ana", 10), ("Ben", 5), ("Cy", 50)], queues=queues)


def test_pick_mode_leaves_conversations_as_open_work_items():
    h = Harness(pick_doc())
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")
    assert not h.of("offered", "assigned")
    assert h.last("queued")["reason"] == "pick_mode"
    assert h.sim.queue("Support").open_work_items == ("c1", "c2")
    assert h.sim.queue("Support").waiting == ()


def test_a_member_with_capacity_picks():
    h = Harness(pick_doc())
    h.at(0).add_conversation("c1", "Chat")
    h.at(9).pick("Ana", "c1")
    assert h.last("assigned") == {"t": 9, "event": "assigned", "conversation": "c1", "agent": "Ana", "via": "pick"}
    assert h.sim.queue("Support").open_work_items == ()
    assert h.sim.agent("Ana").active == ("c1",) and h.sim.agent("Ana").free_capacity == 0


@pytest.mark.parametrize("who, conversation, reason", [
    ("Cy", "c1", "'Cy' is not a member of queue 'Support'"),
    ("Ben", "c1", "'Ben' has 5 free capacity units; work stream 'Chat' needs 10"),
    ("Ana", "gone", "unknown conversation 'gone'"),
    ("Nobody", "c1", "unknown agent 'Nobody'"),
])
def test_a_pick_is_refused_with_a_reason(who, conversation, reason):
    h = Harness(pick_doc())
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).pick(who, conversation)
    rejected = h.last("pick_rejected")
    assert rejected["reason"] == reason and rejected["t"] == 1
    assert h.sim.queue("Support").open_work_items == ("c1",)


def test_a_picked_conversation_cannot_be_picked_again():
    h = Harness(pick_doc())
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).pick("Ana", "c1")
    h.at(2).pick("Ana", "c1")
    assert "not an open work item (it is active)" in h.last("pick_rejected")["reason"]


def test_push_conversations_cannot_be_picked():
    h = Harness(document(workstream(allowed_presences=["available"]), agents=[agent("Ana", 10, "Away")]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).pick("Ana", "c1")
    assert "cannot be picked" in h.last("pick_rejected")["reason"]


def test_capacity_released_does_not_push_pick_conversations():
    h = Harness(pick_doc())
    h.at(0).add_conversation("c1", "Chat")
    h.at(0).add_conversation("c2", "Chat")
    h.at(1).pick("Ana", "c1")
    h.at(2).end("c1")
    assert [e["conversation"] for e in h.of("assigned")] == ["c1"]
    assert h.sim.queue("Support").open_work_items == ("c2",)


# --------------------------------------------------------------------------- ending and wrap-up

def test_wrap_up_blocks_capacity_then_releases_it():
    h = Harness(document(workstream(notification="direct_open", wrap_up_block_s=60), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")
    h.at(100).end("c1")
    assert h.last("closed") == {"t": 100, "event": "closed", "conversation": "c1", "agent": "Ana", "reason": "ended"}
    assert h.sim.agent("Ana").wrap_up_units == 10 and h.sim.agent("Ana").free_capacity == 0
    h.run_to(159.9)
    assert not h.of("capacity_released") and h.sim.queue("Support").waiting == ("c2",)
    h.run_to(160)
    assert brief(h.events[-2:]) == [(160, "capacity_released", "c1", "Ana"), (160, "assigned", "c2", "Ana")]
    assert h.of("capacity_released")[0]["reason"] == "wrap_up_over"
    assert h.sim.agent("Ana").wrap_up_units == 0


def test_end_without_wrap_up_releases_at_once():
    h = Harness(document(workstream(notification="direct_open"), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(10).end("c1")
    assert brief(h.events[-2:]) == [(10, "closed", "c1", "Ana"), (10, "capacity_released", "c1", "Ana")]
    h.at(11).end("c1")
    assert "already closed" in h.last("action_rejected")["reason"]


def test_ending_an_offered_conversation_withdraws_the_pop():
    h = Harness(document(workstream(), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(0).add_conversation("c2", "Chat")
    h.at(5).end("c1")
    assert h.of("capacity_released")[-1]["reason"] == "withdrawn"
    assert h.offers()[-1] == (5, "c2", "Ana")
    h.run_to(500)
    assert [e["conversation"] for e in h.of("offer_expired")] == ["c2", "c2", "c2", "c2", "c2", "c2", "c2", "c2"]


def test_ending_a_queued_conversation_takes_it_out_of_the_queue():
    h = Harness(document(workstream(notification="direct_open"), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")
    h.at(1).add_conversation("c3", "Chat")
    h.at(2).end("c2")
    assert h.sim.queue("Support").waiting == ("c3",)
    h.at(3).end("c1")
    assert h.last("assigned")["conversation"] == "c3"


# --------------------------------------------------------------------------- customer inactivity

def test_an_idle_customer_is_auto_closed_and_capacity_released_at_once():
    h = Harness(document(workstream(notification="direct_open", auto_close_after_inactivity_s=100,
                                    wrap_up_block_s=300), agents=[("Ana", 10)]))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).add_conversation("c2", "Chat")
    h.at(10).customer_idle("c1")
    assert h.last("waiting") == {"t": 10, "event": "waiting", "conversation": "c1", "agent": "Ana"}
    assert h.sim.conversation("c1").state == "waiting" and h.sim.conversation("c1").idle_since == 10
    h.run_to(109.99)
    assert not h.of("closed")
    h.run_to(110)
    assert brief(h.events[-3:]) == [
        (110, "closed", "c1", "Ana"), (110, "capacity_released", "c1", "Ana"), (110, "assigned", "c2", "Ana")]
    assert h.last("closed")["reason"] == "auto_close"
    assert h.sim.conversation("c1").closed_reason == "auto_close"


def test_activity_before_the_timeout_keeps_the_conversation_open():
    h = Harness(document(workstream(notification="direct_open", auto_close_after_inactivity_s=100)))
    h.at(0).add_conversation("c1", "Chat")
    h.at(10).customer_idle("c1")
    h.at(109).customer_active("c1")
    assert h.last("active") == {"t": 109, "event": "active", "conversation": "c1", "agent": "Ana"}
    h.run_to(110)
    assert not h.of("closed")
    h.at(120).customer_idle("c1")          # the clock starts again
    h.run_to(219)
    assert not h.of("closed")
    h.run_to(220)
    assert h.last("closed")["t"] == 220


def test_no_auto_close_when_the_setting_is_zero():
    h = Harness(document(workstream(notification="direct_open", auto_close_after_inactivity_s=0)))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).customer_idle("c1")
    h.run_to(10**7)
    assert h.sim.conversation("c1").state == "waiting" and not h.of("closed")


def test_a_waiting_conversation_can_be_ended_by_the_agent():
    h = Harness(document(workstream(notification="direct_open", auto_close_after_inactivity_s=100)))
    h.at(0).add_conversation("c1", "Chat")
    h.at(1).customer_idle("c1")
    h.at(2).end("c1")
    h.run_to(500)
    assert [e["reason"] for e in h.of("closed")] == ["ended"]


# --------------------------------------------------------------------------- odds and ends

def test_no_match_and_no_default_queue_leaves_the_conversation_unrouted():
    ws = workstream("Draft", active=False, default_queue=None)
    h = Harness(document(ws))
    h.at(0).add_conversation("c1", "Draft")
    assert h.events == [{"t": 0, "event": "routed", "conversation": "c1", "workstream": "Draft",
                         "queue": None, "rule": None, "fallback": True}]
    assert h.sim.conversation("c1").state == "unrouted"


def test_fractional_times_stay_fractional_and_whole_ones_are_integers():
    h = Harness(document())
    h.at(0.25).add_conversation("c1", "Chat")
    assert h.last("offered")["t"] == 0.25 and h.last("offered")["expires_at"] == 60.25
    h.at(2.0).add_conversation("c2", "Chat")
    assert h.last("offered")["t"] == 2 and isinstance(h.last("offered")["t"], int)


def test_listeners_must_not_call_back_into_the_simulator():
    h = Harness(document())
    h.sim.subscribe(lambda event: h.sim.end("c1") if event["event"] == "offered" else None)
    with pytest.raises(RuntimeError, match="listener"):
        h.at(0).add_conversation("c1", "Chat")


def test_unsubscribe_stops_the_events():
    h = Harness(document())
    seen: list = []
    unsubscribe = h.sim.subscribe(seen.append)
    h.at(0).add_conversation("c1", "Chat")
    unsubscribe()
    h.at(1).add_conversation("c2", "Chat")
    assert {e["conversation"] for e in seen} == {"c1"}


def test_snapshots_for_a_panel():
    h = Harness(document(workstream(wrap_up_block_s=30)))
    h.at(0).add_conversation("c1", "Chat")
    h.at(0).add_conversation("c2", "Chat")
    h.at(1).accept("Ana", "c1")
    ana, ben = h.sim.agents()
    assert (ana.name, ana.presence, ana.base, ana.capacity, ana.free_capacity, ana.active) == (
        "Ana", "Available", "available", 10, 0, ("c1",))
    assert ben.offers[0].conversation == "c2" and ben.offers[0].expires_at == 60
    assert ben.last_offer_or_assignment_at == 0
    assert [c.state for c in h.sim.conversations()] == ["active", "offered"]
    assert [c.id for c in h.sim.conversations(states={"offered"})] == ["c2"]
    (queue,) = h.sim.queues()
    assert (queue.name, queue.members, queue.waiting) == ("Support", ("Ana", "Ben"), ())
    assert h.sim.next_timer_at() == 60
    assert h.sim.workstream_names == ["Chat"] and "Busy - DND" in h.sim.presence_names
    assert h.sim.agent("nobody") is None and h.sim.conversation("nope") is None


def test_an_invalid_configuration_is_refused_up_front():
    doc = document(workstream(default_queue="Nowhere"))
    with pytest.raises(UserError, match="unknown queue 'Nowhere'"):
        Simulator(doc, VirtualClock())


# --------------------------------------------------------------------------- invariants, at random

def random_world(seed: int) -> tuple[dict, dict]:
    rng = random.Random(seed)
    names = [f"A{i:02d}" for i in range(8)]
    agents = [agent(n, rng.choice([10, 20, 30]), rng.choice(["Available", "Busy", "Away"])) for n in names]
    queues = [{"name": "Q1", "agents": names[:5]}, {"name": "Q2", "agents": names[3:]}]
    rules = [{"name": "Big", "description": "", "queue": "Q2",
              "condition": {"all": [{"variable": "ordervalue", "operator": "ge", "value": 500}]}}]
    streams = [
        workstream("Chat", default_queue="Q1", routing_rules=rules, capacity=10,
                   assign_after_decline_s=rng.choice([0, 20]), wrap_up_block_s=rng.choice([0, 15]),
                   auto_close_after_inactivity_s=rng.choice([0, 40]), screen_pop_timeout_s=30),
        {**workstream("SMS", default_queue="Q2", capacity=20, notification="direct_open",
                      allowed_presences=["available"], wrap_up_block_s=10), "channel": "sms"},
        workstream("Pick", default_queue="Q1", distribution_mode="pick"),
    ]
    doc = document(*streams, agents=agents, queues=queues)
    events, convs = [], []
    for step in range(120):
        at = step * 3
        roll = rng.random()
        if roll < 0.3 or not convs:
            conv_id = f"c{len(convs)}"
            convs.append(conv_id)
            events.append({"at": at, "type": "conversation", "id": conv_id,
                           "workstream": rng.choice(["Chat", "Chat", "SMS", "Pick"]),
                           "context": {"ordervalue": rng.choice([10, 600])}})
        elif roll < 0.45:
            events.append({"at": at, "type": "presence", "agent": rng.choice(names),
                           "presence": rng.choice(["Available", "Busy", "Away", "Offline"])})
        else:
            kind = rng.choice(["accept", "decline", "pick", "end", "customer_idle", "customer_active"])
            event = {"at": at, "type": kind, "conversation": rng.choice(convs)}
            if kind in ("accept", "decline", "pick"):
                event["agent"] = rng.choice(names)
            events.append(event)
    return doc, {"until": 500, "events": events}


def check_invariants(sim: Simulator, units: dict[str, int]) -> None:
    agents = {a.name: a for a in sim.agents()}
    conversations = {c.id: c for c in sim.conversations()}
    for view in agents.values():
        held = sum(units[c] for c in view.active) + sum(units[o.conversation] for o in view.offers)
        assert view.capacity - view.free_capacity == held + view.wrap_up_units, view
        assert view.free_capacity >= 0  # capacity never changes in these scenarios
    allowed = {"Chat": {"available", "busy"}, "SMS": {"available"}}
    for queue in sim.queues():
        for conv_id in queue.waiting:
            conv = conversations[conv_id]
            for name in queue.members:
                a = agents[name]
                eligible = (a.base in allowed[conv.workstream] and a.free_capacity >= units[conv_id]
                            and name not in conv.cooldowns)
                assert not eligible, f"{conv_id} waits while {name} could take it"


def random_action(sim: Simulator, rng: random.Random, conv_units: dict[str, int], workstreams: dict) -> None:
    """One plausible action, chosen from what the simulator shows (so most of them succeed)."""
    agents = sim.agents()
    offers = [(a.name, o.conversation) for a in agents for o in a.offers]
    live = [c.id for c in sim.conversations() if c.state != "closed"]
    roll = rng.random()
    if roll < 0.3 or not live:
        conv_id = f"c{len(conv_units)}"
        stream = rng.choice(["Chat", "Chat", "SMS", "Pick"])
        conv_units[conv_id] = workstreams[stream]
        sim.add_conversation(conv_id, stream, {"ordervalue": rng.choice([10, 600])})
    elif roll < 0.4:
        sim.set_presence(rng.choice(agents).name, rng.choice(["Available", "Busy", "Away", "Offline"]))
    elif roll < 0.6 and offers:
        name, conv_id = rng.choice(offers)
        (sim.accept if rng.random() < 0.6 else sim.decline)(name, conv_id)
    elif roll < 0.7:
        open_items = [c for q in sim.queues() for c in q.open_work_items]
        if open_items:
            sim.pick(rng.choice(agents).name, rng.choice(open_items))
    else:
        action = rng.choice([sim.end, sim.customer_idle, sim.customer_active])
        action(rng.choice(live))


@pytest.mark.parametrize("seed", range(8))
def test_random_driving_keeps_the_books_straight(seed):
    doc, _ = random_world(seed)
    rng = random.Random(seed)
    clock = VirtualClock()
    sim = Simulator(doc, clock)
    seen: list[dict] = []
    sim.subscribe(seen.append)
    conv_units: dict[str, int] = {}
    workstreams = {"Chat": 10, "SMS": 20, "Pick": 10}
    for _ in range(300):
        clock.advance(rng.choice([0, 0, 1, 5, 17]))
        random_action(sim, rng, conv_units, workstreams)
        check_invariants(sim, conv_units)
    clock.advance(1000)
    sim.tick()
    check_invariants(sim, conv_units)
    kinds = {e["event"] for e in seen}
    # the walk really exercised the machinery it checks
    assert {"offered", "accepted", "assigned", "queued", "capacity_released", "closed"} <= kinds


# --------------------------------------------------------------------------- scenarios

SCENARIO_DOC = document(workstream("Chat - Support", assign_after_decline_s=30,
                                   context_variables=[
                                       {"display_name": "Order value", "name": "ordervalue", "type": "number"},
                                       {"display_name": "Country", "name": "country", "type": "text"}]))


def test_run_scenario_plays_events_in_time_order():
    scenario = {"until": 200, "agents": {"ana": {"presence": "Away"}, "Ben": {"capacity": 40}}, "events": [
        {"at": 30, "type": "decline", "agent": "Ben", "conversation": "c1"},
        {"at": 0, "type": "conversation", "id": "c1", "workstream": "chat - support",
         "context": {"ordervalue": 1500, "country": "FR"}},
        {"at": 40, "type": "presence", "agent": "Ana", "presence": "Available"},
        {"at": 45, "type": "accept", "agent": "Ana", "conversation": "c1"},
        {"at": 50, "type": "customer_idle", "conversation": "c1"},
        {"at": 60, "type": "customer_active", "conversation": "c1"},
        {"at": 70, "type": "end", "conversation": "c1"},
    ]}
    events = run_scenario(SCENARIO_DOC, scenario)
    assert brief(events) == [
        (0, "routed", "c1", None),
        (0, "offered", "c1", "Ben"),
        (30, "declined", "c1", "Ben"),
        (30, "capacity_released", "c1", "Ben"),
        (30, "queued", "c1", None),
        (40, "presence_changed", None, "Ana"),
        (40, "offered", "c1", "Ana"),
        (45, "accepted", "c1", "Ana"),
        (50, "waiting", "c1", "Ana"),
        (60, "active", "c1", "Ana"),
        (70, "closed", "c1", "Ana"),
        (70, "capacity_released", "c1", "Ana"),
    ]
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)


def test_run_scenario_runs_timers_until_the_end():
    scenario = {"until": 130, "events": [{"at": 0, "type": "conversation", "id": "c1", "workstream": "Chat - Support"}]}
    events = run_scenario(SCENARIO_DOC, scenario)
    assert [(e["t"], e["event"], e.get("agent")) for e in events if e["event"] in ("offered", "offer_expired")] == [
        (0, "offered", "Ana"), (60, "offer_expired", "Ana"), (60, "offered", "Ben"),
        (120, "offer_expired", "Ben"), (120, "offered", "Ana")]


def test_same_scenario_same_output():
    doc, scenario = random_world(42)
    first = run_scenario(doc, scenario)
    second = run_scenario(json.loads(json.dumps(doc)), json.loads(json.dumps(scenario)))
    assert len(first) > 100
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_events_at_the_same_time_keep_their_order():
    scenario = {"events": [
        {"at": 5, "type": "conversation", "id": "b", "workstream": "Chat - Support"},
        {"at": 5, "type": "conversation", "id": "a", "workstream": "Chat - Support"},
    ]}
    assert [e["conversation"] for e in run_scenario(SCENARIO_DOC, scenario) if e["event"] == "routed"] == ["b", "a"]


def conv(at=0, **extra):
    return {"at": at, "type": "conversation", "id": "c1", "workstream": "Chat - Support", **extra}


@pytest.mark.parametrize("scenario, message", [
    ([], "scenario: must be a JSON object"),
    ({"until": 10, "bogus": 1}, "scenario: unknown key 'bogus'"),
    ({"events": {}}, "events: must be a list"),
    ({"until": -1}, "until: must be a number ≥ 0"),
    ({"events": [conv(), {"at": 1, "type": "foo"}]}, "events[1]: unknown type 'foo'"),
    ({"events": [{"at": 1}]}, "events[0]: missing 'type'"),
    ({"events": [conv(), conv(at=-1)]}, "events[1].at: must be a number ≥ 0"),
    ({"events": [conv(at="soon")]}, "events[0].at: must be a number ≥ 0"),
    ({"events": [conv(at=True)]}, "events[0].at: must be a number ≥ 0"),
    ({"events": [{"type": "end", "conversation": "c1"}]}, "events[0]: missing 'at'"),
    ({"events": ["x"]}, "events[0]: must be an object"),
    ({"events": [conv(), {"at": 1, "type": "accept", "conversation": "c1"}]}, "events[1]: missing 'agent'"),
    ({"events": [conv(), {"at": 1, "type": "accept", "agent": "Ana", "conversation": "c1", "x": 1}]},
     "events[1]: unknown field 'x'"),
    ({"events": [conv(), {"at": 1, "type": "accept", "agent": "Zoe", "conversation": "c1"}]},
     "events[1].agent: unknown agent 'Zoe'"),
    ({"events": [conv(workstream="Email")]}, "events[0].workstream: unknown work stream 'Email'"),
    ({"events": [conv(), {"at": 1, "type": "presence", "agent": "Ana", "presence": "Lunch"}]},
     "events[1].presence: unknown presence 'Lunch'"),
    ({"events": [conv(context={"ordervalue": "12a"})]}, "events[0].context: ordervalue: '12a' is not a number"),
    ({"events": [conv(context={"country": 12})]}, "events[0].context: country: 12 is not text"),
    ({"events": [conv(context={"colour": "red"})]}, "events[0].context: unknown context variable 'colour'"),
    ({"events": [conv(context=[1])]}, "events[0].context: must be an object"),
    ({"events": [conv(), conv(at=3)]}, "events[1].id: duplicate conversation 'c1'"),
    ({"events": [conv(id="")]}, "events[0].id: must be a non-empty text id"),
    ({"events": [conv(), {"at": 1, "type": "end", "conversation": "c2"}]},
     "events[1].conversation: unknown conversation 'c2'"),
    ({"events": [conv(), {"at": 1, "type": "capacity", "agent": "Ana", "capacity": 1.5}]},
     "events[1].capacity: must be a whole number ≥ 0"),
    ({"until": 5, "events": [conv(at=6)]}, "events[0].at: 6 is after until (5)"),
    ({"agents": {"Zoe": {"presence": "Away"}}}, "agents.Zoe: unknown agent 'Zoe'"),
    ({"agents": {"Ana": {"presence": "Lunch"}}}, "agents.Ana.presence: unknown presence 'Lunch'"),
    ({"agents": {"Ana": {"capacity": -5}}}, "agents.Ana.capacity: must be a whole number ≥ 0"),
    ({"agents": {"Ana": {"mood": "good"}}}, "agents.Ana: unknown field 'mood'"),
    ({"agents": []}, "agents: must be an object"),
])
def test_malformed_scenarios_are_refused_naming_the_bad_part(scenario, message):
    with pytest.raises(UserError) as raised:
        run_scenario(SCENARIO_DOC, scenario)
    assert str(raised.value).startswith(message), str(raised.value)
    with pytest.raises(UserError):
        validate_scenario(SCENARIO_DOC, scenario)


def test_validate_scenario_sorts_and_types():
    plan = validate_scenario(SCENARIO_DOC, {"events": [
        {"at": 9, "type": "end", "conversation": "c1"},
        conv(at=1, context={"ordervalue": "15"}),
    ]})
    assert [e.type for e in plan.events] == ["conversation", "end"]
    assert plan.events[0].fields["context"] == {"ordervalue": 15}
    assert plan.until == 9

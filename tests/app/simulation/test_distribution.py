"""Work distribution of document version 2 in the simulator, one rule at a time, on a virtual clock:
skills, percentage draws, assignment methods, queue priority, capacity profiles, operating hours
and overflow, missed notifications, decline reasons and reconnect affinity -- ties included."""
from __future__ import annotations

import random

import pytest

from app.common.errors import UserError
from app.simulation.clock import VirtualClock
from app.simulation.engine import Simulator, run_scenario, validate_scenario

LEVELS = ["Low", "Mid", "High"]  # position order differs from text order ("High" < "Low" < "Mid")


def stream(name: str = "Chat", **settings) -> dict:
    ws = {"name": name, "channel": "live_chat", "capacity": 10, "notification": "screen_pop_decline",
          "screen_pop_timeout_s": 60, "default_queue": "Support",
          "context_variables": [{"display_name": "Topic", "name": "topic", "type": "text"}]}
    ws.update(settings)
    return ws


def agent(name: str, capacity: int = 100, presence: str = "Available", **settings) -> dict:
    return {"name": name, "capacity": capacity, "presence": presence, **settings}


def document(*streams: dict, agents=None, queues=None, **top) -> dict:
    agents = agents if agents is not None else [agent("Ana"), agent("Ben"), agent("Cy")]
    doc = {"format": "workstream-console/config", "version": 2,
           "rating_models": [{"name": "Level", "values": LEVELS}],
           "skills": [{"name": "Mortgages", "rating_model": "Level"}, {"name": "French", "rating_model": "Level"}],
           "agents": agents,
           "queues": queues if queues is not None else [{"name": "Support", "agents": [a["name"] for a in agents]}],
           "workstreams": list(streams) or [stream()]}
    doc.update(top)
    return doc


def topic_is(value: str) -> dict:
    return {"all": [{"variable": "topic", "operator": "eq", "value": value}]}


CLASSIFY = [
    {"name": "Mortgage", "condition": topic_is("mortgage"), "skills": {"Mortgages": "Mid"}},
    {"name": "Both", "condition": topic_is("both"), "skills": {"Mortgages": "Mid", "French": "High"}},
]


class Harness:
    def __init__(self, doc: dict, **options):
        self.clock = VirtualClock()
        self.sim = Simulator(doc, self.clock, **options)
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

    def offered_to(self, conversation: str) -> list[str]:
        return [e["agent"] for e in self.of("offered", "assigned") if e["conversation"] == conversation]

    def last(self, kind: str) -> dict:
        return self.of(kind)[-1]


# --------------------------------------------------------------------------- skills

def skilled_agents() -> list[dict]:
    return [agent("Ana", skills={"Mortgages": "Low"}),              # below Mid
            agent("Ben", 50, skills={"Mortgages": "High"}),          # qualifies, less free capacity
            agent("Cy", 80, skills={"Mortgages": "Mid", "French": "Mid"})]


def test_exact_offers_only_agents_holding_every_skill_at_or_above_the_rating_by_position():
    h = Harness(document(stream(skill_matching="exact", classification_rules=CLASSIFY, assign_after_decline_s=30),
                         agents=skilled_agents()))
    h.at(0).add_conversation("c1", "Chat", {"topic": "mortgage"})
    assert h.of("classified") == [{"t": 0, "event": "classified", "conversation": "c1",
                                   "skills": {"Mortgages": "Mid"}, "rule": "Mortgage"}]
    # Ana holds "Low" (text-wise above "High", position-wise below "Mid"): not qualified; Cy has more free than Ben
    assert h.offered_to("c1") == ["Cy"]
    assert h.sim.conversation("c1").skills == {"Mortgages": "Mid"}
    h.at(1).decline("Cy", "c1")
    assert h.offered_to("c1") == ["Cy", "Ben"]
    h.at(2).decline("Ben", "c1")  # both cool down; nobody else qualifies: it waits rather than going to Ana
    assert h.offered_to("c1") == ["Cy", "Ben"] and h.last("queued")["reason"] == "no_eligible_agent"
    h.run_to(31)  # Cy's cool-down is over
    assert h.offered_to("c1") == ["Cy", "Ben", "Cy"]


def test_exact_with_every_skill_required_and_nobody_qualified_waits_and_does_not_block_the_queue():
    doc = document(stream(skill_matching="exact", classification_rules=CLASSIFY, assign_after_decline_s=0),
                   agents=[agent("Ana", 10, skills={"Mortgages": "High", "French": "Mid"})])
    h = Harness(doc)
    h.at(0).add_conversation("both", "Chat", {"topic": "both"})  # needs French High: nobody
    assert h.last("queued")["reason"] == "no_eligible_agent"
    h.at(1).add_conversation("plain", "Chat", {"topic": "other"})  # no skills needed: Ana
    assert h.offered_to("plain") == ["Ana"]
    h.at(2).accept("Ana", "plain")
    h.at(3).end("plain")  # Ana frees: the older 'both' still doesn't fit her, it keeps waiting
    assert h.offered_to("both") == []
    h.at(4).add_conversation("later", "Chat", {"topic": "mortgage"})
    assert h.offered_to("later") == ["Ana"]  # the older unqualified one is passed over, not a barrier


def test_closest_ranks_by_requirements_met_then_shortfall_then_the_assignment_method():
    agents = [agent("Ana", 10, skills={"Mortgages": "High"}),                    # meets 1 of 2, French missing
              agent("Ben", 10, skills={"Mortgages": "Mid", "French": "Mid"}),    # meets 1, short 1 step
              agent("Cy", 20, skills={"Mortgages": "Low", "French": "Low"}),     # meets 0
              agent("Di", 10, skills={"Mortgages": "Mid", "French": "High"})]    # meets 2: best, least capacity
    h = Harness(document(stream(capacity=10, skill_matching="closest", classification_rules=CLASSIFY),
                         agents=agents))
    for index, expected in enumerate(["Di", "Ben", "Ana", "Cy"]):
        h.at(index).add_conversation(f"c{index}", "Chat", {"topic": "both"})
        assert h.offered_to(f"c{index}") == [expected]


def test_closest_ties_on_coverage_fall_to_highest_capacity_then_last_offer_then_name():
    agents = [agent("Bo", 30, skills={"Mortgages": "Mid"}), agent("Al", 30, skills={"Mortgages": "High"}),
              agent("Cy", 50)]
    h = Harness(document(stream(skill_matching="closest", classification_rules=CLASSIFY, capacity=10),
                         agents=agents))
    h.at(0).add_conversation("c1", "Chat", {"topic": "mortgage"})  # Al and Bo both meet it: equal free, name
    h.at(0).add_conversation("c2", "Chat", {"topic": "mortgage"})  # Bo has more free now
    h.at(0).add_conversation("c3", "Chat", {"topic": "mortgage"})  # equal free again (20): Al offered earlier? same t: name
    h.at(0).add_conversation("c4", "Chat", {"topic": "other"})     # unclassified: plain highest capacity -> Cy
    assert [h.offered_to(c)[0] for c in ("c1", "c2", "c3", "c4")] == ["Al", "Bo", "Al", "Cy"]


def test_skill_matching_none_ignores_classified_skills_but_still_reports_them():
    h = Harness(document(stream(skill_matching="none", classification_rules=CLASSIFY), agents=skilled_agents()))
    h.at(0).add_conversation("c1", "Chat", {"topic": "mortgage"})
    assert h.of("classified")[0]["skills"] == {"Mortgages": "Mid"}
    assert h.offered_to("c1") == ["Ana"]  # most free capacity, skills or not


def test_a_stream_without_classification_rules_emits_no_classified_event():
    h = Harness(document(stream(skill_matching="exact")))
    h.at(0).add_conversation("c1", "Chat", {})
    assert h.of("classified") == [] and h.sim.conversation("c1").skills == {}


def test_agent_view_shows_skills_and_profiles():
    doc = document(stream(), agents=[agent("Ana", skills={"French": "High"}, capacity_profiles={"Chat": 5}),
                                     agent("Ben")],
                   capacity_profiles=[{"name": "Chat", "work_item_limit": 2}, {"name": "Email", "work_item_limit": 4}])
    sim = Simulator(doc, VirtualClock())
    ana, ben = sim.agent("Ana"), sim.agent("Ben")
    assert (ana.skills, ana.profiles) == ({"French": "High"}, {"Chat": 5, "Email": 4})
    assert (ben.skills, ben.profiles) == ({}, {"Chat": 2, "Email": 4})


# --------------------------------------------------------------------------- percentage draws

SPLIT = [{"name": "Split", "condition": {"all": []},
          "queues": [{"queue": "A", "percent": 30}, {"queue": "B", "percent": 70}]}]


def split_doc() -> dict:
    return document(stream(routing_rules=SPLIT, default_queue="A"),
                    queues=[{"name": "A", "agents": ["Ana"]}, {"name": "B", "agents": ["Ben"]}])


def test_each_conversation_draws_from_the_seeded_generator_and_routed_carries_the_draw():
    h = Harness(split_doc(), seed=42)
    for index in range(30):
        h.at(index).add_conversation(f"c{index}", "Chat", {})
    rng = random.Random(42)
    draws = [rng.random() * 100 for _ in range(30)]
    routed = h.of("routed")
    assert [e["draw"] for e in routed] == draws
    assert [e["queue"] for e in routed] == ["A" if d < 30 else "B" for d in draws]
    assert [h.sim.conversation(f"c{i}").draw for i in range(30)] == draws
    assert {"A", "B"} == {e["queue"] for e in routed}


def test_the_same_seed_gives_the_same_queues_and_another_seed_other_ones():
    def queues(seed):
        h = Harness(split_doc(), seed=seed)
        for index in range(40):
            h.at(index).add_conversation(f"c{index}", "Chat", {})
        return [e["queue"] for e in h.of("routed")]
    assert queues(7) == queues(7)
    assert queues(7) != queues(8)


def test_rules_that_are_not_splits_consume_no_draw_and_carry_none():
    ws = stream(default_queue="A", routing_rules=[{"name": "Direct", "queue": "B", "condition": topic_is("b")}, *SPLIT])
    h = Harness(document(ws, queues=[{"name": "A", "agents": ["Ana"]}, {"name": "B", "agents": ["Ben"]}]), seed=3)
    h.at(0).add_conversation("direct", "Chat", {"topic": "b"})
    h.at(0).add_conversation("split", "Chat", {"topic": "x"})
    direct, split = h.of("routed")
    assert "draw" not in direct
    assert split["draw"] == random.Random(3).random() * 100  # the first draw: 'direct' took none


def test_run_scenario_takes_the_seed():
    scenario = {"events": [{"at": i, "type": "conversation", "id": f"c{i}", "workstream": "Chat"} for i in range(10)]}
    first = run_scenario(split_doc(), scenario, seed=5)
    assert first == run_scenario(split_doc(), scenario, seed=5)
    assert [e["draw"] for e in first if e["event"] == "routed"][0] == random.Random(5).random() * 100


# --------------------------------------------------------------------------- assignment methods

def method_doc(method: str, agents=None, **ws) -> dict:
    agents = agents or [agent("Cy"), agent("Ana"), agent("Ben")]
    return document(stream(**ws), agents=agents,
                    queues=[{"name": "Support", "agents": [a["name"] for a in agents], "assignment_method": method}])


def test_round_robin_goes_to_the_member_after_the_last_one_offered_in_the_queues_order():
    h = Harness(method_doc("round_robin", notification="direct_open"))
    for index in range(5):
        h.at(index).add_conversation(f"c{index}", "Chat", {})
    # the queue's member order (Cy, Ana, Ben), not names nor free capacity
    assert [h.offered_to(f"c{i}")[0] for i in range(5)] == ["Cy", "Ana", "Ben", "Cy", "Ana"]
    assert h.sim.queue("Support").assignment_method == "round_robin"


def test_round_robin_skips_ineligible_members_and_wraps_round():
    h = Harness(method_doc("round_robin", notification="direct_open"))
    h.at(0).set_presence("Ana", "Away")
    for index in range(4):
        h.at(index).add_conversation(f"c{index}", "Chat", {})
    assert [h.offered_to(f"c{i}")[0] for i in range(4)] == ["Cy", "Ben", "Cy", "Ben"]
    h.at(10).set_presence("Ana", "Available")
    h.at(11).add_conversation("c4", "Chat", {})  # after Ben comes Cy: Ana is behind Cy in the order
    assert h.offered_to("c4") == ["Cy"]
    h.at(12).add_conversation("c5", "Chat", {})
    assert h.offered_to("c5") == ["Ana"]


def test_least_active_prefers_the_longest_since_a_capacity_release_never_first_then_queue_order():
    h = Harness(method_doc("least_active", notification="direct_open"))
    h.at(0).add_conversation("c0", "Chat", {})  # nobody released yet: the first in the queue's order
    h.at(1).add_conversation("c1", "Chat", {})  # Cy's never released either: still Cy (ties: queue order)
    assert [h.offered_to("c0")[0], h.offered_to("c1")[0]] == ["Cy", "Cy"]
    h.at(5).end("c0")  # Cy released at 5: Ana and Ben never have
    h.at(6).add_conversation("c2", "Chat", {})
    assert h.offered_to("c2") == ["Ana"]
    h.at(7).end("c2")   # Ana at 7
    h.at(8).add_conversation("c3", "Chat", {})
    assert h.offered_to("c3") == ["Ben"]
    h.at(9).end("c3")   # Ben at 9: Cy (5) is now the longest since a release
    h.at(10).add_conversation("c4", "Chat", {})
    assert h.offered_to("c4") == ["Cy"]


def test_highest_capacity_is_the_default_and_unchanged():
    h = Harness(method_doc("highest_capacity", agents=[agent("Ana", 50), agent("Ben", 80), agent("Cy", 80)]))
    h.at(0).add_conversation("c0", "Chat", {})
    assert h.offered_to("c0") == ["Ben"]  # 80 free, then name
    assert h.sim.queue("Support").assignment_method == "highest_capacity"


# --------------------------------------------------------------------------- queue priority

def priority_doc(low_priority: int, high_priority: int) -> dict:
    return document(stream("Low", default_queue="Low", notification="direct_open", capacity=100),
                    stream("High", default_queue="High", notification="direct_open", capacity=100),
                    agents=[agent("Ana")],
                    queues=[{"name": "Low", "agents": ["Ana"], "priority": low_priority},
                            {"name": "High", "agents": ["Ana"], "priority": high_priority}])


def test_an_agent_in_several_queues_gets_the_oldest_of_the_highest_priority_queue_first():
    h = Harness(priority_doc(low_priority=5, high_priority=1))
    h.at(0).add_conversation("busy", "Low", {})    # Ana is full
    h.at(1).add_conversation("low-1", "Low", {})
    h.at(2).add_conversation("low-2", "Low", {})
    h.at(3).add_conversation("high-1", "High", {})  # newer, but its queue comes first
    h.at(10).end("busy")
    assert h.offered_to("high-1") == ["Ana"]
    h.at(11).end("high-1")
    assert h.offered_to("low-1") == ["Ana"] and h.offered_to("low-2") == []  # then FIFO
    assert [q.priority for q in h.sim.queues()] == [5, 1]


def test_queues_of_equal_priority_are_served_oldest_first_across_them():
    h = Harness(priority_doc(low_priority=3, high_priority=3))
    h.at(0).add_conversation("busy", "High", {})
    h.at(1).add_conversation("low-1", "Low", {})   # oldest, in the queue listed first for Ana anyway
    h.at(2).add_conversation("high-1", "High", {})
    h.at(10).end("busy")
    assert h.offered_to("low-1") == ["Ana"]
    h2 = Harness(priority_doc(low_priority=3, high_priority=3))
    h2.at(0).add_conversation("busy", "Low", {})
    h2.at(1).add_conversation("high-1", "High", {})  # oldest, though 'High' is Ana's second queue
    h2.at(2).add_conversation("low-1", "Low", {})
    h2.at(10).end("busy")
    assert h2.offered_to("high-1") == ["Ana"] and h2.offered_to("low-1") == []


# --------------------------------------------------------------------------- capacity profiles

def profile_doc(**ws) -> dict:
    return document(stream(capacity_format="profile", capacity_profile="Chat", notification="direct_open", **ws),
                    stream("Units", notification="direct_open", capacity=60),
                    agents=[agent("Ana", 100, capacity_profiles={"Chat": 1}), agent("Ben", 100)],
                    capacity_profiles=[{"name": "Chat", "work_item_limit": 2}])


def test_a_profile_stream_needs_a_free_slot_of_its_profile_and_uses_no_units():
    h = Harness(profile_doc())
    for index in range(4):
        h.at(index).add_conversation(f"c{index}", "Chat", {})
    # Ben (limit 2, the profile's) has the most free slots, then Ana (her override: 1), then Ben again
    assert [h.offered_to(f"c{i}") for i in range(4)] == [["Ben"], ["Ana"], ["Ben"], []]
    assert h.last("queued") == {"t": 3, "event": "queued", "conversation": "c3", "queue": "Support",
                                "reason": "no_eligible_agent"}
    assert h.sim.agent("Ben").free_capacity == 100  # units untouched
    h.at(4).add_conversation("u1", "Units", {})      # a units stream still fits beside the profile items
    assert h.offered_to("u1") == ["Ana"]
    h.at(5).end("c1")  # Ana's Chat slot frees: the waiting c3 takes it
    released = h.last("capacity_released")
    assert (released["profile"], released["free_slots"], released["units"]) == ("Chat", 1, 0)
    assert h.offered_to("c3") == ["Ana"]


def test_picking_a_profile_item_needs_a_free_slot():
    h = Harness(profile_doc(distribution_mode="pick"))
    h.at(0).add_conversation("c0", "Chat", {})
    h.at(0).add_conversation("c1", "Chat", {})
    h.at(1).pick("Ana", "c0")
    h.at(2).pick("Ana", "c1")
    assert h.last("pick_rejected")["reason"] == "'Ana' already has 1 work items of capacity profile 'Chat', its limit"
    h.at(3).pick("Ben", "c1")
    assert h.sim.conversation("c1").agent == "Ben"


# --------------------------------------------------------------------------- operating hours and overflow

OFFICE = {"timezone": "Europe/London", "week": {"mon": [["09:00", "17:00"]]}}
MONDAY_0850 = "2026-12-07T08:50:00"


def hours_doc(overflow=(), default_queue="General", **ws) -> dict:
    return document(stream(default_queue=default_queue, routing_rules=[
        {"name": "Desk", "queue": "Desk", "condition": topic_is("desk")}], notification="direct_open", **ws),
        agents=[agent("Ana"), agent("Ben")],
        queues=[{"name": "Desk", "agents": ["Ana"], "operating_hours": OFFICE, "overflow": list(overflow)},
                {"name": "General", "agents": ["Ben"]}])


def test_a_closed_queue_keeps_its_conversations_until_it_opens():
    h = Harness(hours_doc(), start=MONDAY_0850)
    h.at(0).add_conversation("c1", "Chat", {"topic": "desk"})
    assert h.last("queued")["reason"] == "closed"
    assert h.sim.queue("Desk").is_open is False
    h.run_to(599)
    assert h.offered_to("c1") == []
    h.run_to(600)  # 09:00
    assert h.of("assigned")[-1] == {"t": 600, "event": "assigned", "conversation": "c1", "agent": "Ana",
                                    "via": "direct_open"}
    assert h.sim.queue("Desk").is_open is True


def test_conversations_left_waiting_when_the_queue_closes_are_offered_when_it_reopens():
    h = Harness(hours_doc(), start="2026-12-07T16:50:00")  # Desk closes at 17:00, opens Monday next
    h.at(0).set_presence("Ana", "Away")
    h.at(1).add_conversation("c1", "Chat", {"topic": "desk"})
    assert h.last("queued")["reason"] == "no_eligible_agent"
    h.at(700).set_presence("Ana", "Available")  # 17:01:40: closed, so no offer
    assert h.offered_to("c1") == []
    next_monday_0900 = 600 + (7 * 24 - 8) * 3600
    h.run_to(next_monday_0900 - 1)
    assert h.offered_to("c1") == []
    h.run_to(next_monday_0900)
    assert h.offered_to("c1") == ["Ana"] and h.last("assigned")["t"] == next_monday_0900


def test_a_queue_that_never_opens_keeps_its_conversations_and_is_looked_up_once(monkeypatch):
    from app.simulation.hours import QueueHours

    doc = hours_doc()
    doc["queues"][0]["operating_hours"] = {"timezone": "UTC", "week": {}}
    h = Harness(doc, start=MONDAY_0850)
    calls = []
    original = QueueHours.next_change
    monkeypatch.setattr(QueueHours, "next_change", lambda self, t, *a: calls.append(t) or original(self, t, *a))
    for index in range(20):
        h.at(index).add_conversation(f"c{index}", "Chat", {"topic": "desk"})
    h.run_to(366 * 86_400)
    assert h.offered_to("c0") == [] and len(h.of("queued")) == 20 and len(calls) == 1


def test_without_a_start_every_queue_is_always_open():
    h = Harness(hours_doc([{"when": "closed", "action": "transfer", "queue": "General"}]))
    h.at(0).add_conversation("c1", "Chat", {"topic": "desk"})
    assert h.offered_to("c1") == ["Ana"] and h.of("overflowed") == []


def test_overflow_when_closed_transfers_to_another_queue():
    h = Harness(hours_doc([{"when": "closed", "action": "transfer", "queue": "General"}]), start=MONDAY_0850)
    h.at(0).add_conversation("c1", "Chat", {"topic": "desk"})
    assert h.of("overflowed") == [{"t": 0, "event": "overflowed", "conversation": "c1", "queue": "Desk",
                                   "when": "closed", "action": "transfer", "to": "General"}]
    assert h.offered_to("c1") == ["Ben"] and h.sim.conversation("c1").queue == "General"
    h.at(600).add_conversation("c2", "Chat", {"topic": "desk"})  # open now: no overflow
    assert h.offered_to("c2") == ["Ana"] and len(h.of("overflowed")) == 1


def test_overflow_when_closed_may_assign_anyway():
    h = Harness(hours_doc([{"when": "closed", "action": "assign_anyway"}]), start=MONDAY_0850)
    h.at(0).add_conversation("c1", "Chat", {"topic": "desk"})
    assert h.last("overflowed")["action"] == "assign_anyway" and "to" not in h.last("overflowed")
    assert h.offered_to("c1") == ["Ana"]


def test_assign_anyway_conversations_that_wait_are_offered_while_closed_others_are_not():
    doc = hours_doc([{"when": "closed", "action": "assign_anyway"}])
    h = Harness(doc, start=MONDAY_0850)
    h.at(0).set_presence("Ana", "Away")
    h.at(1).add_conversation("anyway", "Chat", {"topic": "desk"})
    h.at(2).set_presence("Ana", "Available")  # still closed: the assign-anyway one is offered
    assert h.offered_to("anyway") == ["Ana"]


def test_overflow_when_waiting_exceeds_the_limit_ends_the_conversation_with_its_reason():
    overflow = [{"when": "waiting_exceeds", "limit": 2, "action": "end", "reason": "busy"}]
    h = Harness(hours_doc(overflow))
    h.at(0).set_presence("Ana", "Away")
    for index in range(3):
        h.at(index).add_conversation(f"c{index}", "Chat", {"topic": "desk"})
    # two may wait; the third would make three (more than the limit of 2)
    assert [e["conversation"] for e in h.of("queued")] == ["c0", "c1"]
    assert h.of("overflowed") == [{"t": 2, "event": "overflowed", "conversation": "c2", "queue": "Desk",
                                   "when": "waiting_exceeds", "action": "end", "reason": "busy"}]
    assert h.last("closed") == {"t": 2, "event": "closed", "conversation": "c2", "reason": "overflow"}
    assert h.sim.conversation("c2").state == "closed" and h.sim.conversation("c2").closed_reason == "overflow"


def test_the_default_queue_ignores_overflow():
    h = Harness(hours_doc([{"when": "closed", "action": "transfer", "queue": "General"}], default_queue="Desk"),
                start=MONDAY_0850)
    h.at(0).add_conversation("c1", "Chat", {"topic": "other"})  # no rule: the default queue, Desk
    assert h.of("overflowed") == [] and h.last("queued")["reason"] == "closed"


def test_transfers_never_loop():
    doc = document(stream(default_queue="General", notification="direct_open", routing_rules=[
        {"name": "A", "queue": "A", "condition": topic_is("a")}]),
        queues=[{"name": "A", "agents": ["Ana"], "operating_hours": OFFICE,
                 "overflow": [{"when": "closed", "action": "transfer", "queue": "B"}]},
                {"name": "B", "agents": ["Ben"], "operating_hours": OFFICE,
                 "overflow": [{"when": "closed", "action": "transfer", "queue": "A"}]},
                {"name": "General", "agents": ["Cy"]}])
    h = Harness(doc, start=MONDAY_0850)
    h.at(0).add_conversation("c1", "Chat", {"topic": "a"})
    assert [(e["queue"], e["to"]) for e in h.of("overflowed")] == [("A", "B"), ("B", "A")]
    assert h.last("queued") == {"t": 0, "event": "queued", "conversation": "c1", "queue": "A", "reason": "closed"}


def test_a_scenario_start_sets_the_calendar_and_is_checked():
    doc = hours_doc([{"when": "closed", "action": "transfer", "queue": "General"}])
    events = [{"at": 0, "type": "conversation", "id": "c1", "workstream": "Chat", "context": {"topic": "desk"}}]
    assert [e["event"] for e in run_scenario(doc, {"start": MONDAY_0850, "events": events})][:2] == [
        "routed", "overflowed"]
    assert "overflowed" not in [e["event"] for e in run_scenario(doc, {"start": "2026-12-07T09:00", "events": events})]
    with pytest.raises(UserError, match=r"^start: 'soon' is not a date-time"):
        validate_scenario(doc, {"start": "soon", "events": events})


# --------------------------------------------------------------------------- missed notifications

def test_a_missed_pop_sets_the_streams_presence_before_the_next_offer():
    h = Harness(document(stream(missed_notification_presence="Away")))
    h.at(0).add_conversation("c1", "Chat", {})
    h.run_to(60)
    expired = [e for e in h.events if e["t"] == 60]
    assert [e["event"] for e in expired] == ["offer_expired", "presence_changed", "capacity_released", "offered"]
    assert expired[1] == {"t": 60, "event": "presence_changed", "agent": "Ana", "presence": "Away", "base": "away",
                          "reason": "missed_notification"}
    assert expired[3]["agent"] == "Ben" and h.sim.agent("Ana").presence == "Away"


def test_without_the_setting_or_already_in_that_presence_nothing_changes():
    h = Harness(document(stream()))
    h.at(0).add_conversation("c1", "Chat", {})
    h.run_to(60)
    assert h.of("presence_changed") == []
    h2 = Harness(document(stream(missed_notification_presence="Available")))
    h2.at(0).add_conversation("c1", "Chat", {})
    h2.run_to(60)
    assert h2.of("presence_changed") == []


# --------------------------------------------------------------------------- decline reasons

def test_a_decline_may_give_one_of_the_streams_reasons():
    h = Harness(document(stream(decline_reasons=["Busy", "Wrong skill"])))
    h.at(0).add_conversation("c1", "Chat", {})
    h.at(1).decline("Ana", "c1", "wrong SKILL")
    assert h.last("declined") == {"t": 1, "event": "declined", "conversation": "c1", "agent": "Ana",
                                  "reason": "Wrong skill"}
    h.at(2).decline("Ben", "c1", "lunch")
    assert h.last("action_rejected")["reason"] == ("'lunch' is not a decline reason of work stream 'Chat' "
                                                   "(its reasons: 'Busy', 'Wrong skill')")
    h.at(3).decline("Ben", "c1")
    assert "reason" not in h.last("declined")


def test_scenario_decline_reasons_are_checked_with_their_path():
    doc = document(stream(decline_reasons=["Busy"]))
    events = [{"at": 0, "type": "conversation", "id": "c1", "workstream": "Chat"},
              {"at": 1, "type": "decline", "agent": "Ana", "conversation": "c1", "reason": "busy"}]
    declined = [e for e in run_scenario(doc, {"events": events}) if e["event"] == "declined"]
    assert declined[0]["reason"] == "Busy"
    events[1]["reason"] = "tired"
    with pytest.raises(UserError, match=r"^events\[1\]\.reason: 'tired' is not a decline reason of work stream 'Chat'"):
        validate_scenario(doc, {"events": events})
    events[1]["reason"] = 5
    with pytest.raises(UserError, match=r"^events\[1\]\.reason: 5 is not"):
        validate_scenario(doc, {"events": events})


# --------------------------------------------------------------------------- reconnect affinity

def reconnect_doc(window: int = 300, **ws) -> dict:
    return document(stream(reconnect_window_s=window, notification="direct_open", capacity=60, **ws),
                    agents=[agent("Ana", 100), agent("Ben", 100)])


def test_a_reconnect_within_the_window_goes_back_to_the_last_agent_whatever_her_capacity_and_presence():
    h = Harness(reconnect_doc())
    h.at(0).add_conversation("c1", "Chat", {})
    assert h.offered_to("c1") == ["Ana"]
    h.at(10).end("c1")
    h.at(11).set_presence("Ana", "Offline")
    h.at(12).set_capacity("Ana", 40)
    h.at(310).reconnect("c1")                      # 300 s after it closed: still within
    assert h.of("reconnected")[-1] == {"t": 310, "event": "reconnected", "conversation": "c1", "agent": "Ana",
                                       "within_window": True}
    assert h.last("assigned") == {"t": 310, "event": "assigned", "conversation": "c1", "agent": "Ana",
                                  "via": "reconnect"}
    assert h.sim.agent("Ana").free_capacity == -20 and h.sim.conversation("c1").state == "active"


def test_a_reconnect_after_the_window_or_without_one_is_routed_anew():
    for window, at in ((300, 311), (0, 11)):
        h = Harness(reconnect_doc(window))
        h.at(0).add_conversation("c1", "Chat", {})
        h.at(10).end("c1")
        h.at(at).reconnect("c1")
        assert h.of("reconnected")[-1]["within_window"] is False
        assert [e["event"] for e in h.events if e["t"] == at] == ["reconnected", "routed", "assigned"]
        assert h.sim.conversation("c1").arrived_at == at


def test_a_reconnect_during_wrap_up_takes_the_blocked_capacity_back():
    h = Harness(reconnect_doc(wrap_up_block_s=100))
    h.at(0).add_conversation("c1", "Chat", {})
    h.at(10).end("c1")
    assert h.sim.agent("Ana").wrap_up_units == 60
    h.at(20).reconnect("c1")
    ana = h.sim.agent("Ana")
    assert (ana.wrap_up_units, ana.free_capacity, ana.active) == (0, 40, ("c1",))
    h.run_to(200)  # the old wrap-up timer releases nothing
    assert [e for e in h.of("capacity_released") if e["conversation"] == "c1"] == []


def test_reconnect_needs_a_closed_conversation_and_scenarios_accept_it():
    h = Harness(reconnect_doc())
    h.at(0).add_conversation("c1", "Chat", {})
    h.at(1).reconnect("c1")
    assert h.last("action_rejected")["reason"] == "conversation 'c1' is active, not closed"
    events = [{"at": 0, "type": "conversation", "id": "c1", "workstream": "Chat"},
              {"at": 5, "type": "end", "conversation": "c1"},
              {"at": 9, "type": "reconnect", "conversation": "c1"}]
    played = run_scenario(reconnect_doc(), {"events": events})
    assert [e["event"] for e in played if e["t"] == 9] == ["reconnected", "assigned"]
    with pytest.raises(UserError, match=r"^events\[0\]\.conversation: unknown conversation 'x'"):
        validate_scenario(reconnect_doc(), {"events": [{"at": 0, "type": "reconnect", "conversation": "x"}]})


# --------------------------------------------------------------------------- views and defaults

def test_queue_views_show_priority_method_and_whether_open():
    doc = hours_doc()
    doc["queues"][1].update(priority=2, assignment_method="least_active")
    sim = Simulator(doc, VirtualClock(), start=MONDAY_0850)
    desk, general = sim.queue("Desk"), sim.queue("General")
    assert (desk.priority, desk.assignment_method, desk.is_open) == (10_000, "highest_capacity", False)
    assert (general.priority, general.assignment_method, general.is_open) == (2, "least_active", True)


def test_positional_construction_still_works():
    sim = Simulator(document(stream()), VirtualClock())
    assert sim.queue("Support").is_open is True and sim.start is None
    assert Simulator(document(stream()), VirtualClock(), 3, MONDAY_0850).start.isoformat() == MONDAY_0850

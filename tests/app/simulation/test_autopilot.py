"""Simulated agents answering their own pops (app/simulation/autopilot.py), on a virtual clock."""
from __future__ import annotations

from app.simulation.autopilot import AutoAnswer
from app.simulation.engine import ACTIVE, CLOSED, OFFERED
from tests.app.simulation.test_engine import Harness, document, workstream


def harness(**settings) -> Harness:
    """One agent with room for ten conversations of one unit each."""
    return Harness(document(workstream(capacity=1, **settings), agents=[("Ana", 10)]))


def run(h: Harness, pilot: AutoAnswer, until: float, step: float = 1.0) -> None:
    """Tick the simulator and the autopilot together, as the panel does on each tick."""
    t = h.clock.now()
    while t < until:
        t = min(until, t + step)
        h.run_to(t)
        pilot.play_due(t)


def test_every_pop_is_accepted_within_the_response_time_and_ended_after_the_handling():
    h = harness(screen_pop_timeout_s=60)
    pilot = AutoAnswer(h.sim, seed=7, response_s=(3, 12), handle_s=(180, 420))
    h.at(0).add_conversation("c1", "Chat")
    h.at(0).add_conversation("c2", "Chat")
    assert h.sim.conversation("c1").state == OFFERED
    run(h, pilot, 13)
    assert [h.sim.conversation(c).state for c in ("c1", "c2")] == [ACTIVE, ACTIVE]
    accepted = {e["conversation"]: e["t"] for e in h.of("accepted")}
    assert set(accepted) == {"c1", "c2"} and all(3 <= t <= 13 for t in accepted.values())
    assert not h.of("offer_expired", "action_rejected")
    run(h, pilot, 13 + 421)
    assert [h.sim.conversation(c).state for c in ("c1", "c2")] == [CLOSED, CLOSED]
    closed = {e["conversation"]: e["t"] for e in h.of("closed")}
    assert all(180 <= closed[c] - accepted[c] <= 421 for c in closed)
    assert (pilot.accepted, pilot.ended) == (2, 2)


def test_without_it_the_pop_expires():
    """The other side of the same scene: nobody answers, the offer runs out."""
    h = harness(screen_pop_timeout_s=60)
    h.at(0).add_conversation("c1", "Chat")
    h.run_to(61)
    assert h.of("offer_expired")


def test_what_the_trainer_did_first_is_left_alone():
    h = harness(screen_pop_timeout_s=60)
    pilot = AutoAnswer(h.sim, seed=1, response_s=(10, 10), handle_s=(100, 100))
    h.at(0).add_conversation("c1", "Chat")
    h.at(2).accept("Ana", "c1")  # by hand, before the autopilot's turn
    h.at(50).end("c1")  # and ended by hand too
    run(h, pilot, 200)
    assert not h.of("action_rejected")  # never asked to accept or end what was no longer there
    assert (pilot.accepted, pilot.ended) == (0, 0)
    assert len(h.of("accepted")) == 1 and len(h.of("closed")) == 1


def test_the_same_seed_gives_the_same_run():
    def times(seed: int) -> list[float]:
        h = harness(screen_pop_timeout_s=60)
        pilot = AutoAnswer(h.sim, seed=seed)
        for n in range(5):
            h.at(n).add_conversation(f"c{n}", "Chat")
        run(h, pilot, 600)
        return [e["t"] for e in h.of("accepted", "closed")]

    assert times(3) == times(3)
    assert times(3) != times(4)


def test_closed_it_does_nothing_more():
    h = harness(screen_pop_timeout_s=60)
    pilot = AutoAnswer(h.sim, seed=1)
    h.at(0).add_conversation("c1", "Chat")
    pilot.close()
    run(h, pilot, 30)
    assert h.sim.conversation("c1").state == OFFERED and pilot.accepted == 0


def test_switched_on_mid_run_it_takes_the_pops_already_up_and_the_chats_going():
    h = harness(screen_pop_timeout_s=60)
    h.at(0).add_conversation("c1", "Chat")
    h.at(0).add_conversation("c2", "Chat")
    h.at(5).accept("Ana", "c2")
    pilot = AutoAnswer(h.sim, seed=2, response_s=(3, 3), handle_s=(100, 100))
    run(h, pilot, 20)
    assert h.sim.conversation("c1").state == ACTIVE  # the pop that was up
    run(h, pilot, 200)
    assert {e["conversation"] for e in h.of("closed")} == {"c1", "c2"}  # the chat that was going, too

"""The lab's simulator: the same rules as ``Simulator``, events handed to hooks, trusted arrivals and ends."""
from __future__ import annotations

from app.simulation.clock import VirtualClock
from app.simulation.engine import Simulator
from app.simulation.lab_simulator import LabSimulator
from tests.app.simulation.test_engine import document, workstream

EVENTS = ("routed", "offered", "accepted", "assigned", "declined", "offer_expired", "queued",
          "capacity_released", "closed", "presence_changed")


def pops() -> dict:
    """Two agents of one capacity slot each, 30 s pops: enough to queue, expire and re-offer."""
    return document(workstream(screen_pop_timeout_s=30, wrap_up_block_s=5),
                    agents=[("Ana", 10), ("Ben", 10)])


def script(sim, clock, *, trusted: bool) -> None:
    """The same day of actions, through the public actions or the trusted ones."""
    def arrive(t, conv):
        if trusted:
            sim.arrive_at(t, conv, "Chat", {})
        else:
            clock.set(t)
            sim.add_conversation(conv, "Chat")

    def end(t, conv):
        if trusted:
            sim.end_at(t, conv)
        else:
            clock.set(t)
            sim.end(conv)

    arrive(0, "c1")
    arrive(1, "c2")
    arrive(2, "c3")                  # both agents hold a pop: c3 waits
    clock.set(10)
    sim.accept("Ana", "c1")
    end(50, "c3")                    # c2's pop expired at 31 (a timer due before this end)
    end(80, "c1")
    end(90, "c1")                    # already closed: nothing happens
    clock.set(200)
    sim.advance_to(200)


def plain_events() -> list[dict]:
    clock = VirtualClock(0)
    sim = Simulator(pops(), clock)
    seen: list[dict] = []
    sim.subscribe(seen.append)
    script(sim, clock, trusted=False)
    return [e for e in seen if e["event"] in EVENTS]


def test_hooks_get_every_event_the_plain_simulator_emits_in_the_same_order():
    clock = VirtualClock(0)
    sim = LabSimulator(pops(), clock)
    hooked: list[dict] = []
    sim.set_hooks({name: (lambda fields, name=name: hooked.append({"event": name, **fields})) for name in EVENTS})
    script(sim, clock, trusted=True)
    expected = plain_events()
    assert [e["event"] for e in expected].count("offer_expired") >= 1  # the script reaches the timers
    assert len(hooked) == len(expected)
    for got, want in zip(hooked, expected):
        assert got == want  # the same fields; times equal as numbers (float here, int there)


def test_unhooked_events_cost_nothing_and_listeners_still_get_ordinary_dicts():
    clock = VirtualClock(0)
    sim = LabSimulator(pops(), clock)
    closed: list[dict] = []
    sim.set_hooks({"closed": closed.append})
    listened: list[dict] = []
    sim.subscribe(listened.append)
    script(sim, clock, trusted=True)
    assert [e["conversation"] for e in closed] == ["c3", "c1"]
    assert all("t" in e for e in closed)
    assert [e for e in listened if e["event"] in EVENTS] == plain_events()
    assert all(e["t"].__class__ is int for e in listened)  # whole seconds as ints, as Simulator does


def test_a_trusted_arrival_fires_the_timers_due_before_it_first():
    clock = VirtualClock(0)
    sim = LabSimulator(document(workstream(screen_pop_timeout_s=30), agents=[("Ana", 10)]), clock)
    order: list[tuple] = []
    sim.set_hooks({"offer_expired": lambda f: order.append(("expired", f["t"])),
                   "routed": lambda f: order.append(("routed", f["conversation"], f["t"]))})
    sim.arrive_at(0, "c1", "Chat", {})
    sim.arrive_at(45, "c2", "Chat", {})
    assert order == [("routed", "c1", 0), ("expired", 30), ("routed", "c2", 45)]
    assert sim.time == 45


def test_a_trusted_end_of_a_closed_conversation_changes_nothing():
    clock = VirtualClock(0)
    sim = LabSimulator(document(workstream(notification="direct_open"), agents=[("Ana", 10)]), clock)
    closed: list[str] = []
    sim.set_hooks({"closed": lambda f: closed.append(f["conversation"])})
    sim.arrive_at(0, "c1", "Chat", {})
    sim.end_at(10, "c1")
    sim.end_at(20, "c1")
    assert closed == ["c1"]
    assert sim.time == 10  # the second end did not even move the time


def test_hooks_get_the_same_events_while_a_listener_comes_and_goes():
    """The commonest events skip ``_emit`` while nobody listens, and go through it while someone does:
    the hooks see the same sequence either way, and a listener gone stops getting events."""
    clock = VirtualClock(0)
    sim = LabSimulator(pops(), clock)
    hooked: list[dict] = []
    sim.set_hooks({name: (lambda fields, name=name: hooked.append({"event": name, **fields})) for name in EVENTS})
    listened: list[dict] = []
    unsubscribe = sim.subscribe(listened.append)
    sim.arrive_at(0, "c1", "Chat", {})  # through _emit: both see it
    unsubscribe()
    sim.arrive_at(1, "c2", "Chat", {})  # direct again: only the hooks
    clock.set(10)
    sim.accept("Ana", "c1")
    sim.end_at(20, "c1")
    clock.set(30)
    sim.advance_to(30)  # the wrap-up (5 s) is over: the capacity comes back
    hooked_names = [e["event"] for e in hooked]
    assert hooked_names == ["routed", "offered", "routed", "offered", "accepted", "closed", "capacity_released"]
    assert [e["event"] for e in listened] == ["routed", "offered"]
    assert hooked[:2] == [{**e, "t": float(e["t"])} for e in listened]


def test_the_engine_s_trusted_entry_points_emit_what_its_public_actions_do():
    clock = VirtualClock(0)
    sim = Simulator(pops(), clock)
    seen: list[dict] = []
    sim.subscribe(seen.append)
    script(sim, clock, trusted=True)
    trusted = [e for e in seen if e["event"] in EVENTS]
    assert [e["event"] for e in trusted].count("closed") == 2
    assert trusted == plain_events()
    assert all(timer[0] > sim.time for timer in sim.timers)  # every timer due by the end has fired

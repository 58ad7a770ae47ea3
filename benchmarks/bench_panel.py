"""The live agent panel under load: is the window still responsive at 60×?

Two rows — 200 agents / 1,000 conversations and 500 agents / 5,000
conversations, in many queues — each a real ``AgentPanel`` (cards, pops, log,
toast) shown offscreen at 1280×800 and run at 60× on the real Qt event loop
for ``RUN_S`` wall seconds.  Conversations arrive over the first six minutes
of simulated time; a bot answers the pops like agents would (most accepted
after a few seconds, some declined, some left to expire) and ends accepted
conversations a few minutes later, all scheduled on the simulated clock.

Measured per row:

* the longest event-loop stall: a 1 ms ``QTimer`` probe records the gaps
  between its firings; the max (and the 99th percentile) gap is how long the
  window could not react to input;
* the same probe on an idle event loop in the same run is the baseline (ratio);
* events per second handled, and the driver's tick cost (avg / max) — a tick
  includes the panel's immediate reaction to its batch of events (counters,
  queue headers); the log rows and the cards follow in the panel's refresh
  slices, and painting comes after each (the probe sees all of it).

Run with ``python -m benchmarks.bench_panel`` (about 30-40 s).  Exit code 1
when a stall exceeds ``STALL_LIMIT_MS`` (the panel would feel frozen).
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import time
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

Report = Callable[[str], None]

ROWS = ((200, 1_000, 20), (500, 5_000, 50))  # agents, conversations, queues
RUN_S = 8.0            # wall seconds per row (480 simulated seconds at 60×)
ARRIVALS_OVER_S = 360  # simulated seconds over which the conversations arrive
BASELINE_S = 2.0
STALL_LIMIT_MS = 250.0
SEED = 20240611


# --------------------------------------------------------------------------- the configuration

def build_config(agents: int, queues: int, rng: random.Random) -> dict:
    """Many queues, agents with capacity, a pushed chat stream with pops, a direct-open SMS stream."""
    agent_names = [f"Agent {i:03d}" for i in range(1, agents + 1)]
    queue_names = [f"Queue {i:02d}" for i in range(1, queues + 1)]
    members: dict[str, list[str]] = {q: [] for q in queue_names}
    for index, name in enumerate(agent_names):
        members[queue_names[index % queues]].append(name)
        if rng.random() < 0.3:  # some agents serve a second queue
            members[rng.choice(queue_names)].append(name)
    presences = ["Available"] * 8 + ["Busy", "Away"]
    return {
        "format": "workstream-console/config",
        "version": 1,
        "presences": [],
        "agents": [{"name": name, "capacity": rng.choice([60, 80, 100]), "presence": rng.choice(presences)}
                   for name in agent_names],
        "queues": [{"name": q, "agents": sorted(set(members[q]))} for q in queue_names],
        "workstreams": [
            {
                "name": "Chat - Load", "channel": "live_chat", "capacity": 20, "distribution_mode": "push",
                "notification": "screen_pop_decline", "screen_pop_timeout_s": 120,
                "allowed_presences": ["available", "busy"], "assign_after_decline_s": 30, "wrap_up_block_s": 30,
                "auto_close_after_inactivity_s": 300, "default_queue": queue_names[0],
                "context_variables": [{"display_name": "Region", "name": "region", "type": "text"},
                                      {"display_name": "Order value", "name": "ordervalue", "type": "number"}],
                "routing_rules": [{"name": f"Region {i:02d}", "queue": q,
                                   "condition": {"all": [{"variable": "region", "operator": "eq",
                                                          "value": f"r{i:02d}"}]}}
                                  for i, q in enumerate(queue_names, start=1)],
            },
            {
                "name": "SMS - Load", "channel": "sms", "capacity": 10, "distribution_mode": "push",
                "notification": "direct_open", "allowed_presences": ["available", "busy", "away"],
                "default_queue": queue_names[-1],
                "context_variables": [{"display_name": "Region", "name": "region", "type": "text"}],
                "routing_rules": [{"name": f"SMS region {i:02d}", "queue": q,
                                   "condition": {"all": [{"variable": "region", "operator": "eq",
                                                          "value": f"r{i:02d}"}]}}
                                  for i, q in enumerate(queue_names, start=1)],
            },
        ],
    }


# --------------------------------------------------------------------------- measuring

class StallProbe:
    """Gaps between firings of a 1 ms timer: how long the event loop was busy elsewhere."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._fire)
        self.gaps: list[float] = []
        self._last = 0.0

    def _fire(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def max_ms(self) -> float:
        return max(self.gaps, default=0.0) * 1000

    def p99_ms(self) -> float:
        if len(self.gaps) < 2:
            return self.max_ms()
        return statistics.quantiles(self.gaps, n=100)[98] * 1000


def run_loop(app: QApplication, seconds: float) -> None:
    """The real event loop for ``seconds`` of wall time."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


class Bot:
    """Agents answering pops: scheduled on the simulated clock, never calling the simulator from a listener."""

    def __init__(self, driver, rng: random.Random):
        self.driver = driver
        self.rng = rng
        driver.eventsEmitted.connect(self.react)

    def react(self, batch: list) -> None:
        schedule = self.driver.schedule
        rng = self.rng
        for event in batch:
            kind = event["event"]
            if kind == "offered":
                roll = rng.random()
                if roll < 0.7:
                    schedule(event["t"] + rng.uniform(3, 40), "accept", agent=event["agent"],
                             conversation=event["conversation"])
                elif roll < 0.9:
                    schedule(event["t"] + rng.uniform(2, 15), "decline", agent=event["agent"],
                             conversation=event["conversation"])
                # else: the pop expires after 120 s
            elif kind in ("accepted", "assigned"):
                schedule(event["t"] + rng.uniform(60, 300), "end", conversation=event["conversation"])


def measure_row(app: QApplication, agents: int, conversations: int, queues: int) -> dict:
    from ui.panel.agent_panel import AgentPanel

    rng = random.Random(SEED + agents)
    doc = build_config(agents, queues, rng)
    started = time.perf_counter()
    panel = AgentPanel(None, config_doc=doc, speed=60)
    panel.resize(1280, 800)
    panel.show()
    app.processEvents()
    build_s = time.perf_counter() - started
    driver = panel.driver
    driver.pause()
    driver.reset()  # simulated time starts at 0 when the run starts, not while the panel was built
    run_loop(app, 0.5)  # lay out and paint the fresh cards before measuring
    for index in range(conversations):
        at = rng.uniform(0, ARRIVALS_OVER_S)
        stream = "Chat - Load" if rng.random() < 0.85 else "SMS - Load"
        context = {"region": f"r{rng.randint(1, queues):02d}"}
        if stream == "Chat - Load":
            context["ordervalue"] = rng.randint(0, 5000)
        driver.schedule(at, "conversation", id=f"L{index:05d}", workstream=stream, context=context)
    Bot(driver, rng)
    panel.focus_agent(next(iter(panel.cards), None))
    driver.reset_stats()
    probe = StallProbe()
    driver.set_speed(60)
    probe.start()
    wall = time.perf_counter()
    run_loop(app, RUN_S)
    wall = time.perf_counter() - wall
    probe.stop()
    stats = driver.tick_stats()
    result = {
        "label": f"{agents} agents / {conversations:,} conversations",
        "build_s": build_s,
        "events": stats.events,
        "events_per_s": stats.events / wall,
        "tick_avg_ms": stats.avg_s * 1000,
        "tick_max_ms": stats.max_s * 1000,
        "stall_max_ms": probe.max_ms(),
        "stall_p99_ms": probe.p99_ms(),
        "simulated_s": driver.time,
        "log_rows": panel.log_model.rowCount(),
    }
    panel.close()
    panel.deleteLater()
    app.processEvents()
    return result


def run(report: Report) -> int:
    app = QApplication.instance() or QApplication([])
    probe = StallProbe()
    probe.start()
    run_loop(app, BASELINE_S)
    probe.stop()
    base_max, base_p99 = probe.max_ms(), probe.p99_ms()
    rows = [measure_row(app, *row) for row in ROWS]
    report(f"{RUN_S:.0f} wall s per row at 60× (1280×800 offscreen); stall = longest gap of a 1 ms timer probe")
    header = (f"{'case':34} {'build s':>8} {'events':>8} {'events/s':>9} {'tick avg':>9} {'tick max':>9} "
              f"{'stall max':>10} {'p99':>7} {'× idle':>7}")
    report(header)
    report("-" * len(header))
    report(f"{'idle event loop (baseline)':34} {'':>8} {'':>8} {'':>9} {'':>9} {'':>9} "
           f"{base_max:>8.1f}ms {base_p99:>5.1f}ms {1.0:>6.1f}×")
    status = 0
    for row in rows:
        ratio = row["stall_max_ms"] / base_max if base_max > 0 else float("inf")
        report(f"{row['label']:34} {row['build_s']:>8.2f} {row['events']:>8,} {row['events_per_s']:>9,.0f} "
               f"{row['tick_avg_ms']:>7.2f}ms {row['tick_max_ms']:>7.1f}ms {row['stall_max_ms']:>8.1f}ms "
               f"{row['stall_p99_ms']:>5.1f}ms {ratio:>6.1f}×")
        if row["stall_max_ms"] > STALL_LIMIT_MS:
            status = 1
    for row in rows:
        report(f"  {row['label']}: reached {row['simulated_s']:.0f} simulated s, log holds {row['log_rows']:,} rows")
    if status:
        report(f"a stall exceeded {STALL_LIMIT_MS:.0f} ms: the panel would feel frozen")
    return status


def main() -> int:
    return run(print)


if __name__ == "__main__":
    sys.exit(main())

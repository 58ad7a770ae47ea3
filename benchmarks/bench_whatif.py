"""The what-if lab against SimPy and Ciw on the same M/M/c day.

An 8-hour day, 500 agents, Poisson arrivals at 5,000 an hour (about 40,000
conversations), exponential handle times of 306 s (occupancy about 85 %), one
conversation per agent, first come first served, no patience:

* **wsc**: ``app.simulation.whatif.run_once`` — the configuration (one queue of
  500 agents, a direct-open stream whose capacity equals the agents'), the workload
  model, the real ``Simulator`` (routing, capacity, ranking, events) with the
  workload player and the recorder of every figure and interval series;
* **SimPy**: the textbook model — a ``Resource`` of 500, one process per
  customer (request, wait, timeout), waits kept in a list;
* **Ciw**: one node with 500 servers, ``simulate_until_max_time``, records read.

All three run in the same process, in turn, ``REPEATS`` times; the best CPU time
of each counts (the machine is shared; the best is the least disturbed).  The
lab's time includes reading the model and the configuration, and every figure
and series at the end.  Goal: the
lab faster than both (ratio < 1).  Run with ``python -m benchmarks.bench_whatif``
(about a minute; Ciw takes most of it).
"""
from __future__ import annotations

import gc
import random
import sys
import time
from typing import Callable

Report = Callable[[str], None]

AGENTS = 500
PER_HOUR = 5_000
HANDLE_S = 306.0
DAY_S = 8 * 3600
SEED = 20260601
REPEATS = 3


def config() -> dict:
    agents = [{"name": f"Agent {i:03d}", "capacity": 10} for i in range(AGENTS)]
    return {
        "format": "workstream-console/config", "version": 1,
        "agents": agents,
        "queues": [{"name": "Everyone", "agents": [a["name"] for a in agents]}],
        "workstreams": [{"name": "Chat", "channel": "live_chat", "capacity": 10, "notification": "direct_open",
                         "default_queue": "Everyone"}],
    }


def model() -> dict:
    return {
        "format": "workstream-console/workload", "version": 1, "seed": SEED, "duration_s": DAY_S,
        "arrivals": [{"workstream": "Chat", "per_hour": PER_HOUR, "handle_time_s": {"exponential": HANDLE_S}}],
    }


def run_wsc() -> int:
    from app.simulation.whatif import prepare, run_once

    normalized, workload = prepare(config(), model())
    result = run_once(normalized, workload)
    return result.figures["totals"]["arrived"]


def run_simpy() -> int:
    import simpy

    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=AGENTS)
    rng = random.Random(SEED)
    waits: list[float] = []

    def customer(env):
        arrived = env.now
        with staff.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1 / HANDLE_S))

    def source(env):
        while True:
            yield env.timeout(rng.expovariate(PER_HOUR / 3600))
            env.process(customer(env))

    env.process(source(env))
    env.run(until=DAY_S)
    return len(waits)


def run_ciw() -> int:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=PER_HOUR / 3600)],
        service_distributions=[ciw.dists.Exponential(rate=1 / HANDLE_S)],
        number_of_servers=[AGENTS],
    )
    ciw.seed(SEED)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(DAY_S)
    return len(simulation.get_all_individuals())


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    """CPU seconds of this process: all three are single-threaded pure Python, so on an idle machine this
    is their wall time, and on a shared one it is not inflated by the other processes' turns."""
    gc.collect()
    started = time.process_time()
    count = fn()
    return time.process_time() - started, count


def bench(report: Report = print, repeats: int = REPEATS) -> dict:
    runners = {"wsc": run_wsc, "simpy": run_simpy, "ciw": run_ciw}
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    report(f"M/M/c day: {AGENTS} agents, {PER_HOUR:,}/h for {DAY_S // 3600} h, handle {HANDLE_S:g} s, "
           f"best of {repeats}")
    for round_ in range(repeats):
        for name, fn in runners.items():
            try:
                seconds, count = timed(fn)
            except ImportError as error:
                report(f"  {name}: not installed ({error.name}); pip install -e '.[test]'")
                runners = {k: v for k, v in runners.items() if k != name}
                break
            best[name] = min(best.get(name, seconds), seconds)
            counts[name] = count
            report(f"  round {round_ + 1}: {name:<5} {seconds:6.2f} s CPU  ({count:,} conversations)")
    results = {"best_s": best, "counts": counts}
    for other in ("simpy", "ciw"):
        if other in best:
            results[f"ratio_{other}"] = best["wsc"] / best[other]
            report(f"wsc / {other}: {best['wsc']:.2f} s / {best[other]:.2f} s = {results[f'ratio_{other}']:.2f}x "
                   f"({'faster' if best['wsc'] < best[other] else 'SLOWER'})")
    return results


def _record(results: dict) -> None:
    from benchmarks import report as bench_report

    best = results["best_s"]
    rows = []
    for other, label in (("simpy", "SimPy"), ("ciw", "Ciw")):
        if other in best:
            rows.append(bench_report.Row(
                f"What-if 8 h M/M/c day, {AGENTS} agents, ~{results['counts'].get('wsc', 0):,} conversations "
                "(CPU time)",
                best["wsc"], "s", f"{label}, same model", best[other], "< 1x", best["wsc"] < best[other]))
    bench_report.record("whatif", rows)


def run(report: Report = print, repeats: int = REPEATS) -> dict:
    results = bench(report, repeats)
    _record(results)
    return results


def main() -> int:
    results = run(print)
    met = all(results.get(f"ratio_{other}", 0) < 1 for other in ("simpy", "ciw"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

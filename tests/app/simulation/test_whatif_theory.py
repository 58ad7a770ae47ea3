"""The what-if lab against queueing theory: M/M/c (Erlang C) and M/M/c+M (Erlang A).

The simulator is set up as the textbook system: one queue of c agents, a
direct-open stream whose capacity equals the agents' (one conversation each),
Poisson arrivals, exponential handle times, first come first served; for
Erlang A, exponential patience.  The theory's figure must lie inside the 95 %
confidence interval the lab computes from its replications.
"""
from __future__ import annotations

import math

import pytest

from app.simulation.whatif import erlang_c, erlang_c_servers, prepare, run_model


def mmc_config(servers: int) -> dict:
    agents = [{"name": f"Agent {i}", "capacity": 10} for i in range(servers)]
    return {
        "format": "workstream-console/config", "version": 1, "agents": agents,
        "queues": [{"name": "Q", "agents": [a["name"] for a in agents]}],
        "workstreams": [{"name": "S", "channel": "live_chat", "capacity": 10, "notification": "direct_open",
                         "default_queue": "Q"}],
    }


def mmc_model(per_hour: float, handle_s: float, duration_s: float, replications: int, *,
              patience_s: float | None = None, seed: int = 11, warmup_s: float = 2000) -> dict:
    arrivals = {"workstream": "S", "per_hour": per_hour, "handle_time_s": {"exponential": handle_s}}
    if patience_s is not None:
        arrivals["patience_s"] = {"exponential": patience_s}
    return {"format": "workstream-console/workload", "version": 1, "seed": seed, "duration_s": duration_s,
            "warmup_s": warmup_s, "service_level_s": 60, "replications": replications, "arrivals": [arrivals]}


# --------------------------------------------------------------------------- the theory

def erlang_c_figures(servers: int, rate: float, handle_s: float, threshold_s: float) -> dict:
    load = rate * handle_s
    wait_probability = erlang_c(servers, load)
    drain = servers / handle_s - rate  # cμ − λ
    return {
        "wait_probability": wait_probability,
        "asa_s": wait_probability / drain,
        "service_level": 1 - wait_probability * math.exp(-drain * threshold_s),
    }


def erlang_a_figures(servers: int, rate: float, handle_s: float, patience_s: float, states: int = 400) -> dict:
    """The M/M/c+M birth–death chain, solved numerically (truncated far out in the tail).

    State n = conversations in the system; birth λ; death min(n, c)·μ + max(n − c, 0)·θ.
    P(wait) = P(n ≥ c) seen by an arrival (PASTA); P(abandon) = θ·E[queue] / λ.
    """
    mu, theta = 1 / handle_s, 1 / patience_s
    weights = [1.0]
    for n in range(1, states):
        death = min(n, servers) * mu + max(n - servers, 0) * theta
        weights.append(weights[-1] * rate / death)
    total = math.fsum(weights)
    pi = [w / total for w in weights]
    wait_probability = math.fsum(pi[servers:])
    queue_length = math.fsum((n - servers) * p for n, p in enumerate(pi) if n > servers)
    return {"wait_probability": wait_probability, "abandon_rate": theta * queue_length / rate}


def assert_inside(figures: dict, theory: dict) -> None:
    for name, expected in theory.items():
        low, high = figures["totals"][name]["ci95"]
        assert low <= expected <= high, f"{name}: theory {expected:.4f} outside the CI [{low:.4f}, {high:.4f}]"


def test_erlang_c_formula_itself():
    # two servers, one erlang: P(wait) = 1/3 (textbook)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: ρ
    assert erlang_c(3, 3.0) == 1.0                 # overloaded: everyone waits
    # 100 conversations/h of 180 s (5 erlangs), 80 % within 20 s: 7 servers give 74 %, 8 give 88 %
    assert erlang_c_servers(100 / 3600, 180, 0.8, 20) == 8


def test_birth_death_helper_reduces_to_erlang_c_without_abandonment():
    slow_patience = erlang_a_figures(3, 0.02, 120, patience_s=1e12)
    assert slow_patience["wait_probability"] == pytest.approx(erlang_c(3, 2.4), rel=1e-6)
    assert slow_patience["abandon_rate"] == pytest.approx(0, abs=1e-9)


# --------------------------------------------------------------------------- the lab against it

def run_replicated(servers: int, model: dict) -> dict:
    config, workload = prepare(mmc_config(servers), model)
    return run_model(config, workload).figures


def test_mmc_matches_erlang_c():
    # 3 agents, 72 conversations an hour of 120 s on average: 2.4 erlangs, 80 % occupancy
    figures = run_replicated(3, mmc_model(72, 120, duration_s=24_000, replications=12))
    assert_inside(figures, erlang_c_figures(3, 72 / 3600, 120, 60))
    assert figures["totals"]["abandoned"]["mean"] == 0
    assert figures["totals"]["occupancy"]["mean"] == pytest.approx(0.8, abs=0.05)


def test_mmc_plus_m_matches_the_erlang_a_chain():
    # the same system with customers who give up after 180 s on average
    figures = run_replicated(3, mmc_model(72, 120, duration_s=24_000, replications=12, patience_s=180))
    theory = erlang_a_figures(3, 72 / 3600, 120, 180)
    assert theory["abandon_rate"] > 0.05  # abandonment is really tested
    assert_inside(figures, theory)


@pytest.mark.slow
def test_larger_systems_match_the_theory_over_long_runs():
    figures = run_replicated(20, mmc_model(540, 120, duration_s=100_000, replications=30))
    assert_inside(figures, erlang_c_figures(20, 540 / 3600, 120, 60))
    figures = run_replicated(20, mmc_model(600, 120, duration_s=100_000, replications=30, patience_s=90))
    assert_inside(figures, erlang_a_figures(20, 600 / 3600, 120, 90))

"""lc.plan: the bisection per knob under the account's rules, against Erlang's loss formula."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd
import pytest

import lambda_core as lc
from tests.oracle.erlang import erlang_b, smallest_servers


def one_function(rate: float, duration: str, seconds: float = 4000.0, extra: str = "init_s = 0") -> lc.Scenario:
    """One function, Poisson arrivals, no init (an environment is busy for the handler alone),
    a timeout no handler reaches: an M/G/c/c loss system once reserved."""
    return lc.Scenario.parse(f"""
until = {seconds}
[[functions]]
name = "api"
timeout_s = 900
{extra}
[[functions.workload]]
arrivals = "poisson"
rate_per_s = {rate}
end_s = {seconds}
duration = {duration}
""")


@pytest.mark.parametrize("rate, duration, target", [
    (30.0, '{ dist = "exponential", mean_s = 1.0 }', 0.01),
    (12.0, '{ dist = "fixed", s = 0.5 }', 0.001),
    (50.0, '{ dist = "lognormal", median_s = 0.8, sigma = 0.5 }', 0.02),
])
def test_the_smallest_reservation_is_the_inverse_of_erlangs_loss_formula(rate: float, duration: str,
                                                                          target: float) -> None:
    sc = one_function(rate, duration)
    mean = {"exponential": 1.0, "fixed": 0.5, "lognormal": 0.8 * math.exp(0.5**2 / 2)}[duration.split('"')[1]]
    a = rate * mean
    c = smallest_servers(a, target)
    # the target halfway (geometrically) between B(c − 1) and B(c): a sampling error of the
    # estimated rate (about 3 % here) cannot move the answer by one
    bound = math.sqrt(erlang_b(c - 1, a) * erlang_b(c, a))
    plan = lc.plan(sc, {"api": {"throttle_rate": bound}}, {"api": "reserved_concurrency"}, seeds=2)
    assert plan.feasible
    assert plan.settings == {"api": {"reserved_concurrency": c}}
    table = plan.table.set_index("api.reserved_concurrency")
    assert table.loc[c, "api.throttle_rate.max"] <= bound < table.loc[c - 1, "api.throttle_rate.min"]
    # the measured loss is Erlang's, within the sampling error (losses come in busy periods:
    # wider than a count's square root)
    assert table.loc[c, "api.throttle_rate.mean"] == pytest.approx(erlang_b(c, a), rel=0.12)
    assert plan.result.function("api")["max_concurrency"] <= c


def test_a_reservation_loses_what_a_loss_system_on_the_same_sample_loses() -> None:
    # the planner's premise, request by request: a reserved function is an M/G/c/c system
    rng = np.random.default_rng(7)
    n = rng.poisson(30.0 * 2000)
    time, duration = np.sort(rng.random(n) * 2000), rng.exponential(1.0, n)
    sim = lc.Simulator(lc.Account(), [lc.Function("api", init_s=0, timeout_s=900, reserved_concurrency=40)])
    result = sim.run(lc.Workload(time, np.zeros(n, np.int64), duration))
    busy: list[float] = []
    lost = 0
    for t, d in zip(time, duration):
        while busy and busy[0] <= t:
            heapq.heappop(busy)
        if len(busy) >= 40:
            lost += 1
        else:
            heapq.heappush(busy, t + d)
    assert int(result.function("api")["throttles"]) == lost > 0


def test_a_plan_is_the_same_on_processes() -> None:
    sc = one_function(20.0, '{ dist = "exponential", mean_s = 1.0 }', seconds=1000.0)
    args = ({"api": {"throttle_rate": 0.01}}, {"api": ["reserved_concurrency"]})
    serial = lc.plan(sc, *args, seeds=3)
    pooled = lc.plan(sc, *args, seeds=3, executor=2)
    assert serial.settings == pooled.settings
    pd.testing.assert_frame_equal(serial.table, pooled.table)


TWO = """
until = 600
[account]
concurrency_limit = 1000
[[functions]]
name = "big"
reserved_concurrency = 800
[[functions.workload]]
arrivals = "poisson"
rate_per_s = 1
end_s = 600
duration = { dist = "fixed", s = 0.1 }
[[functions]]
name = "api"
timeout_s = 900
[[functions.workload]]
arrivals = "poisson"
rate_per_s = 300
end_s = 600
duration = { dist = "fixed", s = 1.0 }
"""


def test_the_account_bounds_a_reservation_and_an_unmeetable_target_is_reported() -> None:
    # 1000 − 100 unreserved − 800 of "big": at most 100 for "api", whose load is 300
    plan = lc.plan(lc.Scenario.parse(TWO), {"api": {"throttle_rate": 0.001}}, {"api": "reserved_concurrency"}, seeds=1)
    assert not plan.feasible
    assert plan.settings == {"api": {"reserved_concurrency": 100}}
    assert int(plan.table["api.reserved_concurrency"].max()) == 100
    assert any("the most the account allows" in n for n in plan.notes)


def test_a_target_no_knob_governs_is_checked_and_named() -> None:
    plan = lc.plan(lc.Scenario.parse(TWO), {"big": {"cold_start_rate": 0.0}}, {"big": "reserved_concurrency"}, seeds=1)
    assert not plan.feasible
    assert any("no knob searched governs it" in n for n in plan.notes)


def test_star_targets_every_function_and_a_functions_own_entry_overrides_it() -> None:
    plan = lc.plan(lc.Scenario.parse(TWO), {"*": {"throttle_rate": 0.5}, "big": {"throttle_rate": 0.0}},
                   {"big": "reserved_concurrency"}, seeds=1)
    assert {(t.function, t.high) for t in plan.targets} == {("big", 0.0), ("api", 0.5)}


def test_cost_raises_provisioned_concurrency_past_the_smallest_while_the_bill_falls() -> None:
    sc = one_function(30.0, '{ dist = "exponential", mean_s = 1.0 }', seconds=2000.0,
                      extra="init_s = 0.5\nidle_timeout_s = 5")
    targets = {"api": {"throttle_rate": 0.01, "cold_start_rate": 0.01}}
    knobs = {"api": ["reserved_concurrency", "provisioned_concurrency"]}
    small = lc.plan(sc, targets, knobs, seeds=2)
    cheap = lc.plan(sc, targets, knobs, seeds=2, objective="cost")
    assert small.feasible and cheap.feasible
    assert small.settings["api"]["reserved_concurrency"] == cheap.settings["api"]["reserved_concurrency"]
    p_small, p_cheap = small.settings["api"]["provisioned_concurrency"], cheap.settings["api"]["provisioned_concurrency"]
    assert p_cheap >= p_small
    costs = cheap.table.set_index(["api.reserved_concurrency", "api.provisioned_concurrency"])["cost"]
    r = cheap.settings["api"]["reserved_concurrency"]
    feasible = cheap.table[cheap.table["feasible"] & (cheap.table["api.reserved_concurrency"] == r)]
    assert costs[r, p_cheap] == feasible["cost"].min()
    assert costs[r, p_cheap] <= costs[r, p_small]


def test_the_plot_draws_one_panel_per_knob_searched() -> None:
    pytest.importorskip("matplotlib")
    sc = one_function(10.0, '{ dist = "fixed", s = 1.0 }', seconds=500.0)
    plan = lc.plan(sc, {"api": {"throttle_rate": 0.05}}, {"api": "reserved_concurrency"}, seeds=1)
    figure = plan.plot()
    titled = [ax for ax in figure.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["api: reserved_concurrency"]


@pytest.mark.parametrize("targets, knobs, kwargs, message", [
    ({"nope": {"throttle_rate": 0.1}}, {"api": "reserved_concurrency"}, {}, "no function named 'nope'"),
    ({"api": {"throttle_rate": 0.1}}, {"nope": "reserved_concurrency"}, {}, "no function named 'nope'"),
    ({"api": {"throttle_rate": 0.1}}, {"api": "memory_mb"}, {}, "is not a knob"),
    ({"api": {"throttle_rte": 0.1}}, {"api": "reserved_concurrency"}, {}, "no figure 'throttle_rte'"),
    ({"api": {"throttle_rate": "x"}}, {"api": "reserved_concurrency"}, {}, "must be a number"),
    ({"api": {"throttle_rate": 0.1}}, {"api": "reserved_concurrency"}, {"objective": "fast"}, "objective"),
    ({"api": {"throttle_rate": 0.1}}, {"api": "reserved_concurrency"}, {"seeds": 0}, "at least 1"),
    ({}, {"api": "reserved_concurrency"}, {}, "no target"),
])
def test_refusals(targets: dict, knobs: dict, kwargs: dict, message: str) -> None:
    sc = one_function(5.0, '{ dist = "fixed", s = 0.1 }', seconds=60.0)
    with pytest.raises(lc.UsageError, match=message):
        lc.plan(sc, targets, knobs, **kwargs)

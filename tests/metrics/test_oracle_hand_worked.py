"""The metrics oracle (tests/oracle/metrics.py) on small runs whose per-period values are worked
out by hand in the comments (docs/model.md §10). These pin the oracle itself; the
differential tests then hold the engine to it."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc
from tests.oracle.metrics import nearest_rank, simulate_metrics

NAN = math.nan
ACCOUNT = {"concurrency_limit": 10, "unreserved_min": 0}


def fn(**kw) -> dict:
    return {"init_s": 0.0, "timeout_s": 3.0, "idle_timeout_s": 600.0, **kw}


def run(functions, rows, period_s, account=ACCOUNT, until=None):
    """rows: (time, function, duration, invocation_type)."""
    workload = {"time": [r[0] for r in rows], "function": [r[1] for r in rows],
                "duration": [r[2] for r in rows], "invocation_type": [r[3] for r in rows]}
    return simulate_metrics(account, functions, workload, period_s, until=until)


def same(got: list, want: list) -> None:
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        if isinstance(w, float) and math.isnan(w):
            assert math.isnan(g), (got, want)
        else:
            assert g == pytest.approx(w, rel=1e-12, abs=1e-12), (got, want)


def test_cold_warm_and_a_timeout_over_whole_periods():
    # init 0.5 s, P = 1 s.
    # r0 at 0.0, 1.0 s: cold on env1, [0, 1.5).   r1 at 0.2, 0.3 s: cold on env2, [0.2, 1.0).
    # r2 at 1.0, 0.5 s: r1 ended at 1.0 first, warm on env2, [1.0, 1.5).
    # r3 at 1.5, 4.0 s: r0, r2 ended at 1.5; warm on env2 (newest), cut at 3 s: [1.5, 4.5) TIMEOUT.
    # H = 4.5 (last resolution): periods [0,1) [1,2) [2,3) [3,4) [4,4.5).
    result, s = run([fn(init_s=0.5)], [(0.0, 0, 1.0, 0), (0.2, 0, 0.3, 0), (1.0, 0, 0.5, 0), (1.5, 0, 4.0, 0)], 1.0)
    assert s["n"] == 5 and s["horizon"] == 4.5 and s["timestamps"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    f = s["function"][0]
    same(f["Invocations", "Sum"], [2, 2, 0, 0, 0])
    same(f["Errors", "Sum"], [0, 1, 0, 0, 0])  # r3, at its start 1.5
    same(f["Timeouts", "Sum"], [0, 1, 0, 0, 0])
    same(f["ColdStarts", "Sum"], [2, 0, 0, 0, 0])
    # period 1: r0 open across 1.0 (1), r2 starts at 1.0 after r1's end there (2), r3 at 1.5
    # after r0 and r2 ended (1); periods 2-4: r3 open across their starts
    same(f["ConcurrentExecutions", "Maximum"], [2, 2, 1, 1, 1])
    # ended in period 1: r1 (300 ms at 1.0), r0 (1000 at 1.5), r2 (500 at 1.5); r3 (3000 ms)
    # ends at H = 4.5, in the last period
    same(f["Duration", "Average"], [NAN, 600.0, NAN, NAN, 3000.0])
    same(f["Duration", "Minimum"], [NAN, 300.0, NAN, NAN, 3000.0])
    same(f["Duration", "Maximum"], [NAN, 1000.0, NAN, NAN, 3000.0])
    same(f["Duration", "p50"], [NAN, 500.0, NAN, NAN, 3000.0])  # 2nd of 3
    same(f["Duration", "p90"], [NAN, 1000.0, NAN, NAN, 3000.0])  # 3rd of 3
    # billed at the start: r0 500 + 1000, r1 500 + 300; r2 500, r3 its timeout 3000
    same(f["BilledDuration", "Sum"], [2300, 3500, 0, 0, 0])
    same(f["ProvisionedBilledDuration", "Sum"], [0, 0, 0, 0, 0])
    # env1 alive from 0, env2 from 0.2, both to H: average 1.8 in period 0, then 2
    same(f["EnvironmentsAlive", "Average"], [1.8, 2.0, 2.0, 2.0, 2.0])
    same(f["EnvironmentsAlive", "Maximum"], [2, 2, 2, 2, 2])
    # idle = alive − busy: period 0 1.8 − (1 + 0.8); period 1 2 − (0.5 + 0.5 + 0.5);
    # periods 2, 3: 2 − 1; period 4: 1 − 0.5
    same(f["IdleEnvironmentSeconds", "Sum"], [0.0, 0.5, 1.0, 1.0, 0.5])
    a = s["account"]
    same(a["ConcurrentExecutions", "Maximum"], [2, 2, 1, 1, 1])
    same(a["UnreservedConcurrentExecutions", "Maximum"], [2, 2, 1, 1, 1])
    same(a["ClaimedAccountConcurrency", "Maximum"], [2, 2, 1, 1, 1])
    same(a["EnvironmentsAlive", "Average"], [1.8, 2.0, 2.0, 2.0, 2.0])
    same(a["Duration", "Average"], f["Duration", "Average"])
    assert sum(f["Invocations", "Sum"]) == result["functions"][0]["invocations"]


def test_boundaries_hit_exactly_and_a_zero_length_execution():
    # init 0, P = 0.5. r0 at 0, 0.5 s: [0, 0.5). r1 at 0.5, 0 s: r0 ended first, warm, [0.5, 0.5).
    # r2 at 0.5, 0.5 s: r1 ended before r2 was admitted (§1), warm, [0.5, 1.0). H = 1.0: two
    # periods [0, 0.5) [0.5, 1.0); r2's end at H counts in the last.
    result, s = run([fn()], [(0.0, 0, 0.5, 0), (0.5, 0, 0.0, 0), (0.5, 0, 0.5, 0)], 0.5)
    f = s["function"][0]
    assert s["n"] == 2
    same(f["Invocations", "Sum"], [1, 2])
    same(f["ColdStarts", "Sum"], [1, 0])
    # r0 ends exactly at 0.5: not in period 1; r1 and r2 each raise the level to 1 only
    same(f["ConcurrentExecutions", "Maximum"], [1, 1])
    same(f["Duration", "Average"], [NAN, 1000 / 3])
    same(f["Duration", "Minimum"], [NAN, 0.0])
    same(f["Duration", "p50"], [NAN, 500.0])
    same(f["BilledDuration", "Sum"], [500, 500])
    same(f["EnvironmentsAlive", "Average"], [1.0, 1.0])
    same(f["IdleEnvironmentSeconds", "Sum"], [0.0, 0.0])


def test_throttles_async_retries_event_age_and_drops():
    # limit 1, P = 1. f0: r0 sync at 0, 2 s: [0, 2).
    # r1 event at 0.5 (0.1 s): throttled at 0.5, retried at 1.5 (1 s backoff), throttled
    # again, retried at 3.5 (2 s): runs [3.5, 3.6), age 3 s.
    # r2 sync at 1.0: throttled, resolved THROTTLED at 1.0.
    # f1 has a reservation of 0: r3, an event at 2.5, is received and dropped at once.
    # H = 3.6: periods [0,1) [1,2) [2,3) [3,3.6).
    fns = [fn(), fn(reserved_concurrency=0)]
    result, s = run(fns, [(0.0, 0, 2.0, 0), (0.5, 0, 0.1, 1), (1.0, 0, 1.0, 0), (2.5, 1, 1.0, 1)],
                    1.0, account={"concurrency_limit": 1, "unreserved_min": 0})
    f0, f1 = s["function"]
    assert s["n"] == 4
    same(f0["Throttles", "Sum"], [1, 2, 0, 0])
    same(f0["ThrottlesUnreserved", "Sum"], [1, 2, 0, 0])
    same(f0["ThrottlesReserved", "Sum"], [0, 0, 0, 0])
    same(f0["Invocations", "Sum"], [1, 0, 0, 1])
    same(f0["AsyncEventsReceived", "Sum"], [1, 0, 0, 0])
    same(f0["AsyncEventAge", "Average"], [NAN, NAN, NAN, 3000.0])
    same(f0["AsyncEventAge", "Maximum"], [NAN, NAN, NAN, 3000.0])
    # period 2: r0 ended exactly at 2.0 and nothing starts before 3.5
    same(f0["ConcurrentExecutions", "Maximum"], [1, 1, 0, 1])
    same(f1["AsyncEventsReceived", "Sum"], [0, 0, 1, 0])
    same(f1["AsyncEventsDropped", "Sum"], [0, 0, 1, 0])
    same(f1["Throttles", "Sum"], [0, 0, 0, 0])  # a drop for a reservation of 0 is no throttle
    a = s["account"]
    same(a["Throttles", "Sum"], [1, 2, 0, 0])
    same(a["AsyncEventsDropped", "Sum"], [0, 0, 1, 0])
    same(a["UnreservedConcurrentExecutions", "Maximum"], [1, 1, 0, 1])
    # f1's reservation of 0 is claimed
    same(a["ClaimedAccountConcurrency", "Maximum"], [1, 1, 0, 1])


def test_until_cuts_the_last_period_and_keeps_executions_in_flight():
    # the same run stopped at until = 2.5: H = 2.5, periods [0,1) [1,2) [2,2.5); r1's retry at
    # 3.5 is not reached; r0 (ended at 2.0) is in no later period.
    fns = [fn(), fn(reserved_concurrency=0)]
    _, s = run(fns, [(0.0, 0, 2.0, 0), (0.5, 0, 0.1, 1), (1.0, 0, 1.0, 0), (2.5, 1, 1.0, 1)],
               1.0, account={"concurrency_limit": 1, "unreserved_min": 0}, until=2.5)
    f0, f1 = s["function"]
    assert s["n"] == 3 and s["horizon"] == 2.5
    same(f0["ConcurrentExecutions", "Maximum"], [1, 1, 0])
    same(f0["Duration", "Maximum"], [NAN, NAN, 2000.0])
    # r3 arrives at 2.5 = H, the last period's
    same(f1["AsyncEventsDropped", "Sum"], [0, 0, 1])
    # one environment, alive from 0 to H; busy [0, 2)
    same(f0["EnvironmentsAlive", "Average"], [1.0, 1.0, 1.0])
    same(f0["IdleEnvironmentSeconds", "Sum"], [0.0, 0.0, 0.5])


def test_provisioned_and_spillover():
    # pc 1, init 0.5, P = 1. r0 at 0 (1 s) on the provisioned env: [0, 1), no init.
    # r1 at 0 (1 s): spills over, cold: [0, 1.5). H = 1.5: periods [0,1) [1,1.5).
    result, s = run([fn(init_s=0.5, provisioned_concurrency=1)], [(0.0, 0, 1.0, 0), (0.0, 0, 1.0, 0)], 1.0)
    f = s["function"][0]
    same(f["ProvisionedConcurrentExecutions", "Maximum"], [1, 0])  # r0 ends exactly at 1.0
    same(f["ProvisionedConcurrencyUtilization", "Maximum"], [1.0, 0.0])
    same(f["ProvisionedConcurrencyInvocations", "Sum"], [1, 0])
    same(f["ProvisionedConcurrencySpilloverInvocations", "Sum"], [1, 0])
    same(f["BilledDuration", "Sum"], [2500, 0])
    same(f["ProvisionedBilledDuration", "Sum"], [1000, 0])
    same(f["ColdStarts", "Sum"], [1, 0])
    same(f["ConcurrentExecutions", "Maximum"], [2, 1])
    same(f["EnvironmentsAlive", "Average"], [2.0, 2.0])
    # idle: period 1, the provisioned env for 0.5 s
    same(f["IdleEnvironmentSeconds", "Sum"], [0.0, 0.5])
    a = s["account"]
    same(a["UnreservedConcurrentExecutions", "Maximum"], [1, 1])
    same(a["ClaimedAccountConcurrency", "Maximum"], [2, 2])  # + the provisioned 1
    same(a["ConcurrentExecutions", "Maximum"], [2, 1])


def test_an_empty_run_has_one_period():
    _, s = run([fn()], [], 60.0)
    assert s["n"] == 1 and s["horizon"] == 0.0
    same(s["function"][0]["Invocations", "Sum"], [0])
    same(s["function"][0]["EnvironmentsAlive", "Average"], [0.0])


@pytest.mark.parametrize("values, q, want", [([1.0], 0.99, 1.0), ([1.0, 2.0], 0.5, 1.0),
                                              (list(map(float, range(1, 101))), 0.9, 90.0),
                                              (list(map(float, range(1, 101))), 0.99, 99.0),
                                              (list(map(float, range(1, 11))), 0.99, 10.0)])
def test_nearest_rank(values, q, want):
    assert nearest_rank(values, q) == want


def test_engine_counts_provisioned_environments_alive_from_time_zero():
    # pc 2, no request, until 2.5, P = 1: the two provisioned environments exist from time 0
    # (docs/model.md §3) and never expire, so EnvironmentsAlive's Maximum is 2 in every
    # period, the first included, as its Average is (the oracle says the same).
    account = lc.Account(concurrency_limit=10, unreserved_min=0)
    functions = [lc.Function("f0", provisioned_concurrency=2)]
    r = lc.Simulator(account, functions, metrics_period_s=1.0).run(
        lc.Workload(np.empty(0), np.empty(0, np.int64), np.empty(0)), until=2.5)
    _, s = run([fn(provisioned_concurrency=2)], [], 1.0, until=2.5)
    same(s["function"][0]["EnvironmentsAlive", "Maximum"], [2, 2, 2])
    assert r.metrics.function("f0")["EnvironmentsAlive", "Average"].tolist() == [2.0, 2.0, 2.0]
    assert r.metrics.function("f0")["EnvironmentsAlive", "Maximum"].tolist() == [2, 2, 2]

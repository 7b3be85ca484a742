"""An independent check of the engine's series that needs no oracle (issue 11, "Done when"):
per-period maxima of ConcurrentExecutions recomputed with numpy from the per-request intervals
of Result.requests, and every Sum series added up against the whole-run counters.

For synchronous requests without client retries, a request that ran made exactly one attempt,
which occupied its concurrency slot over [first_start, end) (init included, §3). Every duration
drawn here is positive, so that no execution is empty: the level at an instant is then the
number of intervals with start ≤ t < end (ends at t come before starts at t, §1).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lambda_core as lc
from lambda_core._model.metric_catalog import specs_at
from tests.engine.test_differential import scenarios, workload
from tests.support.profiles import examples

# Sum series -> the whole-run counter of Result.functions they add up to (the catalog's)
COUNTERS = {m.name: m.counter for m in specs_at("function") if m.counter}
ALWAYS_ZERO = {"DeadLetterErrors", "DestinationDeliveryFailures"}
PERIODS = st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 0.7, 3.3, 10.0, 60.0])


def us(seconds: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(seconds, dtype=np.float64) * 1e6).astype(np.int64)


def interval_maxima(start: np.ndarray, end: np.ndarray, period_us: int, n: int) -> np.ndarray:
    """Per period, the exact maximum number of intervals [start, end) (µs, all non-empty) open
    at once: at each start (the level only rises there), and across each period's start (an
    interval that ends exactly there is out)."""
    out = np.zeros(n, dtype=np.int64)
    if len(start) == 0:
        return out
    s, e = np.sort(start), np.sort(end)
    level = np.searchsorted(s, start, "right") - np.searchsorted(e, start, "right")
    np.maximum.at(out, np.minimum(start // period_us, n - 1), level)
    bounds = np.arange(1, n, dtype=np.int64) * period_us
    carried = np.searchsorted(s, bounds, "left") - np.searchsorted(e, bounds, "right")
    out[1:] = np.maximum(out[1:], carried)
    return out


@st.composite
def sync_runs(draw):
    limit = draw(st.integers(1, 12))
    scaling = draw(st.sampled_from(["current", None]))
    account = lc.Account(concurrency_limit=limit, unreserved_min=0, scaling=scaling,
                         scaling_burst=draw(st.integers(1, 6)) if scaling else None,
                         scaling_refill_per_s=draw(st.sampled_from([1.0, 100.0])) if scaling else None)
    functions = []
    for i in range(draw(st.integers(1, 3))):
        rc = draw(st.one_of(st.none(), st.integers(0, limit)))
        pc = draw(st.one_of(st.none(), st.integers(1, 3)))
        if pc is not None and rc is not None and pc > rc:
            pc = None
        functions.append(lc.Function(
            f"f{i}", timeout_s=draw(st.sampled_from([1, 3])), reserved_concurrency=rc, provisioned_concurrency=pc,
            init_s=draw(st.sampled_from([0.0, 0.25, 1.0])), idle_timeout_s=draw(st.sampled_from([0.0, 0.5, 600.0]))))
    try:
        lc.plan_pools(account, functions)
    except lc.LambdaCoreError:
        assume(False)
    n = draw(st.integers(0, 80))
    gaps = draw(st.lists(st.sampled_from([0.0, 0.0, 0.25, 0.5, 1.0, 0.3]), min_size=n, max_size=n))
    time = np.cumsum(np.array(gaps, dtype=np.float64))
    function = np.array(draw(st.lists(st.integers(0, len(functions) - 1), min_size=n, max_size=n)), dtype=np.int64)
    duration = np.array(draw(st.lists(st.sampled_from([0.000001, 0.25, 0.5, 0.75, 1.0, 2.0, 4.0]),
                                      min_size=n, max_size=n)))
    failures = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.int64)
    return account, functions, lc.Workload(time, function, duration, failures=failures), function


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(sync_runs(), PERIODS)
def test_concurrency_maxima_from_request_intervals(run, period_s):
    account, functions, w, function = run
    result = lc.Simulator(account, functions, metrics_period_s=period_s).run(w)
    m = result.metrics
    req = result.requests
    ran = np.asarray(req["attempts"]) > 0
    start, end = us(req["first_start"][ran]), us(req["end"][ran])  # NaN for the throttled: left out first
    assert (end > start).all()
    p, h = us(np.array([period_s]))[0], us(np.array([result.horizon]))[0]
    n = max(1, -(-int(h) // int(p)))
    assert m.n_periods == n
    np.testing.assert_array_equal(m.account["ConcurrentExecutions"], interval_maxima(start, end, p, n))
    for i, f in enumerate(functions):
        mine = function[ran] == i
        np.testing.assert_array_equal(m.function(f.name)["ConcurrentExecutions"],
                                      interval_maxima(start[mine], end[mine], p, n), err_msg=f.name)
    if all(f.provisioned_concurrency is None for f in functions):
        # every execution is on demand: the unreserved pool holds those of functions without a
        # reservation
        shared = np.isin(function[ran], [i for i, f in enumerate(functions) if f.reserved_concurrency is None])
        np.testing.assert_array_equal(m.account["UnreservedConcurrentExecutions"],
                                      interval_maxima(start[shared], end[shared], p, n))
    # environments alive minus busy is idle: over the run, Σ idle = avg_environments·H − Σ busy
    idle = float(np.sum(m.account["IdleEnvironmentSeconds"]))
    busy = float(np.sum(end - start)) / 1e6
    want = result.account["avg_environments"] * result.horizon - busy
    assert abs(idle - want) <= 1e-9 * max(1.0, abs(want))


def assert_sums_are_the_counters(result: lc.Result, names: list[str]) -> None:
    m = result.metrics
    for spec in specs_at("function"):
        if "Sum" not in spec.statistics_at("function") or spec.name == "IdleEnvironmentSeconds":
            continue
        assert spec.name in COUNTERS or spec.name in ALWAYS_ZERO, f"no counter known for {spec.name}"
        total = 0
        for i, name in enumerate(names):
            series = m.function(name)[spec.name]
            want = 0 if spec.name in ALWAYS_ZERO else int(result.functions[COUNTERS[spec.name]][i])
            assert int(np.sum(series)) == want, (name, spec.name, series.tolist())
            total += want
        if "account" in spec.levels:
            assert int(np.sum(m.account[spec.name])) == total, spec.name


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(scenarios(), PERIODS)
def test_sum_series_add_up_to_the_whole_run_counters(scenario, period_s):
    """Any workload: synchronous, asynchronous, client retries, `until`."""
    account, functions, columns, until, routing, retries, seed = scenario
    sim = lc.Simulator(account, functions, routing=routing, client_retries=retries, seed=seed,
                       metrics_period_s=period_s)
    result = sim.run(workload(*columns), until=until)
    assert_sums_are_the_counters(result, [f.name for f in functions])
    for i, f in enumerate(functions):
        assert int(np.max(result.metrics.function(f.name)["ConcurrentExecutions"])) == result.functions["max_concurrency"][i]
    assert int(np.max(result.metrics.account["ConcurrentExecutions"])) == result.account["max_concurrency"]


def test_interval_maxima_by_hand():
    # P = 1 s: [0, 1.5) [0.2, 1.0) [1.0, 1.5) [1.5, 4.5): periods of H = 4.5 → 2, 2, 1, 1, 1
    start = us(np.array([0.0, 0.2, 1.0, 1.5]))
    end = us(np.array([1.5, 1.0, 1.5, 4.5]))
    assert interval_maxima(start, end, 1_000_000, 5).tolist() == [2, 2, 1, 1, 1]
    # one interval ending exactly on a boundary is not in the next period
    assert interval_maxima(us(np.array([0.0])), us(np.array([1.0])), 1_000_000, 2).tolist() == [1, 0]


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(sync_runs(), PERIODS)
def test_the_sweep_and_the_oracle_agree(run, period_s):
    """The two independent references of ConcurrentExecutions (this numpy sweep over the
    requests' intervals, and the oracle's levels logged as executions start) agree."""
    from tests.metrics.compare import oracle_config
    from tests.oracle.metrics import simulate_metrics

    account, functions, w, function = run
    acct, fns = oracle_config(account, functions)
    whole, ref = simulate_metrics(acct, fns, {"time": w.time.tolist(), "function": w.function.tolist(),
                                              "duration": w.duration.tolist(), "failures": w.failures.tolist()},
                                  period_s)
    req = whole["requests"]
    ran = np.array(req["attempts"]) > 0
    start = us(np.array([x for x, r in zip(req["first_start"], ran) if r], dtype=np.float64))
    end = us(np.array([x for x, r in zip(req["end"], ran) if r], dtype=np.float64))
    p, h = us(np.array([period_s]))[0], us(np.array([whole["horizon"]]))[0]
    n = max(1, -(-int(h) // int(p)))
    assert ref["n"] == n
    assert ref["account"]["ConcurrentExecutions", "Maximum"] == interval_maxima(start, end, p, n).tolist()
    for i in range(len(functions)):
        mine = function[ran] == i
        assert ref["function"][i]["ConcurrentExecutions", "Maximum"] == \
            interval_maxima(start[mine], end[mine], p, n).tolist()

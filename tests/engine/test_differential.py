"""Differential tests: the Rust engine against the pure-Python reference model (the oracle).

Hypothesis draws random accounts, functions and workloads — small pools, ties at the same
microsecond, timeouts, zero-length executions, short idle timeouts, tiny scaling buckets — and
both implementations must agree on every request and every counter.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lambda_core as lc
from tests.oracle.invocations import simulate
from tests.support.profiles import examples

FUNCTION_KEYS = [
    "invocations", "errors", "throttles", "throttles_reserved", "throttles_unreserved",
    "throttles_scaling", "cold_starts", "max_concurrency", "environments_created",
    "provisioned_invocations", "spillover_invocations", "async_events_received", "async_events_dropped",
]
TARGETS = [None, None, "q1", "q2"]


@st.composite
def scenarios(draw):
    limit = draw(st.integers(1, 12))
    unreserved_min = draw(st.integers(0, limit))
    scaling = draw(st.sampled_from(["current", "legacy", None]))
    burst = draw(st.integers(1, 6)) if scaling else None
    cost_us = draw(st.sampled_from([1, 1_000, 10_000, 250_000])) if scaling else None
    account = lc.Account(
        concurrency_limit=limit, unreserved_min=unreserved_min, scaling=scaling, scaling_burst=burst,
        scaling_refill_per_s=(1e6 / cost_us) if scaling else None,
    )
    n_functions = draw(st.integers(1, 4))
    functions = []
    for i in range(n_functions):
        rc = draw(st.one_of(st.none(), st.integers(0, limit)))
        pc = draw(st.one_of(st.none(), st.integers(1, 3)))
        if pc is not None and rc is not None and pc > rc:
            pc = None
        functions.append(lc.Function(
            f"f{i}",
            timeout_s=draw(st.sampled_from([1, 2, 3, 120])),
            reserved_concurrency=rc,
            provisioned_concurrency=pc,
            init_s=draw(st.sampled_from([0.0, 0.000001, 0.25, 1.0])),
            idle_timeout_s=draw(st.sampled_from([0.0, 0.5, 1.0, 3.0, 600.0])),
            provisioned_ready_s=draw(st.sampled_from([0.0, 0.0, 1.5])),
            max_retry_attempts=draw(st.integers(0, 2)),
            max_event_age_s=draw(st.sampled_from([60, 61, 90, 200, 21600])),
            on_success=draw(st.sampled_from(TARGETS)),
            on_failure=draw(st.sampled_from(TARGETS)),
            dead_letter_queue=draw(st.sampled_from(TARGETS)),
        ))
    try:
        lc.plan_pools(account, functions)
    except lc.LambdaCoreError:
        assume(False)
    n = draw(st.integers(0, 60))
    # gaps on a coarse grid make many ties; a few odd values exercise the rounding
    gaps = draw(st.lists(st.sampled_from([0.0, 0.0, 0.0000004, 0.001, 0.25, 0.5, 1.0, 2.5]), min_size=n, max_size=n))
    time = np.cumsum(np.array(gaps, dtype=np.float64))
    function = np.array(draw(st.lists(st.integers(0, n_functions - 1), min_size=n, max_size=n)), dtype=np.int64)
    # long durations keep executions in flight across retries (60 s, 120 s) and backoffs
    duration = np.array(draw(st.lists(st.sampled_from([0.0, 0.0000006, 0.1, 0.5, 1.0, 2.0, 2.0000004, 3.5, 30.0, 90.0]), min_size=n, max_size=n)))
    failures = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=np.int64)
    mix = draw(st.sampled_from(["sync", "event", "mixed"]))  # which rows are asynchronous
    invocation_type = {
        "sync": np.zeros(n, np.uint8),
        "event": np.ones(n, np.uint8),
        "mixed": np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.uint8),
    }[mix]
    until = draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0, 10.0, 61.0, 200.0])))
    routing = draw(st.sampled_from(["newest", "mru", "oldest"]))
    retries = draw(st.sampled_from([None, lc.RetryPolicy(), lc.RetryPolicy(max_attempts=5, base_s=0.000002, cap_s=0.5)]))
    seed = draw(st.integers(0, 2**64 - 1))
    return account, functions, (time, function, duration, failures, invocation_type), until, routing, retries, seed


def reference(account, functions, workload, until, routing, retries, seed):
    time, function, duration, failures, invocation_type = workload
    return simulate(
        {"concurrency_limit": account.concurrency_limit, "unreserved_min": account.unreserved_min,
         "scaling": account.scaling, "scaling_burst": account.burst or None,
         "token_cost_us": account.token_cost_us or None},
        [{"reserved_concurrency": f.reserved_concurrency, "provisioned_concurrency": f.provisioned_concurrency,
          "timeout_s": f.timeout_s, "init_s": f.init_s, "idle_timeout_s": f.idle_timeout_s,
          "provisioned_ready_s": f.provisioned_ready_s, "max_retry_attempts": f.max_retry_attempts,
          "max_event_age_s": f.max_event_age_s, "on_success": f.on_success, "on_failure": f.on_failure,
          "dead_letter_queue": f.dead_letter_queue} for f in functions],
        {"time": time.tolist(), "function": function.tolist(), "duration": duration.tolist(),
         "failures": failures.tolist(), "invocation_type": invocation_type.tolist()},
        routing=routing, until=until, seed=seed,
        client_retries=None if retries is None else
        {"max_attempts": retries.max_attempts, "base_s": retries.base_s, "cap_s": retries.cap_s},
    )


def simulator(account, functions, routing, retries, seed):
    return lc.Simulator(account, functions, routing=routing, client_retries=retries, seed=seed)


def workload(time, function, duration, failures, invocation_type):
    return lc.Workload(time, function, duration, invocation_type=invocation_type, failures=failures)


def assert_same(result: lc.Result, ref: dict) -> None:
    req = result.requests
    for key in ("outcome", "attempts", "throttles", "cold_starts", "throttle_reason"):
        assert req[key].tolist() == ref["requests"][key], key
    for key in ("end", "first_start", "last_start", "event_age"):
        values = [None if math.isnan(x) else x for x in np.asarray(req[key]).tolist()]
        assert values == ref["requests"][key], key
    for i, fref in enumerate(ref["functions"]):
        for key in FUNCTION_KEYS:
            assert int(result.functions[key][i]) == fref[key], (i, key)
        assert result.functions["avg_environments"][i] == pytest.approx(fref["avg_environments"], rel=1e-12, abs=0)
    for key in ("max_concurrency", "max_unreserved_concurrency"):
        assert result.account[key] == ref["account"][key], key
    assert result.account["avg_environments"] == pytest.approx(ref["account"]["avg_environments"], rel=1e-12, abs=0)
    assert result.horizon == ref["horizon"]
    got = {name: {k: v.tolist() for k, v in d.items()} for name, d in result.destinations.items() if len(d["request"])}
    assert got == ref["destinations"]


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(scenarios())
def test_engine_matches_reference_model(scenario):
    account, functions, columns, until, routing, retries, seed = scenario
    result = simulator(account, functions, routing, retries, seed).run(workload(*columns), until=until)
    assert_same(result, reference(account, functions, columns, until, routing, retries, seed))


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(scenarios(), st.integers(1, 5))
def test_chunked_submission_and_stepped_advance_match_one_run(scenario, pieces):
    """submit/advance in chunks and steps gives the same requests and counters as one run."""
    account, functions, columns, until, routing, retries, seed = scenario
    time, function, duration, failures, kinds = columns
    whole = simulator(account, functions, routing, retries, seed).run(workload(*columns), until=until)
    sim = simulator(account, functions, routing, retries, seed)
    outcome = np.zeros(len(time), np.uint8)
    end = np.full(len(time), np.nan)
    bounds = np.linspace(0, len(time), pieces + 1).astype(int)
    for a, b in zip(bounds[:-1], bounds[1:]):
        sim.submit(workload(time[a:b], function[a:b], duration[a:b], failures[a:b], kinds[a:b]))
        if b < len(time):
            # step up to just before the next chunk's first arrival
            window = sim.advance(float(time[b]) if until is None else min(float(time[b]), until))
            outcome[window.requests["request"]] = window.requests["outcome"]
            end[window.requests["request"]] = window.requests["end"]
    window = sim.advance(until)
    # a window lists its requests in the order they were resolved: by time
    assert (np.diff(window.requests["end"]) >= 0).all()
    outcome[window.requests["request"]] = window.requests["outcome"]
    end[window.requests["request"]] = window.requests["end"]
    assert outcome.tolist() == whole.requests["outcome"].tolist()
    np.testing.assert_array_equal(end, whole.requests["end"])
    stats = sim.stats(until)
    for key in FUNCTION_KEYS + ["avg_environments"]:
        np.testing.assert_array_equal(stats.functions[key], whole.functions[key], err_msg=key)
    assert stats.account == whole.account


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(scenarios())
def test_runs_are_bit_identical(scenario):
    account, functions, columns, until, routing, retries, seed = scenario
    runs = [simulator(account, functions, routing, retries, seed).run(workload(*columns), until=until)
            for _ in range(2)]
    for key in runs[0].requests:
        assert np.asarray(runs[0].requests[key]).tobytes() == np.asarray(runs[1].requests[key]).tobytes()
    for key in runs[0].functions:
        assert runs[0].functions[key].tobytes() == runs[1].functions[key].tobytes()
    assert runs[0].account == runs[1].account

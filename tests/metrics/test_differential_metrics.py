"""Differential tests of the per-period series (docs/model.md §10): the engine's
`Result.metrics` against the metrics oracle (tests/oracle/metrics.py), on the random accounts,
functions and workloads of tests/engine/test_differential.py, cut into short periods (0.25 s to
60 s) so that runs span several of them and the workloads' coarse time grid lands starts and
ends exactly on period boundaries.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lambda_core as lc
from tests.engine.test_differential import scenarios, workload
from tests.metrics.compare import disagreements, oracle_config
from tests.oracle.metrics import SUMS, simulate_metrics
from tests.support.profiles import examples

# short periods on the workloads' 0.25 s grid (boundaries hit exactly), odd ones that are not,
# and CloudWatch's minute
PERIODS = st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 0.7, 3.3, 10.0, 60.0])


def reference(account, functions, columns, until, routing, retries, seed, period_s):
    time, function, duration, failures, invocation_type = columns
    acct, fns = oracle_config(account, functions)
    return simulate_metrics(
        acct, fns,
        {"time": time.tolist(), "function": function.tolist(), "duration": duration.tolist(),
         "failures": failures.tolist(), "invocation_type": invocation_type.tolist()},
        period_s, routing=routing, until=until, seed=seed,
        client_retries=None if retries is None else
        {"max_attempts": retries.max_attempts, "base_s": retries.base_s, "cap_s": retries.cap_s})


def engine(account, functions, columns, until, routing, retries, seed, period_s) -> lc.Result:
    sim = lc.Simulator(account, functions, routing=routing, client_retries=retries, seed=seed,
                       metrics_period_s=period_s)
    return sim.run(workload(*columns), until=until)


@settings(max_examples=examples(300), deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(scenarios(), PERIODS)
def test_series_match_the_oracle(scenario, period_s):
    account, functions, columns, until, routing, retries, seed = scenario
    result = engine(account, functions, columns, until, routing, retries, seed, period_s)
    _, ref = reference(account, functions, columns, until, routing, retries, seed, period_s)
    assert result.metrics is not None
    assert result.metrics.period_s == period_s
    assert disagreements(result.metrics, ref, [f.name for f in functions]) == []


@settings(max_examples=examples(150), deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(scenarios(), PERIODS)
def test_oracle_sums_add_up_to_its_whole_run_counters(scenario, period_s):
    """The oracle's own consistency: its Sum series add up to its whole-run counters, and
    its per-period maxima to the whole-run maxima (which the engine's differential tests pin)."""
    account, functions, columns, until, routing, retries, seed = scenario
    whole, ref = reference(account, functions, columns, until, routing, retries, seed, period_s)
    for i, counters in enumerate(whole["functions"]):
        s = ref["function"][i]
        for name, counter in SUMS:
            if counter is not None:
                assert sum(s[name, "Sum"]) == counters[counter], (i, name)
        assert max(s["ConcurrentExecutions", "Maximum"]) == counters["max_concurrency"]
        assert sum(s["Timeouts", "Sum"]) <= sum(s["Errors", "Sum"])
    a = ref["account"]
    assert max(a["ConcurrentExecutions", "Maximum"]) == whole["account"]["max_concurrency"]
    assert max(a["UnreservedConcurrentExecutions", "Maximum"]) == whole["account"]["max_unreserved_concurrency"]
    # the time-average over the run equals the length-weighted mean of the periods' averages
    h = ref["horizon"]
    if h > 0:
        lengths = [min(t + ref["period_s"], h) - t for t in ref["timestamps"]]
        lengths[-1] = h - ref["timestamps"][-1]
        mean = sum(v * w for v, w in zip(a["EnvironmentsAlive", "Average"], lengths)) / h
        assert abs(mean - whole["account"]["avg_environments"]) <= 1e-9 * max(1.0, mean)

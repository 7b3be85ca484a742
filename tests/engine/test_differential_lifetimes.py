"""Differential tests of environment lifetimes (docs/model.md §3.1): the engine against the
reference model on the random accounts, functions and workloads of
tests/engine/test_differential.py, each function given drawn keep-alives and inits (fixed,
uniform, empirical, log-normal), a maximum lifetime and warm environments at time 0. Both must
agree on every request (the `environment` id included), every whole-run counter (billed
durations too) and every per-period series.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lambda_core as lc
from tests.engine.test_differential import assert_same, scenarios, workload
from tests.metrics.compare import disagreements, oracle_config
from tests.oracle import lifetimes as lt
from tests.oracle.metrics import simulate_metrics
from tests.support.engine_adapter import lifetime_options
from tests.support.profiles import examples

# whole-run counters the oracle keeps as per-period sums only: (counter, series)
SERIES_COUNTERS = (("billed_duration_ms", "BilledDuration"),
                   ("provisioned_billed_duration_ms", "ProvisionedBilledDuration"),
                   ("timeouts", "Timeouts"), ("provisioned_cold_starts", "ProvisionedColdStarts"))
PERIODS = st.sampled_from([0.25, 1.0, 2.5, 0.7, 60.0])
SLOW = dict(deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def seconds(*values: float):
    return st.sampled_from(values)


def distributions(fixed, lows, widths, values, medians, sigmas):
    """A number or one of §3.1's four distributions, in the oracle's terms."""
    return st.one_of(
        fixed,
        fixed.map(lt.Fixed),
        st.builds(lambda lo, w: lt.Uniform(lo, lo + w), lows, widths),
        st.lists(values, min_size=1, max_size=4).map(lambda v: lt.Empirical(tuple(v))),
        st.builds(lt.LogNormal, medians, sigmas),
    )


# keep-alives on the workloads' scale (gaps of 0–2.5 s, runs of up to ~150 s), some long
KEEP_ALIVES = distributions(seconds(0.0, 0.5, 1.0, 3.0, 600.0), seconds(0.0, 0.5, 1.0),
                            seconds(0.0, 0.000001, 1.0, 3.0), seconds(0.0, 0.25, 1.0, 2.5, 600.0),
                            seconds(0.000001, 0.5, 1.0, 2.0), seconds(0.0, 0.3, 1.0, 2.5))
# inits within 0–10 s; a log-normal with median 2 s and σ 3 often reaches the 10 s limit
INITS = distributions(seconds(0.0, 0.000001, 0.25, 1.0), seconds(0.0, 0.1),
                      seconds(0.0, 0.5, 2.0), seconds(0.0, 0.000001, 0.25, 1.0, 10.0),
                      seconds(0.1, 0.5, 2.0), seconds(0.0, 0.5, 1.5, 3.0))


@st.composite
def lifetime_scenarios(draw):
    """A scenario of test_differential with §3.1's options per function: (the scenario with
    the engine's functions, the oracle's account and functions)."""
    account, functions, columns, until, routing, retries, seed = draw(scenarios())
    acct, ref_functions = oracle_config(account, functions)
    engine_functions = []
    for i, f in enumerate(functions):
        options = {"init_s": draw(INITS), "idle_timeout_s": draw(KEEP_ALIVES),
                   "max_lifetime_s": draw(st.sampled_from([None, None, 0.5, 1.0, 2.5, 5.0, 30.0])),
                   "warm_at_start": draw(st.sampled_from([0, 0, 1, 2, 3]))}
        ref_functions[i].update(options)
        engine_functions.append(dataclasses.replace(f, **lifetime_options(options)))
    return (account, engine_functions, columns, until, routing, retries, seed), (acct, ref_functions)


def reference(scenario, oracle, period_s: float) -> tuple[dict, dict]:
    """The oracle's whole-run result and per-period series."""
    _account, _functions, (time, function, duration, failures, kinds), until, routing, retries, seed = scenario
    acct, functions = oracle
    return simulate_metrics(
        acct, functions,
        {"time": time.tolist(), "function": function.tolist(), "duration": duration.tolist(),
         "failures": failures.tolist(), "invocation_type": kinds.tolist()},
        period_s, routing=routing, until=until, seed=seed,
        client_retries=None if retries is None else
        {"max_attempts": retries.max_attempts, "base_s": retries.base_s, "cap_s": retries.cap_s})


def engine(scenario, period_s: float | None = None) -> lc.Result:
    account, functions, columns, until, routing, retries, seed = scenario
    sim = lc.Simulator(account, functions, routing=routing, client_retries=retries, seed=seed,
                       metrics_period_s=period_s)
    return sim.run(workload(*columns), until=until)


@settings(max_examples=examples(400), **SLOW)
@given(lifetime_scenarios(), PERIODS)
def test_engine_matches_reference_model_with_lifetimes(drawn, period_s):
    scenario, oracle = drawn
    result = engine(scenario)
    whole, series = reference(scenario, oracle, period_s)
    assert_same(result, whole)
    assert result.requests["environment"].dtype == np.int64
    assert result.requests["environment"].tolist() == whole["requests"]["environment"]
    for i, s in enumerate(series["function"]):
        for counter, name in SERIES_COUNTERS:
            assert int(result.functions[counter][i]) == sum(s[name, "Sum"]), (i, counter)


@settings(max_examples=examples(200), **SLOW)
@given(lifetime_scenarios(), PERIODS)
def test_series_match_the_oracle_with_lifetimes(drawn, period_s):
    scenario, oracle = drawn
    result = engine(scenario, period_s)
    _, series = reference(scenario, oracle, period_s)
    assert result.metrics is not None
    assert disagreements(result.metrics, series, [f.name for f in scenario[1]]) == []


@settings(max_examples=examples(100), **SLOW)
@given(lifetime_scenarios(), st.integers(1, 5))
def test_draws_do_not_depend_on_chunking(drawn, pieces):
    """§3.1: a draw is a pure function of (seed, environment, instant), so submitting the
    workload in chunks and advancing in steps gives the requests and environments of one run."""
    scenario, _ = drawn
    account, functions, columns, until, routing, retries, seed = scenario
    time = columns[0]
    whole = engine(scenario)
    sim = lc.Simulator(account, functions, routing=routing, client_retries=retries, seed=seed)
    environment = np.full(len(time), -2, np.int64)
    end = np.full(len(time), np.nan)
    bounds = np.linspace(0, len(time), pieces + 1).astype(int)
    for a, b in zip(bounds[:-1], bounds[1:]):
        sim.submit(workload(*(c[a:b] for c in columns)))
        step = (float(time[b]) if until is None else min(float(time[b]), until)) if b < len(time) else until
        window = sim.advance(step)
        environment[window.requests["request"]] = window.requests["environment"]
        end[window.requests["request"]] = window.requests["end"]
    np.testing.assert_array_equal(end, whole.requests["end"])
    resolved = ~np.isnan(whole.requests["end"])
    assert environment[resolved].tolist() == whole.requests["environment"][resolved].tolist()
    stats = sim.stats(until)
    for key in ("cold_starts", "environments_created", "avg_environments", "billed_duration_ms"):
        np.testing.assert_array_equal(stats.functions[key], whole.functions[key], err_msg=key)


def test_the_distributions_are_one_api():
    import lambda_core.distributions as d

    assert (d.Fixed, d.Uniform, d.LogNormal, d.Empirical) == (lc.Fixed, lc.Uniform, lc.LogNormal, lc.Empirical)


def test_environment_ids_of_a_small_run():
    # warm env 0 serves r0; r1 at 0 makes env 1 (init 0.5); r2 is throttled (reservation 2).
    # Both envs were born at 0, so with M = 3 s they are gone at 3, before their 5 s
    # keep-alives end (at 6 and 6.5): r3 at 4 makes env 2
    f = lc.Function("f", reserved_concurrency=2, warm_at_start=1, idle_timeout_s=lc.Fixed(5.0),
                    max_lifetime_s=3.0, init_s=lc.Empirical([0.5]))
    w = lc.Workload(np.array([0.0, 0.0, 0.0, 4.0]), np.zeros(4, np.int64), np.ones(4))
    r = lc.Simulator(lc.Account(), [f], seed=1).run(w)
    assert r.requests["environment"].dtype == np.int64
    assert r.requests["environment"].tolist() == [0, 1, -1, 2]
    assert r.requests["cold_starts"].tolist() == [0, 1, 0, 1]
    assert r.requests["end"].tolist() == [1.0, 1.5, 0.0, 5.5]
    assert int(r.functions["environments_created"][0]) == 2
    # env 0 and env 1 alive [0, 3], env 2 [4, 5.5]: 7.5 env·s over 5.5 s
    assert math.isclose(float(r.functions["avg_environments"][0]), 7.5 / 5.5, rel_tol=1e-12)

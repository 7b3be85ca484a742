"""Throughput of synchronous invocations: the engine on the steady and churn scenarios, and the
pure-Python reference model on a slice of the steady one. Figures: docs/performance.md."""

from __future__ import annotations

import time

import numpy as np
import pytest

import lambda_core as lc
from tests.oracle import invocations as reference_model

ROUNDS = 5


def fresh(functions):
    """A pedantic setup: each round gets a new simulator (a run consumes what it was given)."""
    return lambda: ((lc.Simulator(lc.Account(), functions),), {})


@pytest.mark.parametrize("mode", ["run", "advance"])
@pytest.mark.parametrize("scenario", ["steady", "churn"])
def test_sync(scenario, mode, request, measure):
    functions, workload = request.getfixturevalue(scenario)
    n = len(workload)

    if mode == "run":  # per-request output

        def target(sim):
            return sim, sim.run(workload)

    else:  # statistics only

        def target(sim):
            sim.submit(workload)
            sim.advance(requests=False)
            return sim, None

    sim, result = measure(f"{scenario}/{mode}", n, target, fresh(functions), ROUNDS)

    stats = sim.stats().functions
    assert stats["invocations"].sum() + stats["throttles"].sum() == n  # every request resolved
    if result is not None:
        assert len(result.requests["outcome"]) == n
        assert not (result.requests["outcome"] == lc.Outcome.PENDING).any()
    if scenario == "churn":
        assert stats["throttles_unreserved"].sum() > 0
        assert stats["throttles_reserved"].sum() > 0
        assert stats["cold_starts"].sum() > 0.05 * stats["invocations"].sum()  # idle environments reclaimed
        assert stats["spillover_invocations"].sum() > 0


def test_reference_model(steady, measure, summary, benchmark):
    """The steady scenario's first rows through the reference model, and through the engine."""
    functions, workload = steady
    m = max(1, len(workload) // 50)  # 200,000 at full scale: a few seconds in the reference model
    time_, function, duration = workload.time[:m], workload.function[:m], workload.duration[:m]
    slice_ = lc.Workload(time_, function, duration)

    # the engine on the same slice: best of 10 runs, per-request output like the reference's
    engine_s = float("inf")
    for _ in range(10):
        sim = lc.Simulator(lc.Account(), functions)
        start = time.perf_counter()
        engine = sim.run(slice_)
        engine_s = min(engine_s, time.perf_counter() - start)

    account = {"concurrency_limit": 1000}
    fns = [{"init_s": 0.5} for _ in functions]  # lc.Function's defaults otherwise
    inputs = {"time": time_.tolist(), "function": function.tolist(), "duration": duration.tolist()}
    ref = measure("reference/steady", m, lambda: reference_model.simulate(account, fns, inputs), rounds=3)

    engine_rate = m / engine_s
    ratio = engine_rate / benchmark.extra_info["invocations_per_s"]
    benchmark.extra_info.update(reference_invocations_per_s=benchmark.extra_info["invocations_per_s"],
                                engine_invocations_per_s=engine_rate, engine_over_reference=ratio)
    summary(f"engine/steady slice: {m:,} invocations, {engine_s:.3g} s, "
            f"{engine_rate / 1e6:.3g} M invocations/s (min of 10 runs); engine/reference = {ratio:,.0f}x")

    # the two agree on the slice
    assert np.array_equal(engine.requests["outcome"], ref["requests"]["outcome"])
    assert engine.functions["cold_starts"].sum() == sum(f["cold_starts"] for f in ref["functions"])

"""The cost of the per-period series (docs/metrics.md): the steady scenario with
``metrics_period_s=None`` and ``=60``, interleaved round by round so that the machine's drift
hits both alike, and the ratio of their throughputs printed, for the two ways of running it:
``run`` (one call: the requests' rows, the statistics and the series, what most users do) and
``advance`` (the engine alone, no per-request rows, then the series read). Figures:
docs/performance.md."""

from __future__ import annotations

import time

import pytest

import lambda_core as lc

ROUNDS = 5


def _run(sim: lc.Simulator, workload: lc.Workload) -> lc.Metrics | None:
    return sim.run(workload).metrics


def _advance(sim: lc.Simulator, workload: lc.Workload) -> lc.Metrics | None:
    sim.submit(workload)
    sim.advance(requests=False)
    return sim.metrics()  # the series read: part of what a user pays for


@pytest.mark.parametrize("mode", ["run", "advance"])
def test_steady_with_and_without_series(mode, steady, summary, benchmark):
    functions, workload = steady
    n = len(workload)
    call = {"run": _run, "advance": _advance}[mode]
    best = {None: float("inf"), 60.0: float("inf")}
    for _ in range(1 if benchmark.disabled else ROUNDS):
        for period in best:
            sim = lc.Simulator(lc.Account(), functions, metrics_period_s=period)  # outside the timing
            start = time.perf_counter()
            metrics = call(sim, workload)
            best[period] = min(best[period], time.perf_counter() - start)
            assert (metrics is None) == (period is None)
            stats = sim.stats().functions
            assert stats["invocations"].sum() + stats["throttles"].sum() == n
            del sim, metrics, stats
    off, on = n / best[None], n / best[60.0]
    benchmark.extra_info.update(invocations=n, invocations_per_s=on, without_series_per_s=off, ratio=on / off)
    summary(f"steady/{mode} with series at 60 s: {n:,} invocations, {on / 1e6:.3g} M/s against "
            f"{off / 1e6:.3g} M/s without (ratio {on / off:.3f}; min of "
            f"{1 if benchmark.disabled else ROUNDS} interleaved rounds)")

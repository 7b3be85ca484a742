"""Throughput of asynchronous invocation: the storm. Figures: docs/performance.md.

10 million events: 9 million in the background (nine unreserved functions, three hours, mean
0.2 s each) and a burst of 1 million within 10 s into a function reserved at 100 (mean 10 ms
each, so it absorbs 10,000 per second against 100,000 arriving): most of the burst waits in the
throttle backoff (1, 2, 4 ... 300 s) before it runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scaled

import lambda_core as lc

ROUNDS = 3


def storm_functions() -> list[lc.Function]:
    return [lc.Function("burst", reserved_concurrency=100, timeout_s=30, dead_letter_queue="burst-dlq")] + [
        lc.Function(f"bg{i}", timeout_s=30) for i in range(9)
    ]


def storm_workload(n: int, seed: int = 3) -> lc.Workload:
    """`n` events; the rates stay those of the full-size storm when `n` is scaled down."""
    rng = np.random.default_rng(seed)
    n_burst = n // 10
    n_bg = n - n_burst
    span = 10.0 * n_burst / 1_000_000  # the burst arrives at 100,000 per second
    time_ = np.concatenate([rng.uniform(0, 3 * 3600 * n / 10_000_000, n_bg), rng.uniform(0, span, n_burst)])
    function = np.concatenate([rng.integers(1, 10, n_bg), np.zeros(n_burst, np.int64)])
    duration = np.concatenate([rng.exponential(0.2, n_bg), rng.exponential(0.01, n_burst)])
    order = np.argsort(time_, kind="stable")
    return lc.Workload(time_[order], function[order], duration[order], invocation_type=lc.Trigger.S3)


@pytest.fixture(scope="module")
def storm():
    return storm_functions(), storm_workload(scaled(10_000_000))


def test_async_storm(storm, measure):
    functions, workload = storm
    n = len(workload)

    def target(sim):
        sim.submit(workload)
        sim.advance(requests=False)
        return sim

    sim = measure("storm/advance", n, target, lambda: ((lc.Simulator(lc.Account(), functions),), {}), ROUNDS)

    burst = sim.stats().function("burst")
    stats = sim.stats().functions
    assert stats["async_events_received"].sum() == n
    # every event ran or was dropped; nothing is left in flight
    assert sim._engine.pending_requests == 0
    assert stats["invocations"].sum() - stats["errors"].sum() + stats["async_events_dropped"].sum() == n
    # most of the burst waited in backoff: many more throttled attempts than burst events
    assert burst["throttles"] > burst["async_events_received"]

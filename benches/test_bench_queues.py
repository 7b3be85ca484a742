"""Throughput of SQS queue mappings (docs/model.md §8). Figures: docs/performance.md.

The ramp under a backlog: 10 million messages land on a standard queue within the first
10 seconds; the mapping starts with 5 concurrent batches of 10 and adds 300 a minute up to
1250 (0.2 s per batch, in an account of 3000), so the backlog drains in about five simulated
minutes through about a million invocations. Reported: messages per second.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scaled

import lambda_core as lc

ROUNDS = 3


@pytest.fixture(scope="module")
def backlog():
    n = scaled(10_000_000)
    rng = np.random.default_rng(6)
    return lc.Records("jobs", np.sort(rng.uniform(0, 10, n)))


def simulator() -> lc.Simulator:
    queue = lc.SqsQueue("jobs", visibility_timeout_s=60, max_receive_count=5)
    mapping = lc.EventSourceMapping(queue, "worker", batch_size=10, duration=0.2)
    return lc.Simulator(lc.Account(concurrency_limit=3000), [lc.Function("worker", init_s=0.3, timeout_s=30)],
                        mappings=[mapping])


def test_sqs_ramp_under_a_backlog(backlog, measure):
    n = len(backlog)

    def target(sim):
        sim.submit_records(backlog)
        sim.advance(requests=False)
        return sim

    sim = measure("sqs/ramp", n, target, lambda: ((simulator(),), {}), ROUNDS, unit="messages")
    q = sim.stats().mappings["jobs"]
    assert q["records_processed"] == n
    assert q["invocations"] >= n / 10
    if n >= 1_000_000:
        assert q["max_slots"] == 1250  # the ramp reached its cap before the backlog was gone

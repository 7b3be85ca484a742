"""Throughput of stream event-source mappings (docs/model.md §7). Figures: docs/performance.md.

A Kinesis stream of 100 shards read by one mapping, its records Poisson-distributed over the
shards by random partition keys:

- batch size 100: 50 million records at 400,000 per second (4,000 per shard against a capacity
  of about 5,000 per shard with batches of 10 ms + 0.1 ms per record): records per second;
- batch size 1: 10 million records at 8,000 per second (80 per shard against 100 per shard with
  10 ms per batch): invocations per second.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scaled

import lambda_core as lc

ROUNDS = 3


def stream_records(n: int, rate: float, seed: int) -> lc.Records:
    rng = np.random.default_rng(seed)
    return lc.Records("clicks", np.cumsum(rng.exponential(1 / rate, n)), rng.integers(-(2**63), 2**63 - 1, n))


def simulator(batch_size: int, per_record_s: float) -> lc.Simulator:
    stream = lc.KinesisStream("clicks", shards=100)
    mapping = lc.EventSourceMapping(stream, "orders", batch_size=batch_size,
                                    duration=lc.BatchDuration(0.01, per_record_s))
    return lc.Simulator(lc.Account(), [lc.Function("orders", init_s=0.2, timeout_s=60)], mappings=[mapping])


@pytest.fixture(scope="module")
def records_100():
    return stream_records(scaled(50_000_000), 400_000.0, seed=4)


@pytest.fixture(scope="module")
def records_1():
    return stream_records(scaled(10_000_000), 8_000.0, seed=5)


def run(records: lc.Records):
    def target(sim):
        sim.submit_records(records)
        sim.advance(requests=False)
        return sim

    return target


def test_stream_batch_100(records_100, measure):
    n = len(records_100)
    sim = measure("streams/batch-100", n, run(records_100), lambda: ((simulator(100, 0.0001),), {}), ROUNDS,
                  unit="records")
    m = sim.stats().mappings["clicks"]
    assert m["records_processed"] == n
    assert m["max_concurrency"] == 100  # one batch per shard, every shard busy at some point
    assert m["invocations"] == m["batches"] and n / m["batches"] > 20  # mostly large batches


def test_stream_batch_1(records_1, measure):
    n = len(records_1)
    sim = measure("streams/batch-1", n, run(records_1), lambda: ((simulator(1, 0.0),), {}), ROUNDS)
    m = sim.stats().mappings["clicks"]
    assert m["invocations"] == m["records_processed"] == n
    assert m["max_concurrency"] == 100

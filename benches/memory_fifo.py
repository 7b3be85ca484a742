"""Peak RSS of a FIFO queue whose every message has its own message group: 10^7 messages (or
COUNT) at 10,000 per second, batches of 10 ms, fed in chunks of 10^6 with
``advance(until, requests=False)``. Only a few hundred groups hold messages at any instant, so
the engine's memory should stay flat however many groups the run has seen
(docs/reliability.md, "Bounded memory"). Prints the peak and what the engine adds to it.

    python benches/memory_fifo.py [COUNT]
"""

from __future__ import annotations

import resource
import sys

import numpy as np

import lambda_core as lc

RATE = 10_000.0
CHUNK = 1_000_000


def simulator() -> lc.Simulator:
    queue = lc.SqsQueue("orders.fifo", fifo=True)
    mapping = lc.EventSourceMapping(queue, "orders", batch_size=10, duration=lc.BatchDuration(0.01, 0.0))
    return lc.Simulator(lc.Account(), [lc.Function("orders", init_s=0.2, timeout_s=60)], mappings=[mapping])


def chunk(rng: np.random.Generator, start: int, n: int, t0: float) -> lc.Records:
    time = t0 + np.cumsum(rng.exponential(1 / RATE, n))
    return lc.Records("orders.fifo", time, np.arange(start, start + n, dtype=np.int64))  # one group each


def main() -> None:
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000
    rng = np.random.default_rng(10)
    sim = simulator()
    before = None
    t = 0.0
    for start in range(0, n, CHUNK):
        records = chunk(rng, start, min(CHUNK, n - start), t)
        t = float(records.time[-1])
        sim.submit_records(records)
        if before is None:  # the engine, Python and one chunk of inputs
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sim.advance(t, requests=False)
        del records
    sim.advance(requests=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = sim.stats().mappings["orders.fifo"]
    assert m["records_processed"] == n, m
    print(f"{n:,} messages in {n:,} groups, {m['invocations']:,} invocations: peak RSS {peak:.0f} MB "
          f"(Python and one chunk {before:.0f} MB, the engine adds {peak - (before or 0):.0f} MB)")


if __name__ == "__main__":
    main()

"""Peak memory of the asynchronous storm fed in chunks: it must follow the events in flight,
not the events seen.

    python benches/memory_async.py [HOURS]        # default 3 (10 M events); try 6 (19 M)

The storm of benches/test_bench_async.py — a burst of 1 M events within 10 s into a function
reserved at 100, background events at 833 per second on nine other functions — generated and
submitted 60 simulated seconds at a time, with per-request output off. Prints events seen, the
peak number of events in flight (queued in backoff or running), peak RSS and events per second.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np

import lambda_core as lc

BG_RATE = 9_000_000 / (3 * 3600)  # background events per second
WINDOW = 60.0


def main(hours: float = 3.0) -> None:
    rng = np.random.default_rng(4)
    functions = [lc.Function("burst", reserved_concurrency=100, timeout_s=30, dead_letter_queue="burst-dlq")] + [
        lc.Function(f"bg{i}", timeout_s=30) for i in range(9)
    ]
    sim = lc.Simulator(lc.Account(), functions)
    seen = peak_pending = 0
    busy = 0.0
    for k in range(int(hours * 3600 / WINDOW)):
        start = k * WINDOW
        n_bg = rng.poisson(BG_RATE * WINDOW)
        t = rng.uniform(start, start + WINDOW, n_bg)
        f = rng.integers(1, 10, n_bg)
        d = rng.exponential(0.2, n_bg)
        if k == 0:  # the burst: 1 M events within the first 10 s
            t = np.concatenate([t, rng.uniform(0, 10, 1_000_000)])
            f = np.concatenate([f, np.zeros(1_000_000, np.int64)])
            d = np.concatenate([d, rng.exponential(0.01, 1_000_000)])
        order = np.argsort(t, kind="stable")
        chunk = lc.Workload(t[order], f[order], d[order], invocation_type=lc.Trigger.S3)
        began = time.perf_counter()
        sim.submit(chunk)
        sim.advance(until=start + WINDOW, requests=False)
        busy += time.perf_counter() - began
        seen += len(chunk)
        peak_pending = max(peak_pending, sim._engine.pending_requests)
    began = time.perf_counter()
    sim.advance(requests=False)
    busy += time.perf_counter() - began
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dropped = int(sim.stats().functions["async_events_dropped"].sum())
    print(f"{hours:g} h: {seen:,} events seen, peak {peak_pending:,} in flight (sampled each minute), "
          f"{dropped:,} dropped, peak RSS {rss_mb:.0f} MB, {seen / busy / 1e6:.2f} M events/s (submit + advance)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)

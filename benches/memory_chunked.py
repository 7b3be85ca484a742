"""Peak memory of a long run: COUNT steady-scenario invocations fed to one simulator in chunks,
statistics only (no per-request output). Target: peak RSS < 1 GB.

    python benches/memory_chunked.py [COUNT] [--chunk ROWS] [--seed SEED]

The steady scenario: 1000 default functions, Poisson arrivals at 7500/s, exponential durations
of mean 0.1 s capped at 2.5 s. Each chunk is generated with one seeded numpy Generator,
continuing from the previous chunk's last arrival, then `sim.submit(chunk)` and
`sim.advance(until=last_time_of_chunk, requests=False)`.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

import lambda_core as lc


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=100_000_000, help="invocations (default 100,000,000)")
    parser.add_argument("--chunk", type=int, default=2_000_000, help="rows per chunk (default 2,000,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    sim = lc.Simulator(lc.Account(), [lc.Function(f"f{i}") for i in range(1000)])
    baseline = peak_rss_mb()
    done, last, engine_s = 0, 0.0, 0.0
    start = time.perf_counter()
    while done < args.count:
        n = min(args.chunk, args.count - done)
        arrivals = last + np.cumsum(rng.exponential(1 / 7500, n))
        chunk = lc.Workload(arrivals, rng.integers(0, 1000, n), np.minimum(rng.exponential(0.1, n), 2.5))
        t0 = time.perf_counter()
        sim.submit(chunk)
        sim.advance(until=arrivals[-1], requests=False)
        engine_s += time.perf_counter() - t0
        done, last = done + n, arrivals[-1]
    t0 = time.perf_counter()
    sim.advance(requests=False)  # resolve the executions still running
    engine_s += time.perf_counter() - t0
    total_s = time.perf_counter() - start

    stats = sim.stats().functions
    invocations, throttles = int(stats["invocations"].sum()), int(stats["throttles"].sum())
    assert invocations + throttles == done, "every request resolved"
    print(f"{done:,} invocations in chunks of {args.chunk:,} ({invocations:,} ran, {throttles:,} throttled), "
          f"{sim.now:,.0f} simulated s")
    print(f"engine: {engine_s:.2f} s, {done / engine_s / 1e6:.2f} M invocations/s (submit + advance only)")
    print(f"total: {total_s:.2f} s, {done / total_s / 1e6:.2f} M invocations/s (workload generation included)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (before the first chunk: {baseline:.0f} MB)")


if __name__ == "__main__":
    main()

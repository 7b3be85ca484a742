"""An API gateway in front of two Lambda functions and a database, as a SimPy model (docs/simpy.md).

    python examples/simpy_gateway.py [--seed 0] [--duration 60]

Each request the gateway receives calls `auth`, then takes one of the database's 12 connections
(a ``simpy.Resource``) for a query, then calls `orders`. Lambda's side, reservations, cold
starts and throttles, is the simulator's (``lc.simpy.Platform``); the gateway, the database
and the clients are plain SimPy. A throttled call (``TooManyRequestsException``) is retried
after an exponential backoff with full jitter, at most 5 attempts; then the request gives up.
Traffic is 150 requests a second, 450 a second from 20 s to 30 s: more than the 50 environments
`orders` reserves can serve while new ones start cold (0.8 s), so its calls are throttled in the
burst, and the queries queue for a connection.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

import lambda_core as lc

MAX_ATTEMPTS = 5
BASE_BACKOFF_S = 0.05
DB_CONNECTIONS = 12


def main(seed: int = 0, duration_s: float = 60.0, quiet: bool = False) -> dict[str, Any]:
    """Runs the model and returns its summary (what it prints)."""
    rng = random.Random(seed + 1)  # durations, queries, jitter
    arrivals = random.Random(seed)  # the traffic: one stream, the same whatever the model does
    sim = lc.Simulator(lc.Account(), [lc.Function("auth", init_s=0.3),
                                      lc.Function("orders", reserved_concurrency=50, init_s=0.8)], seed=seed)
    env = simpy.Environment()
    platform = lc.simpy.Platform(env, sim, raise_on_refusal=True)
    database = simpy.Resource(env, capacity=DB_CONNECTIONS)
    counts = {"requests": 0, "successes": 0, "gave_up": 0, "throttles": 0, "retries": 0}
    latencies: list[float] = []

    def call(function: str, duration_s: float) -> Generator[simpy.Event, Any, bool]:
        """One Lambda call with the client's retries; True if it succeeded."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                yield platform.invoke(function, duration_s)
                return True
            except lc.simpy.InvokeRefused as e:
                if e.aws_error != "TooManyRequestsException":
                    raise
                counts["throttles"] += 1
                if attempt + 1 == MAX_ATTEMPTS:
                    return False
                counts["retries"] += 1
                yield env.timeout(rng.uniform(0, BASE_BACKOFF_S * 2**attempt))  # full jitter
        return False

    def request() -> Generator[simpy.Event, Any, None]:
        began = env.now
        ok = yield from call("auth", rng.uniform(0.01, 0.03))
        if ok:
            with database.request() as connection:
                yield connection
                yield env.timeout(rng.expovariate(1 / 0.03))  # the query
            ok = yield from call("orders", rng.uniform(0.05, 0.2))
        if ok:
            counts["successes"] += 1
            latencies.append(env.now - began)
        else:
            counts["gave_up"] += 1

    def gateway() -> Generator[simpy.Event, Any, None]:
        while env.now < duration_s:
            rate = 450.0 if 20 <= env.now < 30 else 150.0
            yield env.timeout(arrivals.expovariate(rate))
            counts["requests"] += 1
            env.process(request())

    env.process(gateway())
    env.run()  # ends when the last request does: the platform schedules nothing while idle
    stats = sim.stats().functions
    summary: dict[str, Any] = {
        **counts,
        "p50_s": float(np.percentile(latencies, 50)), "p99_s": float(np.percentile(latencies, 99)),
        "engine_invocations": int(stats["invocations"].sum()),
        "engine_throttles": int(stats["throttles"].sum()), "end_s": env.now,
    }
    if not quiet:
        print(f"{summary['requests']} requests in {duration_s:g} s: {summary['successes']} served, "
              f"{summary['gave_up']} gave up after {MAX_ATTEMPTS} throttled attempts")
        print(f"throttles seen by clients: {summary['throttles']} "
              f"(the simulator counted {summary['engine_throttles']}), retries: {summary['retries']}")
        print(f"latency of served requests: p50 {summary['p50_s'] * 1e3:.0f} ms, "
              f"p99 {summary['p99_s'] * 1e3:.0f} ms; the last ended at {summary['end_s']:.3f} s")
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    main(args.seed, args.duration)

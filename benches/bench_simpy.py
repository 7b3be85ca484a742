"""The cost of a request through lambda_core.simpy.Platform (docs/simpy.md, "Cost").

    python benches/bench_simpy.py [--requests 100000] [--repeat 5]

A SimPy arrival process sends `--requests` synchronous requests (Poisson, 1000 a second, handler
durations exponential with a mean of 50 ms, one function reserving 100) in four models, each
timed `--repeat` times (the median is printed, with the range):

- ``platform, fire and forget``: the arrival process invokes and never waits;
- ``platform, a client each``: a process per request yields its invocation's event;
- two SimPy floors without Lambda, the same processes with nothing in place of the invoke
  (``arrivals alone``) and with ``env.timeout(duration)`` in place of it (``a client each``);
- ``engine alone``: ``Simulator.invoke`` and ``step`` in a plain loop, no SimPy (docs/embedding.md).

The inputs (arrival gaps, durations) are built before the timed region. The platform's own cost
per request is its model's time minus its floor's (the last column).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

import lambda_core as lc

Model = Callable[[list[float], list[float]], int]


def _sim() -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("api", reserved_concurrency=100, init_s=0.2)])


def _arrive(env: simpy.Environment, gaps: list[float], durations: list[float],
            act: Callable[[float], object]) -> None:
    """Runs `env` with one arrival process: after each gap, `act(duration)` (the same loop
    for every model, so that a model's floor differs from it only by what `act` does)."""

    def arrivals() -> Generator[simpy.Event, Any, None]:
        for gap, duration in zip(gaps, durations):
            yield env.timeout(gap)
            act(duration)

    env.process(arrivals())
    env.run()


def arrivals_alone(gaps: list[float], durations: list[float]) -> int:
    env = simpy.Environment()
    done = [0]

    def count(duration: float) -> None:
        done[0] += 1

    _arrive(env, gaps, durations, count)
    return done[0]


def clients_alone(gaps: list[float], durations: list[float]) -> int:
    env = simpy.Environment()
    done = [0]

    def client(duration: float) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(duration)
        done[0] += 1

    _arrive(env, gaps, durations, lambda duration: env.process(client(duration)))
    return done[0]


def fire_and_forget(gaps: list[float], durations: list[float]) -> int:
    env = simpy.Environment()
    sim = _sim()
    platform = lc.simpy.Platform(env, sim)
    _arrive(env, gaps, durations, lambda duration: platform.invoke("api", duration))
    assert platform.pending == 0
    stats = sim.stats().functions  # each request ran once or was throttled once
    return int(stats["invocations"].sum() + stats["throttles"].sum())


def a_client_each(gaps: list[float], durations: list[float]) -> int:
    env = simpy.Environment()
    platform = lc.simpy.Platform(env, _sim())
    done = [0]

    def client(duration: float) -> Generator[simpy.Event, Any, None]:
        yield platform.invoke("api", duration)
        done[0] += 1

    _arrive(env, gaps, durations, lambda duration: env.process(client(duration)))
    return done[0]


def engine_alone(gaps: list[float], durations: list[float]) -> int:
    sim = _sim()
    resolved = 0
    t = 0.0
    for gap, duration in zip(gaps, durations):
        t += gap
        sim.invoke(t, "api", duration)
        while (next_t := sim.peek_time()) is not None and next_t < t:
            resolved += len(sim.step()[1])  # type: ignore[index]
    while (step := sim.step()) is not None:
        resolved += len(step[1])
    return resolved


# name -> (model, the name of its floor)
MODELS: dict[str, tuple[Model, str | None]] = {
    "simpy alone: arrivals": (arrivals_alone, None),
    "platform, fire and forget": (fire_and_forget, "simpy alone: arrivals"),
    "simpy alone: a client each, env.timeout(duration)": (clients_alone, None),
    "platform, a client each": (a_client_each, "simpy alone: a client each, env.timeout(duration)"),
    "engine alone (invoke + step, no SimPy)": (engine_alone, None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.requests
    gaps = rng.exponential(1e-3, n).tolist()
    durations = rng.exponential(0.05, n).tolist()
    print(f"{n} requests, {args.repeat} runs each (median, and the range)")
    print("| model | requests/s | µs a request | range (µs) | µs over its floor |")
    print("|---|---:|---:|---:|---:|")
    medians: dict[str, float] = {}
    for name, (model, floor) in MODELS.items():
        model(gaps[:1000], durations[:1000])  # warm up
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            resolved = model(gaps, durations)
            times.append(time.perf_counter() - began)
            assert resolved == n, (name, resolved)
        us = [t / n * 1e6 for t in times]
        median = medians[name] = statistics.median(us)
        extra = "" if floor is None else f"{median - medians[floor]:.2f}"
        print(f"| {name} | {1e6 / median:,.0f} | {median:.2f} | {min(us):.2f}–{max(us):.2f} | {extra} |")


if __name__ == "__main__":
    main()

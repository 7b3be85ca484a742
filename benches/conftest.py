"""Workloads, the `measure` fixture and the throughput summary of the lambda_core benchmarks.

`LAMBDA_CORE_BENCH_SCALE` (float, default 1.0) scales every workload size (see benches/README.md).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

import lambda_core as lc

SCALE = float(os.environ.get("LAMBDA_CORE_BENCH_SCALE", "1.0"))
_FIGURES: list[str] = []  # one summary line per benchmark, printed at the end of the session


def scaled(n: int) -> int:
    return max(1, round(n * SCALE))


# -- workloads -----------------------------------------------------------------------------------


def steady_workload(n: int, seed: int = 1) -> lc.Workload:
    """Poisson arrivals at 7500/s over 1000 functions; exponential durations, mean 0.1 s, cap 2.5 s."""
    rng = np.random.default_rng(seed)
    time_ = np.cumsum(rng.exponential(1 / 7500, n))
    function = rng.integers(0, 1000, n)
    duration = np.minimum(rng.exponential(0.1, n), 2.5)
    return lc.Workload(time_, function, duration)


def churn_workload(n: int, seed: int = 2) -> lc.Workload:
    """Bursts over 200 functions: 0.5 s at 10,000/s then 2 s at 2,000/s, repeated. Function i gets
    a share proportional to 1/(i+1); exponential durations, mean 0.1 s, cap 2.5 s."""
    rng = np.random.default_rng(seed)
    hi, t_hi, lo, t_lo = 10_000.0, 0.5, 2_000.0, 2.0
    # unit-rate Poisson arrivals mapped through the inverse of the periodic cumulative rate
    s = np.cumsum(rng.exponential(1.0, n))
    period, rem = np.divmod(s, hi * t_hi + lo * t_lo)
    time_ = period * (t_hi + t_lo) + np.where(rem < hi * t_hi, rem / hi, t_hi + (rem - hi * t_hi) / lo)
    share = 1.0 / np.arange(1, 201)
    function = rng.choice(200, size=n, p=share / share.sum())
    duration = np.minimum(rng.exponential(0.1, n), 2.5)
    return lc.Workload(time_, function, duration)


def churn_function(i: int) -> lc.Function:
    """Idle timeout 1 s; functions 40-59 reserve 10 (U = 800), and 40-44 provision 5 of them."""
    reserved = 10 if 40 <= i < 60 else None
    provisioned = 5 if 40 <= i < 45 else None
    return lc.Function(f"f{i}", idle_timeout_s=1, reserved_concurrency=reserved,
                       provisioned_concurrency=provisioned)


@pytest.fixture(scope="module")
def steady():
    """(functions, workload) of the steady scenario: 1000 default functions, 10 M invocations."""
    return [lc.Function(f"f{i}") for i in range(1000)], steady_workload(scaled(10_000_000))


@pytest.fixture(scope="module")
def churn():
    """(functions, workload) of the churn scenario: 200 functions, 5 M invocations."""
    return [churn_function(i) for i in range(200)], churn_workload(scaled(5_000_000))


# -- measuring and reporting ---------------------------------------------------------------------


@pytest.fixture
def measure(benchmark):
    """measure(name, n, target, setup, rounds) -> target's last result.

    Runs `benchmark.pedantic(target, setup=setup, rounds=rounds, iterations=1)` and records
    `<unit>_per_s` = n / (minimum round time) in `benchmark.extra_info` (`unit`: what `n`
    counts, "invocations" unless given). Under
    `--benchmark-disable` the target runs once and that single run is timed here instead.
    """

    def measure(name, n, target, setup=None, rounds=5, unit="invocations"):
        if benchmark.disabled:
            seconds = []

            def timed(*args, **kwargs):
                start = time.perf_counter()
                result = target(*args, **kwargs)
                seconds.append(time.perf_counter() - start)
                return result

            result = benchmark.pedantic(timed, setup=setup, rounds=1, iterations=1)
            best, basis = seconds[0], "one run, benchmark disabled"
        else:
            result = benchmark.pedantic(target, setup=setup, rounds=rounds, iterations=1)
            best, basis = benchmark.stats.stats.min, f"min of {rounds} rounds"
        rate = n / best
        benchmark.extra_info.update({unit: n, "seconds_min": best, f"{unit}_per_s": rate,
                                     f"{unit}_per_s_basis": "min round time"})
        report(f"{name}: {n:,} {unit}, {best:.3g} s, {rate / 1e6:.3g} M {unit}/s ({basis})")
        return result

    return measure


def report(line: str) -> None:
    print(line)
    _FIGURES.append(line)


@pytest.fixture
def summary():
    """summary(line): prints `line` and repeats it in the end-of-session summary."""
    return report


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section(f"lambda_core throughput (LAMBDA_CORE_BENCH_SCALE={SCALE:g})")
        for line in _FIGURES:
            terminalreporter.write_line(line)

"""The bill of real runs: AWS's worked example simulated over a month, to the cent; the billed
milliseconds recomputed here from the workload and the per-request rows; provisioned
concurrency and its spill-over; the per-period series beside the metrics adding up to the
whole run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc
from tests.billing.usage import billed_ms

T1_X86, ALLOCATED_X86, PROVISIONED_DURATION_X86 = 0.0000166667, 0.0000041667, 0.0000097222
MONTH = 30 * 86400.0



def cents(x: float) -> float:
    return round(x + 1e-12, 2)


def test_awss_worked_example_simulated_over_a_month():
    """3 M requests of 1 s on 512 MB in a month, spread so that none is throttled."""
    n = 3_000_000
    f = lc.Function("example", memory_mb=512, init_s=0)
    sim = lc.Simulator(lc.Account(), [f])
    sim.submit(lc.Workload(np.arange(n) * (MONTH / n), np.zeros(n, np.int64), 1.0))
    sim.advance(requests=False)
    result = sim.stats()
    assert result.function("example")["invocations"] == n and result.function("example")["throttles"] == 0
    bill = result.cost(lc.Prices(free_tier=True))
    assert bill.quantities("example")["on_demand_gb_s"] == 1_500_000
    assert cents(bill.function("example")["duration"]) == 18.33
    assert cents(bill.function("example")["requests"]) == 0.40
    assert cents(bill.total) == 18.73


def test_the_billed_milliseconds_of_a_run_recomputed_from_its_rows():
    rng = np.random.default_rng(7)
    n = 4000
    f = lc.Function("f", memory_mb=1769, init_s=0.2345, timeout_s=2, idle_timeout_s=5,
                    ephemeral_storage_mb=1024)
    durations = rng.exponential(0.4, n)
    durations[::50] = 3.0  # some time out
    times = np.sort(rng.uniform(0, 600, n))
    result = lc.Simulator(lc.Account(), [f]).run(lc.Workload(times, np.zeros(n, np.int64), durations))
    rows = result.requests
    ran = rows["attempts"] > 0
    assert (rows["attempts"] <= 1).all()  # synchronous: one attempt each
    handler = np.minimum(durations, f.timeout_s)
    cold = rows["cold_starts"].astype(bool)
    # a timeout's handler time is the timeout; a cold start pays its init on top (§11)
    expected_ms = sum(billed_ms(f.init_s * c + d) for d, c, r in zip(handler, cold, ran) if r)
    assert result.function("f")["billed_duration_ms"] == expected_ms
    bill = result.cost()
    gb = 1769 / 1024
    line = bill.function("f")
    init_gb_s = f.init_s * cold[ran].sum() * gb
    assert line["init"] == pytest.approx(init_gb_s * T1_X86, rel=1e-12)
    assert line["duration"] + line["init"] == pytest.approx(expected_ms / 1000 * gb * T1_X86, rel=1e-12)
    assert line["ephemeral"] == pytest.approx(expected_ms / 1000 * 0.5 * 0.0000000309, rel=1e-12)
    assert line["requests"] == pytest.approx(ran.sum() * 0.2e-6, rel=1e-12)
    assert line["provisioned"] == 0


def test_provisioned_concurrency_and_its_spill_over():
    f = lc.Function("f", memory_mb=1024, provisioned_concurrency=2, init_s=0.5)
    # three requests of 1 s at once, every 2 s: two on provisioned environments, one spilling over
    times = np.repeat(np.arange(0, 400, 2.0), 3)
    result = lc.Simulator(lc.Account(), [f]).run(lc.Workload(times, np.zeros(len(times), np.int64), 1.0))
    counters = result.function("f")
    assert counters["provisioned_invocations"] == 400 and counters["spillover_invocations"] == 200
    assert counters["provisioned_billed_duration_ms"] == 400 * 1000
    line = result.cost().function("f")
    configured = math.ceil(result.horizon / 300) * 300
    assert line["provisioned"] == pytest.approx(configured * 2 * 1 * ALLOCATED_X86, rel=1e-12)
    spill_ms = counters["billed_duration_ms"] - 400 * 1000
    assert line["duration"] + line["init"] == pytest.approx(
        400 * PROVISIONED_DURATION_X86 + spill_ms / 1000 * T1_X86, rel=1e-12)
    assert line["init"] == pytest.approx(counters["cold_starts"] * 0.5 * T1_X86, rel=1e-12)


def test_the_series_beside_the_metrics_adds_up_to_the_whole_run():
    fs = [lc.Function("a", memory_mb=512, provisioned_concurrency=3, init_s=0.3),
          lc.Function("b", memory_mb=2048, init_s=0.1, architecture="arm64", timeout_s=1)]
    rng = np.random.default_rng(3)
    n = 3000
    times = np.sort(rng.uniform(0, 1000, n))
    which = rng.integers(0, 2, n)
    sim = lc.Simulator(lc.Account(), fs, metrics_period_s=60)  # type: ignore[call-arg]
    result = sim.run(lc.Workload(times, which, rng.exponential(0.5, n)))
    bill = result.cost(lc.Prices(free_tier=True))
    assert result.metrics is not None
    assert np.array_equal(bill.timestamps, result.metrics.timestamps)
    for name in ("a", "b", None):
        line = bill.totals() if name is None else bill.function(name)
        for category, values in bill.series(name).items():
            assert math.fsum(values) == pytest.approx(line[category], rel=1e-12, abs=1e-15), (name, category)
    assert bill.series("a")["provisioned"].min() > 0

"""The bill of docs/billing.md priced from usage computed here (Bill.price): AWS's worked
example to the cent, init and its rounding, timeouts, provisioned concurrency and its
break-even, spill-over, ephemeral storage, arm64, the free tier, the monthly tiers, and the
per-period series adding up to the whole run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.errors import UsageError
from tests.billing.usage import billed_ms, metrics, stack, usage

T1_X86, T2_X86 = 0.0000166667, 0.0000150000
T1_ARM = 0.0000133334
ALLOCATED_X86, PROVISIONED_DURATION_X86 = 0.0000041667, 0.0000097222
REQUEST = 0.20 / 1e6
EPHEMERAL = 0.0000000309


def cents(x: float) -> float:
    return round(x + 1e-12, 2)


# -- AWS's worked example --------------------------------------------------------------------------


def test_awss_worked_example_to_the_cent():
    """512 MB, 3 M requests of 1 s in a month, with the free tier: compute (1.5 M − 0.4 M) GB-s
    × $0.0000166667 = $18.33, requests (3 M − 1 M) × $0.20/M = $0.40."""
    f = lc.Function("example", memory_mb=512, init_s=0)
    bill = lc.Bill.price([f], usage(3_000_000, 0, 3_000_000 * billed_ms(1.0)), 30 * 86400,
                         lc.Prices(free_tier=True))
    line = bill.function("example")
    assert cents(line["duration"]) == 18.33
    assert cents(line["requests"]) == 0.40
    assert (line["init"], line["provisioned"], line["ephemeral"]) == (0, 0, 0)
    assert cents(bill.total) == 18.73
    assert bill.quantities("example")["on_demand_gb_s"] == 1_500_000
    # without the free tier (the default): every GB-s and request paid
    paid = lc.Bill.price([f], usage(3_000_000, 0, 3_000_000_000), 30 * 86400)
    assert cents(paid.function("example")["duration"]) == cents(1.5e6 * T1_X86) == 25.00
    assert cents(paid.function("example")["requests"]) == 0.60


# -- init, rounding, timeouts ----------------------------------------------------------------------


def test_init_is_the_inits_paid_and_the_rounding_goes_to_the_handler():
    f = lc.Function("f", memory_mb=1024, init_s=0.25)
    # 4 cold starts of 0.25 + 0.1001 s, 6 warm ones of 0.1001 s: each rounded up as a whole
    billed = 4 * billed_ms(0.25 + 0.1001) + 6 * billed_ms(0.1001)
    assert billed == 4 * 351 + 6 * 101
    bill = lc.Bill.price([f], usage(10, 4, billed, init_s=0.25), 60)
    assert bill.function("f")["init"] == pytest.approx(4 * 0.25 * T1_X86, rel=1e-12)
    assert bill.function("f")["duration"] == pytest.approx((billed / 1000 - 1.0) * T1_X86, rel=1e-12)
    assert bill.function("f")["requests"] == pytest.approx(10 * REQUEST, rel=1e-12)
    assert bill.quantities("f")["init_gb_s"] == 1.0


def test_memory_in_gb_is_mb_over_1024():
    f = lc.Function("f", memory_mb=1536, init_s=0)
    bill = lc.Bill.price([f], usage(1, 0, 2000), 2)
    assert bill.quantities("f")["on_demand_gb_s"] == 2 * 1.5
    assert bill.function("f")["duration"] == pytest.approx(3 * T1_X86, rel=1e-12)


def test_a_timeout_is_billed_at_the_timeout():
    # one invocation of a 10 s handler cut at timeout_s = 3: its counter holds 3000 ms
    f = lc.Function("f", memory_mb=128, timeout_s=3, init_s=0)
    bill = lc.Bill.price([f], usage(1, 0, 3000), 3)
    assert bill.function("f")["duration"] == pytest.approx(3 * 0.125 * T1_X86, rel=1e-12)


def test_throttles_are_free():
    f = lc.Function("f")
    assert lc.Bill.price([f], usage(0), 10).total == 0.0


# -- provisioned concurrency ------------------------------------------------------------------------


def test_provisioned_concurrency_allocated_in_five_minute_steps_and_its_duration_rate():
    f = lc.Function("f", memory_mb=2048, provisioned_concurrency=3, init_s=0.5)
    # 100 invocations of 1 s on provisioned environments, 20 spilled over (10 of them cold)
    on_prov = 100 * 1000
    spill = 10 * billed_ms(0.5 + 1) + 10 * 1000
    bill = lc.Bill.price([f], usage(120, 10, on_prov + spill, on_prov), 301.0)
    line = bill.function("f")
    assert bill.quantities("f")["provisioned_allocated_gb_s"] == 600 * 3 * 2
    assert line["provisioned"] == pytest.approx(600 * 3 * 2 * ALLOCATED_X86, rel=1e-12)
    handler_gb_s_od = (spill / 1000 - 5.0) * 2
    assert line["duration"] == pytest.approx(100 * 2 * PROVISIONED_DURATION_X86 + handler_gb_s_od * T1_X86, rel=1e-12)
    assert line["init"] == pytest.approx(10 * 0.5 * 2 * T1_X86, rel=1e-12)
    # exactly 5 minutes is not rounded; nothing configured, nothing billed
    assert lc.Bill.price([f], usage(0), 300.0).function("f")["provisioned"] == pytest.approx(300 * 6 * ALLOCATED_X86)
    assert lc.Bill.price([f], usage(0), 0.0).function("f")["provisioned"] == 0.0


def test_the_break_even_of_provisioned_concurrency_is_a_utilisation_of_0_60():
    """x86: provisioned costs 0.0000041667 + u × 0.0000097222 per GB-s against
    u × 0.0000166667 on demand: cheaper above u ≈ 0.60."""
    hour = 3600.0

    def costs(u: float) -> tuple[float, float]:
        busy_ms = round(u * hour * 1000)  # one environment busy u of the hour, 1 GB
        n = 1000
        pc = lc.Function("pc", memory_mb=1024, provisioned_concurrency=1, init_s=0)
        od = lc.Function("od", memory_mb=1024, init_s=0)
        return (lc.Bill.price([pc], usage(n, 0, busy_ms, busy_ms), hour).total,
                lc.Bill.price([od], usage(n, 0, busy_ms), hour).total)

    below, above = costs(0.59), costs(0.61)
    assert below[0] > below[1] and above[0] < above[1]
    # where the two lines cross
    (p0, o0), (p1, o1) = costs(0.0), costs(1.0)
    u = (p0 - o0) / ((o1 - o0) - (p1 - p0))
    assert u == pytest.approx(ALLOCATED_X86 / (T1_X86 - PROVISIONED_DURATION_X86), rel=1e-9)
    assert round(u, 2) == 0.60


def test_a_provisioned_environment_that_re_initialised_pays_init_at_its_rate():
    # every invocation on provisioned environments, one of them re-initialising after a timeout
    f = lc.Function("f", memory_mb=1024, provisioned_concurrency=1, init_s=1.0, timeout_s=1)
    billed = 1000 + billed_ms(1.0 + 0.5)
    bill = lc.Bill.price([f], usage(2, 1, billed, billed, provisioned_cold_starts=1, init_s=1.0), 300)
    assert bill.function("f")["init"] == pytest.approx(1.0 * PROVISIONED_DURATION_X86, rel=1e-12)
    assert bill.function("f")["duration"] == pytest.approx(1.5 * PROVISIONED_DURATION_X86, rel=1e-12)


# -- ephemeral storage, arm64 ------------------------------------------------------------------------


def test_ephemeral_storage_above_512_mb_over_billed_duration():
    f = lc.Function("f", memory_mb=128, ephemeral_storage_mb=2560, init_s=0)
    bill = lc.Bill.price([f], usage(4, 0, 4 * 250), 1)
    assert bill.quantities("f")["ephemeral_gb_s"] == 2.0 * 1.0
    assert bill.function("f")["ephemeral"] == pytest.approx(2 * EPHEMERAL, rel=1e-12)
    assert lc.Bill.price([lc.Function("g")], usage(4, 0, 1000), 1).function("g")["ephemeral"] == 0


def test_arm64_is_priced_at_arm64_rates():
    x86 = lc.Function("x", memory_mb=1024, init_s=0)
    arm = lc.Function("a", memory_mb=1024, init_s=0, architecture="arm64", provisioned_concurrency=1)
    bill = lc.Bill.price([x86, arm], stack(usage(10, 0, 10_000), usage(10, 0, 20_000, 10_000)), 300)
    assert bill.architectures == ("x86_64", "arm64")
    assert bill.function("x")["duration"] == pytest.approx(10 * T1_X86, rel=1e-12)
    assert bill.function("a")["duration"] == pytest.approx(10 * T1_ARM + 10 * 0.0000077778, rel=1e-12)
    assert bill.function("a")["provisioned"] == pytest.approx(300 * 0.0000033334, rel=1e-12)
    assert bill.function("a")["requests"] == bill.function("x")["requests"] == pytest.approx(10 * REQUEST)


# -- the free tier, the monthly tiers ---------------------------------------------------------------


def test_the_free_tier_is_shared_and_skips_functions_with_provisioned_concurrency():
    a = lc.Function("a", memory_mb=1024, init_s=0)                          # x86
    b = lc.Function("b", memory_mb=1024, init_s=0, architecture="arm64")    # arm64
    c = lc.Function("c", memory_mb=1024, init_s=0, provisioned_concurrency=1)
    u = stack(usage(600_000, 0, 300_000_000), usage(900_000, 0, 200_000_000), usage(100, 0, 1_000_000))
    bill = lc.Bill.price([a, b, c], u, 300, lc.Prices(free_tier=True))
    # 1.5 M eligible requests, 1 M free: a third of each paid; 500 000 eligible GB-s, 400 000 free
    assert bill.function("a")["requests"] == pytest.approx(200_000 * REQUEST, rel=1e-9)
    assert bill.function("b")["requests"] == pytest.approx(300_000 * REQUEST, rel=1e-9)
    assert bill.function("a")["duration"] == pytest.approx(300_000 * 0.2 * T1_X86, rel=1e-9)
    assert bill.function("b")["duration"] == pytest.approx(200_000 * 0.2 * T1_ARM, rel=1e-9)
    assert bill.function("c")["requests"] == pytest.approx(100 * REQUEST, rel=1e-12)
    assert bill.function("c")["duration"] == pytest.approx(1000 * T1_X86, rel=1e-12)
    # when the free tier covers everything, nothing is paid but the provisioned function
    small = lc.Bill.price([a, c], stack(usage(10, 0, 10_000), usage(1, 0, 1000)), 300, lc.Prices(free_tier=True))
    assert small.function("a")["total"] == 0.0 and small.function("c")["duration"] > 0


def test_the_tiers_apply_to_the_months_volume():
    f = lc.Function("f", memory_mb=1024, init_s=0)
    g = lc.Function("g", memory_mb=1024, init_s=0)
    u = stack(usage(1, 0, 3_000_000_000), usage(1, 0, 1_000_000_000))   # 3 M and 1 M GB-s
    # a run alone in its month: tier 1
    assert lc.Bill.price([f, g], u, 60).totals()["duration"] == pytest.approx(4e6 * T1_X86, rel=1e-12)
    # 2 M GB-s before the 6 B boundary: 2 M at tier 1, 2 M at tier 2, shared pro rata
    prices = lc.Prices(monthly_gb_s={"x86_64": 6e9 - 2e6})
    bill = lc.Bill.price([f, g], u, 60, prices)
    expected = 2e6 * T1_X86 + 2e6 * T2_X86
    assert bill.totals()["duration"] == pytest.approx(expected, rel=1e-12)
    assert bill.function("f")["duration"] == pytest.approx(0.75 * expected, rel=1e-12)
    # arm64's volume is its own
    arm = lc.Prices(monthly_gb_s={"arm64": 6e9 - 2e6})
    assert lc.Bill.price([f, g], u, 60, arm).totals()["duration"] == pytest.approx(4e6 * T1_X86, rel=1e-12)


def test_every_figure_is_a_parameter():
    f = lc.Function("f", memory_mb=1024, init_s=0.5, provisioned_concurrency=1, ephemeral_storage_mb=1536)
    u = usage(1000, 10, 2_000_000, 1_000_000)
    base = lc.Bill.price([f], u, 600)
    doubled = lc.Prices(requests_per_million=0.4, duration_per_gb_s=(2 * T1_X86, 0, 0),
                        provisioned_per_gb_s=2 * ALLOCATED_X86,
                        provisioned_duration_per_gb_s=2 * PROVISIONED_DURATION_X86,
                        ephemeral_per_gb_s=2 * EPHEMERAL)
    assert lc.Bill.price([f], u, 600, doubled).total == pytest.approx(2 * base.total, rel=1e-12)


# -- the per-period series ------------------------------------------------------------------------


def test_the_series_adds_up_to_the_whole_run():
    fs = [lc.Function("a", memory_mb=512, init_s=0.3, provisioned_concurrency=2, ephemeral_storage_mb=1024),
          lc.Function("b", memory_mb=2048, init_s=0.1, architecture="arm64")]
    rng = np.random.default_rng(1)
    n_p, period, horizon = 7, 60.0, 400.5   # the last period is partial; 400.5 s rounds up to 600
    inv = rng.integers(0, 1000, (2, n_p))
    cold = np.minimum(inv, rng.integers(0, 20, (2, n_p)))
    billed = inv * 120 + cold * np.array([[300], [100]])
    prov = np.array([np.minimum(billed[0], rng.integers(0, 50_000, n_p)), np.zeros(n_p, np.int64)])
    prov = np.minimum(prov, billed - cold * np.array([[300], [100]]))  # cold starts on demand
    m = metrics(fs, period, horizon, {"Invocations": inv, "ColdStarts": cold,
                                      "BilledDuration": billed, "ProvisionedBilledDuration": prov,
                                      "InitDuration": cold * np.array([[300_000], [100_000]])})
    whole = {"invocations": inv.sum(1), "cold_starts": cold.sum(1), "provisioned_cold_starts": np.zeros(2, np.int64),
             "billed_duration_ms": billed.sum(1),
             "provisioned_billed_duration_ms": prov.sum(1),
             "init_duration_us": cold.sum(1) * np.array([300_000, 100_000]),
             "provisioned_init_duration_us": np.zeros(2, np.int64)}
    bill = lc.Bill.price(fs, whole, horizon, lc.Prices(free_tier=True), metrics=m)
    assert list(bill.timestamps) == [0, 60, 120, 180, 240, 300, 360]
    for name in ("a", "b", None):
        series = bill.series(name)
        line = bill.totals() if name is None else bill.function(name)
        assert set(series) == set(line)
        for category, values in series.items():
            assert len(values) == n_p
            assert math.fsum(values) == pytest.approx(line[category], rel=1e-12, abs=1e-15), (name, category)
    # provisioned: 60 s × 2 × 0.5 GB in each full period, 40.5 s in the last plus the 199.5 s
    # of rounding up to 600 s
    prov_a = bill.series("a")["provisioned"]
    assert prov_a[:6] == pytest.approx([60 * 2 * 0.5 * ALLOCATED_X86] * 6, rel=1e-12)
    assert prov_a[6] == pytest.approx((600 - 360) * 2 * 0.5 * ALLOCATED_X86, rel=1e-12)
    assert not bill.series("b")["provisioned"].any()
    # the long form
    frame = bill.to_pandas(per_period=True)
    assert len(frame) == 2 * 5 * n_p
    assert frame["value"].sum() == pytest.approx(bill.total, rel=1e-12)
    assert frame.groupby("category")["value"].sum()["init"] == pytest.approx(bill.totals()["init"], rel=1e-12)


def test_a_bill_without_metrics_has_no_series():
    bill = lc.Bill.price([lc.Function("f")], usage(1, 0, 100), 1)
    assert bill.timestamps is None
    with pytest.raises(UsageError, match="metrics_period_s"):
        bill.series()
    with pytest.raises(UsageError, match="metrics_period_s"):
        bill.to_pandas(per_period=True)


# -- the object ------------------------------------------------------------------------------------


def test_reading_a_bill():
    fs = [lc.Function("a", init_s=0), lc.Function("b", init_s=0)]
    bill = lc.Bill.price(fs, stack(usage(10, 0, 1000), usage(30, 0, 3000)), 5)
    assert bill.functions == ("a", "b")
    assert bill.total == pytest.approx(bill.function("a")["total"] + bill.function("b")["total"], rel=1e-15)
    assert list(bill.function("a")) == ["requests", "duration", "init", "provisioned", "ephemeral", "total"]
    assert bill.totals()["requests"] == pytest.approx(40 * REQUEST)
    frame = bill.to_pandas()
    assert list(frame.index) == ["a", "b"] and frame.loc["b", "total"] == pytest.approx(bill.function("b")["total"])
    assert "Bill($0.00 for 2 functions at us-east-1 prices of 2025-08-01)" == repr(bill)
    with pytest.raises(KeyError, match="no function named 'c'"):
        bill.function("c")


def test_usage_errors():
    f = lc.Function("f")
    with pytest.raises(UsageError, match="billed_duration_ms"):
        lc.Bill.price([f], {"invocations": [1], "cold_starts": [0]}, 1)
    with pytest.raises(UsageError, match="2 values for 1 functions"):
        lc.Bill.price([f], stack(usage(1), usage(1)), 1)
    with pytest.raises(TypeError, match="Prices"):
        lc.Bill.price([f], usage(1), 1, prices={"requests_per_million": 1})  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="function configurations"):
        lc.Result(requests={}, functions=usage(1), account={}, horizon=1.0, function_names=("f",)).cost()

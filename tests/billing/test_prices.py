"""Prices: the list prices of docs/billing.md (typed out here again, not read from the
package), overrides, the checks, and the tiers with a month's volume."""

from __future__ import annotations

import dataclasses
import math

import pytest

import lambda_core as lc
from lambda_core.errors import InvalidParameterValueException

# us-east-1 list prices (AWS Lambda pricing page)
X86 = dict(requests=0.20, tiers=(0.0000166667, 0.0000150000, 0.0000133334), sizes=(6e9, 9e9),
           allocated=0.0000041667, provisioned_duration=0.0000097222, ephemeral=0.0000000309)
ARM = dict(requests=0.20, tiers=(0.0000133334, 0.0000120001, 0.0000106667), sizes=(7.5e9, 11.25e9),
           allocated=0.0000033334, provisioned_duration=0.0000077778, ephemeral=0.0000000309)


@pytest.mark.parametrize("arch, table", [("x86_64", X86), ("arm64", ARM)])
def test_the_list_prices(arch, table):
    p = lc.Prices()
    assert p.requests_per_million[arch] == table["requests"]
    assert p.duration_per_gb_s[arch] == table["tiers"]
    assert p.duration_tiers_gb_s[arch] == table["sizes"]
    assert p.provisioned_per_gb_s[arch] == table["allocated"]
    assert p.provisioned_duration_per_gb_s[arch] == table["provisioned_duration"]
    assert p.ephemeral_per_gb_s[arch] == table["ephemeral"]


def test_the_rest_of_the_defaults():
    p = lc.Prices()
    assert (p.as_of, p.region, p.provisioned_step_s) == ("2025-08-01", "us-east-1", 300.0)
    assert (p.free_tier, p.free_requests, p.free_gb_s) == (False, 1e6, 4e5)
    assert p.monthly_gb_s == {"x86_64": 0.0, "arm64": 0.0}
    assert p == lc.Prices() and hash(p) == hash(lc.Prices())


def test_one_value_sets_both_architectures_and_a_mapping_only_those_it_names():
    p = lc.Prices(requests_per_million=0.25, duration_per_gb_s={"arm64": (3e-5, 2e-5, 1e-5)})
    assert p.requests_per_million == {"x86_64": 0.25, "arm64": 0.25}
    assert p.duration_per_gb_s == {"x86_64": X86["tiers"], "arm64": (3e-5, 2e-5, 1e-5)}
    q = lc.Prices(duration_tiers_gb_s=[1, 2], monthly_gb_s={"x86_64": 5})
    assert q.duration_tiers_gb_s == {"x86_64": (1.0, 2.0), "arm64": (1.0, 2.0)}
    assert q.monthly_gb_s == {"x86_64": 5.0, "arm64": 0.0}


def test_replace_keeps_and_checks():
    p = dataclasses.replace(lc.Prices(provisioned_per_gb_s=1e-6), free_tier=True, as_of="2026-01-31")
    assert p.free_tier and p.as_of == "2026-01-31" and p.provisioned_per_gb_s["arm64"] == 1e-6
    assert p.duration_per_gb_s == lc.Prices().duration_per_gb_s
    with pytest.raises(InvalidParameterValueException, match="free_gb_s"):
        dataclasses.replace(p, free_gb_s=-1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.free_tier = False  # type: ignore[misc]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"requests_per_million": -0.2}, "Prices.requests_per_million['x86_64'] must be a finite number >= 0, got -0.2"),
    ({"ephemeral_per_gb_s": {"arm64": -1e-9}}, "Prices.ephemeral_per_gb_s['arm64'] must be a finite number >= 0"),
    ({"provisioned_duration_per_gb_s": math.nan}, "provisioned_duration_per_gb_s['x86_64'] must be a finite"),
    ({"duration_per_gb_s": (1e-5, -1e-5, 1e-5)}, "Prices.duration_per_gb_s['x86_64'][1] must be a finite number >= 0"),
    ({"duration_per_gb_s": (1e-5, 1e-5)}, "Prices.duration_per_gb_s['x86_64'] must have 3 numbers, got 2"),
    ({"duration_tiers_gb_s": (math.inf, 1)}, "duration_tiers_gb_s['x86_64'][0] must be a finite"),
    ({"monthly_gb_s": {"graviton": 1}}, "Prices.monthly_gb_s: no architecture 'graviton'; known: x86_64, arm64"),
    ({"free_requests": -1}, "Prices.free_requests must be a finite number >= 0, got -1.0"),
    ({"provisioned_step_s": -300}, "Prices.provisioned_step_s must be a finite number >= 0"),
    ({"as_of": "1 Aug 2025"}, "Prices.as_of must be a date in ISO 8601 form (YYYY-MM-DD), got '1 Aug 2025'"),
])
def test_bad_figures_are_refused_clearly(kwargs, fragment):
    with pytest.raises(InvalidParameterValueException) as info:
        lc.Prices(**kwargs)
    assert fragment in str(info.value)


@pytest.mark.parametrize("kwargs", [
    {"requests_per_million": "0.2"}, {"free_tier": 1}, {"duration_per_gb_s": 1e-5},
    {"duration_tiers_gb_s": "69"}, {"region": None}, {"as_of": 20250801}, {"free_gb_s": True},
])
def test_bad_types(kwargs):
    with pytest.raises(TypeError, match="Prices"):
        lc.Prices(**kwargs)


def test_keyword_only():
    with pytest.raises(TypeError):
        lc.Prices("2025-08-01")  # type: ignore[misc]


@pytest.mark.parametrize("arch, table", [("x86_64", X86), ("arm64", ARM)])
def test_tiers_over_a_months_volume(arch, table):
    p = lc.Prices()
    t1, t2, t3 = table["tiers"]
    first, second = table["sizes"]
    # within tier 1, from the start of the month
    assert p.duration_charge(arch, 1e6) == pytest.approx(1e6 * t1, rel=1e-12)
    # across the first boundary: 1e8 GB-s at tier 1, 1e8 at tier 2
    assert p.duration_charge(arch, 2e8, first - 1e8) == pytest.approx(1e8 * t1 + 1e8 * t2, rel=1e-12)
    # across the second: 1e8 at tier 2, 3e8 at tier 3
    assert p.duration_charge(arch, 4e8, first + second - 1e8) == pytest.approx(1e8 * t2 + 3e8 * t3, rel=1e-12)
    # all three at once
    assert p.duration_charge(arch, first + second + 5.0) == pytest.approx(first * t1 + second * t2 + 5 * t3, rel=1e-12)
    # the month's volume is the default starting point
    q = lc.Prices(monthly_gb_s={arch: first + second})
    assert q.duration_charge(arch, 10.0) == pytest.approx(10 * t3, rel=1e-12)


def test_provisioned_time_is_rounded_up_to_five_minutes():
    p = lc.Prices()
    assert [p.provisioned_seconds(s) for s in (0, 1, 299.999, 300, 300.001, 3600)] == [0, 300, 300, 300, 600, 3600]
    assert lc.Prices(provisioned_step_s=0).provisioned_seconds(301.5) == 301.5

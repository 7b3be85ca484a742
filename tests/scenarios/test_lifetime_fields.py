"""Scenario files give a function's §3.1 fields: distributions as tables in the form of a
workload's `duration` (docs/scenarios.md), `max_lifetime_s` and `warm_at_start`."""

from __future__ import annotations

import pytest

import lambda_core as lc

BASE = """
[[functions]]
name = "api"
{fields}
[functions.workload]
arrivals = "poisson"
rate_per_s = 2
end_s = 60
duration = {{ dist = "fixed", s = 0.1 }}
"""


def scenario(fields: str) -> lc.Scenario:
    return lc.parse_scenario(BASE.format(fields=fields))


def test_distributions_and_lifetimes_are_read() -> None:
    sc = scenario('idle_timeout_s = { dist = "lognormal", median_s = 800, sigma = 0.5 }\n'
                  'init_s = { dist = "empirical", values_s = [0.2, 0.4] }\n'
                  "max_lifetime_s = 7200\nwarm_at_start = 2")
    f = sc.functions[0]
    assert (f.idle_timeout_s, f.init_s) == (lc.LogNormal(800, 0.5), lc.Empirical([0.2, 0.4]))
    assert (f.max_lifetime_s, f.warm_at_start) == (7200.0, 2)
    assert scenario('idle_timeout_s = { dist = "fixed", s = 700 }').functions[0].idle_timeout_s == 700.0
    assert scenario('init_s = { dist = "uniform", low_s = 0.1, high_s = 0.3 }').functions[0].init_s == lc.Uniform(0.1, 0.3)


def test_the_first_request_of_a_warm_function_is_warm() -> None:
    sc = scenario("warm_at_start = 1")
    result = sc.simulator().run(sc.generate())
    assert result.requests["cold_starts"][0] == 0 and result.requests["environment"][0] == 0


@pytest.mark.parametrize("fields, says", [
    ('idle_timeout_s = { dist = "gamma", k = 2 }', "a distribution needs dist = one of"),
    ('idle_timeout_s = { dist = "uniform", low_s = 5, high_s = 1 }', "low_s must not be above high_s"),
    ('init_s = { dist = "lognormal", median = 1, sigma = 0.5 }', "unexpected keyword argument 'median'"),
])
def test_a_bad_distribution_names_its_key_and_function(fields: str, says: str) -> None:
    with pytest.raises(lc.ScenarioError, match=says) as excinfo:
        scenario(fields)
    assert "in [[functions]] #1 ('api')" in str(excinfo.value)

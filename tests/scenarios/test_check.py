"""`lambda-core check` and the `[[expect]]` tables (docs/scenarios.md, "Expectations"): verdicts
on figures known by hand, exit codes, the JUnit report, and the tables' errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import lambda_core as lc
from lambda_core._check_cli import check
from lambda_core._cli import main

# two requests at 0 s of 1 s each on a reservation of 1: one runs (cold), one is throttled
BASE = """
name = "pair"
[[functions]]
name = "orders"
reserved_concurrency = 1
init_s = 0
[functions.workload]
arrivals = "bursty"
bursts = [{ at_s = 0, count = 2 }]
duration = { dist = "fixed", s = 1 }
"""


def write(tmp_path: Path, expectations: str) -> Path:
    path = tmp_path / "pair.toml"
    path.write_text(BASE + expectations)
    return path


EXPECT = """
[[expect]]
function = "orders"
metric = "throttle_rate"
max = {rate}

[[expect]]
function = "orders"
metric = "ConcurrentExecutions"
statistic = "Maximum"
max = 1

[[expect]]
account = true
metric = "max_concurrency"
min = 1
max = 1

[[expect]]
function = "orders"
metric = "cold_starts"
max = 1
"""


def test_the_verdicts_are_the_figures_worked_by_hand(tmp_path: Path) -> None:
    name, verdicts = check(str(write(tmp_path, EXPECT.format(rate=0.5))))
    assert name == "pair"
    assert [(v.value, v.passed) for v in verdicts] == [(0.5, True), (1.0, True), (1.0, True), (1.0, True)]
    assert verdicts[1].period == 0.0  # the run kept a 60 s series for the per-period bound
    _, verdicts = check(str(write(tmp_path, EXPECT.format(rate=0.4))))
    assert [v.passed for v in verdicts] == [False, True, True, True]


def test_exit_codes_and_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(write(tmp_path, EXPECT.format(rate=0.5)))]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "4 of 4 expectations hold"
    assert main(["check", str(write(tmp_path, EXPECT.format(rate=0.4)))]) == 1
    out = capsys.readouterr().out
    assert "FAILED: function 'orders': throttle_rate ≤ 0.4: got 0.5" in out
    assert out.splitlines()[-1] == "3 of 4 expectations hold; 1 failed"


def test_the_junit_report_has_a_case_per_expectation(tmp_path: Path) -> None:
    report = tmp_path / "check.xml"
    assert main(["check", str(write(tmp_path, EXPECT.format(rate=0.4))), "--junit", str(report)]) == 1
    suite = ET.parse(report).getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", "4", "1")
    cases = suite.findall("testcase")
    assert len(cases) == 4
    failures = [c.find("failure") for c in cases]
    assert [f is not None for f in failures] == [True, False, False, False]
    assert "got 0.5" in (failures[0].get("message") or "")


@pytest.mark.parametrize("table, says", [
    ('function = "orders"\nmetric = "throttle_rate"', "needs max = ... or min = ..."),
    ('function = "orders"\naccount = true\nmetric = "throttles"\nmax = 0', "needs function"),
    ('function = "payments"\nmetric = "throttles"\nmax = 0', "no function named 'payments'"),
    ('function = "orders"\nmetric = "ConcurrentExecutions"\nstatistic = "p99"\nmax = 0', "has no statistic 'p99'"),
    ('function = "orders"\nmetric = "throttles"\nstatistic = "Sum"\nmax = 0', "'statistic' is for the metrics"),
    ('function = "orders"\nmetric = "throttles"\nmaximum = 0', "unknown key 'maximum'"),
    ('account = true\nmetric = "throttle_rate"\nmax = 0', "is a function's figure"),
])
def test_a_bad_table_is_a_scenario_error(table: str, says: str) -> None:
    with pytest.raises(lc.ScenarioError, match=says):
        lc.parse_scenario(BASE + "\n[[expect]]\n" + table + "\n")


def test_a_scenario_without_expectations_cannot_be_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(write(tmp_path, ""))]) == 1
    assert "no [[expect]] tables to check" in capsys.readouterr().err


def test_periods_without_a_sample_bound_nothing(tmp_path: Path) -> None:
    # one execution of 1 s, series of 0.25 s: Duration has a sample only in the period where
    # it ends; the others have none and must not count as 0 against the minimum
    expect = '\n[[expect]]\nfunction = "orders"\nmetric = "Duration"\nstatistic = "Minimum"\nmin = 999\n'
    path = tmp_path / "p.toml"
    path.write_text("metrics_period_s = 0.25\n" + BASE.replace("count = 2", "count = 1") + expect)
    _, verdicts = check(str(path))
    assert (verdicts[0].value, verdicts[0].passed) == (1000.0, True)  # milliseconds


def test_the_capacity_figures_are_bounded_too(tmp_path: Path) -> None:
    # one throttle in the first period; the bill of one 1 s invocation at 128 MB and a request
    path = write(tmp_path, """
[[expect]]
function = "orders"
metric = "max_throttles_per_period"
max = 0

[[expect]]
function = "orders"
metric = "cost"
max = 1

[[expect]]
account = true
metric = "cost"
min = 0.000001
""")
    _, (throttles, cost, total) = check(str(path))
    assert (throttles.passed, throttles.value) == (False, 1.0)
    expected = lc.scenarios.load_scenario(path).simulator().run(
        lc.scenarios.load_scenario(path).generate()).cost().total
    assert cost.passed and cost.value == pytest.approx(expected)
    assert total.passed and total.value == pytest.approx(expected)

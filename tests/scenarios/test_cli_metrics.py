"""``lambda-core run --metrics FILE`` and ``--metrics-period S``, and the scenario key
``metrics_period_s``: the choice of the period, usage and input errors, and the files a real
run writes (CSV: the long form; JSON: CloudWatch's GetMetricData response)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lambda_core import _cli
from lambda_core._cli import DEFAULT_METRICS_PERIOD_S, OUTPUTS, main
from lambda_core.errors import ScenarioError
from lambda_core.scenarios import parse_scenario
from tests.scenarios.cases import SMALL, deterministic, run_json, write

PERIOD_SMALL = "metrics_period_s = 10\n" + SMALL


def args_of(*argv: str) -> argparse.Namespace:
    return _cli._parser().parse_args(["run", *argv])


# ---------------------------------------------------------------------------------------------
# The scenario key
# ---------------------------------------------------------------------------------------------


def test_the_scenario_key_is_read_and_defaults_to_none():
    assert parse_scenario(SMALL).metrics_period_s is None
    assert parse_scenario(PERIOD_SMALL).metrics_period_s == 10.0
    assert parse_scenario("metrics_period_s = 1\n" + SMALL).metrics_period_s == 1.0


@pytest.mark.parametrize("value, message", [
    ("0", "'metrics_period_s' in the top level must be greater than 0, got 0"),
    ("-60", "'metrics_period_s' in the top level must be greater than 0, got -60"),
    ('"60"', "'metrics_period_s' in the top level must be a number, got a string ('60')"),
    ("true", "'metrics_period_s' in the top level must be a number, got a boolean (True)"),
    ("inf", "'metrics_period_s' in the top level must be finite, got inf"),
    ("1e300", "'metrics_period_s' in the top level must be at most 9e+09, got 1e+300"),
    ("0.0005", "'metrics_period_s' in the top level must be at least 0.001, got 0.0005"),
])
def test_the_scenario_key_is_checked(value, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(f"metrics_period_s = {value}\n" + SMALL, source="x.toml")
    assert str(info.value) == f"x.toml: {message}"


def test_a_misspelt_key_is_suggested():
    with pytest.raises(ScenarioError, match="did you mean 'metrics_period_s'"):
        parse_scenario("metric_period_s = 60\n" + SMALL)


def test_validate_shows_the_period(tmp_path, capsys):
    assert main(["validate", str(write(tmp_path, PERIOD_SMALL))]) == 0
    assert "until the last request, metrics every 10 s" in capsys.readouterr().out
    assert main(["validate", str(write(tmp_path, SMALL))]) == 0
    assert "metrics every" not in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# The period a run uses
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, scenario_period, expected", [
    ((), None, None),                                   # nothing asks for series
    (("--metrics", "m.csv"), None, DEFAULT_METRICS_PERIOD_S),
    (("--metrics", "m.json"), 10.0, 10.0),              # the scenario's period wins over 60
    (("--metrics", "m.csv", "--metrics-period", "5"), 10.0, 5.0),  # the flag wins over both
    (("--metrics-period", "30"), None, 30.0),           # series on for what reads them later
    ((), 10.0, 10.0),                                   # the scenario's key alone turns them on
])
def test_the_period_comes_from_the_flag_the_scenario_or_the_default(argv, scenario_period, expected):
    args = args_of(*argv)
    scenario = dataclasses.replace(parse_scenario(SMALL), metrics_period_s=scenario_period)
    needed = any(o.series for o in OUTPUTS if o.wanted(args))
    assert _cli._metrics_period(args, scenario, needed) == expected
    assert DEFAULT_METRICS_PERIOD_S == 60


# ---------------------------------------------------------------------------------------------
# Usage and input errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, fragment", [
    (("--metrics", "metrics.txt"), "argument --metrics: must name a .csv file"),
    (("--metrics", "metrics"), "argument --metrics: must name a .csv file"),
    (("--metrics",), "argument --metrics: expected one argument"),
    (("--metrics-period", "0"), "argument --metrics-period: must be a positive number of seconds"),
    (("--metrics-period", "x"), "argument --metrics-period: not a number of seconds: 'x'"),
    (("--metrics-period", "1e300"), "argument --metrics-period: must be at most 9e+09 seconds"),
    (("--metrics-period", "0.0001"), "argument --metrics-period: must be at least 0.001 seconds"),
])
def test_usage_errors_exit_2(tmp_path, capsys, argv, fragment):
    assert main(["run", str(write(tmp_path, SMALL)), "-q", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "usage: lambda-core run" in err


def test_the_suffix_is_case_blind():
    assert args_of("--metrics", "OUT.CSV").metrics == "OUT.CSV"
    assert args_of("--metrics", "dir.v2/out.Json").metrics == "dir.v2/out.Json"


@pytest.mark.parametrize("target, said", [
    ("missing/m.csv", "no such directory for the output file"),
    ("folder.csv", "cannot write an output file over a directory"),
])
def test_an_unwritable_metrics_file_is_refused_before_the_run(tmp_path, capsys, monkeypatch,
                                                              target, said):
    (tmp_path / "folder.csv").mkdir()

    def no_run(*args, **kwargs):
        raise AssertionError("simulated although the output cannot be written")

    monkeypatch.setattr(_cli, "simulate", no_run)
    path = tmp_path / target
    assert main(["run", str(write(tmp_path, SMALL)), "-q", "--metrics", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.splitlines() == [f"error: {said} ('{path}')"]


# ---------------------------------------------------------------------------------------------
# Real runs: the files against the run's own figures
# ---------------------------------------------------------------------------------------------

CSV_COLUMNS = ["timestamp", "metric", "statistic", "unit", "value", "FunctionName", "EventSource"]
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
ID = re.compile(r"[a-z][a-zA-Z0-9_]*")


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == CSV_COLUMNS
        return list(reader)


def series_of(rows: list[dict[str, str]], metric: str, statistic: str, function: str = "",
              source: str = "") -> list[float]:
    """One series of the CSV, in period order."""
    picked = [r for r in rows if (r["metric"], r["statistic"], r["FunctionName"], r["EventSource"])
              == (metric, statistic, function, source)]
    times = [float(r["timestamp"]) for r in picked]
    assert times == sorted(times)
    return [float(r["value"]) for r in picked]


def run_with(capsys, *argv: str) -> dict:
    return run_json(capsys, *argv)


def test_csv_of_a_real_run_adds_up_to_the_figures(tmp_path, capsys):
    scenario = write(tmp_path, SMALL)
    out = tmp_path / "metrics.csv"
    summary = run_with(capsys, str(scenario), "--metrics", str(out))
    without = run_with(capsys, str(scenario))
    assert deterministic(summary) == deterministic(without)  # the figures do not change
    rows = read_csv(out)
    horizon = summary["run"]["horizon_s"]
    # [0, horizon) in whole periods, the last possibly partial (docs/model.md §10)
    stamps = sorted({float(r["timestamp"]) for r in rows})
    assert stamps == [60.0 * k for k in range(max(1, math.ceil(horizon / 60)))]
    assert {r["FunctionName"] for r in rows} == {"", "capped", "burst", "steady"}
    assert {r["EventSource"] for r in rows} == {""}
    for f in summary["functions"]:
        name = f["function"]
        assert sum(series_of(rows, "Invocations", "Sum", name)) == f["invocations"]
        assert sum(series_of(rows, "Errors", "Sum", name)) == f["errors"]
        assert sum(series_of(rows, "ColdStarts", "Sum", name)) == f["cold_starts"]
        assert sum(series_of(rows, "ThrottlesReserved", "Sum", name)) == f["throttles_reserved"]
        assert sum(series_of(rows, "ThrottlesUnreserved", "Sum", name)) == f["throttles_unreserved"]
        throttles = f["throttles_reserved"] + f["throttles_unreserved"] + f["throttles_scaling"]
        assert sum(series_of(rows, "Throttles", "Sum", name)) == throttles
        assert max(series_of(rows, "ConcurrentExecutions", "Maximum", name)) == f["max_concurrency"]
    total = summary["total"]
    assert sum(series_of(rows, "Invocations", "Sum")) == total["invocations"]
    assert max(series_of(rows, "ConcurrentExecutions", "Maximum")) == summary["account"]["max_concurrency"]
    assert total["throttles_reserved"] > 0 and total["throttles_unreserved"] > 0
    assert {r["unit"] for r in rows if r["metric"] == "Duration"} == {"Milliseconds"}


def test_json_of_a_real_run_is_a_get_metric_data_response(tmp_path, capsys):
    out = tmp_path / "metrics.json"
    summary = run_with(capsys, str(write(tmp_path, SMALL)), "--metrics", str(out))
    response = json.loads(out.read_text())
    assert set(response) == {"MetricDataResults", "Messages"}
    results = {r["Label"]: r for r in response["MetricDataResults"]}
    assert len(results) == len(response["MetricDataResults"])
    for r in results.values():
        assert ID.fullmatch(r["Id"]) and r["StatusCode"] == "Complete"
        assert all(ISO.fullmatch(t) for t in r["Timestamps"])
        assert r["Timestamps"] == sorted(r["Timestamps"], reverse=True)
        assert 0 not in r["Values"]
    for f in summary["functions"]:
        invocations = results[f"Invocations Sum FunctionName={f['function']}"]
        assert sum(invocations["Values"]) == f["invocations"]
        assert invocations["Timestamps"][-1] == "2026-01-01T00:00:00Z"
        concurrency = results[f"ConcurrentExecutions Maximum FunctionName={f['function']}"]
        assert max(concurrency["Values"]) == f["max_concurrency"]
    assert sum(results["Invocations Sum"]["Values"]) == summary["total"]["invocations"]


def test_the_scenario_key_and_the_flag_set_the_period(tmp_path, capsys):
    out = tmp_path / "m.csv"
    summary = run_with(capsys, str(write(tmp_path, PERIOD_SMALL)), "--metrics", str(out))
    stamps = sorted({float(r["timestamp"]) for r in read_csv(out)})
    assert stamps[:3] == [0.0, 10.0, 20.0] and stamps[-1] <= summary["run"]["horizon_s"]
    rows = read_csv(out)
    run_with(capsys, str(write(tmp_path, PERIOD_SMALL)), "--metrics", str(out), "--metrics-period", "5")
    five = read_csv(out)
    assert sorted({float(r["timestamp"]) for r in five})[:3] == [0.0, 5.0, 10.0]
    # the same run cut finer: every count adds up to the same total
    assert sum(series_of(five, "Invocations", "Sum")) == sum(series_of(rows, "Invocations", "Sum"))


def test_mappings_have_their_rows_and_until_cuts_the_series(tmp_path, capsys, streams):
    out = tmp_path / "m.csv"
    summary = run_with(capsys, str(streams), "--metrics", str(out), "--until", "45",
                       "--metrics-period", "15")
    rows = read_csv(out)
    assert summary["run"]["horizon_s"] == 45.0
    # the instant 45 itself counts in the last period, [30, 45]
    assert sorted({float(r["timestamp"]) for r in rows}) == [0.0, 15.0, 30.0]
    for m in summary["mappings"]:
        mine = [r for r in rows if r["EventSource"] == m["source"]]
        assert mine and {r["FunctionName"] for r in mine} == {m["function"]}
        assert sum(series_of(rows, "BatchInvocations", "Sum", m["function"], m["source"])) == m["invocations"]
        if m["kind"] in ("kinesis", "dynamodb"):
            ages = series_of(rows, "IteratorAge", "Maximum", m["function"], m["source"])
            # NaN in a period without invocations
            assert max(a for a in ages if not math.isnan(a)) == pytest.approx(
                m["max_iterator_age"] * 1000, rel=1e-9)


def test_the_installed_command_writes_the_metrics(tmp_path):
    out = tmp_path / "m.json"
    run = subprocess.run([sys.executable, "-m", "lambda_core", "run", str(write(tmp_path, SMALL)), "-q",
                          "--metrics", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == "" and "capped" in run.stdout
    assert json.loads(out.read_text())["MetricDataResults"]

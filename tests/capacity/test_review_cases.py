"""Cases a review of the capacity layer found: a queue mapping's figures, files cut short,
missing values in a grid, the run's defaults as paths, a sweep every point of which is
refused, and a plan in an account with no room left."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lambda_core as lc
from lambda_core._cli import main

QUEUE = """
[[functions]]
name = "qc"
[[queues]]
name = "q"
messages = { arrivals = "poisson", rate_per_s = 20, end_s = 30 }
[[mappings]]
source = "q"
function = "qc"
batch_size = 5
duration = { base_s = 0.05, per_record_s = 0.005 }
[[expect]]
function = "qc"
metric = "throttles"
max = 0
"""

API = """
until = 60
[[functions]]
name = "api"
[functions.workload]
arrivals = "poisson"
rate_per_s = 50
end_s = 60
duration = { dist = "exponential", mean_s = 0.5 }
"""


def test_a_function_fed_by_a_queue_has_its_figures(tmp_path: Path) -> None:
    path = tmp_path / "q.toml"
    path.write_text(QUEUE)
    table = lc.sweep(lc.Scenario.load(path), {"functions.qc.memory_mb": [128, 256]})
    assert list(table["qc.max_iterator_age"]) == [0.0, 0.0]  # no stream: no iterator age
    assert (table["qc.invocations"] > 0).all()
    assert main(["check", str(path)]) == 0


def test_a_csv_cut_in_the_middle_of_a_row_resumes_to_the_same_table(tmp_path: Path) -> None:
    sc = lc.Scenario.parse(API)
    grid = {"functions.api.reserved_concurrency": [10, 20, 40], "seed": range(2)}
    out = tmp_path / "runs.csv"
    whole = lc.sweep(sc, grid, out=out)
    text = out.read_bytes()
    lines = text.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:4]) + lines[4][: len(lines[4]) // 2])  # killed while writing row 4
    assert lc.sweep(sc, grid, out=out, resume=True).equals(whole)
    again = pd.read_csv(out)  # the file parses: the half row was cut before appending
    assert sorted(set(again["run"])) == list(range(6))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_none_in_a_grid_writes_and_resumes(tmp_path: Path, suffix: str) -> None:
    sc = lc.Scenario.parse(API.replace('name = "api"', 'name = "api"\nreserved_concurrency = 20'))
    grid = {"functions.api.provisioned_concurrency": [None, None, 2, 5], "seed": range(2)}
    out = tmp_path / f"runs{suffix}"
    whole = lc.sweep(sc, grid, out=out)
    assert len(pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)) == 8
    assert lc.sweep(sc, grid, out=out, resume=True).equals(whole)


def test_an_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "runs.parquet"
    out.write_bytes(b"PAR1 not a footer")
    with pytest.raises(lc.UsageError, match="cannot be read back"):
        lc.sweep(lc.Scenario.parse(API), {"seed": [0]}, out=out, resume=True)


@pytest.mark.parametrize("path, value, error", [
    ("until", "abc", TypeError), ("routing", 3, TypeError), ("seed", 1.5, TypeError),
    ("routing", "bogus", lc.ScenarioError), ("seed", -3, lc.ScenarioError),
    ("metrics_period_s", 0, lc.ScenarioError), ("until", -5, lc.ScenarioError),
])
def test_the_runs_defaults_are_checked_as_a_files_are(path: str, value: object, error: type) -> None:
    with pytest.raises(error):
        lc.Scenario.parse(API).with_values({path: value})


def test_a_sweep_of_a_wrong_type_stops_before_it_runs() -> None:
    with pytest.raises(lc.UsageError, match="until"):
        lc.sweep(lc.Scenario.parse(API), {"until": [10, "abc"]})


def test_a_sweep_whose_every_point_is_refused_prints_the_errors(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "api.toml"
    path.write_text(API.replace('name = "api"', 'name = "api"\nreserved_concurrency = 20'))
    assert main(["sweep", str(path), "--set", "account.concurrency_limit=50,60"]) == 0
    out = capsys.readouterr().out
    assert out.count("InvalidParameterValueException") == 2


def test_the_cli_refuses_seed_and_traffic_as_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "api.toml"
    path.write_text(API)
    assert main(["sweep", str(path), "--set", "seed=1,2"]) == 1
    assert "--seeds and --traffic" in capsys.readouterr().err


def test_a_plan_with_no_room_in_the_account_says_so() -> None:
    sc = lc.Scenario.parse("""
until = 30
[account]
concurrency_limit = 200
[[functions]]
name = "api"
workload = { arrivals = "poisson", rate_per_s = 100, end_s = 30, duration = { dist = "fixed", s = 0.1 } }
[[functions]]
name = "jobs"
reserved_concurrency = 100
workload = { arrivals = "poisson", rate_per_s = 20, end_s = 30, duration = { dist = "fixed", s = 0.3 } }
""")
    plan = lc.plan(sc, {"api": {"throttle_rate": 0.01}}, {"api": "reserved_concurrency"}, seeds=1)
    assert any("leaves no room" in n for n in plan.notes)
    assert plan.result is None and not plan.feasible

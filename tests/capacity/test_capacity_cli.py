"""``lambda-core sweep`` and ``lambda-core plan``: the command line of docs/capacity.md."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lambda_core as lc
from lambda_core._capacity_cli import parse_target, parse_values
from lambda_core._cli import main

SCENARIO = """
until = 600
[[functions]]
name = "orders"
init_s = 0
timeout_s = 900
[[functions.workload]]
arrivals = "poisson"
rate_per_s = 20
end_s = 600
duration = { dist = "exponential", mean_s = 1.0 }
[[functions]]
name = "cart"
[[functions.workload]]
arrivals = "poisson"
rate_per_s = 5
end_s = 600
duration = { dist = "fixed", s = 0.1 }
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "shop.toml"
    path.write_text(SCENARIO)
    return path


def test_values_are_ranges_with_their_stop_or_lists() -> None:
    assert parse_values("10:30:10") == [10, 20, 30]
    assert parse_values("0.5:2:0.5") == [0.5, 1.0, 1.5, 2.0]
    assert parse_values("1,1.5,2") == [1, 1.5, 2]
    assert parse_values("oldest,newest") == ["oldest", "newest"]
    for bad in ("1:0:1", "1:5:0", "a:b:c"):
        with pytest.raises(lc.UsageError):
            parse_values(bad)


def test_targets_are_function_figure_bound() -> None:
    assert parse_target("orders.throttle_rate<=0.001") == ("orders", "throttle_rate", 0.001)
    assert parse_target("*.async_events_dropped <= 0") == ("*", "async_events_dropped", 0.0)
    for bad in ("orders.throttle_rate<0.1", "throttle_rate<=0.1", "orders.throttle_rate<=x"):
        with pytest.raises(lc.UsageError):
            parse_target(bad)


def test_sweep_prints_a_row_per_point_and_writes_every_run(scenario: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "runs.csv"
    code = main(["sweep", str(scenario), "--set", "functions.orders.reserved_concurrency=10:40:10",
                 "--traffic", "1,2", "--seeds", "2", "--out", str(out)])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["functions.orders.reserved_concurrency", "traffic", "runs", "orders.throttle_rate",
                                "orders.cold_start_rate", "orders.async_events_dropped", "orders.cost", "cost"]
    assert len(lines) == 1 + 4 * 2
    rows = pd.read_csv(out)
    assert len(rows) == 4 * 2 * 2 and sorted(rows["run"]) == list(range(16))
    # the printed rate is the mean of the file's two seeds
    point = rows[(rows["functions.orders.reserved_concurrency"] == 20) & (rows["traffic"] == 2)]
    printed = next(line.split() for line in lines[1:] if line.split()[:2] == ["20", "2.0"])
    assert float(printed[3]) == pytest.approx(point["orders.throttle_rate"].mean(), rel=1e-5)


def test_sweep_shows_the_columns_asked_for_and_the_errors(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", str(scenario), "--set", "functions.orders.reserved_concurrency=100,950",
                 "--show", "orders.max_concurrency,cost"])
    assert code == 0
    text = capsys.readouterr().out
    assert "orders.max_concurrency" in text and "orders.throttle_rate" not in text
    assert "InvalidParameterValueException" in text  # 950 leaves less than the unreserved 100


@pytest.mark.parametrize("argv, message", [
    (["--set", "functions.nope.reserved_concurrency=1"], "no function"),
    (["--set", "functions.orders.reserved_concurrency"], "PATH=START:STOP:STEP"),
    (["--show", "nope"], "no column 'nope'"),
    (["--out", "runs.txt"], "csv or a .parquet"),
])
def test_sweep_refusals_are_one_line(scenario: Path, argv: list[str], message: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(scenario), *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_plan_prints_the_settings_and_exits_0_when_found(scenario: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    picture = tmp_path / "plan.png"
    code = main(["plan", str(scenario), "--target", "orders.throttle_rate<=0.01", "--seeds", "2",
                 "--plot", str(picture)])
    out = capsys.readouterr().out
    assert code == 0
    expected = lc.plan(lc.Scenario.load(scenario), {"orders": {"throttle_rate": 0.01}},
                       {"orders": ["reserved_concurrency"]}, seeds=2)
    assert out.startswith("found:")
    assert f"orders.reserved_concurrency = {expected.settings['orders']['reserved_concurrency']}" in out
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plan_exits_1_when_no_setting_meets_the_targets(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", str(scenario), "--target", "orders.cold_start_rate<=0", "--seeds", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.startswith("NOT FOUND")
    assert "no setting searched meets every target" in captured.err

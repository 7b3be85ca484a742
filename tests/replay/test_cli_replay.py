"""``lambda-core replay``: observed against simulated figures, warnings, errors, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_core._cli import main

from . import files as F


def test_replay_prints_observed_and_simulated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(F.cloudwatch_tail(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "(cloudwatch): 3 requests of 1 function" in out
    row = next(line for line in out.splitlines() if line.startswith("total"))
    assert row.split() == ["total", "3", "2", "2", "2", "2", "1.0000"]
    assert "cold starts +0.0%, environments +0.0%, per-request agreement 100.00%" in out


def test_replay_json_and_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = F.request_log(tmp_path)
    assert main(["replay", str(path), "--format", "request-log", "--json", "--set", "idle_timeout_s=0"]) == 0
    summary = json.loads(capsys.readouterr().out)
    total = summary["comparison"]["total"]
    assert (total["cold_starts"], total["sim_cold_starts"], total["agreement"]) == (2, 4, 0.5)
    assert summary["overrides"] == {"idle_timeout_s": 0}
    assert summary["trace"]["requests"] == 4 and summary["trace"]["format"] == "request-log"


def test_replay_warns_about_the_default_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(F.azure2021(tmp_path))]) == 0
    captured = capsys.readouterr()
    assert "warning: the azure2021 trace" in captured.err and "init_s = 0.5 s" in captured.err
    assert "the trace observes no cold starts or environments to compare with" in captured.out
    assert main(["replay", str(F.azure2021(tmp_path)), "--set", "init_s=0.2"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_replay_azure2019_with_durations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv, dur = F.azure2019(tmp_path)
    assert main(["replay", str(inv), "--durations", str(dur), "--seed", "4", "--set", "init_s=0.1"]) == 0
    captured = capsys.readouterr()
    assert "(azure2019): 6 requests of 2 functions" in captured.out
    assert "no row in the durations file" in captured.err


@pytest.mark.parametrize("args, message", [
    (["--duration-unit", "s"], None),
    (["--durations", "x.csv"], "error: --durations is for --format azure2019"),
    (["--calibrate", "idle_timeout_s"], "does not say cold_starts, environments: it cannot be a calibration target"),
])
def test_replay_options_and_their_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                         message: str | None) -> None:
    code = main(["replay", str(F.azure2021(tmp_path)), "--set", "init_s=0.2", *args])
    err = capsys.readouterr().err
    assert code == (0 if message is None else 1), err
    if message is not None:
        assert message in err


def test_replay_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = F._write(tmp_path / "bad.csv", "app,func,end_timestamp,duration\na,f,1,x\n")
    assert main(["replay", str(bad)]) == 1
    assert capsys.readouterr().err.strip() == f"error: {bad}, line 2, column 4 ('duration'): 'x' is not a number"
    assert main(["replay", str(tmp_path / "none.csv")]) == 1
    assert "no such trace file" in capsys.readouterr().err
    assert main(["replay", str(bad), "--set", "idle=3"]) == 2  # argparse's usage error


def test_calibrate_fits_then_replays_with_the_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.csv"
    # a request log whose cold starts a keep-alive of 100-200 s explains exactly: idle gaps of
    # 50 s and 150 s stay warm, 250 s go cold (each cold one on a new instance)
    rows = ["client_start_time,aws_duration,is_cold,inst_id"]
    t, instance = 0.0, 0
    for k, gap in enumerate([50, 250, 150, 250, 50, 150]):
        cold = k == 0 or gap == 250
        instance += cold and k > 0
        if k == 0:
            rows.append(f"{1e9 + t:.3f},100,True,i{instance}")
        t += 0.1 + gap
        rows.append(f"{1e9 + t:.3f},100,{gap == 250},i{instance}")
    log.write_text("\n".join(rows) + "\n")
    assert main(["replay", str(log), "--calibrate", "idle_timeout_s", "--set", "init_s=0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["calibration"]["error"] == 0.0
    assert 150 < out["calibration"]["params"]["idle_timeout_s"] <= 250
    assert out["comparison"]["total"]["sim_cold_starts"] == out["comparison"]["total"]["cold_starts"] == 3
    assert main(["replay", str(log), "--calibrate", "idle_timeout_s", "--set", "init_s=0"]) == 0
    assert "calibrated in" in capsys.readouterr().out


def test_replay_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    report = tmp_path / "replay.html"
    assert main(["replay", str(F.cloudwatch_json(tmp_path)), "--report", str(report)]) == 0
    text = report.read_text()
    assert text.startswith("<!DOCTYPE html>") and "lambda_core replay" in text and "orders" in text

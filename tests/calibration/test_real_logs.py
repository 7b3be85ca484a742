"""The fidelity targets of docs/validation-against-data.md, asserted on the three real AWS
per-request logs shipped in data/: each log calibrated on itself comes within 5 % of its cold
starts and environments, and one parameter set for all three within 10 % on each.

The replays use no randomness but the keep-alive's draws, seeded; these bounds carry no
sampling noise, and the figures are printed by ``python tests/calibration/test_real_logs.py``.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

import lambda_core as lc

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
LOGS = sorted((ROOT / "data" / "aws-lambda-requests").glob("*.csv"))
SELF_PARAMS = ("idle_timeout_s", "max_lifetime_s", "warm_at_start")
JOINT_PARAMS = ("idle_timeout_median_s", "idle_timeout_sigma", "max_lifetime_s", "warm_at_start")
TARGET = ("cold_starts", "environments")


def traces() -> list[lc.traces.Trace]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lc.traces.ReplayWarning)  # the logs' init is estimated
        return [lc.traces.read_request_log(p) for p in LOGS]


@pytest.mark.parametrize("log", range(3), ids=[p.stem for p in LOGS])
def test_each_log_calibrated_on_itself_is_within_5_percent(log: int) -> None:
    assert len(LOGS) == 3
    fit = lc.calibrate(traces()[log], params=SELF_PARAMS, target=TARGET)
    assert fit.errors[0]["cold_starts"] <= 0.05 and fit.errors[0]["environments"] <= 0.05, fit.errors


def test_one_parameter_set_for_all_three_logs_is_within_10_percent() -> None:
    fit = lc.calibrate(traces(), params=JOINT_PARAMS, target=TARGET, aggregate="max")
    for errors in fit.errors:
        assert errors["cold_starts"] <= 0.10 and errors["environments"] <= 0.10, fit.errors


if __name__ == "__main__":
    trs = traces()
    for tr in trs:
        t0 = time.perf_counter()
        fit = lc.calibrate(tr, params=SELF_PARAMS, target=TARGET)
        dt = time.perf_counter() - t0
        e = fit.errors[0]
        params = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in fit.params.items())
        print(f"| {Path(tr.source).name} | {tr.observed.cold_starts} | {int(fit.result.requests['cold_starts'].astype(bool).sum())} "
              f"| {e['cold_starts']:.1%} | {tr.observed.environments} | {e['environments']:.1%} | {params} | {fit.replays} | {dt:.2f} s |")
    t0 = time.perf_counter()
    fit = lc.calibrate(trs, params=JOINT_PARAMS, target=TARGET, aggregate="max")
    dt = time.perf_counter() - t0
    print("joint:", {k: round(v, 2) if isinstance(v, float) else v for k, v in fit.params.items()},
          [{k: f"{v:.1%}" for k, v in e.items()} for e in fit.errors], f"{fit.replays} replays, {dt:.1f} s")

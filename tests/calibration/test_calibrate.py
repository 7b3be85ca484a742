"""lc.calibrate on hand-made request logs whose answer is known by construction (docs/replay.md,
"Calibration"): the keep-alive or the maximum lifetime that generated a log's cold starts is
recovered, a fit is deterministic whatever the threads, several logs share one fit, and bad
requests are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.errors import UsageError

DURATION_S = 0.1


def write_log(path: Path, arrivals: list[float], cold: list[bool]) -> Path:
    """A request log (the pacslab columns a replay reads) of one function: each cold request
    on a new instance, each warm one on the instance before it."""
    instance, rows = -1, ["client_start_time,aws_duration,is_cold,inst_id"]
    for t, c in zip(arrivals, cold):
        instance += c
        rows.append(f"{1_600_000_000 + t:.6f},{DURATION_S * 1000:g},{c},sandbox-{instance}")
    path.write_text("\n".join(rows) + "\n")
    return path


def keep_alive_log(path: Path, gaps: list[float], keep_alive_s: float) -> Path:
    """Sequential requests (never two at once): request i+1 arrives `gaps[i]` after request i
    ended, and is cold exactly when that idle gap reaches the keep-alive (docs/model.md §3)."""
    arrivals, cold = [0.0], [True]
    for g in gaps:
        arrivals.append(arrivals[-1] + DURATION_S + g)
        cold.append(g >= keep_alive_s)
    return write_log(path, arrivals, cold)


GAPS = [100, 300, 500, 690, 710, 900, 1200, 650, 800, 20, 705, 699]


def test_the_keep_alive_that_made_the_log_is_recovered(tmp_path: Path) -> None:
    tr = lc.traces.read_request_log(keep_alive_log(tmp_path / "a.csv", GAPS, 700))
    fit = lc.calibrate(tr, params=("idle_timeout_s",), target=("cold_starts", "environments", "agreement"),
                       init_s=0.0)
    # every keep-alive in (699, 705] reproduces the log: gaps of 699 s stay warm, of 705 s go cold
    assert 699 < fit.params["idle_timeout_s"] <= 705
    assert fit.error == 0.0
    assert fit.errors == [{"cold_starts": 0.0, "environments": 0.0, "agreement": 0.0}]
    assert int((fit.result.requests["cold_starts"] > 0).sum()) == 1 + sum(g >= 700 for g in GAPS)
    # every replay made is in the table, the best among them
    assert len(fit.table["error"]) == fit.replays
    assert fit.table["error"].min() == fit.error
    low, high = fit.sensitivity["idle_timeout_s"]
    assert low > 0 and high > 0  # ±10 % of ~700 s crosses the gaps of 650 and 705/710/800 s


def test_the_maximum_lifetime_that_made_the_log_is_recovered(tmp_path: Path) -> None:
    # a request every 60 s for 6 h on one environment recycled after 2 h of life
    arrivals = [60.0 * i for i in range(361)]
    cold = [i % 120 == 0 for i in range(361)]
    tr = lc.traces.read_request_log(write_log(tmp_path / "b.csv", arrivals, cold))
    fit = lc.calibrate(tr, params=("max_lifetime_s",), target=("cold_starts", "agreement"),
                       bounds={"max_lifetime_s": (600.0, 14400.0)}, init_s=0.0)
    # the request at 7140 s found it warm and the one at 7200 s did not
    assert 7140 < fit.params["max_lifetime_s"] <= 7200
    assert fit.error == 0.0


def test_a_fit_is_deterministic_whatever_the_threads(tmp_path: Path) -> None:
    tr = lc.traces.read_request_log(keep_alive_log(tmp_path / "c.csv", GAPS, 700))
    fits = [lc.calibrate(tr, params=("idle_timeout_s", "warm_at_start"), workers=w, init_s=0.0) for w in (1, 2, 2)]
    for f in fits[1:]:
        assert f.params == fits[0].params and f.error == fits[0].error
        assert f.table.keys() == fits[0].table.keys()
        for k in f.table:
            np.testing.assert_array_equal(f.table[k], fits[0].table[k])


def test_several_logs_share_one_fit_and_it_predicts_another(tmp_path: Path) -> None:
    a = lc.traces.read_request_log(keep_alive_log(tmp_path / "a.csv", GAPS, 700))
    b = lc.traces.read_request_log(keep_alive_log(tmp_path / "b.csv", [g * 1.01 for g in GAPS], 700))
    joint = lc.calibrate([a, b], params=("idle_timeout_s",), aggregate="max", init_s=0.0)
    assert joint.error == 0.0 and len(joint.errors) == 2
    assert {"error_cold_starts[0]", "error_cold_starts[1]", "environments[1]"} <= set(joint.table)
    # fitted on a alone, predicting b: b's gaps are 1 % longer, so ~700 s still splits them right
    alone = lc.calibrate(a, params=("idle_timeout_s",), init_s=0.0)
    predicted = alone.predict(b)
    assert predicted["error_cold_starts"] == 0.0 and predicted["error_environments"] == 0.0


def test_a_log_normal_keep_alive_is_fitted_by_its_median(tmp_path: Path) -> None:
    tr = lc.traces.read_request_log(keep_alive_log(tmp_path / "d.csv", GAPS, 700))
    fit = lc.calibrate(tr, params=("idle_timeout_median_s",), start={"idle_timeout_sigma": 0.0}, init_s=0.0)
    assert 699 < fit.params["idle_timeout_median_s"] <= 705 and fit.error == 0.0


def test_the_plot_has_a_panel_per_parameter(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    tr = lc.traces.read_request_log(keep_alive_log(tmp_path / "e.csv", GAPS, 700))
    fit = lc.calibrate(tr, params=("idle_timeout_s", "init_s"), sweeps=1, points=5, rounds=1)
    fig = fit.plot(tmp_path / "fit.png")
    assert [ax.get_xlabel() for ax in fig.axes] == ["idle_timeout_s", "init_s"]
    assert (tmp_path / "fit.png").stat().st_size > 1000


def test_bad_requests_are_refused(tmp_path: Path) -> None:
    tr = lc.traces.read_request_log(keep_alive_log(tmp_path / "f.csv", GAPS, 700))
    with pytest.raises(UsageError, match="unknown parameters"):
        lc.calibrate(tr, params=("idle_timeout",))
    with pytest.raises(UsageError, match="unknown targets"):
        lc.calibrate(tr, target=("colds",))
    azure = tmp_path / "azure.csv"
    azure.write_text("app,func,end_timestamp,duration\na,f,10.0,1.0\na,f,20.0,1.0\n")
    with pytest.raises(UsageError, match="does not say cold_starts"):
        lc.calibrate(lc.traces.read_azure2021(azure), target=("cold_starts",), init_s=0.0)

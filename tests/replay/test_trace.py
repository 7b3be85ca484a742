"""Trace's methods: window, scale, select, simulator (overrides, warnings), compare."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.traces import ReplayWarning, Trace

from . import files as F


@pytest.fixture
def azure(tmp_path: Path) -> Trace:
    return lc.traces.read_azure2021(F.azure2021(tmp_path))


@pytest.fixture
def reports(tmp_path: Path) -> Trace:
    return lc.traces.read_cloudwatch_logs(F.cloudwatch_tail(tmp_path))


def test_replay_of_known_reports(reports: Trace) -> None:
    """0 s: cold (init 0.25 s, ends 0.35 s); 0.2 s: the one environment is busy, a second cold
    start; 1.0 s: warm, as the log says — and its streams say two environments."""
    result = reports.replay()
    assert result.requests["cold_starts"].tolist() == [1, 1, 0]
    c = reports.compare(result)
    assert c.total == {"function": "total", "requests": 3, "cold_starts": 2, "sim_cold_starts": 2,
                       "environments": 2, "sim_environments": 2, "agreement": 1.0}
    assert c.error("cold_starts") == 0.0
    assert "orders" in c.table() and c.to_dict()["functions"][0]["function"] == "orders"
    # with no keep-alive every request is cold: agreement 2/3, one environment too many
    c0 = reports.compare(reports.replay(idle_timeout_s=0))
    assert (c0.total["sim_cold_starts"], c0.total["agreement"]) == (3, pytest.approx(2 / 3))
    assert c0.error("cold_starts") == pytest.approx(0.5)


def test_simulator_overrides_and_default_init_warning(azure: Trace) -> None:
    with pytest.warns(ReplayWarning, match=r"gives no init duration for 3 of its 3 functions .* init_s = 0.5 s"):
        azure.simulator()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReplayWarning)
        sim = azure.simulator(init_s=0.1, idle_timeout_s=700, seed=3, routing="mru")
    assert all(f.init_s == 0.1 and f.idle_timeout_s == 700 for f in sim.functions)
    assert [f.timeout_s for f in sim.functions] == list(F.AZURE2021_TIMEOUTS)
    assert sim.seed == 3 and sim.routing == "mru"
    with pytest.raises(lc.UsageError, match="'idle_s' is not a Function field"):
        azure.simulator(idle_s=5)
    with pytest.raises(lc.ValidationException):
        azure.simulator(init_s=0.1, memory_mb=64)


def test_select_by_either_name(azure: Trace) -> None:
    part = azure.select(["a2-f1", "a1/f1"])
    assert part.names == ("a1/f1", "a2/f1") and part.function_names == ("a1-f1", "a2-f1")
    assert part.workload.function.tolist() == [0, 1, 0]
    np.testing.assert_allclose(part.workload.time, [0.0, 0.75, 1.0])
    assert part.observed.function_names == part.function_names
    assert len(azure.select("a1-f2")) == 1
    with pytest.raises(lc.UsageError, match="no function named 'nope'"):
        azure.select(["nope"])


def test_window_rebases_and_counts_what_it_holds(reports: Trace) -> None:
    w = reports.window(0.1, 2.0)
    np.testing.assert_allclose(w.workload.time, [0.1, 0.9])
    assert w.origin_s == pytest.approx(reports.origin_s + 0.1)
    assert (w.observed.cold_starts, w.observed.environments) == (1, 2)
    assert len(reports.window(0.0, 0.15)) == 1 and len(reports.window(0.0, 1.0)) == 2  # [start, end)
    with pytest.raises(lc.UsageError):
        reports.window(2.0, 1.0)


def test_scale_compresses_time_and_compare_warns(azure: Trace) -> None:
    fast = azure.scale(rate=2.0)
    np.testing.assert_allclose(fast.workload.time, np.array(F.AZURE2021_TIMES) / 2)
    assert fast.workload.duration.tobytes() == azure.workload.duration.tobytes()
    assert fast.rate == 2.0 and fast.scale(2.0).rate == 4.0
    result = fast.replay(init_s=0.5)
    with pytest.warns(ReplayWarning, match="scaled"):
        fast.compare(result)
    with pytest.raises(lc.UsageError):
        azure.scale(rate=0)


def test_compare_needs_this_traces_rows(azure: Trace, reports: Trace) -> None:
    with pytest.raises(lc.UsageError, match="needs the Result of running this trace's workload"):
        reports.compare(azure.replay(init_s=0.5))


def test_replays_are_deterministic(tmp_path: Path) -> None:
    inv, dur = F.azure2019(tmp_path, {"f1": (40, 0, 10), "f2": (0, 50, 0)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReplayWarning)
        a = lc.traces.read_azure2019(inv, dur, seed=5).replay()
        b = lc.traces.read_azure2019(inv, dur, seed=5).replay()
    for name, col in a.requests.items():
        assert col.tobytes() == b.requests[name].tobytes(), name


def test_compare_counts_environment_ids_when_the_result_has_them(reports: Trace) -> None:
    """With the per-request ``environment`` column (docs/model.md §3.1) the simulated
    environments are its distinct ids, not ``environments_created``."""
    import dataclasses

    result = reports.replay()
    ids = np.array([4, 4, -1], np.int64)  # two requests on one environment, one that never ran
    with_ids = dataclasses.replace(result, requests={**result.requests, "environment": ids})
    c = reports.compare(with_ids)
    assert c.total["sim_environments"] == 1 and c.functions[0]["sim_environments"] == 1
    assert reports.compare(result).total["sim_environments"] == 2  # environments_created


def test_empty_traces(tmp_path: Path) -> None:
    empty = lc.traces.read_azure2021(F._write(tmp_path / "e.csv", "app,func,end_timestamp,duration\n"))
    assert len(empty) == 0 and empty.functions == [] and empty.span_s == 0.0
    quiet = lc.traces.read_cloudwatch_logs(F._write(tmp_path / "quiet.log", "2024-01-01T00:00:00Z START RequestId: x\n"))
    assert len(quiet) == 0 and quiet.function_names == ("quiet",)
    assert (quiet.observed.cold_starts, quiet.observed.environments) == (0, None)
    with pytest.warns(ReplayWarning, match="gives no init duration"):
        c = quiet.compare(quiet.replay())
    assert c.total["requests"] == 0 and c.total["agreement"] is None and c.error("cold_starts") is None
    assert repr(quiet) == f"Trace(cloudwatch '{tmp_path / 'quiet.log'}': 0 requests of 1 function)"

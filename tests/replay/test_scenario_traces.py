"""Scenario files' ``[[functions.workload]] trace = "file"`` (docs/scenarios.md)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._cli import main
from lambda_core.traces import ReplayWarning

from . import files as F


def _scenario(tmp: Path, workload: str, timeout: int = 10) -> Path:
    text = f"""
[[functions]]
name = "api"
timeout_s = {timeout}

[[functions]]
name = "other"

[[functions.workload]]
{workload}
"""
    return F._write(tmp / "s.toml", text)


def test_trace_workload_relative_to_the_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "traces").mkdir()
    F.azure2021(tmp_path / "traces")
    s = lc.load_scenario(_scenario(tmp_path, 'trace = "traces/azure.csv"'))
    w = s.generate()
    np.testing.assert_allclose(w.time, F.AZURE2021_TIMES)
    assert np.all(w.function == 1)  # every request of the trace goes to the function it is under
    np.testing.assert_allclose(np.sort(w.duration), [0.25, 0.5, 1.0, 2.0])
    assert s.expected_requests() == 4
    result = s.simulator().run(w)
    assert result.function("other")["invocations"] == 4 and result.function("api")["invocations"] == 0


def test_trace_workload_select_window_rate(tmp_path: Path) -> None:
    F.azure2021(tmp_path)
    s = lc.load_scenario(_scenario(tmp_path, 'trace = "azure.csv"\nfunctions = ["a1/f1"]\nrate = 2'))
    np.testing.assert_allclose(s.generate().time, [0.0, 0.5])
    s = lc.load_scenario(_scenario(tmp_path, 'trace = "azure.csv"\nstart_s = 0.5\nend_s = 1.5'))
    np.testing.assert_allclose(s.generate().time, [0.25, 0.5, 0.5])


def test_trace_longer_than_the_timeout_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [("a", "f", 1.0 + k, 0.5) for k in range(4)] + [("a", "f", 100.0, 60.0)]
    F.azure2021(tmp_path, rows)
    path = F._write(tmp_path / "t.toml", '[[functions]]\nname = "api"\n[[functions.workload]]\ntrace = "azure.csv"\n')
    with pytest.raises(lc.ScenarioError, match=r"1 requests of the trace last longer than function 'api''s "
                                               r"timeout_s = 3 s .* set timeout_s to at least 60"):
        lc.load_scenario(path)
    assert main(["validate", str(path)]) == 1
    assert "allow_timeouts = true" in capsys.readouterr().err
    path.write_text(path.read_text() + "allow_timeouts = true\n")
    result = lc.load_scenario(path).simulator().run(lc.load_scenario(path).generate())
    assert result.function("api")["timeouts"] == 1


@pytest.mark.parametrize("workload, message", [
    ('trace = "missing.csv"', "no such trace file"),
    ('trace = "azure.csv"\nformat = "xray"', "'format' in .* must be one of"),
    ('trace = "azure.csv"\nfunctions = ["zzz"]', "no function named 'zzz'"),
    ('trace = "azure.csv"\nspeed = 2', "unknown key 'speed'"),
    ('trace = "azure.csv"\nformat = "request-log"', "no column 'client_start_time'"),
])
def test_trace_workload_errors_name_the_table(tmp_path: Path, workload: str, message: str) -> None:
    F.azure2021(tmp_path)
    with pytest.raises(lc.ScenarioError, match=message) as info:
        lc.load_scenario(_scenario(tmp_path, workload))
    assert "[[functions.workload]] #1 of function 'other'" in str(info.value)


def test_azure2019_trace_is_drawn_per_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    F.azure2019(tmp_path, {"f1": (20, 5, 9), "f2": (0, 30, 0)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReplayWarning)
        s = lc.load_scenario(_scenario(tmp_path, 'trace = "invocations.csv"\ndurations = "durations.csv"'))
        a, b, c = s.generate(1), s.generate(1), s.generate(2)
    assert len(a) == len(c) == 64
    assert a.time.tobytes() == b.time.tobytes() and a.time.tobytes() != c.time.tobytes()
    assert s.has_events()  # f2 is a timer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReplayWarning)
        assert main(["run", "-q", str(tmp_path / "s.toml")]) == 0
    assert "64" in capsys.readouterr().out

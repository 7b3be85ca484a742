"""The four readers on hand-made files with known answers (tests/replay/files.py), and their
errors: line and column of a bad row, units refused rather than taken."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.traces import ReplayWarning

from . import files as F


@pytest.mark.parametrize("write", [F.cloudwatch_tail, F.cloudwatch_events_text, F.cloudwatch_json],
                         ids=["tail", "filter-log-events-text", "filter-log-events-json"])
def test_cloudwatch_reports(tmp_path: Path, write: object) -> None:
    tr = lc.traces.read_cloudwatch_logs(write(tmp_path))  # type: ignore[operator]
    assert tr.format == "cloudwatch" and tr.names == ("orders",) and tr.function_names == ("orders",)
    assert tr.origin_s == pytest.approx(F.EPOCH_S)
    np.testing.assert_allclose(tr.workload.time, F.REPORT_TIMES, atol=1e-6)
    np.testing.assert_allclose(tr.workload.duration, F.REPORT_DURATIONS)
    assert tr.observed.cold is not None and tr.observed.cold.tolist() == F.REPORT_COLD
    assert tr.observed.instance is not None and tr.observed.instance.tolist() == F.REPORT_INSTANCES
    assert (tr.observed.cold_starts, tr.observed.environments) == (2, 2)
    assert tr.observed.instance_names == ("2023/11/14/[$LATEST]aaaa", "2023/11/14/[$LATEST]bbbb")
    f = tr.functions[0]
    assert (f.memory_mb, f.init_s, f.timeout_s) == (256, lc.Empirical(F.REPORT_INITS_S), 1.0)
    assert tr.init_known == (True,)


def test_cloudwatch_without_streams_cannot_count_environments(tmp_path: Path) -> None:
    text = "".join(f"{iso} {m}\n" for _, iso, _, m in F.REPORTS)
    tr = lc.traces.read_cloudwatch_logs(F._write(tmp_path / "export.log", text))
    assert tr.observed.environments is None and tr.observed.cold_starts == 2
    assert tr.observed.function_figures()[0]["environments"] is None


def test_cloudwatch_several_files_are_several_functions(tmp_path: Path) -> None:
    a = F.cloudwatch_tail(tmp_path, "a.log")
    b = F.cloudwatch_json(tmp_path, "b.json")
    tr = lc.traces.read_cloudwatch_logs([a, b], function=["api", "worker"])
    assert tr.function_names == ("api", "worker") and len(tr) == 6
    assert tr.observed.environments == 4  # the same stream names in two log groups are four environments
    assert np.bincount(tr.workload.function).tolist() == [3, 3]


def test_cloudwatch_bad_line_names_line_and_column(tmp_path: Path) -> None:
    lines = [f"{iso} {s} {m}" for s, iso, _, m in F.REPORTS]
    lines[1] = lines[1].replace("50.00 ms", "5O.00 ms")
    path = F._write(tmp_path / "bad.log", "\n".join(lines))
    with pytest.raises(lc.TraceFormatError) as info:
        lc.traces.read_cloudwatch_logs(path)
    e = info.value
    assert (e.line, e.column_name) == (2, "Duration")
    assert e.column == lines[1].index("5O.00") + 1
    assert str(e).startswith(f"{path}, line 2, column {e.column} ('Duration'): '5O.00' is not a number")


def test_cloudwatch_refuses_another_unit(tmp_path: Path) -> None:
    path = F._write(tmp_path / "s.log", "2023-11-14T22:13:20Z REPORT RequestId: r Duration: 1.5 s\n")
    with pytest.raises(lc.TraceFormatError, match="the unit is 's', ms was expected"):
        lc.traces.read_cloudwatch_logs(path)


def test_azure2021(tmp_path: Path) -> None:
    tr = lc.traces.read_azure2021(F.azure2021(tmp_path))
    assert tr.names == F.AZURE2021_NAMES and tr.function_names == F.AZURE2021_LAMBDA_NAMES
    np.testing.assert_allclose(tr.workload.time, F.AZURE2021_TIMES)
    assert tr.workload.function.tolist() == F.AZURE2021_FUNCTION
    assert tuple(f.timeout_s for f in tr.functions) == F.AZURE2021_TIMEOUTS
    assert tr.origin_s == 10.0
    assert tr.observed.cold is None and tr.observed.cold_starts is None and tr.observed.environments is None
    assert tr.init_known == (False, False, False)


def test_azure2021_hash_names_are_valid_and_unique(tmp_path: Path) -> None:
    h = "7b2c43a2bc30f6bb438074df88b603d2cb982d3e7961de05270735055950a568"
    rows = [(h, h, 1.0, 0.5), (h, h[:8] + "x" * 56, 2.0, 0.5), (h, h[:60] + "zzzz", 3.0, 0.5)]
    tr = lc.traces.read_azure2021(F.azure2021(tmp_path, rows))
    names = tr.function_names
    assert len(set(names)) == 3 and all(len(n) <= 64 for n in names)
    assert names[0] == "7b2c43a2-7b2c43a2"
    assert names[1].startswith("7b2c43a2-7b2c43a2-") and len(names[1]) == 8 + 1 + 8 + 1 + 8
    assert tr.names[2] == f"{h}/{h[:60]}zzzz"
    again = lc.traces.read_azure2021(F.azure2021(tmp_path, rows, "again.csv"))
    assert again.function_names == names  # deterministic
    assert tr.index(tr.names[1]) == tr.index(names[1]) == 1


def test_azure2021_durations_over_900_s_warn(tmp_path: Path) -> None:
    rows = [("a", "f", 1000.0, 950.0)] + [("a", "f", 1001.0 + k, 1.0) for k in range(3)]
    with pytest.warns(ReplayWarning, match=r"1 requests of the azure2021 trace .* longer than Lambda's 900 s"):
        tr = lc.traces.read_azure2021(F.azure2021(tmp_path, rows))
    assert tr.functions[0].timeout_s == 900.0 and tr.warnings


def test_azure2021_milliseconds_are_refused_then_taken_when_said(tmp_path: Path) -> None:
    rows = [("a", "f", 10500.0, 500.0), ("a", "f", 12000.0, 1000.0), ("a", "g", 11000.0, 250.0)]
    path = F.azure2021(tmp_path, rows)
    with pytest.raises(lc.TraceFormatError) as info:
        lc.traces.read_azure2021(path)
    message = str(info.value)
    assert str(path) in message and "'duration'" in message and "milliseconds" in message
    assert "duration_unit='ms'" in message and info.value.column_name == "duration"
    tr = lc.traces.read_azure2021(path, duration_unit="ms")
    np.testing.assert_allclose(tr.workload.duration, [0.5, 0.25, 1.0])
    np.testing.assert_allclose(tr.workload.time, [0.0, 0.75, 1.0])
    with pytest.raises(lc.UsageError, match="duration_unit must be 's' or 'ms'"):
        lc.traces.read_azure2021(path, duration_unit="min")


@pytest.mark.parametrize("text, line, column, name", [
    ("app,func,end_timestamp,duration\na,f,1,0.5\na,f,x,0.5\n", 3, 3, "end_timestamp"),
    ("app,func,end_timestamp,duration\na,f,1,0.5\na,f,2,-1\n", 3, 4, "duration"),
    ("app,func,end_timestamp,duration\na,f,1\n", 2, 3, ""),
    ("app,func,end,duration\n", 1, 1, "end_timestamp"),
])
def test_azure2021_errors_name_line_and_column(tmp_path: Path, text: str, line: int, column: int, name: str) -> None:
    path = F._write(tmp_path / "e.csv", text)
    with pytest.raises(lc.TraceFormatError) as info:
        lc.traces.read_azure2021(path)
    e = info.value
    assert (e.path, e.line, e.column, e.column_name) == (str(path), line, column, name)
    assert str(e).startswith(f"{path}, line {line}, column {column}")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        lc.traces.read_azure2021(tmp_path / "nothing.csv")
    with pytest.raises(IsADirectoryError):
        lc.traces.read_request_log(tmp_path)


def test_azure2019_even_arrivals(tmp_path: Path) -> None:
    inv, dur = F.azure2019(tmp_path)
    with pytest.warns(ReplayWarning, match="1 of the 2 functions .* no row in the durations file"):
        tr = lc.traces.read_azure2019(inv, dur, arrivals="even")
    np.testing.assert_allclose(tr.workload.time, F.AZURE2019_EVEN_TIMES)
    assert tr.workload.function.tolist() == F.AZURE2019_EVEN_FUNCTION
    assert tr.origin_s == 15.0 and tr.names == ("o1/app1/f1", "o1/app1/f2")
    kinds = tr.workload.invocation_type
    assert kinds is not None and kinds.tolist() == [0, 0, 1, 1, 1, 0]  # f2 is a timer: Event
    # durations inside f1's percentile curve, f2's from the pooled one (here the same)
    assert np.all((tr.workload.duration >= 0.01) & (tr.workload.duration <= 0.07))


def test_azure2019_draws_are_seeded_and_keep_counts(tmp_path: Path) -> None:
    inv, dur = F.azure2019(tmp_path, {"f1": (4000, 0, 1000), "f2": (0, 5000, 0)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReplayWarning)
        a = lc.traces.read_azure2019(inv, dur, seed=1)
        b = lc.traces.read_azure2019(inv, dur, seed=1)
        c = lc.traces.read_azure2019(inv, dur, seed=2)
        p = lc.traces.read_azure2019(inv, dur, seed=1, arrivals="poisson")
    assert a.workload.time.tobytes() == b.workload.time.tobytes()
    assert a.workload.duration.tobytes() == b.workload.duration.tobytes()
    assert a.workload.time.tobytes() != c.workload.time.tobytes()
    f1 = a.workload.function == 0
    absolute = a.workload.time + a.origin_s
    assert np.histogram(absolute[f1], bins=[0, 60, 120, 180])[0].tolist() == [4000, 0, 1000]
    # the median of f1's curve is 40 ms; 5000 draws land within a millisecond of it
    assert abs(float(np.median(a.workload.duration[f1])) - 0.040) < 0.001
    assert 9000 < len(p) < 11000 and len(p) != len(a)  # Poisson counts: drawn around the trace's


def test_azure2019_without_durations_warns(tmp_path: Path) -> None:
    inv, _ = F.azure2019(tmp_path)
    with pytest.warns(ReplayWarning, match="no durations file"):
        tr = lc.traces.read_azure2019(inv, default_duration_s=0.3)
    assert np.all(tr.workload.duration == 0.3)
    with pytest.raises(lc.UsageError, match="arrivals must be one of"):
        lc.traces.read_azure2019(inv, arrivals="burst")


def test_azure2019_durations_in_seconds_are_refused(tmp_path: Path) -> None:
    inv, dur = F.azure2019(tmp_path)
    text = dur.read_text().splitlines()
    text[1] = "o1,app1,f1,0.04,3,0.01,0.07,0.01,0.02,0.03,0.04,0.05,0.06,0.07"
    dur.write_text("\n".join(text) + "\n")
    with pytest.raises(lc.TraceFormatError, match="looks like seconds .* duration_unit='s'"):
        lc.traces.read_azure2019(inv, dur)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReplayWarning)
        tr = lc.traces.read_azure2019(inv, dur, duration_unit="s", arrivals="even")
    assert np.all((tr.workload.duration >= 0.01) & (tr.workload.duration <= 0.07))


def test_request_log(tmp_path: Path) -> None:
    tr = lc.traces.read_request_log(F.request_log(tmp_path))
    np.testing.assert_allclose(tr.workload.time, F.REQUEST_TIMES)
    np.testing.assert_allclose(tr.workload.duration, F.REQUEST_DURATIONS)
    assert tr.observed.cold is not None and tr.observed.cold.tolist() == F.REQUEST_COLD
    assert (tr.observed.cold_starts, tr.observed.environments) == (2, 2)
    assert tr.observed.instance_names == ("a", "b")
    assert tr.functions[0].init_s == pytest.approx(F.REQUEST_INIT_S) and tr.init_known == (True,)
    assert tr.functions[0].name == "requests" and tr.origin_s == 100.0


def test_request_log_durations_in_seconds_are_refused(tmp_path: Path) -> None:
    rows = [(i, c, inst, d / 4000, s, e) for i, c, inst, d, s, e in F.REQUEST_ROWS]
    path = F.request_log(tmp_path, rows)
    with pytest.raises(lc.TraceFormatError) as info:
        lc.traces.read_request_log(path)
    assert "'aws_duration'" in str(info.value) and "duration_unit='s'" in str(info.value)
    tr = lc.traces.read_request_log(path, duration_unit="s")
    np.testing.assert_allclose(tr.workload.duration, np.array(F.REQUEST_DURATIONS) / 4)


def test_guess_format(tmp_path: Path) -> None:
    assert lc.traces.guess_format(F.cloudwatch_tail(tmp_path)) == "cloudwatch"
    assert lc.traces.guess_format(F.cloudwatch_json(tmp_path)) == "cloudwatch"
    assert lc.traces.guess_format(F.azure2021(tmp_path)) == "azure2021"
    assert lc.traces.guess_format(F.azure2019(tmp_path)[0]) == "azure2019"
    assert lc.traces.guess_format(F.request_log(tmp_path)) == "request-log"
    with pytest.raises(lc.UsageError, match="cannot tell the format"):
        lc.traces.guess_format(F._write(tmp_path / "x.csv", "a,b\n1,2\n"))

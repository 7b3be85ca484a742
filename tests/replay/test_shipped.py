"""The readers on the real files shipped in data/, against Python's csv module reading them."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc

DATA = Path(__file__).resolve().parents[2] / "data"
REQUEST_LOGS = sorted((DATA / "aws-lambda-requests").glob("res-*.csv"))
AZURE = DATA / "azure-functions-2021" / "Azure2021_200.csv"


def test_the_data_is_there() -> None:
    assert len(REQUEST_LOGS) == 3 and AZURE.is_file()


@pytest.mark.parametrize("path", REQUEST_LOGS, ids=lambda p: p.name)
def test_request_logs_read_as_csv_reads_them(path: Path) -> None:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    start = np.array([float(r["client_start_time"]) for r in rows])
    order = np.argsort(start, kind="stable")
    trace = lc.traces.read_request_log(path)
    assert lc.traces.guess_format(path) == "request-log"
    assert len(trace) == len(rows) and trace.origin_s == start.min()
    np.testing.assert_allclose(trace.workload.time, (start - start.min())[order], atol=1e-6)
    np.testing.assert_allclose(trace.workload.duration, np.array([float(r["aws_duration"]) for r in rows])[order] / 1000)
    cold = np.array([r["is_cold"] == "True" for r in rows])[order]
    assert trace.observed.cold is not None and np.array_equal(trace.observed.cold, cold)
    inst = trace.observed.instance
    assert inst is not None
    names = np.array(trace.observed.instance_names)[inst]
    assert names.tolist() == [rows[i]["inst_id"] for i in order]
    assert trace.observed.environments == len({r["inst_id"] for r in rows})
    assert trace.functions[0].timeout_s == np.ceil(max(float(r["aws_duration"]) for r in rows) / 1000)


def test_azure2021_excerpt_read_as_csv_reads_it() -> None:
    with open(AZURE, newline="") as fh:
        rows = list(csv.DictReader(fh))
    trace = lc.traces.read_azure2021(AZURE)
    assert lc.traces.guess_format(AZURE) == "azure2021"
    keys = list(dict.fromkeys(f"{r['app']}/{r['func']}" for r in rows))
    assert trace.names == tuple(keys) and len(trace.functions) == 31 and len(trace) == 199
    start = np.array([float(r["end_timestamp"]) - float(r["duration"]) for r in rows])
    order = np.argsort(start, kind="stable")
    np.testing.assert_allclose(trace.workload.time + trace.origin_s, start[order], atol=1e-9)
    index = np.array([keys.index(f"{r['app']}/{r['func']}") for r in rows])[order]
    assert np.array_equal(trace.workload.function, index)
    for i, f in enumerate(trace.functions):
        longest = max(float(r["duration"]) for r in rows if f"{r['app']}/{r['func']}" == keys[i])
        assert f.timeout_s == max(1.0, np.ceil(longest))
    # the new user: the default 3 s timeout turned 89 of these requests into timeouts;
    # the trace's own timeouts turn none
    result = trace.replay(init_s=0.5)
    assert int(result.functions["timeouts"].sum()) == 0
    assert np.all(result.requests["outcome"] == lc.Outcome.SUCCESS)
    assert int(trace.replay(init_s=0.5, timeout_s=3).functions["timeouts"].sum()) == 89

"""The trace readers (crates/traces, through lambda_core._core): 2 M rows of each synthetic
format (benches/trace_files.py), the file written outside the timed region; the figure is
rows per second, for the reader alone (``_core.read_*``: the file into numpy columns) and for
the whole Trace (``lc.traces.read_*``: sorted, rebased, functions and observations built)."""

from __future__ import annotations

import warnings

import pytest
from conftest import scaled
from trace_files import write

import lambda_core as lc
from lambda_core import _core

ROUNDS = 3
READERS = {
    "azure2021": (_core.read_azure2021, lc.traces.read_azure2021),
    "request-log": (_core.read_request_log, lc.traces.read_request_log),
    "cloudwatch": (_core.read_cloudwatch_text, lc.traces.read_cloudwatch_logs),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traces")
    n = scaled(2_000_000)
    return n, {name: write(name, n, folder / f"{name}.txt") for name in READERS}


@pytest.mark.parametrize("format", list(READERS))
@pytest.mark.parametrize("level", ["reader", "trace"])
def test_read(format, level, files, measure):
    n, paths = files
    reader, trace = READERS[format]
    path = str(paths[format])

    def target():
        if level == "reader":
            return len(next(iter(reader(path)[0].values())))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lc.traces.ReplayWarning)
            return len(trace(path))

    rows = measure(f"traces/{format}-{level}", n, target, rounds=ROUNDS, unit="rows")
    assert rows == n

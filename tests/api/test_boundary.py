"""The Python/Rust boundary: bad input gets a clear error, never a crash.

* every bad workload raises ``ValueError`` (:class:`lambda_core.WorkloadError`, with ``.column``
  and ``.row``) or ``TypeError``, naming the column and the first bad row;
* canonical columns are read in place, others are converted;
* random input (hypothesis) either runs or raises ValueError/TypeError, through the public API and
  through the private ``lambda_core._core.Engine``;
* the GIL is released while the engine runs;
* result arrays have their documented dtypes and share no memory with the inputs.

Bugs these tests found (and that were fixed) are kept as regression tests at the end.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lambda_core as lc
from lambda_core import _core
from tests.support.profiles import examples

COLUMNS = ("time", "function", "duration", "invocation_type", "failures")


def make_sim(n_functions: int = 2, **kwargs) -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function(f"f{i}") for i in range(n_functions)], **kwargs)


def canonical(n: int = 4) -> dict[str, np.ndarray]:
    return {
        "time": np.arange(n, dtype=np.float64),
        "function": np.zeros(n, dtype=np.int64),
        "duration": np.full(n, 0.1),
    }


def run(**columns) -> lc.Result:
    """Builds a workload from canonical columns overridden by `columns` and runs it."""
    cols = {**canonical(), **columns}
    return make_sim().run(lc.Workload(**cols))


def check_workload_error(excinfo: pytest.ExceptionInfo, column: str, row: int | None) -> None:
    e = excinfo.value
    assert isinstance(e, lc.WorkloadError) and isinstance(e, ValueError)
    assert e.column == column and e.row == row, (e.column, e.row, str(e))
    assert f"'{column}'" in str(e), str(e)
    if row is not None:
        # a length mismatch names both lengths; `row` is the first row one column lacks
        assert f"row {row}" in str(e) or f"has {row} rows" in str(e) or f"'time' has {row}" in str(e), str(e)


# ---------------------------------------------------------------------------------------------
# bad values: WorkloadError naming the column and the first bad row
# ---------------------------------------------------------------------------------------------

NAN, INF = float("nan"), float("inf")

BAD_VALUES = [
    # (id, columns, column, row)
    ("time-nan", {"time": [0, NAN, 2, 3]}, "time", 1),
    ("time-inf", {"time": [0, 1, 2, INF]}, "time", 3),
    ("time-minus-inf", {"time": [-INF, 1, 2, 3]}, "time", 0),
    ("time-negative-first", {"time": [-1, 1, 2, 3]}, "time", 0),
    ("time-negative-later", {"time": [0, 1, -1, 3]}, "time", 2),
    ("time-tiny-negative", {"time": [-1e-300, 1, 2, 3]}, "time", 0),
    ("time-decreasing", {"time": [0, 2, 1, 3]}, "time", 2),
    ("time-too-large", {"time": [0, 1, 2, 1e300]}, "time", 3),
    ("time-first-of-several", {"time": [0, NAN, -1, 0.5]}, "time", 1),
    ("time-int64-max", {"time": np.array([0, 1, 2, np.iinfo(np.int64).max])}, "time", 3),
    ("time-uint64-max", {"time": np.array([0, 1, 2, np.iinfo(np.uint64).max], dtype=np.uint64)}, "time", 3),
    ("duration-negative", {"duration": [0.1, -0.1, 0.1, 0.1]}, "duration", 1),
    ("duration-nan", {"duration": [0.1, 0.1, NAN, 0.1]}, "duration", 2),
    ("duration-inf", {"duration": [INF, 0.1, 0.1, 0.1]}, "duration", 0),
    ("duration-first-of-several", {"duration": [0.1, 0.1, -1, NAN]}, "duration", 2),
    ("function-negative", {"function": [0, -1, 0, 0]}, "function", 1),
    ("function-equal-n", {"function": [0, 1, 2, 0]}, "function", 2),
    ("function-huge", {"function": [2**62, 0, 0, 0]}, "function", 0),
    ("function-int64-min", {"function": np.array([0, 0, 0, np.iinfo(np.int64).min])}, "function", 3),
    ("function-uint64-out-of-int64", {"function": np.array([0, 0, 2**64 - 1, 0], dtype=np.uint64)}, "function", 2),
    ("failures-negative", {"failures": [0, 0, 0, -1]}, "failures", 3),
    ("failures-int64-min", {"failures": np.array([0, np.iinfo(np.int64).min, 0, 0])}, "failures", 1),
    ("failures-uint64-max", {"failures": np.array([0, 2**64 - 1, 0, 0], dtype=np.uint64)}, "failures", 1),
    ("invocation-type-unknown", {"invocation_type": [0, 2, 0, 0]}, "invocation_type", 1),
    ("invocation-type-negative", {"invocation_type": [0, 0, -1, 0]}, "invocation_type", 2),
    ("invocation-type-256", {"invocation_type": [256, 0, 0, 0]}, "invocation_type", 0),
    # lengths: the row is the first row the shorter column lacks (or the longer one has extra)
    ("function-shorter", {"function": [0, 0]}, "function", 2),
    ("function-empty", {"function": np.array([], dtype=np.int64)}, "function", 0),
    ("duration-longer", {"duration": [0.1] * 6}, "duration", 4),
    ("failures-shorter", {"failures": [0]}, "failures", 1),
    ("invocation-type-longer", {"invocation_type": [0] * 5}, "invocation_type", 4),
]


@pytest.mark.parametrize("columns, column, row", [pytest.param(*c[1:], id=c[0]) for c in BAD_VALUES])
def test_bad_value_names_column_and_first_bad_row(columns, column, row) -> None:
    with pytest.raises(lc.WorkloadError) as excinfo:
        run(**columns)
    check_workload_error(excinfo, column, row)


def test_first_bad_row_is_found_deep_in_a_long_column() -> None:
    """The engine's fast validation path must still name the first bad row exactly."""
    n = 200_000
    base = canonical(n)
    for column, bad_rows, value in [("time", (123_457, 150_000), NAN), ("duration", (77_777, 199_999), -1.0),
                                    ("function", (199_999,), 5)]:
        col = base[column].copy()
        col[list(bad_rows)] = value
        with pytest.raises(lc.WorkloadError) as excinfo:
            make_sim().run(lc.Workload(**{**base, column: col}))
        check_workload_error(excinfo, column, bad_rows[0])
    # decreasing: row k is earlier than row k - 1
    t = base["time"].copy()
    t[100_001] = t[100_000] - 0.5
    with pytest.raises(lc.WorkloadError) as excinfo:
        make_sim().run(lc.Workload(t, base["function"], base["duration"]))
    check_workload_error(excinfo, "time", 100_001)


def test_function_index_checked_against_the_simulator() -> None:
    w = lc.Workload([0.0, 1.0], [0, 2], [0.1, 0.1])
    assert make_sim(3).run(w).functions["invocations"].sum() == 2
    with pytest.raises(lc.WorkloadError) as excinfo:
        make_sim(2).run(w)
    check_workload_error(excinfo, "function", 1)
    assert "2 functions" in str(excinfo.value)
    with pytest.raises(lc.WorkloadError) as excinfo:
        lc.Simulator().run(lc.Workload([0.0], [0], [0.1]))  # no function at all
    check_workload_error(excinfo, "function", 0)


def test_an_unknown_invocation_type_is_refused_naming_the_row() -> None:
    with pytest.raises(lc.WorkloadError) as excinfo:
        run(invocation_type=[0, 0, 7, 0])
    check_workload_error(excinfo, "invocation_type", 2)


# ---------------------------------------------------------------------------------------------
# wrong dtypes and shapes: TypeError / WorkloadError naming the column
# ---------------------------------------------------------------------------------------------

BAD_DTYPES = [
    ("strings", np.array(["0", "1", "2", "3"])),
    ("bytes", np.array([b"0", b"1", b"2", b"3"])),
    ("objects", np.array([0.0, 1.0, 2.0, 3.0], dtype=object)),
    ("objects-none", np.array([0.0, None, 2.0, 3.0], dtype=object)),
    ("bools", np.array([False, True, True, True])),
    ("complex", np.arange(4) + 0j),
    ("datetime", np.arange(4).astype("datetime64[s]")),
    ("void", np.zeros(4, dtype="V8")),
    ("structured", np.zeros(4, dtype=[("a", "f8")])),
]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("values", [pytest.param(v, id=i) for i, v in BAD_DTYPES])
def test_wrong_dtype_is_a_type_error_naming_the_column(column, values) -> None:
    with pytest.raises(TypeError) as excinfo:
        run(**{column: values})
    assert f"'{column}'" in str(excinfo.value), str(excinfo.value)
    assert str(values.dtype) in str(excinfo.value)


@pytest.mark.parametrize("column", ["function", "invocation_type", "failures"])
def test_integer_columns_refuse_floats(column) -> None:
    with pytest.raises(TypeError, match=f"'{column}' must hold integers, got dtype float64"):
        run(**{column: [0.0, 0.0, 0.0, 0.0]})


@pytest.mark.parametrize("column, shape", [
    (column, shape) for column in COLUMNS for shape in [(4, 1), (1, 4), (2, 2), (0, 0), (4, 1, 1)]
] + [("time", ())])  # a 0-d time is refused; in the other columns a scalar broadcasts
def test_not_one_dimensional_names_the_column(column, shape) -> None:
    dtype = np.float64 if column in ("time", "duration") else np.int64
    values = np.zeros(shape, dtype=dtype)
    with pytest.raises(lc.WorkloadError) as excinfo:
        run(**{column: values})
    check_workload_error(excinfo, column, None)
    assert str(shape) in str(excinfo.value)


def test_scalars_broadcast_and_string_scalars_do_not() -> None:
    r = make_sim().run(lc.Workload([0.0, 1.0, 2.0], 1, 0.25, failures=1))
    assert r.functions["invocations"].tolist() == [0, 3]
    assert np.all(r.requests["outcome"] == lc.Outcome.ERROR)
    with pytest.raises(lc.WorkloadError) as excinfo:
        lc.Workload([0.0, 1.0], [0, 0], "0.1")
    check_workload_error(excinfo, "duration", None)


# ---------------------------------------------------------------------------------------------
# later submissions, until
# ---------------------------------------------------------------------------------------------


def test_later_submission_before_the_previous_ones_last_time() -> None:
    sim = make_sim()
    assert sim.submit(lc.Workload([0.0, 1.0, 2.0], 0, 0.1)) == 0
    with pytest.raises(lc.WorkloadError) as excinfo:
        sim.submit(lc.Workload([1.5, 3.0], 0, 0.1))
    check_workload_error(excinfo, "time", 0)
    assert "1.5 is earlier than 2" in str(excinfo.value)
    # the refused chunk took no request ids and left the simulator usable; equal times are fine
    assert sim.submit(lc.Workload([2.0, 3.0], 0, 0.1)) == 3
    # the row is counted within the chunk: a bad row 2 of the third chunk is row 2
    with pytest.raises(lc.WorkloadError) as excinfo:
        sim.submit(lc.Workload([3.0, 4.0, 3.5], 0, 0.1))
    check_workload_error(excinfo, "time", 2)
    r = sim.advance()
    assert len(r) == 5 and np.all(r.requests["outcome"] == lc.Outcome.SUCCESS)


def test_later_submission_before_now() -> None:
    sim = make_sim()
    sim.run(lc.Workload([0.0, 1.0], 0, 0.1), until=10.0)
    assert sim.now == 10.0
    with pytest.raises(lc.WorkloadError) as excinfo:
        sim.submit(lc.Workload([9.5, 11.0], 0, 0.1))
    check_workload_error(excinfo, "time", 0)
    assert "earlier than 10" in str(excinfo.value)
    assert sim.run(lc.Workload([10.0, 11.0], 0, 0.1)).requests["outcome"].tolist() == [1, 1]


def test_empty_submission_is_accepted_anywhere() -> None:
    sim = make_sim()
    sim.advance(5.0)
    empty = lc.Workload(np.empty(0), np.empty(0, np.int64), np.empty(0))
    assert sim.submit(empty) == 0
    assert sim.run(empty).requests["outcome"].shape == (0,)
    assert repr(empty) == "Workload(0 requests)"


@pytest.mark.parametrize("until, exc, match", [
    (float("nan"), lc.LambdaCoreError, "until: value is NaN"),
    (-1.0, lc.LambdaCoreError, "until: value -1 is negative"),
    (-1e-300, lc.LambdaCoreError, "until: value .* is negative"),
    (float("inf"), lc.LambdaCoreError, "until: .* infinite"),
    (1e300, lc.LambdaCoreError, "until: .* larger than"),
    ("soon", TypeError, "until must be a number of seconds or None"),
    ([1.0], TypeError, "until must be a number of seconds or None"),
])
def test_bad_until(until, exc, match) -> None:
    for call in (lambda s: s.advance(until), lambda s: s.run(None, until), lambda s: s.stats(until)):
        sim = make_sim()
        with pytest.raises(exc, match=match):
            call(sim)
        assert issubclass(exc, (ValueError, TypeError))
        assert sim.now == 0.0
        sim.run(lc.Workload([0.0], 0, 0.1))  # still usable


def test_until_before_now() -> None:
    sim = make_sim()
    sim.advance(10.0)
    for call in (lambda: sim.advance(9.999999), lambda: sim.run(lc.Workload([10.0], 0, 0.1), 5.0)):
        with pytest.raises(lc.InvalidParameterValueException, match=r"until=\S+ is before the simulator's current time 10"):
            call()
    assert sim.now == 10.0
    sim.advance(10.0)  # the same instant is fine


# ---------------------------------------------------------------------------------------------
# zero copy and conversions
# ---------------------------------------------------------------------------------------------


def test_canonical_columns_are_not_copied() -> None:
    c = canonical(1000)
    kind = np.zeros(1000, np.uint8)
    fail = np.zeros(1000, np.int64)
    w = lc.Workload(c["time"], c["function"], c["duration"], kind, fail)
    assert w.time is c["time"] or np.shares_memory(w.time, c["time"])
    assert np.shares_memory(w.function, c["function"])
    assert np.shares_memory(w.duration, c["duration"])
    assert np.shares_memory(w.invocation_type, kind)
    assert np.shares_memory(w.failures, fail)
    # a read-only float64 column is read in place too
    t = np.arange(10.0)
    t.setflags(write=False)
    assert np.shares_memory(lc.Workload(t, 0, 0.1).time, t)


def _reference_result(time, function, duration) -> dict[str, np.ndarray]:
    w = lc.Workload(np.asarray(time, np.float64).copy(), np.asarray(function, np.int64).copy(),
                    np.asarray(duration, np.float64).copy())
    return dict(make_sim(3).run(w).requests)


@pytest.mark.parametrize("convert", [
    pytest.param(lambda a: a.astype(np.int32) if a.dtype.kind == "i" else a.astype(np.float32), id="int32-float32"),
    pytest.param(lambda a: a.astype(np.int16) if a.dtype.kind == "i" else a.astype(np.float16), id="int16-float16"),
    pytest.param(lambda a: a.astype(np.uint32) if a.dtype.kind == "i" else a, id="uint32-function"),
    pytest.param(lambda a: a.astype(np.uint8) if a.dtype.kind == "i" else a.astype(np.float64), id="uint8-function"),
    pytest.param(lambda a: np.repeat(a, 2)[::2], id="non-contiguous"),
    pytest.param(lambda a: a[::-1].copy()[::-1], id="negative-stride"),
    pytest.param(lambda a: a.astype(a.dtype.newbyteorder(">")), id="big-endian"),
    pytest.param(lambda a: a.tolist(), id="lists"),
    pytest.param(lambda a: a.astype(np.longdouble) if a.dtype.kind == "f" else a, id="longdouble"),
])
def test_other_inputs_are_converted_correctly(convert) -> None:
    rng = np.random.default_rng(7)
    n = 2000
    time = np.sort(rng.integers(0, 500, n)).astype(np.float64) / 4  # exact in float16/float32
    function = rng.integers(0, 3, n).astype(np.int64)
    duration = rng.integers(0, 16, n).astype(np.float64) / 8
    want = _reference_result(time, function, duration)
    t, f, d = convert(time), convert(function), convert(duration)
    w = lc.Workload(t, f, d)
    for col, dtype in [(w.time, np.float64), (w.function, np.int64), (w.duration, np.float64)]:
        assert col.dtype == dtype and col.flags.c_contiguous and col.ndim == 1
    got = make_sim(3).run(w).requests
    for name, col in want.items():
        np.testing.assert_array_equal(got[name], col, err_msg=name)


def test_float32_time_is_converted_not_reinterpreted() -> None:
    t32 = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    w = lc.Workload(t32, 0, 0.0)
    assert not np.shares_memory(w.time, t32)
    np.testing.assert_array_equal(w.time, t32.astype(np.float64))
    r = make_sim().run(w)  # duration 0, init 0.5 s: end = start (+ 0.5 s when cold)
    end_us = np.round(r.requests["end"] * 1e6).astype(np.int64) - 500_000 * r.requests["cold_starts"].astype(np.int64)
    assert end_us.tolist() == [_core.to_micros(float(x)) for x in t32] == [100_000, 200_000, 300_000]


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------

REQUEST_DTYPES = {
    "outcome": np.uint8,
    "throttle_reason": np.uint8,
    "attempts": np.uint16,
    "throttles": np.uint16,
    "cold_starts": np.uint16,
    "end": np.float64,
    "first_start": np.float64,
    "last_start": np.float64,
}
# `enqueued` is the workload's own time column (zero copy) and `event_age` a read-only NaN view
# when the workload holds no asynchronous events: both are checked separately

FUNCTION_STATS = ("invocations", "errors", "timeouts", "throttles", "throttles_reserved", "throttles_unreserved",
                  "throttles_scaling", "cold_starts", "max_concurrency", "environments_created",
                  "async_events_received", "async_events_dropped",
                  "provisioned_invocations", "spillover_invocations")


def test_result_arrays_have_documented_dtypes_and_own_memory() -> None:
    c = canonical(50)
    c["function"][::2] = 1
    fail = np.zeros(50, np.int64)
    fail[3] = 1
    funcs = [lc.Function("a", reserved_concurrency=1), lc.Function("b", provisioned_concurrency=1)]
    sim = lc.Simulator(lc.Account(), funcs)
    w = lc.Workload(c["time"] / 100, c["function"], c["duration"], failures=fail)
    r = sim.run(w)
    inputs = [w.time, w.function, w.duration, w.failures, c["time"]]
    assert set(r.requests) == set(REQUEST_DTYPES) | {"enqueued", "event_age"}
    assert r.requests["enqueued"] is w.time
    assert np.isnan(r.requests["event_age"]).all() and not r.requests["event_age"].flags.writeable
    for name, dtype in REQUEST_DTYPES.items():
        col = r.requests[name]
        assert isinstance(col, np.ndarray) and col.dtype == dtype and col.shape == (50,), name
        assert col.flags.c_contiguous and col.flags.writeable
        assert not any(np.shares_memory(col, x) for x in inputs), name
    # the columns are distinct buffers: writing one leaves the others alone
    before = {k: r.requests[k].copy() for k in REQUEST_DTYPES}
    r.requests["attempts"][:] = 7
    for k, v in before.items():
        if k != "attempts":
            np.testing.assert_array_equal(r.requests[k], v)
    assert set(r.functions) == set(FUNCTION_STATS) | {"avg_environments"}
    for name in FUNCTION_STATS:
        assert r.functions[name].dtype == np.uint64 and r.functions[name].shape == (2,), name
    assert r.functions["avg_environments"].dtype == np.float64
    assert set(r.account) == {"max_concurrency", "max_unreserved_concurrency", "avg_environments"}
    assert isinstance(r.horizon, float)
    assert r.functions["throttles_reserved"][0] > 0  # reserved 1, requests overlap
    assert r.functions["provisioned_invocations"][1] > 0
    assert r.requests["outcome"][3] in (lc.Outcome.ERROR, lc.Outcome.THROTTLED)


def test_window_arrays_have_documented_dtypes() -> None:
    sim = make_sim()
    sim.submit(lc.Workload(np.arange(10.0), 0, 0.5))
    win = sim.advance(4.2)
    assert isinstance(win, lc.Window) and win.until == 4.2 and win.now == 4.2
    assert win.requests["request"].dtype == np.uint64
    for name, dtype in REQUEST_DTYPES.items():
        assert win.requests[name].dtype == dtype
    assert win.requests["request"].tolist() == [0, 1, 2, 3]
    quiet = sim.advance(requests=False)
    assert dict(quiet.requests) == {} and quiet.now == 9.5  # until=None: the clock stops at the last event
    assert sim.stats().functions["invocations"].tolist() == [10, 0]
    assert "Window(" in repr(win)


def test_function_lookup_account_settings_and_reprs() -> None:
    funcs = [lc.Function("orders", reserved_concurrency=200), lc.Function("thumbs", reserved_concurrency=100)]
    sim = lc.Simulator(lc.Account(), funcs + [lc.Function(f"other{i}") for i in range(8)])
    assert sim.account_settings() == {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 700}
    assert sim.index("thumbs") == 1
    with pytest.raises(KeyError):
        sim.index("nope")
    w = lc.Workload([0.0, 0.5, 1.0], [0, 1, 0], 0.25)
    r = sim.run(w)
    stats = r.function("orders")
    assert stats["invocations"] == 2 and isinstance(stats["invocations"], int)
    assert isinstance(stats["avg_environments"], float)
    assert set(stats) == set(r.functions)
    with pytest.raises(KeyError, match="no function named 'nope'"):
        r.function("nope")
    for obj in (sim, w, r, sim._engine, lc.Workload([], np.array([], np.int64), []), lc.Outcome.SUCCESS,
                lc.ThrottleReason.NONE, lc.Account(), funcs[0]):
        assert isinstance(repr(obj), str) and repr(obj)
    assert "Simulator(10 functions" in repr(sim)
    assert repr(w) == "Workload(3 requests, 0..1 s)"


# ---------------------------------------------------------------------------------------------
# the GIL
# ---------------------------------------------------------------------------------------------


def test_gil_is_released_during_a_run() -> None:
    n = 4_000_000
    rng = np.random.default_rng(3)
    time_col = np.cumsum(rng.exponential(1 / 2000, n))
    w = lc.Workload(time_col, 0, rng.exponential(0.05, n))
    sim = make_sim(1)
    window: dict[str, float] = {}
    counter = [0]
    stamps: list[float] = []
    done = threading.Event()

    def count() -> None:
        # progress of a pure-Python thread: a timestamp every 1000 increments
        while not done.is_set():
            counter[0] += 1
            if counter[0] % 1000 == 0:
                stamps.append(time.perf_counter())

    def simulate() -> None:
        window["count0"] = counter[0]
        window["t0"] = time.perf_counter()
        window["result"] = sim.run(w)  # type: ignore[assignment]
        window["t1"] = time.perf_counter()
        window["count1"] = counter[0]

    counter_thread = threading.Thread(target=count)
    counter_thread.start()
    try:
        while counter[0] < 10_000:  # the counter is running
            time.sleep(0.001)
        worker = threading.Thread(target=simulate)
        worker.start()
        worker.join(timeout=120)
        assert not worker.is_alive()
    finally:
        done.set()
        counter_thread.join()
    result = window["result"]
    assert result.functions["invocations"][0] + result.functions["throttles"][0] == n  # type: ignore[attr-defined]
    t0, t1 = window["t0"], window["t1"]
    elapsed = t1 - t0
    increments = window["count1"] - window["count0"]
    inside = np.array([s for s in stamps if t0 <= s <= t1])
    # If the GIL were held for the run, the counter would stall for (nearly) the whole run: one gap
    # about as long as the run, and few increments. Released, it keeps going.
    assert increments >= 20_000, f"counter advanced by {increments} during a {elapsed:.3f} s run"
    assert len(inside) >= 2
    gaps = np.diff(np.concatenate([[t0], inside, [t1]]))
    assert gaps.max() < max(0.5 * elapsed, 0.05), f"counter stalled {gaps.max():.3f} s of a {elapsed:.3f} s run"


def test_concurrent_use_of_one_simulator_is_refused_not_a_crash() -> None:
    n = 3_000_000
    w = lc.Workload(np.linspace(0, 1000, n), 0, 0.01)
    sim = make_sim(1)
    worker = threading.Thread(target=sim.run, args=(w,))
    worker.start()
    errors = []
    try:
        while worker.is_alive():
            try:
                _ = sim.now
            except RuntimeError as e:  # "Already mutably borrowed"
                errors.append(str(e))
                break
            time.sleep(0.0005)
    finally:
        worker.join()
    assert sim.now >= 1000.0 or errors  # either it finished first or we were refused cleanly
    assert all("borrowed" in e for e in errors)


# ---------------------------------------------------------------------------------------------
# fuzz: random input through the public API
# ---------------------------------------------------------------------------------------------

SPECIAL_FLOATS = [0.0, -0.0, 0.5, 1.0, 1e-7, 4.9e-7, 5e-7, 1e6, 9e9, 9.000001e9, 1e300, -1e300, -1.0, -1e-300,
                  float("inf"), float("-inf"), float("nan"), 5e-324]
SPECIAL_INTS = [0, 1, 2, -1, 255, 256, 2**31 - 1, 2**32, 2**53 + 1, 2**63 - 1, -(2**63)]

FUZZ_DTYPES = [np.float64, np.float32, np.float16, np.longdouble, np.int8, np.int16, np.int32, np.int64,
               np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.complex128, object, "U4", "datetime64[s]"]


PLAUSIBLE_DTYPES: dict[str, list[Any]] = {
    "real": [np.float64] * 6 + [np.float32, np.int64, np.int32, np.uint16],
    "int": [np.int64] * 6 + [np.int32, np.uint8, np.uint64, np.int16],
}


@st.composite
def fuzz_column(draw, n: int, kind: str, wild: bool):
    """A column of `n` rows of a random dtype. Tame columns (``wild`` false) have the right
    length and a numeric dtype, and mostly plausible values with a rare special one; wild ones
    may have any length, dtype, shape or layout."""
    if kind == "real":
        plain = st.floats(0, 50, allow_nan=False)
        specials = st.sampled_from(SPECIAL_FLOATS)
    else:
        plain = st.integers(0, 3)
        specials = st.sampled_from(SPECIAL_INTS)
    if wild:
        length = draw(st.one_of(st.just(n), st.integers(0, n + 2)))
        form = draw(st.sampled_from(["array"] * 6 + ["scalar", "list", "2d", "strided", "none"]))
        dtype = draw(st.sampled_from(PLAUSIBLE_DTYPES[kind] + FUZZ_DTYPES))
        element = st.one_of(plain, plain, specials, st.sampled_from(SPECIAL_FLOATS + SPECIAL_INTS))
    else:
        length = n
        form = draw(st.sampled_from(["array"] * 8 + ["scalar", "list", "strided"]))
        dtype = draw(st.sampled_from(PLAUSIBLE_DTYPES[kind]))
        element = plain
    values = draw(st.lists(element, min_size=length, max_size=length))
    if values and not wild and draw(st.integers(0, 3)) == 0:  # one special value, somewhere
        values[draw(st.integers(0, length - 1))] = draw(specials)
    if form == "none":
        return None
    if form == "scalar":
        return values[0] if values else draw(plain)
    if kind == "real" and (not wild or draw(st.booleans())):
        values = sorted(values, key=lambda v: (v != v, v))  # mostly valid times
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            arr = np.array(values, dtype=object).astype(dtype)
        except (ValueError, TypeError, OverflowError):
            arr = np.array(values, dtype=object)
    if form == "list":
        return arr.tolist()
    if form == "2d":
        return arr.reshape(1, -1) if draw(st.booleans()) else arr.reshape(-1, 1)
    if form == "strided":
        return np.repeat(arr, 2)[::2]
    return arr


@st.composite
def fuzz_case(draw):
    n = draw(st.integers(0, 40))
    wild = draw(st.sampled_from([False, False, True]))
    column = lambda kind: fuzz_column(n, kind, wild and draw(st.booleans()))  # noqa: E731
    return {
        "time": draw(column("real")),
        "function": draw(column("int")),
        "duration": draw(column("real")),
        "invocation_type": draw(st.one_of(st.none(), st.none(), st.none(), column("int"))),
        "failures": draw(st.one_of(st.none(), column("int"))),
        "n_functions": draw(st.sampled_from([0, 1, 4, 4, 4])),
        "until": draw(st.one_of(st.none(), st.none(), st.floats(0, 100), st.sampled_from(SPECIAL_FLOATS))),
        "timeout_s": draw(st.sampled_from([1, 3, 900])),
        "idle_timeout_s": draw(st.sampled_from([0, 0.5, 600])),
        "reserved": draw(st.sampled_from([None, 0, 1, 2])),
    }


def _check_result(w: lc.Workload, r: lc.Result, submitted: int | None = None) -> None:
    """`submitted`: rows submitted to the simulator so far (its statistics count them all)."""
    out = r.requests
    assert len(out["outcome"]) == len(w)
    assert set(np.unique(out["outcome"]).tolist()) <= {0, 1, 2, 3, 4}
    pending = out["outcome"] == lc.Outcome.PENDING
    assert np.array_equal(np.isnan(out["end"]), pending)
    done = ~pending
    assert np.all(out["end"][done] >= np.array([_core.to_micros(t) / 1e6 for t in w.time[done]]))
    # started executions are invocations even when still PENDING at `until`
    counted = int(r.functions["invocations"].sum() + r.functions["throttles"].sum())
    assert done.sum() <= counted <= (len(w) if submitted is None else submitted)


@settings(max_examples=examples(250), deadline=None, suppress_health_check=list(HealthCheck))
@given(fuzz_case())
def test_fuzz_workload_and_run_never_crash(case) -> None:
    funcs = [lc.Function(f"f{i}", timeout_s=case["timeout_s"], idle_timeout_s=case["idle_timeout_s"],
                         reserved_concurrency=case["reserved"] if i == 0 else None)
             for i in range(case["n_functions"])]
    sim = lc.Simulator(lc.Account(), funcs)
    try:
        w = lc.Workload(case["time"], case["function"], case["duration"], case["invocation_type"], case["failures"])
        r = sim.run(w, until=case["until"])
    except lc.WorkloadError as e:
        assert e.column in COLUMNS, e
        assert e.row is None or 0 <= e.row <= 42, e  # n + 2 at most
        assert f"'{e.column}'" in str(e)
    except (ValueError, TypeError) as e:
        assert str(e)
    else:
        _check_result(w, r)
        # and a second submission after it is checked against where the first one ended
        try:
            r2 = sim.run(lc.Workload(w.time, w.function, w.duration), until=None)
        except lc.WorkloadError as e:
            assert e.column == "time" and e.row == 0
        else:
            _check_result(w, r2, submitted=2 * len(w))


# ---------------------------------------------------------------------------------------------
# fuzz: the private engine called directly
# ---------------------------------------------------------------------------------------------

ENGINE_DTYPES = {"time": np.float64, "function": np.int64, "duration": np.float64,
                 "invocation_type": np.uint8, "failures": np.int64}


def make_engine(n_functions: int = 2) -> _core.Engine:
    return _core.Engine(1000, 1000, "current", 1000, 10_000, "newest", [(None, 0, 3.0, 0.5, 600.0, 0.0, 2, 21600.0, None, None, None)] * n_functions)


@st.composite
def engine_column(draw, name: str, n: int, tame: bool):
    """A column for ``Engine.submit``: tame ones have the exact dtype, length and layout it wants
    (random values); the others may have any of them wrong."""
    if tame:
        length, dtype = n, ENGINE_DTYPES[name]
        layout = draw(st.sampled_from(["c", "c", "readonly"]))
    else:
        length = draw(st.one_of(st.just(n), st.integers(0, n + 2)))
        dtype = draw(st.sampled_from([ENGINE_DTYPES[name], np.float32, np.int32, np.uint64, np.int64, np.float64,
                                      np.bool_, object]))
        layout = draw(st.sampled_from(["c", "strided", "reversed", "2d", "list", "big-endian", "readonly"]))
    arr = draw(hnp.arrays(dtype if dtype is not object else np.float64, length,
                          elements=None if dtype is object else hnp.from_dtype(np.dtype(dtype)))) \
        if dtype is not object else np.array(draw(st.lists(st.floats(), min_size=length, max_size=length)), object)
    if name == "time" and arr.dtype == np.float64 and draw(st.booleans()):
        arr = np.sort(np.abs(arr))
    if layout == "strided":
        arr = np.repeat(arr, 2)[::2]
    elif layout == "reversed":
        arr = arr[::-1]
    elif layout == "2d":
        arr = arr.reshape(-1, 1)
    elif layout == "list":
        return arr.tolist()
    elif layout == "big-endian" and arr.dtype.kind in "iuf":
        arr = arr.astype(arr.dtype.newbyteorder(">"))
    elif layout == "readonly":
        arr = arr.copy()
        arr.setflags(write=False)
    return arr


@settings(max_examples=examples(200), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_fuzz_private_engine_never_crashes(data) -> None:
    n = data.draw(st.integers(0, 8))
    engine = make_engine(data.draw(st.integers(0, 3)))
    tame = data.draw(st.sampled_from([True, True, False]))
    column = lambda name: engine_column(name, n, tame or data.draw(st.booleans()))  # noqa: E731
    args = [data.draw(column(name)) for name in ("time", "function", "duration")]
    optional = {name: data.draw(st.one_of(st.none(), st.none(), column(name))) for name in ("invocation_type", "failures")}
    until = data.draw(st.one_of(st.none(), st.sampled_from(SPECIAL_FLOATS), st.floats(0, 1e4)))
    try:
        first = engine.submit(*args, **optional)
        assert first == 0
        out = engine.advance_rows(until, 0, len(args[0]))
        assert len(out["outcome"]) == len(args[0])
        engine.report(until)
    except (TypeError, ValueError) as e:
        assert str(e)


@pytest.mark.parametrize("bad", [
    pytest.param(lambda t, f, d: (t.astype(np.float32), f, d), id="float32-time"),
    pytest.param(lambda t, f, d: (t, f.astype(np.int32), d), id="int32-function"),
    pytest.param(lambda t, f, d: (t, f, d.astype(np.int64)), id="int64-duration"),
    pytest.param(lambda t, f, d: (np.repeat(t, 2)[::2], f, d), id="strided-time"),
    pytest.param(lambda t, f, d: (t, f[::-1], d), id="reversed-function"),
    pytest.param(lambda t, f, d: (t.reshape(-1, 1), f, d), id="2d-time"),
    pytest.param(lambda t, f, d: (t.tolist(), f, d), id="list-time"),
    pytest.param(lambda t, f, d: (t, f, None), id="none-duration"),
    pytest.param(lambda t, f, d: (t.astype(">f8"), f, d), id="big-endian-time"),
])
def test_private_engine_refuses_wrong_arrays_with_type_error(bad) -> None:
    t, f, d = np.arange(4.0), np.zeros(4, np.int64), np.full(4, 0.1)
    engine = make_engine()
    with pytest.raises(TypeError):
        engine.submit(*bad(t, f, d))
    assert engine.submit(t, f, d) == 0  # still usable
    assert engine.advance_rows(None, 0, 4)["outcome"].tolist() == [1, 1, 1, 1]


def test_private_engine_refuses_mismatched_lengths_and_bad_optional_columns() -> None:
    t, f, d = np.arange(4.0), np.zeros(4, np.int64), np.full(4, 0.1)
    engine = make_engine()
    with pytest.raises(lc.WorkloadError) as excinfo:
        engine.submit(t, f[:3], d)
    check_workload_error(excinfo, "function", 3)
    with pytest.raises(lc.WorkloadError) as excinfo:
        engine.submit(t, f, d, None, np.zeros(6, np.int64))
    check_workload_error(excinfo, "failures", 4)
    with pytest.raises(TypeError):
        engine.submit(t, f, d, np.zeros(4, np.int64))  # invocation_type must be uint8
    with pytest.raises(TypeError):
        engine.submit(t, f, d, None, np.zeros(4, np.uint64))  # failures must be int64
    with pytest.raises((TypeError, ValueError)):
        _core.Engine(1000, 1000, "current", 1000, 10_000, "newest", [(None, 0, 3.0)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="unknown routing"):
        _core.Engine(1000, 1000, "current", 1000, 10_000, "random", [])
    with pytest.raises(ValueError, match="timeout_s: value is NaN"):
        _core.Engine(1000, 1000, None, 1000, 10_000, "newest", [(None, 0, float("nan"), 0.5, 600.0, 0.0, 2, 21600.0, None, None, None)])
    assert engine.pending_rows == 0 and engine.running == 0 and engine.now == 0.0


# ---------------------------------------------------------------------------------------------
# bugs found by these tests and fixed (kept as regression tests)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2**62, 2**63])
def test_advance_rows_with_a_huge_n_raises_instead_of_aborting(n) -> None:
    # 2**62: "memory allocation of ... bytes failed", abort (SIGABRT) whatever the overcommit mode;
    # 2**63: "capacity overflow", a pyo3 PanicException (a BaseException, not a ValueError)
    code = ("from lambda_core import _core\n"
            "e = _core.Engine(1000, 1000, None, 1000, 10000, 'newest', [])\n"
            f"try:\n    e.advance_rows(None, 0, {n})\nexcept (ValueError, MemoryError, OverflowError):\n    pass\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-300:]


def test_a_column_modified_after_submit_is_caught_when_read() -> None:
    sim = make_sim(1)
    t, f = np.arange(4.0), np.zeros(4, np.int64)
    sim.submit(lc.Workload(t, f, np.full(4, 0.1)))
    f[2] = 7  # the documented "do not modify", but it is one assignment away
    with pytest.raises(lc.WorkloadError):
        sim.advance()


def test_a_ragged_column_message_names_the_column() -> None:
    with pytest.raises(ValueError, match="'time'"):
        lc.Workload([[0.0], [1.0, 2.0]], 0, 0.1)


def test_empty_lists_make_an_empty_workload() -> None:
    assert len(lc.Workload([], [], [])) == 0


def test_len_of_a_window_without_requests() -> None:
    sim = make_sim(1)
    sim.submit(lc.Workload([0.0, 1.0], 0, 0.1))
    assert len(sim.advance(requests=False)) == 0


@pytest.mark.parametrize("column", ["time", "duration"])
def test_timedelta_columns_are_refused(column) -> None:
    values = np.array([1000, 2000], dtype="timedelta64[ms]")
    with pytest.raises(TypeError, match=column):
        lc.Workload(**{**canonical(2), column: values})


# -- event sources: records and mappings -------------------------------------------------------

ENGINE_DTYPES.update({"key": np.int64})


def make_source_engine(kind: str) -> _core.Engine:
    fn = (None, 0, 3.0, 0.5, 600.0, 0.0, 2, 21600.0, None, None, None)
    if kind == "sqs":
        return _core.Engine(1000, 1000, "current", 1000, 10_000, "newest", [fn], 0, None, 0,
                            [("sqs", 0, 60.0, True, 5.0, 2)], [], [(0, 0, 3, 0.0, None, False, 0.5, 0.01)])
    return _core.Engine(1000, 1000, "current", 1000, 10_000, "newest", [fn], 1, None, 0,
                        [(kind, 3, 60.0, False, 0.0, None)],
                        [(0, 0, 2, 0.5, 2, 1, -1.0, True, 0, 0.5, 0.01)])


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_records_never_crash_the_engine(data) -> None:
    """Any record columns (values, dtypes, lengths, layouts) and any `until`: a typed error or
    a result, never a crash; without `until` every record of a mapped source is resolved."""
    n = data.draw(st.integers(0, 8))
    engine = make_source_engine(data.draw(st.sampled_from(["kinesis", "dynamodb", "sqs"])))
    tame = data.draw(st.sampled_from([True, True, False]))
    column = lambda name: engine_column(name, n, tame or data.draw(st.booleans()))  # noqa: E731
    time, key = data.draw(column("time")), data.draw(column("key"))
    failures = data.draw(st.one_of(st.none(), column("failures")))
    until = data.draw(st.one_of(st.none(), st.sampled_from(SPECIAL_FLOATS), st.floats(0, 1e4)))
    try:
        first = engine.submit_records(0, time, key, failures)
        assert first == 0
        out = engine.advance_rows(until, 0, 0, False, [(0, len(time))])
        table = out["records"][0]
        assert len(table["outcome"]) == len(time)
        if until is None:
            assert 0 not in table["outcome"].tolist()  # nothing left pending
        engine.mapping_report()
    except (TypeError, ValueError) as e:
        assert str(e)


def test_record_columns_modified_after_submit_are_caught() -> None:
    engine = make_source_engine("kinesis")
    time = np.array([0.0, 1.0, 2.0])
    engine.submit_records(0, time, np.arange(3, dtype=np.int64))
    time[1] = np.nan
    with pytest.raises(lc.WorkloadError) as excinfo:
        engine.advance(None, False)
    assert excinfo.value.column == "time" and excinfo.value.row == 1


def test_records_for_an_unknown_source_are_refused() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("f")],
                       mappings=[lc.EventSourceMapping(lc.KinesisStream("s"), "f")])
    with pytest.raises(lc.ResourceNotFoundException, match="no event-source mapping reads 'other'"):
        sim.run(records=lc.Records("other", [0.0]))
    with pytest.raises(lc.ResourceNotFoundException, match="Function not found: g"):
        lc.Simulator(lc.Account(), [lc.Function("f")], mappings=[lc.EventSourceMapping(lc.KinesisStream("s"), "g")])

"""The Python/Rust boundary: canonical columns are read in place and others converted, result
arrays have their documented dtypes and share no memory with the inputs, the GIL is released
while the engine runs, and one simulator refuses concurrent use. Bugs these tests found (and
that were fixed) are kept as regression tests at the end."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _core
from tests.api.boundary_cases import canonical, make_sim, make_source_engine


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
    "environment": np.int64,
}
# `enqueued` is the workload's own time column (zero copy) and `event_age` a read-only NaN view
# when the workload holds no asynchronous events: both are checked separately

FUNCTION_STATS = ("invocations", "errors", "timeouts", "throttles", "throttles_reserved", "throttles_unreserved",
                  "throttles_scaling", "cold_starts", "max_concurrency", "environments_created",
                  "async_events_received", "async_events_dropped",
                  "provisioned_invocations", "spillover_invocations", "billed_duration_ms",
                  "provisioned_billed_duration_ms", "provisioned_cold_starts", "init_duration_us",
                  "provisioned_init_duration_us", "throttles_rate", "throttles_reserved_rate",
                  "conflicts_pending", "conflicts_inactive", "eni_failures", "payloads_too_large")


def test_result_arrays_have_documented_dtypes_and_own_memory() -> None:
    c = canonical(50)
    c["function"][::2] = 1
    fail = np.zeros(50, np.int64)
    fail[1] = 1  # the first request of "a": it runs, and fails
    funcs = [lc.Function("a", reserved_concurrency=1), lc.Function("b", provisioned_concurrency=1)]
    sim = lc.Simulator(lc.Account(), funcs)
    w = lc.Workload(c["time"] / 100, c["function"], c["duration"], failures=fail)
    r = sim.run(w)
    inputs = [w.time, w.function, w.duration, w.failures, c["time"]]
    assert set(r.requests) == set(REQUEST_DTYPES) | {"enqueued", "event_age"}
    # the arrivals on the engine's microsecond grid, in an array of the result's own
    np.testing.assert_array_equal(r.requests["enqueued"], np.round(w.time * 1e6) / 1e6)
    assert not np.shares_memory(r.requests["enqueued"], w.time)
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
    assert r.requests["outcome"][1] == lc.Outcome.ERROR
    # "a" reserves 1 and row 1 still runs at 0.03 s: row 3 is refused by the reservation
    assert r.requests["outcome"][3] == lc.Outcome.THROTTLED
    assert r.requests["throttle_reason"][3] == lc.ThrottleReason.RESERVED_FUNCTION_CONCURRENT_INVOCATION_LIMIT_EXCEEDED


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
    """While a run holds the engine (the GIL released), another thread's use of the same
    simulator raises RuntimeError ("Already mutably borrowed"); the run itself completes."""
    n = 3_000_000
    w = lc.Workload(np.linspace(0, 1000, n), 0, 0.01)
    refusals: list[str] = []
    for _ in range(5):  # the run lasts ~0.1 s: retry in the rare case no poll landed inside it
        sim = make_sim(1)
        results: list[lc.Result] = []
        worker = threading.Thread(target=lambda: results.append(sim.run(w)))
        worker.start()
        try:
            while worker.is_alive() and not refusals:
                try:
                    _ = sim.now
                except RuntimeError as e:
                    refusals.append(str(e))
        finally:
            worker.join()
        (result,) = results
        assert sim.now == result.requests["end"].max() == 1000.01  # usable again; the run went to its end
        outcome = result.requests["outcome"]
        assert len(outcome) == n and not np.any(outcome == lc.Outcome.PENDING)
        if refusals:
            break
    assert refusals, "no use of the simulator was refused during 5 runs in another thread"
    assert all("borrowed" in e for e in refusals), refusals


# ---------------------------------------------------------------------------------------------
# bugs found by these tests and fixed (kept as regression tests)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2**62, 2**63])
def test_advance_rows_with_a_huge_n_raises_instead_of_aborting(n) -> None:
    # 2**62: "memory allocation of ... bytes failed", abort (SIGABRT) whatever the overcommit mode;
    # 2**63: "capacity overflow", a pyo3 PanicException (a BaseException, not a ValueError)
    code = ("from lambda_core import _core\n"
            "from lambda_core._engine_config import AccountConfig, EngineConfig\n"
            "e = _core.Engine(EngineConfig(AccountConfig(1000, 1000, None), []))\n"
            f"try:\n    e.advance_rows(None, 0, {n})\nexcept (ValueError, MemoryError, OverflowError):\n    pass\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-300:]


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


def test_records_for_an_unknown_source_are_refused() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("f")],
                       mappings=[lc.EventSourceMapping(lc.KinesisStream("s"), "f")])
    with pytest.raises(lc.ResourceNotFoundException, match="no event-source mapping reads 'other'"):
        sim.run(records=lc.Records("other", [0.0]))
    with pytest.raises(lc.ResourceNotFoundException, match="Function not found: g"):
        lc.Simulator(lc.Account(), [lc.Function("f")], mappings=[lc.EventSourceMapping(lc.KinesisStream("s"), "g")])


def test_rounded_seconds_rounds_as_the_engine_does() -> None:
    """§1: the nearest microsecond, ties away from zero (`to_micros`), for the reported arrivals
    too, so that `enqueued` and a start at the same instant are equal."""
    t = np.array([0.0, 2.5e-6, 0.5e-6, 1.4999e-6, 0.3000004, 123456.0000005, 9e9])
    want = np.array([lc._core.to_micros(float(x)) / 1e6 for x in t])
    got = lc._core.rounded_seconds(t)
    np.testing.assert_array_equal(got, want)
    assert got[1] == 3e-6 and got[2] == 1e-6  # ties go up, not to even

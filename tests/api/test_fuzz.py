"""Random input (hypothesis) through the public API, through the private ``lambda_core._core.Engine``
and through its record columns: a typed error or a result that obeys the model, never a crash."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lambda_core as lc
from lambda_core import _core
from lambda_core._engine_config import EngineConfig
from tests.support.profiles import examples
from tests.api.boundary_cases import (
    ACCOUNT,
    COLUMNS,
    ENGINE_DTYPES,
    FUNCTION,
    check_workload_error,
    make_engine,
    make_source_engine,
)


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
        # invocation types: mostly valid ones (0 and 1), so that asynchronous events run
        plain = st.integers(0, 1) if kind == "type" else st.integers(0, 3)
        specials = st.sampled_from(SPECIAL_INTS)
    if wild:
        length = draw(st.one_of(st.just(n), st.integers(0, n + 2)))
        form = draw(st.sampled_from(["array"] * 6 + ["scalar", "list", "2d", "strided", "none"]))
        dtype = draw(st.sampled_from(PLAUSIBLE_DTYPES[kind if kind == "real" else "int"] + FUZZ_DTYPES))
        element = st.one_of(plain, plain, specials, st.sampled_from(SPECIAL_FLOATS + SPECIAL_INTS))
    else:
        length = n
        form = draw(st.sampled_from(["array"] * 8 + ["scalar", "list", "strided"]))
        dtype = draw(st.sampled_from(PLAUSIBLE_DTYPES[kind if kind == "real" else "int"]))
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
        "invocation_type": draw(st.one_of(st.none(), column("type"))),
        "failures": draw(st.one_of(st.none(), column("int"))),
        "n_functions": draw(st.sampled_from([0, 1, 4, 4, 4])),
        "until": draw(st.one_of(st.none(), st.none(), st.floats(0, 100), st.sampled_from(SPECIAL_FLOATS))),
        "timeout_s": draw(st.sampled_from([1, 3, 900])),
        "idle_timeout_s": draw(st.sampled_from([0, 0.5, 600])),
        "reserved": draw(st.sampled_from([None, 0, 1, 2])),
        # 60 s: a failed event is dropped at once as EventAgeExceeded (its retry would be late)
        "max_event_age_s": draw(st.sampled_from([60, 90, 21600])),
    }


SYNC_OUTCOMES = {lc.Outcome.PENDING, lc.Outcome.SUCCESS, lc.Outcome.ERROR, lc.Outcome.TIMEOUT, lc.Outcome.THROTTLED}
# an event is retried until it succeeds or is dropped (docs/model.md §6): never ERROR, TIMEOUT or THROTTLED
EVENT_OUTCOMES = {lc.Outcome.PENDING, lc.Outcome.SUCCESS, lc.Outcome.RETRIES_EXHAUSTED,
                  lc.Outcome.EVENT_AGE_EXCEEDED, lc.Outcome.ZERO_RESERVED_CONCURRENCY}


def _check_result(w: lc.Workload, r: lc.Result, functions: list[lc.Function]) -> None:
    """The rows of `r` obey docs/model.md §4–6 for the workload `w` (no client retries): one outcome
    per row, of the row's invocation type, and the attempts that outcome allows."""
    out = r.requests
    n = len(w)
    outcome, attempts, throttles = out["outcome"], out["attempts"], out["throttles"]
    assert len(outcome) == len(attempts) == len(throttles) == n
    kinds = np.zeros(n, np.uint8) if w.invocation_type is None else w.invocation_type
    event = kinds == lc.InvocationType.EVENT
    assert set(outcome[~event].tolist()) <= SYNC_OUTCOMES
    assert set(outcome[event].tolist()) <= EVENT_OUTCOMES
    pending = outcome == lc.Outcome.PENDING
    assert np.array_equal(np.isnan(out["end"]), pending)
    done = ~pending
    assert np.all(out["end"][done] >= np.array([_core.to_micros(t) / 1e6 for t in w.time[done]]))
    # §5: one attempt; a throttled one never reached the function, and is the request's end
    throttled = outcome == lc.Outcome.THROTTLED
    assert np.all(attempts[~event] <= 1) and np.all(throttles[~event] <= 1)
    assert np.all(attempts[throttled] == 0) and np.all(throttles[throttled] == 1)
    ran = np.isin(outcome, [lc.Outcome.SUCCESS, lc.Outcome.ERROR, lc.Outcome.TIMEOUT])
    assert np.all(attempts[ran & ~event] == 1)
    # §6: the first attempt and at most max_retry_attempts retries after errors or timeouts;
    # throttles are retried without limit and do not use up retries
    retries = np.array([f.max_retry_attempts for f in functions], dtype=np.int64)[w.function]
    assert np.all(attempts[event] <= 1 + retries[event])
    exhausted = outcome == lc.Outcome.RETRIES_EXHAUSTED
    assert np.all(attempts[exhausted] == 1 + retries[exhausted])
    assert np.all(attempts[event & (outcome == lc.Outcome.SUCCESS)] >= 1)
    zero = outcome == lc.Outcome.ZERO_RESERVED_CONCURRENCY
    reserved = np.array([f.reserved_concurrency == 0 for f in functions], dtype=bool)[w.function]
    assert np.array_equal(zero, event & reserved & done)  # dropped on arrival, never throttled
    assert np.all(attempts[zero] == 0) and np.all(throttles[zero] == 0)
    # every attempt that reached the function is an invocation and every refused one a
    # throttle; a row still PENDING at `until` reports none yet, though its started attempts
    # count (at most its allowed attempts; an event's throttles have no bound)
    invocations, refused = int(r.functions["invocations"].sum()), int(r.functions["throttles"].sum())
    allowed = np.where(event, 1 + retries, 1)
    assert int(attempts[done].sum()) <= invocations <= int(attempts[done].sum() + allowed[pending].sum())
    assert int(throttles[done].sum()) <= refused
    if not np.any(pending & event):
        assert refused == int(throttles[done].sum())


@settings(max_examples=examples(250), deadline=None, suppress_health_check=list(HealthCheck))
@given(fuzz_case())
def test_fuzz_workload_and_run_never_crash(case) -> None:
    funcs = [lc.Function(f"f{i}", timeout_s=case["timeout_s"], idle_timeout_s=case["idle_timeout_s"],
                         reserved_concurrency=case["reserved"] if i == 0 else None,
                         max_event_age_s=case["max_event_age_s"])
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
        _check_result(w, r, funcs)
        # and a second submission after it is checked against where the first one ended
        try:
            w2 = lc.Workload(w.time, w.function, w.duration)
            r2 = sim.run(w2, until=None)
        except lc.WorkloadError as e:
            assert e.column == "time" and e.row == 0
        else:
            out2 = r2.requests
            assert len(out2["outcome"]) == len(w2)
            assert set(out2["outcome"].tolist()) <= SYNC_OUTCOMES - {lc.Outcome.PENDING}  # until=None
            # the counters count both submissions, and requests of the first still pending at
            # its `until` go on to make their attempts
            counted = int(r2.functions["invocations"].sum() + r2.functions["throttles"].sum())
            first = int(r.requests["attempts"].sum() + r.requests["throttles"].sum())
            assert counted >= first + len(w2)


# ---------------------------------------------------------------------------------------------
# fuzz: the private engine called directly
# ---------------------------------------------------------------------------------------------


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
        _core.Engine(EngineConfig(ACCOUNT, [(None, 0, 3.0)]))  # type: ignore[list-item]
    with pytest.raises(ValueError, match="unknown routing"):
        _core.Engine(EngineConfig(ACCOUNT, [], routing="random"))
    with pytest.raises(ValueError, match="timeout_s: value is NaN"):
        _core.Engine(EngineConfig(ACCOUNT, [dataclasses.replace(FUNCTION, timeout_s=float("nan"))]))
    assert engine.pending_rows == 0 and engine.running == 0 and engine.now == 0.0


# -- event sources: records and mappings -------------------------------------------------------


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

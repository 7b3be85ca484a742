"""Every bad workload raises ``ValueError`` (:class:`lambda_core.WorkloadError`, with ``.column`` and
``.row``) or ``TypeError``, naming the column and the first bad row; bad ``until`` values and
submissions that go back in time are refused and leave the simulator usable."""

from __future__ import annotations

import numpy as np
import pytest

import lambda_core as lc
from tests.api.boundary_cases import COLUMNS, canonical, check_workload_error, make_sim, run


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
        with pytest.raises(exc, match=match) as excinfo:
            call(sim)
        assert isinstance(excinfo.value, (ValueError, TypeError))  # what the docs promise
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


@pytest.mark.parametrize("until, exc", [
    (float("nan"), lc.UsageError),
    (-1.0, lc.UsageError),
    (float("inf"), lc.EngineLimitError),
    (1e300, lc.EngineLimitError),
])
def test_bad_until_has_the_class_of_its_cause(until, exc) -> None:
    """NaN or a negative time is a misuse of the API; a time past 9e9 s is past lambda_core's
    own `seconds` limit. Each is refused before the engine runs."""
    for call in (lambda s: s.advance(until), lambda s: s.run(None, until), lambda s: s.stats(until)):
        with pytest.raises(exc):
            call(make_sim())


def test_concatenating_no_workloads_makes_an_empty_one() -> None:
    """Was numpy's bare ValueError ("need at least one array to concatenate")."""
    empty = lc.Workload.concat([])
    assert len(empty) == 0 and empty.time.dtype == np.float64
    with pytest.raises(TypeError, match="Workload.concat takes Workload objects, got list"):
        lc.Workload.concat([[0.0]])  # type: ignore[list-item]


@pytest.mark.parametrize(("kwargs", "column", "text"), [
    ({"time": [[0.0], [1.0, 2.0]]}, "time", "Records.time is not a one-dimensional array"),
    ({"time": np.zeros((2, 2))}, "time", "Records.time must be one-dimensional, got shape (2, 2)"),
    ({"time": [0.0, 1.0], "key": [1]}, "key", "Records.key has 1 rows but 'time' has 2"),
    ({"time": [0.0, 1.0], "failures": [0, 0, 0]}, "failures", "Records.failures has 3 rows but 'time' has 2"),
])
def test_a_record_column_of_the_wrong_shape_is_a_workload_error(kwargs: dict, column: str, text: str) -> None:
    """Were bare ValueErrors (or a TypeError for a ragged list)."""
    with pytest.raises(lc.WorkloadError) as info:
        lc.Records("s", **kwargs)
    assert str(info.value).startswith(text) and info.value.column == column

"""The invariants the fuzzing harness checks on every run that did not end in a typed error,
and the comparison of two runs bit for bit.

`check_run` holds for one `Simulator.run` on a fresh simulator (so the whole-run counters and
the call's per-row tables cover the same work):

- one outcome per request and per record: every workload row and every record of every source
  appears once, in input order, with a known code; ``PENDING`` only when `until` cut the run;
- the counters are the sums of the rows: invocations and throttles of the functions are the
  rows' attempts and throttles plus the mappings' (exactly when nothing is pending), the
  asynchronous events received and dropped are the rows', the mappings' record counts are
  their records' outcomes, the destinations' records are the rows and records sent there;
- times are ordered: an attempt starts at or after its arrival (in the engine's microseconds),
  ends at or after it starts, no age is negative, NaN only where no value is due.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import lambda_core as lc
from lambda_core import _core

from .strategies import Case

O = lc.Outcome
R = lc.RecordOutcome
DROPPED = [O.RETRIES_EXHAUSTED, O.EVENT_AGE_EXCEEDED, O.ZERO_RESERVED_CONCURRENCY]
RECORD_FAILED = [R.RETRY_ATTEMPTS_EXHAUSTED, R.RECORD_AGE_EXCEEDED, R.DEAD_LETTERED]


def micros(seconds: np.ndarray) -> np.ndarray:
    """`seconds` as the engine holds them: rounded to the microsecond, in seconds."""
    return np.array([_core.to_micros(float(t)) / 1e6 for t in seconds], dtype=np.float64)


def _ordered(later: np.ndarray, earlier: np.ndarray, what: str) -> None:
    both = ~np.isnan(later) & ~np.isnan(earlier)
    bad = np.flatnonzero(both & (later < earlier))
    assert not len(bad), f"{what}: rows {bad.tolist()[:5]}: {later[bad][:5].tolist()} < {earlier[bad][:5].tolist()}"


def check_run(case: Case, result: lc.Result) -> None:
    n = len(case.columns["time"])
    until = case.until
    req = result.requests
    for key, col in req.items():
        assert len(col) == n, (key, len(col), n)
    outcome = np.asarray(req["outcome"])
    assert set(outcome.tolist()) <= {int(o) for o in O}, outcome
    pending = outcome == O.PENDING
    if until is None:
        assert not pending.any(), "PENDING rows in a run without until"
    kinds = case.columns["invocation_type"]
    event = kinds == lc.InvocationType.EVENT
    arrival = micros(case.columns["time"])
    # the arrivals as the engine holds them, on the grid of its starts and ends
    np.testing.assert_array_equal(req["enqueued"], micros(case.columns["time"]))
    if until is not None:
        assert not (~pending & (arrival > until)).any(), "a row resolved before it arrived"
    # times
    end, first, last = (np.asarray(req[k], np.float64) for k in ("end", "first_start", "last_start"))
    assert np.array_equal(np.isnan(end), pending), "end is NaN exactly for PENDING rows"
    _ordered(first, arrival, "first_start >= enqueued (µs)")
    _ordered(last, first, "last_start >= first_start")
    _ordered(end, last, "end >= last_start")
    _ordered(end, arrival, "end >= enqueued (µs)")
    attempts = np.asarray(req["attempts"]).astype(np.int64)
    ran = attempts > 0
    assert np.array_equal(~np.isnan(first), ran), "first_start is set exactly for rows with an attempt"
    age = np.asarray(req["event_age"], np.float64)
    assert np.all(np.isnan(age[~event])), "event_age for a synchronous row"
    assert not np.any(age[~np.isnan(age)] < 0), "negative event_age"
    if until is not None:
        assert np.all(end[~pending] <= until + 1e-9), "a row resolved after until"
    assert result.horizon >= 0 and not np.isnan(result.horizon)
    if n and not pending.all():
        assert np.nanmax(end) <= result.horizon + 1e-9
    # the functions' counters are the rows' plus the mappings'
    fn = result.functions
    nf = len(case.functions)
    for key, col in fn.items():
        assert len(col) == nf, key
        assert not np.any(np.isnan(col.astype(np.float64))), key
        assert np.all(col >= 0), key
    which = case.columns["function"]
    by_fn = lambda values: np.bincount(which, weights=values, minlength=nf).astype(np.int64)  # noqa: E731
    throttles = np.asarray(req["throttles"]).astype(np.int64)
    done = ~pending
    row_inv, row_thr = by_fn(np.where(done, attempts, 0)), by_fn(np.where(done, throttles, 0))
    map_inv = np.zeros(nf, np.int64)
    map_thr = np.zeros(nf, np.int64)
    index = {f.name: i for i, f in enumerate(case.functions)}
    for m in case.mappings:
        c = result.mappings[m.source.name]
        map_inv[index[m.function]] += c["invocations"]
        map_thr[index[m.function]] += c["throttles"]
    inv, thr = fn["invocations"].astype(np.int64), fn["throttles"].astype(np.int64)
    if not pending.any():
        np.testing.assert_array_equal(inv, row_inv + map_inv, err_msg="invocations = rows' attempts + mappings'")
        np.testing.assert_array_equal(thr, row_thr + map_thr, err_msg="throttles = rows' throttles + mappings'")
    else:
        assert np.all(inv >= row_inv + map_inv) and np.all(thr >= row_thr + map_thr)
    np.testing.assert_array_equal(
        thr, fn["throttles_reserved"].astype(np.int64) + fn["throttles_unreserved"] + fn["throttles_scaling"]
        + fn["throttles_rate"] + fn["throttles_reserved_rate"],
        err_msg="throttles = the sum of its reasons")
    assert np.all(fn["errors"] >= fn["timeouts"]) and np.all(fn["errors"] <= fn["invocations"])
    assert np.all(fn["cold_starts"] <= fn["invocations"])
    assert np.all(fn["cold_starts"] >= by_fn(np.where(done, np.asarray(req["cold_starts"]), 0)))
    provisioned = np.array([f.provisioned_concurrency is not None for f in case.functions])
    np.testing.assert_array_equal(
        (fn["provisioned_invocations"] + fn["spillover_invocations"])[provisioned], fn["invocations"][provisioned],
        err_msg="provisioned + spillover = invocations of a function with provisioned concurrency")
    assert not np.any(fn["provisioned_invocations"][~provisioned]) and not np.any(fn["spillover_invocations"][~provisioned])
    arrived = event if until is None else event & (arrival <= until)
    if "async_events_received" in fn:
        np.testing.assert_array_equal(fn["async_events_received"], by_fn(arrived), err_msg="AsyncEventsReceived")
        np.testing.assert_array_equal(fn["async_events_dropped"], by_fn(np.isin(outcome, DROPPED)),
                                      err_msg="AsyncEventsDropped")
    # the account
    acct = result.account
    assert fn["max_concurrency"].max(initial=0) <= acct["max_concurrency"] <= case.account.concurrency_limit
    assert acct["max_unreserved_concurrency"] <= acct["max_concurrency"]
    assert acct["avg_environments"] >= 0
    np.testing.assert_allclose(acct["avg_environments"], fn["avg_environments"].sum(), rtol=1e-9, atol=1e-12)
    _check_records(case, result)
    _check_destinations(case, result, outcome, pending)


def _check_records(case: Case, result: lc.Result) -> None:
    assert set(result.records) == set(case.records), (set(result.records), set(case.records))
    assert set(result.mappings) == {m.source.name for m in case.mappings}
    for m in case.mappings:
        name = m.source.name
        if name not in case.records:  # a run lists the sources it was given records for
            continue
        cols, table, counters = case.records[name], result.records[name], result.mappings[name]
        n = len(cols["time"])
        for key, col in table.items():
            assert len(col) == n, (name, key)
        outcome = np.asarray(table["outcome"])
        assert set(outcome.tolist()) <= {int(o) for o in R}, (name, outcome)
        pending = outcome == R.PENDING
        if case.until is None:
            assert not pending.any(), f"PENDING records of {name!r} in a run without until"
        np.testing.assert_array_equal(table["time"], micros(cols["time"]))
        arrival = micros(cols["time"])
        start, end = np.asarray(table["start"], np.float64), np.asarray(table["end"], np.float64)
        _ordered(start, arrival, f"{name}: start >= time (µs)")
        _ordered(end, start, f"{name}: end >= start")
        attempts = np.asarray(table["attempts"]).astype(np.int64)
        assert np.array_equal(~np.isnan(start), attempts > 0), f"{name}: start is set exactly for records invoked"
        assert not np.isnan(end[~pending & (attempts > 0)]).any(), f"{name}: a resolved record without end"
        if case.until is not None:
            assert not np.any(end > case.until + 1e-9), f"{name}: end after until"
        assert counters["records_processed"] == int(np.sum(outcome == R.PROCESSED)), (name, counters)
        assert counters["records_failed"] == int(np.isin(outcome, RECORD_FAILED).sum()), (name, counters)
        assert counters["records_expired"] == int(np.sum(outcome == R.EXPIRED)), (name, counters)
        assert counters["max_concurrency"] <= counters["invocations"]
        assert counters["retries"] <= counters["invocations"]
        if m.kind == "sqs":
            receives = np.asarray(table["receives"]).astype(np.int64)
            assert np.all(receives >= attempts), f"{name}: receives >= attempts"
            assert counters["on_failure_records"] == int(np.sum(outcome == R.DEAD_LETTERED))
            if m.source.max_receive_count is not None:
                assert np.all(receives <= m.source.max_receive_count), f"{name}: received past max_receive_count"
            if m.maximum_concurrency is not None:
                assert counters["max_concurrency"] <= m.maximum_concurrency
        else:
            lanes = m.source.shards * (m.parallelization_factor or 1)
            assert counters["max_concurrency"] <= lanes
            assert counters["max_iterator_age"] >= 0
            assert np.all(np.asarray(table["shard"]) < m.source.shards)
            # streams count the records sent to their on_failure destination, when they have one
            sent = int(np.isin(outcome, RECORD_FAILED[:2]).sum()) if m.on_failure is not None else 0
            assert counters["on_failure_records"] == sent, (name, counters, outcome)


def _check_destinations(case: Case, result: lc.Result, outcome: np.ndarray, pending: np.ndarray) -> None:
    """Each destination holds a record per event (and per stream record) sent there, once."""
    expected: dict[str, list[tuple[int, int]]] = {}
    function = case.columns["function"]
    kinds = case.columns["invocation_type"]
    for row in np.flatnonzero(kinds == lc.InvocationType.EVENT):
        f = case.functions[function[row]]
        code = outcome[row]
        targets = ([f.on_success] if code == O.SUCCESS else
                   [f.on_failure, f.dead_letter_queue] if code in DROPPED else [])
        for t in targets:
            if t is not None:
                expected.setdefault(t, []).append((-1, int(row)))
    for i, m in enumerate(case.mappings):
        if m.kind == "sqs" or m.on_failure is None or m.source.name not in result.records:
            continue
        rec = np.asarray(result.records[m.source.name]["outcome"])
        for row in np.flatnonzero(np.isin(rec, RECORD_FAILED[:2])):
            expected.setdefault(m.on_failure, []).append((i, int(row)))
    got: dict[str, list[tuple[int, int]]] = {}
    for name, cols in result.destinations.items():
        stream = cols["stream"] if "stream" in cols else np.full(len(cols["request"]), -1)
        got[name] = sorted(zip(np.asarray(stream).tolist(), np.asarray(cols["request"]).tolist()))
        assert not np.any(np.asarray(cols["time"]) < 0)
    for name in set(got) | set(expected):
        assert got.get(name, []) == sorted(expected.get(name, [])), name


def same_arrays(a: Any, b: Any, where: str = "") -> None:
    """`a` and `b` (nested mappings of arrays and numbers) are bit-identical."""
    if isinstance(a, Mapping):
        assert isinstance(b, Mapping) and list(a) == list(b), (where, list(a), list(b))
        for k in a:
            same_arrays(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, (where, a.dtype, b.dtype, a.shape, b.shape)
        assert a.tobytes() == b.tobytes(), (where, a, b)
    else:
        assert type(a) is type(b) and (a == b or (a != a and b != b)), (where, a, b)


def same_result(a: lc.Result, b: lc.Result) -> None:
    for field in ("requests", "functions", "account", "records", "mappings", "destinations"):
        same_arrays(getattr(a, field), getattr(b, field), field)
    assert a.horizon == b.horizon and a.function_names == b.function_names

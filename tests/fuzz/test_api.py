"""The fuzzing harness at the API boundary: whole drawn configurations (tests/fuzz/strategies.py)
run once, run twice, run in chunks, and hit with bad calls; the invariants of
tests/fuzz/invariants.py on every run that did not end in a typed error.

The workload columns of tests/api/test_fuzz.py (any dtype, shape, special values) are its own;
here the columns are valid and the configuration is what varies, with every feature at once."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

import lambda_core as lc

from tests.support.profiles import examples

from .invariants import check_run, micros, same_arrays, same_result
from .strategies import Case, cases

#: What a user's mistake may raise: lambda_core's errors, TypeError for a wrong type, and
#: MemoryError. Anything else (RuntimeError "internal error", a bare ValueError, OverflowError
#: or IndexError from numpy or Python, a panic) fails the test.
TYPED = (lc.LambdaCoreError, TypeError, MemoryError)

SETTINGS: dict[str, Any] = dict(deadline=None, suppress_health_check=list(HealthCheck))


def build(case: Case) -> lc.Simulator | None:
    note(case.describe())
    try:
        return case.simulator()
    except TYPED as e:
        event(f"configuration refused: {type(e).__name__}")
        return None  # a configuration AWS (or the engine) refuses: tested elsewhere


@settings(max_examples=examples(150), **SETTINGS)
@given(cases())
def test_a_run_obeys_the_invariants(case: Case) -> None:
    sim = build(case)
    if sim is None:
        return
    try:
        result = sim.run(case.workload(), until=case.until, records=case.record_objects())
    except TYPED as e:
        note(f"refused: {e!r}")
        event(f"run refused: {type(e).__name__}")
        assert sim.now == 0.0, "a refused run moved the clock"
        return
    check_run(case, result)


@settings(max_examples=examples(60), **SETTINGS)
@given(cases())
def test_reruns_are_bit_identical(case: Case) -> None:
    results = []
    for _ in range(2):
        sim = build(case)
        if sim is None:
            return
        try:
            results.append(sim.run(case.workload(), until=case.until, records=case.record_objects()))
        except TYPED:
            return
    same_result(*results)


# -- one run against submit + advance in windows -----------------------------------------------

REQUEST_DEFAULTS = {"outcome": 0, "throttle_reason": 0, "attempts": 0, "throttles": 0, "cold_starts": 0,
                    "end": np.nan, "first_start": np.nan, "last_start": np.nan, "event_age": np.nan}
RECORD_DEFAULTS = {"outcome": 0, "attempts": 0, "receives": 0, "start": np.nan, "end": np.nan}


def _collect(tables: dict[str, np.ndarray], window: dict[str, np.ndarray], ids: str) -> None:
    """Writes a window's rows into the per-row `tables`, each row at most once."""
    rows = np.asarray(window[ids], np.int64) if ids in window else np.empty(0, np.int64)
    seen = tables.setdefault("_seen", np.zeros(len(tables["outcome"]), np.int64))
    np.add.at(seen, rows, 1)
    for key, col in tables.items():
        if key != "_seen" and key in window:
            col[rows] = window[key]


def _empty(defaults: dict[str, Any], like: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    return {k: np.full(n, v, dtype=np.asarray(like[k]).dtype) for k, v in defaults.items() if k in like}


@settings(max_examples=examples(80), **SETTINGS)
@given(cases(), st.data())
def test_windows_give_the_rows_and_counters_of_one_run(case: Case, data: st.DataObject) -> None:
    """Submitting the inputs in pieces and advancing in windows resolves every request and
    record once, with the outcome, times and counters of one `run`."""
    sim = build(case)
    if sim is None:
        return
    try:
        whole = sim.run(case.workload(), until=case.until, records=case.record_objects())
    except TYPED:
        return
    times = np.unique(np.concatenate([case.columns["time"], *(r["time"] for r in case.records.values())]))
    cuts = sorted(set(data.draw(st.lists(st.sampled_from(times.tolist()), max_size=4)) if len(times) else []))
    note(f"cuts: {cuts}")
    sim = case.simulator()
    n = len(case.columns["time"])
    requests = _empty(REQUEST_DEFAULTS, whole.requests, n)
    records = {name: _empty(RECORD_DEFAULTS, whole.records[name], len(c["time"])) for name, c in case.records.items()}
    # inputs are split on the engine's microsecond grid: two times that round to one instant
    # are one instant, and splitting it across windows would take the later window's arrivals
    # after those the earlier window already took there (docs/model.md §1)
    lo = -np.inf
    row_us = micros(case.columns["time"])
    for hi in [*cuts, np.inf]:
        hi_us = hi if hi == np.inf else float(micros(np.array([hi]))[0])
        rows = (row_us >= lo) & (row_us < hi_us)
        sim.submit(case.workload(_slice(rows)))
        for name, c in case.records.items():
            t_us = micros(c["time"])
            part = _slice((t_us >= lo) & (t_us < hi_us))
            sim.submit_records(lc.Records(name, c["time"][part].copy(), c["key"][part].copy(), c["failures"][part].copy()))
        target = case.until if hi == np.inf else (hi if case.until is None else min(hi, case.until))
        window = sim.advance(target)
        _collect(requests, window.requests, "request")
        for name, table in window.records.items():
            _collect(records[name], table, "id")
        lo = hi_us
    # a row still pending at `until` is in no window (the run's table shows what it did so far)
    done = np.asarray(whole.requests["outcome"]) != 0
    assert np.all(requests.pop("_seen", np.zeros(n)) == done), "each resolved once"
    for key, col in requests.items():
        same_arrays(col[done], np.asarray(whole.requests[key])[done], f"requests.{key}")
    for name, table in records.items():
        done = np.asarray(whole.records[name]["outcome"]) != 0
        seen = table.pop("_seen", np.zeros(len(table["outcome"])))
        assert np.all(seen == done), f"{name}: each resolved once"
        for key, col in table.items():
            same_arrays(col[done], np.asarray(whole.records[name][key])[done], f"records[{name}].{key}")
    stats = sim.stats(case.until)
    for field in ("functions", "account", "mappings"):
        same_arrays(getattr(stats, field), getattr(whole, field), field)
    assert sim.destination_counts() == {k: len(v["request"]) for k, v in whole.destinations.items()}


def _slice(mask: np.ndarray) -> slice:
    """The rows of `mask` (one contiguous run of a sorted column) as a slice."""
    rows = np.flatnonzero(mask)
    return slice(int(rows[0]), int(rows[-1]) + 1) if len(rows) else slice(0, 0)

"""The fuzzing harness's bad calls: a simulator part-way through a drawn run gets one call that
must be refused (a bad row somewhere in a workload or in records, an `until` in the past or
NaN, a `run` whose records are bad ...). The call must raise a typed error and change nothing:
the simulator then finishes the run exactly as a twin that never saw the call (every window,
the statistics, the destinations, bit for bit).

And the configuration objects under wild values (huge, tiny, NaN, wrong types, numpy scalars):
a typed error, or objects whose simulator runs."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, note, settings
from hypothesis import strategies as st

import lambda_core as lc
from tests.api.test_fuzz import SPECIAL_FLOATS, SPECIAL_INTS
from tests.support.profiles import examples

from .invariants import same_arrays
from .strategies import Case, cases
from .test_api import SETTINGS, TYPED, build

# a bad value for each workload column (the engine's checks at submit), and for records
BAD_ROWS = {
    "time": [np.nan, np.inf, -1.0, -1e-300, 9.1e9],
    "function": [-1, 99, 2**62],
    "duration": [np.nan, -0.5, np.inf, 1e300],
    "invocation_type": [2, 255],
    "failures": [-1, -(2**40)],  # a large count is no error: attempts are bounded anyway
}
#: Bad calls left out of the draw while the defect they hit is open (each has its reproducer in
#: test_found.py): remove an entry when its reproducer passes.
OPEN_DEFECTS: dict[str, list[Any]] = {}

BAD_RECORD_ROWS = {"time": [np.nan, np.inf, -1.0, 9.1e9], "failures": [-1, -(2**62)]}


def _bad_workload(case: Case, rows: slice, data: st.DataObject) -> lc.Workload:
    cols = {k: v[rows].copy() for k, v in case.columns.items()}
    n = len(cols["time"])
    if n == 0 or data.draw(st.booleans()):
        # a workload whose times go back before the simulator's clock (or before its rows)
        cols = {k: np.concatenate([v, v[-1:] if n else np.zeros(1, v.dtype)]) for k, v in cols.items()}
        cols["time"][-1] = -0.25 if n == 0 else cols["time"][-1] - 0.5
        if n:
            cols["time"][-1] = min(cols["time"][-1], cols["time"][0] - 0.5)
    else:
        column = data.draw(st.sampled_from(sorted(BAD_ROWS)))
        row = data.draw(st.integers(0, n - 1))
        value = data.draw(st.sampled_from(BAD_ROWS[column]))
        col = cols[column].astype(np.float64 if column in ("time", "duration") else np.int64)
        col[row] = value
        if column == "invocation_type":
            col = col.astype(np.uint8)
        cols[column] = col
    return lc.Workload(cols["time"], cols["function"], cols["duration"], cols["invocation_type"], cols["failures"])


def _bad_records(case: Case, name: str, rows: slice, data: st.DataObject) -> lc.Records:
    c = {k: v[rows].copy() for k, v in case.records[name].items()}
    n = len(c["time"])
    if n == 0:
        return lc.Records(name, np.array([-1.0]))
    column = data.draw(st.sampled_from(sorted(BAD_RECORD_ROWS)))
    col = c[column].astype(np.float64 if column == "time" else np.int64)
    col[data.draw(st.integers(0, n - 1))] = data.draw(st.sampled_from(BAD_RECORD_ROWS[column]))
    c[column] = col
    return lc.Records(name, c["time"], c["key"], c["failures"])


def _bad_call(sim: lc.Simulator, case: Case, rest: slice, tails: dict[str, slice], data: st.DataObject) -> None:
    """Makes one call that must be refused."""
    names = list(case.records)
    kinds = ["workload", "advance", "run-until", "run-workload", "stats"]
    if names:
        # "run-records" (a run whose records are refused) is left out while it leaves the
        # run's workload submitted: test_found.py::test_a_run_refused_for_its_records_...
        kinds += ["records", *OPEN_DEFECTS.get("run-records", ["run-records"]), "run-twice", "unknown-source"]
    kind = data.draw(st.sampled_from(kinds))
    note(f"bad call: {kind}")
    now = sim.now
    if kind == "workload":
        sim.submit(_bad_workload(case, rest, data))
    elif kind == "records":
        name = data.draw(st.sampled_from(names))
        sim.submit_records(_bad_records(case, name, tails[name], data))
    elif kind == "advance":
        until = data.draw(st.sampled_from([np.nan, -1.0, 9.1e9, 1e300, np.inf, True, *OPEN_DEFECTS.get("str-until", ["1"]),
                                           *([now - 1] if now >= 1 else [])]))
        sim.advance(until)
    elif kind == "stats":
        sim.stats(data.draw(st.sampled_from([np.nan, -1.0, 1e300, True, "x"])))
    elif kind == "run-until":
        until = data.draw(st.sampled_from([np.nan, -1.0, 9.1e9, True, *([now - 1] if now >= 1 else [])]))
        sim.run(case.workload(rest), until=until, records=case.record_objects(tails))
    elif kind == "run-workload":
        sim.run(_bad_workload(case, rest, data), until=case.until, records=case.record_objects(tails))
    elif kind == "run-records":
        name = data.draw(st.sampled_from(names))
        good = [r for r in case.record_objects(tails) if r.source != name]
        sim.run(case.workload(rest), until=case.until, records=[*good, _bad_records(case, name, tails[name], data)])
    elif kind == "run-twice":
        name = data.draw(st.sampled_from(names))
        twice = [lc.Records(name, np.empty(0)), lc.Records(name, np.empty(0))]
        sim.run(case.workload(rest), until=case.until, records=[*case.record_objects(tails), *twice])
    else:
        sim.submit_records(lc.Records("no-such-source", np.zeros(1)))


def _finish(sim: lc.Simulator, case: Case, rest: slice, tails: dict[str, slice]) -> list[Any]:
    """The rest of the run, and everything it shows."""
    out: list[Any] = []
    sim.submit(case.workload(rest))
    for r in case.record_objects(tails):
        sim.submit_records(r)
    try:
        w = sim.advance(case.until)
    except TYPED as e:  # the same refusal for both simulators (a function reserving 0)
        out.append(repr(e))
    else:
        out += [w.now, dict(w.requests), dict(w.records), dict(w.destinations)]
    s = sim.stats(case.until if case.until is not None and case.until >= sim.now else None)
    out += [s.functions, s.account, s.mappings, s.horizon, sim.destination_counts(), sim.now]
    return out


@settings(max_examples=examples(150), **SETTINGS)
@given(cases(), st.data())
def test_a_refused_call_changes_nothing(case: Case, data: st.DataObject) -> None:
    sim = build(case)
    if sim is None:
        return
    twin = case.simulator()
    # both take the first part of the inputs and advance to its end
    times = case.columns["time"]
    cut = data.draw(st.integers(0, len(times)))
    t0 = float(times[cut - 1]) if cut else 0.0
    if case.until is not None:
        t0 = min(t0, case.until)
    head, rest = slice(0, cut), slice(cut, None)
    tails = {}
    for s in (sim, twin):
        s.submit(case.workload(head))
        for name, c in case.records.items():
            k = int(np.searchsorted(c["time"], t0, side="right"))
            tails[name] = slice(k, None)
            s.submit_records(lc.Records(name, c["time"][:k].copy(), c["key"][:k].copy(), c["failures"][:k].copy()))
        s.advance(t0)
    try:
        _bad_call(sim, case, rest, tails, data)
    except TYPED as e:
        note(f"refused: {e!r}")
    else:
        raise AssertionError("the bad call was accepted")
    a, b = _finish(sim, case, rest, tails), _finish(twin, case, rest, tails)
    for i, (x, y) in enumerate(zip(a, b)):
        same_arrays(x, y, f"after the refused call, part {i}")


# -- configuration objects under wild values -----------------------------------------------------

WILD = st.one_of(
    st.sampled_from(SPECIAL_FLOATS + SPECIAL_INTS),
    st.sampled_from([True, False, None, "3", "", [], {}, 2**64, -(2**64), 10**30, 1e-310, np.float64("nan"),
                     np.int64(7), np.uint64(2**64 - 1), np.float32(2.5), np.int8(-3), np.bool_(True), 3 + 0j]),
)
PARAMETERS = {
    "account": ["concurrency_limit", "unreserved_min", "scaling", "scaling_burst", "scaling_refill_per_s"],
    "function": ["memory_mb", "timeout_s", "reserved_concurrency", "provisioned_concurrency", "init_s",
                 "idle_timeout_s", "max_retry_attempts", "max_event_age_s", "ephemeral_storage_mb",
                 "provisioned_ready_s", "on_success", "on_failure", "dead_letter_queue", "environment"],
    "retry": ["max_attempts", "base_s", "cap_s"],
    "stream": ["retention_s"],  # shards: a legal 2^20 would allocate lanes (tests/api/test_allocation_failure.py)
    "queue": ["fifo", "max_receive_count", "retention_s"],  # visibility: class 2, another helper's
    "mapping": ["batch_size", "batching_window_s", "parallelization_factor", "maximum_retry_attempts",
                "maximum_record_age_s", "bisect_batch_on_function_error", "on_failure", "maximum_concurrency",
                "duration"],
    "duration": ["base_s", "per_record_s"],
    "simulator": ["seed", "routing"],
}


@settings(max_examples=examples(200), **SETTINGS)
@given(st.data())
def test_wild_configuration_values_are_typed_errors_or_run(data: st.DataObject) -> None:
    wild: dict[str, dict[str, Any]] = {}
    for _ in range(data.draw(st.integers(1, 3))):
        obj = data.draw(st.sampled_from(sorted(PARAMETERS)))
        wild.setdefault(obj, {})[data.draw(st.sampled_from(PARAMETERS[obj]))] = data.draw(WILD)
    note(repr(wild))
    stream_kind = data.draw(st.sampled_from(["kinesis", "sqs", "fifo", None]))
    try:
        account = lc.Account(**wild.get("account", {}))
        function = lc.Function("f", **wild.get("function", {}))
        other = lc.Function("g")
        retry = lc.RetryPolicy(**wild.get("retry", {})) if "retry" in wild else None
        mappings = []
        if stream_kind is not None:
            if stream_kind == "kinesis":
                source: Any = lc.KinesisStream("s", shards=2, **wild.get("stream", {}))
            else:
                source = lc.SqsQueue("q.fifo" if stream_kind == "fifo" else "q", fifo=stream_kind == "fifo",
                                     **{"visibility_timeout_s": 2, **wild.get("queue", {})})
            kwargs = dict(wild.get("mapping", {}))
            if "duration" in wild:
                kwargs["duration"] = lc.BatchDuration(**wild["duration"])
            mappings.append(lc.EventSourceMapping(source, "f", **kwargs))
        sim = lc.Simulator(account, [function, other], client_retries=retry, mappings=mappings,
                           **wild.get("simulator", {}))
    except TYPED as e:
        note(f"refused: {e!r}")
        return
    w = lc.Workload(np.array([0.0, 0.0, 0.5, 3.0]), np.array([0, 1, 0, 0]), np.array([0.1, 0.2, 5.0, 0.0]),
                    np.array([0, 1, 1, 0], np.uint8), np.array([0, 1, 0, 2]))
    records = [lc.Records(m.source.name, np.array([0.0, 0.5, 1.0]), np.array([1, 1, 2]), np.array([0, 2, 0]))
               for m in mappings]
    try:
        result = sim.run(w, until=600.0, records=records)
    except TYPED as e:
        note(f"run refused: {e!r}")
        return
    assert len(result.requests["outcome"]) == 4

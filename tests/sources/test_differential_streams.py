"""Differential and property tests of stream event-source mappings (docs/model.md §7).

Hypothesis draws accounts, functions, streams, mappings, records and a synchronous workload
sharing the functions; the engine (through `engine_adapter.simulate_streams`) and the
pure-Python reference model (`reference_streams.simulate_streams`) must agree on every record,
every request and every counter. Properties the brief names are checked on the engine's own
results as well.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracle import streams as reference_streams
from tests.support import engine_adapter
from tests.sources.strategies import SETTINGS, account_and_functions, sync_workload, times, until_and_routing
from tests.support.profiles import examples


@st.composite
def scenarios(draw):
    account, functions = account_and_functions(draw)
    n_functions = len(functions)
    n_streams = draw(st.integers(1, 2))
    streams, mappings, records = [], [], {}
    for i in range(n_streams):
        name = f"s{i}"
        streams.append({"name": name, "kind": draw(st.sampled_from(["kinesis", "dynamodb"])),
                        "shards": draw(st.integers(1, 4)),
                        "retention_s": draw(st.sampled_from([8.0, 30.0, 86400.0]))})
        mappings.append({
            "stream": name,
            "function": draw(st.integers(0, n_functions - 1)),
            "batch_size": draw(st.sampled_from([1, 2, 3, 5, 100])),
            "batching_window_s": draw(st.sampled_from([0.0, 0.0, 0.5, 2.0])),
            "parallelization_factor": draw(st.sampled_from([1, 1, 2, 3])),
            "maximum_retry_attempts": draw(st.sampled_from([-1, 0, 1, 3])),
            "maximum_record_age_s": draw(st.sampled_from([-1, -1, 60, 100])),
            "bisect_batch_on_function_error": draw(st.booleans()),
            "on_failure": draw(st.sampled_from([None, "dlq"])),
            "duration_base_s": draw(st.sampled_from([0.0, 0.1, 0.5, 2.0])),
            "duration_per_record_s": draw(st.sampled_from([0.0, 0.0, 0.05, 0.3])),
        })
        n = draw(st.integers(0, 30))
        time = times(draw, n, [0.0, 0.0, 0.1, 0.25, 0.3, 1.0, 3.0])
        records[name] = {
            "time": time,
            "key": draw(st.lists(st.integers(-3, 5), min_size=n, max_size=n)),
            "failures": draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 50]), min_size=n, max_size=n)),
        }
    if draw(st.booleans()) and n_streams == 2:
        mappings.pop()  # a stream nobody reads
    workload = sync_workload(draw, n_functions)
    until, routing = until_and_routing(draw, functions, mappings)
    return account, functions, streams, mappings, records, routing, until, workload


def both(scenario):
    account, functions, streams, mappings, records, routing, until, workload = scenario
    args = (account, functions, streams, mappings, records)
    ref = reference_streams.simulate_streams(*args, routing=routing, until=until, workload=workload)
    got = engine_adapter.simulate_streams(*args, routing=routing, until=until, workload=workload)
    return ref, got


@settings(max_examples=examples(400), **SETTINGS)
@given(scenarios())
def test_engine_matches_reference_model(scenario):
    ref, got = both(scenario)
    for name in ref["records"]:
        for key in ("outcome", "shard", "lane", "attempts", "start", "end"):
            assert got["records"][name][key] == ref["records"][name][key], (name, key)
    assert got["mappings"] == ref["mappings"]
    assert got["destinations"] == ref["destinations"]
    engine_adapter.assert_same_run(got, ref)


@settings(max_examples=examples(150), **SETTINGS)
@given(scenarios())
def test_stream_properties(scenario):
    """Order per lane, concurrency bounds, one outcome per record (on the engine alone)."""
    account, functions, streams, mappings, records, routing, until, workload = scenario
    got = engine_adapter.simulate_streams(account, functions, streams, mappings, records,
                                          routing=routing, until=until, workload=workload)
    shards = {s["name"]: s["shards"] for s in streams}
    for i, m in enumerate(mappings):
        r = got["records"][m["stream"]]
        # processing order within a lane (so per key) follows arrival order
        last_start = defaultdict(lambda: -1.0)
        for j in range(len(r["outcome"])):
            if r["outcome"][j] == reference_streams.PROCESSED:
                lane = (r["shard"][j], r["lane"][j])
                assert r["start"][j] >= last_start[lane]
                last_start[lane] = r["start"][j]
        # concurrency: at most one batch per lane, and never above the function's reservation
        counters = got["mappings"][i]
        assert counters["max_concurrency"] <= shards[m["stream"]] * m["parallelization_factor"]
        rc = functions[m["function"]]["reserved_concurrency"]
        if rc is not None:
            assert counters["max_concurrency"] <= rc
        # every record has exactly one outcome: resolved ones are counted once, and without
        # `until` none is left pending
        resolved = sum(1 for o in r["outcome"] if o != reference_streams.PENDING)
        assert resolved == (counters["records_processed"] + counters["records_failed"]
                            + counters["records_expired"])
        if until is None:
            assert resolved == len(r["outcome"])


@settings(max_examples=examples(60), **SETTINGS)
@given(scenarios())
def test_runs_are_bit_identical(scenario):
    account, functions, streams, mappings, records, routing, until, workload = scenario
    args = (account, functions, streams, mappings, records)
    a = engine_adapter.simulate_streams(*args, routing=routing, until=until, workload=workload)
    b = engine_adapter.simulate_streams(*args, routing=routing, until=until, workload=workload)
    assert a == b


@settings(max_examples=examples(100), **SETTINGS)
@given(scenarios(), st.integers(1, 4), st.data())
def test_chunked_records_and_stepped_advance_match_one_run(scenario, pieces, data):
    """Records submitted in chunks between `advance` steps give the same per-record results
    (gathered from the windows by record id) and counters as one run."""
    import lambda_core as lc
    import numpy as np

    account, functions, streams, mappings, records, routing, until, workload = scenario
    whole = engine_adapter.simulate_streams(account, functions, streams, mappings, records,
                                            routing=routing, until=until)
    sim, _ = engine_adapter.stream_simulator(account, functions, streams, mappings, routing)
    horizon = until if until is not None else max([max(r["time"], default=0.0) for r in records.values()] + [0.0])
    cuts = sorted(data.draw(st.lists(st.floats(0, horizon), min_size=pieces - 1, max_size=pieces - 1)))
    mapped = {m["stream"] for m in mappings}
    outcome = {name: [0] * len(records[name]["time"]) for name in mapped}
    start = 0.0
    for cut in cuts + [None]:
        for name in mapped:
            r = records[name]
            t = np.asarray(r["time"], dtype=np.float64)
            lo = np.searchsorted(t, start, side="left") if start > 0 else 0
            hi = len(t) if cut is None else np.searchsorted(t, cut, side="left")
            if hi > lo:
                sim.submit_records(lc.Records(name, t[lo:hi], np.asarray(r["key"][lo:hi], dtype=np.int64),
                                              np.asarray(r["failures"][lo:hi], dtype=np.int64)))
        step = until if cut is None else cut
        if step is not None and step < sim.now:
            step = sim.now
        window = sim.advance(step)
        for name, cols in window.records.items():
            for i, o in zip(cols["id"].tolist(), cols["outcome"].tolist()):
                outcome[name][i] = o
        start = cut if cut is not None else start
    for name in mapped:
        assert outcome[name] == whole["records"][name]["outcome"], name
    got = sim.stats(until)
    for m in mappings:
        assert dict(got.mappings[m["stream"]]) == next(x for x, y in zip(whole["mappings"], mappings) if y is m)

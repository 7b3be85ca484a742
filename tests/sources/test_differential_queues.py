"""Differential and property tests of SQS queue mappings (docs/model.md §8).

Hypothesis draws accounts, functions, standard and FIFO queues, their mappings, messages and a
synchronous workload sharing the functions; the engine (through
`engine_adapter.simulate_queues`) and the pure-Python reference model
(`reference_queues.simulate_queues`) must agree on every message, request and counter.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracle import queues as reference_queues
from tests.support import engine_adapter
from tests.sources.strategies import SETTINGS, account_and_functions, sync_workload, times, until_and_routing
from tests.oracle.streams import PENDING, PROCESSED
from tests.support.profiles import examples

def visibility_timeouts(function: dict) -> st.SearchStrategy[float]:
    """What AWS lets a mapping have: whole seconds, at least the function's timeout (the
    smallest such value twice as often: messages come back soonest)."""
    timeout = function["timeout_s"]
    low = float(max(1, -(-timeout // 1)))
    return st.sampled_from([low, low] + [v for v in (2.0, 30.0, 900.0) if v > low])


@st.composite
def scenarios(draw):
    account, functions = account_and_functions(draw)
    n_functions = len(functions)
    queues, mappings, records = [], [], {}
    for i in range(draw(st.integers(1, 2))):
        name = f"q{i}"
        fifo = draw(st.booleans())
        function = draw(st.integers(0, n_functions - 1))
        queues.append({"name": name, "fifo": fifo,
                       "visibility_timeout_s": draw(visibility_timeouts(functions[function])),
                       "max_receive_count": draw(st.sampled_from([None, 1, 2, 3])),
                       "retention_s": draw(st.sampled_from([5.0, 60.0, 600.0]))})  # short: the oracle ticks every 0.2 s
        batch = draw(st.sampled_from([1, 2, 3, 10] if fifo else [1, 2, 3, 10, 25]))
        window = 0.0 if fifo else draw(st.sampled_from([0.0, 0.0, 0.5, 2.0]))
        if batch > 10 and window < 1:
            window = 2.0
        mappings.append({"queue": name, "function": function,
                         "batch_size": batch, "batching_window_s": window,
                         "maximum_concurrency": draw(st.sampled_from([None, None, 2, 3, 6])),
                         "duration_base_s": draw(st.sampled_from([0.0, 0.1, 0.5, 2.0])),
                         "duration_per_record_s": draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))})
        n = draw(st.integers(0, 40))
        time = times(draw, n, [0.0, 0.0, 0.0, 0.05, 0.2, 0.25, 1.0, 3.0])
        records[name] = {"time": time, "key": draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
                         "failures": draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 50]), min_size=n, max_size=n))}
    if len(queues) == 2 and draw(st.booleans()):
        mappings.pop()  # a queue nobody reads
    workload = sync_workload(draw, n_functions)
    until, routing = until_and_routing(draw, functions, mappings)
    return account, functions, queues, mappings, records, routing, until, workload


def run(module, scenario):
    account, functions, queues, mappings, records, routing, until, workload = scenario
    return module.simulate_queues(account, functions, queues, mappings, records, routing=routing,
                                  until=until, workload=workload)


@settings(max_examples=examples(400), **SETTINGS)
@given(scenarios())
def test_engine_matches_reference_model(scenario):
    ref, got = run(reference_queues, scenario), run(engine_adapter, scenario)
    for name in ref["records"]:
        for key in ("outcome", "group", "attempts", "receives", "start", "end"):
            assert got["records"][name][key] == ref["records"][name][key], (name, key)
    assert got["mappings"] == ref["mappings"]
    engine_adapter.assert_same_run(got, ref)


@settings(max_examples=examples(150), **SETTINGS)
@given(scenarios())
def test_queue_properties(scenario):
    """FIFO groups in order and one batch at a time, concurrency within the slots, receives
    within max_receive_count, one outcome per message (on the engine alone)."""
    account, functions, queues, mappings, records, routing, until, workload = scenario
    got = run(engine_adapter, scenario)
    spec = {q["name"]: q for q in queues}
    for i, m in enumerate(mappings):
        q = spec[m["queue"]]
        r = got["records"][m["queue"]]
        counters = got["mappings"][i]
        assert counters["max_concurrency"] <= counters["max_slots"]
        if m["maximum_concurrency"] is not None:
            assert counters["max_slots"] <= m["maximum_concurrency"]
        if q["max_receive_count"] is not None:
            assert max(r["receives"], default=0) <= q["max_receive_count"]
        if q["fifo"]:
            # docs/model.md §8: a FIFO mapping's concurrency ≤ the number of groups with messages
            assert counters["max_concurrency"] <= len(set(records[m["queue"]]["key"]))
            # within a group, processed messages were invoked in arrival order, and two
            # invocations of one group never overlap
            spans = defaultdict(list)
            for j, o in enumerate(r["outcome"]):
                if o == PROCESSED:
                    spans[r["group"][j]].append((r["start"][j], r["end"][j], j))
            for runs in spans.values():
                assert [s for s, _, _ in runs] == sorted(s for s, _, _ in runs)
                for (s1, e1, _), (s2, _, _) in zip(runs, runs[1:]):
                    assert s2 >= s1 and (s2 == s1 or s2 >= e1)
        resolved = sum(1 for o in r["outcome"] if o != PENDING)
        assert resolved == counters["records_processed"] + counters["records_failed"] + counters["records_expired"]
        if until is None:
            assert resolved == len(r["outcome"])


@settings(max_examples=examples(60), **SETTINGS)
@given(scenarios())
def test_runs_are_bit_identical(scenario):
    assert run(engine_adapter, scenario) == run(engine_adapter, scenario)


def test_a_mapped_queue_needs_a_visibility_timeout_of_at_least_the_function_timeout():
    import lambda_core as lc

    queue = lc.SqsQueue("jobs", visibility_timeout_s=0)  # AWS accepts 0 for the queue
    mapping = lc.EventSourceMapping(queue, "worker")
    with pytest.raises(lc.InvalidParameterValueException) as info:  # not for a mapping
        lc.Simulator(lc.Account(), [lc.Function("worker")], mappings=[mapping])
    assert str(info.value) == reference_queues.visibility_below_timeout_message(0, 3)
    with pytest.raises(ValueError, match="^Queue visibility timeout: 0 seconds is less than Function timeout: 3 seconds$"):
        reference_queues.simulate_queues({"concurrency_limit": 10}, [{"timeout_s": 3.0, "init_s": 0.0}],
                                         [{"name": "q", "visibility_timeout_s": 0}],
                                         [{"queue": "q", "function": 0}], {})


@pytest.mark.parametrize("value", [0.5, 1e-6, -1, 43201])
def test_the_reference_model_takes_sqs_whole_second_visibility_timeouts(value):
    with pytest.raises(ValueError, match=r"^Invalid value for the parameter VisibilityTimeout\.$"):
        reference_queues.simulate_queues({"concurrency_limit": 10}, [{"init_s": 0.0}],
                                         [{"name": "q", "visibility_timeout_s": value}], [], {})


def test_window_columns_of_streams_and_queues():
    import lambda_core as lc

    sim = lc.Simulator(lc.Account(), [lc.Function("f")],
                       mappings=[lc.EventSourceMapping(lc.KinesisStream("s"), "f"),
                                 lc.EventSourceMapping(lc.SqsQueue("q"), "f")])
    sim.submit_records(lc.Records("s", [0.0, 1.0]))
    sim.submit_records(lc.Records("q", [0.0]))
    window = sim.advance()
    # streams report no `receives` (it is `attempts` for them), as Result.records
    assert sorted(window.records["s"]) == ["attempts", "end", "id", "outcome", "start"]
    assert sorted(window.records["q"]) == ["attempts", "end", "id", "outcome", "receives", "start"]
    assert window.records["s"]["id"].tolist() == [0, 1] and window.records["q"]["receives"].tolist() == [1]

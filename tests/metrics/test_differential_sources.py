"""The function- and account-level series of runs with event-source mappings (streams §7,
queues §8) against the metrics oracle: batches dispatched from a batch's end, at the instant
an idle environment expires, are where a live level and the exact one could part.

The oracle's stream and queue models log their executions and throttles through the same
hooks as tests/oracle/invocations.py, and their mappings' events into a `mapping_log`:
mapping-level series are compared for stream and queue mappings, every queue Sum series is
checked against its whole-run counter (oracle and engine), and the queue gauge
ApproximateNumberOfMessagesVisible, on which the engine departs from §10.1, apart
(test_queue_visible_gauge, an expected failure).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lambda_core as lc
from lambda_core._model.metric_catalog import specs_at
from tests.metrics.compare import disagreements
from tests.oracle import metrics as oracle_metrics
from tests.oracle.queues import QueueSimulator
from tests.oracle.streams import StreamSimulator
from tests.sources.strategies import SETTINGS
from tests.sources.test_differential_queues import scenarios as queue_scenarios
from tests.sources.test_differential_streams import scenarios as stream_scenarios
from tests.support import engine_adapter
from tests.support.profiles import examples

# every mapping Sum series with the whole-run counter it adds up to (the catalog's `counter`)
MAPPING_COUNTERS = {m.name: m.counter for m in specs_at("mapping") if m.counter}
QUEUE_COUNTERS = {"DeletedEventCount": "records_processed"}  # no catalog counter: the deletions
VISIBLE = "ApproximateNumberOfMessagesVisible"
# docs/model.md §10.1: "the maximum of messages waiting to be received after each instant's
# receives (a message received at the instant it arrives never waited), and at the period's start"
PERIODS = st.sampled_from([0.25, 0.5, 1.0, 2.0, 0.7, 10.0])


def engine_series(account, functions, routing, until, workload, records, esms, period_s) -> lc.Result:
    base = engine_adapter._simulator(account, functions, routing, None, 0, esms)
    sim = lc.Simulator(base.account, base.functions, seed=base.seed, routing=routing, mappings=base.mappings,
                       metrics_period_s=period_s)
    mapped = {m.source.name for m in esms}
    w = workload or {"time": [], "function": [], "duration": []}
    n = len(w["time"])
    col = lambda r, k: None if r.get(k) is None else np.asarray(r[k], dtype=np.int64)  # noqa: E731
    return sim.run(
        lc.Workload(np.array(w["time"], dtype=np.float64), np.array(w["function"], dtype=np.int64),
                    np.array(w["duration"], dtype=np.float64),
                    invocation_type=np.array(w.get("invocation_type", [0] * n), dtype=np.uint8),
                    failures=np.array(w.get("failures", [0] * n), dtype=np.int64)),
        until=until,
        records=[lc.Records(name, np.asarray(r["time"], dtype=np.float64), col(r, "key"), col(r, "failures"))
                 for name, r in records.items() if name in mapped])


def horizon(result: lc.Result, sim, until) -> float | None:
    """The H to cut the oracle's series at. The series end at the simulator's clock (docs/
    metrics.md), which a run to completion with queue mappings may leave past the last
    resolution (Result.horizon, the oracle's): a poller's tick after it. The oracle cannot
    know that clock, so it takes the engine's, after checking it is no earlier."""
    if until is not None:
        return None
    assert result.metrics.horizon >= oracle_metrics.horizon_us(sim) / 1e6 == result.horizon
    return result.metrics.horizon


@settings(max_examples=examples(150), **SETTINGS)
@given(stream_scenarios(), PERIODS)
def test_stream_runs(scenario, period_s):
    account, functions, streams, mappings, records, routing, until, workload = scenario
    sim = StreamSimulator(account, functions, streams, mappings, records, routing, until, workload)
    sim.run()
    result = engine_series(account, functions, routing, until, workload, records,
                           engine_adapter._mappings(streams, mappings), period_s)
    ref = oracle_metrics.series(sim, period_s, horizon(result, sim, until))
    for i, m in enumerate(sim.maps):  # the oracle's own mapping series add up to its counters
        s = ref["mapping"][i]
        assert sum(s["BatchInvocations", "Sum"]) == m.counters["invocations"]
        assert sum(s["OnFailureDestinationDeliveredEventCount", "Sum"]) == m.counters["on_failure_records"]
        ages = [a for a in s["IteratorAge", "Maximum"] if a == a]
        assert round(max(ages, default=0.0) * 1000) == m.counters["max_iterator_age"]
        assert sum(s["DroppedEventCount", "Sum"]) == m.counters["records_failed"] + m.counters["records_expired"]
    assert disagreements(result.metrics, ref, [f"f{i}" for i in range(len(functions))],
                         [m["stream"] for m in mappings]) == []


def queue_run(scenario, period_s: float) -> tuple[QueueSimulator, lc.Result, dict]:
    """The oracle's queue model (run), the engine's result and the oracle's series."""
    account, functions, queues, mappings, records, routing, until, workload = scenario
    sim = QueueSimulator(account, functions, queues, mappings, records, routing, until, workload)
    sim.run()
    result = engine_series(account, functions, routing, until, workload, records,
                           engine_adapter._queue_mappings(queues, mappings), period_s)
    return sim, result, oracle_metrics.series(sim, period_s, horizon(result, sim, until))


@settings(max_examples=examples(150), **SETTINGS)
@given(queue_scenarios(), PERIODS)
def test_queue_runs(scenario, period_s):
    """Every series of a queue run, the mappings' included."""
    sim, result, ref = queue_run(scenario, period_s)
    for i, m in enumerate(sim.maps):  # every Sum series adds up to its whole-run counter
        source = m.queue.name
        got, want = result.metrics.mapping(source), ref["mapping"][i]
        for name, counter in {**MAPPING_COUNTERS, **QUEUE_COUNTERS}.items():
            assert sum(want[name, "Sum"]) == m.counters[counter], (source, name, "oracle")
            assert got[name].sum() == result.mappings[source][counter], (source, name, "engine")
        dropped = ("records_failed", "records_expired")
        assert sum(want["DroppedEventCount", "Sum"]) == sum(m.counters[c] for c in dropped)
        assert got["DroppedEventCount"].sum() == sum(result.mappings[source][c] for c in dropped)
        # the whole-run maximum is the series' (the level after an instant's last poll)
        assert max(want[VISIBLE, "Maximum"], default=0) == m.counters["max_visible"], source
        assert got[VISIBLE].max() == result.mappings[source]["max_visible"], source
        assert got[VISIBLE].tolist() == want[VISIBLE, "Maximum"], source
    lines = disagreements(result.metrics, ref, [f"f{i}" for i in range(len(scenario[1]))],
                          [m["queue"] for m in scenario[3]])
    assert lines == []

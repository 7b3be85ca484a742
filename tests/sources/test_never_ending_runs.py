"""A run without `until` must end (docs/model.md §7–8): when a mapping's function reserves 0 and
the mapping has records to resolve, `run` and `advance` refuse with a `UsageError` naming the
source and the function, before anything is submitted or simulated."""

from __future__ import annotations

import numpy as np
import pytest

import lambda_core as lc

MESSAGE = ("the mapping of 'jobs' to 'worker': the function's reserved concurrency is 0, so its "
           "batches are throttled for ever; pass until to run up to a time")


def simulator(source: lc.KinesisStream | lc.SqsQueue) -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("worker", reserved_concurrency=0), lc.Function("other")],
                        mappings=[lc.EventSourceMapping(source, "worker")])


@pytest.mark.parametrize("source", [lc.SqsQueue("jobs"), lc.KinesisStream("jobs", shards=2)])
def test_run_without_until_is_refused_and_submits_nothing(source: lc.KinesisStream | lc.SqsQueue) -> None:
    sim = simulator(source)
    rows = lc.Workload([0.0], [1], [0.1])
    with pytest.raises(lc.UsageError) as info:
        sim.run(rows, records=lc.Records("jobs", time=[1.0, 2.0]))
    assert str(info.value) == MESSAGE
    # nothing was submitted: the same call with an `until` sees request 0 and records 0 and 1
    r = sim.run(rows, until=10.0, records=lc.Records("jobs", time=[1.0, 2.0]))
    assert r.requests["outcome"].tolist() == [lc.Outcome.SUCCESS]
    assert len(r.records["jobs"]["outcome"]) == 2
    assert sim.now == 10.0


def test_advance_without_until_is_refused_while_records_wait() -> None:
    sim = simulator(lc.SqsQueue("jobs"))
    sim.advance(None)  # nothing waits: fine
    sim.submit_records(lc.Records("jobs", time=[1.0]))
    with pytest.raises(lc.UsageError, match="'jobs' to 'worker'"):
        sim.advance(None)  # the record is queued, not yet arrived
    assert sim.now == 0.0
    sim.advance(5.0)  # it arrived and is held, throttled
    with pytest.raises(lc.UsageError, match="'jobs' to 'worker'"):
        sim.advance(None)
    assert sim.now == 5.0


def test_a_function_with_capacity_runs_without_until() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("worker", reserved_concurrency=1)],
                       mappings=[lc.EventSourceMapping(lc.SqsQueue("jobs"), "worker")])
    r = sim.run(records=lc.Records("jobs", time=np.zeros(3)))
    assert r.records["jobs"]["outcome"].tolist() == [lc.RecordOutcome.PROCESSED] * 3

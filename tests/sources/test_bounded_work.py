"""The work of a run is bounded per simulated second (docs/reliability.md, "Bounded work per
simulated second"): issue 10, class 2. A queue with a tiny visibility timeout behind a busy
function used to return every throttled batch a microsecond later, for as long as the function
stayed busy. SQS takes whole seconds and CreateEventSourceMapping wants the visibility timeout
at least the function's timeout (itself at least 1 s), so a mapped queue's messages come back
no sooner than 1 s after a receive. The assertions are on the counts the engine reports, never
on wall time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _core
from tests.api.test_engine_records import full_config

VISIBILITY = "Invalid value for the parameter VisibilityTimeout."


@pytest.mark.parametrize("value", [1e-6, 0.5, 1.5, 29.999, 43200.5, -1, 43201])
def test_a_fractional_or_out_of_range_visibility_timeout_is_refused_as_sqs_does(value) -> None:
    with pytest.raises(lc.InvalidAttributeValue) as info:
        lc.SqsQueue("jobs", visibility_timeout_s=value)
    assert str(info.value) == VISIBILITY
    assert info.value.code == "InvalidAttributeValue"
    assert isinstance(info.value, lc.InvalidParameterValueException)  # the class it had before


@pytest.mark.parametrize("value", [0, 1, 30, 30.0, 43200, np.int64(7), np.float64(8.0)])
def test_whole_seconds_are_taken(value) -> None:
    queue = lc.SqsQueue("jobs", visibility_timeout_s=value)
    assert queue.visibility_timeout_s == float(value) and type(queue.visibility_timeout_s) is float


@pytest.mark.parametrize("visibility, timeout, text", [
    (30, 60, "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"),
    (0, 1, "Queue visibility timeout: 0 seconds is less than Function timeout: 1 seconds"),
    (1, 1.5, "Queue visibility timeout: 1 seconds is less than Function timeout: 1.5 seconds"),
])
def test_a_mapped_queue_needs_a_visibility_timeout_of_at_least_the_function_timeout(
        visibility, timeout, text) -> None:
    mapping = lc.EventSourceMapping(lc.SqsQueue("jobs", visibility_timeout_s=visibility), "worker")
    with pytest.raises(lc.InvalidParameterValueException) as info:
        lc.Simulator(lc.Account(), [lc.Function("worker", timeout_s=timeout)], mappings=[mapping])
    assert str(info.value) == text
    assert type(info.value) is lc.InvalidParameterValueException


def test_equal_timeouts_and_unmapped_queues_are_accepted() -> None:
    queue = lc.SqsQueue("jobs", visibility_timeout_s=60)
    lc.Simulator(lc.Account(), [lc.Function("worker", timeout_s=60)],
                 mappings=[lc.EventSourceMapping(queue, "worker")])
    # a queue nobody reads may keep AWS's 0: it is never received from
    lc.SqsQueue("idle", visibility_timeout_s=0)


def test_the_mapping_check_names_the_function_the_mapping_invokes() -> None:
    # two functions: only the mapped one's timeout counts
    queue = lc.SqsQueue("jobs", visibility_timeout_s=10)
    functions = [lc.Function("slow", timeout_s=900), lc.Function("worker", timeout_s=10)]
    lc.Simulator(lc.Account(), functions, mappings=[lc.EventSourceMapping(queue, "worker")])
    with pytest.raises(lc.InvalidParameterValueException, match="Function timeout: 900 seconds$"):
        lc.Simulator(lc.Account(), functions, mappings=[lc.EventSourceMapping(queue, "slow")])


@pytest.mark.parametrize("reserved, until", [(0, 300.0), (1, 180.0)])
def test_a_busy_function_behind_the_shortest_visibility_timeout_does_bounded_work(reserved, until) -> None:
    """The issue's example with the shortest timeouts AWS allows (1 s each): the function is
    busy for the whole run (reserving 0, or 1 held by back-to-back requests), so every batch is
    throttled and its messages come back a visibility timeout later. Each message is received
    at most once per visibility timeout, and each batch holds at least one receive."""
    visibility = 1
    function = lc.Function("worker", timeout_s=1, reserved_concurrency=reserved)
    queue = lc.SqsQueue("jobs", visibility_timeout_s=visibility)
    sim = lc.Simulator(lc.Account(), [function], mappings=[lc.EventSourceMapping(queue, "worker")])
    n = 1000
    rows = int(until)  # one 1 s request a second holds the one slot
    workload = lc.Workload(np.arange(rows, dtype=float), np.zeros(rows, np.int64), np.ones(rows))
    r = sim.run(workload if reserved else None, until=until,
                records=lc.Records("jobs", time=np.zeros(n)))
    receives = r.records["jobs"]["receives"]
    bound = until / visibility + 1
    assert receives.max() <= bound
    assert r.mappings["jobs"]["batches"] <= int(receives.sum()) <= n * bound
    assert r.mappings["jobs"]["throttles"] <= r.mappings["jobs"]["batches"]
    if reserved == 0:
        # nothing ever runs: every message received at 0, 1, ..., 300 s
        assert receives.tolist() == [int(bound)] * n
        assert r.mappings["jobs"]["invocations"] == 0


def test_the_engine_refuses_a_mapped_queue_below_one_second() -> None:
    """The engine's own guard (for embedders that build its configuration directly): a mapped
    queue's visibility timeout of at least 1 s (``_core.LIMITS``)."""
    limit = _core.LIMITS["mapped_visibility_timeout_us"]
    assert limit.min == 1_000_000
    config = full_config()
    queue = config.sources[1]
    ok = dataclasses.replace(config, sources=[config.sources[0], dataclasses.replace(queue, visibility_timeout_s=1.0)])
    _core.Engine(ok)
    for seconds in (1e-6, 0.5, 0.999999):
        bad = dataclasses.replace(config, sources=[config.sources[0],
                                                   dataclasses.replace(queue, visibility_timeout_s=seconds)])
        with pytest.raises(lc.LambdaCoreError, match="visibility timeout must be 1000000–"):
            _core.Engine(bad)


# The other sources of repeated work, with the smallest values their APIs take: each is bounded
# by a backoff of at least 1 s that no parameter shortens, or by a number of attempts.

def backoff_retries(horizon: float) -> int:
    """Most retries a backoff of min(2^(k−1), 300) s allows in `horizon` seconds: 1 + 2 + … +
    256 = 511 s for the first 9, then one per 300 s."""
    return 9 + int(max(0.0, horizon - 511) // 300) + 1


@pytest.mark.parametrize("reserved", [0, None])
def test_a_stream_batch_that_never_succeeds_retries_at_most_once_a_second(reserved) -> None:
    # batches of 0 s that always fail (or a function reserving 0: always throttled), retried
    # until the records expire (-1, the default): the lane backs off 1, 2, 4 … 300 s
    until = 3600.0
    sim = lc.Simulator(lc.Account(), [lc.Function("f", reserved_concurrency=reserved)],
                       mappings=[lc.EventSourceMapping(lc.KinesisStream("s"), "f", duration=0.0)])
    r = sim.run(records=lc.Records("s", [0.0], failures=[2**32 - 1]), until=until)
    m = r.mappings["s"]
    assert m["retries"] + m["throttles"] <= backoff_retries(until)
    assert m["retries"] + m["throttles"] >= 10  # it did retry all along


def test_an_event_throttled_for_minutes_backs_off() -> None:
    # one slot held 0–900 s by a request; an event at 1 s is retried 1, 2, 4 … 300 s later
    sim = lc.Simulator(lc.Account(), [lc.Function("f", reserved_concurrency=1, timeout_s=900)])
    w = lc.Workload([0.0, 1.0], [0, 0], [900.0, 0.1], invocation_type=[0, 1])
    r = sim.run(w, until=2000.0)
    assert r.requests["outcome"].tolist() == [lc.Outcome.SUCCESS] * 2
    assert 1 < r.requests["throttles"][1] <= backoff_retries(900.0)


def test_client_retries_with_no_backoff_stop_at_max_attempts() -> None:
    # base_s = cap_s = 0 (the SDKs take it): every retry at the same instant, but a request
    # makes at most max_attempts attempts (lambda_core's limit, 10000)
    policy = lc.RetryPolicy(max_attempts=10_000, base_s=0, cap_s=0)
    sim = lc.Simulator(lc.Account(), [lc.Function("f", reserved_concurrency=0)], client_retries=policy)
    r = sim.run(lc.Workload(np.zeros(3), [0, 0, 0], [0.0] * 3), until=10.0)
    assert r.requests["throttles"].tolist() == [10_000] * 3
    assert r.functions["throttles"].tolist() == [30_000]

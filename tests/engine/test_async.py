"""Asynchronous invocation through the public API (docs/model.md §6): validation with AWS's messages,
triggers, destinations, windows, and what per-request output off keeps.

The rules themselves are checked case by case in tests/engine/test_hand_worked_async.py (run on the
engine by tests/test_engine_rules.py) and on random scenarios by tests/test_differential.py.
"""

import numpy as np
import pytest

import lambda_core as lc


def test_retry_attempts_and_event_age_use_aws_messages():
    with pytest.raises(lc.ValidationException) as e:
        lc.Function("f", max_retry_attempts=5)
    assert str(e.value) == (
        "1 validation error detected: Value '5' at 'maximumRetryAttempts' failed to satisfy "
        "constraint: Member must have value less than or equal to 2"
    )
    with pytest.raises(lc.ValidationException) as e:
        lc.Function("f", max_event_age_s=59)
    assert str(e.value) == (
        "1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 60"
    )
    with pytest.raises(lc.ValidationException, match="less than or equal to 21600"):
        lc.Function("f", max_event_age_s=21601)


@pytest.mark.parametrize("field", ["on_success", "on_failure"])
def test_a_function_cannot_be_its_own_destination(field):
    with pytest.raises(lc.InvalidParameterValueException) as e:
        lc.Function("orders", **{field: "orders"})
    assert str(e.value) == "You can't specify the function as a destination for itself."
    assert e.value.code == "InvalidParameterValueException"


def test_destination_names_must_be_strings():
    with pytest.raises(TypeError):
        lc.Function("f", on_failure=3)


def test_triggers_invoke_as_aws_services_do():
    sync = {lc.Trigger.API_GATEWAY, lc.Trigger.ALB, lc.Trigger.CLOUDFRONT, lc.Trigger.S3_BATCH,
            lc.Trigger.COGNITO, lc.Trigger.STEP_FUNCTIONS, lc.Trigger.LEX, lc.Trigger.FIREHOSE}
    asynchronous = {lc.Trigger.S3, lc.Trigger.SNS, lc.Trigger.EVENTBRIDGE, lc.Trigger.CODECOMMIT,
                    lc.Trigger.CODEPIPELINE}
    assert sync | asynchronous == set(lc.Trigger)
    for t in sync:
        assert t.invocation_type is lc.InvocationType.REQUEST_RESPONSE
    for t in asynchronous:
        assert t.invocation_type is lc.InvocationType.EVENT
    w = lc.Workload([0.0, 1.0], [0, 0], [0.1, 0.1], invocation_type=lc.Trigger.SNS)
    assert w.invocation_type.tolist() == [1, 1]


def _dlq_simulator():
    f = lc.Function("worker", reserved_concurrency=1, timeout_s=900, init_s=0.0, max_event_age_s=60,
                    on_success="done", on_failure="failed", dead_letter_queue="dlq")
    return lc.Simulator(lc.Account(), [f])


def test_destinations_collect_records_shaped_like_aws_invocation_records():
    sim = _dlq_simulator()
    # one long event holds the only slot; the second waits in backoff until it is too old
    r = sim.run(lc.Workload([0.0, 0.0], [0, 0], [100.0, 1.0], invocation_type=lc.InvocationType.EVENT))
    assert r.requests["outcome"].tolist() == [lc.Outcome.SUCCESS, lc.Outcome.EVENT_AGE_EXCEEDED]
    # throttles at 0, 1, 3, 7, 15, 31 s; the next retry (63 s) would be older than 60 s
    assert r.requests["throttles"].tolist() == [0, 6]
    assert r.requests["end"].tolist() == [100.0, 31.0]
    assert set(r.destinations) == {"done", "failed", "dlq"}
    for name in ("failed", "dlq"):
        d = r.destinations[name]
        assert d["request"].tolist() == [1]
        assert d["condition"].tolist() == [lc.Outcome.EVENT_AGE_EXCEEDED]
        assert d["approximate_invoke_count"].tolist() == [0]
        assert d["time"].tolist() == [31.0]
    assert r.destinations["done"]["request"].tolist() == [0]
    assert lc.Outcome(r.destinations["done"]["condition"][0]).condition == "Success"
    f = r.function("worker")
    assert (f["async_events_received"], f["async_events_dropped"], f["throttles"]) == (2, 1, 6)


def test_windows_carry_the_destination_records_of_their_window():
    sim = _dlq_simulator()
    sim.submit(lc.Workload([0.0, 0.0], [0, 0], [100.0, 1.0], invocation_type=lc.InvocationType.EVENT))
    first = sim.advance(50.0)
    assert first.requests["request"].tolist() == [1]
    assert first.destinations["dlq"]["request"].tolist() == [1]
    assert len(first.destinations["done"]["request"]) == 0
    second = sim.advance()
    assert second.requests["request"].tolist() == [0]
    assert second.destinations["done"]["request"].tolist() == [0]
    assert len(second.destinations["dlq"]["request"]) == 0


def test_per_request_output_off_keeps_counts_but_not_records():
    sim = _dlq_simulator()
    sim.submit(lc.Workload([0.0, 0.0], [0, 0], [100.0, 1.0], invocation_type=lc.InvocationType.EVENT))
    window = sim.advance(requests=False)
    assert window.requests == {}
    # every destination is there, empty (the loop below would pass over an empty dict)
    assert set(window.destinations) == {"done", "failed", "dlq"}
    assert all(len(d["request"]) == 0 for d in window.destinations.values())
    stats = sim.stats()
    assert stats.function("worker")["async_events_dropped"] == 1
    # the counts of the run with records (test above): 2 events, 6 throttles, 1 invocation
    f = stats.function("worker")
    assert (f["async_events_received"], f["throttles"], f["invocations"]) == (2, 6, 1)


def test_event_age_is_for_events_only():
    sim = lc.Simulator(lc.Account(), [lc.Function("f", init_s=0.0)])
    r = sim.run(lc.Workload([1.0, 2.0], [0, 0], [0.5, 0.5], invocation_type=[0, 1]))
    assert np.isnan(r.requests["event_age"][0]) and r.requests["event_age"][1] == 0.0
    assert r.requests["first_start"].tolist() == [1.0, 2.0]
    assert r.requests["enqueued"].tolist() == [1.0, 2.0]
    # a workload without events gets a read-only all-NaN view, not an allocation
    r = lc.Simulator(lc.Account(), [lc.Function("f")]).run(lc.Workload([0.0], [0], [0.1]))
    assert np.isnan(r.requests["event_age"]).all() and not r.requests["event_age"].flags.writeable


def test_client_retries_follow_the_sdk_standard_mode():
    p = lc.RetryPolicy()
    assert (p.max_attempts, p.base_s, p.cap_s) == (3, 1.0, 20.0)
    with pytest.raises(lc.InvalidParameterValueException):
        lc.RetryPolicy(max_attempts=0)
    with pytest.raises(lc.InvalidParameterValueException):
        lc.RetryPolicy(max_attempts=10_001)  # a throttled request must give up some day
    with pytest.raises(lc.InvalidParameterValueException):
        lc.RetryPolicy(base_s=30.0, cap_s=20.0)
    f = lc.Function("f", reserved_concurrency=1, init_s=0.0, timeout_s=10)
    w = lc.Workload([0.0, 0.0], [0, 0], [5.0, 1.0])
    without = lc.Simulator(lc.Account(), [f]).run(w)
    assert without.requests["throttles"].tolist() == [0, 1]
    with_retries = lc.Simulator(lc.Account(), [f], client_retries=p).run(w)
    # both retries come within 1 s + 2 s of jitter, while the first request still runs
    assert with_retries.requests["outcome"].tolist() == [lc.Outcome.SUCCESS, lc.Outcome.THROTTLED]
    assert with_retries.requests["throttles"].tolist() == [0, 3]
    assert 0.0 <= with_retries.requests["end"][1] < 3.0
    # exactly: seed 0's first two draws, (U0[0] × 1 s) >> 53 = 0.883310 s and
    # (U0[1] × 2 s) >> 53 = 0.863055 s (test_hand_worked_async.test_splitmix64_outputs)
    assert with_retries.requests["end"][1] == 1.746365
    again = lc.Simulator(lc.Account(), [f], client_retries=p).run(w)
    assert again.requests["end"].tolist() == with_retries.requests["end"].tolist()
    other_seed = lc.Simulator(lc.Account(), [f], client_retries=p, seed=1).run(w)
    assert other_seed.requests["end"][1] != with_retries.requests["end"][1]


def test_requests_resolve_in_time_order_when_an_end_schedules_an_early_retry():
    # A (event) fails at 1 s and is retried at 61 s; B (sync) ends at 80 s. Both are in flight
    # when the input runs out, so one sweep processes them: the retry at 61 s must come before
    # B's end at 80 s.
    sim = lc.Simulator(lc.Account(), [lc.Function("f", init_s=0.0, timeout_s=900)])
    sim.submit(lc.Workload([0.0, 0.0], [0, 0], [1.0, 80.0], invocation_type=[1, 0], failures=[1, 0]))
    window = sim.advance()
    assert window.requests["request"].tolist() == [0, 1]
    assert window.requests["end"].tolist() == [62.0, 80.0]
    assert window.requests["first_start"].tolist() == [0.0, 0.0]
    assert window.requests["last_start"].tolist() == [61.0, 0.0]

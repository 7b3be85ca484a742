"""Queue mappings' per-period series (docs/model.md §10.1, docs/metrics.md) on small runs whose
values are worked out by hand in the comments: they pin the oracle (tests/oracle/metrics.py on
tests/oracle/queues.py), then hold the engine to the same figures."""

from __future__ import annotations

import pytest

from tests.metrics.compare import disagreements
from tests.metrics.test_differential_sources import VISIBLE, engine_series
from tests.oracle import metrics as oracle_metrics
from tests.oracle.queues import QueueSimulator
from tests.support import engine_adapter

ACCOUNT = {"concurrency_limit": 10, "unreserved_min": 0}
SUMS = ("PolledEventCount", "InvokedEventCount", "BatchInvocations", "FailedInvokeEventCount",
        "DeletedEventCount", "DroppedEventCount", "OnFailureDestinationDeliveredEventCount")


def fn(**kw) -> dict:
    return {"timeout_s": 1.0, "init_s": 0.0, "idle_timeout_s": 600.0, **kw}


def scenario(function: dict, queue: dict, mapping: dict, times: list[float], failures: list[int],
             until: float):
    queues = [{"name": "q", "visibility_timeout_s": 1.0, **queue}]
    mappings = [{"queue": "q", "function": 0, "batch_size": 1, **mapping}]
    return [function], queues, mappings, {"q": {"time": times, "failures": failures}}, until


def oracle(case, period_s: float) -> tuple[QueueSimulator, dict]:
    functions, queues, mappings, records, until = case
    sim = QueueSimulator(ACCOUNT, functions, queues, mappings, records, "newest", until)
    sim.run()
    return sim, oracle_metrics.series(sim, period_s)


def engine(case, period_s: float):
    functions, queues, mappings, records, until = case
    return engine_series(ACCOUNT, functions, "newest", until, None, records,
                         engine_adapter._queue_mappings(queues, mappings), period_s)


def check(case, period_s: float, want: dict[str, list[int]]) -> None:
    """The oracle's mapping series are `want`, and so are the engine's (every series agrees)."""
    sim, ref = oracle(case, period_s)
    s = ref["mapping"][0]
    got = {name: s[name, "Sum"] for name in SUMS} | {VISIBLE: s[VISIBLE, "Maximum"]}
    assert got == want
    result = engine(case, period_s)
    assert disagreements(result.metrics, ref, ["f0"], ["q"]) == []


# Three messages at 0 into a mapping of 2 slots (maximum_concurrency 2), batches of 1 running
# 0.3 s; m1 always fails; visibility 1 s, max_receive_count 2. P = 0.25, until 2.0: 8 periods.
#   t=0:   m0 and m1 received and invoked ([0, 0.3)); m2 finds no slot: visible, level 1.
#   t=0.2: tick: every slot busy but slots = cap = 2; level 1.
#   t=0.3: m0's batch succeeds (m0 deleted), m2 received into the free slot ([0.3, 0.6)); m1's
#          batch fails (FailedInvoke 1), back at receive + visibility = 1.0; level 0.
#   t=0.6: m2 deleted.
#   t=1.0: m1 returns and is received at once (its 2nd receive; never waits), fails at 1.3,
#          back at 2.0.
#   t=2.0: m1 has been received max_receive_count times: to the DLQ (dropped, on failure).
# The level: 1 over [0, 0.3), so in period 0 and in period 1 [0.25, 0.5), which opens with it.
def test_a_slot_bound_queue_with_a_retry_and_a_dead_letter():
    case = scenario(fn(), {"max_receive_count": 2},
                    {"maximum_concurrency": 2, "duration_base_s": 0.3},
                    [0.0, 0.0, 0.0], [0, 50, 0], until=2.0)
    check(case, 0.25, {
        "PolledEventCount": [2, 1, 0, 0, 1, 0, 0, 0],
        "InvokedEventCount": [2, 1, 0, 0, 1, 0, 0, 0],
        "BatchInvocations": [2, 1, 0, 0, 1, 0, 0, 0],
        "FailedInvokeEventCount": [0, 1, 0, 0, 0, 1, 0, 0],  # at the failed invocations' ends
        "DeletedEventCount": [0, 1, 1, 0, 0, 0, 0, 0],
        "DroppedEventCount": [0, 0, 0, 0, 0, 0, 0, 1],  # at H = 2.0: the last period
        "OnFailureDestinationDeliveredEventCount": [0, 0, 0, 0, 0, 0, 0, 1],
        VISIBLE: [1, 1, 0, 0, 0, 0, 0, 0],
    })


# A reservation of 1: m0 runs [0, 0.5); m1, received at 0 too (5 slots), is throttled
# (FailedInvoke at the throttle) and comes back at 1.0, when it is past its 1 s retention:
# deleted as expired (dropped) before the receive. It was never visible after a receive.
# P = 0.5, until 2.0: 4 periods.
def test_a_throttled_message_that_expires_on_its_return():
    case = scenario(fn(reserved_concurrency=1), {"retention_s": 1.0}, {"duration_base_s": 0.5},
                    [0.0, 0.0], [0, 0], until=2.0)
    check(case, 0.5, {
        "PolledEventCount": [2, 0, 0, 0],  # the throttled receive is a receive
        "InvokedEventCount": [1, 0, 0, 0],
        "BatchInvocations": [1, 0, 0, 0],
        "FailedInvokeEventCount": [1, 0, 0, 0],
        "DeletedEventCount": [0, 1, 0, 0],
        "DroppedEventCount": [0, 0, 1, 0],
        "OnFailureDestinationDeliveredEventCount": [0, 0, 0, 0],
        VISIBLE: [0, 0, 0, 0],
    })
    _, ref = oracle(case, 0.5)
    assert ref["function"][0]["ThrottlesReserved", "Sum"] == [1, 0, 0, 0]


# The visible gauge's two rules (docs/model.md §10.1), in a batching window (batch_size 2,
# 0.5 s); P = 0.25, until 1.0: 4 periods.
# "received at the instant it arrives": m0 and m1 at 0 fill the batch at once; m0 opened the
#   window when it arrived, but both were received at the instant they arrived: never waited.
# "at the period's start": m0 alone at 0 waits for the window's end at 0.5, and is received at
#   0.5 — the first instant of period 2, which opens with the level after that instant's
#   receives, 0 (as an execution ending at a period's first instant is not in it).
# (times, the visible Maximum, DeletedEventCount: the batch ends 0.1 s after its receive)
VISIBLE_CASES = {
    "received at its arrival": ([0.0, 0.0], [0, 0, 0, 0], [2, 0, 0, 0]),
    "received at a period's start": ([0.0], [1, 1, 0, 0], [0, 0, 1, 0]),
}


def window_case(times: list[float]):
    return scenario(fn(), {}, {"batch_size": 2, "batching_window_s": 0.5, "duration_base_s": 0.1},
                    times, [0] * len(times), until=1.0)


@pytest.mark.parametrize("name", VISIBLE_CASES)
def test_the_oracles_visible_gauge(name):
    times, want, deleted = VISIBLE_CASES[name]
    _, ref = oracle(window_case(times), 0.25)
    assert ref["mapping"][0][VISIBLE, "Maximum"] == want
    assert ref["mapping"][0]["DeletedEventCount", "Sum"] == deleted


@pytest.mark.parametrize("name", VISIBLE_CASES)
def test_the_engines_visible_gauge(name):
    times, want, _ = VISIBLE_CASES[name]
    result = engine(window_case(times), 0.25)
    assert result.metrics.mapping("q")[VISIBLE].tolist() == want

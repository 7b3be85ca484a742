"""The per-event path (issue 15's first part): ``Simulator.invoke``, ``peek_time`` and
``step`` give what a batch run gives for the same requests, and check a request as a
workload row is checked."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lambda_core as lc


def _functions() -> list[lc.Function]:
    return [lc.Function("a", reserved_concurrency=2, init_s=0.2, idle_timeout_s=1.0, timeout_s=1),
            lc.Function("b", init_s=0.0, max_event_age_s=60)]


def _account() -> lc.Account:
    return lc.Account(concurrency_limit=3, unreserved_min=1, scaling_burst=2, scaling_refill_per_s=1.0)


@st.composite
def requests(draw: st.DrawFn) -> list[tuple[float, int, float, int, int]]:
    n = draw(st.integers(0, 40))
    gaps = draw(st.lists(st.sampled_from([0.0, 0.0, 0.001, 0.05, 0.3, 1.0, 2.5]), min_size=n, max_size=n))
    times = np.cumsum(gaps).tolist()
    return [(t, draw(st.integers(0, 1)), draw(st.sampled_from([0.0, 0.01, 0.4, 1.5])),
             draw(st.integers(0, 1)), draw(st.integers(0, 2))) for t in times]


@settings(max_examples=150, deadline=None)
@given(requests(), st.booleans())
def test_stepping_one_request_at_a_time_gives_the_batch_run(rows: list, interleave: bool) -> None:
    names = ["a", "b"]
    batch = lc.Simulator(_account(), _functions())
    w = lc.Workload([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                    invocation_type=[r[3] for r in rows], failures=[r[4] for r in rows])
    batch.submit(w)
    window = batch.advance()
    expected = list(zip(window.requests["request"].tolist(), window.requests["outcome"].tolist(),
                        window.requests["end"].tolist()))

    sim = lc.Simulator(_account(), _functions())
    got: list[tuple[int, int, float]] = []
    for i, (t, f, d, kind, failures) in enumerate(rows):
        assert sim.invoke(t, names[f], d, lc.InvocationType(kind), failures=failures) == i
        # a co-simulation steps up to each arrival; or submits everything first
        while interleave and (next_t := sim.peek_time()) is not None and next_t < t:
            step = sim.step()
            assert step is not None and step[0] == next_t == sim.now
            got += step[1]
    while (step := sim.step()) is not None:
        got += step[1]
    assert sim.peek_time() is None
    assert got == expected
    for key in ("invocations", "throttles", "cold_starts", "errors", "async_events_dropped"):
        np.testing.assert_array_equal(sim.stats().functions[key], batch.stats().functions[key], err_msg=key)


def test_a_request_is_checked_as_a_workload_row_is() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("a")])
    assert sim.peek_time() is None and sim.step() is None
    sim.invoke(1.0, "a", 0.5)
    with pytest.raises(lc.WorkloadError, match="earlier than") as info:
        sim.invoke(0.5, "a", 0.5)
    assert info.value.column == "time"
    with pytest.raises(lc.WorkloadError, match="duration"):
        sim.invoke(2.0, "a", math.nan)
    with pytest.raises(KeyError, match="no function named 'zz'"):
        sim.invoke(2.0, "zz", 0.5)
    with pytest.raises(lc.WorkloadError, match="payload_bytes: -1 is negative"):
        sim.invoke(2.0, "a", 0.5, payload_bytes=-1)
    # nothing refused was queued; at 2.0 s request 0 ends (0.5 s init, 0.5 s handler), then
    # the event of 1 MB + 1 byte arrives and is refused (§1: ends before arrivals)
    sim.invoke(2.0, "a", 0.1, lc.Trigger.S3, payload_bytes=2**20 + 1)
    assert sim.step() == (1.0, [])
    assert sim.step() == (2.0, [(0, lc.Outcome.SUCCESS, 2.0), (1, lc.Outcome.REQUEST_TOO_LARGE, 2.0)])
    assert sim.step() is None


def test_the_example_of_docs_embedding() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("orders", reserved_concurrency=100)])
    assert sim.invoke(0.25, "orders", 0.2) == 0
    assert sim.peek_time() == 0.25
    assert sim.step() == (0.25, [])
    assert sim.step() == (0.95, [(0, lc.Outcome.SUCCESS, 0.95)])  # 0.5 s init, then 0.2 s
    assert sim.step() is None

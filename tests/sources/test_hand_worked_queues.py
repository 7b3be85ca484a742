"""Hand-worked checks of the queue reference model (tests/oracle/queues.py), docs/model.md §8.

Every expected number below was worked out by hand from the rules in oracle.queues'
docstring and the brief; the comments show the work. Durations are fixed (duration_base_s 0.1,
duration_per_record_s 0 unless stated), init is 0, scaling (the function buckets) is off unless
stated, so the ramp is the current one (one slot per 0.2 s, base 5, cap 1250).

A mapping needs its queue's visibility timeout (whole seconds) at least its function's timeout
(AWS's rule): `fn()` times out at 30 s, the default visibility timeout; cases with other
visibility timeouts give the function a timeout no longer, and cases with batches longer than
30 s take `LONG`, a 900 s timeout and visibility timeout.

Reminders used throughout: a message arriving into a dormant mapping is dispatched at once
(W = 0: no poll delay) and schedules the first tick at the first multiple of Δ strictly after
its arrival; at a tick, slots += 1 when a message is visible and every slot is busy.
"""

import pytest

from tests.oracle.queues import (
    BATCH_WINDOW_MESSAGE, DEAD_LETTERED, EXPIRED, PENDING, PROCESSED, simulate_queues,
    visibility_below_timeout_message,
)


# What a refusal says, in the oracle's words or the engine's (the hand-worked cases run on both):
# a bare ValueError could come from another check than the one a case is about.
FIFO_SIZE = r"FIFO batch_size must be 1–10|^Maximum batch size must be between 1 and 10 inclusive$"
FIFO_WINDOW = r"FIFO queues take no batching window|^Batching window is not supported for FIFO"
MAX_CONCURRENCY = r"maximum_concurrency must be 2–1000|'scalingConfig.maximumConcurrency'.* than or equal to 2$"
ONE_MAPPING = r"has more than one mapping|mapping already exists"
RESERVED_ZERO = r"reserved concurrency (is )?0.*pass until"


def acct(limit=1000, scaling=None):
    return {"concurrency_limit": limit, "unreserved_min": None, "scaling": scaling}


def fn(rc=None, timeout=30.0, init=0.0):
    return {"reserved_concurrency": rc, "timeout_s": timeout, "init_s": init}


# batches longer than the default 30 s: a function that may run that long, and its queue's
# visibility timeout as long (none of these cases returns a message)
LONG = {"functions": [fn(timeout=900.0)], "queue": {"visibility_timeout_s": 900}}


def mp(**kw):
    return {"queue": "q", "function": 0, "duration_base_s": 0.1, **kw}


def msgs(rows):
    """rows: (time, key[, failures])"""
    return {"q": {"time": [r[0] for r in rows], "key": [r[1] for r in rows],
                  "failures": [r[2] if len(r) > 2 else 0 for r in rows]}}


def run(rows, queue=None, functions=None, account=None, until=None, workload=None, **mkw):
    return simulate_queues(account or acct(), functions or [fn()],
                           [{"name": "q", **(queue or {})}], [mp(**mkw)], msgs(rows),
                           until=until, workload=workload)


# ---- basic dispatch --------------------------------------------------------------------------

def test_arrivals_are_dispatched_at_once():
    # W = 0: each arrival at 0.5 finds a free slot (5 slots) and goes alone: 3 batches of 1,
    # all 0.5–0.6, running together. The first tick (0.6) comes after the ends at 0.6: nothing
    # unresolved, slots = base → dormant; the horizon is the last resolution, 0.6.
    out = run([(0.5, 9)] * 3)
    r = out["records"]["q"]
    assert r["outcome"] == [PROCESSED] * 3
    assert r["start"] == [0.5] * 3 and r["end"] == [0.6] * 3
    assert r["attempts"] == [1] * 3 and r["receives"] == [1] * 3
    assert r["group"] == [0, 0, 0]  # standard queue: key ignored
    m = out["mappings"][0]
    assert (m["batches"], m["invocations"], m["max_concurrency"], m["max_slots"]) == (3, 3, 3, 5)
    assert m["records_processed"] == 3 and m["retries"] == 0 and m["throttles"] == 0
    assert out["destinations"] == {} and out["horizon"] == 0.6


def test_per_record_duration():
    # maximum_concurrency 2 (base = cap = 2), batch_size 10, duration 0.1 + 0.05 × n.
    # 0: m0, m1 go alone (0.15 s each: 0–0.15); m2, m3, m4 wait. 0.15: m0 ends first (started
    # first) → batch [2,3,4] (0.1 + 3 × 0.05 = 0.25) 0.15–0.40; m1's end finds nothing.
    out = run([(0.0, 1)] * 5, maximum_concurrency=2, duration_per_record_s=0.05)
    r = out["records"]["q"]
    assert r["start"] == [0.0, 0.0, 0.15, 0.15, 0.15]
    assert r["end"] == [0.15, 0.15, 0.4, 0.4, 0.4]
    m = out["mappings"][0]
    assert (m["batches"], m["invocations"], m["max_concurrency"], m["max_slots"]) == (3, 3, 2, 2)
    assert out["horizon"] == 0.4


# ---- the ramp --------------------------------------------------------------------------------

@pytest.mark.parametrize("until,slots", [(0.1, 5), (0.2, 6), (1.0, 10), (60.0, 305)])
def test_current_ramp_300_per_minute(until, slots):
    # 400 messages at 0, batch_size 1, each batch 100 s: a full backlog all along.
    # 0: m0–m4 take the 5 slots. Ticks at 0.2k (k ≥ 1): visible and 5 + k − 1 busy → slots
    # 5 + k, m(4+k) starts at 0.2k. At 60 s: k = 300 → 305 slots (+300 per minute).
    out = run([(0.0, 0)] * 400, batch_size=1, duration_base_s=100.0, until=until, **LONG)
    m = out["mappings"][0]
    assert m["max_slots"] == slots
    assert m["max_concurrency"] == m["invocations"] == m["batches"] == slots
    assert out["functions"][0]["max_concurrency"] == slots
    r = out["records"]["q"]
    assert r["start"][:5] == [0.0] * 5
    assert all(r["start"][4 + k] == pytest.approx(0.2 * k, abs=1e-9) for k in range(1, slots - 4))
    assert r["start"][slots] is None and r["outcome"] == [PENDING] * 400
    if slots == 305:
        assert r["start"][304] == 60.0


def test_current_ramp_stops_at_1250():
    # 1300 messages, 500 s batches, account limit 2000 (no throttles). Slots reach 1250 at the
    # tick k = 1245 (5 + 1245): 1245 × 0.2 = 249.0 s, when m1249 starts; then slots < cap
    # fails: m1250 never starts by 260.
    out = run([(0.0, 0)] * 1300, batch_size=1, duration_base_s=500.0, until=260.0,
              account=acct(limit=2000), **LONG)
    m = out["mappings"][0]
    assert m["max_slots"] == 1250 and m["max_concurrency"] == 1250
    r = out["records"]["q"]
    assert r["start"][1249] == 249.0 and r["start"][1250] is None
    assert out["functions"][0]["throttles"] == 0


@pytest.mark.parametrize("until,slots", [(0.9, 5), (1.0, 6), (10.0, 15)])
def test_legacy_ramp_60_per_minute(until, slots):
    # scaling "legacy": Δ = 1 s. Ticks at 1, 2, … each add one slot under the backlog:
    # m5 starts at 1.0, m14 at 10.0 (15 slots after 10 s). The legacy shared scaling bucket
    # (3000 tokens) never runs dry here.
    out = run([(0.0, 0)] * 100, batch_size=1, duration_base_s=100.0, until=until,
              account=acct(scaling="legacy"), **LONG)
    m = out["mappings"][0]
    assert m["max_slots"] == slots and m["max_concurrency"] == slots
    r = out["records"]["q"]
    assert r["start"][slots - 1] == (0.0 if slots == 5 else float(slots - 5))
    assert r["start"][slots] is None


@pytest.mark.parametrize("until,slots", [(994.5, 999), (995.0, 1000), (1100.0, 1000)])
def test_legacy_ramp_stops_at_1000(until, slots):
    # Legacy cap 1000 = 5 + 995 ticks: the tick at 995.0 s opens the 1000th slot, later ticks
    # none. 800 s batches: from 800.0 on, the batches started at s end at s + 800 and each end
    # refills its slot at once (ends come before the tick at the same instant), so every slot
    # is still busy at each tick: the ramp keeps +1 per tick. 2100 messages keep a backlog:
    # by 1100 s, 1000 slots' first batches + 305 refills (5 started at 0, then one per tick
    # 1 … 300) = 1305 < 2100 have been taken.
    out = run([(0.0, 0)] * 2100, batch_size=1, duration_base_s=800.0, until=until,
              account=acct(limit=2000, scaling="legacy"), **LONG)
    m = out["mappings"][0]
    assert m["max_slots"] == slots and m["max_concurrency"] == slots
    assert out["functions"][0]["throttles"] == 0


def test_maximum_concurrency_2():
    # mc 2: base = cap = 2. 10 messages at 0, batch_size 1, 1 s each: two at a time, each end
    # starts the next one: 0, 0, 1, 1, 2, 2, 3, 3, 4, 4. Last ends at 5.0.
    out = run([(0.0, 0)] * 10, batch_size=1, duration_base_s=1.0, maximum_concurrency=2)
    r = out["records"]["q"]
    assert r["start"] == [0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]
    m = out["mappings"][0]
    assert m["max_slots"] == 2 and m["max_concurrency"] == 2 and m["invocations"] == 10
    assert out["horizon"] == 5.0


def test_maximum_concurrency_1000_caps_the_current_ramp():
    # cap = min(1250, 1000): reached at tick 995 → 995 × 0.2 = 199.0 s (m999 starts).
    out = run([(0.0, 0)] * 1100, batch_size=1, duration_base_s=500.0, until=250.0,
              maximum_concurrency=1000, account=acct(limit=2000), **LONG)
    m = out["mappings"][0]
    assert m["max_slots"] == 1000 and m["max_concurrency"] == 1000
    r = out["records"]["q"]
    assert r["start"][999] == 199.0 and r["start"][1000] is None


def test_slots_fall_back_to_base_when_idle():
    # 8 messages at 0, batch_size 1, 1 s each. 0: m0–m4 (end 1.0). Ticks: 0.2 → 6 slots, m5
    # (end 1.2); 0.4 → 7, m6 (end 1.4); 0.6 → 8, m7 (end 1.6); 0.8: nothing visible → 7;
    # 1.0 (after the ends) → 6; 1.2 → 5; 1.4: slots = base, m7 unresolved → tick 1.6: m7 has
    # ended (ends before timers), nothing left → dormant.
    # 8 more at 10.0: only 5 slots again → five at 10.0, then 10.2, 10.4, 10.6.
    rows = [(0.0, 0)] * 8 + [(10.0, 0)] * 8
    out = run(rows, batch_size=1, duration_base_s=1.0)
    r = out["records"]["q"]
    assert r["start"] == [0.0] * 5 + [0.2, 0.4, 0.6] + [10.0] * 5 + [10.2, 10.4, 10.6]
    assert out["mappings"][0]["max_slots"] == 8


def test_slots_decay_one_per_tick():
    # As above, but the second burst arrives at 1.1, while slots are 6 (8 → 7 at 0.8, → 6 at
    # 1.0) and m5, m6, m7 still run (3 busy): m8, m9, m10 start at 1.1; m11–m15 wait.
    # 1.2: m5 ends → m11 (6 busy); tick: visible, 6 busy = 6 slots → 7, m12.
    # 1.4: m6 ends → m13; tick: 7 busy = 7 → 8, m14. 1.6: m7 ends → m15; tick: none visible
    # → 7. max_slots 8, max_concurrency 8 (at 0.6 and again at 1.4).
    rows = [(0.0, 0)] * 8 + [(1.1, 0)] * 8
    out = run(rows, batch_size=1, duration_base_s=1.0)
    r = out["records"]["q"]
    assert r["start"][8:] == [1.1, 1.1, 1.1, 1.2, 1.2, 1.4, 1.4, 1.6]
    m = out["mappings"][0]
    assert m["max_slots"] == 8 and m["max_concurrency"] == 8


# ---- visibility timeout, DLQ, retention ------------------------------------------------------

def test_visibility_timeout_return_after_error():
    # VT 10. m0 (2 failures): 0–0.1 fails → back at max(0 + 10, 0.1) = 10.0; 10.0–10.1 fails →
    # back at 20.0; 20.0–20.1 succeeds. m1 (5.0) goes alone 5.0–5.1 (m0 is invisible then).
    rows = [(0.0, 0, 2), (5.0, 0)]
    out = run(rows, functions=[fn(timeout=10.0)], queue={"visibility_timeout_s": 10})
    r = out["records"]["q"]
    assert r["outcome"] == [PROCESSED, PROCESSED]
    assert r["attempts"] == [3, 1] and r["receives"] == [3, 1]
    assert r["start"] == [20.0, 5.0] and r["end"] == [20.1, 5.1]
    m = out["mappings"][0]
    assert (m["retries"], m["invocations"], m["batches"]) == (2, 4, 4)
    assert out["functions"][0]["errors"] == 2
    assert out["horizon"] == 20.1

    # until 15: m0 pending after two attempts (the last 10.0–10.1), received twice.
    out = run(rows, functions=[fn(timeout=10.0)], queue={"visibility_timeout_s": 10}, until=15.0)
    r = out["records"]["q"]
    assert r["outcome"] == [PENDING, PROCESSED]
    assert r["attempts"] == [2, 1] and r["receives"] == [2, 1]
    assert r["start"] == [10.0, 5.0] and r["end"] == [10.1, 5.1]
    assert out["horizon"] == 15.0


def test_error_as_long_as_the_visibility_timeout_returns_at_once():
    # VT 2 = the function's timeout, 2 s batches (not a timeout: they end at it), m0 fails
    # once: 0–2.0 fails; back at max(0 + 2, 2.0) = 2.0 = now → visible before the dispatch of
    # that end: 2.0–4.0 succeeds.
    two = [fn(timeout=2.0)]
    r = run([(0.0, 0, 1)], functions=two, queue={"visibility_timeout_s": 2}, duration_base_s=2.0)
    r = r["records"]["q"]
    assert r["start"] == [2.0] and r["end"] == [4.0] and r["receives"] == [2]
    # VT 3: back at max(3, 2) = 3.0 by a timer: 3.0–5.0.
    r = run([(0.0, 0, 1)], functions=two, queue={"visibility_timeout_s": 3}, duration_base_s=2.0)
    assert r["records"]["q"]["start"] == [3.0] and r["records"]["q"]["end"] == [5.0]


def test_max_receive_count_dead_letters():
    # VT 10, max_receive_count 2, m0 always fails: received at 0 (fails 0–0.1) and 10.0 (fails
    # 10.0–10.1); at 20.0 its receives (2) equal the limit → DLQ at 20.0, no third batch.
    out = run([(0.0, 0, 100)], functions=[fn(timeout=10.0)],
              queue={"visibility_timeout_s": 10, "max_receive_count": 2})
    r = out["records"]["q"]
    assert r["outcome"] == [DEAD_LETTERED]
    assert r["receives"] == [2] and r["attempts"] == [2]
    assert r["start"] == [10.0] and r["end"] == [10.1]
    m = out["mappings"][0]
    assert (m["records_failed"], m["on_failure_records"], m["batches"], m["retries"]) == \
        (1, 1, 2, 2)
    assert out["horizon"] == 20.0


def test_timeouts_count_as_errors_until_the_dlq():
    # Function timeout 1 s, batches of 2 s: every attempt times out at +1 s. VT 10, limit 2:
    # 0–1.0 timeout, 10.0–11.0 timeout (re-init: a cold start on the same environment),
    # DLQ at 20.0.
    out = run([(0.0, 0)], functions=[fn(timeout=1.0)], duration_base_s=2.0,
              queue={"visibility_timeout_s": 10, "max_receive_count": 2})
    r = out["records"]["q"]
    assert r["outcome"] == [DEAD_LETTERED] and r["start"] == [10.0] and r["end"] == [11.0]
    f = out["functions"][0]
    assert (f["errors"], f["cold_starts"], f["environments_created"]) == (2, 2, 1)
    assert out["mappings"][0]["retries"] == 2


def test_retention_expires_returned_and_waiting_messages():
    # FIFO, one group, batch_size 1, VT 30, retention 60. m0 (always fails): 0–0.1 fails,
    # back at 30.0: 30.0–30.1 fails, back at 60.0. m1 (0.0) waits behind it all along.
    # 60.0: the return fires, dispatch deletes m0 and m1 (0 + 60 ≤ 60); m2 (0.5: 60.5 > 60)
    # runs 60.0–60.1.
    out = run([(0.0, 1, 100), (0.0, 1), (0.5, 1)], batch_size=1,
              queue={"fifo": True, "visibility_timeout_s": 30, "retention_s": 60})
    r = out["records"]["q"]
    assert r["outcome"] == [EXPIRED, EXPIRED, PROCESSED]
    assert r["attempts"] == [2, 0, 1] and r["receives"] == [2, 0, 1]
    assert r["start"] == [30.0, None, 60.0] and r["end"] == [30.1, None, 60.1]
    m = out["mappings"][0]
    assert (m["records_expired"], m["records_processed"], m["retries"]) == (2, 1, 2)
    assert out["horizon"] == 60.1


def test_retention_deletes_a_message_waiting_for_a_slot():
    # Standard, mc 2, retention 60: m0, m1 hold both slots 0–100; m2 (0.0) waits visible.
    # The tick at 60.0 deletes it (0 + 60 ≤ 60) before the ramp looks: EXPIRED at 60.0,
    # never received. Horizon: the last resolution, 100.0.
    out = run([(0.0, 0)] * 3, duration_base_s=100.0, maximum_concurrency=2,
              functions=LONG["functions"], queue={**LONG["queue"], "retention_s": 60})
    r = out["records"]["q"]
    assert r["outcome"] == [PROCESSED, PROCESSED, EXPIRED]
    assert r["receives"] == [1, 1, 0] and r["start"] == [0.0, 0.0, None]
    assert out["mappings"][0]["records_expired"] == 1
    assert out["horizon"] == 100.0


# ---- batching window ---------------------------------------------------------------------------

def test_batching_window_fill_vs_timeout():
    # batch_size 3, W = 2. 0.3: 1 visible → window until 2.3. 1.5: 2 visible. 2.2: 3 → a full
    # batch at once, 2.2–2.3; the 2.3 window is now stale. 2.25: m3 opens a new window until
    # 4.25. 2.3: the stale window is ignored (else m3 would go alone at 2.3), the batch end
    # finds the window open. 2.6: m4. 4.25: the window ends → [m3, m4] 4.25–4.35.
    rows = [(0.3, 0), (1.5, 0), (2.2, 0), (2.25, 0), (2.6, 0)]
    out = run(rows, batch_size=3, batching_window_s=2.0)
    r = out["records"]["q"]
    assert r["start"] == [2.2, 2.2, 2.2, 4.25, 4.25]
    assert r["end"] == [2.3, 2.3, 2.3, 4.35, 4.35]
    assert out["mappings"][0]["batches"] == 2


def test_batch_larger_than_10_needs_and_uses_a_window():
    with pytest.raises(ValueError, match=BATCH_WINDOW_MESSAGE):
        run([(0.5, 0)], batch_size=11)
    # batch_size 100, W = 1, 250 messages at 0.5. m0 opens a window (to 1.5); m99 makes 100
    # visible → [m0–m99] at 0.5 (the window goes stale); m100 opens a new window; m199 →
    # [m100–m199] at 0.5; m200–m249 wait for the window of m200: [m200–m249] at 1.5.
    out = run([(0.5, 0)] * 250, batch_size=100, batching_window_s=1.0)
    r = out["records"]["q"]
    assert r["start"] == [0.5] * 200 + [1.5] * 50
    m = out["mappings"][0]
    assert (m["batches"], m["invocations"], m["max_concurrency"]) == (3, 3, 2)


# ---- FIFO ----------------------------------------------------------------------------------------

def test_fifo_one_group_one_batch_at_a_time():
    # One group (7), batch_size 1, 1 s batches: 0, 1, 2, 3, 4, never two at once although
    # 5 slots exist (and no ramp: 1 busy ≠ 5 slots).
    out = run([(0.0, 7)] * 5, batch_size=1, duration_base_s=1.0, queue={"fifo": True})
    r = out["records"]["q"]
    assert r["start"] == [0.0, 1.0, 2.0, 3.0, 4.0] and r["group"] == [7] * 5
    m = out["mappings"][0]
    assert m["max_concurrency"] == 1 and m["max_slots"] == 5
    assert out["horizon"] == 5.0
    # batch_size 10: m0 goes alone on arrival; m1–m4 arrive behind the locked group and go
    # together at 1.0.
    out = run([(0.0, 7)] * 5, batch_size=10, duration_base_s=1.0, queue={"fifo": True})
    assert out["records"]["q"]["start"] == [0.0, 1.0, 1.0, 1.0, 1.0]
    assert out["mappings"][0]["batches"] == 2


def test_fifo_failure_blocks_only_its_group():
    # VT 5, batch_size 1, 1 s batches. A0 (group 1, fails once), A1 (1), B0 (2) at 0; B1 (2) at
    # 0.5. 0: A0 and B0 start; A1 and B1 wait behind their groups. 1.0: A0 ends first (fails,
    # back at max(0 + 5, 1) = 5.0, group 1 stays locked); B0 succeeds → B1 1.0–2.0.
    # 5.0: A0 again 5.0–6.0 ok; then A1 6.0–7.0.
    rows = [(0.0, 1, 1), (0.0, 1), (0.0, 2), (0.5, 2)]
    out = run(rows, batch_size=1, duration_base_s=1.0, functions=[fn(timeout=5.0)],
              queue={"fifo": True, "visibility_timeout_s": 5})
    r = out["records"]["q"]
    assert r["outcome"] == [PROCESSED] * 4 and r["group"] == [1, 1, 2, 2]
    assert r["start"] == [5.0, 6.0, 0.0, 1.0] and r["end"] == [6.0, 7.0, 1.0, 2.0]
    assert r["attempts"] == [2, 1, 1, 1] and r["receives"] == [2, 1, 1, 1]
    m = out["mappings"][0]
    assert m["retries"] == 1 and m["max_concurrency"] == 2 and m["invocations"] == 5


def test_fifo_failed_batch_comes_back_whole_and_in_order():
    # batch_size 10, VT 5, 1 s batches. A0 (group 1, 0.0) goes alone 0–1. A1 (fails once), A2
    # at 0.5 and A3 at 0.6 wait; 1.0: [A1, A2, A3] 1.0–2.0 fails → back at max(1 + 5, 2) = 6.0
    # → [A1, A2, A3] again 6.0–7.0. B0 (group 2) at 1.5 runs 1.5–2.5 meanwhile.
    rows = [(0.0, 1), (0.5, 1, 1), (0.5, 1), (0.6, 1), (1.5, 2)]
    out = run(rows, duration_base_s=1.0, functions=[fn(timeout=5.0)],
              queue={"fifo": True, "visibility_timeout_s": 5})
    r = out["records"]["q"]
    assert r["start"] == [0.0, 6.0, 6.0, 6.0, 1.5]
    assert r["attempts"] == [1, 2, 2, 2, 1] and r["receives"] == [1, 2, 2, 2, 1]
    assert out["mappings"][0]["batches"] == 4


def test_fifo_dead_letter_unblocks_the_group():
    # max_receive_count 1, VT 10, batch_size 1: A0 fails 0–0.1 and comes back at 10.0, when
    # its receives (1) equal the limit → DLQ at 10.0; the same dispatch takes A1 (same group)
    # 10.0–10.1.
    out = run([(0.0, 1, 1), (0.0, 1)], batch_size=1, functions=[fn(timeout=10.0)],
              queue={"fifo": True, "visibility_timeout_s": 10, "max_receive_count": 1})
    r = out["records"]["q"]
    assert r["outcome"] == [DEAD_LETTERED, PROCESSED]
    assert r["receives"] == [1, 1] and r["attempts"] == [1, 1]
    assert r["start"] == [0.0, 10.0]
    m = out["mappings"][0]
    assert (m["batches"], m["on_failure_records"], m["records_failed"]) == (2, 1, 1)


def test_fifo_maximum_concurrency_bounds_groups():
    # mc 2, three groups at 0, batch_size 1, 1 s: groups 1 and 2 start at 0 (oldest heads);
    # group 3 waits for a slot: 1.0. Its second message (0.0) follows at 2.0.
    rows = [(0.0, 1), (0.0, 2), (0.0, 3), (0.0, 3)]
    out = run(rows, batch_size=1, duration_base_s=1.0, maximum_concurrency=2,
              queue={"fifo": True})
    assert out["records"]["q"]["start"] == [0.0, 0.0, 1.0, 2.0]
    assert out["mappings"][0]["max_concurrency"] == 2


# ---- throttles, until, reserved 0 ------------------------------------------------------------

def test_throttled_batch_returns_after_visibility_timeout():
    # RC 1, a request holds the one slot 0–10. m0 at 1.0: received, throttled (reserved
    # limit), invisible until 1 + 30 = 31.0; then 31.0–31.1.
    wl = {"time": [0.0], "function": [0], "duration": [10.0]}
    out = run([(1.0, 0)], functions=[fn(rc=1)], workload=wl)
    r = out["records"]["q"]
    assert r["start"] == [31.0] and r["end"] == [31.1]
    assert r["receives"] == [2] and r["attempts"] == [1]
    m = out["mappings"][0]
    assert (m["throttles"], m["batches"], m["invocations"], m["retries"]) == (1, 2, 1, 0)
    f = out["functions"][0]
    assert (f["throttles"], f["throttles_reserved"], f["invocations"]) == (1, 1, 2)
    assert out["requests"]["outcome"] == [1] and out["requests"]["end"] == [10.0]
    assert out["horizon"] == 31.1
    # VT 5, so a function timeout of 5 s at most: two 5 s requests hold the slot 0–10 instead.
    # Throttled at 1.0 and again at 6.0; 11.0–11.1.
    wl = {"time": [0.0, 5.0], "function": [0, 0], "duration": [5.0, 5.0]}
    out = run([(1.0, 0)], functions=[fn(rc=1, timeout=5.0)], workload=wl,
              queue={"visibility_timeout_s": 5})
    r = out["records"]["q"]
    assert r["start"] == [11.0] and r["receives"] == [3]
    assert out["mappings"][0]["throttles"] == 2


def test_until_leaves_messages_pending():
    # VT 10, m0 fails twice: attempts at 0 and 10.0 (10.0–10.1). until 10.05: m0 pending,
    # received twice, its second execution started 10.0 and has not ended. m1 at 12 never
    # arrives.
    out = run([(0.0, 0, 2), (12.0, 0)], functions=[fn(timeout=10.0)],
              queue={"visibility_timeout_s": 10}, until=10.05)
    r = out["records"]["q"]
    assert r["outcome"] == [PENDING, PENDING]
    assert r["attempts"] == [2, 0] and r["receives"] == [2, 0]
    assert r["start"] == [10.0, None] and r["end"] == [None, None]
    assert out["horizon"] == 10.05


def test_reserved_zero_needs_until():
    with pytest.raises(ValueError, match=RESERVED_ZERO):
        run([(0.5, 0)], functions=[fn(rc=0)])
    # Throttled at 0.5, 30.5, 60.5 (VT 30); the next return, 90.5, is after until.
    out = run([(0.5, 0)], functions=[fn(rc=0)], until=65.0)
    r = out["records"]["q"]
    assert r["outcome"] == [PENDING] and r["receives"] == [3] and r["attempts"] == [0]
    assert out["mappings"][0]["throttles"] == 3 and out["functions"][0]["throttles"] == 3
    # With max_receive_count 2: received at 0.5 and 30.5, dead-lettered at 60.5.
    out = run([(0.5, 0)], functions=[fn(rc=0)], until=100.0, queue={"max_receive_count": 2})
    r = out["records"]["q"]
    assert r["outcome"] == [DEAD_LETTERED] and r["receives"] == [2]
    assert out["mappings"][0]["throttles"] == 2


def test_message_arrival_after_workload_row_at_the_same_instant():
    # RC 1, VT 2. A request and a message both at 1.0: the workload row arrives first and takes
    # the slot (1.0–1.5); the message's batch is throttled, back at 3.0: 3.0–3.1.
    wl = {"time": [1.0], "function": [0], "duration": [0.5]}
    out = run([(1.0, 0)], functions=[fn(rc=1, timeout=2.0)], workload=wl,
              queue={"visibility_timeout_s": 2})
    assert out["requests"]["outcome"] == [1]
    r = out["records"]["q"]
    assert r["start"] == [3.0] and r["receives"] == [2]
    assert out["functions"][0]["throttles"] == 1
    # A message at 0.9 runs 0.9–1.0: its end (phase 1) frees the slot before the request
    # arrives at 1.0 (phase 4): no throttle at all.
    out = run([(0.9, 0)], functions=[fn(rc=1)], workload=wl)
    assert out["requests"]["outcome"] == [1]
    assert out["records"]["q"]["start"] == [0.9] and out["records"]["q"]["end"] == [1.0]
    assert out["functions"][0]["throttles"] == 0


# ---- shapes and validation ---------------------------------------------------------------------

def test_unmapped_queue_and_validation():
    out = simulate_queues(acct(), [fn()], [{"name": "q"}, {"name": "other", "fifo": True}],
                          [mp()], {"q": {"time": [0.0]}, "other": {"time": [0.0], "key": [3]}})
    assert out["records"]["q"]["outcome"] == [PROCESSED]
    assert out["records"]["other"] == {"outcome": [PENDING], "group": [3], "attempts": [0],
                                       "receives": [0], "start": [None], "end": [None]}
    assert set(out["mappings"][0]) == {
        "invocations", "batches", "max_concurrency", "max_slots", "throttles", "retries",
        "records_processed", "records_failed", "records_expired", "on_failure_records",
        "polled_records", "invoked_records", "failed_invoke_records", "max_visible"}
    # Each refusal for its own cause (the oracle's text | the engine's): a FIFO batch of 11
    # without a window, since a window alone is refused for FIFO and would hide the size check.
    with pytest.raises(ValueError, match=FIFO_SIZE):  # FIFO batches hold at most 10
        run([(0.0, 1)], queue={"fifo": True}, batch_size=11)
    with pytest.raises(ValueError, match=FIFO_WINDOW):  # FIFO: no batching window
        run([(0.0, 1)], queue={"fifo": True}, batching_window_s=1.0)
    with pytest.raises(ValueError, match=MAX_CONCURRENCY):  # maximum_concurrency 2–1000
        run([(0.0, 1)], maximum_concurrency=1)
    with pytest.raises(ValueError, match=ONE_MAPPING):  # one mapping per queue
        simulate_queues(acct(), [fn()], [{"name": "q"}], [mp(), mp()], msgs([(0.0, 1)]))
    # CreateEventSourceMapping: the queue's visibility timeout at least the function's timeout
    # (equal is fine, above); AWS's text on both
    run([(0.0, 1)], functions=[fn(timeout=31.0)], queue={"visibility_timeout_s": 31})
    with pytest.raises(ValueError, match="^" + visibility_below_timeout_message(30, 31) + "$"):
        run([(0.0, 1)], functions=[fn(timeout=31.0)])
    assert visibility_below_timeout_message(30, 60) == (
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")


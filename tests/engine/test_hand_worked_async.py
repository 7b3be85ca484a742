"""Hand-worked checks of the reference model's asynchronous invocation (docs/model.md §6) and of
client-side retries of throttled synchronous requests (§5).

Every expected number below was worked out by hand from the spec and the semantics that settle
its ambiguities (see tests/oracle/invocations.py); the comments show the work. All times are exact
in microseconds, so the float seconds compared here are the nearest doubles of the literals.
"""

import pytest

from tests.oracle.invocations import (
    ACCOUNT_LIMIT, ERROR, EVENT_AGE_EXCEEDED, PENDING, RESERVED_LIMIT, RETRIES_EXHAUSTED, SUCCESS,
    THROTTLED, TIMEOUT, ZERO_RESERVED_CONCURRENCY, SplitMix64, simulate,
)

SYNC, EVENT = 0, 1


def acct(limit=1000, scaling=None):
    return {"concurrency_limit": limit, "unreserved_min": None, "scaling": scaling,
            "scaling_burst": None, "token_cost_us": None}


def fn(rc=None, pc=None, timeout=900.0, init=0.0, idle=600.0, retries=None, age=None,
       on_success=None, on_failure=None, dlq=None):
    f = {"reserved_concurrency": rc, "provisioned_concurrency": pc, "timeout_s": timeout,
         "init_s": init, "idle_timeout_s": idle, "provisioned_ready_s": 0.0,
         "on_success": on_success, "on_failure": on_failure, "dead_letter_queue": dlq}
    if retries is not None:
        f["max_retry_attempts"] = retries
    if age is not None:
        f["max_event_age_s"] = age
    return f


def wl(rows):
    """rows: (time, function, duration[, failures[, invocation_type]])"""
    return {"time": [r[0] for r in rows], "function": [r[1] for r in rows],
            "duration": [r[2] for r in rows],
            "failures": [r[3] if len(r) > 3 else 0 for r in rows],
            "invocation_type": [r[4] if len(r) > 4 else SYNC for r in rows]}


def retries(max_attempts, base_s, cap_s):
    return {"max_attempts": max_attempts, "base_s": base_s, "cap_s": cap_s}


# ---- the random stream ------------------------------------------------------------------------

def _splitmix64(seed, count):
    """A tiny independent SplitMix64, to check the model's and the hard-coded draws below."""
    m = (1 << 64) - 1
    out = []
    for _ in range(count):
        seed = (seed + 0x9E3779B97F4A7C15) & m
        z = seed
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
        out.append(z ^ (z >> 31))
    return out


# SplitMix64 with seed 0: its first four outputs, and u = output >> 11 (53 bits).
SEED0 = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC]
U0 = [7956156453446585, 3886858653415212, 238094247788840, 8744927430068624]
# seed 1: first output 0x910A2DEC89025CC1, u = 5103132997656651.


def test_splitmix64_outputs():
    assert _splitmix64(0, 4) == SEED0
    rng = SplitMix64(0)
    assert [rng.next() for _ in range(4)] == SEED0
    assert [x >> 11 for x in SEED0] == U0
    assert _splitmix64(1, 1) == [0x910A2DEC89025CC1]
    assert 0x910A2DEC89025CC1 >> 11 == 5103132997656651
    # The jitter delays used below: (u × ceiling_us) >> 53.
    assert (U0[0] * 1_000_000) >> 53 == 883310
    assert (U0[1] * 2_000_000) >> 53 == 863055
    assert (U0[1] * 1_000_000) >> 53 == 431527
    assert (U0[1] * 1_500_000) >> 53 == 647291
    assert (U0[2] * 1_500_000) >> 53 == 39650
    assert (U0[2] * 2_000_000) >> 53 == 52867
    assert (U0[3] * 2_000_000) >> 53 == 1941763
    assert (5103132997656651 * 1_000_000) >> 53 == 566561


# ---- plain runs: the new columns ----------------------------------------------------------------

def test_sync_rows_get_start_columns_and_no_async_fields():
    # limit 1: row 0 runs 0.25–1.25 (cold); row 1 at 0.5 is throttled; no invocation_type key.
    w = {"time": [0.25, 0.5], "function": [0, 0], "duration": [1.0, 1.0], "failures": [0, 0]}
    r = simulate(acct(1), [fn()], w)
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, THROTTLED]
    assert q["first_start"] == [0.25, None] and q["last_start"] == [0.25, None]
    assert q["event_age"] == [None, None]
    assert q["end"] == [1.25, 0.5]
    f = r["functions"][0]
    assert (f["async_events_received"], f["async_events_dropped"]) == (0, 0)
    assert r["destinations"] == {}


# ---- §6 error retries and maximum event age ---------------------------------------------------

def test_failing_event_default_settings():
    # AWS: attempts at 0 s, 61 s (60 s after the first failure ended at 1 s) and 182 s
    # (120 s after the second ended at 62 s); the third failure (183 s) exhausts 2 retries.
    r = simulate(acct(10), [fn()], wl([(0.0, 0, 1.0, 3, EVENT)]))
    q = r["requests"]
    assert q["outcome"] == [RETRIES_EXHAUSTED]
    assert q["attempts"] == [3] and q["throttles"] == [0] and q["throttle_reason"] == [0]
    assert q["end"] == [183.0]
    assert q["first_start"] == [0.0] and q["last_start"] == [182.0]
    assert q["event_age"] == [182.0]
    assert q["cold_starts"] == [1]  # env idle since 1 and 62, expires after 600 s: warm
    f = r["functions"][0]
    assert (f["invocations"], f["errors"], f["cold_starts"]) == (3, 3, 1)
    assert (f["async_events_received"], f["async_events_dropped"]) == (1, 1)
    assert f["environments_created"] == 1 and f["throttles"] == 0
    assert r["horizon"] == 183.0
    assert r["destinations"] == {}  # none configured


@pytest.mark.parametrize("until, invocations, errors", [
    (60.999999, 1, 1),  # only the first attempt by then
    (61.0, 2, 2),  # the second attempt starts exactly at 61 (counted at admission)
    (181.999999, 2, 2),
    (182.0, 3, 3),
])
def test_failing_event_attempt_times_seen_through_until(until, invocations, errors):
    r = simulate(acct(10), [fn()], wl([(0.0, 0, 1.0, 3, EVENT)]), until=until)
    assert r["requests"]["outcome"] == [PENDING]
    assert r["requests"]["first_start"] == [None] and r["requests"]["end"] == [None]
    f = r["functions"][0]
    assert (f["invocations"], f["errors"]) == (invocations, errors)
    assert f["async_events_dropped"] == 0


@pytest.mark.parametrize("age, outcome, attempts, end, last_start", [
    (60, EVENT_AGE_EXCEEDED, 1, 1.0, 0.0),  # 1 + 60 = 61 > 60: dropped when attempt 1 ends
    (61, EVENT_AGE_EXCEEDED, 2, 62.0, 61.0),  # 61 ≤ 61: retry; 62 + 120 = 182 > 61
    (90, EVENT_AGE_EXCEEDED, 2, 62.0, 61.0),  # AWS: with 90 s two attempts
    (181, EVENT_AGE_EXCEEDED, 2, 62.0, 61.0),  # 182 > 181
    (182, RETRIES_EXHAUSTED, 3, 183.0, 182.0),  # 182 ≤ 182: third attempt, then exhausted
    (21600, RETRIES_EXHAUSTED, 3, 183.0, 182.0),
])
def test_max_event_age_looks_ahead(age, outcome, attempts, end, last_start):
    r = simulate(acct(10), [fn(age=age, on_failure="F")], wl([(0.0, 0, 1.0, 3, EVENT)]))
    q = r["requests"]
    assert q["outcome"] == [outcome] and q["attempts"] == [attempts]
    assert q["end"] == [end] and q["last_start"] == [last_start] and q["event_age"] == [last_start]
    assert r["functions"][0]["async_events_dropped"] == 1
    assert r["destinations"] == {"F": {"request": [0], "condition": [outcome],
                                       "approximate_invoke_count": [attempts], "time": [end]}}


@pytest.mark.parametrize("max_retry, attempts, end", [
    (0, 1, 1.0),  # no retry at all
    (1, 2, 62.0),  # one retry at 61, fails at 62
    (2, 3, 183.0),
])
def test_max_retry_attempts(max_retry, attempts, end):
    r = simulate(acct(10), [fn(retries=max_retry)], wl([(0.0, 0, 1.0, 5, EVENT)]))
    q = r["requests"]
    assert q["outcome"] == [RETRIES_EXHAUSTED] and q["attempts"] == [attempts]
    assert q["end"] == [end]
    assert r["functions"][0]["errors"] == attempts


def test_event_succeeds_on_retry():
    # First attempt fails (0–1), retry at 61 succeeds, ends 62.
    r = simulate(acct(10), [fn(on_success="S", on_failure="F")], wl([(0.0, 0, 1.0, 1, EVENT)]))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS] and q["attempts"] == [2] and q["end"] == [62.0]
    assert q["event_age"] == [61.0]
    f = r["functions"][0]
    assert (f["invocations"], f["errors"], f["async_events_dropped"]) == (2, 1, 0)
    assert r["destinations"] == {"S": {"request": [0], "condition": [SUCCESS],
                                       "approximate_invoke_count": [2], "time": [62.0]}}


def test_timeouts_are_retried_and_each_retry_reinitialises():
    # timeout 1, init 0.5, duration 2: attempt 1 cold 0–1.5 (cut) → retry at 61.5, re-init,
    # ends 63.0 → retry at 183.0, re-init, ends 184.5 → exhausted. Every attempt is cold.
    r = simulate(acct(10), [fn(timeout=1.0, init=0.5)], wl([(0.0, 0, 2.0, 0, EVENT)]))
    q = r["requests"]
    assert q["outcome"] == [RETRIES_EXHAUSTED] and q["attempts"] == [3]
    assert q["end"] == [184.5] and q["first_start"] == [0.0] and q["last_start"] == [183.0]
    assert q["event_age"] == [183.0]  # to the attempt's admission, init not included
    assert q["cold_starts"] == [3]
    f = r["functions"][0]
    assert (f["errors"], f["cold_starts"], f["environments_created"]) == (3, 3, 1)


@pytest.mark.parametrize("idle, cold, created", [
    (60.0, 2, 2),  # env idle since 1 is gone at exactly 61 (class 2) before the retry (class 3)
    (60.000001, 1, 1),  # gone at 61.000001: the retry at 61 reuses it
])
def test_idle_expiry_comes_before_a_retry_at_the_same_instant(idle, cold, created):
    r = simulate(acct(10), [fn(idle=idle)], wl([(0.0, 0, 1.0, 1, EVENT)]))
    assert r["requests"]["outcome"] == [SUCCESS] and r["requests"]["end"] == [62.0]
    assert r["requests"]["cold_starts"] == [cold]
    assert r["functions"][0]["environments_created"] == created


# ---- §6 reserved concurrency 0 ------------------------------------------------------------------

def test_zero_reserved_concurrency_drops_without_attempt():
    rows = [(2.5, 0, 1.0, 0, EVENT), (2.5, 0, 1.0, 0, SYNC), (3.0, 1, 1.0, 0, EVENT)]
    r = simulate(acct(10), [fn(rc=0, on_failure="F"), fn()], wl(rows))
    q = r["requests"]
    assert q["outcome"] == [ZERO_RESERVED_CONCURRENCY, THROTTLED, SUCCESS]
    assert q["attempts"] == [0, 0, 1] and q["throttles"] == [0, 1, 0]
    assert q["throttle_reason"] == [0, RESERVED_LIMIT, 0]
    assert q["end"] == [2.5, 2.5, 4.0]
    assert q["first_start"] == [None, None, 3.0] and q["event_age"] == [None, None, 0.0]
    f0 = r["functions"][0]
    assert (f0["throttles"], f0["throttles_reserved"], f0["invocations"]) == (1, 1, 0)  # sync only
    assert (f0["async_events_received"], f0["async_events_dropped"]) == (1, 1)
    assert r["destinations"] == {"F": {"request": [0], "condition": [ZERO_RESERVED_CONCURRENCY],
                                       "approximate_invoke_count": [0], "time": [2.5]}}
    assert r["horizon"] == 4.0


# ---- §6 throttle backoff ----------------------------------------------------------------------

# RC 1, a synchronous blocker runs 0–B; an event arriving at 0 is throttled and retries at
# 0+1 = 1, +2 = 3, +4 = 7, +8 = 15, +16 = 31, +32 = 63, +64 = 127, +128 = 255, +256 = 511,
# then +300 (cap, not 512) = 811, +300 = 1111. It is admitted at its first retry at or after B
# (the blocker's end, class 1, comes before a timer at the same instant).
@pytest.mark.parametrize("blocker, start, throttles", [
    (1.0, 1.0, 1),
    (10.0, 15.0, 4),
    (300.0, 511.0, 9),
    (600.0, 811.0, 10),  # the 10th throttle (at 511) waits min(512, 300) = 300
    (850.0, 1111.0, 11),
])
def test_throttle_backoff_doubles_and_caps_at_300(blocker, start, throttles):
    rows = [(0.0, 0, blocker), (0.0, 0, 1.0, 0, EVENT)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, SUCCESS]
    assert q["throttles"] == [0, throttles] and q["throttle_reason"] == [0, RESERVED_LIMIT]
    assert q["attempts"] == [1, 1]
    assert q["first_start"] == [0.0, start] and q["last_start"] == [0.0, start]
    assert q["event_age"] == [None, start]
    assert q["end"] == [blocker, start + 1.0]
    assert q["cold_starts"] == [1, 0]  # the blocker's env, idle for less than 600 s
    f = r["functions"][0]
    assert (f["throttles"], f["throttles_reserved"]) == (throttles, throttles)
    assert (f["async_events_received"], f["async_events_dropped"]) == (1, 0)


def test_throttle_backoff_several_events_fifo():
    # Blocker 0–10. Events e1 and e2 (rows 1, 2) both throttled at 0, 1, 3, 7 — e1's timer is
    # always scheduled first. At 15: e1 admitted (15–16); e2 throttled for the 5th time, waits
    # 16 → admitted at 31, ends 32.
    rows = [(0.0, 0, 10.0), (0.0, 0, 1.0, 0, EVENT), (0.0, 0, 1.0, 0, EVENT)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows))
    q = r["requests"]
    assert q["throttles"] == [0, 4, 5]
    assert q["first_start"] == [0.0, 15.0, 31.0]
    assert q["end"] == [10.0, 16.0, 32.0]
    assert r["functions"][0]["throttles"] == 9


def test_throttles_do_not_use_retry_attempts():
    # max_retry_attempts 0: four throttles (0, 1, 3, 7), admitted at 15, fails → exhausted at 16.
    rows = [(0.0, 0, 10.0), (0.0, 0, 1.0, 1, EVENT)]
    r = simulate(acct(10), [fn(rc=1, retries=0, dlq="D")], wl(rows))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, RETRIES_EXHAUSTED]
    assert q["attempts"] == [1, 1] and q["throttles"] == [0, 4] and q["end"] == [10.0, 16.0]
    assert q["throttle_reason"] == [0, RESERVED_LIMIT]
    assert r["destinations"] == {"D": {"request": [1], "condition": [RETRIES_EXHAUSTED],
                                       "approximate_invoke_count": [1], "time": [16.0]}}


@pytest.mark.parametrize("age, throttles, end", [
    (60, 6, 31.0),  # 6th throttle at 31 would wait 32: 63 > 60 → dropped at 31
    (62, 6, 31.0),
    (63, 7, 63.0),  # 63 ≤ 63: retried at 63, 7th throttle would wait 64: 127 > 63
    (126, 7, 63.0),
    (127, 8, 127.0),
])
def test_event_age_expires_under_throttling(age, throttles, end):
    rows = [(0.0, 0, 800.0), (0.0, 0, 1.0, 0, EVENT)]
    r = simulate(acct(10), [fn(rc=1, age=age, on_failure="F")], wl(rows))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, EVENT_AGE_EXCEEDED]
    assert q["attempts"] == [1, 0] and q["throttles"] == [0, throttles]
    assert q["throttle_reason"] == [0, RESERVED_LIMIT]
    assert q["end"] == [800.0, end]
    assert q["first_start"] == [0.0, None] and q["event_age"] == [None, None]
    f = r["functions"][0]
    assert (f["throttles"], f["async_events_dropped"]) == (throttles, 1)
    assert r["destinations"] == {"F": {"request": [1], "condition": [EVENT_AGE_EXCEEDED],
                                       "approximate_invoke_count": [0], "time": [end]}}


def test_unreserved_pool_throttle_backoff():
    # limit 1, no reservation: the same backoff, reason ConcurrentInvocationLimitExceeded.
    rows = [(0.0, 0, 2.0), (0.0, 1, 1.0, 0, EVENT)]
    r = simulate(acct(1), [fn(), fn()], wl(rows))
    q = r["requests"]
    assert q["throttles"] == [0, 2] and q["throttle_reason"] == [0, ACCOUNT_LIMIT]
    assert q["first_start"] == [0.0, 3.0] and q["end"] == [2.0, 4.0]  # retries at 1, 3
    assert r["functions"][1]["throttles_unreserved"] == 2


# ---- §1 timers in the order of an instant -------------------------------------------------------

def test_timers_come_before_arrivals_at_the_same_instant():
    # RC 1. Blocker 0–1; the event at 0 is throttled, retries at 1: after the blocker's end and
    # before the synchronous arrival at 1, which is throttled.
    rows = [(0.0, 0, 1.0), (0.0, 0, 1.0, 0, EVENT), (1.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, SUCCESS, THROTTLED]
    assert q["throttles"] == [0, 1, 1]
    assert q["first_start"] == [0.0, 1.0, None]
    assert q["end"] == [1.0, 2.0, 1.0]


def test_equal_timers_fire_in_scheduling_order():
    # RC 1. A (row 0): event 0–1 fails → retry at 61, scheduled at 1.
    # Blocker (row 1): 2–61. B (row 2): event at 60 throttled → retry at 61, scheduled at 60.
    # At 61: blocker ends; A's timer (older) is admitted 61–62 and succeeds; B is throttled
    # again (2nd, waits 2) → admitted at 63, ends 64.
    rows = [(0.0, 0, 1.0, 1, EVENT), (2.0, 0, 59.0), (60.0, 0, 1.0, 0, EVENT)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, SUCCESS, SUCCESS]
    assert q["attempts"] == [2, 1, 1] and q["throttles"] == [0, 0, 2]
    assert q["first_start"] == [0.0, 2.0, 63.0] and q["last_start"] == [61.0, 2.0, 63.0]
    assert q["event_age"] == [61.0, None, 3.0]
    assert q["end"] == [62.0, 61.0, 64.0]
    assert q["cold_starts"] == [1, 0, 0]
    f = r["functions"][0]
    assert (f["invocations"], f["errors"], f["throttles"]) == (4, 1, 2)


# ---- §6 destinations --------------------------------------------------------------------------

def test_destination_records_fields_and_order():
    # f0: on_success "ok", on_failure "bad", DLQ "dlq", one retry.
    #   row 0 (0, ok) → SUCCESS at 1 → ok.
    #   row 1 (0, always fails) → fails at 1, retry 61, fails at 62 → exhausted → bad, then dlq.
    #   row 2 (0.5, fails once) → fails at 1.5, retry 61.5 → SUCCESS at 62.5 → ok.
    # f1: RC 0, DLQ only: row 3 (event at 5) → condition 7 at 5; row 4 (sync) → THROTTLED.
    # f2: max age 60, on_failure only: row 5 (10, fails once) → ends 11, 11 + 60 > 70 → bad.
    # f3: on_success "never", no rows: absent.
    fns = [fn(retries=1, on_success="ok", on_failure="bad", dlq="dlq"),
           fn(rc=0, dlq="dlq"), fn(age=60, on_failure="bad"), fn(on_success="never")]
    rows = [(0.0, 0, 1.0, 0, EVENT), (0.0, 0, 1.0, 5, EVENT), (0.5, 0, 1.0, 1, EVENT),
            (5.0, 1, 1.0, 0, EVENT), (5.0, 1, 1.0, 0, SYNC), (10.0, 2, 1.0, 1, EVENT)]
    r = simulate(acct(10), fns, wl(rows))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, RETRIES_EXHAUSTED, SUCCESS, ZERO_RESERVED_CONCURRENCY,
                            THROTTLED, EVENT_AGE_EXCEEDED]
    assert q["end"] == [1.0, 62.0, 62.5, 5.0, 5.0, 11.0]
    assert q["attempts"] == [1, 2, 2, 0, 0, 1]
    assert r["destinations"] == {
        "ok": {"request": [0, 2], "condition": [SUCCESS, SUCCESS],
               "approximate_invoke_count": [1, 2], "time": [1.0, 62.5]},
        "bad": {"request": [5, 1], "condition": [EVENT_AGE_EXCEEDED, RETRIES_EXHAUSTED],
                "approximate_invoke_count": [1, 2], "time": [11.0, 62.0]},
        "dlq": {"request": [3, 1], "condition": [ZERO_RESERVED_CONCURRENCY, RETRIES_EXHAUSTED],
                "approximate_invoke_count": [0, 2], "time": [5.0, 62.0]},
    }
    received = [f["async_events_received"] for f in r["functions"]]
    dropped = [f["async_events_dropped"] for f in r["functions"]]
    assert received == [3, 1, 1, 0] and dropped == [1, 1, 1, 0]
    assert r["functions"][1]["throttles"] == 1  # the synchronous row only
    assert r["horizon"] == 62.5


def test_on_failure_and_dlq_same_name_get_two_records():
    r = simulate(acct(10), [fn(retries=0, on_failure="Q", dlq="Q")],
                 wl([(0.0, 0, 1.0, 1, EVENT)]))
    assert r["destinations"] == {"Q": {"request": [0, 0],
                                       "condition": [RETRIES_EXHAUSTED, RETRIES_EXHAUSTED],
                                       "approximate_invoke_count": [1, 1], "time": [1.0, 1.0]}}


# ---- until / PENDING ----------------------------------------------------------------------------

@pytest.mark.parametrize("until, f0_throttles", [
    (5.0, 3),  # event row 1 throttled at 0, 1, 3, waiting for 7
    (7.0, 4),  # the retry due exactly at until runs (4th throttle), waiting for 15
])
def test_until_leaves_events_in_backoff_pending(until, f0_throttles):
    # f0 RC 1: blocker 0–100, event row 1 in throttle backoff.
    # f1: event row 2 fails 0–1, waiting for its retry at 61; event row 3 at 2 succeeds 2–3
    # (warm on row 2's env) → on_success "ok".
    rows = [(0.0, 0, 100.0), (0.0, 0, 1.0, 0, EVENT), (0.0, 1, 1.0, 1, EVENT),
            (2.0, 1, 1.0, 0, EVENT)]
    r = simulate(acct(10), [fn(rc=1), fn(on_success="ok", on_failure="bad")], wl(rows),
                 until=until)
    q = r["requests"]
    assert q["outcome"] == [PENDING, PENDING, PENDING, SUCCESS]
    assert q["attempts"] == [0, 0, 0, 1] and q["throttles"] == [0, 0, 0, 0]
    assert q["cold_starts"] == [0, 0, 0, 0] and q["throttle_reason"] == [0, 0, 0, 0]
    assert q["end"] == [None, None, None, 3.0]
    assert q["first_start"] == [None, None, None, 2.0]
    assert q["last_start"] == [None, None, None, 2.0]
    assert q["event_age"] == [None, None, None, 0.0]
    f0, f1 = r["functions"]
    assert (f0["invocations"], f0["throttles"], f0["throttles_reserved"]) == (1, f0_throttles,
                                                                               f0_throttles)
    assert (f0["async_events_received"], f0["async_events_dropped"]) == (1, 0)
    assert (f1["invocations"], f1["errors"], f1["cold_starts"]) == (2, 1, 1)
    assert (f1["async_events_received"], f1["async_events_dropped"]) == (2, 0)
    assert r["destinations"] == {"ok": {"request": [3], "condition": [SUCCESS],
                                        "approximate_invoke_count": [1], "time": [3.0]}}
    assert r["horizon"] == until


# ---- §5 client-side retries of throttled synchronous requests --------------------------------

def test_client_retries_exhausted():
    # RC 1, blocker 0–100. Row 1 throttled at 0 (n = 1 < 3): retry 1, ceiling min(1 s × 2^0, 20 s)
    # = 1 000 000 µs, delay (U0[0] × 10^6) >> 53 = 883 310 µs → 0.883310 s, throttled (n = 2):
    # retry 2, ceiling 2 000 000, delay (U0[1] × 2·10^6) >> 53 = 863 055 → 1.746365 s,
    # throttled (n = 3 = max_attempts) → THROTTLED there.
    rows = [(0.0, 0, 100.0), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(3, 1.0, 20.0))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, THROTTLED]
    assert q["throttles"] == [0, 3] and q["attempts"] == [1, 0]
    assert q["throttle_reason"] == [0, RESERVED_LIMIT]
    assert q["end"] == [100.0, 1.746365]
    assert q["first_start"] == [0.0, None] and q["event_age"] == [None, None]
    f = r["functions"][0]
    assert (f["throttles"], f["throttles_reserved"], f["invocations"]) == (3, 3, 1)
    assert r["horizon"] == 100.0


def test_client_retry_ceiling_is_capped():
    # max_attempts 4, base 1 s, cap 1.5 s: ceilings 1 000 000, min(2 000 000, 1 500 000),
    # min(4 000 000, 1 500 000); delays 883 310 + 647 291 + 39 650 = 1 570 251 µs.
    rows = [(0.0, 0, 100.0), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(4, 1.0, 1.5))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, THROTTLED]
    assert q["throttles"] == [0, 4] and q["end"] == [100.0, 1.570251]


def test_client_retry_admitted_later():
    # Blocker 0–0.5; row 1 throttled at 0, retried at 0.883310 on the blocker's idle env (warm).
    rows = [(0.0, 0, 0.5), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(3, 1.0, 20.0))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, SUCCESS]
    assert q["throttles"] == [0, 1] and q["attempts"] == [1, 1]
    assert q["throttle_reason"] == [0, RESERVED_LIMIT]  # the last throttle's reason is kept
    assert q["first_start"] == [0.0, 0.88331] and q["last_start"] == [0.0, 0.88331]
    assert q["end"] == [0.5, 1.88331]
    assert q["cold_starts"] == [1, 0] and q["event_age"] == [None, None]
    f = r["functions"][0]
    assert (f["invocations"], f["throttles"]) == (2, 1)


def test_client_retry_seed_changes_the_draws():
    # seed 1: u = 5103132997656651, delay (u × 10^6) >> 53 = 566 561 µs.
    rows = [(0.0, 0, 0.5), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(3, 1.0, 20.0), seed=1)
    assert r["requests"]["first_start"] == [0.0, 0.566561]
    assert r["requests"]["end"] == [0.5, 1.566561]


def test_function_errors_are_not_retried_by_the_client():
    # RC 1. Row 0 fails 0–1: ERROR, no retry, no draw. Row 1 throttled at 0 → first draw:
    # 0.883310, throttled again (row 0 still running) → second draw with ceiling 2 s:
    # +0.863055 = 1.746365 → admitted (warm), ends 2.746365.
    rows = [(0.0, 0, 1.0, 1), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(3, 1.0, 20.0))
    q = r["requests"]
    assert q["outcome"] == [ERROR, SUCCESS]
    assert q["attempts"] == [1, 1] and q["throttles"] == [0, 2]
    assert q["first_start"] == [0.0, 1.746365] and q["end"] == [1.0, 2.746365]


def test_client_retry_timeout_not_retried():
    r = simulate(acct(10), [fn(timeout=1.0)], wl([(0.0, 0, 2.0)]),
                 client_retries=retries(3, 1.0, 20.0))
    q = r["requests"]
    assert q["outcome"] == [TIMEOUT] and q["attempts"] == [1] and q["end"] == [1.0]


def test_client_retry_draws_go_in_scheduling_order():
    # RC 1, blocker 0–100. Rows 1 and 2 throttled at 0: row 1 draws U0[0] (→ 0.883310),
    # row 2 draws U0[1] with ceiling 1 s (431 527 µs → 0.431527). At 0.431527 row 2 draws U0[2]
    # with ceiling 2 s: +52 867 → THROTTLED at 0.484394. At 0.883310 row 1 draws U0[3] with
    # ceiling 2 s: +1 941 763 → THROTTLED at 2.825073.
    rows = [(0.0, 0, 100.0), (0.0, 0, 1.0), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(3, 1.0, 20.0))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, THROTTLED, THROTTLED]
    assert q["throttles"] == [0, 3, 3]
    assert q["end"] == [100.0, 2.825073, 0.484394]
    assert r["functions"][0]["throttles"] == 6


@pytest.mark.parametrize("client", [None, {"max_attempts": 1, "base_s": 1.0, "cap_s": 20.0}])
def test_no_client_retries(client):
    rows = [(0.0, 0, 100.0), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=client)
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, THROTTLED]
    assert q["throttles"] == [0, 1] and q["end"] == [100.0, 0.0]


def test_client_retries_leave_events_alone():
    # RC 1, blocker 0–0.5. Event row 1 throttled at 0 → its own backoff, 1 s (no draw).
    # Sync row 2 throttled at 0 → the first draw: retry at 0.883310, admitted warm, ends 1.883310.
    # At 1 the event is throttled again (2nd, waits 2) → admitted at 3, ends 4.
    rows = [(0.0, 0, 0.5), (0.0, 0, 1.0, 0, EVENT), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(3, 1.0, 20.0))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, SUCCESS, SUCCESS]
    assert q["throttles"] == [0, 2, 1]
    assert q["first_start"] == [0.0, 3.0, 0.88331]
    assert q["end"] == [0.5, 4.0, 1.88331]
    assert q["event_age"] == [None, 3.0, None]


def test_client_retries_in_pending_backoff():
    # Row 1 waits for its retry at 0.883310 when the run stops at 0.5: PENDING, zeroed.
    rows = [(0.0, 0, 100.0), (0.0, 0, 1.0)]
    r = simulate(acct(10), [fn(rc=1)], wl(rows), client_retries=retries(3, 1.0, 20.0),
                 until=0.5)
    q = r["requests"]
    assert q["outcome"] == [PENDING, PENDING]
    assert q["throttles"] == [0, 0] and q["throttle_reason"] == [0, 0]
    assert q["end"] == [None, None]
    assert r["functions"][0]["throttles"] == 1

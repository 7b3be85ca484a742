"""Hand-worked cases of docs/model.md §13 (Lambda in a VPC) and §14 (the request rate and the
payload limits), checked against the reference model (tests/oracle/invocations.py) and, through
`engine_adapter.simulate`, against the Rust engine.

Every expected number was worked out by hand from the spec; the comments show the work. Times
are in seconds; the engine and the oracle count integer microseconds (§1).

The cases call the oracle through the module-level name `simulate`;
`test_engine_satisfies_vpc_rate_case` (at the end) replays each of them with the engine behind
that name (tests/support/hand_worked.py).
"""

from __future__ import annotations

import sys

import pytest

import lambda_core as lc
from tests.oracle.invocations import (
    ENI_LIMIT_REACHED, EVENT_AGE_EXCEEDED, FUNCTION_INACTIVE, FUNCTION_PENDING, NONE, RATE_LIMIT,
    REQUEST_TOO_LARGE, RESERVED_LIMIT, RESERVED_RATE_LIMIT, RETRIES_EXHAUSTED, SUCCESS, THROTTLED,
    TIMEOUT, ZERO_RESERVED_CONCURRENCY, simulate,
)
from tests.support import engine_adapter
from tests.support.hand_worked import cases

MB = 2**20


def acct(limit=1000, scaling=None, burst=None, cost=None, **kw):
    """An account; scaling off unless a case needs the bucket. kw: the §13–14 keys."""
    return {"concurrency_limit": limit, "unreserved_min": None, "scaling": scaling,
            "scaling_burst": burst, "token_cost_us": cost, **kw}


def fn(rc=None, pc=None, timeout=900.0, init=0.0, idle=600.0, **kw):
    """A function; kw: vpc, needs_internet, created_at_s, max_event_age_s, on_failure ..."""
    return {"reserved_concurrency": rc, "provisioned_concurrency": pc, "timeout_s": timeout,
            "init_s": init, "idle_timeout_s": idle, "provisioned_ready_s": 0.0, **kw}


def vpc(*subnets, sgs=("sg-1",), nat=False, vpc_id="vpc-1"):
    return {"subnet_ids": list(subnets), "security_group_ids": list(sgs), "nat_gateway": nat,
            "vpc_id": vpc_id}


def wl(rows, payload=None):
    """rows: (time, function, duration[, invocation_type])"""
    out = {"time": [r[0] for r in rows], "function": [r[1] for r in rows],
           "duration": [r[2] for r in rows], "failures": [0] * len(rows),
           "invocation_type": [r[3] if len(r) > 3 else 0 for r in rows]}
    if payload is not None:
        out["payload_bytes"] = payload
    return out


# ---- §14 the request rate ---------------------------------------------------------------------

def burst_rows():
    # 100 requests 1 ms apart from 0 (0.000, 0.001, …, 0.099 s), each lasting 1 ms, then the
    # probes of the window at 0.100, 0.999999, 1.0, 1.0 and 1.001 s.
    return ([(i / 1000, 0, 0.001) for i in range(100)]
            + [(0.1, 0, 0.001), (0.999999, 0, 0.001), (1.0, 0, 0.001), (1.0, 0, 0.001),
               (1.001, 0, 0.001)])


def test_the_account_rate_throttles_at_ten_times_the_limit():
    # L = 10 → at most 10 × 10 = 100 admitted attempts in any window (t − 1 s, t].
    # Each request ends exactly when the next arrives (ends before arrivals, §1), so one
    # environment serves them all and concurrency never exceeds 1: only the rate can throttle.
    # - rows 0–99 (0 … 0.099 s): 0, 1, …, 99 admitted before each → all admitted;
    # - row 100 at 0.1: window (−0.9, 0.1] holds the 100 → throttled, reason 4, end 0.1;
    # - row 101 at 0.999999: window (−0.000001, 0.999999] still holds the one at 0 → reason 4;
    # - row 102 at 1.0: window (0, 1.0] drops the one at 0 (0 > 0 is false): 99 → admitted;
    # - row 103 at 1.0: the 99 + row 102 = 100 → reason 4 (concurrency 2 ≤ 10 would allow it);
    # - row 104 at 1.001: window (0.001, 1.001] drops 0.001 too: 98 + 1 = 99 → admitted.
    r = simulate(acct(10), [fn()], wl(burst_rows()))
    req = r["requests"]
    throttled = [100, 101, 103]
    assert [i for i, o in enumerate(req["outcome"]) if o != SUCCESS] == throttled
    assert [req["outcome"][i] for i in throttled] == [THROTTLED] * 3
    assert [req["throttle_reason"][i] for i in throttled] == [RATE_LIMIT] * 3
    assert [req["end"][i] for i in throttled] == [0.1, 0.999999, 1.0]
    assert [req["attempts"][i] for i in throttled] == [0, 0, 0]
    assert req["throttle_reason"][102] == NONE and req["throttle_reason"][104] == NONE
    f = r["functions"][0]
    assert (f["invocations"], f["throttles"], f["throttles_rate"]) == (102, 3, 3)
    assert f["throttles_reserved_rate"] == 0 and f["throttles_unreserved"] == 0
    assert f["environments_created"] == 1 and f["cold_starts"] == 1
    assert r["account"]["max_concurrency"] == 1


def test_no_rate_throttle_when_the_rate_limit_is_off():
    # The same burst with invocation_rate_limit=False: nothing throttles. Row 101 now runs,
    # from 0.999999 to 1.000999, so rows 102 and 103 (at 1.0 s, 1 ms each) find the one
    # environment busy and run on two new ones beside it: concurrency 3 ≤ 10, 3 environments.
    # Row 104 at 1.001 finds all three done (1.000999, 1.001, 1.001).
    r = simulate(acct(10, invocation_rate_limit=False), [fn()], wl(burst_rows()))
    assert r["requests"]["outcome"] == [SUCCESS] * 105
    f = r["functions"][0]
    assert (f["invocations"], f["throttles"], f["throttles_rate"]) == (105, 0, 0)
    assert f["environments_created"] == 3
    assert r["account"]["max_concurrency"] == 3


def test_a_reserved_function_throttles_at_ten_times_its_reservation():
    # f0 reserves RC = 2 → its window holds at most 10 × 2 = 20; the account's 10 × 100 = 1000
    # is far away. 21 zero-length requests of f0 at 0 (each ends before the next arrival, §1):
    # the first 20 are admitted, the 21st finds 20 in (−1, 0] → reason 5 (ahead of §4's checks:
    # f0 runs nothing at that instant). f1 (no reservation, no window of its own) at 0: the
    # account's window holds 20 < 1000 → admitted. f0 at 1.0: (0, 1] holds none of f0's → admitted.
    rows = [(0.0, 0, 0.0)] * 21 + [(0.0, 1, 0.0), (1.0, 0, 0.0)]
    r = simulate(acct(100), [fn(rc=2), fn()], wl(rows))
    req = r["requests"]
    assert req["outcome"] == [SUCCESS] * 20 + [THROTTLED, SUCCESS, SUCCESS]
    assert req["throttle_reason"][20] == RESERVED_RATE_LIMIT
    assert req["end"][20] == 0.0
    f0, f1 = r["functions"]
    assert (f0["invocations"], f0["throttles"], f0["throttles_reserved_rate"]) == (21, 1, 1)
    assert f0["throttles_rate"] == 0 and f0["throttles_reserved"] == 0
    assert (f1["invocations"], f1["throttles"]) == (1, 0)


def test_a_reserved_function_under_its_own_rate_meets_the_accounts():
    # L = 3 → the account's window holds at most 30; f0 reserves 1 (its own window: 10).
    # 30 zero-length requests of f1 at 0 fill the account's window. Then f0 at 0: its own window
    # is empty (0 < 10), the account's holds 30 → reason 4, not 5. f1 at 0 → reason 4 too.
    # At 1.0 the 30 at 0 have left the window (0 > 0 is false) → f1 admitted.
    rows = [(0.0, 1, 0.0)] * 30 + [(0.0, 0, 0.0), (0.0, 1, 0.0), (1.0, 1, 0.0)]
    r = simulate(acct(3), [fn(rc=1), fn()], wl(rows))
    req = r["requests"]
    assert req["outcome"] == [SUCCESS] * 30 + [THROTTLED, THROTTLED, SUCCESS]
    assert req["throttle_reason"][30:32] == [RATE_LIMIT, RATE_LIMIT]
    f0, f1 = r["functions"]
    assert (f0["throttles"], f0["throttles_rate"], f0["throttles_reserved_rate"]) == (1, 1, 0)
    assert (f1["invocations"], f1["throttles_rate"]) == (31, 1)


# ---- §13 Hyperplane: Pending, Inactive, the ENI quota -------------------------------------------

def test_the_pending_window_of_a_new_combination():
    # eni_ready_s = 90 (the default). Combination A = ({subnet-a, subnet-b}, {sg-1}):
    # f0 created at 10, f1 at 50 (same sets, other order), f2 at 150 → ready = 10 + 90 = 100.
    # f0 Pending until max(10, 100) = 100, f1 until max(50, 100) = 100 (created during the
    # window), f2 Active at once at max(150, 100) = 150 (created after ready; before 150 it
    # does not exist: Pending). Combination B: f3 before the run (None) → ready −∞, f3 always
    # Active; f4 created at 20 in B is Active from max(20, −∞) = 20.
    # Rows (sync, 0.1 s): f0 at 5 (before its creation), 60 and 99.999999 → PENDING; f0 at 100
    # → admitted; f1 at 60 → PENDING, at 100 → admitted; f2 at 149 → PENDING, at 150 → admitted;
    # f3 at 0 → admitted; f4 at 19.5 → PENDING, at 20 → admitted.
    a1, a2 = vpc("subnet-a", "subnet-b"), vpc("subnet-b", "subnet-a")
    b = vpc("subnet-c")
    fns = [fn(vpc=a1, created_at_s=10.0), fn(vpc=a2, created_at_s=50.0),
           fn(vpc=a1, created_at_s=150.0), fn(vpc=b), fn(vpc=b, created_at_s=20.0)]
    rows = [(0.0, 3, 0.1), (5.0, 0, 0.1), (19.5, 4, 0.1), (20.0, 4, 0.1), (60.0, 0, 0.1),
            (60.0, 1, 0.1), (99.999999, 0, 0.1), (100.0, 0, 0.1), (100.0, 1, 0.1),
            (149.0, 2, 0.1), (150.0, 2, 0.1)]
    r = simulate(acct(), fns, wl(rows))
    req = r["requests"]
    P = FUNCTION_PENDING
    assert req["outcome"] == [SUCCESS, P, P, SUCCESS, P, P, P, SUCCESS, SUCCESS, P, SUCCESS]
    # a refusal resolves at once: end = the attempt's time, no attempt, not a throttle
    pending = [i for i, o in enumerate(req["outcome"]) if o == P]
    assert [req["end"][i] for i in pending] == [5.0, 19.5, 60.0, 60.0, 99.999999, 149.0]
    assert all(req["attempts"][i] == 0 and req["throttles"][i] == 0 for i in pending)
    assert all(req["throttle_reason"][i] == NONE for i in pending)
    counts = [(f["conflicts_pending"], f["invocations"], f["throttles"]) for f in r["functions"]]
    assert counts == [(3, 1, 0), (1, 1, 0), (1, 1, 0), (0, 1, 0), (1, 1, 0)]


def test_client_retries_do_not_retry_a_refusal():
    # §13: client-side retries (§5.1) retry throttles only. f0 is Pending until 0 + 90 = 90; a
    # synchronous request at 1 with retries on resolves at once: FUNCTION_PENDING, end 1,
    # attempts 0, throttles 0.
    r = simulate(acct(), [fn(vpc=vpc("subnet-a"), created_at_s=0.0)], wl([(1.0, 0, 0.1)]),
                 client_retries={"max_attempts": 3, "base_s": 1.0, "cap_s": 20.0})
    req = r["requests"]
    assert (req["outcome"], req["end"], req["attempts"], req["throttles"]) == \
        ([FUNCTION_PENDING], [1.0], [0], [0])
    assert r["functions"][0]["conflicts_pending"] == 1


def test_inactive_after_a_quiet_spell():
    # inactive_after_s = 100, eni_ready_s = 5. f0 in a VPC, created at 0 in a new combination:
    # Pending until 5, its idle clock starts at 5. f1 is not in a VPC (never Inactive).
    # - f0 at 50: 5 + 100 = 105 > 50 → admitted; the clock restarts at 50.
    # - f0 at 150: 50 + 100 = 150 ≤ 150 → FUNCTION_INACTIVE; Pending until 155, clock at 155.
    # - f0 at 152: Pending (152 < 155) → FUNCTION_PENDING.
    # - f0 at 254.999999: not Pending; 155 + 100 = 255 > 254.999999 → admitted; clock there.
    # - f0 at 400: 254.999999 + 100 = 354.999999 ≤ 400 → FUNCTION_INACTIVE; Pending until 405.
    # - f0 at 405: exactly the end of the Pending window → admitted.
    # - f1 at 400, after 400 s of silence: admitted.
    account = acct(inactive_after_s=100.0, eni_ready_s=5.0)
    fns = [fn(vpc=vpc("subnet-a"), created_at_s=0.0), fn()]
    rows = [(50.0, 0, 1.0), (150.0, 0, 1.0), (152.0, 0, 1.0), (254.999999, 0, 1.0),
            (400.0, 0, 1.0), (400.0, 1, 1.0), (405.0, 0, 1.0)]
    r = simulate(account, fns, wl(rows))
    req = r["requests"]
    I, P = FUNCTION_INACTIVE, FUNCTION_PENDING
    assert req["outcome"] == [SUCCESS, I, P, SUCCESS, I, SUCCESS, SUCCESS]
    assert req["end"] == [51.0, 150.0, 152.0, 255.999999, 400.0, 401.0, 406.0]
    f0 = r["functions"][0]
    assert (f0["conflicts_inactive"], f0["conflicts_pending"], f0["invocations"]) == (2, 1, 3)
    assert f0["throttles"] == 0


def test_a_function_created_before_the_run_is_active_from_the_start():
    # Our reading of §13 for a function created before the run (created_at_s None): it has been
    # Active since the run's start at the latest, so its idle clock starts at 0. With
    # inactive_after_s = 100: f0 at 99.999999 → 0 + 100 > 99.999999 → admitted; f1 (same
    # settings) at 100 → 0 + 100 ≤ 100 → FUNCTION_INACTIVE, Pending until 100 + 5 = 105.
    account = acct(inactive_after_s=100.0, eni_ready_s=5.0)
    fns = [fn(vpc=vpc("subnet-a")), fn(vpc=vpc("subnet-b"))]
    r = simulate(account, fns, wl([(99.999999, 0, 1.0), (100.0, 1, 1.0), (104.0, 1, 1.0),
                                   (105.0, 1, 1.0)]))
    assert r["requests"]["outcome"] == [SUCCESS, FUNCTION_INACTIVE, FUNCTION_PENDING, SUCCESS]


def test_the_eni_quota_in_hyperplane_mode():
    # eni_quota = 2 per VPC. vpc-1's combinations in the order they were first created:
    # Y (f1, before the run) first, then X (f0 at 0; f3 joins it at 5) and Z (f2 at 0), X before
    # Z since f0 comes before f2 → Y and X get the 2 ENIs, Z none: every attempt of f2 fails with
    # ENI_LIMIT_REACHED, at 0 as at 100. vpc-2 has its own quota: W (f4) gets one.
    # X ready at 0 + 90 = 90 (f0, f3 Pending until 90), W at 90, Y at −∞.
    # Rows (1 s): f1 at 0 → admitted; f2 at 0 → ENI_LIMIT_REACHED; at 100: f0, f3, f4 admitted,
    # f2 → ENI_LIMIT_REACHED again.
    fns = [fn(vpc=vpc("subnet-x"), created_at_s=0.0), fn(vpc=vpc("subnet-y")),
           fn(vpc=vpc("subnet-z"), created_at_s=0.0), fn(vpc=vpc("subnet-x"), created_at_s=5.0),
           fn(vpc=vpc("subnet-w", vpc_id="vpc-2"), created_at_s=0.0)]
    rows = [(0.0, 1, 1.0), (0.0, 2, 1.0), (100.0, 0, 1.0), (100.0, 2, 1.0), (100.0, 3, 1.0),
            (100.0, 4, 1.0)]
    r = simulate(acct(eni_quota=2), fns, wl(rows))
    E = ENI_LIMIT_REACHED
    assert r["requests"]["outcome"] == [SUCCESS, E, SUCCESS, E, SUCCESS, SUCCESS]
    assert r["requests"]["end"] == [1.0, 0.0, 101.0, 100.0, 101.0, 101.0]
    assert [f["eni_failures"] for f in r["functions"]] == [0, 0, 2, 0, 0]
    assert [f["invocations"] for f in r["functions"]] == [1, 1, 0, 1, 1]


# ---- §13 legacy: an ENI per environment ---------------------------------------------------------

def test_legacy_cold_start_pays_the_eni():
    # Legacy networking, eni_init_s = 10 (the default). f0 in a VPC (init 0.5, timeout 2); f1 the
    # same outside a VPC.
    # - f0 at 0, 1 s: a new environment: init 0.5 + 10 → ends 0 + 10.5 + 1 = 11.5 (cold).
    # - f1 at 0, 1 s: init 0.5 only → ends 1.5.
    # - f0 at 20, 1 s: warm → ends 21.
    # - f0 at 30, 3 s: warm, cut at the timeout → TIMEOUT at 32; the environment must re-init.
    # - f0 at 40, 1 s: the re-init pays init 0.5 but no ENI (it keeps its ENI) → ends 41.5,
    #   a cold start on the same environment (environments_created stays 1).
    fns = [fn(init=0.5, timeout=2.0, vpc=vpc("subnet-a")), fn(init=0.5, timeout=2.0)]
    rows = [(0.0, 0, 1.0), (0.0, 1, 1.0), (20.0, 0, 1.0), (30.0, 0, 3.0), (40.0, 0, 1.0)]
    r = simulate(acct(vpc_networking="legacy"), fns, wl(rows))
    req = r["requests"]
    assert req["outcome"] == [SUCCESS, SUCCESS, SUCCESS, TIMEOUT, SUCCESS]
    assert req["end"] == [11.5, 1.5, 21.0, 32.0, 41.5]
    assert req["cold_starts"] == [1, 1, 0, 0, 1]
    assert r["functions"][0]["environments_created"] == 1


def test_hyperplane_cold_start_pays_no_eni():
    # The same f0 in Hyperplane mode (created before the run: Active): no ENI in its init →
    # ends 0 + 0.5 + 1 = 1.5.
    r = simulate(acct(), [fn(init=0.5, timeout=2.0, vpc=vpc("subnet-a"))], wl([(0.0, 0, 1.0)]))
    assert r["requests"]["end"] == [1.5]


def test_legacy_eni_quota_fails_a_cold_start_and_an_expiry_frees_an_eni():
    # Legacy, eni_quota = 2 in vpc-1; init 0; scaling "current" with 1 token per function and a
    # refill too slow to matter (1 token per 1000 s: cost 10⁹ µs). f0 (provisioned 1, on-demand
    # idle timeout 2 s) and f1 in vpc-1; f2 outside.
    # f0's provisioned environment holds an ENI from time 0 (1 of 2).
    # - r0 f0 at 0, 5 s: the provisioned environment (no init) → ends 5.
    # - r1 f0 at 0, 5 s: spillover, a new environment: ENIs 1 < 2 → its ENI (2 of 2), f0's token;
    #   init 0 + 10 → ends 15, cold.
    # - r2 f1 at 1: needs a new environment: ENIs 2 ≥ 2 → ENI_LIMIT_REACHED, end 1, and f1's
    #   token is not taken (the ENI is checked first).
    # - r3 f2 at 1, 1 s: outside the VPC → ends 2.
    # - r4 f1 at 16.999999: f0's on-demand environment, idle since 15, is gone at 15 + 2 = 17:
    #   still 2 ENIs → ENI_LIMIT_REACHED.
    # - r5 f1 at 17: it is gone at 17 → 1 ENI → a new environment with f1's one token, its ENI
    #   (2 of 2), init 10 → ends 28, cold.
    # - r6 f0 at 18, 1 s: the idle provisioned environment → ends 19.
    # - r7 f0 at 18: spillover, no idle on-demand environment; a new one needs an ENI: 2 held
    #   (f0's provisioned, f1's busy) → ENI_LIMIT_REACHED — not the scaling throttle f0's empty
    #   bucket would give, since the ENI comes before the token.
    fns = [fn(pc=1, idle=2.0, vpc=vpc("subnet-a")), fn(vpc=vpc("subnet-b")), fn()]
    rows = [(0.0, 0, 5.0), (0.0, 0, 5.0), (1.0, 1, 1.0), (1.0, 2, 1.0), (16.999999, 1, 1.0),
            (17.0, 1, 1.0), (18.0, 0, 1.0), (18.0, 0, 1.0)]
    account = acct(scaling="current", burst=1, cost=1_000_000_000, vpc_networking="legacy",
                   eni_quota=2)
    r = simulate(account, fns, wl(rows))
    req = r["requests"]
    E = ENI_LIMIT_REACHED
    assert req["outcome"] == [SUCCESS, SUCCESS, E, SUCCESS, E, SUCCESS, SUCCESS, E]
    assert req["end"] == [5.0, 15.0, 1.0, 2.0, 16.999999, 28.0, 19.0, 18.0]
    assert req["cold_starts"] == [0, 1, 0, 1, 0, 1, 0, 0]
    assert req["throttles"] == [0] * 8 and req["throttle_reason"] == [NONE] * 8
    f0, f1, f2 = r["functions"]
    assert (f0["eni_failures"], f1["eni_failures"], f2["eni_failures"]) == (1, 2, 0)
    assert (f0["throttles"], f1["throttles"], f0["throttles_scaling"]) == (0, 0, 0)
    assert (f0["environments_created"], f1["environments_created"]) == (1, 1)
    assert (f0["invocations"], f1["invocations"], f2["invocations"]) == (3, 1, 1)


# ---- §13 internet access --------------------------------------------------------------------

def test_needs_internet_without_a_nat_gateway_times_out():
    # timeout 3 s, init 0, handlers of 0.5 s.
    # - f0 needs the internet in a VPC without NAT: every attempt that runs hangs until the
    #   timeout → TIMEOUT at 0 + 3 = 3; its environment must re-init, so the attempt at 10 is a
    #   cold start again, TIMEOUT at 13.
    # - f1 the same with nat_gateway=True → SUCCESS at 0.5.
    # - f2 needs the internet outside a VPC → SUCCESS at 0.5.
    # - f3 in a VPC without NAT that does not need the internet → SUCCESS at 0.5.
    fns = [fn(timeout=3.0, vpc=vpc("subnet-a"), needs_internet=True),
           fn(timeout=3.0, vpc=vpc("subnet-a", nat=True), needs_internet=True),
           fn(timeout=3.0, needs_internet=True), fn(timeout=3.0, vpc=vpc("subnet-a"))]
    rows = [(0.0, 0, 0.5), (0.0, 1, 0.5), (0.0, 2, 0.5), (0.0, 3, 0.5), (10.0, 0, 0.5)]
    r = simulate(acct(), fns, wl(rows))
    req = r["requests"]
    assert req["outcome"] == [TIMEOUT, SUCCESS, SUCCESS, SUCCESS, TIMEOUT]
    assert req["end"] == [3.0, 0.5, 0.5, 0.5, 13.0]
    assert req["cold_starts"] == [1, 1, 1, 1, 1]
    assert [f["errors"] for f in r["functions"]] == [2, 0, 0, 0]


def test_a_hanging_event_is_retried_as_a_timeout():
    # §13: every attempt that runs ends as TIMEOUT — and §6 retries an event's timeout like any
    # function error. f0 (timeout 1, init 0) needs the internet in a VPC without NAT; one event
    # at 0 (a 0 s handler, which would succeed anywhere else), max_retry_attempts 2:
    # attempt 1 at 0 → TIMEOUT at 1; retry 1 at 1 + 60 = 61 → TIMEOUT at 62; retry 2 at
    # 62 + 120 = 182 → TIMEOUT at 183; two retries made → RETRIES_EXHAUSTED at 183,
    # 3 attempts, 3 errors, one drop (on_failure "dlq"). f1, the same with 0 retries:
    # RETRIES_EXHAUSTED at 1 after 1 attempt.
    fns = [fn(timeout=1.0, vpc=vpc("subnet-a"), needs_internet=True, max_retry_attempts=2,
              on_failure="dlq"),
           fn(timeout=1.0, vpc=vpc("subnet-a"), needs_internet=True, max_retry_attempts=0)]
    r = simulate(acct(), fns, wl([(0.0, 0, 0.0, 1), (0.0, 1, 0.0, 1)]))
    req = r["requests"]
    assert req["outcome"] == [RETRIES_EXHAUSTED, RETRIES_EXHAUSTED]
    assert req["end"] == [183.0, 1.0]
    assert req["attempts"] == [3, 1]
    assert req["last_start"] == [182.0, 0.0]
    f0, f1 = r["functions"]
    assert (f0["errors"], f0["invocations"], f0["async_events_dropped"]) == (3, 3, 1)
    assert (f1["errors"], f1["invocations"], f1["async_events_dropped"]) == (1, 1, 1)
    assert r["destinations"] == {"dlq": {"request": [0], "condition": [RETRIES_EXHAUSTED],
                                         "approximate_invoke_count": [3], "time": [183.0]}}


# ---- §13 how refusals travel: asynchronous events -------------------------------------------

def test_an_event_retried_through_a_pending_window():
    # f0 and f1 share a combination created at 0: Pending until 0 + 90 = 90. One event each
    # at 0 (1 s handler). The k-th refusal waits min(2^(k−1), 300) s:
    # attempts at 0 (k=1, +1) → 1 (k=2, +2) → 3 (+4) → 7 (+8) → 15 (+16) → 31 (+32) → 63 (+64)
    # → 127 ≥ 90: admitted, ends 128, SUCCESS. 7 refusals, 1 attempt, 0 throttles,
    # event_age 127. f1's maximum event age is 60 s: its 6th refusal, at 31, would wait 32 s
    # → 63 > 0 + 60 → EVENT_AGE_EXCEEDED at 31 after 6 refusals, dropped (on_failure "dlq").
    a = vpc("subnet-a")
    fns = [fn(vpc=a, created_at_s=0.0), fn(vpc=a, created_at_s=0.0, max_event_age_s=60,
                                           on_failure="dlq")]
    r = simulate(acct(), fns, wl([(0.0, 0, 1.0, 1), (0.0, 1, 1.0, 1)]))
    req = r["requests"]
    assert req["outcome"] == [SUCCESS, EVENT_AGE_EXCEEDED]
    assert req["end"] == [128.0, 31.0]
    assert req["attempts"] == [1, 0] and req["throttles"] == [0, 0]
    assert req["first_start"] == [127.0, None] and req["event_age"] == [127.0, None]
    f0, f1 = r["functions"]
    assert (f0["conflicts_pending"], f0["invocations"], f0["throttles"]) == (7, 1, 0)
    assert (f1["conflicts_pending"], f1["async_events_dropped"]) == (6, 1)
    assert [f["async_events_received"] for f in r["functions"]] == [1, 1]
    assert r["destinations"] == {"dlq": {"request": [1], "condition": [EVENT_AGE_EXCEEDED],
                                         "approximate_invoke_count": [0], "time": [31.0]}}


def test_refusals_and_throttles_share_an_events_backoff():
    # eni_ready_s = 2: f0 (RC = 1) is Pending until 0 + 2 = 2.
    # - event e (row 0) at 0: refused (k=1) → 1; refused (k=2) → 1 + 2 = 3.
    # - sync request at 2.5, 10 s: Active → admitted, holds f0's one slot until 12.5.
    # - e at 3: RC full → throttled, reason 1, k=3 → +4 → 7; at 7 throttled (k=4) → +8 → 15;
    #   at 15 admitted (the slot is free since 12.5), ends 16.
    # e: attempts 1, throttles 2 (only the throttles), SUCCESS at 16; f0: 2 refusals, 2
    # throttles (reason 1), 2 invocations.
    r = simulate(acct(eni_ready_s=2.0), [fn(rc=1, vpc=vpc("subnet-a"), created_at_s=0.0)],
                 wl([(0.0, 0, 1.0, 1), (2.5, 0, 10.0)]))
    req = r["requests"]
    assert req["outcome"] == [SUCCESS, SUCCESS]
    assert req["end"] == [16.0, 12.5]
    assert req["attempts"] == [1, 1] and req["throttles"] == [2, 0]
    assert req["throttle_reason"][0] == RESERVED_LIMIT and req["first_start"][0] == 15.0
    f0 = r["functions"][0]
    assert (f0["conflicts_pending"], f0["throttles"], f0["throttles_reserved"]) == (2, 2, 2)
    assert f0["invocations"] == 2


# ---- §14 payloads ---------------------------------------------------------------------------

def test_payload_limits():
    # Synchronous limit 6 MB = 6 291 456 bytes, asynchronous 1 MB = 1 048 576 bytes; at the limit
    # fits, one byte more is REQUEST_TOO_LARGE at arrival (no attempt, end = arrival, not queued,
    # not a throttle, no destination).
    # f0 (on_failure "dlq"): sync 6 MB → SUCCESS (ends 1); sync 6 MB + 1 → refused at 0;
    # event 1 MB → SUCCESS (ends 2); event 1 MB + 1 → refused at 1, not received.
    # f1 reserves 0: an event of 1 MB + 1 is refused for its size (before the queue, so before
    # §6's drop); one of 1 byte is received and dropped, ZERO_RESERVED_CONCURRENCY.
    fns = [fn(on_failure="dlq"), fn(rc=0)]
    rows = [(0.0, 0, 1.0), (0.0, 0, 1.0), (1.0, 0, 1.0, 1), (1.0, 0, 1.0, 1), (2.0, 1, 1.0, 1),
            (2.0, 1, 1.0, 1)]
    payload = [6 * MB, 6 * MB + 1, MB, MB + 1, MB + 1, 1]
    r = simulate(acct(), fns, wl(rows, payload))
    req = r["requests"]
    T = REQUEST_TOO_LARGE
    assert req["outcome"] == [SUCCESS, T, SUCCESS, T, T, ZERO_RESERVED_CONCURRENCY]
    assert req["end"] == [1.0, 0.0, 2.0, 1.0, 2.0, 2.0]
    assert req["attempts"] == [1, 0, 1, 0, 0, 0] and req["throttles"] == [0] * 6
    assert req["event_age"] == [None, None, 0.0, None, None, None]
    f0, f1 = r["functions"]
    assert (f0["payloads_too_large"], f0["async_events_received"], f0["async_events_dropped"]) == (2, 1, 0)
    assert (f1["payloads_too_large"], f1["async_events_received"], f1["async_events_dropped"]) == (1, 1, 1)
    assert (f0["invocations"], f0["throttles"]) == (2, 0)
    assert r["destinations"] == {}


# ---- the same cases on the engine -----------------------------------------------------------

ENGINE_HAS_VPC_RATE = hasattr(lc, "VpcConfig")


@pytest.mark.skipif(not ENGINE_HAS_VPC_RATE, reason="the installed engine has no §13–14 yet")
@pytest.mark.parametrize("module, case, kwargs", [*cases(sys.modules[__name__])])
def test_engine_satisfies_vpc_rate_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate", engine_adapter.simulate)
    getattr(module, case)(**kwargs)

"""Hand-worked checks of the reference model (tests/oracle/invocations.py) against docs/model.md §1–5, §10.

Every expected number below was worked out by hand from the spec; the comments show the work.
"""

import pytest

from tests.oracle.invocations import (
    ACCOUNT_LIMIT, ERROR, PENDING, RESERVED_LIMIT, SCALING_RATE, SUCCESS, THROTTLED, TIMEOUT,
    simulate, to_us,
)


def acct(limit=1000, scaling=None, burst=None, cost=None):
    return {"concurrency_limit": limit, "unreserved_min": None, "scaling": scaling,
            "scaling_burst": burst, "token_cost_us": cost}


def fn(rc=None, pc=None, timeout=900.0, init=0.0, idle=600.0, ready=0.0):
    return {"reserved_concurrency": rc, "provisioned_concurrency": pc, "timeout_s": timeout,
            "init_s": init, "idle_timeout_s": idle, "provisioned_ready_s": ready}


def wl(rows):
    """rows: (time, function, duration[, failures])"""
    return {"time": [r[0] for r in rows], "function": [r[1] for r in rows],
            "duration": [r[2] for r in rows],
            "failures": [r[3] if len(r) > 3 else 0 for r in rows]}


# ---- §1 units -------------------------------------------------------------------------------

def test_rounding_to_microseconds():
    assert to_us(0.0) == 0
    assert to_us(1.0) == 1_000_000
    assert to_us(0.0000005) == 1  # 0.5 µs rounds away from zero
    assert to_us(0.0000004) == 0
    assert to_us(2.675) == 2_675_000
    assert to_us(0.01) == 10_000
    assert to_us(11.999999) == 11_999_999


def test_rounding_seen_in_the_ends():
    # The same rounding, of the run's own inputs (test_rounding_to_microseconds checks only the
    # oracle's to_us; this one is replayed on the engine too). §1: a time or duration rounds once
    # to the nearest µs, a half up. Zero-length requests (init 0) end at their rounded arrival:
    # 0.0000004 s → 0 µs, 0.0000005 s → 1 µs, 0.01 s → 10 000 µs, 2.675 s → 2 675 000 µs,
    # 11.999999 s → 11 999 999 µs; at 12 s, durations 0.0000004 s → 0 µs and 0.0000005 s → 1 µs.
    rows = [(0.0000004, 0, 0.0), (0.0000005, 0, 0.0), (0.01, 0, 0.0), (2.675, 0, 0.0),
            (11.999999, 0, 0.0), (12.0, 0, 0.0000004), (12.0, 0, 0.0000005)]
    r = simulate(acct(10), [fn()], wl(rows))
    assert r["requests"]["end"] == [0.0, 0.000001, 0.01, 2.675, 11.999999, 12.0, 12.000001]
    assert r["horizon"] == 12.000001


# ---- §2 pools ---------------------------------------------------------------------------------

def test_pool_arithmetic_seed_example():
    # limit 1000, ten functions, RC 200 (f0) and 100 (f1): the other eight share U = 700.
    fns = [fn(rc=200), fn(rc=100)] + [fn() for _ in range(8)]
    rows = [(0.0, 2 + i % 8, 100.0) for i in range(701)]  # 701 long requests over f2..f9
    rows += [(0.0, 0, 100.0)] * 201 + [(0.0, 1, 100.0)] * 101
    r = simulate(acct(1000), fns, wl(rows), until=1.0)
    req = r["requests"]
    # 700 unreserved run, the 701st (index 700, function 2 + 700 % 8 = 6) is throttled reason 2.
    assert req["outcome"][700] == THROTTLED and req["throttle_reason"][700] == ACCOUNT_LIMIT
    assert req["outcome"][:700] == [PENDING] * 700
    assert r["functions"][6]["throttles_unreserved"] == 1
    assert sum(f["throttles"] for f in r["functions"][2:]) == 1
    assert sum(f["invocations"] for f in r["functions"][2:]) == 700
    # f0: 200 run, one throttled reason 1; f1: 100 run, one throttled reason 1.
    assert r["functions"][0]["invocations"] == 200
    assert r["functions"][0]["throttles_reserved"] == 1
    assert r["functions"][1]["invocations"] == 100
    assert r["functions"][1]["throttles_reserved"] == 1
    assert req["throttle_reason"][701 + 200] == RESERVED_LIMIT
    assert req["throttle_reason"][701 + 201 + 100] == RESERVED_LIMIT
    assert req["end"][701 + 200] == 0.0
    assert r["account"]["max_concurrency"] == 1000
    assert r["account"]["max_unreserved_concurrency"] == 700


def test_reserved_zero_throttles_everything():
    r = simulate(acct(10), [fn(rc=0), fn()], wl([(0.0, 0, 1.0), (1.0, 0, 1.0), (1.0, 1, 1.0)]))
    q = r["requests"]
    assert q["outcome"] == [THROTTLED, THROTTLED, SUCCESS]
    assert q["throttle_reason"] == [RESERVED_LIMIT, RESERVED_LIMIT, 0]
    assert q["attempts"] == [0, 0, 1] and q["throttles"] == [1, 1, 0]
    assert q["cold_starts"] == [0, 0, 1]
    assert q["end"] == [0.0, 1.0, 2.0]
    f0 = r["functions"][0]
    assert (f0["invocations"], f0["throttles"], f0["throttles_reserved"]) == (0, 2, 2)
    assert r["account"]["max_unreserved_concurrency"] == 1  # f1 only; U = 10 − 0 = 10
    assert r["horizon"] == 2.0


def test_reserved_function_does_not_use_unreserved_pool():
    # limit 3, f0 RC 2 → U = 1. f0 runs 2 at once, f1 runs 1 at once.
    rows = [(0.0, 0, 5.0), (0.0, 0, 5.0), (0.0, 0, 5.0), (0.0, 1, 5.0), (0.0, 1, 5.0)]
    r = simulate(acct(3), [fn(rc=2), fn()], wl(rows))
    assert r["requests"]["throttle_reason"] == [0, 0, RESERVED_LIMIT, 0, ACCOUNT_LIMIT]
    assert r["account"]["max_unreserved_concurrency"] == 1
    assert r["account"]["max_concurrency"] == 3
    assert r["functions"][0]["max_concurrency"] == 2


# ---- §4 scaling-rate bucket -------------------------------------------------------------------

def test_current_bucket_exhaustion_and_refill():
    # limit 2000 so that the pool (U = 2000) is not what binds. Bucket: 1000 tokens, 10 000 µs each.
    rows = [(0.0, 0, 100.0)] * 1001 + [(0.009999, 0, 100.0), (0.01, 0, 100.0), (0.01, 0, 100.0)]
    r = simulate(acct(2000, scaling="current"), [fn()], wl(rows), until=1.0)
    reasons = r["requests"]["throttle_reason"]
    assert reasons[:1000] == [0] * 1000
    assert reasons[1000] == SCALING_RATE  # 1001st at t=0: bucket empty
    assert reasons[1001] == SCALING_RATE  # 9 999 µs of refill < 10 000
    assert reasons[1002] == 0  # 10 ms later: exactly one token
    assert reasons[1003] == SCALING_RATE
    f = r["functions"][0]
    assert f["invocations"] == 1001 and f["environments_created"] == 1001
    assert f["throttles_scaling"] == 3 and f["throttles"] == 3
    assert f["max_concurrency"] == 1001


def test_warm_reuse_takes_no_token_and_refill_is_capped():
    # burst 1, cost 10 000 µs. t=0 new env (token), ends 1 s; t=1 warm reuse (no token);
    # t=1 second simultaneous needs a new env: level refilled 1 000 000 µs but capped at 10 000
    # → one token → runs; t=1 third: no token.
    rows = [(0.0, 0, 1.0), (1.0, 0, 1.0), (1.0, 0, 1.0), (1.0, 0, 1.0)]
    r = simulate(acct(100, scaling="current", burst=1), [fn()], wl(rows))
    q = r["requests"]
    assert q["cold_starts"] == [1, 0, 1, 0]
    assert q["throttle_reason"] == [0, 0, 0, SCALING_RATE]
    assert r["functions"][0]["environments_created"] == 2


def test_legacy_bucket_is_shared_by_the_account():
    # legacy, burst 2, cost 120 000 µs: one bucket for both functions.
    rows = [(0.0, 0, 10.0), (0.0, 1, 10.0), (0.0, 1, 10.0), (0.119999, 0, 10.0),
            (0.12, 0, 10.0)]
    r = simulate(acct(100, scaling="legacy", burst=2), [fn(), fn()], wl(rows), until=1.0)
    assert r["requests"]["throttle_reason"] == [0, 0, SCALING_RATE, SCALING_RATE, 0]
    assert r["functions"][1]["throttles_scaling"] == 1
    assert r["functions"][0]["throttles_scaling"] == 1
    # The same with "current" (cost 10^12 so that refill is negligible): each function has its
    # own bucket of 2 → f1's second runs, f0's second (0.119999) runs, f0's third is throttled.
    r = simulate(acct(100, scaling="current", burst=2, cost=10**12), [fn(), fn()], wl(rows),
                 until=1.0)
    assert r["requests"]["throttle_reason"] == [0, 0, 0, 0, SCALING_RATE]
    # With current and the default cost (10 000 µs) all five run.
    r = simulate(acct(100, scaling="current", burst=2), [fn(), fn()], wl(rows), until=1.0)
    assert r["requests"]["throttle_reason"] == [0] * 5


def test_legacy_default_cost_and_no_scaling_limit():
    # legacy default cost 120 000 µs, burst 1: second new env at 0.12 s exactly is allowed.
    rows = [(0.0, 0, 10.0), (0.119999, 0, 10.0), (0.12, 0, 10.0)]
    r = simulate(acct(100, scaling="legacy", burst=1), [fn()], wl(rows), until=1.0)
    assert r["requests"]["throttle_reason"] == [0, SCALING_RATE, 0]
    # scaling None: no limit at all.
    rows = [(0.0, 0, 10.0)] * 50
    r = simulate(acct(100, scaling=None), [fn()], wl(rows), until=1.0)
    assert r["functions"][0]["environments_created"] == 50


def test_scaling_check_comes_after_pool_check():
    # limit 1000, default current bucket of 1000: the 1001st is throttled by the pool (reason 2).
    rows = [(0.0, 0, 100.0)] * 1001
    r = simulate(acct(1000, scaling="current"), [fn()], wl(rows), until=1.0)
    assert r["requests"]["throttle_reason"][1000] == ACCOUNT_LIMIT


# ---- §3 provisioned concurrency --------------------------------------------------------------

def test_provisioned_first_then_spillover():
    # PC 2, no RC, limit 10 → U = 8. Three at once: two warm on provisioned, one spills cold.
    rows = [(0.0, 0, 1.0)] * 3
    r = simulate(acct(10), [fn(pc=2, init=0.5)], wl(rows))
    q = r["requests"]
    assert q["cold_starts"] == [0, 0, 1]
    assert q["end"] == [1.0, 1.0, 1.5]
    f = r["functions"][0]
    assert f["provisioned_invocations"] == 2 and f["spillover_invocations"] == 1
    assert f["environments_created"] == 1 and f["cold_starts"] == 1
    assert f["max_concurrency"] == 3
    assert r["account"]["max_unreserved_concurrency"] == 1
    # avg: 2 provisioned alive [0, 1.5] + on-demand [0, 1.5] (idle after 1.5? no: ends 1.5,
    # expiry 601.5 > horizon) → 3 × 1.5 / 1.5 = 3.0.
    assert f["avg_environments"] == 3.0


def test_provisioned_with_reservation_spills_within_rc_minus_pc():
    # RC 3, PC 2: on-demand allowed while running_on_demand < 1.
    rows = [(0.0, 0, 1.0)] * 4
    r = simulate(acct(10), [fn(rc=3, pc=2)], wl(rows))
    assert r["requests"]["throttle_reason"] == [0, 0, 0, RESERVED_LIMIT]
    f = r["functions"][0]
    assert (f["provisioned_invocations"], f["spillover_invocations"]) == (2, 1)
    assert r["account"]["max_unreserved_concurrency"] == 0  # reserved function
    # U = 10 − 3 = 7: a second function can run 7 at once.
    r = simulate(acct(10), [fn(rc=3, pc=2), fn()], wl([(0.0, 1, 1.0)] * 8))
    assert r["functions"][1]["throttles_unreserved"] == 1


def test_provisioned_counts_against_account_pool():
    # limit 5, f0 PC 3 without RC → U = 2. f1 runs only 2 at once.
    r = simulate(acct(5), [fn(pc=3), fn()], wl([(0.0, 1, 1.0)] * 3))
    assert r["requests"]["throttle_reason"] == [0, 0, ACCOUNT_LIMIT]


def test_provisioned_ready_time_and_no_token():
    # Provisioned ready at 1 s: an arrival at 0.5 spills on-demand (cold, takes the only token);
    # at 1.0 it runs on the provisioned env (no token needed even though the bucket is empty).
    rows = [(0.5, 0, 0.1), (1.0, 0, 0.1), (1.0, 0, 0.1)]
    r = simulate(acct(10, scaling="legacy", burst=1, cost=10**12), [fn(pc=1, ready=1.0)],
                 wl(rows))
    q = r["requests"]
    assert q["cold_starts"] == [1, 0, 0]  # third: warm reuse of the on-demand env (idle at 0.6)
    assert q["throttle_reason"] == [0, 0, 0]
    f = r["functions"][0]
    assert (f["provisioned_invocations"], f["spillover_invocations"]) == (1, 2)
    # Provisioned env alive from 0: 1.1; on-demand from 0.5: 0.6 → 1.7 / 1.1.
    assert f["avg_environments"] == to_us(1.7) / to_us(1.1)


def test_provisioned_envs_never_expire():
    rows = [(0.0, 0, 1.0), (1000.0, 0, 1.0)]
    r = simulate(acct(10), [fn(pc=1, idle=1.0, init=5.0)], wl(rows))
    assert r["requests"]["cold_starts"] == [0, 0]
    assert r["requests"]["end"] == [1.0, 1001.0]
    assert r["functions"][0]["avg_environments"] == 1.0


# ---- §3 timeout and re-initialisation ----------------------------------------------------------

def test_timeout_then_reinit_is_cold_but_not_new_env():
    # timeout 1 s, init 0.5 s. legacy bucket of 1 token that never refills: the re-init takes none.
    rows = [(0.0, 0, 2.0), (2.0, 0, 0.1), (3.0, 0, 0.1)]
    r = simulate(acct(10, scaling="legacy", burst=1, cost=10**12),
                 [fn(timeout=1.0, init=0.5)], wl(rows))
    q = r["requests"]
    assert q["outcome"] == [TIMEOUT, SUCCESS, SUCCESS]
    assert q["end"] == [1.5, 2.6, 3.1]  # 0+0.5+1 (cut); 2+0.5+0.1 (re-init); 3+0.1 (warm)
    assert q["cold_starts"] == [1, 1, 0]
    f = r["functions"][0]
    assert f["environments_created"] == 1 and f["cold_starts"] == 2
    assert f["errors"] == 1 and f["invocations"] == 3


def test_timeout_beats_failure_and_error_outcome():
    rows = [(0.0, 0, 2.0, 1), (0.0, 0, 1.0, 1), (0.0, 0, 1.0, 0)]
    r = simulate(acct(10), [fn(timeout=1.0)], wl(rows))
    q = r["requests"]
    # duration == timeout is not a timeout; a failing attempt runs its full duration.
    assert q["outcome"] == [TIMEOUT, ERROR, SUCCESS]
    assert q["end"] == [1.0, 1.0, 1.0]
    assert r["functions"][0]["errors"] == 2


# ---- §1/§3 idle expiry ------------------------------------------------------------------------

def test_idle_expiry_exactly_at_t_plus_k():
    # init 1, dur 1 → ends 2.0, idle since 2.0, timeout 10 → gone at exactly 12.0.
    f = [fn(init=1.0, idle=10.0)]
    r = simulate(acct(10), f, wl([(0.0, 0, 1.0), (11.999999, 0, 1.0)]))
    assert r["requests"]["cold_starts"] == [1, 0]
    assert r["functions"][0]["environments_created"] == 1
    r = simulate(acct(10), f, wl([(0.0, 0, 1.0), (12.0, 0, 1.0)]))
    assert r["requests"]["cold_starts"] == [1, 1]
    assert r["functions"][0]["environments_created"] == 2


def test_avg_environments_by_hand():
    # env1 alive [0, 12) (expiry 2 + 10); env2 created at 13, busy to 15 = horizon.
    # integral = 12 + 2 = 14 env·s over 15 s.
    r = simulate(acct(10), [fn(init=1.0, idle=10.0)], wl([(0.0, 0, 1.0), (13.0, 0, 1.0)]))
    assert r["horizon"] == 15.0
    assert r["functions"][0]["avg_environments"] == 14_000_000 / 15_000_000
    assert r["account"]["avg_environments"] == 14_000_000 / 15_000_000
    assert r["functions"][0]["max_concurrency"] == 1


def test_account_avg_sums_functions_and_empty_run():
    # f0: one env [0, 2] ; f1: PC 1 alive [0, 2]; f2 nothing. horizon 2 → account avg 2.0.
    r = simulate(acct(10), [fn(), fn(pc=1), fn()], wl([(0.0, 0, 2.0)]))
    assert r["account"]["avg_environments"] == 2.0
    assert [f["avg_environments"] for f in r["functions"]] == [1.0, 1.0, 0.0]
    # No requests and no until: horizon 0 and avg 0.0.
    r = simulate(acct(10), [fn(pc=1)], wl([]))
    assert r["horizon"] == 0.0 and r["account"]["avg_environments"] == 0.0
    # No requests, until 10: the provisioned env is alive all along.
    r = simulate(acct(10), [fn(pc=1)], wl([]), until=10.0)
    assert r["horizon"] == 10.0 and r["account"]["avg_environments"] == 1.0


def test_idle_timeout_zero_every_invocation_cold():
    # Ends at 1.0 then the env is gone at 1.0 before the arrival at 1.0.
    rows = [(0.0, 0, 1.0), (1.0, 0, 1.0), (5.0, 0, 0.0), (5.0, 0, 0.0)]
    r = simulate(acct(10), [fn(idle=0.0)], wl(rows))
    assert r["requests"]["cold_starts"] == [1, 1, 1, 1]
    f = r["functions"][0]
    assert f["environments_created"] == 4
    # Alive: [0,1] + [1,2] + zero + zero = 2 s over horizon 5.
    assert f["avg_environments"] == 2 / 5
    assert f["max_concurrency"] == 1


# ---- §1 same-instant ordering -----------------------------------------------------------------

def test_end_releases_before_same_instant_arrival():
    # limit 1: the execution ending at 1.0 frees the slot for the arrival at 1.0 (warm).
    r = simulate(acct(1), [fn()], wl([(0.0, 0, 1.0), (1.0, 0, 1.0)]))
    assert r["requests"]["outcome"] == [SUCCESS, SUCCESS]
    assert r["requests"]["cold_starts"] == [1, 0]


def test_zero_length_execution_releases_before_next_same_instant_arrival():
    r = simulate(acct(1), [fn()], wl([(0.0, 0, 0.0), (0.0, 0, 0.0)]))
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, SUCCESS]
    assert q["cold_starts"] == [1, 0]  # same env reused warm
    assert q["end"] == [0.0, 0.0]
    assert r["horizon"] == 0.0
    # One microsecond long: the second arrival finds the only slot taken.
    r = simulate(acct(1), [fn()], wl([(0.0, 0, 0.000001), (0.0, 0, 0.0)]))
    assert r["requests"]["throttle_reason"] == [0, ACCOUNT_LIMIT]


# ---- §3 routing -------------------------------------------------------------------------------

ROUTING_ROWS = [
    # three envs created at t=0 in order A, B, C (init 1 s, timeout 2.5 s):
    (0.0, 0, 2.0),  # A: ends 3.0
    (0.0, 0, 5.0),  # B: cut at 2.5 → TIMEOUT, ends 3.5, flagged for re-init
    (0.0, 0, 1.0),  # C: ends 2.0
    # idle: C since 2.0 (gone 12), A since 3.0 (gone 13), B since 3.5 (gone 13.5)
    (5.0, 0, 0.5),  # newest → C (warm, ends 5.5); mru → B (re-init, ends 6.5); oldest → A
]


@pytest.mark.parametrize("routing, cold, end, alive_s", [
    ("newest", 0, 5.5, 15.5 + 13 + 13.5),  # C now gone at 15.5
    ("mru", 1, 6.5, 12 + 13 + 16.5),  # B now gone at 16.5
    ("oldest", 0, 5.5, 12 + 15.5 + 13.5),  # A now gone at 15.5
])
def test_routing_choices(routing, cold, end, alive_s):
    r = simulate(acct(10), [fn(init=1.0, timeout=2.5, idle=10.0)], wl(ROUTING_ROWS),
                 routing=routing, until=20.0)
    q = r["requests"]
    assert q["outcome"][:3] == [SUCCESS, TIMEOUT, SUCCESS]
    assert q["end"][:3] == [3.0, 3.5, 2.0]
    assert q["cold_starts"][3] == cold and q["end"][3] == end
    f = r["functions"][0]
    assert f["environments_created"] == 3
    assert f["avg_environments"] == to_us(alive_s) / to_us(20.0)


@pytest.mark.parametrize("routing, cold", [("mru", 1), ("newest", 1), ("oldest", 0)])
def test_mru_tie_goes_to_newest_created(routing, cold):
    # A: dur 2 == timeout → SUCCESS, ends 3; B: cut at 2, ends 3, flagged. Both freed at 3.
    rows = [(0.0, 0, 2.0), (0.0, 0, 5.0), (4.0, 0, 1.0)]
    r = simulate(acct(10), [fn(init=1.0, timeout=2.0)], wl(rows), routing=routing)
    assert r["requests"]["outcome"][:2] == [SUCCESS, TIMEOUT]
    assert r["requests"]["cold_starts"][2] == cold


def test_routing_among_provisioned_envs():
    # PC 2, created first: P1 then P2, both idle since 0. Two arrivals at t=0, then one at 5.
    # newest: req0 → P2 (ends 1), req1 → P1 (cut at 2, flagged); t=5 → P2 warm.
    # mru:    tie at 0 → newest created: same as newest; t=5 → P1 (freed at 2) → re-init, cold.
    # oldest: req0 → P1 (ends 1), req1 → P2 (flagged, freed 2); t=5 → P1 warm.
    rows = [(0.0, 0, 1.0), (0.0, 0, 9.0), (5.0, 0, 1.0)]
    for routing, cold in [("newest", 0), ("mru", 1), ("oldest", 0)]:
        r = simulate(acct(10), [fn(pc=2, timeout=2.0, init=0.5)], wl(rows), routing=routing)
        assert r["requests"]["outcome"] == [SUCCESS, TIMEOUT, SUCCESS]
        assert r["requests"]["cold_starts"] == [0, 0, cold]
        assert r["requests"]["end"][2] == (6.5 if cold else 6.0)
        assert r["functions"][0]["environments_created"] == 0
        assert r["functions"][0]["provisioned_invocations"] == 3
        assert r["functions"][0]["spillover_invocations"] == 0


# ---- until / PENDING --------------------------------------------------------------------------

def test_until_leaves_requests_pending():
    rows = [(0.0, 0, 1.0), (0.5, 0, 2.0), (3.0, 0, 1.0)]
    r = simulate(acct(10), [fn()], wl(rows), until=1.0)
    q = r["requests"]
    assert q["outcome"] == [SUCCESS, PENDING, PENDING]  # ends exactly at until: resolved
    assert q["end"] == [1.0, None, None]
    assert q["attempts"] == [1, 0, 0] and q["cold_starts"] == [1, 0, 0]
    assert q["throttle_reason"] == [0, 0, 0]
    f = r["functions"][0]
    assert f["invocations"] == 2 and f["cold_starts"] == 2  # counted at admission
    assert f["max_concurrency"] == 2
    assert r["horizon"] == 1.0
    # env1 [0, 1] (idle to 601, past the horizon) + env2 [0.5, 1] → 1.5 env·s / 1 s.
    assert f["avg_environments"] == 1.5


def test_run_to_completion_horizon_is_last_resolution():
    # limit 1: the arrival at 7.0 is throttled (resolved at 7.0); the run resolves at 10.0,
    # so the horizon is the later of the two, 10.0.
    rows = [(0.0, 0, 10.0), (7.0, 0, 1.0)]
    r = simulate(acct(1), [fn()], wl(rows))
    assert r["requests"]["end"] == [10.0, 7.0]
    assert r["horizon"] == 10.0
    assert r["functions"][0]["throttles_unreserved"] == 1

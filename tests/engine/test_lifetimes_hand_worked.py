"""Hand-worked checks of environment lifetimes (docs/model.md §3.1) on the reference model.

Every expected number was worked out by hand from §3.1 (the comments show the work); where a
case depends on a draw, the value is computed with the second implementation of the draw in
tests/engine/test_lifetimes_draws.py, not with the oracle's. tests/engine/test_engine_hand_worked.py
replays every case on the engine through `engine_adapter.simulate_lifetimes`.
"""

import pytest

from tests.engine.test_hand_worked_sync import acct, wl
from tests.engine.test_hand_worked_sync import fn as plain_fn
from tests.engine.test_lifetimes_draws import INIT, KEEP, empirical_us, lognormal_us, uniform_us, word
from tests.oracle.invocations import PENDING, RESERVED_LIMIT, SCALING_RATE, SUCCESS, THROTTLED, TIMEOUT, simulate
from tests.oracle.lifetimes import Empirical, Fixed, LogNormal, Uniform

KEEP_LIMIT_US = 9 * 10**15


def fn(init=0.5, idle=600.0, max_life=None, warm=0, **kw):
    return {**plain_fn(init=init, idle=idle, **kw), "max_lifetime_s": max_life, "warm_at_start": warm}


def s(us: int) -> float:
    return us / 1e6


# ---- maximum lifetime -------------------------------------------------------------------------

@pytest.mark.parametrize("arrival, cold, env, end, created", [
    # env 0 born at 0 (M = 10 s): idle at 1.5 and at 6, gone at min(6 + 600, max(6, 0 + 10)) = 10
    (9.999999, 0, 0, 10.999999, 1),  # still there: warm on env 0
    (10.0, 1, 1, 11.5, 2),  # gone at exactly b + M: a new env 1, init 0.5
])
def test_maximum_lifetime_cuts_a_warm_reuse(arrival, cold, env, end, created):
    r = simulate(acct(), [fn(max_life=10.0)], wl([(0.0, 0, 1.0), (5.0, 0, 1.0), (arrival, 0, 1.0)]))
    req = r["requests"]
    assert req["cold_starts"] == [1, 0, cold]
    assert req["environment"] == [0, 0, env]
    assert req["end"] == [1.5, 6.0, end]
    assert r["functions"][0]["environments_created"] == created
    # env 0 alive [0, 10] (or to the horizon), env 1 [10, 11.5]: one environment on average
    assert r["functions"][0]["avg_environments"] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("max_life, cold, env, end", [
    (2.0, [1, 1], [0, 1], [3.5, 5.0]),  # busy past b + M = 2: gone when its request ends at 3.5
    (None, [1, 0], [0, 0], [3.5, 4.5]),  # control: the same arrival reuses env 0
])
def test_an_env_busy_past_its_lifetime_finishes_and_is_gone_at_its_end(max_life, cold, env, end):
    # r0 at 0 runs 0.5 init + 3 s on env 0 until 3.5; r1 arrives at 3.5, after that end (§1)
    r = simulate(acct(), [fn(max_life=max_life)], wl([(0.0, 0, 3.0), (3.5, 0, 1.0)]))
    assert r["requests"]["cold_starts"] == cold
    assert r["requests"]["environment"] == env
    assert r["requests"]["end"] == end
    # with M: env 0 [0, 3.5] + env 1 [3.5, 5] over 5 s; without: env 0 over [0, 4.5]
    assert r["functions"][0]["avg_environments"] == pytest.approx(1.0, rel=1e-12)


def test_provisioned_environments_are_not_recycled():
    # PC 1 and M = 1 s: the provisioned env serves at 0, 5 and 100 s; nothing on demand
    r = simulate(acct(), [fn(pc=1, max_life=1.0)], wl([(0.0, 0, 1.0), (5.0, 0, 1.0), (100.0, 0, 1.0)]))
    assert r["requests"]["environment"] == [0, 0, 0]
    assert r["requests"]["cold_starts"] == [0, 0, 0]
    assert r["functions"][0]["provisioned_invocations"] == 3
    assert r["functions"][0]["environments_created"] == 0


# ---- warm environments at time 0 --------------------------------------------------------------

@pytest.mark.parametrize("routing, env", [("newest", [1, 0, 2, -1]), ("mru", [1, 0, 2, -1]),
                                          ("oldest", [0, 1, 2, -1])])
def test_two_warm_environments_take_no_scaling_token(routing, env):
    # warm envs 0 and 1 idle since 0 (mru: a tie, newest created first); the bucket holds one
    # token (cost 1000 s): r2 makes env 2 cold, r3 finds no token
    r = simulate(acct(scaling="current", burst=1, cost=10**9), [fn(warm=2)], wl([(0.0, 0, 1.0)] * 4),
                 routing=routing)
    req = r["requests"]
    assert req["environment"] == env
    assert req["cold_starts"] == [0, 0, 1, 0]
    assert req["outcome"] == [SUCCESS, SUCCESS, SUCCESS, THROTTLED]
    assert req["throttle_reason"][3] == SCALING_RATE
    assert req["end"] == [1.0, 1.0, 1.5, 0.0]
    f = r["functions"][0]
    assert (f["environments_created"], f["cold_starts"], f["invocations"], f["max_concurrency"]) == (1, 1, 3, 3)
    # three environments alive over the whole horizon [0, 1.5]
    assert f["avg_environments"] == pytest.approx(3.0, rel=1e-12)


def test_warm_environments_need_room_in_the_reservation_only_while_busy():
    # RC 1 and two warm envs: the second request at 0 is throttled (one on-demand running);
    # at 2 the first has ended and env 1 (idle since 1) serves again
    r = simulate(acct(), [fn(rc=1, warm=2)], wl([(0.0, 0, 1.0), (0.0, 0, 1.0), (2.0, 0, 1.0)]))
    req = r["requests"]
    assert req["outcome"] == [SUCCESS, THROTTLED, SUCCESS]
    assert req["throttle_reason"][1] == RESERVED_LIMIT
    assert req["environment"] == [1, -1, 1]
    assert req["cold_starts"] == [0, 0, 0]


def test_creation_numbers_go_function_by_function_provisioned_then_warm_then_on_demand():
    # f0: PC 1 (env 0) and one warm (env 1); f1: two warm (envs 2, 3); new ones from 4.
    # r0 (f1) → env 3, the newest; r1 (f0) → provisioned env 0; r2 (f0) → warm env 1, spillover;
    # r3 (f0) → new env 4, cold, spillover, ends 0.5 + 1; r4 (f1 at 0.5) → env 2 (3 is busy)
    rows = [(0.0, 1, 1.0), (0.0, 0, 1.0), (0.0, 0, 1.0), (0.0, 0, 1.0), (0.5, 1, 1.0)]
    r = simulate(acct(), [fn(pc=1, warm=1), fn(warm=2)], wl(rows))
    req = r["requests"]
    assert req["environment"] == [3, 0, 1, 4, 2]
    assert req["cold_starts"] == [0, 0, 0, 1, 0]
    assert req["end"] == [1.0, 1.0, 1.0, 1.5, 1.5]
    f0, f1 = r["functions"]
    assert (f0["provisioned_invocations"], f0["spillover_invocations"], f0["environments_created"]) == (1, 2, 1)
    assert (f1["environments_created"], f1["cold_starts"]) == (0, 0)
    # horizon 1.5, nothing expires: f0 has three envs throughout, f1 two
    assert f0["avg_environments"] == pytest.approx(3.0, rel=1e-12)
    assert f1["avg_environments"] == pytest.approx(2.0, rel=1e-12)
    assert r["account"]["avg_environments"] == pytest.approx(5.0, rel=1e-12)


@pytest.mark.parametrize("idle, max_life, arrival, cold, env", [
    (Fixed(2.0), None, 1.999999, 0, 0),  # idle since 0 with keep-alive 2 s: there until 2
    (Fixed(2.0), None, 2.0, 1, 1),
    (600.0, 1.5, 1.499999, 0, 0),  # born at 0 with M = 1.5 s: gone at 1.5
    (600.0, 1.5, 1.5, 1, 1),
])
def test_warm_environments_age_and_expire_like_any_other(idle, max_life, arrival, cold, env):
    r = simulate(acct(), [fn(idle=idle, max_life=max_life, warm=1)], wl([(arrival, 0, 1.0)]))
    assert r["requests"]["cold_starts"] == [cold]
    assert r["requests"]["environment"] == [env]
    assert r["functions"][0]["environments_created"] == cold


def test_warm_environments_count_in_avg_environments_from_zero():
    # three warm envs alive [0, 4] each (keep-alive 4 s), none created: 12 env·s over 10 s
    r = simulate(acct(), [fn(idle=4.0, warm=3)], wl([]), until=10.0)
    assert r["functions"][0]["avg_environments"] == pytest.approx(1.2, rel=1e-12)
    assert r["functions"][0]["environments_created"] == 0


# ---- the per-request environment -------------------------------------------------------------

def test_environment_is_minus_one_when_no_attempt_ran_or_the_request_is_pending():
    # RC 1: r0 runs on env 0 (0.5 + 5 s), r1 at 0 is throttled; until 1 leaves r0 pending
    r = simulate(acct(), [fn(rc=1)], wl([(0.0, 0, 5.0), (0.0, 0, 5.0)]), until=1.0)
    assert r["requests"]["outcome"] == [PENDING, THROTTLED]
    assert r["requests"]["environment"] == [-1, -1]
    r = simulate(acct(), [fn(rc=1)], wl([(0.0, 0, 5.0), (0.0, 0, 5.0)]))
    assert r["requests"]["environment"] == [0, -1]


@pytest.mark.parametrize("idle, env, cold", [(600.0, 0, 1), (30.0, 1, 2)])
def test_an_events_environment_is_that_of_its_last_attempt(idle, env, cold):
    # attempt 1 at 0 on env 0 fails at 1.5; the retry at 61.5 finds env 0 (keep-alive 600) or a
    # new env 1 (env 0 gone at 1.5 + 30)
    w = {**wl([(0.0, 0, 1.0, 1)]), "invocation_type": [1]}
    r = simulate(acct(), [fn(idle=idle)], w)
    assert r["requests"]["outcome"] == [SUCCESS]
    assert r["requests"]["attempts"] == [2]
    assert r["requests"]["environment"] == [env]
    assert r["requests"]["cold_starts"] == [cold]
    assert r["requests"]["last_start"] == [61.5]


# ---- distributions -------------------------------------------------------------------------

@pytest.mark.parametrize("idle, init", [(2.0, 0.25), (Fixed(2.0), Fixed(0.25)),
                                        (Empirical((2.0,)), Empirical((0.25,))),
                                        (Uniform(2.0, 2.0), Uniform(0.25, 0.25))])
def test_one_value_distributions_behave_as_the_number(idle, init):
    # r0 cold on env 0, ends 1.25, gone at 3.25; r1 at 3 warm, ends 4, gone at 6; r2 at 6 cold on
    # env 1, ends 7.25, gone at 9.25; r3 at 9.25 cold on env 2
    rows = [(0.0, 0, 1.0), (3.0, 0, 1.0), (6.0, 0, 1.0), (9.25, 0, 1.0)]
    r = simulate(acct(), [fn(idle=idle, init=init)], wl(rows), seed=99)
    assert r["requests"]["cold_starts"] == [1, 0, 1, 1]
    assert r["requests"]["environment"] == [0, 0, 1, 2]
    assert r["requests"]["end"] == [1.25, 4.0, 7.25, 10.5]
    assert r["functions"][0]["environments_created"] == 3


SEED = 9  # a seed whose two inits below differ (0.1 s, then 0.3 s)


def test_init_is_drawn_again_for_a_reinitialisation_after_a_timeout():
    # r0 times out on env 0 (init drawn at c 0, t 0); r1 at 5 re-initialises env 0 (drawn at
    # c 0, t 5 s), a cold start but not a new env; r2 at 7 is warm
    values = [100_000, 300_000]
    i0 = empirical_us(word(SEED, INIT, 0, 0), values)
    i1 = empirical_us(word(SEED, INIT, 0, 5_000_000), values)
    assert i0 != i1  # so the run shows two draws
    r = simulate(acct(), [fn(init=Empirical((0.1, 0.3)), timeout=1.0)],
                 wl([(0.0, 0, 2.0), (5.0, 0, 0.5), (7.0, 0, 0.5)]), seed=SEED)
    req = r["requests"]
    assert req["outcome"] == [TIMEOUT, SUCCESS, SUCCESS]
    assert req["end"] == [s(i0 + 1_000_000), s(5_000_000 + i1 + 500_000), 7.5]
    assert req["cold_starts"] == [1, 1, 0]
    assert req["environment"] == [0, 0, 0]
    assert (r["functions"][0]["environments_created"], r["functions"][0]["cold_starts"]) == (1, 2)


def test_a_provisioned_reinitialisation_is_drawn_its_first_init_is_not():
    i = uniform_us(word(SEED, INIT, 0, 2_000_000), 100_000, 300_000)
    r = simulate(acct(), [fn(pc=1, init=Uniform(0.1, 0.3), timeout=1.0)],
                 wl([(0.0, 0, 2.0), (2.0, 0, 0.5)]), seed=SEED)
    req = r["requests"]
    assert req["outcome"] == [TIMEOUT, SUCCESS]
    assert req["end"] == [1.0, s(2_000_000 + i + 500_000)]  # no init at 0: ready from the start
    assert req["cold_starts"] == [0, 1] and req["environment"] == [0, 0]
    assert r["functions"][0]["provisioned_invocations"] == 2


def keep_alives(dist_us, seed):
    """k0, the keep-alive of env 0 idle since 0, and k1, of its next idle period from k0 − 1 µs."""
    k0 = dist_us(word(seed, KEEP, 0, 0))
    return k0, dist_us(word(seed, KEEP, 0, k0 - 1))


@pytest.mark.parametrize("late, env", [(0, [0, 0, 0]), (1, [0, 0, 1])])
@pytest.mark.parametrize("idle, dist_us", [
    (Uniform(1.0, 3.0), lambda h: uniform_us(h, 1_000_000, 3_000_000)),
    (Empirical((0.5, 2.0, 4.0)), lambda h: empirical_us(h, [500_000, 2_000_000, 4_000_000])),
    (LogNormal(2.0, 0.5), lambda h: lognormal_us(h, 2_000_000, 0.5, KEEP_LIMIT_US)),
])
def test_the_keep_alive_is_drawn_per_idle_period(idle, dist_us, late, env):
    # zero-length requests, no init: env 0 idles from 0 (k0), is reused 1 µs before it is gone,
    # idles again (k1) and is reused 1 µs before, or at, that second death
    k0, k1 = keep_alives(dist_us, SEED)
    t1 = k0 - 1
    t2 = t1 + k1 - 1 + late
    r = simulate(acct(), [fn(init=0.0, idle=idle)], wl([(0.0, 0, 0.0), (s(t1), 0, 0.0), (s(t2), 0, 0.0)]),
                 seed=SEED)
    assert r["requests"]["environment"] == env
    assert r["requests"]["cold_starts"] == [1, 0, late]
    assert r["requests"]["end"] == [0.0, s(t1), s(t2)]


def test_a_lognormal_init_is_drawn_per_cold_start():
    # two cold starts at 0 (envs 0 and 1) and one at 1 s on env 2 (both others busy)
    inits = [lognormal_us(word(SEED, INIT, c, t), 300_000, 1.0, 10_000_000)
             for c, t in ((0, 0), (1, 0), (2, 1_000_000))]
    r = simulate(acct(), [fn(init=LogNormal(0.3, 1.0))], wl([(0.0, 0, 30.0), (0.0, 0, 30.0), (1.0, 0, 30.0)]),
                 seed=SEED)
    assert r["requests"]["environment"] == [0, 1, 2]
    assert r["requests"]["end"] == [s(inits[0] + 30_000_000), s(inits[1] + 30_000_000),
                                    s(1_000_000 + inits[2] + 30_000_000)]
    assert r["requests"]["cold_starts"] == [1, 1, 1]

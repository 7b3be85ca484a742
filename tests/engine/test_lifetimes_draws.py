"""The oracle's §3.1 draws (tests/oracle/lifetimes.py) checked against a second, straightforward
implementation written here from docs/model.md §3.1, against published values (SplitMix64's
first output, quantiles of the normal distribution, CPython's own AS 241) and against the
distributions' defining properties. Oracle only: the engine meets these draws through
tests/engine/test_lifetimes_hand_worked.py and tests/engine/test_differential_lifetimes.py.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.test_hand_worked_sync import acct, wl
from tests.oracle import lifetimes as lt
from tests.oracle.invocations import simulate, to_us
from tests.support.profiles import examples

TWO64 = 2**64
KEEP = int.from_bytes(b"keep", "big")  # §3.1's salts spell their purpose in ASCII
INIT = int.from_bytes(b"init", "big")


def finaliser(z: int) -> int:
    """SplitMix64's finaliser, written out again with modulo arithmetic."""
    for shift, multiplier in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        z = ((z ^ (z // 2**shift)) * multiplier) % TWO64
    return z ^ (z // 2**31)


def word(seed: int, salt: int, c: int, t_us: int) -> int:
    """h = mix(mix(mix(seed + salt) ^ c) ^ t), the sum modulo 2⁶⁴."""
    return finaliser(finaliser(finaliser((seed + salt) % TWO64) ^ c) ^ t_us)


def uniform_us(h: int, lo_us: int, hi_us: int) -> int:
    return lo_us + h * (hi_us - lo_us + 1) // TWO64


def empirical_us(h: int, values_us: list[int]) -> int:
    return values_us[h * len(values_us) // TWO64]


def lognormal_us(h: int, median_us: int, sigma: float, limit_us: int) -> int:
    """m · exp(σ · Φ⁻¹(u)), Φ⁻¹ from the standard library (CPython implements AS 241 too)."""
    u = (h // 4096 + 0.5) / 4503599627370496  # (⌊h / 2¹²⌋ + 0.5) / 2⁵²
    return min(math.floor(median_us * math.exp(sigma * statistics.NormalDist().inv_cdf(u)) + 0.5),
               limit_us)


# ---- the draw -------------------------------------------------------------------------------

def test_salts_and_the_finaliser():
    assert (lt.KEEP_ALIVE_SALT, lt.INIT_SALT) == (KEEP, INIT)
    # SplitMix64 seeded with 0 first adds the golden gamma; its published first output
    assert lt.mix(0x9E3779B97F4A7C15) == finaliser(0x9E3779B97F4A7C15) == 0xE220A8397B1DCDAF


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**64 - 1, 2**64 - KEEP])
def test_first_draws_match_a_second_implementation(seed):
    # seed + salt wraps modulo 2⁶⁴ for the last two seeds
    for c in (0, 1, 2, 7, 2**40):
        for t in (0, 1, 1_000_000, 600_000_000, 9 * 10**15):
            for salt in (KEEP, INIT):
                assert lt.draw_word(seed, salt, c, t) == word(seed, salt, c, t), (seed, c, t, salt)
    # the two salts, neighbouring environments and instants give different words
    words = {word(seed, s, c, t) for s in (KEEP, INIT) for c in range(3) for t in range(3)}
    assert len(words) == 18


# ---- the four distributions -----------------------------------------------------------------

def sample(dist, h: int, limit_us: int = lt.KEEP_ALIVE_LIMIT_US) -> int:
    return lt.sampler(dist, to_us, limit_us)(h)


def test_fixed_and_a_plain_number_are_the_rounded_value_whatever_the_word():
    for h in (0, 1, 2**63, TWO64 - 1):
        assert sample(lt.Fixed(2.5), h) == sample(2.5, h) == 2_500_000
        assert sample(lt.Fixed(0.0000005), h) == 1  # §1: a half rounds up
        assert sample(0, h) == 0


def test_uniform_reaches_both_ends_inclusively():
    d = lt.Uniform(1.0, 3.0)
    assert sample(d, 0) == 1_000_000
    assert sample(d, TWO64 - 1) == 3_000_000  # ⌊(2⁶⁴ − 1)(hi − lo + 1) / 2⁶⁴⌋ = hi − lo
    assert sample(d, 2**63) == 1_000_000 + 2_000_001 // 2
    assert sample(lt.Uniform(0.5, 0.5), 2**63) == 500_000
    # parameters rounded to µs first: [0, 1] µs, each half of the words
    assert [sample(lt.Uniform(0.0000004, 0.0000014), h) for h in (0, 2**63 - 1, 2**63)] == [0, 0, 1]
    rng = random.Random(3)
    for _ in range(2000):
        h = rng.getrandbits(64)
        assert sample(d, h) == uniform_us(h, 1_000_000, 3_000_000)


def test_empirical_indexes_the_values_in_the_order_given():
    d = lt.Empirical((3.0, 1.0, 2.0))
    assert [sample(d, h) for h in (0, TWO64 // 3 - 1, TWO64 // 3 + 1, TWO64 - 1)] == [
        3_000_000, 3_000_000, 1_000_000, 2_000_000]
    rng = random.Random(4)
    counts = {v: 0 for v in (1_000_000, 2_000_000, 3_000_000)}
    for _ in range(30000):
        h = rng.getrandbits(64)
        assert sample(d, h) == empirical_us(h, [3_000_000, 1_000_000, 2_000_000])
        counts[sample(d, h)] += 1
    assert all(abs(n - 10000) < 400 for n in counts.values())  # each equally likely
    assert all(sample(lt.Empirical((2.0,)), h) == sample(lt.Fixed(2.0), h) for h in (0, 2**63, TWO64 - 1))


# ---- LogNormal and Φ⁻¹ ------------------------------------------------------------------------

@pytest.mark.parametrize("p, z", [
    (0.975, 1.959963984540054), (0.025, -1.959963984540054), (0.995, 2.5758293035489004),
    (0.999, 3.090232306167813), (0.5, 0.0), (0.75, 0.6744897501960817), (0.9, 1.2815515655446004),
])
def test_inverse_normal_at_known_quantiles(p, z):
    assert lt.ppnd16(p) == pytest.approx(z, abs=1e-12)


def test_inverse_normal_inverts_the_normal_cdf_in_all_three_regions():
    for i in range(-800, 1):  # x from −8 to 0: the tail beyond r = 5, the tail, the centre
        x = i / 100
        p = 0.5 * math.erfc(-x / math.sqrt(2))
        assert lt.ppnd16(p) == pytest.approx(x, abs=1e-12 * max(1.0, abs(x)))
    # the complement of a word gives 1 − u exactly, and Φ⁻¹ is odd about 1/2
    rng = random.Random(7)
    for h in [0, 1, 2**63, *(rng.getrandbits(64) for _ in range(5000))]:
        u, v = lt.unit_interval(h), lt.unit_interval(TWO64 - 1 - h)
        assert v == 1 - u and lt.ppnd16(v) == -lt.ppnd16(u)


def test_inverse_normal_is_cpythons_as241_bit_for_bit():
    rng = random.Random(5)
    us = [lt.unit_interval(rng.getrandbits(64)) for _ in range(20000)]
    us += [lt.unit_interval(0), lt.unit_interval(TWO64 - 1), 0.075, 0.925, 1e-300]
    normal = statistics.NormalDist()
    assert [lt.ppnd16(u) for u in us] == [normal.inv_cdf(u) for u in us]
    # the extreme words give u strictly inside (0, 1), symmetric and exact
    assert lt.unit_interval(0) == 2.0**-53 and lt.unit_interval(TWO64 - 1) == 1 - 2.0**-53


def test_lognormal_matches_its_definition_and_its_median():
    d = lt.LogNormal(2.0, 0.5)
    rng = random.Random(6)
    for _ in range(2000):
        h = rng.getrandbits(64)
        assert sample(d, h) == lognormal_us(h, 2_000_000, 0.5, lt.KEEP_ALIVE_LIMIT_US)
    # the draws of many environments at one instant: median ≈ median_s, log-sd ≈ sigma
    draws = sorted(sample(d, word(9, KEEP, c, 0)) for c in range(20001))
    assert draws[10000] == pytest.approx(2_000_000, rel=0.02)
    logs = [math.log(x) for x in draws]
    assert statistics.pstdev(logs) == pytest.approx(0.5, rel=0.03)
    assert all(sample(lt.LogNormal(1.5, 0.0), h) == 1_500_000 for h in (0, 2**63, TWO64 - 1))


def test_lognormal_stops_at_the_fields_limit():
    init = lt.sampler(lt.LogNormal(5.0, 3.0), to_us, lt.INIT_LIMIT_US)
    draws = [init(word(1, INIT, c, 0)) for c in range(2000)]
    assert max(draws) == lt.INIT_LIMIT_US == 10_000_000 and min(draws) < 5_000_000
    assert draws.count(lt.INIT_LIMIT_US) > 100  # P(x > 10 s) = P(z > ln 2 / 3) ≈ 0.41
    # exp beyond float64 (σ · z > 709): the keep-alive's limit, 9·10⁹ s
    assert sample(lt.LogNormal(1.0, 200.0), TWO64 - 1) == lt.KEEP_ALIVE_LIMIT_US == 9 * 10**15
    assert sample(lt.LogNormal(0.0, 200.0), TWO64 - 1) == sample(lt.LogNormal(0.0, 1.0), 0) == 0


# ---- death times ------------------------------------------------------------------------------

@pytest.mark.parametrize("t, k, born, m, dies", [
    (5, 10, 0, None, 15),  # no maximum lifetime: t + k
    (5, 10, 0, 12, 12),  # the lifetime ends during the idle period
    (5, 3, 0, 12, 8),  # the keep-alive ends first
    (15, 10, 0, 12, 15),  # idle only after b + M: gone at once
    (12, 10, 0, 12, 12),  # idle exactly at b + M
    (5, 0, 0, 12, 5),  # a keep-alive of 0
])
def test_death_time(t, k, born, m, dies):
    assert lt.death_time(t, k, born, m) == dies


# ---- numbers, Fixed and one-value Empirical are one rule ----------------------------------------

@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0]), st.sampled_from([0.0, 0.5, 1.0, 3.0])),
                max_size=25),
       st.sampled_from([0.0, 0.25, 1.0]), st.sampled_from([0.0, 0.5, 2.0, 600.0]),
       st.integers(0, 2**64 - 1), st.sampled_from(["newest", "mru", "oldest"]))
def test_a_number_fixed_and_a_one_value_empirical_give_one_run(rows, init, idle, seed, routing):
    time, out = 0.0, []
    for gap, duration in rows:
        time += gap
        out.append((time, 0, duration))
    runs = [simulate(acct(3), [{"init_s": i, "idle_timeout_s": k, "timeout_s": 2.0}], wl(out),
                     routing=routing, seed=seed)
            for i, k in ((init, idle), (lt.Fixed(init), lt.Fixed(idle)),
                         (lt.Empirical((init,)), lt.Empirical((idle,))))]
    assert runs[0] == runs[1] == runs[2]

"""Pure-Python reference model (test oracle) of environment lifetimes (docs/model.md §3.1).

Written from §3.1 alone: the keep-alive and the init duration as distributions, the draw that
picks a value from the simulator's seed, the environment's creation number and the instant, and
the death time of an idle environment under a maximum lifetime. `invocations.Simulator` wires
them into its environments; everything here is integer microseconds except the distributions'
own parameters, which are seconds as the user gives them.

    Fixed(seconds), Uniform(low_s, high_s), LogNormal(median_s, sigma), Empirical(values_s)
    sampler(value, to_us, limit_us) -> (h -> µs)      value: seconds or a distribution
    draw_word(seed, salt, c, t) -> h                     the 64-bit word of one draw
    death_time(t, k, born, max_lifetime) -> µs           when an env idle since t is gone
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Union

MASK64 = (1 << 64) - 1
KEEP_ALIVE_SALT = 0x6B656570  # "keep": one draw per idle period
INIT_SALT = 0x696E6974  # "init": one draw per cold start
INIT_LIMIT_US = 10_000_000  # §9: the init phase limit, 10 s
KEEP_ALIVE_LIMIT_US = 9_000_000_000 * 1_000_000  # §1: no time beyond 9·10⁹ s

Sampler = Callable[[int], int]
ToMicros = Callable[[float], int]


def mix(z: int) -> int:
    """SplitMix64's finaliser, modulo 2⁶⁴."""
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def draw_word(seed: int, salt: int, c: int, t: int) -> int:
    """h = mix(mix(mix(seed + salt) ^ c) ^ t): environment `c`, instant `t` µs."""
    return mix(mix(mix(seed + salt) ^ c) ^ t)


# Wichura's AS 241 (PPND16) coefficients: the central region |q| ≤ 0.425 (a, b), the tail with
# r = sqrt(−log(min(p, 1 − p))) ≤ 5 (c, d) and beyond (e, f); each list from the constant term.
_A = (3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
      1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
      3.3430575583588128105e4, 2.5090809287301226727e3)
_B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
      2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
      5.2264952788528545610e3)
_C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
      3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
      2.27238449892691845833e-2, 7.74545014278341407640e-4)
_D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
      1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
      1.05075007164441684324e-9)
_E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
      2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
      2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
      7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
      2.04426310338993978564e-15)


def _horner(coefficients: tuple[float, ...], r: float) -> float:
    """((c7·r + c6)·r + …)·r + c0, in the algorithm's order."""
    acc = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        acc = acc * r + c
    return acc


def ppnd16(p: float) -> float:
    """Φ⁻¹(p) for 0 < p < 1 by AS 241, in float64 as the Fortran evaluates it (left to right:
    q · numerator / denominator)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _horner(_A, r) / _horner(_B, r)
    r = math.sqrt(-math.log(p if q < 0 else 1.0 - p))
    if r <= 5.0:
        r -= 1.6
        x = _horner(_C, r) / _horner(_D, r)
    else:
        r -= 5.0
        x = _horner(_E, r) / _horner(_F, r)
    return -x if q < 0 else x


def unit_interval(h: int) -> float:
    """u = (⌊h / 2¹²⌋ + 0.5) / 2⁵²: the top 52 bits and a half, exact in float64 and strictly
    inside (0, 1)."""
    return ((h >> 12) + 0.5) / 2.0**52


@dataclass(frozen=True)
class Fixed:
    seconds: float

    def sampler(self, to_us: ToMicros, limit_us: int) -> Sampler:
        k = to_us(self.seconds)
        return lambda h: k


@dataclass(frozen=True)
class Uniform:
    low_s: float
    high_s: float

    def sampler(self, to_us: ToMicros, limit_us: int) -> Sampler:
        lo, hi = to_us(self.low_s), to_us(self.high_s)
        return lambda h: lo + ((h * (hi - lo + 1)) >> 64)


@dataclass(frozen=True)
class Empirical:
    values_s: tuple[float, ...]

    def sampler(self, to_us: ToMicros, limit_us: int) -> Sampler:
        values = [to_us(v) for v in self.values_s]
        n = len(values)
        return lambda h: values[(h * n) >> 64]


@dataclass(frozen=True)
class LogNormal:
    median_s: float
    sigma: float

    def sampler(self, to_us: ToMicros, limit_us: int) -> Sampler:
        m = float(to_us(self.median_s))
        sigma = self.sigma

        def draw(h: int) -> int:
            if m == 0:  # every value of a zero median is 0 (and 0 · ∞ would be NaN)
                return 0
            try:
                x = m * math.exp(sigma * ppnd16(unit_interval(h)))
            except OverflowError:  # exp beyond float64: infinite, so the limit
                return limit_us
            return min(math.floor(x + 0.5), limit_us)

        return draw


Distribution = Union[Fixed, Uniform, Empirical, LogNormal]


def sampler(value: float | Distribution, to_us: ToMicros, limit_us: int) -> Sampler:
    """The draw of a field (`init_s`, `idle_timeout_s`): a number is a fixed value."""
    if isinstance(value, (Fixed, Uniform, Empirical, LogNormal)):
        return value.sampler(to_us, limit_us)
    return Fixed(float(value)).sampler(to_us, limit_us)


def death_time(t: int, k: int, born: int, max_lifetime: int | None) -> int:
    """An environment born at `born` that goes idle at `t` with keep-alive `k` is gone at
    min(t + k, max(t, born + M)) (no maximum lifetime: t + k)."""
    if max_lifetime is None:
        return t + k
    return min(t + k, max(t, born + max_lifetime))

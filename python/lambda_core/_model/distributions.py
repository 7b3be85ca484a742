"""Durations given as distributions (docs/model.md §3.1): a function's keep-alive
(``idle_timeout_s``) and init phase (``init_s``) may be a fixed number of seconds or one of
these. The engine draws a value per idle period or per cold start, from the simulator's seed,
the environment and the instant, so that a replay is deterministic and does not depend on
chunking.

Each is a frozen, hashable value; the parameters are validated on construction
(:class:`TypeError` for a wrong type, :class:`~lambda_core.errors.InvalidParameterValueException`
for a value out of range, :class:`~lambda_core.errors.EngineLimitError` beyond the engine's
limit on seconds).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import numpy as np

from .. import _validation as v
from ..errors import InvalidParameterValueException
from ._frozen import assign

__all__ = ["Distribution", "Fixed", "Uniform", "LogNormal", "Empirical", "as_seconds_or_distribution"]


def _seconds(owner: str, field: str, value: object) -> float:
    """A finite number of seconds, at least 0 and within the engine's limit."""
    s = v.require_real(owner, field, value)
    v.require_finite(owner, field, s)
    if s < 0:
        raise InvalidParameterValueException(f"{owner}.{field} must be at least 0 seconds, got {s!r}")
    v.engine_limit(owner, field, s, "seconds")
    return s


class Distribution:
    """A duration in seconds drawn by the engine (docs/model.md §3.1)."""

    __slots__ = ()

    @property
    def low_s(self) -> float:
        """The smallest value it can draw."""
        raise NotImplementedError

    @property
    def high_s(self) -> float:
        """The largest value it can draw (``inf`` for a log-normal)."""
        raise NotImplementedError

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` values drawn with numpy (for plots and estimates: the engine's own draws are
        the hashed ones of §3.1)."""
        raise NotImplementedError


@dataclasses.dataclass(frozen=True, init=False)
class Fixed(Distribution):
    """Always ``seconds``: the same as giving the number."""

    seconds: float

    def __init__(self, seconds: float) -> None:
        assign(self, seconds=_seconds("Fixed", "seconds", seconds))

    @property
    def low_s(self) -> float:
        return self.seconds

    @property
    def high_s(self) -> float:
        return self.seconds

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        return np.full(n, self.seconds)


@dataclasses.dataclass(frozen=True, init=False)
class Uniform(Distribution):
    """Uniform between ``low_s`` and ``high_s`` (both included, on the microsecond grid)."""

    low: float
    high: float

    def __init__(self, low_s: float, high_s: float) -> None:
        low, high = _seconds("Uniform", "low_s", low_s), _seconds("Uniform", "high_s", high_s)
        if low > high:
            raise InvalidParameterValueException(
                f"Uniform.low_s must not be above high_s, got {low!r} > {high!r}")
        assign(self, low=low, high=high)

    @property
    def low_s(self) -> float:
        return self.low

    @property
    def high_s(self) -> float:
        return self.high

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        return np.random.default_rng(seed).uniform(self.low, self.high, n)


@dataclasses.dataclass(frozen=True, init=False)
class LogNormal(Distribution):
    """``median_s × exp(sigma × Z)``, ``Z`` standard normal: a median and the spread of the
    logarithm (``sigma`` ≥ 0; 0 is the fixed median). A draw is capped at the field's limit
    (10 s for an init)."""

    median_s: float
    sigma: float

    def __init__(self, median_s: float, sigma: float) -> None:
        median = _seconds("LogNormal", "median_s", median_s)
        s = v.require_real("LogNormal", "sigma", sigma)
        v.require_finite("LogNormal", "sigma", s)
        if s < 0:
            raise InvalidParameterValueException(f"LogNormal.sigma must be at least 0, got {s!r}")
        assign(self, median_s=median, sigma=s)

    @property
    def low_s(self) -> float:
        return self.median_s if self.sigma == 0 else 0.0

    @property
    def high_s(self) -> float:
        return self.median_s if self.sigma == 0 or self.median_s == 0 else math.inf

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return np.asarray(self.median_s * np.exp(self.sigma * rng.standard_normal(n)))


@dataclasses.dataclass(frozen=True, init=False)
class Empirical(Distribution):
    """Each of ``values_s`` equally likely: the inverse of a sample's empirical CDF (the idle
    times or init durations a log shows, say). Stored as a tuple, in the order given."""

    values: tuple[float, ...]

    def __init__(self, values_s: Iterable[float]) -> None:
        if isinstance(values_s, (str, bytes)) or not isinstance(values_s, Iterable):
            raise TypeError(f"Empirical.values_s must be a sequence of seconds, got {v.describe(values_s)}")
        values = tuple(_seconds("Empirical", f"values_s[{i}]", x) for i, x in enumerate(values_s))
        if not values:
            raise InvalidParameterValueException("Empirical.values_s must hold at least one value")
        assign(self, values=values)

    @property
    def low_s(self) -> float:
        return min(self.values)

    @property
    def high_s(self) -> float:
        return max(self.values)

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        return np.random.default_rng(seed).choice(np.asarray(self.values), n)


def as_seconds_or_distribution(owner: str, field: str, value: object) -> float | Distribution:
    """A field that takes seconds or a distribution: a number (or ``Fixed``) is stored as a
    float, so that a fixed value has one form; anything else must be a :class:`Distribution`."""
    if isinstance(value, Fixed):
        return value.seconds
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
        raise TypeError(
            f"{owner}.{field} must be a number of seconds or a distribution "
            f"(lc.Uniform, lc.LogNormal, lc.Empirical), got {v.describe(value)}")
    return float(value)

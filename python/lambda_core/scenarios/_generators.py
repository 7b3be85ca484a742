"""The generators a scenario declares: handler durations, bursts, and the arrival processes of
a function's requests (:class:`WorkloadSpec`) and of an event source's records
(:class:`RecordsSpec`). Each draws from the random stream it is given, in a fixed order of
draws, so the same seed gives bit-identical inputs."""

from __future__ import annotations

import dataclasses
import math
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from .._model import InvocationType, Records, Trigger, Workload
from ..errors import ScenarioError
from ._schema import MAX_SECONDS

__all__ = ["Duration", "Burst", "WorkloadSpec", "RecordsSpec", "MAX_GENERATED_ROWS"]

#: The most rows (requests plus records, expected: ``rate_per_s × (end_s − start_s)`` plus the
#: bursts' counts) a scenario may generate, per generator and in all. 10^9 rows are already
#: tens of GB of columns; the parser refuses more before anything is drawn.
MAX_GENERATED_ROWS = 10**9

#: Seconds drawn by a generator.
_Times = npt.NDArray[np.float64]


@dataclasses.dataclass(frozen=True)
class Duration:
    """A handler-duration distribution: ``fixed`` (``value`` = ``s``), ``exponential``
    (``value`` = ``mean_s``) or ``lognormal`` (``value`` = ``median_s``, with ``sigma``)."""

    dist: str
    value: float
    sigma: float = 0.0

    def sample(self, rng: np.random.Generator, n: int) -> _Times:
        """``n`` durations in seconds drawn from ``rng`` (a fixed duration draws nothing).

        A draw past the engine's limit of 9e9 s (a long tail, or a lognormal's ``inf``) is
        capped there, which the engine would otherwise refuse at ``run`` after ``validate``
        said OK; no outcome changes, since a handler longer than its timeout (at most 900 s)
        is cut at the timeout (docs/model.md §3)."""
        if self.dist == "fixed":
            return np.full(n, self.value)
        if self.dist == "exponential":
            drawn = rng.exponential(self.value, n)
        else:
            drawn = rng.lognormal(math.log(self.value), self.sigma, n)
        return np.minimum(drawn, MAX_SECONDS, out=drawn)

    def mean(self) -> float:
        """The distribution's mean in seconds."""
        if self.dist == "lognormal":
            return self.value * math.exp(self.sigma**2 / 2)
        return self.value

    def describe(self) -> str:
        """A short text such as ``lognormal(median 0.12 s, sigma 0.5)``."""
        if self.dist == "fixed":
            return f"fixed {self.value:g} s"
        if self.dist == "exponential":
            return f"exponential(mean {self.value:g} s)"
        return f"lognormal(median {self.value:g} s, sigma {self.sigma:g})"


@dataclasses.dataclass(frozen=True)
class Burst:
    """``count`` requests spread uniformly over ``[at_s, at_s + over_s)`` (all at ``at_s`` when
    ``over_s`` is 0)."""

    at_s: float
    count: int
    over_s: float = 0.0


_Arrivals = TypeVar("_Arrivals", bound="_ArrivalProcess")


class _ArrivalProcess:
    """The arrivals that workload and record generators share: a Poisson process of
    ``rate_per_s`` on ``[start_s, end_s)`` plus each :class:`Burst` (fields of the dataclasses
    that inherit this)."""

    arrivals: str
    rate_per_s: float
    start_s: float
    end_s: float
    bursts: tuple[Burst, ...]

    def _expected(self) -> float:
        return self.rate_per_s * (self.end_s - self.start_s) + sum(b.count for b in self.bursts)

    def _arrival_times(self, rng: np.random.Generator) -> _Times:
        """Sorted arrival times: a Poisson count of mean ``rate_per_s × (end_s − start_s)``
        drawn first, then its times uniformly on ``[start_s, end_s)``, then each burst's."""
        expected = self._expected()
        if not expected <= MAX_GENERATED_ROWS:  # a spec built in Python, not parsed from a file
            raise ScenarioError(
                f"{type(self).__name__} would generate about {expected:.3g} rows, above the "
                f"limit of {MAX_GENERATED_ROWS:.0e} rows a scenario may generate"
            )
        parts: list[_Times] = []
        if self.rate_per_s > 0 and self.end_s > self.start_s:
            span = self.end_s - self.start_s
            n = int(rng.poisson(self.rate_per_s * span))
            parts.append(self.start_s + span * rng.random(n))
        for burst in self.bursts:
            parts.append(burst.at_s + burst.over_s * rng.random(burst.count))
        return np.sort(np.concatenate(parts)) if parts else np.empty(0)

    def scaled(self: _Arrivals, factor: float) -> _Arrivals:
        """This generator with ``factor`` times its traffic: the rate, and each burst's count
        (rounded to the nearest whole request)."""
        bursts = tuple(dataclasses.replace(b, count=round(b.count * factor)) for b in self.bursts)
        return dataclasses.replace(self, rate_per_s=self.rate_per_s * factor, bursts=bursts)  # type: ignore[type-var]

    def _describe_arrivals(self) -> str:
        text = f"{self.arrivals} {self.rate_per_s:g}/s on [{self.start_s:g}, {self.end_s:g}) s"
        if self.bursts:
            text += ", bursts " + ", ".join(
                f"{b.count} at {b.at_s:g} s over {b.over_s:g} s" for b in self.bursts
            )
        return text


@dataclasses.dataclass(frozen=True)
class WorkloadSpec(_ArrivalProcess):
    """One workload generator of one function.

    Arrivals: a Poisson process of ``rate_per_s`` on ``[start_s, end_s)`` (drawn as a Poisson
    count, then uniform times), plus, for ``arrivals = "bursty"``, each :class:`Burst`.
    Durations come from ``duration``; with ``failure_rate`` set, each request's first attempt
    fails with that probability (the workload's ``failures`` column is 1). The requests invoke
    their function with ``invocation_type``: the way ``trigger`` invokes when one is named
    (``Trigger.S3``: ``EVENT``), else synchronously unless the file said ``"event"``.
    """

    arrivals: str
    duration: Duration
    rate_per_s: float = 0.0
    start_s: float = 0.0
    end_s: float = 0.0
    bursts: tuple[Burst, ...] = ()
    failure_rate: float | None = None
    invocation_type: InvocationType = InvocationType.REQUEST_RESPONSE
    trigger: Trigger | None = None

    def expected_requests(self) -> float:
        """The mean number of requests this generator makes."""
        return self._expected()

    def generate(self, rng: np.random.Generator, function: int) -> Workload:
        """Draws the requests of function index ``function`` from ``rng``: arrival times first,
        then durations, then failures (so the order of draws is fixed)."""
        time = self._arrival_times(rng)
        n = len(time)
        duration = self.duration.sample(rng, n)
        failures = None
        if self.failure_rate is not None:
            failures = (rng.random(n) < self.failure_rate).astype(np.int64)
        # synchronous requests need no column (a workload without one is all RequestResponse)
        kind = self.invocation_type if self.invocation_type == InvocationType.EVENT else None
        return Workload(time, np.full(n, function, np.int64), duration, kind, failures)

    def describe(self) -> str:
        """A short text such as ``poisson 50/s on [0, 600) s, fixed 0.1 s``."""
        text = self._describe_arrivals()
        text += f"; {self.duration.describe()}"
        if self.failure_rate is not None:
            text += f"; failure rate {self.failure_rate:g}"
        kind = "Event" if self.invocation_type == InvocationType.EVENT else "RequestResponse"
        if self.trigger is not None:
            text += f"; trigger {self.trigger.name.lower()} ({self.trigger.value}, {kind})"
        elif self.invocation_type == InvocationType.EVENT:
            text += f"; invocation type {kind}"
        return text


@dataclasses.dataclass(frozen=True)
class RecordsSpec(_ArrivalProcess):
    """The generator of one event source's records (``[streams.records]``) or messages
    (``[queues.messages]``).

    Arrivals as for :class:`WorkloadSpec`: a Poisson process of ``rate_per_s`` on
    ``[start_s, end_s)`` plus, for ``arrivals = "bursty"``, each :class:`Burst`. Each record
    gets a partition key (a stream) or message group id (a FIFO queue) drawn uniformly from
    ``keys`` distinct values, or, with ``keys`` unset, a random 64-bit key of its own. With
    ``failure_rate`` set, a record is poison with that probability: the first ``failures``
    invocations whose batch holds it fail (the :class:`~lambda_core.Records` ``failures``
    column).
    """

    arrivals: str
    rate_per_s: float = 0.0
    start_s: float = 0.0
    end_s: float = 0.0
    bursts: tuple[Burst, ...] = ()
    keys: int | None = None
    failure_rate: float | None = None
    failures: int = 1

    def expected_records(self) -> float:
        """The mean number of records this generator makes."""
        return self._expected()

    def generate(self, rng: np.random.Generator, source: str) -> Records:
        """Draws the records of event source ``source`` from ``rng``: arrival times first (as
        :meth:`WorkloadSpec.generate`), then keys, then failures (only with ``failure_rate``)."""
        time = self._arrival_times(rng)
        n = len(time)
        if self.keys is not None:
            key = rng.integers(0, self.keys, n)
        else:
            key = rng.integers(-(2**63), 2**63 - 1, n, endpoint=True)
        failures = None
        if self.failure_rate is not None:
            failures = (rng.random(n) < self.failure_rate).astype(np.int64) * self.failures
        return Records(source, time, key, failures)

    def describe(self, keyed: bool = True) -> str:
        """A short text such as ``poisson 1000/s on [0, 3600) s; 5000 keys`` (without the keys
        when not ``keyed``: a standard queue's messages have no group)."""
        text = self._describe_arrivals()
        if keyed:
            text += "; a random key per record" if self.keys is None else f"; {self.keys} keys"
        if self.failure_rate is not None:
            times = "once" if self.failures == 1 else f"{self.failures} times"
            text += f"; failure rate {self.failure_rate:g} (a poison record fails {times})"
        return text


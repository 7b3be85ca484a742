"""Lambda as a resource of a SimPy model (docs/simpy.md).

A :class:`Platform` puts a :class:`~lambda_core.Simulator` inside a SimPy environment: SimPy
processes invoke Lambda functions and receive each outcome at the SimPy time the simulator
resolves it, with the simulator's concurrency rules, and its clock kept in step with SimPy's.

>>> import simpy, lambda_core as lc
>>> import lambda_core.simpy
>>> sim = lc.Simulator(lc.Account(), [lc.Function("orders", reserved_concurrency=10)])
>>> env = simpy.Environment()
>>> platform = lc.simpy.Platform(env, sim)
>>> def client(env):
...     outcome = yield platform.invoke("orders", duration_s=0.2)
...     print(env.now, outcome.outcome.name)
>>> _ = env.process(client(env)); env.run()
0.7 SUCCESS

SimPy is an optional dependency: ``import lambda_core`` does not import it, this module does.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import cast

import simpy
from simpy.events import NORMAL, EventPriority

from . import _core
from ._model import InvocationType, Outcome, Trigger
from ._simulator import Simulator
from .errors import UsageError

__all__ = ["Invocation", "InvokeRefused", "Platform"]

# after SimPy's URGENT and NORMAL: the engine takes an instant t once the SimPy events at t have
# run, so that the invokes they make are in it. One made at t after that (by a process the
# outcomes resumed) is taken at t too, in a step of its own, which resolves as one instant would
_LATE = EventPriority(NORMAL + 1)

_OUTCOMES = {int(o): o for o in Outcome}
_REFUSED = frozenset(int(o) for o in Outcome if o.aws_error)  # what InvokeRefused reports


@dataclasses.dataclass(frozen=True, slots=True)
class Invocation:
    """A resolved request: what ``yield platform.invoke(...)`` gives.

    Attributes:
        request: the request's id in the simulator.
        function: the function's name.
        invocation_type: synchronous or asynchronous.
        enqueued: when the request arrived, in seconds, as the engine took it (on its
            microsecond grid: ``Result.requests["enqueued"]``).
        end: when it was resolved, in seconds (``Result.requests["end"]``); the SimPy time at
            which the event succeeded.
        outcome: how it ended.
    """

    request: int
    function: str
    invocation_type: InvocationType
    enqueued: float
    end: float
    outcome: Outcome

    @property
    def ok(self) -> bool:
        """The request succeeded."""
        return self.outcome is Outcome.SUCCESS

    @property
    def throttled(self) -> bool:
        """A synchronous attempt was refused for concurrency (``TooManyRequestsException``)."""
        return self.outcome is Outcome.THROTTLED

    @property
    def refused(self) -> bool:
        """AWS's Invoke would answer with an exception: a throttle, a Pending or Inactive
        function, no ENI, a payload above the limit (:attr:`Outcome.aws_error`)."""
        return bool(self.outcome.aws_error)

    @property
    def latency(self) -> float:
        """``end - enqueued``, in seconds."""
        return self.end - self.enqueued


class InvokeRefused(Exception):
    """What a :class:`Platform` made with ``raise_on_refusal=True`` fails an invocation's event
    with when AWS's Invoke would answer with an exception (:attr:`Invocation.refused`)."""

    def __init__(self, invocation: Invocation) -> None:
        # the invocation is the one argument: SimPy re-raises a failure nobody waited for as
        # ``type(e)(*e.args)``, and a copy made so must be this exception again
        super().__init__(invocation)
        #: The refused request.
        self.invocation = invocation

    def __str__(self) -> str:
        i = self.invocation
        o = i.outcome
        return (f"{o.aws_error}: {o.message(i.invocation_type)} "
                f"(request {i.request} of {i.function!r} at {i.end:g} s)")

    @property
    def aws_error(self) -> str:
        """AWS's exception name, e.g. ``"TooManyRequestsException"``."""
        return self.invocation.outcome.aws_error


def _delay(now: float, at: float) -> float:
    """A delay that takes SimPy's clock from `now` to `at` in floats (SimPy's ``now + delay``):
    `at` exactly if any delay gives it, else the smallest past it; 0 when `at` is not after
    `now`. ``at - now`` misses a microsecond-grid `at` by an ulp in 2-3 % of cases, so it is
    nudged an ulp at a time; when ``now >= at / 2`` it is exact (Sterbenz), and below that the
    delay's ulp is at least half `at`'s, so the nudges are few. No delay gives `at` when the
    sum's rounding (ties to even) steps over it, about one case in 10^5."""
    if not at > now:
        return 0.0
    delay = at - now
    if now + delay == at:
        return delay
    while now + delay > at:  # the sum grows with the delay: down to at most `at` ...
        delay = math.nextafter(delay, -math.inf)
    while now + delay < at:  # ... then up to the first delay that reaches it
        delay = math.nextafter(delay, math.inf)
    return delay


class _Wake(simpy.Event):
    """The platform's wake-up at the engine's instant `us` (microseconds): triggered when made,
    as SimPy's own :class:`simpy.Timeout` is, and processed at SimPy time ``at = us / 1e6``
    exactly (``env.now == at``), after the events of priority URGENT and NORMAL then; at once
    if `at` is past."""

    def __init__(self, env: simpy.Environment, us: int, callback: Callable[[simpy.Event], None]) -> None:
        # Event.__init__ inlined, as Timeout does: one is made per request and instant
        self.env = env
        self.callbacks = [callback]
        self._ok = True
        self._value = None
        self.us = us
        now = float(env.now)
        at = us / 1e6
        delay = at - now
        if delay <= 0.0:
            delay = 0.0
        elif now + delay != at:
            delay = _delay(now, at)
            if now + delay != at:
                # no delay from `now` gives `at`: a hop to the last float sum below it, within
                # two ulps of `at`, from where `at - hop` is exact (Sterbenz) and so is the sum
                hop = env.timeout(math.nextafter(delay, -math.inf))
                hop.callbacks.append(self._from_hop)
                return
        env.schedule(self, _LATE, delay)

    def _from_hop(self, hop: simpy.Event) -> None:
        self.env.schedule(self, _LATE, _delay(float(self.env.now), self.us / 1e6))

    def _desc(self) -> str:
        return f"{type(self).__name__}({self.us / 1e6!r})"


class Platform:
    """A :class:`~lambda_core.Simulator` driven by a SimPy environment.

    Args:
        env: the SimPy environment whose clock (seconds) drives the simulator.
        sim: the simulator. It may have been advanced already: the platform's clock starts at
            ``max(env.now, sim.now)``. Once a platform drives it, invoke through the platform
            only (a direct ``sim.advance`` would resolve requests whose events then never fire).
        raise_on_refusal: ``False`` (the default): every outcome is the event's value, a throttle
            included. ``True``: a refused request (:attr:`Invocation.refused`, a throttle above
            all) fails its event with :class:`InvokeRefused`, raised where it is yielded.

    The clock rule: an invoke at SimPy time ``env.now`` arrives at ``max(env.now, sim.now)``
    rounded to the microsecond (the engine's grid); the platform takes each engine instant
    ``t`` at SimPy time ``t`` exactly, after the SimPy events then, and succeeds the events of
    the requests resolved then, in the engine's order: ``env.now == Invocation.end``, but for a
    request resolved at its arrival (a throttle) whose SimPy time was a fraction of a
    microsecond past the grid point it was rounded down to, whose event succeeds at once.
    SimPy's clock is never behind the simulator's. While no request made through the platform
    is unresolved, it schedules nothing: a SimPy run ends when the model's processes do.
    """

    def __init__(self, env: simpy.Environment, sim: Simulator, *, raise_on_refusal: bool = False) -> None:
        if not isinstance(env, simpy.Environment):
            raise TypeError(f"env must be a simpy.Environment, got {type(env).__name__}")
        if not isinstance(sim, Simulator):
            raise TypeError(f"sim must be a lambda_core.Simulator, got {type(sim).__name__}")
        if not isinstance(raise_on_refusal, bool):
            raise TypeError(f"raise_on_refusal must be a bool, got {type(raise_on_refusal).__name__}")
        self.env = env
        self.sim = sim
        self.raise_on_refusal = raise_on_refusal
        # request id -> (its event, function, invocation type, enqueued)
        self._waiting: dict[int, tuple[simpy.Event, str, InvocationType, float]] = {}
        # the engine instants (microseconds) a wake-up is scheduled at: one at each, and one at
        # the engine's next instant while a request is waiting
        self._armed: set[int] = set()

    @property
    def pending(self) -> int:
        """Requests invoked through this platform and not yet resolved."""
        return len(self._waiting)

    def invoke(self, function: str, duration_s: float,
               invocation_type: InvocationType | Trigger = InvocationType.REQUEST_RESPONSE, *,
               failures: int = 0, payload_bytes: int | None = None) -> simpy.Event:
        """Invokes `function` now (SimPy's ``env.now``) with a handler that runs `duration_s`;
        returns a SimPy event that succeeds with the :class:`Invocation` at its resolution time.

        An asynchronous request (``InvocationType.EVENT`` or an asynchronous :class:`Trigger`)
        resolves when its event is done, its retries included; a caller that does not wait for
        it need not yield the event. The arguments are those of :meth:`Simulator.invoke`, and
        are checked at once with its errors (``WorkloadError``, ``KeyError``).
        """
        env, sim = self.env, self.sim
        # the simulator may be ahead (advanced before the platform was made)
        t = max(env.now, sim.now)
        request = sim.invoke(t, function, duration_s, invocation_type, failures=failures,
                             payload_bytes=payload_bytes)
        if isinstance(invocation_type, Trigger):
            invocation_type = invocation_type.invocation_type
        kind = invocation_type if type(invocation_type) is InvocationType else InvocationType(invocation_type)
        event = env.event()
        # the arrival as the engine takes it, on its microsecond grid: a `t` a hair below a
        # microsecond wakes the platform at that microsecond, never before it (SimPy's clock
        # never behind the simulator's)
        us = _core.to_micros(t)
        self._waiting[request] = (event, function, kind, us / 1e6)
        # the arrival is an engine instant (a throttle resolves then)
        if us not in self._armed:
            self._armed.add(us)
            _Wake(env, us, self._on_wake)
        return event

    def _on_wake(self, wake: simpy.Event) -> None:
        self._armed.discard(cast(_Wake, wake).us)  # only _Wake events call it
        sim, now_us = self.sim, _core.to_micros(self.env.now)
        limit = now_us / 1e6  # a time at most this is in SimPy's microsecond or before
        waiting, raising = self._waiting, self.raise_on_refusal
        # every engine instant up to SimPy's microsecond: more than one only when the engine
        # had instants the platform, idle, did not need to take on time, or when SimPy's clock
        # is a fraction of a microsecond past the instant an arrival was rounded down to
        try:
            while (t := sim.peek_time()) is not None and (t <= limit or _core.to_micros(t) <= now_us):
                step = sim.step()
                assert step is not None
                for request, code, end in step[1]:
                    entry = waiting.pop(request, None)
                    if entry is None:
                        continue  # not invoked through this platform (submitted directly)
                    event, function, kind, enqueued = entry
                    result = Invocation(request, function, kind, enqueued, end, _OUTCOMES[code])
                    if raising and code in _REFUSED:
                        event.fail(InvokeRefused(result))
                    else:
                        event.succeed(result)
        except BaseException:
            # a change refused at its instant (or a signal) stops the step and is raised from
            # env.run(); the requests still waiting get a wake-up, so a later run goes on
            if waiting and (t := sim.peek_time()) is not None:
                self._rearm(t)
            raise
        if not waiting:
            return  # nothing to wait for: sleep until an invoke
        if t is None:
            raise UsageError(
                f"{len(waiting)} requests invoked through the Platform were resolved outside it "
                "(Simulator.advance or run called directly?); their events will never fire")
        self._rearm(t)

    def _rearm(self, t: float) -> None:
        """A wake-up at the engine instant `t`, unless one is scheduled there."""
        us = _core.to_micros(t)
        if us not in self._armed:
            self._armed.add(us)
            _Wake(self.env, us, self._on_wake)

"""Changes while running (docs/model.md §16) as the Simulator takes them: each checked with AWS's
rules against the configuration in force at its instant, then scheduled in the engine; and the
controller that stops runs where Application Auto Scaling acts (:mod:`._model.autoscaling`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from . import _core
from . import _validation as v
from ._model import Account, Function, PoolPlan, plan_pools
from ._model.autoscaling import DATA_POINT_S, Decision, ScheduledAction, TargetTracking
from ._model.mappings import EventSourceMapping, check_functions
from ._model.pools import put_function_concurrency, put_provisioned_concurrency_config
from .errors import InvalidParameterValueException, UntilInPastError, UsageError, ValidationException

__all__ = ["AppliedChange", "Controls", "PROVISIONED_READY_S"]

#: How long a change of provisioned concurrency during a run takes to allocate its new
#: environments (AWS: "a few minutes"; lambda_core's choice).
PROVISIONED_READY_S = 120.0

_KINDS = ("reserved", "provisioned", "provisioned_ready", "update")

# a change as the user asked for it: ("reserved", f, n | None), ("provisioned", f, n, ready_s),
# ("update", f, {field: value})
_Request = tuple[Any, ...]
# a change as the engine takes it: (at, kind, function, reserved, provisioned, ready_s,
# timeout_s, unreserved_capacity)
_Row = tuple[float, str, int, "int | None", int, float, "float | None", int]


def _checked(account: Account, functions: Sequence[Function],
             request: _Request) -> tuple[list[Function], tuple[str, int, int | None, int, float, float | None, int]]:
    """The configuration `request` leaves `functions` in, checked with AWS's rules, and the
    engine's row for it (without its time)."""
    kind, f = request[0], request[1]
    old = functions[f]
    reserved: int | None = None
    provisioned, ready_s, timeout_s = 0, 0.0, None
    if kind == "reserved":
        reserved = request[2]
        new = (dataclasses.replace(old, reserved_concurrency=None) if reserved is None
               else put_function_concurrency(old, reserved))
    elif kind == "provisioned":
        provisioned, ready_s = request[2], request[3]
        v.require_int("put_provisioned_concurrency", "n", provisioned)
        if isinstance(ready_s, bool) or not isinstance(ready_s, (int, float)) or not 0 <= ready_s < math.inf:
            raise UsageError(f"ready_s must be a number of seconds >= 0, got {ready_s!r}")
        new = (dataclasses.replace(old, provisioned_concurrency=None) if provisioned == 0
               else put_provisioned_concurrency_config(old, provisioned))
    else:
        fields = {k: v for k, v in request[2].items() if v is not None}
        new = dataclasses.replace(old, **fields)
        timeout_s = new.timeout_s if "timeout_s" in fields else None
    out = list(functions)
    out[f] = new
    # the pools are the same in any order; with `f` applied last, a refusal is that of the call
    # made to `f` (its rule, its message), the other functions having been accepted before
    plan = plan_pools(account, [*out[:f], *out[f + 1:], new])
    return out, (kind, f, reserved, provisioned, float(ready_s), timeout_s, plan.unreserved_capacity)


@dataclasses.dataclass(frozen=True)
class AppliedChange:
    """What a change did at ``time``: ``action`` is ``"reserved"``, ``"provisioned"``,
    ``"provisioned_ready"`` (an allocation of provisioned environments ended) or ``"update"``;
    the function's reservation (``None``: none), provisioned concurrency configured and
    provisioned environments usable right after."""

    time: float
    function: str
    action: str
    reserved: int | None
    provisioned: int
    provisioned_ready: int


class Controls:
    """The configuration timeline of one Simulator and its autoscalers, and the controller that
    stops its runs (``next_stop``/``at_stop``, called by the engine's bindings).

    A change is checked when it is made, against the configuration every change made so far
    leaves (:attr:`latest`), and queued; the run stops just before its instant (one
    microsecond before: it then comes before every other event of that instant) and the
    change is checked again against the configuration then in force (:attr:`current`, which
    autoscalers' activities in between may have changed) and handed to the engine with the
    pools that leave."""

    def __init__(self, engine: _core.Engine, account: Account, functions: Sequence[Function],
                 plan: PoolPlan, mappings: Sequence[EventSourceMapping] = ()) -> None:
        self._engine = engine
        self._mappings = mappings
        self._account = account
        self._names = [f.name for f in functions]
        #: The configuration in force at the engine's clock, and after every change made.
        self.current: list[Function] = list(functions)
        self.latest: list[Function] = list(functions)
        self._last_at = 0.0
        self.queued: list[tuple[float, _Request]] = []
        self.autoscalers: dict[int, TargetTracking] = {}
        self.ready_s: dict[int, float] = {}
        self.actions: list[tuple[float, int, ScheduledAction]] = []
        #: Every scaling activity, in order.
        self.decisions: list[Decision] = []
        self._evaluated = 0.0
        self._previous: dict[int, tuple[float, float]] = {}
        self._installed = False

    # -- changes -------------------------------------------------------------------------------

    def instant(self, at: float | None) -> float:
        """`at` checked: not before the clock nor a change already made (default: now)."""
        now = self._engine.now
        if at is None:
            return max(now, self._last_at)
        if isinstance(at, bool) or not isinstance(at, (int, float)) or math.isnan(at):
            raise TypeError(f"at must be a number of seconds or None, got {at!r}")
        t = _core.to_micros(float(at)) / 1e6
        if t < now:
            raise UntilInPastError(f"at={t:g} is before the simulator's current time {now:g}")
        if t < self._last_at:
            raise UsageError(f"at={t:g} comes before a change already made at {self._last_at:g}: "
                             "changes are made in time order")
        return t

    def make(self, at: float, request: _Request) -> None:
        """Checks `request` against :attr:`latest` (AWS's exceptions) and queues it at `at`."""
        latest = _checked(self._account, self.latest, request)[0]
        if request[0] == "update":
            # CreateEventSourceMapping's checks hold for the function as updated (an SQS
            # queue's visibility timeout at least its timeout)
            check_functions(self._mappings, [latest[request[1]]])
        self.latest = latest
        self._last_at = at
        self.queued.append((at, request))
        self._install()
        if _core.to_micros(at) <= _core.to_micros(self._engine.now):
            # at the clock's instant: no run can stop before it, and no autoscaler acts in
            # between, so the change goes to the engine now, before the instant's events the
            # engine has not taken yet (the arrivals at 0 of a fresh simulator above all)
            while self.queued:
                self.schedule(self._apply(*self.queued.pop(0)))

    def _install(self) -> None:
        if not self._installed:
            self._engine.set_controller(self)
            self._installed = True

    def schedule(self, row: _Row) -> None:
        """Hands one of :meth:`at_stop`'s rows to the engine."""
        at, kind, f, reserved, provisioned, ready_s, timeout_s, unreserved = row
        self._engine.schedule_change(at, kind, f, reserved=reserved, provisioned=provisioned, ready_s=ready_s,
                                     timeout_s=timeout_s, unreserved_capacity=unreserved)

    def _apply(self, at: float, request: _Request) -> _Row:
        """`request` checked against :attr:`current` at `at`: the engine's row."""
        self.current, row = _checked(self._account, self.current, request)
        return (at, *row)

    def applied(self) -> list[AppliedChange]:
        return [AppliedChange(t, self._names[f], _KINDS[k], None if rc < 0 else rc, pc, ready)
                for t, f, k, rc, pc, ready, _, _ in self._engine.applied_changes()]

    def provisioned_steps(self) -> tuple[tuple[tuple[float, int], ...], ...]:
        """Per function, the steps of its provisioned environments usable (what its bill
        charges); empty when no change touched its provisioned concurrency."""
        steps: list[list[tuple[float, int]]] = [[] for _ in self._names]
        touched = set()
        for t, f, kind, _, _, ready, _, _ in self._engine.applied_changes():
            steps[f].append((t, ready))
            if _KINDS[kind] in ("provisioned", "provisioned_ready"):
                touched.add(f)
        return tuple(tuple(s) if f in touched else () for f, s in enumerate(steps))

    @property
    def pending(self) -> int:
        """Changes made and not yet applied."""
        return len(self.queued) + self._engine.pending_changes

    # -- auto scaling --------------------------------------------------------------------------

    def account_settings(self) -> dict[str, int]:
        """``GetAccountSettings``' figures with the configuration in force."""
        return plan_pools(self._account, self.current).account_settings()

    def capacity(self, f: int) -> int:
        return self.current[f].provisioned_concurrency or 0

    def autoscale(self, f: int, tracking: TargetTracking, ready_s: float) -> None:
        """Registers `f`'s scalable target now; a capacity outside its bounds is brought within.
        Its first data point is the utilisation from now to the end of the minute."""
        at = self.instant(None)
        old = self.latest[f].provisioned_concurrency or 0
        wanted = tracking.bounded(old)
        if wanted != old:
            self.make(at, ("provisioned", f, wanted, ready_s))  # raises before anything is kept
        self.autoscalers[f] = tracking
        self.ready_s[f] = ready_s
        self._evaluated = max(self._evaluated, math.floor(self._engine.now / DATA_POINT_S) * DATA_POINT_S)
        self._previous[f] = self._engine.provisioned_seconds()[f]
        self._install()

    def add_action(self, f: int, action: ScheduledAction) -> None:
        """Queues a scheduled action, its bounds checked against those in force after the
        actions queued before it."""
        name = self._names[f]
        tracking = self.autoscalers.get(f)
        if tracking is None:
            raise UsageError(f"schedule_scaling({name!r}): register the function with "
                             "autoscale first (a scheduled action changes a scalable target's bounds)")
        lo, hi = tracking.min, tracking.max
        for _, g, a in [*self.actions, (action.at, f, action)]:
            if g == f:
                lo, hi = a.bounds(name, lo, hi, InvalidParameterValueException)
        self.actions.append((action.at, f, action))
        self.actions.sort(key=lambda a: a[0])

    def _next_point(self) -> float:
        return (math.floor(round(self._evaluated / DATA_POINT_S, 9)) + 1) * DATA_POINT_S

    def _stops(self, idle: bool, before_change: bool) -> tuple[list[float], list[float]]:
        """The instants changes and scheduled actions are due at (a change's one microsecond
        early with `before_change`), and the autoscalers' next data point unless `idle`."""
        due = []
        if self.queued:
            at = self.queued[0][0]
            due.append((_core.to_micros(at) - 1) / 1e6 if before_change else at)
        if self.actions:
            due.append(self.actions[0][0])
        points = [self._next_point()] if self.autoscalers and not idle else []
        return due, points

    def next_stop(self, now: float, idle: bool = False) -> tuple[float, bool] | None:
        """The next instant a run must stop at, never before `now`, and whether a change or a
        scheduled action is due there (else only autoscalers' data points, which a run without
        `until` does not take after its last event); a change's stop is one microsecond before
        it, so that it comes before that instant's events. `idle`: the run has nothing left to
        reach, so only changes and scheduled actions already made call for a stop."""
        due, points = self._stops(idle, before_change=True)
        if not due and not points:
            return None
        stop = max(now, min(due + points))
        return stop, bool(due) and max(now, min(due)) == stop

    def next_instant(self, now: float, idle: bool = False) -> float | None:
        """The next instant a change, a scheduled action or an autoscaler acts at."""
        due, points = self._stops(idle, before_change=False)
        return max(now, min(due + points)) if due or points else None

    def at_stop(self, t: float, seconds: Sequence[tuple[float, float]], usable: Sequence[int]
                ) -> tuple[list[_Row], InvalidParameterValueException | ValidationException | None]:
        """The changes to make at `t`, every event up to it processed (the engine's callback,
        with each function's provisioned seconds so far and provisioned environments usable
        now), in time order, and the refusal of a change made earlier that the configuration
        at its instant no longer allows (raised by the engine once the rows are scheduled; the
        change is dropped).

        Scheduled actions and the autoscalers' data points act at `t` itself, before the
        changes queued for `t` + 1 µs, which are checked against what they leave."""
        rows: list[_Row] = []
        acted: set[int] = set()
        while self.actions and self.actions[0][0] <= t:
            _, f, action = self.actions.pop(0)
            old = self.capacity(f)
            wanted = self.autoscalers[f].schedule(action, old)
            if wanted is not None:
                self._activity(rows, t, f, old, wanted, "scheduled", math.nan)
                acted.add(f)
        boundary = math.floor(round(t / DATA_POINT_S, 9)) * DATA_POINT_S
        if self.autoscalers and boundary > self._evaluated:
            # a minute's end the run stopped at (or, defensively, one it passed: no data then)
            on_time = math.isclose(boundary, t, abs_tol=1e-6)
            self._evaluated = boundary
            for f, tracking in self.autoscalers.items():
                busy, ready = seconds[f]
                busy0, ready0 = self._previous.get(f, (0.0, 0.0))
                self._previous[f] = (busy, ready)
                # busy environments a decrease released still run: at most all are busy
                point = min(1.0, (busy - busy0) / (ready - ready0)) if on_time and ready > ready0 else math.nan
                old = self.capacity(f)
                # not READY: an allocation is in progress, or an activity was just made
                wanted = tracking.observe(t, point, old, in_progress=usable[f] < old or f in acted)
                if wanted is not None and wanted != old:
                    self._activity(rows, t, f, old, wanted, "scale-out" if wanted > old else "scale-in", point)
        refused = None
        t_us = _core.to_micros(t)
        while self.queued and _core.to_micros(self.queued[0][0]) - 1 <= t_us:
            at, request = self.queued.pop(0)
            try:
                rows.append(self._apply(at, request))
            except (InvalidParameterValueException, ValidationException) as e:
                refused = e  # dropped; the ones after it are checked without it
                self._project()
                break
        return rows, refused

    def _project(self) -> None:
        """:attr:`latest` anew: the configuration in force with every queued change that it
        allows applied in order (those it does not will be refused at their instant)."""
        latest = self.current
        for _, request in self.queued:
            try:
                latest = _checked(self._account, latest, request)[0]
            except (InvalidParameterValueException, ValidationException):
                pass
        self.latest = latest

    def _activity(self, rows: list[_Row], t: float, f: int, old: int, wanted: int, cause: str,
                  point: float) -> None:
        """A scaling activity at `t`: ``PutProvisionedConcurrencyConfig``, logged; one AWS
        refuses fails, and is logged so."""
        request = ("provisioned", f, wanted, self.ready_s[f])
        try:
            rows.append(self._apply(t, request))
        except (InvalidParameterValueException, ValidationException) as e:
            cause, wanted = f"failed: {e}", old
        else:
            # the changes queued were checked without it: they are projected again
            self._project()
        self.decisions.append(Decision(t, self._names[f], old, wanted, cause, point))

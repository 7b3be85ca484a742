"""Changes while running (docs/model.md §16) as the Simulator takes them: each checked with AWS's
rules against the configuration in force at its instant, then scheduled in the engine; and the
controller that stops runs where Application Auto Scaling acts (:mod:`._model.autoscaling`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from . import _core
from ._model import Account, Function, PoolPlan, plan_pools
from ._model.autoscaling import DATA_POINT_S, Decision, ScheduledAction, TargetTracking
from ._model.pools import put_function_concurrency, put_provisioned_concurrency_config
from .errors import InvalidParameterValueException, UntilInPastError, UsageError

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
    plan = plan_pools(account, out)
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
                 plan: PoolPlan) -> None:
        self._engine = engine
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
        self.latest = _checked(self._account, self.latest, request)[0]
        self._last_at = at
        self.queued.append((at, request))
        self._install()

    def _install(self) -> None:
        if not self._installed:
            self._engine.set_controller(self)
            self._installed = True

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

    def capacity(self, f: int) -> int:
        return self.current[f].provisioned_concurrency or 0

    def autoscale(self, f: int, tracking: TargetTracking, ready_s: float) -> None:
        """Registers `f`'s scalable target now; a capacity outside its bounds is brought within."""
        at = self.instant(None)
        self.autoscalers[f] = tracking
        self.ready_s[f] = ready_s
        self._evaluated = max(self._evaluated, math.floor(self._engine.now / DATA_POINT_S) * DATA_POINT_S)
        wanted = tracking.bounded(self.latest[f].provisioned_concurrency or 0)
        if wanted != (self.latest[f].provisioned_concurrency or 0):
            self.make(at, ("provisioned", f, wanted, ready_s))
        self._install()

    def add_action(self, f: int, action: ScheduledAction) -> None:
        if f not in self.autoscalers:
            raise UsageError(f"schedule_scaling({self._names[f]!r}): register the function with "
                             "autoscale first (a scheduled action changes a scalable target's bounds)")
        self.actions.append((action.at, f, action))
        self.actions.sort(key=lambda a: a[0])

    def next_stop(self, now: float, idle: bool = False) -> float | None:
        """The next instant a run must stop at (`idle`: the engine has nothing left, so only
        changes already made call for one)."""
        stops = []
        if self.queued:
            # just before the change's instant, so that it comes before that instant's events
            stops.append(max(now, (_core.to_micros(self.queued[0][0]) - 1) / 1e6))
        if not idle:
            if self.autoscalers:
                stops.append((math.floor(round(self._evaluated / DATA_POINT_S, 9)) + 1) * DATA_POINT_S)
            if self.actions:
                stops.append(self.actions[0][0])
        return min(stops) if stops else None

    def next_instant(self, now: float, idle: bool = False) -> float | None:
        """The next instant a change or an autoscaler acts at (:meth:`next_stop` stops a run
        just before a change's own instant)."""
        stops = [self.queued[0][0]] if self.queued else []
        stop = self.next_stop(now, idle)
        if stop is not None and not (self.queued and stop == max(now, (_core.to_micros(self.queued[0][0]) - 1) / 1e6)):
            stops.append(stop)
        return min(stops) if stops else None

    def at_stop(self, t: float, seconds: Sequence[tuple[float, float]],
                applied: Sequence[tuple[float, int, int, int, int, int, int, int]]) -> list[_Row]:
        """The changes to make at `t`, every event up to it processed (the engine's callback)."""
        rows: list[_Row] = []
        t_us = _core.to_micros(t)
        while self.queued and _core.to_micros(self.queued[0][0]) - 1 <= t_us:
            at, request = self.queued.pop(0)
            rows.append(self._apply(at, request))
        while self.actions and self.actions[0][0] <= t:
            _, f, action = self.actions.pop(0)
            old = self.capacity(f)
            wanted = self.autoscalers[f].schedule(action, old)
            if wanted is not None:
                self._activity(rows, t, f, old, wanted, "scheduled", math.nan)
        boundary = math.floor(round(t / DATA_POINT_S, 9)) * DATA_POINT_S
        if self.autoscalers and boundary > self._evaluated and math.isclose(boundary, t, abs_tol=1e-6):
            self._evaluated = boundary
            latest = {f: (pc, ready) for _, f, _, _, pc, ready, _, _ in applied}
            for f, tracking in self.autoscalers.items():
                busy, ready = seconds[f]
                busy0, ready0 = self._previous.get(f, (0.0, 0.0))
                self._previous[f] = (busy, ready)
                point = (busy - busy0) / (ready - ready0) if ready > ready0 else math.nan
                old = self.capacity(f)
                pc, usable = latest.get(f, (old, old))
                wanted = tracking.observe(t, point, old, in_progress=usable < pc)
                if wanted is not None and wanted != old:
                    self._activity(rows, t, f, old, wanted, "scale-out" if wanted > old else "scale-in", point)
        return rows

    def _activity(self, rows: list[_Row], t: float, f: int, old: int, wanted: int, cause: str,
                  point: float) -> None:
        """A scaling activity at `t`: ``PutProvisionedConcurrencyConfig``, logged; one AWS
        refuses fails, and is logged so."""
        request = ("provisioned", f, wanted, self.ready_s[f])
        try:
            rows.append(self._apply(t, request))
        except InvalidParameterValueException as e:
            cause, wanted = f"failed: {e}", old
        else:
            # later changes were checked without it: so are the next ones, from here on
            self.latest = _checked(self._account, self.latest, request)[0]
        self.decisions.append(Decision(t, self._names[f], old, wanted, cause, point))

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

# a change as the engine takes it: (kind, function, reserved, provisioned, ready_s, timeout_s,
# unreserved_capacity)
_Row = tuple[str, int, "int | None", int, float, "float | None", int]


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
    """The configuration timeline of one Simulator and its autoscalers."""

    def __init__(self, engine: _core.Engine, account: Account, functions: Sequence[Function],
                 plan: PoolPlan) -> None:
        self._engine = engine
        self._account = account
        self._names = [f.name for f in functions]
        #: The configuration after every change scheduled so far.
        self.current: list[Function] = list(functions)
        self.plan = plan
        self._last_at = 0.0
        self.autoscalers: dict[int, TargetTracking] = {}
        self.ready_s: dict[int, float] = {}
        self._actions: list[tuple[float, int, ScheduledAction]] = []
        #: Every scaling activity, in order.
        self.decisions: list[Decision] = []
        self._evaluated = 0.0
        self._previous: dict[int, tuple[float, float]] = {}

    # -- changes -------------------------------------------------------------------------------

    def instant(self, at: float | None) -> float:
        """`at` checked: not before the clock nor a change already scheduled (default: now)."""
        now = self._engine.now
        if at is None:
            return max(now, self._last_at)
        if isinstance(at, bool) or not isinstance(at, (int, float)) or math.isnan(at):
            raise TypeError(f"at must be a number of seconds or None, got {at!r}")
        t = _core.to_micros(float(at)) / 1e6
        if t < now:
            raise UntilInPastError(f"at={t:g} is before the simulator's current time {now:g}")
        if t < self._last_at:
            raise UsageError(f"at={t:g} comes before a change already scheduled at {self._last_at:g}: "
                             "changes are scheduled in time order")
        return t

    def replaced(self, f: int, new: Function) -> tuple[list[Function], PoolPlan]:
        """The configuration with `new` for function `f`, and its pools (AWS's checks)."""
        functions = list(self.current)
        functions[f] = new
        return functions, plan_pools(self._account, functions)

    def reserved(self, f: int, reserved: int | None) -> _Row:
        old = self.current[f]
        new = (dataclasses.replace(old, reserved_concurrency=None) if reserved is None
               else put_function_concurrency(old, reserved))
        return self._commit(f, new, ("reserved", f, reserved, 0, 0.0, None, 0))

    def provisioned(self, f: int, n: int, ready_s: float) -> _Row:
        old = self.current[f]
        if isinstance(ready_s, bool) or not isinstance(ready_s, (int, float)) or not 0 <= ready_s < math.inf:
            raise UsageError(f"ready_s must be a number of seconds >= 0, got {ready_s!r}")
        new = (dataclasses.replace(old, provisioned_concurrency=None) if n == 0
               else put_provisioned_concurrency_config(old, n))
        return self._commit(f, new, ("provisioned", f, None, n, float(ready_s), None, 0))

    def update(self, f: int, **fields: Any) -> _Row:
        new = dataclasses.replace(self.current[f], **{k: v for k, v in fields.items() if v is not None})
        timeout = fields.get("timeout_s")
        return self._commit(f, new, ("update", f, None, 0, 0.0, None if timeout is None else new.timeout_s, 0))

    def _commit(self, f: int, new: Function, row: _Row) -> _Row:
        functions, plan = self.replaced(f, new)
        self.current, self.plan = functions, plan
        kind, fi, reserved, provisioned, ready_s, timeout_s, _ = row
        return (kind, fi, reserved, provisioned, ready_s, timeout_s, plan.unreserved_capacity)

    def schedule(self, at: float, row: _Row) -> None:
        kind, f, reserved, provisioned, ready_s, timeout_s, unreserved = row
        self._engine.schedule_change(at, kind, f, reserved=reserved, provisioned=provisioned, ready_s=ready_s,
                                     timeout_s=timeout_s, unreserved_capacity=unreserved)
        self._last_at = at

    def applied(self) -> list[AppliedChange]:
        return [AppliedChange(t, self._names[f], _KINDS[k], None if rc < 0 else rc, pc, ready)
                for t, f, k, rc, pc, ready, _, _ in self._engine.applied_changes()]

    # -- auto scaling --------------------------------------------------------------------------

    def capacity(self, f: int) -> int:
        return self.current[f].provisioned_concurrency or 0

    def autoscale(self, f: int, tracking: TargetTracking, ready_s: float) -> _Row | None:
        self.autoscalers[f] = tracking
        self.ready_s[f] = ready_s
        wanted = tracking.bounded(self.capacity(f))
        self._engine.set_controller(self)
        return None if wanted == self.capacity(f) else self.provisioned(f, wanted, ready_s)

    def add_action(self, f: int, action: ScheduledAction) -> None:
        if f not in self.autoscalers:
            raise UsageError(f"schedule_scaling({self._names[f]!r}): register the function with "
                             "autoscale first (a scheduled action changes a scalable target's bounds)")
        self._actions.append((action.at, f, action))
        self._actions.sort(key=lambda a: a[0])

    def next_stop(self, now: float) -> float | None:
        """The next instant after the last one acted on where a run must stop."""
        stops = []
        if self.autoscalers:
            stops.append((math.floor(round(self._evaluated / DATA_POINT_S, 9)) + 1) * DATA_POINT_S)
        if self._actions:
            stops.append(self._actions[0][0])
        return min(stops) if stops else None

    def at_stop(self, t: float, seconds: Sequence[tuple[float, float]],
                applied: Sequence[tuple[float, int, int, int, int, int, int, int]]) -> list[_Row]:
        """The changes to make at `t`, every event up to it processed (the engine's callback)."""
        rows: list[_Row] = []
        while self._actions and self._actions[0][0] <= t:
            _, f, action = self._actions.pop(0)
            tracking = self.autoscalers[f]
            old = self.capacity(f)
            wanted = tracking.schedule(action, old)
            if wanted is not None:
                rows.append(self.provisioned(f, wanted, self.ready_s[f]))
                self.decisions.append(Decision(t, self._names[f], old, wanted, "scheduled", math.nan))
        boundary = (math.floor(round(t / DATA_POINT_S, 9))) * DATA_POINT_S
        if self.autoscalers and boundary > self._evaluated and math.isclose(boundary, t, abs_tol=1e-6):
            self._evaluated = boundary
            latest = {f: (pc, ready) for _, f, _, _, pc, ready, _, _ in applied}
            for f, tracking in self.autoscalers.items():
                busy, ready = seconds[f]
                busy0, ready0 = self._previous.get(f, (0.0, 0.0))
                self._previous[f] = (busy, ready)
                point = (busy - busy0) / (ready - ready0) if ready > ready0 else math.nan
                pc, usable = latest.get(f, (self.capacity(f), self.capacity(f)))
                old = self.capacity(f)
                wanted = tracking.observe(t, point, old, in_progress=usable < pc)
                if wanted is not None and wanted != old:
                    cause = "scale-out" if wanted > old else "scale-in"
                    try:
                        rows.append(self.provisioned(f, wanted, self.ready_s[f]))
                    except InvalidParameterValueException as e:
                        # AWS's PutProvisionedConcurrencyConfig refused it: the activity fails
                        cause = f"failed: {e}"
                        wanted = old
                    self.decisions.append(Decision(t, self._names[f], old, wanted, cause, point))
        if rows:
            self._last_at = max(self._last_at, t)
        return rows

"""Application Auto Scaling of provisioned concurrency (docs/model.md §16): target tracking on
``LambdaProvisionedConcurrencyUtilization`` and scheduled actions, as decisions from one-minute
data points. Nothing here runs a simulator: :class:`TargetTracking` is fed the data points and
says what capacity to set, so a simulator, a Gymnasium baseline policy or a test drives it alike.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque

from .. import _validation as v
from ..errors import LambdaCoreError, UsageError

__all__ = ["DATA_POINT_S", "SCALE_IN_POINTS", "SCALE_IN_MARGIN", "SCALE_OUT_POINTS",
           "Decision", "ScheduledAction", "TargetTracking"]

#: CloudWatch's period for the alarms' data points, in seconds.
DATA_POINT_S = 60.0
#: Target tracking's alarms: scale out after 3 consecutive data points above the target, scale
#: in after 15 below ``SCALE_IN_MARGIN`` × the target (AWS leaves a margin; lambda_core's choice
#: is 90 %).
SCALE_OUT_POINTS = 3
SCALE_IN_POINTS = 15
SCALE_IN_MARGIN = 0.9


@dataclasses.dataclass(frozen=True)
class Decision:
    """One scaling activity: at ``time`` the capacity went from ``old`` to ``new`` because of
    ``cause`` (``"scale-out"``, ``"scale-in"`` or ``"scheduled"``), on a data point of
    ``utilization`` (NaN for a scheduled action)."""

    time: float
    function: str
    old: int
    new: int
    cause: str
    utilization: float


@dataclasses.dataclass(frozen=True)
class ScheduledAction:
    """A scheduled action: from ``at`` (seconds) the scalable target's bounds are ``min``/``max``
    (``None``: unchanged)."""

    at: float
    min: int | None = None
    max: int | None = None

    def __post_init__(self) -> None:
        v.optional_int("schedule_scaling", "min", self.min)
        v.optional_int("schedule_scaling", "max", self.max)

    def bounds(self, function: str, lo: int, hi: int, error: type[LambdaCoreError] = UsageError) -> tuple[int, int]:
        """The bounds from this action on, given `lo`/`hi` before it; `error` when they break
        ``0 <= min <= max``."""
        return check_bounds("schedule_scaling", function, lo if self.min is None else self.min,
                            hi if self.max is None else self.max, error)


def check_bounds(owner: str, function: str, lo: int, hi: int,
                 error: type[LambdaCoreError] = UsageError) -> tuple[int, int]:
    """A scalable target's ``MinCapacity``/``MaxCapacity``, checked: ``0 <= min <= max``."""
    if not 0 <= lo <= hi:
        raise error(f"{owner}({function!r}): min and max must satisfy 0 <= min <= max, got min={lo}, max={hi}")
    return lo, hi


class TargetTracking:
    """Target tracking of one function's provisioned concurrency between ``min`` and ``max``
    (AWS's ``MinCapacity``/``MaxCapacity``) at ``target`` utilisation (``TargetValue``, 0–1).

    :meth:`observe` takes the data point of each minute (the Average utilisation over it) and
    returns the capacity to set then, or ``None``. An alarm fires when its last data points are
    all beyond its threshold; the new capacity is ``ceil(current × utilisation / target)``
    within [min, max]; a scale-out waits ``scale_out_cooldown_s`` (default 0) after the last
    scale-out, a scale-in ``scale_in_cooldown_s`` (default 300) after the last scaling activity.
    """

    def __init__(self, function: str, *, min: int, max: int, target: float,
                 scale_out_cooldown_s: float = 0.0, scale_in_cooldown_s: float = 300.0) -> None:
        self.function = function
        self.min, self.max = check_bounds("autoscale", function, v.require_int("autoscale", "min", min),
                                          v.require_int("autoscale", "max", max))
        if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target <= 1:
            raise UsageError(f"autoscale({function!r}): target must be a utilisation in (0, 1], got {target!r}")
        self.target = float(target)
        for name, value in (("scale_out_cooldown_s", scale_out_cooldown_s), ("scale_in_cooldown_s", scale_in_cooldown_s)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
                raise UsageError(f"autoscale({function!r}): {name} must be a number of seconds >= 0, got {value!r}")
        self.scale_out_cooldown_s = float(scale_out_cooldown_s)
        self.scale_in_cooldown_s = float(scale_in_cooldown_s)
        self._points: deque[float] = deque(maxlen=SCALE_IN_POINTS)
        self._last_out = -math.inf
        self._last_any = -math.inf

    def bounded(self, capacity: int) -> int:
        return min(self.max, max(self.min, capacity))

    def observe(self, time: float, utilization: float, current: int, in_progress: bool = False) -> int | None:
        """The data point of the minute ending at ``time`` (NaN: no data, which breaks a run of
        points), with ``current`` the capacity configured; the capacity to set, or ``None``.
        While an allocation is ``in_progress`` (the function's provisioned concurrency is not
        READY yet) no activity starts, as Application Auto Scaling waits for the last one."""
        if math.isnan(utilization):
            self._points.clear()
            return None
        self._points.append(utilization)
        if in_progress:
            return None
        points = list(self._points)
        wanted = self.bounded(math.ceil(round(current * utilization / self.target, 9)))
        out = len(points) >= SCALE_OUT_POINTS and all(p > self.target for p in points[-SCALE_OUT_POINTS:])
        if out and wanted > current and time - self._last_out >= self.scale_out_cooldown_s:
            self._last_out = self._last_any = time
            return wanted
        low = self.target * SCALE_IN_MARGIN
        in_ = len(points) == SCALE_IN_POINTS and all(p < low for p in points)
        if in_ and wanted < current and time - self._last_any >= self.scale_in_cooldown_s:
            self._last_any = time
            return wanted
        return None

    def schedule(self, action: ScheduledAction, current: int) -> int | None:
        """Applies a scheduled action's bounds; the capacity to set when ``current`` is outside
        them, else ``None``."""
        self.min, self.max = action.bounds(self.function, self.min, self.max)
        wanted = self.bounded(current)
        return None if wanted == current else wanted

"""The Simulator's verbs for changes while running and auto scaling (docs/model.md §16): thin
calls into :class:`~lambda_core._controls.Controls`, which checks and schedules them."""

from __future__ import annotations

from typing import Any

from . import _core
from ._controls import PROVISIONED_READY_S, AppliedChange, Controls
from ._model import Function
from ._model.autoscaling import Decision, ScheduledAction, TargetTracking

__all__ = ["ChangesWhileRunning"]


class ChangesWhileRunning:
    """Mixed into :class:`~lambda_core.Simulator`."""

    _controls: Controls
    _engine: _core.Engine

    def index(self, name: str) -> int:
        raise NotImplementedError  # the Simulator's

    # -- changes while running (docs/model.md §16) ----------------------------------------------

    def put_function_concurrency(self, function: str, reserved: int, *, at: float | None = None) -> None:
        """AWS ``PutFunctionConcurrency`` at `at` seconds (default: now): `function`'s
        reservation from then on, checked then with AWS's rules and messages (a reservation
        that would leave the unreserved pool below its minimum raises
        :class:`~lambda_core.errors.InvalidParameterValueException`). Changes come in time
        order; each takes effect before every other event of its instant."""
        self._change(at, ("reserved", self.index(function), reserved))

    def delete_function_concurrency(self, function: str, *, at: float | None = None) -> None:
        """AWS ``DeleteFunctionConcurrency`` at `at`: `function` shares the unreserved pool again."""
        self._change(at, ("reserved", self.index(function), None))

    def put_provisioned_concurrency(self, function: str, n: int, *, at: float | None = None,
                                    ready_s: float = PROVISIONED_READY_S) -> None:
        """AWS ``PutProvisionedConcurrencyConfig`` at `at`: `function`'s provisioned concurrency
        becomes `n` (0 deletes it), counted against its reservation or the account at once. New
        environments are usable `ready_s` later (default 120 s: AWS says "a few minutes");
        environments taken away go at once, busy ones when their execution ends; a later change
        cancels an allocation in progress."""
        self._change(at, ("provisioned", self.index(function), n, ready_s))

    def update_function_configuration(self, function: str, *, at: float | None = None,
                                      memory_mb: int | None = None, timeout_s: float | None = None) -> None:
        """AWS ``UpdateFunctionConfiguration`` at `at`: every idle on-demand environment of
        `function` is retired then, busy ones when their execution ends (they finish on the old
        configuration), so the next invocations start cold; provisioned environments are
        replaced without a gap. A new `timeout_s` applies to attempts that start from then."""
        self._change(at, ("update", self.index(function), {"memory_mb": memory_mb, "timeout_s": timeout_s}))

    def update_function_code(self, function: str, *, at: float | None = None) -> None:
        """AWS ``UpdateFunctionCode`` at `at`: retires `function`'s environments as
        :meth:`update_function_configuration` does."""
        self._change(at, ("update", self.index(function), {}))

    def _change(self, at: float | None, request: tuple[Any, ...]) -> None:
        self._controls.make(self._controls.instant(at), request)

    @property
    def changes(self) -> list[AppliedChange]:
        """What the changes applied so far did, in order, with the ends of the allocations of
        provisioned environments they started."""
        return self._controls.applied()

    @property
    def configuration(self) -> tuple[Function, ...]:
        """The functions as every change made so far leaves them."""
        return tuple(self._controls.latest)

    def autoscale(self, function: str, *, min: int, max: int, target: float,
                  scale_out_cooldown_s: float = 0.0, scale_in_cooldown_s: float = 300.0,
                  ready_s: float = PROVISIONED_READY_S) -> None:
        """Application Auto Scaling's target tracking of `function`'s provisioned concurrency
        between `min` and `max` at `target` utilisation (docs/model.md §16): each minute's
        Average ``ProvisionedConcurrencyUtilization`` is a data point; 3 above the target scale
        out, 15 below 90 % of it scale in, to ``ceil(current × utilisation / target)``; runs
        stop at each minute to decide. A capacity outside [min, max] is brought within now."""
        f = self.index(function)
        tracking = TargetTracking(function, min=min, max=max, target=target,
                                  scale_out_cooldown_s=scale_out_cooldown_s, scale_in_cooldown_s=scale_in_cooldown_s)
        self._controls.autoscale(f, tracking, ready_s)

    def schedule_scaling(self, function: str, *, at: float, min: int | None = None, max: int | None = None) -> None:
        """A scheduled action: from `at`, the autoscaled `function`'s bounds are `min`/`max`;
        a capacity outside them is brought within then."""
        self._controls.add_action(self.index(function), ScheduledAction(self._controls.instant(at), min, max))

    @property
    def scaling_activities(self) -> list[Decision]:
        """Every decision of the autoscalers so far, with its time, cause and data point."""
        return list(self._controls.decisions)

    def provisioned_utilization(self, function: str) -> tuple[float, float]:
        """`function`'s provisioned environments busy and usable, in environment-seconds from
        time 0 to :attr:`now` (their ratio over a stretch is its utilisation)."""
        busy, ready = self._engine.provisioned_seconds()[self.index(function)]
        return busy, ready

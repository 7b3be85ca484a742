"""A scenario's changes while running (docs/model.md §16): ``[[changes]]`` tables, each one call
of the Lambda API at a time, and ``[[autoscaling]]`` tables, Application Auto Scaling's target
tracking of a function's provisioned concurrency with its scheduled actions."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._controls import PROVISIONED_READY_S
from ..errors import ScenarioError
from ._schema import MAX_SECONDS, _check_keys, _integer, _number, _place, _string, _tables

if TYPE_CHECKING:
    from .._simulator import Simulator

__all__ = ["ACTIONS", "Autoscaling", "Change", "parse_autoscaling", "parse_changes"]

#: The actions a ``[[changes]]`` table may name, and the keys each takes beside ``at``,
#: ``function`` and ``action``.
ACTIONS: dict[str, tuple[str, ...]] = {
    "put_function_concurrency": ("value",),
    "delete_function_concurrency": (),
    "put_provisioned_concurrency": ("value", "ready_s"),
    "delete_provisioned_concurrency": ("ready_s",),
    "update_function_configuration": ("memory_mb", "timeout_s"),
    "update_function_code": (),
}
_AUTOSCALING_KEYS = ("function", "min", "max", "target", "scale_out_cooldown_s", "scale_in_cooldown_s",
                     "ready_s", "scheduled")
_SCHEDULED_KEYS = ("at", "min", "max")


@dataclasses.dataclass(frozen=True)
class Change:
    """One ``[[changes]]`` table: the Simulator method named ``action`` called on ``function``
    with ``arguments`` at ``at`` seconds."""

    at: float
    function: str
    action: str
    arguments: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def apply(self, sim: Simulator) -> None:
        args = dict(self.arguments)
        if self.action == "delete_provisioned_concurrency":
            sim.put_provisioned_concurrency(self.function, 0, at=self.at, **args)
            return
        value = args.pop("value", None)
        positional = () if value is None else (value,)
        getattr(sim, self.action)(self.function, *positional, at=self.at, **args)


@dataclasses.dataclass(frozen=True)
class Autoscaling:
    """One ``[[autoscaling]]`` table: :meth:`Simulator.autoscale` of ``function`` with
    ``arguments``, then its scheduled actions ``(at, min, max)``."""

    function: str
    arguments: Mapping[str, Any]
    scheduled: tuple[tuple[float, int | None, int | None], ...] = ()

    def apply(self, sim: Simulator) -> None:
        sim.autoscale(self.function, **self.arguments)
        for at, lo, hi in self.scheduled:
            sim.schedule_scaling(self.function, at=at, min=lo, max=hi)


def _function_name(table: Mapping[str, Any], where: str, names: Sequence[str]) -> str:
    name: str = _string(table, "function", where)
    if name not in names:
        raise ScenarioError(f"{where}: no function named '{name}' (functions: {', '.join(names)})")
    return name


def parse_changes(data: Mapping[str, Any], names: Sequence[str]) -> tuple[Change, ...]:
    """The ``[[changes]]`` tables, in time order (a table before an earlier one is refused:
    changes are made in the order they happen)."""
    out: list[Change] = []
    for i, table in enumerate(_tables(data, "changes")):
        where = _place("changes", i, table, "action")
        action = _string(table, "action", where)
        if action not in ACTIONS:
            raise ScenarioError(f"{where}: unknown action '{action}' (actions: {', '.join(ACTIONS)})")
        _check_keys(table, ("at", "function", "action", *ACTIONS[action]), where)
        at = _number(table, "at", where, low=0, high=MAX_SECONDS)
        name = _function_name(table, where, names)
        args: dict[str, Any] = {}
        if "value" in ACTIONS[action]:
            args["value"] = _integer(table, "value", where)
        for key in ("ready_s", "timeout_s"):
            if key in ACTIONS[action] and key in table:
                args[key] = _number(table, key, where, low=0)
        if "memory_mb" in ACTIONS[action] and "memory_mb" in table:
            args["memory_mb"] = _integer(table, "memory_mb", where)
        if out and at < out[-1].at:
            raise ScenarioError(f"{where}: at = {at:g} comes before the table above it (at = {out[-1].at:g}); "
                                "list changes in time order")
        out.append(Change(at, name, action, args))
    return tuple(out)


def parse_autoscaling(data: Mapping[str, Any], names: Sequence[str]) -> tuple[Autoscaling, ...]:
    """The ``[[autoscaling]]`` tables, one per function."""
    out: list[Autoscaling] = []
    for i, table in enumerate(_tables(data, "autoscaling")):
        where = _place("autoscaling", i, table, "function")
        _check_keys(table, _AUTOSCALING_KEYS, where)
        name = _function_name(table, where, names)
        if any(a.function == name for a in out):
            raise ScenarioError(f"{where}: '{name}' has an [[autoscaling]] table already")
        args: dict[str, Any] = {"min": _integer(table, "min", where, low=0), "max": _integer(table, "max", where, low=0),
                                "target": _number(table, "target", where, positive=True, high=1)}
        for key, default in (("scale_out_cooldown_s", 0.0), ("scale_in_cooldown_s", 300.0),
                             ("ready_s", PROVISIONED_READY_S)):
            args[key] = _number(table, key, where, default=default, low=0)
        scheduled = []
        for j, action in enumerate(_tables(table, "scheduled")):
            inner = f"{where}, [[autoscaling.scheduled]] #{j + 1}"
            _check_keys(action, _SCHEDULED_KEYS, inner)
            scheduled.append((_number(action, "at", inner, low=0, high=MAX_SECONDS),
                              _integer(action, "min", inner, default=None, low=0),
                              _integer(action, "max", inner, default=None, low=0)))
        out.append(Autoscaling(name, args, tuple(sorted(scheduled, key=lambda s: s[0]))))
    return tuple(out)

"""Dotted paths into a scenario (docs/capacity.md, "Paths"): the fields a sweep varies and a
planner sets, and the traffic multiplier.

A path names one field the way the scenario file nests it:

- ``seed``, ``until``, ``routing``, ``metrics_period_s``: the run's defaults;
- ``account.FIELD`` (``account.concurrency_limit``);
- ``functions.NAME.FIELD`` (``functions.orders.reserved_concurrency``), and a function's
  generators ``functions.NAME.workload.K.FIELD`` (``K`` from 0, in file order; nested fields
  too: ``functions.orders.workload.0.duration.value``);
- ``streams.NAME.FIELD`` and ``queues.NAME.FIELD``, and their generators
  ``streams.NAME.records.FIELD`` / ``queues.NAME.messages.FIELD``;
- ``mappings.SOURCE.FIELD``: the mapping that reads event source ``SOURCE``.

A new value goes through the same constructor as the file's, so a value AWS would refuse
raises AWS's exception, and a path that names nothing raises
:class:`~lambda_core.errors.ScenarioError` listing what it could name.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from ._generators import Burst, Duration, RecordsSpec, WorkloadSpec
from ._schema import MAX_SECONDS

if TYPE_CHECKING:
    from ._scenario import Scenario

__all__ = ["with_values", "with_traffic", "TOP_LEVEL", "PathError"]


class PathError(ScenarioError):
    """A path that names nothing in the scenario (a sweep stops at once: no value of it can
    run), as against a value of a path that its field refuses."""

#: The scenario's own fields a path may set.
TOP_LEVEL = ("seed", "until", "routing", "metrics_period_s")
_GENERATORS = (WorkloadSpec, RecordsSpec, Duration, Burst)
#: Fields no path may set: the names that other tables refer to.
_NAMES = ("name", "source", "function")


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """`scenario` with each path of `values` set to its value, in order."""
    for path, value in values.items():
        scenario = _set(scenario, path, value)
    return scenario


def with_traffic(scenario: Scenario, factor: float) -> Scenario:
    """`scenario` with every generator's traffic (function requests and event-source records)
    multiplied by `factor`: Poisson rates and burst counts, and trace rates."""
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor < float("inf"):
        raise ScenarioError(f"traffic must be a positive number, got {factor!r}")
    if factor == 1:
        return scenario
    return dataclasses.replace(
        scenario,
        workloads=tuple(tuple(spec.scaled(factor) for spec in specs) for specs in scenario.workloads),
        record_generators=tuple(None if g is None else g.scaled(factor) for g in scenario.record_generators),
    )


def _set(sc: Scenario, path: str, value: Any) -> Scenario:
    head, _, rest = path.partition(".")
    if head in TOP_LEVEL and not rest:
        return dataclasses.replace(sc, **{head: _check_top_level(head, value)})
    if head == "account" and rest:
        return dataclasses.replace(sc, account=_field(sc.account, rest.split("."), value, path))
    if head == "functions":
        i, rest = _named(path, rest, [f.name for f in sc.functions], "function")
        segments = rest.split(".")
        if segments[0] == "workload":
            if len(segments) < 3 or not segments[1].isdigit() or int(segments[1]) >= len(sc.workloads[i]):
                raise PathError(f"{path!r}: function {sc.functions[i].name!r} has "
                                    f"{len(sc.workloads[i])} generators: functions.NAME.workload.K.FIELD, "
                                    f"K from 0 to {len(sc.workloads[i]) - 1}")
            k = int(segments[1])
            spec = _field(sc.workloads[i][k], segments[2:], value, path)
            specs = sc.workloads[i][:k] + (spec,) + sc.workloads[i][k + 1:]
            return dataclasses.replace(sc, workloads=_put(sc.workloads, i, specs))
        function = _field(sc.functions[i], segments, value, path)
        return dataclasses.replace(sc, functions=_put(sc.functions, i, function))
    if head in ("streams", "queues"):
        sources = getattr(sc, head)
        j, rest = _named(path, rest, [s.name for s in sources], head[:-1])
        segments = rest.split(".")
        index = sc.sources.index(sources[j])
        if segments[0] == ("records" if head == "streams" else "messages"):
            generator = sc.record_generators[index]
            if generator is None:
                raise PathError(f"{path!r}: {head[:-1]} {sources[j].name!r} has no generator")
            return dataclasses.replace(
                sc, record_generators=_put(sc.record_generators, index, _field(generator, segments[1:], value, path)))
        source = _field(sources[j], segments, value, path)
        # a mapping holds its source: it must read the changed one
        mappings = tuple(dataclasses.replace(m, source=source) if m.source.name == source.name else m
                         for m in sc.mappings)
        if head == "streams":
            return dataclasses.replace(sc, streams=_put(sources, j, source), mappings=mappings)
        return dataclasses.replace(sc, queues=_put(sources, j, source), mappings=mappings)
    if head == "mappings":
        j, rest = _named(path, rest, [m.source.name for m in sc.mappings], "mapping of source")
        return dataclasses.replace(sc, mappings=_put(sc.mappings, j, _field(sc.mappings[j], rest.split("."), value, path)))
    raise PathError(f"{path!r} names nothing in the scenario: a path starts with "
                        f"{', '.join(TOP_LEVEL)}, account., functions., streams., queues. or mappings.")


def _check_top_level(name: str, value: Any) -> Any:
    """One of the run's defaults, checked by the file's rules (``run_default``); a value of the
    wrong type raises TypeError, so that a sweep stops before it runs."""
    from ._parse import run_default  # the parser builds Scenarios: imported when used

    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    wrong = {"seed": isinstance(value, bool) or not isinstance(value, int),
             "routing": not isinstance(value, str)}.get(name, value is not None and not number)
    if wrong:
        raise TypeError(f"{name} must be {'a string' if name == 'routing' else 'a number'}, got {value!r}")
    return run_default({name: value}, name, f"the path {name!r}")


def _named(path: str, rest: str, names: list[str], kind: str) -> tuple[int, str]:
    """The index of the name `rest` starts with (a stream's name may hold dots: the longest
    name that matches), and what follows it."""
    matches = [(len(n), i) for i, n in enumerate(names) if rest.startswith(n + ".")]
    if not matches:
        known = ", ".join(names) if names else "none"
        raise PathError(f"{path!r}: no {kind} named as the path says, followed by a field "
                            f"(the scenario's: {known})")
    length, i = max(matches)
    return i, rest[length + 1:]


def _field(obj: Any, segments: list[str], value: Any, path: str) -> Any:
    """`obj` (a frozen dataclass) with the field that `segments` names set to `value`, built
    again by its constructor so that the value is validated as the file's would be."""
    if not segments or not segments[0]:
        raise PathError(f"{path!r} must end with a field's name")
    name, rest = segments[0], segments[1:]
    if isinstance(obj, tuple):  # bursts.K
        if not (name.isdigit() and int(name) < len(obj) and rest):
            raise PathError(f"{path!r}: {name!r} must be an index from 0 to {len(obj) - 1}, then a field")
        return _put(obj, int(name), _field(obj[int(name)], rest, value, path))
    fields = [f.name for f in dataclasses.fields(obj) if f.init] if dataclasses.is_dataclass(obj) else []
    if name not in fields or name in _NAMES:
        settable = [f for f in fields if f not in _NAMES]
        raise PathError(f"{path!r}: {type(obj).__name__} has no field {name!r} a path can set "
                            f"(its fields: {', '.join(settable) or 'none'})")
    old = getattr(obj, name)
    if rest:
        value = _field(old, rest, value, path)
    elif isinstance(obj, _GENERATORS):
        _check_generator_value(old, value, path)
    return dataclasses.replace(obj, **{name: value})


def _check_generator_value(old: Any, value: Any, path: str) -> None:
    """A generator's number (the model's classes check their own values): finite, not
    negative, and whole where the file's is."""
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        whole = isinstance(old, int)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
        if not ok or (whole and value != int(value)):
            raise ScenarioError(f"{path!r} must be a {'whole ' if whole else ''}number ≥ 0, got {value!r}")
        if value > MAX_SECONDS and not whole:
            raise ScenarioError(f"{path!r} must be at most {MAX_SECONDS:g}, got {value!r}")


def _put(items: tuple[Any, ...], i: int, item: Any) -> tuple[Any, ...]:
    return items[:i] + (item,) + items[i + 1:]

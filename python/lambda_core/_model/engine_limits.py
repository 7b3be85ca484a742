"""The engine's limits that only a whole configuration can reach (the number of functions, the
lanes of every stream mapping together) or that lambda_core adds to a mapped queue (a
visibility timeout of at least one microsecond). Each object checks its own limits in its
constructor; these are the checks the :class:`~lambda_core.Simulator` makes on what it is
given, before the engine sees it. The numbers come from ``_core.LIMITS``."""

from __future__ import annotations

from collections.abc import Sequence

from .. import _core
from .. import _validation as v
from ..errors import EngineLimitError
from .function import Function
from .mappings import EventSourceMapping
from .queues import SqsQueue

__all__ = ["check_mapping", "check_configuration"]


def check_mapping(mapping: EventSourceMapping) -> None:
    """A mapped queue needs a visibility timeout of at least the engine's minimum (1 µs):
    AWS accepts 0, but then a throttled batch would come back at the instant it was throttled,
    for ever."""
    source = mapping.source
    if not isinstance(source, SqsQueue):
        return
    bound = v.limit("visibility_timeout_us")
    if _core.to_micros(source.visibility_timeout_s) < bound.min:
        raise EngineLimitError(
            f"queue {source.name!r}: lambda_core needs a visibility timeout above 0 (at least "
            f"{bound.min} µs) for a queue that a mapping reads (with 0, a throttled batch "
            "would come back at the instant it was throttled, for ever), got "
            f"visibility_timeout_s={source.visibility_timeout_s!r}"
        )


def check_configuration(
    functions: Sequence[Function], mappings: Sequence[EventSourceMapping]
) -> None:
    """The limits of a configuration as a whole: the number of functions, and the lanes of
    all stream mappings together (shards × parallelization factor), which names the
    mappings."""
    v.engine_limit("Simulator", "len(functions)", len(functions), "functions")
    sizes = []
    for m in mappings:
        if not isinstance(m.source, SqsQueue):
            sizes.append((f"{m.source.name!r} → {m.function!r}", m.source.shards,
                          m.parallelization_factor or 1))
    lanes = sum(shards * factor for _, shards, factor in sizes)
    bound = v.limit("lanes")
    if lanes > bound.max:
        parts = ", ".join(f"{name} ({shards} shards × {factor})" for name, shards, factor in sizes)
        raise EngineLimitError(
            f"stream mappings {parts}: {lanes} lanes is above lambda_core's limit of "
            f"{bound.max} {bound.what}"
        )

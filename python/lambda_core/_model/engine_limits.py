"""The engine's limits that only a whole configuration can reach (the number of functions, the
lanes of every stream mapping together). Each object checks its own limits in its
constructor; these are the checks the :class:`~lambda_core.Simulator` makes on what it is
given, before the engine sees it, after AWS's checks of each mapping against its function
(:func:`.mappings.check_functions`). The numbers come from ``_core.LIMITS``."""

from __future__ import annotations

from collections.abc import Sequence

from .. import _validation as v
from ..errors import EngineLimitError
from .function import Function
from .mappings import EventSourceMapping, check_functions

__all__ = ["check_mapping", "check_configuration"]


def check_configuration(
    functions: Sequence[Function], mappings: Sequence[EventSourceMapping]
) -> None:
    """The limits of a configuration as a whole: the number of functions, and the lanes of
    all stream mappings together (shards × parallelization factor), which names the
    mappings. First AWS's checks of each mapping against the function it invokes."""
    check_functions(mappings, functions)
    v.engine_limit("Simulator", "len(functions)", len(functions), "functions")
    sizes = []
    for m in mappings:
        shape = m.source.lanes(m)
        if shape is not None:
            sizes.append((f"{m.source.name!r} → {m.function!r}", *shape))
    lanes = sum(shards * factor for _, shards, factor in sizes)
    bound = v.limit("lanes")
    if lanes > bound.max:
        parts = ", ".join(f"{name} ({shards} shards × {factor})" for name, shards, factor in sizes)
        raise EngineLimitError(
            f"stream mappings {parts}: {lanes} lanes is above lambda_core's limit of "
            f"{bound.max} {bound.what}"
        )

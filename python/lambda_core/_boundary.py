"""The one place that knows the shapes the compiled engine (``lambda_core._core``) speaks.

Configuration goes in as positional tuples (:func:`new_engine`; their layouts are documented
in ``_core.pyi``) and results come back as dicts of columns, reshaped here into what the API
shows (:func:`record_columns`, :func:`mapping_report`). Nothing else in the package builds or
unpacks an engine tuple, so replacing the tuples by named records touches this module only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy.typing as npt

from . import _core
from ._model import Account, EventSourceMapping, Function, PoolPlan, RetryPolicy, SqsQueue
from ._model.mappings import EventSource

__all__ = ["new_engine", "record_columns", "mapping_report", "engine_seconds"]


def new_engine(
    account: Account,
    plan: PoolPlan,
    functions: Sequence[Function],
    routing: str,
    client_retries: RetryPolicy | None,
    seed: int,
    mappings: Sequence[EventSourceMapping],
    destination_names: Sequence[str],
) -> _core.Engine:
    """The engine of a validated configuration; ``routing`` is ``"newest"``, ``"mru"`` or
    ``"oldest"``, and destinations are numbered in ``destination_names`` order."""
    index = {name: i for i, name in enumerate(destination_names)}

    def destination(name: str | None) -> int | None:
        return None if name is None else index[name]

    names = [f.name for f in functions]
    streams = []
    queues = []
    for i, m in enumerate(mappings):  # i: the source's index (one mapping per source)
        function = names.index(m.function)
        base, per_record = m.duration.base_s, m.duration.per_record_s
        if isinstance(m.source, SqsQueue):
            queues.append((
                i, function, m.batch_size, m.batching_window_s, m.maximum_concurrency,
                account.scaling == "legacy", base, per_record,
            ))
        else:
            pf, retries = m.parallelization_factor, m.maximum_retry_attempts
            age, bisect = m.maximum_record_age_s, m.bisect_batch_on_function_error
            # a stream mapping has every stream setting resolved (EventSourceMapping does it)
            assert pf is not None and retries is not None and age is not None and bisect is not None
            streams.append((
                i, function, m.batch_size, m.batching_window_s, pf, retries, float(age), bisect,
                destination(m.on_failure), base, per_record,
            ))
    return _core.Engine(
        account.concurrency_limit,
        plan.unreserved_capacity,
        account.scaling,
        account.burst,
        account.token_cost_us,
        routing,
        [
            (f.reserved_concurrency, f.provisioned_concurrency or 0, f.timeout_s, f.init_s,
             f.idle_timeout_s, f.provisioned_ready_s, f.max_retry_attempts,
             float(f.max_event_age_s), destination(f.on_success), destination(f.on_failure),
             destination(f.dead_letter_queue))
            for f in functions
        ],
        len(destination_names),
        None if client_retries is None else
        (client_retries.max_attempts, client_retries.base_s, client_retries.cap_s),
        seed,
        [_source_tuple(m.source) for m in mappings],
        streams,
        queues,
    )


def _source_tuple(source: EventSource) -> tuple[str, int, float, bool, float, int | None]:
    """An event source as the engine takes it: ``(kind, shards, retention_s, fifo,
    visibility_timeout_s, max_receive_count)``."""
    if isinstance(source, SqsQueue):
        return ("sqs", 0, source.retention_s, source.fifo, source.visibility_timeout_s,
                source.max_receive_count)
    return (source.kind, source.shards, source.retention_s, False, 0.0, None)


def record_columns(
    mapping: EventSourceMapping, columns: dict[str, npt.NDArray[Any]]
) -> dict[str, npt.NDArray[Any]]:
    """The engine's record columns as the API shows them: streams have no ``receives`` (for
    them it is ``attempts``)."""
    if not isinstance(mapping.source, SqsQueue):
        del columns["receives"]
    return columns


def mapping_report(
    mappings: Sequence[EventSourceMapping], reports: Sequence[Any]
) -> dict[str, dict[str, Any]]:
    """The engine's per-mapping counters by source name, each without the figure its kind
    does not have (a queue's iterator age, a stream's ramp slots)."""
    out = {}
    for m, report in zip(mappings, reports):
        drop = "max_iterator_age" if isinstance(m.source, SqsQueue) else "max_slots"
        out[m.source.name] = {k: value for k, value in report.items() if k != drop}
    return out


def engine_seconds(seconds: float) -> str:
    """``seconds`` as the engine prints an ``f64`` (Rust's ``Display``: the shortest text that
    reads back, never an exponent, no ``.0`` on whole numbers), for messages that must read as
    the engine's."""
    text = format(Decimal(repr(seconds)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text

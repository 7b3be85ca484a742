"""The one place that knows the shapes the compiled engine (``lambda_core._core``) speaks.

Configuration goes in as one named record (:func:`engine_config` builds an
:class:`~lambda_core._engine_config.EngineConfig` from the validated model; ``_core.Engine``
reads it field by field) and results come back as dicts of columns named by the engine, reshaped
here into what the API shows (:func:`record_columns`, :func:`mapping_report`). Nothing else in
the package builds an engine record or unpacks an engine dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy.typing as npt

from . import _core
from ._engine_config import (
    AccountConfig,
    ClientRetries,
    EngineConfig,
    FunctionConfig,
    QueueConfig,
    QueueMappingConfig,
    ScalingConfig,
    SourceConfig,
    StreamConfig,
    StreamMappingConfig,
)
from ._model import Account, EventSourceMapping, Function, PoolPlan, RetryPolicy, SqsQueue
from ._model.mappings import EventSource

__all__ = ["new_engine", "engine_config", "record_columns", "mapping_report", "engine_seconds"]

# the scaling modes Account keeps (None: no limit) as the engine's buckets
_PER_FUNCTION = {"current": True, "legacy": False}


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
    """The engine of a validated configuration (see :func:`engine_config`)."""
    return _core.Engine(engine_config(
        account, plan, functions, routing, client_retries, seed, mappings, destination_names))


def engine_config(
    account: Account,
    plan: PoolPlan,
    functions: Sequence[Function],
    routing: str,
    client_retries: RetryPolicy | None,
    seed: int,
    mappings: Sequence[EventSourceMapping],
    destination_names: Sequence[str],
) -> EngineConfig:
    """The engine's record of a validated configuration; ``routing`` is ``"newest"``, ``"mru"``
    or ``"oldest"``, destinations are numbered in ``destination_names`` order and event sources
    in ``mappings`` order (one mapping per source)."""
    index = {name: i for i, name in enumerate(destination_names)}

    def destination(name: str | None) -> int | None:
        return None if name is None else index[name]

    names = [f.name for f in functions]
    streams = []
    queues = []
    for i, m in enumerate(mappings):  # i: the source's index
        function = names.index(m.function)
        base, per_record = m.duration.base_s, m.duration.per_record_s
        if isinstance(m.source, SqsQueue):
            queues.append(QueueMappingConfig(
                queue=i, function=function, batch_size=m.batch_size,
                window_s=m.batching_window_s, maximum_concurrency=m.maximum_concurrency,
                legacy=account.scaling == "legacy", base_s=base, per_record_s=per_record,
            ))
        else:
            pf, retries = m.parallelization_factor, m.maximum_retry_attempts
            age, bisect = m.maximum_record_age_s, m.bisect_batch_on_function_error
            # a stream mapping has every stream setting resolved (EventSourceMapping does it)
            assert pf is not None and retries is not None and age is not None and bisect is not None
            streams.append(StreamMappingConfig(
                stream=i, function=function, batch_size=m.batch_size,
                window_s=m.batching_window_s, parallelization_factor=pf,
                # AWS's −1: no limit
                max_retry_attempts=None if retries < 0 else retries,
                max_record_age_s=None if age < 0 else float(age),
                bisect=bisect, on_failure=destination(m.on_failure),
                base_s=base, per_record_s=per_record,
            ))
    scaling = None if account.scaling is None else ScalingConfig(
        per_function=_PER_FUNCTION[account.scaling], burst=account.burst,
        cost_us=account.token_cost_us)
    return EngineConfig(
        account=AccountConfig(
            concurrency_limit=account.concurrency_limit,
            unreserved_capacity=plan.unreserved_capacity,
            scaling=scaling,
        ),
        functions=tuple(
            FunctionConfig(
                reserved=f.reserved_concurrency, provisioned=f.provisioned_concurrency or 0,
                timeout_s=f.timeout_s, init_s=f.init_s, idle_timeout_s=f.idle_timeout_s,
                provisioned_ready_s=f.provisioned_ready_s, max_retry_attempts=f.max_retry_attempts,
                max_event_age_s=float(f.max_event_age_s), on_success=destination(f.on_success),
                on_failure=destination(f.on_failure),
                dead_letter_queue=destination(f.dead_letter_queue),
            )
            for f in functions
        ),
        routing=routing,
        destinations=len(destination_names),
        client_retries=None if client_retries is None else ClientRetries(
            max_attempts=client_retries.max_attempts, base_s=client_retries.base_s,
            cap_s=client_retries.cap_s),
        seed=seed,
        sources=tuple(_source(m.source) for m in mappings),
        stream_mappings=tuple(streams),
        queue_mappings=tuple(queues),
    )


def _source(source: EventSource) -> SourceConfig:
    if isinstance(source, SqsQueue):
        return QueueConfig(fifo=source.fifo, visibility_timeout_s=source.visibility_timeout_s,
                           max_receive_count=source.max_receive_count,
                           retention_s=source.retention_s)
    return StreamConfig(kind=source.kind, shards=source.shards, retention_s=source.retention_s)


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

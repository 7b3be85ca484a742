"""Parsing of event sources and mappings: ``[[streams]]``, ``[[queues]]`` and ``[[mappings]]``."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from .._model import (
    BatchDuration,
    DynamoDBStream,
    EventSource,
    EventSourceMapping,
    KinesisStream,
    SqsQueue,
)
from ..errors import ScenarioError
from ._generators import RecordsSpec
from ._parse_generators import _records
from ._schema import (
    _BATCH_DURATION_KEYS,
    _MAPPING_KEYS,
    _QUEUE_KEYS,
    _STREAM_KEYS,
    STREAM_KINDS,
    _aws,
    _boolean,
    _check_keys,
    _integer,
    _kind,
    _known,
    _number,
    _place,
    _string,
    _table,
)


def _stream(
    table: dict[str, Any], index: int
) -> tuple[KinesisStream | DynamoDBStream, RecordsSpec | None, str]:
    where = _place("streams", index, table)
    _check_keys(table, _STREAM_KEYS, where)
    name = _string(table, "name", where)
    kind = table.get("kind")
    if kind is None:
        raise ScenarioError(f"missing key 'kind' in {where} (\"kinesis\" or \"dynamodb\")")
    if kind not in STREAM_KINDS:
        close = difflib.get_close_matches(kind, STREAM_KINDS, n=1) if isinstance(kind, str) else []
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ScenarioError(
            f"'kind' in {where} must be \"kinesis\" or \"dynamodb\", got {_kind(kind)}{hint}"
        )
    fields = {}
    if "shards" in table:
        fields["shards"] = _integer(table, "shards", where)
    if "retention_s" in table:
        fields["retention_s"] = _number(table, "retention_s", where)
    build: Callable[..., KinesisStream | DynamoDBStream] = STREAM_KINDS[kind]
    stream = _aws(build, where, name, **fields)
    spec = None
    if "records" in table:
        place = f"[streams.records] of stream '{name}'"
        spec = _records(_table(table, "records", where), place, keyed=True)
    return stream, spec, where


def _queue(table: dict[str, Any], index: int) -> tuple[SqsQueue, RecordsSpec | None, str]:
    where = _place("queues", index, table)
    _check_keys(table, _QUEUE_KEYS, where)
    name = _string(table, "name", where)
    fields: dict[str, Any] = {"fifo": _boolean(table, "fifo", where, default=False)}
    for key in ("visibility_timeout_s", "retention_s"):
        if key in table:
            fields[key] = _number(table, key, where)
    if "max_receive_count" in table:
        fields["max_receive_count"] = _integer(table, "max_receive_count", where)
    queue = _aws(SqsQueue, where, name, **fields)
    spec = None
    if "messages" in table:
        place = f"[queues.messages] of queue '{name}'"
        spec = _records(_table(table, "messages", where), place, keyed=queue.fifo)
    return queue, spec, where


def _mapping(
    table: dict[str, Any],
    index: int,
    sources: Mapping[str, EventSource],
    functions: tuple[str, ...],
) -> EventSourceMapping:
    where = _place("mappings", index, table, key="source")
    _check_keys(table, _MAPPING_KEYS, where)
    source = _string(table, "source", where)
    if source not in sources:
        raise ScenarioError(
            f"'source' in {where} names no stream or queue: '{source}' "
            f"({_known(source, tuple(sources), 'no [[streams]] or [[queues]] are declared')})"
        )
    function = _string(table, "function", where)
    if function not in functions:
        raise ScenarioError(
            f"'function' in {where} names no function: '{function}' "
            f"({_known(function, functions, 'no [[functions]]')})"
        )
    fields: dict[str, Any] = {}
    for key in ("batch_size", "parallelization_factor", "maximum_retry_attempts",
                "maximum_record_age_s", "maximum_concurrency"):
        if key in table:
            fields[key] = _integer(table, key, where)
    if "batching_window_s" in table:
        fields["batching_window_s"] = _number(table, "batching_window_s", where)
    if "bisect_batch_on_function_error" in table:
        fields["bisect_batch_on_function_error"] = _boolean(
            table, "bisect_batch_on_function_error", where
        )
    if "on_failure" in table:
        fields["on_failure"] = _string(table, "on_failure", where)
    if "duration" in table:
        fields["duration"] = _batch_duration(table["duration"], where)
    return _aws(EventSourceMapping, where, sources[source], function, **fields)


def _batch_duration(value: Any, where: str) -> float | BatchDuration:
    """A mapping's ``duration``: seconds per batch, or ``{base_s, per_record_s}``."""
    if isinstance(value, dict):
        place = f"'duration' of {where}"
        _check_keys(value, _BATCH_DURATION_KEYS, place)
        fields = {key: _number(value, key, place) for key in _BATCH_DURATION_KEYS if key in value}
        return _aws(BatchDuration, place, **fields)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(
            f"'duration' in {where} must be a number of seconds per batch or a table "
            f"{{ base_s = 0.05, per_record_s = 0.002 }}, got {_kind(value)}"
        )
    seconds: float = _number({"duration": value}, "duration", where)
    return seconds



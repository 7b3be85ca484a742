"""Parsing of event sources and mappings: each table of sources (``[[streams]]``, ``[[queues]]``:
the kinds' ``SCENARIO_TABLE``) and ``[[mappings]]``."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any, cast

from .. import _validation as v
from .._model import BatchDuration, EventSource, EventSourceMapping
from ..errors import ScenarioError
from ._generators import RecordsSpec
from ._parse_generators import _records
from ._schema import (
    _BATCH_DURATION_KEYS,
    _MAPPING_KEYS,
    _SOURCE_KEYS,
    SOURCE_TABLES,
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

# how a constructor field of each TOML type is read (the kinds' SCENARIO_FIELDS)
_READERS: dict[type, Callable[[Mapping[str, Any], str, str], Any]] = {
    int: _integer, float: _number, bool: _boolean,
}


def _source(
    array: str, table: dict[str, Any], index: int
) -> tuple[EventSource, RecordsSpec | None, str]:
    """The source declared by ``table``, the ``index``-th of ``[[array]]``, its records
    generator, and where it is declared."""
    kinds = SOURCE_TABLES[array]
    where = _place(array, index, table)
    _check_keys(table, _SOURCE_KEYS[array], where)
    name = _string(table, "name", where)
    if len(kinds) == 1:
        (build,) = kinds.values()
    else:
        names = v.either([f'"{k}"' for k in kinds])
        kind = table.get("kind")
        if kind is None:
            raise ScenarioError(f"missing key 'kind' in {where} ({names})")
        if not isinstance(kind, str) or kind not in kinds:  # an array or table is no kind
            close = difflib.get_close_matches(kind, kinds, n=1) if isinstance(kind, str) else []
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ScenarioError(f"'kind' in {where} must be {names}, got {_kind(kind)}{hint}")
        build = kinds[kind]
    fields = {
        key: _READERS[toml](table, key, where)
        for key, toml in build.SCENARIO_FIELDS
        if key in table
    }
    source = cast(EventSource, _aws(build, where, name, **fields))  # one of the kinds
    spec = None
    generator = build.SCENARIO_RECORDS
    if generator in table:
        place = f"[{array}.{generator}] of {build.SCENARIO_NOUN} '{name}'"
        spec = _records(_table(table, generator, where), place, keyed=source.records_keyed)
    return source, spec, where


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
        nouns = v.either(list({c.SCENARIO_NOUN: None for t in SOURCE_TABLES.values()
                                for c in t.values()}))
        none = "no " + " or ".join(f"[[{t}]]" for t in SOURCE_TABLES) + " are declared"
        raise ScenarioError(
            f"'source' in {where} names no {nouns}: '{source}' "
            f"({_known(source, tuple(sources), none)})"
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



"""The scenario file's schema: the keys each table allows, and the checks of their values.

Every mistake raises :class:`~lambda_core.errors.ScenarioError` naming the key and the table
(``where``); the configuration checks AWS itself makes are left to the model classes, whose
exceptions :func:`_aws` lets through with the table attached.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .. import _validation as v
from .._model import (
    ROUTING_NAMES,
    Account,
    BatchDuration,
    EventSource,
    EventSourceMapping,
    Function,
    InvocationType,
    RetryPolicy,
    Trigger,
    VpcConfig,
    source_tables,
)
from ..errors import LambdaCoreError, ScenarioError

T = TypeVar("T")

#: The routing policies a scenario may name (docs/model.md §3).
ROUTINGS = ROUTING_NAMES

#: The tables of event sources (``[[streams]]``, ``[[queues]]``), each with its kinds by name.
SOURCE_TABLES = source_tables()

_TOP_KEYS = (
    "name", "description", "seed", "until", "routing", "metrics_period_s", "client_retries",
    "account", "functions",
    *SOURCE_TABLES, "mappings", "expect", "changes", "autoscaling",
)
_ACCOUNT_KEYS = tuple(f.name for f in dataclasses.fields(Account))
_FUNCTION_KEYS = tuple(f.name for f in dataclasses.fields(Function)) + ("workload",)
_RETRY_KEYS = tuple(f.name for f in dataclasses.fields(RetryPolicy))
_VPC_KEYS = tuple(f.name for f in dataclasses.fields(VpcConfig))
_ARRIVALS = ("poisson", "bursty")
_INVOCATION = ("trigger", "invocation_type")
_WORKLOAD_KEYS = {
    "poisson": ("arrivals", "rate_per_s", "start_s", "end_s", "duration", "failure_rate",
                *_INVOCATION),
    "bursty": ("arrivals", "rate_per_s", "start_s", "end_s", "bursts", "duration",
               "failure_rate", *_INVOCATION),
}
#: ``trigger`` values: the :class:`~lambda_core.Trigger` member names in lower case.
TRIGGERS = tuple(t.name.lower() for t in Trigger)
#: ``invocation_type`` values (AWS's ``Event`` and ``RequestResponse`` are accepted too).
INVOCATION_TYPES = {"event": InvocationType.EVENT, "request_response": InvocationType.REQUEST_RESPONSE}
_BURST_KEYS = ("at_s", "count", "over_s")
#: ``kind`` values of a ``[[streams]]`` table.
STREAM_KINDS: dict[str, type[EventSource]] = SOURCE_TABLES["streams"]


def _source_keys(kinds: Mapping[str, type[EventSource]]) -> tuple[str, ...]:
    """The keys a table of sources allows: ``name``, ``kind`` when the table holds several
    kinds, the kinds' constructor fields (in field order), their records generator's key."""
    fields = {
        f.name: None
        for cls in kinds.values()
        for f in dataclasses.fields(cls)
        if f.name in dict(cls.SCENARIO_FIELDS)
    }
    generators = {cls.SCENARIO_RECORDS: None for cls in kinds.values()}
    return ("name", *(("kind",) if len(kinds) > 1 else ()), *fields, *generators)


#: The keys each table of sources allows.
_SOURCE_KEYS = {table: _source_keys(kinds) for table, kinds in SOURCE_TABLES.items()}
_RECORDS_KEYS = {
    "poisson": ("arrivals", "rate_per_s", "start_s", "end_s", "keys", "failure_rate", "failures"),
    "bursty": ("arrivals", "rate_per_s", "start_s", "end_s", "bursts", "keys", "failure_rate",
               "failures"),
}
_MAPPING_KEYS = tuple(f.name for f in dataclasses.fields(EventSourceMapping))
_BATCH_DURATION_KEYS = tuple(f.name for f in dataclasses.fields(BatchDuration))
_DURATION_KEYS = {
    "fixed": ("dist", "s"),
    "exponential": ("dist", "mean_s"),
    "lognormal": ("dist", "median_s", "sigma"),
}



_REQUIRED = object()

#: The largest time a scenario may name, in seconds: the engine's ``seconds`` limit (9e9 s),
#: so that a time the engine would refuse at ``run`` is refused when the file is read.
MAX_SECONDS = float(v.limit("seconds").max)
#: The shortest period of the per-period metrics: the engine's (a millisecond).
MIN_METRICS_PERIOD_S = v.limit("metrics_period_us").min / 1e6
#: The largest seed: the simulator's seeds are 64-bit.
MAX_SEED = 2**64 - 1


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    """Refuses the first key of ``table`` not in ``allowed``, suggesting the closest one."""
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
            raise ScenarioError(f"unknown key '{key}' in {where} ({hint})")


def _value(data: Mapping[str, Any], key: str, where: str, default: Any) -> Any:
    """``data[key]``, or ``default`` when it is absent (a required key has ``_REQUIRED``)."""
    value = data.get(key, default)
    if value is _REQUIRED:
        raise ScenarioError(f"missing key '{key}' in {where}")
    return value


def _typed(data: Mapping[str, Any], key: str, where: str, default: Any, kind: type, name: str) -> Any:
    """``data[key]`` (or ``default``), which must be a ``kind`` (``name`` in the message)."""
    value = _value(data, key, where, default)
    if not isinstance(value, kind):
        raise ScenarioError(f"'{key}' in {where} must be {name}, got {_kind(value)}")
    return value


def _table(data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED) -> dict[str, Any]:
    table: dict[str, Any] = _typed(data, key, where, default, dict, "a table")
    return table


def _string(data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED) -> Any:
    return _typed(data, key, where, default, str, "a string")


def _boolean(data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED) -> Any:
    return _typed(data, key, where, default, bool, "true or false")


def _integer(
    data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED,
    low: int | None = None, high: int | None = None,
) -> Any:
    value = _value(data, key, where, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"'{key}' in {where} must be an integer, got {_kind(value)}")
    if low is not None and value < low:
        raise ScenarioError(f"'{key}' in {where} must be at least {low}, got {value}")
    if high is not None and value > high:
        raise ScenarioError(f"'{key}' in {where} must be at most {high}, got {value}")
    return value


def _number(
    data: Mapping[str, Any],
    key: str,
    where: str,
    default: Any = _REQUIRED,
    low: float | None = None,
    high: float | None = None,
    positive: bool = False,
) -> Any:
    value = _value(data, key, where, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"'{key}' in {where} must be a number, got {_kind(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ScenarioError(f"'{key}' in {where} must be finite, got {value!r}")
    if positive and value <= 0:
        raise ScenarioError(f"'{key}' in {where} must be greater than 0, got {value:g}")
    if low is not None and value < low:
        raise ScenarioError(f"'{key}' in {where} must be at least {low:g}, got {value:g}")
    if high is not None and value > high:
        raise ScenarioError(f"'{key}' in {where} must be at most {high:g}, got {value:g}")
    return value


def _kind(value: Any) -> str:
    names = {dict: "a table", list: "an array", str: "a string", bool: "a boolean"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"


def _tables(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The top-level array of tables ``[[key]]`` (empty when absent)."""
    tables = data.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ScenarioError(f"'{key}' must be an array of tables ([[{key}]])")
    return tables


def _place(array: str, index: int, table: Mapping[str, Any], key: str = "name") -> str:
    """``[[array]] #i ('name')``: where a table of an array is, for messages."""
    value = table.get(key)
    label = f" ('{value}')" if key == "name" else f" ({key} '{value}')"
    return f"[[{array}]] #{index + 1}" + (label if isinstance(value, str) else "")


def _aws(build: Callable[..., T], where: str, *args: Any, **kwargs: Any) -> T:
    """``build(*args, **kwargs)``: a TypeError becomes a ScenarioError; AWS's refusals (and
    lambda_core's own configuration checks) propagate, naming ``where`` for the CLI."""
    try:
        return build(*args, **kwargs)
    except TypeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except LambdaCoreError as exc:
        exc.scenario_context = where  # shown by the CLI
        raise



def _known(name: str, names: tuple[str, ...], none: str) -> str:
    """``did you mean 'x'?``, else the names there are (or ``none``)."""
    if not names:
        return none
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "there are: " + ", ".join(f"'{n}'" for n in names)



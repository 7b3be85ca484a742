"""Parsing of generator tables: a function's ``[functions.workload]`` and an event source's
``[streams.records]`` or ``[queues.messages]``, with their arrivals, bursts and durations."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._model import InvocationType, Trigger
from ..errors import ScenarioError
from ._generators import MAX_GENERATED_ROWS, Burst, Duration, RecordsSpec, WorkloadSpec
from ._schema import (
    MAX_SECONDS,
    _ARRIVALS,
    _BURST_KEYS,
    _DURATION_KEYS,
    _RECORDS_KEYS,
    _REQUIRED,
    _WORKLOAD_KEYS,
    INVOCATION_TYPES,
    TRIGGERS,
    _check_keys,
    _integer,
    _kind,
    _number,
    _table,
)

#: The largest ``keys``: keys are drawn as 64-bit integers.
MAX_KEYS = 2**63 - 1
#: The largest ``failures``: the engine's limit of failing attempts per record.
MAX_FAILURES = v.limit("failures").max


def _arrivals(table: dict[str, Any], where: str, allowed: Mapping[str, tuple[str, ...]]) -> str:
    """The generator's ``arrivals`` (checked), after checking its keys against ``allowed``."""
    arrivals: str | None = table.get("arrivals")
    if arrivals is None:
        raise ScenarioError(f"missing key 'arrivals' in {where} (\"poisson\" or \"bursty\")")
    if arrivals not in _ARRIVALS:
        raise ScenarioError(
            f"'arrivals' in {where} must be \"poisson\" or \"bursty\", got {arrivals!r}"
        )
    if arrivals == "poisson" and "bursts" in table:
        raise ScenarioError(f"key 'bursts' in {where} needs arrivals = \"bursty\"")
    _check_keys(table, allowed[arrivals], where)
    return arrivals


def _arrival_fields(
    table: dict[str, Any], where: str, arrivals: str
) -> tuple[float, float, float, tuple[Burst, ...]]:
    """A generator's ``rate_per_s``, ``start_s``, ``end_s`` and ``bursts``."""
    rate = _number(table, "rate_per_s", where,
                   default=0.0 if arrivals == "bursty" else _REQUIRED, low=0.0)
    start = _number(table, "start_s", where, default=0.0, low=0.0, high=MAX_SECONDS)
    end = _number(table, "end_s", where, default=_REQUIRED if rate > 0 else start, low=0.0,
                  high=MAX_SECONDS)
    if end < start:
        raise ScenarioError(f"'end_s' ({end:g}) in {where} is before 'start_s' ({start:g})")
    bursts: tuple[Burst, ...] = ()
    if arrivals == "bursty":
        raw = table.get("bursts", [])
        if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
            raise ScenarioError(
                f"'bursts' in {where} must be an array of tables, e.g. "
                "[{at_s = 60, count = 1000, over_s = 5}]"
            )
        bursts = tuple(_burst(b, f"bursts[{k}] of {where}") for k, b in enumerate(raw))
    # checked before anything is drawn: numpy would try to allocate the rows (or refuse the
    # Poisson mean) with an error that names nothing of the file
    expected = rate * (end - start) + sum(b.count for b in bursts)
    if expected > MAX_GENERATED_ROWS:
        raise ScenarioError(
            f"{where} would generate about {expected:.3g} rows (rate_per_s × (end_s − start_s) "
            f"+ the bursts' counts), above the limit of {MAX_GENERATED_ROWS:.0e} rows a "
            "scenario may generate"
        )
    return rate, start, end, bursts


def _workload(table: dict[str, Any], where: str) -> WorkloadSpec:
    arrivals = _arrivals(table, where, _WORKLOAD_KEYS)
    rate, start, end, bursts = _arrival_fields(table, where, arrivals)
    failure_rate = _number(table, "failure_rate", where, default=None, low=0.0, high=1.0)
    if "duration" not in table:
        raise ScenarioError(
            f"missing key 'duration' in {where}, e.g. duration = {{dist = \"fixed\", s = 0.1}}"
        )
    duration = _duration(_table(table, "duration", where), f"'duration' of {where}")
    invocation_type, trigger = _invocation(table, where)
    return WorkloadSpec(
        arrivals, duration, rate, start, end, bursts, failure_rate, invocation_type, trigger
    )



def _records(table: dict[str, Any], where: str, keyed: bool) -> RecordsSpec:
    """A ``[streams.records]`` or ``[queues.messages]`` generator; ``keyed``: whether its
    records have keys (streams' partition keys, FIFO queues' message groups)."""
    arrivals = _arrivals(table, where, _RECORDS_KEYS)
    rate, start, end, bursts = _arrival_fields(table, where, arrivals)
    if "keys" in table and not keyed:
        raise ScenarioError(
            f"key 'keys' in {where} needs fifo = true: the keys are FIFO message groups, and a "
            "standard queue has none"
        )
    keys = _integer(table, "keys", where, default=None, low=1, high=MAX_KEYS)
    failure_rate = _number(table, "failure_rate", where, default=None, low=0.0, high=1.0)
    if "failures" in table and failure_rate is None:
        raise ScenarioError(
            f"key 'failures' in {where} needs 'failure_rate' (the probability that a record "
            "is poison; 'failures' is how many invocations a poison record fails)"
        )
    failures = _integer(table, "failures", where, default=1, low=1, high=MAX_FAILURES)
    return RecordsSpec(arrivals, rate, start, end, bursts, keys, failure_rate, failures)


def _invocation(table: Mapping[str, Any], where: str) -> tuple[InvocationType, Trigger | None]:
    """A generator's ``trigger`` or ``invocation_type`` (at most one of them)."""
    if "trigger" in table and "invocation_type" in table:
        raise ScenarioError(
            f"'trigger' and 'invocation_type' in {where} cannot both be set: a trigger "
            "invokes the way its service does (e.g. trigger = \"s3\" is invocation_type = \"event\")"
        )
    if "trigger" in table:
        value = table["trigger"]
        key = value.lower() if isinstance(value, str) else None
        if key not in TRIGGERS:
            close = difflib.get_close_matches(key, TRIGGERS, n=1, cutoff=0.5) if key else []
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ScenarioError(
                f"'trigger' in {where} must name a lambda_core.Trigger, got {_kind(value)} "
                f"({hint}one of {', '.join(TRIGGERS)})"
            )
        trigger = Trigger[key.upper()]
        return trigger.invocation_type, trigger
    value = table.get("invocation_type", "request_response")
    # AWS spells them Event and RequestResponse
    key = {"requestresponse": "request_response"}.get(value.lower(), value.lower()) \
        if isinstance(value, str) else None
    if key not in INVOCATION_TYPES:
        raise ScenarioError(
            f"'invocation_type' in {where} must be \"event\" or \"request_response\", "
            f"got {_kind(value)}"
        )
    return INVOCATION_TYPES[key], None


def _burst(table: dict[str, Any], where: str) -> Burst:
    _check_keys(table, _BURST_KEYS, where)
    burst = Burst(
        at_s=_number(table, "at_s", where, low=0.0, high=MAX_SECONDS),
        count=_integer(table, "count", where, low=0),
        over_s=_number(table, "over_s", where, default=0.0, low=0.0, high=MAX_SECONDS),
    )
    if burst.at_s + burst.over_s > MAX_SECONDS:
        raise ScenarioError(
            f"{where} ends at {burst.at_s + burst.over_s:g} s (at_s + over_s), after "
            f"lambda_core's limit of {MAX_SECONDS:g} s"
        )
    return burst


def _duration(table: dict[str, Any], where: str) -> Duration:
    dist = table.get("dist")
    # a TOML array or table is no name (and cannot be looked up in a dict)
    if not isinstance(dist, str) or dist not in _DURATION_KEYS:
        raise ScenarioError(
            f"'dist' in {where} must be one of "
            f"{', '.join(map(repr, _DURATION_KEYS))}, got {dist!r}"
        )
    _check_keys(table, _DURATION_KEYS[dist], where)
    if dist == "fixed":
        return Duration(dist, _number(table, "s", where, low=0.0, high=MAX_SECONDS))
    if dist == "exponential":
        return Duration(dist, _number(table, "mean_s", where, positive=True, high=MAX_SECONDS))
    return Duration(
        dist,
        _number(table, "median_s", where, positive=True, high=MAX_SECONDS),
        # + 0.0 turns -0.0 (which passes low=0.0) into 0.0: numpy refuses a negative sign bit
        _number(table, "sigma", where, low=0.0) + 0.0,
    )



"""Scenario files: an account, its functions and their workload generators, written in TOML.

A scenario is read with :func:`load_scenario` (a file) or :func:`parse_scenario` (a string) and
gives a :class:`Scenario`, which builds the :class:`~lambda_core.Simulator`
(:meth:`Scenario.simulator`) and generates the :class:`~lambda_core.Workload`
(:meth:`Scenario.generate`). ``docs/scenarios.md`` is the reference of the format;
:data:`BUILTIN_SCENARIO_TOML` is the scenario ``lambda-core run`` uses without a file.

A scenario may also declare event sources — ``[[streams]]`` (Kinesis or DynamoDB streams) and
``[[queues]]`` (SQS) — each with an optional generator of its records, and ``[[mappings]]``
(:class:`~lambda_core.EventSourceMapping`) that read them into functions;
:meth:`Scenario.generate_records` builds the :class:`~lambda_core.Records`.

Generation is deterministic: function ``i`` draws from its own stream,
``numpy.random.Generator(numpy.random.PCG64(numpy.random.SeedSequence(seed).spawn(n)[i]))``,
so the same scenario and seed give bit-identical workloads, and a function's requests do not
change when another function's generators change. Event source ``j`` (streams first, then
queues, in file order) draws from child ``n_functions + j`` of the same ``SeedSequence``
(spawned ``n_functions + n_sources`` times: children are index-stable, so sources leave the
functions' workloads unchanged).

Workload generators make synchronous (``RequestResponse``) requests unless they name a
``trigger`` (an :class:`~lambda_core.Trigger`, e.g. ``"s3"``: asynchronous ``Event``
invocations) or an ``invocation_type``; a top-level ``client_retries`` makes synchronous
callers retry throttles (:class:`~lambda_core.RetryPolicy`).

Every mistake in a file raises :class:`ScenarioError` with a message that names the key and the
table, except the configuration checks AWS itself makes, which raise AWS's own exceptions
(:class:`~lambda_core.InvalidParameterValueException`, :class:`~lambda_core.ValidationException`,
:class:`~lambda_core.ResourceConflictException`) with AWS's text; they carry a
``scenario_context`` attribute naming the table (the CLI prints it).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .config import Account, Function, RetryPolicy
from .enums import InvocationType, Trigger
from .errors import LambdaCoreError
from .records import Records
from .simulator import Simulator
from .sources import (
    BatchDuration,
    DynamoDBStream,
    EventSource,
    EventSourceMapping,
    KinesisStream,
    SqsQueue,
)
from .workload import Workload

__all__ = [
    "ScenarioError",
    "Scenario",
    "WorkloadSpec",
    "RecordsSpec",
    "Burst",
    "Duration",
    "load_scenario",
    "parse_scenario",
    "scenario_from_dict",
    "builtin_scenario",
    "BUILTIN_SCENARIO_TOML",
    "ROUTINGS",
    "TRIGGERS",
    "INVOCATION_TYPES",
    "STREAM_KINDS",
]

#: The routing policies a scenario may name (MODEL.md §3).
ROUTINGS = ("newest", "mru", "oldest")

_TOP_KEYS = (
    "name", "description", "seed", "until", "routing", "client_retries", "account", "functions",
    "streams", "queues", "mappings",
)
_ACCOUNT_KEYS = tuple(f.name for f in dataclasses.fields(Account))
_FUNCTION_KEYS = tuple(f.name for f in dataclasses.fields(Function)) + ("workload",)
_RETRY_KEYS = tuple(f.name for f in dataclasses.fields(RetryPolicy))
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
STREAM_KINDS = {"kinesis": KinesisStream, "dynamodb": DynamoDBStream}
_STREAM_KEYS = ("name", "kind", "shards", "retention_s", "records")
_QUEUE_KEYS = ("name", "fifo", "visibility_timeout_s", "max_receive_count", "retention_s",
               "messages")
_RECORDS_KEYS = {
    "poisson": ("arrivals", "rate_per_s", "start_s", "end_s", "keys", "failure_rate", "failures"),
    "bursty": ("arrivals", "rate_per_s", "start_s", "end_s", "bursts", "keys", "failure_rate",
               "failures"),
}
_MAPPING_KEYS = (
    "source", "function", "batch_size", "batching_window_s", "parallelization_factor",
    "maximum_retry_attempts", "maximum_record_age_s", "bisect_batch_on_function_error",
    "on_failure", "maximum_concurrency", "duration",
)
_BATCH_DURATION_KEYS = tuple(f.name for f in dataclasses.fields(BatchDuration))
_DURATION_KEYS = {
    "fixed": ("dist", "s"),
    "exponential": ("dist", "mean_s"),
    "lognormal": ("dist", "median_s", "sigma"),
}


class ScenarioError(LambdaCoreError):
    """A scenario that cannot be used: unreadable file, TOML syntax error, unknown key, or a
    missing, ill-typed or out-of-range value. The message names the file, table and key."""


# --------------------------------------------------------------------------------------------
# The scenario's parts
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Duration:
    """A handler-duration distribution: ``fixed`` (``value`` = ``s``), ``exponential``
    (``value`` = ``mean_s``) or ``lognormal`` (``value`` = ``median_s``, with ``sigma``)."""

    dist: str
    value: float
    sigma: float = 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` durations in seconds drawn from ``rng`` (a fixed duration draws nothing)."""
        if self.dist == "fixed":
            return np.full(n, self.value)
        if self.dist == "exponential":
            return rng.exponential(self.value, n)
        return rng.lognormal(math.log(self.value), self.sigma, n)

    def mean(self) -> float:
        """The distribution's mean in seconds."""
        if self.dist == "lognormal":
            return self.value * math.exp(self.sigma**2 / 2)
        return self.value

    def describe(self) -> str:
        """A short text such as ``lognormal(median 0.12 s, sigma 0.5)``."""
        if self.dist == "fixed":
            return f"fixed {self.value:g} s"
        if self.dist == "exponential":
            return f"exponential(mean {self.value:g} s)"
        return f"lognormal(median {self.value:g} s, sigma {self.sigma:g})"


@dataclasses.dataclass(frozen=True)
class Burst:
    """``count`` requests spread uniformly over ``[at_s, at_s + over_s)`` (all at ``at_s`` when
    ``over_s`` is 0)."""

    at_s: float
    count: int
    over_s: float = 0.0


class _ArrivalProcess:
    """The arrivals that workload and record generators share: a Poisson process of
    ``rate_per_s`` on ``[start_s, end_s)`` plus each :class:`Burst` (fields of the dataclasses
    that inherit this)."""

    arrivals: str
    rate_per_s: float
    start_s: float
    end_s: float
    bursts: tuple[Burst, ...]

    def _expected(self) -> float:
        return self.rate_per_s * (self.end_s - self.start_s) + sum(b.count for b in self.bursts)

    def _arrival_times(self, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times: a Poisson count of mean ``rate_per_s × (end_s − start_s)``
        drawn first, then its times uniformly on ``[start_s, end_s)``, then each burst's."""
        parts: list[np.ndarray] = []
        if self.rate_per_s > 0 and self.end_s > self.start_s:
            span = self.end_s - self.start_s
            n = int(rng.poisson(self.rate_per_s * span))
            parts.append(self.start_s + span * rng.random(n))
        for burst in self.bursts:
            parts.append(burst.at_s + burst.over_s * rng.random(burst.count))
        return np.sort(np.concatenate(parts)) if parts else np.empty(0)

    def _describe_arrivals(self) -> str:
        text = f"{self.arrivals} {self.rate_per_s:g}/s on [{self.start_s:g}, {self.end_s:g}) s"
        if self.bursts:
            text += ", bursts " + ", ".join(
                f"{b.count} at {b.at_s:g} s over {b.over_s:g} s" for b in self.bursts
            )
        return text


@dataclasses.dataclass(frozen=True)
class WorkloadSpec(_ArrivalProcess):
    """One workload generator of one function.

    Arrivals: a Poisson process of ``rate_per_s`` on ``[start_s, end_s)`` (drawn as a Poisson
    count, then uniform times), plus, for ``arrivals = "bursty"``, each :class:`Burst`.
    Durations come from ``duration``; with ``failure_rate`` set, each request's first attempt
    fails with that probability (the workload's ``failures`` column is 1). The requests invoke
    their function with ``invocation_type``: the way ``trigger`` invokes when one is named
    (``Trigger.S3``: ``EVENT``), else synchronously unless the file said ``"event"``.
    """

    arrivals: str
    duration: Duration
    rate_per_s: float = 0.0
    start_s: float = 0.0
    end_s: float = 0.0
    bursts: tuple[Burst, ...] = ()
    failure_rate: float | None = None
    invocation_type: InvocationType = InvocationType.REQUEST_RESPONSE
    trigger: Trigger | None = None

    def expected_requests(self) -> float:
        """The mean number of requests this generator makes."""
        return self._expected()

    def generate(self, rng: np.random.Generator, function: int) -> Workload:
        """Draws the requests of function index ``function`` from ``rng``: arrival times first,
        then durations, then failures (so the order of draws is fixed)."""
        time = self._arrival_times(rng)
        n = len(time)
        duration = self.duration.sample(rng, n)
        failures = None
        if self.failure_rate is not None:
            failures = (rng.random(n) < self.failure_rate).astype(np.int64)
        # synchronous requests need no column (a workload without one is all RequestResponse)
        kind = self.invocation_type if self.invocation_type == InvocationType.EVENT else None
        return Workload(time, np.full(n, function, np.int64), duration, kind, failures)

    def describe(self) -> str:
        """A short text such as ``poisson 50/s on [0, 600) s, fixed 0.1 s``."""
        text = self._describe_arrivals()
        text += f"; {self.duration.describe()}"
        if self.failure_rate is not None:
            text += f"; failure rate {self.failure_rate:g}"
        kind = "Event" if self.invocation_type == InvocationType.EVENT else "RequestResponse"
        if self.trigger is not None:
            text += f"; trigger {self.trigger.name.lower()} ({self.trigger.value}, {kind})"
        elif self.invocation_type == InvocationType.EVENT:
            text += f"; invocation type {kind}"
        return text


@dataclasses.dataclass(frozen=True)
class RecordsSpec(_ArrivalProcess):
    """The generator of one event source's records (``[streams.records]``) or messages
    (``[queues.messages]``).

    Arrivals as for :class:`WorkloadSpec`: a Poisson process of ``rate_per_s`` on
    ``[start_s, end_s)`` plus, for ``arrivals = "bursty"``, each :class:`Burst`. Each record
    gets a partition key (a stream) or message group id (a FIFO queue) drawn uniformly from
    ``keys`` distinct values, or, with ``keys`` unset, a random 64-bit key of its own. With
    ``failure_rate`` set, a record is poison with that probability: the first ``failures``
    invocations whose batch holds it fail (the :class:`~lambda_core.Records` ``failures``
    column).
    """

    arrivals: str
    rate_per_s: float = 0.0
    start_s: float = 0.0
    end_s: float = 0.0
    bursts: tuple[Burst, ...] = ()
    keys: int | None = None
    failure_rate: float | None = None
    failures: int = 1

    def expected_records(self) -> float:
        """The mean number of records this generator makes."""
        return self._expected()

    def generate(self, rng: np.random.Generator, source: str) -> Records:
        """Draws the records of event source ``source`` from ``rng``: arrival times first (as
        :meth:`WorkloadSpec.generate`), then keys, then failures (only with ``failure_rate``)."""
        time = self._arrival_times(rng)
        n = len(time)
        if self.keys is not None:
            key = rng.integers(0, self.keys, n)
        else:
            key = rng.integers(-(2**63), 2**63 - 1, n, endpoint=True)
        failures = None
        if self.failure_rate is not None:
            failures = (rng.random(n) < self.failure_rate).astype(np.int64) * self.failures
        return Records(source, time, key, failures)

    def describe(self, keyed: bool = True) -> str:
        """A short text such as ``poisson 1000/s on [0, 3600) s; 5000 keys`` (without the keys
        when not ``keyed``: a standard queue's messages have no group)."""
        text = self._describe_arrivals()
        if keyed:
            text += "; a random key per record" if self.keys is None else f"; {self.keys} keys"
        if self.failure_rate is not None:
            times = "once" if self.failures == 1 else f"{self.failures} times"
            text += f"; failure rate {self.failure_rate:g} (a poison record fails {times})"
        return text


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A parsed scenario: the account, the functions (in workload index order), each
    function's generators, and the run's defaults (``seed``, ``until``, ``routing``,
    ``client_retries``: how synchronous callers retry throttles, ``None`` for not at all).

    Event sources: ``streams`` (:class:`~lambda_core.KinesisStream`,
    :class:`~lambda_core.DynamoDBStream`) and ``queues`` (:class:`~lambda_core.SqsQueue`) in
    file order; ``record_generators`` holds, for each of :attr:`sources` (streams, then
    queues), its :class:`RecordsSpec` or ``None``; ``mappings`` the
    :class:`~lambda_core.EventSourceMapping` objects in file order."""

    account: Account
    functions: tuple[Function, ...]
    workloads: tuple[tuple[WorkloadSpec, ...], ...]
    seed: int = 0
    until: float | None = None
    routing: str = "newest"
    name: str = "scenario"
    description: str = ""
    client_retries: RetryPolicy | None = None
    streams: tuple[KinesisStream | DynamoDBStream, ...] = ()
    queues: tuple[SqsQueue, ...] = ()
    record_generators: tuple[RecordsSpec | None, ...] = ()
    mappings: tuple[EventSourceMapping, ...] = ()

    @property
    def sources(self) -> tuple[EventSource, ...]:
        """Every event source: the streams, then the queues, in file order (the order of
        :attr:`record_generators` and of the sources' random streams)."""
        return (*self.streams, *self.queues)

    def simulator(self, seed: int | None = None) -> Simulator:
        """A fresh :class:`~lambda_core.Simulator` of this scenario (``seed`` overrides the
        scenario's), with its mappings. Raises AWS's exceptions when the pools are ones AWS
        would refuse."""
        return Simulator(
            self.account,
            self.functions,
            seed=self.seed if seed is None else seed,
            routing=self.routing,
            client_retries=self.client_retries,
            mappings=self.mappings,
        )

    def has_events(self) -> bool:
        """Whether any generator makes asynchronous (``Event``) invocations."""
        return any(
            spec.invocation_type == InvocationType.EVENT for specs in self.workloads for spec in specs
        )

    def generate(self, seed: int | None = None) -> Workload:
        """The scenario's workload for ``seed`` (default: the scenario's): every function's
        generators, merged by time with :meth:`Workload.concat` (ties: function order)."""
        seed = self.seed if seed is None else seed
        streams = np.random.SeedSequence(seed).spawn(len(self.functions))
        parts: list[Workload] = []
        for index, (specs, stream) in enumerate(zip(self.workloads, streams)):
            rng = np.random.Generator(np.random.PCG64(stream))
            parts.extend(spec.generate(rng, index) for spec in specs)
        if not parts:
            return Workload(np.empty(0), np.empty(0, np.int64), np.empty(0))
        return Workload.concat(parts)

    def expected_requests(self) -> float:
        """The mean number of requests :meth:`generate` makes."""
        return sum(spec.expected_requests() for specs in self.workloads for spec in specs)

    def generate_records(self, seed: int | None = None) -> list[Records]:
        """The records of every event source that has a generator, for ``seed`` (default: the
        scenario's): one :class:`~lambda_core.Records` per such source, in :attr:`sources`
        order. Source ``j`` draws from
        ``PCG64(SeedSequence(seed).spawn(n_functions + n_sources)[n_functions + j])``."""
        seed = self.seed if seed is None else seed
        n = len(self.functions)
        sources = self.sources
        streams = np.random.SeedSequence(seed).spawn(n + len(sources))[n:]
        out = []
        for source, spec, stream in zip(sources, self.record_generators, streams):
            if spec is not None:
                rng = np.random.Generator(np.random.PCG64(stream))
                out.append(spec.generate(rng, source.name))
        return out

    def expected_records(self) -> float:
        """The mean number of records :meth:`generate_records` makes."""
        return sum(spec.expected_records() for spec in self.record_generators if spec is not None)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Reads and checks the scenario file at ``path``.

    Raises :class:`ScenarioError` (unreadable file, TOML syntax, unknown key, bad value) or
    AWS's exceptions for a function configuration AWS would refuse.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file '{path}': {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text ({exc.reason})") from None
    return parse_scenario(text, source=str(path), name=path.stem)


def parse_scenario(text: str, source: str = "<scenario>", name: str = "scenario") -> Scenario:
    """Parses a scenario from TOML ``text``; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: TOML syntax error: {exc}") from None
    try:
        return scenario_from_dict(data, name=name)
    except ScenarioError as exc:
        raise ScenarioError(f"{source}: {exc}") from None


def scenario_from_dict(data: Mapping[str, Any], name: str = "scenario") -> Scenario:
    """Builds a :class:`Scenario` from parsed TOML (nested dicts and lists)."""
    where = "the top level"
    _check_keys(data, _TOP_KEYS, where)
    seed = _integer(data, "seed", where, default=0, low=0)
    until = _number(data, "until", where, default=None, positive=True)
    routing = data.get("routing", "newest")
    if routing not in ROUTINGS:
        raise ScenarioError(
            f"'routing' at {where} must be one of {', '.join(map(repr, ROUTINGS))}, got {routing!r}"
        )
    title = _string(data, "name", where, default=name)
    description = _string(data, "description", where, default="")
    client_retries = _client_retries(data)

    account_table = _table(data, "account", where, default={})
    _check_keys(account_table, _ACCOUNT_KEYS, "[account]")
    try:
        account = Account(**account_table)
    except TypeError as exc:
        raise ScenarioError(f"[account]: {exc}") from None

    tables = data.get("functions")
    if tables is None:
        raise ScenarioError("missing [[functions]]: a scenario needs at least one function")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ScenarioError("'functions' must be an array of tables ([[functions]])")
    if not tables:
        raise ScenarioError("[[functions]] is empty: a scenario needs at least one function")
    functions, workloads = [], []
    for i, table in enumerate(tables):
        function, specs = _function(table, i)
        functions.append(function)
        workloads.append(specs)

    # Event sources: streams, then queues (the order of their random streams).
    streams: list[KinesisStream | DynamoDBStream] = []
    queues: list[SqsQueue] = []
    generators: list[RecordsSpec | None] = []
    places: dict[str, str] = {}  # source name -> where it is declared
    declared = [(t, i, "streams") for i, t in enumerate(_tables(data, "streams"))]
    declared += [(t, i, "queues") for i, t in enumerate(_tables(data, "queues"))]
    for table, i, key in declared:
        source: EventSource
        if key == "streams":
            stream, spec, where = _stream(table, i)
            streams.append(stream)
            source = stream
        else:
            queue, spec, where = _queue(table, i)
            queues.append(queue)
            source = queue
        generators.append(spec)
        if source.name in places:
            raise ScenarioError(
                f"duplicate event source name '{source.name}' in {where}: {places[source.name]} "
                "has it too (stream and queue names must be unique)"
            )
        places[source.name] = where
    by_name = {source.name: source for source in (*streams, *queues)}
    names = tuple(f.name for f in functions)
    mappings = tuple(
        _mapping(table, i, by_name, names) for i, table in enumerate(_tables(data, "mappings"))
    )
    read = {m.source.name for m in mappings}
    for source, spec in zip((*streams, *queues), generators):
        if spec is not None and source.name not in read:
            table = "[streams.records]" if source in streams else "[queues.messages]"
            raise ScenarioError(
                f"{table} of {places[source.name]} makes records that nothing reads: no "
                f"[[mappings]] has source = '{source.name}' (add one, or remove the generator)"
            )
    return Scenario(
        account=account,
        functions=tuple(functions),
        workloads=tuple(workloads),
        seed=seed,
        until=until,
        routing=routing,
        name=title,
        description=description,
        client_retries=client_retries,
        streams=tuple(streams),
        queues=tuple(queues),
        record_generators=tuple(generators),
        mappings=mappings,
    )


def _client_retries(data: Mapping[str, Any]) -> RetryPolicy | None:
    """The top-level ``client_retries``: ``"standard"`` or a table of RetryPolicy's fields."""
    if "client_retries" not in data:
        return None
    value = data["client_retries"]
    if isinstance(value, str) and value.lower() == "standard":
        return RetryPolicy.standard()
    if not isinstance(value, dict):
        raise ScenarioError(
            "'client_retries' at the top level must be \"standard\" or a table "
            f"[client_retries] with {', '.join(_RETRY_KEYS)}, got {_kind(value)}"
        )
    where = "[client_retries]"
    _check_keys(value, _RETRY_KEYS, where)
    standard = RetryPolicy.standard()
    max_attempts = _integer(value, "max_attempts", where, default=standard.max_attempts, low=1)
    base_s = _number(value, "base_s", where, default=standard.base_s, low=0.0)
    cap_s = _number(value, "cap_s", where, default=standard.cap_s, low=0.0)
    try:
        return RetryPolicy(max_attempts, base_s, cap_s)
    except LambdaCoreError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def _function(table: dict[str, Any], index: int) -> tuple[Function, tuple[WorkloadSpec, ...]]:
    name = table.get("name")
    where = f"[[functions]] #{index + 1}" + (f" ('{name}')" if isinstance(name, str) else "")
    _check_keys(table, _FUNCTION_KEYS, where)
    if "name" not in table:
        raise ScenarioError(f"missing key 'name' in {where}")
    fields = {k: v for k, v in table.items() if k != "workload"}
    try:
        function = Function(**fields)
    except TypeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except LambdaCoreError as exc:
        exc.scenario_context = where  # type: ignore[attr-defined]  # shown by the CLI
        raise

    raw = table.get("workload", [])
    if isinstance(raw, dict):
        items = [(raw, f"[functions.workload] of function '{name}'")]
    elif isinstance(raw, list) and all(isinstance(w, dict) for w in raw):
        items = [
            (w, f"[[functions.workload]] #{j + 1} of function '{name}'") for j, w in enumerate(raw)
        ]
    else:
        raise ScenarioError(f"'workload' in {where} must be a table or an array of tables")
    return function, tuple(_workload(w, place) for w, place in items)


def _arrivals(table: dict[str, Any], where: str, allowed: Mapping[str, tuple[str, ...]]) -> str:
    """The generator's ``arrivals`` (checked), after checking its keys against ``allowed``."""
    arrivals = table.get("arrivals")
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
    start = _number(table, "start_s", where, default=0.0, low=0.0)
    end = _number(table, "end_s", where, default=_REQUIRED if rate > 0 else start, low=0.0)
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


def _aws(build: Any, where: str, *args: Any, **kwargs: Any) -> Any:
    """``build(*args, **kwargs)``: a TypeError becomes a ScenarioError; AWS's refusals (and
    lambda_core's own configuration checks) propagate, naming ``where`` for the CLI."""
    try:
        return build(*args, **kwargs)
    except TypeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except LambdaCoreError as exc:
        exc.scenario_context = where  # type: ignore[attr-defined]  # shown by the CLI
        raise


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
    stream = _aws(STREAM_KINDS[kind], where, name, **fields)
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
    keys = _integer(table, "keys", where, default=None, low=1)
    failure_rate = _number(table, "failure_rate", where, default=None, low=0.0, high=1.0)
    if "failures" in table and failure_rate is None:
        raise ScenarioError(
            f"key 'failures' in {where} needs 'failure_rate' (the probability that a record "
            "is poison; 'failures' is how many invocations a poison record fails)"
        )
    failures = _integer(table, "failures", where, default=1, low=1)
    return RecordsSpec(arrivals, rate, start, end, bursts, keys, failure_rate, failures)


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
    return _number({"duration": value}, "duration", where)


def _known(name: str, names: tuple[str, ...], none: str) -> str:
    """``did you mean 'x'?``, else the names there are (or ``none``)."""
    if not names:
        return none
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "there are: " + ", ".join(f"'{n}'" for n in names)


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
    return Burst(
        at_s=_number(table, "at_s", where, low=0.0),
        count=_integer(table, "count", where, low=0),
        over_s=_number(table, "over_s", where, default=0.0, low=0.0),
    )


def _duration(table: dict[str, Any], where: str) -> Duration:
    dist = table.get("dist")
    if dist not in _DURATION_KEYS:
        raise ScenarioError(
            f"'dist' in {where} must be one of "
            f"{', '.join(map(repr, _DURATION_KEYS))}, got {dist!r}"
        )
    _check_keys(table, _DURATION_KEYS[dist], where)
    if dist == "fixed":
        return Duration(dist, _number(table, "s", where, low=0.0))
    if dist == "exponential":
        return Duration(dist, _number(table, "mean_s", where, positive=True))
    return Duration(
        dist,
        _number(table, "median_s", where, positive=True),
        _number(table, "sigma", where, low=0.0),
    )


# --------------------------------------------------------------------------------------------
# Checks of keys and values
# --------------------------------------------------------------------------------------------

_REQUIRED = object()


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    """Refuses the first key of ``table`` not in ``allowed``, suggesting the closest one."""
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
            raise ScenarioError(f"unknown key '{key}' in {where} ({hint})")


def _typed(data: Mapping[str, Any], key: str, where: str, default: Any, kind: type, name: str) -> Any:
    """``data[key]`` (or ``default``), which must be a ``kind`` (``name`` in the message)."""
    value = data.get(key, default)
    if value is _REQUIRED:
        raise ScenarioError(f"missing key '{key}' in {where}")
    if not isinstance(value, kind):
        raise ScenarioError(f"'{key}' in {where} must be {name}, got {_kind(value)}")
    return value


def _table(data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED) -> dict:
    return _typed(data, key, where, default, dict, "a table")


def _string(data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED) -> Any:
    return _typed(data, key, where, default, str, "a string")


def _boolean(data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED) -> Any:
    return _typed(data, key, where, default, bool, "true or false")


def _integer(
    data: Mapping[str, Any], key: str, where: str, default: Any = _REQUIRED, low: int | None = None
) -> Any:
    value = data.get(key, default)
    if value is _REQUIRED:
        raise ScenarioError(f"missing key '{key}' in {where}")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"'{key}' in {where} must be an integer, got {_kind(value)}")
    if low is not None and value < low:
        raise ScenarioError(f"'{key}' in {where} must be at least {low}, got {value}")
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
    value = data.get(key, default)
    if value is _REQUIRED:
        raise ScenarioError(f"missing key '{key}' in {where}")
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


# --------------------------------------------------------------------------------------------
# The built-in scenario
# --------------------------------------------------------------------------------------------

#: The scenario ``lambda-core run`` runs without a file: the project's seed example (limit
#: 1000; "orders" reserves 200 and "payments" 100, the other eight share 700) under an hour of
#: Poisson traffic, with two flash crowds on unreserved functions that overflow the shared 700
#: and a sale on "orders" that overflows its reservation. "thumbnails" is invoked
#: asynchronously by S3: its throttled events are retried (1, 2, 4 ... s apart) and those that
#: would pass its maximum event age of 60 s go to its dead-letter queue. "inventory" also reads
#: the Kinesis stream "order-events" (100 shards, 1000 records/s and 200,000 more during the
#: sale) in batches of up to 100, one lane per shard, splitting the batches that hold one of
#: its rare poison records.
BUILTIN_SCENARIO_TOML = """
name = "builtin"
description = "Seed example: limit 1000, orders RC 200, payments RC 100, eight share 700"
seed = 20231126
routing = "newest"

[account]
concurrency_limit = 1000

[[functions]]
name = "orders"
reserved_concurrency = 200
memory_mb = 1024
timeout_s = 10
[functions.workload]
arrivals = "bursty"
rate_per_s = 60
end_s = 3600
bursts = [{ at_s = 1800, count = 120000, over_s = 120 }]   # a sale: beyond the 200 reserved
duration = { dist = "lognormal", median_s = 0.18, sigma = 0.5 }
failure_rate = 0.002

[[functions]]
name = "payments"
reserved_concurrency = 100
memory_mb = 512
timeout_s = 15
[functions.workload]
arrivals = "poisson"
rate_per_s = 30
end_s = 3600
duration = { dist = "lognormal", median_s = 0.4, sigma = 0.6 }
failure_rate = 0.01

[[functions]]
name = "catalog"
[functions.workload]
arrivals = "bursty"
rate_per_s = 40
end_s = 3600
bursts = [{ at_s = 900, count = 40000, over_s = 30 }]     # with search: beyond the shared 700
duration = { dist = "exponential", mean_s = 0.25 }

[[functions]]
name = "search"
memory_mb = 2048
[functions.workload]
arrivals = "bursty"
rate_per_s = 40
end_s = 3600
bursts = [{ at_s = 900, count = 40000, over_s = 30 }]
duration = { dist = "lognormal", median_s = 0.3, sigma = 0.4 }

[[functions]]
name = "cart"
[functions.workload]
arrivals = "poisson"
rate_per_s = 25
end_s = 3600
duration = { dist = "exponential", mean_s = 0.08 }

[[functions]]
name = "inventory"
[functions.workload]
arrivals = "poisson"
rate_per_s = 20
end_s = 3600
duration = { dist = "exponential", mean_s = 0.15 }
failure_rate = 0.005

[[functions]]
name = "shipping"
[functions.workload]
arrivals = "poisson"
rate_per_s = 10
end_s = 3600
duration = { dist = "lognormal", median_s = 0.5, sigma = 0.7 }

[[functions]]
name = "notifications"
[functions.workload]
arrivals = "bursty"
rate_per_s = 20
end_s = 3600
bursts = [{ at_s = 2700, count = 30000, over_s = 20 }]    # with thumbnails: beyond 700 again
duration = { dist = "fixed", s = 0.4 }

[[functions]]
name = "thumbnails"
memory_mb = 1536
timeout_s = 30
max_event_age_s = 60                       # a thumbnail a minute late is of no use
dead_letter_queue = "thumbnails-dlq"
[functions.workload]
trigger = "s3"                             # asynchronous: throttled events are retried
arrivals = "bursty"
rate_per_s = 15
end_s = 3600
bursts = [{ at_s = 2700, count = 40000, over_s = 40 }]   # a bulk upload: some events age out
duration = { dist = "lognormal", median_s = 0.8, sigma = 0.5 }

[[functions]]
name = "reports"
timeout_s = 60
[functions.workload]
arrivals = "poisson"
rate_per_s = 5
end_s = 3600
duration = { dist = "exponential", mean_s = 2.0 }

[[streams]]
name = "order-events"                      # every order's events, keyed by order
kind = "kinesis"
shards = 100
[streams.records]
arrivals = "bursty"
rate_per_s = 1000
end_s = 3600
bursts = [{ at_s = 1800, count = 200000, over_s = 120 }]   # the sale's orders
keys = 100000
failure_rate = 0.00001                      # a poison record fails twice
failures = 2

[[mappings]]
source = "order-events"                     # inventory reads the stream: one lane per shard
function = "inventory"
batch_size = 100
duration = { base_s = 0.05, per_record_s = 0.002 }
bisect_batch_on_function_error = true
maximum_retry_attempts = 10
on_failure = "order-events-failures"
"""


def builtin_scenario() -> Scenario:
    """The built-in scenario (:data:`BUILTIN_SCENARIO_TOML`), parsed."""
    return parse_scenario(BUILTIN_SCENARIO_TOML, source="<built-in scenario>", name="builtin")

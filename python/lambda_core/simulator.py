"""The simulator: validated configuration in, the Rust engine underneath, result arrays out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _core
from .config import Account, Function, PoolPlan, RetryPolicy, plan_pools
from .enums import InvocationType, Routing
from .errors import (
    InvalidParameterValueException,
    LambdaCoreError,
    ResourceConflictException,
    ResourceNotFoundException,
)
from .records import Records
from .sources import EventSourceMapping, SqsQueue
from .workload import Workload

__all__ = ["Simulator", "Result", "Window"]

_ROUTINGS = {"newest": "newest", "mru": "mru", "oldest": "oldest",
             Routing.NEWEST: "newest", Routing.MRU: "mru", Routing.OLDEST: "oldest"}


@dataclass(frozen=True)
class Window:
    """Requests resolved by one :meth:`Simulator.advance` call, in the order they were resolved.

    ``requests`` holds numpy columns: ``request`` (the request's id: its row number counted
    over every workload submitted to this simulator), ``outcome``, ``throttle_reason``,
    ``attempts``, ``throttles``, ``cold_starts``, ``end``, ``first_start``, ``last_start``,
    ``event_age`` (seconds). ``destinations`` holds the asynchronous results sent to each
    target in this window (see :class:`Result`).
    """

    until: float | None
    now: float
    requests: Mapping[str, np.ndarray]
    destinations: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)
    #: Per event source (by name), the records resolved in the window, in the order they were
    #: resolved: ``id`` (the record's index among the source's records), ``outcome``
    #: (:class:`RecordOutcome`), ``attempts``, ``receives`` (queues), ``start``, ``end``.
    records: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        """Requests resolved in the window (0 when per-request output was off)."""
        return len(self.requests["request"]) if "request" in self.requests else 0


@dataclass(frozen=True)
class Result:
    """What :meth:`Simulator.run` returns.

    - ``requests``: one row per workload row, in input order: ``outcome`` (:class:`Outcome`),
      ``throttle_reason`` (:class:`ThrottleReason` of the last throttle), ``attempts`` (attempts
      that reached the function: AWS's approximate invoke count), ``throttles``,
      ``cold_starts``, ``end`` (when the request was resolved; NaN while ``PENDING``),
      ``enqueued`` (the arrival: the workload's own ``time`` column), ``first_start`` and
      ``last_start`` (when the first and the last attempt that reached the function started;
      NaN if none did) and ``event_age`` (``AsyncEventAge`` of the last attempt that ran, for
      ``EVENT`` rows; NaN otherwise). Times in seconds.
    - ``functions``: per function in list order, numpy arrays: ``invocations``, ``errors``
      (errors and timeouts), ``timeouts``, ``throttles`` and by reason (``throttles_reserved``,
      ``throttles_unreserved``, ``throttles_scaling``), ``cold_starts``, ``max_concurrency``,
      ``environments_created``, ``avg_environments``, ``provisioned_invocations``,
      ``spillover_invocations``.
    - ``account``: ``max_concurrency``, ``max_unreserved_concurrency``, ``avg_environments``.
    - ``horizon``: the run's horizon in seconds (``until``, or when the last request was resolved).
    - ``destinations``: per target named by a function's ``on_success``, ``on_failure`` or
      ``dead_letter_queue``, the invocation records it received in this run, as columns shaped
      after AWS's record: ``request`` (request id), ``condition`` (:class:`Outcome` code;
      ``Outcome(c).condition`` is AWS's ``requestContext.condition``),
      ``approximate_invoke_count``, ``time`` (seconds). ``len(result.destinations[t]["request"])``
      is the number of records. With stream mappings, every record also
      carries ``stream`` (the source's index in :attr:`Simulator.source_names`; −1 for a
      function's request), ``request`` (the record's index among the stream's records) and
      ``condition`` (:class:`RecordOutcome` code).
    - ``records``: per event source (by name), one row per record of this run in input order:
      ``outcome`` (:class:`RecordOutcome`); for streams ``shard`` and ``lane`` (its lane within
      the shard, with a parallelization factor); for queues ``group`` (the FIFO message group
      id, 0 for standard queues) and ``receives`` (throttled receives included);
      ``attempts`` (invocations whose batch held it), ``start`` and ``end`` of the last of
      those invocations (NaN if none; ``end`` NaN while it runs), ``time`` (the arrival: the
      input's own column).
    - ``mappings``: per event source (by name), the mapping's counters: ``invocations``,
      ``batches``, ``max_concurrency`` (exact), ``throttles``, ``retries``,
      ``on_failure_records`` (streams: sent to ``on_failure``; queues: moved to the DLQ),
      ``records_processed``, ``records_failed``, ``records_expired``; streams also
      ``max_iterator_age`` (seconds, AWS's ``IteratorAge``), queues ``max_slots`` (the most
      concurrent batches the ramp allowed).
    """

    requests: Mapping[str, np.ndarray]
    functions: Mapping[str, np.ndarray]
    account: Mapping[str, Any]
    horizon: float
    function_names: tuple[str, ...] = field(default=())
    destinations: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)
    records: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)
    mappings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def function(self, name: str) -> dict[str, Any]:
        """The statistics of one function, by name, as plain Python numbers."""
        try:
            i = self.function_names.index(name)
        except ValueError:
            raise KeyError(f"no function named {name!r}") from None
        return {k: v[i].item() for k, v in self.functions.items()}

    def to_pandas(self) -> Any:
        """Per-function statistics as a ``pandas.DataFrame`` indexed by function name
        (needs the ``pandas`` extra)."""
        import pandas as pd  # optional dependency: pip install lambda-core[pandas]

        return pd.DataFrame(dict(self.functions), index=pd.Index(self.function_names, name="function"))


class Simulator:
    """Replays workloads through one account's Lambda concurrency machinery.

    Args:
        account: the account's limits and scaling mode.
        functions: the functions, in the order the workload's ``function`` column indexes them.
        seed: the seed of every random stream (workload generators, sampled models); a run is a
            pure function of (configuration, workload, seed).
        routing: which idle environment a warm request gets: ``"newest"`` (default), ``"mru"``
            or ``"oldest"`` (MODEL.md §3).
        client_retries: how synchronous callers retry throttled invocations
            (:class:`RetryPolicy`; ``None``, the default: they do not).
        mappings: event-source mappings (:class:`EventSourceMapping`): streams and SQS queues
            whose records (:class:`Records`, by source name) the engine hands to functions in
            batches: shard by shard in order for streams, by pollers that ramp up for queues
            (MODEL.md §7–8). One mapping per source.

    Raises:
        InvalidParameterValueException, ValidationException, ResourceConflictException: with
            AWS's messages, when the configuration is one AWS would refuse.
    """

    def __init__(
        self,
        account: Account | None = None,
        functions: Sequence[Function] = (),
        seed: int = 0,
        routing: str | Routing = "newest",
        client_retries: RetryPolicy | None = None,
        mappings: Sequence[EventSourceMapping] = (),
    ) -> None:
        account = account if account is not None else Account()
        if not isinstance(account, Account):
            raise TypeError(f"account must be a lambda_core.Account, got {type(account).__name__}")
        functions = tuple(functions)
        for f in functions:
            if not isinstance(f, Function):
                raise TypeError(f"functions must be lambda_core.Function objects, got {type(f).__name__}")
        if routing not in _ROUTINGS:
            raise LambdaCoreError(f"routing must be 'newest', 'mru' or 'oldest', got {routing!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
            raise TypeError(f"seed must be an integer in [0, 2**64), got {seed!r}")
        if client_retries is not None and not isinstance(client_retries, RetryPolicy):
            raise TypeError(f"client_retries must be a lambda_core.RetryPolicy or None, got {type(client_retries).__name__}")
        self.account = account
        self.functions = functions
        self.seed = int(seed)
        self.routing = _ROUTINGS[routing]
        self.client_retries = client_retries
        self._plan: PoolPlan = plan_pools(account, functions)
        self.mappings = self._check_mappings(mappings, functions)
        #: Event sources, in mapping order (what ``Records.source`` names).
        self.source_names: tuple[str, ...] = tuple(m.source.name for m in self.mappings)
        # destinations, in order of first mention
        self.destination_names: tuple[str, ...] = tuple(dict.fromkeys(
            [t for f in functions for t in (f.on_success, f.on_failure, f.dead_letter_queue) if t is not None]
            + [m.on_failure for m in self.mappings if m.on_failure is not None]
        ))
        index = {name: i for i, name in enumerate(self.destination_names)}
        names = [f.name for f in functions]
        self._engine = _core.Engine(
            account.concurrency_limit,
            self._plan.unreserved_capacity,
            account.scaling if account.scaling != "off" else None,
            account.burst,
            account.token_cost_us,
            self.routing,
            [
                (f.reserved_concurrency, f.provisioned_concurrency or 0, float(f.timeout_s),
                 float(f.init_s), float(f.idle_timeout_s), float(f.provisioned_ready_s),
                 f.max_retry_attempts, float(f.max_event_age_s),
                 index.get(f.on_success), index.get(f.on_failure), index.get(f.dead_letter_queue))
                for f in functions
            ],
            len(self.destination_names),
            None if client_retries is None else
            (client_retries.max_attempts, float(client_retries.base_s), float(client_retries.cap_s)),
            self.seed,
            [_source_tuple(m.source) for m in self.mappings],
            [
                (i, names.index(m.function), m.batch_size, float(m.batching_window_s),
                 m.parallelization_factor, m.maximum_retry_attempts, float(m.maximum_record_age_s),
                 m.bisect_batch_on_function_error, index.get(m.on_failure),
                 float(m.duration.base_s), float(m.duration.per_record_s))
                for i, m in enumerate(self.mappings) if not isinstance(m.source, SqsQueue)
            ],
            [
                (i, names.index(m.function), m.batch_size, float(m.batching_window_s),
                 m.maximum_concurrency, account.scaling == "legacy",
                 float(m.duration.base_s), float(m.duration.per_record_s))
                for i, m in enumerate(self.mappings) if isinstance(m.source, SqsQueue)
            ],
        )

    @staticmethod
    def _check_mappings(mappings: Sequence[EventSourceMapping],
                        functions: Sequence[Function]) -> tuple[EventSourceMapping, ...]:
        mappings = tuple(mappings)
        names = {f.name for f in functions}
        sources: dict[str, EventSourceMapping] = {}
        for m in mappings:
            if not isinstance(m, EventSourceMapping):
                raise TypeError(f"mappings must be lambda_core.EventSourceMapping objects, got {type(m).__name__}")
            if m.function not in names:
                raise ResourceNotFoundException(f"Function not found: {m.function}")
            if isinstance(m.source, SqsQueue) and m.source.visibility_timeout_s == 0:
                raise InvalidParameterValueException(
                    f"queue {m.source.name!r}: lambda_core needs a visibility timeout above 0 for a queue "
                    "that a mapping reads (with 0, a throttled batch would come back at the instant it "
                    "was throttled, for ever)")
            other = sources.get(m.source.name)
            if other is not None and other.function == m.function and other.source == m.source:
                raise ResourceConflictException(
                    f"The event source arn ({m.source.name}) and function ({m.function}) provided mapping "
                    "already exists. Please update or delete the existing mapping.")
            if other is not None:
                raise LambdaCoreError(
                    f"two mappings read {m.source.name!r}: lambda_core simulates one mapping per "
                    "event source (each record's outcome is that of its one consumer)")
            sources[m.source.name] = m
        return mappings

    # -- configuration -------------------------------------------------------------------------

    def account_settings(self) -> dict[str, int]:
        """AWS ``GetAccountSettings``' ``AccountLimit`` figures:
        ``{"ConcurrentExecutions": L, "UnreservedConcurrentExecutions": U}``."""
        return self._plan.account_settings()

    @property
    def function_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.functions)

    def index(self, name: str) -> int:
        """The index of the function called `name` (what the workload's ``function`` column holds)."""
        try:
            return self.function_names.index(name)
        except ValueError:
            raise KeyError(f"no function named {name!r}") from None

    # -- running -------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The simulated time reached, in seconds."""
        return self._engine.now

    def submit(self, workload: Workload) -> int:
        """Queues a workload's requests; returns the id of its first request (ids count rows over
        every workload submitted to this simulator). Times must not go back: a workload must
        start at or after the end of the previous one and at or after :attr:`now`."""
        if not isinstance(workload, Workload):
            raise TypeError(f"expected a lambda_core.Workload, got {type(workload).__name__}")
        return self._engine.submit(
            workload.time, workload.function, workload.duration, workload.invocation_type, workload.failures
        )

    def submit_records(self, records: Records) -> int:
        """Queues records for their event source; returns the id of the first (ids count the
        source's records over every submission). Times must not go back, as for :meth:`submit`."""
        if not isinstance(records, Records):
            raise TypeError(f"expected lambda_core.Records, got {type(records).__name__}")
        return self._engine.submit_records(self._source_index(records.source), records.time,
                                           records.key, records.failures)

    def _source_index(self, name: str) -> int:
        try:
            return self.source_names.index(name)
        except ValueError:
            known = ", ".join(map(repr, self.source_names)) or "none"
            raise ResourceNotFoundException(
                f"no event-source mapping reads {name!r} (mapped sources: {known})") from None

    def advance(self, until: float | None = None, *, requests: bool = True) -> Window:
        """Moves simulated time to `until` (seconds; ``None``: until every submitted request and
        record is resolved) and returns the requests and records resolved on the way. With
        ``requests=False`` nothing is recorded per request or record (for very long runs;
        statistics are still kept)."""
        resolved = self._engine.advance(_until(until), requests)
        records: dict[str, dict[str, np.ndarray]] = {}
        if resolved is not None:
            log = resolved.pop("records")
            for i, (m, name) in enumerate(zip(self.mappings, self.source_names)):
                mine = log["stream"] == i
                records[name] = _record_columns(m, {k: v[mine] for k, v in log.items() if k != "stream"})
        return Window(until=until, now=self._engine.now, requests=resolved if resolved is not None else {},
                      destinations=self._destinations(), records=records)

    def run(self, workload: Workload | None = None, until: float | None = None,
            records: Sequence[Records] | Records = ()) -> Result:
        """Submits `workload` and `records` and advances to `until`: :meth:`submit`,
        :meth:`submit_records` and :meth:`advance` together. Returns one row per workload row,
        one per record of each source, and the statistics over the run's horizon."""
        if workload is None:
            workload = Workload(np.empty(0), np.empty(0, np.int64), np.empty(0))
        if isinstance(records, Records):
            records = (records,)
        for r in records:
            if not isinstance(r, Records):
                raise TypeError(f"records must be lambda_core.Records objects, got {type(r).__name__}")
        by_source: dict[str, Records] = {}
        for r in records:
            self._source_index(r.source)
            if r.source in by_source:
                raise LambdaCoreError(f"two Records objects for {r.source!r} in one run: concatenate them")
            by_source[r.source] = r
        first = self.submit(workload)
        ranges = []
        for i, name in enumerate(self.source_names):
            r = by_source.get(name)
            if r is None:
                ranges.append((self._engine.submitted_records(i), 0))
            else:
                ranges.append((self.submit_records(r), len(r)))
        kinds = workload.invocation_type
        events = kinds is not None and bool(np.any(kinds == InvocationType.EVENT))
        requests = self._engine.advance_rows(_until(until), first, len(workload), events, ranges)
        tables = requests.pop("records")
        requests["enqueued"] = workload.time
        if not events:
            # no asynchronous rows: a read-only all-NaN view that takes no memory
            requests["event_age"] = np.broadcast_to(np.float64(np.nan), (len(workload),))
        out: dict[str, dict[str, np.ndarray]] = {}
        for m, table, name in zip(self.mappings, tables, self.source_names):
            r = by_source.get(name)
            if r is None:
                continue
            table = _record_columns(m, table)
            if isinstance(m.source, SqsQueue):
                # the message group id (FIFO); standard queues have none
                table["group"] = r.key if m.source.fifo else np.zeros(len(r), np.int64)
            else:
                table["shard"], table["lane"] = _core.stream_lanes(r.key, m.source.shards, m.parallelization_factor)
            table["time"] = r.time
            out[name] = table
        return self._result(requests, until, out)

    def stats(self, until: float | None = None) -> Result:
        """The statistics so far (``requests`` is empty), over [0, until or last resolution]."""
        return self._result({}, until)

    def destination_counts(self) -> dict[str, int]:
        """Records sent to each destination so far, by target name (in order of first mention):
        every record, also those of :meth:`advance` calls with ``requests=False``, which keep
        no records."""
        return dict(zip(self.destination_names, self._engine.destination_totals()))

    def _destinations(self) -> dict[str, dict[str, np.ndarray]]:
        logs = self._engine.drain_destinations()
        # the `stream` column (−1: a function's request) only matters with stream mappings
        drop = {"total"} if self.mappings else {"total", "stream"}
        return {name: {k: v for k, v in log.items() if k not in drop}
                for name, log in zip(self.destination_names, logs)}

    def _result(self, requests: Mapping[str, np.ndarray], until: float | None,
                records: Mapping[str, Mapping[str, np.ndarray]] | None = None) -> Result:
        report = self._engine.report(_until(until))
        return Result(
            requests=requests,
            functions=report["functions"],
            account=report["account"],
            horizon=report["horizon"],
            function_names=self.function_names,
            destinations=self._destinations(),
            records=records or {},
            mappings=self._mapping_report(),
        )

    def _mapping_report(self) -> dict[str, dict[str, Any]]:
        out = {}
        for m, counters in zip(self.mappings, self._engine.mapping_report()):
            if isinstance(m.source, SqsQueue):
                del counters["max_iterator_age"]  # a stream figure
            else:
                del counters["max_slots"]  # a queue figure
            out[m.source.name] = counters
        return out

    def __repr__(self) -> str:
        return (f"Simulator({len(self.functions)} functions, limit={self.account.concurrency_limit}, "
                f"routing={self.routing!r}, seed={self.seed}, now={self.now:g} s)")


def _record_columns(mapping: EventSourceMapping, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The engine's record columns as the API shows them: streams have no ``receives`` (for
    them it is ``attempts``)."""
    if not isinstance(mapping.source, SqsQueue):
        del columns["receives"]
    return columns


def _source_tuple(source: Any) -> tuple:
    """An event source as the engine takes it: ``(kind, shards, retention_s, fifo,
    visibility_timeout_s, max_receive_count)``."""
    if isinstance(source, SqsQueue):
        return ("sqs", 0, float(source.retention_s), source.fifo, float(source.visibility_timeout_s),
                source.max_receive_count)
    return (source.kind, source.shards, float(source.retention_s), False, 0.0, None)


def _until(until: float | None) -> float | None:
    if until is None:
        return None
    try:
        return float(until)
    except (TypeError, ValueError):
        raise TypeError(f"until must be a number of seconds or None, got {until!r}") from None

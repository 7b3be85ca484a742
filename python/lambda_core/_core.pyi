"""Typed stubs for ``lambda_core._core``, the PyO3 extension module built from ``crates/python``.

This module is lambda_core's private core: use :class:`lambda_core.Simulator`, which validates
the configuration and the workload before anything reaches it. What the extension does:

* numpy columns in: every array argument must already have its exact dtype and be
  C-contiguous, or the call raises :class:`TypeError`; a submitted chunk is copied once, with
  the GIL held, and the engine checks and runs its copy (the caller's arrays are not kept);
* numpy columns out: the engine's vectors handed over to numpy (new arrays that own their
  memory);
* the GIL held while a submitted chunk is copied and checked, released while the engine runs;
* every engine error mapped to a typed Python exception (:class:`lambda_core.WorkloadError`
  with ``.column`` and ``.row``, :class:`lambda_core.InvalidParameterValueException`,
  :class:`lambda_core.LambdaCoreError`); a panic inside the engine becomes a
  :class:`RuntimeError` and leaves that engine unusable (every later call raises
  :class:`RuntimeError` too).

Times cross the boundary as float seconds and are rounded once to integer microseconds
(docs/model.md §1): see :func:`to_micros`. Seconds values must be finite, non-negative and at most
9e9 (about 285 years), else :class:`lambda_core.LambdaCoreError` (a :class:`ValueError`).
"""

import os
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeAlias, TypedDict, final

import numpy as np
import numpy.typing as npt

from lambda_core._engine_config import EngineConfig

__all__ = ["Engine", "Limit", "LIMITS", "POLL_INTERVAL_S", "hash_keys", "to_micros", "rounded_seconds", "stream_lanes",
           "read_azure2021", "read_azure2019_invocations", "read_azure2019_durations", "read_request_log",
           "read_cloudwatch_text", "read_cloudwatch_json", "TRACE_BUFFER_BYTES", "__version__"]

#: The crate's version (``CARGO_PKG_VERSION``), e.g. ``"0.1.0"``.
__version__: Final[str]

@final
class Limit:
    """One of the engine's numeric limits: the accepted values are ``min ..= max``. Not
    constructible from Python; :data:`LIMITS` holds them all."""

    @property
    def name(self) -> str:
        """Its key in :data:`LIMITS`, stable (``"shards"``, ``"client_retry_attempts"`` ...)."""
    @property
    def min(self) -> int:
        """The least accepted value."""
    @property
    def max(self) -> int:
        """The greatest accepted value."""
    @property
    def what(self) -> str:
        """What is counted, as a plural that reads after the bound: ``"shards per stream"``
        (``f"{limit.max} {limit.what}"``)."""

#: Every numeric limit the engine enforces, by name (read-only; the engine's
#: ``model::limits::LIMITS``): what its integer widths and encodings can hold, and lambda_core's
#: own client retry rule. The Python layer checks each limit a user can reach against these
#: numbers before the engine sees the value (raising :class:`lambda_core.EngineLimitError`).
#: The names: ``shards`` (per stream), ``lanes`` (of all stream mappings together, shards ×
#: parallelization factor), ``parallelization_factor``, ``client_retry_attempts``,
#: ``client_retry_cap_us``, ``ids_in_flight``, ``functions``, ``concurrency``, ``seconds``
#: (any time or duration), ``failures`` (per row or record), ``mapping_counts`` (batch size,
#: maximum concurrency, max receive count), ``mapped_visibility_timeout_us`` (of a queue a
#: mapping reads, at least 1 s: unreachable from Python, where AWS's rules already keep it at
#: or above the function's timeout), ``scaling`` (a bucket's burst and token cost) and
#: ``scaling_bucket_us`` (burst × token cost) and ``warm_at_start`` (environments warm at time 0,
#: all functions together).
LIMITS: Final[Mapping[str, Limit]]

#: How often an idle lane polls its shard, in seconds, by stream kind (``"kinesis"`` 1.0,
#: ``"dynamodb"`` 0.25; docs/model.md §7): the engine's own intervals, read-only.
POLL_INTERVAL_S: Final[Mapping[str, float]]

def hash_keys(keys: Sequence[str | bytes] | npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Each string key's integer, as the engine shards by it (docs/model.md §7): the first 8 bytes,
    little-endian and signed, of the MD5 of the key's UTF-8 bytes (of a ``bytes`` key, its
    bytes).

    Args:
        keys: a sequence (list, tuple, any iterable with a length) of ``str``, ``bytes`` or
            ``bytearray``; or a 1-D numpy array of dtype ``U`` or ``S`` (read from its buffer;
            trailing NULs dropped, as numpy drops them from an element) or ``object`` (and any
            other dtype: its elements, via ``tolist()``).

    Returns:
        A new int64 array as long as `keys`. The keys are gathered with the GIL held and hashed
        with it released.

    Raises:
        TypeError: `keys` a single ``str`` or ``bytes``, or an element that is not a ``str``,
            ``bytes`` or ``bytearray`` (the message names its index: ``element 3 is int ...``).
        UnicodeEncodeError: a ``str`` with a lone surrogate (as ``str.encode("utf-8")``).
        ValueError: a numpy array that is not one-dimensional.
    """

class _AccountReport(TypedDict):
    """Account-wide whole-run figures (docs/model.md §10)."""

    #: exact maximum of environments initialising or busy, provisioned included
    max_concurrency: int
    #: exact maximum of the unreserved pool in use
    max_unreserved_concurrency: int
    #: time-average over [0, horizon] of environments alive
    avg_environments: float

class _Report(TypedDict):
    """What :meth:`Engine.report` returns."""

    #: the horizon in seconds: ``until``, or the instant the last request was resolved
    horizon: float
    #: per function, in configuration order: one array per statistic (see :meth:`Engine.report`)
    functions: dict[str, npt.NDArray[Any]]
    #: account-wide figures
    account: _AccountReport

class _TraceLog(TypedDict):
    """The rows of traced attempts, as :meth:`Engine.drain_traces` returns them (docs/traces.md):
    one per attempt of a request the default sampling rule chose, logged when the attempt ends
    or is throttled."""

    #: uint64: the request id
    request: npt.NDArray[np.uint64]
    #: uint32: the function's index
    function: npt.NDArray[np.uint32]
    #: uint16: the attempt's ordinal among the request's attempts (throttled ones counted), from 0
    attempt: npt.NDArray[np.uint16]
    #: uint8: 1 for an asynchronous event, 0 for a synchronous request
    event: npt.NDArray[np.uint8]
    #: float64: the request's arrival (an event's enqueue), in seconds
    arrival: npt.NDArray[np.float64]
    #: float64: when the attempt started (or was throttled), in seconds
    start: npt.NDArray[np.float64]
    #: float64: when it ended (its start when throttled), in seconds
    end: npt.NDArray[np.float64]
    #: uint8: 1 when the attempt paid init
    cold: npt.NDArray[np.uint8]
    #: float64: init's length in seconds (0 for a warm start)
    init: npt.NDArray[np.float64]
    #: uint8: ``lambda_core.Outcome`` codes ``SUCCESS``, ``ERROR``, ``TIMEOUT`` or ``THROTTLED``
    outcome: npt.NDArray[np.uint8]
    #: uint8: ``lambda_core.ThrottleReason`` codes (0 unless throttled)
    reason: npt.NDArray[np.uint8]
    #: rows ever logged, drained or not
    total: int

class _DestinationLog(TypedDict):
    """One destination's records, as :meth:`Engine.drain_destinations` returns them (docs/model.md §6,
    §7): the columns are shaped after AWS's invocation record."""

    #: int32: the stream index of a stream record (a mapping's on-failure record), or −1 for a
    #: function's request
    stream: npt.NDArray[np.int32]
    #: uint64: the request id of each record, or for a stream record its index among its
    #: stream's records
    request: npt.NDArray[np.uint64]
    #: uint8: for a request, ``lambda_core.Outcome`` codes ``SUCCESS``, ``RETRIES_EXHAUSTED``,
    #: ``EVENT_AGE_EXCEEDED`` or ``ZERO_RESERVED_CONCURRENCY`` (AWS's
    #: ``requestContext.condition``: ``Outcome(c).condition``); for a stream record,
    #: ``lambda_core.RecordOutcome`` codes ``RETRY_ATTEMPTS_EXHAUSTED`` or
    #: ``RECORD_AGE_EXCEEDED`` (``RecordOutcome(c).condition``)
    condition: npt.NDArray[np.uint8]
    #: uint16: attempts of the event that reached the function, or invocations whose batch
    #: held the stream record (capped at 65535) (``approximateInvokeCount``)
    approximate_invoke_count: npt.NDArray[np.uint16]
    #: float64: when the record was sent, in seconds (the success or the drop)
    time: npt.NDArray[np.float64]
    #: records ever sent to this destination, kept or not, drained or not (cumulative)
    total: int

class _RecordLog(TypedDict):
    """The stream records resolved in one :meth:`Engine.advance` call, in the order they were
    resolved (its dict's ``"records"`` key; docs/model.md §7)."""

    #: uint32: the source index (in ``sources`` order)
    stream: npt.NDArray[np.uint32]
    #: uint64: the record's index among its stream's records (see :meth:`Engine.submit_records`)
    id: npt.NDArray[np.uint64]
    #: uint8: ``lambda_core.RecordOutcome`` codes
    outcome: npt.NDArray[np.uint8]
    #: uint32: invocations whose batch held the record
    attempts: npt.NDArray[np.uint32]
    #: uint32: times a queue's message was received (throttled batches included); for stream
    #: records the same as ``attempts``
    receives: npt.NDArray[np.uint32]
    #: float64: when the last of those invocations started, in seconds (NaN if none)
    start: npt.NDArray[np.float64]
    #: float64: when the last of those invocations ended, in seconds (NaN if none)
    end: npt.NDArray[np.float64]

class _RecordTable(TypedDict):
    """One stream's rows, as :meth:`Engine.advance_rows` returns them (one dict per stream under
    its dict's ``"records"`` key): one row per record id of the requested range, in id order."""

    #: uint8: ``lambda_core.RecordOutcome`` codes (``PENDING`` for records not resolved in the
    #: call)
    outcome: npt.NDArray[np.uint8]
    #: uint32: invocations whose batch held the record (so far, for a record still held)
    attempts: npt.NDArray[np.uint32]
    #: uint32: times a queue's message was received; for stream records ``attempts``
    receives: npt.NDArray[np.uint32]
    #: float64: when the last of those invocations started, in seconds (NaN if none)
    start: npt.NDArray[np.float64]
    #: float64: when the last of those invocations ended, in seconds (NaN if none, or while it
    #: runs)
    end: npt.NDArray[np.float64]

class _MappingReport(TypedDict):
    """One event-source mapping's counters, as :meth:`Engine.mapping_report` returns them
    (docs/model.md §7, §10)."""

    #: invocations of the mapping's function that started (retries included, throttles not)
    invocations: int
    #: batches formed (the two halves of a bisected batch included)
    batches: int
    #: exact maximum of the mapping's invocations running at once
    max_concurrency: int
    #: the largest ``IteratorAge`` (the age of a batch's last record when its invocation
    #: started), in seconds
    max_iterator_age: float
    #: invocations throttled
    throttles: int
    #: failed invocations of a batch that was not bisected (also the one that gives it up)
    retries: int
    #: records sent to the on-failure destination
    on_failure_records: int
    #: records ended ``PROCESSED``
    records_processed: int
    #: records ended ``RETRY_ATTEMPTS_EXHAUSTED`` or ``RECORD_AGE_EXCEEDED``
    records_failed: int
    #: records ended ``EXPIRED`` (older than the source's retention)
    records_expired: int
    #: queues: the most concurrent batches the ramp allowed (0 for streams)
    max_slots: int
    #: records read into batches (a queue's message at each receive: ``PolledEventCount``)
    polled_records: int
    #: records in the batches invoked, each retry again (``InvokedEventCount``)
    invoked_records: int
    #: records in invocations that failed or were throttled (``FailedInvokeEventCount``)
    failed_invoke_records: int
    #: queues: the most messages waiting to be received after an instant's receives
    max_visible: int

class _Series(TypedDict):
    """What :meth:`Engine.series` returns (docs/metrics.md)."""

    #: the period and the end of the series (the clock), in seconds
    period: float
    horizon: float
    n_periods: int
    #: per level, one flat array per ``"Metric:Statistic"``: entity by entity (functions or
    #: sources in configuration order), ``n_periods`` values each; uint64 for counts,
    #: float64 (NaN: no data) for the rest
    function: dict[str, npt.NDArray[Any]]
    account: dict[str, npt.NDArray[Any]]
    mapping: dict[str, npt.NDArray[Any]]

@final
class Engine:
    """The engine behind `lambda_core.Simulator` (use that; this class is its private core).

    Not subclassable. Not thread-safe in the Python sense: while one thread is inside
    :meth:`advance` or :meth:`advance_rows` (which run with the GIL released), any other call
    on the same engine raises :class:`RuntimeError` ("Already borrowed").
    """

    def __new__(cls, config: EngineConfig) -> "Engine":
        """Builds an engine from one record; the configuration is taken as given
        (``lambda_core.Simulator`` validates it first and builds the record,
        ``lambda_core._boundary.engine_config``).

        `config` is read by attribute name (any object with
        :class:`~lambda_core._engine_config.EngineConfig`'s attributes, and theirs, will do;
        sequences may be lists or tuples): ``account`` (``concurrency_limit`` ``L`` and
        ``unreserved_capacity`` ``U``, u32, and ``scaling``: ``None`` or ``per_function``,
        ``burst`` and ``cost_us``, u64), ``functions``, ``routing`` (``"newest"``, ``"mru"`` or
        ``"oldest"``, docs/model.md §3), ``destinations`` (u32), ``client_retries``, ``seed`` (u64),
        ``sources`` (each a stream record, with ``kind`` and ``shards``, or a queue record,
        with ``fifo``, ``visibility_timeout_s`` and ``max_receive_count``; a source's index in
        this list is its ``stream`` / ``queue`` everywhere), ``stream_mappings`` and
        ``queue_mappings`` (at most one mapping per source). Every ``*_s`` field is float
        seconds, rounded once to the engine's integer microseconds (:func:`to_micros`).

        Raises:
            TypeError: a record without one of its fields, or with a field of the wrong type
                (an unsigned field negative or too large included): the message names the
                field, record by record (``"engine configuration: EngineConfig.functions:
                FunctionConfig.timeout_s: ..."``), the original error is its ``__cause__``.
            LambdaCoreError: an unknown ``routing`` or stream ``kind``, or a seconds value that
                is NaN, negative or above 9e9 (the message names the field, e.g.
                ``"functions[0].timeout_s: value is NaN"``).
            InvalidParameterValueException: a configuration the engine cannot run (e.g.
                ``unreserved_capacity`` above ``concurrency_limit``, a destination index not
                below ``destinations``, ``client_retries`` with ``max_attempts`` 0 or
                ``base_s > cap_s``, a stream with 0 or over 1048576 shards, a mapping naming a
                missing stream, function or destination, two mappings of one source, or 2^31
                lanes or more (shards × parallelization factor) in all).
        """

    def submit(
        self,
        time: npt.NDArray[np.float64],
        function: npt.NDArray[np.int64],
        duration: npt.NDArray[np.float64],
        invocation_type: npt.NDArray[np.uint8] | None = None,
        failures: npt.NDArray[np.int64] | None = None,
        too_large: npt.NDArray[np.bool_] | None = None,
    ) -> int:
        """Copies a chunk of rows (arrays of the canonical dtypes, C-contiguous), checks the
        copy and queues it; returns the request id of its first row.

        The copy is taken and checked with the GIL held, each value read once; the arrays are not kept, so
        changing or reusing them afterwards changes nothing queued. The copy is freed once the
        clock has taken its last row. On an error nothing is queued. An empty chunk is checked
        and returns the next request id.

        Args:
            time: arrival times in seconds (1-D float64, C-contiguous), finite, non-negative,
                non-decreasing, not before the previous submission's last time nor before
                :attr:`now`.
            function: function indexes (1-D int64), each in ``0 .. len(functions)``.
            duration: handler durations in seconds (1-D float64), finite and non-negative.
            invocation_type: ``lambda_core.InvocationType`` values (1-D uint8):
                ``REQUEST_RESPONSE`` (0) or ``EVENT`` (1, asynchronous: queued, retried and
                sent to destinations, docs/model.md §6); ``None`` for all request-response.
            failures: failing leading attempts per request (1-D int64), non-negative, or
                ``None`` for none.
            too_large: the rows whose payload is above Invoke's limit (1-D bool: refused at
                once as ``REQUEST_TOO_LARGE``, docs/model.md §14), or ``None`` for none.

        Raises:
            TypeError: an argument that is not a 1-D numpy array of exactly its dtype, or is not
                C-contiguous.
            WorkloadError: a bad value or a column whose length differs from ``time``'s;
                ``.column`` and ``.row`` name the column and the first bad row of this chunk.
        """

    def submit_records(
        self,
        stream: int,
        time: npt.NDArray[np.float64],
        key: npt.NDArray[np.int64],
        failures: npt.NDArray[np.int64] | None = None,
    ) -> int:
        """Copies a chunk of source `stream`'s records or messages (arrays of the canonical
        dtypes, C-contiguous), checks the copy and queues it, as :meth:`submit` does; returns
        the id of its first record (docs/model.md §7–8).

        Record ids count each stream's records over every submission, from 0. An empty chunk
        is checked and returns the next record id. Records of a stream no mapping reads stay
        ``PENDING``.

        Args:
            stream: the source's index in ``sources`` (u32).
            time: arrival times in seconds (1-D float64, C-contiguous), finite, non-negative,
                non-decreasing, not before this stream's previous submission's last time nor
                before :attr:`now`.
            key: partition keys (1-D int64): a record's shard and lane are
                :func:`stream_lanes` of its key; for FIFO queues the message group ids.
            failures: per record, how many of the first invocations whose batch holds it end in
                a function error (1-D int64), 0 to 2^32 − 1, or ``None`` for none.

        Raises:
            TypeError: an argument that is not a 1-D numpy array of exactly its dtype, or is not
                C-contiguous.
            WorkloadError: a bad value or a column whose length differs from ``time``'s;
                ``.column`` and ``.row`` name the column and the first bad row of this chunk.
            InvalidParameterValueException: `stream` is not a stream index.
            OverflowError: `stream` negative.
        """

    def submit_together(
        self,
        rows: tuple[
            npt.NDArray[np.float64],
            npt.NDArray[np.int64],
            npt.NDArray[np.float64],
            npt.NDArray[np.uint8] | None,
            npt.NDArray[np.int64] | None,
            npt.NDArray[np.bool_] | None,
        ],
        records: list[
            tuple[int, npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64] | None]
        ],
    ) -> tuple[int, list[int]]:
        """:meth:`submit` and :meth:`submit_records` at once, all or nothing: every chunk is
        copied and checked before any is queued, so on an error nothing is.

        Args:
            rows: the workload's columns, as :meth:`submit` takes them.
            records: per source, ``(stream, time, key, failures)`` as :meth:`submit_records`
                takes them; each source at most once.

        Returns:
            The first request id, and the first record id of each entry of `records`.

        Raises:
            TypeError, WorkloadError, MemoryError: as :meth:`submit` and :meth:`submit_records`.
            InvalidParameterValueException: a source that does not exist or appears twice.
        """

    def advance(self, until: float | None = None, record: bool = True) -> dict[str, Any] | None:
        """Runs to `until` (seconds; None: until every submitted request and record is resolved)
        and returns the requests resolved on the way, in the order they were resolved, and the
        stream records resolved on the way (or None when `record` is false).

        The dict's columns: ``request`` (uint64, the request id), ``outcome`` (uint8,
        ``lambda_core.Outcome``), ``throttle_reason`` (uint8, ``lambda_core.ThrottleReason``),
        ``attempts``, ``throttles``, ``cold_starts`` (uint16), and float64 seconds ``end``,
        ``first_start`` and ``last_start`` (when the first and the last attempt that reached
        the function started; NaN if none did), ``environment`` (int64, the creation number of
        the environment the last attempt that ran ran on, docs/model.md §3.1; −1 if none did)
        and ``event_age`` (``AsyncEventAge`` of the last
        attempt that ran, for ``EVENT`` rows; NaN otherwise); each a numpy array. Its
        ``"records"`` key holds a :class:`_RecordLog`: a dict of columns ``stream`` (uint32),
        ``id`` (uint64), ``outcome`` (uint8, ``lambda_core.RecordOutcome``), ``attempts``
        (uint32), and float64 seconds ``start`` and ``end``, one row per stream record
        resolved, in the order they were resolved.

        With `record` false, destination records are not kept either (their ``total`` still
        counts them, see :meth:`drain_destinations`).

        Raises:
            LambdaCoreError: `until` NaN, negative or above 9e9.
            InvalidParameterValueException: `until` before :attr:`now`; or `until` None while a
                mapping whose function reserves 0 has records waiting (it would never finish).
            WorkloadError: a submitted column was modified after :meth:`submit` or
                :meth:`submit_records` (see there).
            KeyboardInterrupt: (or whatever a signal handler raised) on the main thread, a
                signal arrived while the engine ran: it stopped between two events, within
                milliseconds, at the instant it had reached (:attr:`now`, at most `until`),
                and the rows and records it had not taken stay pending for the next call, so
                that none is taken twice. The requests it resolved before stopping are not
                returned (the statistics count them). See docs/reliability.md.
        """

    def advance_rows(
        self,
        until: float | None,
        first: int,
        n: int,
        events: bool = True,
        records: list[tuple[int, int]] = ...,
    ) -> dict[str, Any]:
        """Like `advance`, but returns one row per request id in `first .. first + n`, in id order
        (unresolved rows are PENDING with end NaN). `events`: the rows hold asynchronous events
        (otherwise no ``event_age`` column is made). `records`: per stream, in stream order, the
        ``(first, n)`` record ids to return one row each for (default: none; streams past the
        end of the list get no table).

        The dict's columns: ``outcome``, ``throttle_reason`` (uint8), ``attempts``,
        ``throttles``, ``cold_starts`` (uint16), and float64 seconds ``end``, ``first_start``,
        ``last_start`` (NaN for rows with no attempt that reached the function), ``environment``
        (int64, as :meth:`advance` gives it; −1 for rows with none) and, only when
        `events` is true, ``event_age`` (NaN for request-response rows); each a numpy array.
        Its ``"records"`` key holds a list with one :class:`_RecordTable` per entry of
        `records`: a dict of columns ``outcome`` (uint8, ``lambda_core.RecordOutcome``),
        ``attempts`` (uint32), and float64 seconds ``start`` and ``end``, one row per record id
        in id order (a record still in a lane is ``PENDING`` with its attempts so far; NaN times
        for no invocation, and ``end`` NaN while it runs). Requests and records resolved outside
        the ranges (those of earlier submissions) are under the key ``"earlier"``, a dict
        shaped as :meth:`advance` returns (``request`` and the per-request columns in the
        order they were resolved, its own ``"records"`` a :class:`_RecordLog`; records still
        held are not in it). The tables are allocated up front: ``n`` should be
        the number of rows submitted (see :attr:`pending_rows`). Destination records are kept
        (see :meth:`drain_destinations`).

        Raises:
            LambdaCoreError: rows ``first .. first + n``, or a stream's records in `records`,
                were not all submitted, or `records` is longer than ``streams`` (checked before
                anything runs); otherwise as :meth:`advance`.
            InvalidParameterValueException, WorkloadError, KeyboardInterrupt: as
                :meth:`advance` (interrupted, the table is not returned: the rows stay
                submitted, and those not yet resolved are resolved by later calls).
            OverflowError: `first` or `n` (or one in `records`) negative.
        """

    def report(self, until: float | None = None) -> _Report:
        """Statistics over [0, horizon]; horizon = `until` (seconds) or the last resolution.

        ``functions`` holds one array per statistic with one entry per function: uint64 arrays
        ``invocations``, ``errors`` (errors and timeouts), ``timeouts``, ``throttles``,
        ``throttles_reserved``, ``throttles_unreserved``, ``throttles_scaling``,
        ``throttles_rate``, ``throttles_reserved_rate`` (docs/model.md §14), the refusals
        ``conflicts_pending``, ``conflicts_inactive``, ``eni_failures`` (§13) and
        ``payloads_too_large`` (§14), ``cold_starts``, ``max_concurrency``, ``environments_created``,
        ``provisioned_invocations``, ``spillover_invocations``, ``async_events_received``
        (``AsyncEventsReceived``: ``EVENT`` rows queued), ``async_events_dropped``
        (``AsyncEventsDropped``: retries exhausted, too old, or a reservation of zero),
        ``billed_duration_ms`` and ``provisioned_billed_duration_ms`` (docs/billing.md), and the
        float64 array ``avg_environments``.

        Raises:
            LambdaCoreError: `until` NaN, negative or above 9e9.
        """

    def destination_totals(self) -> list[int]:
        """Records ever sent to each destination index (also those not kept because per-request
        output was off), without draining anything."""

    def series(self) -> _Series | None:
        """The per-period series from time 0 to the clock, or ``None`` when the configuration
        set no ``metrics_period_s``.

        Raises:
            RuntimeError: the engine is unusable (a run ran out of memory, or a panic).
        """

    def drain_destinations(self) -> list[_DestinationLog]:
        """Takes the destination records collected since the last call: one dict of columns
        (``stream``, ``request``, ``condition``, ``approximate_invoke_count``, ``time``, and
        ``total``, the records ever sent there) per destination index, in index order.
        ``stream`` is −1 for a function's request and the stream index for a stream record a
        mapping sent to its on-failure destination.

        The records are handed over and cleared (a second call returns empty columns until the
        engine runs again); ``total`` is cumulative over the engine's life and also counts the
        records sent while :meth:`advance` ran with ``record=False``, which are not kept.
        """

    def drain_traces(self) -> _TraceLog:
        """Takes the rows of the traced attempts logged since the last call (docs/traces.md),
        as columns; ``total`` counts every row ever logged."""

    def mapping_report(self) -> list[_MappingReport]:
        """Per event source, in ``sources`` order: its mapping's counters since the engine was
        built (``max_iterator_age`` in seconds, the others counts; zeros for a source no
        mapping reads)."""

    @property
    def records_held(self) -> int:
        """Records and messages held by mappings (arrived, not yet resolved)."""

    def source_waiting(self, source: int) -> bool:
        """Whether event source `source` has records not yet resolved: held by its mapping, or
        submitted and not yet reached by the clock."""
    def submitted_records(self, source: int) -> int:
        """Records submitted to source `source` so far: the next record's id."""

    @property
    def pending_requests(self) -> int:
        """Requests with a record in flight (asynchronous events, callers retrying)."""

    @property
    def now(self) -> float:
        """The simulated time reached, in seconds."""

    def submit_one(
        self,
        time: float,
        function: int,
        duration: float,
        invocation_type: int = 0,
        failures: int = 0,
        too_large: bool = False,
    ) -> int:
        """Checks and queues one request without columns (the per-event path); returns its
        request id. Its values are checked as :meth:`submit` checks a row (``WorkloadError``
        naming the column, row 0)."""

    def schedule_change(
        self,
        at: float,
        kind: str,
        function: int,
        *,
        reserved: int | None = None,
        provisioned: int = 0,
        ready_s: float = 0.0,
        timeout_s: float | None = None,
        unreserved_capacity: int = 0,
    ) -> None:
        """Schedules a change while running (docs/model.md §16): ``kind`` "reserved",
        "provisioned" or "update"."""
    def set_controller(self, controller: Any = None) -> None:
        """Installs a controller whose ``next_stop(now, idle)`` (the next stop and whether a
        change is due there) and ``at_stop(time, provisioned_seconds, provisioned_usable)``
        (the changes to schedule and a refusal to raise, or ``None``) steer runs."""
    @property
    def pending_changes(self) -> int:
        """Changes scheduled and not yet applied."""
    def applied_changes(self) -> list[tuple[float, int, int, int, int, int, int, int]]:
        """What the changes applied did: ``(time, function, kind, reserved, provisioned,
        provisioned_ready, billed_ms, provisioned_billed_ms)``."""
    def provisioned_seconds(self) -> list[tuple[float, float]]:
        """Per function, seconds of provisioned environments busy and usable so far."""
    def provisioned_usable(self) -> list[int]:
        """Per function, its provisioned environments usable now."""
    def peek_time(self) -> float | None:
        """The next instant something happens, in seconds (``None``: nothing is left)."""

    def step(self) -> tuple[float, list[tuple[int, int, float]]] | None:
        """Processes the next instant with the GIL held; ``None`` when nothing was left, else
        ``(time, resolved)``: the requests resolved then as ``(request, outcome, end)``."""

    @property
    def pending_rows(self) -> int:
        """Rows submitted and not yet reached by the clock."""

    @property
    def running(self) -> int:
        """Executions in flight."""

def to_micros(seconds: float) -> int:
    """Seconds to integer microseconds exactly as the engine rounds them (§1).

    Rounds to the nearest microsecond, ties away from zero.

    Raises:
        LambdaCoreError: `seconds` NaN, negative or above 9e9 (or infinite).
        TypeError: `seconds` not a real number.
    """

def rounded_seconds(seconds: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Times in seconds as the engine holds them: each rounded to the microsecond as the
    engine rounds its inputs (:func:`to_micros`, docs/model.md §1), as a new float64 array, so
    that arrivals, starts and ends lie on one grid.

    Args:
        seconds: 1-D float64, C-contiguous, already checked (a value the engine refuses gives
            an unspecified number, never an error).
    """

def stream_lanes(
    key: npt.NDArray[np.int64], shards: int, parallelization_factor: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """Each key's shard and lane, as the engine assigns records (docs/model.md §7): the multiply-high
    ranges of the key's SplitMix64 hash ``h``, ``shard = ⌊h·shards / 2^64⌋`` and
    ``lane = ⌊((h·shards) mod 2^64)·parallelization_factor / 2^64⌋``.

    Args:
        key: partition keys (1-D int64, C-contiguous).
        shards: the stream's shard count (u32, at least 1).
        parallelization_factor: lanes per shard (u32, at least 1).

    Returns:
        ``(shard, lane)``: two new uint32 arrays as long as `key`.

    Raises:
        LambdaCoreError: `shards` or `parallelization_factor` 0.
        TypeError: `key` not a 1-D int64 numpy array, or not C-contiguous.
        OverflowError: `shards` or `parallelization_factor` negative or above 2^32 − 1.
    """

# --- trace readers (crates/traces; lambda_core.traces builds Trace objects from them) ---------
#
# Each reads one file through a buffer of TRACE_BUFFER_BYTES with the GIL released and returns
# ``(columns, names)``: ``columns`` maps a column's name to a new numpy array (float64 numbers,
# uint32 counts and text codes, uint8 flags), ``names`` maps each text column to the values
# its codes stand for, in order of first appearance. An optional column the file lacks is
# absent. A bad value, row or header raises lambda_core.errors.TraceFormatError (file, 1-based
# line and column, column name); an unreadable file OSError.

_Read: TypeAlias = tuple[dict[str, npt.NDArray[Any]], dict[str, list[str]]]

#: The readers' buffer in bytes (grown only for a longer line).
TRACE_BUFFER_BYTES: Final[int]

def read_azure2021(path: str | os.PathLike[str]) -> _Read:
    """``app``, ``func`` (codes), ``end_timestamp``, ``duration`` (float64)."""

def read_azure2019_invocations(path: str | os.PathLike[str]) -> _Read:
    """``HashOwner``, ``HashApp``, ``HashFunction``, ``Trigger`` (codes) and ``counts``: the
    per-minute counts (uint32), row after row; ``names["counts"]`` holds the minutes' header
    names (``"1"`` ... ``"1440"``)."""

def read_azure2019_durations(path: str | os.PathLike[str]) -> _Read:
    """``HashOwner``, ``HashApp``, ``HashFunction`` (codes), ``Average`` and ``Count`` when
    present, ``percentile_Average_0`` ... ``_100`` (float64, the file's unit)."""

def read_request_log(path: str | os.PathLike[str]) -> _Read:
    """``client_start_time``, ``aws_duration`` and, when present, ``client_elapsed_time``,
    ``aws_billed_duration`` (float64), ``is_cold`` (uint8), ``inst_id``, ``vm_id`` (codes)."""

def read_cloudwatch_text(path: str | os.PathLike[str]) -> _Read:
    """One row per REPORT line: ``timestamp_ms`` (epoch milliseconds), ``duration_ms``,
    ``billed_ms`` and ``init_ms`` (float64, NaN when absent), ``memory_mb``,
    ``max_memory_mb`` (uint32, 0 when absent), ``stream`` (uint32 code, 2^32 − 1 when the line
    names none), ``timed_out`` (uint8); ``names["stream"]`` the log streams."""

def read_cloudwatch_json(path: str | os.PathLike[str]) -> _Read:
    """The REPORT events of ``aws logs filter-log-events`` JSON, as :func:`read_cloudwatch_text`."""

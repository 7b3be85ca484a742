"""Typed stubs for ``lambda_core._core``, the PyO3 extension module built from ``rust/bindings.rs``.

This module is lambda_core's private core: use :class:`lambda_core.Simulator`, which validates
the configuration and the workload before anything reaches it. What the extension does:

* numpy columns in, borrowed and read in place (never copied): every array argument must
  already have its exact dtype and be C-contiguous, or the call raises :class:`TypeError`;
* numpy columns out: the engine's vectors handed over to numpy (new arrays that own their
  memory);
* the GIL released while the engine validates a submission or runs;
* every engine error mapped to a typed Python exception (:class:`lambda_core.WorkloadError`
  with ``.column`` and ``.row``, :class:`lambda_core.InvalidParameterValueException`,
  :class:`lambda_core.LambdaCoreError`); a panic inside the engine becomes a
  :class:`RuntimeError` and leaves that engine unusable (every later call raises
  :class:`RuntimeError` too).

Times cross the boundary as float seconds and are rounded once to integer microseconds
(MODEL.md §1): see :func:`to_micros`. Seconds values must be finite, non-negative and at most
9e9 (about 285 years), else :class:`lambda_core.LambdaCoreError` (a :class:`ValueError`).
"""

from typing import Any, Final, TypeAlias, TypedDict, final

import numpy as np
import numpy.typing as npt

__all__ = ["Engine", "to_micros", "__version__"]

#: The crate's version (``CARGO_PKG_VERSION``), e.g. ``"0.1.0"``.
__version__: Final[str]

#: One function's settings, in this order: ``(reserved or None, provisioned, timeout_s, init_s,
#: idle_timeout_s, provisioned_ready_s, max_retry_attempts, max_event_age_s, on_success,
#: on_failure, dead_letter_queue)``; the last three are destination indexes or ``None``.
_FunctionTuple: TypeAlias = tuple[
    int | None, int, float, float, float, float, int, float, int | None, int | None, int | None
]

class _AccountReport(TypedDict):
    """Account-wide whole-run figures (MODEL.md §10)."""

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

class _DestinationLog(TypedDict):
    """One destination's records, as :meth:`Engine.drain_destinations` returns them (MODEL.md §6):
    the columns are shaped after AWS's invocation record."""

    #: uint64: the request id of each record
    request: npt.NDArray[np.uint64]
    #: uint8: ``lambda_core.Outcome`` codes ``SUCCESS``, ``RETRIES_EXHAUSTED``,
    #: ``EVENT_AGE_EXCEEDED`` or ``ZERO_RESERVED_CONCURRENCY`` (AWS's
    #: ``requestContext.condition``: ``Outcome(c).condition``)
    condition: npt.NDArray[np.uint8]
    #: uint16: attempts of the event that reached the function (``approximateInvokeCount``)
    approximate_invoke_count: npt.NDArray[np.uint16]
    #: float64: when the record was sent, in seconds (the success or the drop)
    time: npt.NDArray[np.float64]
    #: records ever sent to this destination, kept or not, drained or not (cumulative)
    total: int

@final
class Engine:
    """The engine behind `lambda_core.Simulator` (use that; this class is its private core).

    Not subclassable. Not thread-safe in the Python sense: while one thread is inside
    :meth:`submit`, :meth:`advance` or :meth:`advance_rows` (which run with the GIL released),
    any other call on the same engine raises :class:`RuntimeError` ("Already borrowed").
    """

    def __new__(
        cls,
        concurrency_limit: int,
        unreserved_capacity: int,
        scaling: str | None,
        burst: int,
        token_cost_us: int,
        routing_name: str,
        functions: list[_FunctionTuple],
        destinations: int = 0,
        client_retries: tuple[int, float, float] | None = None,
        seed: int = 0,
    ) -> "Engine":
        """Builds an engine; the configuration is taken as given (``lambda_core.plan_pools``
        validates it first).

        Args:
            concurrency_limit: the account limit ``L`` (u32).
            unreserved_capacity: the unreserved pool ``U`` (u32, at most ``L``).
            scaling: ``"current"`` (per-function bucket), ``"legacy"`` (one account-wide
                bucket) or ``None`` (no scaling-rate limit).
            burst: the scaling bucket's capacity in tokens (u64; ignored when ``scaling`` is
                ``None``).
            token_cost_us: microseconds of refill one token costs (u64; ignored when
                ``scaling`` is ``None``).
            routing_name: ``"newest"``, ``"mru"`` or ``"oldest"`` (MODEL.md §3).
            functions: one 11-element tuple per function: ``(reserved or None, provisioned,
                timeout_s, init_s, idle_timeout_s, provisioned_ready_s, max_retry_attempts,
                max_event_age_s, on_success, on_failure, dead_letter_queue)``; ``provisioned``
                is 0 for none; ``max_retry_attempts`` (u32) and ``max_event_age_s`` govern
                asynchronous retries (MODEL.md §6); the three destinations are indexes below
                `destinations`, or ``None``.
            destinations: how many destinations asynchronous results can be sent to (u32);
                :meth:`drain_destinations` returns one log per index.
            client_retries: how synchronous callers retry a throttle: ``(max_attempts, base_s,
                cap_s)`` (the AWS SDKs' standard mode is ``(3, 1.0, 20.0)``), or ``None`` for
                no retries.
            seed: seeds the engine's one random stream, the jitter of client retries (u64).

        Raises:
            LambdaCoreError: an unknown ``scaling`` or ``routing_name``, or a seconds value that
                is NaN, negative or above 9e9 (the message names the field).
            InvalidParameterValueException: a configuration the engine cannot run (e.g.
                ``unreserved_capacity`` above ``concurrency_limit``, a destination index not
                below `destinations`, ``client_retries`` with ``max_attempts`` 0 or
                ``base_s > cap_s``).
            TypeError: an argument of the wrong type; a function tuple of the wrong length
                raises ValueError.
            OverflowError: a negative or too large integer for an unsigned field.
        """

    def submit(
        self,
        time: npt.NDArray[np.float64],
        function: npt.NDArray[np.int64],
        duration: npt.NDArray[np.float64],
        invocation_type: npt.NDArray[np.uint8] | None = None,
        failures: npt.NDArray[np.int64] | None = None,
    ) -> int:
        """Checks a chunk of rows (arrays of the canonical dtypes, C-contiguous), keeps it, and
        returns the request id of its first row.

        The arrays are kept (not copied) and read in place by later :meth:`advance` calls: they
        must not be modified afterwards. A ``time``, ``function`` or ``duration`` value changed
        after the submission into one that is out of range (or a time before :attr:`now`)
        makes the :meth:`advance` or :meth:`advance_rows` call that reads its row raise
        :class:`lambda_core.WorkloadError` naming the column and the row (of its chunk); other
        changes are not detected and are simulated as read. An empty chunk is checked and not
        kept; it returns the next request id.

        Args:
            time: arrival times in seconds (1-D float64, C-contiguous), finite, non-negative,
                non-decreasing, not before the previous submission's last time nor before
                :attr:`now`.
            function: function indexes (1-D int64), each in ``0 .. len(functions)``.
            duration: handler durations in seconds (1-D float64), finite and non-negative.
            invocation_type: ``lambda_core.InvocationType`` values (1-D uint8):
                ``REQUEST_RESPONSE`` (0) or ``EVENT`` (1, asynchronous: queued, retried and
                sent to destinations, MODEL.md §6); ``None`` for all request-response.
            failures: failing leading attempts per request (1-D int64), non-negative, or
                ``None`` for none.

        Raises:
            TypeError: an argument that is not a 1-D numpy array of exactly its dtype, or is not
                C-contiguous.
            WorkloadError: a bad value or a column whose length differs from ``time``'s;
                ``.column`` and ``.row`` name the column and the first bad row of this chunk.
        """

    def advance(self, until: float | None = None, record: bool = True) -> dict[str, npt.NDArray[Any]] | None:
        """Runs to `until` (seconds; None: until every submitted request is resolved) and returns
        the requests resolved on the way, in the order they were resolved (or None when
        `record` is false).

        The dict's columns: ``request`` (uint64, the request id), ``outcome`` (uint8,
        ``lambda_core.Outcome``), ``throttle_reason`` (uint8, ``lambda_core.ThrottleReason``),
        ``attempts``, ``throttles``, ``cold_starts`` (uint16), and float64 seconds ``end``,
        ``first_start`` and ``last_start`` (when the first and the last attempt that reached
        the function started; NaN if none did) and ``event_age`` (``AsyncEventAge`` of the last
        attempt that ran, for ``EVENT`` rows; NaN otherwise).

        With `record` false, destination records are not kept either (their ``total`` still
        counts them, see :meth:`drain_destinations`).

        Raises:
            LambdaCoreError: `until` NaN, negative or above 9e9.
            InvalidParameterValueException: `until` before :attr:`now`.
            WorkloadError: a submitted column was modified after :meth:`submit` (see there).
        """

    def advance_rows(
        self, until: float | None, first: int, n: int, events: bool = True
    ) -> dict[str, npt.NDArray[Any]]:
        """Like `advance`, but returns one row per request id in `first .. first + n`, in id order
        (unresolved rows are PENDING with end NaN). `events`: the rows hold asynchronous events
        (otherwise no ``event_age`` column is made).

        The dict's columns: ``outcome``, ``throttle_reason`` (uint8), ``attempts``,
        ``throttles``, ``cold_starts`` (uint16), and float64 seconds ``end``, ``first_start``,
        ``last_start`` (NaN for rows with no attempt that reached the function) and, only when
        `events` is true, ``event_age`` (NaN for request-response rows). Requests resolved
        outside the range are run but not reported. The table is allocated up front: ``n``
        should be the number of rows submitted (see :attr:`pending_rows`). Destination records
        are kept (see :meth:`drain_destinations`).

        Raises:
            LambdaCoreError: rows ``first .. first + n`` were not all submitted (checked before
                anything runs); otherwise as :meth:`advance`.
            InvalidParameterValueException, WorkloadError: as :meth:`advance`.
            OverflowError: `first` or `n` negative.
        """

    def report(self, until: float | None = None) -> _Report:
        """Statistics over [0, horizon]; horizon = `until` (seconds) or the last resolution.

        ``functions`` holds one array per statistic with one entry per function: uint64 arrays
        ``invocations``, ``errors`` (errors and timeouts), ``timeouts``, ``throttles``,
        ``throttles_reserved``, ``throttles_unreserved``, ``throttles_scaling``,
        ``cold_starts``, ``max_concurrency``, ``environments_created``,
        ``provisioned_invocations``, ``spillover_invocations``, ``async_events_received``
        (``AsyncEventsReceived``: ``EVENT`` rows queued), ``async_events_dropped``
        (``AsyncEventsDropped``: retries exhausted, too old, or a reservation of zero), and the
        float64 array ``avg_environments``.

        Raises:
            LambdaCoreError: `until` NaN, negative or above 9e9.
        """

    def destination_totals(self) -> list[int]:
        """Records ever sent to each destination index (also those not kept because per-request
        output was off), without draining anything."""

    def drain_destinations(self) -> list[_DestinationLog]:
        """Takes the destination records collected since the last call: one dict of columns
        (``request``, ``condition``, ``approximate_invoke_count``, ``time``, and ``total``, the
        records ever sent there) per destination index, in index order.

        The records are handed over and cleared (a second call returns empty columns until the
        engine runs again); ``total`` is cumulative over the engine's life and also counts the
        records sent while :meth:`advance` ran with ``record=False``, which are not kept.
        """

    @property
    def pending_requests(self) -> int:
        """Requests with a record in flight (asynchronous events, callers retrying)."""

    @property
    def now(self) -> float:
        """The simulated time reached, in seconds."""

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

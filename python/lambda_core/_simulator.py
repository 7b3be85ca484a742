"""The simulator: validated configuration in, the Rust engine underneath, result arrays out."""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _boundary, _core
from . import _messages as msg
from ._validation import either, limit
from ._model import (
    ROUTING_NAMES,
    Account,
    EventSourceMapping,
    Function,
    InvocationType,
    PoolPlan,
    Metrics,
    Records,
    Result,
    RetryPolicy,
    Routing,
    Trigger,
    Window,
    Workload,
    plan_pools,
)
from ._model import engine_limits
from ._model.payloads import too_large_one as _too_large_one
from ._model.bill import provisioned_env_us
from ._controls import Controls
from ._changes_api import ChangesWhileRunning
from .errors import (
    EngineLimitError,
    LambdaCoreError,
    ResourceConflictException,
    ResourceNotFoundException,
    UntilInPastError,
    UsageError,
    WorkloadError,
)

__all__ = ["Simulator"]

# what Simulator(routing=...) takes, a name or a Routing member, and the name the engine takes
_ROUTINGS: dict[str | Routing, str] = {
    **{name: name for name in ROUTING_NAMES}, **{r: r.name.lower() for r in Routing},
}


class Simulator(ChangesWhileRunning):
    """Replays workloads through one account's Lambda concurrency machinery.

    Args:
        account: the account's limits and scaling mode.
        functions: the functions, in the order the workload's ``function`` column indexes them.
        seed: the seed of every random stream (workload generators, sampled models); a run is a
            pure function of (configuration, workload, seed).
        routing: which idle environment a warm request gets: ``"newest"`` (default), ``"mru"``
            or ``"oldest"`` (docs/model.md §3).
        client_retries: how synchronous callers retry throttled invocations
            (:class:`RetryPolicy`; ``None``, the default: they do not).
        mappings: event-source mappings (:class:`EventSourceMapping`): streams and SQS queues
            whose records (:class:`Records`, by source name) the engine hands to functions in
            batches: shard by shard in order for streams, by pollers that ramp up for queues
            (docs/model.md §7–8). One mapping per source.
        metrics_period_s: the period, in seconds, of the per-period metrics
            (:attr:`Result.metrics`, docs/metrics.md): CloudWatch's is 60. ``None``, the
            default: whole-run figures only. At least 0.001 s, rounded to the microsecond.

    Raises:
        InvalidParameterValueException, ValidationException, ResourceConflictException,
            ResourceNotFoundException: with AWS's messages, when the configuration is one AWS
            would refuse (a mapped queue whose visibility timeout is below its function's
            timeout included).
        UsageError: an unknown ``routing``, two mappings reading one event source, or a
            ``metrics_period_s`` that is not a positive number of seconds (at least 0.001).
        EngineLimitError: more functions or stream lanes than the engine's limits.

    :meth:`advance` and :meth:`run` raise :class:`~lambda_core.errors.UntilInPastError` (a
    :class:`~lambda_core.errors.UsageError`) for an ``until`` before :attr:`now`, before
    anything is submitted or run, a :class:`~lambda_core.errors.UsageError` for an ``until``
    that is NaN or negative, or that is ``None`` while a mapping whose function reserves 0 has
    records to resolve (the run would never end), and an
    :class:`~lambda_core.errors.EngineLimitError` for one past 9e9 s; :meth:`run` raises
    :class:`~lambda_core.errors.UsageError` for two ``Records`` of one source. A source's bad
    records raise :class:`~lambda_core.errors.WorkloadError` naming the source.
    """

    def __init__(
        self,
        account: Account | None = None,
        functions: Sequence[Function] = (),
        seed: int = 0,
        routing: str | Routing = "newest",
        client_retries: RetryPolicy | None = None,
        mappings: Sequence[EventSourceMapping] = (),
        metrics_period_s: float | None = None,
    ) -> None:
        account = account if account is not None else Account()
        if not isinstance(account, Account):
            raise TypeError(f"account must be a lambda_core.Account, got {type(account).__name__}")
        functions = tuple(functions)
        for f in functions:
            if not isinstance(f, Function):
                raise TypeError(f"functions must be lambda_core.Function objects, got {type(f).__name__}")
        # a plain int equals a Routing member (an IntEnum) but names no routing
        if (isinstance(routing, (int, np.integer)) and not isinstance(routing, Routing)) or routing not in _ROUTINGS:
            raise UsageError(
                f"routing must be {either([repr(r) for r in ROUTING_NAMES])}, got {routing!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
            raise TypeError(f"seed must be an integer in [0, 2**64), got {seed!r}")
        if client_retries is not None and not isinstance(client_retries, RetryPolicy):
            raise TypeError(f"client_retries must be a lambda_core.RetryPolicy or None, got {type(client_retries).__name__}")
        #: The period of the per-period metrics, in seconds (on the engine's microsecond grid),
        #: or ``None``.
        self.metrics_period_s = _metrics_period(metrics_period_s)
        self.account = account
        self.functions = functions
        self.seed = int(seed)
        self.routing = _ROUTINGS[routing]
        self.client_retries = client_retries
        self._plan: PoolPlan = plan_pools(account, functions)
        self.mappings = self._check_mappings(mappings, functions)
        engine_limits.check_configuration(functions, self.mappings)
        #: Event sources, in mapping order (what ``Records.source`` names).
        self.source_names: tuple[str, ...] = tuple(m.source.name for m in self.mappings)
        # destinations, in order of first mention
        self.destination_names: tuple[str, ...] = tuple(dict.fromkeys(
            [t for f in functions for t in (f.on_success, f.on_failure, f.dead_letter_queue) if t is not None]
            + [m.on_failure for m in self.mappings if m.on_failure is not None]
        ))
        self._function_index = {f.name: i for i, f in enumerate(functions)}
        self._engine = _core.Engine(_boundary.engine_config(
            account, self._plan, functions, self.routing, client_retries, self.seed,
            self.mappings, self.destination_names, self.metrics_period_s,
        ))
        self._controls = Controls(self._engine, account, functions, self._plan, self.mappings)

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
                raise ResourceNotFoundException(msg.function_not_found(m.function))
            other = sources.get(m.source.name)
            if other is not None and other.function == m.function and other.source == m.source:
                raise ResourceConflictException(msg.mapping_exists(m.source.name, m.function))
            if other is not None:
                raise UsageError(
                    f"two mappings read {m.source.name!r}: lambda_core simulates one mapping per "
                    "event source (each record's outcome is that of its one consumer)")
            sources[m.source.name] = m
        return mappings

    # -- configuration -------------------------------------------------------------------------

    def account_settings(self) -> dict[str, int]:
        """AWS ``GetAccountSettings``' ``AccountLimit`` figures at :attr:`now`:
        ``{"ConcurrentExecutions": L, "UnreservedConcurrentExecutions": U}``, with the changes
        made up to the clock (docs/model.md §16)."""
        return self._controls.account_settings()

    @property
    def function_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.functions)

    def index(self, name: str) -> int:
        """The index of the function called `name` (what the workload's ``function`` column holds)."""
        try:
            return self._function_index[name]
        except (KeyError, TypeError):
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
        _check_workload(workload)
        return self._engine.submit(
            workload.time, workload.function, workload.duration, workload.invocation_type, workload.failures,
            workload.too_large(),
        )

    # -- one event at a time (a co-simulation: docs/embedding.md) ------------------------------

    def invoke(self, t: float, function: str, duration_s: float,
               invocation_type: InvocationType | Trigger = InvocationType.REQUEST_RESPONSE, *,
               failures: int = 0, payload_bytes: int | None = None) -> int:
        """Queues one request of `function` arriving at `t` (seconds, not before the last
        request queued nor :attr:`now`) whose handler runs `duration_s`; returns its request id.
        The same as :meth:`submit` of a one-row :class:`Workload`, without building one: the
        request's values are checked as a workload row's are, with the same errors."""
        f = self.index(function)
        if isinstance(invocation_type, Trigger):
            invocation_type = invocation_type.invocation_type
        too_large = False
        if payload_bytes is not None:
            too_large = bool(_too_large_one(payload_bytes, int(invocation_type)))
        return self._engine.submit_one(t, f, duration_s, invocation_type, failures, too_large)

    def peek_time(self) -> float | None:
        """The next instant something happens (an arrival, an execution's end, a timer), in
        seconds; ``None`` when nothing is left."""
        t = self._engine.peek_time()
        c = self._controls
        if not (c.queued or c.autoscalers or c.actions):
            return t
        stop = c.next_instant(self._engine.now, t is None)
        return stop if t is None else t if stop is None else min(t, stop)

    def step(self) -> tuple[float, list[tuple[int, int, float]]] | None:
        """Processes the next instant (:meth:`peek_time`), as :meth:`advance` to it would, and
        returns ``(time, resolved)``: the requests resolved at that instant as ``(request,
        outcome, end)`` tuples (``lc.Outcome(outcome)`` names the code), in the order they were
        resolved; ``None`` when nothing was left. Stepping through a run resolves the same
        requests, in the same order, as one :meth:`advance` over it."""
        c = self._controls
        if not (c.queued or c.autoscalers or c.actions):  # nothing to steer: the engine's step
            return self._engine.step()
        t = self._engine.peek_time()
        stop = c.next_instant(self._engine.now, t is None)
        if stop is None or (t is not None and t < stop):
            return self._engine.step()
        # a change or an autoscaler acts at `stop`: the run goes there as advance would
        log = self._engine.advance(stop, True)
        assert log is not None
        return stop, list(zip(log["request"].tolist(), log["outcome"].tolist(), log["end"].tolist()))

    def submit_records(self, records: Records) -> int:
        """Queues records for their event source; returns the id of the first (ids count the
        source's records over every submission). Times must not go back, as for :meth:`submit`."""
        if not isinstance(records, Records):
            raise TypeError(f"expected lambda_core.Records, got {type(records).__name__}")
        source = self._source_index(records.source)
        with self._naming_sources():
            return self._engine.submit_records(source, records.time, records.key, records.failures)

    @contextlib.contextmanager
    def _naming_sources(self) -> Iterator[None]:
        """Turns the engine's errors about a source's records, which know the source only by
        its index, into ones that name it as the user did."""
        try:
            yield
        except WorkloadError as e:
            if e.source_index is None:
                raise
            named = WorkloadError(f"records of {self.source_names[e.source_index]!r}, column {e.column!r}, "
                                  f"row {e.row}: {e.detail}", e.column, e.row)
            named.detail = e.detail
            raise named from None

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
        statistics are still kept).

        Interruptible: a signal (Ctrl-C) stops the call within milliseconds and its handler's
        exception (``KeyboardInterrupt``) propagates. The simulator is then consistent, at the
        instant it had reached (:attr:`now`, at most `until`); what it had not yet taken stays
        submitted, and the next call continues exactly as if nothing had stopped. The requests
        and records resolved before the signal are not returned (:meth:`stats` counts them;
        destination records wait for the next window). See docs/reliability.md."""
        seconds = self._checked_until(until)
        if seconds is None:
            self._check_finishes(())
        with self._naming_sources():
            try:
                resolved = self._engine.advance(seconds, requests)
            except LambdaCoreError as e:
                # a change refused at its instant (docs/model.md §16): the run stopped there, and
                # what it resolved on the way is the exception's `window`
                partial = e.__dict__.pop("_resolved", None)
                if partial is not None:
                    e.window = self._window(self._engine.now, partial, self._destinations(), self._traces())
                raise
        return self._window(until, resolved, self._destinations(), self._traces())

    def _window(self, until: float | None, resolved: dict[str, Any] | None,
                destinations: Mapping[str, Mapping[str, npt.NDArray[Any]]],
                traces: Mapping[str, npt.NDArray[Any]] | None = None) -> Window:
        """A window of what the engine resolved (``None``: nothing was recorded), its records
        split by source."""
        records: dict[str, dict[str, npt.NDArray[Any]]] = {}
        if resolved is not None:
            log = resolved.pop("records")
            for i, (m, name) in enumerate(zip(self.mappings, self.source_names)):
                mine = log["stream"] == i
                records[name] = _boundary.record_columns(
                    m, {k: v[mine] for k, v in log.items() if k != "stream"})
        return Window(until=until, now=self._engine.now, requests=resolved if resolved is not None else {},
                      destinations=destinations, records=records, traces=traces or {},
                      function_names=self.function_names, function_configs=self.functions, seed=self.seed)

    def run(self, workload: Workload | None = None, until: float | None = None,
            records: Sequence[Records] | Records = ()) -> Result:
        """Submits `workload` and `records` and advances to `until`: :meth:`submit`,
        :meth:`submit_records` and :meth:`advance` together. Returns one row per workload row,
        one per record of each source, and the statistics over the run's horizon.

        Interruptible as :meth:`advance`: after a ``KeyboardInterrupt`` the workload and records
        stay submitted (a later :meth:`advance` resolves what is left; do not submit them
        again), and the per-row tables of this call are lost."""
        if workload is None:
            workload = Workload(np.empty(0), np.empty(0, np.int64), np.empty(0))
        if isinstance(records, Records):
            records = (records,)
        for r in records:
            if not isinstance(r, Records):
                raise TypeError(f"records must be lambda_core.Records objects, got {type(r).__name__}")
        by_source: dict[int, Records] = {}  # by source index
        for r in records:
            i = self._source_index(r.source)
            if i in by_source:
                raise UsageError(f"two Records objects for {r.source!r} in one run: concatenate them")
            by_source[i] = r
        # before anything is submitted: a refusal changes nothing
        seconds = self._checked_until(until)
        if seconds is None:
            self._check_finishes([r.source for r in by_source.values() if len(r)])
        _check_workload(workload)
        # every chunk checked before any is queued: a refused run leaves the simulator as it was
        with self._naming_sources():
            first, firsts = self._engine.submit_together(
                (workload.time, workload.function, workload.duration, workload.invocation_type, workload.failures,
                 workload.too_large()),
                [(i, r.time, r.key, r.failures) for i, r in by_source.items()])
        given = dict(zip(by_source, firsts))
        ranges = [(given[i], len(by_source[i])) if i in by_source else (self._engine.submitted_records(i), 0)
                  for i in range(len(self.source_names))]
        # the arrivals on the engine's microsecond grid, as its starts and ends are
        enqueued = _core.rounded_seconds(workload.time)
        kinds = workload.invocation_type
        events = kinds is not None and bool(np.any(kinds == InvocationType.EVENT))
        with self._naming_sources():
            requests = self._engine.advance_rows(seconds, first, len(workload), events, ranges)
        tables = requests.pop("records")
        earlier = self._window(until, requests.pop("earlier"), destinations={})
        requests["enqueued"] = enqueued
        if not events:
            # no asynchronous rows: a read-only all-NaN view that takes no memory
            requests["event_age"] = np.broadcast_to(np.float64(np.nan), (len(workload),))
        out: dict[str, dict[str, npt.NDArray[Any]]] = {}
        for i, (m, table, name) in enumerate(zip(self.mappings, tables, self.source_names)):
            submitted = by_source.get(i)
            if submitted is None:
                continue
            table = _boundary.record_columns(m, table)
            table.update(m.source.record_columns(submitted.key, m))  # the kind's own columns
            table["time"] = _core.rounded_seconds(submitted.time)
            out[name] = table
        return self._result(requests, until, out, earlier)

    def stats(self, until: float | None = None) -> Result:
        """The statistics so far (``requests`` is empty), over [0, horizon]: the horizon is
        `until`, which must be the simulator's clock (:attr:`now`), or by default the instant
        the last request was resolved.

        Raises:
            UntilInPastError: `until` before :attr:`now`: the counters include everything up to
                the clock, and dividing them by a shorter horizon would be wrong.
            UsageError: `until` after :attr:`now`: nothing past the clock has been simulated
                (``advance(until)`` first), or NaN or negative.
        """
        seconds = self._checked_until(until)
        if seconds is not None and _core.to_micros(seconds) > _core.to_micros(self._engine.now):
            raise UsageError(
                f"stats(until={_boundary.engine_seconds(seconds)}): the simulator has only reached "
                f"{_boundary.engine_seconds(self._engine.now)}; advance(until) first (statistics "
                "cover what has been simulated)")
        return self._result({}, until)

    def __copy__(self) -> Simulator:
        raise TypeError("a Simulator cannot be copied: its engine holds the run's state and the "
                        "submitted arrays; build another Simulator from the same configuration")

    def __deepcopy__(self, memo: dict[int, Any]) -> Simulator:
        return self.__copy__()

    def __reduce__(self) -> Any:
        raise TypeError("a Simulator cannot be pickled: build another one from the same configuration")

    def destination_counts(self) -> dict[str, int]:
        """Records sent to each destination so far, by target name (in order of first mention):
        every record, also those of :meth:`advance` calls with ``requests=False``, which keep
        no records."""
        return dict(zip(self.destination_names, self._engine.destination_totals()))

    def _destinations(self) -> dict[str, dict[str, npt.NDArray[Any]]]:
        logs = self._engine.drain_destinations()
        # the `stream` column (−1: a function's request) only matters with stream mappings
        drop = {"total"} if self.mappings else {"total", "stream"}
        out: dict[str, dict[str, npt.NDArray[Any]]] = {}
        for name, log in zip(self.destination_names, logs):
            columns: Mapping[str, Any] = log
            out[name] = {k: v for k, v in columns.items() if k not in drop}
        return out

    def _traces(self) -> dict[str, npt.NDArray[Any]]:
        """The trace rows logged since the last window (docs/traces.md)."""
        return _boundary.trace_columns(self._engine.drain_traces())

    def _result(self, requests: Mapping[str, npt.NDArray[Any]], until: float | None,
                records: Mapping[str, Mapping[str, npt.NDArray[Any]]] | None = None,
                earlier: Window | None = None) -> Result:
        report = self._engine.report(_until(until))
        return Result(
            requests=requests,
            functions=report["functions"],
            account=report["account"],
            horizon=report["horizon"],
            function_names=self.function_names,
            function_configs=self.functions,
            destinations=self._destinations(),
            records=records or {},
            mappings=_boundary.mapping_report(self.mappings, self._engine.mapping_report()),
            earlier=earlier,
            metrics=self.metrics(),
            traces=self._traces(),
            seed=self.seed,
            provisioned_steps=self._controls.provisioned_steps(),
        )

    def metrics(self) -> Metrics | None:
        """The per-period series from time 0 to :attr:`now` (docs/metrics.md), or ``None`` when
        the simulator was built without ``metrics_period_s``. What :attr:`Result.metrics`
        holds; between :meth:`advance` calls, the series so far."""
        series = self._engine.series()
        if series is None:
            return None
        metrics = _boundary.metrics(series, self.functions, self.mappings, self._plan)
        steps = self._controls.provisioned_steps()
        if any(steps):
            # provisioned concurrency changed while running: each period's mean usable
            period_us = _core.to_micros(metrics.period_s)
            horizon_us = _core.to_micros(metrics.horizon)
            starts = [p * period_us for p in range(metrics.n_periods)]
            metrics.provisioned = tuple(
                np.array([provisioned_env_us(f, st, a, min(a + period_us, horizon_us)) / max(1, min(period_us, horizon_us - a))
                          for a in starts]) if st else pc
                for f, st, pc in zip(self.functions, steps, metrics.provisioned))
        return metrics

    def _check_finishes(self, arriving: Sequence[str]) -> None:
        """A run without ``until`` must end: :class:`UsageError` when a mapping whose function
        reserves 0 has records to resolve (held, queued, or in `arriving`, the sources given
        records by this call), whose batches would be throttled for ever: the reservation
        every change made so far leaves is the one the run ends with."""
        reserved = {f.name: f.reserved_concurrency for f in self._controls.latest}
        for i, m in enumerate(self.mappings):
            if reserved[m.function] != 0:
                continue
            if m.source.name in arriving or self._engine.source_waiting(i):
                raise UsageError(
                    f"the mapping of {m.source.name!r} to {m.function!r}: the function's reserved "
                    "concurrency is 0, so its batches are throttled for ever; pass until to run "
                    "up to a time")

    def _checked_until(self, until: float | None) -> float | None:
        """``until`` in seconds; :class:`UntilInPastError` when it is before :attr:`now` (in the
        engine's microseconds, with the engine's text); bad values as :func:`_until` says."""
        seconds = _until(until)
        if seconds is None:
            return None
        target = _core.to_micros(seconds)
        now = _core.to_micros(self._engine.now)
        if target < now:
            raise UntilInPastError(
                f"until={_boundary.engine_seconds(target / 1e6)} is before the simulator's "
                f"current time {_boundary.engine_seconds(now / 1e6)}"
            )
        return seconds

    def __repr__(self) -> str:
        return (f"Simulator({len(self.functions)} functions, limit={self.account.concurrency_limit}, "
                f"routing={self.routing!r}, seed={self.seed}, now={self.now:g} s)")


def _check_workload(workload: object) -> None:
    if not isinstance(workload, Workload):
        raise TypeError(f"expected a lambda_core.Workload, got {type(workload).__name__}")


def _metrics_period(period: object) -> float | None:
    """``metrics_period_s`` checked: ``None``, or a real number of seconds ≥ 0.001 (the
    engine's limit), returned on the engine's microsecond grid."""
    if period is None:
        return None
    if isinstance(period, bool) or not isinstance(period, numbers.Real):
        raise TypeError(f"metrics_period_s must be a number of seconds or None, got {period!r}")
    seconds = float(period)
    low = limit("metrics_period_us").min / 1e6
    if not math.isfinite(seconds) or seconds < low:
        raise UsageError(f"metrics_period_s must be at least {low:g} seconds, got {period!r}")
    try:
        return _core.to_micros(seconds) / 1e6
    except LambdaCoreError as e:
        raise EngineLimitError(f"metrics_period_s: {str(e).removeprefix('seconds: ')}") from None


def _until(until: float | None) -> float | None:
    """``until`` as float seconds, checked as the engine will read it: ``TypeError`` for a
    non-number, :class:`UsageError` for NaN or a negative time, :class:`EngineLimitError` past
    the engine's ``seconds`` limit; the texts are the engine's (``_core.to_micros``)."""
    if until is None:
        return None
    # a bool is an int, but no time; a string float() would read is no number
    if isinstance(until, bool) or not isinstance(until, numbers.Real):
        raise TypeError(f"until must be a number of seconds or None, got {until!r}")
    seconds = float(until)
    try:
        _core.to_micros(seconds)
    except LambdaCoreError as e:
        detail = str(e).removeprefix("seconds: ")
        raise (EngineLimitError if seconds > 0 else UsageError)(f"until: {detail}") from None
    return seconds

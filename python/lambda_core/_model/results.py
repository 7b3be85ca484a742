"""What a simulator hands back: :class:`Result` (a whole run, or the statistics so far) and
:class:`Window` (the requests and records one ``advance`` resolved)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

import numpy.typing as npt

from ..errors import UsageError

from .bill import Bill
from .function import Function
from .metrics import Metrics
from .prices import Prices
from .._traces import DEFAULT_EPOCH, otlp_document, xray_documents

__all__ = ["Result", "Window", "Columns"]

#: Named numpy columns of equal length.
Columns: TypeAlias = Mapping[str, npt.NDArray[Any]]


class _Traced:
    """The trace documents of a :class:`Result` or a :class:`Window`, built from its
    ``traces`` rows: an attempt's documents are the same whichever window holds its row (its
    ids derive from the simulator's seed and the request)."""

    traces: Columns
    function_names: tuple[str, ...]
    function_configs: tuple[Function, ...]
    seed: int

    def xray(self, epoch: datetime | float = DEFAULT_EPOCH) -> list[dict[str, Any]]:
        """The X-Ray segment documents of the traced attempts here (docs/traces.md): per attempt an
        ``AWS::Lambda`` segment and, when it ran, an ``AWS::Lambda::Function`` segment with its
        ``Initialization``, ``Invocation`` and ``Overhead`` subsegments. Simulated time 0 is
        `epoch` (a datetime, or unix seconds; default 2026-01-01T00:00:00Z)."""
        return xray_documents(self.traces, self.function_names, self._timeouts(), self.seed, epoch)

    def otlp(self, epoch: datetime | float = DEFAULT_EPOCH) -> dict[str, Any]:
        """The same traces as OTLP/JSON (``{"resourceSpans": [...]}``, FaaS semantic
        conventions; docs/traces.md)."""
        from .._core import __version__

        return otlp_document(self.traces, self.function_names, self._timeouts(), self.seed, epoch,
                             __version__)

    def _timeouts(self) -> list[float]:
        if len(self.function_configs) == len(self.function_names):
            return [f.timeout_s for f in self.function_configs]
        return [float("nan")] * len(self.function_names)


@dataclass(frozen=True)
class Window(_Traced):
    """Requests resolved by one :meth:`Simulator.advance` call, in the order they were resolved.

    ``requests`` holds numpy columns: ``request`` (the request's id: its row number counted
    over every workload submitted to this simulator), ``outcome``, ``throttle_reason``,
    ``attempts``, ``throttles``, ``cold_starts``, ``end``, ``first_start``, ``last_start``,
    ``event_age`` (seconds). ``destinations`` holds the asynchronous results sent to each
    target in this window (see :class:`Result`).
    """

    until: float | None
    now: float
    requests: Columns
    destinations: Mapping[str, Columns] = field(default_factory=dict)
    #: Per event source (by name), the records resolved in the window, in the order they were
    #: resolved: ``id`` (the record's index among the source's records), ``outcome``
    #: (:class:`RecordOutcome`), ``attempts``, ``receives`` (queues), ``start``, ``end``.
    records: Mapping[str, Columns] = field(default_factory=dict)
    #: The rows of the traced attempts that ended or were throttled in the window (see
    #: :attr:`Result.traces`); the windows' rows together are one run's. :meth:`xray` and
    #: :meth:`otlp` build their documents, as a :class:`Result`'s.
    traces: Columns = field(default_factory=dict)
    #: What those documents are drawn against: the functions' names and configurations (their
    #: timeouts), and the simulator's seed.
    function_names: tuple[str, ...] = field(default=(), repr=False)
    function_configs: tuple[Function, ...] = field(default=(), repr=False)
    seed: int = field(default=0, repr=False)

    def __len__(self) -> int:
        """Requests resolved in the window (0 when per-request output was off)."""
        return len(self.requests["request"]) if "request" in self.requests else 0


@dataclass(frozen=True)
class Result(_Traced):
    """What :meth:`Simulator.run` returns.

    - ``requests``: one row per workload row, in input order: ``outcome`` (:class:`Outcome`),
      ``throttle_reason`` (:class:`ThrottleReason` of the last throttle), ``attempts`` (attempts
      that reached the function: AWS's approximate invoke count), ``throttles``,
      ``cold_starts``, ``end`` (when the request was resolved; NaN while ``PENDING``),
      ``enqueued`` (the arrival: the workload's ``time`` rounded to the engine's microsecond,
      as every time it reports is, so that ``first_start - enqueued`` is never negative), ``first_start`` and
      ``last_start`` (when the first and the last attempt that reached the function started;
      NaN if none did) and ``event_age`` (``AsyncEventAge`` of the last attempt that ran, for
      ``EVENT`` rows; NaN otherwise). Times in seconds.
    - ``functions``: per function in list order, numpy arrays: ``invocations``, ``errors``
      (errors and timeouts), ``timeouts``, ``throttles`` and by reason (``throttles_reserved``,
      ``throttles_unreserved``, ``throttles_scaling``, ``throttles_rate``,
      ``throttles_reserved_rate``), the attempts refused without a throttle
      (``conflicts_pending``, ``conflicts_inactive``, ``eni_failures``: docs/model.md §13;
      ``payloads_too_large``: §14), ``cold_starts``, ``max_concurrency``,
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
      those invocations (NaN if none; ``end`` NaN while it runs), ``time`` (the arrival,
      rounded to the microsecond as ``enqueued`` is).
    - ``mappings``: per event source (by name), the mapping's counters: ``invocations``,
      ``batches``, ``max_concurrency`` (exact), ``throttles``, ``retries``,
      ``on_failure_records`` (streams: sent to ``on_failure``; queues: moved to the DLQ),
      ``records_processed``, ``records_failed``, ``records_expired``; streams also
      ``max_iterator_age`` (seconds, AWS's ``IteratorAge``), queues ``max_slots`` (the most
      concurrent batches the ramp allowed).
    - ``earlier``: for :meth:`Simulator.run`, the requests and records submitted before this
      call (by earlier ``run``, ``submit`` or ``submit_records`` calls) that were resolved
      during it, as a :class:`Window` (ids, in the order they were resolved): a ``run`` in a
      loop learns here how the rows its previous calls left ``PENDING`` ended. ``None`` for
      :meth:`Simulator.stats`.
    - ``metrics``: the per-period series of every metric (:class:`Metrics`, docs/metrics.md)
      from time 0 to the simulator's clock, when it was built with ``metrics_period_s``;
      ``None`` otherwise.
    - ``function_configs``: the functions' configurations (:class:`Function`), in
      ``function_names`` order: what :meth:`cost` prices.
    - ``traces``: one row per attempt of a request sampled for tracing (functions with
      ``tracing="Active"``, docs/traces.md) that ended or was throttled during this call:
      ``request``, ``function`` (index), ``attempt`` (ordinal, throttles counted, from 0),
      ``event`` (1: asynchronous), ``arrival``, ``start``, ``end``, ``init`` (seconds),
      ``cold``, ``outcome`` (:class:`Outcome`), ``reason`` (:class:`ThrottleReason`). What
      :meth:`xray` and :meth:`otlp` build from; ``seed`` derives their ids.
    """

    requests: Columns
    functions: Columns
    account: Mapping[str, Any]
    horizon: float
    function_names: tuple[str, ...] = field(default=())
    destinations: Mapping[str, Columns] = field(default_factory=dict)
    records: Mapping[str, Columns] = field(default_factory=dict)
    mappings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    earlier: Window | None = None
    metrics: Metrics | None = None
    function_configs: tuple[Function, ...] = field(default=(), repr=False)
    traces: Columns = field(default_factory=dict, repr=False)
    seed: int = 0
    #: Per function, the ``(time, environments)`` steps of its provisioned environments usable
    #: after changes while running (docs/model.md §16), which its bill charges; empty: none.
    provisioned_steps: tuple[tuple[tuple[float, int], ...], ...] = field(default=(), repr=False)

    def cost(self, prices: Prices | None = None) -> Bill:
        """The bill of this run at `prices` (default ``Prices()``: us-east-1 list prices, no
        free tier), by function and category, and per period beside :attr:`metrics` when the
        run kept them (docs/billing.md)."""
        if len(self.function_configs) != len(self.function_names):
            raise UsageError("this Result carries no function configurations to price (a Result "
                             "from Simulator.run or Simulator.stats does); use Bill.price instead")
        return Bill.price(self.function_configs, self.functions, self.horizon, prices, self.metrics,
                          self.provisioned_steps or None)

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

    def plot(self, config: Any = None, *, bill: Any = "auto", panels: Sequence[str] | None = None) -> Any:
        """A matplotlib figure of the per-period series (docs/report.md): concurrency against
        the account limit, the unreserved pool and each reservation; throttles by reason; async
        event age; iterator age; environments alive; the cost per period when the bill has it.

        `config` (a :class:`Simulator`) gives the concurrency panel's limits when the metrics
        do not carry them; `bill` (default: :meth:`cost` if any), `panels`: see
        :func:`lambda_core._plot.plot`. Needs the ``plot`` extra (matplotlib) and a run with
        ``metrics_period_s`` (else :class:`~lambda_core.errors.UsageError`).
        """
        from .._plot import plot

        return plot(self, config, bill=bill, panels=panels)


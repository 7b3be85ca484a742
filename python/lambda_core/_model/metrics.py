"""Per-period metrics of a run (docs/metrics.md): :class:`Metrics`, the series of every metric
of :mod:`.metric_catalog` per function, for the account and per event-source mapping, and
:class:`MetricSet`, one of those (a function's, the account's, a mapping's).

The engine computes the series while it runs; this module names them, derives the few that
follow from others (the catalog's ``sum``, ``claimed``, ``utilization`` and ``zero``), and
hands them out. Exports (pandas, CloudWatch's ``GetMetricData``, Embedded Metric Format) are in
:mod:`lambda_core._metrics_export`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .metric_catalog import BY_NAME, Level, MetricSpec, specs_at

__all__ = ["Metrics", "MetricSet", "Key"]

#: A series' key: (metric name, statistic).
Key = tuple[str, str]


class MetricSet(Mapping[str, npt.NDArray[Any]]):
    """The series of one function, of the account, or of one event-source mapping: a mapping
    from metric name to a numpy array with one value per period, of the metric's own statistic
    (``ConcurrentExecutions``: Maximum; ``Duration``: Average). ``s["Duration", "p99"]`` gives
    another statistic; :meth:`statistics` lists a metric's. Arrays are read-only views.
    """

    def __init__(self, level: Level, dimensions: Mapping[str, str],
                 series: Mapping[Key, npt.NDArray[Any]], specs: Sequence[MetricSpec]) -> None:
        self.level: Level = level
        #: CloudWatch's dimensions of these series: ``{"FunctionName": name}`` for a
        #: function, ``{}`` for the account, ``{"EventSource": source, "FunctionName": name}``
        #: for a mapping.
        self.dimensions: dict[str, str] = dict(dimensions)
        self._series = series
        self._specs = {m.name: m for m in specs}

    def __getitem__(self, key: str | Key) -> npt.NDArray[Any]:
        if isinstance(key, tuple):
            name, statistic = key
        else:
            name, statistic = key, None
        spec = self._specs.get(name)
        if spec is None:
            where = f" of {self.dimensions}" if self.dimensions else " of the account"
            raise KeyError(f"no metric {name!r}{where}; known: {', '.join(self._specs)}")
        stats = spec.statistics_at(self.level)
        statistic = stats[0] if statistic is None else statistic
        if statistic not in stats:
            raise KeyError(f"{name} has no statistic {statistic!r} here; it has {', '.join(stats)}")
        return self._series[name, statistic]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def statistics(self, name: str) -> tuple[str, ...]:
        """The statistics kept of metric `name` here, its own first."""
        return self._specs[name].statistics_at(self.level)

    def unit(self, name: str) -> str:
        """CloudWatch's unit of metric `name`."""
        return self._specs[name].unit

    def items_by_statistic(self) -> Iterator[tuple[str, str, npt.NDArray[Any]]]:
        """Every series here as (metric, statistic, values), in catalog order."""
        for name, spec in self._specs.items():
            for statistic in spec.statistics_at(self.level):
                yield name, statistic, self._series[name, statistic]

    def __repr__(self) -> str:
        return f"MetricSet({self.level}, {self.dimensions}, {len(self)} metrics)"


class Metrics:
    """Every per-period series of a run: what :attr:`Result.metrics` holds when the simulator
    was built with ``metrics_period_s`` (docs/metrics.md).

    The series cover ``[0, horizon)`` in whole periods of :attr:`period_s` seconds, the last
    possibly partial; the instant ``horizon`` itself counts in the last period, so that every
    count in the series adds up exactly to the run's whole-run counter.
    """

    def __init__(self, period_s: float, horizon: float, n_periods: int,
                 function_names: Sequence[str], source_names: Sequence[str],
                 source_functions: Sequence[str], source_kinds: Sequence[str],
                 engine: Mapping[str, Mapping[Key, npt.NDArray[Any]]],
                 claimed_offset: int, provisioned: Sequence[int | None | npt.NDArray[np.float64]], *,
                 account_settings: Mapping[str, int] | None = None,
                 reserved: Sequence[int | None] | None = None) -> None:
        #: The length of a period, in seconds.
        self.period_s = float(period_s)
        #: The end of the series (the simulator's clock when they were read), in seconds.
        self.horizon = float(horizon)
        #: The start of each period, in seconds since the start of the run.
        # k·P on the engine's microsecond grid, each rounded once (2.1, not 2.0999999999999996)
        period_us = round(self.period_s * 1e6)
        self.timestamps: npt.NDArray[np.float64] = _frozen(np.arange(n_periods, dtype=np.float64) * period_us / 1e6)
        self.function_names = tuple(function_names)
        #: The configuration the series are drawn against (``result.plot()``): AWS's
        #: ``GetAccountSettings`` figures (``{}`` when not given), and per function its reserved
        #: and provisioned concurrency (``None``: none).
        self.account_settings: dict[str, int] = dict(account_settings or {})
        self.reserved: tuple[int | None, ...] = tuple(reserved) if reserved is not None else (None,) * len(self.function_names)
        self.provisioned: tuple[int | None | npt.NDArray[np.float64], ...] = tuple(provisioned)
        self.source_names = tuple(source_names)
        self._source_functions = tuple(source_functions)
        self._source_kinds = tuple(source_kinds)
        n_functions, n_sources = len(self.function_names), len(self.source_names)
        self._function_index = {name: i for i, name in enumerate(self.function_names)}
        # a function's set is made when asked for (a thousand functions' sets cost more than
        # the run's reading of them), from the engine's arrays, frozen once here
        self._function_table = {key: _frozen(a) for key, a in engine["function"].items()}
        self._zeros = _frozen(np.zeros(n_periods, dtype=np.int64))

        def row(table: Mapping[Key, npt.NDArray[Any]], key: Key, i: int) -> npt.NDArray[Any]:
            return _frozen(table[key][i])

        account: dict[Key, npt.NDArray[Any]] = {}
        for m in specs_at("account"):
            for stat in m.statistics_at("account"):
                key = (m.name, stat)
                source = m.levels["account"]
                if source == "engine":
                    account[key] = _frozen(engine["account"][key])
                elif source == "sum":
                    account[key] = _frozen(engine["function"][key].sum(axis=0, dtype=engine["function"][key].dtype)
                                           if n_functions else np.zeros(n_periods, dtype=engine["function"][key].dtype))
                elif source == "claimed":
                    unreserved = engine["account"]["UnreservedConcurrentExecutions", "Maximum"]
                    account[key] = _frozen(unreserved + claimed_offset)
                else:
                    raise AssertionError(f"{m.name}: no account-level source {source!r}")
        mappings: list[dict[Key, npt.NDArray[Any]]] = [{} for _ in range(n_sources)]
        self._mapping_specs: list[tuple[MetricSpec, ...]] = []
        for i, kind in enumerate(self._source_kinds):
            specs = tuple(m for m in specs_at("mapping") if m.source_kind in (None, kind))
            self._mapping_specs.append(specs)
            for m in specs:
                for stat in m.statistics_at("mapping"):
                    mappings[i][m.name, stat] = row(engine["mapping"], (m.name, stat), i)
        self._account = account
        self._mappings = mappings

    @property
    def n_periods(self) -> int:
        return len(self.timestamps)

    def function(self, name: str) -> MetricSet:
        """The series of function `name` (dimension ``FunctionName``)."""
        try:
            i = self._function_index[name]
        except KeyError:
            raise KeyError(f"no function named {name!r}") from None
        return MetricSet("function", {"FunctionName": name}, self._function_series(i), specs_at("function"))

    def _function_series(self, i: int) -> dict[Key, npt.NDArray[Any]]:
        """Function `i`'s series, by (metric, statistic)."""
        series: dict[Key, npt.NDArray[Any]] = {}
        for m in specs_at("function"):
            source = m.levels["function"]
            for stat in m.statistics_at("function"):
                key = (m.name, stat)
                if source == "engine":
                    series[key] = self._function_table[key][i]
                elif source == "zero":
                    series[key] = self._zeros
                elif source == "utilization":
                    pc = self.provisioned[i]
                    busy = self._function_table["ProvisionedConcurrentExecutions", "Maximum"][i]
                    if isinstance(pc, np.ndarray):  # changed while running: per period
                        series[key] = _frozen(np.divide(busy, pc, out=np.zeros(self.n_periods), where=pc > 0))
                    else:
                        series[key] = _frozen(busy / pc if pc else np.zeros(self.n_periods))
                else:
                    raise AssertionError(f"{m.name}: no function-level source {source!r}")
        return series

    @property
    def account(self) -> MetricSet:
        """The account's series (no dimension)."""
        return MetricSet("account", {}, self._account, specs_at("account"))

    def mapping(self, source: str) -> MetricSet:
        """The series of the event-source mapping that reads `source` (dimensions
        ``EventSource`` and ``FunctionName``); a stream's have no ``DeletedEventCount`` or
        ``ApproximateNumberOfMessagesVisible``, a queue's no ``IteratorAge``."""
        try:
            i = self.source_names.index(source)
        except ValueError:
            raise KeyError(f"no event-source mapping reads {source!r}") from None
        dims = {"EventSource": source, "FunctionName": self._source_functions[i]}
        return MetricSet("mapping", dims, self._mappings[i], self._mapping_specs[i])

    def sets(self) -> Iterator[MetricSet]:
        """Every set of series: the account's, each function's, each mapping's."""
        yield self.account
        for name in self.function_names:
            yield self.function(name)
        for source in self.source_names:
            yield self.mapping(source)

    def to_pandas(self) -> Any:
        """Every series in long form, one row per (period, metric, statistic, dimensions):
        columns ``timestamp`` (seconds), ``metric``, ``statistic``, ``unit``, ``value``,
        ``FunctionName``, ``EventSource`` (``None`` where a set has no such dimension).
        Needs the ``pandas`` extra."""
        from .._metrics_export import to_pandas

        return to_pandas(self)

    def to_cloudwatch(self, epoch: str | datetime.datetime = "2026-01-01T00:00:00Z") -> dict[str, Any]:
        """The series shaped as CloudWatch's ``GetMetricData`` response (``MetricDataResults``
        with ``Id``, ``Label``, ``Timestamps``, ``Values``, ``StatusCode``), newest first, zero
        values omitted as CloudWatch omits them; timestamps are ISO 8601 UTC, simulated time 0
        at `epoch` (an ISO 8601 string or a ``datetime``; without a time zone, UTC)."""
        from .._metrics_export import to_cloudwatch

        return to_cloudwatch(self, epoch)

    def to_emf(self, epoch: str | datetime.datetime = "2026-01-01T00:00:00Z",
               namespace: str = "lambda_core") -> list[str]:
        """The series as Embedded Metric Format JSON lines, one per set and period with a
        non-zero value (what a function would log for CloudWatch to extract), zero values
        omitted; a metric with several statistics is logged as one metric per statistic,
        ``Duration_p99``. A namespace beginning with ``AWS/`` is refused (AWS's own)."""
        from .._metrics_export import to_emf

        return to_emf(self, epoch, namespace)

    def __repr__(self) -> str:
        return (f"Metrics({self.n_periods} periods of {self.period_s:g} s, {len(self.function_names)} "
                f"functions, {len(self.source_names)} mappings)")


def _frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    view: npt.NDArray[Any] = a.view()
    view.flags.writeable = False
    return view

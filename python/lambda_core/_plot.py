"""Pictures of a run's per-period series (docs/report.md): :func:`plot` (what
:meth:`Result.plot` returns) and :func:`panel_figures` (one figure per panel, what the HTML
report embeds). Both draw with the same panel functions, so the report and the notebook show
the same picture.

matplotlib is an optional dependency (``pip install 'lambda-core[plot]'``), imported only
inside the functions that draw.

Panels, in order: ``concurrency`` (``ConcurrentExecutions`` of the account and of each
function against the account limit, the unreserved pool, each reservation and each
provisioned concurrency), ``throttles`` (the account's throttles per period by reason),
``async_event_age`` (``AsyncEventAge`` of the functions that received events),
``iterator_age`` (``IteratorAge`` of each stream mapping), ``environments``
(``EnvironmentsAlive``) and ``cost`` (the bill per period, when a bill with a per-period series
is at hand).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .errors import UsageError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ._model.metrics import Metrics
    from ._model.results import Result

__all__ = ["Limits", "PANELS", "plot", "panel_figures", "panels_of", "bill_of", "require_matplotlib"]

#: Every panel, in the order they are drawn.
PANELS = ("concurrency", "throttles", "async_event_age", "iterator_age", "environments", "cost")

#: The throttle metrics by reason, with their legend labels (AWS's error types).
THROTTLE_REASONS = (
    ("ThrottlesReserved", "reserved (ReservedFunctionConcurrentInvocationLimitExceeded)"),
    ("ThrottlesUnreserved", "unreserved pool (ConcurrentInvocationLimitExceeded)"),
    ("ThrottlesScaling", "scaling rate (FunctionScalingRateExceeded)"),
)

#: The cost items a bill's per-period series may hold, in stacking order; other items it
#: holds are stacked after these, in its own order.
COST_ITEMS = ("requests", "duration", "init", "provisioned", "ephemeral")

#: The most functions a panel draws a line for (the others are in the account's line).
MAX_FUNCTIONS = 10

_INSTALL = "pip install 'lambda-core[plot]'"


@dataclasses.dataclass(frozen=True)
class Limits:
    """The horizontal lines of the concurrency panel: the account's concurrency limit ``L``,
    the unreserved pool's size ``U`` (AWS ``GetAccountSettings``), and per function its
    reservation and its provisioned concurrency (functions without one are absent)."""

    concurrency_limit: int
    unreserved: int
    reserved: Mapping[str, int] = dataclasses.field(default_factory=dict)
    provisioned: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, config: Any) -> Limits:
        """The limits of a :class:`~lambda_core.Simulator` (or anything with its
        ``account_settings()`` and ``functions``)."""
        settings = config.account_settings()
        return cls(
            concurrency_limit=int(settings["ConcurrentExecutions"]),
            unreserved=int(settings["UnreservedConcurrentExecutions"]),
            reserved={f.name: int(f.reserved_concurrency) for f in config.functions
                      if f.reserved_concurrency is not None},
            provisioned={f.name: int(f.provisioned_concurrency) for f in config.functions
                         if f.provisioned_concurrency is not None},
        )


def require_matplotlib() -> Any:
    """matplotlib's ``pyplot``-free figure class, or an :class:`ImportError` saying how to get
    it. Figures are made with ``matplotlib.figure.Figure`` directly, not pyplot, so that drawing
    neither needs a display nor keeps figures alive in pyplot's registry."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(f"plotting needs matplotlib, an optional dependency: {_INSTALL}") from exc
    return Figure


def limits_of(result: Result, config: Any = None) -> Limits | None:
    """The limits to draw: from `config` (a :class:`Limits`, or a simulator), else from the
    run's metrics when they carry the configuration (``account_settings``, ``reserved``,
    ``provisioned``), else ``None`` (no lines)."""
    if isinstance(config, Limits):
        return config
    if config is not None:
        return Limits.of(config)
    metrics = result.metrics
    if metrics is None or not metrics.account_settings:
        return None
    names = metrics.function_names
    settings = metrics.account_settings
    return Limits(
        concurrency_limit=int(settings["ConcurrentExecutions"]),
        unreserved=int(settings["UnreservedConcurrentExecutions"]),
        reserved={n: int(r) for n, r in zip(names, metrics.reserved) if r is not None},
        provisioned={n: int(p) for n, p in zip(names, metrics.provisioned) if p is not None},
    )


def bill_of(result: Result, bill: Any = "auto") -> Any:
    """The bill to draw: `bill` itself, or with ``"auto"`` the result's ``cost()`` at list
    prices when it carries its functions' configuration (``None`` otherwise). See docs/report.md for the interface a bill is read through."""
    if isinstance(bill, str) and bill == "auto":
        # a Result built by hand has no configuration to price
        return result.cost() if result.function_configs else None
    return bill


def cost_series(bill: Any, n_periods: int) -> dict[str, npt.NDArray[np.float64]] | None:
    """The bill's per-period series (USD per period, by cost item) when it has them, one value
    per period of the metrics; ``None`` when it has none."""
    series = getattr(bill, "series", None)
    if callable(series):
        series = series()
    if not isinstance(series, Mapping) or not series:
        return None
    out: dict[str, npt.NDArray[np.float64]] = {}
    for item in sorted(series, key=lambda k: (COST_ITEMS.index(k) if k in COST_ITEMS else len(COST_ITEMS))):
        if item == "total":
            continue
        values = np.asarray(series[item], dtype=np.float64)
        if values.shape != (n_periods,):
            raise ValueError(f"the bill's series {item!r} has shape {values.shape}; the metrics have "
                             f"{n_periods} periods")
        out[str(item)] = values
    return out


def metrics_of(result: Result) -> Metrics:
    """The run's series, or a :class:`~lambda_core.errors.UsageError` saying how to get them."""
    metrics = result.metrics
    if metrics is None:
        raise UsageError("this run kept no per-period series (result.metrics is None): build the "
                         "Simulator with metrics_period_s=60 (or another period) to plot it")
    if metrics.n_periods == 0:
        raise UsageError("this run's series have no period (its horizon is 0): nothing to plot")
    return metrics


def panels_of(metrics: Metrics, bill: Any = None) -> tuple[str, ...]:
    """The panels worth drawing: always concurrency, throttles and environments; the async event
    age when a function received events, the iterator age when a mapping reads a stream, the
    cost when the bill has a per-period series."""
    chosen = []
    for panel in PANELS:
        if panel == "async_event_age" and not _async_functions(metrics):
            continue
        if panel == "iterator_age" and not _stream_mappings(metrics):
            continue
        if panel == "cost" and (bill is None or cost_series(bill, metrics.n_periods) is None):
            continue
        chosen.append(panel)
    return tuple(chosen)


def plot(result: Result, config: Any = None, *, bill: Any = "auto",
         panels: Sequence[str] | None = None) -> Figure:
    """One matplotlib figure with a row per panel (see the module), sharing the time axis.

    `config`: a :class:`~lambda_core.Simulator` or :class:`Limits` for the concurrency panel's
    lines (else they come from the metrics when they carry them, else are not drawn); `bill`:
    ``"auto"`` (the result's ``cost()`` if it has one), a bill, or ``None``; `panels`: names of
    :data:`PANELS` to draw (default :func:`panels_of`).
    """
    figure_class = require_matplotlib()
    metrics = metrics_of(result)
    limits = limits_of(result, config)
    the_bill = bill_of(result, bill)
    chosen = _chosen(metrics, the_bill, panels)
    figure: Figure = figure_class(figsize=(11, 2.9 * len(chosen)), layout="constrained")
    axes = figure.subplots(len(chosen), 1, sharex=True, squeeze=False)[:, 0]
    for ax, panel in zip(axes, chosen):
        _DRAW[panel](ax, metrics, limits, the_bill)
    _time_axis(axes[-1], metrics)
    return figure


def panel_figures(result: Result, config: Any = None, *, bill: Any = "auto",
                  panels: Sequence[str] | None = None) -> dict[str, Figure]:
    """One figure per panel, by panel name, in :data:`PANELS` order (arguments as :func:`plot`)."""
    figure_class = require_matplotlib()
    metrics = metrics_of(result)
    limits = limits_of(result, config)
    the_bill = bill_of(result, bill)
    out: dict[str, Figure] = {}
    for panel in _chosen(metrics, the_bill, panels):
        figure: Figure = figure_class(figsize=(10, 3.6), layout="constrained")
        ax = figure.subplots()
        _DRAW[panel](ax, metrics, limits, the_bill)
        _time_axis(ax, metrics)
        out[panel] = figure
    return out


def _chosen(metrics: Metrics, bill: Any, panels: Sequence[str] | None) -> tuple[str, ...]:
    if panels is None:
        return panels_of(metrics, bill)
    unknown = [p for p in panels if p not in PANELS]
    if unknown:
        raise UsageError(f"unknown panel {unknown[0]!r}; the panels are {', '.join(PANELS)}")
    if not panels:
        raise UsageError("no panel to draw")
    return tuple(panels)


# ---- the panels ------------------------------------------------------------------------------


def _concurrency(ax: Axes, metrics: Metrics, limits: Limits | None, bill: Any) -> None:
    edges = _edges(metrics)
    legend = _Legend()
    legend.add(_stairs(ax, metrics.account["ConcurrentExecutions"], edges, color="black", linewidth=2),
               "account")
    drawn, shown = _top(metrics, list(metrics.function_names), "ConcurrentExecutions", "Maximum")
    for color, name in drawn:
        legend.add(_stairs(ax, metrics.function(name)["ConcurrentExecutions"], edges, color=color), name)
    if limits is not None:
        legend.add(ax.axhline(limits.concurrency_limit, color="tab:red", linestyle="--"),
                   f"account limit ({limits.concurrency_limit:,})")
        legend.add(ax.axhline(limits.unreserved, color="tab:orange", linestyle="--"),
                   f"unreserved pool ({limits.unreserved:,})")
        for color, name in drawn:
            if name in limits.reserved:
                legend.add(ax.axhline(limits.reserved[name], color=color, linestyle=":", linewidth=1.6),
                           f"{name}: reserved {limits.reserved[name]:,}")
            if name in limits.provisioned:
                legend.add(ax.axhline(limits.provisioned[name], color=color, linestyle="-.", linewidth=1),
                           f"{name}: provisioned {limits.provisioned[name]:,}")
    ax.set_ylim(bottom=0)
    _finish(ax, legend, "ConcurrentExecutions (Maximum per period)" + shown, "executions")


def _throttles(ax: Axes, metrics: Metrics, limits: Limits | None, bill: Any) -> None:
    legend = _Legend()
    series = [(label, metrics.account[name]) for name, label in THROTTLE_REASONS]
    _stacked_bars(ax, metrics, series, legend, colors=("tab:purple", "tab:red", "tab:olive"))
    if not any(values.any() for _, values in series):
        _note(ax, "no throttles in this run")
    _finish(ax, legend, "Throttles by reason (account, Sum per period)", "throttles")


def _async_event_age(ax: Axes, metrics: Metrics, limits: Limits | None, bill: Any) -> None:
    edges, legend = _edges(metrics), _Legend()
    drawn, shown = _top(metrics, _async_functions(metrics), "AsyncEventAge", "Maximum")
    for color, name in drawn:
        s = metrics.function(name)
        legend.add(_stairs(ax, s["AsyncEventAge", "Maximum"] / 1000.0, edges, color=color), f"{name} (Maximum)")
        legend.add(_stairs(ax, s["AsyncEventAge", "Average"] / 1000.0, edges, color=color, linestyle="--",
                           linewidth=1), f"{name} (Average)")
    if not drawn:
        _note(ax, "no asynchronous events in this run")
    ax.set_ylim(bottom=0)
    _finish(ax, legend, "AsyncEventAge" + shown, "seconds")


def _iterator_age(ax: Axes, metrics: Metrics, limits: Limits | None, bill: Any) -> None:
    edges, legend = _edges(metrics), _Legend()
    for i, source in enumerate(_stream_mappings(metrics)):
        s = metrics.mapping(source)
        legend.add(_stairs(ax, s["IteratorAge"] / 1000.0, edges, color=_color(i)),
                   f"{source} → {s.dimensions['FunctionName']}")
    if not _stream_mappings(metrics):
        _note(ax, "no stream mapping in this run")
    ax.set_ylim(bottom=0)
    _finish(ax, legend, "IteratorAge (Maximum per period)", "seconds")


def _environments(ax: Axes, metrics: Metrics, limits: Limits | None, bill: Any) -> None:
    edges, legend = _edges(metrics), _Legend()
    legend.add(_stairs(ax, metrics.account["EnvironmentsAlive"], edges, color="black", linewidth=2),
               "account (Average)")
    drawn, shown = _top(metrics, list(metrics.function_names), "EnvironmentsAlive", "Maximum")
    for color, name in drawn:
        s = metrics.function(name)
        legend.add(_stairs(ax, s["EnvironmentsAlive", "Average"], edges, color=color), f"{name} (Average)")
        legend.add(_stairs(ax, s["EnvironmentsAlive", "Maximum"], edges, color=color, linestyle=":",
                           linewidth=1), f"{name} (Maximum)")
    ax.set_ylim(bottom=0)
    _finish(ax, legend, "EnvironmentsAlive (idle, initialising or busy)" + shown, "environments")


def _cost(ax: Axes, metrics: Metrics, limits: Limits | None, bill: Any) -> None:
    legend = _Legend()
    series = cost_series(bill, metrics.n_periods) if bill is not None else None
    if series:
        _stacked_bars(ax, metrics, list(series.items()), legend,
                      colors=tuple(_color(i) for i in range(len(series))))
        total = getattr(bill, "total", None)
        title = "Cost per period (USD)" + (f", total ${float(total):,.4f}" if total is not None else "")
    else:
        _note(ax, "no per-period cost series")
        title = "Cost per period (USD)"
    _finish(ax, legend, title, "USD")


_DRAW: dict[str, Callable[[Axes, Metrics, Limits | None, Any], None]] = {
    "concurrency": _concurrency,
    "throttles": _throttles,
    "async_event_age": _async_event_age,
    "iterator_age": _iterator_age,
    "environments": _environments,
    "cost": _cost,
}


# ---- helpers ---------------------------------------------------------------------------------


class _Legend:
    """Handles and labels collected explicitly: matplotlib's automatic legend skips labels that
    start with an underscore, and a function may be named ``_x``."""

    def __init__(self) -> None:
        self.handles: list[Any] = []
        self.labels: list[str] = []

    def add(self, handle: Any, label: str) -> None:
        self.handles.append(handle)
        # a `$` would start mathtext: names are shown as they are written
        self.labels.append(label.replace("$", r"\$"))


def _finish(ax: Axes, legend: _Legend, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if legend.handles:
        ax.legend(legend.handles, legend.labels, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=8, frameon=False)


def _stairs(ax: Axes, values: npt.NDArray[Any], edges: npt.NDArray[np.float64], **style: Any) -> Any:
    """A per-period series as steps; no baseline, so that a series does not drop to 0 at the ends."""
    return ax.stairs(np.asarray(values, dtype=np.float64), edges, baseline=None, **style)


def _note(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.4")


def _stacked_bars(ax: Axes, metrics: Metrics, series: Sequence[tuple[str, npt.NDArray[Any]]],
                  legend: _Legend, colors: Sequence[str]) -> None:
    edges = _edges(metrics)
    widths = np.diff(edges)
    bottom = np.zeros(metrics.n_periods, dtype=np.float64)
    for (label, values), color in zip(series, colors):
        values = np.asarray(values, dtype=np.float64)
        legend.add(ax.bar(edges[:-1], values, width=widths, bottom=bottom, align="edge", color=color,
                          linewidth=0), label)
        bottom = bottom + values


def _async_functions(metrics: Metrics) -> list[str]:
    """The functions that received asynchronous events."""
    return [name for name in metrics.function_names if metrics.function(name)["AsyncEventsReceived"].any()]


def _top(metrics: Metrics, names: Sequence[str], metric: str, statistic: str) -> tuple[list[tuple[str, str]], str]:
    """The functions of `names` to draw, as (colour, name) in function order: all of them up to
    :data:`MAX_FUNCTIONS`, else the :data:`MAX_FUNCTIONS` with the highest peak of `metric`
    (a legend of a thousand lines shows nothing); and the title's note saying so.

    Up to ten functions in all, a function keeps its colour from panel to panel; beyond, the
    colours follow the rank among those drawn, so that no two drawn share one."""
    if len(names) > MAX_FUNCTIONS:
        peaks = {name: _peak(metrics.function(name)[metric, statistic]) for name in names}
        keep = set(sorted(names, key=lambda n: -peaks[n])[:MAX_FUNCTIONS])
        chosen = [name for name in names if name in keep]
        shown = f" — {MAX_FUNCTIONS} of {len(names)} functions, the highest peaks"
    else:
        chosen, shown = list(names), ""
    if len(metrics.function_names) <= 10:
        colors = [_color(metrics.function_names.index(name)) for name in chosen]
    else:
        colors = [_color(rank) for rank in range(len(chosen))]
    return list(zip(colors, chosen)), shown


def _stream_mappings(metrics: Metrics) -> list[str]:
    return [source for source in metrics.source_names if "IteratorAge" in metrics.mapping(source)]


def _peak(values: npt.NDArray[Any]) -> float:
    """The highest value of a series; periods without a value (NaN: an age with no attempt) do
    not count, and a series with none ranks last."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size else -np.inf


def _color(i: int) -> str:
    return f"C{i % 10}"


def time_unit(horizon_s: float) -> tuple[str, float]:
    """The time axis' unit for a run of `horizon_s` seconds: seconds up to 15 minutes, minutes
    up to 36 hours, hours beyond."""
    if horizon_s <= 900:
        return "s", 1.0
    if horizon_s <= 36 * 3600:
        return "min", 60.0
    return "h", 3600.0


def _edges(metrics: Metrics) -> npt.NDArray[np.float64]:
    """The periods' edges in the axis' unit: each period's start, then the end of the last one
    (the horizon when it ends inside it: a partial last period is drawn partial)."""
    _, scale = time_unit(metrics.horizon)
    starts = np.asarray(metrics.timestamps, dtype=np.float64)
    last = starts[-1] + metrics.period_s
    if starts[-1] < metrics.horizon < last:
        last = metrics.horizon
    return np.append(starts, last) / scale


def _time_axis(ax: Axes, metrics: Metrics) -> None:
    unit, _ = time_unit(metrics.horizon)
    names = {"s": "seconds", "min": "minutes", "h": "hours"}
    ax.set_xlabel(f"time since the start of the run ({names[unit]}; periods of {metrics.period_s:g} s)")
    edges = _edges(metrics)
    ax.set_xlim(edges[0], edges[-1])

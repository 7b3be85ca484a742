"""Calibration: the parameters of a replay fitted to what traces observed (docs/calibration.md).

A fit replays a trace's workload many times, each with one candidate set of parameters applied
to every function of the trace, and keeps the candidate whose simulated figures are closest to
the observed ones. Every combination of the discrete parameters (whole numbers, choices) is
tried, each with a coordinate descent over the continuous ones: for each in turn, an even grid
over its bounds (on a log scale for durations), then finer grids around the best point, the
others held; sweeps repeat until none improves. Replays of one grid run on threads (the engine
releases the GIL), and their results are gathered in grid order, so a fit is deterministic.

The figures replay errors are measured on (:data:`TARGETS`): ``cold_starts`` and
``environments`` (relative error of the totals), ``agreement`` (the fraction of requests the
replay and the trace do not both call cold or both warm) and ``concurrency`` (per-period
maximum concurrency: mean absolute error over the mean observed).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ._model import Account, Function, LogNormal, Result, Uniform
from ._simulator import Simulator
from .errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .traces import Trace

__all__ = ["calibrate", "Fit", "PARAMS", "TARGETS", "settings"]


@dataclasses.dataclass(frozen=True)
class Param:
    """A parameter a fit can vary: its default bounds, whether it takes whole numbers, and the
    values it may take when it is categorical."""

    bounds: tuple[float, float]
    #: Where a fit starts (and what it keeps while nothing does better): lambda_core's
    #: default, or no effect (a lifetime at the upper bound, no warm environments).
    start: float | str = 0.0
    integer: bool = False
    #: Its first grid is spread evenly on a log scale (durations spanning decades).
    log: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""


#: The parameters :func:`calibrate` can fit, with their default bounds.
PARAMS: Mapping[str, Param] = {
    "idle_timeout_s": Param((60.0, 3600.0), 600.0, log=True, doc="a fixed keep-alive"),
    "idle_timeout_low_s": Param((0.0, 3600.0), 300.0, doc="a uniform keep-alive's lower end"),
    "idle_timeout_high_s": Param((60.0, 7200.0), 900.0, log=True, doc="a uniform keep-alive's upper end"),
    "idle_timeout_median_s": Param((60.0, 3600.0), 600.0, log=True, doc="a log-normal keep-alive's median"),
    "idle_timeout_sigma": Param((0.0, 2.0), 0.5, doc="a log-normal keep-alive's sigma"),
    "init_s": Param((0.0, 10.0), 0.5, doc="a fixed init duration"),
    "max_lifetime_s": Param((600.0, 14400.0), 14400.0, log=True, doc="the maximum environment lifetime"),
    "warm_at_start": Param((0.0, 10.0), 0, integer=True, doc="environments warm at time 0, per function"),
    "routing": Param((0.0, 2.0), "newest", choices=("newest", "mru", "oldest"), doc="which idle environment a request gets"),
}

#: The figures a fit compares.
TARGETS = ("cold_starts", "environments", "agreement", "concurrency")

def settings(values: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The :class:`~lambda_core.Function` fields and the routing (``None``: not fitted) that
    fitted parameter values stand for; a distribution's parameter not given is at its start
    (:data:`PARAMS`)."""
    def get(name: str) -> float:
        return float(values[name]) if name in values else float(PARAMS[name].start)

    fields: dict[str, Any] = {}
    if "idle_timeout_median_s" in values or "idle_timeout_sigma" in values:
        fields["idle_timeout_s"] = LogNormal(get("idle_timeout_median_s"), get("idle_timeout_sigma"))
    elif "idle_timeout_low_s" in values or "idle_timeout_high_s" in values:
        low = get("idle_timeout_low_s")
        fields["idle_timeout_s"] = Uniform(low, max(low, get("idle_timeout_high_s")))
    elif "idle_timeout_s" in values:
        fields["idle_timeout_s"] = float(values["idle_timeout_s"])
    for name in ("init_s", "max_lifetime_s"):
        if name in values:
            fields[name] = float(values[name])
    if "warm_at_start" in values:
        fields["warm_at_start"] = int(values["warm_at_start"])
    return fields, values.get("routing")


def _max_concurrency(start: npt.NDArray[np.float64], end: npt.NDArray[np.float64], period_s: float,
                     n: int) -> npt.NDArray[np.int64]:
    """Per period, the most intervals ``[start, end)`` open at once: the level entering the
    period or the highest reached in it."""
    times = np.concatenate([start, end])
    steps = np.concatenate([np.ones(len(start), np.int64), -np.ones(len(end), np.int64)])
    order = np.lexsort((steps, times))  # at one instant, ends before starts
    times, level = times[order], np.cumsum(steps[order])
    first = np.searchsorted(times, np.arange(n) * period_s, "left")
    after = np.append(first[1:], len(times))
    entering = np.where(first > 0, level[np.maximum(first - 1, 0)] if len(level) else 0, 0)
    if not len(level):
        return np.zeros(n, np.int64)
    inside = np.maximum.reduceat(level, np.minimum(first, len(level) - 1))
    return np.maximum(entering, np.where(after > first, inside, 0)).astype(np.int64)


@dataclasses.dataclass(frozen=True)
class _Target:
    """What one trace observed, prepared once for every replay of it."""

    trace: Trace
    cold: npt.NDArray[np.bool_] | None
    cold_starts: int | None
    environments: int | None
    concurrency: npt.NDArray[np.int64]
    period_s: float

    @classmethod
    def of(cls, trace: Trace, period_s: float) -> _Target:
        obs = trace.observed
        arrival = trace.workload.time
        busy = obs.duration_s.copy()
        if obs.init_s is not None:
            busy += np.nan_to_num(obs.init_s)
        n = max(1, math.ceil((float((arrival + busy).max()) if len(arrival) else 0.0) / period_s))
        return cls(trace, obs.cold, obs.cold_starts, obs.environments,
                   _max_concurrency(arrival, arrival + busy, period_s, n), period_s)

    def figures(self, result: Result, targets: Sequence[str] = TARGETS) -> dict[str, float]:
        """The replay's figures of `targets` and their errors (``error_<target>``); cold starts
        and environments always."""
        req = result.requests
        cold = req["cold_starts"] > 0
        env = req["environment"]
        out: dict[str, float] = {"cold_starts": float(cold.sum()),
                                 "environments": float(len(np.unique(env[env >= 0])))}
        out["error_cold_starts"] = _relative(out["cold_starts"], self.cold_starts)
        out["error_environments"] = _relative(out["environments"], self.environments)
        if "agreement" in targets:
            if self.cold is not None:
                out["agreement"] = float(np.mean(cold == self.cold)) if len(cold) else 1.0
                out["error_agreement"] = 1.0 - out["agreement"]
            else:
                out["agreement"] = out["error_agreement"] = math.nan
        if "concurrency" in targets:
            ran = ~np.isnan(req["last_start"])
            sim = _max_concurrency(req["last_start"][ran], req["end"][ran], self.period_s, len(self.concurrency))
            mean_obs = float(self.concurrency.mean())
            out["concurrency"] = float(sim.mean())
            out["error_concurrency"] = (float(np.abs(sim - self.concurrency).mean() / mean_obs)
                                        if mean_obs else math.nan)
        return out


def _relative(sim: float, observed: int | None) -> float:
    return math.nan if not observed else abs(sim - observed) / observed


@dataclasses.dataclass(frozen=True)
class Fit:
    """A calibration's outcome (:func:`calibrate`).

    - ``params``: the best values found, by parameter name;
    - ``error``: the combined error there (the mean of the targets' errors over the traces,
      or their maximum with ``aggregate="max"``); ``errors``: each target's, per trace;
    - ``table``: every replay made, as columns: the parameters, each trace's figures and errors
      (``<figure>`` and ``error_<figure>``, suffixed ``[i]`` with several traces) and ``error``;
    - ``sensitivity``: per numeric parameter, the combined error at −10 % and +10 % of its
      best value, the others held;
    - ``result``: the best replay's :class:`~lambda_core.Result` (of the first trace).
    """

    params: dict[str, Any]
    error: float
    errors: list[dict[str, float]]
    table: dict[str, npt.NDArray[Any]]
    sensitivity: dict[str, tuple[float, float]]
    result: Result
    targets: tuple[str, ...]
    replays: int
    #: The period of the ``concurrency`` target, in seconds.
    period_s: float
    _replay: Callable[[Trace, Mapping[str, Any]], Result] = dataclasses.field(repr=False)

    def replay(self, trace: Trace) -> Result:
        """`trace` replayed with the fitted parameters (cross-validation: fit on one trace,
        replay another)."""
        return self._replay(trace, self.params)

    def predict(self, trace: Trace) -> dict[str, float]:
        """Figures and errors of `trace` replayed with the fitted parameters."""
        return _Target.of(trace, self.period_s).figures(self.replay(trace))

    def to_pandas(self) -> Any:
        """:attr:`table` as a pandas DataFrame (``pip install 'lambda-core[pandas]'``)."""
        import pandas as pd

        return pd.DataFrame(self.table)

    def plot(self, path: str | os.PathLike[str] | None = None) -> Figure:
        """The combined error against each numeric parameter (every replay made; the best
        point marked), one panel per parameter (``pip install 'lambda-core[plot]'``); saved to
        `path` when given."""
        from ._plot import require_matplotlib

        figure_class = require_matplotlib()
        names = [p for p in self.params if not PARAMS[p].choices]
        fig = figure_class(figsize=(4.5 * max(1, len(names)), 3.4))
        axes = fig.subplots(1, max(1, len(names)), squeeze=False)
        for ax, name in zip(axes[0], names):
            x, y = self.table[name], self.table["error"]
            order = np.argsort(x, kind="stable")
            ax.plot(x[order], y[order], ".", ms=3, color="tab:blue", alpha=0.6)
            ax.plot([self.params[name]], [self.error], "o", color="tab:red", label=f"best {self.params[name]:g}")
            ax.set_xlabel(name)
            ax.set_ylabel("error")
            ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        figure: Figure = fig
        return figure


def calibrate(traces: Trace | Sequence[Trace], params: Iterable[str] = ("idle_timeout_s",),
              target: Iterable[str] = ("cold_starts", "environments"), *,
              bounds: Mapping[str, tuple[float, float]] | None = None,
              start: Mapping[str, Any] | None = None, account: Account | None = None, seed: int = 0,
              routing: str = "newest", aggregate: str = "mean", points: int = 17, rounds: int = 3,
              sweeps: int = 4, period_s: float = 60.0, workers: int | None = None,
              **overrides: Any) -> Fit:
    """Fits `params` (names of :data:`PARAMS`) so that replays of `traces` match what they
    observed on `target` (names of :data:`TARGETS`). See :class:`Fit` and docs/replay.md.

    `bounds` narrows or widens a parameter's default range; `start` gives starting values (and
    fixes the values of parameters not fitted, e.g. ``{"idle_timeout_sigma": 0.3}``);
    `overrides` are :class:`~lambda_core.Function` fields set on every function of every
    replay. Each grid has `points` points, refined `rounds` times around its best; `sweeps`
    bounds the passes over the parameters. Several traces are fitted with one parameter set:
    their errors are averaged (``aggregate="mean"``) or their worst is minimised (``"max"``).
    """
    trace_list = list(traces) if isinstance(traces, Sequence) else [traces]
    names = tuple(params)
    targets = tuple(target)
    _check(trace_list, names, targets, aggregate, points)
    ranges = {p: (bounds or {}).get(p, PARAMS[p].bounds) for p in names}
    best: dict[str, Any] = {p: _start(p, ranges[p]) for p in names}
    fixed = dict(start or {})
    best.update({p: v for p, v in fixed.items() if p in best})
    extra = {p: v for p, v in fixed.items() if p not in best}
    prepared = [_Target.of(t, period_s) for t in trace_list]
    fitted_init = {"init_s": best["init_s"]} if "init_s" in best else {}
    for t in trace_list:
        t.simulator(account, seed=seed, routing=routing, **overrides, **fitted_init)  # its warnings, once

    def replay(trace: Trace, values: Mapping[str, Any]) -> Result:
        fields, chosen = settings({**extra, **values})
        functions = [dataclasses.replace(f, **{**overrides, **fields}) for f in trace.functions]
        sim = Simulator(account, functions, seed=seed, routing=chosen or routing)
        return sim.run(trace.workload)

    rows: list[dict[str, Any]] = []
    pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1)

    def evaluate(candidates: list[dict[str, Any]]) -> list[float]:
        jobs = [(c, i, t) for c in candidates for i, t in enumerate(prepared)]
        results = list(pool.map(lambda job: job[2].figures(replay(job[2].trace, job[0]), targets), jobs))
        errors = []
        for k, c in enumerate(candidates):
            figures = results[k * len(prepared):(k + 1) * len(prepared)]
            per_trace = [float(np.nanmean([f[f"error_{t}"] for t in targets])) for f in figures]
            error = max(per_trace) if aggregate == "max" else float(np.mean(per_trace))
            row: dict[str, Any] = dict(c)
            for i, f in enumerate(figures):
                suffix = "" if len(prepared) == 1 else f"[{i}]"
                row.update({f"{key}{suffix}": value for key, value in f.items()})
            row["error"] = error
            rows.append(row)
            errors.append(error)
        return errors

    try:
        # the discrete parameters are enumerated, each combination with its own descent over
        # the continuous ones: a keep-alive and a count of warm environments trade cold starts
        # against environments, which one coordinate at a time cannot see
        discrete = [p for p in names if PARAMS[p].choices or PARAMS[p].integer]
        continuous = [p for p in names if p not in discrete]
        current = math.inf
        start_point = dict(best)
        for combination in itertools.product(*(_values(p, ranges[p], points) for p in discrete)):
            point = {**start_point, **dict(zip(discrete, combination))}
            error = _descend(point, continuous, ranges, evaluate, points, rounds, sweeps)
            if error < current:
                best, current = point, error
        sensitivity = {}
        for p in names:
            if PARAMS[p].choices or PARAMS[p].integer:
                continue
            low, high = evaluate([{**best, p: best[p] * 0.9}, {**best, p: best[p] * 1.1}])
            sensitivity[p] = (low, high)
        finals = [t.figures(replay(t.trace, best), targets) for t in prepared]
    finally:
        pool.shutdown()
    return Fit(params=dict(best), error=current,
               errors=[{t: f[f"error_{t}"] for t in targets} for f in finals], table=_columns(rows),
               sensitivity=sensitivity, result=replay(trace_list[0], best), targets=targets,
               replays=len(rows) * len(prepared), period_s=period_s, _replay=replay)


def _check(traces: Sequence[Trace], names: tuple[str, ...], targets: tuple[str, ...], aggregate: str,
           points: int) -> None:
    if not traces:
        raise UsageError("calibrate needs at least one trace")
    unknown = [p for p in names if p not in PARAMS]
    if unknown or not names:
        raise UsageError(f"calibrate: unknown parameters {unknown} (known: {', '.join(PARAMS)})" if unknown
                         else "calibrate needs at least one parameter")
    bad = [t for t in targets if t not in TARGETS]
    if bad or not targets:
        raise UsageError(f"calibrate: unknown targets {bad} (known: {', '.join(TARGETS)})" if bad
                         else "calibrate needs at least one target")
    for t in traces:
        obs = t.observed
        missing = [x for x in targets if (x == "cold_starts" and obs.cold_starts is None)
                   or (x == "environments" and obs.environments is None)
                   or (x == "agreement" and obs.cold is None)]
        if missing:
            raise UsageError(f"the trace {t.source!r} does not say {', '.join(missing)}: "
                             "it cannot be a calibration target")
    if aggregate not in ("mean", "max"):
        raise UsageError(f"aggregate must be 'mean' or 'max', got {aggregate!r}")
    if points < 3:
        raise UsageError(f"points must be at least 3, got {points!r}")


def _start(p: str, bounds: tuple[float, float]) -> Any:
    """Where a parameter's search starts: its default start, within `bounds`."""
    spec = PARAMS[p]
    if spec.choices:
        return spec.start
    value = min(max(float(spec.start), bounds[0]), bounds[1])
    return int(round(value)) if spec.integer else value


def _values(p: str, bounds: tuple[float, float], points: int) -> list[Any]:
    """The values a discrete parameter is tried at: its choices, or its whole numbers (at
    most `points` of them, evenly spread), its start first."""
    spec = PARAMS[p]
    if spec.choices:
        values: list[Any] = [spec.start, *(c for c in spec.choices if c != spec.start)]
        return values
    grid = sorted({int(round(x)) for x in np.linspace(bounds[0], bounds[1], min(points, int(bounds[1] - bounds[0]) + 1))})
    first = _start(p, bounds)
    return [first, *(x for x in grid if x != first)]


def _descend(point: dict[str, Any], names: Sequence[str], ranges: Mapping[str, tuple[float, float]],
             evaluate: Callable[[list[dict[str, Any]]], list[float]], points: int, rounds: int,
             sweeps: int) -> float:
    """Coordinate descent over `names` from `point` (updated in place); its error."""
    current = evaluate([point])[0]
    for _ in range(sweeps if names else 0):
        improved = False
        for p in names:
            value, error = _line_search(p, ranges[p], point, evaluate, points, rounds)
            if error < current:
                point[p], current, improved = value, error, True
        if not improved:
            break
    return current


def _line_search(p: str, bounds: tuple[float, float], best: Mapping[str, Any],
                 evaluate: Callable[[list[dict[str, Any]]], list[float]], points: int,
                 rounds: int) -> tuple[Any, float]:
    """The best value of `p` with the others at `best`: every choice of a categorical
    parameter; else an even grid over `bounds`, then `rounds` finer grids around the best.
    Among equal errors the middle of the run of equal values is kept (the cold starts a
    keep-alive gives change in steps: the middle of a step is its most robust point)."""
    spec = PARAMS[p]
    if spec.choices:
        errors = evaluate([{**best, p: c} for c in spec.choices])
        i = int(np.argmin(errors))
        return spec.choices[i], errors[i]
    lo, hi = bounds
    value, error = best[p], math.inf
    for r in range(rounds + 1):
        grid = np.geomspace(lo, hi, points) if spec.log and r == 0 and lo > 0 else np.linspace(lo, hi, points)
        if spec.integer:
            grid = np.unique(np.round(grid))
        errors_at = np.asarray(evaluate([{**best, p: int(x) if spec.integer else float(x)} for x in grid]))
        i = int(np.argmin(errors_at))
        j = i
        while j + 1 < len(errors_at) and errors_at[j + 1] == errors_at[i]:
            j += 1
        k = (i + j) // 2
        if errors_at[k] < error or not math.isfinite(error):
            value, error = (int(grid[k]) if spec.integer else float(grid[k])), float(errors_at[k])
        # the next grid spans the neighbours of the run of best values
        lo, hi = float(grid[max(i - 1, 0)]), float(grid[min(j + 1, len(grid) - 1)])
        if spec.integer and hi - lo <= points:
            break
    return value, error


def _columns(rows: list[dict[str, Any]]) -> dict[str, npt.NDArray[Any]]:
    keys: list[str] = []
    for r in rows:
        keys.extend(k for k in r if k not in keys)
    return {k: np.asarray([r.get(k, math.nan) for r in rows]) for k in keys}

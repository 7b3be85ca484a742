"""Capacity checks: a scenario's ``[[expect]]`` tables (docs/scenarios.md, "Expectations"), and
what a run's figures say of them.

An expectation bounds one figure of one function (or of the account) with ``max`` and/or
``min``. The figure is one of docs/capacity.md's figures (whole-run counters, rates, per-period
maxima, mapping figures, ``cost``: :mod:`lambda_core._figures`), or a per-period metric of
docs/metrics.md with a statistic, whose bound must hold in every period.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from .._figures import FUNCTION_ONLY, RATES, account_figures, function_figures, needs_series
from .._model import Result
from .._model.metric_catalog import BY_NAME, specs_at
from ..errors import ScenarioError

__all__ = ["Expectation", "Verdict", "parse_expectations", "verdicts"]

_KEYS = ("function", "account", "metric", "statistic", "max", "min")


@dataclasses.dataclass(frozen=True)
class Expectation:
    """``metric`` of function ``function`` (``None``: the account) stays within ``low`` and
    ``high`` (``None``: unbounded); ``statistic`` names a per-period metric's statistic, whose
    bound holds in every period."""

    function: str | None
    metric: str
    statistic: str | None
    low: float | None
    high: float | None

    @property
    def series(self) -> bool:
        """Whether the run must keep a series: it bounds a per-period metric or maximum."""
        return self.metric in BY_NAME or needs_series(self.metric)

    def describe(self) -> str:
        who = f"function {self.function!r}" if self.function is not None else "the account"
        what = self.metric if self.statistic is None else f"{self.metric} {self.statistic} in every period"
        bounds = [f"≥ {self.low:g}"] if self.low is not None else []
        bounds += [f"≤ {self.high:g}"] if self.high is not None else []
        return f"{who}: {what} {' and '.join(bounds)}"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """An expectation against a run: ``value`` is the figure (for a per-period metric, its
    worst period: the largest against ``max``, else the smallest; periods without a sample
    are left out, and NaN when none has one) and ``period`` the start of that period in
    seconds (``None`` for a whole-run figure)."""

    expectation: Expectation
    value: float
    passed: bool
    period: float | None = None

    def describe(self) -> str:
        at = "" if self.period is None else f" (period at {self.period:g} s)"
        word = "ok" if self.passed else "FAILED"
        return f"{word}: {self.expectation.describe()}: got {self.value:.6g}{at}"


def parse_expectations(tables: Sequence[Any], functions: Sequence[str]) -> tuple[Expectation, ...]:
    """The ``[[expect]]`` tables, checked against the scenario's function names."""
    out = []
    for i, table in enumerate(tables):
        where = f"[[expect]] #{i + 1}"
        if not isinstance(table, dict):
            raise ScenarioError(f"{where} must be a table")
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise ScenarioError(f"unknown key {unknown[0]!r} in {where} (known: {', '.join(_KEYS)})")
        function, account = table.get("function"), table.get("account", False)
        if (function is None) == (account is not True):
            raise ScenarioError(f"{where} needs function = \"NAME\" or account = true (one of them)")
        if function is not None and function not in functions:
            raise ScenarioError(f"{where}: no function named {function!r} (functions: {', '.join(functions)})")
        metric = table.get("metric")
        if not isinstance(metric, str):
            raise ScenarioError(f"{where} needs metric = \"NAME\": a whole-run figure, "
                                f"{', '.join(RATES)}, or a metric of docs/metrics.md")
        statistic = table.get("statistic")
        level: Literal["function", "account"] = "function" if function is not None else "account"
        if metric in BY_NAME:
            spec = BY_NAME[metric]
            if spec not in specs_at(level):
                raise ScenarioError(f"{where}: the metric {metric!r} is not kept for {'a function' if function else 'the account'}")
            stats = spec.statistics_at(level)
            statistic = stats[0] if statistic is None else statistic
            if statistic not in stats:
                raise ScenarioError(f"{where}: {metric} has no statistic {statistic!r} (it has {', '.join(stats)})")
        elif statistic is not None:
            raise ScenarioError(f"{where}: 'statistic' is for the metrics of docs/metrics.md, not {metric!r}")
        elif metric in FUNCTION_ONLY and function is None:
            raise ScenarioError(f"{where}: {metric} is a function's figure, not the account's")
        bounds = []
        for key in ("min", "max"):
            value = table.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value)):
                raise ScenarioError(f"{where}: {key} must be a finite number, got {value!r}")
            bounds.append(None if value is None else float(value))
        if bounds == [None, None]:
            raise ScenarioError(f"{where} needs max = ... or min = ... (or both)")
        out.append(Expectation(function, metric, statistic, bounds[0], bounds[1]))
    return tuple(out)


def verdicts(expectations: Sequence[Expectation], result: Result,
             sources: Mapping[str, Sequence[str]] | None = None) -> list[Verdict]:
    """Each expectation against `result` (which kept a series if any bounds one); `sources`
    names the event sources mapped to each function (for the mapping figures)."""
    return [_verdict(e, result, sources or {}) for e in expectations]


def _verdict(e: Expectation, result: Result, sources: Mapping[str, Sequence[str]]) -> Verdict:
    if e.metric in BY_NAME:
        if result.metrics is None:
            raise ScenarioError(f"{e.describe()}: the run kept no per-period metrics")
        sets = result.metrics.function(e.function) if e.function is not None else result.metrics.account
        values = np.asarray(sets[e.metric, e.statistic or ""], dtype=np.float64)
        # a period without a sample (a Duration with no invocation ending) bounds nothing
        sampled = np.flatnonzero(~np.isnan(values))
        if not len(sampled):
            return Verdict(e, math.nan, True, None)
        pick = np.argmax if e.high is not None else np.argmin
        worst = int(sampled[int(pick(values[sampled]))])
        value, period = float(values[worst]), worst * result.metrics.period_s
    else:
        bill = result.cost() if e.metric == "cost" else None
        if e.function is not None:
            figures = function_figures(result, e.function, None if bill is None else bill.function(e.function)["total"],
                                       sources.get(e.function, ()))
        else:
            figures = account_figures(result, None if bill is None else bill.total)
        if e.metric not in figures:
            raise ScenarioError(f"{e.describe()}: no such figure (the figures: {', '.join(sorted(figures))}, cost)")
        value, period = figures[e.metric], None
    passed = (e.low is None or value >= e.low) and (e.high is None or value <= e.high)
    return Verdict(e, value, passed, period)

"""The figures of a run that capacity questions are asked of (docs/capacity.md, "Figures"): what
an ``[[expect]]`` table bounds, a sweep reports and a planner targets.

A function's figures are its whole-run counters (``Result.functions``' keys), the rates of
:data:`RATES`, the per-period maxima of :data:`PERIOD_MAXIMA` (from the run's per-period
series), the figures of the event-source mappings that invoke it (:data:`MAPPING_FIGURES`)
and its ``cost`` (USD, from the bill). The account's are ``Result.account``'s keys and the
whole bill's ``cost``.
"""

from __future__ import annotations

import math
import dataclasses
from collections.abc import Callable, Collection, Mapping

from typing import TYPE_CHECKING

import numpy as np

from ._model import Prices, Result

if TYPE_CHECKING:  # the scenarios package reads these figures: no import at run time
    from .scenarios import Scenario

__all__ = ["FUNCTION_ONLY", "RATES", "PERIOD_MAXIMA", "MAPPING_FIGURES", "DEFAULT_PERIOD_S", "function_figures",
           "account_figures", "mapped_sources", "figures", "run_scenario", "needs_series"]

#: The rates of a function, each a ratio of its whole-run counters: (numerator, denominator
#: counters). A function with nothing in the denominator has a rate of 0.
RATES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "throttle_rate": (("throttles",), ("invocations", "throttles")),
    "cold_start_rate": (("cold_starts",), ("invocations",)),
    "error_rate": (("errors",), ("invocations",)),
}

#: Figures that are the largest value of a per-period metric over the run: (metric, statistic,
#: factor to the figure's unit). ``max_event_age`` is in seconds, as ``max_event_age_s`` is.
PERIOD_MAXIMA: Mapping[str, tuple[str, str, float]] = {
    "max_throttles_per_period": ("Throttles", "Sum", 1.0),
    "max_event_age": ("AsyncEventAge", "Maximum", 1e-3),
}

#: Figures of the mappings that invoke a function, over all of them: (the mapping counter, how
#: several combine). ``max_iterator_age`` is in seconds (``Result.mappings``).
MAPPING_FIGURES: Mapping[str, tuple[str, Callable[[list[float]], float]]] = {
    "max_iterator_age": ("max_iterator_age", lambda xs: max(xs, default=0.0)),
    "records_expired": ("records_expired", lambda xs: float(sum(xs))),
}

#: The figures a function has and the account has not.
FUNCTION_ONLY = frozenset(RATES) | frozenset(PERIOD_MAXIMA) | frozenset(MAPPING_FIGURES)

#: The period of the series a run keeps for :data:`PERIOD_MAXIMA` when its scenario sets none.
DEFAULT_PERIOD_S = 60.0


def needs_series(figure: str) -> bool:
    """Whether `figure` is read from the per-period series."""
    return figure in PERIOD_MAXIMA


def function_figures(result: Result, name: str, cost: float | None = None,
                     sources: Collection[str] = ()) -> dict[str, float]:
    """Every figure of function `name` in `result`: the mapping figures over the mappings of
    `sources` (the event sources mapped to it), the per-period maxima NaN when the run kept no
    series, ``cost`` only when given."""
    counters = result.function(name)
    out = {k: float(v) for k, v in counters.items()}
    for rate, (num, den) in RATES.items():
        total = sum(out[k] for k in den)
        out[rate] = sum(out[k] for k in num) / total if total else 0.0
    for figure, (metric, statistic, factor) in PERIOD_MAXIMA.items():
        out[figure] = math.nan
        if result.metrics is not None:
            values = np.asarray(result.metrics.function(name)[metric, statistic], dtype=np.float64)
            sampled = values[~np.isnan(values)]  # periods without a sample bound nothing
            out[figure] = float(sampled.max()) * factor if len(sampled) else 0.0
    mappings = [result.mappings[source] for source in sources]
    for figure, (counter, combine) in MAPPING_FIGURES.items():
        # a queue's mapping has no iterator age: the figure is over the mappings that have it
        out[figure] = combine([float(m[counter]) for m in mappings if counter in m])
    if cost is not None:
        out["cost"] = cost
    return out


def account_figures(result: Result, cost: float | None = None) -> dict[str, float]:
    """The account's figures in `result` (``cost`` only when given)."""
    out = {k: float(v) for k, v in result.account.items()}
    if cost is not None:
        out["cost"] = cost
    return out


def mapped_sources(scenario: Scenario) -> dict[str, list[str]]:
    """The event sources mapped to each function of `scenario`, by function name."""
    out: dict[str, list[str]] = {f.name: [] for f in scenario.functions}
    for m in scenario.mappings:
        out[m.function].append(m.source.name)
    return out


def figures(result: Result, scenario: Scenario, prices: Prices | None = None) -> dict[str, float]:
    """Every figure of `result`, a run of `scenario`, flat: ``"FUNCTION.FIGURE"`` for each
    function, ``"account.FIGURE"`` and ``"cost"`` (the whole bill at `prices`, USD)."""
    bill = result.cost(prices)
    sources = mapped_sources(scenario)
    out: dict[str, float] = {}
    for name in result.function_names:
        for k, v in function_figures(result, name, bill.function(name)["total"], sources[name]).items():
            out[f"{name}.{k}"] = v
    for k, v in account_figures(result).items():
        out[f"account.{k}"] = v
    out["cost"] = bill.total
    return out


def run_scenario(scenario: Scenario, seed: int | None = None) -> Result:
    """`scenario` run at `seed` (default: its own) without per-request rows, with per-period
    series (every :data:`DEFAULT_PERIOD_S` s when it sets no period): the statistics of
    ``Simulator.run`` over the same horizon."""
    seed = scenario.seed if seed is None else seed
    if scenario.metrics_period_s is None:
        scenario = dataclasses.replace(scenario, metrics_period_s=DEFAULT_PERIOD_S)
    sim = scenario.simulator(seed)
    sim.submit(scenario.generate(seed))
    for records in scenario.generate_records(seed):
        sim.submit_records(records)
    sim.advance(scenario.until, requests=False)
    return sim.stats(scenario.until)

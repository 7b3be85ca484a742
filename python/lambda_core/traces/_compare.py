"""A replay against its trace: observed and simulated cold starts, environments and per-request
agreement (:class:`Comparison`)."""

from __future__ import annotations

import dataclasses
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .._model import Result
from ..errors import UsageError
from ._trace import ReplayWarning

if TYPE_CHECKING:
    from ._trace import Trace

__all__ = ["Comparison", "compare", "FIGURES"]

#: The figures compared, each observed and simulated.
FIGURES = ("cold_starts", "environments")


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Per function (``functions``, one dict each) and in total (``total``): ``requests``,
    ``cold_starts`` and ``environments`` as observed (``None`` when the trace cannot tell) and
    simulated (``sim_cold_starts``, ``sim_environments``), and ``agreement``: the fraction of
    requests both call cold or both call warm (``None`` without per-request cold flags).

    Simulated environments are the distinct ``environment`` ids of the requests when the result
    has that column (docs/model.md §3.1), else ``environments_created``."""

    functions: list[dict[str, Any]]
    total: dict[str, Any]

    def error(self, figure: str) -> float | None:
        """The relative error of the simulated total `figure` (``"cold_starts"`` or
        ``"environments"``) against the observed one, or ``None`` when the trace cannot tell
        or observed none."""
        observed = self.total[figure]
        if observed is None or observed == 0:
            return None
        return float(self.total[f"sim_{figure}"] / observed - 1)

    def table(self) -> str:
        """The comparison as a text table, one row per function and a total row."""
        from .._report import format_table  # the report module imports the scenarios, which import traces

        heads = ["function", "requests", "cold obs", "cold sim", "envs obs", "envs sim", "agreement"]
        def row(name: str, d: dict[str, Any]) -> list[Any]:
            agreement = d["agreement"]
            return [name, d["requests"], d["cold_starts"], d["sim_cold_starts"], d["environments"],
                    d["sim_environments"], None if agreement is None else f"{agreement:.4f}"]
        rows = [row(d["function"], d) for d in self.functions]
        rows.append(row("total", self.total))
        return format_table(heads, rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain values, JSON-ready."""
        return {"functions": self.functions, "total": self.total}


def compare(trace: Trace, result: Result) -> Comparison:
    n = len(trace.workload)
    outcome = result.requests.get("outcome")
    if outcome is None or len(outcome) != n:
        raise UsageError(f"Trace.compare needs the Result of running this trace's workload ({n} requests) "
                         "with per-request rows")
    if trace.rate != 1.0:
        warnings.warn(ReplayWarning(
            f"the trace was scaled ({trace.rate:g} × its arrival rate): its observed figures are those of "
            "the recorded traffic, not of the replayed one"), stacklevel=3)
    obs = trace.observed
    sim_cold = result.requests["cold_starts"] > 0
    environment = result.requests.get("environment")
    function = trace.workload.function
    figures = obs.function_figures()
    n_functions = len(figures)
    order = np.argsort(function, kind="stable")
    bounds = np.searchsorted(function[order], np.arange(n_functions + 1))
    sim_colds = np.bincount(function, weights=sim_cold, minlength=n_functions)
    agree = None if obs.cold is None else np.bincount(function, weights=obs.cold == sim_cold, minlength=n_functions)
    rows = []
    for i, fig in enumerate(figures):
        mine = order[bounds[i]:bounds[i + 1]]
        if environment is not None:
            ids = environment[mine]
            sim_envs = int(len(np.unique(ids[ids >= 0])))
        else:
            sim_envs = int(result.functions["environments_created"][i])
        rows.append({
            "function": fig["function"],
            "requests": fig["requests"],
            "cold_starts": fig["cold_starts"],
            "sim_cold_starts": int(sim_colds[i]),
            "environments": fig["environments"],
            "sim_environments": sim_envs,
            "agreement": None if agree is None or not fig["requests"] else float(agree[i] / fig["requests"]),
        })
    def total(key: str) -> int | None:
        values = [r[key] for r in rows]
        return None if any(v is None for v in values) else int(sum(values))
    all_envs = None
    if environment is not None:
        all_envs = int(len(np.unique(environment[environment >= 0])))
    totals = {
        "function": "total",
        "requests": n,
        "cold_starts": obs.cold_starts,
        "sim_cold_starts": int(sim_cold.sum()),
        "environments": obs.environments,
        "sim_environments": all_envs if all_envs is not None else total("sim_environments"),
        "agreement": None if obs.cold is None or n == 0 else float(np.mean(obs.cold == sim_cold)),
    }
    return Comparison(rows, totals)

"""Hand-built :class:`lambda_core.Metrics` for the report's tests: every series of the catalog
zero, then the few a test sets, so that a picture's content is known without a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import lambda_core as lc
from lambda_core._model.metric_catalog import specs_at

Values = Sequence[float]


def metrics(n_periods: int, functions: Sequence[str], *, period_s: float = 60.0,
            horizon: float | None = None, streams: Sequence[tuple[str, str]] = (),
            queues: Sequence[tuple[str, str]] = (),
            function: Mapping[str, Mapping[tuple[str, str], Values]] | None = None,
            account: Mapping[tuple[str, str], Values] | None = None,
            mapping: Mapping[str, Mapping[tuple[str, str], Values]] | None = None) -> lc.Metrics:
    """A Metrics of `n_periods` periods: `function[name][(metric, statistic)]`,
    `account[...]` and `mapping[source][...]` set series (engine-level ones: the account's sums
    follow from the functions'); every other series is zero. `streams` and `queues` are
    (source, function) pairs."""
    sources = [*streams, *queues]
    kinds = ["stream"] * len(streams) + ["queue"] * len(queues)
    engine: dict[str, dict[tuple[str, str], Any]] = {"function": {}, "account": {}, "mapping": {}}
    for level, rows in (("function", len(functions)), ("mapping", len(sources))):
        for m in specs_at(level):  # type: ignore[arg-type]
            if m.levels[level] == "engine":  # type: ignore[index]
                for stat in m.statistics_at(level):  # type: ignore[arg-type]
                    dtype = np.int64 if m.unit == "Count" and stat in ("Sum", "Maximum") else np.float64
                    engine[level][m.name, stat] = np.zeros((rows, n_periods), dtype=dtype)
    for m in specs_at("account"):
        if m.levels["account"] == "engine":
            for stat in m.statistics_at("account"):
                engine["account"][m.name, stat] = np.zeros(n_periods, dtype=np.float64 if stat == "Average" else np.int64)
    for name, series in (function or {}).items():
        i = list(functions).index(name)
        for key, values in series.items():
            engine["function"][key][i] = values
    for key, values in (account or {}).items():
        engine["account"][key][:] = values
    for source, series in (mapping or {}).items():
        i = [s for s, _ in sources].index(source)
        for key, values in series.items():
            engine["mapping"][key][i] = values
    return lc.Metrics(period_s, n_periods * period_s if horizon is None else horizon, n_periods,
                      list(functions), [s for s, _ in sources], [f for _, f in sources], kinds,
                      engine, claimed_offset=0, provisioned=[None] * len(functions))


def result(m: lc.Metrics | None, functions: Sequence[str]) -> lc.Result:
    """A Result around `m` with zero whole-run counters."""
    n = len(functions)
    keys = ("invocations", "errors", "timeouts", "throttles", "throttles_reserved", "throttles_unreserved",
            "throttles_scaling", "cold_starts", "max_concurrency", "environments_created",
            "provisioned_invocations", "spillover_invocations", "async_events_received",
            "async_events_dropped", "throttles_rate", "throttles_reserved_rate", "conflicts_pending",
            "conflicts_inactive", "eni_failures", "payloads_too_large")
    columns = {k: np.zeros(n, dtype=np.int64) for k in keys}
    columns["avg_environments"] = np.zeros(n)
    return lc.Result(requests={"outcome": np.zeros(0, dtype=np.int8)}, functions=columns,
                     account={"max_concurrency": 0, "max_unreserved_concurrency": 0, "avg_environments": 0.0},
                     horizon=0.0 if m is None else m.horizon, function_names=tuple(functions), metrics=m)

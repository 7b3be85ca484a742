"""Usage for the bill's tests, computed here from a workload's description (not by the engine),
and a Metrics object built by hand from per-period counters."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

import lambda_core as lc
from lambda_core._model.metric_catalog import specs_at


def usage(invocations: int, cold_starts: int = 0, billed_ms: int = 0, provisioned_ms: int = 0,
          provisioned_cold_starts: int = 0, init_s: float = 0.5) -> dict:
    """One function's whole-run counters, as Result.functions holds them; each cold start paid
    `init_s`."""
    init_us = round(init_s * 1e6)
    return {"invocations": [invocations], "cold_starts": [cold_starts],
            "provisioned_cold_starts": [provisioned_cold_starts],
            "billed_duration_ms": [billed_ms], "provisioned_billed_duration_ms": [provisioned_ms],
            "init_duration_us": [init_us * cold_starts],
            "provisioned_init_duration_us": [init_us * provisioned_cold_starts]}


def stack(*usages: Mapping[str, Sequence[int]]) -> dict:
    return {k: [u[k][0] for u in usages] for k in usages[0]}


def billed_ms(seconds: float) -> int:
    """One invocation's billed milliseconds: rounded up to the next millisecond."""
    return math.ceil(round(seconds * 1e6) / 1000)


def metrics(functions: Sequence[lc.Function], period_s: float, horizon: float,
            per_period: Mapping[str, np.ndarray]) -> lc.Metrics:
    """A Metrics whose function series are `per_period` (metric name → (functions, periods)
    array), every other series zero."""
    n_f = len(functions)
    n_p = next(iter(per_period.values())).shape[1]
    engine: dict = {"function": {}, "account": {}, "mapping": {}}
    for m in specs_at("function"):
        for s in m.statistics_at("function"):
            engine["function"][m.name, s] = np.asarray(per_period.get(m.name, np.zeros((n_f, n_p), np.int64)))
    for m in specs_at("account"):
        for s in m.statistics_at("account"):
            engine["account"][m.name, s] = np.zeros(n_p, np.int64)
    return lc.Metrics(period_s, horizon, n_p, [f.name for f in functions], [], [], [], engine, 0,
                      [f.provisioned_concurrency for f in functions])

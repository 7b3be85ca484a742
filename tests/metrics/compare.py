"""Comparing an engine run's per-period series (`Result.metrics`) with the metrics oracle's
(tests/oracle/metrics.py), with the tolerances of issue 11: counts and maxima exactly,
averages to 1e-9 relative, Duration's percentiles (histograms in the engine) within 1 %."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._model.metric_catalog import PERCENTILES, specs_at


# statistics compared to 1e-9 relative: averages, and sums of seconds (floats)
APPROXIMATE = {("EnvironmentsAlive", "Average"), ("Duration", "Average"), ("AsyncEventAge", "Average"),
               ("IdleEnvironmentSeconds", "Sum"), ("ProvisionedConcurrencyUtilization", "Maximum")}
# statistics that have no value in a period without a sample
SAMPLED = {"Duration", "AsyncEventAge", "IteratorAge"}


def oracle_config(account: lc.Account, functions: list[lc.Function]) -> tuple[dict, list[dict]]:
    """The reference model's account and functions for the engine's."""
    acct = {"concurrency_limit": account.concurrency_limit, "unreserved_min": account.unreserved_min,
            "scaling": account.scaling, "scaling_burst": account.burst or None,
            "token_cost_us": account.token_cost_us or None}
    fns = [{"reserved_concurrency": f.reserved_concurrency, "provisioned_concurrency": f.provisioned_concurrency,
            "timeout_s": f.timeout_s, "init_s": f.init_s, "idle_timeout_s": f.idle_timeout_s,
            "provisioned_ready_s": f.provisioned_ready_s, "max_retry_attempts": f.max_retry_attempts,
            "max_event_age_s": f.max_event_age_s, "on_success": f.on_success, "on_failure": f.on_failure,
            "dead_letter_queue": f.dead_letter_queue} for f in functions]
    return acct, fns


def disagreements(metrics: lc.Metrics, ref: dict, names: list[str], sources: list[str] = ()) -> list[str]:
    """Every (set, metric, statistic, period) where the engine's series and the oracle's differ
    beyond the tolerance, as readable lines (empty: they agree). `sources`: the mappings'
    source names, in the oracle's mapping order, to compare too (a set compares the metrics its kind
    of source has)."""
    out: list[str] = []
    if metrics.n_periods != ref["n"]:
        out.append(f"n_periods engine {metrics.n_periods} oracle {ref['n']}")
        return out
    if metrics.horizon != ref["horizon"]:
        out.append(f"horizon engine {metrics.horizon} oracle {ref['horizon']}")
    # k·P in floating point (the engine's arange · P) or on the µs grid (k·P µs / 1e6): the spec
    # fixes no rounding of the timestamps, so they agree to an ulp or two
    if not np.allclose(metrics.timestamps, ref["timestamps"], rtol=1e-12, atol=0):
        out.append(f"timestamps engine {metrics.timestamps.tolist()} oracle {ref['timestamps']}")
    sets = [("account", metrics.account, ref["account"], "account")]
    sets += [(name, metrics.function(name), ref["function"][i], "function") for i, name in enumerate(names)]
    sets += [(source, metrics.mapping(source), ref["mapping"][i], "mapping") for i, source in enumerate(sources)]
    for label, got, want, level in sets:
        for spec in specs_at(level):
            if level == "mapping" and spec.name not in got:
                continue  # another kind of source's metric
            for stat in spec.statistics_at(level):
                e = np.asarray(got[spec.name, stat], dtype=np.float64)
                o = want[spec.name, stat]
                for k, (ev, ov) in enumerate(zip(e.tolist(), o)):
                    if not agree(spec.name, stat, ev, ov):
                        out.append(f"{label} {spec.name}/{stat} period {k}: engine {ev!r} oracle {ov!r}"
                                   f" (engine {e.tolist()} oracle {list(o)})")
                        break
    return out


def agree(name: str, stat: str, engine: float, oracle: float) -> bool:
    if name in SAMPLED and math.isnan(oracle):
        # no sample in the period: the spec leaves the value open; accept what CloudWatch would
        # show (nothing, NaN) or the zero an array keeps
        return math.isnan(engine) or engine == 0.0
    if stat in PERCENTILES:
        return abs(engine - oracle) <= 0.01 * abs(oracle) + 1e-9
    if (name, stat) in APPROXIMATE:
        return math.isclose(engine, oracle, rel_tol=1e-9, abs_tol=1e-12)
    return engine == oracle

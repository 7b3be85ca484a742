"""The one place that knows the shapes the compiled engine (``lambda_core._core``) speaks.

Configuration goes in as one named record (:func:`engine_config` builds an
:class:`~lambda_core._engine_config.EngineConfig` from the validated model; ``_core.Engine``
reads it field by field) and results come back as dicts of columns named by the engine, reshaped
here into what the API shows (:func:`record_columns`, :func:`mapping_report`). Nothing else in
the package builds an engine record or unpacks an engine dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core
from ._engine_config import (
    AccountConfig,
    ClientRetries,
    DistributionConfig,
    EngineConfig,
    FunctionConfig,
    ScalingConfig,
    VpcConfig,
)
from ._model import SOURCE_KINDS, Account, EventSourceMapping, Function, Metrics, PoolPlan, RetryPolicy
from ._model.distributions import Distribution, Empirical, LogNormal, Uniform
from ._model.account import REQUESTS_PER_SECOND_PER_CONCURRENCY
from ._model.function import INIT_LIMIT_S
from ._model.vpc import VpcPlan, plan_vpcs

__all__ = ["engine_config", "record_columns", "mapping_report", "metrics", "engine_seconds",
           "trace_columns"]

# the scaling modes Account keeps (None: no limit) as the engine's buckets
_PER_FUNCTION = {"current": True, "legacy": False}


def engine_config(
    account: Account,
    plan: PoolPlan,
    functions: Sequence[Function],
    routing: str,
    client_retries: RetryPolicy | None,
    seed: int,
    mappings: Sequence[EventSourceMapping],
    destination_names: Sequence[str],
    metrics_period_s: float | None = None,
) -> EngineConfig:
    """The engine's record of a validated configuration; ``routing`` is ``"newest"``, ``"mru"``
    or ``"oldest"``, destinations are numbered in ``destination_names`` order and event sources
    in ``mappings`` order (one mapping per source)."""
    index = {name: i for i, name in enumerate(destination_names)}

    def destination(name: str | None) -> int | None:
        return None if name is None else index[name]

    names = [f.name for f in functions]
    legacy = account.scaling == "legacy"
    # each kind's mapping records, in the EngineConfig field the kind names
    kind_mappings: dict[str, list[Any]] = {cls.ENGINE_MAPPINGS: [] for cls in SOURCE_KINDS}
    for i, m in enumerate(mappings):  # i: the source's index
        kind_mappings[m.source.ENGINE_MAPPINGS].append(m.source.engine_mapping(
            m, source=i, function=names.index(m.function), destination=destination,
            legacy=legacy))
    vpc_plans, eni_quotas = plan_vpcs(
        account.vpc_networking, account.eni_quota, account.eni_ready_s, functions)

    def vpc(p: VpcPlan | None) -> VpcConfig | None:
        if p is None:
            return None
        hyperplane = p.eni_pool is None
        return VpcConfig(
            active_from_s=p.active_from_s, no_eni=p.no_eni,
            inactive_after_s=account.inactive_after_s if hyperplane else None,
            eni_ready_s=account.eni_ready_s, eni_pool=p.eni_pool,
            eni_init_s=0.0 if hyperplane else account.eni_init_s)

    scaling = None if account.scaling is None else ScalingConfig(
        per_function=_PER_FUNCTION[account.scaling], burst=account.burst,
        cost_us=account.token_cost_us)
    return EngineConfig(
        account=AccountConfig(
            concurrency_limit=account.concurrency_limit,
            unreserved_capacity=plan.unreserved_capacity,
            scaling=scaling,
            requests_per_concurrency=(
                REQUESTS_PER_SECOND_PER_CONCURRENCY if account.invocation_rate_limit else None),
        ),
        functions=tuple(
            FunctionConfig(
                reserved=f.reserved_concurrency, provisioned=f.provisioned_concurrency or 0,
                timeout_s=f.timeout_s, init=_distribution(f.init_s, INIT_LIMIT_S),
                keep_alive=_distribution(f.idle_timeout_s, float(_core.LIMITS["seconds"].max)),
                max_lifetime_s=f.max_lifetime_s, warm_at_start=f.warm_at_start,
                provisioned_ready_s=f.provisioned_ready_s, max_retry_attempts=f.max_retry_attempts,
                max_event_age_s=float(f.max_event_age_s), on_success=destination(f.on_success),
                on_failure=destination(f.on_failure),
                dead_letter_queue=destination(f.dead_letter_queue),
                traced=f.tracing == "Active",
                vpc=vpc(p),
                hangs=f.hangs,
            )
            for f, p in zip(functions, vpc_plans)
        ),
        routing=routing,
        destinations=len(destination_names),
        client_retries=None if client_retries is None else ClientRetries(
            max_attempts=client_retries.max_attempts, base_s=client_retries.base_s,
            cap_s=client_retries.cap_s),
        seed=seed,
        sources=tuple(m.source.engine_source() for m in mappings),
        **{field: tuple(records) for field, records in kind_mappings.items()},
        metrics_period_s=metrics_period_s,
        eni_quotas=tuple(eni_quotas),
    )


def _distribution(d: float | Distribution, cap_s: float) -> DistributionConfig:
    """A fixed or drawn duration as the engine takes it; a log-normal's draws capped at `cap_s`."""
    if isinstance(d, Uniform):
        return DistributionConfig("uniform", (d.low, d.high))
    if isinstance(d, Empirical):
        return DistributionConfig("empirical", d.values)
    if isinstance(d, LogNormal):
        return DistributionConfig("lognormal", (d.median_s,), sigma=d.sigma, cap_s=cap_s)
    if isinstance(d, Distribution):
        raise TypeError(f"the engine does not know the distribution {d!r}")
    return DistributionConfig("fixed", (d,))


def metrics(series: Mapping[str, Any], functions: Sequence[Function],
            mappings: Sequence[EventSourceMapping], plan: PoolPlan) -> Metrics:
    """The engine's series (``Engine.series``) named: its flat arrays shaped (entity,
    period), keyed by (metric, statistic), with what the catalog derives from the
    configuration: ``ClaimedAccountConcurrency``'s constant part (every reservation, and the
    provisioned concurrency of functions without one) and each function's provisioned
    concurrency (for ``ProvisionedConcurrencyUtilization``)."""
    n = int(series["n_periods"])
    engine: dict[str, dict[tuple[str, str], npt.NDArray[Any]]] = {}
    for level, entities in (("function", len(functions)), ("account", None), ("mapping", len(mappings))):
        table: dict[tuple[str, str], npt.NDArray[Any]] = {}
        for key, values in series[level].items():
            name, statistic = key.split(":")
            array = np.asarray(values)
            if array.dtype == np.uint64:
                array = array.view(np.int64)  # counts far below 2**63: numpy's usual integers
            table[name, statistic] = array if entities is None else array.reshape(entities, n)
        engine[level] = table
    claimed = sum(f.reserved_concurrency if f.reserved_concurrency is not None else (f.provisioned_concurrency or 0)
                  for f in functions)
    return Metrics(
        period_s=series["period"], horizon=series["horizon"], n_periods=n,
        function_names=[f.name for f in functions], source_names=[m.source.name for m in mappings],
        source_functions=[m.function for m in mappings], source_kinds=[m.source.METRIC_KIND for m in mappings],
        engine=engine, claimed_offset=claimed, provisioned=[f.provisioned_concurrency for f in functions],
        account_settings=plan.account_settings(), reserved=[f.reserved_concurrency for f in functions],
    )


def record_columns(
    mapping: EventSourceMapping, columns: dict[str, npt.NDArray[Any]]
) -> dict[str, npt.NDArray[Any]]:
    """The engine's record columns as the API shows them: without those the source's kind
    hides (a stream's ``receives``, which for it is ``attempts``)."""
    for name in mapping.source.HIDDEN_RECORD_COLUMNS:
        del columns[name]
    return columns


def mapping_report(
    mappings: Sequence[EventSourceMapping], reports: Sequence[Any]
) -> dict[str, dict[str, Any]]:
    """The engine's per-mapping counters by source name, each without the figures its kind
    does not have (a queue's iterator age, a stream's ramp slots)."""
    out = {}
    for m, report in zip(mappings, reports):
        drop = m.source.HIDDEN_COUNTERS
        out[m.source.name] = {k: value for k, value in report.items() if k not in drop}
    return out


def engine_seconds(seconds: float) -> str:
    """``seconds`` as the engine prints an ``f64`` (Rust's ``Display``: the shortest text that
    reads back, never an exponent, no ``.0`` on whole numbers), for messages that must read as
    the engine's."""
    text = format(Decimal(repr(seconds)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def trace_columns(log: Mapping[str, Any]) -> dict[str, npt.NDArray[Any]]:
    """The engine's trace rows (``Engine.drain_traces``) as the API shows them
    (:attr:`Result.traces`): the columns without the running ``total``."""
    return {k: v for k, v in log.items() if k != "total"}

"""The bill of a run (docs/billing.md): :class:`Bill`, what each function
cost by category, for the whole run and, beside the metrics, per period.

Every charge is a quantity (requests, GB-s) times a rate. The quantities come from the
engine's counters: invocations, cold starts and the billed milliseconds (init + handler of
each invocation, rounded up to the millisecond, a timeout at its timeout), in total and on
provisioned environments. The rates come from :class:`~lambda_core.Prices`; the free tier and
the monthly tiers make one average rate per architecture for the run, so that every charge is
linear in its quantity and the per-period series add up to the whole-run figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _core
from ..errors import UsageError
from .function import Function
from .metric_catalog import specs_at
from .metrics import Metrics
from .prices import Prices

__all__ = ["Bill", "CATEGORIES", "QUANTITIES", "USAGE_COUNTERS", "provisioned_env_us", "usage_cost"]

#: The bill's categories of charges, in USD.
CATEGORIES = ("requests", "duration", "init", "provisioned", "ephemeral")
#: The billed quantities kept per function (:meth:`Bill.quantities`).
QUANTITIES = (
    "requests", "on_demand_gb_s", "init_gb_s", "provisioned_duration_gb_s",
    "provisioned_allocated_gb_s", "ephemeral_gb_s",
)
#: The engine's whole-run counters a bill is computed from (``Result.functions``).
USAGE_COUNTERS = ("invocations", "cold_starts", "provisioned_cold_starts", "billed_duration_ms",
                  "provisioned_billed_duration_ms", "init_duration_us",
                  "provisioned_init_duration_us")
# the per-period series of the same counters (the catalog's Sum metrics that add up to them)
_SERIES = {m.counter: m.name for m in specs_at("function") if m.counter in USAGE_COUNTERS}
_R, _D, _I, _P, _E = range(5)


class Bill:
    """What a run costs at a price list: per function and category (``requests``,
    ``duration``, ``init``, ``provisioned``, ``ephemeral``), in USD, unrounded
    (docs/billing.md). :meth:`Result.cost` builds one; :meth:`price` prices any usage.

    - :attr:`total`: the whole run; :meth:`totals`: by category.
    - :meth:`function`: one function's categories and ``total``; :attr:`functions`: names.
    - :meth:`series`: per period, beside :attr:`Result.metrics` (``None`` when the run kept no
      metrics): the same categories per function or in total, adding up to the whole run.
    - :meth:`quantities`: the billed quantities (requests, GB-s) behind the charges.
    """

    def __init__(self, prices: Prices, function_names: Sequence[str], architectures: Sequence[str],
                 costs: npt.NDArray[np.float64], quantities: npt.NDArray[np.float64],
                 timestamps: npt.NDArray[np.float64] | None = None,
                 series: npt.NDArray[np.float64] | None = None) -> None:
        #: The price list the bill was computed with.
        self.prices = prices
        #: The functions' names, in the simulator's order.
        self.functions: tuple[str, ...] = tuple(function_names)
        #: Each function's architecture, in the same order.
        self.architectures: tuple[str, ...] = tuple(architectures)
        self._costs = _frozen(costs)            # (functions, categories)
        self._quantities = _frozen(quantities)  # (functions, quantities)
        #: The start of each period (seconds), as :attr:`Metrics.timestamps`; ``None`` without
        #: metrics.
        self.timestamps = None if timestamps is None else _frozen(timestamps)
        self._series = None if series is None else _frozen(series)  # (functions, categories, periods)

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def price(cls, functions: Sequence[Function], usage: Mapping[str, npt.ArrayLike], horizon: float,
              prices: Prices | None = None, metrics: Metrics | None = None,
              provisioned_steps: Sequence[Sequence[tuple[float, int]]] | None = None) -> Bill:
        """The bill of `usage` (per function, in `functions`' order: the counters of
        :data:`USAGE_COUNTERS`, as ``Result.functions`` holds them) over a run of `horizon`
        seconds, at `prices` (default ``Prices()``); with `metrics` (whose function series
        hold the same counters per period), also the per-period series. `provisioned_steps`:
        per function, the ``(time, environments)`` steps of its provisioned environments usable
        after changes while running (docs/model.md §16; empty: none); such a function's
        allocation is charged for the environments usable over time, not rounded up."""
        prices = Prices() if prices is None else prices
        if not isinstance(prices, Prices):
            raise TypeError(f"prices must be a lambda_core.Prices, got {type(prices).__name__}")
        functions = tuple(functions)
        missing = [k for k in USAGE_COUNTERS if k not in usage]
        if missing:
            raise UsageError(f"the usage lacks the counters {', '.join(missing)} the bill needs")
        counts = {k: np.asarray(usage[k], dtype=np.int64).reshape(-1) for k in USAGE_COUNTERS}
        for k, a in counts.items():
            if len(a) != len(functions):
                raise UsageError(f"usage[{k!r}] has {len(a)} values for {len(functions)} functions")
        rates = _rates(functions, counts, prices)
        horizon_us = _core.to_micros(float(horizon))
        allocated_us = _allocated_us(horizon_us, prices)
        steps = [()] * len(functions) if provisioned_steps is None else [tuple(x) for x in provisioned_steps]
        env_us = np.array([provisioned_env_us(f, st, 0, horizon_us) if st else allocated_us * (f.provisioned_concurrency or 0)
                           for f, st in zip(functions, steps)], dtype=np.float64)
        q = _quantities(functions, counts, env_us)
        costs = _charges(functions, q, rates)
        quantities = np.column_stack([
            counts["invocations"].astype(np.float64),
            q["od_handler"] + q["od_init"], q["od_init"] + q["pc_init"], q["pc_handler"] + q["pc_init"],
            q["allocated"], q["ephemeral"],
        ]) if functions else np.zeros((0, len(QUANTITIES)))
        timestamps = series = None
        if metrics is not None:
            timestamps = metrics.timestamps
            series = _series(functions, metrics, rates, horizon_us, allocated_us, steps)
        return cls(prices, [f.name for f in functions], [f.architecture for f in functions],
                   costs, quantities, timestamps, series)

    # -- reading -------------------------------------------------------------------------------

    @property
    def total(self) -> float:
        """The whole run's cost, in USD."""
        return float(self._costs.sum())

    def totals(self) -> dict[str, float]:
        """The whole run's cost by category, and ``total``, in USD."""
        return _named(self._costs.sum(axis=0), self.total)

    def function(self, name: str) -> dict[str, float]:
        """One function's cost by category, and ``total``, in USD."""
        row = self._costs[self._index(name)]
        return _named(row, float(row.sum()))

    def quantities(self, name: str) -> dict[str, float]:
        """One function's billed quantities: ``requests`` (invocations), ``on_demand_gb_s``
        (init + handler on on-demand environments), ``init_gb_s`` (init, wherever it ran),
        ``provisioned_duration_gb_s`` (init + handler on provisioned environments),
        ``provisioned_allocated_gb_s`` (configured time, rounded up, × environments × memory)
        and ``ephemeral_gb_s`` (storage above 512 MB × billed duration). The free tier is not
        taken off."""
        return {k: float(x) for k, x in zip(QUANTITIES, self._quantities[self._index(name)])}

    def series(self, function: str | None = None) -> dict[str, npt.NDArray[np.float64]]:
        """Per period (one value per :attr:`timestamps`), the cost of `function` (default:
        every function) by category, and ``total``, in USD. The periods add up to the whole
        run's figures; provisioned concurrency is charged in the periods it was configured
        in, and the rounding up of its time (to 5 minutes) in the last period."""
        if self._series is None:
            raise UsageError("this bill has no series: the run kept no metrics (build the Simulator "
                             "with metrics_period_s)")
        block = self._series.sum(axis=0) if function is None else self._series[self._index(function)]
        out = {c: _frozen(block[i]) for i, c in enumerate(CATEGORIES)}
        out["total"] = _frozen(block.sum(axis=0))
        return out

    def to_pandas(self, per_period: bool = False) -> Any:
        """The bill as a ``pandas.DataFrame`` (needs the ``pandas`` extra): indexed by
        function, with a column per category and ``total``; with ``per_period=True``, the
        series in long form (columns ``timestamp``, ``FunctionName``, ``category``, ``value``)."""
        import pandas as pd  # optional dependency: pip install lambda-core[pandas]

        if not per_period:
            frame = pd.DataFrame(self._costs, columns=list(CATEGORIES),
                                 index=pd.Index(self.functions, name="function"))
            frame["total"] = self._costs.sum(axis=1)
            return frame
        if self._series is None or self.timestamps is None:
            raise UsageError("this bill has no series: the run kept no metrics (build the Simulator "
                             "with metrics_period_s)")
        n_f, n_c, n_p = self._series.shape
        return pd.DataFrame({
            "timestamp": np.tile(self.timestamps, n_f * n_c),
            "FunctionName": np.repeat(np.asarray(self.functions, dtype=object), n_c * n_p),
            "category": np.tile(np.repeat(np.asarray(CATEGORIES, dtype=object), n_p), n_f),
            "value": self._series.reshape(-1),
        })

    def _index(self, name: str) -> int:
        try:
            return self.functions.index(name)
        except ValueError:
            raise KeyError(f"no function named {name!r}") from None

    def __repr__(self) -> str:
        return f"Bill(${self.total:.2f} for {len(self.functions)} functions at {self.prices.region} prices of {self.prices.as_of})"


# -- the computation ---------------------------------------------------------------------------


def _rates(functions: Sequence[Function], counts: Mapping[str, npt.NDArray[np.int64]],
           prices: Prices) -> npt.NDArray[np.float64]:
    """Per function, USD per unit of (request, on-demand GB-s, provisioned-duration GB-s,
    allocated GB-s, ephemeral GB-s), the free tier and the monthly tiers applied."""
    n = len(functions)
    out = np.zeros((n, 5))
    if not n:
        return out
    gb = np.array([f.memory_mb / 1024 for f in functions])
    on_demand = (counts["billed_duration_ms"] - counts["provisioned_billed_duration_ms"]) / 1000 * gb
    requests = counts["invocations"].astype(np.float64)
    # the free tier: shared by both architectures, for functions without provisioned
    # concurrency, taken off pro rata of what each of them used
    free = np.array([prices.free_tier and f.provisioned_concurrency is None for f in functions])
    paid_requests = np.where(free, _paid_fraction(requests[free].sum(), prices.free_requests), 1.0)
    paid_gb_s = np.where(free, _paid_fraction(on_demand[free].sum(), prices.free_gb_s), 1.0)
    archs = np.array([f.architecture for f in functions])
    for arch in set(archs.tolist()):
        mine = archs == arch
        chargeable = float((on_demand * paid_gb_s)[mine].sum())
        already = prices.monthly_gb_s[arch]
        if chargeable > 0:
            average = prices.duration_charge(arch, chargeable, already) / chargeable
        else:  # nothing to price: the marginal rate (what the next GB-s would cost)
            average = prices.duration_charge(arch, 1.0, already)
        out[mine, 0] = prices.requests_per_million[arch] / 1e6 * paid_requests[mine]
        out[mine, 1] = average * paid_gb_s[mine]
        out[mine, 2] = prices.provisioned_duration_per_gb_s[arch]
        out[mine, 3] = prices.provisioned_per_gb_s[arch]
        out[mine, 4] = prices.ephemeral_per_gb_s[arch]
    return out


def usage_cost(functions: Sequence[Function], usage: Mapping[str, npt.ArrayLike], env_s: npt.ArrayLike,
               prices: Prices) -> npt.NDArray[np.float64]:
    """Per function, the USD of `usage` (the counters of :data:`USAGE_COUNTERS` so far, per
    function) with `env_s` environment-seconds of provisioned concurrency allocated: the
    bill's charges (:meth:`Bill.price`) without a horizon to round the allocation up to. The
    difference of two calls is the cost of the stretch between, tiers included."""
    counts = {k: np.asarray(usage[k], dtype=np.int64).reshape(-1) for k in USAGE_COUNTERS}
    env_us = np.asarray(env_s, dtype=np.float64).reshape(-1) * 1e6
    charges = _charges(functions, _quantities(functions, counts, env_us), _rates(functions, counts, prices))
    return np.asarray(charges.sum(axis=1), dtype=np.float64)


def _paid_fraction(used: float, free: float) -> float:
    return 1.0 if used <= 0 else 1.0 - min(free, used) / used


def _allocated_us(horizon_us: int, prices: Prices) -> int:
    """Provisioned concurrency's billed time, in µs: configured from 0 to the horizon,
    rounded up to the step."""
    step = _core.to_micros(prices.provisioned_step_s)
    return horizon_us if step == 0 else -(-horizon_us // step) * step


def provisioned_env_us(f: Function, steps: Sequence[tuple[float, int]], lo_us: int, hi_us: int) -> float:
    """∫ provisioned environments usable dt over [lo, hi) in environment-µs: the configured
    count from 0, then each step's."""
    level, since, total = f.provisioned_concurrency or 0, 0, 0.0
    for t, n in steps:
        at = _core.to_micros(t)
        total += level * max(0, min(at, hi_us) - max(since, lo_us))
        level, since = n, at
    return total + level * max(0, hi_us - max(since, lo_us))


def _quantities(functions: Sequence[Function], counts: Mapping[str, npt.NDArray[np.int64]],
                env_us: npt.NDArray[np.float64]) -> dict[str, npt.NDArray[np.float64]]:
    """GB-s (and requests) of each kind, per function (rows) and, for per-period counts, per
    period (columns). Init is the engine's sum of the inits paid, at the provisioned rate for
    those on provisioned environments (which re-initialise only after a timeout); each invocation's
    rounding up to the millisecond (of init + handler together) is counted as handler time."""
    shape = (len(functions),) + (1,) * (counts["invocations"].ndim - 1)
    gb = np.array([f.memory_mb / 1024 for f in functions]).reshape(shape)
    extra_gb = np.array([max(0, f.ephemeral_storage_mb - 512) / 1024 for f in functions]).reshape(shape)
    billed = counts["billed_duration_ms"].astype(np.float64)
    on_prov = counts["provisioned_billed_duration_ms"].astype(np.float64)
    on_demand = billed - on_prov
    pc_init, od_init = _init_ms(counts)
    ms_to_gb_s = gb / 1000
    return {
        "od_handler": (on_demand - od_init) * ms_to_gb_s,
        "od_init": od_init * ms_to_gb_s,
        "pc_handler": (on_prov - pc_init) * ms_to_gb_s,
        "pc_init": pc_init * ms_to_gb_s,
        "allocated": env_us / 1e6 * gb,
        "ephemeral": billed / 1000 * extra_gb,
        "requests": counts["invocations"].astype(np.float64),
    }


def _init_ms(counts: Mapping[str, npt.NDArray[np.int64]]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Init time in ms on provisioned and on on-demand environments, from the engine's sums of
    the inits its cold starts paid (each drawn when ``init_s`` is a distribution)."""
    pc = counts["provisioned_init_duration_us"].astype(np.float64) / 1000
    return pc, counts["init_duration_us"].astype(np.float64) / 1000 - pc


def _charges(functions: Sequence[Function], q: Mapping[str, npt.NDArray[np.float64]],
             rates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """USD by category: (functions, categories), or (functions, categories, periods) for
    per-period quantities."""
    shape = (len(functions),) + (1,) * (q["requests"].ndim - 1)
    r = [rates[:, i].reshape(shape) for i in range(5)]
    return np.stack([
        q["requests"] * r[0],
        q["od_handler"] * r[1] + q["pc_handler"] * r[2],
        q["od_init"] * r[1] + q["pc_init"] * r[2],
        q["allocated"] * r[3],
        q["ephemeral"] * r[4],
    ], axis=1)


def _series(functions: Sequence[Function], metrics: Metrics, rates: npt.NDArray[np.float64],
            horizon_us: int, allocated_us: int,
            steps: Sequence[Sequence[tuple[float, int]]]) -> npt.NDArray[np.float64]:
    n_periods = metrics.n_periods
    if not functions:
        return np.zeros((0, len(CATEGORIES), n_periods))
    sets = [metrics.function(f.name) for f in functions]
    counts = {k: np.stack([np.asarray(s[name], dtype=np.int64) for s in sets]) for k, name in _SERIES.items()}
    # provisioned concurrency, configured from 0 to the horizon: each period's own time, and
    # the rounding up to the step in the last period (the one the configuration ends in)
    period_us = _core.to_micros(metrics.period_s)
    starts = np.arange(n_periods, dtype=np.int64) * period_us
    spread = np.clip(horizon_us - starts, 0, period_us)
    if n_periods:
        spread[-1] += allocated_us - int(spread.sum())
    env_us = np.array([
        [provisioned_env_us(f, st, int(a), int(min(a + period_us, horizon_us))) for a in starts] if st
        else spread * (f.provisioned_concurrency or 0)
        for f, st in zip(functions, steps)], dtype=np.float64).reshape(len(functions), n_periods)
    q = _quantities(functions, counts, env_us)
    return _charges(functions, q, rates)


def _named(values: npt.NDArray[np.float64], total: float) -> dict[str, float]:
    out = {c: float(x) for c, x in zip(CATEGORIES, values)}
    out["total"] = total
    return out


def _frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    view: npt.NDArray[Any] = a.view()
    view.flags.writeable = False
    return view

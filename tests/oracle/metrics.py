"""Pure-Python reference model (test oracle) of the per-period metrics of docs/model.md §10.

Written from the rules alone: the simulators of `invocations` (and of the event-source models,
which inherit its recording) log every execution, throttle, asynchronous receive and drop and
every environment's creation as they happen; this module cuts those logs into periods.

    series(sim, period_s) -> dict          (sim: an invocations.Simulator that has run)
    simulate_metrics(account, functions, workload, period_s, **simulate_kw) -> (result, series)

Series rules: periods of P cover [0, H), H = `until` when given, else the run's horizon (the
last resolution); n = max(1, ceil(H / P)), the last possibly partial; anything stamped at or
after the last period's start (H included) counts in the last period. Counts are stamped:
Invocations, Errors, Timeouts, ColdStarts, Provisioned*/Spillover, BilledDuration at the
start of the invocation; Throttles at the throttled attempt; AsyncEventsReceived at arrival;
AsyncEventsDropped at the drop; AsyncEventAge at the attempt that ran; Duration at the end
(invocations that ended by H). Maxima are exact: an execution occupies [start, end) (end
includes init); the level at an instant counts what started at it (and not a zero-length one
that already ended before a later start at that instant); an execution ending exactly at a
period's start is not in that period. Environments are alive from creation to expiry (or H).

Statistics without a sample in a period (Duration, AsyncEventAge, IteratorAge) are `math.nan`.
Mapping-level series (`_mapping_series`) come from the `mapping_log` of the stream and queue
models (tests/oracle/streams.py, tests/oracle/queues.py).
"""

from __future__ import annotations

import math

from .invocations import (
    ACCOUNT_LIMIT, ERROR, RESERVED_LIMIT, SCALING_RATE, TIMEOUT, Simulator, to_us,
)

PERCENTILES = {"p50": 0.50, "p90": 0.90, "p99": 0.99}
DURATION_STATS = ("Average", "Minimum", "Maximum", *PERCENTILES)
# function-level Sum series that the account sums, as (metric, whole-run counter or None)
SUMS = (
    ("Invocations", "invocations"), ("Errors", "errors"), ("Throttles", "throttles"),
    ("Timeouts", None), ("ColdStarts", "cold_starts"),
    ("ThrottlesReserved", "throttles_reserved"), ("ThrottlesUnreserved", "throttles_unreserved"),
    ("ThrottlesScaling", "throttles_scaling"),
    ("ThrottlesRate", "throttles_rate"), ("ThrottlesReservedRate", "throttles_reserved_rate"),
    ("ConflictsPending", "conflicts_pending"), ("ConflictsInactive", "conflicts_inactive"),
    ("EniFailures", "eni_failures"), ("PayloadsTooLarge", "payloads_too_large"),
    ("ProvisionedConcurrencyInvocations", "provisioned_invocations"),
    ("ProvisionedConcurrencySpilloverInvocations", "spillover_invocations"),
    ("AsyncEventsReceived", "async_events_received"), ("AsyncEventsDropped", "async_events_dropped"),
    ("BilledDuration", None), ("ProvisionedBilledDuration", None), ("ProvisionedColdStarts", None),
    ("InitDuration", "init_duration_us"), ("ProvisionedInitDuration", "provisioned_init_duration_us"),
    ("DeadLetterErrors", None), ("DestinationDeliveryFailures", None),
)
# docs/model.md §14's reason codes and §13–14's refusal outcomes
RATE_LIMIT, RESERVED_RATE_LIMIT = 4, 5
REASON_METRIC = {RESERVED_LIMIT: "ThrottlesReserved", ACCOUNT_LIMIT: "ThrottlesUnreserved",
                 SCALING_RATE: "ThrottlesScaling", RATE_LIMIT: "ThrottlesRate",
                 RESERVED_RATE_LIMIT: "ThrottlesReservedRate"}
# refusals that are not throttles, logged as (t, function, outcome) in the run's log["refusals"]
REFUSAL_METRIC = {8: "ConflictsPending", 9: "ConflictsInactive", 10: "EniFailures", 11: "PayloadsTooLarge"}


def horizon_us(sim: Simulator) -> int:
    """H: `until` when given, else the last resolution of a request (0 with none)."""
    if sim.until is not None:
        return sim.until
    return max((e for e in sim.end if e is not None), default=0)


def n_periods(h: int, p: int) -> int:
    return max(1, -(-h // p))


def nearest_rank(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q of the sample at or
    below it (ceil(q·n)-th in order, 1-based)."""
    k = max(1, math.ceil(q * len(sorted_values) - 1e-12))
    return sorted_values[k - 1]


def overlap(a: int, b: int, c: int, d: int) -> int:
    """Length of [a, b) ∩ [c, d)."""
    return max(0, min(b, d) - max(a, c))


class Periods:
    """The grid of periods of P µs over [0, H)."""

    def __init__(self, h: int, p: int):
        self.h, self.p = h, p
        self.n = n_periods(h, p)

    def index(self, t: int) -> int:
        return min(t // self.p, self.n - 1)

    def bounds(self, k: int) -> tuple[int, int]:
        """[start, end) of period k; the last ends at H (and is empty when H = 0)."""
        return k * self.p, (self.h if k == self.n - 1 else (k + 1) * self.p)

    def counts(self, times: list[int], weights: list[int] | None = None) -> list[int]:
        out = [0] * self.n
        for i, t in enumerate(times):
            out[self.index(t)] += 1 if weights is None else weights[i]
        return out

    def maxima(self, spans: list[tuple[int, int]], levels: list[tuple[int, int]]) -> list[int]:
        """Per period, the maximum level: the intervals [start, end) open across the period's
        start (start < ps < end; ending at ps is out), and the levels logged at instants in it."""
        out = [0] * self.n
        for k in range(1, self.n):
            ps = k * self.p
            out[k] = sum(1 for a, b in spans if a < ps < b)
        for t, level in levels:
            k = self.index(t)
            out[k] = max(out[k], level)
        return out

    def integrals(self, spans: list[tuple[int, int]]) -> list[int]:
        """Per period, Σ over intervals of their µs inside it (intervals clipped at H)."""
        out = [0] * self.n
        for a, b in spans:
            b = min(b, self.h)
            if b <= a:
                continue
            for k in range(self.index(a), self.index(max(a, b - 1)) + 1):
                out[k] += overlap(a, b, *self.bounds(k))
        return out

    def lengths(self) -> list[int]:
        return [b - a for a, b in (self.bounds(k) for k in range(self.n))]


def billed_ms(x: dict) -> int:
    """init + handler (a timeout at its timeout: handler is already cut there), rounded up to
    the millisecond, as billing does)."""
    return -(-(x["init"] + x["handler"]) // 1000)


def _duration_stats(grid: Periods, execs: list[dict]) -> dict[str, list[float]]:
    by_period: list[list[float]] = [[] for _ in range(grid.n)]
    for x in execs:
        if x["end"] <= grid.h:  # ended by H
            by_period[grid.index(x["end"])].append(x["handler"] / 1000)
    out: dict[str, list[float]] = {s: [] for s in DURATION_STATS}
    for values in by_period:
        values.sort()
        if not values:
            for s in DURATION_STATS:
                out[s].append(math.nan)
            continue
        out["Average"].append(math.fsum(values) / len(values))
        out["Minimum"].append(values[0])
        out["Maximum"].append(values[-1])
        for name, q in PERCENTILES.items():
            out[name].append(nearest_rank(values, q))
    return out


def _age_stats(grid: Periods, execs: list[dict]) -> tuple[list[float], list[float]]:
    by_period: list[list[float]] = [[] for _ in range(grid.n)]
    for x in execs:
        if x["age"] is not None:
            by_period[grid.index(x["start"])].append(x["age"] / 1000)
    avg = [math.fsum(v) / len(v) if v else math.nan for v in by_period]
    mx = [max(v) if v else math.nan for v in by_period]
    return avg, mx


def _function_series(sim: Simulator, grid: Periods, fi: int) -> dict:
    f = sim.fns[fi]
    log = sim.log
    execs = [x for x in log["executions"] if x["fn"] == fi]
    starts = [x["start"] for x in execs]
    s: dict[tuple[str, str], list] = {}

    def stamped(name: str, pred, weight=None) -> None:
        chosen = [x for x in execs if pred(x)]
        s[name, "Sum"] = grid.counts([x["start"] for x in chosen],
                                     None if weight is None else [weight(x) for x in chosen])

    s["Invocations", "Sum"] = grid.counts(starts)
    stamped("Errors", lambda x: x["outcome"] in (ERROR, TIMEOUT))
    stamped("Timeouts", lambda x: x["outcome"] == TIMEOUT)
    stamped("ColdStarts", lambda x: x["cold"])
    stamped("ProvisionedColdStarts", lambda x: x["cold"] and x["provisioned"])
    stamped("ProvisionedConcurrencyInvocations", lambda x: x["provisioned"])
    stamped("ProvisionedConcurrencySpilloverInvocations", lambda x: x["spillover"])
    stamped("BilledDuration", lambda x: True, billed_ms)
    stamped("ProvisionedBilledDuration", lambda x: x["provisioned"], billed_ms)
    stamped("InitDuration", lambda x: x["cold"], lambda x: x["init"])
    stamped("ProvisionedInitDuration", lambda x: x["cold"] and x["provisioned"], lambda x: x["init"])
    throttles = [(t, r) for t, g, r in log["throttles"] if g == fi]
    s["Throttles", "Sum"] = grid.counts([t for t, _ in throttles])
    for reason, name in REASON_METRIC.items():
        s[name, "Sum"] = grid.counts([t for t, r in throttles if r == reason])
    refusals = [(t, o) for t, g, o in log.get("refusals", []) if g == fi]
    for outcome, name in REFUSAL_METRIC.items():
        s[name, "Sum"] = grid.counts([t for t, o in refusals if o == outcome])
    s["AsyncEventsReceived", "Sum"] = grid.counts([t for t, g in log["received"] if g == fi])
    s["AsyncEventsDropped", "Sum"] = grid.counts([t for t, g in log["dropped"] if g == fi])
    s["DeadLetterErrors", "Sum"] = [0] * grid.n
    s["DestinationDeliveryFailures", "Sum"] = [0] * grid.n
    for stat, values in _duration_stats(grid, execs).items():
        s["Duration", stat] = values
    s["AsyncEventAge", "Average"], s["AsyncEventAge", "Maximum"] = _age_stats(grid, execs)

    spans = [(x["start"], x["end"]) for x in execs]
    s["ConcurrentExecutions", "Maximum"] = grid.maxima(spans, [(x["start"], x["level_fn"]) for x in execs])
    prov = [x for x in execs if x["provisioned"]]
    s["ProvisionedConcurrentExecutions", "Maximum"] = grid.maxima(
        [(x["start"], x["end"]) for x in prov], [(x["start"], x["level_provisioned"]) for x in prov])
    s["ProvisionedConcurrencyUtilization", "Maximum"] = [
        v / f.pc if f.pc else 0.0 for v in s["ProvisionedConcurrentExecutions", "Maximum"]]

    envs = f.provisioned_envs + f.on_demand_envs
    alive = [(e.created_at, math.inf if e.died_at is None else e.died_at) for e in envs]
    created = [(t, level) for g, t, level in log["created"] if g == fi]
    s["EnvironmentsAlive", "Maximum"] = grid.maxima(alive, created)
    alive_us = grid.integrals([(a, grid.h if b == math.inf else b) for a, b in alive])
    busy_us = grid.integrals(spans)
    s["_alive_us"] = alive_us  # for the account's average
    s["EnvironmentsAlive", "Average"] = [a / n if n else 0.0 for a, n in zip(alive_us, grid.lengths())]
    s["IdleEnvironmentSeconds", "Sum"] = [(a - b) / 1e6 for a, b in zip(alive_us, busy_us)]
    return s


def series(sim: Simulator, period_s: float, horizon_s: float | None = None) -> dict:
    """Every function- and account-level series of a finished run of `sim`, over [0, H) with H
    = `horizon_s` when given (the clock at which another implementation read them), else
    `horizon_us(sim)`:
    {"period_s", "horizon", "n", "timestamps", "function": [{(metric, statistic): [values]}],
    "account": {(metric, statistic): [values]}}."""
    grid = Periods(horizon_us(sim) if horizon_s is None else to_us(horizon_s), to_us(period_s))
    functions = [_function_series(sim, grid, i) for i in range(len(sim.fns))]
    log = sim.log
    execs = log["executions"]
    account: dict[tuple[str, str], list] = {}
    for name, _ in SUMS:
        account[name, "Sum"] = [sum(col) for col in zip(*(s[name, "Sum"] for s in functions))] \
            if functions else [0] * grid.n
    account["IdleEnvironmentSeconds", "Sum"] = [
        math.fsum(col) for col in zip(*(s["IdleEnvironmentSeconds", "Sum"] for s in functions))]
    alive_us = [sum(col) for col in zip(*(s.pop("_alive_us") for s in functions))]
    account["EnvironmentsAlive", "Average"] = [a / n if n else 0.0 for a, n in zip(alive_us, grid.lengths())]
    for stat, values in _duration_stats(grid, execs).items():
        account["Duration", stat] = values
    account["ConcurrentExecutions", "Maximum"] = grid.maxima(
        [(x["start"], x["end"]) for x in execs], [(x["start"], x["level_account"]) for x in execs])
    unres = [x for x in execs if x["unreserved"]]
    account["UnreservedConcurrentExecutions", "Maximum"] = grid.maxima(
        [(x["start"], x["end"]) for x in unres], [(x["start"], x["level_unreserved"]) for x in unres])
    offset = sum(f.rc for f in sim.fns if f.rc is not None) + sum(f.pc or 0 for f in sim.fns if f.rc is None)
    account["ClaimedAccountConcurrency", "Maximum"] = [
        v + offset for v in account["UnreservedConcurrentExecutions", "Maximum"]]
    return {"period_s": grid.p / 1e6, "horizon": grid.h / 1e6, "n": grid.n,
            "timestamps": [k * grid.p / 1e6 for k in range(grid.n)],
            "function": functions, "account": account, "mapping": _mapping_series(sim, grid)}


MAPPING_SUMS = ("PolledEventCount", "InvokedEventCount", "FailedInvokeEventCount", "DroppedEventCount",
                "OnFailureDestinationDeliveredEventCount", "BatchInvocations")
QUEUE_SUMS = ("DeletedEventCount",)  # only queue mappings have these
VISIBLE = "ApproximateNumberOfMessagesVisible"


def visible_maxima(grid: Periods, samples: list[tuple[int, int]]) -> list[int]:
    """ApproximateNumberOfMessagesVisible's Maximum per period (docs/model.md §10.1): the level
    after each instant's receives — of the levels logged at one instant (time order), the last —
    and the level at each period's start (the level after the last instant at or before it; 0
    before the first). A message received at the instant it arrived is in no level."""
    after: dict[int, int] = {}
    for t, level in samples:
        after[t] = level
    instants = sorted(after.items())
    out = [0] * grid.n
    j, level = 0, 0
    for k in range(grid.n):
        while j < len(instants) and instants[j][0] <= k * grid.p:
            level = instants[j][1]
            j += 1
        out[k] = level
    for t, level in instants:
        k = grid.index(t)
        out[k] = max(out[k], level)
    return out


def _mapping_series(sim: Simulator, grid: Periods) -> list[dict]:
    """Mappings' series (a simulator with a `mapping_log`): counts stamped where they happen.
    Streams (tests/oracle/streams.py): a batch's records polled when it is formed, invoked and
    IteratorAge (ms, the batch's last record) at the invocation's start, failed at a throttle or
    at a failed invocation's end, dropped and sent on failure when the records are given up.
    Queues (tests/oracle/queues.py): a batch's messages polled at their receive (a message the
    receive moves to the DLQ is not polled: dropped and sent on failure then), invoked at the
    invocation's start, failed at a throttle or a failed invocation's end, deleted (and expired
    ones dropped) when they go; ApproximateNumberOfMessagesVisible by `visible_maxima`."""
    log = getattr(sim, "mapping_log", None)
    if log is None:
        return []
    queue = hasattr(sim, "mapping_of_queue")
    out = []
    for mi in range(len(sim.maps)):
        s: dict[tuple[str, str], list] = {}
        for name in MAPPING_SUMS + (QUEUE_SUMS if queue else ()):
            chosen = [(t, v) for m, t, g, v in log if m == name and g == mi]
            s[name, "Sum"] = grid.counts([t for t, _ in chosen], [v for _, v in chosen])
        if queue:
            s[VISIBLE, "Maximum"] = visible_maxima(grid, [(t, v) for m, t, g, v in log if m == VISIBLE and g == mi])
            out.append(s)
            continue
        ages = [math.nan] * grid.n  # no invocation in the period: no sample
        for m, t, g, v in log:
            if m == "IteratorAge" and g == mi:
                k = grid.index(t)
                ages[k] = v / 1000 if math.isnan(ages[k]) else max(ages[k], v / 1000)
        s["IteratorAge", "Maximum"] = ages
        out.append(s)
    return out


def whole_run_counter(name: str) -> str | None:
    """The per-function whole-run counter (invocations.Function.counters) a Sum series adds
    up to, or None when the oracle keeps none."""
    return dict(SUMS).get(name)


def simulate_metrics(account: dict, functions: list[dict], workload: dict, period_s: float,
                     routing: str = "newest", until: float | None = None,
                     client_retries: dict | None = None, seed: int = 0) -> tuple[dict, dict]:
    """invocations.simulate's result and the run's per-period series (see `series`)."""
    sim = Simulator(account, functions, workload, routing, until, client_retries, seed)
    result = sim.run()
    return result, series(sim, period_s)

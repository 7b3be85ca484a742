"""The per-period series through the public API (docs/metrics.md, docs/model.md §10.1): the
engine's names are the catalog's, counts add up to the whole-run counters, maxima to the
whole-run maxima, and a run in chunks gives the series of one run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _core
from lambda_core._model.metric_catalog import METRICS, specs_at

# every Sum metric with the whole-run counter it adds up to (the catalog's `counter`)
SUMS = {m.name: m.counter for m in specs_at("function") if m.counter}
MAPPING_SUMS = {m.name: m.counter for m in specs_at("mapping") if m.counter}
assert len(SUMS) == 23 and len(MAPPING_SUMS) == 5  # the table this file was written against


def functions() -> list[lc.Function]:
    return [
        lc.Function("orders", reserved_concurrency=4, timeout_s=1, init_s=0.3, idle_timeout_s=2),
        lc.Function("warm", provisioned_concurrency=2, init_s=0.2, idle_timeout_s=1.5),
        lc.Function("events", max_retry_attempts=1, max_event_age_s=60, idle_timeout_s=0.7),
        lc.Function("reader", timeout_s=2, idle_timeout_s=3),
    ]


def mappings() -> list[lc.EventSourceMapping]:
    return [lc.EventSourceMapping(lc.KinesisStream("clicks", shards=2), "reader", batch_size=5),
            lc.EventSourceMapping(lc.SqsQueue("jobs", visibility_timeout_s=2), "orders", batch_size=3)]


def workload(seed: int, n: int = 600, span: float = 30.0) -> tuple[lc.Workload, list[lc.Records]]:
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, span, n))
    function = rng.integers(0, 3, n)
    duration = rng.choice([0.0, 0.05, 0.4, 1.3], n)
    kind = np.where(function == 2, 1, 0).astype(np.uint8)
    failures = (rng.random(n) < 0.2).astype(np.int64)
    w = lc.Workload(t, function, duration, invocation_type=kind, failures=failures)
    records = [
        lc.Records("clicks", np.sort(rng.uniform(0, span, 200)), key=rng.integers(0, 50, 200),
                   failures=(rng.random(200) < 0.1).astype(np.int64)),
        lc.Records("jobs", np.sort(rng.uniform(0, span, 150)), failures=(rng.random(150) < 0.1).astype(np.int64)),
    ]
    return w, records


def simulator(period: float | None = 5.0, **kw: object) -> lc.Simulator:
    return lc.Simulator(lc.Account(concurrency_limit=12, unreserved_min=2), functions(), mappings=mappings(),
                        metrics_period_s=period, **kw)  # type: ignore[arg-type]


def test_the_engines_names_are_the_catalogs() -> None:
    sim = simulator()
    sim.run(*workload(0)[:1])
    series = sim._engine.series()
    assert series is not None
    engine_keys = {level: set(series[level]) for level in ("function", "account", "mapping")}  # type: ignore[literal-required]
    for level in ("function", "account", "mapping"):
        catalog = {f"{m.name}:{s}" for m in specs_at(level) if m.levels[level] == "engine"
                   for s in m.statistics_at(level)}
        assert engine_keys[level] == catalog, level


def test_without_a_period_there_are_no_series() -> None:
    sim = simulator(None)
    result = sim.run(workload(0)[0])
    assert result.metrics is None and sim.metrics() is None


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("period", [0.7, 5.0, 60.0])
def test_counts_add_up_to_the_whole_run_and_maxima_to_its_maxima(seed: int, period: float) -> None:
    w, records = workload(seed)
    sim = simulator(period)
    result = sim.run(w, records=records, until=40.0 if seed % 2 else None)
    m = result.metrics
    assert m is not None
    assert m.n_periods == max(1, math.ceil(sim.now / period - 1e-9))
    assert m.horizon == sim.now and np.array_equal(m.timestamps, np.arange(m.n_periods) * round(period * 1e6) / 1e6)
    for i, name in enumerate(sim.function_names):
        s = m.function(name)
        for metric, counter in SUMS.items():
            assert s[metric].sum() == result.functions[counter][i], (name, metric)
        assert s["ConcurrentExecutions"].max() == result.functions["max_concurrency"][i]
        durations = s["Duration", "Maximum"]
        assert np.all(np.isnan(durations) | (durations <= 1000 * sim.functions[i].timeout_s))
    for metric in SUMS:
        assert m.account[metric].sum() == result.functions[SUMS[metric]].sum()
    assert m.account["ConcurrentExecutions"].max() == result.account["max_concurrency"]
    assert m.account["UnreservedConcurrentExecutions"].max() == result.account["max_unreserved_concurrency"]
    for source in sim.source_names:
        s = m.mapping(source)
        for metric, counter in MAPPING_SUMS.items():
            assert s[metric].sum() == result.mappings[source][counter], (source, metric)
    assert m.mapping("jobs")["ApproximateNumberOfMessagesVisible"].max() == result.mappings["jobs"]["max_visible"]
    assert m.mapping("jobs")["DeletedEventCount"].sum() == result.mappings["jobs"]["records_processed"]
    stream = result.mappings["clicks"]
    assert m.mapping("clicks")["DroppedEventCount"].sum() == stream["records_failed"] + stream["records_expired"]
    ages = m.mapping("clicks")["IteratorAge"]
    if stream["invocations"]:
        assert np.nanmax(ages) == pytest.approx(1000 * stream["max_iterator_age"])
    assert np.array_equal(np.isnan(ages), m.mapping("clicks")["BatchInvocations"] == 0)
    # the time-average of environments alive over the periods is the whole run's (over [0, now])
    if result.horizon == sim.now:
        lengths = np.minimum(m.timestamps + period, sim.now) - m.timestamps
        alive = (m.account["EnvironmentsAlive"] * lengths).sum() / sim.now
        assert alive == pytest.approx(result.account["avg_environments"], rel=1e-9)


def test_a_run_in_chunks_gives_the_series_of_one_run() -> None:
    w, records = workload(7)
    one = simulator()
    whole = one.run(w, records=records, until=45.0).metrics
    chunked = simulator()
    for lo, hi in [(0, 3.3), (3.3, 10.0), (10.0, 10.0), (10.0, 27.5), (27.5, 45.0)]:
        a, b = np.searchsorted(w.time, [lo, hi], side="left")
        if hi == 45.0:
            b = len(w.time)
        chunked.submit(lc.Workload(w.time[a:b], w.function[a:b], w.duration[a:b],
                                   invocation_type=w.invocation_type[a:b], failures=w.failures[a:b]))
        for r in records:
            ra, rb = np.searchsorted(r.time, [lo, hi], side="left")
            if hi == 45.0:
                rb = len(r.time)
            chunked.submit_records(lc.Records(r.source, r.time[ra:rb], key=r.key[ra:rb] if r.key is not None else None,
                                              failures=r.failures[ra:rb]))
        chunked.advance(hi)
    parts = chunked.metrics()
    assert whole is not None and parts is not None
    for a, b in zip(whole.sets(), parts.sets()):
        for (name, stat, x), (_, _, y) in zip(a.items_by_statistic(), b.items_by_statistic()):
            np.testing.assert_array_equal(x, y, err_msg=f"{a.dimensions} {name} {stat}")


def test_arrays_are_read_only_and_have_honest_dtypes() -> None:
    result = simulator().run(workload(1)[0])
    m = result.metrics
    assert m is not None
    s = m.function("orders")
    assert s["Invocations"].dtype == np.int64 and s["Duration"].dtype == np.float64
    with pytest.raises(ValueError):
        s["Invocations"][0] = 1
    with pytest.raises(KeyError, match="no metric 'Nope'"):
        s["Nope"]
    with pytest.raises(KeyError, match="has no statistic 'p42'"):
        s["Duration", "p42"]
    with pytest.raises(KeyError, match="Average"):
        m.account["EnvironmentsAlive", "Maximum"]
    assert "IteratorAge" in m.mapping("clicks") and "IteratorAge" not in m.mapping("jobs")
    assert m.mapping("jobs").dimensions == {"EventSource": "jobs", "FunctionName": "orders"}
    claimed = m.account["ClaimedAccountConcurrency"] - m.account["UnreservedConcurrentExecutions"]
    assert set(claimed.tolist()) == {4 + 2}  # orders' reservation, warm's provisioned concurrency
    utilization = m.function("warm")["ProvisionedConcurrencyUtilization"]
    assert np.array_equal(utilization, m.function("warm")["ProvisionedConcurrentExecutions"] / 2)


@pytest.mark.parametrize("bad", [0, -1, 0.0005, float("nan"), float("inf")])
def test_a_bad_period_is_refused_before_anything_is_built(bad: float) -> None:
    with pytest.raises(lc.UsageError, match="metrics_period_s must be at least 0.001 seconds"):
        lc.Simulator(lc.Account(), functions(), metrics_period_s=bad)


@pytest.mark.parametrize("bad", ["60", True, [60]])
def test_a_period_that_is_no_number_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="metrics_period_s must be a number of seconds"):
        lc.Simulator(lc.Account(), functions(), metrics_period_s=bad)  # type: ignore[arg-type]


def test_the_period_is_on_the_microsecond_grid_and_the_engine_checks_its_limit() -> None:
    sim = lc.Simulator(lc.Account(), functions(), metrics_period_s=1.0000004)
    assert sim.metrics_period_s == 1.0
    with pytest.raises(lc.EngineLimitError):
        lc.Simulator(lc.Account(), functions(), metrics_period_s=1e12)
    assert _core.LIMITS["metrics_period_us"].min == 1000
    assert [m.name for m in METRICS][:4] == ["Invocations", "Errors", "Throttles", "Duration"]

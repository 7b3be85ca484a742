"""The exports of a real run's series (the engine's, Simulator(metrics_period_s=...)): the
pandas frame adds up to the whole-run counters, and the GetMetricData response and the EMF lines
give back every value of every series, in the shapes CloudWatch's rules ask for."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._metrics_export import emf_name
from tests.metrics_export.builders import (
    ID,
    check_emf_document,
    cloudwatch_form,
    emf_rebuilt,
    every_series,
    parse_iso,
)

pd = pytest.importorskip("pandas")

# the Sum metrics with their whole-run counters (Result.functions)
SUMS = {"Invocations": "invocations", "Errors": "errors", "Throttles": "throttles",
        "ColdStarts": "cold_starts", "Timeouts": "timeouts",
        "AsyncEventsReceived": "async_events_received", "AsyncEventsDropped": "async_events_dropped",
        "BilledDuration": "billed_duration_ms"}


def run(seed: int, period: float) -> tuple[lc.Simulator, lc.Result]:
    rng = np.random.default_rng(seed)
    functions = [lc.Function("api", reserved_concurrency=3, timeout_s=1, init_s=0.25),
                 lc.Function("warm", provisioned_concurrency=2, init_s=0.1),
                 lc.Function("uploads", max_retry_attempts=1, idle_timeout_s=2),
                 lc.Function("reader", timeout_s=2)]
    mappings = [lc.EventSourceMapping(lc.KinesisStream("clicks", shards=2), "reader", batch_size=4),
                lc.EventSourceMapping(lc.SqsQueue("jobs", visibility_timeout_s=3), "api", batch_size=2)]
    sim = lc.Simulator(lc.Account(concurrency_limit=10, unreserved_min=2), functions,
                       mappings=mappings, seed=seed, metrics_period_s=period)
    n = 500
    function = rng.integers(0, 3, n)
    workload = lc.Workload(np.sort(rng.uniform(0, 150, n)), function,
                           rng.choice([0.02, 0.3, 1.5], n),
                           invocation_type=(function == 2).astype(np.uint8),
                           failures=(rng.random(n) < 0.15).astype(np.int64))
    records = [lc.Records("clicks", np.sort(rng.uniform(0, 150, 120)), key=rng.integers(0, 9, 120)),
               lc.Records("jobs", np.sort(rng.uniform(0, 150, 80)))]
    return sim, sim.run(workload, records=records)


CASES = [(0, 60.0), (1, 7.5), (2, 0.5)]


@pytest.mark.parametrize("seed, period", CASES)
def test_the_frame_adds_up_to_the_whole_run(seed, period):
    sim, result = run(seed, period)
    m = result.metrics
    assert m is not None and m.n_periods > 1
    df = m.to_pandas()
    assert len(df) == len(every_series(m)) * m.n_periods
    functions = df[df["FunctionName"].notna() & df["EventSource"].isna()]
    sums = functions.groupby(["FunctionName", "metric"])["value"].sum()
    for i, name in enumerate(result.function_names):
        for metric, counter in SUMS.items():
            assert sums[name, metric] == result.functions[counter][i], (name, metric)
        concurrency = functions[(functions["FunctionName"] == name) & (functions["metric"] == "ConcurrentExecutions")]
        assert concurrency["value"].max() == result.functions["max_concurrency"][i]
    account = df[df["FunctionName"].isna()]
    for metric, counter in SUMS.items():
        assert account[account["metric"] == metric]["value"].sum() == result.functions[counter].sum()
    batches = df[(df["EventSource"] == "clicks") & (df["metric"] == "BatchInvocations")]
    assert batches["value"].sum() == result.mappings["clicks"]["invocations"] > 0
    assert set(batches["FunctionName"]) == {"reader"}


@pytest.mark.parametrize("seed, period", CASES)
def test_get_metric_data_gives_every_value_back(seed, period):
    _, result = run(seed, period)
    m = result.metrics
    epoch = dt.datetime(2025, 6, 30, 23, 59, tzinfo=dt.timezone.utc)
    response = json.loads(json.dumps(m.to_cloudwatch(epoch=epoch)))
    results = response["MetricDataResults"]
    assert len({r["Id"] for r in results}) == len(results) == len(every_series(m))
    for r, (dimensions, metric, statistic, _, values) in zip(results, every_series(m)):
        assert ID.fullmatch(r["Id"]) and r["Label"].startswith(f"{metric} {statistic}")
        rebuilt = np.zeros(m.n_periods)
        instants = [parse_iso(t) for t in r["Timestamps"]]
        assert instants == sorted(instants, reverse=True)
        for when, value in zip(instants, r["Values"]):
            offset = (when - epoch).total_seconds()
            k = round(offset / period)
            assert offset == pytest.approx(m.timestamps[k], abs=1e-6)
            rebuilt[k] = value
        np.testing.assert_array_equal(rebuilt, cloudwatch_form(values))


@pytest.mark.parametrize("seed, period", CASES)
def test_emf_lines_give_every_value_back(seed, period):
    _, result = run(seed, period)
    m = result.metrics
    lines = m.to_emf(namespace="Simulated/Lambda")
    for line in lines:
        check_emf_document(line)
    rebuilt = emf_rebuilt(m, lines, namespace="Simulated/Lambda")
    for dimensions, metric, statistic, _, values in every_series(m):
        k = (dimensions.get("FunctionName"), dimensions.get("EventSource"), emf_name(metric, statistic))
        np.testing.assert_array_equal(rebuilt.get(k, np.zeros(m.n_periods)), cloudwatch_form(values))
    # what CloudWatch would sum from the lines is what the run counted
    invocations = sum(json.loads(line).get("Invocations", 0) for line in lines
                      if "FunctionName" in json.loads(line) and "EventSource" not in json.loads(line))
    assert invocations == result.functions["invocations"].sum()

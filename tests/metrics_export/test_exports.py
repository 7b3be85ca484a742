"""The exports of the per-period series (lambda_core._metrics_export) on Metrics built from
arrays: the long form (pandas and CSV), CloudWatch's GetMetricData response and Embedded Metric
Format lines — their shape, the rules of CloudWatch's API and of the EMF specification, and
that every value comes back out as the series holds it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _metrics_export as export
from lambda_core._metrics_export import COLUMNS, emf_name, long_form, write_csv
from tests.metrics_export.builders import (
    ID,
    cloudwatch_form,
    emf_rebuilt,
    every_series,
    make_metrics,
    parse_iso,
)

pd = pytest.importorskip("pandas")

SEEDS = [0, 1, 2]
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def key(dimensions: dict[str, str], metric: str, statistic: str) -> tuple[object, ...]:
    return (dimensions.get("FunctionName", "-"), dimensions.get("EventSource", "-"), metric, statistic)


def grouped(df):
    """The frame grouped by series (a missing dimension as "-": pandas' index has no None)."""
    filled = df.assign(FunctionName=df["FunctionName"].fillna("-"), EventSource=df["EventSource"].fillna("-"))
    return filled.groupby(["FunctionName", "EventSource", "metric", "statistic"], sort=False)


# ---------------------------------------------------------------------------------------------
# The long form
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_pandas_frame_has_one_row_per_period_and_series(seed):
    m = make_metrics(seed=seed)
    df = m.to_pandas()
    series = every_series(m)
    assert list(df.columns) == list(COLUMNS)
    assert len(df) == len(series) * m.n_periods
    assert df["value"].dtype == np.float64 and df["timestamp"].dtype == np.float64
    # a set without a dimension has None there, not NaN or ""
    account = df[df["FunctionName"].map(lambda v: v is None)]
    assert len(account) == sum(1 for d, *_ in series if not d) * m.n_periods
    assert all(v is None for v in account["EventSource"])
    assert set(df["FunctionName"].dropna()) == {"orders", "payments"}
    assert set(df["EventSource"].dropna()) == {"clicks", "jobs"}
    # every series comes back, period by period, with its unit
    by_series = dict(iter(grouped(df)))
    assert len(by_series) == len(series)
    for dimensions, metric, statistic, unit, values in series:
        group = by_series[key(dimensions, metric, statistic)]
        np.testing.assert_array_equal(group["timestamp"].to_numpy(), m.timestamps)
        np.testing.assert_array_equal(group["value"].to_numpy(), values)
        assert set(group["unit"]) == {unit}


@pytest.mark.parametrize("seed", SEEDS)
def test_pandas_sums_equal_the_series_sums(seed):
    m = make_metrics(seed=seed)
    df = m.to_pandas()
    sums = grouped(df)["value"].sum()
    for dimensions, metric, statistic, _, values in every_series(m):
        assert sums[key(dimensions, metric, statistic)] == pytest.approx(np.nansum(values), rel=1e-12)
    # the account's Invocations are the functions' Invocations, row by row summed
    invocations = df[(df["metric"] == "Invocations")]
    functions = invocations[invocations["FunctionName"].notna()]["value"].sum()
    account = invocations[invocations["FunctionName"].isna()]["value"].sum()
    assert functions == account == m.account["Invocations"].sum() > 0


def test_long_form_without_periods_or_sets_is_empty_but_typed():
    m = make_metrics(n_periods=0, functions=(), sources=())
    df = m.to_pandas()
    assert list(df.columns) == list(COLUMNS) and len(df) == 0
    columns = long_form(m)
    assert all(len(c) == 0 for c in columns.values())


def test_csv_is_the_long_form():
    m = make_metrics(seed=3)
    buffer = io.StringIO()
    write_csv(m, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    columns = long_form(m)
    assert len(rows) - 1 == len(columns["value"])
    for row, *expected in zip(rows[1:], *(columns[c] for c in COLUMNS)):
        timestamp, metric, statistic, unit, value, function, source = expected
        assert float(row[0]) == timestamp and row[1:4] == [metric, statistic, unit]
        assert (np.isnan(value) and row[4] == "nan") or float(row[4]) == value
        assert row[5] == (function or "") and row[6] == (source or "")
    # counts are written as integers, not 3.0
    counts = [r for r in rows[1:] if r[3] == "Count"]
    assert counts and all("." not in r[4] for r in counts)
    # and pandas reads the same frame back
    back = pd.read_csv(io.StringIO(buffer.getvalue()))
    np.testing.assert_array_equal(back["value"].to_numpy(), m.to_pandas()["value"].to_numpy())


# ---------------------------------------------------------------------------------------------
# GetMetricData
# ---------------------------------------------------------------------------------------------

RESULT_KEYS = {"Id", "Label", "Timestamps", "Values", "StatusCode", "Messages"}


@pytest.mark.parametrize("seed", SEEDS)
def test_cloudwatch_response_shape(seed):
    m = make_metrics(seed=seed)
    response = m.to_cloudwatch()
    assert json.loads(json.dumps(response, allow_nan=False)) == response
    assert set(response) == {"MetricDataResults", "Messages"} and response["Messages"] == []
    results = response["MetricDataResults"]
    series = every_series(m)
    assert len(results) == len(series)
    ids = [r["Id"] for r in results]
    assert len(set(ids)) == len(ids)
    for result, (dimensions, metric, statistic, _, _) in zip(results, series):
        assert set(result) == RESULT_KEYS
        assert ID.fullmatch(result["Id"]) and len(result["Id"]) <= 255
        assert result["StatusCode"] == "Complete" and result["Messages"] == []
        label = result["Label"].split(" ")
        assert label[:2] == [metric, statistic]
        assert label[2:] == [f"{k}={v}" for k, v in dimensions.items()]
        assert len(result["Timestamps"]) == len(result["Values"])
        instants = [parse_iso(t) for t in result["Timestamps"]]
        assert instants == sorted(instants, reverse=True) and len(set(instants)) == len(instants)
        assert all(isinstance(v, float) and v != 0 and np.isfinite(v) for v in result["Values"])


@pytest.mark.parametrize("seed", SEEDS)
def test_cloudwatch_values_round_trip(seed):
    m = make_metrics(seed=seed)
    results = m.to_cloudwatch()["MetricDataResults"]
    omitted = 0
    for result, (_, _, _, _, values) in zip(results, every_series(m)):
        rebuilt = np.zeros(m.n_periods)
        for stamp, value in zip(result["Timestamps"], result["Values"]):
            offset = (parse_iso(stamp) - EPOCH).total_seconds()
            period = int(offset // m.period_s)
            assert offset == m.timestamps[period]
            rebuilt[period] = value
        np.testing.assert_array_equal(rebuilt, cloudwatch_form(values))
        omitted += m.n_periods - len(result["Values"])
    assert omitted > 0  # the random series do have empty periods


def test_cloudwatch_epoch_and_sub_second_periods():
    m = make_metrics(period_s=0.25, n_periods=8, empty=0.0)
    result = m.to_cloudwatch(epoch="2024-02-29T23:59:59+01:00")["MetricDataResults"][0]
    assert result["Timestamps"][-1] == "2024-02-29T22:59:59.000Z"
    assert result["Timestamps"][0] == "2024-02-29T23:00:00.750Z"
    naive = m.to_cloudwatch(epoch=dt.datetime(2030, 5, 1))["MetricDataResults"][0]
    assert naive["Timestamps"][-1] == "2030-05-01T00:00:00.000Z"
    with pytest.raises(lc.errors.UsageError, match="ISO 8601"):
        m.to_cloudwatch(epoch="yesterday")


def test_cloudwatch_ids_follow_the_rule_for_any_names():
    m = make_metrics(functions=("Orders-Prod_1", "x" * 64), sources=(("arn-ish.stream", "x" * 64, "stream"),))
    ids = [r["Id"] for r in m.to_cloudwatch()["MetricDataResults"]]
    assert all(ID.fullmatch(i) and len(i) <= 255 for i in ids) and len(set(ids)) == len(ids)


# ---------------------------------------------------------------------------------------------
# Embedded Metric Format
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_emf_lines_round_trip(seed):
    m = make_metrics(seed=seed)
    lines = m.to_emf()
    rebuilt = emf_rebuilt(m, lines)
    seen = set()
    for dimensions, metric, statistic, unit, values in every_series(m):
        k = (dimensions.get("FunctionName"), dimensions.get("EventSource"), emf_name(metric, statistic))
        expected = cloudwatch_form(values)
        np.testing.assert_array_equal(rebuilt.get(k, np.zeros(m.n_periods)), expected)
        seen.add(k)
    assert set(rebuilt) <= seen
    # no zero is written, and a line holds one set in one period
    for line in lines:
        doc = json.loads(line)
        names = [d["Name"] for directive in doc["_aws"]["CloudWatchMetrics"] for d in directive["Metrics"]]
        assert len(names) == len(set(names)) and all(doc[n] != 0 for n in names)
        assert set(doc) == {"_aws", *names, *(d for d in ("FunctionName", "EventSource") if d in doc)}


def test_emf_lines_are_in_time_order_with_units_and_one_line_per_set_and_period():
    m = make_metrics(seed=4, empty=0.0)
    lines = [json.loads(line) for line in m.to_emf(epoch=EPOCH)]
    stamps = [d["_aws"]["Timestamp"] for d in lines]
    assert stamps == sorted(stamps)
    assert len(lines) == m.n_periods * len(list(m.sets()))  # nothing empty here
    assert stamps[0] == int(EPOCH.timestamp() * 1000) and stamps[-1] - stamps[0] == (m.n_periods - 1) * 60_000
    units = {d["Name"]: d["Unit"] for doc in lines for directive in doc["_aws"]["CloudWatchMetrics"]
             for d in directive["Metrics"]}
    assert units["Duration_p99"] == units["AsyncEventAge_Maximum"] == "Milliseconds"
    assert units["Invocations"] == units["ConcurrentExecutions"] == "Count"
    assert units["IdleEnvironmentSeconds"] == "Seconds" and units["ProvisionedConcurrencyUtilization"] == "None"
    assert "Duration" not in units and "StorageResolution" not in str(lines)


def test_emf_metrics_with_several_statistics_are_one_metric_per_statistic():
    assert emf_name("Invocations", "Sum") == "Invocations"
    assert emf_name("ConcurrentExecutions", "Maximum") == "ConcurrentExecutions"
    assert emf_name("Duration", "p99") == "Duration_p99"
    assert emf_name("Duration", "Average") == "Duration_Average"
    # the account keeps only EnvironmentsAlive's Average; the name is the same as a function's
    assert emf_name("EnvironmentsAlive", "Average") == "EnvironmentsAlive_Average"


def test_emf_splits_directives_at_the_limit(monkeypatch):
    m = make_metrics(seed=5, empty=0.0)
    whole = emf_rebuilt(m, m.to_emf())
    monkeypatch.setattr(export, "EMF_MAX_METRICS", 7)
    lines = m.to_emf()
    counts = [len(d["Metrics"]) for line in lines for d in json.loads(line)["_aws"]["CloudWatchMetrics"]]
    assert max(counts) == 7 and any(len(json.loads(line)["_aws"]["CloudWatchMetrics"]) > 2 for line in lines)
    split = emf_rebuilt(m, lines)
    assert split.keys() == whole.keys()
    for k in whole:
        np.testing.assert_array_equal(split[k], whole[k])


def test_emf_high_resolution_below_a_minute_and_namespace():
    m = make_metrics(period_s=10, n_periods=6)
    lines = m.to_emf(namespace="Shop/Simulated")
    definitions = [d for line in lines for directive in json.loads(line)["_aws"]["CloudWatchMetrics"]
                   for d in directive["Metrics"]]
    assert definitions and all(d["StorageResolution"] == 1 for d in definitions)
    emf_rebuilt(m, lines, namespace="Shop/Simulated")


@pytest.mark.parametrize("namespace", ["AWS/Lambda", "AWS/SQS", "AWS/"])
def test_emf_refuses_aws_namespaces(namespace):
    m = make_metrics()
    with pytest.raises(lc.errors.UsageError, match="reserved for AWS") as info:
        m.to_emf(namespace=namespace)
    assert repr(namespace) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("namespace", ["", ":x", "x" * 256, "caf\u00e9"])
def test_emf_refuses_namespaces_cloudwatch_would(namespace):
    with pytest.raises(lc.errors.UsageError, match="namespace"):
        make_metrics().to_emf(namespace=namespace)


def test_emf_of_an_empty_run_is_empty():
    m = make_metrics(n_periods=0, functions=(), sources=())
    assert m.to_emf() == [] and m.to_cloudwatch()["MetricDataResults"][0]["Values"] == []

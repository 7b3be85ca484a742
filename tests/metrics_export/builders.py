"""Metrics built directly from arrays (as the engine hands them to lc.Metrics), for the exports'
unit tests, and checkers of the exported shapes written from CloudWatch's API reference and
the Embedded Metric Format specification."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import numpy as np

import lambda_core as lc
from lambda_core._model.metric_catalog import Level, specs_at

#: The exports' default epoch (simulated time 0).
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
#: GetMetricData's rule for a query's Id (MetricDataQuery.Id).
ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
#: The CloudWatch units a MetricDefinition may name (PutMetricData's StandardUnit).
UNITS = {"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
         "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
         "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
         "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
         "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"}


def make_metrics(n_periods: int = 12, functions: tuple[str, ...] = ("orders", "payments"),
                 sources: tuple[tuple[str, str, str], ...] = (("clicks", "orders", "stream"),
                                                              ("jobs", "payments", "queue")),
                 seed: int = 0, period_s: float = 60.0, empty: float = 0.4,
                 provisioned: tuple[int | None, ...] | None = None) -> lc.Metrics:
    """A Metrics of random series: counts are int64 with about `empty` of the periods 0,
    Duration and ages float64 with NaN where a function had nothing to measure."""
    rng = np.random.default_rng(seed)
    nf, ns = len(functions), len(sources)

    def series(shape: tuple[int, ...], unit: str) -> np.ndarray:
        idle = rng.random(shape) < empty
        if unit == "Count" or unit == "Seconds":
            values = rng.integers(1, 1000, shape).astype(np.int64 if unit == "Count" else np.float64)
            values[idle] = 0
            return values
        values = rng.gamma(2.0, 150.0, shape)
        values[idle] = np.nan
        return values

    engine: dict[str, dict[tuple[str, str], np.ndarray]] = {"function": {}, "account": {}, "mapping": {}}
    levels: tuple[tuple[Level, tuple[int, ...]], ...] = (("function", (nf,)), ("account", ()),
                                                         ("mapping", (ns,)))
    for level, rows in levels:
        for spec in specs_at(level):
            if spec.levels[level] == "engine":
                for statistic in spec.statistics_at(level):
                    engine[level][spec.name, statistic] = series((*rows, n_periods), spec.unit)
    if provisioned is None:
        provisioned = tuple(10 if i % 2 == 0 else None for i in range(nf))
    horizon = n_periods * period_s - period_s / 3 if n_periods else 0.0
    return lc.Metrics(period_s, horizon, n_periods, functions, [s[0] for s in sources],
                      [s[1] for s in sources], [s[2] for s in sources], engine,
                      claimed_offset=150, provisioned=provisioned)


def every_series(m: lc.Metrics) -> list[tuple[dict[str, str], str, str, str, np.ndarray]]:
    """(dimensions, metric, statistic, unit, values as float64) of every series, in export order."""
    return [(dict(s.dimensions), name, statistic, s.unit(name), np.asarray(v, dtype=np.float64))
            for s in m.sets() for name, statistic, v in s.items_by_statistic()]


def cloudwatch_form(values: np.ndarray) -> np.ndarray:
    """What CloudWatch-shaped outputs keep of a series: zero where it is zero or NaN."""
    return np.where(np.isfinite(values), values, 0.0)


def parse_iso(text: str) -> dt.datetime:
    assert text.endswith("Z"), text
    when = dt.datetime.fromisoformat(text[:-1] + "+00:00")
    assert when.utcoffset() == dt.timedelta(0)
    return when


def check_emf_document(line: str) -> dict[str, Any]:
    """Checks one line against the Embedded Metric Format specification and returns the
    document: a JSON object with `_aws` (Timestamp, a non-negative integer in ms; and
    CloudWatchMetrics, directives each with Namespace, Dimensions — arrays of at most 30 keys,
    each a string-valued member of the root — and Metrics — at most 100 definitions, each with
    a Name naming a numeric member of the root, and optional Unit and StorageResolution)."""
    assert "\n" not in line
    doc = json.loads(line)
    assert isinstance(doc, dict)
    meta = doc["_aws"]
    assert set(meta) == {"Timestamp", "CloudWatchMetrics"}
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] >= 0
    directives = meta["CloudWatchMetrics"]
    assert isinstance(directives, list) and directives
    for directive in directives:
        assert set(directive) == {"Namespace", "Dimensions", "Metrics"}
        namespace = directive["Namespace"]
        assert isinstance(namespace, str) and 1 <= len(namespace) <= 255
        assert not namespace.startswith("AWS/")
        for dimension_set in directive["Dimensions"]:
            assert isinstance(dimension_set, list) and len(dimension_set) <= 30
            for key in dimension_set:
                assert isinstance(doc[key], str) and 1 <= len(doc[key]) <= 1024
        metrics = directive["Metrics"]
        assert isinstance(metrics, list) and 1 <= len(metrics) <= 100
        for definition in metrics:
            assert set(definition) <= {"Name", "Unit", "StorageResolution"}
            assert definition.get("Unit", "None") in UNITS
            assert definition.get("StorageResolution", 60) in (1, 60)
            value = doc[definition["Name"]]
            assert isinstance(value, (int, float)) and not isinstance(value, bool)
    return doc


def emf_rebuilt(m: lc.Metrics, lines: list[str], namespace: str = "lambda_core",
                epoch: dt.datetime = EPOCH) -> dict[tuple[object, object, str], np.ndarray]:
    """Every series as the EMF lines carry it: (FunctionName, EventSource, EMF name) -> array."""
    start_ms = int(epoch.timestamp() * 1000)
    rebuilt: dict[tuple[object, object, str], np.ndarray] = {}
    for line in lines:
        doc = check_emf_document(line)
        period = round((doc["_aws"]["Timestamp"] - start_ms) / (m.period_s * 1000))
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == namespace
            (keys,) = directive["Dimensions"]
            for definition in directive["Metrics"]:
                k = (doc.get("FunctionName"), doc.get("EventSource"), definition["Name"])
                assert keys == [d for d in ("FunctionName", "EventSource") if doc.get(d) is not None] \
                    or keys == ["EventSource", "FunctionName"]
                series = rebuilt.setdefault(k, np.zeros(m.n_periods))
                assert series[period] == 0, "a series twice in one period"
                series[period] = doc[definition["Name"]]
    return rebuilt

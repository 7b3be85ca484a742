"""Exports of the per-period series (:class:`~lambda_core.Metrics`): a long-form table
(:func:`to_pandas`, :func:`write_csv`), CloudWatch's ``GetMetricData`` response
(:func:`to_cloudwatch`) and Embedded Metric Format log lines (:func:`to_emf`).

The rules the three share (docs/model.md §10): every series of every set (``Metrics.sets()``:
the account's, each function's, each mapping's) in catalog order; the timestamp of a period is
its start; CloudWatch-shaped outputs leave out the periods whose value is zero or undefined
(NaN), as CloudWatch has no data point for them, while the table keeps every period.

Embedded Metric Format carries raw values, from which CloudWatch computes every statistic. A
function that logs one line per period with the period's figure gets, for a metric with one
statistic (a Sum, a Maximum), exactly the simulated series back under that statistic. A metric
with several statistics (``Duration``: Average, Minimum, Maximum, p50, p90, p99) cannot be
carried by one sample, so each of its statistics is logged as a metric of its own named
``<metric>_<statistic>`` (``Duration_p99``): CloudWatch's statistic of a single sample is that
sample, so any statistic of ``Duration_p99`` over the period is the simulated p99.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from ._model.metric_catalog import BY_NAME
from .errors import UsageError

if TYPE_CHECKING:
    from ._model.metrics import Metrics, MetricSet

__all__ = [
    "COLUMNS", "DEFAULT_EPOCH", "DEFAULT_NAMESPACE", "EMF_MAX_METRICS", "EMF_MAX_DIMENSIONS",
    "long_form", "to_pandas", "write_csv", "to_cloudwatch", "to_emf", "emf_name",
]

#: The columns of the long form, in order.
COLUMNS = ("timestamp", "metric", "statistic", "unit", "value", "FunctionName", "EventSource")
_DIMENSIONS = ("FunctionName", "EventSource")
#: The wall-clock instant that simulated time 0 stands for, unless one is given.
DEFAULT_EPOCH = "2026-01-01T00:00:00Z"
#: The namespace of the Embedded Metric Format lines, unless one is given.
DEFAULT_NAMESPACE = "lambda_core"
#: Embedded Metric Format's limits: metric definitions per directive, keys per dimension set.
EMF_MAX_METRICS = 100
EMF_MAX_DIMENSIONS = 30
#: CloudWatch's limit on a namespace's length (``PutMetricData``'s ``Namespace``).
_MAX_NAMESPACE = 255
#: ``GetMetricData``'s rule for an ``Id``: a lowercase letter first, then letters, digits and
#: underscores, at most 255 characters.
_ID_LENGTH = 255
_NOT_ID = re.compile(r"[^a-zA-Z0-9_]")


def _series(m: Metrics) -> Iterator[tuple[MetricSet, str, str, npt.NDArray[Any]]]:
    """(set, metric, statistic, values) of every series, sets in ``m.sets()`` order."""
    for s in m.sets():
        for name, statistic, values in s.items_by_statistic():
            yield s, name, statistic, values


def long_form(m: Metrics) -> dict[str, npt.NDArray[Any]]:
    """The long form as numpy columns (:data:`COLUMNS`): one row per period and series, the
    series one after the other (set, then metric and statistic in catalog order), each over
    every period. ``value`` is float64 (counts are exact up to 2^53); strings are objects,
    ``None`` where a set has no such dimension."""
    n = m.n_periods
    series = list(_series(m))
    labels = [(name, statistic, BY_NAME[name].unit, s.dimensions.get("FunctionName"),
               s.dimensions.get("EventSource")) for s, name, statistic, _ in series]

    def repeat(j: int) -> npt.NDArray[Any]:
        return np.repeat(np.array([label[j] for label in labels], dtype=object), n)

    values = (np.concatenate([np.asarray(v, dtype=np.float64) for *_, v in series])
              if series else np.empty(0, dtype=np.float64))
    return {
        "timestamp": np.tile(np.asarray(m.timestamps, dtype=np.float64), len(series)),
        "metric": repeat(0),
        "statistic": repeat(1),
        "unit": repeat(2),
        "value": values,
        "FunctionName": repeat(3),
        "EventSource": repeat(4),
    }


def to_pandas(m: Metrics) -> Any:
    """The long form (:func:`long_form`) as a ``pandas.DataFrame`` with :data:`COLUMNS`
    (``FunctionName`` and ``EventSource`` of dtype object, ``None`` where a set has no such
    dimension)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("Metrics.to_pandas needs pandas: pip install 'lambda-core[pandas]' "
                          "(or pip install pandas)") from None
    columns: dict[str, Any] = long_form(m)
    for name in _DIMENSIONS:
        # object dtype keeps None (pandas' string dtype would turn it into NaN)
        columns[name] = pd.Series(columns[name], dtype=object)
    return pd.DataFrame(columns, columns=list(COLUMNS))


def write_csv(m: Metrics, file: IO[str]) -> None:
    """Writes the long form to `file` as CSV (a heading line, then one line per row; an empty
    field where a set has no such dimension; whole numbers without a fraction). Needs no
    pandas."""
    import csv

    columns = long_form(m)
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(zip(_numbers(columns["timestamp"]), columns["metric"], columns["statistic"],
                         columns["unit"], _numbers(columns["value"]), columns["FunctionName"],
                         columns["EventSource"]))


def _numbers(values: npt.NDArray[np.float64]) -> list[str]:
    """Each value as text: whole numbers as integers (``3``), others as Python's shortest
    round-trip form (``0.25``), NaN as ``nan``."""
    whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0**53)
    text = np.array([repr(x) for x in values.tolist()], dtype=object)
    text[whole] = values[whole].astype(np.int64).astype(str)
    out: list[str] = text.tolist()
    return out


# ---------------------------------------------------------------------------------------------
# Wall-clock time
# ---------------------------------------------------------------------------------------------


def _epoch_us(epoch: str | dt.datetime) -> int:
    """Microseconds since 1970-01-01T00:00:00Z of `epoch`: an ISO 8601 string (``Z`` or an
    offset; without one, UTC) or a ``datetime`` (naive: UTC)."""
    if isinstance(epoch, str):
        text = epoch.strip()
        # datetime.fromisoformat reads "Z" only from Python 3.11
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(f"epoch must be an ISO 8601 date and time such as "
                             f"'{DEFAULT_EPOCH}', got {epoch!r}") from None
    elif isinstance(epoch, dt.datetime):
        when = epoch
    else:
        raise UsageError(f"epoch must be an ISO 8601 string or a datetime, got {type(epoch).__name__}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    delta = when - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _instants_us(m: Metrics, epoch: str | dt.datetime) -> npt.NDArray[np.int64]:
    """Each period's start as microseconds since 1970 (simulated time 0 at `epoch`)."""
    offsets: npt.NDArray[np.int64] = np.round(np.asarray(m.timestamps, dtype=np.float64) * 1e6).astype(np.int64)
    instants: npt.NDArray[np.int64] = offsets + np.int64(_epoch_us(epoch))
    return instants


def _iso(instants_us: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """ISO 8601 UTC text of each instant, to the second when they all fall on whole seconds
    (``2026-01-01T00:01:00Z``), else to the millisecond or the microsecond."""
    unit: Literal["s", "ms", "us"] = "s"
    if np.any(instants_us % 1_000_000):
        unit = "ms" if not np.any(instants_us % 1_000) else "us"
    stamps: npt.NDArray[np.datetime64] = instants_us.astype("datetime64[us]")
    text: npt.NDArray[np.str_] = np.datetime_as_string(stamps, unit=unit, timezone="UTC")
    return text


# ---------------------------------------------------------------------------------------------
# GetMetricData
# ---------------------------------------------------------------------------------------------


def _id(index: int, name: str, statistic: str, dimensions: dict[str, str]) -> str:
    """A ``GetMetricData`` ``Id``: ``m<index>_`` (a lowercase letter first, and unique) then
    the metric, the statistic and the dimension values, other characters as ``_``."""
    tail = "_".join([name, statistic, *dimensions.values()])
    return f"m{index}_{_NOT_ID.sub('_', tail)}"[:_ID_LENGTH]


def _label(name: str, statistic: str, dimensions: dict[str, str]) -> str:
    """``Invocations Sum FunctionName=orders``: metric, statistic and dimensions."""
    return " ".join([name, statistic, *(f"{k}={v}" for k, v in dimensions.items())])


def to_cloudwatch(m: Metrics, epoch: str | dt.datetime = DEFAULT_EPOCH) -> dict[str, Any]:
    """Every series as CloudWatch's ``GetMetricData`` response: ``{"MetricDataResults": [...],
    "Messages": []}``, one result per series (sets in ``m.sets()`` order, then catalog order),
    each with ``Id`` (unique, ``[a-z][a-zA-Z0-9_]*``), ``Label`` (metric, statistic,
    dimensions), ``Timestamps`` (ISO 8601 UTC, simulated time 0 at `epoch`), ``Values``,
    ``StatusCode`` ``"Complete"`` and ``Messages``. Timestamps are newest first, as
    CloudWatch's default ``ScanBy`` (``TimestampDescending``) returns them; periods whose value
    is zero or NaN are left out, as CloudWatch has no data point for them. Plain Python values
    only: ``json.dumps`` writes it."""
    stamps = _iso(_instants_us(m, epoch))
    results = []
    for index, (s, name, statistic, values) in enumerate(_series(m)):
        v = np.asarray(values, dtype=np.float64)
        kept = np.flatnonzero(np.isfinite(v) & (v != 0))[::-1]
        results.append({
            "Id": _id(index, name, statistic, s.dimensions),
            "Label": _label(name, statistic, s.dimensions),
            "Timestamps": stamps[kept].tolist(),
            "Values": v[kept].tolist(),
            "StatusCode": "Complete",
            "Messages": [],
        })
    return {"MetricDataResults": results, "Messages": []}


# ---------------------------------------------------------------------------------------------
# Embedded Metric Format
# ---------------------------------------------------------------------------------------------


def emf_name(name: str, statistic: str) -> str:
    """The name a series is logged under in Embedded Metric Format: the metric's own name when
    the metric has one statistic (``Invocations``), ``<metric>_<statistic>`` when it has
    several (``Duration_p99``; see the module's docstring)."""
    return name if len(BY_NAME[name].statistics) == 1 else f"{name}_{statistic}"


def _check_namespace(namespace: str) -> None:
    if not isinstance(namespace, str):
        raise UsageError(f"namespace must be a string, got {type(namespace).__name__}")
    if namespace.startswith("AWS/"):
        raise UsageError(
            f"namespace {namespace!r} is reserved for AWS: CloudWatch refuses custom metrics in a "
            f"namespace that begins with 'AWS/'; choose another, e.g. {DEFAULT_NAMESPACE!r}")
    if not 1 <= len(namespace) <= _MAX_NAMESPACE:
        raise UsageError(f"namespace must have 1 to {_MAX_NAMESPACE} characters, got {len(namespace)}")
    if namespace.startswith(":") or not all(" " <= c <= "~" for c in namespace):
        raise UsageError(f"namespace must be printable ASCII not beginning with ':', got {namespace!r}")


def _plain(value: float) -> int | float:
    """A value as JSON shows it: whole numbers as integers."""
    return int(value) if value.is_integer() and abs(value) < 2.0**53 else value


def to_emf(m: Metrics, epoch: str | dt.datetime = DEFAULT_EPOCH,
           namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """Every series as Embedded Metric Format JSON lines: for each period (in time order) and
    set (in ``m.sets()`` order) with a non-zero value, one line with ``_aws`` (``Timestamp``:
    the period's start in milliseconds since 1970, simulated time 0 at `epoch`;
    ``CloudWatchMetrics``: directives of at most :data:`EMF_MAX_METRICS` metrics each, with
    `namespace`, the set's dimension keys, and each metric's ``Name`` and ``Unit``), the
    dimension values, and each metric's value under its name (:func:`emf_name`). Zero and NaN
    values are left out, and a set with none left in a period writes no line. Below 60 s
    periods, every metric has ``StorageResolution`` 1 (CloudWatch's high resolution).

    Raises :class:`~lambda_core.errors.UsageError` for a namespace CloudWatch would refuse
    (one beginning with ``AWS/``, reserved for AWS's own metrics)."""
    _check_namespace(namespace)
    stamps_ms = (_instants_us(m, epoch) // 1000).tolist()
    resolution = {"StorageResolution": 1} if m.period_s < 60 else {}
    sets = []
    for s in m.sets():
        if len(s.dimensions) > EMF_MAX_DIMENSIONS:
            raise AssertionError(f"{s}: more than {EMF_MAX_DIMENSIONS} dimensions")
        triples = list(s.items_by_statistic())
        names = [emf_name(name, statistic) for name, statistic, _ in triples]
        units = [BY_NAME[name].unit for name, _, _ in triples]
        table = (np.vstack([np.asarray(v, dtype=np.float64) for *_, v in triples])
                 if triples else np.empty((0, m.n_periods)))
        sets.append((s.dimensions, names, units, table, np.isfinite(table) & (table != 0)))
    lines = []
    for period, timestamp in enumerate(stamps_ms):
        for dimensions, names, units, table, kept in sets:
            rows = np.flatnonzero(kept[:, period])
            if not len(rows):
                continue
            definitions = [{"Name": names[r], "Unit": units[r], **resolution} for r in rows]
            directives = [{"Namespace": namespace, "Dimensions": [list(dimensions)],
                           "Metrics": definitions[i:i + EMF_MAX_METRICS]}
                          for i in range(0, len(definitions), EMF_MAX_METRICS)]
            document: dict[str, Any] = {"_aws": {"Timestamp": timestamp, "CloudWatchMetrics": directives}}
            document.update(dimensions)
            document.update({names[r]: _plain(float(table[r, period])) for r in rows})
            lines.append(json.dumps(document, separators=(",", ":"), allow_nan=False))
    return lines

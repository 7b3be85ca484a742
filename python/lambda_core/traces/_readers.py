"""The four trace formats' readers (docs/replay.md), each returning a :class:`Trace`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .. import _core
from ..errors import TraceFormatError, UsageError
from ._build import build_trace, path_text
from ._trace import Trace
from ._units import UNITS, check_unit, to_seconds

__all__ = ["read_cloudwatch_logs", "read_azure2021", "read_request_log", "NO_STREAM",
           "EPOCH_SECONDS_LOOK_LIKE_MS_ABOVE"]

#: The code of a REPORT line that names no log stream.
NO_STREAM = 2**32 - 1
#: Epoch seconds above this (the year 5138) are milliseconds.
EPOCH_SECONDS_LOOK_LIKE_MS_ABOVE = 1e11

PathLike = str | os.PathLike[str]


def _stem(path: str) -> str:
    return Path(path).stem


def read_cloudwatch_logs(path: PathLike | Sequence[PathLike], function: str | Sequence[str] | None = None) -> Trace:
    """The REPORT lines of CloudWatch Logs of ``/aws/lambda/FUNCTION``, one file per function
    (a list of files for several): text (``aws logs filter-log-events --output text``,
    ``aws logs tail``, exported log files) or the JSON of ``aws logs filter-log-events``.

    Each REPORT line is a request: it ends at the line's timestamp, so it arrived at timestamp
    − Duration − Init Duration; an Init Duration marks a cold start; the log stream is the
    execution environment. The function's memory is the lines' Memory Size, its init the
    median Init Duration. `function`: the function names (default: each file's name without
    its suffix)."""
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    given = [function] if isinstance(function, str) else function
    if given is not None and len(given) != len(paths):
        raise UsageError(f"read_cloudwatch_logs: {len(paths)} files but {len(given)} function names")
    parts: list[tuple[str, dict[str, npt.NDArray[Any]], list[str]]] = []
    for k, p in enumerate(paths):
        text = path_text(p)
        reader = _core.read_cloudwatch_json if _is_json(text) else _core.read_cloudwatch_text
        columns, names = reader(text)
        parts.append((given[k] if given is not None else _stem(text), columns, names["stream"]))
    function_col, arrival, duration, init, instance, memory, inits, stream_names = [], [], [], [], [], [], [], []
    offset = 0
    # the earliest timestamp, in epoch ms: arrivals count from it, in full float64 precision
    stamps = [c["timestamp_ms"] for _, c, _ in parts if len(c["timestamp_ms"])]
    epoch_ms = float(min(s.min() for s in stamps)) if stamps else 0.0
    for i, (_, c, streams) in enumerate(parts):
        d = c["duration_ms"] / 1000
        e = c["init_ms"] / 1000
        function_col.append(np.full(len(d), i, np.int64))
        arrival.append((c["timestamp_ms"] - epoch_ms - c["duration_ms"] - np.nan_to_num(c["init_ms"])) / 1000)
        duration.append(d)
        init.append(e)
        s = c["stream"].astype(np.int64)
        instance.append(np.where(s == NO_STREAM, -1, s + offset))
        offset += len(streams)
        stream_names += streams
        sizes = c["memory_mb"][c["memory_mb"] > 0]
        memory.append(int(np.bincount(sizes).argmax()) if len(sizes) else None)
        cold = e[~np.isnan(e)]
        inits.append(cold if len(cold) else None)
    init_all = np.concatenate(init) if init else np.zeros(0)
    instance_all = np.concatenate(instance) if instance else np.zeros(0, np.int64)
    return build_trace(
        format="cloudwatch", source=", ".join(path_text(p) for p in paths), names=[p[0] for p in parts],
        function=np.concatenate(function_col), arrival=np.concatenate(arrival),
        duration_s=np.concatenate(duration), init_s=init_all, init_per_function=inits, memory_mb=memory,
        cold=~np.isnan(init_all), instance=instance_all if bool((instance_all >= 0).any()) else None,
        instance_names=stream_names, epoch=epoch_ms / 1000)


def _is_json(path: str) -> bool:
    with open(path, "rb") as file:
        head = file.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def read_azure2021(path: PathLike, duration_unit: str | None = None) -> Trace:
    """The Azure Functions 2021 trace (``app,func,end_timestamp,duration``, seconds): one
    function per (app, func), each request arriving at end_timestamp − duration. The trace
    says nothing of cold starts, environments, init or memory. `duration_unit` (``"s"`` or
    ``"ms"``) is the unit of both time columns when they are not in seconds."""
    text = path_text(path)
    check_unit(duration_unit)
    columns, names = _core.read_azure2021(text)
    duration = to_seconds(columns.pop("duration"), "s", duration_unit, text, "duration")
    arrival = columns.pop("end_timestamp")
    if duration_unit is not None:
        arrival *= UNITS[duration_unit]
    arrival -= duration  # in place: the column is ours
    first = columns.pop("function_first")
    app_of, func_of = columns.pop("app")[first], columns.pop("func")[first]
    function = columns.pop("function").astype(np.int64)
    apps, funcs = names["app"], names["func"]
    originals = [f"{apps[a]}/{funcs[f]}" for a, f in zip(app_of, func_of)]
    short = [f"{apps[a][:8]}-{funcs[f][:8]}" for a, f in zip(app_of, func_of)]
    return build_trace(format="azure2021", source=text, names=originals, short=short, function=function,
                       arrival=arrival, duration_s=duration)


def read_request_log(path: PathLike, duration_unit: str | None = None, function: str | None = None) -> Trace:
    """A per-request measurement log of one function (the pacslab logs of
    ``data/aws-lambda-requests``): each row a request arriving at ``client_start_time``
    (epoch seconds) and running ``aws_duration`` (milliseconds), ``is_cold`` its cold flag and
    ``inst_id`` its execution environment. ``aws_duration`` does not include init; the init is
    estimated as (median client_elapsed_time cold − warm) − (median aws_duration cold − warm),
    at least 0 (docs/validation-against-data.md §2). `function`: the function's name (default:
    the file's name without its suffix)."""
    text = path_text(path)
    columns, names = _core.read_request_log(text)
    start = columns["client_start_time"]
    if len(start) and float(np.median(start)) > EPOCH_SECONDS_LOOK_LIKE_MS_ABOVE:
        raise TraceFormatError(
            f"{text}: column 'client_start_time' looks like epoch milliseconds (median "
            f"{float(np.median(start)):g}), but this format gives it in epoch seconds; divide it by 1000",
            text, None, None, "client_start_time")
    duration = to_seconds(columns["aws_duration"], "ms", duration_unit, text, "aws_duration")
    cold = columns["is_cold"].astype(bool) if "is_cold" in columns else None
    instance = columns["inst_id"].astype(np.int64) if "inst_id" in columns else None
    init: npt.NDArray[np.float64] | None = None
    elapsed = columns.get("client_elapsed_time")
    if cold is not None and elapsed is not None and cold.any() and (~cold).any():
        client = np.median(elapsed[cold]) - np.median(elapsed[~cold])
        handler = np.median(duration[cold]) - np.median(duration[~cold])
        init = np.array([max(0.0, float(client - handler))])
    epoch = float(start.min()) if len(start) else 0.0
    return build_trace(
        format="request-log", source=text, names=[function if function is not None else _stem(text)],
        function=np.zeros(len(start), np.int64), arrival=start - epoch, duration_s=duration,
        init_per_function=[init], cold=cold, instance=instance,
        instance_names=names.get("inst_id", ()), epoch=epoch)

"""The Azure Functions 2019 trace: per-minute invocation counts spread into arrivals, durations
drawn from each function's percentiles (docs/replay.md)."""

from __future__ import annotations

import os
import numpy as np
import numpy.typing as npt

from .. import _core
from .._model import InvocationType
from ..errors import TraceFormatError, UsageError
from ._build import build_trace, first_seen_keys, path_text
from ._trace import Trace
from ._units import UNITS, check_unit, to_seconds

__all__ = ["read_azure2019", "ARRIVALS", "PERCENTILES", "EVENT_TRIGGERS", "MINUTE_S"]

#: How a minute's count becomes arrivals: ``uniform``, that many times drawn uniformly in the
#: minute (a Poisson process given its count); ``poisson``, a Poisson process at the minute's
#: rate (the count itself drawn, mean the trace's); ``even``, evenly spaced (no randomness).
ARRIVALS = ("uniform", "poisson", "even")
#: The percentiles the durations file gives, in percent.
PERCENTILES = (0, 1, 25, 50, 75, 99, 100)
#: Triggers whose invocations are asynchronous in Lambda's terms (Event): timers, Event Grid
#: events and storage (blob) events; http, queue, orchestration and others are synchronous.
EVENT_TRIGGERS = ("timer", "event", "storage")
MINUTE_S = 60.0


def read_azure2019(invocations_csv: str | os.PathLike[str], durations_csv: str | os.PathLike[str] | None = None,
                   seed: int = 0, arrivals: str = "uniform", duration_unit: str | None = None,
                   default_duration_s: float = 1.0) -> Trace:
    """The Azure Functions 2019 trace: an invocations file (``HashOwner,HashApp,HashFunction,
    Trigger,1,...,1440``, per-minute counts) and, optionally, its durations file
    (``HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,_1,
    _25,_50,_75,_99,_100``, milliseconds).

    A minute's count becomes that many arrivals in the minute as `arrivals` says
    (:data:`ARRIVALS`), each drawn from ``numpy.random.default_rng(seed)``; a request's duration
    is drawn from its function's percentile curve (linear between the percentiles). A
    function without a durations row gets the pooled curve (each percentile's median over the
    file's functions); without a durations file every request lasts `default_duration_s`. Both
    are warned about (:class:`ReplayWarning`)."""
    if arrivals not in ARRIVALS:
        raise UsageError(f"arrivals must be one of {', '.join(map(repr, ARRIVALS))}, got {arrivals!r}")
    check_unit(duration_unit)
    text = path_text(invocations_csv)
    columns, names = _core.read_azure2019_invocations(text)
    minutes = len(names["counts"])
    counts = columns["counts"].reshape(-1, minutes).astype(np.int64)
    key, first = first_seen_keys(columns["HashOwner"], columns["HashApp"], columns["HashFunction"])
    if len(first) < len(key):  # a function on several rows: its counts add up
        merged = np.zeros((len(first), minutes), np.int64)
        np.add.at(merged, key, counts)
        counts = merged
    owners, apps, funcs = names["HashOwner"], names["HashApp"], names["HashFunction"]
    triples = [(owners[columns["HashOwner"][r]], apps[columns["HashApp"][r]], funcs[columns["HashFunction"][r]])
               for r in first]
    originals = ["/".join(t) for t in triples]
    short = [f"{a[:8]}-{f[:8]}" for _, a, f in triples]
    triggers = [names["Trigger"][columns["Trigger"][r]] for r in first]

    rng = np.random.default_rng(seed)
    if arrivals == "poisson":
        counts = rng.poisson(counts)
    flat = counts.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    function = cell // minutes
    minute = (cell % minutes).astype(np.float64)
    if arrivals == "even":
        within = _even(flat)
    else:
        within = rng.random(len(cell))
    arrival = (minute + within) * MINUTE_S

    notes: list[str] = []
    duration = np.full(len(cell), float(default_duration_s))
    if durations_csv is None:
        notes.append(f"no durations file for the azure2019 trace {text!r}: every request lasts "
                     f"default_duration_s = {default_duration_s:g} s")
    else:
        curves, missing = _curves(path_text(durations_csv), originals, duration_unit)
        if missing:
            notes.append(f"{missing} of the {len(originals)} functions of {text!r} have no row in the durations "
                         "file: their requests' durations are drawn from the pooled percentiles")
        u = rng.random(len(cell)) * 100
        starts = np.searchsorted(function, np.arange(len(originals) + 1))
        for f in range(len(originals)):
            a, b = starts[f], starts[f + 1]
            duration[a:b] = np.interp(u[a:b], PERCENTILES, curves[f])
    kind = np.array([InvocationType.EVENT if t.lower() in EVENT_TRIGGERS else InvocationType.REQUEST_RESPONSE
                     for t in triggers], np.uint8)
    return build_trace(format="azure2019", source=text, names=originals, short=short, function=function,
                       arrival=arrival, duration_s=duration, invocation_type=kind[function], notes=notes)


def _even(flat: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Within each cell of `flat` requests, the k-th of c at (k + 0.5) / c of the minute."""
    offsets = np.repeat(np.cumsum(flat) - flat, flat)
    k = np.arange(int(flat.sum())) - offsets
    c = np.repeat(flat, flat)
    return (k + 0.5) / c


def _curves(path: str, originals: list[str], duration_unit: str | None) -> tuple[npt.NDArray[np.float64], int]:
    """Each function's percentile curve in seconds (a row per function of `originals`; the
    pooled curve where the file has none), and how many had none."""
    columns, names = _core.read_azure2019_durations(path)
    cols = [f"percentile_Average_{p}" for p in PERCENTILES]
    raw = np.stack([columns[c] for c in cols], axis=1) if len(columns[cols[0]]) else np.zeros((0, len(cols)))
    if len(raw) and bool((np.diff(raw, axis=1) < 0).any()):
        row = int(np.flatnonzero((np.diff(raw, axis=1) < 0).any(axis=1))[0])
        raise TraceFormatError(f"{path}: data row {row + 1}: the percentiles decrease "
                               f"({', '.join(f'{v:g}' for v in raw[row])})", path, None, None, cols[0])
    to_seconds(raw[:, 3], "ms", duration_unit, path, cols[3])  # refuses a median in the wrong unit
    seconds = raw * UNITS[duration_unit or "ms"]
    by_name = {"/".join((names["HashOwner"][o], names["HashApp"][a], names["HashFunction"][f])): i
               for i, (o, a, f) in enumerate(zip(columns["HashOwner"], columns["HashApp"], columns["HashFunction"]))}
    pooled = np.median(seconds, axis=0) if len(seconds) else np.zeros(len(cols))
    rows = [by_name.get(name) for name in originals]
    curves = np.array([seconds[i] if i is not None else pooled for i in rows]).reshape(len(originals), len(cols))
    return curves, sum(i is None for i in rows)

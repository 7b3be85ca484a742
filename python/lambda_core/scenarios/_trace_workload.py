"""``[[functions.workload]] trace = "file"``: a function's requests taken from a trace of real
traffic (docs/scenarios.md, docs/replay.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from .._model import Function, InvocationType, Workload
from ..errors import LambdaCoreError, ScenarioError
from ..traces import FORMATS, Trace, read_trace
from ._schema import _check_keys, _number

__all__ = ["TraceSpec", "TRACE_KEYS", "parse_trace_workload"]

#: The keys of a trace workload table.
TRACE_KEYS = ("trace", "format", "functions", "duration_unit", "durations", "rate", "start_s", "end_s",
              "allow_timeouts")


@dataclasses.dataclass(frozen=True)
class TraceSpec:
    """The requests of a trace (all of its functions', or those of ``functions``) as one
    scenario function's workload: ``start_s``/``end_s`` window it, ``rate`` scales it
    (:meth:`Trace.window`, :meth:`Trace.scale`). An Azure 2019 trace is drawn again for each
    seed (:meth:`generate`); the others are replayed as they are."""

    path: Path
    format: str
    trace: Trace = dataclasses.field(repr=False, compare=False)
    options: tuple[tuple[str, Any], ...] = ()
    functions: tuple[str, ...] | None = None
    rate: float = 1.0
    start_s: float | None = None
    end_s: float | None = None

    @property
    def invocation_type(self) -> InvocationType:
        """``EVENT`` when any of the trace's requests is asynchronous."""
        kinds = self.trace.workload.invocation_type
        events = kinds is not None and bool((kinds == InvocationType.EVENT).any())
        return InvocationType.EVENT if events else InvocationType.REQUEST_RESPONSE

    def expected_requests(self) -> float:
        return float(len(self.trace))

    def _shaped(self, trace: Trace) -> Trace:
        if self.functions is not None:
            trace = trace.select(self.functions)
        if self.start_s is not None or self.end_s is not None:
            trace = trace.window(self.start_s or 0.0, self.end_s if self.end_s is not None else np.inf)
        return trace.scale(self.rate) if self.rate != 1.0 else trace

    def scaled(self, factor: float) -> TraceSpec:
        """This workload at ``factor`` times its rate (:meth:`Trace.scale`)."""
        return dataclasses.replace(self, rate=self.rate * factor, trace=self.trace.scale(factor))

    def generate(self, rng: np.random.Generator, function: int) -> Workload:
        """The trace's requests, every one for function index `function`."""
        trace = self.trace
        if self.format == "azure2019":  # its arrivals and durations are draws: one per seed
            trace = self._shaped(read_trace(self.path, self.format, seed=int(rng.integers(2**63)),
                                            **dict(self.options)))
        w = trace.workload
        return Workload(w.time, np.full(len(w), function, np.int64), w.duration, w.invocation_type, w.failures,
                        w.payload_bytes)

    def describe(self) -> str:
        text = f"trace {self.path} ({self.format}, {len(self.trace):,} requests over {self.trace.span_s:g} s)"
        if self.functions is not None:
            text += f" of {', '.join(self.functions)}"
        return text + (f", {self.rate:g} × its rate" if self.rate != 1.0 else "")


def parse_trace_workload(table: dict[str, Any], where: str, function: Function, base: Path | None) -> TraceSpec:
    """A trace workload table of `function`; a relative path is relative to `base`, the
    scenario file's folder (the working directory for a scenario given as text)."""
    _check_keys(table, TRACE_KEYS, where)
    raw = table["trace"]
    if not isinstance(raw, str) or not raw:
        raise ScenarioError(f"'trace' in {where} must be the path of a trace file, got {raw!r}")
    path = Path(raw) if Path(raw).is_absolute() or base is None else base / raw
    format = table.get("format")
    if format is not None and format not in FORMATS:
        raise ScenarioError(f"'format' in {where} must be one of {', '.join(map(repr, FORMATS))}, got {format!r}")
    picked = table.get("functions")
    if picked is not None and not (isinstance(picked, list) and picked and all(isinstance(p, str) for p in picked)):
        raise ScenarioError(f"'functions' in {where} must be an array of the trace's function names")
    options: dict[str, Any] = {}
    if "duration_unit" in table:
        options["duration_unit"] = table["duration_unit"]
    if "durations" in table:
        durations = str(table["durations"])
        options["durations_csv"] = durations if Path(durations).is_absolute() or base is None else base / durations
    rate = _number(table, "rate", where, default=1.0, positive=True)
    start = _number(table, "start_s", where, default=None, low=0.0)
    end = _number(table, "end_s", where, default=None, low=0.0)
    try:
        trace = read_trace(path, format, **options)
        spec = TraceSpec(path, trace.format, trace, tuple(sorted(options.items())),
                         None if picked is None else tuple(picked), rate, start, end)
        spec = dataclasses.replace(spec, trace=spec._shaped(trace))
    except (LambdaCoreError, OSError) as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    longest = float(spec.trace.workload.duration.max()) if len(spec.trace) else 0.0
    if longest > function.timeout_s and table.get("allow_timeouts") is not True:
        over = int((spec.trace.workload.duration > function.timeout_s).sum())
        raise ScenarioError(
            f"{where}: {over} requests of the trace last longer than function '{function.name}''s timeout_s = "
            f"{function.timeout_s:g} s (the longest {longest:g} s) and would end as timeouts: set timeout_s to "
            f"at least {min(np.ceil(longest), 900):g}, or allow_timeouts = true")
    return spec

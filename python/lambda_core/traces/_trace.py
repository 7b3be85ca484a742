"""A trace of real traffic ready to replay: :class:`Trace` (docs/replay.md)."""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._model import Account, Distribution, Empirical, Function, Result, Workload
from .._model.function import INIT_LIMIT_S
from .._simulator import Simulator
from ..errors import UsageError
from ._observed import Observed

__all__ = ["Trace", "ReplayWarning", "LAMBDA_TIMEOUT_LIMIT_S", "init_setting", "fitting_timeout"]

#: Lambda's longest timeout: a trace's longer durations cannot be replayed as they are.
LAMBDA_TIMEOUT_LIMIT_S = 900.0


class ReplayWarning(UserWarning):
    """A replay that a default or a limit distorts: durations above Lambda's 900 s limit, an
    init duration the trace does not give, figures of a scaled trace compared with what the
    unscaled one observed."""


def init_setting(values: npt.NDArray[np.float64]) -> float | Distribution:
    """The ``init_s`` of a function from the init durations its trace reports (seconds, at
    least one), each within 0–10 s: the one value, or the empirical distribution of them, so
    that each cold start of a replay draws one of the inits the trace saw (docs/model.md §3.1)."""
    clipped = np.clip(np.asarray(values, dtype=np.float64), 0.0, INIT_LIMIT_S)
    if len(clipped) == 1 or bool(np.all(clipped == clipped[0])):
        return float(clipped[0])
    return Empirical(clipped.tolist())


def fitting_timeout(durations: npt.NDArray[np.float64]) -> float:
    """A timeout every one of `durations` fits in: the longest rounded up to a whole second,
    from 1 s up to Lambda's 900 s."""
    longest = float(durations.max()) if len(durations) else 0.0
    return float(min(max(math.ceil(longest), 1), LAMBDA_TIMEOUT_LIMIT_S))


@dataclasses.dataclass(frozen=True, eq=False)
class Trace:
    """Real requests of one or more functions, ready to replay (docs/replay.md).

    - ``functions``: one :class:`~lambda_core.Function` per function of the trace: a valid
      Lambda name (``names`` holds the trace's own), the memory size the trace reports, a
      timeout that fits its durations, the init duration it reports (``init_known``);
    - ``workload``: the requests sorted by arrival, rebased so that the trace starts at 0;
      ``origin_s`` is the time of that 0 on the trace's own clock (epoch seconds for CloudWatch
      and request logs, the trace's seconds for Azure);
    - ``observed``: what the trace says (:class:`Observed`);
    - ``format`` and ``source``: the format's name and the file;
    - ``rate``: how much faster than recorded the requests arrive (:meth:`scale`).
    """

    format: str
    source: str
    functions: list[Function]
    names: tuple[str, ...]
    workload: Workload
    origin_s: float
    observed: Observed
    init_known: tuple[bool, ...]
    rate: float = 1.0
    #: The warnings raised when the trace was read (also issued as :class:`ReplayWarning`).
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.workload)

    def __repr__(self) -> str:
        span = f", {self.span_s:g} s" if len(self) else ""
        n = len(self.functions)
        return f"Trace({self.format} {self.source!r}: {len(self)} requests of {n} function{'' if n == 1 else 's'}{span})"

    @property
    def function_names(self) -> tuple[str, ...]:
        """The functions' Lambda names, in function order."""
        return tuple(f.name for f in self.functions)

    @property
    def span_s(self) -> float:
        """From the first arrival to the last, in seconds."""
        return float(self.workload.time[-1] - self.workload.time[0]) if len(self) else 0.0

    def index(self, name: str) -> int:
        """The index of the function named `name`: its Lambda name or the trace's own."""
        for names in (self.function_names, self.names):
            if name in names:
                return names.index(name)
        raise UsageError(f"the trace has no function named {name!r} (its functions: "
                         f"{', '.join(self.function_names[:10])}{' ...' if len(self.functions) > 10 else ''})")

    def select(self, functions: Iterable[str]) -> Trace:
        """The requests of the named functions only (Lambda names or the trace's own), the
        functions in trace order."""
        keep = sorted({self.index(n) for n in ([functions] if isinstance(functions, str) else functions)})
        new = np.full(len(self.functions), -1, np.int64)
        new[keep] = np.arange(len(keep))
        rows = np.flatnonzero(new[self.workload.function] >= 0)
        trace = self._rows(rows, new)
        return dataclasses.replace(
            trace, functions=[self.functions[i] for i in keep], names=tuple(self.names[i] for i in keep),
            init_known=tuple(self.init_known[i] for i in keep),
            observed=self.observed.take(rows, new, tuple(self.function_names[i] for i in keep)))

    def window(self, start_s: float, end_s: float) -> Trace:
        """The requests arriving in ``[start_s, end_s)`` (seconds of this trace), rebased so
        that `start_s` is 0 (``origin_s`` moves with it). The environments the trace had
        before `start_s` are not carried over: the window's replay starts cold."""
        if not (math.isfinite(start_s) and math.isfinite(end_s) and 0 <= start_s <= end_s):
            raise UsageError(f"window needs 0 <= start_s <= end_s (finite seconds), got {start_s!r}, {end_s!r}")
        t = self.workload.time
        rows = np.arange(int(np.searchsorted(t, start_s, "left")), int(np.searchsorted(t, end_s, "left")))
        trace = self._rows(rows, None, shift=start_s)
        return dataclasses.replace(trace, origin_s=self.origin_s + start_s * self.rate)

    def scale(self, rate: float = 2.0) -> Trace:
        """The same requests arriving `rate` times as fast (time compressed by `rate`; the
        durations unchanged). Its ``observed`` stays what the recorded traffic showed, so
        :meth:`compare` warns that the two are not the same traffic."""
        if not (isinstance(rate, (int, float)) and math.isfinite(rate) and rate > 0):
            raise UsageError(f"rate must be a positive number, got {rate!r}")
        w = self.workload
        return dataclasses.replace(self, workload=Workload(w.time / rate, w.function, w.duration, w.invocation_type,
                                                           w.failures, w.payload_bytes), rate=self.rate * rate)

    def _rows(self, rows: npt.NDArray[np.int64], function_map: npt.NDArray[np.int64] | None,
              shift: float = 0.0) -> Trace:
        w = self.workload
        function = w.function[rows] if function_map is None else function_map[w.function[rows]]
        time = w.time[rows] - shift if shift else w.time[rows]
        kind = None if w.invocation_type is None else w.invocation_type[rows]
        failures = None if w.failures is None else w.failures[rows]
        payload = None if w.payload_bytes is None else w.payload_bytes[rows]
        return dataclasses.replace(self, workload=Workload(time, function, w.duration[rows], kind, failures, payload),
                                   observed=self.observed.take(rows))

    def simulator(self, account: Account | None = None, *, seed: int = 0, routing: str = "newest",
                  metrics_period_s: float | None = None, **overrides: Any) -> Simulator:
        """A :class:`~lambda_core.Simulator` of the trace's functions, ready to
        ``run(trace.workload)``. `overrides` are :class:`~lambda_core.Function` fields set on
        every function (``idle_timeout_s=700``, ``init_s=0.3`` ...). Warns
        (:class:`ReplayWarning`) when functions take the default init duration because the
        trace gives none and `overrides` set none."""
        return self._simulator(account, seed, routing, metrics_period_s, overrides, stacklevel=3)

    def _simulator(self, account: Account | None, seed: int, routing: str, metrics_period_s: float | None,
                   overrides: dict[str, Any], stacklevel: int) -> Simulator:
        fields = {f.name for f in dataclasses.fields(Function)} - {"name"}
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise UsageError(f"Trace.simulator: {', '.join(map(repr, unknown))} "
                             f"{'is' if len(unknown) == 1 else 'are'} not a Function field "
                             f"(the fields: {', '.join(sorted(fields))})")
        missing = [f.name for f, known in zip(self.functions, self.init_known) if not known]
        if missing and "init_s" not in overrides:
            warnings.warn(ReplayWarning(
                f"the {self.format} trace {self.source!r} gives no init duration for {len(missing)} of its "
                f"{len(self.functions)} functions ({_some(missing)}): the default init_s = "
                f"{Function('f').init_s:g} s is used; pass init_s=... to choose"), stacklevel=stacklevel)
        functions = [dataclasses.replace(f, **overrides) if overrides else f for f in self.functions]
        return Simulator(account, functions, seed=seed, routing=routing, metrics_period_s=metrics_period_s)

    def replay(self, account: Account | None = None, *, seed: int = 0, routing: str = "newest",
               metrics_period_s: float | None = None, **overrides: Any) -> Result:
        """``self.simulator(account, ...).run(self.workload)``: the replay's :class:`~lambda_core.Result`."""
        sim = self._simulator(account, seed, routing, metrics_period_s, overrides, stacklevel=3)
        return sim.run(self.workload)

    def compare(self, result: Result) -> Any:
        """Observed against simulated figures (:class:`~lambda_core.traces.Comparison`) for a
        `result` of replaying this trace's workload."""
        from ._compare import compare

        return compare(self, result)


def _some(names: Sequence[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")

"""What a trace itself says of its requests (:class:`Observed`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Observed"]


@dataclasses.dataclass(frozen=True)
class Observed:
    """What the trace says, per request in the order of :attr:`Trace.workload`, and counted.

    A figure the format cannot tell is ``None``: Azure traces say nothing of cold starts or
    environments; CloudWatch logs name environments only when their lines carry the log stream.

    - ``function_names``: the functions' Lambda names (``function`` indexes them);
    - ``function``: each request's function index;
    - ``duration_s``: each request's handler duration as the trace gives it (for Azure 2019,
      drawn from the durations file's percentiles);
    - ``init_s``: each request's init duration (NaN where it had none), or ``None``;
    - ``cold``: whether the trace calls the request a cold start, or ``None``;
    - ``instance``: the code of the execution environment that served it (an index into
      ``instance_names``; −1 where unknown), or ``None``.
    """

    function_names: tuple[str, ...]
    function: npt.NDArray[np.int64]
    duration_s: npt.NDArray[np.float64]
    init_s: npt.NDArray[np.float64] | None = None
    cold: npt.NDArray[np.bool_] | None = None
    instance: npt.NDArray[np.int64] | None = None
    instance_names: tuple[str, ...] = ()

    @property
    def requests(self) -> int:
        return len(self.function)

    @property
    def cold_starts(self) -> int | None:
        """Cold starts the trace reports, or ``None``."""
        return None if self.cold is None else int(self.cold.sum())

    @property
    def environments(self) -> int | None:
        """Distinct execution environments (instance ids, log streams) the trace names, or
        ``None`` when it names none."""
        return _distinct(self.instance)

    def function_figures(self) -> list[dict[str, Any]]:
        """Per function, in function order: ``function`` (its Lambda name), ``requests``,
        ``cold_starts``, ``environments`` (``None`` when the trace cannot tell),
        ``mean_duration_s`` and ``median_init_s`` (``None`` without init durations)."""
        n = len(self.function_names)
        requests = np.bincount(self.function, minlength=n)
        total = np.bincount(self.function, weights=self.duration_s, minlength=n)
        cold = None if self.cold is None else np.bincount(self.function, weights=self.cold, minlength=n)
        # rows grouped by function, for the figures that need each function's own values
        order = np.argsort(self.function, kind="stable")
        bounds = np.searchsorted(self.function[order], np.arange(n + 1))
        out = []
        for i, name in enumerate(self.function_names):
            mine = order[bounds[i]:bounds[i + 1]]
            init = None
            if self.init_s is not None:
                values = self.init_s[mine]
                values = values[~np.isnan(values)]
                init = float(np.median(values)) if len(values) else None
            out.append({
                "function": name,
                "requests": int(requests[i]),
                "cold_starts": None if cold is None else int(cold[i]),
                "environments": None if self.instance is None else _distinct(self.instance[mine]),
                "mean_duration_s": float(total[i] / requests[i]) if requests[i] else None,
                "median_init_s": init,
            })
        return out

    def take(self, rows: npt.NDArray[np.int64], function_map: npt.NDArray[np.int64] | None = None,
             names: tuple[str, ...] | None = None) -> Observed:
        """The observation of the requests at `rows` (in that order); `function_map` renumbers
        the function indexes (old → new) and `names` are the new functions' names."""
        function = self.function[rows]
        if function_map is not None:
            function = function_map[function]
        return Observed(
            function_names=self.function_names if names is None else names,
            function=function, duration_s=self.duration_s[rows],
            init_s=None if self.init_s is None else self.init_s[rows],
            cold=None if self.cold is None else self.cold[rows],
            instance=None if self.instance is None else self.instance[rows],
            instance_names=self.instance_names,
        )


def _distinct(instance: npt.NDArray[np.int64] | None) -> int | None:
    if instance is None:
        return None
    known = instance[instance >= 0]
    return len(np.unique(known)) if len(known) or len(instance) == 0 else None

"""Workloads: the requests to replay, as equal-length numpy columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .enums import InvocationType, Trigger
from .payloads import too_large
from ..errors import WorkloadError

__all__ = ["Workload"]


def _column(name: str, values: Any, dtype: type, kind: str) -> np.ndarray:
    """Returns `values` as a C-contiguous 1-D array of `dtype`, without a copy when it already is one.

    `kind` is "real" (floats or integers accepted) or "integer" (integers only).
    """
    try:
        arr = np.asarray(values)
    except ValueError as exc:  # a ragged nested list, for one
        raise WorkloadError(f"workload column '{name}' is not a one-dimensional array: {exc}", name, None) from None
    if arr.size == 0 and arr.dtype == np.float64 and kind == "integer":
        arr = arr.astype(dtype)  # an empty list: numpy's default float64 says nothing about the type
    if arr.ndim != 1:
        raise WorkloadError(f"workload column '{name}' must be one-dimensional, got shape {arr.shape}", name, None)
    ok = np.issubdtype(arr.dtype, np.integer) or (kind == "real" and np.issubdtype(arr.dtype, np.floating))
    # numpy counts timedelta64 as an integer type: its unit would be lost
    if arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.timedelta64) or not ok:
        want = "real numbers (float or int)" if kind == "real" else "integers"
        raise TypeError(f"workload column '{name}' must hold {want}, got dtype {arr.dtype}")
    if arr.dtype != dtype and kind == "integer" and arr.size:
        info = np.iinfo(dtype)
        lo, hi = arr.min(), arr.max()
        if lo < info.min or hi > info.max:
            row = int(np.flatnonzero((arr < info.min) | (arr > info.max))[0])
            raise WorkloadError(f"workload column '{name}', row {row}: {arr[row]} is out of range", name, row)
    return np.ascontiguousarray(arr, dtype=dtype)


class Workload:
    """Requests to replay: one row per request, as numpy columns of equal length.

    Args:
        time: arrival times in seconds, non-decreasing.
        function: index of each request's function in the simulator's function list.
        duration: handler duration in seconds (the time the function would run; a duration
            longer than the function's ``timeout_s`` ends as a ``TIMEOUT``).
        invocation_type: :class:`InvocationType` per row, or one for all rows; a
            :class:`Trigger` stands for the way its service invokes (``Trigger.S3``: ``EVENT``).
            Default: all ``REQUEST_RESPONSE``.
        failures: how many leading attempts of each request that reach the function end in a
            function error (default 0).
        payload_bytes: each request's payload size in bytes (≥ 0); a synchronous request above
            6 MB or an event above 1 MB is refused at once as ``REQUEST_TOO_LARGE``
            (docs/model.md §14). Default: every payload fits.

    The columns are checked for dtype and length here, and for their values (NaN, negative or
    decreasing times, unknown function indexes ...) when the workload is submitted; either
    error names the column and the first bad row. Arrays that already have the canonical
    dtypes (float64, int64, float64, uint8, int64, int64) and are contiguous are not converted (the
    workload's columns are views of them). A simulator copies a workload's rows when they are
    submitted: changing or reusing the arrays afterwards changes nothing submitted.
    """

    __slots__ = ("time", "function", "duration", "invocation_type", "failures", "payload_bytes")

    time: npt.NDArray[np.float64]
    function: npt.NDArray[np.int64]
    duration: npt.NDArray[np.float64]
    invocation_type: npt.NDArray[np.uint8] | None
    failures: npt.NDArray[np.int64] | None
    payload_bytes: npt.NDArray[np.int64] | None

    def __init__(
        self,
        time: npt.ArrayLike,
        function: npt.ArrayLike,
        duration: npt.ArrayLike,
        invocation_type: npt.ArrayLike | InvocationType | Trigger | None = None,
        failures: npt.ArrayLike | int | None = None,
        payload_bytes: npt.ArrayLike | int | None = None,
    ) -> None:
        self.time = _column("time", time, np.float64, "real")
        n = len(self.time)
        self.function = _column("function", _broadcast(function, n), np.int64, "integer")
        self.duration = _column("duration", _broadcast(duration, n), np.float64, "real")
        self.invocation_type = None
        if isinstance(invocation_type, Trigger):
            invocation_type = invocation_type.invocation_type
        if invocation_type is not None:
            self.invocation_type = _column("invocation_type", _broadcast(invocation_type, n), np.uint8, "integer")
        self.failures = None
        if failures is not None:
            self.failures = _column("failures", _broadcast(failures, n), np.int64, "integer")
        self.payload_bytes = None
        if payload_bytes is not None:
            self.payload_bytes = _column("payload_bytes", _broadcast(payload_bytes, n), np.int64, "integer")
        for name in ("function", "duration", "invocation_type", "failures", "payload_bytes"):
            col = getattr(self, name)
            if col is not None and len(col) != n:
                raise WorkloadError(
                    f"workload column '{name}' has {len(col)} rows but 'time' has {n}: columns must have equal lengths",
                    name,
                    min(len(col), n),
                )

        if self.payload_bytes is not None and len(self.payload_bytes) and self.payload_bytes.min() < 0:
            row = int(np.flatnonzero(self.payload_bytes < 0)[0])
            raise WorkloadError(
                f"workload column 'payload_bytes', row {row}: {self.payload_bytes[row]} is negative",
                "payload_bytes", row)

    def too_large(self) -> npt.NDArray[np.bool_] | None:
        """The rows refused for their payload (docs/model.md §14), or ``None`` when no payload is
        given."""
        if self.payload_bytes is None:
            return None
        kind = self.invocation_type if self.invocation_type is not None else np.zeros(len(self), np.uint8)
        return too_large(self.payload_bytes, kind)

    def __len__(self) -> int:
        return len(self.time)

    def __repr__(self) -> str:
        span = f", {self.time[0]:g}..{self.time[-1]:g} s" if len(self) else ""
        return f"Workload({len(self)} requests{span})"

    @classmethod
    def concat(cls, workloads: list[Workload]) -> Workload:
        """One workload of several, merged by time (stable: ties keep list order, then row order).
        No workloads make an empty one."""
        workloads = list(workloads)
        for w in workloads:
            if not isinstance(w, Workload):
                raise TypeError(f"Workload.concat takes Workload objects, got {type(w).__name__}")
        if not workloads:
            return cls(np.empty(0), np.empty(0, np.int64), np.empty(0))
        time = np.concatenate([w.time for w in workloads])
        order = np.argsort(time, kind="stable")
        def cat(name: str, default: float) -> np.ndarray:
            return np.concatenate([
                getattr(w, name) if getattr(w, name) is not None else np.full(len(w), default)
                for w in workloads
            ])[order]
        return cls(
            time[order],
            cat("function", 0),
            cat("duration", 0.0),
            cat("invocation_type", 0) if any(w.invocation_type is not None for w in workloads) else None,
            cat("failures", 0) if any(w.failures is not None for w in workloads) else None,
            cat("payload_bytes", 0) if any(w.payload_bytes is not None for w in workloads) else None,
        )


def _broadcast(values: Any, n: int) -> Any:
    """Lets a scalar stand for a whole column."""
    if np.ndim(values) == 0 and not isinstance(values, (str, bytes)):
        return np.full(n, values)
    return values

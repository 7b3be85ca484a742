"""From a reader's columns to a :class:`Trace`: arrival order, rebased times, Lambda names,
fitting timeouts, the trace's memory and init, and the warnings of what a replay distorts."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .._model import Function, Workload
from .._model.function import INIT_LIMIT_S
from ._names import lambda_names
from ._observed import Observed
from ._trace import LAMBDA_TIMEOUT_LIMIT_S, ReplayWarning, Trace, fitting_timeout, init_setting

__all__ = ["build_trace", "path_text", "MEMORY_RANGE_MB"]

#: The memory sizes Lambda accepts (docs/model.md §9).
MEMORY_RANGE_MB = (128, 10240)


def path_text(path: str | os.PathLike[str]) -> str:
    """The file's name as messages print it; a missing file or a folder is refused here, with
    the error Python gives for it."""
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(f"a trace path must be a str or a path, got {type(path).__name__}")
    if not os.path.exists(text):
        raise FileNotFoundError(2, "no such trace file", text)
    if os.path.isdir(text):
        raise IsADirectoryError(21, "a directory, not a trace file", text)
    return text


def build_trace(*, format: str, source: str, names: Sequence[str], function: npt.NDArray[np.int64],
                arrival: npt.NDArray[np.float64], duration_s: npt.NDArray[np.float64],
                short: Sequence[str] | None = None, init_s: npt.NDArray[np.float64] | None = None,
                init_per_function: Sequence[npt.NDArray[np.float64] | None] | None = None,
                memory_mb: Sequence[int | None] | None = None,
                cold: npt.NDArray[np.bool_] | None = None, instance: npt.NDArray[np.int64] | None = None,
                instance_names: Sequence[str] = (), invocation_type: npt.NDArray[np.uint8] | None = None,
                notes: Sequence[str] = (), epoch: float = 0.0) -> Trace:
    """The trace of these per-request columns (in any order: sorted here, stably, by arrival),
    with per function the init durations the trace reports (`init_per_function`, seconds;
    ``None``: it gives none; :func:`init_setting` makes the function's ``init_s`` of them) and
    its memory size (`memory_mb`). `arrival` counts from `epoch` on the trace's clock: readers
    of epoch timestamps subtract one first, so that no float64 digit is lost to the epoch. The
    trace takes the arrays over (`arrival` is rebased in place): a trace's columns are large."""
    n_functions = len(names)
    if len(arrival) and not bool((arrival[1:] >= arrival[:-1]).all()):  # already in order: no copies
        order = np.argsort(arrival, kind="stable")
        arrival, function, duration_s = arrival[order], function[order], duration_s[order]
        init_s = None if init_s is None else init_s[order]
        cold = None if cold is None else cold[order]
        instance = None if instance is None else instance[order]
        invocation_type = None if invocation_type is None else invocation_type[order]
        del order
    first = float(arrival[0]) if len(arrival) else 0.0
    lambda_ = lambda_names(names, short)
    said = list(notes)
    inits: list[npt.NDArray[np.float64] | None] = (list(init_per_function) if init_per_function is not None
                                                    else [None] * n_functions)
    memories = list(memory_mb) if memory_mb is not None else [None] * n_functions
    # per function, in one pass over the rows each (a mask per function would be rows × functions)
    longest = np.zeros(n_functions)
    np.maximum.at(longest, function, duration_s)
    over = np.bincount(function, weights=duration_s > LAMBDA_TIMEOUT_LIMIT_S, minlength=n_functions).astype(int)
    default = Function("default")
    functions = []
    too_long = []
    for i, name in enumerate(lambda_):
        if over[i]:
            too_long.append(f"{over[i]} of {name}")
        samples = inits[i]
        if samples is not None and float(np.median(samples)) > INIT_LIMIT_S:
            said.append(f"function {name}: the trace's init duration {float(np.median(samples)):g} s is above "
                        f"Lambda's {INIT_LIMIT_S:g} s init limit: {INIT_LIMIT_S:g} s is used")
        memory = memories[i]
        if memory is not None and not MEMORY_RANGE_MB[0] <= memory <= MEMORY_RANGE_MB[1]:
            said.append(f"function {name}: the trace's memory size {memory} MB is outside Lambda's "
                        f"{MEMORY_RANGE_MB[0]}-{MEMORY_RANGE_MB[1]} MB: the default is used")
            memory = None
        functions.append(Function(
            name, timeout_s=fitting_timeout(longest[i:i + 1]),
            memory_mb=memory if memory is not None else default.memory_mb,
            init_s=init_setting(samples) if samples is not None else default.init_s,
        ))
    if too_long:
        said.append(
            f"{sum(int(t.split()[0]) for t in too_long)} requests of the {format} trace {source!r} last "
            f"longer than Lambda's {LAMBDA_TIMEOUT_LIMIT_S:g} s limit ({', '.join(too_long[:5])}"
            f"{' ...' if len(too_long) > 5 else ''}): their functions' timeout is 900 s and they "
            "end as timeouts there")
    for text in said:
        warnings.warn(ReplayWarning(text), stacklevel=3)  # the reader's caller
    observed = Observed(
        function_names=tuple(lambda_), function=function, duration_s=duration_s, init_s=init_s,
        cold=cold, instance=instance, instance_names=tuple(instance_names))
    arrival -= first  # the caller's column, or this function's sorted copy of it
    workload = Workload(arrival, function, duration_s, invocation_type)
    return Trace(format=format, source=source, functions=functions, names=tuple(names), workload=workload,
                 origin_s=epoch + first, observed=observed,
                 init_known=tuple(i is not None for i in inits), warnings=tuple(said))


def first_seen_keys(*codes: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The distinct combinations of the code columns `codes` (equal lengths, at least one),
    numbered in order of first appearance: (each row's number, the first row of each number)."""
    n = len(codes[0])
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    key = np.zeros(n, np.int64)
    for c in codes:
        # both factors stay below the row count, so the product fits in 64 bits
        combined = key * (int(c.max()) + 1) + c.astype(np.int64)
        key = np.unique(combined, return_inverse=True)[1].ravel().astype(np.int64)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()], np.sort(first)

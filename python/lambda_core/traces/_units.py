"""Units of a trace's duration columns: refused, never silently taken, when they look wrong."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import TraceFormatError, UsageError

__all__ = ["UNITS", "to_seconds", "check_unit"]

#: The units a duration column may be given in, and seconds per unit.
UNITS = {"s": 1.0, "ms": 1e-3}

#: A median duration above this many seconds looks like milliseconds (Lambda's longest
#: handler is 900 s; a trace whose typical request lasts minutes is very rare).
SECONDS_LOOK_LIKE_MS_ABOVE = 100.0
#: A median duration below this many milliseconds, in values that are not whole numbers,
#: looks like seconds.
MS_LOOK_LIKE_SECONDS_BELOW = 1.0


def check_unit(given: str | None) -> None:
    if given is not None and given not in UNITS:
        raise UsageError(f"duration_unit must be 's' or 'ms', got {given!r}")


def to_seconds(values: npt.NDArray[np.float64], expected: str, given: str | None, path: str,
               column: str) -> npt.NDArray[np.float64]:
    """`values` of the duration column `column` of `path` in seconds. ``given``: the unit the
    caller said (then taken as said); ``None``: the format's `expected` unit, after checking
    that the values do not look like the other one (:class:`TraceFormatError` naming the file,
    the column and ``duration_unit=``, with the median that decided). Seconds come back as
    the same array."""
    check_unit(given)
    unit = given if given is not None else expected
    if given is None and len(values):
        median = float(np.median(values))
        wrong = _looks_wrong(values, median, expected)
        if wrong:
            other = "ms" if expected == "s" else "s"
            raise TraceFormatError(
                f"{path}: column '{column}' looks like {_word(other)} (median {median:g}), but this "
                f"format gives it in {_word(expected)}; say which it is: duration_unit='{other}' "
                f"if it is in {_word(other)}, duration_unit='{expected}' to take it as "
                f"{_word(expected)} (lambda-core replay: --duration-unit)",
                path, None, None, column)
    if unit == "s":
        return values  # no copy: a trace's columns are large
    return values * UNITS[unit]


def _looks_wrong(values: npt.NDArray[Any], median: float, expected: str) -> bool:
    if expected == "s":
        return median > SECONDS_LOOK_LIKE_MS_ABOVE
    return median < MS_LOOK_LIKE_SECONDS_BELOW and not bool(np.all(values == np.round(values)))


def _word(unit: str) -> str:
    return {"s": "seconds", "ms": "milliseconds"}[unit]

"""The checks every configuration class makes: Python types, finite seconds, AWS's ranges, and
the engine's limits.

Each ``require_*`` returns the value normalised to the plain Python type its attribute declares
(a numpy integer becomes an ``int``, an ``int`` given for seconds a ``float``), so constructors
store exactly what they declare. A wrong type raises :class:`TypeError`; the ``*_items``
functions collect the items of one AWS ``ValidationException`` (``raise_items`` raises it);
``engine_limit`` raises :class:`EngineLimitError` for a value beyond one of the engine's limits,
whose numbers come from ``_core.LIMITS`` and nowhere else.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence

import numpy as np

from . import _core
from . import _messages as msg
from .errors import EngineLimitError, InvalidParameterValueException, ValidationException

# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------


def is_bool(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


def is_integer(value: object) -> bool:
    """Python ints and numpy integers; never bools."""
    return isinstance(value, numbers.Integral) and not is_bool(value)


def is_real(value: object) -> bool:
    """Python/numpy ints and floats; never bools."""
    return isinstance(value, numbers.Real) and not is_bool(value)


def either(words: Sequence[str], last: str = "or") -> str:
    """``a, b or c`` (``last`` between the final two; one word alone as it is)."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {last} {words[-1]}"


def describe(value: object) -> str:
    """``type value`` for TypeError messages, e.g. ``float 256.0``."""
    return f"{type(value).__name__} {value!r}"


def require_int(owner: str, field: str, value: object) -> int:
    if not isinstance(value, numbers.Integral) or is_bool(value):
        raise TypeError(f"{owner}.{field} must be an int, got {describe(value)}")
    return int(value)


def optional_int(owner: str, field: str, value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, numbers.Integral) or is_bool(value):
        raise TypeError(f"{owner}.{field} must be an int or None, got {describe(value)}")
    return int(value)


def require_real(owner: str, field: str, value: object) -> float:
    if not isinstance(value, numbers.Real) or is_bool(value):
        raise TypeError(f"{owner}.{field} must be a number (int or float), got {describe(value)}")
    return float(value)


def optional_real(owner: str, field: str, value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, numbers.Real) or is_bool(value):
        raise TypeError(
            f"{owner}.{field} must be a number (int or float) or None, got {describe(value)}"
        )
    return float(value)


def require_bool(owner: str, field: str, value: object) -> bool:
    if not is_bool(value):
        raise TypeError(f"{owner}.{field} must be a bool, got {describe(value)}")
    return bool(value)


def optional_bool(owner: str, field: str, value: object) -> bool | None:
    if value is None:
        return None
    if not is_bool(value):
        raise TypeError(f"{owner}.{field} must be a bool or None, got {describe(value)}")
    return bool(value)


def require_str(owner: str, field: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{owner}.{field} must be a str, got {describe(value)}")
    return value


def optional_target(owner: str, field: str, value: object) -> str | None:
    """A destination's name (``on_success``, ``on_failure`` ...): a non-empty str, or None."""
    if value is not None and (not isinstance(value, str) or not value):
        raise TypeError(
            f"{owner}.{field} must be a non-empty str (a target's name) or None, "
            f"got {describe(value)}"
        )
    return value


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def require_finite(owner: str, field: str, value: float) -> None:
    """No AWS request can carry a NaN or an infinity: lambda_core's own check."""
    if not math.isfinite(value):
        raise InvalidParameterValueException(
            f"{owner}.{field} must be a finite number of seconds, got {value!r}"
        )


def aws_value(value: object) -> str:
    """A number as AWS would print it: ints as ints, floats as given (``0.5``, ``0.0``)."""
    if isinstance(value, numbers.Integral) and not is_bool(value):
        return str(int(value))
    if isinstance(value, numbers.Real) and not is_bool(value):
        return repr(float(value))
    return str(value)


def range_item(
    value: float, shown: str, field: str, low: float | None, high: float | None
) -> list[str]:
    """AWS's item for ``value`` outside ``[low, high]`` (``low`` checked first), or none."""
    if low is not None and value < low:
        return [msg.constraint(shown, field, msg.at_least(low))]
    if high is not None and value > high:
        return [msg.constraint(shown, field, msg.at_most(high))]
    return []


def name_items(
    name: str, field: str, pattern: re.Pattern[str], shown_pattern: str, low: int, high: int
) -> list[str]:
    """AWS's items for a bad resource name: the pattern first, then the length."""
    items = []
    if not pattern.fullmatch(name):
        items.append(msg.constraint(name, field, msg.matches(shown_pattern)))
    if len(name) < low:
        items.append(msg.constraint(name, field, msg.length_at_least(low)))
    elif len(name) > high:
        items.append(msg.constraint(name, field, msg.length_at_most(high)))
    return items


def raise_items(items: list[str]) -> None:
    """One ValidationException for every item at once, as AWS reports them; none if empty."""
    if items:
        raise ValidationException(msg.validation_message(items))


# --------------------------------------------------------------------------------------------
# The engine's limits (lambda_core's, not AWS's)
# --------------------------------------------------------------------------------------------


def limit(name: str) -> _core.Limit:
    """The engine's limit called `name` (``"shards"``, ``"seconds"`` ...)."""
    return _core.LIMITS[name]


def engine_limit(who: str, field: str, value: float, name: str) -> None:
    """:class:`EngineLimitError` when `value` is outside the engine's limit `name`, naming the
    user's object (``who``: ``stream 'clicks'``), the field and the value, e.g. ``stream
    'clicks': shards=2000000 is above lambda_core's limit of 1048576 shards per stream``."""
    bound = limit(name)
    if value > bound.max:
        raise EngineLimitError(
            f"{who}: {field}={value!r} is above lambda_core's limit of {bound.max} {bound.what}"
        )
    if value < bound.min:
        raise EngineLimitError(
            f"{who}: {field}={value!r} is below lambda_core's minimum of {bound.min} {bound.what}"
        )

"""Construction of the frozen configuration classes."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def assign(obj: DataclassInstance, **values: object) -> None:
    """Sets every field of the frozen dataclass ``obj`` once, from its own ``__init__``.

    The classes validate and normalise their arguments in ``__init__`` and store the final
    values here, the way a generated ``__init__`` of a frozen dataclass stores its arguments;
    so each attribute holds its declared type from the start and is never rewritten.
    """
    names = [f.name for f in dataclasses.fields(obj)]
    if names != list(values):
        raise AssertionError(f"{type(obj).__name__}: fields {names}, assigned {list(values)}")
    for name, value in values.items():
        object.__setattr__(obj, name, value)

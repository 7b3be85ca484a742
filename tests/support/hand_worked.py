"""Replays the hand-worked cases of a test module with another implementation behind them.

The hand-worked modules call the oracle through a module-level name (`simulate`,
`simulate_streams`, `simulate_queues`); swapping that name for the engine adapter's function
makes the same assertions of the engine.
"""

from __future__ import annotations

import itertools
from types import ModuleType

import pytest


def cases(module: ModuleType):
    """One `pytest.param(module, name, kwargs)` per test of `module` and per parametrized case
    (stacked `parametrize` marks give their product, as pytest does)."""
    for name in sorted(n for n in dir(module) if n.startswith("test_")):
        func = getattr(module, name)
        marks = [m for m in getattr(func, "pytestmark", []) if m.name == "parametrize"]
        if not marks:
            yield pytest.param(module, name, {}, id=f"{module.__name__}.{name}")
            continue
        for i, combination in enumerate(itertools.product(*(_mark_cases(m) for m in marks))):
            kwargs = {k: v for case in combination for k, v in case.items()}
            yield pytest.param(module, name, kwargs, id=f"{module.__name__}.{name}[{i}]")


def _mark_cases(mark) -> list[dict]:
    """The keyword arguments of each case of one `parametrize` mark."""
    argnames, argvalues = mark.args[:2]
    names = [a.strip() for a in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
    return [dict(zip(names, values if len(names) > 1 else (values,))) for values in argvalues]

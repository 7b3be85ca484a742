"""Replays the hand-worked cases of a test module with another implementation behind them.

The hand-worked modules call the oracle through a module-level name (`simulate`,
`simulate_streams`, `simulate_queues`); swapping that name for the engine adapter's function
makes the same assertions of the engine.
"""

from __future__ import annotations

from types import ModuleType

import pytest


def cases(module: ModuleType):
    """One `pytest.param(module, name, kwargs)` per test of `module` and per parametrized case."""
    for name in sorted(n for n in dir(module) if n.startswith("test_")):
        func = getattr(module, name)
        marks = [m for m in getattr(func, "pytestmark", []) if m.name == "parametrize"]
        if not marks:
            yield pytest.param(module, name, {}, id=f"{module.__name__}.{name}")
            continue
        argnames, argvalues = marks[0].args[:2]
        names = [a.strip() for a in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
        for i, values in enumerate(argvalues):
            values = values if len(names) > 1 else (values,)
            yield pytest.param(module, name, dict(zip(names, values)), id=f"{module.__name__}.{name}[{i}]")

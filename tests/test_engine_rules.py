"""Every hand-worked case of the spec (tests/test_reference_model.py) run on the Rust engine.

The numbers in those tests were worked out by hand from MODEL.md §1–5 and §10; here the same
assertions are made of the engine, through `engine_adapter.simulate` (same interface).
"""

import pytest

import engine_adapter
import test_reference_model as hand


def _cases():
    for name in sorted(n for n in dir(hand) if n.startswith("test_")):
        func = getattr(hand, name)
        marks = [m for m in getattr(func, "pytestmark", []) if m.name == "parametrize"]
        if not marks:
            yield pytest.param(name, {}, id=name)
            continue
        argnames, argvalues = marks[0].args[:2]
        names = [a.strip() for a in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
        for i, values in enumerate(argvalues):
            values = values if len(names) > 1 else (values,)
            yield pytest.param(name, dict(zip(names, values)), id=f"{name}[{i}]")


@pytest.mark.parametrize("case, kwargs", list(_cases()))
def test_engine_satisfies_hand_worked_case(case, kwargs, monkeypatch):
    monkeypatch.setattr(hand, "simulate", engine_adapter.simulate)
    getattr(hand, case)(**kwargs)

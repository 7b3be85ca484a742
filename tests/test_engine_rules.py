"""Every hand-worked case of the spec run on the Rust engine.

The numbers in tests/test_reference_model.py (§1–5, §10) and tests/test_reference_model_async.py
(§6, client retries) tests/test_reference_streams.py (§7) and tests/test_reference_queues.py (§8) were worked out by hand from MODEL.md; here the same assertions are made
of the engine, through `engine_adapter.simulate` (the reference model's interface).
"""

import pytest

import engine_adapter
import test_reference_model as hand_sync
import test_reference_model_async as hand_async
import test_reference_queues as hand_queues
import test_reference_streams as hand_streams


def _cases(module):
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


@pytest.mark.parametrize("module, case, kwargs", [*_cases(hand_sync), *_cases(hand_async)])
def test_engine_satisfies_hand_worked_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate", engine_adapter.simulate)
    getattr(module, case)(**kwargs)


@pytest.mark.parametrize("module, case, kwargs", [*_cases(hand_streams)])
def test_engine_satisfies_hand_worked_stream_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate_streams", engine_adapter.simulate_streams)
    getattr(module, case)(**kwargs)


@pytest.mark.parametrize("module, case, kwargs", [*_cases(hand_queues)])
def test_engine_satisfies_hand_worked_queue_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate_queues", engine_adapter.simulate_queues)
    getattr(module, case)(**kwargs)

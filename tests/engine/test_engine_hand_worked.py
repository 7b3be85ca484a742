"""Every hand-worked case of §1–6, §3.1 and §10 run on the Rust engine.

The numbers in tests/engine/test_hand_worked_sync.py (§1–5, §10),
tests/engine/test_hand_worked_async.py (§6, client retries) and
tests/engine/test_lifetimes_hand_worked.py (§3.1) were worked out by hand from the model; here
the same assertions are made of the engine, through `engine_adapter.simulate` (the oracle's
interface) and `engine_adapter.simulate_lifetimes` (with the per-request `environment`).
"""

import pytest

from tests.engine import test_hand_worked_async as hand_async
from tests.engine import test_hand_worked_sync as hand_sync
from tests.engine import test_lifetimes_hand_worked as hand_lifetimes
from tests.support import engine_adapter
from tests.support.hand_worked import cases


@pytest.mark.parametrize("module, case, kwargs", [*cases(hand_sync), *cases(hand_async)])
def test_engine_satisfies_hand_worked_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate", engine_adapter.simulate)
    getattr(module, case)(**kwargs)


@pytest.mark.parametrize("module, case, kwargs", [*cases(hand_lifetimes)])
def test_engine_satisfies_lifetime_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate", engine_adapter.simulate_lifetimes)
    getattr(module, case)(**kwargs)

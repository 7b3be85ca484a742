"""Every hand-worked case of §7 and §8 run on the Rust engine.

The numbers in tests/sources/test_hand_worked_streams.py (§7) and
tests/sources/test_hand_worked_queues.py (§8) were worked out by hand from the model; here the
same assertions are made of the engine, through `engine_adapter.simulate_streams` and
`engine_adapter.simulate_queues` (the oracle's interface).
"""

import pytest

from tests.sources import test_hand_worked_queues as hand_queues
from tests.sources import test_hand_worked_streams as hand_streams
from tests.support import engine_adapter
from tests.support.hand_worked import cases


@pytest.mark.parametrize("module, case, kwargs", [*cases(hand_streams)])
def test_engine_satisfies_hand_worked_stream_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate_streams", engine_adapter.simulate_streams)
    getattr(module, case)(**kwargs)


@pytest.mark.parametrize("module, case, kwargs", [*cases(hand_queues)])
def test_engine_satisfies_hand_worked_queue_case(module, case, kwargs, monkeypatch):
    monkeypatch.setattr(module, "simulate_queues", engine_adapter.simulate_queues)
    getattr(module, case)(**kwargs)

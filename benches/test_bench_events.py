"""The per-event path of a co-simulation (issue 15): another simulator submits one request
with ``Simulator.invoke`` and takes one instant with ``Simulator.step`` at a time. The requests'
times are computed outside the timed region; the figures are requests invoked per second, and
steps per second when every request is stepped to its end before the next is invoked (one
request per step, the pattern of a SimPy model)."""

from __future__ import annotations

from conftest import scaled

import lambda_core as lc

ROUNDS = 5


def _simulator() -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("orders", init_s=0.1)])


def test_invoke_one_at_a_time(measure):
    n = scaled(200_000)
    times = [i * 0.01 for i in range(n)]

    def invoke_all(sim: lc.Simulator) -> lc.Simulator:
        for t in times:
            sim.invoke(t, "orders", 0.005)
        return sim

    sim = measure("events/invoke", n, invoke_all, setup=lambda: ((_simulator(),), {}), rounds=ROUNDS,
                  unit="requests")
    assert sim._engine.pending_rows == n


def test_one_request_per_step(measure):
    n = scaled(200_000)
    times = [i * 0.01 for i in range(n)]

    def co_simulate(sim: lc.Simulator) -> int:
        resolved = 0
        for t in times:
            sim.invoke(t, "orders", 0.005)
            while (next_t := sim.peek_time()) is not None and next_t <= t:
                resolved += len(sim.step()[1])
        while (step := sim.step()) is not None:
            resolved += len(step[1])
        return resolved

    resolved = measure("events/invoke+step", n, co_simulate, setup=lambda: ((_simulator(),), {}), rounds=ROUNDS,
                       unit="requests")
    assert resolved == n

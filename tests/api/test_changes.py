"""Changes while running (docs/model.md §16): reservations and provisioned concurrency changed
mid-run with AWS's checks at their instant, provisioned environments allocated over time, and
updates that retire environments; a run is the same however it is advanced."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lambda_core as lc
from lambda_core._model import Outcome


def _sim(**kw: object) -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("orders", timeout_s=60, init_s=1.0, **kw),
                                       lc.Function("other", timeout_s=60)])


def _run(sim: lc.Simulator, until: float | None = None) -> list[tuple[int, int, float]]:
    w = sim.advance(until).requests
    order = np.argsort(w["request"], kind="stable")
    return list(zip(w["request"][order].tolist(), w["outcome"][order].tolist(),
                    w["cold_starts"][order].tolist()))


def test_a_reservation_applies_from_its_instant_before_the_arrivals_there() -> None:
    sim = _sim()
    for _ in range(3):
        sim.invoke(0, "orders", 10)
    sim.put_function_concurrency("orders", 2, at=5)
    sim.invoke(5, "orders", 1)
    sim.invoke(11.0, "orders", 1)
    out = [o for _, o, _ in _run(sim)]
    assert out == [Outcome.SUCCESS] * 3 + [Outcome.THROTTLED, Outcome.SUCCESS]
    assert sim.account_settings()["UnreservedConcurrentExecutions"] == 998  # as the change left it
    assert sim.configuration[0].reserved_concurrency == 2
    [change] = sim.changes
    assert (change.time, change.action, change.reserved) == (5.0, "reserved", 2)


def test_aws_checks_apply_at_the_instant_of_the_change() -> None:
    sim = _sim()
    sim.put_function_concurrency("orders", 850, at=10)
    # a second reservation that leaves fewer than 100 unreserved is refused with AWS's text
    with pytest.raises(lc.InvalidParameterValueException, match=r"below its minimum value of \[100\]"):
        sim.put_function_concurrency("other", 60, at=20)
    sim.put_provisioned_concurrency("orders", 800, at=30)
    with pytest.raises(lc.InvalidParameterValueException, match="should not be lower than function's total provisioned"):
        sim.put_function_concurrency("orders", 700, at=40)
    with pytest.raises(lc.InvalidParameterValueException, match="should not be greater than the reservedConcurrentExecution"):
        sim.put_provisioned_concurrency("orders", 851, at=40)
    with pytest.raises(lc.ValidationException):
        sim.put_function_concurrency("orders", -1, at=40)
    # a refused change leaves nothing behind: the configuration is the last accepted one
    assert (sim.configuration[0].reserved_concurrency, sim.configuration[0].provisioned_concurrency) == (850, 800)
    sim.delete_function_concurrency("orders", at=50)
    with pytest.raises(lc.InvalidParameterValueException, match="UnreservedConcurrentExecution below"):
        sim.put_function_concurrency("other", 101, at=60)  # 1000 − 800 provisioned − 101 < 100


def test_changes_come_in_time_order_and_not_before_the_clock() -> None:
    sim = _sim()
    sim.advance(10)
    with pytest.raises(lc.UntilInPastError):
        sim.put_function_concurrency("orders", 5, at=9)
    sim.put_function_concurrency("orders", 5, at=20)
    with pytest.raises(lc.UsageError, match="time order"):
        sim.update_function_code("orders", at=15)
    with pytest.raises(KeyError):
        sim.update_function_code("nobody")


def test_provisioned_concurrency_is_allocated_over_ready_s_and_a_later_change_cancels_it() -> None:
    sim = _sim()
    sim.put_provisioned_concurrency("orders", 2, at=0)  # ready at 120
    sim.invoke(60, "orders", 1)          # on demand, cold
    sim.invoke(130, "orders", 1)         # provisioned: warm
    sim.invoke(130, "orders", 1)
    sim.put_provisioned_concurrency("orders", 5, at=140, ready_s=30)
    sim.put_provisioned_concurrency("orders", 3, at=150)  # cancels two of the three coming
    out = _run(sim)
    assert [c for _, _, c in out] == [1, 0, 0]
    ready = [(c.time, c.action, c.provisioned, c.provisioned_ready) for c in sim.changes]
    assert ready == [(0.0, "provisioned", 2, 0), (120.0, "provisioned_ready", 2, 2),
                     (140.0, "provisioned", 5, 2), (150.0, "provisioned", 3, 2), (170.0, "provisioned_ready", 3, 3)]
    stats = sim.stats(until=sim.now).function("orders")
    assert stats["provisioned_invocations"] == 2


def test_an_update_retires_the_environments_and_sets_the_timeout() -> None:
    sim = _sim()
    sim.invoke(0, "orders", 1)          # idle from 2
    sim.invoke(0, "orders", 10)         # busy until 11: retired then
    sim.update_function_configuration("orders", at=5, memory_mb=2048, timeout_s=120)
    sim.invoke(12, "orders", 90)        # cold; the new timeout lets it run 90 s
    sim.invoke(200, "orders", 1)        # the environment made after the update: warm
    out = _run(sim)
    assert [(o, c) for _, o, c in out] == [(Outcome.SUCCESS, 1), (Outcome.SUCCESS, 1), (Outcome.SUCCESS, 1),
                                          (Outcome.SUCCESS, 0)]
    assert sim.configuration[0].memory_mb == 2048
    with pytest.raises(lc.ValidationException):
        sim.update_function_configuration("orders", timeout_s=901)


def test_a_memory_update_alone_retires_the_idle_environments() -> None:
    sim = _sim()
    sim.invoke(0, "orders", 1)  # idle from 2
    sim.update_function_configuration("orders", at=5, memory_mb=2048)
    sim.invoke(6, "orders", 1)  # cold: the environment of the old configuration is gone
    sim.invoke(10, "orders", 1)  # warm on the new one
    assert [c for _, _, c in _run(sim)] == [1, 1, 0]
    [change] = sim.changes
    assert (change.time, change.action) == (5.0, "update")


def test_peek_time_and_step_stop_at_a_change() -> None:
    sim = _sim()
    sim.put_function_concurrency("orders", 0, at=3)
    assert sim.peek_time() == 3.0
    assert sim.step() == (3.0, [])
    sim.invoke(3, "orders", 1)
    assert _run(sim)[0][1] == Outcome.THROTTLED


@given(cuts=st.lists(st.floats(0, 400, allow_nan=False), max_size=6),
       reserved=st.integers(0, 30), provisioned=st.integers(0, 20))
def test_a_run_with_changes_and_an_autoscaler_is_the_same_however_it_is_advanced(
        cuts: list[float], reserved: int, provisioned: int) -> None:
    def build() -> lc.Simulator:
        sim = _sim()
        rng = np.random.default_rng(7)
        t = np.sort(rng.uniform(0, 400, 3000))
        sim.submit(lc.Workload(t, rng.integers(0, 2, len(t)), rng.uniform(0.1, 3, len(t))))
        sim.put_function_concurrency("other", max(reserved, 1), at=50)
        sim.put_provisioned_concurrency("other", min(provisioned, max(reserved, 1)), at=100, ready_s=30)
        sim.update_function_code("orders", at=150)
        sim.autoscale("orders", min=1, max=40, target=0.5)
        return sim
    whole = build()
    expected = _run(whole, 500)
    pieces = build()
    got: list[tuple[int, int, int]] = []
    for c in sorted(cuts):
        got += _run(pieces, c)
    got += _run(pieces, 500)
    assert sorted(got) == expected
    assert pieces.changes == whole.changes and pieces.scaling_activities == whole.scaling_activities
    assert pieces.stats(until=500).functions["cold_starts"].tolist() == whole.stats(until=500).functions["cold_starts"].tolist()


def test_the_bill_charges_provisioned_environments_while_they_are_usable() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("orders", memory_mb=2048, provisioned_concurrency=10),
                                      lc.Function("other", memory_mb=1024)], metrics_period_s=60)
    sim.put_provisioned_concurrency("orders", 0, at=100)         # released at once
    sim.put_provisioned_concurrency("other", 4, at=200, ready_s=40)  # usable from 240
    result = sim.run(until=600)
    bill = result.cost()
    assert bill.quantities("orders")["provisioned_allocated_gb_s"] == pytest.approx(10 * 100 * 2)
    assert bill.quantities("other")["provisioned_allocated_gb_s"] == pytest.approx(4 * 360 * 1)
    per_period = bill.series("other")["provisioned"]
    assert per_period[:4].sum() == 0 and per_period[4] > 0
    assert per_period.sum() == pytest.approx(bill.function("other")["provisioned"])



def test_a_reservation_caps_the_function_while_released_provisioned_environments_run() -> None:
    sim = _sim(reserved_concurrency=10, provisioned_concurrency=10)
    for _ in range(10):
        sim.invoke(0, "orders", 50)
    sim.put_provisioned_concurrency("orders", 0, at=5)
    for _ in range(10):
        sim.invoke(6, "orders", 50)  # the ten released environments still run until 50
    sim.invoke(51, "orders", 1)  # they are gone: on demand has the whole reservation
    out = [o for _, o, _ in _run(sim, None)]
    assert out == [Outcome.SUCCESS] * 10 + [Outcome.THROTTLED] * 10 + [Outcome.SUCCESS]
    assert int(sim.stats(until=sim.now).function("orders")["max_concurrency"]) == 10


def test_the_account_limit_holds_while_released_provisioned_environments_run() -> None:
    sim = lc.Simulator(lc.Account(concurrency_limit=200),
                       [lc.Function("orders", timeout_s=900, provisioned_concurrency=100), lc.Function("other")])
    for _ in range(100):
        sim.invoke(0, "orders", 100)
    sim.put_provisioned_concurrency("orders", 0, at=5)  # the unreserved pool is 200 from here on
    for _ in range(150):
        sim.invoke(6, "other", 10)  # 100 of 200 are still held by the released environments
    for _ in range(150):
        sim.invoke(120, "other", 10)  # they are gone: the pool is whole
    out = np.array([o for _, o, _ in _run(sim, None)])
    assert (out[:100] == Outcome.SUCCESS).all()
    assert ((out[100:250] == Outcome.THROTTLED).sum(), (out[250:] == Outcome.THROTTLED).sum()) == (50, 0)
    assert int(sim.stats(until=sim.now).account["max_concurrency"]) == 200


def test_raising_provisioned_concurrency_to_the_reservation_throttles_nothing_while_allocated() -> None:
    sim = _sim(reserved_concurrency=20)
    sim.put_provisioned_concurrency("orders", 20, at=0, ready_s=120)
    for i in range(20):
        sim.invoke(10 + i * 0.01, "orders", 5)  # during the allocation: on demand, within RC
    for i in range(25):
        sim.invoke(200 + i * 0.01, "orders", 5)  # once ready: 20 provisioned, nothing on demand
    out = [(o, c) for _, o, c in _run(sim, None)]
    assert out[:20] == [(Outcome.SUCCESS, 1)] * 20
    assert out[20:] == [(Outcome.SUCCESS, 0)] * 20 + [(Outcome.THROTTLED, 0)] * 5


def test_provisioned_concurrency_of_a_float_is_refused_when_made() -> None:
    sim = _sim(provisioned_concurrency=5)
    with pytest.raises(TypeError, match="must be an int"):
        sim.put_provisioned_concurrency("orders", 0.0, at=5)  # type: ignore[arg-type]
    sim.advance(10)  # nothing was queued
    assert sim.changes == [] and sim.configuration[0].provisioned_concurrency == 5


def test_a_timeout_update_keeps_a_queues_visibility_timeout_at_least_the_timeout() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("worker", timeout_s=10)],
                       mappings=[lc.EventSourceMapping(lc.SqsQueue("jobs", visibility_timeout_s=30), "worker")])
    with pytest.raises(lc.InvalidParameterValueException,
                       match="^Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds$"):
        sim.update_function_configuration("worker", timeout_s=60, at=0)
    sim.update_function_configuration("worker", timeout_s=30, at=0)
    assert sim.configuration[0].timeout_s == 30


def test_a_run_without_until_ends_when_a_change_lifts_a_zero_reservation() -> None:
    def sim_with(reserved: int, later: int) -> lc.Simulator:
        sim = lc.Simulator(lc.Account(), [lc.Function("worker", reserved_concurrency=reserved)],
                           mappings=[lc.EventSourceMapping(lc.SqsQueue("jobs"), "worker")])
        sim.put_function_concurrency("worker", later, at=10)
        sim.submit_records(lc.Records("jobs", time=[1.0]))
        return sim
    sim = sim_with(0, 5)
    sim.advance(None)  # the change at 10 lets the message through
    assert sim.stats(until=sim.now).function("worker")["invocations"] >= 1
    with pytest.raises(lc.UsageError, match="throttled for ever"):
        sim_with(5, 0).advance(None)


def test_raising_provisioned_concurrency_never_takes_a_function_past_its_reservation() -> None:
    for ready_s in (0.0, 5.0):
        sim = lc.Simulator(lc.Account(), [lc.Function("orders", timeout_s=60, reserved_concurrency=4)])
        for i in range(80):
            sim.invoke(i * 0.25, "orders", 30)  # on demand fills the reservation from 0.75 s
        sim.put_provisioned_concurrency("orders", 4, at=1, ready_s=ready_s)
        sim.advance(100)
        assert int(sim.stats(until=100).function("orders")["max_concurrency"]) == 4


def test_raising_provisioned_concurrency_never_takes_the_account_past_its_limit() -> None:
    for ready_s in (0.0, 3.0):
        sim = lc.Simulator(lc.Account(concurrency_limit=6, unreserved_min=1), [lc.Function("orders", timeout_s=30)])
        for i in range(60):
            sim.invoke(i * 0.5, "orders", 10)
        sim.put_provisioned_concurrency("orders", 3, at=5, ready_s=ready_s)  # U from 6 to 3, 6 running
        sim.advance(60)
        stats = sim.stats(until=60)
        assert int(stats.account["max_concurrency"]) == 6
        assert int(stats.function("orders")["provisioned_invocations"]) > 0  # once the overflow drained


def test_provisioned_environments_a_change_adds_wait_for_the_first_ones_only() -> None:
    def provisioned_invocations(initial: int | None) -> int:
        sim = lc.Simulator(lc.Account(), [lc.Function("orders", timeout_s=30, provisioned_concurrency=initial,
                                                      provisioned_ready_s=300)])
        for t in range(20, 200):
            sim.invoke(t, "orders", 0.5)
        sim.put_provisioned_concurrency("orders", 5, at=10, ready_s=0)
        sim.advance(400)
        return int(sim.stats(until=400).function("orders")["provisioned_invocations"])
    assert provisioned_invocations(None) == 180  # none to wait for: ready at once
    assert provisioned_invocations(2) == 0  # ready with the first two, at 300

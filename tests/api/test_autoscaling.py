"""Application Auto Scaling of provisioned concurrency (docs/model.md §16): target tracking's
two alarms (3 data points above the target, 15 below 90 % of it), the capacity formula,
cooldowns, bounds and scheduled actions; decisions logged with their times; and the
documented trap: a burst shorter than the alarm's three minutes gets no scale-out."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._model.autoscaling import ScheduledAction, TargetTracking


def _sim(provisioned: int = 10) -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("orders", timeout_s=60, provisioned_concurrency=provisioned)])


def _load(sim: lc.Simulator, *stretches: tuple[float, float, float]) -> None:
    """One-second requests: (start, end, concurrency) stretches."""
    t = np.concatenate([np.arange(a, b, 1.0 / c) for a, b, c in stretches])
    sim.submit(lc.Workload(t, np.zeros(len(t), np.int64), np.ones(len(t))))


def test_a_burst_shorter_than_the_alarm_windows_gets_no_scale_out() -> None:
    sim = _sim()
    sim.autoscale("orders", min=10, max=100, target=0.7)
    # 100 s at twice the capacity: two data points above the target (100 %, 83 %), not three
    _load(sim, (0, 100, 20), (100, 900, 5))
    sim.advance(900)
    assert sim.scaling_activities == []
    assert sim.stats(until=900).function("orders")["spillover_invocations"] > 0


def test_sustained_load_scales_out_after_three_data_points_and_waits_for_the_allocation() -> None:
    sim = _sim()
    sim.autoscale("orders", min=10, max=100, target=0.7)
    _load(sim, (0, 600, 20))
    sim.advance(600)
    acts = [(d.time, d.old, d.new, d.cause) for d in sim.scaling_activities]
    # points at 60, 120, 180 all at 100 %: ceil(10 × 1.0 / 0.7) = 15; the next activity waits
    # for the 120 s allocation (no decision at 240) and sees 100 % again at 300
    assert acts[:2] == [(180.0, 10, 15, "scale-out"), (300.0, 15, 22, "scale-out")]
    assert sim.scaling_activities[0].utilization == 1.0
    ready = [(c.time, c.provisioned_ready) for c in sim.changes if c.action == "provisioned_ready"]
    assert ready[:2] == [(300.0, 15), (420.0, 22)]


def test_low_utilisation_scales_in_after_fifteen_points_below_ninety_percent_of_the_target() -> None:
    sim = _sim(provisioned=20)
    sim.autoscale("orders", min=2, max=100, target=0.7, scale_in_cooldown_s=600)
    _load(sim, (0, 3000, 2))  # 10 % of 20
    sim.advance(3000)
    acts = [(d.time, d.old, d.new, d.cause) for d in sim.scaling_activities]
    # ceil(20 × 0.1 / 0.7) = 3 after the 15th point (900 s); then 2 / 3 = 67 % is above 63 %: stays
    assert acts == [(900.0, 20, 3, "scale-in")]
    assert [(c.time, c.provisioned, c.provisioned_ready) for c in sim.changes] == [(900.0, 3, 3)]


def test_a_scheduled_action_raises_the_minimum_before_a_known_peak() -> None:
    sim = _sim(provisioned=5)
    sim.autoscale("orders", min=5, max=100, target=0.7)
    sim.schedule_scaling("orders", at=300, min=40)
    sim.schedule_scaling("orders", at=1200, min=5, max=50)
    _load(sim, (0, 1300, 1))
    sim.advance(1300)
    first = sim.scaling_activities[0]
    assert (first.time, first.old, first.new, first.cause) == (300.0, 5, 40, "scheduled")
    assert math.isnan(first.utilization)
    assert sim.configuration[0].provisioned_concurrency is not None
    with pytest.raises(lc.UsageError, match="autoscale first"):
        lc.Simulator(lc.Account(), [lc.Function("f")]).schedule_scaling("f", at=10, min=1)


def test_stepping_an_autoscaled_run_gives_what_one_advance_gives() -> None:
    def build() -> lc.Simulator:
        sim = _sim()
        sim.autoscale("orders", min=10, max=100, target=0.7)
        _load(sim, (0, 400, 20))
        return sim
    whole = build()
    w = whole.advance().requests
    stepped = build()
    resolved = []
    while (s := stepped.step()) is not None:
        resolved += s[1]
    assert sorted(r for r, _, _ in resolved) == sorted(w["request"].tolist())
    assert stepped.scaling_activities == whole.scaling_activities


def test_target_tracking_alarms_and_cooldowns() -> None:
    tt = TargetTracking("f", min=1, max=30, target=0.5, scale_out_cooldown_s=120, scale_in_cooldown_s=300)
    assert tt.observe(60, 0.9, 10) is None and tt.observe(120, 0.9, 10) is None
    assert tt.observe(180, 0.9, 10) == 18                    # ceil(10 × 0.9 / 0.5)
    assert tt.observe(240, 0.9, 18) is None                  # scale-out cooldown of 120 s
    assert tt.observe(300, 1.0, 18) == 30                    # capped at max
    assert tt.observe(360, math.nan, 30) is None             # no data breaks the run of points
    for t in range(420, 420 + 14 * 60, 60):
        assert tt.observe(t, 0.1, 30) is None
    assert tt.observe(420 + 14 * 60, 0.1, 30) == 6           # 15 points below 0.45
    assert tt.observe(1320, 0.44, 6, in_progress=True) is None
    assert tt.schedule(ScheduledAction(1400, min=8), 6) == 8
    with pytest.raises(lc.UsageError):
        TargetTracking("f", min=5, max=2, target=0.5)
    with pytest.raises(lc.UsageError):
        TargetTracking("f", min=1, max=2, target=1.5)


def _activities(sim: lc.Simulator) -> list[tuple[float, int, int, str]]:
    return [(d.time, d.old, d.new, d.cause) for d in sim.scaling_activities]


def test_a_quiet_stretch_still_has_its_data_points_and_its_changes() -> None:
    def run(late_arrival: bool) -> tuple[list[tuple[float, int, int, str]], list[tuple[float, str]]]:
        sim = lc.Simulator(lc.Account(), [lc.Function("orders", timeout_s=60, provisioned_concurrency=10),
                                          lc.Function("other")])
        sim.autoscale("orders", min=1, max=100, target=0.7)
        _load(sim, (0, 100, 10))  # then nothing: the engine is idle from about 100 s
        if late_arrival:
            sim.invoke(5000, "other", 1)
        sim.advance(2000)
        sim.put_function_concurrency("other", 50, at=2100)
        sim.put_function_concurrency("other", 60, at=2200)
        sim.advance(3000)
        assert sim.configuration[1].reserved_concurrency == 60
        # with traffic to come the next instant is the next data point; without, nothing
        assert sim.peek_time() == (3060 if late_arrival else None)
        return _activities(sim), [(c.time, c.action) for c in sim.changes if c.function == "other"]
    # fifteen points of 0 % from 120 s: scale-in to the minimum at 1020 s, whatever comes later
    assert run(False) == run(True) == ([(1020.0, 10, 1, "scale-in")], [(2100.0, "reserved"), (2200.0, "reserved")])


def test_an_activity_and_a_change_just_after_it_are_both_applied_in_time_order() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("orders", timeout_s=60, provisioned_concurrency=10),
                                      lc.Function("other")])
    sim.autoscale("orders", min=10, max=100, target=0.7)
    sim.schedule_scaling("orders", at=180, min=20)
    sim.put_function_concurrency("other", 5, at=180.000001)
    sim.advance(400)
    assert [(c.time, c.function, c.action) for c in sim.changes][:2] == [
        (180.0, "orders", "provisioned"), (180.000001, "other", "reserved")]
    assert _activities(sim)[0] == (180.0, 10, 20, "scheduled")


def test_an_activity_that_a_queued_change_conflicts_with_applies_and_the_change_is_refused_at_its_instant() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("a", timeout_s=60), lc.Function("b"), lc.Function("c")])
    sim.autoscale("a", min=0, max=900, target=0.7)
    sim.schedule_scaling("a", at=50, min=850)  # provisioned 850: 150 unreserved left
    sim.put_function_concurrency("b", 60, at=100)  # accepted when made, refused at 100
    for t in range(0, 300, 2):
        sim.invoke(t, "b", 0.5)
    with pytest.raises(lc.InvalidParameterValueException,
                       match=r"^Specified ReservedConcurrentExecutions for function decreases .* \[100\]\.$") as refused:
        sim.advance(300)
    assert sim.now == pytest.approx(100 - 1e-6)  # the run stopped where the refused change was due
    window = refused.value.window
    assert window is not None and window.requests["end"].max() < 100
    rest = sim.advance(300)  # and goes on without it
    # every request is resolved once, in one window or the other
    ids = np.concatenate([window.requests["request"], rest.requests["request"]])
    assert sorted(ids.tolist()) == list(range(150))
    assert [(c.time, c.function, c.action) for c in sim.changes] == [
        (50.0, "a", "provisioned"), (170.0, "a", "provisioned_ready")]
    assert (sim.configuration[0].provisioned_concurrency, sim.configuration[1].reserved_concurrency) == (850, None)
    assert _activities(sim) == [(50.0, 0, 850, "scheduled")]


def test_a_scheduled_action_and_target_tracking_do_not_both_act_at_one_minute() -> None:
    sim = _sim()
    sim.autoscale("orders", min=10, max=100, target=0.7)
    sim.schedule_scaling("orders", at=180, min=20)
    _load(sim, (0, 600, 12))
    sim.advance(250)
    assert _activities(sim) == [(180.0, 10, 20, "scheduled")]


def test_an_autoscaler_registered_mid_run_averages_from_then() -> None:
    sim = _sim()
    _load(sim, (0, 600, 10), (600, 3000, 1))  # 100 %, then 10 % from 600 s
    sim.advance(610)
    sim.autoscale("orders", min=1, max=100, target=0.7, scale_in_cooldown_s=0)
    sim.advance(3000)
    # the first point (610–660 s) is 10 %, not the average since 0: fifteen of them end at 1500
    [(time, old, new, cause)] = _activities(sim)
    assert (time, old, new, cause) == (1500.0, 10, 2, "scale-in")


def test_a_refused_autoscale_registers_nothing() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("orders", timeout_s=60, provisioned_concurrency=10),
                                      lc.Function("other")])
    with pytest.raises(lc.InvalidParameterValueException, match="below its minimum value"):
        sim.autoscale("orders", min=950, max=1000, target=0.7)
    sim.put_function_concurrency("other", 10, at=0)
    _load(sim, (0, 600, 20))
    sim.advance(600)
    assert sim.scaling_activities == []


def test_scheduled_bounds_are_checked_when_the_action_is_made() -> None:
    sim = _sim()
    sim.autoscale("orders", min=1, max=10, target=0.7)
    with pytest.raises(lc.InvalidParameterValueException, match="min=20, max=10"):
        sim.schedule_scaling("orders", at=100, min=20)
    with pytest.raises(TypeError, match="must be an int"):
        sim.schedule_scaling("orders", at=100, min=2.5)  # type: ignore[arg-type]
    sim.schedule_scaling("orders", at=100, max=30)
    sim.schedule_scaling("orders", at=200, min=20)  # within the bounds the first leaves
    sim.advance(300)
    assert [(t, new) for t, _, new, _ in _activities(sim)] == [(200.0, 20)]


def test_a_run_without_until_ends_with_its_last_event_whatever_the_autoscaler() -> None:
    def end(autoscaled: bool, stepped: bool) -> float:
        sim = _sim()
        if autoscaled:
            sim.autoscale("orders", min=10, max=100, target=0.7)
        _load(sim, (0, 150, 20))
        if stepped:
            while sim.step() is not None:
                pass
        else:
            sim.advance(None)
        return sim.now
    assert end(True, False) == end(True, True) == end(False, False) == pytest.approx(150.95)

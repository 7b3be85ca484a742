"""Inputs that used to be accepted and give a silently wrong result (issue 10, class 7) are
refused, each with a typed error naming what was wrong."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import lambda_core as lc


def simulator() -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("f")],
                        mappings=[lc.EventSourceMapping(lc.KinesisStream("clicks", shards=4), "f")])


def test_until_true_is_not_a_time() -> None:
    sim = simulator()
    for call in (lambda: sim.advance(True), lambda: sim.run(None, True), lambda: sim.stats(True)):
        with pytest.raises(TypeError, match="until must be a number of seconds or None, got True"):
            call()
    assert sim.now == 0.0


@pytest.mark.parametrize("routing", [0, 1, 2, np.int64(1)])
def test_a_plain_int_is_not_a_routing(routing: object) -> None:
    with pytest.raises(lc.UsageError, match="routing must be 'newest', 'mru' or 'oldest'"):
        lc.Simulator(lc.Account(), [lc.Function("f")], routing=routing)  # type: ignore[arg-type]
    # the enum and its names still select one
    assert lc.Simulator(lc.Account(), [lc.Function("f")], routing=lc.Routing.MRU).routing == "mru"


def test_a_simulator_is_not_copied_into_one_sharing_its_engine() -> None:
    sim = simulator()
    for make in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="cannot be (copied|pickled)"):
            make(sim)


def test_float_keys_beyond_int64_are_refused_not_collapsed() -> None:
    keys = np.array([1.0, 3.0, 2.0**63, 5.0])
    with pytest.raises(lc.WorkloadError) as info:
        lc.Records("clicks", time=np.arange(4.0), key=keys)
    assert str(info.value) == ("records of 'clicks', column 'key', row 2: 9.223372036854776e+18 is outside "
                               "the range of 64-bit integers")
    assert (info.value.column, info.value.row) == ("key", 2)
    # the largest float below 2^63 and the smallest int64 are keys like any other
    ok = lc.Records("clicks", time=np.arange(2.0), key=np.array([2.0**63 - 1024, -(2.0**63)]))
    assert ok.key.tolist() == [2**63 - 1024, -(2**63)]


def test_latencies_of_the_builtin_scenario_are_never_negative() -> None:
    """`enqueued` and records' `time` are on the engine's microsecond grid, as `first_start`
    and `end` are: a start at the arrival instant gives a latency of 0, not -1e-7."""
    from lambda_core.scenarios import builtin_scenario

    sc = builtin_scenario()
    r = sc.simulator().run(sc.generate(), records=sc.generate_records())
    started = ~np.isnan(r.requests["first_start"])
    assert started.sum() > 1000
    wait = r.requests["first_start"][started] - r.requests["enqueued"][started]
    assert wait.min() >= 0.0 and (wait == 0.0).sum() > 0  # many start at once: exactly zero
    assert (r.requests["end"][started] >= r.requests["enqueued"][started]).all()
    for table in r.records.values():
        ran = ~np.isnan(table["start"])
        assert (table["start"][ran] >= table["time"][ran]).all()


def test_stats_refuse_a_horizon_other_than_the_clock() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("f")])
    sim.submit(lc.Workload(np.arange(10.0), 0, 0.5))
    sim.advance(20.0)
    with pytest.raises(lc.UntilInPastError, match="until=5 is before the simulator's current time 20"):
        sim.stats(5.0)
    with pytest.raises(lc.UsageError, match=r"stats\(until=30\): the simulator has only reached 20"):
        sim.stats(30.0)
    # the clock itself, and the default (the last resolution), are horizons
    assert sim.stats(20.0).horizon == 20.0
    assert sim.stats().horizon == 9.5
    assert sim.stats(20.0).functions["avg_environments"][0] <= 1.0


def test_a_run_in_a_loop_learns_how_its_earlier_rows_ended() -> None:
    """Rows a `run(chunk, until=t)` leaves pending are reported by the later run that resolves
    them, under `earlier`, so that every row's outcome is seen exactly once."""
    fns = [lc.Function("f", reserved_concurrency=1, timeout_s=10)]
    sim = lc.Simulator(lc.Account(), fns)
    seen: dict[int, int] = {}
    first_id, carried = 0, 0
    for k in range(4):
        w = lc.Workload(k * 10 + np.array([0.0, 1.0, 2.0]), 0, 6.0,
                        invocation_type=lc.InvocationType.EVENT)
        r = sim.run(w, until=k * 10 + 9.0)
        for i, outcome in enumerate(r.requests["outcome"]):
            if outcome != lc.Outcome.PENDING:
                seen[first_id + i] = int(outcome)
        assert r.earlier is not None
        for rid, outcome in zip(r.earlier.requests["request"], r.earlier.requests["outcome"]):
            assert int(rid) < first_id and int(rid) not in seen
            seen[int(rid)] = int(outcome)
            carried += 1
        first_id += len(w)
    final = sim.advance()
    for rid, outcome in zip(final.requests["request"], final.requests["outcome"]):
        assert int(rid) not in seen
        seen[int(rid)] = int(outcome)
    assert sorted(seen) == list(range(12)) and lc.Outcome.PENDING not in seen.values()
    assert carried > 0  # the backlog carried rows over
    assert sim.stats().functions["invocations"][0] == 12
    assert sim.stats().horizon > 0
    assert lc.Simulator(lc.Account(), fns).stats().earlier is None

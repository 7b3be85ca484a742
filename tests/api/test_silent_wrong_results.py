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

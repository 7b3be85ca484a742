"""A bad column of a source's records is a `WorkloadError` that names the source as the user
did, the column and the first bad row: when the records are submitted, and when the engine
finds a column changed after submission."""

from __future__ import annotations

import numpy as np
import pytest

import lambda_core as lc


def simulator() -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("f")],
                        mappings=[lc.EventSourceMapping(lc.SqsQueue("jobs"), "f"),
                                  lc.EventSourceMapping(lc.KinesisStream("clicks"), "f")])


@pytest.mark.parametrize(("time", "row", "detail"), [
    ([0.0, 1e10], 1, "value 10000000000 is larger than 9e9 seconds (or infinite)"),
    ([-1.0], 0, "value -1 is negative"),
    ([2.0, 1.0], 1, "1 is earlier than the previous row's 2: times must be non-decreasing"),
])
def test_a_bad_time_names_the_source(time: list[float], row: int, detail: str) -> None:
    sim = simulator()
    with pytest.raises(lc.WorkloadError) as info:
        sim.submit_records(lc.Records("clicks", time=time))
    e = info.value
    assert str(e) == f"records of 'clicks', column 'time', row {row}: {detail}"
    assert (e.column, e.row, e.detail) == ("time", row, detail)
    assert sim.run(records=lc.Records("clicks", time=[0.5])).records["clicks"]["outcome"].tolist() == [
        lc.RecordOutcome.PROCESSED]  # the refused chunk left nothing behind


def test_a_column_changed_after_submission_names_the_source() -> None:
    sim = simulator()
    time = np.array([1.0, 2.0, 3.0])
    sim.submit_records(lc.Records("clicks", time=time))
    time[2] = -5.0  # the simulator reads the caller's array in place
    with pytest.raises(lc.WorkloadError) as info:
        sim.advance(10.0)
    assert str(info.value).startswith("records of 'clicks', column 'time', row 2: the value changed after it was submitted")


def test_workload_errors_keep_their_wording() -> None:
    with pytest.raises(lc.WorkloadError) as info:
        simulator().submit(lc.Workload([1.0, 0.5], [0, 0], [0.1, 0.1]))
    assert str(info.value).startswith("workload column 'time', row 1: ")
    assert info.value.source_index is None

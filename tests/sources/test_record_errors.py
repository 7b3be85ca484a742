"""A bad column of a source's records is a `WorkloadError` that names the source as the user
did, the column and the first bad row, when the records are submitted."""

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


def test_workload_errors_keep_their_wording() -> None:
    with pytest.raises(lc.WorkloadError) as info:
        simulator().submit(lc.Workload([1.0, 0.5], [0, 0], [0.1, 0.1]))
    assert str(info.value).startswith("workload column 'time', row 1: ")
    assert info.value.source_index is None

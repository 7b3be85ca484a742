"""What a simulator holds once rows and records are submitted (issue 10, classes 4, 7 and 8):
its own copy, taken at submission, so that the caller's arrays can change, be reused or be
rewritten by another thread without reaching it; and a `run` that is refused queues nothing."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import lambda_core as lc


def simulator() -> lc.Simulator:
    return lc.Simulator(
        lc.Account(), [lc.Function("f"), lc.Function("g", reserved_concurrency=2)],
        mappings=[lc.EventSourceMapping(lc.KinesisStream("clicks", shards=2), "f"),
                  lc.EventSourceMapping(lc.SqsQueue("jobs"), "g")])


def digest(window: lc.Window | lc.Result) -> dict[str, bytes]:
    """The per-row outputs of a window or result, bit for bit (NaN included)."""
    out = {f"requests.{k}": np.ascontiguousarray(v).tobytes() for k, v in window.requests.items()}
    for name, table in window.records.items():
        out.update({f"{name}.{k}": np.ascontiguousarray(v).tobytes() for k, v in table.items()})
    return out


def stats(result: lc.Result) -> dict[str, bytes]:
    """The whole-run figures of a result, bit for bit."""
    return {f"{part}.{k}": np.ascontiguousarray(v).tobytes()
            for part in ("functions", "account") for k, v in getattr(result, part).items()}


def workload(n: int, seed: int) -> lc.Workload:
    rng = np.random.default_rng(seed)
    return lc.Workload(np.sort(rng.uniform(0, 10, n)), rng.integers(0, 2, n), rng.uniform(0, 2, n),
                       invocation_type=(rng.random(n) < 0.3).astype(np.uint8))


def test_a_buffer_reused_between_submits_does_not_change_queued_rows() -> None:
    first, second = workload(50, 1), workload(50, 2)
    second = lc.Workload(second.time + 10, second.function, second.duration, second.invocation_type)
    expected = simulator()
    expected.submit(first)
    expected.submit(second)
    want = expected.advance()

    sim = simulator()
    buf = {k: getattr(first, k).copy() for k in ("time", "function", "duration", "invocation_type")}
    sim.submit(lc.Workload(**buf))
    for k in buf:  # the same arrays, refilled with the next chunk
        buf[k][:] = getattr(second, k)
    sim.submit(lc.Workload(**buf))
    assert digest(sim.advance()) == digest(want)


def test_columns_changed_after_submit_change_nothing() -> None:
    w = workload(40, 3)
    keys = np.arange(20, dtype=np.int64)
    times = np.linspace(0, 5, 20)
    want = simulator()
    want.submit(w)
    want.submit_records(lc.Records("clicks", time=times.copy(), key=keys.copy()))

    sim = simulator()
    time, function, duration = w.time.copy(), w.function.copy(), w.duration.copy()
    sim.submit(lc.Workload(time, function, duration, w.invocation_type))
    rtime, rkeys = times.copy(), keys.copy()
    sim.submit_records(lc.Records("clicks", time=rtime, key=rkeys))
    # what used to be read in place: values out of range, and values that would pass unseen
    time[:] = np.nan
    function[:] = 7
    duration[:] = 1.0
    rtime[:] = -1.0
    rkeys[:] = 0
    assert digest(sim.advance()) == digest(want.advance())
    assert stats(sim.stats()) == stats(want.stats())


def test_another_thread_rewriting_the_columns_during_a_run_changes_nothing() -> None:
    """The engine runs with the GIL released; a thread scribbling over the caller's arrays all
    the while must neither poison the simulator nor change a single result."""
    w = workload(300_000, 4)
    want = simulator()
    want.submit(w)
    expected = want.advance()

    columns = [w.time.copy(), w.function.copy(), w.duration.copy(), w.invocation_type.copy()]
    sim = simulator()
    sim.submit(lc.Workload(*columns))
    started, stop = threading.Event(), threading.Event()
    writes = 0

    def scribble() -> None:
        nonlocal writes
        time, function, duration, kinds = columns
        rng = np.random.default_rng(0)
        started.set()
        while not stop.is_set():
            i = int(rng.integers(0, len(time)))
            time[i], function[i], duration[i], kinds[i] = -1.0, -5, np.nan, 9
            writes += 1

    worker = threading.Thread(target=scribble)
    worker.start()
    started.wait()
    try:
        before = writes
        got = sim.advance()
        during = writes - before
    finally:
        stop.set()
        worker.join()
    assert during > 0, "the writer never ran while the engine did: the test exercised nothing"
    assert digest(got) == digest(expected)
    assert stats(sim.stats()) == stats(want.stats())


def test_a_refused_run_queues_nothing() -> None:
    """`run` checks the workload and every source's records before it queues any of them."""
    w = workload(30, 5)
    good = lc.Records("clicks", time=np.linspace(0, 5, 10))
    bad = lc.Records("jobs", time=np.array([1.0, 0.5]))  # decreasing
    sim = simulator()
    with pytest.raises(lc.WorkloadError, match="records of 'jobs', column 'time', row 1"):
        sim.run(w, records=[good, bad])
    assert sim._engine.pending_rows == 0 and sim.submit(lc.Workload([], [], [])) == 0
    assert not sim._engine.source_waiting(0) and not sim._engine.source_waiting(1)
    fixed = lc.Records("jobs", time=np.array([0.5, 1.0]))
    got = sim.run(w, records=[good, fixed])
    want = simulator().run(w, records=[good, fixed])
    assert digest(got) == digest(want)
    assert stats(got) == stats(want)


def test_memory_of_a_chunk_is_released_once_the_clock_has_taken_it() -> None:
    sim = simulator()
    sim.submit(lc.Workload(np.arange(10.0), 0, 0.1))
    sim.submit(lc.Workload(np.arange(10.0, 20.0), 0, 0.1))
    assert sim._engine.pending_rows == 20
    sim.advance(4.5)
    assert sim._engine.pending_rows == 15
    sim.advance(30.0)
    assert sim._engine.pending_rows == 0

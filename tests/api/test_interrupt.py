"""Interruptible calls (docs/reliability.md): a signal stops a long engine call within
milliseconds, the handler's exception propagates, and the simulator is left consistent at the
instant reached: a later call takes the rest, none replayed, none lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import lambda_core as lc

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")

# An asynchronous storm: events into a function reserved at 10, each throttled and retried for
# hours (about 80 attempts each, some 2e7 events for 250 000 rows: about half a second), and a
# queue whose messages fail once, for the records' cursors.
ROWS = 250_000
MESSAGES = 20_000


def storm(rows: int = ROWS) -> tuple[lc.Simulator, lc.Workload, lc.Records]:
    sim = lc.Simulator(
        lc.Account(concurrency_limit=1000),
        [lc.Function("f", reserved_concurrency=10, timeout_s=900), lc.Function("g")],
        mappings=[lc.EventSourceMapping(lc.SqsQueue("q", visibility_timeout_s=5), "g")],
    )
    workload = lc.Workload(np.linspace(0, 10, rows), 0, 1.0, invocation_type=lc.InvocationType.EVENT)
    records = lc.Records("q", np.linspace(0, 3000, MESSAGES), failures=np.ones(MESSAGES, np.int64))
    return sim, workload, records


def figures(sim: lc.Simulator) -> Any:
    s = sim.stats()
    functions = {k: np.asarray(v).tolist() for k, v in s.functions.items()}
    return functions, dict(s.account), repr(s.mappings), sim.destination_counts()


class Stop(Exception):
    """What the test's signal handler raises."""


@pytest.fixture(scope="module")
def reference() -> Any:
    sim, workload, records = storm()
    sim.run(workload, records=records)
    return figures(sim), sim.now


@pytest.fixture
def alarm() -> Iterator[Callable[[float, bool], None]]:
    """`alarm(seconds, raises)`: SIGALRM after `seconds`, whose handler raises `Stop` (or, when
    `raises` is false, only counts); restores the handler afterwards."""
    calls: list[float] = []

    def handler(signum: int, frame: Any) -> None:
        calls.append(time.perf_counter())
        if raising[0]:
            raise Stop

    raising = [True]
    previous = signal.signal(signal.SIGALRM, handler)

    def arm(seconds: float, raises: bool = True) -> None:
        raising[0] = raises
        signal.setitimer(signal.ITIMER_REAL, seconds)

    try:
        yield arm
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_handlers_exception_stops_advance_and_the_rest_runs_later(alarm: Any, reference: Any) -> None:
    sim, workload, records = storm()
    sim.submit(workload)
    sim.submit_records(records)
    until = 30_000.0
    alarm(0.05)
    started = time.perf_counter()
    with pytest.raises(Stop):
        sim.advance(until)
    took = time.perf_counter() - started
    assert took < 0.5, f"the call ran {took:.2f} s after a signal at 0.05 s"
    # consistent: the clock at an instant reached, rows and records left to take
    assert 0 < sim.now <= until
    assert sim._engine.pending_rows + sim._engine.pending_requests > 0
    middle = sim.stats().functions
    assert 0 < middle["async_events_received"][0] <= ROWS
    # the rest: every row taken once, one outcome each, as in one uninterrupted run
    window = sim.advance(None)
    assert len(np.unique(window.requests["request"])) == len(window)
    assert sim._engine.pending_rows == 0
    f = sim.stats().functions
    assert f["async_events_received"][0] == ROWS
    assert f["invocations"][0] + f["async_events_dropped"][0] == ROWS
    assert (figures(sim), sim.now) == reference


def test_an_interrupted_run_leaves_its_rows_submitted_for_the_next_call(alarm: Any, reference: Any) -> None:
    sim, workload, records = storm()
    alarm(0.05)
    with pytest.raises(Stop):
        sim.run(workload, records=records)
    # the rows resolved before the signal are counted, not returned; the others are pending
    assert 0 < sim._engine.pending_rows + sim._engine.pending_requests
    sim.advance(None, requests=False)
    assert (figures(sim), sim.now) == reference


def test_interrupted_again_and_again_it_still_gives_one_runs_results(alarm: Any, reference: Any) -> None:
    sim, workload, records = storm()
    sim.submit(workload)
    sim.submit_records(records)
    stops = 0
    while True:
        alarm(0.02)
        try:
            sim.advance(None, requests=False)
            # disarmed inside the try: a signal that came just before is caught below, and the
            # loop goes round once more on a finished run
            alarm(0)
            break
        except Stop:
            stops += 1
    assert stops >= 3
    assert (figures(sim), sim.now) == reference


def test_a_handler_that_does_not_raise_does_not_stop_the_call(alarm: Any, reference: Any) -> None:
    sim, workload, records = storm()
    alarm(0.05, False)
    sim.run(workload, records=records)
    assert (figures(sim), sim.now) == reference


CHILD = """
import sys, time
import numpy as np
import lambda_core as lc
rows = 1_500_000
sim = lc.Simulator(lc.Account(concurrency_limit=1000), [lc.Function("f", reserved_concurrency=10, timeout_s=900)])
sim.submit(lc.Workload(np.linspace(0, 10, rows), 0, 1.0, invocation_type=lc.InvocationType.EVENT))
print("ready", flush=True)
try:
    sim.advance(None, requests=False)
except KeyboardInterrupt:
    print("interrupted", time.monotonic(), sim.now, flush=True)
    raise
print("finished", time.monotonic(), sim.now, flush=True)
"""


def test_ctrl_c_stops_a_long_run_within_a_fraction_of_a_second() -> None:
    # about 3 s uninterrupted (some 1.2e8 events), stopped 0.3 s in
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    exited = time.monotonic() - sent
    word, at, now = out.split()
    assert word == "interrupted", out + err
    assert "KeyboardInterrupt" in err
    latency = float(at) - sent
    assert latency < 0.2, f"KeyboardInterrupt {latency:.3f} s after SIGINT"
    assert exited < 1.0
    assert float(now) < 21_000  # the run ends after 21 521 s of simulated time

"""A configuration too large for memory raises a catchable ``MemoryError`` at ``Simulator()``
instead of aborting the process (issue 10, class 1; docs/reliability.md, "No aborts on
allocation failure"), and ``lambda-core validate`` on such a file is a one-line error, exit 1.
Provisioned environments are made on first use, so hundreds of millions of them cost nothing
until used.

Each case runs in a subprocess whose address space ``ulimit -v`` caps at 2 GB, so that the
allocations fail at once and never exhaust the machine. Before the fix the child died of
SIGABRT (exit 134, "memory allocation of ... failed")."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="ulimit -v is POSIX")

CAP_KB = 2_000_000


def capped(*argv: str) -> subprocess.CompletedProcess[str]:
    """``argv`` in a child whose address space is capped at ``CAP_KB``."""
    return subprocess.run(["bash", "-c", f'ulimit -v {CAP_KB} && exec "$@"', "bash", *argv],
                          capture_output=True, text=True, timeout=120)


def build_in_child(code: str) -> subprocess.CompletedProcess[str]:
    """Runs ``lc.Simulator(<code>)`` in a capped child that catches the ``MemoryError``, prints
    its message, builds a small simulator afterwards and exits 0."""
    script = textwrap.dedent(f"""
        import lambda_core as lc
        try:
            lc.Simulator({code})
        except MemoryError as e:
            print("MemoryError:", e)
        else:
            print("built")
        # the process is intact: a small simulator still works
        sim = lc.Simulator(lc.Account(), [lc.Function("g")])
        print("after:", sim.now)
    """)
    return capped(sys.executable, "-c", script)


HUGE_PROVISIONED = ('lc.Account(concurrency_limit=400_000_000), '
                    '[lc.Function("f", reserved_concurrency=300_000_000, '
                    'provisioned_concurrency=300_000_000)]')

HUGE_LANES = ('lc.Account(), [lc.Function("f")], '
              'mappings=[lc.EventSourceMapping(lc.KinesisStream(f"s{i}", shards=2**20), "f", '
              'parallelization_factor=10) for i in range(5)]')


def test_a_simulator_too_large_for_memory_raises_memory_error() -> None:
    child = build_in_child(HUGE_LANES)
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    assert lines == ["MemoryError: lambda_core: out of memory: cannot allocate 52428800 stream "
                     "lanes (shards × parallelization_factor of the stream mappings)",
                     "after: 0.0"]


def test_huge_provisioned_concurrency_costs_nothing_until_used() -> None:
    # 300 million provisioned environments were gigabytes at Simulator(); they are made on
    # first use, so they fit in a 2 GB address space and run
    script = textwrap.dedent(f"""
        import numpy as np
        import lambda_core as lc
        sim = lc.Simulator({HUGE_PROVISIONED})
        result = sim.run(lc.Workload(time=np.array([0.0, 0.0, 1.0]), function=np.zeros(3, dtype=np.int64),
                                     duration=np.full(3, 0.5)))
        f = result.functions
        print(f["provisioned_invocations"][0], f["avg_environments"][0])
    """)
    child = capped(sys.executable, "-c", script)
    assert child.returncode == 0, child.stderr
    # the unused environments count as alive from time 0
    assert child.stdout.split() == ["3", "300000000.0"]


SCENARIO = """
name = "huge"
[[functions]]
name = "f"
""" + "".join(f"""
[[streams]]
name = "s{i}"
kind = "kinesis"
shards = 1048576
[[mappings]]
source = "s{i}"
function = "f"
parallelization_factor = 10
""" for i in range(5))


@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_command_line_on_a_scenario_too_large_for_memory_is_one_line(
        tmp_path: Path, command: str) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(SCENARIO)
    child = capped(sys.executable, "-m", "lambda_core", command, str(path))
    assert child.returncode == 1, child.stderr
    assert "Traceback" not in child.stderr
    assert len(child.stderr.splitlines()) == 1
    assert child.stderr.startswith("error: out of memory: cannot allocate 52428800 stream lanes")


@pytest.mark.parametrize("routing", ["newest", "oldest", "mru"])
def test_many_provisioned_environments_are_built_in_linear_time(routing: str) -> None:
    # A million provisioned environments take a fraction of a second under every routing
    # (made on first use; they used to be made at once, and under "oldest" each was inserted
    # behind all the others: quadratic, hours).
    import time

    import lambda_core as lc

    start = time.perf_counter()
    lc.Simulator(lc.Account(concurrency_limit=2_000_000),
                 [lc.Function("f", reserved_concurrency=1_000_000, provisioned_concurrency=1_000_000)],
                 routing=routing)
    assert time.perf_counter() - start < 10


RUN_OUT_OF_MEMORY = textwrap.dedent("""
    import numpy as np
    import lambda_core as lc
    # an account without limits, and requests that run for days: the environments and
    # executions in flight grow until the capped address space refuses them
    sim = lc.Simulator(lc.Account(concurrency_limit=2**32 - 1, scaling=None),
                       [lc.Function("f", timeout_s=900)])
    n = 1_000_000
    try:
        for chunk in range(200):
            t = chunk * 10.0 + np.arange(n) * 1e-5
            sim.submit(lc.Workload(t, 0, 800.0))
            sim.advance(chunk * 10.0 + 10.0, requests=False)
        print("ran")
    except MemoryError as e:
        print("MemoryError:", e)
    try:
        sim.advance(None)
    except RuntimeError as e:
        print("RuntimeError:", e)
    # the process is intact: numpy allocates, and a new simulator runs
    print("numpy:", np.zeros(10**6).sum())
    r = lc.Simulator(lc.Account(), [lc.Function("g")]).run(lc.Workload([0.0, 1.0], 0, 0.5))
    print("after:", r.requests["outcome"].tolist())
""")


def test_a_run_that_outgrows_memory_raises_memory_error_and_the_process_goes_on() -> None:
    """Before, growing the run's state past the memory available aborted the process (exit 134)."""
    child = capped(sys.executable, "-c", RUN_OUT_OF_MEMORY)
    assert child.returncode == 0, child.stderr[-2000:]
    lines = child.stdout.splitlines()
    assert lines[0].startswith("MemoryError: lambda_core: out of memory: cannot allocate "), lines
    assert "this simulator can no longer be used (build another)" in lines[0]
    assert lines[1].startswith("RuntimeError: lambda_core: this simulator ran out of memory earlier"), lines
    assert lines[2:] == ["numpy: 0.0", "after: [1, 1]"], lines

"""A configuration too large for memory raises a catchable ``MemoryError`` at ``Simulator()``
instead of aborting the process (issue 10, class 1; docs/reliability.md, "No aborts on
allocation failure"), and ``lambda-core validate`` on such a file is a one-line error, exit 1.

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


@pytest.mark.parametrize(("code", "what"), [
    (HUGE_PROVISIONED, "300000000 provisioned environments"),
    (HUGE_LANES, "52428800 stream lanes"),
], ids=["provisioned", "lanes"])
def test_a_simulator_too_large_for_memory_raises_memory_error(code: str, what: str) -> None:
    child = build_in_child(code)
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    assert lines[0].startswith("MemoryError: lambda_core: out of memory: cannot allocate "), lines
    assert what in lines[0]
    assert lines[1] == "after: 0.0"


SCENARIO = """
name = "huge"
[account]
concurrency_limit = 400000000
[[functions]]
name = "f"
reserved_concurrency = 300000000
provisioned_concurrency = 300000000
[functions.workload]
arrivals = "poisson"
rate_per_s = 5
end_s = 10
duration = {dist = "fixed", s = 0.1}
"""


@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_command_line_on_a_scenario_too_large_for_memory_is_one_line(
        tmp_path: Path, command: str) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(SCENARIO)
    child = capped(sys.executable, "-m", "lambda_core", command, str(path))
    assert child.returncode == 1, child.stderr
    assert "Traceback" not in child.stderr
    assert len(child.stderr.splitlines()) == 1
    assert child.stderr.startswith("error: out of memory")


@pytest.mark.parametrize("routing", ["newest", "oldest", "mru"])
def test_many_provisioned_environments_are_built_in_linear_time(routing: str) -> None:
    # A million provisioned environments take a fraction of a second under every routing.
    # Under "oldest" they used to be inserted each behind all the others (quadratic: hours).
    import time

    import lambda_core as lc

    start = time.perf_counter()
    lc.Simulator(lc.Account(concurrency_limit=2_000_000),
                 [lc.Function("f", reserved_concurrency=1_000_000, provisioned_concurrency=1_000_000)],
                 routing=routing)
    assert time.perf_counter() - start < 10

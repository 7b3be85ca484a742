"""Defects found by the fuzzing harness (and known ones it runs into), each as its minimal
reproducer. A test marked ``xfail(strict=True)`` states the behaviour that is expected and fails
today: once the defect is fixed it passes, the strict mark turns it red, and whoever fixed it
removes the mark (and re-enables the draw the harness leaves out for it, if any: see
``OPEN_DEFECTS`` in test_bad_calls.py and ``open_defect`` in test_scenarios.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import cli


def _queue_sim() -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function("f")],
                        mappings=[lc.EventSourceMapping(lc.SqsQueue("q"), "f")])


# -- found by the harness ------------------------------------------------------------------------


def test_a_run_refused_for_its_records_leaves_nothing_submitted() -> None:
    sim = _queue_sim()
    workload = lc.Workload([1.0], [0], [0.1])
    with pytest.raises(lc.WorkloadError, match="records of 'q'"):
        sim.run(workload, records=lc.Records("q", [-1.0]))
    # the corrected call: today its workload is refused (times before the queued one's end)
    # or, with later times, the first workload runs too (two requests for one)
    result = sim.run(lc.Workload([1.0], [0], [0.1]), records=lc.Records("q", [1.0]))
    assert result.requests["outcome"].tolist() == [lc.Outcome.SUCCESS]
    assert int(sim.stats().functions["invocations"][0]) == 2  # one request, one batch


@pytest.mark.parametrize("call", ["advance", "run", "stats"])
def test_until_as_a_string_is_a_type_error(call: str) -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("f")])
    with pytest.raises(TypeError):
        if call == "advance":
            sim.advance("1")  # type: ignore[arg-type]
        elif call == "run":
            sim.run(lc.Workload([0.0], [0], [0.1]), until="7")  # type: ignore[arg-type]
        else:
            sim.stats("2")  # type: ignore[arg-type]
    assert sim.now == 0.0


def test_a_subnormal_refill_rate_is_a_typed_error() -> None:
    with pytest.raises(lc.EngineLimitError, match="scaling_refill_per_s"):
        lc.Account(scaling_refill_per_s=1e-310)


RESERVED_ZERO = """
[[functions]]
name = "f"
reserved_concurrency = 0
[[streams]]
name = "s"
kind = "kinesis"
[streams.records]
arrivals = "bursty"
bursts = [{ at_s = 1, count = 3 }]
[[mappings]]
source = "s"
function = "f"
"""


def test_validate_refuses_a_mapping_run_would_refuse(tmp_path) -> None:
    path = tmp_path / "zero.toml"
    path.write_text(RESERVED_ZERO, encoding="utf-8")
    run = [sys.executable, "-m", "lambda_core"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ran = subprocess.run([*run, "run", str(path), "--quiet"], capture_output=True, text=True, timeout=60, env=env)
    assert ran.returncode == 1 and "reserved concurrency is 0" in ran.stderr  # run refuses it, in one line
    validated = subprocess.run([*run, "validate", str(path)], capture_output=True, text=True, timeout=60, env=env)
    assert validated.returncode == 1, validated.stdout  # today: 0, "OK"


# found by the harness and fixed on this branch (plain tests)

WORKLOAD = '[[functions]]\nname = "f"\nworkload = {{ arrivals = "poisson", rate_per_s = 2, end_s = 5, duration = {duration} }}\n'
SOURCE = '[[functions]]\nname = "f"\n[[streams]]\nname = "s"\nkind = {kind}\n'


@pytest.mark.parametrize("text", [
    pytest.param(WORKLOAD.format(duration="{ dist = [] }"), id="dist-array"),
    pytest.param(WORKLOAD.format(duration='{ dist = { fixed = 1 } }'), id="dist-table"),
    pytest.param(SOURCE.format(kind="[]"), id="kind-array"),
    pytest.param(SOURCE.format(kind='{ kinesis = true }'), id="kind-table"),
])
def test_an_array_or_table_where_a_name_is_due_is_a_scenario_error(text: str, tmp_path) -> None:
    """Was TypeError (unhashable type: 'list'), a traceback from the command line."""
    with pytest.raises(lc.ScenarioError, match="'dist'|'kind'"):
        lc.parse_scenario(text)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "lambda_core", "validate", str(path)], capture_output=True,
                       text=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 1 and "Traceback" not in p.stderr and len(p.stderr.splitlines()) == 1, p.stderr


def test_a_lognormal_sigma_of_minus_zero_generates() -> None:
    """Was numpy's ValueError("sigma < 0") at generate (-0.0 passes the check sigma >= 0)."""
    scenario = lc.parse_scenario(WORKLOAD.format(duration='{ dist = "lognormal", median_s = 0.1, sigma = -0.0 }'))
    durations = scenario.generate(seed=1).duration
    assert len(durations) and np.all(durations == durations[0])  # sigma 0: every draw the median


# -- known open defects the harness runs into (issue 10, class 7; being fixed) -------------------


def test_latencies_are_never_negative() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("f")])
    r = sim.run(lc.Workload([0.3000004], [0], [0.0]))
    assert r.requests["first_start"][0] - r.requests["enqueued"][0] >= 0
    assert r.requests["end"][0] - r.requests["enqueued"][0] >= 0


def test_stats_before_the_clock_is_refused_or_consistent() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("f", idle_timeout_s=1)])
    # ten requests 10 s apart, each in a fresh environment: never more than one alive
    sim.run(lc.Workload(np.arange(10) * 10.0, 0, 1.0), until=100)
    try:
        early = sim.stats(1.0)
    except lc.UsageError:
        return
    assert early.functions["avg_environments"][0] <= 1.0  # today: 22.5



RESERVED_ZERO_RANDOM = """
[[functions]]
name = "f"
reserved_concurrency = 0
[[queues]]
name = "q"
messages = { arrivals = "poisson", rate_per_s = 0.5, end_s = 5 }
[[mappings]]
source = "q"
function = "f"
"""


def test_run_and_validate_agree_on_a_never_ending_scenario_for_every_seed(tmp_path) -> None:
    """Found by the second hunt: `run` used to refuse only the draws that made records (a seed
    whose Poisson draw made none ran), while `validate` refused the file: both now decide from
    the file."""
    path = tmp_path / "zero.toml"
    path.write_text(RESERVED_ZERO_RANDOM, encoding="utf-8")
    for seed in range(12):  # seed 10 draws no message (P = e^-2.5)
        code = cli.main(["run", str(path), "--quiet", "--seed", str(seed)])
        assert code == 1, seed
    assert cli.main(["validate", str(path)]) == 1
    assert cli.main(["run", str(path), "--quiet", "--until", "10"]) == 0


def test_an_instant_split_across_windows_runs_its_later_part_last() -> None:
    """Found by the final hunt: a record at 0.0 and rows at 4e-7 s are one instant (0 µs). In one
    `run` the rows come first (§1: rows before records at an instant); advanced in two windows
    split between the two raw times, the record is taken in the first and the rows after it
    (docs/model.md §1), which the harness now avoids by splitting on the microsecond grid."""
    def sim() -> lc.Simulator:
        return lc.Simulator(lc.Account(concurrency_limit=1, scaling_burst=1), [lc.Function("f")],
                            mappings=[lc.EventSourceMapping(lc.SqsQueue("q.fifo", fifo=True, visibility_timeout_s=3), "f")])
    rows = lc.Workload([4e-7], [0], [0.0])
    one = sim().run(rows, records=lc.Records("q.fifo", [0.0], key=[0]))
    assert one.requests["outcome"].tolist() == [lc.Outcome.SUCCESS]
    split = sim()
    split.submit_records(lc.Records("q.fifo", [0.0], key=[0]))
    split.advance(4e-7)  # the instant 0 µs, with the record
    split.submit(rows)   # at that same instant: after the record, which holds the one slot
    assert split.advance().requests["outcome"].tolist() == [lc.Outcome.THROTTLED]

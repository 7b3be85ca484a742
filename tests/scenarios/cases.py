"""Scenario files and helpers the command-line tests share: small scenarios (one throttling in
both pools, one with asynchronous invocation), AWS's texts the CLI must print, and parsers of
the text report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._cli import main
from lambda_core._report import ASYNC_COUNTS, COUNTS, MAPPING_COUNTS
from lambda_core.scenarios import load_scenario

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scenario.toml"

RC_MIN_100 = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [100]."
)
MEMORY_64 = (
    "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: "
    "Member must have value greater than or equal to 128"
)
SELF_DESTINATION = "You can't specify the function as a destination for itself."

# A small scenario that throttles in both ways: "capped" overflows its reservation of 5 and
# "burst" + "steady" overflow the shared pool of 20 - 5 = 15.
SMALL = """
seed = 7
routing = "newest"

[account]
concurrency_limit = 20
unreserved_min = 5

[[functions]]
name = "capped"
reserved_concurrency = 5
timeout_s = 2
[functions.workload]
arrivals = "poisson"
rate_per_s = 40
end_s = 30
duration = { dist = "lognormal", median_s = 0.1, sigma = 0.5 }
failure_rate = 0.05

[[functions]]
name = "burst"
init_s = 0.2
[[functions.workload]]
arrivals = "bursty"
rate_per_s = 5
end_s = 30
bursts = [{ at_s = 10, count = 300, over_s = 2 }, { at_s = 20, count = 50 }]
duration = { dist = "fixed", s = 0.3 }
[[functions.workload]]
arrivals = "poisson"
rate_per_s = 3
start_s = 15
end_s = 25
duration = { dist = "exponential", mean_s = 0.5 }

[[functions]]
name = "steady"
[functions.workload]
arrivals = "poisson"
rate_per_s = 20
end_s = 30
duration = { dist = "exponential", mean_s = 0.2 }
"""


# A small scenario with asynchronous invocation: "uploads" gets a burst of S3 events that
# overflows the shared pool of 15, with every destination set; "api" is invoked synchronously
# by API Gateway, and its callers retry throttles (client_retries).
SMALL_ASYNC = """
seed = 11

[client_retries]
max_attempts = 3
base_s = 0.5
cap_s = 4

[account]
concurrency_limit = 20
unreserved_min = 5

[[functions]]
name = "api"
reserved_concurrency = 5
[functions.workload]
trigger = "api_gateway"
arrivals = "poisson"
rate_per_s = 30
end_s = 30
duration = { dist = "exponential", mean_s = 0.2 }

[[functions]]
name = "uploads"
max_retry_attempts = 1
max_event_age_s = 90
on_success = "done"
on_failure = "failed"
dead_letter_queue = "uploads-dlq"
[functions.workload]
trigger = "S3"
arrivals = "bursty"
rate_per_s = 2
end_s = 30
bursts = [{ at_s = 5, count = 1000, over_s = 10 }]
duration = { dist = "fixed", s = 0.5 }
failure_rate = 0.1
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    """``lambda-core run ARGV --json --quiet`` in-process; the parsed JSON."""
    assert main(["run", *argv, "--json", "--quiet"]) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def deterministic(summary: dict) -> dict:
    """The summary without its wall-clock figures."""
    run = {k: v for k, v in summary["run"].items() if k not in ("wall_time_s", "invocations_per_s")}
    return {**summary, "run": run}


def parse_mapping_table(text: str) -> dict[str, dict[str, object]]:
    """The mapping table of the text report, by source: ``function`` and the
    ``MAPPING_COUNTS`` figures (numbers; the iterator age as printed, a string)."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("source "))
    keys = ["function"] + [key for key, _ in MAPPING_COUNTS]
    assert re.split(r"\s{2,}", lines[head].strip()) == (
        ["source", "function"] + [heading for _, heading in MAPPING_COUNTS]
    )
    rows = {}
    for line in lines[head + 1 :]:
        if not line.strip():
            break
        source, *cells = line.split()
        row = dict(zip(keys, cells, strict=True))
        rows[source] = {
            k: v if k in ("function", "max_iterator_age") else int(v.replace(",", ""))
            for k, v in row.items()
        }
    return rows


def parse_table(text: str) -> dict[str, dict[str, int]]:
    """The per-function rows (and 'total') of the text report, as numbers, keyed by the
    ``Result.functions`` names of the columns the heading shows."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("function "))
    key_of = {heading: key for key, heading in COUNTS + ASYNC_COUNTS}
    headings = re.split(r"\s{2,}", lines[head].strip())[1:]
    rows = {}
    for line in lines[head + 1 :]:
        if not line.strip():
            break
        name, *cells = line.split()
        keys = [key_of[h] for h in headings]
        if len(cells) < len(keys):  # the total row has no max concurrency
            keys.remove("max_concurrency")
        rows[name] = {k: int(c.replace(",", "")) for k, c in zip(keys, cells, strict=True)}
    return rows


def requests_per_function(workload: lc.Workload, n: int) -> list[int]:
    return np.bincount(workload.function, minlength=n).tolist()


def direct_result(path: Path, seed: int | None = None, until: float | None = None):
    """The workload the scenario generates and ``Simulator.run`` on it, with the simulator
    built by hand from the file's values (not through Scenario.simulator)."""
    scenario = load_scenario(path)
    workload = scenario.generate(seed)
    account = lc.Account(concurrency_limit=20, unreserved_min=5)
    functions = [
        lc.Function("capped", reserved_concurrency=5, timeout_s=2),
        lc.Function("burst", init_s=0.2),
        lc.Function("steady"),
    ]
    sim = lc.Simulator(account, functions, seed=scenario.seed if seed is None else seed)
    return workload, sim.run(workload, until=until)

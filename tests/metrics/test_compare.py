"""The comparison of tests/metrics/compare.py itself, on a Metrics built from the oracle's own
series: it finds no difference there, and finds one planted value out of tolerance."""

from __future__ import annotations

import copy

import numpy as np

import lambda_core as lc
from lambda_core._model.metric_catalog import specs_at
from tests.metrics.compare import disagreements
from tests.oracle.metrics import simulate_metrics

FNS = [{"init_s": 0.5, "timeout_s": 3.0, "provisioned_concurrency": 1}, {"init_s": 0.0, "reserved_concurrency": 2}]
ROWS = {"time": [0.0, 0.0, 0.2, 1.0, 1.5], "function": [0, 0, 1, 0, 1], "duration": [1.0, 1.0, 0.3, 4.0, 0.5],
        "invocation_type": [0, 0, 1, 1, 0]}


def as_metrics(ref: dict) -> lc.Metrics:
    def table(level: str, sets: list[dict]) -> dict:
        return {(m.name, st): np.array([s[m.name, st] for s in sets], dtype=np.float64)
                for m in specs_at(level) if m.levels[level] == "engine" for st in m.statistics_at(level)}
    account = {key: v[0] for key, v in table("account", [ref["account"]]).items()}
    return lc.Metrics(ref["period_s"], ref["horizon"], ref["n"], ["f0", "f1"], [], [], [],
                      {"function": table("function", ref["function"]), "account": account, "mapping": {}},
                      claimed_offset=3, provisioned=[1, None])


def test_the_oracle_agrees_with_itself_and_a_planted_difference_is_found():
    _, ref = simulate_metrics({"concurrency_limit": 10}, FNS, ROWS, 1.0)
    assert disagreements(as_metrics(ref), ref, ["f0", "f1"]) == []
    changed = copy.deepcopy(ref)
    changed["function"][1]["ConcurrentExecutions", "Maximum"][0] += 1
    found = disagreements(as_metrics(changed), ref, ["f0", "f1"])
    assert len(found) == 1 and found[0].startswith("f1 ConcurrentExecutions/Maximum period 0"), found
    p99 = ref["function"][0]["Duration", "p99"]
    k = next(i for i, v in enumerate(p99) if v == v and v > 0)
    planted = as_metrics({**ref, "function": [{**ref["function"][0], ("Duration", "p99"): [
        v * (1.02 if i == k else 1.005) for i, v in enumerate(p99)]}, ref["function"][1]]})
    assert [line.split(":")[0] for line in disagreements(planted, ref, ["f0", "f1"])] == [f"f0 Duration/p99 period {k}"]

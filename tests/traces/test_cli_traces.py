"""``lambda-core run … --traces FILE``: X-Ray segment documents (or OTLP/JSON for a
``.otlp.jsonl`` file), one JSON document per line, from a scenario whose functions trace."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lambda_core._cli import main, simulate
from lambda_core.scenarios import parse_scenario
from tests.scenarios.cases import SMALL_ASYNC, write

from .schema import check_otlp, check_segment

TRACED = SMALL_ASYNC.replace('name = "api"\n', 'name = "api"\ntracing = "Active"\n', 1)


def lines(path: Path) -> list[dict]:
    text = path.read_text()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_the_traces_file_holds_the_runs_segment_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert TRACED != SMALL_ASYNC
    scenario = write(tmp_path, TRACED)
    out = tmp_path / "traces.jsonl"
    assert main(["run", str(scenario), "--quiet", "--traces", str(out)]) == 0
    docs = lines(out)
    assert docs, "a traced function's requests are sampled"
    for d in docs:
        check_segment(d)
    assert {d["name"] for d in docs} == {"api"}
    # the same documents as one run of the scenario in the API
    s = parse_scenario(TRACED)
    seed = s.seed
    assert docs == json.loads(json.dumps(s.simulator(seed).run(s.generate(seed)).xray()))
    # and again: deterministic
    again = tmp_path / "again.jsonl"
    assert main(["run", str(scenario), "--quiet", "--traces", str(again)]) == 0
    assert again.read_text() == out.read_text()


def test_an_otlp_file_holds_one_export_request_per_function(tmp_path: Path) -> None:
    scenario = write(tmp_path, TRACED)
    out = tmp_path / "traces.otlp.jsonl"
    assert main(["run", str(scenario), "--quiet", "--traces", str(out)]) == 0
    requests = lines(out)
    assert len(requests) == 1
    spans = check_otlp(requests[0])
    assert {res["faas.name"] for res, _, _ in spans} == {"api"}
    assert any(a.get("faas.trigger") == "http" for _, _, a in spans)


def test_an_untraced_scenario_writes_an_empty_file_and_a_bad_folder_is_refused_first(tmp_path: Path) -> None:
    scenario = write(tmp_path, SMALL_ASYNC)
    out = tmp_path / "t.jsonl"
    assert main(["run", str(scenario), "--quiet", "--traces", str(out)]) == 0
    assert out.read_text() == ""
    assert main(["run", str(scenario), "--quiet", "--traces", str(tmp_path / "no" / "t.jsonl")]) == 1


def test_simulate_keeps_every_steps_traces() -> None:
    s = parse_scenario(TRACED)
    whole = s.simulator(s.seed).run(s.generate(s.seed))
    stepped = simulate(s.simulator(s.seed), s.generate(s.seed), steps=7)
    for k, v in whole.traces.items():
        assert np.array_equal(stepped.traces[k], v), k

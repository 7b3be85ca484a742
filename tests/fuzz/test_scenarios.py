"""The fuzzing harness at the scenario boundary: valid and mutated TOML texts
(tests/fuzz/scenario_texts.py) through `lambda_core.scenarios.parse_scenario`, the simulator
they build, and the command line, in-process and in a subprocess.

- loading gives a `Scenario` or a `LambdaCoreError` with a one-line message (never a
  `TypeError`, a bare `ValueError` or anything else: the CLI would show a traceback);
- a scenario that loads and builds runs, and its run obeys the harness's invariants;
- `lambda-core validate FILE` exits 0 exactly when the file loads and builds, else 1 with one
  line on stderr (two for AWS's refusals: the message and the table), never a traceback;
  `validate` OK means `run` exits 0 too.
"""

from __future__ import annotations

from collections.abc import Callable

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import numpy as np
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

import lambda_core as lc
from lambda_core import _cli
from lambda_core.scenarios import Scenario, parse_scenario
from tests.support.profiles import examples

from .invariants import check_run
from .scenario_texts import mutated, scenario_models
from .strategies import Case
from .test_api import SETTINGS

#: What may be simulated in-process and by `run` (more is legal, but slow for a fuzzer).
MAX_ROWS = 5000


def texts() -> st.SearchStrategy[tuple[str, list[str]]]:
    return scenario_models().flatmap(mutated)


def load(text: str) -> Scenario | None:
    """The scenario, or None when it is refused as documented."""
    try:
        scenario = parse_scenario(text)
        scenario.simulator()
    except lc.LambdaCoreError as e:
        message = str(e)
        assert message and "\n" not in message, f"a multi-line error: {message!r}"
        assert "Traceback" not in message
        note(f"refused: {e!r}")
        event(f"refused: {type(e).__name__}")
        return None
    return scenario


def open_defect(s: Scenario) -> bool:
    """A scenario that hits a defect found by this harness and still open (its reproducer is in
    test_found.py, marked xfail); none is open now."""
    return False


def runnable(s: Scenario) -> bool:
    """Small enough to simulate in a test: few rows, and few client retries."""
    if s.expected_requests() + s.expected_records() > MAX_ROWS:
        return False
    if s.client_retries is not None and s.client_retries.max_attempts > 20:
        return False
    return not open_defect(s)


def as_case(s: Scenario, w: lc.Workload, records: list[lc.Records]) -> Case:
    n = len(w)
    return Case(
        account=s.account, functions=list(s.functions), routing=s.routing, client_retries=s.client_retries,
        seed=s.seed, mappings=list(s.mappings),
        columns={"time": w.time, "function": w.function, "duration": w.duration,
                 "invocation_type": w.invocation_type if w.invocation_type is not None else np.zeros(n, np.uint8),
                 "failures": w.failures if w.failures is not None else np.zeros(n, np.int64)},
        records={r.source: {"time": r.time, "key": r.key,
                            "failures": r.failures if r.failures is not None else np.zeros(len(r), np.int64)}
                 for r in records},
        until=s.until,
    )


@settings(max_examples=examples(150), **SETTINGS)
@given(texts())
def test_scenario_texts_load_or_refuse_and_run(drawn: tuple[str, list[str]]) -> None:
    text, done = drawn
    note(text)
    note(f"mutations: {done}")
    scenario = load(text)
    if scenario is None or not runnable(scenario) or never_ends(scenario):
        return  # (the command line refuses a scenario that never ends: its test checks that)
    event("ran")
    workload = scenario.generate()
    records = scenario.generate_records()
    sim = scenario.simulator()
    try:
        result = sim.run(workload, until=scenario.until, records=records)
    except lc.LambdaCoreError as e:
        raise AssertionError(f"a scenario that loads was refused by run: {e!r}") from None
    check_run(as_case(scenario, workload, records), result)


def _main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def never_ends(s: Scenario) -> bool:
    """Whether `run` without `--until` refuses `s` (and so `validate` does): a mapping into a
    function that reserves 0, whose source has records, would be throttled for ever."""
    reserved = {f.name: f.reserved_concurrency for f in s.functions}
    with_records = {src.name for src, spec in zip(s.sources, s.record_generators)
                    if spec is not None and spec.expected_records() > 0}
    return s.until is None and any(reserved[m.function] == 0 and m.source.name in with_records for m in s.mappings)


def _check_cli(code: int, err: str, scenario: Scenario | None, until_given: bool = False) -> None:
    assert "Traceback" not in err, err
    if scenario is not None and not until_given and never_ends(scenario):
        assert code == _cli.INPUT_ERROR and "reserved concurrency is 0" in err, (code, err)
        assert len(err.splitlines()) == 1, err
    elif scenario is None:
        assert code == _cli.INPUT_ERROR, (code, err)
        lines = err.splitlines()
        assert 1 <= len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("  (in ")), err
    else:
        assert code == 0, (code, err)


def _check_commands(drawn: tuple[str, list[str]], call: Callable[..., tuple[int, str]], until: bool) -> None:
    """`validate`, then for a runnable scenario `run` (and with `until`, `run --until 45`), each
    through `call` (argv -> exit code and stderr), checked by `_check_cli`."""
    text, done = drawn
    note(text)
    note(f"mutations: {done}")
    scenario = load(text)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "fuzz.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        _check_cli(*call("validate", path), scenario)
        if scenario is not None and runnable(scenario):
            _check_cli(*call("run", path, "--quiet"), scenario)
            if until:
                _check_cli(*call("run", path, "--quiet", "--json", "--until", "45"), scenario, until_given=True)


def _in_process(*argv: str) -> tuple[int, str]:
    code, _, err = _main(*argv)
    return code, err


def _subprocess(*argv: str) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "lambda_core", *argv], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    return p.returncode, p.stderr


@settings(max_examples=examples(60), **SETTINGS)
@given(texts())
def test_the_command_line_in_process(drawn: tuple[str, list[str]]) -> None:
    _check_commands(drawn, _in_process, until=True)


@settings(max_examples=examples(6), **SETTINGS)
@given(texts())
def test_the_command_line_in_a_subprocess(drawn: tuple[str, list[str]]) -> None:
    """What the in-process test checks, as a user runs it: nothing kills the process."""
    _check_commands(drawn, _subprocess, until=False)

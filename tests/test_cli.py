"""Tests of the command line (lambda_core.cli), scenario files (lambda_core.scenario) and the
report (lambda_core.report).

Most tests call ``main([...])`` in-process; a few run the installed ``lambda-core`` script.
Run with ``python -m pytest tests/test_cli.py -q``.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.cli import main, simulate
from lambda_core.report import COUNTS
from lambda_core.scenario import (
    ScenarioError,
    builtin_scenario,
    load_scenario,
    parse_scenario,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "scenario.toml"

RC_MIN_100 = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [100]."
)
MEMORY_64 = (
    "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: "
    "Member must have value greater than or equal to 128"
)

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


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


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


def parse_table(text: str) -> dict[str, dict[str, int]]:
    """The per-function rows (and 'total') of the text report, as numbers."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("function "))
    rows = {}
    for line in lines[head + 1 :]:
        if not line.strip():
            break
        name, *cells = line.split()
        keys = [key for key, _ in COUNTS][: len(cells)]
        rows[name] = {k: int(c.replace(",", "")) for k, c in zip(keys, cells)}
    return rows


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


# ---------------------------------------------------------------------------------------------
# The built-in scenario (the one large run of this file)
# ---------------------------------------------------------------------------------------------


def test_builtin_scenario_throttles_in_both_pools(capsys):
    assert main(["run", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    out = captured.out
    rows = parse_table(out)
    names = ["orders", "payments", "catalog", "search", "cart", "inventory", "shipping",
             "notifications", "thumbnails", "reports"]
    assert list(rows) == names + ["total"]
    total = rows.pop("total")

    workload_rows = len(builtin_scenario().generate())
    assert workload_rows >= 1_000_000
    assert f"{workload_rows:,} invocations simulated" in out
    # Synchronous requests, no retries, no until: each request ran once or was throttled once.
    answered = sum(
        r["invocations"] + r["throttles_reserved"] + r["throttles_unreserved"]
        + r["throttles_scaling"]
        for r in rows.values()
    )
    assert answered == workload_rows
    for key in ("invocations", "throttles_reserved", "throttles_unreserved", "errors"):
        assert total[key] == sum(r[key] for r in rows.values())

    # Reserved throttles only where a reservation is; unreserved ones only on the shared pool.
    assert rows["orders"]["throttles_reserved"] > 0
    assert rows["orders"]["max_concurrency"] == 200
    assert rows["payments"]["max_concurrency"] <= 100
    assert all(rows[n]["throttles_reserved"] == 0 for n in names[2:])
    assert rows["orders"]["throttles_unreserved"] == rows["payments"]["throttles_unreserved"] == 0
    assert sum(rows[n]["throttles_unreserved"] for n in names[2:]) > 1000
    assert total["errors"] > 0
    assert "max unreserved concurrency 700" in out
    assert "UnreservedConcurrentExecutions 700" in out
    assert "seed 20231126" in out


def test_builtin_scenario_configuration():
    scenario = builtin_scenario()
    sim = scenario.simulator()
    assert sim.account_settings() == {
        "ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 700,
    }
    reserved = {f.name: f.reserved_concurrency for f in scenario.functions}
    assert reserved.pop("orders") == 200 and reserved.pop("payments") == 100
    assert len(reserved) == 8 and set(reserved.values()) == {None}
    assert scenario.expected_requests() >= 1_000_000


# ---------------------------------------------------------------------------------------------
# A small scenario: the CLI's figures are Simulator.run's
# ---------------------------------------------------------------------------------------------


def test_small_scenario_matches_direct_run(capsys, small):
    summary = run_json(capsys, str(small))
    workload, result = direct_result(small)
    assert summary["run"]["invocations_simulated"] == len(workload)
    assert [f["function"] for f in summary["functions"]] == ["capped", "burst", "steady"]
    for i, row in enumerate(summary["functions"]):
        for key, _ in COUNTS:
            assert row[key] == int(result.functions[key][i]), (row["function"], key)
    assert summary["account"]["max_concurrency"] == result.account["max_concurrency"]
    assert (summary["account"]["max_unreserved_concurrency"]
            == result.account["max_unreserved_concurrency"])
    assert summary["account"]["UnreservedConcurrentExecutions"] == 15
    assert summary["run"]["horizon_s"] == result.horizon

    # Both kinds of throttle happen, and every request is accounted for.
    capped, burst, steady = summary["functions"]
    assert capped["throttles_reserved"] > 0 and capped["errors"] > 0
    assert burst["throttles_unreserved"] > 0
    answered = sum(
        f["invocations"] + f["throttles_reserved"] + f["throttles_unreserved"]
        + f["throttles_scaling"]
        for f in summary["functions"]
    )
    assert answered == len(workload)
    assert (result.requests["outcome"] == lc.Outcome.THROTTLED).sum() == answered - sum(
        f["invocations"] for f in summary["functions"]
    )


def test_text_report_equals_json(capsys, small):
    assert main(["run", str(small), "--quiet"]) == 0
    rows = parse_table(capsys.readouterr().out)
    summary = run_json(capsys, str(small))
    for f in summary["functions"]:
        assert rows[f["function"]] == {k: f[k] for k, _ in COUNTS}
    assert rows["total"] == summary["total"]


@pytest.mark.parametrize("until", [None, 12.5])
def test_stepped_run_equals_run(small, until):
    scenario = load_scenario(small)
    workload = scenario.generate()
    direct = scenario.simulator().run(workload, until=until)
    seen = []
    stepped = simulate(scenario.simulator(), workload, until, steps=23, on_step=seen.append)
    assert len(seen) == 23 and seen == sorted(seen)
    assert seen[-1] == (until if until is not None else workload.time[-1])
    for key in direct.functions:
        np.testing.assert_array_equal(stepped.functions[key], direct.functions[key], err_msg=key)
    assert stepped.account == direct.account
    assert stepped.horizon == direct.horizon


def test_until_and_seed_options(capsys, small):
    summary = run_json(capsys, str(small), "--until", "12.5", "--seed", "3")
    workload, result = direct_result(small, seed=3, until=12.5)
    assert summary["seed"] == summary["run"]["seed"] == 3
    assert summary["until"] == 12.5 and summary["run"]["horizon_s"] == 12.5
    assert [f["invocations"] for f in summary["functions"]] == result.functions[
        "invocations"
    ].tolist()
    # Requests that arrive after `until` are neither invoked nor throttled.
    arrived = int((workload.time <= 12.5).sum())
    answered = sum(
        f["invocations"] + f["throttles_reserved"] + f["throttles_unreserved"]
        for f in summary["functions"]
    )
    assert 0 < answered <= arrived < len(workload)


def test_progress_bar_only_on_a_tty(capsys, monkeypatch, small):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    def run(*extra: str) -> tuple[dict, str]:
        err = Tty()
        monkeypatch.setattr(sys, "stderr", err)
        assert main(["run", str(small), "--json", *extra]) == 0
        return json.loads(capsys.readouterr().out), err.getvalue()

    with_bar, drawn = run()
    assert "simulating [" in drawn and "100%" in drawn
    assert drawn.endswith("\r")  # erased at the end
    quiet, nothing = run("--quiet")
    assert nothing == ""
    assert deterministic(with_bar) == deterministic(quiet)


# ---------------------------------------------------------------------------------------------
# Determinism of generation
# ---------------------------------------------------------------------------------------------


def test_same_seed_same_output_different_seed_different_workload(capsys, small):
    first = run_json(capsys, str(small))
    again = run_json(capsys, str(small))
    assert deterministic(first) == deterministic(again)
    other = run_json(capsys, str(small), "--seed", "8")
    assert other["functions"] != first["functions"]

    scenario = load_scenario(small)
    a, b, c = scenario.generate(), scenario.generate(7), scenario.generate(8)
    for column in ("time", "function", "duration", "failures"):
        np.testing.assert_array_equal(getattr(a, column), getattr(b, column))
    assert len(a) != len(c) or not np.array_equal(a.time, c.time)


def test_generation_follows_the_documented_streams(small):
    """Function i draws from PCG64(SeedSequence(seed).spawn(n)[i]): Poisson count, uniform
    times, then durations, then failures."""
    scenario = load_scenario(small)
    workload = scenario.generate()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7).spawn(3)[0]))
    n = rng.poisson(40 * 30)
    time = np.sort(30 * rng.random(n))
    duration = rng.lognormal(np.log(0.1), 0.5, n)
    failures = (rng.random(n) < 0.05).astype(np.int64)
    mine = workload.function == 0
    np.testing.assert_array_equal(workload.time[mine], time)
    np.testing.assert_array_equal(workload.duration[mine], duration)
    np.testing.assert_array_equal(workload.failures[mine], failures)
    assert np.all(np.diff(workload.time) >= 0)

    # The bursts: 300 spread over [10, 12), 50 exactly at 20, all fixed 0.3 s.
    burst = workload.function == 1
    fixed = workload.duration[burst] == 0.3
    times = workload.time[burst][fixed]
    assert ((times >= 10) & (times < 12)).sum() >= 300
    assert (times == 20).sum() == 50


def test_a_function_stream_does_not_depend_on_other_functions(small):
    before = load_scenario(small).generate()
    changed = parse_scenario(SMALL.replace("rate_per_s = 20", "rate_per_s = 35"))
    after = changed.generate()
    for f in (0, 1):
        np.testing.assert_array_equal(before.time[before.function == f],
                                      after.time[after.function == f])
    assert (after.function == 2).sum() > (before.function == 2).sum()


# ---------------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------------


def test_validate_good_file(capsys, small):
    assert main(["validate", str(small)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out
    assert "ConcurrentExecutions 20" in out and "UnreservedConcurrentExecutions 15" in out
    for name in ("capped", "burst", "steady"):
        assert name in out


def test_validate_reservations_below_minimum(capsys, tmp_path):
    functions = "".join(
        f'[[functions]]\nname = "f{i}"\nreserved_concurrency = {rc}\n'
        for i, rc in enumerate([600, 250, 100])
    )
    path = write(tmp_path, "[account]\nconcurrency_limit = 1000\n" + functions)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"InvalidParameterValueException: {RC_MIN_100}\n"
    assert main(["run", str(path), "--quiet"]) == 1
    assert capsys.readouterr().err == f"InvalidParameterValueException: {RC_MIN_100}\n"


def test_validate_memory_size(capsys, tmp_path):
    path = write(tmp_path, '[[functions]]\nname = "api"\nmemory_mb = 64\n')
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"ValidationException: {MEMORY_64}"
    assert "'api'" in err[1]


def test_validate_duplicate_name(capsys, tmp_path):
    path = write(tmp_path, '[[functions]]\nname = "a"\n[[functions]]\nname = "a"\n')
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().err == "ResourceConflictException: Function already exist: a\n"


@pytest.mark.parametrize(
    ("text", "key", "table"),
    [
        ('sede = 1\n[[functions]]\nname = "a"\n', "sede", "the top level"),
        ('[account]\nconcurency_limit = 10\n[[functions]]\nname = "a"\n',
         "concurency_limit", "[account]"),
        ('[[functions]]\nname = "a"\nmemry_mb = 256\n', "memry_mb", "[[functions]] #1 ('a')"),
        ('[[functions]]\nname = "a"\n[functions.workload]\narrivals = "poisson"\nrate = 1\n',
         "rate", "[functions.workload] of function 'a'"),
        ('[[functions]]\nname = "a"\n[functions.workload]\narrivals = "poisson"\n'
         'rate_per_s = 1\nend_s = 2\nduration = {dist = "exponential", mean = 1}\n',
         "mean", "'duration' of [functions.workload] of function 'a'"),
        ('[[functions]]\nname = "a"\n[[functions.workload]]\narrivals = "bursty"\n'
         'bursts = [{at_s = 1, count = 2, over = 3}]\nduration = {dist = "fixed", s = 1}\n',
         "over", "bursts[0] of [[functions.workload]] #1 of function 'a'"),
    ],
)
def test_unknown_keys_are_errors(capsys, tmp_path, text, key, table):
    path = write(tmp_path, text)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: unknown key '{key}' in {table}")
    assert "Traceback" not in err
    with pytest.raises(ScenarioError, match=f"unknown key '{key}'"):
        load_scenario(path)


def test_unknown_key_suggests_the_right_one(tmp_path):
    path = write(tmp_path, '[[functions]]\nname = "a"\nmemry_mb = 256\n')
    with pytest.raises(ScenarioError, match="did you mean 'memory_mb'"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("workload", "message"),
    [
        ('arrivals = "poisson"\nrate_per_s = 1\nduration = {dist = "fixed", s = 1}',
         "missing key 'end_s'"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 5',
         "missing key 'duration'"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 5\nbursts = []\n'
         'duration = {dist = "fixed", s = 1}', "'bursts' in .* needs arrivals = \"bursty\""),
        ('arrivals = "uniform"', "'arrivals' .* must be \"poisson\" or \"bursty\""),
        ('arrivals = "poisson"\nrate_per_s = 1\nstart_s = 5\nend_s = 2\n'
         'duration = {dist = "fixed", s = 1}', "'end_s' \\(2\\) .* is before 'start_s' \\(5\\)"),
        ('arrivals = "poisson"\nrate_per_s = -1\nend_s = 2\nduration = {dist = "fixed", s = 1}',
         "'rate_per_s' .* must be at least 0"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 2\nfailure_rate = 1.5\n'
         'duration = {dist = "fixed", s = 1}', "'failure_rate' .* must be at most 1"),
        ('arrivals = "poisson"\nrate_per_s = "fast"\nend_s = 2\n'
         'duration = {dist = "fixed", s = 1}', "'rate_per_s' .* must be a number"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 2\nduration = {dist = "gamma"}',
         "'dist' .* must be one of"),
        ('arrivals = "bursty"\nbursts = [{at_s = 1, count = 2.5}]\n'
         'duration = {dist = "fixed", s = 1}', "'count' .* must be an integer"),
    ],
)
def test_bad_workload_values(tmp_path, workload, message):
    path = write(tmp_path, f'[[functions]]\nname = "a"\n[functions.workload]\n{workload}\n')
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_wrong_types_and_missing_parts(capsys, tmp_path):
    cases = {
        '[[functions]]\nname = "a"\nmemory_mb = 256.0\n': "Function.memory_mb must be an int",
        'seed = -1\n[[functions]]\nname = "a"\n': "'seed' in the top level must be at least 0",
        'routing = "random"\n[[functions]]\nname = "a"\n': "'routing'",
        'seed = 1\n': "missing [[functions]]",
        '[[functions]]\nmemory_mb = 256\n': "missing key 'name'",
        '[account]\nscaling = "fast"\n[[functions]]\nname = "a"\n': "Account.scaling",
    }
    for text, message in cases.items():
        path = write(tmp_path, text)
        assert main(["validate", str(path)]) == 1, text
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (text, err)


def test_toml_syntax_error(capsys, tmp_path):
    path = write(tmp_path, '[[functions]\nname = "a"\n')
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: TOML syntax error:") and "line 1" in err
    assert main(["run", str(path)]) == 1
    assert "TOML syntax error" in capsys.readouterr().err


def test_missing_file(capsys, tmp_path):
    assert main(["validate", str(tmp_path / "nope.toml")]) == 1
    assert "cannot read scenario file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [[], ["frobnicate"], ["run", "--seed", "abc"], ["run", "--seed", "-1"],
     ["run", "--until", "0"], ["validate"], ["run", "--bogus"]],
)
def test_usage_errors_exit_2(capsys, argv):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lambda-core {lc.__version__}"


# ---------------------------------------------------------------------------------------------
# The example file
# ---------------------------------------------------------------------------------------------


def test_example_validates_and_runs(capsys):
    assert main(["validate", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "ConcurrentExecutions 400" in out and "UnreservedConcurrentExecutions 300" in out

    summary = run_json(capsys, str(EXAMPLE))
    scenario = load_scenario(EXAMPLE)
    workload = scenario.generate()
    result = scenario.simulator().run(workload, until=scenario.until)
    assert summary["run"]["invocations_simulated"] == len(workload)
    assert [f["invocations"] for f in summary["functions"]] == result.functions[
        "invocations"
    ].tolist()
    assert summary["total"]["throttles_reserved"] > 0
    assert summary["total"]["throttles_unreserved"] > 0


# ---------------------------------------------------------------------------------------------
# The installed script
# ---------------------------------------------------------------------------------------------


def script() -> list[str]:
    found = shutil.which("lambda-core")
    if found is None:
        pytest.skip("the lambda-core script is not installed (pip install -e .)")
    return [found]


def test_installed_script(small):
    run = subprocess.run(
        [*script(), "run", str(small), "--json"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # not a TTY: no progress bar
    summary = json.loads(run.stdout)
    workload, result = direct_result(small)
    assert summary["run"]["invocations_simulated"] == len(workload)
    assert [f["throttles_reserved"] for f in summary["functions"]] == result.functions[
        "throttles_reserved"
    ].tolist()

    bad = small.with_name("bad.toml")
    bad.write_text('[[functions]]\nname = "a"\nreserved_concurrency = 950\n')
    run = subprocess.run([*script(), "validate", str(bad)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1
    assert run.stderr == f"InvalidParameterValueException: {RC_MIN_100}\n"

    run = subprocess.run([*script(), "run", "--nope"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2


def test_python_dash_m(small):
    run = subprocess.run([sys.executable, "-m", "lambda_core", "validate", str(EXAMPLE)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "UnreservedConcurrentExecutions 300" in run.stdout

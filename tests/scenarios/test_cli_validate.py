"""``lambda-core validate`` and the errors of scenario files: AWS's refusals, unknown keys (with a
suggestion), bad values and types, TOML syntax, missing files, usage errors."""

from __future__ import annotations

import pytest

import lambda_core as lc
from lambda_core._cli import main
from lambda_core.scenarios import (
    ScenarioError,
    load_scenario,
)
from tests.scenarios.cases import MEMORY_64, RC_MIN_100, write


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
        ('arrivals = "poisson"\nend_s = 5\nduration = {dist = "fixed", s = 1}',
         "missing key 'rate_per_s'"),
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

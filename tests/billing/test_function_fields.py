"""Function's architecture and tracing: defaults, what is accepted and stored, and AWS's
ValidationException texts for bad values (the architectures texts as recorded against AWS by
LocalStack's snapshot tests; the tracing mode in AWS's form for an enum member)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.errors import ValidationException
from lambda_core.scenarios import parse_scenario
from tests.support.aws import ge, item, raises_exact

ENUM = ("Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
        "Member must not be null]")


def one(text: str) -> str:
    return "1 validation error detected: " + text


def test_defaults_are_awss():
    f = lc.Function("f")
    assert (f.architecture, f.tracing) == ("x86_64", "PassThrough")
    fields = {x.name: x.default for x in dataclasses.fields(lc.Function)}
    assert (fields["architecture"], fields["tracing"]) == ("x86_64", "PassThrough")


@pytest.mark.parametrize("given, stored", [
    ("x86_64", "x86_64"), ("arm64", "arm64"), (["arm64"], "arm64"), (("x86_64",), "x86_64"),
])
def test_a_name_or_a_list_of_one_is_stored_as_the_name(given, stored):
    f = lc.Function("f", architecture=given)
    assert f.architecture == stored and type(f.architecture) is str
    assert f == lc.Function("f", architecture=stored) and hash(f) == hash(lc.Function("f", architecture=stored))


@pytest.mark.parametrize("mode", ["Active", "PassThrough"])
def test_tracing_modes(mode):
    assert lc.Function("f", tracing=mode).tracing == mode


def test_a_wrong_name_is_awss_recorded_text():
    # recorded against AWS: CreateFunction with Architectures=["X86_64"]
    expected = one("Value '[X86_64]' at 'architectures' failed to satisfy constraint: " + ENUM)
    with raises_exact(ValidationException, expected):
        lc.Function("f", architecture="X86_64")
    with raises_exact(ValidationException, expected):
        lc.Function("f", architecture=["X86_64"])


def test_two_architectures_is_awss_recorded_text():
    expected = one("Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: "
                   "Member must have length less than or equal to 1")
    with raises_exact(ValidationException, expected):
        lc.Function("f", architecture=["x86_64", "arm64"])


def test_no_architecture_is_the_lists_minimum_length():
    expected = one("Value '[]' at 'architectures' failed to satisfy constraint: "
                   "Member must have length greater than or equal to 1")
    with raises_exact(ValidationException, expected):
        lc.Function("f", architecture=[])


@pytest.mark.parametrize("mode", ["active", "ACTIVE", "Passthrough", "", "None"])
def test_a_wrong_tracing_mode(mode):
    expected = one(f"Value '{mode}' at 'tracingConfig.mode' failed to satisfy constraint: "
                   "Member must satisfy enum value set: [Active, PassThrough]")
    with raises_exact(ValidationException, expected):
        lc.Function("f", tracing=mode)


def test_they_come_last_among_every_error_at_once():
    expected = ("3 validation errors detected: "
                + item(1, "memorySize", ge(128)) + "; "
                + "Value '[arm]' at 'architectures' failed to satisfy constraint: " + ENUM + "; "
                + "Value 'On' at 'tracingConfig.mode' failed to satisfy constraint: "
                  "Member must satisfy enum value set: [Active, PassThrough]")
    with raises_exact(ValidationException, expected):
        lc.Function("f", memory_mb=1, architecture="arm", tracing="On")


@pytest.mark.parametrize("bad", [None, 64, b"arm64", np.str_("arm64").encode(), {"arm64"}, [1], ("arm64", None)])
def test_architecture_types(bad):
    with pytest.raises(TypeError, match="Function.architecture"):
        lc.Function("f", architecture=bad)


@pytest.mark.parametrize("bad", [None, True, 1, ["Active"]])
def test_tracing_types(bad):
    with pytest.raises(TypeError, match="Function.tracing"):
        lc.Function("f", tracing=bad)


def test_replace_checks_again():
    f = lc.Function("f", architecture="arm64", tracing="Active")
    assert dataclasses.replace(f, memory_mb=256).architecture == "arm64"
    with pytest.raises(ValidationException, match="tracingConfig.mode"):
        dataclasses.replace(f, tracing="Off")


def test_a_scenario_file_sets_them():
    text = '''
[[functions]]
name = "orders"
architecture = "arm64"
tracing = "Active"
'''
    scenario = parse_scenario(text)
    (f,) = scenario.functions
    assert (f.architecture, f.tracing) == ("arm64", "Active")
    with pytest.raises(ValidationException, match="architectures"):
        parse_scenario(text.replace('"arm64"', '"arm"'))

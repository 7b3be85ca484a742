"""Function's checks: AWS's field ranges on both sides of every boundary, names, several errors at
once, lambda_core's own checks, environment variables, Python types; AWS's exact messages."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle

import numpy as np
import pytest

from lambda_core._model import (
    FUNCTION_NAME_PATTERN,
    Function,
)
from lambda_core.errors import (
    InvalidParameterValueException,
    LambdaCoreError,
    ValidationException,
)
from tests.support.aws import ge, item, le, one, raises_exact
from tests.model.validation_cases import AWS_NAME_PATTERN, ENV_PREFIX, PC_ABOVE_RC


# ---------------------------------------------------------------------------------------------
# Function: AWS field ranges, both sides of every boundary
# ---------------------------------------------------------------------------------------------

# (python field, AWS field, low, high or None)
RANGES = [
    ("memory_mb", "memorySize", 128, 10240),
    ("timeout_s", "timeout", 1, 900),
    ("ephemeral_storage_mb", "ephemeralStorage.size", 512, 10240),
    ("reserved_concurrency", "reservedConcurrentExecutions", 0, None),
    ("provisioned_concurrency", "provisionedConcurrentExecutions", 1, None),
    ("max_retry_attempts", "maximumRetryAttempts", 0, 2),
    ("max_event_age_s", "maximumEventAgeInSeconds", 60, 21600),
]


@pytest.mark.parametrize("field,aws,low,high", RANGES, ids=[r[0] for r in RANGES])
def test_low_boundary_accepted(field, aws, low, high):
    f = Function("f", **{field: low})
    assert getattr(f, field) == low


@pytest.mark.parametrize("field,aws,low,high", RANGES, ids=[r[0] for r in RANGES])
def test_below_low_boundary_rejected(field, aws, low, high):
    with raises_exact(ValidationException, one(low - 1, aws, ge(low))):
        Function("f", **{field: low - 1})


HIGH = [r for r in RANGES if r[3] is not None]


@pytest.mark.parametrize("field,aws,low,high", HIGH, ids=[r[0] for r in HIGH])
def test_high_boundary_accepted(field, aws, low, high):
    f = Function("f", **{field: high})
    assert getattr(f, field) == high


@pytest.mark.parametrize("field,aws,low,high", HIGH, ids=[r[0] for r in HIGH])
def test_above_high_boundary_rejected(field, aws, low, high):
    with raises_exact(ValidationException, one(high + 1, aws, le(high))):
        Function("f", **{field: high + 1})


def test_unbounded_fields_accept_large_values():
    f = Function("f", reserved_concurrency=10**6, provisioned_concurrency=10**6)
    assert f.reserved_concurrency == f.provisioned_concurrency == 10**6


def test_memory_zero_is_the_model_example():
    expected = (
        "1 validation error detected: Value '0' at 'memorySize' failed to satisfy constraint: "
        "Member must have value greater than or equal to 128"
    )
    with raises_exact(ValidationException, expected):
        Function("f", memory_mb=0)


def test_provisioned_zero_is_the_model_example():
    expected = (
        "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1"
    )
    with raises_exact(ValidationException, expected):
        Function("f", provisioned_concurrency=0)


def test_validation_exception_is_a_value_error_with_aws_code():
    with pytest.raises(ValueError) as info:
        Function("f", memory_mb=1)
    assert isinstance(info.value, LambdaCoreError)
    assert info.value.code == "ValidationException"


# timeout takes floats: they are printed as given
@pytest.mark.parametrize(
    "timeout,shown,constraint",
    [(0.5, "0.5", ge(1)), (0.999, "0.999", ge(1)), (900.5, "900.5", le(900)), (0.0, "0.0", ge(1))],
)
def test_timeout_float_printed_as_given(timeout, shown, constraint):
    with raises_exact(ValidationException, one(shown, "timeout", constraint)):
        Function("f", timeout_s=timeout)


@pytest.mark.parametrize("timeout", [1.0, 1, 899.999, 900.0, np.float64(2.5), np.int32(7)])
def test_timeout_float_inside_range(timeout):
    assert Function("f", timeout_s=timeout).timeout_s == float(timeout)


def test_negative_values_printed_with_sign():
    with raises_exact(ValidationException, one(-1, "reservedConcurrentExecutions", ge(0))):
        Function("f", reserved_concurrency=-1)


# ---------------------------------------------------------------------------------------------
# Function name
# ---------------------------------------------------------------------------------------------


def test_name_pattern_text_is_aws():
    assert FUNCTION_NAME_PATTERN == AWS_NAME_PATTERN


@pytest.mark.parametrize("name", ["a", "f" * 64, "my-function_01", "A-Z_0-9", "-", "_"])
def test_valid_names(name):
    assert Function(name).name == name


def test_name_length_64_accepted_65_rejected():
    Function("a" * 64)
    name = "a" * 65
    with raises_exact(
        ValidationException, one(name, "functionName", "have length less than or equal to 64")
    ):
        Function(name)


@pytest.mark.parametrize(
    "name", ["my function", "f.py", "fn:alias", "arn:aws:lambda:us-east-1:123456789012:function:f", "é"]
)
def test_name_pattern_rejected(name):
    expected = one(name, "functionName", f"satisfy regular expression pattern: {AWS_NAME_PATTERN}")
    with raises_exact(ValidationException, expected):
        Function(name)


def test_empty_name_fails_pattern_and_length():
    expected = (
        "2 validation errors detected: "
        + item("", "functionName", f"satisfy regular expression pattern: {AWS_NAME_PATTERN}")
        + "; "
        + item("", "functionName", "have length greater than or equal to 1")
    )
    with raises_exact(ValidationException, expected):
        Function("")


def test_long_bad_name_fails_pattern_and_length():
    name = "a" * 64 + "!"
    expected = (
        "2 validation errors detected: "
        + item(name, "functionName", f"satisfy regular expression pattern: {AWS_NAME_PATTERN}")
        + "; "
        + item(name, "functionName", "have length less than or equal to 64")
    )
    with raises_exact(ValidationException, expected):
        Function(name)


# ---------------------------------------------------------------------------------------------
# Several errors in one ValidationException
# ---------------------------------------------------------------------------------------------


def test_two_errors_joined_with_semicolon():
    expected = (
        "2 validation errors detected: "
        + item(0, "memorySize", ge(128))
        + "; "
        + item(901, "timeout", le(900))
    )
    with raises_exact(ValidationException, expected):
        Function("f", memory_mb=0, timeout_s=901)


def test_every_field_wrong_at_once_in_field_order():
    expected = "8 validation errors detected: " + "; ".join(
        [
            item("bad name", "functionName", f"satisfy regular expression pattern: {AWS_NAME_PATTERN}"),
            item(10241, "memorySize", le(10240)),
            item(0.5, "timeout", ge(1)),
            item(-1, "reservedConcurrentExecutions", ge(0)),
            item(0, "provisionedConcurrentExecutions", ge(1)),
            item(3, "maximumRetryAttempts", le(2)),
            item(59, "maximumEventAgeInSeconds", ge(60)),
            item(511, "ephemeralStorage.size", ge(512)),
        ]
    )
    with raises_exact(ValidationException, expected):
        Function(
            "bad name",
            memory_mb=10241,
            timeout_s=0.5,
            reserved_concurrency=-1,
            provisioned_concurrency=0,
            max_retry_attempts=3,
            max_event_age_s=59,
            ephemeral_storage_mb=511,
        )


def test_range_errors_come_before_own_checks():
    # init_s is out of range too, but AWS's ValidationException is reported first
    with raises_exact(ValidationException, one(0, "memorySize", ge(128))):
        Function("f", memory_mb=0, init_s=11)


# ---------------------------------------------------------------------------------------------
# Function: lambda_core's own checks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("init_s", [0, 0.0, 10, 10.0, 3.25])
def test_init_inside_range(init_s):
    assert Function("f", init_s=init_s).init_s == init_s


@pytest.mark.parametrize("init_s", [-0.001, 10.001, 11])
def test_init_outside_range(init_s):
    with pytest.raises(InvalidParameterValueException) as info:
        Function("f", init_s=init_s)
    assert "init_s" in str(info.value) and repr(float(init_s)) in str(info.value)


@pytest.mark.parametrize("field", ["idle_timeout_s", "provisioned_ready_s"])
def test_non_negative_seconds(field):
    assert getattr(Function("f", **{field: 0}), field) == 0
    with pytest.raises(InvalidParameterValueException) as info:
        Function("f", **{field: -0.5})
    assert field in str(info.value) and "-0.5" in str(info.value)


@pytest.mark.parametrize("field", ["timeout_s", "init_s", "idle_timeout_s", "provisioned_ready_s"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_seconds(field, value):
    with pytest.raises(InvalidParameterValueException) as info:
        Function("f", **{field: value})
    assert field in str(info.value) and "finite" in str(info.value)


def test_idle_timeout_may_be_large():
    assert Function("f", idle_timeout_s=1e9).idle_timeout_s == 1e9


def test_provisioned_above_reserved_rejected():
    with raises_exact(InvalidParameterValueException, PC_ABOVE_RC):
        Function("f", reserved_concurrency=5, provisioned_concurrency=6)


def test_provisioned_equal_to_reserved_accepted():
    f = Function("f", reserved_concurrency=5, provisioned_concurrency=5)
    assert (f.reserved_concurrency, f.provisioned_concurrency) == (5, 5)


def test_provisioned_with_zero_reservation_rejected():
    with raises_exact(InvalidParameterValueException, PC_ABOVE_RC):
        Function("f", reserved_concurrency=0, provisioned_concurrency=1)


# ---------------------------------------------------------------------------------------------
# Environment variables
# ---------------------------------------------------------------------------------------------


def test_environment_exactly_4kb_accepted():
    env = {"KEY": "x" * (4096 - 3)}
    assert Function("f", environment=env).environment == env


def test_environment_over_4kb_rejected_with_aws_text():
    env = {"KEY": "x" * 4094}  # 3 + 4094 = 4097 bytes
    expected = ENV_PREFIX + '{"KEY":"' + "x" * 4094 + '"}'
    with raises_exact(InvalidParameterValueException, expected):
        Function("f", environment=env)


def test_environment_several_variables_compact_json():
    env = {"A": "a" * 2000, "B": "b" * 2000, "CCCC": "c" * 91}  # 4006 + 91 = 4097 bytes
    expected = ENV_PREFIX + json.dumps(env, separators=(",", ":"))
    assert '", "' not in expected and '": "' not in expected
    with raises_exact(InvalidParameterValueException, expected):
        Function("f", environment=env)
    env["CCCC"] = "c" * 90  # 4096 bytes
    Function("f", environment=env)


def test_environment_counts_utf8_bytes():
    # 'é' is 2 bytes: 1 + 2 × 2047 = 4095 ok, 1 + 2 × 2048 = 4097 too big
    Function("f", environment={"K": "é" * 2047})
    with pytest.raises(InvalidParameterValueException) as info:
        Function("f", environment={"K": "é" * 2048})
    assert str(info.value).startswith(ENV_PREFIX)


def test_environment_is_copied_and_compared():
    env = {"A": "1"}
    f = Function("f", environment=env)
    env["A"] = "2"
    assert f.environment == {"A": "1"}
    assert f == Function("f", environment={"A": "1"})
    assert f != Function("f", environment={"A": "2"})
    hash(f)  # environment is left out of the hash, so a Function is hashable


@pytest.mark.parametrize(
    "env,fragment",
    [
        ({1: "a"}, "keys must be str"),
        ({"A": 1}, "must be a str"),
        ({"A": None}, "must be a str"),
        ({b"A": "a"}, "keys must be str"),
        ([("A", "a")], "mapping"),
        ("A=a", "mapping"),
    ],
)
def test_environment_types(env, fragment):
    with pytest.raises(TypeError) as info:
        Function("f", environment=env)
    assert fragment in str(info.value)


# ---------------------------------------------------------------------------------------------
# Function: Python types
# ---------------------------------------------------------------------------------------------

INT_FIELDS = [
    "memory_mb",
    "reserved_concurrency",
    "provisioned_concurrency",
    "max_retry_attempts",
    "max_event_age_s",
    "ephemeral_storage_mb",
]
GOOD_INT = {
    "memory_mb": 256,
    "reserved_concurrency": 10,
    "provisioned_concurrency": 1,
    "max_retry_attempts": 1,
    "max_event_age_s": 100,
    "ephemeral_storage_mb": 1024,
}


@pytest.mark.parametrize("field", INT_FIELDS)
@pytest.mark.parametrize("bad", ["256", True, False, 256.0, np.float64(256), np.bool_(True), [1]])
def test_int_fields_reject_other_types(field, bad):
    with pytest.raises(TypeError) as info:
        Function("f", **{field: bad})
    assert field in str(info.value) and type(bad).__name__ in str(info.value)


@pytest.mark.parametrize("field", INT_FIELDS)
@pytest.mark.parametrize("kind", [int, np.int64, np.int32, np.uint16])
def test_int_fields_accept_numpy_integers_and_store_int(field, kind):
    f = Function("f", **{field: kind(GOOD_INT[field])})
    assert getattr(f, field) == GOOD_INT[field]
    assert type(getattr(f, field)) is int


@pytest.mark.parametrize("field", ["timeout_s", "init_s", "idle_timeout_s", "provisioned_ready_s"])
@pytest.mark.parametrize("bad", ["3", True, None, np.bool_(False), 1j])
def test_second_fields_reject_other_types(field, bad):
    with pytest.raises(TypeError) as info:
        Function("f", **{field: bad})
    assert field in str(info.value)


@pytest.mark.parametrize("field", ["timeout_s", "init_s", "idle_timeout_s", "provisioned_ready_s"])
def test_second_fields_stored_as_float(field):
    f = Function("f", **{field: np.int64(1)})
    assert type(getattr(f, field)) is float


@pytest.mark.parametrize("bad", [None, 1, b"f", np.int64(3)])
def test_name_must_be_str(bad):
    with pytest.raises(TypeError) as info:
        Function(bad)
    assert "name" in str(info.value)


def test_function_defaults_and_keyword_only():
    f = Function("f")
    assert (f.memory_mb, f.timeout_s, f.reserved_concurrency, f.provisioned_concurrency) == (
        128,
        3.0,
        None,
        None,
    )
    assert (f.init_s, f.idle_timeout_s, f.max_retry_attempts, f.max_event_age_s) == (
        0.5,
        600.0,
        2,
        21600,
    )
    assert (f.ephemeral_storage_mb, f.environment, f.provisioned_ready_s) == (512, None, 0.0)
    with pytest.raises(TypeError):
        Function("f", 256)  # type: ignore[misc]


def test_function_is_frozen_and_replace_revalidates():
    f = Function("f")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.memory_mb = 256  # type: ignore[misc]
    with raises_exact(ValidationException, one(1, "memorySize", ge(128))):
        dataclasses.replace(f, memory_mb=1)


def test_function_pickles():
    f = Function("f", environment={"A": "b"}, reserved_concurrency=3)
    assert pickle.loads(pickle.dumps(f)) == f

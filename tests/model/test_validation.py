"""Tests of lambda_core.config: every check, both sides of every range, AWS's exact messages."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_core.config import (
    FUNCTION_NAME_PATTERN,
    Account,
    Function,
    PoolPlan,
    plan_pools,
    put_function_concurrency,
    put_provisioned_concurrency_config,
)
from lambda_core.errors import (
    InvalidParameterValueException,
    LambdaCoreError,
    ResourceConflictException,
    ValidationException,
)
from tests.support.aws import ge, item, le, one, raises_exact
from tests.support.profiles import examples

# ---------------------------------------------------------------------------------------------
# AWS's texts, written out in full here (not imported) so that a change in config.py shows up
# ---------------------------------------------------------------------------------------------

RC_MIN = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [{}]."
)
PC_LIMIT = (
    "Specified ConcurrentExecutions for function is greater than account's unreserved "
    "concurrency [{}]."
)
PC_MIN = (
    "Specified ConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [{}]."
)
RC_BELOW_PC = (
    " ReservedConcurrentExecutions  {} should not be lower than function's total provisioned "
    "concurrency [{}]."
)
PC_ABOVE_RC = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)
ENV_PREFIX = (
    "Lambda was unable to configure your environment variables because the environment "
    "variables you have provided exceeded the 4KB limit. String measured: "
)
AWS_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)


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


# ---------------------------------------------------------------------------------------------
# Account
# ---------------------------------------------------------------------------------------------


def test_account_defaults():
    a = Account()
    assert a.concurrency_limit == 1000
    assert a.min_unreserved == 100
    assert a.scaling == "current"
    assert a.burst == 1000
    assert a.token_cost_us == 10_000
    assert a.refill_per_s == 100.0


def test_account_legacy():
    a = Account(scaling="legacy")
    assert a.burst == 3000
    assert a.token_cost_us == 120_000


@pytest.mark.parametrize("scaling", [None, "off"])
def test_account_scaling_off(scaling):
    a = Account(scaling=scaling, scaling_burst=5, scaling_refill_per_s=3.0)
    assert a.scaling is None
    assert a.burst == 0
    assert a.token_cost_us == 0


def test_account_scaling_overrides():
    a = Account(scaling_burst=500, scaling_refill_per_s=3.0)
    assert a.burst == 500
    assert a.token_cost_us == 333_333
    b = Account(scaling="legacy", scaling_burst=1000, scaling_refill_per_s=np.float64(500 / 60))
    assert (b.burst, b.token_cost_us) == (1000, 120_000)


@pytest.mark.parametrize("limit,minimum", [(1, 1), (10, 10), (50, 50), (100, 100), (101, 100), (1000, 100), (5000, 100)])
def test_min_unreserved_default(limit, minimum):
    assert Account(concurrency_limit=limit).min_unreserved == minimum


def test_min_unreserved_explicit():
    assert Account(unreserved_min=0).min_unreserved == 0
    assert Account(concurrency_limit=10, unreserved_min=3).min_unreserved == 3


def test_concurrency_limit_boundary():
    assert Account(concurrency_limit=1).concurrency_limit == 1
    with pytest.raises(InvalidParameterValueException) as info:
        Account(concurrency_limit=0)
    assert "concurrency_limit" in str(info.value) and "0" in str(info.value)


def test_unreserved_min_boundaries():
    Account(concurrency_limit=10, unreserved_min=0)
    Account(concurrency_limit=10, unreserved_min=10)
    for bad in (-1, 11):
        with pytest.raises(InvalidParameterValueException) as info:
            Account(concurrency_limit=10, unreserved_min=bad)
        assert "unreserved_min" in str(info.value) and str(bad) in str(info.value)


def test_scaling_burst_boundary():
    assert Account(scaling_burst=1).burst == 1
    with pytest.raises(InvalidParameterValueException) as info:
        Account(scaling_burst=0)
    assert "scaling_burst" in str(info.value)


@pytest.mark.parametrize("refill", [0, 0.0, -1.0, math.inf, math.nan])
def test_scaling_refill_must_be_positive_and_finite(refill):
    with pytest.raises(InvalidParameterValueException) as info:
        Account(scaling_refill_per_s=refill)
    assert "scaling_refill_per_s" in str(info.value)


def test_scaling_refill_small_and_fastest():
    assert Account(scaling_refill_per_s=1e-3).token_cost_us == 1_000_000_000
    assert Account(scaling_refill_per_s=1e6).token_cost_us == 1
    with pytest.raises(InvalidParameterValueException) as info:
        Account(scaling_refill_per_s=3e6)  # a token would cost 0.33 µs
    assert "scaling_refill_per_s" in str(info.value)


def test_scaling_bucket_must_fit_64_bits():
    with pytest.raises(InvalidParameterValueException):
        Account(scaling_burst=10**12, scaling_refill_per_s=1e-6)


def test_scaling_unknown_name():
    with pytest.raises(InvalidParameterValueException) as info:
        Account(scaling="fast")
    assert "'fast'" in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"concurrency_limit": "1000"},
        {"concurrency_limit": 1000.0},
        {"concurrency_limit": True},
        {"unreserved_min": 1.5},
        {"unreserved_min": False},
        {"scaling": 1},
        {"scaling_burst": 10.0},
        {"scaling_refill_per_s": "100"},
        {"scaling_refill_per_s": True},
    ],
)
def test_account_types(kwargs):
    with pytest.raises(TypeError) as info:
        Account(**kwargs)
    assert next(iter(kwargs)) in str(info.value)


def test_account_normalises_numpy():
    a = Account(concurrency_limit=np.int64(50), scaling_refill_per_s=np.int32(10))
    assert type(a.concurrency_limit) is int and type(a.scaling_refill_per_s) is float
    assert a.min_unreserved == 50


# ---------------------------------------------------------------------------------------------
# plan_pools: the seed's numbers
# ---------------------------------------------------------------------------------------------


def ten_functions(*reserved: int | None) -> list[Function]:
    reserved_list = list(reserved) + [None] * (10 - len(reserved))
    return [Function(f"fn{i}", reserved_concurrency=rc) for i, rc in enumerate(reserved_list)]


def test_seed_two_reservations_leave_700():
    plan = plan_pools(Account(), ten_functions(200, 100))
    assert plan.account_settings() == {
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 700,
    }
    assert plan == PoolPlan(concurrency_limit=1000, unreserved_capacity=700, min_unreserved=100)


def test_seed_900_reserved_accepted():
    plan = plan_pools(Account(), ten_functions(500, 400))
    assert plan.unreserved_capacity == 100
    plan = plan_pools(Account(), ten_functions(*[100] * 9))
    assert plan.unreserved_capacity == 100


def test_seed_901_reserved_rejected():
    with raises_exact(InvalidParameterValueException, RC_MIN.format(100)):
        plan_pools(Account(), ten_functions(500, 401))


def test_seed_limit_10_any_reservation_rejected():
    account = Account(concurrency_limit=10)
    with raises_exact(InvalidParameterValueException, RC_MIN.format(10)):
        plan_pools(account, [Function("a", reserved_concurrency=1)])


def test_seed_limit_50():
    account = Account(concurrency_limit=50)
    with raises_exact(InvalidParameterValueException, RC_MIN.format(50)):
        plan_pools(account, [Function("a", reserved_concurrency=1)])


def test_reservation_above_limit_rejected():
    account = Account(unreserved_min=0)
    assert plan_pools(account, [Function("a", reserved_concurrency=1000)]).unreserved_capacity == 0
    with raises_exact(InvalidParameterValueException, RC_MIN.format(0)):
        plan_pools(account, [Function("a", reserved_concurrency=1001)])


@pytest.mark.parametrize("limit", [1, 10, 50, 1000])
def test_zero_reservation_always_accepted(limit):
    account = Account(concurrency_limit=limit)
    functions = [Function(f"z{i}", reserved_concurrency=0) for i in range(5)]
    plan = plan_pools(account, functions)
    assert plan.unreserved_capacity == limit


def test_zero_reservation_accepted_when_pool_is_at_minimum():
    functions = [Function("a", reserved_concurrency=900), Function("b", reserved_concurrency=0)]
    assert plan_pools(Account(), functions).unreserved_capacity == 100


def test_empty_plan():
    plan = plan_pools(Account(concurrency_limit=7), [])
    assert plan.account_settings() == {"ConcurrentExecutions": 7, "UnreservedConcurrentExecutions": 7}
    assert plan.min_unreserved == 7


# ---------------------------------------------------------------------------------------------
# plan_pools: provisioned concurrency
# ---------------------------------------------------------------------------------------------


def test_provisioned_without_reservation_counts_against_account():
    plan = plan_pools(Account(), [Function("a", provisioned_concurrency=300), Function("b")])
    assert plan.unreserved_capacity == 700


def test_provisioned_inside_reservation_does_not_count_twice():
    f = Function("a", reserved_concurrency=300, provisioned_concurrency=300)
    assert plan_pools(Account(), [f]).unreserved_capacity == 700


def test_provisioned_to_the_minimum_accepted_one_more_rejected():
    assert (
        plan_pools(Account(), [Function("a", provisioned_concurrency=900)]).unreserved_capacity
        == 100
    )
    with raises_exact(InvalidParameterValueException, PC_MIN.format(100)):
        plan_pools(Account(), [Function("a", provisioned_concurrency=901)])


def test_provisioned_above_limit_message():
    with raises_exact(InvalidParameterValueException, PC_LIMIT.format(1000)):
        plan_pools(Account(), [Function("a", provisioned_concurrency=1001)])
    with raises_exact(InvalidParameterValueException, PC_LIMIT.format(10)):
        plan_pools(Account(concurrency_limit=10), [Function("a", provisioned_concurrency=11)])


def test_provisioned_at_limit_with_zero_minimum():
    account = Account(unreserved_min=0)
    assert plan_pools(account, [Function("a", provisioned_concurrency=1000)]).unreserved_capacity == 0


def test_provisioned_at_limit_below_minimum_message():
    # PC == L is not above L, so the minimum message applies
    with raises_exact(InvalidParameterValueException, PC_MIN.format(10)):
        plan_pools(Account(concurrency_limit=10), [Function("a", provisioned_concurrency=10)])


def test_provisioned_after_reservations_rejected():
    functions = [Function("a", reserved_concurrency=800), Function("b", provisioned_concurrency=101)]
    with raises_exact(InvalidParameterValueException, PC_MIN.format(100)):
        plan_pools(Account(), functions)


def test_reservation_after_provisioned_rejected():
    functions = [Function("a", provisioned_concurrency=800), Function("b", reserved_concurrency=101)]
    with raises_exact(InvalidParameterValueException, RC_MIN.format(100)):
        plan_pools(Account(), functions)


def test_first_breaking_function_raises_in_list_order():
    # both b (reserved) and c (provisioned) would break the pool; b comes first
    functions = [
        Function("a", reserved_concurrency=850),
        Function("b", reserved_concurrency=51),
        Function("c", provisioned_concurrency=1001),
    ]
    with raises_exact(InvalidParameterValueException, RC_MIN.format(100)):
        plan_pools(Account(), functions)
    with raises_exact(InvalidParameterValueException, PC_LIMIT.format(1000)):
        plan_pools(Account(), [functions[0], functions[2], functions[1]])


# ---------------------------------------------------------------------------------------------
# plan_pools: names and types
# ---------------------------------------------------------------------------------------------


def test_duplicate_names_rejected():
    with raises_exact(ResourceConflictException, "Function already exist: dup"):
        plan_pools(Account(), [Function("dup"), Function("other"), Function("dup")])


def test_duplicate_name_found_before_later_pool_error_in_list_order():
    functions = [Function("a"), Function("a"), Function("b", reserved_concurrency=5000)]
    with raises_exact(ResourceConflictException, "Function already exist: a"):
        plan_pools(Account(), functions)


def test_pool_error_before_later_duplicate_in_list_order():
    functions = [Function("a"), Function("b", reserved_concurrency=5000), Function("a")]
    with raises_exact(InvalidParameterValueException, RC_MIN.format(100)):
        plan_pools(Account(), functions)


def test_names_are_case_sensitive():
    plan_pools(Account(), [Function("a"), Function("A")])


def test_plan_pools_types():
    with pytest.raises(TypeError):
        plan_pools(None, [])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        plan_pools(Account(), [Function("a"), "b"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        plan_pools(Account(), "abc")  # type: ignore[arg-type]
    assert plan_pools(Account(), (Function("a"),)).unreserved_capacity == 1000


# ---------------------------------------------------------------------------------------------
# put_function_concurrency / put_provisioned_concurrency_config
# ---------------------------------------------------------------------------------------------


def test_put_function_concurrency_sets_reservation():
    f = Function("f")
    g = put_function_concurrency(f, 10)
    assert g.reserved_concurrency == 10 and f.reserved_concurrency is None
    assert put_function_concurrency(f, 0).reserved_concurrency == 0


def test_put_function_concurrency_below_provisioned():
    f = Function("f", provisioned_concurrency=5)
    assert put_function_concurrency(f, 5).reserved_concurrency == 5
    with raises_exact(InvalidParameterValueException, RC_BELOW_PC.format(4, 5)):
        put_function_concurrency(f, 4)


def test_put_function_concurrency_message_spacing():
    with pytest.raises(InvalidParameterValueException) as info:
        put_function_concurrency(Function("f", provisioned_concurrency=100), 0)
    assert str(info.value) == (
        " ReservedConcurrentExecutions  0 should not be lower than function's total "
        "provisioned concurrency [100]."
    )


def test_put_function_concurrency_negative():
    with raises_exact(ValidationException, one(-1, "reservedConcurrentExecutions", ge(0))):
        put_function_concurrency(Function("f"), -1)


@pytest.mark.parametrize("bad", [None, 1.0, True, "1"])
def test_put_function_concurrency_types(bad):
    with pytest.raises(TypeError):
        put_function_concurrency(Function("f"), bad)
    with pytest.raises(TypeError):
        put_function_concurrency("f", 1)  # type: ignore[arg-type]


def test_put_provisioned_concurrency_config_sets_pc():
    f = Function("f", reserved_concurrency=5)
    assert put_provisioned_concurrency_config(f, 5).provisioned_concurrency == 5
    assert put_provisioned_concurrency_config(Function("g"), 7).provisioned_concurrency == 7


def test_put_provisioned_concurrency_config_above_reserved():
    with raises_exact(InvalidParameterValueException, PC_ABOVE_RC):
        put_provisioned_concurrency_config(Function("f", reserved_concurrency=5), 6)


@pytest.mark.parametrize("n", [0, -3])
def test_put_provisioned_concurrency_config_below_one(n):
    with raises_exact(ValidationException, one(n, "provisionedConcurrentExecutions", ge(1))):
        put_provisioned_concurrency_config(Function("f"), n)


@pytest.mark.parametrize("bad", [None, 1.0, True, "1"])
def test_put_provisioned_concurrency_config_types(bad):
    with pytest.raises(TypeError):
        put_provisioned_concurrency_config(Function("f"), bad)


# ---------------------------------------------------------------------------------------------
# Property: plan_pools either raises or U ≥ MIN_U and U = L − ΣRC − ΣPC(no RC)
# ---------------------------------------------------------------------------------------------


@st.composite
def scenarios(draw):
    limit = draw(st.integers(min_value=1, max_value=400))
    unreserved_min = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=limit)))
    n = draw(st.integers(min_value=0, max_value=10))
    functions = []
    for i in range(n):
        rc = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=limit + 20)))
        if rc is None:
            pc = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=limit + 20)))
        elif rc == 0:
            pc = None
        else:
            pc = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=rc)))
        functions.append(Function(f"f{i}", reserved_concurrency=rc, provisioned_concurrency=pc))
    return Account(concurrency_limit=limit, unreserved_min=unreserved_min), functions


def reference(account: Account, functions: list[Function]) -> tuple[int | None, str | None]:
    """(U, None) on success, (None, message) on failure: the first function to cross MIN_U."""
    limit, minimum = account.concurrency_limit, account.min_unreserved
    u = limit
    for f in functions:
        rc, pc = f.reserved_concurrency, f.provisioned_concurrency
        if rc is not None:
            if rc > 0 and u - rc < minimum:
                return None, RC_MIN.format(minimum)
            if rc > 0:
                u -= rc
        elif pc is not None:
            if pc > limit:
                return None, PC_LIMIT.format(limit)
            if u - pc < minimum:
                return None, PC_MIN.format(minimum)
            u -= pc
    return u, None


@settings(max_examples=examples(400), deadline=None)
@given(scenarios())
def test_property_plan_pools(scenario):
    account, functions = scenario
    limit, minimum = account.concurrency_limit, account.min_unreserved
    total = (
        limit
        - sum(f.reserved_concurrency for f in functions if f.reserved_concurrency is not None)
        - sum(
            f.provisioned_concurrency
            for f in functions
            if f.reserved_concurrency is None and f.provisioned_concurrency is not None
        )
    )
    expected_u, expected_message = reference(account, functions)
    try:
        plan = plan_pools(account, functions)
    except InvalidParameterValueException as exc:
        # U only decreases, so a plan fails exactly when the whole set leaves U below MIN_U
        assert total < minimum
        assert str(exc) == expected_message
    else:
        assert plan.unreserved_capacity >= plan.min_unreserved == minimum
        assert plan.unreserved_capacity == total == expected_u
        assert plan.account_settings() == {
            "ConcurrentExecutions": limit,
            "UnreservedConcurrentExecutions": total,
        }

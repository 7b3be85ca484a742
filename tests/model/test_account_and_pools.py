"""Account's checks, plan_pools (the seed's numbers, provisioned concurrency, names and types),
put_function_concurrency and put_provisioned_concurrency_config, and a property of plan_pools."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_core._model import (
    Account,
    Function,
    PoolPlan,
    plan_pools,
    put_function_concurrency,
    put_provisioned_concurrency_config,
)
from lambda_core.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ValidationException,
)
from tests.support.aws import ge, one, raises_exact
from tests.support.profiles import examples
from tests.model.validation_cases import PC_ABOVE_RC, PC_LIMIT, PC_MIN, RC_BELOW_PC, RC_MIN


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
    # each of the two is accepted alone (10^12 tokens at 10 000 µs; 1000 tokens at 10^12 µs):
    # the refusal is for their product, 10^24 µs
    assert Account(scaling_burst=10**12).burst == 10**12
    assert Account(scaling_refill_per_s=1e-6).token_cost_us == 10**12
    with pytest.raises(InvalidParameterValueException, match=r"scaling_burst × token_cost_us=1000000000000000000000000 is above lambda_core's limit of "
                       "9223372036854775807 microseconds"):
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

"""The account's pools (docs/model.md §2): every function's reserved and provisioned concurrency
applied to an account one function after the other, as AWS would, and the single-function
verbs ``PutFunctionConcurrency`` and ``PutProvisionedConcurrencyConfig``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .. import _messages as msg
from .. import _validation as v
from ..errors import InvalidParameterValueException, ResourceConflictException
from .account import Account
from .function import Function

__all__ = ["PoolPlan", "plan_pools", "put_function_concurrency", "put_provisioned_concurrency_config"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PoolPlan:
    """The account's pools once every function's reservations are applied (docs/model.md §2)."""

    #: ``L``, the account's concurrency limit.
    concurrency_limit: int
    #: ``U = L − Σ RC (functions with RC) − Σ PC (functions without RC)``; always ``≥ MIN_U``.
    unreserved_capacity: int
    #: ``MIN_U``, the account's unreserved minimum.
    min_unreserved: int

    def account_settings(self) -> dict[str, int]:
        """The ``AccountLimit`` part of AWS's ``GetAccountSettings``.

        ``{"ConcurrentExecutions": L, "UnreservedConcurrentExecutions": U}``.
        """
        return {
            "ConcurrentExecutions": self.concurrency_limit,
            "UnreservedConcurrentExecutions": self.unreserved_capacity,
        }


def plan_pools(account: Account, functions: Sequence[Function]) -> PoolPlan:
    """Apply ``functions`` to ``account`` in list order, as AWS would, and return the pools.

    Each function is created (a name already used raises
    :class:`~lambda_core.errors.ResourceConflictException` ``Function already exist: NAME``),
    then its ``PutFunctionConcurrency`` is applied, then its
    ``PutProvisionedConcurrencyConfig``; the first call AWS would refuse raises
    :class:`~lambda_core.errors.InvalidParameterValueException` with AWS's text:

    * ``RC > L``, or ``RC`` leaving ``U < MIN_U`` (``RC = 0`` is always accepted);
    * ``PC > L`` for a function without a reservation;
    * ``PC`` of a function without a reservation leaving ``U < MIN_U``.
    """
    if not isinstance(account, Account):
        raise TypeError(f"plan_pools: account must be an Account, got {v.describe(account)}")
    if isinstance(functions, (str, bytes)) or not isinstance(functions, Sequence):
        raise TypeError(
            f"plan_pools: functions must be a sequence of Function, got {v.describe(functions)}"
        )
    limit = account.concurrency_limit
    minimum = account.min_unreserved
    unreserved = limit
    names: set[str] = set()
    for function in functions:
        if not isinstance(function, Function):
            raise TypeError(
                f"plan_pools: functions must hold Function objects, got {v.describe(function)}"
            )
        # CreateFunction
        if function.name in names:
            raise ResourceConflictException(msg.duplicate_function(function.name))
        names.add(function.name)
        rc, pc = function.reserved_concurrency, function.provisioned_concurrency
        # PutFunctionConcurrency
        if rc is not None and rc > 0:
            if rc > limit or unreserved - rc < minimum:
                raise InvalidParameterValueException(msg.rc_below_minimum(minimum))
            unreserved -= rc
        # PutProvisionedConcurrencyConfig
        if pc is not None:
            if rc is not None:
                if pc > rc:  # unreachable: Function already refuses it
                    raise InvalidParameterValueException(msg.PC_ABOVE_RC)
            elif pc > limit:
                raise InvalidParameterValueException(msg.pc_above_limit(limit))
            elif unreserved - pc < minimum:
                raise InvalidParameterValueException(msg.pc_below_minimum(minimum))
            else:
                unreserved -= pc
    return PoolPlan(
        concurrency_limit=limit, unreserved_capacity=unreserved, min_unreserved=minimum
    )


def put_function_concurrency(function: Function, reserved: int) -> Function:
    """AWS ``PutFunctionConcurrency`` on one function: a copy with ``reserved_concurrency``.

    A negative value raises AWS's :class:`~lambda_core.errors.ValidationException`; a value below
    the function's provisioned concurrency raises
    :class:`~lambda_core.errors.InvalidParameterValueException`
    `` ReservedConcurrentExecutions  RC should not be lower than function's total provisioned
    concurrency [PC].`` (AWS's spacing). Account pools are checked by :func:`plan_pools`.
    """
    if not isinstance(function, Function):
        raise TypeError(
            f"put_function_concurrency: function must be a Function, got {v.describe(function)}"
        )
    value = v.require_int("put_function_concurrency", "reserved", reserved)
    v.raise_items(v.range_item(value, str(value), "reservedConcurrentExecutions", 0, None))
    pc = function.provisioned_concurrency
    if pc is not None and value < pc:
        raise InvalidParameterValueException(msg.rc_below_pc(value, pc))
    return dataclasses.replace(function, reserved_concurrency=value)


def put_provisioned_concurrency_config(function: Function, n: int) -> Function:
    """AWS ``PutProvisionedConcurrencyConfig`` on one function: a copy with ``provisioned_concurrency``.

    ``n < 1`` raises AWS's :class:`~lambda_core.errors.ValidationException`
    (``Value '0' at 'provisionedConcurrentExecutions' ...``); ``n`` above the function's
    reserved concurrency raises :class:`~lambda_core.errors.InvalidParameterValueException`
    ``Requested Provisioned Concurrency should not be greater than the
    reservedConcurrentExecution for function``. Account pools are checked by :func:`plan_pools`.
    """
    if not isinstance(function, Function):
        raise TypeError(
            "put_provisioned_concurrency_config: function must be a Function, "
            f"got {v.describe(function)}"
        )
    value = v.require_int("put_provisioned_concurrency_config", "n", n)
    v.raise_items(v.range_item(value, str(value), "provisionedConcurrentExecutions", 1, None))
    rc = function.reserved_concurrency
    if rc is not None and value > rc:
        raise InvalidParameterValueException(msg.PC_ABOVE_RC)
    return dataclasses.replace(function, provisioned_concurrency=value)

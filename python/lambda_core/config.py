"""Configuration of a simulated account and its functions, validated the way AWS validates them.

Three kinds of objects live here:

* :class:`Account` — the Region-wide concurrency limit, the unreserved minimum and the
  scaling-rate bucket (MODEL.md §2 and §4);
* :class:`Function` — one function's configuration (MODEL.md §9), checked field by field in
  ``__post_init__``;
* :func:`plan_pools` — applies every function's reserved and provisioned concurrency to an
  account, one function after the other as AWS would, and returns the :class:`PoolPlan`.

Every check raises the exception AWS would raise, with AWS's exact text (MODEL.md §2, "Validation
messages"). Checks that AWS does not have (the account's own parameters, ``init_s``,
``idle_timeout_s``, ``provisioned_ready_s``, non-finite numbers) raise
:class:`~lambda_core.errors.InvalidParameterValueException` with a message naming the parameter and
its value. A value of the wrong Python type raises :class:`TypeError`. ``docs/validation.md``
lists every check.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lambda_core.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ValidationException,
)

__all__ = [
    "Account",
    "Function",
    "PoolPlan",
    "RetryPolicy",
    "plan_pools",
    "put_function_concurrency",
    "put_provisioned_concurrency_config",
    "FUNCTION_NAME_PATTERN",
    "FUNCTION_NAME_MAX_LENGTH",
    "ENVIRONMENT_LIMIT_BYTES",
    "INIT_LIMIT_S",
]

#: AWS's function-name pattern, as AWS prints it in its ``ValidationException``.
#: lambda_core accepts only the bare-name part of it (``[a-zA-Z0-9-_]+``): no ARNs, no qualifiers.
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_BARE_NAME = re.compile(r"[A-Za-z0-9_-]+")

#: Longest function name accepted (characters).
FUNCTION_NAME_MAX_LENGTH = 64

#: AWS's limit on a function's environment variables: keys + values, in UTF-8 bytes (MODEL.md §9).
ENVIRONMENT_LIMIT_BYTES = 4096

#: Longest init phase of an on-demand environment, in seconds (MODEL.md §9).
INIT_LIMIT_S = 10.0

# Scaling-rate defaults (MODEL.md §4): bucket capacity and refill rate (tokens per second).
_SCALING_DEFAULTS: dict[str, tuple[int, float]] = {
    "current": (1000, 100.0),
    "legacy": (3000, 500.0 / 60.0),
}
# A bucket holds capacity × cost microseconds of refill; the engine keeps it in a 64-bit integer.
_BUCKET_MAX_US = 2**63 - 1

# Function fields in the order their AWS validation errors are listed: (python name, AWS name).
_AWS_FIELD = {
    "name": "functionName",
    "memory_mb": "memorySize",
    "timeout_s": "timeout",
    "reserved_concurrency": "reservedConcurrentExecutions",
    "provisioned_concurrency": "provisionedConcurrentExecutions",
    "max_retry_attempts": "maximumRetryAttempts",
    "max_event_age_s": "maximumEventAgeInSeconds",
    "ephemeral_storage_mb": "ephemeralStorage.size",
}


# --------------------------------------------------------------------------------------------
# AWS's messages
# --------------------------------------------------------------------------------------------


def _constraint(value: str, field: str, constraint: str) -> str:
    """One item of an AWS ValidationException: ``Value 'V' at 'field' failed to satisfy ...``."""
    return f"Value '{value}' at '{field}' failed to satisfy constraint: Member must {constraint}"


def _validation_message(items: Sequence[str]) -> str:
    """AWS's ValidationException text for one or more items, joined with ``"; "``."""
    n = len(items)
    noun = "validation error" if n == 1 else "validation errors"
    return f"{n} {noun} detected: " + "; ".join(items)


def _rc_below_minimum_message(min_unreserved: int) -> str:
    return (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        f"UnreservedConcurrentExecution below its minimum value of [{min_unreserved}]."
    )


def _pc_above_limit_message(limit: int) -> str:
    return (
        "Specified ConcurrentExecutions for function is greater than account's unreserved "
        f"concurrency [{limit}]."
    )


def _pc_below_minimum_message(min_unreserved: int) -> str:
    return (
        "Specified ConcurrentExecutions for function decreases account's "
        f"UnreservedConcurrentExecution below its minimum value of [{min_unreserved}]."
    )


def _rc_below_pc_message(reserved: int, provisioned: int) -> str:
    # The leading space and the double space are AWS's own (MODEL.md §2).
    return (
        f" ReservedConcurrentExecutions  {reserved} should not be lower than function's total "
        f"provisioned concurrency [{provisioned}]."
    )


_SELF_DESTINATION_MESSAGE = "You can't specify the function as a destination for itself."
_PC_ABOVE_RC_MESSAGE = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)


def _environment_message(environment: Mapping[str, str]) -> str:
    measured = json.dumps(dict(environment), separators=(",", ":"))
    return (
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided exceeded the 4KB limit. String measured: " + measured
    )


def _duplicate_message(name: str) -> str:
    return f"Function already exist: {name}"


# --------------------------------------------------------------------------------------------
# Type checks and value formatting
# --------------------------------------------------------------------------------------------


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_integer(value: Any) -> bool:
    """Python ints and numpy integers; never bools."""
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def _is_real(value: Any) -> bool:
    """Python/numpy ints and floats; never bools."""
    return isinstance(value, numbers.Real) and not _is_bool(value)


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _require_int(owner: str, field: str, value: Any, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not _is_integer(value):
        kind = "an int or None" if optional else "an int"
        raise TypeError(f"{owner}.{field} must be {kind}, got {_describe(value)}")
    return int(value)


def _require_real(owner: str, field: str, value: Any, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if not _is_real(value):
        kind = "a number (int or float) or None" if optional else "a number (int or float)"
        raise TypeError(f"{owner}.{field} must be {kind}, got {_describe(value)}")
    return float(value)


def _aws_value(value: Any) -> str:
    """A number as AWS would print it: ints as ints, floats as given (``0.5``, ``0.0``)."""
    if _is_integer(value):
        return str(int(value))
    if _is_real(value):
        return repr(float(value))
    return str(value)


def _require_finite(owner: str, field: str, value: float) -> None:
    if not math.isfinite(value):
        raise InvalidParameterValueException(
            f"{owner}.{field} must be a finite number of seconds, got {value!r}"
        )


# --------------------------------------------------------------------------------------------
# Account
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Account:
    """An AWS account in one Region: its concurrency limit, unreserved minimum and scaling rate.

    ``scaling`` chooses the scaling-rate bucket of MODEL.md §4: ``"current"`` (per function,
    1000 tokens refilled at 100 per second, the default), ``"legacy"`` (one account-wide bucket of
    3000 refilled at 500 per minute) or ``None`` (no rate limit; ``"off"`` is accepted as an alias
    and stored as ``None``). ``scaling_burst`` and ``scaling_refill_per_s`` override the bucket's
    capacity and refill rate.

    Raises :class:`TypeError` for a value of the wrong type and
    :class:`~lambda_core.errors.InvalidParameterValueException` for a value out of range.
    """

    #: ``L``, AWS's ``ConcurrentExecutions``: the account's concurrency limit (≥ 1).
    concurrency_limit: int = 1000
    #: ``MIN_U``, the least unreserved concurrency a reservation may leave (0..L);
    #: ``None`` means ``min(100, L)``.
    unreserved_min: int | None = None
    #: ``"current"``, ``"legacy"`` or ``None`` (``"off"`` is stored as ``None``).
    scaling: str | None = "current"
    #: Capacity of the scaling-rate bucket in tokens (≥ 1); ``None`` for the mode's default.
    scaling_burst: int | None = None
    #: Refill rate of the bucket in tokens per second (> 0, finite); ``None`` for the default.
    scaling_refill_per_s: float | None = None

    def __post_init__(self) -> None:
        limit = _require_int("Account", "concurrency_limit", self.concurrency_limit)
        unreserved_min = _require_int(
            "Account", "unreserved_min", self.unreserved_min, optional=True
        )
        burst = _require_int("Account", "scaling_burst", self.scaling_burst, optional=True)
        refill = _require_real(
            "Account", "scaling_refill_per_s", self.scaling_refill_per_s, optional=True
        )
        scaling = self.scaling
        if scaling is not None and not isinstance(scaling, str):
            raise TypeError(
                "Account.scaling must be 'current', 'legacy', 'off' or None, "
                f"got {_describe(scaling)}"
            )
        if scaling == "off":
            scaling = None
        if scaling is not None and scaling not in _SCALING_DEFAULTS:
            raise InvalidParameterValueException(
                "Account.scaling must be 'current', 'legacy', 'off' or None, "
                f"got {scaling!r}"
            )

        assert limit is not None
        if limit < 1:
            raise InvalidParameterValueException(
                f"Account.concurrency_limit must be at least 1, got {limit}"
            )
        if unreserved_min is not None and not 0 <= unreserved_min <= limit:
            raise InvalidParameterValueException(
                "Account.unreserved_min must be between 0 and concurrency_limit "
                f"({limit}), got {unreserved_min}"
            )
        if burst is not None and burst < 1:
            raise InvalidParameterValueException(
                f"Account.scaling_burst must be at least 1, got {burst}"
            )
        if refill is not None and not (math.isfinite(refill) and refill > 0):
            raise InvalidParameterValueException(
                "Account.scaling_refill_per_s must be a finite number greater than 0, "
                f"got {refill!r}"
            )

        object.__setattr__(self, "concurrency_limit", limit)
        object.__setattr__(self, "unreserved_min", unreserved_min)
        object.__setattr__(self, "scaling", scaling)
        object.__setattr__(self, "scaling_burst", burst)
        object.__setattr__(self, "scaling_refill_per_s", refill)

        if scaling is not None:
            cost = self.token_cost_us
            if cost < 1:
                raise InvalidParameterValueException(
                    f"Account.scaling_refill_per_s is too fast: {refill!r} tokens per second "
                    "makes a token cost less than 1 microsecond of refill "
                    "(the most is 2000000 per second)"
                )
            if self.burst * cost > _BUCKET_MAX_US:
                raise InvalidParameterValueException(
                    f"Account scaling bucket is too large: scaling_burst {self.burst} × "
                    f"{cost} µs per token does not fit in a signed 64-bit integer"
                )

    @property
    def min_unreserved(self) -> int:
        """``MIN_U``: ``unreserved_min`` when given, else ``min(100, concurrency_limit)``."""
        if self.unreserved_min is not None:
            return self.unreserved_min
        return min(100, self.concurrency_limit)

    @property
    def burst(self) -> int:
        """Capacity of the scaling-rate bucket in tokens (1000 current, 3000 legacy, 0 when off)."""
        if self.scaling is None:
            return 0
        if self.scaling_burst is not None:
            return self.scaling_burst
        return _SCALING_DEFAULTS[self.scaling][0]

    @property
    def refill_per_s(self) -> float:
        """Refill rate of the bucket in tokens per second (100 current, 500/60 legacy, 0 when off)."""
        if self.scaling is None:
            return 0.0
        if self.scaling_refill_per_s is not None:
            return self.scaling_refill_per_s
        return _SCALING_DEFAULTS[self.scaling][1]

    @property
    def token_cost_us(self) -> int:
        """Microseconds of refill one token costs: ``round(1e6 / refill)``; 0 when scaling is off.

        10 000 for ``"current"``, 120 000 for ``"legacy"`` (MODEL.md §4).
        """
        if self.scaling is None:
            return 0
        return round(1e6 / self.refill_per_s)


# --------------------------------------------------------------------------------------------
# Function
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Function:
    """One Lambda function's configuration (MODEL.md §9), validated on construction.

    Only ``name`` is positional. Checks, in this order:

    1. wrong Python types → :class:`TypeError` (whole-number fields take ``int`` or numpy
       integers, never ``bool`` or ``float``; second fields take ints or floats);
    2. a non-finite ``timeout_s``, ``init_s``, ``idle_timeout_s`` or ``provisioned_ready_s``
       → :class:`~lambda_core.errors.InvalidParameterValueException`;
    3. every AWS field range at once → one :class:`~lambda_core.errors.ValidationException` in
       AWS's form (``2 validation errors detected: Value ...; Value ...``);
    4. lambda_core's own ranges (``init_s`` 0–10, ``idle_timeout_s`` ≥ 0,
       ``provisioned_ready_s`` ≥ 0), the 4 KB environment limit and provisioned > reserved
       → :class:`~lambda_core.errors.InvalidParameterValueException`.
    """

    #: Function name: 1–64 characters of ``[a-zA-Z0-9-_]``.
    name: str
    _: dataclasses.KW_ONLY
    #: Memory in MB, 128–10240.
    memory_mb: int = 128
    #: Handler timeout in seconds, 1–900.
    timeout_s: float = 3
    #: Reserved concurrency ``RC`` (≥ 0), or ``None`` for no reservation.
    reserved_concurrency: int | None = None
    #: Provisioned concurrency ``PC`` (≥ 1, ≤ ``RC`` when reserved), or ``None``.
    provisioned_concurrency: int | None = None
    #: Init duration of a cold start in seconds, 0–10.
    init_s: float = 0.5
    #: Idle environments are reclaimed after this many seconds (≥ 0).
    idle_timeout_s: float = 600
    #: Asynchronous retries, 0–2.
    max_retry_attempts: int = 2
    #: Asynchronous maximum event age in seconds, 60–21600.
    max_event_age_s: int = 21600
    #: /tmp size in MB, 512–10240.
    ephemeral_storage_mb: int = 512
    #: Environment variables (str → str), at most 4 KB of keys + values in UTF-8; stored as a
    #: ``dict`` copy. Not part of the hash.
    environment: Mapping[str, str] | None = dataclasses.field(default=None, hash=False)
    #: Provisioned environments become ready this many seconds after the run starts (≥ 0).
    provisioned_ready_s: float = 0.0
    #: Asynchronous results (MODEL.md §6): where a record of each successful event goes, and
    #: where each dropped one goes (on-failure destination, dead-letter queue; both when both
    #: are set). Names of targets: queues, topics, buses or other functions. Records are
    #: collected per target in ``Result.destinations``; a function named as a target is not
    #: invoked.
    on_success: str | None = None
    on_failure: str | None = None
    dead_letter_queue: str | None = None

    def __post_init__(self) -> None:
        # 1. types (and normalisation to plain int / float)
        if not isinstance(self.name, str):
            raise TypeError(f"Function.name must be a str, got {_describe(self.name)}")
        ints = {
            f: _require_int("Function", f, getattr(self, f), optional=f.endswith("_concurrency"))
            for f in (
                "memory_mb",
                "reserved_concurrency",
                "provisioned_concurrency",
                "max_retry_attempts",
                "max_event_age_s",
                "ephemeral_storage_mb",
            )
        }
        floats = {
            f: _require_real("Function", f, getattr(self, f))
            for f in ("timeout_s", "init_s", "idle_timeout_s", "provisioned_ready_s")
        }
        environment = _check_environment(self.environment)
        for f in ("on_success", "on_failure", "dead_letter_queue"):
            target = getattr(self, f)
            if target is not None and (not isinstance(target, str) or not target):
                raise TypeError(
                    f"Function.{f} must be a non-empty str (a target's name) or None, got {_describe(target)}"
                )

        # 2. non-finite seconds (no AWS request can carry them)
        for f in ("timeout_s", "init_s", "idle_timeout_s", "provisioned_ready_s"):
            value = floats[f]
            assert value is not None
            _require_finite("Function", f, value)

        # 3. AWS's field ranges, all at once
        items = _name_errors(self.name)
        raw = {f: getattr(self, f) for f in (*ints, *floats)}

        def check(field: str, low: float | None, high: float | None) -> None:
            value = ints[field] if field in ints else floats[field]
            if value is None:
                return
            shown = _aws_value(raw[field])
            if low is not None and value < low:
                items.append(
                    _constraint(
                        shown, _AWS_FIELD[field], f"have value greater than or equal to {low}"
                    )
                )
            elif high is not None and value > high:
                items.append(
                    _constraint(
                        shown, _AWS_FIELD[field], f"have value less than or equal to {high}"
                    )
                )

        check("memory_mb", 128, 10240)
        check("timeout_s", 1, 900)
        check("reserved_concurrency", 0, None)
        check("provisioned_concurrency", 1, None)
        check("max_retry_attempts", 0, 2)
        check("max_event_age_s", 60, 21600)
        check("ephemeral_storage_mb", 512, 10240)
        if items:
            raise ValidationException(_validation_message(items))

        # 4. lambda_core's own ranges, then AWS's service-side checks
        init_s = floats["init_s"]
        assert init_s is not None
        if not 0 <= init_s <= INIT_LIMIT_S:
            raise InvalidParameterValueException(
                f"Function.init_s must be between 0 and {INIT_LIMIT_S:g} seconds "
                f"(the init phase limit), got {init_s!r}"
            )
        for f in ("idle_timeout_s", "provisioned_ready_s"):
            value = floats[f]
            assert value is not None
            if value < 0:
                raise InvalidParameterValueException(
                    f"Function.{f} must be at least 0 seconds, got {value!r}"
                )
        if environment is not None and _environment_size(environment) > ENVIRONMENT_LIMIT_BYTES:
            raise InvalidParameterValueException(_environment_message(environment))
        rc, pc = ints["reserved_concurrency"], ints["provisioned_concurrency"]
        if rc is not None and pc is not None and pc > rc:
            raise InvalidParameterValueException(_PC_ABOVE_RC_MESSAGE)
        if self.name in (self.on_success, self.on_failure):
            raise InvalidParameterValueException(_SELF_DESTINATION_MESSAGE)

        for f, v in ints.items():
            object.__setattr__(self, f, v)
        for f, v in floats.items():
            object.__setattr__(self, f, v)
        object.__setattr__(self, "environment", environment)


def _name_errors(name: str) -> list[str]:
    """AWS's ValidationException items for a bad function name (pattern first, then length)."""
    items = []
    if not _BARE_NAME.fullmatch(name):
        items.append(
            _constraint(
                name, "functionName", f"satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}"
            )
        )
    if len(name) < 1:
        items.append(
            _constraint(name, "functionName", "have length greater than or equal to 1")
        )
    elif len(name) > FUNCTION_NAME_MAX_LENGTH:
        items.append(
            _constraint(
                name,
                "functionName",
                f"have length less than or equal to {FUNCTION_NAME_MAX_LENGTH}",
            )
        )
    return items


def _check_environment(environment: Any) -> dict[str, str] | None:
    if environment is None:
        return None
    if not isinstance(environment, Mapping):
        raise TypeError(
            f"Function.environment must be a mapping of str to str or None, "
            f"got {_describe(environment)}"
        )
    copy: dict[str, str] = {}
    for key, value in environment.items():
        if not isinstance(key, str):
            raise TypeError(
                f"Function.environment keys must be str, got {_describe(key)}"
            )
        if not isinstance(value, str):
            raise TypeError(
                f"Function.environment[{key!r}] must be a str, got {_describe(value)}"
            )
        copy[key] = value
    return copy


def _environment_size(environment: Mapping[str, str]) -> int:
    """Keys + values in UTF-8 bytes (MODEL.md §9)."""
    return sum(
        len(k.encode("utf-8", "surrogatepass")) + len(v.encode("utf-8", "surrogatepass"))
        for k, v in environment.items()
    )


# --------------------------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class PoolPlan:
    """The account's pools once every function's reservations are applied (MODEL.md §2)."""

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
        raise TypeError(f"plan_pools: account must be an Account, got {_describe(account)}")
    if isinstance(functions, (str, bytes)) or not isinstance(functions, Sequence):
        raise TypeError(
            f"plan_pools: functions must be a sequence of Function, got {_describe(functions)}"
        )
    limit = account.concurrency_limit
    minimum = account.min_unreserved
    unreserved = limit
    names: set[str] = set()
    for function in functions:
        if not isinstance(function, Function):
            raise TypeError(
                f"plan_pools: functions must hold Function objects, got {_describe(function)}"
            )
        # CreateFunction
        if function.name in names:
            raise ResourceConflictException(_duplicate_message(function.name))
        names.add(function.name)
        rc, pc = function.reserved_concurrency, function.provisioned_concurrency
        # PutFunctionConcurrency
        if rc is not None and rc > 0:
            if rc > limit or unreserved - rc < minimum:
                raise InvalidParameterValueException(_rc_below_minimum_message(minimum))
            unreserved -= rc
        # PutProvisionedConcurrencyConfig
        if pc is not None:
            if rc is not None:
                if pc > rc:  # unreachable: Function already refuses it
                    raise InvalidParameterValueException(_PC_ABOVE_RC_MESSAGE)
            elif pc > limit:
                raise InvalidParameterValueException(_pc_above_limit_message(limit))
            elif unreserved - pc < minimum:
                raise InvalidParameterValueException(_pc_below_minimum_message(minimum))
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
            f"put_function_concurrency: function must be a Function, got {_describe(function)}"
        )
    value = _require_int("put_function_concurrency", "reserved", reserved)
    assert value is not None
    if value < 0:
        raise ValidationException(
            _validation_message(
                [
                    _constraint(
                        str(value),
                        "reservedConcurrentExecutions",
                        "have value greater than or equal to 0",
                    )
                ]
            )
        )
    pc = function.provisioned_concurrency
    if pc is not None and value < pc:
        raise InvalidParameterValueException(_rc_below_pc_message(value, pc))
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
            f"got {_describe(function)}"
        )
    value = _require_int("put_provisioned_concurrency_config", "n", n)
    assert value is not None
    if value < 1:
        raise ValidationException(
            _validation_message(
                [
                    _constraint(
                        str(value),
                        "provisionedConcurrentExecutions",
                        "have value greater than or equal to 1",
                    )
                ]
            )
        )
    rc = function.reserved_concurrency
    if rc is not None and value > rc:
        raise InvalidParameterValueException(_PC_ABOVE_RC_MESSAGE)
    return dataclasses.replace(function, provisioned_concurrency=value)


# --------------------------------------------------------------------------------------------
# Client-side retries
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How synchronous callers retry a throttled invocation (off unless given to the Simulator).

    The defaults are the AWS SDKs' *standard* retry mode: three attempts in all, and before
    retry ``i`` a wait drawn uniformly from ``[0, min(base_s × 2^(i−1), cap_s))`` ("full
    jitter", base 1 s, cap 20 s; the AWS SDKs and Tools Reference Guide, *Retry behavior*, and
    botocore's ``retries/standard.py``). Only throttles are retried: a function error comes
    back to the caller as a successful API call. The SDKs' retry quota is not modelled. Draws
    come from the simulator's seeded stream, so runs stay reproducible.
    """

    max_attempts: int = 3
    base_s: float = 1.0
    cap_s: float = 20.0

    def __post_init__(self) -> None:
        attempts = _require_int("RetryPolicy", "max_attempts", self.max_attempts, optional=False)
        base = _require_real("RetryPolicy", "base_s", self.base_s)
        cap = _require_real("RetryPolicy", "cap_s", self.cap_s)
        assert attempts is not None and base is not None and cap is not None
        _require_finite("RetryPolicy", "base_s", base)
        _require_finite("RetryPolicy", "cap_s", cap)
        if not 1 <= attempts <= 10_000:
            raise InvalidParameterValueException(
                f"RetryPolicy.max_attempts must be between 1 and 10000, got {attempts}"
            )
        if not 0 <= base <= cap <= 86400:
            raise InvalidParameterValueException(
                f"RetryPolicy needs 0 <= base_s <= cap_s <= 86400, got base_s={base!r}, cap_s={cap!r}"
            )
        object.__setattr__(self, "max_attempts", attempts)

    @classmethod
    def standard(cls) -> RetryPolicy:
        """The AWS SDKs' standard mode (the defaults)."""
        return cls()

"""The account: its Region-wide concurrency limit, unreserved minimum and scaling-rate bucket
(docs/model.md §2 and §4). None of these are AWS API parameters, so every range check is
lambda_core's own (:class:`~lambda_core.errors.InvalidParameterValueException` naming the
parameter and its value), and those that are the engine's limits (32-bit concurrency, a
bucket of positive burst and token cost in 64 bits) raise its subclass
:class:`~lambda_core.errors.EngineLimitError`, with the numbers of ``_core.LIMITS``."""

from __future__ import annotations

import dataclasses
import math

from .. import _validation as v
from ..errors import EngineLimitError, InvalidParameterValueException
from ._frozen import assign
from .vpc import (
    ENI_INIT_S_DEFAULT,
    ENI_QUOTA_DEFAULT,
    ENI_READY_S_DEFAULT,
    INACTIVE_AFTER_S_DEFAULT,
    VPC_NETWORKING,
)

__all__ = ["Account", "SCALING_DEFAULTS", "REQUESTS_PER_SECOND_PER_CONCURRENCY"]

#: The request-rate limit (docs/model.md §14): requests per second per unit of concurrency, of
#: the account's limit and of each reservation.
REQUESTS_PER_SECOND_PER_CONCURRENCY = 10

#: Scaling-rate defaults (docs/model.md §4): bucket capacity and refill rate (tokens per second).
SCALING_DEFAULTS: dict[str, tuple[int, float]] = {
    "current": (1000, 100.0),
    "legacy": (3000, 500.0 / 60.0),
}


@dataclasses.dataclass(frozen=True, init=False)
class Account:
    """An AWS account in one Region: its concurrency limit, unreserved minimum and scaling rate.

    Keyword-only: ``Account(concurrency_limit=1000, unreserved_min=None, scaling="current",
    scaling_burst=None, scaling_refill_per_s=None, invocation_rate_limit=True,
    vpc_networking="hyperplane", eni_quota=250, eni_ready_s=90, eni_init_s=10,
    inactive_after_s=1209600)``.

    ``scaling`` chooses the scaling-rate bucket of docs/model.md §4: ``"current"`` (per function,
    1000 tokens refilled at 100 per second, the default), ``"legacy"`` (one account-wide bucket of
    3000 refilled at 500 per minute) or ``None`` (no rate limit; ``"off"`` is accepted as an alias
    and stored as ``None``). ``scaling_burst`` and ``scaling_refill_per_s`` override the bucket's
    capacity and refill rate.

    ``invocation_rate_limit`` caps requests at 10 per second per unit of concurrency
    (docs/model.md §14). The VPC settings (docs/model.md §13): ``vpc_networking``
    (``"hyperplane"``: one ENI per subnets-and-security-groups combination, shared;
    ``"legacy"``: one per environment), ``eni_quota`` (network interfaces per VPC),
    ``eni_ready_s`` (a new Hyperplane ENI's creation: the function is Pending meanwhile),
    ``eni_init_s`` (a legacy ENI's creation, added to a new environment's init) and
    ``inactive_after_s`` (a VPC function idle this long becomes Inactive).

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
    #: The request-rate limit: 10 requests per second per unit of concurrency (docs/model.md §14).
    invocation_rate_limit: bool = True
    #: ``"hyperplane"`` or ``"legacy"`` (docs/model.md §13).
    vpc_networking: str = "hyperplane"
    #: Network interfaces per VPC Lambda's ENIs may use (≥ 0).
    eni_quota: int = ENI_QUOTA_DEFAULT
    #: Seconds a new Hyperplane ENI takes (≥ 0).
    eni_ready_s: float = ENI_READY_S_DEFAULT
    #: Seconds a legacy ENI adds to a new environment's init (≥ 0).
    eni_init_s: float = ENI_INIT_S_DEFAULT
    #: Seconds without an invocation after which a VPC function is Inactive (> 0).
    inactive_after_s: float = INACTIVE_AFTER_S_DEFAULT

    def __init__(
        self,
        *,
        concurrency_limit: int = 1000,
        unreserved_min: int | None = None,
        scaling: str | None = "current",
        scaling_burst: int | None = None,
        scaling_refill_per_s: float | None = None,
        invocation_rate_limit: bool = True,
        vpc_networking: str = "hyperplane",
        eni_quota: int = ENI_QUOTA_DEFAULT,
        eni_ready_s: float = ENI_READY_S_DEFAULT,
        eni_init_s: float = ENI_INIT_S_DEFAULT,
        inactive_after_s: float = INACTIVE_AFTER_S_DEFAULT,
    ) -> None:
        limit = v.require_int("Account", "concurrency_limit", concurrency_limit)
        minimum = v.optional_int("Account", "unreserved_min", unreserved_min)
        burst = v.optional_int("Account", "scaling_burst", scaling_burst)
        refill = v.optional_real("Account", "scaling_refill_per_s", scaling_refill_per_s)
        if scaling is not None and not isinstance(scaling, str):
            raise TypeError(
                "Account.scaling must be 'current', 'legacy', 'off' or None, "
                f"got {v.describe(scaling)}"
            )
        if scaling == "off":
            scaling = None
        if scaling is not None and scaling not in SCALING_DEFAULTS:
            raise InvalidParameterValueException(
                "Account.scaling must be 'current', 'legacy', 'off' or None, "
                f"got {scaling!r}"
            )

        if limit < 1:
            raise InvalidParameterValueException(
                f"Account.concurrency_limit must be at least 1, got {limit}"
            )
        v.engine_limit("Account", "concurrency_limit", limit, "concurrency")
        if minimum is not None and not 0 <= minimum <= limit:
            raise InvalidParameterValueException(
                "Account.unreserved_min must be between 0 and concurrency_limit "
                f"({limit}), got {minimum}"
            )
        if burst is not None:
            v.engine_limit("Account", "scaling_burst", burst, "scaling")
        if refill is not None and not (math.isfinite(refill) and refill > 0):
            raise InvalidParameterValueException(
                "Account.scaling_refill_per_s must be a finite number greater than 0, "
                f"got {refill!r}"
            )

        rate_limit = v.require_bool("Account", "invocation_rate_limit", invocation_rate_limit)
        networking = v.require_str("Account", "vpc_networking", vpc_networking)
        if networking not in VPC_NETWORKING:
            raise InvalidParameterValueException(
                f"Account.vpc_networking must be {v.either([repr(n) for n in VPC_NETWORKING])}, "
                f"got {networking!r}"
            )
        quota = v.require_int("Account", "eni_quota", eni_quota)
        if quota < 0:
            raise InvalidParameterValueException(f"Account.eni_quota must be at least 0, got {quota}")
        v.engine_limit("Account", "eni_quota", quota, "concurrency")
        times = {}
        for field, value, positive in (
            ("eni_ready_s", eni_ready_s, False),
            ("eni_init_s", eni_init_s, False),
            ("inactive_after_s", inactive_after_s, True),
        ):
            t = v.require_real("Account", field, value)
            if not math.isfinite(t) or t < 0 or (positive and t == 0):
                low = "greater than 0" if positive else "at least 0"
                raise InvalidParameterValueException(
                    f"Account.{field} must be a finite number of seconds, {low}, got {t!r}"
                )
            v.engine_limit("Account", field, t, "seconds")
            times[field] = t

        assign(
            self,
            concurrency_limit=limit,
            unreserved_min=minimum,
            scaling=scaling,
            scaling_burst=burst,
            scaling_refill_per_s=refill,
            invocation_rate_limit=rate_limit,
            vpc_networking=networking,
            eni_quota=quota,
            eni_ready_s=times["eni_ready_s"],
            eni_init_s=times["eni_init_s"],
            inactive_after_s=times["inactive_after_s"],
        )

        # the bucket's figures are derived from the stored fields (the properties below)
        if scaling is not None:
            bucket = v.limit("scaling_bucket_us")
            if not 1e6 / self.refill_per_s <= bucket.max:  # a subnormal refill: infinite cost
                raise EngineLimitError(
                    f"Account: scaling_refill_per_s={refill!r} is too small for lambda_core: one "
                    f"token would take {1e6 / self.refill_per_s:g} µs to refill, more than the "
                    f"{bucket.max} µs a bucket holds")
            cost = self.token_cost_us
            scale = v.limit("scaling")
            if cost < scale.min:
                raise EngineLimitError(
                    f"Account: scaling_refill_per_s={refill!r} makes a token cost {cost} µs of "
                    f"refill, below lambda_core's minimum of {scale.min} µs per token"
                )
            v.engine_limit(
                "Account", "scaling_burst × token_cost_us", self.burst * cost, "scaling_bucket_us"
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
        return SCALING_DEFAULTS[self.scaling][0]

    @property
    def refill_per_s(self) -> float:
        """Refill rate of the bucket in tokens per second (100 current, 500/60 legacy, 0 when off)."""
        if self.scaling is None:
            return 0.0
        if self.scaling_refill_per_s is not None:
            return self.scaling_refill_per_s
        return SCALING_DEFAULTS[self.scaling][1]

    @property
    def token_cost_us(self) -> int:
        """Microseconds of refill one token costs: ``round(1e6 / refill)``; 0 when scaling is off.

        10 000 for ``"current"``, 120 000 for ``"legacy"`` (docs/model.md §4).
        """
        if self.scaling is None:
            return 0
        return round(1e6 / self.refill_per_s)

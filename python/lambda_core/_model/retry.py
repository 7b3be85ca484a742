"""Client-side retries of synchronous callers (the AWS SDKs' retry modes)."""

from __future__ import annotations

import dataclasses

from .. import _validation as v
from ..errors import InvalidParameterValueException
from ._frozen import assign

__all__ = ["RetryPolicy"]


@dataclasses.dataclass(frozen=True, init=False)
class RetryPolicy:
    """How synchronous callers retry a throttled invocation (off unless given to the Simulator).

    ``RetryPolicy(max_attempts=3, base_s=1.0, cap_s=20.0)``: the defaults are the AWS SDKs'
    *standard* retry mode: three attempts in all, and before retry ``i`` a wait drawn uniformly
    from ``[0, min(base_s × 2^(i−1), cap_s))`` ("full jitter", base 1 s, cap 20 s; the AWS SDKs
    and Tools Reference Guide, *Retry behavior*, and botocore's ``retries/standard.py``). Only
    throttles are retried: a function error comes back to the caller as a successful API call.
    The SDKs' retry quota is not modelled. Draws come from the simulator's seeded stream, so
    runs stay reproducible.
    """

    #: Attempts in all, the first included: 1–10000 (lambda_core's limit
    #: ``client_retry_attempts``: a throttled request must give up some day).
    max_attempts: int = 3
    #: Base of the exponential backoff in seconds (0 ≤ base_s ≤ cap_s).
    base_s: float = 1.0
    #: Cap of the backoff in seconds (≤ 86400).
    cap_s: float = 20.0

    def __init__(self, max_attempts: int = 3, base_s: float = 1.0, cap_s: float = 20.0) -> None:
        attempts = v.require_int("RetryPolicy", "max_attempts", max_attempts)
        base = v.require_real("RetryPolicy", "base_s", base_s)
        cap = v.require_real("RetryPolicy", "cap_s", cap_s)
        v.require_finite("RetryPolicy", "base_s", base)
        v.require_finite("RetryPolicy", "cap_s", cap)
        v.engine_limit("RetryPolicy", "max_attempts", attempts, "client_retry_attempts")
        if not 0 <= base <= cap <= 86400:
            raise InvalidParameterValueException(
                f"RetryPolicy needs 0 <= base_s <= cap_s <= 86400, got base_s={base!r}, cap_s={cap!r}"
            )
        assign(self, max_attempts=attempts, base_s=base, cap_s=cap)

    @classmethod
    def standard(cls) -> RetryPolicy:
        """The AWS SDKs' standard mode (the defaults)."""
        return cls()

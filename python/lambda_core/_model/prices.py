"""The price list the bill is computed with (docs/billing.md):
:class:`Prices`, AWS Lambda's us-east-1 list prices by default, every figure a parameter.

Figures that differ by architecture are stored per architecture (``{"x86_64": ..., "arm64":
...}``); the constructor takes one value for both, or a mapping that overrides the
architectures it names and keeps the list price of the others.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from .. import _validation as v
from .._messages import ARCHITECTURES
from ..errors import InvalidParameterValueException
from ._frozen import assign

__all__ = ["Prices", "LIST_PRICES_AS_OF"]

#: The date of the list prices below: AWS's us-east-1 Lambda prices as they stand since init
#: began to be billed for every on-demand function (2025-08-01); the per-GB-s figures
#: themselves date from 2020 (x86_64) and 2021 (arm64).
LIST_PRICES_AS_OF = "2025-08-01"

_T = TypeVar("_T")

# us-east-1 list prices (AWS Lambda pricing page), per architecture
_REQUESTS = {"x86_64": 0.20, "arm64": 0.20}
_DURATION = {
    "x86_64": (0.0000166667, 0.0000150000, 0.0000133334),
    "arm64": (0.0000133334, 0.0000120001, 0.0000106667),
}
_TIERS = {"x86_64": (6e9, 9e9), "arm64": (7.5e9, 11.25e9)}
_PROVISIONED = {"x86_64": 0.0000041667, "arm64": 0.0000033334}
_PROVISIONED_DURATION = {"x86_64": 0.0000097222, "arm64": 0.0000077778}
_EPHEMERAL = {"x86_64": 0.0000000309, "arm64": 0.0000000309}
_ZERO = {"x86_64": 0.0, "arm64": 0.0}


def _per_arch(default: Mapping[str, _T]) -> Any:
    return dataclasses.field(default_factory=lambda: dict(default), hash=False)


@dataclasses.dataclass(frozen=True, init=False)
class Prices:
    """A price list: what each billed quantity costs, in USD (docs/billing.md).

    ``lc.Prices()`` is AWS Lambda's us-east-1 list of :attr:`as_of`, free tier off. Every
    figure can be changed: ``lc.Prices(requests_per_million=0.25)`` (both architectures),
    ``lc.Prices(duration_per_gb_s={"arm64": (1e-5, 9e-6, 8e-6)})`` (one),
    ``dataclasses.replace(prices, free_tier=True)``. A wrong type raises :class:`TypeError`;
    a negative, NaN or infinite figure, an unknown architecture or a date that is not ISO
    8601 raises :class:`~lambda_core.errors.InvalidParameterValueException`.
    """

    #: The date of the price list (ISO 8601, ``YYYY-MM-DD``).
    as_of: str = LIST_PRICES_AS_OF
    #: The Region the prices are for (a label: the figures are what count).
    region: str = "us-east-1"
    #: Per architecture: USD per million requests (invocations).
    requests_per_million: dict[str, float] = _per_arch(_REQUESTS)
    #: Per architecture: USD per GB-s of on-demand duration, in tiers 1, 2 and 3.
    duration_per_gb_s: dict[str, tuple[float, float, float]] = _per_arch(_DURATION)
    #: Per architecture: the monthly GB-s of tier 1 and of tier 2 (AWS's "first 6 billion,
    #: next 9 billion"); tier 3 is the rest.
    duration_tiers_gb_s: dict[str, tuple[float, float]] = _per_arch(_TIERS)
    #: Per architecture: USD per GB-s of provisioned concurrency allocated (configured).
    provisioned_per_gb_s: dict[str, float] = _per_arch(_PROVISIONED)
    #: Per architecture: USD per GB-s of duration on provisioned environments.
    provisioned_duration_per_gb_s: dict[str, float] = _per_arch(_PROVISIONED_DURATION)
    #: Per architecture: USD per GB-s of ephemeral storage above 512 MB, over billed duration.
    ephemeral_per_gb_s: dict[str, float] = _per_arch(_EPHEMERAL)
    #: Provisioned concurrency's configured time is rounded up to a multiple of this (300 s:
    #: AWS's 5 minutes; 0: not rounded).
    provisioned_step_s: float = 300.0
    #: Whether the free tier is taken off (off by default: a run is rarely a whole month of a
    #: whole account).
    free_tier: bool = False
    #: The free tier's requests and on-demand GB-s (what is left of them this month): shared
    #: by both architectures, for functions without provisioned concurrency.
    free_requests: float = 1_000_000.0
    free_gb_s: float = 400_000.0
    #: Per architecture: on-demand GB-s the month already billed before this run; the run's
    #: GB-s are priced in the tiers above it (0: the run is priced from tier 1).
    monthly_gb_s: dict[str, float] = _per_arch(_ZERO)

    def __init__(
        self,
        *,
        as_of: str = LIST_PRICES_AS_OF,
        region: str = "us-east-1",
        requests_per_million: float | Mapping[str, float] = 0.20,
        duration_per_gb_s: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
        duration_tiers_gb_s: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
        provisioned_per_gb_s: float | Mapping[str, float] | None = None,
        provisioned_duration_per_gb_s: float | Mapping[str, float] | None = None,
        ephemeral_per_gb_s: float | Mapping[str, float] = 0.0000000309,
        provisioned_step_s: float = 300.0,
        free_tier: bool = False,
        free_requests: float = 1_000_000.0,
        free_gb_s: float = 400_000.0,
        monthly_gb_s: float | Mapping[str, float] = 0.0,
    ) -> None:
        date = v.require_str("Prices", "as_of", as_of)
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise InvalidParameterValueException(
                f"Prices.as_of must be a date in ISO 8601 form (YYYY-MM-DD), got {date!r}"
            ) from None
        assign(
            self,
            as_of=date,
            region=v.require_str("Prices", "region", region),
            requests_per_million=_numbers("requests_per_million", requests_per_million, _REQUESTS),
            duration_per_gb_s=_tuples("duration_per_gb_s", duration_per_gb_s, _DURATION, 3),
            duration_tiers_gb_s=_tuples("duration_tiers_gb_s", duration_tiers_gb_s, _TIERS, 2),
            provisioned_per_gb_s=_numbers("provisioned_per_gb_s", provisioned_per_gb_s, _PROVISIONED),
            provisioned_duration_per_gb_s=_numbers(
                "provisioned_duration_per_gb_s", provisioned_duration_per_gb_s, _PROVISIONED_DURATION
            ),
            ephemeral_per_gb_s=_numbers("ephemeral_per_gb_s", ephemeral_per_gb_s, _EPHEMERAL),
            provisioned_step_s=_figure("provisioned_step_s", provisioned_step_s),
            free_tier=v.require_bool("Prices", "free_tier", free_tier),
            free_requests=_figure("free_requests", free_requests),
            free_gb_s=_figure("free_gb_s", free_gb_s),
            monthly_gb_s=_numbers("monthly_gb_s", monthly_gb_s, _ZERO),
        )

    def duration_charge(self, architecture: str, gb_s: float, already_gb_s: float | None = None) -> float:
        """USD for `gb_s` GB-s of on-demand duration on `architecture`, priced in the tiers
        above `already_gb_s` GB-s billed this month before them (default
        :attr:`monthly_gb_s` of the architecture). The free tier is not applied here."""
        prices = self.duration_per_gb_s[_architecture(architecture)]
        first, second = self.duration_tiers_gb_s[architecture]
        start = self.monthly_gb_s[architecture] if already_gb_s is None else float(already_gb_s)
        end = start + float(gb_s)
        bounds = (0.0, first, first + second, math.inf)
        return sum(
            price * max(0.0, min(end, high) - max(start, low))
            for price, low, high in zip(prices, bounds, bounds[1:])
        )

    def provisioned_seconds(self, configured_s: float) -> float:
        """The billed time of provisioned concurrency configured for `configured_s` seconds:
        rounded up to a multiple of :attr:`provisioned_step_s`."""
        step = self.provisioned_step_s
        return configured_s if step == 0 else math.ceil(configured_s / step) * step


def _architecture(name: str) -> str:
    if name not in ARCHITECTURES:
        raise KeyError(f"no architecture {name!r}; known: {', '.join(ARCHITECTURES)}")
    return name


def _figure(field: str, value: object) -> float:
    number = v.require_real("Prices", field, value)
    if not math.isfinite(number) or number < 0:
        raise InvalidParameterValueException(
            f"Prices.{field} must be a finite number >= 0, got {number!r}"
        )
    return number


def _by_architecture(field: str, value: object, default: Mapping[str, _T]) -> dict[str, object]:
    """`value` for each architecture: one value for both, or a mapping over the default."""
    if not isinstance(value, Mapping):
        return {arch: value for arch in ARCHITECTURES}
    unknown = [k for k in value if k not in ARCHITECTURES]
    if unknown:
        raise InvalidParameterValueException(
            f"Prices.{field}: no architecture {unknown[0]!r}; known: {', '.join(ARCHITECTURES)}"
        )
    return {arch: value.get(arch, default[arch]) for arch in ARCHITECTURES}


def _numbers(field: str, value: object, default: Mapping[str, float]) -> dict[str, float]:
    given = _by_architecture(field, default if value is None else value, default)
    return {arch: _figure(f"{field}[{arch!r}]", x) for arch, x in given.items()}


def _tuples(field: str, value: object, default: Mapping[str, tuple[float, ...]], n: int) -> Any:
    given = _by_architecture(field, default if value is None else value, default)
    out: dict[str, tuple[float, ...]] = {}
    for arch, x in given.items():
        where = f"{field}[{arch!r}]"
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(f"Prices.{where} must be a sequence of {n} numbers, got {v.describe(x)}")
        if len(x) != n:
            raise InvalidParameterValueException(
                f"Prices.{where} must have {n} numbers, got {len(x)}: {tuple(x)!r}"
            )
        out[arch] = tuple(_figure(f"{where}[{i}]", y) for i, y in enumerate(x))
    return out

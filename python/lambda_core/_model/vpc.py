"""Lambda in a VPC (docs/model.md §13): a function's ``VpcConfig``, the account's VPC settings'
defaults, and what they mean for each function before the run — when it is Active, whether its
ENI can ever be made — worked out once here so that the engine only checks a time."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Protocol

from .. import _validation as v
from ..errors import InvalidParameterValueException
from ._frozen import assign

__all__ = [
    "VpcConfig",
    "VPC_NETWORKING",
    "ENI_QUOTA_DEFAULT",
    "ENI_READY_S_DEFAULT",
    "ENI_INIT_S_DEFAULT",
    "INACTIVE_AFTER_S_DEFAULT",
    "MAX_SUBNETS",
    "MAX_SECURITY_GROUPS",
    "DEFAULT_VPC_ID",
    "VpcPlan",
    "plan_vpcs",
]

#: ``Account.vpc_networking``'s values: Hyperplane ENIs shared per combination (AWS since
#: September 2019, the default) or the legacy ENI per execution environment.
VPC_NETWORKING = ("hyperplane", "legacy")
#: Network interfaces per VPC (the EC2 quota Lambda's ENIs count against).
ENI_QUOTA_DEFAULT = 250
#: How long a new Hyperplane ENI takes to be ready: the function is Pending meanwhile (our
#: choice within AWS's "tens of seconds to a few minutes").
ENI_READY_S_DEFAULT = 90.0
#: The legacy ENI's creation, added to the init of every new environment.
ENI_INIT_S_DEFAULT = 10.0
#: A VPC function with no invocation this long becomes Inactive (14 days).
INACTIVE_AFTER_S_DEFAULT = 14 * 86400.0
#: ``VpcConfig``'s list lengths (AWS's).
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
#: The VPC a ``VpcConfig`` without ``vpc_id`` is in.
DEFAULT_VPC_ID = "vpc-default"


@dataclasses.dataclass(frozen=True, init=False)
class VpcConfig:
    """A function's VPC attachment (CreateFunction's ``VpcConfig``, docs/model.md §13).

    ``VpcConfig(subnet_ids=["subnet-a"], security_group_ids=["sg-1"], nat_gateway=False,
    vpc_id="vpc-default")``: one to 16 subnets and one to 5 security groups, ids unique in
    each list. ``nat_gateway`` says whether the subnets route to the internet through a NAT
    gateway; ``vpc_id`` names the VPC whose ENI quota the function's ENIs count against.
    The *combination* (the sets of subnets and of security groups) decides which functions
    share a Hyperplane ENI.
    """

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    nat_gateway: bool = False
    vpc_id: str = DEFAULT_VPC_ID

    def __init__(
        self,
        subnet_ids: Sequence[str],
        security_group_ids: Sequence[str],
        *,
        nat_gateway: bool = False,
        vpc_id: str = DEFAULT_VPC_ID,
    ) -> None:
        subnets = _ids("subnet_ids", subnet_ids, MAX_SUBNETS)
        groups = _ids("security_group_ids", security_group_ids, MAX_SECURITY_GROUPS)
        assign(
            self,
            subnet_ids=subnets,
            security_group_ids=groups,
            nat_gateway=v.require_bool("VpcConfig", "nat_gateway", nat_gateway),
            vpc_id=v.require_str("VpcConfig", "vpc_id", vpc_id),
        )
        if not self.vpc_id:
            raise InvalidParameterValueException("VpcConfig.vpc_id must not be empty")

    @property
    def combination(self) -> tuple[frozenset[str], frozenset[str]]:
        """What functions sharing a Hyperplane ENI have in common: (subnets, security groups)."""
        return frozenset(self.subnet_ids), frozenset(self.security_group_ids)


def _ids(field: str, ids: Sequence[str], most: int) -> tuple[str, ...]:
    if isinstance(ids, str) or not isinstance(ids, (list, tuple)):
        raise TypeError(f"VpcConfig.{field} must be a list or tuple of str, got {v.describe(ids)}")
    out = tuple(v.require_str("VpcConfig", field, i) for i in ids)
    if not 1 <= len(out) <= most:
        raise InvalidParameterValueException(
            f"VpcConfig.{field} must name 1 to {most} ids, got {len(out)}"
        )
    if any(not i for i in out):
        raise InvalidParameterValueException(f"VpcConfig.{field}: an id must not be empty")
    if len(set(out)) != len(out):
        raise InvalidParameterValueException(f"VpcConfig.{field}: ids must be unique, got {list(out)}")
    return out


class FunctionLike(Protocol):
    """What :func:`plan_vpcs` reads of a function."""

    @property
    def vpc(self) -> VpcConfig | None: ...

    @property
    def created_at_s(self) -> float | None: ...

    @property
    def name(self) -> str: ...


@dataclasses.dataclass(frozen=True)
class VpcPlan:
    """What the account's VPC settings mean for one VPC function before the run
    (docs/model.md §13): from when it is Active, whether its Hyperplane ENI can ever be made,
    and, with legacy networking, the index of its VPC's ENI pool."""

    #: Attempts before this instant (seconds, ≥ 0) are refused as Pending.
    active_from_s: float
    #: Its combination is beyond its VPC's ENI quota: every attempt is refused.
    no_eni: bool
    #: Legacy networking: its VPC's index in :func:`plan_vpcs`'s quotas.
    eni_pool: int | None


def plan_vpcs(
    networking: str, eni_quota: int, eni_ready_s: float, functions: Sequence[FunctionLike]
) -> tuple[list[VpcPlan | None], list[int]]:
    """Each function's :class:`VpcPlan` (``None`` outside a VPC), and the ENI quota of each
    legacy pool (one per VPC, in order of first appearance)."""
    plans: list[VpcPlan | None] = [None] * len(functions)
    in_vpc = [(i, f) for i, f in enumerate(functions) if f.vpc is not None]
    # a subnet is in one VPC: the same ids under two vpc_ids would be two accounts' subnets
    vpc_of: dict[str, str] = {}
    for _, f in in_vpc:
        assert f.vpc is not None
        for subnet in f.vpc.subnet_ids:
            other = vpc_of.setdefault(subnet, f.vpc.vpc_id)
            if other != f.vpc.vpc_id:
                raise InvalidParameterValueException(
                    f"subnet {subnet!r} is named in VPC {other!r} and in VPC {f.vpc.vpc_id!r}: "
                    "a subnet belongs to one VPC")
    if networking == "legacy":
        pools: dict[str, int] = {}
        for i, f in in_vpc:
            assert f.vpc is not None
            pool = pools.setdefault(f.vpc.vpc_id, len(pools))
            plans[i] = VpcPlan(active_from_s=0.0, no_eni=False, eni_pool=pool)
        return plans, [eni_quota] * len(pools)
    # Hyperplane: one ENI per combination, made when its first function is created
    first: dict[tuple[str, tuple[frozenset[str], frozenset[str]]], tuple[float, int]] = {}
    for i, f in in_vpc:
        assert f.vpc is not None
        key = (f.vpc.vpc_id, f.vpc.combination)
        made = -math.inf if f.created_at_s is None else f.created_at_s
        first[key] = min(first.get(key, (made, i)), (made, i))
    # a VPC's combinations get ENIs in the order they were first created, up to the quota
    refused: set[tuple[str, tuple[frozenset[str], frozenset[str]]]] = set()
    per_vpc: dict[str, list[tuple[float, int, tuple[str, tuple[frozenset[str], frozenset[str]]]]]] = {}
    for key, (made, i) in first.items():
        per_vpc.setdefault(key[0], []).append((made, i, key))
    for combos in per_vpc.values():
        refused.update(key for _, _, key in sorted(combos)[eni_quota:])
    for i, f in in_vpc:
        assert f.vpc is not None
        key = (f.vpc.vpc_id, f.vpc.combination)
        ready = first[key][0] + eni_ready_s
        created = -math.inf if f.created_at_s is None else f.created_at_s
        active_from = max(0.0, created, ready)
        v.engine_limit(f"function {f.name!r}", "created_at_s + eni_ready_s", active_from, "seconds")
        plans[i] = VpcPlan(active_from_s=active_from, no_eni=key in refused, eni_pool=None)
    return plans, []

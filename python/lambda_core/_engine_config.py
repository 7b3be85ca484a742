"""The configuration as the compiled engine takes it: one :class:`EngineConfig` record, read by
``lambda_core._core.Engine`` attribute by attribute (``crates/python/src/config.rs`` derives its
readers from the same field names).

These records hold what the engine runs, already validated (``_boundary.engine_config`` builds
them from the model): indexes instead of names, times in float seconds (the engine rounds each
to integer microseconds once, docs/model.md §1; a field ``x_s`` is the engine's ``x_us``), ``None``
for "no limit". A missing field or one of the wrong type makes ``Engine`` raise
:class:`TypeError` naming it; a seconds value that is NaN, negative or above 9e9 raises
:class:`lambda_core.LambdaCoreError` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "EngineConfig", "AccountConfig", "ScalingConfig", "FunctionConfig", "VpcConfig",
    "DistributionConfig",
    "ClientRetries",
    "StreamConfig", "QueueConfig", "SourceConfig", "StreamMappingConfig", "QueueMappingConfig",
]


@dataclass(frozen=True, slots=True)
class ScalingConfig:
    """The scaling-rate limit on new environments (docs/model.md §4 step 4): a bucket of ``burst``
    tokens refilled one per ``cost_us`` microseconds, per function (``per_function``, AWS's
    current mode) or one for the whole account (legacy)."""

    per_function: bool
    burst: int
    cost_us: int


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """The account limit ``L``, the unreserved pool ``U`` (at most ``L``), and the scaling-rate
    limit (``None``: none)."""

    concurrency_limit: int
    unreserved_capacity: int
    scaling: ScalingConfig | None
    #: The request-rate limit (docs/model.md §14): requests per second per unit of concurrency
    #: of the limit and of each reservation; ``None``: no rate limit.
    requests_per_concurrency: int | None = None


@dataclass(frozen=True, slots=True)
class VpcConfig:
    """A function in a VPC (docs/model.md §13): attempts before ``active_from_s`` are refused
    as Pending, every attempt when ``no_eni``; idle ``inactive_after_s`` it is Inactive
    (``None``: never) and Pending again for ``eni_ready_s``; with legacy networking its new
    environments take an ENI of pool ``eni_pool`` (an index of ``EngineConfig.eni_quotas``)
    and ``eni_init_s`` more init."""

    active_from_s: float
    no_eni: bool
    inactive_after_s: float | None
    eni_ready_s: float
    eni_pool: int | None
    eni_init_s: float


@dataclass(frozen=True, slots=True)
class DistributionConfig:
    """A duration fixed or drawn (docs/model.md §3.1): ``kind`` ``"fixed"`` (``seconds`` one
    value), ``"uniform"`` (low, high), ``"empirical"`` (the values) or ``"lognormal"`` (the
    median, with ``sigma``); a log-normal draw is capped at ``cap_s``."""

    kind: str
    seconds: Sequence[float]
    sigma: float = 0.0
    cap_s: float = 9e9


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """One function: its reservation (``None``: none) and provisioned environments, its
    timeouts, and its asynchronous settings (docs/model.md §6; destinations as indexes below
    ``EngineConfig.destinations``, or ``None``)."""

    reserved: int | None
    provisioned: int
    timeout_s: float
    init: DistributionConfig
    keep_alive: DistributionConfig
    #: ``None``: environments are not recycled (docs/model.md §3.1).
    max_lifetime_s: float | None
    warm_at_start: int
    provisioned_ready_s: float
    max_retry_attempts: int
    max_event_age_s: float
    on_success: int | None
    on_failure: int | None
    dead_letter_queue: int | None
    #: Active tracing (docs/traces.md): the engine samples its requests.
    traced: bool = False
    vpc: VpcConfig | None = None
    #: Every attempt hangs until its timeout (it needs the internet, its VPC has no NAT).
    hangs: bool = False


@dataclass(frozen=True, slots=True)
class ClientRetries:
    """Synchronous callers' retries after a throttle: up to ``max_attempts`` attempts in all,
    waiting a random part of ``min(base_s × 2^(i−1), cap_s)`` before retry ``i``."""

    max_attempts: int
    base_s: float
    cap_s: float


@dataclass(frozen=True, slots=True)
class StreamConfig:
    """A stream (docs/model.md §7): ``kind`` ``"kinesis"`` or ``"dynamodb"``."""

    kind: str
    shards: int
    retention_s: float


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """An SQS queue (docs/model.md §8): standard or FIFO, its visibility timeout, its redrive
    policy's ``maxReceiveCount`` (``None``: no dead-letter queue) and its retention."""

    fifo: bool
    visibility_timeout_s: float
    max_receive_count: int | None
    retention_s: float


#: An event source; its index in ``EngineConfig.sources`` is its index everywhere (a mapping's
#: ``stream`` or ``queue``, ``Engine.submit_records``' ``stream``).
SourceConfig = StreamConfig | QueueConfig


@dataclass(frozen=True, slots=True)
class StreamMappingConfig:
    """The mapping reading stream ``stream`` (a source index) into function ``function``: a
    batch of n records runs ``base_s + n × per_record_s``; ``max_retry_attempts`` and
    ``max_record_age_s`` ``None`` for no limit (retry until the records expire); ``on_failure``
    a destination index or ``None``."""

    stream: int
    function: int
    batch_size: int
    window_s: float
    parallelization_factor: int
    max_retry_attempts: int | None
    max_record_age_s: float | None
    bisect: bool
    on_failure: int | None
    base_s: float
    per_record_s: float


@dataclass(frozen=True, slots=True)
class QueueMappingConfig:
    """The mapping reading queue ``queue`` (a source index) into function ``function``;
    ``maximum_concurrency`` ``None`` for no cap; ``legacy`` selects the legacy poller ramp
    (+60 a minute up to 1000)."""

    queue: int
    function: int
    batch_size: int
    window_s: float
    maximum_concurrency: int | None
    legacy: bool
    base_s: float
    per_record_s: float


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Everything ``lambda_core._core.Engine`` runs: ``routing`` ``"newest"``, ``"mru"`` or
    ``"oldest"`` (docs/model.md §3); ``destinations`` how many destination indexes exist; ``seed``
    the seed of the engine's one random stream (client retry jitter); at most one mapping per
    source."""

    account: AccountConfig
    functions: Sequence[FunctionConfig]
    routing: str = "newest"
    destinations: int = 0
    client_retries: ClientRetries | None = None
    seed: int = 0
    sources: Sequence[SourceConfig] = ()
    stream_mappings: Sequence[StreamMappingConfig] = ()
    queue_mappings: Sequence[QueueMappingConfig] = ()
    #: The period of the per-period metrics (docs/metrics.md), or ``None``: none kept.
    metrics_period_s: float | None = None
    #: Legacy VPC networking: the ENI quota of each VPC (docs/model.md §13).
    eni_quotas: Sequence[int] = ()

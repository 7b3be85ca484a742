"""The model: lambda_core's configuration, inputs and outputs, one kind per module.

``account`` (the account's limits and scaling bucket), ``function`` (one function),
``pools`` (reservations applied to the account, AWS's concurrency verbs), ``retry``
(client-side retries), ``streams`` and ``queues`` (event sources, each kind a ``SourceKind``
of ``_source``, listed in the registry ``sources``), ``mappings``
(event-source mappings and the batch duration model), ``workload`` (requests),
``records`` (records for event sources), ``results`` (what runs return), ``enums`` (the codes
that cross into the engine). Every class validates and normalises its arguments in its
constructor and stores exactly the types it declares.
"""

from .account import Account
from .bill import Bill
from .distributions import Distribution, Empirical, Fixed, LogNormal, Uniform
from .enums import (
    ROUTING_NAMES,
    InvocationType,
    Outcome,
    RecordOutcome,
    Routing,
    ThrottleReason,
    Trigger,
)
from .function import (
    ENVIRONMENT_LIMIT_BYTES,
    FUNCTION_NAME_MAX_LENGTH,
    FUNCTION_NAME_PATTERN,
    INIT_LIMIT_S,
    Function,
)
from .mappings import BatchDuration, EventSourceMapping
from .prices import Prices
from .pools import PoolPlan, plan_pools, put_function_concurrency, put_provisioned_concurrency_config
from .queues import QUEUE_RETENTION_DEFAULT_S, SqsQueue
from .metrics import Metrics, MetricSet
from .records import Records, key_to_int
from .results import Columns, Result, Window
from .retry import RetryPolicy
from .sources import SOURCE_KINDS, EventSource, source_tables
from .streams import (
    DYNAMODB_TABLE_NAME_PATTERN,
    KINESIS_STREAM_NAME_PATTERN,
    STREAM_RETENTION_DEFAULT_S,
    DynamoDBStream,
    KinesisStream,
)
from .vpc import VpcConfig
from .workload import Workload

__all__ = [
    "Distribution",
    "Empirical",
    "Fixed",
    "LogNormal",
    "Uniform",
    "Account",
    "Function",
    "VpcConfig",
    "PoolPlan",
    "RetryPolicy",
    "plan_pools",
    "put_function_concurrency",
    "put_provisioned_concurrency_config",
    "KinesisStream",
    "DynamoDBStream",
    "SqsQueue",
    "EventSourceMapping",
    "BatchDuration",
    "EventSource",
    "SOURCE_KINDS",
    "source_tables",
    "Workload",
    "Records",
    "key_to_int",
    "Result",
    "Window",
    "Metrics",
    "MetricSet",
    "Prices",
    "Bill",
    "Columns",
    "InvocationType",
    "Outcome",
    "RecordOutcome",
    "Routing",
    "ROUTING_NAMES",
    "ThrottleReason",
    "Trigger",
    "FUNCTION_NAME_PATTERN",
    "FUNCTION_NAME_MAX_LENGTH",
    "ENVIRONMENT_LIMIT_BYTES",
    "INIT_LIMIT_S",
    "KINESIS_STREAM_NAME_PATTERN",
    "DYNAMODB_TABLE_NAME_PATTERN",
    "STREAM_RETENTION_DEFAULT_S",
    "QUEUE_RETENTION_DEFAULT_S",
]

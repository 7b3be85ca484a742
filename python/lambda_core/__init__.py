"""lambda_core: a Rust-accelerated, deterministic simulator of AWS Lambda's concurrency machinery.

>>> import lambda_core as lc
>>> sim = lc.Simulator(lc.Account(), [lc.Function("orders", reserved_concurrency=200)])
>>> sim.account_settings()
{'ConcurrentExecutions': 1000, 'UnreservedConcurrentExecutions': 800}
"""

from ._core import __version__
from .config import Account, Function, PoolPlan, RetryPolicy, plan_pools
from .enums import InvocationType, Outcome, RecordOutcome, Routing, ThrottleReason, Trigger
from .errors import (
    InvalidParameterValueException,
    LambdaCoreError,
    ResourceConflictException,
    ResourceNotFoundException,
    ValidationException,
    WorkloadError,
)
from .records import Records
from .simulator import Result, Simulator, Window
from .sources import BatchDuration, DynamoDBStream, EventSourceMapping, KinesisStream, SqsQueue
from .workload import Workload

__all__ = [
    "__version__",
    "Account",
    "Function",
    "Simulator",
    "Workload",
    "KinesisStream",
    "DynamoDBStream",
    "SqsQueue",
    "EventSourceMapping",
    "BatchDuration",
    "Records",
    "Result",
    "Window",
    "PoolPlan",
    "RetryPolicy",
    "Trigger",
    "plan_pools",
    "InvocationType",
    "Outcome",
    "RecordOutcome",
    "ThrottleReason",
    "Routing",
    "LambdaCoreError",
    "InvalidParameterValueException",
    "ValidationException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "WorkloadError",
]

"""lambda_core: a Rust-accelerated, deterministic simulator of AWS Lambda's concurrency machinery.

>>> import lambda_core as lc
>>> sim = lc.Simulator(lc.Account(), [lc.Function("orders", reserved_concurrency=200)])
>>> sim.account_settings()
{'ConcurrentExecutions': 1000, 'UnreservedConcurrentExecutions': 800}

This module is the public API: every name in ``__all__``. Four submodules are public too:
:mod:`lambda_core.errors` (the exceptions, also exported here),
:mod:`lambda_core.distributions` (the durations of docs/model.md §3.1, also exported here),
:mod:`lambda_core.scenarios` (TOML scenario files; ``lambda_core.scenario`` is its older
name) and :mod:`lambda_core.traces` (traces of real traffic, docs/replay.md). Every other
module is private (its name starts with ``_``) and may change.
"""

from ._core import __version__
from ._model import (
    Account,
    BatchDuration,
    Bill,
    Distribution,
    Empirical,
    Fixed,
    LogNormal,
    Uniform,
    DynamoDBStream,
    EventSourceMapping,
    Function,
    InvocationType,
    KinesisStream,
    Metrics,
    MetricSet,
    Outcome,
    PoolPlan,
    Prices,
    RecordOutcome,
    Records,
    Result,
    RetryPolicy,
    Routing,
    SqsQueue,
    ThrottleReason,
    Trigger,
    VpcConfig,
    Window,
    Workload,
    plan_pools,
    put_function_concurrency,
    put_provisioned_concurrency_config,
)
from ._simulator import Simulator
from ._calibrate import Fit, calibrate
from ._plan import Plan, plan
from ._sweep import sweep
from .errors import (
    EngineLimitError,
    InvalidAttributeValue,
    InvalidParameterValueException,
    LambdaCoreError,
    RequestEntityTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    ScenarioError,
    TraceFormatError,
    UntilInPastError,
    UsageError,
    ValidationException,
    WorkloadError,
)
from .scenarios import Scenario, load_scenario, parse_scenario
from . import distributions as distributions
from . import scenario as scenario  # the older name of lambda_core.scenarios, kept importable
from . import traces as traces

__all__ = [
    "__version__",
    # configuration
    "Account",
    "Function",
    "VpcConfig",
    "Fixed",
    "Uniform",
    "LogNormal",
    "Empirical",
    "Distribution",
    "RetryPolicy",
    "KinesisStream",
    "DynamoDBStream",
    "SqsQueue",
    "EventSourceMapping",
    "BatchDuration",
    "PoolPlan",
    "plan_pools",
    "put_function_concurrency",
    "put_provisioned_concurrency_config",
    # inputs, the simulator, outputs
    "Workload",
    "Records",
    "Simulator",
    "calibrate",
    "Fit",
    # capacity questions (docs/capacity.md)
    "sweep",
    "plan",
    "Plan",
    "Result",
    "Window",
    "Metrics",
    "MetricSet",
    "Prices",
    "Bill",
    # codes
    "Trigger",
    "InvocationType",
    "Outcome",
    "RecordOutcome",
    "ThrottleReason",
    "Routing",
    # scenario files
    "Scenario",
    "load_scenario",
    "parse_scenario",
    # errors
    "LambdaCoreError",
    "InvalidParameterValueException",
    "InvalidAttributeValue",
    "ValidationException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "RequestEntityTooLargeException",
    "WorkloadError",
    "UsageError",
    "UntilInPastError",
    "EngineLimitError",
    "ScenarioError",
    "TraceFormatError",
]

"""lambda_core: a Rust-accelerated, deterministic simulator of AWS Lambda's concurrency machinery.

>>> import lambda_core as lc
>>> sim = lc.Simulator(lc.Account(), [lc.Function("orders", reserved_concurrency=200)])
>>> sim.account_settings()
{'ConcurrentExecutions': 1000, 'UnreservedConcurrentExecutions': 800}

This module is the public API: every name in ``__all__``. Six submodules are public too:
:mod:`lambda_core.errors` (the exceptions, also exported here),
:mod:`lambda_core.distributions` (the durations of docs/model.md §3.1, also exported here),
:mod:`lambda_core.scenarios` (TOML scenario files; ``lambda_core.scenario`` is its older
name), :mod:`lambda_core.traces` (traces of real traffic, docs/replay.md), and, with their
optional dependency installed, :mod:`lambda_core.simpy` (Lambda inside a SimPy model,
docs/simpy.md) and :mod:`lambda_core.gym` (a Gymnasium environment, docs/control.md), imported
on first use of ``lc.simpy`` or ``lc.gym``. Every other module is private (its name starts
with ``_``) and may change.
"""

from typing import Any

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

# lc.simpy and lc.gym need their optional dependency (SimPy, Gymnasium): they are imported on
# first use, so `import lambda_core` stays free of both
_OPTIONAL_MODULES = {"simpy": "simpy", "gym": "gymnasium"}


def __getattr__(name: str) -> Any:
    if name in _OPTIONAL_MODULES:
        import importlib

        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != _OPTIONAL_MODULES[name]:
                raise
            raise ModuleNotFoundError(
                f"lambda_core.{name} needs {e.name}: pip install 'lambda-core[{name}]'", name=e.name) from e
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

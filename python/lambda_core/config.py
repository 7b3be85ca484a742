"""An older module name (the configuration classes and pool planning), kept so that code written against it still imports.
New code imports these names from :mod:`lambda_core`."""

from ._model import (
    Account,
    Function,
    PoolPlan,
    RetryPolicy,
    plan_pools,
    put_function_concurrency,
    put_provisioned_concurrency_config,
    FUNCTION_NAME_PATTERN,
    FUNCTION_NAME_MAX_LENGTH,
    ENVIRONMENT_LIMIT_BYTES,
    INIT_LIMIT_S,
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

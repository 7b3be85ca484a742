"""AWS's texts for the configuration checks, written out in full (not imported) so that a change in
the package's messages shows up."""

from __future__ import annotations

RC_MIN = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [{}]."
)
PC_LIMIT = (
    "Specified ConcurrentExecutions for function is greater than account's unreserved "
    "concurrency [{}]."
)
PC_MIN = (
    "Specified ConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [{}]."
)
RC_BELOW_PC = (
    " ReservedConcurrentExecutions  {} should not be lower than function's total provisioned "
    "concurrency [{}]."
)
PC_ABOVE_RC = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)
ENV_PREFIX = (
    "Lambda was unable to configure your environment variables because the environment "
    "variables you have provided exceeded the 4KB limit. String measured: "
)
AWS_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)

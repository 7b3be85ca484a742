"""Every text lambda_core copies from AWS: Lambda's, SQS's and Kinesis's error messages.

They are kept byte for byte (odd spacing included) so that ``str(exc)`` is what the AWS API
would have said; ``docs/validation.md`` says where each comes from. lambda_core's own messages
(checks AWS does not make) are written next to their checks instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

# --------------------------------------------------------------------------------------------
# ValidationException: "N validation error(s) detected: Value 'V' at 'member' failed ..."
# --------------------------------------------------------------------------------------------

#: AWS's function-name pattern, as AWS prints it in its ``ValidationException``.
#: lambda_core accepts only the bare-name part of it (``[a-zA-Z0-9-_]+``): no ARNs, no qualifiers.
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
#: Kinesis's stream-name pattern, as Kinesis prints it in its ``ValidationException``.
KINESIS_STREAM_NAME_PATTERN = "[a-zA-Z0-9_.-]+"
#: DynamoDB's table-name pattern (a DynamoDB stream is named by its table).
DYNAMODB_TABLE_NAME_PATTERN = "[a-zA-Z0-9_.-]+"


def constraint(value: str, field: str, rule: str) -> str:
    """One item of a ValidationException: ``Value 'V' at 'field' failed to satisfy ...``."""
    return f"Value '{value}' at '{field}' failed to satisfy constraint: Member must {rule}"


def at_least(low: float) -> str:
    return f"have value greater than or equal to {low}"


def at_most(high: float) -> str:
    return f"have value less than or equal to {high}"


def matches(pattern: str) -> str:
    return f"satisfy regular expression pattern: {pattern}"


def length_at_least(low: int) -> str:
    return f"have length greater than or equal to {low}"


def length_at_most(high: int) -> str:
    return f"have length less than or equal to {high}"


def enum_values(values: Sequence[str]) -> str:
    return f"satisfy enum value set: [{', '.join(values)}]"


def aws_list(values: Sequence[str]) -> str:
    """A list member as AWS prints it in a ValidationException: ``[a, b]`` (no quotes)."""
    return "[" + ", ".join(values) + "]"


def validation_message(items: Sequence[str]) -> str:
    """The ValidationException text for one or more items, joined with ``"; "``."""
    n = len(items)
    noun = "validation error" if n == 1 else "validation errors"
    return f"{n} {noun} detected: " + "; ".join(items)


# --------------------------------------------------------------------------------------------
# Lambda: CreateFunction, PutFunctionConcurrency, PutProvisionedConcurrencyConfig (docs/model.md §2)
# --------------------------------------------------------------------------------------------


#: CreateFunction's ``Architectures`` enum, in the order AWS prints it.
ARCHITECTURES = ("x86_64", "arm64")
#: ``TracingConfig.Mode``'s enum, in the order of Lambda's API model.
TRACING_MODES = ("Active", "PassThrough")


def architectures_item(given: Sequence[str]) -> str:
    """The item for a bad ``Architectures`` list (a list of one). AWS's texts for a wrong name
    (``Value '[X86_64]' ... Member must satisfy constraint: [Member must satisfy enum value
    set: [x86_64, arm64], Member must not be null]``) and for two names (``... Member must have
    length less than or equal to 1``) are recorded against AWS; an empty list never reaches
    AWS (the SDKs refuse it), so its ``length greater than or equal to 1`` is AWS's form for
    the list's minimum length."""
    shown = aws_list(given)
    if len(given) > 1:
        return constraint(shown, "architectures", length_at_most(1))
    if not given:
        return constraint(shown, "architectures", length_at_least(1))
    return constraint(
        shown,
        "architectures",
        f"satisfy constraint: [Member must {enum_values(ARCHITECTURES)}, Member must not be null]",
    )


def tracing_mode_item(mode: str) -> str:
    """The item for a bad ``TracingConfig.Mode``, in AWS's form for an enum member (as for
    ``invokeMode``: ``Value 'UNKNOWN' at 'invokeMode' ... Member must satisfy enum value set:
    [RESPONSE_STREAM, BUFFERED]``)."""
    return constraint(mode, "tracingConfig.mode", enum_values(TRACING_MODES))


def rc_below_minimum(min_unreserved: int) -> str:
    return (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        f"UnreservedConcurrentExecution below its minimum value of [{min_unreserved}]."
    )


def pc_above_limit(limit: int) -> str:
    return (
        "Specified ConcurrentExecutions for function is greater than account's unreserved "
        f"concurrency [{limit}]."
    )


def pc_below_minimum(min_unreserved: int) -> str:
    return (
        "Specified ConcurrentExecutions for function decreases account's "
        f"UnreservedConcurrentExecution below its minimum value of [{min_unreserved}]."
    )


def rc_below_pc(reserved: int, provisioned: int) -> str:
    # The leading space and the double space are AWS's own (docs/model.md §2).
    return (
        f" ReservedConcurrentExecutions  {reserved} should not be lower than function's total "
        f"provisioned concurrency [{provisioned}]."
    )


PC_ABOVE_RC = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)
SELF_DESTINATION = "You can't specify the function as a destination for itself."


def environment_too_large(environment: Mapping[str, str]) -> str:
    measured = json.dumps(dict(environment), separators=(",", ":"))
    return (
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided exceeded the 4KB limit. String measured: " + measured
    )


def duplicate_function(name: str) -> str:
    return f"Function already exist: {name}"


# --------------------------------------------------------------------------------------------
# Lambda: CreateEventSourceMapping (docs/model.md §7–8)
# --------------------------------------------------------------------------------------------

SQS_WINDOW = (
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
    "than 10"
)
FIFO_BATCH_SIZE = "Maximum batch size must be between 1 and 10 inclusive"
FIFO_WINDOW = "Batching window is not supported for FIFO queues"
RECORD_AGE = (
    "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"
)


def unsupported(parameter: str) -> str:
    return f"Unsupported {parameter} parameter for given event source mapping type."


def function_not_found(name: str) -> str:
    return f"Function not found: {name}"


def visibility_below_timeout(visibility_s: float, timeout_s: float) -> str:
    """A queue's visibility timeout below the mapped function's timeout (AWS's seconds are
    whole; a fractional function timeout, which lambda_core accepts, is printed as given)."""
    return (
        f"Queue visibility timeout: {_seconds(visibility_s)} seconds is less than Function "
        f"timeout: {_seconds(timeout_s)} seconds"
    )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def mapping_exists(source: str, function: str) -> str:
    return (
        f"The event source arn ({source}) and function ({function}) provided mapping "
        "already exists. Please update or delete the existing mapping."
    )


# --------------------------------------------------------------------------------------------
# SQS: CreateQueue, SetQueueAttributes
# --------------------------------------------------------------------------------------------

QUEUE_NAME_EMPTY = "Queue name cannot be empty"
QUEUE_NAME = (
    "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
)
FIFO_QUEUE_NAME = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
    "underscores, must end with .fifo suffix and be 1 to 80 in length."
)


def queue_attribute(attribute: str) -> str:
    return f"Invalid value for the parameter {attribute}."


def max_receive_count(count: int) -> str:
    policy = json.dumps({"maxReceiveCount": count}, separators=(",", ":"))
    return (
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for "
        f"maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive."
    )


# --------------------------------------------------------------------------------------------
# Kinesis: IncreaseStreamRetentionPeriod, DecreaseStreamRetentionPeriod
# --------------------------------------------------------------------------------------------


def retention_too_short(seconds: float, minimum_hours: int) -> str:
    return (
        f"Minimum allowed retention period is {minimum_hours} hours. "
        f"Requested retention period ({_hours(seconds)} hours) is too short."
    )


def retention_too_long(seconds: float, maximum_hours: int) -> str:
    return (
        f"Maximum allowed retention period is {maximum_hours} hours. "
        f"Requested retention period ({_hours(seconds)} hours) is too long."
    )


def _hours(seconds: float) -> str:
    """A retention in hours as Kinesis prints ``RetentionPeriodHours`` (whole numbers as ints)."""
    hours = seconds / 3600
    return str(int(hours)) if hours.is_integer() else repr(hours)


# --------------------------------------------------------------------------------------------
# Lambda: deployment packages (CreateFunction), payloads and function states (Invoke)
# --------------------------------------------------------------------------------------------

def code_too_large(request_bytes: int) -> str:
    """A zip uploaded directly above its limit: the request carries it base64-encoded, so AWS
    names the request's limit (69905067 bytes for 50 MB)."""
    return f"Request must be smaller than {request_bytes} bytes for the CreateFunction operation"


def unzipped_too_large(limit_bytes: int) -> str:
    return f"Unzipped size must be smaller than {limit_bytes} bytes"


def too_many_layers(limit: int) -> str:
    return f"Cannot reference more than {limit} layers."


# lambda_core's texts where AWS's are not on record (docs/model.md §14)
def image_too_large(limit_bytes: int) -> str:
    return f"Image size must be smaller than {limit_bytes} bytes"


IMAGE_LAYERS = "Layers are not supported for functions with package type Image."


def function_state(state: str) -> str:
    """Invoke's ``ResourceConflictException`` for a function that is not Active."""
    return (
        "The operation cannot be performed at this time. The function is currently in the "
        f"following state: {state}"
    )


#: Invoke's ``TooManyRequestsException`` (its ``Reason`` says which limit).
THROTTLED = "Rate Exceeded."
#: Invoke's ``ENILimitReachedException`` (the Lambda API reference's text).
ENI_LIMIT_REACHED = (
    "Lambda couldn't create an elastic network interface in the VPC, specified as part of "
    "Lambda function configuration, because the limit for network interfaces has been reached. "
    "For more information, see Lambda quotas."
)


def request_too_large(limit_bytes: int) -> str:
    """Invoke's ``RequestEntityTooLargeException``: 6291456 for a request, 1048576 for an event."""
    return f"Request must be smaller than {limit_bytes} bytes for the InvokeFunction operation"

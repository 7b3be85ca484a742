"""AWS's texts for the event-source checks, written out in full (not imported) so that a change in
the package's messages shows up, and the sources the validation tests share."""

from __future__ import annotations

from lambda_core._model import (
    DynamoDBStream,
    KinesisStream,
    SqsQueue,
)

SQS_WINDOW = (
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
    "than 10"
)
FIFO_BATCH = "Maximum batch size must be between 1 and 10 inclusive"
FIFO_WINDOW = "Batching window is not supported for FIFO queues"
RECORD_AGE = (
    "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"
)
QUEUE_NAME = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
FIFO_QUEUE_NAME = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
    "must end with .fifo suffix and be 1 to 80 in length."
)
QUEUE_NAME_EMPTY = "Queue name cannot be empty"
AWS_FUNCTION_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)


def unsupported(parameter: str) -> str:
    return f"Unsupported {parameter} parameter for given event source mapping type."


def attribute(name: str) -> str:
    return f"Invalid value for the parameter {name}."


def redrive(count: int) -> str:
    return (
        f'Value {{"maxReceiveCount":{count}}} for parameter RedrivePolicy is invalid. Reason: '
        f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both "
        "inclusive."
    )


def too_short(hours: str) -> str:
    return (
        "Minimum allowed retention period is 24 hours. "
        f"Requested retention period ({hours} hours) is too short."
    )


def too_long(hours: str) -> str:
    return (
        "Maximum allowed retention period is 8760 hours. "
        f"Requested retention period ({hours} hours) is too long."
    )


KIN = KinesisStream("orders", shards=2)
DDB = DynamoDBStream("orders-table")
SQS = SqsQueue("jobs")
FIFO = SqsQueue("jobs.fifo", fifo=True)
STREAMS = [KIN, DDB]
ALL = [KIN, DDB, SQS, FIFO]
IDS = ["kinesis", "dynamodb", "sqs", "fifo"]

"""An older module name (the event sources and mappings), kept so that code written against it still imports.
New code imports these names from :mod:`lambda_core`."""

from ._model import (
    KinesisStream,
    DynamoDBStream,
    SqsQueue,
    EventSourceMapping,
    BatchDuration,
    EventSource,
    KINESIS_STREAM_NAME_PATTERN,
    DYNAMODB_TABLE_NAME_PATTERN,
    STREAM_RETENTION_DEFAULT_S,
    QUEUE_RETENTION_DEFAULT_S,
)

__all__ = [
    "KinesisStream",
    "DynamoDBStream",
    "SqsQueue",
    "EventSourceMapping",
    "BatchDuration",
    "EventSource",
    "KINESIS_STREAM_NAME_PATTERN",
    "DYNAMODB_TABLE_NAME_PATTERN",
    "STREAM_RETENTION_DEFAULT_S",
    "QUEUE_RETENTION_DEFAULT_S",
]

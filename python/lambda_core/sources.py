"""Event sources and event-source mappings, validated the way AWS validates them.

Four kinds of objects live here (MODEL.md §7 and §8):

* :class:`KinesisStream` and :class:`DynamoDBStream` — stream event sources: shards read in
  order, records kept for the stream's retention period;
* :class:`SqsQueue` — a queue event source, standard or FIFO, with its visibility timeout,
  redrive policy (``max_receive_count``) and retention period;
* :class:`EventSourceMapping` — what Lambda's ``CreateEventSourceMapping`` creates: one source,
  one function, the batching and error-handling parameters, and the duration model of a batch,
  :class:`BatchDuration`.

Every check raises the exception AWS would raise, with AWS's text where it is known: ranges of
API members raise :class:`~lambda_core.errors.ValidationException` in AWS's
``1 validation error detected: Value 'V' at 'member' failed to satisfy constraint: ...`` form,
and AWS's semantic checks (a parameter the source does not support, the FIFO batch limit, the
SQS batching-window rule, a record age between 0 and 59, SQS's queue attributes, Kinesis's
retention limits) raise :class:`~lambda_core.errors.InvalidParameterValueException` with AWS's
text. Checks AWS does not have (non-finite numbers, the number of shards of a DynamoDB stream,
the fixed retention of DynamoDB Streams, the duration model) raise
:class:`~lambda_core.errors.InvalidParameterValueException` with a message naming the parameter
and its value. A value of the wrong Python type raises :class:`TypeError`.
``docs/validation.md`` ("Event-source mappings") lists every check, its message and where the
message comes from.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Union

from lambda_core.config import (
    FUNCTION_NAME_PATTERN,
    _BARE_NAME,
    _aws_value,
    _constraint,
    _describe,
    _is_bool,
    _is_real,
    _require_finite,
    _require_int,
    _require_real,
    _validation_message,
)
from lambda_core.errors import InvalidParameterValueException, ValidationException

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

#: Kinesis's stream-name pattern, as Kinesis prints it in its ``ValidationException``.
KINESIS_STREAM_NAME_PATTERN = "[a-zA-Z0-9_.-]+"
#: DynamoDB's table-name pattern (a DynamoDB stream is named by its table).
DYNAMODB_TABLE_NAME_PATTERN = "[a-zA-Z0-9_.-]+"
_STREAM_NAME = re.compile(KINESIS_STREAM_NAME_PATTERN)
_TABLE_NAME = re.compile(DYNAMODB_TABLE_NAME_PATTERN)
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")

#: Default retention of a stream: 24 hours (Kinesis's default; DynamoDB Streams' fixed value).
STREAM_RETENTION_DEFAULT_S = 86400
#: Default retention of an SQS queue: 4 days.
QUEUE_RETENTION_DEFAULT_S = 345600

_KINESIS_RETENTION_HOURS = (24, 8760)  # IncreaseStreamRetentionPeriod's limits
_VISIBILITY_TIMEOUT_S = (0, 43200)  # SQS VisibilityTimeout
_MESSAGE_RETENTION_S = (60, 1209600)  # SQS MessageRetentionPeriod
_MAX_RECEIVE_COUNT = (1, 1000)  # SQS RedrivePolicy maxReceiveCount

# CreateEventSourceMapping's FunctionName member: 1–140 characters (it also takes ARNs).
_ESM_FUNCTION_NAME_MAX_LENGTH = 140

# Default batch size per source (AWS's defaults, MODEL.md §7–8).
_STREAM_BATCH_SIZE = 100
_QUEUE_BATCH_SIZE = 10
_FIFO_BATCH_SIZE_MAX = 10

# Stream-only mapping parameters: (python name, the AWS parameter named in the "Unsupported"
# message, the resolved default for a stream source).
_STREAM_ONLY: tuple[tuple[str, str, Any], ...] = (
    ("parallelization_factor", "ParallelizationFactor", 1),
    ("maximum_retry_attempts", "MaximumRetryAttempts", -1),
    ("maximum_record_age_s", "MaximumRecordAgeInSeconds", -1),
    ("bisect_batch_on_function_error", "BisectBatchOnFunctionError", False),
    ("on_failure", "DestinationConfig", None),
)


# --------------------------------------------------------------------------------------------
# AWS's messages
# --------------------------------------------------------------------------------------------

# Lambda, CreateEventSourceMapping
_SQS_WINDOW_MESSAGE = (
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
    "than 10"
)
_FIFO_BATCH_SIZE_MESSAGE = "Maximum batch size must be between 1 and 10 inclusive"
_FIFO_WINDOW_MESSAGE = "Batching window is not supported for FIFO queues"
_RECORD_AGE_MESSAGE = (
    "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"
)


def _unsupported_message(parameter: str) -> str:
    return f"Unsupported {parameter} parameter for given event source mapping type."


# SQS, CreateQueue
_QUEUE_NAME_EMPTY_MESSAGE = "Queue name cannot be empty"
_QUEUE_NAME_MESSAGE = (
    "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
)
_FIFO_QUEUE_NAME_MESSAGE = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
    "underscores, must end with .fifo suffix and be 1 to 80 in length."
)


def _queue_attribute_message(attribute: str) -> str:
    return f"Invalid value for the parameter {attribute}."


def _max_receive_count_message(count: int) -> str:
    policy = json.dumps({"maxReceiveCount": count}, separators=(",", ":"))
    return (
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for "
        f"maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive."
    )


# Kinesis, IncreaseStreamRetentionPeriod
def _retention_too_short_message(hours: str) -> str:
    return (
        "Minimum allowed retention period is 24 hours. "
        f"Requested retention period ({hours} hours) is too short."
    )


def _retention_too_long_message(hours: str) -> str:
    return (
        "Maximum allowed retention period is 8760 hours. "
        f"Requested retention period ({hours} hours) is too long."
    )


def _hours(seconds: float) -> str:
    """A retention in hours as Kinesis prints ``RetentionPeriodHours`` (whole numbers as ints)."""
    hours = seconds / 3600
    return str(int(hours)) if hours.is_integer() else repr(hours)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _require_str(owner: str, field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{owner}.{field} must be a str, got {_describe(value)}")
    return value


def _require_bool(owner: str, field: str, value: Any, optional: bool = False) -> bool | None:
    if value is None and optional:
        return None
    if not _is_bool(value):
        kind = "a bool or None" if optional else "a bool"
        raise TypeError(f"{owner}.{field} must be {kind}, got {_describe(value)}")
    return bool(value)


def _range_item(
    value: Any, shown: str, field: str, low: float | None, high: float | None
) -> list[str]:
    """AWS's constraint item for ``value`` outside ``[low, high]`` (low checked first), or none."""
    if low is not None and value < low:
        return [_constraint(shown, field, f"have value greater than or equal to {low}")]
    if high is not None and value > high:
        return [_constraint(shown, field, f"have value less than or equal to {high}")]
    return []


def _name_items(
    name: str, field: str, pattern: re.Pattern[str], shown_pattern: str, low: int, high: int
) -> list[str]:
    """AWS's items for a bad resource name: the pattern first, then the length."""
    items = []
    if not pattern.fullmatch(name):
        items.append(
            _constraint(name, field, f"satisfy regular expression pattern: {shown_pattern}")
        )
    if len(name) < low:
        items.append(_constraint(name, field, f"have length greater than or equal to {low}"))
    elif len(name) > high:
        items.append(_constraint(name, field, f"have length less than or equal to {high}"))
    return items


def _raise_items(items: list[str]) -> None:
    if items:
        raise ValidationException(_validation_message(items))


# --------------------------------------------------------------------------------------------
# Streams
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KinesisStream:
    """A Kinesis data stream (MODEL.md §7), validated on construction.

    Only ``name`` is positional. Checks, in this order:

    1. wrong Python types → :class:`TypeError` (``name`` a ``str``; ``shards`` an ``int`` or
       numpy integer, never ``bool`` or ``float``; ``retention_s`` an int or float);
    2. a non-finite ``retention_s`` →
       :class:`~lambda_core.errors.InvalidParameterValueException`;
    3. ``CreateStream``'s member constraints, all at once → one
       :class:`~lambda_core.errors.ValidationException`: ``shardCount`` ≥ 1, then
       ``streamName`` (pattern ``[a-zA-Z0-9_.-]+``, then length 1–128);
    4. the retention period, 24–8760 hours, with ``IncreaseStreamRetentionPeriod``'s messages
       → :class:`~lambda_core.errors.InvalidParameterValueException` (Kinesis's code is
       ``InvalidArgumentException``).

    Parameters
    ----------
    name : str
        Stream name: 1–128 characters of ``[a-zA-Z0-9_.-]``.
    shards : int, default 1
        Number of shards (≥ 1). Each shard is read in order, by up to ``parallelization_factor``
        lanes of a mapping.
    retention_s : float, default 86400
        Records older than this are lost unprocessed: 86400 (24 h) to 31536000 (8760 h).
    """

    #: Stream name: 1–128 characters of ``[a-zA-Z0-9_.-]``.
    name: str
    _: dataclasses.KW_ONLY
    #: Number of shards (≥ 1).
    shards: int = 1
    #: Retention period in seconds, 86400–31536000 (24–8760 hours); stored as a float.
    retention_s: float = STREAM_RETENTION_DEFAULT_S

    def __post_init__(self) -> None:
        _require_str("KinesisStream", "name", self.name)
        shards = _require_int("KinesisStream", "shards", self.shards)
        retention = _require_real("KinesisStream", "retention_s", self.retention_s)
        assert shards is not None and retention is not None
        _require_finite("KinesisStream", "retention_s", retention)

        items = _range_item(shards, str(shards), "shardCount", 1, None)
        items += _name_items(
            self.name, "streamName", _STREAM_NAME, KINESIS_STREAM_NAME_PATTERN, 1, 128
        )
        _raise_items(items)

        low, high = _KINESIS_RETENTION_HOURS
        if retention < low * 3600:
            raise InvalidParameterValueException(_retention_too_short_message(_hours(retention)))
        if retention > high * 3600:
            raise InvalidParameterValueException(_retention_too_long_message(_hours(retention)))

        object.__setattr__(self, "shards", shards)
        object.__setattr__(self, "retention_s", retention)

    @property
    def kind(self) -> str:
        """``"kinesis"``."""
        return "kinesis"

    @property
    def poll_interval_s(self) -> float:
        """How often an idle lane polls its shard: 1.0 s for Kinesis (MODEL.md §7)."""
        return 1.0


@dataclasses.dataclass(frozen=True)
class DynamoDBStream:
    """A DynamoDB table's stream (MODEL.md §7), validated on construction.

    Only ``name`` is positional. Checks, in this order:

    1. wrong Python types → :class:`TypeError`;
    2. a non-finite ``retention_s`` →
       :class:`~lambda_core.errors.InvalidParameterValueException`;
    3. the table name, with DynamoDB's member constraints → one
       :class:`~lambda_core.errors.ValidationException` at ``tableName`` (pattern
       ``[a-zA-Z0-9_.-]+``, then length 3–255);
    4. lambda_core's own checks → :class:`~lambda_core.errors.InvalidParameterValueException`:
       ``shards`` ≥ 1 (DynamoDB decides its shards itself; here they are a parameter), and
       ``retention_s`` must be 86400, since DynamoDB Streams keeps records for 24 hours and
       the period cannot be changed.

    Parameters
    ----------
    name : str
        The table's name: 3–255 characters of ``[a-zA-Z0-9_.-]``.
    shards : int, default 1
        Number of shards (≥ 1).
    retention_s : float, default 86400
        Fixed at 86400 (24 hours); any other value is refused.
    """

    #: The table's name: 3–255 characters of ``[a-zA-Z0-9_.-]``.
    name: str
    _: dataclasses.KW_ONLY
    #: Number of shards (≥ 1).
    shards: int = 1
    #: Retention period in seconds: always 86400.0 (24 hours).
    retention_s: float = STREAM_RETENTION_DEFAULT_S

    def __post_init__(self) -> None:
        _require_str("DynamoDBStream", "name", self.name)
        shards = _require_int("DynamoDBStream", "shards", self.shards)
        retention = _require_real("DynamoDBStream", "retention_s", self.retention_s)
        assert shards is not None and retention is not None
        _require_finite("DynamoDBStream", "retention_s", retention)

        _raise_items(
            _name_items(self.name, "tableName", _TABLE_NAME, DYNAMODB_TABLE_NAME_PATTERN, 3, 255)
        )

        if shards < 1:
            raise InvalidParameterValueException(
                f"DynamoDBStream.shards must be at least 1, got {shards}"
            )
        if retention != STREAM_RETENTION_DEFAULT_S:
            raise InvalidParameterValueException(
                "DynamoDBStream.retention_s is fixed at 86400 seconds (24 hours): DynamoDB "
                "Streams keeps records for 24 hours and the period cannot be changed, "
                f"got {retention!r}"
            )

        object.__setattr__(self, "shards", shards)
        object.__setattr__(self, "retention_s", retention)

    @property
    def kind(self) -> str:
        """``"dynamodb"``."""
        return "dynamodb"

    @property
    def poll_interval_s(self) -> float:
        """How often an idle lane polls its shard: 0.25 s for DynamoDB Streams (MODEL.md §7)."""
        return 0.25


# --------------------------------------------------------------------------------------------
# Queues
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SqsQueue:
    """An SQS queue, standard or FIFO (MODEL.md §8), validated on construction.

    Only ``name`` is positional. Checks, in this order; every value error is an
    :class:`~lambda_core.errors.InvalidParameterValueException` with SQS's text (SQS's own codes
    are ``InvalidParameterValue`` for the name and ``InvalidAttributeValue`` for attributes):

    1. wrong Python types → :class:`TypeError` (``fifo`` a ``bool``; ``max_receive_count`` an
       ``int`` or ``None``; the two second fields ints or floats);
    2. a non-finite ``visibility_timeout_s`` or ``retention_s``;
    3. the name: empty; a standard queue's name must be 1–80 characters of
       ``[A-Za-z0-9_-]`` (so it cannot end in ``.fifo``); a FIFO queue's must end in ``.fifo``
       and be 1–80 characters in all;
    4. ``VisibilityTimeout`` 0–43200 s, then ``MessageRetentionPeriod`` 60–1209600 s;
    5. the redrive policy's ``maxReceiveCount``, 1–1000.

    Parameters
    ----------
    name : str
        Queue name (``.fifo`` at the end for a FIFO queue).
    fifo : bool, default False
        A FIFO queue: messages of one group are delivered in order, one batch at a time.
    visibility_timeout_s : float, default 30
        How long received messages stay invisible, 0–43200 s.
    max_receive_count : int or None, default None
        With a redrive policy, a message received more than this many times moves to the
        queue's dead-letter queue (1–1000); ``None`` for no redrive policy.
    retention_s : float, default 345600
        Messages older than this are deleted unprocessed: 60–1209600 s (1 minute to 14 days).
    """

    #: Queue name.
    name: str
    _: dataclasses.KW_ONLY
    #: ``True`` for a FIFO queue.
    fifo: bool = False
    #: Visibility timeout in seconds, 0–43200; stored as a float.
    visibility_timeout_s: float = 30
    #: Redrive policy's ``maxReceiveCount`` (1–1000), or ``None`` for no dead-letter queue.
    max_receive_count: int | None = None
    #: Message retention period in seconds, 60–1209600; stored as a float.
    retention_s: float = QUEUE_RETENTION_DEFAULT_S

    def __post_init__(self) -> None:
        _require_str("SqsQueue", "name", self.name)
        fifo = _require_bool("SqsQueue", "fifo", self.fifo)
        visibility = _require_real("SqsQueue", "visibility_timeout_s", self.visibility_timeout_s)
        retention = _require_real("SqsQueue", "retention_s", self.retention_s)
        receives = _require_int(
            "SqsQueue", "max_receive_count", self.max_receive_count, optional=True
        )
        assert visibility is not None and retention is not None
        _require_finite("SqsQueue", "visibility_timeout_s", visibility)
        _require_finite("SqsQueue", "retention_s", retention)

        if not self.name:
            raise InvalidParameterValueException(_QUEUE_NAME_EMPTY_MESSAGE)
        if fifo and not _FIFO_QUEUE_NAME.fullmatch(self.name):
            raise InvalidParameterValueException(_FIFO_QUEUE_NAME_MESSAGE)
        if not fifo and not _QUEUE_NAME.fullmatch(self.name):
            raise InvalidParameterValueException(_QUEUE_NAME_MESSAGE)

        low, high = _VISIBILITY_TIMEOUT_S
        if not low <= visibility <= high:
            raise InvalidParameterValueException(_queue_attribute_message("VisibilityTimeout"))
        low, high = _MESSAGE_RETENTION_S
        if not low <= retention <= high:
            raise InvalidParameterValueException(
                _queue_attribute_message("MessageRetentionPeriod")
            )
        low, high = _MAX_RECEIVE_COUNT
        if receives is not None and not low <= receives <= high:
            raise InvalidParameterValueException(_max_receive_count_message(receives))

        object.__setattr__(self, "fifo", fifo)
        object.__setattr__(self, "visibility_timeout_s", visibility)
        object.__setattr__(self, "max_receive_count", receives)
        object.__setattr__(self, "retention_s", retention)

    @property
    def kind(self) -> str:
        """``"sqs"`` (standard and FIFO alike; see :attr:`fifo`)."""
        return "sqs"


#: Any event source a mapping can read.
EventSource = Union[KinesisStream, DynamoDBStream, SqsQueue]
_SOURCES = (KinesisStream, DynamoDBStream, SqsQueue)


# --------------------------------------------------------------------------------------------
# Mappings
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BatchDuration:
    """How long one batch runs: ``base_s + per_record_s × records`` seconds (MODEL.md §7).

    Parameters
    ----------
    base_s : float, default 0.05
        Fixed part of every batch, in seconds (≥ 0, finite).
    per_record_s : float, default 0.0
        Added for each record of the batch, in seconds (≥ 0, finite).

    Raises :class:`TypeError` for a value that is not an int or float and
    :class:`~lambda_core.errors.InvalidParameterValueException` for a negative or non-finite
    one.
    """

    #: Fixed part of every batch, in seconds.
    base_s: float = 0.05
    #: Seconds added per record of the batch.
    per_record_s: float = 0.0

    def __post_init__(self) -> None:
        for field in ("base_s", "per_record_s"):
            value = _require_real("BatchDuration", field, getattr(self, field))
            assert value is not None
            _require_finite("BatchDuration", field, value)
            if value < 0:
                raise InvalidParameterValueException(
                    f"BatchDuration.{field} must be at least 0 seconds, got {value!r}"
                )
            object.__setattr__(self, field, value)

    def seconds(self, records: int) -> float:
        """Duration of a batch of ``records`` records, in seconds."""
        return self.base_s + self.per_record_s * records


@dataclasses.dataclass(frozen=True)
class EventSourceMapping:
    """A Lambda event-source mapping: one source, one function, its batching and error handling.

    ``source`` and ``function`` are positional; everything else is keyword-only. A parameter
    left at ``None`` takes the source's AWS default, and the resolved value is stored:

    ============================== ===================== =====================
    parameter                      stream default        SQS default
    ============================== ===================== =====================
    batch_size                     100                   10
    batching_window_s              0.0                   0.0
    parallelization_factor         1                     ``None`` (stream-only)
    maximum_retry_attempts         -1 (until expiry)     ``None`` (stream-only)
    maximum_record_age_s           -1 (no limit)         ``None`` (stream-only)
    bisect_batch_on_function_error False                 ``None`` (stream-only)
    on_failure                     ``None``              ``None`` (stream-only)
    maximum_concurrency            ``None`` (SQS-only)   ``None`` (no cap)
    ============================== ===================== =====================

    Checks, in this order:

    1. wrong Python types → :class:`TypeError` (``source`` a :class:`KinesisStream`,
       :class:`DynamoDBStream` or :class:`SqsQueue`; ``function`` a ``str``; whole-number
       parameters ``int`` or numpy integers, never ``bool`` or ``float``; ``batching_window_s``
       an int or float; ``bisect_batch_on_function_error`` a ``bool``; ``on_failure`` a
       non-empty ``str``; ``duration`` a number or a :class:`BatchDuration`);
    2. a non-finite ``batching_window_s`` or ``duration``, or a negative ``duration`` →
       :class:`~lambda_core.errors.InvalidParameterValueException`;
    3. ``CreateEventSourceMapping``'s member ranges, all at once → one
       :class:`~lambda_core.errors.ValidationException` (``functionName`` pattern and length
       1–140, ``batchSize`` 1–10000, ``maximumBatchingWindowInSeconds`` 0–300,
       ``parallelizationFactor`` 1–10, ``maximumRetryAttempts`` −1–10000,
       ``maximumRecordAgeInSeconds`` −1–604800, ``scalingConfig.maximumConcurrency`` 2–1000);
    4. Lambda's semantic checks → :class:`~lambda_core.errors.InvalidParameterValueException`:
       a stream-only parameter given for an SQS queue or ``maximum_concurrency`` given for a
       stream (``Unsupported X parameter for given event source mapping type.``); a batching
       window for a FIFO queue; a FIFO batch above 10; an SQS batch above 10 without a
       batching window of at least 1 s; a record age between 0 and 59.

    Parameters
    ----------
    source : KinesisStream, DynamoDBStream or SqsQueue
        The event source.
    function : str
        Name of the function the mapping invokes.
    batch_size : int, optional
        Most records per batch: 1–10000 (FIFO queues: 1–10).
    batching_window_s : float, optional
        How long a lane gathers records before it invokes, 0–300 s. An SQS batch above 10 needs
        at least 1 s; FIFO queues take no window.
    parallelization_factor : int, optional
        Streams: lanes per shard, 1–10.
    maximum_retry_attempts : int, optional
        Streams: retries of a failed batch, −1 (until the records expire) or 0–10000.
    maximum_record_age_s : int, optional
        Streams: records older than this go to the on-failure destination, −1 (no limit) or
        60–604800.
    bisect_batch_on_function_error : bool, optional
        Streams: split a failed batch in two without using a retry.
    on_failure : str, optional
        Streams: name of the on-failure destination of discarded batches.
    maximum_concurrency : int, optional
        SQS: most concurrent batches of this mapping, 2–1000.
    duration : float or BatchDuration, default 0.05
        Duration model of a batch; a number is a fixed duration per batch, stored as
        ``BatchDuration(base_s=number)``.
    """

    #: The event source.
    source: EventSource
    #: Name of the function the mapping invokes.
    function: str
    _: dataclasses.KW_ONLY
    #: Most records per batch (resolved: 100 for streams, 10 for SQS).
    batch_size: int | None = None
    #: Batching window in seconds (resolved: 0.0); stored as a float.
    batching_window_s: float | None = None
    #: Streams: lanes per shard (resolved: 1); ``None`` for SQS.
    parallelization_factor: int | None = None
    #: Streams: retries of a failed batch, −1 for no limit (resolved: −1); ``None`` for SQS.
    maximum_retry_attempts: int | None = None
    #: Streams: maximum record age in seconds, −1 for no limit (resolved: −1); ``None`` for SQS.
    maximum_record_age_s: int | None = None
    #: Streams: split failed batches (resolved: ``False``); ``None`` for SQS.
    bisect_batch_on_function_error: bool | None = None
    #: Streams: on-failure destination of discarded batches, or ``None``.
    on_failure: str | None = None
    #: SQS: most concurrent batches (2–1000), or ``None`` for no cap.
    maximum_concurrency: int | None = None
    #: Duration model of a batch; a number given here is stored as ``BatchDuration(base_s=...)``.
    duration: BatchDuration | float = 0.05

    def __post_init__(self) -> None:
        owner = "EventSourceMapping"
        # 1. types
        source = self.source
        if not isinstance(source, _SOURCES):
            raise TypeError(
                f"{owner}.source must be a KinesisStream, DynamoDBStream or SqsQueue, "
                f"got {_describe(source)}"
            )
        function = _require_str(owner, "function", self.function)
        ints = {
            f: _require_int(owner, f, getattr(self, f), optional=True)
            for f in (
                "batch_size",
                "parallelization_factor",
                "maximum_retry_attempts",
                "maximum_record_age_s",
                "maximum_concurrency",
            )
        }
        window = _require_real(owner, "batching_window_s", self.batching_window_s, optional=True)
        bisect = _require_bool(
            owner,
            "bisect_batch_on_function_error",
            self.bisect_batch_on_function_error,
            optional=True,
        )
        on_failure = self.on_failure
        if on_failure is not None and (not isinstance(on_failure, str) or not on_failure):
            raise TypeError(
                f"{owner}.on_failure must be a non-empty str (a target's name) or None, "
                f"got {_describe(on_failure)}"
            )
        duration = self.duration
        if not isinstance(duration, BatchDuration) and not _is_real(duration):
            raise TypeError(
                f"{owner}.duration must be a number of seconds (int or float) or a "
                f"BatchDuration, got {_describe(duration)}"
            )

        # 2. non-finite and negative numbers (no AWS request can carry them)
        if window is not None:
            _require_finite(owner, "batching_window_s", window)
        if not isinstance(duration, BatchDuration):
            seconds = float(duration)
            _require_finite(owner, "duration", seconds)
            if seconds < 0:
                raise InvalidParameterValueException(
                    f"{owner}.duration must be at least 0 seconds, got {seconds!r}"
                )
            duration = BatchDuration(base_s=seconds)

        # 3. CreateEventSourceMapping's member ranges, all at once
        items = _name_items(
            function,
            "functionName",
            _BARE_NAME,
            FUNCTION_NAME_PATTERN,
            1,
            _ESM_FUNCTION_NAME_MAX_LENGTH,
        )
        raw = {f: getattr(self, f) for f in (*ints, "batching_window_s")}
        values: dict[str, Any] = {**ints, "batching_window_s": window}
        for field, member, low, high in (
            ("batch_size", "batchSize", 1, 10000),
            ("batching_window_s", "maximumBatchingWindowInSeconds", 0, 300),
            ("parallelization_factor", "parallelizationFactor", 1, 10),
            ("maximum_retry_attempts", "maximumRetryAttempts", -1, 10000),
            ("maximum_record_age_s", "maximumRecordAgeInSeconds", -1, 604800),
            ("maximum_concurrency", "scalingConfig.maximumConcurrency", 2, 1000),
        ):
            value = values[field]
            if value is not None:
                items += _range_item(value, _aws_value(raw[field]), member, low, high)
        _raise_items(items)

        # 4. Lambda's semantic checks
        given = {**values, "bisect_batch_on_function_error": bisect, "on_failure": on_failure}
        is_queue = isinstance(source, SqsQueue)
        if is_queue:
            for field, parameter, _default in _STREAM_ONLY:
                if given[field] is not None:
                    raise InvalidParameterValueException(_unsupported_message(parameter))
        elif given["maximum_concurrency"] is not None:
            raise InvalidParameterValueException(_unsupported_message("ScalingConfig"))

        fifo = isinstance(source, SqsQueue) and source.fifo
        batch_size = ints["batch_size"]
        if batch_size is None:
            batch_size = _QUEUE_BATCH_SIZE if is_queue else _STREAM_BATCH_SIZE
        if fifo and window is not None and window > 0:
            raise InvalidParameterValueException(_FIFO_WINDOW_MESSAGE)
        if fifo and batch_size > _FIFO_BATCH_SIZE_MAX:
            raise InvalidParameterValueException(_FIFO_BATCH_SIZE_MESSAGE)
        if window is None:
            window = 0.0
        if is_queue and batch_size > 10 and window < 1:
            raise InvalidParameterValueException(_SQS_WINDOW_MESSAGE)
        age = ints["maximum_record_age_s"]
        if age is not None and 0 <= age < 60:
            raise InvalidParameterValueException(_RECORD_AGE_MESSAGE)

        # resolve the source's defaults and store plain values
        object.__setattr__(self, "batch_size", batch_size)
        object.__setattr__(self, "batching_window_s", window)
        object.__setattr__(self, "maximum_concurrency", ints["maximum_concurrency"])
        if not is_queue:
            for field, _parameter, default in _STREAM_ONLY:
                value = given[field]
                object.__setattr__(self, field, default if value is None else value)
        object.__setattr__(self, "duration", duration)

    @property
    def kind(self) -> str:
        """The source's kind: ``"kinesis"``, ``"dynamodb"`` or ``"sqs"``."""
        return self.source.kind

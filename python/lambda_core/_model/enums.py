"""Enumerations shared by the Python API and the engine (their integer values cross the boundary)."""

from __future__ import annotations

import enum

from .. import _messages as msg
from .payloads import ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES

__all__ = [
    "InvocationType", "Outcome", "RecordOutcome", "ThrottleReason", "Routing", "ROUTING_NAMES",
    "Trigger",
]


class InvocationType(enum.IntEnum):
    """How a request invokes its function (AWS ``InvocationType``)."""

    REQUEST_RESPONSE = 0  #: synchronous: one attempt, its result is the request's result
    EVENT = 1  #: asynchronous: queued, retried, dropped to a destination (docs/model.md §6)


class Outcome(enum.IntEnum):
    """How a request ended (``result.requests["outcome"]``)."""

    PENDING = 0  #: not resolved by the run's ``until``
    SUCCESS = 1
    ERROR = 2  #: the function returned an error (the workload's ``failures``)
    TIMEOUT = 3  #: the handler ran longer than the function's ``timeout_s``
    THROTTLED = 4  #: a synchronous attempt was refused; see ``throttle_reason``
    RETRIES_EXHAUSTED = 5  #: asynchronous: ``max_retry_attempts`` used up
    EVENT_AGE_EXCEEDED = 6  #: asynchronous: ``max_event_age_s`` would be passed before the next retry
    ZERO_RESERVED_CONCURRENCY = 7  #: asynchronous: the function reserves 0, the event is dropped
    #: refused at once: the function was Pending (its VPC's ENI not ready, docs/model.md §13)
    FUNCTION_PENDING = 8
    #: refused at once: the function was Inactive (idle too long in a VPC, docs/model.md §13)
    FUNCTION_INACTIVE = 9
    #: refused at once: no ENI could be made in the function's VPC (docs/model.md §13)
    ENI_LIMIT_REACHED = 10
    #: refused at once: the payload is above Invoke's limit (docs/model.md §14)
    REQUEST_TOO_LARGE = 11

    @property
    def condition(self) -> str:
        """AWS's ``requestContext.condition`` for an asynchronous result (``""`` otherwise)."""
        return _CONDITIONS.get(self, "")

    @property
    def aws_error(self) -> str:
        """The exception AWS's Invoke answers a refused request with (``""`` for the others):
        ``ResourceConflictException``, ``ENILimitReachedException``,
        ``RequestEntityTooLargeException``, ``TooManyRequestsException``."""
        return _ERRORS.get(self, "")

    def message(self, invocation_type: InvocationType = InvocationType.REQUEST_RESPONSE) -> str:
        """AWS's message for a refused request (``""`` for the others); a payload's limit
        depends on the invocation type."""
        if self is Outcome.REQUEST_TOO_LARGE:
            limit = ASYNC_PAYLOAD_LIMIT_BYTES if invocation_type == InvocationType.EVENT else SYNC_PAYLOAD_LIMIT_BYTES
            return msg.request_too_large(limit)
        return _MESSAGES.get(self, "")


_ERRORS = {
    Outcome.THROTTLED: "TooManyRequestsException",
    Outcome.FUNCTION_PENDING: "ResourceConflictException",
    Outcome.FUNCTION_INACTIVE: "ResourceConflictException",
    Outcome.ENI_LIMIT_REACHED: "ENILimitReachedException",
    Outcome.REQUEST_TOO_LARGE: "RequestEntityTooLargeException",
}
_MESSAGES = {
    Outcome.THROTTLED: msg.THROTTLED,
    Outcome.FUNCTION_PENDING: msg.function_state("Pending"),
    Outcome.FUNCTION_INACTIVE: msg.function_state("Inactive"),
    Outcome.ENI_LIMIT_REACHED: msg.ENI_LIMIT_REACHED,
}

_CONDITIONS = {
    Outcome.SUCCESS: "Success",
    Outcome.RETRIES_EXHAUSTED: "RetriesExhausted",
    Outcome.EVENT_AGE_EXCEEDED: "EventAgeExceeded",
    Outcome.ZERO_RESERVED_CONCURRENCY: "ZeroReservedConcurrency",
}


class RecordOutcome(enum.IntEnum):
    """How a record of an event-source mapping ended (docs/model.md §7–8).

    Stream records (Kinesis, DynamoDB Streams) end ``PROCESSED``, ``RETRY_ATTEMPTS_EXHAUSTED``,
    ``RECORD_AGE_EXCEEDED`` or ``EXPIRED``; queue messages (SQS) end ``PROCESSED``,
    ``DEAD_LETTERED`` or ``EXPIRED``.
    """

    PENDING = 0  #: not resolved by the run's ``until``
    PROCESSED = 1  #: part of a batch that succeeded (SQS: the message was deleted)
    #: streams: ``maximum_retry_attempts`` used up; the batch went to the on-failure destination
    RETRY_ATTEMPTS_EXHAUSTED = 2
    #: streams: older than ``maximum_record_age_s``; the batch went to the on-failure destination
    RECORD_AGE_EXCEEDED = 3
    #: older than the stream's or queue's retention period: lost unprocessed
    EXPIRED = 4
    #: SQS: received more than ``max_receive_count`` times; moved to the queue's dead-letter queue
    DEAD_LETTERED = 5

    @property
    def condition(self) -> str | None:
        """AWS's ``requestContext.condition`` of the on-failure record, or ``None``.

        ``"RetryAttemptsExhausted"`` and ``"RecordAgeExceeded"`` for the two stream outcomes
        that send a batch to the on-failure destination; ``None`` for every other outcome
        (SQS's dead-letter queue is SQS's redrive, which carries no Lambda condition).
        """
        return _RECORD_CONDITIONS.get(self)


_RECORD_CONDITIONS = {
    RecordOutcome.RETRY_ATTEMPTS_EXHAUSTED: "RetryAttemptsExhausted",
    RecordOutcome.RECORD_AGE_EXCEEDED: "RecordAgeExceeded",
}


class ThrottleReason(enum.IntEnum):
    """Why an attempt was throttled (``result.requests["throttle_reason"]``: the last throttle's reason)."""

    NONE = 0
    #: the function's reserved concurrency is in use
    RESERVED_FUNCTION_CONCURRENT_INVOCATION_LIMIT_EXCEEDED = 1
    #: the account's unreserved pool is in use
    CONCURRENT_INVOCATION_LIMIT_EXCEEDED = 2
    #: a new environment was needed and the scaling-rate bucket was empty
    FUNCTION_SCALING_RATE_EXCEEDED = 3
    #: the account's request rate: 10 × its concurrency limit per second (docs/model.md §14)
    FUNCTION_INVOCATION_RATE_LIMIT_EXCEEDED = 4
    #: the function's request rate: 10 × its reservation per second (docs/model.md §14)
    RESERVED_FUNCTION_INVOCATION_RATE_LIMIT_EXCEEDED = 5
    #: AWS's codes for limits lambda_core does not model: no run produces them
    CALLER_RATE_LIMIT_EXCEEDED = 6
    CONCURRENT_SNAPSHOT_CREATE_LIMIT_EXCEEDED = 7

    @property
    def aws_name(self) -> str:
        """The reason as AWS spells it, e.g. ``ReservedFunctionConcurrentInvocationLimitExceeded``."""
        return _AWS_NAMES[self]


_AWS_NAMES = {
    ThrottleReason.NONE: "",
    ThrottleReason.RESERVED_FUNCTION_CONCURRENT_INVOCATION_LIMIT_EXCEEDED: "ReservedFunctionConcurrentInvocationLimitExceeded",
    ThrottleReason.CONCURRENT_INVOCATION_LIMIT_EXCEEDED: "ConcurrentInvocationLimitExceeded",
    ThrottleReason.FUNCTION_SCALING_RATE_EXCEEDED: "FunctionScalingRateExceeded",
    ThrottleReason.FUNCTION_INVOCATION_RATE_LIMIT_EXCEEDED: "FunctionInvocationRateLimitExceeded",
    ThrottleReason.RESERVED_FUNCTION_INVOCATION_RATE_LIMIT_EXCEEDED: "ReservedFunctionInvocationRateLimitExceeded",
    ThrottleReason.CALLER_RATE_LIMIT_EXCEEDED: "CallerRateLimitExceeded",
    ThrottleReason.CONCURRENT_SNAPSHOT_CREATE_LIMIT_EXCEEDED: "ConcurrentSnapshotCreateLimitExceeded",
}


class Routing(enum.IntEnum):
    """Which idle environment a warm request gets (docs/model.md §3)."""

    NEWEST = 0  #: the most recently created idle environment (default)
    MRU = 1  #: the most recently freed (ties: the newest created)
    OLDEST = 2  #: the least recently created


#: The routing policies by name, in :class:`Routing`'s order: the names ``Simulator(routing=...)``
#: and scenario files take and the engine's record carries (``"newest"``, ``"mru"``, ``"oldest"``).
ROUTING_NAMES: tuple[str, ...] = tuple(r.name.lower() for r in Routing)


class Trigger(enum.Enum):
    """AWS services that invoke functions, and how they invoke them (docs/model.md §5–6).

    ``Workload(..., invocation_type=lc.Trigger.S3)`` gives every row the trigger's invocation
    type; ``lc.Trigger.S3.invocation_type`` is ``InvocationType.EVENT``.
    """

    # synchronous (RequestResponse)
    API_GATEWAY = "Amazon API Gateway"
    ALB = "Application Load Balancer"
    CLOUDFRONT = "Amazon CloudFront (Lambda@Edge)"
    S3_BATCH = "Amazon S3 Batch Operations"
    COGNITO = "Amazon Cognito"
    STEP_FUNCTIONS = "AWS Step Functions"
    LEX = "Amazon Lex"
    FIREHOSE = "Amazon Data Firehose"
    # asynchronous (Event)
    S3 = "Amazon S3"
    SNS = "Amazon SNS"
    EVENTBRIDGE = "Amazon EventBridge (CloudWatch Events)"
    CODECOMMIT = "AWS CodeCommit"
    CODEPIPELINE = "AWS CodePipeline"

    @property
    def invocation_type(self) -> InvocationType:
        """How this service invokes a function."""
        return InvocationType.EVENT if self in _ASYNC_TRIGGERS else InvocationType.REQUEST_RESPONSE


_ASYNC_TRIGGERS = frozenset({Trigger.S3, Trigger.SNS, Trigger.EVENTBRIDGE, Trigger.CODECOMMIT, Trigger.CODEPIPELINE})

"""Lambda's quotas and limits as lambda_core applies them (``lambda-core limits``, docs/limits.md).

Every number is read from the module that applies it (or from a default :class:`Account`), so
this table cannot disagree with the run; the only numbers typed here are those of quotas
lambda_core does not model, which have no other home."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TypeAlias

from .. import _core
from . import deployment, payloads, vpc
from .account import REQUESTS_PER_SECOND_PER_CONCURRENCY, Account
from .function import _AWS_RANGES, ENVIRONMENT_LIMIT_BYTES, FUNCTION_NAME_MAX_LENGTH, INIT_LIMIT_S, Function
from .mappings import _RANGES as _MAPPING_RANGES
from .pools import plan_pools
from .queues import (
    _FIFO_BATCH_SIZE_MAX,
    _MAX_RECEIVE_COUNT,
    _MESSAGE_RETENTION_S,
    _VISIBILITY_TIMEOUT_S,
    QUEUE_RETENTION_DEFAULT_S,
    SqsQueue,
)
from .streams import _KINESIS_RETENTION_HOURS, STREAM_RETENTION_DEFAULT_S, KinesisStream

__all__ = ["Quota", "Value", "SECTIONS", "quotas"]

Number: TypeAlias = int | float
#: A quota's value: a number, a range ``(low, high)``, a mode's name, or ``None`` for no limit.
Value: TypeAlias = Number | tuple[Number, Number] | str | None

#: The sections, in the order they are printed: key → heading.
SECTIONS: dict[str, str] = {
    "account": "Account",
    "function": "Function",
    "invocation": "Invocation",
    "deployment": "Deployment",
    "vpc": "VPC",
    "event-sources": "Event sources",
}

NOT_MODELLED = "not modelled"
#: What a row's source becomes when the scenario's account, not AWS, set its number.
SCENARIO_SOURCE = "the scenario's account"

# the documents the numbers come from, by name only: the repository points nowhere outside it
_QUOTAS = "AWS Lambda quotas (developer guide)"
_API = "Lambda API reference"
_GUIDE = "Lambda developer guide"
_OURS = "lambda_core's choice"

# AWS's numbers for quotas no module applies: this table is their only home.
_STORAGE_GB = 75
_FILE_DESCRIPTORS = 1024
_PROCESSES = 1024


@dataclasses.dataclass(frozen=True)
class Quota:
    """One quota or limit as lambda_core applies it."""

    #: A key of :data:`SECTIONS`.
    section: str
    #: AWS's name for it (lambda_core's where AWS has none).
    name: str
    value: Value
    unit: str
    #: Whether AWS raises it on request (Service Quotas).
    adjustable: bool
    #: What in lambda_core applies it, or :data:`NOT_MODELLED`.
    applied: str
    #: Where the number comes from, in words.
    source: str
    #: The value with AWS's defaults (``Account()``), set by :func:`quotas`; a row of the
    #: scenario's own functions has its own value here.
    default: Value = None

    @property
    def differs(self) -> bool:
        """Whether the scenario's account changed this row from AWS's default."""
        return self.value != self.default


def quotas(account: Account | None = None, functions: Sequence[Function] = ()) -> list[Quota]:
    """The quotas as lambda_core applies them with ``account`` (default ``Account()``: AWS's) and
    ``functions`` (a scenario's: they add the unreserved pool their reservations leave and each
    reserved function's request rate), in :data:`SECTIONS` order, each row's ``default`` set.
    Reservations the account would refuse raise as :func:`plan_pools` raises them."""
    defaults = {(q.section, q.name): q for q in _rows(Account(), ())}
    rows = []
    for q in _rows(Account() if account is None else account, functions):
        aws = defaults.get((q.section, q.name))
        if aws is None:  # the scenario's own row: nothing of AWS's to differ from
            q = dataclasses.replace(q, default=q.value)
        else:
            # a different number from the same source can only be the scenario's
            source = SCENARIO_SOURCE if q.value != aws.value and q.source == aws.source else q.source
            q = dataclasses.replace(q, default=aws.value, source=source)
        rows.append(q)
    return rows


def _rows(account: Account, functions: Sequence[Function]) -> list[Quota]:
    return [*_account(account, functions), *_function(), *_invocation(account, functions),
            *_deployment(), *_vpc(account), *_event_sources()]


def _account(account: Account, functions: Sequence[Function]) -> list[Quota]:
    s = "account"
    scaling = account.scaling
    if scaling is None:
        bucket = "off (Account.scaling = None)"
        burst: Value = None
        refill: Value = None
        bucket_source = SCENARIO_SOURCE
    else:
        bucket = (f'Account.scaling = "{scaling}": '
                  + ("a bucket per function" if scaling == "current" else "one bucket for the account"))
        burst, refill = account.burst, account.refill_per_s
        bucket_source = ("AWS's announcement of November 2023 (12 times faster scaling)"
                         if scaling == "current" else f"{_GUIDE} before November 2023 (burst concurrency)")
    rows = [
        Quota(s, "Concurrent executions", account.concurrency_limit, "executions", True,
              "Account.concurrency_limit", _QUOTAS),
        Quota(s, "Unreserved concurrency minimum", account.min_unreserved, "executions", False,
              "Account.unreserved_min (plan_pools)",
              f"{_GUIDE}; for small limits, AWS's error messages"),
        Quota(s, "Scaling burst (new environments at once)", burst, "environments", False,
              bucket, bucket_source),
        Quota(s, "Scaling refill", refill, "environments/s", False, bucket,
              bucket_source),
    ]
    if functions:
        plan = plan_pools(account, functions)
        rows.append(Quota(s, "Unreserved concurrency", plan.unreserved_capacity, "executions", False,
                          "plan_pools: the limit less the functions' reservations",
                          "the scenario's reservations (docs/model.md §2)"))
    return rows


def _function() -> list[Quota]:
    s = "function"
    ranges = {field: (low, high) for field, _, low, high in _AWS_RANGES if high is not None}
    event_invoke = f"{_API} (PutFunctionEventInvokeConfig)"
    return [
        Quota(s, "Function memory allocation", ranges["memory_mb"], "MB", False, "Function.memory_mb",
              _QUOTAS),
        Quota(s, "Function timeout", ranges["timeout_s"], "s", False, "Function.timeout_s", _QUOTAS),
        Quota(s, "Function environment variables", ENVIRONMENT_LIMIT_BYTES, "bytes", False,
              "Function.environment (keys and values, UTF-8)", _QUOTAS),
        Quota(s, "/tmp directory storage", ranges["ephemeral_storage_mb"], "MB", False,
              "Function.ephemeral_storage_mb", _QUOTAS),
        Quota(s, "Init phase of an on-demand environment", INIT_LIMIT_S, "s", False, "Function.init_s",
              f"{_GUIDE} (execution environment lifecycle)"),
        Quota(s, "Asynchronous retry attempts", ranges["max_retry_attempts"], "retries", False,
              "Function.max_retry_attempts", event_invoke),
        Quota(s, "Maximum event age", ranges["max_event_age_s"], "s", False, "Function.max_event_age_s",
              event_invoke),
        Quota(s, "Function name length", FUNCTION_NAME_MAX_LENGTH, "characters", False, "Function.name",
              f"{_API} (CreateFunction)"),
        Quota(s, "File descriptors", _FILE_DESCRIPTORS, "descriptors", False, NOT_MODELLED, _QUOTAS),
        Quota(s, "Execution processes and threads", _PROCESSES, "processes", False, NOT_MODELLED, _QUOTAS),
    ]


def _invocation(account: Account, functions: Sequence[Function]) -> list[Quota]:
    s = "invocation"
    per_unit = REQUESTS_PER_SECOND_PER_CONCURRENCY
    on = account.invocation_rate_limit
    applied = "Account.invocation_rate_limit" if on else "off (Account.invocation_rate_limit = False)"
    rows = [
        Quota(s, "Invocation requests per unit of concurrency", per_unit, "requests/s", False, applied,
              _QUOTAS),
        Quota(s, "Invocation requests per Region", per_unit * account.concurrency_limit if on else None,
              "requests/s", False, applied, _QUOTAS),
    ]
    for f in functions:
        rc = f.reserved_concurrency
        if rc:  # a reservation of 0 throttles every attempt before the rate is looked at
            rows.append(Quota(s, f"Invocation requests of {f.name} (reserved {rc})",
                              per_unit * rc if on else None, "requests/s", False, applied,
                              "the scenario's reservation (docs/model.md §14)"))
    sync_mb = _mb(payloads.SYNC_PAYLOAD_LIMIT_BYTES)
    rows += [
        Quota(s, "Invocation payload, synchronous request", sync_mb, "MB", False,
              "Workload.payload_bytes: REQUEST_TOO_LARGE", _QUOTAS),
        # AWS's one quota covers the response too
        Quota(s, "Invocation payload, synchronous response", sync_mb, "MB", False, NOT_MODELLED, _QUOTAS),
        Quota(s, "Invocation payload, asynchronous event", _mb(payloads.ASYNC_PAYLOAD_LIMIT_BYTES), "MB",
              False, "Workload.payload_bytes: REQUEST_TOO_LARGE",
              f"{_QUOTAS}; 256 KB before October 2025"),
    ]
    return rows


def _deployment() -> list[Quota]:
    s = "deployment"
    return [
        Quota(s, "Deployment package (.zip), uploaded directly", deployment.ZIP_DIRECT_UPLOAD_LIMIT_MB, "MB",
              False, "Function.code_size_mb", _QUOTAS),
        Quota(s, "Deployment package, unzipped, layers included", deployment.UNZIPPED_LIMIT_MB, "MB", False,
              "Function.unzipped_size_mb + Function.layer_sizes_mb", _QUOTAS),
        Quota(s, "Layers per function", deployment.LAYERS_LIMIT, "layers", False, "Function.layer_sizes_mb",
              _QUOTAS),
        Quota(s, "Container image, uncompressed", deployment.IMAGE_LIMIT_MB, "MB", False,
              'Function.code_size_mb (package_type = "Image")', _QUOTAS),
        Quota(s, "Function and layer storage", _STORAGE_GB, "GB", True, NOT_MODELLED, _QUOTAS),
    ]


def _vpc(account: Account) -> list[Quota]:
    s = "vpc"
    vpc_config = f"{_API} (VpcConfig)"
    return [
        Quota(s, "VPC networking", account.vpc_networking, "", False, "Account.vpc_networking",
              f"{_GUIDE} (Hyperplane ENIs, September 2019)"),
        Quota(s, "Elastic network interfaces per VPC", account.eni_quota, "network interfaces", True,
              "Account.eni_quota: ENI_LIMIT_REACHED", _QUOTAS),
        Quota(s, "Hyperplane ENI creation", account.eni_ready_s, "s", False,
              "Account.eni_ready_s (Pending meanwhile)",
              f"{_OURS} (AWS: tens of seconds to minutes)"),
        Quota(s, "Legacy ENI creation per environment", account.eni_init_s, "s", False,
              "Account.eni_init_s (added to the init)", _OURS),
        Quota(s, "Idle time before a VPC function is Inactive", account.inactive_after_s, "s", False,
              "Account.inactive_after_s: FUNCTION_INACTIVE", f"{_GUIDE} (function states)"),
        Quota(s, "Subnets per function", vpc.MAX_SUBNETS, "subnets", False, "VpcConfig.subnet_ids",
              vpc_config),
        Quota(s, "Security groups per function", vpc.MAX_SECURITY_GROUPS, "security groups", False,
              "VpcConfig.security_group_ids", vpc_config),
    ]


def _event_sources() -> list[Quota]:
    s = "event-sources"
    esm = {field: (low, high) for field, _, low, high in _MAPPING_RANGES}
    mapping = f"{_API} (CreateEventSourceMapping)"
    sqs = "Amazon SQS API reference (SetQueueAttributes)"
    streams = f"{_GUIDE} (stream event sources)"
    return [
        Quota(s, "Batch size", esm["batch_size"], "records", False, "EventSourceMapping.batch_size", mapping),
        Quota(s, "Batch size, FIFO queue", (esm["batch_size"][0], _FIFO_BATCH_SIZE_MAX), "records", False,
              "EventSourceMapping.batch_size", mapping),
        Quota(s, "Default batch size, streams", KinesisStream.BATCH_SIZE_DEFAULT, "records", False,
              "EventSourceMapping.batch_size", mapping),
        Quota(s, "Default batch size, SQS", SqsQueue.BATCH_SIZE_DEFAULT, "records", False,
              "EventSourceMapping.batch_size", mapping),
        Quota(s, "Batching window", esm["batching_window_s"], "s", False, "EventSourceMapping.batching_window_s",
              mapping),
        Quota(s, "Parallelization factor", esm["parallelization_factor"], "batches per shard", False,
              "EventSourceMapping.parallelization_factor", mapping),
        Quota(s, "Stream retry attempts (-1: until expiry)", esm["maximum_retry_attempts"],
              "retries", False, "EventSourceMapping.maximum_retry_attempts", mapping),
        Quota(s, "Stream record age (-1: no limit)", esm["maximum_record_age_s"], "s", False,
              "EventSourceMapping.maximum_record_age_s", mapping),
        Quota(s, "Maximum concurrency, SQS", esm["maximum_concurrency"], "batches", False,
              "EventSourceMapping.maximum_concurrency", mapping),
        Quota(s, "Poll interval, Kinesis", _core.POLL_INTERVAL_S["kinesis"], "s", False,
              "the engine's stream lanes", streams),
        Quota(s, "Poll interval, DynamoDB Streams", _core.POLL_INTERVAL_S["dynamodb"], "s", False,
              "the engine's stream lanes", streams),
        Quota(s, "Kinesis retention period", _KINESIS_RETENTION_HOURS, "hours", False,
              "KinesisStream.retention_s", "Amazon Kinesis API reference (IncreaseStreamRetentionPeriod)"),
        Quota(s, "Default stream retention", STREAM_RETENTION_DEFAULT_S, "s", False,
              "KinesisStream.retention_s, DynamoDBStream.retention_s", streams),
        Quota(s, "SQS visibility timeout", _VISIBILITY_TIMEOUT_S, "s", False, "SqsQueue.visibility_timeout_s",
              sqs),
        Quota(s, "SQS message retention period", _MESSAGE_RETENTION_S, "s", False, "SqsQueue.retention_s", sqs),
        Quota(s, "Default SQS message retention", QUEUE_RETENTION_DEFAULT_S, "s", False, "SqsQueue.retention_s",
              sqs),
        Quota(s, "SQS maximum receive count", _MAX_RECEIVE_COUNT, "receives", False,
              "SqsQueue.max_receive_count", "Amazon SQS developer guide (dead-letter queues)"),
    ]


def _mb(size_bytes: int) -> Number:
    """Bytes in MB of 2**20 bytes, the package's MB (an int when whole)."""
    mb = size_bytes / 2**20
    return int(mb) if mb.is_integer() else mb

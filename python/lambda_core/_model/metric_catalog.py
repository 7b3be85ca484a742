"""The catalog of the per-period metrics (docs/metrics.md): every metric's name, unit,
statistics, the levels it exists at, and where its values come from. The one home of these
facts: the engine's series, :class:`~lambda_core.Metrics`, its exports and the docs' table are
all checked against it.

Names, units and statistics are CloudWatch's (namespace ``AWS/Lambda``; the SQS metric
``AWS/SQS``); the metrics marked ``ours`` are lambda_core's own, beside them.
"""

from __future__ import annotations

import dataclasses
from typing import Literal, TypeAlias

__all__ = ["Level", "Source", "MetricSpec", "METRICS", "BY_NAME", "PERCENTILES", "specs_at"]

#: Where a metric exists: per function (dimension ``FunctionName``), for the account (no
#: dimension), per event-source mapping (``EventSource`` and ``FunctionName``).
Level: TypeAlias = Literal["function", "account", "mapping"]

#: Where a metric's values come from:
#: ``engine`` — a series the engine computes while it runs, under the same name;
#: ``sum`` — at the account, the sum over functions of the function-level series;
#: ``claimed`` — ``UnreservedConcurrentExecutions`` plus every reservation and the provisioned
#: concurrency of functions without one (a constant while the configuration is fixed);
#: ``utilization`` — ``ProvisionedConcurrentExecutions / provisioned_concurrency``;
#: ``zero`` — always 0 in the simulator (it models no delivery failures).
Source: TypeAlias = Literal["engine", "sum", "claimed", "utilization", "zero"]

#: Duration's percentiles, as CloudWatch names them (``p99``), and their fractions.
PERCENTILES: dict[str, float] = {"p50": 0.50, "p90": 0.90, "p99": 0.99}


@dataclasses.dataclass(frozen=True)
class MetricSpec:
    name: str
    #: CloudWatch's unit name (``Count``, ``Milliseconds``, ``Seconds``, ``None``).
    unit: str
    #: The statistics kept, the first the metric's own (what ``MetricSet[name]`` gives).
    statistics: tuple[str, ...]
    #: Per level, where its values come from.
    levels: dict[Level, Source]
    #: CloudWatch's namespace, or ``None`` for lambda_core's own metrics.
    namespace: str | None = "AWS/Lambda"
    #: Only for mappings of this kind of source (``"stream"`` or ``"queue"``); ``None``: all.
    source_kind: str | None = None
    doc: str = ""
    #: The whole-run counter a Sum series adds up to exactly (a key of ``Result.functions``
    #: for function metrics, of ``Result.mappings[source]`` for mapping metrics), if any.
    counter: str | None = None
    #: Levels that keep fewer statistics than ``statistics`` (the account's EnvironmentsAlive:
    #: its maximum is not kept, since environments are found expired lazily per function).
    limited: dict[Level, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def statistics_at(self, level: Level) -> tuple[str, ...]:
        return self.limited.get(level, self.statistics)

    @property
    def ours(self) -> bool:
        return self.namespace is None


_F_A: dict[Level, Source] = {"function": "engine", "account": "sum"}
_F: dict[Level, Source] = {"function": "engine"}
_M: dict[Level, Source] = {"mapping": "engine"}
_SUM = ("Sum",)
_MAX = ("Maximum",)
_DURATION = ("Average", "Minimum", "Maximum", *PERCENTILES)

METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("Invocations", "Count", _SUM, _F_A, counter="invocations",
               doc="attempts that reached the function code (errors and timeouts included, each "
                   "asynchronous retry again), stamped at the attempt's start"),
    MetricSpec("Errors", "Count", _SUM, _F_A, counter="errors",
               doc="invocations that ended in a function error or a timeout, stamped at their start"),
    MetricSpec("Throttles", "Count", _SUM, _F_A, counter="throttles", doc="throttled attempts, every reason, stamped at the attempt"),
    MetricSpec("Duration", "Milliseconds", _DURATION, {"function": "engine", "account": "engine"},
               doc="handler time (init excluded) of the invocations that ended in the period"),
    MetricSpec("ConcurrentExecutions", "Count", _MAX, {"function": "engine", "account": "engine"},
               doc="the exact maximum, within the period, of executions initialising or busy"),
    MetricSpec("UnreservedConcurrentExecutions", "Count", _MAX, {"account": "engine"},
               doc="the same over the on-demand executions of functions without a reservation"),
    MetricSpec("ClaimedAccountConcurrency", "Count", _MAX, {"account": "claimed"},
               doc="UnreservedConcurrentExecutions + Σ reserved + Σ provisioned of functions "
                   "without a reservation"),
    MetricSpec("ProvisionedConcurrentExecutions", "Count", _MAX, _F,
               doc="the exact maximum of provisioned environments busy"),
    MetricSpec("ProvisionedConcurrencyInvocations", "Count", _SUM, _F_A, counter="provisioned_invocations",
               doc="invocations that ran on a provisioned environment"),
    MetricSpec("ProvisionedConcurrencySpilloverInvocations", "Count", _SUM, _F_A, counter="spillover_invocations",
               doc="invocations of a function with provisioned concurrency that ran on demand"),
    MetricSpec("ProvisionedConcurrencyUtilization", "None", _MAX, {"function": "utilization"},
               doc="ProvisionedConcurrentExecutions / provisioned_concurrency (a ratio, 0–1)"),
    MetricSpec("AsyncEventsReceived", "Count", _SUM, _F_A, counter="async_events_received",
               doc="events accepted into the function's event queue, once per event"),
    MetricSpec("AsyncEventAge", "Milliseconds", ("Average", "Maximum"), _F,
               doc="from the event's enqueue to each attempt that ran, for attempts in the period"),
    MetricSpec("AsyncEventsDropped", "Count", _SUM, _F_A, counter="async_events_dropped",
               doc="events dropped: retries exhausted, too old, or a reservation of 0"),
    MetricSpec("DeadLetterErrors", "Count", _SUM, {"function": "zero"}, doc="always 0 (no delivery failures)"),
    MetricSpec("DestinationDeliveryFailures", "Count", _SUM, {"function": "zero"},
               doc="always 0 (no delivery failures)"),
    # event-source mappings (CloudWatch's EventCount group)
    MetricSpec("IteratorAge", "Milliseconds", _MAX, _M, source_kind="stream",
               doc="at each invocation, now − the arrival of the batch's last record"),
    MetricSpec("PolledEventCount", "Count", _SUM, _M, counter="polled_records",
               doc="records read from the source (a queue's message at each receive)"),
    MetricSpec("InvokedEventCount", "Count", _SUM, _M, counter="invoked_records",
               doc="records in the batches that invoked the function (each retry again)"),
    MetricSpec("FailedInvokeEventCount", "Count", _SUM, _M, counter="failed_invoke_records",
               doc="records in invocations that failed (an error or timeout, stamped at the "
                   "invocation's end) or were throttled"),
    MetricSpec("DroppedEventCount", "Count", _SUM, _M,
               doc="records that left without being processed (retries exhausted, too old, "
                   "expired, dead-lettered)"),
    MetricSpec("OnFailureDestinationDeliveredEventCount", "Count", _SUM, _M, counter="on_failure_records",
               doc="records sent to the mapping's on-failure destination (a queue's DLQ)"),
    MetricSpec("DeletedEventCount", "Count", _SUM, _M, source_kind="queue",
               doc="messages deleted from the queue after their batch succeeded"),
    MetricSpec("ApproximateNumberOfMessagesVisible", "Count", _MAX, _M, namespace="AWS/SQS",
               source_kind="queue", doc="the exact maximum of messages waiting to be received"),
    # ours
    MetricSpec("ColdStarts", "Count", _SUM, _F_A, counter="cold_starts", namespace=None,
               doc="invocations that paid init (a new environment, or one re-initialising)"),
    MetricSpec("Timeouts", "Count", _SUM, _F_A, counter="timeouts", namespace=None, doc="invocations that timed out, stamped at their start"),
    MetricSpec("ThrottlesReserved", "Count", _SUM, _F_A, counter="throttles_reserved", namespace=None,
               doc="throttles for the function's reservation (ReservedFunctionConcurrentInvocationLimitExceeded)"),
    MetricSpec("ThrottlesUnreserved", "Count", _SUM, _F_A, counter="throttles_unreserved", namespace=None,
               doc="throttles for the unreserved pool (ConcurrentInvocationLimitExceeded)"),
    MetricSpec("ThrottlesScaling", "Count", _SUM, _F_A, counter="throttles_scaling", namespace=None,
               doc="throttles for the scaling rate (FunctionScalingRateExceeded)"),
    MetricSpec("ThrottlesRate", "Count", _SUM, _F_A, counter="throttles_rate", namespace=None,
               doc="throttles for the account's request rate (FunctionInvocationRateLimitExceeded)"),
    MetricSpec("ThrottlesReservedRate", "Count", _SUM, _F_A, counter="throttles_reserved_rate", namespace=None,
               doc="throttles for the reservation's request rate (ReservedFunctionInvocationRateLimitExceeded)"),
    MetricSpec("ConflictsPending", "Count", _SUM, _F_A, counter="conflicts_pending", namespace=None,
               doc="attempts refused while the function was Pending (ResourceConflictException)"),
    MetricSpec("ConflictsInactive", "Count", _SUM, _F_A, counter="conflicts_inactive", namespace=None,
               doc="attempts refused because the function was Inactive (ResourceConflictException)"),
    MetricSpec("EniFailures", "Count", _SUM, _F_A, counter="eni_failures", namespace=None,
               doc="attempts refused for want of an ENI (ENILimitReachedException)"),
    MetricSpec("PayloadsTooLarge", "Count", _SUM, _F_A, counter="payloads_too_large", namespace=None,
               doc="requests refused for their payload size (RequestEntityTooLargeException), stamped at their arrival"),
    MetricSpec("EnvironmentsAlive", "Count", ("Average", "Maximum"), {"function": "engine", "account": "engine"},
               namespace=None, limited={"account": ("Average",)},
               doc="environments idle, initialising or busy (provisioned ones included); the "
                   "account has the Average only"),
    MetricSpec("IdleEnvironmentSeconds", "Seconds", _SUM, {"function": "engine", "account": "sum"}, namespace=None,
               doc="time environments spent alive and idle"),
    MetricSpec("BilledDuration", "Milliseconds", _SUM, _F_A, counter="billed_duration_ms", namespace=None,
               doc="init + handler of each invocation, rounded up to the millisecond (a timeout "
                   "at its timeout), stamped at the invocation's start"),
    MetricSpec("ProvisionedBilledDuration", "Milliseconds", _SUM, _F_A, counter="provisioned_billed_duration_ms", namespace=None,
               doc="the part of BilledDuration that ran on provisioned environments"),
    MetricSpec("ProvisionedColdStarts", "Count", _SUM, _F_A, counter="provisioned_cold_starts", namespace=None,
               doc="cold starts on provisioned environments (re-initialising after a timeout)"),
    MetricSpec("InitDuration", "Microseconds", _SUM, _F_A, counter="init_duration_us", namespace=None,
               doc="init phases of the cold starts (drawn per cold start when init_s is a "
                   "distribution), stamped at the invocation's start"),
    MetricSpec("ProvisionedInitDuration", "Microseconds", _SUM, _F_A, counter="provisioned_init_duration_us",
               namespace=None, doc="the part of InitDuration on provisioned environments"),
    MetricSpec("BatchInvocations", "Count", _SUM, _M, counter="invocations", namespace=None,
               doc="invocations of the mapping's function with its batches"),
)

BY_NAME: dict[str, MetricSpec] = {m.name: m for m in METRICS}


def specs_at(level: Level) -> tuple[MetricSpec, ...]:
    """The metrics that exist at `level`, in catalog order."""
    return tuple(m for m in METRICS if level in m.levels)

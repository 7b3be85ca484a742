"""Event-source mappings (docs/model.md §7–8): what Lambda's ``CreateEventSourceMapping`` creates —
one source, one function, the batching and error-handling parameters — and the duration
model of a batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from .. import _messages as msg
from .. import _validation as v
from .._messages import FUNCTION_NAME_PATTERN
from ..errors import InvalidParameterValueException
from ._frozen import assign
from .function import BARE_NAME, Function
from .sources import SOURCE_KINDS, EventSource

__all__ = ["BatchDuration", "EventSourceMapping", "EventSource", "check_functions"]

# CreateEventSourceMapping's FunctionName member: 1–140 characters (it also takes ARNs).
_ESM_FUNCTION_NAME_MAX_LENGTH = 140

# CreateEventSourceMapping's member ranges, checked whatever the source's kind:
# (python name, AWS member, low, high).
_RANGES = (
    ("batch_size", "batchSize", 1, 10000),
    ("batching_window_s", "maximumBatchingWindowInSeconds", 0, 300),
    ("parallelization_factor", "parallelizationFactor", 1, 10),
    ("maximum_retry_attempts", "maximumRetryAttempts", -1, 10000),
    ("maximum_record_age_s", "maximumRecordAgeInSeconds", -1, 604800),
    ("maximum_concurrency", "scalingConfig.maximumConcurrency", 2, 1000),
)

# The parameters only some kinds take (each kind's MAPPING_PARAMETERS says which, with their
# defaults), in the order they are refused: (python name, the AWS parameter named in the
# "Unsupported" message).
_KIND_PARAMETERS = (
    ("parallelization_factor", "ParallelizationFactor"),
    ("maximum_retry_attempts", "MaximumRetryAttempts"),
    ("maximum_record_age_s", "MaximumRecordAgeInSeconds"),
    ("bisect_batch_on_function_error", "BisectBatchOnFunctionError"),
    ("on_failure", "DestinationConfig"),
    ("maximum_concurrency", "ScalingConfig"),
)


def _parameter_default(value: object) -> Any:
    """A field's default as the constructor's parameter has it (``None``: the source's AWS
    default), for introspection; the instance stores the resolved value of the declared type."""
    return dataclasses.field(default=value)


@dataclasses.dataclass(frozen=True, init=False)
class BatchDuration:
    """How long one batch runs: ``base_s + per_record_s × records`` seconds (docs/model.md §7).

    Parameters
    ----------
    base_s : float, default 0.05
        Fixed part of every batch, in seconds (≥ 0, finite).
    per_record_s : float, default 0.0
        Added for each record of the batch, in seconds (≥ 0, finite).

    Raises :class:`TypeError` for a value that is not an int or float,
    :class:`~lambda_core.errors.InvalidParameterValueException` for a negative or non-finite
    one, and :class:`~lambda_core.errors.EngineLimitError` for one beyond the engine's limit on
    seconds (9e9, about 285 years).
    """

    #: Fixed part of every batch, in seconds.
    base_s: float = 0.05
    #: Seconds added per record of the batch.
    per_record_s: float = 0.0

    def __init__(self, base_s: float = 0.05, per_record_s: float = 0.0) -> None:
        values = {}
        for field, given in (("base_s", base_s), ("per_record_s", per_record_s)):
            value = v.require_real("BatchDuration", field, given)
            v.require_finite("BatchDuration", field, value)
            if value < 0:
                raise InvalidParameterValueException(
                    f"BatchDuration.{field} must be at least 0 seconds, got {value!r}"
                )
            v.engine_limit("BatchDuration", field, value, "seconds")
            values[field] = value
        assign(self, **values)

    def seconds(self, records: int) -> float:
        """Duration of a batch of ``records`` records, in seconds."""
        return self.base_s + self.per_record_s * records


@dataclasses.dataclass(frozen=True, init=False)
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
    #: Most records per batch (resolved: 100 for streams, 10 for SQS).
    batch_size: int = _parameter_default(None)
    #: Batching window in seconds (resolved: 0.0).
    batching_window_s: float = _parameter_default(None)
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
    #: Duration model of a batch; a number given is stored as ``BatchDuration(base_s=...)``.
    duration: BatchDuration = _parameter_default(0.05)

    def __init__(
        self,
        source: EventSource,
        function: str,
        *,
        batch_size: int | None = None,
        batching_window_s: float | None = None,
        parallelization_factor: int | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_record_age_s: int | None = None,
        bisect_batch_on_function_error: bool | None = None,
        on_failure: str | None = None,
        maximum_concurrency: int | None = None,
        duration: BatchDuration | float = 0.05,
    ) -> None:
        owner = "EventSourceMapping"
        # 1. types
        if not isinstance(source, SOURCE_KINDS):
            raise TypeError(
                f"{owner}.source must be a {v.either([k.__name__ for k in SOURCE_KINDS])}, "
                f"got {v.describe(source)}"
            )
        v.require_str(owner, "function", function)
        given_ints = (
            ("batch_size", batch_size),
            ("parallelization_factor", parallelization_factor),
            ("maximum_retry_attempts", maximum_retry_attempts),
            ("maximum_record_age_s", maximum_record_age_s),
            ("maximum_concurrency", maximum_concurrency),
        )
        ints = {f: v.optional_int(owner, f, value) for f, value in given_ints}
        window = v.optional_real(owner, "batching_window_s", batching_window_s)
        bisect = v.optional_bool(
            owner, "bisect_batch_on_function_error", bisect_batch_on_function_error
        )
        destination = v.optional_target(owner, "on_failure", on_failure)
        if not isinstance(duration, BatchDuration) and not v.is_real(duration):
            raise TypeError(
                f"{owner}.duration must be a number of seconds (int or float) or a "
                f"BatchDuration, got {v.describe(duration)}"
            )

        # 2. non-finite and negative numbers (no AWS request can carry them)
        if window is not None:
            v.require_finite(owner, "batching_window_s", window)
        if not isinstance(duration, BatchDuration):
            seconds = float(duration)
            v.require_finite(owner, "duration", seconds)
            if seconds < 0:
                raise InvalidParameterValueException(
                    f"{owner}.duration must be at least 0 seconds, got {seconds!r}"
                )
            duration = BatchDuration(base_s=seconds)

        # 3. CreateEventSourceMapping's member ranges, all at once; values shown as given
        items = v.name_items(
            function, "functionName", BARE_NAME, FUNCTION_NAME_PATTERN, 1,
            _ESM_FUNCTION_NAME_MAX_LENGTH,
        )
        checked: dict[str, tuple[float | None, object]] = {
            f: (ints[f], raw) for f, raw in given_ints
        }
        checked["batching_window_s"] = (window, batching_window_s)
        for field, member, low, high in _RANGES:
            value, raw = checked[field]
            if value is not None:
                items += v.range_item(value, v.aws_value(raw), member, low, high)
        v.raise_items(items)

        # 4. Lambda's semantic checks: the parameters the source's kind does not take, the
        # kind's own checks, the record age
        given = {**ints, "bisect_batch_on_function_error": bisect, "on_failure": destination}
        accepted = source.MAPPING_PARAMETERS
        for field, parameter in _KIND_PARAMETERS:
            if given[field] is not None and field not in accepted:
                raise InvalidParameterValueException(msg.unsupported(parameter))
        size = ints["batch_size"]
        if size is None:
            size = source.BATCH_SIZE_DEFAULT
        source.check_mapping(size, window)
        if window is None:
            window = 0.0
        age = ints["maximum_record_age_s"]
        if age is not None and 0 <= age < 60:
            raise InvalidParameterValueException(msg.RECORD_AGE)

        # the kind's defaults resolved; a parameter the kind does not take is None
        resolved = {
            field: None if field not in accepted
            else accepted[field] if given[field] is None else given[field]
            for field, _ in _KIND_PARAMETERS
        }
        assign(
            self,
            source=source,
            function=function,
            batch_size=size,
            batching_window_s=window,
            **resolved,
            duration=duration,
        )

    @property
    def kind(self) -> str:
        """The source's kind: ``"kinesis"``, ``"dynamodb"`` or ``"sqs"``."""
        return self.source.kind


def check_functions(mappings: Sequence[EventSourceMapping], functions: Sequence[Function]) -> None:
    """``CreateEventSourceMapping``'s checks of each mapping against the function it invokes
    (a queue's visibility timeout at least the function's timeout), in mapping order. A
    mapping naming no function is skipped: the simulator refuses it first."""
    if not mappings:
        return  # without reading the functions, which may be many
    by_name = {f.name: f for f in functions}
    for m in mappings:
        function = by_name.get(m.function)
        if function is not None:
            m.source.check_function(function)

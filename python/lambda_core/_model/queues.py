"""Queue event sources (docs/model.md §8): SQS queues, standard or FIFO."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt

from .. import _messages as msg
from .. import _validation as v
from .._engine_config import QueueConfig, QueueMappingConfig
from ..errors import InvalidAttributeValue, InvalidParameterValueException
from ._frozen import assign
from ._source import SourceKind

if TYPE_CHECKING:
    from .function import Function
    from .mappings import EventSourceMapping

__all__ = ["SqsQueue", "QUEUE_RETENTION_DEFAULT_S"]

#: Default retention of an SQS queue: 4 days.
QUEUE_RETENTION_DEFAULT_S = 345600

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_VISIBILITY_TIMEOUT_S = (0, 43200)  # SQS VisibilityTimeout
_MESSAGE_RETENTION_S = (60, 1209600)  # SQS MessageRetentionPeriod
_MAX_RECEIVE_COUNT = (1, 1000)  # SQS RedrivePolicy maxReceiveCount
_FIFO_BATCH_SIZE_MAX = 10


@dataclasses.dataclass(frozen=True, init=False)
class SqsQueue(SourceKind):
    """An SQS queue, standard or FIFO (docs/model.md §8), validated on construction.

    Only ``name`` is positional. Checks, in this order; every value error carries SQS's text and
    is an :class:`~lambda_core.errors.InvalidParameterValueException` (SQS's
    ``InvalidParameterValue``) for the name, an :class:`~lambda_core.errors.InvalidAttributeValue`
    (a subclass) for the attributes:

    1. wrong Python types → :class:`TypeError` (``fifo`` a ``bool``; ``max_receive_count`` an
       ``int`` or ``None``; the two second fields ints or floats);
    2. a non-finite ``visibility_timeout_s`` or ``retention_s``;
    3. the name: empty; a standard queue's name must be 1–80 characters of
       ``[A-Za-z0-9_-]`` (so it cannot end in ``.fifo``); a FIFO queue's must end in ``.fifo``
       and be 1–80 characters in all;
    4. ``VisibilityTimeout`` a whole number of seconds 0–43200 (``30`` and ``30.0`` alike; SQS
       takes an integer), then ``MessageRetentionPeriod`` 60–1209600 s;
    5. the redrive policy's ``maxReceiveCount``, 1–1000.

    Parameters
    ----------
    name : str
        Queue name (``.fifo`` at the end for a FIFO queue).
    fifo : bool, default False
        A FIFO queue: messages of one group are delivered in order, one batch at a time.
    visibility_timeout_s : float, default 30
        How long received messages stay invisible: whole seconds, 0–43200 (12 hours). A mapping
        of the queue needs it at least its function's timeout (checked when the
        :class:`~lambda_core.Simulator` is built, as ``CreateEventSourceMapping`` does).
    max_receive_count : int or None, default None
        With a redrive policy, a message received more than this many times moves to the
        queue's dead-letter queue (1–1000); ``None`` for no redrive policy.
    retention_s : float, default 345600
        Messages older than this are deleted unprocessed: 60–1209600 s (1 minute to 14 days).
    """

    #: Queue name.
    name: str
    #: ``True`` for a FIFO queue.
    fifo: bool = False
    #: Visibility timeout in whole seconds, 0–43200 (stored as a float).
    visibility_timeout_s: float = 30.0
    #: Redrive policy's ``maxReceiveCount`` (1–1000), or ``None`` for no dead-letter queue.
    max_receive_count: int | None = None
    #: Message retention period in seconds, 60–1209600.
    retention_s: float = float(QUEUE_RETENTION_DEFAULT_S)

    #: ``"sqs"`` (standard and FIFO alike; see :attr:`fifo`).
    kind: ClassVar[str] = "sqs"

    def __init__(
        self,
        name: str,
        *,
        fifo: bool = False,
        visibility_timeout_s: float = 30,
        max_receive_count: int | None = None,
        retention_s: float = QUEUE_RETENTION_DEFAULT_S,
    ) -> None:
        v.require_str("SqsQueue", "name", name)
        is_fifo = v.require_bool("SqsQueue", "fifo", fifo)
        visibility = v.require_real("SqsQueue", "visibility_timeout_s", visibility_timeout_s)
        retention = v.require_real("SqsQueue", "retention_s", retention_s)
        receives = v.optional_int("SqsQueue", "max_receive_count", max_receive_count)
        v.require_finite("SqsQueue", "visibility_timeout_s", visibility)
        v.require_finite("SqsQueue", "retention_s", retention)

        if not name:
            raise InvalidParameterValueException(msg.QUEUE_NAME_EMPTY)
        if is_fifo and not _FIFO_QUEUE_NAME.fullmatch(name):
            raise InvalidParameterValueException(msg.FIFO_QUEUE_NAME)
        if not is_fifo and not _QUEUE_NAME.fullmatch(name):
            raise InvalidParameterValueException(msg.QUEUE_NAME)

        low, high = _VISIBILITY_TIMEOUT_S
        if not (low <= visibility <= high and visibility.is_integer()):
            raise InvalidAttributeValue(msg.queue_attribute("VisibilityTimeout"))
        low, high = _MESSAGE_RETENTION_S
        if not low <= retention <= high:
            raise InvalidAttributeValue(msg.queue_attribute("MessageRetentionPeriod"))
        low, high = _MAX_RECEIVE_COUNT
        if receives is not None and not low <= receives <= high:
            raise InvalidParameterValueException(msg.max_receive_count(receives))
        assign(
            self,
            name=name,
            fifo=is_fifo,
            visibility_timeout_s=visibility,
            max_receive_count=receives,
            retention_s=retention,
        )

    BATCH_SIZE_DEFAULT: ClassVar[int] = 10
    MAPPING_PARAMETERS: ClassVar[dict[str, object]] = {"maximum_concurrency": None}  # no cap
    ENGINE_MAPPINGS: ClassVar[str] = "queue_mappings"
    METRIC_KIND: ClassVar[str] = "queue"
    HIDDEN_COUNTERS: ClassVar[tuple[str, ...]] = ("max_iterator_age",)  # a stream's figure
    SCENARIO_TABLE: ClassVar[str] = "queues"
    SCENARIO_NOUN: ClassVar[str] = "queue"
    SCENARIO_RECORDS: ClassVar[str] = "messages"
    SCENARIO_FIELDS: ClassVar[tuple[tuple[str, type], ...]] = (
        ("fifo", bool), ("visibility_timeout_s", float), ("retention_s", float),
        ("max_receive_count", int),
    )

    def check_mapping(self, batch_size: int, window_s: float | None) -> None:
        if self.fifo and window_s is not None and window_s > 0:
            raise InvalidParameterValueException(msg.FIFO_WINDOW)
        if self.fifo and batch_size > _FIFO_BATCH_SIZE_MAX:
            raise InvalidParameterValueException(msg.FIFO_BATCH_SIZE)
        if batch_size > 10 and (0.0 if window_s is None else window_s) < 1:
            raise InvalidParameterValueException(msg.SQS_WINDOW)

    def engine_source(self) -> QueueConfig:
        return QueueConfig(fifo=self.fifo, visibility_timeout_s=self.visibility_timeout_s,
                           max_receive_count=self.max_receive_count,
                           retention_s=self.retention_s)

    def engine_mapping(
        self,
        mapping: EventSourceMapping,
        *,
        source: int,
        function: int,
        destination: Callable[[str | None], int | None],
        legacy: bool,
    ) -> QueueMappingConfig:
        m = mapping
        return QueueMappingConfig(
            queue=source, function=function, batch_size=m.batch_size,
            window_s=m.batching_window_s, maximum_concurrency=m.maximum_concurrency,
            legacy=legacy, base_s=m.duration.base_s, per_record_s=m.duration.per_record_s,
        )

    def check_function(self, function: Function) -> None:
        """``CreateEventSourceMapping``: the queue's visibility timeout is at least the
        function's timeout. With Lambda's 1 s minimum timeout, a mapped queue's messages come
        back no sooner than 1 s after a receive, which bounds the receives of a busy function's
        throttled batches (docs/reliability.md, "Bounded work per simulated second")."""
        if self.visibility_timeout_s < function.timeout_s:
            raise InvalidParameterValueException(
                msg.visibility_below_timeout(self.visibility_timeout_s, function.timeout_s)
            )

    def record_columns(
        self, keys: npt.NDArray[Any], mapping: EventSourceMapping
    ) -> dict[str, npt.NDArray[Any]]:
        """Each message's ``group``: its message group id (FIFO); standard queues have none."""
        return {"group": keys if self.fifo else np.zeros(len(keys), np.int64)}

    @property
    def records_keyed(self) -> bool:
        """Only a FIFO queue's messages carry keys (message group ids)."""
        return self.fifo

    def describe(self) -> str:
        return (
            f"{'FIFO' if self.fifo else 'standard'} SQS queue, visibility timeout "
            f"{self.visibility_timeout_s:g} s, "
            + ("no redrive policy" if self.max_receive_count is None
               else f"max receive count {self.max_receive_count}")
            + f", retention {self.retention_s:g} s"
        )

    def describe_mapping(self, mapping: EventSourceMapping) -> list[str]:
        return ["no maximum concurrency" if mapping.maximum_concurrency is None
                else f"maximum concurrency {mapping.maximum_concurrency}"]

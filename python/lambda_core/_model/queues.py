"""Queue event sources (docs/model.md §8): SQS queues, standard or FIFO."""

from __future__ import annotations

import dataclasses
import re

from .. import _messages as msg
from .. import _validation as v
from ..errors import InvalidParameterValueException
from ._frozen import assign

__all__ = ["SqsQueue", "QUEUE_RETENTION_DEFAULT_S"]

#: Default retention of an SQS queue: 4 days.
QUEUE_RETENTION_DEFAULT_S = 345600

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_VISIBILITY_TIMEOUT_S = (0, 43200)  # SQS VisibilityTimeout
_MESSAGE_RETENTION_S = (60, 1209600)  # SQS MessageRetentionPeriod
_MAX_RECEIVE_COUNT = (1, 1000)  # SQS RedrivePolicy maxReceiveCount


@dataclasses.dataclass(frozen=True, init=False)
class SqsQueue:
    """An SQS queue, standard or FIFO (docs/model.md §8), validated on construction.

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
    #: ``True`` for a FIFO queue.
    fifo: bool
    #: Visibility timeout in seconds, 0–43200.
    visibility_timeout_s: float
    #: Redrive policy's ``maxReceiveCount`` (1–1000), or ``None`` for no dead-letter queue.
    max_receive_count: int | None
    #: Message retention period in seconds, 60–1209600.
    retention_s: float

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
        if not low <= visibility <= high:
            raise InvalidParameterValueException(msg.queue_attribute("VisibilityTimeout"))
        low, high = _MESSAGE_RETENTION_S
        if not low <= retention <= high:
            raise InvalidParameterValueException(msg.queue_attribute("MessageRetentionPeriod"))
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

    @property
    def kind(self) -> str:
        """``"sqs"`` (standard and FIFO alike; see :attr:`fifo`)."""
        return "sqs"

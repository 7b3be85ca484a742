"""Stream event sources (docs/model.md §7): Kinesis data streams and DynamoDB streams, whose shards
are read in order and whose records are kept for the stream's retention period."""

from __future__ import annotations

import dataclasses
import re

from .. import _messages as msg
from .. import _validation as v
from .._messages import DYNAMODB_TABLE_NAME_PATTERN, KINESIS_STREAM_NAME_PATTERN
from ..errors import InvalidParameterValueException
from ._frozen import assign

__all__ = [
    "KinesisStream",
    "DynamoDBStream",
    "KINESIS_STREAM_NAME_PATTERN",
    "DYNAMODB_TABLE_NAME_PATTERN",
    "STREAM_RETENTION_DEFAULT_S",
]

#: Default retention of a stream: 24 hours (Kinesis's default; DynamoDB Streams' fixed value).
STREAM_RETENTION_DEFAULT_S = 86400

_STREAM_NAME = re.compile(KINESIS_STREAM_NAME_PATTERN)
_TABLE_NAME = re.compile(DYNAMODB_TABLE_NAME_PATTERN)
_KINESIS_RETENTION_HOURS = (24, 8760)  # IncreaseStreamRetentionPeriod's limits


@dataclasses.dataclass(frozen=True, init=False)
class KinesisStream:
    """A Kinesis data stream (docs/model.md §7), validated on construction.

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
       ``InvalidArgumentException``);
    5. ``shards`` above the engine's limit (2^20 shards per stream) →
       :class:`~lambda_core.errors.EngineLimitError`.

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
    #: Number of shards, 1–1048576 (2^20, the engine's limit).
    shards: int
    #: Retention period in seconds, 86400–31536000 (24–8760 hours).
    retention_s: float

    def __init__(
        self, name: str, *, shards: int = 1, retention_s: float = STREAM_RETENTION_DEFAULT_S
    ) -> None:
        v.require_str("KinesisStream", "name", name)
        count = v.require_int("KinesisStream", "shards", shards)
        retention = v.require_real("KinesisStream", "retention_s", retention_s)
        v.require_finite("KinesisStream", "retention_s", retention)

        items = v.range_item(count, str(count), "shardCount", 1, None)
        items += v.name_items(
            name, "streamName", _STREAM_NAME, KINESIS_STREAM_NAME_PATTERN, 1, 128
        )
        v.raise_items(items)

        low, high = _KINESIS_RETENTION_HOURS
        if retention < low * 3600:
            raise InvalidParameterValueException(msg.retention_too_short(retention))
        if retention > high * 3600:
            raise InvalidParameterValueException(msg.retention_too_long(retention))
        v.engine_limit(f"stream {name!r}", "shards", count, "shards")
        assign(self, name=name, shards=count, retention_s=retention)

    @property
    def kind(self) -> str:
        """``"kinesis"``."""
        return "kinesis"

    @property
    def poll_interval_s(self) -> float:
        """How often an idle lane polls its shard: 1.0 s for Kinesis (docs/model.md §7)."""
        return 1.0


@dataclasses.dataclass(frozen=True, init=False)
class DynamoDBStream:
    """A DynamoDB table's stream (docs/model.md §7), validated on construction.

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
       the period cannot be changed;
    5. ``shards`` above the engine's limit (2^20 shards per stream) →
       :class:`~lambda_core.errors.EngineLimitError`.

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
    #: Number of shards, 1–1048576 (2^20, the engine's limit).
    shards: int
    #: Retention period in seconds: always 86400.0 (24 hours).
    retention_s: float

    def __init__(
        self, name: str, *, shards: int = 1, retention_s: float = STREAM_RETENTION_DEFAULT_S
    ) -> None:
        v.require_str("DynamoDBStream", "name", name)
        count = v.require_int("DynamoDBStream", "shards", shards)
        retention = v.require_real("DynamoDBStream", "retention_s", retention_s)
        v.require_finite("DynamoDBStream", "retention_s", retention)

        v.raise_items(
            v.name_items(name, "tableName", _TABLE_NAME, DYNAMODB_TABLE_NAME_PATTERN, 3, 255)
        )

        if count < 1:
            raise InvalidParameterValueException(
                f"DynamoDBStream.shards must be at least 1, got {count}"
            )
        if retention != STREAM_RETENTION_DEFAULT_S:
            raise InvalidParameterValueException(
                "DynamoDBStream.retention_s is fixed at 86400 seconds (24 hours): DynamoDB "
                "Streams keeps records for 24 hours and the period cannot be changed, "
                f"got {retention!r}"
            )
        v.engine_limit(f"stream {name!r}", "shards", count, "shards")
        assign(self, name=name, shards=count, retention_s=retention)

    @property
    def kind(self) -> str:
        """``"dynamodb"``."""
        return "dynamodb"

    @property
    def poll_interval_s(self) -> float:
        """How often an idle lane polls its shard: 0.25 s for DynamoDB Streams (docs/model.md §7)."""
        return 0.25

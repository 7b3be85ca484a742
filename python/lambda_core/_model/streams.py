"""Stream event sources (docs/model.md §7): Kinesis data streams and DynamoDB streams, whose shards
are read in order and whose records are kept for the stream's retention period."""

from __future__ import annotations

import abc
import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy.typing as npt

from .. import _core
from .. import _messages as msg
from .. import _validation as v
from .._engine_config import StreamConfig, StreamMappingConfig
from .._messages import DYNAMODB_TABLE_NAME_PATTERN, KINESIS_STREAM_NAME_PATTERN
from ..errors import InvalidParameterValueException
from ._frozen import assign
from ._source import SourceKind

if TYPE_CHECKING:
    from .mappings import EventSourceMapping

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
class _Stream(SourceKind):
    """What Kinesis and DynamoDB streams share: their fields, shards read in order by lanes
    (docs/model.md §7), the stream mapping's parameters, and one constructor whose AWS checks
    each kind supplies (``_check_aws``)."""

    #: The stream's name (a DynamoDB stream's: its table's).
    name: str
    #: Number of shards, 1–1048576 (2^20, the engine's limit).
    shards: int = 1
    #: Retention period in seconds (the kind's range: see its ``_check_aws``).
    retention_s: float = float(STREAM_RETENTION_DEFAULT_S)

    _LABEL: ClassVar[str]  # what ``lambda-core validate`` calls the kind

    def __init__(
        self, name: str, *, shards: int = 1, retention_s: float = STREAM_RETENTION_DEFAULT_S
    ) -> None:
        self._construct(name, shards, retention_s)

    def _construct(self, name: str, shards: int, retention_s: float) -> None:
        owner = type(self).__name__
        v.require_str(owner, "name", name)
        count = v.require_int(owner, "shards", shards)
        retention = v.require_real(owner, "retention_s", retention_s)
        v.require_finite(owner, "retention_s", retention)
        self._check_aws(name, count, retention)
        v.engine_limit(f"stream {name!r}", "shards", count, "shards")
        assign(self, name=name, shards=count, retention_s=retention)

    @staticmethod
    @abc.abstractmethod
    def _check_aws(name: str, shards: int, retention_s: float) -> None:
        """The kind's AWS checks, raising AWS's exceptions."""

    @property
    def poll_interval_s(self) -> float:
        """How often an idle lane polls its shard, the engine's interval: 1.0 s for Kinesis,
        0.25 s for DynamoDB Streams (docs/model.md §7)."""
        return _core.POLL_INTERVAL_S[self.kind]

    BATCH_SIZE_DEFAULT: ClassVar[int] = 100
    MAPPING_PARAMETERS: ClassVar[dict[str, object]] = {
        "parallelization_factor": 1,
        "maximum_retry_attempts": -1,  # until the records expire
        "maximum_record_age_s": -1,  # no limit
        "bisect_batch_on_function_error": False,
        "on_failure": None,
    }
    ENGINE_MAPPINGS: ClassVar[str] = "stream_mappings"
    METRIC_KIND: ClassVar[str] = "stream"
    # a stream's receives are its attempts; ramp slots are a queue's
    HIDDEN_RECORD_COLUMNS: ClassVar[tuple[str, ...]] = ("receives",)
    HIDDEN_COUNTERS: ClassVar[tuple[str, ...]] = ("max_slots", "max_visible")  # a queue's figures
    SCENARIO_TABLE: ClassVar[str] = "streams"
    SCENARIO_NOUN: ClassVar[str] = "stream"
    SCENARIO_RECORDS: ClassVar[str] = "records"
    SCENARIO_FIELDS: ClassVar[tuple[tuple[str, type], ...]] = (
        ("shards", int), ("retention_s", float),
    )

    def engine_source(self) -> StreamConfig:
        return StreamConfig(kind=self.kind, shards=self.shards, retention_s=self.retention_s)

    def engine_mapping(
        self,
        mapping: EventSourceMapping,
        *,
        source: int,
        function: int,
        destination: Callable[[str | None], int | None],
        legacy: bool,
    ) -> StreamMappingConfig:
        m = mapping
        pf, retries = m.parallelization_factor, m.maximum_retry_attempts
        age, bisect = m.maximum_record_age_s, m.bisect_batch_on_function_error
        # a stream mapping has every stream setting resolved (EventSourceMapping does it)
        assert pf is not None and retries is not None and age is not None and bisect is not None
        return StreamMappingConfig(
            stream=source, function=function, batch_size=m.batch_size,
            window_s=m.batching_window_s, parallelization_factor=pf,
            # AWS's −1: no limit
            max_retry_attempts=None if retries < 0 else retries,
            max_record_age_s=None if age < 0 else float(age),
            bisect=bisect, on_failure=destination(m.on_failure),
            base_s=m.duration.base_s, per_record_s=m.duration.per_record_s,
        )

    def lanes(self, mapping: EventSourceMapping) -> tuple[int, int]:
        return self.shards, mapping.parallelization_factor or 1

    def record_columns(
        self, keys: npt.NDArray[Any], mapping: EventSourceMapping
    ) -> dict[str, npt.NDArray[Any]]:
        """Each record's ``shard`` and ``lane``, from its partition key."""
        lanes = mapping.parallelization_factor
        assert lanes is not None  # resolved for every stream mapping
        shard, lane = _core.stream_lanes(keys, self.shards, lanes)
        return {"shard": shard, "lane": lane}

    def describe(self) -> str:
        shards = f"{self.shards} shard{'' if self.shards == 1 else 's'}"
        return f"{self._LABEL}, {shards}, retention {self.retention_s:g} s"

    def describe_mapping(self, mapping: EventSourceMapping) -> list[str]:
        m = mapping
        parts = [f"parallelization factor {m.parallelization_factor}"]
        retries = m.maximum_retry_attempts
        parts.append("retries until the records expire" if retries == -1
                     else f"maximum retry attempts {retries}")
        age = m.maximum_record_age_s
        parts.append("no maximum record age" if age == -1 else f"maximum record age {age} s")
        if m.bisect_batch_on_function_error:
            parts.append("bisect batch on function error")
        if m.on_failure is not None:
            parts.append(f"on_failure {m.on_failure}")
        return parts


@dataclasses.dataclass(frozen=True, init=False)
class KinesisStream(_Stream):
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

    kind: ClassVar[str] = "kinesis"
    _LABEL: ClassVar[str] = "Kinesis stream"

    @staticmethod
    def _check_aws(name: str, shards: int, retention_s: float) -> None:
        items = v.range_item(shards, str(shards), "shardCount", 1, None)
        items += v.name_items(
            name, "streamName", _STREAM_NAME, KINESIS_STREAM_NAME_PATTERN, 1, 128
        )
        v.raise_items(items)

        low, high = _KINESIS_RETENTION_HOURS
        if retention_s < low * 3600:
            raise InvalidParameterValueException(msg.retention_too_short(retention_s, low))
        if retention_s > high * 3600:
            raise InvalidParameterValueException(msg.retention_too_long(retention_s, high))


@dataclasses.dataclass(frozen=True, init=False)
class DynamoDBStream(_Stream):
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

    kind: ClassVar[str] = "dynamodb"
    _LABEL: ClassVar[str] = "DynamoDB stream"

    @staticmethod
    def _check_aws(name: str, shards: int, retention_s: float) -> None:
        v.raise_items(
            v.name_items(name, "tableName", _TABLE_NAME, DYNAMODB_TABLE_NAME_PATTERN, 3, 255)
        )

        if shards < 1:
            raise InvalidParameterValueException(
                f"DynamoDBStream.shards must be at least 1, got {shards}"
            )
        if retention_s != STREAM_RETENTION_DEFAULT_S:
            raise InvalidParameterValueException(
                "DynamoDBStream.retention_s is fixed at 86400 seconds (24 hours): DynamoDB "
                "Streams keeps records for 24 hours and the period cannot be changed, "
                f"got {retention_s!r}"
            )

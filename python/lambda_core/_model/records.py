"""Records put on a stream (or messages sent to a queue): the input of event-source mappings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _core
from .. import _validation as v
from ..errors import WorkloadError

__all__ = ["Records", "key_to_int"]


def key_to_int(key: str | bytes) -> int:
    """A partition key or message group id as the signed 64-bit integer the engine hashes:
    the first 8 bytes (little-endian) of the MD5 of its UTF-8 bytes, as Kinesis hashes
    partition keys with MD5 (§7). The engine computes it (``_core.hash_keys``, which hashes
    whole columns at once)."""
    if not isinstance(key, (str, bytes, bytearray)):
        raise TypeError(f"key_to_int: a key must be a str or bytes, got {v.describe(key)}")
    return int(_core.hash_keys([key])[0])


def _hashed(keys: Any) -> np.ndarray:
    """String keys (a sequence, or a numpy ``U``/``S``/object array) as their integers."""
    try:
        hashed: np.ndarray = _core.hash_keys(keys)
    except TypeError as e:
        raise TypeError(f"Records.key: every key must be a str or bytes: {e}") from None
    return hashed


def _column(source: str, name: str, values: Any, dtype: type, n: int | None) -> np.ndarray:
    try:
        a = np.asarray(values)
    except ValueError as e:  # a ragged nested list, for one
        raise WorkloadError(f"Records.{name} is not a one-dimensional array: {e}", name, None) from None
    except Exception as e:  # objects numpy cannot read
        raise TypeError(f"Records.{name}: not an array ({e})") from None
    if a.ndim != 1:
        raise WorkloadError(f"Records.{name} must be one-dimensional, got shape {a.shape}", name, None)
    if n is not None and len(a) != n:
        raise WorkloadError(f"Records.{name} has {len(a)} rows but 'time' has {n}", name, min(len(a), n))
    if dtype is np.int64 and a.size and not np.issubdtype(a.dtype, np.integer):
        if np.issubdtype(a.dtype, np.floating) and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
            # whole numbers stored as floats: accepted, if an int64 holds them (a cast would
            # wrap them all onto one value)
            outside = (a < -(2.0**63)) | (a >= 2.0**63)
            if outside.any():
                row = int(np.argmax(outside))
                raise WorkloadError(
                    f"records of {source!r}, column {name!r}, row {row}: {float(a[row])!r} is outside the "
                    "range of 64-bit integers", name, row)
        else:
            raise TypeError(f"Records.{name} must hold integers, got dtype {a.dtype}")
    if dtype is np.float64 and a.size and not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise TypeError(f"Records.{name} must hold numbers, got dtype {a.dtype}")
    # the engine takes C-contiguous arrays of exactly this dtype: no conversion when they are
    return np.ascontiguousarray(a, dtype=dtype)


class Records:
    """Records arriving on one event source, in arrival order.

    Args:
        source: the name of the stream or queue (as given to its ``KinesisStream``,
            ``DynamoDBStream`` or ``SqsQueue``).
        time: arrival times in seconds, non-decreasing.
        key: the partition key (streams) or message group id (FIFO queues) of each record:
            integers, or strings / bytes (hashed with :func:`key_to_int`). ``None``: every
            record its own key (``0, 1, 2 ...``), which spreads records evenly over shards.
        failures: per record, how many of the first invocations whose batch holds it end in a
            function error (a poison record has a large count). ``None``: none fail.

    A column of the wrong type raises :class:`TypeError`, one of the wrong shape or length a
    :class:`~lambda_core.WorkloadError`, each naming it; a failure
    count above the engine's limit (2^32 − 1) a :class:`~lambda_core.WorkloadError` naming
    the first such row; the engine checks the other values (finite, non-negative,
    non-decreasing times; non-negative failures) when the records are submitted and raises
    :class:`~lambda_core.WorkloadError` naming the first bad row.
    """

    __slots__ = ("source", "time", "key", "failures")

    def __init__(self, source: str, time: Any, key: Any = None, failures: Any = None) -> None:
        if not isinstance(source, str):
            raise TypeError(f"Records.source must be the name of a stream or queue, got {type(source).__name__}")
        self.source = source
        self.time = _column(source, "time", time, np.float64, None)
        n = len(self.time)
        if key is None:
            self.key = np.arange(n, dtype=np.int64)
        else:
            if isinstance(key, (str, bytes)):
                raise TypeError("Records.key must be one key per record, not a single string")
            if isinstance(key, Sequence) and len(key) and isinstance(key[0], (str, bytes)):
                key = _hashed(key)
            elif isinstance(key, np.ndarray) and key.dtype.kind in "USO":
                if key.ndim != 1:
                    raise WorkloadError(f"Records.key must be one-dimensional, got shape {key.shape}", "key", None)
                key = _hashed(key)
            self.key = _column(source, "key", key, np.int64, n)
        self.failures = None if failures is None else _column(source, "failures", failures, np.int64, n)
        if self.failures is not None:
            _check_failures(source, self.failures)

    def __len__(self) -> int:
        return len(self.time)

    def __repr__(self) -> str:
        return f"Records({self.source!r}, {len(self)} records)"


def _check_failures(source: str, failures: np.ndarray) -> None:
    """The engine's limit on a record's failures, checked here to name the records (negative
    counts are the engine's to refuse, with the workload's other bad values)."""
    bound = v.limit("failures")
    if failures.size and failures.max() > bound.max:
        row = int(np.argmax(failures > bound.max))
        raise WorkloadError(
            f"records of {source!r}, column 'failures', row {row}: {failures[row]} is above "
            f"lambda_core's limit of {bound.max} {bound.what}",
            "failures",
            row,
        )

"""Invoke's payload limits (docs/model.md §14): which workload rows are refused with
``RequestEntityTooLargeException`` before they reach the function."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..errors import WorkloadError

__all__ = ["SYNC_PAYLOAD_LIMIT_BYTES", "ASYNC_PAYLOAD_LIMIT_BYTES", "too_large", "too_large_one"]

#: A synchronous request (RequestResponse): 6 MB.
SYNC_PAYLOAD_LIMIT_BYTES = 6 * 2**20
#: An asynchronous event (Event): 1 MB since October 2025 (256 KB before).
ASYNC_PAYLOAD_LIMIT_BYTES = 2**20


def too_large(payload_bytes: npt.NDArray[np.int64], invocation_type: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """The rows whose payload is above their invocation type's limit."""
    limit = np.where(invocation_type == _EVENT, ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES)
    return np.asarray(payload_bytes > limit)


def too_large_one(payload_bytes: int, invocation_type: int) -> bool:
    """Whether one request's payload is above its invocation type's limit."""
    if isinstance(payload_bytes, bool) or not isinstance(payload_bytes, (int, np.integer)):
        raise TypeError(f"payload_bytes must be an int, got {type(payload_bytes).__name__}")
    if payload_bytes < 0:
        raise WorkloadError(f"payload_bytes: {payload_bytes} is negative", "payload_bytes", None)
    limit = ASYNC_PAYLOAD_LIMIT_BYTES if invocation_type == _EVENT else SYNC_PAYLOAD_LIMIT_BYTES
    return bool(payload_bytes > limit)


# InvocationType.EVENT (enums.py imports this module, so not from there)
_EVENT = 1

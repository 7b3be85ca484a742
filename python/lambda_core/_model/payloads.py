"""Invoke's payload limits (docs/model.md §14): which workload rows are refused with
``RequestEntityTooLargeException`` before they reach the function."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["SYNC_PAYLOAD_LIMIT_BYTES", "ASYNC_PAYLOAD_LIMIT_BYTES", "too_large"]

#: A synchronous request (RequestResponse): 6 MB.
SYNC_PAYLOAD_LIMIT_BYTES = 6 * 2**20
#: An asynchronous event (Event): 1 MB since October 2025 (256 KB before).
ASYNC_PAYLOAD_LIMIT_BYTES = 2**20


def too_large(payload_bytes: npt.NDArray[np.int64], invocation_type: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """The rows whose payload is above their invocation type's limit."""
    limit = np.where(invocation_type == 1, ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES)
    return np.asarray(payload_bytes > limit)

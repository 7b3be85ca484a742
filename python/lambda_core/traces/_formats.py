"""Which reader reads a file: the formats by name, and a guess from the file's first bytes."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from ._azure2019 import read_azure2019
from ._build import path_text
from ._readers import read_azure2021, read_cloudwatch_logs, read_request_log
from ._trace import Trace

__all__ = ["FORMATS", "guess_format", "read_trace"]

#: The formats, by the name ``lambda-core replay --format`` and scenario files take.
FORMATS: dict[str, Callable[..., Trace]] = {
    "cloudwatch": read_cloudwatch_logs,
    "azure2021": read_azure2021,
    "azure2019": read_azure2019,
    "request-log": read_request_log,
}

#: Header columns that tell each CSV format apart.
_HEADERS = {
    "azure2021": ("app", "func", "end_timestamp", "duration"),
    "azure2019": ("HashOwner", "HashApp", "HashFunction", "Trigger"),
    "request-log": ("client_start_time", "aws_duration"),
}


def guess_format(path: str | os.PathLike[str]) -> str:
    """The format of the file at `path`, from its first 64 KiB: JSON, or text with REPORT lines,
    is ``cloudwatch``; a CSV header names the others (:data:`_HEADERS`)."""
    text = path_text(path)
    with open(text, "rb") as file:
        head = file.read(1 << 16)
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body[:1] in (b"{", b"[") or b"REPORT RequestId:" in head:
        return "cloudwatch"
    header = {h.strip().strip('"') for h in body.split(b"\n", 1)[0].decode("utf-8", "replace").split(",")}
    for name, needed in _HEADERS.items():
        if set(needed) <= header:
            return name
    raise UsageError(
        f"cannot tell the format of {text!r}: no REPORT lines and no header of a known CSV format; "
        f"name it ({', '.join(FORMATS)})")


def read_trace(path: str | os.PathLike[str], format: str | None = None, **options: Any) -> Trace:
    """The trace at `path` read as `format` (one of :data:`FORMATS`; default: guessed), with the
    reader's `options` (``duration_unit=``, ``seed=``, ``durations_csv=`` ...)."""
    name = guess_format(path) if format is None else format
    if name not in FORMATS:
        raise UsageError(f"unknown trace format {name!r} (one of {', '.join(FORMATS)})")
    return FORMATS[name](path, **options)

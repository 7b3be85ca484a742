"""Lambda names for a trace's functions: valid, unique and deterministic, the originals kept."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from .._model.function import BARE_NAME, FUNCTION_NAME_MAX_LENGTH

__all__ = ["lambda_names"]

_INVALID = re.compile(r"[^A-Za-z0-9_-]+")
#: Characters of the digest that tells apart names that had to be cut or that collide.
_DIGEST = 8


def _digest(original: str) -> str:
    return hashlib.sha1(original.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST]


def lambda_names(originals: Sequence[str], short: Sequence[str] | None = None) -> list[str]:
    """One valid Lambda function name (1–64 of ``[A-Za-z0-9_-]``) per original name, in order.

    A valid original is kept as it is. Otherwise the name is `short`'s candidate for it (what a
    format suggests: a prefix of each hash of an Azure key) or the original, with each run of
    other characters made a ``-``, cut so that ``-`` and a digest of the original (8 hex
    digits of its SHA-1) fit in 64 characters when it is too long. A name that would repeat an
    earlier one gets the digest too. The same originals always give the same names.
    """
    out: list[str] = []
    taken: set[str] = set()
    for i, original in enumerate(originals):
        if BARE_NAME.fullmatch(original) and len(original) <= FUNCTION_NAME_MAX_LENGTH and original not in taken:
            name = original
        else:
            stem = _INVALID.sub("-", short[i] if short is not None else original).strip("-") or "function"
            name = stem if len(stem) <= FUNCTION_NAME_MAX_LENGTH else ""
            if not name or name in taken:
                name = f"{stem[:FUNCTION_NAME_MAX_LENGTH - _DIGEST - 1]}-{_digest(original)}"
        k = 1
        while name in taken:  # two originals with one digest prefix: practically never
            name = f"{name[:FUNCTION_NAME_MAX_LENGTH - 4]}-{k:03d}"
            k += 1
        taken.add(name)
        out.append(name)
    return out

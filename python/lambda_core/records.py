"""An older module name (event-source records), kept so that code written against it still imports.
New code imports these names from :mod:`lambda_core`."""

from ._model import (
    Records,
    key_to_int,
)

__all__ = [
    "Records",
    "key_to_int",
]

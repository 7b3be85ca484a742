"""An older module name (the workload), kept so that code written against it still imports.
New code imports these names from :mod:`lambda_core`."""

from ._model import (
    Workload,
)

__all__ = [
    "Workload",
]

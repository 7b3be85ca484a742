"""An older module name (the enumerations), kept so that code written against it still imports.
New code imports these names from :mod:`lambda_core`."""

from ._model import (
    InvocationType,
    Outcome,
    RecordOutcome,
    ThrottleReason,
    Routing,
    Trigger,
)

__all__ = [
    "InvocationType",
    "Outcome",
    "RecordOutcome",
    "ThrottleReason",
    "Routing",
    "Trigger",
]

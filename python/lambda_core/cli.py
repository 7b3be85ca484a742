"""An older module name (the command line), kept so that code written against it still imports.
New code imports these names from :mod:`lambda_core` or runs the ``lambda-core`` command."""

from ._cli import (
    main,
    simulate,
    STEPS,
)

__all__ = [
    "main",
    "simulate",
    "STEPS",
]

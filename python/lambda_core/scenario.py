"""The older name of :mod:`lambda_core.scenarios` (``docs/scenarios.md`` named it): the same
objects, for code written against it."""

from .scenarios import *  # noqa: F403
from .scenarios import __all__ as __all__

"""An older module name (the command line's report), kept so that code written against it still imports.
New code imports these names from :mod:`lambda_core` or runs the ``lambda-core`` command."""

from ._report import (
    COUNTS,
    ASYNC_COUNTS,
    MAPPING_COUNTS,
    MAPPING_FIGURES,
    summarize,
    format_table,
    format_run,
    format_validation,
    ProgressBar,
)

__all__ = [
    "COUNTS",
    "ASYNC_COUNTS",
    "MAPPING_COUNTS",
    "MAPPING_FIGURES",
    "summarize",
    "format_table",
    "format_run",
    "format_validation",
    "ProgressBar",
]

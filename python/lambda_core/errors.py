"""Exceptions raised by lambda_core.

Every error caused by bad input is a :class:`LambdaCoreError`, which is a :class:`ValueError`.
The two AWS error codes keep AWS's names and carry AWS's exact messages, so ``str(exc)`` is what
the Lambda API would have said. The Rust engine raises these same classes (it imports them).
"""

from __future__ import annotations

__all__ = [
    "LambdaCoreError",
    "InvalidParameterValueException",
    "ValidationException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "WorkloadError",
]


class LambdaCoreError(ValueError):
    """Base class of every bad-input error raised by lambda_core."""

    #: The AWS error code this exception stands for (``None`` for lambda_core's own errors).
    code: str | None = None


class InvalidParameterValueException(LambdaCoreError):
    """AWS ``InvalidParameterValueException``: a value AWS would refuse (pool arithmetic, limits)."""

    code = "InvalidParameterValueException"


class ValidationException(LambdaCoreError):
    """AWS ``ValidationException``: a field outside its documented range (``1 validation error detected: ...``)."""

    code = "ValidationException"


class ResourceConflictException(LambdaCoreError):
    """AWS ``ResourceConflictException``: two functions with the same name in one simulator."""

    code = "ResourceConflictException"


class ResourceNotFoundException(LambdaCoreError):
    """AWS ``ResourceNotFoundException``: a mapping names a function, or records name an event
    source, that the simulator does not have."""

    code = "ResourceNotFoundException"


class WorkloadError(LambdaCoreError):
    """A workload column holds a bad value; the message names the column and the first bad row."""

    def __init__(self, message: str, column: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.row = row

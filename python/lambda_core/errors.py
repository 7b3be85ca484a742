"""Exceptions raised by lambda_core.

Every error caused by bad input is a :class:`LambdaCoreError`, which is a :class:`ValueError`.
There are five kinds, one class (or family) each:

* AWS's refusals — :class:`InvalidParameterValueException` (and SQS's
  :class:`InvalidAttributeValue`), :class:`ValidationException`,
  :class:`ResourceConflictException`, :class:`ResourceNotFoundException` — keep AWS's names and
  carry AWS's exact messages, so ``str(exc)`` is what the Lambda API would have said;
* a bad workload or bad records — :class:`WorkloadError`, naming the column and the first bad
  row;
* API misuse — :class:`UsageError`: a call lambda_core cannot honour whatever AWS would say
  (moving the clock back, two mappings on one source, an unknown routing policy ...);
* a limit of lambda_core's engine — :class:`EngineLimitError`: a value AWS has no rule against
  (or no parameter for) that the engine cannot hold, such as more shards than it can index;
* a bad scenario file — :class:`ScenarioError`;
* a bad trace file — :class:`TraceFormatError`, naming the file, line and column.

A value of the wrong Python type raises :class:`TypeError`, as Python does. The Rust engine
raises these same classes (it imports them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._model.results import Window

__all__ = [
    "LambdaCoreError",
    "InvalidParameterValueException",
    "InvalidAttributeValue",
    "ValidationException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "RequestEntityTooLargeException",
    "WorkloadError",
    "UsageError",
    "UntilInPastError",
    "EngineLimitError",
    "ScenarioError",
    "TraceFormatError",
]


class LambdaCoreError(ValueError):
    """Base class of every bad-input error raised by lambda_core."""

    #: The AWS error code this exception stands for (``None`` for lambda_core's own errors).
    code: str | None = None
    #: Where in a scenario file the refused configuration is (e.g. ``[[functions]] #2
    #: ('orders')``), when it came from one; the CLI prints it.
    scenario_context: str | None = None
    #: From ``Simulator.advance`` when a change made earlier is refused at its instant
    #: (docs/model.md §16): the :class:`~lambda_core.Window` of what the run resolved up to
    #: there (the next ``advance`` goes on from there); ``None`` otherwise.
    window: Window | None = None


class InvalidParameterValueException(LambdaCoreError):
    """AWS ``InvalidParameterValueException``: a value AWS would refuse (pool arithmetic, limits)."""

    code: str | None = "InvalidParameterValueException"


class InvalidAttributeValue(InvalidParameterValueException):
    """SQS ``InvalidAttributeValue``: a queue attribute SQS's ``CreateQueue`` or
    ``SetQueueAttributes`` would refuse (``Invalid value for the parameter VisibilityTimeout.``).

    It is also an :class:`InvalidParameterValueException`, the class these refusals had before
    this one existed, so that code catching that keeps working."""

    code = "InvalidAttributeValue"


class ValidationException(LambdaCoreError):
    """AWS ``ValidationException``: a field outside its documented range (``1 validation error detected: ...``)."""

    code = "ValidationException"


class ResourceConflictException(LambdaCoreError):
    """AWS ``ResourceConflictException``: two functions with the same name in one simulator."""

    code = "ResourceConflictException"


class RequestEntityTooLargeException(LambdaCoreError):
    """AWS ``RequestEntityTooLargeException`` (HTTP 413): a deployment package above the direct
    upload limit (docs/model.md §14)."""

    code = "RequestEntityTooLargeException"


class ResourceNotFoundException(LambdaCoreError):
    """AWS ``ResourceNotFoundException``: a mapping names a function, or records name an event
    source, that the simulator does not have."""

    code = "ResourceNotFoundException"


class WorkloadError(LambdaCoreError):
    """A workload column holds a bad value; the message names the column and the first bad row."""

    #: What is wrong with the value, without the position (the message's text after ``row N: ``).
    detail: str | None = None
    #: For records checked by the engine: the index of their event source (the simulator turns it
    #: into the source's name in the message). ``None`` for workloads.
    source_index: int | None = None

    def __init__(self, message: str, column: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.row = row


class UsageError(LambdaCoreError):
    """The API was used in a way lambda_core does not allow: not a value AWS would refuse, not a
    bad workload, but a call that cannot be honoured (e.g. ``advance(5)`` after ``advance(10)``,
    two mappings reading one event source, two ``Records`` for one source in one run, an
    unknown routing policy)."""


class UntilInPastError(UsageError, InvalidParameterValueException):
    """``advance(until)`` or ``run(..., until)`` with ``until`` before the simulator's current
    time. A :class:`UsageError`; also an :class:`InvalidParameterValueException`, the class the
    engine raised for it before :class:`UsageError` existed, so that code catching that keeps
    working."""


class EngineLimitError(InvalidParameterValueException):
    """A value beyond one of lambda_core's engine limits (``lambda_core._core.LIMITS``): more
    shards, lanes or functions than the engine can index, more client retry attempts than
    lambda_core allows, a time beyond about 285 years, a scaling bucket beyond 64 bits. The
    message names the object, the value and the limit, e.g. ``stream 'clicks':
    shards=2000000 is above lambda_core's limit of 1048576 shards per stream``.

    Not an AWS error (its :attr:`code` is ``None``). It is also an
    :class:`InvalidParameterValueException`, the class these refusals had before this one
    existed (the engine's own check raised it, and so did the account's and the retry policy's
    checks), so that code catching that keeps working. A workload or records column beyond a
    limit is a :class:`WorkloadError`, which names the column and the row."""

    code = None


class ScenarioError(LambdaCoreError):
    """A scenario that cannot be used: unreadable file, TOML syntax error, unknown key, or a
    missing, ill-typed or out-of-range value. The message names the file, table and key."""


class TraceFormatError(LambdaCoreError):
    """A trace file that cannot be read as its format (``lambda_core.traces``, docs/replay.md):
    a bad value, a missing column, a duration column in the wrong unit. The message names the
    file, the 1-based line and column and the column's name, e.g. ``trace.csv, line 17,
    column 4 ('duration'): 'abc' is not a number``."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None, column_name: str | None = None) -> None:
        super().__init__(message)
        #: The file.
        self.path = path
        #: The 1-based line of the bad row (1: the header), ``None`` for the whole column.
        self.line = line
        #: The 1-based column: a CSV field's number, a text line's character position.
        self.column = column
        #: The column's or field's name (``""`` when there is none to name).
        self.column_name = column_name

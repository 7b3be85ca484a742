"""The registry of event-source kinds: the one list the generic code (mappings, the boundary, the
scenario parser, the report) reads to find them. Each kind is a :class:`~._source.SourceKind`
in its own module; a new kind is added here, in both places below.

The order matters: it is the order of the scenario file's tables of sources (``[[streams]]``,
then ``[[queues]]``), so of a scenario's sources and of their random streams.
"""

from __future__ import annotations

from typing import Union

from .queues import SqsQueue
from .streams import DynamoDBStream, KinesisStream

__all__ = ["EventSource", "SOURCE_KINDS", "source_tables"]

#: Any event source a mapping can read.
EventSource = Union[KinesisStream, DynamoDBStream, SqsQueue]

#: Every kind of event source, in registry order.
SOURCE_KINDS: tuple[type[EventSource], ...] = (KinesisStream, DynamoDBStream, SqsQueue)


def source_tables() -> dict[str, dict[str, type[EventSource]]]:
    """The scenario file's tables of sources, in registry order, each with its kinds by name
    (a table of more than one kind selects it with its ``kind`` key)."""
    tables: dict[str, dict[str, type[EventSource]]] = {}
    for cls in SOURCE_KINDS:
        tables.setdefault(cls.SCENARIO_TABLE, {})[cls.kind] = cls
    return tables

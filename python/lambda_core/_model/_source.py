"""What every kind of event source provides, so that the generic code (mappings, the boundary, the
simulator, the scenario parser, the report) asks the source instead of testing its type.

A kind is one frozen dataclass deriving from :class:`SourceKind`: its AWS checks in its
constructor, and below, as class attributes and methods, everything else that differs between
kinds. ``_model/sources.py`` lists the kinds (the registry); adding one is its module, a line
there, its exports, its AWS texts in ``_messages.py`` and the engine's side in ``crates/``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy.typing as npt

if TYPE_CHECKING:
    from .._engine_config import SourceConfig
    from .function import Function
    from .mappings import EventSourceMapping

__all__ = ["SourceKind"]


class SourceKind(abc.ABC):
    """The interface of an event-source class (see the module's docstring)."""

    #: The kind's name: what ``EventSourceMapping.kind`` and the run summary show, and a
    #: scenario table's ``kind`` value when several kinds share the table.
    kind: ClassVar[str]
    #: The source's name (a dataclass field of every kind).
    name: str

    # -- mappings (docs/model.md §7–8) --------------------------------------------------------

    #: ``batch_size`` when a mapping does not give it (AWS's default for the kind).
    BATCH_SIZE_DEFAULT: ClassVar[int]
    #: The kind-dependent mapping parameters this kind accepts, each with the value a mapping
    #: stores when it is not given; a parameter not listed is refused with AWS's
    #: ``Unsupported ... parameter`` message, and stored as ``None``.
    MAPPING_PARAMETERS: ClassVar[Mapping[str, object]]

    def check_mapping(self, batch_size: int, window_s: float | None) -> None:  # noqa: B027
        """The kind's own checks of a mapping's batching (``window_s`` ``None``: not given),
        raising AWS's exceptions; after the unsupported parameters, before the record age."""

    # -- the engine ---------------------------------------------------------------------------

    #: The :class:`~lambda_core._engine_config.EngineConfig` field that holds this kind's
    #: mapping records.
    ENGINE_MAPPINGS: ClassVar[str]
    #: Which mapping metrics apply (a metric's ``source_kind`` in the metric catalog):
    #: ``"stream"`` or ``"queue"``.
    METRIC_KIND: ClassVar[str]

    @abc.abstractmethod
    def engine_source(self) -> SourceConfig:
        """The source's engine record."""

    @abc.abstractmethod
    def engine_mapping(
        self,
        mapping: EventSourceMapping,
        *,
        source: int,
        function: int,
        destination: Callable[[str | None], int | None],
        legacy: bool,
    ) -> Any:
        """The engine record of ``mapping`` (which reads this source): ``source`` and ``function``
        are indexes, ``destination`` turns a destination's name into its index, ``legacy`` is
        the account's legacy scaling mode."""

    def check_function(self, function: Function) -> None:  # noqa: B027
        """AWS's checks of this source against the function a mapping of it invokes (when the
        :class:`~lambda_core.Simulator` is built), raising AWS's exceptions."""

    def lanes(self, mapping: EventSourceMapping) -> tuple[int, int] | None:
        """``(shards, lanes per shard)`` of a mapping whose lanes count towards the engine's
        limit on lanes; ``None`` for a kind without lanes."""
        return None

    # -- results ------------------------------------------------------------------------------

    #: Engine record columns the API does not show for this kind.
    HIDDEN_RECORD_COLUMNS: ClassVar[tuple[str, ...]] = ()
    #: Per-mapping counters of the engine's report this kind does not have.
    HIDDEN_COUNTERS: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def record_columns(
        self, keys: npt.NDArray[Any], mapping: EventSourceMapping
    ) -> dict[str, npt.NDArray[Any]]:
        """The kind's own per-record columns of a run, from the submitted records' ``keys``."""

    # -- scenario files and the command line --------------------------------------------------

    #: The scenario file's array of tables that declares sources of this kind (``[[streams]]``).
    SCENARIO_TABLE: ClassVar[str]
    #: What a source of the table is called in messages (``"stream"``).
    SCENARIO_NOUN: ClassVar[str]
    #: The table's key of the records generator (``records``).
    SCENARIO_RECORDS: ClassVar[str]
    #: The constructor's keyword arguments a table may give, with their TOML types (``int``,
    #: ``float``, ``bool``), in the order they are read.
    SCENARIO_FIELDS: ClassVar[tuple[tuple[str, type], ...]]

    @property
    def records_keyed(self) -> bool:
        """Whether the source's records carry keys (partition keys, message group ids)."""
        return True

    @abc.abstractmethod
    def describe(self) -> str:
        """``lambda-core validate``'s description of the source."""

    @abc.abstractmethod
    def describe_mapping(self, mapping: EventSourceMapping) -> list[str]:
        """``lambda-core validate``'s kind-dependent parameters of a mapping of this source."""

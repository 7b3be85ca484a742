"""A parsed scenario: the configuration it builds and the inputs it generates."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._model import (
    Account,
    DynamoDBStream,
    EventSource,
    EventSourceMapping,
    Function,
    InvocationType,
    KinesisStream,
    Records,
    RetryPolicy,
    SqsQueue,
    Workload,
    source_tables,
)
from .._simulator import Simulator
from ._expect import Expectation
from ._generators import RecordsSpec, WorkloadSpec
from ._paths import with_traffic, with_values
from ._changes import Autoscaling, Change
from ._trace_workload import TraceSpec

__all__ = ["Scenario"]


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A parsed scenario: the account, the functions (in workload index order), each
    function's generators, and the run's defaults (``seed``, ``until``, ``routing``,
    ``metrics_period_s``: the period of the per-period series, ``None`` for none;
    ``client_retries``: how synchronous callers retry throttles, ``None`` for not at all).

    Event sources: one field per table of sources, named after it (the kinds'
    ``SCENARIO_TABLE``): ``streams`` (:class:`~lambda_core.KinesisStream`,
    :class:`~lambda_core.DynamoDBStream`) and ``queues`` (:class:`~lambda_core.SqsQueue`) in
    file order; ``record_generators`` holds, for each of :attr:`sources` (streams, then
    queues), its :class:`RecordsSpec` or ``None``; ``mappings`` the
    :class:`~lambda_core.EventSourceMapping` objects in file order."""

    account: Account
    functions: tuple[Function, ...]
    workloads: tuple[tuple[WorkloadSpec | TraceSpec, ...], ...]
    seed: int = 0
    until: float | None = None
    routing: str = "newest"
    metrics_period_s: float | None = None
    name: str = "scenario"
    description: str = ""
    client_retries: RetryPolicy | None = None
    streams: tuple[KinesisStream | DynamoDBStream, ...] = ()
    queues: tuple[SqsQueue, ...] = ()
    record_generators: tuple[RecordsSpec | None, ...] = ()
    mappings: tuple[EventSourceMapping, ...] = ()
    #: The ``[[expect]]`` tables: capacity checks of a run (``lambda-core check``).
    expectations: tuple[Expectation, ...] = ()
    #: The ``[[changes]]`` tables (changes while running, in time order) and the
    #: ``[[autoscaling]]`` ones (docs/scenarios.md, "Changes while running").
    changes: tuple[Change, ...] = ()
    autoscaling: tuple[Autoscaling, ...] = ()

    @staticmethod
    def load(path: str | os.PathLike[str]) -> Scenario:
        """The scenario of the TOML file at `path` (:func:`~lambda_core.scenarios.load_scenario`)."""
        from ._parse import load_scenario

        return load_scenario(os.fspath(path))

    @staticmethod
    def parse(text: str) -> Scenario:
        """The scenario of TOML `text` (:func:`~lambda_core.scenarios.parse_scenario`)."""
        from ._parse import parse_scenario

        return parse_scenario(text)

    def with_values(self, values: Mapping[str, Any]) -> Scenario:
        """This scenario with each dotted path of `values` set to its value
        (``{"functions.orders.reserved_concurrency": 100}``; docs/capacity.md, "Paths")."""
        return with_values(self, values)

    def with_traffic(self, factor: float) -> Scenario:
        """This scenario with `factor` times the traffic of every generator (rates, burst
        counts, trace rates)."""
        return with_traffic(self, factor)

    @property
    def sources(self) -> tuple[EventSource, ...]:
        """Every event source: the streams, then the queues, in file order (the order of
        :attr:`record_generators` and of the sources' random streams)."""
        tables: tuple[tuple[EventSource, ...], ...] = tuple(
            getattr(self, array) for array in source_tables())
        return tuple(source for sources in tables for source in sources)

    def simulator(self, seed: int | None = None) -> Simulator:
        """A fresh :class:`~lambda_core.Simulator` of this scenario (``seed`` overrides the
        scenario's), with its mappings and, when the scenario sets ``metrics_period_s``, its
        per-period series, and its changes while running and autoscaling made. Raises AWS's
        exceptions when the pools, or a change at its instant, are ones AWS would refuse."""
        sim = Simulator(
            self.account,
            self.functions,
            seed=self.seed if seed is None else seed,
            routing=self.routing,
            client_retries=self.client_retries,
            mappings=self.mappings,
            metrics_period_s=self.metrics_period_s,
        )
        for scaling in self.autoscaling:
            scaling.apply(sim)
        for change in self.changes:
            change.apply(sim)
        return sim

    def has_events(self) -> bool:
        """Whether any generator makes asynchronous (``Event``) invocations."""
        return any(
            spec.invocation_type == InvocationType.EVENT for specs in self.workloads for spec in specs
        )

    def generate(self, seed: int | None = None) -> Workload:
        """The scenario's workload for ``seed`` (default: the scenario's): every function's
        generators, merged by time with :meth:`Workload.concat` (ties: function order)."""
        seed = self.seed if seed is None else seed
        streams = np.random.SeedSequence(seed).spawn(len(self.functions))
        parts: list[Workload] = []
        for index, (specs, stream) in enumerate(zip(self.workloads, streams)):
            rng = np.random.Generator(np.random.PCG64(stream))
            parts.extend(spec.generate(rng, index) for spec in specs)
        if not parts:
            return Workload(np.empty(0), np.empty(0, np.int64), np.empty(0))
        return Workload.concat(parts)

    def expected_requests(self) -> float:
        """The mean number of requests :meth:`generate` makes."""
        return sum(spec.expected_requests() for specs in self.workloads for spec in specs)

    def generate_records(self, seed: int | None = None) -> list[Records]:
        """The records of every event source that has a generator, for ``seed`` (default: the
        scenario's): one :class:`~lambda_core.Records` per such source, in :attr:`sources`
        order. Source ``j`` draws from
        ``PCG64(SeedSequence(seed).spawn(n_functions + n_sources)[n_functions + j])``."""
        seed = self.seed if seed is None else seed
        n = len(self.functions)
        sources = self.sources
        streams = np.random.SeedSequence(seed).spawn(n + len(sources))[n:]
        out: list[Records] = []
        for source, spec, stream in zip(sources, self.record_generators, streams):
            if spec is not None:
                rng = np.random.Generator(np.random.PCG64(stream))
                out.append(spec.generate(rng, source.name))
        return out

    def expected_records(self) -> float:
        """The mean number of records :meth:`generate_records` makes."""
        return sum(spec.expected_records() for spec in self.record_generators if spec is not None)


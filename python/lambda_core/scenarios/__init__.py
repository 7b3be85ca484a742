"""Scenario files: an account, its functions and their workload generators, written in TOML.

A scenario is read with :func:`load_scenario` (a file) or :func:`parse_scenario` (a string) and
gives a :class:`Scenario`, which builds the :class:`~lambda_core.Simulator`
(:meth:`Scenario.simulator`) and generates the :class:`~lambda_core.Workload`
(:meth:`Scenario.generate`). ``docs/scenarios.md`` is the reference of the format;
:data:`BUILTIN_SCENARIO_TOML` is the scenario ``lambda-core run`` uses without a file (the
package's data file ``builtin.toml``).

A scenario may also declare event sources — ``[[streams]]`` (Kinesis or DynamoDB streams) and
``[[queues]]`` (SQS) — each with an optional generator of its records, and ``[[mappings]]``
(:class:`~lambda_core.EventSourceMapping`) that read them into functions;
:meth:`Scenario.generate_records` builds the :class:`~lambda_core.Records`.

Generation is deterministic: function ``i`` draws from its own stream,
``numpy.random.Generator(numpy.random.PCG64(numpy.random.SeedSequence(seed).spawn(n)[i]))``,
so the same scenario and seed give bit-identical workloads, and a function's requests do not
change when another function's generators change. Event source ``j`` (streams first, then
queues, in file order) draws from child ``n_functions + j`` of the same ``SeedSequence``
(spawned ``n_functions + n_sources`` times: children are index-stable, so sources leave the
functions' workloads unchanged).

Workload generators make synchronous (``RequestResponse``) requests unless they name a
``trigger`` (an :class:`~lambda_core.Trigger`, e.g. ``"s3"``: asynchronous ``Event``
invocations) or an ``invocation_type``; a top-level ``client_retries`` makes synchronous
callers retry throttles (:class:`~lambda_core.RetryPolicy`).

Every mistake in a file raises :class:`ScenarioError` with a message that names the key and the
table, except the configuration checks AWS itself makes, which raise AWS's own exceptions
(:class:`~lambda_core.InvalidParameterValueException`, :class:`~lambda_core.ValidationException`,
:class:`~lambda_core.ResourceConflictException`) with AWS's text; they carry a
``scenario_context`` attribute naming the table (the CLI prints it).

A file is read as UTF-8 (a byte order mark at its start is ignored) of at most
:data:`MAX_SCENARIO_BYTES`; a directory or a device is refused before anything is read. The
file is refused, too, for anything the simulator would refuse when the scenario runs, so that
a scenario that loads also runs: times past the engine's 9e9 s, a seed past 2**64 - 1, and
generators expected to make more than :data:`MAX_GENERATED_ROWS` (10^9) rows, per generator or
in all.
"""

from ..errors import ScenarioError
from ._builtin import BUILTIN_SCENARIO_TOML, builtin_scenario
from ._generators import MAX_GENERATED_ROWS, Burst, Duration, RecordsSpec, WorkloadSpec
from ._parse import MAX_SCENARIO_BYTES, load_scenario, parse_scenario, scenario_from_dict
from ._scenario import Scenario
from ._schema import INVOCATION_TYPES, ROUTINGS, STREAM_KINDS, TRIGGERS

__all__ = [
    "ScenarioError",
    "Scenario",
    "WorkloadSpec",
    "RecordsSpec",
    "Burst",
    "Duration",
    "load_scenario",
    "parse_scenario",
    "scenario_from_dict",
    "builtin_scenario",
    "BUILTIN_SCENARIO_TOML",
    "ROUTINGS",
    "TRIGGERS",
    "INVOCATION_TYPES",
    "STREAM_KINDS",
    "MAX_GENERATED_ROWS",
    "MAX_SCENARIO_BYTES",
]

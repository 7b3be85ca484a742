"""Reading a scenario: a file or a string of TOML, checked table by table."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library
    import tomli as tomllib

from .. import _validation as v
from .._model import (
    Account, Distribution, Empirical, EventSource, Fixed, Function, LogNormal, RetryPolicy, Uniform, VpcConfig,
)
from ..errors import LambdaCoreError, ScenarioError
from ._changes import parse_autoscaling, parse_changes
from ._expect import parse_expectations
from ._generators import MAX_GENERATED_ROWS, RecordsSpec, WorkloadSpec
from ._parse_generators import _workload
from ._trace_workload import TraceSpec, parse_trace_workload
from ._parse_sources import _mapping, _source
from ._scenario import Scenario
from ._schema import (
    MAX_SECONDS,
    MAX_SEED,
    MIN_METRICS_PERIOD_S,
    _ACCOUNT_KEYS,
    _FUNCTION_KEYS,
    _VPC_KEYS,
    _RETRY_KEYS,
    _TOP_KEYS,
    ROUTINGS,
    SOURCE_TABLES,
    _check_keys,
    _integer,
    _kind,
    _number,
    _string,
    _table,
    _tables,
)

__all__ = ["load_scenario", "parse_scenario", "scenario_from_dict", "MAX_SCENARIO_BYTES"]


#: The largest scenario file :func:`load_scenario` reads, in bytes (16 MiB: the built-in
#: scenario is under 8 KiB). A larger file, or a device, is refused before it is read, so that
#: ``/dev/zero`` or a log file given by mistake neither hangs nor fills memory.
MAX_SCENARIO_BYTES = 16 * 1024 * 1024


def load_scenario(path: str | Path) -> Scenario:
    """Reads and checks the scenario file at ``path``: UTF-8 text (a byte order mark at its
    start is allowed) of at most :data:`MAX_SCENARIO_BYTES`.

    Raises :class:`ScenarioError` (unreadable file, a directory or a device, a file too large,
    not UTF-8, TOML syntax, unknown key, bad value) or AWS's exceptions for a function
    configuration AWS would refuse.
    """
    path = Path(path)
    data = _read_bounded(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_scenario(text, source=str(path), name=path.stem, base=path.parent)


def _read_bounded(path: Path) -> bytes:
    """The bytes of ``path``, refusing a directory, a device or more than
    :data:`MAX_SCENARIO_BYTES` before reading more than that. Pipes are read (``run
    <(generate-scenario)``), up to the same bound."""
    limit = MAX_SCENARIO_BYTES
    try:
        if path.is_dir():  # open() of a directory fails differently on each platform
            raise ScenarioError(f"'{path}' is a directory, not a scenario file")
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
                raise ScenarioError(f"'{path}' is a device, not a scenario file")
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise ScenarioError(_too_large(path, info.st_size))
            data = file.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file '{path}': {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ScenarioError(_too_large(path, None))
    return data


def _too_large(path: Path, size: int | None) -> str:
    what = f"{size} bytes" if size is not None else "more than that"
    return (f"'{path}' is too large for a scenario file: at most {MAX_SCENARIO_BYTES} bytes "
            f"(16 MiB), got {what}")


def parse_scenario(text: str, source: str = "<scenario>", name: str = "scenario",
                   base: Path | None = None) -> Scenario:
    """Parses a scenario from TOML ``text``; ``source`` names it in error messages, `base` is
    the folder relative trace paths start from (default: the working directory). A byte
    order mark (U+FEFF) at the start is ignored, as editors on Windows write one."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: TOML syntax error: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or tables
        raise ScenarioError(f"{source}: TOML syntax error: values nested too deeply") from None
    try:
        return scenario_from_dict(data, name=name, base=base)
    except ScenarioError as exc:
        raise ScenarioError(f"{source}: {exc}") from None


def run_default(data: Mapping[str, Any], key: str, where: str = "the top level") -> Any:
    """One of the run's defaults (``seed``, ``until``, ``metrics_period_s``, ``routing``) of
    `data`, checked: the file's rules, which a dotted path's value meets too."""
    if key == "seed":
        return _integer(data, "seed", where, default=0, low=0, high=MAX_SEED)
    if key == "until":
        return _number(data, "until", where, default=None, positive=True, high=MAX_SECONDS)
    if key == "metrics_period_s":
        return _number(data, "metrics_period_s", where, default=None, positive=True,
                       low=MIN_METRICS_PERIOD_S, high=MAX_SECONDS)
    routing = data.get("routing", "newest")
    if routing not in ROUTINGS:
        raise ScenarioError(
            f"'routing' at {where} must be one of {', '.join(map(repr, ROUTINGS))}, got {routing!r}"
        )
    return routing


def scenario_from_dict(data: Mapping[str, Any], name: str = "scenario", base: Path | None = None) -> Scenario:
    """Builds a :class:`Scenario` from parsed TOML (nested dicts and lists); `base`: the
    folder of relative trace paths."""
    where = "the top level"
    _check_keys(data, _TOP_KEYS, where)
    seed, until, metrics_period_s, routing = (run_default(data, key, where)
                                              for key in ("seed", "until", "metrics_period_s", "routing"))
    title = _string(data, "name", where, default=name)
    description = _string(data, "description", where, default="")
    client_retries = _client_retries(data)

    account_table = _table(data, "account", where, default={})
    _check_keys(account_table, _ACCOUNT_KEYS, "[account]")
    try:
        account = Account(**account_table)
    except TypeError as exc:
        raise ScenarioError(f"[account]: {exc}") from None

    tables = data.get("functions")
    if tables is None:
        raise ScenarioError("missing [[functions]]: a scenario needs at least one function")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ScenarioError("'functions' must be an array of tables ([[functions]])")
    if not tables:
        raise ScenarioError("[[functions]] is empty: a scenario needs at least one function")
    functions, workloads = [], []
    for i, table in enumerate(tables):
        function, specs = _function(table, i, base)
        functions.append(function)
        workloads.append(specs)

    # Event sources, table by table in registry order: streams, then queues (the order of
    # their random streams).
    declared: dict[str, list[EventSource]] = {array: [] for array in SOURCE_TABLES}
    generators: list[RecordsSpec | None] = []
    places: dict[str, str] = {}  # source name -> where it is declared
    nouns = v.either(list({c.SCENARIO_NOUN: None for t in SOURCE_TABLES.values()
                           for c in t.values()}), "and")
    for array, sources in declared.items():
        for i, table in enumerate(_tables(data, array)):
            source, spec, where = _source(array, table, i)
            sources.append(source)
            generators.append(spec)
            if source.name in places:
                raise ScenarioError(
                    f"duplicate event source name '{source.name}' in {where}: "
                    f"{places[source.name]} has it too ({nouns} names must be unique)"
                )
            places[source.name] = where
    every = [source for sources in declared.values() for source in sources]
    by_name = {source.name: source for source in every}
    names = tuple(f.name for f in functions)
    mappings = tuple(
        _mapping(table, i, by_name, names) for i, table in enumerate(_tables(data, "mappings"))
    )
    read = {m.source.name for m in mappings}
    for source, spec in zip(every, generators):
        if spec is not None and source.name not in read:
            table = f"[{source.SCENARIO_TABLE}.{source.SCENARIO_RECORDS}]"
            raise ScenarioError(
                f"{table} of {places[source.name]} makes records that nothing reads: no "
                f"[[mappings]] has source = '{source.name}' (add one, or remove the generator)"
            )
    total = sum(spec.expected_requests() for specs in workloads for spec in specs) + sum(
        spec.expected_records() for spec in generators if spec is not None)
    if total > MAX_GENERATED_ROWS:
        raise ScenarioError(
            f"the generators would make about {total:.3g} requests and records in all, above "
            f"the limit of {MAX_GENERATED_ROWS:.0e} rows a scenario may generate"
        )
    # Scenario's fields for its sources are named after their tables
    by_table: dict[str, Any] = {array: tuple(sources) for array, sources in declared.items()}
    expectations = parse_expectations(_tables(data, "expect"), names)
    return Scenario(
        changes=parse_changes(data, names),
        autoscaling=parse_autoscaling(data, names),
        expectations=expectations,
        account=account,
        functions=tuple(functions),
        workloads=tuple(workloads),
        seed=seed,
        until=until,
        routing=routing,
        metrics_period_s=metrics_period_s,
        name=title,
        description=description,
        client_retries=client_retries,
        record_generators=tuple(generators),
        mappings=mappings,
        **by_table,
    )


def _client_retries(data: Mapping[str, Any]) -> RetryPolicy | None:
    """The top-level ``client_retries``: ``"standard"`` or a table of RetryPolicy's fields."""
    if "client_retries" not in data:
        return None
    value = data["client_retries"]
    if isinstance(value, str) and value.lower() == "standard":
        return RetryPolicy.standard()
    if not isinstance(value, dict):
        raise ScenarioError(
            "'client_retries' at the top level must be \"standard\" or a table "
            f"[client_retries] with {', '.join(_RETRY_KEYS)}, got {_kind(value)}"
        )
    where = "[client_retries]"
    _check_keys(value, _RETRY_KEYS, where)
    standard = RetryPolicy.standard()
    max_attempts = _integer(value, "max_attempts", where, default=standard.max_attempts, low=1)
    base_s = _number(value, "base_s", where, default=standard.base_s, low=0.0)
    cap_s = _number(value, "cap_s", where, default=standard.cap_s, low=0.0)
    try:
        return RetryPolicy(max_attempts, base_s, cap_s)
    except LambdaCoreError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


#: The function keys that take a distribution as a table (docs/scenarios.md, docs/model.md §3.1).
DISTRIBUTION_FIELDS = ("init_s", "idle_timeout_s")
_DISTRIBUTIONS: dict[str, Callable[..., Distribution]] = {"fixed": Fixed, "uniform": Uniform, "lognormal": LogNormal, "empirical": Empirical}


def _distribution(table: dict[str, Any], where: str) -> Distribution:
    """``{ dist = "lognormal", median_s = 800, sigma = 0.5 }`` and the like, in the form of a
    workload's ``duration`` tables: ``dist``, and the distribution's arguments by name
    (``fixed`` takes ``s``, as a duration does)."""
    dist = table.get("dist")
    if dist not in _DISTRIBUTIONS:
        raise ScenarioError(f"{where}: a distribution needs dist = one of "
                            f"{', '.join(repr(k) for k in _DISTRIBUTIONS)}, got {dist!r}")
    args = {("seconds" if dist == "fixed" and k == "s" else k): v for k, v in table.items() if k != "dist"}
    try:
        return _DISTRIBUTIONS[dist](**args)
    except TypeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except LambdaCoreError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def _vpc(table: object, where: str) -> VpcConfig:
    """A ``[functions.vpc]`` table: :class:`~lambda_core.VpcConfig`'s fields (docs/scenarios.md)."""
    if not isinstance(table, dict):
        raise ScenarioError(f"'vpc' in {where.removeprefix('[functions.vpc] of ')} must be a table")
    _check_keys(table, _VPC_KEYS, where)
    for key in ("subnet_ids", "security_group_ids"):
        if key not in table:
            raise ScenarioError(f"missing key '{key}' in {where}")
    try:
        return VpcConfig(**table)
    except TypeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except LambdaCoreError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def _function(table: dict[str, Any], index: int, base: Path | None) -> tuple[Function, tuple[WorkloadSpec | TraceSpec, ...]]:
    name = table.get("name")
    where = f"[[functions]] #{index + 1}" + (f" ('{name}')" if isinstance(name, str) else "")
    _check_keys(table, _FUNCTION_KEYS, where)
    if "name" not in table:
        raise ScenarioError(f"missing key 'name' in {where}")
    fields = {k: v for k, v in table.items() if k != "workload"}
    for key in DISTRIBUTION_FIELDS:
        if isinstance(fields.get(key), dict):
            fields[key] = _distribution(fields[key], f"'{key}' in {where}")
    if "vpc" in fields:
        fields["vpc"] = _vpc(fields["vpc"], f"[functions.vpc] of {where}")
    try:
        function = Function(**fields)
    except TypeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except LambdaCoreError as exc:
        exc.scenario_context = where  # shown by the CLI
        raise

    raw = table.get("workload", [])
    if isinstance(raw, dict):
        items = [(raw, f"[functions.workload] of function '{name}'")]
    elif isinstance(raw, list) and all(isinstance(w, dict) for w in raw):
        items = [
            (w, f"[[functions.workload]] #{j + 1} of function '{name}'") for j, w in enumerate(raw)
        ]
    else:
        raise ScenarioError(f"'workload' in {where} must be a table or an array of tables")
    return function, tuple(parse_trace_workload(w, place, function, base) if "trace" in w else _workload(w, place)
                           for w, place in items)


"""The named boundary itself: ``_core.Engine`` reads every field of the configuration records
of ``lambda_core._engine_config`` by name (a missing or mistyped field is a TypeError naming it,
a bad seconds value a LambdaCoreError naming it), and every result dict the engine returns has
exactly the keys, order and dtypes that ``_core.pyi`` documents."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _core
from lambda_core._engine_config import (
    ClientRetries,
    DistributionConfig,
    EngineConfig,
    FunctionConfig,
    QueueConfig,
    QueueMappingConfig,
    StreamConfig,
    StreamMappingConfig,
)
from tests.api.boundary_cases import ACCOUNT, FUNCTION

STUB = Path(lc.__file__).resolve().parent / "_core.pyi"


def full_config() -> EngineConfig:
    """A record with every kind of sub-record: two functions with destinations, client retries,
    a stream and a queue, each mapped."""
    return EngineConfig(
        account=ACCOUNT,
        functions=[dataclasses.replace(FUNCTION, on_failure=0),
                   dataclasses.replace(FUNCTION, reserved=5, provisioned=1, on_failure=0)],
        routing="mru",
        destinations=1,
        client_retries=ClientRetries(max_attempts=3, base_s=0.05, cap_s=1.0),
        seed=7,
        sources=[StreamConfig(kind="kinesis", shards=2, retention_s=86400.0),
                 QueueConfig(fifo=False, visibility_timeout_s=30.0, max_receive_count=2, retention_s=345600.0)],
        stream_mappings=[StreamMappingConfig(stream=0, function=0, batch_size=10, window_s=0.0, parallelization_factor=2,
                                             max_retry_attempts=2, max_record_age_s=60.0, bisect=False, on_failure=0,
                                             base_s=0.1, per_record_s=0.001)],
        queue_mappings=[QueueMappingConfig(queue=1, function=1, batch_size=5, window_s=0.5, maximum_concurrency=3,
                                           legacy=False, base_s=0.1, per_record_s=0.0)],
    )


def as_namespace(value: Any, drop: tuple[type, str] | None = None) -> Any:
    """`value` with every record turned into a plain namespace (the engine reads attributes, not
    types), leaving out field `drop[1]` of records of type `drop[0]`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: as_namespace(getattr(value, f.name), drop) for f in dataclasses.fields(value)
                  if drop is None or not (type(value) is drop[0] and f.name == drop[1])}
        return SimpleNamespace(**fields)
    if isinstance(value, (list, tuple)):
        return [as_namespace(v, drop) for v in value]
    return value


def record_fields() -> list[tuple[type, str]]:
    seen: list[tuple[type, str]] = []

    def walk(value: Any) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if (type(value), f.name) not in seen:
                    seen.append((type(value), f.name))
                walk(getattr(value, f.name))
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(full_config())
    return seen


def test_the_full_record_and_a_namespace_of_it_both_build_an_engine() -> None:
    for config in (full_config(), as_namespace(full_config())):
        engine = _core.Engine(config)
        assert engine.now == 0.0 and len(engine.mapping_report()) == 2


@pytest.mark.parametrize(("record", "field"), record_fields(), ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_a_missing_field_is_a_type_error_naming_it(record: type, field: str) -> None:
    """Every field of every record is read by the engine, under the record's own name."""
    with pytest.raises(TypeError, match=f"has no attribute '{field}'") as excinfo:
        _core.Engine(as_namespace(full_config(), drop=(record, field)))
    assert "engine configuration" in str(excinfo.value)


@pytest.mark.parametrize(("change", "named"), [
    (lambda c: dataclasses.replace(c, seed="7"), "EngineConfig.seed"),
    (lambda c: dataclasses.replace(c, destinations=-1), "EngineConfig.destinations"),
    (lambda c: dataclasses.replace(c, routing=3), "EngineConfig.routing"),
    (lambda c: dataclasses.replace(c, functions=[dataclasses.replace(FUNCTION, timeout_s="3")]), "FunctionConfig.timeout_s"),
    (lambda c: dataclasses.replace(c, functions=[dataclasses.replace(FUNCTION, reserved=-1)]), "FunctionConfig.reserved"),
    (lambda c: dataclasses.replace(c, functions=[dataclasses.replace(FUNCTION, provisioned=2**32)]), "FunctionConfig.provisioned"),
    (lambda c: dataclasses.replace(c, account=dataclasses.replace(ACCOUNT, concurrency_limit=1.5)), "AccountConfig.concurrency_limit"),
    (lambda c: dataclasses.replace(c, client_retries=ClientRetries(max_attempts=None, base_s=0.1, cap_s=1.0)),
     "ClientRetries.max_attempts"),
    (lambda c: dataclasses.replace(c, stream_mappings=[dataclasses.replace(c.stream_mappings[0], bisect="yes")]),
     "StreamMappingConfig.bisect"),
    (lambda c: dataclasses.replace(c, queue_mappings=[dataclasses.replace(c.queue_mappings[0], maximum_concurrency="3")]),
     "QueueMappingConfig.maximum_concurrency"),
    (lambda c: dataclasses.replace(c, sources=[StreamConfig(kind="kinesis", shards="2", retention_s=60.0)]),
     "StreamConfig.shards"),
    (lambda c: dataclasses.replace(c, functions=FUNCTION), "EngineConfig.functions"),
])
def test_a_field_of_the_wrong_type_is_a_type_error_naming_it(change, named: str) -> None:
    with pytest.raises(TypeError, match=named):
        _core.Engine(change(full_config()))


SECONDS_AT = {FunctionConfig: "functions[0]", DistributionConfig: "functions[0].init", ClientRetries: "client_retries", StreamConfig: "sources[0]",
              QueueConfig: "sources[1]", StreamMappingConfig: "stream_mappings[0]", QueueMappingConfig: "queue_mappings[0]",
              EngineConfig: ""}


def with_field(config: EngineConfig, record: type, field: str, value: Any) -> EngineConfig:
    """`config` with `field` of its first record of type `record` set to `value`."""
    def one(r: Any) -> Any:
        return dataclasses.replace(r, **{field: value})
    if record is EngineConfig:
        return one(config)
    if record is FunctionConfig:
        return dataclasses.replace(config, functions=[one(config.functions[0]), *config.functions[1:]])
    if record is DistributionConfig:
        first = dataclasses.replace(config.functions[0], init=one(config.functions[0].init))
        return dataclasses.replace(config, functions=[first, *config.functions[1:]])
    if record is ClientRetries:
        return dataclasses.replace(config, client_retries=one(config.client_retries))
    if record in (StreamConfig, QueueConfig):
        return dataclasses.replace(config, sources=[one(s) if type(s) is record else s for s in config.sources])
    if record is StreamMappingConfig:
        return dataclasses.replace(config, stream_mappings=[one(config.stream_mappings[0])])
    return dataclasses.replace(config, queue_mappings=[one(config.queue_mappings[0])])


SECONDS_FIELDS = [(r, f) for r, f in record_fields() if f.endswith("_s")]


def test_every_seconds_field_is_covered() -> None:
    assert {r for r, _ in SECONDS_FIELDS} == set(SECONDS_AT) and len(SECONDS_FIELDS) == 18


@pytest.mark.parametrize(("record", "field"), SECONDS_FIELDS, ids=lambda x: x if isinstance(x, str) else x.__name__)
@pytest.mark.parametrize(("bad", "says"), [(float("nan"), "value is NaN"), (-1.0, "value -1 is negative"),
                                           (float("inf"), "value inf is larger than 9e9 seconds")])
def test_a_bad_seconds_value_names_its_field(record: type, field: str, bad: float, says: str) -> None:
    at = f"{SECONDS_AT[record]}." if SECONDS_AT[record] else ""
    with pytest.raises(lc.LambdaCoreError, match="^" + re.escape(f"{at}{field}: {says}")) as excinfo:
        _core.Engine(with_field(full_config(), record, field, bad))
    assert not isinstance(excinfo.value, TypeError)


def test_seconds_become_the_engines_microseconds() -> None:
    # a 1.0000006 s timeout rounds to 1000001 µs: a 1.000001 s handler finishes (only a longer one
    # times out), a 1.000002 s one times out
    config = EngineConfig(ACCOUNT, [dataclasses.replace(FUNCTION, timeout_s=1.0000006, init=DistributionConfig("fixed", (0.0,)))])
    engine = _core.Engine(config)
    engine.submit(np.array([0.0, 0.0]), np.zeros(2, np.int64), np.array([1.000001, 1.000002]))
    outcome = engine.advance_rows(None, 0, 2)["outcome"].tolist()
    assert outcome == [lc.Outcome.SUCCESS, lc.Outcome.TIMEOUT]


def test_unknown_names_are_lambda_core_errors_naming_the_field() -> None:
    with pytest.raises(lc.LambdaCoreError, match='^routing: unknown routing "random"'):
        _core.Engine(dataclasses.replace(full_config(), routing="random"))
    with pytest.raises(lc.LambdaCoreError, match=r"^sources\[0\]\.kind: unknown stream kind"):
        _core.Engine(with_field(full_config(), StreamConfig, "kind", "kafka"))


# ---------------------------------------------------------------------------------------------
# results: exactly the documented keys, in order, with their dtypes
# ---------------------------------------------------------------------------------------------


def documented(typed_dict: str) -> dict[str, str]:
    """The keys of a TypedDict of ``_core.pyi``, in order, each with its numpy dtype name (for
    an ``npt.NDArray[np.X]``) or Python type name."""
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == typed_dict:
            out = {}
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    text = ast.unparse(item.annotation)
                    out[item.target.id] = text.removeprefix("npt.NDArray[np.").removesuffix("]")
            return out
    raise AssertionError(f"{typed_dict} is not in {STUB}")


def shape(d: dict[str, Any]) -> dict[str, str]:
    """Each key of `d`, in order, with its array's dtype or its value's type name."""
    return {k: str(v.dtype) if isinstance(v, np.ndarray) else type(v).__name__ for k, v in d.items()}


# the per-request columns of `advance` and `advance_rows` (their docstrings in _core.pyi)
REQUEST_COLUMNS = {"outcome": "uint8", "throttle_reason": "uint8", "attempts": "uint16", "throttles": "uint16",
                   "cold_starts": "uint16", "end": "float64", "first_start": "float64", "last_start": "float64",
                   "environment": "int64"}
FUNCTION_COUNTS = ["invocations", "errors", "timeouts", "throttles", "throttles_reserved", "throttles_unreserved",
                   "throttles_scaling", "cold_starts", "max_concurrency", "environments_created",
                   "provisioned_invocations", "spillover_invocations", "async_events_received",
                   "async_events_dropped", "billed_duration_ms", "provisioned_billed_duration_ms",
                   "provisioned_cold_starts", "init_duration_us", "provisioned_init_duration_us",
                   "throttles_rate", "throttles_reserved_rate", "conflicts_pending", "conflicts_inactive",
                   "eni_failures", "payloads_too_large"]


def busy_engine() -> _core.Engine:
    engine = _core.Engine(full_config())
    n = 40
    engine.submit(np.linspace(0.0, 5.0, n), (np.arange(n) % 2).astype(np.int64), np.full(n, 0.2),
                  (np.arange(n) % 2).astype(np.uint8), (np.arange(n) % 4).astype(np.int64))
    for source in (0, 1):
        engine.submit_records(source, np.linspace(0.0, 5.0, 30), np.arange(30, dtype=np.int64), np.ones(30, np.int64))
    return engine


def test_the_stub_documents_the_record_dicts() -> None:
    assert list(documented("_RecordTable")) == ["outcome", "attempts", "receives", "start", "end"]
    assert documented("_RecordLog") == {"stream": "uint32", "id": "uint64", **documented("_RecordTable")}


def test_advance_returns_the_documented_keys_and_dtypes() -> None:
    engine = busy_engine()
    out = engine.advance(None)
    assert out is not None
    records = out.pop("records")
    assert shape(out) == {"request": "uint64", **REQUEST_COLUMNS, "event_age": "float64"}
    assert shape(records) == documented("_RecordLog")
    assert len(out["request"]) == 40 and len(records["id"]) == 60


@pytest.mark.parametrize("events", [True, False])
def test_advance_rows_returns_the_documented_keys_and_dtypes(events: bool) -> None:
    engine = busy_engine()
    out = engine.advance_rows(None, 0, 40, events, [(0, 30), (0, 30)])
    tables = out.pop("records")
    earlier = out.pop("earlier")
    earlier_records = earlier.pop("records")
    assert shape(out) == {**REQUEST_COLUMNS, **({"event_age": "float64"} if events else {})}
    # nothing was submitted before these rows: `earlier` is empty, with advance's columns
    assert shape(earlier) == {"request": "uint64", **REQUEST_COLUMNS, "event_age": "float64"}
    assert shape(earlier_records) == documented("_RecordLog")
    assert len(earlier["request"]) == 0 and len(earlier_records["id"]) == 0
    assert isinstance(tables, list) and [shape(t) for t in tables] == [documented("_RecordTable")] * 2
    assert all(len(v) == 40 for v in out.values()) and all(len(v) == 30 for t in tables for v in t.values())


def test_report_returns_the_documented_keys_and_dtypes() -> None:
    engine = busy_engine()
    engine.advance(None, False)
    report = engine.report()
    assert list(report) == list(documented("_Report")) == ["horizon", "functions", "account"]
    assert isinstance(report["horizon"], float)
    assert shape(report["functions"]) == {**{k: "uint64" for k in FUNCTION_COUNTS}, "avg_environments": "float64"}
    assert all(len(v) == 2 for v in report["functions"].values())
    assert shape(report["account"]) == documented("_AccountReport")


def test_drain_destinations_returns_the_documented_keys_and_dtypes() -> None:
    engine = busy_engine()
    engine.advance(None)
    logs = engine.drain_destinations()
    assert len(logs) == 1 and shape(logs[0]) == documented("_DestinationLog")
    assert logs[0]["total"] == len(logs[0]["request"]) > 0


def test_mapping_report_returns_the_documented_keys_and_types() -> None:
    engine = busy_engine()
    engine.advance(None, False)
    reports = engine.mapping_report()
    assert [shape(r) for r in reports] == [documented("_MappingReport")] * 2
    assert reports[0]["records_processed"] + reports[0]["records_failed"] == 30


def test_result_columns_hold_the_engines_vectors() -> None:
    """Each column is a new array over the engine's vector (handed over, not copied): its base
    is the Rust container that owns the memory, not another array."""
    out = busy_engine().advance_rows(None, 0, 40, True, [(0, 30)])
    for column in [*(v for k, v in out.items() if k not in ("records", "earlier")), *out["records"][0].values()]:
        assert column.base is not None and not isinstance(column.base, np.ndarray)

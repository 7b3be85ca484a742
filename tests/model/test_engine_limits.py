"""The engine's limits (``_core.LIMITS``): every one a user can reach through the public API is
checked in Python before the engine sees the value, with a message naming the user's object and
value; the value at the limit is accepted, one past it refused with the exact message; and the
numbers in the messages are the table's."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _core
from lambda_core._engine_config import (
    DistributionConfig,
    AccountConfig,
    ClientRetries,
    EngineConfig,
    FunctionConfig,
    StreamConfig,
    StreamMappingConfig,
)
from lambda_core._model import engine_limits
from tests.api.test_engine_records import full_config

LIMITS = _core.LIMITS


def test_the_table_is_exported_read_only() -> None:
    assert set(LIMITS) == {
        "shards", "lanes", "parallelization_factor", "client_retry_attempts",
        "client_retry_cap_us", "ids_in_flight", "functions", "concurrency", "seconds",
        "failures", "mapping_counts", "mapped_visibility_timeout_us", "scaling", "scaling_bucket_us",
        "metrics_period_us", "warm_at_start",
    }
    for name, limit in LIMITS.items():
        assert isinstance(limit, _core.Limit) and limit.name == name
        assert 0 <= limit.min <= limit.max and limit.what
    shards = LIMITS["shards"]
    assert (shards.min, shards.max, shards.what) == (1, 2**20, "shards per stream")
    assert repr(shards) == "Limit(name='shards', min=1, max=1048576, what='shards per stream')"
    # the product rule of client retries lives in the table, and Python and the engine agree
    assert (LIMITS["client_retry_attempts"].min, LIMITS["client_retry_attempts"].max) == (1, 10_000)
    with pytest.raises(TypeError):
        LIMITS["shards"] = LIMITS["lanes"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        shards.max = 5  # type: ignore[misc]


def test_engine_limit_error_is_lambda_cores_own_and_compatible() -> None:
    assert issubclass(lc.EngineLimitError, lc.LambdaCoreError)
    # the class these refusals had before it existed, so that code catching that keeps working
    assert issubclass(lc.EngineLimitError, lc.InvalidParameterValueException)
    assert lc.EngineLimitError.code is None  # not an AWS error
    assert lc.errors.EngineLimitError is lc.EngineLimitError and "EngineLimitError" in lc.__all__


def refused(build, message: str) -> None:
    with pytest.raises(lc.EngineLimitError) as info:
        build()
    assert str(info.value) == message


# ---------------------------------------------------------------------------------------------
# each limit at both sides of its boundary
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [lc.KinesisStream, lc.DynamoDBStream])
def test_shards_per_stream(kind) -> None:
    assert kind("clicks", shards=2**20).shards == 2**20
    refused(lambda: kind("clicks", shards=2**20 + 1),
            "stream 'clicks': shards=1048577 is above lambda_core's limit of 1048576 shards per stream")
    refused(lambda: kind("clicks", shards=2_000_000),
            "stream 'clicks': shards=2000000 is above lambda_core's limit of 1048576 shards per stream")


def test_a_stream_at_the_shard_limit_runs() -> None:
    stream = lc.KinesisStream("clicks", shards=2**20)
    sim = lc.Simulator(lc.Account(), [lc.Function("f")], mappings=[lc.EventSourceMapping(stream, "f")])
    r = sim.run(records=lc.Records("clicks", [0.0, 1.0], key=["a", "b"]))
    assert r.records["clicks"]["outcome"].tolist() == [lc.RecordOutcome.PROCESSED] * 2


def lane_mappings(extra: int) -> list[lc.EventSourceMapping]:
    """Stream mappings with 2^30 − 1 + `extra` lanes together."""
    full = [lc.EventSourceMapping(lc.KinesisStream(f"s{i}", shards=2**20), "f", parallelization_factor=10)
            for i in range(102)]  # 1069547520 lanes
    return full + [
        lc.EventSourceMapping(lc.KinesisStream("big", shards=419_430), "f", parallelization_factor=10),
        lc.EventSourceMapping(lc.KinesisStream("last", shards=3 + extra), "f"),
    ]


def test_lanes_of_all_stream_mappings_together() -> None:
    functions = [lc.Function("f")]
    at_limit = lane_mappings(0)
    assert sum(m.source.shards * m.parallelization_factor for m in at_limit) == 2**30 - 1
    engine_limits.check_configuration(functions, at_limit)  # accepted (building it would take ~100 GB)
    over = lane_mappings(1)
    with pytest.raises(lc.EngineLimitError) as info:
        lc.Simulator(lc.Account(), functions, mappings=over)  # refused before the engine is built
    parts = ", ".join([f"'s{i}' → 'f' (1048576 shards × 10)" for i in range(102)]
                      + ["'big' → 'f' (419430 shards × 10)", "'last' → 'f' (4 shards × 1)"])
    assert str(info.value) == (
        f"stream mappings {parts}: 1073741824 lanes is above lambda_core's limit of 1073741823 "
        "lanes of all stream mappings together (shards × parallelization factor)")


def test_number_of_functions() -> None:
    # only the count matters: a range stands for 2^32 − 2 functions without building them
    engine_limits.check_configuration(range(2**32 - 2), [])  # type: ignore[arg-type]
    refused(lambda: engine_limits.check_configuration(range(2**32 - 1), []),  # type: ignore[arg-type]
            "Simulator: len(functions)=4294967295 is above lambda_core's limit of 4294967294 functions")


def test_client_retry_attempts() -> None:
    policy = lc.RetryPolicy(max_attempts=10_000)
    sim = lc.Simulator(lc.Account(), [lc.Function("f")], client_retries=policy)
    assert sim.run(lc.Workload([0.0], [0], [0.1])).requests["outcome"].tolist() == [lc.Outcome.SUCCESS]
    refused(lambda: lc.RetryPolicy(max_attempts=10_001),
            "RetryPolicy: max_attempts=10001 is above lambda_core's limit of 10000 attempts of a retrying caller")
    refused(lambda: lc.RetryPolicy(max_attempts=0),
            "RetryPolicy: max_attempts=0 is below lambda_core's minimum of 1 attempts of a retrying caller")


def test_the_engine_guards_the_same_numbers() -> None:
    """The engine's own check (for embedders, and a backstop) reads the same table."""
    account = AccountConfig(concurrency_limit=1000, unreserved_capacity=1000, scaling=None)
    fn = FunctionConfig(reserved=None, provisioned=0, timeout_s=3.0, init=DistributionConfig("fixed", (0.5,)),
                          keep_alive=DistributionConfig("fixed", (600.0,)), max_lifetime_s=None,
                          warm_at_start=0,
                        provisioned_ready_s=0.0, max_retry_attempts=2, max_event_age_s=21600.0,
                        on_success=None, on_failure=None, dead_letter_queue=None)
    _core.Engine(EngineConfig(account, [fn], client_retries=ClientRetries(10_000, 1.0, 20.0)))
    with pytest.raises(lc.InvalidParameterValueException, match="max_attempts must be 1–10000"):
        _core.Engine(EngineConfig(account, [fn], client_retries=ClientRetries(10_001, 1.0, 20.0)))
    with pytest.raises(lc.InvalidParameterValueException, match="stream 0: shards must be 1–1048576"):
        _core.Engine(EngineConfig(
            account, [fn], destinations=1,
            sources=[StreamConfig(kind="kinesis", shards=2**20 + 1, retention_s=86400.0)],
            stream_mappings=[StreamMappingConfig(stream=0, function=0, batch_size=100, window_s=0.0,
                                                 parallelization_factor=1, max_retry_attempts=None,
                                                 max_record_age_s=None, bisect=False, on_failure=None,
                                                 base_s=0.05, per_record_s=0.0)]))


def test_concurrency() -> None:
    sim = lc.Simulator(lc.Account(concurrency_limit=2**32 - 1), [lc.Function("f")])
    assert sim.account_settings()["ConcurrentExecutions"] == 2**32 - 1
    refused(lambda: lc.Account(concurrency_limit=2**32),
            "Account: concurrency_limit=4294967296 is above lambda_core's limit of 4294967295 concurrent executions")


def test_scaling_bucket() -> None:
    assert lc.Account(scaling_burst=1).burst == 1
    refused(lambda: lc.Account(scaling_burst=0),
            "Account: scaling_burst=0 is below lambda_core's minimum of 1 tokens of scaling burst or "
            "microseconds of refill per token")
    assert lc.Account(scaling_refill_per_s=1.9e6).token_cost_us == 1
    refused(lambda: lc.Account(scaling_refill_per_s=2e6),
            "Account: scaling_refill_per_s=2000000.0 makes a token cost 0 µs of refill, below "
            "lambda_core's minimum of 1 µs per token")
    # a token of 1 µs: the burst is the bucket
    account = lc.Account(scaling_burst=2**63 - 1, scaling_refill_per_s=1e6)
    sim = lc.Simulator(account, [lc.Function("f")])
    assert sim.run(lc.Workload([0.0], [0], [0.1])).requests["outcome"].tolist() == [lc.Outcome.SUCCESS]
    refused(lambda: lc.Account(scaling_burst=2**63, scaling_refill_per_s=1e6),
            "Account: scaling_burst × token_cost_us=9223372036854775808 is above lambda_core's limit of "
            "9223372036854775807 microseconds of refill in a scaling bucket (burst × token cost)")


@pytest.mark.parametrize("field", ["idle_timeout_s", "provisioned_ready_s"])
def test_function_seconds(field) -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("orders", **{field: 9e9})])
    assert sim.run(lc.Workload([0.0], [0], [0.1])).requests["outcome"].tolist() == [lc.Outcome.SUCCESS]
    refused(lambda: lc.Function("orders", **{field: 9e9 + 1}),
            f"function 'orders': {field}=9000000001.0 is above lambda_core's limit of 9000000000 seconds")


@pytest.mark.parametrize("field", ["base_s", "per_record_s"])
def test_batch_duration_seconds(field) -> None:
    duration = lc.BatchDuration(**{field: 9e9})
    queue = lc.SqsQueue("jobs")
    lc.Simulator(lc.Account(), [lc.Function("f")], mappings=[lc.EventSourceMapping(queue, "f", duration=duration)])
    refused(lambda: lc.BatchDuration(**{field: 9e9 + 1}),
            f"BatchDuration: {field}=9000000001.0 is above lambda_core's limit of 9000000000 seconds")
    if field == "base_s":  # a number given to the mapping is a BatchDuration's base
        refused(lambda: lc.EventSourceMapping(queue, "f", duration=1e10),
                "BatchDuration: base_s=10000000000.0 is above lambda_core's limit of 9000000000 seconds")


def test_failures_per_record() -> None:
    stream = lc.KinesisStream("clicks")
    sim = lc.Simulator(lc.Account(), [lc.Function("f")], mappings=[lc.EventSourceMapping(stream, "f")])
    r = sim.run(records=lc.Records("clicks", [0.0], failures=[2**32 - 1]), until=5.0)
    assert r.records["clicks"]["outcome"].tolist() == [lc.RecordOutcome.PENDING]  # retried until expiry
    with pytest.raises(lc.WorkloadError) as info:
        lc.Records("clicks", [0.0, 1.0, 2.0], failures=np.array([0, 2**32, 2**40]))
    assert (info.value.column, info.value.row) == ("failures", 1)
    assert str(info.value) == ("records of 'clicks', column 'failures', row 1: 4294967296 is above "
                               "lambda_core's limit of 4294967295 failing attempts per row or record")


def test_a_mapped_queues_visibility_timeout_is_awss_rule_now() -> None:
    """No engine limit reachable from Python: SQS's whole seconds and the function's timeout
    (≥ 1 s) keep a mapped queue at or above the engine's 1 s (tests/sources/test_bounded_work.py)."""
    limit = LIMITS["mapped_visibility_timeout_us"]
    assert limit.min == 1_000_000 == _core.to_micros(1.0)
    queue = lc.SqsQueue("jobs", visibility_timeout_s=1)
    lc.Simulator(lc.Account(), [lc.Function("f", timeout_s=1)], mappings=[lc.EventSourceMapping(queue, "f")])
    with pytest.raises(lc.InvalidAttributeValue):
        lc.SqsQueue("jobs", visibility_timeout_s=1e-6)


def test_workload_failures_saturate_at_the_limit() -> None:
    """A row's failures above the limit are not refused: the engine saturates them, and a
    request never makes that many attempts, so they mean the same."""
    sim = lc.Simulator(lc.Account(), [lc.Function("f")])
    r = sim.run(lc.Workload([0.0, 0.0], [0, 0], [0.1, 0.1], failures=[2**32 - 1, 2**40]))
    assert r.requests["outcome"].tolist() == [lc.Outcome.ERROR] * 2


# ---------------------------------------------------------------------------------------------
# the numbers in the messages are the table's
# ---------------------------------------------------------------------------------------------

# (limit, a builder of the checked object from a value, whether the value is a float)
CHECKS = [
    ("shards", lambda x: lc.KinesisStream("s", shards=x), False),
    ("shards", lambda x: lc.DynamoDBStream("table", shards=x), False),
    ("client_retry_attempts", lambda x: lc.RetryPolicy(max_attempts=x), False),
    ("concurrency", lambda x: lc.Account(concurrency_limit=x), False),
    ("scaling", lambda x: lc.Account(scaling_burst=x, scaling="off"), False),
    ("seconds", lambda x: lc.Function("f", idle_timeout_s=x), True),
    ("seconds", lambda x: lc.Function("f", provisioned_ready_s=x), True),
    ("seconds", lambda x: lc.BatchDuration(base_s=x), True),
    ("seconds", lambda x: lc.BatchDuration(per_record_s=x), True),
    ("functions", lambda x: engine_limits.check_configuration(range(x), []), False),
]


@pytest.mark.parametrize("name, build, real", CHECKS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CHECKS)])
def test_python_reads_each_limit_from_the_table(name, build, real) -> None:
    limit = LIMITS[name]
    at, over = (float(limit.max), float(limit.max) + 1) if real else (limit.max, limit.max + 1)
    build(at)
    with pytest.raises(lc.EngineLimitError) as info:
        build(over)
    assert f"={over!r} is above lambda_core's limit of {limit.max} {limit.what}" in str(info.value)


def test_the_other_limits_read_from_the_table() -> None:
    """The limits checked with their own words: their numbers are still the table's."""
    lanes = LIMITS["lanes"]
    with pytest.raises(lc.EngineLimitError, match=f"{lanes.max + 1} lanes is above lambda_core's limit of {lanes.max} "):
        lc.Simulator(lc.Account(), [lc.Function("f")], mappings=lane_mappings(1))
    failures = LIMITS["failures"]
    with pytest.raises(lc.WorkloadError, match=f"{failures.max + 1} is above lambda_core's limit of {failures.max} "):
        lc.Records("s", [0.0], failures=[failures.max + 1])
    bucket = LIMITS["scaling_bucket_us"]
    with pytest.raises(lc.EngineLimitError, match=f"limit of {bucket.max} {bucket.what.split()[0]}"):
        lc.Account(scaling_burst=bucket.max + 1, scaling_refill_per_s=1e6)
    cost = LIMITS["scaling"]
    with pytest.raises(lc.EngineLimitError, match=f"minimum of {cost.min} µs per token"):
        lc.Account(scaling_refill_per_s=1e7)
    visibility = LIMITS["mapped_visibility_timeout_us"]
    with pytest.raises(lc.LambdaCoreError, match=f"must be {visibility.min}–{visibility.max} µs"):
        _core.Engine(dataclasses.replace(full_config(), sources=[
            full_config().sources[0], dataclasses.replace(full_config().sources[1], visibility_timeout_s=0.5)]))

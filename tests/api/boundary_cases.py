"""What the boundary tests share: a small simulator, canonical columns, the check of a
WorkloadError, and private engines built directly (from the record `_core.Engine` takes)."""

from __future__ import annotations

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _core
from lambda_core._engine_config import (
    DistributionConfig,
    AccountConfig,
    EngineConfig,
    FunctionConfig,
    QueueConfig,
    QueueMappingConfig,
    ScalingConfig,
    StreamConfig,
    StreamMappingConfig,
)

COLUMNS = ("time", "function", "duration", "invocation_type", "failures")


def make_sim(n_functions: int = 2, **kwargs) -> lc.Simulator:
    return lc.Simulator(lc.Account(), [lc.Function(f"f{i}") for i in range(n_functions)], **kwargs)


def canonical(n: int = 4) -> dict[str, np.ndarray]:
    return {
        "time": np.arange(n, dtype=np.float64),
        "function": np.zeros(n, dtype=np.int64),
        "duration": np.full(n, 0.1),
    }


def run(**columns) -> lc.Result:
    """Builds a workload from canonical columns overridden by `columns` and runs it."""
    cols = {**canonical(), **columns}
    return make_sim().run(lc.Workload(**cols))


def check_workload_error(excinfo: pytest.ExceptionInfo, column: str, row: int | None) -> None:
    e = excinfo.value
    assert isinstance(e, lc.WorkloadError) and isinstance(e, ValueError)
    assert e.column == column and e.row == row, (e.column, e.row, str(e))
    assert f"'{column}'" in str(e), str(e)
    if row is not None:
        # a length mismatch names both lengths; `row` is the first row one column lacks
        assert f"row {row}" in str(e) or f"has {row} rows" in str(e) or f"'time' has {row}" in str(e), str(e)


# the exact dtype of each column `_core.Engine.submit` and `submit_records` take
ENGINE_DTYPES = {"time": np.float64, "function": np.int64, "duration": np.float64,
                 "invocation_type": np.uint8, "failures": np.int64, "key": np.int64}


# AWS's defaults for a function, and an account of 1000 with the current scaling bucket
FUNCTION = FunctionConfig(reserved=None, provisioned=0, timeout_s=3.0, init=DistributionConfig("fixed", (0.5,)),
                          keep_alive=DistributionConfig("fixed", (600.0,)), max_lifetime_s=None,
                          warm_at_start=0,
                          provisioned_ready_s=0.0, max_retry_attempts=2, max_event_age_s=21600.0,
                          on_success=None, on_failure=None, dead_letter_queue=None)
ACCOUNT = AccountConfig(concurrency_limit=1000, unreserved_capacity=1000,
                        scaling=ScalingConfig(per_function=True, burst=1000, cost_us=10_000))


def make_engine(n_functions: int = 2) -> _core.Engine:
    return _core.Engine(EngineConfig(ACCOUNT, [FUNCTION] * n_functions))


def make_source_engine(kind: str) -> _core.Engine:
    if kind == "sqs":
        return _core.Engine(EngineConfig(
            ACCOUNT, [FUNCTION],
            sources=[QueueConfig(fifo=True, visibility_timeout_s=5.0, max_receive_count=2, retention_s=60.0)],
            queue_mappings=[QueueMappingConfig(queue=0, function=0, batch_size=3, window_s=0.0, maximum_concurrency=None,
                                               legacy=False, base_s=0.5, per_record_s=0.01)]))
    return _core.Engine(EngineConfig(
        ACCOUNT, [FUNCTION], destinations=1,
        sources=[StreamConfig(kind=kind, shards=3, retention_s=60.0)],
        stream_mappings=[StreamMappingConfig(stream=0, function=0, batch_size=2, window_s=0.5, parallelization_factor=2,
                                             max_retry_attempts=1, max_record_age_s=None, bisect=True, on_failure=0,
                                             base_s=0.5, per_record_s=0.01)]))

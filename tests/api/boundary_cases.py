"""What the boundary tests share: a small simulator, canonical columns, the check of a
WorkloadError, and private engines built directly (the positional form `_core.Engine` takes)."""

from __future__ import annotations

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _core

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


def make_engine(n_functions: int = 2) -> _core.Engine:
    return _core.Engine(1000, 1000, "current", 1000, 10_000, "newest", [(None, 0, 3.0, 0.5, 600.0, 0.0, 2, 21600.0, None, None, None)] * n_functions)


def make_source_engine(kind: str) -> _core.Engine:
    fn = (None, 0, 3.0, 0.5, 600.0, 0.0, 2, 21600.0, None, None, None)
    if kind == "sqs":
        return _core.Engine(1000, 1000, "current", 1000, 10_000, "newest", [fn], 0, None, 0,
                            [("sqs", 0, 60.0, True, 5.0, 2)], [], [(0, 0, 3, 0.0, None, False, 0.5, 0.01)])
    return _core.Engine(1000, 1000, "current", 1000, 10_000, "newest", [fn], 1, None, 0,
                        [(kind, 3, 60.0, False, 0.0, None)],
                        [(0, 0, 2, 0.5, 2, 1, -1.0, True, 0, 0.5, 0.01)])

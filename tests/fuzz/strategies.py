"""What the fuzzing harness draws: whole configurations of the public API (an account, functions
with reservations, provisioned concurrency and asynchronous destinations, a client retry
policy, a routing, Kinesis and DynamoDB streams, standard and FIFO SQS queues and their
mappings), a workload and records for them, and an ``until``.

Sizes are bounded so that one example runs in milliseconds: at most 20 concurrent executions,
4 functions, 40 rows, 3 sources of 16 records each. Values come from small grids with a few
odd ones (sub-microsecond gaps, zero durations, ties) where the engine rounds and orders.
A drawn configuration is one AWS accepts almost always; the rare one it refuses is a typed
error, which the tests accept.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from hypothesis import strategies as st

import lambda_core as lc

#: Destination names shared by functions and stream mappings.
TARGETS = [None, None, "d1", "d2"]
#: Gaps between arrivals: ties, sub-microsecond steps (rounding), and seconds.
GAPS = [0.0, 0.0, 0.0000004, 0.001, 0.25, 0.5, 1.0, 2.5, 7.0]
#: Handler durations: zero, sub-microsecond, typical, past the timeouts below.
DURATIONS = [0.0, 0.0000006, 0.1, 0.5, 1.0, 2.0, 3.5, 30.0, 90.0]
UNTILS = [0.0, 0.5, 1.0, 2.0, 4.0, 10.0, 61.0, 200.0, 1000.0]


@dataclasses.dataclass
class Case:
    """One drawn run: the simulator's arguments, the inputs and ``until``."""

    account: lc.Account
    functions: list[lc.Function]
    routing: str
    client_retries: lc.RetryPolicy | None
    seed: int
    mappings: list[lc.EventSourceMapping]
    #: workload columns: time, function, duration, invocation_type, failures
    columns: dict[str, np.ndarray]
    #: per source name: time, key, failures
    records: dict[str, dict[str, np.ndarray]]
    until: float | None

    def simulator(self) -> lc.Simulator:
        return lc.Simulator(self.account, self.functions, seed=self.seed, routing=self.routing,
                            client_retries=self.client_retries, mappings=self.mappings)

    def workload(self, rows: slice = slice(None)) -> lc.Workload:
        """The workload (or a slice of its rows), on copies of the columns: the engine reads a
        submitted array in place until its rows are resolved."""
        c = {k: v[rows].copy() for k, v in self.columns.items()}
        return lc.Workload(c["time"], c["function"], c["duration"], c["invocation_type"], c["failures"])

    def record_objects(self, ranges: dict[str, slice] | None = None) -> list[lc.Records]:
        out = []
        for name, cols in self.records.items():
            rows = slice(None) if ranges is None else ranges[name]
            out.append(lc.Records(name, cols["time"][rows].copy(), cols["key"][rows].copy(),
                                  cols["failures"][rows].copy()))
        return out

    def describe(self) -> str:
        return (f"Case(account={self.account!r}, functions={self.functions!r}, routing={self.routing!r}, "
                f"client_retries={self.client_retries!r}, seed={self.seed}, mappings={self.mappings!r}, "
                f"columns={ {k: v.tolist() for k, v in self.columns.items()} }, "
                f"records={ {s: {k: v.tolist() for k, v in c.items()} for s, c in self.records.items()} }, "
                f"until={self.until!r})")


def _times(draw: Any, n: int) -> np.ndarray:
    gaps = draw(st.lists(st.sampled_from(GAPS), min_size=n, max_size=n))
    start = draw(st.sampled_from([0.0, 0.0, 0.3, 5.0]))
    return start + np.cumsum(np.array(gaps, dtype=np.float64))


@st.composite
def accounts(draw: Any) -> lc.Account:
    limit = draw(st.integers(1, 20))
    scaling = draw(st.sampled_from(["current", "legacy", None]))
    return lc.Account(
        concurrency_limit=limit,
        unreserved_min=draw(st.one_of(st.none(), st.integers(0, limit))),
        scaling=scaling,
        scaling_burst=draw(st.one_of(st.none(), st.integers(1, 6))) if scaling else None,
        scaling_refill_per_s=draw(st.sampled_from([None, 1.0, 4.0, 1000.0])) if scaling else None,
    )


@st.composite
def functions(draw: Any, account: lc.Account) -> list[lc.Function]:
    """1–4 functions whose reservations mostly fit the account (AWS's check is `plan_pools`)."""
    out = []
    room = account.concurrency_limit - account.min_unreserved
    for i in range(draw(st.integers(1, 4))):
        rc = draw(st.one_of(st.none(), st.none(), st.integers(0, max(0, min(room, 4)))))
        room -= rc or 0
        pc = draw(st.one_of(st.none(), st.none(), st.integers(1, 3)))
        if pc is not None and rc is not None and pc > rc:
            pc = None
        out.append(lc.Function(
            f"f{i}",
            timeout_s=draw(st.sampled_from([1, 3, 120])),
            reserved_concurrency=rc,
            provisioned_concurrency=pc,
            init_s=draw(st.sampled_from([0.0, 0.000001, 0.25, 1.0])),
            idle_timeout_s=draw(st.sampled_from([0.0, 0.5, 3.0, 600.0])),
            provisioned_ready_s=draw(st.sampled_from([0.0, 0.0, 1.5])),
            max_retry_attempts=draw(st.integers(0, 2)),
            max_event_age_s=draw(st.sampled_from([60, 90, 200, 21600])),
            on_success=draw(st.sampled_from(TARGETS)),
            on_failure=draw(st.sampled_from(TARGETS)),
            dead_letter_queue=draw(st.sampled_from(TARGETS)),
        ))
    return out


@st.composite
def sources_and_mappings(draw: Any, funcs: list[lc.Function]) -> list[lc.EventSourceMapping]:
    """0–3 event sources of any kind, each read by one mapping into one of `funcs`."""
    mappings = []
    for j in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["kinesis", "dynamodb", "sqs", "fifo"]))
        function = funcs[draw(st.integers(0, len(funcs) - 1))].name
        duration = draw(st.sampled_from([0.0, 0.05, 0.5, 2.0, lc.BatchDuration(0.01, 0.1)]))
        if kind in ("kinesis", "dynamodb"):
            shards = draw(st.integers(1, 3))
            source: Any = (lc.KinesisStream(f"s{j}", shards=shards,
                                            retention_s=draw(st.sampled_from([86400, 90000])))
                           if kind == "kinesis" else lc.DynamoDBStream(f"table{j}", shards=shards))
            mappings.append(lc.EventSourceMapping(
                source, function,
                batch_size=draw(st.integers(1, 4)),
                batching_window_s=draw(st.sampled_from([None, 0.0, 0.5, 2.0])),
                parallelization_factor=draw(st.sampled_from([None, 1, 2])),
                maximum_retry_attempts=draw(st.sampled_from([None, -1, 0, 1, 3])),
                maximum_record_age_s=draw(st.sampled_from([None, -1, 60, 600])),
                bisect_batch_on_function_error=draw(st.sampled_from([None, False, True])),
                on_failure=draw(st.sampled_from(TARGETS)),
                duration=duration,
            ))
        else:
            fifo = kind == "fifo"
            queue = lc.SqsQueue(
                f"q{j}.fifo" if fifo else f"q{j}", fifo=fifo,
                # whole seconds: sub-second timeouts are issue 10's class 2 (another helper's)
                visibility_timeout_s=draw(st.sampled_from([1, 5, 30])),
                max_receive_count=draw(st.sampled_from([None, 1, 2, 5])),
                retention_s=draw(st.sampled_from([60, 3600, 345600])),
            )
            batch = draw(st.integers(1, 10 if fifo else 12))
            window = None if fifo else draw(st.sampled_from([None, 0.0, 1.0, 2.0]))
            if batch > 10:
                window = 1.0
            mappings.append(lc.EventSourceMapping(
                queue, function, batch_size=batch, batching_window_s=window,
                maximum_concurrency=draw(st.sampled_from([None, 2, 3])), duration=duration,
            ))
    return mappings


@st.composite
def workload_columns(draw: Any, n_functions: int, max_rows: int = 40) -> dict[str, np.ndarray]:
    n = draw(st.integers(0, max_rows))
    mix = draw(st.sampled_from(["sync", "event", "mixed"]))
    kinds = {"sync": [0] * n, "event": [1] * n,
             "mixed": draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))}[mix]
    return {
        "time": _times(draw, n),
        "function": np.array(draw(st.lists(st.integers(0, n_functions - 1), min_size=n, max_size=n)), np.int64),
        "duration": np.array(draw(st.lists(st.sampled_from(DURATIONS), min_size=n, max_size=n)), np.float64),
        "invocation_type": np.array(kinds, np.uint8),
        "failures": np.array(draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 3]), min_size=n, max_size=n)), np.int64),
    }


@st.composite
def record_columns(draw: Any, max_records: int = 16) -> dict[str, np.ndarray]:
    n = draw(st.integers(0, max_records))
    keys = draw(st.sampled_from([[0, 1, 2], [0], [-(2**63), 2**63 - 1, 7, 123456789]]))
    return {
        "time": _times(draw, n),
        "key": np.array(draw(st.lists(st.sampled_from(keys), min_size=n, max_size=n)), np.int64),
        "failures": np.array(draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 6]), min_size=n, max_size=n)), np.int64),
    }


@st.composite
def cases(draw: Any, max_rows: int = 40) -> Case:
    account = draw(accounts())
    funcs = draw(functions(account))
    mappings = draw(sources_and_mappings(funcs))
    until = draw(st.one_of(st.none(), st.none(), st.sampled_from(UNTILS)))
    reserved = {f.name: f.reserved_concurrency for f in funcs}
    if until is None and any(reserved[m.function] == 0 for m in mappings):
        # a mapping whose function reserves 0 never ends without `until` (a UsageError,
        # tested in tests/sources/test_never_ending_runs.py): give most such runs one
        until = draw(st.sampled_from([None, 200.0, 1000.0, 1000.0]))
    return Case(
        account=account, functions=funcs,
        routing=draw(st.sampled_from(["newest", "mru", "oldest"])),
        client_retries=draw(st.sampled_from([
            None, None, lc.RetryPolicy(), lc.RetryPolicy(max_attempts=5, base_s=0.000002, cap_s=0.5)])),
        seed=draw(st.integers(0, 2**64 - 1)),
        mappings=mappings,
        columns=draw(workload_columns(len(funcs), max_rows)),
        records={m.source.name: draw(record_columns()) for m in mappings},
        until=until,
    )

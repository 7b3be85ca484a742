"""Scenario files with event sources that the tests share: streams with their mappings, queues
parsed in full, and the simulator of the streams file built by hand."""

from __future__ import annotations

import lambda_core as lc

# Three functions; "consumer" (reserved 6) reads an 8-shard Kinesis stream with a
# parallelization factor of 2 — 16 lanes for 6 slots: throttles — and one retry, so the
# batches that hold a poison record (3 failures) go to "clicks-dlq"; "audit" reads a
# DynamoDB stream with a batching window.
STREAMS = """
seed = 5

[account]
concurrency_limit = 50
unreserved_min = 10

[[functions]]
name = "api"
[functions.workload]
arrivals = "poisson"
rate_per_s = 20
end_s = 60
duration = { dist = "exponential", mean_s = 0.2 }

[[functions]]
name = "consumer"
reserved_concurrency = 6
timeout_s = 10

[[functions]]
name = "audit"

[[streams]]
name = "clicks"
kind = "kinesis"
shards = 8
[streams.records]
arrivals = "bursty"
rate_per_s = 200
end_s = 60
bursts = [{ at_s = 20, count = 3000, over_s = 5 }]
keys = 50
failure_rate = 0.002
failures = 3

[[streams]]
name = "table-changes"
kind = "dynamodb"
shards = 2
[streams.records]
arrivals = "poisson"
rate_per_s = 30
end_s = 60

[[mappings]]
source = "clicks"
function = "consumer"
batch_size = 50
parallelization_factor = 2
maximum_retry_attempts = 1
on_failure = "clicks-dlq"
duration = { base_s = 0.1, per_record_s = 0.01 }

[[mappings]]
source = "table-changes"
function = "audit"
batch_size = 10
batching_window_s = 1
duration = 0.2
"""

# Queues, parsed in full (running SQS mappings is the engine's business).
QUEUES = """
seed = 3

[[functions]]
name = "worker"

[[functions]]
name = "sequencer"

[[streams]]
name = "events"
kind = "kinesis"

[[queues]]
name = "jobs"
fifo = false
visibility_timeout_s = 45
max_receive_count = 5
retention_s = 86400
[queues.messages]
arrivals = "poisson"
rate_per_s = 10
end_s = 30
failure_rate = 0.01

[[queues]]
name = "orders.fifo"
fifo = true
[queues.messages]
arrivals = "bursty"
bursts = [{ at_s = 5, count = 100, over_s = 1 }]
keys = 7

[[mappings]]
source = "jobs"
function = "worker"
batch_size = 20
batching_window_s = 2
maximum_concurrency = 5
duration = 0.3

[[mappings]]
source = "orders.fifo"
function = "sequencer"
"""


# pieces of scenario files the error cases assemble
BASE = '[[functions]]\nname = "inventory"\n[[functions]]\nname = "billing"\n'
STREAM = '[[streams]]\nname = "s"\nkind = "kinesis"\n'
MAPPING = '[[mappings]]\nsource = "s"\nfunction = "inventory"\n'
RECORDS = '[streams.records]\narrivals = "poisson"\nrate_per_s = 5\nend_s = 10\n'


def hand_built(seed: int = 5) -> lc.Simulator:
    """The simulator of STREAMS, built by hand from the file's values."""
    functions = [lc.Function("api"), lc.Function("consumer", reserved_concurrency=6, timeout_s=10),
                 lc.Function("audit")]
    clicks = lc.KinesisStream("clicks", shards=8)
    changes = lc.DynamoDBStream("table-changes", shards=2)
    mappings = [
        lc.EventSourceMapping(clicks, "consumer", batch_size=50, parallelization_factor=2,
                              maximum_retry_attempts=1, on_failure="clicks-dlq",
                              duration=lc.BatchDuration(0.1, 0.01)),
        lc.EventSourceMapping(changes, "audit", batch_size=10, batching_window_s=1,
                              duration=0.2),
    ]
    return lc.Simulator(lc.Account(concurrency_limit=50, unreserved_min=10), functions,
                        seed=seed, mappings=mappings)

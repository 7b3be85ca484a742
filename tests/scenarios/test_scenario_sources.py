"""Event sources and event-source mappings in scenario files ([[streams]], [[queues]],
[[mappings]]): parsing and its errors, the generation of records, and what ``lambda-core run``
and ``lambda-core validate`` print for them.

Run with ``python -m pytest tests/test_scenario_sources.py -q``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.cli import main, simulate
from lambda_core.report import MAPPING_COUNTS, format_run, summarize
from lambda_core.scenario import (
    RecordsSpec,
    ScenarioError,
    builtin_scenario,
    load_scenario,
    parse_scenario,
)

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


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def streams(tmp_path: Path) -> Path:
    return write(tmp_path, STREAMS, "streams.toml")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["run", *argv, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


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


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def test_streams_and_mappings_are_parsed(streams):
    scenario = load_scenario(streams)
    assert scenario.streams == (lc.KinesisStream("clicks", shards=8),
                                lc.DynamoDBStream("table-changes", shards=2))
    assert scenario.queues == ()
    assert scenario.sources == scenario.streams
    assert scenario.mappings == tuple(hand_built().mappings)
    clicks, changes = scenario.mappings
    assert clicks.duration == lc.BatchDuration(0.1, 0.01)
    assert changes.duration == lc.BatchDuration(0.2, 0.0)
    # the defaults AWS resolves
    assert (changes.parallelization_factor, changes.maximum_retry_attempts,
            changes.maximum_record_age_s, changes.bisect_batch_on_function_error,
            changes.on_failure) == (1, -1, -1, False, None)
    assert scenario.record_generators == (
        RecordsSpec("bursty", 200.0, 0.0, 60.0, (lc.scenario.Burst(20.0, 3000, 5.0),), 50, 0.002,
                    3),
        RecordsSpec("poisson", 30.0, 0.0, 60.0),
    )
    assert scenario.expected_records() == 200 * 60 + 3000 + 30 * 60
    sim = scenario.simulator()
    assert sim.source_names == ("clicks", "table-changes")
    assert sim.destination_names == ("clicks-dlq",)


def test_queues_are_parsed_in_full():
    scenario = parse_scenario(QUEUES)
    assert scenario.streams == (lc.KinesisStream("events"),)
    jobs, orders = scenario.queues
    assert jobs == lc.SqsQueue("jobs", visibility_timeout_s=45, max_receive_count=5,
                               retention_s=86400)
    assert orders == lc.SqsQueue("orders.fifo", fifo=True)
    assert scenario.sources == (scenario.streams[0], jobs, orders)
    worker, sequencer = scenario.mappings
    assert worker == lc.EventSourceMapping(jobs, "worker", batch_size=20, batching_window_s=2,
                                           maximum_concurrency=5, duration=0.3)
    assert (sequencer.batch_size, sequencer.parallelization_factor) == (10, None)
    none, messages, fifo = scenario.record_generators
    assert none is None
    assert (messages.keys, messages.failure_rate, messages.failures) == (None, 0.01, 1)
    assert (fifo.keys, fifo.rate_per_s, fifo.bursts[0].count) == (7, 0.0, 100)
    records = scenario.generate_records()
    assert [r.source for r in records] == ["jobs", "orders.fifo"]
    assert len(records[1]) == 100 and set(records[1].key.tolist()) <= set(range(7))
    assert records[1].failures is None


def test_a_queue_scenario_validates(capsys, tmp_path):
    path = write(tmp_path, QUEUES)
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = captured.out
    assert ("  jobs         standard SQS queue, visibility timeout 45 s, max receive count 5, "
            "retention 86400 s") in out
    assert "  orders.fifo  FIFO SQS queue, visibility timeout 30 s, no redrive policy" in out
    assert "events       Kinesis stream, 1 shard, retention 86400 s (no mapping reads it)" in out
    assert ("             messages: poisson 10/s on [0, 30) s; failure rate 0.01 "
            "(a poison record fails once)") in out
    assert "messages: bursty 0/s on [0, 0) s, bursts 100 at 5 s over 1 s; 7 keys" in out
    assert ("  jobs -> worker: batch size 20, batching window 2 s, maximum concurrency 5; "
            "duration 0.3 s per batch") in out
    assert "  orders.fifo -> sequencer: batch size 10, batching window 0 s, no maximum " \
           "concurrency; duration 0.05 s per batch" in out


def test_a_queue_scenario_runs_as_simulator_run(capsys, tmp_path):
    """The CLI's figures of queue mappings are Simulator.run's (no figure pinned: the queue
    model is the engine's)."""
    scenario = parse_scenario(QUEUES)
    result = scenario.simulator().run(scenario.generate(), records=scenario.generate_records())
    summary = run_json(capsys, str(write(tmp_path, QUEUES)))
    assert [(m["source"], m["kind"], m["function"]) for m in summary["mappings"]] == [
        ("jobs", "sqs", "worker"), ("orders.fifo", "sqs", "sequencer")]
    for m in summary["mappings"]:
        counters = {k: v for k, v in m.items()
                    if k not in ("source", "kind", "function", "records")}
        assert counters == result.mappings[m["source"]]
        assert m["records"] == len(result.records[m["source"]]["outcome"])
    assert main(["run", str(tmp_path / "s.toml"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^jobs +worker +[0-9,]+ +[0-9,]+ +[0-9,]+ +[0-9,]+ {20,}[0-9,]+ ", out,
                     re.M), out  # no iterator age: an empty cell


def test_a_scenario_without_sources_is_unchanged():
    scenario = parse_scenario('[[functions]]\nname = "a"\n')
    assert (scenario.streams, scenario.queues, scenario.mappings) == ((), (), ())
    assert scenario.generate_records() == []
    assert scenario.expected_records() == 0
    assert scenario.simulator().source_names == ()


BASE = '[[functions]]\nname = "inventory"\n[[functions]]\nname = "billing"\n'
STREAM = '[[streams]]\nname = "s"\nkind = "kinesis"\n'
MAPPING = '[[mappings]]\nsource = "s"\nfunction = "inventory"\n'
RECORDS = '[streams.records]\narrivals = "poisson"\nrate_per_s = 5\nend_s = 10\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # unknown keys, with the closest valid key
        (STREAM + "shard = 4\n",
         "unknown key 'shard' in [[streams]] #1 ('s') (did you mean 'shards'?)"),
        (STREAM + RECORDS + "key = 5\n" + MAPPING,
         "unknown key 'key' in [streams.records] of stream 's' (did you mean 'keys'?)"),
        ('[[queues]]\nname = "q"\nvisibility_timeout = 5\n',
         "unknown key 'visibility_timeout' in [[queues]] #1 ('q') "
         "(did you mean 'visibility_timeout_s'?)"),
        ('[[queues]]\nname = "q"\n[queues.messages]\narrivals = "poisson"\nrate_per_sec = 1\n',
         "unknown key 'rate_per_sec' in [queues.messages] of queue 'q' "
         "(did you mean 'rate_per_s'?)"),
        (STREAM + MAPPING + "batchsize = 10\n",
         "unknown key 'batchsize' in [[mappings]] #1 (source 's') (did you mean 'batch_size'?)"),
        (STREAM + MAPPING + "duration = { base_s = 0.1, per_record = 0.01 }\n",
         "unknown key 'per_record' in 'duration' of [[mappings]] #1 (source 's') "
         "(did you mean 'per_record_s'?)"),
        (STREAM + RECORDS + "duration = { dist = \"fixed\", s = 1 }\n" + MAPPING,
         "unknown key 'duration' in [streams.records] of stream 's'"),
        # the arrays and tables themselves
        # (top-level keys come before the first table)
        ('streams = 3\n' + BASE, "'streams' must be an array of tables ([[streams]])"),
        ('mappings = [1, 2]\n' + BASE, "'mappings' must be an array of tables ([[mappings]])"),
        (STREAM + 'records = 5\n', "'records' in [[streams]] #1 ('s') must be a table, got int"),
        # streams
        ('[[streams]]\nkind = "kinesis"\n', "missing key 'name' in [[streams]] #1"),
        ('[[streams]]\nname = 5\nkind = "kinesis"\n',
         "'name' in [[streams]] #1 must be a string, got int (5)"),
        ('[[streams]]\nname = "s"\n',
         "missing key 'kind' in [[streams]] #1 ('s') (\"kinesis\" or \"dynamodb\")"),
        ('[[streams]]\nname = "s"\nkind = "kinesys"\n',
         "'kind' in [[streams]] #1 ('s') must be \"kinesis\" or \"dynamodb\", got a string "
         "('kinesys') (did you mean 'kinesis'?)"),
        ('[[streams]]\nname = "s"\nkind = "sqs"\n',
         "'kind' in [[streams]] #1 ('s') must be \"kinesis\" or \"dynamodb\", got a string "
         "('sqs')"),
        (STREAM + "shards = 2.0\n", "'shards' in [[streams]] #1 ('s') must be an integer, got "
                                    "float (2.0)"),
        (STREAM + 'retention_s = "1d"\n', "'retention_s' in [[streams]] #1 ('s') must be a "
                                          "number, got a string ('1d')"),
        (STREAM + STREAM,
         "duplicate event source name 's' in [[streams]] #2 ('s'): [[streams]] #1 ('s') has it "
         "too (stream and queue names must be unique)"),
        (STREAM + '[[queues]]\nname = "s"\n',
         "duplicate event source name 's' in [[queues]] #1 ('s'): [[streams]] #1 ('s') has it "
         "too"),
        # queues
        ('[[queues]]\nname = "q"\nfifo = "yes"\n',
         "'fifo' in [[queues]] #1 ('q') must be true or false, got a string ('yes')"),
        ('[[queues]]\nname = "q"\nmax_receive_count = 2.5\n',
         "'max_receive_count' in [[queues]] #1 ('q') must be an integer, got float (2.5)"),
        ('[[queues]]\nname = "q"\n[queues.messages]\narrivals = "poisson"\nrate_per_s = 1\n'
         'end_s = 2\nkeys = 3\n',
         "key 'keys' in [queues.messages] of queue 'q' needs fifo = true"),
        # generators
        (STREAM + '[streams.records]\nrate_per_s = 5\n' + MAPPING,
         "missing key 'arrivals' in [streams.records] of stream 's' (\"poisson\" or \"bursty\")"),
        (STREAM + '[streams.records]\narrivals = "poisson"\nend_s = 5\n' + MAPPING,
         "missing key 'rate_per_s' in [streams.records] of stream 's'"),
        (STREAM + '[streams.records]\narrivals = "poisson"\nrate_per_s = 5\n' + MAPPING,
         "missing key 'end_s' in [streams.records] of stream 's'"),
        (STREAM + RECORDS + "bursts = []\n" + MAPPING,
         "key 'bursts' in [streams.records] of stream 's' needs arrivals = \"bursty\""),
        (STREAM + RECORDS + "keys = 0\n" + MAPPING,
         "'keys' in [streams.records] of stream 's' must be at least 1, got 0"),
        (STREAM + RECORDS + "keys = 10.0\n" + MAPPING,
         "'keys' in [streams.records] of stream 's' must be an integer"),
        (STREAM + RECORDS + "failure_rate = 2\n" + MAPPING,
         "'failure_rate' in [streams.records] of stream 's' must be at most 1, got 2"),
        (STREAM + RECORDS + "failures = 3\n" + MAPPING,
         "key 'failures' in [streams.records] of stream 's' needs 'failure_rate'"),
        (STREAM + RECORDS + "failure_rate = 0.1\nfailures = 0\n" + MAPPING,
         "'failures' in [streams.records] of stream 's' must be at least 1, got 0"),
        (STREAM + RECORDS,
         "[streams.records] of [[streams]] #1 ('s') makes records that nothing reads: no "
         "[[mappings]] has source = 's' (add one, or remove the generator)"),
        ('[[queues]]\nname = "q"\n[queues.messages]\narrivals = "poisson"\nrate_per_s = 1\n'
         'end_s = 2\n', "[queues.messages] of [[queues]] #1 ('q') makes records that nothing "
                        "reads"),
        # mappings
        (STREAM + '[[mappings]]\nfunction = "inventory"\n',
         "missing key 'source' in [[mappings]] #1"),
        (STREAM + '[[mappings]]\nsource = "s"\n',
         "missing key 'function' in [[mappings]] #1 (source 's')"),
        (STREAM + '[[mappings]]\nsource = "ss"\nfunction = "inventory"\n',
         "'source' in [[mappings]] #1 (source 'ss') names no stream or queue: 'ss' "
         "(did you mean 's'?)"),
        (STREAM + '[[mappings]]\nsource = "zzz"\nfunction = "inventory"\n',
         "'source' in [[mappings]] #1 (source 'zzz') names no stream or queue: 'zzz' "
         "(there are: 's')"),
        ('[[mappings]]\nsource = "s"\nfunction = "inventory"\n',
         "'source' in [[mappings]] #1 (source 's') names no stream or queue: 's' "
         "(no [[streams]] or [[queues]] are declared)"),
        (STREAM + '[[mappings]]\nsource = "s"\nfunction = "inventroy"\n',
         "'function' in [[mappings]] #1 (source 's') names no function: 'inventroy' "
         "(did you mean 'inventory'?)"),
        (STREAM + '[[mappings]]\nsource = "s"\nfunction = "x"\n',
         "'function' in [[mappings]] #1 (source 's') names no function: 'x' "
         "(there are: 'inventory', 'billing')"),
        (STREAM + '[[mappings]]\nsource = 1\nfunction = "inventory"\n',
         "'source' in [[mappings]] #1 must be a string, got int (1)"),
        (STREAM + MAPPING + "batch_size = 1.5\n",
         "'batch_size' in [[mappings]] #1 (source 's') must be an integer, got float (1.5)"),
        (STREAM + MAPPING + 'batching_window_s = "1s"\n',
         "'batching_window_s' in [[mappings]] #1 (source 's') must be a number"),
        (STREAM + MAPPING + "bisect_batch_on_function_error = 1\n",
         "'bisect_batch_on_function_error' in [[mappings]] #1 (source 's') must be true or "
         "false, got int (1)"),
        (STREAM + MAPPING + "on_failure = 3\n",
         "'on_failure' in [[mappings]] #1 (source 's') must be a string, got int (3)"),
        (STREAM + MAPPING + 'duration = "fast"\n',
         "'duration' in [[mappings]] #1 (source 's') must be a number of seconds per batch or a "
         "table { base_s = 0.05, per_record_s = 0.002 }, got a string ('fast')"),
        (STREAM + MAPPING + "duration = inf\n",
         "'duration' in [[mappings]] #1 (source 's') must be finite"),
        (STREAM + MAPPING + "duration = { base_s = true }\n",
         "'base_s' in 'duration' of [[mappings]] #1 (source 's') must be a number"),
    ],
)
def test_scenario_errors(capsys, tmp_path, text, message):
    path = write(tmp_path, text if BASE in text else BASE + text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert message in str(info.value), str(info.value)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.startswith(f"error: {path}: ") and message in captured.err


def _refusal(build) -> lc.LambdaCoreError:
    with pytest.raises(lc.LambdaCoreError) as info:
        build()
    return info.value


@pytest.mark.parametrize(
    ("text", "where", "build"),
    [
        (STREAM + "shards = 0\n", "[[streams]] #1 ('s')",
         lambda: lc.KinesisStream("s", shards=0)),
        (STREAM + "retention_s = 3600\n", "[[streams]] #1 ('s')",
         lambda: lc.KinesisStream("s", retention_s=3600)),
        ('[[streams]]\nname = "a b"\nkind = "kinesis"\n', "[[streams]] #1 ('a b')",
         lambda: lc.KinesisStream("a b")),
        ('[[streams]]\nname = "t"\nkind = "dynamodb"\n', "[[streams]] #1 ('t')",
         lambda: lc.DynamoDBStream("t")),
        ('[[streams]]\nname = "table"\nkind = "dynamodb"\nretention_s = 172800\n',
         "[[streams]] #1 ('table')", lambda: lc.DynamoDBStream("table", retention_s=172800)),
        ('[[queues]]\nname = "q"\nvisibility_timeout_s = 50000\n', "[[queues]] #1 ('q')",
         lambda: lc.SqsQueue("q", visibility_timeout_s=50000)),
        ('[[queues]]\nname = "q"\nfifo = true\n', "[[queues]] #1 ('q')",
         lambda: lc.SqsQueue("q", fifo=True)),
        ('[[queues]]\nname = "q"\nmax_receive_count = 0\n', "[[queues]] #1 ('q')",
         lambda: lc.SqsQueue("q", max_receive_count=0)),
        (STREAM + MAPPING + "batch_size = 20000\nparallelization_factor = 11\n",
         "[[mappings]] #1 (source 's')",
         lambda: lc.EventSourceMapping(lc.KinesisStream("s"), "inventory", batch_size=20000,
                                       parallelization_factor=11)),
        (STREAM + MAPPING + "maximum_concurrency = 5\n", "[[mappings]] #1 (source 's')",
         lambda: lc.EventSourceMapping(lc.KinesisStream("s"), "inventory",
                                       maximum_concurrency=5)),
        (STREAM + MAPPING + "maximum_record_age_s = 30\n", "[[mappings]] #1 (source 's')",
         lambda: lc.EventSourceMapping(lc.KinesisStream("s"), "inventory",
                                       maximum_record_age_s=30)),
        ('[[queues]]\nname = "q"\n[[mappings]]\nsource = "q"\nfunction = "inventory"\n'
         'parallelization_factor = 2\n', "[[mappings]] #1 (source 'q')",
         lambda: lc.EventSourceMapping(lc.SqsQueue("q"), "inventory",
                                       parallelization_factor=2)),
        ('[[queues]]\nname = "q"\n[[mappings]]\nsource = "q"\nfunction = "inventory"\n'
         'batch_size = 100\n', "[[mappings]] #1 (source 'q')",
         lambda: lc.EventSourceMapping(lc.SqsQueue("q"), "inventory", batch_size=100)),
        ('[[queues]]\nname = "q.fifo"\nfifo = true\n[[mappings]]\nsource = "q.fifo"\n'
         'function = "inventory"\nbatching_window_s = 1\n', "[[mappings]] #1 (source 'q.fifo')",
         lambda: lc.EventSourceMapping(lc.SqsQueue("q.fifo", fifo=True), "inventory",
                                       batching_window_s=1)),
        (STREAM + MAPPING + "duration = -1\n", "[[mappings]] #1 (source 's')",
         lambda: lc.EventSourceMapping(lc.KinesisStream("s"), "inventory", duration=-1)),
        (STREAM + MAPPING + "duration = { per_record_s = -0.5 }\n",
         "'duration' of [[mappings]] #1 (source 's')",
         lambda: lc.BatchDuration(per_record_s=-0.5)),
    ],
)
def test_aws_refusals_propagate(capsys, tmp_path, text, where, build):
    """What KinesisStream, DynamoDBStream, SqsQueue, EventSourceMapping and BatchDuration
    refuse is refused with their exception and text, and the CLI names the table."""
    expected = _refusal(build)
    path = write(tmp_path, BASE + text)
    with pytest.raises(type(expected)) as info:
        load_scenario(path)
    assert str(info.value) == str(expected)
    assert info.value.scenario_context == where
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"{expected.code}: {expected}",
                                         f"  (in {where} of {path})"]


# ---------------------------------------------------------------------------------------------
# Generation of records
# ---------------------------------------------------------------------------------------------


def test_generation_follows_the_documented_streams(streams):
    """Source j draws from PCG64(SeedSequence(seed).spawn(n_functions + n_sources)[n_functions
    + j]): Poisson count, uniform times, the bursts, then keys, then failures."""
    scenario = load_scenario(streams)
    clicks, changes = scenario.generate_records()
    children = np.random.SeedSequence(5).spawn(3 + 2)

    rng = np.random.Generator(np.random.PCG64(children[3]))
    n = rng.poisson(200 * 60)
    time = np.sort(np.concatenate([60 * rng.random(n), 20 + 5 * rng.random(3000)]))
    key = rng.integers(0, 50, len(time))
    failures = (rng.random(len(time)) < 0.002).astype(np.int64) * 3
    assert clicks.source == "clicks"
    np.testing.assert_array_equal(clicks.time, time)
    np.testing.assert_array_equal(clicks.key, key)
    np.testing.assert_array_equal(clicks.failures, failures)
    assert set(np.unique(clicks.failures)) == {0, 3}

    rng = np.random.Generator(np.random.PCG64(children[4]))
    n = rng.poisson(30 * 60)
    time = np.sort(60 * rng.random(n))
    key = rng.integers(-(2**63), 2**63 - 1, n, endpoint=True)
    assert changes.source == "table-changes"
    np.testing.assert_array_equal(changes.time, time)
    np.testing.assert_array_equal(changes.key, key)
    assert changes.failures is None
    assert len(np.unique(changes.key)) == len(changes)  # each record its own key


def test_queues_draw_after_the_streams():
    scenario = parse_scenario(QUEUES)
    jobs, orders = scenario.generate_records(9)
    children = np.random.SeedSequence(9).spawn(2 + 3)  # 2 functions; events, jobs, orders.fifo
    rng = np.random.Generator(np.random.PCG64(children[2 + 2]))
    time = np.sort(5 + rng.random(100))
    np.testing.assert_array_equal(orders.time, time)
    np.testing.assert_array_equal(orders.key, rng.integers(0, 7, 100))
    rng = np.random.Generator(np.random.PCG64(children[2 + 1]))
    n = rng.poisson(10 * 30)
    np.testing.assert_array_equal(jobs.time, np.sort(30 * rng.random(n)))


def test_same_seed_same_records_other_seed_other_records(streams):
    scenario = load_scenario(streams)
    for a, b in zip(scenario.generate_records(), scenario.generate_records(5), strict=True):
        for column in ("time", "key"):
            np.testing.assert_array_equal(getattr(a, column), getattr(b, column))
        assert (a.failures is None) == (b.failures is None)
    a, c = scenario.generate_records()[0], scenario.generate_records(6)[0]
    assert len(a) != len(c) or not np.array_equal(a.time, c.time)


def test_sources_leave_the_functions_workloads_unchanged(streams):
    """Spawned children are index-stable: adding sources changes no function's requests, and
    changing one source's generator changes no other source's records."""
    with_sources = load_scenario(streams)
    without = parse_scenario(STREAMS.split("[[streams]]")[0])
    a, b = with_sources.generate(), without.generate()
    for column in ("time", "function", "duration"):
        np.testing.assert_array_equal(getattr(a, column), getattr(b, column))

    changed = parse_scenario(STREAMS.replace("rate_per_s = 200", "rate_per_s = 300"))
    before, after = with_sources.generate_records(), changed.generate_records()
    np.testing.assert_array_equal(before[1].time, after[1].time)
    np.testing.assert_array_equal(before[1].key, after[1].key)
    assert len(after[0]) > len(before[0])


# ---------------------------------------------------------------------------------------------
# Running: the CLI's figures are Simulator.run's
# ---------------------------------------------------------------------------------------------


def test_stream_scenario_matches_direct_run(capsys, streams):
    summary = run_json(capsys, str(streams))
    scenario = load_scenario(streams)
    workload, records = scenario.generate(), scenario.generate_records()
    result = hand_built().run(workload, records=records)

    assert summary["run"]["invocations_simulated"] == len(workload)
    assert summary["run"]["records_simulated"] == sum(len(r) for r in records) > 0
    assert [(m["source"], m["kind"], m["function"], m["records"]) for m in summary["mappings"]] \
        == [("clicks", "kinesis", "consumer", len(records[0])),
            ("table-changes", "dynamodb", "audit", len(records[1]))]
    for m in summary["mappings"]:
        counters = {k: v for k, v in m.items()
                    if k not in ("source", "kind", "function", "records")}
        assert counters == result.mappings[m["source"]], m["source"]
    for i, row in enumerate(summary["functions"]):
        for key, value in row.items():
            if key != "function":
                assert value == result.functions[key][i], (row["function"], key)
    assert summary["destinations"] == {
        t: len(log["request"]) for t, log in result.destinations.items()
    }
    assert summary["run"]["horizon_s"] == result.horizon

    # The figures the scenario was written to show.
    clicks, changes = summary["mappings"]
    assert clicks["max_concurrency"] == 6  # 16 lanes, a reservation of 6
    assert clicks["throttles"] > 0 and clicks["retries"] > 0
    assert clicks["records_failed"] == clicks["on_failure_records"] > 0
    assert summary["destinations"] == {"clicks-dlq": clicks["on_failure_records"]}
    assert clicks["records_processed"] + clicks["records_failed"] == len(records[0])
    assert changes["max_concurrency"] == 2 and changes["records_failed"] == 0
    assert changes["batches"] < len(records[1]) / 5  # the window gathers records


@pytest.mark.parametrize("until", [None, 30.0])
def test_stepped_run_equals_run(streams, until):
    scenario = load_scenario(streams)
    workload, records = scenario.generate(), scenario.generate_records()
    direct = scenario.simulator().run(workload, until=until, records=records)
    seen: list[float] = []
    sim = scenario.simulator()
    stepped = simulate(sim, workload, until, steps=17, on_step=seen.append, records=records)
    last = max(workload.time[-1], *(r.time[-1] for r in records))
    assert len(seen) == 17 and seen == sorted(seen)
    assert seen[-1] == (until if until is not None else last)
    assert stepped.mappings == direct.mappings
    for key in direct.functions:
        np.testing.assert_array_equal(stepped.functions[key], direct.functions[key], err_msg=key)
    assert stepped.account == direct.account
    assert stepped.horizon == direct.horizon
    assert sim.destination_counts() == {
        t: len(log["request"]) for t, log in direct.destinations.items()
    }


def test_records_alone(capsys, tmp_path):
    """A scenario whose only load is a stream: the steps span the records' arrivals."""
    text = ('[[functions]]\nname = "f"\n' + STREAM + "shards = 3\n"
            + '[streams.records]\narrivals = "bursty"\nbursts = [{ at_s = 10, count = 900, '
            'over_s = 3 }]\n' + MAPPING.replace("inventory", "f") + "batch_size = 10\n")
    path = write(tmp_path, text)
    seen: list[float] = []
    scenario = load_scenario(path)
    (records,) = scenario.generate_records()
    result = simulate(scenario.simulator(), scenario.generate(), steps=4, on_step=seen.append,
                      records=[records])
    assert seen[0] > records.time[0] and seen[-1] == records.time[-1]
    assert result.mappings["s"]["records_processed"] == 900
    assert result.mappings["s"]["max_concurrency"] == 3
    summary = run_json(capsys, str(path))
    assert summary["run"]["invocations_simulated"] == 0
    assert summary["run"]["records_simulated"] == 900
    assert summary["functions"][0]["invocations"] == summary["mappings"][0]["invocations"]


def test_builtin_scenario_mapping_figures(capsys):
    """The built-in run's mapping against Simulator.run of the same scenario, with the stream
    and its mapping built by hand."""
    summary = run_json(capsys)
    scenario = builtin_scenario()
    stream = lc.KinesisStream("order-events", shards=100)
    mapping = lc.EventSourceMapping(
        stream, "inventory", batch_size=100, duration=lc.BatchDuration(0.05, 0.002),
        bisect_batch_on_function_error=True, maximum_retry_attempts=10,
        on_failure="order-events-failures",
    )
    assert scenario.streams == (stream,) and scenario.mappings == (mapping,)
    workload, records = scenario.generate(), scenario.generate_records()
    (r,) = records
    sim = lc.Simulator(scenario.account, scenario.functions, seed=scenario.seed,
                       mappings=[mapping])
    result = sim.run(workload, records=records)

    (m,) = summary["mappings"]
    counters = {k: v for k, v in m.items() if k not in ("source", "kind", "function", "records")}
    assert counters == result.mappings["order-events"]
    assert (m["source"], m["kind"], m["function"], m["records"]) == (
        "order-events", "kinesis", "inventory", len(r))
    assert summary["run"]["records_simulated"] == len(r)
    for i, row in enumerate(summary["functions"]):
        for key, value in row.items():
            if key != "function":
                assert value == result.functions[key][i], (row["function"], key)

    # The records: Poisson 1000/s for an hour plus the sale's 200,000 over [1800, 1920) s,
    # on 100,000 keys; about 1 in 100,000 poison, failing twice.
    assert abs(len(r) - 3_800_000) < 5 * np.sqrt(3_600_000)
    assert ((r.time >= 1800) & (r.time < 1920)).sum() > 200_000
    assert r.key.min() >= 0 and r.key.max() < 100_000
    assert set(np.unique(r.failures)) == {0, 2} and 0 < (r.failures > 0).sum() < 100
    # One lane per shard: 100 concurrent batches at most, and reached.
    assert m["max_concurrency"] == 100
    assert m["records_processed"] == len(r)
    assert m["records_failed"] == m["records_expired"] == m["on_failure_records"] == 0
    assert summary["destinations"]["order-events-failures"] == 0
    assert result.records["order-events"]["outcome"].shape == (len(r),)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def test_text_report_shows_the_mappings(capsys, streams):
    assert main(["run", str(streams), "--quiet"]) == 0
    out = capsys.readouterr().out
    summary = run_json(capsys, str(streams))
    lines = out.splitlines()
    head = lines.index(next(line for line in lines if line.startswith("source ")))
    # after the function table (its total row) and a blank line
    assert lines[head - 2].startswith("total ") and lines[head - 1] == ""
    assert re.split(r"\s{2,}", lines[head]) == (
        ["source", "function"] + [heading for _, heading in MAPPING_COUNTS]
    )
    assert re.split(r"\s{2,}", lines[head]) == [
        "source", "function", "records", "invocations", "batches", "max conc",
        "max iterator age (s)", "throttles", "retries", "failed", "expired",
    ]
    for line, m in zip(lines[head + 1 : head + 3], summary["mappings"], strict=True):
        cells = line.split()
        assert cells[:2] == [m["source"], m["function"]]
        numbers = [m[key] for key, _ in MAPPING_COUNTS]
        shown = [f"{v:,}" if k != "max_iterator_age" else None
                 for (k, _), v in zip(MAPPING_COUNTS, numbers)]
        age = cells[2 + [k for k, _ in MAPPING_COUNTS].index("max_iterator_age")]
        assert [c for c, s in zip(cells[2:], shown) if s is not None] == [
            s for s in shown if s is not None]
        # 3 significant digits
        assert float(age.replace(",", "")) == pytest.approx(m["max_iterator_age"], rel=5e-3)
        assert len(age.replace(",", "").replace(".", "").lstrip("0")) == 3 or \
            m["max_iterator_age"] >= 1000
    assert lines[head + 3] == ""
    records = summary["run"]["records_simulated"]
    assert any(line.startswith(f"run: {summary['run']['invocations_simulated']:,} invocations "
                               f"and {records:,} records simulated in ") for line in lines)


@pytest.mark.parametrize(("age", "shown"), [
    (0.0, "0"), (0.000123456, "0.000123"), (0.911, "0.911"), (3.151218, "3.15"),
    (63.538996, "63.5"), (120.0, "120"), (999.6, "1,000"), (1234.5, "1,234"),
    (86399.99, "86,400"),
])
def test_iterator_age_has_three_significant_digits(age, shown):
    summary = {
        "scenario": "x", "seed": 0, "until": None,
        "functions": [{"function": "f", **dict.fromkeys(
            ("invocations", "throttles_reserved", "throttles_unreserved", "throttles_scaling",
             "errors", "cold_starts", "max_concurrency", "async_events_received",
             "async_events_dropped"), 0)}],
        "total": {"invocations": 0, "throttles_reserved": 0, "throttles_unreserved": 0,
                  "throttles_scaling": 0, "errors": 0, "cold_starts": 0,
                  "async_events_received": 0, "async_events_dropped": 0},
        "account": {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 1000,
                    "max_concurrency": 0, "max_unreserved_concurrency": 0},
        "destinations": {},
        "mappings": [{"source": "s", "kind": "kinesis", "function": "f", "records": 1,
                      "invocations": 1, "batches": 1, "max_concurrency": 1,
                      "max_iterator_age": age, "throttles": 0, "retries": 0,
                      "records_failed": 0, "records_expired": 0}],
        "run": {"invocations_simulated": 0, "records_simulated": 1, "wall_time_s": 0.5,
                "invocations_per_s": 0.0, "horizon_s": 1.0, "seed": 0},
    }
    out = format_run(summary).splitlines()
    row = out[out.index(next(x for x in out if x.startswith("source "))) + 1].split()
    assert row[6] == shown


def test_report_without_mappings_keeps_its_form(capsys, tmp_path):
    """No mapping table and the run line of old for a scenario without mappings; the JSON
    has an empty ``mappings`` and ``records_simulated`` 0."""
    path = write(tmp_path, BASE + STREAM)  # a stream no mapping reads, without records
    assert main(["run", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "source " not in out and "records" not in out
    assert re.search(r"^run: 0 invocations simulated in ", out, re.M)
    summary = run_json(capsys, str(path))
    assert summary["mappings"] == [] and summary["run"]["records_simulated"] == 0
    # A summary without the new keys (as older callers build) prints the same.
    old = {**summary, "run": {k: v for k, v in summary["run"].items()
                              if k != "records_simulated"}}
    del old["mappings"]
    assert format_run(old) == format_run(summary)


def test_summarize_counts_records_from_the_result(streams):
    """Without ``records=``, summarize counts the rows of ``result.records``."""
    scenario = load_scenario(streams)
    workload, records = scenario.generate(), scenario.generate_records()
    sim = scenario.simulator()
    result = sim.run(workload, records=records)
    summary = summarize(result, scenario="s", seed=5, until=None, rows=len(workload),
                        wall_time_s=1.0, account_settings=sim.account_settings(),
                        mappings=sim.mappings)
    assert [m["records"] for m in summary["mappings"]] == [len(r) for r in records]
    assert summary["run"]["records_simulated"] == sum(len(r) for r in records)
    json.dumps(summary)  # plain Python values


def test_validate_lists_sources_and_mappings(capsys, streams):
    assert main(["validate", str(streams)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    start = lines.index("event sources (2):")
    assert lines[start + 1 : start + 8] == [
        "  clicks         Kinesis stream, 8 shards, retention 86400 s",
        "                 records: bursty 200/s on [0, 60) s, bursts 3000 at 20 s over 5 s; "
        "50 keys; failure rate 0.002 (a poison record fails 3 times)",
        "  table-changes  DynamoDB stream, 2 shards, retention 86400 s",
        "                 records: poisson 30/s on [0, 60) s; a random key per record",
        "mappings (2):",
        "  clicks -> consumer: batch size 50, batching window 0 s, parallelization factor 2, "
        "maximum retry attempts 1, no maximum record age, on_failure clicks-dlq; "
        "duration 0.1 s + 0.01 s per record",
        "  table-changes -> audit: batch size 10, batching window 1 s, parallelization factor "
        "1, retries until the records expire, no maximum record age; duration 0.2 s per batch",
    ]
    assert lines[-2:] == ["expected requests: about 1,200", "expected records: about 16,800"]


def test_help_mentions_sources_and_mappings(capsys):
    assert main(["validate", "--help"]) == 0
    assert "event sources" in capsys.readouterr().out.replace("\n", " ")
    assert main(["run", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "100-shard Kinesis stream" in help_text and "mapping" in help_text

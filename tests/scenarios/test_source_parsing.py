"""Event sources and event-source mappings in scenario files ([[streams]], [[queues]],
[[mappings]]): parsing, and its errors with the texts AWS would give."""

from __future__ import annotations

import re

import pytest

import lambda_core as lc
from lambda_core._cli import main
from lambda_core.scenarios import (
    RecordsSpec,
    ScenarioError,
    load_scenario,
    parse_scenario,
)
from tests.scenarios.cases import run_json, write
from tests.scenarios.source_cases import BASE, MAPPING, QUEUES, RECORDS, STREAM, hand_built


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

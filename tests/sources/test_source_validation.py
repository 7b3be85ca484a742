"""KinesisStream's, DynamoDBStream's and SqsQueue's checks: both sides of every range, AWS's exact
messages, and the poll intervals the engine really uses."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc

from lambda_core.errors import (
    InvalidAttributeValue,
    InvalidParameterValueException,
    ValidationException,
)
from lambda_core._model import (
    DynamoDBStream,
    KinesisStream,
    SqsQueue,
)
from tests.support.aws import ge, item, one, raises_exact
from tests.sources.validation_cases import (
    FIFO_QUEUE_NAME,
    QUEUE_NAME,
    QUEUE_NAME_EMPTY,
    attribute,
    redrive,
    too_long,
    too_short,
)


def assert_engine_polls_every(stream, interval: float) -> None:
    """`stream.poll_interval_s` is `interval`, and it is the interval the engine really uses: an
    idle lane polls on the grid 0, interval, 2 × interval, … (docs/model.md §7), so a record that
    arrives while the lane is idle starts its batch at the next grid point, and a record that
    waits behind a running batch starts as soon as that batch ends."""
    assert stream.poll_interval_s == interval
    # one-record batches of 0.05 s; the first is cold (init 0.5 s)
    arrivals = [0.3, 0.3, 2.6, 7.05]
    mapping = lc.EventSourceMapping(stream, "f", batch_size=1)
    r = lc.Simulator(lc.Account(), [lc.Function("f")], mappings=[mapping]).run(
        records=lc.Records(stream.name, arrivals)).records[stream.name]
    first = math.ceil(0.3 / interval) * interval
    want = [first, first + 0.55, math.ceil(2.6 / interval) * interval, math.ceil(7.05 / interval) * interval]
    assert r["start"].tolist() == pytest.approx(want, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# KinesisStream
# ---------------------------------------------------------------------------------------------


def test_kinesis_defaults():
    s = KinesisStream("orders")
    assert (s.name, s.shards, s.retention_s) == ("orders", 1, 86400.0)
    assert type(s.retention_s) is float
    assert s.kind == "kinesis"
    assert_engine_polls_every(s, 1.0)


def test_kinesis_only_name_is_positional():
    with pytest.raises(TypeError):
        KinesisStream("orders", 2)  # type: ignore[misc]


@pytest.mark.parametrize("name", ["a", "A-b_c.d", "x" * 128, "0"])
def test_kinesis_names_accepted(name):
    assert KinesisStream(name).name == name


def test_kinesis_name_too_long():
    name = "a" * 129
    expected = one(name, "streamName", "have length less than or equal to 128")
    with raises_exact(ValidationException, expected):
        KinesisStream(name)


def test_kinesis_name_pattern():
    expected = one(
        "bad name", "streamName", "satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )
    with raises_exact(ValidationException, expected):
        KinesisStream("bad name")


def test_kinesis_empty_name_and_zero_shards_like_kinesis():
    # Kinesis's own order (kinesalite's CreateStream test): shardCount, pattern, length.
    expected = (
        "3 validation errors detected: "
        + item(0, "shardCount", ge(1))
        + "; "
        + item("", "streamName", "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        + "; "
        + item("", "streamName", "have length greater than or equal to 1")
    )
    with raises_exact(ValidationException, expected):
        KinesisStream("", shards=0)


@pytest.mark.parametrize("shards", [0, -1])
def test_kinesis_shards_below_one(shards):
    with raises_exact(ValidationException, one(shards, "shardCount", ge(1))):
        KinesisStream("s", shards=shards)


@pytest.mark.parametrize("shards", [1, 500, np.int64(7)])
def test_kinesis_shards_accepted(shards):
    s = KinesisStream("s", shards=shards)
    assert s.shards == shards and type(s.shards) is int


@pytest.mark.parametrize("retention", [86400, 86400.0, 31536000, 200000.5, np.float32(90000)])
def test_kinesis_retention_accepted(retention):
    assert KinesisStream("s", retention_s=retention).retention_s == float(retention)


@pytest.mark.parametrize(
    "retention,hours",
    [(84600, "23.5"), (86399, repr(86399 / 3600)), (82800, "23"), (0, "0"), (-3600, "-1")],
)
def test_kinesis_retention_too_short(retention, hours):
    with raises_exact(InvalidParameterValueException, too_short(hours)):
        KinesisStream("s", retention_s=retention)


@pytest.mark.parametrize(
    "retention,hours",
    [(31537800, "8760.5"), (31536001, repr(31536001 / 3600)), (8761 * 3600, "8761")],
)
def test_kinesis_retention_too_long(retention, hours):
    with raises_exact(InvalidParameterValueException, too_long(hours)):
        KinesisStream("s", retention_s=retention)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_kinesis_retention_non_finite(bad):
    expected = f"KinesisStream.retention_s must be a finite number of seconds, got {bad!r}"
    with raises_exact(InvalidParameterValueException, expected):
        KinesisStream("s", retention_s=bad)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"name": 5}, "KinesisStream.name must be a str, got int 5"),
        ({"name": "s", "shards": 2.0}, "KinesisStream.shards must be an int, got float 2.0"),
        ({"name": "s", "shards": True}, "KinesisStream.shards must be an int, got bool True"),
        ({"name": "s", "shards": None}, "KinesisStream.shards must be an int, got NoneType None"),
        (
            {"name": "s", "retention_s": "86400"},
            "KinesisStream.retention_s must be a number (int or float), got str '86400'",
        ),
    ],
)
def test_kinesis_types(kwargs, message):
    with raises_exact(TypeError, message):
        KinesisStream(**kwargs)


# ---------------------------------------------------------------------------------------------
# DynamoDBStream
# ---------------------------------------------------------------------------------------------


def test_dynamodb_defaults():
    s = DynamoDBStream("orders")
    assert (s.name, s.shards, s.retention_s) == ("orders", 1, 86400.0)
    assert s.kind == "dynamodb"
    assert_engine_polls_every(s, 0.25)


@pytest.mark.parametrize("name", ["abc", "A.b-c_d", "x" * 255])
def test_dynamodb_names_accepted(name):
    assert DynamoDBStream(name).name == name


@pytest.mark.parametrize(
    "name,items",
    [
        ("ab", [("ab", "have length greater than or equal to 3")]),
        ("x" * 256, [("x" * 256, "have length less than or equal to 255")]),
        ("abc d", [("abc d", "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")]),
        (
            "a!",
            [
                ("a!", "satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
                ("a!", "have length greater than or equal to 3"),
            ],
        ),
    ],
)
def test_dynamodb_table_name(name, items):
    n = len(items)
    noun = "validation error" if n == 1 else "validation errors"
    expected = f"{n} {noun} detected: " + "; ".join(item(v, "tableName", c) for v, c in items)
    with raises_exact(ValidationException, expected):
        DynamoDBStream(name)


@pytest.mark.parametrize("retention", [86400, 86400.0, np.int32(86400)])
def test_dynamodb_retention_fixed_accepted(retention):
    assert DynamoDBStream("abc", retention_s=retention).retention_s == 86400.0


@pytest.mark.parametrize(
    "retention,shown", [(3600, "3600.0"), (86401, "86401.0"), (172800.0, "172800.0")]
)
def test_dynamodb_retention_other_values_refused(retention, shown):
    expected = (
        "DynamoDBStream.retention_s is fixed at 86400 seconds (24 hours): DynamoDB Streams keeps "
        f"records for 24 hours and the period cannot be changed, got {shown}"
    )
    with raises_exact(InvalidParameterValueException, expected):
        DynamoDBStream("abc", retention_s=retention)


def test_dynamodb_retention_non_finite():
    expected = "DynamoDBStream.retention_s must be a finite number of seconds, got inf"
    with raises_exact(InvalidParameterValueException, expected):
        DynamoDBStream("abc", retention_s=math.inf)


@pytest.mark.parametrize("shards", [0, -3])
def test_dynamodb_shards_below_one(shards):
    with raises_exact(
        InvalidParameterValueException, f"DynamoDBStream.shards must be at least 1, got {shards}"
    ):
        DynamoDBStream("abc", shards=shards)


def test_dynamodb_types():
    with raises_exact(TypeError, "DynamoDBStream.name must be a str, got NoneType None"):
        DynamoDBStream(None)  # type: ignore[arg-type]
    with raises_exact(TypeError, "DynamoDBStream.shards must be an int, got float 1.5"):
        DynamoDBStream("abc", shards=1.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# SqsQueue
# ---------------------------------------------------------------------------------------------


def test_sqs_defaults():
    q = SqsQueue("jobs")
    assert (q.name, q.fifo, q.visibility_timeout_s, q.max_receive_count, q.retention_s) == (
        "jobs",
        False,
        30.0,
        None,
        345600.0,
    )
    assert type(q.visibility_timeout_s) is float and type(q.retention_s) is float
    assert q.kind == "sqs"
    assert not hasattr(q, "poll_interval_s")


@pytest.mark.parametrize("name", ["a", "A-b_c", "x" * 80])
def test_standard_queue_names_accepted(name):
    assert SqsQueue(name).name == name


@pytest.mark.parametrize("name", ["a.fifo", "x" * 81, "bad name", "a.b", "é"])
def test_standard_queue_names_refused(name):
    with raises_exact(InvalidParameterValueException, QUEUE_NAME):
        SqsQueue(name)


@pytest.mark.parametrize("name", ["a.fifo", "A-b_c.fifo", "x" * 75 + ".fifo"])
def test_fifo_queue_names_accepted(name):
    q = SqsQueue(name, fifo=True)
    assert q.fifo is True and q.kind == "sqs"


@pytest.mark.parametrize(
    "name", ["a", "x" * 76 + ".fifo", ".fifo", "a.FIFO", "a b.fifo", "a.fifo.fifo"]
)
def test_fifo_queue_names_refused(name):
    with raises_exact(InvalidParameterValueException, FIFO_QUEUE_NAME):
        SqsQueue(name, fifo=True)


@pytest.mark.parametrize("fifo", [False, True])
def test_empty_queue_name(fifo):
    with raises_exact(InvalidParameterValueException, QUEUE_NAME_EMPTY):
        SqsQueue("", fifo=fifo)


@pytest.mark.parametrize("value", [0, 43200, 30.0, 30])
def test_visibility_timeout_accepted(value):
    assert SqsQueue("q", visibility_timeout_s=value).visibility_timeout_s == value


@pytest.mark.parametrize("value", [-1, 43201, -0.001, 43200.5, 0.5, 1e-6])
def test_visibility_timeout_refused(value):
    # SQS's VisibilityTimeout is a whole number of seconds
    with raises_exact(InvalidAttributeValue, attribute("VisibilityTimeout")):
        SqsQueue("q", visibility_timeout_s=value)


@pytest.mark.parametrize("value", [60, 1209600, 345600])
def test_message_retention_accepted(value):
    assert SqsQueue("q", retention_s=value).retention_s == value


@pytest.mark.parametrize("value", [59, 1209601, 0, 59.999])
def test_message_retention_refused(value):
    with raises_exact(InvalidAttributeValue, attribute("MessageRetentionPeriod")):
        SqsQueue("q", retention_s=value)


@pytest.mark.parametrize("value", [1, 1000, 5, np.int16(3)])
def test_max_receive_count_accepted(value):
    q = SqsQueue("q", max_receive_count=value)
    assert q.max_receive_count == value and type(q.max_receive_count) is int


@pytest.mark.parametrize("value", [0, 1001, -36])
def test_max_receive_count_refused(value):
    with raises_exact(InvalidParameterValueException, redrive(value)):
        SqsQueue("q", max_receive_count=value)


@pytest.mark.parametrize("field", ["visibility_timeout_s", "retention_s"])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_sqs_non_finite(field, bad):
    expected = f"SqsQueue.{field} must be a finite number of seconds, got {bad!r}"
    with raises_exact(InvalidParameterValueException, expected):
        SqsQueue("q", **{field: bad})


def test_sqs_check_order_name_then_visibility_then_retention_then_redrive():
    with raises_exact(InvalidParameterValueException, QUEUE_NAME):
        SqsQueue("a.b", visibility_timeout_s=-1, retention_s=0, max_receive_count=0)
    with raises_exact(InvalidAttributeValue, attribute("VisibilityTimeout")):
        SqsQueue("q", visibility_timeout_s=-1, retention_s=0, max_receive_count=0)
    with raises_exact(InvalidAttributeValue, attribute("MessageRetentionPeriod")):
        SqsQueue("q", retention_s=0, max_receive_count=0)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"name": b"q"}, "SqsQueue.name must be a str, got bytes b'q'"),
        ({"name": "q", "fifo": 1}, "SqsQueue.fifo must be a bool, got int 1"),
        ({"name": "q", "fifo": None}, "SqsQueue.fifo must be a bool, got NoneType None"),
        (
            {"name": "q", "max_receive_count": 5.0},
            "SqsQueue.max_receive_count must be an int or None, got float 5.0",
        ),
        (
            {"name": "q", "visibility_timeout_s": True},
            "SqsQueue.visibility_timeout_s must be a number (int or float), got bool True",
        ),
        (
            {"name": "q", "retention_s": None},
            "SqsQueue.retention_s must be a number (int or float), got NoneType None",
        ),
    ],
)
def test_sqs_types(kwargs, message):
    with raises_exact(TypeError, message):
        SqsQueue(**kwargs)


def test_sqs_numpy_bool_fifo_is_stored_as_bool():
    q = SqsQueue("q.fifo", fifo=np.bool_(True))
    assert q.fifo is True

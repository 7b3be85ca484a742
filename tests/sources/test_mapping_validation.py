"""EventSourceMapping's checks: defaults, AWS's member ranges, Lambda's semantic checks, types;
BatchDuration and RecordOutcome. Both sides of every range, AWS's exact messages."""

from __future__ import annotations

import dataclasses
import math
import pickle

import numpy as np
import pytest

from lambda_core._model import Outcome, RecordOutcome
from lambda_core.errors import (
    InvalidParameterValueException,
    LambdaCoreError,
    ValidationException,
)
from lambda_core._model import (
    BatchDuration,
    EventSourceMapping,
)
from tests.support.aws import ge, item, le, one, raises_exact
from tests.sources.validation_cases import (
    AWS_FUNCTION_PATTERN,
    DDB,
    FIFO,
    FIFO_BATCH,
    FIFO_WINDOW,
    KIN,
    RECORD_AGE,
    SQS,
    SQS_WINDOW,
    STREAMS,
    unsupported,
)


# ---------------------------------------------------------------------------------------------
# BatchDuration
# ---------------------------------------------------------------------------------------------


def test_batch_duration_defaults_and_model():
    d = BatchDuration()
    assert (d.base_s, d.per_record_s) == (0.05, 0.0)
    d = BatchDuration(0.1, 0.002)
    assert d.seconds(0) == 0.1
    assert d.seconds(100) == pytest.approx(0.3)
    assert type(BatchDuration(1, 0).base_s) is float


@pytest.mark.parametrize("field", ["base_s", "per_record_s"])
def test_batch_duration_negative(field):
    with raises_exact(
        InvalidParameterValueException,
        f"BatchDuration.{field} must be at least 0 seconds, got -0.5",
    ):
        BatchDuration(**{field: -0.5})


@pytest.mark.parametrize("field", ["base_s", "per_record_s"])
def test_batch_duration_non_finite(field):
    with raises_exact(
        InvalidParameterValueException,
        f"BatchDuration.{field} must be a finite number of seconds, got nan",
    ):
        BatchDuration(**{field: math.nan})


def test_batch_duration_types():
    with raises_exact(
        TypeError, "BatchDuration.base_s must be a number (int or float), got str '1'"
    ):
        BatchDuration("1")  # type: ignore[arg-type]
    with raises_exact(
        TypeError, "BatchDuration.per_record_s must be a number (int or float), got bool False"
    ):
        BatchDuration(per_record_s=False)


def test_batch_duration_zero_accepted():
    assert BatchDuration(0, 0).seconds(1000) == 0.0


# ---------------------------------------------------------------------------------------------
# EventSourceMapping: defaults
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", STREAMS, ids=["kinesis", "dynamodb"])
def test_stream_defaults_resolved(source):
    m = EventSourceMapping(source, "fn")
    assert m.batch_size == 100 and type(m.batch_size) is int
    assert m.batching_window_s == 0.0 and type(m.batching_window_s) is float
    assert m.parallelization_factor == 1
    assert m.maximum_retry_attempts == -1
    assert m.maximum_record_age_s == -1
    assert m.bisect_batch_on_function_error is False
    assert m.on_failure is None
    assert m.maximum_concurrency is None
    assert m.duration == BatchDuration(0.05, 0.0)
    assert m.kind == source.kind


@pytest.mark.parametrize("source", [SQS, FIFO], ids=["sqs", "fifo"])
def test_sqs_defaults_resolved(source):
    m = EventSourceMapping(source, "fn")
    assert m.batch_size == 10
    assert m.batching_window_s == 0.0
    for field in (
        "parallelization_factor",
        "maximum_retry_attempts",
        "maximum_record_age_s",
        "bisect_batch_on_function_error",
        "on_failure",
        "maximum_concurrency",
    ):
        assert getattr(m, field) is None, field
    assert m.kind == "sqs"


def test_stream_values_given_are_stored_plain():
    m = EventSourceMapping(
        KIN,
        "fn",
        batch_size=np.int32(500),
        batching_window_s=np.float64(2.5),
        parallelization_factor=np.int8(10),
        maximum_retry_attempts=3,
        maximum_record_age_s=3600,
        bisect_batch_on_function_error=np.bool_(True),
        on_failure="failed-records",
        duration=BatchDuration(0.01, 0.001),
    )
    assert (m.batch_size, m.batching_window_s, m.parallelization_factor) == (500, 2.5, 10)
    assert type(m.batch_size) is int and type(m.parallelization_factor) is int
    assert type(m.batching_window_s) is float
    assert (m.maximum_retry_attempts, m.maximum_record_age_s) == (3, 3600)
    assert m.bisect_batch_on_function_error is True
    assert m.on_failure == "failed-records"
    assert m.duration == BatchDuration(0.01, 0.001)


@pytest.mark.parametrize("duration,base", [(0.2, 0.2), (1, 1.0), (0, 0.0), (np.float32(0.5), 0.5)])
def test_duration_number_is_normalised(duration, base):
    m = EventSourceMapping(KIN, "fn", duration=duration)
    assert m.duration == BatchDuration(base_s=base, per_record_s=0.0)
    assert isinstance(m.duration, BatchDuration)


def test_sqs_maximum_concurrency_stored():
    assert EventSourceMapping(SQS, "fn", maximum_concurrency=np.int64(5)).maximum_concurrency == 5


def test_source_and_function_positional_rest_keyword_only():
    with pytest.raises(TypeError):
        EventSourceMapping(KIN, "fn", 100)  # type: ignore[misc]
    m = EventSourceMapping(source=KIN, function="fn")
    assert m.source is KIN and m.function == "fn"


def test_replace_keeps_resolved_values_and_rechecks():
    m = EventSourceMapping(KIN, "fn", batch_size=50)
    m2 = dataclasses.replace(m, parallelization_factor=4)
    assert (m2.batch_size, m2.parallelization_factor) == (50, 4)
    with raises_exact(ValidationException, one(11, "parallelizationFactor", le(10))):
        dataclasses.replace(m, parallelization_factor=11)


def test_mappings_are_hashable_and_picklable():
    m = EventSourceMapping(FIFO, "fn", batch_size=5)
    assert hash(m) == hash(EventSourceMapping(FIFO, "fn", batch_size=5))
    assert pickle.loads(pickle.dumps(m)) == m
    for s in (KIN, DDB, SQS, FIFO, BatchDuration()):
        assert pickle.loads(pickle.dumps(s)) == s


# ---------------------------------------------------------------------------------------------
# EventSourceMapping: member ranges (ValidationException)
# ---------------------------------------------------------------------------------------------

# (python field, AWS member, low, high, sources that take the field)
RANGES = [
    ("batch_size", "batchSize", 1, 10000, [KIN, DDB]),
    ("batching_window_s", "maximumBatchingWindowInSeconds", 0, 300, [KIN, DDB, SQS]),
    ("parallelization_factor", "parallelizationFactor", 1, 10, STREAMS),
    ("maximum_retry_attempts", "maximumRetryAttempts", -1, 10000, STREAMS),
    ("maximum_record_age_s", "maximumRecordAgeInSeconds", -1, 604800, STREAMS),
    ("maximum_concurrency", "scalingConfig.maximumConcurrency", 2, 1000, [SQS, FIFO]),
]
CASES = [(f, aws, lo, hi, s) for f, aws, lo, hi, srcs in RANGES for s in srcs]
CASE_IDS = [f"{c[0]}-{c[4].kind}{'-fifo' if getattr(c[4], 'fifo', False) else ''}" for c in CASES]


@pytest.mark.parametrize("field,aws,low,high,source", CASES, ids=CASE_IDS)
def test_low_boundary_accepted(field, aws, low, high, source):
    m = EventSourceMapping(source, "fn", **{field: low})
    assert getattr(m, field) == low


@pytest.mark.parametrize("field,aws,low,high,source", CASES, ids=CASE_IDS)
def test_below_low_boundary_rejected(field, aws, low, high, source):
    with raises_exact(ValidationException, one(low - 1, aws, ge(low))):
        EventSourceMapping(source, "fn", **{field: low - 1})


@pytest.mark.parametrize("field,aws,low,high,source", CASES, ids=CASE_IDS)
def test_above_high_boundary_rejected(field, aws, low, high, source):
    with raises_exact(ValidationException, one(high + 1, aws, le(high))):
        EventSourceMapping(source, "fn", **{field: high + 1})


@pytest.mark.parametrize(
    "source,kwargs",
    [
        (KIN, {"batch_size": 10000}),
        (DDB, {"batch_size": 10000}),
        (SQS, {"batch_size": 10000, "batching_window_s": 1}),
        (KIN, {"batching_window_s": 300}),
        (SQS, {"batching_window_s": 300}),
        (KIN, {"parallelization_factor": 10}),
        (DDB, {"maximum_retry_attempts": 10000}),
        (KIN, {"maximum_retry_attempts": 0}),
        (KIN, {"maximum_record_age_s": 60}),
        (DDB, {"maximum_record_age_s": 604800}),
        (SQS, {"maximum_concurrency": 1000}),
        (FIFO, {"batch_size": 10}),
        (FIFO, {"batch_size": 1}),
        (FIFO, {"batching_window_s": 0}),
        (SQS, {"batch_size": 10}),
    ],
)
def test_boundary_values_accepted(source, kwargs):
    m = EventSourceMapping(source, "fn", **kwargs)
    for field, value in kwargs.items():
        assert getattr(m, field) == value


@pytest.mark.parametrize(
    "window,shown,constraint",
    [(-0.5, "-0.5", ge(0)), (300.5, "300.5", le(300)), (-1e-06, "-1e-06", ge(0))],
)
def test_batching_window_float_printed_as_given(window, shown, constraint):
    expected = one(shown, "maximumBatchingWindowInSeconds", constraint)
    with raises_exact(ValidationException, expected):
        EventSourceMapping(KIN, "fn", batching_window_s=window)


def test_all_member_errors_reported_at_once_in_order():
    expected = (
        "5 validation errors detected: "
        + "; ".join(
            [
                item(0, "batchSize", ge(1)),
                item(301, "maximumBatchingWindowInSeconds", le(300)),
                item(0, "parallelizationFactor", ge(1)),
                item(-2, "maximumRetryAttempts", ge(-1)),
                item(604801, "maximumRecordAgeInSeconds", le(604800)),
            ]
        )
    )
    with raises_exact(ValidationException, expected):
        EventSourceMapping(
            KIN,
            "fn",
            batch_size=0,
            batching_window_s=301,
            parallelization_factor=0,
            maximum_retry_attempts=-2,
            maximum_record_age_s=604801,
        )


def test_member_ranges_come_before_unsupported_parameters():
    # AWS validates members before the service looks at the source.
    with raises_exact(ValidationException, one(1, "scalingConfig.maximumConcurrency", ge(2))):
        EventSourceMapping(KIN, "fn", maximum_concurrency=1)
    with raises_exact(ValidationException, one(11, "parallelizationFactor", le(10))):
        EventSourceMapping(SQS, "fn", parallelization_factor=11)


# function names
@pytest.mark.parametrize("name", ["f", "my-Func_1", "x" * 64, "x" * 140])
def test_function_names_accepted(name):
    assert EventSourceMapping(KIN, name).function == name


def test_function_name_too_long():
    name = "x" * 141
    expected = one(name, "functionName", "have length less than or equal to 140")
    with raises_exact(ValidationException, expected):
        EventSourceMapping(KIN, name)


def test_function_name_pattern():
    pattern = f"satisfy regular expression pattern: {AWS_FUNCTION_PATTERN}"
    expected = one("my fn", "functionName", pattern)
    with raises_exact(ValidationException, expected):
        EventSourceMapping(KIN, "my fn")


def test_function_name_empty_fails_pattern_and_length():
    expected = (
        "2 validation errors detected: "
        + item("", "functionName", f"satisfy regular expression pattern: {AWS_FUNCTION_PATTERN}")
        + "; "
        + item("", "functionName", "have length greater than or equal to 1")
    )
    with raises_exact(ValidationException, expected):
        EventSourceMapping(KIN, "")


def test_function_name_error_listed_before_member_ranges():
    expected = (
        "2 validation errors detected: "
        + item("a b", "functionName", f"satisfy regular expression pattern: {AWS_FUNCTION_PATTERN}")
        + "; "
        + item(0, "batchSize", ge(1))
    )
    with raises_exact(ValidationException, expected):
        EventSourceMapping(KIN, "a b", batch_size=0)


# ---------------------------------------------------------------------------------------------
# EventSourceMapping: Lambda's semantic checks (InvalidParameterValueException)
# ---------------------------------------------------------------------------------------------

STREAM_ONLY = [
    ("parallelization_factor", 1, "ParallelizationFactor"),
    ("maximum_retry_attempts", -1, "MaximumRetryAttempts"),
    ("maximum_record_age_s", -1, "MaximumRecordAgeInSeconds"),
    ("bisect_batch_on_function_error", False, "BisectBatchOnFunctionError"),
    ("on_failure", "dlq", "DestinationConfig"),
]


@pytest.mark.parametrize("source", [SQS, FIFO], ids=["sqs", "fifo"])
@pytest.mark.parametrize("field,value,parameter", STREAM_ONLY, ids=[s[0] for s in STREAM_ONLY])
def test_stream_only_parameters_refused_for_sqs(source, field, value, parameter):
    # Even the streams' default values are refused: the parameter is not supported at all.
    with raises_exact(InvalidParameterValueException, unsupported(parameter)):
        EventSourceMapping(source, "fn", **{field: value})


@pytest.mark.parametrize("source", STREAMS, ids=["kinesis", "dynamodb"])
@pytest.mark.parametrize("value", [2, 1000])
def test_maximum_concurrency_refused_for_streams(source, value):
    with raises_exact(InvalidParameterValueException, unsupported("ScalingConfig")):
        EventSourceMapping(source, "fn", maximum_concurrency=value)


def test_first_unsupported_parameter_is_reported():
    with raises_exact(InvalidParameterValueException, unsupported("MaximumRetryAttempts")):
        EventSourceMapping(SQS, "fn", on_failure="x", maximum_retry_attempts=3)


@pytest.mark.parametrize("batch", [11, 100, 10000])
@pytest.mark.parametrize("window", [None, 0, 0.5, 0.999])
def test_sqs_batch_above_10_needs_a_window_of_1s(batch, window):
    with raises_exact(InvalidParameterValueException, SQS_WINDOW):
        EventSourceMapping(SQS, "fn", batch_size=batch, batching_window_s=window)


@pytest.mark.parametrize("batch,window", [(11, 1), (10000, 300), (10, 0), (10, None), (500, 1.0)])
def test_sqs_window_rule_satisfied(batch, window):
    m = EventSourceMapping(SQS, "fn", batch_size=batch, batching_window_s=window)
    assert m.batch_size == batch


@pytest.mark.parametrize("source", STREAMS, ids=["kinesis", "dynamodb"])
def test_window_rule_does_not_apply_to_streams(source):
    # Streams default to 100 records with no window (AWS's own defaults).
    m = EventSourceMapping(source, "fn", batch_size=5000)
    assert (m.batch_size, m.batching_window_s) == (5000, 0.0)


@pytest.mark.parametrize("batch,window", [(11, None), (11, 0), (10000, None)])
def test_fifo_batch_above_10(batch, window):
    with raises_exact(InvalidParameterValueException, FIFO_BATCH):
        EventSourceMapping(FIFO, "fn", batch_size=batch, batching_window_s=window)


@pytest.mark.parametrize("window", [1, 0.5, 300])
def test_fifo_batching_window_refused(window):
    with raises_exact(InvalidParameterValueException, FIFO_WINDOW):
        EventSourceMapping(FIFO, "fn", batching_window_s=window)


def test_fifo_window_reported_before_fifo_batch_size():
    with raises_exact(InvalidParameterValueException, FIFO_WINDOW):
        EventSourceMapping(FIFO, "fn", batch_size=11, batching_window_s=1)


@pytest.mark.parametrize("source", STREAMS, ids=["kinesis", "dynamodb"])
@pytest.mark.parametrize("age", [0, 1, 59])
def test_record_age_between_0_and_59(source, age):
    with raises_exact(InvalidParameterValueException, RECORD_AGE):
        EventSourceMapping(source, "fn", maximum_record_age_s=age)


@pytest.mark.parametrize("age", [-1, 60, 61, 604800])
def test_record_age_accepted(age):
    assert EventSourceMapping(KIN, "fn", maximum_record_age_s=age).maximum_record_age_s == age


def test_unsupported_parameter_reported_before_window_rule():
    with raises_exact(InvalidParameterValueException, unsupported("ParallelizationFactor")):
        EventSourceMapping(SQS, "fn", batch_size=11, parallelization_factor=2)


# ---------------------------------------------------------------------------------------------
# EventSourceMapping: types and non-finite numbers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["orders", None, Outcome.SUCCESS, BatchDuration()],
    ids=["str", "none", "enum", "duration"],
)
def test_source_must_be_a_source_object(source):
    expected = (
        "EventSourceMapping.source must be a KinesisStream, DynamoDBStream or SqsQueue, got "
        f"{type(source).__name__} {source!r}"
    )
    with raises_exact(TypeError, expected):
        EventSourceMapping(source, "fn")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"function": 3}, "EventSourceMapping.function must be a str, got int 3"),
        ({"function": None}, "EventSourceMapping.function must be a str, got NoneType None"),
        (
            {"batch_size": 100.0},
            "EventSourceMapping.batch_size must be an int or None, got float 100.0",
        ),
        (
            {"batch_size": True},
            "EventSourceMapping.batch_size must be an int or None, got bool True",
        ),
        (
            {"parallelization_factor": "2"},
            "EventSourceMapping.parallelization_factor must be an int or None, got str '2'",
        ),
        (
            {"maximum_retry_attempts": 1.0},
            "EventSourceMapping.maximum_retry_attempts must be an int or None, got float 1.0",
        ),
        (
            {"maximum_record_age_s": 60.0},
            "EventSourceMapping.maximum_record_age_s must be an int or None, got float 60.0",
        ),
        (
            {"maximum_concurrency": 5.0},
            "EventSourceMapping.maximum_concurrency must be an int or None, got float 5.0",
        ),
        (
            {"batching_window_s": "1"},
            "EventSourceMapping.batching_window_s must be a number (int or float) or None, "
            "got str '1'",
        ),
        (
            {"batching_window_s": False},
            "EventSourceMapping.batching_window_s must be a number (int or float) or None, "
            "got bool False",
        ),
        (
            {"bisect_batch_on_function_error": 1},
            "EventSourceMapping.bisect_batch_on_function_error must be a bool or None, got int 1",
        ),
        (
            {"on_failure": ""},
            "EventSourceMapping.on_failure must be a non-empty str (a target's name) or None, "
            "got str ''",
        ),
        (
            {"on_failure": 7},
            "EventSourceMapping.on_failure must be a non-empty str (a target's name) or None, "
            "got int 7",
        ),
        (
            {"duration": None},
            "EventSourceMapping.duration must be a number of seconds (int or float) or a "
            "BatchDuration, got NoneType None",
        ),
        (
            {"duration": True},
            "EventSourceMapping.duration must be a number of seconds (int or float) or a "
            "BatchDuration, got bool True",
        ),
        (
            {"duration": (0.05, 0.001)},
            "EventSourceMapping.duration must be a number of seconds (int or float) or a "
            "BatchDuration, got tuple (0.05, 0.001)",
        ),
    ],
)
def test_mapping_types(kwargs, message):
    args = {"function": "fn", **kwargs}
    with raises_exact(TypeError, message):
        EventSourceMapping(KIN, **args)


def test_types_checked_before_values():
    expected = "EventSourceMapping.batch_size must be an int or None, got float 0.5"
    with raises_exact(TypeError, expected):
        EventSourceMapping(SQS, "bad name", batch_size=0.5, parallelization_factor=99)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_batching_window_non_finite(bad):
    expected = (
        f"EventSourceMapping.batching_window_s must be a finite number of seconds, got {bad!r}"
    )
    with raises_exact(InvalidParameterValueException, expected):
        EventSourceMapping(KIN, "fn", batching_window_s=bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_duration_non_finite(bad):
    expected = f"EventSourceMapping.duration must be a finite number of seconds, got {bad!r}"
    with raises_exact(InvalidParameterValueException, expected):
        EventSourceMapping(KIN, "fn", duration=bad)


@pytest.mark.parametrize("bad,shown", [(-1, "-1.0"), (-0.001, "-0.001")])
def test_duration_negative(bad, shown):
    expected = f"EventSourceMapping.duration must be at least 0 seconds, got {shown}"
    with raises_exact(InvalidParameterValueException, expected):
        EventSourceMapping(KIN, "fn", duration=bad)


def test_non_finite_checked_before_member_ranges():
    with raises_exact(
        InvalidParameterValueException,
        "EventSourceMapping.batching_window_s must be a finite number of seconds, got nan",
    ):
        EventSourceMapping(KIN, "fn", batching_window_s=math.nan, batch_size=0)


def test_errors_are_value_errors_with_aws_codes():
    with pytest.raises(ValueError) as info:
        EventSourceMapping(KIN, "fn", batch_size=0)
    assert isinstance(info.value, LambdaCoreError)
    assert info.value.code == "ValidationException"
    with pytest.raises(ValueError) as info:
        EventSourceMapping(SQS, "fn", batch_size=11)
    assert info.value.code == "InvalidParameterValueException"


# ---------------------------------------------------------------------------------------------
# RecordOutcome
# ---------------------------------------------------------------------------------------------


def test_record_outcome_values():
    assert [(m.name, int(m)) for m in RecordOutcome] == [
        ("PENDING", 0),
        ("PROCESSED", 1),
        ("RETRY_ATTEMPTS_EXHAUSTED", 2),
        ("RECORD_AGE_EXCEEDED", 3),
        ("EXPIRED", 4),
        ("DEAD_LETTERED", 5),
    ]


def test_record_outcome_conditions():
    assert RecordOutcome.RETRY_ATTEMPTS_EXHAUSTED.condition == "RetryAttemptsExhausted"
    assert RecordOutcome.RECORD_AGE_EXCEEDED.condition == "RecordAgeExceeded"
    for m in (
        RecordOutcome.PENDING,
        RecordOutcome.PROCESSED,
        RecordOutcome.EXPIRED,
        RecordOutcome.DEAD_LETTERED,
    ):
        assert m.condition is None


def test_record_outcome_is_an_int_enum():
    assert RecordOutcome(3) is RecordOutcome.RECORD_AGE_EXCEEDED
    assert RecordOutcome.EXPIRED == 4

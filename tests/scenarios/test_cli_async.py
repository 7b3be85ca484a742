"""Asynchronous invocation, destinations and client retries in scenario files: parsing, errors,
and the CLI's figures against Simulator.run's."""

from __future__ import annotations

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._cli import main
from lambda_core.scenarios import (
    TRIGGERS,
    ScenarioError,
    load_scenario,
    parse_scenario,
)
from tests.scenarios.cases import SELF_DESTINATION, run_json, write


# ---------------------------------------------------------------------------------------------
# Asynchronous invocation, destinations and client retries in scenarios
# ---------------------------------------------------------------------------------------------


def test_small_async_scenario_matches_direct_run(capsys, small_async):
    summary = run_json(capsys, str(small_async))
    scenario = load_scenario(small_async)
    workload = scenario.generate()
    # The simulator built by hand from the file's values.
    functions = [
        lc.Function("api", reserved_concurrency=5),
        lc.Function("uploads", max_retry_attempts=1, max_event_age_s=90, on_success="done",
                    on_failure="failed", dead_letter_queue="uploads-dlq"),
    ]
    sim = lc.Simulator(lc.Account(concurrency_limit=20, unreserved_min=5), functions, seed=11,
                       client_retries=lc.RetryPolicy(3, 0.5, 4.0))
    result = sim.run(workload)
    for i, row in enumerate(summary["functions"]):
        for key, value in row.items():
            if key != "function":
                assert value == int(result.functions[key][i]), (row["function"], key)
    assert summary["destinations"] == {
        t: len(log["request"]) for t, log in result.destinations.items()
    }
    assert list(summary["destinations"]) == ["done", "failed", "uploads-dlq"]

    api, uploads = summary["functions"]
    outcome, throttles = result.requests["outcome"], result.requests["throttles"]
    is_api = workload.function == 0
    # api (API Gateway: synchronous): its callers retry a throttle, so it is throttled more
    # often than requests end throttled; a request that ends throttled used all 3 attempts.
    assert api["async_events_received"] == 0
    given_up = is_api & (outcome == lc.Outcome.THROTTLED)
    assert 0 < given_up.sum() < api["throttles_reserved"]
    assert np.all(throttles[given_up] == 3)
    assert api["invocations"] + given_up.sum() == is_api.sum()
    # uploads (S3: asynchronous): every row is an event; every event succeeded or was dropped
    # to both on_failure and the dead-letter queue; successes went to on_success.
    assert uploads["async_events_received"] == (~is_api).sum()
    assert np.array_equal(workload.invocation_type == lc.InvocationType.EVENT, ~is_api)
    dropped = uploads["async_events_dropped"]
    succeeded = ((outcome == lc.Outcome.SUCCESS) & ~is_api).sum()
    assert dropped > 0 and succeeded + dropped == uploads["async_events_received"]
    assert summary["destinations"] == {"done": succeeded, "failed": dropped, "uploads-dlq": dropped}
    # Throttled events came back: more unreserved throttles than events.
    assert uploads["throttles_unreserved"] > uploads["async_events_received"]


def test_function_async_keys(tmp_path):
    path = write(tmp_path, """
[[functions]]
name = "a"
max_retry_attempts = 0
max_event_age_s = 300
on_success = "a-ok"
on_failure = "b"
dead_letter_queue = "a-dlq"
[[functions]]
name = "b"
""")
    scenario = load_scenario(path)
    a, b = scenario.functions
    assert (a.max_retry_attempts, a.max_event_age_s) == (0, 300)
    assert (a.on_success, a.on_failure, a.dead_letter_queue) == ("a-ok", "b", "a-dlq")
    assert (b.max_retry_attempts, b.max_event_age_s, b.on_success) == (2, 21600, None)
    # a destination named after a function is recorded, not invoked
    assert scenario.simulator().destination_names == ("a-ok", "b", "a-dlq")


@pytest.mark.parametrize(
    ("keys", "stderr"),
    [
        ('on_failure = "a"', f"InvalidParameterValueException: {SELF_DESTINATION}"),
        ('on_success = "a"', f"InvalidParameterValueException: {SELF_DESTINATION}"),
        ("max_retry_attempts = 3",
         "ValidationException: 1 validation error detected: Value '3' at 'maximumRetryAttempts' "
         "failed to satisfy constraint: Member must have value less than or equal to 2"),
        ("max_event_age_s = 30",
         "ValidationException: 1 validation error detected: Value '30' at "
         "'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value "
         "greater than or equal to 60"),
        ("dead_letter_queue = 5", "Function.dead_letter_queue must be a non-empty str"),
        ('on_sucess = "x"', "unknown key 'on_sucess' in [[functions]] #1 ('a') "
                            "(did you mean 'on_success'?)"),
    ],
)
def test_function_async_key_errors(capsys, tmp_path, keys, stderr):
    path = write(tmp_path, f'[[functions]]\nname = "a"\n{keys}\n')
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    first, *rest = captured.err.splitlines()
    assert stderr in first and "Traceback" not in captured.err
    if first.startswith(("InvalidParameterValueException", "ValidationException")):
        assert first == stderr  # AWS's text, whole
        assert rest == [f"  (in [[functions]] #1 ('a') of {path})"]


def _one_generator(extra: str) -> str:
    return ('[[functions]]\nname = "a"\n[functions.workload]\narrivals = "poisson"\n'
            f'rate_per_s = 50\nend_s = 10\nduration = {{dist = "fixed", s = 0.1}}\n{extra}\n')


@pytest.mark.parametrize(
    ("extra", "trigger", "kind"),
    [
        ('trigger = "s3"', lc.Trigger.S3, lc.InvocationType.EVENT),
        ('trigger = "SNS"', lc.Trigger.SNS, lc.InvocationType.EVENT),
        ('trigger = "EventBridge"', lc.Trigger.EVENTBRIDGE, lc.InvocationType.EVENT),
        ('trigger = "api_gateway"', lc.Trigger.API_GATEWAY, lc.InvocationType.REQUEST_RESPONSE),
        ('trigger = "Step_Functions"', lc.Trigger.STEP_FUNCTIONS,
         lc.InvocationType.REQUEST_RESPONSE),
        ('invocation_type = "event"', None, lc.InvocationType.EVENT),
        ('invocation_type = "Event"', None, lc.InvocationType.EVENT),
        ('invocation_type = "request_response"', None, lc.InvocationType.REQUEST_RESPONSE),
        ('invocation_type = "RequestResponse"', None, lc.InvocationType.REQUEST_RESPONSE),
        ("", None, lc.InvocationType.REQUEST_RESPONSE),
    ],
)
def test_trigger_and_invocation_type(extra, trigger, kind):
    scenario = parse_scenario(_one_generator(extra))
    (spec,) = scenario.workloads[0]
    assert (spec.trigger, spec.invocation_type) == (trigger, kind)
    assert trigger is None or trigger.invocation_type == kind
    workload = scenario.generate()
    # The invocation type changes no draw: the same requests as without it.
    plain = parse_scenario(_one_generator("")).generate()
    for column in ("time", "function", "duration"):
        np.testing.assert_array_equal(getattr(workload, column), getattr(plain, column))
    if kind == lc.InvocationType.EVENT:
        assert np.all(workload.invocation_type == lc.InvocationType.EVENT)
        result = scenario.simulator().run(workload)
        assert result.function("a")["async_events_received"] == len(workload) > 0
    else:
        assert workload.invocation_type is None  # synchronous: no column needed
    assert scenario.has_events() == (kind == lc.InvocationType.EVENT)


def test_every_trigger_name_is_accepted():
    assert TRIGGERS == tuple(t.name.lower() for t in lc.Trigger)
    for trigger in lc.Trigger:
        (spec,) = parse_scenario(_one_generator(f'trigger = "{trigger.name.lower()}"')).workloads[0]
        assert spec.trigger is trigger and spec.invocation_type == trigger.invocation_type


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('trigger = "s4"', r"'trigger' in \[functions.workload\] of function 'a' must name a "
                           r"lambda_core.Trigger, got a string \('s4'\) \(did you mean 's3'\? "
                           r"one of api_gateway, alb, "),
        ('trigger = "kinesis"', r"'trigger' .* must name a lambda_core.Trigger, got a string "
                                r"\('kinesis'\) \(one of api_gateway"),
        ('trigger = "Amazon S3"', r"'trigger' .* must name a lambda_core.Trigger"),
        ("trigger = 3", r"'trigger' .* must name a lambda_core.Trigger, got int \(3\)"),
        ('trigger = "s3"\ninvocation_type = "event"',
         r"'trigger' and 'invocation_type' in \[functions.workload\] of function 'a' cannot "
         r"both be set"),
        ('trigger = "api_gateway"\ninvocation_type = "request_response"',
         r"'trigger' and 'invocation_type' .* cannot both be set"),
        ('invocation_type = "async"',
         r"'invocation_type' .* must be \"event\" or \"request_response\", got a string"),
        ('invocation_type = "dry_run"', r"'invocation_type' .* must be \"event\""),
    ],
)
def test_bad_trigger_or_invocation_type(capsys, tmp_path, extra, message):
    path = write(tmp_path, _one_generator(extra))
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and "Traceback" not in err


def test_client_retries(tmp_path):
    base = '[[functions]]\nname = "a"\n'
    cases = {
        "": None,
        'client_retries = "standard"\n': lc.RetryPolicy(),
        'client_retries = "Standard"\n': lc.RetryPolicy(),
        "[client_retries]\n": lc.RetryPolicy(),
        "[client_retries]\nmax_attempts = 5\n": lc.RetryPolicy(max_attempts=5),
        "[client_retries]\nmax_attempts = 2\nbase_s = 0.05\ncap_s = 1\n":
            lc.RetryPolicy(2, 0.05, 1.0),
        "client_retries = { max_attempts = 4, cap_s = 10 }\n": lc.RetryPolicy(4, 1.0, 10.0),
    }
    for top, policy in cases.items():
        # the top-level table must come before [[functions]] in TOML
        scenario = parse_scenario(top + base)
        assert scenario.client_retries == policy, top
        assert scenario.simulator().client_retries == policy, top


@pytest.mark.parametrize(
    ("top", "message"),
    [
        ('client_retries = "adaptive"\n',
         "'client_retries' at the top level must be \"standard\" or a table"),
        ("client_retries = 3\n", "'client_retries' at the top level must be"),
        ("[client_retries]\nattempts = 3\n",
         "unknown key 'attempts' in [client_retries] (did you mean 'max_attempts'?)"),
        ("[client_retries]\nmax_attempts = 0\n",
         "'max_attempts' in [client_retries] must be at least 1, got 0"),
        ("[client_retries]\nmax_attempts = 2.5\n",
         "'max_attempts' in [client_retries] must be an integer"),
        ("[client_retries]\nbase_s = 30\n",
         "[client_retries]: RetryPolicy needs 0 <= base_s <= cap_s <= 86400"),
        ("[client_retries]\nbase_s = -1\n", "'base_s' in [client_retries] must be at least 0"),
    ],
)
def test_client_retries_errors(capsys, tmp_path, top, message):
    path = write(tmp_path, top + '[[functions]]\nname = "a"\n')
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and message in err, err
    assert "Traceback" not in err


def test_validate_shows_async_settings_destinations_and_retries(capsys, small_async, small):
    assert main(["validate", str(small_async)]) == 0
    out = capsys.readouterr().out
    assert ("client retries: synchronous callers retry throttles, at most 3 attempts in all, "
            "waiting up to min(0.5 s × 2^(i−1), 4 s) before retry i (full jitter)") in out
    lines = [line.strip() for line in out.splitlines()]
    uploads = lines.index("uploads  unreserved; memory 128 MB, timeout 3 s")
    assert lines[uploads + 1] == "asynchronous: max retry attempts 1, max event age 90 s"
    assert lines[uploads + 2] == (
        "destinations: on_success done, on_failure failed, dead_letter_queue uploads-dlq"
    )
    assert lines[uploads + 3].endswith("; trigger s3 (Amazon S3, Event)")
    assert "trigger api_gateway (Amazon API Gateway, RequestResponse)" in out
    # api receives no events and has no destinations: no asynchronous line for it
    assert out.count("asynchronous:") == 1

    assert main(["validate", str(small)]) == 0
    out = capsys.readouterr().out
    for absent in ("client retries", "asynchronous:", "destinations:", "trigger"):
        assert absent not in out


def test_destination_counts_leave_the_records_to_advance():
    """Simulator.destination_counts (what the CLI reads after its requests=False steps) does
    not take the records that advance() and run() hand out."""
    f = lc.Function("f", reserved_concurrency=1, max_event_age_s=60, on_success="ok",
                    dead_letter_queue="dlq")
    workload = lc.Workload(np.arange(10) * 0.01, np.zeros(10, np.int64), np.full(10, 2.0),
                           invocation_type=lc.Trigger.SNS)
    one, two = lc.Simulator(lc.Account(), [f]), lc.Simulator(lc.Account(), [f])
    expected = one.run(workload)
    two.submit(workload)
    assert two.destination_counts() == {"ok": 0, "dlq": 0}
    first = two.advance(30.0)
    counts = two.destination_counts()
    assert counts["ok"] > 0
    rest = two.advance(None)
    assert two.destination_counts() == {
        t: len(log["request"]) for t, log in expected.destinations.items()
    }
    assert counts["dlq"] + len(rest.destinations["dlq"]["request"]) == two.destination_counts()["dlq"]
    for t in ("ok", "dlq"):
        for column, values in expected.destinations[t].items():
            np.testing.assert_array_equal(
                np.concatenate([first.destinations[t][column], rest.destinations[t][column]]),
                values, err_msg=(t, column),
            )

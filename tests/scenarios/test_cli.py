"""Tests of the command line (lambda_core.cli), scenario files (lambda_core.scenario) and the
report (lambda_core.report).

Most tests call ``main([...])`` in-process; a few run the installed ``lambda-core`` script.
Run with ``python -m pytest tests/test_cli.py -q``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core.cli import main, simulate
from lambda_core.report import ASYNC_COUNTS, COUNTS, MAPPING_COUNTS
from lambda_core.scenario import (
    TRIGGERS,
    ScenarioError,
    builtin_scenario,
    load_scenario,
    parse_scenario,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scenario.toml"

RC_MIN_100 = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [100]."
)
MEMORY_64 = (
    "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: "
    "Member must have value greater than or equal to 128"
)
SELF_DESTINATION = "You can't specify the function as a destination for itself."

# A small scenario that throttles in both ways: "capped" overflows its reservation of 5 and
# "burst" + "steady" overflow the shared pool of 20 - 5 = 15.
SMALL = """
seed = 7
routing = "newest"

[account]
concurrency_limit = 20
unreserved_min = 5

[[functions]]
name = "capped"
reserved_concurrency = 5
timeout_s = 2
[functions.workload]
arrivals = "poisson"
rate_per_s = 40
end_s = 30
duration = { dist = "lognormal", median_s = 0.1, sigma = 0.5 }
failure_rate = 0.05

[[functions]]
name = "burst"
init_s = 0.2
[[functions.workload]]
arrivals = "bursty"
rate_per_s = 5
end_s = 30
bursts = [{ at_s = 10, count = 300, over_s = 2 }, { at_s = 20, count = 50 }]
duration = { dist = "fixed", s = 0.3 }
[[functions.workload]]
arrivals = "poisson"
rate_per_s = 3
start_s = 15
end_s = 25
duration = { dist = "exponential", mean_s = 0.5 }

[[functions]]
name = "steady"
[functions.workload]
arrivals = "poisson"
rate_per_s = 20
end_s = 30
duration = { dist = "exponential", mean_s = 0.2 }
"""


# A small scenario with asynchronous invocation: "uploads" gets a burst of S3 events that
# overflows the shared pool of 15, with every destination set; "api" is invoked synchronously
# by API Gateway, and its callers retry throttles (client_retries).
SMALL_ASYNC = """
seed = 11

[client_retries]
max_attempts = 3
base_s = 0.5
cap_s = 4

[account]
concurrency_limit = 20
unreserved_min = 5

[[functions]]
name = "api"
reserved_concurrency = 5
[functions.workload]
trigger = "api_gateway"
arrivals = "poisson"
rate_per_s = 30
end_s = 30
duration = { dist = "exponential", mean_s = 0.2 }

[[functions]]
name = "uploads"
max_retry_attempts = 1
max_event_age_s = 90
on_success = "done"
on_failure = "failed"
dead_letter_queue = "uploads-dlq"
[functions.workload]
trigger = "S3"
arrivals = "bursty"
rate_per_s = 2
end_s = 30
bursts = [{ at_s = 5, count = 1000, over_s = 10 }]
duration = { dist = "fixed", s = 0.5 }
failure_rate = 0.1
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


@pytest.fixture
def small_async(tmp_path: Path) -> Path:
    path = tmp_path / "small_async.toml"
    path.write_text(SMALL_ASYNC)
    return path


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    """``lambda-core run ARGV --json --quiet`` in-process; the parsed JSON."""
    assert main(["run", *argv, "--json", "--quiet"]) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def deterministic(summary: dict) -> dict:
    """The summary without its wall-clock figures."""
    run = {k: v for k, v in summary["run"].items() if k not in ("wall_time_s", "invocations_per_s")}
    return {**summary, "run": run}


def parse_mapping_table(text: str) -> dict[str, dict[str, object]]:
    """The mapping table of the text report, by source: ``function`` and the
    ``MAPPING_COUNTS`` figures (numbers; the iterator age as printed, a string)."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("source "))
    keys = ["function"] + [key for key, _ in MAPPING_COUNTS]
    assert re.split(r"\s{2,}", lines[head].strip()) == (
        ["source", "function"] + [heading for _, heading in MAPPING_COUNTS]
    )
    rows = {}
    for line in lines[head + 1 :]:
        if not line.strip():
            break
        source, *cells = line.split()
        row = dict(zip(keys, cells, strict=True))
        rows[source] = {
            k: v if k in ("function", "max_iterator_age") else int(v.replace(",", ""))
            for k, v in row.items()
        }
    return rows


def parse_table(text: str) -> dict[str, dict[str, int]]:
    """The per-function rows (and 'total') of the text report, as numbers, keyed by the
    ``Result.functions`` names of the columns the heading shows."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("function "))
    key_of = {heading: key for key, heading in COUNTS + ASYNC_COUNTS}
    headings = re.split(r"\s{2,}", lines[head].strip())[1:]
    rows = {}
    for line in lines[head + 1 :]:
        if not line.strip():
            break
        name, *cells = line.split()
        keys = [key_of[h] for h in headings]
        if len(cells) < len(keys):  # the total row has no max concurrency
            keys.remove("max_concurrency")
        rows[name] = {k: int(c.replace(",", "")) for k, c in zip(keys, cells, strict=True)}
    return rows


def requests_per_function(workload: lc.Workload, n: int) -> list[int]:
    return np.bincount(workload.function, minlength=n).tolist()


def direct_result(path: Path, seed: int | None = None, until: float | None = None):
    """The workload the scenario generates and ``Simulator.run`` on it, with the simulator
    built by hand from the file's values (not through Scenario.simulator)."""
    scenario = load_scenario(path)
    workload = scenario.generate(seed)
    account = lc.Account(concurrency_limit=20, unreserved_min=5)
    functions = [
        lc.Function("capped", reserved_concurrency=5, timeout_s=2),
        lc.Function("burst", init_s=0.2),
        lc.Function("steady"),
    ]
    sim = lc.Simulator(account, functions, seed=scenario.seed if seed is None else seed)
    return workload, sim.run(workload, until=until)


# ---------------------------------------------------------------------------------------------
# The built-in scenario (the one large run of this file)
# ---------------------------------------------------------------------------------------------


NAMES = ["orders", "payments", "catalog", "search", "cart", "inventory", "shipping",
         "notifications", "thumbnails", "reports"]


def test_builtin_scenario_throttles_in_both_pools(capsys):
    assert main(["run", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    out = captured.out
    rows = parse_table(out)
    assert list(rows) == NAMES + ["total"]
    total = rows.pop("total")

    scenario = builtin_scenario()
    workload = scenario.generate()
    (records,) = scenario.generate_records()
    assert len(workload) >= 1_000_000 and len(records) > 3_700_000
    assert f"{len(workload):,} invocations and {len(records):,} records simulated" in out
    requests = dict(zip(NAMES, requests_per_function(workload, len(NAMES))))

    # The mapping: inventory reads order-events, one lane per shard of 100.
    mappings = parse_mapping_table(out)
    assert list(mappings) == ["order-events"]
    stream = mappings["order-events"]
    assert stream["function"] == "inventory"
    assert stream["records"] == len(records)
    assert stream["max_concurrency"] == 100
    assert stream["batches"] >= len(records) / 100
    assert stream["invocations"] >= stream["batches"]
    # no record is lost: 10 retries with bisection are enough for records that fail twice
    assert stream["records_failed"] == stream["records_expired"] == 0

    # Synchronous requests without client retries and without until: each request ran once or
    # was throttled once. Only thumbnails' S3 events come back after a throttle; inventory
    # also runs the mapping's batches, each invocation or throttle of which counts too.
    for name in NAMES:
        r = rows[name]
        answered = (r["invocations"] + r["throttles_reserved"] + r["throttles_unreserved"]
                    + r["throttles_scaling"])
        if name == "thumbnails":
            assert answered > requests[name]
        elif name == "inventory":
            assert answered == requests[name] + stream["invocations"] + stream["throttles"]
        else:
            assert answered == requests[name], name
    for key in ("invocations", "throttles_reserved", "throttles_unreserved", "errors",
                "async_events_dropped"):
        assert total[key] == sum(r[key] for r in rows.values())

    # Reserved throttles only where a reservation is; unreserved ones only on the shared pool.
    assert rows["orders"]["throttles_reserved"] > 0
    assert rows["orders"]["max_concurrency"] == 200
    assert rows["payments"]["max_concurrency"] <= 100
    assert all(rows[n]["throttles_reserved"] == 0 for n in NAMES[2:])
    assert rows["orders"]["throttles_unreserved"] == rows["payments"]["throttles_unreserved"] == 0
    assert sum(rows[n]["throttles_unreserved"] for n in NAMES[2:]) > 1000
    assert total["errors"] > 0
    assert "max unreserved concurrency 700" in out
    assert "UnreservedConcurrentExecutions 700" in out
    assert "seed 20231126" in out

    # The asynchronous figures: only thumbnails drops events, and its dead-letter queue got
    # one record per dropped event.
    dropped = rows["thumbnails"]["async_events_dropped"]
    assert dropped > 0
    assert all(rows[n]["async_events_dropped"] == 0 for n in NAMES if n != "thumbnails")
    destinations = [line for line in out.splitlines() if line.startswith("destinations:")]
    assert destinations == [
        f"destinations: thumbnails-dlq {dropped:,} records, order-events-failures 0 records"
    ]


def test_builtin_scenario_async_figures(capsys):
    """The JSON figures of the built-in run against Simulator.run on the same workload: the
    S3 events of thumbnails are retried after throttles, and the ones that would pass the
    maximum event age of 60 s go to the dead-letter queue."""
    summary = run_json(capsys)
    scenario = builtin_scenario()
    workload = scenario.generate()
    result = scenario.simulator().run(workload, records=scenario.generate_records())
    thumbnails = summary["functions"][NAMES.index("thumbnails")]
    events = workload.function == NAMES.index("thumbnails")

    # Every thumbnails row is an S3 event, and only those.
    assert np.array_equal(workload.invocation_type == lc.InvocationType.EVENT, events)
    assert thumbnails["async_events_received"] == events.sum()
    assert summary["total"]["async_events_received"] == events.sum()
    # Throttled events were retried: more throttles than events dropped, which are few.
    dropped = thumbnails["async_events_dropped"]
    assert 0 < dropped < thumbnails["throttles_unreserved"]
    assert dropped < events.sum() / 10
    # No thumbnail fails (no failure_rate, durations far below the 30 s timeout): every event
    # that was not dropped ran exactly once.
    assert thumbnails["errors"] == 0
    assert thumbnails["invocations"] == thumbnails["async_events_received"] - dropped

    # The CLI's stepped run with requests=False counts the same records Simulator.run keeps.
    dlq = result.destinations["thumbnails-dlq"]
    assert summary["destinations"] == {"thumbnails-dlq": dropped, "order-events-failures": 0}
    assert summary["destinations"] == {
        t: len(log["request"]) for t, log in result.destinations.items()
    }
    for key, value in thumbnails.items():
        if key != "function":
            assert value == result.function("thumbnails")[key], key

    # A dropped event was throttled at ages 0, 1, 3, 7, 15 and 31 s; the next wait (32 s) would
    # take it past 60 s, so it is dropped at age 31 s without having run.
    outcome = result.requests["outcome"]
    aged = outcome == lc.Outcome.EVENT_AGE_EXCEEDED
    assert aged.sum() == dropped and np.all(events[aged])
    assert set(np.unique(outcome[events])) == {lc.Outcome.SUCCESS, lc.Outcome.EVENT_AGE_EXCEEDED}
    assert np.all(result.requests["throttles"][aged] == 6)
    assert np.all(result.requests["attempts"][aged] == 0)
    np.testing.assert_allclose(result.requests["end"][aged] - workload.time[aged], 31.0, atol=1e-6)
    np.testing.assert_array_equal(np.sort(dlq["request"]), np.flatnonzero(aged))
    assert {lc.Outcome(c).condition for c in dlq["condition"]} == {"EventAgeExceeded"}
    assert np.all(dlq["approximate_invoke_count"] == 0)
    # Events that ran were at most 31 s old when they started.
    age = result.requests["event_age"][events & ~aged]
    assert np.nanmax(age) <= 31.0 and np.all(age >= 0)


def test_builtin_scenario_configuration():
    scenario = builtin_scenario()
    sim = scenario.simulator()
    assert sim.account_settings() == {
        "ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 700,
    }
    reserved = {f.name: f.reserved_concurrency for f in scenario.functions}
    assert reserved.pop("orders") == 200 and reserved.pop("payments") == 100
    assert len(reserved) == 8 and set(reserved.values()) == {None}
    assert scenario.expected_requests() >= 1_000_000
    assert scenario.client_retries is None

    thumbnails = scenario.functions[NAMES.index("thumbnails")]
    assert thumbnails.dead_letter_queue == "thumbnails-dlq"
    assert thumbnails.max_event_age_s == 60
    assert sim.destination_names == ("thumbnails-dlq", "order-events-failures")
    triggers = {f.name: {spec.trigger for spec in specs}
                for f, specs in zip(scenario.functions, scenario.workloads)}
    assert triggers.pop("thumbnails") == {lc.Trigger.S3}
    assert set().union(*triggers.values()) == {None}


# ---------------------------------------------------------------------------------------------
# A small scenario: the CLI's figures are Simulator.run's
# ---------------------------------------------------------------------------------------------


def test_small_scenario_matches_direct_run(capsys, small):
    summary = run_json(capsys, str(small))
    workload, result = direct_result(small)
    assert summary["run"]["invocations_simulated"] == len(workload)
    assert [f["function"] for f in summary["functions"]] == ["capped", "burst", "steady"]
    for i, row in enumerate(summary["functions"]):
        for key, _ in COUNTS:
            assert row[key] == int(result.functions[key][i]), (row["function"], key)
    assert summary["account"]["max_concurrency"] == result.account["max_concurrency"]
    assert (summary["account"]["max_unreserved_concurrency"]
            == result.account["max_unreserved_concurrency"])
    assert summary["account"]["UnreservedConcurrentExecutions"] == 15
    assert summary["run"]["horizon_s"] == result.horizon

    # Both kinds of throttle happen, and every request is accounted for.
    capped, burst, steady = summary["functions"]
    assert capped["throttles_reserved"] > 0 and capped["errors"] > 0
    assert burst["throttles_unreserved"] > 0
    answered = sum(
        f["invocations"] + f["throttles_reserved"] + f["throttles_unreserved"]
        + f["throttles_scaling"]
        for f in summary["functions"]
    )
    assert answered == len(workload)
    assert (result.requests["outcome"] == lc.Outcome.THROTTLED).sum() == answered - sum(
        f["invocations"] for f in summary["functions"]
    )


@pytest.mark.parametrize("name", ["small", "small_async"])
def test_text_report_equals_json(capsys, request, name):
    path = request.getfixturevalue(name)
    assert main(["run", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    rows = parse_table(out)
    summary = run_json(capsys, str(path))
    # The "async dropped" column and the destinations line only when there are events.
    keys = [key for key, _ in COUNTS]
    if name == "small_async":
        keys += [key for key, _ in ASYNC_COUNTS]
    else:
        assert "async dropped" not in out and "destinations:" not in out
        assert summary["destinations"] == {}
        assert summary["total"]["async_events_received"] == 0
    for f in summary["functions"]:
        assert rows[f["function"]] == {k: f[k] for k in keys}
    assert rows["total"] == {k: summary["total"][k] for k in keys if k != "max_concurrency"}
    line = next((x for x in out.splitlines() if x.startswith("destinations:")), None)
    if summary["destinations"]:
        assert line == "destinations: " + ", ".join(
            f"{t} {n:,} record{'s' * (n != 1)}" for t, n in summary["destinations"].items()
        )


@pytest.mark.parametrize("until", [None, 12.5])
@pytest.mark.parametrize("name", ["small", "small_async"])
def test_stepped_run_equals_run(request, name, until):
    scenario = load_scenario(request.getfixturevalue(name))
    workload = scenario.generate()
    direct = scenario.simulator().run(workload, until=until)
    seen = []
    sim = scenario.simulator()
    stepped = simulate(sim, workload, until, steps=23, on_step=seen.append)
    assert len(seen) == 23 and seen == sorted(seen)
    assert seen[-1] == (until if until is not None else workload.time[-1])
    for key in direct.functions:
        np.testing.assert_array_equal(stepped.functions[key], direct.functions[key], err_msg=key)
    assert stepped.account == direct.account
    assert stepped.horizon == direct.horizon
    # requests=False keeps no destination records, but the counts are the records run() kept
    assert all(len(log["request"]) == 0 for log in stepped.destinations.values())
    assert sim.destination_counts() == {
        t: len(log["request"]) for t, log in direct.destinations.items()
    }


def test_until_and_seed_options(capsys, small):
    summary = run_json(capsys, str(small), "--until", "12.5", "--seed", "3")
    workload, result = direct_result(small, seed=3, until=12.5)
    assert summary["seed"] == summary["run"]["seed"] == 3
    assert summary["until"] == 12.5 and summary["run"]["horizon_s"] == 12.5
    assert [f["invocations"] for f in summary["functions"]] == result.functions[
        "invocations"
    ].tolist()
    # Requests that arrive after `until` are neither invoked nor throttled.
    arrived = int((workload.time <= 12.5).sum())
    answered = sum(
        f["invocations"] + f["throttles_reserved"] + f["throttles_unreserved"]
        for f in summary["functions"]
    )
    assert 0 < answered <= arrived < len(workload)


def test_progress_bar_only_on_a_tty(capsys, monkeypatch, small):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    def run(*extra: str) -> tuple[dict, str]:
        err = Tty()
        monkeypatch.setattr(sys, "stderr", err)
        assert main(["run", str(small), "--json", *extra]) == 0
        return json.loads(capsys.readouterr().out), err.getvalue()

    with_bar, drawn = run()
    assert "simulating [" in drawn and "100%" in drawn
    assert drawn.endswith("\r")  # erased at the end
    quiet, nothing = run("--quiet")
    assert nothing == ""
    assert deterministic(with_bar) == deterministic(quiet)


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


# ---------------------------------------------------------------------------------------------
# Determinism of generation
# ---------------------------------------------------------------------------------------------


def test_same_seed_same_output_different_seed_different_workload(capsys, small):
    first = run_json(capsys, str(small))
    again = run_json(capsys, str(small))
    assert deterministic(first) == deterministic(again)
    other = run_json(capsys, str(small), "--seed", "8")
    assert other["functions"] != first["functions"]

    scenario = load_scenario(small)
    a, b, c = scenario.generate(), scenario.generate(7), scenario.generate(8)
    for column in ("time", "function", "duration", "failures"):
        np.testing.assert_array_equal(getattr(a, column), getattr(b, column))
    assert len(a) != len(c) or not np.array_equal(a.time, c.time)


def test_generation_follows_the_documented_streams(small):
    """Function i draws from PCG64(SeedSequence(seed).spawn(n)[i]): Poisson count, uniform
    times, then durations, then failures."""
    scenario = load_scenario(small)
    workload = scenario.generate()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7).spawn(3)[0]))
    n = rng.poisson(40 * 30)
    time = np.sort(30 * rng.random(n))
    duration = rng.lognormal(np.log(0.1), 0.5, n)
    failures = (rng.random(n) < 0.05).astype(np.int64)
    mine = workload.function == 0
    np.testing.assert_array_equal(workload.time[mine], time)
    np.testing.assert_array_equal(workload.duration[mine], duration)
    np.testing.assert_array_equal(workload.failures[mine], failures)
    assert np.all(np.diff(workload.time) >= 0)

    # The bursts: 300 spread over [10, 12), 50 exactly at 20, all fixed 0.3 s.
    burst = workload.function == 1
    fixed = workload.duration[burst] == 0.3
    times = workload.time[burst][fixed]
    assert ((times >= 10) & (times < 12)).sum() >= 300
    assert (times == 20).sum() == 50


def test_a_function_stream_does_not_depend_on_other_functions(small):
    before = load_scenario(small).generate()
    changed = parse_scenario(SMALL.replace("rate_per_s = 20", "rate_per_s = 35"))
    after = changed.generate()
    for f in (0, 1):
        np.testing.assert_array_equal(before.time[before.function == f],
                                      after.time[after.function == f])
    assert (after.function == 2).sum() > (before.function == 2).sum()


# ---------------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------------


def test_validate_good_file(capsys, small):
    assert main(["validate", str(small)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out
    assert "ConcurrentExecutions 20" in out and "UnreservedConcurrentExecutions 15" in out
    for name in ("capped", "burst", "steady"):
        assert name in out


def test_validate_reservations_below_minimum(capsys, tmp_path):
    functions = "".join(
        f'[[functions]]\nname = "f{i}"\nreserved_concurrency = {rc}\n'
        for i, rc in enumerate([600, 250, 100])
    )
    path = write(tmp_path, "[account]\nconcurrency_limit = 1000\n" + functions)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"InvalidParameterValueException: {RC_MIN_100}\n"
    assert main(["run", str(path), "--quiet"]) == 1
    assert capsys.readouterr().err == f"InvalidParameterValueException: {RC_MIN_100}\n"


def test_validate_memory_size(capsys, tmp_path):
    path = write(tmp_path, '[[functions]]\nname = "api"\nmemory_mb = 64\n')
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"ValidationException: {MEMORY_64}"
    assert "'api'" in err[1]


def test_validate_duplicate_name(capsys, tmp_path):
    path = write(tmp_path, '[[functions]]\nname = "a"\n[[functions]]\nname = "a"\n')
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().err == "ResourceConflictException: Function already exist: a\n"


@pytest.mark.parametrize(
    ("text", "key", "table"),
    [
        ('sede = 1\n[[functions]]\nname = "a"\n', "sede", "the top level"),
        ('[account]\nconcurency_limit = 10\n[[functions]]\nname = "a"\n',
         "concurency_limit", "[account]"),
        ('[[functions]]\nname = "a"\nmemry_mb = 256\n', "memry_mb", "[[functions]] #1 ('a')"),
        ('[[functions]]\nname = "a"\n[functions.workload]\narrivals = "poisson"\nrate = 1\n',
         "rate", "[functions.workload] of function 'a'"),
        ('[[functions]]\nname = "a"\n[functions.workload]\narrivals = "poisson"\n'
         'rate_per_s = 1\nend_s = 2\nduration = {dist = "exponential", mean = 1}\n',
         "mean", "'duration' of [functions.workload] of function 'a'"),
        ('[[functions]]\nname = "a"\n[[functions.workload]]\narrivals = "bursty"\n'
         'bursts = [{at_s = 1, count = 2, over = 3}]\nduration = {dist = "fixed", s = 1}\n',
         "over", "bursts[0] of [[functions.workload]] #1 of function 'a'"),
    ],
)
def test_unknown_keys_are_errors(capsys, tmp_path, text, key, table):
    path = write(tmp_path, text)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: unknown key '{key}' in {table}")
    assert "Traceback" not in err
    with pytest.raises(ScenarioError, match=f"unknown key '{key}'"):
        load_scenario(path)


def test_unknown_key_suggests_the_right_one(tmp_path):
    path = write(tmp_path, '[[functions]]\nname = "a"\nmemry_mb = 256\n')
    with pytest.raises(ScenarioError, match="did you mean 'memory_mb'"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("workload", "message"),
    [
        ('arrivals = "poisson"\nrate_per_s = 1\nduration = {dist = "fixed", s = 1}',
         "missing key 'end_s'"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 5',
         "missing key 'duration'"),
        ('arrivals = "poisson"\nend_s = 5\nduration = {dist = "fixed", s = 1}',
         "missing key 'rate_per_s'"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 5\nbursts = []\n'
         'duration = {dist = "fixed", s = 1}', "'bursts' in .* needs arrivals = \"bursty\""),
        ('arrivals = "uniform"', "'arrivals' .* must be \"poisson\" or \"bursty\""),
        ('arrivals = "poisson"\nrate_per_s = 1\nstart_s = 5\nend_s = 2\n'
         'duration = {dist = "fixed", s = 1}', "'end_s' \\(2\\) .* is before 'start_s' \\(5\\)"),
        ('arrivals = "poisson"\nrate_per_s = -1\nend_s = 2\nduration = {dist = "fixed", s = 1}',
         "'rate_per_s' .* must be at least 0"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 2\nfailure_rate = 1.5\n'
         'duration = {dist = "fixed", s = 1}', "'failure_rate' .* must be at most 1"),
        ('arrivals = "poisson"\nrate_per_s = "fast"\nend_s = 2\n'
         'duration = {dist = "fixed", s = 1}', "'rate_per_s' .* must be a number"),
        ('arrivals = "poisson"\nrate_per_s = 1\nend_s = 2\nduration = {dist = "gamma"}',
         "'dist' .* must be one of"),
        ('arrivals = "bursty"\nbursts = [{at_s = 1, count = 2.5}]\n'
         'duration = {dist = "fixed", s = 1}', "'count' .* must be an integer"),
    ],
)
def test_bad_workload_values(tmp_path, workload, message):
    path = write(tmp_path, f'[[functions]]\nname = "a"\n[functions.workload]\n{workload}\n')
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_wrong_types_and_missing_parts(capsys, tmp_path):
    cases = {
        '[[functions]]\nname = "a"\nmemory_mb = 256.0\n': "Function.memory_mb must be an int",
        'seed = -1\n[[functions]]\nname = "a"\n': "'seed' in the top level must be at least 0",
        'routing = "random"\n[[functions]]\nname = "a"\n': "'routing'",
        'seed = 1\n': "missing [[functions]]",
        '[[functions]]\nmemory_mb = 256\n': "missing key 'name'",
        '[account]\nscaling = "fast"\n[[functions]]\nname = "a"\n': "Account.scaling",
    }
    for text, message in cases.items():
        path = write(tmp_path, text)
        assert main(["validate", str(path)]) == 1, text
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (text, err)


def test_toml_syntax_error(capsys, tmp_path):
    path = write(tmp_path, '[[functions]\nname = "a"\n')
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: TOML syntax error:") and "line 1" in err
    assert main(["run", str(path)]) == 1
    assert "TOML syntax error" in capsys.readouterr().err


def test_missing_file(capsys, tmp_path):
    assert main(["validate", str(tmp_path / "nope.toml")]) == 1
    assert "cannot read scenario file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [[], ["frobnicate"], ["run", "--seed", "abc"], ["run", "--seed", "-1"],
     ["run", "--until", "0"], ["validate"], ["run", "--bogus"]],
)
def test_usage_errors_exit_2(capsys, argv):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lambda-core {lc.__version__}"


# ---------------------------------------------------------------------------------------------
# The example file
# ---------------------------------------------------------------------------------------------


def test_example_validates_and_runs(capsys):
    assert main(["validate", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "ConcurrentExecutions 400" in out and "UnreservedConcurrentExecutions 300" in out
    assert "client retries: synchronous callers retry throttles, at most 3 attempts" in out
    assert ("destinations: on_success resized, on_failure resizer-failures, "
            "dead_letter_queue resizer-dlq") in out
    assert "trigger s3 (Amazon S3, Event)" in out

    summary = run_json(capsys, str(EXAMPLE))
    scenario = load_scenario(EXAMPLE)
    workload = scenario.generate()
    result = scenario.simulator().run(workload, until=scenario.until, records=scenario.generate_records())
    assert summary["run"]["invocations_simulated"] == len(workload)
    # the example's stream and queue: the same figures as a direct run
    assert [m["source"] for m in summary["mappings"]] == ["clicks", "jobs"]
    for m in summary["mappings"]:
        assert m["invocations"] == result.mappings[m["source"]]["invocations"] > 0
    assert result.mappings["clicks"]["max_concurrency"] == 8  # one batch per shard
    assert [f["invocations"] for f in summary["functions"]] == result.functions[
        "invocations"
    ].tolist()
    assert summary["total"]["throttles_reserved"] > 0
    assert summary["total"]["throttles_unreserved"] > 0

    # resizer gets S3 events with every destination set; until = 900 s: the counts are the
    # records sent before then, the same as run() keeps.
    assert summary["destinations"] == {
        t: len(log["request"]) for t, log in result.destinations.items()
    }
    resizer = summary["functions"][2]
    assert resizer["function"] == "resizer"
    assert resizer["async_events_received"] == (workload.function == 2).sum()
    dropped = resizer["async_events_dropped"]
    assert dropped > 0
    assert summary["destinations"]["resizer-dlq"] == summary["destinations"]["resizer-failures"] == dropped
    assert summary["destinations"]["resized"] == (result.requests["outcome"] == lc.Outcome.SUCCESS)[
        workload.function == 2
    ].sum()
    assert scenario.client_retries == lc.RetryPolicy.standard()


# ---------------------------------------------------------------------------------------------
# The installed script
# ---------------------------------------------------------------------------------------------


def script() -> list[str]:
    found = shutil.which("lambda-core")
    if found is None:
        pytest.skip("the lambda-core script is not installed (pip install -e .)")
    return [found]


def test_installed_script(small):
    run = subprocess.run(
        [*script(), "run", str(small), "--json"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # not a TTY: no progress bar
    summary = json.loads(run.stdout)
    workload, result = direct_result(small)
    assert summary["run"]["invocations_simulated"] == len(workload)
    assert [f["throttles_reserved"] for f in summary["functions"]] == result.functions[
        "throttles_reserved"
    ].tolist()

    bad = small.with_name("bad.toml")
    bad.write_text('[[functions]]\nname = "a"\nreserved_concurrency = 950\n')
    run = subprocess.run([*script(), "validate", str(bad)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1
    assert run.stderr == f"InvalidParameterValueException: {RC_MIN_100}\n"

    run = subprocess.run([*script(), "run", "--nope"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2


def test_python_dash_m(small):
    run = subprocess.run([sys.executable, "-m", "lambda_core", "validate", str(EXAMPLE)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "UnreservedConcurrentExecutions 300" in run.stdout

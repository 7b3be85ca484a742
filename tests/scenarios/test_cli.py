"""The command line (lambda_core._cli) running scenario files: the built-in scenario, a small
scenario whose figures are Simulator.run's, the determinism of generation, the example file and
the installed ``lambda-core`` script (most tests call ``main([...])`` in-process)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._cli import main, simulate
from lambda_core._report import ASYNC_COUNTS, COUNTS
from lambda_core.scenarios import (
    builtin_scenario,
    load_scenario,
    parse_scenario,
)
from tests.scenarios.cases import (
    EXAMPLE,
    RC_MIN_100,
    SMALL,
    deterministic,
    direct_result,
    parse_mapping_table,
    parse_table,
    requests_per_function,
    run_json,
)


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
    # small_async sets every destination: the line must be checked there, not skipped when the
    # summary happens to have none
    assert bool(summary["destinations"]) == (name == "small_async")
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

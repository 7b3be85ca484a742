"""Event sources in scenario files: the generation of records, what ``lambda-core run`` computes
(Simulator.run's figures) and what ``run`` and ``validate`` print for them."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._cli import main, simulate
from lambda_core._report import MAPPING_COUNTS, format_run, summarize
from lambda_core.scenarios import (
    builtin_scenario,
    load_scenario,
    parse_scenario,
)
from tests.scenarios.cases import run_json, write
from tests.scenarios.source_cases import BASE, MAPPING, QUEUES, STREAM, STREAMS, hand_built


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

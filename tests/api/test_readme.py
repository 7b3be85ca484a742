"""The README's examples run and say what they claim."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_api_example_runs():
    scope: dict = {}
    exec(compile(_blocks()[0], str(README), "exec"), scope)
    sim, result = scope["sim"], scope["result"]
    assert sim.account_settings() == {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 700}
    assert len(result.requests["outcome"]) == 1_000_000
    assert result.account["max_unreserved_concurrency"] <= 700
    assert result.function("orders")["max_concurrency"] <= 200


def test_readme_async_example_shows_its_numbers():
    scope: dict = {}
    for block in _blocks()[:2]:
        exec(compile(block, str(README), "exec"), scope)
    lc, result, dlq = scope["lc"], scope["result"], scope["dlq"]
    # the figures quoted in the README's comments
    assert len(dlq["request"]) == 18603
    assert result.function("thumbnails")["throttles"] == 194859
    assert lc.Outcome(dlq["condition"][0]).condition == "EventAgeExceeded"
    assert np.nanmax(result.requests["event_age"]) == 511.0


def test_readme_stream_and_queue_example_shows_its_numbers():
    scope: dict = {}
    for block in _blocks()[:3]:
        exec(compile(block, str(README), "exec"), scope)
    stream, queue, result = scope["stream"], scope["queue"], scope["result"]
    assert stream["max_concurrency"] == 10
    assert stream["throttles"] == 17349
    assert stream["max_iterator_age"] == 511.413285
    assert scope["failed"] == [1000]
    assert queue["max_slots"] == 631 and result.horizon == 304.9
    assert queue["records_failed"] == 1990


def test_readme_metrics_example_shows_its_numbers(monkeypatch):
    import pytest

    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    scope: dict = {}
    exec(compile(_blocks()[3], str(README), "exec"), scope)
    m, result, bill = scope["m"], scope["result"], scope["bill"]
    orders = m.function("orders")
    # the burst of minute 3 hits the reservation: the exact peak is the reservation, and it
    # throttles, mostly for the request rate (10 × 100 per second); the last second of the
    # burst is still in the rate window when minute 4 opens
    assert orders["ConcurrentExecutions"][3] == 100 == result.function("orders")["max_concurrency"]
    assert orders["Throttles"].nonzero()[0].tolist() == [3, 4]
    assert orders["ThrottlesReservedRate"][3] > 100 * orders["ThrottlesReserved"][3] > 0
    assert orders["Throttles"][4] == orders["ThrottlesReservedRate"][4]
    assert orders["Throttles"].sum() == result.function("orders")["throttles"]
    assert 0 < bill.total == bill.function("orders")["total"]


def test_readme_replay_example_shows_its_numbers(monkeypatch):
    monkeypatch.chdir(README.parent)  # the example's paths are the repository's
    scope: dict = {}
    exec(compile(_blocks()[4], str(README), "exec"), scope)
    c = scope["c"]
    assert (c.total["cold_starts"], c.total["sim_cold_starts"]) == (37, 54)
    assert scope["tr"].window(0, 3600).scale(rate=2.0).span_s <= 1800


def test_readme_capacity_example_shows_its_numbers(monkeypatch):
    import os

    monkeypatch.chdir(README.parent)  # the example loads examples/shop.toml
    block = next(b for b in _blocks() if "lc.sweep(" in b)
    scope: dict = {}
    exec(compile(block, str(README), "exec"), scope)
    table, at_2x, plan = scope["table"], scope["at_2x"], scope["plan"]
    assert len(table) == 11 * 3 and set(table["runs"]) == {5}
    rates = at_2x["orders.throttle_rate"].to_numpy()
    assert (np.diff(rates) <= 0).all() and rates[0] > 0.1 and rates[-1] == 0
    assert plan.settings == {"orders": {"reserved_concurrency": 221, "provisioned_concurrency": 99}}
    assert plan.feasible
    costs = plan.table.set_index(["orders.reserved_concurrency", "orders.provisioned_concurrency"])["cost"]
    assert round(costs[221, 0], 2) == 1.82 and round(costs[221, 99], 2) == 1.61
    assert os.path.exists("docs/images/sweep.png")


def test_readme_vpc_and_rate_example_shows_its_numbers():
    block = next(b for b in _blocks() if "VpcConfig" in b)
    scope: dict = {}
    exec(compile(block, str(README), "exec"), scope)
    f = scope["r"].functions
    assert list(f["conflicts_pending"]) == [180, 180, 0, 0]
    assert list(f["timeouts"]) == [0, 0, 600, 0]
    assert list(f["throttles_reserved_rate"]) == [0, 0, 0, 1500]
    assert list(f["invocations"])[3] == 500  # 50 a second for 10 s


def test_readme_autoscaling_example_shows_its_numbers():
    block = next(b for b in _blocks() if "sim.autoscale(" in b)
    scope: dict = {}
    exec(compile(block, str(README), "exec"), scope)
    sim = scope["sim"]
    assert [(a.time, a.old, a.new) for a in sim.scaling_activities][:2] == [(180.0, 10, 15), (300.0, 15, 22)]


def test_readme_simpy_and_gym_example_shows_its_numbers():
    block = next(b for b in _blocks() if "lc.simpy.Platform" in b)
    scope: dict = {}
    exec(compile(block, str(README), "exec"), scope)
    assert scope["seen"] == [(0.0, "THROTTLED"), (0.6, "SUCCESS")]
    assert scope["observation"] in scope["envg"].observation_space
    baseline = scope["baseline"]
    assert baseline.steps == 2 * 60 and baseline.throttles == 0 and baseline.cost > 0

"""Lambda inside a SimPy model (``lc.simpy.Platform``, docs/simpy.md), with real SimPy: each
outcome arrives at the SimPy time the simulator resolves it, with the outcome, end and order a
batch run of the same requests gives; the clocks stay in step; a SimPy run ends when its
processes do; refusals raise where they are yielded; changes while running still apply."""

from __future__ import annotations

import math
import random
import runpy
from collections.abc import Generator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

import lambda_core as lc
from lambda_core import _core
from lambda_core.simpy import Invocation, InvokeRefused, Platform
from tests.support.profiles import examples

ROOT = Path(__file__).resolve().parents[2]
Proc = Generator[simpy.Event, Any, None]


def _batch(functions: list[lc.Function], rows: list[tuple[float, int, float, int, int]],
           account: lc.Account | None = None, seed: int = 0) -> dict[str, list[Any]]:
    """The batch path: the same requests, as one workload, through a fresh simulator."""
    sim = lc.Simulator(account or lc.Account(), functions, seed=seed)
    w = lc.Workload([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                    invocation_type=[r[3] for r in rows], failures=[r[4] for r in rows])
    return {k: v.tolist() for k, v in sim.run(w).requests.items()}


# -- one client -----------------------------------------------------------------------------------


def test_one_client_gets_its_outcome_at_its_end_with_the_batch_runs_latency() -> None:
    functions = [lc.Function("orders", reserved_concurrency=10, init_s=0.4)]
    sim = lc.Simulator(lc.Account(), functions)
    env = simpy.Environment()
    platform = Platform(env, sim)
    got: list[tuple[float, float, Invocation]] = []

    def client() -> Proc:
        yield env.timeout(0.25)
        event = platform.invoke("orders", 0.2)
        assert platform.pending == 1
        inv = yield event
        got.append((env.now, sim.now, inv))

    env.process(client())
    env.run()
    [(now, sim_now, inv)] = got
    batch = _batch(functions, [(0.25, 0, 0.2, 0, 0)])
    assert batch["cold_starts"] == [1]
    assert now == sim_now == inv.end == batch["end"][0] == 0.85
    assert inv.enqueued == batch["enqueued"][0] == 0.25
    assert inv.latency == pytest.approx(0.4 + 0.2)  # the cold start, then the handler
    assert inv.outcome is lc.Outcome.SUCCESS and int(inv.outcome) == batch["outcome"][0]
    assert (inv.request, inv.function, inv.invocation_type) == (0, "orders", lc.InvocationType.REQUEST_RESPONSE)
    assert inv.ok and not inv.throttled and not inv.refused
    assert platform.pending == 0


def test_a_simulator_advanced_before_the_platform_sets_the_clock() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("a")])
    sim.advance(100.0)
    env = simpy.Environment()
    platform = Platform(env, sim)
    got = []

    def client() -> Proc:
        inv = yield platform.invoke("a", 0.2)
        got.append((env.now, inv.enqueued, inv.end))

    env.process(client())
    env.run()
    assert got == [(100.7, 100.0, 100.7)]


def test_outcomes_arrive_at_their_ends_exactly_whatever_simpys_float_clock() -> None:
    # a client's clock is a sum of float gaps, off the microsecond grid; `now + (end - now)`
    # misses a grid `end` by an ulp in a few percent of cases, which the platform corrects
    rng = random.Random(1)
    sim = lc.Simulator(lc.Account(), [lc.Function("a", init_s=0.0, timeout_s=10)])
    env = simpy.Environment()
    platform = Platform(env, sim)
    seen = []

    def client() -> Proc:
        for _ in range(3000):
            yield env.timeout(rng.uniform(0.0, 0.01))
            inv = yield platform.invoke("a", rng.randrange(1, 3_000_000) / 1e6)
            assert sim.now <= env.now
            seen.append((env.now, inv.end))

    env.process(client())
    env.run()
    assert len(seen) == 3000 and all(now == end for now, end in seen)


@pytest.mark.parametrize(("start", "duration_us"), [(0.9186782, 4885250), (0.7108663, 2529404),
                                                    (0.0384114, 172431), (0.3096253, 5492160)])
def test_an_end_no_single_delay_reaches_is_still_reached_exactly(start: float, duration_us: int) -> None:
    # SimPy's clock at `start`, a fraction of a microsecond past the grid point the arrival is
    # rounded to; from `start`, no float delay gives the end (the sum's rounding steps over it)
    sim = lc.Simulator(lc.Account(), [lc.Function("a", init_s=0.0, timeout_s=10)])
    env = simpy.Environment(initial_time=start)
    platform = Platform(env, sim)
    arrival_us = _core.to_micros(start)
    end = (arrival_us + duration_us) / 1e6
    assert all(start + d != end for d in (end - start, math.nextafter(end - start, math.inf),
                                          math.nextafter(end - start, -math.inf)))
    got = []

    def client() -> Proc:
        inv = yield platform.invoke("a", duration_us / 1e6)
        got.append((env.now, inv.enqueued, inv.end))

    env.process(client())
    env.run()
    assert got == [(end, arrival_us / 1e6, end)]


def test_the_engine_takes_an_instant_after_the_simpy_events_then() -> None:
    # an observer whose event at 0.75 s is scheduled after the platform's wake-up for the
    # request's end (0.75 s): it still runs first, and sees the simulator before that instant
    sim = lc.Simulator(lc.Account(), [lc.Function("a")])
    env = simpy.Environment()
    platform = Platform(env, sim)
    log = []

    def client() -> Proc:
        inv = yield platform.invoke("a", 0.25)  # 0.5 s cold, 0.25 s handler
        log.append(("client", env.now, sim.now, inv.end))

    def observer() -> Proc:
        yield env.timeout(0.25)  # after the arrival instant armed the wake-up for 0.75 s
        yield env.timeout(0.5)
        log.append(("observer", env.now, sim.now, platform.pending))

    env.process(client())
    env.process(observer())
    env.run()
    assert log == [("observer", 0.75, 0.0, 1), ("client", 0.75, 0.75, 0.75)]


# -- many clients: the differential property ------------------------------------------------------

_NAMES = ["a", "b"]


def _functions() -> list[lc.Function]:
    return [lc.Function("a", reserved_concurrency=2, init_s=0.2, idle_timeout_s=1.0, timeout_s=1),
            lc.Function("b", init_s=0.0, max_event_age_s=60)]


def _account() -> lc.Account:
    return lc.Account(concurrency_limit=3, unreserved_min=1, scaling_burst=2, scaling_refill_per_s=1.0)


# gaps that put arrivals in one instant (0), in one microsecond at different SimPy times
# (1e-7 ...), and at times with float noise (0.1 + 0.1 + ...)
_GAPS = [0.0, 0.0, 1e-7, 4e-7, 6e-7, 1e-6, 0.001, 0.05, 0.1, 0.3, 0.7, 1.0, 2.5]


@st.composite
def _clients(draw: st.DrawFn) -> list[list[tuple[float, int, float, int, int, bool]]]:
    """Clients, each a list of (gap, function, duration, invocation type, failures, waits)."""
    n = draw(st.integers(1, 5))
    return [draw(st.lists(st.tuples(st.sampled_from(_GAPS), st.integers(0, 1),
                                    st.sampled_from([0.0, 0.01, 0.4, 1.5]), st.integers(0, 1),
                                    st.integers(0, 2), st.booleans()), max_size=12))
            for _ in range(n)]


@settings(max_examples=examples(40), deadline=None)
@given(_clients())
def test_simpy_clients_get_what_the_same_requests_get_submitted_directly(clients: list[list[Any]]) -> None:
    sim = lc.Simulator(_account(), _functions())
    env = simpy.Environment()
    platform = Platform(env, sim)
    invoked: dict[int, tuple[float, int, float, int, int]] = {}  # request -> its row, as invoked
    delivered: dict[int, tuple[float, Invocation]] = {}  # request -> (SimPy time, outcome)
    order: list[int] = []  # requests in the order their events were processed

    def on_outcome(event: simpy.Event) -> None:
        inv = event.value
        assert sim.now <= env.now  # SimPy's clock never behind the simulator's
        delivered[inv.request] = (env.now, inv)
        order.append(inv.request)

    def client(rows: list[tuple[float, int, float, int, int, bool]]) -> Proc:
        for gap, f, duration, kind, failures, waits in rows:
            if gap:
                yield env.timeout(gap)
            assert sim.now <= env.now
            t = env.now
            event = platform.invoke(_NAMES[f], duration, lc.InvocationType(kind), failures=failures)
            event.callbacks.append(on_outcome)
            request = len(invoked)
            invoked[request] = (t, f, duration, kind, failures)
            if waits:
                inv = yield event
                assert inv.request == request and sim.now <= env.now
                assert (env.now, inv) == delivered[request]

    for rows in clients:
        env.process(client(rows))
    env.run()
    assert platform.pending == 0 and len(delivered) == len(invoked)

    rows = [invoked[r] for r in range(len(invoked))]  # by request id: the order they were invoked
    batch = _batch(_functions(), rows, _account())
    assert [int(delivered[r][1].outcome) for r in range(len(rows))] == batch["outcome"]
    assert [delivered[r][1].end for r in range(len(rows))] == batch["end"]
    assert [delivered[r][1].enqueued for r in range(len(rows))] == batch["enqueued"]
    for request, (now, inv) in delivered.items():
        assert inv.function == _NAMES[rows[request][1]] and int(inv.invocation_type) == rows[request][3]
        # at the end exactly; only a SimPy time a fraction of a microsecond past the grid point
        # its arrival was rounded down to is later than its end (a throttle at arrival)
        assert now == inv.end or (now > inv.end and _core.to_micros(now) == _core.to_micros(inv.end)), (now, inv)
    # delivered in time order, and in the engine's order: the order a simulator stepping
    # through the same requests resolves them
    assert [delivered[r][1].end for r in order] == sorted(delivered[r][1].end for r in order)
    direct = lc.Simulator(_account(), _functions())
    for t, f, duration, kind, failures in rows:
        direct.invoke(t, _NAMES[f], duration, lc.InvocationType(kind), failures=failures)
    stepped = [request for step in iter(direct.step, None) for request, _, _ in step[1]]
    assert order == stepped


# -- concurrency and refusals ---------------------------------------------------------------------


def _simultaneous(n: int, k: int, raise_on_refusal: bool) -> list[tuple[int, float, Any]]:
    sim = lc.Simulator(lc.Account(), [lc.Function("api", reserved_concurrency=n)])
    env = simpy.Environment()
    platform = Platform(env, sim, raise_on_refusal=raise_on_refusal)
    got: list[tuple[int, float, Any]] = []

    def client(i: int) -> Proc:
        yield env.timeout(1.0)
        try:
            inv = yield platform.invoke("api", 0.3)
            got.append((i, env.now, inv))
        except InvokeRefused as e:
            got.append((i, env.now, e))

    for i in range(n + k):
        env.process(client(i))
    env.run()
    return sorted(got, key=lambda g: g[0])


@pytest.mark.parametrize(("n", "k"), [(5, 3), (1, 1), (10, 0)])
def test_n_reserved_and_n_plus_k_at_once_throttle_exactly_k(n: int, k: int) -> None:
    got = _simultaneous(n, k, raise_on_refusal=False)
    throttled = [i for i, _, inv in got if inv.throttled]
    assert throttled == list(range(n, n + k))  # the last k to arrive
    for i, now, inv in got:
        assert inv.refused == inv.throttled and (inv.outcome is lc.Outcome.THROTTLED) == inv.throttled
        assert now == inv.end == (1.0 if inv.throttled else 1.8)  # at arrival; else 0.5 s cold + 0.3 s
        assert inv.outcome.aws_error == ("TooManyRequestsException" if inv.throttled else "")


def test_raise_on_refusal_raises_too_many_requests_in_the_process() -> None:
    got = _simultaneous(5, 3, raise_on_refusal=True)
    refused = [(i, now, e) for i, now, e in got if isinstance(e, InvokeRefused)]
    assert [i for i, _, _ in refused] == [5, 6, 7]
    for i, now, e in refused:
        assert e.aws_error == "TooManyRequestsException" and e.invocation.throttled
        assert now == e.invocation.end == 1.0 and e.invocation.request == i
        assert str(e) == f"TooManyRequestsException: Rate Exceeded. (request {i} of 'api' at 1 s)"
    assert all(isinstance(v, Invocation) and v.ok for _, _, v in got[:5])


def test_a_refused_event_nobody_waits_for_fails_the_run_with_invoke_refused() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("thumbs")])
    env = simpy.Environment()
    platform = Platform(env, sim, raise_on_refusal=True)

    def uploader() -> Proc:
        yield env.timeout(2.0)
        platform.invoke("thumbs", 0.1, lc.Trigger.S3, payload_bytes=2**20 + 1)  # not yielded

    env.process(uploader())
    with pytest.raises(InvokeRefused) as info:  # SimPy re-raises a copy: it must be one again
        env.run()
    assert info.value.aws_error == "RequestEntityTooLargeException"
    assert info.value.invocation.outcome is lc.Outcome.REQUEST_TOO_LARGE
    assert info.value.invocation.invocation_type is lc.InvocationType.EVENT and env.now == 2.0


# -- clients that retry, asynchronous events, the end of a run -----------------------------------


def test_a_client_retrying_with_backoff_succeeds_with_the_clocks_in_step() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("one", reserved_concurrency=1, init_s=0.5)])
    env = simpy.Environment()
    platform = Platform(env, sim, raise_on_refusal=True)
    attempts: list[float] = []
    done: list[Invocation] = []

    def hog() -> Proc:
        inv = yield platform.invoke("one", 2.0)  # 0 to 2.5 s: the one environment
        assert env.now == sim.now == inv.end == 2.5

    def retrier() -> Proc:
        yield env.timeout(0.1)
        backoff = 0.1
        while True:
            assert env.now >= sim.now
            attempts.append(env.now)
            try:
                inv = yield platform.invoke("one", 0.3)
            except InvokeRefused as e:
                assert e.aws_error == "TooManyRequestsException"
                assert env.now >= sim.now and _core.to_micros(env.now) == _core.to_micros(sim.now)
                yield env.timeout(backoff)
                backoff *= 2
                continue
            assert env.now == sim.now == inv.end
            done.append(inv)
            return

    env.process(hog())
    env.process(retrier())
    env.run()
    # throttled at 0.1, 0.2, 0.4, 0.8 and 1.6 s; at 3.2 s the environment is free and warm
    assert [round(t, 6) for t in attempts] == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2]
    [inv] = done
    assert (inv.enqueued, inv.end, inv.request) == (3.2, 3.5, 6)
    assert sim.stats().functions["throttles"].tolist() == [5]


def test_an_asynchronous_invocation_resolves_when_its_event_is_done() -> None:
    functions = [lc.Function("jobs", reserved_concurrency=5)]
    sim = lc.Simulator(lc.Account(), functions)
    env = simpy.Environment()
    platform = Platform(env, sim)
    got = []

    def producer() -> Proc:
        event = platform.invoke("jobs", 0.2, lc.InvocationType.EVENT, failures=1)
        platform.invoke("jobs", 0.2, lc.Trigger.SNS)  # not waited for
        inv = yield event
        got.append((env.now, inv))

    env.process(producer())
    env.run()
    [(now, inv)] = got
    batch = _batch(functions, [(0.0, 0, 0.2, 1, 1), (0.0, 0, 0.2, 1, 0)])
    # the first attempt fails at 0.7 s; the retry 60 s later succeeds on the warm environment
    assert now == inv.end == batch["end"][0] == 60.9 and inv.ok
    assert inv.invocation_type is lc.InvocationType.EVENT and int(inv.outcome) == batch["outcome"][0]
    assert platform.pending == 0 and env.now == 60.9


def test_a_run_without_until_ends_when_the_processes_do() -> None:
    # the simulator has instants of its own that nothing in the model waits for (an SQS
    # message at 1000 s, and an autoscaler's minutes up to it): the platform takes them while
    # its requests wait, and schedules nothing once none does
    sim = lc.Simulator(lc.Account(), [lc.Function("api", provisioned_concurrency=2, timeout_s=60),
                                      lc.Function("worker")],
                       mappings=[lc.EventSourceMapping(lc.SqsQueue("jobs"), "worker")])
    sim.autoscale("api", min=2, max=20, target=0.7)
    sim.submit_records(lc.Records("jobs", time=[1000.0]))
    env = simpy.Environment()
    platform = Platform(env, sim)
    ends = []

    def client() -> Proc:
        for _ in range(50):
            inv = yield platform.invoke("api", 1.0)
            assert env.now == inv.end == sim.now
            ends.append(inv.end)
            yield env.timeout(4.0)

    env.process(client())
    env.run()  # returns
    assert len(ends) == 50 and env.peek() == math.inf and platform.pending == 0
    assert env.now == ends[-1] + 4.0 == 50 * 5.0
    # the engine's instants go on for ever (the autoscaler's minutes until the message, then
    # the message): nobody in the model needs them
    assert sim.now == ends[-1] == 246.0 and sim.peek_time() == 300.0


def test_a_simpy_resource_and_lambda_compose() -> None:
    # three requests at once: `auth` (cold, 0.5 + 0.1 s), then the one database connection for
    # a 1-s query each in turn, then `orders`: cold for the first, warm for the next two
    sim = lc.Simulator(lc.Account(), [lc.Function("auth"), lc.Function("orders")])
    env = simpy.Environment()
    platform = Platform(env, sim)
    database = simpy.Resource(env, capacity=1)
    got: dict[int, list[float]] = {}

    def request(i: int) -> Proc:
        auth = yield platform.invoke("auth", 0.1)
        with database.request() as connection:
            yield connection
            began = env.now
            yield env.timeout(1.0)
        orders = yield platform.invoke("orders", 0.2)
        got[i] = [round(x, 6) for x in (auth.end, began, orders.enqueued, orders.end)]

    for i in range(3):
        env.process(request(i))
    env.run()
    assert got == {0: [0.6, 0.6, 1.6, 2.3], 1: [0.6, 1.6, 2.6, 2.8], 2: [0.6, 2.6, 3.6, 3.8]}
    assert sim.stats().functions["cold_starts"].tolist() == [3, 1]


# -- arguments ------------------------------------------------------------------------------------


def test_wrong_arguments_raise_and_queue_nothing() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("a")])
    env = simpy.Environment()
    with pytest.raises(TypeError, match="env must be a simpy.Environment"):
        Platform("env", sim)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sim must be a lambda_core.Simulator"):
        Platform(env, "sim")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="raise_on_refusal must be a bool"):
        Platform(env, sim, raise_on_refusal=1)  # type: ignore[arg-type]
    platform = Platform(env, sim)
    with pytest.raises(TypeError):
        platform.invoke("a", "0.2")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        platform.invoke("a", 0.2, failures="1")  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="no function named 'zz'"):
        platform.invoke("zz", 0.2)
    with pytest.raises(KeyError, match="no function named 3"):
        platform.invoke(3, 0.2)  # type: ignore[arg-type]
    with pytest.raises(lc.WorkloadError, match="duration"):
        platform.invoke("a", math.nan)
    assert platform.pending == 0 and env.peek() == math.inf
    env.run()
    assert sim.peek_time() is None and sim.stats().functions["invocations"].tolist() == [0]


def test_advancing_the_simulator_behind_the_platforms_back_is_reported() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("a")])
    env = simpy.Environment()
    platform = Platform(env, sim)
    platform.invoke("a", 0.2)
    sim.advance()  # resolves the request outside the platform
    with pytest.raises(lc.UsageError, match="resolved outside it"):
        env.run()


# -- changes while running -------------------------------------------------------------------------


def test_changes_while_running_apply_at_their_instants() -> None:
    def model(at_inside: bool) -> tuple[list[tuple[int, float, str]], list[float]]:
        sim = lc.Simulator(lc.Account(), [lc.Function("f", reserved_concurrency=1)])
        sim.put_function_concurrency("f", 3, at=5.0)  # made before the run
        env = simpy.Environment()
        platform = Platform(env, sim)
        got = []

        def client(t: float, change: bool = False) -> Proc:
            yield env.timeout(t)
            if change:  # made by the model, at SimPy's time
                sim.put_function_concurrency("f", 1, at=env.now if at_inside else None)
            inv = yield platform.invoke("f", 0.2)
            got.append((inv.request, inv.end, inv.outcome.name))

        for t in [1.0, 1.0, 1.0, 6.0, 6.0, 6.0]:
            env.process(client(t))
        env.process(client(10.0, change=True))
        env.process(client(10.0))
        env.process(client(10.0))
        env.run()
        return sorted(got), [c.time for c in sim.changes]

    got, changes = model(at_inside=True)
    assert changes == [5.0, 10.0]
    batch_sim = lc.Simulator(lc.Account(), [lc.Function("f", reserved_concurrency=1)])
    batch_sim.put_function_concurrency("f", 3, at=5.0)
    batch_sim.put_function_concurrency("f", 1, at=10.0)
    times = [1.0, 1.0, 1.0, 6.0, 6.0, 6.0, 10.0, 10.0, 10.0]
    r = batch_sim.run(lc.Workload(times, np.zeros(9, np.int64), np.full(9, 0.2)))
    assert got == [(i, e, lc.Outcome(o).name)
                   for i, (e, o) in enumerate(zip(r.requests["end"].tolist(), r.requests["outcome"].tolist()))]
    assert [o for _, _, o in got].count("THROTTLED") == 4  # two at 1 s (reserved 1), two at 10 s
    # `at` defaults to the simulator's clock, which lags SimPy's while the platform is idle: the
    # change then comes at the last instant the engine took (6.7 s), not at 10 s
    _, changes = model(at_inside=False)
    assert changes == [5.0, 6.7]


def test_the_simulators_client_retries_work_through_the_platform() -> None:
    functions = [lc.Function("one", reserved_concurrency=1)]
    sim = lc.Simulator(lc.Account(), functions, client_retries=lc.RetryPolicy())
    env = simpy.Environment()
    platform = Platform(env, sim)
    got = {}

    def client(i: int, duration: float) -> Proc:
        inv = yield platform.invoke("one", duration)
        got[i] = (env.now, inv.end, int(inv.outcome))

    env.process(client(0, 1.0))
    env.process(client(1, 0.1))  # throttled at 0 s, retried by the simulator's client
    env.run()
    batch = lc.Simulator(lc.Account(), functions, client_retries=lc.RetryPolicy())
    r = batch.run(lc.Workload([0.0, 0.0], [0, 0], [1.0, 0.1])).requests
    assert r["throttles"].tolist() == [0, 2]
    assert [got[i] for i in (0, 1)] == [(e, e, o) for e, o in zip(r["end"].tolist(), r["outcome"].tolist())]


def test_an_interrupted_caller_does_not_cancel_its_request() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("a")])
    env = simpy.Environment()
    platform = Platform(env, sim)
    log = []

    def caller() -> Proc:
        try:
            yield platform.invoke("a", 2.0)
        except simpy.Interrupt:
            log.append(("hung up", env.now, platform.pending))

    def impatient(process: simpy.Process) -> Proc:
        yield env.timeout(1.0)
        process.interrupt()

    env.process(impatient(env.process(caller())))
    env.run()
    assert log == [("hung up", 1.0, 1)]
    assert platform.pending == 0 and env.now == sim.now == 2.5  # it ran to its end
    assert sim.stats().functions["invocations"].tolist() == [1]


# -- determinism, the example ----------------------------------------------------------------------


def _random_model(seed: int) -> list[tuple[int, float, str]]:
    rng = random.Random(seed)
    sim = lc.Simulator(lc.Account(concurrency_limit=20, unreserved_min=5),
                       [lc.Function("a", reserved_concurrency=4, init_s=lc.Uniform(0.2, 0.6)),
                        lc.Function("b", init_s=lc.LogNormal(0.3, 0.5))], seed=seed)
    env = simpy.Environment()
    platform = Platform(env, sim)
    got: list[tuple[int, float, str]] = []

    def client() -> Proc:
        for _ in range(20):
            yield env.timeout(rng.expovariate(5.0))
            inv = yield platform.invoke(rng.choice("ab"), rng.uniform(0.0, 0.5))
            got.append((inv.request, inv.end, inv.outcome.name))

    for _ in range(8):
        env.process(client())
    env.run()
    return got


def test_the_same_seed_gives_the_same_run() -> None:
    first = _random_model(7)
    assert len(first) == 160 and any(o == "THROTTLED" for _, _, o in first)
    assert _random_model(7) == first
    assert _random_model(8) != first


def test_the_gateway_example_adds_up() -> None:
    main = runpy.run_path(str(ROOT / "examples" / "simpy_gateway.py"))["main"]
    s = main(seed=3, duration_s=40.0, quiet=True)
    assert s["requests"] > 5000
    assert s["successes"] + s["gave_up"] == s["requests"]
    assert s["throttles"] == s["retries"] + s["gave_up"] == s["engine_throttles"] > 0
    # a served request ran auth and orders once each; one that gave up ran at most auth
    assert 2 * s["successes"] <= s["engine_invocations"] <= 2 * s["successes"] + s["gave_up"]
    assert 0.05 < s["p50_s"] <= s["p99_s"] and s["end_s"] >= 40.0
    assert main(seed=3, duration_s=40.0, quiet=True) == s


def test_the_example_of_docs_simpy(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "simpy.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    printed = text.split("```text\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/simpy.md", "exec"), {"__name__": "docs_simpy"})
    assert capsys.readouterr().out == printed


def test_lc_simpy_is_the_module() -> None:
    import lambda_core.simpy

    assert lc.simpy is lambda_core.simpy and lc.simpy.Platform is Platform


def test_a_change_refused_at_its_instant_does_not_strand_the_waiting_processes() -> None:
    sim = lc.Simulator(lc.Account(concurrency_limit=200, unreserved_min=100),
                       [lc.Function("a", provisioned_concurrency=1), lc.Function("b", timeout_s=900)])
    sim.autoscale("a", min=1, max=60, target=0.5, ready_s=0)
    sim.schedule_scaling("a", at=300, min=60)  # 60 provisioned: 140 unreserved
    sim.put_function_concurrency("b", 50, at=450)  # accepted now, refused at 450
    env = simpy.Environment()
    platform = lc.simpy.Platform(env, sim)
    got = []

    def client(env: simpy.Environment) -> Any:
        yield env.timeout(350)
        got.append((yield platform.invoke("b", 500.0)))

    env.process(client(env))
    with pytest.raises(lc.InvalidParameterValueException, match="below its minimum value"):
        env.run()
    env.run()  # goes on from where the refusal stopped it
    assert platform.pending == 0
    [inv] = got
    assert (inv.outcome, inv.end) == (lc.Outcome.SUCCESS, pytest.approx(850.5))  # a cold start, then 500 s

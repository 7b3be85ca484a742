"""Differential tests of docs/model.md §13 (Lambda in a VPC) and §14 (the request rate, payload
limits): the Rust engine against the reference model (tests/oracle/invocations.py).

Hypothesis draws small accounts (limits of 1–5, so the rate windows of 10–50 attempts a second
bind), reservations (reason 5), a few VPC combinations in two VPCs (shared combinations, new
ones created during the run, small ENI quotas), both networking modes, short ENI and Inactive
times, needs_internet with and without NAT, very short durations with dense arrivals, payloads
at and around the 1 MB and 6 MB limits, events, client retries and warm environments; both
implementations must agree on every request field and every counter.

`test_oracle_invariants` checks the oracle alone against properties that follow from §13–14
(no window ever holds more than its limit, nothing runs while Pending or without an ENI, …);
it runs with any engine installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lambda_core as lc
from tests.metrics.compare import disagreements
from tests.oracle import invocations as inv
from tests.oracle.metrics import simulate_metrics
from tests.support import engine_adapter
from tests.support.profiles import examples

MB = 2**20
ENGINE_HAS_VPC_RATE = hasattr(lc, "VpcConfig")
needs_engine = pytest.mark.skipif(not ENGINE_HAS_VPC_RATE, reason="the installed engine has no §13–14 yet")
SLOW = dict(deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])

FUNCTION_KEYS = [
    "invocations", "errors", "throttles", "throttles_reserved", "throttles_unreserved",
    "throttles_scaling", "throttles_rate", "throttles_reserved_rate", "cold_starts",
    "max_concurrency", "environments_created", "provisioned_invocations", "spillover_invocations",
    "async_events_received", "async_events_dropped", "conflicts_pending", "conflicts_inactive",
    "eni_failures", "payloads_too_large",
]
TARGETS = [None, None, "q1", "q2"]
# Combinations: 1 and 2 are the same combination (order does not matter); vpc-2 has its own
# ENI quota. A subnet belongs to one VPC, so no combination is in two VPCs.
VPCS = [
    {"subnet_ids": ["subnet-a"], "security_group_ids": ["sg-1"], "vpc_id": "vpc-1"},
    {"subnet_ids": ["subnet-a", "subnet-b"], "security_group_ids": ["sg-1"], "vpc_id": "vpc-1"},
    {"subnet_ids": ["subnet-b", "subnet-a"], "security_group_ids": ["sg-1"], "vpc_id": "vpc-1"},
    {"subnet_ids": ["subnet-b"], "security_group_ids": ["sg-2", "sg-1"], "vpc_id": "vpc-1"},
    {"subnet_ids": ["subnet-x"], "security_group_ids": ["sg-9"], "vpc_id": "vpc-2"},
]
PAYLOADS = [0, 1, MB - 1, MB, MB + 1, 6 * MB, 6 * MB + 1]


@st.composite
def scenarios(draw):
    """(account, functions, workload, until, routing, client_retries, seed) in the oracle's
    terms; tests/support/engine_adapter builds the engine's objects from the same dicts."""
    limit = draw(st.integers(1, 5))
    scaling = draw(st.sampled_from(["current", "legacy", None]))
    account = {
        "concurrency_limit": limit, "unreserved_min": None, "scaling": scaling,
        "scaling_burst": draw(st.integers(1, 6)) if scaling else None,
        "token_cost_us": draw(st.sampled_from([1, 1_000, 10_000, 250_000])) if scaling else None,
        "invocation_rate_limit": draw(st.sampled_from([True, True, True, False])),
        "vpc_networking": draw(st.sampled_from(["hyperplane", "legacy"])),
        "eni_quota": draw(st.sampled_from([1, 1, 2, 3, 250])),
        "eni_ready_s": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0, 90.0])),
        "eni_init_s": draw(st.sampled_from([0.0, 0.25, 1.0, 10.0])),
        "inactive_after_s": draw(st.sampled_from([1.0, 2.5, 5.0, 10.0, 1_209_600.0])),
    }
    n_functions = draw(st.integers(1, 4))
    functions = []
    for _ in range(n_functions):
        rc = draw(st.one_of(st.none(), st.integers(0, limit)))
        pc = draw(st.one_of(st.none(), st.none(), st.integers(1, 2)))
        if pc is not None and rc is not None and pc > rc:
            pc = None
        vpc = draw(st.one_of(st.none(), st.sampled_from(range(len(VPCS)))))
        functions.append({
            "reserved_concurrency": rc, "provisioned_concurrency": pc,
            "timeout_s": draw(st.sampled_from([1, 2, 3])),
            "init_s": draw(st.sampled_from([0.0, 0.000001, 0.25, 1.0])),
            "idle_timeout_s": draw(st.sampled_from([0.0, 0.5, 1.0, 3.0, 600.0])),
            "provisioned_ready_s": draw(st.sampled_from([0.0, 0.0, 1.5])),
            "max_lifetime_s": draw(st.sampled_from([None, None, None, 1.0, 2.5])),
            "warm_at_start": draw(st.sampled_from([0, 0, 0, 1, 2])),
            "max_retry_attempts": draw(st.integers(0, 2)),
            "max_event_age_s": draw(st.sampled_from([60, 61, 90, 200, 21600])),
            "on_success": draw(st.sampled_from(TARGETS)),
            "on_failure": draw(st.sampled_from(TARGETS)),
            "dead_letter_queue": draw(st.sampled_from(TARGETS)),
            "vpc": None if vpc is None else {**VPCS[vpc], "nat_gateway": draw(st.booleans())},
            "needs_internet": draw(st.sampled_from([False, False, True])),
            "created_at_s": draw(st.sampled_from([None, None, 0.0, 0.5, 1.0, 2.0, 5.0])),
        })
    # §2 with MIN_U = 0 (engine_adapter's account): U = L − Σ RC − Σ PC (no RC) ≥ 0
    reserved = sum(f["reserved_concurrency"] or 0 for f in functions)
    provisioned = sum(f["provisioned_concurrency"] or 0 for f in functions if f["reserved_concurrency"] is None)
    assume(limit - reserved - provisioned >= 0)

    n = draw(st.integers(0, 120))
    # dense arrivals of short requests (ties, microsecond and millisecond gaps) fill the rate
    # windows; sparse ones reach the Pending ends, the Inactive times and the idle expiries
    dense = draw(st.booleans())
    gap_values = [0.0, 0.0, 0.0, 0.000001, 0.001, 0.01, 0.05] if dense else \
        [0.0, 0.0, 0.0, 0.000001, 0.001, 0.01, 0.1, 0.25, 0.5, 1.0, 2.5]
    durations = [0.0, 0.0, 0.0, 0.000001, 0.001, 0.01] if dense else \
        [0.0, 0.0, 0.000001, 0.001, 0.01, 0.1, 0.5, 1.0, 2.0, 3.5]
    gaps = draw(st.lists(st.sampled_from(gap_values), min_size=n, max_size=n))
    time = np.cumsum(np.array(gaps, dtype=np.float64)).tolist()
    mix = draw(st.sampled_from(["sync", "event", "mixed"]))
    kinds = {"sync": [0] * n, "event": [1] * n,
             "mixed": draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))}[mix]
    workload = {
        "time": time,
        "function": draw(st.lists(st.integers(0, n_functions - 1), min_size=n, max_size=n)),
        "duration": draw(st.lists(st.sampled_from(durations), min_size=n, max_size=n)),
        "failures": draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
        "invocation_type": kinds,
    }
    if draw(st.booleans()):
        workload["payload_bytes"] = draw(st.lists(st.sampled_from(PAYLOADS), min_size=n, max_size=n))
    until = draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0, 10.0, 61.0])))
    routing = draw(st.sampled_from(["newest", "mru", "oldest"]))
    retries = draw(st.sampled_from([None, {"max_attempts": 3, "base_s": 1.0, "cap_s": 20.0},
                                    {"max_attempts": 5, "base_s": 0.000002, "cap_s": 0.5}]))
    seed = draw(st.integers(0, 2**64 - 1))
    return account, functions, workload, until, routing, retries, seed


def reference(scenario) -> dict:
    account, functions, workload, until, routing, retries, seed = scenario
    return inv.simulate(account, functions, workload, routing=routing, until=until,
                        client_retries=retries, seed=seed)


def engine(scenario) -> dict:
    account, functions, workload, until, routing, retries, seed = scenario
    return engine_adapter.simulate_lifetimes(account, functions, workload, routing=routing, until=until,
                                             client_retries=retries, seed=seed)


def assert_same(got: dict, ref: dict) -> None:
    for key in ("outcome", "attempts", "throttles", "cold_starts", "throttle_reason", "environment",
                "end", "first_start", "last_start", "event_age"):
        assert got["requests"][key] == ref["requests"][key], key
    for i, (g, r) in enumerate(zip(got["functions"], ref["functions"], strict=True)):
        for key in FUNCTION_KEYS:
            assert g[key] == r[key], (i, key)
        assert g["avg_environments"] == pytest.approx(r["avg_environments"], rel=1e-12, abs=0), i
    for key in ("max_concurrency", "max_unreserved_concurrency"):
        assert got["account"][key] == ref["account"][key], key
    assert got["account"]["avg_environments"] == pytest.approx(ref["account"]["avg_environments"], rel=1e-12, abs=0)
    assert got["horizon"] == ref["horizon"]
    assert got["destinations"] == ref["destinations"]


@needs_engine
@settings(max_examples=examples(400), **SLOW)
@given(scenarios())
def test_engine_matches_reference_model(scenario):
    assert_same(engine(scenario), reference(scenario))


@needs_engine
@settings(max_examples=examples(100), **SLOW)
@given(scenarios(), st.integers(2, 5))
def test_chunked_submission_matches_one_run(scenario, pieces):
    """§1: rows submitted in chunks and advanced in steps give the run's outcomes and ends (the
    rate windows and the functions' states carry across windows)."""
    account, functions, workload, until, routing, retries, seed = scenario
    n = len(workload["time"])

    def rows(a: int, b: int) -> lc.Workload:
        return engine_adapter.engine_workload({k: v[a:b] for k, v in workload.items()})

    def simulator():
        return engine_adapter._simulator(account, functions, routing, retries, seed)

    whole = simulator().run(rows(0, n), until=until)
    sim = simulator()
    outcome = np.zeros(n, np.uint8)
    end = np.full(n, np.nan)
    bounds = np.linspace(0, n, pieces + 1).astype(int)
    for a, b in zip(bounds[:-1], bounds[1:]):
        sim.submit(rows(a, b))
        if b < n:
            t = workload["time"][b]
            window = sim.advance(t if until is None else min(t, until))
            outcome[window.requests["request"]] = window.requests["outcome"]
            end[window.requests["request"]] = window.requests["end"]
    window = sim.advance(until)
    outcome[window.requests["request"]] = window.requests["outcome"]
    end[window.requests["request"]] = window.requests["end"]
    assert outcome.tolist() == whole.requests["outcome"].tolist()
    np.testing.assert_array_equal(end, whole.requests["end"])
    stats = sim.stats(until)
    for key in FUNCTION_KEYS:
        np.testing.assert_array_equal(stats.functions[key], whole.functions[key], err_msg=key)


@needs_engine
@settings(max_examples=examples(150), **SLOW)
@given(scenarios(), st.sampled_from([0.25, 0.5, 1.0, 2.5, 0.7, 60.0]))
def test_series_match_the_oracle(scenario, period_s):
    """§10.1 with §13–14: the per-period series (ThrottlesRate, ThrottlesReservedRate,
    ConflictsPending, ConflictsInactive, EniFailures, PayloadsTooLarge among them) agree too."""
    account, functions, workload, until, routing, retries, seed = scenario
    sim = engine_adapter._simulator(account, functions, routing, retries, seed, metrics_period_s=period_s)
    result = sim.run(engine_adapter.engine_workload(workload), until=until)
    _, ref = simulate_metrics(account, functions, workload, period_s, routing=routing, until=until,
                              client_retries=retries, seed=seed)
    assert disagreements(result.metrics, ref, [f"f{i}" for i in range(len(functions))]) == []


# ---- the oracle alone: properties §13–14 imply ---------------------------------------------

def death(e: inv.Env) -> float:
    """When an environment stopped holding its ENI (inf: still alive at the end of the run)."""
    if e.died_at is not None:
        return e.died_at
    if e.provisioned or e.busy or e.dies_at is None:
        return math.inf
    return e.dies_at


@settings(max_examples=examples(300), **SLOW)
@given(scenarios())
def test_oracle_invariants(scenario):
    account, functions, workload, until, routing, retries, seed = scenario
    sim = inv.Simulator(account, functions, workload, routing, until, retries, seed)
    out = sim.run()
    req = out["requests"]
    starts = sim.log["executions"]
    limit = account["concurrency_limit"]

    # §14: no window (t − 1 s, t] ever holds more admitted attempts than its limit.
    if account["invocation_rate_limit"]:
        times = sorted(x["start"] for x in starts)
        for a in times:
            assert sum(1 for b in times if a - 1_000_000 < b <= a) <= 10 * limit
        for fi, f in enumerate(functions):
            rc = f["reserved_concurrency"]
            if rc:
                mine = [x["start"] for x in starts if x["fn"] == fi]
                for a in mine:
                    assert sum(1 for b in mine if a - 1_000_000 < b <= a) <= 10 * rc
    else:
        assert all(f["throttles_rate"] == 0 and f["throttles_reserved_rate"] == 0 for f in out["functions"])

    for fi, (f, c) in enumerate(zip(sim.fns, out["functions"])):
        assert c["throttles"] == sum(c[k] for k in inv.THROTTLE_COUNTER.values())
        if f.vpc is None:
            assert c["conflicts_pending"] == c["conflicts_inactive"] == c["eni_failures"] == 0
        if sim.networking == "legacy":
            assert c["conflicts_pending"] == c["conflicts_inactive"] == 0
        mine = [x for x in starts if x["fn"] == fi]
        if f.hangs:  # §13: no route to the internet → every attempt that ran timed out
            assert all(x["outcome"] == inv.TIMEOUT for x in mine)
        if sim.networking == "hyperplane" and f.vpc is not None:
            if f.eni_limited:
                assert not mine
            created = functions[fi]["created_at_s"]
            if created is not None:
                assert all(x["start"] >= inv.to_us(created) for x in mine)

    # §13 legacy: a new environment of a VPC function found fewer than eni_quota ENIs held.
    if sim.networking == "legacy":
        envs = [e for f in sim.fns if f.vpc is not None for e in f.provisioned_envs + f.on_demand_envs]
        vpc_of = {id(e): sim.fns[e.fn].vpc["vpc_id"] for e in envs}
        warm = {id(e) for f in sim.fns for e in f.on_demand_envs[:f.warm_at_start]}
        for e in envs:
            if e.provisioned or id(e) in warm:
                continue
            held = sum(1 for o in envs if o is not e and vpc_of[id(o)] == vpc_of[id(e)]
                       and o.order < e.order and death(o) > e.created_at)
            assert held < sim.eni_quota

    for i, o in enumerate(req["outcome"]):
        size = (workload.get("payload_bytes") or [None] * len(req["outcome"]))[i]
        limit_bytes = inv.ASYNC_PAYLOAD_LIMIT if workload["invocation_type"][i] else inv.SYNC_PAYLOAD_LIMIT
        if o == inv.REQUEST_TOO_LARGE:
            assert size is not None and size > limit_bytes
            assert req["attempts"][i] == 0 and req["throttles"][i] == 0
            assert req["end"][i] == inv.to_us(workload["time"][i]) / 1e6
        elif o != inv.PENDING:
            assert size is None or size <= limit_bytes
        if o in inv.REFUSALS and workload["invocation_type"][i] == 0:
            assert req["attempts"][i] == 0
            assert functions[workload["function"][i]]["vpc"] is not None

"""Hypothesis building blocks shared by the differential tests of streams and queues: an
account with a few functions, arrival times on a coarse grid (many ties), a synchronous
workload sharing the functions, and the run's `until` and routing."""

from __future__ import annotations

from hypothesis import HealthCheck
from hypothesis import strategies as st

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def account_and_functions(draw) -> tuple[dict, list[dict]]:
    """A small account (limit 1–12, any scaling mode) and 1–3 functions, some reserving."""
    limit = draw(st.integers(1, 12))
    scaling = draw(st.sampled_from(["current", "legacy", None]))
    account = {"concurrency_limit": limit, "unreserved_min": 0, "scaling": scaling}
    if scaling:
        account["scaling_burst"] = draw(st.integers(1, 4))
        account["token_cost_us"] = draw(st.sampled_from([1_000, 250_000]))
    functions, reserved = [], 0
    for _ in range(draw(st.integers(1, 3))):
        rc = draw(st.one_of(st.none(), st.none(), st.integers(0, limit - reserved)))
        reserved += rc or 0
        functions.append({"reserved_concurrency": rc, "timeout_s": draw(st.sampled_from([0.5, 1.0, 900.0])),
                          "init_s": draw(st.sampled_from([0.0, 0.2, 1.0])),
                          "idle_timeout_s": draw(st.sampled_from([0.5, 600.0]))})
    return account, functions


def times(draw, n: int, gaps: list[float]) -> list[float]:
    """`n` non-decreasing times: running sums of gaps drawn from `gaps`, rounded to the µs."""
    out, t = [], 0.0
    for g in draw(st.lists(st.sampled_from(gaps), min_size=n, max_size=n)):
        t = round(t + g, 6)
        out.append(t)
    return out


def sync_workload(draw, n_functions: int) -> dict:
    """Up to 10 synchronous rows on the same functions."""
    m = draw(st.integers(0, 10))
    return {"time": times(draw, m, [0.0, 0.25, 0.5, 1.0]),
            "function": draw(st.lists(st.integers(0, n_functions - 1), min_size=m, max_size=m)),
            "duration": draw(st.lists(st.sampled_from([0.0, 0.3, 1.0, 2.0]), min_size=m, max_size=m))}


def until_and_routing(draw, functions: list[dict], mappings: list[dict]) -> tuple[float | None, str]:
    until = draw(st.one_of(st.none(), st.sampled_from([0.5, 1.0, 2.0, 5.0, 20.0, 200.0])))
    if until is None and any(functions[m["function"]]["reserved_concurrency"] == 0 for m in mappings):
        until = 300.0  # batches of a function reserving 0 throttle for ever
    return until, draw(st.sampled_from(["newest", "mru", "oldest"]))

"""The engine behind the reference model's interface, so hand-worked cases run on both."""

from __future__ import annotations

import math

import numpy as np

import lambda_core as lc


def _none_if_nan(values: np.ndarray) -> list:
    return [None if math.isnan(x) else x for x in values.tolist()]


def simulate(account: dict, functions: list[dict], workload: dict, routing: str = "newest", until=None,
             client_retries: dict | None = None, seed: int = 0) -> dict:
    scaling = account.get("scaling", "current")
    cost = account.get("token_cost_us")
    acct = lc.Account(
        concurrency_limit=account["concurrency_limit"],
        # the reference model does not validate: let any pool arithmetic through (MIN_U = 0)
        unreserved_min=account.get("unreserved_min") or 0,
        scaling=scaling,
        scaling_burst=account.get("scaling_burst") if scaling else None,
        scaling_refill_per_s=(1e6 / cost) if (scaling and cost) else None,
    )
    fns = [
        lc.Function(
            f"f{i}",
            timeout_s=f.get("timeout_s", 3),
            reserved_concurrency=f.get("reserved_concurrency"),
            provisioned_concurrency=f.get("provisioned_concurrency"),
            init_s=f["init_s"],
            idle_timeout_s=f.get("idle_timeout_s", 600),
            provisioned_ready_s=f.get("provisioned_ready_s", 0.0),
            max_retry_attempts=f.get("max_retry_attempts", 2) if f.get("max_retry_attempts") is not None else 2,
            max_event_age_s=f.get("max_event_age_s", 21600) if f.get("max_event_age_s") is not None else 21600,
            on_success=f.get("on_success"),
            on_failure=f.get("on_failure"),
            dead_letter_queue=f.get("dead_letter_queue"),
        )
        for i, f in enumerate(functions)
    ]
    policy = None if client_retries is None else lc.RetryPolicy(**client_retries)
    sim = lc.Simulator(acct, fns, routing=routing, seed=seed, client_retries=policy)
    n = len(workload["time"])
    w = lc.Workload(
        np.array(workload["time"], dtype=np.float64),
        np.array(workload["function"], dtype=np.int64),
        np.array(workload["duration"], dtype=np.float64),
        invocation_type=np.array(workload.get("invocation_type", [0] * n), dtype=np.uint8),
        failures=np.array(workload.get("failures", [0] * n), dtype=np.int64),
    )
    r = sim.run(w, until=until)
    requests = {k: r.requests[k].tolist() for k in ("outcome", "attempts", "throttles", "cold_starts", "throttle_reason")}
    for k in ("end", "first_start", "last_start", "event_age"):
        requests[k] = _none_if_nan(np.asarray(r.requests[k]))
    funcs = [{k: v[i].item() for k, v in r.functions.items()} for i in range(len(fns))]
    destinations = {
        name: {"request": d["request"].tolist(), "condition": d["condition"].tolist(),
               "approximate_invoke_count": d["approximate_invoke_count"].tolist(), "time": d["time"].tolist()}
        for name, d in r.destinations.items() if len(d["request"])
    }
    return {"requests": requests, "functions": funcs, "account": dict(r.account), "horizon": r.horizon,
            "destinations": destinations}

"""The engine behind the reference model's interface, so hand-worked cases run on both."""

from __future__ import annotations

import math

import numpy as np

import lambda_core as lc


def simulate(account: dict, functions: list[dict], workload: dict, routing: str = "newest", until=None) -> dict:
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
        )
        for i, f in enumerate(functions)
    ]
    sim = lc.Simulator(acct, fns, routing=routing)
    n = len(workload["time"])
    w = lc.Workload(
        np.array(workload["time"], dtype=np.float64),
        np.array(workload["function"], dtype=np.int64),
        np.array(workload["duration"], dtype=np.float64),
        failures=np.array(workload.get("failures", [0] * n), dtype=np.int64),
    )
    r = sim.run(w, until=until)
    requests = {k: r.requests[k].tolist() for k in ("outcome", "attempts", "throttles", "cold_starts", "throttle_reason")}
    requests["end"] = [None if math.isnan(x) else x for x in r.requests["end"].tolist()]
    funcs = [{k: v[i].item() for k, v in r.functions.items()} for i in range(len(fns))]
    return {"requests": requests, "functions": funcs, "account": dict(r.account), "horizon": r.horizon}

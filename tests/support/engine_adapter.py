"""The engine behind the reference model's interface, so hand-worked cases run on both."""

from __future__ import annotations

import math

import numpy as np

import pytest

import lambda_core as lc
from tests.oracle import lifetimes


def _none_if_nan(values: np.ndarray) -> list:
    return [None if math.isnan(x) else x for x in values.tolist()]


def distribution(value):
    """The engine's form of an oracle field that may be a §3.1 distribution (a number stays one)."""
    if isinstance(value, lifetimes.Fixed):
        return lc.Fixed(value.seconds)
    if isinstance(value, lifetimes.Uniform):
        return lc.Uniform(value.low_s, value.high_s)
    if isinstance(value, lifetimes.LogNormal):
        return lc.LogNormal(value.median_s, value.sigma)
    if isinstance(value, lifetimes.Empirical):
        return lc.Empirical(list(value.values_s))
    return value


def lifetime_options(f: dict) -> dict:
    """The §3.1 keyword arguments of an oracle function: drawn init and keep-alive, maximum
    lifetime and warm environments, passed only when the function sets them."""
    options = {k: f[k] for k in ("max_lifetime_s", "warm_at_start") if f.get(k) is not None}
    return {**options, "init_s": distribution(f["init_s"]),
            "idle_timeout_s": distribution(f.get("idle_timeout_s", 600))}


ACCOUNT_VPC_RATE_KEYS = ("invocation_rate_limit", "vpc_networking", "eni_quota", "eni_ready_s", "eni_init_s",
                         "inactive_after_s")


def account_options(account: dict) -> dict:
    """The §13–14 keyword arguments of an oracle account, passed only when it sets them (so the
    engine's defaults apply otherwise, as the oracle's do)."""
    return {k: account[k] for k in ACCOUNT_VPC_RATE_KEYS if account.get(k) is not None}


def vpc_options(f: dict) -> dict:
    """The §13 keyword arguments of an oracle function: its VpcConfig, needs_internet and
    created_at_s, passed only when it sets them."""
    options = {}
    vpc = f.get("vpc")
    if vpc is not None:
        options["vpc"] = lc.VpcConfig(
            subnet_ids=list(vpc["subnet_ids"]), security_group_ids=list(vpc["security_group_ids"]),
            nat_gateway=bool(vpc.get("nat_gateway", False)), vpc_id=vpc.get("vpc_id") or "vpc-default")
    if f.get("needs_internet"):
        options["needs_internet"] = True
    if f.get("created_at_s") is not None:
        options["created_at_s"] = f["created_at_s"]
    return options


def _function(name: str, timeout_s: float, **kw) -> lc.Function:
    """A Function; a timeout under AWS's 1 s minimum (hand-worked cases use them) is set after
    validation."""
    f = lc.Function(name, timeout_s=max(timeout_s, 1), **kw)
    if timeout_s < 1:
        object.__setattr__(f, "timeout_s", timeout_s)
    return f


def _simulator(account: dict, functions: list[dict], routing: str, client_retries, seed: int, mappings=(),
               metrics_period_s: float | None = None):
    scaling = account.get("scaling", "current")
    cost = account.get("token_cost_us")
    acct = lc.Account(
        concurrency_limit=account["concurrency_limit"],
        # the reference model does not validate: let any pool arithmetic through (MIN_U = 0)
        unreserved_min=account.get("unreserved_min") or 0,
        scaling=scaling,
        scaling_burst=account.get("scaling_burst") if scaling else None,
        scaling_refill_per_s=(1e6 / cost) if (scaling and cost) else None,
        **account_options(account),
    )
    fns = [
        _function(
            f"f{i}",
            timeout_s=f.get("timeout_s", 3),
            reserved_concurrency=f.get("reserved_concurrency"),
            provisioned_concurrency=f.get("provisioned_concurrency"),
            **lifetime_options(f),
            provisioned_ready_s=f.get("provisioned_ready_s", 0.0),
            max_retry_attempts=f.get("max_retry_attempts", 2) if f.get("max_retry_attempts") is not None else 2,
            max_event_age_s=f.get("max_event_age_s", 21600) if f.get("max_event_age_s") is not None else 21600,
            on_success=f.get("on_success"),
            on_failure=f.get("on_failure"),
            dead_letter_queue=f.get("dead_letter_queue"),
            **vpc_options(f),
        )
        for i, f in enumerate(functions)
    ]
    policy = None if client_retries is None else lc.RetryPolicy(**client_retries)
    series = {} if metrics_period_s is None else {"metrics_period_s": metrics_period_s}
    return lc.Simulator(acct, fns, routing=routing, seed=seed, client_retries=policy, mappings=mappings, **series)


def simulate(account: dict, functions: list[dict], workload: dict, routing: str = "newest", until=None,
             client_retries: dict | None = None, seed: int = 0, _mappings=(), _records=()) -> dict:
    out, r = _run(account, functions, workload, routing, until, client_retries, seed, _mappings, _records)
    if _mappings:
        out["_result"] = r
    return out


def simulate_lifetimes(account: dict, functions: list[dict], workload: dict, routing: str = "newest",
                       until=None, client_retries: dict | None = None, seed: int = 0) -> dict:
    """`simulate` with §3.1's per-request `environment` column as well."""
    out, r = _run(account, functions, workload, routing, until, client_retries, seed, (), ())
    out["requests"]["environment"] = r.requests["environment"].tolist()
    return out


def engine_workload(workload: dict) -> lc.Workload:
    """The engine's Workload of an oracle workload dict."""
    n = len(workload["time"])
    # §14's payload column only when the case has one (an engine without it still runs the rest)
    payload = {} if workload.get("payload_bytes") is None else {
        "payload_bytes": np.array(workload["payload_bytes"], dtype=np.int64)}
    return lc.Workload(
        np.array(workload["time"], dtype=np.float64),
        np.array(workload["function"], dtype=np.int64),
        np.array(workload["duration"], dtype=np.float64),
        invocation_type=np.array(workload.get("invocation_type", [0] * n), dtype=np.uint8),
        failures=np.array(workload.get("failures", [0] * n), dtype=np.int64),
        **payload,
    )


def _run(account, functions, workload, routing, until, client_retries, seed, mappings, records):
    """The reference interface's dict of requests and counters, and the engine's Result."""
    sim = _simulator(account, functions, routing, client_retries, seed, mappings)
    r = sim.run(engine_workload(workload), until=until, records=records)
    requests = {k: r.requests[k].tolist() for k in ("outcome", "attempts", "throttles", "cold_starts", "throttle_reason")}
    for k in ("end", "first_start", "last_start", "event_age"):
        requests[k] = _none_if_nan(np.asarray(r.requests[k]))
    funcs = [{k: v[i].item() for k, v in r.functions.items()} for i in range(len(functions))]
    destinations = {
        name: {"request": d["request"].tolist(), "condition": d["condition"].tolist(),
               "approximate_invoke_count": d["approximate_invoke_count"].tolist(), "time": d["time"].tolist()}
        for name, d in r.destinations.items() if len(d["request"])
    }
    return {"requests": requests, "functions": funcs, "account": dict(r.account), "horizon": r.horizon,
            "destinations": destinations}, r


def stream_simulator(account: dict, functions: list[dict], streams: list[dict], mappings: list[dict],
                     routing: str = "newest"):
    """A Simulator with the reference interface's streams and mappings (and its mappings)."""
    esms = _mappings(streams, mappings)
    return _simulator(account, functions, routing, None, 0, esms), esms


def _mappings(streams: list[dict], mappings: list[dict]) -> list:
    from tests.oracle.streams import MAPPING_DEFAULTS

    sources = {}
    for s in streams:
        cls = lc.KinesisStream if s["kind"] == "kinesis" else lc.DynamoDBStream
        src = cls("stream-" + s["name"], shards=s["shards"])
        object.__setattr__(src, "name", s["name"])  # hand-worked cases use names AWS would refuse
        if s.get("retention_s") is not None:
            # the reference model takes any retention (hand-worked cases use seconds): bypass
            # the 24 h minimum that KinesisStream validates
            object.__setattr__(src, "retention_s", float(s["retention_s"]))
        sources[s["name"]] = src
    esms = []
    for cfg in mappings:
        c = {**MAPPING_DEFAULTS, **{k: v for k, v in cfg.items() if v is not None}}
        esms.append(lc.EventSourceMapping(
            sources[c["stream"]], f"f{c['function']}",
            batch_size=c["batch_size"], batching_window_s=c["batching_window_s"],
            parallelization_factor=c["parallelization_factor"],
            maximum_retry_attempts=c["maximum_retry_attempts"],
            maximum_record_age_s=c["maximum_record_age_s"],
            bisect_batch_on_function_error=c["bisect_batch_on_function_error"],
            on_failure=cfg.get("on_failure"),
            duration=lc.BatchDuration(c["duration_base_s"], c["duration_per_record_s"]),
        ))
    return esms


def _run_sources(account, functions, workload, routing, until, esms, records) -> tuple[dict, lc.Result]:
    """Runs the records of the mapped sources (and the workload) through the engine: the
    reference interface's dict of requests and counters, and the engine's own Result."""
    mapped = {m.source.name for m in esms}
    column = lambda r, k: None if r.get(k) is None else np.asarray(r[k], dtype=np.int64)  # noqa: E731
    base = simulate(account, functions, workload or {"time": [], "function": [], "duration": []},
                    routing=routing, until=until, _mappings=esms,
                    _records=[lc.Records(name, np.asarray(r["time"], dtype=np.float64), column(r, "key"),
                                         column(r, "failures"))
                              for name, r in records.items() if name in mapped])
    return base, base.pop("_result")


def simulate_streams(account: dict, functions: list[dict], streams: list[dict], mappings: list[dict],
                     records: dict, routing: str = "newest", until=None, workload: dict | None = None) -> dict:
    """The engine behind tests.oracle.streams.simulate_streams' interface."""
    esms = _mappings(streams, mappings)
    mapped = {m.source.name for m in esms}
    base, res = _run_sources(account, functions, workload, routing, until, esms, records)
    out_records = {}
    for s in streams:
        name = s["name"]
        r = records.get(name, {"time": [], "key": []})
        if name not in mapped:
            # no mapping: nothing reads the stream; the records stay PENDING (lanes with P = 1)
            shard, lane = lc._core.stream_lanes(np.asarray(r["key"], dtype=np.int64), s["shards"], 1)
            n = len(r["time"])
            out_records[name] = {"outcome": [0] * n, "shard": shard.tolist(), "lane": lane.tolist(),
                                 "start": [None] * n, "end": [None] * n, "attempts": [0] * n}
            continue
        t = res.records[name]
        out_records[name] = {"outcome": t["outcome"].tolist(), "shard": t["shard"].tolist(),
                             "lane": t["lane"].tolist(), "start": _none_if_nan(t["start"]),
                             "end": _none_if_nan(t["end"]), "attempts": t["attempts"].tolist()}
    stream_dest, request_dest = {}, {}
    for name, d in res.destinations.items():
        for i in range(len(d["request"])):
            si = int(d["stream"][i])
            if si < 0:
                rec = request_dest.setdefault(name, {"request": [], "condition": [], "approximate_invoke_count": [], "time": []})
                rec["request"].append(int(d["request"][i]))
                rec["approximate_invoke_count"].append(int(d["approximate_invoke_count"][i]))
            else:
                rec = stream_dest.setdefault(name, {"stream": [], "record": [], "condition": [], "time": []})
                rec["stream"].append(res_source_names(res)[si])
                rec["record"].append(int(d["request"][i]))
            rec["condition"].append(int(d["condition"][i]))
            rec["time"].append(float(d["time"][i]))
    return {"records": out_records, "mappings": [dict(res.mappings[m.source.name]) for m in esms],
            "destinations": stream_dest, "requests": base["requests"], "request_destinations": request_dest,
            "functions": base["functions"], "account": base["account"], "horizon": base["horizon"]}


def res_source_names(res) -> list[str]:
    return list(res.mappings)


def _queue_mappings(queues: list[dict], mappings: list[dict]) -> list:
    from tests.oracle.queues import MAPPING_DEFAULTS, QUEUE_DEFAULTS

    sources = {}
    for q in queues:
        c = {**QUEUE_DEFAULTS, **{k: v for k, v in q.items() if v is not None}}
        name = q["name"] + (".fifo" if c["fifo"] else "")
        src = lc.SqsQueue(name, fifo=c["fifo"], max_receive_count=c["max_receive_count"])
        object.__setattr__(src, "name", q["name"])  # hand-worked cases use names AWS would refuse
        # and seconds-long timeouts and retentions, below AWS's minimums
        object.__setattr__(src, "visibility_timeout_s", float(c["visibility_timeout_s"]))
        object.__setattr__(src, "retention_s", float(c["retention_s"]))
        sources[q["name"]] = src
    esms = []
    for cfg in mappings:
        c = {**MAPPING_DEFAULTS, **{k: v for k, v in cfg.items() if v is not None}}
        esms.append(lc.EventSourceMapping(
            sources[c["queue"]], f"f{c['function']}", batch_size=c["batch_size"],
            batching_window_s=c["batching_window_s"] or None, maximum_concurrency=c["maximum_concurrency"],
            duration=lc.BatchDuration(c["duration_base_s"], c["duration_per_record_s"]),
        ))
    return esms


def simulate_queues(account: dict, functions: list[dict], queues: list[dict], mappings: list[dict],
                    records: dict, routing: str = "newest", until=None, workload: dict | None = None) -> dict:
    """The engine behind tests.oracle.queues.simulate_queues' interface."""
    esms = _queue_mappings(queues, mappings)
    mapped = {m.source.name for m in esms}
    fifo = {q["name"]: bool(q.get("fifo")) for q in queues}
    base, res = _run_sources(account, functions, workload, routing, until, esms, records)
    out_records = {}
    for q in queues:
        name = q["name"]
        r = records.get(name, {"time": []})
        n = len(r["time"])
        if name not in mapped:
            group = list(r["key"]) if fifo[name] and r.get("key") is not None else [0] * n
            out_records[name] = {"outcome": [0] * n, "group": group, "attempts": [0] * n,
                                 "receives": [0] * n, "start": [None] * n, "end": [None] * n}
            continue
        t = res.records[name]
        out_records[name] = {"outcome": t["outcome"].tolist(), "group": t["group"].tolist(),
                             "attempts": t["attempts"].tolist(), "receives": t["receives"].tolist(),
                             "start": _none_if_nan(t["start"]), "end": _none_if_nan(t["end"])}
    return {"records": out_records, "mappings": [dict(res.mappings[m.source.name]) for m in esms],
            "destinations": {}, "requests": base["requests"], "request_destinations": base["destinations"],
            "functions": base["functions"], "account": base["account"], "horizon": base["horizon"]}


def assert_same_run(got: dict, ref: dict) -> None:
    """The requests, per-function counters, account figures and horizon of an engine run (as
    the adapters return them) equal the reference model's."""
    for key in ("outcome", "attempts", "throttles", "cold_starts", "end"):
        assert got["requests"][key] == ref["requests"][key], key
    for g, r in zip(got["functions"], ref["functions"], strict=True):
        for key in ("invocations", "errors", "throttles", "throttles_reserved", "throttles_unreserved",
                    "throttles_scaling", "cold_starts", "max_concurrency", "environments_created"):
            assert g[key] == r[key], key
        assert g["avg_environments"] == pytest.approx(r["avg_environments"], rel=1e-12, abs=1e-12)
    assert got["account"]["max_concurrency"] == ref["account"]["max_concurrency"]
    assert got["horizon"] == ref["horizon"]

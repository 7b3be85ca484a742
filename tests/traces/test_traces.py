"""Traces (docs/traces.md, docs/model.md docs/traces.md): the default sampling rule, every attempt of a
sampled request, segment documents and OTLP spans against the per-request rows."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import InvocationType, Outcome

from .schema import HEADER, TRACE_ID, check_otlp, check_segment

EPOCH = 1767225600  # 2026-01-01T00:00:00Z


def steady(n: int = 10_000, rate: float = 20.0, seed: int = 0, functions: int = 2) -> lc.Workload:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(1 / rate, n))
    return lc.Workload(t, rng.integers(0, functions, n), rng.uniform(0.01, 0.2, n))


def traced_sim(seed: int = 0, **kw: object) -> lc.Simulator:
    fs = [lc.Function("orders", tracing="Active"), lc.Function("quiet")]
    return lc.Simulator(lc.Account(), fs, seed=seed, **kw)  # type: ignore[arg-type]


def test_the_default_rule_takes_the_first_request_of_each_second_and_five_percent_of_the_rest() -> None:
    w = steady(40_000, rate=40.0, functions=1)
    r = lc.Simulator(lc.Account(), [lc.Function("orders", tracing="Active")], seed=5).run(w)
    sampled = set(r.traces["request"].tolist())
    enqueued = r.requests["enqueued"]
    seconds = np.floor(enqueued).astype(np.int64)
    first = np.r_[True, seconds[1:] != seconds[:-1]]  # arrivals are in time order
    assert sampled >= set(np.flatnonzero(first).tolist())
    others = np.flatnonzero(~first)
    taken = sum(1 for i in others.tolist() if i in sampled)
    n, p = len(others), 0.05
    assert abs(taken - n * p) < 6 * math.sqrt(n * p * (1 - p)), (taken, n)


def test_sampling_is_seeded_and_passthrough_functions_are_never_traced() -> None:
    w = steady()
    a, b, c = (traced_sim(s).run(w) for s in (1, 1, 2))
    assert set(np.unique(a.traces["function"]).tolist()) == {0}
    assert np.array_equal(a.traces["request"], b.traces["request"])
    assert a.xray() == b.xray() and a.otlp() == b.otlp()
    assert not np.array_equal(a.traces["request"], c.traces["request"])
    untraced = lc.Simulator(lc.Account(), [lc.Function("orders"), lc.Function("quiet")], seed=1).run(w)
    assert len(untraced.traces["request"]) == 0 and untraced.xray() == []
    assert untraced.otlp() == {"resourceSpans": []}


def test_tracing_changes_no_other_figure_of_the_run() -> None:
    sim, w = stormy()

    def run(tracing: str) -> lc.Result:
        fs = [lc.Function("orders", reserved_concurrency=2, timeout_s=1, tracing=tracing),
              lc.Function("sync", tracing=tracing)]
        return lc.Simulator(lc.Account(), fs, seed=3, client_retries=lc.RetryPolicy()).run(w)

    plain, traced = run("PassThrough"), run("Active")
    assert len(traced.traces["request"]) > 0
    for k, v in plain.requests.items():
        assert np.array_equal(v, traced.requests[k], equal_nan=True), k
    for k, v in plain.functions.items():
        assert np.array_equal(v, traced.functions[k]), k


def stormy() -> tuple[lc.Simulator, lc.Workload]:
    """Events and retrying callers into a small reservation: throttles, errors, timeouts."""
    fs = [lc.Function("orders", reserved_concurrency=3, timeout_s=1.0, init_s=0.3, tracing="Active",
                      max_event_age_s=600),
          lc.Function("sync", reserved_concurrency=2, tracing="Active")]
    rng = np.random.default_rng(9)
    n = 3000
    t = np.sort(rng.uniform(0, 120, n))
    f = rng.integers(0, 2, n)
    kind = np.where(f == 0, InvocationType.EVENT, InvocationType.REQUEST_RESPONSE)
    w = lc.Workload(t, f, rng.uniform(0.05, 1.4, n), kind, failures=rng.integers(0, 3, n))
    return lc.Simulator(lc.Account(), fs, seed=4, client_retries=lc.RetryPolicy(max_attempts=3)), w


def by_request(traces: dict[str, np.ndarray]) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = {}
    for i, r in enumerate(traces["request"].tolist()):
        rows.setdefault(r, []).append(i)
    return rows


def test_every_attempt_of_a_sampled_request_is_traced_and_its_times_match_the_request() -> None:
    sim, w = stormy()
    r = sim.run(w)
    t, q = r.traces, r.requests
    rows = by_request(dict(t))
    assert len(rows) > 100
    kinds = set()
    for req, idx in rows.items():
        attempts = [int(t["attempt"][i]) for i in idx]
        assert attempts == list(range(len(idx)))  # in order, retries and throttles alike
        assert len(idx) == q["attempts"][req] + q["throttles"][req]
        ran = [i for i in idx if t["outcome"][i] != Outcome.THROTTLED]
        throttled = [i for i in idx if t["outcome"][i] == Outcome.THROTTLED]
        assert len(throttled) == q["throttles"][req]
        assert all(t["arrival"][i] == q["enqueued"][req] for i in idx)
        assert all(bool(t["event"][i]) == (w.invocation_type[req] == InvocationType.EVENT) for i in idx)
        assert sum(int(t["cold"][i]) for i in idx) == q["cold_starts"][req]
        if ran:
            assert t["start"][ran[0]] == q["first_start"][req] and t["start"][ran[-1]] == q["last_start"][req]
        # the request is resolved when its last attempt ends (or is throttled)
        assert t["end"][idx[-1]] == q["end"][req]
        for i in ran:
            init = 0.3 if sim.functions[int(t["function"][i])].name == "orders" else 0.5
            assert t["init"][i] == (init if t["cold"][i] else 0.0)
        kinds.add((bool(t["event"][idx[0]]), len(ran) > 1, bool(throttled)))
    # events retried after errors and after throttles, callers retried after throttles
    assert any(k[0] and k[1] for k in kinds) and (True, False, True) in kinds
    assert (False, False, True) in kinds


def test_segment_documents_are_valid_and_follow_the_rows() -> None:
    sim, w = stormy()
    r = sim.run(w)
    docs = r.xray()
    t = r.traces
    service = [d for d in docs if d["origin"] == "AWS::Lambda"]
    function = [d for d in docs if d["origin"] == "AWS::Lambda::Function"]
    assert len(service) == len(t["request"])
    assert len(function) == int(np.sum(t["outcome"] != Outcome.THROTTLED))
    ids = [d["id"] for d in docs] + [s["id"] for d in function for s in d["subsegments"]]
    assert len(set(ids)) == len(ids)
    by_id = {d["id"]: d for d in service}
    for d in docs:
        check_segment(d)
    traces_of: dict[int, set[str]] = {}
    for i, s in enumerate(service):
        req = int(t["request"][i])
        meta = s["metadata"]["lambda_core"]
        assert (meta["request"], meta["attempt"]) == (req, int(t["attempt"][i]))
        traces_of.setdefault(req, set()).add(s["trace_id"])
        seconds = int(TRACE_ID.match(s["trace_id"]).group(1), 16)  # type: ignore[union-attr]
        assert seconds == EPOCH + math.floor(t["arrival"][i])
        assert s["start_time"] == pytest.approx(EPOCH + t["start"][i], abs=1e-6)
        assert s["end_time"] == pytest.approx(EPOCH + t["end"][i], abs=1e-6)
        m = HEADER.match(meta["trace_header"])
        assert m and m.group(1) == s["trace_id"]
        if t["outcome"][i] == Outcome.THROTTLED:
            assert s["throttle"] is True and s["http"]["response"]["status"] == 429
            assert m.group(2) == s["id"]
        else:
            assert "throttle" not in s
            assert s["http"]["response"]["status"] == (202 if t["event"][i] else 200)
    assert all(len(v) == 1 for v in traces_of.values())  # one trace per request
    for f in function:
        s = by_id[f["parent_id"]]
        i = service.index(s)
        names = [x["name"] for x in f["subsegments"]]
        assert names == (["Initialization"] if t["cold"][i] else []) + ["Invocation", "Overhead"]
        assert HEADER.match(s["metadata"]["lambda_core"]["trace_header"]).group(2) == f["id"]  # type: ignore[union-attr]
        if t["cold"][i]:
            init = f["subsegments"][0]
            assert init["end_time"] - init["start_time"] == pytest.approx(t["init"][i], abs=1e-6)
        overhead = f["subsegments"][-1]
        assert overhead["start_time"] == overhead["end_time"] == f["end_time"]
        failed = t["outcome"][i] in (Outcome.ERROR, Outcome.TIMEOUT)
        assert f.get("fault", False) == failed and s.get("error", False) == failed
    assert any(f.get("fault") for f in function)


def test_the_epoch_moves_every_time() -> None:
    sim, w = stormy()
    r = sim.run(w)
    shifted = r.xray(epoch=EPOCH + 3600.0)
    for a, b in zip(r.xray(), shifted):
        assert b["start_time"] - a["start_time"] == pytest.approx(3600.0)
    from datetime import datetime, timezone

    assert r.xray(epoch=datetime(2026, 1, 1, 1, tzinfo=timezone.utc)) == shifted
    with pytest.raises(TypeError):
        r.xray(epoch="yesterday")  # type: ignore[arg-type]


def test_otlp_spans_carry_the_faas_conventions_and_the_xray_ids() -> None:
    sim, w = stormy()
    r = sim.run(w)
    spans = check_otlp(r.otlp())
    t = r.traces
    servers = [(res, s, a) for res, s, a in spans if s["kind"] == 2]
    assert len(servers) == len(t["request"])
    xray = {d["id"]: d for d in r.xray() if d["origin"] == "AWS::Lambda::Function"}
    children: dict[str, list[str]] = {}
    for _, s, _ in spans:
        if "parentSpanId" in s:
            children.setdefault(s["parentSpanId"], []).append(s["name"])
    rows = {(int(q), int(k)): i for i, (q, k) in enumerate(zip(t["request"], t["attempt"]))}
    for res, s, a in servers:
        assert res["cloud.provider"] == "aws" and res["cloud.platform"] == "aws_lambda"
        assert res["faas.name"] == s["name"] == a["faas.name"]
        i = rows[(a["lambda_core.request"], a["lambda_core.attempt"])]
        assert a["faas.coldstart"] == bool(t["cold"][i])
        assert a["faas.trigger"] == ("pubsub" if t["event"][i] else "http")
        assert len(a["faas.invocation_id"]) == 36
        assert int(s["startTimeUnixNano"]) == (EPOCH * 10**6 + round(t["start"][i] * 1e6)) * 1000
        throttled = t["outcome"][i] == Outcome.THROTTLED
        assert (s["status"]["code"] == 2) == (throttled or t["outcome"][i] != Outcome.SUCCESS)
        if throttled:
            assert s["spanId"] not in children
            continue
        assert children[s["spanId"]] == (["init"] if t["cold"][i] else []) + ["handler"]
        x = xray[s["spanId"]]
        assert s["traceId"] == x["trace_id"][2:].replace("-", "")


def whole_and_windows() -> tuple[lc.Result, list[lc.Window], lc.Simulator]:
    """The stormy run in one call, and in twelve windows of another simulator (left at the end)."""
    sim, w = stormy()
    whole = sim.run(w)
    chunked, _ = stormy()
    chunked.submit(w)
    windows = [chunked.advance(until) for until in np.linspace(5, 200, 11)]
    windows.append(chunked.advance(None))
    return whole, windows, chunked


def test_chunked_advances_trace_what_one_run_does() -> None:
    whole, windows, _ = whole_and_windows()
    for k, v in whole.traces.items():
        assert np.array_equal(np.concatenate([win.traces[k] for win in windows]), v), k
    assert sum(len(win.traces["request"]) for win in windows) == len(whole.traces["request"])
    # an attempt still running at a window's end is logged in the window it ends in
    assert any(np.any(win.traces["start"] < prev.until) for prev, win in zip(windows, windows[1:])
               if prev.until is not None and len(win.traces["request"]))


def test_a_window_builds_the_documents_of_its_attempts_as_the_run_does() -> None:
    whole, windows, chunked = whole_and_windows()
    assert sum(len(win.xray(EPOCH)) for win in windows) > 0
    assert [d for win in windows for d in win.xray(EPOCH)] == whole.xray(EPOCH)
    spans = lambda doc: [s for r in doc["resourceSpans"] for ss in r["scopeSpans"] for s in ss["spans"]]  # noqa: E731
    # OTLP groups spans by function (a resource): the same spans, grouped per window
    key = lambda s: (s["traceId"], s["spanId"])  # noqa: E731
    assert sorted((s for win in windows for s in spans(win.otlp(EPOCH))), key=key) == sorted(spans(whole.otlp(EPOCH)), key=key)
    for win in windows:
        for doc in win.xray(EPOCH):
            check_segment(doc)
        check_otlp(win.otlp(EPOCH))
    # a window with no traced attempt has no documents
    assert chunked.advance(None).xray() == []


def test_event_source_batches_and_zero_reserved_drops_are_not_traced() -> None:
    fs = [lc.Function("off", reserved_concurrency=0, tracing="Active")]
    w = lc.Workload(np.arange(5.0), np.zeros(5, np.int64), np.full(5, 0.1), InvocationType.EVENT)
    r = lc.Simulator(lc.Account(), fs).run(w)
    assert len(r.traces["request"]) == 0


def test_documents_serialise_and_stay_small() -> None:
    sim, w = stormy()
    for d in sim.run(w).xray():
        assert len(json.dumps(d).encode()) <= 64 * 1024


def test_a_refused_attempt_is_drawn_as_an_error_of_the_service_only() -> None:
    # docs/traces.md: a FUNCTION_PENDING attempt never ran, so it has no function segment
    vpc = lc.VpcConfig(["subnet-a"], ["sg-1"])
    f = lc.Function("a", vpc=vpc, created_at_s=0.0, tracing="Active", init_s=0)
    r = lc.Simulator(lc.Account(), [f]).run(lc.Workload([1.0, 100.0], 0, 0.5))
    assert r.requests["outcome"].tolist() == [lc.Outcome.FUNCTION_PENDING, lc.Outcome.SUCCESS]
    docs = r.xray()
    refused = [d for d in docs if d["origin"] == "AWS::Lambda" and d["metadata"]["lambda_core"]["request"] == 0]
    assert len(refused) == 1
    assert not [d for d in docs if d["trace_id"] == refused[0]["trace_id"] and d["origin"] != "AWS::Lambda"]
    assert refused[0]["error"] is True and refused[0]["http"]["response"]["status"] == 409
    assert refused[0]["metadata"]["lambda_core"]["aws_error"] == "ResourceConflictException"
    spans = [s for rs in r.otlp()["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    mine = [s for s in spans if any(a["key"] == "lambda_core.request" and a["value"].get("intValue") in (0, "0")
                                    for a in s["attributes"])]
    assert len(mine) == 1 and mine[0]["status"]["code"] == 2
    assert "Pending" in mine[0]["status"]["message"]

"""The behaviour corpus: digests of runs recorded before a change, compared after it.

A change that should not alter behaviour (a refactor, a speed-up) must leave every digest
bit-identical. The corpus holds:

- the built-in scenario's and ``examples/scenario.toml``'s ``lambda-core run --json`` output,
  without the wall-time figures;
- ``N_RANDOM`` random API scenarios (synchronous requests, asynchronous events with retries and
  destinations, client retries, Kinesis/DynamoDB streams, standard and FIFO SQS queues, several
  routings, ``until`` or not, ``run`` or ``submit``/``advance`` in chunks) drawn from a fixed
  seed with numpy only (no hypothesis, whose draws change between versions), each reduced to a
  SHA-256 over every array and counter of its result.

``python tests/golden/corpus.py`` rewrites ``corpus.json`` (only do that when a change is meant
to alter behaviour, and say so in the commit); ``tests/test_golden_corpus.py`` checks it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

import lambda_core as lc

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.json"
EXAMPLE = HERE.parents[1] / "examples" / "scenario.toml"
N_RANDOM = 300
WALL_KEYS = {"wall_time_s", "invocations_per_s"}


def _without_wall_times(x: Any) -> Any:
    if isinstance(x, dict):
        for key in NEWER_COUNTERS:
            assert not x.get(key), key
        return {k: _without_wall_times(v) for k, v in x.items() if k not in WALL_KEYS and k not in NEWER_COUNTERS}
    if isinstance(x, list):
        return [_without_wall_times(v) for v in x]
    return x


def cli_json(*args: str) -> Any:
    """``lambda-core run --json --quiet ARGS`` as parsed JSON, wall times removed (and the
    counters newer than the corpus, which must be zero)."""
    from lambda_core._cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", "--json", "--quiet", *args])
    assert code == 0, code
    return _without_wall_times(json.loads(out.getvalue()))


class _Digest:
    """SHA-256 over named values, fed in a fixed order."""

    def __init__(self) -> None:
        self.h = hashlib.sha256()

    def add(self, name: str, value: Any) -> None:
        self.h.update(name.encode() + b"\0")
        if isinstance(value, np.ndarray):
            a = np.ascontiguousarray(value)
            self.h.update(str(a.dtype).encode() + str(a.shape).encode())
            self.h.update(a.tobytes())
        elif isinstance(value, dict):
            for k in sorted(value):
                self.add(f"{name}.{k}", value[k])
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                self.add(f"{name}[{i}]", v)
        else:
            if isinstance(value, (np.generic,)):
                value = value.item()
            self.h.update(repr(value).encode())
        self.h.update(b"\1")

    def hexdigest(self) -> str:
        return self.h.hexdigest()


def _times(rng: np.random.Generator, n: int, horizon: float) -> np.ndarray:
    # a coarse grid: many rows share an instant, which exercises the same-instant order
    grid = rng.choice([0.001, 0.01, 0.25])
    return np.sort(np.round(rng.uniform(0, horizon, n) / grid) * grid)


def random_case(i: int) -> dict[str, Any]:
    """The configuration and inputs of random scenario `i` (a pure function of `i`)."""
    rng = np.random.default_rng([20261201, i])
    limit = int(rng.choice([10, 20, 50, 200]))
    scaling = [None, "current", "legacy"][int(rng.integers(0, 3))]
    # the corpus was recorded before the request-rate limit (docs/model.md §14): without it,
    # behaviour must be what it was
    account: dict[str, Any] = {"concurrency_limit": limit, "unreserved_min": 0, "scaling": scaling,
                               "invocation_rate_limit": False}
    if scaling is not None and rng.random() < 0.5:
        account["scaling_burst"] = int(rng.integers(1, 20))
        account["scaling_refill_per_s"] = float(rng.choice([1.0, 10.0, 100.0]))
    n_functions = int(rng.integers(1, 5))
    functions: list[dict[str, Any]] = []
    reserved = 0
    for f in range(n_functions):
        spec: dict[str, Any] = {
            "name": f"fn{f}",
            "timeout_s": int(rng.choice([1, 3, 30])),
            "init_s": float(rng.choice([0.0, 0.2, 1.0])),
            "idle_timeout_s": float(rng.choice([0.5, 5.0, 600.0])),
            "max_retry_attempts": int(rng.integers(0, 3)),
            "max_event_age_s": int(rng.choice([60, 120, 21600])),
        }
        if rng.random() < 0.4 and reserved < limit:
            rc = int(rng.integers(0, max(1, (limit - reserved) // 2) + 1))
            spec["reserved_concurrency"] = rc
            reserved += rc
            if rc > 0 and rng.random() < 0.4:
                spec["provisioned_concurrency"] = int(rng.integers(1, rc + 1))
                spec["provisioned_ready_s"] = float(rng.choice([0.0, 2.0]))
        if rng.random() < 0.5:
            spec["on_failure"] = "failures"
        if rng.random() < 0.3:
            spec["dead_letter_queue"] = f"dlq{f}"
        if rng.random() < 0.3:
            spec["on_success"] = "successes"
        functions.append(spec)
    horizon = float(rng.choice([5.0, 30.0, 120.0]))
    n = int(rng.integers(0, 400))
    event_share = float(rng.choice([0.0, 0.3, 1.0]))
    workload = {
        "time": _times(rng, n, horizon),
        "function": rng.integers(0, n_functions, n).astype(np.int64),
        "duration": np.round(rng.exponential(float(rng.choice([0.05, 0.5, 2.0])), n), 6),
        "invocation_type": (rng.random(n) < event_share).astype(np.uint8),
        "failures": np.where(rng.random(n) < 0.1, rng.integers(1, 4, n), 0).astype(np.int64),
    }
    sources: list[dict[str, Any]] = []
    for s in range(int(rng.integers(0, 3))):
        kind = ["kinesis", "dynamodb", "sqs", "sqs-fifo"][int(rng.integers(0, 4))]
        m = int(rng.integers(0, 300))
        src: dict[str, Any] = {
            "kind": kind,
            "name": f"src{s}",
            "function": int(rng.integers(0, n_functions)),
            "time": _times(rng, m, horizon),
            "key": rng.integers(0, int(rng.choice([3, 1000, 2**40])), m).astype(np.int64),
            "failures": np.where(rng.random(m) < 0.05, rng.integers(1, 6, m), 0).astype(np.int64),
            "batch_size": int(rng.choice([1, 5, 10])),
            "window": float(rng.choice([0.0, 0.0, 1.0])),
            "duration": (float(rng.choice([0.01, 0.3])), float(rng.choice([0.0, 0.01]))),
        }
        if kind in ("kinesis", "dynamodb"):
            src["shards"] = int(rng.integers(1, 6))
            src["parallelization_factor"] = int(rng.choice([1, 1, 3]))
            src["maximum_retry_attempts"] = [None, 0, 2][int(rng.integers(0, 3))]
            src["bisect"] = bool(rng.random() < 0.5)
            src["maximum_record_age_s"] = [None, 60][int(rng.integers(0, 2))]
            src["on_failure"] = "stream-failures" if rng.random() < 0.5 else None
        else:
            # AWS wants it at least the function's timeout; raised after the draw, so that
            # the draws (and the cases that met the rule already) stay as recorded
            drawn = float(rng.choice([1.0, 5.0, 30.0]))
            src["visibility_timeout_s"] = max(drawn, float(functions[src["function"]]["timeout_s"]))
            src["max_receive_count"] = [None, 1, 3][int(rng.integers(0, 3))]
            src["maximum_concurrency"] = [None, 2, 5][int(rng.integers(0, 3))]
            if kind == "sqs-fifo":
                src["window"] = 0.0  # AWS refuses a batching window on FIFO queues
        sources.append(src)
    until = [None, horizon / 2, horizon * 3][int(rng.integers(0, 3))]
    if until is None and any(functions[s["function"]].get("reserved_concurrency") == 0 for s in sources):
        until = horizon * 3  # batches of a function reserving 0 throttle for ever
    return {
        "account": account,
        "functions": functions,
        "routing": ["newest", "mru", "oldest"][int(rng.integers(0, 3))],
        "seed": int(rng.integers(0, 2**63)),
        "client_retries": bool(rng.random() < 0.3),
        "workload": workload,
        "sources": sources,
        "until": until,
        "mode": ["run", "advance"][int(rng.integers(0, 2))],
        "chunks": int(rng.integers(1, 4)),
    }


def build(case: dict[str, Any]) -> lc.Simulator:
    functions = [lc.Function(**f) for f in case["functions"]]
    names = [f.name for f in functions]
    mappings = []
    for s in case["sources"]:
        duration = lc.BatchDuration(*s["duration"])
        function = names[s["function"]]
        if s["kind"] in ("kinesis", "dynamodb"):
            cls = lc.KinesisStream if s["kind"] == "kinesis" else lc.DynamoDBStream
            source = cls(s["name"], shards=s["shards"])
            mappings.append(lc.EventSourceMapping(
                source, function, batch_size=s["batch_size"], batching_window_s=s["window"],
                parallelization_factor=s["parallelization_factor"],
                maximum_retry_attempts=s["maximum_retry_attempts"],
                maximum_record_age_s=s["maximum_record_age_s"],
                bisect_batch_on_function_error=s["bisect"], on_failure=s["on_failure"],
                duration=duration))
        else:
            fifo = s["kind"] == "sqs-fifo"
            queue = lc.SqsQueue(s["name"] + (".fifo" if fifo else ""), fifo=fifo,
                                visibility_timeout_s=s["visibility_timeout_s"],
                                max_receive_count=s["max_receive_count"])
            mappings.append(lc.EventSourceMapping(
                queue, function, batch_size=s["batch_size"], batching_window_s=s["window"],
                maximum_concurrency=s["maximum_concurrency"], duration=duration))
    return lc.Simulator(lc.Account(**case["account"]), functions, seed=case["seed"],
                        routing=case["routing"],
                        client_retries=lc.RetryPolicy() if case["client_retries"] else None,
                        mappings=mappings)


def _records(sim: lc.Simulator, case: dict[str, Any], lo: int | None = None, hi: int | None = None) -> list[lc.Records]:
    out = []
    for s, name in zip(case["sources"], sim.source_names):
        sl = slice(lo, hi)
        if lo is not None:
            t = s["time"]
            sl = slice(int(np.searchsorted(t, lo, "left")), int(np.searchsorted(t, hi, "left")))
        out.append(lc.Records(name, time=s["time"][sl], key=s["key"][sl], failures=s["failures"][sl]))
    return out


def digest(case: dict[str, Any]) -> str:
    """One scenario run through the public API, reduced to a SHA-256 of all it returned."""
    sim = build(case)
    w = case["workload"]
    d = _Digest()
    if case["mode"] == "run":
        r = sim.run(lc.Workload(**w), until=case["until"], records=_records(sim, case))
        for k in sorted(r.requests):
            d.add(f"requests.{k}", np.asarray(r.requests[k]))
        for name in sorted(r.records):
            d.add(f"records.{name}", dict(r.records[name]))
    else:
        # advance through time in chunks, submitting each chunk's rows and records before it
        end = float(w["time"][-1]) if len(w["time"]) else 0.0
        for s in case["sources"]:
            if len(s["time"]):
                end = max(end, float(s["time"][-1]))
        cuts = np.linspace(0.0, end + 1e-3, case["chunks"] + 1)[1:]
        lo = 0.0
        for j, cut in enumerate(cuts):
            a = int(np.searchsorted(w["time"], lo, "left"))
            b = int(np.searchsorted(w["time"], cut, "left"))
            sim.submit(lc.Workload(**{k: v[a:b] for k, v in w.items()}))
            for rec in _records(sim, case, lo, cut):
                sim.submit_records(rec)
            last = j == len(cuts) - 1
            target = case["until"] if last else float(cut)
            if case["until"] is not None and case["until"] < float(cut):
                target = case["until"]  # stats(until) needs the clock at until
            win = sim.advance(target)
            d.add(f"window{j}.now", win.now)
            for k in sorted(win.requests):
                d.add(f"window{j}.requests.{k}", np.asarray(win.requests[k]))
            d.add(f"window{j}.destinations", {k: dict(v) for k, v in win.destinations.items()})
            d.add(f"window{j}.records", {k: dict(v) for k, v in win.records.items()})
            lo = float(cut)
            if case["until"] is not None and case["until"] < cut:
                break
        r = sim.stats(case["until"])
    d.add("functions", _recorded_counters(dict(r.functions)))
    d.add("account", dict(r.account))
    d.add("horizon", r.horizon)
    d.add("destinations", {k: dict(v) for k, v in r.destinations.items()})
    d.add("mappings", {k: dict(v) for k, v in r.mappings.items()})
    d.add("destination_counts", sim.destination_counts())
    d.add("now", sim.now)
    return d.hexdigest()


#: Counters that came after the corpus was recorded (docs/model.md §13–14): nothing in it makes
#: them count, so they are checked to be zero and left out of the digest.
NEWER_COUNTERS = ("throttles_rate", "throttles_reserved_rate", "conflicts_pending",
                  "conflicts_inactive", "eni_failures", "payloads_too_large")


def _recorded_counters(functions: dict[str, Any]) -> dict[str, Any]:
    for key in NEWER_COUNTERS:
        assert not np.asarray(functions.pop(key)).any(), key
    return functions


def outcome(i: int) -> str:
    """The digest of random scenario `i`, or the class and text of the error it raised."""
    try:
        return digest(random_case(i))
    except lc.LambdaCoreError as e:
        return f"{type(e).__name__}: {e}"


def record() -> dict[str, Any]:
    return {
        "builtin": cli_json(),
        "example": cli_json(str(EXAMPLE)),
        "random": [outcome(i) for i in range(N_RANDOM)],
    }


if __name__ == "__main__":
    corpus = record()
    errors = sum(1 for r in corpus["random"] if ":" in r)
    CORPUS.write_text(json.dumps(corpus, indent=1, sort_keys=True) + "\n")
    print(f"wrote {CORPUS} ({N_RANDOM} random scenarios, {errors} refused)", file=sys.stderr)

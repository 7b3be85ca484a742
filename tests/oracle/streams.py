"""Pure-Python reference model (test oracle) of stream event-source mappings (docs/model.md §7).

Written ahead of the engine's event-source mappings (the next piece of work): it fixes the
rules the Rust lanes will be tested against.

Kinesis and DynamoDB Streams: records hash onto shards and lanes, each lane polls, gathers and
dispatches batches one at a time, in order, through the same admission machinery as
tests/oracle/invocations.py (§3, §4), which this module reuses by subclassing its `Simulator`
(environments, pools, reservations, scaling buckets, idle expiry, routing and the per-function
counters all come from there unchanged: a batch occupies and releases an environment through
`Simulator.occupy` and `Simulator.release`).

    simulate_streams(account, functions, streams, mappings, records, routing="newest",
                     until=None) -> dict

Everything inside is integer microseconds (invocations.to_us at the boundary). See the
docstring of `simulate_streams` for the shapes and the rules.
"""

from __future__ import annotations

from collections import deque

from .invocations import (
    PHASE_ARRIVAL, PHASE_END, PHASE_TIMER, REFUSALS, SUCCESS, THROTTLE_BACKOFF_CAP_S, Simulator,
    SplitMix64, to_us,
)

# Record outcome codes (also the on-failure record's `condition`: 2 and 3).
PENDING, PROCESSED, RETRY_ATTEMPTS_EXHAUSTED, RECORD_AGE_EXCEEDED, EXPIRED = 0, 1, 2, 3, 4

M64 = (1 << 64) - 1
POLL_INTERVAL_US = {"kinesis": 1_000_000, "dynamodb": 250_000}
DEFAULT_RETENTION_S = 86400.0
BACKOFF_CAP_S = THROTTLE_BACKOFF_CAP_S  # retry k (errors and throttles) waits min(2^(k−1), 300) s

MAPPING_DEFAULTS = {
    "stream": None,
    "function": None,
    "batch_size": 100,
    "batching_window_s": 0.0,
    "parallelization_factor": 1,
    "maximum_retry_attempts": -1,
    "maximum_record_age_s": -1,
    "bisect_batch_on_function_error": False,
    "on_failure": None,
    "duration_base_s": 0.05,
    "duration_per_record_s": 0.0,
}

# Lane states. A lane with nothing to do is DORMANT (no timer); a record arriving at t_a wakes
# it with a poll at the first grid instant k·I strictly after t_a, which is when a lane polling
# every I from time 0 would first see it (a poll at t_a itself comes before the arrival, §1).
DORMANT, POLLING, GATHERING, BUSY, WAITING = "dormant", "polling", "gathering", "busy", "waiting"



def key_hash(key: int) -> int:
    """SplitMix64 finaliser of the key as u64 (two's complement for negatives)."""
    return SplitMix64(key).next()  # state = key mod 2^64; next() adds the golden gamma first


def shard_and_lane(key: int, shards: int, parallelization_factor: int) -> tuple[int, int]:
    """Multiply-high ranges, as Kinesis maps a key's hash onto the shards' hash-key ranges:
    shard = ⌊h·S / 2^64⌋; the lane takes the position within the shard's range,
    lane = ⌊((h·S) mod 2^64)·P / 2^64⌋."""
    product = key_hash(key) * shards
    return product >> 64, ((product & M64) * parallelization_factor) >> 64


def backoff_us(k: int) -> int:
    """The wait before the k-th retry (k ≥ 1): min(2^(k−1), 300) s."""
    return min(2 ** (k - 1), BACKOFF_CAP_S) * 1_000_000


class Mapping:
    def __init__(self, index: int, cfg: dict, stream_index: int, n_functions: int):
        unknown = set(cfg) - set(MAPPING_DEFAULTS)
        if unknown:
            raise ValueError(f"mapping {index}: unknown keys {sorted(unknown)}")
        c = {**MAPPING_DEFAULTS, **{k: v for k, v in cfg.items() if v is not None}}
        c["on_failure"] = cfg.get("on_failure")
        self.index = index
        self.stream = stream_index
        self.fn = int(c["function"])
        if not 0 <= self.fn < n_functions:
            raise ValueError(f"mapping {index}: no function {self.fn}")
        self.batch_size = int(c["batch_size"])
        self.window = to_us(c["batching_window_s"])
        self.pf = int(c["parallelization_factor"])
        if self.batch_size < 1 or self.pf < 1:
            raise ValueError(f"mapping {index}: batch_size and parallelization_factor must be ≥ 1")
        self.max_retry = int(c["maximum_retry_attempts"])  # −1: no limit
        age = c["maximum_record_age_s"]
        self.max_age = -1 if age == -1 else to_us(age)  # −1: no limit
        self.bisect = bool(c["bisect_batch_on_function_error"])
        self.on_failure = c["on_failure"]
        self.base = to_us(c["duration_base_s"])
        self.per_record = to_us(c["duration_per_record_s"])
        self.running = 0
        self.counters = {"invocations": 0, "batches": 0, "max_concurrency": 0,
                         "max_iterator_age": 0, "throttles": 0, "retries": 0,
                         "on_failure_records": 0, "records_processed": 0,
                         "records_failed": 0, "records_expired": 0, "polled_records": 0,
                         "invoked_records": 0, "failed_invoke_records": 0}


class Batch:
    def __init__(self, recs: list[int]):
        self.recs = recs  # global record ids, in order
        self.retries = 0  # retries used (function errors)
        self.throttles = 0  # consecutive throttles


class Lane:
    def __init__(self, mapping: Mapping, shard: int, lane: int):
        self.mapping = mapping
        self.shard = shard
        self.lane = lane
        self.fifo: deque[int] = deque()  # arrived records not yet in any batch
        self.queue: list[Batch] = []  # bisect halves waiting ahead of the FIFO
        self.current: Batch | None = None  # in flight or waiting to retry
        self.state = DORMANT
        self.gen = 0  # invalidates a stale batching-window timer


class StreamSimulator(Simulator):
    def __init__(self, account, functions, streams, mappings, records, routing, until,
                 workload=None):
        super().__init__(account, functions,
                         workload or {"time": [], "function": [], "duration": []},
                         routing, until)
        self.n_requests = len(self.times)
        # Streams.
        self.stream_names = []
        self.stream_kind = []
        self.stream_shards = []
        self.stream_retention = []
        index_of = {}
        for s in streams:
            name = s["name"]
            if name in index_of:
                raise ValueError(f"duplicate stream {name!r}")
            kind = s["kind"]
            if kind not in POLL_INTERVAL_US:
                raise ValueError(f"unknown stream kind {kind!r}")
            if int(s["shards"]) < 1:
                raise ValueError(f"stream {name!r}: shards must be ≥ 1")
            index_of[name] = len(self.stream_names)
            self.stream_names.append(name)
            self.stream_kind.append(kind)
            self.stream_shards.append(int(s["shards"]))
            retention = s.get("retention_s")
            self.stream_retention.append(
                to_us(DEFAULT_RETENTION_S if retention is None else retention))
        for name in records:
            if name not in index_of:
                raise ValueError(f"records for unknown stream {name!r}")

        # Mappings (at most one per stream: a record's outcome is that of its one consumer).
        self.maps: list[Mapping] = []
        self.mapping_of_stream: dict[int, Mapping] = {}
        for i, cfg in enumerate(mappings):
            if cfg.get("stream") not in index_of:
                raise ValueError(f"mapping {i}: unknown stream {cfg.get('stream')!r}")
            si = index_of[cfg["stream"]]
            if si in self.mapping_of_stream:
                raise ValueError(f"stream {cfg['stream']!r} has more than one mapping")
            m = Mapping(i, cfg, si, len(self.fns))
            self.maps.append(m)
            self.mapping_of_stream[si] = m

        # Lanes (mapping, shard, lane), all dormant at first.
        self.lanes: dict[tuple[int, int, int], Lane] = {}
        for m in self.maps:
            for s in range(self.stream_shards[m.stream]):
                for p in range(m.pf):
                    self.lanes[(m.index, s, p)] = Lane(m, s, p)

        # Records, flattened: streams in the order given, then input order. At one instant
        # (§1 class 4) workload rows arrive first, then records in this order.
        self.rec_stream: list[int] = []
        self.rec_local: list[int] = []
        self.rec_time: list[int] = []
        self.rec_remaining: list[int] = []  # failures still to come
        self.rec_shard: list[int] = []
        self.rec_lane: list[int] = []
        self.rec_lane_obj: list[Lane | None] = []
        for si, name in enumerate(self.stream_names):
            r = records.get(name, {})
            times = list(r.get("time", []))
            keys = list(r.get("key", []))
            fails = list(r.get("failures", [0] * len(times)))
            if not len(times) == len(keys) == len(fails):
                raise ValueError(f"stream {name!r}: time, key, failures lengths differ")
            m = self.mapping_of_stream.get(si)
            pf = m.pf if m is not None else 1
            prev = None
            for j, (x, key, nf) in enumerate(zip(times, keys, fails)):
                t = to_us(x)
                if prev is not None and t < prev:
                    raise ValueError(f"stream {name!r}: times must be non-decreasing")
                prev = t
                shard, lane = shard_and_lane(int(key), self.stream_shards[si], pf)
                self.rec_stream.append(si)
                self.rec_local.append(j)
                self.rec_time.append(t)
                self.rec_remaining.append(int(nf))
                self.rec_shard.append(shard)
                self.rec_lane.append(lane)
                self.rec_lane_obj.append(
                    None if m is None else self.lanes[(m.index, shard, lane)])
        n = len(self.rec_time)
        self.rec_outcome = [PENDING] * n
        self.rec_attempts = [0] * n
        self.rec_start: list[int | None] = [None] * n
        self.rec_end: list[int | None] = [None] * n
        self.last_resolution = 0
        # per-mapping events for the mapping-level series of tests/oracle/metrics.py (§10):
        # (metric, t, mapping index, value)
        self.mapping_log: list[tuple[str, int, int, int]] = []
        self.stream_dest: dict[str, dict[str, list]] = {}
        for r in range(n):
            self.push(self.rec_time[r], PHASE_ARRIVAL, self.n_requests + r, ("record", r))

        if self.until is None:
            for m in self.maps:
                if self.fns[m.fn].rc == 0 and any(
                        x is not None and x.mapping is m for x in self.rec_lane_obj):
                    raise ValueError(f"mapping {m.index}: its function has reserved "
                                     "concurrency 0, so its batches throttle for ever: "
                                     "pass until")

    # ---- helpers --------------------------------------------------------------------------

    def timer(self, t: int, payload: tuple) -> None:
        """§1 class 3: timers at one instant fire in the order they were scheduled."""
        self.timer_counter += 1
        self.push(t, PHASE_TIMER, self.timer_counter, payload)

    def poll_interval(self, lane: Lane) -> int:
        return POLL_INTERVAL_US[self.stream_kind[lane.mapping.stream]]

    def resolve_record(self, t: int, r: int, outcome: int) -> None:
        self.rec_outcome[r] = outcome
        self.last_resolution = t
        m = self.rec_lane_obj[r].mapping
        key = {PROCESSED: "records_processed", EXPIRED: "records_expired"}.get(outcome,
                                                                            "records_failed")
        m.counters[key] += 1
        if outcome != PROCESSED:
            self.mapping_log.append(("DroppedEventCount", t, m.index, 1))

    # ---- event loop -----------------------------------------------------------------------

    def run(self) -> dict:
        self.loop()  # dormant lanes schedule nothing: the heap empties when all is done
        return self.stream_result(self.source_horizon(self.last_resolution))

    def handle(self, t: int, payload: tuple) -> None:
        kind = payload[0]
        if kind == "end" and isinstance(payload[2], Lane):
            self.on_batch_end(t, payload[1], payload[2], payload[3])
        elif kind == "poll":
            self.on_poll(t, payload[1])
        elif kind == "window":
            self.on_window(t, payload[1], payload[2])
        elif kind == "retry" and isinstance(payload[1], Lane):
            self.invoke(t, payload[1])
        elif kind == "record":
            self.on_record(t, payload[1])
        else:
            super().handle(t, payload)

    # ---- lanes ----------------------------------------------------------------------------

    def on_record(self, t: int, r: int) -> None:
        lane = self.rec_lane_obj[r]
        if lane is None:
            return  # nobody consumes this stream: the record stays PENDING
        lane.fifo.append(r)
        if lane.state == DORMANT:
            lane.state = POLLING
            interval = self.poll_interval(lane)
            self.timer((t // interval + 1) * interval, ("poll", lane))
        elif lane.state == GATHERING and len(lane.fifo) >= lane.mapping.batch_size:
            self.dispatch_new(t, lane)  # the batch is full: no need to wait for the window

    def on_poll(self, t: int, lane: Lane) -> None:
        assert lane.state == POLLING and lane.fifo  # records are only taken by the lane itself
        self.begin(t, lane)

    def go_idle(self, t: int, lane: Lane) -> None:
        """Nothing left to do: the lane sleeps until a record arrives (see DORMANT)."""
        lane.state = DORMANT

    def begin(self, t: int, lane: Lane) -> None:
        """The lane has records in its FIFO and nothing in flight: form a batch, or gather."""
        m = lane.mapping
        if m.window == 0 or len(lane.fifo) >= m.batch_size:
            self.dispatch_new(t, lane)
        else:
            lane.state = GATHERING
            lane.gen += 1
            self.timer(t + m.window, ("window", lane, lane.gen))

    def on_window(self, t: int, lane: Lane, gen: int) -> None:
        if lane.state == GATHERING and lane.gen == gen:
            self.dispatch_new(t, lane)

    def dispatch_new(self, t: int, lane: Lane) -> None:
        """Form a new batch from the FIFO head (after dropping expired records) and invoke it."""
        m = lane.mapping
        lane.gen += 1  # cancels a pending window timer
        retention = self.stream_retention[m.stream]
        while lane.fifo and self.rec_time[lane.fifo[0]] + retention <= t:
            self.resolve_record(t, lane.fifo.popleft(), EXPIRED)
        if not lane.fifo:
            self.go_idle(t, lane)
            return
        recs = [lane.fifo.popleft() for _ in range(min(m.batch_size, len(lane.fifo)))]
        self.mapping_log.append(("PolledEventCount", t, m.index, len(recs)))
        m.counters["batches"] += 1
        m.counters["polled_records"] += len(recs)  # PolledEventCount: read once, into a batch
        lane.current = Batch(recs)
        self.invoke(t, lane)

    def next_batch(self, t: int, lane: Lane) -> None:
        """The current batch is finished (success or given up): move on."""
        lane.current = None
        if lane.queue:
            lane.current = lane.queue.pop(0)  # a bisect half: already formed, goes at once
            self.invoke(t, lane)
        elif lane.fifo:
            self.begin(t, lane)
        else:
            self.go_idle(t, lane)

    # ---- invocation -----------------------------------------------------------------------

    def invoke(self, t: int, lane: Lane) -> None:
        """One synchronous invocation of the lane's current batch: admission (§4).

        Records older than the retention are lost before every invocation of a batch, its
        retries included (docs/model.md §7: with maximum_retry_attempts = -1 a failing batch is
        retried "until the record expires")."""
        m = lane.mapping
        b = lane.current
        retention = self.stream_retention[m.stream]
        kept = [r for r in b.recs if self.rec_time[r] + retention > t]
        if len(kept) < len(b.recs):
            for r in b.recs:
                if self.rec_time[r] + retention <= t:
                    self.resolve_record(t, r, EXPIRED)
            if not kept:
                self.next_batch(t, lane)
                return
            b.recs = kept
        f = self.fns[m.fn]
        env, reason = self.admit(t, m.fn, f)
        if env is None:
            # §4, §14 throttles; §13 refusals (FUNCTION_PENDING, FUNCTION_INACTIVE,
            # ENI_LIMIT_REACHED) count in the function's refusal counters instead of its
            # throttles, and the batch is then handled as a throttled one (§13)
            if reason in REFUSALS:
                self.count_refusal(t, f, reason)
            else:
                self.count_throttle(t, f, reason)
            m.counters["throttles"] += 1
            self.mapping_log.append(("FailedInvokeEventCount", t, m.index, len(b.recs)))
            m.counters["failed_invoke_records"] += len(b.recs)
            b.throttles += 1
            lane.state = WAITING
            self.timer(t + backoff_us(b.throttles), ("retry", lane))
            return
        b.throttles = 0
        lane.state = BUSY
        self.start_batch(t, lane, env)

    def start_batch(self, t: int, lane: Lane, env) -> None:
        """Run the batch on env: one attempt through Simulator.occupy (§3, §5)."""
        m = lane.mapping
        b = lane.current
        duration = m.base + m.per_record * len(b.recs)
        failing = any(self.rec_remaining[r] > 0 for r in b.recs)
        outcome, _cold, end = self.occupy(t, env, duration, failing)
        for r in b.recs:
            self.rec_remaining[r] = max(0, self.rec_remaining[r] - 1)
            self.rec_attempts[r] += 1
            self.rec_start[r] = t
            self.rec_end[r] = end

        mc = m.counters
        m.running += 1
        mc["invocations"] += 1
        mc["invoked_records"] += len(b.recs)
        mc["max_concurrency"] = max(mc["max_concurrency"], m.running)
        mc["max_iterator_age"] = max(mc["max_iterator_age"], t - self.rec_time[b.recs[-1]])
        self.mapping_log += [("BatchInvocations", t, m.index, 1),
                             ("InvokedEventCount", t, m.index, len(b.recs)),
                             ("IteratorAge", t, m.index, t - self.rec_time[b.recs[-1]])]

        self.start_counter += 1
        self.push(end, PHASE_END, self.start_counter, ("end", env, lane, outcome))

    def on_batch_end(self, t: int, env, lane: Lane, outcome: int) -> None:
        self.release(t, env)

        m = lane.mapping
        m.running -= 1
        b = lane.current
        if outcome == SUCCESS:
            for r in b.recs:
                self.resolve_record(t, r, PROCESSED)
            self.next_batch(t, lane)
            return
        # Function error or timeout.
        n = len(b.recs)
        self.mapping_log.append(("FailedInvokeEventCount", t, m.index, n))
        m.counters["failed_invoke_records"] += n  # FailedInvokeEventCount, at the end
        if m.bisect and n > 1:
            half = (n + 1) // 2
            m.counters["batches"] += 2
            lane.queue.insert(0, Batch(b.recs[half:]))
            lane.current = Batch(b.recs[:half])
            self.invoke(t, lane)
            return
        b.retries += 1
        m.counters["retries"] += 1
        wait = backoff_us(b.retries)
        if m.max_retry != -1 and b.retries > m.max_retry:
            self.give_up(t, lane, RETRY_ATTEMPTS_EXHAUSTED)
        elif m.max_age != -1 and (t + wait) - self.rec_time[b.recs[0]] > m.max_age:
            self.give_up(t, lane, RECORD_AGE_EXCEEDED)
        else:
            lane.state = WAITING
            self.timer(t + wait, ("retry", lane))

    def give_up(self, t: int, lane: Lane, condition: int) -> None:
        m = lane.mapping
        for r in lane.current.recs:
            self.resolve_record(t, r, condition)
            if m.on_failure is not None:
                m.counters["on_failure_records"] += 1
                self.mapping_log.append(("OnFailureDestinationDeliveredEventCount", t, m.index, 1))
                d = self.stream_dest.setdefault(
                    m.on_failure, {"stream": [], "record": [], "condition": [], "time": []})
                d["stream"].append(self.stream_names[self.rec_stream[r]])
                d["record"].append(self.rec_local[r])
                d["condition"].append(condition)
                d["time"].append(t / 1e6)
        self.next_batch(t, lane)

    # ---- result ---------------------------------------------------------------------------

    def stream_result(self, horizon: int) -> dict:
        # Per-function counters and avg_environments come from Simulator.result with the
        # horizon put in `until` (it has no requests of its own).
        self.until = horizon
        base = Simulator.result(self)

        out = {name: {"outcome": [], "shard": [], "lane": [], "start": [], "end": [],
                      "attempts": []} for name in self.stream_names}
        for r in range(len(self.rec_time)):
            o = out[self.stream_names[self.rec_stream[r]]]
            end = self.rec_end[r]
            o["outcome"].append(self.rec_outcome[r])
            o["shard"].append(self.rec_shard[r])
            o["lane"].append(self.rec_lane[r])
            o["start"].append(None if self.rec_start[r] is None else self.rec_start[r] / 1e6)
            o["end"].append(None if end is None or end > horizon else end / 1e6)
            o["attempts"].append(self.rec_attempts[r])
        mappings = []
        for m in self.maps:
            c = dict(m.counters)
            c["max_iterator_age"] = c["max_iterator_age"] / 1e6
            mappings.append(c)
        return {"records": out, "mappings": mappings, "destinations": self.stream_dest,
                "requests": base["requests"], "request_destinations": base["destinations"],
                "functions": base["functions"], "account": base["account"],
                "horizon": horizon / 1e6}


def simulate_streams(account: dict, functions: list[dict], streams: list[dict],
                     mappings: list[dict], records: dict, routing: str = "newest",
                     until: float | None = None, workload: dict | None = None) -> dict:
    """Simulate stream event-source mappings (docs/model.md §7 on top of §1–5).

    account, functions, routing: as in invocations.simulate.
    streams:  [{"name", "kind": "kinesis"|"dynamodb", "shards", "retention_s" (86400)}]
    mappings: [{"stream", "function", "batch_size" (100), "batching_window_s" (0),
                "parallelization_factor" (1), "maximum_retry_attempts" (−1),
                "maximum_record_age_s" (−1), "bisect_batch_on_function_error" (False),
                "on_failure" (None), "duration_base_s" (0.05), "duration_per_record_s" (0)}]
              at most one mapping per stream.
    records:  {stream: {"time", "key", "failures"}} (times non-decreasing per stream).
    until:    stop after this instant (seconds); None runs until nothing is left to do.
    workload: optional rows as in invocations.simulate, sharing the functions; at one
              instant its rows arrive before records.

    Rules beyond the brief, decided here:
    - shard = ⌊h·S/2^64⌋ and lane = ⌊((h·S) mod 2^64)·P/2^64⌋ with h the SplitMix64
      finaliser of the key (see shard_and_lane).
    - Polls happen on the grid k·I. A lane with nothing to do schedules nothing; a record
      arriving at t_a into it makes it poll at ⌊t_a/I⌋·I + I (see DORMANT).
    - duration = to_us(duration_base_s) + n × to_us(duration_per_record_s).
    - mapping.retries counts every failed attempt that was not bisected, including the one
      that exhausts maximum_retry_attempts (as the brief words it).
    - The retention drop happens when a batch is formed from the FIFO (at once when W = 0, at
      dispatch when W > 0); a batch emptied by it dispatches nothing and the lane goes idle
      (next poll: first grid time strictly after now). Before every invocation of a batch
      (retries and bisect halves included) its records older than the retention are lost too
      (EXPIRED), so a batch retried without limit ends when its records expire. With W > 0 a poll (or a batch end) that finds ≥ batch_size records dispatches at
      once; "holds batch_size records" counts FIFO records, expired ones included.
    - Bisect halves already queued go at once when their turn comes (no window, no poll).
    - A record of a stream without a mapping stays PENDING; its lane is computed with P = 1.
    - PENDING records report the attempts and start of invocations admitted by `until`; `end`
      is None while that invocation has not ended by `until`.
    - Destination records also carry "stream" (record indices are per stream).

    Result: {"records": {stream: {outcome, shard, lane, start, end, attempts}},
    "mappings": [{invocations, batches, max_concurrency, max_iterator_age (s), throttles,
    retries, on_failure_records, records_processed, records_failed, records_expired,
    polled_records, invoked_records, failed_invoke_records}],
    "destinations": {name: {stream, record, condition, time}}, "requests" and
    "request_destinations" (the workload's, as in invocations.simulate),
    "functions": [counters as in simulate], "account": {...}, "horizon": seconds}.
    """
    return StreamSimulator(account, functions, streams, mappings, records, routing, until,
                           workload).run()

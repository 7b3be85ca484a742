"""Pure-Python reference model (test oracle) of SQS event-source mappings (docs/model.md §8).

Written ahead of the engine's queue mappings: it fixes the rules the Rust pollers will be tested
against, independently of the engine.

Standard and FIFO queues: a mapping keeps up to `slots` batches in flight, ramps `slots` up under
a backlog and back down without one, receives batches of visible messages (oldest first; FIFO:
one message group at a time per group), and invokes each batch synchronously through the same
admission machinery as tests/oracle/invocations.py (§3, §4), which this module reuses by
subclassing its `Simulator` (environments, pools, reservations, scaling buckets, idle expiry,
routing and the per-function counters all come from there unchanged: a batch occupies and
releases an environment through `Simulator.occupy` and `Simulator.release`), exactly as
tests/oracle/streams.py does for §7.

    simulate_queues(account, functions, queues, mappings, records, routing="newest",
                    until=None, workload=None) -> dict

Everything inside is integer microseconds (invocations.to_us at the boundary). See the
docstring of `simulate_queues` for the shapes and the rules.
"""

from __future__ import annotations

import bisect

from .invocations import (
    PHASE_ARRIVAL, PHASE_END, PHASE_TIMER, REFUSALS, SUCCESS, Simulator, to_us,
)
from .streams import EXPIRED, PENDING, PROCESSED

# Message outcome codes: PENDING = 0, PROCESSED = 1, EXPIRED = 4 (as reference_streams), and:
DEAD_LETTERED = 5

DEFAULT_VISIBILITY_TIMEOUT_S = 30.0
DEFAULT_RETENTION_S = 345600.0  # 4 days

QUEUE_DEFAULTS = {
    "name": None,
    "fifo": False,
    "visibility_timeout_s": DEFAULT_VISIBILITY_TIMEOUT_S,
    "max_receive_count": None,
    "retention_s": DEFAULT_RETENTION_S,
}

MAPPING_DEFAULTS = {
    "queue": None,
    "function": None,
    "batch_size": 10,
    "batching_window_s": 0.0,
    "maximum_concurrency": None,
    "duration_base_s": 0.05,
    "duration_per_record_s": 0.0,
}

# The ramp (docs/model.md §8): (base slots, cap, tick interval Δ in µs).
BASE_SLOTS = 5
CURRENT_CAP, CURRENT_TICK_US = 1250, 200_000  # +300 per minute: one slot every 0.2 s
LEGACY_CAP, LEGACY_TICK_US = 1000, 1_000_000  # +60 per minute: one slot every 1 s

# Message states.
NOT_ARRIVED, VISIBLE, IN_FLIGHT, INVISIBLE, RESOLVED = range(5)


BATCH_WINDOW_MESSAGE = ("Maximum batch window in seconds must be greater than 0 if maximum "
                        "batch size is greater than 10")
VISIBILITY_MESSAGE = "Invalid value for the parameter VisibilityTimeout."
MAX_VISIBILITY_TIMEOUT_S = 43200  # 12 hours


def visibility_below_timeout_message(visibility_s: float, timeout_s: float) -> str:
    """CreateEventSourceMapping's refusal of a queue whose visibility timeout is below the
    function's timeout (AWS prints whole seconds; a fractional timeout as given)."""
    def show(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else repr(float(x))
    return (f"Queue visibility timeout: {show(visibility_s)} seconds is less than Function "
            f"timeout: {show(timeout_s)} seconds")


class Queue:
    def __init__(self, index: int, cfg: dict):
        unknown = set(cfg) - set(QUEUE_DEFAULTS)
        if unknown:
            raise ValueError(f"queue {index}: unknown keys {sorted(unknown)}")
        c = {**QUEUE_DEFAULTS, **{k: v for k, v in cfg.items() if v is not None}}
        self.index = index
        self.name = c["name"]
        self.fifo = bool(c["fifo"])
        vt = float(c["visibility_timeout_s"])
        if not (0 <= vt <= MAX_VISIBILITY_TIMEOUT_S and vt.is_integer()):
            raise ValueError(VISIBILITY_MESSAGE)  # SQS takes whole seconds, 0–12 h
        self.visibility_s = vt
        self.visibility = to_us(vt)
        mrc = cfg.get("max_receive_count")
        if mrc is not None and int(mrc) < 1:
            raise ValueError(f"queue {self.name!r}: max_receive_count must be ≥ 1")
        self.max_receive = None if mrc is None else int(mrc)
        self.retention = to_us(c["retention_s"])


class Mapping:
    def __init__(self, index: int, cfg: dict, queue: Queue, functions: list[dict], legacy: bool):
        unknown = set(cfg) - set(MAPPING_DEFAULTS)
        if unknown:
            raise ValueError(f"mapping {index}: unknown keys {sorted(unknown)}")
        c = {**MAPPING_DEFAULTS, **{k: v for k, v in cfg.items() if v is not None}}
        self.index = index
        self.queue = queue
        self.fn = int(c["function"])
        if not 0 <= self.fn < len(functions):
            raise ValueError(f"mapping {index}: no function {self.fn}")
        # A mapped queue's messages come back no sooner than its function's timeout after a
        # receive (≥ 1 s in AWS): what bounds the receives of a busy function's batches.
        timeout_s = float(functions[self.fn].get("timeout_s", 3.0))
        if queue.visibility_s < timeout_s:
            raise ValueError(visibility_below_timeout_message(queue.visibility_s, timeout_s))
        self.batch_size = int(c["batch_size"])
        self.window = to_us(c["batching_window_s"])
        if queue.fifo:
            if not 1 <= self.batch_size <= 10:
                raise ValueError(f"mapping {index}: a FIFO batch_size must be 1–10")
            if self.window != 0:
                raise ValueError(f"mapping {index}: FIFO queues take no batching window")
        else:
            if not 1 <= self.batch_size <= 10000:
                raise ValueError(f"mapping {index}: batch_size must be 1–10000")
            if self.batch_size > 10 and self.window == 0:
                raise ValueError(BATCH_WINDOW_MESSAGE)
        mc = cfg.get("maximum_concurrency")
        if mc is not None and not 2 <= int(mc) <= 1000:
            raise ValueError(f"mapping {index}: maximum_concurrency must be 2–1000")
        self.base = min(BASE_SLOTS, BASE_SLOTS if mc is None else int(mc))
        cap = LEGACY_CAP if legacy else CURRENT_CAP
        self.cap = min(cap, cap if mc is None else int(mc))
        self.tick_us = LEGACY_TICK_US if legacy else CURRENT_TICK_US
        self.duration_base = to_us(c["duration_base_s"])
        self.per_record = to_us(c["duration_per_record_s"])

        # Run-time state.
        self.slots = self.base
        self.running = 0  # admitted batches in flight (a throttled batch frees its slot at once)
        self.visible: list[int] = []  # global message ids, sorted (oldest first)
        self.unresolved = 0  # arrived messages not yet resolved (visible, in flight, invisible)
        self.ticking = False  # a tick is scheduled (False: dormant)
        self.gathering = False  # a batching window is open
        self.flushing = False  # the batching window is firing: take whatever is visible
        self.gen = 0  # invalidates a stale batching-window timer
        self.held: dict = {}  # FIFO: group -> messages in flight or invisible (locked if > 0)
        self.counters = {"invocations": 0, "batches": 0, "max_concurrency": 0,
                         "max_slots": self.slots, "throttles": 0, "retries": 0,
                         "records_processed": 0, "records_failed": 0, "records_expired": 0,
                         "on_failure_records": 0, "polled_records": 0, "invoked_records": 0,
                         "failed_invoke_records": 0, "max_visible": 0}


class Batch:
    def __init__(self, mapping: Mapping, msgs: list[int], received_at: int):
        self.mapping = mapping
        self.msgs = msgs  # global message ids, in order
        self.received_at = received_at


class QueueSimulator(Simulator):
    def __init__(self, account, functions, queues, mappings, records, routing, until,
                 workload=None):
        super().__init__(account, functions,
                         workload or {"time": [], "function": [], "duration": []},
                         routing, until)
        self.n_requests = len(self.times)
        legacy = account.get("scaling") == "legacy"

        # Queues.
        self.queues: list[Queue] = []
        index_of = {}
        for i, cfg in enumerate(queues):
            q = Queue(i, cfg)
            if q.name in index_of:
                raise ValueError(f"duplicate queue {q.name!r}")
            index_of[q.name] = i
            self.queues.append(q)
        for name in records:
            if name not in index_of:
                raise ValueError(f"records for unknown queue {name!r}")

        # Mappings (at most one per queue: a message's outcome is that of its one consumer).
        self.maps: list[Mapping] = []
        self.mapping_of_queue: dict[int, Mapping] = {}
        for i, cfg in enumerate(mappings):
            if cfg.get("queue") not in index_of:
                raise ValueError(f"mapping {i}: unknown queue {cfg.get('queue')!r}")
            qi = index_of[cfg["queue"]]
            if qi in self.mapping_of_queue:
                raise ValueError(f"queue {cfg['queue']!r} has more than one mapping")
            m = Mapping(i, cfg, self.queues[qi], functions, legacy)
            self.maps.append(m)
            self.mapping_of_queue[qi] = m

        # Messages, flattened: queues in the order given, then input order. Within a queue the
        # global id order is the arrival order (times non-decreasing), so "oldest first" is
        # "smallest id first". At one instant (§1 class 4) workload rows arrive first, then
        # messages in this order.
        self.msg_queue: list[int] = []
        self.msg_local: list[int] = []
        self.msg_time: list[int] = []
        self.msg_group: list = []  # the key for FIFO queues, 0 for standard ones
        self.msg_remaining: list[int] = []  # failures still to come
        self.msg_mapping: list[Mapping | None] = []
        for qi, q in enumerate(self.queues):
            r = records.get(q.name, {})
            times = list(r.get("time", []))
            if q.fifo:
                if times and "key" not in r:
                    raise ValueError(f"queue {q.name!r}: FIFO messages need a key (group id)")
                keys = list(r.get("key", []))
            else:
                keys = list(r.get("key", [0] * len(times)))
            fails = list(r.get("failures", [0] * len(times)))
            if not len(times) == len(keys) == len(fails):
                raise ValueError(f"queue {q.name!r}: time, key, failures lengths differ")
            prev = None
            for j, (x, key, nf) in enumerate(zip(times, keys, fails)):
                t = to_us(x)
                if prev is not None and t < prev:
                    raise ValueError(f"queue {q.name!r}: times must be non-decreasing")
                prev = t
                self.msg_queue.append(qi)
                self.msg_local.append(j)
                self.msg_time.append(t)
                self.msg_group.append(key if q.fifo else 0)
                self.msg_remaining.append(int(nf))
                self.msg_mapping.append(self.mapping_of_queue.get(qi))
        n = len(self.msg_time)
        self.msg_state = [NOT_ARRIVED] * n
        self.msg_outcome = [PENDING] * n
        self.msg_attempts = [0] * n
        self.msg_receives = [0] * n
        self.msg_start: list[int | None] = [None] * n
        self.msg_end: list[int | None] = [None] * n
        self.last_resolution = 0
        # per-mapping events for the mapping-level series of tests/oracle/metrics.py (§10.1):
        # (metric, t, mapping index, value); ApproximateNumberOfMessagesVisible is logged after
        # every dispatch, and the last entry of an instant is the level after its receives
        self.mapping_log: list[tuple[str, int, int, int]] = []
        for i in range(n):
            self.push(self.msg_time[i], PHASE_ARRIVAL, self.n_requests + i, ("message", i))

        if self.until is None:
            for m in self.maps:
                if self.fns[m.fn].rc == 0 and any(x is m for x in self.msg_mapping):
                    raise ValueError(f"mapping {m.index}: its function has reserved "
                                     "concurrency 0, so its batches throttle for ever: "
                                     "pass until")

    # ---- helpers --------------------------------------------------------------------------

    def timer(self, t: int, payload: tuple) -> None:
        """§1 class 3: timers at one instant fire in the order they were scheduled."""
        self.timer_counter += 1
        self.push(t, PHASE_TIMER, self.timer_counter, payload)

    def resolve_record(self, t: int, i: int, outcome: int) -> None:
        m = self.msg_mapping[i]
        self.msg_state[i] = RESOLVED
        self.msg_outcome[i] = outcome
        self.last_resolution = t
        m.unresolved -= 1
        key = {PROCESSED: "records_processed", EXPIRED: "records_expired"}.get(outcome,
                                                                            "records_failed")
        m.counters[key] += 1
        self.mapping_log.append(("DeletedEventCount" if outcome == PROCESSED else "DroppedEventCount",
                                 t, m.index, 1))

    def make_visible(self, m: Mapping, i: int) -> None:
        self.msg_state[i] = VISIBLE
        bisect.insort(m.visible, i)

    def purge(self, t: int, m: Mapping) -> None:
        """Delete every visible message with arrival + retention ≤ t (EXPIRED), oldest first.

        Arrival times grow with the id, so the expired visible messages are a prefix."""
        retention = m.queue.retention
        while m.visible and self.msg_time[m.visible[0]] + retention <= t:
            self.resolve_record(t, m.visible.pop(0), EXPIRED)

    # ---- event loop -----------------------------------------------------------------------

    def run(self) -> dict:
        self.loop()  # dormant mappings schedule nothing: the heap empties when all is done
        for m in self.maps:
            last: dict[int, int] = {}  # instant -> the level after its last dispatch
            for name, t, i, level in self.mapping_log:
                if name == "ApproximateNumberOfMessagesVisible" and i == m.index:
                    last[t] = level
            m.counters["max_visible"] = max(last.values(), default=0)
        return self.queue_result(self.source_horizon(self.last_resolution))

    def handle(self, t: int, payload: tuple) -> None:
        kind = payload[0]
        if kind == "end" and isinstance(payload[2], Batch):
            self.on_batch_end(t, payload[1], payload[2], payload[3])
        elif kind == "tick":
            self.on_tick(t, payload[1])
        elif kind == "window":
            self.on_window(t, payload[1], payload[2])
        elif kind == "return":
            self.on_return(t, payload[1])
        elif kind == "message":
            self.on_message(t, payload[1])
        else:
            super().handle(t, payload)

    # ---- mapping events ---------------------------------------------------------------------

    def on_message(self, t: int, i: int) -> None:
        m = self.msg_mapping[i]
        if m is None:
            return  # nobody consumes this queue: the message stays PENDING
        m.unresolved += 1
        self.make_visible(m, i)
        if not m.ticking:
            # Dormant: the next tick is the first grid instant strictly after the arrival.
            m.ticking = True
            self.timer((t // m.tick_us + 1) * m.tick_us, ("tick", m))
        self.dispatch(t, m)

    def on_tick(self, t: int, m: Mapping) -> None:
        """The ramp (docs/model.md §8), evaluated on the grid k·Δ."""
        self.purge(t, m)  # expired messages are not waiting
        # every slot busy: running can exceed slots after the ramp fell back
        if m.visible and m.running >= m.slots and m.slots < m.cap:
            m.slots += 1
            m.counters["max_slots"] = max(m.counters["max_slots"], m.slots)
        elif not m.visible and m.slots > m.base:
            m.slots -= 1
        self.dispatch(t, m)
        if m.unresolved > 0 or m.slots > m.base:
            self.timer(t + m.tick_us, ("tick", m))
        else:
            m.ticking = False  # dormant

    def on_window(self, t: int, m: Mapping, gen: int) -> None:
        if not (m.gathering and m.gen == gen):
            return  # stale: a full batch went before the window ended
        m.gathering = False
        m.flushing = True
        self.dispatch(t, m)
        m.flushing = False

    def on_return(self, t: int, batch: Batch) -> None:
        """Messages of a failed or throttled batch become visible again (FIFO: group unlocks)."""
        m = batch.mapping
        for i in batch.msgs:
            self.make_visible(m, i)
        if m.queue.fifo:
            m.held[self.msg_group[batch.msgs[0]]] -= len(batch.msgs)
        self.dispatch(t, m)

    # ---- dispatch -----------------------------------------------------------------------------

    def dispatch(self, t: int, m: Mapping) -> None:
        """Delete expired visible messages, then form and invoke batches while slots are free;
        the messages still visible then are logged: ``max_visible`` and the series
        (metrics.visible_maxima) take the last level of each instant, §10.1's rule, which
        leaves out a message received later at the instant it was left waiting at."""
        self._dispatch(t, m)
        self.mapping_log.append(("ApproximateNumberOfMessagesVisible", t, m.index, len(m.visible)))

    def _dispatch(self, t: int, m: Mapping) -> None:
        self.purge(t, m)
        while m.running < m.slots and m.visible:
            if m.queue.fifo:
                if not self.form_fifo(t, m):
                    return  # every group with visible messages is locked
                continue
            if m.window > 0 and not m.flushing and len(m.visible) < m.batch_size:
                if not m.gathering:
                    m.gathering = True
                    m.gen += 1
                    self.timer(t + m.window, ("window", m, m.gen))
                return
            if m.gathering:  # a full batch: the window timer becomes stale
                m.gathering = False
                m.gen += 1
            msgs = []
            while m.visible and len(msgs) < m.batch_size:
                i = m.visible.pop(0)
                if self.receive(t, m, i):
                    msgs.append(i)
            if msgs:
                self.invoke(t, m, msgs)

    def form_fifo(self, t: int, m: Mapping) -> bool:
        """One batch from the unlocked group whose oldest visible message is the oldest.

        Returns False when no unlocked group has a visible message."""
        group = None
        for i in m.visible:
            if m.held.get(self.msg_group[i], 0) == 0:
                group = self.msg_group[i]
                break
        if group is None:
            return False
        members = [i for i in m.visible if self.msg_group[i] == group]
        msgs = []
        for i in members:
            if len(msgs) == m.batch_size:
                break
            m.visible.remove(i)
            if self.receive(t, m, i):
                msgs.append(i)
        if msgs:
            m.held[group] = m.held.get(group, 0) + len(msgs)
            self.invoke(t, m, msgs)
        return True

    def receive(self, t: int, m: Mapping, i: int) -> bool:
        """Message i (already off the visible list) is about to be taken into a batch.

        A message already received max_receive_count times goes to the DLQ instead."""
        mrc = m.queue.max_receive
        if mrc is not None and self.msg_receives[i] >= mrc:
            self.resolve_record(t, i, DEAD_LETTERED)
            m.counters["on_failure_records"] += 1
            self.mapping_log.append(("OnFailureDestinationDeliveredEventCount", t, m.index, 1))
            return False
        self.msg_receives[i] += 1
        self.msg_state[i] = IN_FLIGHT
        return True

    # ---- invocation -----------------------------------------------------------------------

    def invoke(self, t: int, m: Mapping, msgs: list[int]) -> None:
        """One synchronous invocation of a freshly received batch: admission (§4)."""
        m.counters["batches"] += 1
        m.counters["polled_records"] += len(msgs)  # PolledEventCount: every receive
        self.mapping_log.append(("PolledEventCount", t, m.index, len(msgs)))
        batch = Batch(m, msgs, t)
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
            m.counters["failed_invoke_records"] += len(msgs)
            self.mapping_log.append(("FailedInvokeEventCount", t, m.index, len(msgs)))
            for i in msgs:
                self.msg_state[i] = INVISIBLE
            self.timer(t + m.queue.visibility, ("return", batch))
            return  # the slot is free at once
        duration = m.duration_base + m.per_record * len(msgs)
        failing = any(self.msg_remaining[i] > 0 for i in msgs)
        outcome, _cold, end = self.occupy(t, env, duration, failing)
        for i in msgs:
            self.msg_remaining[i] = max(0, self.msg_remaining[i] - 1)
            self.msg_attempts[i] += 1
            self.msg_start[i] = t
            self.msg_end[i] = end
        mc = m.counters
        m.running += 1
        mc["invocations"] += 1
        mc["invoked_records"] += len(msgs)
        mc["max_concurrency"] = max(mc["max_concurrency"], m.running)
        self.mapping_log += [("BatchInvocations", t, m.index, 1),
                             ("InvokedEventCount", t, m.index, len(msgs))]
        self.start_counter += 1
        self.push(end, PHASE_END, self.start_counter, ("end", env, batch, outcome))

    def on_batch_end(self, t: int, env, batch: Batch, outcome: int) -> None:
        self.release(t, env)
        m = batch.mapping
        m.running -= 1
        if outcome == SUCCESS:
            for i in batch.msgs:
                self.resolve_record(t, i, PROCESSED)
            if m.queue.fifo:
                m.held[self.msg_group[batch.msgs[0]]] -= len(batch.msgs)
        else:
            # Function error or timeout: the messages return when their visibility timeout,
            # counted from the receive, ends (at once if it already has).
            m.counters["retries"] += 1
            m.counters["failed_invoke_records"] += len(batch.msgs)  # FailedInvokeEventCount
            self.mapping_log.append(("FailedInvokeEventCount", t, m.index, len(batch.msgs)))
            back = max(batch.received_at + m.queue.visibility, t)
            if back == t:
                for i in batch.msgs:
                    self.make_visible(m, i)
                if m.queue.fifo:
                    m.held[self.msg_group[batch.msgs[0]]] -= len(batch.msgs)
            else:
                for i in batch.msgs:
                    self.msg_state[i] = INVISIBLE
                self.timer(back, ("return", batch))
        self.dispatch(t, m)

    # ---- result ---------------------------------------------------------------------------

    def queue_result(self, horizon: int) -> dict:
        # Per-function counters and avg_environments come from Simulator.result with the
        # horizon put in `until` (as reference_streams.stream_result).
        self.until = horizon
        base = Simulator.result(self)

        out = {q.name: {"outcome": [], "group": [], "attempts": [], "receives": [],
                        "start": [], "end": []} for q in self.queues}
        for i in range(len(self.msg_time)):
            o = out[self.queues[self.msg_queue[i]].name]
            end = self.msg_end[i]
            o["outcome"].append(self.msg_outcome[i])
            o["group"].append(self.msg_group[i])
            o["attempts"].append(self.msg_attempts[i])
            o["receives"].append(self.msg_receives[i])
            o["start"].append(None if self.msg_start[i] is None else self.msg_start[i] / 1e6)
            o["end"].append(None if end is None or end > horizon else end / 1e6)
        return {"records": out, "mappings": [dict(m.counters) for m in self.maps],
                "destinations": {}, "requests": base["requests"],
                "request_destinations": base["destinations"],
                "functions": base["functions"], "account": base["account"],
                "horizon": horizon / 1e6}


def simulate_queues(account: dict, functions: list[dict], queues: list[dict],
                    mappings: list[dict], records: dict, routing: str = "newest",
                    until: float | None = None, workload: dict | None = None) -> dict:
    """Simulate SQS event-source mappings (docs/model.md §8 on top of §1–5).

    account, functions, routing: as in invocations.simulate. account["scaling"] ==
              "legacy" also selects the legacy SQS ramp; any other value the current one.
    queues:   [{"name", "fifo" (False), "visibility_timeout_s" (30), "max_receive_count"
                (None), "retention_s" (345600)}]
    mappings: [{"queue", "function", "batch_size" (10), "batching_window_s" (0),
                "maximum_concurrency" (None), "duration_base_s" (0.05),
                "duration_per_record_s" (0)}], at most one mapping per queue.
    records:  {queue: {"time", "key", "failures"}} (times non-decreasing per queue). key = the
              message group id (FIFO only; may be omitted for a standard queue); failures = how
              many of the first invocations holding the message end in a function error.
    until:    stop after this instant (seconds); None runs until nothing is left to do.
    workload: optional rows as in invocations.simulate, sharing the functions; at one
              instant its rows arrive before messages.

    Rules:
    1. Integer µs. At one instant: execution ends (in start order), idle expiries, timers (in
       the order they were scheduled: ticks, batching windows, returns), arrivals (workload
       rows, then messages: queues in the order given, then input order).
    2. Message ids follow arrival order per queue; "oldest first" = smallest id first.
    3. Slots: start at base = min(5, maximum_concurrency or 5); cap = min(1250, mc or 1250)
       (legacy: min(1000, mc or 1000)). Ticks on the grid k·Δ, Δ = 0.2 s (legacy 1 s), are
       timers: expired visible messages are deleted first (as in rule 5); then if a message is
       visible and in-flight batches == slots < cap: slots += 1; elif no message is visible
       and slots > base: slots -= 1 (the test is ==: with more batches in flight than slots,
       after a decrease, no slot opens); then dispatch (after every tick). A mapping is dormant
       (no tick scheduled) when it has no unresolved arrived message (visible, in flight or
       invisible) and slots == base; a message arriving into a dormant mapping schedules a
       tick at ⌊t/Δ⌋·Δ + Δ; after a tick the next one is at t + Δ unless the mapping is now
       dormant. max_slots = the largest slots reached (base at least).
    4. Visible = arrived (or returned) and neither in flight, invisible, nor resolved. A FIFO
       message waiting behind a locked group is visible.
    5. Dispatch, after every event of the mapping (arrival, batch end, throttle, return, tick,
       window end): first delete every visible message with arrival + retention ≤ now (EXPIRED
       at now, oldest first), then while in-flight batches < slots and a batch can be formed:
       form one and invoke it.
       - Standard: up to batch_size visible messages, oldest first. With W > 0: when fewer
         than batch_size are visible and no window is open, a window opens (timer at now + W;
         one for the whole mapping) and nothing is dispatched until batch_size messages are
         visible (then at once; the window timer goes stale, a generation counter ignores it)
         or the window ends (then whatever is visible goes, as many batches as slots allow;
         left-overs wait for the next dispatch, which opens a new window). A window only
         opens while a slot is free; after a full batch the remainder (< batch_size) opens a
         new window at once when a slot is still free. The "batch_size visible" test counts
         messages that the batch will dead-letter.
       - FIFO: one group per batch: the unlocked group whose oldest visible message is the
         oldest; up to batch_size of its messages in id order. A group is locked while a
         message of it is in flight or invisible. No batching window (W > 0 is rejected).
       - Each message taken gets receives += 1, except that a message whose receives already
         equal max_receive_count goes to the DLQ instead (DEAD_LETTERED at now;
         records_failed and on_failure_records += 1) and is not in the batch; the batch takes
         the next message instead (a FIFO batch continues in the same group). A batch emptied
         this way is not a batch (no counter, no invocation). "batches" += 1 per batch formed
         (throttled ones included).
    6. A batch is one synchronous attempt through Simulator.admit; duration =
       to_us(duration_base_s) + n × to_us(duration_per_record_s); it fails iff a message of
       it has failures left (each invocation holding a message uses one). Throttled: function
       and mapping throttle counters; the messages are invisible until receive + visibility
       timeout (a return timer scheduled at the throttle); the slot is free at once. Admitted:
       Simulator.occupy; invocations, running, max_concurrency; each message attempts += 1,
       start = now, end = the execution's end.
    7. Batch end: release; success → every message PROCESSED now; function error or timeout
       → retries += 1 and the messages return at max(receive + visibility timeout, now): at
       once when that is now (visible before the dispatch that follows), else by a return
       timer scheduled at the end. A return makes them visible (FIFO: unlocks the group) and
       dispatches. In-flight messages never become visible by their visibility timeout.
    8. until/horizon/pending as oracle.streams: PENDING messages report receives,
       attempts and start; `end` is None when the execution has not ended by the horizon.
       Without until the horizon is the last resolution (or workload end). A function with
       reserved concurrency 0 behind a mapping with messages needs until (ValueError).
       Messages of a queue without a mapping stay PENDING.
    9. "group": the key for FIFO queues, 0 for standard ones.
    10. QueueSimulator.mapping_log (for tests/oracle/metrics.py): (metric, t, mapping, value)
       — PolledEventCount at each batch's receive (its messages), InvokedEventCount and
       BatchInvocations at an invocation's start, FailedInvokeEventCount at a throttle or a
       failed invocation's end, DeletedEventCount (PROCESSED) and DroppedEventCount (expired,
       dead-lettered) at the resolution, OnFailureDestinationDeliveredEventCount at the move
       to the DLQ, ApproximateNumberOfMessagesVisible (the level) after every dispatch; the
       whole-run max_visible is the largest level after an instant's last dispatch (§10.1).

    Validation: visibility_timeout_s a whole number 0–43200 (SQS's VisibilityTimeout), and for a
    mapped queue at least its function's timeout_s (CreateEventSourceMapping's rule, AWS's
    message; a throttle returning at its own instant would loop), max_receive_count ≥ 1, maximum_concurrency 2–1000, standard batch_size 1–10000 with
    batch_size > 10 needing W > 0 (AWS's message), FIFO batch_size 1–10 and W = 0.

    Result: {"records": {queue: {outcome, group, attempts, receives, start, end}},
    "mappings": [{invocations, batches, max_concurrency, max_slots, throttles, retries,
    records_processed, records_failed, records_expired, on_failure_records, polled_records,
    invoked_records, failed_invoke_records, max_visible}],
    "destinations": {} (unused), "requests" and "request_destinations" (the workload's, as in
    invocations.simulate), "functions": [counters as in simulate], "account": {...},
    "horizon": seconds}.
    """
    return QueueSimulator(account, functions, queues, mappings, records, routing, until,
                          workload).run()

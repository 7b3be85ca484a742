"""Pure-Python reference model (test oracle) of lambda_core's concurrency machinery.

Written from docs/model.md, sections 1-6, 13, 14 and the whole-run figures of section 10:
synchronous invocation (with optional client-side retries of throttles) and asynchronous
invocation (event queue, throttle backoff, error retries, maximum event age, destinations),
with the environment lifetimes of §3.1 (drawn keep-alives and inits, maximum lifetime, warm
environments at time 0, per-request environment ids) from `lifetimes`; functions in a VPC
(§13: Hyperplane ENIs with the Pending and Inactive states and the ENI quota, or the legacy
ENI per environment), the request rate limit and the payload limits (§14).
It favours obviousness over speed: one event heap, small classes, integer microseconds inside.

The order in which one attempt of function f at t is checked (§4, §13, §14):

  0. (Hyperplane, a VPC function) its state, first of all: a combination beyond the VPC's ENI
     quota -> ENI_LIMIT_REACHED; Pending (t < the instant it became Active) -> FUNCTION_PENDING;
     Inactive -> FUNCTION_INACTIVE. *Our choice where the doc names no place*: a function that
     is not Active never reaches the rate limiter, so a refused attempt is not rate-checked.
  1. (invocation_rate_limit) the request rate (§14), before provisioned environments and the
     concurrency and scaling checks: reason 5 for a function with RC > 0 whose window holds
     10 x RC admitted attempts, then reason 4 for any function when the account's window holds
     10 x L. A window holds the admitted attempts at a with t - 1 s < a <= t.
  2.-4. §4: a ready idle provisioned environment; the reservation or the unreserved pool; a
     warm environment, else a new one, which (legacy VPC networking, §13) first needs an ENI
     -> ENI_LIMIT_REACHED when the VPC's live environments hold eni_quota, and then a scaling
     token.

A payload above its limit (§14) is refused at the row's arrival, before any of this.

    simulate(account, functions, workload, routing="newest", until=None, client_retries=None,
             seed=0) -> dict

See the module-level docstring of `simulate` for the shape of the inputs and of the result.
"""

from __future__ import annotations

import heapq
import math
from collections import deque

from .lifetimes import (
    INIT_LIMIT_US, INIT_SALT, KEEP_ALIVE_LIMIT_US, KEEP_ALIVE_SALT, MASK64, death_time, draw_word,
    mix, sampler,
)

# Request outcome codes (also the destination record's `condition`: 1, 5, 6, 7).
PENDING, SUCCESS, ERROR, TIMEOUT, THROTTLED = 0, 1, 2, 3, 4
RETRIES_EXHAUSTED, EVENT_AGE_EXCEEDED, ZERO_RESERVED_CONCURRENCY = 5, 6, 7
# §13: attempts refused because of the function's VPC (neither a throttle nor an invocation).
FUNCTION_PENDING, FUNCTION_INACTIVE, ENI_LIMIT_REACHED = 8, 9, 10
REFUSALS = (FUNCTION_PENDING, FUNCTION_INACTIVE, ENI_LIMIT_REACHED)
# §14: a payload above its limit, refused at arrival (no attempt, not queued).
REQUEST_TOO_LARGE = 11
# Invocation types.
REQUEST_RESPONSE, EVENT = 0, 1
# Throttle reason codes.
NONE = 0
RESERVED_LIMIT = 1  # ReservedFunctionConcurrentInvocationLimitExceeded
ACCOUNT_LIMIT = 2  # ConcurrentInvocationLimitExceeded
SCALING_RATE = 3  # FunctionScalingRateExceeded
RATE_LIMIT = 4  # FunctionInvocationRateLimitExceeded (§14)
RESERVED_RATE_LIMIT = 5  # ReservedFunctionInvocationRateLimitExceeded (§14)
CALLER_RATE_LIMIT = 6  # CallerRateLimitExceeded: not modelled, never produced (§14)
SNAPSHOT_LIMIT = 7  # ConcurrentSnapshotCreateLimitExceeded: not modelled, never produced (§14)
# The per-function counter of each throttle reason (§4, §14) and of each refusal (§13).
THROTTLE_COUNTER = {RESERVED_LIMIT: "throttles_reserved", ACCOUNT_LIMIT: "throttles_unreserved",
                    SCALING_RATE: "throttles_scaling", RATE_LIMIT: "throttles_rate",
                    RESERVED_RATE_LIMIT: "throttles_reserved_rate"}
REFUSAL_COUNTER = {FUNCTION_PENDING: "conflicts_pending", FUNCTION_INACTIVE: "conflicts_inactive",
                   ENI_LIMIT_REACHED: "eni_failures"}

# Event phases at one instant (docs/model.md §1): ends, idle expiries, timers (retries), arrivals.
PHASE_END, PHASE_EXPIRY, PHASE_TIMER, PHASE_ARRIVAL = 1, 2, 3, 4

# Guard for runs without `until` that never finish (e.g. a stream batch throttled for ever).
MAX_EVENTS_WITHOUT_UNTIL = 20_000_000

# Scaling-rate defaults (docs/model.md §4): (burst in tokens, token cost in µs of refill).
SCALING_DEFAULTS = {"current": (1000, 10_000), "legacy": (3000, 120_000)}

# Asynchronous invocation (docs/model.md §6).
DEFAULT_MAX_RETRY_ATTEMPTS = 2
DEFAULT_MAX_EVENT_AGE_S = 21600
THROTTLE_BACKOFF_CAP_S = 300  # the k-th throttle of an event waits min(2^(k−1), 300) s
FIRST_ERROR_RETRY_US = 60_000_000  # first retry 60 s after the first failed attempt ended
LATER_ERROR_RETRY_US = 120_000_000  # later retries 120 s after the failed attempt ended

# The request rate (docs/model.md §14): 10 admitted attempts per second per unit of concurrency,
# over the window (t − 1 s, t].
RATE_PER_UNIT = 10
RATE_WINDOW_US = 1_000_000

# Payload limits (docs/model.md §14), in bytes: a row above its limit is REQUEST_TOO_LARGE.
SYNC_PAYLOAD_LIMIT = 6 * 2**20  # 6 291 456
ASYNC_PAYLOAD_LIMIT = 2**20  # 1 048 576

# Lambda in a VPC (docs/model.md §13): the account's defaults.
VPC_NETWORKING = ("hyperplane", "legacy")
DEFAULT_ENI_QUOTA = 250
DEFAULT_ENI_READY_S = 90.0
DEFAULT_ENI_INIT_S = 10.0
DEFAULT_INACTIVE_AFTER_S = 14 * 86400.0
DEFAULT_VPC_ID = "vpc-default"


def to_us(seconds: float) -> int:
    """Seconds -> integer microseconds, rounded once at the boundary (docs/model.md §1).

    Round half away from zero of x*1e6 computed in float64 (inputs are never negative).
    """
    v = seconds * 1e6
    r = math.floor(v)
    if v - r >= 0.5:
        r += 1
    return int(r)


def _default(value, default):
    return default if value is None else value


class SplitMix64:
    """The one random stream of a run (client-retry jitter), seeded with `seed`."""

    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        return mix(self.state)


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


class Bucket:
    """Scaling-rate token bucket, exact in integers (docs/model.md §4).

    The level is counted in µs of refill, capped at burst × cost, and starts full.
    """

    def __init__(self, burst: int, cost_us: int):
        self.cost = cost_us
        self.capacity = burst * cost_us
        self.level = self.capacity
        self.last = 0

    def take(self, t: int) -> bool:
        self.level = min(self.capacity, self.level + (t - self.last))
        self.last = t
        if self.level >= self.cost:
            self.level -= self.cost
            return True
        return False


class Env:
    """One execution environment (docs/model.md §3)."""

    def __init__(self, order: int, fn: int, provisioned: bool, created_at: int):
        self.order = order  # creation number from 0 (§3.1): routing and draws use it
        self.fn = fn
        self.provisioned = provisioned
        self.created_at = created_at
        self.died_at: int | None = None  # None: alive (provisioned envs never expire)
        self.busy = False  # busy or initialising
        self.fresh = not provisioned  # a brand-new on-demand env pays init
        self.needs_init = False  # set after a timeout: next use pays init (cold start)
        self.idle_since = 0  # provisioned envs count as idle from time 0
        self.dies_at: int | None = None  # when an idle on-demand env is gone (§3.1)
        self.idle_generation = 0  # invalidates stale expiry events

    @property
    def alive(self) -> bool:
        return self.died_at is None


class Function:
    """Static config (in µs) plus the run-time state and counters of one function."""

    def __init__(self, cfg: dict):
        self.rc = cfg.get("reserved_concurrency")
        self.pc = cfg.get("provisioned_concurrency")
        self.timeout = to_us(cfg.get("timeout_s", 3.0))
        # §3.1: a number or a distribution, drawn per cold start and per idle period
        self.init = sampler(cfg["init_s"], to_us, INIT_LIMIT_US)
        self.idle_timeout = sampler(cfg.get("idle_timeout_s", 600.0), to_us, KEEP_ALIVE_LIMIT_US)
        lifetime = cfg.get("max_lifetime_s")
        self.max_lifetime = None if lifetime is None else to_us(lifetime)
        self.warm_at_start = cfg.get("warm_at_start") or 0
        self.ready_at = to_us(cfg.get("provisioned_ready_s", 0.0) or 0.0)
        # §6 asynchronous invocation settings and destinations (names or None).
        self.max_retry = _default(cfg.get("max_retry_attempts"), DEFAULT_MAX_RETRY_ATTEMPTS)
        self.max_age = to_us(_default(cfg.get("max_event_age_s"), DEFAULT_MAX_EVENT_AGE_S))
        self.on_success = cfg.get("on_success")
        self.on_failure = cfg.get("on_failure")
        self.dlq = cfg.get("dead_letter_queue")
        # §13: the VPC attachment (None: not in a VPC), whether the handler calls the internet,
        # and when the function was created (None: before the run).
        vpc = cfg.get("vpc")
        self.vpc: dict | None = None
        if vpc is not None:
            self.vpc = {"subnet_ids": frozenset(vpc["subnet_ids"]),
                        "security_group_ids": frozenset(vpc["security_group_ids"]),
                        "nat_gateway": bool(vpc.get("nat_gateway", False)),
                        "vpc_id": _default(vpc.get("vpc_id"), DEFAULT_VPC_ID)}
        self.needs_internet = bool(cfg.get("needs_internet", False))
        created = cfg.get("created_at_s")
        self.created_at: int | None = None if created is None else to_us(created)
        # §13 Hyperplane state, set by Simulator.plan_hyperplane: a combination beyond the ENI
        # quota never gets its ENI; the function is Pending at every t < active_from (None:
        # −∞); its idle clock (the Inactive rule) runs from idle_ref, the later of its last
        # admitted attempt and the instant it became Active.
        self.eni_limited = False
        self.active_from: int | None = None
        self.idle_ref = 0
        # §14: this function's admitted attempts in the rate window (kept when RC > 0).
        self.window: deque[int] = deque()
        self.provisioned_envs: list[Env] = []
        self.on_demand_envs: list[Env] = []  # every on-demand env ever created
        self.running_on_demand = 0  # on-demand executions initialising or busy
        self.running = 0  # all executions of this function (provisioned included)
        self.bucket: Bucket | None = None
        self.counters = {
            "invocations": 0,
            "errors": 0,
            "throttles": 0,
            "cold_starts": 0,
            "max_concurrency": 0,
            "environments_created": 0,
            "avg_environments": 0.0,
            "throttles_reserved": 0,
            "throttles_unreserved": 0,
            "throttles_scaling": 0,
            "provisioned_invocations": 0,
            "spillover_invocations": 0,
            "async_events_received": 0,
            "async_events_dropped": 0,
            "init_duration_us": 0,
            "provisioned_init_duration_us": 0,
            "throttles_rate": 0,  # §14, reason 4
            "throttles_reserved_rate": 0,  # §14, reason 5
            "conflicts_pending": 0,  # §13 refusals: FUNCTION_PENDING
            "conflicts_inactive": 0,  # FUNCTION_INACTIVE
            "eni_failures": 0,  # ENI_LIMIT_REACHED
            "payloads_too_large": 0,  # §14: REQUEST_TOO_LARGE rows
        }

    @property
    def hangs(self) -> bool:
        """§13: in a VPC without a NAT gateway, a handler that needs the internet never
        returns: every attempt that runs ends as TIMEOUT after timeout_s."""
        return self.needs_internet and self.vpc is not None and not self.vpc["nat_gateway"]


def pick(envs: list[Env], routing: str) -> Env | None:
    """Choose among idle environments (docs/model.md §3, 'Which idle environment')."""
    if not envs:
        return None
    if routing == "newest":  # most recently created
        return max(envs, key=lambda e: e.order)
    if routing == "mru":  # most recently freed, ties -> newest created
        return max(envs, key=lambda e: (e.idle_since, e.order))
    if routing == "oldest":  # least recently created
        return min(envs, key=lambda e: e.order)
    raise ValueError(f"unknown routing {routing!r}")


# --------------------------------------------------------------------------------------------
# The simulator
# --------------------------------------------------------------------------------------------


class Simulator:
    def __init__(self, account: dict, functions: list[dict], workload: dict, routing: str,
                 until: float | None, client_retries: dict | None = None, seed: int = 0):
        self.routing = routing
        self.until = None if until is None else to_us(until)
        self.fns = [Function(cfg) for cfg in functions]

        # §2: unreserved pool U = L − Σ RC (functions with RC) − Σ PC (functions without RC).
        limit = account["concurrency_limit"]
        self.U = (limit - sum(f.rc for f in self.fns if f.rc is not None)
                  - sum(f.pc or 0 for f in self.fns if f.rc is None))
        self.unreserved_in_use = 0  # on-demand executions of functions without a reservation
        self.running = 0  # all executions in the account
        self.max_concurrency = 0
        self.max_unreserved = 0

        # §4: scaling-rate buckets.
        scaling = account.get("scaling", "current")
        self.shared_bucket: Bucket | None = None
        if scaling is not None:
            burst_d, cost_d = SCALING_DEFAULTS[scaling]
            burst = account.get("scaling_burst")
            cost = account.get("token_cost_us")
            burst = burst_d if burst is None else burst
            cost = cost_d if cost is None else cost
            if scaling == "legacy":
                self.shared_bucket = Bucket(burst, cost)
            for f in self.fns:
                f.bucket = self.shared_bucket if scaling == "legacy" else Bucket(burst, cost)

        # §14: the request rate limit (on by default, as lc.Account's) and the account's window
        # of admitted attempts.
        self.limit = limit
        self.rate_limit = bool(_default(account.get("invocation_rate_limit"), True))
        self.account_window: deque[int] = deque()

        # §13: VPC networking.
        self.networking = _default(account.get("vpc_networking"), "hyperplane")
        if self.networking not in VPC_NETWORKING:
            raise ValueError(f"unknown vpc_networking {self.networking!r}")
        self.eni_quota = int(_default(account.get("eni_quota"), DEFAULT_ENI_QUOTA))
        self.eni_ready = to_us(_default(account.get("eni_ready_s"), DEFAULT_ENI_READY_S))
        self.eni_init = to_us(_default(account.get("eni_init_s"), DEFAULT_ENI_INIT_S))
        self.inactive_after = to_us(_default(account.get("inactive_after_s"),
                                             DEFAULT_INACTIVE_AFTER_S))
        if self.networking == "hyperplane":
            self.plan_hyperplane()

        # §5 client-side retries of throttled synchronous attempts (SDK standard mode).
        self.client_retries = None
        if client_retries is not None:
            self.client_retries = (int(client_retries["max_attempts"]),
                                   to_us(client_retries["base_s"]),
                                   to_us(client_retries["cap_s"]))
        self.rng = SplitMix64(seed)
        self.seed = seed & MASK64  # also keys the draws of keep-alives and inits (§3.1)

        # Workload, converted to µs once (§1).
        self.times = [to_us(x) for x in workload["time"]]
        self.fn_of = list(workload["function"])
        self.durations = [to_us(x) for x in workload["duration"]]
        n = len(self.times)
        self.failures = list(workload.get("failures", [0] * n))
        self.itype = list(workload.get("invocation_type", [REQUEST_RESPONSE] * n))
        for v in self.itype:
            if v not in (REQUEST_RESPONSE, EVENT):
                raise ValueError(f"unknown invocation_type {v!r}")
        # §14: payload sizes in bytes (absent, or None in a row: the payload fits).
        payload = workload.get("payload_bytes")
        self.payload = [None] * n if payload is None else list(payload)

        # Per-request results.
        self.outcome = [PENDING] * n
        self.attempts = [0] * n  # attempts that reached the function
        self.throttles = [0] * n
        self.cold = [0] * n
        self.end: list[int | None] = [None] * n
        self.reason = [NONE] * n
        self.env_of = [-1] * n  # creation number of the env of the last attempt that ran
        self.first_start: list[int | None] = [None] * n
        self.last_start: list[int | None] = [None] * n
        self.failed = [0] * n  # attempts of the request that ended in error or timeout
        # an event's attempts that were throttled or refused (§6, §13): the k-th waits 2^(k−1) s
        self.blocked = [0] * n
        self.destinations: dict[str, dict[str, list]] = {}

        self.heap: list[tuple] = []
        self.push_counter = 0  # unique tiebreak so heap payloads are never compared
        self.start_counter = 0  # ends at one instant go in the order their executions started
        self.timer_counter = 0  # timers at one instant fire in the order they were scheduled
        self.env_counter = 0  # the next creation number

        # What tests/oracle/metrics.py turns into per-period series (§10): every execution as
        # it started (with the levels it raised), every throttle, every refusal (t, fn,
        # outcome: §13's at the attempt, §14's REQUEST_TOO_LARGE at the arrival), async receive
        # and drop, and each environment's alive level at its creation.
        self.log: dict[str, list] = {"executions": [], "throttles": [], "received": [],
                                     "dropped": [], "created": [], "refusals": []}

        # §3, §3.1: function by function, its provisioned envs, then its warm ones (on-demand
        # envs initialised and idle since 0, not counted as created by the run).
        for i, f in enumerate(self.fns):
            for _ in range(f.pc or 0):
                f.provisioned_envs.append(self.new_env(i, provisioned=True, t=0))
                self.log_created(f, 0, f.provisioned_envs[-1])
            for _ in range(f.warm_at_start):
                env = self.new_env(i, provisioned=False, t=0)
                env.fresh = False
                f.on_demand_envs.append(env)
                self.begin_idle_period(0, env)
            if f.warm_at_start:
                # they all exist at time 0, before anything happens (even those whose first
                # keep-alive of 0 has them gone at once): the level period 0 opens with
                self.log["created"].append((i, 0, (f.pc or 0) + f.warm_at_start))

        for i in range(n):
            self.push(self.times[i], PHASE_ARRIVAL, i, ("arrival", i))

    # ---- helpers --------------------------------------------------------------------------

    def push(self, t: int, phase: int, order: int, payload: tuple) -> None:
        self.push_counter += 1
        heapq.heappush(self.heap, (t, phase, order, self.push_counter, payload))

    def schedule_retry(self, t: int, req: int) -> None:
        """A timer (§1 class 3): another attempt of request `req` at `t`."""
        self.timer_counter += 1
        self.push(t, PHASE_TIMER, self.timer_counter, ("retry", req))

    def new_env(self, fn: int, provisioned: bool, t: int) -> Env:
        self.env_counter += 1
        return Env(self.env_counter - 1, fn, provisioned, t)

    def log_created(self, f: Function, t: int, env: Env) -> None:
        """env, of f, was just created at t: log f's environments alive at that instant, env
        included. Alive means not yet gone at t: an idle one whose expiry instant is t is gone
        (§3) even before its expiry event is handled."""
        alive = len(f.provisioned_envs) + sum(
            1 for e in f.on_demand_envs if e is env or (e.alive and (e.busy or self.still_idle(e, t))))
        self.log["created"].append((self.fns.index(f), t, alive))

    def log_throttle(self, t: int, f: Function, reason: int) -> None:
        self.log["throttles"].append((t, self.fns.index(f), reason))

    def count_throttle(self, t: int, f: Function, reason: int) -> None:
        """§4, §14: a throttled attempt counts in `throttles` and in its reason's counter."""
        f.counters["throttles"] += 1
        f.counters[THROTTLE_COUNTER[reason]] += 1
        self.log_throttle(t, f, reason)

    def count_refusal(self, t: int, f: Function, outcome: int) -> None:
        """§13: a refused attempt counts in conflicts_pending, conflicts_inactive or
        eni_failures, never in throttles or invocations."""
        f.counters[REFUSAL_COUNTER[outcome]] += 1
        self.log["refusals"].append((t, self.fns.index(f), outcome))

    # ---- §13 Lambda in a VPC -------------------------------------------------------------

    def plan_hyperplane(self) -> None:
        """§13 Hyperplane: one ENI per combination (set of subnets, set of security groups).

        Combinations get their ENIs in the order they were first created: the functions are
        taken pre-existing ones (created_at None) first, then by created_at, ties in function
        order, and a combination takes its place at the first of its functions met. Per vpc_id
        the first eni_quota combinations get an ENI; the functions of the others are
        `eni_limited` for ever. A combination's ENI is ready at −∞ (None) when one of its
        functions was created before the run, else at the earliest created_at + eni_ready; a
        function is Pending until max(created_at, ready) (its `active_from`; −∞ for a
        pre-existing function of a pre-existing combination), and its idle clock starts then
        (at 0 when that is −∞: the run's start)."""
        order = sorted((i for i, f in enumerate(self.fns) if f.vpc is not None),
                       key=lambda i: (self.fns[i].created_at is not None,
                                      self.fns[i].created_at or 0, i))
        combos: dict[tuple, dict] = {}  # combination -> its vpc_id, ready, ENI or not
        per_vpc: dict[str, int] = {}  # combinations of each VPC so far
        for i in order:
            f = self.fns[i]
            key = (f.vpc["subnet_ids"], f.vpc["security_group_ids"])
            if key not in combos:
                vpc_id = f.vpc["vpc_id"]
                rank = per_vpc.get(vpc_id, 0)
                per_vpc[vpc_id] = rank + 1
                ready = None if f.created_at is None else f.created_at + self.eni_ready
                combos[key] = {"vpc_id": vpc_id, "ready": ready, "eni": rank < self.eni_quota}
            combo = combos[key]
            if combo["vpc_id"] != f.vpc["vpc_id"]:
                raise ValueError(f"function {i}: its subnets and security groups are also "
                                 f"another function's, in another VPC")
            f.eni_limited = not combo["eni"]
            starts = [x for x in (f.created_at, combo["ready"]) if x is not None]
            f.active_from = max(starts) if starts else None
            f.idle_ref = 0 if f.active_from is None else f.active_from

    def vpc_state(self, t: int, f: Function) -> int | None:
        """§13 Hyperplane: the refusal of an attempt at t of a function that is not Active,
        or None. Inactive: no admitted attempt for inactive_after since idle_ref; that attempt
        fails, and the function is Pending until t + eni_ready, when its idle clock restarts
        (an attempt at exactly t + eni_ready is admitted)."""
        if self.networking != "hyperplane" or f.vpc is None:
            return None
        if f.eni_limited:
            return ENI_LIMIT_REACHED
        if f.active_from is not None and t < f.active_from:
            return FUNCTION_PENDING
        if t >= f.idle_ref + self.inactive_after:
            f.active_from = t + self.eni_ready
            f.idle_ref = f.active_from
            return FUNCTION_INACTIVE
        return None

    def live_enis(self, t: int, vpc_id: str) -> int:
        """§13 legacy: the ENIs held at t in the VPC, one per live environment of its
        functions (provisioned and warm ones from 0; an idle one is dead at its expiry)."""
        n = 0
        for f in self.fns:
            if f.vpc is None or f.vpc["vpc_id"] != vpc_id:
                continue
            n += len(f.provisioned_envs)
            n += sum(1 for e in f.on_demand_envs if e.busy or (e.alive and self.still_idle(e, t)))
        return n

    # ---- §14 the request rate ------------------------------------------------------------

    @staticmethod
    def admitted_in_window(window: deque, t: int) -> int:
        """How many admitted attempts at a with t − 1 s < a ≤ t the window holds (events are
        processed in time order, so the older ones can be forgotten)."""
        while window and window[0] <= t - RATE_WINDOW_US:
            window.popleft()
        return len(window)

    def rate_throttle(self, t: int, f: Function) -> int:
        """§14: the function's window (RC > 0) first, then the account's; NONE if neither is full."""
        if not self.rate_limit:
            return NONE
        if f.rc is not None and f.rc > 0 and \
                self.admitted_in_window(f.window, t) >= RATE_PER_UNIT * f.rc:
            return RESERVED_RATE_LIMIT
        if self.admitted_in_window(self.account_window, t) >= RATE_PER_UNIT * self.limit:
            return RATE_LIMIT
        return NONE

    # ---- event loop (§1) ------------------------------------------------------------------

    def run(self) -> dict:
        self.loop()
        return self.result()

    def source_horizon(self, last_record: int) -> int:
        """The horizon of a run with event sources: `until`, or the last resolution of a
        request or of a record (`last_record`)."""
        if self.until is not None:
            return self.until
        return max([last_record] + [e for e in self.end if e is not None])

    def loop(self) -> None:
        """Processes events in the §1 order until the heap is empty or past `until`."""
        events = 0
        while self.heap:
            t, _phase, _order, _c, payload = self.heap[0]
            if self.until is not None and t > self.until:
                break
            events += 1
            if self.until is None and events > MAX_EVENTS_WITHOUT_UNTIL:
                raise RuntimeError("the run does not finish: pass until")
            heapq.heappop(self.heap)
            self.handle(t, payload)

    def handle(self, t: int, payload: tuple) -> None:
        """One event (models of event sources add their own kinds)."""
        kind = payload[0]
        if kind == "end":
            self.on_end(t, payload[1], payload[2], payload[3])
        elif kind == "expiry":
            self.on_expiry(t, payload[1], payload[2])
        elif kind == "retry":
            self.attempt(t, payload[1])
        else:
            self.on_arrival(t, payload[1])

    def on_end(self, t: int, env: Env, req: int, outcome: int) -> None:
        """An execution ends: release its environment and concurrency; resolve or retry."""
        f = self.release(t, env)
        if self.itype[req] == REQUEST_RESPONSE:
            self.resolve(t, req, outcome)  # §5: errors and timeouts are never retried
            return
        # §6: an event's attempt ended.
        if outcome == SUCCESS:
            self.resolve(t, req, SUCCESS)
            return
        self.failed[req] += 1
        failed = self.failed[req]
        if failed > f.max_retry:
            self.resolve(t, req, RETRIES_EXHAUSTED)
            return
        delay = FIRST_ERROR_RETRY_US if failed == 1 else LATER_ERROR_RETRY_US
        if t + delay > self.times[req] + f.max_age:
            self.resolve(t, req, EVENT_AGE_EXCEEDED)
        else:
            self.schedule_retry(t + delay, req)

    def release(self, t: int, env: Env) -> Function:
        """An execution on env ends at t: the environment goes idle, its concurrency is freed."""
        f = self.fns[env.fn]
        env.busy = False
        env.idle_since = t  # provisioned envs too: mru routing compares it
        env.idle_generation += 1
        f.running -= 1
        self.running -= 1
        if not env.provisioned:
            f.running_on_demand -= 1
            if f.rc is None:
                self.unreserved_in_use -= 1
            self.begin_idle_period(t, env)
        return f

    def begin_idle_period(self, t: int, env: Env) -> None:
        """An on-demand env's idle period begins at t: its keep-alive k is drawn for it, and it
        is gone at exactly min(t + k, max(t, born + M)) (§3, §3.1)."""
        f = self.fns[env.fn]
        k = f.idle_timeout(draw_word(self.seed, KEEP_ALIVE_SALT, env.order, t))
        env.idle_since = t
        env.dies_at = death_time(t, k, env.created_at, f.max_lifetime)
        self.push(env.dies_at, PHASE_EXPIRY, env.order, ("expiry", env, env.idle_generation))

    @staticmethod
    def still_idle(env: Env, t: int) -> bool:
        """An idle on-demand env is still there at t: its death time is later (§1: one gone at
        t is gone even for an admission made while the ends of t are processed)."""
        return env.dies_at is not None and env.dies_at > t

    def on_expiry(self, t: int, env: Env, generation: int) -> None:
        if env.alive and not env.busy and env.idle_generation == generation:
            env.died_at = t

    def resolve(self, t: int, req: int, outcome: int) -> None:
        """The request's final outcome at t; events also count drops and feed destinations."""
        self.outcome[req] = outcome
        self.end[req] = t
        if self.itype[req] != EVENT or outcome == REQUEST_TOO_LARGE:
            return  # §14: a refused payload was never queued: no drop, no destination
        f = self.fns[self.fn_of[req]]
        if outcome == SUCCESS:
            targets = [f.on_success]
        else:
            f.counters["async_events_dropped"] += 1
            self.log["dropped"].append((t, self.fn_of[req]))
            targets = [f.on_failure, f.dlq]  # on-failure first, then the DLQ
        for name in targets:
            if name is None:
                continue
            rec = self.destinations.setdefault(
                name, {"request": [], "condition": [], "approximate_invoke_count": [],
                       "time": []})
            rec["request"].append(req)
            rec["condition"].append(outcome)
            rec["approximate_invoke_count"].append(self.attempts[req])
            rec["time"].append(t / 1e6)

    def on_arrival(self, t: int, req: int) -> None:
        """A new request from the workload (§5, §6, §14)."""
        size = self.payload[req]
        limit = ASYNC_PAYLOAD_LIMIT if self.itype[req] == EVENT else SYNC_PAYLOAD_LIMIT
        if size is not None and size > limit:
            # §14: RequestEntityTooLargeException at once: no attempt, not queued.
            self.fns[self.fn_of[req]].counters["payloads_too_large"] += 1
            self.log["refusals"].append((t, self.fn_of[req], REQUEST_TOO_LARGE))
            self.resolve(t, req, REQUEST_TOO_LARGE)
            return
        if self.itype[req] == EVENT:
            f = self.fns[self.fn_of[req]]
            f.counters["async_events_received"] += 1  # always accepted into the queue
            self.log["received"].append((t, self.fn_of[req]))
            if f.rc == 0:
                # §6: dropped at once, no attempt, not a throttle.
                self.resolve(t, req, ZERO_RESERVED_CONCURRENCY)
                return
        self.attempt(t, req)

    def attempt(self, t: int, req: int) -> None:
        """One attempt of request `req` at t: admission (§4, §13, §14), then run it or handle
        a throttle or a refusal."""
        fi = self.fn_of[req]
        f = self.fns[fi]
        env, code = self.admit(t, fi, f)
        if env is not None:
            self.start(t, req, env)
        elif code in REFUSALS:
            self.refuse(t, req, f, code)
        else:
            self.throttle(t, req, f, code)

    def admit(self, t: int, fi: int, f: Function) -> tuple[Env | None, int]:
        """Admission of one attempt, in the order of the module docstring (§13, §14, §4):
        (env, NONE), (None, a throttle reason 1–5) or (None, a refusal outcome 8–10)."""
        # 0. §13 Hyperplane: a VPC function that is not Active is refused before anything else.
        refusal = self.vpc_state(t, f)
        if refusal is not None:
            return None, refusal
        # §14: the request rate, before the provisioned environments and §4's checks.
        reason = self.rate_throttle(t, f)
        if reason != NONE:
            return None, reason

        # 1. An idle, ready provisioned environment of f.
        if t >= f.ready_at:
            env = pick([e for e in f.provisioned_envs if not e.busy], self.routing)
            if env is not None:
                return env, NONE

        # 2. Reserved function: on-demand iff running_on_demand < RC − PC.
        if f.rc is not None:
            if f.running_on_demand >= f.rc - (f.pc or 0):
                return None, RESERVED_LIMIT
        # 3. Otherwise the shared unreserved pool.
        elif self.unreserved_in_use >= self.U:
            return None, ACCOUNT_LIMIT

        # 4. Warm idle on-demand env, else a new one, which needs a scaling token.
        # An idle env is gone at exactly its death time (§3, §3.1), even for an admission
        # made while the ends of that instant are processed, before its expiry event (a stream
        # lane dispatches its next batch from a batch's end).
        idle = [e for e in f.on_demand_envs if e.alive and not e.busy and self.still_idle(e, t)]
        env = pick(idle, self.routing)
        if env is None:
            # §13 legacy: a new environment first needs an ENI of its VPC (before the token).
            if self.networking == "legacy" and f.vpc is not None and \
                    self.live_enis(t, f.vpc["vpc_id"]) >= self.eni_quota:
                return None, ENI_LIMIT_REACHED
            if f.bucket is not None and not f.bucket.take(t):
                return None, SCALING_RATE
            env = self.new_env(fi, provisioned=False, t=t)
            f.on_demand_envs.append(env)
            f.counters["environments_created"] += 1
            self.log_created(f, t, env)
        return env, NONE

    def throttle(self, t: int, req: int, f: Function, reason: int) -> None:
        """§4: a throttled attempt costs nothing, is not an Invocation, counts in Throttles.

        Then: an event backs off (§6); a synchronous request is retried by its client when
        client retries are on and attempts remain (§5), else it ends THROTTLED now.
        """
        self.throttles[req] += 1
        self.reason[req] = reason
        self.count_throttle(t, f, reason)

        if self.itype[req] == EVENT:
            self.back_off(t, req, f)
            return

        n = self.throttles[req] + self.attempts[req]  # attempts made so far, this one included
        if self.client_retries is None or n >= self.client_retries[0]:
            self.resolve(t, req, THROTTLED)
            return
        _max_attempts, base_us, cap_us = self.client_retries
        ceiling = min(base_us * 2 ** (n - 1), cap_us)  # the n-th retry
        u = self.rng.next() >> 11  # 53 random bits
        self.schedule_retry(t + ((u * ceiling) >> 53), req)

    def back_off(self, t: int, req: int, f: Function) -> None:
        """§6, §13: an event's k-th throttled or refused attempt (the two counted together) is
        retried after min(2^(k−1), 300) s, unless the retry would be past its maximum age."""
        self.blocked[req] += 1
        k = self.blocked[req]
        delay = min(2 ** (k - 1), THROTTLE_BACKOFF_CAP_S) * 1_000_000
        if t + delay > self.times[req] + f.max_age:
            self.resolve(t, req, EVENT_AGE_EXCEEDED)
        else:
            self.schedule_retry(t + delay, req)

    def refuse(self, t: int, req: int, f: Function, outcome: int) -> None:
        """§13: an attempt refused with FUNCTION_PENDING, FUNCTION_INACTIVE or
        ENI_LIMIT_REACHED. A synchronous request resolves at once with that outcome (client
        retries retry throttles only); an event backs off as for a throttle."""
        self.count_refusal(t, f, outcome)
        if self.itype[req] == EVENT:
            self.back_off(t, req, f)
        else:
            self.resolve(t, req, outcome)

    def occupy(self, t: int, env: Env, duration: int, fails: bool) -> tuple[int, bool, int]:
        """An attempt starts on env at t: how it ends (§5), and the concurrency it holds (§3).

        Returns (outcome, cold, end)."""
        f = self.fns[env.fn]
        c = f.counters
        new = env.fresh  # a brand-new on-demand environment (not a re-init after a timeout)
        cold = env.fresh or env.needs_init
        env.fresh = False
        if f.hangs or duration > f.timeout:
            # cut at timeout, whatever else would have happened; §13: a handler that needs the
            # internet in a VPC without a NAT gateway hangs until then
            outcome = TIMEOUT
            env.needs_init = True
            handler = f.timeout
        else:
            outcome = ERROR if fails else SUCCESS
            env.needs_init = False
            handler = duration
        # §3.1: the init duration is drawn once per cold start, keyed by the env and the instant
        init = f.init(draw_word(self.seed, INIT_SALT, env.order, t)) if cold else 0
        if new and self.networking == "legacy" and f.vpc is not None:
            init += self.eni_init  # §13 legacy: the new environment's ENI is made in its init
        end = t + init + handler

        # §14: an admitted attempt counts in the account's rate window and, with RC > 0, in its
        # function's; §13: it restarts the function's idle clock (the Inactive rule).
        self.account_window.append(t)
        if f.rc is not None and f.rc > 0:
            f.window.append(t)
        f.idle_ref = max(f.idle_ref, t)

        env.busy = True
        env.idle_generation += 1  # cancels any pending expiry
        f.running += 1
        self.running += 1
        if env.provisioned:
            c["provisioned_invocations"] += 1
        else:
            f.running_on_demand += 1
            if f.rc is None:
                self.unreserved_in_use += 1
            if f.pc is not None:
                c["spillover_invocations"] += 1

        # Counters at admission (§10 whole-run figures).
        c["invocations"] += 1
        c["cold_starts"] += int(cold)
        if cold:
            c["init_duration_us"] += init
            if env.provisioned:
                c["provisioned_init_duration_us"] += init
        if outcome in (ERROR, TIMEOUT):
            c["errors"] += 1
        c["max_concurrency"] = max(c["max_concurrency"], f.running)
        self.max_concurrency = max(self.max_concurrency, self.running)
        self.max_unreserved = max(self.max_unreserved, self.unreserved_in_use)
        self.log["executions"].append({
            "fn": env.fn, "start": t, "end": end, "cold": cold, "outcome": outcome,
            "provisioned": env.provisioned, "spillover": not env.provisioned and f.pc is not None,
            "unreserved": not env.provisioned and f.rc is None,
            "init": init, "handler": handler, "age": None,
            # the levels right after this start (§10: the level at an instant counts the
            # executions started at it; a zero-length one already ended does not)
            "level_fn": f.running, "level_account": self.running,
            "level_unreserved": self.unreserved_in_use,
            "level_provisioned": sum(1 for e in f.provisioned_envs if e.busy),
        })
        return outcome, cold, end

    def start(self, t: int, req: int, env: Env) -> None:
        """Run one attempt on env (docs/model.md §3 and §5)."""
        self.attempts[req] += 1
        # the first `failures` attempts of a request that reach the function fail
        fails = self.attempts[req] <= self.failures[req]
        outcome, cold, end = self.occupy(t, env, self.durations[req], fails)
        if self.itype[req] == EVENT:
            self.log["executions"][-1]["age"] = t - self.times[req]  # §6 AsyncEventAge
        self.cold[req] += int(cold)
        self.env_of[req] = env.order
        if self.first_start[req] is None:
            self.first_start[req] = t
        self.last_start[req] = t
        self.start_counter += 1
        self.push(end, PHASE_END, self.start_counter, ("end", env, req, outcome))

    # ---- whole-run figures (§10) ----------------------------------------------------------

    def result(self) -> dict:
        n = len(self.times)
        if self.until is not None:
            horizon = self.until
        else:
            horizon = max((e for e in self.end if e is not None), default=0)

        # Requests not resolved by the horizon stay PENDING with zeroed fields.
        for i in range(n):
            if self.outcome[i] == PENDING:
                self.attempts[i] = 0
                self.throttles[i] = 0
                self.cold[i] = 0
                self.reason[i] = NONE
                self.env_of[i] = -1
                self.end[i] = None
                self.first_start[i] = None
                self.last_start[i] = None

        def seconds(us):
            return None if us is None else us / 1e6

        event_age = [
            (self.last_start[i] - self.times[i]) / 1e6
            if self.itype[i] == EVENT and self.last_start[i] is not None else None
            for i in range(n)
        ]

        def alive_us(env: Env) -> int:
            stop = horizon if env.died_at is None else min(env.died_at, horizon)
            return max(0, stop - env.created_at)

        total = 0
        functions_out = []
        for f in self.fns:
            env_us = sum(alive_us(e) for e in f.provisioned_envs + f.on_demand_envs)
            total += env_us
            c = dict(f.counters)
            c["avg_environments"] = env_us / horizon if horizon else 0.0
            functions_out.append(c)

        return {
            "requests": {
                "outcome": self.outcome,
                "attempts": self.attempts,
                "throttles": self.throttles,
                "cold_starts": self.cold,
                "end": [seconds(e) for e in self.end],
                "throttle_reason": self.reason,
                "first_start": [seconds(x) for x in self.first_start],
                "last_start": [seconds(x) for x in self.last_start],
                "event_age": event_age,
                "environment": self.env_of,
            },
            "functions": functions_out,
            "account": {
                "max_concurrency": self.max_concurrency,
                "max_unreserved_concurrency": self.max_unreserved,
                "avg_environments": total / horizon if horizon else 0.0,
            },
            "destinations": self.destinations,
            "horizon": horizon / 1e6,
        }


def simulate(account: dict, functions: list[dict], workload: dict, routing: str = "newest",
             until: float | None = None, client_retries: dict | None = None,
             seed: int = 0) -> dict:
    """Simulate synchronous and asynchronous invocations (docs/model.md §1–6, §10, §13, §14).

    account:   {"concurrency_limit", "unreserved_min", "scaling", "scaling_burst",
                "token_cost_us", "invocation_rate_limit" (True), "vpc_networking"
                ("hyperplane" | "legacy"), "eni_quota" (250), "eni_ready_s" (90),
                "eni_init_s" (10), "inactive_after_s" (14 days)}
               (unreserved_min only matters for validation: unused here; a key absent or None
               takes its default)
    functions: [{"reserved_concurrency", "provisioned_concurrency", "timeout_s", "init_s",
                 "idle_timeout_s", "provisioned_ready_s", "max_retry_attempts" (2),
                 "max_event_age_s" (21600), "on_success", "on_failure",
                 "dead_letter_queue", "max_lifetime_s" (None), "warm_at_start" (0),
                 "vpc" (None), "needs_internet" (False), "created_at_s" (None)}]
               (on_success, on_failure, dead_letter_queue: destination names or None;
               init_s and idle_timeout_s: seconds or a `lifetimes` distribution; vpc: None or
               {"subnet_ids", "security_group_ids", "nat_gateway" (False), "vpc_id"
               ("vpc-default")}; created_at_s: seconds, None = created before the run)
    workload:  {"time", "function", "duration", "failures", "invocation_type",
               "payload_bytes"} parallel lists, time non-decreasing; invocation_type
               0 = RequestResponse, 1 = Event (default 0); payload_bytes (absent or None: fits)
    routing:   "newest" | "mru" | "oldest"
    until:     stop after this instant (seconds) or None to run to completion
    client_retries: None, or {"max_attempts", "base_s", "cap_s"}: synchronous callers retry
               throttles (never function errors) after a full-jitter exponential backoff
    seed:      seeds the SplitMix64 stream that draws the client-retry jitter, and keys the
               draws of keep-alives and inits (§3.1)

    Result: {"requests": {outcome, attempts, throttles, cold_starts, end, throttle_reason,
    first_start, last_start, event_age, environment}, "functions": [counters], "account": {...},
    "destinations": {name: {request, condition, approximate_invoke_count, time}},
    "horizon": seconds}.
    """
    return Simulator(account, functions, workload, routing, until, client_retries, seed).run()

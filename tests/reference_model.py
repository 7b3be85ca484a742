"""Pure-Python reference model (test oracle) of lambda_core's synchronous concurrency machinery.

Written from /work/shared/spec/MODEL.md, sections 1-5 and the whole-run figures of section 10.
It favours obviousness over speed: one event heap, small classes, integer microseconds inside.

    simulate(account, functions, workload, routing="newest", until=None) -> dict

See the module-level docstring of `simulate` for the shape of the inputs and of the result.
"""

from __future__ import annotations

import heapq
import math

# Request outcome codes.
PENDING, SUCCESS, ERROR, TIMEOUT, THROTTLED = 0, 1, 2, 3, 4
# Throttle reason codes.
NONE = 0
RESERVED_LIMIT = 1  # ReservedFunctionConcurrentInvocationLimitExceeded
ACCOUNT_LIMIT = 2  # ConcurrentInvocationLimitExceeded
SCALING_RATE = 3  # FunctionScalingRateExceeded

# Event phases at one instant (MODEL.md §1): ends, idle expiries, timers (none here), arrivals.
PHASE_END, PHASE_EXPIRY, PHASE_TIMER, PHASE_ARRIVAL = 1, 2, 3, 4

# Scaling-rate defaults (MODEL.md §4): (burst in tokens, token cost in µs of refill).
SCALING_DEFAULTS = {"current": (1000, 10_000), "legacy": (3000, 120_000)}


def to_us(seconds: float) -> int:
    """Seconds -> integer microseconds, rounded once at the boundary (MODEL.md §1).

    Round half away from zero of x*1e6 computed in float64 (inputs are never negative).
    """
    v = seconds * 1e6
    r = math.floor(v)
    if v - r >= 0.5:
        r += 1
    return int(r)


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


class Bucket:
    """Scaling-rate token bucket, exact in integers (MODEL.md §4).

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
    """One execution environment (MODEL.md §3)."""

    def __init__(self, order: int, fn: int, provisioned: bool, created_at: int):
        self.order = order  # global creation counter: routing uses it
        self.fn = fn
        self.provisioned = provisioned
        self.created_at = created_at
        self.died_at: int | None = None  # None: alive (provisioned envs never expire)
        self.busy = False  # busy or initialising
        self.fresh = not provisioned  # a brand-new on-demand env pays init
        self.needs_init = False  # set after a timeout: next use pays init (cold start)
        self.idle_since = 0  # provisioned envs count as idle from time 0
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
        self.init = to_us(cfg["init_s"])
        self.idle_timeout = to_us(cfg.get("idle_timeout_s", 600.0))
        self.ready_at = to_us(cfg.get("provisioned_ready_s", 0.0) or 0.0)
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
        }


def pick(envs: list[Env], routing: str) -> Env | None:
    """Choose among idle environments (MODEL.md §3, 'Which idle environment')."""
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
                 until: float | None):
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

        # Workload, converted to µs once (§1).
        self.times = [to_us(x) for x in workload["time"]]
        self.fn_of = list(workload["function"])
        self.durations = [to_us(x) for x in workload["duration"]]
        n = len(self.times)
        self.failures = list(workload.get("failures", [0] * n))

        # Per-request results.
        self.outcome = [PENDING] * n
        self.attempts = [0] * n
        self.throttles = [0] * n
        self.cold = [0] * n
        self.end: list[int | None] = [None] * n
        self.reason = [NONE] * n

        self.heap: list[tuple] = []
        self.push_counter = 0  # unique tiebreak so heap payloads are never compared
        self.start_counter = 0  # ends at one instant go in the order their executions started
        self.env_counter = 0  # global creation order

        # §3: provisioned envs exist from time 0, created first, in function order.
        for i, f in enumerate(self.fns):
            for _ in range(f.pc or 0):
                f.provisioned_envs.append(self.new_env(i, provisioned=True, t=0))

        for i in range(n):
            self.push(self.times[i], PHASE_ARRIVAL, i, ("arrival", i))

    # ---- helpers --------------------------------------------------------------------------

    def push(self, t: int, phase: int, order: int, payload: tuple) -> None:
        self.push_counter += 1
        heapq.heappush(self.heap, (t, phase, order, self.push_counter, payload))

    def new_env(self, fn: int, provisioned: bool, t: int) -> Env:
        self.env_counter += 1
        return Env(self.env_counter, fn, provisioned, t)

    # ---- event loop (§1) ------------------------------------------------------------------

    def run(self) -> dict:
        while self.heap:
            t, _phase, _order, _c, payload = self.heap[0]
            if self.until is not None and t > self.until:
                break
            heapq.heappop(self.heap)
            kind = payload[0]
            if kind == "end":
                self.on_end(t, payload[1], payload[2], payload[3])
            elif kind == "expiry":
                self.on_expiry(t, payload[1], payload[2])
            else:
                self.on_arrival(t, payload[1])
        return self.result()

    def on_end(self, t: int, env: Env, req: int, outcome: int) -> None:
        """An execution ends: release its environment and concurrency; resolve the request."""
        f = self.fns[env.fn]
        env.busy = False
        env.idle_since = t
        env.idle_generation += 1
        f.running -= 1
        self.running -= 1
        if not env.provisioned:
            f.running_on_demand -= 1
            if f.rc is None:
                self.unreserved_in_use -= 1
            # §3: idle since t with idle timeout k → gone at exactly t + k.
            self.push(t + f.idle_timeout, PHASE_EXPIRY, env.order,
                      ("expiry", env, env.idle_generation))
        self.outcome[req] = outcome
        self.end[req] = t

    def on_expiry(self, t: int, env: Env, generation: int) -> None:
        if env.alive and not env.busy and env.idle_generation == generation:
            env.died_at = t

    def throttle(self, t: int, req: int, f: Function, reason: int) -> None:
        """§4: a throttled attempt costs nothing, is not an Invocation, counts in Throttles."""
        self.outcome[req] = THROTTLED
        self.throttles[req] = 1
        self.end[req] = t
        self.reason[req] = reason
        f.counters["throttles"] += 1
        key = {RESERVED_LIMIT: "throttles_reserved", ACCOUNT_LIMIT: "throttles_unreserved",
               SCALING_RATE: "throttles_scaling"}[reason]
        f.counters[key] += 1

    def on_arrival(self, t: int, req: int) -> None:
        """Admission of one (synchronous) attempt, in the order of MODEL.md §4."""
        fi = self.fn_of[req]
        f = self.fns[fi]

        # 1. An idle, ready provisioned environment of f.
        if t >= f.ready_at:
            env = pick([e for e in f.provisioned_envs if not e.busy], self.routing)
            if env is not None:
                self.start(t, req, env)
                return

        # 2. Reserved function: on-demand iff running_on_demand < RC − PC.
        if f.rc is not None:
            if f.running_on_demand >= f.rc - (f.pc or 0):
                self.throttle(t, req, f, RESERVED_LIMIT)
                return
        # 3. Otherwise the shared unreserved pool.
        elif self.unreserved_in_use >= self.U:
            self.throttle(t, req, f, ACCOUNT_LIMIT)
            return

        # 4. Warm idle on-demand env, else a new one, which needs a scaling token.
        idle = [e for e in f.on_demand_envs if e.alive and not e.busy]
        env = pick(idle, self.routing)
        if env is None:
            if f.bucket is not None and not f.bucket.take(t):
                self.throttle(t, req, f, SCALING_RATE)
                return
            env = self.new_env(fi, provisioned=False, t=t)
            f.on_demand_envs.append(env)
            f.counters["environments_created"] += 1
        self.start(t, req, env)

    def start(self, t: int, req: int, env: Env) -> None:
        """Run one attempt on env (MODEL.md §3 and §5)."""
        f = self.fns[env.fn]
        c = f.counters
        cold = env.fresh or env.needs_init
        env.fresh = False
        duration = self.durations[req]
        if duration > f.timeout:
            outcome = TIMEOUT  # cut at timeout, whatever else would have happened
            env.needs_init = True
        else:
            outcome = ERROR if self.failures[req] >= 1 else SUCCESS
            env.needs_init = False
        end = t + (f.init if cold else 0) + min(duration, f.timeout)

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
        if outcome in (ERROR, TIMEOUT):
            c["errors"] += 1
        c["max_concurrency"] = max(c["max_concurrency"], f.running)
        self.max_concurrency = max(self.max_concurrency, self.running)
        self.max_unreserved = max(self.max_unreserved, self.unreserved_in_use)

        self.cold[req] = int(cold)
        self.attempts[req] = 1
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
                self.cold[i] = 0
                self.end[i] = None

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
                "end": [None if e is None else e / 1e6 for e in self.end],
                "throttle_reason": self.reason,
            },
            "functions": functions_out,
            "account": {
                "max_concurrency": self.max_concurrency,
                "max_unreserved_concurrency": self.max_unreserved,
                "avg_environments": total / horizon if horizon else 0.0,
            },
            "horizon": horizon / 1e6,
        }


def simulate(account: dict, functions: list[dict], workload: dict, routing: str = "newest",
             until: float | None = None) -> dict:
    """Simulate synchronous invocations (MODEL.md §1–5, §10) and return whole-run figures.

    account:   {"concurrency_limit", "unreserved_min", "scaling", "scaling_burst",
                "token_cost_us"}  (unreserved_min only matters for validation: unused here)
    functions: [{"reserved_concurrency", "provisioned_concurrency", "timeout_s", "init_s",
                 "idle_timeout_s", "provisioned_ready_s"}]
    workload:  {"time", "function", "duration", "failures"} parallel lists, time non-decreasing
    routing:   "newest" | "mru" | "oldest"
    until:     stop after this instant (seconds) or None to run to completion
    """
    return Simulator(account, functions, workload, routing, until).run()

"""Pure-Python reference model (test oracle) of docs/model.md §16: changes while running.

Written from docs/model.md §1 (time, the order of an instant), §2 (pools, reservations and
their checks), §3 (environments: init on a cold start, warm reuse, idle expiry, routing
`newest`, provisioned environments used first), §4 (admission) and §16 (changes while running),
and from nothing else. It models synchronous (RequestResponse) requests only, with the scaling
rate limit and the request rate limit off, fixed `init_s` and `idle_timeout_s`, provisioned
environments ready at 0 (`provisioned_ready_s` = 0) and no retries, errors or event sources;
it is independent of `invocations` so that the §16 logic is its own.

    simulate(account, functions, requests, changes) -> dict

- `account`: {"concurrency_limit": L, "unreserved_min": MIN_U (None: min(100, L))};
- `functions`: [{"reserved_concurrency": int | None, "provisioned_concurrency": int | None,
  "init_s", "idle_timeout_s", "timeout_s"}] (seconds);
- `requests`: [(t_s, function index, duration_s)], in non-decreasing time;
- `changes`: [(t_s, function index, action, value, ready_s)], in non-decreasing time, with
  `action` one of "put_reserved" (value: RC), "delete_reserved", "put_provisioned" (value: PC,
  0 deletes; ready_s), "update_code".

The result: {"requests": {"outcome", "cold", "end" (seconds)}, "functions": [{counters}],
"refused": [None, or (the exception's name, AWS's message), per change], "ambiguous": [(a key of
`CHOICES`, a note)]}: each place where the result may depend on a question §16 leaves open.

The rules, one by one, with the spec text each follows:

- §16 "A change at t takes effect before every other event of the instant t": the instant's
  classes are 0 changes (in the order made), 1 ends (in the order they started), 2 idle expiry
  (lazy: an idle environment with death time `d` is not found by a lookup at `t >= d`),
  3 timers (a provisioned allocation becoming ready), 4 arrivals (in input order).
- §16 "AWS's checks at the instant ... §2's rules": a change is checked against the
  configuration left by the changes accepted before it (no autoscaler here, so the check when
  made and at the instant agree); a refused change is dropped. `check_change` has the rules.
- §2 pools: `U = L − Σ RC_f − Σ PC_g` (RC over functions with a reservation, PC over those
  without). The PC used is the *configured* figure, which "counts against the account's
  unreserved pool at once" (§16), whatever is allocated yet.
- §16 ceilings: an arrival is throttled while L executions run in the account, and step 1
  below needs fewer than RC_f running of f (changes can leave a pool holding more than its
  new size: "neither ever runs more than it allows").
- §4: 1. an idle ready provisioned environment of f (newest created); 2. with a reservation,
  on demand only while running_on_demand_f < RC_f − P_f, P_f the provisioned environments
  that exist (idle or busy, those due to go included, those allocating not: §16 "A
  reservation caps the function's whole concurrency"); 3. else
  unreserved in use < U, where unreserved in use counts the on-demand executions running of
  the functions that have no reservation *now*, and their released provisioned environments
  still busy (a reservation put or deleted moves a function's running executions with it: "a
  function above its new ceiling admits nothing new until it is below"); 4. an idle on-demand
  environment (newest created), else a new one (no scaling limit).
- §3: a cold start (new environment, or one that must re-initialise after a timeout) runs
  init, then the handler; a handler longer than timeout_s (strictly) is cut there: TIMEOUT,
  and the environment's next request is cold. An on-demand environment idle from `t` is gone
  at exactly `t + idle_timeout`.
- §16 provisioned concurrency: raising it to n allocates n − held new environments (held: the
  environments ready, busy or allocating, less the busy ones already due to go; an allocation
  in progress is kept: only what it "would exceed" is cancelled), usable from t + ready_s (a
  class-3 timer; ready_s = 0: usable by the arrivals of t). Lowering it takes held − n away
  at once: allocations in progress first (the newest allocation first), then
  ready environments never used, then idle used ones, and the rest are busy ones, which go
  "when their execution ends": the first provisioned executions of f to end go, one each.
- §16 updates of code: idle on-demand environments are gone at once, busy ones when their
  execution ends; provisioned environments are "replaced without a gap": an idle one is a
  fresh initialised environment at once (no re-init owed after a timeout, never used), a busy
  one when its execution ends.

Where §16 leaves a choice that a result can depend on, the model makes the first of
`CHOICES` (the others can be asked for, so that a test can tell which one an implementation
made) and notes the place in "ambiguous": when an allocated provisioned environment counts as
created, for routing `newest` (when its allocation starts, or when it is ready); whether an
update's replacement of a provisioned environment clears a re-init owed after a timeout;
which busy provisioned environments go when some, not all, must; whether a raise keeps busy
ones that were due to go; which idle used provisioned environments go when some owe a re-init
and some do not; and whether the running on-demand executions of a function whose reservation
changes count in its new pool or the one that admitted them (§4's wording, "counts the
on-demand executions of functions without a reservation", and §16's "a function above its new
ceiling admits nothing new until it is below" point to the new pool: the first choice).
"""

from __future__ import annotations

import heapq
import math

SUCCESS, TIMEOUT, THROTTLED = 1, 3, 4
INVALID_PARAMETER = "InvalidParameterValueException"
VALIDATION = "ValidationException"

# The classes of one instant (§1, with §16's changes before them all).
CHANGE, END, TIMER, ARRIVAL = 0, 1, 3, 4


def to_us(seconds: float) -> int:
    """Seconds -> integer microseconds, the nearest, a half rounding up (§1)."""
    v = seconds * 1e6
    r = math.floor(v)
    if v - r >= 0.5:
        r += 1
    return int(r)


# --------------------------------------------------------------------------------------------
# §2: the pools and AWS's checks
# --------------------------------------------------------------------------------------------


def unreserved_pool(limit: int, config: list[tuple[int | None, int]]) -> int:
    """U = L − Σ RC (functions with a reservation) − Σ PC (functions without one)."""
    return limit - sum(rc if rc is not None else pc for rc, pc in config)


def check_change(limit: int, minimum: int, config: list[tuple[int | None, int]], fn: int,
                 action: str, value: int | None) -> tuple[str, str] | None:
    """(exception name, AWS's message) for the change against `config` ([(RC or None, PC)], PC 0
    when none), or None when it is accepted (§2, §2.1, §16)."""
    rc, pc = config[fn]
    after = list(config)
    if action == "put_reserved":
        if value < 0:
            return VALIDATION, _range_message(value, "reservedConcurrentExecutions", 0)
        after[fn] = (value, pc)
        # "a reservation of 0 is always accepted" (by the pool's minimum)
        if value > limit or (value != 0 and unreserved_pool(limit, after) < minimum):
            return INVALID_PARAMETER, (
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{minimum}].")
        if value < pc:
            return INVALID_PARAMETER, (
                f" ReservedConcurrentExecutions  {value} should not be lower than function's "
                f"total provisioned concurrency [{pc}].")
        return None
    if action == "delete_reserved":
        return None  # U grows by RC − PC ≥ 0
    if action == "put_provisioned":
        if value < 0:
            return VALIDATION, _range_message(value, "provisionedConcurrentExecutions", 1)
        if value == 0:
            return None  # deletes the configuration
        if rc is not None:
            if value > rc:
                return INVALID_PARAMETER, ("Requested Provisioned Concurrency should not be greater "
                                           "than the reservedConcurrentExecution for function")
            return None
        if value > limit:
            return INVALID_PARAMETER, ("Specified ConcurrentExecutions for function is greater than "
                                       f"account's unreserved concurrency [{limit}].")
        after[fn] = (None, value)
        if unreserved_pool(limit, after) < minimum:
            return INVALID_PARAMETER, (
                "Specified ConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{minimum}].")
        return None
    if action == "update_code":
        return None
    raise ValueError(action)


def _range_message(value: int, field: str, low: int) -> str:
    return (f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {low}")


def check_initial(limit: int, minimum: int, functions: list[dict]) -> tuple[str, str] | None:
    """§2.1: the functions applied one at a time, the reservation before the provisioned
    concurrency; the first refusal (exception name, message), or None."""
    config: list[tuple[int | None, int]] = []
    for i, f in enumerate(functions):
        config.append((None, 0))
        rc, pc = f.get("reserved_concurrency"), f.get("provisioned_concurrency")
        if pc is not None and pc < 1:
            return VALIDATION, _range_message(pc, "provisionedConcurrentExecutions", 1)
        if rc is not None:
            error = check_change(limit, minimum, config, i, "put_reserved", rc)
            if error:
                return error
            config[i] = (rc, 0)
        if pc is not None:
            error = check_change(limit, minimum, config, i, "put_provisioned", pc)
            if error:
                return error
            config[i] = (config[i][0], pc)
    return None


# --------------------------------------------------------------------------------------------
# Environments and functions
# --------------------------------------------------------------------------------------------


class Env:
    """One environment (§3). state: "allocating" (provisioned, not yet usable), "idle", "busy",
    "gone"."""

    def __init__(self, order: int, provisioned: bool, version: int, state: str, batch: int = 0):
        self.order = order  # creation order: routing `newest` picks the largest
        self.provisioned = provisioned
        self.version = version  # the code version it runs (on-demand environments)
        self.state = state
        self.batch = batch  # provisioned: the allocation that made it (0: the initial one)
        self.fresh = not provisioned  # a new on-demand environment: its first request is cold
        self.ready_order = -1  # provisioned: the order in which it became ready
        self.marked = False  # provisioned, busy: goes when its execution ends (busy_release mark_*)
        self.unreserved = False  # on-demand, busy: admitted from the unreserved pool
        self.needs_init = False  # after a timeout: the next request re-initialises (cold)
        self.used = False  # provisioned: has served a request (§16's "never used")
        self.dies_at = 0  # on-demand, idle: gone at this instant (µs)
        self.replace_on_end = False  # provisioned, busy at an update: replaced when it ends
        self.ends_in_timeout = False  # the execution it runs ends as TIMEOUT


class Function:
    def __init__(self, cfg: dict):
        self.rc = cfg.get("reserved_concurrency")
        self.pc = cfg.get("provisioned_concurrency") or 0  # the configured figure
        self.init = to_us(cfg["init_s"])
        self.idle_timeout = to_us(cfg["idle_timeout_s"])
        self.timeout = to_us(cfg["timeout_s"])
        self.version = 0
        self.on_demand: list[Env] = []  # alive on-demand environments
        self.provisioned: list[Env] = []  # alive provisioned environments (allocating included)
        self.due_to_go = 0  # busy provisioned environments to release when their execution ends
        self.running_on_demand = 0
        self.counters = {"invocations": 0, "throttles": 0, "cold_starts": 0,
                         "provisioned_invocations": 0, "timeouts": 0}


# The choices §16 leaves open, this model's first (see the module docstring); the others let a
# test tell which one another implementation made.
CHOICES = {
    # when an allocated provisioned environment is "created" (routing newest): when its
    # allocation starts, or when it becomes ready
    "provisioned_created": ("allocated", "ready"),
    # an update replaces provisioned environments by fresh ones (no re-init owed, never used)
    "update_replaces_provisioned": (True, False),
    # which busy provisioned environments go: the first to end, or those marked at the change
    # (the newest or the oldest created)
    "busy_release": ("first_to_end", "mark_newest", "mark_oldest"),
    # a raise while busy ones are due to go: they still go, or the raise keeps them first
    "raise_keeps_due": (False, True),
    # the order among idle used provisioned environments taken away
    "used_release": ("oldest", "newest", "reinit_first"),
    # running on-demand executions of a function whose reservation changes count in the new
    # pool (True), or in the pool that admitted them (False)
    "reservation_moves_running": (True, False),
}


class Model:
    def __init__(self, account: dict, functions: list[dict], requests: list, changes: list,
                 choices: dict | None = None):
        self.choice = {k: v[0] for k, v in CHOICES.items()}
        for k, v in (choices or {}).items():
            if v not in CHOICES[k]:
                raise ValueError((k, v))
            self.choice[k] = v
        self.ready_orders = 0
        self.limit = account["concurrency_limit"]
        m = account.get("unreserved_min")
        self.minimum = min(100, self.limit) if m is None else m
        error = check_initial(self.limit, self.minimum, functions)
        if error:
            raise ValueError(f"the initial configuration is refused: {error}")
        self.fns = [Function(cfg) for cfg in functions]
        self.orders = 0
        self.batches = 0
        # §3: provisioned environments exist from time 0, created first, in function order
        for f in self.fns:
            for _ in range(f.pc):
                f.provisioned.append(self.new_env(True, 0, "idle"))
        self.heap: list = []
        self.seq = 0
        self.requests = [(to_us(t), fn, to_us(d)) for t, fn, d in requests]
        n = len(requests)
        self.outcome = [0] * n
        self.cold = [0] * n
        self.end: list[int | None] = [None] * n
        self.ambiguous: list[str] = []
        self.admitted_unreserved = 0  # on-demand executions running admitted from the pool
        # the changes: AWS's checks in order, against the configuration the accepted ones leave
        config = [(f.rc, f.pc) for f in self.fns]
        self.refused: list[tuple[str, str] | None] = []
        for i, (t, fn, action, value, ready_s) in enumerate(changes):
            error = check_change(self.limit, self.minimum, config, fn, action, value)
            self.refused.append(error)
            if error is not None:
                continue
            rc, pc = config[fn]
            if action == "put_reserved":
                config[fn] = (value, pc)
            elif action == "delete_reserved":
                config[fn] = (None, pc)
            elif action == "put_provisioned":
                config[fn] = (rc, value)
            self.push(to_us(t), CHANGE, ("change", fn, action, value, to_us(ready_s or 0.0)))
        for i, (t, _fn, _d) in enumerate(self.requests):
            self.push(t, ARRIVAL, ("arrival", i))

    # ---- plumbing ------------------------------------------------------------------------

    def new_env(self, provisioned: bool, version: int, state: str, batch: int = 0) -> Env:
        env = Env(self.orders, provisioned, version, state, batch)
        self.orders += 1
        if state != "allocating":
            env.ready_order = self.ready_orders
            self.ready_orders += 1
        return env

    def push(self, t: int, cls: int, payload: tuple) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, cls, self.seq, payload))

    def note(self, t: int, choice: str, text: str) -> None:
        """A result may depend on the open question `choice` (a key of CHOICES) here."""
        self.ambiguous.append((choice, f"t={t / 1e6:g}: {text}"))

    def pool(self) -> int:
        return unreserved_pool(self.limit, [(f.rc, f.pc) for f in self.fns])

    def unreserved_in_use(self) -> int:
        if self.choice["reservation_moves_running"]:
            # a released provisioned environment still busy holds its place in the pool the
            # release gave back, until its execution ends (§2: never more than L at a time)
            return sum(f.running_on_demand + f.due_to_go for f in self.fns if f.rc is None)
        return self.admitted_unreserved

    def run(self) -> dict:
        while self.heap:
            t, _cls, _seq, payload = heapq.heappop(self.heap)
            kind = payload[0]
            if kind == "change":
                self.on_change(t, *payload[1:])
            elif kind == "end":
                self.on_end(t, *payload[1:])
            elif kind == "ready":
                self.on_ready(t, *payload[1:])
            else:
                self.on_arrival(t, payload[1])
        return {
            "requests": {"outcome": self.outcome, "cold": self.cold,
                         "end": [None if e is None else e / 1e6 for e in self.end]},
            "functions": [dict(f.counters) for f in self.fns],
            "refused": self.refused,
            "ambiguous": self.ambiguous,
        }

    # ---- §16: the changes ------------------------------------------------------------------

    def on_change(self, t: int, fn: int, action: str, value, ready: int) -> None:
        f = self.fns[fn]
        if action in ("put_reserved", "delete_reserved"):
            if f.running_on_demand:
                self.note(t, "reservation_moves_running",
                          f"reservation of f{fn} changed with {f.running_on_demand} on-demand "
                          "executions running (counted in the new pool)")
            f.rc = value if action == "put_reserved" else None
        elif action == "put_provisioned":
            self.set_provisioned(t, fn, f, value, ready)
        else:
            self.update_code(t, fn, f)

    def set_provisioned(self, t: int, fn: int, f: Function, n: int, ready: int) -> None:
        f.pc = n  # counts against the reservation or the account at once
        held = len(f.provisioned) - f.due_to_go
        if n > held:
            if f.due_to_go:
                self.note(t, "raise_keeps_due",
                          f"provisioned concurrency of f{fn} raised while {f.due_to_go} busy "
                          "environments are due to go")
                if self.choice["raise_keeps_due"]:
                    kept = min(f.due_to_go, n - held)
                    f.due_to_go -= kept
                    marked = sorted((e for e in f.provisioned if e.marked), key=lambda e: e.order)
                    for e in marked[:kept]:
                        e.marked = False
                    held += kept
                    if n == held:
                        return
            self.batches += 1
            batch = self.batches
            for _ in range(n - held):
                f.provisioned.append(self.new_env(True, 0, "allocating", batch))
            self.push(t + ready, TIMER, ("ready", fn, batch))
            return
        excess = held - n
        # 1. allocations in progress, the newest first
        allocating = sorted((e for e in f.provisioned if e.state == "allocating"),
                            key=lambda e: (e.batch, e.order), reverse=True)
        # 2. ready ones never used, 3. idle used ones (our order among those: the oldest first)
        idle = [e for e in f.provisioned if e.state == "idle"]
        never = [e for e in idle if not e.used]
        used = sorted((e for e in idle if e.used), key=lambda e: e.order)
        if self.choice["used_release"] == "newest":
            used.reverse()
        elif self.choice["used_release"] == "reinit_first":
            used.sort(key=lambda e: (not e.needs_init, e.order))
        for group in (allocating, never, used):
            take = group[:excess]
            if group is used and 0 < len(take) < len(used) and \
                    len({e.needs_init for e in used}) > 1:
                self.note(t, "used_release",
                          f"f{fn} releases {len(take)} of {len(used)} idle used provisioned "
                          "environments, some owing a re-init")
            for e in take:
                e.state = "gone"
                f.provisioned.remove(e)
            excess -= len(take)
        if excess:
            busy = [e for e in f.provisioned if e.state == "busy"]
            free_busy = len(busy) - f.due_to_go
            if excess < free_busy:
                self.note(t, "busy_release",
                          f"f{fn} releases {excess} of {free_busy} busy provisioned environments")
            f.due_to_go += excess
            if self.choice["busy_release"] != "first_to_end":
                free = sorted((e for e in busy if not e.marked), key=lambda e: e.order,
                              reverse=self.choice["busy_release"] == "mark_newest")
                for e in free[:excess]:
                    e.marked = True

    def update_code(self, t: int, fn: int, f: Function) -> None:
        f.version += 1
        for e in list(f.on_demand):
            if e.state == "idle":  # busy ones go when their execution ends (on_end)
                e.state = "gone"
                f.on_demand.remove(e)
        replaces = self.choice["update_replaces_provisioned"]
        for e in f.provisioned:
            if e.state == "idle":
                if e.needs_init:
                    self.note(t, "update_replaces_provisioned",
                              f"update of f{fn} replaces a provisioned environment owing a re-init")
                if replaces:
                    e.needs_init = False
                    e.used = False
            elif e.state == "busy":
                if e.ends_in_timeout:
                    self.note(t, "update_replaces_provisioned",
                              f"update of f{fn} while a provisioned execution runs to a timeout")
                e.replace_on_end = replaces

    def on_ready(self, t: int, fn: int, batch: int) -> None:
        for e in self.fns[fn].provisioned:
            if e.state == "allocating" and e.batch == batch:
                e.state = "idle"
                e.ready_order = self.ready_orders
                self.ready_orders += 1

    # ---- §3, §4: admission, executions ---------------------------------------------------

    def on_arrival(self, t: int, req: int) -> None:
        _, fn, duration = self.requests[req]
        f = self.fns[fn]
        env = self.admit(t, f)
        if env is None:
            f.counters["throttles"] += 1
            self.outcome[req] = THROTTLED
            self.end[req] = t
            return
        cold = env.fresh or env.needs_init
        env.fresh = False
        timed_out = duration > f.timeout
        end = t + (f.init if cold else 0) + (f.timeout if timed_out else duration)
        env.state = "busy"
        env.needs_init = timed_out
        env.ends_in_timeout = timed_out
        if env.provisioned:
            env.used = True
            f.counters["provisioned_invocations"] += 1
        else:
            f.running_on_demand += 1
            env.unreserved = f.rc is None
            self.admitted_unreserved += int(env.unreserved)
        f.counters["invocations"] += 1
        f.counters["cold_starts"] += int(cold)
        f.counters["timeouts"] += int(timed_out)
        self.outcome[req] = TIMEOUT if timed_out else SUCCESS
        self.cold[req] = int(cold)
        self.end[req] = end
        self.push(end, END, ("end", fn, env))

    def running(self, f: Function) -> int:
        return f.running_on_demand + sum(1 for e in f.provisioned if e.state == "busy")

    def admit(self, t: int, f: Function) -> Env | None:
        # never more than L executions at once, nor more than RC of a function (§16: changes
        # can leave more running in a pool than its new size; nothing is admitted over them)
        if sum(self.running(g) for g in self.fns) >= self.limit:
            return None
        # 1. an idle, ready provisioned environment (routing newest)
        idle = [e for e in f.provisioned if e.state == "idle"]
        if idle and (f.rc is None or self.running(f) < f.rc):
            by_allocation = max(idle, key=lambda e: e.order)
            by_ready = max(idle, key=lambda e: e.ready_order)
            if by_allocation.needs_init != by_ready.needs_init:
                self.note(t, "provisioned_created", "the newest idle provisioned environment by "
                          "allocation and by readiness differ in a re-init owed")
            return by_allocation if self.choice["provisioned_created"] == "allocated" else by_ready
        # 2. a reservation caps the function's concurrency: on demand while running_on_demand
        # < RC − the provisioned environments that exist (idle or busy, not those allocating)
        if f.rc is not None:
            existing = sum(1 for e in f.provisioned if e.state in ("idle", "busy"))
            if f.running_on_demand >= f.rc - existing:
                return None
        # 3. the unreserved pool
        elif self.unreserved_in_use() >= self.pool():
            return None
        # 4. a live idle on-demand environment (newest), else a new one
        live = []
        for e in list(f.on_demand):
            if e.state == "idle" and e.dies_at <= t:  # expired (class 2, lazily)
                e.state = "gone"
                f.on_demand.remove(e)
            elif e.state == "idle":
                live.append(e)
        if live:
            return max(live, key=lambda e: e.order)
        env = self.new_env(False, f.version, "idle")
        f.on_demand.append(env)
        return env

    def on_end(self, t: int, fn: int, env: Env) -> None:
        f = self.fns[fn]
        env.ends_in_timeout = False
        if env.provisioned:
            goes = env.marked if self.choice["busy_release"] != "first_to_end" else f.due_to_go > 0
            if goes:
                env.marked = False
                f.due_to_go -= 1
                env.state = "gone"
                f.provisioned.remove(env)
                return
            env.state = "idle"
            if env.replace_on_end:  # replaced without a gap by a fresh environment
                env.replace_on_end = False
                env.needs_init = False
                env.used = False
            return
        f.running_on_demand -= 1
        self.admitted_unreserved -= int(env.unreserved)
        env.unreserved = False
        if env.version != f.version:  # retired by an update: it finished on the old code
            env.state = "gone"
            f.on_demand.remove(env)
            return
        env.state = "idle"
        env.dies_at = t + f.idle_timeout


def simulate(account: dict, functions: list[dict], requests: list, changes: list,
             choices: dict | None = None) -> dict:
    """See the module docstring; `choices` picks other answers to the questions §16 leaves
    open (`CHOICES`)."""
    return Model(account, functions, requests, changes, choices).run()

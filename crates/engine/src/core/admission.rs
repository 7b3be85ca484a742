//! Admission (§4) and the start and end of executions (§5): the path every attempt takes,
//! a workload request's or an event source's batch alike.

use super::environments::{EnvId, Environments, Idle, IdleSet};
use super::executions::{Admitted, Execution, Owner};
use super::lifetimes::Lifetimes;
use super::metrics::Recorder;
use super::pool::{FunctionPool, Pool};
use super::scaling::TokenBucket;
use super::traces::Attempt;
use super::controls::Control;
use super::vpc::Gate;
use super::Core;
use crate::model::codes::{Outcome, Refusal, ThrottleReason};
use crate::model::config::{FunctionConfig, Routing};
use crate::primitives::cache::prefetch;
use crate::primitives::time::Micros;
use crate::primitives::window::SlidingWindow;

/// Runtime state of one function. Laid out by hand (`repr(C)`, cache-line aligned): what every
/// admission and every end touches comes first, in the lines the event loop prefetches.
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct Function {
    pub idle: IdleSet,
    pub pool: FunctionPool,
    pub has_provisioned: bool,
    pub zero_reserved: bool,
    /// It has a VPC state (`gate`) that may refuse it.
    pub gated: bool,
    /// A change while running (§16) touched it: the end of an execution asks `control`
    /// whether the environment stays.
    pub controlled: bool,
    pub timeout_us: Micros,
    /// The init phase and keep-alive when they are fixed and environments live for ever;
    /// otherwise `lifetimes` draws them (§3.1).
    pub init_us: Micros,
    pub idle_timeout_us: Micros,
    pub lifetimes: Option<Box<Lifetimes>>,
    /// Every attempt runs at least this long: past its timeout when it hangs (§13), else 0.
    pub hang_us: Micros,
    /// What an ENI's creation adds to the init of a new environment (legacy VPC, §13).
    pub eni_init_us: Micros,
    /// Its reservation's request-rate window (§14), when it has one.
    pub rate: Option<Box<SlidingWindow>>,
    // -- colder: scaling, VPC, provisioned concurrency, asynchronous settings
    pub bucket: Option<TokenBucket>,
    /// Its VPC state (§13), when something may stop it.
    pub gate: Option<Box<Gate>>,
    /// Legacy VPC networking: the ENI pool its environments take from (§13).
    pub eni_pool: Option<u32>,
    pub provisioned_idle: IdleSet,
    /// Creation numbers of the provisioned environments not made yet (made on first use).
    pub unused_provisioned: std::ops::Range<u64>,
    pub provisioned_ready_us: Micros,
    /// Asynchronous invocation (§6).
    pub max_retry_attempts: u32,
    pub max_event_age_us: Micros,
    pub on_success: Option<u32>,
    pub on_failure: Option<u32>,
    pub dead_letter_queue: Option<u32>,
    /// Its configuration as changes leave it, and its provisioned environments' allocation.
    pub control: Control,
}

// what a warm admission and an end read stays in the two lines the event loop prefetches
const _: () = assert!(std::mem::offset_of!(Function, rate) + 8 <= 64 * PREFETCH_LINES);

/// The request-rate windows' width (§14): one second.
pub(crate) const RATE_WINDOW_US: Micros = 1_000_000;

/// What every function's admission state is built with.
pub(crate) struct AdmissionLimits {
    pub routing: Routing,
    /// A full per-function scaling bucket, when buckets are per function.
    pub bucket: Option<TokenBucket>,
    pub seed: u64,
    pub requests_per_concurrency: Option<u32>,
}

/// How much of `Function` to prefetch: its first two lines (idle list, pool, timings). One line
/// and four lines both measured slower (docs/performance.md).
pub(crate) const PREFETCH_LINES: usize = 2;

impl Function {
    pub fn new(cfg: FunctionConfig, limits: &AdmissionLimits, envs: &mut Environments) -> Function {
        // Provisioned environments exist from time 0, initialised (§3), numbered in function
        // order. They are all alike until first used, so each is made when it is first taken
        // (`make_unused_provisioned`): memory grows with the environments used, not with the
        // configured count (hundreds of millions are legal with a high account limit).
        let unused_lo = envs.reserve_created(cfg.provisioned);
        let routing = limits.routing;
        let gate = cfg.vpc.as_ref().and_then(Gate::new);
        // a reservation of 0 admits nothing: §4 throttles it, so it needs no window
        let rate = match (limits.requests_per_concurrency, cfg.reserved) {
            (Some(k), Some(rc)) if rc > 0 => Some(Box::new(SlidingWindow::new(u64::from(k) * u64::from(rc), RATE_WINDOW_US))),
            _ => None,
        };
        let mut f = Function {
            gated: gate.is_some(),
            controlled: false,
            control: Control::new(cfg.reserved, cfg.provisioned),
            gate,
            rate,
            hang_us: if cfg.hangs { cfg.timeout_us + 1 } else { 0 },
            eni_init_us: cfg.vpc.map_or(0, |v| if v.eni_pool.is_some() { v.eni_init_us } else { 0 }),
            eni_pool: cfg.vpc.and_then(|v| v.eni_pool),
            idle: IdleSet::default(),
            provisioned_idle: IdleSet::default(),
            unused_provisioned: unused_lo..unused_lo + u64::from(cfg.provisioned),
            pool: FunctionPool::new(cfg.reserved, cfg.provisioned),
            bucket: limits.bucket.clone(),
            timeout_us: cfg.timeout_us,
            init_us: cfg.init.fixed().unwrap_or(0),
            idle_timeout_us: cfg.keep_alive.fixed().unwrap_or(0),
            lifetimes: Lifetimes::new(&cfg, limits.seed),
            provisioned_ready_us: cfg.provisioned_ready_us,
            has_provisioned: cfg.provisioned > 0,
            zero_reserved: cfg.reserved == Some(0),
            max_retry_attempts: cfg.max_retry_attempts,
            max_event_age_us: cfg.max_event_age_us,
            on_success: cfg.on_success,
            on_failure: cfg.on_failure,
            dead_letter_queue: cfg.dead_letter_queue,
        };
        f.make_unused_provisioned(routing, envs);
        // warm on-demand environments (§3.1), numbered after the function's provisioned ones
        for _ in 0..cfg.warm_at_start {
            let id = envs.create(0);
            f.idle.insert(routing, Idle { id, needs_init: false, created: envs.get(id).created, idle_since: 0 });
        }
        f
    }

    /// The init phase of environment `created` starting cold at `start` (§3, §3.1).
    #[inline(always)]
    pub fn init_us(&self, created: u64, start: Micros) -> Micros {
        match &self.lifetimes {
            None => self.init_us,
            Some(l) => drawn_init(l, created, start),
        }
    }

    /// When an idle on-demand environment is gone (§3, §3.1).
    #[inline(always)]
    pub fn death(&self, idle: &Idle, envs: &Environments) -> Micros {
        match &self.lifetimes {
            None => idle.idle_since.saturating_add(self.idle_timeout_us),
            Some(l) => drawn_death(l, idle, envs),
        }
    }

    /// The on-demand ceiling of a reservation, from the provisioned environments that exist
    /// (§16: allocating ones leave it to on-demand executions, released busy ones hold it).
    pub fn limit_on_demand(&mut self) {
        self.pool.on_demand_limit = self.control.reserved.map(|rc| rc.saturating_sub(self.control.alive));
    }

    /// Provisioned environments not yet made (`unused_provisioned`).
    pub fn n_unused_provisioned(&self) -> u64 {
        self.unused_provisioned.end - self.unused_provisioned.start
    }

    /// Makes the best provisioned environment never used yet and puts it in the empty
    /// `provisioned_idle` (at construction, and when admission empties the set): the set is
    /// never empty while some are unused. Every environment used and idle again is a better
    /// choice than every unused one under each routing, so only the best unused one needs to
    /// be in the set, which keeps the order of §3: `Newest` (and `Mru`, whose unused ones were
    /// all idle since `provisioned_ready_us`, the earliest any can be) take the last created,
    /// `Oldest` the first.
    #[cold]
    #[inline(never)]
    pub(super) fn make_unused_provisioned(&mut self, routing: Routing, envs: &mut Environments) {
        let next = match routing {
            Routing::Oldest => self.unused_provisioned.next(),
            Routing::Newest | Routing::Mru => self.unused_provisioned.next_back(),
        };
        if let Some(created) = next {
            let id = envs.create_numbered(0, created);
            self.provisioned_idle.insert(routing, Idle { id, needs_init: false, created, idle_since: self.provisioned_ready_us });
        }
    }
}

/// A scaling token for a new environment (§4 step 4): from the function's bucket, or the
/// account's (legacy); `true` when there is no bucket.
#[inline(always)]
fn take_token(own: &mut Option<TokenBucket>, account: &mut Option<TokenBucket>, now: Micros) -> bool {
    match own.as_mut().or(account.as_mut()) {
        Some(b) => b.try_take(now),
        None => true,
    }
}

/// An on-demand execution of `f` admitted at `now`: its concurrency, and the counts of it.
#[inline(always)]
fn on_demand_admitted(pool: &mut Pool, metrics: &mut Recorder, func: &mut Function, f: u32, now: Micros) {
    pool.acquire(&mut func.pool, true);
    metrics.pool(now, pool);
    if func.has_provisioned {
        metrics.spillover_invocation(now, f);
    }
    if let Some(w) = &mut func.rate {
        count_reserved(w, now);
    }
}

// A reservation's window out of line: most functions have none, and inlined it made every
// admission slower (callgrind).
#[cold]
#[inline(never)]
fn reserved_has_room(w: &mut SlidingWindow, now: Micros) -> bool {
    w.has_room(now)
}

#[cold]
#[inline(never)]
fn count_reserved(w: &mut SlidingWindow, now: Micros) {
    w.count(now);
}

// Drawn lifetimes out of line: inlined, the compiler computed parts of them on every
// admission and end of functions that draw nothing (callgrind, docs/performance.md).
#[cold]
#[inline(never)]
fn drawn_init(l: &Lifetimes, created: u64, start: Micros) -> Micros {
    l.init(created, start)
}

#[cold]
#[inline(never)]
fn drawn_death(l: &Lifetimes, idle: &Idle, envs: &Environments) -> Micros {
    l.death(idle.created, envs.get(idle.id).born, idle.idle_since)
}

impl Core {
    /// Asks for the state of function `f` ahead of its use (a cache miss costs more than the
    /// rest of an admission).
    #[inline(always)]
    pub fn prefetch_function(&self, f: usize) {
        if let Some(func) = self.functions.get(f) {
            prefetch(func, PREFETCH_LINES);
            self.metrics.prefetch(f);
        }
    }

    /// Admission (§4, after §13's state and §14's request rate): finds the environment an
    /// attempt of `f` runs on at `now`, or why not. (Inlined: its call overhead was a sixth of
    /// an admission.)
    #[inline(always)]
    pub fn admit(&mut self, f: u32, now: Micros) -> Result<Admitted, Refusal> {
        let admitted = self.admit_capacity::<true>(f, now)?;
        if let Some(w) = &mut self.rate {
            w.count(now);
        }
        Ok(admitted)
    }

    /// Admission of a function with a VPC state: that first (§13), then the rest.
    #[cold]
    #[inline(never)]
    fn admit_gated(&mut self, f: u32, now: Micros) -> Result<Admitted, Refusal> {
        let gate = self.functions[f as usize].gate.as_mut().expect("a gated function");
        if let Some(refusal) = gate.refusal(now) {
            return Err(refusal);
        }
        // (the account's window counts it in `admit`)
        let admitted = self.admit_capacity::<false>(f, now)?;
        if let Some(g) = &mut self.functions[f as usize].gate {
            g.admitted(now);
        }
        Ok(admitted)
    }

    /// The request rates (§14) and §4's steps: a provisioned environment, the concurrency
    /// pools, an idle environment or a new one with a scaling token. With `GATE`, a function
    /// with a VPC state goes through it first (`admit_gated`, which comes back here without).
    #[inline(always)]
    fn admit_capacity<const GATE: bool>(&mut self, f: u32, now: Micros) -> Result<Admitted, Refusal> {
        let func = &mut self.functions[f as usize];
        if GATE && func.gated {
            return self.admit_gated(f, now);
        }
        // the reservation's request rate, then the account's
        if let Some(w) = &mut func.rate {
            if !reserved_has_room(w, now) {
                return Err(Refusal::ReservedFunctionInvocationRateLimitExceeded);
            }
        }
        if let Some(w) = &mut self.rate {
            if !w.has_room(now) {
                return Err(Refusal::FunctionInvocationRateLimitExceeded);
            }
        }
        // after a change, a pool may hold more than its new size: never more than L at once
        if self.pool.running >= self.pool.account_cap {
            return Err(Refusal::ConcurrentInvocationLimitExceeded);
        }
        // 1. an idle provisioned environment, once they are ready (and, after a change, within
        // the reservation: on-demand executions may fill it while environments are allocated)
        if func.has_provisioned
            && !func.provisioned_idle.is_empty()
            && now >= func.provisioned_ready_us
            && (!func.controlled || func.control.reserved.is_none_or(|rc| func.pool.running < rc))
        {
            return Ok(self.admit_provisioned(f, now));
        }
        // 2-3. the function's reservation, or the unreserved pool
        self.pool.check_on_demand(&func.pool)?;
        // a live idle on-demand environment: warm (or re-init after a timeout); dead ones met on
        // the way are discarded (their lifetime ended at their death time)
        let mut found = None;
        while let Some(idle) = func.idle.pop_best() {
            let death = func.death(&idle, &self.envs);
            if now < death {
                found = Some(idle);
                break;
            }
            self.metrics.environment_gone(now, f, self.envs.get(idle.id).born, death);
            self.envs.release(idle.id);
            if let Some(p) = func.eni_pool {
                self.enis.freed(p);
            }
        }
        let admitted = match found {
            Some(idle) => Admitted { env: idle.id, created: idle.created, cold: idle.needs_init, provisioned: false },
            None if func.eni_pool.is_some() => return self.admit_new_with_eni(f, now),
            None => {
                // 4. a new environment needs a scaling token
                if !take_token(&mut func.bucket, &mut self.account_bucket, now) {
                    return Err(Refusal::FunctionScalingRateExceeded);
                }
                self.metrics.environment_created(now, f);
                let env = self.envs.create(now);
                Admitted { env, created: self.envs.get(env).created, cold: true, provisioned: false }
            }
        };
        on_demand_admitted(&mut self.pool, &mut self.metrics, func, f, now);
        Ok(admitted)
    }

    /// A new environment under legacy VPC networking (§13): an ENI of its VPC first, then a
    /// scaling token (so an attempt refused for want of an ENI takes none).
    #[cold]
    #[inline(never)]
    fn admit_new_with_eni(&mut self, f: u32, now: Micros) -> Result<Admitted, Refusal> {
        let p = self.functions[f as usize].eni_pool.expect("a legacy VPC function");
        if !self.eni_room(p, now) {
            return Err(Refusal::EniLimitReached);
        }
        let func = &mut self.functions[f as usize];
        if !take_token(&mut func.bucket, &mut self.account_bucket, now) {
            return Err(Refusal::FunctionScalingRateExceeded);
        }
        self.enis.taken(p);
        self.metrics.environment_created(now, f);
        let env = self.envs.create(now);
        let admitted = Admitted { env, created: self.envs.get(env).created, cold: true, provisioned: false };
        on_demand_admitted(&mut self.pool, &mut self.metrics, func, f, now);
        Ok(admitted)
    }

    /// Admission on an idle provisioned environment of `f` (there is one, and they are ready).
    /// Out of line: inlined, it made every admission slower, of functions without
    /// provisioned concurrency too (callgrind, docs/reliability.md).
    #[cold]
    #[inline(never)]
    fn admit_provisioned(&mut self, f: u32, now: Micros) -> Admitted {
        let func = &mut self.functions[f as usize];
        let idle = func.provisioned_idle.pop_best().expect("non-empty");
        if func.provisioned_idle.is_empty() {
            func.make_unused_provisioned(self.routing, &mut self.envs);
        }
        self.pool.acquire(&mut func.pool, false);
        self.metrics.pool(now, &self.pool);
        self.metrics.provisioned_invocation(now, f);
        self.metrics.provisioned_busy(now, f, func.pool.running - func.pool.on_demand);
        if let Some(w) = &mut func.rate {
            count_reserved(w, now);
        }
        Admitted { env: idle.id, created: idle.created, cold: idle.needs_init, provisioned: true }
    }

    /// Starts an admitted attempt at `now` for `owner` (§5: how an attempt that runs ends);
    /// returns when it ends. Every successful `admit` is followed by this at once, so the
    /// concurrency recorded here is the admission's. `fails`: the workload says this attempt ends in a function error.
    /// `traced`: its request was sampled (docs/traces.md), so its end is logged.
    // eight plain arguments: `start` is inlined into each caller, so they are never moved
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn start(&mut self, owner: Owner, admitted: Admitted, function: u32, duration: Micros, fails: bool, traced: bool, now: Micros) -> Micros {
        let func = &self.functions[function as usize];
        let duration = duration.max(func.hang_us);
        let timed_out = duration > func.timeout_us;
        let outcome = if timed_out {
            Outcome::Timeout
        } else if fails {
            Outcome::Error
        } else {
            Outcome::Success
        };
        let cold = admitted.cold;
        let init_us = if cold { self.cold_init_us(function, admitted.created, admitted.env, now) } else { 0 };
        let busy = init_us + duration.min(func.timeout_us);
        let end = now + busy;
        // §11: init and handler are billed together, rounded up to the millisecond
        let billed_ms = busy.div_ceil(1000);
        self.metrics.started(now, function, cold, init_us, outcome, &func.pool, billed_ms, admitted.provisioned);
        self.executions.schedule(end, Execution::new(owner, now, admitted, function, outcome, timed_out, traced));
        end
    }

    /// An execution ends at `end`: its concurrency is released and its environment goes idle.
    /// (What its result means is its owner's business.)
    #[inline(always)]
    pub fn end(&mut self, x: &Execution, end: Micros) {
        if x.traced {
            self.trace_end(x, end);
        }
        let init_us = if x.cold { self.cold_init_us(x.function, x.created, x.env, x.start) } else { 0 };
        let func = &mut self.functions[x.function as usize];
        self.pool.release(&mut func.pool, !x.provisioned);
        self.metrics.ended(end, x.function, x.start, init_us, &func.pool, &self.pool);
        if x.provisioned {
            self.metrics.provisioned_busy(end, x.function, func.pool.running - func.pool.on_demand);
        }
        if func.controlled {
            return self.end_controlled(x, end);
        }
        let idle = Idle { id: x.env, needs_init: x.needs_init, created: x.created, idle_since: end };
        if x.provisioned {
            func.provisioned_idle.insert(self.routing, idle);
        } else {
            func.idle.insert(self.routing, idle);
        }
    }

    /// The init of a cold start at `start` of environment `env` (number `created`) of
    /// `function`: its init phase (§3.1) and, for a new environment under legacy VPC
    /// networking, its ENI's creation (§13; an environment re-initialising after a timeout was
    /// born before its start and keeps its ENI).
    #[inline(always)]
    fn cold_init_us(&self, function: u32, created: u64, env: EnvId, start: Micros) -> Micros {
        let func = &self.functions[function as usize];
        let eni = if func.eni_init_us != 0 && self.envs.get(env).born == start { func.eni_init_us } else { 0 };
        func.init_us(created, start) + eni
    }

    /// An attempt of `function` was refused at `now` (a throttle, or a refusal of §13).
    #[inline]
    pub fn refused(&mut self, now: Micros, function: u32, refusal: Refusal) {
        match refusal.throttle() {
            Some(reason) => self.metrics.throttled(now, function, reason),
            None => self.metrics.refused(now, function, refusal.outcome()),
        }
    }

    /// A traced execution ends at `end` (docs/traces.md): its row, before its owner's record is resolved.
    #[cold]
    #[inline(never)]
    fn trace_end(&mut self, x: &Execution, end: Micros) {
        let (request, event, arrival, attempt) = match x.owner() {
            Owner::Request(r) => (r, false, x.start, 0),
            Owner::Event(r) => (r, true, x.start, 0),
            Owner::Pending(id) => {
                let p = self.pending.get_mut(id);
                (p.request, p.event, p.enqueued, p.ordinal())
            }
            Owner::Source(_) => unreachable!("event-source batches are not traced"),
        };
        let init = if x.cold { self.cold_init_us(x.function, x.created, x.env, x.start) } else { 0 };
        self.tracer.log(Attempt {
            request,
            function: x.function,
            attempt,
            event,
            arrival,
            start: x.start,
            end,
            cold: x.cold,
            init,
            outcome: x.outcome,
            reason: ThrottleReason::None,
        });
    }
}


// an admission's result is returned in registers: a `Refusal` of one byte fits in `Admitted`'s
// padding (a two-byte one made every admission move it through memory: callgrind)
const _: () = assert!(std::mem::size_of::<Result<Admitted, Refusal>>() == 16);

//! Admission (§4) and the start and end of executions (§5): the path every attempt takes,
//! a workload request's or an event source's batch alike.

use super::environments::{Environments, Idle, IdleSet};
use super::executions::{Admitted, Execution, Owner};
use super::lifetimes::Lifetimes;
use super::pool::FunctionPool;
use super::scaling::TokenBucket;
use super::traces::Attempt;
use super::Core;
use crate::model::codes::{Outcome, ThrottleReason};
use crate::model::config::{FunctionConfig, Routing};
use crate::primitives::cache::prefetch;
use crate::primitives::time::Micros;

/// Runtime state of one function. Laid out by hand (`repr(C)`, cache-line aligned): what every
/// admission and every end touches comes first, in the lines the event loop prefetches.
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct Function {
    pub idle: IdleSet,
    pub pool: FunctionPool,
    pub has_provisioned: bool,
    pub zero_reserved: bool,
    pub timeout_us: Micros,
    /// The init phase and keep-alive when they are fixed and environments live for ever;
    /// otherwise `lifetimes` draws them (§3.1).
    pub init_us: Micros,
    pub idle_timeout_us: Micros,
    pub lifetimes: Option<Box<Lifetimes>>,
    // -- colder: scaling, provisioned concurrency, asynchronous settings
    pub bucket: Option<TokenBucket>,
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
}

// what a warm admission and an end read stays in the two lines the event loop prefetches
const _: () = assert!(std::mem::offset_of!(Function, lifetimes) + 8 <= 64 * PREFETCH_LINES);

/// How much of `Function` to prefetch: its first two lines (idle list, pool, timings). One line
/// and four lines both measured slower (docs/performance.md).
pub(crate) const PREFETCH_LINES: usize = 2;

impl Function {
    pub fn new(cfg: FunctionConfig, routing: Routing, bucket: Option<TokenBucket>, seed: u64, envs: &mut Environments) -> Function {
        // Provisioned environments exist from time 0, initialised (§3), numbered in function
        // order. They are all alike until first used, so each is made when it is first taken
        // (`make_unused_provisioned`): memory grows with the environments used, not with the
        // configured count (hundreds of millions are legal with a high account limit).
        let unused_lo = envs.reserve_created(cfg.provisioned);
        let mut f = Function {
            idle: IdleSet::default(),
            provisioned_idle: IdleSet::default(),
            unused_provisioned: unused_lo..unused_lo + u64::from(cfg.provisioned),
            pool: FunctionPool::new(cfg.reserved, cfg.provisioned),
            bucket,
            timeout_us: cfg.timeout_us,
            init_us: cfg.init.fixed().unwrap_or(0),
            idle_timeout_us: cfg.keep_alive.fixed().unwrap_or(0),
            lifetimes: Lifetimes::new(&cfg, seed),
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
    fn make_unused_provisioned(&mut self, routing: Routing, envs: &mut Environments) {
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

    /// Admission (§4): finds the environment an attempt of `f` runs on at `now`, or why not.
    /// (Inlined: its call overhead was a sixth of an admission.)
    #[inline(always)]
    pub fn admit(&mut self, f: u32, now: Micros) -> Result<Admitted, ThrottleReason> {
        let func = &mut self.functions[f as usize];
        // 1. an idle provisioned environment, once they are ready
        if func.has_provisioned && !func.provisioned_idle.is_empty() && now >= func.provisioned_ready_us {
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
        }
        let admitted = match found {
            Some(idle) => Admitted { env: idle.id, created: idle.created, cold: idle.needs_init, provisioned: false },
            None => {
                // 4. a new environment needs a scaling token
                let bucket = match &mut func.bucket {
                    Some(b) => Some(b),
                    None => self.account_bucket.as_mut(),
                };
                if let Some(b) = bucket {
                    if !b.try_take(now) {
                        return Err(ThrottleReason::FunctionScalingRateExceeded);
                    }
                }
                self.metrics.environment_created(now, f);
                let env = self.envs.create(now);
                Admitted { env, created: self.envs.get(env).created, cold: true, provisioned: false }
            }
        };
        self.pool.acquire(&mut func.pool, true);
        self.metrics.pool(now, &self.pool);
        if func.has_provisioned {
            self.metrics.spillover_invocation(now, f);
        }
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
        let timed_out = duration > func.timeout_us;
        let outcome = if timed_out {
            Outcome::Timeout
        } else if fails {
            Outcome::Error
        } else {
            Outcome::Success
        };
        let cold = admitted.cold;
        let init_us = if cold { func.init_us(admitted.created, now) } else { 0 };
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
        let func = &mut self.functions[x.function as usize];
        self.pool.release(&mut func.pool, !x.provisioned);
        let init_us = if x.cold { func.init_us(x.created, x.start) } else { 0 };
        self.metrics.ended(end, x.function, x.start, init_us, &func.pool, &self.pool);
        let idle = Idle { id: x.env, needs_init: x.needs_init, created: x.created, idle_since: end };
        if x.provisioned {
            func.provisioned_idle.insert(self.routing, idle);
        } else {
            func.idle.insert(self.routing, idle);
        }
    }

    /// An attempt of `function` was throttled at `now`.
    #[inline]
    pub fn throttled(&mut self, now: Micros, function: u32, reason: ThrottleReason) {
        self.metrics.throttled(now, function, reason);
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
                (p.request, p.event, p.enqueued, p.attempts.saturating_add(p.throttles).saturating_sub(1))
            }
            Owner::Source(_) => unreachable!("event-source batches are not traced"),
        };
        let init = if x.cold { self.functions[x.function as usize].init_us(x.created, x.start) } else { 0 };
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


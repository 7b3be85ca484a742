//! The event loop (§1) and admission (§4) — the one place where time moves.
//!
//! Verbs: `submit` checks and numbers a chunk of rows; `advance` runs the loop up to a time;
//! `report` reads the statistics at the horizon. Within one instant the loop processes
//! (1) executions that end, in start order, (2) idle expiry — lazy, see `environments` —
//! (3) timers (retries of asynchronous events and of synchronous callers; polls, batching
//! windows and retries of stream lanes; ramp ticks, windows and returns of queue messages), in
//! the order they were scheduled, (4) arrivals: workload rows in input order, then records of
//! event sources (sources in order, then input order).
//! Event sources have their verbs in child modules of this one: `sources.rs` (records merged
//! with the workload), `lanes.rs` (stream mappings) and `pollers.rs` (queue mappings).

#[path = "lanes.rs"]
mod lanes;
#[path = "pollers.rs"]
mod pollers;
#[path = "sources.rs"]
mod sources;

use crate::config::{ClientRetries, Config, Routing, Scaling};
use crate::destinations::DestinationLog;
use crate::environments::{EnvId, Environments, Idle, IdleSet};
use crate::error::Error;
use crate::events::{Execution, Executions, EVENT_NO_PENDING, NO_PENDING};
use crate::invocations::{error_backoff, throttle_backoff, Pending, PendingSet, NEVER};
use crate::pool::{FunctionPool, Pool};
use crate::results::{AccountStats, FunctionStats, Outcome, Record, Report, Sink, ThrottleReason};
use crate::rng::SplitMix64;
use crate::scaling::TokenBucket;
use crate::queues::{QueueBatch, QueueMapping};
use crate::shards::{Lane, Mapping, RecordCursor};
use crate::time::{to_micros, to_seconds, Micros, MAX_SECONDS};
use crate::wheel::Wheel;
use crate::workload::{Arrival, Cursor, Rows, Submitted, EVENT};

/// Runtime state of one function. Laid out by hand (`repr(C)`, cache-line aligned): what every
/// admission and every end touches comes first, in the lines `advance` prefetches.
#[derive(Debug)]
#[repr(C, align(64))]
struct Function {
    idle: IdleSet,
    pool: FunctionPool,
    has_provisioned: bool,
    zero_reserved: bool,
    timeout_us: Micros,
    init_us: Micros,
    idle_timeout_us: Micros,
    /// The counters every execution start writes (merged into `stats` by `report`).
    started: Started,
    // -- colder: statistics, scaling, provisioned concurrency, lifetimes, asynchronous settings
    stats: FunctionStats,
    bucket: Option<TokenBucket>,
    provisioned_idle: IdleSet,
    provisioned_ready_us: Micros,
    /// Σ (death − birth) of environments already gone, in µs.
    dead_env_us: u128,
    /// Asynchronous invocation (§6).
    max_retry_attempts: u32,
    max_event_age_us: Micros,
    on_success: Option<u32>,
    on_failure: Option<u32>,
    dead_letter_queue: Option<u32>,
}

/// The counters of `FunctionStats` that every execution start writes, kept among the hot fields.
#[derive(Debug, Clone, Copy, Default)]
struct Started {
    invocations: u64,
    cold_starts: u64,
    errors: u64,
    timeouts: u64,
}

// the counters stay in the two lines `advance` prefetches, with what a warm admission reads
const _: () = assert!(std::mem::offset_of!(Function, started) + std::mem::size_of::<Started>() <= 64 * PREFETCH_LINES);

/// How many rows ahead `advance` prefetches a function's state.
const PREFETCH_ROWS: usize = 12;

/// A hint to the processor that the first `LINES` cache lines at `p` will be read soon (no
/// effect on other architectures).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    for line in 0..PREFETCH_LINES {
        // SAFETY: a prefetch is a hint; it never faults, whatever the address.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((p as *const i8).wrapping_add(64 * line))
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// How much of `Function` to prefetch: its first two lines (idle list, pool, timings). One line
/// and four lines both measured slower (docs/performance.md).
const PREFETCH_LINES: usize = 2;

/// Where an admitted attempt runs.
#[derive(Debug, Clone, Copy)]
struct Admitted {
    env: EnvId,
    /// The environment's creation order (its routing key), carried so that the end of the
    /// execution need not read the environment's record.
    created: u64,
    /// It pays init: a new environment, or one re-initialising after a timeout.
    cold: bool,
    provisioned: bool,
}

pub struct Engine {
    routing: Routing,
    functions: Vec<Function>,
    envs: Environments,
    executions: Executions,
    pool: Pool,
    /// The legacy account-wide scaling bucket.
    account_bucket: Option<TokenBucket>,
    /// The time of the last event processed (or the last `until`).
    now: Micros,
    /// When the last request was resolved (the horizon of a run without `until`).
    last_resolved: Micros,
    /// The workload rows submitted so far (request ids) and the last arrival time.
    requests: Submitted,
    /// Requests between attempts: asynchronous events, synchronous callers retrying.
    pending: PendingSet,
    /// Their retries (§1 class 3), as pending-request ids.
    timers: Wheel<u32>,
    destinations: Vec<DestinationLog>,
    client_retries: Option<ClientRetries>,
    rng: SplitMix64,
    /// Event sources (§7–8); stream mappings and their lanes; queue mappings, their batches
    /// (in flight or waiting to return) and their timers.
    sources: Vec<sources::Source>,
    mappings: Vec<Mapping>,
    lanes: Vec<Lane>,
    queues: Vec<QueueMapping>,
    queue_batches: pollers::Slab<QueueBatch>,
    queue_timers: pollers::Slab<pollers::QueueTimer>,
}

impl Engine {
    pub fn new(config: Config) -> Result<Engine, Error> {
        config.check()?;
        let Config { account, functions, routing, destinations, client_retries, seed, sources, mappings, queue_mappings } = config;
        let source_state = sources::build(&sources, &mappings, &queue_mappings);
        let (mappings, lanes) = lanes::build(&sources, mappings);
        let queues = pollers::build(&sources, queue_mappings);
        let (per_function, account_bucket) = match account.scaling {
            Scaling::Off => (None, None),
            Scaling::PerFunction { burst, cost_us } => (Some(TokenBucket::new(burst, cost_us)), None),
            Scaling::Account { burst, cost_us } => (None, Some(TokenBucket::new(burst, cost_us))),
        };
        let mut envs = Environments::new();
        let mut fns = Vec::with_capacity(functions.len());
        for cfg in functions {
            // Provisioned environments exist from time 0, initialised (§3), in function order.
            let mut provisioned_idle = IdleSet::default();
            for _ in 0..cfg.provisioned {
                let id = envs.create(0);
                let idle = Idle { id, needs_init: false, created: envs.get(id).created, idle_since: cfg.provisioned_ready_us };
                provisioned_idle.insert(routing, idle);
            }
            fns.push(Function {
                idle: IdleSet::default(),
                provisioned_idle,
                pool: FunctionPool::new(cfg.reserved, cfg.provisioned),
                bucket: per_function.clone(),
                timeout_us: cfg.timeout_us,
                init_us: cfg.init_us,
                idle_timeout_us: cfg.idle_timeout_us,
                provisioned_ready_us: cfg.provisioned_ready_us,
                has_provisioned: cfg.provisioned > 0,
                started: Started::default(),
                stats: FunctionStats::default(),
                dead_env_us: 0,
                zero_reserved: cfg.reserved == Some(0),
                max_retry_attempts: cfg.max_retry_attempts,
                max_event_age_us: cfg.max_event_age_us,
                on_success: cfg.on_success,
                on_failure: cfg.on_failure,
                dead_letter_queue: cfg.dead_letter_queue,
            });
        }
        Ok(Engine {
            routing,
            functions: fns,
            envs,
            executions: Executions::new(),
            pool: Pool::new(account.unreserved_capacity),
            account_bucket,
            now: 0,
            last_resolved: 0,
            requests: Submitted::default(),
            pending: PendingSet::default(),
            timers: Wheel::new(),
            destinations: vec![DestinationLog::default(); destinations as usize],
            client_retries,
            rng: SplitMix64::new(seed),
            sources: source_state,
            mappings,
            lanes,
            queues,
            queue_batches: pollers::Slab::default(),
            queue_timers: pollers::Slab::default(),
        })
    }

    /// Request ids handed out so far (the rows submitted).
    pub fn submitted(&self) -> u64 {
        self.requests.rows
    }

    pub fn n_functions(&self) -> usize {
        self.functions.len()
    }

    /// The simulated time the engine has reached.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// Checks a chunk and hands out its request ids; returns the first id. The caller keeps the
    /// rows and passes them to `advance` (through a `Cursor`) with `first_id` set to it.
    pub fn submit(&mut self, rows: &Rows<'_>) -> Result<u64, Error> {
        let n_functions = self.functions.len();
        self.requests.take(self.now, rows.time, |not_before, not_before_s| rows.validate(n_functions, not_before, not_before_s))
    }

    /// Runs the loop until `until` (inclusive; `None`: until nothing is left), sending every
    /// request resolved on the way to `sink`.
    pub fn advance<S: Sink>(&mut self, until: Option<Micros>, arrivals: &mut Cursor<'_>, sink: &mut S) -> Result<(), Error> {
        self.advance_with(until, arrivals, &mut [], sink)
    }

    /// `advance` with stream records too: `records[s]` holds stream `s`'s submitted chunks.
    pub fn advance_with<S: Sink>(
        &mut self,
        until: Option<Micros>,
        arrivals: &mut Cursor<'_>,
        records: &mut [RecordCursor<'_>],
        sink: &mut S,
    ) -> Result<(), Error> {
        if let Some(u) = until {
            if u < self.now {
                return Err(Error::Config(format!(
                    "until={} is before the simulator's current time {}",
                    to_seconds(u),
                    to_seconds(self.now)
                )));
            }
        } else {
            self.check_finishes(records)?;
        }
        let limit = until.unwrap_or(Micros::MAX);
        if !records.is_empty() {
            self.merge_records(limit, arrivals, records, sink)?;
        }
        self.run_rows(limit, arrivals, sink)?;
        self.run_until(limit, sink);
        if let Some(u) = until {
            self.now = u;
        }
        Ok(())
    }

    /// Takes every workload row up to `limit` (inclusive), each after the events due before it.
    /// (One copy, called once per `advance` and once per run of records: the row loop is the
    /// hot path, and inlining it into both callers made the compiler stop inlining `arrive`.)
    #[inline(never)]
    fn run_rows<S: Sink>(&mut self, limit: Micros, arrivals: &mut Cursor<'_>, sink: &mut S) -> Result<(), Error> {
        let n_functions = self.functions.len() as u64;
        'chunks: while arrivals.chunk < arrivals.chunks.len() {
            let rows = arrivals.chunks[arrivals.chunk];
            let n = rows.len();
            while arrivals.row < n {
                let row = arrivals.row;
                // The columns were checked at submission, but they are the caller's arrays, read
                // in place: a few comparisons make sure a later change cannot take the engine
                // anywhere undefined (they fail only if the arrays were modified).
                let (ts, f, d) = (rows.time[row], rows.function[row], rows.duration[row]);
                let t = to_micros(ts);
                let bad_time = !(0.0..=MAX_SECONDS).contains(&ts) | (t < self.now);
                let bad_function = f as u64 >= n_functions; // a negative index wraps to huge
                let bad_duration = !(0.0..=MAX_SECONDS).contains(&d);
                if bad_time | bad_function | bad_duration {
                    let column = if bad_time { "time" } else if bad_function { "function" } else { "duration" };
                    return Err(crate::workload::changed_after_submit(column, row));
                }
                if t > limit {
                    break 'chunks;
                }
                // The arrivals are known in advance: ask for the state of the function a few
                // rows ahead now, so that it is in cache when its row comes (a cache miss
                // costs more than the rest of an admission).
                if let Some(&f) = rows.function.get(row + PREFETCH_ROWS) {
                    if let Some(func) = self.functions.get(f as usize) {
                        prefetch(func);
                    }
                }
                arrivals.row = row + 1;
                self.run_until(t, sink);
                self.now = t;
                self.arrive(rows.arrival_at(row, t), sink);
            }
            arrivals.chunk += 1;
            arrivals.row = 0;
        }
        Ok(())
    }

    /// Processes, in the §1 order, every execution end and every timer due at or before `t`,
    /// one event at a time: an end may schedule a timer that comes before the next end.
    #[inline(always)]
    fn run_until<S: Sink>(&mut self, t: Micros, sink: &mut S) {
        loop {
            let timer = self.timers.peek().filter(|&m| m <= t);
            // an end at or before the next timer comes first (ends before timers at an instant)
            let functions = &self.functions;
            let end = self.executions.pop_due_hinted(timer.unwrap_or(t), |x| {
                // executions about to end get their function's state fetched ahead (see advance)
                if let Some(func) = functions.get(x.function as usize) {
                    prefetch(func);
                }
            });
            if let Some(popped) = end {
                let (end, x) = self.executions.popped(popped);
                self.now = end;
                self.finish(x, end, sink);
            } else if let Some(m) = timer {
                let (_, id) = self.timers.pop_due(m).expect("a due timer");
                self.now = m;
                if id & sources::QUEUE_TIMER == sources::QUEUE_TIMER {
                    self.fire_queue_timer(id & !sources::QUEUE_TIMER, m, sink);
                } else if id & sources::LANE_TIMER != 0 {
                    self.lane_timer(id & !sources::LANE_TIMER, m, sink);
                } else {
                    self.attempt(id, m, sink);
                }
            } else {
                break;
            }
        }
    }

    /// A workload row arrives (§4–6).
    #[inline(always)]
    fn arrive<S: Sink>(&mut self, a: Arrival, sink: &mut S) {
        if a.invocation_type == EVENT {
            return self.arrive_event(a, sink);
        }
        // A synchronous request: one attempt, whose result is the request's result.
        match self.admit(a.function, a.time) {
            Ok(admitted) => {
                let fails = a.failures > 0;
                self.start(admitted, a.request, a.function, a.duration, fails, a.time, NO_PENDING);
            }
            Err(reason) if self.client_retries.is_some() => {
                // the caller's SDK may try again: the request needs a record between attempts
                let id = self.pending.insert(Pending::new(&a, false));
                self.throttled(id, reason, a.time, sink);
            }
            Err(reason) => {
                self.count_throttle(a.function, reason);
                self.resolve(
                    sink,
                    Record {
                        request: a.request,
                        outcome: Outcome::Throttled,
                        reason,
                        attempts: 0,
                        throttles: 1,
                        cold_starts: 0,
                        end: a.time,
                        first_start: NEVER,
                        last_start: NEVER,
                        event_age: NEVER,
                    },
                );
            }
        }
    }

    /// An asynchronous event is queued (§6) and makes its first attempt.
    fn arrive_event<S: Sink>(&mut self, a: Arrival, sink: &mut S) {
        let func = &mut self.functions[a.function as usize];
        func.stats.async_events_received += 1;
        if func.zero_reserved {
            // dropped at once, without an attempt and without counting as a throttle
            return self.drop_event(Pending::new(&a, true), Outcome::ZeroReservedConcurrency, a.time, sink);
        }
        let will_succeed = a.duration <= func.timeout_us && a.failures == 0;
        match self.admit(a.function, a.time) {
            // The common case: an event that runs at once and succeeds needs no record between
            // attempts; its execution carries it like a synchronous request's.
            Ok(admitted) if will_succeed => {
                self.start(admitted, a.request, a.function, a.duration, false, a.time, EVENT_NO_PENDING);
            }
            Ok(admitted) => {
                let id = self.pending.insert(Pending::new(&a, true));
                self.run_attempt(id, admitted, a.time)
            }
            Err(reason) => {
                let id = self.pending.insert(Pending::new(&a, true));
                self.throttled(id, reason, a.time, sink)
            }
        }
    }

    /// An attempt of a request that has a record (an event, or a caller retrying).
    fn attempt<S: Sink>(&mut self, id: u32, now: Micros, sink: &mut S) {
        let function = self.pending.get_mut(id).function;
        match self.admit(function, now) {
            Ok(admitted) => self.run_attempt(id, admitted, now),
            Err(reason) => self.throttled(id, reason, now, sink),
        }
    }

    /// An admitted attempt of a request with a record: count it and start it.
    fn run_attempt(&mut self, id: u32, admitted: Admitted, now: Micros) {
        let p = self.pending.get_mut(id);
        p.attempts = p.attempts.saturating_add(1);
        p.cold_starts = p.cold_starts.saturating_add(admitted.cold as u16);
        if p.first_start == NEVER {
            p.first_start = now;
        }
        p.last_start = now;
        // the first `failures` attempts that reach the function fail (§5)
        let fails = u32::from(p.attempts) <= p.failures;
        let (request, function, duration) = (p.request, p.function, p.duration);
        self.start(admitted, request, function, duration, fails, now, id);
    }

    /// An attempt of a request with a record was throttled: schedule its retry, or give up.
    fn throttled<S: Sink>(&mut self, id: u32, reason: ThrottleReason, now: Micros, sink: &mut S) {
        let p = self.pending.get_mut(id);
        p.throttles = p.throttles.saturating_add(1);
        p.reason = reason;
        let (function, throttles, event) = (p.function, p.throttles, p.event);
        self.count_throttle(function, reason);
        if event {
            // §6: 1 s, 2 s, 4 s ... 300 s; throttles use no retry attempt
            return self.retry_or_expire(id, now, throttle_backoff(u32::from(throttles)), sink);
        }
        // a synchronous caller: `throttles` attempts made so far, all throttled
        let c = self.client_retries.expect("only callers with a retry policy have records");
        let n = u32::from(throttles);
        if n >= c.max_attempts {
            let p = self.pending.remove(id);
            return self.resolve(sink, p.record(Outcome::Throttled, now));
        }
        let ceiling = if n > 63 { c.cap_us } else { c.base_us.saturating_mul(1 << (n - 1)).min(c.cap_us) };
        let delay = self.rng.part_of(ceiling);
        self.timers.schedule(now.saturating_add(delay), id);
    }

    /// §6: before a retry of an event is scheduled, its age is checked ahead: if the retry
    /// would come after `enqueued + max_event_age`, the event is dropped now.
    fn retry_or_expire<S: Sink>(&mut self, id: u32, now: Micros, delay: Micros, sink: &mut S) {
        let p = *self.pending.get_mut(id);
        let max_age = self.functions[p.function as usize].max_event_age_us;
        let at = now.saturating_add(delay);
        if at > p.enqueued.saturating_add(max_age) {
            let p = self.pending.remove(id);
            self.drop_event(p, Outcome::EventAgeExceeded, now, sink);
        } else {
            self.timers.schedule(at, id);
        }
    }

    /// An event leaves without success (`AsyncEventsDropped`): to the on-failure destination
    /// and the dead-letter queue, when the function has them.
    fn drop_event<S: Sink>(&mut self, p: Pending, outcome: Outcome, now: Micros, sink: &mut S) {
        let func = &mut self.functions[p.function as usize];
        func.stats.async_events_dropped += 1;
        let keep = sink.keeps_records();
        for d in [func.on_failure, func.dead_letter_queue].into_iter().flatten() {
            self.destinations[d as usize].push(keep, p.request, outcome, p.attempts, now);
        }
        self.resolve(sink, p.record(outcome, now));
    }

    #[inline]
    fn count_throttle(&mut self, function: u32, reason: ThrottleReason) {
        let s = &mut self.functions[function as usize].stats;
        s.throttles += 1;
        s.throttles_by_reason[reason as usize - 1] += 1;
    }

    /// Admission (§4): finds the environment an attempt of `f` runs on at `now`, or why not.
    /// (Inlined: its call overhead was a sixth of an admission.)
    #[inline(always)]
    fn admit(&mut self, f: u32, now: Micros) -> Result<Admitted, ThrottleReason> {
        let func = &mut self.functions[f as usize];
        // 1. an idle provisioned environment, once they are ready
        if func.has_provisioned && !func.provisioned_idle.is_empty() && now >= func.provisioned_ready_us {
            let idle = func.provisioned_idle.pop_best().expect("non-empty");
            self.pool.acquire(&mut func.pool, false);
            func.stats.provisioned_invocations += 1;
            return Ok(Admitted { env: idle.id, created: idle.created, cold: idle.needs_init, provisioned: true });
        }
        // 2-3. the function's reservation, or the unreserved pool
        self.pool.check_on_demand(&func.pool)?;
        // a live idle on-demand environment: warm (or re-init after a timeout); dead ones met on
        // the way are discarded (their lifetime ended at idle_since + idle_timeout)
        let mut found = None;
        while let Some(idle) = func.idle.pop_best() {
            let death = idle.idle_since.saturating_add(func.idle_timeout_us);
            if now < death {
                found = Some(idle);
                break;
            }
            func.dead_env_us += (death - self.envs.get(idle.id).born) as u128;
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
                func.stats.environments_created += 1;
                let env = self.envs.create(now);
                Admitted { env, created: self.envs.get(env).created, cold: true, provisioned: false }
            }
        };
        self.pool.acquire(&mut func.pool, true);
        if func.has_provisioned {
            func.stats.spillover_invocations += 1;
        }
        Ok(admitted)
    }

    /// Starts an admitted attempt at `now` (§5: how an attempt that runs ends). `fails`: the
    /// workload says this attempt ends in a function error.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn start(&mut self, admitted: Admitted, request: u64, function: u32, duration: Micros, fails: bool, now: Micros, pending: u32) -> Micros {
        let func = &mut self.functions[function as usize];
        let timed_out = duration > func.timeout_us;
        let outcome = if timed_out {
            Outcome::Timeout
        } else if fails {
            Outcome::Error
        } else {
            Outcome::Success
        };
        let cold = admitted.cold;
        let end = now + if cold { func.init_us } else { 0 } + duration.min(func.timeout_us);
        let s = &mut func.started;
        s.invocations += 1;
        s.cold_starts += cold as u64;
        s.errors += (outcome != Outcome::Success) as u64;
        s.timeouts += timed_out as u64;
        self.executions.schedule(
            end,
            Execution {
                request,
                start: now,
                pending,
                env: admitted.env,
                created: admitted.created,
                function,
                outcome,
                cold,
                provisioned: admitted.provisioned,
                needs_init: timed_out,
            },
        );
        end
    }

    /// An execution ends at `end`: its environment goes idle and its attempt's result decides
    /// what happens to the request.
    #[inline(always)]
    fn finish<S: Sink>(&mut self, x: Execution, end: Micros, sink: &mut S) {
        let func = &mut self.functions[x.function as usize];
        self.pool.release(&mut func.pool, !x.provisioned);
        let idle = Idle { id: x.env, needs_init: x.needs_init, created: x.created, idle_since: end };
        if x.provisioned {
            func.provisioned_idle.insert(self.routing, idle);
        } else {
            func.idle.insert(self.routing, idle);
        }
        if x.pending >= EVENT_NO_PENDING {
            // a request with no record: one attempt, whose result is the request's
            let event = x.pending == EVENT_NO_PENDING; // an event that ran at once and succeeded
            if event {
                if let Some(d) = self.functions[x.function as usize].on_success {
                    let keep = sink.keeps_records();
                    self.destinations[d as usize].push(keep, x.request, Outcome::Success, 1, end);
                }
            }
            return self.resolve(
                sink,
                Record {
                    request: x.request,
                    outcome: x.outcome,
                    reason: ThrottleReason::None,
                    attempts: 1,
                    throttles: 0,
                    cold_starts: x.cold as u16,
                    end,
                    first_start: x.start,
                    last_start: x.start,
                    event_age: if event { 0 } else { NEVER },
                },
            );
        }
        self.finish_pending(x, end, sink);
    }

    /// The end of an attempt of a request with a record (§6 for events).
    fn finish_pending<S: Sink>(&mut self, x: Execution, end: Micros, sink: &mut S) {
        if x.pending == lanes::BATCH {
            return self.batch_end(x.request as u32, x.outcome, end, sink);
        }
        if x.pending == pollers::QUEUE_BATCH {
            return self.queue_batch_end(x.request as u32, x.outcome, end, sink);
        }
        let p = self.pending.get_mut(x.pending);
        if !p.event {
            let p = self.pending.remove(x.pending);
            return self.resolve(sink, p.record(x.outcome, end));
        }
        if x.outcome == Outcome::Success {
            let p = self.pending.remove(x.pending);
            if let Some(d) = self.functions[p.function as usize].on_success {
                let keep = sink.keeps_records();
                self.destinations[d as usize].push(keep, p.request, Outcome::Success, p.attempts, end);
            }
            return self.resolve(sink, p.record(Outcome::Success, end));
        }
        // a function error or a timeout: retry after 60 s, then 120 s, up to max_retry_attempts
        p.failed = p.failed.saturating_add(1);
        let failed = p.failed;
        if u32::from(failed) > self.functions[x.function as usize].max_retry_attempts {
            let p = self.pending.remove(x.pending);
            return self.drop_event(p, Outcome::RetriesExhausted, end, sink);
        }
        self.retry_or_expire(x.pending, end, error_backoff(failed), sink);
    }

    #[inline]
    fn resolve<S: Sink>(&mut self, sink: &mut S, record: Record) {
        self.last_resolved = self.last_resolved.max(record.end);
        sink.resolved(&record);
    }

    /// Takes the destination records collected so far (one log per destination).
    pub fn drain_destinations(&mut self) -> Vec<DestinationLog> {
        self.destinations.iter_mut().map(DestinationLog::drain).collect()
    }

    /// Records ever sent to each destination (kept or not).
    pub fn destination_totals(&self) -> Vec<u64> {
        self.destinations.iter().map(|d| d.total).collect()
    }

    /// Requests between attempts or in one that have a record (events, retrying callers).
    pub fn pending_requests(&self) -> usize {
        self.pending.len()
    }

    /// The horizon of a report: `until`, or when the last request was resolved.
    pub fn horizon(&self, until: Option<Micros>) -> Micros {
        until.unwrap_or(self.last_resolved)
    }

    /// Statistics over [0, horizon] (§10 whole-run figures).
    pub fn report(&self, horizon: Micros) -> Report {
        let mut alive_us: Vec<u128> = self.functions.iter().map(|f| f.dead_env_us).collect();
        let lifetime = |born: Micros, death: Micros| (death.min(horizon).saturating_sub(born)) as u128;
        for (i, f) in self.functions.iter().enumerate() {
            for e in f.idle.iter() {
                alive_us[i] += lifetime(self.envs.get(e.id).born, e.idle_since.saturating_add(f.idle_timeout_us));
            }
            for e in f.provisioned_idle.iter() {
                alive_us[i] += lifetime(self.envs.get(e.id).born, Micros::MAX);
            }
        }
        for x in self.executions.running() {
            alive_us[x.function as usize] += lifetime(self.envs.get(x.env).born, Micros::MAX);
        }
        let avg = |us: u128| if horizon == 0 { 0.0 } else { us as f64 / horizon as f64 };
        let functions = self
            .functions
            .iter()
            .zip(&alive_us)
            .map(|(f, &us)| FunctionStats {
                max_concurrency: f.pool.max_running,
                avg_environments: avg(us),
                invocations: f.started.invocations,
                cold_starts: f.started.cold_starts,
                errors: f.started.errors,
                timeouts: f.started.timeouts,
                ..f.stats.clone()
            })
            .collect();
        Report {
            horizon,
            functions,
            account: AccountStats {
                max_concurrency: self.pool.max_running,
                max_unreserved_concurrency: self.pool.max_unreserved,
                avg_environments: avg(alive_us.iter().sum()),
            },
        }
    }

    /// Executions running now.
    pub fn running(&self) -> usize {
        self.executions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AccountConfig, FunctionConfig};
    use crate::results::WindowLog;

    fn engine(limit: u32, functions: Vec<FunctionConfig>, scaling: Scaling) -> Engine {
        let reserved: u32 = functions.iter().map(|f| f.reserved.unwrap_or(f.provisioned)).sum();
        let account = AccountConfig { concurrency_limit: limit, unreserved_capacity: limit - reserved, scaling };
        Engine::new(Config { destinations: 1, ..Config::new(account, functions) })
        .unwrap()
    }

    /// Runs rows of (time s, function, duration s) to completion.
    fn run(e: &mut Engine, rows: &[(f64, i64, f64)]) -> WindowLog {
        let time: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let function: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let duration: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let mut rows = Rows { time: &time, function: &function, duration: &duration, invocation_type: None, failures: None, first_id: 0 };
        rows.first_id = e.submit(&rows).unwrap();
        let mut log = WindowLog::default();
        e.advance(None, &mut Cursor::new(vec![rows], 0), &mut log).unwrap();
        log
    }

    fn f() -> FunctionConfig {
        FunctionConfig { init_us: 0, ..FunctionConfig::new() }
    }

    #[test]
    fn zero_length_execution_frees_its_slot_before_the_next_arrival() {
        let mut e = engine(1, vec![f()], Scaling::Off);
        let log = run(&mut e, &[(1.0, 0, 0.0), (1.0, 0, 0.0), (1.0, 0, 0.5)]);
        assert_eq!(log.outcome, vec![1, 1, 1]);
        assert_eq!(log.cold_starts, vec![1, 0, 0]);
        assert_eq!(e.report(e.horizon(None)).functions[0].max_concurrency, 1);
    }

    #[test]
    fn the_unreserved_pool_throttles_and_the_throttle_resolves_at_once() {
        let mut e = engine(2, vec![f()], Scaling::Off);
        let log = run(&mut e, &[(0.0, 0, 1.0), (0.0, 0, 1.0), (0.5, 0, 1.0)]);
        // resolution order: the throttle at 0.5 s, then the two executions at 1 s
        assert_eq!(log.request, vec![2, 0, 1]);
        assert_eq!(log.outcome, vec![Outcome::Throttled as u8, 1, 1]);
        assert_eq!(log.reason[0], ThrottleReason::ConcurrentInvocationLimitExceeded as u8);
        assert_eq!(log.end, vec![0.5, 1.0, 1.0]);
    }

    #[test]
    fn an_idle_environment_is_gone_at_exactly_its_expiry() {
        let mut e = engine(10, vec![FunctionConfig { idle_timeout_us: 1_000_000, ..f() }], Scaling::Off);
        // idle from 0.5 s: reusable at 1.499999 s, gone at 1.5 s
        let log = run(&mut e, &[(0.0, 0, 0.5), (1.499999, 0, 0.0), (1.499999, 0, 0.0), (2.5, 0, 0.0)]);
        assert_eq!(log.cold_starts, vec![1, 0, 0, 1]);
        let report = e.report(e.horizon(None));
        assert_eq!(report.functions[0].environments_created, 2);
    }

    #[test]
    fn the_scaling_bucket_refuses_new_environments_not_warm_ones() {
        let mut e = engine(100, vec![f()], Scaling::PerFunction { burst: 2, cost_us: 1_000_000 });
        let log = run(&mut e, &[(0.0, 0, 0.1), (0.0, 0, 0.1), (0.0, 0, 0.1), (0.2, 0, 0.1), (0.2, 0, 0.1), (0.2, 0, 0.1)]);
        let scaling = ThrottleReason::FunctionScalingRateExceeded as u8;
        let mut by_request = vec![0u8; 6];
        for (r, reason) in log.request.iter().zip(&log.reason) {
            by_request[*r as usize] = *reason;
        }
        // two tokens at 0 s; at 0.2 s two warm environments and no token for a third
        assert_eq!(by_request, vec![0, 0, scaling, 0, 0, scaling]);
    }

    #[test]
    fn provisioned_environments_are_used_first_and_take_no_token() {
        let pc = FunctionConfig { reserved: Some(3), provisioned: 2, ..f() };
        let mut e = engine(10, vec![pc], Scaling::PerFunction { burst: 1, cost_us: 1_000_000 });
        let log = run(&mut e, &[(0.0, 0, 1.0), (0.0, 0, 1.0), (0.0, 0, 1.0), (0.0, 0, 1.0)]);
        let stats = &e.report(e.horizon(None)).functions[0];
        assert_eq!((stats.provisioned_invocations, stats.spillover_invocations), (2, 1));
        assert_eq!(stats.throttles_by_reason, [1, 0, 0]); // RC − PC = 1 on demand
        assert_eq!(log.cold_starts.iter().map(|&c| c as u32).sum::<u32>(), 1);
    }

    /// Runs event rows of (time s, function, duration s, failures) to completion.
    fn run_events(e: &mut Engine, rows: &[(f64, i64, f64, i64)]) -> WindowLog {
        let time: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let function: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let duration: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let failures: Vec<i64> = rows.iter().map(|r| r.3).collect();
        let kinds = vec![EVENT; rows.len()];
        let mut rows = Rows {
            time: &time,
            function: &function,
            duration: &duration,
            invocation_type: Some(&kinds),
            failures: Some(&failures),
            first_id: 0,
        };
        rows.first_id = e.submit(&rows).unwrap();
        let mut log = WindowLog::default();
        e.advance(None, &mut Cursor::new(vec![rows], 0), &mut log).unwrap();
        log
    }

    fn async_engine(f: FunctionConfig) -> Engine {
        engine(10, vec![FunctionConfig { on_failure: Some(0), ..f }], Scaling::Off)
    }

    #[test]
    fn a_failing_event_is_retried_after_one_then_two_minutes() {
        let mut e = async_engine(f());
        let log = run_events(&mut e, &[(0.0, 0, 1.0, 3)]);
        assert_eq!(log.outcome, vec![Outcome::RetriesExhausted as u8]);
        assert_eq!(log.attempts, vec![3]);
        // attempts at 0 s, 61 s (60 s after the end at 1 s) and 182 s; dropped at 183 s
        assert_eq!((log.first_start[0], log.last_start[0], log.end[0]), (0.0, 182.0, 183.0));
        let d = &e.drain_destinations()[0];
        assert_eq!((d.condition.clone(), d.approximate_invoke_count.clone(), d.time.clone()), (vec![5], vec![3], vec![183.0]));
    }

    #[test]
    fn the_maximum_event_age_is_checked_ahead_of_each_retry() {
        for (age_s, attempts) in [(60, 1), (90, 2), (21_600, 3)] {
            let mut e = async_engine(FunctionConfig { max_event_age_us: age_s * 1_000_000, ..f() });
            let log = run_events(&mut e, &[(0.0, 0, 1.0, 3)]);
            assert_eq!(log.attempts, vec![attempts], "max age {age_s}");
            let expected = if attempts == 3 { Outcome::RetriesExhausted } else { Outcome::EventAgeExceeded };
            assert_eq!(log.outcome, vec![expected as u8]);
        }
    }

    #[test]
    fn zero_reserved_concurrency_drops_without_an_attempt_or_a_throttle() {
        let mut e = async_engine(FunctionConfig { reserved: Some(0), ..f() });
        let log = run_events(&mut e, &[(5.0, 0, 1.0, 0)]);
        assert_eq!((log.outcome[0], log.attempts[0], log.throttles[0], log.end[0]), (Outcome::ZeroReservedConcurrency as u8, 0, 0, 5.0));
        let stats = &e.report(e.horizon(None)).functions[0];
        assert_eq!((stats.throttles, stats.async_events_received, stats.async_events_dropped), (0, 1, 1));
    }

    #[test]
    fn throttled_events_back_off_without_using_retries() {
        // reserved 1: the second event waits while the first runs for 10 s
        let mut e = async_engine(FunctionConfig { reserved: Some(1), timeout_us: 900_000_000, ..f() });
        let log = run_events(&mut e, &[(0.0, 0, 10.0, 0), (0.0, 0, 1.0, 0)]);
        // retries of the second at 1, 3, 7, 15 s (waits 1, 2, 4, 8): it runs at 15 s
        assert_eq!(log.request, vec![0, 1]);
        assert_eq!((log.throttles[1], log.attempts[1], log.first_start[1], log.end[1]), (4, 1, 15.0, 16.0));
        assert_eq!(log.outcome, vec![1, 1]);
    }
}


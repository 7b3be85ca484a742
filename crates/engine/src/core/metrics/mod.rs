//! The metrics recorder: every counter, maximum and per-period series of a run goes through
//! one of its verbs, and nothing else holds statistics.
//!
//! Each verb is told the instant (`now`) of what it counts. The recorder counts into the
//! figures of the period being recorded. Without a series (§10: `metrics_period_us` unset)
//! that period is the whole run, its end never comes, and the verbs are the plain counter
//! updates. With one, the first verb at or past the period's end closes it (`Series::roll`):
//! its figures join the history and the whole-run totals, and counting starts again from zero,
//! gauges (the executions running, environments alive, messages visible) from their level. A
//! maximum is then the exact maximum within its period: the level the period opens with and
//! the level after every rise, which only a start (or a birth, or a message made visible) makes.
//!
//! Per-function figures sit in one cache-line-aligned entry per function, the counters every
//! start writes in its first line (which the event loop prefetches with the function's state).

mod series;

pub(crate) use series::Series;

use super::pool::{FunctionPool, Pool};
use crate::model::codes::{Outcome, RecordOutcome, ThrottleReason};
use crate::model::report::{AccountStats, FunctionStats, MappingStats, Report};
use crate::model::table::Table;
use crate::primitives::time::Micros;

/// A sum, a count, a minimum and a maximum of durations (µs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    pub count: u64,
    pub sum: u64,
    pub min: u64,
    pub max: u64,
}

impl Default for Stat {
    fn default() -> Self {
        Stat { count: 0, sum: 0, min: u64::MAX, max: 0 }
    }
}

impl Stat {
    #[inline(always)]
    fn add(&mut self, v: u64) {
        self.count += 1;
        self.sum = self.sum.saturating_add(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    fn absorb(&mut self, o: &Stat) {
        self.count += o.count;
        self.sum = self.sum.saturating_add(o.sum);
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }
}

/// One function's figures over the period being recorded.
#[derive(Debug, Clone, Default)]
#[repr(C, align(64))]
pub(crate) struct FunctionMetrics {
    // -- every start: the first line
    invocations: u64,
    cold_starts: u64,
    errors: u64,
    timeouts: u64,
    /// Σ init + handler of each invocation, rounded up to the millisecond (§11).
    billed_ms: u64,
    /// Exact maximum of environments initialising or busy (`ConcurrentExecutions`).
    max_concurrency: u32,
    // -- colder
    throttles: u64,
    throttles_by_reason: [u64; 3],
    provisioned_invocations: u64,
    spillover_invocations: u64,
    /// The part of `billed_ms` on provisioned environments.
    provisioned_billed_ms: u64,
    environments_created: u64,
    async_events_received: u64,
    async_events_dropped: u64,
    /// Σ (death − birth) of environments already gone, in µs.
    dead_env_us: u128,
    // -- with a series only
    /// Exact maximum of provisioned environments busy (`ProvisionedConcurrentExecutions`).
    max_provisioned: u32,
    /// The most environments alive right after a birth in the period (the rest of
    /// `EnvironmentsAlive`'s maximum is the level the period opens with; `Series` reads it).
    max_alive_at_birth: u32,
    /// Handler times of the executions that ended (`Duration`).
    durations: Stat,
    /// Ages of the asynchronous attempts that started (`AsyncEventAge`).
    event_ages: Stat,
    /// ∫ executions running dt, in µs (environments busy, for `IdleEnvironmentSeconds`).
    busy_us: u64,
}

const _: () = assert!(std::mem::offset_of!(FunctionMetrics, max_concurrency) + 4 <= 64);

impl FunctionMetrics {
    /// Adds `o`'s sums and takes its maxima: the figures of two periods together.
    fn absorb(&mut self, o: &FunctionMetrics) {
        self.invocations += o.invocations;
        self.cold_starts += o.cold_starts;
        self.errors += o.errors;
        self.timeouts += o.timeouts;
        self.billed_ms += o.billed_ms;
        self.max_concurrency = self.max_concurrency.max(o.max_concurrency);
        self.throttles += o.throttles;
        for (a, b) in self.throttles_by_reason.iter_mut().zip(o.throttles_by_reason) {
            *a += b;
        }
        self.provisioned_invocations += o.provisioned_invocations;
        self.spillover_invocations += o.spillover_invocations;
        self.provisioned_billed_ms += o.provisioned_billed_ms;
        self.environments_created += o.environments_created;
        self.async_events_received += o.async_events_received;
        self.async_events_dropped += o.async_events_dropped;
        self.dead_env_us += o.dead_env_us;
        self.max_provisioned = self.max_provisioned.max(o.max_provisioned);
        self.max_alive_at_birth = self.max_alive_at_birth.max(o.max_alive_at_birth);
        self.durations.absorb(&o.durations);
        self.event_ages.absorb(&o.event_ages);
        self.busy_us += o.busy_us;
    }
}

/// The account's figures over the period being recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AccountMetrics {
    /// Maxima of executions running, and of on-demand executions of functions without a
    /// reservation (`UnreservedConcurrentExecutions`).
    max_concurrency: u32,
    max_unreserved: u32,
}

impl AccountMetrics {
    fn absorb(&mut self, o: &AccountMetrics) {
        self.max_concurrency = self.max_concurrency.max(o.max_concurrency);
        self.max_unreserved = self.max_unreserved.max(o.max_unreserved);
    }
}

impl MappingStats {
    fn absorb(&mut self, o: &MappingStats) {
        self.invocations += o.invocations;
        self.batches += o.batches;
        self.max_concurrency = self.max_concurrency.max(o.max_concurrency);
        self.max_iterator_age_us = self.max_iterator_age_us.max(o.max_iterator_age_us);
        self.throttles += o.throttles;
        self.retries += o.retries;
        self.on_failure_records += o.on_failure_records;
        self.records_processed += o.records_processed;
        self.records_failed += o.records_failed;
        self.records_expired += o.records_expired;
        self.max_slots = self.max_slots.max(o.max_slots);
        self.polled_records += o.polled_records;
        self.invoked_records += o.invoked_records;
        self.failed_invoke_records += o.failed_invoke_records;
        self.max_visible = self.max_visible.max(o.max_visible);
    }
}

/// The recorder.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    functions: Vec<FunctionMetrics>,
    account: AccountMetrics,
    /// Per event source (in source order): its mapping's figures.
    mappings: Vec<MappingStats>,
    /// When the period being recorded ends: `Micros::MAX` without a series.
    period_end: Micros,
    series: Option<Box<Series>>,
}

impl Recorder {
    /// `provisioned`: per function, its provisioned environments (alive from time 0);
    /// `period_us`: the series' period, if any.
    pub fn new(provisioned: &[u32], n_sources: usize, period_us: Option<Micros>) -> Self {
        let series = period_us.map(|p| Box::new(Series::new(p, provisioned, n_sources)));
        Recorder {
            functions: vec![FunctionMetrics::default(); provisioned.len()],
            account: AccountMetrics::default(),
            mappings: vec![MappingStats::default(); n_sources],
            period_end: period_us.unwrap_or(Micros::MAX),
            series,
        }
    }

    /// Asks for function `f`'s hot line ahead of a start.
    #[inline(always)]
    pub fn prefetch(&self, f: usize) {
        // no bounds check: the caller checked `f` against the functions, and a prefetch of any
        // address is harmless
        crate::primitives::cache::prefetch(self.functions.as_ptr().wrapping_add(f), 1);
    }

    /// Closes the periods that ended before `now`, if any.
    #[inline(always)]
    fn at(&mut self, now: Micros) {
        if now >= self.period_end {
            self.roll(now);
        }
    }

    #[cold]
    #[inline(never)]
    fn roll(&mut self, now: Micros) {
        let s = self.series.as_mut().expect("a period ends only with a series");
        self.period_end = s.roll(now, &mut self.functions, &mut self.account, &mut self.mappings);
    }

    // ---- functions

    /// An execution was admitted at `now`: the account's pool stands at `pool`.
    #[inline(always)]
    pub fn pool(&mut self, now: Micros, pool: &Pool) {
        self.at(now);
        self.account.max_concurrency = self.account.max_concurrency.max(pool.running);
        self.account.max_unreserved = self.account.max_unreserved.max(pool.unreserved_in_use);
        if let Some(s) = &mut self.series {
            s.account_started(pool);
        }
    }

    /// An attempt of `f` starts at `now` (cold or warm) and will end with `outcome`, billed
    /// `billed_ms`; `pool` is `f`'s share of the pool with it counted.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn started(&mut self, now: Micros, f: u32, cold: bool, outcome: Outcome, pool: &FunctionPool, billed_ms: u64, provisioned: bool) {
        self.at(now);
        let m = &mut self.functions[f as usize];
        m.invocations += 1;
        m.cold_starts += cold as u64;
        m.errors += (outcome != Outcome::Success) as u64;
        m.timeouts += (outcome == Outcome::Timeout) as u64;
        m.billed_ms += billed_ms;
        m.max_concurrency = m.max_concurrency.max(pool.running);
        m.provisioned_billed_ms += billed_ms * provisioned as u64;
        if let Some(s) = &mut self.series {
            s.started(now, f, pool, m);
        }
    }

    /// An execution of `f` that started at `start` ended at `now` after `handler_us` in its
    /// handler, leaving `f`'s share of the pool at `pool` and the account's at `account`.
    /// Whole-run figures need nothing from it (maxima only rise at a start).
    #[inline(always)]
    pub fn ended(&mut self, now: Micros, f: u32, start: Micros, handler_us: Micros, pool: &FunctionPool, account: &Pool) {
        self.at(now);
        if let Some(s) = &mut self.series {
            s.ended(now, f, start, handler_us, pool, account, &mut self.functions[f as usize], &mut self.account);
        }
    }

    /// An attempt of `f` was throttled at `now`.
    #[inline]
    pub fn throttled(&mut self, now: Micros, f: u32, reason: ThrottleReason) {
        self.at(now);
        let m = &mut self.functions[f as usize];
        m.throttles += 1;
        m.throttles_by_reason[reason as usize - 1] += 1;
    }

    /// An attempt of `f` runs on a provisioned environment.
    #[inline]
    pub fn provisioned_invocation(&mut self, now: Micros, f: u32) {
        self.at(now);
        self.functions[f as usize].provisioned_invocations += 1;
    }

    /// An attempt of `f`, which has provisioned concurrency, runs on demand.
    #[inline]
    pub fn spillover_invocation(&mut self, now: Micros, f: u32) {
        self.at(now);
        self.functions[f as usize].spillover_invocations += 1;
    }

    /// An on-demand environment of `f` is made at `now`. Admission makes one only when `f`
    /// has no idle environment left, after finding every expired one (`environment_gone`):
    /// the environments alive then are known exactly.
    #[inline]
    pub fn environment_created(&mut self, now: Micros, f: u32) {
        self.at(now);
        let m = &mut self.functions[f as usize];
        m.environments_created += 1;
        if let Some(s) = &mut self.series {
            s.born(now, f, m);
        }
    }

    /// An environment of `f` born at `born`, found expired at `now`, died at `death`.
    #[inline]
    pub fn environment_gone(&mut self, now: Micros, f: u32, born: Micros, death: Micros) {
        self.at(now);
        self.functions[f as usize].dead_env_us += u128::from(death - born);
        if let Some(s) = &mut self.series {
            s.died(f, born, death);
        }
    }

    /// An asynchronous event for `f` is queued (`AsyncEventsReceived`).
    #[inline]
    pub fn event_received(&mut self, now: Micros, f: u32) {
        self.at(now);
        self.functions[f as usize].async_events_received += 1;
    }

    /// An attempt of an asynchronous event of `f` starts, `age` after its enqueue
    /// (`AsyncEventAge`).
    #[inline]
    pub fn event_attempt(&mut self, now: Micros, f: u32, age: Micros) {
        self.at(now);
        if self.series.is_some() {
            self.functions[f as usize].event_ages.add(age);
        }
    }

    /// An event of `f` leaves without success (`AsyncEventsDropped`).
    #[inline]
    pub fn event_dropped(&mut self, now: Micros, f: u32) {
        self.at(now);
        self.functions[f as usize].async_events_dropped += 1;
    }

    // ---- event-source mappings, by source index

    /// The mapping of `source` formed `n` batches (new ones, or the two halves of a
    /// bisection), reading `polled` records from the source for them (`PolledEventCount`).
    #[inline]
    pub fn batches(&mut self, now: Micros, source: u32, n: u64, polled: u64) {
        self.at(now);
        let m = &mut self.mappings[source as usize];
        m.batches += n;
        m.polled_records += polled;
    }

    /// A batch of `records` records of `source` is invoked: `running` of its batches run,
    /// and the batch's newest record arrived `iterator_age` ago (streams; `IteratorAge`).
    #[inline]
    pub fn batch_invoked(&mut self, now: Micros, source: u32, running: u32, iterator_age: Option<Micros>, records: u64) {
        self.at(now);
        let m = &mut self.mappings[source as usize];
        m.invocations += 1;
        m.invoked_records += records;
        m.max_concurrency = m.max_concurrency.max(running);
        if let Some(age) = iterator_age {
            m.max_iterator_age_us = m.max_iterator_age_us.max(age);
        }
    }

    /// A batch of `records` records of `source` was throttled.
    #[inline]
    pub fn batch_throttled(&mut self, now: Micros, source: u32, records: u64) {
        self.at(now);
        let m = &mut self.mappings[source as usize];
        m.throttles += 1;
        m.failed_invoke_records += records;
    }

    /// The invocation of a batch of `records` records of `source` ended in an error or a
    /// timeout (`FailedInvokeEventCount`, stamped at the invocation's end).
    #[inline]
    pub fn batch_failed(&mut self, now: Micros, source: u32, records: u64) {
        self.at(now);
        self.mappings[source as usize].failed_invoke_records += records;
    }

    /// A batch of `source` failed and will be retried (or given up, as its source decides).
    #[inline]
    pub fn batch_retried(&mut self, now: Micros, source: u32) {
        self.at(now);
        self.mappings[source as usize].retries += 1;
    }

    /// A record (or message) leaves `source` with `outcome`.
    #[inline]
    pub fn record_resolved(&mut self, now: Micros, source: u32, outcome: RecordOutcome) {
        self.at(now);
        let m = &mut self.mappings[source as usize];
        match outcome {
            RecordOutcome::Processed => m.records_processed += 1,
            RecordOutcome::Expired => m.records_expired += 1,
            _ => m.records_failed += 1,
        }
    }

    /// A record of `source` goes to its on-failure destination (or a message to the queue's
    /// dead-letter queue).
    #[inline]
    pub fn on_failure_record(&mut self, now: Micros, source: u32) {
        self.at(now);
        self.mappings[source as usize].on_failure_records += 1;
    }

    /// A queue's ramp allows `slots` concurrent batches (§8).
    #[inline]
    pub fn slots(&mut self, now: Micros, source: u32, slots: u32) {
        self.at(now);
        let m = &mut self.mappings[source as usize];
        m.max_slots = m.max_slots.max(slots);
    }

    /// After an instant's receives, `visible` messages of queue `source` wait to be received
    /// (`ApproximateNumberOfMessagesVisible`).
    #[inline]
    pub fn visible(&mut self, now: Micros, source: u32, visible: u64) {
        self.at(now);
        let m = &mut self.mappings[source as usize];
        m.max_visible = m.max_visible.max(visible);
        if let Some(s) = &mut self.series {
            s.visible(source, visible);
        }
    }

    // ---- reading

    /// The whole-run figures over [0, `horizon`] (§10). `live` lists the environments alive
    /// now as (function, birth, death): an idle one's death is its expiry, a busy or
    /// provisioned one's `Micros::MAX`; with those gone already it makes the average number of
    /// environments alive.
    pub fn report(&self, horizon: Micros, live: impl Iterator<Item = (u32, Micros, Micros)>) -> Report {
        let functions = self.function_totals();
        let mut alive_us: Vec<u128> = functions.iter().map(|m| m.dead_env_us).collect();
        for (f, born, death) in live {
            alive_us[f as usize] += u128::from(death.min(horizon).saturating_sub(born));
        }
        let avg = |us: u128| if horizon == 0 { 0.0 } else { us as f64 / horizon as f64 };
        let mut account = self.account;
        if let Some(s) = &self.series {
            account.absorb(s.account_totals());
        }
        let functions = functions
            .iter()
            .zip(&alive_us)
            .map(|(m, &us)| FunctionStats {
                invocations: m.invocations,
                errors: m.errors,
                timeouts: m.timeouts,
                throttles: m.throttles,
                throttles_by_reason: m.throttles_by_reason,
                cold_starts: m.cold_starts,
                provisioned_invocations: m.provisioned_invocations,
                spillover_invocations: m.spillover_invocations,
                max_concurrency: m.max_concurrency,
                environments_created: m.environments_created,
                avg_environments: avg(us),
                async_events_received: m.async_events_received,
                async_events_dropped: m.async_events_dropped,
                billed_ms: m.billed_ms,
                provisioned_billed_ms: m.provisioned_billed_ms,
            })
            .collect();
        let account = AccountStats {
            max_concurrency: account.max_concurrency,
            max_unreserved_concurrency: account.max_unreserved,
            avg_environments: avg(alive_us.iter().sum()),
        };
        Report { horizon, functions, account }
    }

    /// Every function's figures over the whole run so far.
    fn function_totals(&self) -> std::borrow::Cow<'_, [FunctionMetrics]> {
        match &self.series {
            None => std::borrow::Cow::Borrowed(&self.functions),
            Some(s) => {
                let mut totals = s.function_totals().to_vec();
                for (t, m) in totals.iter_mut().zip(&self.functions) {
                    t.absorb(m);
                }
                std::borrow::Cow::Owned(totals)
            }
        }
    }

    /// Per source, in source order (zeros for a source nobody reads).
    pub fn mapping_stats(&self) -> Vec<MappingStats> {
        let mut stats = self.mappings.clone();
        if let Some(s) = &self.series {
            for (t, m) in stats.iter_mut().zip(s.mapping_totals()) {
                t.absorb(m);
            }
        }
        stats
    }

    /// The per-period series up to `now` (§10), or `None` without a series; `live` as for
    /// `report`.
    pub fn series(&self, now: Micros, live: impl Iterator<Item = (u32, Micros, Micros)>) -> Option<Table> {
        let s = self.series.as_ref()?;
        Some(s.read(now, live, &self.functions, &self.account, &self.mappings))
    }
}

#[cfg(test)]
mod tests;

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

mod durations;
mod figures;
mod series;

use durations::{Durations, BATCH};
use figures::{levels, AccountMetrics, FunctionMetrics, Stat};
pub(crate) use series::Series;

use super::pool::{FunctionPool, Pool};
use crate::model::codes::{Outcome, RecordOutcome, ThrottleReason};
use crate::model::report::{refusal_index, AccountStats, FunctionStats, MappingStats, Report};
use crate::model::table::Table;
use crate::primitives::grow::OutOfMemory;
use crate::primitives::time::Micros;

/// The longest function timeout AWS allows (900 s): the range of Duration's histograms.
pub(crate) const LONGEST_TIMEOUT_US: Micros = 900_000_000;

/// A queue's messages visible after its latest poll, at instant `at`; `carried`: the period
/// being recorded opened with this level, carried from before it, and no poll has come since.
#[derive(Debug, Clone, Copy, Default)]
struct Visible {
    at: Micros,
    level: u64,
    carried: bool,
}

/// A level over time and its integral: `area` up to `since`, `level` from then.
#[derive(Debug, Clone, Copy, Default)]
struct Gauge {
    level: u32,
    since: Micros,
    area: u128,
}

impl Gauge {
    fn set(&mut self, now: Micros, level: u32) {
        self.area = self.area_at(now);
        (self.level, self.since) = (level, now);
    }

    fn area_at(&self, now: Micros) -> u128 {
        self.area + u128::from(self.level) * u128::from(now.saturating_sub(self.since))
    }
}

/// The recorder.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    /// Per function, its provisioned environments busy and usable over time (what the
    /// utilisation of provisioned concurrency an autoscaler reads is made of, §16).
    provisioned: Vec<[Gauge; 2]>,
    functions: Vec<FunctionMetrics>,
    account: AccountMetrics,
    /// Per event source (in source order): its mapping's figures, and for a queue its messages
    /// visible.
    mappings: Vec<MappingStats>,
    visible: Vec<Visible>,
    /// When the period being recorded ends: `Micros::MAX` without a series.
    period_end: Micros,
    /// Its length (0 without a series).
    period_us: Micros,
    /// Per function, the Duration histogram of the period being recorded (with a series).
    durations: Durations,
    /// Per function, whether it draws on the unreserved pool (has no reservation).
    unreserved: Vec<bool>,
    series: Option<Box<Series>>,
}

impl Recorder {
    /// `alive_at_start`: per function, its environments alive from time 0 (provisioned and
    /// warm ones), and `provisioned_at_start` the provisioned ones;
    /// `unreserved`: per function, whether it has no reservation; `timeouts`: per function,
    /// its timeout (the longest handler time); `period_us`: the series' period, if any. With
    /// a series, its Duration histograms are reserved here, or `OutOfMemory`.
    pub fn new(alive_at_start: &[u32], provisioned_at_start: &[u32], unreserved: &[bool], timeouts: &[Micros], n_sources: usize, period_us: Option<Micros>)
               -> Result<Self, OutOfMemory> {
        let (series, durations) = match period_us {
            Some(p) => (Some(Box::new(Series::new(p, alive_at_start, timeouts, n_sources)?)), Durations::new(timeouts)?),
            None => (None, Durations::default()),
        };
        let functions = alive_at_start.iter().map(|&p| FunctionMetrics { alive: p, ..FunctionMetrics::default() }).collect();
        let provisioned = provisioned_at_start.iter().map(|&p| [Gauge::default(), Gauge { level: p, ..Gauge::default() }]).collect();
        Ok(Recorder {
            provisioned,
            functions,
            account: AccountMetrics::default(),
            mappings: vec![MappingStats::default(); n_sources],
            visible: vec![Visible::default(); n_sources],
            period_end: period_us.unwrap_or(Micros::MAX),
            period_us: period_us.unwrap_or(0),
            durations,
            unreserved: unreserved.to_vec(),
            series,
        })
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
        self.count_durations();
        // the last instant's level of messages visible belongs to the period closing, and the
        // next one opens with it (until that period's first instant's receives replace it)
        for (m, v) in self.mappings.iter_mut().zip(&mut self.visible) {
            m.max_visible = m.max_visible.max(v.level);
            v.carried = true;
        }
        let visible: Vec<u64> = self.visible.iter().map(|v| v.level).collect();
        let s = self.series.as_mut().expect("a period ends only with a series");
        let levels = levels(&self.functions, &self.unreserved);
        self.period_end = s.roll(now, &mut self.functions, &mut self.durations, &mut self.account, levels, (&mut self.mappings, &visible));
    }

    /// The first instant of the period being recorded (0 without a series).
    fn period_start(&self) -> Micros {
        if self.period_us == 0 { 0 } else { self.period_end - self.period_us }
    }

    /// Asks for the line the end of an execution of `f` writes with a series.
    #[inline(always)]
    pub fn prefetch_end(&self, f: usize) {
        // unconditional: a prefetch is cheaper than the test of whether a series is kept
        crate::primitives::cache::prefetch(self.functions.as_ptr().wrapping_add(f), 1);
    }

    // ---- functions

    /// An execution was admitted at `now`: the account's pool stands at `pool`. (`started`
    /// follows at once, for its function.)
    #[inline(always)]
    pub fn pool(&mut self, now: Micros, pool: &Pool) {
        if self.period_us != 0 {
            self.at(now);
            self.account.started = true;
        }
        self.account.max_concurrency = self.account.max_concurrency.max(pool.running);
        self.account.max_unreserved = self.account.max_unreserved.max(pool.unreserved_in_use);
    }

    /// An attempt of `f` starts at `now` (cold, paying `init_us`, or warm), on a provisioned
    /// environment or not, and will end with `outcome`, billed `billed_ms`; `pool` is `f`'s share of the pool with
    /// it counted. Admission recorded the account's pool (`pool`) at this instant just before.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn started(&mut self, now: Micros, f: u32, cold: bool, init_us: Micros, outcome: Outcome, pool: &FunctionPool, billed_ms: u64, provisioned: bool) {
        debug_assert!(now < self.period_end, "a start is recorded after its admission");
        let m = &mut self.functions[f as usize];
        m.invocations += 1;
        m.cold_starts += cold as u64;
        m.errors += (outcome != Outcome::Success) as u64;
        m.timeouts += (outcome == Outcome::Timeout) as u64;
        m.billed_ms += billed_ms;
        if cold {
            m.init_us += init_us;
            if provisioned {
                m.provisioned_init_us += init_us;
            }
        }
        m.max_concurrency = m.max_concurrency.max(pool.running);
        if self.period_us != 0 {
            m.busy_us = m.busy_us.wrapping_add(self.period_end - now);
            m.running = pool.running;
        }
        if provisioned {
            m.provisioned_billed_ms += billed_ms;
            m.provisioned_cold_starts += cold as u64;
            if self.period_us != 0 {
                // only a start on a provisioned environment raises their number
                m.provisioned_busy = pool.running - pool.on_demand;
                m.max_provisioned = m.max_provisioned.max(m.provisioned_busy);
            }
        }
    }

    /// An execution of `f` that started at `start` ended at `now`, having paid `init_us`
    /// before its handler, leaving `f`'s share of the pool at `pool` and the account's at
    /// `account`. Whole-run figures need nothing from it (maxima only rise at a start), so
    /// without a series it is one test.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn ended(&mut self, now: Micros, f: u32, start: Micros, init_us: Micros, pool: &FunctionPool, account: &Pool) {
        if self.period_us == 0 {
            return;
        }
        self.at(now);
        let (period_end, period_us) = (self.period_end, self.period_us);
        let handler_us = now - start - init_us;
        let m = &mut self.functions[f as usize];
        m.busy_us = m.busy_us.wrapping_sub(period_end - now);
        m.running = pool.running;
        m.provisioned_busy = pool.running - pool.on_demand;
        let k = m.batched as usize;
        m.batched += 1;
        self.durations.put(f as usize, k, handler_us);
        if k + 1 == BATCH {
            self.count_batch(f as usize);
        }
        if now == period_end - period_us && start < now {
            self.ended_at_a_period_start(f, account);
        }
    }

    /// Executions ending at a period's first instant were not running in it, and ends come
    /// before starts within an instant (§1): until the first start, the maxima are the levels.
    #[cold]
    #[inline(never)]
    fn ended_at_a_period_start(&mut self, f: u32, account: &Pool) {
        let m = &mut self.functions[f as usize];
        if m.invocations == 0 {
            m.max_concurrency = m.running;
            m.max_provisioned = m.provisioned_busy;
        }
        let a = &mut self.account;
        if !a.started {
            (a.max_concurrency, a.max_unreserved) = (account.running, account.unreserved_in_use);
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

    /// An attempt of `f` was refused at `now` without a throttle (`outcome`: §13, §14).
    #[cold]
    pub fn refused(&mut self, now: Micros, f: u32, outcome: Outcome) {
        self.at(now);
        self.functions[f as usize].refusals[refusal_index(outcome)] += 1;
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
            m.alive += 1;
            m.max_alive_at_birth = m.max_alive_at_birth.max(m.alive);
            s.born(now, f);
        }
    }

    /// A provisioned environment of `f` is made at `now` by a change while running (§16).
    #[cold]
    pub fn environment_made(&mut self, now: Micros, f: u32) {
        self.at(now);
        if let Some(s) = &mut self.series {
            let m = &mut self.functions[f as usize];
            m.alive += 1;
            m.max_alive_at_birth = m.max_alive_at_birth.max(m.alive);
            s.born(now, f);
        }
    }

    /// A change while running (§16) at `now` left `f` drawing on the unreserved pool or not
    /// (`unreserved`), and the account's pool at `pool`.
    #[cold]
    pub fn reconfigured(&mut self, now: Micros, f: u32, unreserved: bool, pool: &Pool) {
        self.at(now);
        self.unreserved[f as usize] = unreserved;
        self.account.max_unreserved = self.account.max_unreserved.max(pool.unreserved_in_use);
    }

    /// `f`'s provisioned environments busy at `now` are `busy`.
    #[inline]
    pub fn provisioned_busy(&mut self, now: Micros, f: u32, busy: u32) {
        self.provisioned[f as usize][0].set(now, busy);
    }

    /// `f`'s provisioned environments usable from `now` are `ready` (§16).
    #[cold]
    pub fn provisioned_ready(&mut self, now: Micros, f: u32, ready: u32) {
        self.provisioned[f as usize][1].set(now, ready);
    }

    /// Per function, its provisioned environments usable now.
    pub fn provisioned_usable(&self) -> Vec<u32> { self.provisioned.iter().map(|[_, ready]| ready.level).collect() }

    /// Per function, the seconds of provisioned environments busy and usable from 0 to `now`.
    pub fn provisioned_seconds(&self, now: Micros) -> Vec<(f64, f64)> {
        self.provisioned.iter().map(|[busy, ready]| (busy.area_at(now) as f64 / 1e6, ready.area_at(now) as f64 / 1e6)).collect()
    }

    /// `f`'s whole-run `billed_ms` and `provisioned_billed_ms` up to `now`.
    #[cold]
    pub fn billed_so_far(&mut self, now: Micros, f: u32) -> (u64, u64) {
        self.at(now);
        let m = &self.functions[f as usize];
        let (mut billed, mut provisioned) = (m.billed_ms, m.provisioned_billed_ms);
        if let Some(s) = &self.series {
            let t = &s.function_totals()[f as usize];
            billed += t.billed_ms;
            provisioned += t.provisioned_billed_ms;
        }
        (billed, provisioned)
    }

    /// An environment of `f` born at `born`, found expired at `now`, died at `death`.
    #[inline]
    pub fn environment_gone(&mut self, now: Micros, f: u32, born: Micros, death: Micros) {
        self.at(now);
        let m = &mut self.functions[f as usize];
        m.dead_env_us += u128::from(death - born);
        if let Some(s) = &mut self.series {
            m.alive -= 1;
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
        if self.period_us != 0 {
            self.at(now);
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

    /// After a poll of queue `source` at `now`, `visible` messages wait to be received
    /// (`ApproximateNumberOfMessagesVisible`). What counts is the level after an instant's
    /// last poll (a message received at the instant it arrives never waited): it is folded
    /// into the maximum when a later instant comes, a period closes or the figures are read.
    #[inline]
    pub fn visible(&mut self, now: Micros, source: u32, visible: u64) {
        self.at(now);
        let period_start = self.period_start();
        let (m, v) = (&mut self.mappings[source as usize], &mut self.visible[source as usize]);
        if v.at != now {
            m.max_visible = m.max_visible.max(v.level);
        }
        if v.carried && now == period_start {
            // the level the period opened with is this instant's, not the one carried into it
            m.max_visible = 0;
        }
        *v = Visible { at: now, level: visible, carried: false };
    }

    /// The mappings' figures of the period being recorded, the last instant's messages visible
    /// folded in.
    fn current_mappings(&self) -> Vec<MappingStats> {
        let mut stats = self.mappings.clone();
        for (m, v) in stats.iter_mut().zip(&self.visible) {
            m.max_visible = m.max_visible.max(v.level);
        }
        stats
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
                refusals: m.refusals,
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
                provisioned_cold_starts: m.provisioned_cold_starts,
                init_us: m.init_us,
                provisioned_init_us: m.provisioned_init_us,
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
        let mut stats = self.current_mappings();
        if let Some(s) = &self.series {
            for (t, m) in stats.iter_mut().zip(s.mapping_totals()) {
                t.absorb(m);
            }
        }
        stats
    }

    /// Counts the handler times waiting in their batches (before a period closes, and before
    /// a read of the series).
    pub fn count_durations(&mut self) {
        for f in 0..self.functions.len() {
            if self.functions[f].batched > 0 {
                self.count_batch(f);
            }
        }
    }

    /// Counts `f`'s batch.
    #[inline(always)]
    fn count_batch(&mut self, f: usize) {
        let m = &mut self.functions[f];
        self.durations.count(f, m.batched as usize, &mut m.durations);
        m.batched = 0;
    }

    /// The per-period series up to `now` (§10), or `None` without a series; `live` as for
    /// `report`. (After `count_durations`: the handler times waiting are not read.)
    pub fn series(&self, now: Micros, live: impl Iterator<Item = (u32, Micros, Micros)>) -> Option<Table> {
        let s = self.series.as_ref()?;
        debug_assert!(self.functions.iter().all(|m| m.batched == 0), "count_durations first");
        let levels = levels(&self.functions, &self.unreserved);
        let visible: Vec<u64> = self.visible.iter().map(|v| v.level).collect();
        let mappings = (&self.current_mappings()[..], &visible[..]);
        Some(s.read(now, self.period_end, live, &self.functions, &self.durations.counts, (&self.account, levels), mappings))
    }
}

#[cfg(test)]
mod tests;

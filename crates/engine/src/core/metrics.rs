//! The metrics recorder: every counter and every maximum of a run goes through one of its
//! verbs, and nothing else holds statistics.
//!
//! Each verb is told the instant (`now`) of what it counts. Today the recorder keeps whole-run
//! figures (§10): sums, and maxima since t = 0. A per-period series (CloudWatch's per-minute
//! sums and per-minute maxima) belongs here and nowhere else: on a verb whose `now` enters a
//! new period, close the current period's sums and maxima and start the next, so that a peak
//! is a peak within its period. Only the verbs change; admission and the event sources call
//! them as they do now. Without a series the verbs are the plain counter updates (inlined; the
//! unused `now` costs nothing).
//!
//! Per-function figures sit in one cache-line-aligned entry per function, the counters every
//! start writes in its first line (which the event loop prefetches with the function's state).

use super::pool::Pool;
use crate::model::codes::{Outcome, RecordOutcome, ThrottleReason};
use crate::model::report::{AccountStats, FunctionStats, MappingStats, Report};
use crate::primitives::time::Micros;

/// One function's figures.
#[derive(Debug, Clone, Default)]
#[repr(C, align(64))]
struct FunctionMetrics {
    // -- every start: the first line
    invocations: u64,
    cold_starts: u64,
    errors: u64,
    timeouts: u64,
    /// Exact maximum of environments initialising or busy (`ConcurrentExecutions`).
    max_concurrency: u32,
    // -- colder
    throttles: u64,
    throttles_by_reason: [u64; 3],
    provisioned_invocations: u64,
    spillover_invocations: u64,
    environments_created: u64,
    async_events_received: u64,
    async_events_dropped: u64,
    /// Σ (death − birth) of environments already gone, in µs.
    dead_env_us: u128,
}

const _: () = assert!(std::mem::offset_of!(FunctionMetrics, max_concurrency) + 4 <= 64);

/// The recorder.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    functions: Vec<FunctionMetrics>,
    /// Account-wide maxima of executions running, and of on-demand executions of functions
    /// without a reservation (`UnreservedConcurrentExecutions`).
    max_concurrency: u32,
    max_unreserved: u32,
    /// Per event source (in source order): its mapping's figures.
    mappings: Vec<MappingStats>,
}

impl Recorder {
    pub fn new(n_functions: usize, n_sources: usize) -> Self {
        Recorder {
            functions: vec![FunctionMetrics::default(); n_functions],
            max_concurrency: 0,
            max_unreserved: 0,
            mappings: vec![MappingStats::default(); n_sources],
        }
    }

    /// Asks for function `f`'s hot line ahead of a start.
    #[inline(always)]
    pub fn prefetch(&self, f: usize) {
        // no bounds check: the caller checked `f` against the functions, and a prefetch of any
        // address is harmless
        crate::primitives::cache::prefetch(self.functions.as_ptr().wrapping_add(f), 1);
    }

    // ---- functions

    /// An execution was admitted at `now`: the account's pool stands at `pool`.
    #[inline(always)]
    pub fn pool(&mut self, _now: Micros, pool: &Pool) {
        self.max_concurrency = self.max_concurrency.max(pool.running);
        self.max_unreserved = self.max_unreserved.max(pool.unreserved_in_use);
    }

    /// An attempt of `f` starts at `now` (cold or warm) and will end with `outcome`; `running`
    /// of `f`'s executions run then, this one included.
    #[inline(always)]
    pub fn started(&mut self, _now: Micros, f: u32, cold: bool, outcome: Outcome, running: u32) {
        let m = &mut self.functions[f as usize];
        m.invocations += 1;
        m.cold_starts += cold as u64;
        m.errors += (outcome != Outcome::Success) as u64;
        m.timeouts += (outcome == Outcome::Timeout) as u64;
        m.max_concurrency = m.max_concurrency.max(running);
    }

    /// An attempt of `f` was throttled at `now`.
    #[inline]
    pub fn throttled(&mut self, _now: Micros, f: u32, reason: ThrottleReason) {
        let m = &mut self.functions[f as usize];
        m.throttles += 1;
        m.throttles_by_reason[reason as usize - 1] += 1;
    }

    /// An attempt of `f` runs on a provisioned environment.
    #[inline]
    pub fn provisioned_invocation(&mut self, _now: Micros, f: u32) {
        self.functions[f as usize].provisioned_invocations += 1;
    }

    /// An attempt of `f`, which has provisioned concurrency, runs on demand.
    #[inline]
    pub fn spillover_invocation(&mut self, _now: Micros, f: u32) {
        self.functions[f as usize].spillover_invocations += 1;
    }

    #[inline]
    pub fn environment_created(&mut self, _now: Micros, f: u32) {
        self.functions[f as usize].environments_created += 1;
    }

    /// An execution of `f` ended at `now`, leaving `running` of `f`'s executions and the
    /// account's pool at `pool`. Whole-run figures need nothing from it (maxima only rise at a
    /// start); a per-period series does: the level a period opens with is the one the last end
    /// or start before it left.
    #[inline(always)]
    pub fn ended(&mut self, _now: Micros, _f: u32, _running: u32, _pool: &Pool) {}

    /// An environment of `f`, found dead at `now`, lived `lifetime_us`.
    #[inline]
    pub fn environment_gone(&mut self, _now: Micros, f: u32, lifetime_us: Micros) {
        self.functions[f as usize].dead_env_us += u128::from(lifetime_us);
    }

    /// An asynchronous event for `f` is queued (`AsyncEventsReceived`).
    #[inline]
    pub fn event_received(&mut self, _now: Micros, f: u32) {
        self.functions[f as usize].async_events_received += 1;
    }

    /// An event of `f` leaves without success (`AsyncEventsDropped`).
    #[inline]
    pub fn event_dropped(&mut self, _now: Micros, f: u32) {
        self.functions[f as usize].async_events_dropped += 1;
    }

    // ---- event-source mappings, by source index

    /// The mapping of `source` formed `n` batches (new ones, or the two halves of a bisection).
    #[inline]
    pub fn batches(&mut self, _now: Micros, source: u32, n: u64) {
        self.mappings[source as usize].batches += n;
    }

    /// A batch of `source` is invoked: `running` of its batches run, and the batch's newest
    /// record arrived `iterator_age` ago (streams; `IteratorAge`).
    #[inline]
    pub fn batch_invoked(&mut self, _now: Micros, source: u32, running: u32, iterator_age: Option<Micros>) {
        let m = &mut self.mappings[source as usize];
        m.invocations += 1;
        m.max_concurrency = m.max_concurrency.max(running);
        if let Some(age) = iterator_age {
            m.max_iterator_age_us = m.max_iterator_age_us.max(age);
        }
    }

    #[inline]
    pub fn batch_throttled(&mut self, _now: Micros, source: u32) {
        self.mappings[source as usize].throttles += 1;
    }

    /// A batch of `source` failed and will be retried (or given up, as its source decides).
    #[inline]
    pub fn batch_retried(&mut self, _now: Micros, source: u32) {
        self.mappings[source as usize].retries += 1;
    }

    /// A record (or message) leaves `source` with `outcome`.
    #[inline]
    pub fn record_resolved(&mut self, _now: Micros, source: u32, outcome: RecordOutcome) {
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
    pub fn on_failure_record(&mut self, _now: Micros, source: u32) {
        self.mappings[source as usize].on_failure_records += 1;
    }

    /// A queue's ramp allows `slots` concurrent batches (§8).
    #[inline]
    pub fn slots(&mut self, _now: Micros, source: u32, slots: u32) {
        let m = &mut self.mappings[source as usize];
        m.max_slots = m.max_slots.max(slots);
    }

    // ---- reading

    /// The whole-run figures over [0, `horizon`] (§10). `live` lists the environments alive
    /// now as (function, birth, death): an idle one's death is its expiry, a busy or
    /// provisioned one's `Micros::MAX`; with those gone already it makes the average number of
    /// environments alive.
    pub fn report(&self, horizon: Micros, live: impl Iterator<Item = (u32, Micros, Micros)>) -> Report {
        let mut alive_us: Vec<u128> = self.functions.iter().map(|m| m.dead_env_us).collect();
        for (f, born, death) in live {
            alive_us[f as usize] += u128::from(death.min(horizon).saturating_sub(born));
        }
        let avg = |us: u128| if horizon == 0 { 0.0 } else { us as f64 / horizon as f64 };
        let functions = self
            .functions
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
            })
            .collect();
        let account = AccountStats {
            max_concurrency: self.max_concurrency,
            max_unreserved_concurrency: self.max_unreserved,
            avg_environments: avg(alive_us.iter().sum()),
        };
        Report { horizon, functions, account }
    }

    /// Per source, in source order (zeros for a source nobody reads).
    pub fn mapping_stats(&self) -> Vec<MappingStats> {
        self.mappings.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pool::FunctionPool;

    #[test]
    fn maxima_are_exact_and_sums_count() {
        let mut r = Recorder::new(2, 1);
        let mut pool = Pool::new(2);
        let (mut a, mut b) = (FunctionPool::new(None, 0), FunctionPool::new(None, 0));
        for (f, on_demand, outcome) in [(0, true, Outcome::Timeout), (1, true, Outcome::Error), (0, false, Outcome::Success)] {
            let p = if f == 0 { &mut a } else { &mut b };
            pool.acquire(p, on_demand); // provisioned: not in the unreserved pool
            r.pool(0, &pool);
            r.started(0, f, outcome == Outcome::Timeout, outcome, p.running);
        }
        pool.release(&mut b, true);
        r.throttled(0, 1, ThrottleReason::FunctionScalingRateExceeded);
        let report = r.report(0, std::iter::empty());
        let (fa, fb, acc) = (&report.functions[0], &report.functions[1], &report.account);
        assert_eq!((fa.max_concurrency, fb.max_concurrency, acc.max_concurrency, acc.max_unreserved_concurrency), (2, 1, 3, 2));
        assert_eq!((fa.invocations, fa.cold_starts, fa.errors, fa.timeouts), (2, 1, 1, 1));
        assert_eq!((fb.invocations, fb.errors, fb.timeouts), (1, 1, 0));
        assert_eq!((fb.throttles, fb.throttles_by_reason), (1, [0, 0, 1]));
    }

    #[test]
    fn mapping_figures_count_by_outcome() {
        let mut r = Recorder::new(0, 2);
        r.batches(0, 1, 2);
        r.batch_invoked(0, 1, 3, Some(40));
        r.batch_invoked(0, 1, 1, None);
        for o in [RecordOutcome::Processed, RecordOutcome::Expired, RecordOutcome::DeadLettered, RecordOutcome::Processed] {
            r.record_resolved(0, 1, o);
        }
        r.slots(0, 1, 7);
        r.slots(0, 1, 5);
        let s = &r.mapping_stats()[1];
        assert_eq!((s.batches, s.invocations, s.max_concurrency, s.max_iterator_age_us), (2, 2, 3, 40));
        assert_eq!((s.records_processed, s.records_expired, s.records_failed, s.max_slots), (2, 1, 1, 7));
        assert_eq!(r.mapping_stats()[0], MappingStats::default());
    }

    #[test]
    fn environments_alive_average_over_the_horizon() {
        let mut r = Recorder::new(2, 0);
        r.environment_gone(0, 0, 3_000_000); // 3 s, gone already
        // alive: function 0 idle from 1 s until 5 s; function 1 busy since 2 s (no death yet)
        let report = r.report(10_000_000, [(0, 1_000_000, 5_000_000), (1, 2_000_000, Micros::MAX)].into_iter());
        assert_eq!(report.functions[0].avg_environments, 0.7); // (3 + 4) s / 10 s
        assert_eq!(report.functions[1].avg_environments, 0.8); // 8 s / 10 s
        assert_eq!(report.account.avg_environments, 1.5);
        assert_eq!(r.report(0, std::iter::empty()).account.avg_environments, 0.0);
    }
}

//! The figures the recorder counts into, one struct per entity: a function's, the account's,
//! a mapping's (`MappingStats`, the report's own type); how two periods' figures combine
//! (`absorb`), and what a period opens with (`opened`).

use crate::model::codes::ThrottleReason;
use crate::model::report::{MappingStats, REFUSALS};
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
    pub(crate) fn add(&mut self, v: u64) {
        self.count += 1;
        // µs: a period's sum would need 584,000 years of handler time to wrap
        self.sum = self.sum.wrapping_add(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub(super) fn absorb(&mut self, o: &Stat) {
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
    // -- every start, and with a series every end: the first line
    pub(super) invocations: u64,
    pub(super) cold_starts: u64,
    pub(super) errors: u64,
    pub(super) timeouts: u64,
    /// Σ init + handler of each invocation, rounded up to the millisecond (§11).
    pub(super) billed_ms: u64,
    /// ∫ executions running dt over the period, in µs (environments busy, for
    /// `IdleEnvironmentSeconds`), kept as if those running now ran to the period's end: a
    /// start adds the time left in the period, an end takes it back. (With a series only.)
    pub(super) busy_us: u64,
    /// Exact maximum of environments initialising or busy (`ConcurrentExecutions`).
    pub(super) max_concurrency: u32,
    /// Gauges carried from one period to the next (with a series only): executions running
    /// (initialising or busy), and those of them on provisioned environments.
    pub(super) running: u32,
    pub(super) provisioned_busy: u32,
    /// Handler times in the function's batch, not yet in `durations` (with a series only; see
    /// `Durations`).
    pub(super) batched: u32,
    // -- the second line
    /// Handler times of the executions that ended (`Duration`), as far as they are counted.
    pub(super) durations: Stat,
    /// The part of `billed_ms` on provisioned environments, and the cold starts there (a
    /// provisioned environment re-initialising after a timeout).
    pub(super) provisioned_billed_ms: u64,
    pub(super) provisioned_cold_starts: u64,
    /// Σ init of the cold starts, in µs (drawn per cold start, §3.1), and the part of it on
    /// provisioned environments.
    pub(super) init_us: u64,
    pub(super) provisioned_init_us: u64,
    // -- colder
    pub(super) throttles: u64,
    pub(super) throttles_by_reason: [u64; ThrottleReason::COUNTED],
    pub(super) refusals: [u64; REFUSALS],
    pub(super) provisioned_invocations: u64,
    pub(super) spillover_invocations: u64,
    pub(super) environments_created: u64,
    pub(super) async_events_received: u64,
    pub(super) async_events_dropped: u64,
    /// Σ (death − birth) of environments already gone, in µs.
    pub(super) dead_env_us: u128,
    // -- with a series only
    /// Exact maximum of provisioned environments busy (`ProvisionedConcurrentExecutions`).
    pub(super) max_provisioned: u32,
    /// The most environments alive right after a birth in the period (the rest of
    /// `EnvironmentsAlive`'s maximum is the level the period opens with; `Series` reads it).
    pub(super) max_alive_at_birth: u32,
    /// Environments alive, as far as the deaths found so far say (exact at a birth): a gauge.
    pub(super) alive: u32,
    /// Ages of the asynchronous attempts that started (`AsyncEventAge`).
    pub(super) event_ages: Stat,
}

// what a start writes is in the line admission prefetches, and what an end writes with a
// series in the line `prefetch_end` asks for
const _: () = assert!(std::mem::offset_of!(FunctionMetrics, batched) + 4 <= 64);

impl FunctionMetrics {
    /// Adds `o`'s sums and takes its maxima: the figures of two periods together.
    pub(super) fn absorb(&mut self, o: &FunctionMetrics) {
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
        for (a, b) in self.refusals.iter_mut().zip(o.refusals) {
            *a += b;
        }
        self.provisioned_invocations += o.provisioned_invocations;
        self.spillover_invocations += o.spillover_invocations;
        self.provisioned_billed_ms += o.provisioned_billed_ms;
        self.provisioned_cold_starts += o.provisioned_cold_starts;
        self.init_us += o.init_us;
        self.provisioned_init_us += o.provisioned_init_us;
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

    /// The figures a period opens with: nothing counted, the gauges carried, the maxima at
    /// their levels, and the executions running busy for the whole period (`period_us`).
    pub(super) fn opened(&self, period_us: Micros) -> FunctionMetrics {
        FunctionMetrics {
            running: self.running,
            provisioned_busy: self.provisioned_busy,
            alive: self.alive,
            max_concurrency: self.running,
            max_provisioned: self.provisioned_busy,
            busy_us: u64::from(self.running) * period_us,
            ..FunctionMetrics::default()
        }
    }
}

/// The account's figures over the period being recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AccountMetrics {
    /// Maxima of executions running, and of on-demand executions of functions without a
    /// reservation (`UnreservedConcurrentExecutions`).
    pub(super) max_concurrency: u32,
    pub(super) max_unreserved: u32,
    /// With a series: an execution started in the period.
    pub(super) started: bool,
}

impl AccountMetrics {
    pub(super) fn absorb(&mut self, o: &AccountMetrics) {
        self.max_concurrency = self.max_concurrency.max(o.max_concurrency);
        self.max_unreserved = self.max_unreserved.max(o.max_unreserved);
    }

    /// A period opening with `running` executions, `unreserved` of them in the unreserved pool.
    pub(super) fn opened((running, unreserved): (u32, u32)) -> AccountMetrics {
        AccountMetrics { max_concurrency: running, max_unreserved: unreserved, started: false }
    }
}

/// The account's levels from its functions' gauges: executions running, and on-demand ones
/// of functions without a reservation (`unreserved[f]`).
pub(super) fn levels(functions: &[FunctionMetrics], unreserved: &[bool]) -> (u32, u32) {
    functions.iter().zip(unreserved).fold((0, 0), |(all, pool), (m, &u)| {
        (all + m.running, pool + if u { m.running - m.provisioned_busy } else { 0 })
    })
}

impl MappingStats {
    pub(super) fn absorb(&mut self, o: &MappingStats) {
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


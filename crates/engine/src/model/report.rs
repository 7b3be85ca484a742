//! The statistics a run reports over [0, horizon] (§10 whole-run figures): what
//! `core::metrics::Recorder` accumulates and `Engine::report` hands out.

use super::codes::{Outcome, ThrottleReason};
use super::table::{table, IntoTable, Table, Value};

/// The outcomes that refuse an attempt without a throttle (§13, §14): `FunctionPending` ..
/// `RequestTooLarge`.
pub const REFUSALS: usize = 4;

/// `FunctionStats::refusals`'s index of a refusal outcome.
#[inline]
pub fn refusal_index(o: Outcome) -> usize {
    o as usize - Outcome::FunctionPending as usize
}
use crate::primitives::time::{to_seconds, Micros};

/// Counters of one function (CloudWatch names where AWS has them, §10). `repr(C)`: the ones
/// every admission updates come first.
#[derive(Debug, Default, Clone, PartialEq)]
#[repr(C)]
pub struct FunctionStats {
    /// Attempts that ran (`Invocations`).
    pub invocations: u64,
    /// Attempts that ended in a function error or a timeout (`Errors`).
    pub errors: u64,
    pub timeouts: u64,
    /// Throttled attempts (`Throttles`), and by reason (indexed by `ThrottleReason - 1`).
    pub throttles: u64,
    pub throttles_by_reason: [u64; ThrottleReason::COUNTED],
    /// Attempts refused without being throttles (§13, §14), by outcome (indexed by
    /// `Outcome - FunctionPending`): Pending, Inactive, no ENI, payload too large.
    pub refusals: [u64; REFUSALS],
    pub cold_starts: u64,
    /// Attempts run on a provisioned environment (`ProvisionedConcurrencyInvocations`).
    pub provisioned_invocations: u64,
    /// Attempts run on demand by a function with provisioned concurrency
    /// (`ProvisionedConcurrencySpilloverInvocations`).
    pub spillover_invocations: u64,
    /// Exact maximum of environments initialising or busy (`ConcurrentExecutions`).
    pub max_concurrency: u32,
    /// On-demand environments created.
    pub environments_created: u64,
    /// Time-average of environments alive over [0, horizon] (filled in by the engine's report).
    pub avg_environments: f64,
    /// Asynchronous events queued (`AsyncEventsReceived`) and dropped (`AsyncEventsDropped`:
    /// retries exhausted, too old, or a reservation of zero).
    pub async_events_received: u64,
    pub async_events_dropped: u64,
    /// Σ over invocations of init + handler rounded up to the millisecond, a timeout at its
    /// timeout (§11), and the part of it on provisioned environments.
    pub billed_ms: u64,
    pub provisioned_billed_ms: u64,
    /// Cold starts on provisioned environments (re-initialising after a timeout).
    pub provisioned_cold_starts: u64,
    /// Σ init of the cold starts in µs, and the part of it on provisioned environments.
    pub init_us: u64,
    pub provisioned_init_us: u64,
}

/// Account-wide figures.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AccountStats {
    pub max_concurrency: u32,
    /// Exact maximum of on-demand executions of functions without a reservation
    /// (`UnreservedConcurrentExecutions`, the quantity checked against U).
    pub max_unreserved_concurrency: u32,
    pub avg_environments: f64,
}

/// A snapshot of the statistics at a horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub horizon: Micros,
    pub functions: Vec<FunctionStats>,
    pub account: AccountStats,
}

/// Counters of one mapping (`lambda_core` names; `IteratorAge` is AWS's).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MappingStats {
    pub invocations: u64,
    pub batches: u64,
    pub max_concurrency: u32,
    pub max_iterator_age_us: Micros,
    pub throttles: u64,
    pub retries: u64,
    pub on_failure_records: u64,
    pub records_processed: u64,
    pub records_failed: u64,
    pub records_expired: u64,
    /// Queues (§8): the most concurrent batches the ramp allowed.
    pub max_slots: u32,
    /// Records read from the source into batches (a queue's message at each receive:
    /// `PolledEventCount`), records in the batches invoked (`InvokedEventCount`), and in the
    /// invocations that failed or were throttled (`FailedInvokeEventCount`).
    pub polled_records: u64,
    pub invoked_records: u64,
    pub failed_invoke_records: u64,
    /// Queues: the most messages waiting to be received after an instant's receives.
    pub max_visible: u64,
}

// ---- the names an embedding shows (`model::table`)

/// `horizon` in seconds; `functions`, one column per counter with one entry per function (the
/// counts as u64, `avg_environments` as f64); `account`, its figures.
impl IntoTable for Report {
    fn into_table(self) -> Table {
        let f = &self.functions;
        let count = |get: fn(&FunctionStats) -> u64| Value::from(f.iter().map(get).collect::<Vec<u64>>());
        let functions = table! {
            "invocations" => count(|s| s.invocations),
            "errors" => count(|s| s.errors),
            "timeouts" => count(|s| s.timeouts),
            "throttles" => count(|s| s.throttles),
            "throttles_reserved" => count(|s| s.throttles_by_reason[0]),
            "throttles_unreserved" => count(|s| s.throttles_by_reason[1]),
            "throttles_scaling" => count(|s| s.throttles_by_reason[2]),
            "throttles_rate" => count(|s| s.throttles_by_reason[3]),
            "throttles_reserved_rate" => count(|s| s.throttles_by_reason[4]),
            "conflicts_pending" => count(|s| s.refusals[0]),
            "conflicts_inactive" => count(|s| s.refusals[1]),
            "eni_failures" => count(|s| s.refusals[2]),
            "payloads_too_large" => count(|s| s.refusals[3]),
            "cold_starts" => count(|s| s.cold_starts),
            "max_concurrency" => count(|s| u64::from(s.max_concurrency)),
            "environments_created" => count(|s| s.environments_created),
            "provisioned_invocations" => count(|s| s.provisioned_invocations),
            "spillover_invocations" => count(|s| s.spillover_invocations),
            "async_events_received" => count(|s| s.async_events_received),
            "async_events_dropped" => count(|s| s.async_events_dropped),
            "billed_duration_ms" => count(|s| s.billed_ms),
            "provisioned_billed_duration_ms" => count(|s| s.provisioned_billed_ms),
            "provisioned_cold_starts" => count(|s| s.provisioned_cold_starts),
            "init_duration_us" => count(|s| s.init_us),
            "provisioned_init_duration_us" => count(|s| s.provisioned_init_us),
            "avg_environments" => f.iter().map(|s| s.avg_environments).collect::<Vec<f64>>(),
        };
        let a = &self.account;
        let account = table! {
            "max_concurrency" => a.max_concurrency,
            "max_unreserved_concurrency" => a.max_unreserved_concurrency,
            "avg_environments" => a.avg_environments,
        };
        table! {
            "horizon" => to_seconds(self.horizon),
            "functions" => functions,
            "account" => account,
        }
    }
}

/// The counters; `max_iterator_age` in seconds.
impl IntoTable for MappingStats {
    fn into_table(self) -> Table {
        table! {
            "invocations" => self.invocations,
            "batches" => self.batches,
            "max_concurrency" => self.max_concurrency,
            "max_iterator_age" => to_seconds(self.max_iterator_age_us),
            "throttles" => self.throttles,
            "retries" => self.retries,
            "on_failure_records" => self.on_failure_records,
            "records_processed" => self.records_processed,
            "records_failed" => self.records_failed,
            "records_expired" => self.records_expired,
            "max_slots" => self.max_slots,
            "polled_records" => self.polled_records,
            "invoked_records" => self.invoked_records,
            "failed_invoke_records" => self.failed_invoke_records,
            "max_visible" => self.max_visible,
        }
    }
}

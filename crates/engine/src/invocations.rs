//! Requests that live across several attempts: asynchronous events (§6) and synchronous
//! requests whose caller retries after a throttle. A plain synchronous request never gets a
//! record here: its one attempt carries everything it needs.

use crate::results::{Outcome, Record, ThrottleReason};
use crate::workload::Arrival;
use crate::time::Micros;

/// "No time": an attempt that never started.
pub const NEVER: Micros = Micros::MAX;

/// A request between attempts, or in one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pending {
    pub request: u64,
    pub function: u32,
    /// Asynchronous (`Event`) rather than a synchronous caller retrying.
    pub event: bool,
    /// When the event was queued (its arrival).
    pub enqueued: Micros,
    pub duration: Micros,
    pub failures: u32,
    /// Attempts that reached the function.
    pub attempts: u16,
    /// Attempts that ended in a function error or a timeout.
    pub failed: u16,
    pub throttles: u16,
    pub cold_starts: u16,
    /// The last throttle's reason.
    pub reason: ThrottleReason,
    pub first_start: Micros,
    pub last_start: Micros,
}

impl Pending {
    /// A record for a request that arrives now (it may make no attempt at all).
    pub fn new(a: &Arrival, event: bool) -> Self {
        Pending {
            request: a.request,
            function: a.function,
            event,
            enqueued: a.time,
            duration: a.duration,
            failures: a.failures,
            attempts: 0,
            failed: 0,
            throttles: 0,
            cold_starts: 0,
            reason: ThrottleReason::None,
            first_start: NEVER,
            last_start: NEVER,
        }
    }

    /// The request's final record, resolved at `now`.
    pub fn record(&self, outcome: Outcome, now: Micros) -> Record {
        Record {
            request: self.request,
            outcome,
            reason: self.reason,
            attempts: self.attempts,
            throttles: self.throttles,
            cold_starts: self.cold_starts,
            end: now,
            first_start: self.first_start,
            last_start: self.last_start,
            event_age: if self.event && self.last_start != NEVER { self.last_start - self.enqueued } else { NEVER },
        }
    }
}

/// The records, in a slab: memory follows the requests in flight, not the requests seen.
pub type PendingSet = crate::slab::Slab<Pending>;

/// The wait before the retry that follows the `k`-th throttle of an event, and before the
/// `k`-th retry of a stream batch (errors and throttles alike, §7): `min(2^(k−1), 300)` s.
pub fn throttle_backoff(k: u32) -> Micros {
    if k >= 10 {
        300_000_000
    } else {
        (1_000_000u64 << (k.max(1) - 1)).min(300_000_000)
    }
}

/// The wait before the retry that follows the `failed`-th function error of an event: 60 s
/// after the first, 120 s after the second (§6).
pub fn error_backoff(failed: u16) -> Micros {
    if failed <= 1 {
        60_000_000
    } else {
        120_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoffs_follow_the_spec() {
        let waits: Vec<u64> = (1..=11).map(|k| throttle_backoff(k) / 1_000_000).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(throttle_backoff(u32::MAX), 300_000_000);
        assert_eq!((error_backoff(1), error_backoff(2)), (60_000_000, 120_000_000));
    }

    #[test]
    fn slots_are_reused() {
        let mut set = PendingSet::default();
        let arrival = Arrival { request: 1, time: 0, function: 0, duration: 0, invocation_type: 1, failures: 0 };
        let p = Pending::new(&arrival, true);
        let a = set.insert(p);
        let b = set.insert(Pending { request: 2, ..p });
        assert_eq!(set.remove(a).request, 1);
        assert_eq!(set.insert(Pending { request: 3, ..p }), a);
        assert_eq!(set.get_mut(b).request, 2);
        assert_eq!(set.len(), 2);
    }
}

//! Requests that live across several attempts: asynchronous events (§6) and synchronous
//! requests whose caller retries after a throttle. A plain synchronous request never gets a
//! record here: its one attempt carries everything it needs (its execution's owner is the
//! request itself). The verbs: a workload row arrives, an attempt is made, throttled, retried,
//! and ends.

use super::executions::{Admitted, Execution, Owner};
use super::traces::Attempt;
use super::{Core, Timer};
use crate::model::codes::{Outcome, Refusal, ThrottleReason, EVENT};
use crate::model::input::Arrival;
use crate::model::output::{Record, Sink, NO_ENVIRONMENT};
use crate::primitives::time::{Micros, NEVER};

/// A request between attempts, or in one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pending {
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
    /// Attempts refused without a throttle (§13): with the throttles, they set the backoff.
    pub refusals: u16,
    pub cold_starts: u16,
    /// The last throttle's reason.
    pub reason: ThrottleReason,
    pub first_start: Micros,
    pub last_start: Micros,
    /// The environment of the last attempt that ran (§3.1).
    pub environment: u64,
    /// Sampled for tracing (docs/traces.md): each of its attempts is logged.
    pub traced: bool,
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
            refusals: 0,
            cold_starts: 0,
            reason: ThrottleReason::None,
            first_start: NEVER,
            last_start: NEVER,
            environment: NO_ENVIRONMENT,
            traced: false,
        }
    }

    /// The ordinal of its latest attempt among all it made (refused ones counted), from 0.
    pub fn ordinal(&self) -> u16 {
        self.attempts.saturating_add(self.throttles).saturating_add(self.refusals).saturating_sub(1)
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
            environment: self.environment,
        }
    }
}

/// The records, in a slab: memory follows the requests in flight, not the requests seen.
pub(crate) type PendingSet = crate::primitives::slab::Slab<Pending>;

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

impl Core {
    /// A workload row arrives (§4–6).
    #[inline(always)]
    pub fn arrive<S: Sink>(&mut self, a: Arrival, sink: &mut S) {
        if a.too_large {
            return self.refuse_payload(a, sink);
        }
        if a.invocation_type == EVENT {
            return self.arrive_event(a, sink);
        }
        // A synchronous request: one attempt, whose result is the request's result.
        let traced = self.tracer.on && self.tracer.sample(a.function, a.time);
        match self.admit(a.function, a.time) {
            Ok(admitted) => {
                let fails = a.failures > 0;
                self.start(Owner::Request(a.request), admitted, a.function, a.duration, fails, traced, a.time);
            }
            Err(refusal) if self.client_retries.is_some() && refusal.throttle().is_some() => {
                // the caller's SDK may try again: the request needs a record between attempts
                let id = self.pending.insert(Pending { traced, ..Pending::new(&a, false) });
                self.refused_attempt(id, refusal, a.time, sink);
            }
            Err(refusal) => {
                if traced {
                    self.trace_refusal(&Pending::new(&a, false), 0, refusal, a.time);
                }
                self.refused(a.time, a.function, refusal);
                let (outcome, reason, throttles) = match refusal.throttle() {
                    Some(reason) => (Outcome::Throttled, reason, 1),
                    None => (refusal.outcome(), ThrottleReason::None, 0),
                };
                self.resolve(
                    sink,
                    Record {
                        request: a.request,
                        outcome,
                        reason,
                        attempts: 0,
                        throttles,
                        cold_starts: 0,
                        end: a.time,
                        first_start: NEVER,
                        last_start: NEVER,
                        event_age: NEVER,
                        environment: NO_ENVIRONMENT,
                    },
                );
            }
        }
    }

    /// A request whose payload is above Invoke's limit (§14): refused before it is an
    /// invocation, or an event in the queue.
    #[cold]
    #[inline(never)]
    fn refuse_payload<S: Sink>(&mut self, a: Arrival, sink: &mut S) {
        self.metrics.refused(a.time, a.function, Outcome::RequestTooLarge);
        let record = Pending::new(&a, false).record(Outcome::RequestTooLarge, a.time);
        self.resolve(sink, record);
    }

    /// An asynchronous event is queued (§6) and makes its first attempt.
    fn arrive_event<S: Sink>(&mut self, a: Arrival, sink: &mut S) {
        self.metrics.event_received(a.time, a.function);
        let func = &self.functions[a.function as usize];
        if func.zero_reserved {
            // dropped at once, without an attempt and without counting as a throttle
            return self.drop_event(Pending::new(&a, true), Outcome::ZeroReservedConcurrency, a.time, sink);
        }
        // (a function that hangs runs until its timeout, §13)
        let will_succeed = a.duration.max(func.hang_us) <= func.timeout_us && a.failures == 0;
        // sampled at the enqueue, once for every attempt (a dropped event makes none)
        let traced = self.tracer.on && self.tracer.sample(a.function, a.time);
        match self.admit(a.function, a.time) {
            // The common case: an event that runs at once and succeeds needs no record between
            // attempts; its execution carries it like a synchronous request's.
            Ok(admitted) if will_succeed => {
                self.metrics.event_attempt(a.time, a.function, 0);
                self.start(Owner::Event(a.request), admitted, a.function, a.duration, false, traced, a.time);
            }
            Ok(admitted) => {
                let id = self.pending.insert(Pending { traced, ..Pending::new(&a, true) });
                self.run_attempt(id, admitted, a.time)
            }
            Err(refusal) => {
                let id = self.pending.insert(Pending { traced, ..Pending::new(&a, true) });
                self.refused_attempt(id, refusal, a.time, sink)
            }
        }
    }

    /// An attempt of a request that has a record (an event, or a caller retrying).
    pub fn attempt<S: Sink>(&mut self, id: u32, now: Micros, sink: &mut S) {
        let function = self.pending.get_mut(id).function;
        match self.admit(function, now) {
            Ok(admitted) => self.run_attempt(id, admitted, now),
            Err(refusal) => self.refused_attempt(id, refusal, now, sink),
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
        p.environment = admitted.created;
        // the first `failures` attempts that reach the function fail (§5)
        let fails = u32::from(p.attempts) <= p.failures;
        let (function, duration, traced) = (p.function, p.duration, p.traced);
        if p.event {
            let age = now - p.enqueued;
            self.metrics.event_attempt(now, function, age);
        }
        self.start(Owner::Pending(id), admitted, function, duration, fails, traced, now);
    }

    /// An attempt of a request with a record was refused (throttled, or §13): schedule its
    /// retry, or give up.
    fn refused_attempt<S: Sink>(&mut self, id: u32, refusal: Refusal, now: Micros, sink: &mut S) {
        let p = self.pending.get_mut(id);
        match refusal.throttle() {
            Some(reason) => {
                p.throttles = p.throttles.saturating_add(1);
                p.reason = reason;
            }
            None => p.refusals = p.refusals.saturating_add(1),
        }
        let (function, throttles, event) = (p.function, p.throttles, p.event);
        let refused = u32::from(p.throttles) + u32::from(p.refusals);
        if p.traced {
            let (p, attempt) = (*p, p.ordinal());
            self.trace_refusal(&p, attempt, refusal, now);
        }
        self.refused(now, function, refusal);
        if event {
            // §6: 1 s, 2 s, 4 s ... 300 s; throttles (and §13's refusals) use no retry attempt
            return self.retry_or_expire(id, now, throttle_backoff(refused), sink);
        }
        if refusal.throttle().is_none() {
            // a caller's SDK retries throttles only (§5.1)
            let p = self.pending.remove(id);
            return self.resolve(sink, p.record(refusal.outcome(), now));
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
        self.timers.schedule(now.saturating_add(delay), Timer::Retry(id));
    }

    /// A refused attempt of a traced request (docs/traces.md): its row.
    #[cold]
    #[inline(never)]
    fn trace_refusal(&mut self, p: &Pending, attempt: u16, refusal: Refusal, now: Micros) {
        let (outcome, reason) = (refusal.outcome(), refusal.throttle().unwrap_or_default());
        self.tracer.log(Attempt {
            request: p.request,
            function: p.function,
            attempt,
            event: p.event,
            arrival: p.enqueued,
            start: now,
            end: now,
            cold: false,
            init: 0,
            outcome,
            reason,
        });
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
            self.timers.schedule(at, Timer::Retry(id));
        }
    }

    /// An event leaves without success (`AsyncEventsDropped`): to the on-failure destination
    /// and the dead-letter queue, when the function has them.
    fn drop_event<S: Sink>(&mut self, p: Pending, outcome: Outcome, now: Micros, sink: &mut S) {
        self.metrics.event_dropped(now, p.function);
        let func = &self.functions[p.function as usize];
        let keep = sink.keeps_records();
        for d in [func.on_failure, func.dead_letter_queue].into_iter().flatten() {
            self.destinations[d as usize].push(keep, p.request, outcome, p.attempts, now);
        }
        self.resolve(sink, p.record(outcome, now));
    }

    /// The attempt of a request with no record ended at `end` (owner `Request` or `Event`, the
    /// request's id `request`): its result is the request's.
    #[inline(always)]
    pub fn finish_unrecorded<S: Sink>(&mut self, x: &Execution, request: u64, event: bool, end: Micros, sink: &mut S) {
        // an event here ran at once and succeeded
        if event {
            if let Some(d) = self.functions[x.function as usize].on_success {
                let keep = sink.keeps_records();
                self.destinations[d as usize].push(keep, request, Outcome::Success, 1, end);
            }
        }
        self.resolve(
            sink,
            Record {
                request,
                outcome: x.outcome,
                reason: ThrottleReason::None,
                attempts: 1,
                throttles: 0,
                cold_starts: x.cold as u16,
                end,
                first_start: x.start,
                last_start: x.start,
                event_age: if event { 0 } else { NEVER },
                environment: x.created,
            },
        );
    }

    /// The end of an attempt of a request with a record (`id`; §6 for events).
    pub fn finish_pending<S: Sink>(&mut self, x: &Execution, id: u32, end: Micros, sink: &mut S) {
        let p = self.pending.get_mut(id);
        if !p.event {
            let p = self.pending.remove(id);
            return self.resolve(sink, p.record(x.outcome, end));
        }
        if x.outcome == Outcome::Success {
            let p = self.pending.remove(id);
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
            let p = self.pending.remove(id);
            return self.drop_event(p, Outcome::RetriesExhausted, end, sink);
        }
        self.retry_or_expire(id, end, error_backoff(failed), sink);
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
        let arrival = Arrival { request: 1, time: 0, function: 0, duration: 0, invocation_type: 1, failures: 0, too_large: false };
        let p = Pending::new(&arrival, true);
        let a = set.insert(p);
        let b = set.insert(Pending { request: 2, ..p });
        assert_eq!(set.remove(a).request, 1);
        assert_eq!(set.insert(Pending { request: 3, ..p }), a);
        assert_eq!(set.get_mut(b).request, 2);
        assert_eq!(set.len(), 2);
    }
}

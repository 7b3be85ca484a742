//! Traces (docs/traces.md): which requests of actively traced functions are sampled, and one row per
//! attempt of a sampled request, kept until the embedder drains them. The tracer knows nothing
//! of segment documents or spans: the embedding builds those from the rows.
//!
//! The default sampling rule, per function: the first request whose arrival falls in each
//! whole second of simulated time (a reservoir of 1 per second), and 5 % of the others, drawn
//! from the tracer's own random stream so that tracing changes no other draw of the run. The
//! decision is made once per request, at its arrival (an event's enqueue); every attempt of a
//! sampled request is then logged, throttled ones included. Event-source batches are not
//! traced.

use crate::model::codes::{Outcome, ThrottleReason};
use crate::model::table::{table, IntoTable, Table};
use crate::primitives::grow::Grow;
use crate::primitives::rng::SplitMix64;
use crate::primitives::time::{to_seconds, Micros};

/// Mixed into the engine's seed so that the tracer's stream differs from the engine's own
/// (which client retries draw from).
const SEED_MIX: u64 = 0x5452_4143_4553_2121; // "TRACES!!"

/// The fixed rate of the default rule, as a threshold on a uniform 64-bit draw: 5 %.
const FIXED_RATE: u64 = u64::MAX / 20;

/// No second's reservoir used yet.
const NO_SECOND: u64 = u64::MAX;

/// One attempt of a traced request, as the tracer logs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attempt {
    pub request: u64,
    pub function: u32,
    /// Its ordinal among the request's attempts (throttled ones counted), from 0.
    pub attempt: u16,
    /// An asynchronous event rather than a synchronous request.
    pub event: bool,
    /// The request's arrival (an event's enqueue).
    pub arrival: Micros,
    /// When the attempt was made (started, or throttled).
    pub start: Micros,
    /// When it ended (its start when throttled).
    pub end: Micros,
    /// It paid init (a cold start), of `init` µs.
    pub cold: bool,
    pub init: Micros,
    /// `Success`, `Error`, `Timeout` or `Throttled`.
    pub outcome: Outcome,
    pub reason: ThrottleReason,
}

/// The attempts logged and not yet drained, as columns (times in seconds).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TraceLog {
    pub request: Vec<u64>,
    pub function: Vec<u32>,
    pub attempt: Vec<u16>,
    /// 1: an asynchronous event; 0: a synchronous request.
    pub event: Vec<u8>,
    pub arrival: Vec<f64>,
    pub start: Vec<f64>,
    pub end: Vec<f64>,
    /// 1: the attempt paid init.
    pub cold: Vec<u8>,
    /// Init's length in seconds (0 for a warm start).
    pub init: Vec<f64>,
    /// `Outcome` codes.
    pub outcome: Vec<u8>,
    /// `ThrottleReason` codes (0 unless throttled).
    pub reason: Vec<u8>,
    /// Attempts ever logged (drained or not).
    pub total: u64,
}

impl TraceLog {
    fn push(&mut self, a: &Attempt) {
        const WHAT: &str = "trace rows";
        self.total += 1;
        self.request.grow(a.request, WHAT);
        self.function.grow(a.function, WHAT);
        self.attempt.grow(a.attempt, WHAT);
        self.event.grow(u8::from(a.event), WHAT);
        self.arrival.grow(to_seconds(a.arrival), WHAT);
        self.start.grow(to_seconds(a.start), WHAT);
        self.end.grow(to_seconds(a.end), WHAT);
        self.cold.grow(u8::from(a.cold), WHAT);
        self.init.grow(to_seconds(if a.cold { a.init } else { 0 }), WHAT);
        self.outcome.grow(a.outcome as u8, WHAT);
        self.reason.grow(a.reason as u8, WHAT);
    }

    /// Rows logged and not yet drained.
    pub fn len(&self) -> usize {
        self.request.len()
    }

    pub fn is_empty(&self) -> bool {
        self.request.is_empty()
    }
}

/// The one home of the column names.
impl IntoTable for TraceLog {
    fn into_table(self) -> Table {
        table! {
            "request" => self.request,
            "function" => self.function,
            "attempt" => self.attempt,
            "event" => self.event,
            "arrival" => self.arrival,
            "start" => self.start,
            "end" => self.end,
            "cold" => self.cold,
            "init" => self.init,
            "outcome" => self.outcome,
            "reason" => self.reason,
            "total" => self.total,
        }
    }
}

pub(crate) struct Tracer {
    /// Some function is traced: the one test the untraced path pays.
    pub on: bool,
    traced: Vec<bool>,
    /// Per function, the second whose reservoir is used (`NO_SECOND`: none yet).
    second: Vec<u64>,
    rng: SplitMix64,
    log: TraceLog,
}

impl Tracer {
    /// `traced[f]`: function `f`'s tracing is Active.
    pub fn new(traced: Vec<bool>, seed: u64) -> Tracer {
        let second = vec![NO_SECOND; traced.len()];
        Tracer { on: traced.iter().any(|&t| t), traced, second, rng: SplitMix64::new(seed ^ SEED_MIX), log: TraceLog::default() }
    }

    /// Whether a request of `function` arriving at `now` is sampled (the default rule). Draws
    /// only for traced functions' requests that the reservoir does not take. Arrivals come in
    /// time order, so a second's reservoir is used once and never returned to.
    #[cold]
    #[inline(never)]
    pub fn sample(&mut self, function: u32, now: Micros) -> bool {
        let f = function as usize;
        if !self.traced[f] {
            return false;
        }
        let second = now / 1_000_000;
        if self.second[f] != second {
            self.second[f] = second;
            return true;
        }
        self.rng.next_u64() < FIXED_RATE
    }

    #[cold]
    #[inline(never)]
    pub fn log(&mut self, a: Attempt) {
        self.log.push(&a);
    }

    /// Takes the rows logged so far (the total stays).
    pub fn drain(&mut self) -> TraceLog {
        let total = self.log.total;
        let mut out = std::mem::take(&mut self.log);
        self.log.total = total;
        out.total = total;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reservoir_takes_the_first_of_each_second_and_untraced_functions_nothing() {
        let mut t = Tracer::new(vec![true, false], 0);
        assert!(t.on);
        // the first of each second, for the traced function only
        assert!(t.sample(0, 0));
        assert!(!t.sample(1, 0));
        assert!(t.sample(0, 1_000_000));
        assert!(t.sample(0, 5_999_999));
        // within a used second, about 5 %
        let n = 200_000;
        let taken = (0..n).filter(|_| t.sample(0, 5_999_999)).count();
        assert!((taken as f64 / n as f64 - 0.05).abs() < 0.003, "{taken}");
        assert!(!Tracer::new(vec![false; 3], 0).on);
    }

    #[test]
    fn draining_keeps_the_total() {
        let mut t = Tracer::new(vec![true], 1);
        let a = Attempt {
            request: 4, function: 0, attempt: 1, event: true, arrival: 1, start: 2_000_000, end: 3_000_000,
            cold: false, init: 500, outcome: Outcome::Error, reason: ThrottleReason::None,
        };
        t.log(a);
        t.log(Attempt { cold: true, ..a });
        let d = t.drain();
        assert_eq!((d.len(), d.total, d.init.clone(), d.start[0]), (2, 2, vec![0.0, 0.0005], 2.0));
        t.log(a);
        let d = t.drain();
        assert_eq!((d.len(), d.total), (1, 3));
        assert!(t.drain().is_empty());
    }
}

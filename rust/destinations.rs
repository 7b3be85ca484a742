//! Destinations of asynchronous results (§6): on-success, on-failure and dead-letter targets.
//! Each target collects invocation records shaped after AWS's (`requestContext.condition`,
//! `approximateInvokeCount`), as columns.

use crate::results::Outcome;
use crate::time::{to_seconds, Micros};

#[derive(Debug, Default, Clone)]
pub struct DestinationLog {
    pub request: Vec<u64>,
    /// `Success`, `RetriesExhausted`, `EventAgeExceeded` or `ZeroReservedConcurrency`, as
    /// `Outcome` codes.
    pub condition: Vec<u8>,
    pub approximate_invoke_count: Vec<u16>,
    pub time: Vec<f64>,
    /// Records ever sent here (kept when the records themselves are not).
    pub total: u64,
}

impl DestinationLog {
    #[inline]
    pub fn push(&mut self, keep: bool, request: u64, condition: Outcome, invoke_count: u16, time: Micros) {
        self.total += 1;
        if keep {
            self.request.push(request);
            self.condition.push(condition as u8);
            self.approximate_invoke_count.push(invoke_count);
            self.time.push(to_seconds(time));
        }
    }

    /// Takes the records collected so far (the total stays).
    pub fn drain(&mut self) -> DestinationLog {
        DestinationLog {
            request: std::mem::take(&mut self.request),
            condition: std::mem::take(&mut self.condition),
            approximate_invoke_count: std::mem::take(&mut self.approximate_invoke_count),
            time: std::mem::take(&mut self.time),
            total: self.total,
        }
    }
}

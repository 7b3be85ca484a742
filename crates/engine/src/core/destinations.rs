//! Destinations of asynchronous results (§6): on-success, on-failure and dead-letter targets.
//! Each target collects invocation records shaped after AWS's (`requestContext.condition`,
//! `approximateInvokeCount`), as columns.

use crate::model::codes::{Outcome, RecordOutcome};
use crate::model::table::{table, IntoTable, Table};
use crate::primitives::grow::Grow;
use crate::primitives::time::{to_seconds, Micros};

#[derive(Debug, Default, Clone)]
pub struct DestinationLog {
    /// The stream of a stream record (§7), or −1 for a function's request.
    pub stream: Vec<i32>,
    /// The request id, or the record's index among its stream's records.
    pub request: Vec<u64>,
    /// `Success`, `RetriesExhausted`, `EventAgeExceeded` or `ZeroReservedConcurrency`, as
    /// `Outcome` codes; for stream records `RetryAttemptsExhausted` or `RecordAgeExceeded` as
    /// `RecordOutcome` codes.
    pub condition: Vec<u8>,
    pub approximate_invoke_count: Vec<u16>,
    pub time: Vec<f64>,
    /// Records ever sent here (kept when the records themselves are not).
    pub total: u64,
}

impl DestinationLog {
    #[inline]
    pub fn push(&mut self, keep: bool, request: u64, condition: Outcome, invoke_count: u16, time: Micros) {
        self.push_code(keep, -1, request, condition as u8, invoke_count, time);
    }

    /// A stream record that failed (`condition`: a `RecordOutcome` code).
    #[inline]
    pub fn push_record(&mut self, keep: bool, stream: u32, record: u64, condition: RecordOutcome, invoke_count: u32, time: Micros) {
        let count = invoke_count.min(u32::from(u16::MAX)) as u16;
        self.push_code(keep, stream as i32, record, condition as u8, count, time);
    }

    #[inline]
    fn push_code(&mut self, keep: bool, stream: i32, request: u64, condition: u8, invoke_count: u16, time: Micros) {
        self.total += 1;
        if keep {
            self.stream.grow(stream, "destination records");
            self.request.grow(request, "destination records");
            self.condition.grow(condition, "destination records");
            self.approximate_invoke_count.grow(invoke_count, "destination records");
            self.time.grow(to_seconds(time), "destination records");
        }
    }

    /// Takes the records collected so far (the total stays).
    pub fn drain(&mut self) -> DestinationLog {
        DestinationLog {
            stream: std::mem::take(&mut self.stream),
            request: std::mem::take(&mut self.request),
            condition: std::mem::take(&mut self.condition),
            approximate_invoke_count: std::mem::take(&mut self.approximate_invoke_count),
            time: std::mem::take(&mut self.time),
            total: self.total,
        }
    }
}

/// The columns, then `total`.
impl IntoTable for DestinationLog {
    fn into_table(self) -> Table {
        table! {
            "stream" => self.stream,
            "request" => self.request,
            "condition" => self.condition,
            "approximate_invoke_count" => self.approximate_invoke_count,
            "time" => self.time,
            "total" => self.total,
        }
    }
}

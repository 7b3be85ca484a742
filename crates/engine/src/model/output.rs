//! What a run produces, record by record: per-request and per-record results, sent to a
//! `Sink` as they resolve, and the sinks that collect them as columns.

use super::codes::{Outcome, RecordOutcome, ThrottleReason};
use super::error::{try_zeroed, Error};
use super::table::{table, IntoTable, Table};
use crate::primitives::grow::Grow;
use crate::primitives::time::{to_seconds, Micros, NEVER};

/// One resolved request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub request: u64,
    pub outcome: Outcome,
    pub reason: ThrottleReason,
    pub attempts: u16,
    pub throttles: u16,
    pub cold_starts: u16,
    pub end: Micros,
    /// When the first and the last attempt that reached the function started
    /// (`NEVER` when none did).
    pub first_start: Micros,
    pub last_start: Micros,
    /// `AsyncEventAge` of the last attempt that ran (from enqueue to its start), for events
    /// (`NEVER` otherwise).
    pub event_age: Micros,
    /// The creation number of the environment the last attempt that ran ran on (§3.1;
    /// `NO_ENVIRONMENT` when none ran).
    pub environment: u64,
}

/// `Record::environment` of a request no attempt of which ran.
pub const NO_ENVIRONMENT: u64 = u64::MAX;

/// An environment number for output: −1 for none.
#[inline]
fn environment(e: u64) -> i64 {
    if e == NO_ENVIRONMENT {
        -1
    } else {
        e as i64
    }
}

/// A start time for output: seconds, NaN for "never".
#[inline]
fn start_seconds(us: Micros) -> f64 {
    if us == NEVER {
        f64::NAN
    } else {
        to_seconds(us)
    }
}

/// One stream record's result: resolved, or (at the end of `run`) still pending.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamRecord {
    pub stream: u32,
    /// Its index among the stream's records.
    pub id: u64,
    pub outcome: RecordOutcome,
    /// Invocations whose batch held it, and (queues) times it was received; for streams the
    /// two are the same.
    pub attempts: u32,
    pub receives: u32,
    /// The last such invocation's start and end (`NEVER`: none, or not ended).
    pub start: Micros,
    pub end: Micros,
}

/// Where resolved requests go. The engine is generic over it, so a sink that drops records
/// costs nothing.
pub trait Sink {
    fn resolved(&mut self, record: &Record);

    /// A stream record resolved (§7). Sinks of requests alone ignore them.
    #[inline]
    fn record(&mut self, _record: &StreamRecord) {}

    /// Whether records should be kept at all (destination records follow this too).
    fn keeps_records(&self) -> bool {
        true
    }
}

/// Drops every record (per-request output off).
pub struct NullSink;

impl Sink for NullSink {
    #[inline]
    fn resolved(&mut self, _: &Record) {}

    fn keeps_records(&self) -> bool {
        false
    }
}

/// Records in the order they were resolved (what `advance` returns), as columns.
#[derive(Debug, Default, Clone)]
pub struct WindowLog {
    pub request: Vec<u64>,
    pub outcome: Vec<u8>,
    pub reason: Vec<u8>,
    pub attempts: Vec<u16>,
    pub throttles: Vec<u16>,
    pub cold_starts: Vec<u16>,
    pub end: Vec<f64>,
    pub first_start: Vec<f64>,
    pub last_start: Vec<f64>,
    pub event_age: Vec<f64>,
    pub environment: Vec<i64>,
    pub records: RecordLog,
}

/// Stream records in the order they were resolved, as columns.
#[derive(Debug, Default, Clone)]
pub struct RecordLog {
    pub stream: Vec<u32>,
    pub id: Vec<u64>,
    pub outcome: Vec<u8>,
    pub attempts: Vec<u32>,
    pub receives: Vec<u32>,
    pub start: Vec<f64>,
    pub end: Vec<f64>,
}

/// What a log that cannot grow names (`primitives::grow`).
const WHAT: &str = "resolved requests and records kept for the caller";

impl RecordLog {
    #[inline]
    fn push(&mut self, r: &StreamRecord) {
        self.stream.grow(r.stream, WHAT);
        self.id.grow(r.id, WHAT);
        self.outcome.grow(r.outcome as u8, WHAT);
        self.attempts.grow(r.attempts, WHAT);
        self.receives.grow(r.receives, WHAT);
        self.start.grow(start_seconds(r.start), WHAT);
        self.end.grow(start_seconds(r.end), WHAT);
    }
}

impl Sink for WindowLog {
    #[inline]
    fn record(&mut self, r: &StreamRecord) {
        self.records.push(r);
    }

    #[inline]
    fn resolved(&mut self, r: &Record) {
        self.request.grow(r.request, WHAT);
        self.outcome.grow(r.outcome as u8, WHAT);
        self.reason.grow(r.reason as u8, WHAT);
        self.attempts.grow(r.attempts, WHAT);
        self.throttles.grow(r.throttles, WHAT);
        self.cold_starts.grow(r.cold_starts, WHAT);
        self.end.grow(to_seconds(r.end), WHAT);
        self.first_start.grow(start_seconds(r.first_start), WHAT);
        self.last_start.grow(start_seconds(r.last_start), WHAT);
        self.event_age.grow(start_seconds(r.event_age), WHAT);
        self.environment.grow(environment(r.environment), WHAT);
    }
}

/// One row per request of a range of request ids, in input order (what `run` returns).
/// Rows that are not resolved stay `Pending` with `end = NaN` (after `finish`); requests
/// outside the range are ignored (`Tables` logs them apart).
#[derive(Debug, Clone)]
pub struct RowTable {
    pub first: u64,
    pub outcome: Vec<u8>,
    pub reason: Vec<u8>,
    pub attempts: Vec<u16>,
    pub throttles: Vec<u16>,
    pub cold_starts: Vec<u16>,
    pub end: Vec<f64>,
    pub first_start: Vec<f64>,
    pub last_start: Vec<f64>,
    /// Empty when the rows hold no asynchronous events (the column would be all NaN).
    pub event_age: Vec<f64>,
    /// Whether the table has the `event_age` column (`new`'s `events`).
    pub events: bool,
    pub environment: Vec<i64>,
}

impl RowTable {
    /// A table of `n` rows from request `first`. Every column starts zeroed (`Pending`, no
    /// attempts), which the allocator gives without writing (fresh pages); `finish` marks the
    /// rows left unresolved. `Error::OutOfMemory` when the columns do not fit.
    pub fn new(first: u64, n: usize, events: bool) -> Result<Self, Error> {
        const WHAT: &str = "rows of the run's table of requests";
        const _: () = assert!(Outcome::Pending as u8 == 0, "a zeroed outcome column is all Pending");
        Ok(RowTable {
            first,
            outcome: try_zeroed(n, WHAT)?,
            reason: try_zeroed(n, WHAT)?,
            attempts: try_zeroed(n, WHAT)?,
            throttles: try_zeroed(n, WHAT)?,
            cold_starts: try_zeroed(n, WHAT)?,
            end: try_zeroed(n, WHAT)?,
            first_start: try_zeroed(n, WHAT)?,
            last_start: try_zeroed(n, WHAT)?,
            event_age: if events { try_zeroed(n, WHAT)? } else { Vec::new() },
            events,
            environment: try_zeroed(n, WHAT)?,
        })
    }

    /// Gives the rows still `Pending` NaN times (filling the whole table with NaN up front cost
    /// a quarter of a run's time).
    pub fn finish(&mut self) {
        for (i, &outcome) in self.outcome.iter().enumerate() {
            if outcome == Outcome::Pending as u8 {
                self.end[i] = f64::NAN;
                self.first_start[i] = f64::NAN;
                self.last_start[i] = f64::NAN;
                self.environment[i] = -1;
                if let Some(age) = self.event_age.get_mut(i) {
                    *age = f64::NAN;
                }
            }
        }
    }

    /// Sets the row of `r`'s request; `false` when the request is outside the table's range.
    #[inline]
    pub fn set(&mut self, r: &Record) -> bool {
        let i = r.request.wrapping_sub(self.first) as usize;
        if i >= self.outcome.len() {
            return false;
        }
        self.outcome[i] = r.outcome as u8;
        // the table starts zeroed: columns that are usually 0 are written only when they
        // are not, so their pages are often never touched
        if r.reason != ThrottleReason::None {
            self.reason[i] = r.reason as u8;
        }
        self.attempts[i] = r.attempts;
        if r.throttles != 0 {
            self.throttles[i] = r.throttles;
        }
        if r.cold_starts != 0 {
            self.cold_starts[i] = r.cold_starts;
        }
        self.end[i] = to_seconds(r.end);
        self.first_start[i] = start_seconds(r.first_start);
        self.last_start[i] = start_seconds(r.last_start);
        self.environment[i] = environment(r.environment);
        if let Some(age) = self.event_age.get_mut(i) {
            *age = start_seconds(r.event_age);
        }
        true
    }
}

impl Sink for RowTable {
    #[inline]
    fn resolved(&mut self, r: &Record) {
        self.set(r);
    }
}

/// One row per record of a stream, for records `first .. first + n` (what `run` returns).
/// Rows never reported stay `Pending` with no attempts and NaN times (after `finish`).
#[derive(Debug, Clone)]
pub struct RecordTable {
    pub first: u64,
    pub outcome: Vec<u8>,
    pub attempts: Vec<u32>,
    pub receives: Vec<u32>,
    pub start: Vec<f64>,
    pub end: Vec<f64>,
}

impl RecordTable {
    /// `Error::OutOfMemory` when the columns do not fit.
    pub fn new(first: u64, n: usize) -> Result<Self, Error> {
        const WHAT: &str = "rows of the run's table of records";
        const _: () = assert!(RecordOutcome::Pending as u8 == 0, "a zeroed outcome column is all Pending");
        Ok(RecordTable {
            first,
            outcome: try_zeroed(n, WHAT)?,
            attempts: try_zeroed(n, WHAT)?,
            receives: try_zeroed(n, WHAT)?,
            start: try_zeroed(n, WHAT)?,
            end: try_zeroed(n, WHAT)?,
        })
    }

    /// Sets the row of record `r`; `false` when it is outside the table's range.
    #[inline]
    fn set(&mut self, r: &StreamRecord) -> bool {
        let i = r.id.wrapping_sub(self.first) as usize;
        if i >= self.outcome.len() {
            return false;
        }
        self.outcome[i] = r.outcome as u8;
        self.attempts[i] = r.attempts;
        self.receives[i] = r.receives;
        self.start[i] = start_seconds(r.start);
        self.end[i] = start_seconds(r.end);
        true
    }

    /// Rows never reported get NaN times.
    pub fn finish(&mut self) {
        for i in 0..self.outcome.len() {
            if self.outcome[i] == RecordOutcome::Pending as u8 && self.attempts[i] == 0 && self.start[i] == 0.0 {
                self.start[i] = f64::NAN;
                self.end[i] = f64::NAN;
            }
        }
    }
}

/// What `run` collects: one row per request and one per record of each stream, and, apart,
/// the requests and records of earlier submissions resolved meanwhile (a `run` in a loop
/// learns there how the rows its previous calls left pending ended).
#[derive(Debug, Clone)]
pub struct Tables {
    pub requests: RowTable,
    /// Per stream, in stream order.
    pub records: Vec<RecordTable>,
    /// Requests outside `requests`' range and records outside `records`' resolved meanwhile,
    /// in the order they were resolved.
    pub earlier: WindowLog,
}

impl Tables {
    pub fn new(requests: RowTable, records: Vec<RecordTable>) -> Self {
        Tables { requests, records, earlier: WindowLog::default() }
    }
}

impl Sink for Tables {
    #[inline]
    fn resolved(&mut self, r: &Record) {
        if !self.requests.set(r) {
            self.earlier.resolved(r);
        }
    }

    #[inline]
    fn record(&mut self, r: &StreamRecord) {
        let kept = self.records.get_mut(r.stream as usize).is_some_and(|t| t.set(r));
        // `report_pending` reports records still held: only resolved ones belong to `earlier`
        if !kept && r.outcome != RecordOutcome::Pending {
            self.earlier.record(r);
        }
    }
}

// ---- the names an embedding shows (`model::table`)

impl IntoTable for RecordLog {
    fn into_table(self) -> Table {
        table! {
            "stream" => self.stream,
            "id" => self.id,
            "outcome" => self.outcome,
            "attempts" => self.attempts,
            "receives" => self.receives,
            "start" => self.start,
            "end" => self.end,
        }
    }
}

/// `request` and the per-request columns, then the stream records under `records`.
impl IntoTable for WindowLog {
    fn into_table(self) -> Table {
        table! {
            "request" => self.request,
            "outcome" => self.outcome,
            "throttle_reason" => self.reason,
            "attempts" => self.attempts,
            "throttles" => self.throttles,
            "cold_starts" => self.cold_starts,
            "end" => self.end,
            "first_start" => self.first_start,
            "last_start" => self.last_start,
            "environment" => self.environment,
            "event_age" => self.event_age,
            "records" => self.records.into_table(),
        }
    }
}

/// The per-request columns (`event_age` only for a table of events), finished.
impl IntoTable for RowTable {
    fn into_table(mut self) -> Table {
        self.finish();
        let mut t = table! {
            "outcome" => self.outcome,
            "throttle_reason" => self.reason,
            "attempts" => self.attempts,
            "throttles" => self.throttles,
            "cold_starts" => self.cold_starts,
            "end" => self.end,
            "first_start" => self.first_start,
            "last_start" => self.last_start,
            "environment" => self.environment,
        };
        if self.events {
            t.0.push(("event_age", self.event_age.into()));
        }
        t
    }
}

/// The columns, finished.
impl IntoTable for RecordTable {
    fn into_table(mut self) -> Table {
        self.finish();
        table! {
            "outcome" => self.outcome,
            "attempts" => self.attempts,
            "receives" => self.receives,
            "start" => self.start,
            "end" => self.end,
        }
    }
}

/// The requests' table with one table per stream under `records`, and `earlier` (a
/// `WindowLog`'s table).
impl IntoTable for Tables {
    fn into_table(self) -> Table {
        let mut t = self.requests.into_table();
        t.0.push(("records", self.records.into_iter().map(IntoTable::into_table).collect::<Vec<_>>().into()));
        t.0.push(("earlier", self.earlier.into_table().into()));
        t
    }
}

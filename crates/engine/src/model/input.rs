//! Inputs as the engine reads them (workload rows, and records of event sources): borrowed columns (numpy arrays in the bindings, read
//! in place), checked once at submission, then turned into arrivals one row at a time.

use super::codes::{EVENT, REQUEST_RESPONSE};
use super::error::Error;
use super::limits::FAILURES;
use crate::primitives::time::{check_seconds, to_micros, to_seconds, Micros, MAX_SECONDS};

/// How far one input (the workload, or one event source's records) has been submitted: how
/// many rows, numbered from 0, and when the last one arrived, which a new chunk may not precede.
#[derive(Debug, Default, Clone)]
pub struct Submitted {
    pub rows: u64,
    last: Micros,
    /// `last` as the caller gave it, for messages.
    last_s: f64,
}

impl Submitted {
    /// Takes a chunk whose times are `time`, once `check` (given the time the chunk may not
    /// start before, in µs and in seconds, and returning the chunk's last time in µs) accepts
    /// it at the engine's clock `now`; returns the id of its first row.
    pub fn take(&mut self, now: Micros, time: &[f64], check: impl FnOnce(Micros, f64) -> Result<Micros, Error>) -> Result<u64, Error> {
        let (not_before, not_before_s) = if now > self.last { (now, to_seconds(now)) } else { (self.last, self.last_s) };
        let last = check(not_before, not_before_s)?;
        if let Some(&t) = time.last() {
            self.last = last;
            self.last_s = t;
        }
        let first = self.rows;
        self.rows += time.len() as u64;
        Ok(first)
    }
}

/// Checks a `time` column (of workload rows or of a source's records): finite, non-negative,
/// non-decreasing, and not before `not_before` (the previous submission's last time, or the
/// engine's clock). The error names the first bad row.
pub(crate) fn check_times(time: &[f64], not_before: Micros, not_before_s: f64) -> Result<(), Error> {
    let bad = |row: usize, message: String| Error::Workload { column: "time", row, message };
    // Fast path: one branch-free pass (NaN fails every comparison); the slow loop below runs
    // only to name the first bad row.
    let (ok, _) = time.iter().fold((true, 0.0f64), |(ok, prev), &t| (ok & (t >= prev) & (t <= MAX_SECONDS), t));
    let mut prev = f64::NEG_INFINITY;
    for (row, &t) in time.iter().enumerate().filter(|_| !ok) {
        check_seconds(t).map_err(|m| bad(row, m))?;
        if t < prev {
            return Err(bad(row, format!("{t} is earlier than the previous row's {prev}: times must be non-decreasing")));
        }
        prev = t;
    }
    if let Some(&first) = time.first() {
        if to_micros(first) < not_before {
            return Err(bad(
                0,
                format!("{first} is earlier than {not_before_s}, where the simulator already is (or the previous submission ended)"),
            ));
        }
    }
    Ok(())
}

/// The error for a column found changed while the engine reads it in place (it was checked at
/// submission: only a caller modifying its array afterwards gets here).
pub(crate) fn changed_after_submit(column: &'static str, row: usize) -> Error {
    Error::Workload {
        column,
        row,
        message: "the value changed after it was submitted (a simulator reads the arrays it was given in place: \
                  do not modify them while it holds them)"
            .into(),
    }
}

/// One submitted chunk of workload rows. `invocation_type` and `failures` may be absent
/// (all request-response; no failures).
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    pub time: &'a [f64],
    pub function: &'a [i64],
    pub duration: &'a [f64],
    pub invocation_type: Option<&'a [u8]>,
    pub failures: Option<&'a [i64]>,
    /// The request id of the first row; rows are numbered on from it.
    pub first_id: u64,
}

impl<'a> Rows<'a> {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Checks every row; returns the last arrival time (or `not_before` when empty).
    ///
    /// Times must be finite, non-negative, non-decreasing and not before `not_before` (the last
    /// time of the previous submission, or the engine's clock); durations finite and
    /// non-negative; function indexes in `0..n_functions`; failures non-negative. The error
    /// names the column and the first bad row of this chunk.
    pub fn validate(&self, n_functions: usize, not_before: Micros, not_before_s: f64) -> Result<Micros, Error> {
        let n = self.time.len();
        let bad = |column: &'static str, row: usize, message: String| Error::Workload { column, row, message };
        for (column, len) in [
            ("function", Some(self.function.len())),
            ("duration", Some(self.duration.len())),
            ("invocation_type", self.invocation_type.map(<[u8]>::len)),
            ("failures", self.failures.map(<[i64]>::len)),
        ] {
            if let Some(len) = len {
                if len != n {
                    return Err(bad(column, len.min(n), format!("has {len} rows but 'time' has {n}")));
                }
            }
        }
        check_times(self.time, not_before, not_before_s)?;
        let ok = self.function.iter().fold(true, |ok, &f| ok & (f >= 0) & ((f as u64) < n_functions as u64));
        for (row, &f) in self.function.iter().enumerate().filter(|_| !ok) {
            if f < 0 || f as u64 >= n_functions as u64 {
                return Err(bad("function", row, format!("{f} is not a function index (the simulator has {n_functions} functions)")));
            }
        }
        let ok = self.duration.iter().fold(true, |ok, &d| ok & (0.0..=MAX_SECONDS).contains(&d));
        for (row, &d) in self.duration.iter().enumerate().filter(|_| !ok) {
            check_seconds(d).map_err(|m| bad("duration", row, m))?;
        }
        if let Some(kinds) = self.invocation_type {
            for (row, &k) in kinds.iter().enumerate() {
                match k {
                    REQUEST_RESPONSE => {}
                    EVENT => {}
                    other => return Err(bad("invocation_type", row, format!("{other} is not an InvocationType (0 or 1)"))),
                }
            }
        }
        if let Some(failures) = self.failures {
            for (row, &x) in failures.iter().enumerate() {
                if x < 0 {
                    return Err(bad("failures", row, format!("{x} is negative")));
                }
            }
        }
        Ok(self.time.last().map_or(not_before, |&t| to_micros(t)))
    }

    #[inline]
    pub(crate) fn arrival(&self, row: usize) -> Arrival {
        self.arrival_at(row, to_micros(self.time[row]))
    }

    /// The arrival of `row`, whose time (in µs) the caller has already converted.
    #[inline]
    pub(crate) fn arrival_at(&self, row: usize, time: Micros) -> Arrival {
        Arrival {
            request: self.first_id + row as u64,
            time,
            function: self.function[row] as u32,
            duration: to_micros(self.duration[row]),
            invocation_type: self.invocation_type.map_or(REQUEST_RESPONSE, |k| k[row]),
            // saturated, not refused: see `limits::FAILURES`
            failures: self.failures.map_or(0, |f| f[row].min(FAILURES.max as i64) as u32),
        }
    }
}

/// One workload row in engine units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub request: u64,
    pub time: Micros,
    pub function: u32,
    pub duration: Micros,
    pub invocation_type: u8,
    /// How many leading attempts that reach the function fail.
    pub failures: u32,
}

/// A position in the submitted chunks: the engine reads arrivals from it and moves it on.
pub struct Cursor<'a> {
    pub(crate) chunks: Vec<Rows<'a>>,
    pub(crate) chunk: usize,
    pub(crate) row: usize,
}

impl<'a> Cursor<'a> {
    /// Starts at `row` of the first chunk.
    pub fn new(chunks: Vec<Rows<'a>>, row: usize) -> Self {
        Cursor { chunks, chunk: 0, row }
    }

    /// How far the cursor got: (chunks fully read, rows read of the next chunk).
    /// The next row's time in seconds, if any row is left.
    #[inline]
    pub fn peek_seconds(&self) -> Option<f64> {
        let (chunk, row) = self.position();
        self.chunks.get(chunk).map(|c| c.time[row])
    }

    pub fn position(&self) -> (usize, usize) {
        let mut c = (self.chunk, self.row);
        while c.0 < self.chunks.len() && c.1 >= self.chunks[c.0].len() {
            c = (c.0 + 1, 0);
        }
        c
    }
}

/// Reading a cursor as an iterator consumes its arrivals in order (the engine reads the
/// columns directly instead; this is for inspection and tests).
impl Iterator for Cursor<'_> {
    type Item = Arrival;

    fn next(&mut self) -> Option<Arrival> {
        let (chunk, row) = Cursor::position(self);
        let rows = self.chunks.get(chunk)?;
        self.chunk = chunk;
        self.row = row + 1;
        Some(rows.arrival(row))
    }
}

/// One record of an event source in engine units (waiting in a lane, or a queue's message).
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub time: Micros,
    /// The record's index among its stream's records.
    pub id: u64,
    /// How many of the first invocations holding it fail.
    pub failures: u32,
}

/// One submitted chunk of a stream's records (borrowed columns, like `Rows`).
#[derive(Debug, Clone, Copy)]
pub struct RecordRows<'a> {
    pub time: &'a [f64],
    pub key: &'a [i64],
    pub failures: Option<&'a [i64]>,
    /// The id of the first record (records are numbered per stream over all chunks).
    pub first_id: u64,
}

impl RecordRows<'_> {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Checks every record (as `Rows::validate`): times finite, non-negative, non-decreasing
    /// and not before `not_before`; failures within `limits::FAILURES`. Returns the last time.
    pub fn validate(&self, not_before: Micros, not_before_s: f64) -> Result<Micros, Error> {
        let n = self.time.len();
        let bad = |column: &'static str, row: usize, message: String| Error::Workload { column, row, message };
        for (column, len) in [("key", Some(self.key.len())), ("failures", self.failures.map(<[i64]>::len))] {
            if let Some(len) = len {
                if len != n {
                    return Err(bad(column, len.min(n), format!("has {len} rows but 'time' has {n}")));
                }
            }
        }
        check_times(self.time, not_before, not_before_s)?;
        if let Some(failures) = self.failures {
            for (row, &x) in failures.iter().enumerate() {
                if !(FAILURES.min as i64..=FAILURES.max as i64).contains(&x) {
                    return Err(bad("failures", row, format!("{x} is not between {} and {}", FAILURES.min, FAILURES.max)));
                }
            }
        }
        Ok(self.time.last().map_or(not_before, |&t| to_micros(t)))
    }
}

/// A stream's submitted chunks and how far the clock has read them.
#[derive(Debug, Default)]
pub struct RecordCursor<'a> {
    pub chunks: Vec<RecordRows<'a>>,
    pub chunk: usize,
    pub row: usize,
}

impl<'a> RecordCursor<'a> {
    pub fn new(chunks: Vec<RecordRows<'a>>, row: usize) -> Self {
        RecordCursor { chunks, chunk: 0, row }
    }

    /// The next record's time in seconds, skipping exhausted chunks.
    #[inline]
    pub fn peek_seconds(&mut self) -> Option<f64> {
        while let Some(c) = self.chunks.get(self.chunk) {
            if let Some(&t) = c.time.get(self.row) {
                return Some(t);
            }
            self.chunk += 1;
            self.row = 0;
        }
        None
    }

    /// The next record's time in seconds, like `peek_seconds`, without moving past exhausted
    /// chunks (for looking ahead through a shared reference).
    pub fn next_seconds(&self) -> Option<f64> {
        self.chunks[self.chunk.min(self.chunks.len())..].iter().enumerate().find_map(|(i, c)| c.time.get(if i == 0 { self.row } else { 0 }).copied())
    }

    /// (chunks fully read, row within the next one): what the bindings keep between calls.
    pub fn position(&self) -> (usize, usize) {
        (self.chunk, self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looking_ahead_sees_what_peeking_sees() {
        let (a, b, key): (&[f64], &[f64], &[i64]) = (&[1.0, 2.0], &[3.0], &[0, 0]);
        let chunk = |time| RecordRows { time, key, failures: None, first_id: 0 };
        for (chunks, row) in [(vec![chunk(a), chunk(b)], 0), (vec![chunk(a), chunk(b)], 1), (vec![chunk(a), chunk(b)], 2), (vec![chunk(&[]), chunk(b)], 0), (vec![chunk(a)], 2), (vec![], 0)] {
            let mut c = RecordCursor::new(chunks, row);
            let ahead = c.next_seconds();
            assert_eq!(ahead, c.peek_seconds(), "row {row}");
            assert_eq!(ahead, c.next_seconds());
        }
    }

    fn rows<'a>(time: &'a [f64], function: &'a [i64], duration: &'a [f64]) -> Rows<'a> {
        Rows { time, function, duration, invocation_type: None, failures: None, first_id: 0 }
    }

    #[test]
    fn validation_names_the_column_and_first_bad_row() {
        let f = [0, 0, 0];
        let d = [0.1, 0.1, 0.1];
        let e = rows(&[0.0, 2.0, 1.0], &f, &d).validate(1, 0, 0.0).unwrap_err();
        assert!(matches!(e, Error::Workload { column: "time", row: 2, .. }), "{e}");
        let e = rows(&[0.0, f64::NAN, 1.0], &f, &d).validate(1, 0, 0.0).unwrap_err();
        assert!(matches!(e, Error::Workload { column: "time", row: 1, .. }), "{e}");
        let e = rows(&[0.0, 1.0, 1.0], &[0, 1, 0], &d).validate(1, 0, 0.0).unwrap_err();
        assert!(matches!(e, Error::Workload { column: "function", row: 1, .. }), "{e}");
        let e = rows(&[0.0, 1.0, 1.0], &f, &[0.0, 0.0, -1.0]).validate(1, 0, 0.0).unwrap_err();
        assert!(matches!(e, Error::Workload { column: "duration", row: 2, .. }), "{e}");
        let e = rows(&[0.0, 1.0], &f, &d).validate(1, 0, 0.0).unwrap_err();
        assert!(matches!(e, Error::Workload { column: "function", .. }), "{e}");
        let e = rows(&[1.0], &[0], &[0.0]).validate(1, 2_000_000, 2.0).unwrap_err();
        assert!(matches!(e, Error::Workload { column: "time", row: 0, .. }), "{e}");
        assert_eq!(rows(&[0.0, 1.0, 1.5], &f, &d).validate(1, 0, 0.0), Ok(1_500_000));
    }

    #[test]
    fn cursor_walks_chunks_in_order() {
        let (t1, f1, d1) = ([0.0, 1.0], [0, 0], [0.5, 0.5]);
        let (t2, f2, d2) = ([2.0], [0], [0.25]);
        let a = Rows { first_id: 0, ..rows(&t1, &f1, &d1) };
        let b = Rows { first_id: 2, ..rows(&t2, &f2, &d2) };
        let mut c = Cursor::new(vec![a, b], 1);
        let seen: Vec<_> = c.by_ref().map(|x| (x.request, x.time, x.duration)).collect();
        assert_eq!(seen, vec![(1, 1_000_000, 500_000), (2, 2_000_000, 250_000)]);
        assert_eq!(c.position(), (2, 0));
    }
}

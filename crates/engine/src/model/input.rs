//! Inputs as the caller gives them (workload rows, and records of event sources): borrowed
//! columns, and the checks a chunk passes when it is submitted (the engine checks its own copy,
//! `inbox`), and the arrivals and entries the engine turns rows into.

use super::codes::{EVENT, REQUEST_RESPONSE};
use super::error::Error;
use super::limits::FAILURES;
use crate::primitives::time::{check_seconds, to_micros, Micros, MAX_SECONDS};

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

/// One submitted chunk of workload rows. `invocation_type` and `failures` may be absent
/// (all request-response; no failures).
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    pub time: &'a [f64],
    pub function: &'a [i64],
    pub duration: &'a [f64],
    pub invocation_type: Option<&'a [u8]>,
    pub failures: Option<&'a [i64]>,
    /// Rows whose payload is above Invoke's limit (§14; Python decides which): absent, none.
    pub too_large: Option<&'a [bool]>,
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
            ("payload_bytes", self.too_large.map(<[bool]>::len)),
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
}

/// One workload row as a caller gives it, outside any column (`Engine::submit_one`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneRow {
    pub time: f64,
    pub function: i64,
    pub duration: f64,
    pub invocation_type: u8,
    pub failures: i64,
    pub too_large: bool,
}

impl OneRow {
    /// The row as `Rows` of one, to check as any chunk is checked.
    pub fn check(&self, n_functions: usize, not_before: Micros, not_before_s: f64) -> Result<Micros, Error> {
        let rows = Rows {
            time: std::slice::from_ref(&self.time),
            function: std::slice::from_ref(&self.function),
            duration: std::slice::from_ref(&self.duration),
            invocation_type: Some(std::slice::from_ref(&self.invocation_type)),
            failures: Some(std::slice::from_ref(&self.failures)),
            too_large: Some(std::slice::from_ref(&self.too_large)),
        };
        rows.validate(n_functions, not_before, not_before_s)
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
    /// Its payload is above Invoke's limit (§14): refused at once.
    pub too_large: bool,
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

/// One chunk of an event source's records as given (borrowed columns, like `Rows`).
#[derive(Debug, Clone, Copy)]
pub struct RecordRows<'a> {
    pub time: &'a [f64],
    pub key: &'a [i64],
    pub failures: Option<&'a [i64]>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rows<'a>(time: &'a [f64], function: &'a [i64], duration: &'a [f64]) -> Rows<'a> {
        Rows { time, function, duration, invocation_type: None, failures: None, too_large: None }
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
}

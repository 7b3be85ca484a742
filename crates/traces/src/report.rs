//! Lambda's REPORT log lines (`REPORT RequestId: … Duration: 12.34 ms Billed Duration: 13 ms
//! Memory Size: 128 MB Max Memory Used: 70 MB Init Duration: 150.00 ms`) into columns.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::csv::number_value;
use crate::Text;

/// The REPORT lines of a log, one row each, in file order.
#[derive(Debug, Clone, Default)]
pub struct Reports {
    /// The event's timestamp (milliseconds since the epoch): when the invocation ended.
    pub timestamp_ms: Vec<f64>,
    pub duration_ms: Vec<f64>,
    /// NaN when the line has no Billed Duration
    pub billed_ms: Vec<f64>,
    /// 0 when the line has no Memory Size
    pub memory_mb: Vec<u32>,
    /// 0 when the line has no Max Memory Used
    pub max_memory_mb: Vec<u32>,
    /// NaN for a warm start: only a cold start reports an Init Duration
    pub init_ms: Vec<f64>,
    /// the log stream (one execution environment) as a code into `streams`; u32::MAX unknown
    pub stream: Vec<u32>,
    pub streams: Text,
    /// 1 where the line says `Status: timeout`
    pub timed_out: Vec<u8>,
}

/// Where a REPORT message starts in a line.
pub(crate) const REPORT: &[u8] = b"REPORT RequestId:";

/// The searchers of the labels, built once: building one costs more than a search.
pub(crate) static FIND_REPORT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(REPORT));
static FIND_DURATION: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"Duration: "));
static FIND_MAX_MEMORY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"Max Memory Used: "));
static FIND_MEMORY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"Memory Size: "));
static FIND_TIMEOUT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"Status: timeout"));

/// The unknown stream.
pub const NO_STREAM: u32 = u32::MAX;

/// The fields of one REPORT message.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Report {
    pub duration_ms: f64,
    pub billed_ms: f64,
    pub memory_mb: u32,
    pub max_memory_mb: u32,
    pub init_ms: f64,
    pub timed_out: bool,
}

/// A field's error: its byte offset in the message, its label and what is wrong.
pub(crate) type FieldError = (usize, &'static str, String);

/// Parses a REPORT message (from `REPORT RequestId:` on). Fields are separated by tabs or, in
/// exports that turned tabs into spaces, found by their labels.
pub(crate) fn parse(message: &[u8]) -> Result<Report, FieldError> {
    let mut r = Report { billed_ms: f64::NAN, init_ms: f64::NAN, ..Report::default() };
    let mut duration = None;
    for at in FIND_DURATION.find_iter(message) {
        let before = &message[..at];
        let value_at = at + b"Duration: ".len();
        let (label, slot): (&'static str, &mut f64) = if before.ends_with(b"Billed ") {
            ("Billed Duration", &mut r.billed_ms)
        } else if before.ends_with(b"Init ") {
            ("Init Duration", &mut r.init_ms)
        } else if before.ends_with(b"Restore ") {
            continue; // SnapStart's restore: the handler's Duration is reported beside it
        } else {
            duration = Some(value_at);
            ("Duration", &mut r.duration_ms)
        };
        *slot = quantity(message, value_at, label, b"ms")?;
    }
    if duration.is_none() {
        return Err((0, "Duration", "a REPORT line without a Duration".into()));
    }
    if let Some(at) = FIND_MAX_MEMORY.find(message) {
        r.max_memory_mb = whole(message, at + b"Max Memory Used: ".len(), "Max Memory Used")?;
    }
    if let Some(at) = FIND_MEMORY.find(message) {
        r.memory_mb = whole(message, at + b"Memory Size: ".len(), "Memory Size")?;
    }
    r.timed_out = FIND_TIMEOUT.find(message).is_some();
    Ok(r)
}

/// The number at `at` and the unit after it, which must be `unit`.
fn quantity(message: &[u8], at: usize, label: &'static str, unit: &[u8]) -> Result<f64, FieldError> {
    let rest = &message[at..];
    let end = rest.iter().position(|&c| c == b' ' || c == b'\t').unwrap_or(rest.len());
    let value = number_value(&rest[..end]).map_err(|m| (at, label, m))?;
    let after = &rest[end..];
    let after = after.strip_prefix(b" ").unwrap_or(after);
    let unit_end = after.iter().position(|&c| c == b' ' || c == b'\t').unwrap_or(after.len());
    if &after[..unit_end] != unit {
        let got = String::from_utf8_lossy(&after[..unit_end]).into_owned();
        return Err((at, label, format!(
            "the unit is '{got}', {} was expected", String::from_utf8_lossy(unit))));
    }
    Ok(value)
}

fn whole(message: &[u8], at: usize, label: &'static str) -> Result<u32, FieldError> {
    let x = quantity(message, at, label, b"MB")?;
    if x < 0.0 || x.fract() != 0.0 || x > f64::from(u32::MAX) {
        return Err((at, label, format!("{x} MB is not a whole number of megabytes")));
    }
    Ok(x as u32)
}

impl Reports {
    pub(crate) fn push(&mut self, timestamp_ms: f64, report: &Report, stream: u32) {
        self.timestamp_ms.push(timestamp_ms);
        self.duration_ms.push(report.duration_ms);
        self.billed_ms.push(report.billed_ms);
        self.memory_mb.push(report.memory_mb);
        self.max_memory_mb.push(report.max_memory_mb);
        self.init_ms.push(report.init_ms);
        self.stream.push(stream);
        self.timed_out.push(u8::from(report.timed_out));
    }

    pub fn len(&self) -> usize {
        self.timestamp_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamp_ms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn cold_and_warm_lines() {
        let cold = b"REPORT RequestId: 8f5\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tInit Duration: 120.51 ms\t";
        let r = parse(cold).unwrap();
        assert_eq!((r.duration_ms, r.billed_ms, r.memory_mb, r.max_memory_mb, r.init_ms), (102.25, 103.0, 256, 70, 120.51));
        let warm = b"REPORT RequestId: 1 Duration: 2.04 ms Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 66 MB";
        let r = parse(warm).unwrap();
        assert!(r.init_ms.is_nan());
        assert_eq!(r.duration_ms, 2.04);
        assert!(parse(b"REPORT RequestId: 1 Billed Duration: 3 ms").is_err());
        let e = parse(b"REPORT RequestId: 1 Duration: 2.04 s").unwrap_err();
        assert_eq!(e.1, "Duration");
        assert!(e.2.contains("'s'"), "{}", e.2);
    }
}

//! Stream event sources (§7): streams, their mappings, and the lanes that carry each shard's
//! records to the function in order.
//!
//! A record's shard and lane come from its key's hash (`shard_and_lane`). Each lane is a FIFO of
//! records with at most one batch in flight: the current batch is the first `current.len`
//! records of the FIFO, and the halves a bisection left to run next are the records right
//! behind it (halves stay contiguous and in order, so a batch never needs its own list). The
//! engine's verbs on lanes (records arriving, polls, windows, retries, batch ends) are in
//! `lanes.rs`.

use std::collections::VecDeque;

use crate::error::Error;
use crate::invocations::NEVER;
use crate::time::{to_micros, Micros};

/// How a record ended; the integer values are `lambda_core.RecordOutcome`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordOutcome {
    Pending = 0,
    Processed = 1,
    RetryAttemptsExhausted = 2,
    RecordAgeExceeded = 3,
    Expired = 4,
    DeadLettered = 5,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Kinesis,
    DynamoDb,
}

impl StreamKind {
    /// How often an idle lane polls its shard (§7).
    pub fn poll_interval_us(self) -> Micros {
        match self {
            StreamKind::Kinesis => 1_000_000,
            StreamKind::DynamoDb => 250_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    pub kind: StreamKind,
    pub shards: u32,
    pub retention_us: Micros,
}

/// One event-source mapping of a stream (validated in Python).
#[derive(Debug, Clone, PartialEq)]
pub struct MappingConfig {
    pub stream: u32,
    pub function: u32,
    pub batch_size: u32,
    pub window_us: Micros,
    pub parallelization_factor: u32,
    /// `None`: retry until the records expire (AWS's −1).
    pub max_retry_attempts: Option<u32>,
    /// `None`: no limit (AWS's −1).
    pub max_record_age_us: Option<Micros>,
    pub bisect: bool,
    /// A destination index.
    pub on_failure: Option<u32>,
    /// A batch of n records runs `base_us + n × per_record_us`.
    pub base_us: Micros,
    pub per_record_us: Micros,
}

/// The SplitMix64 finaliser of a key (its two's-complement bits).
#[inline(always)]
pub fn key_hash(key: i64) -> u64 {
    let mut z = (key as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key's shard and lane, as Kinesis maps a key's hash onto the shards' equal hash-key ranges:
/// `shard = ⌊h·S / 2^64⌋`, and the lane splits the shard's range again by the position of `h`
/// within it: `lane = ⌊((h·S) mod 2^64)·P / 2^64⌋`. (Multiplications, not divisions: this runs
/// once per record.)
#[inline(always)]
pub fn shard_and_lane(key: i64, shards: u32, parallelization_factor: u32) -> (u32, u32) {
    let product = key_hash(key) as u128 * shards as u128;
    let shard = (product >> 64) as u32;
    let lane = ((product as u64 as u128 * parallelization_factor as u128) >> 64) as u32;
    (shard, lane)
}

/// One record waiting in a lane, or in its current batch.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub time: Micros,
    /// The record's index among its stream's records.
    pub id: u64,
    /// How many of the first invocations holding it fail.
    pub failures: u32,
}

/// A batch: the `len` records at the head of its lane (after the batches ahead of it).
/// Its records were always invoked together, so their attempts, start and end are the batch's.
/// `Batch::default()` is an empty batch never invoked.
#[derive(Debug, Clone, Copy)]
pub struct Batch {
    pub len: u32,
    /// Invocations of these records so far.
    pub attempts: u32,
    /// The largest `failures` among its records: an invocation fails while `attempts` (before
    /// it) is below this.
    pub max_failures: u32,
    /// Retries used after function errors, and throttles in a row (each backs off).
    pub retries: u32,
    pub throttles: u32,
    /// The last invocation's start and end (`NEVER` before the first).
    pub start: Micros,
    pub end: Micros,
}

impl Default for Batch {
    fn default() -> Self {
        Batch { len: 0, attempts: 0, max_failures: 0, retries: 0, throttles: 0, start: NEVER, end: NEVER }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneState {
    /// Nothing to do and no timer: a record arriving at t wakes it for a poll at the first poll
    /// instant k·I after t.
    Dormant,
    /// Records waiting; a poll is scheduled.
    Polling,
    /// Gathering records for the batching window (its deadline is `window_deadline`).
    Gathering,
    /// A batch in flight.
    Busy,
    /// A batch waiting for its retry (after a function error or a throttle).
    Waiting,
}

#[derive(Debug)]
pub struct Lane {
    pub mapping: u32,
    pub state: LaneState,
    /// Records not yet resolved, in arrival order; the current batch and bisection halves are
    /// at its head.
    pub fifo: VecDeque<Entry>,
    /// The batch in flight or waiting (`len` 0: none).
    pub current: Batch,
    /// Bisection halves waiting behind `current`, the next one last.
    pub halves: Vec<Batch>,
    pub window_deadline: Micros,
    /// Deadlines of batching-window timers that lost their purpose (the batch filled first);
    /// a lane timer firing at the front deadline is one of them. (They fire before any live
    /// timer of the lane at the same instant: they were scheduled earlier.)
    pub stale_windows: VecDeque<Micros>,
}

impl Lane {
    pub fn new(mapping: u32) -> Self {
        Lane {
            mapping,
            state: LaneState::Dormant,
            fifo: VecDeque::new(),
            current: Batch::default(),
            halves: Vec::new(),
            window_deadline: 0,
            stale_windows: VecDeque::new(),
        }
    }

    /// The largest `failures` among the records at FIFO positions `from..to` (a batch's).
    pub fn max_failures(&self, from: u32, to: u32) -> u32 {
        self.fifo.range(from as usize..to as usize).map(|e| e.failures).max().unwrap_or(0)
    }
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
}

impl MappingStats {
    /// Counts a record (or message) that leaves its source with `outcome`.
    #[inline]
    pub fn count_resolved(&mut self, outcome: RecordOutcome) {
        match outcome {
            RecordOutcome::Processed => self.records_processed += 1,
            RecordOutcome::Expired => self.records_expired += 1,
            _ => self.records_failed += 1,
        }
    }
}

/// A mapping's settings and state.
#[derive(Debug)]
pub struct Mapping {
    pub config: MappingConfig,
    pub poll_us: Micros,
    pub retention_us: Micros,
    pub shards: u32,
    /// Its lanes are `lanes[first_lane .. first_lane + shards × P]`, shard-major.
    pub first_lane: u32,
    pub running: u32,
    pub stats: MappingStats,
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
    /// and not before `not_before`; failures non-negative and below 2^32. Returns the last time.
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
        crate::workload::check_times(self.time, not_before, not_before_s)?;
        if let Some(failures) = self.failures {
            for (row, &x) in failures.iter().enumerate() {
                if !(0..=u32::MAX as i64).contains(&x) {
                    return Err(bad("failures", row, format!("{x} is not between 0 and {}", u32::MAX)));
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

    /// (chunks fully read, row within the next one): what the bindings keep between calls.
    pub fn position(&self) -> (usize, usize) {
        (self.chunk, self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_matches_the_documented_formula() {
        // SplitMix64 seeded with 0: its first output is the finaliser of 0
        assert_eq!(key_hash(0), 0xE220_A839_7B1D_CDAF);
        for key in [0i64, 1, -1, 42, i64::MAX, i64::MIN] {
            let h = key_hash(key) as u128;
            let (s, l) = shard_and_lane(key, 7, 3);
            assert_eq!(s as u128, (h * 7) >> 64);
            assert_eq!(l as u128, (((h * 7) as u64) as u128 * 3) >> 64);
            assert!(s < 7 && l < 3);
        }
    }

    #[test]
    fn shards_are_balanced() {
        let mut count = [0u32; 10];
        for key in 0..100_000 {
            count[shard_and_lane(key, 10, 1).0 as usize] += 1;
        }
        assert!(count.iter().all(|&c| (9_500..10_500).contains(&c)), "{count:?}");
    }
}

//! Duration's histograms (§10: its percentiles): what one period counted, per function and
//! for the account (every function's together, so that closing a period merges nothing), and
//! the handler times waiting to be counted.
//!
//! An end does not count its handler time at once: it appends it to its function's batch,
//! and a full batch is counted together. Counting at each end would reach into a different
//! function's histogram every time (a kilobyte each, a megabyte for a thousand functions, out
//! of cache); a batch reaches into one, whose lines then stay in cache for the batch, and the
//! appends write each function's batch in order.

use super::Stat;
use crate::primitives::grow::OutOfMemory;
use crate::primitives::histogram::{self, Histograms};

/// The percentiles kept: p50, p90, p99.
pub(super) const QS: [f64; 3] = [0.50, 0.90, 0.99];

/// Handler times a function's batch holds: 256 bytes.
pub(super) const BATCH: usize = 64;

/// The period being recorded: its counts, and per function its batch of handler times not
/// counted yet (how many, each function's figures keep: `FunctionMetrics::batched`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Durations {
    pub counts: Counts,
    /// Per function, `BATCH` slots.
    batches: Vec<u32>,
}

impl Durations {
    /// For functions whose handlers run at most `timeouts` (µs).
    pub fn new(timeouts: &[u64]) -> Result<Durations, OutOfMemory> {
        let n = timeouts.len() * BATCH;
        let mut batches = Vec::new();
        batches.try_reserve_exact(n).map_err(|_| OutOfMemory { what: "duration batches", count: n as u64 })?;
        batches.resize(n, 0);
        Ok(Durations { counts: Counts::new(timeouts)?, batches })
    }

    /// Puts a handler time of `v` µs in slot `k` of `f`'s batch.
    #[inline(always)]
    pub fn put(&mut self, f: usize, k: usize, v: u64) {
        // a handler runs at most 900 s < 2^32 µs
        self.batches[f * BATCH + k] = v.min(u64::from(u32::MAX)) as u32;
    }

    /// Counts the first `n` handler times of `f`'s batch, in `s` (its statistics) too.
    #[cold]
    #[inline(never)]
    pub fn count(&mut self, f: usize, n: usize, s: &mut Stat) {
        let batch = &self.batches[f * BATCH..f * BATCH + n];
        let account = &mut self.counts.account;
        let (mut sum, mut min, mut max) = (0, u32::MAX, 0);
        self.counts.functions.add_all(f, batch, |v, b| {
            if let Some(n) = account.get_mut(b) {
                *n += 1;
            }
            sum += u64::from(v);
            (min, max) = (min.min(v), max.max(v));
        });
        s.count += n as u64;
        // µs: a period's sum would need 584,000 years of handler time to wrap
        s.sum = s.sum.wrapping_add(sum);
        if n > 0 {
            (s.min, s.max) = (s.min.min(u64::from(min)), s.max.max(u64::from(max)));
        }
    }
}

/// What a period counted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    functions: Histograms,
    /// The account's counts, per bucket (as long as the longest function's).
    account: Vec<u64>,
}

impl Counts {
    /// Histograms of functions whose handlers run at most `timeouts` (µs).
    pub fn new(timeouts: &[u64]) -> Result<Counts, OutOfMemory> {
        let buckets = timeouts.iter().map(|&t| Histograms::buckets(t)).max().unwrap_or(0);
        Ok(Counts { functions: Histograms::new(timeouts)?, account: vec![0; buckets] })
    }

    /// Function `f`'s percentiles (`QS`, µs), `s` its statistics; NaN without an end.
    pub fn function(&self, f: usize, s: &Stat) -> [f64; 3] {
        self.functions.percentiles(f, s.count, QS, s.min, s.max).unwrap_or([f64::NAN; 3])
    }

    /// The account's percentiles, `all` the statistics of every function together.
    pub fn account(&self, all: &Stat) -> [f64; 3] {
        quantiles(self.account_buckets(), all)
    }

    /// Function `f`'s buckets with a count, in order, `s` its statistics.
    pub fn buckets(&self, f: usize, s: &Stat) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.functions.iter(f, s.min, s.max)
    }

    /// The account's buckets with a count, in order (all of them read: a few thousand, once
    /// a period, against the functions' figures a period copies).
    pub fn account_buckets(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.account.iter().enumerate().filter(|(_, &n)| n > 0).map(|(b, &n)| (b, n))
    }

    /// Forgets function `f`'s counts, `s` its statistics.
    pub fn clear_function(&mut self, f: usize, s: &Stat) {
        self.functions.clear(f, s.min, s.max);
    }

    /// Forgets the account's counts.
    pub fn clear_account(&mut self) {
        self.account.fill(0);
    }
}

/// Duration's quantiles (`QS`, µs) of buckets with their exact statistics; NaN without a value.
pub(super) fn quantiles(buckets: impl Iterator<Item = (usize, u64)>, s: &Stat) -> [f64; 3] {
    histogram::percentiles(buckets, s.count, QS, s.min, s.max).unwrap_or([f64::NAN; 3])
}

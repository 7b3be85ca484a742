//! A log-linear histogram of non-negative integers (durations in µs): values below 128 have a
//! bucket each; above, each power of two is split into 64 buckets, so that a bucket is at most
//! 1/64 of its values wide and its midpoint is within 0.8 % of every value in it. 64 bits of
//! value need at most `BUCKETS` buckets; durations the engine sees (≤ 900 s) need about 1600.
//!
//! `Dense` counts into one array (the period being recorded); `percentile` reads any sequence
//! of (bucket, count) in bucket order (a dense array, or the sparse rows a closed period is
//! compacted into).

use super::grow::Grow;

/// Sub-buckets per power of two (the precision), as a power of two.
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;

/// Buckets needed for any u64.
pub const BUCKETS: usize = ((64 - SUB_BITS) as usize + 1) * SUB as usize;

/// The bucket of `v`.
#[inline(always)]
pub fn bucket(v: u64) -> usize {
    if v < 2 * SUB {
        return v as usize;
    }
    let e = 63 - v.leading_zeros(); // v in [2^e, 2^(e+1)), e ≥ 7
    let shift = e - SUB_BITS;
    // the top SUB_BITS + 1 bits of v: in [SUB, 2·SUB)
    ((shift as usize) << SUB_BITS) + (v >> shift) as usize
}

/// The smallest value in bucket `b`, and its width.
pub fn bounds(b: usize) -> (u64, u64) {
    if b < 2 * SUB as usize {
        return (b as u64, 1);
    }
    let shift = (b >> SUB_BITS) as u32 - 1;
    let top = (b as u64 & (SUB - 1)) + SUB;
    (top << shift, 1 << shift)
}

/// The value a bucket stands for: its midpoint.
pub fn midpoint(b: usize) -> f64 {
    let (lo, width) = bounds(b);
    lo as f64 + (width - 1) as f64 / 2.0
}

/// The nearest-rank `q`-quantile (0 < q ≤ 1) of the values counted by `buckets` (ascending
/// bucket order, `total` values in all), as its bucket's midpoint clamped to [`min`, `max`]
/// (the exact extremes); `None` when nothing was counted.
pub fn percentile(buckets: impl Iterator<Item = (usize, u64)>, total: u64, q: f64, min: u64, max: u64) -> Option<f64> {
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (b, n) in buckets {
        seen += n;
        if seen >= rank {
            return Some(midpoint(b).clamp(min as f64, max as f64));
        }
    }
    Some(max as f64)
}

/// Counts in one array, with the range of buckets used (so that reading and clearing cost the
/// range, not the array).
#[derive(Debug, Clone)]
pub struct Dense {
    counts: Vec<u32>,
    lo: usize,
    hi: usize,
}

impl Default for Dense {
    fn default() -> Self {
        Dense { counts: Vec::new(), lo: usize::MAX, hi: 0 }
    }
}

impl Dense {
    #[inline(always)]
    pub fn add(&mut self, v: u64) {
        let b = bucket(v);
        if b >= self.counts.len() {
            self.counts.room_for(b + 1 - self.counts.len(), "duration histogram buckets");
            self.counts.resize(b + 1, 0);
        }
        // a u32 count per bucket: a period with 2^32 values in one bucket saturates it
        self.counts[b] = self.counts[b].saturating_add(1);
        self.lo = self.lo.min(b);
        self.hi = self.hi.max(b);
    }

    /// The buckets used, in order, with their counts.
    pub fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let range = if self.lo <= self.hi { self.lo..self.hi + 1 } else { 0..0 };
        range.filter(|&b| self.counts[b] > 0).map(|b| (b, u64::from(self.counts[b])))
    }

    pub fn clear(&mut self) {
        if self.lo <= self.hi {
            self.counts[self.lo..=self.hi].fill(0);
        }
        *self = Dense { counts: std::mem::take(&mut self.counts), ..Dense::default() };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_narrow() {
        let mut last = 0;
        for v in (0..5000u64).chain((1..60).map(|e| (1u64 << e) + 12345 % (1u64 << e))).chain([u64::MAX]) {
            let b = bucket(v);
            let (lo, width) = bounds(b);
            assert!(lo <= v && v - lo < width, "{v} not in bucket {b} = [{lo}, +{width})");
            assert!(width == 1 || (width as f64) / (lo as f64) <= 1.0 / SUB as f64 + 1e-12);
            assert!((midpoint(b) - v as f64).abs() <= 0.008 * v as f64 + 0.5);
            assert!(b < BUCKETS);
        }
        for v in 0..100_000u64 {
            let b = bucket(v);
            assert!(b == last || b == last + 1, "gap at {v}");
            last = b;
        }
        assert_eq!(bucket(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn percentiles_are_nearest_rank_within_a_bucket() {
        let mut h = Dense::default();
        let values: Vec<u64> = (1..=1000).map(|i| i * 997).collect();
        for &v in &values {
            h.add(v);
        }
        for q in [0.5, 0.9, 0.99, 1.0] {
            let exact = values[((q * 1000.0_f64).ceil() as usize) - 1] as f64;
            let got = percentile(h.iter(), 1000, q, 997, 997_000).unwrap();
            assert!((got - exact).abs() <= 0.008 * exact, "q={q}: {got} vs {exact}");
        }
        assert_eq!(percentile(std::iter::empty(), 0, 0.5, 0, 0), None);
        h.clear();
        assert_eq!(h.iter().count(), 0);
        h.add(5);
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(5, 1)]);
    }
}

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

/// The nearest-rank quantiles `qs` (each 0 < q ≤ 1, ascending) of the values counted by
/// `buckets` (ascending bucket order, `total` values in all), each as its bucket's midpoint
/// clamped to [`min`, `max`] (the exact extremes), in one pass; `None` when nothing was counted.
pub fn percentiles<const N: usize>(buckets: impl Iterator<Item = (usize, u64)>, total: u64, qs: [f64; N], min: u64, max: u64) -> Option<[f64; N]> {
    if total == 0 {
        return None;
    }
    let ranks = qs.map(|q| ((q * total as f64).ceil() as u64).clamp(1, total));
    let mut out = [max as f64; N];
    let (mut seen, mut next) = (0, 0);
    for (b, n) in buckets {
        seen += n;
        while next < N && seen >= ranks[next] {
            out[next] = midpoint(b).clamp(min as f64, max as f64);
            next += 1;
        }
        if next == N {
            break;
        }
    }
    Some(out)
}

/// Counts in one array, as long as the largest bucket used, with a bitmap of the buckets
/// used since the last `clear`: reading and clearing cost the buckets used, not the array (a
/// duration's buckets stop at its timeout's, about 1500 for 900 s). A count is a byte, its
/// carries (every 256th value) apart, so that the counts of many functions stay in cache.
#[derive(Debug, Clone, Default)]
pub struct Dense {
    counts: Vec<u8>,
    /// Per bucket, the values counted beyond `counts`, in 256s (empty until the first carry).
    carries: Vec<u64>,
    used: Vec<u64>,
}

impl Dense {
    #[cfg(test)]
    pub fn add(&mut self, v: u64) {
        self.add_bucket(bucket(v));
    }

    /// Asks for bucket `b`'s count (`add_bucket` soon after).
    #[inline(always)]
    pub fn prefetch(&self, b: usize) {
        // any address may be prefetched: no bounds check
        super::cache::prefetch(self.counts.as_ptr().wrapping_add(b), 1);
    }

    /// Counts one value of bucket `b` (`bucket(v)`).
    #[inline(always)]
    pub fn add_bucket(&mut self, b: usize) {
        if b >= self.counts.len() {
            self.grow_to(b);
        }
        let c = self.counts[b].wrapping_add(1);
        self.counts[b] = c;
        if c == 0 {
            self.carry(b);
        }
        self.used[b >> 6] |= 1 << (b & 63);
    }

    #[cold]
    #[inline(never)]
    fn carry(&mut self, b: usize) {
        if self.carries.len() < self.counts.len() {
            self.carries.room_for(self.counts.len() - self.carries.len(), "duration histogram buckets");
            self.carries.resize(self.counts.len(), 0);
        }
        self.carries[b] += 1;
    }

    #[cold]
    #[inline(never)]
    fn grow_to(&mut self, b: usize) {
        debug_assert!(b < BUCKETS);
        self.counts.room_for(b + 1 - self.counts.len(), "duration histogram buckets");
        self.counts.resize(b + 1, 0);
        let words = b / 64 + 1;
        self.used.room_for(words.saturating_sub(self.used.len()), "duration histogram buckets");
        self.used.resize(words, 0);
    }

    /// The buckets used, in order, with their counts.
    pub fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.used.iter().enumerate().flat_map(move |(w, &bits)| {
            let mut bits = bits;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some((b, self.count(b)))
            })
        })
    }

    fn count(&self, b: usize) -> u64 {
        u64::from(self.counts[b]) + self.carries.get(b).map_or(0, |c| c << 8)
    }

    pub fn clear(&mut self) {
        for w in 0..self.used.len() {
            let mut bits = std::mem::take(&mut self.used[w]);
            while bits != 0 {
                let b = w * 64 + bits.trailing_zeros() as usize;
                self.counts[b] = 0;
                if let Some(c) = self.carries.get_mut(b) {
                    *c = 0;
                }
                bits &= bits - 1;
            }
        }
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
        let qs = [0.001, 0.5, 0.9, 0.99, 1.0];
        let got = percentiles(h.iter(), 1000, qs, 997, 997_000).unwrap();
        for (q, got) in qs.into_iter().zip(got) {
            let exact = values[((q * 1000.0_f64).ceil() as usize) - 1] as f64;
            assert!((got - exact).abs() <= 0.008 * exact, "q={q}: {got} vs {exact}");
        }
        assert_eq!(percentiles(std::iter::empty(), 0, [0.5], 0, 0), None);
        h.clear();
        assert_eq!(h.iter().count(), 0);
        h.add(5);
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(5, 1)]);
        // counts carry past a byte
        for _ in 0..1000 {
            h.add(300);
        }
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(5, 1), (bucket(300), 1000)]);
        h.clear();
        h.add(300);
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(bucket(300), 1)]);
    }
}

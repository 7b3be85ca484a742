//! A log-linear histogram of non-negative integers (durations in µs): values below 128 have a
//! bucket each; above, each power of two is split into 64 buckets, so that a bucket is at most
//! 1/64 of its values wide and its midpoint is within 0.8 % of every value in it. 64 bits of
//! value need at most `BUCKETS` buckets; durations the engine sees (≤ 900 s) need about 1600.
//!
//! `Histograms` counts for many keys (functions) in one array; `percentiles` reads any
//! sequence of (bucket, count) in bucket order.

use super::grow::{Grow, OutOfMemory};

/// Sub-buckets per power of two (the precision), as a power of two.
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;

/// Buckets needed for any u64.
#[cfg(test)]
pub const BUCKETS: usize = ((64 - SUB_BITS) as usize + 1) * SUB as usize;

/// The bucket of `v`.
#[inline(always)]
pub fn bucket(v: u64) -> usize {
    // v in [2^e, 2^(e+1)); below 2·SUB (e < 7) the shift is 0 and the bucket is v itself
    let e = 63 - (v | 1).leading_zeros();
    let shift = e.max(SUB_BITS) - SUB_BITS;
    // above, the top SUB_BITS + 1 bits of v: in [SUB, 2·SUB)
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
    let ranks = ranks(total, qs)?;
    let mut out = [max as f64; N];
    let (mut seen, mut next) = (0, 0);
    for (b, n) in buckets {
        seen += n;
        while next < N && seen >= ranks[next] {
            out[next] = value(b, min, max);
            next += 1;
        }
        if next == N {
            break;
        }
    }
    Some(out)
}

/// The nearest ranks (1-based) of quantiles `qs` among `total` values; `None` without a value.
fn ranks<const N: usize>(total: u64, qs: [f64; N]) -> Option<[u64; N]> {
    (total > 0).then(|| qs.map(|q| ((q * total as f64).ceil() as u64).clamp(1, total)))
}

/// What a quantile in bucket `b` is taken to be: its midpoint, within the exact extremes.
fn value(b: usize, min: u64, max: u64) -> f64 {
    midpoint(b).clamp(min as f64, max as f64)
}

/// One more carry of bucket `b` of a key with `buckets` buckets.
#[cold]
#[inline(never)]
fn carry(carries: &mut Vec<u64>, buckets: usize, b: usize) {
    if carries.is_empty() {
        carries.room_for(buckets, "duration histogram buckets");
        carries.resize(buckets, 0);
    }
    carries[b] += 1;
}

/// The sum of a word's eight bytes.
#[inline(always)]
fn byte_sum(w: u64) -> u64 {
    const PAIRS: u64 = 0x00FF_00FF_00FF_00FF;
    // four 16-bit sums of two bytes (≤ 510), then their sum in the top 16 bits (≤ 2040)
    let x = (w & PAIRS) + ((w >> 8) & PAIRS);
    x.wrapping_mul(0x0001_0001_0001_0001) >> 48
}

/// The histograms of many keys in one array, so that counting costs one offset and one byte:
/// key k counts values up to its maximum, in buckets [0, bucket(maximum)] (a value above it
/// counts in the top bucket). A count is a byte, so that the counts of many keys stay in
/// cache; its carries (every 256th value of a bucket) are kept apart, per key, from its first.
///
/// The caller keeps the exact extremes of what it counted into a key since its last `clear`
/// (its statistics need them anyway) and reads and clears the key within them: that costs the
/// buckets between the extremes, not the key's whole range.
#[derive(Debug, Clone, Default)]
pub struct Histograms {
    counts: Vec<u8>,
    /// Key k's buckets: `counts[offsets[k]..offsets[k + 1]]`.
    offsets: Vec<usize>,
    /// Per key, its buckets' values beyond `counts`, in 256s (empty until its first carry).
    carries: Vec<Vec<u64>>,
}

impl Histograms {
    /// Empty histograms of keys counting values up to `maxima`.
    pub fn new(maxima: &[u64]) -> Result<Histograms, OutOfMemory> {
        let mut offsets = Vec::new();
        let refused = |count: usize| OutOfMemory { what: "duration histogram buckets", count: count as u64 };
        offsets.try_reserve_exact(maxima.len() + 1).map_err(|_| refused(maxima.len() + 1))?;
        offsets.push(0);
        for &m in maxima {
            let end = offsets[offsets.len() - 1] + bucket(m) + 1;
            offsets.push(end);
        }
        let total = offsets[maxima.len()];
        let mut counts = Vec::new();
        counts.try_reserve_exact(total).map_err(|_| refused(total))?;
        counts.resize(total, 0);
        let mut carries = Vec::new();
        carries.try_reserve_exact(maxima.len()).map_err(|_| refused(maxima.len()))?;
        carries.resize(maxima.len(), Vec::new());
        Ok(Histograms { counts, offsets, carries })
    }

    /// Where key `k` counts `v`.
    #[inline(always)]
    fn index(&self, k: usize, v: u64) -> usize {
        let (start, end) = (self.offsets[k], self.offsets[k + 1]);
        (start + bucket(v)).min(end - 1)
    }

    /// Counts `values` for key `k`, telling `counted` each one with its bucket. Every line of
    /// the key's counts is asked for first, so that their cache misses overlap rather than
    /// come one after another as the values reach them.
    #[inline(always)]
    pub fn add_all(&mut self, k: usize, values: &[u32], mut counted: impl FnMut(u32, usize)) {
        let counts = &mut self.counts[self.offsets[k]..self.offsets[k + 1]];
        for line in counts.chunks(64) {
            super::cache::prefetch(line.as_ptr(), 1);
        }
        let n = counts.len();
        for &v in values {
            let b = bucket(u64::from(v)).min(n - 1);
            let Some(count) = counts.get_mut(b) else { continue };
            *count = count.wrapping_add(1);
            if *count == 0 {
                carry(&mut self.carries[k], n, b);
            }
            counted(v, b);
        }
    }

    /// Counts `v` for key `k` (a value above its maximum in its top bucket).
    #[cfg(test)]
    fn add(&mut self, k: usize, v: u64) {
        self.add_all(k, &[v as u32], |_, _| {});
    }

    /// Key `k`'s buckets of values in [`lo`, `hi`] (its extremes) with a count, in order, as
    /// (bucket, count); none when `lo > hi` (nothing counted).
    pub fn iter(&self, k: usize, lo: u64, hi: u64) -> impl Iterator<Item = (usize, u64)> + '_ {
        let (start, span) = self.span(k, lo, hi);
        let counts = &self.counts[start..start + span.len()];
        let carries = &self.carries[k];
        let first = span.start;
        let mut i = 0;
        std::iter::from_fn(move || {
            // without carries, a bucket counted nothing when its byte is 0: skip 8 at a time
            if carries.is_empty() {
                while let Some(word) = counts.get(i..i + 8) {
                    if word != [0; 8] {
                        break;
                    }
                    i += 8;
                }
            }
            while i < counts.len() {
                let (b, byte) = (first + i, counts[i]);
                i += 1;
                let n = u64::from(byte) + carries.get(b).map_or(0, |c| c << 8);
                if n > 0 {
                    return Some((b, n));
                }
            }
            None
        })
    }

    /// `percentiles` of key `k`'s `total` values, all in [`min`, `max`] (its extremes), read
    /// eight buckets a word from the top: high quantiles lie a few buckets below the maximum,
    /// where a log-linear histogram of durations has few buckets per value, while its low
    /// buckets (a power of two every 64) stretch far below the median.
    pub fn percentiles<const N: usize>(&self, k: usize, total: u64, qs: [f64; N], min: u64, max: u64) -> Option<[f64; N]> {
        if !self.carries[k].is_empty() {
            return percentiles(self.iter(k, min, max), total, qs, min, max);
        }
        let ranks = ranks(total, qs)?;
        let (start, span) = self.span(k, min, max);
        let counts = &self.counts[start..start + span.len()];
        // rank r is in the first bucket, from the top, with total − r + 1 values at or above it
        let mut out = [max as f64; N];
        let (mut seen, mut next, mut end) = (0, 0, counts.len());
        while next < N && end > 0 {
            let target = total - ranks[N - 1 - next] + 1;
            // whole words while the next rank lies below them
            while end >= 8 {
                let word = &counts[end - 8..end];
                let n = byte_sum(u64::from_le_bytes(word.try_into().expect("8 bytes")));
                if seen + n >= target {
                    break;
                }
                seen += n;
                end -= 8;
            }
            if end == 0 {
                break; // fewer values than `total` said: the rest stay at `max`
            }
            end -= 1;
            seen += u64::from(counts[end]);
            while next < N && seen > total - ranks[N - 1 - next] {
                out[N - 1 - next] = value(span.start + end, min, max);
                next += 1;
            }
        }
        Some(out)
    }

    /// Forgets what key `k` counted, all of it in [`lo`, `hi`] (its extremes; none when `lo > hi`).
    pub fn clear(&mut self, k: usize, lo: u64, hi: u64) {
        let (start, span) = self.span(k, lo, hi);
        self.counts[start..start + span.len()].fill(0);
        if let Some(c) = self.carries[k].get_mut(span) {
            c.fill(0);
        }
    }

    /// Where key `k`'s buckets of values in [`lo`, `hi`] start in `counts`, and their range.
    fn span(&self, k: usize, lo: u64, hi: u64) -> (usize, std::ops::Range<usize>) {
        if lo > hi {
            return (self.offsets[k], 0..0);
        }
        let (a, b) = (self.index(k, lo), self.index(k, hi));
        let start = self.offsets[k];
        (a, a - start..b + 1 - start)
    }

    /// The buckets a key counting values up to `max` has.
    pub fn buckets(max: u64) -> usize {
        bucket(max) + 1
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
        let mut h = Histograms::new(&[1_000_000]).unwrap();
        let values: Vec<u64> = (1..=1000).map(|i| i * 997).collect();
        for &v in &values {
            h.add(0, v);
        }
        let qs = [0.001, 0.5, 0.9, 0.99, 1.0];
        let got = percentiles(h.iter(0, 997, 997_000), 1000, qs, 997, 997_000).unwrap();
        for (q, got) in qs.into_iter().zip(got) {
            let exact = values[((q * 1000.0_f64).ceil() as usize) - 1] as f64;
            assert!((got - exact).abs() <= 0.008 * exact, "q={q}: {got} vs {exact}");
        }
        assert_eq!(percentiles(std::iter::empty(), 0, [0.5], 0, 0), None);
        h.clear(0, 997, 997_000);
        assert_eq!(h.iter(0, 0, 1_000_000).count(), 0);
    }

    #[test]
    fn keys_count_apart_and_carry_past_a_byte() {
        // key 1 sits between two others in the array: nothing leaks across its ends
        let mut h = Histograms::new(&[200, 5000, 10]).unwrap();
        assert_eq!(h.counts.len(), Histograms::buckets(200) + Histograms::buckets(5000) + Histograms::buckets(10));
        h.add(1, 5);
        h.add(1, 5000);
        for _ in 0..1000 {
            h.add(1, 300);
        }
        h.add(0, 200);
        h.add(2, 0);
        assert_eq!(h.iter(1, 5, 5000).collect::<Vec<_>>(), vec![(5, 1), (bucket(300), 1000), (bucket(5000), 1)]);
        assert_eq!(h.iter(0, 200, 200).collect::<Vec<_>>(), vec![(bucket(200), 1)]);
        assert_eq!(h.iter(2, 0, 0).collect::<Vec<_>>(), vec![(0, 1)]);
        // above its key's maximum: the top bucket
        h.add(2, 11);
        assert_eq!(h.iter(2, 0, 11).collect::<Vec<_>>(), vec![(0, 1), (bucket(10), 1)]);
        // nothing counted: an empty range
        assert_eq!(h.iter(1, u64::MAX, 0).count(), 0);
        h.clear(1, 5, 5000);
        assert_eq!(h.iter(1, 0, 5000).count(), 0);
        assert_eq!(h.iter(0, 0, 200).collect::<Vec<_>>(), vec![(bucket(200), 1)]);
        // the carries were cleared with the bytes
        h.add(1, 300);
        assert_eq!(h.iter(1, 300, 300).collect::<Vec<_>>(), vec![(bucket(300), 1)]);
    }

    #[test]
    fn word_at_a_time_percentiles_are_the_bucket_by_bucket_ones() {
        let mut rng = crate::primitives::rng::SplitMix64::new(3);
        for round in 0..200 {
            let max = 1 + rng.next_u64() % 10_000_000;
            let mut h = Histograms::new(&[7, max]).unwrap();
            let n = 1 + rng.next_u64() % if round % 10 == 0 { 5000 } else { 300 };
            let (mut lo, mut hi) = (u64::MAX, 0);
            for _ in 0..n {
                // clustered values, so that some buckets carry past a byte
                let v = if rng.next_u64().is_multiple_of(2) { max / 3 } else { rng.next_u64() % (max + 1) };
                h.add(1, v);
                (lo, hi) = (lo.min(v), hi.max(v));
            }
            let qs = [0.0001, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0];
            let slow = percentiles(h.iter(1, lo, hi), n, qs, lo, hi);
            assert_eq!(h.percentiles(1, n, qs, lo, hi), slow, "round {round}: {n} values up to {max}");
            // without carries too (the fast path), whatever the counts
            h.carries[1].clear();
            let total = h.iter(1, lo, hi).map(|(_, c)| c).sum();
            assert_eq!(h.percentiles(1, total, qs, lo, hi), percentiles(h.iter(1, lo, hi), total, qs, lo, hi));
        }
        assert_eq!(Histograms::new(&[9]).unwrap().percentiles(0, 0, [0.5], u64::MAX, 0), None);
    }

    #[test]
    fn a_word_sums_its_bytes() {
        for w in [0u64, u64::MAX, 0x0102_0304_0506_0708, 0xFF00_0000_0000_00FF] {
            assert_eq!(byte_sum(w), w.to_le_bytes().iter().map(|&b| u64::from(b)).sum::<u64>());
        }
    }

    #[test]
    fn reading_skips_empty_runs_but_finds_every_count() {
        let mut h = Histograms::new(&[1 << 30]).unwrap();
        let values = [0u64, 7, 8, 9, 127, 128, 4095, 4096, 65_537, 1 << 29, (1 << 30) - 1];
        for &v in &values {
            h.add(0, v);
        }
        let got: Vec<usize> = h.iter(0, 0, 1 << 30).map(|(b, n)| {
            assert_eq!(n, 1);
            b
        }).collect();
        assert_eq!(got, values.iter().map(|&v| bucket(v)).collect::<Vec<_>>());
        // a window narrower than what was counted reads only its buckets
        assert_eq!(h.iter(0, 8, 128).count(), 4);
    }
}

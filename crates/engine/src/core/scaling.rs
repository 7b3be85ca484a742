//! The scaling-rate token bucket (§4 step 4), exact in integers: the level is counted in
//! microseconds of refill, gains the elapsed microseconds, is capped at `burst × cost`, and a
//! token costs `cost` microseconds.

use crate::primitives::time::Micros;

#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    level: u64,
    capacity: u64,
    cost: u64,
    last: Micros,
}

impl TokenBucket {
    /// A full bucket of `burst` tokens refilled at one token per `cost_us`.
    pub fn new(burst: u64, cost_us: u64) -> Self {
        let capacity = burst * cost_us;
        TokenBucket { level: capacity, capacity, cost: cost_us, last: 0 }
    }

    /// Takes one token at `now` (non-decreasing between calls) if there is one.
    #[inline]
    pub fn try_take(&mut self, now: Micros) -> bool {
        let elapsed = now.saturating_sub(self.last);
        self.last = now;
        self.level = self.capacity.min(self.level.saturating_add(elapsed));
        if self.level >= self.cost {
            self.level -= self.cost;
            true
        } else {
            false
        }
    }

    /// Whole tokens available at `now` (for inspection; does not change the bucket).
    #[cfg(test)]
    pub fn tokens(&self, now: Micros) -> u64 {
        self.capacity.min(self.level.saturating_add(now.saturating_sub(self.last))) / self.cost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_full_and_refills_exactly() {
        let mut b = TokenBucket::new(1000, 10_000);
        for _ in 0..1000 {
            assert!(b.try_take(0));
        }
        assert!(!b.try_take(0));
        assert!(!b.try_take(9_999));
        assert!(b.try_take(10_000));
        assert!(!b.try_take(10_000));
        // a long pause refills to the capacity, never beyond
        assert_eq!(b.tokens(1_000_000_000), 1000);
    }

    #[test]
    fn legacy_rate_is_500_per_minute() {
        let mut b = TokenBucket::new(3000, 120_000);
        for _ in 0..3000 {
            assert!(b.try_take(0));
        }
        assert!(!b.try_take(119_999));
        assert!(b.try_take(120_000));
        assert_eq!(b.tokens(60_000_000 + 120_000), 500);
    }
}

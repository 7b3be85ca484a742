//! The engine's random stream: SplitMix64 (Steele, Lea and Flood 2014), small, fast and fully
//! specified, so the reference model can reproduce every draw.

/// SplitMix64's finaliser: a bijection of 64-bit words that mixes every input bit into every
/// output bit (also the draws of §3.1, hashed from their coordinates).
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// A uniformly random part of `span`: `floor(u × span)` with `u` in [0, 1) on 53 bits,
    /// in exact integers.
    #[inline]
    pub fn part_of(&mut self, span: u64) -> u64 {
        (((self.next_u64() >> 11) as u128 * span as u128) >> 53) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_outputs_for_seed_zero() {
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn parts_stay_below_the_span() {
        let mut r = SplitMix64::new(7);
        for span in [0u64, 1, 1000, 20_000_000] {
            for _ in 0..1000 {
                let x = r.part_of(span);
                assert!(x < span.max(1));
            }
        }
    }
}

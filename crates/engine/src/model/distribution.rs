//! Durations drawn per environment (§3.1): keep-alives and init phases given as a fixed value
//! or a distribution, and the draw that picks one value from a 64-bit word.
//!
//! A draw is a pure function of `(seed, salt, environment number, instant)`, not a step of a
//! stream: its value cannot depend on the order events are processed in, on chunking, or on any
//! other consumer of randomness, and an oracle reproduces it from §3.1 alone.

use super::limits;
use crate::primitives::rng::mix;
use crate::primitives::time::Micros;

/// A duration: fixed, or drawn once per idle period or cold start (§3.1). Times in µs.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    Fixed(Micros),
    /// Uniform on the integer microseconds `lo..=hi`.
    Uniform { lo: Micros, hi: Micros },
    /// Each value equally likely (the inverse of a sample's empirical CDF); not empty.
    Empirical(Box<[Micros]>),
    /// `median × exp(σ z)`, `z` standard normal, rounded to µs and capped at `max`.
    LogNormal { median_us: f64, sigma: f64, max: Micros },
}

impl Dist {
    /// The value a word `h` draws (§3.1).
    pub fn sample(&self, h: u64) -> Micros {
        match self {
            Dist::Fixed(k) => *k,
            Dist::Uniform { lo, hi } => lo + part(h, hi - lo + 1),
            Dist::Empirical(values) => values[part(h, values.len() as u64) as usize],
            Dist::LogNormal { median_us, sigma, max } => {
                // 52 bits and a half: exact in an f64, and strictly inside (0, 1)
                let u = ((h >> 12) as f64 + 0.5) / (1u64 << 52) as f64;
                let x = median_us * (sigma * inverse_normal(u)).exp();
                // `as` saturates: a huge or infinite draw is `max`, never an overflow
                ((x + 0.5).floor() as Micros).min(*max)
            }
        }
    }

    /// The value when it is not drawn.
    pub fn fixed(&self) -> Option<Micros> {
        match self {
            Dist::Fixed(k) => Some(*k),
            _ => None,
        }
    }

    /// What the engine needs of it: values within the limit on seconds (§1), `lo ≤ hi`, a
    /// sample that is not empty, a finite median and σ ≥ 0.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Dist::Uniform { lo, hi } if lo > hi => return Err(format!("uniform: low {lo} µs above high {hi} µs")),
            Dist::Empirical(values) if values.is_empty() => return Err("empirical: no values".into()),
            Dist::LogNormal { median_us, sigma, .. } if !(median_us.is_finite() && *median_us >= 0.0 && sigma.is_finite() && *sigma >= 0.0) => {
                return Err(format!("log-normal: median {median_us} µs and sigma {sigma} must be finite and at least 0"))
            }
            _ => {}
        }
        match self.max() <= limits::SECONDS.max * 1_000_000 {
            true => Ok(()),
            false => Err(format!("a value above {} seconds", limits::SECONDS.max)),
        }
    }

    /// A value no draw is below.
    pub fn min(&self) -> Micros {
        match self {
            Dist::Fixed(k) => *k,
            Dist::Uniform { lo, .. } => *lo,
            Dist::Empirical(values) => values.iter().copied().min().unwrap_or(0),
            Dist::LogNormal { .. } => 0,
        }
    }

    /// The largest value it can draw.
    pub fn max(&self) -> Micros {
        match self {
            Dist::Fixed(k) => *k,
            Dist::Uniform { hi, .. } => *hi,
            Dist::Empirical(values) => values.iter().copied().max().unwrap_or(0),
            Dist::LogNormal { max, .. } => *max,
        }
    }
}

/// `⌊h · n / 2⁶⁴⌋`: a part of `n` in exact integers.
#[inline]
fn part(h: u64, n: u64) -> u64 {
    ((u128::from(h) * u128::from(n)) >> 64) as u64
}

/// The word of one draw: `mix(mix(mix(seed + salt) ^ c) ^ t)` (§3.1).
#[inline]
pub fn draw_word(seed: u64, salt: u64, c: u64, t: Micros) -> u64 {
    mix(mix(mix(seed.wrapping_add(salt)) ^ c) ^ t)
}

// AS 241's coefficients, lowest power first: A/B for |p − 0.5| ≤ 0.425, C/D for the tails
// to r = 5, E/F beyond.
const A: [f64; 8] = [3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087, 33430.57558358813, 2509.0809287301227];
const B: [f64; 8] = [1.0, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943, 5226.495278852854];
const C: [f64; 8] = [1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506, 0.022723844989269184, 0.0007745450142783414];
const D: [f64; 8] = [1.0, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-09];
const E: [f64; 8] = [6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-05, 2.0103343992922881e-07];
const F: [f64; 8] = [1.0, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 1.8463183175100548e-05, 1.421511758316446e-07, 2.0442631033899397e-15];

/// `c[7] r⁷ + … + c[0]` by Horner's rule, highest power first, as AS 241 writes it.
#[inline]
fn horner(c: &[f64; 8], r: f64) -> f64 {
    c[..7].iter().rev().fold(c[7], |acc, &k| acc * r + k)
}

/// Φ⁻¹(p) for 0 < p < 1: Wichura's algorithm AS 241 (PPND16), relative error about 10⁻¹⁶.
/// Every operation is the one AS 241 (and CPython's `NormalDist.inv_cdf`) performs, in the
/// same order, so an oracle in Python gets the same bits.
pub fn inverse_normal(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return horner(&A, r) * q / horner(&B, r);
    }
    let r = (-(if q <= 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let x = if r <= 5.0 { horner(&C, r - 1.6) / horner(&D, r - 1.6) } else { horner(&E, r - 5.0) / horner(&F, r - 5.0) };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_quantiles() {
        assert!((inverse_normal(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert!((inverse_normal(0.5)).abs() == 0.0);
        assert!((inverse_normal(1e-10) + 6.361_340_902_404_056).abs() < 1e-12);
        assert!((inverse_normal(0.1) + 1.281_551_565_544_600_5).abs() < 1e-15);
    }

    #[test]
    fn draws_stay_in_range_and_cover_it() {
        let u = Dist::Uniform { lo: 10, hi: 13 };
        let e = Dist::Empirical(vec![5, 7, 9].into_boxed_slice());
        let mut seen_u = [false; 4];
        let mut seen_e = [0u32; 3];
        for t in 0..1000u64 {
            let h = draw_word(1, 2, 3, t);
            seen_u[(u.sample(h) - 10) as usize] = true;
            seen_e[(e.sample(h) - 5) as usize / 2] += 1;
        }
        assert!(seen_u.iter().all(|&s| s));
        assert!(seen_e.iter().all(|&n| n > 250));
        assert_eq!(part(u64::MAX, 4), 3);
        assert_eq!(part(0, 4), 0);
    }

    #[test]
    fn log_normal_median_and_cap() {
        let d = Dist::LogNormal { median_us: 1e6, sigma: 0.5, max: 3_000_000 };
        let mut v: Vec<Micros> = (0..20_001u64).map(|t| d.sample(draw_word(0, 9, 1, t))).collect();
        v.sort_unstable();
        assert!((v[10_000] as f64 / 1e6 - 1.0).abs() < 0.02, "{}", v[10_000]);
        assert_eq!(*v.last().unwrap(), 3_000_000);
        assert_eq!(Dist::LogNormal { median_us: 1e6, sigma: 1e300, max: 7 }.sample(u64::MAX), 7);
    }
}

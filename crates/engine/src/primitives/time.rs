//! Time (§1): the API speaks seconds, the engine integer microseconds. Every input is rounded to
//! the nearest microsecond once, here, with ties away from zero (`f64::round`).

/// A point in simulated time or a span of it, in microseconds.
pub type Micros = u64;

/// "No time": an attempt that never started, an end not reached yet.
pub const NEVER: Micros = Micros::MAX;

/// Largest accepted time or duration in seconds (about 285 years): keeps every sum of times in
/// range of a `u64` and every value exact in an `f64` microsecond count (< 2^53).
pub const MAX_SECONDS: f64 = 9.0e9;

/// Seconds to microseconds. The caller has checked `0 <= seconds <= MAX_SECONDS`.
///
/// Same result as `(seconds * 1e6).round()` for these inputs, without the call to libm's
/// `round` (not inlined on baseline x86-64): `v - trunc(v)` is exact below 2^52.
#[inline]
pub fn to_micros(seconds: f64) -> Micros {
    let v = seconds * 1e6;
    // through i64: one instruction on x86-64 (f64 -> u64 takes a dozen); v < 2^63 here
    let whole = v as i64;
    (whole + (v - whole as f64 >= 0.5) as i64) as Micros
}

/// Microseconds to seconds, for output.
#[inline]
pub fn to_seconds(us: Micros) -> f64 {
    us as f64 / 1e6
}

/// Checks a seconds value for use as a time or duration: finite, non-negative, in range.
pub fn check_seconds(seconds: f64) -> Result<Micros, String> {
    if seconds.is_nan() {
        Err("value is NaN".to_string())
    } else if seconds < 0.0 {
        Err(format!("value {seconds} is negative"))
    } else if seconds > MAX_SECONDS {
        Err(format!("value {seconds} is larger than {MAX_SECONDS:e} seconds (or infinite)"))
    } else {
        Ok(to_micros(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_nearest_microsecond_ties_away() {
        assert_eq!(to_micros(0.0), 0);
        assert_eq!(to_micros(1.0), 1_000_000);
        assert_eq!(to_micros(0.0000004), 0);
        assert_eq!(to_micros(0.0000006), 1);
        assert_eq!(to_micros(0.0000025), 3); // 2.5 µs ties away from zero
        assert_eq!(to_micros(0.1), 100_000);
    }

    #[test]
    fn fast_rounding_agrees_with_f64_round() {
        let mut x = 0.0f64;
        for i in 0..200_000u64 {
            x += 0.000_000_137 * (1 + i % 7) as f64;
            assert_eq!(to_micros(x), (x * 1e6).round() as u64, "{x}");
            let y = x * 1e3;
            assert_eq!(to_micros(y), (y * 1e6).round() as u64, "{y}");
        }
        for x in [0.4999999999999999e-6, 0.5e-6, 1.5e-6, 2.5e-6, 123456.0000005, MAX_SECONDS] {
            assert_eq!(to_micros(x), (x * 1e6).round() as u64, "{x}");
        }
    }

    #[test]
    fn rejects_bad_seconds() {
        assert!(check_seconds(f64::NAN).is_err());
        assert!(check_seconds(-1e-9).is_err());
        assert!(check_seconds(f64::INFINITY).is_err());
        assert_eq!(check_seconds(2.5), Ok(2_500_000));
    }
}

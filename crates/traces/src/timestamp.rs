//! Timestamps of log lines: ISO 8601 (`2024-05-01T12:00:00.123Z`, `...+00:00`) or epoch
//! milliseconds, as milliseconds since the epoch.

/// Days from 1970-01-01 to the civil date (proleptic Gregorian; Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = s.get(at..at + n)?;
    part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |v, &c| v * 10 + i64::from(c - b'0')))
}

/// Milliseconds since the epoch of `token`: epoch milliseconds (10 to 16 digits: 13 is
/// today's), or an ISO 8601 date and time with an optional fraction and a `Z` or `±hh:mm`
/// offset (none: UTC). `None` when it is neither.
pub fn millis(token: &[u8]) -> Option<f64> {
    if (10..=16).contains(&token.len()) && token.iter().all(u8::is_ascii_digit) {
        return std::str::from_utf8(token).ok()?.parse::<f64>().ok();
    }
    let s = token;
    let (y, mo, d) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if s[4] != b'-' || s[7] != b'-' || !matches!(s.get(10), Some(b'T') | Some(b' ')) {
        return None;
    }
    let (h, mi, sec) = (digits(s, 11, 2)?, digits(s, 14, 2)?, digits(s, 17, 2)?);
    if s[13] != b':' || s[16] != b':' || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut fraction = 0.0;
    if s.get(i) == Some(&b'.') || s.get(i) == Some(&b',') {
        let start = i + 1;
        i = start;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let text = std::str::from_utf8(&s[start..i]).ok()?;
        fraction = format!("0.{text}").parse::<f64>().ok()?;
    }
    let offset_min = match s.get(i) {
        None => 0,
        Some(b'Z') | Some(b'z') if i + 1 == s.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(s, i + 1, 2)?;
            let om = match s.get(i + 3) {
                Some(b':') => digits(s, i + 4, 2)?,
                _ => digits(s, i + 3, 2)?,
            };
            let end = if s.get(i + 3) == Some(&b':') { i + 6 } else { i + 5 };
            if end != s.len() {
                return None;
            }
            (oh * 60 + om) * if sign == b'+' { 1 } else { -1 }
        }
        _ => return None,
    };
    let seconds = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    Some(seconds as f64 * 1000.0 + fraction * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::millis;

    #[test]
    fn formats() {
        assert_eq!(millis(b"1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(millis(b"2020-05-16T00:12:50.662Z"), Some(1_589_587_970_662.0));
        assert_eq!(millis(b"2020-05-16T02:12:50.662000+02:00"), Some(1_589_587_970_662.0));
        assert_eq!(millis(b"1589587970662"), Some(1_589_587_970_662.0));
        assert_eq!(millis(b"2020-13-16T00:12:50Z"), None);
        assert_eq!(millis(b"2020/05/16/[$LATEST]abc"), None);
        assert_eq!(millis(b"12"), None);
    }
}

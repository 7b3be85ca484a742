//! CSV records straight from one fixed buffer: fields are found in a single pass (commas and
//! newlines together), a quoted field may hold commas, quotes (`""`) and newlines.

use std::fs::File;
use std::path::Path;

use memchr::{memchr, memchr2, memchr_iter};

use crate::lines::{refill, BUFFER_BYTES};
use crate::Error;

/// A field of a record: its bytes' range in the record (without the quotes), and whether it
/// holds `""` (a quote) to unescape.
pub(crate) type Span = (usize, usize, bool);

enum Scan {
    /// A record of `end` bytes (without its line end) taking `used` bytes with it, over
    /// `lines` lines.
    Record { end: usize, used: usize, lines: u64 },
    /// The record goes on past the data read so far.
    More,
}

/// Calls `f(record, fields, line)` for every record of the CSV file at `path` (`line`:
/// 1-based, of its first line), reading through one buffer of [`BUFFER_BYTES`] (grown only for
/// a longer record). `f` stops the reading with an error.
pub(crate) fn for_each_record(path: &Path, mut f: impl FnMut(&[u8], &[Span], u64) -> Result<(), Error>) -> Result<(), Error> {
    let name = path.display().to_string();
    let mut file = File::open(path).map_err(|e| Error::io(&name, &e))?;
    let mut buf = vec![0u8; BUFFER_BYTES];
    let mut spans: Vec<Span> = Vec::new();
    let (mut start, mut end, mut line, mut eof) = (0usize, 0usize, 1u64, false);
    loop {
        let (used, lines) = records(&name, &buf[start..end], eof, line, &mut spans, &mut f)?;
        start += used;
        line += lines;
        if eof {
            return Ok(());
        }
        let n;
        (end, n) = refill(&mut file, &mut buf, start, end, &name)?;
        start = 0;
        eof = n == 0;
    }
}

/// Calls `f(record, fields, line)` for the records of `data`, which starts where a record
/// does (on line `line`), up to one that goes on past `data` (none with `eof`: nothing
/// follows `data`). Returns the bytes those records took and the lines they held.
pub(crate) fn records<F>(path: &str, data: &[u8], eof: bool, line: u64, spans: &mut Vec<Span>, f: &mut F) -> Result<(usize, u64), Error>
where
    F: FnMut(&[u8], &[Span], u64) -> Result<(), Error>,
{
    let (mut start, mut at) = (0usize, line);
    while start < data.len() {
        let rest = &data[start..];
        match scan(rest, eof, spans).map_err(|(k, m)| Error::row(path, at, k as u64 + 1, "", m))? {
            Scan::Record { end, used, lines } => {
                f(&rest[..end], spans, at)?;
                at += lines;
                start += used;
            }
            Scan::More => break,
        }
    }
    Ok((start, at - line))
}

/// The first record of `data` (`eof`: nothing follows it), its fields into `spans`: its length
/// without the line end and the bytes it takes with it; `None` when it goes on past `data`.
pub(crate) fn first_record(data: &[u8], eof: bool, spans: &mut Vec<Span>) -> Result<Option<(usize, usize)>, (usize, String)> {
    Ok(match scan(data, eof, spans)? {
        Scan::Record { end, used, .. } => Some((end, used)),
        Scan::More => None,
    })
}

/// The first record of `data` (`eof`: nothing follows it) into `spans`.
fn scan(data: &[u8], eof: bool, spans: &mut Vec<Span>) -> Result<Scan, (usize, String)> {
    spans.clear();
    let mut at = 0;
    let mut lines = 1;
    loop {
        if data.get(at) != Some(&b'"') {
            match memchr2(b',', b'\n', &data[at..]) {
                Some(k) if data[at + k] == b',' => {
                    spans.push((at, at + k, false));
                    at += k + 1;
                }
                Some(k) => {
                    let stop = at + k;
                    let e = if stop > at && data[stop - 1] == b'\r' { stop - 1 } else { stop };
                    spans.push((at, e, false));
                    return Ok(Scan::Record { end: e, used: stop + 1, lines });
                }
                None if eof => {
                    let e = if data.last() == Some(&b'\r') { data.len() - 1 } else { data.len() };
                    spans.push((at, e, false));
                    return Ok(Scan::Record { end: e, used: data.len(), lines });
                }
                None => return Ok(Scan::More),
            }
            continue;
        }
        let mut i = at + 1;
        let mut escaped = false;
        let q = loop {
            let Some(k) = memchr(b'"', &data[i..]) else {
                return if eof { Err((spans.len(), "a quoted field is not closed before the end of the file".into())) } else { Ok(Scan::More) };
            };
            let q = i + k;
            if q + 1 == data.len() && !eof {
                return Ok(Scan::More); // a quote at the end of the data read: `""` or the closing one
            }
            if data.get(q + 1) == Some(&b'"') {
                escaped = true;
                i = q + 2;
                continue;
            }
            break q;
        };
        lines += memchr_iter(b'\n', &data[at..q]).count() as u64;
        spans.push((at + 1, q, escaped));
        match data.get(q + 1) {
            None => return Ok(Scan::Record { end: q + 1, used: q + 1, lines }),
            Some(b',') => at = q + 2,
            Some(b'\n') => return Ok(Scan::Record { end: q + 1, used: q + 2, lines }),
            Some(b'\r') if data.get(q + 2) == Some(&b'\n') => return Ok(Scan::Record { end: q + 1, used: q + 3, lines }),
            Some(b'\r') if q + 2 == data.len() && !eof => return Ok(Scan::More),
            Some(&c) => {
                return Err((spans.len() - 1, format!("'{}' after the closing quote of a field (a comma was expected)", c as char)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<String> {
        let mut spans = Vec::new();
        let Ok(Scan::Record { end, .. }) = scan(text.as_bytes(), true, &mut spans) else { panic!("no record") };
        let record = &text.as_bytes()[..end];
        spans
            .iter()
            .map(|&(s, e, esc)| {
                let v = String::from_utf8(record[s..e].to_vec()).unwrap();
                if esc { v.replace("\"\"", "\"") } else { v }
            })
            .collect()
    }

    #[test]
    fn splits_quoted_and_empty_fields() {
        assert_eq!(fields("a,\"b,c\",,\"d\"\"e\"\nnext"), ["a", "b,c", "", "d\"e"]);
        assert_eq!(fields("x,\r\n"), ["x", ""]);
        assert_eq!(fields(""), [""]);
        assert_eq!(fields("\"two\nlines\",1"), ["two\nlines", "1"]);
        let mut spans = Vec::new();
        assert!(matches!(scan(b"a,\"open", false, &mut spans), Ok(Scan::More)));
        assert!(matches!(scan(b"a,b", false, &mut spans), Ok(Scan::More)));
        assert!(scan(b"a,\"open", true, &mut spans).is_err());
        assert!(matches!(scan(b"\"a\"\"\",\"b\nc\"\nx", true, &mut spans), Ok(Scan::Record { lines: 2, used: 12, .. })));
    }
}

//! CSV files with a header line (RFC 4180: `"` quotes a field, `""` is a quote in it, a quoted
//! field may hold commas and newlines), read into the columns a format asks for by name.

use std::path::Path;

use memchr::memchr;

use crate::lines::for_each_line;
use crate::{Error, Text};

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A decimal number (`f64`); surrounding spaces are ignored.
    Number,
    /// A number ≥ 0 (`f64`): a duration.
    Duration,
    /// A whole number 0 ..= 2^32 − 1.
    Count,
    /// `True`/`False` in any case, or `1`/`0`.
    Flag,
    /// Text, as codes into a [`Text`] dictionary.
    Text,
}

/// A column a format reads: its header name, kind and whether the file must have it.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

impl Spec {
    pub const fn required(name: &'static str, kind: Kind) -> Self {
        Spec { name, kind, required: true }
    }

    pub const fn optional(name: &'static str, kind: Kind) -> Self {
        Spec { name, kind, required: false }
    }
}

/// One column's values.
#[derive(Debug, Clone)]
pub enum Column {
    Number(Vec<f64>),
    Count(Vec<u32>),
    /// 1 for true, 0 for false
    Flag(Vec<u8>),
    Text(Vec<u32>, Text),
}

/// What [`read_csv`] read: per spec, its column (`None`: an optional column the file lacks);
/// with a matrix, the matrix columns' header names and their counts, row after row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Option<Column>>,
    pub matrix_names: Vec<String>,
    pub matrix: Vec<u32>,
    pub rows: usize,
}

/// What a field of a row is for.
#[derive(Clone, Copy)]
enum Use {
    Skip,
    Spec(usize),
    Matrix,
}

/// Reads the columns `specs` names from the CSV file at `path`. With `matrix_from`, the column
/// of that name and every column after it are read too, as counts, into [`Table::matrix`].
/// Blank lines are skipped. Every row must have the header's number of fields.
pub fn read_csv(path: &Path, specs: &[Spec], matrix_from: Option<&str>) -> Result<Table, Error> {
    let name = path.display().to_string();
    let mut reader: Option<Reader> = None;
    // a record whose quoted field goes on to the next line, and the line it starts on
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_line = 0u64;
    for_each_line(path, |line, number| {
        let Some(r) = reader.as_mut() else {
            reader = Some(Reader::new(&name, line, specs, matrix_from)?);
            return Ok(());
        };
        if !pending.is_empty() {
            pending.push(b'\n');
            pending.extend_from_slice(line);
            let record = std::mem::take(&mut pending);
            if !r.row(&record, pending_line)? {
                pending = record;
            }
            return Ok(());
        }
        if line.is_empty() {
            return Ok(());
        }
        if !r.row(line, number)? {
            pending.extend_from_slice(line);
            pending_line = number;
        }
        Ok(())
    })?;
    let Some(r) = reader else {
        return Err(Error::row(&name, 1, 1, "", "the file is empty: a header line was expected"));
    };
    if !pending.is_empty() {
        return Err(Error::row(&name, pending_line, 1, "", "a quoted field is not closed before the end of the file"));
    }
    Ok(r.table)
}

struct Reader<'a> {
    path: &'a str,
    header: Vec<String>,
    uses: Vec<Use>,
    table: Table,
    /// per spec, whether its values must be at least 0
    durations: Vec<bool>,
    /// the current record's fields: (start, end, holds `""`)
    spans: Vec<(usize, usize, bool)>,
    scratch: Vec<u8>,
}

impl<'a> Reader<'a> {
    fn new(path: &'a str, line: &[u8], specs: &[Spec], matrix_from: Option<&str>) -> Result<Self, Error> {
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        let mut spans = Vec::new();
        split(line, &mut spans).map_err(|(k, m)| Error::row(path, 1, k as u64 + 1, "", m))?;
        let header: Vec<String> = spans.iter().map(|&(s, e, _)| String::from_utf8_lossy(&line[s..e]).trim().to_owned()).collect();
        let mut uses = vec![Use::Skip; header.len()];
        let mut columns = Vec::with_capacity(specs.len());
        for (k, spec) in specs.iter().enumerate() {
            let found: Vec<usize> = (0..header.len()).filter(|&i| header[i] == spec.name).collect();
            match found[..] {
                [] if spec.required => {
                    return Err(Error::row(path, 1, 1, spec.name, format!(
                        "the header has no column '{}' (its columns: {})", spec.name, list(&header))));
                }
                [] => columns.push(None),
                [i] => {
                    uses[i] = Use::Spec(k);
                    columns.push(Some(match spec.kind {
                        Kind::Number | Kind::Duration => Column::Number(Vec::new()),
                        Kind::Count => Column::Count(Vec::new()),
                        Kind::Flag => Column::Flag(Vec::new()),
                        Kind::Text => Column::Text(Vec::new(), Text::default()),
                    }));
                }
                [_, i, ..] => {
                    return Err(Error::row(path, 1, i as u64 + 1, spec.name, format!(
                        "the header names column '{}' twice", spec.name)));
                }
            }
        }
        let mut matrix_names = Vec::new();
        if let Some(first) = matrix_from {
            let Some(at) = header.iter().position(|h| h == first) else {
                return Err(Error::row(path, 1, 1, first, format!(
                    "the header has no column '{first}' (its columns: {})", list(&header))));
            };
            for (i, u) in uses.iter_mut().enumerate().skip(at) {
                if let Use::Spec(_) = u {
                    return Err(Error::row(path, 1, i as u64 + 1, &header[i], "a named column among the per-period counts"));
                }
                *u = Use::Matrix;
                matrix_names.push(header[i].clone());
            }
        }
        let table = Table { columns, matrix_names, ..Table::default() };
        let durations = specs.iter().map(|s| s.kind == Kind::Duration).collect();
        Ok(Reader { path, header, uses, table, durations, spans, scratch: Vec::new() })
    }

    /// Reads one record into the columns; `false` (and nothing read) when a quoted field is
    /// not closed on this line, so that the record goes on to the next.
    fn row(&mut self, line: &[u8], number: u64) -> Result<bool, Error> {
        match split(line, &mut self.spans) {
            Ok(()) => {}
            Err((_, Unclosed)) => return Ok(false),
            Err((k, m)) => return Err(Error::row(self.path, number, k as u64 + 1, self.name(k), m)),
        }
        let n = self.spans.len();
        if n != self.header.len() {
            return Err(Error::row(self.path, number, n.min(self.header.len()) as u64, "", format!(
                "{n} field{}, but the header has {}", if n == 1 { "" } else { "s" }, self.header.len())));
        }
        for (i, &(start, end, escaped)) in self.spans.iter().enumerate() {
            let raw = &line[start..end];
            let result = match self.uses[i] {
                Use::Skip => continue,
                Use::Matrix => count(trim(raw)).map(|v| self.table.matrix.push(v)),
                Use::Spec(k) => {
                    let value: &[u8] = if escaped {
                        unescape(raw, &mut self.scratch);
                        &self.scratch
                    } else {
                        raw
                    };
                    match self.table.columns[k].as_mut() {
                        Some(Column::Number(v)) => number_value(trim(value)).and_then(|x| {
                            if x < 0.0 && self.durations[k] {
                                return Err(format!("{x} is negative: a duration is at least 0"));
                            }
                            v.push(x);
                            Ok(())
                        }),
                        Some(Column::Count(v)) => count(trim(value)).map(|x| v.push(x)),
                        Some(Column::Flag(v)) => flag(trim(value)).map(|x| v.push(x)),
                        Some(Column::Text(v, text)) => {
                            v.push(text.code(value));
                            Ok(())
                        }
                        None => Ok(()),
                    }
                }
            };
            result.map_err(|m| Error::row(self.path, number, i as u64 + 1, &self.header[i], m))?;
        }
        self.table.rows += 1;
        Ok(true)
    }

    fn name(&self, i: usize) -> &str {
        self.header.get(i).map(String::as_str).unwrap_or("")
    }
}

fn list(header: &[String]) -> String {
    let shown: Vec<String> = header.iter().take(12).map(|h| format!("'{h}'")).collect();
    let more = if header.len() > 12 { format!(" and {} more", header.len() - 12) } else { String::new() };
    shown.join(", ") + &more
}

/// Why a record could not be split, beside the field's index.
type SplitError = (usize, Message);

/// What is wrong in a record: a quoted field not closed on its line (it may go on to the
/// next), or another mistake.
#[derive(Debug)]
enum Message {
    Unclosed,
    Text(String),
}

use Message::Unclosed;

impl From<Message> for String {
    fn from(m: Message) -> String {
        match m {
            Unclosed => "a quoted field is not closed".into(),
            Message::Text(s) => s,
        }
    }
}

/// The fields of one record as `(start, end, holds "")` spans into it, without their quotes.
fn split(line: &[u8], spans: &mut Vec<(usize, usize, bool)>) -> Result<(), SplitError> {
    spans.clear();
    let mut at = 0;
    loop {
        if line.get(at) != Some(&b'"') {
            match memchr(b',', &line[at..]) {
                Some(k) => {
                    spans.push((at, at + k, false));
                    at += k + 1;
                }
                None => {
                    spans.push((at, line.len(), false));
                    return Ok(());
                }
            }
            continue;
        }
        let mut i = at + 1;
        let mut escaped = false;
        loop {
            let Some(k) = memchr(b'"', &line[i..]) else {
                return Err((spans.len(), Unclosed));
            };
            let q = i + k;
            if line.get(q + 1) == Some(&b'"') {
                escaped = true;
                i = q + 2;
                continue;
            }
            spans.push((at + 1, q, escaped));
            match line.get(q + 1) {
                None => return Ok(()),
                Some(b',') => at = q + 2,
                Some(&c) => {
                    return Err((spans.len() - 1, Message::Text(format!(
                        "'{}' after the closing quote of a field (a comma was expected)", c as char))));
                }
            }
            break;
        }
    }
}

fn unescape(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        out.push(raw[i]);
        i += if raw[i] == b'"' { 2 } else { 1 };
    }
}

pub(crate) fn trim(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(v.len());
    let end = v.iter().rposition(|&c| c != b' ' && c != b'\t').map_or(start, |e| e + 1);
    &v[start..end]
}

fn shown(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(v);
    if s.chars().count() > 40 {
        format!("'{}...'", s.chars().take(40).collect::<String>())
    } else {
        format!("'{s}'")
    }
}

/// A decimal number; NaN and the infinities are refused (no trace means them).
pub(crate) fn number_value(v: &[u8]) -> Result<f64, String> {
    if v.is_empty() {
        return Err("an empty value where a number was expected".into());
    }
    let parsed = fast_float2::parse::<f64, _>(v).ok();
    match parsed {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err(format!("{} is not a number", shown(v))),
    }
}

pub(crate) fn count(v: &[u8]) -> Result<u32, String> {
    if v.is_empty() || v.len() > 10 || !v.iter().all(u8::is_ascii_digit) {
        // "12.0" from a tool that wrote counts as floats is still a count
        if let Some(whole) = v.strip_suffix(b".0") {
            if !whole.is_empty() && whole.len() <= 10 && whole.iter().all(u8::is_ascii_digit) {
                return count(whole);
            }
        }
        return Err(format!("{} is not a whole number ≥ 0", shown(v)));
    }
    let n = v.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    u32::try_from(n).map_err(|_| format!("{} is above 4294967295", shown(v)))
}

fn flag(v: &[u8]) -> Result<u8, String> {
    match v {
        b"1" => Ok(1),
        b"0" => Ok(0),
        _ if v.eq_ignore_ascii_case(b"true") => Ok(1),
        _ if v.eq_ignore_ascii_case(b"false") => Ok(0),
        _ => Err(format!("{} is not True or False", shown(v))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Vec<String> {
        let mut spans = Vec::new();
        split(line.as_bytes(), &mut spans).unwrap();
        spans
            .iter()
            .map(|&(s, e, esc)| {
                let raw = &line.as_bytes()[s..e];
                let mut v = raw.to_vec();
                if esc {
                    unescape(raw, &mut v);
                }
                String::from_utf8(v).unwrap()
            })
            .collect()
    }

    #[test]
    fn splits_quoted_and_empty_fields() {
        assert_eq!(fields("a,\"b,c\",,\"d\"\"e\""), ["a", "b,c", "", "d\"e"]);
        assert_eq!(fields("x,"), ["x", ""]);
        assert_eq!(fields(""), [""]);
    }

    #[test]
    fn values() {
        assert_eq!(number_value(b"1.5e3"), Ok(1500.0));
        for text in ["0.078", "57.15786004066467", "-3.25", "1862.32", "0.1", "007.50", "123456789012345", "1.", ".5"] {
            assert_eq!(number_value(text.as_bytes()), Ok(text.parse::<f64>().unwrap()), "{text}");
        }
        assert!(number_value(b"-").is_err() && number_value(b"1.2.3").is_err());
        assert!(number_value(b"nan").is_err());
        assert_eq!(count(b"12"), Ok(12));
        assert_eq!(count(b"12.0"), Ok(12));
        assert!(count(b"-1").is_err());
        assert!(count(b"4294967296").is_err());
        assert_eq!(flag(b"True"), Ok(1));
        assert_eq!(trim(b"  7 "), b"7");
    }
}

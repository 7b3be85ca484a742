//! CSV files with a header line (RFC 4180: `"` quotes a field, `""` is a quote in it, a quoted
//! field may hold commas and newlines), read into the columns a format asks for by name.

use std::path::Path;

use crate::records::{for_each_record, Span};
use crate::{Error, Text};

pub use crate::parallel::{Threads, BLOCK_BYTES, MAX_THREADS};

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
    /// Row numbers (derived columns, never read from a file).
    Index(Vec<u64>),
}

impl Table {
    /// A table with the same columns, empty.
    pub(crate) fn empty_like(&self) -> Table {
        let columns = self.columns.iter().map(|c| c.as_ref().map(Column::empty_like)).collect();
        Table { columns, matrix_names: self.matrix_names.clone(), ..Table::default() }
    }

    /// Empties the columns, keeping their memory.
    pub(crate) fn clear(&mut self) {
        for column in self.columns.iter_mut().flatten() {
            match column {
                Column::Number(v) => v.clear(),
                Column::Count(v) => v.clear(),
                Column::Flag(v) => v.clear(),
                Column::Text(v, text) => {
                    v.clear();
                    text.clear();
                }
                Column::Index(v) => v.clear(),
            }
        }
        self.matrix.clear();
        self.rows = 0;
    }
}

impl Column {
    fn empty_like(&self) -> Column {
        match self {
            Column::Number(_) => Column::Number(Vec::new()),
            Column::Count(_) => Column::Count(Vec::new()),
            Column::Flag(_) => Column::Flag(Vec::new()),
            Column::Text(..) => Column::Text(Vec::new(), Text::default()),
            Column::Index(_) => Column::Index(Vec::new()),
        }
    }
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
/// Blank lines are skipped. Every row must have the header's number of fields. Reads on
/// [`Threads::default`]: the result, errors included, is the one-thread reader's.
pub fn read_csv(path: &Path, specs: &[Spec], matrix_from: Option<&str>) -> Result<Table, Error> {
    read_csv_on(path, specs, matrix_from, Threads::default())
}

/// [`read_csv`] on `threads`; [`Threads::ONE`] reads the file in one pass on this thread.
pub fn read_csv_on(path: &Path, specs: &[Spec], matrix_from: Option<&str>, threads: Threads) -> Result<Table, Error> {
    if threads.threads > 1 {
        if let Some(table) = crate::parallel::read_csv(path, specs, matrix_from, threads) {
            return table;
        }
    }
    let name = path.display().to_string();
    let mut reader: Option<Reader> = None;
    for_each_record(path, |record, spans, line| {
        match reader.as_mut() {
            None => reader = Some(Reader::new(&name, record, spans, specs, matrix_from)?),
            Some(_) if record.is_empty() => {} // a blank line
            Some(r) => r.row(record, spans, line)?,
        }
        Ok(())
    })?;
    reader.map(|r| r.table).ok_or_else(|| Error::row(&name, 1, 1, "", "the file is empty: a header line was expected"))
}

pub(crate) struct Reader<'a> {
    pub(crate) path: &'a str,
    header: Vec<String>,
    uses: Vec<Use>,
    pub(crate) table: Table,
    /// per spec, whether its values must be at least 0
    durations: Vec<bool>,
    scratch: Vec<u8>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(path: &'a str, line: &[u8], spans: &[Span], specs: &[Spec], matrix_from: Option<&str>) -> Result<Self, Error> {
        let header: Vec<String> = spans
            .iter()
            .map(|&(s, e, _)| {
                let name = String::from_utf8_lossy(&line[s..e]);
                name.trim_start_matches('\u{feff}').trim().to_owned()
            })
            .collect();
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
        Ok(Reader { path, header, uses, table, durations, scratch: Vec::new() })
    }

    /// The same reader with empty columns (text columns with empty dictionaries).
    pub(crate) fn empty(&self) -> Self {
        Reader {
            path: self.path,
            header: self.header.clone(),
            uses: self.uses.clone(),
            table: self.table.empty_like(),
            durations: self.durations.clone(),
            scratch: Vec::new(),
        }
    }

    /// Reads one record into the columns.
    pub(crate) fn row(&mut self, line: &[u8], spans: &[Span], number: u64) -> Result<(), Error> {
        let n = spans.len();
        if n != self.header.len() {
            return Err(Error::row(self.path, number, n.min(self.header.len()) as u64, "", format!(
                "{n} field{}, but the header has {}", if n == 1 { "" } else { "s" }, self.header.len())));
        }
        for (i, &(start, end, escaped)) in spans.iter().enumerate() {
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
                        Some(Column::Index(_)) | None => Ok(()),
                    }
                }
            };
            result.map_err(|m| Error::row(self.path, number, i as u64 + 1, &self.header[i], m))?;
        }
        self.table.rows += 1;
        Ok(())
    }
}

fn list(header: &[String]) -> String {
    let shown: Vec<String> = header.iter().take(12).map(|h| format!("'{h}'")).collect();
    let more = if header.len() > 12 { format!(" and {} more", header.len() - 12) } else { String::new() };
    shown.join(", ") + &more
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

//! The CSV formats, by the columns each reads (docs/replay.md).

use std::path::Path;

use crate::csv::{read_csv, Kind, Spec, Table};
use crate::Error;

use Kind::{Duration, Flag, Number, Text};

/// Azure Functions 2021 (`app,func,end_timestamp,duration`, seconds).
pub const AZURE2021: &[Spec] = &[
    Spec::required("app", Text),
    Spec::required("func", Text),
    Spec::required("end_timestamp", Number),
    Spec::required("duration", Duration),
];

/// Azure Functions 2019 invocation counts: the function's keys and trigger, then one count per
/// minute from column `1` on.
pub const AZURE2019_INVOCATIONS: &[Spec] = &[
    Spec::required("HashOwner", Text),
    Spec::required("HashApp", Text),
    Spec::required("HashFunction", Text),
    Spec::required("Trigger", Text),
];

/// Azure Functions 2019 durations (milliseconds): per function, the percentiles of its
/// execution time.
pub const AZURE2019_DURATIONS: &[Spec] = &[
    Spec::required("HashOwner", Text),
    Spec::required("HashApp", Text),
    Spec::required("HashFunction", Text),
    Spec::optional("Average", Number),
    Spec::optional("Count", Number),
    Spec::required("percentile_Average_0", Duration),
    Spec::required("percentile_Average_1", Duration),
    Spec::required("percentile_Average_25", Duration),
    Spec::required("percentile_Average_50", Duration),
    Spec::required("percentile_Average_75", Duration),
    Spec::required("percentile_Average_99", Duration),
    Spec::required("percentile_Average_100", Duration),
];

/// Per-request measurement logs (pacslab): the client's times (epoch seconds), AWS's duration
/// (milliseconds), the cold flag and the execution environment's id.
pub const REQUEST_LOG: &[Spec] = &[
    Spec::required("client_start_time", Number),
    Spec::optional("client_elapsed_time", Duration),
    Spec::required("aws_duration", Duration),
    Spec::optional("aws_billed_duration", Number),
    Spec::optional("is_cold", Flag),
    Spec::optional("inst_id", Text),
    Spec::optional("vm_id", Text),
];

/// The first per-minute column of the Azure 2019 invocation counts.
pub const AZURE2019_FIRST_MINUTE: &str = "1";

pub fn azure2021(path: &Path) -> Result<Table, Error> {
    read_csv(path, AZURE2021, None)
}

pub fn azure2019_invocations(path: &Path) -> Result<Table, Error> {
    read_csv(path, AZURE2019_INVOCATIONS, Some(AZURE2019_FIRST_MINUTE))
}

pub fn azure2019_durations(path: &Path) -> Result<Table, Error> {
    read_csv(path, AZURE2019_DURATIONS, None)
}

pub fn request_log(path: &Path) -> Result<Table, Error> {
    read_csv(path, REQUEST_LOG, None)
}

/// The distinct combinations of text columns (their codes, equal lengths), numbered in order
/// of first appearance: each row's number, and the first row of each number. Azure's
/// functions are (app, func) pairs; this numbers them in one pass, without a sort: through a
/// table of every combination when there are at most [`DENSE_KEYS`], else a dictionary.
pub fn key_codes(columns: &[&[u32]]) -> (Vec<u32>, Vec<u64>) {
    let rows = columns.first().map_or(0, |c| c.len());
    let sizes: Vec<u64> = columns.iter().map(|c| c.iter().max().map_or(0, |&m| u64::from(m) + 1)).collect();
    let combinations = sizes.iter().try_fold(1u64, |n, &s| n.checked_mul(s));
    let mut codes = Vec::with_capacity(rows);
    let mut first = Vec::new();
    match combinations {
        Some(n) if n <= DENSE_KEYS => {
            let mut table = vec![u32::MAX; n as usize];
            for row in 0..rows {
                let slot = columns.iter().zip(&sizes).fold(0u64, |k, (c, &s)| k * s + u64::from(c[row])) as usize;
                if table[slot] == u32::MAX {
                    table[slot] = first.len() as u32;
                    first.push(row as u64);
                }
                codes.push(table[slot]);
            }
        }
        _ => {
            let mut keys = crate::Text::default();
            let mut key = Vec::with_capacity(4 * columns.len());
            for row in 0..rows {
                key.clear();
                for c in columns {
                    key.extend_from_slice(&c[row].to_le_bytes());
                }
                let code = keys.code(&key);
                if code as usize == first.len() {
                    first.push(row as u64);
                }
                codes.push(code);
            }
        }
    }
    (codes, first)
}

/// The most combinations [`key_codes`] numbers through a table (64 MiB of it).
pub const DENSE_KEYS: u64 = 1 << 24;

#[cfg(test)]
mod tests {
    #[test]
    fn key_codes_in_order_of_first_appearance() {
        let (codes, first) = super::key_codes(&[&[0, 0, 1, 0, 1], &[0, 1, 0, 0, 0]]);
        assert_eq!(codes, [0, 1, 2, 0, 2]);
        assert_eq!(first, [0, 1, 2]);
        // beyond the table's size: the dictionary, the same numbers
        let big = [0, 1 << 13, 7, 1 << 13, 0];
        let (codes, first) = super::key_codes(&[&big, &big, &[1, 0, 0, 0, 1]]);
        assert_eq!(codes, [0, 1, 2, 1, 0]);
        assert_eq!(first, [0, 1, 2]);
    }
}

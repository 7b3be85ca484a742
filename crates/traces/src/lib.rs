//! Streaming readers of real serverless traffic traces, into columns.
//!
//! Every reader reads its file through one buffer of [`BUFFER_BYTES`] (grown only to hold a
//! line longer than that), so that its memory is the output columns (and the distinct strings
//! of its text columns), never the file's size nor an object per row; the CSV readers read
//! on several threads, each through one block of [`csv::Threads::bytes`] at a time, into the
//! same result as one pass. Text columns come out as codes into a dictionary ([`Text`]), in
//! order of first appearance, so that the output does not depend on any hash order. Errors name the file, the 1-based line and column and the
//! column's name ([`Error`]).
//!
//! The formats (docs/replay.md): [`azure2021`], [`azure2019_invocations`],
//! [`azure2019_durations`] and [`request_log`] are CSV files with a header line
//! ([`csv::read_csv`]); [`cloudwatch::read_text`] reads CloudWatch Logs' REPORT lines as text
//! and [`cloudwatch::read_json`] the JSON of `aws logs filter-log-events`.

pub mod cloudwatch;
pub mod csv;
mod error;
pub mod formats;
mod intern;
mod lines;
mod parallel;
mod records;
mod report;
mod timestamp;

pub use error::Error;
pub use formats::{azure2019_durations, azure2019_invocations, azure2021, request_log};
pub use intern::Text;
pub use lines::BUFFER_BYTES;
pub use report::Reports;

//! The engine's one error type. The bindings map each variant to a typed Python exception
//! (`WorkloadError`, `InvalidParameterValueException`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A workload column holds a bad value. `row` is the first bad row of the submitted chunk.
    Workload { column: &'static str, row: usize, message: String },
    /// A configuration the engine cannot run (Python validates first; this is the backstop).
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Workload { column, row, message } => {
                write!(f, "workload column '{column}', row {row}: {message}")
            }
            Error::Config(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

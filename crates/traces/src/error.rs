//! The readers' one error type: an unreadable file, or a bad row at a line and column.

use std::fmt;

/// What went wrong reading a trace.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The file could not be opened or read.
    Io { path: String, message: String },
    /// A bad value or line: `line` and `column` are 1-based (`column`: the CSV field's number,
    /// or for line formats and JSON the character position in the line); `name` names the
    /// column or field ("" when there is none to name).
    Row { path: String, line: u64, column: u64, name: String, message: String },
}

impl Error {
    pub(crate) fn io(path: &str, e: &std::io::Error) -> Self {
        Error::Io { path: path.to_owned(), message: e.to_string() }
    }

    pub(crate) fn row(path: &str, line: u64, column: u64, name: &str, message: impl Into<String>) -> Self {
        Error::Row { path: path.to_owned(), line, column, name: name.to_owned(), message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, message } => write!(f, "{path}: {message}"),
            Error::Row { path, line, column, name, message } if name.is_empty() => {
                write!(f, "{path}, line {line}, column {column}: {message}")
            }
            Error::Row { path, line, column, name, message } => {
                write!(f, "{path}, line {line}, column {column} ('{name}'): {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

//! The trace readers of `lambda_core_traces`, one function per format: the file read with the
//! GIL released, its columns handed to numpy without a copy, text columns as uint32 codes with
//! their names beside them, and a bad row raised as `lambda_core.errors.TraceFormatError`
//! carrying the file, line, column and column name.

use std::path::PathBuf;

use numpy::IntoPyArray;
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use lambda_core_traces::csv::{Column, Table};
use lambda_core_traces::{cloudwatch, Error, Reports};

pyo3::import_exception!(lambda_core.errors, TraceFormatError);

/// (columns by name, the names of each text column's codes by column name)
type Read<'py> = (Bound<'py, PyDict>, Bound<'py, PyDict>);

fn to_py(e: Error) -> PyErr {
    match &e {
        Error::Io { .. } => PyOSError::new_err(e.to_string()),
        Error::Row { path, line, column, name, .. } => {
            TraceFormatError::new_err((e.to_string(), path.clone(), *line, *column, name.clone()))
        }
    }
}

fn csv<'py>(py: Python<'py>, path: PathBuf, read: impl Fn(&std::path::Path) -> Result<Table, Error> + Sync, names: &[&str]) -> PyResult<Read<'py>> {
    let table = py.detach(|| read(&path)).map_err(to_py)?;
    let columns = PyDict::new(py);
    let texts = PyDict::new(py);
    for (name, column) in names.iter().zip(table.columns) {
        match column {
            None => {}
            Some(Column::Number(v)) => columns.set_item(name, v.into_pyarray(py))?,
            Some(Column::Count(v)) => columns.set_item(name, v.into_pyarray(py))?,
            Some(Column::Flag(v)) => columns.set_item(name, v.into_pyarray(py))?,
            Some(Column::Index(v)) => columns.set_item(name, v.into_pyarray(py))?,
            Some(Column::Text(v, text)) => {
                columns.set_item(name, v.into_pyarray(py))?;
                texts.set_item(name, text.names())?;
            }
        }
    }
    if !table.matrix_names.is_empty() {
        columns.set_item("counts", table.matrix.into_pyarray(py))?;
        texts.set_item("counts", table.matrix_names)?;
    }
    Ok((columns, texts))
}

fn spec_names(specs: &[lambda_core_traces::csv::Spec]) -> Vec<&str> {
    specs.iter().map(|s| s.name).collect()
}

/// Azure Functions 2021: app and func (codes), end_timestamp and duration, and the functions:
/// `function`, each row's (app, func) pair numbered in order of first appearance, and
/// `function_first`, the first row of each.
#[pyfunction]
pub(crate) fn read_azure2021(py: Python<'_>, path: PathBuf) -> PyResult<Read<'_>> {
    let read = |p: &std::path::Path| {
        let mut table = lambda_core_traces::azure2021(p)?;
        let (codes, first) = match (&table.columns[0], &table.columns[1]) {
            (Some(Column::Text(app, _)), Some(Column::Text(func, _))) => lambda_core_traces::formats::key_codes(&[app, func]),
            _ => unreachable!("azure2021 reads app and func as text"),
        };
        table.columns.push(Some(Column::Count(codes)));
        table.columns.push(Some(Column::Index(first)));
        Ok(table)
    };
    let mut names = spec_names(lambda_core_traces::formats::AZURE2021);
    names.extend(["function", "function_first"]);
    csv(py, path, read, &names)
}

/// Azure Functions 2019 invocation counts: the keys and trigger (codes), and `counts`, the
/// per-minute counts row after row (the minutes' header names under `counts` in the names).
#[pyfunction]
pub(crate) fn read_azure2019_invocations(py: Python<'_>, path: PathBuf) -> PyResult<Read<'_>> {
    csv(py, path, lambda_core_traces::azure2019_invocations, &spec_names(lambda_core_traces::formats::AZURE2019_INVOCATIONS))
}

/// Azure Functions 2019 durations: the keys (codes) and the percentiles (milliseconds).
#[pyfunction]
pub(crate) fn read_azure2019_durations(py: Python<'_>, path: PathBuf) -> PyResult<Read<'_>> {
    csv(py, path, lambda_core_traces::azure2019_durations, &spec_names(lambda_core_traces::formats::AZURE2019_DURATIONS))
}

/// Per-request logs: the client's times, AWS's duration, the cold flag and instance ids.
#[pyfunction]
pub(crate) fn read_request_log(py: Python<'_>, path: PathBuf) -> PyResult<Read<'_>> {
    csv(py, path, lambda_core_traces::request_log, &spec_names(lambda_core_traces::formats::REQUEST_LOG))
}

fn reports(py: Python<'_>, r: Reports) -> PyResult<Read<'_>> {
    let columns = PyDict::new(py);
    let texts = PyDict::new(py);
    columns.set_item("timestamp_ms", r.timestamp_ms.into_pyarray(py))?;
    columns.set_item("duration_ms", r.duration_ms.into_pyarray(py))?;
    columns.set_item("billed_ms", r.billed_ms.into_pyarray(py))?;
    columns.set_item("memory_mb", r.memory_mb.into_pyarray(py))?;
    columns.set_item("max_memory_mb", r.max_memory_mb.into_pyarray(py))?;
    columns.set_item("init_ms", r.init_ms.into_pyarray(py))?;
    columns.set_item("stream", r.stream.into_pyarray(py))?;
    columns.set_item("timed_out", r.timed_out.into_pyarray(py))?;
    texts.set_item("stream", r.streams.names())?;
    Ok((columns, texts))
}

/// CloudWatch REPORT lines as text (filter-log-events --output text, aws logs tail, exports).
#[pyfunction]
pub(crate) fn read_cloudwatch_text(py: Python<'_>, path: PathBuf) -> PyResult<Read<'_>> {
    let r = py.detach(|| cloudwatch::read_text(&path)).map_err(to_py)?;
    reports(py, r)
}

/// CloudWatch REPORT events of filter-log-events' JSON.
#[pyfunction]
pub(crate) fn read_cloudwatch_json(py: Python<'_>, path: PathBuf) -> PyResult<Read<'_>> {
    let r = py.detach(|| cloudwatch::read_json(&path)).map_err(to_py)?;
    reports(py, r)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_azure2021, m)?)?;
    m.add_function(wrap_pyfunction!(read_azure2019_invocations, m)?)?;
    m.add_function(wrap_pyfunction!(read_azure2019_durations, m)?)?;
    m.add_function(wrap_pyfunction!(read_request_log, m)?)?;
    m.add_function(wrap_pyfunction!(read_cloudwatch_text, m)?)?;
    m.add_function(wrap_pyfunction!(read_cloudwatch_json, m)?)?;
    m.add("TRACE_BUFFER_BYTES", lambda_core_traces::BUFFER_BYTES)?;
    Ok(())
}

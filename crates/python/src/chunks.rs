//! Submitted chunks: the caller's numpy arrays, kept alive between calls and borrowed (read in
//! place, never copied) while the engine runs.

use std::collections::VecDeque;

use lambda_core_engine::{RecordRows, Rows};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;

/// A submitted chunk of a stream's records, kept alive and read in place.
pub(crate) struct RecordChunk {
    pub(crate) time: Py<PyArray1<f64>>,
    pub(crate) key: Py<PyArray1<i64>>,
    pub(crate) failures: Option<Py<PyArray1<i64>>>,
    pub(crate) first_id: u64,
}

/// Borrowed views of every pending record chunk of one stream.
pub(crate) struct BorrowedRecords<'py> {
    time: Vec<PyReadonlyArray1<'py, f64>>,
    key: Vec<PyReadonlyArray1<'py, i64>>,
    failures: Vec<Option<PyReadonlyArray1<'py, i64>>>,
    first_id: Vec<u64>,
}

impl<'py> BorrowedRecords<'py> {
    pub(crate) fn new(py: Python<'py>, chunks: &VecDeque<RecordChunk>) -> PyResult<Self> {
        let mut b = BorrowedRecords { time: vec![], key: vec![], failures: vec![], first_id: vec![] };
        for c in chunks {
            b.time.push(c.time.bind(py).try_readonly()?);
            b.key.push(c.key.bind(py).try_readonly()?);
            b.failures.push(c.failures.as_ref().map(|a| a.bind(py).try_readonly()).transpose()?);
            b.first_id.push(c.first_id);
        }
        Ok(b)
    }

    pub(crate) fn rows(&self) -> PyResult<Vec<RecordRows<'_>>> {
        (0..self.time.len())
            .map(|i| {
                Ok(RecordRows {
                    time: self.time[i].as_slice()?,
                    key: self.key[i].as_slice()?,
                    failures: self.failures[i].as_ref().map(|a| a.as_slice()).transpose()?,
                    first_id: self.first_id[i],
                })
            })
            .collect()
    }
}

/// A submitted chunk: the caller's arrays, kept alive and read in place.
pub(crate) struct Chunk {
    pub(crate) time: Py<PyArray1<f64>>,
    pub(crate) function: Py<PyArray1<i64>>,
    pub(crate) duration: Py<PyArray1<f64>>,
    pub(crate) invocation_type: Option<Py<PyArray1<u8>>>,
    pub(crate) failures: Option<Py<PyArray1<i64>>>,
    pub(crate) first_id: u64,
}

/// Borrowed views of every pending chunk, alive while the engine reads the slices.
pub(crate) struct Borrowed<'py> {
    time: Vec<PyReadonlyArray1<'py, f64>>,
    function: Vec<PyReadonlyArray1<'py, i64>>,
    duration: Vec<PyReadonlyArray1<'py, f64>>,
    invocation_type: Vec<Option<PyReadonlyArray1<'py, u8>>>,
    failures: Vec<Option<PyReadonlyArray1<'py, i64>>>,
    first_id: Vec<u64>,
}

impl<'py> Borrowed<'py> {
    pub(crate) fn new(py: Python<'py>, chunks: &VecDeque<Chunk>) -> PyResult<Self> {
        let mut b = Borrowed {
            time: vec![],
            function: vec![],
            duration: vec![],
            invocation_type: vec![],
            failures: vec![],
            first_id: vec![],
        };
        for c in chunks {
            b.time.push(c.time.bind(py).try_readonly()?);
            b.function.push(c.function.bind(py).try_readonly()?);
            b.duration.push(c.duration.bind(py).try_readonly()?);
            b.invocation_type.push(c.invocation_type.as_ref().map(|a| a.bind(py).try_readonly()).transpose()?);
            b.failures.push(c.failures.as_ref().map(|a| a.bind(py).try_readonly()).transpose()?);
            b.first_id.push(c.first_id);
        }
        Ok(b)
    }

    pub(crate) fn rows(&self) -> PyResult<Vec<Rows<'_>>> {
        (0..self.time.len())
            .map(|i| {
                Ok(Rows {
                    time: self.time[i].as_slice()?,
                    function: self.function[i].as_slice()?,
                    duration: self.duration[i].as_slice()?,
                    invocation_type: self.invocation_type[i].as_ref().map(|a| a.as_slice()).transpose()?,
                    failures: self.failures[i].as_ref().map(|a| a.as_slice()).transpose()?,
                    first_id: self.first_id[i],
                })
            })
            .collect()
    }
}

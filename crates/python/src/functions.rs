//! The module-level members of `lambda_core._core` beside the engine: the engine's limits
//! table (`LIMITS`, one home for the numbers the Python layer checks first), the streams' poll
//! intervals (`POLL_INTERVAL_S`, the engine's own, which the Python model reports) and string keys'
//! hashes (`hash_keys`, vectorised: the keys are gathered under the GIL into one buffer, and
//! hashed with it released).

use numpy::{IntoPyArray, PyArray1, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyByteArrayMethods, PyBytes, PyDict, PyList, PyString, PyTuple};

use lambda_core_engine::{key_hashes, to_seconds, LIMITS};

use crate::config::STREAM_KINDS;

/// One of the engine's limits: the accepted values are `min ..= max`.
#[pyclass(module = "lambda_core._core", name = "Limit", frozen, get_all)]
pub struct PyLimit {
    name: String,
    min: u64,
    max: u64,
    what: String,
}

#[pymethods]
impl PyLimit {
    fn __repr__(&self) -> String {
        format!("Limit(name={:?}, min={}, max={}, what={:?})", self.name, self.min, self.max, self.what).replace('"', "'")
    }
}

/// `LIMITS`: name → `Limit`, read-only (a `types.MappingProxyType`).
pub(crate) fn limits(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let d = PyDict::new(py);
    for l in LIMITS {
        let limit = PyLimit { name: l.name.into(), min: l.min, max: l.max, what: l.what.into() };
        d.set_item(l.name, Bound::new(py, limit)?)?;
    }
    py.import("types")?.getattr("MappingProxyType")?.call1((d,))
}

/// `POLL_INTERVAL_S`: stream kind → how often an idle lane polls its shard, in seconds (§7),
/// read-only.
pub(crate) fn poll_intervals(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let d = PyDict::new(py);
    for (name, kind) in STREAM_KINDS {
        d.set_item(name, to_seconds(kind.poll_interval_us()))?;
    }
    py.import("types")?.getattr("MappingProxyType")?.call1((d,))
}

/// Keys stored end to end: key `i` is `bytes[ends[i - 1]..ends[i]]`.
#[derive(Default)]
struct Gathered {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Gathered {
    fn with_capacity(n: usize) -> Self {
        Gathered { bytes: Vec::with_capacity(n * 16), ends: Vec::with_capacity(n) }
    }

    fn push(&mut self, key: &[u8]) {
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len());
    }

    /// A `str` (as its UTF-8 bytes, the error of `str.encode("utf-8")` for a lone surrogate),
    /// `bytes` or `bytearray` key; anything else is a TypeError naming its index.
    fn push_object(&mut self, i: usize, key: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(s) = key.cast::<PyString>() {
            self.push(s.to_str()?.as_bytes());
        } else if let Ok(b) = key.cast::<PyBytes>() {
            self.push(b.as_bytes());
        } else if let Ok(b) = key.cast::<PyByteArray>() {
            // SAFETY: copied at once, with no Python code run that could resize the bytearray
            self.push(unsafe { b.as_bytes() });
        } else {
            let kind = key.get_type().name()?;
            return Err(PyTypeError::new_err(format!("element {i} is {kind}, not str or bytes")));
        }
        Ok(())
    }
}

fn gather_sequence(keys: &Bound<'_, PyAny>) -> PyResult<Gathered> {
    if let Ok(list) = keys.cast::<PyList>() {
        let mut g = Gathered::with_capacity(list.len());
        for (i, key) in list.iter().enumerate() {
            g.push_object(i, &key)?;
        }
        return Ok(g);
    }
    if let Ok(tuple) = keys.cast::<PyTuple>() {
        let mut g = Gathered::with_capacity(tuple.len());
        for (i, key) in tuple.iter().enumerate() {
            g.push_object(i, &key)?;
        }
        return Ok(g);
    }
    let mut g = Gathered::with_capacity(keys.len().unwrap_or(0));
    for (i, key) in keys.try_iter()?.enumerate() {
        g.push_object(i, &key?)?;
    }
    Ok(g)
}

/// A 1-D numpy array of fixed-width strings read from its buffer: `S` (bytes) or `U` (UCS-4
/// code points, encoded to UTF-8 here). Trailing NULs are dropped, as numpy drops them when
/// it returns an element. `None` when a `U` element holds a code point that is not a Unicode
/// scalar value (the caller then takes the `tolist()` path, which raises Python's own error).
fn gather_fixed_width(array: &Bound<'_, PyUntypedArray>, unicode: bool) -> PyResult<Option<Gathered>> {
    let array = if array.is_c_contiguous() { array.clone() } else { array.call_method0("copy")?.cast_into::<PyUntypedArray>()? };
    let dtype = array.dtype();
    let (n, width) = (array.len(), dtype.itemsize());
    let swap = dtype.is_native_byteorder() == Some(false);
    let data: &[u8] = if n * width == 0 {
        &[]
    } else {
        // SAFETY: a C-contiguous array of `n` items of `width` bytes, alive (held by `array`)
        // and read under the GIL
        unsafe { std::slice::from_raw_parts((*array.as_array_ptr()).fields.data as *const u8, n * width) }
    };
    let mut g = Gathered::with_capacity(n);
    if !unicode {
        for item in data.chunks_exact(width.max(1)).take(n) {
            let len = item.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            g.push(&item[..len]);
        }
        g.ends.resize(n, g.bytes.len()); // width 0: every key empty
        return Ok(Some(g));
    }
    let unit = |c: &[u8]| {
        let u = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
        if swap {
            u.swap_bytes()
        } else {
            u
        }
    };
    let mut utf8 = [0u8; 4];
    for item in data.chunks_exact(width.max(4)).take(n) {
        let mut len = width / 4;
        while len > 0 && unit(&item[4 * (len - 1)..]) == 0 {
            len -= 1;
        }
        for c in item[..4 * len].chunks_exact(4) {
            match unit(c) {
                u @ 0..=0x7f => g.bytes.push(u as u8),
                u => {
                    let Some(c) = char::from_u32(u) else { return Ok(None) };
                    g.bytes.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
        g.ends.push(g.bytes.len());
    }
    g.ends.resize(n, g.bytes.len()); // width 0: every key empty
    Ok(Some(g))
}

fn gather(keys: &Bound<'_, PyAny>) -> PyResult<Gathered> {
    if keys.is_instance_of::<PyString>() || keys.is_instance_of::<PyBytes>() || keys.is_instance_of::<PyByteArray>() {
        return Err(PyTypeError::new_err("keys must be a sequence of keys, not a single str or bytes"));
    }
    let Ok(array) = keys.cast::<PyUntypedArray>() else { return gather_sequence(keys) };
    if array.ndim() != 1 {
        return Err(PyValueError::new_err(format!("keys must be one-dimensional, got shape {:?}", array.shape())));
    }
    let kind = array.dtype().kind();
    if kind == b'S' || kind == b'U' {
        if let Some(g) = gather_fixed_width(array, kind == b'U')? {
            return Ok(g);
        }
    }
    // object arrays (and anything else): their elements as Python objects
    gather_sequence(&array.call_method0("tolist")?)
}

/// Each key's integer (§7: the first 8 bytes, little-endian, of the MD5 of its UTF-8 bytes),
/// as an int64 array.
#[pyfunction]
pub(crate) fn hash_keys<'py>(py: Python<'py>, keys: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let Gathered { bytes, ends } = gather(keys)?;
    let hashes = py.detach(|| key_hashes(&bytes, &ends));
    Ok(hashes.into_pyarray(py))
}

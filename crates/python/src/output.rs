//! The engine's outputs as Python sees them: each `Table` (named by the engine's output types,
//! `IntoTable`) a dict in the table's order, each column a new numpy array that takes over the
//! engine's vector (no copy), each count an int and each figure a float. No output's field is
//! named here, so a counter added to the engine reaches Python with no change to this crate.

use lambda_core_engine::{Column, IntoTable, Table, Value};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// An engine output on its way to Python, as a dict.
pub(crate) struct Named(Table);

impl Named {
    pub(crate) fn of(output: impl IntoTable) -> Self {
        Named(output.into_table())
    }
}

impl<'py> IntoPyObject<'py> for Named {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, self.0)
    }
}

fn dict(py: Python<'_>, table: Table) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (name, value) in table.0 {
        d.set_item(name, to_py(py, value)?)?;
    }
    Ok(d)
}

fn to_py(py: Python<'_>, value: Value) -> PyResult<Bound<'_, PyAny>> {
    Ok(match value {
        Value::Column(Column::U8(v)) => v.into_pyarray(py).into_any(),
        Value::Column(Column::U16(v)) => v.into_pyarray(py).into_any(),
        Value::Column(Column::U32(v)) => v.into_pyarray(py).into_any(),
        Value::Column(Column::U64(v)) => v.into_pyarray(py).into_any(),
        Value::Column(Column::I32(v)) => v.into_pyarray(py).into_any(),
        Value::Column(Column::I64(v)) => v.into_pyarray(py).into_any(),
        Value::Column(Column::F64(v)) => v.into_pyarray(py).into_any(),
        Value::Int(n) => n.into_pyobject(py)?.into_any(),
        Value::Float(x) => x.into_pyobject(py)?.into_any(),
        Value::Table(t) => dict(py, t)?.into_any(),
        Value::Tables(ts) => PyList::new(py, ts.into_iter().map(|t| dict(py, t)).collect::<PyResult<Vec<_>>>()?)?.into_any(),
    })
}

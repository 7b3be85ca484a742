//! The engine's one error type. The bindings map each variant to a typed Python exception
//! (`WorkloadError` for both column variants, `InvalidParameterValueException`, and for
//! `Interrupted` the exception their interrupt hook found pending, `OutOfMemory` `MemoryError`,
//! `Unusable` `RuntimeError`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A workload column holds a bad value. `row` is the first bad row of the submitted chunk.
    Workload { column: &'static str, row: usize, message: String },
    /// The same for a column of event source `source`'s records.
    Records { source: u32, column: &'static str, row: usize, message: String },
    /// A configuration the engine cannot run (Python validates first; this is the backstop).
    Config(String),
    /// The embedder's interrupt hook (`Engine::set_interrupt`) asked a call to stop. The engine
    /// stopped between two events: consistent, with its clock at the last event processed, and
    /// a later call continues exactly as if it had never stopped.
    Interrupted,
    /// Room for `count` `what` (a plural: "provisioned environments", "stream lanes") could not
    /// be allocated. The engine reserves what a configuration needs fallibly, before filling
    /// it, so a configuration too large for the memory available is refused with this instead
    /// of aborting the process; nothing was built.
    OutOfMemory { what: &'static str, count: u64 },
    /// An earlier `advance` ran out of memory (`OutOfMemory`, naming what it could not grow)
    /// and stopped part-way through an instant: the engine refuses to go on. Build another.
    Unusable { what: &'static str, count: u64 },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Workload { column, row, message } => {
                write!(f, "workload column '{column}', row {row}: {message}")
            }
            Error::Records { source, column, row, message } => {
                write!(f, "records of event source {source}, column '{column}', row {row}: {message}")
            }
            Error::Config(m) => f.write_str(m),
            Error::Interrupted => f.write_str("interrupted"),
            Error::OutOfMemory { what, count } => write!(f, "out of memory: cannot allocate {count} {what}"),
            Error::Unusable { what, count } => write!(
                f,
                "this simulator ran out of memory earlier (it could not allocate {count} {what}) and can no longer be used"
            ),
        }
    }
}

impl Error {
    /// A column error found in event source `source`'s records (the checks of a column are
    /// shared by workloads and records; only the caller knows which it checked).
    pub fn in_source(self, source: u32) -> Error {
        match self {
            Error::Workload { column, row, message } => Error::Records { source, column, row, message },
            other => other,
        }
    }
}

impl std::error::Error for Error {}

/// Reserves room for `count` more elements in `v` (exactly: a configuration's sizes are known),
/// or returns `Error::OutOfMemory` naming `what`. A count beyond the address space fails the
/// same way, without touching memory.
pub(crate) fn try_reserve<T>(v: &mut Vec<T>, count: u64, what: &'static str) -> Result<(), Error> {
    let oom = Error::OutOfMemory { what, count };
    let n = usize::try_from(count).map_err(|_| oom.clone())?;
    v.try_reserve_exact(n).map_err(|_| oom)
}

/// A vector of `count` clones of `value`, allocated fallibly (`vec![value; count]` aborts).
pub(crate) fn try_filled<T: Clone>(value: T, count: u64, what: &'static str) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    try_reserve(&mut v, count, what)?;
    v.resize(count as usize, value);
    Ok(v)
}

/// Element types whose all-zero bytes are a valid value (the columns of the output tables).
pub(crate) trait Zeroed: Copy {}
impl Zeroed for u8 {}
impl Zeroed for u16 {}
impl Zeroed for u32 {}
impl Zeroed for u64 {}
impl Zeroed for i64 {}
impl Zeroed for f64 {}

/// `vec![0; n]`, allocated fallibly: zeroed memory straight from the allocator (fresh pages
/// are not written until used, as `vec![0; n]`'s are), or `Error::OutOfMemory` naming `what`.
pub(crate) fn try_zeroed<T: Zeroed>(n: usize, what: &'static str) -> Result<Vec<T>, Error> {
    let oom = || Error::OutOfMemory { what, count: n as u64 };
    let layout = std::alloc::Layout::array::<T>(n).map_err(|_| oom())?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the layout has a non-zero size; the pointer, if not null, is a zeroed block of
    // `n` elements of `T` allocated with the global allocator under that layout, which is what
    // `Vec::from_raw_parts` needs, and all-zero bytes are a valid `T` (`Zeroed`).
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout) as *mut T;
        if ptr.is_null() {
            return Err(oom());
        }
        Ok(Vec::from_raw_parts(ptr, n, n))
    }
}

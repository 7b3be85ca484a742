//! The thin PyO3 layer: the configuration in as one record read by name (`config`), numpy
//! columns in (the engine copies a chunk when it is submitted, with the GIL held, so that no
//! other thread can change what it holds), the engine's outputs out as dicts named by the engine
//! (`output`; its vectors handed over to numpy, not copied), the GIL released while the engine
//! runs, every engine error mapped to a typed Python exception and every panic caught before it
//! reaches Python. While it runs, the engine polls `signal_pending` (its interrupt hook), which
//! takes the GIL for a moment to run Python's signal handlers: Ctrl-C stops a long call.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError};
use pyo3::prelude::*;

mod config;
mod controller;
mod functions;
mod output;
mod traces;

use config::EngineConfig;
use output::Named;

use lambda_core_engine::{
    check_seconds, shard_and_lane, Change, to_micros as engine_micros, to_seconds, Engine, Error, InterruptHook, Micros, NullSink, OneRow, Record, RecordRows, RecordTable,
    RowTable, Rows, Sink, Tables, WindowLog,
};

/// The requests one `step` resolves, as `(request, outcome, end)`: few, so plain tuples beat
/// columns (a co-simulation steps once per event).
#[derive(Default)]
struct Resolved(Vec<(u64, u8, f64)>);

/// One row of `Engine.applied_changes`.
type AppliedRow = (f64, u32, u8, i64, u32, u32, u64, u64);

/// What `step` returns: the instant, and the requests resolved then.
type Step = Option<(f64, Vec<(u64, u8, f64)>)>;

impl Sink for Resolved {
    #[inline]
    fn resolved(&mut self, r: &Record) {
        self.0.push((r.request, r.outcome as u8, to_seconds(r.end)));
    }
}

pyo3::import_exception!(lambda_core.errors, LambdaCoreError);
pyo3::import_exception!(lambda_core.errors, InvalidParameterValueException);
pyo3::import_exception!(lambda_core.errors, WorkloadError);

fn to_py(e: Error) -> PyErr {
    match e {
        Error::Workload { column, row, ref message } => workload_error(e.to_string(), column, row, message, None),
        Error::Records { source, column, row, ref message } => workload_error(e.to_string(), column, row, message, Some(source)),
        Error::Config(m) => InvalidParameterValueException::new_err(m),
        Error::Interrupted => SIGNALLED
            .with_borrow_mut(Option::take)
            .unwrap_or_else(|| PyKeyboardInterrupt::new_err("lambda_core: the call was interrupted")),
        Error::OutOfMemory { what, .. } => out_of_memory(&e, what, ""),
        Error::Unusable { .. } => PyRuntimeError::new_err(format!("lambda_core: {e}")),
    }
}

/// `MemoryError` for `e` (an `OutOfMemory` of `what`), naming the parameters a user sets that
/// decide the size, then `after`.
fn out_of_memory(e: &Error, what: &str, after: &str) -> PyErr {
    let from = match what {
        "provisioned environments" => " (the functions' provisioned_concurrency)",
        "stream lanes" => " (shards × parallelization_factor of the stream mappings)",
        "resolved requests and records kept for the caller" => " (advance(..., requests=False) keeps none)",
        _ => "",
    };
    PyMemoryError::new_err(format!("lambda_core: {e}{from}{after}"))
}

thread_local! {
    /// The exception a signal handler raised in `signal_pending`, until the interrupted call
    /// raises it (the hook runs on the thread that called the engine, so a thread's own slot).
    static SIGNALLED: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// The engine's interrupt hook (every 65 536 events, a few milliseconds): takes the GIL, runs
/// the signal handlers Python has pending (`KeyboardInterrupt` for Ctrl-C, or whatever a
/// user's handler raises), and stops the engine if one raised.
fn signal_pending() -> bool {
    Python::attach(|py| match py.check_signals() {
        Ok(()) => false,
        Err(e) => {
            SIGNALLED.with_borrow_mut(|slot| *slot = Some(e));
            true
        }
    })
}

/// Whether this is the main thread of the interpreter, the only one whose calls to the
/// engine can be interrupted: Python runs signal handlers there only, so elsewhere polling
/// them would take the GIL for nothing.
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import("threading")?;
    let main = threading.call_method0("main_thread")?;
    Ok(threading.call_method0("current_thread")?.is(&main))
}

/// A `WorkloadError` carrying, beside its message, the position's `detail` and (for records)
/// the event source's index, so that the Python layer can name the source.
fn workload_error(text: String, column: &str, row: usize, detail: &str, source: Option<u32>) -> PyErr {
    let err = WorkloadError::new_err((text, column.to_owned(), row));
    Python::attach(|py| {
        let value = err.value(py);
        // setting attributes of a fresh exception object cannot fail short of memory exhaustion
        let _ = value.setattr("detail", detail);
        let _ = value.setattr("source_index", source);
    });
    err
}

fn seconds(name: &str, value: f64) -> PyResult<Micros> {
    check_seconds(value).map_err(|m| LambdaCoreError::new_err(format!("{name}: {m}")))
}

/// Runs `f`, turning its error into a typed Python exception (`to_py`), and a panic into a
/// RuntimeError (poisoning the engine: its state may be half-updated).
fn guarded<T>(poisoned: &mut bool, f: impl FnOnce() -> Result<T, Error>) -> PyResult<T> {
    caught(poisoned, f)?.map_err(to_py)
}

/// `guarded` with the engine's error left for the caller to map.
fn caught<T>(poisoned: &mut bool, f: impl FnOnce() -> Result<T, Error>) -> PyResult<Result<T, Error>> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Ok(r),
        Err(payload) => {
            *poisoned = true;
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(PyRuntimeError::new_err(format!(
                "lambda_core internal error (please report it): {msg}; this simulator can no longer be used"
            )))
        }
    }
}

/// The engine behind `lambda_core.Simulator` (use that; this class is its private core).
#[pyclass(module = "lambda_core._core", name = "Engine")]
pub struct PyEngine {
    engine: Engine,
    poisoned: bool,
    /// What stops a run to steer it (`set_controller`).
    controller: Option<Py<PyAny>>,
}

impl PyEngine {
    fn check(&self) -> PyResult<()> {
        if self.poisoned {
            Err(PyRuntimeError::new_err("this simulator hit an internal error earlier and can no longer be used"))
        } else {
            Ok(())
        }
    }

    /// Runs the loop to `until` with the GIL released. On the main thread a pending signal
    /// stops the engine between two events (`signal_pending`); what it had not taken stays
    /// submitted, and the handler's exception is raised.
    fn run_with<S: Sink + Send>(&mut self, py: Python<'_>, until: Option<f64>, sink: &mut S) -> PyResult<()> {
        self.check()?;
        let until = until.map(|u| seconds("until", u)).transpose()?;
        self.run_steered(py, until, sink)
    }

    /// `run_with` without the controller (`within`: `Engine::advance_within`, which leaves the
    /// clock at the last event when nothing is left).
    fn run_to<S: Sink + Send>(&mut self, py: Python<'_>, until: Option<Micros>, within: bool, sink: &mut S) -> PyResult<()> {
        let hook: Option<InterruptHook> = if on_main_thread(py)? { Some(Box::new(signal_pending)) } else { None };
        self.engine.set_interrupt(hook);
        let engine = &mut self.engine;
        let poisoned = &mut self.poisoned;
        let run = |engine: &mut Engine, sink: &mut S| match until {
            Some(u) if within => engine.advance_within(u, sink),
            _ => engine.advance(until, sink),
        };
        match py.detach(|| caught(poisoned, || run(engine, sink)))? {
            Ok(()) => Ok(()),
            // out of memory in the middle of an instant: the simulator is done for
            Err(e @ Error::OutOfMemory { what, .. }) => Err(out_of_memory(
                &e,
                what,
                "; the run stopped part-way through an instant, so this simulator can no longer be used (build another)",
            )),
            Err(e) => Err(to_py(e)),
        }
    }

    /// Copies, checks and queues a chunk of rows, with the GIL held (the engine reads each of
    /// the caller's values once, into its own copy).
    fn submit_rows(&mut self, rows: &Rows<'_>) -> PyResult<u64> {
        self.check()?;
        let poisoned = &mut self.poisoned;
        guarded(poisoned, || self.engine.submit(rows))
    }
}

/// A workload chunk's columns, as Python hands them over (canonical dtypes, C-contiguous).
type RowArrays<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    Option<Bound<'py, PyArray1<u8>>>,
    Option<Bound<'py, PyArray1<i64>>>,
    Option<Bound<'py, PyArray1<bool>>>,
);

/// Calls `f` with `Rows` over the arrays (read-only borrows, held while it runs).
fn with_rows<T>(arrays: &RowArrays<'_>, f: impl FnOnce(&Rows<'_>) -> PyResult<T>) -> PyResult<T> {
    let (time, function, duration, kind, failures, too_large) = arrays;
    let (t, fu, d) = (time.try_readonly()?, function.try_readonly()?, duration.try_readonly()?);
    let k = kind.as_ref().map(|a| a.try_readonly()).transpose()?;
    let x = failures.as_ref().map(|a| a.try_readonly()).transpose()?;
    let big = too_large.as_ref().map(|a| a.try_readonly()).transpose()?;
    f(&Rows {
        time: t.as_slice()?,
        function: fu.as_slice()?,
        duration: d.as_slice()?,
        invocation_type: k.as_ref().map(|a| a.as_slice()).transpose()?,
        failures: x.as_ref().map(|a| a.as_slice()).transpose()?,
        too_large: big.as_ref().map(|a| a.as_slice()).transpose()?,
    })
}

/// An event source's chunk of records, as Python hands it over: (source, time, key, failures).
type RecordArrays<'py> = (u32, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<i64>>, Option<Bound<'py, PyArray1<i64>>>);

/// Calls `f` with the `RecordRows` of every chunk (read-only borrows, held while it runs).
fn with_records<T>(arrays: &[RecordArrays<'_>], f: impl FnOnce(&[(u32, RecordRows<'_>)]) -> PyResult<T>) -> PyResult<T> {
    let mut borrowed = Vec::with_capacity(arrays.len());
    for (source, time, key, failures) in arrays {
        let x = failures.as_ref().map(|a| a.try_readonly()).transpose()?;
        borrowed.push((*source, time.try_readonly()?, key.try_readonly()?, x));
    }
    let mut rows = Vec::with_capacity(borrowed.len());
    for (source, t, k, x) in &borrowed {
        let failures = x.as_ref().map(|a| a.as_slice()).transpose()?;
        rows.push((*source, RecordRows { time: t.as_slice()?, key: k.as_slice()?, failures }));
    }
    f(&rows)
}

#[pymethods]
impl PyEngine {
    /// `config`: a `lambda_core._engine_config.EngineConfig` (any object with its attributes).
    #[new]
    fn new(config: &Bound<'_, PyAny>) -> PyResult<Self> {
        let config: EngineConfig = config.extract().map_err(|e| config::config_type_error(config.py(), e))?;
        let config = config.into_config()?;
        let mut poisoned = false;
        let engine = guarded(&mut poisoned, || Engine::new(config))?;
        Ok(PyEngine { engine, poisoned, controller: None })
    }

    /// Copies and checks a chunk of rows (arrays of the canonical dtypes, C-contiguous) and
    /// queues the copy; returns the request id of its first row. The arrays are not kept.
    #[pyo3(signature = (time, function, duration, invocation_type=None, failures=None, too_large=None))]
    fn submit(
        &mut self,
        time: Bound<'_, PyArray1<f64>>,
        function: Bound<'_, PyArray1<i64>>,
        duration: Bound<'_, PyArray1<f64>>,
        invocation_type: Option<Bound<'_, PyArray1<u8>>>,
        failures: Option<Bound<'_, PyArray1<i64>>>,
        too_large: Option<Bound<'_, PyArray1<bool>>>,
    ) -> PyResult<u64> {
        with_rows(&(time, function, duration, invocation_type, failures, too_large), |rows| self.submit_rows(rows))
    }

    /// Copies, checks and queues a chunk of event source `stream`'s records or messages
    /// (`time` f64, `key` i64: partition keys or FIFO message group ids, `failures` i64 or
    /// None; C-contiguous); returns the id of its first record.
    #[pyo3(signature = (stream, time, key, failures=None))]
    fn submit_records(
        &mut self,
        stream: u32,
        time: Bound<'_, PyArray1<f64>>,
        key: Bound<'_, PyArray1<i64>>,
        failures: Option<Bound<'_, PyArray1<i64>>>,
    ) -> PyResult<u64> {
        self.check()?;
        with_records(&[(stream, time, key, failures)], |chunks| {
            let (source, rows) = &chunks[0];
            guarded(&mut self.poisoned, || self.engine.submit_records(*source, rows))
        })
    }

    /// `submit` and `submit_records` at once, all or nothing (on an error nothing is queued):
    /// `rows` the workload's columns, `records` (source, time, key, failures) per source, each
    /// source at most once. Returns the first request id and the first record id of each.
    fn submit_together(&mut self, rows: RowArrays<'_>, records: Vec<RecordArrays<'_>>) -> PyResult<(u64, Vec<u64>)> {
        self.check()?;
        with_rows(&rows, |rows| {
            with_records(&records, |chunks| guarded(&mut self.poisoned, || self.engine.submit_together(rows, chunks)))
        })
    }

    /// Runs to `until` (seconds; None: until every submitted request is resolved) and returns
    /// the requests resolved on the way, in the order they were resolved (or None when
    /// `record` is false).
    #[pyo3(signature = (until=None, record=true))]
    fn advance(&mut self, py: Python<'_>, until: Option<f64>, record: bool) -> PyResult<Option<Named>> {
        if !record {
            self.run_with(py, until, &mut NullSink)?;
            return Ok(None);
        }
        let mut log = WindowLog::default();
        if let Err(e) = self.run_with(py, until, &mut log) {
            // a change refused at its instant stops the run there: what it resolved on the way
            // goes with the exception (`_resolved`), so that no request's row is lost
            if !self.poisoned && e.is_instance_of::<LambdaCoreError>(py) {
                e.value(py).setattr("_resolved", Named::of(log).into_pyobject(py)?)?;
            }
            return Err(e);
        }
        Ok(Some(Named::of(log)))
    }

    /// Like `advance`, but returns one row per request id in `first .. first + n`, in id order
    /// (unresolved rows are PENDING with end NaN). `events`: the rows hold asynchronous events
    /// (otherwise no `event_age` column is made).
    /// `records`: per stream, the `(first, n)` record ids to return one row each for (under
    /// the key "records", a list of dicts of columns; records still in flight report their
    /// attempts so far).
    #[pyo3(signature = (until, first, n, events=true, records=vec![]))]
    fn advance_rows(
        &mut self,
        py: Python<'_>,
        until: Option<f64>,
        first: u64,
        n: usize,
        events: bool,
        records: Vec<(u64, usize)>,
    ) -> PyResult<Named> {
        if first.checked_add(n as u64).is_none_or(|last| last > self.engine.submitted()) {
            return Err(LambdaCoreError::new_err(format!(
                "rows {first}..{first}+{n} were not all submitted ({} rows so far)",
                self.engine.submitted()
            )));
        }
        for (s, &(first, n)) in records.iter().enumerate() {
            let submitted = self.engine.submitted_records(s as u32);
            if s >= self.engine.n_sources() || first.checked_add(n as u64).is_none_or(|last| last > submitted) {
                return Err(LambdaCoreError::new_err(format!("records {first}..{first}+{n} of stream {s} were not all submitted")));
            }
        }
        let tables = (|| {
            let records = records.iter().map(|&(first, n)| RecordTable::new(first, n)).collect::<Result<Vec<_>, _>>()?;
            Ok(Tables::new(RowTable::new(first, n, events)?, records))
        })();
        let mut tables = tables.map_err(to_py)?;
        self.run_with(py, until, &mut tables)?;
        self.engine.report_pending_records(&mut tables);
        Ok(Named::of(tables))
    }

    /// Statistics over [0, horizon]; horizon = `until` (seconds) or the last resolution.
    #[pyo3(signature = (until=None))]
    fn report(&self, until: Option<f64>) -> PyResult<Named> {
        self.check()?;
        let until = until.map(|u| seconds("until", u)).transpose()?;
        Ok(Named::of(self.engine.report(self.engine.horizon(until))))
    }

    /// The per-period series from time 0 to the clock (docs/metrics.md), or `None` without
    /// a metrics period: `period`, `horizon` (seconds), `n_periods`, and per level
    /// (`function`, `account`, `mapping`) one flat array per `"Metric:Statistic"`, entity by
    /// entity.
    fn series(&mut self) -> PyResult<Option<Named>> {
        self.check()?;
        Ok(self.engine.series().map(Named::of))
    }

    /// Takes the destination records collected since the last call: one dict of columns
    /// (`request`, `condition`, `approximate_invoke_count`, `time`, and `total`, the records
    /// ever sent there) per destination index.
    fn drain_destinations(&mut self) -> PyResult<Vec<Named>> {
        self.check()?;
        Ok(self.engine.drain_destinations().into_iter().map(Named::of).collect())
    }

    /// Takes the rows of the traced attempts logged since the last call (docs/traces.md): a dict
    /// of columns `request`, `function`, `attempt`, `event`, `arrival`, `start`, `end` (seconds),
    /// `cold`, `init` (seconds), `outcome`, `reason`, and `total` (rows ever logged).
    fn drain_traces(&mut self) -> PyResult<Named> {
        self.check()?;
        Ok(Named::of(self.engine.drain_traces()))
    }

    /// Per event source, in source order: its mapping's counters (`max_iterator_age` in
    /// seconds; `max_slots` for queues).
    fn mapping_report(&self) -> PyResult<Vec<Named>> {
        self.check()?;
        Ok(self.engine.mapping_stats().into_iter().map(Named::of).collect())
    }

    /// Records held by mappings (arrived, not yet resolved).
    #[getter]
    fn records_held(&self) -> u64 {
        self.engine.records_held()
    }

    /// Whether event source `source` has records not yet resolved: held by its mapping, or
    /// submitted and not yet reached by the clock.
    fn source_waiting(&self, source: u32) -> bool {
        self.engine.source_holds_records(source) || self.engine.pending_records(source) > 0
    }

    /// Records submitted to event source `source` so far (the next record's id).
    fn submitted_records(&self, source: u32) -> u64 {
        self.engine.submitted_records(source)
    }

    /// Records ever sent to each destination index (also those not kept), without draining.
    fn destination_totals(&self) -> PyResult<Vec<u64>> {
        self.check()?;
        Ok(self.engine.destination_totals())
    }

    /// Requests with a record in flight (asynchronous events, callers retrying).
    #[getter]
    fn pending_requests(&self) -> usize {
        self.engine.pending_requests()
    }

    /// The simulated time reached, in seconds.
    #[getter]
    fn now(&self) -> f64 {
        to_seconds(self.engine.now())
    }

    /// Checks and queues one request without columns (the per-event path of a
    /// co-simulation); returns its request id. Its values are checked as `submit` checks a row.
    #[pyo3(signature = (time, function, duration, invocation_type=0, failures=0, too_large=false))]
    fn submit_one(&mut self, time: f64, function: i64, duration: f64, invocation_type: u8, failures: i64, too_large: bool) -> PyResult<u64> {
        self.check()?;
        let row = OneRow { time, function, duration, invocation_type, failures, too_large };
        guarded(&mut self.poisoned, || self.engine.submit_one(row))
    }

    /// Schedules a change of function `function` at `at` seconds (docs/model.md §16), checked
    /// in Python with AWS's rules: `kind` is "reserved" (`reserved`, `None` to delete it),
    /// "provisioned" (`provisioned`, allocated over `ready_s`) or "update" (`timeout_s`, or
    /// `None` to keep it); `unreserved_capacity` is the account's pool the change leaves.
    #[pyo3(signature = (at, kind, function, *, reserved=None, provisioned=0, ready_s=0.0, timeout_s=None, unreserved_capacity=0))]
    #[allow(clippy::too_many_arguments)]
    fn schedule_change(&mut self, at: f64, kind: &str, function: u32, reserved: Option<u32>, provisioned: u32, ready_s: f64,
                       timeout_s: Option<f64>, unreserved_capacity: u32) -> PyResult<()> {
        self.check()?;
        let at = seconds("at", at)?;
        let change = match kind {
            "reserved" => Change::Reserved { function, reserved, unreserved_capacity },
            "provisioned" => Change::Provisioned { function, provisioned, ready_us: seconds("ready_s", ready_s)?, unreserved_capacity },
            "update" => Change::Update { function, timeout_us: timeout_s.map(|t| seconds("timeout_s", t)).transpose()? },
            other => return Err(LambdaCoreError::new_err(format!("no change of kind {other:?}"))),
        };
        guarded(&mut self.poisoned, || self.engine.schedule_change(at, change))
    }

    /// Per function, `(busy, ready)`: seconds of provisioned environments busy and usable from
    /// time 0 to the clock (their ratio over a stretch is its utilisation).
    fn provisioned_seconds(&self) -> Vec<(f64, f64)> {
        self.engine.provisioned_seconds()
    }

    /// Per function, its provisioned environments usable now.
    fn provisioned_usable(&self) -> Vec<u32> {
        self.engine.provisioned_usable()
    }

    /// Installs (or with `None` removes) a controller: an object whose `next_stop(now, idle)`
    /// says the next instant (seconds, or `None`) at which a run must stop (`idle`: the engine
    /// has nothing left to do and the run no `until`), and whose `at_stop(time,
    /// provisioned_seconds, provisioned_usable)` says, once every event up to that instant is
    /// processed, which changes to schedule and which refusal to raise: `(rows, exception or
    /// None)`, the rows tuples `(at, kind, function, reserved, provisioned, ready_s,
    /// timeout_s, unreserved_capacity)` in time order.
    #[pyo3(signature = (controller=None))]
    fn set_controller(&mut self, controller: Option<Py<PyAny>>) {
        self.controller = controller;
    }

    /// Changes scheduled and not yet applied.
    #[getter]
    fn pending_changes(&self) -> usize {
        self.engine.pending_changes()
    }

    /// What the changes applied so far did, in order, as tuples `(time, function, kind,
    /// reserved, provisioned, provisioned_ready, billed_ms, provisioned_billed_ms)`: `kind` 0
    /// reserved, 1 provisioned, 2 an allocation of provisioned environments ended, 3 update;
    /// `reserved` −1 without a reservation.
    fn applied_changes(&self) -> Vec<AppliedRow> {
        self.engine
            .applied_changes()
            .iter()
            .map(|a| {
                let reserved = a.reserved.map_or(-1, i64::from);
                (to_seconds(a.time), a.function, a.kind as u8, reserved, a.provisioned, a.provisioned_ready, a.billed_ms, a.provisioned_billed_ms)
            })
            .collect()
    }

    /// The next instant something happens, in seconds (`None`: nothing is left).
    fn peek_time(&self) -> Option<f64> {
        self.engine.peek_time().map(to_seconds)
    }

    /// Processes the next instant, with the GIL held (one instant is short); returns `None`
    /// when nothing was left, else `(time, resolved)`: the requests resolved then as
    /// `(request, outcome, end)`, in the order they were resolved.
    fn step(&mut self) -> PyResult<Step> {
        self.check()?;
        let mut sink = Resolved::default();
        match caught(&mut self.poisoned, || self.engine.step(&mut sink))? {
            Ok(t) => Ok(t.map(|t| (to_seconds(t), sink.0))),
            Err(e @ Error::OutOfMemory { what, .. }) => Err(out_of_memory(
                &e,
                what,
                "; the run stopped part-way through an instant, so this simulator can no longer be used (build another)",
            )),
            Err(e) => Err(to_py(e)),
        }
    }

    /// Rows submitted and not yet reached by the clock.
    #[getter]
    fn pending_rows(&self) -> u64 {
        self.engine.pending_rows()
    }

    /// Executions in flight.
    #[getter]
    fn running(&self) -> usize {
        self.engine.running()
    }
}

/// Seconds to integer microseconds exactly as the engine rounds them (§1).
#[pyfunction]
fn to_micros(seconds: f64) -> PyResult<u64> {
    self::seconds("seconds", seconds)
}

/// Times in seconds as the engine holds them: each rounded to the microsecond as the engine
/// rounds its inputs (§1), so that a request's arrival, start and end come out on one grid.
/// The caller has had the values checked: one the engine refuses (NaN, negative, huge) gives
/// an unspecified number, never an error or a crash.
#[pyfunction]
fn rounded_seconds<'py>(py: Python<'py>, seconds: PyReadonlyArray1<'py, f64>) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let values = seconds.as_slice()?;
    let out: Vec<f64> = py.detach(|| values.iter().map(|&s| to_seconds(engine_micros(s))).collect());
    Ok(out.into_pyarray(py))
}

type U32Array<'py> = Bound<'py, PyArray1<u32>>;

/// Each key's shard and lane (§7: multiply-high ranges of the key's SplitMix64 hash), as two
/// uint32 arrays.
#[pyfunction]
fn stream_lanes<'py>(
    py: Python<'py>,
    key: PyReadonlyArray1<'py, i64>,
    shards: u32,
    parallelization_factor: u32,
) -> PyResult<(U32Array<'py>, U32Array<'py>)> {
    if shards == 0 || parallelization_factor == 0 {
        return Err(LambdaCoreError::new_err("shards and parallelization_factor must be at least 1"));
    }
    let keys = key.as_slice()?;
    let (shard, lane): (Vec<u32>, Vec<u32>) =
        py.detach(|| keys.iter().map(|&k| shard_and_lane(k, shards, parallelization_factor)).unzip());
    Ok((shard.into_pyarray(py), lane.into_pyarray(py)))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()?;
    m.add_function(wrap_pyfunction!(to_micros, m)?)?;
    m.add_function(wrap_pyfunction!(stream_lanes, m)?)?;
    m.add_function(wrap_pyfunction!(rounded_seconds, m)?)?;
    m.add_function(wrap_pyfunction!(functions::hash_keys, m)?)?;
    m.add_class::<functions::PyLimit>()?;
    m.add("LIMITS", functions::limits(m.py())?)?;
    m.add("POLL_INTERVAL_S", functions::poll_intervals(m.py())?)?;
    traces::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

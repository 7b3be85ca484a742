//! Steering a run (docs/model.md §16): the controller a Simulator installs says where a run
//! must stop, and at each stop, with every event up to it processed, which changes to make.

use lambda_core_engine::{to_seconds, Micros, Sink};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::{seconds, PyEngine};

/// A change a controller asks for at a stop: `(at, kind, function, reserved, provisioned,
/// ready_s, timeout_s, unreserved_capacity)`, as `Engine.schedule_change` takes them.
pub(crate) type ChangeRow = (f64, String, u32, Option<u32>, u32, f64, Option<f64>, u32);

impl PyEngine {
    /// Runs to `until` through the controller's stops. At each the controller gets the
    /// provisioned seconds so far and the provisioned environments usable, and returns the
    /// changes to schedule (in time order) and, if a change made earlier is refused by the
    /// configuration then in force, that refusal: raised once the others are scheduled, so a
    /// refused change stops the run where it was due and leaves the rest as made.
    pub(crate) fn run_steered<S: Sink + Send>(&mut self, py: Python<'_>, until: Option<Micros>, sink: &mut S) -> PyResult<()> {
        while let Some(ctl) = self.controller.as_ref().map(|c| c.clone_ref(py)) {
            // with `until`, every stop up to it counts, however quiet the engine is; without,
            // the run ends with the engine's last event, and only changes made call for stops
            let idle = until.is_none() && self.engine.peek_time().is_none();
            // `reach`: a change or a scheduled action is due there; otherwise only data points
            let stop: Option<(f64, bool)> = ctl.call_method1(py, "next_stop", (to_seconds(self.engine.now()), idle))?.extract(py)?;
            let Some((stop, reach)) = stop else { break };
            let at = seconds("stop", stop)?;
            if until.is_some_and(|u| at > u) {
                break;
            }
            if at < self.engine.now() {
                return Err(PyRuntimeError::new_err(format!(
                    "the controller asked for a stop at {stop} s, before the clock ({} s)",
                    to_seconds(self.engine.now())
                )));
            }
            if until.is_none() && !reach {
                // a run without `until` ends with its last event: a data point after it is not
                // reached, as a `step` loop would not reach it
                self.run_to(py, Some(at), true, sink)?;
                if self.engine.now() < at {
                    continue;
                }
            } else {
                self.run_to(py, Some(at), false, sink)?;
            }
            let (changes, refused): (Vec<ChangeRow>, Option<Py<PyAny>>) = ctl
                .call_method1(py, "at_stop", (to_seconds(at), self.engine.provisioned_seconds(), self.engine.provisioned_usable()))?
                .extract(py)?;
            for (when, kind, function, reserved, provisioned, ready_s, timeout_s, unreserved_capacity) in changes {
                self.schedule_change(when, &kind, function, reserved, provisioned, ready_s, timeout_s, unreserved_capacity)?;
            }
            if let Some(e) = refused {
                return Err(PyErr::from_value(e.into_bound(py)));
            }
        }
        self.run_to(py, until, false, sink)
    }

}

//! Executions in flight, ordered by when they end (§1 tie order, class 1).
//!
//! A timer wheel of executions: ends at the same microsecond come out in the order the
//! executions were scheduled, which is the order they started. Each entry carries what its end
//! needs (function, request, outcome), so ending an execution reads the function's state
//! without first reading the environment's record.

use crate::environments::EnvId;
use crate::results::Outcome;
use crate::time::Micros;
use crate::wheel::{Popped, Wheel};

/// `Execution::pending` of a plain synchronous request.
pub const NO_PENDING: u32 = u32::MAX;
/// `Execution::pending` of an asynchronous event on its first attempt, bound to succeed. (The
/// two are the largest ids: `pending >= EVENT_NO_PENDING` means "no record".)
pub const EVENT_NO_PENDING: u32 = u32::MAX - 1;

/// An attempt running on an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Execution {
    pub request: u64,
    pub start: Micros,
    /// The request's record in `PendingSet`, or `NO_PENDING` / `EVENT_NO_PENDING` for a
    /// request that needs none.
    pub pending: u32,
    pub env: EnvId,
    /// The environment's creation order (its routing key when it goes idle).
    pub created: u64,
    pub function: u32,
    pub outcome: Outcome,
    /// It paid init (a cold start).
    pub cold: bool,
    pub provisioned: bool,
    /// It timed out: the environment must re-initialise before its next request (§3).
    pub needs_init: bool,
}

#[derive(Default)]
pub struct Executions {
    wheel: Wheel<Execution>,
}

impl Executions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules the end of an execution.
    #[inline]
    pub fn schedule(&mut self, end: Micros, execution: Execution) {
        self.wheel.schedule(end, execution);
    }

    /// When the next execution ends.
    #[inline]
    pub fn next_end(&mut self) -> Option<Micros> {
        self.wheel.peek()
    }

    /// Removes the next execution if it ends at or before `t`.
    #[inline]
    pub fn pop_due(&mut self, t: Micros) -> Option<(Micros, Execution)> {
        self.wheel.pop_due(t)
    }

    /// Like `pop_due`, calling `soon` on executions that will end within a few milliseconds.
    #[inline(always)]
    pub fn pop_due_hinted(&mut self, t: Micros, soon: impl FnMut(&Execution)) -> Option<Popped> {
        self.wheel.pop_due_hinted(t, soon)
    }

    /// When a popped execution ends, and the execution (valid until the next `schedule`).
    #[inline(always)]
    pub fn popped(&self, popped: Popped) -> (Micros, Execution) {
        self.wheel.popped(popped)
    }

    pub fn len(&self) -> usize {
        self.wheel.len()
    }

    pub fn is_empty(&self) -> bool {
        self.wheel.is_empty()
    }

    /// The executions running now (any order).
    pub fn running(&self) -> impl Iterator<Item = Execution> + '_ {
        self.wheel.entries().map(|(_, x)| x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_in_time_then_start_order() {
        let mut ex = Executions::new();
        let on = |env| Execution {
            request: 0,
            start: 0,
            pending: NO_PENDING,
            env,
            created: 0,
            function: 0,
            outcome: Outcome::Success,
            cold: false,
            provisioned: false,
            needs_init: false,
        };
        ex.schedule(30, on(0));
        ex.schedule(10, on(1));
        ex.schedule(30, on(2));
        ex.schedule(10, on(3));
        assert_eq!(ex.next_end(), Some(10));
        assert_eq!(ex.pop_due(9), None);
        let mut order = vec![];
        while let Some((t, x)) = ex.pop_due(100) {
            order.push((t, x.env));
        }
        assert_eq!(order, vec![(10, 1), (10, 3), (30, 0), (30, 2)]);
    }
}

//! Executions in flight, ordered by when they end (§1 tie order, class 1).
//!
//! A timer wheel of environment ids: ends at the same microsecond come out in the order the
//! executions were scheduled, which is the order they started.

use crate::environments::EnvId;
use crate::time::Micros;
use crate::wheel::Wheel;

#[derive(Default)]
pub struct Executions {
    wheel: Wheel<EnvId>,
}

impl Executions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules the end of the execution running on `env`.
    #[inline]
    pub fn schedule(&mut self, end: Micros, env: EnvId) {
        self.wheel.schedule(end, env);
    }

    /// When the next execution ends.
    #[inline]
    pub fn next_end(&mut self) -> Option<Micros> {
        self.wheel.peek()
    }

    /// Removes the next execution if it ends at or before `t`.
    #[inline]
    pub fn pop_due(&mut self, t: Micros) -> Option<(Micros, EnvId)> {
        self.wheel.pop_due(t)
    }

    pub fn len(&self) -> usize {
        self.wheel.len()
    }

    pub fn is_empty(&self) -> bool {
        self.wheel.is_empty()
    }

    /// The environments running now (any order).
    pub fn envs(&self) -> impl Iterator<Item = EnvId> + '_ {
        self.wheel.entries().map(|(_, env)| env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_in_time_then_start_order() {
        let mut ex = Executions::new();
        ex.schedule(30, 0);
        ex.schedule(10, 1);
        ex.schedule(30, 2);
        ex.schedule(10, 3);
        assert_eq!(ex.next_end(), Some(10));
        assert_eq!(ex.pop_due(9), None);
        let mut order = vec![];
        while let Some((t, env)) = ex.pop_due(100) {
            order.push((t, env));
        }
        assert_eq!(order, vec![(10, 1), (10, 3), (30, 0), (30, 2)]);
    }
}

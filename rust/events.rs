//! Executions in flight, ordered by when they end (§1 tie order, class 1).
//!
//! A binary min-heap on `(end, seq)`: `seq` is the order in which executions started, so ends at
//! the same microsecond are processed in start order. The heap holds at most one entry per busy
//! environment, so it stays as small as the account's concurrency.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::environments::EnvId;
use crate::time::Micros;

#[derive(Debug, Default)]
pub struct Executions {
    heap: BinaryHeap<Reverse<(Micros, u64, EnvId)>>,
    seq: u64,
}

impl Executions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules the end of the execution running on `env`.
    #[inline]
    pub fn schedule(&mut self, end: Micros, env: EnvId) {
        self.heap.push(Reverse((end, self.seq, env)));
        self.seq += 1;
    }

    /// When the next execution ends.
    #[inline]
    pub fn next_end(&self) -> Option<Micros> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Removes the next execution if it ends at or before `t`.
    #[inline]
    pub fn pop_due(&mut self, t: Micros) -> Option<(Micros, EnvId)> {
        match self.heap.peek() {
            Some(Reverse((end, _, _))) if *end <= t => {
                self.heap.pop().map(|Reverse((end, _, env))| (end, env))
            }
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The environments running now (any order).
    pub fn envs(&self) -> impl Iterator<Item = EnvId> + '_ {
        self.heap.iter().map(|Reverse((_, _, env))| *env)
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

//! Execution environments (§3): a slab of environment records and, per function, the set of
//! idle ones ordered by the routing rule.
//!
//! Expiry is lazy. An idle environment's death time is known the moment it goes idle
//! (`idle_since + idle_timeout`), so nothing needs to happen at that instant: a lookup at `now`
//! discards the idle environments it meets that are dead by `now` (which is the tie order of
//! §1: expiry before arrivals) and the lifetime integral uses the known death time. This keeps
//! the records bounded without an expiry queue: a function creates an environment only after
//! its lookup found no live idle one, which emptied its idle set, so a function never holds
//! more records than its peak concurrency.
//!
//! What a lookup needs (when the environment went idle, whether it must re-initialise) is kept
//! in the idle entry itself, so a warm start reads the function's idle list and nothing else.

use crate::config::Routing;
use crate::time::Micros;

pub type EnvId = u32;

/// What an environment keeps for its whole life.
#[derive(Debug, Clone, Copy, Default)]
pub struct Env {
    /// Global creation order (provisioned environments first, then on-demand ones).
    pub created: u64,
    pub born: Micros,
}

/// The slab of environment records, with a free list of reusable slots.
#[derive(Debug, Default)]
pub struct Environments {
    envs: Vec<Env>,
    free: Vec<EnvId>,
    next_created: u64,
}

impl Environments {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes a new environment born at `now`; returns its id.
    pub fn create(&mut self, now: Micros) -> EnvId {
        let env = Env { created: self.next_created, born: now };
        self.next_created += 1;
        match self.free.pop() {
            Some(id) => {
                self.envs[id as usize] = env;
                id
            }
            None => {
                self.envs.push(env);
                (self.envs.len() - 1) as EnvId
            }
        }
    }

    /// Frees a dead environment's slot.
    pub fn release(&mut self, id: EnvId) {
        self.free.push(id);
    }

    #[inline]
    pub fn get(&self, id: EnvId) -> &Env {
        &self.envs[id as usize]
    }
}

/// An idle environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idle {
    pub id: EnvId,
    /// A timeout left it needing init before its next request (§3).
    pub needs_init: bool,
    pub created: u64,
    pub idle_since: Micros,
}

/// Is `a` a worse choice than `b` under `routing`? (The best entry is kept last.)
#[inline]
fn worse(routing: Routing, a: &Idle, b: &Idle) -> bool {
    match routing {
        Routing::Newest => a.created < b.created,
        Routing::Oldest => a.created > b.created,
        // most recently freed; among those freed at the same instant, the newest created
        Routing::Mru => (a.idle_since, a.created) < (b.idle_since, b.created),
    }
}

/// The idle environments of one function (on-demand or provisioned), in routing order.
///
/// The best entry is kept inline and the others in a vector sorted best-last. Most functions
/// have zero or one idle environment at a time, so a lookup or a release usually touches only
/// the function's own state, not a second allocation.
#[derive(Debug, Default, Clone)]
pub struct IdleSet {
    best: Option<Idle>,
    rest: Vec<Idle>,
}

impl IdleSet {
    #[inline]
    pub fn len(&self) -> usize {
        self.best.is_some() as usize + self.rest.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.best.is_none()
    }

    /// Adds an idle environment.
    #[inline]
    pub fn insert(&mut self, routing: Routing, idle: Idle) {
        let Some(best) = self.best else {
            self.best = Some(idle);
            return;
        };
        if worse(routing, &best, &idle) {
            // the new entry is the best; the old best is better than all the rest
            self.best = Some(idle);
            self.rest.push(best);
            return;
        }
        let mut pos = self.rest.len();
        while pos > 0 && worse(routing, &idle, &self.rest[pos - 1]) {
            pos -= 1;
        }
        self.rest.insert(pos, idle);
    }

    /// Removes and returns the best idle environment, whatever its state.
    #[inline]
    pub fn pop_best(&mut self) -> Option<Idle> {
        let best = self.best.take()?;
        if !self.rest.is_empty() {
            self.best = self.rest.pop();
        }
        Some(best)
    }

    /// The entries (best first), for sweeps.
    pub fn iter(&self) -> impl Iterator<Item = &Idle> + '_ {
        self.best.iter().chain(self.rest.iter().rev())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle(id: EnvId, created: u64, idle_since: Micros) -> Idle {
        Idle { id, needs_init: false, created, idle_since }
    }

    fn drain(set: &mut IdleSet) -> Vec<EnvId> {
        std::iter::from_fn(|| set.pop_best()).map(|e| e.id).collect()
    }

    #[test]
    fn newest_prefers_the_latest_created() {
        let mut set = IdleSet::default();
        for e in [idle(1, 1, 10), idle(0, 0, 50), idle(2, 2, 30)] {
            set.insert(Routing::Newest, e);
        }
        assert_eq!(drain(&mut set), vec![2, 1, 0]);
    }

    #[test]
    fn oldest_prefers_the_first_created() {
        let mut set = IdleSet::default();
        for i in (0..4).rev() {
            set.insert(Routing::Oldest, idle(i as u32, i, 100 - i));
        }
        assert_eq!(drain(&mut set), vec![0, 1, 2, 3]);
    }

    #[test]
    fn mru_prefers_the_latest_freed_and_ties_go_to_the_newest() {
        let mut set = IdleSet::default();
        for e in [idle(1, 1, 20), idle(3, 3, 30), idle(0, 0, 20), idle(2, 2, 5)] {
            set.insert(Routing::Mru, e);
        }
        assert_eq!(drain(&mut set), vec![3, 1, 0, 2]);
    }

    #[test]
    fn slots_are_reused_but_creation_order_is_not() {
        let mut envs = Environments::new();
        let a = envs.create(0);
        envs.release(a);
        let b = envs.create(5);
        assert_eq!(a, b);
        assert_eq!(envs.get(b).created, 1);
        assert_eq!(envs.get(b).born, 5);
    }
}

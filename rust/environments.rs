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

use std::collections::VecDeque;

use crate::config::Routing;
use crate::time::Micros;

pub type EnvId = u32;

/// One environment's record. Busy environments also hold the attempt they run.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub function: u32,
    /// Global creation order (provisioned environments first, then on-demand ones).
    pub created: u64,
    pub born: Micros,
    /// When it last became idle (meaningful while idle).
    pub idle_since: Micros,
    pub provisioned: bool,
    /// A timeout left it needing init before its next request (§3).
    pub needs_init: bool,
    /// The attempt running here (meaningful while busy).
    pub running: Running,
}

/// What the engine needs to resolve an attempt when its execution ends.
#[derive(Debug, Clone, Copy, Default)]
pub struct Running {
    pub request: u64,
    pub outcome: u8,
    pub cold: bool,
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

    /// Makes a new environment of `function` born at `now`; returns its id.
    pub fn create(&mut self, function: u32, now: Micros, provisioned: bool) -> EnvId {
        let env = Env {
            function,
            created: self.next_created,
            born: now,
            idle_since: now,
            provisioned,
            needs_init: false,
            running: Running::default(),
        };
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

    #[inline]
    pub fn get_mut(&mut self, id: EnvId) -> &mut Env {
        &mut self.envs[id as usize]
    }
}

/// A routing key: the idle environment with the largest key is used first.
type Key = (u64, u64);

#[inline]
fn key(routing: Routing, env: &Env) -> Key {
    match routing {
        Routing::Newest => (env.created, 0),
        Routing::Oldest => (u64::MAX - env.created, 0),
        // most recently freed; among those freed at the same instant, the newest created
        Routing::Mru => (env.idle_since, env.created),
    }
}

/// The idle environments of one function (on-demand or provisioned), sorted by routing key,
/// the best last. New keys are almost always the largest (a freed environment is the newest
/// freed, and the environments in use are usually the newest created), so inserting scans from
/// the back.
#[derive(Debug, Default, Clone)]
pub struct IdleSet {
    entries: VecDeque<(Key, EnvId)>,
}

impl IdleSet {
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds an idle environment.
    #[inline]
    pub fn insert(&mut self, routing: Routing, id: EnvId, env: &Env) {
        let k = key(routing, env);
        let n = self.entries.len();
        let mut pos = n;
        while pos > 0 && self.entries[pos - 1].0 > k {
            pos -= 1;
        }
        if pos == n {
            self.entries.push_back((k, id));
        } else if pos == 0 {
            self.entries.push_front((k, id));
        } else {
            self.entries.insert(pos, (k, id));
        }
    }

    /// Removes and returns the best idle environment, whatever its state.
    #[inline]
    pub fn pop_best(&mut self) -> Option<EnvId> {
        self.entries.pop_back().map(|(_, id)| id)
    }

    /// The ids in the set (best last), for sweeps.
    pub fn ids(&self) -> impl Iterator<Item = EnvId> + '_ {
        self.entries.iter().map(|&(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle_env(envs: &mut Environments, created_at: Micros, idle_since: Micros) -> EnvId {
        let id = envs.create(0, created_at, false);
        envs.get_mut(id).idle_since = idle_since;
        id
    }

    #[test]
    fn newest_prefers_the_latest_created() {
        let mut envs = Environments::new();
        let a = idle_env(&mut envs, 0, 50);
        let b = idle_env(&mut envs, 1, 10);
        let c = idle_env(&mut envs, 2, 30);
        let mut set = IdleSet::default();
        for id in [b, a, c] {
            set.insert(Routing::Newest, id, envs.get(id));
        }
        assert_eq!([set.pop_best(), set.pop_best(), set.pop_best()], [Some(c), Some(b), Some(a)]);
        assert_eq!(set.pop_best(), None);
    }

    #[test]
    fn oldest_prefers_the_first_created() {
        let mut envs = Environments::new();
        let ids: Vec<_> = (0..4).map(|i| idle_env(&mut envs, i, 100 - i)).collect();
        let mut set = IdleSet::default();
        for &id in ids.iter().rev() {
            set.insert(Routing::Oldest, id, envs.get(id));
        }
        let order: Vec<_> = std::iter::from_fn(|| set.pop_best()).collect();
        assert_eq!(order, ids);
    }

    #[test]
    fn mru_prefers_the_latest_freed_and_ties_go_to_the_newest() {
        let mut envs = Environments::new();
        let a = idle_env(&mut envs, 0, 20);
        let b = idle_env(&mut envs, 1, 20);
        let c = idle_env(&mut envs, 2, 5);
        let d = idle_env(&mut envs, 3, 30);
        let mut set = IdleSet::default();
        for id in [b, d, a, c] {
            set.insert(Routing::Mru, id, envs.get(id));
        }
        let order: Vec<_> = std::iter::from_fn(|| set.pop_best()).collect();
        assert_eq!(order, vec![d, b, a, c]);
    }

    #[test]
    fn slots_are_reused_but_creation_order_is_not() {
        let mut envs = Environments::new();
        let a = envs.create(0, 0, false);
        envs.release(a);
        let b = envs.create(1, 5, false);
        assert_eq!(a, b);
        assert_eq!(envs.get(b).created, 1);
        assert_eq!(envs.get(b).function, 1);
    }
}

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

use crate::model::config::Routing;
use crate::primitives::time::Micros;
use crate::primitives::grow::Grow;

pub(crate) type EnvId = u32;

/// What an environment keeps for its whole life.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Env {
    /// Global creation order (provisioned environments first, then on-demand ones; a
    /// provisioned environment has its number from the start, though made on first use).
    pub created: u64,
    pub born: Micros,
}

/// The slab of environment records, with a free list of reusable slots.
#[derive(Debug, Default)]
pub(crate) struct Environments {
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
                self.envs.grow(env, "execution environments");
                (self.envs.len() - 1) as EnvId
            }
        }
    }

    /// Sets aside `n` consecutive creation numbers (a function's provisioned environments,
    /// made lazily, on first use); returns the first.
    pub fn reserve_created(&mut self, n: u32) -> u64 {
        let first = self.next_created;
        self.next_created += u64::from(n);
        first
    }

    /// Makes an environment born at `now` with creation number `created`, one set aside by
    /// `reserve_created`; returns its id.
    pub fn create_numbered(&mut self, now: Micros, created: u64) -> EnvId {
        let id = self.create(now);
        self.next_created -= 1; // `create` numbered it next: that number is not used
        self.envs[id as usize].created = created;
        id
    }

    /// The creation number the next environment made will have.
    pub fn next_created(&self) -> u64 {
        self.next_created
    }

    /// Frees a dead environment's slot.
    pub fn release(&mut self, id: EnvId) {
        self.free.grow(id, "execution environments");
    }

    #[inline]
    pub fn get(&self, id: EnvId) -> &Env {
        &self.envs[id as usize]
    }
}

/// An idle environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Idle {
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
/// The best entry is kept inline (the head) and the others in a vector sorted best-last. Most
/// functions run zero or one execution at a time, so the usual cycle is: take the best entry,
/// then put the same environment back when its execution ends. That cycle must not touch the
/// vector (a second allocation, a likely cache miss), so taking the head does not refill it
/// from the vector: the head stays behind as a *bound*, which every entry of the vector is
/// worse than. An entry put back that is not worse than the bound (the environment just taken,
/// or any better one) becomes the head again without looking at the vector.
#[derive(Debug, Default, Clone)]
pub(crate) struct IdleSet {
    head: Head,
    rest: Vec<Idle>,
}

/// What the head holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum HeadState {
    /// Nothing was ever put in the set (and `rest` is empty).
    #[default]
    Empty,
    /// An entry of the set, better than every entry of `rest`.
    Full,
    /// No entry: the last one taken, kept as a bound that every entry of `rest` is worse than
    /// (the best entry, if any, is `rest`'s last).
    Taken,
}

/// An `Idle` with the head's state in its padding (24 bytes, like `Idle`).
#[derive(Debug, Default, Clone, Copy)]
struct Head {
    created: u64,
    idle_since: Micros,
    id: EnvId,
    needs_init: bool,
    state: HeadState,
}

const _: () = assert!(std::mem::size_of::<Head>() == std::mem::size_of::<Idle>());

impl Head {
    #[inline]
    fn new(idle: Idle, state: HeadState) -> Self {
        Head { created: idle.created, idle_since: idle.idle_since, id: idle.id, needs_init: idle.needs_init, state }
    }

    #[inline]
    fn idle(&self) -> Idle {
        Idle { id: self.id, needs_init: self.needs_init, created: self.created, idle_since: self.idle_since }
    }
}

impl IdleSet {
    #[inline]
    #[cfg(test)]
    pub fn len(&self) -> usize {
        (self.head.state == HeadState::Full) as usize + self.rest.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.head.state != HeadState::Full && self.rest.is_empty()
    }

    /// Adds an idle environment. The usual case (the head was taken and an entry at least as
    /// good comes back) is inlined; the rest is not.
    #[inline(always)]
    pub fn insert(&mut self, routing: Routing, idle: Idle) {
        if self.head.state == HeadState::Taken && !worse(routing, &idle, &self.head.idle()) {
            // at least as good as the bound, so better than all the rest
            self.head = Head::new(idle, HeadState::Full);
        } else {
            self.insert_slow(routing, idle);
        }
    }

    #[inline(never)]
    fn insert_slow(&mut self, routing: Routing, idle: Idle) {
        match self.head.state {
            HeadState::Full => {
                let head = self.head.idle();
                if worse(routing, &head, &idle) {
                    // the new entry is the best; the old head is better than all the rest
                    self.head = Head::new(idle, HeadState::Full);
                    self.rest.grow(head, "execution environments");
                    return;
                }
            }
            HeadState::Empty => {
                self.head = Head::new(idle, HeadState::Full);
                return;
            }
            HeadState::Taken => {} // worse than the bound: somewhere in the rest
        }
        let mut pos = self.rest.len();
        while pos > 0 && worse(routing, &idle, &self.rest[pos - 1]) {
            pos -= 1;
        }
        self.rest.room("execution environments");
        self.rest.insert(pos, idle);
    }

    /// Removes and returns the best idle environment, whatever its state.
    #[inline]
    pub fn pop_best(&mut self) -> Option<Idle> {
        if self.head.state == HeadState::Full {
            self.head.state = HeadState::Taken;
            return Some(self.head.idle());
        }
        let best = self.rest.pop()?;
        // the rest are worse than the entry taken: it is their bound now
        self.head = Head::new(best, HeadState::Taken);
        Some(best)
    }

    /// The entries (best first), for sweeps.
    pub fn iter(&self) -> impl Iterator<Item = Idle> + '_ {
        let head = (self.head.state == HeadState::Full).then(|| self.head.idle());
        head.into_iter().chain(self.rest.iter().rev().copied())
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

    /// Random takes and returns (mostly of environments just taken, as the engine does)
    /// against a plain list searched for the best entry, under every routing.
    #[test]
    fn matches_a_plain_list_under_random_takes_and_returns() {
        for routing in [Routing::Newest, Routing::Oldest, Routing::Mru] {
            for seed in 0..50u64 {
                let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                let mut next = move |n: u64| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state % n
                };
                let (mut set, mut list, mut out) = (IdleSet::default(), Vec::<Idle>::new(), Vec::<Idle>::new());
                let mut created = 0;
                for now in 0..400u64 {
                    match next(3) {
                        0 => {
                            let got = set.pop_best();
                            let best = (0..list.len()).reduce(|b, i| if worse(routing, &list[b], &list[i]) { i } else { b });
                            assert_eq!(got, best.map(|i| list.remove(i)), "{routing:?} seed {seed}");
                            out.extend(got);
                        }
                        1 if !out.is_empty() => {
                            // an environment taken earlier comes back, idle since now
                            let mut e = out.remove(next(out.len() as u64) as usize);
                            e.idle_since = now / 4; // equal idle times happen
                            set.insert(routing, e);
                            list.push(e);
                        }
                        _ => {
                            let e = idle(created as EnvId, created, now / 4);
                            created += 1;
                            set.insert(routing, e);
                            list.push(e);
                        }
                    }
                    assert_eq!(set.len(), list.len());
                    assert_eq!(set.is_empty(), list.is_empty());
                }
            }
        }
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

//! Lambda in a VPC (§13): the state that decides whether a function can be invoked at all —
//! Pending while its ENI is made, Inactive after a long idle spell, never when its VPC's ENI
//! quota was full — and, with legacy networking, the ENIs each VPC's environments hold.

use super::Core;
use crate::model::codes::Refusal;
use crate::model::config::{FunctionConfig, VpcConfig};
use crate::primitives::grow::Grow;
use crate::primitives::time::Micros;

/// A VPC function's state (Hyperplane networking, or a function whose ENI was refused).
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    /// Attempts before this instant are refused as Pending.
    active_from: Micros,
    no_eni: bool,
    inactive_after: Option<Micros>,
    eni_ready: Micros,
    /// The last admitted attempt, or when the function became Active.
    last_active: Micros,
}

impl Gate {
    /// The gate of a VPC function, or `None` when nothing can stop it (legacy networking).
    pub fn new(v: &VpcConfig) -> Option<Box<Gate>> {
        let needed = v.no_eni || v.active_from_us > 0 || v.inactive_after_us.is_some();
        needed.then(|| {
            Box::new(Gate {
                active_from: v.active_from_us,
                no_eni: v.no_eni,
                inactive_after: v.inactive_after_us,
                eni_ready: v.eni_ready_us,
                last_active: v.active_from_us,
            })
        })
    }

    /// Why an attempt at `now` is refused, if it is: the function is not Active (§13).
    pub fn refusal(&mut self, now: Micros) -> Option<Refusal> {
        if self.no_eni {
            return Some(Refusal::EniLimitReached);
        }
        if now < self.active_from {
            return Some(Refusal::FunctionPending);
        }
        let idle_since = self.last_active.max(self.active_from);
        if self.inactive_after.is_some_and(|idle| now - idle_since >= idle) {
            // its ENI was reclaimed: this attempt finds it Inactive, and a new ENI is made
            self.active_from = now.saturating_add(self.eni_ready);
            return Some(Refusal::FunctionInactive);
        }
        None
    }

    /// An attempt was admitted at `now`.
    #[inline]
    pub fn admitted(&mut self, now: Micros) {
        self.last_active = now;
    }
}

/// The ENIs of one VPC under legacy networking: one per environment of its functions.
#[derive(Debug, Clone, Default)]
struct EniPool {
    /// ENIs of environments not known to be gone: live ones, and idle ones past their death
    /// that admission has not met yet (idle expiry is lazy).
    held: u64,
    quota: u64,
    functions: Vec<u32>,
    /// No environment of the pool dies before this: while the pool is full, a sweep before
    /// then would free nothing (set by each sweep).
    next_free: Micros,
    /// The shortest an environment of the pool stays idle: its functions' shortest keep-alive
    /// (0 with a maximum lifetime, which may end an idle spell at once).
    min_idle: Micros,
}

/// Every legacy ENI pool, indexed as `Config::eni_quotas`.
#[derive(Debug, Clone, Default)]
pub(crate) struct EniPools(Vec<EniPool>);

impl EniPools {
    pub fn new(quotas: &[u32], functions: &[FunctionConfig]) -> Self {
        // `next_free` 0: the first sweep finds the environments warm at the start
        let mut pools: Vec<EniPool> =
            quotas.iter().map(|&q| EniPool { quota: u64::from(q), min_idle: Micros::MAX, ..EniPool::default() }).collect();
        for (f, cfg) in functions.iter().enumerate() {
            if let Some(p) = cfg.vpc.and_then(|v| v.eni_pool) {
                let pool = &mut pools[p as usize];
                pool.functions.push(f as u32);
                pool.held += u64::from(cfg.provisioned) + u64::from(cfg.warm_at_start);
                let min_idle = if cfg.max_lifetime_us.is_some() { 0 } else { cfg.keep_alive.min() };
                pool.min_idle = pool.min_idle.min(min_idle);
            }
        }
        EniPools(pools)
    }

    /// A new environment of pool `p` took an ENI.
    #[inline]
    pub fn taken(&mut self, p: u32) {
        self.0[p as usize].held += 1;
    }

    /// An environment of pool `p` was found gone: its ENI is free.
    #[inline]
    pub fn freed(&mut self, p: u32) {
        self.0[p as usize].held -= 1;
    }

    fn full(&self, p: u32) -> bool {
        let pool = &self.0[p as usize];
        pool.held >= pool.quota
    }
}

impl Core {
    /// Whether a new environment of a function of ENI pool `p` can get an ENI at `now`. At
    /// the quota, the idle environments of the pool's functions that died are found first
    /// (their ENIs are free since their death), so the count is exact.
    pub(crate) fn eni_room(&mut self, p: u32, now: Micros) -> bool {
        if !self.enis.full(p) {
            return true;
        }
        if now < self.enis.0[p as usize].next_free {
            return false;
        }
        let routing = self.routing;
        let mut next_free = Micros::MAX;
        for i in 0..self.enis.0[p as usize].functions.len() {
            let f = self.enis.0[p as usize].functions[i];
            let func = &mut self.functions[f as usize];
            let (mut kept, mut gone) = (Vec::new(), Vec::new());
            while let Some(idle) = func.idle.pop_best() {
                let death = func.death(&idle, &self.envs);
                if death <= now {
                    gone.grow((idle, death), "execution environments");
                } else {
                    next_free = next_free.min(death);
                    kept.grow(idle, "execution environments");
                }
            }
            // worst first: each goes in at the head, in O(1)
            for idle in kept.into_iter().rev() {
                func.idle.insert(routing, idle);
            }
            for (idle, death) in gone {
                self.metrics.environment_gone(now, f, self.envs.get(idle.id).born, death);
                self.envs.release(idle.id);
                self.enis.freed(p);
            }
        }
        // an environment idle from now on dies `min_idle` later at the earliest
        let pool = &mut self.enis.0[p as usize];
        pool.next_free = next_free.min(now.saturating_add(pool.min_idle));
        !self.enis.full(p)
    }
}

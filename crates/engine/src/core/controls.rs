//! Changes while the run goes on (§16): a function's reservation, its provisioned concurrency
//! (environments allocated over time, released at once or when their execution ends), and
//! updates of its configuration or code, which retire its on-demand environments. Python checks
//! each change with AWS's rules at its instant; here it only takes effect, and is logged.

use super::admission::{Function, RATE_WINDOW_US};
use super::environments::{EnvId, Idle};
use super::executions::Execution;
use super::{Core, Timer};
use crate::model::change::{Applied, AppliedKind, Change};
use crate::model::config::Routing;
use crate::primitives::grow::Grow;
use crate::primitives::time::Micros;
use crate::primitives::window::SlidingWindow;

/// A function's configuration as changes leave it, and its provisioned environments'
/// allocation. (Cold: read only by changes, by allocations, and by the ends of executions of
/// a function some change touched.)
#[derive(Debug, Default)]
pub(crate) struct Control {
    pub reserved: Option<u32>,
    /// The provisioned concurrency configured.
    pub provisioned: u32,
    /// Provisioned environments that exist: idle, busy, or not made yet (`unused_provisioned`).
    pub alive: u32,
    /// Of those, busy ones to retire when their execution ends (a decrease found them busy).
    pub excess: u32,
    /// Allocations in progress: (when they are ready, how many environments).
    pub pending: Vec<(Micros, u32)>,
    /// On-demand environments created before this number are of an old version: retired when
    /// their execution ends.
    pub retire_below: u64,
    /// The last update's instant: a provisioned execution started before it ran on an
    /// environment the update replaces when the execution ends.
    pub updated_at: Option<Micros>,
}

impl Control {
    pub fn new(reserved: Option<u32>, provisioned: u32) -> Control {
        Control { reserved, provisioned, alive: provisioned, ..Control::default() }
    }

    /// Provisioned environments usable now or once their allocation ends.
    fn counted(&self) -> u64 {
        u64::from(self.alive - self.excess) + self.pending.iter().map(|&(_, n)| u64::from(n)).sum::<u64>()
    }
}

impl Core {
    /// Applies `change` at `now` (before every other event at `now`).
    pub fn apply(&mut self, change: Change, now: Micros) {
        let f = change.function();
        self.functions[f as usize].controlled = true;
        let kind = match change {
            Change::Reserved { reserved, unreserved_capacity, .. } => {
                self.set_reserved(f, reserved, unreserved_capacity, now);
                AppliedKind::Reserved
            }
            Change::Provisioned { provisioned, ready_us, unreserved_capacity, .. } => {
                self.set_provisioned(f, provisioned, ready_us, unreserved_capacity, now);
                AppliedKind::Provisioned
            }
            Change::Update { timeout_us, .. } => {
                self.update(f, timeout_us, now);
                AppliedKind::Update
            }
        };
        self.log_change(f, kind, now);
    }

    fn set_reserved(&mut self, f: u32, reserved: Option<u32>, unreserved_capacity: u32, now: Micros) {
        let func = &mut self.functions[f as usize];
        let was_unreserved = func.control.reserved.is_none();
        func.control.reserved = reserved;
        func.limit_on_demand();
        // its on-demand executions running, and the released provisioned ones, leave (or
        // join) the unreserved pool's count
        match (was_unreserved, reserved.is_none()) {
            (true, false) => {
                self.pool.unreserved_in_use -= func.pool.on_demand;
                self.pool.hold(func.control.excess, false);
            }
            (false, true) => {
                self.pool.unreserved_in_use += func.pool.on_demand;
                self.pool.hold(func.control.excess, true);
            }
            _ => {}
        }
        self.pool.configure(unreserved_capacity);
        func.zero_reserved = reserved == Some(0);
        // the reservation's request-rate window keeps the admissions it holds (§14)
        func.rate = match (self.requests_per_concurrency, reserved) {
            (Some(k), Some(rc)) if rc > 0 => {
                let cap = u64::from(k) * u64::from(rc);
                let mut w = func.rate.take().unwrap_or_else(|| Box::new(SlidingWindow::new(cap, RATE_WINDOW_US)));
                w.set_cap(cap);
                Some(w)
            }
            _ => None,
        };
        self.metrics.reconfigured(now, f, reserved.is_none(), &self.pool);
    }

    fn set_provisioned(&mut self, f: u32, provisioned: u32, ready_us: Micros, unreserved_capacity: u32, now: Micros) {
        let func = &mut self.functions[f as usize];
        let c = &mut func.control;
        let counted = c.counted();
        c.provisioned = provisioned;
        func.has_provisioned = provisioned > 0;
        self.pool.configure(unreserved_capacity);
        let wanted = u64::from(provisioned);
        // the function's first provisioned environments are not ready yet (the function's
        // `provisioned_ready_s`): those a change adds are ready no earlier; with none of the
        // first left, nothing waits for them any more
        let mut ready_us = ready_us;
        let func = &mut self.functions[f as usize];
        if now < func.provisioned_ready_us {
            if counted == 0 {
                func.provisioned_ready_us = 0;
            } else {
                ready_us = ready_us.max(func.provisioned_ready_us - now);
            }
        }
        if wanted > counted {
            let more = (wanted - counted) as u32;
            if ready_us == 0 {
                self.add_provisioned(f, more, now);
            } else {
                let at = now.saturating_add(ready_us);
                let c = &mut self.functions[f as usize].control;
                c.pending.grow((at, more), "provisioned concurrency allocations");
                self.timers.schedule(at, Timer::Provisioned(f));
            }
        } else if wanted < counted {
            // allocations in progress are cancelled first, the newest first
            let mut drop = (counted - wanted) as u32;
            let c = &mut self.functions[f as usize].control;
            while drop > 0 {
                let Some(last) = c.pending.last_mut() else { break };
                let take = last.1.min(drop);
                last.1 -= take;
                drop -= take;
                if last.1 == 0 {
                    c.pending.pop();
                }
            }
            self.release_provisioned(f, drop, now);
        }
        self.functions[f as usize].limit_on_demand();
        self.metrics.reconfigured(now, f, self.functions[f as usize].control.reserved.is_none(), &self.pool);
    }

    /// The allocations of `f` due by `now` end (a `Timer::Provisioned`; one whose allocation
    /// was cancelled finds nothing due).
    pub fn provisioned_ready(&mut self, f: u32, now: Micros) {
        let c = &mut self.functions[f as usize].control;
        // cancelled allocations leave nothing behind, so every entry due adds environments
        let due: u32 = c.pending.iter().filter(|&&(at, _)| at <= now).map(|&(_, n)| n).sum();
        if due == 0 {
            return;
        }
        c.pending.retain(|&(at, _)| at > now);
        self.add_provisioned(f, due, now);
        self.log_change(f, AppliedKind::ProvisionedReady, now);
    }

    /// `n` more provisioned environments of `f`, initialised and idle at `now`: busy ones a
    /// decrease was to retire are kept first.
    fn add_provisioned(&mut self, f: u32, n: u32, now: Micros) {
        let func = &mut self.functions[f as usize];
        let kept = func.control.excess.min(n);
        func.control.excess -= kept;
        if func.control.reserved.is_none() {
            self.pool.hold(kept, false);
        }
        for _ in kept..n {
            let id = self.envs.create(now);
            let created = self.envs.get(id).created;
            func.provisioned_idle.insert(self.routing, Idle { id, needs_init: false, created, idle_since: now });
            self.metrics.environment_made(now, f);
        }
        func.control.alive += n - kept;
        func.limit_on_demand();
    }

    /// Releases `n` provisioned environments of `f` at `now`: those never made, then idle ones
    /// (the worst under the routing, keeping the warmest), then busy ones when they end.
    fn release_provisioned(&mut self, f: u32, mut n: u32, now: Micros) {
        let func = &mut self.functions[f as usize];
        let unused = u64::from(n).min(func.n_unused_provisioned()) as u32;
        // the unused ones taken last under the routing go first
        let r = &mut func.unused_provisioned;
        match self.routing {
            Routing::Oldest => r.end -= u64::from(unused),
            Routing::Newest | Routing::Mru => r.start += u64::from(unused),
        }
        for _ in 0..unused {
            self.metrics.environment_gone(now, f, 0, now);
        }
        func.control.alive -= unused;
        n -= unused;
        let mut idle: Vec<Idle> = func.provisioned_idle.iter().collect();
        let from_idle = (n as usize).min(idle.len());
        // `iter` lists the best first: the last `from_idle` go
        let keep = idle.len() - from_idle;
        let gone: Vec<Idle> = idle.split_off(keep);
        if !gone.is_empty() {
            func.provisioned_idle = Default::default();
            for e in idle {
                func.provisioned_idle.insert(self.routing, e);
            }
            if func.provisioned_idle.is_empty() && func.n_unused_provisioned() > 0 {
                func.make_unused_provisioned(self.routing, &mut self.envs);
            }
        }
        func.control.alive -= gone.len() as u32;
        func.control.excess += n - gone.len() as u32;
        if func.control.reserved.is_none() {
            self.pool.hold(n - gone.len() as u32, true);
        }
        for e in gone {
            self.retire(f, e.id, false, now, now);
        }
    }

    /// Retires every idle on-demand environment of `f` at `now`; busy ones go when they end.
    /// Provisioned environments are replaced without a gap: each is initialised afresh with
    /// the new code, so one owing a re-init (after a timeout) owes none from now on.
    fn update(&mut self, f: u32, timeout_us: Option<Micros>, now: Micros) {
        let routing = self.routing;
        let func = &mut self.functions[f as usize];
        func.control.retire_below = self.envs.next_created();
        func.control.updated_at = Some(now);
        let provisioned: Vec<Idle> = std::iter::from_fn(|| func.provisioned_idle.pop_best()).collect();
        for e in provisioned {
            func.provisioned_idle.insert(routing, Idle { needs_init: false, ..e });
        }
        if let Some(t) = timeout_us {
            func.timeout_us = t;
            if func.hang_us != 0 {
                func.hang_us = t + 1;
            }
        }
        let idle: Vec<Idle> = std::iter::from_fn(|| func.idle.pop_best()).collect();
        for e in idle {
            // one already past its expiry died then (expiry is lazy)
            let death = self.functions[f as usize].death(&e, &self.envs).min(now);
            self.retire(f, e.id, true, now, death);
        }
    }

    /// The end of an execution of a function some change touched: its environment goes idle,
    /// unless a decrease of provisioned concurrency or an update retires it.
    #[cold]
    #[inline(never)]
    pub fn end_controlled(&mut self, x: &Execution, end: Micros) {
        let (f, provisioned) = (x.function, x.provisioned);
        let idle = Idle { id: x.env, needs_init: x.needs_init, created: x.created, idle_since: end };
        let func = &mut self.functions[f as usize];
        let c = &mut func.control;
        if provisioned && c.excess > 0 {
            c.excess -= 1;
            c.alive -= 1;
            if c.reserved.is_none() {
                self.pool.hold(1, false);
            }
            func.limit_on_demand();
        } else if !provisioned && idle.created < c.retire_below {
        } else {
            let set = if provisioned { &mut func.provisioned_idle } else { &mut func.idle };
            // a provisioned environment busy at an update is replaced when its execution ends
            let needs_init = idle.needs_init && !(provisioned && c.updated_at.is_some_and(|u| x.start < u));
            set.insert(self.routing, Idle { needs_init, ..idle });
            return;
        }
        self.retire(f, idle.id, !provisioned, end, end);
    }

    /// Environment `id` of `f` is gone at `death` (found at `now`); an on-demand one
    /// (`on_demand`) gives back its ENI under legacy VPC networking (§13).
    fn retire(&mut self, f: u32, id: EnvId, on_demand: bool, now: Micros, death: Micros) {
        let born = self.envs.get(id).born;
        self.metrics.environment_gone(now, f, born, death);
        self.envs.release(id);
        if let Some(p) = self.functions[f as usize].eni_pool.filter(|_| on_demand) {
            self.enis.freed(p);
        }
    }

    fn log_change(&mut self, f: u32, kind: AppliedKind, now: Micros) {
        let (billed_ms, provisioned_billed_ms) = self.metrics.billed_so_far(now, f);
        let func: &Function = &self.functions[f as usize];
        let c = &func.control;
        self.metrics.provisioned_ready(now, f, c.alive - c.excess);
        let row = Applied {
            time: now,
            function: f,
            kind,
            reserved: c.reserved,
            provisioned: c.provisioned,
            provisioned_ready: c.alive - c.excess,
            billed_ms,
            provisioned_billed_ms,
        };
        self.changes.grow(row, "changes applied");
    }
}

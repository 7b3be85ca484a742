//! The event loop (§1) and admission (§4) — the one place where time moves.
//!
//! Verbs: `submit` checks and numbers a chunk of rows; `advance` runs the loop up to a time;
//! `report` reads the statistics at the horizon. Within one instant the loop processes
//! (1) executions that end, in start order, (2) idle expiry — lazy, see `environments` —
//! (3) timers (none yet), (4) arrivals in input order.

use crate::config::{Config, FunctionConfig, Routing, Scaling};
use crate::environments::{EnvId, Environments, IdleSet, Running};
use crate::error::Error;
use crate::events::Executions;
use crate::pool::{FunctionPool, Pool};
use crate::results::{AccountStats, FunctionStats, Outcome, Record, Report, Sink, ThrottleReason};
use crate::scaling::TokenBucket;
use crate::time::{to_seconds, Micros};
use crate::workload::{Arrival, Cursor, Rows};

/// Runtime state of one function.
#[derive(Debug)]
struct Function {
    pool: FunctionPool,
    idle: IdleSet,
    provisioned_idle: IdleSet,
    bucket: Option<TokenBucket>,
    cfg: FunctionConfig,
    stats: FunctionStats,
    /// Σ (death − birth) of environments already gone, in µs.
    dead_env_us: u128,
}

pub struct Engine {
    routing: Routing,
    functions: Vec<Function>,
    envs: Environments,
    executions: Executions,
    pool: Pool,
    /// The legacy account-wide scaling bucket.
    account_bucket: Option<TokenBucket>,
    /// The time of the last event processed (or the last `until`).
    now: Micros,
    /// When the last request was resolved (the horizon of a run without `until`).
    last_resolved: Micros,
    /// Request ids handed out so far; the next chunk starts here.
    next_request: u64,
    /// The last arrival time submitted (a new chunk may not start before it).
    last_submitted: Micros,
    last_submitted_s: f64,
}

impl Engine {
    pub fn new(config: Config) -> Result<Engine, Error> {
        config.check()?;
        let Config { account, functions, routing } = config;
        let (per_function, account_bucket) = match account.scaling {
            Scaling::Off => (None, None),
            Scaling::PerFunction { burst, cost_us } => (Some(TokenBucket::new(burst, cost_us)), None),
            Scaling::Account { burst, cost_us } => (None, Some(TokenBucket::new(burst, cost_us))),
        };
        let mut envs = Environments::new();
        let mut fns = Vec::with_capacity(functions.len());
        for (index, cfg) in functions.into_iter().enumerate() {
            // Provisioned environments exist from time 0, initialised (§3), in function order.
            let mut provisioned_idle = IdleSet::default();
            for _ in 0..cfg.provisioned {
                let id = envs.create(index as u32, 0, true);
                let ready = cfg.provisioned_ready_us;
                envs.get_mut(id).idle_since = ready;
                provisioned_idle.insert(routing, id, envs.get(id));
            }
            fns.push(Function {
                pool: FunctionPool::new(cfg.reserved, cfg.provisioned),
                idle: IdleSet::default(),
                provisioned_idle,
                bucket: per_function.clone(),
                cfg,
                stats: FunctionStats::default(),
                dead_env_us: 0,
            });
        }
        Ok(Engine {
            routing,
            functions: fns,
            envs,
            executions: Executions::new(),
            pool: Pool::new(account.unreserved_capacity),
            account_bucket,
            now: 0,
            last_resolved: 0,
            next_request: 0,
            last_submitted: 0,
            last_submitted_s: 0.0,
        })
    }

    pub fn n_functions(&self) -> usize {
        self.functions.len()
    }

    /// The simulated time the engine has reached.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// Checks a chunk and hands out its request ids; returns the first id. The caller keeps the
    /// rows and passes them to `advance` (through a `Cursor`) with `first_id` set to it.
    pub fn submit(&mut self, rows: &Rows<'_>) -> Result<u64, Error> {
        let (not_before, not_before_s) = if self.now > self.last_submitted {
            (self.now, to_seconds(self.now))
        } else {
            (self.last_submitted, self.last_submitted_s)
        };
        let last = rows.validate(self.functions.len(), not_before, not_before_s)?;
        if let Some(&t) = rows.time.last() {
            self.last_submitted = last;
            self.last_submitted_s = t;
        }
        let first = self.next_request;
        self.next_request += rows.len() as u64;
        Ok(first)
    }

    /// Runs the loop until `until` (inclusive; `None`: until nothing is left), sending every
    /// request resolved on the way to `sink`.
    pub fn advance<S: Sink>(&mut self, until: Option<Micros>, arrivals: &mut Cursor<'_>, sink: &mut S) -> Result<(), Error> {
        if let Some(u) = until {
            if u < self.now {
                return Err(Error::Config(format!(
                    "until={} is before the simulator's current time {}",
                    to_seconds(u),
                    to_seconds(self.now)
                )));
            }
        }
        let limit = until.unwrap_or(Micros::MAX);
        while let Some(&a) = arrivals.peek() {
            if a.time > limit {
                break;
            }
            arrivals.pop();
            self.finish_until(a.time, sink);
            self.now = a.time;
            self.arrive(a, sink);
        }
        self.finish_until(limit, sink);
        if let Some(u) = until {
            self.now = u;
        }
        Ok(())
    }

    /// Processes every execution that ends at or before `t`.
    #[inline]
    fn finish_until<S: Sink>(&mut self, t: Micros, sink: &mut S) {
        while let Some((end, env)) = self.executions.pop_due(t) {
            self.now = end;
            self.finish(env, end, sink);
        }
    }

    /// One attempt of a synchronous request arrives (§4, §5).
    #[inline]
    fn arrive<S: Sink>(&mut self, a: Arrival, sink: &mut S) {
        match self.admit(a.function, a.time) {
            Ok((env, cold)) => self.start(env, cold, &a),
            Err(reason) => {
                let s = &mut self.functions[a.function as usize].stats;
                s.throttles += 1;
                s.throttles_by_reason[reason as usize - 1] += 1;
                self.resolve(
                    sink,
                    Record {
                        request: a.request,
                        outcome: Outcome::Throttled,
                        reason,
                        attempts: 0,
                        throttles: 1,
                        cold_starts: 0,
                        end: a.time,
                    },
                );
            }
        }
    }

    /// Admission (§4): finds the environment an attempt of `f` runs on at `now`, or why not.
    /// Returns the environment and whether the attempt pays init (a cold start).
    #[inline]
    fn admit(&mut self, f: u32, now: Micros) -> Result<(EnvId, bool), ThrottleReason> {
        let func = &mut self.functions[f as usize];
        // 1. an idle provisioned environment, once they are ready
        if !func.provisioned_idle.is_empty() && now >= func.cfg.provisioned_ready_us {
            let id = func.provisioned_idle.pop_best().expect("non-empty");
            self.pool.acquire(&mut func.pool, false);
            func.stats.provisioned_invocations += 1;
            return Ok((id, self.envs.get(id).needs_init));
        }
        // 2-3. the function's reservation, or the unreserved pool
        self.pool.check_on_demand(&func.pool)?;
        // a live idle on-demand environment: warm (or re-init after a timeout); dead ones met on
        // the way are discarded (their lifetime ended at idle_since + idle_timeout)
        let idle_timeout = func.cfg.idle_timeout_us;
        let mut found = None;
        while let Some(id) = func.idle.pop_best() {
            let env = self.envs.get(id);
            let death = env.idle_since.saturating_add(idle_timeout);
            if now < death {
                found = Some((id, env.needs_init));
                break;
            }
            func.dead_env_us += (death - env.born) as u128;
            self.envs.release(id);
        }
        let (id, cold) = match found {
            Some(x) => x,
            None => {
                // 4. a new environment needs a scaling token
                let bucket = match &mut func.bucket {
                    Some(b) => Some(b),
                    None => self.account_bucket.as_mut(),
                };
                if let Some(b) = bucket {
                    if !b.try_take(now) {
                        return Err(ThrottleReason::FunctionScalingRateExceeded);
                    }
                }
                func.stats.environments_created += 1;
                (self.envs.create(f, now, false), true)
            }
        };
        self.pool.acquire(&mut func.pool, true);
        if func.cfg.provisioned > 0 {
            func.stats.spillover_invocations += 1;
        }
        Ok((id, cold))
    }

    /// Starts an admitted attempt on `env` (§5: how an attempt that runs ends).
    #[inline]
    fn start(&mut self, id: EnvId, cold: bool, a: &Arrival) {
        let func = &mut self.functions[a.function as usize];
        let timeout = func.cfg.timeout_us;
        let timed_out = a.duration > timeout;
        let outcome = if timed_out {
            Outcome::Timeout
        } else if a.failures > 0 {
            Outcome::Error
        } else {
            Outcome::Success
        };
        let end = a.time + if cold { func.cfg.init_us } else { 0 } + a.duration.min(timeout);
        let s = &mut func.stats;
        s.invocations += 1;
        s.cold_starts += cold as u64;
        s.errors += (outcome != Outcome::Success) as u64;
        s.timeouts += timed_out as u64;
        let env = self.envs.get_mut(id);
        env.needs_init = timed_out;
        env.running = Running { request: a.request, outcome: outcome as u8, cold };
        self.executions.schedule(end, id);
    }

    /// An execution ends at `end`: its environment goes idle and its request is resolved.
    #[inline]
    fn finish<S: Sink>(&mut self, id: EnvId, end: Micros, sink: &mut S) {
        let routing = self.routing;
        let env = self.envs.get_mut(id);
        env.idle_since = end;
        let running = env.running;
        let func = &mut self.functions[env.function as usize];
        let provisioned = env.provisioned;
        self.pool.release(&mut func.pool, !provisioned);
        let env = self.envs.get(id);
        if provisioned {
            func.provisioned_idle.insert(routing, id, env);
        } else {
            func.idle.insert(routing, id, env);
        }
        let outcome = match running.outcome {
            2 => Outcome::Error,
            3 => Outcome::Timeout,
            _ => Outcome::Success,
        };
        self.resolve(
            sink,
            Record {
                request: running.request,
                outcome,
                reason: ThrottleReason::None,
                attempts: 1,
                throttles: 0,
                cold_starts: running.cold as u16,
                end,
            },
        );
    }

    #[inline]
    fn resolve<S: Sink>(&mut self, sink: &mut S, record: Record) {
        self.last_resolved = self.last_resolved.max(record.end);
        sink.resolved(&record);
    }

    /// The horizon of a report: `until`, or when the last request was resolved.
    pub fn horizon(&self, until: Option<Micros>) -> Micros {
        until.unwrap_or(self.last_resolved)
    }

    /// Statistics over [0, horizon] (§10 whole-run figures).
    pub fn report(&self, horizon: Micros) -> Report {
        let mut alive_us: Vec<u128> = self.functions.iter().map(|f| f.dead_env_us).collect();
        let lifetime = |born: Micros, death: Micros| (death.min(horizon).saturating_sub(born)) as u128;
        for (i, f) in self.functions.iter().enumerate() {
            for id in f.idle.ids() {
                let e = self.envs.get(id);
                alive_us[i] += lifetime(e.born, e.idle_since.saturating_add(f.cfg.idle_timeout_us));
            }
            for id in f.provisioned_idle.ids() {
                alive_us[i] += lifetime(self.envs.get(id).born, Micros::MAX);
            }
        }
        for id in self.executions.envs() {
            let e = self.envs.get(id);
            alive_us[e.function as usize] += lifetime(e.born, Micros::MAX);
        }
        let avg = |us: u128| if horizon == 0 { 0.0 } else { us as f64 / horizon as f64 };
        let functions = self
            .functions
            .iter()
            .zip(&alive_us)
            .map(|(f, &us)| FunctionStats {
                max_concurrency: f.pool.max_running,
                avg_environments: avg(us),
                ..f.stats.clone()
            })
            .collect();
        Report {
            horizon,
            functions,
            account: AccountStats {
                max_concurrency: self.pool.max_running,
                max_unreserved_concurrency: self.pool.max_unreserved,
                avg_environments: avg(alive_us.iter().sum()),
            },
        }
    }

    /// Executions running now.
    pub fn running(&self) -> usize {
        self.executions.len()
    }
}

//! The third layer: the compute model every invocation goes through, whoever makes it — the
//! account's pool and each function's reservation (§2), execution environments and their idle
//! sets (§3), scaling tokens and admission (§4), executions in flight (§5), requests between
//! attempts (§6, client retries), destinations of asynchronous results, and the one metrics
//! recorder. Event sources (the layer above) invoke through `Core::admit` and `Core::start`
//! like any request.

pub(crate) mod admission;
pub(crate) mod controls;
pub(crate) mod destinations;
pub(crate) mod environments;
pub(crate) mod executions;
pub(crate) mod lifetimes;
pub(crate) mod metrics;
pub(crate) mod pool;
pub(crate) mod requests;
pub(crate) mod scaling;
pub(crate) mod traces;
pub(crate) mod vpc;

use crate::model::change::Applied;
use crate::model::config::{ClientRetries, FunctionConfig, Routing, Scaling};
use crate::model::error::{try_filled, try_reserve, Error};
use crate::model::output::{Record, Sink};
use crate::primitives::rng::SplitMix64;
use crate::primitives::time::Micros;
use crate::primitives::wheel::Wheel;
use admission::{AdmissionLimits, Function};
use destinations::DestinationLog;
use environments::{EnvId, Environments};
use executions::Executions;
use metrics::Recorder;
use pool::Pool;
use requests::PendingSet;
use scaling::TokenBucket;
use traces::Tracer;
use vpc::EniPools;
use crate::primitives::window::SlidingWindow;

/// A timer or a batch of an event source, as the core carries it: the kind of source (numbered
/// by the sources layer, which alone knows the kinds) and an index within that kind (a stream
/// lane, a queue timer or batch ...). The core only hands it back, so a new kind of source
/// needs nothing here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceRef {
    pub kind: SourceKind,
    pub id: u32,
}

/// A kind of event source, as the sources layer numbers its kinds (`sources::STREAM` ...); the
/// core only carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceKind(pub u8);

/// What a timer does when it fires. Every timer shares one wheel, so that timers due at the
/// same instant fire in the order they were scheduled (§1 class 3), whoever owns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// The next attempt of a request with a record (an event, or a caller retrying).
    Retry(u32),
    /// An event source's timer (a `SourceRef`, its fields inline so that the tag shares their
    /// padding): a stream lane's poll, batching window or retry; a queue's ramp tick, batching
    /// window or message return.
    Source { kind: SourceKind, id: u32 },
    /// The end of an allocation of provisioned environments of a function (§16).
    Provisioned(u32),
}

// 8 bytes keeps the wheel's nodes at 24, which the timer-heavy runs (storms, streams) read most
const _: () = assert!(std::mem::size_of::<Timer>() == 8);

/// The compute model's state.
pub(crate) struct Core {
    pub routing: Routing,
    pub functions: Vec<Function>,
    pub envs: Environments,
    pub executions: Executions,
    pub pool: Pool,
    /// The legacy account-wide scaling bucket.
    pub account_bucket: Option<TokenBucket>,
    /// The account's request-rate window (§14).
    pub rate: Option<SlidingWindow>,
    /// Legacy VPC networking's ENIs, per VPC (§13).
    pub enis: EniPools,
    pub metrics: Recorder,
    /// Every timer of the engine (§1 class 3).
    pub timers: Wheel<Timer>,
    /// Requests between attempts: asynchronous events, synchronous callers retrying.
    pub pending: PendingSet,
    pub client_retries: Option<ClientRetries>,
    /// The engine's one random stream (client retry jitter).
    pub rng: SplitMix64,
    pub destinations: Vec<DestinationLog>,
    /// When the last request or record was resolved (the horizon of a run without `until`).
    pub last_resolved: Micros,
    /// Which requests are traced, and the rows of their attempts (docs/traces.md).
    pub tracer: Tracer,
    /// The request-rate limit's requests per second per unit of concurrency (§14), for the
    /// windows of reservations made while running.
    pub requests_per_concurrency: Option<u32>,
    /// What the changes while running did, in order (§16).
    pub changes: Vec<Applied>,
}

/// What `Core::new` needs beyond the functions.
pub(crate) struct CoreConfig {
    pub concurrency_unreserved: u32,
    pub scaling: Scaling,
    pub routing: Routing,
    pub destinations: u32,
    pub client_retries: Option<ClientRetries>,
    pub seed: u64,
    pub n_sources: usize,
    pub metrics_period_us: Option<Micros>,
    pub concurrency_limit: u32,
    pub requests_per_concurrency: Option<u32>,
    pub eni_quotas: Vec<u32>,
}

impl Core {
    /// The state at time 0. What the configuration sizes (functions, destinations) is reserved
    /// fallibly: `Error::OutOfMemory` when it does not fit. Provisioned environments are made
    /// on first use (`Function::make_unused_provisioned`).
    pub fn new(c: CoreConfig, functions: Vec<FunctionConfig>) -> Result<Core, Error> {
        let (per_function, account_bucket) = match c.scaling {
            Scaling::Off => (None, None),
            Scaling::PerFunction { burst, cost_us } => (Some(TokenBucket::new(burst, cost_us)), None),
            Scaling::Account { burst, cost_us } => (None, Some(TokenBucket::new(burst, cost_us))),
        };
        let mut envs = Environments::new();
        let provisioned: u64 = functions.iter().map(|f| u64::from(f.provisioned) + u64::from(f.warm_at_start)).sum();
        if provisioned > u64::from(EnvId::MAX) {
            // environment ids are 32-bit: refused before anything runs
            return Err(Error::OutOfMemory { what: "provisioned and warm environments", count: provisioned });
        }
        let n_functions = functions.len();
        // provisioned and warm environments are alive from time 0 (§3, §3.1)
        let alive_at_start: Vec<u32> = functions.iter().map(|f| f.provisioned + f.warm_at_start).collect();
        let unreserved: Vec<bool> = functions.iter().map(|f| f.reserved.is_none()).collect();
        let traced: Vec<bool> = functions.iter().map(|f| f.traced).collect();
        // Duration's histograms reach the longest timeout AWS allows, which an update while
        // running may give any function (§16); their buckets do not depend on the range
        let timeouts: Vec<Micros> = functions.iter().map(|f| f.timeout_us.max(metrics::LONGEST_TIMEOUT_US)).collect();
        let provisioned_at_start: Vec<u32> = functions.iter().map(|f| f.provisioned).collect();
        let metrics = Recorder::new(&alive_at_start, &provisioned_at_start, &unreserved, &timeouts, c.n_sources, c.metrics_period_us)
            .map_err(|e| Error::OutOfMemory { what: e.what, count: e.count })?;
        let enis = EniPools::new(&c.eni_quotas, &functions);
        let limits = AdmissionLimits { routing: c.routing, bucket: per_function, seed: c.seed, requests_per_concurrency: c.requests_per_concurrency };
        let mut built = Vec::new();
        try_reserve(&mut built, n_functions as u64, "functions")?;
        for f in functions {
            built.push(Function::new(f, &limits, &mut envs));
        }
        let rate = c.requests_per_concurrency.map(|k| SlidingWindow::new(u64::from(k) * u64::from(c.concurrency_limit), admission::RATE_WINDOW_US));
        Ok(Core {
            routing: c.routing,
            functions: built,
            envs,
            executions: Executions::new(),
            pool: Pool::new(c.concurrency_unreserved).with_limit(c.concurrency_limit),
            account_bucket,
            rate,
            enis,
            metrics,
            timers: Wheel::new(),
            pending: PendingSet::default(),
            client_retries: c.client_retries,
            rng: SplitMix64::new(c.seed),
            destinations: try_filled(DestinationLog::default(), u64::from(c.destinations), "destinations")?,
            last_resolved: 0,
            tracer: Tracer::new(traced, c.seed),
            requests_per_concurrency: c.requests_per_concurrency,
            changes: Vec::new(),
        })
    }

    /// A request resolved: to the sink.
    #[inline]
    pub fn resolve<S: Sink>(&mut self, sink: &mut S, record: Record) {
        self.last_resolved = self.last_resolved.max(record.end);
        sink.resolved(&record);
    }

    /// An event source's record resolved at `now` (the sink has it from the source).
    #[inline]
    pub fn resolved_at(&mut self, now: Micros) {
        self.last_resolved = self.last_resolved.max(now);
    }

    /// Every environment alive now, as (function, birth, death): an idle one dies at its
    /// expiry (idle expiry is lazy, so some listed may be past it), a provisioned or busy one
    /// not before the horizon (`Micros::MAX`).
    pub fn live_environments(&self) -> impl Iterator<Item = (u32, Micros, Micros)> + '_ {
        let idle = self.functions.iter().zip(0u32..).flat_map(move |(f, i)| {
            let on_demand = f.idle.iter().map(move |e| (i, self.envs.get(e.id).born, f.death(&e, &self.envs)));
            let provisioned = f.provisioned_idle.iter().map(move |e| (i, self.envs.get(e.id).born, Micros::MAX));
            // the unused ones, born at 0 like every provisioned environment
            let unused = std::iter::repeat_n((i, 0, Micros::MAX), f.n_unused_provisioned() as usize);
            on_demand.chain(provisioned).chain(unused)
        });
        let busy = self.executions.running().map(move |x| (x.function, self.envs.get(x.env).born, Micros::MAX));
        idle.chain(busy)
    }

    /// The earliest execution end or timer (`Micros::MAX`: none).
    #[inline]
    pub fn next_event(&self) -> Micros {
        let end = self.executions.next_end().unwrap_or(Micros::MAX);
        end.min(self.timers.peek().unwrap_or(Micros::MAX))
    }
}

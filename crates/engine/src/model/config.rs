//! The validated model the engine runs (§2–4). Python validates user input with AWS's messages
//! and builds this; `Config::check` is only a backstop so that no input can panic the engine.

use super::distribution::Dist;
use super::error::Error;
use super::limits;
use crate::primitives::time::Micros;

/// Which idle environment a warm request gets (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// The most recently created idle environment (default).
    Newest,
    /// The most recently freed; ties go to the newest created.
    Mru,
    /// The least recently created.
    Oldest,
}

/// The scaling-rate limit on new environments (§4 step 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaling {
    /// No limit.
    Off,
    /// One bucket per function (since Nov 2023): `burst` tokens, one per `cost_us` of refill.
    PerFunction { burst: u64, cost_us: u64 },
    /// One account-wide bucket (legacy).
    Account { burst: u64, cost_us: u64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountConfig {
    /// `ConcurrentExecutions`.
    pub concurrency_limit: u32,
    /// `U = L − Σ RC − Σ PC (functions without RC)`, already checked `≥ MIN_U` in Python.
    pub unreserved_capacity: u32,
    pub scaling: Scaling,
    /// The request-rate limit (§14): requests per second per unit of concurrency (10), for the
    /// account's limit and each reservation; `None`: no rate limit.
    pub requests_per_concurrency: Option<u32>,
}

/// A function in a VPC (§13), as Python worked it out from the account's VPC settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VpcConfig {
    /// Attempts before this instant are refused as Pending (0: Active from the start).
    pub active_from_us: Micros,
    /// Its ENI can never be made (the VPC's ENI quota): every attempt is refused.
    pub no_eni: bool,
    /// After this long without an admitted attempt it is Inactive; `None`: never (legacy).
    pub inactive_after_us: Option<Micros>,
    /// How long a new ENI takes: an Inactive function is Pending that long.
    pub eni_ready_us: Micros,
    /// Legacy networking: the ENI pool (`Config::eni_quotas`) its environments take an ENI
    /// from, and the init an ENI's creation adds to a new environment.
    pub eni_pool: Option<u32>,
    pub eni_init_us: Micros,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionConfig {
    pub reserved: Option<u32>,
    pub provisioned: u32,
    pub timeout_us: Micros,
    /// The init phase of a cold start, and how long an idle on-demand environment lives
    /// (§3, §3.1).
    pub init: Dist,
    pub keep_alive: Dist,
    /// On-demand environments get no request from this long after their birth (§3.1).
    pub max_lifetime_us: Option<Micros>,
    /// On-demand environments initialised and idle at time 0 (§3.1).
    pub warm_at_start: u32,
    pub provisioned_ready_us: Micros,
    /// Asynchronous invocation (§6): retries after a function error (0–2) and the maximum
    /// event age.
    pub max_retry_attempts: u32,
    pub max_event_age_us: Micros,
    /// Destinations (indexes into `Config::destinations`) for asynchronous results.
    pub on_success: Option<u32>,
    pub on_failure: Option<u32>,
    pub dead_letter_queue: Option<u32>,
    /// Active tracing (docs/traces.md): its requests are sampled by the default rule.
    pub traced: bool,
    /// In a VPC (§13).
    pub vpc: Option<VpcConfig>,
    /// It needs the internet and its VPC has no NAT gateway: every attempt hangs until its
    /// timeout (§13).
    pub hangs: bool,
}

impl FunctionConfig {
    /// A function with AWS's defaults and lambda_core's default init of 0.5 s.
    pub fn new() -> Self {
        FunctionConfig {
            reserved: None,
            provisioned: 0,
            timeout_us: 3_000_000,
            init: Dist::Fixed(500_000),
            keep_alive: Dist::Fixed(600_000_000),
            max_lifetime_us: None,
            warm_at_start: 0,
            provisioned_ready_us: 0,
            max_retry_attempts: 2,
            max_event_age_us: 21_600_000_000,
            on_success: None,
            on_failure: None,
            dead_letter_queue: None,
            traced: false,
            vpc: None,
            hangs: false,
        }
    }
}

/// Client-side retries of synchronous callers after a throttle (the AWS SDKs' standard mode:
/// up to `max_attempts` attempts in all; before retry `i` the caller waits a uniformly random
/// part of `min(base × 2^(i−1), cap)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientRetries {
    pub max_attempts: u32,
    pub base_us: Micros,
    pub cap_us: Micros,
}

impl Default for FunctionConfig {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub account: AccountConfig,
    pub functions: Vec<FunctionConfig>,
    pub routing: Routing,
    /// How many destinations (queues, topics, functions ...) asynchronous results can go to.
    pub destinations: u32,
    pub client_retries: Option<ClientRetries>,
    /// Seeds the engine's one random stream (client retry jitter).
    pub seed: u64,
    /// Event sources (§7–8), and the mappings of streams and of queues (at most one per source).
    pub sources: Vec<SourceConfig>,
    pub mappings: Vec<MappingConfig>,
    pub queue_mappings: Vec<QueueMappingConfig>,
    /// The period of the per-period metrics (§10) in µs; `None`: whole-run figures only.
    pub metrics_period_us: Option<Micros>,
    /// Legacy VPC networking (§13): the ENI quota of each pool (a VPC) functions name.
    pub eni_quotas: Vec<u32>,
}

/// An event source: a stream (§7) or a queue (§8).
#[derive(Debug, Clone, PartialEq)]
pub enum SourceConfig {
    Stream(StreamConfig),
    Queue(QueueConfig),
}

/// A stream (§7): Kinesis or DynamoDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Kinesis,
    DynamoDb,
}

impl StreamKind {
    /// How often an idle lane polls its shard (§7).
    pub fn poll_interval_us(self) -> Micros {
        match self {
            StreamKind::Kinesis => 1_000_000,
            StreamKind::DynamoDb => 250_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    pub kind: StreamKind,
    pub shards: u32,
    pub retention_us: Micros,
}

/// One event-source mapping of a stream (validated in Python).
#[derive(Debug, Clone, PartialEq)]
pub struct MappingConfig {
    pub stream: u32,
    pub function: u32,
    pub batch_size: u32,
    pub window_us: Micros,
    pub parallelization_factor: u32,
    /// `None`: retry until the records expire (AWS's −1).
    pub max_retry_attempts: Option<u32>,
    /// `None`: no limit (AWS's −1).
    pub max_record_age_us: Option<Micros>,
    pub bisect: bool,
    /// A destination index.
    pub on_failure: Option<u32>,
    /// A batch of n records runs `base_us + n × per_record_us`.
    pub base_us: Micros,
    pub per_record_us: Micros,
}

impl MappingConfig {
    /// Stream `stream` read by `function` with AWS's defaults (batches of 100, no window, one
    /// lane per shard, retries until the records expire, no bisection, no destination) and
    /// batches of 50 ms, lambda_core's default duration.
    pub fn new(stream: u32, function: u32) -> Self {
        MappingConfig {
            stream,
            function,
            batch_size: 100,
            window_us: 0,
            parallelization_factor: 1,
            max_retry_attempts: None,
            max_record_age_us: None,
            bisect: false,
            on_failure: None,
            base_us: 50_000,
            per_record_us: 0,
        }
    }
}

/// A queue (§8): SQS standard or FIFO.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueConfig {
    pub fifo: bool,
    pub visibility_timeout_us: Micros,
    /// The redrive policy's `maxReceiveCount` (`None`: no dead-letter queue).
    pub max_receive_count: Option<u32>,
    pub retention_us: Micros,
}

/// The mapping of one queue (validated in Python).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueMappingConfig {
    /// The source index of the queue.
    pub queue: u32,
    pub function: u32,
    pub batch_size: u32,
    pub window_us: Micros,
    pub maximum_concurrency: Option<u32>,
    /// The legacy ramp (+60 per minute up to 1000) instead of +300 per minute up to 1250.
    pub legacy: bool,
    pub base_us: Micros,
    pub per_record_us: Micros,
}

impl QueueConfig {
    /// A standard queue with SQS's defaults: visibility timeout 30 s, no dead-letter queue,
    /// retention 4 days.
    pub fn new() -> Self {
        QueueConfig { fifo: false, visibility_timeout_us: 30_000_000, max_receive_count: None, retention_us: 345_600_000_000 }
    }
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl QueueMappingConfig {
    /// Queue `queue` read by `function` with AWS's defaults (batches of 10, no window, no
    /// maximum concurrency, the current ramp) and batches of 50 ms, lambda_core's default
    /// duration.
    pub fn new(queue: u32, function: u32) -> Self {
        QueueMappingConfig {
            queue,
            function,
            batch_size: 10,
            window_us: 0,
            maximum_concurrency: None,
            legacy: false,
            base_us: 50_000,
            per_record_us: 0,
        }
    }

    /// Concurrent batches at the start and the floor the ramp falls back to: 5.
    pub fn base_slots(&self) -> u32 {
        self.maximum_concurrency.map_or(5, |m| m.min(5))
    }

    pub fn max_slots(&self) -> u32 {
        let cap = if self.legacy { 1000 } else { 1250 };
        self.maximum_concurrency.map_or(cap, |m| m.min(cap))
    }

    /// One more slot every 0.2 s (+300 per minute); legacy every 1 s (+60 per minute).
    pub fn tick_us(&self) -> Micros {
        if self.legacy {
            1_000_000
        } else {
            200_000
        }
    }
}

impl Config {
    /// An account and its functions, with everything else at its default: newest-first
    /// routing, no destinations, no client retries, seed 0, no event sources.
    pub fn new(account: AccountConfig, functions: Vec<FunctionConfig>) -> Self {
        Config {
            account,
            functions,
            routing: Routing::Newest,
            destinations: 0,
            client_retries: None,
            seed: 0,
            sources: vec![],
            mappings: vec![],
            queue_mappings: vec![],
            metrics_period_us: None,
            eni_quotas: vec![],
        }
    }

    /// The backstop: rejects what would break the engine's arithmetic.
    pub fn check(&self) -> Result<(), Error> {
        if !limits::FUNCTIONS.contains(self.functions.len() as u64) {
            return Err(Error::Config("too many functions".into()));
        }
        if self.account.unreserved_capacity > self.account.concurrency_limit {
            return Err(Error::Config("unreserved capacity exceeds the account limit".into()));
        }
        for (i, f) in self.functions.iter().enumerate() {
            if let Some(rc) = f.reserved {
                if f.provisioned > rc {
                    return Err(Error::Config(format!(
                        "function {i}: provisioned concurrency {} exceeds reserved {rc}",
                        f.provisioned
                    )));
                }
            }
        }
        for (i, f) in self.functions.iter().enumerate() {
            for (what, d) in [("init", &f.init), ("keep-alive", &f.keep_alive)] {
                d.check().map_err(|e| Error::Config(format!("function {i}: {what}: {e}")))?;
            }
            if f.init.max() > limits::SECONDS.max * 1_000_000 || f.max_lifetime_us.is_some_and(|m| m > limits::SECONDS.max * 1_000_000) {
                return Err(Error::Config(format!("function {i}: a duration above {} seconds", limits::SECONDS.max)));
            }
        }
        let warm: u64 = self.functions.iter().map(|f| u64::from(f.warm_at_start)).sum();
        if !limits::WARM_AT_START.contains(warm) {
            let l = limits::WARM_AT_START;
            return Err(Error::Config(format!("{warm} is above lambda_core's limit of {} {}", l.max, l.what)));
        }
        for (i, f) in self.functions.iter().enumerate() {
            if let Some(v) = f.vpc {
                if v.eni_pool.is_some_and(|p| p as usize >= self.eni_quotas.len()) {
                    return Err(Error::Config(format!("function {i}: ENI pool {} does not exist", v.eni_pool.unwrap_or(0))));
                }
                let longest = limits::SECONDS.max * 1_000_000;
                if [v.active_from_us, v.eni_ready_us, v.eni_init_us, v.inactive_after_us.unwrap_or(0)].iter().any(|&t| t > longest) {
                    return Err(Error::Config(format!("function {i}: a VPC time above {} seconds", limits::SECONDS.max)));
                }
            }
            for d in [f.on_success, f.on_failure, f.dead_letter_queue].into_iter().flatten() {
                if d >= self.destinations {
                    return Err(Error::Config(format!("function {i}: destination {d} does not exist")));
                }
            }
        }
        if let Some(p) = self.metrics_period_us {
            if !limits::METRICS_PERIOD_US.contains(p) {
                let l = limits::METRICS_PERIOD_US;
                return Err(Error::Config(format!("metrics period: must be {}–{} {}", l.min, l.max, l.what)));
            }
        }
        if let Some(c) = self.client_retries {
            if !limits::CLIENT_RETRY_ATTEMPTS.contains(u64::from(c.max_attempts)) || c.base_us > c.cap_us || !limits::CLIENT_RETRY_CAP_US.contains(c.cap_us) {
                let (a, cap) = (limits::CLIENT_RETRY_ATTEMPTS, limits::CLIENT_RETRY_CAP_US);
                return Err(Error::Config(format!(
                    "client retries: max_attempts must be {}–{} and base ≤ cap ≤ {} µs",
                    a.min, a.max, cap.max
                )));
            }
        }
        let mut mapped = vec![false; self.sources.len()];
        for (i, s) in self.sources.iter().enumerate() {
            if let SourceConfig::Stream(s) = s {
                if !limits::SHARDS.contains(u64::from(s.shards)) {
                    return Err(Error::Config(format!("stream {i}: shards must be {}–{}", limits::SHARDS.min, limits::SHARDS.max)));
                }
            }
        }
        let mut lanes = 0u64;
        for (i, m) in self.mappings.iter().enumerate() {
            let bad = |what: &str| Err(Error::Config(format!("mapping {i}: {what}")));
            let Some(SourceConfig::Stream(s)) = self.sources.get(m.stream as usize) else { return bad("no such stream") };
            if std::mem::replace(&mut mapped[m.stream as usize], true) {
                return bad("its stream already has a mapping");
            }
            if m.function as usize >= self.functions.len() {
                return bad("no such function");
            }
            if !limits::MAPPING_COUNTS.contains(u64::from(m.batch_size)) || !limits::PARALLELIZATION_FACTOR.contains(u64::from(m.parallelization_factor)) {
                let pf = limits::PARALLELIZATION_FACTOR;
                return bad(&format!("batch size must be ≥ 1 and parallelization factor {}–{}", pf.min, pf.max));
            }
            if m.on_failure.is_some_and(|d| d >= self.destinations) {
                return bad("no such destination");
            }
            lanes += u64::from(s.shards) * u64::from(m.parallelization_factor);
        }
        if !limits::LANES.contains(lanes) {
            return Err(Error::Config(format!("{lanes} lanes: above {} {}", limits::LANES.max, limits::LANES.what)));
        }
        for (i, m) in self.queue_mappings.iter().enumerate() {
            let bad = |what: &str| Err(Error::Config(format!("queue mapping {i}: {what}")));
            let Some(SourceConfig::Queue(q)) = self.sources.get(m.queue as usize) else { return bad("no such queue") };
            if std::mem::replace(&mut mapped[m.queue as usize], true) {
                return bad("its queue already has a mapping");
            }
            if m.function as usize >= self.functions.len() {
                return bad("no such function");
            }
            let counts = [Some(m.batch_size), m.maximum_concurrency, q.max_receive_count];
            if counts.into_iter().flatten().any(|n| !limits::MAPPING_COUNTS.contains(u64::from(n))) {
                return bad("batch size, maximum concurrency and max receive count must be ≥ 1");
            }
            let visibility = limits::MAPPED_VISIBILITY_TIMEOUT_US;
            if !visibility.contains(q.visibility_timeout_us) {
                // below it, a busy function's throttled batches come back (and are received
                // again) ever more often: work per simulated second without bound
                return bad(&format!(
                    "the queue's visibility timeout must be {}–{} µs (at least 1 s, as AWS's whole seconds and minimum function timeout imply), got {} µs",
                    visibility.min, visibility.max, q.visibility_timeout_us
                ));
            }
        }
        match self.account.scaling {
            Scaling::Off => {}
            Scaling::PerFunction { burst, cost_us } | Scaling::Account { burst, cost_us } => {
                let bucket = burst.checked_mul(cost_us);
                if !limits::SCALING.contains(burst) || !limits::SCALING.contains(cost_us) || !bucket.is_some_and(|b| limits::SCALING_BUCKET_US.contains(b)) {
                    return Err(Error::Config(format!(
                        "scaling burst and token cost must be positive, and burst × cost at most {} µs",
                        limits::SCALING_BUCKET_US.max
                    )));
                }
            }
        }
        Ok(())
    }
}

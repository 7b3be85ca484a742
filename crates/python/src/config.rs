//! The configuration as the Python layer passes it: the records of `lambda_core._engine_config`,
//! read attribute by attribute by the derived `FromPyObject`s below (whose field names are the
//! records' own), in seconds, then turned into the engine's `Config` (integer microseconds).
//!
//! A record that lacks a field or holds one of the wrong type is a `TypeError` naming the
//! field (`config_type_error`); a bad seconds value is a `LambdaCoreError` naming it.

use lambda_core_engine as engine;
use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::prelude::*;

use crate::{seconds, LambdaCoreError};

/// The stream kinds by the names the Python layer gives them (`StreamConfig.kind`), also the
/// keys of `_core.POLL_INTERVAL_S`.
pub(crate) const STREAM_KINDS: [(&str, engine::StreamKind); 2] =
    [("kinesis", engine::StreamKind::Kinesis), ("dynamodb", engine::StreamKind::DynamoDb)];

/// `$record.$field` (seconds) in microseconds; a bad value's message names `$at.$field`.
macro_rules! micros {
    ($at:expr, $record:ident . $field:ident) => {
        seconds(&format!("{}.{}", $at, stringify!($field)), $record.$field)?
    };
}

/// `lambda_core._engine_config.EngineConfig`.
#[derive(FromPyObject)]
pub(crate) struct EngineConfig {
    account: AccountConfig,
    functions: Vec<FunctionConfig>,
    routing: String,
    destinations: u32,
    client_retries: Option<ClientRetries>,
    seed: u64,
    sources: Vec<SourceConfig>,
    stream_mappings: Vec<StreamMappingConfig>,
    queue_mappings: Vec<QueueMappingConfig>,
    metrics_period_s: Option<f64>,
    eni_quotas: Vec<u32>,
}

#[derive(FromPyObject)]
struct AccountConfig {
    concurrency_limit: u32,
    unreserved_capacity: u32,
    scaling: Option<ScalingConfig>,
    requests_per_concurrency: Option<u32>,
}

/// The scaling-rate limit (§4 step 4): one bucket per function, or one for the account.
#[derive(FromPyObject)]
struct ScalingConfig {
    per_function: bool,
    burst: u64,
    cost_us: u64,
}

#[derive(FromPyObject)]
struct FunctionConfig {
    reserved: Option<u32>,
    provisioned: u32,
    timeout_s: f64,
    init: DistributionConfig,
    keep_alive: DistributionConfig,
    max_lifetime_s: Option<f64>,
    warm_at_start: u32,
    provisioned_ready_s: f64,
    max_retry_attempts: u32,
    max_event_age_s: f64,
    on_success: Option<u32>,
    on_failure: Option<u32>,
    dead_letter_queue: Option<u32>,
    traced: bool,
    vpc: Option<VpcConfig>,
    hangs: bool,
}

/// A function in a VPC (§13), in seconds.
#[derive(FromPyObject)]
struct VpcConfig {
    active_from_s: f64,
    no_eni: bool,
    inactive_after_s: Option<f64>,
    eni_ready_s: f64,
    eni_pool: Option<u32>,
    eni_init_s: f64,
}

/// A duration fixed or drawn (§3.1), in seconds.
#[derive(FromPyObject)]
struct DistributionConfig {
    kind: String,
    seconds: Vec<f64>,
    sigma: f64,
    cap_s: f64,
}

impl DistributionConfig {
    /// The engine's distribution; a bad value's message names `at`.
    fn into_dist(self, at: &str) -> PyResult<engine::Dist> {
        let cap = seconds(&format!("{at}.cap_s"), self.cap_s)?;
        let us = |i: usize| seconds(&format!("{at}.seconds[{i}]"), self.seconds[i]);
        let need = |n: usize| match self.seconds.len() {
            len if len == n || (n == 0 && len > 0) => Ok(()),
            len => Err(LambdaCoreError::new_err(format!("{at}: a {} distribution takes {n} values, got {len}", self.kind))),
        };
        Ok(match self.kind.as_str() {
            "fixed" => {
                need(1)?;
                engine::Dist::Fixed(us(0)?)
            }
            "uniform" => {
                need(2)?;
                engine::Dist::Uniform { lo: us(0)?, hi: us(1)? }
            }
            "empirical" => {
                need(0)?;
                engine::Dist::Empirical((0..self.seconds.len()).map(us).collect::<PyResult<Vec<_>>>()?.into_boxed_slice())
            }
            "lognormal" => {
                need(1)?;
                let median = us(0)?;
                engine::Dist::LogNormal { median_us: median as f64, sigma: self.sigma, max: cap }
            }
            other => return Err(LambdaCoreError::new_err(format!("{at}.kind: unknown distribution {other:?}"))),
        })
    }
}

#[derive(FromPyObject)]
struct ClientRetries {
    max_attempts: u32,
    base_s: f64,
    cap_s: f64,
}

/// An event source: a stream's record has `kind` and `shards`, a queue's does not.
#[derive(FromPyObject)]
enum SourceConfig {
    #[pyo3(annotation = "StreamConfig")]
    Stream(StreamConfig),
    #[pyo3(annotation = "QueueConfig")]
    Queue(QueueConfig),
}

#[derive(FromPyObject)]
struct StreamConfig {
    kind: String,
    shards: u32,
    retention_s: f64,
}

#[derive(FromPyObject)]
struct QueueConfig {
    fifo: bool,
    visibility_timeout_s: f64,
    max_receive_count: Option<u32>,
    retention_s: f64,
}

#[derive(FromPyObject)]
struct StreamMappingConfig {
    stream: u32,
    function: u32,
    batch_size: u32,
    window_s: f64,
    parallelization_factor: u32,
    /// `None`: retry until the records expire.
    max_retry_attempts: Option<u32>,
    /// `None`: no limit.
    max_record_age_s: Option<f64>,
    bisect: bool,
    on_failure: Option<u32>,
    base_s: f64,
    per_record_s: f64,
}

#[derive(FromPyObject)]
struct QueueMappingConfig {
    queue: u32,
    function: u32,
    batch_size: u32,
    window_s: f64,
    maximum_concurrency: Option<u32>,
    legacy: bool,
    base_s: f64,
    per_record_s: f64,
}

/// An extraction error as one `TypeError` whose message names the field, record by record
/// ("EngineConfig.functions: FunctionConfig.timeout_s: must be real number, not str"); the
/// derived conversions put the inner errors in `__cause__`, where a reader rarely looks.
pub(crate) fn config_type_error(py: Python<'_>, err: PyErr) -> PyErr {
    if !(err.is_instance_of::<PyTypeError>(py) || err.is_instance_of::<PyAttributeError>(py)) {
        return err;
    }
    let mut parts = Vec::new();
    let mut at = Some(err.clone_ref(py));
    while let Some(e) = at {
        let text = e.value(py).to_string();
        parts.push(text.strip_prefix("failed to extract field ").map(str::to_owned).unwrap_or(text));
        at = e.cause(py);
    }
    let named = PyTypeError::new_err(format!("engine configuration: {}", parts.join(": ")));
    named.set_cause(py, Some(err));
    named
}

impl EngineConfig {
    /// The engine's configuration (microseconds).
    pub(crate) fn into_config(self) -> PyResult<engine::Config> {
        let a = self.account;
        let scaling = match a.scaling {
            None => engine::Scaling::Off,
            Some(ScalingConfig { per_function: true, burst, cost_us }) => engine::Scaling::PerFunction { burst, cost_us },
            Some(ScalingConfig { per_function: false, burst, cost_us }) => engine::Scaling::Account { burst, cost_us },
        };
        let functions = self
            .functions
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let at = format!("functions[{i}]");
                Ok(engine::FunctionConfig {
                    reserved: f.reserved,
                    provisioned: f.provisioned,
                    timeout_us: micros!(at, f.timeout_s),
                    init: f.init.into_dist(&format!("{at}.init"))?,
                    keep_alive: f.keep_alive.into_dist(&format!("{at}.keep_alive"))?,
                    max_lifetime_us: f.max_lifetime_s.map(|s| seconds(&format!("{at}.max_lifetime_s"), s)).transpose()?,
                    warm_at_start: f.warm_at_start,
                    provisioned_ready_us: micros!(at, f.provisioned_ready_s),
                    max_retry_attempts: f.max_retry_attempts,
                    max_event_age_us: micros!(at, f.max_event_age_s),
                    on_success: f.on_success,
                    on_failure: f.on_failure,
                    dead_letter_queue: f.dead_letter_queue,
                    traced: f.traced,
                    vpc: f
                        .vpc
                        .map(|v| {
                            let at = format!("{at}.vpc");
                            Ok::<_, PyErr>(engine::VpcConfig {
                                active_from_us: micros!(at, v.active_from_s),
                                no_eni: v.no_eni,
                                inactive_after_us: v.inactive_after_s.map(|s| seconds(&format!("{at}.inactive_after_s"), s)).transpose()?,
                                eni_ready_us: micros!(at, v.eni_ready_s),
                                eni_pool: v.eni_pool,
                                eni_init_us: micros!(at, v.eni_init_s),
                            })
                        })
                        .transpose()?,
                    hangs: f.hangs,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let client_retries = self
            .client_retries
            .map(|c| {
                let at = "client_retries";
                Ok::<_, PyErr>(engine::ClientRetries { max_attempts: c.max_attempts, base_us: micros!(at, c.base_s), cap_us: micros!(at, c.cap_s) })
            })
            .transpose()?;
        let sources = self
            .sources
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let at = format!("sources[{i}]");
                Ok(match s {
                    SourceConfig::Stream(s) => {
                        let Some(&(_, kind)) = STREAM_KINDS.iter().find(|(name, _)| *name == s.kind) else {
                            let other = &s.kind;
                            return Err(LambdaCoreError::new_err(format!("{at}.kind: unknown stream kind {other:?}")));
                        };
                        engine::SourceConfig::Stream(engine::StreamConfig { kind, shards: s.shards, retention_us: micros!(at, s.retention_s) })
                    }
                    SourceConfig::Queue(q) => engine::SourceConfig::Queue(engine::QueueConfig {
                        fifo: q.fifo,
                        visibility_timeout_us: micros!(at, q.visibility_timeout_s),
                        max_receive_count: q.max_receive_count,
                        retention_us: micros!(at, q.retention_s),
                    }),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let mappings = self
            .stream_mappings
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let at = format!("stream_mappings[{i}]");
                let max_record_age_us = match m.max_record_age_s {
                    None => None,
                    Some(age) => Some(seconds(&format!("{at}.max_record_age_s"), age)?),
                };
                Ok(engine::MappingConfig {
                    stream: m.stream,
                    function: m.function,
                    batch_size: m.batch_size,
                    window_us: micros!(at, m.window_s),
                    parallelization_factor: m.parallelization_factor,
                    max_retry_attempts: m.max_retry_attempts,
                    max_record_age_us,
                    bisect: m.bisect,
                    on_failure: m.on_failure,
                    base_us: micros!(at, m.base_s),
                    per_record_us: micros!(at, m.per_record_s),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let queue_mappings = self
            .queue_mappings
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let at = format!("queue_mappings[{i}]");
                Ok(engine::QueueMappingConfig {
                    queue: m.queue,
                    function: m.function,
                    batch_size: m.batch_size,
                    window_us: micros!(at, m.window_s),
                    maximum_concurrency: m.maximum_concurrency,
                    legacy: m.legacy,
                    base_us: micros!(at, m.base_s),
                    per_record_us: micros!(at, m.per_record_s),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let routing = match self.routing.as_str() {
            "newest" => engine::Routing::Newest,
            "mru" => engine::Routing::Mru,
            "oldest" => engine::Routing::Oldest,
            other => return Err(LambdaCoreError::new_err(format!("routing: unknown routing {other:?}"))),
        };
        Ok(engine::Config {
            account: engine::AccountConfig {
                concurrency_limit: a.concurrency_limit,
                unreserved_capacity: a.unreserved_capacity,
                scaling,
                requests_per_concurrency: a.requests_per_concurrency,
            },
            functions,
            routing,
            destinations: self.destinations,
            client_retries,
            seed: self.seed,
            sources,
            mappings,
            queue_mappings,
            metrics_period_us: self.metrics_period_s.map(|p| seconds("metrics_period_s", p)).transpose()?,
            eni_quotas: self.eni_quotas,
        })
    }
}

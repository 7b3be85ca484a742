//! The configuration as the Python layer passes it (positional tuples, seconds) into the
//! engine's `Config` (integer microseconds).

use lambda_core_engine::{
    AccountConfig, ClientRetries, Config, FunctionConfig, MappingConfig, QueueConfig, QueueMappingConfig, Routing, Scaling, SourceConfig,
    StreamConfig, StreamKind,
};
use pyo3::prelude::*;

use crate::{seconds, LambdaCoreError};

/// One function's settings as the Python layer passes them (see `PyEngine::new`).
pub(crate) type FunctionTuple = (Option<u32>, u32, f64, f64, f64, f64, u32, f64, Option<u32>, Option<u32>, Option<u32>);

/// One mapping's settings as the Python layer passes them: `(stream, function, batch_size,
/// batching_window_s, parallelization_factor, maximum_retry_attempts (−1: none),
/// maximum_record_age_s (−1: none), bisect, on_failure destination, base_s, per_record_s)`.
pub(crate) type MappingTuple = (u32, u32, u32, f64, u32, i64, f64, bool, Option<u32>, f64, f64);

/// One event source: `(kind "kinesis" | "dynamodb" | "sqs", shards, retention_s, fifo,
/// visibility_timeout_s, max_receive_count)` (streams ignore the last three, queues `shards`).
pub(crate) type SourceTuple = (String, u32, f64, bool, f64, Option<u32>);

/// One queue mapping: `(source, function, batch_size, batching_window_s, maximum_concurrency,
/// legacy ramp, base_s, per_record_s)`.
pub(crate) type QueueMappingTuple = (u32, u32, u32, f64, Option<u32>, bool, f64, f64);

fn routing(name: &str) -> PyResult<Routing> {
    match name {
        "newest" => Ok(Routing::Newest),
        "mru" => Ok(Routing::Mru),
        "oldest" => Ok(Routing::Oldest),
        other => Err(LambdaCoreError::new_err(format!("unknown routing {other:?}"))),
    }
}

/// The engine's configuration from `Engine(...)`'s arguments (see `PyEngine::new`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn config(
    concurrency_limit: u32,
    unreserved_capacity: u32,
    scaling: Option<&str>,
    burst: u64,
    token_cost_us: u64,
    routing_name: &str,
    functions: Vec<FunctionTuple>,
    destinations: u32,
    client_retries: Option<(u32, f64, f64)>,
    seed: u64,
    sources: Vec<SourceTuple>,
    mappings: Vec<MappingTuple>,
    queue_mappings: Vec<QueueMappingTuple>,
) -> PyResult<Config> {
        let scaling = match scaling {
            None => Scaling::Off,
            Some("current") => Scaling::PerFunction { burst, cost_us: token_cost_us },
            Some("legacy") => Scaling::Account { burst, cost_us: token_cost_us },
            Some(other) => return Err(LambdaCoreError::new_err(format!("unknown scaling mode {other:?}"))),
        };
        let functions = functions
            .into_iter()
            .map(|(reserved, provisioned, timeout, init, idle, ready, retries, age, on_success, on_failure, dlq)| {
                Ok(FunctionConfig {
                    reserved,
                    provisioned,
                    timeout_us: seconds("timeout_s", timeout)?,
                    init_us: seconds("init_s", init)?,
                    idle_timeout_us: seconds("idle_timeout_s", idle)?,
                    provisioned_ready_us: seconds("provisioned_ready_s", ready)?,
                    max_retry_attempts: retries,
                    max_event_age_us: seconds("max_event_age_s", age)?,
                    on_success,
                    on_failure,
                    dead_letter_queue: dlq,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let client_retries = client_retries
            .map(|(max_attempts, base, cap)| {
                Ok::<_, PyErr>(ClientRetries { max_attempts, base_us: seconds("base_s", base)?, cap_us: seconds("cap_s", cap)? })
            })
            .transpose()?;
        let sources = sources
            .into_iter()
            .map(|(kind, shards, retention, fifo, visibility, max_receive_count)| {
                let retention_us = seconds("retention_s", retention)?;
                let kind = match kind.as_str() {
                    "kinesis" => StreamKind::Kinesis,
                    "dynamodb" => StreamKind::DynamoDb,
                    "sqs" => {
                        let visibility_timeout_us = seconds("visibility_timeout_s", visibility)?;
                        return Ok(SourceConfig::Queue(QueueConfig { fifo, visibility_timeout_us, max_receive_count, retention_us }));
                    }
                    other => return Err(LambdaCoreError::new_err(format!("unknown event source kind {other:?}"))),
                };
                Ok(SourceConfig::Stream(StreamConfig { kind, shards, retention_us }))
            })
            .collect::<PyResult<Vec<_>>>()?;
        let queue_mappings = queue_mappings
            .into_iter()
            .map(|(queue, function, batch_size, window, maximum_concurrency, legacy, base, per_record)| {
                Ok(QueueMappingConfig {
                    queue,
                    function,
                    batch_size,
                    window_us: seconds("batching_window_s", window)?,
                    maximum_concurrency,
                    legacy,
                    base_us: seconds("duration base_s", base)?,
                    per_record_us: seconds("duration per_record_s", per_record)?,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let mappings = mappings
            .into_iter()
            .map(|(stream, function, batch_size, window, pf, retries, age, bisect, on_failure, base, per_record)| {
                Ok(MappingConfig {
                    stream,
                    function,
                    batch_size,
                    window_us: seconds("batching_window_s", window)?,
                    parallelization_factor: pf,
                    max_retry_attempts: u32::try_from(retries).ok(),
                    max_record_age_us: if age < 0.0 { None } else { Some(seconds("maximum_record_age_s", age)?) },
                    bisect,
                    on_failure,
                    base_us: seconds("duration base_s", base)?,
                    per_record_us: seconds("duration per_record_s", per_record)?,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Config {
            account: AccountConfig { concurrency_limit, unreserved_capacity, scaling },
            functions,
            routing: routing(routing_name)?,
            destinations,
            client_retries,
            seed,
            sources,
            mappings,
            queue_mappings,
        })
}

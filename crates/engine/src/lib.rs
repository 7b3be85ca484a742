//! lambda_core's engine: a deterministic simulator of AWS Lambda's concurrency machinery, in
//! plain Rust (the `lambda_core_python` crate is the only one that knows Python).
//!
//! ```text
//! Config (validated) -> Engine::new -> Engine::submit(rows) -> Engine::advance(until, sink)
//!                                                             -> records (Sink) + Engine::report
//! ```
//!
//! The modules are private and layered, each using only those below it:
//!
//! ```text
//! primitives  time, rng, slab, wheel
//! model       configuration, limits, codes, inputs, outputs and their names, reports, errors,
//!             string keys
//! core        pool, environments, scaling, admission, executions, requests, destinations, metrics
//! sources     the EventSource kinds: stream (lanes), queue (pollers)
//! engine      the Engine and its event loop (§1)
//! ```
//!
//! This crate's public surface is what follows. `docs/model.md` is the behavioural model;
//! comments cite its sections (§n).

mod core;
mod engine;
mod model;
mod primitives;
mod sources;

pub use crate::core::destinations::DestinationLog;
pub use crate::core::traces::TraceLog;
pub use crate::engine::{Engine, InterruptHook};
pub use crate::model::change::{Applied, AppliedKind, Change};
pub use crate::model::codes::{Outcome, RecordOutcome, Refusal, ThrottleReason, EVENT, REQUEST_RESPONSE};
pub use crate::model::config::{
    AccountConfig, ClientRetries, Config, FunctionConfig, MappingConfig, QueueConfig, QueueMappingConfig, Routing, Scaling, SourceConfig,
    StreamConfig, StreamKind, VpcConfig,
};
pub use crate::model::distribution::Dist;
pub use crate::model::error::Error;
pub use crate::model::input::{Arrival, OneRow, RecordRows, Rows};
pub use crate::model::keys::{key_hash, key_hashes};
pub use crate::model::limits::{Limit, LIMITS};
pub use crate::model::output::{NullSink, Record, RecordLog, RecordTable, RowTable, Sink, StreamRecord, Tables, WindowLog};
pub use crate::model::report::{AccountStats, FunctionStats, MappingStats, Report, REFUSALS};
pub use crate::model::table::{Column, IntoTable, Table, Value};
pub use crate::primitives::rng::SplitMix64;
pub use crate::primitives::time::{check_seconds, to_micros, to_seconds, Micros, MAX_SECONDS, NEVER};
pub use crate::sources::stream::shard_and_lane;

/// The engine's numeric limits by name (`LIMITS` lists them all).
pub mod limits {
    pub use crate::model::limits::*;
}

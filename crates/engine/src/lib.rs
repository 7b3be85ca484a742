//! lambda_core: a deterministic simulator of AWS Lambda's concurrency machinery.
//!
//! The engine is plain Rust with no Python in it; the `lambda_core_python` crate is the only
//! one that knows PyO3. Data flows one way:
//!
//! ```text
//! config (validated in Python) -> Config -> Engine::submit(rows) -> Engine::advance(until, sink)
//!                                                                 -> per-request records + stats
//! ```
//!
//! `../shared/spec/MODEL.md` is the behavioural specification; comments cite its sections (§n).

pub mod config;
pub mod destinations;
pub mod engine;
pub mod environments;
pub mod error;
pub mod events;
pub mod invocations;
pub mod pool;
pub mod queues;
pub mod results;
pub mod rng;
pub mod scaling;
pub mod shards;
pub mod slab;
pub mod time;
pub mod wheel;
pub mod workload;

pub use config::{AccountConfig, ClientRetries, Config, FunctionConfig, Routing, Scaling};
pub use engine::Engine;
pub use error::Error;
pub use results::{NullSink, Outcome, Record, RecordOutcome, RecordTable, RowTable, Sink, StreamRecord, Tables, ThrottleReason, WindowLog};
pub use config::{QueueConfig, QueueMappingConfig, SourceConfig};
pub use shards::{MappingConfig, RecordCursor, RecordRows, StreamConfig, StreamKind};
pub use workload::{Cursor, Rows};

//! The second layer: what the engine is given and what it gives back, with no runtime state — the
//! validated configuration (§2–4, §6–8) and its distributions of durations (§3.1), the engine's
//! numeric limits, the codes of outcomes and reasons, input rows and output records (named by
//! `table`), string keys' hash (§7), and the error type.

pub(crate) mod change;
pub(crate) mod codes;
pub(crate) mod config;
pub(crate) mod distribution;
pub(crate) mod error;
pub(crate) mod inbox;
pub(crate) mod input;
pub(crate) mod keys;
pub(crate) mod limits;
pub(crate) mod output;
pub(crate) mod report;
pub(crate) mod table;

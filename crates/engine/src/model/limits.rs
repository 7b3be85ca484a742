//! Every numeric limit the engine enforces, in one table. AWS's own ranges are checked in
//! Python with AWS's messages; these are the engine's: what its integer widths and encodings can
//! hold. `Config::check` and the input checks use these constants and nothing else, and `LIMITS`
//! lists them by name for embedders (and for the Python layer to check first).

use crate::primitives::slab::MAX_ID;
use crate::primitives::time::MAX_SECONDS;

/// One limit: the accepted values of a quantity are `min ..= max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// A short name, stable for embedders (`"shards"`, `"client_retry_attempts"` ...).
    pub name: &'static str,
    pub min: u64,
    pub max: u64,
    /// What is limited, and why the bound is what it is.
    pub what: &'static str,
}

/// Shards of one stream.
pub const SHARDS: Limit = Limit { name: "shards", min: 1, max: 1 << 20, what: "shards of one stream" };
/// Lanes of all stream mappings together (shards × parallelization factor): lane indexes fit
/// an id.
pub const LANES: Limit =
    Limit { name: "lanes", min: 0, max: (1 << 30) - 1, what: "lanes of all stream mappings (shards × parallelization factor)" };
/// The parallelization factor of a stream mapping.
pub const PARALLELIZATION_FACTOR: Limit =
    Limit { name: "parallelization_factor", min: 1, max: 10, what: "concurrent batches per shard" };
/// Attempts of a synchronous caller's retries: counted in a `u16` per request.
pub const CLIENT_RETRY_ATTEMPTS: Limit =
    Limit { name: "client_retry_attempts", min: 1, max: u16::MAX as u64, what: "attempts of a retrying caller (counted in 16 bits)" };
/// The client retries' base and cap (µs): a jitter draw is exact below 2^53.
pub const CLIENT_RETRY_CAP_US: Limit =
    Limit { name: "client_retry_cap_us", min: 0, max: 1 << 53, what: "client retry backoff cap in microseconds" };
/// Requests, batches and timers in flight at once (slab ids).
pub const IDS_IN_FLIGHT: Limit =
    Limit { name: "ids_in_flight", min: 0, max: MAX_ID as u64 - 1, what: "requests, batches or timers in flight at once" };
/// Functions of one configuration.
pub const FUNCTIONS: Limit = Limit { name: "functions", min: 0, max: u32::MAX as u64 - 1, what: "functions (indexes in 32 bits)" };
/// A time or a duration, in whole seconds (about 285 years): sums of times stay in a `u64` and
/// exact in an `f64` microsecond count.
pub const SECONDS: Limit = Limit { name: "seconds", min: 0, max: MAX_SECONDS as u64, what: "a time or a duration in seconds" };
/// `failures` of a workload row or a record.
pub const FAILURES: Limit = Limit { name: "failures", min: 0, max: u32::MAX as u64, what: "failing attempts of one row or record" };
/// Batch sizes, maximum concurrency and max receive count of mappings.
pub const MAPPING_COUNTS: Limit =
    Limit { name: "mapping_counts", min: 1, max: u32::MAX as u64, what: "batch size, maximum concurrency, max receive count" };
/// A queue's visibility timeout (µs): a throttled batch returning at the instant it was
/// throttled would never end.
pub const VISIBILITY_TIMEOUT_US: Limit =
    Limit { name: "visibility_timeout_us", min: 1, max: MAX_SECONDS as u64 * 1_000_000, what: "a queue's visibility timeout in microseconds" };
/// A scaling bucket's burst and token cost: positive, and `burst × cost` in a `u64`.
pub const SCALING: Limit =
    Limit { name: "scaling", min: 1, max: u64::MAX, what: "scaling burst and token cost (positive; their product in 64 bits)" };

/// The table, for embedders.
pub const LIMITS: [Limit; 12] = [
    SHARDS,
    LANES,
    PARALLELIZATION_FACTOR,
    CLIENT_RETRY_ATTEMPTS,
    CLIENT_RETRY_CAP_US,
    IDS_IN_FLIGHT,
    FUNCTIONS,
    SECONDS,
    FAILURES,
    MAPPING_COUNTS,
    VISIBILITY_TIMEOUT_US,
    SCALING,
];

impl Limit {
    #[inline]
    pub fn contains(&self, value: u64) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ranges_non_empty() {
        for (i, a) in LIMITS.iter().enumerate() {
            assert!(a.min <= a.max, "{}", a.name);
            assert!(LIMITS[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
        }
        assert!(SHARDS.contains(1 << 20) && !SHARDS.contains((1 << 20) + 1) && !SHARDS.contains(0));
        assert_eq!(CLIENT_RETRY_ATTEMPTS.max, 65535);
    }
}

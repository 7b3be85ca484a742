//! Every numeric limit the engine enforces, in one table. AWS's own ranges are checked in
//! Python with AWS's messages; these are lambda_core's: what the engine's integer widths and
//! encodings can hold, and the few rules of lambda_core's own that the engine guards too
//! (client retry attempts). `Config::check` and the input checks use these constants and
//! nothing else; `LIMITS` lists them by name for embedders, and the bindings export it to
//! Python (`lambda_core._core.LIMITS`), which checks every limit a user can reach first, with
//! the user's names.

use crate::primitives::slab::MAX_ID;
use crate::primitives::time::MAX_SECONDS;

/// One limit: the accepted values of a quantity are `min ..= max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// A short name, stable for embedders (`"shards"`, `"client_retry_attempts"` ...).
    pub name: &'static str,
    pub min: u64,
    pub max: u64,
    /// What is counted, as a plural that reads after the bound in a message: "1048576 shards
    /// per stream".
    pub what: &'static str,
}

/// Shards of one stream.
pub const SHARDS: Limit = Limit { name: "shards", min: 1, max: 1 << 20, what: "shards per stream" };
/// Lanes of all stream mappings together (shards × parallelization factor): lane indexes fit
/// an id.
pub const LANES: Limit = Limit {
    name: "lanes",
    min: 0,
    max: (1 << 30) - 1,
    what: "lanes of all stream mappings together (shards × parallelization factor)",
};
/// The parallelization factor of a stream mapping (AWS's range is the same; the engine's lane
/// arithmetic relies on it).
pub const PARALLELIZATION_FACTOR: Limit =
    Limit { name: "parallelization_factor", min: 1, max: 10, what: "concurrent batches per shard" };
/// Attempts of a synchronous caller, the first included. lambda_core's rule, not AWS's (the
/// SDKs take any number): a throttled request must give up some day. The engine counts them
/// in a `u16` per request, which this bound also keeps it within.
pub const CLIENT_RETRY_ATTEMPTS: Limit =
    Limit { name: "client_retry_attempts", min: 1, max: 10_000, what: "attempts of a retrying caller" };
/// The client retries' base and cap (µs): a jitter draw is exact below 2^53.
pub const CLIENT_RETRY_CAP_US: Limit =
    Limit { name: "client_retry_cap_us", min: 0, max: 1 << 53, what: "microseconds of client retry backoff" };
/// Requests, batches and timers in flight at once (slab ids).
pub const IDS_IN_FLIGHT: Limit =
    Limit { name: "ids_in_flight", min: 0, max: MAX_ID as u64 - 1, what: "requests, batches or timers in flight at once" };
/// Functions of one configuration (indexes in 32 bits).
pub const FUNCTIONS: Limit = Limit { name: "functions", min: 0, max: u32::MAX as u64 - 1, what: "functions" };
/// Concurrency: an account's limit, its unreserved capacity and a function's reservations are
/// counted in 32 bits.
pub const CONCURRENCY: Limit = Limit { name: "concurrency", min: 0, max: u32::MAX as u64, what: "concurrent executions" };
/// A time or a duration, in whole seconds (about 285 years): sums of times stay in a `u64` and
/// exact in an `f64` microsecond count.
pub const SECONDS: Limit = Limit { name: "seconds", min: 0, max: MAX_SECONDS as u64, what: "seconds" };
/// `failures` of a workload row or a record, counted in 32 bits. A record's count above it is
/// refused; a row's is saturated, since a request never makes that many attempts (its count
/// only matters up to its attempts).
pub const FAILURES: Limit = Limit { name: "failures", min: 0, max: u32::MAX as u64, what: "failing attempts per row or record" };
/// Batch sizes, maximum concurrency and max receive count of mappings.
pub const MAPPING_COUNTS: Limit = Limit {
    name: "mapping_counts",
    min: 1,
    max: u32::MAX as u64,
    what: "records per batch, concurrent batches or receives of a mapping",
};
/// The visibility timeout of a queue a mapping reads (µs). A throttled batch comes back one
/// visibility timeout after its receive, and is received (and throttled) again at once while
/// the function stays busy: the work per simulated second is one receive per in-flight batch
/// per visibility timeout, unbounded as the timeout goes to 0. AWS bounds it from the API:
/// SQS takes whole seconds, and CreateEventSourceMapping wants the queue's visibility timeout
/// at least the function's timeout (itself at least 1 s), which Python checks with AWS's
/// message; this is the engine's own guard, for embedders that build a `Config` directly. An
/// unmapped queue is never received from, so its timeout (AWS allows 0) is not checked.
pub const MAPPED_VISIBILITY_TIMEOUT_US: Limit = Limit {
    name: "mapped_visibility_timeout_us",
    min: 1_000_000,
    max: MAX_SECONDS as u64 * 1_000_000,
    what: "microseconds of visibility timeout of a mapped queue",
};
/// A scaling bucket's burst (tokens) and token cost (µs of refill): positive.
pub const SCALING: Limit =
    Limit { name: "scaling", min: 1, max: u64::MAX, what: "tokens of scaling burst or microseconds of refill per token" };
/// A scaling bucket's capacity, `burst × cost` µs of refill. The level is a `u64`; the bound
/// keeps the capacity a signed 64-bit integer too (about 292,000 years of refill, never the
/// binding limit), so that embedders holding it signed lose nothing.
pub const SCALING_BUCKET_US: Limit =
    Limit { name: "scaling_bucket_us", min: 1, max: i64::MAX as u64, what: "microseconds of refill in a scaling bucket (burst × token cost)" };

/// The period of the per-period metrics (µs): at least a millisecond, so that a series of a
/// long run stays a series (its memory is periods × series), at most the engine's seconds.
pub const METRICS_PERIOD_US: Limit =
    Limit { name: "metrics_period_us", min: 1_000, max: MAX_SECONDS as u64 * 1_000_000, what: "microseconds per metrics period" };

/// On-demand environments warm at time 0, of all functions together (§3.1): each is made
/// before the run starts.
pub const WARM_AT_START: Limit =
    Limit { name: "warm_at_start", min: 0, max: 1 << 24, what: "environments warm at time 0 (all functions together)" };

/// The table, for embedders.
pub const LIMITS: [Limit; 16] = [
    SHARDS,
    LANES,
    PARALLELIZATION_FACTOR,
    CLIENT_RETRY_ATTEMPTS,
    CLIENT_RETRY_CAP_US,
    IDS_IN_FLIGHT,
    FUNCTIONS,
    CONCURRENCY,
    SECONDS,
    FAILURES,
    MAPPING_COUNTS,
    MAPPED_VISIBILITY_TIMEOUT_US,
    SCALING,
    SCALING_BUCKET_US,
    METRICS_PERIOD_US,
    WARM_AT_START,
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
        assert!(CLIENT_RETRY_ATTEMPTS.max <= u64::from(u16::MAX), "attempts are counted in a u16");
        assert_eq!(CLIENT_RETRY_ATTEMPTS.max, 10_000);
        assert!(LANES.max < MAX_ID as u64, "lane indexes are ids");
        // SQS's whole seconds and Lambda's 1 s minimum function timeout: a mapped queue never
        // returns a batch sooner than 1 s after its receive
        assert_eq!(MAPPED_VISIBILITY_TIMEOUT_US.min, 1_000_000);
    }
}

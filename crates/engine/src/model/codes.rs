//! The codes a run reports, shared with Python: each enum's integer values are the Python
//! package's.

/// How a request ended; the integer values are `lambda_core.Outcome`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    Pending = 0,
    Success = 1,
    Error = 2,
    Timeout = 3,
    Throttled = 4,
    RetriesExhausted = 5,
    EventAgeExceeded = 6,
    ZeroReservedConcurrency = 7,
    /// Refused at once: the function is Pending (`ResourceConflictException`, §13).
    FunctionPending = 8,
    /// Refused at once: the function was Inactive (`ResourceConflictException`, §13).
    FunctionInactive = 9,
    /// Refused at once: no ENI could be made (`ENILimitReachedException`, §13).
    EniLimitReached = 10,
    /// Refused at once: the payload is above Invoke's limit (`RequestEntityTooLargeException`, §14).
    RequestTooLarge = 11,
}

/// Why an attempt was throttled; the integer values are `lambda_core.ThrottleReason`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum ThrottleReason {
    #[default]
    None = 0,
    ReservedFunctionConcurrentInvocationLimitExceeded = 1,
    ConcurrentInvocationLimitExceeded = 2,
    FunctionScalingRateExceeded = 3,
    FunctionInvocationRateLimitExceeded = 4,
    ReservedFunctionInvocationRateLimitExceeded = 5,
    /// AWS's codes that no run produces: the caller rate and SnapStart's snapshot limits are
    /// not modelled (§14).
    CallerRateLimitExceeded = 6,
    ConcurrentSnapshotCreateLimitExceeded = 7,
}

impl ThrottleReason {
    /// The reasons a run counts, each with its own counter (`FunctionStats::throttles_by_reason`).
    pub const COUNTED: usize = 5;
}

/// Why an attempt did not run: a throttle (the values of `ThrottleReason`), or a refusal that
/// is not one (the values of its `Outcome`: a function not Active, or without an ENI, §13),
/// which resolves a synchronous request with that outcome. One byte, so that an admission's
/// `Result` stays as small as its `Admitted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Refusal {
    ReservedFunctionConcurrentInvocationLimitExceeded = 1,
    ConcurrentInvocationLimitExceeded = 2,
    FunctionScalingRateExceeded = 3,
    FunctionInvocationRateLimitExceeded = 4,
    ReservedFunctionInvocationRateLimitExceeded = 5,
    FunctionPending = 8,
    FunctionInactive = 9,
    EniLimitReached = 10,
}

impl Refusal {
    /// The throttle's reason, or `None` for a refusal that is not a throttle.
    #[inline]
    pub fn throttle(self) -> Option<ThrottleReason> {
        Some(match self {
            Refusal::ReservedFunctionConcurrentInvocationLimitExceeded => ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded,
            Refusal::ConcurrentInvocationLimitExceeded => ThrottleReason::ConcurrentInvocationLimitExceeded,
            Refusal::FunctionScalingRateExceeded => ThrottleReason::FunctionScalingRateExceeded,
            Refusal::FunctionInvocationRateLimitExceeded => ThrottleReason::FunctionInvocationRateLimitExceeded,
            Refusal::ReservedFunctionInvocationRateLimitExceeded => ThrottleReason::ReservedFunctionInvocationRateLimitExceeded,
            _ => return None,
        })
    }

    /// The outcome a refused synchronous request resolves with.
    #[inline]
    pub fn outcome(self) -> Outcome {
        match self {
            Refusal::FunctionPending => Outcome::FunctionPending,
            Refusal::FunctionInactive => Outcome::FunctionInactive,
            Refusal::EniLimitReached => Outcome::EniLimitReached,
            _ => Outcome::Throttled,
        }
    }
}

/// How a record ended; the integer values are `lambda_core.RecordOutcome`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordOutcome {
    Pending = 0,
    Processed = 1,
    RetryAttemptsExhausted = 2,
    RecordAgeExceeded = 3,
    Expired = 4,
    DeadLettered = 5,
}

/// `lambda_core.InvocationType` values.
pub const REQUEST_RESPONSE: u8 = 0;
pub const EVENT: u8 = 1;

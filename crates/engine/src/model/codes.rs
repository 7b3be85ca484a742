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

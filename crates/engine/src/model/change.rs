//! Changes of a function's configuration while the run goes on (§16), as Python checked them
//! with AWS's rules at the instant they are made, and the log of what they did.

use crate::primitives::time::Micros;

/// One change, applied at an instant before every other event of that instant (§1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `PutFunctionConcurrency` (`Some`) or `DeleteFunctionConcurrency` (`None`): the
    /// function's reservation from now on, and the account's unreserved pool that leaves.
    Reserved { function: u32, reserved: Option<u32>, unreserved_capacity: u32 },
    /// `PutProvisionedConcurrencyConfig` (or its deletion, 0): the function's provisioned
    /// concurrency from now on, counted against its reservation or the account at once. The
    /// environments it adds are usable `ready_us` later; those it takes away go at once, or
    /// when their execution ends.
    Provisioned { function: u32, provisioned: u32, ready_us: Micros, unreserved_capacity: u32 },
    /// `UpdateFunctionConfiguration` or `UpdateFunctionCode`: every idle on-demand environment
    /// of the function is retired now, and every busy one when its execution ends (it finishes
    /// on the old version); with `timeout_us`, attempts that start from now have that timeout.
    Update { function: u32, timeout_us: Option<Micros> },
}

impl Change {
    pub fn function(&self) -> u32 {
        match *self {
            Change::Reserved { function, .. } | Change::Provisioned { function, .. } | Change::Update { function, .. } => function,
        }
    }
}

/// What a change did, or the end of an allocation of provisioned environments: the function's
/// state right after, and its billed usage up to that instant (so that a bill can price each
/// stretch between changes at its own configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub time: Micros,
    pub function: u32,
    pub kind: AppliedKind,
    /// The reservation in force (`None`: none).
    pub reserved: Option<u32>,
    /// The provisioned concurrency configured, and the provisioned environments usable now
    /// (ready, not being released).
    pub provisioned: u32,
    pub provisioned_ready: u32,
    /// The function's whole-run `billed_ms` and `provisioned_billed_ms` up to this instant.
    pub billed_ms: u64,
    pub provisioned_billed_ms: u64,
}

/// Which event an `Applied` row logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum AppliedKind {
    Reserved = 0,
    Provisioned = 1,
    /// Provisioned environments of an earlier change became ready.
    ProvisionedReady = 2,
    Update = 3,
}

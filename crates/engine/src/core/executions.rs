//! Executions in flight, ordered by when they end (§1 tie order, class 1).
//!
//! A timer wheel of executions: ends at the same microsecond come out in the order the
//! executions were scheduled, which is the order they started. Each entry carries what its end
//! needs (function, request, outcome), so ending an execution reads the function's state
//! without first reading the environment's record.

use super::environments::EnvId;
use super::{SourceKind, SourceRef};
use crate::model::codes::Outcome;
use crate::primitives::time::Micros;
use crate::primitives::wheel::{Popped, Wheel};

/// Who an execution works for: what its end resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A synchronous request with no record between attempts: its one attempt is the request.
    Request(u64),
    /// An asynchronous event on its first attempt and bound to succeed: no record either.
    Event(u64),
    /// A request with a record in `Core::pending` (an event, or a caller retrying).
    Pending(u32),
    /// A batch of an event source (a stream lane's, a queue's).
    Source(SourceRef),
}

/// `Owner`'s discriminant, stored apart from its payload (see `Execution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum OwnerKind {
    Request,
    Event,
    Pending,
    Source,
}

/// Where an admitted attempt runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admitted {
    pub env: EnvId,
    /// The environment's creation order (its routing key), carried so that the end of the
    /// execution need not read the environment's record.
    pub created: u64,
    /// It pays init: a new environment, or one re-initialising after a timeout.
    pub cold: bool,
    pub provisioned: bool,
}

/// An attempt running on an environment. 40 bytes: the owner is kept as its payload and a
/// one-byte kind among the flags (an `Owner` field would take 16 bytes and make it 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Execution {
    /// `Owner`'s payload: a request id, or an index.
    owner_id: u64,
    pub start: Micros,
    /// The environment's creation order (its routing key when it goes idle).
    pub created: u64,
    pub env: EnvId,
    pub function: u32,
    pub outcome: Outcome,
    owner_kind: OwnerKind,
    /// `SourceRef::kind` of a source's batch (in the padding the flags leave).
    source_kind: SourceKind,
    /// It paid init (a cold start).
    pub cold: bool,
    pub provisioned: bool,
    /// It timed out: the environment must re-initialise before its next request (§3).
    pub needs_init: bool,
    /// Its request was sampled for tracing (docs/traces.md): its end is logged.
    pub traced: bool,
}

const _: () = assert!(std::mem::size_of::<Execution>() == 40);

impl Execution {
    #[inline(always)]
    pub fn new(owner: Owner, start: Micros, admitted: Admitted, function: u32, outcome: Outcome, needs_init: bool, traced: bool) -> Self {
        let (owner_kind, owner_id) = match owner {
            Owner::Request(r) => (OwnerKind::Request, r),
            Owner::Event(r) => (OwnerKind::Event, r),
            Owner::Pending(i) => (OwnerKind::Pending, u64::from(i)),
            Owner::Source(b) => (OwnerKind::Source, u64::from(b.id)),
        };
        let source_kind = if let Owner::Source(b) = owner { b.kind } else { SourceKind(0) };
        Execution {
            owner_id,
            start,
            created: admitted.created,
            env: admitted.env,
            function,
            outcome,
            owner_kind,
            source_kind,
            cold: admitted.cold,
            provisioned: admitted.provisioned,
            needs_init,
            traced,
        }
    }

    #[inline(always)]
    pub fn owner(&self) -> Owner {
        match self.owner_kind {
            OwnerKind::Request => Owner::Request(self.owner_id),
            OwnerKind::Event => Owner::Event(self.owner_id),
            OwnerKind::Pending => Owner::Pending(self.owner_id as u32),
            OwnerKind::Source => Owner::Source(SourceRef { kind: self.source_kind, id: self.owner_id as u32 }),
        }
    }
}

#[derive(Default)]
pub(crate) struct Executions {
    wheel: Wheel<Execution>,
}

impl Executions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules the end of an execution.
    #[inline]
    pub fn schedule(&mut self, end: Micros, execution: Execution) {
        self.wheel.schedule(end, execution);
    }

    /// When the next execution ends.
    #[inline]
    pub fn next_end(&self) -> Option<Micros> {
        self.wheel.peek()
    }

    /// Removes the next execution if it ends at or before `t`.
    #[inline]
    #[cfg(test)]
    pub fn pop_due(&mut self, t: Micros) -> Option<(Micros, Execution)> {
        self.wheel.pop_due(t)
    }

    /// Like `pop_due`, calling `soon` on executions that will end within a few milliseconds
    /// (with when they end).
    #[inline(always)]
    pub fn pop_due_hinted(&mut self, t: Micros, soon: impl FnMut(Micros, &Execution)) -> Option<Popped> {
        self.wheel.pop_due_hinted(t, soon)
    }

    /// When a popped execution ends, and the execution (valid until the next `schedule`).
    #[inline(always)]
    pub fn popped(&self, popped: Popped) -> (Micros, Execution) {
        self.wheel.popped(popped)
    }

    pub fn len(&self) -> usize {
        self.wheel.len()
    }

    /// The executions running now (any order).
    pub fn running(&self) -> impl Iterator<Item = Execution> + '_ {
        self.wheel.entries().map(|(_, x)| x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_in_time_then_start_order() {
        let mut ex = Executions::new();
        let on = |env| {
            let admitted = Admitted { env, created: 0, cold: false, provisioned: false };
            Execution::new(Owner::Request(7), 0, admitted, 0, Outcome::Success, false, false)
        };
        ex.schedule(30, on(0));
        ex.schedule(10, on(1));
        ex.schedule(30, on(2));
        ex.schedule(10, on(3));
        assert_eq!(ex.next_end(), Some(10));
        assert_eq!(ex.pop_due(9), None);
        let mut order = vec![];
        while let Some((t, x)) = ex.pop_due(100) {
            order.push((t, x.env));
        }
        assert_eq!(order, vec![(10, 1), (10, 3), (30, 0), (30, 2)]);
    }

    #[test]
    fn owners_survive_the_packing() {
        let admitted = Admitted { env: 3, created: 9, cold: true, provisioned: false };
        let big = u64::MAX - 1;
        for owner in [Owner::Request(big), Owner::Event(0), Owner::Pending(u32::MAX),
            Owner::Source(SourceRef { kind: SourceKind(0), id: 5 }), Owner::Source(SourceRef { kind: SourceKind(1), id: 1 << 30 })] {
            let x = Execution::new(owner, 11, admitted, 2, Outcome::Error, true, true);
            assert_eq!(x.owner(), owner);
            assert_eq!((x.start, x.env, x.created, x.function, x.outcome, x.cold, x.needs_init, x.traced), (11, 3, 9, 2, Outcome::Error, true, true, true));
        }
    }
}

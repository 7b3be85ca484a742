//! Stopping a long call between two events. An embedder installs a hook
//! (`Engine::set_interrupt`); the loop counts the events it processes (execution ends, timers,
//! arrivals of rows and records) and asks the hook every `POLL_EVERY` of them whether to stop.
//! The count is a register the hot loops decrement, so a call costs two instructions per event
//! and the hook (which may take a lock, or Python's GIL) runs a few hundred times a second.
//!
//! The loop only stops after an event is wholly processed and before the next one is taken,
//! so every cursor points at the first input not yet taken and the clock is at the last event
//! processed: a later `advance` (or `step`) takes the rest in the same order, and the records
//! and statistics come out as those of one uninterrupted call. Events due at that same instant
//! may still be waiting (the next call takes them first).

/// Events processed between two polls of the hook: about 2^16 events, a few milliseconds of
/// work, keeps a poll that takes the GIL (about a microsecond) far below 1 % of a run.
pub(super) const POLL_EVERY: u32 = 1 << 16;

/// The hook an embedder installs: `true` stops the call in progress (`Error::Interrupted`).
pub type InterruptHook = Box<dyn FnMut() -> bool + Send + Sync>;

/// The hook and the events left until it is polled again (kept between calls, so that many
/// short calls poll it as often as one long one).
pub(super) struct Interrupt {
    hook: Option<InterruptHook>,
    pub(super) left: u32,
}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt { hook: None, left: POLL_EVERY }
    }
}

impl Interrupt {
    pub(super) fn set(&mut self, hook: Option<InterruptHook>) {
        self.hook = hook;
    }

    /// The count ran out: starts it again and asks the hook whether to stop.
    #[cold]
    #[inline(never)]
    pub(super) fn poll(&mut self, left: &mut u32) -> bool {
        *left = POLL_EVERY;
        self.hook.as_mut().is_some_and(|stop| stop())
    }
}

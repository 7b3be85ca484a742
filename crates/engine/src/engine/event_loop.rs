//! The event loop (§1): the one place where time moves, and where the order of events at one
//! instant is decided. At one instant the loop processes
//!
//! 1. executions that end, in the order they started (`Core::executions`, a wheel whose ties
//!    come out first in, first out);
//! 2. idle expiry — lazily: an idle environment whose expiry is due is discarded by the next
//!    admission that meets it (`core::environments`), which is the same as expiring it here;
//! 3. timers, in the order they were scheduled, whoever owns them (`Timer`: retries of events
//!    and of synchronous callers; polls, batching windows and retries of stream lanes; ramp
//!    ticks, windows and returns of queue messages);
//! 4. arrivals: workload rows in input order, then records of event sources (sources in
//!    order, then input order).
//!
//! Classes 1 and 3 interleave one event at a time (`run_until`): an end may schedule a timer
//! due before the next end. An arrival at `t` is taken after every end and timer due at or
//! before `t` (`run_rows`, `take_records`), and the rows and records due at one instant are
//! merged in class-4 order (`merge_records`).
//!
//! Every event processed (an end, a timer, an arrival) counts down towards the next poll of
//! the embedder's interrupt hook (`interrupt`); the count is a local of each loop, handed to
//! `run_until` by reference so that it stays in a register, and saved when the loop returns.
//! A loop that is told to stop returns `Error::Interrupted` after the event it was processing
//! and before taking the next: its inbox then starts at the first row not taken.

use super::Engine;
use crate::core::admission::PREFETCH_LINES;
use crate::core::executions::{Execution, Owner};
use crate::core::{SourceRef, Timer};
use crate::model::change::Change;
use crate::model::error::Error;
use crate::model::inbox::{Inbox, RecordChunk, RowChunk};
use crate::model::input::Entry;
use crate::model::output::Sink;
use crate::primitives::cache::prefetch;
use crate::primitives::time::{to_micros, Micros};

/// How many rows ahead `run_rows` prefetches a function's state.
const PREFETCH_ROWS: usize = 12;

impl Engine {
    /// Takes every workload row up to `limit` (inclusive), each after the events due before it.
    /// (One copy, called once per `advance` and once per run of records: the row loop is the
    /// hot path, and inlining it into both callers made the compiler stop inlining `arrive`.)
    #[inline(never)]
    pub(super) fn run_rows<S: Sink>(&mut self, limit: Micros, arrivals: &mut Inbox<RowChunk>, sink: &mut S) -> Result<(), Error> {
        let mut left = self.interrupt.left;
        let done = self.run_rows_counting(limit, arrivals, sink, &mut left);
        self.interrupt.left = left;
        done
    }

    #[inline(always)]
    fn run_rows_counting<S: Sink>(&mut self, limit: Micros, arrivals: &mut Inbox<RowChunk>, sink: &mut S, left: &mut u32) -> Result<(), Error> {
        // the rows are the engine's copy, checked when they were submitted: read as they are
        while let Some(rows) = arrivals.chunks.front() {
            let n = rows.time.len();
            while arrivals.row < n {
                let row = arrivals.row;
                let t = to_micros(rows.time[row]);
                if t > limit {
                    return Ok(());
                }
                // The arrivals are known in advance: ask for the state of the function a few
                // rows ahead now, so that it is in cache when its row comes.
                if let Some(&f) = rows.function.get(row + PREFETCH_ROWS) {
                    self.core.prefetch_function(f as usize);
                }
                self.run_until(t, sink, left)?;
                // taken only once the events before it are: an interrupted `run_until` leaves
                // the row for the next call
                arrivals.row = row + 1;
                self.now = t;
                self.core.arrive(rows.arrival_at(row, t), sink);
                if self.tick(left) {
                    if arrivals.row == n {
                        arrivals.next_chunk();
                    }
                    return Err(Error::Interrupted);
                }
            }
            arrivals.next_chunk();
        }
        Ok(())
    }

    /// `run_until` with the interrupt count kept in the engine (for callers outside a loop).
    pub(super) fn run_events<S: Sink>(&mut self, t: Micros, sink: &mut S) -> Result<(), Error> {
        let mut left = self.interrupt.left;
        let done = self.run_until(t, sink, &mut left);
        self.interrupt.left = left;
        done
    }

    /// One event processed: counts it, and every `POLL_EVERY` events asks the interrupt hook
    /// whether to stop.
    #[inline(always)]
    fn tick(&mut self, left: &mut u32) -> bool {
        *left -= 1;
        *left == 0 && self.interrupt.poll(left)
    }

    /// Processes, in the §1 order, every execution end and every timer due at or before `t`,
    /// one event at a time: an end may schedule a timer that comes before the next end.
    /// `Err(Interrupted)` only: the hook stopped it after an event (`left`: see `tick`).
    #[inline(always)]
    fn run_until<S: Sink>(&mut self, t: Micros, sink: &mut S, left: &mut u32) -> Result<(), Error> {
        loop {
            let timer = self.core.timers.peek().filter(|&m| m <= t);
            // an end at or before the next timer comes first (ends before timers at an instant)
            let (functions, metrics) = (&self.core.functions, &self.core.metrics);
            let end = self.core.executions.pop_due_hinted(timer.unwrap_or(t), |_, x| {
                // executions about to end get their function's state and figures fetched ahead
                if let Some(func) = functions.get(x.function as usize) {
                    prefetch(func, PREFETCH_LINES);
                    metrics.prefetch_end(x.function as usize);
                }
            });
            if let Some(popped) = end {
                let (end, x) = self.core.executions.popped(popped);
                self.now = end;
                self.finish(x, end, sink);
            } else if let Some(m) = timer {
                let (_, timer) = self.core.timers.pop_due(m).expect("a due timer");
                self.now = m;
                self.fire(timer, m, sink);
            } else {
                return Ok(());
            }
            if self.tick(left) {
                return Err(Error::Interrupted);
            }
        }
    }

    /// An execution ends (class 1): its environment goes idle, and its owner learns the result.
    #[inline(always)]
    fn finish<S: Sink>(&mut self, x: Execution, end: Micros, sink: &mut S) {
        self.core.end(&x, end);
        match x.owner() {
            Owner::Request(request) => self.core.finish_unrecorded(&x, request, false, end, sink),
            Owner::Event(request) => self.core.finish_unrecorded(&x, request, true, end, sink),
            owner => self.finish_recorded(owner, &x, end, sink),
        }
    }

    /// The end of an attempt whose owner keeps a record: a request between attempts, or a batch.
    fn finish_recorded<S: Sink>(&mut self, owner: Owner, x: &Execution, end: Micros, sink: &mut S) {
        match owner {
            Owner::Pending(id) => self.core.finish_pending(x, id, end, sink),
            Owner::Source(batch) => self.sources.batch_end(&mut self.core, batch, x.outcome, end, sink),
            Owner::Request(_) | Owner::Event(_) => unreachable!("requests without a record end in `finish`"),
        }
    }

    /// A timer fires (class 3).
    #[inline]
    fn fire<S: Sink>(&mut self, timer: Timer, now: Micros, sink: &mut S) {
        match timer {
            Timer::Retry(id) => self.core.attempt(id, now, sink),
            Timer::Source { kind, id } => self.sources.fire(&mut self.core, SourceRef { kind, id }, now, sink),
            Timer::Provisioned(f) => self.core.provisioned_ready(f, now),
        }
    }

    /// Interleaves records with workload rows and events up to `limit`: at one instant workload
    /// rows first, then records of source 0, 1 ... in input order (§1 class 4).
    pub(super) fn merge_records<S: Sink>(
        &mut self,
        limit: Micros,
        arrivals: &mut Inbox<RowChunk>,
        records: &mut [Inbox<RecordChunk>],
        sink: &mut S,
    ) -> Result<(), Error> {
        loop {
            // the source whose next record comes first (the lowest index on ties)
            let mut first: Option<(Micros, usize)> = None;
            for (s, c) in records.iter().enumerate() {
                if let Some(t) = c.peek() {
                    if first.is_none_or(|(best, _)| t < best) {
                        first = Some((t, s));
                    }
                }
            }
            let Some((t, s)) = first else { return Ok(()) };
            if t > limit {
                return Ok(());
            }
            self.run_rows(t, arrivals, sink)?;
            // this source's records go up to the next row or the next other source's record
            let mut bound = limit;
            if let Some(tw) = arrivals.peek() {
                bound = bound.min(tw.saturating_sub(1));
            }
            for (other, c) in records.iter().enumerate() {
                if other != s {
                    if let Some(to) = c.peek() {
                        bound = bound.min(if other < s { to.saturating_sub(1) } else { to });
                    }
                }
            }
            self.take_records(s, bound.max(t), &mut records[s], sink)?;
        }
    }

    /// Takes source `s`'s records up to `bound` (inclusive), each after the events due before it.
    fn take_records<S: Sink>(&mut self, s: usize, bound: Micros, inbox: &mut Inbox<RecordChunk>, sink: &mut S) -> Result<(), Error> {
        let mut left = self.interrupt.left;
        let done = self.take_records_counting(s, bound, inbox, sink, &mut left);
        self.interrupt.left = left;
        done
    }

    #[inline(always)]
    fn take_records_counting<S: Sink>(
        &mut self,
        s: usize,
        bound: Micros,
        inbox: &mut Inbox<RecordChunk>,
        sink: &mut S,
        left: &mut u32,
    ) -> Result<(), Error> {
        let reader = self.sources.reader(s);
        let mut next_event = self.core.next_event();
        while let Some(rows) = inbox.chunks.front() {
            let n = rows.time.len();
            while inbox.row < n {
                let row = inbox.row;
                let t = to_micros(rows.time[row]);
                if t > bound {
                    return Ok(());
                }
                if t >= next_event {
                    self.run_until(t, sink, left)?;
                    next_event = self.core.next_event();
                }
                inbox.row = row + 1; // after the events before it: see run_rows
                self.now = t;
                // checked at submission: within `FAILURES`, which a u32 holds
                let failures = rows.failures.as_ref().map_or(0, |f| f[row] as u32);
                let entry = Entry { time: t, id: rows.first_id + row as u64, failures };
                if self.sources.arrive(&mut self.core, reader, entry, rows.key[row], sink) {
                    next_event = self.core.next_event();
                }
                if self.tick(left) {
                    if inbox.row == n {
                        inbox.next_chunk();
                    }
                    return Err(Error::Interrupted);
                }
            }
            inbox.next_chunk();
        }
        Ok(())
    }

    /// A run without `until` must end: a mapping whose function reserves 0 (once the changes
    /// scheduled are applied) would retry (or return) its throttled batches for ever.
    pub(super) fn check_finishes(&self) -> Result<(), Error> {
        for s in 0..self.sources.len() {
            let Some((function, waiting)) = self.sources.waiting(s) else { continue };
            let waiting = waiting || self.records[s].pending() > 0;
            let last_reserved = self.changes.iter().rev().find_map(|(_, c)| match *c {
                Change::Reserved { function: f, reserved, .. } if f == function => Some(reserved == Some(0)),
                _ => None,
            });
            if waiting && last_reserved.unwrap_or(self.core.functions[function as usize].zero_reserved) {
                return Err(Error::Config(format!(
                    "the mapping of event source {s}: its function's reserved concurrency is 0, so its batches are \
                     throttled for ever; pass until to run up to a time"
                )));
            }
        }
        Ok(())
    }
}

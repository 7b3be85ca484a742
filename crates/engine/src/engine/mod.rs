//! The top layer: the `Engine` an embedder drives. Verbs: `submit` checks and numbers a chunk of
//! rows (`submit_records` for an event source's records); `advance` runs the loop up to a time,
//! `step` one instant at a time, `peek_time` says when the next instant is; `report` reads the
//! statistics at a horizon. The loop itself and the §1 order are in `event_loop`.

mod event_loop;
mod interrupt;

pub use interrupt::InterruptHook;
use interrupt::Interrupt;

use crate::core::destinations::DestinationLog;
use crate::core::{Core, CoreConfig};
use crate::model::config::Config;
use crate::model::error::Error;
use crate::model::input::{Cursor, RecordCursor, RecordRows, Rows, Submitted};
use crate::model::output::Sink;
use crate::model::report::{MappingStats, Report};
use crate::primitives::time::{to_micros, to_seconds, Micros};
use crate::sources::Sources;

pub struct Engine {
    core: Core,
    sources: Sources,
    /// The time of the last event processed (or the last `until`).
    now: Micros,
    /// The workload rows submitted so far (request ids) and the last arrival time.
    requests: Submitted,
    /// The embedder's interrupt hook and the events left until its next poll.
    interrupt: Interrupt,
}

impl Engine {
    pub fn new(config: Config) -> Result<Engine, Error> {
        config.check()?;
        let Config { account, functions, routing, destinations, client_retries, seed, sources, mappings, queue_mappings } = config;
        let core_config = CoreConfig {
            concurrency_unreserved: account.unreserved_capacity,
            scaling: account.scaling,
            routing,
            destinations,
            client_retries,
            seed,
            n_sources: sources.len(),
        };
        let mut core = Core::new(core_config, functions)?;
        let sources = Sources::new(&sources, mappings, queue_mappings, &mut core)?;
        Ok(Engine { core, sources, now: 0, requests: Submitted::default(), interrupt: Interrupt::default() })
    }

    /// Installs (or with `None` removes) the hook that `advance`, `advance_with` and `step` poll
    /// every 65 536 events (a few milliseconds): when it returns `true` the call stops between
    /// two events and returns `Error::Interrupted`. The engine is then consistent, its clock
    /// (`now`) at the last event processed, which may be before `until` and before events due
    /// at that same instant; the cursors point at the first row and record not taken, and the
    /// records resolved so far are in the sink. Calling again with the same cursors continues
    /// as if nothing had stopped: the sinks of the two calls together hold what one call's
    /// would, and the statistics are the same. An `AtomicBool` set by another thread:
    /// `engine.set_interrupt(Some(Box::new(move || flag.load(Ordering::Relaxed))))`.
    pub fn set_interrupt(&mut self, hook: Option<InterruptHook>) {
        self.interrupt.set(hook);
    }

    /// Request ids handed out so far (the rows submitted).
    pub fn submitted(&self) -> u64 {
        self.requests.rows
    }

    pub fn n_functions(&self) -> usize {
        self.core.functions.len()
    }

    pub fn n_sources(&self) -> usize {
        self.sources.len()
    }

    /// The simulated time the engine has reached.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// Checks a chunk and hands out its request ids; returns the first id. The caller keeps the
    /// rows and passes them to `advance` (through a `Cursor`) with `first_id` set to it.
    pub fn submit(&mut self, rows: &Rows<'_>) -> Result<u64, Error> {
        let n_functions = self.core.functions.len();
        self.requests.take(self.now, rows.time, |not_before, not_before_s| rows.validate(n_functions, not_before, not_before_s))
    }

    /// Checks a chunk of source `source`'s records and numbers them; returns the first id.
    pub fn submit_records(&mut self, source: u32, rows: &RecordRows<'_>) -> Result<u64, Error> {
        self.sources.submit(self.now, source, rows)
    }

    /// Records submitted to `source` so far.
    pub fn submitted_records(&self, source: u32) -> u64 {
        self.sources.submitted(source)
    }

    /// Runs the loop until `until` (inclusive; `None`: until nothing is left), sending every
    /// request resolved on the way to `sink`. The clock is at `until` afterwards (with `None`,
    /// at the last event). `Error::Interrupted` when the interrupt hook stopped it
    /// (`set_interrupt` says where the engine is then).
    pub fn advance<S: Sink>(&mut self, until: Option<Micros>, arrivals: &mut Cursor<'_>, sink: &mut S) -> Result<(), Error> {
        self.advance_with(until, arrivals, &mut [], sink)
    }

    /// `advance` with event sources' records too: `records[s]` holds source `s`'s submitted
    /// chunks.
    pub fn advance_with<S: Sink>(
        &mut self,
        until: Option<Micros>,
        arrivals: &mut Cursor<'_>,
        records: &mut [RecordCursor<'_>],
        sink: &mut S,
    ) -> Result<(), Error> {
        if let Some(u) = until {
            if u < self.now {
                return Err(Error::Config(format!(
                    "until={} is before the simulator's current time {}",
                    to_seconds(u),
                    to_seconds(self.now)
                )));
            }
        } else {
            self.check_finishes(records)?;
        }
        let limit = until.unwrap_or(Micros::MAX);
        if !records.is_empty() {
            self.merge_records(limit, arrivals, records, sink)?;
        }
        self.run_rows(limit, arrivals, sink)?;
        self.run_events(limit, sink)?;
        if let Some(u) = until {
            self.now = u;
        }
        Ok(())
    }

    /// When the next instant with something to do is: the earliest execution end, timer, or
    /// arrival of a row in `arrivals` or a record in `records` (`None`: nothing is left).
    pub fn peek_time(&self, arrivals: &Cursor<'_>, records: &[RecordCursor<'_>]) -> Option<Micros> {
        let mut next = self.core.next_event();
        if let Some(t) = arrivals.peek_seconds() {
            next = next.min(to_micros(t));
        }
        for c in records {
            if let Some(t) = c.next_seconds() {
                next = next.min(to_micros(t));
            }
        }
        (next != Micros::MAX).then_some(next)
    }

    /// Processes the next instant (`peek_time`): everything due then, in the §1 order, as
    /// `advance` to that instant would; returns it (`None`: nothing was left, and nothing
    /// happened). The clock is at that instant afterwards. Stepping through a run gives the
    /// same results, in the same order, as one `advance` over it. An interrupted step (the
    /// hook, as for `advance`) leaves the clock at or before that instant; stepping again
    /// finishes it.
    pub fn step<S: Sink>(&mut self, arrivals: &mut Cursor<'_>, records: &mut [RecordCursor<'_>], sink: &mut S) -> Result<Option<Micros>, Error> {
        let Some(t) = self.peek_time(arrivals, records) else { return Ok(None) };
        self.advance_with(Some(t.max(self.now)), arrivals, records, sink)?;
        Ok(Some(t))
    }

    /// Takes the destination records collected so far (one log per destination).
    pub fn drain_destinations(&mut self) -> Vec<DestinationLog> {
        self.core.destinations.iter_mut().map(DestinationLog::drain).collect()
    }

    /// Records ever sent to each destination (kept or not).
    pub fn destination_totals(&self) -> Vec<u64> {
        self.core.destinations.iter().map(|d| d.total).collect()
    }

    /// Requests between attempts or in one that have a record (events, retrying callers).
    pub fn pending_requests(&self) -> usize {
        self.core.pending.len()
    }

    /// Executions running now.
    pub fn running(&self) -> usize {
        self.core.executions.len()
    }

    /// The horizon of a report: `until`, or when the last request was resolved.
    pub fn horizon(&self, until: Option<Micros>) -> Micros {
        until.unwrap_or(self.core.last_resolved)
    }

    /// Statistics over [0, horizon] (§10 whole-run figures).
    pub fn report(&self, horizon: Micros) -> Report {
        self.core.metrics.report(horizon, self.core.live_environments())
    }

    /// Reports every record still held by a mapping as pending, with its attempts, receives,
    /// start and end so far (an end after now is not reported).
    pub fn report_pending_records<S: Sink>(&self, sink: &mut S) {
        self.sources.report_pending(self.now, sink);
    }

    /// Per source, in source order: its mapping's counters (zeros for a source nobody reads).
    pub fn mapping_stats(&self) -> Vec<MappingStats> {
        self.core.metrics.mapping_stats()
    }

    /// Records held by mappings (arrived, not yet resolved).
    pub fn records_held(&self) -> u64 {
        self.sources.held()
    }

    /// FIFO message groups held now (with messages waiting or in flight), and the slots they
    /// have needed at once, over every queue: memory follows these, not the groups ever seen.
    #[doc(hidden)] // for the tests of that promise (docs/reliability.md, "Bounded memory")
    pub fn fifo_groups(&self) -> (usize, usize) {
        self.sources.fifo_groups()
    }

    /// Whether event source `source`'s mapping holds records (arrived, not yet resolved).
    pub fn source_holds_records(&self, source: u32) -> bool {
        (source as usize) < self.sources.len() && self.sources.waiting(source as usize).is_some_and(|(_, held)| held)
    }
}

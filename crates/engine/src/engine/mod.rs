//! The top layer: the `Engine` an embedder drives. Verbs: `submit` copies, checks and numbers a
//! chunk of rows (`submit_records` for an event source's records, `submit_together` for both at
//! once, all or nothing); `advance` runs the loop up to a time,
//! `step` one instant at a time, `peek_time` says when the next instant is; `report` reads the
//! statistics at a horizon. The loop itself and the §1 order are in `event_loop`.

mod event_loop;
mod interrupt;

pub use interrupt::InterruptHook;
use interrupt::Interrupt;

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::core::destinations::DestinationLog;
use crate::core::traces::TraceLog;
use crate::core::{Core, CoreConfig};
use crate::model::change::{Applied, Change};
use crate::model::config::Config;
use crate::model::error::Error;
use crate::model::inbox::{Inbox, RecordChunk, RowChunk};
use crate::model::input::OneRow;
use crate::model::input::{RecordRows, Rows};
use crate::model::output::Sink;
use crate::model::report::{MappingStats, Report};
use crate::model::table::Table;
use crate::primitives::grow::OutOfMemory;
use crate::primitives::time::{to_seconds, Micros};
use crate::sources::Sources;

pub struct Engine {
    core: Core,
    sources: Sources,
    /// The time of the last event processed (or the last `until`).
    now: Micros,
    /// The workload rows submitted and not yet taken (their ids: request ids).
    rows: Inbox<RowChunk>,
    /// Per event source, its records submitted and not yet taken.
    records: Vec<Inbox<RecordChunk>>,
    /// The embedder's interrupt hook and the events left until its next poll.
    interrupt: Interrupt,
    /// Changes scheduled and not yet applied (§16), in time order.
    changes: std::collections::VecDeque<(Micros, Change)>,
    /// Set when a run could not grow its state (`primitives::grow`): the instant it was in is
    /// part-way done, so every later call is refused.
    out_of_memory: Option<OutOfMemory>,
}

impl Engine {
    pub fn new(config: Config) -> Result<Engine, Error> {
        config.check()?;
        let Config { account, functions, routing, destinations, client_retries, seed, sources, mappings, queue_mappings, metrics_period_us, eni_quotas } =
            config;
        let core_config = CoreConfig {
            concurrency_unreserved: account.unreserved_capacity,
            scaling: account.scaling,
            routing,
            destinations,
            client_retries,
            seed,
            n_sources: sources.len(),
            metrics_period_us,
            concurrency_limit: account.concurrency_limit,
            requests_per_concurrency: account.requests_per_concurrency,
            eni_quotas,
        };
        let mut core = Core::new(core_config, functions)?;
        let records = (0..sources.len()).map(|_| Inbox::default()).collect();
        let sources = Sources::new(&sources, mappings, queue_mappings, &mut core)?;
        Ok(Engine {
            core,
            sources,
            now: 0,
            rows: Inbox::default(),
            records,
            interrupt: Interrupt::default(),
            changes: Default::default(),
            out_of_memory: None,
        })
    }

    /// Installs (or with `None` removes) the hook that `advance` and `step` poll
    /// every 65 536 events (a few milliseconds): when it returns `true` the call stops between
    /// two events and returns `Error::Interrupted`. The engine is then consistent, its clock
    /// (`now`) at the last event processed, which may be before `until` and before events due
    /// at that same instant; the rows and records not taken stay submitted, and the records
    /// resolved so far are in the sink. Calling again continues
    /// as if nothing had stopped: the sinks of the two calls together hold what one call's
    /// would, and the statistics are the same. An `AtomicBool` set by another thread:
    /// `engine.set_interrupt(Some(Box::new(move || flag.load(Ordering::Relaxed))))`.
    pub fn set_interrupt(&mut self, hook: Option<InterruptHook>) {
        self.interrupt.set(hook);
    }

    /// Request ids handed out so far (the rows submitted).
    pub fn submitted(&self) -> u64 {
        self.rows.submitted()
    }

    /// Workload rows submitted and not yet reached by the clock.
    pub fn pending_rows(&self) -> u64 {
        self.rows.pending()
    }

    /// Records of `source` submitted and not yet reached by the clock.
    pub fn pending_records(&self, source: u32) -> u64 {
        self.records.get(source as usize).map_or(0, Inbox::pending)
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

    /// Copies a chunk of workload rows, checks the copy and queues it; returns the request id
    /// of its first row (rows are numbered on from it). On an error nothing is queued.
    pub fn submit(&mut self, rows: &Rows<'_>) -> Result<u64, Error> {
        self.usable()?;
        let (chunk, last) = self.check_rows(rows)?;
        Ok(self.rows.push(chunk, last))
    }

    /// Checks and queues one workload row, as `submit` does a chunk of one but without building
    /// columns (a co-simulation submits one request per step); returns its request id. Single
    /// rows submitted one after another share a chunk.
    pub fn submit_one(&mut self, row: OneRow) -> Result<u64, Error> {
        self.usable()?;
        let (not_before, not_before_s) = self.rows.not_before(self.now);
        let last = row.check(self.core.functions.len(), not_before, not_before_s)?;
        Ok(self.rows.push_one(row, last))
    }

    /// Copies, checks and queues a chunk of source `source`'s records; returns the id of the
    /// first (records are numbered per source). On an error nothing is queued.
    pub fn submit_records(&mut self, source: u32, rows: &RecordRows<'_>) -> Result<u64, Error> {
        self.usable()?;
        let (chunk, last) = self.check_records(source, rows)?;
        Ok(self.records[source as usize].push(chunk, last))
    }

    /// `submit` and `submit_records` of several sources at once, all or nothing: every chunk is
    /// copied and checked before any is queued. Returns the first request id and, per entry of
    /// `records`, the first record id. A source may appear once.
    pub fn submit_together(&mut self, rows: &Rows<'_>, records: &[(u32, RecordRows<'_>)]) -> Result<(u64, Vec<u64>), Error> {
        self.usable()?;
        for (i, (source, _)) in records.iter().enumerate() {
            if records[..i].iter().any(|(other, _)| other == source) {
                return Err(Error::Config(format!("event source {source} is given two chunks in one submission")));
            }
        }
        let checked_rows = self.check_rows(rows)?;
        let mut checked = Vec::with_capacity(records.len());
        for (source, r) in records {
            checked.push(self.check_records(*source, r)?);
        }
        let (chunk, last) = checked_rows;
        let first = self.rows.push(chunk, last);
        let firsts = records
            .iter()
            .zip(checked)
            .map(|(&(source, _), (chunk, last))| self.records[source as usize].push(chunk, last))
            .collect();
        Ok((first, firsts))
    }

    /// A chunk of rows copied and checked (with its last time), ready to queue.
    fn check_rows(&self, rows: &Rows<'_>) -> Result<(RowChunk, Micros), Error> {
        let chunk = RowChunk::copy(rows)?;
        let (not_before, not_before_s) = self.rows.not_before(self.now);
        let last = chunk.rows().validate(self.core.functions.len(), not_before, not_before_s)?;
        Ok((chunk, last))
    }

    fn check_records(&self, source: u32, rows: &RecordRows<'_>) -> Result<(RecordChunk, Micros), Error> {
        let Some(inbox) = self.records.get(source as usize) else {
            return Err(Error::Config(format!("event source {source} does not exist")));
        };
        let chunk = RecordChunk::copy(rows)?;
        let (not_before, not_before_s) = inbox.not_before(self.now);
        let last = chunk.rows().validate(not_before, not_before_s).map_err(|e| e.in_source(source))?;
        Ok((chunk, last))
    }

    /// Records submitted to `source` so far.
    pub fn submitted_records(&self, source: u32) -> u64 {
        self.records.get(source as usize).map_or(0, Inbox::submitted)
    }

    /// Schedules `change` at `at` (§16): it takes effect before every event of that instant
    /// that is not processed yet (at the clock's own instant, after those already processed).
    /// Changes are given in time order, at or after the clock; Python has checked them with
    /// AWS's rules, and this only refuses what would break the engine.
    pub fn schedule_change(&mut self, at: Micros, change: Change) -> Result<(), Error> {
        self.usable()?;
        let f = change.function();
        if f as usize >= self.core.functions.len() {
            return Err(Error::Config(format!("a change names function {f}, which does not exist")));
        }
        let last = self.changes.back().map_or(self.now, |&(t, _)| t.max(self.now));
        if at < last {
            return Err(Error::Config(format!(
                "a change at {} comes before {}: changes are scheduled in time order, from the simulator's current time",
                to_seconds(at),
                to_seconds(last)
            )));
        }
        self.changes.try_reserve(1).map_err(|_| Error::OutOfMemory { what: "changes", count: self.changes.len() as u64 + 1 })?;
        self.changes.push_back((at, change));
        Ok(())
    }

    /// Changes scheduled and not yet applied.
    pub fn pending_changes(&self) -> usize {
        self.changes.len()
    }

    /// What the changes applied so far did, in order, with the ends of the allocations of
    /// provisioned environments they started (§16).
    pub fn applied_changes(&self) -> &[Applied] {
        &self.core.changes
    }

    /// Per function, the seconds of provisioned environments busy and usable from time 0 to
    /// the clock: their ratio over a stretch of time is its provisioned concurrency's
    /// utilisation (`ProvisionedConcurrencyUtilization`'s Average, §16).
    pub fn provisioned_seconds(&self) -> Vec<(f64, f64)> {
        self.core.metrics.provisioned_seconds(self.now)
    }

    /// Per function, its provisioned environments usable now (fewer than configured while an
    /// allocation is in progress, §16).
    pub fn provisioned_usable(&self) -> Vec<u32> {
        self.core.metrics.provisioned_usable()
    }

    /// Runs the loop until `until` (inclusive; `None`: until nothing is left), taking the
    /// submitted rows and records as the clock reaches them and sending every request and
    /// record resolved on the way to `sink`. The clock is at `until` afterwards (with `None`,
    /// at the last event). `Error::Interrupted` when the interrupt hook stopped it
    /// (`set_interrupt` says where the engine is then). `Error::OutOfMemory` when the state of
    /// the run could not grow: the engine is then unusable (`Error::Unusable` from every later
    /// call but the reads), since it stopped part-way through an instant; the process goes on.
    pub fn advance<S: Sink>(&mut self, until: Option<Micros>, sink: &mut S) -> Result<(), Error> {
        self.advance_guarded(until, true, sink)
    }

    /// `advance(Some(until))`, except that when nothing is left to happen afterwards the clock
    /// stays at the last event, as a run without `until` leaves it: an embedder that stops a
    /// run without `until` on its way (a controller, §16) moves the clock no further than the
    /// run would.
    pub fn advance_within<S: Sink>(&mut self, until: Micros, sink: &mut S) -> Result<(), Error> {
        self.advance_guarded(Some(until), false, sink)
    }

    fn advance_guarded<S: Sink>(&mut self, until: Option<Micros>, clock_to_until: bool, sink: &mut S) -> Result<(), Error> {
        self.usable()?;
        match catch_unwind(AssertUnwindSafe(|| self.advance_unguarded(until, clock_to_until, sink))) {
            Ok(done) => done,
            Err(payload) => match payload.downcast::<OutOfMemory>() {
                Ok(oom) => {
                    self.out_of_memory = Some(*oom);
                    Err(Error::OutOfMemory { what: oom.what, count: oom.count })
                }
                Err(other) => resume_unwind(other),
            },
        }
    }

    /// Whether the engine can go on: `false` once a run has run out of memory.
    pub fn is_usable(&self) -> bool {
        self.out_of_memory.is_none()
    }

    /// `Error::Unusable` once a run has run out of memory.
    fn usable(&self) -> Result<(), Error> {
        match self.out_of_memory {
            None => Ok(()),
            Some(oom) => Err(Error::Unusable { what: oom.what, count: oom.count }),
        }
    }

    fn advance_unguarded<S: Sink>(&mut self, until: Option<Micros>, clock_to_until: bool, sink: &mut S) -> Result<(), Error> {
        if let Some(u) = until {
            if u < self.now {
                return Err(Error::Config(format!(
                    "until={} is before the simulator's current time {}",
                    to_seconds(u),
                    to_seconds(self.now)
                )));
            }
        } else {
            self.check_finishes()?;
        }
        let limit = until.unwrap_or(Micros::MAX);
        // a change at `c` comes before every event at `c`: the loop runs to just before it
        while let Some(&(c, change)) = self.changes.front() {
            if c > limit {
                break;
            }
            if c > self.now {
                self.run_segment(c - 1, sink)?;
            }
            self.changes.pop_front();
            self.now = self.now.max(c);
            self.core.apply(change, self.now);
        }
        self.run_segment(limit, sink)?;
        if let Some(u) = until {
            if clock_to_until || self.peek_time().is_some() {
                self.now = u;
            }
        }
        Ok(())
    }

    /// Runs the loop up to `limit` (inclusive), taking rows and records on the way.
    fn run_segment<S: Sink>(&mut self, limit: Micros, sink: &mut S) -> Result<(), Error> {
        // the inboxes leave the engine while the loop reads them, so that it can borrow both
        let mut rows = std::mem::take(&mut self.rows);
        let mut records = std::mem::take(&mut self.records);
        let mut ran = Ok(());
        if records.iter().any(|r| !r.chunks.is_empty()) {
            ran = self.merge_records(limit, &mut rows, &mut records, sink);
        }
        if ran.is_ok() {
            ran = self.run_rows(limit, &mut rows, sink);
        }
        self.rows = rows;
        self.records = records;
        ran?;
        self.run_events(limit, sink)
    }

    /// When the next instant with something to do is: the earliest execution end, timer,
    /// change, or arrival of a submitted row or record (`None`: nothing is left).
    pub fn peek_time(&self) -> Option<Micros> {
        let mut next = self.core.next_event();
        let change = self.changes.front().map(|&(t, _)| t.max(self.now));
        for t in std::iter::once(self.rows.peek()).chain(self.records.iter().map(Inbox::peek)).chain(std::iter::once(change)).flatten() {
            next = next.min(t);
        }
        (next != Micros::MAX).then_some(next)
    }

    /// Processes the next instant (`peek_time`): everything due then, in the §1 order, as
    /// `advance` to that instant would; returns it (`None`: nothing was left, and nothing
    /// happened). The clock is at that instant afterwards. Stepping through a run gives the
    /// same results, in the same order, as one `advance` over it. An interrupted step (the
    /// hook, as for `advance`) leaves the clock at or before that instant; stepping again
    /// finishes it.
    pub fn step<S: Sink>(&mut self, sink: &mut S) -> Result<Option<Micros>, Error> {
        let Some(t) = self.peek_time() else { return Ok(None) };
        self.advance(Some(t.max(self.now)), sink)?;
        Ok(Some(t))
    }

    /// Takes the destination records collected so far (one log per destination).
    pub fn drain_destinations(&mut self) -> Vec<DestinationLog> {
        self.core.destinations.iter_mut().map(DestinationLog::drain).collect()
    }

    /// Takes the rows of the traced attempts logged so far (docs/traces.md): one per
    /// attempt of a sampled request, logged when it ends or is throttled.
    pub fn drain_traces(&mut self) -> TraceLog {
        self.core.tracer.drain()
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

    /// The per-period series (§10) from time 0 to the clock, or `None` when the configuration
    /// set no `metrics_period_us`: per function, for the account and per source, one column
    /// per (metric, statistic) named `"Metric:Statistic"`, entity by entity, one value per
    /// period (`period`, `horizon` and `n_periods` say how many).
    pub fn series(&mut self) -> Option<Table> {
        self.core.metrics.count_durations();
        self.core.metrics.series(self.now, self.core.live_environments())
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
    /// Records submitted and not yet arrived are `pending_records`.
    pub fn source_holds_records(&self, source: u32) -> bool {
        (source as usize) < self.sources.len() && self.sources.waiting(source as usize).is_some_and(|(_, held)| held)
    }
}

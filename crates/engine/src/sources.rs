//! Event sources (§7–8) as the event loop sees them: their records, submitted in chunks and
//! merged with the workload's rows in time order, handed to a stream's lanes (`lanes.rs`) or a
//! queue's pollers (`pollers.rs`). A child module of `engine`.

use super::Engine;
use crate::config::SourceConfig;
use crate::error::Error;
use crate::results::Sink;
use crate::shards::{Entry, MappingStats, RecordCursor, RecordRows};
use crate::time::{to_micros, Micros, MAX_SECONDS};
use crate::workload::{changed_after_submit, Cursor, Submitted};

/// Timer payloads: below `SOURCE_TIMER`, pending-request ids; from it, a lane index
/// (`LANE_TIMER | lane`) or a queue timer (`QUEUE_TIMER | slab index`).
pub(super) const SOURCE_TIMER: u32 = 1 << 31;
pub(super) const LANE_TIMER: u32 = SOURCE_TIMER;
pub(super) const QUEUE_TIMER: u32 = SOURCE_TIMER | 1 << 30;

/// Who reads a source's records.
#[derive(Debug, Clone, Copy)]
pub(super) enum Reader {
    Nobody,
    /// A stream mapping (index into `Engine::mappings`).
    Lanes(u32),
    /// A queue mapping (index into `Engine::queues`).
    Pollers(u32),
}

/// A source, and how far its records have been submitted.
#[derive(Debug)]
pub(super) struct Source {
    pub reader: Reader,
    pub submitted: Submitted,
}

pub(super) fn build(configs: &[SourceConfig], stream_mappings: &[crate::config::MappingConfig], queue_mappings: &[crate::config::QueueMappingConfig]) -> Vec<Source> {
    let mut sources: Vec<Source> =
        configs.iter().map(|_| Source { reader: Reader::Nobody, submitted: Submitted::default() }).collect();
    for (i, m) in stream_mappings.iter().enumerate() {
        sources[m.stream as usize].reader = Reader::Lanes(i as u32);
    }
    for (i, m) in queue_mappings.iter().enumerate() {
        sources[m.queue as usize].reader = Reader::Pollers(i as u32);
    }
    sources
}

impl Engine {
    /// Checks a chunk of source `source`'s records and numbers them; returns the first id.
    pub fn submit_records(&mut self, source: u32, rows: &RecordRows<'_>) -> Result<u64, Error> {
        let now = self.now;
        let Some(s) = self.sources.get_mut(source as usize) else {
            return Err(Error::Config(format!("event source {source} does not exist")));
        };
        s.submitted.take(now, rows.time, |not_before, not_before_s| rows.validate(not_before, not_before_s))
    }

    /// Records submitted to `source` so far.
    pub fn submitted_records(&self, source: u32) -> u64 {
        self.sources.get(source as usize).map_or(0, |s| s.submitted.rows)
    }

    pub fn n_sources(&self) -> usize {
        self.sources.len()
    }

    /// A run without `until` must end: a mapping whose function reserves 0 would retry (or
    /// return) its throttled batches for ever.
    pub(super) fn check_finishes(&self, records: &mut [RecordCursor<'_>]) -> Result<(), Error> {
        for (s, source) in self.sources.iter().enumerate() {
            let (function, waiting) = match source.reader {
                Reader::Nobody => continue,
                Reader::Lanes(m) => {
                    let m = &self.mappings[m as usize];
                    let lanes = &self.lanes[m.first_lane as usize..][..(m.shards * m.config.parallelization_factor) as usize];
                    (m.config.function, lanes.iter().any(|l| !l.fifo.is_empty()))
                }
                Reader::Pollers(q) => {
                    let q = &self.queues[q as usize];
                    (q.config.function, q.unresolved > 0)
                }
            };
            let waiting = waiting || records.get_mut(s).is_some_and(|c| c.peek_seconds().is_some());
            if waiting && self.functions[function as usize].zero_reserved {
                return Err(Error::Config(format!(
                    "the mapping of event source {s}: its function's reserved concurrency is 0, so its batches are \
                     throttled for ever; pass until to run up to a time"
                )));
            }
        }
        Ok(())
    }

    /// The earliest execution end or timer (`Micros::MAX`: none).
    #[inline]
    fn next_event(&mut self) -> Micros {
        let end = self.executions.next_end().unwrap_or(Micros::MAX);
        end.min(self.timers.peek().unwrap_or(Micros::MAX))
    }

    /// Interleaves records with workload rows and events up to `limit`: at one instant workload
    /// rows first, then records of source 0, 1 ... in input order (§1 class 4).
    pub(super) fn merge_records<S: Sink>(
        &mut self,
        limit: Micros,
        arrivals: &mut Cursor<'_>,
        records: &mut [RecordCursor<'_>],
        sink: &mut S,
    ) -> Result<(), Error> {
        loop {
            // the source whose next record comes first (the lowest index on ties)
            let mut first: Option<(Micros, usize)> = None;
            for (s, c) in records.iter_mut().enumerate() {
                if let Some(t) = c.peek_seconds() {
                    let t = to_micros(t);
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
            if let Some(tw) = arrivals.peek_seconds() {
                bound = bound.min(to_micros(tw).saturating_sub(1));
            }
            for (other, c) in records.iter_mut().enumerate() {
                if other != s {
                    if let Some(to) = c.peek_seconds() {
                        let to = to_micros(to);
                        bound = bound.min(if other < s { to.saturating_sub(1) } else { to });
                    }
                }
            }
            self.take_records(s as u32, bound.max(t), &mut records[s], sink)?;
        }
    }

    /// Takes source `s`'s records up to `bound` (inclusive), each after the events due before it.
    fn take_records<S: Sink>(&mut self, s: u32, bound: Micros, cursor: &mut RecordCursor<'_>, sink: &mut S) -> Result<(), Error> {
        let reader = self.sources[s as usize].reader;
        let mut next_event = self.next_event();
        while let Some(&rows) = cursor.chunks.get(cursor.chunk) {
            while cursor.row < rows.len() {
                let row = cursor.row;
                let ts = rows.time[row];
                let t = to_micros(ts);
                let failures = rows.failures.map_or(0, |f| f[row]);
                // the caller's arrays are read in place: see Engine::run_rows
                if !(0.0..=MAX_SECONDS).contains(&ts) | (t < self.now) | !(0..=u32::MAX as i64).contains(&failures) {
                    let column = if (0..=u32::MAX as i64).contains(&failures) { "time" } else { "failures" };
                    return Err(changed_after_submit(column, row));
                }
                if t > bound {
                    return Ok(());
                }
                cursor.row = row + 1;
                if t >= next_event {
                    self.run_until(t, sink);
                    next_event = self.next_event();
                }
                self.now = t;
                let entry = Entry { time: t, id: rows.first_id + row as u64, failures: failures as u32 };
                let scheduled = match reader {
                    Reader::Nobody => false, // nobody reads this source: the record stays pending
                    Reader::Lanes(m) => self.arrive_record(m, entry, rows.key[row], sink),
                    Reader::Pollers(q) => {
                        self.arrive_message(q, entry, rows.key[row], sink);
                        true
                    }
                };
                if scheduled {
                    next_event = self.next_event();
                }
            }
            cursor.chunk += 1;
            cursor.row = 0;
        }
        Ok(())
    }

    /// Reports every record still held by a mapping as pending, with its attempts, receives,
    /// start and end so far (an end after now is not reported).
    pub fn report_pending_records<S: Sink>(&self, sink: &mut S) {
        self.report_pending_lanes(sink);
        self.report_pending_messages(sink);
    }

    /// Per source, in source order: its mapping's counters (zeros for a source nobody reads).
    pub fn mapping_stats(&self) -> Vec<MappingStats> {
        self.sources
            .iter()
            .map(|s| match s.reader {
                Reader::Nobody => MappingStats::default(),
                Reader::Lanes(m) => self.mappings[m as usize].stats.clone(),
                Reader::Pollers(q) => self.queues[q as usize].stats.clone(),
            })
            .collect()
    }

    /// Records held by mappings (arrived, not yet resolved).
    pub fn records_held(&self) -> u64 {
        self.lanes.iter().map(|l| l.fifo.len() as u64).sum::<u64>() + self.queues.iter().map(|q| q.unresolved).sum::<u64>()
    }
}

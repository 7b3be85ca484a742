//! The fourth layer: event sources (§7–8). Each kind has one file holding its state and its
//! verbs — `stream` (Kinesis and DynamoDB streams: shards and lanes), `queue` (SQS standard and
//! FIFO queues: pollers, with each mapping's state in `queue_mapping`) — and implements `EventSource`, the one interface the event loop
//! drives them through: a record arrives, one of the kind's timers fires, one of its batches
//! ends. Sources invoke their function through `Core` like any request.
//!
//! A new kind: a file here implementing `EventSource`, its `KIND` number, a `Reader` variant
//! and its arm in each dispatch below, and its configuration in `model` (with the field that
//! carries it through `engine::Engine::new` and the façade's re-export). The core and the
//! event loop carry the kind's timers and batches as `SourceRef`s without knowing the kind.

pub(crate) mod groups;
pub(crate) mod queue;
pub(crate) mod queue_mapping;
pub(crate) mod stream;

use crate::core::{Core, SourceKind, SourceRef, Timer};
use crate::model::codes::Outcome;
use crate::model::config::{MappingConfig, QueueMappingConfig, SourceConfig};
use crate::model::error::Error;
use crate::model::input::Entry;
use crate::model::output::Sink;
use crate::primitives::time::Micros;
use queue::Queues;
use stream::Streams;

/// The kinds' numbers in `SourceRef::kind`.
const STREAM: SourceKind = SourceKind(0);
const QUEUE: SourceKind = SourceKind(1);

/// What the event loop asks of a kind of event source. Mappings, timers and batches are
/// numbered within their kind.
pub(crate) trait EventSource {
    /// The kind's number in the `SourceRef`s of its timers and batches.
    const KIND: SourceKind;

    /// The core's handle of the kind's timer or batch `id`.
    #[inline(always)]
    fn source_ref(id: u32) -> SourceRef {
        SourceRef { kind: Self::KIND, id }
    }

    /// The wheel's entry of the kind's timer `id`.
    #[inline(always)]
    fn timer(id: u32) -> Timer {
        Timer::Source { kind: Self::KIND, id }
    }

    /// A record arrives for mapping `m` at `entry.time`; returns whether it scheduled anything
    /// (a timer or an execution).
    fn arrive<S: Sink>(&mut self, core: &mut Core, m: u32, entry: Entry, key: i64, sink: &mut S) -> bool;
    /// One of the kind's timers fires at `now`.
    fn fire<S: Sink>(&mut self, core: &mut Core, timer: u32, now: Micros, sink: &mut S);
    /// One of the kind's batches ends at `now` with `outcome`.
    fn batch_end<S: Sink>(&mut self, core: &mut Core, batch: u32, outcome: Outcome, now: Micros, sink: &mut S);
    /// Mapping `m`'s function, and whether the mapping holds records not yet resolved.
    fn waiting(&self, m: u32) -> (u32, bool);
    /// Reports every record still held as pending (an end after `now` is not reported).
    fn report_pending<S: Sink>(&self, now: Micros, sink: &mut S);
    /// Records held (arrived, not yet resolved).
    fn held(&self) -> u64;
}

/// Who reads a source's records.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reader {
    Nobody,
    /// A stream mapping (its index among the stream mappings).
    Lanes(u32),
    /// A queue mapping (its index among the queue mappings).
    Pollers(u32),
}

/// A source: who reads its records.
#[derive(Debug)]
struct Source {
    reader: Reader,
}

/// Every event source and the state of their mappings.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    list: Vec<Source>,
    pub streams: Streams,
    pub queues: Queues,
}

impl Sources {
    /// `Error::OutOfMemory` when the streams' lanes do not fit in memory.
    pub fn new(configs: &[SourceConfig], stream_mappings: Vec<MappingConfig>, queue_mappings: Vec<QueueMappingConfig>, core: &mut Core) -> Result<Self, Error> {
        let mut list: Vec<Source> = configs.iter().map(|_| Source { reader: Reader::Nobody }).collect();
        for (i, m) in stream_mappings.iter().enumerate() {
            list[m.stream as usize].reader = Reader::Lanes(i as u32);
        }
        for (i, m) in queue_mappings.iter().enumerate() {
            list[m.queue as usize].reader = Reader::Pollers(i as u32);
        }
        let streams = stream::build(configs, stream_mappings)?;
        let queues = queue::build(configs, queue_mappings, core);
        Ok(Sources { list, streams, queues })
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Who reads source `s`.
    #[inline]
    pub fn reader(&self, s: usize) -> Reader {
        self.list[s].reader
    }

    /// A record of source `reader` arrives; returns whether it scheduled anything.
    #[inline]
    pub fn arrive<S: Sink>(&mut self, core: &mut Core, reader: Reader, entry: Entry, key: i64, sink: &mut S) -> bool {
        match reader {
            Reader::Nobody => false, // nobody reads this source: the record stays pending
            Reader::Lanes(m) => self.streams.arrive(core, m, entry, key, sink),
            Reader::Pollers(q) => self.queues.arrive(core, q, entry, key, sink),
        }
    }

    /// A source's timer fires at `now`.
    #[inline]
    pub fn fire<S: Sink>(&mut self, core: &mut Core, timer: SourceRef, now: Micros, sink: &mut S) {
        match timer.kind {
            STREAM => self.streams.fire(core, timer.id, now, sink),
            QUEUE => self.queues.fire(core, timer.id, now, sink),
            SourceKind(k) => unreachable!("a timer of source kind {k}"),
        }
    }

    /// A source's batch ends at `now` with `outcome`.
    #[inline]
    pub fn batch_end<S: Sink>(&mut self, core: &mut Core, batch: SourceRef, outcome: Outcome, now: Micros, sink: &mut S) {
        match batch.kind {
            STREAM => self.streams.batch_end(core, batch.id, outcome, now, sink),
            QUEUE => self.queues.batch_end(core, batch.id, outcome, now, sink),
            SourceKind(k) => unreachable!("a batch of source kind {k}"),
        }
    }

    /// Source `s`'s mapping's function, and whether it holds records (`None`: nobody reads it).
    pub fn waiting(&self, s: usize) -> Option<(u32, bool)> {
        match self.list[s].reader {
            Reader::Nobody => None,
            Reader::Lanes(m) => Some(self.streams.waiting(m)),
            Reader::Pollers(q) => Some(self.queues.waiting(q)),
        }
    }

    /// Reports every record still held by a mapping as pending: streams first, then queues.
    pub fn report_pending<S: Sink>(&self, now: Micros, sink: &mut S) {
        self.streams.report_pending(now, sink);
        self.queues.report_pending(now, sink);
    }

    /// Records held by mappings (arrived, not yet resolved).
    pub fn held(&self) -> u64 {
        self.streams.held() + self.queues.held()
    }

    /// FIFO message groups alive now, and their slots (the most alive at once).
    pub fn fifo_groups(&self) -> (usize, usize) {
        self.queues.fifo_groups()
    }
}

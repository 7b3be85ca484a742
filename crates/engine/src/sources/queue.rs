//! Queue event sources (§8): SQS standard and FIFO queues and the mapping that polls each —
//! state and verbs.
//!
//! A queue's mapping holds its messages in three places: visible (waiting to be received),
//! in a batch (in flight), or invisible until their visibility timeout ends (after a failed or
//! throttled batch). Standard queues hand out visible messages oldest first: new arrivals wait
//! in arrival order and returned messages in a heap by id, and the oldest of the two heads goes
//! first. FIFO queues keep one ordered list per message group; a group is locked while any of
//! its messages is in flight or invisible, and the next batch comes from the unlocked group
//! whose head is oldest.
//!
//! Messages arrive, pollers receive batches of visible messages while the mapping has free
//! slots, batches run as synchronous invocations, failed or throttled batches come back after the visibility timeout, messages
//! received too often go to the dead-letter queue, and the number of slots ramps up under a
//! backlog and falls back without one.
//!
//! Queue timers (ramp ticks, batching windows, returns of invisible messages) share the
//! engine's timer wheel, as a `Timer::Source` of index `Queues::timers`.

use super::queue_mapping::{Message, Oldest, QueueMapping};
use super::EventSource;
use crate::core::executions::Owner;
use crate::core::{Core, SourceKind};
use crate::model::codes::{Outcome, RecordOutcome};
use crate::model::config::{QueueMappingConfig, SourceConfig};
use crate::model::input::Entry;
use crate::model::output::{Sink, StreamRecord};
use crate::primitives::slab::Slab;
use crate::primitives::time::{Micros, NEVER};
use crate::primitives::grow::Grow;

/// The queue mappings, their batches (in flight, or waiting to return) and their timers.
#[derive(Debug, Default)]
pub(crate) struct Queues {
    mappings: Vec<QueueMapping>,
    batches: Slab<QueueBatch>,
    timers: Slab<QueueTimer>,
}

/// A batch received from a queue: in flight, or throttled and waiting to return.
#[derive(Debug, Default)]
pub(crate) struct QueueBatch {
    pub mapping: u32,
    pub messages: Vec<Message>,
    pub received: Micros,
}

/// What a queue timer does when it fires.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) enum QueueTimer {
    /// A free slot of `Engine::queue_timers` (never scheduled).
    #[default]
    Free,
    /// The ramp of mapping `q` (every 0.2 s, legacy 1 s).
    Tick(u32),
    /// The end of mapping `q`'s batching window number `gen`.
    Window(u32, u32),
    /// A batch's messages become visible again.
    Return(u32),
}

impl Queues {
    fn queue_timer(&mut self, core: &mut Core, at: Micros, timer: QueueTimer) {
        let i = self.timers.insert(timer);
        core.timers.schedule(at, Self::timer(i));
    }

    /// A queue timer fired.
    fn fire_queue_timer<S: Sink>(&mut self, core: &mut Core, i: u32, now: Micros, sink: &mut S) {
        match self.timers.take(i) {
            QueueTimer::Tick(q) => self.tick(core, q, now, sink),
            QueueTimer::Window(q, gen) => {
                let qm = &mut self.mappings[q as usize];
                if qm.gathering && qm.window_gen == gen {
                    qm.gathering = false;
                    self.poll(core, q, now, true, sink);
                }
            }
            QueueTimer::Free => debug_assert!(false, "a free queue timer fired"),
            QueueTimer::Return(b) => {
                let batch = self.batches.take(b);
                let q = batch.mapping;
                self.make_visible(q, batch.messages);
                self.poll(core, q, now, false, sink);
            }
        }
    }

    /// A message arrives on queue mapping `q` (its key is the FIFO message group id).
    fn arrive_message<S: Sink>(&mut self, core: &mut Core, q: u32, entry: Entry, key: i64, sink: &mut S) {
        let qm = &mut self.mappings[q as usize];
        let fifo = qm.queue.fifo;
        let group = if fifo { qm.group(key) } else { 0 };
        let message = Message {
            id: entry.id,
            time: entry.time,
            failures: entry.failures,
            attempts: 0,
            receives: 0,
            group,
            start: NEVER,
            end: NEVER,
        };
        if fifo {
            let visible = &mut qm.groups.get_mut(group).visible;
            visible.grow(message, "queue messages");
            if visible.len() == 1 {
                qm.index_group(group);
            }
        } else {
            qm.fresh.grow(message, "queue messages");
        }
        qm.visible += 1;
        qm.unresolved += 1;
        if !qm.ticking {
            // the ramp runs on the grid k·Δ while the mapping has messages
            qm.ticking = true;
            let tick = qm.config.tick_us();
            self.queue_timer(core, (entry.time / tick + 1) * tick, QueueTimer::Tick(q));
        }
        self.poll(core, q, entry.time, false, sink);
    }

    /// The ramp (§8): one more slot while messages wait and every slot is busy, one fewer while
    /// none waits, between the base (5) and the cap.
    fn tick<S: Sink>(&mut self, core: &mut Core, q: u32, now: Micros, sink: &mut S) {
        self.purge_expired(core, q, now, sink); // expired messages are not waiting
        let qm = &mut self.mappings[q as usize];
        let (base, cap) = (qm.config.base_slots(), qm.config.max_slots());
        if qm.visible > 0 && qm.running >= qm.slots && qm.slots < cap {
            qm.slots += 1;
            core.metrics.slots(now, qm.config.queue, qm.slots);
        } else if qm.visible == 0 && qm.slots > base {
            qm.slots -= 1;
        }
        self.poll(core, q, now, false, sink);
        let qm = &mut self.mappings[q as usize];
        if qm.unresolved == 0 && qm.slots <= qm.config.base_slots() {
            qm.ticking = false;
        } else {
            let next = now + qm.config.tick_us();
            self.queue_timer(core, next, QueueTimer::Tick(q));
        }
    }

    /// Receives and invokes batches while the mapping has free slots and visible messages
    /// (messages past the retention are deleted first). `window_over`: the batching window just
    /// ended, so batches go even if not full.
    fn poll<S: Sink>(&mut self, core: &mut Core, q: u32, now: Micros, window_over: bool, sink: &mut S) {
        self.receive(core, q, now, window_over, sink);
        let qm = &self.mappings[q as usize];
        core.metrics.visible(now, qm.config.queue, qm.visible);
    }

    /// `poll`'s receives.
    fn receive<S: Sink>(&mut self, core: &mut Core, q: u32, now: Micros, window_over: bool, sink: &mut S) {
        self.purge_expired(core, q, now, sink);
        loop {
            let qm = &mut self.mappings[q as usize];
            if qm.running >= qm.slots || qm.visible == 0 {
                return;
            }
            let size = qm.config.batch_size as usize;
            let mut batch = Vec::with_capacity(size.min(qm.visible as usize));
            // each message taken is received once more; one received maxReceiveCount times
            // already goes to the dead-letter queue instead, and the next one takes its place
            let max_receives = qm.queue.max_receive_count;
            let mut dead = Vec::new();
            let mut take = |m: Message, batch: &mut Vec<Message>| {
                if max_receives.is_some_and(|limit| m.receives >= limit) {
                    dead.grow(m, "queue messages");
                } else {
                    batch.grow(Message { receives: m.receives + 1, ..m }, "queue messages");
                }
            };
            let mut group = None;
            if qm.queue.fifo {
                let Some(g) = qm.pop_ready() else { return };
                while batch.len() < size {
                    let Some(m) = qm.groups.get_mut(g).visible.pop_front() else { break };
                    qm.visible -= 1;
                    take(m, &mut batch);
                }
                qm.groups.get_mut(g).locked = true;
                qm.index_group(g);
                group = Some(g);
            } else {
                let window = qm.config.window_us;
                if window > 0 && !window_over && (qm.visible as usize) < size {
                    if !qm.gathering {
                        qm.gathering = true;
                        qm.window_gen = qm.window_gen.wrapping_add(1);
                        let gen = qm.window_gen;
                        self.queue_timer(core, now + window, QueueTimer::Window(q, gen));
                    }
                    return;
                }
                qm.gathering = false;
                while batch.len() < size {
                    let Some(m) = qm.pop_standard() else { break };
                    take(m, &mut batch);
                }
            }
            for m in dead {
                core.metrics.on_failure_record(now, self.mappings[q as usize].config.queue);
                self.resolve_message(core, q, &m, RecordOutcome::DeadLettered, now, sink);
            }
            if batch.is_empty() {
                if let Some(g) = group {
                    self.unlock(q, g);
                }
                continue;
            }
            core.metrics.batches(now, self.mappings[q as usize].config.queue, 1, batch.len() as u64);
            self.invoke_messages(core, q, batch, now);
        }
    }

    /// One synchronous invocation of a received batch (§4 admission).
    fn invoke_messages(&mut self, core: &mut Core, q: u32, mut messages: Vec<Message>, now: Micros) {
        let c = &self.mappings[q as usize].config;
        let function = c.function;
        let duration = c.base_us.saturating_add(c.per_record_us.saturating_mul(messages.len() as u64));
        match core.admit(function, now) {
            Err(refusal) => {
                // not invoked (throttled, or refused: §13): the messages come back when their visibility timeout ends
                core.refused(now, function, refusal);
                let qm = &mut self.mappings[q as usize];
                core.metrics.batch_throttled(now, qm.config.queue, messages.len() as u64);
                let at = now.saturating_add(qm.queue.visibility_timeout_us);
                let b = self.batches.insert(QueueBatch { mapping: q, messages, received: now });
                self.queue_timer(core, at, QueueTimer::Return(b));
            }
            Ok(admitted) => {
                let fails = messages.iter().any(|m| m.failures > m.attempts);
                let records = messages.len() as u64;
                let b = self.batches.insert(QueueBatch { mapping: q, messages: Vec::new(), received: now });
                let end = core.start(Owner::Source(Self::source_ref(b)), admitted, function, duration, fails, false, now);
                for m in &mut messages {
                    m.attempts += 1;
                    m.start = now;
                    m.end = end;
                }
                self.batches.get_mut(b).messages = messages;
                let qm = &mut self.mappings[q as usize];
                qm.running += 1;
                core.metrics.batch_invoked(now, qm.config.queue, qm.running, None, records);
            }
        }
    }

    /// A queue batch's invocation ended: its messages are deleted, or come back when their
    /// visibility timeout ends (at once if it already has).
    fn queue_batch_end<S: Sink>(&mut self, core: &mut Core, b: u32, outcome: Outcome, now: Micros, sink: &mut S) {
        let q = self.batches.get_mut(b).mapping;
        let qm = &mut self.mappings[q as usize];
        qm.running -= 1;
        if outcome == Outcome::Success {
            let batch = self.batches.take(b);
            for m in &batch.messages {
                self.resolve_message(core, q, m, RecordOutcome::Processed, now, sink);
            }
            if self.mappings[q as usize].queue.fifo {
                self.unlock(q, batch.messages[0].group);
            }
        } else {
            core.metrics.batch_failed(now, qm.config.queue, self.batches.get_mut(b).messages.len() as u64);
            let qm = &mut self.mappings[q as usize];
            core.metrics.batch_retried(now, qm.config.queue);
            let received = self.batches.get_mut(b).received;
            let at = received.saturating_add(qm.queue.visibility_timeout_us);
            if at <= now {
                let batch = self.batches.take(b);
                self.make_visible(q, batch.messages);
            } else {
                self.queue_timer(core, at, QueueTimer::Return(b));
            }
        }
        self.poll(core, q, now, false, sink);
    }

    /// Messages become visible again (older than any message waiting: they go first).
    fn make_visible(&mut self, q: u32, messages: Vec<Message>) {
        let qm = &mut self.mappings[q as usize];
        qm.visible += messages.len() as u64;
        if qm.queue.fifo {
            let g = messages[0].group;
            let visible = &mut qm.groups.get_mut(g).visible;
            visible.room_for(messages.len(), "queue messages");
            for m in messages.into_iter().rev() {
                visible.push_front(m);
            }
            self.unlock(q, g);
        } else {
            qm.returned.room_for(messages.len(), "queue messages");
            qm.returned.extend(messages.into_iter().map(Oldest));
        }
    }

    fn unlock(&mut self, q: u32, g: u32) {
        let qm = &mut self.mappings[q as usize];
        qm.groups.get_mut(g).locked = false;
        qm.settle_group(g);
    }

    /// Deletes every visible message past the queue's retention (oldest first).
    fn purge_expired<S: Sink>(&mut self, core: &mut Core, q: u32, now: Micros, sink: &mut S) {
        let qm = &mut self.mappings[q as usize];
        let Some(horizon) = now.checked_sub(qm.queue.retention_us) else { return };
        // a message is gone once time + retention ≤ now, that is time ≤ horizon
        if qm.queue.fifo {
            while let Some(&std::cmp::Reverse((id, g))) = self.mappings[q as usize].heads.peek() {
                let qm = &mut self.mappings[q as usize];
                let head = qm.groups.get(g).visible.front().copied();
                if head.is_none_or(|m| m.id != id) {
                    qm.heads.pop(); // stale entry
                    continue;
                }
                if head.is_some_and(|m| m.time > horizon) {
                    return;
                }
                qm.heads.pop();
                loop {
                    let qm = &mut self.mappings[q as usize];
                    let Some(m) = qm.groups.get(g).visible.front().copied() else { break };
                    if m.time > horizon {
                        break;
                    }
                    qm.groups.get_mut(g).visible.pop_front();
                    qm.visible -= 1;
                    self.resolve_message(core, q, &m, RecordOutcome::Expired, now, sink);
                }
                self.mappings[q as usize].settle_group(g);
            }
        } else {
            while let Some(m) = self.mappings[q as usize].oldest_standard() {
                if m.time > horizon {
                    return;
                }
                self.mappings[q as usize].pop_standard();
                self.resolve_message(core, q, &m, RecordOutcome::Expired, now, sink);
            }
        }
    }

    fn resolve_message<S: Sink>(&mut self, core: &mut Core, q: u32, m: &Message, outcome: RecordOutcome, now: Micros, sink: &mut S) {
        let qm = &mut self.mappings[q as usize];
        qm.unresolved -= 1;
        core.metrics.record_resolved(now, qm.config.queue, outcome);
        core.resolved_at(now);
        sink.record(&StreamRecord {
            stream: qm.config.queue,
            id: m.id,
            outcome,
            attempts: m.attempts,
            receives: m.receives,
            start: m.start,
            end: m.end,
        });
    }

    /// Reports every message not yet resolved as pending.
    fn report_pending_messages<S: Sink>(&self, now: Micros, sink: &mut S) {
        let mut report = |source: u32, m: &Message| {
            let end = if m.end > now { NEVER } else { m.end };
            sink.record(&StreamRecord {
                stream: source,
                id: m.id,
                outcome: RecordOutcome::Pending,
                attempts: m.attempts,
                receives: m.receives,
                start: m.start,
                end,
            });
        };
        for qm in &self.mappings {
            let source = qm.config.queue;
            qm.fresh.iter().for_each(|m| report(source, m));
            qm.returned.iter().for_each(|m| report(source, &m.0));
            // in slot order, not the order groups were first seen: a reused slot forgets that
            qm.groups.slots().flat_map(|(_, g)| g.visible.iter()).for_each(|m| report(source, m));
        }
        for b in self.batches.slots().filter(|b| !b.messages.is_empty()) {
            let source = self.mappings[b.mapping as usize].config.queue;
            b.messages.iter().for_each(|m| report(source, m));
        }
    }
}

/// The queue mappings from the configuration; each starts with its base slots (§8).
pub(super) fn build(sources: &[SourceConfig], configs: Vec<QueueMappingConfig>, core: &mut Core) -> Queues {
    let mappings = configs
        .into_iter()
        .map(|c| {
            let SourceConfig::Queue(queue) = &sources[c.queue as usize] else { unreachable!("checked by Config::check") };
            core.metrics.slots(0, c.queue, c.base_slots());
            QueueMapping::new(c, queue.clone())
        })
        .collect();
    Queues { mappings, batches: Slab::default(), timers: Slab::default() }
}

impl EventSource for Queues {
    const KIND: SourceKind = super::QUEUE;

    #[inline]
    fn arrive<S: Sink>(&mut self, core: &mut Core, q: u32, entry: Entry, key: i64, sink: &mut S) -> bool {
        self.arrive_message(core, q, entry, key, sink);
        true
    }

    fn fire<S: Sink>(&mut self, core: &mut Core, timer: u32, now: Micros, sink: &mut S) {
        self.fire_queue_timer(core, timer, now, sink)
    }

    fn batch_end<S: Sink>(&mut self, core: &mut Core, batch: u32, outcome: Outcome, now: Micros, sink: &mut S) {
        self.queue_batch_end(core, batch, outcome, now, sink)
    }

    fn waiting(&self, q: u32) -> (u32, bool) {
        let q = &self.mappings[q as usize];
        (q.config.function, q.unresolved > 0)
    }

    fn report_pending<S: Sink>(&self, now: Micros, sink: &mut S) {
        self.report_pending_messages(now, sink)
    }

    fn held(&self) -> u64 {
        self.mappings.iter().map(|q| q.unresolved).sum()
    }
}

impl Queues {
    /// FIFO message groups alive now and slots ever needed at once, over every mapping.
    pub fn fifo_groups(&self) -> (usize, usize) {
        self.mappings.iter().fold((0, 0), |(live, slots), q| (live + q.groups.live(), slots + q.groups.capacity()))
    }
}

//! The engine's verbs for queue event-source mappings (§8): messages arrive, pollers receive
//! batches of visible messages while the mapping has free slots, batches run as synchronous
//! invocations, failed or throttled batches come back after the visibility timeout, messages
//! received too often go to the dead-letter queue, and the number of slots ramps up under a
//! backlog and falls back without one. A child module of `engine`.
//!
//! Queue timers (ramp ticks, batching windows, returns of invisible messages) share the
//! engine's timer wheel, as `QUEUE_TIMER | index` into `Engine::queue_timers`.

use super::sources::QUEUE_TIMER;
use super::Engine;
use crate::invocations::NEVER;
use crate::queues::{Message, Oldest, QueueBatch, QueueMapping};
use crate::results::{Outcome, RecordOutcome, Sink, StreamRecord};
pub(super) use crate::slab::Slab;
use crate::shards::Entry;
use crate::time::Micros;

/// `Execution::pending` of a queue's batch; its `request` is the batch's index in
/// `Engine::queue_batches`.
pub(super) const QUEUE_BATCH: u32 = u32::MAX - 3;

/// What a queue timer does when it fires.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum QueueTimer {
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

impl Engine {
    fn queue_timer(&mut self, at: Micros, timer: QueueTimer) {
        let i = self.queue_timers.insert(timer);
        self.timers.schedule(at, QUEUE_TIMER | i);
    }

    /// A queue timer fired.
    pub(super) fn fire_queue_timer<S: Sink>(&mut self, i: u32, now: Micros, sink: &mut S) {
        match self.queue_timers.take(i) {
            QueueTimer::Tick(q) => self.tick(q, now, sink),
            QueueTimer::Window(q, gen) => {
                let qm = &mut self.queues[q as usize];
                if qm.gathering && qm.window_gen == gen {
                    qm.gathering = false;
                    self.poll(q, now, true, sink);
                }
            }
            QueueTimer::Free => debug_assert!(false, "a free queue timer fired"),
            QueueTimer::Return(b) => {
                let batch = self.queue_batches.take(b);
                let q = batch.mapping;
                self.make_visible(q, batch.messages);
                self.poll(q, now, false, sink);
            }
        }
    }

    /// A message arrives on queue mapping `q` (its key is the FIFO message group id).
    pub(super) fn arrive_message<S: Sink>(&mut self, q: u32, entry: Entry, key: i64, sink: &mut S) {
        let qm = &mut self.queues[q as usize];
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
            let visible = &mut qm.groups[group as usize].visible;
            visible.push_back(message);
            if visible.len() == 1 {
                qm.index_group(group);
            }
        } else {
            qm.fresh.push_back(message);
        }
        qm.visible += 1;
        qm.unresolved += 1;
        if !qm.ticking {
            // the ramp runs on the grid k·Δ while the mapping has messages
            qm.ticking = true;
            let tick = qm.config.tick_us();
            self.queue_timer((entry.time / tick + 1) * tick, QueueTimer::Tick(q));
        }
        self.poll(q, entry.time, false, sink);
    }

    /// The ramp (§8): one more slot while messages wait and every slot is busy, one fewer while
    /// none waits, between the base (5) and the cap.
    fn tick<S: Sink>(&mut self, q: u32, now: Micros, sink: &mut S) {
        self.purge_expired(q, now, sink); // expired messages are not waiting
        let qm = &mut self.queues[q as usize];
        let (base, cap) = (qm.config.base_slots(), qm.config.max_slots());
        if qm.visible > 0 && qm.running >= qm.slots && qm.slots < cap {
            qm.slots += 1;
            qm.stats.max_slots = qm.stats.max_slots.max(qm.slots);
        } else if qm.visible == 0 && qm.slots > base {
            qm.slots -= 1;
        }
        self.poll(q, now, false, sink);
        let qm = &mut self.queues[q as usize];
        if qm.unresolved == 0 && qm.slots <= qm.config.base_slots() {
            qm.ticking = false;
        } else {
            let next = now + qm.config.tick_us();
            self.queue_timer(next, QueueTimer::Tick(q));
        }
    }

    /// Receives and invokes batches while the mapping has free slots and visible messages
    /// (messages past the retention are deleted first). `window_over`: the batching window just
    /// ended, so batches go even if not full.
    fn poll<S: Sink>(&mut self, q: u32, now: Micros, window_over: bool, sink: &mut S) {
        self.purge_expired(q, now, sink);
        loop {
            let qm = &mut self.queues[q as usize];
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
                    dead.push(m);
                } else {
                    batch.push(Message { receives: m.receives + 1, ..m });
                }
            };
            let mut group = None;
            if qm.queue.fifo {
                let Some(g) = qm.pop_ready() else { return };
                while batch.len() < size {
                    let Some(m) = qm.groups[g as usize].visible.pop_front() else { break };
                    qm.visible -= 1;
                    take(m, &mut batch);
                }
                qm.groups[g as usize].locked = true;
                qm.index_group(g);
                group = Some(g);
            } else {
                let window = qm.config.window_us;
                if window > 0 && !window_over && (qm.visible as usize) < size {
                    if !qm.gathering {
                        qm.gathering = true;
                        qm.window_gen = qm.window_gen.wrapping_add(1);
                        let gen = qm.window_gen;
                        self.queue_timer(now + window, QueueTimer::Window(q, gen));
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
                self.queues[q as usize].stats.on_failure_records += 1;
                self.resolve_message(q, &m, RecordOutcome::DeadLettered, now, sink);
            }
            if batch.is_empty() {
                if let Some(g) = group {
                    self.unlock(q, g);
                }
                continue;
            }
            self.queues[q as usize].stats.batches += 1;
            self.invoke_messages(q, batch, now);
        }
    }

    /// One synchronous invocation of a received batch (§4 admission).
    fn invoke_messages(&mut self, q: u32, mut messages: Vec<Message>, now: Micros) {
        let c = &self.queues[q as usize].config;
        let function = c.function;
        let duration = c.base_us.saturating_add(c.per_record_us.saturating_mul(messages.len() as u64));
        match self.admit(function, now) {
            Err(reason) => {
                // not invoked: the messages come back when their visibility timeout ends
                self.count_throttle(function, reason);
                let qm = &mut self.queues[q as usize];
                qm.stats.throttles += 1;
                let at = now.saturating_add(qm.queue.visibility_timeout_us);
                let b = self.queue_batches.insert(QueueBatch { mapping: q, messages, received: now });
                self.queue_timer(at, QueueTimer::Return(b));
            }
            Ok(admitted) => {
                let fails = messages.iter().any(|m| m.failures > m.attempts);
                let b = self.queue_batches.insert(QueueBatch { mapping: q, messages: Vec::new(), received: now });
                let end = self.start(admitted, u64::from(b), function, duration, fails, now, QUEUE_BATCH);
                for m in &mut messages {
                    m.attempts += 1;
                    m.start = now;
                    m.end = end;
                }
                self.queue_batches.get_mut(b).messages = messages;
                let qm = &mut self.queues[q as usize];
                qm.running += 1;
                qm.stats.invocations += 1;
                qm.stats.max_concurrency = qm.stats.max_concurrency.max(qm.running);
            }
        }
    }

    /// A queue batch's invocation ended: its messages are deleted, or come back when their
    /// visibility timeout ends (at once if it already has).
    pub(super) fn queue_batch_end<S: Sink>(&mut self, b: u32, outcome: Outcome, now: Micros, sink: &mut S) {
        let q = self.queue_batches.get_mut(b).mapping;
        let qm = &mut self.queues[q as usize];
        qm.running -= 1;
        if outcome == Outcome::Success {
            let batch = self.queue_batches.take(b);
            for m in &batch.messages {
                self.resolve_message(q, m, RecordOutcome::Processed, now, sink);
            }
            if self.queues[q as usize].queue.fifo {
                self.unlock(q, batch.messages[0].group);
            }
        } else {
            qm.stats.retries += 1;
            let received = self.queue_batches.get_mut(b).received;
            let at = received.saturating_add(qm.queue.visibility_timeout_us);
            if at <= now {
                let batch = self.queue_batches.take(b);
                self.make_visible(q, batch.messages);
            } else {
                self.queue_timer(at, QueueTimer::Return(b));
            }
        }
        self.poll(q, now, false, sink);
    }

    /// Messages become visible again (older than any message waiting: they go first).
    fn make_visible(&mut self, q: u32, messages: Vec<Message>) {
        let qm = &mut self.queues[q as usize];
        qm.visible += messages.len() as u64;
        if qm.queue.fifo {
            let g = messages[0].group;
            let visible = &mut qm.groups[g as usize].visible;
            for m in messages.into_iter().rev() {
                visible.push_front(m);
            }
            self.unlock(q, g);
        } else {
            qm.returned.extend(messages.into_iter().map(Oldest));
        }
    }

    fn unlock(&mut self, q: u32, g: u32) {
        let qm = &mut self.queues[q as usize];
        qm.groups[g as usize].locked = false;
        qm.index_group(g);
    }

    /// Deletes every visible message past the queue's retention (oldest first).
    fn purge_expired<S: Sink>(&mut self, q: u32, now: Micros, sink: &mut S) {
        let qm = &mut self.queues[q as usize];
        let Some(horizon) = now.checked_sub(qm.queue.retention_us) else { return };
        // a message is gone once time + retention ≤ now, that is time ≤ horizon
        if qm.queue.fifo {
            while let Some(&std::cmp::Reverse((id, g))) = self.queues[q as usize].heads.peek() {
                let qm = &mut self.queues[q as usize];
                let head = qm.groups[g as usize].visible.front().copied();
                if head.is_none_or(|m| m.id != id) {
                    qm.heads.pop(); // stale entry
                    continue;
                }
                if head.is_some_and(|m| m.time > horizon) {
                    return;
                }
                qm.heads.pop();
                loop {
                    let qm = &mut self.queues[q as usize];
                    let Some(m) = qm.groups[g as usize].visible.front().copied() else { break };
                    if m.time > horizon {
                        break;
                    }
                    qm.groups[g as usize].visible.pop_front();
                    qm.visible -= 1;
                    self.resolve_message(q, &m, RecordOutcome::Expired, now, sink);
                }
                self.queues[q as usize].index_group(g);
            }
        } else {
            while let Some(m) = self.queues[q as usize].oldest_standard() {
                if m.time > horizon {
                    return;
                }
                self.queues[q as usize].pop_standard();
                self.resolve_message(q, &m, RecordOutcome::Expired, now, sink);
            }
        }
    }

    fn resolve_message<S: Sink>(&mut self, q: u32, m: &Message, outcome: RecordOutcome, now: Micros, sink: &mut S) {
        let qm = &mut self.queues[q as usize];
        qm.unresolved -= 1;
        qm.stats.count_resolved(outcome);
        self.last_resolved = self.last_resolved.max(now);
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
    pub(super) fn report_pending_messages<S: Sink>(&self, sink: &mut S) {
        let now = self.now;
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
        for qm in &self.queues {
            let source = qm.config.queue;
            qm.fresh.iter().for_each(|m| report(source, m));
            qm.returned.iter().for_each(|m| report(source, &m.0));
            qm.groups.iter().flat_map(|g| g.visible.iter()).for_each(|m| report(source, m));
        }
        for b in self.queue_batches.slots().filter(|b| !b.messages.is_empty()) {
            let source = self.queues[b.mapping as usize].config.queue;
            b.messages.iter().for_each(|m| report(source, m));
        }
    }
}

/// The queue mappings from the configuration.
pub(super) fn build(sources: &[crate::config::SourceConfig], configs: Vec<crate::config::QueueMappingConfig>) -> Vec<QueueMapping> {
    configs
        .into_iter()
        .map(|c| {
            let crate::config::SourceConfig::Queue(queue) = &sources[c.queue as usize] else {
                unreachable!("checked by Config::check")
            };
            QueueMapping::new(c, queue.clone())
        })
        .collect()
}

//! One SQS queue mapping's state (§8): its messages as the pollers see them — for standard
//! queues new arrivals in order and returned messages by age, for FIFO queues the groups and
//! the heaps of their heads — and its slots and flags. The verbs that move messages between
//! these places are in `queue`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::groups::Groups;
use crate::model::config::{QueueConfig, QueueMappingConfig};
use crate::primitives::grow::Grow;
use crate::primitives::time::Micros;

/// One message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Message {
    pub id: u64,
    pub time: Micros,
    /// How many of the first invocations holding it fail.
    pub failures: u32,
    /// Invocations that held it, and times it was received (throttled batches included).
    pub attempts: u32,
    pub receives: u32,
    /// Its message group (FIFO), a slot of `QueueMapping::groups` (alive while the message is).
    pub group: u32,
    /// The last invocation's start and end (`NEVER`: none).
    pub start: Micros,
    pub end: Micros,
}

/// A returned message of a standard queue, ordered so that the heap's top is the oldest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Oldest(pub Message);

impl PartialEq for Oldest {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}
impl Eq for Oldest {}
impl PartialOrd for Oldest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Oldest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.id.cmp(&self.0.id) // reversed: BinaryHeap is a max-heap
    }
}

#[derive(Debug)]
pub(crate) struct QueueMapping {
    pub config: QueueMappingConfig,
    pub queue: QueueConfig,
    /// Standard queues: new messages in arrival order, and returned ones by age.
    pub fresh: VecDeque<Message>,
    pub returned: BinaryHeap<Oldest>,
    /// FIFO queues: the live groups, and the unlocked groups with visible messages by the id
    /// of their oldest (entries are checked when taken: a group may have changed).
    pub groups: Groups,
    pub ready: BinaryHeap<Reverse<(u64, u32)>>,
    /// Every group with visible messages, by its oldest, for the retention purge (checked too).
    pub heads: BinaryHeap<Reverse<(u64, u32)>>,
    /// Messages visible now, and messages arrived and not yet resolved.
    pub visible: u64,
    pub unresolved: u64,
    /// Concurrent batches allowed now, and batches in flight.
    pub slots: u32,
    pub running: u32,
    /// A ramp tick is scheduled.
    pub ticking: bool,
    /// A batching window is running (`window_gen` tells a live window timer from a stale one).
    pub gathering: bool,
    pub window_gen: u32,
}

impl QueueMapping {
    pub fn new(config: QueueMappingConfig, queue: QueueConfig) -> Self {
        let slots = config.base_slots();
        QueueMapping {
            config,
            queue,
            fresh: VecDeque::new(),
            returned: BinaryHeap::new(),
            groups: Groups::default(),
            ready: BinaryHeap::new(),
            heads: BinaryHeap::new(),
            visible: 0,
            unresolved: 0,
            slots,
            running: 0,
            ticking: false,
            gathering: false,
            window_gen: 0,
        }
    }

    /// The group of a FIFO message group id (made when it has no messages held).
    pub fn group(&mut self, key: i64) -> u32 {
        self.groups.find_or_add(key)
    }

    /// The oldest visible message of a standard queue, if any (not removed).
    pub fn oldest_standard(&self) -> Option<Message> {
        match (self.fresh.front(), self.returned.peek()) {
            (Some(f), Some(r)) => Some(if r.0.id < f.id { r.0 } else { *f }),
            (Some(f), None) => Some(*f),
            (None, Some(r)) => Some(r.0),
            (None, None) => None,
        }
    }

    /// Removes the oldest visible message of a standard queue.
    pub fn pop_standard(&mut self) -> Option<Message> {
        let from_returned = match (self.fresh.front(), self.returned.peek()) {
            (Some(f), Some(r)) => r.0.id < f.id,
            (None, Some(_)) => true,
            _ => false,
        };
        let m = if from_returned { self.returned.pop().map(|r| r.0) } else { self.fresh.pop_front() };
        if m.is_some() {
            self.visible -= 1;
        }
        m
    }

    /// Puts a FIFO group in the heaps it belongs in (after its visible list or lock changed).
    pub fn index_group(&mut self, g: u32) {
        let group = self.groups.get(g);
        if let Some(head) = group.visible.front() {
            self.heads.grow(Reverse((head.id, g)), "FIFO message groups");
            if !group.locked {
                self.ready.grow(Reverse((head.id, g)), "FIFO message groups");
            }
        }
        // Stale entries leave a heap only from its top, and `heads` is not read at all before
        // the retention has passed once: without this both would grow with every batch.
        let bound = 2 * self.groups.capacity() + 64;
        if self.heads.len() > bound || self.ready.len() > bound {
            self.rebuild_heaps();
        }
    }

    /// Both heaps anew, one entry per group they hold: the entries that still hold, without
    /// the stale ones and the duplicates, so what they yield is unchanged (amortised O(1) per
    /// push, as each rebuild leaves at most one entry per slot).
    #[cold]
    fn rebuild_heaps(&mut self) {
        let mut heads = Vec::new();
        let mut ready = Vec::new();
        for (g, group) in self.groups.slots() {
            if let Some(head) = group.visible.front() {
                heads.grow(Reverse((head.id, g)), "FIFO message groups");
                if !group.locked {
                    ready.grow(Reverse((head.id, g)), "FIFO message groups");
                }
            }
        }
        self.heads = BinaryHeap::from(heads);
        self.ready = BinaryHeap::from(ready);
    }

    /// A FIFO group's visible list or lock changed: it is freed if it holds nothing any more,
    /// indexed otherwise.
    pub(super) fn settle_group(&mut self, g: u32) {
        if !self.groups.release_if_idle(g) {
            self.index_group(g);
        }
    }

    /// The unlocked FIFO group whose oldest visible message is the oldest (skipping entries
    /// that no longer hold).
    pub fn pop_ready(&mut self) -> Option<u32> {
        while let Some(Reverse((id, g))) = self.ready.pop() {
            let group = self.groups.get(g);
            if !group.locked && group.visible.front().is_some_and(|m| m.id == id) {
                return Some(g);
            }
        }
        None
    }
}

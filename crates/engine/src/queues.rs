//! Queue event sources (§8): SQS standard and FIFO queues and the mapping that polls each.
//!
//! A queue's mapping holds its messages in three places: visible (waiting to be received),
//! in a batch (in flight), or invisible until their visibility timeout ends (after a failed or
//! throttled batch). Standard queues hand out visible messages oldest first: new arrivals wait
//! in arrival order and returned messages in a heap by id, and the oldest of the two heads goes
//! first. FIFO queues keep one ordered list per message group; a group is locked while any of
//! its messages is in flight or invisible, and the next batch comes from the unlocked group
//! whose head is oldest. The engine's verbs are in `pollers.rs`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use crate::shards::MappingStats;
use crate::time::Micros;

#[derive(Debug, Clone, PartialEq)]
pub struct QueueConfig {
    pub fifo: bool,
    pub visibility_timeout_us: Micros,
    /// The redrive policy's `maxReceiveCount` (`None`: no dead-letter queue).
    pub max_receive_count: Option<u32>,
    pub retention_us: Micros,
}

/// The mapping of one queue (validated in Python).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueMappingConfig {
    /// The source index of the queue.
    pub queue: u32,
    pub function: u32,
    pub batch_size: u32,
    pub window_us: Micros,
    pub maximum_concurrency: Option<u32>,
    /// The legacy ramp (+60 per minute up to 1000) instead of +300 per minute up to 1250.
    pub legacy: bool,
    pub base_us: Micros,
    pub per_record_us: Micros,
}

impl QueueMappingConfig {
    /// Concurrent batches at the start and the floor the ramp falls back to: 5.
    pub fn base_slots(&self) -> u32 {
        self.maximum_concurrency.map_or(5, |m| m.min(5))
    }

    pub fn max_slots(&self) -> u32 {
        let cap = if self.legacy { 1000 } else { 1250 };
        self.maximum_concurrency.map_or(cap, |m| m.min(cap))
    }

    /// One more slot every 0.2 s (+300 per minute); legacy every 1 s (+60 per minute).
    pub fn tick_us(&self) -> Micros {
        if self.legacy {
            1_000_000
        } else {
            200_000
        }
    }
}

/// One message.
#[derive(Debug, Clone, Copy)]
pub struct Message {
    pub id: u64,
    pub time: Micros,
    /// How many of the first invocations holding it fail.
    pub failures: u32,
    /// Invocations that held it, and times it was received (throttled batches included).
    pub attempts: u32,
    pub receives: u32,
    /// Its message group (FIFO), an index into `QueueMapping::groups`.
    pub group: u32,
    /// The last invocation's start and end (`NEVER`: none).
    pub start: Micros,
    pub end: Micros,
}

/// A returned message of a standard queue, ordered so that the heap's top is the oldest.
#[derive(Debug, Clone, Copy)]
pub struct Oldest(pub Message);

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

/// A FIFO message group.
#[derive(Debug, Default)]
pub struct Group {
    /// Its visible messages, in order.
    pub visible: VecDeque<Message>,
    /// Some of its messages are in flight or invisible.
    pub locked: bool,
}

/// A batch received from a queue: in flight, or throttled and waiting to return.
#[derive(Debug, Default)]
pub struct QueueBatch {
    pub mapping: u32,
    pub messages: Vec<Message>,
    pub received: Micros,
}

#[derive(Debug)]
pub struct QueueMapping {
    pub config: QueueMappingConfig,
    pub queue: QueueConfig,
    /// Standard queues: new messages in arrival order, and returned ones by age.
    pub fresh: VecDeque<Message>,
    pub returned: BinaryHeap<Oldest>,
    /// FIFO queues: groups, their index by key, and the unlocked groups with visible messages
    /// by the id of their oldest (entries are checked when taken: a group may have changed).
    pub groups: Vec<Group>,
    pub group_of: HashMap<i64, u32>,
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
    pub stats: MappingStats,
}

impl QueueMapping {
    pub fn new(config: QueueMappingConfig, queue: QueueConfig) -> Self {
        let slots = config.base_slots();
        QueueMapping {
            config,
            queue,
            fresh: VecDeque::new(),
            returned: BinaryHeap::new(),
            groups: Vec::new(),
            group_of: HashMap::new(),
            ready: BinaryHeap::new(),
            heads: BinaryHeap::new(),
            visible: 0,
            unresolved: 0,
            slots,
            running: 0,
            ticking: false,
            gathering: false,
            window_gen: 0,
            stats: MappingStats { max_slots: slots, ..MappingStats::default() },
        }
    }

    /// The group of a FIFO message group id (created on first sight).
    pub fn group(&mut self, key: i64) -> u32 {
        let next = self.groups.len() as u32;
        let g = *self.group_of.entry(key).or_insert(next);
        if g == next {
            self.groups.push(Group::default());
        }
        g
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
        let group = &self.groups[g as usize];
        if let Some(head) = group.visible.front() {
            self.heads.push(Reverse((head.id, g)));
            if !group.locked {
                self.ready.push(Reverse((head.id, g)));
            }
        }
    }

    /// The unlocked FIFO group whose oldest visible message is the oldest (skipping entries
    /// that no longer hold).
    pub fn pop_ready(&mut self) -> Option<u32> {
        while let Some(Reverse((id, g))) = self.ready.pop() {
            let group = &self.groups[g as usize];
            if !group.locked && group.visible.front().is_some_and(|m| m.id == id) {
                return Some(g);
            }
        }
        None
    }
}

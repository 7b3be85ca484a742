//! The message groups of a FIFO queue (§8), held only while they hold messages.
//!
//! A group exists from its first waiting message until it has neither visible messages nor a
//! batch out (in flight or invisible); then its slot is freed and reused by the next new group
//! id. Memory thus follows the groups alive, not every group id ever seen: a queue with one
//! message per group (a common use of FIFO queues) would otherwise grow for the whole run.
//!
//! A slot's number never decides an order: batches are served by the id of a group's oldest
//! visible message, and message ids are distinct, so two live groups never tie. A stale heap
//! entry naming a reused slot is told apart by that id too (see `QueueMapping::pop_ready`).

use std::collections::{HashMap, VecDeque};

use super::queue_mapping::Message;
use crate::primitives::grow::{self, Grow};

/// A FIFO message group.
#[derive(Debug, Default)]
pub(crate) struct Group {
    /// Its visible messages, in order.
    pub visible: VecDeque<Message>,
    /// Some of its messages are in flight or invisible.
    pub locked: bool,
    /// Its message group id (the key it is found by).
    key: i64,
}

impl Group {
    /// Holds nothing: no visible message, no batch out.
    fn idle(&self) -> bool {
        !self.locked && self.visible.is_empty()
    }
}

/// The live groups of a queue, by slot, and their slots by message group id.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    /// Free slots hold `Group::default()` (nothing visible, unlocked).
    slots: Vec<Group>,
    free: Vec<u32>,
    of: HashMap<i64, u32>,
}

impl Groups {
    /// The slot of message group id `key`, taking a free slot for a group not alive now.
    pub fn find_or_add(&mut self, key: i64) -> u32 {
        if let Some(&g) = self.of.get(&key) {
            return g;
        }
        let g = match self.free.pop() {
            Some(g) => g,
            None => {
                self.slots.grow(Group::default(), "FIFO message groups");
                (self.slots.len() - 1) as u32
            }
        };
        self.slots[g as usize].key = key;
        grow::insert(&mut self.of, key, g, "FIFO message groups");
        g
    }

    /// Frees group `g`'s slot if it holds nothing any more; returns whether it did.
    pub fn release_if_idle(&mut self, g: u32) -> bool {
        let group = &mut self.slots[g as usize];
        if !group.idle() {
            return false;
        }
        self.of.remove(&group.key);
        // drop the list's buffer too: a freed slot keeps no memory of its last group
        *group = Group::default();
        self.free.grow(g, "FIFO message groups");
        true
    }

    #[inline]
    pub fn get(&self, g: u32) -> &Group {
        &self.slots[g as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, g: u32) -> &mut Group {
        &mut self.slots[g as usize]
    }

    /// Every slot (free ones hold nothing) with its number.
    pub fn slots(&self) -> impl Iterator<Item = (u32, &Group)> {
        self.slots.iter().enumerate().map(|(g, group)| (g as u32, group))
    }

    /// Slots ever needed at once (the high-water mark of live groups).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Groups alive now.
    pub fn live(&self) -> usize {
        self.of.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::{QueueConfig, QueueMappingConfig};
    use crate::primitives::time::NEVER;
    use crate::sources::queue_mapping::QueueMapping;

    fn message(id: u64, group: u32) -> Message {
        Message { id, time: 0, failures: 0, attempts: 0, receives: 0, group, start: NEVER, end: NEVER }
    }

    #[test]
    fn a_group_lives_while_it_holds_messages_and_its_slot_is_reused() {
        let mut groups = Groups::default();
        let a = groups.find_or_add(7);
        assert_eq!(groups.find_or_add(7), a);
        groups.get_mut(a).visible.push_back(message(0, a));
        assert!(!groups.release_if_idle(a), "a group with visible messages stays");
        groups.get_mut(a).visible.pop_front();
        groups.get_mut(a).locked = true;
        assert!(!groups.release_if_idle(a), "a locked group stays");
        groups.get_mut(a).locked = false;
        assert!(groups.release_if_idle(a));
        assert_eq!(groups.live(), 0);
        // a new id takes the freed slot; the old id is new again
        let b = groups.find_or_add(8);
        assert_eq!(b, a);
        let c = groups.find_or_add(7);
        assert_ne!(c, b);
        assert_eq!((groups.live(), groups.capacity()), (2, 2));
    }

    #[test]
    fn the_fifo_heaps_stay_bounded_by_the_groups_alive() {
        // 10 000 groups come, are served and drain one after another, long before the
        // retention: one slot serves them all and neither heap keeps their stale entries
        let queue = QueueConfig { fifo: true, ..QueueConfig::new() };
        let config = QueueMappingConfig { base_us: 100_000, ..QueueMappingConfig::new(0, 0) };
        let mut qm = QueueMapping::new(config, queue);
        for id in 0..10_000u64 {
            let g = qm.group(id as i64 * 31);
            let m = Message { id, time: 0, failures: 0, attempts: 0, receives: 0, group: g, start: NEVER, end: NEVER };
            qm.groups.get_mut(g).visible.grow(m, "queue messages");
            qm.index_group(g);
            assert_eq!(qm.pop_ready(), Some(g));
            qm.groups.get_mut(g).visible.pop_front();
            qm.groups.get_mut(g).locked = true;
            qm.index_group(g);
            qm.groups.get_mut(g).locked = false;
            qm.settle_group(g);
        }
        assert_eq!((qm.groups.live(), qm.groups.capacity()), (0, 1));
        assert!(qm.heads.len() <= 66 && qm.ready.len() <= 66, "{} {}", qm.heads.len(), qm.ready.len());
    }
}

//! A hierarchical timer wheel: O(1) schedule, amortised O(1) pop, and first-in-first-out order
//! among entries due at the same microsecond.
//!
//! Six levels of 4096 slots cover the whole `u64` microsecond range (level `l` slots are
//! `4096^l` µs wide: 1 µs, 4.1 ms, 16.8 s, 19.1 h ...). An entry sits at the level of the
//! highest 12-bit digit in which its deadline differs from the wheel's `now`, so every entry of
//! level `l` lies in the current level-`l` block and after `now`'s own slot there: the earliest
//! entry is in the first occupied slot of the lowest occupied level, found with three
//! `trailing_zeros` over a two-level occupancy bitmap. Popping moves that slot down (cascades
//! it) until it reaches level 0, whose slots are one microsecond wide. Wide slots make most
//! entries (execution ends, retries) cascade at most once; 6-bit slots cascaded about twice as
//! often and measured slower (docs/performance.md).
//!
//! Why the order is first-in-first-out: a level-`l` slot is cascaded at the moment `now` enters
//! its range, before anything can be scheduled directly into the lower levels of that range
//! (entries are scheduled at or after `now`), and cascading keeps the slot's order.
//!
//! Contract: `schedule` is never given a deadline before the deadline of the last entry popped
//! (the engine's clock never goes back); such a deadline is treated as "now".

use super::grow::Grow;

const BITS: u32 = 12;
const SLOTS: usize = 1 << BITS;
const WORDS: usize = SLOTS / 64;
const LEVELS: usize = 6; // 6 × 12 = 72 bits ≥ 64
const NIL: u32 = u32::MAX;

/// An entry, linked into its slot's list. All entries live in one slab, so the wheel's memory
/// is a few contiguous arrays that stay in cache however the entries move between slots.
///
/// `repr(C)` with the link last: popping writes `next` (the free list) just before the caller
/// reads the item and the deadline, and a load that overlaps a recent narrower store stalls
/// until that store is done (no store-to-load forwarding).
#[derive(Clone, Copy)]
#[repr(C)]
struct Node<T> {
    item: T,
    deadline: u64,
    next: u32,
}

/// A slot: a singly linked first-in-first-out list of nodes.
#[derive(Clone, Copy, Debug)]
struct Slot {
    head: u32,
    tail: u32,
}

const EMPTY: Slot = Slot { head: NIL, tail: NIL };

/// An entry just removed by `pop_due_hinted`: its node, whose deadline and item stay in place
/// until the next `schedule` reuses it.
#[derive(Clone, Copy, Debug)]
pub struct Popped(u32);

pub struct Wheel<T> {
    now: u64,
    len: usize,
    /// Bit `l` set: level `l` has an occupied slot.
    levels_occupied: u64,
    /// Per level, bit `w` set: word `w` of `occupied` is not zero.
    words_occupied: [u64; LEVELS],
    /// Per level, one bit per slot: the slot is not empty.
    occupied: [[u64; WORDS]; LEVELS],
    /// `slots[level][slot]`; fixed sizes let the compiler drop the bounds checks.
    slots: Box<[[Slot; SLOTS]; LEVELS]>,
    /// The earliest deadline in each slot of levels 1 and up (`mins[level - 1][slot]`), so that
    /// finding the wheel's earliest entry never walks a list, however many entries wait in a
    /// coarse slot. (Level-0 slots are one microsecond: their deadline is their index.)
    mins: Box<[[u64; SLOTS]; LEVELS - 1]>,
    nodes: Vec<Node<T>>,
    free: u32,
    /// The earliest deadline (`u64::MAX` when the wheel is empty), kept up to date by every
    /// schedule and pop: the engine asks for it before every arrival.
    next: u64,
}

impl<T: Copy> Default for Wheel<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> Wheel<T> {
    pub fn new() -> Self {
        Wheel {
            now: 0,
            len: 0,
            levels_occupied: 0,
            words_occupied: [0; LEVELS],
            occupied: [[0; WORDS]; LEVELS],
            slots: vec![[EMPTY; SLOTS]; LEVELS].into_boxed_slice().try_into().expect("LEVELS rows"),
            mins: vec![[u64::MAX; SLOTS]; LEVELS - 1].into_boxed_slice().try_into().expect("LEVELS - 1 rows"),
            nodes: Vec::new(),
            free: NIL,
            next: u64::MAX,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn level_for(now: u64, deadline: u64) -> usize {
        if (deadline ^ now) < SLOTS as u64 {
            return 0; // the common case when cascading
        }
        let masked = (deadline ^ now) | (SLOTS as u64 - 1);
        // never more than LEVELS - 1; the `min` lets the compiler drop the bounds checks
        (((63 - masked.leading_zeros()) / BITS) as usize).min(LEVELS - 1)
    }

    /// Links node `n`, due at `deadline` and whose `next` is `NIL`, at the tail of the slot its
    /// deadline belongs to; returns the level.
    #[inline]
    fn place(&mut self, n: u32, deadline: u64) -> usize {
        let level = Self::level_for(self.now, deadline);
        let slot = ((deadline >> (level as u32 * BITS)) as usize) & (SLOTS - 1);
        let s = &mut self.slots[level][slot];
        if s.tail == NIL {
            s.head = n;
        } else {
            self.nodes[s.tail as usize].next = n;
        }
        s.tail = n;
        if level > 0 {
            let min = &mut self.mins[level - 1][slot];
            *min = (*min).min(deadline);
        }
        self.occupied[level][slot / 64] |= 1 << (slot % 64);
        self.words_occupied[level] |= 1 << (slot / 64);
        self.levels_occupied |= 1 << level;
        level
    }

    /// Adds `item`, due at `deadline` (after every entry already due at the same time).
    #[inline(always)]
    pub fn schedule(&mut self, deadline: u64, item: T) {
        let deadline = deadline.max(self.now);
        let node = Node { deadline, next: NIL, item };
        let n = if self.free != NIL {
            let n = self.free;
            self.free = self.nodes[n as usize].next;
            self.nodes[n as usize] = node;
            n
        } else {
            assert!(self.nodes.len() < NIL as usize, "timer wheel full");
            self.nodes.grow(node, "timers and executions in flight");
            (self.nodes.len() - 1) as u32
        };
        self.place(n, deadline);
        self.len += 1;
        self.next = self.next.min(deadline);
    }

    /// The earliest deadline.
    #[inline(always)]
    pub fn peek(&self) -> Option<u64> {
        (self.len > 0).then_some(self.next)
    }

    /// Finds the earliest deadline without moving anything.
    #[inline]
    fn earliest(&self) -> u64 {
        let (level, slot) = self.first();
        if level == 0 {
            // a level-0 slot is one microsecond of the current block: no need to read it
            (self.now & !(SLOTS as u64 - 1)) | slot as u64
        } else {
            self.mins[level - 1][slot]
        }
    }

    /// Removes the next entry if it is due at or before `t`.
    ///
    /// The engine asks this before every arrival and most answers are "no", from the cached
    /// earliest deadline: that path is inlined, the rest is not.
    #[inline(always)]
    pub fn pop_due(&mut self, t: u64) -> Option<(u64, T)> {
        let popped = self.pop_due_hinted(t, |_, _| {})?;
        Some(self.popped(popped))
    }

    /// Like `pop_due`, but hands back the entry's node, to read with `popped`; and calls `soon`
    /// (with the deadline and the item)
    /// on every entry that a cascade brings down to level 0 (due within the next 4 ms): the
    /// engine prefetches what those entries will touch.
    ///
    /// Why a handle rather than the entry: an `Option` of a large entry is copied through the
    /// stack in overlapping pieces (the option's tag sits in the entry's last byte), and the
    /// wider loads that read it back wait for those stores to complete (no store-to-load
    /// forwarding). Those stalls were the hottest instructions of the event loop.
    #[inline(always)]
    pub fn pop_due_hinted(&mut self, t: u64, soon: impl FnMut(u64, &T)) -> Option<Popped> {
        if self.next > t || self.len == 0 {
            return None;
        }
        Some(Popped(self.pop_next(soon)))
    }

    /// The deadline and item of a popped entry (valid until the next `schedule`).
    #[inline(always)]
    pub fn popped(&self, popped: Popped) -> (u64, T) {
        let node = &self.nodes[popped.0 as usize];
        (node.deadline, node.item)
    }

    /// Unlinks the earliest entry and returns its node, which stays readable until the next
    /// `schedule`. The pop itself is inlined; the cascade it may need first (about one pop in
    /// thirty for execution ends) is not.
    #[inline(always)]
    fn pop_next(&mut self, soon: impl FnMut(u64, &T)) -> u32 {
        let (mut level, mut slot) = self.first();
        if level != 0 {
            self.cascade(soon);
            (level, slot) = self.first();
        }
        debug_assert_eq!(level, 0);
        let n = self.slots[0][slot].head;
        let (deadline, next) = (self.nodes[n as usize].deadline, self.nodes[n as usize].next);
        self.slots[0][slot].head = next;
        if next == NIL {
            self.slots[0][slot] = EMPTY;
            self.clear(0, slot);
        }
        self.nodes[n as usize].next = self.free;
        self.free = n;
        self.now = deadline;
        self.len -= 1;
        self.next = if next != NIL {
            deadline // another entry due at the same microsecond
        } else if self.len > 0 {
            self.earliest()
        } else {
            u64::MAX
        };
        n
    }

    /// Cascades until the earliest entry is in level 0: moves `now` to the start of the first
    /// occupied slot (nothing is due before it) and re-places its entries, in order, in the
    /// levels below.
    #[inline(never)]
    fn cascade(&mut self, mut soon: impl FnMut(u64, &T)) {
        loop {
            let (level, slot) = self.first();
            if level == 0 {
                return;
            }
            let width = (level as u32) * BITS;
            let high = width + BITS; // bits above this level's digit (72 at the top level)
            let block = if high >= 64 { 0 } else { self.now >> high << high };
            self.now = block | ((slot as u64) << width);
            let mut n = self.slots[level][slot].head;
            self.slots[level][slot] = EMPTY;
            self.mins[level - 1][slot] = u64::MAX;
            self.clear(level, slot);
            if level == 1 {
                // the common cascade: a level-1 slot is one level-0 block, so every entry goes
                // to level 0 and needs no level computed (`place` without its general parts)
                self.levels_occupied |= 1;
                while n != NIL {
                    let next = self.nodes[n as usize].next;
                    self.place0(n);
                    soon(self.nodes[n as usize].deadline, &self.nodes[n as usize].item);
                    n = next;
                }
                continue;
            }
            while n != NIL {
                let node = &mut self.nodes[n as usize];
                let (next, deadline) = (node.next, node.deadline);
                node.next = NIL;
                if self.place(n, deadline) == 0 {
                    soon(self.nodes[n as usize].deadline, &self.nodes[n as usize].item);
                }
                n = next;
            }
        }
    }

    /// `place` for a node known to belong to level 0 (whose occupancy bit the caller sets).
    #[inline(always)]
    fn place0(&mut self, n: u32) {
        let node = &mut self.nodes[n as usize];
        node.next = NIL;
        let slot = node.deadline as usize & (SLOTS - 1);
        let s = &mut self.slots[0][slot];
        if s.tail == NIL {
            s.head = n;
        } else {
            self.nodes[s.tail as usize].next = n;
        }
        s.tail = n;
        self.occupied[0][slot / 64] |= 1 << (slot % 64);
        self.words_occupied[0] |= 1 << (slot / 64);
    }

    #[inline]
    fn clear(&mut self, level: usize, slot: usize) {
        let word = &mut self.occupied[level][slot / 64];
        *word &= !(1 << (slot % 64));
        if *word == 0 {
            self.words_occupied[level] &= !(1 << (slot / 64));
            if self.words_occupied[level] == 0 {
                self.levels_occupied &= !(1 << level);
            }
        }
    }

    /// The first occupied slot of the lowest occupied level (the wheel is not empty).
    #[inline]
    fn first(&self) -> (usize, usize) {
        // (the `min` and the masks only let the compiler drop bounds checks: nothing is empty)
        let level = (self.levels_occupied.trailing_zeros() as usize).min(LEVELS - 1);
        let word = self.words_occupied[level].trailing_zeros() as usize & (WORDS - 1);
        (level, (word * 64 + self.occupied[level][word].trailing_zeros() as usize) & (SLOTS - 1))
    }

    /// Every entry as (deadline, item), in no particular order, for sweeps and reports.
    pub fn entries(&self) -> impl Iterator<Item = (u64, T)> + '_ {
        self.slots.iter().flatten().flat_map(move |s| {
            let mut n = s.head;
            std::iter::from_fn(move || {
                if n == NIL {
                    return None;
                }
                let node = &self.nodes[n as usize];
                n = node.next;
                Some((node.deadline, node.item))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    /// A small deterministic generator (SplitMix64), so the tests need no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Random schedules interleaved with pops, against a binary heap on (deadline, insertion).
    #[test]
    fn matches_a_binary_heap_on_random_schedules() {
        for seed in 0..200 {
            let mut rng = Rng(seed);
            let mut wheel = Wheel::new();
            let mut heap = BinaryHeap::new();
            let mut now = 0u64;
            let mut seq = 0u64;
            // spans from 1 µs to ~2^40 µs, with many equal deadlines
            let spans = [1u64, 2, 64, 100, 4096, 300_000, 1 << 26, 1 << 33, 1 << 40];
            for _ in 0..2_000 {
                if rng.below(3) != 0 {
                    let span = spans[rng.below(spans.len() as u64) as usize];
                    let (a, b, c) = (rng.below(span), rng.below(4), rng.below(2));
                    let deadline = now + a / (1 + b) * (1 + c);
                    wheel.schedule(deadline, seq);
                    heap.push(Reverse((deadline, seq)));
                    seq += 1;
                } else {
                    let bits = rng.below(36) + 1;
                    let t = now + rng.below(1 << bits);
                    loop {
                        let expect = match heap.peek() {
                            Some(Reverse((d, s))) if *d <= t => Some((*d, *s)),
                            _ => None,
                        };
                        let got = wheel.pop_due(t);
                        assert_eq!(got, expect, "seed {seed}");
                        if got.is_none() {
                            break;
                        }
                        heap.pop();
                    }
                    // the engine's clock moves to t after processing everything due
                    now = t;
                }
                assert_eq!(wheel.len(), heap.len());
                assert_eq!(wheel.peek(), heap.peek().map(|Reverse((d, _))| *d));
            }
            while let Some(Reverse((d, s))) = heap.pop() {
                assert_eq!(wheel.pop_due(u64::MAX), Some((d, s)));
            }
            assert!(wheel.is_empty());
        }
    }

    #[test]
    fn equal_deadlines_come_out_in_schedule_order_across_levels() {
        let mut wheel = Wheel::new();
        wheel.schedule(1_000_000, 'a'); // far: a high level
        wheel.schedule(5, 'x');
        assert_eq!(wheel.pop_due(10), Some((5, 'x')));
        wheel.schedule(1_000_000, 'b');
        assert_eq!(wheel.pop_due(999_999), None);
        wheel.schedule(1_000_000, 'c'); // scheduled at 999_999's clock, a low level
        let order: Vec<_> = std::iter::from_fn(|| wheel.pop_due(u64::MAX)).map(|(_, c)| c).collect();
        assert_eq!(order, vec!['a', 'b', 'c']);
    }

    #[test]
    fn reaches_the_end_of_time() {
        let mut wheel = Wheel::new();
        wheel.schedule(u64::MAX, 1);
        wheel.schedule(0, 0);
        assert_eq!(wheel.pop_due(u64::MAX), Some((0, 0)));
        assert_eq!(wheel.pop_due(u64::MAX - 1), None);
        assert_eq!(wheel.pop_due(u64::MAX), Some((u64::MAX, 1)));
        assert_eq!(wheel.pop_due(u64::MAX), None);
    }
}

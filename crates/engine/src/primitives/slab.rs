//! A slab: values addressed by small integer ids, slots reused through a free list, so memory
//! follows the values alive, not the values ever made. A free slot holds `T::default()` after
//! `take`, or a stale copy after `remove`: no `Option` around every value, which the
//! asynchronous hot path would pay for in every lookup.

use super::grow::Grow;

/// What a slab that cannot grow names (`primitives::grow`).
const WHAT: &str = "values in flight (requests, batches or timers)";

/// Ids stay below 2^30 (`model::limits::IDS_IN_FLIGHT`): values in flight at once, far beyond
/// any memory this engine would be given.
pub const MAX_ID: usize = 1 << 30;

#[derive(Debug)]
pub struct Slab<T> {
    /// Free slots hold `T::default()` or a stale copy (see the module doc).
    items: Vec<T>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { items: Vec::new(), free: Vec::new(), live: 0 }
    }
}

impl<T: Copy + Default> Slab<T> {
    /// Removes a value and returns a copy of it; the slot keeps the stale bytes until reused.
    #[inline(never)] // see `insert`
    pub fn remove(&mut self, i: u32) -> T {
        self.live -= 1;
        self.free.push(i); // never reallocates: see `insert`
        self.items[i as usize]
    }
}

impl<T: Default> Slab<T> {
    // Out of line, as the hand-written slab it replaced was: inlined into the engine's retry
    // paths it made the asynchronous storm run 1.5 % more instructions (callgrind).
    #[inline(never)]
    pub fn insert(&mut self, value: T) -> u32 {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.items[i as usize] = value;
                i
            }
            None => {
                assert!(self.items.len() < MAX_ID, "too many values in flight");
                self.items.grow(value, WHAT);
                // room for every id on the free list, so that `remove` and `take` (the hot
                // paths) never allocate
                self.free.room_for(self.items.len() - self.free.len(), WHAT);
                (self.items.len() - 1) as u32
            }
        }
    }

    /// Takes the value out, leaving `T::default()` in its slot.
    pub fn take(&mut self, i: u32) -> T {
        self.free.push(i); // never reallocates: see `insert`
        self.live -= 1;
        std::mem::take(&mut self.items[i as usize])
    }

    #[inline]
    pub fn get_mut(&mut self, i: u32) -> &mut T {
        &mut self.items[i as usize]
    }

    /// Values alive.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Every slot in id order: the live values, and `T::default()` in the slots freed by `take`.
    pub fn slots(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_and_counted() {
        let mut slab = Slab::default();
        let a = slab.insert("a");
        let b = slab.insert("b");
        assert_eq!(slab.take(a), "a");
        assert_eq!(slab.insert("c"), a);
        assert_eq!(*slab.get_mut(b), "b");
        assert_eq!(slab.len(), 2);
        slab.take(b);
        assert_eq!(slab.slots().copied().collect::<Vec<_>>(), vec!["c", ""]);
        assert_eq!(slab.remove(a), "c"); // a copy
        assert_eq!(slab.len(), 0);
    }
}

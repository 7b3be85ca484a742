//! Growing a collection without aborting the process when memory runs out.
//!
//! `Vec::push` and its relatives abort the process when the allocator refuses (stable Rust has
//! no way to turn that into a panic or an error). Every collection that grows while the engine
//! runs grows through `Grow::grow`, which reserves fallibly when the collection is full and,
//! when the allocator refuses, unwinds with an `OutOfMemory` payload (through
//! `resume_unwind`, which skips the panic hook: nothing is printed). The one catcher is the
//! engine's `advance`: it turns the payload into `Error::OutOfMemory` and marks the engine
//! unusable, since the unwinding left an instant part-way done.
//!
//! The check is the comparison `push` makes anyway; the reserving path is out of line.

use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::hash::Hash;
use std::panic::resume_unwind;

/// The payload of the unwinding: room for `count` `what` (a plural) could not be reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory {
    pub what: &'static str,
    pub count: u64,
}

#[cold]
#[inline(never)]
fn refused(what: &'static str, count: usize) -> ! {
    resume_unwind(Box::new(OutOfMemory { what, count: count as u64 }))
}

/// A collection that can make room for one more element fallibly.
pub(crate) trait Grow<T> {
    /// Makes room for one more element (amortized, as `push` would), or unwinds with
    /// `OutOfMemory` naming `what`.
    fn room(&mut self, what: &'static str) {
        self.room_for(1, what);
    }

    /// Makes room for `n` more elements (amortized), or unwinds as `room`.
    fn room_for(&mut self, n: usize, what: &'static str);

    /// `push` (`push_back`) after `room`.
    fn grow(&mut self, value: T, what: &'static str);
}

/// `room_for` of a collection with `capacity`, `len` and `try_reserve`.
macro_rules! room_for {
    () => {
        #[inline(always)]
        fn room_for(&mut self, n: usize, what: &'static str) {
            if self.capacity() - self.len() < n && self.try_reserve(n).is_err() {
                refused(what, self.len().saturating_add(n));
            }
        }
    };
}

impl<T> Grow<T> for Vec<T> {
    room_for!();

    #[inline(always)]
    fn grow(&mut self, value: T, what: &'static str) {
        let len = self.len();
        if len == self.capacity() {
            reserve_one(self, what);
        }
        // `push` would compare the length with the capacity a second time (the slabs and logs
        // of the hot paths push once per event)
        // SAFETY: `len < capacity` now, so the slot at `len` is allocated and unused; writing
        // it and then counting it is what `push` does.
        unsafe {
            self.as_mut_ptr().add(len).write(value);
            self.set_len(len + 1);
        }
    }
}

#[cold]
#[inline(never)]
fn reserve_one<T>(v: &mut Vec<T>, what: &'static str) {
    if v.try_reserve(1).is_err() {
        refused(what, v.len() + 1);
    }
}

/// The collections whose `push` checks capacity once already: `room` then their own push.
macro_rules! grow_by_room {
    ($collection:ident, $push:ident $(, $bound:path)?) => {
        impl<T $(: $bound)?> Grow<T> for $collection<T> {
            room_for!();

            #[inline(always)]
            fn grow(&mut self, value: T, what: &'static str) {
                self.room(what);
                self.$push(value);
            }
        }
    };
}

grow_by_room!(VecDeque, push_back);
grow_by_room!(BinaryHeap, push, Ord);

/// `map.insert(key, value)` after reserving room fallibly.
#[inline]
pub(crate) fn insert<K: Eq + Hash, V>(map: &mut HashMap<K, V>, key: K, value: V, what: &'static str) -> Option<V> {
    if map.try_reserve(1).is_err() {
        refused(what, map.len() + 1);
    }
    map.insert(key, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::catch_unwind;

    #[test]
    fn grows_like_push() {
        let mut v = Vec::new();
        for i in 0..100 {
            v.grow(i, "numbers");
        }
        assert_eq!(v, (0..100).collect::<Vec<_>>());
        let mut d = VecDeque::new();
        d.grow(1, "numbers");
        assert_eq!(d.pop_front(), Some(1));
    }

    #[test]
    fn a_refused_reservation_unwinds_with_what_and_how_many() {
        let payload = catch_unwind(|| refused("numbers", 7)).unwrap_err();
        assert_eq!(payload.downcast_ref::<OutOfMemory>(), Some(&OutOfMemory { what: "numbers", count: 7 }));
    }
}

//! A sliding window that counts events over the last `width` microseconds and says whether one
//! more fits under a cap: the instants of the events still inside, oldest first. Memory follows
//! the most events the window held (at most `cap`, plus a few), not the events seen.

use super::grow::Grow;
use super::time::Micros;

/// The instants are kept as the instants they leave the window (`t + width`), in a ring of a
/// power-of-two size grown when full, addressed by two running counts: a count costs a store,
/// and while the window is under its cap nothing is searched.
/// How often `count` forgets the instants that left the window.
const SWEEP: usize = 1024;

/// The instants are kept as the instants they leave the window (`t + width`), in a ring of a
/// power-of-two size grown when full, addressed by two running counts. What the two verbs
/// compare with is worked out ahead (`room_until`, `check_at`), so that a count is a store and
/// one comparison, and while the window is under its cap nothing is searched.
#[derive(Debug, Clone)]
pub(crate) struct SlidingWindow {
    ring: Vec<Micros>,
    /// `ring.len() − 1` (0 while the ring is empty).
    mask: usize,
    /// Counts of the instants forgotten and of those ever kept: the ring holds `tail − head`
    /// (some may have left the window: they are forgotten every `SWEEP` counts, and when the
    /// cap is reached).
    head: usize,
    tail: usize,
    /// `head + cap`: while `tail` is below it, there is room.
    room_until: usize,
    /// When `count` must look after the ring: it is full, or a sweep is due.
    check_at: usize,
    cap: usize,
    width: Micros,
}

impl SlidingWindow {
    /// At most `cap` events in any window `(t − width, t]`.
    pub fn new(cap: u64, width: Micros) -> Self {
        let cap = usize::try_from(cap).unwrap_or(usize::MAX);
        SlidingWindow { ring: Vec::new(), mask: 0, head: 0, tail: 0, room_until: cap, check_at: 0, cap, width }
    }

    /// Changes the cap (a reservation changed, §16); the events inside the window stay.
    pub fn set_cap(&mut self, cap: u64) {
        self.cap = usize::try_from(cap).unwrap_or(usize::MAX);
        self.room_until = self.head.saturating_add(self.cap);
    }

    #[cfg(test)]
    fn kept(&self) -> usize {
        self.tail - self.head
    }

    /// Whether one more event at `now` (never earlier than the last one counted) keeps the
    /// window `(now − width, now]` within the cap.
    #[inline(always)]
    pub fn has_room(&mut self, now: Micros) -> bool {
        // the instants kept include every one inside the window, so fewer than the cap is room
        self.tail < self.room_until || self.forget(now)
    }

    /// Counts an event at `now` (after `has_room(now)` said yes).
    #[inline(always)]
    pub fn count(&mut self, now: Micros) {
        if self.tail == self.check_at {
            self.look_after(now);
        }
        let slot = self.tail & self.mask;
        // SAFETY: `ring.len()` is a power of two that `look_after` made room in (it runs
        // first, while the ring is empty) and `mask` is `ring.len() − 1`, so `slot < ring.len()`.
        unsafe { *self.ring.get_unchecked_mut(slot) = now + self.width };
        self.tail += 1;
    }

    /// Forgets every instant that left the window (they are the oldest: a binary search finds
    /// where they end); whether there is room then.
    #[cold]
    #[inline(never)]
    fn forget(&mut self, now: Micros) -> bool {
        let (mut lo, mut hi) = (self.head, self.tail);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.ring[mid & self.mask] <= now {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        self.head = lo;
        self.room_until = lo.saturating_add(self.cap);
        self.plan();
        self.tail < self.room_until
    }

    /// Before the count at `tail`: forgets what left the window (every `SWEEP` counts, so that
    /// the ring holds no more than the most the window held plus `SWEEP`), and doubles the ring
    /// when it is full (fallibly: `primitives::grow`), oldest instant first.
    #[cold]
    #[inline(never)]
    fn look_after(&mut self, now: Micros) {
        self.forget(now);
        if self.tail - self.head == self.ring.len() {
            let size = (self.ring.len() * 2).max(16);
            let mut ring: Vec<Micros> = Vec::new();
            ring.room_for(size, "request-rate window entries");
            ring.resize(size, 0);
            // the running counts keep their values: each instant moves to its slot in the new ring
            for i in self.head..self.tail {
                ring[i & (size - 1)] = self.ring[i & self.mask];
            }
            self.ring = ring;
            self.mask = size - 1;
            self.plan();
        }
    }

    /// The next count that needs `look_after`: when the ring is full, or the next sweep.
    fn plan(&mut self) {
        let full = self.head + self.ring.len();
        let sweep = (self.tail / SWEEP + 1) * SWEEP;
        self.check_at = full.min(sweep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_half_open_and_exact() {
        let mut w = SlidingWindow::new(2, 1_000_000);
        for t in [0, 0] {
            assert!(w.has_room(t));
            w.count(t);
        }
        assert!(!w.has_room(0));
        // both events at 0 are inside (t − 1 s, t] until t reaches 1 s exactly
        assert!(!w.has_room(999_999));
        assert!(w.has_room(1_000_000));
        w.count(1_000_000);
        assert!(w.has_room(1_000_000));
        w.count(1_000_000);
        assert!(!w.has_room(1_999_999));
        assert!(w.has_room(2_000_000));
    }

    #[test]
    fn a_zero_cap_never_has_room_and_memory_follows_the_window() {
        let mut z = SlidingWindow::new(0, 10);
        assert!(!z.has_room(5));
        let mut w = SlidingWindow::new(1_000, 10);
        for t in 0..10_000 {
            assert!(w.has_room(t));
            w.count(t);
        }
        assert!(w.kept() <= 10 + SWEEP && w.ring.len() <= 2 * SWEEP, "{} kept in a ring of {}", w.kept(), w.ring.len());
    }
}

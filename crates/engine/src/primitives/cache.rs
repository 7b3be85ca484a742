//! Cache hints.

/// A hint to the processor that the first `lines` cache lines at `p` will be read soon (no
/// effect on other architectures).
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T, lines: usize) {
    #[cfg(target_arch = "x86_64")]
    for line in 0..lines {
        // SAFETY: a prefetch is a hint; it never faults, whatever the address.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((p as *const i8).wrapping_add(64 * line))
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, lines);
}

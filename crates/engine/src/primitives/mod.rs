//! The bottom layer: time in integer microseconds, the random stream, a slab of reusable ids,
//! the timer wheel, a sliding window of counts, and fallible growth of collections (`grow`).
//! Nothing here knows about Lambda.

pub(crate) mod cache;
pub(crate) mod grow;
pub(crate) mod histogram;
pub(crate) mod rng;
pub(crate) mod slab;
pub(crate) mod time;
pub(crate) mod wheel;
pub(crate) mod window;

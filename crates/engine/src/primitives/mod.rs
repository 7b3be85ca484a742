//! The bottom layer: time in integer microseconds, the random stream, a slab of reusable ids
//! and the timer wheel. Nothing here knows about Lambda.

pub(crate) mod cache;
pub(crate) mod rng;
pub(crate) mod slab;
pub(crate) mod time;
pub(crate) mod wheel;

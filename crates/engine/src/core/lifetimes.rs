//! Environment lifetimes drawn from distributions (§3.1): the keep-alive of each idle period,
//! the init phase of each cold start, and the maximum lifetime of on-demand environments.
//!
//! A function whose keep-alive and init are fixed and whose environments live for ever has
//! none of this (`Function::lifetimes` is `None`), so its admissions and ends read the fixed
//! values in the lines they already touch.

use crate::model::config::FunctionConfig;
use crate::model::distribution::{draw_word, Dist};
use crate::primitives::time::Micros;

/// The salts that keep the two kinds of draw apart (§3.1): "keep", "init".
const KEEP_SALT: u64 = 0x6B65_6570;
const INIT_SALT: u64 = 0x696E_6974;

#[derive(Debug)]
pub(crate) struct Lifetimes {
    keep_alive: Dist,
    init: Dist,
    max_lifetime_us: Option<Micros>,
    seed: u64,
}

impl Lifetimes {
    /// The drawn lifetimes of a function, or `None` when nothing is drawn and nothing recycled.
    pub fn new(cfg: &FunctionConfig, seed: u64) -> Option<Box<Lifetimes>> {
        if cfg.keep_alive.fixed().is_some() && cfg.init.fixed().is_some() && cfg.max_lifetime_us.is_none() {
            return None;
        }
        Some(Box::new(Lifetimes { keep_alive: cfg.keep_alive.clone(), init: cfg.init.clone(), max_lifetime_us: cfg.max_lifetime_us, seed }))
    }

    /// The init phase of environment `created` starting cold at `start`.
    #[inline]
    pub fn init(&self, created: u64, start: Micros) -> Micros {
        self.init.sample(draw_word(self.seed, INIT_SALT, created, start))
    }

    /// When on-demand environment `created`, born at `born` and idle since `idle_since`, is gone:
    /// at the end of its keep-alive, or at its maximum lifetime if that comes first (at once,
    /// if the lifetime ended while it was busy).
    #[inline]
    pub fn death(&self, created: u64, born: Micros, idle_since: Micros) -> Micros {
        let expiry = idle_since.saturating_add(self.keep_alive.sample(draw_word(self.seed, KEEP_SALT, created, idle_since)));
        match self.max_lifetime_us {
            Some(m) => expiry.min(idle_since.max(born.saturating_add(m))),
            None => expiry,
        }
    }
}

//! Concurrency accounting (§2, §4 steps 2–3): the account's unreserved pool and each function's
//! reservation. Concurrency is the number of environments initialising or busy. (Its maxima
//! are the metrics recorder's.)

use crate::model::codes::Refusal;

/// One function's share of the pool.
#[derive(Debug, Clone, Default)]
pub(crate) struct FunctionPool {
    /// `RC − P` when the function has a reservation, `P` its provisioned environments that
    /// exist: its on-demand ceiling.
    pub on_demand_limit: Option<u32>,
    /// On-demand executions running (not on provisioned environments).
    pub on_demand: u32,
    /// All executions running, provisioned ones included.
    pub running: u32,
}

impl FunctionPool {
    pub fn new(reserved: Option<u32>, provisioned: u32) -> Self {
        FunctionPool { on_demand_limit: reserved.map(|rc| rc - provisioned), ..Self::default() }
    }
}

/// The account's pool.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pool {
    /// U: what functions without a reservation share now (`configured − held`).
    pub unreserved_capacity: u32,
    /// On-demand executions of functions without a reservation.
    pub unreserved_in_use: u32,
    pub running: u32,
    /// U as the configuration in force leaves it (§2).
    configured: u32,
    /// Busy provisioned environments of functions without a reservation that a decrease of
    /// provisioned concurrency released: the pool gets them back when their execution ends.
    held: u32,
    /// What no admission may reach: `L` once a change has been made (which can leave a pool
    /// holding more executions than its new size), unbounded before (the pools' sizes keep
    /// the account within `L`, §2).
    pub account_cap: u32,
    /// `L`, the account's concurrency limit.
    limit: u32,
}

impl Pool {
    pub fn new(unreserved_capacity: u32) -> Self {
        Pool { unreserved_capacity, configured: unreserved_capacity, account_cap: u32::MAX, ..Self::default() }
    }

    /// The account's concurrency limit `L`.
    pub fn with_limit(self, limit: u32) -> Self {
        Pool { limit, ..self }
    }

    /// U as a change of configuration leaves it (§16); from the first change on, no admission
    /// may take the account to more than `L` executions.
    pub fn configure(&mut self, unreserved_capacity: u32) {
        self.account_cap = self.limit;
        self.configured = unreserved_capacity;
        self.unreserved_capacity = self.configured.saturating_sub(self.held);
    }

    /// `n` more (`hold`) or fewer released provisioned executions still running, of functions
    /// without a reservation.
    pub fn hold(&mut self, n: u32, hold: bool) {
        self.held = if hold { self.held + n } else { self.held - n };
        self.unreserved_capacity = self.configured.saturating_sub(self.held);
    }

    /// May `f` start one more on-demand execution (§4 steps 2–3)?
    #[inline]
    pub fn check_on_demand(&self, f: &FunctionPool) -> Result<(), Refusal> {
        match f.on_demand_limit {
            Some(limit) if f.on_demand >= limit => {
                Err(Refusal::ReservedFunctionConcurrentInvocationLimitExceeded)
            }
            Some(_) => Ok(()),
            None if self.unreserved_in_use >= self.unreserved_capacity => {
                Err(Refusal::ConcurrentInvocationLimitExceeded)
            }
            None => Ok(()),
        }
    }

    /// Counts an execution that starts.
    #[inline]
    pub fn acquire(&mut self, f: &mut FunctionPool, on_demand: bool) {
        f.running += 1;
        self.running += 1;
        if on_demand {
            f.on_demand += 1;
            if f.on_demand_limit.is_none() {
                self.unreserved_in_use += 1;
            }
        }
    }

    /// Counts an execution that ends.
    #[inline]
    pub fn release(&mut self, f: &mut FunctionPool, on_demand: bool) {
        f.running -= 1;
        self.running -= 1;
        if on_demand {
            f.on_demand -= 1;
            if f.on_demand_limit.is_none() {
                self.unreserved_in_use -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_function_is_capped_by_its_reservation_minus_provisioned() {
        let mut pool = Pool::new(700);
        let mut f = FunctionPool::new(Some(5), 2);
        for _ in 0..3 {
            assert_eq!(pool.check_on_demand(&f), Ok(()));
            pool.acquire(&mut f, true);
        }
        assert_eq!(
            pool.check_on_demand(&f),
            Err(Refusal::ReservedFunctionConcurrentInvocationLimitExceeded)
        );
        // it never borrows from the shared pool
        assert_eq!(pool.unreserved_in_use, 0);
        pool.release(&mut f, true);
        assert_eq!(pool.check_on_demand(&f), Ok(()));
    }

    #[test]
    fn zero_reservation_throttles_everything() {
        let pool = Pool::new(700);
        let f = FunctionPool::new(Some(0), 0);
        assert_eq!(
            pool.check_on_demand(&f),
            Err(Refusal::ReservedFunctionConcurrentInvocationLimitExceeded)
        );
    }

    #[test]
    fn unreserved_functions_share_u() {
        let mut pool = Pool::new(2);
        let mut a = FunctionPool::new(None, 0);
        let mut b = FunctionPool::new(None, 0);
        pool.acquire(&mut a, true);
        pool.acquire(&mut b, true);
        assert_eq!(pool.check_on_demand(&a), Err(Refusal::ConcurrentInvocationLimitExceeded));
        assert_eq!(pool.check_on_demand(&b), Err(Refusal::ConcurrentInvocationLimitExceeded));
        // provisioned executions do not use the unreserved pool
        pool.acquire(&mut a, false);
        assert_eq!(pool.unreserved_in_use, 2);
        assert_eq!((pool.running, a.running), (3, 2));
        pool.release(&mut b, true);
        assert_eq!(pool.check_on_demand(&a), Ok(()));
        assert_eq!(pool.unreserved_in_use, 1);
    }

    #[test]
    fn released_provisioned_executions_hold_their_place_in_the_pool_until_they_end() {
        let mut pool = Pool::new(1);
        let f = FunctionPool::new(None, 0);
        pool.configure(3); // a decrease of provisioned concurrency gave two back ...
        pool.hold(2, true); // ... whose executions still run
        assert_eq!(pool.unreserved_capacity, 1);
        pool.configure(4); // a change meanwhile moves what is configured, not what is held
        assert_eq!(pool.unreserved_capacity, 2);
        pool.hold(2, false);
        assert_eq!(pool.unreserved_capacity, 4);
        assert_eq!(pool.check_on_demand(&f), Ok(()));
    }
}

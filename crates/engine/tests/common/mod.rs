//! Helpers shared by the integration tests (a module of each test crate that uses it).

// each test crate uses some of these helpers, not all
#![allow(dead_code)]

use lambda_core_engine::{AccountConfig, Config, Dist, Engine, FunctionConfig, RecordRows, Rows, Scaling, WindowLog};

/// One function with no init time, in an account of 10.
pub fn config() -> Config {
    let account = AccountConfig { concurrency_limit: 10, unreserved_capacity: 10, scaling: Scaling::Off, requests_per_concurrency: None };
    Config { destinations: 1, ..Config::new(account, vec![FunctionConfig { init: Dist::Fixed(0), ..FunctionConfig::new() }]) }
}

/// Submits records of (time s, key, failures) to source 0 and runs everything to completion.
pub fn run_records(e: &mut Engine, records: &[(f64, i64, i64)]) -> WindowLog {
    let time: Vec<f64> = records.iter().map(|r| r.0).collect();
    let key: Vec<i64> = records.iter().map(|r| r.1).collect();
    let failures: Vec<i64> = records.iter().map(|r| r.2).collect();
    let rows = RecordRows { time: &time, key: &key, failures: Some(&failures) };
    e.submit_records(0, &rows).unwrap();
    let mut log = WindowLog::default();
    e.advance(None, &mut log).unwrap();
    log
}

/// A stream or queue record's result as (outcome, attempts, receives, start s, end s).
pub fn record(log: &WindowLog, i: usize) -> (u8, u32, u32, f64, f64) {
    let r = &log.records;
    (r.outcome[i], r.attempts[i], r.receives[i], r.start[i], r.end[i])
}

/// Workload rows of (time s, function, duration s).
pub fn rows<'a>(time: &'a [f64], function: &'a [i64], duration: &'a [f64]) -> Rows<'a> {
    Rows { time, function, duration, invocation_type: None, failures: None, too_large: None }
}

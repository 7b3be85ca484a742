//! Hand-worked cases of workload requests (§3–6): synchronous requests, throttles, idle expiry,
//! scaling tokens, provisioned concurrency and asynchronous events, through the public API.

use lambda_core_engine::{
    AccountConfig, Config, Dist, Engine, FunctionConfig, Outcome, Rows, Scaling, ThrottleReason, WindowLog, EVENT,
};

fn engine(limit: u32, functions: Vec<FunctionConfig>, scaling: Scaling) -> Engine {
    let reserved: u32 = functions.iter().map(|f| f.reserved.unwrap_or(f.provisioned)).sum();
    let account = AccountConfig { concurrency_limit: limit, unreserved_capacity: limit - reserved, scaling, requests_per_concurrency: None };
    Engine::new(Config { destinations: 1, ..Config::new(account, functions) })
    .unwrap()
}

/// Runs rows of (time s, function, duration s) to completion.
fn run(e: &mut Engine, rows: &[(f64, i64, f64)]) -> WindowLog {
    let time: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let function: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let duration: Vec<f64> = rows.iter().map(|r| r.2).collect();
    let rows = Rows { time: &time, function: &function, duration: &duration, invocation_type: None, failures: None, too_large: None };
    e.submit(&rows).unwrap();
    let mut log = WindowLog::default();
    e.advance(None, &mut log).unwrap();
    log
}

fn f() -> FunctionConfig {
    FunctionConfig { init: Dist::Fixed(0), ..FunctionConfig::new() }
}

#[test]
fn zero_length_execution_frees_its_slot_before_the_next_arrival() {
    let mut e = engine(1, vec![f()], Scaling::Off);
    let log = run(&mut e, &[(1.0, 0, 0.0), (1.0, 0, 0.0), (1.0, 0, 0.5)]);
    assert_eq!(log.outcome, vec![1, 1, 1]);
    assert_eq!(log.cold_starts, vec![1, 0, 0]);
    assert_eq!(e.report(e.horizon(None)).functions[0].max_concurrency, 1);
}

#[test]
fn the_unreserved_pool_throttles_and_the_throttle_resolves_at_once() {
    let mut e = engine(2, vec![f()], Scaling::Off);
    let log = run(&mut e, &[(0.0, 0, 1.0), (0.0, 0, 1.0), (0.5, 0, 1.0)]);
    // resolution order: the throttle at 0.5 s, then the two executions at 1 s
    assert_eq!(log.request, vec![2, 0, 1]);
    assert_eq!(log.outcome, vec![Outcome::Throttled as u8, 1, 1]);
    assert_eq!(log.reason[0], ThrottleReason::ConcurrentInvocationLimitExceeded as u8);
    assert_eq!(log.end, vec![0.5, 1.0, 1.0]);
}

#[test]
fn an_idle_environment_is_gone_at_exactly_its_expiry() {
    let mut e = engine(10, vec![FunctionConfig { keep_alive: Dist::Fixed(1_000_000), ..f() }], Scaling::Off);
    // idle from 0.5 s: reusable at 1.499999 s, gone at 1.5 s
    let log = run(&mut e, &[(0.0, 0, 0.5), (1.499999, 0, 0.0), (1.499999, 0, 0.0), (2.5, 0, 0.0)]);
    assert_eq!(log.cold_starts, vec![1, 0, 0, 1]);
    let report = e.report(e.horizon(None));
    assert_eq!(report.functions[0].environments_created, 2);
}

#[test]
fn the_scaling_bucket_refuses_new_environments_not_warm_ones() {
    let mut e = engine(100, vec![f()], Scaling::PerFunction { burst: 2, cost_us: 1_000_000 });
    let log = run(&mut e, &[(0.0, 0, 0.1), (0.0, 0, 0.1), (0.0, 0, 0.1), (0.2, 0, 0.1), (0.2, 0, 0.1), (0.2, 0, 0.1)]);
    let scaling = ThrottleReason::FunctionScalingRateExceeded as u8;
    let mut by_request = vec![0u8; 6];
    for (r, reason) in log.request.iter().zip(&log.reason) {
        by_request[*r as usize] = *reason;
    }
    // two tokens at 0 s; at 0.2 s two warm environments and no token for a third
    assert_eq!(by_request, vec![0, 0, scaling, 0, 0, scaling]);
}

#[test]
fn provisioned_environments_are_used_first_and_take_no_token() {
    let pc = FunctionConfig { reserved: Some(3), provisioned: 2, ..f() };
    let mut e = engine(10, vec![pc], Scaling::PerFunction { burst: 1, cost_us: 1_000_000 });
    let log = run(&mut e, &[(0.0, 0, 1.0), (0.0, 0, 1.0), (0.0, 0, 1.0), (0.0, 0, 1.0)]);
    let stats = &e.report(e.horizon(None)).functions[0];
    assert_eq!((stats.provisioned_invocations, stats.spillover_invocations), (2, 1));
    assert_eq!(stats.throttles_by_reason, [1, 0, 0, 0, 0]); // RC − PC = 1 on demand
    assert_eq!(log.cold_starts.iter().map(|&c| c as u32).sum::<u32>(), 1);
}

/// Runs event rows of (time s, function, duration s, failures) to completion.
fn run_events(e: &mut Engine, rows: &[(f64, i64, f64, i64)]) -> WindowLog {
    let time: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let function: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let duration: Vec<f64> = rows.iter().map(|r| r.2).collect();
    let failures: Vec<i64> = rows.iter().map(|r| r.3).collect();
    let kinds = vec![EVENT; rows.len()];
    let rows = Rows {
        time: &time,
        function: &function,
        duration: &duration,
        invocation_type: Some(&kinds),
        failures: Some(&failures),
        too_large: None,
    };
    e.submit(&rows).unwrap();
    let mut log = WindowLog::default();
    e.advance(None, &mut log).unwrap();
    log
}

fn async_engine(f: FunctionConfig) -> Engine {
    engine(10, vec![FunctionConfig { on_failure: Some(0), ..f }], Scaling::Off)
}

#[test]
fn a_failing_event_is_retried_after_one_then_two_minutes() {
    let mut e = async_engine(f());
    let log = run_events(&mut e, &[(0.0, 0, 1.0, 3)]);
    assert_eq!(log.outcome, vec![Outcome::RetriesExhausted as u8]);
    assert_eq!(log.attempts, vec![3]);
    // attempts at 0 s, 61 s (60 s after the end at 1 s) and 182 s; dropped at 183 s
    assert_eq!((log.first_start[0], log.last_start[0], log.end[0]), (0.0, 182.0, 183.0));
    let d = &e.drain_destinations()[0];
    assert_eq!((d.condition.clone(), d.approximate_invoke_count.clone(), d.time.clone()), (vec![5], vec![3], vec![183.0]));
}

#[test]
fn the_maximum_event_age_is_checked_ahead_of_each_retry() {
    for (age_s, attempts) in [(60, 1), (90, 2), (21_600, 3)] {
        let mut e = async_engine(FunctionConfig { max_event_age_us: age_s * 1_000_000, ..f() });
        let log = run_events(&mut e, &[(0.0, 0, 1.0, 3)]);
        assert_eq!(log.attempts, vec![attempts], "max age {age_s}");
        let expected = if attempts == 3 { Outcome::RetriesExhausted } else { Outcome::EventAgeExceeded };
        assert_eq!(log.outcome, vec![expected as u8]);
    }
}

#[test]
fn zero_reserved_concurrency_drops_without_an_attempt_or_a_throttle() {
    let mut e = async_engine(FunctionConfig { reserved: Some(0), ..f() });
    let log = run_events(&mut e, &[(5.0, 0, 1.0, 0)]);
    assert_eq!((log.outcome[0], log.attempts[0], log.throttles[0], log.end[0]), (Outcome::ZeroReservedConcurrency as u8, 0, 0, 5.0));
    let stats = &e.report(e.horizon(None)).functions[0];
    assert_eq!((stats.throttles, stats.async_events_received, stats.async_events_dropped), (0, 1, 1));
}

#[test]
fn throttled_events_back_off_without_using_retries() {
    // reserved 1: the second event waits while the first runs for 10 s
    let mut e = async_engine(FunctionConfig { reserved: Some(1), timeout_us: 900_000_000, ..f() });
    let log = run_events(&mut e, &[(0.0, 0, 10.0, 0), (0.0, 0, 1.0, 0)]);
    // retries of the second at 1, 3, 7, 15 s (waits 1, 2, 4, 8): it runs at 15 s
    assert_eq!(log.request, vec![0, 1]);
    assert_eq!((log.throttles[1], log.attempts[1], log.first_start[1], log.end[1]), (4, 1, 15.0, 16.0));
    assert_eq!(log.outcome, vec![1, 1]);
}

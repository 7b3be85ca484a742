//! Hand-worked cases of §13 (a function in a VPC: Pending, Inactive, no ENI, legacy ENIs, no
//! route to the internet) and §14 (the request-rate windows, payloads too large), through the
//! public API. Times in whole microseconds where the window's edge matters.

use lambda_core_engine::{
    AccountConfig, Config, Dist, Engine, FunctionConfig, Outcome, Rows, Scaling, ThrottleReason, VpcConfig, WindowLog, EVENT,
};

fn engine(limit: u32, rate: Option<u32>, functions: Vec<FunctionConfig>, eni_quotas: Vec<u32>) -> Engine {
    let reserved: u32 = functions.iter().map(|f| f.reserved.unwrap_or(0)).sum();
    let account = AccountConfig { concurrency_limit: limit, unreserved_capacity: limit - reserved, scaling: Scaling::Off, requests_per_concurrency: rate };
    Engine::new(Config { eni_quotas, ..Config::new(account, functions) }).unwrap()
}

/// Runs rows of (time s, function, duration s, too large) to completion, in resolution order.
fn run_rows(e: &mut Engine, rows: &[(f64, i64, f64, bool)], kind: Option<u8>) -> WindowLog {
    let time: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let function: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let duration: Vec<f64> = rows.iter().map(|r| r.2).collect();
    let big: Vec<bool> = rows.iter().map(|r| r.3).collect();
    let kinds = vec![kind.unwrap_or(0); rows.len()];
    let rows = Rows { time: &time, function: &function, duration: &duration, invocation_type: kind.map(|_| &kinds[..]), failures: None, too_large: Some(&big) };
    e.submit(&rows).unwrap();
    let mut log = WindowLog::default();
    e.advance(None, &mut log).unwrap();
    log
}

fn run(e: &mut Engine, rows: &[(f64, i64, f64)]) -> WindowLog {
    let rows: Vec<_> = rows.iter().map(|&(t, f, d)| (t, f, d, false)).collect();
    run_rows(e, &rows, None)
}

/// The outcome of each request, in request order.
fn outcomes(log: &WindowLog) -> Vec<u8> {
    let mut by_request: Vec<(u64, u8)> = log.request.iter().copied().zip(log.outcome.iter().copied()).collect();
    by_request.sort();
    by_request.into_iter().map(|(_, o)| o).collect()
}

fn f() -> FunctionConfig {
    FunctionConfig { init: Dist::Fixed(0), ..FunctionConfig::new() }
}

fn vpc() -> VpcConfig {
    VpcConfig { active_from_us: 0, no_eni: false, inactive_after_us: None, eni_ready_us: 2_000_000, eni_pool: None, eni_init_us: 0 }
}

const OK: u8 = Outcome::Success as u8;
const THROTTLED: u8 = Outcome::Throttled as u8;

#[test]
fn the_account_admits_ten_per_unit_of_concurrency_in_any_second() {
    // L = 2: 20 requests a second. One every millisecond, each 0.1 ms long (concurrency 1):
    // the first 20 run, the next 10 are throttled; at 1 s the first has left the window
    let mut e = engine(2, Some(10), vec![f()], vec![]);
    let mut rows: Vec<(f64, i64, f64)> = (0..30).map(|i| (i as f64 * 0.001, 0, 0.0001)).collect();
    rows.extend([(1.0, 0, 0.0001), (1.000001, 0, 0.0001), (1.001, 0, 0.0001)]);
    let log = run(&mut e, &rows);
    let got = outcomes(&log);
    assert!(got[..20].iter().all(|&o| o == OK) && got[20..30].iter().all(|&o| o == THROTTLED), "{got:?}");
    // at 1 s the request of 0 s has left (t − 1 s, t]; at 1.000001 s nothing else has
    assert_eq!(&got[30..], &[OK, THROTTLED, OK]);
    let stats = &e.report(e.horizon(None)).functions[0];
    assert_eq!((stats.invocations, stats.throttles, stats.throttles_by_reason[3]), (22, 11, 11));
    assert!(log.reason.iter().zip(&log.outcome).all(|(&r, &o)| o == OK || r == ThrottleReason::FunctionInvocationRateLimitExceeded as u8));
}

#[test]
fn a_reservation_admits_ten_per_reserved_unit_and_its_window_comes_first() {
    // RC = 1: 10 a second of its own; the other function shares the account's 10 × 3
    let mut e = engine(3, Some(10), vec![FunctionConfig { reserved: Some(1), ..f() }, f()], vec![]);
    let rows: Vec<(f64, i64, f64)> = (0..12).map(|i| (i as f64 * 0.01, 0, 0.0)).collect();
    let log = run(&mut e, &rows);
    assert_eq!(outcomes(&log), [[OK; 10].as_slice(), &[THROTTLED; 2]].concat());
    let stats = &e.report(e.horizon(None)).functions[0];
    assert_eq!((stats.throttles_by_reason[4], stats.throttles_by_reason[3]), (2, 0));
    assert!(log.reason.contains(&(ThrottleReason::ReservedFunctionInvocationRateLimitExceeded as u8)));
}

#[test]
fn without_the_limit_nothing_is_throttled_for_its_rate() {
    let mut e = engine(1, None, vec![f()], vec![]);
    let rows: Vec<(f64, i64, f64)> = (0..100).map(|i| (i as f64 * 0.001, 0, 0.0)).collect();
    assert!(outcomes(&run(&mut e, &rows)).iter().all(|&o| o == OK));
}

#[test]
fn a_pending_function_refuses_every_attempt_until_it_is_active() {
    let mut e = engine(10, Some(10), vec![FunctionConfig { vpc: Some(VpcConfig { active_from_us: 5_000_000, ..vpc() }), ..f() }], vec![]);
    let log = run(&mut e, &[(1.0, 0, 0.1), (4.999999, 0, 0.1), (5.0, 0, 0.1)]);
    assert_eq!(outcomes(&log), vec![Outcome::FunctionPending as u8, Outcome::FunctionPending as u8, OK]);
    let stats = &e.report(e.horizon(None)).functions[0];
    assert_eq!((stats.invocations, stats.throttles, stats.refusals), (1, 0, [2, 0, 0, 0]));
    // refused at once, with no attempt
    assert_eq!((log.end[0], log.attempts[0]), (1.0, 0));
}

#[test]
fn an_idle_vpc_function_goes_inactive_and_is_pending_while_its_eni_is_remade() {
    // inactive after 10 s without an admitted attempt; a new ENI takes 2 s
    let v = VpcConfig { inactive_after_us: Some(10_000_000), ..vpc() };
    let mut e = engine(10, Some(10), vec![FunctionConfig { vpc: Some(v), ..f() }], vec![]);
    let log = run(&mut e, &[(0.0, 0, 0.0), (9.999999, 0, 0.0), (19.999999, 0, 0.0), (20.0, 0, 0.0), (21.0, 0, 0.0), (22.0, 0, 0.0), (31.999999, 0, 0.0), (32.0, 0, 0.0)]);
    use Outcome::{FunctionInactive as I, FunctionPending as P};
    // idle from 9.999999 s: Inactive at 19.999999 s, then Pending until 21.999999 s; Active
    // again from then, its idle clock restarted (22 s, 31.999999 s and 32 s are each less than
    // 10 s after the previous admission)
    assert_eq!(outcomes(&log), vec![OK, OK, I as u8, P as u8, P as u8, OK, OK, OK]);
    let stats = &e.report(e.horizon(None)).functions[0];
    assert_eq!(stats.refusals, [2, 1, 0, 0]);
}

#[test]
fn a_function_without_an_eni_is_refused_for_ever_and_events_retry_it_like_throttles() {
    let v = VpcConfig { no_eni: true, ..vpc() };
    let mut e = engine(10, Some(10), vec![FunctionConfig { vpc: Some(v), max_event_age_us: 60_000_000, ..f() }], vec![]);
    let log = run_rows(&mut e, &[(0.0, 0, 0.1, false)], Some(EVENT));
    // refused at 0, 1, 3, 7, 15, 31 s (backoffs 1, 2, 4, 8, 16 s); the next, 32 s later, would pass 60 s
    assert_eq!(log.outcome, vec![Outcome::EventAgeExceeded as u8]);
    assert_eq!((log.end[0], log.throttles[0], log.attempts[0]), (31.0, 0, 0));
    assert_eq!(e.report(e.horizon(None)).functions[0].refusals, [0, 0, 6, 0]);
}

#[test]
fn legacy_enis_add_to_the_cold_start_and_a_full_vpc_refuses_new_environments() {
    // one VPC of 1 ENI; keep-alive 1 s; an ENI takes 10 s to make
    let v = VpcConfig { eni_pool: Some(0), eni_init_us: 10_000_000, ..vpc() };
    let g = FunctionConfig { vpc: Some(v), keep_alive: Dist::Fixed(1_000_000), timeout_us: 30_000_000, ..f() };
    let mut e = engine(10, Some(10), vec![g.clone(), g], vec![1]);
    // 0 s: a cold start of function 0 with the ENI (10 s init + 0.5 s: ends 10.5 s, idle until 11.5 s)
    // 5 s: function 1 needs a new environment: the VPC's one ENI is held → ENILimitReached
    // 20 s: function 0's environment died at 11.5 s; function 1 finds its ENI free (the purge)
    let log = run(&mut e, &[(0.0, 0, 0.5), (5.0, 1, 0.5), (20.0, 1, 0.5)]);
    assert_eq!(outcomes(&log), vec![OK, Outcome::EniLimitReached as u8, OK]);
    let ends: Vec<(u64, f64)> = log.request.iter().copied().zip(log.end.iter().copied()).collect();
    assert!(ends.contains(&(0, 10.5)) && ends.contains(&(2, 30.5)), "{ends:?}");
    let r = e.report(e.horizon(None));
    assert_eq!((r.functions[0].init_us, r.functions[1].init_us), (10_000_000, 10_000_000));
    assert_eq!(r.functions[1].refusals, [0, 0, 1, 0]);
}

#[test]
fn a_function_that_hangs_times_out_and_a_payload_too_large_never_runs() {
    let mut e = engine(10, Some(10), vec![FunctionConfig { hangs: true, timeout_us: 1_000_000, ..f() }, f()], vec![]);
    let log = run_rows(&mut e, &[(0.0, 0, 0.1, false), (0.0, 1, 0.1, true)], None);
    assert_eq!(outcomes(&log), vec![Outcome::Timeout as u8, Outcome::RequestTooLarge as u8]);
    let r = e.report(e.horizon(None));
    assert_eq!((r.functions[0].timeouts, r.functions[0].billed_ms), (1, 1000));
    assert_eq!((r.functions[1].invocations, r.functions[1].refusals), (0, [0, 0, 0, 1]));
    // an event too large is never queued
    let log = run_rows(&mut e, &[(1.0, 1, 0.1, true)], Some(EVENT));
    assert_eq!(log.outcome, vec![Outcome::RequestTooLarge as u8]);
    assert_eq!(e.report(e.horizon(None)).functions[1].async_events_received, 0);
}

#[test]
fn a_full_vpc_frees_an_eni_at_exactly_the_death_of_an_idle_environment() {
    // function 0's environment runs 0–10.5 s (10 s of ENI, 0.5 s of work) and dies at 11.5 s;
    // function 1's cold starts before then find the one ENI held, at 11.5 s they get it
    let v = VpcConfig { eni_pool: Some(0), eni_init_us: 10_000_000, ..vpc() };
    let g = FunctionConfig { vpc: Some(v), keep_alive: Dist::Fixed(1_000_000), timeout_us: 30_000_000, ..f() };
    let mut e = engine(10, Some(10), vec![g.clone(), g], vec![1]);
    let log = run(&mut e, &[(0.0, 0, 0.5), (5.0, 1, 0.1), (5.5, 1, 0.1), (11.0, 1, 0.1), (11.499999, 1, 0.1), (11.5, 1, 0.1)]);
    let no = Outcome::EniLimitReached as u8;
    assert_eq!(outcomes(&log), vec![OK, no, no, no, no, OK]);
}

#[test]
fn the_rate_is_checked_before_an_idle_provisioned_environment_is_used() {
    // RC = 1, PC = 1: the provisioned environment is idle between the 0-length requests, but
    // §14 comes first: after 10 admissions in the second the next are throttled (reason 5)
    let mut e = engine(3, Some(10), vec![FunctionConfig { reserved: Some(1), provisioned: 1, ..f() }], vec![]);
    let rows: Vec<(f64, i64, f64)> = (0..12).map(|i| (i as f64 * 0.01, 0, 0.0)).collect();
    let log = run(&mut e, &rows);
    assert_eq!(outcomes(&log), [[OK; 10].as_slice(), &[THROTTLED; 2]].concat());
    let stats = &e.report(e.horizon(None)).functions[0];
    assert_eq!((stats.provisioned_invocations, stats.throttles_by_reason[4]), (10, 2));
}

//! Changes while running (§16), worked by hand: reservations, provisioned concurrency allocated
//! over time and released, and updates that retire environments; each at its instant, before
//! the other events of that instant.

use lambda_core_engine::{AccountConfig, AppliedKind, Change, Config, Dist, Engine, FunctionConfig, OneRow, Outcome, Scaling, WindowLog};

const S: u64 = 1_000_000;

fn engine(functions: Vec<FunctionConfig>) -> Engine {
    let account = AccountConfig { concurrency_limit: 1000, unreserved_capacity: 1000, scaling: Scaling::Off, requests_per_concurrency: None };
    Engine::new(Config::new(account, functions)).unwrap()
}

fn f(init_s: f64) -> FunctionConfig {
    FunctionConfig { init: Dist::Fixed((init_s * 1e6) as u64), timeout_us: 60 * S, ..FunctionConfig::new() }
}

fn one(t: f64, d: f64) -> OneRow {
    OneRow { time: t, function: 0, duration: d, invocation_type: 0, failures: 0, too_large: false }
}

/// Runs to the end; per request, (outcome, cold starts, end in s).
fn run(e: &mut Engine) -> Vec<(u8, u16, f64)> {
    let mut log = WindowLog::default();
    e.advance(None, &mut log).unwrap();
    let mut rows: Vec<_> = log.request.iter().zip(log.outcome.iter().zip(log.cold_starts.iter().zip(&log.end))).map(|(&r, (&o, (&c, &t)))| (r, (o, c, t))).collect();
    rows.sort_by_key(|r| r.0);
    rows.into_iter().map(|r| r.1).collect()
}

const OK: u8 = Outcome::Success as u8;
const THROTTLED: u8 = Outcome::Throttled as u8;

#[test]
fn a_reservation_takes_effect_at_its_instant_before_the_arrivals_there() {
    let mut e = engine(vec![f(0.0)]);
    for _ in 0..3 {
        e.submit_one(one(0.0, 10.0)).unwrap();
    }
    // from t = 5 the function may run 2: the three running go on, new ones are throttled
    e.schedule_change(5 * S, Change::Reserved { function: 0, reserved: Some(2), unreserved_capacity: 998 }).unwrap();
    e.submit_one(one(5.0, 1.0)).unwrap();
    // after the ends at 10, two fit
    for _ in 0..3 {
        e.submit_one(one(10.0, 1.0)).unwrap();
    }
    let out = run(&mut e);
    assert_eq!(out.iter().map(|r| r.0).collect::<Vec<_>>(), vec![OK, OK, OK, THROTTLED, OK, OK, THROTTLED]);
    let log = e.applied_changes();
    assert_eq!((log.len(), log[0].time, log[0].kind, log[0].reserved), (1, 5 * S, AppliedKind::Reserved, Some(2)));
}

#[test]
fn provisioned_environments_are_usable_once_their_allocation_ends() {
    let mut e = engine(vec![f(1.0)]);
    e.schedule_change(0, Change::Provisioned { function: 0, provisioned: 2, ready_us: 120 * S, unreserved_capacity: 998 }).unwrap();
    e.advance(Some(S), &mut WindowLog::default()).unwrap();
    assert_eq!(e.provisioned_usable(), vec![0]); // allocating
    e.submit_one(one(60.0, 1.0)).unwrap(); // still allocating: on demand, cold
    e.submit_one(one(200.0, 1.0)).unwrap(); // a provisioned environment: warm
    e.submit_one(one(200.0, 1.0)).unwrap();
    e.submit_one(one(200.0, 1.0)).unwrap(); // the on-demand one of t = 60, warm
    let out = run(&mut e);
    assert_eq!(out, vec![(OK, 1, 62.0), (OK, 0, 201.0), (OK, 0, 201.0), (OK, 0, 201.0)]);
    let f0 = &e.report(201 * S).functions[0];
    assert_eq!((f0.provisioned_invocations, f0.spillover_invocations), (2, 2));
    let kinds: Vec<_> = e.applied_changes().iter().map(|a| (a.time, a.kind, a.provisioned_ready)).collect();
    assert_eq!(kinds, vec![(0, AppliedKind::Provisioned, 0), (120 * S, AppliedKind::ProvisionedReady, 2)]);
    assert_eq!(e.provisioned_usable(), vec![2]);
}

#[test]
fn a_later_change_cancels_an_allocation_in_progress() {
    let mut e = engine(vec![f(1.0)]);
    e.schedule_change(0, Change::Provisioned { function: 0, provisioned: 5, ready_us: 120 * S, unreserved_capacity: 995 }).unwrap();
    e.schedule_change(60 * S, Change::Provisioned { function: 0, provisioned: 1, ready_us: 120 * S, unreserved_capacity: 999 }).unwrap();
    e.submit_one(one(130.0, 1.0)).unwrap();
    e.submit_one(one(130.0, 1.0)).unwrap();
    let out = run(&mut e);
    // one provisioned environment came at 120; the second request starts cold on demand
    assert_eq!(out, vec![(OK, 0, 131.0), (OK, 1, 132.0)]);
    let ready: Vec<_> = e.applied_changes().iter().map(|a| (a.time, a.provisioned, a.provisioned_ready)).collect();
    assert_eq!(ready, vec![(0, 5, 0), (60 * S, 1, 0), (120 * S, 1, 1)]);
}

#[test]
fn released_provisioned_environments_go_at_once_or_when_their_execution_ends() {
    let mut e = engine(vec![FunctionConfig { provisioned: 2, ..f(1.0) }]);
    e.submit_one(one(0.0, 10.0)).unwrap(); // busy on a provisioned environment until 10
    e.schedule_change(5 * S, Change::Provisioned { function: 0, provisioned: 0, ready_us: 120 * S, unreserved_capacity: 1000 }).unwrap();
    e.submit_one(one(5.0, 1.0)).unwrap(); // no provisioned environment left idle: cold
    e.submit_one(one(20.0, 1.0)).unwrap(); // the on-demand one of t = 5, warm
    e.submit_one(one(20.0, 1.0)).unwrap(); // the busy provisioned one was retired at 10: cold
    let out = run(&mut e);
    assert_eq!(out, vec![(OK, 0, 10.0), (OK, 1, 7.0), (OK, 0, 21.0), (OK, 1, 22.0)]);
    assert_eq!(e.applied_changes()[0].provisioned_ready, 0);
}

#[test]
fn an_update_retires_idle_environments_and_busy_ones_when_they_end() {
    let mut e = engine(vec![FunctionConfig { timeout_us: 12 * S, ..f(1.0) }]);
    e.submit_one(one(0.0, 1.0)).unwrap(); // idle from 2
    e.submit_one(one(0.0, 10.0)).unwrap(); // busy until 11
    e.schedule_change(5 * S, Change::Update { function: 0, timeout_us: Some(20 * S) }).unwrap();
    e.submit_one(one(12.0, 15.0)).unwrap(); // both retired: cold, and the new timeout lets it run 15 s
    e.submit_one(one(40.0, 1.0)).unwrap(); // the environment made after the update stays: warm
    let out = run(&mut e);
    assert_eq!(out, vec![(OK, 1, 2.0), (OK, 1, 11.0), (OK, 1, 28.0), (OK, 0, 41.0)]);
}

#[test]
fn steps_stop_at_a_change_and_changes_come_in_time_order() {
    let mut e = engine(vec![f(0.0)]);
    e.schedule_change(3 * S, Change::Reserved { function: 0, reserved: Some(0), unreserved_capacity: 1000 }).unwrap();
    assert!(e.schedule_change(2 * S, Change::Update { function: 0, timeout_us: None }).is_err());
    assert!(e.schedule_change(4 * S, Change::Update { function: 7, timeout_us: None }).is_err());
    assert_eq!(e.peek_time(), Some(3 * S));
    let mut log = WindowLog::default();
    assert_eq!(e.step(&mut log).unwrap(), Some(3 * S));
    assert_eq!((e.pending_changes(), e.applied_changes().len(), e.now()), (0, 1, 3 * S));
    e.submit_one(one(3.0, 1.0)).unwrap();
    assert_eq!(run(&mut e), vec![(THROTTLED, 0, 3.0)]);
}

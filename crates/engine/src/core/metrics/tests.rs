use super::*;
use crate::core::pool::FunctionPool;
use crate::model::table::{Column, Value};

fn column<'a>(t: &'a Table, level: &str, key: &str) -> &'a Column {
    let Some(Value::Table(l)) = t.get(level) else { panic!("{level}") };
    let Some(Value::Column(c)) = l.get(key) else { panic!("{level} {key}") };
    c
}

fn counts(t: &Table, level: &str, key: &str) -> Vec<u64> {
    match column(t, level, key) {
        Column::U64(v) => v.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

fn reals(t: &Table, level: &str, key: &str) -> Vec<f64> {
    match column(t, level, key) {
        Column::F64(v) => v.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

fn read(r: &mut Recorder, now: Micros, live: impl Iterator<Item = (u32, Micros, Micros)>) -> Option<Table> {
    r.count_durations();
    r.series(now, live)
}

/// Starts an execution of `f` at `now` through the verbs admission calls.
fn start(r: &mut Recorder, pool: &mut Pool, p: &mut FunctionPool, f: u32, now: Micros, outcome: Outcome, billed_ms: u64) {
    pool.acquire(p, true);
    r.pool(now, pool);
    r.started(now, f, false, 0, outcome, p, billed_ms, false);
}

fn end(r: &mut Recorder, pool: &mut Pool, p: &mut FunctionPool, f: u32, start: Micros, now: Micros) {
    pool.release(p, true);
    r.ended(now, f, start, 0, p, pool);
}

#[test]
fn maxima_are_exact_and_sums_count() {
    let mut r = Recorder::new(&[0, 0], &[0; 2], &[true; 2], &[3_000_000; 2], 1, None).unwrap();
    let mut pool = Pool::new(2);
    let (mut a, mut b) = (FunctionPool::new(None, 0), FunctionPool::new(None, 0));
    for (f, on_demand, outcome) in [(0, true, Outcome::Timeout), (1, true, Outcome::Error), (0, false, Outcome::Success)] {
        let p = if f == 0 { &mut a } else { &mut b };
        pool.acquire(p, on_demand); // provisioned: not in the unreserved pool
        r.pool(0, &pool);
        r.started(0, f, outcome == Outcome::Timeout, 0, outcome, p, 7, !on_demand);
    }
    pool.release(&mut b, true);
    r.throttled(0, 1, ThrottleReason::FunctionScalingRateExceeded);
    let report = r.report(0, std::iter::empty());
    let (fa, fb, acc) = (&report.functions[0], &report.functions[1], &report.account);
    assert_eq!((fa.max_concurrency, fb.max_concurrency, acc.max_concurrency, acc.max_unreserved_concurrency), (2, 1, 3, 2));
    assert_eq!((fa.invocations, fa.cold_starts, fa.errors, fa.timeouts), (2, 1, 1, 1));
    assert_eq!((fa.billed_ms, fa.provisioned_billed_ms), (14, 7));
    assert_eq!((fb.invocations, fb.errors, fb.timeouts), (1, 1, 0));
    assert_eq!((fb.throttles, fb.throttles_by_reason), (1, [0, 0, 1, 0, 0]));
    assert!(r.series(0, std::iter::empty()).is_none());
}

#[test]
fn mapping_figures_count_by_outcome() {
    let mut r = Recorder::new(&[], &[0; 0], &[true; 0], &[3_000_000; 0], 2, None).unwrap();
    r.batches(0, 1, 2, 9);
    r.batch_invoked(0, 1, 3, Some(40), 5);
    r.batch_invoked(0, 1, 1, None, 4);
    r.batch_failed(0, 1, 4);
    r.batch_throttled(0, 1, 2);
    for o in [RecordOutcome::Processed, RecordOutcome::Expired, RecordOutcome::DeadLettered, RecordOutcome::Processed] {
        r.record_resolved(0, 1, o);
    }
    r.slots(0, 1, 7);
    r.slots(0, 1, 5);
    r.visible(0, 1, 3);
    let s = &r.mapping_stats()[1];
    assert_eq!((s.batches, s.invocations, s.max_concurrency, s.max_iterator_age_us), (2, 2, 3, 40));
    assert_eq!((s.records_processed, s.records_expired, s.records_failed, s.max_slots), (2, 1, 1, 7));
    assert_eq!((s.polled_records, s.invoked_records, s.failed_invoke_records, s.max_visible), (9, 9, 6, 3));
    assert_eq!(r.mapping_stats()[0], MappingStats::default());
}

#[test]
fn environments_alive_average_over_the_horizon() {
    let mut r = Recorder::new(&[0, 0], &[0; 2], &[true; 2], &[3_000_000; 2], 0, None).unwrap();
    r.environment_gone(5_000_000, 0, 0, 3_000_000); // 3 s, gone already
    // alive: function 0 idle from 1 s until 5 s; function 1 busy since 2 s (no death yet)
    let report = r.report(10_000_000, [(0, 1_000_000, 5_000_000), (1, 2_000_000, Micros::MAX)].into_iter());
    assert_eq!(report.functions[0].avg_environments, 0.7); // (3 + 4) s / 10 s
    assert_eq!(report.functions[1].avg_environments, 0.8); // 8 s / 10 s
    assert_eq!(report.account.avg_environments, 1.5);
    assert_eq!(r.report(0, std::iter::empty()).account.avg_environments, 0.0);
}

#[test]
fn a_period_opens_with_the_executions_running_and_loses_those_ending_at_its_start() {
    // periods of 10 µs; executions of f0 over [2, 10), [3, 25) and [10, 12)
    let mut r = Recorder::new(&[0], &[0; 1], &[true; 1], &[3_000_000; 1], 0, Some(10)).unwrap();
    let mut pool = Pool::new(10);
    let mut p = FunctionPool::new(None, 0);
    start(&mut r, &mut pool, &mut p, 0, 2, Outcome::Success, 1);
    start(&mut r, &mut pool, &mut p, 0, 3, Outcome::Error, 1);
    end(&mut r, &mut pool, &mut p, 0, 2, 10); // ends at the boundary: not in period 1
    start(&mut r, &mut pool, &mut p, 0, 10, Outcome::Success, 1);
    end(&mut r, &mut pool, &mut p, 0, 10, 12);
    end(&mut r, &mut pool, &mut p, 0, 3, 25);
    let t = read(&mut r, 40, std::iter::empty()).unwrap();
    assert_eq!(t.get("n_periods"), Some(&Value::Int(4)));
    assert_eq!(counts(&t, "function", "ConcurrentExecutions:Maximum"), vec![2, 2, 1, 0]);
    assert_eq!(counts(&t, "account", "ConcurrentExecutions:Maximum"), vec![2, 2, 1, 0]);
    assert_eq!(counts(&t, "function", "Invocations:Sum"), vec![2, 1, 0, 0]);
    assert_eq!(counts(&t, "function", "Errors:Sum"), vec![1, 0, 0, 0]);
    // Duration of the executions that ended in each period, in ms: 8 µs and 2 µs at 10 and
    // 12 (period 1), 22 µs at 25 (period 2)
    let shown = |v: Vec<f64>| v.iter().map(|x| if x.is_nan() { -1.0 } else { *x }).collect::<Vec<_>>();
    assert_eq!(shown(reals(&t, "function", "Duration:Maximum")), [-1.0, 0.008, 0.022, -1.0]);
    assert_eq!(shown(reals(&t, "function", "Duration:Minimum")), [-1.0, 0.002, 0.022, -1.0]);
    assert_eq!(shown(reals(&t, "function", "Duration:Average")), [-1.0, 0.005, 0.022, -1.0]);
    // busy: 8 + 7 + 2 µs in period 0, 10 + 2 in 1, 5 in 2; one environment alive? none was
    // born through the verbs here, so idle time is 0
    assert_eq!(reals(&t, "function", "IdleEnvironmentSeconds:Sum"), [0.0; 4]);
    let report = r.report(40, std::iter::empty());
    assert_eq!((report.functions[0].invocations, report.functions[0].max_concurrency), (3, 2));
}

#[test]
fn counts_add_up_to_the_whole_run_and_the_horizon_counts_in_the_last_period() {
    let mut r = Recorder::new(&[0], &[0; 1], &[true; 1], &[3_000_000; 1], 0, Some(10)).unwrap();
    let mut pool = Pool::new(10);
    let mut p = FunctionPool::new(None, 0);
    for t in [0, 5, 9, 10, 31, 40] {
        start(&mut r, &mut pool, &mut p, 0, t, Outcome::Success, 2);
        end(&mut r, &mut pool, &mut p, 0, t, t);
        r.throttled(t, 0, ThrottleReason::ConcurrentInvocationLimitExceeded);
    }
    // read at 40: periods [0,10) [10,20) [20,30) [30,40), the instant 40 in the last
    let t = read(&mut r, 40, std::iter::empty()).unwrap();
    assert_eq!(counts(&t, "function", "Invocations:Sum"), vec![3, 1, 0, 2]);
    assert_eq!(counts(&t, "function", "ThrottlesUnreserved:Sum"), vec![3, 1, 0, 2]);
    assert_eq!(counts(&t, "function", "BilledDuration:Sum"), vec![6, 2, 0, 4]);
    let report = r.report(40, std::iter::empty());
    assert_eq!((report.functions[0].invocations, report.functions[0].throttles, report.functions[0].billed_ms), (6, 6, 12));
    // read later, the instant 40 is in a period of its own
    assert_eq!(counts(&read(&mut r, 55, std::iter::empty()).unwrap(), "function", "Invocations:Sum"), vec![3, 1, 0, 1, 1, 0]);
}

#[test]
fn environments_alive_count_late_deaths_in_their_period() {
    // periods of 10 µs; f0 has 1 provisioned environment; two on-demand ones are born at 2
    // and 4; the first dies at 15 (found at 33), the second at 25 (found by the read)
    let mut r = Recorder::new(&[1], &[0; 1], &[true; 1], &[3_000_000; 1], 0, Some(10)).unwrap();
    r.environment_created(2, 0);
    r.environment_created(4, 0);
    r.environment_gone(33, 0, 2, 15);
    let t = read(&mut r, 40, [(0, 4, 25), (0, 0, Micros::MAX)].into_iter()).unwrap();
    // alive: [0,2) 1, [2,4) 2, [4,15) 3, [15,25) 2, [25,40) 1
    assert_eq!(reals(&t, "function", "EnvironmentsAlive:Average"), [(2.0 + 4.0 + 18.0) / 10.0, (15.0 + 10.0) / 10.0, (10.0 + 5.0) / 10.0, 1.0]);
    assert_eq!(counts(&t, "function", "EnvironmentsAlive:Maximum"), vec![3, 3, 2, 1]);
    assert_eq!(reals(&t, "account", "EnvironmentsAlive:Average")[3], 1.0);
    // provisioned environments alone: alive from time 0, in every period's maximum
    let mut r = Recorder::new(&[2], &[0; 1], &[true; 1], &[3_000_000; 1], 0, Some(10)).unwrap();
    let t = read(&mut r, 25, std::iter::empty()).unwrap();
    assert_eq!(counts(&t, "function", "EnvironmentsAlive:Maximum"), vec![2, 2, 2]);
    assert_eq!(reals(&t, "function", "EnvironmentsAlive:Average"), [2.0, 2.0, 2.0]);
}

#[test]
fn percentiles_come_from_the_period_histograms() {
    let mut r = Recorder::new(&[0, 0], &[0; 2], &[true; 2], &[3_000_000; 2], 0, Some(1_000_000)).unwrap();
    let mut pool = Pool::new(10);
    let mut ps = [FunctionPool::new(None, 0), FunctionPool::new(None, 0)];
    // f0: 100 executions of 1..=100 ms in period 0; f1: one of 1 s
    for i in 1..=100u64 {
        start(&mut r, &mut pool, &mut ps[0], 0, 0, Outcome::Success, i);
        end(&mut r, &mut pool, &mut ps[0], 0, 0, i * 1000);
    }
    start(&mut r, &mut pool, &mut ps[1], 1, 0, Outcome::Success, 1000);
    end(&mut r, &mut pool, &mut ps[1], 1, 0, 999_999);
    let t = read(&mut r, 1_000_000, std::iter::empty()).unwrap();
    let p99 = reals(&t, "function", "Duration:p99");
    let p50 = reals(&t, "function", "Duration:p50");
    assert!((p99[0] - 99.0).abs() <= 0.99 && (p50[0] - 50.0).abs() <= 0.5, "{p50:?} {p99:?}");
    assert!((p99[1] - 999.999).abs() < 1e-9, "clamped to the exact extremes");
    let account = reals(&t, "account", "Duration:p99")[0];
    assert!((account - 99.0).abs() <= 0.99, "{account}"); // rank 100 of 101
    assert_eq!(reals(&t, "account", "Duration:Maximum")[0], 999.999);
}

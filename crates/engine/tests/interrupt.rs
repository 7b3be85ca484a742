//! `Engine::set_interrupt`: a call stopped by the hook leaves the engine where a later call
//! continues as if nothing had stopped.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{config, rows};
use lambda_core_engine::{
    Config, Engine, Error, Micros, QueueConfig, QueueMappingConfig, RecordRows, Rows, SourceConfig, WindowLog, EVENT,
    REQUEST_RESPONSE,
};

/// `n` rows over `n / 2000` seconds, a third of them asynchronous (retried when throttled, so
/// timers run too), into an account of 10: far more than 2^16 events.
fn workload(n: usize) -> (Vec<f64>, Vec<i64>, Vec<f64>, Vec<u8>) {
    let time = (0..n).map(|i| i as f64 / 2000.0).collect();
    let function = vec![0; n];
    let duration = (0..n).map(|i| 0.001 * (i % 7) as f64).collect();
    let kind = (0..n).map(|i| if i % 3 == 0 { EVENT } else { REQUEST_RESPONSE }).collect();
    (time, function, duration, kind)
}

/// A standard queue whose messages fail twice each, beside the workload.
fn with_queue() -> Config {
    let queue = QueueConfig { visibility_timeout_us: 1_000_000, ..QueueConfig::new() };
    let m = QueueMappingConfig { base_us: 1_000, ..QueueMappingConfig::new(0, 0) };
    Config { sources: vec![SourceConfig::Queue(queue)], queue_mappings: vec![m], ..config() }
}

/// Runs the workload (and, with a queue, `n / 2` messages) in calls to `until`, each call
/// repeated while interrupted; the hook stops every `stop_every`-th poll (0: never). Returns
/// everything the calls sent to their sinks, the report, and how many calls were interrupted.
fn run(config: Config, n: usize, untils: &[Option<Micros>], stop_every: u32) -> (String, String, u32) {
    let (time, function, duration, kind) = workload(n);
    let mut e = Engine::new(config).unwrap();
    if stop_every > 0 {
        let mut polls = 0;
        e.set_interrupt(Some(Box::new(move || {
            polls += 1;
            polls % stop_every == 0
        })));
    }
    let r = Rows { invocation_type: Some(&kind), ..rows(&time, &function, &duration) };
    e.submit(&r).unwrap();
    let (rt, key, failures): (Vec<f64>, Vec<i64>, Vec<i64>) = ((0..n / 2).map(|i| i as f64 / 1000.0).collect(), vec![0; n / 2], vec![2; n / 2]);
    if e.n_sources() == 1 {
        let rr = RecordRows { time: &rt, key: &key, failures: Some(&failures) };
        e.submit_records(0, &rr).unwrap();
    }
    let mut log = WindowLog::default();
    let mut interrupted = 0;
    for &until in untils {
        loop {
            let before = e.now();
            match e.advance(until, &mut log) {
                Ok(()) => break,
                Err(Error::Interrupted) => {
                    interrupted += 1;
                    assert!(e.now() >= before && until.is_none_or(|u| e.now() <= u), "the clock stays within the call's span");
                }
                Err(other) => panic!("{other}"),
            }
        }
        if let Some(u) = until {
            assert_eq!(e.now(), u);
        }
    }
    (format!("{log:?}"), format!("{:?} {:?}", e.report(e.horizon(None)), e.mapping_stats()), interrupted)
}

#[test]
fn an_interrupted_advance_then_another_gives_what_one_advance_gives() {
    let n = 200_000;
    let (log, report, never) = run(config(), n, &[None], 0);
    assert_eq!(never, 0);
    for stop_every in [1, 2, 3] {
        let (log_i, report_i, interrupted) = run(config(), n, &[None], stop_every);
        assert!(interrupted >= 1, "stopping every {stop_every} polls stopped {interrupted} times");
        assert!(log_i == log, "the records differ when stopping every {stop_every} polls");
        assert_eq!(report_i, report);
    }
}

#[test]
fn calls_to_an_until_stop_and_resume_at_the_same_events() {
    let n = 200_000;
    let untils = [Some(20_000_000), Some(20_000_000), Some(70_000_000), None];
    let (log, report, _) = run(config(), n, &untils, 0);
    let (log_i, report_i, interrupted) = run(config(), n, &untils, 1);
    assert!(interrupted >= 2);
    assert!(log_i == log);
    assert_eq!(report_i, report);
    // and the same as one call
    assert_eq!(run(config(), n, &[None], 0).1, report);
}

#[test]
fn records_of_an_event_source_resume_where_they_stopped() {
    let n = 100_000;
    let (log, report, _) = run(with_queue(), n, &[None], 0);
    let (log_i, report_i, interrupted) = run(with_queue(), n, &[None], 1);
    assert!(interrupted >= 2);
    assert!(log_i == log);
    assert_eq!(report_i, report);
}

#[test]
fn an_interrupted_step_finishes_its_instant_when_stepped_again() {
    // 200 000 rows at one instant: the one step is interrupted, and stepping on takes the rest
    let n = 200_000;
    let (time, function, duration) = (vec![1.0; n], vec![0; n], vec![0.5; n]);
    let steps = |stop: bool| {
        let mut e = Engine::new(config()).unwrap();
        if stop {
            e.set_interrupt(Some(Box::new(|| true)));
        }
        let r = rows(&time, &function, &duration);
        e.submit(&r).unwrap();
        let (mut log, mut instants, mut interrupted) = (WindowLog::default(), vec![], 0);
        loop {
            match e.step(&mut log) {
                Ok(Some(t)) => instants.push(t),
                Ok(None) => break,
                Err(Error::Interrupted) => {
                    interrupted += 1;
                    assert_eq!(e.now(), 1_000_000);
                }
                Err(other) => panic!("{other}"),
            }
        }
        instants.dedup();
        (format!("{log:?}"), instants, format!("{:?}", e.report(e.horizon(None))), interrupted > 0)
    };
    let (log, instants, report, _) = steps(false);
    let (log_i, instants_i, report_i, interrupted) = steps(true);
    assert!(interrupted);
    assert_eq!((instants_i, report_i), (instants, report));
    assert!(log_i == log);
}

#[test]
fn a_flag_set_by_another_thread_stops_the_call_at_the_next_poll() {
    let flag = Arc::new(AtomicBool::new(false));
    let mut e = Engine::new(config()).unwrap();
    let seen = Arc::clone(&flag);
    e.set_interrupt(Some(Box::new(move || seen.load(Ordering::Relaxed))));
    let (time, function, duration, kind) = workload(400_000);
    let r = Rows { invocation_type: Some(&kind), ..rows(&time, &function, &duration) };
    e.submit(&r).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| flag.store(true, Ordering::Relaxed)).join().unwrap();
    });
    let mut log = WindowLog::default();
    assert_eq!(e.advance(None, &mut log), Err(Error::Interrupted));
    assert!(e.now() < 200_000_000 && log.request.len() < 400_000);
    // removing the hook lets the call finish: every request resolved once
    e.set_interrupt(None);
    e.advance(None, &mut log).unwrap();
    let mut ids = log.request.clone();
    ids.sort_unstable();
    assert!(ids.iter().copied().eq(0..400_000));
}

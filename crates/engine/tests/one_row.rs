//! Single rows (`Engine::submit_one`) give what the same rows in one chunk give, whether they
//! wait together or each is taken before the next comes (the chunk of single rows is reused).

use lambda_core_engine::{AccountConfig, Config, Dist, Engine, FunctionConfig, OneRow, Rows, Scaling, WindowLog};

fn engine() -> Engine {
    let account = AccountConfig { concurrency_limit: 2, unreserved_capacity: 2, scaling: Scaling::Off, requests_per_concurrency: Some(10) };
    Engine::new(Config::new(account, vec![FunctionConfig { init: Dist::Fixed(100_000), ..FunctionConfig::new() }])).unwrap()
}

const ROWS: [(f64, f64); 6] = [(0.0, 0.5), (0.0, 0.5), (0.0, 0.5), (0.2, 0.1), (1.0, 0.0), (1.0, 2.0)];

fn one(t: f64, d: f64) -> OneRow {
    OneRow { time: t, function: 0, duration: d, invocation_type: 0, failures: 0, too_large: false }
}

#[test]
fn single_rows_resolve_as_a_chunk_does() {
    let mut batch = engine();
    let (time, duration): (Vec<f64>, Vec<f64>) = ROWS.iter().copied().unzip();
    let function = vec![0; ROWS.len()];
    batch.submit(&Rows { time: &time, function: &function, duration: &duration, invocation_type: None, failures: None, too_large: None }).unwrap();
    let mut expected = WindowLog::default();
    batch.advance(None, &mut expected).unwrap();

    // all waiting at once
    let mut together = engine();
    for (i, &(t, d)) in ROWS.iter().enumerate() {
        assert_eq!(together.submit_one(one(t, d)).unwrap(), i as u64);
    }
    let mut log = WindowLog::default();
    while together.step(&mut log).unwrap().is_some() {}
    assert_eq!((&log.request, &log.outcome, &log.end), (&expected.request, &expected.outcome, &expected.end));

    // each taken before the next is submitted
    let mut apart = engine();
    let mut log = WindowLog::default();
    for &(t, d) in &ROWS {
        apart.submit_one(one(t, d)).unwrap();
        while apart.peek_time().is_some_and(|next| next <= (t * 1e6) as u64) {
            apart.step(&mut log).unwrap();
        }
    }
    while apart.step(&mut log).unwrap().is_some() {}
    assert_eq!((&log.request, &log.outcome, &log.end), (&expected.request, &expected.outcome, &expected.end));
    assert_eq!(apart.pending_rows(), 0);
}

#[test]
fn a_single_row_is_checked_as_a_chunk_s_row_is() {
    let mut e = engine();
    e.submit_one(one(1.0, 0.1)).unwrap();
    assert!(e.submit_one(one(0.5, 0.1)).is_err());
    assert!(e.submit_one(OneRow { function: 3, ..one(1.0, 0.1) }).is_err());
    assert!(e.submit_one(one(1.0, -1.0)).is_err());
    assert_eq!(e.submit_one(one(1.0, 0.1)).unwrap(), 1);
}

//! A pure-Rust driver of the asynchronous storm benchmark, for profilers:
//!
//!     cargo run --release -p lambda_core_engine --bin storm -- 10000000 [burst mean duration s] [--traced]
//!
//! `n` events: 10 % a burst within 10 s into a function reserved at 100 (1 s each by default), the rest
//! background events over 3 hours on nine unreserved functions (0.2 s each). With `--traced`,
//! the storm runs twice, untraced and then with tracing Active on every function (docs/traces.md, the
//! rows drained once at the end), and prints both throughputs and their ratio.
use std::time::Instant;

use lambda_core_engine::{AccountConfig, Config, Engine, FunctionConfig, NullSink, Rows, Scaling, SplitMix64, EVENT};

fn main() {
    let traced = std::env::args().any(|a| a == "--traced");
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--traced").collect();
    let n: usize = args.first().map_or(10_000_000, |s| s.parse().expect("an event count"));
    let burst_mean_s: f64 = args.get(1).map_or(1.0, |s| s.parse().expect("a mean duration"));
    let mut rng = SplitMix64::new(1); // the engine's own generator: uniform draws on [0, 1)
    let mut uniform = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let burst = n / 10;
    let mut rows: Vec<(f64, i64, f64)> = (0..n)
        .map(|i| {
            if i < burst {
                (uniform() * 10.0, 0, -(1.0 - uniform()).ln() * burst_mean_s)
            } else {
                (uniform() * 3.0 * 3600.0, 1 + (uniform() * 9.0) as i64, -(1.0 - uniform()).ln() * 0.2)
            }
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let time: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let function: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let duration: Vec<f64> = rows.iter().map(|r| r.2).collect();
    let kinds = vec![EVENT; n];
    let rows = Rows { time: &time, function: &function, duration: &duration, invocation_type: Some(&kinds), failures: None, too_large: None };
    let untraced = run(n, &rows, false);
    if traced {
        let with = run(n, &rows, true);
        println!("traced/untraced throughput: {:.3}", with / untraced);
    }
}

/// One storm; returns its throughput in events per second.
fn run(n: usize, rows: &Rows<'_>, traced: bool) -> f64 {
    let f = FunctionConfig { timeout_us: 30_000_000, traced, ..FunctionConfig::new() };
    let mut functions = vec![FunctionConfig { reserved: Some(100), ..f.clone() }];
    functions.extend(std::iter::repeat_n(f, 9));
    let account = AccountConfig {
        concurrency_limit: 1000,
        unreserved_capacity: 900,
        scaling: Scaling::PerFunction { burst: 1000, cost_us: 10_000 },
        // the request-rate limit is on, as `lc.Account` has it by default (§14)
        requests_per_concurrency: Some(10),
    };
    let config = Config::new(account, functions);
    let mut engine = Engine::new(config).expect("valid config");
    let start = Instant::now();
    engine.submit(rows).expect("valid rows");
    engine.advance(None, &mut NullSink).expect("runs");
    let traces = engine.drain_traces();
    let secs = start.elapsed().as_secs_f64();
    let report = engine.report(engine.horizon(None));
    let throttles: u64 = report.functions.iter().map(|f| f.throttles).sum();
    let dropped: u64 = report.functions.iter().map(|f| f.async_events_dropped).sum();
    let label = if traced { "traced" } else { "untraced" };
    println!(
        "{label}: {n} events in {secs:.3} s: {:.2} M events/s ({throttles} throttled attempts, {dropped} dropped, {} traced attempts)",
        n as f64 / secs / 1e6,
        traces.len()
    );
    n as f64 / secs
}

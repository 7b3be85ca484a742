//! A pure-Rust driver of the steady benchmark scenario, for profiling the engine without
//! Python (`perf record`, `valgrind --tool=callgrind`):
//!
//!     cargo run --release -p lambda_core_engine --bin steady -- 2000000 [--record] [--metrics 60]
//!
//! 1000 functions, Poisson arrivals at 7500/s, exponential durations of mean 0.1 s; with
//! `--metrics P`, the per-period series at a period of P seconds (read once at the end, in the
//! timed region).
use std::time::Instant;

use lambda_core_engine::{AccountConfig, Config, Engine, FunctionConfig, NullSink, Rows, Scaling, SplitMix64};

fn main() {
    let n: usize = std::env::args().nth(1).map_or(2_000_000, |s| s.parse().expect("a row count"));
    let args: Vec<String> = std::env::args().collect();
    let record = args.iter().any(|a| a == "--record");
    let period = args.iter().position(|a| a == "--metrics").map(|i| (args[i + 1].parse::<f64>().expect("seconds") * 1e6) as u64);
    let mut rng = SplitMix64::new(1); // the engine's own generator: uniform draws on [0, 1)
    let mut uniform = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let (mut time, mut function, mut duration) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let mut t = 0.0;
    for _ in 0..n {
        t += -(1.0 - uniform()).ln() / 7500.0;
        time.push(t);
        function.push((uniform() * 1000.0) as i64);
        duration.push((-(1.0 - uniform()).ln() * 0.1).min(2.5));
    }
    let account = AccountConfig {
        concurrency_limit: 1000,
        unreserved_capacity: 1000,
        scaling: Scaling::PerFunction { burst: 1000, cost_us: 10_000 },
        // the request-rate limit is on, as `lc.Account` has it by default (§14)
        requests_per_concurrency: Some(10),
    };
    let config = Config { metrics_period_us: period, ..Config::new(account, vec![FunctionConfig::new(); 1000]) };
    let mut engine = Engine::new(config).expect("valid config");
    let rows = Rows { time: &time, function: &function, duration: &duration, invocation_type: None, failures: None, too_large: None };
    let start = Instant::now();
    engine.submit(&rows).expect("valid rows");
    if record {
        let mut table = lambda_core_engine::RowTable::new(0, n, false).expect("room for the table");
        engine.advance(None, &mut table).expect("runs");
        table.finish();
        std::hint::black_box(&table);
    } else {
        engine.advance(None, &mut NullSink).expect("runs");
    }
    let ran = start.elapsed().as_secs_f64();
    if period.is_some() {
        std::hint::black_box(engine.series());
    }
    let secs = start.elapsed().as_secs_f64();
    if period.is_some() {
        println!("run {ran:.3} s, read {:.3} s", secs - ran);
    }
    let report = engine.report(engine.horizon(None));
    let throttles: u64 = report.functions.iter().map(|f| f.throttles).sum();
    println!(
        "{n} invocations in {secs:.3} s: {:.2} M/s (max concurrency {}, throttles {throttles})",
        n as f64 / secs / 1e6,
        report.account.max_concurrency
    );
}

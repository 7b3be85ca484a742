//! Times one reader on one file: `cargo run --release -p lambda_core_traces --example read --
//! FORMAT FILE` (FORMAT: azure2021, azure2019, request-log, cloudwatch-text, cloudwatch-json);
//! prints rows, seconds and rows per second. For profilers, and for the peak-RSS measurement
//! of docs/replay.md (`/usr/bin/time -v`).

use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, format, file] = &args[..] else {
        eprintln!("usage: read FORMAT FILE");
        std::process::exit(2);
    };
    let path = Path::new(file);
    let started = Instant::now();
    let rows = match format.as_str() {
        "azure2021" => lambda_core_traces::azure2021(path).map(|t| t.rows),
        "azure2019" => lambda_core_traces::azure2019_invocations(path).map(|t| t.rows),
        "request-log" => lambda_core_traces::request_log(path).map(|t| t.rows),
        "cloudwatch-text" => lambda_core_traces::cloudwatch::read_text(path).map(|r| r.len()),
        "cloudwatch-json" => lambda_core_traces::cloudwatch::read_json(path).map(|r| r.len()),
        other => {
            eprintln!("unknown format {other}");
            std::process::exit(2);
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    match rows {
        Ok(rows) => println!("{rows} rows in {seconds:.3} s: {:.2e} rows/s", rows as f64 / seconds),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

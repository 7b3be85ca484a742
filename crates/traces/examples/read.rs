//! Times one reader on one file: `cargo run --release -p lambda_core_traces --example read --
//! FORMAT FILE [THREADS]` (FORMAT: azure2021, azure2019, request-log, cloudwatch-text,
//! cloudwatch-json; THREADS: those of the CSV formats, 1 for the one-pass reader, by default as
//! many as `lambda_core_traces::csv::Threads::default`); prints rows, seconds and rows per second. For profilers, and for the peak-RSS measurement
//! of docs/replay.md (`/usr/bin/time -v`).

use std::path::Path;
use std::time::Instant;

use lambda_core_traces::csv::{read_csv_on, Threads};
use lambda_core_traces::formats;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (format, file, threads) = match &args[..] {
        [_, format, file] => (format, file, Threads::default()),
        [_, format, file, n] if n.parse::<usize>().is_ok_and(|n| n > 0) => {
            (format, file, Threads { threads: n.parse().expect("a number"), ..Threads::default() })
        }
        _ => {
            eprintln!("usage: read FORMAT FILE [THREADS]");
            std::process::exit(2);
        }
    };
    let path = Path::new(file);
    let csv = |specs, matrix| read_csv_on(path, specs, matrix, threads).map(|t| t.rows);
    let started = Instant::now();
    let rows = match format.as_str() {
        "azure2021" => csv(formats::AZURE2021, None),
        "azure2019" => csv(formats::AZURE2019_INVOCATIONS, Some(formats::AZURE2019_FIRST_MINUTE)),
        "request-log" => csv(formats::REQUEST_LOG, None),
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

//! Hand-worked cases of stream event sources (§7): polls on the grid, batches, retries and
//! bisection, through the public API.

mod common;

use common::{config, record, run_records};
use lambda_core_engine::{Engine, MappingConfig, RecordOutcome, SourceConfig, StreamConfig, StreamKind};

fn stream_engine(kind: StreamKind, shards: u32, mapping: impl FnOnce(MappingConfig) -> MappingConfig) -> Engine {
    let m = MappingConfig { batch_size: 10, base_us: 100_000, ..MappingConfig::new(0, 0) };
    let source = SourceConfig::Stream(StreamConfig { kind, shards, retention_us: 86_400_000_000 });
    Engine::new(lambda_core_engine::Config { sources: vec![source], mappings: vec![mapping(m)], ..config() }).unwrap()
}

#[test]
fn records_wait_for_the_next_poll_and_go_in_one_batch() {
    let mut e = stream_engine(StreamKind::Kinesis, 1, |m| m);
    let log = run_records(&mut e, &[(0.5, 1, 0), (0.6, 2, 0)]);
    // Kinesis polls every second: the poll at 1 s takes both; 0.1 s per batch
    assert_eq!(record(&log, 0), (RecordOutcome::Processed as u8, 1, 1, 1.0, 1.1));
    assert_eq!(record(&log, 1), (RecordOutcome::Processed as u8, 1, 1, 1.0, 1.1));
    let s = &e.mapping_stats()[0];
    assert_eq!((s.invocations, s.batches, s.records_processed), (1, 1, 2));
    assert_eq!(s.max_iterator_age_us, 400_000); // the newest record, 0.4 s old at 1 s
    assert_eq!(e.records_held(), 0);
}

#[test]
fn dynamodb_streams_poll_four_times_a_second() {
    let mut e = stream_engine(StreamKind::DynamoDb, 1, |m| m);
    let log = run_records(&mut e, &[(0.3, 7, 0)]);
    assert_eq!(record(&log, 0), (RecordOutcome::Processed as u8, 1, 1, 0.5, 0.6));
}

#[test]
fn a_failed_batch_is_retried_after_one_second() {
    let mut e = stream_engine(StreamKind::Kinesis, 1, |m| MappingConfig { max_retry_attempts: Some(1), ..m });
    let log = run_records(&mut e, &[(0.0, 1, 1)]);
    // fails at 1 s–1.1 s; retry 1 s after the end, at 2.1 s, succeeds
    assert_eq!(record(&log, 0), (RecordOutcome::Processed as u8, 2, 2, 2.1, 2.2));
    let s = &e.mapping_stats()[0];
    assert_eq!((s.invocations, s.retries, s.records_processed), (2, 1, 1));
}

#[test]
fn retries_exhausted_go_to_the_on_failure_destination() {
    let mut e = stream_engine(StreamKind::Kinesis, 1, |m| MappingConfig { max_retry_attempts: Some(0), on_failure: Some(0), ..m });
    let log = run_records(&mut e, &[(0.0, 1, 1)]);
    assert_eq!(record(&log, 0), (RecordOutcome::RetryAttemptsExhausted as u8, 1, 1, 1.0, 1.1));
    let d = &e.drain_destinations()[0];
    assert_eq!((d.stream.clone(), d.condition.clone(), d.time.clone()), (vec![0], vec![RecordOutcome::RetryAttemptsExhausted as u8], vec![1.1]));
    assert_eq!(e.mapping_stats()[0].on_failure_records, 1);
}

#[test]
fn bisection_splits_a_failing_batch_without_using_a_retry() {
    let mut e = stream_engine(StreamKind::Kinesis, 1, |m| MappingConfig { bisect: true, max_retry_attempts: Some(0), ..m });
    // two records on one shard: the second fails once
    let log = run_records(&mut e, &[(0.0, 1, 0), (0.0, 2, 1)]);
    // [r0 r1] fails at 1.0–1.1; the halves go at once, in order: [r0] at 1.1–1.2, then [r1]
    // at 1.2–1.3, which succeeds (it fails only on its first invocation)
    assert_eq!(record(&log, 0), (RecordOutcome::Processed as u8, 2, 2, 1.1, 1.2));
    assert_eq!(record(&log, 1), (RecordOutcome::Processed as u8, 2, 2, 1.2, 1.3));
    let s = &e.mapping_stats()[0];
    assert_eq!((s.invocations, s.batches, s.retries), (3, 3, 0));
}

//! Hand-worked cases of queue event sources (§8): receives, visibility timeouts, the
//! dead-letter queue and FIFO groups, through the public API.

mod common;

use common::{config, record, run_records};
use lambda_core_engine::{Engine, QueueConfig, QueueMappingConfig, RecordOutcome, SourceConfig};

fn queue_engine(fifo: bool, max_receive_count: Option<u32>, batch_size: u32) -> Engine {
    let queue = QueueConfig { fifo, visibility_timeout_us: 30_000_000, max_receive_count, retention_us: 345_600_000_000 };
    let m = QueueMappingConfig {
        queue: 0,
        function: 0,
        batch_size,
        window_us: 0,
        maximum_concurrency: None,
        legacy: false,
        base_us: 100_000,
        per_record_us: 0,
    };
    let sources = vec![SourceConfig::Queue(queue)];
    Engine::new(lambda_core_engine::Config { sources, queue_mappings: vec![m], ..config() }).unwrap()
}

#[test]
fn a_message_is_received_at_once_and_deleted_after_success() {
    let mut e = queue_engine(false, None, 10);
    let log = run_records(&mut e, &[(0.0, 0, 0)]);
    assert_eq!(record(&log, 0), (RecordOutcome::Processed as u8, 1, 1, 0.0, 0.1));
    let s = &e.mapping_stats()[0];
    assert_eq!((s.invocations, s.batches, s.records_processed, s.max_slots), (1, 1, 1, 5));
}

#[test]
fn a_failed_message_comes_back_when_its_visibility_timeout_ends() {
    let mut e = queue_engine(false, None, 10);
    let log = run_records(&mut e, &[(0.0, 0, 1)]);
    // received at 0 s, fails at 0.1 s, visible again at 30 s
    assert_eq!(record(&log, 0), (RecordOutcome::Processed as u8, 2, 2, 30.0, 30.1));
    assert_eq!(e.mapping_stats()[0].retries, 1);
}

#[test]
fn a_message_received_max_receive_count_times_is_dead_lettered() {
    let mut e = queue_engine(true, Some(1), 10);
    let log = run_records(&mut e, &[(0.0, 9, 5)]);
    assert_eq!(record(&log, 0), (RecordOutcome::DeadLettered as u8, 1, 1, 0.0, 0.1));
    let s = &e.mapping_stats()[0];
    assert_eq!((s.on_failure_records, s.records_failed), (1, 1));
}

#[test]
fn a_fifo_group_is_locked_while_its_batch_runs() {
    // batch size 1: group 1's second message waits for its first; group 2's goes at once
    let mut e = queue_engine(true, None, 1);
    let log = run_records(&mut e, &[(0.0, 1, 0), (0.0, 1, 0), (0.0, 2, 0)]);
    let by_id = |id: u64| record(&log, log.records.id.iter().position(|&i| i == id).unwrap());
    assert_eq!(by_id(0), (RecordOutcome::Processed as u8, 1, 1, 0.0, 0.1));
    assert_eq!(by_id(1), (RecordOutcome::Processed as u8, 1, 1, 0.1, 0.2));
    assert_eq!(by_id(2), (RecordOutcome::Processed as u8, 1, 1, 0.0, 0.1));
}

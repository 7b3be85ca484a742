//! Hand-worked cases of queue event sources (§8): receives, visibility timeouts, the
//! dead-letter queue and FIFO groups, through the public API.

mod common;

use common::{config, record, run_records};
use lambda_core_engine::{Engine, QueueConfig, QueueMappingConfig, RecordOutcome, SourceConfig};

fn queue_engine(fifo: bool, max_receive_count: Option<u32>, batch_size: u32) -> Engine {
    let queue = QueueConfig { fifo, max_receive_count, ..QueueConfig::new() };
    let m = QueueMappingConfig { batch_size, base_us: 100_000, ..QueueMappingConfig::new(0, 0) };
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

#[test]
fn fifo_groups_are_held_only_while_they_hold_messages() {
    // 10 000 messages, each its own group, one every 0.05 s for 0.1 s each: at most a few
    // groups hold messages at once, so a few slots serve all of them, and none is left after
    let mut e = queue_engine(true, None, 10);
    let n = 10_000;
    let records: Vec<(f64, i64, i64)> = (0..n).map(|i| (i as f64 * 0.05, i as i64 * 7919, 0)).collect();
    let log = run_records(&mut e, &records);
    assert_eq!(log.records.id.len(), n);
    let (live, slots) = e.fifo_groups();
    assert_eq!(live, 0, "every group drained");
    assert!(slots <= 4, "{slots} slots for at most 2 groups alive at once");
}

#[test]
fn a_drained_group_id_that_comes_back_is_served_as_a_new_group() {
    // group 1 drains (0 → 0.1 s); its id comes back at 1 s, after group 2's at 0.5 s took its
    // slot; retries and the lock still follow each group, and both drain
    let mut e = queue_engine(true, None, 1);
    let log = run_records(&mut e, &[(0.0, 1, 0), (0.5, 2, 1), (1.0, 1, 0), (1.0, 1, 0)]);
    let by_id = |id: u64| record(&log, log.records.id.iter().position(|&i| i == id).unwrap());
    assert_eq!(by_id(0), (RecordOutcome::Processed as u8, 1, 1, 0.0, 0.1));
    assert_eq!(by_id(1), (RecordOutcome::Processed as u8, 2, 2, 30.5, 30.6));
    assert_eq!(by_id(2), (RecordOutcome::Processed as u8, 1, 1, 1.0, 1.1));
    assert_eq!(by_id(3), (RecordOutcome::Processed as u8, 1, 1, 1.1, 1.2));
    assert_eq!(e.fifo_groups(), (0, 2));
}

#[test]
fn a_mapped_queue_needs_a_visibility_timeout_of_at_least_one_second() {
    // below 1 s, a busy function's throttled batches would come back ever more often; an
    // unmapped queue is never received from, so AWS's 0 is fine there
    let build = |visibility_timeout_us: u64, mapped: bool| {
        let queue = QueueConfig { visibility_timeout_us, ..QueueConfig::new() };
        let queue_mappings = if mapped { vec![QueueMappingConfig::new(0, 0)] } else { vec![] };
        Engine::new(lambda_core_engine::Config { sources: vec![SourceConfig::Queue(queue)], queue_mappings, ..config() })
    };
    assert!(build(1_000_000, true).is_ok());
    assert!(build(0, false).is_ok());
    for us in [0, 1, 999_999] {
        let Err(lambda_core_engine::Error::Config(text)) = build(us, true) else { panic!("{us} µs accepted") };
        assert!(text.contains("visibility timeout must be 1000000–"), "{text}");
    }
}

//! Stream event sources (§7): Kinesis and DynamoDB streams, their mappings, and the lanes
//! that carry each shard's records to the function in order — state and verbs.
//!
//! A record's shard and lane come from its key's hash (`shard_and_lane`). Each lane is a FIFO of
//! records with at most one batch in flight: the current batch is the first `current.len`
//! records of the FIFO, and the halves a bisection left to run next are the records right
//! behind it (halves stay contiguous and in order, so a batch never needs its own list). Lanes
//! poll, gather, invoke their batch through the same admission as any synchronous request, and
//! retry, bisect or give up when it fails.
//!
//! A lane has at most one live timer (`Timer::Lane`: its poll, its window or its retry, as its
//! state says); a window made pointless by a batch that filled first stays in the wheel and is
//! recognised when it fires (`Lane::stale_windows`).

use std::collections::VecDeque;

use super::EventSource;
use crate::core::executions::Owner;
use crate::core::requests::throttle_backoff as backoff;
use crate::core::{Core, SourceKind};
use crate::model::codes::{Outcome, RecordOutcome};
use crate::model::config::{MappingConfig, SourceConfig};
use crate::model::error::{try_reserve, Error};
use crate::model::input::Entry;
use crate::model::output::{Sink, StreamRecord};
use crate::primitives::time::{Micros, NEVER};
use crate::primitives::grow::Grow;

/// The stream mappings and their lanes (mapping-major, then shard, then lane).
#[derive(Debug, Default)]
pub(crate) struct Streams {
    mappings: Vec<Mapping>,
    lanes: Vec<Lane>,
}

/// The SplitMix64 finaliser of a key (its two's-complement bits).
#[inline(always)]
pub(crate) fn key_hash(key: i64) -> u64 {
    let mut z = (key as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key's shard and lane, as Kinesis maps a key's hash onto the shards' equal hash-key ranges:
/// `shard = ⌊h·S / 2^64⌋`, and the lane splits the shard's range again by the position of `h`
/// within it: `lane = ⌊((h·S) mod 2^64)·P / 2^64⌋`. (Multiplications, not divisions: this runs
/// once per record.)
#[inline(always)]
pub fn shard_and_lane(key: i64, shards: u32, parallelization_factor: u32) -> (u32, u32) {
    let product = key_hash(key) as u128 * shards as u128;
    let shard = (product >> 64) as u32;
    let lane = ((product as u64 as u128 * parallelization_factor as u128) >> 64) as u32;
    (shard, lane)
}

/// A batch: the `len` records at the head of its lane (after the batches ahead of it).
/// Its records were always invoked together, so their attempts, start and end are the batch's.
/// `Batch::default()` is an empty batch never invoked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch {
    pub len: u32,
    /// Invocations of these records so far.
    pub attempts: u32,
    /// The largest `failures` among its records: an invocation fails while `attempts` (before
    /// it) is below this.
    pub max_failures: u32,
    /// Retries used after function errors, and throttles in a row (each backs off).
    pub retries: u32,
    pub throttles: u32,
    /// The last invocation's start and end (`NEVER` before the first).
    pub start: Micros,
    pub end: Micros,
}

impl Default for Batch {
    fn default() -> Self {
        Batch { len: 0, attempts: 0, max_failures: 0, retries: 0, throttles: 0, start: NEVER, end: NEVER }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LaneState {
    /// Nothing to do and no timer: a record arriving at t wakes it for a poll at the first poll
    /// instant k·I after t.
    Dormant,
    /// Records waiting; a poll is scheduled.
    Polling,
    /// Gathering records for the batching window (its deadline is `window_deadline`).
    Gathering,
    /// A batch in flight.
    Busy,
    /// A batch waiting for its retry (after a function error or a throttle).
    Waiting,
}

#[derive(Debug)]
pub(crate) struct Lane {
    pub mapping: u32,
    pub state: LaneState,
    /// Records not yet resolved, in arrival order; the current batch and bisection halves are
    /// at its head.
    pub fifo: VecDeque<Entry>,
    /// The batch in flight or waiting (`len` 0: none).
    pub current: Batch,
    /// Bisection halves waiting behind `current`, the next one last.
    pub halves: Vec<Batch>,
    pub window_deadline: Micros,
    /// Deadlines of batching-window timers that lost their purpose (the batch filled first);
    /// a lane timer firing at the front deadline is one of them. (They fire before any live
    /// timer of the lane at the same instant: they were scheduled earlier.)
    pub stale_windows: VecDeque<Micros>,
}

impl Lane {
    pub fn new(mapping: u32) -> Self {
        Lane {
            mapping,
            state: LaneState::Dormant,
            fifo: VecDeque::new(),
            current: Batch::default(),
            halves: Vec::new(),
            window_deadline: 0,
            stale_windows: VecDeque::new(),
        }
    }

    /// The largest `failures` among the records at FIFO positions `from..to` (a batch's).
    pub fn max_failures(&self, from: u32, to: u32) -> u32 {
        self.fifo.range(from as usize..to as usize).map(|e| e.failures).max().unwrap_or(0)
    }
}

/// A mapping's settings and state.
#[derive(Debug)]
pub(crate) struct Mapping {
    pub config: MappingConfig,
    pub poll_us: Micros,
    pub retention_us: Micros,
    pub shards: u32,
    /// Its lanes are `lanes[first_lane .. first_lane + shards × P]`, shard-major.
    pub first_lane: u32,
    pub running: u32,
}

/// Lanes of stream mappings, from the configuration (mapping-major, then shard, then lane).
/// Every lane is reserved before any is made, so a configuration with more lanes than memory
/// holds is an `Error::OutOfMemory`, not an abort.
pub(super) fn build(sources: &[SourceConfig], configs: Vec<MappingConfig>) -> Result<Streams, Error> {
    let shards_of = |c: &MappingConfig| match &sources[c.stream as usize] {
        SourceConfig::Stream(s) => s.shards,
        _ => unreachable!("checked by Config::check"),
    };
    let n_lanes: u64 = configs.iter().map(|c| u64::from(shards_of(c)) * u64::from(c.parallelization_factor)).sum();
    let mut lanes = Vec::new();
    try_reserve(&mut lanes, n_lanes, "stream lanes")?;
    let mut mappings = Vec::new();
    try_reserve(&mut mappings, configs.len() as u64, "stream mappings")?;
    for (i, config) in configs.into_iter().enumerate() {
        let SourceConfig::Stream(stream) = &sources[config.stream as usize] else { unreachable!("checked by Config::check") };
        let shards = stream.shards;
        let first_lane = lanes.len() as u32;
        for _ in 0..shards {
            for _ in 0..config.parallelization_factor {
                lanes.push(Lane::new(i as u32));
            }
        }
        mappings.push(Mapping {
            poll_us: stream.kind.poll_interval_us(),
            retention_us: stream.retention_us,
            shards,
            first_lane,
            running: 0,
            config,
        });
    }
    Ok(Streams { mappings, lanes })
}

impl Streams {
    /// A record arrives on its lane. Returns whether it scheduled anything.
    #[inline]
    fn arrive_record<S: Sink>(&mut self, core: &mut Core, m: u32, entry: Entry, key: i64, sink: &mut S) -> bool {
        let mapping = &self.mappings[m as usize];
        let pf = mapping.config.parallelization_factor;
        let (shard, lane) = shard_and_lane(key, mapping.shards, pf);
        let li = mapping.first_lane + shard * pf + lane;
        let (poll_us, batch_size) = (mapping.poll_us, mapping.config.batch_size);
        let l = &mut self.lanes[li as usize];
        l.fifo.grow(entry, "stream records held by lanes");
        match l.state {
            LaneState::Dormant => {
                // polls happen on the grid k·I: the first one after the arrival sees it
                l.state = LaneState::Polling;
                core.timers.schedule((entry.time / poll_us + 1) * poll_us, Self::timer(li));
                true
            }
            LaneState::Gathering if l.fifo.len() >= batch_size as usize => {
                // the batch is full before its window ends: that timer is now stale
                let deadline = l.window_deadline;
                l.stale_windows.grow(deadline, "timers and executions in flight");
                self.dispatch(core, li, entry.time, sink);
                true
            }
            _ => false,
        }
    }

    /// A lane's timer fired: its poll, its window or its retry (or a stale window).
    fn lane_timer<S: Sink>(&mut self, core: &mut Core, li: u32, now: Micros, sink: &mut S) {
        let l = &mut self.lanes[li as usize];
        if l.stale_windows.front() == Some(&now) {
            l.stale_windows.pop_front();
            return;
        }
        match l.state {
            LaneState::Polling => self.begin(core, li, now, sink),
            LaneState::Gathering => self.dispatch(core, li, now, sink),
            LaneState::Waiting => self.invoke(core, li, now, sink),
            LaneState::Dormant | LaneState::Busy => debug_assert!(false, "a lane timer in state {:?}", l.state),
        }
    }

    /// The lane has records and nothing in flight: form a batch now, or gather for the window.
    fn begin<S: Sink>(&mut self, core: &mut Core, li: u32, now: Micros, sink: &mut S) {
        let l = &self.lanes[li as usize];
        let c = &self.mappings[l.mapping as usize].config;
        if c.window_us == 0 || l.fifo.len() >= c.batch_size as usize {
            return self.dispatch(core, li, now, sink);
        }
        let deadline = now + c.window_us;
        let l = &mut self.lanes[li as usize];
        l.state = LaneState::Gathering;
        l.window_deadline = deadline;
        core.timers.schedule(deadline, Self::timer(li));
    }

    /// Forms a new batch from the head of the FIFO (records past the retention are lost first)
    /// and invokes it.
    fn dispatch<S: Sink>(&mut self, core: &mut Core, li: u32, now: Micros, sink: &mut S) {
        let m = self.lanes[li as usize].mapping as usize;
        let retention = self.mappings[m].retention_us;
        while let Some(e) = self.lanes[li as usize].fifo.front().copied() {
            if e.time.saturating_add(retention) > now {
                break;
            }
            self.lanes[li as usize].fifo.pop_front();
            Self::resolve_record(core, self.mappings[m].config.stream, e.id, RecordOutcome::Expired, &Batch::default(), now, sink);
        }
        let batch_size = self.mappings[m].config.batch_size as usize;
        let l = &mut self.lanes[li as usize];
        if l.fifo.is_empty() {
            l.state = LaneState::Dormant;
            return;
        }
        let len = batch_size.min(l.fifo.len()) as u32;
        l.current = Batch { len, max_failures: l.max_failures(0, len), ..Batch::default() };
        core.metrics.batches(now, self.mappings[m].config.stream, 1, u64::from(len));
        self.invoke(core, li, now, sink);
    }

    /// One synchronous invocation of the lane's current batch (§4 admission). Its records past
    /// the retention are lost first: a batch retried without limit ends when they expire.
    fn invoke<S: Sink>(&mut self, core: &mut Core, li: u32, now: Micros, sink: &mut S) {
        let m = self.lanes[li as usize].mapping as usize;
        let retention = self.mappings[m].retention_us;
        let mut expired = false;
        loop {
            let l = &mut self.lanes[li as usize];
            let batch = l.current;
            match l.fifo.front() {
                Some(e) if batch.len > 0 && e.time.saturating_add(retention) <= now => {
                    let e = l.fifo.pop_front().expect("a front");
                    l.current.len -= 1;
                    expired = true;
                    Self::resolve_record(core, self.mappings[m].config.stream, e.id, RecordOutcome::Expired, &batch, now, sink);
                }
                _ => break,
            }
        }
        let l = &mut self.lanes[li as usize];
        if l.current.len == 0 {
            return self.next_batch(core, li, now, sink);
        }
        if expired {
            l.current.max_failures = l.max_failures(0, l.current.len);
        }
        let function = self.mappings[m].config.function;
        match core.admit(function, now) {
            Err(refusal) => {
                core.refused(now, function, refusal);
                let l = &mut self.lanes[li as usize];
                core.metrics.batch_throttled(now, self.mappings[m].config.stream, u64::from(l.current.len));
                l.current.throttles += 1;
                l.state = LaneState::Waiting;
                let at = now.saturating_add(backoff(l.current.throttles));
                core.timers.schedule(at, Self::timer(li));
            }
            Ok(admitted) => {
                let l = &mut self.lanes[li as usize];
                l.state = LaneState::Busy;
                let b = l.current;
                let last_arrival = l.fifo[b.len as usize - 1].time;
                let c = &self.mappings[m].config;
                let duration = c.base_us.saturating_add(c.per_record_us.saturating_mul(u64::from(b.len)));
                let fails = b.max_failures > b.attempts;
                let end = core.start(Owner::Source(Self::source_ref(li)), admitted, function, duration, fails, false, now);
                let l = &mut self.lanes[li as usize];
                l.current = Batch { throttles: 0, attempts: b.attempts + 1, start: now, end, ..b };
                let mapping = &mut self.mappings[m];
                mapping.running += 1;
                // IteratorAge: how old the batch's last record is when it is invoked
                core.metrics.batch_invoked(now, mapping.config.stream, mapping.running, Some(now - last_arrival), u64::from(b.len));
            }
        }
    }

    /// A batch's invocation ended: the records are processed, or the batch is bisected,
    /// retried or given up (§7).
    fn batch_end<S: Sink>(&mut self, core: &mut Core, li: u32, outcome: Outcome, now: Micros, sink: &mut S) {
        let m = self.lanes[li as usize].mapping as usize;
        self.mappings[m].running -= 1;
        if outcome == Outcome::Success {
            return self.finish_batch(core, li, RecordOutcome::Processed, now, sink);
        }
        let c = &self.mappings[m].config;
        let (bisect, max_retry, max_age) = (c.bisect, c.max_retry_attempts, c.max_record_age_us);
        let l = &mut self.lanes[li as usize];
        let b = l.current;
        core.metrics.batch_failed(now, c.stream, u64::from(b.len));
        if bisect && b.len > 1 {
            // two batches, in order, neither using a retry
            let first = b.len.div_ceil(2);
            let half = |len, max_failures| Batch { len, max_failures, retries: 0, throttles: 0, ..b };
            l.halves.grow(half(b.len - first, l.max_failures(first, b.len)), "stream batches");
            l.current = half(first, l.max_failures(0, first));
            core.metrics.batches(now, self.mappings[m].config.stream, 2, 0);
            return self.invoke(core, li, now, sink);
        }
        l.current.retries += 1;
        let retries = l.current.retries;
        let oldest = l.fifo[0].time;
        core.metrics.batch_retried(now, self.mappings[m].config.stream);
        let wait = backoff(retries);
        if max_retry.is_some_and(|r| retries > r) {
            self.finish_batch(core, li, RecordOutcome::RetryAttemptsExhausted, now, sink)
        } else if max_age.is_some_and(|a| now.saturating_add(wait) - oldest > a) {
            self.finish_batch(core, li, RecordOutcome::RecordAgeExceeded, now, sink)
        } else {
            self.lanes[li as usize].state = LaneState::Waiting;
            core.timers.schedule(now.saturating_add(wait), Self::timer(li));
        }
    }

    /// The current batch's records leave with `outcome` (failures go to the on-failure
    /// destination); the lane moves on.
    fn finish_batch<S: Sink>(&mut self, core: &mut Core, li: u32, outcome: RecordOutcome, now: Micros, sink: &mut S) {
        let m = self.lanes[li as usize].mapping as usize;
        let b = self.lanes[li as usize].current;
        let on_failure = if outcome == RecordOutcome::Processed { None } else { self.mappings[m].config.on_failure };
        let stream = self.mappings[m].config.stream;
        let keep = sink.keeps_records();
        for _ in 0..b.len {
            let e = self.lanes[li as usize].fifo.pop_front().expect("the batch's records");
            Self::resolve_record(core, self.mappings[m].config.stream, e.id, outcome, &b, now, sink);
            if let Some(d) = on_failure {
                core.metrics.on_failure_record(now, stream);
                core.destinations[d as usize].push_record(keep, stream, e.id, outcome, b.attempts, now);
            }
        }
        self.next_batch(core, li, now, sink);
    }

    /// The current batch is done: the next bisection half, a new batch, or sleep.
    fn next_batch<S: Sink>(&mut self, core: &mut Core, li: u32, now: Micros, sink: &mut S) {
        let l = &mut self.lanes[li as usize];
        l.current = Batch::default();
        if let Some(half) = l.halves.pop() {
            l.current = half; // already formed: it goes at once
            return self.invoke(core, li, now, sink);
        }
        if l.fifo.is_empty() {
            l.state = LaneState::Dormant;
        } else {
            self.begin(core, li, now, sink);
        }
    }

    #[inline]
    fn resolve_record<S: Sink>(core: &mut Core, stream: u32, id: u64, outcome: RecordOutcome, b: &Batch, now: Micros, sink: &mut S) {
        core.metrics.record_resolved(now, stream, outcome);
        core.resolved_at(now);
        let attempts = b.attempts;
        sink.record(&StreamRecord { stream, id, outcome, attempts, receives: attempts, start: b.start, end: b.end });
    }

    /// Reports every record still in a lane as pending, with the attempts, start and end of
    /// its batch's invocations so far (an end after now is not reported).
    fn report_pending_lanes<S: Sink>(&self, now: Micros, sink: &mut S) {
        for l in &self.lanes {
            let stream = self.mappings[l.mapping as usize].config.stream;
            let mut batches = std::iter::once(l.current).chain(l.halves.iter().rev().copied()).filter(|b| b.len > 0);
            let mut batch = batches.next();
            let mut left = batch.map_or(0, |b| b.len);
            for e in &l.fifo {
                while batch.is_some() && left == 0 {
                    batch = batches.next();
                    left = batch.map_or(0, |b| b.len);
                }
                let b = if left > 0 {
                    left -= 1;
                    batch.expect("a batch")
                } else {
                    Batch::default()
                };
                let end = if b.end > now { NEVER } else { b.end };
                let attempts = b.attempts;
                sink.record(&StreamRecord { stream, id: e.id, outcome: RecordOutcome::Pending, attempts, receives: attempts, start: b.start, end });
            }
        }
    }
}

impl EventSource for Streams {
    const KIND: SourceKind = super::STREAM;

    #[inline]
    fn arrive<S: Sink>(&mut self, core: &mut Core, m: u32, entry: Entry, key: i64, sink: &mut S) -> bool {
        self.arrive_record(core, m, entry, key, sink)
    }

    fn fire<S: Sink>(&mut self, core: &mut Core, lane: u32, now: Micros, sink: &mut S) {
        self.lane_timer(core, lane, now, sink)
    }

    fn batch_end<S: Sink>(&mut self, core: &mut Core, lane: u32, outcome: Outcome, now: Micros, sink: &mut S) {
        self.batch_end(core, lane, outcome, now, sink)
    }

    fn waiting(&self, m: u32) -> (u32, bool) {
        let m = &self.mappings[m as usize];
        let lanes = &self.lanes[m.first_lane as usize..][..(m.shards * m.config.parallelization_factor) as usize];
        (m.config.function, lanes.iter().any(|l| !l.fifo.is_empty()))
    }

    fn report_pending<S: Sink>(&self, now: Micros, sink: &mut S) {
        self.report_pending_lanes(now, sink)
    }

    fn held(&self) -> u64 {
        self.lanes.iter().map(|l| l.fifo.len() as u64).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_matches_the_documented_formula() {
        // SplitMix64 seeded with 0: its first output is the finaliser of 0
        assert_eq!(key_hash(0), 0xE220_A839_7B1D_CDAF);
        for key in [0i64, 1, -1, 42, i64::MAX, i64::MIN] {
            let h = key_hash(key) as u128;
            let (s, l) = shard_and_lane(key, 7, 3);
            assert_eq!(s as u128, (h * 7) >> 64);
            assert_eq!(l as u128, (((h * 7) as u64) as u128 * 3) >> 64);
            assert!(s < 7 && l < 3);
        }
    }

    #[test]
    fn shards_are_balanced() {
        let mut count = [0u32; 10];
        for key in 0..100_000 {
            count[shard_and_lane(key, 10, 1).0 as usize] += 1;
        }
        assert!(count.iter().all(|&c| (9_500..10_500).contains(&c)), "{count:?}");
    }
}

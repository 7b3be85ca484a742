//! The engine's verbs for stream event-source mappings (§7): records arrive into lanes, lanes
//! poll, gather, invoke their batch through the same admission as any synchronous request,
//! and retry, bisect or give up when it fails. A child module of `engine`.
//!
//! Timers of lanes share the engine's timer wheel with the retries of requests (one FIFO order
//! for §1 class 3): their payload is the lane index with `sources::LANE_TIMER` set. A lane has at most
//! one live timer (its poll, its window or its retry, as its state says); a window made
//! pointless by a batch that filled first stays in the wheel and is recognised when it fires
//! (`Lane::stale_windows`).

use super::sources::LANE_TIMER;
use super::Engine;
use crate::config::{MappingConfig, SourceConfig};
use crate::invocations::throttle_backoff as backoff;
use crate::results::{RecordOutcome, Sink, StreamRecord};
use crate::shards::{shard_and_lane, Batch, Entry, Lane, LaneState, Mapping, MappingStats};
use crate::time::Micros;

/// `Execution::pending` of a lane's batch; its `request` is the lane index.
pub(super) const BATCH: u32 = u32::MAX - 2;

/// Lanes of stream mappings, from the configuration (mapping-major, then shard, then lane).
pub(super) fn build(sources: &[SourceConfig], configs: Vec<MappingConfig>) -> (Vec<Mapping>, Vec<Lane>) {
    let mut mappings = Vec::with_capacity(configs.len());
    let mut lanes = Vec::new();
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
            stats: MappingStats::default(),
            config,
        });
    }
    (mappings, lanes)
}

impl Engine {
    /// A record arrives on its lane. Returns whether it scheduled anything.
    #[inline]
    pub(super) fn arrive_record<S: Sink>(&mut self, m: u32, entry: Entry, key: i64, sink: &mut S) -> bool {
        let mapping = &self.mappings[m as usize];
        let pf = mapping.config.parallelization_factor;
        let (shard, lane) = shard_and_lane(key, mapping.shards, pf);
        let li = mapping.first_lane + shard * pf + lane;
        let (poll_us, batch_size) = (mapping.poll_us, mapping.config.batch_size);
        let l = &mut self.lanes[li as usize];
        l.fifo.push_back(entry);
        match l.state {
            LaneState::Dormant => {
                // polls happen on the grid k·I: the first one after the arrival sees it
                l.state = LaneState::Polling;
                self.timers.schedule((entry.time / poll_us + 1) * poll_us, LANE_TIMER | li);
                true
            }
            LaneState::Gathering if l.fifo.len() >= batch_size as usize => {
                // the batch is full before its window ends: that timer is now stale
                let deadline = l.window_deadline;
                l.stale_windows.push_back(deadline);
                self.dispatch(li, entry.time, sink);
                true
            }
            _ => false,
        }
    }

    /// A lane's timer fired: its poll, its window or its retry (or a stale window).
    pub(super) fn lane_timer<S: Sink>(&mut self, li: u32, now: Micros, sink: &mut S) {
        let l = &mut self.lanes[li as usize];
        if l.stale_windows.front() == Some(&now) {
            l.stale_windows.pop_front();
            return;
        }
        match l.state {
            LaneState::Polling => self.begin(li, now, sink),
            LaneState::Gathering => self.dispatch(li, now, sink),
            LaneState::Waiting => self.invoke(li, now, sink),
            LaneState::Dormant | LaneState::Busy => debug_assert!(false, "a lane timer in state {:?}", l.state),
        }
    }

    /// The lane has records and nothing in flight: form a batch now, or gather for the window.
    fn begin<S: Sink>(&mut self, li: u32, now: Micros, sink: &mut S) {
        let l = &self.lanes[li as usize];
        let c = &self.mappings[l.mapping as usize].config;
        if c.window_us == 0 || l.fifo.len() >= c.batch_size as usize {
            return self.dispatch(li, now, sink);
        }
        let deadline = now + c.window_us;
        let l = &mut self.lanes[li as usize];
        l.state = LaneState::Gathering;
        l.window_deadline = deadline;
        self.timers.schedule(deadline, LANE_TIMER | li);
    }

    /// Forms a new batch from the head of the FIFO (records past the retention are lost first)
    /// and invokes it.
    fn dispatch<S: Sink>(&mut self, li: u32, now: Micros, sink: &mut S) {
        let m = self.lanes[li as usize].mapping as usize;
        let retention = self.mappings[m].retention_us;
        while let Some(e) = self.lanes[li as usize].fifo.front().copied() {
            if e.time.saturating_add(retention) > now {
                break;
            }
            self.lanes[li as usize].fifo.pop_front();
            self.resolve_record(m, e.id, RecordOutcome::Expired, &Batch::default(), now, sink);
        }
        let batch_size = self.mappings[m].config.batch_size as usize;
        let l = &mut self.lanes[li as usize];
        if l.fifo.is_empty() {
            l.state = LaneState::Dormant;
            return;
        }
        let len = batch_size.min(l.fifo.len()) as u32;
        l.current = Batch { len, max_failures: l.max_failures(0, len), ..Batch::default() };
        self.mappings[m].stats.batches += 1;
        self.invoke(li, now, sink);
    }

    /// One synchronous invocation of the lane's current batch (§4 admission). Its records past
    /// the retention are lost first: a batch retried without limit ends when they expire.
    fn invoke<S: Sink>(&mut self, li: u32, now: Micros, sink: &mut S) {
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
                    self.resolve_record(m, e.id, RecordOutcome::Expired, &batch, now, sink);
                }
                _ => break,
            }
        }
        let l = &mut self.lanes[li as usize];
        if l.current.len == 0 {
            return self.next_batch(li, now, sink);
        }
        if expired {
            l.current.max_failures = l.max_failures(0, l.current.len);
        }
        let function = self.mappings[m].config.function;
        match self.admit(function, now) {
            Err(reason) => {
                self.count_throttle(function, reason);
                self.mappings[m].stats.throttles += 1;
                let l = &mut self.lanes[li as usize];
                l.current.throttles += 1;
                l.state = LaneState::Waiting;
                let at = now.saturating_add(backoff(l.current.throttles));
                self.timers.schedule(at, LANE_TIMER | li);
            }
            Ok(admitted) => {
                let l = &mut self.lanes[li as usize];
                l.state = LaneState::Busy;
                let b = l.current;
                let last_arrival = l.fifo[b.len as usize - 1].time;
                let c = &self.mappings[m].config;
                let duration = c.base_us.saturating_add(c.per_record_us.saturating_mul(u64::from(b.len)));
                let fails = b.max_failures > b.attempts;
                let end = self.start(admitted, u64::from(li), function, duration, fails, now, BATCH);
                let l = &mut self.lanes[li as usize];
                l.current = Batch { throttles: 0, attempts: b.attempts + 1, start: now, end, ..b };
                let mapping = &mut self.mappings[m];
                mapping.running += 1;
                let s = &mut mapping.stats;
                s.invocations += 1;
                s.max_concurrency = s.max_concurrency.max(mapping.running);
                // IteratorAge: how old the batch's last record is when it is invoked
                s.max_iterator_age_us = s.max_iterator_age_us.max(now - last_arrival);
            }
        }
    }

    /// A batch's invocation ended: the records are processed, or the batch is bisected,
    /// retried or given up (§7).
    pub(super) fn batch_end<S: Sink>(&mut self, li: u32, outcome: crate::results::Outcome, now: Micros, sink: &mut S) {
        let m = self.lanes[li as usize].mapping as usize;
        self.mappings[m].running -= 1;
        if outcome == crate::results::Outcome::Success {
            return self.finish_batch(li, RecordOutcome::Processed, now, sink);
        }
        let c = &self.mappings[m].config;
        let (bisect, max_retry, max_age) = (c.bisect, c.max_retry_attempts, c.max_record_age_us);
        let l = &mut self.lanes[li as usize];
        let b = l.current;
        if bisect && b.len > 1 {
            // two batches, in order, neither using a retry
            let first = b.len.div_ceil(2);
            let half = |len, max_failures| Batch { len, max_failures, retries: 0, throttles: 0, ..b };
            l.halves.push(half(b.len - first, l.max_failures(first, b.len)));
            l.current = half(first, l.max_failures(0, first));
            self.mappings[m].stats.batches += 2;
            return self.invoke(li, now, sink);
        }
        l.current.retries += 1;
        let retries = l.current.retries;
        let oldest = l.fifo[0].time;
        self.mappings[m].stats.retries += 1;
        let wait = backoff(retries);
        if max_retry.is_some_and(|r| retries > r) {
            self.finish_batch(li, RecordOutcome::RetryAttemptsExhausted, now, sink)
        } else if max_age.is_some_and(|a| now.saturating_add(wait) - oldest > a) {
            self.finish_batch(li, RecordOutcome::RecordAgeExceeded, now, sink)
        } else {
            self.lanes[li as usize].state = LaneState::Waiting;
            self.timers.schedule(now.saturating_add(wait), LANE_TIMER | li);
        }
    }

    /// The current batch's records leave with `outcome` (failures go to the on-failure
    /// destination); the lane moves on.
    fn finish_batch<S: Sink>(&mut self, li: u32, outcome: RecordOutcome, now: Micros, sink: &mut S) {
        let m = self.lanes[li as usize].mapping as usize;
        let b = self.lanes[li as usize].current;
        let on_failure = if outcome == RecordOutcome::Processed { None } else { self.mappings[m].config.on_failure };
        let stream = self.mappings[m].config.stream;
        let keep = sink.keeps_records();
        for _ in 0..b.len {
            let e = self.lanes[li as usize].fifo.pop_front().expect("the batch's records");
            self.resolve_record(m, e.id, outcome, &b, now, sink);
            if let Some(d) = on_failure {
                self.mappings[m].stats.on_failure_records += 1;
                self.destinations[d as usize].push_record(keep, stream, e.id, outcome, b.attempts, now);
            }
        }
        self.next_batch(li, now, sink);
    }

    /// The current batch is done: the next bisection half, a new batch, or sleep.
    fn next_batch<S: Sink>(&mut self, li: u32, now: Micros, sink: &mut S) {
        let l = &mut self.lanes[li as usize];
        l.current = Batch::default();
        if let Some(half) = l.halves.pop() {
            l.current = half; // already formed: it goes at once
            return self.invoke(li, now, sink);
        }
        if l.fifo.is_empty() {
            l.state = LaneState::Dormant;
        } else {
            self.begin(li, now, sink);
        }
    }

    #[inline]
    fn resolve_record<S: Sink>(&mut self, m: usize, id: u64, outcome: RecordOutcome, b: &Batch, now: Micros, sink: &mut S) {
        let mapping = &mut self.mappings[m];
        mapping.stats.count_resolved(outcome);
        self.last_resolved = self.last_resolved.max(now);
        let attempts = b.attempts;
        sink.record(&StreamRecord { stream: mapping.config.stream, id, outcome, attempts, receives: attempts, start: b.start, end: b.end });
    }

    /// Reports every record still in a lane as pending, with the attempts, start and end of
    /// its batch's invocations so far (an end after now is not reported).
    pub(super) fn report_pending_lanes<S: Sink>(&self, sink: &mut S) {
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
                let end = if b.end > self.now { crate::invocations::NEVER } else { b.end };
                let attempts = b.attempts;
                sink.record(&StreamRecord { stream, id: e.id, outcome: RecordOutcome::Pending, attempts, receives: attempts, start: b.start, end });
            }
        }
    }
}

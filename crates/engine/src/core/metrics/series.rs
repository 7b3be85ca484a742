//! The per-period series (§10): the closed periods' figures, the gauges the recorder carries
//! from one period to the next, and the reading of it all as CloudWatch's statistics.
//!
//! Memory is periods × (functions + sources) entries, plus the Duration histograms' used
//! buckets per period (a few for a steady function). Environments are found expired lazily,
//! at a later admission or at the read, so their deaths are written into the period they
//! happened in, as differences of the number alive (`AliveDelta`); the integrals and the
//! period-opening levels are summed up at the read.

use super::durations::{quantiles, Counts, Durations};
use super::{AccountMetrics, FunctionMetrics, Stat};
use crate::model::report::MappingStats;
use crate::model::table::{table, Table, Value};
use crate::primitives::grow::{Grow, OutOfMemory};
use crate::primitives::time::{to_seconds, Micros};

/// Changes of the environments alive within one period: Σ ±1, Σ ±(t − period start) in µs,
/// and the deaths at the period's first instant of environments born before it.
#[derive(Debug, Clone, Copy, Default)]
struct AliveDelta {
    count: i64,
    weight: i64,
    at_start: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Series {
    period_us: Micros,
    /// The start of the period being recorded, and the periods closed before it.
    start: Micros,
    closed: usize,
    n_functions: usize,
    n_sources: usize,
    /// The closed periods' figures, period by period.
    functions: Vec<FunctionMetrics>,
    account: Vec<AccountMetrics>,
    mappings: Vec<MappingStats>,
    /// The closed periods' Duration percentiles (`QS`, µs; NaN without an invocation), per
    /// function and for the account: histograms are kept for the period being recorded
    /// only, and the last one closed (`previous`), which a read at its end folds the new
    /// period into.
    percentiles: Vec<[f64; 3]>,
    account_percentiles: Vec<[f64; 3]>,
    previous: Counts,
    totals: Vec<FunctionMetrics>,
    account_totals: AccountMetrics,
    mapping_totals: Vec<MappingStats>,
    /// Per period so far (the one being recorded included), per function.
    alive: Vec<AliveDelta>,
    /// Per function, its environments alive from time 0 (provisioned and warm ones): the level
    /// period 0 opens with.
    alive_at_start: Vec<u32>,
}

impl Series {
    /// `timeouts`: per function, the longest handler time its Duration histogram counts.
    pub fn new(period_us: Micros, alive_at_start: &[u32], timeouts: &[Micros], n_sources: usize) -> Result<Series, OutOfMemory> {
        let n = alive_at_start.len();
        let alive = vec![AliveDelta::default(); n];
        Ok(Series {
            period_us,
            start: 0,
            closed: 0,
            n_functions: n,
            n_sources,
            functions: Vec::new(),
            account: Vec::new(),
            mappings: Vec::new(),
            percentiles: Vec::new(),
            account_percentiles: Vec::new(),
            previous: Counts::new(timeouts)?,
            totals: vec![FunctionMetrics::default(); n],
            account_totals: AccountMetrics::default(),
            mapping_totals: vec![MappingStats::default(); n_sources],
            alive,
            alive_at_start: alive_at_start.to_vec(),
        })
    }

    pub fn function_totals(&self) -> &[FunctionMetrics] {
        &self.totals
    }

    pub fn account_totals(&self) -> &AccountMetrics {
        &self.account_totals
    }

    pub fn mapping_totals(&self) -> &[MappingStats] {
        &self.mapping_totals
    }

    // ---- recording

    pub fn born(&mut self, now: Micros, f: u32) {
        let d = &mut self.alive[self.closed * self.n_functions + f as usize];
        d.count += 1;
        d.weight += (now - self.start) as i64;
    }

    pub fn died(&mut self, f: u32, born: Micros, death: Micros) {
        let p = (death / self.period_us) as usize;
        debug_assert!(p <= self.closed, "a death is found after it happened");
        let d = &mut self.alive[p * self.n_functions + f as usize];
        Self::death(d, p as Micros * self.period_us, born, death);
    }

    fn death(d: &mut AliveDelta, period_start: Micros, born: Micros, death: Micros) {
        d.count -= 1;
        d.weight -= (death - period_start) as i64;
        d.at_start += (death == period_start && born < death) as u32;
    }

    /// Closes every period that ended by `now`: their figures join the history and the
    /// totals, and the next period opens with the levels. Returns when the new period ends.
    /// `levels`: the account's executions running and those in the unreserved pool.
    /// `durations`: the Duration histograms of the period being recorded, left empty;
    /// `visible`: per source, the messages visible (what its next period opens with).
    pub fn roll(&mut self, now: Micros, functions: &mut [FunctionMetrics], durations: &mut Durations, account: &mut AccountMetrics,
                levels: (u32, u32), (mappings, visible): (&mut [MappingStats], &[u64])) -> Micros {
        let durations = &mut durations.counts;
        while now >= self.start + self.period_us {
            let end = self.start + self.period_us;
            self.functions.room_for(self.n_functions, "metrics periods");
            self.percentiles.room_for(self.n_functions, "metrics periods");
            self.alive.room_for(self.n_functions, "metrics periods");
            let mut all = Stat::default();
            let nf = self.n_functions;
            for (f, m) in functions.iter_mut().enumerate() {
                self.percentiles.push(durations.function(f, &m.durations));
                all.absorb(&m.durations);
                // the histograms kept of the period before this one are done with
                if let Some(before) = self.closed.checked_sub(1) {
                    self.previous.clear_function(f, &self.functions[before * nf + f].durations);
                }
                self.totals[f].absorb(m);
                let opened = m.opened(self.period_us);
                self.functions.push(std::mem::replace(m, opened));
                self.alive.push(AliveDelta::default());
            }
            self.account_percentiles.grow(durations.account(&all), "metrics periods");
            self.previous.clear_account();
            std::mem::swap(durations, &mut self.previous);
            self.account_totals.absorb(account);
            self.account.grow(*account, "metrics periods");
            *account = AccountMetrics::opened(levels);
            self.mappings.room_for(self.n_sources, "metrics periods");
            for (s, m) in mappings.iter_mut().enumerate() {
                self.mapping_totals[s].absorb(m);
                let opened = MappingStats { max_visible: visible[s], ..MappingStats::default() };
                self.mappings.push(std::mem::replace(m, opened));
            }
            self.closed += 1;
            self.start = end;
        }
        self.start + self.period_us
    }

    // ---- reading

    /// The series over [0, `now`) in whole periods, the last possibly partial and holding the
    /// instant `now` too; `current` the figures of the period being recorded; `live` the
    /// environments alive (idle ones with their expiry), as `Recorder::report` takes them.
    #[allow(clippy::too_many_arguments)]
    pub fn read(&self, now: Micros, period_end: Micros, live: impl Iterator<Item = (u32, Micros, Micros)>, current: &[FunctionMetrics],
                durations: &Counts, (current_account, levels): (&AccountMetrics, (u32, u32)),
                (current_mappings, visible): (&[MappingStats], &[u64])) -> Table {
        let (p_us, nf, ns) = (self.period_us, self.n_functions, self.n_sources);
        let n = now.div_ceil(p_us).max(1) as usize;
        let span = |p: usize| {
            let s = p as Micros * p_us;
            (s, (s + p_us).min(now).max(s))
        };
        // periods [0, kept) from the history; the rest from `tail`: the period being recorded
        // (merged into the last when it starts at `now`), then periods nothing happened in
        let kept = self.closed.min(n - 1);
        let folded = self.closed == n;
        let tail_len = n - kept;
        let mut tail_f: Vec<FunctionMetrics> = Vec::new();
        tail_f.room_for(tail_len * nf, "metrics periods");
        let mut tail_a = Vec::with_capacity(tail_len);
        let mut tail_m: Vec<MappingStats> = Vec::with_capacity(tail_len * ns);
        for p in kept..n {
            let (_, end) = span(p);
            if p == kept {
                for (f, m) in current.iter().enumerate() {
                    let mut m = m.clone();
                    // those running now are busy until `end`, not the period's end
                    m.busy_us = m.busy_us.wrapping_sub(u64::from(m.running) * (period_end - end.max(self.start)));
                    if folded {
                        let mut row = self.functions[kept * nf + f].clone();
                        row.absorb(&m);
                        m = row;
                    }
                    tail_f.push(m);
                }
                let mut a = *current_account;
                let mut ms = current_mappings.to_vec();
                if folded {
                    a.absorb(&self.account[kept]);
                    for (s, m) in ms.iter_mut().enumerate() {
                        m.absorb(&self.mappings[kept * ns + s]);
                    }
                }
                tail_a.push(a);
                tail_m.extend(ms);
            } else {
                let (start, end) = span(p);
                tail_f.extend(current.iter().map(|m| m.opened(end - start)));
                tail_a.push(AccountMetrics::opened(levels));
                tail_m.extend(visible.iter().map(|&v| MappingStats { max_visible: v, ..MappingStats::default() }));
            }
        }
        let frow = |p: usize, f: usize| if p < kept { &self.functions[p * nf + f] } else { &tail_f[(p - kept) * nf + f] };
        let arow = |p: usize| if p < kept { &self.account[p] } else { &tail_a[p - kept] };
        let mrow = |p: usize, s: usize| if p < kept { &self.mappings[p * ns + s] } else { &tail_m[(p - kept) * ns + s] };
        // environments alive: the deltas, with the deaths the read finds
        let mut alive = self.alive.clone();
        alive.resize((n + 1) * nf, AliveDelta::default());
        for (f, born, death) in live {
            if death <= now {
                let p = (death / p_us) as usize;
                Self::death(&mut alive[p * nf + f as usize], p as Micros * p_us, born, death);
            }
        }
        let mut alive_avg = vec![0.0; nf * n];
        let mut alive_max = vec![0u64; nf * n];
        let mut idle_s = vec![0.0; nf * n];
        for f in 0..nf {
            let mut level = i64::from(self.alive_at_start[f]);
            for p in 0..n {
                let d = alive[p * nf + f];
                let (start, end) = span(p);
                let len = (end - start) as i128;
                let opening = level - i64::from(d.at_start);
                let integral = i128::from(level) * len + i128::from(d.count) * len - i128::from(d.weight);
                let row = frow(p, f);
                // a period of no length (a read at 0) averages 0.0, as the whole-run figure does
                alive_avg[f * n + p] = if len > 0 { integral as f64 / len as f64 } else { 0.0 };
                alive_max[f * n + p] = opening.max(0) as u64;
                alive_max[f * n + p] = alive_max[f * n + p].max(u64::from(row.max_alive_at_birth));
                idle_s[f * n + p] = (integral - i128::from(row.busy_us)).max(0) as f64 / 1e6;
                level += d.count;
            }
        }

        let account_alive: Vec<f64> = (0..n).map(|p| (0..nf).map(|f| alive_avg[f * n + p]).sum()).collect();
        let per_f = |get: &dyn Fn(&FunctionMetrics) -> u64| -> Value {
            let mut v = Vec::with_capacity(nf * n);
            for f in 0..nf {
                v.extend((0..n).map(|p| get(frow(p, f))));
            }
            v.into()
        };
        let per_f_real = |get: &dyn Fn(&FunctionMetrics, usize, usize) -> f64| -> Value {
            let mut v = Vec::with_capacity(nf * n);
            for f in 0..nf {
                v.extend((0..n).map(|p| get(frow(p, f), p, f)));
            }
            v.into()
        };
        let ms = |us: u64| us as f64 / 1000.0;
        let avg = |s: &Stat| if s.count == 0 { f64::NAN } else { s.sum as f64 / s.count as f64 / 1000.0 };
        let min = |s: &Stat| if s.count == 0 { f64::NAN } else { ms(s.min) };
        let max = |s: &Stat| if s.count == 0 { f64::NAN } else { ms(s.max) };
        // Duration's percentiles, per function and for the account: kept for the closed
        // periods, from the histograms for the period being recorded (with the last closed
        // one when it is folded in)
        let mut function_pct = [vec![0.0; nf * n], vec![0.0; nf * n], vec![0.0; nf * n]];
        let mut account_pct = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
        let mut durations_all = vec![Stat::default(); n];
        for (p, all) in durations_all.iter_mut().enumerate() {
            for f in 0..nf {
                all.absorb(&frow(p, f).durations);
            }
        }
        for p in 0..n {
            let account_q = if p < kept {
                for f in 0..nf {
                    for (out, q) in function_pct.iter_mut().zip(self.percentiles[p * nf + f]) {
                        out[f * n + p] = q;
                    }
                }
                self.account_percentiles[p]
            } else if p == kept {
                // the period being recorded, and the last one closed when it is folded in
                let both = |now: Vec<(usize, u64)>, before: &dyn Fn() -> Vec<(usize, u64)>| {
                    let mut rows = now;
                    if folded {
                        rows.extend(before());
                        rows.sort_unstable_by_key(|&(b, _)| b);
                    }
                    rows
                };
                for (f, m) in current.iter().enumerate() {
                    let before = || self.previous.buckets(f, &self.functions[kept * nf + f].durations).collect();
                    let rows = both(durations.buckets(f, &m.durations).collect(), &before);
                    for (out, q) in function_pct.iter_mut().zip(quantiles(rows.into_iter(), &frow(p, f).durations)) {
                        out[f * n + p] = q;
                    }
                }
                let rows = both(durations.account_buckets().collect(), &|| self.previous.account_buckets().collect());
                quantiles(rows.into_iter(), &durations_all[p])
            } else {
                for out in function_pct.iter_mut() {
                    for f in 0..nf {
                        out[f * n + p] = f64::NAN;
                    }
                }
                [f64::NAN; 3]
            };
            for (out, q) in account_pct.iter_mut().zip(account_q) {
                out[p] = q;
            }
        }
        for v in function_pct.iter_mut().chain(account_pct.iter_mut()) {
            for x in v.iter_mut() {
                *x /= 1000.0; // ms
            }
        }
        let durations = durations_all;
        let [p50, p90, p99] = function_pct;
        let by_reason = |r: usize| per_f(&|m| m.throttles_by_reason[r]);
        let function = table! {
            "Invocations:Sum" => per_f(&|m| m.invocations),
            "Errors:Sum" => per_f(&|m| m.errors),
            "Throttles:Sum" => per_f(&|m| m.throttles),
            "Duration:Average" => per_f_real(&|m, _, _| avg(&m.durations)),
            "Duration:Minimum" => per_f_real(&|m, _, _| min(&m.durations)),
            "Duration:Maximum" => per_f_real(&|m, _, _| max(&m.durations)),
            "Duration:p50" => p50,
            "Duration:p90" => p90,
            "Duration:p99" => p99,
            "ConcurrentExecutions:Maximum" => per_f(&|m| u64::from(m.max_concurrency)),
            "ProvisionedConcurrentExecutions:Maximum" => per_f(&|m| u64::from(m.max_provisioned)),
            "ProvisionedConcurrencyInvocations:Sum" => per_f(&|m| m.provisioned_invocations),
            "ProvisionedConcurrencySpilloverInvocations:Sum" => per_f(&|m| m.spillover_invocations),
            "AsyncEventsReceived:Sum" => per_f(&|m| m.async_events_received),
            "AsyncEventAge:Average" => per_f_real(&|m, _, _| avg(&m.event_ages)),
            "AsyncEventAge:Maximum" => per_f_real(&|m, _, _| max(&m.event_ages)),
            "AsyncEventsDropped:Sum" => per_f(&|m| m.async_events_dropped),
            "ColdStarts:Sum" => per_f(&|m| m.cold_starts),
            "Timeouts:Sum" => per_f(&|m| m.timeouts),
            "ThrottlesReserved:Sum" => by_reason(0),
            "ThrottlesUnreserved:Sum" => by_reason(1),
            "ThrottlesScaling:Sum" => by_reason(2),
            "ThrottlesRate:Sum" => by_reason(3),
            "ThrottlesReservedRate:Sum" => by_reason(4),
            "ConflictsPending:Sum" => per_f(&|m| m.refusals[0]),
            "ConflictsInactive:Sum" => per_f(&|m| m.refusals[1]),
            "EniFailures:Sum" => per_f(&|m| m.refusals[2]),
            "PayloadsTooLarge:Sum" => per_f(&|m| m.refusals[3]),
            "EnvironmentsAlive:Average" => alive_avg,
            "EnvironmentsAlive:Maximum" => alive_max,
            "IdleEnvironmentSeconds:Sum" => idle_s,
            "BilledDuration:Sum" => per_f(&|m| m.billed_ms),
            "ProvisionedBilledDuration:Sum" => per_f(&|m| m.provisioned_billed_ms),
            "ProvisionedColdStarts:Sum" => per_f(&|m| m.provisioned_cold_starts),
            "InitDuration:Sum" => per_f(&|m| m.init_us),
            "ProvisionedInitDuration:Sum" => per_f(&|m| m.provisioned_init_us),
        };

        let [p50, p90, p99] = account_pct;
        let account = table! {
            "Duration:Average" => durations.iter().map(avg).collect::<Vec<f64>>(),
            "Duration:Minimum" => durations.iter().map(min).collect::<Vec<f64>>(),
            "Duration:Maximum" => durations.iter().map(max).collect::<Vec<f64>>(),
            "Duration:p50" => p50,
            "Duration:p90" => p90,
            "Duration:p99" => p99,
            "ConcurrentExecutions:Maximum" => (0..n).map(|p| u64::from(arow(p).max_concurrency)).collect::<Vec<u64>>(),
            "UnreservedConcurrentExecutions:Maximum" => (0..n).map(|p| u64::from(arow(p).max_unreserved)).collect::<Vec<u64>>(),
            "EnvironmentsAlive:Average" => account_alive,
        };

        let per_m = |get: &dyn Fn(&MappingStats) -> u64| -> Value {
            let mut v = Vec::with_capacity(ns * n);
            for s in 0..ns {
                v.extend((0..n).map(|p| get(mrow(p, s))));
            }
            v.into()
        };
        let mut iterator_age = Vec::with_capacity(ns * n);
        for s in 0..ns {
            iterator_age.extend((0..n).map(|p| {
                let m = mrow(p, s);
                if m.invocations == 0 { f64::NAN } else { ms(m.max_iterator_age_us) }
            }));
        }
        let mapping = table! {
            "IteratorAge:Maximum" => iterator_age,
            "PolledEventCount:Sum" => per_m(&|m| m.polled_records),
            "InvokedEventCount:Sum" => per_m(&|m| m.invoked_records),
            "FailedInvokeEventCount:Sum" => per_m(&|m| m.failed_invoke_records),
            "DroppedEventCount:Sum" => per_m(&|m| m.records_failed + m.records_expired),
            "OnFailureDestinationDeliveredEventCount:Sum" => per_m(&|m| m.on_failure_records),
            "DeletedEventCount:Sum" => per_m(&|m| m.records_processed),
            "ApproximateNumberOfMessagesVisible:Maximum" => per_m(&|m| m.max_visible),
            "BatchInvocations:Sum" => per_m(&|m| m.invocations),
        };
        table! {
            "period" => to_seconds(p_us),
            "horizon" => to_seconds(now),
            "n_periods" => n as u64,
            "function" => function,
            "account" => account,
            "mapping" => mapping,
        }
    }
}

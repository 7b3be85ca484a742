//! The per-period series (§10): the closed periods' figures, the gauges the recorder carries
//! from one period to the next, and the reading of it all as CloudWatch's statistics.
//!
//! Memory is periods × (functions + sources) entries, plus the Duration histograms' used
//! buckets per period (a few for a steady function). Environments are found expired lazily,
//! at a later admission or at the read, so their deaths are written into the period they
//! happened in, as differences of the number alive (`AliveDelta`); the integrals and the
//! period-opening levels are summed up at the read.

use super::{AccountMetrics, FunctionMetrics, Stat};
use crate::core::pool::{FunctionPool, Pool};
use crate::model::report::MappingStats;
use crate::model::table::{table, Table, Value};
use crate::primitives::grow::Grow;
use crate::primitives::histogram::{self, Dense};
use crate::primitives::time::{to_seconds, Micros};

/// The levels of one function that a period opens with.
#[derive(Debug, Clone, Copy, Default)]
struct Gauge {
    /// Executions running (initialising or busy), and since when.
    running: u32,
    since: Micros,
    provisioned_busy: u32,
    /// Environments alive, as far as the deaths found so far say (exact at a birth).
    alive: u32,
}

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
    /// The closed periods' Duration histograms as (bucket, count) rows, and where each
    /// (period, function)'s rows end.
    hist: Vec<(u16, u32)>,
    hist_ends: Vec<usize>,
    /// The Duration histogram of the period being recorded, per function.
    dense: Vec<Dense>,
    totals: Vec<FunctionMetrics>,
    account_totals: AccountMetrics,
    mapping_totals: Vec<MappingStats>,
    gauges: Vec<Gauge>,
    account_running: u32,
    account_unreserved: u32,
    /// An execution started in the period being recorded (anywhere in the account).
    account_started: bool,
    visible: Vec<u64>,
    /// Per period so far (the one being recorded included), per function.
    alive: Vec<AliveDelta>,
}

impl Series {
    pub fn new(period_us: Micros, provisioned: &[u32], n_sources: usize) -> Series {
        let n = provisioned.len();
        let gauges = provisioned.iter().map(|&p| Gauge { alive: p, ..Gauge::default() }).collect();
        let alive = provisioned.iter().map(|&p| AliveDelta { count: i64::from(p), ..AliveDelta::default() }).collect();
        Series {
            period_us,
            start: 0,
            closed: 0,
            n_functions: n,
            n_sources,
            functions: Vec::new(),
            account: Vec::new(),
            mappings: Vec::new(),
            hist: Vec::new(),
            hist_ends: Vec::new(),
            dense: vec![Dense::default(); n],
            totals: vec![FunctionMetrics::default(); n],
            account_totals: AccountMetrics::default(),
            mapping_totals: vec![MappingStats::default(); n_sources],
            gauges,
            account_running: 0,
            account_unreserved: 0,
            account_started: false,
            visible: vec![0; n_sources],
            alive,
        }
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

    #[inline(always)]
    pub fn account_started(&mut self, pool: &Pool) {
        self.account_running = pool.running;
        self.account_unreserved = pool.unreserved_in_use;
        self.account_started = true;
    }

    #[inline(always)]
    pub fn started(&mut self, now: Micros, f: u32, pool: &FunctionPool, m: &mut FunctionMetrics) {
        let g = &mut self.gauges[f as usize];
        m.busy_us += u64::from(g.running) * (now - g.since);
        *g = Gauge { running: pool.running, since: now, provisioned_busy: pool.running - pool.on_demand, ..*g };
        m.max_provisioned = m.max_provisioned.max(g.provisioned_busy);
    }

    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn ended(&mut self, now: Micros, f: u32, start: Micros, handler_us: Micros, pool: &FunctionPool, account: &Pool,
                 m: &mut FunctionMetrics, a: &mut AccountMetrics) {
        let g = &mut self.gauges[f as usize];
        m.busy_us += u64::from(g.running) * (now - g.since);
        *g = Gauge { running: pool.running, since: now, provisioned_busy: pool.running - pool.on_demand, ..*g };
        m.durations.add(handler_us);
        self.dense[f as usize].add(handler_us);
        self.account_running = account.running;
        self.account_unreserved = account.unreserved_in_use;
        // Executions ending at a period's first instant were not running in it, and ends come
        // before starts within an instant (§1): until the first start, the maxima are the levels.
        if now == self.start && start < now {
            if m.invocations == 0 {
                m.max_concurrency = g.running;
                m.max_provisioned = g.provisioned_busy;
            }
            if !self.account_started {
                a.max_concurrency = account.running;
                a.max_unreserved = account.unreserved_in_use;
            }
        }
    }

    pub fn born(&mut self, now: Micros, f: u32, m: &mut FunctionMetrics) {
        let g = &mut self.gauges[f as usize];
        g.alive += 1;
        m.max_alive_at_birth = m.max_alive_at_birth.max(g.alive);
        let d = &mut self.alive[self.closed * self.n_functions + f as usize];
        d.count += 1;
        d.weight += (now - self.start) as i64;
    }

    pub fn died(&mut self, f: u32, born: Micros, death: Micros) {
        self.gauges[f as usize].alive -= 1;
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

    #[inline(always)]
    pub fn visible(&mut self, source: u32, visible: u64) {
        self.visible[source as usize] = visible;
    }

    /// Closes every period that ended by `now`: their figures join the history and the
    /// totals, and the next period opens with the levels. Returns when the new period ends.
    pub fn roll(&mut self, now: Micros, functions: &mut [FunctionMetrics], account: &mut AccountMetrics, mappings: &mut [MappingStats]) -> Micros {
        while now >= self.start + self.period_us {
            let end = self.start + self.period_us;
            self.functions.room_for(self.n_functions, "metrics periods");
            self.hist_ends.room_for(self.n_functions, "metrics periods");
            self.alive.room_for(self.n_functions, "metrics periods");
            for (f, m) in functions.iter_mut().enumerate() {
                let g = &mut self.gauges[f];
                m.busy_us += u64::from(g.running) * (end - g.since);
                g.since = end;
                let dense = &mut self.dense[f];
                for (b, n) in dense.iter() {
                    self.hist.grow((b as u16, n as u32), "duration histogram buckets");
                }
                dense.clear();
                self.hist_ends.push(self.hist.len());
                self.totals[f].absorb(m);
                let opened = FunctionMetrics { max_concurrency: g.running, max_provisioned: g.provisioned_busy, ..FunctionMetrics::default() };
                self.functions.push(std::mem::replace(m, opened));
                self.alive.push(AliveDelta::default());
            }
            self.account_totals.absorb(account);
            self.account.grow(*account, "metrics periods");
            *account = AccountMetrics { max_concurrency: self.account_running, max_unreserved: self.account_unreserved };
            self.account_started = false;
            self.mappings.room_for(self.n_sources, "metrics periods");
            for (s, m) in mappings.iter_mut().enumerate() {
                self.mapping_totals[s].absorb(m);
                let opened = MappingStats { max_visible: self.visible[s], ..MappingStats::default() };
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
    pub fn read(&self, now: Micros, live: impl Iterator<Item = (u32, Micros, Micros)>, current: &[FunctionMetrics],
                current_account: &AccountMetrics, current_mappings: &[MappingStats]) -> Table {
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
                    let g = &self.gauges[f];
                    let mut m = m.clone();
                    m.busy_us += u64::from(g.running) * end.saturating_sub(g.since);
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
                for g in &self.gauges {
                    tail_f.push(FunctionMetrics {
                        max_concurrency: g.running,
                        max_provisioned: g.provisioned_busy,
                        busy_us: u64::from(g.running) * (end - start),
                        ..FunctionMetrics::default()
                    });
                }
                tail_a.push(AccountMetrics { max_concurrency: self.account_running, max_unreserved: self.account_unreserved });
                tail_m.extend(self.visible.iter().map(|&v| MappingStats { max_visible: v, ..MappingStats::default() }));
            }
        }
        let frow = |p: usize, f: usize| if p < kept { &self.functions[p * nf + f] } else { &tail_f[(p - kept) * nf + f] };
        let arow = |p: usize| if p < kept { &self.account[p] } else { &tail_a[p - kept] };
        let mrow = |p: usize, s: usize| if p < kept { &self.mappings[p * ns + s] } else { &tail_m[(p - kept) * ns + s] };
        // each (period, function)'s Duration buckets
        let buckets = |p: usize, f: usize| -> Vec<(usize, u64)> {
            let closed_rows = |q: usize| {
                let i = q * nf + f;
                let lo = if i == 0 { 0 } else { self.hist_ends[i - 1] };
                self.hist[lo..self.hist_ends[i]].iter().map(|&(b, c)| (b as usize, u64::from(c)))
            };
            if p < kept {
                return closed_rows(p).collect();
            }
            if p > kept {
                return Vec::new();
            }
            let mut rows: Vec<(usize, u64)> = self.dense[f].iter().collect();
            if folded {
                rows.extend(closed_rows(kept));
                rows.sort_unstable_by_key(|&(b, _)| b);
            }
            rows
        };

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
            let mut level: i64 = 0;
            for p in 0..n {
                let d = alive[p * nf + f];
                let (start, end) = span(p);
                let len = (end - start) as i128;
                let opening = level - i64::from(d.at_start);
                let integral = i128::from(level) * len + i128::from(d.count) * len - i128::from(d.weight);
                let row = frow(p, f);
                alive_avg[f * n + p] = if len > 0 { integral as f64 / len as f64 } else { opening as f64 };
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
        let quantile = |rows: &[(usize, u64)], s: &Stat, q: f64| {
            histogram::percentile(rows.iter().copied(), s.count, q, s.min, s.max).map_or(f64::NAN, |us| us / 1000.0)
        };
        let pct = |q: f64| per_f_real(&|m, p, f| quantile(&buckets(p, f), &m.durations, q));
        let by_reason = |r: usize| per_f(&|m| m.throttles_by_reason[r]);
        let function = table! {
            "Invocations:Sum" => per_f(&|m| m.invocations),
            "Errors:Sum" => per_f(&|m| m.errors),
            "Throttles:Sum" => per_f(&|m| m.throttles),
            "Duration:Average" => per_f_real(&|m, _, _| avg(&m.durations)),
            "Duration:Minimum" => per_f_real(&|m, _, _| min(&m.durations)),
            "Duration:Maximum" => per_f_real(&|m, _, _| max(&m.durations)),
            "Duration:p50" => pct(0.50),
            "Duration:p90" => pct(0.90),
            "Duration:p99" => pct(0.99),
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
            "EnvironmentsAlive:Average" => alive_avg,
            "EnvironmentsAlive:Maximum" => alive_max,
            "IdleEnvironmentSeconds:Sum" => idle_s,
            "BilledDuration:Sum" => per_f(&|m| m.billed_ms),
            "ProvisionedBilledDuration:Sum" => per_f(&|m| m.provisioned_billed_ms),
        };

        // the account: its own maxima, and Duration over every function's invocations
        let mut durations = vec![Stat::default(); n];
        let mut account_pct: [Vec<f64>; 3] = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
        let mut merged = vec![0u64; histogram::BUCKETS];
        for p in 0..n {
            merged.fill(0);
            for f in 0..nf {
                durations[p].absorb(&frow(p, f).durations);
                for (b, c) in buckets(p, f) {
                    merged[b] += c;
                }
            }
            let rows: Vec<(usize, u64)> = merged.iter().enumerate().filter(|(_, &c)| c > 0).map(|(b, &c)| (b, c)).collect();
            for (out, q) in account_pct.iter_mut().zip([0.50, 0.90, 0.99]) {
                out[p] = quantile(&rows, &durations[p], q);
            }
        }
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

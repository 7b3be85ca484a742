//! What has been submitted and not yet reached by the clock: the engine's own copies of the
//! caller's rows and records, in chunks, in submission order.
//!
//! A chunk is copied when it is submitted and checked after the copy, so each of the caller's
//! values is read exactly once: nothing the caller (or another thread) does to its arrays
//! afterwards can reach the engine, and reusing a buffer between submissions is safe. The copy
//! is reserved fallibly (`Error::OutOfMemory`), and a chunk is freed as soon as the clock has
//! taken its last row, so the memory held is that of the rows still waiting.

use std::collections::VecDeque;

use super::codes::REQUEST_RESPONSE;
use super::error::{try_reserve, Error};
use super::input::{Arrival, OneRow, RecordRows, Rows};
use super::limits::FAILURES;
use crate::primitives::grow::Grow;
use crate::primitives::time::{to_micros, to_seconds, Micros};

/// A submitted chunk's rows, as the inbox needs to see them.
pub(crate) trait Chunk {
    fn len(&self) -> usize;
    /// The time of `row`, in seconds as given.
    fn time(&self, row: usize) -> f64;
    /// Numbers the chunk's rows from `first` (ids count an input's rows over every chunk).
    fn number(&mut self, first: u64);
    /// Empties a chunk all of whose rows were taken so that it can take rows again (`true`), or
    /// says it is to be freed.
    fn recycle(&mut self) -> bool {
        false
    }
}

/// A chunk of workload rows, copied (the columns' meaning is that of `Rows`).
#[derive(Debug, Clone)]
pub(crate) struct RowChunk {
    pub first_id: u64,
    pub time: Vec<f64>,
    pub function: Vec<i64>,
    pub duration: Vec<f64>,
    pub invocation_type: Option<Vec<u8>>,
    pub failures: Option<Vec<i64>>,
    pub too_large: Option<Vec<bool>>,
    /// Single rows are appended to it (`Inbox::push_one`): every column is present.
    pub open: bool,
}

/// A chunk of an event source's records, copied (the columns' meaning is that of `RecordRows`).
#[derive(Debug, Clone)]
pub(crate) struct RecordChunk {
    pub first_id: u64,
    pub time: Vec<f64>,
    pub key: Vec<i64>,
    pub failures: Option<Vec<i64>>,
}

/// `values` copied into a vector reserved fallibly.
fn copied<T: Copy>(values: &[T], what: &'static str) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    try_reserve(&mut v, values.len() as u64, what)?;
    v.extend_from_slice(values);
    Ok(v)
}

impl RowChunk {
    pub fn copy(rows: &Rows<'_>) -> Result<Self, Error> {
        const WHAT: &str = "submitted workload rows";
        Ok(RowChunk {
            first_id: 0,
            time: copied(rows.time, WHAT)?,
            function: copied(rows.function, WHAT)?,
            duration: copied(rows.duration, WHAT)?,
            invocation_type: rows.invocation_type.map(|k| copied(k, WHAT)).transpose()?,
            failures: rows.failures.map(|x| copied(x, WHAT)).transpose()?,
            too_large: rows.too_large.map(|x| copied(x, WHAT)).transpose()?,
            open: false,
        })
    }

    /// An empty chunk for single rows.
    fn singles() -> Self {
        RowChunk {
            first_id: 0,
            time: Vec::new(),
            function: Vec::new(),
            duration: Vec::new(),
            invocation_type: Some(Vec::new()),
            failures: Some(Vec::new()),
            too_large: Some(Vec::new()),
            open: true,
        }
    }

    /// The copy, as rows to check.
    pub fn rows(&self) -> Rows<'_> {
        Rows {
            time: &self.time,
            function: &self.function,
            duration: &self.duration,
            invocation_type: self.invocation_type.as_deref(),
            failures: self.failures.as_deref(),
            too_large: self.too_large.as_deref(),
        }
    }

    /// The arrival of `row`, whose time (in µs) the caller has already converted. The chunk
    /// was checked when it was submitted: every value is in range.
    #[inline(always)]
    pub fn arrival_at(&self, row: usize, time: Micros) -> Arrival {
        Arrival {
            request: self.first_id + row as u64,
            time,
            function: self.function[row] as u32,
            duration: to_micros(self.duration[row]),
            invocation_type: self.invocation_type.as_ref().map_or(REQUEST_RESPONSE, |k| k[row]),
            // saturated, not refused: see `limits::FAILURES`
            failures: self.failures.as_ref().map_or(0, |f| f[row].min(FAILURES.max as i64) as u32),
            too_large: self.too_large.as_ref().is_some_and(|x| x[row]),
        }
    }
}

/// Both kinds of chunk have a `time` column and a `first_id`.
macro_rules! chunk {
    ($kind:ty $(, $recycle:expr)?) => {
        impl Chunk for $kind {
            fn len(&self) -> usize {
                self.time.len()
            }

            #[inline]
            fn time(&self, row: usize) -> f64 {
                self.time[row]
            }

            fn number(&mut self, first: u64) {
                self.first_id = first;
            }

            $(fn recycle(&mut self) -> bool {
                ($recycle)(self)
            })?
        }
    };
}

chunk!(RowChunk, |c: &mut RowChunk| {
    if !c.open {
        return false;
    }
    c.time.clear();
    c.function.clear();
    c.duration.clear();
    for v in [&mut c.invocation_type].into_iter().flatten() {
        v.clear();
    }
    for v in [&mut c.failures].into_iter().flatten() {
        v.clear();
    }
    for v in [&mut c.too_large].into_iter().flatten() {
        v.clear();
    }
    true
});
chunk!(RecordChunk);

impl RecordChunk {
    pub fn copy(rows: &RecordRows<'_>) -> Result<Self, Error> {
        const WHAT: &str = "submitted records";
        Ok(RecordChunk {
            first_id: 0,
            time: copied(rows.time, WHAT)?,
            key: copied(rows.key, WHAT)?,
            failures: rows.failures.map(|x| copied(x, WHAT)).transpose()?,
        })
    }

    pub fn rows(&self) -> RecordRows<'_> {
        RecordRows { time: &self.time, key: &self.key, failures: self.failures.as_deref() }
    }
}


/// One input's submitted chunks (the workload's, or one event source's) and how far the clock
/// has taken them. The first chunk always has a row left: a chunk is dropped when its last row
/// is taken, and empty chunks are numbered but not kept.
#[derive(Debug, Clone)]
pub(crate) struct Inbox<C> {
    pub chunks: VecDeque<C>,
    /// Rows of `chunks[0]` already taken.
    pub row: usize,
    /// Rows ever submitted (the next row's id).
    submitted: u64,
    /// The time of the last row submitted, which a new chunk may not precede, in µs and as the
    /// caller gave it (for messages).
    last: Micros,
    last_s: f64,
    /// A chunk of single rows whose rows were all taken, kept to take the next ones without
    /// allocating (a co-simulation submits one row per step).
    spare: Option<C>,
}

impl<C> Default for Inbox<C> {
    fn default() -> Self {
        Inbox { chunks: VecDeque::new(), row: 0, submitted: 0, last: 0, last_s: 0.0, spare: None }
    }
}

impl<C: Chunk> Inbox<C> {
    /// The time a chunk submitted now may not start before (µs, and seconds for messages): the
    /// end of the previous chunk, or the clock `now` if that is later.
    pub fn not_before(&self, now: Micros) -> (Micros, f64) {
        if now > self.last {
            (now, to_seconds(now))
        } else {
            (self.last, self.last_s)
        }
    }

    /// Queues a chunk already checked (its last time `last`, in µs), numbering its rows;
    /// returns the id of its first row.
    pub fn push(&mut self, mut chunk: C, last: Micros) -> u64 {
        let first = self.submitted;
        let n = chunk.len();
        chunk.number(first);
        self.submitted += n as u64;
        if n > 0 {
            self.last = last;
            self.last_s = chunk.time(n - 1);
            self.chunks.push_back(chunk);
        }
        first
    }

    /// Rows ever submitted.
    pub fn submitted(&self) -> u64 {
        self.submitted
    }

    /// Rows submitted and not yet taken.
    pub fn pending(&self) -> u64 {
        self.chunks.iter().map(|c| c.len() as u64).sum::<u64>() - self.row as u64
    }

    /// The next row's time in seconds as given (`None`: nothing is waiting).
    #[inline]
    pub fn peek_seconds(&self) -> Option<f64> {
        self.chunks.front().map(|c| c.time(self.row))
    }

    /// The next row's time in µs.
    #[inline]
    pub fn peek(&self) -> Option<Micros> {
        self.peek_seconds().map(to_micros)
    }

    /// Drops the first chunk, all of whose rows have been taken (a chunk of single rows is
    /// kept as the spare).
    #[inline]
    pub fn next_chunk(&mut self) {
        if let Some(mut c) = self.chunks.pop_front() {
            if c.recycle() {
                self.spare = Some(c);
            }
        }
        self.row = 0;
    }
}

impl Inbox<RowChunk> {
    /// Queues one row already checked (`row`, its time `last` in µs), appended to the last
    /// chunk when that takes single rows; returns its id.
    pub fn push_one(&mut self, row: OneRow, last: Micros) -> u64 {
        const WHAT: &str = "submitted workload rows";
        let id = self.submitted;
        if !self.chunks.back().is_some_and(|c| c.open) {
            let mut c = self.spare.take().unwrap_or_else(RowChunk::singles);
            c.first_id = id;
            self.chunks.grow(c, WHAT);
        }
        let c = self.chunks.back_mut().expect("a chunk of single rows");
        c.time.grow(row.time, WHAT);
        c.function.grow(row.function, WHAT);
        c.duration.grow(row.duration, WHAT);
        if let (Some(k), Some(f), Some(b)) = (&mut c.invocation_type, &mut c.failures, &mut c.too_large) {
            k.grow(row.invocation_type, WHAT);
            f.grow(row.failures, WHAT);
            b.grow(row.too_large, WHAT);
        }
        self.submitted += 1;
        self.last = last;
        self.last_s = row.time;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(time: &[f64]) -> RecordChunk {
        let key = vec![0; time.len()];
        RecordChunk::copy(&RecordRows { time, key: &key, failures: None }).unwrap()
    }

    #[test]
    fn numbers_rows_and_keeps_only_chunks_with_rows() {
        let mut inbox: Inbox<RecordChunk> = Inbox::default();
        assert_eq!(inbox.push(chunk(&[1.0, 2.0]), 2_000_000), 0);
        assert_eq!(inbox.push(chunk(&[]), 2_000_000), 2);
        assert_eq!(inbox.push(chunk(&[3.0]), 3_000_000), 2);
        assert_eq!((inbox.chunks.len(), inbox.submitted(), inbox.pending()), (2, 3, 3));
        assert_eq!(inbox.chunks[1].first_id, 2);
        assert_eq!(inbox.not_before(0), (3_000_000, 3.0));
        assert_eq!(inbox.not_before(4_000_000), (4_000_000, 4.0));
        inbox.row = 1;
        assert_eq!((inbox.peek(), inbox.pending()), (Some(2_000_000), 2));
        inbox.next_chunk();
        assert_eq!((inbox.peek(), inbox.pending()), (Some(3_000_000), 1));
        inbox.next_chunk();
        assert_eq!((inbox.peek(), inbox.pending()), (None, 0));
    }

    #[test]
    fn a_copy_does_not_follow_the_callers_buffer() {
        let mut time = vec![1.0, 2.0];
        let c = chunk(&time);
        time[0] = f64::NAN;
        assert_eq!(c.time, vec![1.0, 2.0]);
    }
}

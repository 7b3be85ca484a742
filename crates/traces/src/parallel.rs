//! The CSV reader on several threads. The file's rows are cut into blocks of about
//! [`Threads::bytes`] at line ends; thread `w` of `n` parses blocks `w`, `w + n`, ... into
//! columns of their own (text columns with their own dictionaries), and this thread appends
//! them in file order, renumbering each block's text codes into the file's dictionary, so that
//! codes stay in order of first appearance in the file. Memory: the output columns and, per
//! thread, one block's bytes and columns in the making and one finished block's waiting.
//!
//! A line end starts a record unless a quoted field holds it. Block 0 starts after the header,
//! so where a record starts; a block parsed from where a record starts and whose last record
//! ends at its end proves the next block's start a record's start too. Blocks are therefore
//! taken in order, each only while this proof holds: a block whose last record goes on past its
//! end (a quoted field holding a line end at the cut) makes the reader read the file again in
//! one pass; the first bad row of the first block with one is the first bad row of the file.

use std::fs::File;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use memchr::memchr;

use crate::csv::{Column, Reader, Spec, Table};
use crate::lines::BUFFER_BYTES;
use crate::records::{first_record, records, Span};
use crate::Error;

/// How many threads read a CSV file, in blocks of how many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads {
    pub threads: usize,
    pub bytes: usize,
}

impl Threads {
    /// One pass on the calling thread.
    pub const ONE: Threads = Threads { threads: 1, bytes: BLOCK_BYTES };
}

/// Most threads [`Threads::default`] takes: past two, reading the page cache (memory
/// bandwidth) rather than parsing bounds the reader on the machines measured.
pub const MAX_THREADS: usize = 4;

/// A block's bytes: large against a block's distinct text values (each looked up once more
/// when the block is appended), small against the memory of the output columns.
pub const BLOCK_BYTES: usize = 8 << 20;

impl Default for Threads {
    /// As many threads as the machine has cores, up to [`crate::csv::MAX_THREADS`], in
    /// blocks of [`crate::csv::BLOCK_BYTES`].
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Threads { threads: cores.min(MAX_THREADS), bytes: BLOCK_BYTES }
    }
}

/// What one block gave: its rows, the lines they took, whether its last record ended at the
/// block's end, or its first bad row (its line counted from the block's first line, 1).
struct Block {
    table: Table,
    lines: u64,
    whole: bool,
    error: Option<Error>,
}

/// The file read on `threads`, or `None` when it must be read in one pass: a header that is
/// not followed by a line end (or is bad: the one-pass reader says why), or a quoted field
/// across a cut between blocks.
pub(crate) fn read_csv(path: &Path, specs: &[Spec], matrix_from: Option<&str>, threads: Threads) -> Option<Result<Table, Error>> {
    let name = path.display().to_string();
    let file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len() as usize;
    let mut head = vec![0u8; size.min(BUFFER_BYTES)];
    read_at(&file, &mut head, 0).ok()?;
    let mut spans: Vec<Span> = Vec::new();
    let (end, used) = first_record(&head, head.len() == size, &mut spans).ok()??;
    if used == 0 || head[used - 1] != b'\n' {
        return None;
    }
    let header_lines = 1 + memchr::memchr_iter(b'\n', &head[..end]).count() as u64;
    let proto = Reader::new(&name, &head[..end], &spans, specs, matrix_from).ok()?;
    let step = threads.bytes.max(1);
    let blocks = (size - used).div_ceil(step);
    let n = threads.threads.clamp(1, blocks.max(1));
    let cut = Cut { file: &file, size, first: used, step };
    std::thread::scope(|s| {
        let mut blocks_in: Vec<Receiver<Block>> = Vec::with_capacity(n);
        let mut tables_back: Vec<SyncSender<Table>> = Vec::with_capacity(n);
        for w in 0..n {
            let (tx, rx) = sync_channel(1);
            let (back, recycled) = sync_channel::<Table>(2);
            let mut reader = proto.empty();
            let cut = &cut;
            s.spawn(move || {
                let mut buf = Vec::new();
                for k in (w..blocks).step_by(n) {
                    let block = parse(&mut reader, cut, k, &mut buf);
                    // the next block's columns: those of one already appended, when there is one
                    reader.table = recycled.try_recv().unwrap_or_else(|_| block.table.empty_like());
                    if tx.send(block).is_err() {
                        return; // an error or a quoted field at a cut: nobody waits
                    }
                }
            });
            blocks_in.push(rx);
            tables_back.push(back);
        }
        let mut out = proto.table.empty_like();
        let mut line = header_lines + 1;
        for k in 0..blocks {
            let mut block = blocks_in[k % n].recv().expect("a reader thread ended early");
            if let Some(mut e) = block.error {
                if let Error::Row { line: at, .. } = &mut e {
                    *at += line - 1;
                }
                return Some(Err(e));
            }
            out.append(&block.table);
            line += block.lines;
            if !block.whole {
                return None;
            }
            block.table.clear();
            let _ = tables_back[k % n].try_send(block.table); // or dropped, when two are waiting
        }
        Some(Ok(out))
    })
}

/// Where block `k` lies: from after the first line end at or after byte
/// `first - 1 + k * step` to after the first at or after `first - 1 + (k + 1) * step` (the
/// file's end when there is none), so that neighbouring blocks meet and block 0 starts at
/// `first`, the header's end.
struct Cut<'a> {
    file: &'a File,
    size: usize,
    first: usize,
    step: usize,
}

/// Block `k` parsed into `reader`'s columns (empty), read through `buf`.
fn parse(reader: &mut Reader<'_>, cut: &Cut<'_>, k: usize, buf: &mut Vec<u8>) -> Block {
    let from = cut.first - 1 + k * cut.step;
    let (mut lines, mut whole, mut error) = (0, true, None);
    match load(cut, from, buf) {
        Err(e) => error = Some(Error::io(reader.path, &e)),
        Ok(None) => {}
        Ok(Some((start, end))) => {
            let eof = from + end == cut.size;
            let mut spans = Vec::new();
            let path = reader.path;
            let mut row = |record: &[u8], fields: &[Span], line: u64| match record.is_empty() {
                true => Ok(()), // a blank line
                false => reader.row(record, fields, line),
            };
            match records(path, &buf[start..end], eof, 1, &mut spans, &mut row) {
                Ok((used, n)) => {
                    lines = n;
                    whole = start + used == end;
                }
                Err(e) => error = Some(e),
            }
        }
    }
    Block { table: std::mem::take(&mut reader.table), lines, whole, error }
}

/// Reads block at `from` into `buf`: the range of its bytes there, `None` when it is empty.
fn load(cut: &Cut<'_>, from: usize, buf: &mut Vec<u8>) -> std::io::Result<Option<(usize, usize)>> {
    if from >= cut.size {
        return Ok(None);
    }
    let mut len = (cut.step + 1).min(cut.size - from);
    buf.resize(buf.len().max(len), 0);
    read_at(cut.file, &mut buf[..len], from)?;
    let Some(i) = memchr(b'\n', &buf[..len.min(cut.step)]) else {
        return Ok(None); // no line end before the next block's search: it starts where this would
    };
    let mut seen = cut.step;
    loop {
        if seen < len {
            if let Some(j) = memchr(b'\n', &buf[seen..len]) {
                return Ok(Some((i + 1, seen + j + 1)));
            }
            seen = len;
        }
        if from + len == cut.size {
            return Ok(Some((i + 1, len)));
        }
        let more = BUFFER_BYTES.min(cut.size - from - len);
        buf.resize(buf.len().max(len + more), 0);
        read_at(cut.file, &mut buf[len..len + more], from + len)?;
        len += more;
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: usize) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at as u64)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut at: usize) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at as u64) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                at += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Table {
    /// Appends `block`'s rows (read by the same reader), its text codes renumbered into this
    /// table's dictionaries: the block's values in its code order, which is their order of
    /// first appearance in the block, so that new values get their codes in file order.
    fn append(&mut self, block: &Table) {
        for (mine, theirs) in self.columns.iter_mut().zip(&block.columns) {
            match (mine, theirs) {
                (Some(Column::Number(a)), Some(Column::Number(b))) => a.extend_from_slice(b),
                (Some(Column::Count(a)), Some(Column::Count(b))) => a.extend_from_slice(b),
                (Some(Column::Flag(a)), Some(Column::Flag(b))) => a.extend_from_slice(b),
                (Some(Column::Index(a)), Some(Column::Index(b))) => a.extend_from_slice(b),
                (Some(Column::Text(a, text)), Some(Column::Text(b, theirs))) => {
                    let codes: Vec<u32> = (0..theirs.len() as u32).map(|c| text.code(theirs.get(c))).collect();
                    a.extend(b.iter().map(|&c| codes[c as usize]));
                }
                (None, None) => {}
                _ => unreachable!("a block read by the same reader has the same columns"),
            }
        }
        self.matrix.extend_from_slice(&block.matrix);
        self.rows += block.rows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::Kind;

    const SPECS: &[Spec] = &[Spec::required("a", Kind::Text), Spec::required("b", Kind::Number)];

    fn read(name: &str, text: &str, bytes: usize) -> Option<Result<Table, Error>> {
        let dir = std::env::temp_dir().join(format!("lambda_core_traces_cuts_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        read_csv(&path, SPECS, None, Threads { threads: 2, bytes })
    }

    #[test]
    fn blocks_or_one_pass() {
        // quoted fields without line ends: read in blocks, whatever the cuts
        let t = read("p.csv", "a,b\n\"x,y\",1\nz,2\r\n\n\"x,y\",3\n", 3).unwrap().unwrap();
        assert_eq!((t.rows, t.columns.len()), (3, 2));
        // a quoted line end at a cut: one pass; not at a cut (one block): in blocks
        let text = "a,b\nx,1\n\"two\nlines\",2\nz,3\n";
        assert!(read("q.csv", text, 6).is_none());
        assert_eq!(read("q.csv", text, 1000).unwrap().unwrap().rows, 3);
        // a header alone, with or without its line end; an empty file
        assert_eq!(read("h.csv", "a,b\n", 4).unwrap().unwrap().rows, 0);
        assert!(read("e.csv", "a,b", 4).is_none() && read("z.csv", "", 4).is_none());
    }

    #[test]
    fn neighbouring_blocks_meet() {
        let mut buf = Vec::new();
        let text = b"h\nab\n\ncdefgh\nij\n";
        let path = std::env::temp_dir().join(format!("lambda_core_traces_meet_{}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let file = File::open(&path).unwrap();
        for step in 1..20 {
            let cut = Cut { file: &file, size: text.len(), first: 2, step };
            let mut at = 2;
            for k in 0..(text.len() - 2).div_ceil(step) {
                if let Some((start, end)) = load(&cut, 1 + k * step, &mut buf).unwrap() {
                    assert_eq!(1 + k * step + start, at, "step {step}, block {k}");
                    at = 1 + k * step + end;
                }
            }
            assert_eq!(at, text.len(), "step {step}");
        }
    }
}

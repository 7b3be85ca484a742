//! Lines of a file through one fixed buffer.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use memchr::memchr;

use crate::Error;

/// The readers' buffer: 1 MiB, grown only for a line longer than that.
pub const BUFFER_BYTES: usize = 1 << 20;

/// Calls `f(line, number)` for every line of the file at `path` (number 1-based; the line
/// without its `\n` or `\r\n`), reading through one buffer of [`BUFFER_BYTES`]. A last line
/// without a newline counts. `f` stops the reading with an error.
pub fn for_each_line(path: &Path, mut f: impl FnMut(&[u8], u64) -> Result<(), Error>) -> Result<(), Error> {
    let name = path.display().to_string();
    let mut file = File::open(path).map_err(|e| Error::io(&name, &e))?;
    let mut buf = vec![0u8; BUFFER_BYTES];
    let (mut start, mut end, mut number) = (0usize, 0usize, 1u64);
    loop {
        let n;
        (end, n) = refill(&mut file, &mut buf, start, end, &name)?;
        start = 0;
        while let Some(i) = memchr(b'\n', &buf[start..end]) {
            f(trim_cr(&buf[start..start + i]), number)?;
            number += 1;
            start += i + 1;
        }
        if n == 0 {
            if start < end {
                f(trim_cr(&buf[start..end]), number)?;
            }
            return Ok(());
        }
    }
}

/// Keeps the unread bytes `buf[start..end]` at the front of `buf` (grown when they fill it, so
/// that a longer line or record still fits) and reads more after them, retrying a read a
/// signal interrupted. Returns the new end of the data and the bytes read (0: the end of the
/// file).
pub(crate) fn refill(file: &mut File, buf: &mut Vec<u8>, start: usize, end: usize, name: &str) -> Result<(usize, usize), Error> {
    buf.copy_within(start..end, 0);
    let kept = end - start;
    if kept == buf.len() {
        buf.resize(buf.len() * 2, 0);
    }
    loop {
        match file.read(&mut buf[kept..]) {
            Ok(n) => return Ok((kept + n, n)),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(name, &e)),
        }
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

//! CloudWatch Logs of a Lambda function (`/aws/lambda/FUNCTION`): its REPORT lines, as text or
//! as the JSON of `aws logs filter-log-events`. Other lines (START, END, the function's own
//! output) are skipped.
//!
//! Text lines take three shapes, told apart by what comes before `REPORT RequestId:`:
//! - `aws logs filter-log-events --output text`: `EVENTS<tab>eventId<tab>ingestionTime<tab>
//!   logStreamName<tab>message<tab>timestamp`, where the timestamp (epoch ms) follows the
//!   message, on the next line when the message ends with a newline (Lambda's do);
//! - `aws logs tail`: `timestamp logStreamName message`;
//! - exported log files: `timestamp message` (no stream).
//!
//! Timestamps are ISO 8601 or epoch milliseconds.

use std::fmt::Display;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::csv::trim;
use crate::lines::{for_each_line, BUFFER_BYTES};
use crate::report::{parse, Report, FIND_REPORT, NO_STREAM};
use crate::timestamp::millis;
use crate::{Error, Reports};

/// The REPORT lines of a text log (module doc: the three shapes).
pub fn read_text(path: &Path) -> Result<Reports, Error> {
    let name = path.display().to_string();
    let mut out = Reports::default();
    // an EVENTS line whose timestamp is on the next line
    let mut waiting: Option<(Report, u32, u64)> = None;
    for_each_line(path, |line, number| {
        if let Some((report, stream, at)) = waiting.take() {
            let token = trim(line);
            return match epoch_ms(token) {
                Some(ms) => {
                    out.push(ms, &report, stream);
                    Ok(())
                }
                None => Err(Error::row(&name, at, 1, "timestamp", format!(
                    "the EVENTS line's timestamp is neither at its end nor alone on line {number}"))),
            };
        }
        let Some(at) = FIND_REPORT.find(line) else {
            return Ok(());
        };
        let (prefix, message) = line.split_at(at);
        let report = parse(message).map_err(|(offset, label, m)| {
            Error::row(&name, number, char_column(line, at + offset), label, m)
        })?;
        if prefix.starts_with(b"EVENTS\t") {
            let parts: Vec<&[u8]> = prefix.split(|&c| c == b'\t').collect();
            let stream = match parts.get(3) {
                Some(s) if parts.len() >= 5 && !s.is_empty() => out.streams.code(s),
                _ => NO_STREAM,
            };
            let last = message.rsplit(|&c| c == b'\t').next().map(trim).unwrap_or_default();
            match epoch_ms(last) {
                Some(ms) => out.push(ms, &report, stream),
                None => waiting = Some((report, stream, number)),
            }
            return Ok(());
        }
        let mut tokens = prefix.split(|&c| c == b' ' || c == b'\t').filter(|t| !t.is_empty());
        let Some(first) = tokens.next() else {
            return Err(Error::row(&name, number, 1, "timestamp",
                "a REPORT line without a timestamp before it (ISO 8601 or epoch milliseconds)"));
        };
        let Some(ms) = millis(first) else {
            return Err(Error::row(&name, number, 1, "timestamp", format!(
                "'{}' is not a timestamp (ISO 8601 or epoch milliseconds)", String::from_utf8_lossy(first))));
        };
        let stream = match tokens.next_back() {
            Some(s) => out.streams.code(s),
            None => NO_STREAM,
        };
        out.push(ms, &report, stream);
        Ok(())
    })?;
    if let Some((_, _, at)) = waiting {
        return Err(Error::row(&name, at, 1, "timestamp", "the file ends before the EVENTS line's timestamp"));
    }
    Ok(out)
}

/// Epoch milliseconds written as digits only (the CLI's `timestamp`).
fn epoch_ms(token: &[u8]) -> Option<f64> {
    if token.is_empty() || !token.iter().all(u8::is_ascii_digit) {
        return None;
    }
    millis(token)
}

fn char_column(line: &[u8], byte: usize) -> u64 {
    String::from_utf8_lossy(&line[..byte.min(line.len())]).chars().count() as u64 + 1
}

/// The REPORT events of `aws logs filter-log-events` JSON (`{"events": [{"timestamp": ms,
/// "message": "...", "logStreamName": "..."}, ...], ...}`), or of a bare array of events
/// (`--query events`). The document is read as a stream: events are not held.
pub fn read_json(path: &Path) -> Result<Reports, Error> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::io(&name, &e))?;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(BUFFER_BYTES, file));
    let mut out = Reports::default();
    Top(&mut out).deserialize(&mut de).map_err(|e| json_error(&name, &e))?;
    de.end().map_err(|e| json_error(&name, &e))?;
    Ok(out)
}

/// Separates the field's name from the message in a custom error (serde_json adds the
/// position to it).
const NAME_END: char = '\u{1f}';

fn custom<E: de::Error>(field: &str, message: impl Display) -> E {
    E::custom(format!("{field}{NAME_END}{message}"))
}

fn json_error(path: &str, e: &serde_json::Error) -> Error {
    if e.is_io() {
        return Error::Io { path: path.to_owned(), message: e.to_string() };
    }
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let text = text.strip_suffix(&suffix).unwrap_or(&text);
    let (name, message) = text.split_once(NAME_END).unwrap_or(("", text));
    Error::row(path, e.line() as u64, e.column() as u64, name, message)
}

struct Top<'a>(&'a mut Reports);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the JSON of aws logs filter-log-events (an object with an 'events' array) or an array of events")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "events" {
                map.next_value_seed(Events(&mut *self.0))?;
                seen = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !seen {
            return Err(custom("events", "no 'events' array: the JSON of aws logs filter-log-events was expected"));
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Events(self.0).visit_seq(seq)
    }
}

struct Events<'a>(&'a mut Reports);

impl<'de> DeserializeSeed<'de> for Events<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Events<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of log events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq.next_element_seed(Event(&mut *self.0, index))?.is_some() {
            index += 1;
        }
        Ok(())
    }
}

struct Event<'a>(&'a mut Reports, usize);

impl<'de> DeserializeSeed<'de> for Event<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Event<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a log event (an object with timestamp, message and logStreamName)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut timestamp, mut message, mut stream) = (None::<f64>, None::<String>, None::<String>);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "timestamp" => timestamp = Some(map.next_value()?),
                "message" => message = Some(map.next_value()?),
                "logStreamName" => stream = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let i = self.1;
        let Some(message) = message else {
            return Err(custom("message", format!("event {i} (from 0) has no message")));
        };
        let bytes = message.as_bytes();
        let Some(at) = FIND_REPORT.find(bytes) else {
            return Ok(());
        };
        let report = parse(&bytes[at..]).map_err(|(_, label, m)| custom(label, format!("event {i} (from 0): {m}")))?;
        let Some(ms) = timestamp else {
            return Err(custom("timestamp", format!("event {i} (from 0) is a REPORT without a timestamp")));
        };
        let code = match stream {
            Some(s) if !s.is_empty() => self.0.streams.code(s.as_bytes()),
            _ => NO_STREAM,
        };
        self.0.push(ms, &report, code);
        Ok(())
    }
}

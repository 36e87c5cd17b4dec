//! JSON Lines import and export: the interchange form of the log.
//!
//! # The form
//!
//! One JSON object per line: the envelope keys a caller may give, then the
//! event's `"type"` and its own fields (see [`crate::event`]):
//!
//! ```text
//! {"event_id":"0b6d…","schema_version":2,"type":"payment_received","payment":"PAY-1",…}
//! ```
//!
//! - `event_id` (optional): a UUID. When absent the id is derived from the
//!   content ([`NewEvent::id`]: UUID v5 of the stream and the canonical JSON),
//!   so importing the same file twice appends nothing the second time.
//! - `schema_version` (optional, default [`SCHEMA_VERSION`]): the version of
//!   the form the line is written in. Older versions are upcast before the
//!   event is read (version 1 `payment_received` had no `method`: it reads as
//!   `"method":"unknown"`, and a version 1 line that does give a method is
//!   refused). Versions newer than this build knows are refused.
//! - Blank lines are skipped (they still count in line numbers); a line may
//!   end in `\r\n`; a UTF-8 byte order mark before the first line is skipped.
//!   A line longer than [`MAX_LINE_BYTES`] is refused without being read
//!   into memory whole.
//! - A key given twice in one object is refused (never "last one wins").
//!
//! Errors name the line and, where there is one, the field path:
//! `line 12: field lines[0].price: invalid value: string "1,000", expected a
//! Decimal …` (see [`Error::Import`]).
//!
//! # Import: the batch rule and what a failure leaves behind
//!
//! [`import`] streams: it holds one line and one batch in memory, whatever
//! the size of the input.
//!
//! **A batch is a run of consecutive lines whose events belong to the same
//! stream, cut after [`ImportOptions::batch_size`] events.** Each batch is one
//! [`EventLog::append`] with [`ExpectedVersion::Any`]: all of it is recorded
//! or none of it. A batch is appended as soon as it is complete (full, or the
//! next line belongs to another stream, or the input ended), and only after
//! every line in it was read and validated.
//!
//! So when a line is refused (or the input cannot be read), the import stops
//! with that line's number, the events of the lines before it that were not
//! yet appended — the trailing run of lines on one stream, up to
//! `batch_size − 1` of them — are dropped with it, and **the log holds
//! exactly the batches appended before**. When the log refuses a batch
//! ([`Error::ImportRefused`], or [`Error::Import`] on `event_id` for an id
//! already used by different content), nothing of that batch is recorded
//! either. Re-running the import after fixing the input resumes where it
//! stopped: everything already appended repeats as a no-op. To refuse a whole
//! file before anything is appended, run [`check`] over it first.
//!
//! Repeats: an event already in the log (same id, same content) is skipped
//! and counted in [`ImportSummary::repeats`], so a file that has grown since
//! its last import appends only its new lines. A line that repeats an earlier
//! line of the same batch is skipped the same way, so the outcome does not
//! depend on the batch size.
//!
//! # Export
//!
//! [`export`] writes every envelope of the log, in log order, as one line
//! with `event_id` and `schema_version` first. Events are written in the
//! current schema (events stored under an older version are upcast on read),
//! so the version written is always [`SCHEMA_VERSION`]. The position, stream
//! version and recorded time are the log's own and are not part of the form.
//!
//! Round trip: importing an export into an empty log reproduces the same
//! events with the same ids in the same order, and exporting that log again
//! gives the same bytes.
//!
//! ```
//! use revops_events::jsonl::{export, import, ImportOptions};
//! use revops_events::{EventLog, MemoryLog};
//!
//! let input = r#"{"type":"fx_rate_set","from":"EUR","to":"USD","rate":"1.0850","on":"2026-01-01"}
//! {"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}
//! "#;
//! let mut log = MemoryLog::default();
//! let options = ImportOptions::new("2026-02-05T09:00:00Z".parse()?);
//! let summary = import(&mut log, input.as_bytes(), options)?;
//! assert_eq!((summary.events, summary.appended, summary.batches), (2, 2, 1));
//!
//! // Importing the same lines again appends nothing.
//! let again = import(&mut log, input.as_bytes(), options)?;
//! assert_eq!((again.appended, again.repeats), (0, 2));
//! assert_eq!(log.len(), 2);
//!
//! let mut out = Vec::new();
//! assert_eq!(export(&log, &mut out)?, 2);
//! let first = String::from_utf8(out)?.lines().next().unwrap().to_owned();
//! assert!(first.starts_with(r#"{"event_id":""#));
//! assert!(first.contains(r#"","schema_version":2,"type":"fx_rate_set","from":"EUR""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, BufRead, BufWriter, Write};

use chrono::{DateTime, Utc};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use uuid::Uuid;

use crate::envelope::{Envelope, ExpectedVersion, NewEvent, Seq, SCHEMA_VERSION};
use crate::event::{self, Event};
use crate::log::{EventLog, MAX_BATCH};
use crate::stream::StreamId;
use crate::Error;

/// The longest line accepted, in bytes, without its line ending (1 MiB).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The batch size of [`ImportOptions::new`].
pub const DEFAULT_BATCH_SIZE: usize = 1_000;

/// The oldest schema version this build reads.
pub const OLDEST_SCHEMA_VERSION: u16 = 1;

/// How [`import`] appends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// The most events one batch (one append) carries, 1 to
    /// [`MAX_BATCH`]; a batch never spans two streams.
    pub batch_size: usize,
    /// The recorded time stamped on every event appended: the caller's
    /// clock, read once (nothing below the CLI reads the clock).
    pub recorded_at: DateTime<Utc>,
}

impl ImportOptions {
    /// Batches of [`DEFAULT_BATCH_SIZE`] events recorded at `recorded_at`.
    pub fn new(recorded_at: DateTime<Utc>) -> Self {
        ImportOptions { batch_size: DEFAULT_BATCH_SIZE, recorded_at }
    }

    /// The same options with batches of at most `batch_size` events.
    pub fn with_batch_size(self, batch_size: usize) -> Self {
        ImportOptions { batch_size, ..self }
    }
}

/// What an [`import`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// Lines read, blank ones included.
    pub lines: u64,
    /// Lines that held an event.
    pub events: u64,
    /// Events appended to the log.
    pub appended: u64,
    /// Events skipped because the log (or an earlier line of the same
    /// batch) already held them: `events = appended + repeats`.
    pub repeats: u64,
    /// Batches handed to the log: runs of consecutive lines on one stream,
    /// cut at the batch size (a batch made only of repeats counts too).
    pub batches: u64,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines, {} events: {} appended, {} already in the log; {} batches",
            self.lines, self.events, self.appended, self.repeats, self.batches
        )
    }
}

/// One event read from a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedLine {
    /// The line number, from 1.
    pub line: u64,
    /// The event, upcast to the current schema, with the line's `event_id`
    /// if it gave one.
    pub event: NewEvent,
}

/// Reads events from JSON Lines, one line at a time, in constant memory.
///
/// The reader stops at the first error: after one, [`EventReader::next_event`]
/// returns `Ok(None)`.
///
/// ```
/// use revops_events::jsonl::EventReader;
///
/// let input = "\n{\"type\":\"period_closed\",\"period\":\"2026-01\",\"closed_on\":\"2026-02-05\"}\n";
/// let events: Vec<_> = EventReader::new(input.as_bytes()).collect::<Result<_, _>>()?;
/// assert_eq!(events.len(), 1);
/// assert_eq!(events[0].line, 2);
/// assert_eq!(events[0].event.event.type_name(), "period_closed");
/// # Ok::<(), revops_events::Error>(())
/// ```
#[derive(Debug)]
pub struct EventReader<R> {
    reader: R,
    buf: Vec<u8>,
    line: u64,
    done: bool,
}

impl<R: BufRead> EventReader<R> {
    /// A reader over `reader`.
    pub fn new(reader: R) -> Self {
        EventReader { reader, buf: Vec::new(), line: 0, done: false }
    }

    /// Lines read so far (the number of the last line read).
    pub fn lines_read(&self) -> u64 {
        self.line
    }

    /// The next event, skipping blank lines; `None` at the end of the input
    /// or after an error.
    pub fn next_event(&mut self) -> Result<Option<ParsedLine>, Error> {
        while !self.done {
            let result = self.next_line();
            if result.is_err() {
                self.done = true;
            }
            if let Some(parsed) = result? {
                return Ok(Some(parsed));
            }
        }
        Ok(None)
    }

    /// Reads one line: `Ok(None)` for a blank line or the end of input.
    fn next_line(&mut self) -> Result<Option<ParsedLine>, Error> {
        self.buf.clear();
        let line = self.line + 1;
        let read = read_bounded_line(&mut self.reader, &mut self.buf, MAX_LINE_BYTES)
            .map_err(|e| Error::ImportRead { line, kind: e.kind(), message: e.to_string() })?;
        match read {
            LineRead::End => {
                self.done = true;
                return Ok(None);
            }
            LineRead::TooLong => {
                self.line = line;
                return Err(import_error(line, None, format!("the line is longer than {MAX_LINE_BYTES} bytes")));
            }
            LineRead::Line => self.line = line,
        }
        let text = std::str::from_utf8(&self.buf)
            .map_err(|e| import_error(line, None, format!("not UTF-8 (byte {})", e.valid_up_to() + 1)))?;
        let text = if line == 1 { text.strip_prefix('\u{feff}').unwrap_or(text) } else { text };
        Ok(parse_line(text, line)?.map(|event| ParsedLine { line, event }))
    }
}

impl<R: BufRead> Iterator for EventReader<R> {
    type Item = Result<ParsedLine, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}

impl<R: BufRead> std::iter::FusedIterator for EventReader<R> {}

/// Parses one line of the interchange form (numbered `line` in errors):
/// `Ok(None)` for a blank line.
///
/// ```
/// use revops_events::jsonl::parse_line;
/// use revops_events::event::PaymentMethod;
/// use revops_events::Event;
///
/// // A schema 1 payment had no method: it reads as `unknown`.
/// let v1 = r#"{"schema_version":1,"type":"payment_received","payment":"P-1","customer":"ACME",
///   "amount":"700.00","currency":"USD","received_on":"2026-02-10"}"#;
/// let Some(new) = parse_line(v1, 1)? else { unreachable!() };
/// let Event::PaymentReceived(payment) = &new.event else { unreachable!() };
/// assert_eq!(payment.method, PaymentMethod::Unknown);
///
/// let typo = r#"{"type":"payment_received","payment":"P-1","customer":"ACME","amount":"1,000.00",
///   "currency":"USD","received_on":"2026-02-10","method":"wire"}"#;
/// let err = parse_line(typo, 7).unwrap_err().to_string();
/// assert!(err.starts_with("line 7: field amount: invalid value"), "{err}");
/// # Ok::<(), revops_events::Error>(())
/// ```
pub fn parse_line(text: &str, line: u64) -> Result<Option<NewEvent>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let mut object = parse_object(text, line)?;
    let event_id = take_event_id(&mut object, line)?;
    let version = take_schema_version(&mut object, line)?;
    let tag = match object.remove("type") {
        Some(Value::String(tag)) => tag,
        None => return Err(import_error(line, Some("type".into()), "missing field `type`".into())),
        Some(other) => {
            return Err(import_error(
                line,
                Some("type".into()),
                format!("expected a string, found {}", describe(&other)),
            ))
        }
    };
    upcast(version, &tag, &mut object, line)?;
    let event = read_event(&tag, object, line)?;
    Ok(Some(NewEvent { event_id, event }))
}

/// Reads every line of `reader` without appending anything: the number of
/// events, or the first error. Run it before [`import`] to refuse a whole
/// file when any line of it is bad.
pub fn check(reader: impl BufRead) -> Result<u64, Error> {
    let mut events = EventReader::new(reader);
    let mut count = 0;
    while events.next_event()?.is_some() {
        count += 1;
    }
    Ok(count)
}

/// Imports JSON Lines from `reader` into `log`, streaming, in batches (see
/// the [module docs](self) for the batch rule and what a failure leaves in
/// the log).
///
/// # Errors
///
/// [`Error::Import`] for a line that is not a valid event (its number and
/// field); [`Error::ImportRead`] when the input cannot be read;
/// [`Error::ImportRefused`] when the log refuses a batch;
/// [`Error::EmptyBatch`] or [`Error::BatchTooLarge`] for a batch size outside
/// 1 to [`MAX_BATCH`], before anything is read.
pub fn import<L: EventLog + ?Sized>(
    log: &mut L,
    reader: impl BufRead,
    options: ImportOptions,
) -> Result<ImportSummary, Error> {
    if options.batch_size == 0 {
        return Err(Error::EmptyBatch);
    }
    if options.batch_size > MAX_BATCH {
        return Err(Error::BatchTooLarge { count: options.batch_size, limit: MAX_BATCH });
    }
    let mut summary = ImportSummary::default();
    let mut events = EventReader::new(reader);
    let mut batch = Batch::default();
    let result = loop {
        let parsed = match events.next_event() {
            Ok(Some(parsed)) => parsed,
            Ok(None) => break batch.flush(log, options.recorded_at, &mut summary),
            Err(e) => break Err(e),
        };
        summary.events += 1;
        let stream = parsed.event.event.stream();
        if batch.stream.as_ref().is_some_and(|s| *s != stream) {
            if let Err(e) = batch.flush(log, options.recorded_at, &mut summary) {
                break Err(e);
            }
        }
        if let Err(e) = batch.push(stream, parsed, &mut summary) {
            break Err(e);
        }
        if batch.events.len() == options.batch_size {
            if let Err(e) = batch.flush(log, options.recorded_at, &mut summary) {
                break Err(e);
            }
        }
    };
    summary.lines = events.lines_read();
    result.map(|()| summary)
}

/// Writes every event of `log` as JSON Lines to `writer`, streaming; returns
/// the number of events written. See the [module docs](self) for the form.
///
/// # Errors
///
/// [`Error::ExportWrite`] when the writer fails; any error the log gives
/// while reading.
pub fn export<L: EventLog + ?Sized>(log: &L, writer: impl Write) -> Result<u64, Error> {
    export_from(log, Seq(0), writer)
}

/// Like [`export`], from position `from` on (an incremental export).
pub fn export_from<L: EventLog + ?Sized>(log: &L, from: Seq, writer: impl Write) -> Result<u64, Error> {
    let mut out = BufWriter::with_capacity(64 * 1024, writer);
    let mut line = Vec::with_capacity(1024);
    let mut scratch = Vec::with_capacity(1024);
    let mut written = 0;
    let write_error = |written, e: io::Error| Error::ExportWrite { written, kind: e.kind(), message: e.to_string() };
    for envelope in log.read(from) {
        let envelope = envelope?;
        line.clear();
        write_line(&mut line, &mut scratch, envelope.event_id, &envelope.event);
        out.write_all(&line).map_err(|e| write_error(written, e))?;
        written += 1;
    }
    out.flush().map_err(|e| write_error(written, e))?;
    Ok(written)
}

/// One event in the interchange form, with `event_id` and `schema_version`
/// first, ending in `\n`: the line [`export`] writes for an envelope.
pub fn to_line(envelope: &Envelope) -> String {
    let mut line = Vec::new();
    write_line(&mut line, &mut Vec::new(), envelope.event_id, &envelope.event);
    String::from_utf8(line).expect("serde_json writes UTF-8")
}

fn write_line(line: &mut Vec<u8>, scratch: &mut Vec<u8>, event_id: Uuid, event: &Event) {
    scratch.clear();
    serde_json::to_writer(&mut *scratch, event).expect("events always serialize");
    // The event is an object that starts with its "type": splice the
    // envelope keys in front of it.
    debug_assert!(scratch.starts_with(b"{\"type\":"));
    let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
    line.extend_from_slice(b"{\"event_id\":\"");
    line.extend_from_slice(event_id.hyphenated().encode_lower(&mut id).as_bytes());
    line.extend_from_slice(b"\",\"schema_version\":");
    line.extend_from_slice(SCHEMA_VERSION.to_string().as_bytes());
    line.push(b',');
    line.extend_from_slice(&scratch[1..]);
    line.push(b'\n');
}

/// The events read but not yet appended: one stream, in line order.
#[derive(Default)]
struct Batch {
    stream: Option<StreamId>,
    events: Vec<NewEvent>,
    lines: Vec<u64>,
    ids: HashMap<Uuid, usize>,
}

impl Batch {
    fn push(&mut self, stream: StreamId, parsed: ParsedLine, summary: &mut ImportSummary) -> Result<(), Error> {
        let id = parsed.event.id();
        if let Some(&earlier) = self.ids.get(&id) {
            if self.events[earlier].event == parsed.event.event {
                summary.repeats += 1;
                return Ok(());
            }
            let message = format!("event {id} is already used by line {} with different content", self.lines[earlier]);
            return Err(import_error(parsed.line, Some("event_id".into()), message));
        }
        self.stream.get_or_insert(stream);
        self.ids.insert(id, self.events.len());
        // The log records the same id either way; given explicitly, it is
        // not derived again (re-serializing the event) at every look.
        self.events.push(NewEvent { event_id: Some(id), event: parsed.event.event });
        self.lines.push(parsed.line);
        Ok(())
    }

    /// Appends the batch (all or nothing) and empties it.
    fn flush<L: EventLog + ?Sized>(
        &mut self,
        log: &mut L,
        recorded_at: DateTime<Utc>,
        summary: &mut ImportSummary,
    ) -> Result<(), Error> {
        let Some(stream) = self.stream.take() else { return Ok(()) };
        let result = self.append(log, &stream, recorded_at, summary);
        self.events.clear();
        self.lines.clear();
        self.ids.clear();
        result
    }

    fn append<L: EventLog + ?Sized>(
        &self,
        log: &mut L,
        stream: &StreamId,
        recorded_at: DateTime<Utc>,
        summary: &mut ImportSummary,
    ) -> Result<(), Error> {
        let before = Seq(log.len());
        match log.append(stream, ExpectedVersion::Any, &self.events, recorded_at) {
            Ok(positions) => {
                summary.batches += 1;
                let count = self.events.len() as u64;
                if positions.start >= before {
                    summary.appended += count;
                } else {
                    summary.repeats += count;
                }
                Ok(())
            }
            // Some of the batch is in the log already (a file that grew since
            // it was last imported): append the rest. Repeats are of the same
            // content, hence of the same stream, so the stream tells which.
            Err(Error::PartialRepeat { .. }) => {
                let mut present = HashSet::new();
                for envelope in log.read_stream(stream) {
                    let id = envelope?.event_id;
                    if self.ids.contains_key(&id) {
                        present.insert(id);
                    }
                }
                let fresh: Vec<NewEvent> = self.events.iter().filter(|e| !present.contains(&e.id())).cloned().collect();
                summary.repeats += (self.events.len() - fresh.len()) as u64;
                if fresh.is_empty() {
                    return Ok(());
                }
                log.append(stream, ExpectedVersion::Any, &fresh, recorded_at).map_err(|e| self.refused(e))?;
                summary.batches += 1;
                summary.appended += fresh.len() as u64;
                Ok(())
            }
            Err(e) => Err(self.refused(e)),
        }
    }

    /// The error for a batch the log refused: on the line of the event it
    /// names, or on the whole batch.
    fn refused(&self, error: Error) -> Error {
        if let Error::IdempotencyConflict { event_id, .. } = &error {
            if let Some(&i) = self.ids.get(event_id) {
                return import_error(self.lines[i], Some("event_id".into()), error.to_string());
            }
        }
        Error::ImportRefused {
            first_line: self.lines.first().copied().unwrap_or(0),
            last_line: self.lines.last().copied().unwrap_or(0),
            refusal: Box::new(error),
        }
    }
}

fn import_error(line: u64, field: Option<String>, message: String) -> Error {
    Error::Import { line, field, message }
}

enum LineRead {
    /// A line is in the buffer (without its `\n`).
    Line,
    /// The line exceeds the limit; the reader stopped inside it.
    TooLong,
    /// No more input.
    End,
}

/// Reads up to the next `\n` into `buf` (without the `\n` or `\r\n`),
/// never holding more than `limit + 1` bytes of one line: a line longer than
/// `limit` bytes is `TooLong`.
fn read_bounded_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, limit: usize) -> io::Result<LineRead> {
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (any, buf.len() > limit) {
                (false, _) => LineRead::End,
                (true, false) => LineRead::Line,
                (true, true) => LineRead::TooLong,
            });
        }
        any = true;
        let (take, newline) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        // One byte of slack for a `\r` before the `\n`.
        if buf.len() + take > limit + 1 {
            return Ok(LineRead::TooLong);
        }
        buf.extend_from_slice(&available[..take]);
        reader.consume(take + usize::from(newline));
        if newline {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(if buf.len() > limit { LineRead::TooLong } else { LineRead::Line });
        }
    }
}

/// Parses the line into a JSON object, refusing duplicate keys at any depth.
fn parse_object(text: &str, line: u64) -> Result<Map<String, Value>, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    // Tracking the path costs an allocation per key: parse again with it
    // only when there is an error to report.
    let parsed = StrictValue::deserialize(&mut de).or_else(|_| {
        de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, StrictValue>(&mut de).map_err(|e| {
            let path = e.path().to_string();
            json_error(line, &path, e.into_inner())
        })
    })?;
    de.end().map_err(|e| json_error(line, ".", e))?;
    let value = parsed.0;
    match value {
        Value::Object(object) => Ok(object),
        other => Err(import_error(line, None, format!("expected a JSON object, found {}", describe(&other)))),
    }
}

/// A serde_json error while parsing a line: syntax errors give the column,
/// duplicate keys the path of the object that repeats them.
fn json_error(line: u64, path: &str, error: serde_json::Error) -> Error {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = message.strip_suffix(&position).unwrap_or(&message);
    match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            import_error(line, None, format!("invalid JSON: {message} at column {}", error.column()))
        }
        _ => import_error(line, field_of(path), message.to_owned()),
    }
}

fn field_of(path: &str) -> Option<String> {
    (!path.is_empty() && path != ".").then(|| path.to_owned())
}

fn take_event_id(object: &mut Map<String, Value>, line: u64) -> Result<Option<Uuid>, Error> {
    let field = || Some("event_id".to_owned());
    match object.remove("event_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) => {
            Uuid::parse_str(&id).map(Some).map_err(|e| import_error(line, field(), format!("invalid UUID {id:?}: {e}")))
        }
        Some(other) => Err(import_error(line, field(), format!("expected a UUID string, found {}", describe(&other)))),
    }
}

fn take_schema_version(object: &mut Map<String, Value>, line: u64) -> Result<u16, Error> {
    let field = || Some("schema_version".to_owned());
    let version = match object.remove("schema_version") {
        None | Some(Value::Null) => return Ok(SCHEMA_VERSION),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(version) => version,
            None => return Err(import_error(line, field(), format!("expected a whole number, found {n}"))),
        },
        Some(other) => {
            return Err(import_error(line, field(), format!("expected a whole number, found {}", describe(&other))))
        }
    };
    match u16::try_from(version) {
        Ok(v) if (OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&v) => Ok(v),
        _ => Err(import_error(
            line,
            field(),
            format!(
                "unsupported schema version {version}: this build reads versions \
                 {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION}"
            ),
        )),
    }
}

/// An upcast from version `n` to `n + 1`: rewrites the fields of an event of
/// type `tag` in place.
type Upcast = fn(tag: &str, fields: &mut Map<String, Value>, line: u64) -> Result<(), Error>;

/// The upcasts, `UPCASTS[n - OLDEST]` taking version `n` to `n + 1`. Its
/// length follows [`SCHEMA_VERSION`]: raising the version without adding the
/// step does not compile.
const UPCASTS: [Upcast; (SCHEMA_VERSION - OLDEST_SCHEMA_VERSION) as usize] = [upcast_1_to_2];

fn upcast(version: u16, tag: &str, fields: &mut Map<String, Value>, line: u64) -> Result<(), Error> {
    for step in &UPCASTS[usize::from(version - OLDEST_SCHEMA_VERSION)..] {
        step(tag, fields, line)?;
    }
    Ok(())
}

/// Version 2 added `method` to `payment_received`; version 1 payments read
/// as method `unknown`.
fn upcast_1_to_2(tag: &str, fields: &mut Map<String, Value>, line: u64) -> Result<(), Error> {
    if tag == "payment_received" {
        if fields.contains_key("method") {
            return Err(import_error(
                line,
                Some("method".into()),
                "schema version 1 payment_received has no method; give schema_version 2 to record one".into(),
            ));
        }
        fields.insert("method".into(), Value::String("unknown".into()));
    }
    Ok(())
}

macro_rules! dispatch {
    ($($tag:literal => $payload:ident,)*) => {
        /// The event types read field by field, so that errors carry the path.
        #[cfg(test)]
        const DISPATCHED: &[&str] = &[$($tag,)*];

        /// Reads the fields of an event of type `tag`; `None` for a type not
        /// in the table. Errors carry the field path.
        fn read_payload(
            tag: &str,
            fields: &Value,
        ) -> Option<Result<Event, serde_path_to_error::Error<serde_json::Error>>> {
            Some(match tag {
                $($tag => read_tracked::<event::$payload>(fields).map(Event::from),)*
                _ => return None,
            })
        }
    };
}

dispatch! {
    "customer_registered" => CustomerRegistered,
    "customer_updated" => CustomerUpdated,
    "contract_signed" => ContractSigned,
    "contract_modified" => ContractModified,
    "contract_renewed" => ContractRenewed,
    "contract_cancelled" => ContractCancelled,
    "milestone_delivered" => MilestoneDelivered,
    "milestone_accepted" => MilestoneAccepted,
    "line_delivered" => LineDelivered,
    "time_approved" => TimeApproved,
    "usage_recorded" => UsageRecorded,
    "invoice_issued" => InvoiceIssued,
    "invoice_dispatched" => InvoiceDispatched,
    "payment_received" => PaymentReceived,
    "payment_applied" => PaymentApplied,
    "payment_refunded" => PaymentRefunded,
    "invoice_written_off" => InvoiceWrittenOff,
    "credit_memo_issued" => CreditMemoIssued,
    "dispute_opened" => DisputeOpened,
    "dispute_reviewed" => DisputeReviewed,
    "dispute_escalated" => DisputeEscalated,
    "dispute_resolved" => DisputeResolved,
    "collection_step_taken" => CollectionStepTaken,
    "credit_hold_placed" => CreditHoldPlaced,
    "credit_hold_released" => CreditHoldReleased,
    "commission_plan_defined" => CommissionPlanDefined,
    "commission_paid" => CommissionPaid,
    "commission_adjusted" => CommissionAdjusted,
    "commission_dispute_opened" => CommissionDisputeOpened,
    "commission_dispute_resolved" => CommissionDisputeResolved,
    "renewal_contact_logged" => RenewalContactLogged,
    "partner_attributed" => PartnerAttributed,
    "mdf_allocated" => MdfAllocated,
    "mdf_spent" => MdfSpent,
    "spif_earned" => SpifEarned,
    "fx_rate_set" => FxRateSet,
    "period_closed" => PeriodClosed,
}

/// Reads a `T` from `fields`; on error, reads it again tracking the path
/// (an allocation per key, so only when there is an error to report). The
/// same `Deserialize` over the same value fails the same way.
fn read_tracked<T: for<'de> Deserialize<'de>>(
    fields: &Value,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    T::deserialize(fields).or_else(|_| serde_path_to_error::deserialize(fields))
}

/// Reads the event of type `tag` from its fields (envelope keys and `type`
/// removed).
fn read_event(tag: &str, fields: Map<String, Value>, line: u64) -> Result<Event, Error> {
    let mut fields = Value::Object(fields);
    let result = match read_payload(tag, &fields) {
        Some(result) => result,
        None if Event::TYPES.contains(&tag) => {
            // A type added to the vocabulary but not to the table above:
            // read it through the tagged enum (errors lose their path).
            if let Value::Object(object) = &mut fields {
                object.insert("type".into(), Value::String(tag.to_owned()));
            }
            read_tracked::<Event>(&fields)
        }
        None => {
            let message = format!("unknown event type {tag:?}");
            return Err(import_error(line, Some("type".into()), message));
        }
    };
    result.map_err(|e| {
        let (path, inner) = (e.path().clone(), e.into_inner());
        field_error(line, &fields, &path, &inner.to_string())
    })
}

/// An error reading an event's fields, with the field path: serde reports a
/// missing or unknown field on the object that should (not) hold it, so the
/// name is joined to the path; a value the message does not quote is quoted.
fn field_error(line: u64, fields: &Value, path: &serde_path_to_error::Path, message: &str) -> Error {
    let path_text = path.to_string();
    let named = |prefix: &str| message.strip_prefix(prefix)?.split('`').next();
    let at_named = |name: &str| {
        path.iter().next_back().is_some_and(|s| matches!(s, serde_path_to_error::Segment::Map { key } if key == name))
    };
    let missing = named("missing field `");
    let unknown = named("unknown field `").filter(|name| !at_named(name));
    if let Some(name) = missing.or(unknown) {
        let field = match field_of(&path_text) {
            Some(parent) => format!("{parent}.{name}"),
            None => name.to_owned(),
        };
        return import_error(line, Some(field), message.to_owned());
    }
    let mut message = message.to_owned();
    if let Some(value) = value_at(fields, path) {
        let quoted = value.to_string();
        let shown = match value {
            Value::String(s) => s.as_str(),
            _ => quoted.as_str(),
        };
        if !message.contains(shown) && quoted.len() <= 80 {
            message = format!("{message}: found {quoted}");
        }
    }
    import_error(line, field_of(&path_text), message)
}

/// The scalar at `path` inside `value`.
fn value_at<'a>(value: &'a Value, path: &serde_path_to_error::Path) -> Option<&'a Value> {
    use serde_path_to_error::Segment;
    let mut at = value;
    for segment in path.iter() {
        at = match (segment, at) {
            (Segment::Seq { index }, Value::Array(items)) => items.get(*index)?,
            (Segment::Map { key }, Value::Object(object)) => object.get(key)?,
            _ => return None,
        };
    }
    (!at.is_object() && !at.is_array()).then_some(at)
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON value that refuses a key given twice in one object.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Number(v.into())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Number(v.into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<StrictValue, E> {
        Number::from_f64(v).map(|n| StrictValue(Value::Number(n))).ok_or_else(|| E::custom("a number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }

    fn visit_none<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<StrictValue, D::Error> {
        StrictValue::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(StrictValue(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictValue, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("key `{key}` is given twice")));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(StrictValue(Value::Object(object)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_is_read_field_by_field() {
        assert_eq!(DISPATCHED, Event::TYPES, "add new event types to `dispatch!`");
    }

    #[test]
    fn lines_are_read_within_the_limit() {
        let mut input: &[u8] = b"abc\r\n\nxy";
        let mut buf = Vec::new();
        assert!(matches!(read_bounded_line(&mut input, &mut buf, 3).unwrap(), LineRead::Line));
        assert_eq!(buf, b"abc");
        buf.clear();
        assert!(matches!(read_bounded_line(&mut input, &mut buf, 3).unwrap(), LineRead::Line));
        assert_eq!(buf, b"");
        assert!(matches!(read_bounded_line(&mut input, &mut buf, 3).unwrap(), LineRead::Line));
        assert_eq!(buf, b"xy");
        buf.clear();
        assert!(matches!(read_bounded_line(&mut input, &mut buf, 3).unwrap(), LineRead::End));
        for long in [&b"abcd\n"[..], b"abcd", b"abcd\r\n", b"abcde"] {
            buf.clear();
            let mut long = long;
            assert!(matches!(read_bounded_line(&mut long, &mut buf, 3).unwrap(), LineRead::TooLong));
        }
        // A chunked reader: the limit holds across chunks.
        let mut chunked = io::BufReader::with_capacity(2, &b"ab\r\ncdef\n"[..]);
        buf.clear();
        assert!(matches!(read_bounded_line(&mut chunked, &mut buf, 3).unwrap(), LineRead::Line));
        assert_eq!(buf, b"ab");
        buf.clear();
        assert!(matches!(read_bounded_line(&mut chunked, &mut buf, 3).unwrap(), LineRead::TooLong));
    }

    #[test]
    fn the_upcast_table_covers_every_old_version() {
        assert_eq!(UPCASTS.len(), usize::from(SCHEMA_VERSION - OLDEST_SCHEMA_VERSION));
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        let top = r#"{"type":"period_closed","period":"2026-01","period":"2026-02","closed_on":"2026-02-05"}"#;
        let err = parse_line(top, 3).unwrap_err();
        assert_eq!(err, import_error(3, None, "key `period` is given twice".into()));
        let nested = r#"{"type":"invoice_issued","lines":[{"amount":"1","amount":"2"}]}"#;
        let err = parse_line(nested, 4).unwrap_err();
        assert_eq!(err, import_error(4, Some("lines[0]".into()), "key `amount` is given twice".into()));
    }
}

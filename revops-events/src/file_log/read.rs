//! Reading the log: records are read into an aligned buffer, validated by
//! rkyv's bytecheck once per read and then either visited in place
//! ([`FileLog::replay`]) or turned into owned envelopes ([`FileLogIter`]).

use std::fmt;
use std::mem::{offset_of, size_of};
use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, Utc};
use rkyv::rancor::Failure;
use rkyv::util::AlignedVec;
use uuid::Uuid;

use super::archive::{ArchivedStored, ArchivedStoredV1, EventV1};
use super::format::{padded, RecordHeader, ALIGN, FLAG_EVENT, RECORD_HEADER_LEN};
use super::io::{io_error, read_full_at};
use super::{FileLog, Loc, Segment, SCHEMA_1, SEQUENTIAL_CHUNK};
use crate::envelope::{Envelope, Seq, SCHEMA_VERSION};
use crate::event::{ArchivedEvent, Event};
use crate::event_types::EventTypes;
use crate::log::EventLog;
use crate::stream::StreamId;
use crate::Error;

/// An event record read in place by [`FileLog::replay`]: the envelope's
/// fields and the archived event, borrowed from the reader's buffer.
///
/// The payload was validated by bytecheck when it was read, so every
/// accessor is a plain field access: nothing is allocated or copied unless
/// [`RecordRef::event`] or [`RecordRef::to_envelope`] is asked for an owned
/// value.
#[derive(Clone, Copy)]
pub struct RecordRef<'a> {
    stored: StoredRef<'a>,
    recorded_at: DateTime<Utc>,
    /// Where the record is, for errors found while deserializing.
    path: &'a Path,
    offset: u64,
}

/// The archived payload of one schema.
#[derive(Clone, Copy)]
enum StoredRef<'a> {
    Current(&'a ArchivedStored<'a>),
    V1(&'a ArchivedStoredV1<'a>),
}

/// The envelope fields every schema shares, whatever its event type.
macro_rules! stored_field {
    ($stored:expr, $a:ident => $field:expr) => {
        match $stored {
            StoredRef::Current($a) => $field,
            StoredRef::V1($a) => $field,
        }
    };
}

impl fmt::Debug for RecordRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordRef")
            .field("seq", &self.seq())
            .field("event_id", &self.event_id())
            .field("stream", &self.stream())
            .field("stream_version", &self.stream_version())
            .field("recorded_at", &self.recorded_at)
            .field("schema_version", &self.schema_version())
            .finish_non_exhaustive()
    }
}

impl<'a> RecordRef<'a> {
    /// Position in the whole log.
    pub fn seq(&self) -> Seq {
        Seq(stored_field!(self.stored, a => a.seq.to_native()))
    }

    /// The event id.
    pub fn event_id(&self) -> Uuid {
        stored_field!(self.stored, a => a.event_id)
    }

    /// The stream the event extends, as text (see [`StreamId::as_str`]).
    pub fn stream(&self) -> &'a str {
        stored_field!(self.stored, a => a.stream.as_str())
    }

    /// Position in the stream, from 1.
    pub fn stream_version(&self) -> u64 {
        stored_field!(self.stored, a => a.stream_version.to_native())
    }

    /// When the event was recorded (UTC, to the microsecond).
    pub fn recorded_at(&self) -> DateTime<Utc> {
        self.recorded_at
    }

    /// The schema version the event was written with.
    pub fn schema_version(&self) -> u16 {
        match self.stored {
            StoredRef::Current(_) => SCHEMA_VERSION,
            StoredRef::V1(_) => SCHEMA_1,
        }
    }

    /// The archived event, in place, when the record was written with
    /// today's schema; `None` for an older schema, whose events only
    /// [`RecordRef::event`] upcasts.
    pub fn archived_event(&self) -> Option<&'a ArchivedEvent> {
        match self.stored {
            StoredRef::Current(a) => Some(&a.event),
            StoredRef::V1(_) => None,
        }
    }

    /// The event, deserialized (and upcast from an older schema).
    pub fn event(&self) -> Result<Event, Error> {
        self.deserialized().ok_or_else(|| self.undeserializable())
    }

    fn undeserializable(&self) -> Error {
        self.corrupt("payload does not deserialize")
    }

    /// The event, unless it does not deserialize. An `Option` rather than a
    /// `Result` with the error: each result an event passes through is
    /// another copy of its three hundred bytes.
    fn deserialized(&self) -> Option<Event> {
        match self.stored {
            StoredRef::Current(a) => rkyv::api::low::deserialize::<Event, Failure>(&a.event).ok(),
            StoredRef::V1(a) => rkyv::api::low::deserialize::<EventV1, Failure>(&a.event).ok().map(EventV1::upcast),
        }
    }

    /// The owned envelope, as [`crate::EventLog::read`] yields it.
    pub fn to_envelope(&self) -> Result<Envelope, Error> {
        Ok(Envelope {
            seq: self.seq(),
            event_id: self.event_id(),
            stream: StreamId::from_text(self.stream()),
            stream_version: self.stream_version(),
            recorded_at: self.recorded_at,
            schema_version: self.schema_version(),
            event: self.event()?,
        })
    }

    /// Overwrites `envelope` with this record, reusing its stream's buffer;
    /// the event is deserialized straight into its place (an event is some
    /// three hundred bytes: every move of one is a copy).
    fn fill(&self, envelope: &mut Envelope) -> Result<(), Error> {
        // Matched here rather than through `deserialized`: one copy fewer
        // of the event on its way into place.
        match self.stored {
            StoredRef::Current(a) => {
                a.event.deserialize_into(&mut envelope.event).map_err(|_| self.undeserializable())?
            }
            StoredRef::V1(a) => match rkyv::api::low::deserialize::<EventV1, Failure>(&a.event) {
                Ok(event) => envelope.event = event.upcast(),
                Err(_) => return Err(self.undeserializable()),
            },
        }
        envelope.seq = self.seq();
        envelope.event_id = self.event_id();
        envelope.stream.set_text(self.stream());
        envelope.stream_version = self.stream_version();
        envelope.recorded_at = self.recorded_at;
        envelope.schema_version = self.schema_version();
        Ok(())
    }

    fn corrupt(&self, problem: &str) -> Error {
        Error::Corrupt { path: self.path.to_owned(), offset: self.offset, problem: problem.into() }
    }

    /// Validates the payload of `raw`, which the index says is at `seq`.
    fn decode(raw: RawRecord<'a>, seq: u64) -> Result<Self, Error> {
        let RawRecord { schema, payload, path, offset } = raw;
        let corrupt = |problem: &str| Error::Corrupt { path: path.to_owned(), offset, problem: problem.into() };
        let unreadable = |_| corrupt("payload no longer validates");
        let stored = match schema {
            SCHEMA_VERSION => {
                StoredRef::Current(rkyv::api::low::access::<ArchivedStored, Failure>(payload).map_err(unreadable)?)
            }
            SCHEMA_1 => {
                StoredRef::V1(rkyv::api::low::access::<ArchivedStoredV1, Failure>(payload).map_err(unreadable)?)
            }
            schema => return Err(Error::UnknownSchema { path: path.to_owned(), offset, schema }),
        };
        let micros = stored_field!(stored, a => a.recorded_at.to_native());
        let recorded_at = super::archive::instant_of(micros).ok_or_else(|| corrupt("recorded_at is out of range"))?;
        let record = RecordRef { stored, recorded_at, path, offset };
        if record.seq().0 != seq {
            return Err(corrupt("record holds another position than the index"));
        }
        Ok(record)
    }
}

/// An event record's payload as read, its header checked but the payload
/// not validated yet, with where it was read from.
#[derive(Clone, Copy)]
struct RawRecord<'a> {
    schema: u16,
    payload: &'a [u8],
    path: &'a Path,
    offset: u64,
}

impl<'a> RawRecord<'a> {
    /// Checks the header of the event record `record` (header, payload and
    /// padding) read from `offset` in `path`.
    fn new(record: &'a [u8], path: &'a Path, offset: u64) -> Result<Self, Error> {
        let header =
            RecordHeader::decode(record[..RECORD_HEADER_LEN].try_into().expect("a record starts with its header"));
        let len = header.len as usize;
        if header.flags != FLAG_EVENT || RECORD_HEADER_LEN + padded(len) != record.len() {
            let problem = "record header changed since the log was opened".into();
            return Err(Error::Corrupt { path: path.to_owned(), offset, problem });
        }
        Ok(RawRecord {
            schema: header.schema,
            payload: &record[RECORD_HEADER_LEN..RECORD_HEADER_LEN + len],
            path,
            offset,
        })
    }

    /// The type index ([`Event::TYPES`]) of the event as its archived tag
    /// says, read without validating the payload; `None` unless the record
    /// is of today's schema with a tag that names a type. Only ever used to
    /// skip a record unread.
    fn type_index(&self) -> Option<usize> {
        if self.schema != SCHEMA_VERSION {
            return None;
        }
        // rkyv places the root at the end of the payload, and an archived
        // enum is `repr(u8)` with its tag first, numbered in declaration order.
        let root = self.payload.len().checked_sub(size_of::<ArchivedStored<'static>>())?;
        let tag = usize::from(*self.payload.get(root + offset_of!(ArchivedStored<'static>, event))?);
        (tag < Event::TYPES.len()).then_some(tag)
    }
}

impl FileLog {
    /// Visits every event from position `from` on, in log order, in place:
    /// the fastest way to replay the log into projections.
    ///
    /// Each record is read in large sequential chunks, validated once and
    /// handed to `visit` as a [`RecordRef`] borrowing the reader's buffer,
    /// so nothing is deserialized or allocated per event unless `visit`
    /// asks for it. Stops at the first error, the log's (converted with
    /// `From`) or `visit`'s own.
    ///
    /// ```
    /// # use revops_events::file_log::{FileLog, FileLogOptions};
    /// # use revops_events::{Event, EventLog, ExpectedVersion, NewEvent, Seq};
    /// # let dir = std::env::temp_dir().join(format!("revops-doc-replay-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # let mut log = FileLog::open(&dir, FileLogOptions::default())?;
    /// # let event: Event = serde_json::from_str(
    /// #     r#"{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}"#,
    /// # )?;
    /// # let stream = event.stream();
    /// # log.append(&stream, ExpectedVersion::NoStream, &[NewEvent::new(event)], "2026-02-05T09:00:00Z".parse()?)?;
    /// use revops_events::event::ArchivedEvent;
    ///
    /// let mut closes = 0;
    /// log.replay(Seq(0), |record| {
    ///     if let Some(ArchivedEvent::PeriodClosed(_)) = record.archived_event() {
    ///         closes += 1;
    ///     }
    ///     Ok::<_, revops_events::Error>(())
    /// })?;
    /// assert_eq!(closes, 1);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replay<E: From<Error>>(
        &self,
        from: Seq,
        mut visit: impl FnMut(RecordRef<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut buf = ReadBuf::default();
        for seq in from.0..self.index.records.len() as u64 {
            visit(self.record_at(seq, &mut buf, SEQUENTIAL_CHUNK)?)?;
        }
        Ok(())
    }

    /// [`crate::EventLog::replay_types`] over records read in place: an
    /// event of another type is skipped on its archived tag, neither
    /// validated nor deserialized, and the envelope handed to `visit` is one
    /// buffer overwritten for each event.
    ///
    /// Skipping on the tag alone is sound: the tag is one byte read from the
    /// buffer like any other, and a record that is not skipped is validated
    /// before anything else of it is read. A skipped record was validated
    /// when the log was opened (or appended); a reader of its type validates
    /// it again.
    pub(super) fn replay_types_in_place(
        &self,
        from: Seq,
        types: EventTypes,
        visit: &mut dyn FnMut(&Envelope),
    ) -> Result<Seq, Error> {
        let mut envelope: Option<Envelope> = None;
        let mut buf = ReadBuf::default();
        for seq in from.0.min(self.len())..self.len() {
            let raw = self.raw_record(seq, &mut buf, SEQUENTIAL_CHUNK)?;
            let tag = raw.type_index();
            if tag.is_some_and(|index| !types.contains_index(index)) {
                continue;
            }
            let record = RecordRef::decode(raw, seq)?;
            debug_assert!(
                tag.is_none() || tag == record.archived_event().map(ArchivedEvent::type_index),
                "the tag read without validation is the validated event's"
            );
            // An older schema's type is known once upcast.
            let envelope = match envelope.as_mut() {
                Some(envelope) => {
                    record.fill(envelope)?;
                    envelope
                }
                None => envelope.insert(record.to_envelope()?),
            };
            if types.contains(&envelope.event) {
                visit(envelope);
            }
        }
        Ok(Seq(self.len().max(from.0)))
    }

    /// The record at `seq`, validated in `buf`.
    fn record_at<'b>(&'b self, seq: u64, buf: &'b mut ReadBuf, chunk: usize) -> Result<RecordRef<'b>, Error> {
        RecordRef::decode(self.raw_record(seq, buf, chunk)?, seq)
    }

    /// The record at `seq` in `buf`, its header checked, its payload not
    /// validated yet.
    fn raw_record<'b>(&'b self, seq: u64, buf: &'b mut ReadBuf, chunk: usize) -> Result<RawRecord<'b>, Error> {
        let loc = self.index.records[seq as usize];
        let segment = &self.segments[loc.segment as usize];
        let need = RECORD_HEADER_LEN + padded(loc.len as usize);
        let at = buf.fill(segment, loc, need, chunk)?;
        RawRecord::new(&buf.data[at..at + need], &segment.path, loc.offset)
    }

    /// The envelope at `seq`, through `buf`.
    pub(super) fn read_at(&self, seq: u64, buf: &mut ReadBuf, chunk: usize) -> Result<Envelope, Error> {
        self.record_at(seq, buf, chunk)?.to_envelope()
    }
}

/// An aligned window on one segment file.
#[derive(Default)]
pub(super) struct ReadBuf {
    /// Only ever grows, so that refilling it does not zero it again.
    data: AlignedVec<ALIGN>,
    /// Bytes of `data` read from the file.
    len: usize,
    segment: u32,
    /// File offset of `data[0]`.
    start: u64,
}

impl ReadBuf {
    /// Makes `need` bytes at `loc` available and returns where they start in
    /// `data`, reading `chunk` bytes ahead when it has to read.
    fn fill(&mut self, segment: &Segment, loc: Loc, need: usize, chunk: usize) -> Result<usize, Error> {
        let end = self.start + self.len as u64;
        if self.segment == loc.segment && loc.offset >= self.start && loc.offset + need as u64 <= end {
            return Ok((loc.offset - self.start) as usize);
        }
        // Records start at multiples of 16 and `data` is 16-aligned, so the
        // payloads are aligned for in-place access.
        let want = need.max(chunk);
        if self.data.len() < want {
            self.data.resize(want, 0);
        }
        // Until the read succeeds the window holds nothing.
        self.len = 0;
        let read = read_full_at(&segment.file, &mut self.data[..want], loc.offset)
            .map_err(|e| io_error("read", &segment.path, e))?;
        self.len = read;
        self.segment = loc.segment;
        self.start = loc.offset;
        if read < need {
            return Err(Error::Corrupt {
                path: segment.path.clone(),
                offset: loc.offset,
                problem: "the segment is shorter than when the log was opened".into(),
            });
        }
        Ok(0)
    }
}

/// The positions an iterator visits.
#[derive(Debug)]
pub(super) enum Positions<'a> {
    Range(Range<u64>),
    List(std::slice::Iter<'a, Seq>),
}

/// Iterator over a [`FileLog`]: owned envelopes, decoded as they are
/// yielded. Stops after the first error.
pub struct FileLogIter<'a> {
    log: &'a FileLog,
    positions: Positions<'a>,
    buf: ReadBuf,
    chunk: usize,
    failed: bool,
}

impl fmt::Debug for FileLogIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileLogIter").field("positions", &self.positions).finish_non_exhaustive()
    }
}

impl<'a> FileLogIter<'a> {
    pub(super) fn new(log: &'a FileLog, positions: Positions<'a>, chunk: usize) -> Self {
        FileLogIter { log, positions, buf: ReadBuf::default(), chunk, failed: false }
    }
}

impl Iterator for FileLogIter<'_> {
    type Item = Result<Envelope, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let seq = match &mut self.positions {
            Positions::Range(r) => r.next()?,
            Positions::List(l) => l.next()?.0,
        };
        let result = self.log.read_at(seq, &mut self.buf, self.chunk);
        self.failed = result.is_err();
        Some(result)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.failed {
            return (0, Some(0));
        }
        match &self.positions {
            Positions::Range(r) => r.size_hint(),
            Positions::List(l) => l.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::file_log::FileLogOptions;

    /// Every record of the golden segment (one event of every type) names
    /// its type by the tag read without validation exactly as validation
    /// does: skipping on the tag skips what a validated read would.
    #[test]
    fn the_unvalidated_tag_is_the_validated_events_type() {
        let segment = "00000000000000000000.seg";
        let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/file_log_golden").join(segment);
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(golden, dir.path().join(segment)).unwrap();
        let log = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
        let mut buf = ReadBuf::default();
        let mut types = BTreeSet::new();
        for seq in 0..log.len() {
            let raw = log.raw_record(seq, &mut buf, SEQUENTIAL_CHUNK).unwrap();
            let tag = raw.type_index();
            let record = RecordRef::decode(raw, seq).unwrap();
            assert_eq!(tag, record.archived_event().map(ArchivedEvent::type_index), "record {seq}");
            types.insert(tag.unwrap());
        }
        assert_eq!(types.len(), Event::TYPES.len());
        // Anything but an event record of today's schema has no tag to skip on.
        let raw = log.raw_record(0, &mut buf, SEQUENTIAL_CHUNK).unwrap();
        assert_eq!(RawRecord { schema: SCHEMA_1, ..raw }.type_index(), None);
        assert_eq!(RawRecord { payload: &raw.payload[..8], ..raw }.type_index(), None);
        // A header that no longer matches the record is an error, skipped or not.
        let loc = log.index.records[0];
        let file = std::fs::read(dir.path().join(segment)).unwrap();
        let bytes = &file[loc.offset as usize..loc.offset as usize + RECORD_HEADER_LEN + padded(loc.len as usize)];
        let path = Path::new("segment");
        assert!(matches!(RawRecord::new(&bytes[..bytes.len() - 16], path, 0), Err(Error::Corrupt { .. })));
        assert_eq!(RawRecord::new(bytes, path, 0).unwrap().type_index(), Some(0));
        let mut other_schema = bytes.to_vec();
        let mut header = RecordHeader::decode(other_schema[..RECORD_HEADER_LEN].try_into().unwrap());
        header.schema = SCHEMA_1;
        other_schema[..RECORD_HEADER_LEN].copy_from_slice(&header.encode());
        assert_eq!(RawRecord::new(&other_schema, path, 0).unwrap().type_index(), None);
    }
}

//! `FileLog`: the embedded, durable event log.
//!
//! A log is a directory of segment files named by the position of their
//! first event (`00000000000000000000.seg`, …), each a 64-byte header
//! followed by records: a 16-byte record header (payload length, CRC32C,
//! schema id, flags) and an rkyv 0.8 payload padded to 16 bytes. An append is
//! one batch of event records ended by a commit record, written with one
//! `write` call; readers see only committed batches. The byte layout is
//! documented in the source of the `format` module.
//!
//! - **Durability** is explicit ([`Durability`]): fsync every batch, every n
//!   batches, or on close. A segment is always synced before the next one is
//!   started, so that only the last segment can ever end in a torn write.
//! - **Opening** scans and validates every segment once (checksums, lengths,
//!   padding, the commit structure, rkyv validation of every payload,
//!   positions and stream versions) and builds the index: event id →
//!   position, stream → positions, position → record. A torn or corrupt tail
//!   of the last (active) segment is truncated to its last commit record and
//!   reported by [`FileLog::recovery`]; any damage in an earlier (sealed)
//!   segment is an [`Error::Corrupt`] that names the file and byte offset.
//! - **Reading** reads records into an aligned buffer (large sequential
//!   chunks for a replay, small ones for a stream), validates each payload
//!   once with rkyv's bytecheck and then accesses the archived record in
//!   place. [`FileLog::replay`] hands each record to a visitor as a
//!   [`RecordRef`] borrowing that buffer, so a replay allocates nothing per
//!   event and copies each record once, from the file; [`EventLog::read`]
//!   and [`EventLog::read_stream`] deserialize each record into an owned
//!   [`Envelope`]; [`EventLog::replay_types`] reads the type off the
//!   archive (one byte, before validating: a record of a type not asked for
//!   is skipped unread) and validates and deserializes only the events of
//!   the types asked for, into one envelope overwritten for each. The
//!   checksum is not recomputed on read, but validation is: the crate forbids `unsafe`, and rkyv's unchecked
//!   access needs it. Skipping validation soundly would need bytes that the
//!   log holds and never lets change, i.e. the whole log kept in memory;
//!   bytes re-read from a file that another process may have changed since
//!   opening do not qualify. Validation costs about as much as the read
//!   itself (some 40 ns per event of the benchmark), which a replay affords.
//! - **Failures**: after a failed write or fsync the log is poisoned and
//!   refuses appends ([`Error::Poisoned`]) until reopened. An append whose
//!   write succeeded but whose fsync failed may or may not be in the log after
//!   a reopen; retrying it is safe because appends are idempotent by event id.
//! - **Schema evolution**: every event record carries its schema id; schema 1
//!   records (`payment_received` without `method`) are upcast on read to
//!   today's events with `method: unknown`, and the envelope keeps the schema
//!   it was written with. Records are never rewritten.
//!
//! Timestamps are stored to the microsecond (as in PostgreSQL): a
//! `recorded_at` with nanoseconds reads back truncated to the microsecond.
//! One process may have a log open for writing at a time; the log takes no
//! lock to enforce that.
//!
//! ```
//! use revops_events::file_log::{Durability, FileLog, FileLogOptions};
//! use revops_events::{Event, EventLog, ExpectedVersion, NewEvent, Seq};
//!
//! let dir = std::env::temp_dir().join(format!("revops-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! let options = FileLogOptions { durability: Durability::EveryN(100), ..FileLogOptions::default() };
//! let mut log = FileLog::open(&dir, options)?;
//! let event: Event = serde_json::from_str(
//!     r#"{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}"#,
//! )?;
//! let batch = [NewEvent::new(event)];
//! let stream = batch[0].event.stream();
//! log.append(&stream, ExpectedVersion::NoStream, &batch, "2026-02-05T09:00:00Z".parse()?)?;
//! log.close()?;
//!
//! let log = FileLog::open(&dir, options)?;
//! let back: Vec<_> = log.read(Seq(0)).collect::<Result<_, _>>()?;
//! assert_eq!(back[0].event, batch[0].event);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod archive;
mod format;
mod io;
mod read;
mod scan;

use std::collections::HashMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rkyv::rancor::Failure;
use rkyv::util::AlignedVec;
use uuid::Uuid;

use self::archive::{Stored, StoredV1};
use self::format::{
    commit_payload, padded, RecordHeader, SegmentHeader, ALIGN, COMMIT_PAYLOAD_LEN, FLAG_COMMIT, FLAG_EVENT,
    RECORD_HEADER_LEN, SEGMENT_HEADER_LEN,
};
use self::io::{io_error, sync_dir};
use crate::envelope::{Envelope, ExpectedVersion, NewEvent, Seq, SCHEMA_VERSION};
use crate::event::Event;
use crate::event_types::EventTypes;
use crate::log::{check_batch, EventLog};
use crate::stream::StreamId;
use crate::Error;

#[doc(hidden)]
pub use self::archive::{EventV1, PaymentReceivedV1};
pub use self::read::{FileLogIter, RecordRef};
use self::read::{Positions, ReadBuf};

/// The largest stored event, in bytes (its rkyv payload without the record
/// header): 1 MiB.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The default size at which a segment is sealed and the next one started.
pub const DEFAULT_SEGMENT_BYTES: u64 = 64 << 20;

/// The smallest accepted [`FileLogOptions::segment_bytes`].
pub const MIN_SEGMENT_BYTES: u64 = 2 * SEGMENT_HEADER_LEN as u64;

/// Bytes read at a time when replaying the log in order.
const SEQUENTIAL_CHUNK: usize = 1 << 20;

/// Bytes read at a time when reading scattered records (one stream).
const RANDOM_CHUNK: usize = 16 << 10;

/// The schema id of schema-1 event records.
const SCHEMA_1: u16 = 1;

/// When appended batches are forced to stable storage (fsync).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Durability {
    /// After every batch: an append that returned is on disk.
    #[default]
    Always,
    /// After every n-th batch (n ≥ 1), and on close: a crash loses at most
    /// the last n − 1 batches.
    EveryN(u32),
    /// Only on close (and when a segment is sealed): a crash may lose every
    /// batch since the log was opened.
    OnClose,
}

/// How a [`FileLog`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileLogOptions {
    /// A segment is sealed and the next one started when a batch would take
    /// it past this many bytes; a batch is never split, so a segment holding
    /// a single large batch may exceed it. At least [`MIN_SEGMENT_BYTES`].
    pub segment_bytes: u64,
    /// When batches are synced.
    pub durability: Durability,
}

impl Default for FileLogOptions {
    /// 64 MiB segments, [`Durability::Always`].
    fn default() -> Self {
        FileLogOptions { segment_bytes: DEFAULT_SEGMENT_BYTES, durability: Durability::Always }
    }
}

/// What opening a log dropped from the end of its active segment: a batch
/// torn by a crash, or damage in the last, unsynced part of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// The segment that was truncated.
    pub segment: PathBuf,
    /// The byte offset of the first damaged or uncommitted record.
    pub damaged_at: u64,
    /// The new length of the segment: the end of its last commit record.
    pub truncated_to: u64,
    /// How many bytes were dropped.
    pub dropped_bytes: u64,
    /// What was wrong at `damaged_at`.
    pub problem: String,
}

/// A failure to inject, for testing how the log handles failed I/O.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailPoint {
    /// The next batch write writes half the batch, then fails.
    Write,
    /// The next fsync fails.
    Sync,
}

/// Where a record is: its segment, its offset there, its payload length.
#[derive(Clone, Copy, Debug)]
struct Loc {
    offset: u64,
    segment: u32,
    len: u32,
}

/// The hash maps of the index. Every append looks up and inserts each
/// event id, so the hasher is foldhash's: randomly keyed per process, as
/// std's SipHash is, so ids chosen by a caller cannot be aimed at one
/// bucket as easily as with an unkeyed hash, at a fraction of SipHash's cost.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The in-memory index built on open and kept up to date on append.
#[derive(Debug, Default)]
struct Index {
    by_id: FastMap<Uuid, Seq>,
    streams: FastMap<StreamId, Vec<Seq>>,
    records: Vec<Loc>,
}

impl Index {
    fn stream_version(&self, stream: &StreamId) -> u64 {
        self.streams.get(stream).map_or(0, |p| p.len() as u64)
    }

    fn push(&mut self, stream: &StreamId, ids: impl IntoIterator<Item = (Uuid, Loc)>) {
        let positions = match self.streams.get_mut(stream) {
            Some(p) => p,
            None => self.streams.entry(stream.clone()).or_default(),
        };
        for (id, loc) in ids {
            let seq = Seq(self.records.len() as u64);
            self.by_id.insert(id, seq);
            positions.push(seq);
            self.records.push(loc);
        }
    }
}

/// A segment file, with a handle for positional reads.
#[derive(Debug)]
struct Segment {
    path: PathBuf,
    file: File,
}

/// The durable [`EventLog`]: segment files in a directory (see the
/// [module documentation](self)).
pub struct FileLog {
    dir: PathBuf,
    options: FileLogOptions,
    segments: Vec<Segment>,
    /// Write handle on the last segment, positioned at `active_len`.
    writer: File,
    active_len: u64,
    index: Index,
    /// Batches written since the last fsync.
    unsynced: u32,
    poisoned: Option<String>,
    recovery: Option<Recovery>,
    /// The encoded batch, kept between appends to reuse its allocation.
    batch: AlignedVec<ALIGN>,
    /// Where each record of the encoded batch is, reused likewise.
    records: Vec<(Uuid, usize, u32)>,
    /// The ids of the batch being appended, reused likewise.
    ids: Vec<Uuid>,
    fail: Option<FailPoint>,
    closed: bool,
}

// Readers on several threads may share a log.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<FileLog>();
};

impl fmt::Debug for FileLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileLog")
            .field("dir", &self.dir)
            .field("options", &self.options)
            .field("events", &self.index.records.len())
            .field("segments", &self.segments.len())
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

/// One event record to encode.
enum Payload<'a> {
    Current(&'a Event),
    V1(&'a EventV1),
}

impl FileLog {
    /// Opens the log in `dir`, creating the directory and an empty log if
    /// needed. Validates every segment, truncates a torn tail of the last one
    /// (see [`FileLog::recovery`]) and builds the index.
    pub fn open(dir: impl AsRef<Path>, options: FileLogOptions) -> Result<FileLog, Error> {
        if options.segment_bytes < MIN_SEGMENT_BYTES {
            return Err(Error::InvalidOption {
                option: "segment_bytes",
                problem: format!("{} is below the minimum of {MIN_SEGMENT_BYTES}", options.segment_bytes),
            });
        }
        if options.durability == Durability::EveryN(0) {
            return Err(Error::InvalidOption {
                option: "durability",
                problem: "EveryN(0): n must be at least 1".into(),
            });
        }
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
        let opened = scan::open_segments(&dir)?;
        let mut log = FileLog {
            dir,
            options,
            segments: Vec::new(),
            writer: opened.writer,
            active_len: opened.active_len,
            index: opened.index,
            unsynced: 0,
            poisoned: None,
            recovery: opened.recovery,
            batch: AlignedVec::new(),
            records: Vec::new(),
            ids: Vec::new(),
            fail: None,
            closed: false,
        };
        for path in opened.segments {
            let file = File::open(&path).map_err(|e| io_error("open", &path, e))?;
            log.segments.push(Segment { path, file });
        }
        Ok(log)
    }

    /// The log's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The options the log was opened with.
    pub fn options(&self) -> FileLogOptions {
        self.options
    }

    /// What opening the log truncated from its active segment, if anything.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// The segment files, oldest first; the last is the active one.
    pub fn segment_paths(&self) -> impl Iterator<Item = &Path> {
        self.segments.iter().map(|s| s.path.as_path())
    }

    /// True after a failed write or fsync: appends are refused until the log
    /// is reopened.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.is_some()
    }

    /// Forces every appended batch to stable storage now, whatever the
    /// durability policy.
    pub fn sync(&mut self) -> Result<(), Error> {
        self.refuse_if_poisoned()?;
        self.sync_active()
    }

    /// Syncs what the durability policy has not yet synced and closes the
    /// log. Dropping the log does the same but cannot report a failure.
    pub fn close(mut self) -> Result<(), Error> {
        self.closed = true;
        self.refuse_if_poisoned()?;
        if self.unsynced > 0 {
            self.sync_active()?;
        }
        Ok(())
    }

    /// Makes the next write or fsync fail, as a full disk or a failing device
    /// would.
    #[doc(hidden)]
    pub fn fail_next(&mut self, at: FailPoint) {
        self.fail = Some(at);
    }

    /// Appends one schema-1 event as its own batch, stream version checks and
    /// idempotency aside: how logs written before schema 2 looked, for
    /// testing the upcast.
    #[doc(hidden)]
    pub fn append_schema_1(
        &mut self,
        event_id: Uuid,
        event: &EventV1,
        recorded_at: DateTime<Utc>,
    ) -> Result<Seq, Error> {
        self.refuse_if_poisoned()?;
        let stream = event.stream();
        let actual = self.index.stream_version(&stream);
        let range = self.write_batch(&stream, actual, [(event_id, Payload::V1(event))], recorded_at)?;
        Ok(range.start)
    }

    fn refuse_if_poisoned(&self) -> Result<(), Error> {
        match &self.poisoned {
            Some(cause) => Err(Error::Poisoned { path: self.dir.clone(), cause: cause.clone() }),
            None => Ok(()),
        }
    }

    fn active_path(&self) -> &Path {
        // There is always at least one segment: opening creates the first.
        &self.segments[self.segments.len() - 1].path
    }

    /// Records the failure, poisons the log and returns the error.
    fn poison(&mut self, error: Error) -> Error {
        self.poisoned = Some(error.to_string());
        error
    }

    fn sync_active(&mut self) -> Result<(), Error> {
        let result = if self.fail == Some(FailPoint::Sync) {
            self.fail = None;
            Err(std::io::Error::other("injected fsync failure"))
        } else {
            self.writer.sync_data()
        };
        match result {
            Ok(()) => {
                self.unsynced = 0;
                Ok(())
            }
            Err(e) => {
                // After a failed fsync the kernel may have dropped the dirty
                // pages: a retry that succeeds would prove nothing.
                let error = io_error("sync", self.active_path(), e);
                Err(self.poison(error))
            }
        }
    }

    fn write_active(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let result = if self.fail == Some(FailPoint::Write) {
            self.fail = None;
            // A torn write: part of the batch reaches the file.
            self.writer
                .write_all(&bytes[..bytes.len() / 2])
                .and_then(|()| Err(std::io::Error::other("injected write failure")))
        } else {
            self.writer.write_all(bytes)
        };
        result.map_err(|e| {
            let error = io_error("write", self.active_path(), e);
            self.poison(error)
        })
    }

    /// Seals the active segment (synced, whatever the policy, so that a
    /// sealed segment is never torn) and starts the next one.
    fn roll(&mut self) -> Result<(), Error> {
        self.sync_active()?;
        let base = self.index.records.len() as u64;
        let (writer, path) = create_segment(&self.dir, base).map_err(|e| self.poison(e))?;
        let file = File::open(&path).map_err(|e| {
            let error = io_error("open", &path, e);
            self.poison(error)
        })?;
        self.writer = writer;
        self.active_len = SEGMENT_HEADER_LEN as u64;
        self.segments.push(Segment { path, file });
        Ok(())
    }

    /// Encodes `items` as one batch, writes it, syncs per the policy and
    /// indexes it. Nothing is written when encoding fails.
    fn write_batch<'p>(
        &mut self,
        stream: &StreamId,
        actual: u64,
        items: impl IntoIterator<Item = (Uuid, Payload<'p>)>,
        recorded_at: DateTime<Utc>,
    ) -> Result<Range<Seq>, Error> {
        let first = self.index.records.len() as u64;
        let mut batch = std::mem::take(&mut self.batch);
        let mut records = std::mem::take(&mut self.records);
        let encoded = encode_batch(&mut batch, &mut records, stream, first, actual, items, recorded_at);
        let result = encoded.and_then(|()| self.write_encoded(stream, &batch, &records));
        let count = records.len() as u64;
        batch.clear();
        records.clear();
        self.batch = batch;
        self.records = records;
        result.map(|()| Seq(first)..Seq(first + count))
    }

    fn write_encoded(&mut self, stream: &StreamId, batch: &[u8], records: &[(Uuid, usize, u32)]) -> Result<(), Error> {
        let header = SEGMENT_HEADER_LEN as u64;
        if self.active_len > header && self.active_len + batch.len() as u64 > self.options.segment_bytes {
            self.roll()?;
        }
        let start = self.active_len;
        self.write_active(batch)?;
        self.active_len += batch.len() as u64;
        self.unsynced += 1;
        let due = match self.options.durability {
            Durability::Always => true,
            Durability::EveryN(n) => self.unsynced >= n,
            Durability::OnClose => false,
        };
        if due {
            self.sync_active()?;
        }
        let segment = (self.segments.len() - 1) as u32;
        self.index
            .push(stream, records.iter().map(|&(id, at, len)| (id, Loc { offset: start + at as u64, segment, len })));
        Ok(())
    }

    /// The position of the original of `e`, whose id is `id`, if it is a
    /// repeat.
    fn original(&self, id: Uuid, e: &NewEvent) -> Result<Option<Seq>, Error> {
        let Some(&seq) = self.index.by_id.get(&id) else { return Ok(None) };
        let original = self.read_at(seq.0, &mut ReadBuf::default(), 0)?;
        if original.event == e.event {
            Ok(Some(seq))
        } else {
            Err(Error::IdempotencyConflict { event_id: id, original: seq })
        }
    }
}

impl Drop for FileLog {
    fn drop(&mut self) {
        if !self.closed && self.poisoned.is_none() && self.unsynced > 0 {
            // Nobody is left to tell: best effort, as `close` would do.
            let _ = self.writer.sync_data();
        }
    }
}

impl EventLog for FileLog {
    type Iter<'a> = FileLogIter<'a>;

    fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        recorded_at: DateTime<Utc>,
    ) -> Result<Range<Seq>, Error> {
        self.refuse_if_poisoned()?;
        let mut ids = std::mem::take(&mut self.ids);
        let result = match check_batch(stream, events, &mut ids, |id, e| self.original(id, e)) {
            Ok(Some(originals)) => Ok(originals),
            Ok(None) => {
                let actual = self.index.stream_version(stream);
                if expected.admits(actual) {
                    let items = ids.iter().zip(events).map(|(&id, e)| (id, Payload::Current(&e.event)));
                    self.write_batch(stream, actual, items, recorded_at)
                } else {
                    Err(Error::Conflict { stream: stream.clone(), expected, actual })
                }
            }
            Err(e) => Err(e),
        };
        self.ids = ids;
        result
    }

    fn read(&self, from: Seq) -> FileLogIter<'_> {
        let len = self.len();
        let start = from.0.min(len);
        FileLogIter::new(self, Positions::Range(start..len), SEQUENTIAL_CHUNK)
    }

    fn read_stream(&self, stream: &StreamId) -> FileLogIter<'_> {
        let positions = self.index.streams.get(stream).map_or(&[][..], Vec::as_slice);
        FileLogIter::new(self, Positions::List(positions.iter()), RANDOM_CHUNK)
    }

    fn replay_types(&self, from: Seq, types: EventTypes, visit: &mut dyn FnMut(&Envelope)) -> Result<Seq, Error> {
        self.replay_types_in_place(from, types, visit)
    }

    fn stream_version(&self, stream: &StreamId) -> u64 {
        self.index.stream_version(stream)
    }

    fn len(&self) -> u64 {
        self.index.records.len() as u64
    }
}

/// Creates the segment starting at `base`: header written and synced, and
/// the directory synced so the new name survives a crash.
fn create_segment(dir: &Path, base: u64) -> Result<(File, PathBuf), Error> {
    let path = dir.join(segment_name(base));
    let mut file =
        OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| io_error("create", &path, e))?;
    file.write_all(&SegmentHeader::new(base).encode()).map_err(|e| io_error("write", &path, e))?;
    file.sync_data().map_err(|e| io_error("sync", &path, e))?;
    sync_dir(dir).map_err(|e| io_error("sync", dir, e))?;
    file.seek(SeekFrom::End(0)).map_err(|e| io_error("seek", &path, e))?;
    Ok((file, path))
}

/// The file name of the segment starting at `base`.
fn segment_name(base: u64) -> String {
    format!("{base:020}.seg")
}

/// Encodes a batch into `out`: each event record (header, payload, padding),
/// then the commit record. `records` gets (id, offset in the batch, payload
/// length) of each event.
fn encode_batch<'p>(
    out: &mut AlignedVec<ALIGN>,
    records: &mut Vec<(Uuid, usize, u32)>,
    stream: &StreamId,
    first: u64,
    actual: u64,
    items: impl IntoIterator<Item = (Uuid, Payload<'p>)>,
    recorded_at: DateTime<Utc>,
) -> Result<(), Error> {
    out.clear();
    records.clear();
    let recorded_at = recorded_at.timestamp_micros();
    rkyv::util::with_arena(|arena| {
        for (i, (event_id, payload)) in items.into_iter().enumerate() {
            let at = out.len();
            out.extend_from_slice(&[0; RECORD_HEADER_LEN]);
            let seq = first + i as u64;
            let stream_version = actual + i as u64 + 1;
            let written = match payload {
                Payload::Current(event) => {
                    let stored = Stored { seq, stream_version, recorded_at, event_id, stream, event };
                    rkyv::api::low::to_bytes_in_with_alloc::<_, _, Failure>(&stored, &mut *out, arena.acquire())
                        .map(|_| SCHEMA_VERSION)
                }
                Payload::V1(event) => {
                    let stored = StoredV1 { seq, stream_version, recorded_at, event_id, stream, event };
                    rkyv::api::low::to_bytes_in_with_alloc::<_, _, Failure>(&stored, &mut *out, arena.acquire())
                        .map(|_| SCHEMA_1)
                }
            };
            // Writing to a growable buffer fails only when memory runs out.
            let schema = written.map_err(|_| Error::Io {
                op: "encode",
                path: PathBuf::new(),
                kind: std::io::ErrorKind::OutOfMemory,
                message: format!("could not encode event {event_id}"),
            })?;
            let len = out.len() - at - RECORD_HEADER_LEN;
            if len > MAX_RECORD_BYTES {
                out.clear();
                return Err(Error::RecordTooLarge { event_id, size: len, limit: MAX_RECORD_BYTES });
            }
            finish_record(out, at, len, schema, FLAG_EVENT);
            records.push((event_id, at, len as u32));
        }
        let at = out.len();
        out.extend_from_slice(&[0; RECORD_HEADER_LEN]);
        out.extend_from_slice(&commit_payload(first, records.len() as u32));
        finish_record(out, at, COMMIT_PAYLOAD_LEN, 0, FLAG_COMMIT);
        Ok(())
    })
}

/// Pads the record at `at` (payload of `len` bytes already in place) and
/// fills in its header.
fn finish_record(out: &mut AlignedVec<ALIGN>, at: usize, len: usize, schema: u16, flags: u16) {
    out.resize(at + RECORD_HEADER_LEN + padded(len), 0);
    let mut header = RecordHeader { len: len as u32, crc: 0, schema, flags, reserved: 0 };
    let payload_at = at + RECORD_HEADER_LEN;
    header.crc = header.checksum(&out[payload_at..payload_at + len]);
    out[at..payload_at].copy_from_slice(&header.encode());
}

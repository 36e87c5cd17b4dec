//! Opening a log: find the segments, validate every record once, rebuild
//! the index, and cut a torn tail off the active segment.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rkyv::util::AlignedVec;
use uuid::Uuid;

use super::archive::{ArchivedStored, ArchivedStoredV1};
use super::format::{
    decode_commit, padded, HeaderProblem, RecordHeader, SegmentHeader, ALIGN, COMMIT_PAYLOAD_LEN, FLAG_COMMIT,
    FLAG_EVENT, FORMAT_VERSION, RECORD_HEADER_LEN, SEGMENT_HEADER_LEN,
};
use super::io::io_error;
use super::{create_segment, Index, Loc, Recovery, MAX_RECORD_BYTES, SCHEMA_1};
use crate::envelope::SCHEMA_VERSION;
use crate::stream::StreamId;
use crate::Error;

/// A log as opening found it.
pub(super) struct Opened {
    /// The segment files, oldest first.
    pub segments: Vec<PathBuf>,
    /// Write handle on the last segment, positioned at its end.
    pub writer: File,
    /// Length of the last segment.
    pub active_len: u64,
    pub index: Index,
    pub recovery: Option<Recovery>,
}

/// Opens the segments in `dir` (creating the first when there is none).
pub(super) fn open_segments(dir: &Path) -> Result<Opened, Error> {
    let names = list_segments(dir)?;
    if names.is_empty() {
        let (writer, path) = create_segment(dir, 0)?;
        let active_len = SEGMENT_HEADER_LEN as u64;
        return Ok(Opened { segments: vec![path], writer, active_len, index: Index::default(), recovery: None });
    }
    let mut index = Index::default();
    let mut recovery = None;
    let mut active_len = 0;
    let last = names.len() - 1;
    for (number, (base, path)) in names.iter().enumerate() {
        let expected = index.records.len() as u64;
        if *base != expected {
            // A missing segment, or one left over from another log.
            return Err(corrupt(
                path,
                0,
                format!("segment named for position {base} but the log continues at {expected}"),
            ));
        }
        let bytes = read_segment(path)?;
        if bytes.len() < SEGMENT_HEADER_LEN {
            if number != last {
                return Err(corrupt(path, 0, format!("only {} bytes: shorter than a segment header", bytes.len())));
            }
            // Creating the segment was cut short: it holds no batch yet.
            rewrite_header(path, expected)?;
            recovery = Some(Recovery {
                segment: path.clone(),
                damaged_at: 0,
                truncated_to: SEGMENT_HEADER_LEN as u64,
                dropped_bytes: bytes.len() as u64,
                problem: "torn segment header".into(),
            });
            active_len = SEGMENT_HEADER_LEN as u64;
            continue;
        }
        let mut header = [0; SEGMENT_HEADER_LEN];
        header.copy_from_slice(&bytes[..SEGMENT_HEADER_LEN]);
        match SegmentHeader::decode(&header) {
            Ok(h) if h.base_seq == expected => {}
            Ok(h) => {
                return Err(corrupt(
                    path,
                    0,
                    format!("header says position {} but the log continues at {expected}", h.base_seq),
                ))
            }
            Err(HeaderProblem::Damaged(problem)) => return Err(corrupt(path, 0, problem.into())),
            Err(HeaderProblem::Version(found)) => {
                return Err(Error::UnsupportedFormat { path: path.clone(), found, supported: FORMAT_VERSION })
            }
        }
        let scan = scan_records(path, &bytes, number as u32, &mut index)?;
        if let Some((offset, problem)) = scan.damage {
            if number != last {
                return Err(corrupt(path, offset, problem));
            }
            truncate(path, scan.committed_end)?;
            recovery = Some(Recovery {
                segment: path.clone(),
                damaged_at: offset,
                truncated_to: scan.committed_end,
                dropped_bytes: bytes.len() as u64 - scan.committed_end,
                problem,
            });
        }
        if number != last && scan.committed_end == SEGMENT_HEADER_LEN as u64 {
            // Segments are sealed only once they hold a batch.
            return Err(corrupt(path, scan.committed_end, "a sealed segment holds no batch".into()));
        }
        active_len = scan.committed_end;
    }
    let path = &names[last].1;
    let mut writer = OpenOptions::new().write(true).open(path).map_err(|e| io_error("open", path, e))?;
    writer.seek(SeekFrom::Start(active_len)).map_err(|e| io_error("seek", path, e))?;
    let segments = names.into_iter().map(|(_, p)| p).collect();
    Ok(Opened { segments, writer, active_len, index, recovery })
}

/// The segment files in `dir`, by base position. Other files are ignored.
fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, Error> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error("list", dir, e))? {
        let entry = entry.map_err(|e| io_error("list", dir, e))?;
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".seg")) else { continue };
        if stem.len() != 20 || !stem.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(base) = stem.parse::<u64>() else { continue };
        found.push((base, entry.path()));
    }
    found.sort();
    Ok(found)
}

fn read_segment(path: &Path) -> Result<AlignedVec<ALIGN>, Error> {
    let mut file = File::open(path).map_err(|e| io_error("open", path, e))?;
    let len = file.metadata().map_err(|e| io_error("stat", path, e))?.len();
    let mut bytes = AlignedVec::with_capacity(len as usize);
    bytes.extend_from_reader(&mut file).map_err(|e| io_error("read", path, e))?;
    Ok(bytes)
}

fn rewrite_header(path: &Path, base: u64) -> Result<(), Error> {
    let mut file = OpenOptions::new().write(true).open(path).map_err(|e| io_error("open", path, e))?;
    file.set_len(0).map_err(|e| io_error("truncate", path, e))?;
    file.write_all(&SegmentHeader::new(base).encode()).map_err(|e| io_error("write", path, e))?;
    file.sync_data().map_err(|e| io_error("sync", path, e))
}

fn truncate(path: &Path, len: u64) -> Result<(), Error> {
    let file = OpenOptions::new().write(true).open(path).map_err(|e| io_error("open", path, e))?;
    file.set_len(len).map_err(|e| io_error("truncate", path, e))?;
    file.sync_data().map_err(|e| io_error("sync", path, e))
}

fn corrupt(path: &Path, offset: u64, problem: String) -> Error {
    Error::Corrupt { path: path.to_owned(), offset, problem }
}

/// How far a segment's records are whole and committed.
struct Scan {
    /// The end of the last commit record (or of the header).
    committed_end: u64,
    /// The first damaged or uncommitted record and what is wrong with it.
    damage: Option<(u64, String)>,
}

/// The batch being scanned: its stream, the stream's version before it, and
/// its event records so far.
#[derive(Default)]
struct Pending {
    stream: Option<StreamId>,
    version: u64,
    events: Vec<(Uuid, Loc)>,
    ids: HashSet<Uuid, foldhash::fast::RandomState>,
}

/// The envelope fields of a stored event, read in place.
struct Head<'a> {
    seq: u64,
    stream_version: u64,
    event_id: Uuid,
    stream: &'a str,
}

/// Validates every record of a segment, adding committed batches to
/// `index`. Damage is returned in [`Scan::damage`] for the caller to judge
/// (truncate the active segment, refuse a sealed one); a record of an
/// unknown schema is an error outright, since truncating it would destroy
/// data a newer build wrote.
fn scan_records(path: &Path, bytes: &[u8], segment: u32, index: &mut Index) -> Result<Scan, Error> {
    let mut pos = SEGMENT_HEADER_LEN;
    let mut committed_end = pos as u64;
    let mut pending = Pending::default();
    let damage =
        |at: usize, committed_end: u64, problem: String| Ok(Scan { committed_end, damage: Some((at as u64, problem)) });
    loop {
        if pos == bytes.len() {
            if pending.events.is_empty() {
                return Ok(Scan { committed_end, damage: None });
            }
            let n = pending.events.len();
            return damage(pos, committed_end, format!("a batch of {n} events ends without its commit record"));
        }
        if bytes.len() - pos < RECORD_HEADER_LEN {
            return damage(pos, committed_end, "truncated record header".into());
        }
        let header = RecordHeader::decode(bytes[pos..pos + RECORD_HEADER_LEN].try_into().expect("a header's bytes"));
        let len = header.len as usize;
        let commit = header.flags == FLAG_COMMIT;
        if !commit && header.flags != FLAG_EVENT || header.reserved != 0 {
            return damage(pos, committed_end, "invalid record header".into());
        }
        if len > MAX_RECORD_BYTES || commit && len != COMMIT_PAYLOAD_LEN {
            return damage(pos, committed_end, format!("invalid record length {len}"));
        }
        let payload_at = pos + RECORD_HEADER_LEN;
        let end = payload_at + padded(len);
        if end > bytes.len() {
            return damage(pos, committed_end, "record runs past the end of the file".into());
        }
        let payload = &bytes[payload_at..payload_at + len];
        if header.checksum(payload) != header.crc {
            return damage(pos, committed_end, "record checksum mismatch".into());
        }
        if bytes[payload_at + len..end].iter().any(|&b| b != 0) {
            return damage(pos, committed_end, "non-zero record padding".into());
        }
        if commit {
            // The batch starts where the committed log ends.
            let first = (!pending.events.is_empty()).then_some(index.records.len() as u64);
            match (decode_commit(payload), first, pending.stream.take()) {
                (Some((seq, count)), Some(first), Some(stream))
                    if header.schema == 0 && seq == first && count as usize == pending.events.len() =>
                {
                    index.push(&stream, pending.events.drain(..));
                }
                _ => return damage(pos, committed_end, "commit record does not match its batch".into()),
            }
            pending.ids.clear();
            committed_end = end as u64;
        } else {
            let head = match header.schema {
                SCHEMA_VERSION => {
                    rkyv::api::low::access::<ArchivedStored, rkyv::rancor::Error>(payload).map(|a| Head {
                        seq: a.seq.to_native(),
                        stream_version: a.stream_version.to_native(),
                        event_id: a.event_id,
                        stream: a.stream.as_str(),
                    })
                }
                SCHEMA_1 => rkyv::api::low::access::<ArchivedStoredV1, rkyv::rancor::Error>(payload).map(|a| Head {
                    seq: a.seq.to_native(),
                    stream_version: a.stream_version.to_native(),
                    event_id: a.event_id,
                    stream: a.stream.as_str(),
                }),
                schema => return Err(Error::UnknownSchema { path: path.to_owned(), offset: pos as u64, schema }),
            };
            let head = match head {
                Ok(head) => head,
                Err(e) => return damage(pos, committed_end, format!("payload fails validation: {e}")),
            };
            let expected_seq = (index.records.len() + pending.events.len()) as u64;
            if head.seq != expected_seq {
                return damage(
                    pos,
                    committed_end,
                    format!("record holds position {} where {expected_seq} belongs", head.seq),
                );
            }
            match &pending.stream {
                Some(stream) if stream.as_str() != head.stream => {
                    return damage(pos, committed_end, "a batch spans two streams".into());
                }
                Some(_) => {}
                // The stream's name is built, and its version looked up, once
                // per batch.
                None => {
                    let stream = StreamId::from_text(head.stream);
                    pending.version = index.stream_version(&stream);
                    pending.stream = Some(stream);
                }
            }
            let version = pending.version + pending.events.len() as u64 + 1;
            if head.stream_version != version {
                let found = head.stream_version;
                return damage(pos, committed_end, format!("stream version {found} where {version} belongs"));
            }
            if index.by_id.contains_key(&head.event_id) || !pending.ids.insert(head.event_id) {
                return damage(pos, committed_end, format!("event {} is already in the log", head.event_id));
            }
            let loc = Loc { offset: pos as u64, segment, len: header.len };
            pending.events.push((head.event_id, loc));
        }
        pos = end;
    }
}

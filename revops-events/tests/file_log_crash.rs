//! Crash safety of the file log (invariant 10: a log cut at any byte reopens
//! to its last committed batch): the active segment cut at every byte of its
//! final batches and with bytes flipped in its tail reopens to the last whole
//! committed batch and takes appends again; damage in a sealed segment is an
//! error naming the file and offset.

#[path = "support/splitmix.rs"]
mod splitmix;
mod support;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use revops_events::file_log::{Durability, FileLog, FileLogOptions};
use revops_events::{Envelope, Error, Event, EventLog, ExpectedVersion, NewEvent, Seq};
use splitmix::Rng;
use uuid::Uuid;

const OPTIONS: FileLogOptions = FileLogOptions { segment_bytes: 12 << 10, durability: Durability::OnClose };

/// How many of the last batches of the active segment are cut at every byte.
const FINAL_BATCHES: usize = 4;

/// A committed batch: where the active segment ended after it, and how many
/// events the log held.
#[derive(Clone, Debug)]
struct Commit {
    segment: PathBuf,
    end: u64,
    count: u64,
}

struct Fixture {
    dir: tempfile::TempDir,
    commits: Vec<Commit>,
    envelopes: Vec<Envelope>,
    segments: Vec<PathBuf>,
}

impl Fixture {
    /// A log of generated batches over several segments.
    fn new() -> Fixture {
        let mut runner = TestRunner::deterministic();
        let batches = proptest::collection::vec(support::batch(), 150).new_tree(&mut runner).unwrap().current();
        let dir = tempfile::tempdir().unwrap();
        let mut log = FileLog::open(dir.path(), OPTIONS).unwrap();
        let mut commits = Vec::new();
        for b in &batches {
            // Positions only: keep every generated batch that the log takes.
            if log.append(&b.stream, ExpectedVersion::Any, &b.events, b.recorded_at).is_ok() {
                let segment = log.segment_paths().last().unwrap().to_path_buf();
                let end = std::fs::metadata(&segment).unwrap().len();
                commits.push(Commit { segment, end, count: log.len() });
            }
        }
        let envelopes = all(&log);
        let segments: Vec<PathBuf> = log.segment_paths().map(Path::to_path_buf).collect();
        log.close().unwrap();
        assert!(segments.len() >= 3, "the fixture spans several segments");
        Fixture { dir, commits, envelopes, segments }
    }

    fn active(&self) -> &Path {
        self.segments.last().unwrap()
    }

    /// The commits in the active segment.
    fn active_commits(&self) -> Vec<&Commit> {
        self.commits.iter().filter(|c| c.segment == self.active()).collect()
    }

    /// Events in the sealed segments.
    fn sealed_count(&self) -> u64 {
        self.commits.iter().filter(|c| c.segment != self.active()).map(|c| c.count).max().unwrap_or(0)
    }

    /// Puts `bytes` in place of the active segment and removes any segment a
    /// previous check added.
    fn set_active(&self, bytes: &[u8]) {
        std::fs::write(self.active(), bytes).unwrap();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if !self.segments.contains(&path) {
                std::fs::remove_file(path).unwrap();
            }
        }
    }

    /// Opens the log and checks it holds exactly the first `count` events.
    fn assert_reopens_to(&self, count: u64, full_check: bool, append: bool) -> FileLog {
        let mut log = FileLog::open(self.dir.path(), OPTIONS).unwrap();
        assert_eq!(log.len(), count);
        if full_check {
            assert_eq!(all(&log), self.envelopes[..count as usize]);
        } else if count > 0 {
            let last: Vec<Envelope> = log.read(Seq(count - 1)).collect::<Result<_, _>>().unwrap();
            assert_eq!(last, self.envelopes[count as usize - 1..count as usize]);
        }
        if append {
            let e = probe();
            let s = e.event.stream();
            assert_eq!(
                log.append(&s, ExpectedVersion::Any, std::slice::from_ref(&e), at()),
                Ok(Seq(count)..Seq(count + 1))
            );
            let back: Vec<Envelope> = log.read(Seq(count)).collect::<Result<_, _>>().unwrap();
            assert_eq!(back.len(), 1);
            assert_eq!(back[0].event, e.event);
        }
        log
    }
}

fn all(log: &FileLog) -> Vec<Envelope> {
    log.read(Seq(0)).collect::<Result<_, _>>().unwrap()
}

fn at() -> DateTime<Utc> {
    "2026-03-01T08:00:00Z".parse().unwrap()
}

/// An event no generated batch holds.
fn probe() -> NewEvent {
    let event: Event = serde_json::from_str(
        r#"{"type":"credit_hold_placed","customer":"PROBE","placed_on":"2026-03-01","reason":"probe"}"#,
    )
    .unwrap();
    NewEvent { event_id: Some(Uuid::from_u128(u128::MAX)), event }
}

/// Where the final batches of the active segment start.
fn final_frames(commits: &[&Commit]) -> u64 {
    assert!(commits.len() >= FINAL_BATCHES, "{} batches in the active segment", commits.len());
    commits.len().checked_sub(FINAL_BATCHES + 1).map_or(64, |i| commits[i].end)
}

/// The events a cut at `len` keeps: those of the last batch that ends at or
/// before it.
fn committed_at(fixture: &Fixture, len: u64) -> u64 {
    fixture.active_commits().iter().filter(|c| c.end <= len).map(|c| c.count).max().unwrap_or(fixture.sealed_count())
}

#[test]
fn the_active_segment_cut_at_every_byte_of_its_final_batches_reopens_to_the_last_commit() {
    let fixture = Fixture::new();
    let original = std::fs::read(fixture.active()).unwrap();
    let commits = fixture.active_commits();
    let from = final_frames(&commits) as usize;
    for len in from..=original.len() {
        fixture.set_active(&original[..len]);
        let expected = committed_at(&fixture, len as u64);
        let at_boundary = len == 64 || commits.iter().any(|c| c.end == len as u64);
        // Reading everything back and appending on every cut would take
        // minutes in debug builds; every 16th cut and every batch boundary
        // get the full check.
        let full = len % 16 == 0 || at_boundary;
        let log = fixture.assert_reopens_to(expected, full, full);
        assert_eq!(log.recovery().is_none(), at_boundary, "cut at {len}");
        if let Some(r) = log.recovery() {
            let last_commit = commits.iter().filter(|c| c.end <= len as u64).map(|c| c.end).max();
            assert_eq!(r.truncated_to, last_commit.unwrap_or(64));
            assert_eq!(r.dropped_bytes, len as u64 - r.truncated_to);
        }
    }
    fixture.set_active(&original);
}

#[test]
fn flipped_bytes_in_the_tail_of_the_active_segment_cut_it_to_the_batch_before() {
    let fixture = Fixture::new();
    let original = std::fs::read(fixture.active()).unwrap();
    let commits = fixture.active_commits();
    let from = final_frames(&commits);
    let mut rng = Rng(0x5eed);
    for round in 0..200 {
        let at = from + rng.below(original.len() as u64 - from);
        let mut damaged = original.clone();
        damaged[at as usize] ^= 1 + rng.below(255) as u8;
        fixture.set_active(&damaged);
        // The damaged batch and everything after it go; the batches before
        // it stay.
        let expected = commits.iter().filter(|c| c.end <= at).map(|c| c.count).max().unwrap_or(fixture.sealed_count());
        let log = fixture.assert_reopens_to(expected, round % 8 == 0, round % 4 == 0);
        let r = log.recovery().expect("the damage was cut");
        assert!(r.damaged_at <= at, "flip at {at}, damage reported at {}", r.damaged_at);
    }
}

#[test]
fn damage_in_a_sealed_segment_is_an_error_naming_the_segment_and_offset() {
    let fixture = Fixture::new();
    let sealed = &fixture.segments[1];
    let original = std::fs::read(sealed).unwrap();
    let mut rng = Rng(0xbad);
    for _ in 0..40 {
        let at = rng.below(original.len() as u64);
        let mut damaged = original.clone();
        damaged[at as usize] ^= 1 + rng.below(255) as u8;
        std::fs::write(sealed, &damaged).unwrap();
        match FileLog::open(fixture.dir.path(), OPTIONS) {
            Err(Error::Corrupt { path, offset, problem }) => {
                assert_eq!(&path, sealed);
                assert!(offset <= at, "flip at {at}, reported at {offset}: {problem}");
                let message = Error::Corrupt { path, offset, problem }.to_string();
                assert!(message.contains("00000000000000000") && message.contains(&format!("byte {offset}")));
            }
            other => panic!("flip at {at}: {other:?}"),
        }
    }
    // A sealed segment cut short, or ending in an uncommitted batch.
    for cut in [10, 64, original.len() - 1, original.len() - 16] {
        std::fs::write(sealed, &original[..cut]).unwrap();
        let err = FileLog::open(fixture.dir.path(), OPTIONS).unwrap_err();
        assert!(matches!(&err, Error::Corrupt { path, .. } if path == sealed), "cut at {cut}: {err:?}");
    }
    // A missing segment.
    std::fs::remove_file(sealed).unwrap();
    let err = FileLog::open(fixture.dir.path(), OPTIONS).unwrap_err();
    assert!(matches!(&err, Error::Corrupt { path, offset: 0, .. } if path == &fixture.segments[2]), "{err:?}");
    std::fs::write(sealed, &original).unwrap();
    fixture.assert_reopens_to(fixture.envelopes.len() as u64, true, false);
}

#[test]
fn a_torn_segment_header_of_the_active_segment_is_rewritten() {
    let fixture = Fixture::new();
    for len in [0, 1, 30, 63] {
        fixture.set_active(&std::fs::read(fixture.active()).unwrap()[..len.min(64)]);
        let log = fixture.assert_reopens_to(fixture.sealed_count(), true, true);
        assert_eq!(log.recovery().map(|r| r.dropped_bytes), Some(len as u64));
        drop(log);
        // Put the header back for the next round.
        fixture.set_active(&[]);
        FileLog::open(fixture.dir.path(), OPTIONS).unwrap();
    }
}

#[test]
fn a_record_of_an_unknown_schema_is_an_error_and_stays() {
    let fixture = Fixture::new();
    let mut bytes = std::fs::read(fixture.active()).unwrap();
    // The first record of the last batch, re-stamped schema 9 with a valid
    // checksum: as a newer build would have written it.
    let commits = fixture.active_commits();
    let at = commits[commits.len() - 2].end as usize;
    let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    bytes[at + 8..at + 10].copy_from_slice(&9u16.to_le_bytes());
    let mut crc = crc32c::crc32c(&bytes[at..at + 4]);
    crc = crc32c::crc32c_append(crc, &bytes[at + 8..at + 16]);
    crc = crc32c::crc32c_append(crc, &bytes[at + 16..at + 16 + len]);
    bytes[at + 4..at + 8].copy_from_slice(&crc.to_le_bytes());
    fixture.set_active(&bytes);
    let err = FileLog::open(fixture.dir.path(), OPTIONS).unwrap_err();
    assert_eq!(err, Error::UnknownSchema { path: fixture.active().to_path_buf(), offset: at as u64, schema: 9 });
    assert_eq!(std::fs::read(fixture.active()).unwrap(), bytes, "nothing is truncated");
}

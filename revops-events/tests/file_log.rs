//! The file log: behaves as the memory log does, survives close and reopen,
//! rolls segments, syncs per policy, refuses appends when poisoned, reads
//! schema-1 records as today's events, and keeps its format.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use revops_events::event::{PaymentMethod, PaymentReceived};
use revops_events::file_log::{
    Durability, EventV1, FailPoint, FileLog, FileLogOptions, PaymentReceivedV1, MAX_RECORD_BYTES,
};
use revops_events::ids::{CustomerId, PaymentId};
use revops_events::{
    Envelope, Error, Event, EventLog, EventTypes, ExpectedVersion, MemoryLog, NewEvent, Seq, StreamId,
};
use support::Batch;
use uuid::Uuid;

fn event(json: &str) -> Event {
    serde_json::from_str(json).unwrap()
}

fn at() -> DateTime<Utc> {
    "2026-02-10T12:00:00Z".parse().unwrap()
}

fn payment(id: &str, amount: &str) -> NewEvent {
    NewEvent::new(event(&format!(
        r#"{{"type":"payment_received","payment":"{id}","customer":"ACME","amount":"{amount}","currency":"USD","received_on":"2026-02-10","method":"wire"}}"#
    )))
}

fn applied(id: &str, invoice: &str, amount: &str) -> NewEvent {
    NewEvent::new(event(&format!(
        r#"{{"type":"payment_applied","payment":"{id}","invoice":"{invoice}","amount":"{amount}","currency":"USD","applied_on":"2026-02-10"}}"#
    )))
}

fn all<L: EventLog>(log: &L) -> Vec<Envelope> {
    log.read(Seq(0)).collect::<Result<_, _>>().unwrap()
}

/// What [`FileLog::replay`] visits from `from`, as owned envelopes, after
/// checking that each record's accessors agree with its envelope.
fn replayed(log: &FileLog, from: Seq) -> Vec<Envelope> {
    let mut out = Vec::new();
    log.replay(from, |r| {
        let e = r.to_envelope()?;
        assert_eq!((r.seq(), r.event_id(), r.stream()), (e.seq, e.event_id, e.stream.as_str()));
        assert_eq!((r.stream_version(), r.recorded_at(), r.schema_version()), (e.stream_version, e.recorded_at, 2));
        assert!(r.archived_event().is_some(), "today's schema is accessed in place");
        assert_eq!(r.event()?, e.event);
        out.push(e);
        Ok::<_, Error>(())
    })
    .unwrap();
    out
}

fn options(segment_bytes: u64, durability: Durability) -> FileLogOptions {
    FileLogOptions { segment_bytes, durability }
}

/// Every file of the log directory and its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

// ---- the log scenarios, run against MemoryLog and FileLog alike --------

fn appends_get_positions_and_stream_versions(log: &mut impl EventLog) {
    let pay = payment("P-1", "700.00");
    let s = pay.event.stream();
    assert_eq!(s.as_str(), "payment/P-1");
    assert_eq!(log.append(&s, ExpectedVersion::NoStream, &[pay], at()).unwrap(), Seq(0)..Seq(1));
    let batch = [applied("P-1", "INV-1", "400.00"), applied("P-1", "INV-2", "300.00")];
    assert_eq!(log.append(&s, ExpectedVersion::Exact(1), &batch, at()).unwrap(), Seq(1)..Seq(3));
    assert_eq!(log.stream_version(&s), 3);
    let versions: Vec<u64> = log.read_stream(&s).map(|e| e.unwrap().stream_version).collect();
    assert_eq!(versions, [1, 2, 3]);
    let from_one: Vec<Seq> = log.read(Seq(1)).map(|e| e.unwrap().seq).collect();
    assert_eq!(from_one, [Seq(1), Seq(2)]);
    assert_eq!(log.read(Seq(9)).count(), 0);
    assert!(log.read(Seq(0)).all(|e| e.unwrap().recorded_at == at()));
}

fn two_writers_with_the_same_expected_version_one_conflicts(log: &mut impl EventLog) {
    let first = payment("P-2", "10.00");
    let s = first.event.stream();
    log.append(&s, ExpectedVersion::NoStream, &[first], at()).unwrap();
    // Both read version 1, both try to append.
    let a = log.append(&s, ExpectedVersion::Exact(1), &[applied("P-2", "INV-1", "5.00")], at());
    assert!(a.is_ok());
    let before = all(log);
    let b = log.append(&s, ExpectedVersion::Exact(1), &[applied("P-2", "INV-9", "5.00")], at());
    assert_eq!(b, Err(Error::Conflict { stream: s.clone(), expected: ExpectedVersion::Exact(1), actual: 2 }));
    assert_eq!(all(log), before, "a refused append writes nothing");
    assert_eq!(log.len(), 2);
}

fn repeats_are_no_ops_and_conflicting_repeats_are_errors(log: &mut impl EventLog) {
    let pay = payment("P-3", "99.00");
    let s = pay.event.stream();
    let first = log.append(&s, ExpectedVersion::NoStream, std::slice::from_ref(&pay), at()).unwrap();
    // A retried append repeats everything: the original position, nothing new,
    // even though the stream has moved on since.
    log.append(&s, ExpectedVersion::Any, &[applied("P-3", "INV-1", "99.00")], at()).unwrap();
    let again = log.append(&s, ExpectedVersion::NoStream, std::slice::from_ref(&pay), at()).unwrap();
    assert_eq!(again, first);
    assert_eq!(log.len(), 2);

    let id = Uuid::from_u128(42);
    let mut tagged = payment("P-4", "1.00");
    tagged.event_id = Some(id);
    let s4 = tagged.event.stream();
    log.append(&s4, ExpectedVersion::Any, &[tagged], at()).unwrap();
    let before = all(log);
    let mut changed = payment("P-4", "2.00");
    changed.event_id = Some(id);
    assert_eq!(
        log.append(&s4, ExpectedVersion::Any, &[changed], at()),
        Err(Error::IdempotencyConflict { event_id: id, original: Seq(2) })
    );
    let mixed = [applied("P-3", "INV-1", "99.00"), applied("P-3", "INV-2", "1.00")];
    assert!(matches!(log.append(&s, ExpectedVersion::Any, &mixed, at()), Err(Error::PartialRepeat { .. })));
    assert_eq!(all(log), before);
}

fn batch_rules(log: &mut impl EventLog) {
    let s = StreamId::books();
    assert_eq!(log.append(&s, ExpectedVersion::Any, &[], at()), Err(Error::EmptyBatch));
    let pay = payment("P-5", "1.00");
    assert_eq!(
        log.append(&s, ExpectedVersion::Any, std::slice::from_ref(&pay), at()),
        Err(Error::WrongStream { expected: s, found: pay.event.stream() })
    );
    let twice = [pay.clone(), pay.clone()];
    assert!(matches!(
        log.append(&pay.event.stream(), ExpectedVersion::Any, &twice, at()),
        Err(Error::DuplicateInBatch { .. })
    ));
    assert!(log.is_empty());
}

#[test]
fn the_memory_log_scenarios_hold_for_both_logs() {
    let scenarios: [fn(&mut MemoryLog); 4] = [
        appends_get_positions_and_stream_versions,
        two_writers_with_the_same_expected_version_one_conflicts,
        repeats_are_no_ops_and_conflicting_repeats_are_errors,
        batch_rules,
    ];
    let on_files: [fn(&mut FileLog); 4] = [
        appends_get_positions_and_stream_versions,
        two_writers_with_the_same_expected_version_one_conflicts,
        repeats_are_no_ops_and_conflicting_repeats_are_errors,
        batch_rules,
    ];
    for (memory_scenario, file_scenario) in scenarios.iter().zip(on_files) {
        let mut memory = MemoryLog::default();
        memory_scenario(&mut memory);
        let dir = tempfile::tempdir().unwrap();
        let mut file = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
        file_scenario(&mut file);
        assert_eq!(all(&file), memory.envelopes());
        file.close().unwrap();
        let reopened = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
        assert_eq!(all(&reopened), memory.envelopes());
    }
}

// ---- generated logs ---------------------------------------------------

/// Applies `batches` to both logs, asserting every call has the same result.
fn apply_both(memory: &mut MemoryLog, file: &mut FileLog, batches: &[Batch]) {
    for (i, b) in batches.iter().enumerate() {
        let m = memory.append(&b.stream, b.expected, &b.events, b.recorded_at);
        let f = file.append(&b.stream, b.expected, &b.events, b.recorded_at);
        assert_eq!(f, m, "append {i}");
        assert_eq!(file.len(), memory.len());
    }
}

fn assert_same(file: &FileLog, memory: &MemoryLog) {
    assert_eq!(file.len(), memory.len());
    assert_eq!(all(file), memory.envelopes());
    let streams: std::collections::BTreeSet<StreamId> = memory.envelopes().iter().map(|e| e.stream.clone()).collect();
    for s in &streams {
        let f: Vec<Envelope> = file.read_stream(s).collect::<Result<_, _>>().unwrap();
        let m: Vec<Envelope> = memory.read_stream(s).collect::<Result<_, _>>().unwrap();
        assert_eq!(f, m, "stream {s}");
        assert_eq!(file.stream_version(s), memory.stream_version(s));
    }
    let mid = Seq(memory.len() / 2);
    let f: Vec<Envelope> = file.read(mid).collect::<Result<_, _>>().unwrap();
    assert_eq!(f, &memory.envelopes()[mid.0 as usize..]);
    assert_eq!(replayed(file, Seq(0)), memory.envelopes());
    assert_eq!(replayed(file, mid), &memory.envelopes()[mid.0 as usize..]);
    assert_eq!(replayed(file, Seq(memory.len() + 1)), []);
    // Every other type, either way round, and all or none of them.
    let even = Event::TYPES.iter().step_by(2).fold(EventTypes::NONE, |set, name| set.with(name));
    let odd = Event::TYPES.iter().skip(1).step_by(2).fold(EventTypes::NONE, |set, name| set.with(name));
    assert_eq!(even.union(odd), EventTypes::ALL);
    for types in [EventTypes::ALL, EventTypes::NONE, even, odd] {
        for from in [Seq(0), mid, Seq(memory.len() + 1)] {
            let (visited, next) = typed(file, from, types);
            let start = (from.0 as usize).min(memory.envelopes().len());
            let expected: Vec<Envelope> =
                memory.envelopes()[start..].iter().filter(|e| types.contains(&e.event)).cloned().collect();
            assert_eq!(visited, expected, "{types:?} from {from:?}");
            assert_eq!(next, Seq(memory.len().max(from.0)));
            assert_eq!(typed(memory, from, types), (visited, next), "the memory log, {types:?} from {from:?}");
        }
    }
}

/// What [`EventLog::replay_types`] visits, and where it says to go on.
fn typed<L: EventLog>(log: &L, from: Seq, types: EventTypes) -> (Vec<Envelope>, Seq) {
    let mut visited = Vec::new();
    let next = log.replay_types(from, types, &mut |e| visited.push(e.clone())).unwrap();
    (visited, next)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Write, close, reopen, read back: equal to what the memory log holds
    /// after the same calls, which return the same results on both.
    #[test]
    fn generated_logs_round_trip_and_match_the_memory_log(
        batches in support::batches(40),
        segment_bytes in prop_oneof![Just(1u64 << 20), 256u64..8192],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let opts = options(segment_bytes, Durability::OnClose);
        let mut memory = MemoryLog::default();
        let mut file = FileLog::open(dir.path(), opts).unwrap();
        apply_both(&mut memory, &mut file, &batches);
        assert_same(&file, &memory);
        file.close().unwrap();

        let mut file = FileLog::open(dir.path(), opts).unwrap();
        prop_assert!(file.recovery().is_none());
        assert_same(&file, &memory);
        // Retrying every append after the reopen is answered the same way.
        apply_both(&mut memory, &mut file, &batches);
        assert_same(&file, &memory);
    }

    /// Every generated event type survives the file log on its own.
    #[test]
    fn every_generated_event_reads_back_equal(events in proptest::collection::vec(support::event(), 1..30)) {
        let dir = tempfile::tempdir().unwrap();
        let mut log = FileLog::open(dir.path(), options(4096, Durability::OnClose)).unwrap();
        for (i, e) in events.iter().enumerate() {
            let new = NewEvent { event_id: Some(Uuid::from_u128(i as u128 + 1)), event: e.clone() };
            log.append(&e.stream(), ExpectedVersion::Any, &[new], at()).unwrap();
        }
        log.close().unwrap();
        let log = FileLog::open(dir.path(), options(4096, Durability::OnClose)).unwrap();
        let back: Vec<Event> = all(&log).into_iter().map(|e| e.event).collect();
        prop_assert_eq!(&back, &events);
        // The type read off the archive in place is the event's own.
        let mut archived = Vec::new();
        log.replay(Seq(0), |r| {
            archived.push(r.archived_event().map(|a| a.type_index()));
            Ok::<_, Error>(())
        })
        .unwrap();
        let owned: Vec<Option<usize>> = events.iter().map(|e| Some(e.type_index())).collect();
        prop_assert_eq!(archived, owned);
        for e in &events {
            prop_assert_eq!(Event::TYPES[e.type_index()], e.type_name());
        }
    }
}

/// A fixed set of generated batches (the same on every run).
fn fixed_batches(n: usize) -> Vec<Batch> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::collection::vec(support::batch(), n);
    strategy.new_tree(&mut runner).unwrap().current()
}

// ---- conflicts ----------------------------------------------------------

#[test]
fn a_refused_append_leaves_the_files_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = FileLog::open(dir.path(), options(1024, Durability::Always)).unwrap();
    let first = payment("P-7", "10.00");
    let s = first.event.stream();
    log.append(&s, ExpectedVersion::NoStream, &[first], at()).unwrap();
    let mut tagged = applied("P-7", "INV-1", "5.00");
    tagged.event_id = Some(Uuid::from_u128(7));
    // Two writers read version 1; the first wins.
    log.append(&s, ExpectedVersion::Exact(1), std::slice::from_ref(&tagged), at()).unwrap();
    let before = files(dir.path());

    let loser = log.append(&s, ExpectedVersion::Exact(1), &[applied("P-7", "INV-9", "5.00")], at());
    assert_eq!(loser, Err(Error::Conflict { stream: s.clone(), expected: ExpectedVersion::Exact(1), actual: 2 }));
    let mut changed = applied("P-7", "INV-1", "6.00");
    changed.event_id = Some(Uuid::from_u128(7));
    assert!(matches!(log.append(&s, ExpectedVersion::Any, &[changed], at()), Err(Error::IdempotencyConflict { .. })));
    let mixed = [tagged.clone(), applied("P-7", "INV-3", "1.00")];
    assert!(matches!(log.append(&s, ExpectedVersion::Any, &mixed, at()), Err(Error::PartialRepeat { .. })));
    assert_eq!(log.append(&s, ExpectedVersion::Any, &[], at()), Err(Error::EmptyBatch));
    let huge = NewEvent::new(event(&format!(
        r#"{{"type":"dispute_reviewed","dispute":"D-1","reviewed_on":"2026-02-10","reviewer":"x","notes":"{}"}}"#,
        "n".repeat(MAX_RECORD_BYTES)
    )));
    let hs = huge.event.stream();
    assert!(matches!(
        log.append(&hs, ExpectedVersion::Any, &[huge], at()),
        Err(Error::RecordTooLarge { limit: MAX_RECORD_BYTES, .. })
    ));
    // A repeat of the winner is a no-op that returns its position.
    assert_eq!(log.append(&s, ExpectedVersion::Exact(1), &[tagged], at()), Ok(Seq(1)..Seq(2)));

    assert_eq!(files(dir.path()), before, "refusals and repeats write nothing");
    assert_eq!(log.len(), 2);
    log.close().unwrap();
    assert_eq!(files(dir.path()), before);
    assert_eq!(FileLog::open(dir.path(), FileLogOptions::default()).unwrap().len(), 2);
}

// ---- durability ---------------------------------------------------------

#[test]
fn every_durability_policy_reopens_to_the_same_content() {
    let batches = fixed_batches(60);
    let mut memory = MemoryLog::default();
    for b in &batches {
        let _ = memory.append(&b.stream, b.expected, &b.events, b.recorded_at);
    }
    for durability in [Durability::Always, Durability::EveryN(7), Durability::OnClose] {
        for close in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let opts = options(4096, durability);
            let mut log = FileLog::open(dir.path(), opts).unwrap();
            for b in &batches {
                let _ = log.append(&b.stream, b.expected, &b.events, b.recorded_at);
            }
            if close {
                log.close().unwrap();
            } else {
                // Dropping syncs per the policy too.
                drop(log);
            }
            let log = FileLog::open(dir.path(), opts).unwrap();
            assert!(log.recovery().is_none(), "{durability:?}");
            assert_eq!(all(&log), memory.envelopes(), "{durability:?}, closed: {close}");
        }
    }
}

#[test]
fn options_out_of_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bad = [options(64, Durability::Always), options(1 << 20, Durability::EveryN(0))];
    for opts in bad {
        assert!(matches!(FileLog::open(dir.path(), opts), Err(Error::InvalidOption { .. })), "{opts:?}");
    }
}

// ---- poisoning ------------------------------------------------------------

#[test]
fn a_failed_write_poisons_the_log_until_it_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(1 << 20, Durability::Always);
    let mut log = FileLog::open(dir.path(), opts).unwrap();
    let first = payment("P-8", "10.00");
    let s = first.event.stream();
    log.append(&s, ExpectedVersion::NoStream, &[first], at()).unwrap();

    log.fail_next(FailPoint::Write);
    let failed = log.append(&s, ExpectedVersion::Exact(1), &[applied("P-8", "INV-1", "5.00")], at());
    assert!(matches!(failed, Err(Error::Io { op: "write", .. })), "{failed:?}");
    assert!(log.is_poisoned());
    let refused = log.append(&s, ExpectedVersion::Exact(1), &[applied("P-8", "INV-2", "5.00")], at());
    assert!(matches!(refused, Err(Error::Poisoned { .. })), "{refused:?}");
    assert!(matches!(log.sync(), Err(Error::Poisoned { .. })));
    // Reading goes on, and sees only what was committed.
    assert_eq!(all(&log).len(), 1);
    assert!(matches!(log.close(), Err(Error::Poisoned { .. })));

    // Reopening cuts the half-written batch and appends work again.
    let mut log = FileLog::open(dir.path(), opts).unwrap();
    let recovery = log.recovery().expect("the torn batch was cut").clone();
    assert!(recovery.dropped_bytes > 0);
    assert_eq!(log.len(), 1);
    log.append(&s, ExpectedVersion::Exact(1), &[applied("P-8", "INV-2", "5.00")], at()).unwrap();
    assert_eq!(all(&log).len(), 2);
}

#[test]
fn a_failed_fsync_poisons_the_log_until_it_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(1 << 20, Durability::Always);
    let mut log = FileLog::open(dir.path(), opts).unwrap();
    let first = payment("P-9", "10.00");
    let s = first.event.stream();
    log.fail_next(FailPoint::Sync);
    assert!(matches!(
        log.append(&s, ExpectedVersion::NoStream, std::slice::from_ref(&first), at()),
        Err(Error::Io { op: "sync", .. })
    ));
    assert!(log.is_poisoned());
    assert!(matches!(
        log.append(&s, ExpectedVersion::Any, std::slice::from_ref(&first), at()),
        Err(Error::Poisoned { .. })
    ));
    drop(log);

    // The write itself went through, so without a crash the batch is there;
    // a retry is a no-op thanks to idempotency.
    let mut log = FileLog::open(dir.path(), opts).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log.append(&s, ExpectedVersion::NoStream, &[first], at()), Ok(Seq(0)..Seq(1)));
}

// ---- rolling --------------------------------------------------------------

#[test]
fn small_segments_roll_and_reads_cross_them() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(1024, Durability::OnClose);
    let batches = fixed_batches(120);
    let mut memory = MemoryLog::default();
    let mut log = FileLog::open(dir.path(), opts).unwrap();
    apply_both(&mut memory, &mut log, &batches);
    let segments: Vec<_> = log.segment_paths().map(Path::to_path_buf).collect();
    assert!(segments.len() > 20, "{} segments", segments.len());
    for (i, s) in segments.iter().enumerate() {
        let name = s.file_name().unwrap().to_str().unwrap();
        assert!(name.len() == 24 && name.ends_with(".seg"), "{name}");
        // Sealed segments stay near the limit: a batch never spans two.
        if i + 1 < segments.len() {
            let next_name = segments[i + 1].file_name().unwrap().to_str().unwrap();
            assert!(name < next_name);
        }
    }
    assert_same(&log, &memory);
    log.close().unwrap();
    let log = FileLog::open(dir.path(), opts).unwrap();
    assert_same(&log, &memory);
    assert_eq!(log.segment_paths().count(), segments.len());
}

#[test]
fn replay_stops_at_the_visitors_first_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
    let batch = [applied("P-7", "INV-1", "1.00"), applied("P-7", "INV-2", "2.00"), applied("P-7", "INV-3", "3.00")];
    log.append(&batch[0].event.stream(), ExpectedVersion::NoStream, &batch, at()).unwrap();
    let mut seen = Vec::new();
    let result = log.replay(Seq(0), |r| {
        seen.push(r.seq());
        if r.seq() == Seq(1) {
            return Err(Error::EmptyBatch);
        }
        Ok(())
    });
    assert_eq!(result, Err(Error::EmptyBatch));
    assert_eq!(seen, [Seq(0), Seq(1)]);
}

#[test]
fn a_record_changed_after_opening_is_reported_by_every_reader() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
    let pay = payment("P-8", "8.00");
    log.append(&pay.event.stream(), ExpectedVersion::NoStream, &[pay], at()).unwrap();
    // Someone cuts the segment short behind the log's back.
    let segment = log.segment_paths().next().unwrap().to_owned();
    std::fs::OpenOptions::new().write(true).open(&segment).unwrap().set_len(64 + 24).unwrap();
    let corrupt = |e: &Error| matches!(e, Error::Corrupt { path, offset: 64, .. } if path == &segment);
    let read: Vec<_> = log.read(Seq(0)).collect();
    assert!(matches!(&read[..], [Err(e)] if corrupt(e)), "{read:?}");
    let replayed = log.replay(Seq(0), |_| Ok::<_, Error>(()));
    assert!(replayed.as_ref().is_err_and(corrupt), "{replayed:?}");
}

// ---- schema evolution -----------------------------------------------------

#[test]
fn a_schema_1_payment_reads_back_as_schema_2_with_method_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
    let v1 = PaymentReceivedV1 {
        payment: PaymentId::new("P-OLD").unwrap(),
        customer: CustomerId::new("ACME").unwrap(),
        amount: "1200.50".parse().unwrap(),
        currency: revops_core::Currency::EUR,
        received_on: "2025-11-30".parse().unwrap(),
    };
    let id = Uuid::from_u128(0x51);
    assert_eq!(log.append_schema_1(id, &EventV1::PaymentReceived(v1), at()), Ok(Seq(0)));
    let upcast = Event::PaymentReceived(PaymentReceived {
        payment: PaymentId::new("P-OLD").unwrap(),
        customer: CustomerId::new("ACME").unwrap(),
        amount: "1200.50".parse().unwrap(),
        currency: revops_core::Currency::EUR,
        received_on: "2025-11-30".parse().unwrap(),
        method: PaymentMethod::Unknown,
    });
    let check = |log: &FileLog| {
        let back = all(log);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].event, upcast);
        assert_eq!(back[0].schema_version, 1, "the envelope keeps the schema it was written with");
        assert_eq!(back[0].event_id, id);
        assert_eq!(back[0].stream.as_str(), "payment/P-OLD");
        let mut visited = 0;
        log.replay(Seq(0), |r| {
            assert_eq!((r.schema_version(), r.event_id(), r.stream()), (1, id, "payment/P-OLD"));
            assert!(r.archived_event().is_none(), "a schema-1 event is only read upcast");
            assert_eq!(r.event()?, upcast);
            assert_eq!(r.to_envelope()?, back[0]);
            visited += 1;
            Ok::<_, Error>(())
        })
        .unwrap();
        assert_eq!(visited, 1);
    };
    check(&log);
    // The upcast event is what the log holds: the same fact again is a repeat.
    let again = NewEvent { event_id: Some(id), event: upcast.clone() };
    assert_eq!(log.append(&upcast.stream(), ExpectedVersion::Any, &[again], at()), Ok(Seq(0)..Seq(1)));
    log.close().unwrap();
    let log = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
    check(&log);
}

// ---- the format is pinned -------------------------------------------------

const GOLDEN: &str = "tests/file_log_golden";

/// The golden events: one of every type, then every value of the vocabulary's
/// own enums, each appended alone with a fixed id and time.
fn golden_events() -> Vec<(Uuid, Event)> {
    let text = std::fs::read_to_string(Path::new(GOLDEN).join("events.jsonl")).unwrap();
    text.lines().enumerate().map(|(i, line)| (Uuid::from_u128(0x601d_0000 + i as u128), event(line))).collect()
}

fn golden_time(i: usize) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_780_000_000_000_000 + i as i64 * 1_000_001).unwrap()
}

fn write_golden(dir: &Path) {
    let mut log = FileLog::open(dir, FileLogOptions::default()).unwrap();
    for (i, (id, e)) in golden_events().into_iter().enumerate() {
        let new = NewEvent { event_id: Some(id), event: e };
        log.append(&new.event.stream(), ExpectedVersion::Any, &[new], golden_time(i)).unwrap();
    }
    log.close().unwrap();
}

/// The stored layout of every event type and enum value is pinned by a
/// checked-in segment: this build must read it, and must write the same
/// bytes. A failure here means the format changed: add a schema version and
/// an upcast instead (or, for a deliberate change before any log exists,
/// rewrite the segment with `REVOPS_BLESS=1`).
#[test]
fn the_golden_segment_reads_back_and_is_written_byte_for_byte() {
    let segment = Path::new(GOLDEN).join("00000000000000000000.seg");
    let fresh = tempfile::tempdir().unwrap();
    write_golden(fresh.path());
    let written = std::fs::read(fresh.path().join("00000000000000000000.seg")).unwrap();
    if std::env::var_os("REVOPS_BLESS").is_some() {
        std::fs::write(&segment, &written).unwrap();
    }
    let golden = std::fs::read(&segment).unwrap();
    // The header names the crate version that wrote it; the records must match.
    assert_eq!(&written[..16], &golden[..16]);
    assert!(written[64..] == golden[64..], "the stored layout of events changed");

    let copy = tempfile::tempdir().unwrap();
    std::fs::write(copy.path().join("00000000000000000000.seg"), &golden).unwrap();
    let log = FileLog::open(copy.path(), FileLogOptions::default()).unwrap();
    let back = all(&log);
    let expected = golden_events();
    assert_eq!(back.len(), expected.len());
    for (i, (envelope, (id, e))) in back.iter().zip(expected).enumerate() {
        assert_eq!(envelope.event, e, "golden event {i}");
        assert_eq!(envelope.event_id, id);
        assert_eq!(envelope.recorded_at, golden_time(i));
        assert_eq!(envelope.schema_version, 2);
    }
    let covered: std::collections::BTreeSet<&str> = back.iter().map(|e| e.event.type_name()).collect();
    assert_eq!(covered.len(), Event::TYPES.len(), "the golden log holds every event type");
}

/// One type at a time off the golden segment (every type, each record of
/// today's schema): `replay_types` skips the others on their archived tag
/// and visits exactly the events of that type.
#[test]
fn each_type_alone_is_read_off_the_golden_segment() {
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(Path::new(GOLDEN).join("00000000000000000000.seg"), copy.path().join("00000000000000000000.seg"))
        .unwrap();
    let log = FileLog::open(copy.path(), FileLogOptions::default()).unwrap();
    let every = all(&log);
    for (index, &name) in Event::TYPES.iter().enumerate() {
        let expected: Vec<Envelope> = every.iter().filter(|e| e.event.type_index() == index).cloned().collect();
        assert!(!expected.is_empty(), "the golden log holds {name}");
        assert_eq!(typed(&log, Seq(0), EventTypes::NONE.with(name)), (expected, Seq(log.len())), "{name}");
    }
}

//! The in-memory log: optimistic concurrency, idempotency, batch rules.

use chrono::{DateTime, Utc};
use revops_events::{Error, Event, EventLog, ExpectedVersion, MemoryLog, NewEvent, Seq, StreamId};
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

fn snapshot(log: &MemoryLog) -> String {
    serde_json::to_string(log.envelopes()).unwrap()
}

#[test]
fn appends_get_positions_and_stream_versions() {
    let mut log = MemoryLog::default();
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

#[test]
fn two_writers_with_the_same_expected_version_one_conflicts() {
    let mut log = MemoryLog::default();
    let first = payment("P-2", "10.00");
    let s = first.event.stream();
    log.append(&s, ExpectedVersion::NoStream, &[first], at()).unwrap();
    // Both read version 1, both try to append.
    let a = log.append(&s, ExpectedVersion::Exact(1), &[applied("P-2", "INV-1", "5.00")], at());
    assert!(a.is_ok());
    let before = snapshot(&log);
    let b = log.append(&s, ExpectedVersion::Exact(1), &[applied("P-2", "INV-9", "5.00")], at());
    assert_eq!(b, Err(Error::Conflict { stream: s.clone(), expected: ExpectedVersion::Exact(1), actual: 2 }));
    assert_eq!(snapshot(&log), before, "a refused append writes nothing");
    assert_eq!(log.len(), 2);
}

#[test]
fn repeats_are_no_ops_and_conflicting_repeats_are_errors() {
    let mut log = MemoryLog::default();
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
    let before = snapshot(&log);
    let mut changed = payment("P-4", "2.00");
    changed.event_id = Some(id);
    assert_eq!(
        log.append(&s4, ExpectedVersion::Any, &[changed], at()),
        Err(Error::IdempotencyConflict { event_id: id, original: Seq(2) })
    );
    let mixed = [applied("P-3", "INV-1", "99.00"), applied("P-3", "INV-2", "1.00")];
    assert!(matches!(log.append(&s, ExpectedVersion::Any, &mixed, at()), Err(Error::PartialRepeat { .. })));
    assert_eq!(snapshot(&log), before);
}

#[test]
fn batch_rules() {
    let mut log = MemoryLog::default();
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
fn derived_ids_depend_on_content_only() {
    assert_eq!(payment("P-6", "1.00").id(), payment("P-6", "1.00").id());
    assert_ne!(payment("P-6", "1.00").id(), payment("P-6", "1.01").id());
    assert_eq!(payment("P-6", "1.00").id().get_version_num(), 5);
}

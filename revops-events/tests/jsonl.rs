//! JSON Lines import and export: the batch rule, idempotent re-import, the
//! round trip, schema upcasts, and errors that name the line and the field
//! and leave the failing batch out of the log.

use std::io::{self, Write};
use std::ops::Range;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use revops_events::event::PaymentMethod;
use revops_events::jsonl::{
    check, export, export_from, import, parse_line, to_line, EventReader, ImportOptions, ImportSummary, MAX_LINE_BYTES,
};
use revops_events::{Envelope, Error, Event, EventLog, ExpectedVersion, MemoryLog, NewEvent, Seq, StreamId};
use uuid::Uuid;

mod support;

fn at() -> DateTime<Utc> {
    "2026-12-31T18:00:00Z".parse().unwrap()
}

fn options() -> ImportOptions {
    ImportOptions::new(at())
}

fn import_str(log: &mut MemoryLog, input: &str, batch_size: usize) -> Result<ImportSummary, Error> {
    import(log, input.as_bytes(), options().with_batch_size(batch_size))
}

fn export_string(log: &MemoryLog) -> String {
    let mut out = Vec::new();
    let written = export(log, &mut out).unwrap();
    assert_eq!(written, log.len());
    String::from_utf8(out).unwrap()
}

/// Two lines on the `books` stream, then two on `payment/P-1`: the first
/// batch is appended when line 3 (another stream) is read; the second is
/// still pending when line 5 comes.
const GOOD: &str = r#"{"type":"fx_rate_set","from":"EUR","to":"USD","rate":"1.0850","on":"2026-01-01"}
{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}
{"type":"payment_received","payment":"P-1","customer":"ACME","amount":"700.00","currency":"USD","received_on":"2026-02-10","method":"wire"}
{"type":"payment_applied","payment":"P-1","invoice":"INV-1","amount":"700.00","currency":"USD","applied_on":"2026-02-10"}
"#;

const APPLIED: &str = r#"{"type":"payment_applied","payment":"P-1","invoice":"INV-2","amount":"1.00","currency":"USD","applied_on":"2026-02-10"}"#;

/// Imports `GOOD` followed by `bad` as line 5; returns the error and the log.
fn import_with_line_5(bad: &str) -> (Error, MemoryLog) {
    let mut log = MemoryLog::default();
    let input = format!("{GOOD}{bad}\n");
    let err = import_str(&mut log, &input, 100).unwrap_err();
    // The books batch (lines 1-2) is in; the payment batch (lines 3-4, the
    // batch line 5 may have belonged to) is not.
    assert_eq!(log.len(), 2, "{err}");
    let mut books_only = MemoryLog::default();
    import_str(&mut books_only, &GOOD.lines().take(2).collect::<Vec<_>>().join("\n"), 100).unwrap();
    assert_eq!(export_string(&log), export_string(&books_only));
    (err, log)
}

fn import_error(err: &Error) -> (u64, Option<&str>, &str) {
    match err {
        Error::Import { line, field, message } => (*line, field.as_deref(), message.as_str()),
        other => panic!("expected an import error, got {other:?}"),
    }
}

/// `APPLIED` with `from` replaced by `to` (exactly once).
fn applied_with(from: &str, to: &str) -> String {
    assert_eq!(APPLIED.matches(from).count(), 1, "{from}");
    APPLIED.replace(from, to)
}

#[test]
fn bad_json_syntax_names_the_line_and_column() {
    let (err, _) = import_with_line_5(&applied_with(r#","invoice""#, r#" "invoice""#));
    let (line, field, message) = import_error(&err);
    assert_eq!((line, field), (5, None));
    assert_eq!(message, "invalid JSON: expected `,` or `}` at column 43");
    assert_eq!(err.to_string(), "line 5: invalid JSON: expected `,` or `}` at column 43");
    // Truncated lines and trailing garbage too.
    let (err, _) = import_with_line_5(&APPLIED[..60]);
    assert!(import_error(&err).2.starts_with("invalid JSON: EOF while parsing"), "{err}");
    let (err, _) = import_with_line_5(&format!("{APPLIED} x"));
    assert!(import_error(&err).2.starts_with("invalid JSON: trailing characters"), "{err}");
}

#[test]
fn an_unknown_field_is_named() {
    let (err, _) = import_with_line_5(&applied_with("applied_on", "aplied_on"));
    let (line, field, message) = import_error(&err);
    assert_eq!((line, field), (5, Some("aplied_on")));
    assert!(message.starts_with("unknown field `aplied_on`, expected one of `payment`, `invoice`"), "{message}");
    // Inside a nested object, the path leads to it.
    let (err, _) = import_with_line_5(
        r#"{"type":"invoice_issued","invoice":"I","customer":"C","contract":"K","issued_on":"2026-01-01","due_on":"2026-01-31","currency":"USD","lines":[{"description":"x","amount":"1.00"},{"description":"y","amount":"2.00","taxx":"0"}]}"#,
    );
    assert_eq!(import_error(&err).1, Some("lines[1].taxx"));
}

#[test]
fn a_bad_amount_is_named_with_its_path() {
    let (err, _) = import_with_line_5(&applied_with(r#""1.00""#, r#""1,000.00""#));
    let (line, field, message) = import_error(&err);
    assert_eq!((line, field), (5, Some("amount")));
    assert!(message.starts_with(r#"invalid value: string "1,000.00", expected a Decimal"#), "{message}");
    // A number where a string amount belongs.
    let (err, _) = import_with_line_5(&applied_with(r#""1.00""#, "1.00"));
    assert_eq!(import_error(&err).1, Some("amount"));
    assert!(import_error(&err).2.starts_with("invalid type: floating point `1.0`"), "{err}");
    // Deep inside an invoice.
    let (err, _) = import_with_line_5(
        r#"{"type":"invoice_issued","invoice":"I","customer":"C","contract":"K","issued_on":"2026-01-01","due_on":"2026-01-31","currency":"USD","lines":[{"description":"x","amount":"1.00"},{"description":"y","amount":"12O.00"}]}"#,
    );
    assert!(
        err.to_string()
            .starts_with(r#"line 5: field lines[1].amount: invalid value: string "12O.00", expected a Decimal"#),
        "{err}"
    );
}

#[test]
fn an_unknown_type_is_named() {
    let (err, _) = import_with_line_5(&applied_with("payment_applied", "payment_aplied"));
    assert_eq!(
        err,
        Error::Import { line: 5, field: Some("type".into()), message: r#"unknown event type "payment_aplied""#.into() }
    );
    let (err, _) = import_with_line_5(r#"{"payment":"P-1"}"#);
    assert_eq!(err, Error::Import { line: 5, field: Some("type".into()), message: "missing field `type`".into() });
    let (err, _) = import_with_line_5(r#"{"type":7}"#);
    assert_eq!(import_error(&err), (5, Some("type"), "expected a string, found a number"));
}

#[test]
fn a_bad_date_is_named_with_the_value() {
    let (err, _) = import_with_line_5(&applied_with("2026-02-10", "2026-02-30"));
    assert_eq!(err.to_string(), r#"line 5: field applied_on: input is out of range: found "2026-02-30""#);
    let (err, _) = import_with_line_5(&applied_with("2026-02-10", "10/02/2026"));
    assert_eq!(import_error(&err).1, Some("applied_on"));
}

#[test]
fn a_missing_required_field_is_named() {
    let (err, _) = import_with_line_5(&applied_with(r#","currency":"USD""#, ""));
    assert_eq!(
        err,
        Error::Import { line: 5, field: Some("currency".into()), message: "missing field `currency`".into() }
    );
    assert_eq!(err.to_string(), "line 5: field currency: missing field `currency`");
    // Nested: the path of the object that lacks it, then its name.
    let (err, _) = import_with_line_5(
        r#"{"type":"invoice_issued","invoice":"I","customer":"C","contract":"K","issued_on":"2026-01-01","due_on":"2026-01-31","currency":"USD","lines":[{"description":"x","amount":"1.00"},{"amount":"2.00"}]}"#,
    );
    assert_eq!(import_error(&err), (5, Some("lines[1].description"), "missing field `description`"));
    let (err, _) = import_with_line_5(
        r#"{"type":"customer_updated","customer":"C","updated_on":"2026-01-01","billing_contact":{"name":"N"}}"#,
    );
    assert_eq!(import_error(&err), (5, Some("billing_contact.email"), "missing field `email`"));
}

#[test]
fn other_bad_lines_are_refused_by_line() {
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("[1,2]", None, "expected a JSON object, found an array"),
        (r#""payment""#, None, "expected a JSON object, found a string"),
        (&applied_with(r#""P-1""#, r#""""#), Some("payment"), r#"invalid payment id "": is empty"#),
        (&applied_with("USD", "USDX"), Some("currency"), r#"unknown currency code "USDX""#),
        (&applied_with("{", r#"{"event_id":"not-a-uuid","#), Some("event_id"), "invalid UUID \"not-a-uuid\": "),
        (&applied_with("{", r#"{"event_id":42,"#), Some("event_id"), "expected a UUID string, found a number"),
        (&applied_with("{", r#"{"schema_version":"2","#), Some("schema_version"), "expected a whole number"),
        (&applied_with("{", r#"{"schema_version":0,"#), Some("schema_version"), "unsupported schema version 0"),
        (&applied_with("{", r#"{"schema_version":3,"#), Some("schema_version"), "unsupported schema version 3"),
        (&applied_with("{", r#"{"schema_version":70000,"#), Some("schema_version"), "unsupported schema version 70000"),
        (
            &applied_with(r#""amount":"1.00""#, r#""amount":"1.00","amount":"2.00""#),
            None,
            "key `amount` is given twice",
        ),
        (&applied_with("{", r#"{"recorded_at":"2026-01-01T00:00:00Z","#), Some("recorded_at"), "unknown field"),
    ];
    for (bad, want_field, want_message) in cases {
        let (err, _) = import_with_line_5(bad);
        let (line, field, message) = import_error(&err);
        assert_eq!((line, field), (5, *want_field), "{bad}: {err}");
        assert!(message.starts_with(want_message), "{bad}: {err}");
    }
}

#[test]
fn a_line_too_long_or_not_utf8_is_refused_by_line() {
    let long = format!(
        r#"{{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05","x":"{}"}}"#,
        "a".repeat(MAX_LINE_BYTES)
    );
    let (err, _) = import_with_line_5(&long);
    assert_eq!(import_error(&err), (5, None, "the line is longer than 1048576 bytes"));
    let mut log = MemoryLog::default();
    let mut input = GOOD.as_bytes().to_vec();
    input.extend_from_slice(b"{\"type\":\"period_closed\",\"period\":\"2026-0\xff\"}\n");
    let err = import(&mut log, &input[..], options()).unwrap_err();
    assert_eq!(import_error(&err), (5, None, "not UTF-8 (byte 41)"));
    assert_eq!(log.len(), 2);
}

#[test]
fn a_refused_line_in_the_middle_of_a_batch_drops_the_whole_batch() {
    // Batches of 3 on one stream: lines 1-3 are appended, 4-5 are pending
    // when line 6 is refused.
    let lines: Vec<String> = (1..=5)
        .map(|i| format!(r#"{{"type":"payment_applied","payment":"P-9","invoice":"INV-{i}","amount":"1.00","currency":"USD","applied_on":"2026-02-10"}}"#))
        .collect();
    let line_6 = applied_with("INV-2", "INV-6").replace("P-1", "P-9");
    let input = format!("{}\n{}\n", lines.join("\n"), line_6.replace("USD", "usd"));
    let mut log = MemoryLog::default();
    let err = import_str(&mut log, &input, 3).unwrap_err();
    assert_eq!(import_error(&err).0, 6);
    assert_eq!(log.len(), 3);
    // Fixing the line and importing again resumes: 1-3 repeat, 4-6 are new.
    let fixed = format!("{}\n{line_6}\n", lines.join("\n"));
    let summary = import_str(&mut log, &fixed, 3).unwrap();
    assert_eq!(summary, ImportSummary { lines: 6, events: 6, appended: 3, repeats: 3, batches: 2 });
    assert_eq!(log.len(), 6);
}

#[test]
fn blank_lines_crlf_and_a_byte_order_mark_are_accepted() {
    let input = format!("\u{feff}\r\n{}\r\n\n   \n{}", GOOD.lines().next().unwrap(), GOOD.lines().nth(2).unwrap());
    let mut log = MemoryLog::default();
    let summary = import_str(&mut log, &input, 10).unwrap();
    assert_eq!(summary, ImportSummary { lines: 5, events: 2, appended: 2, repeats: 0, batches: 2 });
    // Line numbers count blank lines.
    let input = format!("\n\n{APPLIED}\n\n{}\n", applied_with("USD", "XXX"));
    let err = import_str(&mut MemoryLog::default(), &input, 10).unwrap_err();
    assert_eq!(import_error(&err).0, 5);
    let events: Vec<u64> = EventReader::new(input.as_bytes()).map_while(Result::ok).map(|p| p.line).collect();
    assert_eq!(events, [3]);
}

#[test]
fn an_empty_input_imports_nothing() {
    let mut log = MemoryLog::default();
    assert_eq!(import_str(&mut log, "", 10).unwrap(), ImportSummary::default());
    assert_eq!(import_str(&mut log, "\n\n", 10).unwrap(), ImportSummary { lines: 2, ..ImportSummary::default() });
    assert!(log.is_empty());
    let mut out = Vec::new();
    assert_eq!(export(&log, &mut out).unwrap(), 0);
    assert!(out.is_empty());
}

#[test]
fn schema_version_1_payments_read_with_method_unknown() {
    let v1 = r#"{"schema_version":1,"type":"payment_received","payment":"P-OLD","customer":"ACME","amount":"250.00","currency":"USD","received_on":"2025-11-03"}"#;
    let mut log = MemoryLog::default();
    let summary = import_str(&mut log, v1, 10).unwrap();
    assert_eq!(summary.appended, 1);
    let envelope = &log.envelopes()[0];
    let Event::PaymentReceived(payment) = &envelope.event else { panic!("{envelope:?}") };
    assert_eq!(payment.method, PaymentMethod::Unknown);
    assert_eq!(envelope.schema_version, 2, "stored in the current schema");
    // Exported in the current form; that line imports to the same event and id.
    let exported = export_string(&log);
    assert!(exported.contains(r#","schema_version":2,"type":"payment_received","#), "{exported}");
    assert!(exported.contains(r#""method":"unknown"}"#), "{exported}");
    let mut again = MemoryLog::default();
    import_str(&mut again, &exported, 10).unwrap();
    assert_eq!(again.envelopes()[0].event_id, envelope.event_id);
    assert_eq!(again.envelopes()[0].event, envelope.event);
    // The v1 line and the same fact written in v2 are the same event.
    let v2 = v1.replace(r#""schema_version":1,"#, "").replace(r#""2025-11-03""#, r#""2025-11-03","method":"unknown""#);
    assert_eq!(import_str(&mut log, &v2, 10).unwrap().repeats, 1);
    // A v1 payment could not carry a method.
    let bad = v1.replace(r#""2025-11-03""#, r#""2025-11-03","method":"wire""#);
    let err = import_str(&mut log, &bad, 10).unwrap_err();
    assert_eq!(import_error(&err).0, 1);
    assert_eq!(import_error(&err).1, Some("method"));
    // Other types read the same in v1 and v2.
    let close = r#"{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}"#;
    let v1_close = close.replace('{', r#"{"schema_version":1,"#);
    assert_eq!(parse_line(&v1_close, 1).unwrap(), parse_line(close, 1).unwrap());
    // A v2 payment without method is an error: the field is required.
    let err = parse_line(&v1.replace(r#""schema_version":1,"#, ""), 1).unwrap_err();
    assert_eq!(import_error(&err), (1, Some("method"), "missing field `method`"));
}

#[test]
fn explicit_event_ids_are_kept_and_conflicts_name_the_line() {
    let id = Uuid::from_u128(0x1234);
    let with_id = |line: &str| line.replacen('{', &format!(r#"{{"event_id":"{id}","#), 1);
    let mut log = MemoryLog::default();
    import_str(&mut log, &with_id(GOOD.lines().next().unwrap()), 10).unwrap();
    assert_eq!(log.envelopes()[0].event_id, id);
    // The same id again on different content: refused, naming the line; its
    // batch (lines 1-2 on one stream) leaves nothing behind.
    let input = format!(
        "{}\n{}\n",
        GOOD.lines().nth(1).unwrap(),
        with_id(GOOD.lines().nth(1).unwrap()).replace("2026-01", "2026-02")
    );
    let err = import_str(&mut log, &input, 10).unwrap_err();
    assert_eq!(import_error(&err).0, 2);
    assert_eq!(import_error(&err).1, Some("event_id"));
    assert!(import_error(&err).2.contains("already in the log at position 0 with different content"), "{err}");
    assert_eq!(log.len(), 1);
    // Inside one batch: the same content twice is a repeat, different
    // content under one id an error naming both lines.
    let mut log = MemoryLog::default();
    let twice = format!("{APPLIED}\n{APPLIED}\n");
    assert_eq!(
        import_str(&mut log, &twice, 10).unwrap(),
        ImportSummary { lines: 2, events: 2, appended: 1, repeats: 1, batches: 1 }
    );
    let clash = format!("{}\n{}\n", with_id(APPLIED), with_id(&applied_with("INV-2", "INV-3")));
    let err = import_str(&mut MemoryLog::default(), &clash, 10).unwrap_err();
    assert_eq!(
        import_error(&err),
        (2, Some("event_id"), &*format!("event {id} is already used by line 1 with different content"))
    );
}

#[test]
fn the_batch_size_must_fit_the_log() {
    let mut log = MemoryLog::default();
    assert_eq!(import_str(&mut log, GOOD, 0), Err(Error::EmptyBatch));
    assert_eq!(import_str(&mut log, GOOD, 10_001), Err(Error::BatchTooLarge { count: 10_001, limit: 10_000 }));
    assert!(log.is_empty());
    assert_eq!(import_str(&mut log, GOOD, 10_000).unwrap().appended, 4);
}

#[test]
fn check_reads_everything_and_appends_nothing() {
    assert_eq!(check(GOOD.as_bytes()), Ok(4));
    let bad = format!("{GOOD}{}\n", applied_with("USD", "XXX"));
    let err = check(bad.as_bytes()).unwrap_err();
    assert_eq!(import_error(&err).0, 5);
}

#[test]
fn export_writes_the_envelope_keys_first() {
    let mut log = MemoryLog::default();
    import_str(&mut log, GOOD, 10).unwrap();
    let exported = export_string(&log);
    for (line, envelope) in exported.lines().zip(log.envelopes()) {
        let prefix = format!(
            r#"{{"event_id":"{}","schema_version":2,"type":"{}","#,
            envelope.event_id,
            envelope.event.type_name()
        );
        assert!(line.starts_with(&prefix), "{line}");
        assert_eq!(format!("{line}\n"), to_line(envelope));
        let parsed = parse_line(line, 1).unwrap().unwrap();
        assert_eq!((parsed.event_id, &parsed.event), (Some(envelope.event_id), &envelope.event));
    }
    // From a position on.
    let mut tail = Vec::new();
    assert_eq!(export_from(&log, Seq(3), &mut tail).unwrap(), 1);
    assert_eq!(String::from_utf8(tail).unwrap(), exported.lines().nth(3).unwrap().to_owned() + "\n");
}

#[test]
fn a_failing_writer_is_an_export_error() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "pipe closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut log = MemoryLog::default();
    import_str(&mut log, GOOD, 10).unwrap();
    match export(&log, Broken) {
        Err(Error::ExportWrite { kind: io::ErrorKind::BrokenPipe, written: 4, message }) => {
            assert_eq!(message, "pipe closed")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failing_reader_is_an_import_error() {
    struct FailsAfter(&'static [u8]);
    impl io::Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(io::ErrorKind::ConnectionReset, "connection reset"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut log = MemoryLog::default();
    let err = import(&mut log, io::BufReader::new(FailsAfter(GOOD.as_bytes())), options()).unwrap_err();
    assert_eq!(
        err,
        Error::ImportRead { line: 5, kind: io::ErrorKind::ConnectionReset, message: "connection reset".into() }
    );
    assert_eq!(log.len(), 2, "the pending payment batch is dropped");
}

/// A log that records every append and can be told to refuse one.
#[derive(Default)]
struct Recording {
    inner: MemoryLog,
    appends: Vec<(StreamId, usize)>,
    refuse_append: Option<usize>,
}

impl EventLog for Recording {
    type Iter<'a> = <MemoryLog as EventLog>::Iter<'a>;

    fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        recorded_at: DateTime<Utc>,
    ) -> Result<Range<Seq>, Error> {
        assert_eq!(expected, ExpectedVersion::Any);
        self.appends.push((stream.clone(), events.len()));
        if self.refuse_append == Some(self.appends.len()) {
            return Err(Error::WrongStream { expected: stream.clone(), found: StreamId::books() });
        }
        self.inner.append(stream, expected, events, recorded_at)
    }

    fn read(&self, from: Seq) -> Self::Iter<'_> {
        self.inner.read(from)
    }

    fn read_stream(&self, stream: &StreamId) -> Self::Iter<'_> {
        self.inner.read_stream(stream)
    }

    fn stream_version(&self, stream: &StreamId) -> u64 {
        self.inner.stream_version(stream)
    }

    fn len(&self) -> u64 {
        self.inner.len()
    }
}

#[test]
fn a_batch_is_a_run_of_lines_on_one_stream_cut_at_the_batch_size() {
    let input = format!(
        "{GOOD}{}\n{}\n{}\n{}\n",
        applied_with("INV-2", "INV-3"),
        applied_with("INV-2", "INV-4"),
        applied_with("INV-2", "INV-5"),
        GOOD.lines().next().unwrap().replace("1.0850", "1.0900"),
    );
    let mut log = Recording::default();
    let summary = import(&mut log, input.as_bytes(), options().with_batch_size(2)).unwrap();
    let appends: Vec<(&str, usize)> = log.appends.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    assert_eq!(appends, [("books", 2), ("payment/P-1", 2), ("payment/P-1", 2), ("payment/P-1", 1), ("books", 1)]);
    assert_eq!(summary, ImportSummary { lines: 8, events: 8, appended: 8, repeats: 0, batches: 5 });
}

#[test]
fn a_batch_the_log_refuses_is_named_by_its_lines() {
    let mut log = Recording { refuse_append: Some(2), ..Recording::default() };
    let err = import(&mut log, GOOD.as_bytes(), options()).unwrap_err();
    match &err {
        Error::ImportRefused { first_line: 3, last_line: 4, refusal } => {
            assert!(matches!(**refusal, Error::WrongStream { .. }))
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("lines 3 to 4: the log refused the batch: event of stream books"), "{err}");
    assert_eq!(log.len(), 2);
}

#[test]
fn a_grown_file_appends_only_its_new_lines() {
    // Lines 1-3 were imported before; the file has grown since, and line 4
    // shares a batch with line 3 (the log sees a partial repeat).
    let mut log = Recording::default();
    import(&mut log, GOOD.lines().take(3).collect::<Vec<_>>().join("\n").as_bytes(), options()).unwrap();
    let summary = import(&mut log, GOOD.as_bytes(), options()).unwrap();
    assert_eq!(summary, ImportSummary { lines: 4, events: 4, appended: 1, repeats: 3, batches: 2 });
    assert_eq!(log.len(), 4);
    let mut direct = MemoryLog::default();
    import_str(&mut direct, GOOD, 10).unwrap();
    assert_eq!(export_string(&log.inner), export_string(&direct));
}

// ----------------------------------------------------------------- proptest
//
// Events come from the shared generators (`support`), plus a few types with
// free text drawn to be awkward for a line format: quotes, backslashes,
// newlines, NUL, U+2028, a byte order mark.

fn id() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["A", "ÄCME", "c/2", "x y"]).prop_map(str::to_owned)
}

fn awkward_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,16}",
        Just("quote \" backslash \\ tab\t newline\n cr\r end".to_owned()),
        Just("\u{2028}\u{2029}\u{feff}\u{0}".to_owned()),
        Just(String::new()),
    ]
}

fn awkward_event() -> impl Strategy<Value = Event> {
    use serde_json::json;
    let invoice_line = (awkward_text(), prop::option::of(id())).prop_map(|(description, line)| {
        let mut l = json!({"description": description, "amount": "1.50", "tax": "0.12"});
        if let Some(line) = line {
            l["line"] = json!(line);
        }
        l
    });
    let values = prop_oneof![
        (id(), prop::option::of(awkward_text()), prop::collection::vec(invoice_line, 0..3)).prop_map(
            |(i, po, lines)| {
                let mut e = json!({"type": "invoice_issued", "invoice": i, "customer": "C", "contract": "K",
                "issued_on": "2026-01-01", "due_on": "2026-01-31", "currency": "USD", "lines": lines});
                if let Some(po) = po {
                    e["po_number"] = json!(po);
                }
                e
            }
        ),
        (id(), awkward_text(), awkward_text()).prop_map(|(i, reason, by)| json!({
            "type": "credit_memo_issued", "memo": "M", "invoice": i, "amount": "3.00", "currency": "EUR",
            "issued_on": "2026-03-01", "reason": reason, "approved_by": by, "approver_role": "vp_revenue_operations"})),
        (id(), awkward_text()).prop_map(|(d, evidence)| json!({"type": "dispute_resolved", "dispute": d,
            "resolved_on": "2026-03-01", "outcome": "invalid", "evidence": evidence})),
    ];
    values.prop_map(|v| serde_json::from_value::<Event>(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}")))
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![4 => support::event(), 1 => awkward_event()]
}

/// Events with an explicit id (unique) or none (derived from the content).
fn new_events() -> impl Strategy<Value = Vec<NewEvent>> {
    prop::collection::vec((event(), prop::bool::ANY), 0..40).prop_map(|events| {
        events
            .into_iter()
            .enumerate()
            .map(|(i, (event, explicit))| NewEvent {
                event_id: explicit.then(|| Uuid::from_u128(i as u128 + 1)),
                event,
            })
            .collect()
    })
}

fn log_of(events: &[NewEvent]) -> MemoryLog {
    let mut log = MemoryLog::default();
    for e in events {
        // A repeat of the same fact is a no-op.
        log.append(&e.event.stream(), ExpectedVersion::Any, std::slice::from_ref(e), at()).unwrap();
    }
    log
}

fn facts(log: &MemoryLog) -> Vec<(Uuid, StreamId, u64, Event)> {
    log.envelopes()
        .iter()
        .map(|e: &Envelope| (e.event_id, e.stream.clone(), e.stream_version, e.event.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn export_import_export_is_byte_identical(events in new_events(), batch_size in 1usize..6) {
        let log = log_of(&events);
        let first = export_string(&log);
        prop_assert_eq!(first.lines().count() as u64, log.len());
        let mut copy = MemoryLog::default();
        let summary = import_str(&mut copy, &first, batch_size).unwrap();
        prop_assert_eq!(summary.appended, log.len());
        prop_assert_eq!(summary.repeats, 0);
        prop_assert_eq!(facts(&copy), facts(&log));
        prop_assert_eq!(export_string(&copy), first.clone());
        // And importing it again appends nothing.
        let again = import_str(&mut copy, &first, batch_size).unwrap();
        prop_assert_eq!((again.appended, again.repeats), (0, log.len()));
    }

    #[test]
    fn a_log_built_from_batches_round_trips(batches in support::batches(12), batch_size in 1usize..6) {
        let mut log = MemoryLog::default();
        for b in &batches {
            // Stale expectations and id conflicts are refused; the rest is the log.
            let _ = log.append(&b.stream, b.expected, &b.events, b.recorded_at);
        }
        let first = export_string(&log);
        let mut copy = MemoryLog::default();
        prop_assert_eq!(import_str(&mut copy, &first, batch_size).unwrap().appended, log.len());
        prop_assert_eq!(facts(&copy), facts(&log));
        prop_assert_eq!(export_string(&copy), first);
    }

    #[test]
    fn a_line_reads_back_as_its_event(events in new_events()) {
        let log = log_of(&events);
        for envelope in log.envelopes() {
            let line = to_line(envelope);
            prop_assert_eq!(line.matches('\n').count(), 1);
            let parsed = parse_line(&line, 1).unwrap().unwrap();
            prop_assert_eq!(parsed.event_id, Some(envelope.event_id));
            prop_assert_eq!(&parsed.event, &envelope.event);
            // The same as serde's own reading of the event's JSON.
            let plain = serde_json::to_string(&envelope.event).unwrap();
            prop_assert_eq!(parse_line(&plain, 1).unwrap().unwrap().event, serde_json::from_str::<Event>(&plain).unwrap());
        }
    }

    #[test]
    fn without_ids_a_file_imports_to_the_derived_ids(events in new_events(), batch_size in 1usize..6) {
        // Lines without event_id get NewEvent::id(): the same ids as
        // appending the events without explicit ids.
        let anonymous: Vec<NewEvent> = events.iter().map(|e| NewEvent::new(e.event.clone())).collect();
        let expected = log_of(&anonymous);
        let text: String = anonymous.iter().map(|e| serde_json::to_string(&e.event).unwrap() + "\n").collect();
        let mut log = MemoryLog::default();
        let summary = import_str(&mut log, &text, batch_size).unwrap();
        prop_assert_eq!(summary.events, anonymous.len() as u64);
        prop_assert_eq!(summary.appended + summary.repeats, summary.events);
        prop_assert_eq!(facts(&log), facts(&expected));
    }
}

#[test]
fn the_reader_is_fused_after_an_error() {
    let input = format!("{}\n{GOOD}", applied_with("USD", "XXX"));
    let mut reader = EventReader::new(io::Cursor::new(input.into_bytes()));
    assert!(reader.next().unwrap().is_err());
    assert!(reader.next().is_none());
    assert_eq!(reader.lines_read(), 1);
}

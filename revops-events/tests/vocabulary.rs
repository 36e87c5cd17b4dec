//! One event of every type, read from JSON Lines and written back.

use std::collections::BTreeSet;

use revops_events::Event;

const SAMPLE: &str = include_str!("vocabulary.jsonl");

#[test]
fn every_event_type_round_trips_through_json() {
    let mut seen = BTreeSet::new();
    for (number, line) in SAMPLE.lines().enumerate() {
        let event: Event = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", number + 1));
        let written = serde_json::to_value(&event).unwrap();
        let original: serde_json::Value = serde_json::from_str(line).unwrap();
        // Defaults (`po_required: false`, empty notes, quantity 1) are written
        // out; everything the line gave must come back unchanged.
        assert_given_fields_kept(&original, &written, &format!("line {}", number + 1));
        let again: Event = serde_json::from_value(written).unwrap();
        assert_eq!(again, event, "line {}", number + 1);
        seen.insert(event.type_name());
    }
    let all: BTreeSet<&str> = Event::TYPES.iter().copied().collect();
    assert_eq!(seen, all, "the sample must hold one event of every type");
}

#[test]
fn unknown_fields_and_bad_values_are_refused_by_name() {
    let typo = r#"{"type":"payment_received","payment":"P","customer":"C","amount":"1","currency":"USD","recieved_on":"2026-01-01","method":"wire"}"#;
    let err = serde_json::from_str::<Event>(typo).unwrap_err().to_string();
    assert!(err.contains("recieved_on"), "{err}");
    let bad_amount = r#"{"type":"payment_received","payment":"P","customer":"C","amount":"1,000","currency":"USD","received_on":"2026-01-01","method":"wire"}"#;
    assert!(serde_json::from_str::<Event>(bad_amount).is_err());
    let bad_role = r#"{"type":"credit_memo_issued","memo":"M","invoice":"I","amount":"1","currency":"USD","issued_on":"2026-01-01","reason":"r","approved_by":"x","approver_role":"intern"}"#;
    let err = serde_json::from_str::<Event>(bad_role).unwrap_err().to_string();
    assert!(err.contains("intern"), "{err}");
    let empty_id = r#"{"type":"credit_hold_released","customer":"","released_on":"2026-01-01"}"#;
    let err = serde_json::from_str::<Event>(empty_id).unwrap_err().to_string();
    assert!(err.contains("customer id"), "{err}");
}

/// Every field of `given` is in `written` with the same value, recursively.
fn assert_given_fields_kept(given: &serde_json::Value, written: &serde_json::Value, path: &str) {
    match (given, written) {
        (serde_json::Value::Object(g), serde_json::Value::Object(w)) => {
            for (key, value) in g {
                let field = w.get(key).unwrap_or_else(|| panic!("{path}.{key} was dropped"));
                assert_given_fields_kept(value, field, &format!("{path}.{key}"));
            }
        }
        (serde_json::Value::Array(g), serde_json::Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}");
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                assert_given_fields_kept(a, b, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(given, written, "{path}"),
    }
}

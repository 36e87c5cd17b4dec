//! The in-memory log's own rule: derived event ids. Its append, conflict,
//! idempotency and batch scenarios run against `MemoryLog` and `FileLog`
//! alike in `file_log.rs`.

use revops_events::{Event, NewEvent};

fn payment(id: &str, amount: &str) -> NewEvent {
    let event: Event = serde_json::from_str(&format!(
        r#"{{"type":"payment_received","payment":"{id}","customer":"ACME","amount":"{amount}","currency":"USD","received_on":"2026-02-10","method":"wire"}}"#
    ))
    .unwrap();
    NewEvent::new(event)
}

#[test]
fn derived_ids_depend_on_content_only() {
    assert_eq!(payment("P-6", "1.00").id(), payment("P-6", "1.00").id());
    assert_ne!(payment("P-6", "1.00").id(), payment("P-6", "1.01").id());
    assert_eq!(payment("P-6", "1.00").id().get_version_num(), 5);
}

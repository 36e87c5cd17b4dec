//! Fixtures shared by the ledger and schedules scenarios: a hand-written log
//! appended through the `Ledger` commands (so every event passes the
//! command rules) over a `MemoryLog`, then replayed into the projections.

#![allow(dead_code)] // each test binary uses its own part of the fixtures

use chrono::{DateTime, NaiveDate, Utc};
use revops_projections::ledger::GeneralLedger;
use revops_projections::revops_events::ledger::Ledger;
use revops_projections::revops_events::{Envelope, Event, MemoryLog};
use revops_projections::schedules::RevenueSchedules;
use revops_projections::Projection;
use serde_json::{json, Value};

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

/// Appends `events` through the command API; panics on a refusal, naming it.
pub fn log(events: &[Value]) -> Vec<Envelope> {
    let mut ledger = Ledger::open(MemoryLog::default()).unwrap();
    for value in events {
        let event: Event = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"));
        if let Err(e) = ledger.execute(event, at()) {
            panic!("refused: {e}: {value}");
        }
    }
    ledger.log().envelopes().to_vec()
}

/// Appends `events` as an import does: no command checks.
pub fn imported(events: &[Value]) -> Vec<Envelope> {
    let lines: Vec<String> = events.iter().map(Value::to_string).collect();
    let mut log = MemoryLog::default();
    revops_projections::revops_events::jsonl::import(
        &mut log,
        lines.join("\n").as_bytes(),
        revops_projections::revops_events::jsonl::ImportOptions::new(at()),
    )
    .unwrap();
    log.envelopes().to_vec()
}

pub fn general_ledger(envelopes: &[Envelope]) -> GeneralLedger {
    let mut gl = GeneralLedger::default();
    envelopes.iter().for_each(|e| gl.apply(e));
    gl
}

pub fn schedules(envelopes: &[Envelope]) -> RevenueSchedules {
    let mut s = RevenueSchedules::default();
    envelopes.iter().for_each(|e| s.apply(e));
    s
}

pub fn customer(id: &str) -> Value {
    json!({
        "type": "customer_registered", "customer": id, "legal_entity": format!("{id} Inc."),
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
        "billing_contact": {"name": "Ann Payable", "email": "ap@example.com"},
        "payment_method": "ach", "payment_terms": "net_30", "credit_limit": "1000000.00",
        "currency": "USD", "registered_on": "2026-01-01"
    })
}

/// A contract for ACME over 2026 with `lines`.
pub fn contract(id: &str, billing: &str, lines: Value) -> Value {
    json!({
        "type": "contract_signed", "contract": id, "customer": "ACME", "signed_on": "2026-01-01",
        "start_date": "2026-01-01", "end_date": "2026-12-31", "currency": "USD",
        "billing_frequency": billing, "payment_terms": "net_30", "lines": lines
    })
}

/// A one-line ratable subscription over 2026 at `price`.
/// A contract of one time-and-materials line `TM` at `unit_price` an hour.
pub fn time_and_materials(id: &str, unit_price: &str) -> Value {
    contract(
        id,
        "time_and_materials",
        json!([{"line": "TM", "kind": "time_and_materials", "unit_price": unit_price,
                "recognition": {"method": "time_and_materials"}}]),
    )
}

pub fn subscription(id: &str, price: &str) -> Value {
    contract(
        id,
        "annually",
        json!([{"line": "SUB", "kind": "subscription", "price": price, "recognition": {"method": "ratable"}}]),
    )
}

pub fn invoice(id: &str, contract: &str, on: &str, line: &str, amount: &str, tax: &str) -> Value {
    json!({
        "type": "invoice_issued", "invoice": id, "customer": "ACME", "contract": contract,
        "issued_on": on, "due_on": on, "currency": "USD",
        "lines": [{"line": line, "description": "billed", "amount": amount, "tax": tax}]
    })
}

pub fn close(period: &str, on: &str) -> Value {
    json!({"type": "period_closed", "period": period, "closed_on": on})
}

/// The implementation line: 10,000.00 over milestones design 4,000 and
/// build 6,000.
pub fn milestone_line() -> Value {
    json!({"line": "IMP", "kind": "milestone", "price": "10000.00", "recognition": {"method": "milestone"},
           "milestones": [{"milestone": "design", "amount": "4000.00"}, {"milestone": "build", "amount": "6000.00"}]})
}

/// Records an event on milestone `milestone` of line IMP of `contract`.
pub fn milestone(kind: &str, contract: &str, milestone: &str, on: &str) -> Value {
    let date = if kind == "milestone_accepted" { "accepted_on" } else { "delivered_on" };
    json!({"type": kind, "contract": contract, "line": "IMP", "milestone": milestone, date: on})
}

//! Fixtures of the bill run and credit check scenarios: customers and
//! contracts written as their JSON Lines form, so a scenario reads like the
//! log it builds.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use revops_events::event::*;
use revops_events::ledger::Ledger;
use revops_events::revops_core::{Currency, Money};
use revops_events::MemoryLog;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

pub fn at() -> DateTime<Utc> {
    "2026-06-30T12:00:00Z".parse().unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn usd(s: &str) -> Money {
    Money::parse(s, Currency::USD).unwrap()
}

pub fn from<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// `value` with the fields of `extra` set over its own.
pub fn with(mut value: Value, extra: Value) -> Value {
    if let (Some(object), Value::Object(extra)) = (value.as_object_mut(), extra) {
        object.extend(extra);
    }
    value
}

/// A USD customer on net 30, registered on 2025-12-01.
pub fn customer(id: &str) -> CustomerRegistered {
    from(json!({
        "customer": id, "legal_entity": format!("{id} Inc."),
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
        "billing_contact": {"name": "Ann Payable", "email": "ap@example.com"},
        "payment_method": "ach", "payment_terms": "net_30", "credit_limit": "100000.00",
        "currency": "USD", "registered_on": "2025-12-01"
    }))
}

/// A USD contract of `customer` from `start` to `end` with `lines`, signed
/// on 2025-12-15, taxed in US-CA; `extra` overrides any field.
pub fn contract(
    id: &str,
    customer: &str,
    frequency: &str,
    (start, end): (&str, &str),
    lines: Value,
    extra: Value,
) -> ContractSigned {
    from(with(
        json!({
            "contract": id, "customer": customer, "signed_on": "2025-12-15",
            "start_date": start, "end_date": end, "currency": "USD",
            "billing_frequency": frequency, "payment_terms": "net_30", "tax_jurisdiction": "US-CA",
            "lines": lines
        }),
        extra,
    ))
}

/// A subscription line of `price`, recognized ratably by month.
pub fn subscription(line: &str, price: &str) -> Value {
    json!({"line": line, "product": "Platform", "kind": "subscription", "price": price,
           "recognition": {"method": "ratable", "basis": "monthly"}})
}

/// A usage line at `unit_price` a unit.
pub fn usage(line: &str, unit_price: &str) -> Value {
    json!({"line": line, "product": "API calls", "kind": "usage", "unit_price": unit_price,
           "recognition": {"method": "usage"}})
}

/// A ledger over a new in-memory log with the customers `ids` registered.
pub fn ledger_with(ids: &[&str]) -> Ledger<MemoryLog> {
    let mut ledger = Ledger::open(MemoryLog::default()).unwrap();
    for id in ids {
        ledger.register_customer(customer(id), at()).unwrap();
    }
    ledger
}

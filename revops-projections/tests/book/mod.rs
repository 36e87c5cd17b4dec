//! A small book of business for scenario tests, built through the `Ledger`
//! command API over a `MemoryLog`, so every event in it passed the rules.

// Each test crate uses only some of the helpers.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use revops_events::ledger::Ledger;
use revops_events::{Envelope, Event, MemoryLog};
use revops_projections::Projection;
use serde_json::{json, Value};

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The ledger being written, event by event.
pub struct Book {
    ledger: Ledger<MemoryLog>,
}

impl Default for Book {
    fn default() -> Self {
        Book { ledger: Ledger::open(MemoryLog::default()).unwrap() }
    }
}

impl Book {
    /// Executes the event written as JSON (with its `"type"`); a refusal
    /// fails the test with the ledger's error.
    pub fn exec(&mut self, event: Value) -> &mut Self {
        let text = event.to_string();
        let event: Event = serde_json::from_value(event).unwrap_or_else(|e| panic!("{e}: {text}"));
        let at: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        self.ledger.execute(event, at).unwrap_or_else(|e| panic!("refused: {e}: {text}"));
        self
    }

    pub fn customer(&mut self, customer: &str, currency: &str) -> &mut Self {
        self.exec(json!({
            "type": "customer_registered", "customer": customer, "legal_entity": format!("{customer} Inc."),
            "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
            "billing_contact": {"name": "Ann Payable", "email": "ap@example.com"},
            "payment_method": "ach", "payment_terms": "net_30", "credit_limit": "1000000.00",
            "currency": currency, "registered_on": "2025-12-01"
        }))
    }

    /// Signs `contract` for `customer` (in `currency`) from `start` to `end` with `lines`
    /// (JSON contract lines), billed `frequency`; `extra` fields (rep, plan)
    /// are merged in.
    pub fn contract(
        &mut self,
        contract: &str,
        (customer, currency): (&str, &str),
        (signed, start, end): (&str, &str, &str),
        frequency: &str,
        lines: Value,
        extra: Value,
    ) -> &mut Self {
        let mut event = json!({
            "type": "contract_signed", "contract": contract, "customer": customer, "signed_on": signed,
            "start_date": start, "end_date": end, "currency": currency, "billing_frequency": frequency,
            "payment_terms": "net_30", "lines": lines
        });
        if let (Some(event), Some(extra)) = (event.as_object_mut(), extra.as_object()) {
            event.extend(extra.clone());
        }
        self.exec(event)
    }

    /// Issues a one-line invoice of `amount` plus `tax`.
    pub fn invoice(
        &mut self,
        invoice: &str,
        (customer, contract, currency): (&str, &str, &str),
        (issued, due): (&str, &str),
        amount: &str,
        tax: &str,
    ) -> &mut Self {
        self.exec(json!({
            "type": "invoice_issued", "invoice": invoice, "customer": customer, "contract": contract,
            "issued_on": issued, "due_on": due, "currency": currency,
            "lines": [{"description": "services", "amount": amount, "tax": tax}]
        }))
    }

    /// Receives `payment` and applies all of it to `invoice` the same day.
    pub fn pay(
        &mut self,
        payment: &str,
        (customer, currency): (&str, &str),
        invoice: &str,
        amount: &str,
        on: &str,
    ) -> &mut Self {
        self.exec(json!({
            "type": "payment_received", "payment": payment, "customer": customer, "amount": amount,
            "currency": currency, "received_on": on, "method": "wire"
        }));
        self.exec(json!({
            "type": "payment_applied", "payment": payment, "invoice": invoice, "amount": amount,
            "currency": currency, "applied_on": on
        }))
    }

    pub fn envelopes(&self) -> &[Envelope] {
        self.ledger.log().envelopes()
    }

    /// Folds the whole log into `projection`.
    pub fn replay<P: Projection>(&self, projection: &mut P) {
        for envelope in self.envelopes() {
            projection.apply(envelope);
        }
    }

    /// A projection folded from the whole log, every envelope applied twice
    /// (the second time must change nothing).
    pub fn fold<P: Projection + Default>(&self) -> P {
        let mut projection = P::default();
        for envelope in self.envelopes() {
            projection.apply(envelope);
            projection.apply(envelope);
        }
        projection
    }
}

/// ACME, billed in USD, with contract C-1: a 12,000.00 subscription for
/// 2026, billed monthly.
pub fn acme_book() -> Book {
    let mut book = Book::default();
    book.customer("ACME", "USD").contract(
        "C-1",
        ("ACME", "USD"),
        ("2026-01-01", "2026-01-01", "2026-12-31"),
        "monthly",
        json!([subscription("SUB", "12000.00")]),
        json!({}),
    );
    book
}

/// A subscription line of `price` for its whole term.
pub fn subscription(line: &str, price: &str) -> Value {
    json!({"line": line, "product": "Platform", "kind": "subscription", "price": price,
           "recognition": {"method": "ratable", "basis": "monthly"}})
}

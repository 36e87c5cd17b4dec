//! The credit check: each row of the policy table decided from what the
//! ledger holds (ARR of live subscriptions, payment history, open AR), the
//! exposure over the limit, a prior late payer, a credit hold, and the
//! errors.

mod ops_fixtures;

use ops_fixtures::*;
use revops_events::event::*;
use revops_events::ids::CustomerId;
use revops_events::ledger::{CreditDecision, CreditOutcome, CreditRule, Ledger};
use revops_events::revops_core::{Currency, Money};
use revops_events::{Error, MemoryLog};
use serde_json::json;

fn id(s: &str) -> CustomerId {
    CustomerId::new(s).unwrap()
}

/// A one-year subscription contract `C-{customer}` of `price` for 2026.
fn subscribe(l: &mut Ledger<MemoryLog>, customer: &str, price: &str) {
    let lines = json!([subscription("SUB", price)]);
    let c = contract(&format!("C-{customer}"), customer, "annually", ("2026-01-01", "2026-12-31"), lines, json!({}));
    l.sign_contract(c, at()).unwrap();
}

/// An invoice of `amount` (no tax) to `customer` on its contract.
fn bill(l: &mut Ledger<MemoryLog>, invoice: &str, customer: &str, amount: &str, (issued, due): (&str, &str)) {
    let event: InvoiceIssued = from(json!({
        "invoice": invoice, "customer": customer, "contract": format!("C-{customer}"),
        "issued_on": issued, "due_on": due, "currency": "USD",
        "lines": [{"description": "Platform", "amount": amount}]
    }));
    l.issue_invoice(event, at()).unwrap();
}

/// `amount` paid on `invoice` by `customer`, received and applied on `on`.
fn pay(l: &mut Ledger<MemoryLog>, invoice: &str, customer: &str, amount: &str, on: &str) {
    let payment = format!("PAY-{invoice}");
    let received: PaymentReceived = from(json!({"payment": payment, "customer": customer, "amount": amount,
        "currency": "USD", "received_on": on, "method": "ach"}));
    l.record_payment(received, at()).unwrap();
    let applied: PaymentApplied = from(json!({"payment": payment, "invoice": invoice, "amount": amount,
        "currency": "USD", "applied_on": on}));
    l.apply_payment(applied, at()).unwrap();
}

fn check(l: &Ledger<MemoryLog>, customer: &str, order: &str) -> CreditDecision {
    l.check_credit(&id(customer), usd(order), date("2026-06-15")).unwrap()
}

/// The decision in one line: category and figures, then outcome, deposit
/// and rule.
fn line(d: &CreditDecision) -> String {
    format!(
        "{:?} arr {} limit {} open {} order {} exposure {} -> {:?} deposit {} by {:?}",
        d.category, d.arr, d.credit_limit, d.open_ar, d.order, d.exposure, d.outcome, d.deposit, d.rule
    )
}

#[test]
fn enterprise_is_approved_on_net_45_without_deposit() {
    let mut l = ledger_with(&["BIG"]);
    // 1,200,012.00 a year: 100,001.00 a month, ARR just over a million.
    subscribe(&mut l, "BIG", "1200012.00");
    let d = check(&l, "BIG", "400000.00");
    assert_eq!(
        line(&d),
        "Enterprise arr 1200012.00 limit 500000.00 open 0.00 order 400000.00 exposure 400000.00 -> Approved deposit 0.00 by WithinLimit"
    );
    assert_eq!(serde_json::to_value(&d.payment_terms).unwrap(), json!(["net_45"]));
    assert_eq!(d.reason, "exposure 400000.00 is within the credit limit 500000.00");
    // After the term, nothing recurs: no longer enterprise.
    let later = l.check_credit(&id("BIG"), usd("400000.00"), date("2027-01-01")).unwrap();
    assert_eq!(line(&later), "Smb arr 0.00 limit 25000.00 open 0.00 order 400000.00 exposure 400000.00 -> DepositRequired deposit 375000.00 by ExposureOverLimit");
}

#[test]
fn mid_market_is_approved_within_the_limit_and_refused_over_it() {
    let mut l = ledger_with(&["MID"]);
    subscribe(&mut l, "MID", "240000.00");
    bill(&mut l, "INV-MID-1", "MID", "30000.00", ("2026-06-01", "2026-07-01"));
    let within = check(&l, "MID", "70000.00");
    assert_eq!(
        line(&within),
        "MidMarket arr 240000.00 limit 100000.00 open 30000.00 order 70000.00 exposure 100000.00 -> Approved deposit 0.00 by WithinLimit"
    );
    assert_eq!(serde_json::to_value(&within.payment_terms).unwrap(), json!(["net_30"]));
    let over = check(&l, "MID", "70000.01");
    assert_eq!(
        line(&over),
        "MidMarket arr 240000.00 limit 100000.00 open 30000.00 order 70000.01 exposure 100000.01 -> Refused deposit 0.00 by ExposureOverLimit"
    );
    assert_eq!(
        over.reason,
        "exposure 100000.01 exceeds the credit limit 100000.00 and the mid_market policy takes no deposit"
    );
}

#[test]
fn smb_counts_a_partial_month_and_asks_a_deposit_of_the_excess() {
    let mut l = ledger_with(&["SMALL"]);
    // 15 Jan to 30 Jun is 5 + 16/30 months: 11,000.00 x 30 / 166 =
    // 1,987.951... a month, 1,987.95 rounded; ARR 23,855.40.
    let lines = json!([subscription("SUB", "11000.00")]);
    let c = contract("C-SMALL", "SMALL", "monthly", ("2026-01-15", "2026-06-30"), lines, json!({}));
    l.sign_contract(c, at()).unwrap();
    bill(&mut l, "INV-S-1", "SMALL", "4000.00", ("2026-06-01", "2026-07-01"));
    // An optional deposit is never required.
    let within = check(&l, "SMALL", "21000.00");
    assert_eq!(
        line(&within),
        "Smb arr 23855.40 limit 25000.00 open 4000.00 order 21000.00 exposure 25000.00 -> Approved deposit 0.00 by WithinLimit"
    );
    let over = check(&l, "SMALL", "26000.00");
    assert_eq!(
        line(&over),
        "Smb arr 23855.40 limit 25000.00 open 4000.00 order 26000.00 exposure 30000.00 -> DepositRequired deposit 5000.00 by ExposureOverLimit"
    );
    assert_eq!(
        over.reason,
        "exposure 30000.00 exceeds the credit limit 25000.00: a deposit of 5000.00 brings it within the limit"
    );
    // Paid in time: the invoice no longer counts, and the customer is no late payer.
    pay(&mut l, "INV-S-1", "SMALL", "4000.00", "2026-07-01");
    assert_eq!(check(&l, "SMALL", "25000.00").outcome, CreditOutcome::Approved);
}

#[test]
fn a_new_customer_pays_a_deposit_on_the_order_above_ten_thousand() {
    let l = ledger_with(&["NEW"]);
    let small = check(&l, "NEW", "10000.00");
    assert_eq!(
        line(&small),
        "NewCustomer arr 0.00 limit 10000.00 open 0.00 order 10000.00 exposure 10000.00 -> Approved deposit 0.00 by WithinLimit"
    );
    assert_eq!(serde_json::to_value(&small.payment_terms).unwrap(), json!(["net_15", "upfront"]));
    let large = check(&l, "NEW", "12500.00");
    assert_eq!(
        line(&large),
        "NewCustomer arr 0.00 limit 10000.00 open 0.00 order 12500.00 exposure 12500.00 -> DepositRequired deposit 2500.00 by DepositPolicy"
    );
    assert_eq!(large.reason, "the new_customer policy requires a deposit of the order above 10000.00: 2500.00");
}

#[test]
fn a_prior_late_payer_deposits_the_whole_order_and_is_refused_over_its_open_ar() {
    let mut l = ledger_with(&["LATE"]);
    subscribe(&mut l, "LATE", "500000.00");
    bill(&mut l, "INV-L-1", "LATE", "1000.00", ("2026-02-01", "2026-03-03"));
    // Received a day after the due date.
    pay(&mut l, "INV-L-1", "LATE", "1000.00", "2026-03-04");
    assert_eq!(l.state().customer(&id("LATE")).unwrap().paid_late_on, Some(date("2026-03-04")));
    let d = check(&l, "LATE", "3000.00");
    // MRR 500,000.00 / 12 = 41,666.67 rounded once, as Mrr rounds it: ARR
    // is that times 12.
    assert_eq!(
        line(&d),
        "PriorLatePayer arr 500000.04 limit 5000.00 open 0.00 order 3000.00 exposure 3000.00 -> DepositRequired deposit 3000.00 by DepositPolicy"
    );
    assert_eq!(d.reason, "the prior_late_payer policy requires a deposit of the whole order: 3000.00");
    // Before the late payment, the same customer was mid-market.
    let before = l.check_credit(&id("LATE"), usd("3000.00"), date("2026-03-03")).unwrap();
    assert_eq!(before.category, revops_events::revops_core::credit::CreditCategory::MidMarket);

    bill(&mut l, "INV-L-2", "LATE", "6000.00", ("2026-06-01", "2026-07-01"));
    let refused = check(&l, "LATE", "100.00");
    assert_eq!(
        line(&refused),
        "PriorLatePayer arr 500000.04 limit 5000.00 open 6000.00 order 100.00 exposure 6100.00 -> Refused deposit 0.00 by OpenArOverLimit"
    );
    assert_eq!(
        refused.reason,
        "open AR 6000.00 already exceeds the credit limit 5000.00: no deposit on the order brings the exposure within it"
    );
}

#[test]
fn a_customer_on_credit_hold_is_refused() {
    let mut l = ledger_with(&["HOLD"]);
    subscribe(&mut l, "HOLD", "240000.00");
    let hold: CreditHoldPlaced = from(json!({"customer": "HOLD", "placed_on": "2026-06-01", "reason": "91 days late"}));
    l.place_credit_hold(hold, at()).unwrap();
    let d = check(&l, "HOLD", "1.00");
    assert_eq!((d.outcome, d.rule), (CreditOutcome::Refused, CreditRule::CreditHold));
    assert_eq!(d.reason, "customer HOLD is on credit hold");
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({"customer": "HOLD", "as_of": "2026-06-15", "currency": "USD", "category": "mid_market",
               "arr": "240000.00", "credit_limit": "100000.00", "payment_terms": ["net_30"],
               "open_ar": "0.00", "order": "1.00", "exposure": "1.00", "outcome": "refused", "deposit": "0.00",
               "rule": "credit_hold", "reason": "customer HOLD is on credit hold"})
    );
}

#[test]
fn unknown_customers_other_currencies_and_bad_orders_are_errors() {
    let mut l = ledger_with(&["ACME"]);
    let mut euro = customer("EURO");
    euro.currency = Currency::EUR;
    l.register_customer(euro, at()).unwrap();
    let on = date("2026-06-15");
    assert!(matches!(
        l.check_credit(&id("NOBODY"), usd("1.00"), on),
        Err(Error::UnknownEntity { entity: "customer", .. })
    ));
    let eur = Money::parse("1.00", Currency::EUR).unwrap();
    assert!(matches!(
        l.check_credit(&id("EURO"), eur, on),
        Err(Error::CurrencyMismatch { against: "credit policy", expected: Currency::USD, found: Currency::EUR, .. })
    ));
    assert!(matches!(l.check_credit(&id("ACME"), eur, on), Err(Error::CurrencyMismatch { against: "order", .. })));
    assert!(matches!(l.check_credit(&id("ACME"), usd("-1.00"), on), Err(Error::Negative { field: "order", .. })));
    assert!(matches!(l.check_credit(&id("ACME"), usd("1.001"), on), Err(Error::NotMinorUnits { field: "order", .. })));
}

//! Commands: the happy path of a small book, one test per validation rule
//! (the exact error, and a log byte-identical before and after the refusal),
//! replay of facts the rules would refuse, and optimistic concurrency.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, NaiveDate, Utc};
use revops_events::event::*;
use revops_events::ids::*;
use revops_events::ledger::Ledger;
use revops_events::revops_core::{self, Currency, Money};
use revops_events::{Envelope, Error, Event, EventLog, ExpectedVersion, MemoryLog, NewEvent, Seq, StreamId};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

// ---------------------------------------------------------------- fixtures

fn at() -> DateTime<Utc> {
    "2026-02-10T12:00:00Z".parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn usd(s: &str) -> Money {
    Money::parse(s, Currency::USD).unwrap()
}

fn from<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

fn customer(id: &str, currency: &str) -> CustomerRegistered {
    from(json!({
        "customer": id, "legal_entity": format!("{id} Inc."),
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
        "billing_contact": {"name": "Ann Payable", "email": "ap@example.com"},
        "payment_method": "ach", "payment_terms": "net_30", "credit_limit": "100000.00",
        "currency": currency, "registered_on": "2026-01-02"
    }))
}

fn plan() -> CommissionPlanDefined {
    from(json!({
        "plan": "FY26-AE", "rep": "rep-jane", "quota": "1000000.00", "currency": "USD", "basis": "booking",
        "tiers": [{"from_attainment": "0", "rate": "0.10"}, {"from_attainment": "1.0", "rate": "0.15"}],
        "clawback_months": 6, "payout_day": 15, "effective_on": "2026-01-01"
    }))
}

/// C-1 for ACME: a PO contract with a line of every recognition method.
fn contract(id: &str, customer: &str) -> ContractSigned {
    from(json!({
        "contract": id, "customer": customer, "signed_on": "2026-01-10",
        "start_date": "2026-01-15", "end_date": "2027-01-14", "currency": "USD",
        "billing_frequency": "monthly", "payment_terms": "net_30",
        "po_required": true, "po_number": "PO-991", "tax_jurisdiction": "US-IL",
        "assigned_ae": "rep-jane", "commission_plan": "FY26-AE",
        "lines": [
            {"line": "SUB", "product": "Platform", "kind": "subscription", "price": "12000.00", "ssp": "14400.00",
             "recognition": {"method": "ratable", "basis": "monthly"}},
            {"line": "IMP", "product": "Implementation", "kind": "milestone", "price": "6000.00",
             "recognition": {"method": "milestone"},
             "milestones": [{"milestone": "design", "amount": "2400.00"},
                            {"milestone": "go-live", "amount": "3600.00"}]},
            {"line": "TM", "product": "Consulting", "kind": "time_and_materials", "unit_price": "150.00",
             "recognition": {"method": "time_and_materials"}},
            {"line": "LIC", "product": "On-prem license", "kind": "perpetual_license", "price": "3000.00",
             "recognition": {"method": "point_in_time"}},
            {"line": "API", "product": "API calls", "kind": "usage", "unit_price": "0.01",
             "recognition": {"method": "usage"}}
        ]
    }))
}

/// A simple contract without a PO requirement.
fn plain_contract(id: &str, customer: &str) -> ContractSigned {
    from(json!({
        "contract": id, "customer": customer, "signed_on": "2026-01-01",
        "start_date": "2026-01-01", "end_date": "2026-12-31", "currency": "USD",
        "billing_frequency": "annually", "payment_terms": "net_30",
        "lines": [{"line": "SUB", "kind": "subscription", "price": "12000.00", "recognition": {"method": "ratable"}}]
    }))
}

fn invoice(id: &str, contract: &str, customer: &str, amount: &str, tax: &str) -> InvoiceIssued {
    from(json!({
        "invoice": id, "customer": customer, "contract": contract,
        "issued_on": "2026-01-15", "due_on": "2026-02-14", "currency": "USD", "po_number": "PO-991",
        "lines": [{"line": "SUB", "description": "Platform, Jan 15 - Feb 14", "amount": amount, "tax": tax,
                   "period_start": "2026-01-15", "period_end": "2026-02-14"}]
    }))
}

fn payment(id: &str, customer: &str, amount: &str) -> PaymentReceived {
    from(json!({"payment": id, "customer": customer, "amount": amount, "currency": "USD",
                "received_on": "2026-02-10", "method": "wire"}))
}

fn applied(payment: &str, invoice: &str, amount: &str) -> PaymentApplied {
    from(json!({"payment": payment, "invoice": invoice, "amount": amount, "currency": "USD",
                "applied_on": "2026-02-10"}))
}

fn refund(payment: &str, amount: &str) -> PaymentRefunded {
    from(json!({"payment": payment, "amount": amount, "currency": "USD", "refunded_on": "2026-03-01",
                "reason": "overpayment"}))
}

fn memo(id: &str, invoice: &str, amount: &str) -> CreditMemoIssued {
    from(json!({"memo": id, "invoice": invoice, "amount": amount, "currency": "USD", "issued_on": "2026-02-20",
                "reason": "service credit", "approved_by": "Rita Ops", "approver_role": "vp_revenue_operations"}))
}

fn write_off(invoice: &str, amount: &str) -> InvoiceWrittenOff {
    from(json!({"invoice": invoice, "amount": amount, "currency": "USD", "written_off_on": "2026-09-30",
                "reason": "uncollectible"}))
}

fn dispute(id: &str, invoice: &str, amount: &str) -> DisputeOpened {
    from(json!({"dispute": id, "invoice": invoice, "reason_code": "pricing_error", "amount": amount,
                "currency": "USD", "opened_on": "2026-03-06"}))
}

fn reviewed(id: &str) -> DisputeReviewed {
    from(json!({"dispute": id, "reviewed_on": "2026-03-07", "reviewer": "Billing desk"}))
}

fn escalated(id: &str) -> DisputeEscalated {
    from(json!({"dispute": id, "escalated_on": "2026-03-17", "to": "VP Revenue Operations"}))
}

fn resolved(id: &str, outcome: &str, memo: Option<&str>) -> DisputeResolved {
    let mut v = json!({"dispute": id, "resolved_on": "2026-03-20", "outcome": outcome});
    if let Some(m) = memo {
        v["credit_memo"] = json!(m);
    }
    from(v)
}

fn hold(customer: &str) -> CreditHoldPlaced {
    from(json!({"customer": customer, "placed_on": "2026-03-01", "reason": "60 days past due"}))
}

fn release(customer: &str) -> CreditHoldReleased {
    from(json!({"customer": customer, "released_on": "2026-03-15"}))
}

fn sourced(contract: &str, partner: &str) -> PartnerAttributed {
    from(json!({"contract": contract, "partner": partner, "kind": "sourced", "share": "0.20",
                "attributed_on": "2026-01-10"}))
}

fn snapshot(log: &MemoryLog) -> String {
    serde_json::to_string(log.envelopes()).unwrap()
}

/// A book to refuse things against: customers ACME and GLOBEX, plan
/// FY26-AE, contract C-1 (ACME, PO required) and C-G (GLOBEX), invoice
/// INV-1 (1,062.50 on C-1) and payment PAY-1 (700.00 from ACME).
fn book() -> Ledger<MemoryLog> {
    let mut l = Ledger::open(MemoryLog::default()).unwrap();
    l.register_customer(customer("ACME", "USD"), at()).unwrap();
    l.register_customer(customer("GLOBEX", "USD"), at()).unwrap();
    l.define_commission_plan(plan(), at()).unwrap();
    l.sign_contract(contract("C-1", "ACME"), at()).unwrap();
    l.sign_contract(plain_contract("C-G", "GLOBEX"), at()).unwrap();
    l.issue_invoice(invoice("INV-1", "C-1", "ACME", "1000.00", "62.50"), at()).unwrap();
    l.record_payment(payment("PAY-1", "ACME", "700.00"), at()).unwrap();
    l
}

/// `event` is refused with exactly `expected`, and neither the log (byte
/// for byte) nor the ledger's state moved.
#[track_caller]
fn refused(ledger: &mut Ledger<MemoryLog>, event: impl Into<Event>, expected: Error) {
    let before = snapshot(ledger.log());
    let state = ledger.state().clone();
    let event = event.into();
    assert_eq!(ledger.check(&event), Err(expected.clone()), "check");
    assert_eq!(ledger.execute(event, at()), Err(expected));
    assert_eq!(snapshot(ledger.log()), before, "a refused command appends nothing");
    assert_eq!(ledger.state(), &state, "a refused command changes no state");
}

fn id<T: TryFrom<String, Error = Error>>(s: &str) -> T {
    T::try_from(s.to_string()).unwrap()
}

// ---------------------------------------------------------------- happy path

#[test]
fn a_small_book_from_customer_to_resolved_dispute() {
    let mut l = book();
    let inv: InvoiceId = id("INV-1");
    let pay: PaymentId = id("PAY-1");
    assert_eq!(l.state().invoice(&inv).unwrap().total().to_string(), "1062.50 USD");

    l.dispatch_invoice(
        from(json!({"invoice": "INV-1", "channel": "email", "to": "ap@acme.example", "dispatched_on": "2026-01-15"})),
        at(),
    )
    .unwrap();
    // Partial payment: 600.00 of the 700.00 received goes to INV-1.
    l.apply_payment(applied("PAY-1", "INV-1", "600.00"), at()).unwrap();
    assert_eq!(l.state().invoice(&inv).unwrap().open_amount().to_string(), "462.50 USD");
    assert_eq!(l.state().payment(&pay).unwrap().unapplied().to_string(), "100.00 USD");

    l.issue_credit_memo(memo("CM-1", "INV-1", "100.00"), at()).unwrap();
    assert_eq!(l.state().invoice(&inv).unwrap().open_amount().to_string(), "362.50 USD");

    // The dispute lifecycle, resolved valid with a second credit memo.
    let dsp: DisputeId = id("DSP-1");
    l.open_dispute(dispute("DSP-1", "INV-1", "250.00"), at()).unwrap();
    l.review_dispute(reviewed("DSP-1"), at()).unwrap();
    l.escalate_dispute(escalated("DSP-1"), at()).unwrap();
    l.issue_credit_memo(memo("CM-2", "INV-1", "250.00"), at()).unwrap();
    l.resolve_dispute(resolved("DSP-1", "valid", Some("CM-2")), at()).unwrap();
    let d = l.state().dispute(&dsp).unwrap();
    assert_eq!(d.outcome, Some(DisputeOutcome::Valid));
    assert_eq!(d.reviewed_on, Some(date("2026-03-07")));
    assert_eq!(d.escalated_on, Some(date("2026-03-17")));
    assert_eq!(l.state().invoice(&inv).unwrap().open_amount().to_string(), "112.50 USD");

    // The rest of the cash settles the rest; the last cent is a write-off.
    l.apply_payment(applied("PAY-1", "INV-1", "100.00"), at()).unwrap();
    l.write_off_invoice(write_off("INV-1", "12.50"), at()).unwrap();
    let settled = l.state().invoice(&inv).unwrap();
    assert_eq!(settled.open_amount(), usd("0.00"));
    assert_eq!((settled.applied, settled.credited, settled.written_off), (dec("700"), dec("350"), dec("12.5")));
    assert_eq!(l.state().payment(&pay).unwrap().unapplied(), usd("0"));

    // Performance and partners on the contract.
    let c1: ContractId = id("C-1");
    l.deliver_milestone(
        from(json!({"contract": "C-1", "line": "IMP", "milestone": "design", "delivered_on": "2026-02-27"})),
        at(),
    )
    .unwrap();
    l.accept_milestone(
        from(json!({"contract": "C-1", "line": "IMP", "milestone": "design", "accepted_on": "2026-03-06"})),
        at(),
    )
    .unwrap();
    l.deliver_line(from(json!({"contract": "C-1", "line": "LIC", "delivered_on": "2026-01-20"})), at()).unwrap();
    l.approve_time(from(json!({"contract": "C-1", "line": "TM", "hours": "37.5", "approved_on": "2026-02-05"})), at())
        .unwrap();
    l.record_usage(
        from(json!({"contract": "C-1", "line": "API", "quantity": "1234567", "incurred_on": "2026-02-10"})),
        at(),
    )
    .unwrap();
    l.attribute_partner(sourced("C-1", "SI-NORTH"), at()).unwrap();
    let contract = l.state().contract(&c1).unwrap();
    assert_eq!(contract.lines["IMP"].milestones["design"].accepted_on, Some(date("2026-03-06")));
    assert_eq!(contract.lines["LIC"].delivered_on, Some(date("2026-01-20")));
    assert_eq!(contract.sourced_by, Some(id("SI-NORTH")));

    // Contract changes: an upsell, then a renewal, then the end.
    l.modify_contract(
        from(json!({"contract": "C-1", "effective_on": "2026-05-01", "treatment": "prospective",
                    "changes": [{"change": "amend", "line": "SUB", "price": "15000.00"}]})),
        at(),
    )
    .unwrap();
    l.renew_contract(
        from(json!({"contract": "C-1", "renewed_on": "2026-12-01", "start_date": "2027-01-15",
                    "end_date": "2028-01-14",
                    "lines": [{"line": "SUB-2", "kind": "subscription", "price": "15600.00",
                               "recognition": {"method": "ratable"}}]})),
        at(),
    )
    .unwrap();
    l.cancel_contract(
        from(json!({"contract": "C-1", "effective_on": "2027-06-01", "reason": "acquired by a competitor"})),
        at(),
    )
    .unwrap();
    let contract = l.state().contract(&c1).unwrap();
    assert_eq!(contract.terms.end_date, date("2028-01-14"));
    assert_eq!(contract.cancelled_on, Some(date("2027-06-01")));

    // Books, collections, commissions.
    l.close_period(from(json!({"period": "2026-01", "closed_on": "2026-02-05"})), at()).unwrap();
    l.set_fx_rate(from(json!({"from": "EUR", "to": "USD", "rate": "1.0850", "on": "2026-01-01"})), at()).unwrap();
    l.pay_commission(
        from(json!({"rep": "rep-jane", "amount": "1200.00", "currency": "USD", "paid_on": "2026-02-15",
                    "period": "2026-01"})),
        at(),
    )
    .unwrap();
    assert!(l.state().is_closed("2026-01".parse().unwrap()));

    // Every command was one event on its own stream, versions counted.
    assert_eq!(l.log().len(), 29);
    assert_eq!(l.state().next_seq(), Seq(29));
    let invoice_stream = Event::from(invoice("INV-1", "C-1", "ACME", "1", "0")).stream();
    assert_eq!(l.state().stream_version(&invoice_stream), 5);
    assert_eq!(l.log().stream_version(&invoice_stream), 5);

    // Reopening over the same log folds the same state.
    let reopened = Ledger::open(l.log().clone()).unwrap();
    assert_eq!(reopened.state(), l.state());
}

#[test]
fn a_repeated_command_is_a_no_op_that_returns_the_original_position() {
    let mut l = book();
    let first = l.record_payment(payment("PAY-2", "ACME", "10.00"), at()).unwrap();
    let before = snapshot(l.log());
    // The rules alone would call this a duplicate: the log's idempotency wins.
    assert_eq!(l.record_payment(payment("PAY-2", "ACME", "10.00"), at()), Ok(first));
    assert_eq!(snapshot(l.log()), before);
    // The same id with other content is refused by the rules.
    refused(
        &mut l,
        payment("PAY-2", "ACME", "11.00"),
        Error::DuplicateId { entity: "payment", id: "PAY-2".into(), field: "payment" },
    );
}

// ---------------------------------------------------------------- the rules of DESIGN.md

#[test]
fn no_invoice_without_a_po_number_when_the_contract_requires_one() {
    let mut l = book();
    let mut e = invoice("INV-2", "C-1", "ACME", "100.00", "0");
    e.po_number = None;
    let expected = Error::PoNumberRequired { invoice: id("INV-2"), contract: id("C-1") };
    refused(&mut l, e.clone(), expected.clone());
    e.po_number = Some("  ".into());
    refused(&mut l, e.clone(), expected);
    // Contracts without the requirement take invoices without a PO.
    let mut g = invoice("INV-G", "C-G", "GLOBEX", "100.00", "0");
    g.po_number = None;
    l.issue_invoice(g, at()).unwrap();
}

#[test]
fn no_credit_memo_without_vp_revenue_operations_approval() {
    let mut l = book();
    let mut e = memo("CM-9", "INV-1", "10.00");
    e.approver_role = ApproverRole::Cfo;
    refused(
        &mut l,
        e,
        Error::CreditMemoNotApproved { memo: id("CM-9"), invoice: id("INV-1"), approver_role: ApproverRole::Cfo },
    );
}

#[test]
fn no_tax_exempt_contract_without_an_exemption_certificate() {
    let mut l = book();
    let mut e = plain_contract("C-X", "ACME");
    e.tax_exempt = true;
    refused(&mut l, e.clone(), Error::ExemptionCertificateRequired { contract: id("C-X") });
    e.tax_exemption_certificate = Some("CERT-IL-123".into());
    l.sign_contract(e, at()).unwrap();
    // Invoices on a tax-exempt contract carry no tax.
    let mut inv = invoice("INV-X", "C-X", "ACME", "100.00", "7.00");
    inv.po_number = None;
    refused(
        &mut l,
        inv,
        Error::InvalidField {
            entity: "invoice",
            id: "INV-X".into(),
            field: "lines.tax",
            problem: "is charged on a tax-exempt contract",
        },
    );
}

#[test]
fn end_date_before_start_date_is_refused_with_revops_core_rule() {
    let mut l = book();
    let mut e = plain_contract("C-X", "ACME");
    e.end_date = date("2025-12-31");
    refused(
        &mut l,
        e,
        Error::InvalidContractTerms {
            contract: id("C-X"),
            field: "end_date",
            source: revops_core::Error::EndBeforeStart { start: date("2026-01-01"), end: date("2025-12-31") },
        },
    );
}

#[test]
fn negative_prices_and_ssps_are_refused() {
    let mut l = book();
    let mut e = plain_contract("C-X", "ACME");
    e.lines[0].price = dec("-1.00");
    refused(
        &mut l,
        e,
        Error::InvalidContractTerms {
            contract: id("C-X"),
            field: "lines.price",
            source: revops_core::Error::InvalidLine {
                line: "SUB".into(),
                field: "price",
                problem: "must not be negative".into(),
            },
        },
    );
    let mut e = plain_contract("C-X", "ACME");
    e.lines[0].ssp = Some(dec("-5"));
    refused(
        &mut l,
        e,
        Error::InvalidContractTerms {
            contract: id("C-X"),
            field: "lines.ssp",
            source: revops_core::Error::InvalidLine {
                line: "SUB".into(),
                field: "ssp",
                problem: "must not be negative".into(),
            },
        },
    );
}

#[test]
fn other_contract_term_rules_come_from_revops_core() {
    let mut l = book();
    let mut e = plain_contract("C-X", "ACME");
    e.lines.push(e.lines[0].clone());
    refused(
        &mut l,
        e,
        Error::InvalidContractTerms {
            contract: id("C-X"),
            field: "lines.line",
            source: revops_core::Error::InvalidLine {
                line: "SUB".into(),
                field: "line",
                problem: "duplicate line id".into(),
            },
        },
    );
}

#[test]
fn currencies_must_match_customer_contract_invoice_and_payment() {
    let mut l = book();
    let mut e = plain_contract("C-X", "ACME");
    e.currency = Currency::EUR;
    let mismatch = |entity: &'static str, id: &str, against: &'static str| Error::CurrencyMismatch {
        entity,
        id: id.into(),
        field: "currency",
        against,
        expected: Currency::USD,
        found: Currency::EUR,
    };
    refused(&mut l, e, mismatch("contract", "C-X", "customer"));

    let mut e = invoice("INV-2", "C-1", "ACME", "100.00", "0");
    e.currency = Currency::EUR;
    refused(&mut l, e, mismatch("invoice", "INV-2", "contract"));

    let mut e = payment("PAY-2", "ACME", "100.00");
    e.currency = Currency::EUR;
    refused(&mut l, e, mismatch("payment", "PAY-2", "customer"));

    let mut e = applied("PAY-1", "INV-1", "100.00");
    e.currency = Currency::EUR;
    refused(&mut l, e, mismatch("payment", "PAY-1", "payment"));

    let mut e = refund("PAY-1", "100.00");
    e.currency = Currency::EUR;
    refused(&mut l, e, mismatch("payment", "PAY-1", "payment"));

    let mut e = memo("CM-1", "INV-1", "10.00");
    e.currency = Currency::EUR;
    refused(&mut l, e, mismatch("credit memo", "CM-1", "invoice"));

    let mut e = dispute("DSP-1", "INV-1", "10.00");
    e.currency = Currency::EUR;
    refused(&mut l, e, mismatch("dispute", "DSP-1", "invoice"));

    let mut e = write_off("INV-1", "10.00");
    e.currency = Currency::EUR;
    refused(&mut l, e, mismatch("invoice", "INV-1", "invoice"));
}

#[test]
fn a_payment_is_never_applied_beyond_its_unapplied_cash() {
    let mut l = book();
    l.apply_payment(applied("PAY-1", "INV-1", "500.00"), at()).unwrap();
    refused(
        &mut l,
        applied("PAY-1", "INV-1", "200.01"),
        Error::ExceedsUnapplied {
            payment: id("PAY-1"),
            field: "amount",
            requested: usd("200.01"),
            unapplied: usd("200.00"),
        },
    );
    l.apply_payment(applied("PAY-1", "INV-1", "200.00"), at()).unwrap();
}

#[test]
fn a_payment_is_never_applied_beyond_the_invoice_open_amount() {
    let mut l = book();
    l.record_payment(payment("PAY-2", "ACME", "5000.00"), at()).unwrap();
    // Open = 1,062.50 total − 600.00 applied − 100.00 credited − 50.00
    // written off = 312.50.
    l.apply_payment(applied("PAY-1", "INV-1", "600.00"), at()).unwrap();
    l.issue_credit_memo(memo("CM-1", "INV-1", "100.00"), at()).unwrap();
    l.write_off_invoice(write_off("INV-1", "50.00"), at()).unwrap();
    let open = l.state().invoice(&id("INV-1")).unwrap().open_amount();
    assert_eq!(open.to_string(), "312.50 USD");
    refused(
        &mut l,
        applied("PAY-2", "INV-1", "312.51"),
        Error::ExceedsOpenAmount {
            invoice: id("INV-1"),
            field: "payment_applied.amount",
            requested: usd("312.51"),
            open: usd("312.50"),
        },
    );
    l.apply_payment(applied("PAY-2", "INV-1", "312.50"), at()).unwrap();
    assert!(l.state().invoice(&id("INV-1")).unwrap().open_amount().is_zero());
}

#[test]
fn a_payment_is_applied_only_to_its_customer_invoices() {
    let mut l = book();
    let mut g = invoice("INV-G", "C-G", "GLOBEX", "100.00", "0");
    g.po_number = None;
    l.issue_invoice(g, at()).unwrap();
    refused(
        &mut l,
        applied("PAY-1", "INV-G", "10.00"),
        Error::CustomerMismatch {
            entity: "invoice",
            id: "INV-G".into(),
            field: "customer",
            against: "payment",
            expected: id("ACME"),
            found: id("GLOBEX"),
        },
    );
    // An invoice names the contract's customer.
    refused(
        &mut l,
        invoice("INV-2", "C-1", "GLOBEX", "100.00", "0"),
        Error::CustomerMismatch {
            entity: "invoice",
            id: "INV-2".into(),
            field: "customer",
            against: "contract",
            expected: id("ACME"),
            found: id("GLOBEX"),
        },
    );
}

#[test]
fn no_invoice_to_a_customer_on_credit_hold() {
    let mut l = book();
    l.place_credit_hold(hold("ACME"), at()).unwrap();
    refused(
        &mut l,
        invoice("INV-2", "C-1", "ACME", "100.00", "0"),
        Error::CustomerOnCreditHold { customer: id("ACME"), invoice: id("INV-2") },
    );
    // The same hold again is a repeat of the fact (a no-op); a second hold
    // is refused.
    let first = l.log().len() - 1;
    assert_eq!(l.place_credit_hold(hold("ACME"), at()), Ok(Seq(first)..Seq(first + 1)));
    let mut second = hold("ACME");
    second.reason = "over the credit limit".into();
    refused(
        &mut l,
        second,
        Error::InvalidTransition {
            entity: "customer",
            id: "ACME".into(),
            event: "credit_hold_placed",
            state: "is already on credit hold",
        },
    );
    l.release_credit_hold(release("ACME"), at()).unwrap();
    l.issue_invoice(invoice("INV-2", "C-1", "ACME", "100.00", "0"), at()).unwrap();
    let mut again = release("ACME");
    again.released_on = date("2026-03-16");
    refused(
        &mut l,
        again,
        Error::InvalidTransition {
            entity: "customer",
            id: "ACME".into(),
            event: "credit_hold_released",
            state: "is not on credit hold",
        },
    );
}

#[test]
fn unknown_ids_are_refused_by_entity_and_field() {
    let mut l = book();
    let unknown =
        |entity: &'static str, id: &str, field: &'static str| Error::UnknownEntity { entity, id: id.into(), field };
    refused(&mut l, plain_contract("C-X", "NOBODY"), unknown("customer", "NOBODY", "customer"));
    refused(&mut l, invoice("INV-2", "C-404", "ACME", "1.00", "0"), unknown("contract", "C-404", "contract"));
    refused(&mut l, applied("PAY-1", "INV-404", "1.00"), unknown("invoice", "INV-404", "invoice"));
    refused(&mut l, applied("PAY-404", "INV-1", "1.00"), unknown("payment", "PAY-404", "payment"));
    refused(&mut l, refund("PAY-404", "1.00"), unknown("payment", "PAY-404", "payment"));
    refused(&mut l, memo("CM-1", "INV-404", "1.00"), unknown("invoice", "INV-404", "invoice"));
    refused(&mut l, reviewed("DSP-404"), unknown("dispute", "DSP-404", "dispute"));
    refused(&mut l, hold("NOBODY"), unknown("customer", "NOBODY", "customer"));
    let mut c = plain_contract("C-X", "ACME");
    c.commission_plan = Some(id("FY99"));
    refused(&mut l, c, unknown("commission plan", "FY99", "commission_plan"));
    refused(
        &mut l,
        TimeApproved {
            contract: id("C-1"),
            line: id("NOPE"),
            hours: dec("1"),
            rate: None,
            approved_on: date("2026-02-01"),
        },
        Error::UnknownLine { contract: id("C-1"), line: "NOPE".into(), field: "line" },
    );
    refused(
        &mut l,
        MilestoneDelivered {
            contract: id("C-1"),
            line: id("IMP"),
            milestone: id("launch"),
            delivered_on: date("2026-02-01"),
        },
        Error::UnknownMilestone { contract: id("C-1"), line: "IMP".into(), milestone: "launch".into() },
    );
    let mut inv = invoice("INV-2", "C-1", "ACME", "1.00", "0");
    inv.lines[0].line = Some(id("NOPE"));
    refused(&mut l, inv, Error::UnknownLine { contract: id("C-1"), line: "NOPE".into(), field: "lines.line" });
}

#[test]
fn duplicate_ids_are_refused() {
    let mut l = book();
    l.issue_credit_memo(memo("CM-1", "INV-1", "1.00"), at()).unwrap();
    l.open_dispute(dispute("DSP-1", "INV-1", "1.00"), at()).unwrap();
    let dup = |entity: &'static str, id: &str, field: &'static str| Error::DuplicateId { entity, id: id.into(), field };
    let mut other = customer("ACME", "USD");
    other.legal_entity = "Acme Two".into();
    refused(&mut l, other, dup("customer", "ACME", "customer"));
    refused(&mut l, plain_contract("C-1", "ACME"), dup("contract", "C-1", "contract"));
    refused(&mut l, invoice("INV-1", "C-1", "ACME", "5.00", "0"), dup("invoice", "INV-1", "invoice"));
    refused(&mut l, payment("PAY-1", "ACME", "5.00"), dup("payment", "PAY-1", "payment"));
    refused(&mut l, memo("CM-1", "INV-1", "2.00"), dup("credit memo", "CM-1", "memo"));
    refused(&mut l, dispute("DSP-1", "INV-1", "2.00"), dup("dispute", "DSP-1", "dispute"));
    let mut p = plan();
    p.quota = dec("5");
    refused(&mut l, p, dup("commission plan", "FY26-AE", "plan"));
}

#[test]
fn a_credit_memo_never_exceeds_the_open_amount() {
    let mut l = book();
    l.apply_payment(applied("PAY-1", "INV-1", "700.00"), at()).unwrap();
    refused(
        &mut l,
        memo("CM-1", "INV-1", "362.51"),
        Error::ExceedsOpenAmount {
            invoice: id("INV-1"),
            field: "credit_memo_issued.amount",
            requested: usd("362.51"),
            open: usd("362.50"),
        },
    );
    l.issue_credit_memo(memo("CM-1", "INV-1", "362.50"), at()).unwrap();
    refused(
        &mut l,
        write_off("INV-1", "0.01"),
        Error::ExceedsOpenAmount {
            invoice: id("INV-1"),
            field: "invoice_written_off.amount",
            requested: usd("0.01"),
            open: usd("0.00"),
        },
    );
}

#[test]
fn a_refund_never_exceeds_unapplied_cash() {
    let mut l = book();
    l.apply_payment(applied("PAY-1", "INV-1", "650.00"), at()).unwrap();
    refused(
        &mut l,
        refund("PAY-1", "50.01"),
        Error::ExceedsUnapplied {
            payment: id("PAY-1"),
            field: "amount",
            requested: usd("50.01"),
            unapplied: usd("50.00"),
        },
    );
    l.refund_payment(refund("PAY-1", "50.00"), at()).unwrap();
    assert!(l.state().payment(&id("PAY-1")).unwrap().unapplied().is_zero());
}

#[test]
fn amounts_that_must_be_positive_are() {
    let mut l = book();
    let not_positive = |entity: &'static str, id: &str, field: &'static str, amount: &str| Error::NotPositive {
        entity,
        id: id.into(),
        field,
        amount: dec(amount),
    };
    refused(&mut l, payment("PAY-2", "ACME", "0.00"), not_positive("payment", "PAY-2", "amount", "0"));
    refused(&mut l, applied("PAY-1", "INV-1", "-5.00"), not_positive("payment", "PAY-1", "amount", "-5"));
    refused(&mut l, refund("PAY-1", "0"), not_positive("payment", "PAY-1", "amount", "0"));
    refused(&mut l, memo("CM-1", "INV-1", "0"), not_positive("credit memo", "CM-1", "amount", "0"));
    refused(&mut l, dispute("DSP-1", "INV-1", "-1"), not_positive("dispute", "DSP-1", "amount", "-1"));
    refused(&mut l, write_off("INV-1", "0"), not_positive("invoice", "INV-1", "amount", "0"));
    refused(&mut l, invoice("INV-2", "C-1", "ACME", "0.00", "0.00"), not_positive("invoice", "INV-2", "total", "0"));
    refused(
        &mut l,
        TimeApproved {
            contract: id("C-1"),
            line: id("TM"),
            hours: dec("0"),
            rate: None,
            approved_on: date("2026-02-01"),
        },
        not_positive("contract line", "C-1/TM", "hours", "0"),
    );
    refused(
        &mut l,
        invoice("INV-2", "C-1", "ACME", "-10.00", "0"),
        Error::Negative { entity: "invoice", id: "INV-2".into(), field: "lines.amount", amount: dec("-10") },
    );
    let mut c = customer("NEW", "USD");
    c.credit_limit = dec("-1");
    refused(
        &mut l,
        c,
        Error::Negative { entity: "customer", id: "NEW".into(), field: "credit_limit", amount: dec("-1") },
    );
}

#[test]
fn amounts_are_whole_minor_units() {
    let mut l = book();
    refused(
        &mut l,
        payment("PAY-2", "ACME", "10.005"),
        Error::NotMinorUnits { entity: "payment", id: "PAY-2".into(), field: "amount", amount: usd("10.005") },
    );
}

#[test]
fn a_second_sourced_partner_is_refused() {
    let mut l = book();
    l.attribute_partner(sourced("C-1", "SI-NORTH"), at()).unwrap();
    refused(
        &mut l,
        sourced("C-1", "SI-SOUTH"),
        Error::SecondSourcedPartner { contract: id("C-1"), partner: id("SI-SOUTH"), existing: id("SI-NORTH") },
    );
    // Influence is not sourcing: any number of partners may influence.
    let mut influenced = sourced("C-1", "SI-SOUTH");
    influenced.kind = AttributionKind::Influenced;
    l.attribute_partner(influenced, at()).unwrap();
}

// ---------------------------------------------------------------- lifecycles and other rules

#[test]
fn a_resolved_dispute_takes_no_further_steps() {
    let mut l = book();
    l.open_dispute(dispute("DSP-1", "INV-1", "100.00"), at()).unwrap();
    refused(
        &mut l,
        resolved("DSP-1", "invalid", None),
        Error::InvalidField {
            entity: "dispute",
            id: "DSP-1".into(),
            field: "evidence",
            problem: "is required when the outcome is invalid",
        },
    );
    refused(
        &mut l,
        resolved("DSP-1", "valid", Some("CM-404")),
        Error::UnknownEntity { entity: "credit memo", id: "CM-404".into(), field: "credit_memo" },
    );
    let mut r = resolved("DSP-1", "invalid", None);
    r.evidence = Some("signed order form".into());
    l.resolve_dispute(r, at()).unwrap();
    let resolved_already = |event: &'static str| Error::InvalidTransition {
        entity: "dispute",
        id: "DSP-1".into(),
        event,
        state: "is already resolved",
    };
    refused(&mut l, reviewed("DSP-1"), resolved_already("dispute_reviewed"));
    refused(&mut l, escalated("DSP-1"), resolved_already("dispute_escalated"));
    refused(&mut l, resolved("DSP-1", "valid", None), resolved_already("dispute_resolved"));
}

#[test]
fn milestones_are_accepted_once_after_delivery() {
    let mut l = book();
    let accept = MilestoneAccepted {
        contract: id("C-1"),
        line: id("IMP"),
        milestone: id("design"),
        accepted_on: date("2026-03-06"),
    };
    let transition = |state: &'static str| Error::InvalidTransition {
        entity: "milestone",
        id: "C-1/IMP/design".into(),
        event: "milestone_accepted",
        state,
    };
    refused(&mut l, accept.clone(), transition("is not delivered"));
    l.deliver_milestone(
        MilestoneDelivered {
            contract: id("C-1"),
            line: id("IMP"),
            milestone: id("design"),
            delivered_on: date("2026-02-27"),
        },
        at(),
    )
    .unwrap();
    let mut early = accept.clone();
    early.accepted_on = date("2026-02-01");
    refused(
        &mut l,
        early,
        Error::DateBefore {
            entity: "milestone",
            id: "C-1/IMP/design".into(),
            field: "accepted_on",
            date: date("2026-02-01"),
            bound_field: "delivered_on",
            bound: date("2026-02-27"),
        },
    );
    l.accept_milestone(accept.clone(), at()).unwrap();
    let mut again = accept;
    again.accepted_on = date("2026-03-07");
    refused(&mut l, again, transition("is already accepted"));
}

#[test]
fn performance_events_fit_the_line_method() {
    let mut l = book();
    refused(
        &mut l,
        UsageRecorded {
            contract: id("C-1"),
            line: id("SUB"),
            quantity: dec("10"),
            unit_price: None,
            incurred_on: date("2026-02-01"),
        },
        Error::WrongLineMethod { contract: id("C-1"), line: "SUB".into(), method: "ratable", event: "usage_recorded" },
    );
}

#[test]
fn contract_changes_are_checked_by_revops_core_and_stop_at_cancellation() {
    let mut l = book();
    let modification = |changes: Value| -> ContractModified {
        from(json!({"contract": "C-1", "effective_on": "2026-05-01", "treatment": "prospective", "changes": changes}))
    };
    refused(
        &mut l,
        modification(json!([{"change": "amend", "line": "GONE", "price": "1.00"}])),
        Error::UnknownLine { contract: id("C-1"), line: "GONE".into(), field: "changes.line" },
    );
    refused(
        &mut l,
        modification(json!([{"change": "amend", "line": "SUB", "price": "-1.00"}])),
        Error::InvalidContractTerms {
            contract: id("C-1"),
            field: "lines.price",
            source: revops_core::Error::InvalidLine {
                line: "SUB".into(),
                field: "price",
                problem: "must not be negative".into(),
            },
        },
    );
    let mut separate = modification(json!([{"change": "remove", "line": "SUB"}]));
    separate.treatment = revops_core::modification::Treatment::SeparateContract;
    refused(
        &mut l,
        separate,
        Error::InvalidContractTerms {
            contract: id("C-1"),
            field: "changes",
            source: revops_core::Error::InvalidModification {
                effective_on: date("2026-05-01"),
                problem: "a separate contract only adds lines".into(),
            },
        },
    );
    // A renewal must follow the current term.
    let renewal: ContractRenewed = from(json!({
        "contract": "C-1", "renewed_on": "2026-12-01", "start_date": "2027-01-14", "end_date": "2028-01-13",
        "lines": [{"line": "SUB-2", "kind": "subscription", "price": "15600.00", "recognition": {"method": "ratable"}}]
    }));
    refused(
        &mut l,
        renewal,
        Error::DateBefore {
            entity: "contract",
            id: "C-1".into(),
            field: "start_date",
            date: date("2027-01-14"),
            bound_field: "the day after the current end_date",
            bound: date("2027-01-15"),
        },
    );
    // ... and each of its lines serves inside it.
    let early_line: ContractRenewed = from(json!({
        "contract": "C-1", "renewed_on": "2026-12-01", "start_date": "2027-01-15", "end_date": "2028-01-14",
        "lines": [{"line": "SUB-2", "kind": "subscription", "price": "15600.00", "recognition": {"method": "ratable"},
                   "start_date": "2027-01-01"}]
    }));
    refused(
        &mut l,
        early_line,
        Error::DateBefore {
            entity: "contract",
            id: "C-1".into(),
            field: "lines.start_date",
            date: date("2027-01-01"),
            bound_field: "start_date",
            bound: date("2027-01-15"),
        },
    );
    l.cancel_contract(
        ContractCancelled { contract: id("C-1"), effective_on: date("2026-06-01"), reason: "churn".into() },
        at(),
    )
    .unwrap();
    refused(
        &mut l,
        modification(json!([{"change": "remove", "line": "SUB"}])),
        Error::InvalidTransition {
            entity: "contract",
            id: "C-1".into(),
            event: "contract_modified",
            state: "is cancelled",
        },
    );
    refused(
        &mut l,
        UsageRecorded {
            contract: id("C-1"),
            line: id("API"),
            quantity: dec("10"),
            unit_price: None,
            incurred_on: date("2026-06-01"),
        },
        Error::InvalidTransition {
            entity: "contract",
            id: "C-1".into(),
            event: "usage_recorded",
            state: "is cancelled by then",
        },
    );
}

#[test]
fn commission_plans_are_checked_by_revops_core() {
    let mut l = book();
    let mut p = plan();
    p.plan = id("FY27-AE");
    p.payout_day = 31;
    let Err(Error::InvalidCommissionPlan { plan, source: revops_core::Error::InvalidCommissionPlan { .. } }) =
        l.check(&Event::from(p.clone()))
    else {
        panic!("a payout day of 31 must be refused");
    };
    assert_eq!(plan, id("FY27-AE"));
    let before = snapshot(l.log());
    assert!(l.define_commission_plan(p, at()).is_err());
    assert_eq!(snapshot(l.log()), before);
    refused(
        &mut l,
        CommissionPaid {
            rep: id("rep-bob"),
            amount: dec("1"),
            currency: Currency::USD,
            paid_on: date("2026-02-15"),
            period: "2026-01".parse().unwrap(),
        },
        Error::UnknownEntity { entity: "rep", id: "rep-bob".into(), field: "rep" },
    );
}

#[test]
fn a_period_closes_once_and_not_before_its_end() {
    let mut l = book();
    let close = |closed_on: &str| PeriodClosed { period: "2026-01".parse().unwrap(), closed_on: date(closed_on) };
    refused(
        &mut l,
        close("2026-01-30"),
        Error::DateBefore {
            entity: "period",
            id: "2026-01".into(),
            field: "closed_on",
            date: date("2026-01-30"),
            bound_field: "the period's last day",
            bound: date("2026-01-31"),
        },
    );
    l.close_period(close("2026-02-03"), at()).unwrap();
    refused(
        &mut l,
        close("2026-02-04"),
        Error::DuplicateId { entity: "period", id: "2026-01".into(), field: "period" },
    );
}

#[test]
fn collections_partners_commissions_and_fx_follow_their_rules() {
    let mut l = book();
    let step = |on: &str| -> CollectionStepTaken { from(json!({"invoice": "INV-1", "step": "day_7", "taken_on": on})) };
    refused(
        &mut l,
        step("2026-02-13"),
        Error::DateBefore {
            entity: "invoice",
            id: "INV-1".into(),
            field: "taken_on",
            date: date("2026-02-13"),
            bound_field: "due_on",
            bound: date("2026-02-14"),
        },
    );
    l.take_collection_step(step("2026-02-21"), at()).unwrap();
    refused(
        &mut l,
        step("2026-02-22"),
        Error::InvalidTransition {
            entity: "invoice",
            id: "INV-1".into(),
            event: "collection_step_taken",
            state: "has had that step already",
        },
    );

    let mdf = |kind: &str, amount: &str| -> Event {
        let mut v = json!({"type": kind, "partner": "SI-NORTH", "amount": amount, "currency": "USD"});
        if kind == "mdf_allocated" {
            v["allocated_on"] = json!("2026-01-01");
        } else {
            v["spent_on"] = json!("2026-02-14");
            v["description"] = json!("roadshow");
        }
        from(v)
    };
    refused(
        &mut l,
        mdf("mdf_spent", "1.00"),
        Error::UnknownEntity { entity: "partner", id: "SI-NORTH".into(), field: "partner" },
    );
    l.execute(mdf("mdf_allocated", "1000.00"), at()).unwrap();
    l.execute(mdf("mdf_spent", "400.00"), at()).unwrap();
    refused(
        &mut l,
        mdf("mdf_spent", "600.01"),
        Error::ExceedsLimit {
            entity: "partner",
            id: "SI-NORTH".into(),
            field: "amount",
            requested: usd("600.01"),
            limit_name: "MDF balance",
            limit: usd("600.00"),
        },
    );

    let spif: SpifEarned = from(json!({"partner": "SI-NORTH", "contract": "C-1", "amount": "500.00",
        "currency": "USD", "earned_on": "2026-01-10", "program": "Q1 new logo"}));
    refused(
        &mut l,
        spif.clone(),
        Error::UnknownEntity { entity: "partner attribution", id: "SI-NORTH".into(), field: "partner" },
    );
    l.attribute_partner(sourced("C-1", "SI-NORTH"), at()).unwrap();
    l.earn_spif(spif, at()).unwrap();

    let opened: CommissionDisputeOpened = from(json!({"dispute": "CD-1", "rep": "rep-jane", "amount": "300.00",
        "currency": "USD", "opened_on": "2026-03-02", "reason": "missing booking"}));
    l.open_commission_dispute(opened, at()).unwrap();
    let granted = |amount: &str| -> CommissionDisputeResolved {
        from(json!({"dispute": "CD-1", "resolved_on": "2026-03-12", "granted": amount, "currency": "USD"}))
    };
    refused(
        &mut l,
        granted("300.01"),
        Error::ExceedsLimit {
            entity: "commission dispute",
            id: "CD-1".into(),
            field: "granted",
            requested: usd("300.01"),
            limit_name: "amount claimed",
            limit: usd("300.00"),
        },
    );
    l.resolve_commission_dispute(granted("300.00"), at()).unwrap();

    let fx = |from_: &str, rate: &str| -> FxRateSet {
        from(json!({"from": from_, "to": "USD", "rate": rate, "on": "2026-01-01"}))
    };
    refused(
        &mut l,
        fx("USD", "1"),
        Error::InvalidField {
            entity: "fx rate",
            id: "USD/USD".into(),
            field: "to",
            problem: "must differ from the from currency",
        },
    );
    refused(
        &mut l,
        fx("EUR", "0"),
        Error::NotPositive { entity: "fx rate", id: "EUR/USD".into(), field: "rate", amount: dec("0") },
    );
}

// ---------------------------------------------------------------- replay

/// Appends `events` straight to a log, as an import of facts would, with no
/// command validation.
fn raw_log(events: impl IntoIterator<Item = Event>) -> MemoryLog {
    let mut log = MemoryLog::default();
    for event in events {
        let stream = event.stream();
        log.append(&stream, ExpectedVersion::Any, &[NewEvent::new(event)], at()).unwrap();
    }
    log
}

#[test]
fn replay_folds_facts_that_commands_would_refuse() {
    // An invoice to a customer nobody registered, on a contract nobody
    // signed; cash applied three times over; a CFO-approved memo; two
    // sourced partners. The log says it happened, so replay takes it.
    let mut ghost = invoice("INV-G", "C-GHOST", "GHOST", "100.00", "0");
    ghost.po_number = None;
    let mut cfo_memo = memo("CM-G", "INV-G", "10.00");
    cfo_memo.approver_role = ApproverRole::Cfo;
    let log = raw_log([
        Event::from(ghost),
        payment("PAY-G", "GHOST", "100.00").into(),
        applied("PAY-G", "INV-G", "100.00").into(),
        applied("PAY-G", "INV-G", "200.00").into(),
        cfo_memo.into(),
        customer("ACME", "USD").into(),
        plain_contract("C-1", "ACME").into(),
        sourced("C-1", "SI-NORTH").into(),
        sourced("C-1", "SI-SOUTH").into(),
    ]);
    let mut l = Ledger::open(log).unwrap();
    let state = l.state();
    assert_eq!(state.next_seq(), Seq(9));
    let inv = state.invoice(&id("INV-G")).unwrap();
    assert_eq!(inv.open_amount(), usd("-210.00"), "facts beyond the rules are kept, not clipped");
    assert_eq!(state.payment(&id("PAY-G")).unwrap().unapplied(), usd("-200.00"));
    assert_eq!(state.contract(&id("C-1")).unwrap().sourced_by, Some(id("SI-NORTH")), "the first sourced wins");

    // Commands after the replay are still held to the rules.
    refused(
        &mut l,
        applied("PAY-G", "INV-G", "1.00"),
        Error::ExceedsUnapplied {
            payment: id("PAY-G"),
            field: "amount",
            requested: usd("1.00"),
            unapplied: usd("-200.00"),
        },
    );
    refused(
        &mut l,
        sourced("C-1", "SI-EAST"),
        Error::SecondSourcedPartner { contract: id("C-1"), partner: id("SI-EAST"), existing: id("SI-NORTH") },
    );
    l.register_customer(customer("GHOST", "USD"), at()).unwrap();
}

#[test]
fn replay_of_the_whole_vocabulary_sample_succeeds() {
    let sample = include_str!("vocabulary.jsonl");
    let events = sample.lines().map(|line| serde_json::from_str::<Event>(line).unwrap());
    let log = raw_log(events);
    let l = Ledger::open(log.clone()).unwrap();
    assert_eq!(l.state().next_seq(), Seq(log.len()));
    // The sample's INV-1: 1,062.50 − 700.00 applied − 100.00 credited.
    assert_eq!(l.state().invoice(&id("INV-1")).unwrap().open_amount().to_string(), "262.50 USD");
    // Folding is deterministic: a second fold is equal.
    assert_eq!(Ledger::open(log).unwrap().state(), l.state());
}

#[test]
fn applying_an_envelope_twice_changes_nothing() {
    let l = book();
    let mut state = l.state().clone();
    let last: Envelope = l.log().envelopes().last().unwrap().clone();
    state.apply(&last);
    assert_eq!(&state, l.state());
}

// ---------------------------------------------------------------- concurrency

/// One log shared by two ledgers, as two writers in one process share a
/// database.
#[derive(Clone, Default)]
struct SharedLog(Rc<RefCell<MemoryLog>>);

impl EventLog for SharedLog {
    type Iter<'a>
        = std::vec::IntoIter<Result<Envelope, Error>>
    where
        Self: 'a;

    fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        recorded_at: DateTime<Utc>,
    ) -> Result<std::ops::Range<Seq>, Error> {
        self.0.borrow_mut().append(stream, expected, events, recorded_at)
    }

    fn read(&self, from: Seq) -> Self::Iter<'_> {
        self.0.borrow().read(from).collect::<Vec<_>>().into_iter()
    }

    fn read_stream(&self, stream: &StreamId) -> Self::Iter<'_> {
        self.0.borrow().read_stream(stream).collect::<Vec<_>>().into_iter()
    }

    fn stream_version(&self, stream: &StreamId) -> u64 {
        self.0.borrow().stream_version(stream)
    }

    fn len(&self) -> u64 {
        self.0.borrow().len()
    }
}

#[test]
fn a_stale_writer_gets_a_conflict_and_appends_nothing() {
    let shared = SharedLog::default();
    let mut a = Ledger::open(shared.clone()).unwrap();
    a.register_customer(customer("ACME", "USD"), at()).unwrap();
    let mut b = Ledger::open(shared.clone()).unwrap();
    // A moves the customer stream on; B has not seen it.
    a.place_credit_hold(hold("ACME"), at()).unwrap();
    let before = snapshot(&shared.0.borrow());
    let update: CustomerUpdated =
        from(json!({"customer": "ACME", "updated_on": "2026-03-02", "credit_limit": "50000.00"}));
    let stream = Event::from(update.clone()).stream();
    assert_eq!(
        b.update_customer(update.clone(), at()),
        Err(Error::Conflict { stream: stream.clone(), expected: ExpectedVersion::Exact(1), actual: 2 })
    );
    assert_eq!(snapshot(&shared.0.borrow()), before, "a conflicting command appends nothing");
    // B catches up and the same command goes through.
    assert_eq!(b.refresh().unwrap(), 1);
    assert!(b.state().customer(&id("ACME")).unwrap().on_credit_hold);
    b.update_customer(update, at()).unwrap();
    assert_eq!(shared.len(), 3);
    // A learns of B's change on refresh; both views agree.
    a.refresh().unwrap();
    assert_eq!(a.state(), b.state());
    assert_eq!(a.state().stream_version(&stream), 3);
}

#[test]
fn ledgers_over_clones_of_one_log_cannot_both_spend_the_same_cash() {
    let base = book();
    let mut a = Ledger::open(base.log().clone()).unwrap();
    let b = Ledger::open(base.log().clone()).unwrap();
    let stream = Event::from(payment("PAY-1", "ACME", "1")).stream();
    let b_view = b.state().stream_version(&stream);
    a.apply_payment(applied("PAY-1", "INV-1", "700.00"), at()).unwrap();
    // B, deciding from its clone, sees 700.00 unapplied still.
    let second = applied("PAY-1", "INV-1", "500.00");
    assert_eq!(b.check(&second.clone().into()), Ok(()));
    // Offered to A's log at B's view of the stream, it conflicts.
    let mut log = a.into_inner();
    let before = snapshot(&log);
    assert_eq!(
        log.append(&stream, ExpectedVersion::Exact(b_view), &[NewEvent::new(second)], at()),
        Err(Error::Conflict { stream, expected: ExpectedVersion::Exact(1), actual: 2 })
    );
    assert_eq!(snapshot(&log), before);
}

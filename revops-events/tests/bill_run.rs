//! The bill run: invoices due under every billing frequency at several run
//! dates, to the cent, with tax, due dates and PO numbers; repeated and
//! out-of-order runs; credit holds; refusals; and the property that no
//! contract period is ever billed twice.

mod ops_fixtures;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use ops_fixtures::*;
use proptest::prelude::*;
use revops_events::event::*;
use revops_events::ledger::{BillRun, BillRunInvoice, Ledger};
use revops_events::revops_core::billing::{billing_schedule, BillingSettings};
use revops_events::revops_core::performance::{Performance, UsageRecord};
use revops_events::revops_core::tax::{TaxRate, TaxRates};
use revops_events::revops_core::Decimal;
use revops_events::{Event, MemoryLog};
use serde_json::json;

fn rates() -> TaxRates {
    let mut rates = TaxRates::default();
    for (jurisdiction, rate) in [("US-CA", "0.0725"), ("US-NY", "0.08875")] {
        rates.insert(jurisdiction, TaxRate::new(rate.parse().unwrap()).unwrap());
    }
    rates
}

fn run(ledger: &mut Ledger<MemoryLog>, on: &str) -> BillRun {
    ledger.bill_run(date(on), &rates(), at()).unwrap()
}

/// An invoice of a run in one line: id, contract, period, dates, PO, and
/// amount + tax = total.
fn row(i: &BillRunInvoice) -> String {
    format!(
        "{} {} {}..{} issued {} due {} po {} {}+{}={}",
        i.invoice,
        i.contract,
        i.period_start,
        i.period_end,
        i.issued_on,
        i.due_on,
        i.po_number.as_deref().unwrap_or("-"),
        i.amount,
        i.tax,
        i.total
    )
}

fn rows(invoices: &[BillRunInvoice]) -> Vec<String> {
    invoices.iter().map(row).collect()
}

fn invoices_issued(ledger: &Ledger<MemoryLog>) -> Vec<InvoiceIssued> {
    let log = ledger.log().envelopes();
    log.iter()
        .filter_map(|e| match &e.event {
            Event::InvoiceIssued(i) => Some(i.clone()),
            _ => None,
        })
        .collect()
}

/// ACME with one contract of each billing frequency and what was performed
/// by mid-February 2026.
fn book() -> Ledger<MemoryLog> {
    let mut l = ledger_with(&["ACME"]);
    let monthly = json!({"po_required": true, "po_number": "PO-7781"});
    let c = contract(
        "M-1",
        "ACME",
        "monthly",
        ("2026-01-15", "2026-07-14"),
        json!([subscription("SUB", "6000.00")]),
        monthly,
    );
    l.sign_contract(c, at()).unwrap();
    let quarterly = json!({"payment_terms": "net_45", "tax_jurisdiction": "US-NY", "po_number": "PO-5"});
    let c = contract(
        "Q-1",
        "ACME",
        "quarterly",
        ("2026-01-01", "2026-12-31"),
        json!([subscription("SUB", "10000.00")]),
        quarterly,
    );
    l.sign_contract(c, at()).unwrap();
    let exempt = json!({"payment_terms": "upfront", "tax_exempt": true, "tax_exemption_certificate": "CA-EX-1"});
    let c = contract(
        "A-1",
        "ACME",
        "annually",
        ("2026-02-01", "2028-01-31"),
        json!([subscription("SUB", "24000.00")]),
        exempt,
    );
    l.sign_contract(c, at()).unwrap();
    let implementation = json!([{"line": "IMP", "product": "Implementation", "kind": "milestone", "price": "6000.00",
        "recognition": {"method": "milestone"},
        "milestones": [{"milestone": "design", "amount": "2400.00"}, {"milestone": "go-live", "amount": "3600.00"}]}]);
    let c = contract("MS-1", "ACME", "milestone", ("2026-01-01", "2026-06-30"), implementation, json!({}));
    l.sign_contract(c, at()).unwrap();
    let consulting = json!([{"line": "TM", "product": "Consulting", "kind": "time_and_materials", "unit_price": "150.00",
        "recognition": {"method": "time_and_materials"}}]);
    let c = contract("TM-1", "ACME", "time_and_materials", ("2026-01-01", "2026-12-31"), consulting, json!({}));
    l.sign_contract(c, at()).unwrap();
    let metered = json!({"tax_jurisdiction": "US-NY"});
    let c = contract("U-1", "ACME", "usage", ("2026-01-01", "2026-12-31"), json!([usage("API", "0.0125")]), metered);
    l.sign_contract(c, at()).unwrap();

    let approve = |hours: &str, rate: Option<&str>, on: &str| -> TimeApproved {
        from(json!({"contract": "TM-1", "line": "TM", "hours": hours, "rate": rate, "approved_on": on}))
    };
    l.approve_time(approve("10", None, "2026-01-20"), at()).unwrap();
    l.approve_time(approve("5.5", Some("200.00"), "2026-01-28"), at()).unwrap();
    l.approve_time(approve("8", None, "2026-02-05"), at()).unwrap();
    let used: UsageRecorded =
        from(json!({"contract": "U-1", "line": "API", "quantity": "12345", "incurred_on": "2026-01-10"}));
    l.record_usage(used, at()).unwrap();
    let milestone = json!({"contract": "MS-1", "line": "IMP", "milestone": "design"});
    l.deliver_milestone(from(with(milestone.clone(), json!({"delivered_on": "2026-02-05"}))), at()).unwrap();
    l.accept_milestone(from(with(milestone, json!({"accepted_on": "2026-02-10"}))), at()).unwrap();
    l
}

#[test]
fn runs_bill_every_frequency_when_due_and_never_twice() {
    let mut l = book();

    let first = run(&mut l, "2026-01-15");
    assert_eq!(
        rows(&first.issued),
        [
            "M-1-2026-01-15 M-1 2026-01-15..2026-02-14 issued 2026-01-15 due 2026-02-14 po PO-7781 1000.00+72.50=1072.50",
            // 2,500.00 x 8.875 % = 221.875, half up.
            "Q-1-2026-01-01 Q-1 2026-01-01..2026-03-31 issued 2026-01-15 due 2026-03-01 po PO-5 2500.00+221.88=2721.88",
        ]
    );
    assert!(first.withheld.is_empty() && first.refused.is_empty());
    let events = l.log().envelopes().len();

    let again = run(&mut l, "2026-01-15");
    assert!(again.issued.is_empty() && again.withheld.is_empty() && again.refused.is_empty());
    assert_eq!(l.log().envelopes().len(), events, "a second run the same day appends nothing");

    let february = run(&mut l, "2026-02-01");
    assert_eq!(
        rows(&february.issued),
        [
            // Tax-exempt and upfront: no tax, due the day it is issued.
            "A-1-2026-02-01 A-1 2026-02-01..2027-01-31 issued 2026-02-01 due 2026-02-01 po - 12000.00+0.00=12000.00",
            // January's time in arrears: 10 h x 150.00 + 5.5 h x 200.00.
            "TM-1-2026-01-01 TM-1 2026-01-01..2026-01-31 issued 2026-02-01 due 2026-03-03 po - 2600.00+188.50=2788.50",
            // 12,345 calls x 0.0125 = 154.3125 -> 154.31; tax 13.695 -> 13.70.
            "U-1-2026-01-01 U-1 2026-01-01..2026-01-31 issued 2026-02-01 due 2026-03-03 po - 154.31+13.70=168.01",
        ]
    );

    // A run dated before the last one finds everything due by then billed.
    let late = run(&mut l, "2026-01-20");
    assert!(late.issued.is_empty() && late.refused.is_empty());

    let mid_february = run(&mut l, "2026-02-15");
    assert_eq!(
        rows(&mid_february.issued),
        [
            "M-1-2026-02-15 M-1 2026-02-15..2026-03-14 issued 2026-02-15 due 2026-03-17 po PO-7781 1000.00+72.50=1072.50",
            // The design milestone: 2,400.00 of 6,000.00, on its acceptance.
            "MS-1-2026-02-10 MS-1 2026-02-10..2026-02-10 issued 2026-02-15 due 2026-03-17 po - 2400.00+174.00=2574.00",
        ]
    );
    let march = run(&mut l, "2026-03-01");
    assert_eq!(
        rows(&march.issued),
        ["TM-1-2026-02-01 TM-1 2026-02-01..2026-02-28 issued 2026-03-01 due 2026-03-31 po - 1200.00+87.00=1287.00"]
    );

    // The invoices in the log are what the reports say, line by line.
    let logged = invoices_issued(&l);
    assert_eq!(logged.len(), 8);
    let tm = logged.iter().find(|i| i.invoice.as_str() == "TM-1-2026-01-01").unwrap();
    assert_eq!(tm.lines.len(), 1);
    let line = &tm.lines[0];
    assert_eq!(line.line.as_ref().map(|l| l.as_str()), Some("TM"));
    assert_eq!(
        (line.description.as_str(), line.amount.to_string(), line.tax.to_string()),
        ("Consulting", "2600.00".into(), "188.50".into())
    );
    assert_eq!((line.period_start, line.period_end), (Some(date("2026-01-01")), Some(date("2026-01-31"))));
}

#[test]
fn the_report_serializes_with_snake_case_fields_and_amount_strings() {
    let mut l = book();
    let report = run(&mut l, "2026-01-01");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json,
        json!({
            "as_of": "2026-01-01",
            "issued": [{
                "invoice": "Q-1-2026-01-01", "contract": "Q-1", "customer": "ACME",
                "period_start": "2026-01-01", "period_end": "2026-03-31",
                "issued_on": "2026-01-01", "due_on": "2026-02-15", "currency": "USD", "po_number": "PO-5",
                "amount": "2500.00", "tax": "221.88", "total": "2721.88",
                "lines": [{"line": "SUB", "amount": "2500.00", "tax": "221.88"}]
            }],
            "withheld": [],
            "refused": []
        })
    );
}

#[test]
fn a_customer_on_credit_hold_is_withheld_then_billed_after_release() {
    let mut l = ledger_with(&["HOLD"]);
    let c = contract(
        "H-1",
        "HOLD",
        "monthly",
        ("2026-03-01", "2027-02-28"),
        json!([subscription("SUB", "12000.00")]),
        json!({}),
    );
    l.sign_contract(c, at()).unwrap();
    let hold: CreditHoldPlaced = from(json!({"customer": "HOLD", "placed_on": "2026-02-20", "reason": "91 days late"}));
    l.place_credit_hold(hold, at()).unwrap();

    let march = run(&mut l, "2026-03-01");
    assert!(march.issued.is_empty() && march.refused.is_empty());
    assert_eq!(
        rows(&march.withheld),
        ["H-1-2026-03-01 H-1 2026-03-01..2026-03-31 issued 2026-03-01 due 2026-03-31 po - 1000.00+72.50=1072.50"]
    );
    let april = run(&mut l, "2026-04-01");
    assert_eq!(
        rows(&april.withheld),
        [
            "H-1-2026-03-01 H-1 2026-03-01..2026-03-31 issued 2026-04-01 due 2026-05-01 po - 1000.00+72.50=1072.50",
            "H-1-2026-04-01 H-1 2026-04-01..2026-04-30 issued 2026-04-01 due 2026-05-01 po - 1000.00+72.50=1072.50",
        ]
    );
    assert!(invoices_issued(&l).is_empty(), "nothing is issued while the hold is in force");

    let release: CreditHoldReleased = from(json!({"customer": "HOLD", "released_on": "2026-04-10"}));
    l.release_credit_hold(release, at()).unwrap();
    let released = run(&mut l, "2026-04-10");
    assert!(released.withheld.is_empty());
    assert_eq!(
        rows(&released.issued),
        [
            "H-1-2026-03-01 H-1 2026-03-01..2026-03-31 issued 2026-04-10 due 2026-05-10 po - 1000.00+72.50=1072.50",
            "H-1-2026-04-01 H-1 2026-04-01..2026-04-30 issued 2026-04-10 due 2026-05-10 po - 1000.00+72.50=1072.50",
        ]
    );
    assert!(run(&mut l, "2026-04-10").issued.is_empty());
}

#[test]
fn refusals_are_reported_and_the_other_invoices_still_issued() {
    let mut l = ledger_with(&["ACME"]);
    let lines = json!([subscription("SUB", "1200.00")]);
    let year = ("2026-03-01", "2027-02-28");
    let no_po = contract("P-1", "ACME", "monthly", year, lines.clone(), json!({"po_required": true}));
    l.sign_contract(no_po, at()).unwrap();
    let nowhere = contract("X-1", "ACME", "monthly", year, lines.clone(), json!({"tax_jurisdiction": "US-XX"}));
    l.sign_contract(nowhere, at()).unwrap();
    let untaxed = contract("Z-1", "ACME", "monthly", year, lines.clone(), json!({"tax_jurisdiction": null}));
    l.sign_contract(untaxed, at()).unwrap();
    let fine = contract("F-1", "ACME", "monthly", year, lines, json!({}));
    l.sign_contract(fine, at()).unwrap();

    let report = run(&mut l, "2026-03-01");
    assert_eq!(
        rows(&report.issued),
        ["F-1-2026-03-01 F-1 2026-03-01..2026-03-31 issued 2026-03-01 due 2026-03-31 po - 100.00+7.25=107.25"]
    );
    let refused: Vec<String> = report
        .refused
        .iter()
        .map(|r| {
            format!("{} {:?} {:?} {}", r.contract, r.invoice.as_ref().map(|i| i.as_str()), r.period_start, r.error)
        })
        .collect();
    assert_eq!(
        refused,
        [
            "P-1 Some(\"P-1-2026-03-01\") Some(2026-03-01) invoice P-1-2026-03-01: po_number is required by contract P-1",
            "X-1 None Some(2026-03-01) contract X-1: no tax rate for jurisdiction \"US-XX\"",
            "Z-1 None Some(2026-03-01) contract Z-1: no tax rate for jurisdiction (none given)",
        ]
    );
    assert_eq!(invoices_issued(&l).len(), 1);
}

#[test]
fn a_tax_exempt_contract_is_billed_without_tax_whatever_its_jurisdiction() {
    let mut l = ledger_with(&["EDU"]);
    let exempt = json!({"tax_exempt": true, "tax_exemption_certificate": "501c3-22", "tax_jurisdiction": "US-XX"});
    let c = contract(
        "E-1",
        "EDU",
        "quarterly",
        ("2026-01-01", "2026-12-31"),
        json!([subscription("SUB", "9000.00")]),
        exempt,
    );
    l.sign_contract(c, at()).unwrap();
    let report = run(&mut l, "2026-04-01");
    assert_eq!(
        rows(&report.issued),
        [
            "E-1-2026-01-01 E-1 2026-01-01..2026-03-31 issued 2026-04-01 due 2026-05-01 po - 2250.00+0.00=2250.00",
            "E-1-2026-04-01 E-1 2026-04-01..2026-06-30 issued 2026-04-01 due 2026-05-01 po - 2250.00+0.00=2250.00",
        ]
    );
    assert!(invoices_issued(&l).iter().flat_map(|i| &i.lines).all(|line| line.tax.is_zero()));
}

#[test]
fn periods_billed_elsewhere_and_modifications_are_respected() {
    let mut l = ledger_with(&["ACME"]);
    let lines = json!([subscription("SUB", "1200.00"), subscription("ADDON", "600.00"), usage("API", "0.10")]);
    let c = contract("C-1", "ACME", "monthly", ("2026-01-01", "2026-12-31"), lines, json!({}));
    l.sign_contract(c, at()).unwrap();
    // January's SUB and ADDON were invoiced by hand (an import, say).
    let manual: InvoiceIssued = from(json!({
        "invoice": "INV-IMPORTED", "customer": "ACME", "contract": "C-1", "issued_on": "2026-01-01",
        "due_on": "2026-01-31", "currency": "USD",
        "lines": [{"line": "SUB", "description": "Platform", "amount": "100.00", "tax": "7.25",
                   "period_start": "2026-01-01", "period_end": "2026-01-31"},
                  {"line": "ADDON", "description": "Add-on", "amount": "50.00", "tax": "3.63",
                   "period_start": "2026-01-01", "period_end": "2026-01-31"}]
    }));
    l.issue_invoice(manual, at()).unwrap();
    // ADDON is removed from March; usage in February is billed on March 1,
    // the same period start as March's subscription: the second id.
    let removal: ContractModified = from(json!({"contract": "C-1", "effective_on": "2026-03-01",
        "treatment": "prospective", "changes": [{"change": "remove", "line": "ADDON"}]}));
    l.modify_contract(removal, at()).unwrap();
    let used: UsageRecorded =
        from(json!({"contract": "C-1", "line": "API", "quantity": "1000", "incurred_on": "2026-02-14"}));
    l.record_usage(used, at()).unwrap();
    let cancel: ContractCancelled =
        from(json!({"contract": "C-1", "effective_on": "2026-04-01", "reason": "budget cut"}));
    l.cancel_contract(cancel, at()).unwrap();

    let report = run(&mut l, "2026-06-01");
    assert_eq!(
        rows(&report.issued),
        [
            "C-1-2026-02-01 C-1 2026-02-01..2026-02-28 issued 2026-06-01 due 2026-07-01 po - 150.00+10.88=160.88",
            "C-1-2026-02-01-2 C-1 2026-02-01..2026-02-28 issued 2026-06-01 due 2026-07-01 po - 100.00+7.25=107.25",
            "C-1-2026-03-01 C-1 2026-03-01..2026-03-31 issued 2026-06-01 due 2026-07-01 po - 100.00+7.25=107.25",
        ]
    );
    let lines: Vec<Vec<String>> =
        report.issued.iter().map(|i| i.lines.iter().map(|l| l.line.clone()).collect()).collect();
    assert_eq!(lines, [vec!["SUB", "ADDON"], vec!["API"], vec!["SUB"]]);
}

#[test]
fn an_amended_end_date_does_not_bill_the_last_period_again() {
    let mut l = ledger_with(&["ACME"]);
    let c = contract(
        "C-1",
        "ACME",
        "monthly",
        ("2026-01-01", "2026-06-30"),
        json!([subscription("SUB", "600.00")]),
        json!({}),
    );
    l.sign_contract(c, at()).unwrap();
    let first = run(&mut l, "2026-06-01");
    assert_eq!(first.issued.len(), 6);
    assert_eq!(
        row(&first.issued[5]),
        "C-1-2026-06-01 C-1 2026-06-01..2026-06-30 issued 2026-06-01 due 2026-07-01 po - 100.00+7.25=107.25"
    );
    // The line now ends mid-June: June's period is cut to the 15th, and it
    // was billed whole already (no true-up, as for a price amendment).
    let shorten: ContractModified = from(json!({"contract": "C-1", "effective_on": "2026-06-10",
        "treatment": "prospective", "changes": [{"change": "amend", "line": "SUB", "end_date": "2026-06-15"}]}));
    l.modify_contract(shorten, at()).unwrap();
    let again = run(&mut l, "2026-06-20");
    assert_eq!((rows(&again.issued), again.withheld.len(), again.refused.len()), (Vec::<String>::new(), 0, 0));
}

#[test]
fn a_renewed_contract_still_bills_the_last_month_of_usage_of_the_term_before() {
    let mut l = ledger_with(&["ACME"]);
    let lines = json!([subscription("SUB", "300.00"), usage("API", "0.10")]);
    let c = contract("R-1", "ACME", "monthly", ("2026-01-01", "2026-03-31"), lines, json!({}));
    l.sign_contract(c, at()).unwrap();
    let used: UsageRecorded =
        from(json!({"contract": "R-1", "line": "API", "quantity": "500", "incurred_on": "2026-03-20"}));
    l.record_usage(used, at()).unwrap();
    assert_eq!(run(&mut l, "2026-03-01").issued.len(), 3);
    let renewal: ContractRenewed = from(json!({"contract": "R-1", "renewed_on": "2026-03-25",
        "start_date": "2026-04-01", "end_date": "2026-06-30",
        "lines": [subscription("SUB2", "330.00"), usage("API2", "0.10")]}));
    l.renew_contract(renewal, at()).unwrap();

    let april = run(&mut l, "2026-04-01");
    assert_eq!(
        rows(&april.issued),
        [
            // March's subscription invoice holds R-1-2026-03-01.
            "R-1-2026-03-01-2 R-1 2026-03-01..2026-03-31 issued 2026-04-01 due 2026-05-01 po - 50.00+3.63=53.63",
            "R-1-2026-04-01 R-1 2026-04-01..2026-04-30 issued 2026-04-01 due 2026-05-01 po - 110.00+7.98=117.98",
        ]
    );
}

// ------------------------------------------------------------- property

/// A generated contract: frequency, start, length in days, a subscription
/// price in cents, and usage (day offset, calls).
#[derive(Clone, Debug)]
struct Generated {
    frequency: &'static str,
    start: NaiveDate,
    days: u32,
    cents: i64,
    usage: Vec<(u32, u32)>,
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        prop::sample::select(vec!["monthly", "quarterly", "annually", "usage"]),
        0u32..365,
        1u32..800,
        0i64..5_000_000,
        prop::collection::vec((0u32..800, 1u32..10_000), 0..6),
    )
        .prop_map(|(frequency, offset, days, cents, usage)| Generated {
            frequency,
            start: date("2026-01-01") + chrono::Days::new(offset.into()),
            days,
            cents,
            usage: usage.into_iter().filter(|(day, _)| *day < days).collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn bill_runs_never_double_bill(
        contracts in prop::collection::vec(generated(), 1..4),
        runs in prop::collection::vec(0u32..1_300, 1..8),
    ) {
        let mut l = ledger_with(&["ACME"]);
        let mut expected = Vec::new();
        for (n, g) in contracts.iter().enumerate() {
            let id = format!("G-{n}");
            let end = g.start + chrono::Days::new(u64::from(g.days) - 1);
            let price = Decimal::new(g.cents, 2).to_string();
            let lines = json!([subscription("SUB", &price), usage("API", "0.0125")]);
            let c = contract(&id, "ACME", g.frequency, (&g.start.to_string(), &end.to_string()), lines, json!({}));
            l.sign_contract(c.clone(), at()).unwrap();
            let mut performance = Performance::default();
            for (day, calls) in &g.usage {
                let on = g.start + chrono::Days::new(u64::from(*day));
                let used: UsageRecorded =
                    from(json!({"contract": id, "line": "API", "quantity": calls.to_string(), "incurred_on": on}));
                performance.usage_recorded.push(UsageRecord {
                    line: "API".into(),
                    quantity: used.quantity,
                    unit_price: None,
                    incurred_on: on,
                });
                l.record_usage(used, at()).unwrap();
            }
            let total = billing_schedule(&c.terms(), &performance, BillingSettings::default()).unwrap().total().unwrap();
            expected.push((id, total.amount));
        }
        let first = date("2026-01-01");
        for day in runs.iter().chain(runs.iter().rev()) {
            let report = run(&mut l, &(first + chrono::Days::new(u64::from(*day))).to_string());
            prop_assert!(report.refused.is_empty(), "{:?}", report.refused);
        }
        let billed = billed_once(&l)?;
        for (id, total) in &expected {
            let so_far = billed.get(id).copied().unwrap_or_default();
            prop_assert!(so_far <= *total, "{}: billed {} over the schedule's {}", id, so_far, total);
        }
        // Once every date has passed, everything is billed, exactly once.
        run(&mut l, "2031-01-01");
        let billed = billed_once(&l)?;
        for (id, total) in &expected {
            prop_assert_eq!(billed.get(id).copied().unwrap_or_default(), *total, "{}", id);
        }
    }
}

/// What each contract was billed before tax, after checking that no
/// (contract, line, period) is on two invoice lines.
fn billed_once(l: &Ledger<MemoryLog>) -> Result<BTreeMap<String, Decimal>, TestCaseError> {
    let mut seen = BTreeSet::new();
    let mut billed: BTreeMap<String, Decimal> = BTreeMap::new();
    for invoice in invoices_issued(l) {
        for line in &invoice.lines {
            let key = (invoice.contract.to_string(), line.line.clone(), line.period_start, line.period_end);
            prop_assert!(seen.insert(key.clone()), "billed twice: {:?}", key);
            *billed.entry(invoice.contract.to_string()).or_default() += line.amount;
        }
    }
    Ok(billed)
}

#[test]
fn invoices_without_periods_cover_the_earliest_installments_of_their_line() {
    let mut l = ledger_with(&["ACME"]);
    let lines = json!([subscription("SUB", "1200.00")]);
    let c = contract("C-1", "ACME", "monthly", ("2026-01-01", "2026-12-31"), lines, json!({}));
    l.sign_contract(c, at()).unwrap();
    // 250.00 invoiced by hand without a period: January and February
    // (100.00 each) and half of March.
    let manual: InvoiceIssued = from(json!({
        "invoice": "INV-BY-HAND", "customer": "ACME", "contract": "C-1", "issued_on": "2026-01-01",
        "due_on": "2026-01-31", "currency": "USD",
        "lines": [{"line": "SUB", "description": "Platform, first months", "amount": "250.00", "tax": "0.00"}]
    }));
    l.issue_invoice(manual, at()).unwrap();

    let report = run(&mut l, "2026-04-01");
    assert_eq!(
        rows(&report.issued),
        [
            "C-1-2026-03-01 C-1 2026-03-01..2026-03-31 issued 2026-04-01 due 2026-05-01 po - 50.00+3.63=53.63",
            "C-1-2026-04-01 C-1 2026-04-01..2026-04-30 issued 2026-04-01 due 2026-05-01 po - 100.00+7.25=107.25",
        ]
    );
    // The cover is spent the same way on every run: nothing more, ever.
    assert!(run(&mut l, "2026-04-01").issued.is_empty());
    assert!(run(&mut l, "2026-02-15").issued.is_empty());
    let billed: Decimal = invoices_issued(&l).iter().flat_map(|i| &i.lines).map(|line| line.amount).sum();
    assert_eq!(billed, "400.00".parse::<Decimal>().unwrap());
}

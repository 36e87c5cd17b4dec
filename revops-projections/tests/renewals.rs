//! `Renewals` scenarios: one renewal going green → yellow → red as its
//! facts change, the 90/60/30-day alerts, at-risk at 60 days, ARR at risk
//! and the weighted forecast, to the cent and the day.

mod book;

use book::{date, subscription, Book};
use revops_projections::aging::ArAging;
use revops_projections::mrr::Mrr;
use revops_projections::renewals::{
    AlertLevel, ForecastWeights, Renewal, RenewalStatus, Renewals, RenewalsReport, StatusReason,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use AlertLevel::{Days30, Days60, Days90};
use RenewalStatus::{Green, Red, Yellow};
use StatusReason::{Contraction, CreditHold, InvoicePastDue, NoRecentContact, OnTrack, OpenDispute};

fn line(line: &str, product: &str, price: &str) -> Value {
    json!({"line": line, "product": product, "kind": "subscription", "price": price,
           "recognition": {"method": "ratable", "basis": "monthly"}})
}

fn contact(contract: &str, on: &str) -> Value {
    json!({"type": "renewal_contact_logged", "contract": contract, "contacted_on": on, "by": "rep-jane"})
}

/// ACME's A-1 (Oct 2025 to Sep 2026, 24,000.00 + a 6,000.00 add-on: ARR
/// 30,000.00, owned by rep-jane) with an invoice due July 10 that stays
/// unpaid; GLOBEX with G-1 (to Oct 31, ARR 12,000.00) and G-2 (cancelled
/// from July 15); INITECH's I-1 in EUR (to Nov 14, ARR 36,000.00).
fn pipeline_book() -> Book {
    let mut book = Book::default();
    book.customer("ACME", "USD").customer("GLOBEX", "USD").customer("INITECH", "EUR");
    let lines = json!([line("SUB", "Platform", "24000.00"), line("ADDON", "Analytics", "6000.00")]);
    let term = ("2025-10-01", "2025-10-01", "2026-09-30");
    book.contract("A-1", ("ACME", "USD"), term, "monthly", lines, json!({"assigned_ae": "rep-jane"}));
    book.invoice("INV-1", ("ACME", "A-1", "USD"), ("2026-06-10", "2026-07-10"), "2500.00", "0.00");
    book.exec(contact("A-1", "2026-06-20")).exec(contact("A-1", "2026-08-05"));
    book.exec(json!({"type": "credit_hold_placed", "customer": "ACME", "placed_on": "2026-08-20",
                     "reason": "past due"}));
    book.exec(json!({"type": "credit_hold_released", "customer": "ACME", "released_on": "2026-09-01"}));
    book.exec(json!({"type": "dispute_opened", "dispute": "DSP-1", "invoice": "INV-1",
                     "reason_code": "pricing_error", "amount": "500.00", "currency": "USD",
                     "opened_on": "2026-09-03"}));
    book.exec(json!({"type": "dispute_resolved", "dispute": "DSP-1", "resolved_on": "2026-09-08",
                     "outcome": "valid"}));
    book.exec(contact("A-1", "2026-09-09"));
    book.exec(json!({"type": "contract_modified", "contract": "A-1", "effective_on": "2026-09-10",
                     "treatment": "prospective", "changes": [{"change": "remove", "line": "ADDON"}]}));

    let year = ("2026-01-01", "2026-01-01", "2026-12-31");
    let ten_months = ("2026-01-01", "2026-01-01", "2026-10-31");
    book.contract("G-1", ("GLOBEX", "USD"), ten_months, "monthly", json!([subscription("SUB", "10000.00")]), json!({}));
    book.contract("G-2", ("GLOBEX", "USD"), year, "monthly", json!([subscription("SUB", "12000.00")]), json!({}));
    book.exec(json!({"type": "contract_cancelled", "contract": "G-2", "effective_on": "2026-07-15",
                     "reason": "budget cut"}));
    book.exec(contact("G-1", "2026-08-10"));

    let term = ("2025-11-15", "2025-11-15", "2026-11-14");
    book.contract("I-1", ("INITECH", "EUR"), term, "annually", json!([subscription("SUB", "36000.00")]), json!({}));
    book.exec(contact("I-1", "2026-08-15"));
    book.exec(json!({"type": "contract_renewed", "contract": "I-1", "renewed_on": "2026-09-01",
                     "start_date": "2026-11-15", "end_date": "2027-11-14",
                     "lines": [subscription("SUB-27", "39000.00")]}));
    book
}

struct Desk {
    renewals: Renewals,
    mrr: Mrr,
    aging: ArAging,
}

impl Desk {
    fn of(book: &Book) -> Desk {
        Desk { renewals: book.fold(), mrr: book.fold(), aging: book.fold() }
    }

    fn report(&self, as_of: &str) -> RenewalsReport {
        self.renewals.report(date(as_of), &self.mrr, &self.aging, ForecastWeights::default())
    }

    fn renewal(&self, as_of: &str, contract: &str) -> Renewal {
        let report = self.report(as_of);
        report.renewals.into_iter().find(|r| r.contract == contract).unwrap_or_else(|| panic!("{contract} {as_of}"))
    }
}

/// (days to end, alert, ARR, status, reason, reasons, at risk, forecast).
type Row = (i64, AlertLevel, String, RenewalStatus, StatusReason, Vec<StatusReason>, bool, String);

fn row(r: &Renewal) -> Row {
    (r.days_to_end, r.alert, r.arr.clone(), r.status, r.reason, r.reasons.clone(), r.at_risk, r.forecast_arr.clone())
}

fn expect(
    days: i64,
    alert: AlertLevel,
    arr: &str,
    reasons: &[StatusReason],
    status: RenewalStatus,
    at_risk: bool,
    forecast: &str,
) -> Row {
    (days, alert, arr.into(), status, reasons[0], reasons.to_vec(), at_risk, forecast.into())
}

#[test]
fn a_renewal_goes_green_then_yellow_then_red_and_its_alerts_tighten() {
    let desk = Desk::of(&pipeline_book());

    // July 2: 90 days to go, contacted 12 days ago, the invoice not yet due.
    let r = desk.renewal("2026-07-02", "A-1");
    assert_eq!(row(&r), expect(90, Days90, "30000.00", &[OnTrack], Green, false, "30000.00"));
    assert_eq!((r.customer.as_str(), r.owner.as_deref(), r.end_date), ("ACME", Some("rep-jane"), date("2026-09-30")));
    assert_eq!(
        (r.last_contact, r.days_since_contact, r.reason_detail.as_str()),
        (Some(date("2026-06-20")), Some(12), "on track")
    );
    assert_eq!(desk.report("2026-07-01").renewals.len(), 0, "91 days out is outside the pipeline");

    // July 25: no contact for 35 days; the invoice only 15 days past due.
    let r = desk.renewal("2026-07-25", "A-1");
    assert_eq!(row(&r), expect(67, Days90, "30000.00", &[NoRecentContact], Yellow, false, "15000.00"));
    assert_eq!(r.reason_detail, "no contact in 35 days");

    // August 1: 60 days to go — the 60-day alert, and yellow is now at risk.
    let r = desk.renewal("2026-08-01", "A-1");
    assert_eq!(row(&r), expect(60, Days60, "30000.00", &[NoRecentContact], Yellow, true, "15000.00"));

    // August 10: contacted on the 5th, but INV-1 is 31 days past due.
    let r = desk.renewal("2026-08-10", "A-1");
    assert_eq!(row(&r), expect(51, Days60, "30000.00", &[InvoicePastDue], Yellow, true, "15000.00"));
    assert_eq!(r.reason_detail, "invoice INV-1 is 31 days past due");
    // The day before, 30 days past due is not over 30.
    assert_eq!(desk.renewal("2026-08-09", "A-1").status, Green);

    // August 25: on credit hold since the 20th — red, the hold decides.
    let r = desk.renewal("2026-08-25", "A-1");
    assert_eq!(row(&r), expect(36, Days60, "30000.00", &[CreditHold, InvoicePastDue], Red, true, "6000.00"));
    assert_eq!(r.reason_detail, "customer on credit hold since 2026-08-20");

    // September 5: hold released, a dispute open; 25 days: the 30-day alert.
    let r = desk.renewal("2026-09-05", "A-1");
    let reasons = [OpenDispute, InvoicePastDue, NoRecentContact];
    assert_eq!(row(&r), expect(25, Days30, "30000.00", &reasons, Red, true, "6000.00"));
    assert_eq!(r.reason_detail, "dispute DSP-1 open since 2026-09-03");

    // September 12: dispute resolved, contacted on the 9th, but the add-on
    // was removed from the 10th: contraction, and ARR is down to 24,000.00.
    let r = desk.renewal("2026-09-12", "A-1");
    assert_eq!(row(&r), expect(18, Days30, "24000.00", &[Contraction, InvoicePastDue], Red, true, "4800.00"));
    assert_eq!(r.reason_detail, "contract A-1 modified effective 2026-09-10: ARR down 6000.00");

    // The last day of the term is still in the pipeline; the day after is not.
    assert_eq!(desk.renewal("2026-09-30", "A-1").days_to_end, 0);
    assert!(desk.report("2026-10-01").renewals.iter().all(|r| r.contract != "A-1"));
}

#[test]
fn the_pipeline_sums_arr_at_risk_and_the_forecast_per_currency() {
    let desk = Desk::of(&pipeline_book());
    let report = desk.report("2026-08-20");
    let rows: Vec<(&str, i64, AlertLevel, RenewalStatus, StatusReason, &str)> = report
        .renewals
        .iter()
        .map(|r| (r.contract.as_str(), r.days_to_end, r.alert, r.status, r.reason, r.reason_detail.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("A-1", 41, Days60, Red, CreditHold, "customer on credit hold since 2026-08-20"),
            // G-2's cancellation took GLOBEX from 24,000.00 to 12,000.00.
            ("G-1", 72, Days90, Red, Contraction, "customer ARR down from 24000.00 to 12000.00 in the last 90 days"),
            ("I-1", 86, Days90, Green, OnTrack, "on track"),
        ]
    );
    let totals: Vec<Value> = report.totals.iter().map(|t| serde_json::to_value(t).unwrap()).collect();
    assert_eq!(
        totals,
        [
            json!({"currency": "EUR", "contracts": 1, "arr": "36000.00", "green_arr": "36000.00",
                   "yellow_arr": "0.00", "red_arr": "0.00", "at_risk_contracts": 0, "arr_at_risk": "0.00",
                   "forecast_arr": "36000.00"}),
            // A-1 is at risk (41 days, red); G-1 is red but 72 days out.
            json!({"currency": "USD", "contracts": 2, "arr": "42000.00", "green_arr": "0.00",
                   "yellow_arr": "0.00", "red_arr": "42000.00", "at_risk_contracts": 1, "arr_at_risk": "30000.00",
                   "forecast_arr": "8400.00"}),
        ]
    );

    // Weights are a parameter: yellow at 0.75 and red at 0.5.
    let weights =
        ForecastWeights { yellow: Decimal::new(75, 2), red: Decimal::new(5, 1), ..ForecastWeights::default() };
    let weighted = desk.renewals.report(date("2026-08-20"), &desk.mrr, &desk.aging, weights);
    let usd = weighted.totals.iter().find(|t| t.currency.code() == "USD").unwrap();
    assert_eq!(usd.forecast_arr, "21000.00");

    // I-1 was renewed on September 1 to November 2027: out of the pipeline.
    let after: Vec<String> = desk.report("2026-09-05").renewals.into_iter().map(|r| r.contract).collect();
    assert_eq!(after, ["A-1", "G-1"]);

    // The JSON a UI reads: snake_case names, amounts as strings, alerts as days.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["weights"], json!({"green": "1.0", "yellow": "0.5", "red": "0.2"}));
    let c1 = &json["renewals"][0];
    assert_eq!(
        [&c1["alert"], &c1["status"], &c1["reason"], &c1["arr"], &c1["forecast_arr"], &c1["owner"]],
        [&json!("60"), &json!("red"), &json!("credit_hold"), &json!("30000.00"), &json!("6000.00"), &json!("rep-jane")]
    );
    assert_eq!(c1["reasons"], json!(["credit_hold", "invoice_past_due"]));
    assert_eq!(c1["last_contact"], "2026-08-05");
}

#[test]
fn renewal_arr_is_the_mrr_report_s() {
    let desk = Desk::of(&pipeline_book());
    for as_of in ["2026-07-02", "2026-08-20", "2026-09-12"] {
        let mrr = desk.mrr.report(date(as_of));
        let per_contract = desk.mrr.contract_mrrs(date(as_of));
        for customer in &mrr.customers {
            // Contract ids start with their customer's initial.
            let prefix = &customer.customer[..1];
            let sum: Decimal = per_contract.iter().filter(|(c, _)| c.starts_with(prefix)).map(|(_, m)| m.amount).sum();
            assert_eq!(sum.to_string(), customer.mrr, "{} {as_of}", customer.customer);
        }
        for r in desk.report(as_of).renewals {
            let contract_mrr = desk.mrr.contract_mrr(&r.contract, date(as_of)).unwrap();
            assert_eq!((contract_mrr.amount * Decimal::from(12)).to_string(), r.arr, "{} {as_of}", r.contract);
        }
    }
    assert_eq!(desk.mrr.contract_mrr("A-9", date("2026-07-02")), None);
    let addon = |on: &str| desk.mrr.line_mrr("A-1", "ADDON", date(on)).unwrap().amount.to_string();
    assert_eq!((addon("2026-09-09"), addon("2026-09-10")), ("500.00".to_owned(), "0.00".to_owned()));
}

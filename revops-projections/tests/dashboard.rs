//! The dashboard of a hand-written two-currency book, to the cent, as text
//! and as JSON; and the PO alert on imported facts.
//!
//! Worked out by hand from the module docs, as of 2026-06-30 in USD, EUR at
//! 1.20 (set on 2026-06-01; the 1.10 of January is no longer in force):
//!
//! - MRR at the end of May: ACME 1,000.00 USD, BETA 1,000.00 EUR (6,000.00
//!   over 2026-01-15..2026-07-14) = 1,200.00 USD: start 2,200.00. In June
//!   GAMMA is new (6,000.00 over a year: 500.00) and ACME's line goes from
//!   12,000.00 to 13,200.00 a year on June 1 (expansion 100.00): MRR
//!   2,800.00, ARR 33,600.00, net change 600.00 = 27.27 % of 2,200.00.
//! - June's invoices: ACME 1,100.00, GAMMA 500.00, BETA 1,000.00 EUR =
//!   1,200.00: 3 invoices, 2,800.00. Paid in June: BETA's March invoice
//!   (issued 03-15, paid 06-05: 82 days) and ACME's June invoice (19 days):
//!   2 invoices, 2,300.00 collected, 50.50 days on average.
//! - Open on June 30: ACME April (issued 04-01, due 04-30: 61 days past
//!   due) and May (due 05-31: 30 days) 1,000.00 each, GAMMA 500.00 and BETA
//!   June 1,200.00: 3,700.00; overdue the two ACME invoices, 2,000.00, one
//!   over 60 days. By invoice date: 0-30 1,700.00, 31-60 1,000.00, 61-90
//!   1,000.00: 45.95 / 27.03 / 27.03 % by exact share, which the largest
//!   remainder split makes 45.94 / 27.03 / 27.03 so that they sum to 100.00.
//! - Commissions at 10 %: ACME's booking in January 1,200.00 (paid in
//!   February), in June GAMMA's 600.00 and ACME's 1,200.00 add-on 120.00:
//!   720.00 earned in June, 720.00 payable, next payout on the 15th.
//! - BETA's contract ends in 14 days and BETA is on credit hold (red, so at
//!   risk): 12,000.00 EUR = 14,400.00 USD of ARR at risk. BETA is on credit
//!   hold; ACME's April invoice passed day 60 of the collections ladder, so
//!   the ladder calls for a hold on ACME.

mod book;

use book::{date, subscription, Book};
use revops_projections::revops_core::Currency;
use revops_projections::revops_events::{jsonl, MemoryLog};
use revops_projections::{Projection, RevenueOperations};
use serde_json::json;

fn rate(book: &mut Book, rate: &str, on: &str) {
    book.exec(json!({"type": "fx_rate_set", "from": "EUR", "to": "USD", "rate": rate, "on": on}));
}

fn sign(book: &mut Book, contract: &str, customer: (&str, &str), (start, end): (&str, &str), price: &str) {
    let sold_by = json!({"assigned_ae": "rep-maria", "commission_plan": "FY26"});
    book.contract(contract, customer, (start, start, end), "monthly", json!([subscription("SUB", price)]), sold_by);
}

fn two_currency_book() -> Book {
    let mut book = Book::default();
    rate(&mut book, "1.10", "2026-01-01");
    book.exec(json!({"type": "commission_plan_defined", "plan": "FY26", "rep": "rep-maria", "quota": "1000000.00",
                     "currency": "USD", "basis": "booking", "tiers": [{"from_attainment": "0", "rate": "0.10"}],
                     "clawback_months": 3, "payout_day": 15, "effective_on": "2026-01-01"}));
    book.customer("ACME", "USD").customer("BETA", "EUR").customer("GAMMA", "USD");
    let (acme, beta, gamma) = (("ACME", "USD"), ("BETA", "EUR"), ("GAMMA", "USD"));
    sign(&mut book, "C-1", acme, ("2026-01-01", "2026-12-31"), "12000.00");
    book.exec(json!({"type": "commission_paid", "rep": "rep-maria", "amount": "1200.00", "currency": "USD",
                     "paid_on": "2026-02-15", "period": "2026-01"}));
    book.contract(
        "C-2",
        beta,
        ("2026-01-10", "2026-01-15", "2026-07-14"),
        "monthly",
        json!([subscription("SUB", "6000.00")]),
        json!({}),
    );
    book.invoice("INV-B3", ("BETA", "C-2", "EUR"), ("2026-03-15", "2026-04-14"), "1000.00", "0.00");
    book.invoice("INV-A4", ("ACME", "C-1", "USD"), ("2026-04-01", "2026-04-30"), "1000.00", "0.00");
    book.invoice("INV-A5", ("ACME", "C-1", "USD"), ("2026-05-01", "2026-05-31"), "1000.00", "0.00");
    book.exec(json!({"type": "contract_modified", "contract": "C-1", "effective_on": "2026-06-01",
        "treatment": "prospective", "changes": [{"change": "amend", "line": "SUB", "price": "13200.00"}]}));
    rate(&mut book, "1.20", "2026-06-01");
    book.invoice("INV-A6", ("ACME", "C-1", "USD"), ("2026-06-01", "2026-07-01"), "1100.00", "0.00");
    book.invoice("INV-B6", ("BETA", "C-2", "EUR"), ("2026-06-01", "2026-07-01"), "1000.00", "0.00");
    book.pay("PAY-B3", beta, "INV-B3", "1000.00", "2026-06-05");
    sign(&mut book, "C-3", gamma, ("2026-06-10", "2027-06-09"), "6000.00");
    book.invoice("INV-G1", ("GAMMA", "C-3", "USD"), ("2026-06-10", "2026-07-10"), "500.00", "0.00");
    book.pay("PAY-A6", acme, "INV-A6", "1100.00", "2026-06-20");
    book.exec(json!({"type": "credit_hold_placed", "customer": "BETA", "placed_on": "2026-06-20",
                     "reason": "failed card"}));
    book
}

const EXPECTED: &str = "\
REVENUE OPS DASHBOARD — 2026-06 (as of 2026-06-30)
Amounts in USD, converted at the rates of 2026-06-30: EUR→USD 1.2

REVENUE
  MRR                                 2,800.00
  ARR                                33,600.00
  New MRR                               500.00
  Expansion MRR                         100.00
  Reactivation MRR                        0.00
  Contraction MRR                         0.00
  Churned MRR                             0.00
  Net MRR change                        600.00  (+27.27%)

INVOICING (month to date)
  Issued                              2,800.00  3 invoices
  Collected                           2,300.00  2 invoices paid
  Avg days to pay                        50.50
  Outstanding                         3,700.00
  Overdue                             2,000.00  2 invoices, 1 over 60 days

AR AGING                                        % OF AR
  0-30 days                           1,700.00   45.94%
  31-60 days                          1,000.00   27.03%
  61-90 days                          1,000.00   27.03%
  91+ days                                0.00    0.00%
  Total                               3,700.00

COMMISSIONS
  Earned this month                     720.00
  Payable                               720.00
  Next payout                       2026-07-15
  Open disputes                              0  claiming 0.00

ALERTS
  Renewals in 30 days                        1  ARR 14,400.00, at risk 14,400.00 (1 contract)
  Invoices missing a PO                      0
  Credit holds                               1  BETA
  Credit holds to place                      1  ACME
";

#[test]
fn the_dashboard_of_a_two_currency_book_to_the_cent() {
    let book = two_currency_book();
    let desk: RevenueOperations = book.fold();
    let dashboard = desk.dashboard(date("2026-06-30"), Currency::USD).unwrap();
    assert_eq!(dashboard.to_string(), EXPECTED, "\n{dashboard}");

    // The JSON keeps the original amounts per currency beside the converted ones.
    let json: serde_json::Value = serde_json::from_str(&dashboard.to_json().unwrap()).unwrap();
    assert_eq!(json["reporting_currency"], "USD");
    assert_eq!(json["rates"], json!([{"from": "EUR", "rate": "1.2"}]));
    assert_eq!(json["revenue"]["mrr"], "2800.00");
    let by_currency = |section: &str, field: &str| -> Vec<(String, String)> {
        let rows = json[section]["by_currency"].as_array().unwrap();
        rows.iter().map(|r| (r["currency"].as_str().unwrap().into(), r[field].as_str().unwrap().into())).collect()
    };
    let pair = |c: &str, a: &str| (c.to_owned(), a.to_owned());
    assert_eq!(by_currency("revenue", "mrr"), [pair("EUR", "1000.00"), pair("USD", "1600.00")]);
    assert_eq!(by_currency("invoicing", "outstanding"), [pair("EUR", "1000.00"), pair("USD", "2500.00")]);
    assert_eq!(json["ar_aging"]["days_0_30"], json!({"amount": "1700.00", "pct_of_ar": "45.94"}));
    assert_eq!(json["alerts"]["credit_holds_to_place"], json!(["ACME"]));

    // The month before, EUR converts at January's 1.10.
    let may = desk.dashboard(date("2026-05-31"), Currency::USD).unwrap();
    assert_eq!(may.revenue.total.mrr, "2100.00");
    assert_eq!(may.rates[0].rate, "1.1");
    // In EUR the same book needs the inverse rate, and USD converts through it.
    let in_eur = desk.dashboard(date("2026-06-30"), Currency::EUR).unwrap();
    assert_eq!(in_eur.revenue.total.mrr, "2333.33");
}

#[test]
fn the_renewal_forecast_weighs_the_pipeline_by_status() {
    let desk: RevenueOperations = two_currency_book().fold();
    let kpis = desk.kpi_report(date("2026-06-30"), "0.80".parse().unwrap()).unwrap();
    let row = |code: &str| kpis.currencies.iter().find(|c| c.currency.code() == code).unwrap();
    // BETA's 12,000.00 EUR of ARR ends on 2026-07-14, and BETA is on credit
    // hold: red, weighed 0.2. ACME (December) and GAMMA (2027) are beyond 90
    // days.
    let eur = row("EUR");
    assert_eq!(
        (eur.renewals_in_90_days, eur.renewal_arr.as_str(), eur.renewal_forecast_arr.as_str()),
        (1, "12000.00", "2400.00")
    );
    let usd = row("USD");
    assert_eq!(
        (usd.renewals_in_90_days, usd.renewal_arr.as_str(), usd.renewal_forecast_arr.as_str()),
        (0, "0.00", "0.00")
    );
    // On October 15, ACME's December end is in the pipeline: 13,200.00 a year,
    // yellow (nobody called; May's invoice over 30 days past due).
    let october = desk.kpi_report(date("2026-10-15"), "0.80".parse().unwrap()).unwrap();
    let usd = october.currencies.iter().find(|c| c.currency == Currency::USD).unwrap();
    assert_eq!((usd.renewals_in_90_days, usd.renewal_arr.as_str()), (1, "13200.00"));
}

#[test]
fn without_a_rate_the_dashboard_names_the_missing_pair() {
    let book = two_currency_book();
    let desk: RevenueOperations = book.fold();
    let error = desk.dashboard(date("2026-06-30"), Currency::GBP).unwrap_err().to_string();
    assert_eq!(error, "no fx rate from EUR to GBP (nor from GBP to EUR) in force on 2026-06-30");
}

#[test]
fn open_invoices_without_the_po_their_contract_requires_are_alerts() {
    // Imported facts: the command API would refuse the invoice.
    let lines = [
        r#"{"type":"customer_registered","customer":"ACME","legal_entity":"ACME Inc.","billing_address":{"line1":"1 Main St","city":"Springfield","postal_code":"62701","country":"US"},"billing_contact":{"name":"Ann","email":"ap@example.com"},"payment_method":"ach","payment_terms":"net_30","credit_limit":"100000.00","currency":"USD","registered_on":"2026-01-01"}"#,
        r#"{"type":"contract_signed","contract":"C-1","customer":"ACME","signed_on":"2026-01-01","start_date":"2026-01-01","end_date":"2026-12-31","currency":"USD","billing_frequency":"monthly","payment_terms":"net_30","po_required":true,"po_number":"PO-1","lines":[{"line":"SUB","product":"Platform","kind":"subscription","price":"12000.00","recognition":{"method":"ratable","basis":"monthly"}}]}"#,
        r#"{"type":"invoice_issued","invoice":"INV-1","customer":"ACME","contract":"C-1","issued_on":"2026-02-01","due_on":"2026-03-03","currency":"USD","lines":[{"description":"February","amount":"1000.00","tax":"0.00"}]}"#,
        r#"{"type":"invoice_issued","invoice":"INV-2","customer":"ACME","contract":"C-1","issued_on":"2026-03-01","due_on":"2026-03-31","currency":"USD","po_number":"PO-1","lines":[{"description":"March","amount":"1000.00","tax":"0.00"}]}"#,
    ];
    let mut log = MemoryLog::default();
    let options = jsonl::ImportOptions::new("2026-03-01T00:00:00Z".parse().unwrap());
    jsonl::import(&mut log, lines.join("\n").as_bytes(), options).unwrap();
    let mut desk = RevenueOperations::default();
    for envelope in log.envelopes() {
        desk.apply(envelope);
    }
    let dashboard = desk.dashboard(date("2026-03-15"), Currency::USD).unwrap();
    assert_eq!(dashboard.alerts.invoices_missing_po, ["INV-1"]);
    assert!(dashboard.to_string().contains("\n  Invoices missing a PO                      1  INV-1\n"), "{dashboard}");
}

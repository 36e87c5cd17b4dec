//! `Kpis` scenarios: receivables KPIs against `ArAging`, credit-memo and
//! dispute rates, cohort retention over two years and the lifetime value,
//! to the cent.

mod book;

use book::{date, subscription, Book};
use revops_projections::aging::{AgingBasis, AgingOptions, ArAging};
use revops_projections::kpis::{CohortRetention, CurrencyKpis, KpiReport, Kpis};
use revops_projections::mrr::Mrr;
use revops_projections::renewals::{ForecastWeights, Renewals};
use revops_projections::revops_core::{Currency, Decimal};
use revops_projections::Error;
use serde_json::json;

const ACME: (&str, &str) = ("ACME", "USD");

fn margin(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The KPIs of `book` as of `as_of`, aging over `period_days`.
fn kpis(book: &Book, as_of: &str, period_days: u32, gross_margin: &str) -> KpiReport {
    let (aging, mrr, kpis, renewals): (ArAging, Mrr, Kpis, Renewals) =
        (book.fold(), book.fold(), book.fold(), book.fold());
    let options = AgingOptions { basis: AgingBasis::InvoiceDate, period_days };
    let report = aging.report(date(as_of), options);
    let pipeline = renewals.report(date(as_of), &mrr, &aging, ForecastWeights::default());
    kpis.report(&report, &mrr.report(date(as_of)), &pipeline, margin(gross_margin)).unwrap()
}

fn currency(report: &KpiReport, code: &str) -> CurrencyKpis {
    report.currencies.iter().find(|c| c.currency.code() == code).cloned().unwrap_or_else(|| panic!("no {code}"))
}

fn memo(book: &mut Book, memo: &str, invoice: &str, amount: &str, on: &str) {
    book.exec(json!({"type": "credit_memo_issued", "memo": memo, "invoice": invoice, "amount": amount,
                     "currency": "USD", "issued_on": on, "reason": "discount",
                     "approved_by": "Dana", "approver_role": "vp_revenue_operations"}));
}

fn dispute(book: &mut Book, dispute: &str, invoice: &str, amount: &str, on: &str) {
    book.exec(json!({"type": "dispute_opened", "dispute": dispute, "invoice": invoice,
                     "reason_code": "pricing_error", "amount": amount, "currency": "USD", "opened_on": on}));
}

#[test]
fn receivables_kpis_agree_with_the_aging_and_rates_are_over_the_amount_invoiced() {
    let mut book = Book::default();
    book.customer("ACME", "USD");
    sign(&mut book, "C-1", ACME, ("2026-01-01", "2026-12-31"), "12000.00");
    let acme = ("ACME", "C-1", "USD");
    // Before the March period: INV-1 and its credit memo.
    book.invoice("INV-1", acme, ("2026-02-10", "2026-03-12"), "1000.00", "0.00");
    memo(&mut book, "CM-0", "INV-1", "50.00", "2026-02-20");
    // In the period: 4,000.00 invoiced over three invoices.
    book.invoice("INV-2", acme, ("2026-03-01", "2026-03-31"), "2000.00", "0.00");
    book.pay("PAY-1", ACME, "INV-2", "2000.00", "2026-03-21");
    book.invoice("INV-3", acme, ("2026-03-15", "2026-04-14"), "500.00", "0.00");
    memo(&mut book, "CM-1", "INV-3", "100.00", "2026-03-20");
    book.pay("PAY-2", ACME, "INV-3", "400.00", "2026-03-29");
    book.invoice("INV-4", acme, ("2026-03-25", "2026-04-24"), "1500.00", "0.00");
    // Disputes count by the date they are opened, whatever the invoice's.
    dispute(&mut book, "D-0", "INV-1", "200.00", "2026-03-05");
    dispute(&mut book, "D-1", "INV-4", "300.00", "2026-03-28");

    let report = kpis(&book, "2026-03-31", 31, "0.80");
    assert_eq!(report.period_start, date("2026-03-01"));
    let usd = currency(&report, "USD");
    // Open: INV-1 950.00 + INV-4 1,500.00 = 2,450.00; 2,450.00 / 4,000.00 × 31.
    assert_eq!(usd.dso_days.as_deref(), Some("18.99"));
    // INV-2 in 20 days, INV-3 in 14.
    assert_eq!(usd.average_days_to_pay.as_deref(), Some("17.00"));
    assert_eq!(report.average_days_to_pay.as_deref(), Some("17.00"));
    // 2,400.00 collected / (950.00 open on March 1 + 4,000.00 invoiced).
    assert_eq!(usd.collection_rate_pct.as_deref(), Some("48.48"));
    assert_eq!((usd.invoices_issued, usd.invoiced.as_str()), (3, "4000.00"));
    // CM-1 only: 100.00 / 4,000.00.
    assert_eq!((usd.credit_memos, usd.credited.as_str()), (1, "100.00"));
    assert_eq!(usd.credit_memo_rate_pct.as_deref(), Some("2.50"));
    // D-0 and D-1: 500.00 / 4,000.00.
    assert_eq!((usd.disputes, usd.disputed.as_str()), (2, "500.00"));
    assert_eq!(usd.dispute_rate_pct.as_deref(), Some("12.50"));

    // The same figures as the aging report, for any period.
    let aging: ArAging = book.fold();
    for (as_of, days) in [("2026-03-31", 31), ("2026-03-31", 90), ("2026-02-28", 28), ("2026-03-15", 15)] {
        let a = aging.report(date(as_of), AgingOptions { basis: AgingBasis::InvoiceDate, period_days: days });
        let k = currency(&kpis(&book, as_of, days, "0.80"), "USD");
        let c = &a.currencies[0];
        assert_eq!(
            (&k.dso_days, &k.average_days_to_pay, &k.collection_rate_pct, &k.invoiced),
            (&c.dso_days, &c.average_days_to_pay, &c.collection_rate_pct, &c.invoiced),
            "{as_of} over {days} days"
        );
    }
    // February: INV-1 invoiced, CM-0 credited, no dispute yet.
    let feb = currency(&kpis(&book, "2026-02-28", 28, "0.80"), "USD");
    assert_eq!((feb.invoices_issued, feb.credit_memos, feb.disputes), (1, 1, 0));
    assert_eq!(feb.credit_memo_rate_pct.as_deref(), Some("5.00"));
    assert_eq!(feb.dispute_rate_pct.as_deref(), Some("0.00"));
    // A period with nothing invoiced has no rates.
    let quiet = currency(&kpis(&book, "2026-04-30", 5, "0.80"), "USD");
    assert_eq!((quiet.invoiced.as_str(), quiet.credit_memo_rate_pct, quiet.dso_days), ("0.00", None, None));
}

fn sign(book: &mut Book, contract: &str, customer: (&str, &str), (start, end): (&str, &str), price: &str) {
    book.contract(contract, customer, (start, start, end), "monthly", json!([subscription("SUB", price)]), json!({}));
}

fn amend(book: &mut Book, contract: &str, on: &str, price: &str) {
    book.exec(json!({"type": "contract_modified", "contract": contract, "effective_on": on,
        "treatment": "prospective", "changes": [{"change": "amend", "line": "SUB", "price": price}]}));
}

/// Two years of subscriptions: USD cohorts of January and March 2026 (and a
/// February 2027 newcomer), a EUR cohort of June 2026.
fn two_year_book() -> Book {
    let mut book = Book::default();
    for c in ["A", "B", "C", "D", "E", "F"] {
        book.customer(c, "USD");
    }
    book.customer("G", "EUR");
    let usd = |c| (c, "USD");
    // 2026-01: A and C 1,000.00 a month for two years, B for 2026 only.
    sign(&mut book, "C-A", usd("A"), ("2026-01-01", "2027-12-31"), "24000.00");
    sign(&mut book, "C-B", usd("B"), ("2026-01-01", "2026-12-31"), "12000.00");
    sign(&mut book, "C-C", usd("C"), ("2026-01-01", "2027-12-31"), "24000.00");
    // C upgrades in April 2027: 36,000.00 over the 24 months, 1,500.00.
    amend(&mut book, "C-C", "2027-04-01", "36000.00");
    // 2026-03: D 2,000.00 a month over 22 months, down to 1,500.00 in July
    // 2027; E for six months of 2026, back in May 2027 at 1,200.00.
    sign(&mut book, "C-D", usd("D"), ("2026-03-01", "2027-12-31"), "44000.00");
    amend(&mut book, "C-D", "2027-07-01", "33000.00");
    sign(&mut book, "C-E", usd("E"), ("2026-03-01", "2026-08-31"), "6000.00");
    sign(&mut book, "C-E2", usd("E"), ("2027-05-01", "2027-12-31"), "9600.00");
    // 2027-02: F, 500.00 a month, inside the window.
    sign(&mut book, "C-F", usd("F"), ("2027-02-01", "2027-12-31"), "5500.00");
    // 2026-06, EUR: G 1,000.00 a month, cancelled from October 2027.
    sign(&mut book, "C-G", ("G", "EUR"), ("2026-06-01", "2027-12-31"), "19000.00");
    book.exec(json!({"type": "contract_cancelled", "contract": "C-G", "effective_on": "2027-10-01",
                     "reason": "budget cut"}));
    book
}

fn cohort_row(c: &CohortRetention) -> (String, [&str; 6], [Option<&str>; 2]) {
    let amounts = [&c.start_mrr, &c.expansion, &c.reactivation, &c.contraction, &c.churn, &c.end_mrr];
    (
        format!("{} {} {}/{}", c.currency, c.cohort, c.customers_at_start, c.customers),
        amounts.map(String::as_str),
        [c.grr_pct.as_deref(), c.nrr_pct.as_deref()],
    )
}

#[test]
fn cohort_retention_over_two_years_and_the_lifetime_value() {
    let book = two_year_book();
    let report = kpis(&book, "2027-12-31", 90, "0.80");
    assert_eq!(report.window_start.to_string(), "2026-12");
    let rows: Vec<_> = report.cohorts.iter().map(cohort_row).collect();
    assert_eq!(
        rows,
        [
            // G churned: nothing retained.
            ("EUR 2026-06 1/1".into(), ["1000.00", "0.00", "0.00", "0.00", "1000.00", "0.00"], [Some("0.00"); 2]),
            // A kept, B churned, C expanded: GRR 2,000 / 3,000, NRR 2,500 / 3,000.
            (
                "USD 2026-01 3/3".into(),
                ["3000.00", "500.00", "0.00", "0.00", "1000.00", "2500.00"],
                [Some("66.67"), Some("83.33")]
            ),
            // D contracted, E (lapsed at the start) reactivated: GRR 1,500 /
            // 2,000, NRR 2,700 / 2,000.
            (
                "USD 2026-03 1/2".into(),
                ["2000.00", "0.00", "1200.00", "500.00", "0.00", "2700.00"],
                [Some("75.00"), Some("135.00")]
            ),
        ]
    );

    let usd = currency(&report, "USD");
    // Both cohorts: (5,000 − 500 − 1,000) / 5,000 and 5,200 / 5,000.
    assert_eq!((usd.grr_pct.as_deref(), usd.nrr_pct.as_deref()), (Some("70.00"), Some("104.00")));
    // A 1,000 + C 1,500 + D 1,500 + E 1,200 + F 500 over five customers.
    assert_eq!((usd.mrr.as_str(), usd.customers, usd.arpa.as_deref()), ("5700.00", 5, Some("1140.00")));
    // One churn (B, January) over 4 + 3 + 4 + 4 + 4 + 7 × 5 customer-months.
    assert_eq!((usd.churned_customers, usd.customer_months), (1, 54));
    assert_eq!(usd.monthly_churn_rate_pct.as_deref(), Some("1.85"));
    // 1,140.00 × 0.80 / (1 / 54).
    assert_eq!(usd.lifetime_value.as_deref(), Some("49248.00"));

    let eur = currency(&report, "EUR");
    // G churned in October after ten months at risk; nobody left to average.
    assert_eq!((eur.churned_customers, eur.customer_months), (1, 10));
    assert_eq!(eur.monthly_churn_rate_pct.as_deref(), Some("10.00"));
    assert_eq!((eur.mrr.as_str(), eur.arpa.as_deref(), eur.lifetime_value.as_deref()), ("0.00", None, None));

    // The gross margin scales the lifetime value: 1,140.00 × 0.35 × 54.
    let usd = currency(&kpis(&book, "2027-12-31", 90, "0.35"), "USD");
    assert_eq!(usd.lifetime_value.as_deref(), Some("21546.00"));

    // A year earlier the window starts in December 2025: no cohort is old
    // enough. E churned in September after six months at risk in
    // 0 + 3 + 3 + 6 × 5 + 3 × 4 = 48 customer-months; ARPA 5,000.00 / 4.
    let early = kpis(&book, "2026-12-31", 90, "0.80");
    assert!(early.cohorts.is_empty());
    let usd = currency(&early, "USD");
    assert_eq!((usd.grr_pct, usd.nrr_pct), (None, None));
    assert_eq!((usd.churned_customers, usd.customer_months), (1, 48));
    assert_eq!(usd.monthly_churn_rate_pct.as_deref(), Some("2.08"));
    assert_eq!((usd.arpa.as_deref(), usd.lifetime_value.as_deref()), (Some("1250.00"), Some("48000.00")));
}

#[test]
fn inputs_are_checked() {
    let book = two_year_book();
    let (aging, mrr, kpis, renewals): (ArAging, Mrr, Kpis, Renewals) =
        (book.fold(), book.fold(), book.fold(), book.fold());
    let a = aging.report(date("2027-12-31"), AgingOptions::default());
    let pipeline = |on: &str| renewals.report(date(on), &mrr, &aging, ForecastWeights::default());
    let err = kpis.report(&a, &mrr.report(date("2027-12-30")), &pipeline("2027-12-31"), margin("0.8")).unwrap_err();
    assert_eq!(err.to_string(), "the mrr report is as of 2027-12-30, not 2027-12-31");
    let err = kpis.report(&a, &mrr.report(date("2027-12-31")), &pipeline("2027-12-30"), margin("0.8")).unwrap_err();
    assert_eq!(err.to_string(), "the renewals report is as of 2027-12-30, not 2027-12-31");
    let err = kpis.report(&a, &mrr.report(date("2027-12-31")), &pipeline("2027-12-31"), margin("1.2")).unwrap_err();
    assert!(matches!(err, Error::GrossMargin { .. }), "{err:?}");
    let report = kpis.report(&a, &mrr.report(date("2027-12-31")), &pipeline("2027-12-31"), margin("0.8")).unwrap();
    let json = serde_json::to_value(report).unwrap();
    assert_eq!(json["window_start"], "2026-12");
    assert_eq!(json["gross_margin"], "0.8");
    assert_eq!(json["currencies"][1]["currency"], Currency::USD.code());
    assert_eq!(json["cohorts"][1]["nrr_pct"], "83.33");
}

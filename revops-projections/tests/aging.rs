//! `ArAging` scenarios: exact buckets, rates and days to pay, to the cent.

mod book;

use book::{acme_book, date, subscription};
use revops_projections::aging::{AgingBasis, AgingOptions, ArAging, Bucket};
use serde_json::json;

const ACME: (&str, &str) = ("ACME", "USD");

fn invoice_date(period_days: u32) -> AgingOptions {
    AgingOptions { basis: AgingBasis::InvoiceDate, period_days }
}

fn due_date() -> AgingOptions {
    AgingOptions { basis: AgingBasis::DueDate, period_days: 90 }
}

#[test]
fn a_partially_paid_invoice_ages_from_0_30_into_61_90() {
    let mut book = acme_book();
    book.invoice("INV-1", ("ACME", "C-1", "USD"), ("2026-01-10", "2026-02-09"), "1000.00", "80.00");
    book.pay("PAY-1", ACME, "INV-1", "400.00", "2026-01-25");
    let aging: ArAging = book.fold();

    let at = |as_of: &str, options| {
        let r = aging.report(date(as_of), options);
        assert_eq!(r.invoices.len(), 1, "{as_of}");
        let i = &r.invoices[0];
        let c = &r.currencies[0].buckets;
        (
            i.open.as_str().to_owned(),
            i.age_days,
            i.bucket,
            [&c.not_due, &c.days_0_30, &c.days_31_60, &c.days_61_90, &c.days_91_plus, &c.total].map(|s| s.to_owned()),
        )
    };
    let b = |s: [&str; 6]| s.map(str::to_owned);

    // Before the payment, the whole invoice is open.
    let before = aging.report(date("2026-01-20"), invoice_date(90));
    assert_eq!(before.invoices[0].open, "1080.00");
    assert_eq!(before.invoices[0].applied, "0.00");

    assert_eq!(
        at("2026-01-31", invoice_date(90)),
        ("680.00".into(), 21, Bucket::Days0To30, b(["0.00", "680.00", "0.00", "0.00", "0.00", "680.00"]))
    );
    assert_eq!(
        at("2026-02-15", invoice_date(90)),
        ("680.00".into(), 36, Bucket::Days31To60, b(["0.00", "0.00", "680.00", "0.00", "0.00", "680.00"]))
    );
    assert_eq!(
        at("2026-03-20", invoice_date(90)),
        ("680.00".into(), 69, Bucket::Days61To90, b(["0.00", "0.00", "0.00", "680.00", "0.00", "680.00"]))
    );
    assert_eq!(
        at("2026-04-15", invoice_date(90)),
        ("680.00".into(), 95, Bucket::Days91Plus, b(["0.00", "0.00", "0.00", "0.00", "680.00", "680.00"]))
    );

    // Due-date basis: not yet due in January, 39 days past due on March 20.
    assert_eq!(
        at("2026-01-31", due_date()),
        ("680.00".into(), -9, Bucket::NotDue, b(["680.00", "0.00", "0.00", "0.00", "0.00", "680.00"]))
    );
    assert_eq!(
        at("2026-02-09", due_date()),
        ("680.00".into(), 0, Bucket::Days0To30, b(["0.00", "680.00", "0.00", "0.00", "0.00", "680.00"]))
    );
    assert_eq!(
        at("2026-03-20", due_date()),
        ("680.00".into(), 39, Bucket::Days31To60, b(["0.00", "0.00", "680.00", "0.00", "0.00", "680.00"]))
    );

    let r = aging.report(date("2026-03-20"), invoice_date(90));
    let i = &r.invoices[0];
    assert_eq!(
        (i.invoice.as_str(), i.customer.as_str(), i.contract.as_str(), i.total.as_str(), i.applied.as_str()),
        ("INV-1", "ACME", "C-1", "1080.00", "400.00")
    );
    assert_eq!(r.customers.len(), 1);
    assert_eq!(r.customers[0].buckets.days_61_90, "680.00");

    // Nothing is open before the invoice date.
    assert!(aging.report(date("2026-01-09"), invoice_date(90)).invoices.is_empty());
}

#[test]
fn days_to_pay_dso_and_collection_rate_on_a_small_book() {
    let mut book = acme_book();
    book.customer("GLOBEX", "EUR").contract(
        "C-2",
        ("GLOBEX", "EUR"),
        ("2026-01-01", "2026-01-01", "2026-12-31"),
        "monthly",
        json!([subscription("SUB", "6000.00")]),
        json!({}),
    );
    let acme = ("ACME", "C-1", "USD");
    // INV-1: 400.00 in January, the other 680.00 on March 5: paid in 54 days.
    book.invoice("INV-1", acme, ("2026-01-10", "2026-02-09"), "1000.00", "80.00");
    book.pay("PAY-1", ACME, "INV-1", "400.00", "2026-01-25");
    book.pay("PAY-2", ACME, "INV-1", "680.00", "2026-03-05");
    // INV-4: written off in March, never paid.
    book.invoice("INV-4", acme, ("2026-02-10", "2026-03-12"), "300.00", "0.00");
    book.exec(json!({"type": "invoice_written_off", "invoice": "INV-4", "amount": "300.00", "currency": "USD",
                     "written_off_on": "2026-03-25", "reason": "insolvent"}));
    // INV-2: paid in full in 20 days.
    book.invoice("INV-2", acme, ("2026-03-01", "2026-03-31"), "2000.00", "0.00");
    book.pay("PAY-3", ACME, "INV-2", "2000.00", "2026-03-21");
    // INV-3: credited 100.00, the rest paid after 14 days.
    book.invoice("INV-3", acme, ("2026-03-15", "2026-04-14"), "500.00", "0.00");
    book.exec(json!({"type": "credit_memo_issued", "memo": "CM-1", "invoice": "INV-3", "amount": "100.00",
                     "currency": "USD", "issued_on": "2026-03-20", "reason": "discount",
                     "approved_by": "Dana", "approver_role": "vp_revenue_operations"}));
    book.pay("PAY-4", ACME, "INV-3", "400.00", "2026-03-29");
    // INV-5: open at the end of March.
    book.invoice("INV-5", acme, ("2026-03-25", "2026-04-24"), "1200.00", "0.00");
    // A EUR invoice, open since February.
    book.invoice("G-1", ("GLOBEX", "C-2", "EUR"), ("2026-02-01", "2026-03-03"), "500.00", "0.00");

    let aging: ArAging = book.fold();
    let r = aging.report(date("2026-03-31"), invoice_date(31));
    assert_eq!(r.period_start, date("2026-03-01"));
    // (54 + 20 + 14) / 3
    assert_eq!((r.invoices_paid, r.average_days_to_pay.as_deref()), (3, Some("29.33")));

    let [eur, usd] = &r.currencies[..] else { panic!("{:?}", r.currencies) };
    assert_eq!(usd.buckets.total, "1200.00");
    assert_eq!(usd.buckets.days_0_30, "1200.00");
    // INV-1's 680.00 and INV-4's 300.00 were open on March 1.
    assert_eq!(usd.opening_ar, "980.00");
    assert_eq!(usd.invoiced, "3700.00");
    assert_eq!(usd.collected, "3080.00");
    assert_eq!(usd.invoices_paid, 3);
    assert_eq!(usd.average_days_to_pay.as_deref(), Some("29.33"));
    // 1200.00 / 3700.00 × 31 days
    assert_eq!(usd.dso_days.as_deref(), Some("10.05"));
    // 3080.00 / (980.00 + 3700.00)
    assert_eq!(usd.collection_rate_pct.as_deref(), Some("65.81"));

    assert_eq!(eur.buckets.days_31_60, "500.00");
    assert_eq!(eur.opening_ar, "500.00");
    assert_eq!(eur.invoiced, "0.00");
    assert_eq!(eur.dso_days, None);
    assert_eq!(eur.collection_rate_pct.as_deref(), Some("0.00"));
    assert_eq!(eur.average_days_to_pay, None);

    let open: Vec<(&str, &str)> = r.invoices.iter().map(|i| (i.invoice.as_str(), i.open.as_str())).collect();
    assert_eq!(open, [("INV-5", "1200.00"), ("G-1", "500.00")]);

    // A period that ends before the March payments sees INV-1 still unpaid.
    let feb = aging.report(date("2026-02-28"), invoice_date(28));
    assert_eq!((feb.invoices_paid, feb.average_days_to_pay), (0, None));
    assert_eq!(feb.currencies[1].buckets.total, "980.00");
    assert_eq!(feb.currencies[1].invoiced, "300.00");
}

#[test]
fn the_report_serializes_with_stable_field_names() {
    let mut book = acme_book();
    book.invoice("INV-1", ("ACME", "C-1", "USD"), ("2026-01-10", "2026-02-09"), "1000.00", "80.00");
    let aging: ArAging = book.fold();
    let json = serde_json::to_value(aging.report(date("2026-01-31"), due_date())).unwrap();
    assert_eq!(json["basis"], "due_date");
    assert_eq!(json["invoices"][0]["bucket"], "not_due");
    assert_eq!(json["invoices"][0]["issued_on"], "2026-01-10");
    assert_eq!(json["currencies"][0]["currency"], "USD");
    assert_eq!(json["currencies"][0]["buckets"]["not_due"], "1080.00");
    assert_eq!(json["customers"][0]["buckets"]["total"], "1080.00");
    let text = serde_json::to_string(&aging.report(date("2026-01-31"), due_date())).unwrap();
    let again = serde_json::to_string(&book.fold::<ArAging>().report(date("2026-01-31"), due_date())).unwrap();
    assert_eq!(text, again);
}

//! `FxRates` and the reports in a reporting currency: rates in force by
//! date, inverse and missing rates, and every report's figures converted
//! with the originals kept and the parts summing to the converted whole, to
//! the cent.

mod book;

use book::{date, subscription, Book};
use proptest::prelude::*;
use revops_projections::aging::{AgingOptions, ArAging, Buckets};
use revops_projections::expansion::{ExpansionClass, ExpansionTotals};
use revops_projections::fx::views::{CollectionsAmounts, KpiAmounts};
use revops_projections::fx::{FxRate, FxRates};
use revops_projections::ledger::{Account, GeneralLedger};
use revops_projections::mrr::Mrr;
use revops_projections::partners::{PartnerDesk, PartnerTotals};
use revops_projections::renewals::RenewalTotals;
use revops_projections::revops_core::{Currency, Decimal, Money};
use revops_projections::schedules::ScheduleTotals;
use revops_projections::{Error, RevenueOperations};
use serde_json::json;

const USD: Currency = Currency::USD;
const EUR: Currency = Currency::EUR;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn money(s: &str, currency: Currency) -> Money {
    Money::parse(s, currency).unwrap()
}

fn rate(book: &mut Book, from: &str, to: &str, rate: &str, on: &str) {
    book.exec(json!({"type": "fx_rate_set", "from": from, "to": to, "rate": rate, "on": on}));
}

/// (rate as set, its `on` date, inverse) of a looked-up rate.
fn quoted(r: &FxRate) -> (String, Option<String>, bool) {
    (r.rate.to_string(), r.on.map(|d| d.to_string()), r.inverse)
}

fn bucket_row(b: &Buckets) -> [&str; 6] {
    [&b.not_due, &b.days_0_30, &b.days_31_60, &b.days_61_90, &b.days_91_plus, &b.total].map(String::as_str)
}

#[test]
fn the_rate_in_force_is_the_latest_on_or_before_the_date_direct_first_then_inverse() {
    let mut book = Book::default();
    rate(&mut book, "EUR", "USD", "1.0850", "2026-01-01");
    rate(&mut book, "EUR", "USD", "1.1000", "2026-03-01");
    // Set again for the same day: the later fact corrects the earlier.
    rate(&mut book, "EUR", "USD", "1.1050", "2026-03-01");
    rate(&mut book, "USD", "JPY", "150", "2026-01-01");
    rate(&mut book, "GBP", "USD", "1.25", "2026-02-01");
    // A newer USD → EUR rate does not displace the direct EUR → USD one.
    rate(&mut book, "USD", "EUR", "0.95", "2026-04-01");
    let fx: FxRates = book.fold();
    let on = |from, to, day: &str| fx.rate(from, to, date(day));

    assert_eq!(quoted(&on(EUR, USD, "2026-01-01").unwrap()), ("1.0850".into(), Some("2026-01-01".into()), false));
    assert_eq!(quoted(&on(EUR, USD, "2026-02-28").unwrap()), ("1.0850".into(), Some("2026-01-01".into()), false));
    assert_eq!(quoted(&on(EUR, USD, "2026-03-01").unwrap()), ("1.1050".into(), Some("2026-03-01".into()), false));
    assert_eq!(quoted(&on(EUR, USD, "2026-04-15").unwrap()), ("1.1050".into(), Some("2026-03-01".into()), false));
    // USD → EUR: the inverse of EUR → USD until its own rate is in force.
    assert_eq!(quoted(&on(USD, EUR, "2026-02-28").unwrap()), ("1.0850".into(), Some("2026-01-01".into()), true));
    assert_eq!(quoted(&on(USD, EUR, "2026-04-01").unwrap()), ("0.95".into(), Some("2026-04-01".into()), false));
    assert_eq!(quoted(&on(JPY, USD, "2026-06-30").unwrap()), ("150".into(), Some("2026-01-01".into()), true));
    assert_eq!(quoted(&on(USD, USD, "2020-01-01").unwrap()), ("1".into(), None, false));

    // Converted: 1,085.00 USD at 1.0850 is 1,000.00 EUR; 100.00 USD is
    // 92.1658… EUR; 1,000 JPY is 6.666… USD.
    let eur = fx.reporting(EUR, date("2026-02-28"));
    assert_eq!(eur.convert(money("1085.00", USD)).unwrap(), money("1000.00", EUR));
    assert_eq!(eur.convert(money("100.00", USD)).unwrap(), money("92.17", EUR));
    let usd = fx.reporting(USD, date("2026-06-30"));
    assert_eq!(usd.convert(money("1000", JPY)).unwrap(), money("6.67", USD));
    assert_eq!(usd.convert(money("100.00", EUR)).unwrap(), money("110.50", USD));
    assert_eq!(usd.convert(money("0.005", USD)).unwrap(), money("0.01", USD));

    // Before its first rate, or with no rate either way: an error naming the
    // pair and the date, never 1.0.
    for (from, to, day) in [(EUR, USD, "2025-12-31"), (GBP, USD, "2026-01-31"), (GBP, EUR, "2026-06-30")] {
        match on(from, to, day) {
            Err(Error::MissingFxRate { from: f, to: t, on }) => assert_eq!((f, t, on), (from, to, date(day))),
            other => panic!("{from} → {to} on {day}: {other:?}"),
        }
    }
    let missing = fx.reporting(EUR, date("2026-06-30")).convert(money("10.00", GBP)).unwrap_err();
    assert_eq!(missing.to_string(), "no fx rate from GBP to EUR (nor from EUR to GBP) in force on 2026-06-30");
}

const JPY: Currency = Currency::JPY;
const GBP: Currency = Currency::GBP;

#[test]
fn a_whole_is_rounded_once_and_its_parts_sum_to_it() {
    let mut book = Book::default();
    rate(&mut book, "EUR", "USD", "1.5", "2026-01-01");
    rate(&mut book, "GBP", "USD", "1.25", "2026-01-01");
    let fx: FxRates = book.fold();
    let usd = fx.reporting(USD, date("2026-01-31"));
    let amounts = |parts: &[Money]| -> Vec<String> { parts.iter().map(|m| m.amount.to_string()).collect() };

    // 0.015 three times is 0.045: 0.05, not three cents rounded up to 0.06;
    // the leftover cents go to the later parts.
    let whole = usd.convert_whole(&[money("0.01", EUR); 3]).unwrap();
    assert_eq!(whole.total, money("0.05", USD));
    assert_eq!(amounts(&whole.parts), ["0.01", "0.02", "0.02"]);

    // Signs mixed, and parts already whole in cents keep their value:
    // 100.00 EUR + 10.00 USD − 33.33 EUR + 0.03 GBP
    // = 150.00 + 10.00 − 49.995 + 0.0375 = 110.0425 → 110.04.
    let parts = [money("100.00", EUR), money("10.00", USD), money("-33.33", EUR), money("0.03", GBP)];
    let whole = usd.convert_whole(&parts).unwrap();
    assert_eq!(whole.total, money("110.04", USD));
    // The fractional parts share 110.04 − 160.00 = −49.96: the positive one
    // its own 0.0375 rounded (0.04), the negative one the rest (−50.00).
    assert_eq!(amounts(&whole.parts), ["150.00", "10.00", "-50.00", "0.04"]);
    let sum: Decimal = whole.parts.iter().map(|m| m.amount).sum();
    assert_eq!(sum, whole.total.amount);
}

/// Signs a subscription of `price` over 2026, billed annually.
fn sign_2026(book: &mut Book, contract: &str, customer: (&str, &str), price: &str, extra: serde_json::Value) {
    let year = ("2026-01-01", "2026-01-01", "2026-12-31");
    book.contract(contract, customer, year, "annually", json!([subscription("SUB", price)]), extra);
}

/// ACME (USD, rep-jane) and GLOBEX (EUR, rep-max) on year-long
/// subscriptions of 12,000.00 USD and 6,001.20 EUR; EUR → USD 1.0850 from
/// January, 1.1000 from April.
fn two_currency_book() -> Book {
    let mut book = Book::default();
    rate(&mut book, "EUR", "USD", "1.0850", "2026-01-01");
    rate(&mut book, "EUR", "USD", "1.1000", "2026-04-01");
    for (plan, rep, currency) in [("FY26", "rep-jane", "USD"), ("FY26-EU", "rep-max", "EUR")] {
        book.exec(json!({"type": "commission_plan_defined", "plan": plan, "rep": rep, "quota": "100000.00",
            "currency": currency, "basis": "booking", "tiers": [{"from_attainment": "0", "rate": "0.10"}],
            "clawback_months": 3, "payout_day": 15, "effective_on": "2026-01-01"}));
    }
    book.customer("ACME", "USD").customer("GLOBEX", "EUR");
    let plan = |rep, plan| json!({"assigned_ae": rep, "commission_plan": plan});
    sign_2026(&mut book, "C-1", ("ACME", "USD"), "12000.00", plan("rep-jane", "FY26"));
    sign_2026(&mut book, "C-2", ("GLOBEX", "EUR"), "6001.20", plan("rep-max", "FY26-EU"));
    book
}

/// The book with both years billed on January 1, ACME paid.
fn billed_book() -> Book {
    let mut book = two_currency_book();
    book.invoice("INV-1", ("ACME", "C-1", "USD"), ("2026-01-01", "2026-01-31"), "12000.00", "0.00");
    book.pay("PAY-1", ("ACME", "USD"), "INV-1", "12000.00", "2026-01-20");
    book.invoice("G-1", ("GLOBEX", "C-2", "EUR"), ("2026-01-01", "2026-01-31"), "6001.20", "0.00");
    book
}

#[test]
fn aging_buckets_convert_at_the_rate_of_the_as_of_date_and_sum_to_the_converted_total() {
    let mut book = two_currency_book();
    let (acme, globex) = (("ACME", "C-1", "USD"), ("GLOBEX", "C-2", "EUR"));
    book.invoice("INV-1", acme, ("2026-01-05", "2026-02-04"), "500.00", "0.00");
    book.invoice("INV-2", acme, ("2026-03-25", "2026-04-24"), "1200.00", "0.00");
    book.invoice("G-1", globex, ("2026-02-10", "2026-03-12"), "100.30", "0.00");
    book.invoice("G-2", globex, ("2026-03-01", "2026-03-31"), "100.10", "0.00");
    let (aging, fx): (ArAging, FxRates) = (book.fold(), book.fold());

    let report = aging.report(date("2026-03-31"), AgingOptions::default());
    let view = fx.reporting(USD, date("2026-03-31")).aging(&report).unwrap();
    assert_eq!(view.reporting.rates.len(), 2);
    assert_eq!(quoted(&view.reporting.rates[0]), ("1.0850".into(), Some("2026-01-01".into()), false));
    let [eur, usd] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    assert_eq!(bucket_row(&eur.original), ["0.00", "100.10", "100.30", "0.00", "0.00", "200.40"]);
    // 108.6085 and 108.8255 are 217.434 together: 217.43, split 108.61 and
    // 108.82 (rounded one by one they would make 217.44).
    assert_eq!(bucket_row(&eur.converted), ["0.00", "108.61", "108.82", "0.00", "0.00", "217.43"]);
    assert_eq!(bucket_row(&usd.original), ["0.00", "1200.00", "0.00", "500.00", "0.00", "1700.00"]);
    assert_eq!(bucket_row(&usd.converted), bucket_row(&usd.original));
    assert_eq!(bucket_row(&view.total), ["0.00", "1308.61", "108.82", "500.00", "0.00", "1917.43"]);

    // Two weeks later: April's rate, and the invoices a bucket older.
    let report = aging.report(date("2026-04-15"), AgingOptions::default());
    let view = fx.reporting(USD, date("2026-04-15")).aging(&report).unwrap();
    assert_eq!(bucket_row(&view.currencies[0].converted), ["0.00", "0.00", "110.11", "110.33", "0.00", "220.44"]);
    assert_eq!(bucket_row(&view.total), ["0.00", "1200.00", "110.11", "110.33", "500.00", "1920.44"]);

    // The report and the conversion must be of one date.
    let stale = fx.reporting(USD, date("2026-04-30")).aging(&report).unwrap_err();
    assert_eq!(stale.to_string(), "the aging report is as of 2026-04-15, not 2026-04-30");
    // JSON: stable names, amounts as strings.
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["reporting"]["currency"], "USD");
    assert_eq!(json["reporting"]["rates"][0]["rate"], "1.1000");
    assert_eq!(json["currencies"][0]["original"]["days_31_60"], "100.10");
    assert_eq!(json["total"]["total"], "1920.44");
}

#[test]
fn trial_balance_converts_per_currency_and_consolidates_in_balance() {
    let book = billed_book();
    let (gl, fx): (GeneralLedger, FxRates) = (book.fold(), book.fold());
    let tb = gl.trial_balance(date("2026-03-31"));
    let view = fx.reporting(USD, date("2026-03-31")).ledger(&tb).unwrap();
    let rows =
        |accounts: &[revops_projections::fx::views::ConvertedBalance]| -> Vec<(Account, Option<String>, String)> {
            accounts.iter().map(|a| (a.account, a.original.clone(), a.converted.clone())).collect()
        };
    // EUR: the positive balances share 7,162.4322 → 7,162.43 exactly
    // (6,511.30 and 651.13); the negative ones the same, where deferred
    // revenue's and revenue's shares both end half a cent past a whole one
    // and the tie goes to the later account.
    let [eur, usd] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows(&eur.accounts),
        [
            (Account::AccountsReceivable, s("6001.20"), "6511.30".into()),
            (Account::DeferredRevenue, s("-4500.90"), "-4883.47".into()),
            (Account::CommissionsPayable, s("-600.12"), "-651.13".into()),
            (Account::RevenueRatable, s("-1500.30"), "-1627.83".into()),
            (Account::CommissionExpense, s("600.12"), "651.13".into()),
        ]
    );
    assert_eq!((eur.debits.as_str(), eur.credits.as_str()), ("7162.43", "7162.43"));
    assert_eq!((usd.debits.as_str(), usd.credits.as_str()), ("13200.00", "13200.00"));
    let consolidated = rows(&view.consolidated);
    assert_eq!(
        consolidated,
        [
            (Account::Cash, None, "12000.00".into()),
            (Account::AccountsReceivable, None, "6511.30".into()),
            // Posted to in USD (received, then applied), so listed.
            (Account::UnappliedCash, None, "0.00".into()),
            (Account::DeferredRevenue, None, "-13883.47".into()),
            (Account::CommissionsPayable, None, "-1851.13".into()),
            (Account::RevenueRatable, None, "-4627.83".into()),
            (Account::CommissionExpense, None, "1851.13".into()),
        ]
    );
    assert_eq!((view.debits.as_str(), view.credits.as_str()), ("20362.43", "20362.43"));
}

fn schedule_row(t: &ScheduleTotals) -> [&str; 7] {
    [&t.total, &t.recognized, &t.remaining, &t.billed, &t.credited, &t.deferred, &t.unbilled].map(String::as_str)
}

#[test]
fn schedules_mrr_and_commissions_convert_with_the_originals_kept() {
    let book = billed_book();
    let (gl, mrr, fx): (GeneralLedger, Mrr, FxRates) = (book.fold(), book.fold(), book.fold());
    let as_of = date("2026-03-31");
    let usd = fx.reporting(USD, as_of);

    let view = usd.schedules(&gl.schedules().report(as_of)).unwrap();
    let [eur, dollars] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    assert_eq!(schedule_row(&eur.original), ["6001.20", "1500.30", "4500.90", "6001.20", "0.00", "4500.90", "0.00"]);
    // total 6,511.302 → 6,511.30 over recognized 1,627.8255 and remaining
    // 4,883.4765: both are 0.50 cent past a whole cent of their share, and
    // the tie goes to the later part (rounded one by one they would make
    // 6,511.31). Deferred 4,883.4765 → 4,883.48 on its own; billed is
    // recognized + deferred − unbilled.
    assert_eq!(schedule_row(&eur.converted), ["6511.30", "1627.82", "4883.48", "6511.30", "0.00", "4883.48", "0.00"]);
    assert_eq!(eur.converted.currency, USD);
    assert_eq!(schedule_row(&dollars.converted), schedule_row(&dollars.original));
    assert_eq!(schedule_row(&view.total), ["18511.30", "4627.82", "13883.48", "18511.30", "0.00", "13883.48", "0.00"]);

    // GLOBEX's 500.10 EUR a month is 542.60850 USD: 542.61.
    let view = usd.mrr(&mrr.report(as_of)).unwrap();
    let customers: Vec<(&str, &str, &str, &str)> = view
        .customers
        .iter()
        .map(|c| (c.customer.as_str(), c.mrr.as_str(), c.converted_mrr.as_str(), c.converted_arr.as_str()))
        .collect();
    assert_eq!(customers, [("ACME", "1000.00", "1000.00", "12000.00"), ("GLOBEX", "500.10", "542.61", "6511.32")]);
    let sections: Vec<(&str, &str, &str)> = view
        .currencies
        .iter()
        .map(|s| (s.original.currency.code(), s.original.mrr.as_str(), s.converted.mrr.as_str()))
        .collect();
    assert_eq!(sections, [("EUR", "500.10", "542.61"), ("USD", "1000.00", "1000.00")]);
    assert_eq!((view.total.mrr.as_str(), view.total.arr.as_str(), view.total.customers), ("1542.61", "18511.32", 2));

    // rep-max: 10 % of 6,001.20 EUR booked is 600.12 EUR, 651.1302 USD.
    let view = usd.commissions(&gl.commissions().report(as_of).unwrap()).unwrap();
    let reps: Vec<(&str, &str, &str, &str, &str)> = view
        .reps
        .iter()
        .map(|r| {
            let (o, c) = (&r.original, &r.converted);
            (r.rep.as_str(), o.earned.as_str(), c.credited.as_str(), c.earned.as_str(), c.payable.as_str())
        })
        .collect();
    assert_eq!(
        reps,
        [
            ("rep-jane", "1200.00", "12000.00", "1200.00", "1200.00"),
            ("rep-max", "600.12", "6511.30", "651.13", "651.13")
        ]
    );
    let t = &view.total;
    assert_eq!(
        [&t.credited, &t.earned, &t.paid, &t.payable].map(String::as_str),
        ["18511.30", "1851.13", "0.00", "1851.13"]
    );
}

#[test]
fn a_report_with_a_currency_without_a_rate_is_an_error() {
    let mut book = Book::default();
    book.customer("GLOBEX", "EUR");
    sign_2026(&mut book, "C-2", ("GLOBEX", "EUR"), "1200.00", json!({}));
    let (mrr, fx): (Mrr, FxRates) = (book.fold(), book.fold());
    let err = fx.reporting(USD, date("2026-01-31")).mrr(&mrr.report(date("2026-01-31"))).unwrap_err();
    assert!(matches!(err, Error::MissingFxRate { from: EUR, to: USD, .. }), "{err:?}");
    // In its own currency it needs no rate.
    let view = fx.reporting(EUR, date("2026-01-31")).mrr(&mrr.report(date("2026-01-31"))).unwrap();
    assert_eq!(view.total.mrr, "100.00");
    assert_eq!(view.total.arr, "1200.00");
}

/// Opens `dispute` on `invoice` for `amount` in `currency`.
fn dispute(book: &mut Book, dispute: &str, invoice: &str, amount: &str, currency: &str, on: &str) {
    book.exec(json!({"type": "dispute_opened", "dispute": dispute, "invoice": invoice, "reason_code": "pricing_error",
        "amount": amount, "currency": currency, "opened_on": on}));
}

/// The two-currency book with EUR → USD at 1.0873 from October, when the
/// pipeline, expansion and partner views below are drawn up.
fn autumn_book() -> Book {
    let mut book = two_currency_book();
    rate(&mut book, "EUR", "USD", "1.0873", "2026-10-01");
    book
}

#[test]
fn collections_open_amounts_convert_as_one_whole_and_holds_take_their_invoices_share() {
    let mut book = two_currency_book();
    let (acme, globex) = (("ACME", "C-1", "USD"), ("GLOBEX", "C-2", "EUR"));
    // As of March 31: INV-1 and G-1 60 and 70 days past due (holds to
    // place), G-2 due that day.
    book.invoice("INV-1", acme, ("2026-01-01", "2026-01-30"), "500.00", "0.00");
    book.invoice("G-1", globex, ("2026-01-01", "2026-01-20"), "100.30", "0.00");
    book.invoice("G-2", globex, ("2026-03-01", "2026-03-31"), "100.10", "0.00");
    let desk: RevenueOperations = book.fold();
    let as_of = date("2026-03-31");
    let view = desk.fx().reporting(USD, as_of).collections(&desk.collections_report(as_of)).unwrap();

    // 108.8255 + 108.6085 = 217.434 → 217.43: G-1 108.82, G-2 108.61 (the
    // larger remainder takes the leftover cent); 500.00 USD stays whole.
    let open: Vec<(&str, &str, &str)> =
        view.invoices.iter().map(|i| (i.invoice.as_str(), i.open.as_str(), i.converted_open.as_str())).collect();
    assert_eq!(open, [("INV-1", "500.00", "500.00"), ("G-1", "100.30", "108.82"), ("G-2", "100.10", "108.61")]);
    let holds: Vec<(&str, &str, &str)> =
        view.holds_to_place.iter().map(|h| (h.customer.as_str(), h.open.as_str(), h.converted_open.as_str())).collect();
    assert_eq!(holds, [("ACME", "500.00", "500.00"), ("GLOBEX", "100.30", "108.82")]);
    let amounts =
        |a: &CollectionsAmounts| (a.invoices, a.open.clone(), a.holds_to_place, a.holds_to_place_open.clone());
    let [eur, usd] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    assert_eq!(eur.currency, EUR);
    assert_eq!(amounts(&eur.original), (2, "200.40".into(), 1, "100.30".into()));
    assert_eq!(amounts(&eur.converted), (2, "217.43".into(), 1, "108.82".into()));
    assert_eq!(amounts(&usd.converted), amounts(&usd.original));
    assert_eq!(amounts(&view.total), (3, "717.43".into(), 2, "608.82".into()));
    assert_eq!(quoted(&view.reporting.rates[0]), ("1.0850".into(), Some("2026-01-01".into()), false));
}

#[test]
fn open_dispute_amounts_sum_to_the_converted_total() {
    let mut book = billed_book();
    dispute(&mut book, "D-1", "G-1", "10.05", "EUR", "2026-03-02");
    dispute(&mut book, "D-2", "G-1", "10.05", "EUR", "2026-03-03");
    book.invoice("INV-2", ("ACME", "C-1", "USD"), ("2026-03-01", "2026-03-31"), "200.00", "0.00");
    dispute(&mut book, "D-3", "INV-2", "200.00", "USD", "2026-03-04");
    let desk: RevenueOperations = book.fold();
    let as_of = date("2026-03-31");
    let view = desk.fx().reporting(USD, as_of).disputes(&desk.disputes_report(as_of)).unwrap();

    // 10.904 25 twice is 21.8085 → 21.81: rounded one by one they would
    // make 21.80; the tie's leftover cent goes to the later dispute.
    let open: Vec<(&str, &str, &str)> =
        view.open.iter().map(|d| (d.dispute.as_str(), d.amount.as_str(), d.converted_amount.as_str())).collect();
    assert_eq!(open, [("D-1", "10.05", "10.90"), ("D-2", "10.05", "10.91"), ("D-3", "200.00", "200.00")]);
    let sections: Vec<(Currency, u64, &str, &str)> =
        view.currencies.iter().map(|c| (c.currency, c.disputes, c.open.as_str(), c.converted_open.as_str())).collect();
    assert_eq!(sections, [(EUR, 2, "20.10", "21.81"), (USD, 1, "200.00", "200.00")]);
    assert_eq!(view.total_open, "221.81");
}

fn renewal_row(t: &RenewalTotals) -> (u64, [&str; 6], u64) {
    let amounts = [&t.arr, &t.green_arr, &t.yellow_arr, &t.red_arr, &t.arr_at_risk, &t.forecast_arr];
    (t.contracts, amounts.map(String::as_str), t.at_risk_contracts)
}

#[test]
fn renewal_arr_and_forecast_convert_by_contract_and_status_sums_still_add_up() {
    let mut book = autumn_book();
    // ACME is in touch (green); GLOBEX is not (yellow, at risk: 31 days left).
    book.exec(
        json!({"type": "renewal_contact_logged", "contract": "C-1", "contacted_on": "2026-11-20", "by": "rep-jane"}),
    );
    let desk: RevenueOperations = book.fold();
    let as_of = date("2026-11-30");
    let view = desk.fx().reporting(USD, as_of).renewals(&desk.renewals_report(as_of)).unwrap();

    // GLOBEX: ARR 6,001.20 EUR × 1.0873 = 6,525.10476 → 6,525.10; its
    // forecast 3,000.60 EUR (weight 0.5) → 3,262.55238 → 3,262.55.
    let rows: Vec<(&str, &str, &str, &str, &str)> = view
        .renewals
        .iter()
        .map(|r| {
            let figures = [&r.arr, &r.converted_arr, &r.forecast_arr, &r.converted_forecast_arr].map(String::as_str);
            (r.contract.as_str(), figures[0], figures[1], figures[2], figures[3])
        })
        .collect();
    assert_eq!(
        rows,
        [("C-1", "12000.00", "12000.00", "12000.00", "12000.00"), ("C-2", "6001.20", "6525.10", "3000.60", "3262.55")]
    );
    let [eur, usd] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    assert_eq!(renewal_row(&eur.original), (1, ["6001.20", "0.00", "6001.20", "0.00", "6001.20", "3000.60"], 1));
    assert_eq!(renewal_row(&eur.converted), (1, ["6525.10", "0.00", "6525.10", "0.00", "6525.10", "3262.55"], 1));
    assert_eq!(renewal_row(&usd.converted), renewal_row(&usd.original));
    assert_eq!(renewal_row(&view.total), (2, ["18525.10", "12000.00", "6525.10", "0.00", "6525.10", "15262.55"], 1));
    assert_eq!(view.total.currency, USD);
}

/// Adds `line` (a subscription of `product` for July to December at
/// `price`) to `contract` from July 1.
fn add_half_year(book: &mut Book, contract: &str, line: &str, product: &str, price: &str) {
    let line = json!({"line": line, "product": product, "kind": "subscription", "price": price,
        "start_date": "2026-07-01", "recognition": {"method": "ratable"}});
    book.exec(json!({"type": "contract_modified", "contract": contract, "effective_on": "2026-07-01",
        "treatment": "prospective", "changes": [{"change": "add", "line": line}]}));
}

#[test]
fn expansion_effects_of_both_signs_convert_as_one_whole() {
    let mut book = autumn_book();
    // GLOBEX: more seats (ARR 1,201.20 EUR) and a module (600.60 EUR),
    // dropped in October; ACME: a module (2,400.00 USD).
    add_half_year(&mut book, "C-2", "SEATS", "Platform", "600.60");
    add_half_year(&mut book, "C-2", "BI", "Analytics", "300.30");
    book.exec(json!({"type": "contract_modified", "contract": "C-2", "effective_on": "2026-10-01",
        "treatment": "prospective", "changes": [{"change": "remove", "line": "BI"}]}));
    add_half_year(&mut book, "C-1", "BI", "Analytics", "1200.00");
    let desk: RevenueOperations = book.fold();
    let as_of = date("2026-11-30");
    let view = desk.fx().reporting(USD, as_of).expansion(&desk.expansion_report(as_of)).unwrap();

    // 1,306.06476 + 653.03238 − 653.03238 + 2,400.00 = 3,706.06476 →
    // 3,706.06. The positive fractions share 1,959.09714 → 1,959.10 (the
    // seats, with the larger remainder, take the leftover cent) and the
    // contraction the rest: −653.04.
    let changes: Vec<(&str, &str, ExpansionClass, &str, &str)> = view
        .changes
        .iter()
        .map(|c| {
            (c.contract.as_str(), c.line.as_str(), c.class, c.arr_effect.as_str(), c.converted_arr_effect.as_str())
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("C-1", "BI", ExpansionClass::ModuleUpsell, "2400.00", "2400.00"),
            ("C-2", "SEATS", ExpansionClass::SeatExpansion, "1201.20", "1306.07"),
            ("C-2", "BI", ExpansionClass::ModuleUpsell, "600.60", "653.03"),
            ("C-2", "BI", ExpansionClass::Contraction, "-600.60", "-653.04"),
        ]
    );
    let row = |t: &ExpansionTotals| {
        let amounts = [&t.seat_expansion, &t.module_upsell, &t.contraction, &t.expansion, &t.net];
        (t.changes, amounts.map(String::clone))
    };
    let [eur, usd] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    assert_eq!(row(&eur.original), (3, ["1201.20", "600.60", "-600.60", "1801.80", "1201.20"].map(String::from)));
    assert_eq!(row(&eur.converted), (3, ["1306.07", "653.03", "-653.04", "1959.10", "1306.06"].map(String::from)));
    assert_eq!(row(&usd.converted), row(&usd.original));
    assert_eq!(row(&view.total), (4, ["1306.07", "3053.03", "-653.04", "4359.10", "3706.06"].map(String::from)));
}

#[test]
fn partner_arr_spif_and_mdf_convert_with_the_balance_kept() {
    let mut book = autumn_book();
    let attribute = |book: &mut Book, contract: &str, partner: &str, kind: &str, share: &str| {
        book.exec(json!({"type": "partner_attributed", "contract": contract, "partner": partner, "kind": kind,
            "share": share, "attributed_on": "2026-02-01"}));
    };
    attribute(&mut book, "C-2", "P-1", "sourced", "1.00");
    attribute(&mut book, "C-2", "P-2", "influenced", "0.50");
    attribute(&mut book, "C-1", "P-2", "co_sell", "0.25");
    book.exec(json!({"type": "spif_earned", "partner": "P-1", "contract": "C-2", "amount": "100.05",
        "currency": "EUR", "earned_on": "2026-02-01", "program": "new logo"}));
    book.exec(json!({"type": "mdf_allocated", "partner": "P-1", "amount": "1000.00", "currency": "EUR",
        "allocated_on": "2026-02-01"}));
    book.exec(json!({"type": "mdf_spent", "partner": "P-1", "amount": "333.33", "currency": "EUR",
        "spent_on": "2026-05-01", "description": "webinar"}));
    let desk: RevenueOperations = book.fold();
    let as_of = date("2026-11-30");
    let view = desk.fx().reporting(USD, as_of).partners(&desk.partners_report(as_of)).unwrap();

    let desk_row = |d: &PartnerDesk| {
        let amounts = [
            &d.sourced_arr,
            &d.influenced_arr,
            &d.co_sell_arr,
            &d.spif_payable,
            &d.mdf_allocated,
            &d.mdf_spent,
            &d.mdf_balance,
        ];
        (d.partner.clone(), amounts.map(String::clone), d.mdf_utilization_pct.clone())
    };
    let strings = |a: [&str; 7]| a.map(String::from);
    let pct = Some("33.33".to_owned());
    // P-1: 6,001.20 EUR sourced → 6,525.10; SPIF 100.05 → 108.784365 →
    // 108.78; MDF 1,000.00 → 1,087.30, of which 333.33 spent → 362.429709:
    // the balance 724.870291 → 724.87 is rounded once, spent is the rest.
    let rows: Vec<_> = view.partners.iter().map(|p| (desk_row(&p.original), desk_row(&p.converted))).collect();
    assert_eq!(
        rows[0],
        (
            ("P-1".into(), strings(["6001.20", "0.00", "0.00", "100.05", "1000.00", "333.33", "666.67"]), pct.clone()),
            ("P-1".into(), strings(["6525.10", "0.00", "0.00", "108.78", "1087.30", "362.43", "724.87"]), pct.clone()),
        )
    );
    assert_eq!(rows[1].1, ("P-2".into(), strings(["0.00", "6525.10", "0.00", "0.00", "0.00", "0.00", "0.00"]), None));
    assert_eq!(rows[2].1, ("P-2".into(), strings(["0.00", "0.00", "3000.00", "0.00", "0.00", "0.00", "0.00"]), None));

    let totals_row = |t: &PartnerTotals| {
        let amounts = [&t.total_arr, &t.sourced_arr, &t.influenced_arr, &t.co_sell_arr, &t.spif_earned, &t.mdf_spent];
        (amounts.map(String::clone), t.mdf_utilization_pct.clone())
    };
    let [eur, _usd] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    assert_eq!(
        totals_row(&eur.converted),
        (["6525.10", "6525.10", "6525.10", "0.00", "108.78", "362.43"].map(String::from), pct.clone())
    );
    // 362.43 / 1,087.30 = 33.333…%.
    assert_eq!(
        totals_row(&view.total),
        (["18525.10", "6525.10", "6525.10", "3000.00", "108.78", "362.43"].map(String::from), pct)
    );
    assert_eq!(view.total.mdf_allocated, "1087.30");
}

#[test]
fn kpi_amounts_convert_and_rates_and_days_stay_as_reported() {
    let mut book = billed_book();
    book.exec(json!({"type": "credit_memo_issued", "memo": "CM-1", "invoice": "G-1", "amount": "100.05",
        "currency": "EUR", "issued_on": "2026-02-10", "reason": "goodwill", "approved_by": "Dana",
        "approver_role": "vp_revenue_operations"}));
    dispute(&mut book, "D-1", "G-1", "10.05", "EUR", "2026-03-02");
    let desk: RevenueOperations = book.fold();
    let as_of = date("2026-03-31");
    let report = desk.kpi_report(as_of, dec("0.80")).unwrap();
    let view = desk.fx().reporting(USD, as_of).kpis(&report).unwrap();

    let row = |a: &KpiAmounts| {
        let amounts = [&a.invoiced, &a.credited, &a.disputed, &a.mrr].map(String::clone);
        (amounts, a.customers, a.arpa.clone(), a.lifetime_value.clone())
    };
    let some = |s: &str| Some(s.to_owned());
    let [eur, usd] = &view.currencies[..] else { panic!("{:?}", view.currencies) };
    assert_eq!(
        row(&eur.original),
        (["6001.20", "100.05", "10.05", "500.10"].map(String::from), 1, some("500.10"), None)
    );
    // × 1.0850: 6,511.302, 108.554 25, 10.904 25, 542.6085.
    assert_eq!(
        row(&eur.converted),
        (["6511.30", "108.55", "10.90", "542.61"].map(String::from), 1, some("542.61"), None)
    );
    assert_eq!(row(&usd.converted), row(&usd.original));
    // ARPA of all: 1,542.61 / 2 = 771.305 → 771.31; no lifetime value.
    assert_eq!(
        row(&view.total),
        (["18511.30", "108.55", "10.90", "1542.61"].map(String::from), 2, some("771.31"), None)
    );
    // The percentages stay in the report, in each currency.
    assert_eq!(report.currencies[0].credit_memo_rate_pct.as_deref(), Some("1.67"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the rates and parts: the whole is the exact sum rounded
    /// once, the parts sum to it, a part already whole in cents keeps its
    /// value, and no part is two cents from its exact value.
    #[test]
    fn converted_parts_sum_to_the_whole_rounded_once(
        eur in 5_000i64..20_000,
        jpy in 10_000i64..20_000,
        parts in prop::collection::vec((0usize..3, -10_000_000i64..10_000_000), 1..8),
    ) {
        let mut book = Book::default();
        let (eur, jpy) = (Decimal::new(eur, 4), Decimal::new(jpy, 2));
        rate(&mut book, "EUR", "USD", &eur.to_string(), "2026-01-01");
        rate(&mut book, "USD", "JPY", &jpy.to_string(), "2026-01-01");
        let fx: FxRates = book.fold();
        let usd = fx.reporting(USD, date("2026-01-31"));
        let currencies = [USD, EUR, JPY];
        let parts: Vec<Money> = parts.iter().map(|&(c, m)| Money::from_minor(m, currencies[c])).collect();
        let exact: Vec<Decimal> = parts
            .iter()
            .map(|p| match p.currency {
                EUR => p.amount * eur,
                JPY => p.amount / jpy,
                _ => p.amount,
            })
            .collect();
        let whole = usd.convert_whole(&parts).unwrap();
        let sum: Decimal = exact.iter().sum();
        prop_assert_eq!(whole.total.amount, sum.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero));
        prop_assert_eq!(whole.parts.iter().map(|m| m.amount).sum::<Decimal>(), whole.total.amount);
        for (part, exact) in whole.parts.iter().zip(&exact) {
            if exact.round_dp(2) == *exact {
                prop_assert_eq!(part.amount, *exact);
            }
            prop_assert!((part.amount - exact).abs() < dec("0.02"), "{} for {}", part.amount, exact);
        }
    }
}

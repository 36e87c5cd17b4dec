//! `FxRates` and the reports in a reporting currency: rates in force by
//! date, inverse and missing rates, and every report's figures converted
//! with the originals kept and the parts summing to the converted whole, to
//! the cent.

mod book;

use book::{date, subscription, Book};
use proptest::prelude::*;
use revops_projections::aging::{AgingOptions, ArAging, Buckets};
use revops_projections::fx::{FxRate, FxRates};
use revops_projections::ledger::{Account, GeneralLedger};
use revops_projections::mrr::Mrr;
use revops_projections::revops_core::{Currency, Decimal, Money};
use revops_projections::schedules::ScheduleTotals;
use revops_projections::Error;
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
    assert_eq!(dec(&view.total.arr), dec("1200.00"));
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

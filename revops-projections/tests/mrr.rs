//! `Mrr` scenarios: normalization, exclusions, movements and the bridge,
//! to the cent; the bridge over the sample book for any as-of date.

mod book;

use book::{date, subscription, Book};
use chrono::{DateTime, Days, NaiveDate, Utc};
use proptest::prelude::*;
use revops_events::jsonl::{import, ImportOptions};
use revops_events::MemoryLog;
use revops_projections::mrr::{Movement, Mrr, MrrMonth, MrrReport};
use revops_projections::Projection;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Every month's bridge holds, and the last month ends on the totals.
fn assert_bridges(report: &MrrReport) {
    for m in &report.months {
        let [start, new, exp, react, contr, churn, end] =
            [&m.start_mrr, &m.new, &m.expansion, &m.reactivation, &m.contraction, &m.churn, &m.end_mrr].map(|s| dec(s));
        assert_eq!(end, start + new + exp + react - contr - churn, "{} {}", m.month, m.currency);
        assert_eq!(dec(&m.end_arr), end * Decimal::from(12));
        let moved: Decimal = m.customers.iter().map(|c| dec(&c.change)).sum();
        assert_eq!(moved, end - start, "{} {}", m.month, m.currency);
    }
    for t in &report.totals {
        let last = report.months.iter().rev().find(|m| m.currency == t.currency).unwrap();
        assert_eq!(last.end_mrr, t.mrr);
        let sum: Decimal = report.customers.iter().filter(|c| c.currency == t.currency).map(|c| dec(&c.mrr)).sum();
        assert_eq!(sum, dec(&t.mrr));
    }
}

fn month<'a>(report: &'a MrrReport, month: &str, currency: &str) -> &'a MrrMonth {
    report
        .months
        .iter()
        .find(|m| m.month.to_string() == month && m.currency.code() == currency)
        .unwrap_or_else(|| panic!("no {month} {currency}"))
}

/// (start, new, expansion, reactivation, contraction, churn, end) of a month.
fn bridge(m: &MrrMonth) -> [&str; 7] {
    [&m.start_mrr, &m.new, &m.expansion, &m.reactivation, &m.contraction, &m.churn, &m.end_mrr].map(|s| s.as_str())
}

fn mrr_of(report: &MrrReport, customer: &str) -> Option<(String, String)> {
    report.customers.iter().find(|c| c.customer == customer).map(|c| (c.mrr.clone(), c.arr.clone()))
}

fn sign(
    book: &mut Book,
    contract: &str,
    customer: (&str, &str),
    dates: (&str, &str, &str),
    billing: &str,
    lines: Value,
) {
    book.contract(contract, customer, dates, billing, lines, json!({}));
}

#[test]
fn annual_and_quarterly_prices_are_normalized_to_monthly() {
    let mut book = Book::default();
    book.customer("ACME", "USD").customer("GLOBEX", "EUR").customer("INITECH", "USD");
    // A year for 12,000.00 billed annually: 1,000.00 a month.
    let year = ("2026-01-01", "2026-01-01", "2026-12-31");
    sign(&mut book, "C-1", ("ACME", "USD"), year, "annually", json!([subscription("SUB", "12000.00")]));
    // Billed quarterly, a year from Jan 15 for 6,000.00: 500.00 a month; and
    // a quarter's line of 3,000.00 from February: 1,000.00 a month.
    let quarter = json!({"line": "Q", "kind": "subscription", "price": "3000.00",
        "start_date": "2026-02-01", "end_date": "2026-04-30", "recognition": {"method": "ratable"}});
    let lines = json!([subscription("SUB", "6000.00"), quarter]);
    sign(&mut book, "C-2", ("GLOBEX", "EUR"), ("2026-01-10", "2026-01-15", "2027-01-14"), "quarterly", lines);
    // 5 months and 16 of June's 30 days for 1,660.00: 1,660.00 × 30 / 166.
    let odd = ("2026-01-20", "2026-01-15", "2026-06-30");
    sign(&mut book, "C-3", ("INITECH", "USD"), odd, "monthly", json!([subscription("SUB", "1660.00")]));
    let mrr: Mrr = book.fold();

    let march = mrr.report(date("2026-03-31"));
    assert_eq!(mrr_of(&march, "ACME"), Some(("1000.00".into(), "12000.00".into())));
    assert_eq!(mrr_of(&march, "GLOBEX"), Some(("1500.00".into(), "18000.00".into())));
    assert_eq!(mrr_of(&march, "INITECH"), Some(("300.00".into(), "3600.00".into())));
    let totals: Vec<(&str, &str, &str, u64)> =
        march.totals.iter().map(|t| (t.currency.code(), t.mrr.as_str(), t.arr.as_str(), t.customers)).collect();
    assert_eq!(totals, [("EUR", "1500.00", "18000.00", 1), ("USD", "1300.00", "15600.00", 2)]);

    assert_eq!(bridge(month(&march, "2026-01", "EUR")), ["0.00", "500.00", "0.00", "0.00", "0.00", "0.00", "500.00"]);
    assert_eq!(
        bridge(month(&march, "2026-02", "EUR")),
        ["500.00", "0.00", "1000.00", "0.00", "0.00", "0.00", "1500.00"]
    );
    assert_eq!(bridge(month(&march, "2026-01", "USD")), ["0.00", "1300.00", "0.00", "0.00", "0.00", "0.00", "1300.00"]);
    assert_eq!(month(&march, "2026-02", "EUR").net_change_pct.as_deref(), Some("200.00"));
    assert_eq!(month(&march, "2026-01", "EUR").net_change_pct, None);
    assert_bridges(&march);

    // The quarter's line ends with April, INITECH's contract with June.
    let july = mrr.report(date("2026-07-01"));
    assert_eq!(
        bridge(month(&july, "2026-05", "EUR")),
        ["1500.00", "0.00", "0.00", "0.00", "1000.00", "0.00", "500.00"]
    );
    assert_eq!(
        bridge(month(&july, "2026-07", "USD")),
        ["1300.00", "0.00", "0.00", "0.00", "0.00", "300.00", "1000.00"]
    );
    assert_eq!(month(&july, "2026-07", "USD").customers[0].movement, Movement::Churn);
    assert_bridges(&july);

    // Signed on January 20 with service from the 15th: as of the 17th, the
    // contract is not a fact yet; GLOBEX's has started.
    let early = mrr.report(date("2026-01-17"));
    let names: Vec<&str> = early.customers.iter().map(|c| c.customer.as_str()).collect();
    assert_eq!(names, ["ACME", "GLOBEX"]);
    assert!(mrr.report(date("2025-12-31")).customers.is_empty());
}

#[test]
fn usage_time_milestone_and_perpetual_lines_are_not_recurring() {
    let mut book = Book::default();
    book.customer("ACME", "USD");
    let lines = json!([
        subscription("SUB", "24000.00"),
        {"line": "API", "kind": "usage", "unit_price": "0.01", "recognition": {"method": "usage"}},
        {"line": "TM", "kind": "time_and_materials", "unit_price": "150.00",
         "recognition": {"method": "time_and_materials"}},
        {"line": "IMP", "kind": "milestone", "price": "6000.00", "recognition": {"method": "milestone"},
         "milestones": [{"milestone": "go-live", "amount": "6000.00"}]},
        {"line": "LIC", "kind": "perpetual_license", "price": "30000.00", "recognition": {"method": "point_in_time"}}
    ]);
    sign(&mut book, "C-1", ("ACME", "USD"), ("2026-01-01", "2026-01-01", "2026-12-31"), "monthly", lines);
    // Added later, none of these recurs either.
    book.exec(json!({"type": "contract_modified", "contract": "C-1", "effective_on": "2026-03-01",
        "treatment": "separate_contract", "changes": [{"change": "add", "line":
        {"line": "LIC-2", "kind": "perpetual_license", "price": "5000.00", "recognition": {"method": "point_in_time"}}}]}));
    let mrr: Mrr = book.fold();
    let r = mrr.report(date("2026-06-30"));
    assert_eq!(mrr_of(&r, "ACME"), Some(("2000.00".into(), "24000.00".into())));
    assert!(r.months.iter().skip(1).all(|m| m.net_change == "0.00"));
    assert_bridges(&r);
}

#[test]
fn a_mid_term_upgrade_is_expansion_from_its_effective_date() {
    let mut book = Book::default();
    book.customer("ACME", "USD");
    let year = ("2026-01-01", "2026-01-01", "2026-12-31");
    sign(&mut book, "C-1", ("ACME", "USD"), year, "monthly", json!([subscription("SUB", "12000.00")]));
    // From April: the line is repriced to 18,000.00 for its year (1,500.00 a
    // month) and a 2,700.00 add-on runs April to December (300.00 a month).
    book.exec(json!({"type": "contract_modified", "contract": "C-1", "effective_on": "2026-04-01",
        "treatment": "prospective", "changes": [
            {"change": "amend", "line": "SUB", "price": "18000.00"},
            {"change": "add", "line": subscription("ADDON", "2700.00")}]}));
    // From October: the add-on is removed (a downgrade).
    book.exec(json!({"type": "contract_modified", "contract": "C-1", "effective_on": "2026-10-01",
        "treatment": "prospective", "changes": [{"change": "remove", "line": "ADDON"}]}));
    let mrr: Mrr = book.fold();
    let r = mrr.report(date("2026-12-31"));
    assert_eq!(bridge(month(&r, "2026-03", "USD")), ["1000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "1000.00"]);
    assert_eq!(bridge(month(&r, "2026-04", "USD")), ["1000.00", "0.00", "800.00", "0.00", "0.00", "0.00", "1800.00"]);
    let april = month(&r, "2026-04", "USD");
    assert_eq!(april.net_change, "800.00");
    assert_eq!(april.net_change_pct.as_deref(), Some("80.00"));
    assert_eq!((april.customers[0].movement, april.customers[0].change.as_str()), (Movement::Expansion, "800.00"));
    assert_eq!(bridge(month(&r, "2026-10", "USD")), ["1800.00", "0.00", "0.00", "0.00", "300.00", "0.00", "1500.00"]);
    assert_eq!(month(&r, "2026-10", "USD").net_change_pct.as_deref(), Some("-16.67"));
    assert_eq!(mrr_of(&r, "ACME"), Some(("1500.00".into(), "18000.00".into())));
    assert_bridges(&r);
    // As of mid-March the upgrade is not in force yet.
    assert_eq!(mrr_of(&mrr.report(date("2026-03-15")), "ACME"), Some(("1000.00".into(), "12000.00".into())));
}

#[test]
fn churn_then_reactivation_with_the_bridge_every_month() {
    let mut book = Book::default();
    book.customer("INITECH", "USD").customer("UMBRELLA", "USD");
    let q1 = ("2026-01-01", "2026-01-01", "2026-03-31");
    sign(&mut book, "C-1", ("INITECH", "USD"), q1, "monthly", json!([subscription("SUB", "3000.00")]));
    let year = ("2026-01-01", "2026-01-01", "2026-12-31");
    sign(&mut book, "C-2", ("UMBRELLA", "USD"), year, "monthly", json!([subscription("SUB", "24000.00")]));
    // UMBRELLA cancels: no service from May 15.
    book.exec(json!({"type": "contract_cancelled", "contract": "C-2", "effective_on": "2026-05-15",
                     "reason": "budget cut"}));
    // INITECH lapses at the end of March and comes back in June.
    let back = ("2026-05-20", "2026-06-01", "2026-11-30");
    sign(&mut book, "C-3", ("INITECH", "USD"), back, "monthly", json!([subscription("SUB", "4800.00")]));
    let mrr: Mrr = book.fold();
    let r = mrr.report(date("2026-12-31"));
    assert_bridges(&r);

    let rows: Vec<(String, [&str; 7])> = r.months.iter().map(|m| (m.month.to_string(), bridge(m))).collect();
    let expected = [
        ("2026-01", ["0.00", "3000.00", "0.00", "0.00", "0.00", "0.00", "3000.00"]),
        ("2026-02", ["3000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "3000.00"]),
        ("2026-03", ["3000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "3000.00"]),
        ("2026-04", ["3000.00", "0.00", "0.00", "0.00", "0.00", "1000.00", "2000.00"]),
        ("2026-05", ["2000.00", "0.00", "0.00", "0.00", "0.00", "2000.00", "0.00"]),
        ("2026-06", ["0.00", "0.00", "0.00", "800.00", "0.00", "0.00", "800.00"]),
        ("2026-07", ["800.00", "0.00", "0.00", "0.00", "0.00", "0.00", "800.00"]),
        ("2026-08", ["800.00", "0.00", "0.00", "0.00", "0.00", "0.00", "800.00"]),
        ("2026-09", ["800.00", "0.00", "0.00", "0.00", "0.00", "0.00", "800.00"]),
        ("2026-10", ["800.00", "0.00", "0.00", "0.00", "0.00", "0.00", "800.00"]),
        ("2026-11", ["800.00", "0.00", "0.00", "0.00", "0.00", "0.00", "800.00"]),
        ("2026-12", ["800.00", "0.00", "0.00", "0.00", "0.00", "800.00", "0.00"]),
    ];
    let expected: Vec<(String, [&str; 7])> = expected.iter().map(|(m, b)| (m.to_string(), *b)).collect();
    assert_eq!(rows, expected);
    let movements = |m: &str| -> Vec<(String, Movement)> {
        month(&r, m, "USD").customers.iter().map(|c| (c.customer.clone(), c.movement)).collect()
    };
    assert_eq!(movements("2026-01"), [("INITECH".into(), Movement::New), ("UMBRELLA".into(), Movement::New)]);
    assert_eq!(movements("2026-04"), [("INITECH".into(), Movement::Churn)]);
    assert_eq!(movements("2026-06"), [("INITECH".into(), Movement::Reactivation)]);
    assert_eq!(month(&r, "2026-05", "USD").net_change_pct.as_deref(), Some("-100.00"));
    assert!(r.customers.is_empty());

    // As of May 14 UMBRELLA is still a customer; the May row ends that day.
    let may = mrr.report(date("2026-05-14"));
    assert_eq!(bridge(may.months.last().unwrap()), ["2000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "2000.00"]);
    let json = serde_json::to_value(&may).unwrap();
    assert_eq!(json["months"][0]["customers"][0]["movement"], "new");
    assert_eq!(json["months"][0]["month"], "2026-01");
    assert_eq!(json["totals"][0]["arr"], "24000.00");
}

/// The sample book, imported through the JSON Lines reader.
fn sample_book() -> MemoryLog {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/book.jsonl");
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let at: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
    let mut log = MemoryLog::default();
    import(&mut log, file, ImportOptions::new(at)).unwrap();
    log
}

#[test]
fn the_sample_book() {
    let log = sample_book();
    let mut mrr = Mrr::default();
    for envelope in log.envelopes() {
        mrr.apply(envelope);
    }
    let r = mrr.report(date("2027-01-31"));
    assert_bridges(&r);
    // ACME 60,000.00 a year, INITECH 120,000.00 + 18,000.00; GLOBEX 48,000.00 + 7,200.00.
    assert_eq!(bridge(month(&r, "2026-01", "USD")), ["0.00", "5000.00", "0.00", "0.00", "0.00", "0.00", "5000.00"]);
    assert_eq!(bridge(month(&r, "2026-01", "EUR")), ["0.00", "4600.00", "0.00", "0.00", "0.00", "0.00", "4600.00"]);
    assert_eq!(
        bridge(month(&r, "2026-03", "USD")),
        ["5000.00", "11500.00", "0.00", "0.00", "0.00", "0.00", "16500.00"]
    );
    // ACME renews at 63,000.00 from January 15, 2027.
    assert_eq!(bridge(month(&r, "2027-01", "USD")), ["16500.00", "0.00", "250.00", "0.00", "0.00", "0.00", "16750.00"]);
    assert_eq!(mrr_of(&r, "ACME"), Some(("5250.00".into(), "63000.00".into())));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The bridge holds every month of the sample book whatever the as-of date,
    /// and an as-of report agrees with the months of a later one.
    #[test]
    fn the_bridge_holds_for_every_month_of_the_sample_book(days in 0u64..800, later in 0u64..200) {
        let log = sample_book();
        let mut mrr = Mrr::default();
        for envelope in log.envelopes() {
            mrr.apply(envelope);
        }
        let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::new(days);
        let report = mrr.report(as_of);
        assert_bridges(&report);
        let after = mrr.report(as_of + Days::new(later));
        let closed = report.months.iter().filter(|m| m.month.last_day() <= as_of);
        for m in closed {
            prop_assert!(after.months.contains(m), "{} {}", m.month, m.currency);
        }
    }
}

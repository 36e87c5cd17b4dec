//! `Expansion` scenarios: each class of change with its ARR effect from
//! its effective date, to the cent, agreeing with the MRR bridge.

mod book;

use book::{date, subscription, Book};
use chrono::NaiveDate;
use revops_projections::expansion::{Expansion, ExpansionClass, ExpansionReport};
use revops_projections::mrr::Mrr;
use serde_json::{json, Value};

use ExpansionClass::{ContractUplift, Contraction, ModuleUpsell, SeatExpansion, TermChange, UsageOverage};

fn modify(book: &mut Book, contract: &str, on: &str, changes: Value) {
    book.exec(json!({"type": "contract_modified", "contract": contract, "effective_on": on,
                     "treatment": "prospective", "changes": changes}));
}

fn add(line: Value) -> Value {
    json!({"change": "add", "line": line})
}

fn product_line(line: &str, product: &str, price: &str) -> Value {
    json!({"line": line, "product": product, "kind": "subscription", "price": price,
           "recognition": {"method": "ratable"}})
}

fn amend(line: &str, field: &str, value: &str) -> Value {
    json!({"change": "amend", "line": line, field: value})
}

/// ACME's 2026 contract C-1: the Platform at 12,000.00 (MRR 1,000.00) and
/// API usage, then one modification of every class.
fn expansion_book() -> Book {
    let mut book = Book::default();
    book.customer("ACME", "USD").customer("GLOBEX", "EUR");
    let api = json!({"line": "API", "product": "API Calls", "kind": "usage", "unit_price": "0.01",
                     "recognition": {"method": "usage"}});
    let year = ("2026-01-01", "2026-01-01", "2026-12-31");
    book.contract("C-1", ("ACME", "USD"), year, "monthly", json!([subscription("SUB", "12000.00"), api]), json!({}));
    // More Platform seats, March to December for 5,000.00: 500.00 a month.
    modify(&mut book, "C-1", "2026-03-01", json!([add(product_line("SEATS", "Platform", "5000.00"))]));
    // A new module, April to December for 4,500.00: 500.00 a month.
    modify(&mut book, "C-1", "2026-04-01", json!([add(product_line("BI", "Analytics", "4500.00"))]));
    // A second, dearer usage line: no recurring revenue.
    let overage = json!({"line": "API-2", "product": "API Calls", "kind": "usage", "unit_price": "0.02",
                         "recognition": {"method": "usage"}});
    modify(&mut book, "C-1", "2026-05-01", json!([add(overage)]));
    // The Platform repriced to 18,000.00 for its year: 1,500.00 a month.
    modify(&mut book, "C-1", "2026-06-01", json!([amend("SUB", "price", "18000.00")]));
    // The module dropped, and the extra seats cut to 4,000.00 (400.00 a month).
    modify(&mut book, "C-1", "2026-07-01", json!([{"change": "remove", "line": "BI"}]));
    modify(&mut book, "C-1", "2026-08-01", json!([amend("SEATS", "price", "4000.00")]));
    // The Platform runs to February 2027 at the same price: 18,000.00 over
    // 14 months is 1,285.71 a month.
    modify(&mut book, "C-1", "2026-09-01", json!([amend("SUB", "end_date", "2027-02-28")]));
    // Two raises of the seats the same day, to 4,500.00 then 6,000.00.
    let twice = json!([amend("SEATS", "price", "4500.00"), amend("SEATS", "price", "6000.00")]);
    modify(&mut book, "C-1", "2026-10-01", twice);

    // GLOBEX adds a module on March 15 whose service starts on April 1:
    // 9,000.00 over nine months.
    book.contract("G-1", ("GLOBEX", "EUR"), year, "monthly", json!([subscription("SUB", "24000.00")]), json!({}));
    let premium = json!({"line": "PREMIUM", "product": "Premium", "kind": "subscription", "price": "9000.00",
                         "start_date": "2026-04-01", "recognition": {"method": "ratable"}});
    modify(&mut book, "G-1", "2026-03-15", json!([add(premium)]));
    book
}

fn report(book: &Book, as_of: &str) -> (ExpansionReport, Mrr) {
    let expansion: Expansion = book.fold();
    let mrr: Mrr = book.fold();
    (expansion.report(date(as_of), &mrr), mrr)
}

#[test]
fn every_class_with_its_arr_effect() {
    let book = expansion_book();
    let (r, mrr) = report(&book, "2026-12-31");
    let rows: Vec<(NaiveDate, &str, &str, ExpansionClass, &str)> = r
        .changes
        .iter()
        .filter(|c| c.contract == "C-1")
        .map(|c| (c.effective_on, c.line.as_str(), c.product.as_str(), c.class, c.arr_effect.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (date("2026-03-01"), "SEATS", "Platform", SeatExpansion, "6000.00"),
            (date("2026-04-01"), "BI", "Analytics", ModuleUpsell, "6000.00"),
            (date("2026-05-01"), "API-2", "API Calls", UsageOverage, "0.00"),
            (date("2026-06-01"), "SUB", "Platform", ContractUplift, "6000.00"),
            (date("2026-07-01"), "BI", "Analytics", Contraction, "-6000.00"),
            (date("2026-08-01"), "SEATS", "Platform", Contraction, "-1200.00"),
            (date("2026-09-01"), "SUB", "Platform", TermChange, "-2571.48"),
            // The line's change that day goes to the last raise, once.
            (date("2026-10-01"), "SEATS", "Platform", ContractUplift, "0.00"),
            (date("2026-10-01"), "SEATS", "Platform", ContractUplift, "2400.00"),
        ]
    );
    let prices: Vec<(Option<&str>, Option<&str>)> = r
        .changes
        .iter()
        .filter(|c| c.contract == "C-1")
        .take(5)
        .map(|c| (c.price_before.as_deref(), c.price_after.as_deref()))
        .collect();
    assert_eq!(
        prices,
        [
            (None, Some("5000.00")),
            (None, Some("4500.00")),
            (None, Some("0.00")),
            (Some("12000.00"), Some("18000.00")),
            (Some("4500.00"), None)
        ]
    );

    let usd = serde_json::to_value(r.totals.iter().find(|t| t.currency.code() == "USD").unwrap()).unwrap();
    assert_eq!(
        usd,
        json!({"currency": "USD", "changes": 9, "seat_expansion": "6000.00", "module_upsell": "6000.00",
               "usage_overage": "0.00", "contract_uplift": "8400.00", "contraction": "-7200.00",
               "term_change": "-2571.48", "expansion": "20400.00", "net": "10628.52"})
    );
    // The net effect is ACME's ARR change in the MRR report: from 1,000.00 a
    // month at the end of February to 1,285.71 + 600.00 on December 31.
    let acme = |on: &str| mrr.report(date(on)).customers.into_iter().find(|c| c.customer == "ACME").unwrap().arr;
    assert_eq!((acme("2026-02-28"), acme("2026-12-31")), ("12000.00".to_owned(), "22628.52".to_owned()));
}

#[test]
fn an_added_line_counts_from_its_own_start_and_changes_appear_once_effective() {
    let book = expansion_book();
    let (r, _) = report(&book, "2026-03-20");
    let rows: Vec<Value> = r
        .changes
        .iter()
        .map(|c| json!([c.contract, c.effective_on, c.arr_from, c.class, c.arr_effect, c.currency]))
        .collect();
    assert_eq!(
        rows,
        [
            json!(["C-1", "2026-03-01", "2026-03-01", "seat_expansion", "6000.00", "USD"]),
            json!(["G-1", "2026-03-15", "2026-04-01", "module_upsell", "12000.00", "EUR"]),
        ]
    );
    let eur = r.totals.iter().find(|t| t.currency.code() == "EUR").unwrap();
    assert_eq!((eur.changes, eur.module_upsell.as_str(), eur.net.as_str()), (1, "12000.00", "12000.00"));
    assert!(report(&book, "2026-02-28").0.changes.is_empty());
}

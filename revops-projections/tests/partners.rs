//! `Partners` scenarios: sourced ARR to at most one partner (a second
//! sourced claim refused by the commands, and counted once when imported
//! anyway), influenced and co-sell ARR with shares, SPIF and MDF
//! utilization, to the cent; and a property: partner-sourced ARR never
//! exceeds total ARR.

mod book;

use book::{date, subscription, Book};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use revops_events::event::PartnerAttributed;
use revops_events::jsonl::{import, to_line, ImportOptions};
use revops_events::{Error, EventLog, Ledger, MemoryLog};
use revops_projections::mrr::Mrr;
use revops_projections::partners::{Partners, PartnersReport};
use revops_projections::Projection;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn at() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

fn attribution(contract: &str, partner: &str, kind: &str, share: &str, on: &str) -> Value {
    json!({"type": "partner_attributed", "contract": contract, "partner": partner, "kind": kind,
           "share": share, "attributed_on": on})
}

fn money(kind: &str, partner: &str, amount: &str, on: &str) -> Value {
    let date_field = match kind {
        "mdf_allocated" => "allocated_on",
        "mdf_spent" => "spent_on",
        _ => "earned_on",
    };
    let mut event = json!({"type": kind, "partner": partner, "amount": amount, "currency": "USD", date_field: on});
    if kind == "mdf_spent" {
        event["description"] = json!("campaign");
    }
    event
}

fn spif(partner: &str, contract: &str, amount: &str, on: &str) -> Value {
    json!({"type": "spif_earned", "partner": partner, "contract": contract, "amount": amount, "currency": "USD",
           "earned_on": on, "program": "Q1 push"})
}

/// C-1 (ACME, ARR 120,000.00) sourced by SI-NORTH, influenced and co-sold
/// (25 %) by SI-SOUTH; C-2 (GLOBEX, 60,000.00) sourced by SI-SOUTH and
/// co-sold (33.3 %) by SI-NORTH; C-3 (INITECH, EUR 48,000.00) influenced by
/// SI-NORTH; C-4 (ACME, 30,000.00) without a partner. SPIFs and MDF in USD.
fn desk_book() -> Book {
    let mut book = Book::default();
    book.customer("ACME", "USD").customer("GLOBEX", "USD").customer("INITECH", "EUR");
    let year = ("2026-01-01", "2026-01-01", "2026-12-31");
    for (contract, customer, currency, price) in [
        ("C-1", "ACME", "USD", "120000.00"),
        ("C-2", "GLOBEX", "USD", "60000.00"),
        ("C-3", "INITECH", "EUR", "48000.00"),
        ("C-4", "ACME", "USD", "30000.00"),
    ] {
        book.contract(contract, (customer, currency), year, "annually", json!([subscription("SUB", price)]), json!({}));
    }
    book.exec(attribution("C-1", "SI-NORTH", "sourced", "1", "2026-01-05"))
        .exec(attribution("C-1", "SI-SOUTH", "influenced", "0.5", "2026-01-10"))
        .exec(attribution("C-1", "SI-SOUTH", "co_sell", "0.25", "2026-01-10"))
        .exec(attribution("C-2", "SI-SOUTH", "sourced", "1", "2026-01-15"))
        .exec(attribution("C-2", "SI-NORTH", "co_sell", "0.333", "2026-01-15"))
        .exec(attribution("C-3", "SI-NORTH", "influenced", "0.1", "2026-01-20"));
    book.exec(spif("SI-NORTH", "C-1", "2500.00", "2026-02-01")).exec(spif("SI-SOUTH", "C-2", "1000.00", "2026-02-15"));
    book.exec(money("mdf_allocated", "SI-NORTH", "10000.00", "2026-01-02"))
        .exec(money("mdf_allocated", "SI-SOUTH", "5000.00", "2026-01-02"))
        .exec(money("mdf_spent", "SI-NORTH", "3333.33", "2026-02-10"))
        .exec(money("mdf_spent", "SI-NORTH", "1000.00", "2026-03-10"));
    book
}

/// A log of `lines` (events as JSON) imported as JSON Lines: facts as a
/// migration brings them, which the commands never checked.
fn imported<'a>(lines: impl IntoIterator<Item = &'a str>) -> MemoryLog {
    let text: String = lines.into_iter().map(|l| format!("{}\n", l.trim_end())).collect();
    let mut log = MemoryLog::default();
    import(&mut log, text.as_bytes(), ImportOptions::new(at())).unwrap();
    log
}

/// The book's log, then `facts` imported after it.
fn book_then_facts(book: &Book, facts: &[Value]) -> MemoryLog {
    let book_lines: Vec<String> = book.envelopes().iter().map(to_line).collect();
    let fact_lines: Vec<String> = facts.iter().map(Value::to_string).collect();
    imported(book_lines.iter().chain(&fact_lines).map(String::as_str))
}

fn report(log: &MemoryLog, as_of: &str) -> PartnersReport {
    let (mut partners, mut mrr) = (Partners::default(), Mrr::default());
    for envelope in log.envelopes() {
        partners.apply(envelope);
        partners.apply(envelope);
        mrr.apply(envelope);
    }
    partners.report(date(as_of), &mrr)
}

#[test]
fn sourced_influenced_and_co_sell_arr_with_spif_and_mdf() {
    let book = desk_book();
    let partners: Partners = book.fold();
    let mrr: Mrr = book.fold();
    let r = partners.report(date("2026-03-31"), &mrr);

    let desks: Vec<Value> = r.partners.iter().map(|p| serde_json::to_value(p).unwrap()).collect();
    assert_eq!(
        desks,
        [
            json!({"partner": "SI-NORTH", "currency": "EUR", "sourced_contracts": 0, "sourced_arr": "0.00",
                   "influenced_contracts": 1, "influenced_arr": "48000.00", "co_sell_contracts": 0,
                   "co_sell_arr": "0.00", "spif_earned": "0.00", "spif_payable": "0.00", "mdf_allocated": "0.00",
                   "mdf_spent": "0.00", "mdf_balance": "0.00", "mdf_utilization_pct": null}),
            // Co-sell: 60,000.00 × 0.333 = 19,980.00. MDF: 4,333.33 of 10,000.00.
            json!({"partner": "SI-NORTH", "currency": "USD", "sourced_contracts": 1, "sourced_arr": "120000.00",
                   "influenced_contracts": 0, "influenced_arr": "0.00", "co_sell_contracts": 1,
                   "co_sell_arr": "19980.00", "spif_earned": "2500.00", "spif_payable": "2500.00",
                   "mdf_allocated": "10000.00", "mdf_spent": "4333.33", "mdf_balance": "5666.67",
                   "mdf_utilization_pct": "43.33"}),
            // Influenced counts the whole ARR (overlapping SI-NORTH's
            // sourcing); co-sell 120,000.00 × 0.25.
            json!({"partner": "SI-SOUTH", "currency": "USD", "sourced_contracts": 1, "sourced_arr": "60000.00",
                   "influenced_contracts": 1, "influenced_arr": "120000.00", "co_sell_contracts": 1,
                   "co_sell_arr": "30000.00", "spif_earned": "1000.00", "spif_payable": "1000.00",
                   "mdf_allocated": "5000.00", "mdf_spent": "0.00", "mdf_balance": "5000.00",
                   "mdf_utilization_pct": "0.00"}),
        ]
    );
    let totals: Vec<Value> = r.totals.iter().map(|t| serde_json::to_value(t).unwrap()).collect();
    assert_eq!(
        totals,
        [
            json!({"currency": "EUR", "total_arr": "48000.00", "sourced_arr": "0.00", "influenced_arr": "48000.00",
                   "co_sell_arr": "0.00", "spif_earned": "0.00", "spif_payable": "0.00", "mdf_allocated": "0.00",
                   "mdf_spent": "0.00", "mdf_utilization_pct": null}),
            // C-4 has no partner: 180,000.00 of 210,000.00 is partner-sourced.
            json!({"currency": "USD", "total_arr": "210000.00", "sourced_arr": "180000.00",
                   "influenced_arr": "120000.00", "co_sell_arr": "49980.00", "spif_earned": "3500.00",
                   "spif_payable": "3500.00", "mdf_allocated": "15000.00", "mdf_spent": "4333.33",
                   "mdf_utilization_pct": "28.89"}),
        ]
    );
    assert!(r.conflicts.is_empty() && r.attributions.iter().all(|a| a.counted));
    assert_eq!(r.attributions.len(), 6);

    // As of January 31: no SPIF yet, no MDF spent.
    let early = partners.report(date("2026-01-31"), &mrr);
    let north = early.partners.iter().find(|p| p.partner == "SI-NORTH" && p.currency.code() == "USD").unwrap();
    let early_money = [&north.spif_earned, &north.mdf_spent, &north.mdf_utilization_pct.clone().unwrap()];
    assert_eq!(early_money, ["0.00", "0.00", "0.00"]);
    // As of January 12, C-2 is not attributed yet.
    let january = partners.report(date("2026-01-12"), &mrr);
    assert_eq!(january.totals.iter().find(|t| t.currency.code() == "USD").unwrap().sourced_arr, "120000.00");
}

#[test]
fn a_second_sourced_claim_is_refused_and_nothing_is_appended() {
    let book = desk_book();
    let mut ledger = Ledger::open(book_then_facts(&book, &[])).unwrap();
    let before = ledger.log().len();
    let claim: PartnerAttributed = serde_json::from_value(json!({"contract": "C-2", "partner": "SI-EAST",
        "kind": "sourced", "share": "1", "attributed_on": "2026-02-01"}))
    .unwrap();
    match ledger.attribute_partner(claim, at()) {
        Err(Error::SecondSourcedPartner { contract, partner, existing }) => {
            let ids = [contract.as_str(), partner.as_str(), existing.as_str()];
            assert_eq!(ids, ["C-2", "SI-EAST", "SI-SOUTH"]);
        }
        other => panic!("expected SecondSourcedPartner, got {other:?}"),
    }
    assert_eq!(ledger.log().len(), before);
}

#[test]
fn an_imported_second_sourced_claim_is_a_conflict_never_a_double_count() {
    let book = desk_book();
    let facts = [attribution("C-2", "SI-EAST", "sourced", "1", "2026-02-01")];
    let r = report(&book_then_facts(&book, &facts), "2026-03-31");
    let usd = r.totals.iter().find(|t| t.currency.code() == "USD").unwrap();
    assert_eq!((usd.total_arr.as_str(), usd.sourced_arr.as_str()), ("210000.00", "180000.00"));
    let conflicts: Vec<Value> = r.conflicts.iter().map(|c| serde_json::to_value(c).unwrap()).collect();
    assert_eq!(
        conflicts,
        [json!({"contract": "C-2", "partner": "SI-EAST", "attributed_on": "2026-02-01", "sourced_by": "SI-SOUTH",
                "sourced_on": "2026-01-15"})]
    );
    let east = r.attributions.iter().find(|a| a.partner == "SI-EAST").unwrap();
    assert_eq!((east.counted, east.contract_arr.as_str(), east.credited_arr.as_str()), (false, "60000.00", "0.00"));
    assert!(r.partners.iter().all(|p| p.partner != "SI-EAST"));
    // Before the imported claim's date it is not listed at all.
    assert!(report(&book_then_facts(&book, &facts), "2026-01-31").conflicts.is_empty());
}

/// A contract signed for 2026 in `currency` at `price` (whole units).
fn contract_line(i: usize, currency: &str, price: u32) -> String {
    json!({"type": "contract_signed", "contract": format!("C-{i}"), "customer": format!("CUST-{i}"),
           "signed_on": "2026-01-01", "start_date": "2026-01-01", "end_date": "2026-12-31", "currency": currency,
           "billing_frequency": "annually", "payment_terms": "net_30",
           "lines": [subscription("SUB", &format!("{price}.00"))]})
    .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the claims, duplicate sourced ones included, partner-sourced
    /// ARR never exceeds total ARR, which is the MRR report's; a contract is
    /// sourced by at most one counted claim.
    #[test]
    fn partner_sourced_arr_never_exceeds_total_arr(
        contracts in prop::collection::vec((0usize..2, 1u32..50_000), 1..5),
        claims in prop::collection::vec((0usize..5, 0usize..3, 0usize..3, 1u32..=100, 1u32..28), 0..10),
    ) {
        let currencies = ["USD", "EUR"];
        let kinds = ["sourced", "influenced", "co_sell"];
        let mut lines: Vec<String> =
            contracts.iter().enumerate().map(|(i, &(c, price))| contract_line(i, currencies[c], price)).collect();
        for &(contract, partner, kind, share, day) in &claims {
            let share = Decimal::new(i64::from(share), 2).to_string();
            let on = format!("2026-02-{day:02}");
            let contract = format!("C-{}", contract % contracts.len());
            lines.push(attribution(&contract, &format!("P-{partner}"), kinds[kind], &share, &on).to_string());
        }
        let log = imported(lines.iter().map(String::as_str));
        let (mut partners, mut mrr) = (Partners::default(), Mrr::default());
        for envelope in log.envelopes() {
            partners.apply(envelope);
            mrr.apply(envelope);
        }
        for as_of in ["2026-02-14", "2026-06-30"] {
            let r = partners.report(date(as_of), &mrr);
            let m = mrr.report(date(as_of));
            for t in &r.totals {
                let [sourced, total] = [&t.sourced_arr, &t.total_arr].map(|s| s.parse::<Decimal>().unwrap());
                prop_assert!(sourced <= total, "{} {sourced} > {total}", t.currency);
                let mrr_total = m.totals.iter().find(|x| x.currency == t.currency).map(|x| x.arr.clone());
                prop_assert_eq!(Some(t.total_arr.clone()), mrr_total);
                let per_partner: Decimal = r.partners.iter().filter(|p| p.currency == t.currency)
                    .map(|p| p.sourced_arr.parse::<Decimal>().unwrap()).sum();
                prop_assert_eq!(per_partner, sourced);
            }
            let mut sourced: Vec<&str> = r.attributions.iter()
                .filter(|a| a.counted && a.kind == revops_events::event::AttributionKind::Sourced)
                .map(|a| a.contract.as_str()).collect();
            let n = sourced.len();
            sourced.sort_unstable();
            sourced.dedup();
            prop_assert_eq!(sourced.len(), n, "a contract sourced twice");
        }
    }
}

//! `Commissions` scenarios: tiers across quota, clawbacks on churn and
//! write-off, payouts, disputes, to the cent; and the sample book.

mod book;

use book::{date, subscription, Book};
use chrono::{DateTime, Utc};
use revops_events::jsonl::{import, ImportOptions};
use revops_events::MemoryLog;
use revops_projections::commissions::{CommissionEntryKind, CommissionPeriod, Commissions, RepCommissions};
use revops_projections::revops_core::calendar::YearMonth;
use revops_projections::Projection;
use rust_decimal::Decimal;
use serde_json::json;

fn plan_json(plan: &str, rep: &str, basis: &str, quota: &str, tiers: [(&str, &str); 2]) -> serde_json::Value {
    json!({"type": "commission_plan_defined", "plan": plan, "rep": rep, "quota": quota, "currency": "USD",
           "basis": basis, "tiers": tiers.map(|(from, rate)| json!({"from_attainment": from, "rate": rate})),
           "clawback_months": 3, "payout_day": 15, "effective_on": "2026-01-01"})
}

/// Signs a year's subscription of `price` for `customer`, sold by rep-jane.
fn sign(book: &mut Book, contract: &str, customer: &str, signed: &str, price: &str) {
    book.contract(
        contract,
        (customer, "USD"),
        (signed, signed, "2026-12-31"),
        "annually",
        json!([subscription("SUB", price)]),
        json!({"assigned_ae": "rep-jane", "commission_plan": "FY26"}),
    );
}

fn jane_book() -> Book {
    let mut book = Book::default();
    book.exec(plan_json("FY26", "rep-jane", "booking", "100000.00", [("0", "0.10"), ("1.0", "0.15")]));
    book.customer("ACME", "USD").customer("GLOBEX", "USD").customer("INITECH", "USD");
    // 60,000.00 at 10 %: 6,000.00.
    sign(&mut book, "C-1", "ACME", "2026-01-10", "60000.00");
    book.exec(json!({"type": "commission_paid", "rep": "rep-jane", "amount": "6000.00", "currency": "USD",
                     "paid_on": "2026-02-15", "period": "2026-01"}));
    // 50,000.00 across quota: 40,000.00 at 10 % and 10,000.00 at 15 %: 5,500.00.
    sign(&mut book, "C-2", "GLOBEX", "2026-02-05", "50000.00");
    book.invoice("INV-2", ("GLOBEX", "C-2", "USD"), ("2026-02-10", "2026-03-12"), "10000.00", "800.00");
    book.exec(json!({"type": "commission_dispute_opened", "dispute": "CD-1", "rep": "rep-jane", "amount": "300.00",
                     "currency": "USD", "opened_on": "2026-02-20", "reason": "split deal"}));
    book.exec(json!({"type": "commission_dispute_resolved", "dispute": "CD-1", "resolved_on": "2026-03-05",
                     "granted": "200.00", "currency": "USD"}));
    book.exec(json!({"type": "commission_paid", "rep": "rep-jane", "amount": "5500.00", "currency": "USD",
                     "paid_on": "2026-03-15", "period": "2026-02"}));
    // 20,000.00 above quota at 15 %: 3,000.00.
    sign(&mut book, "C-3", "INITECH", "2026-03-01", "20000.00");
    book.exec(json!({"type": "commission_dispute_opened", "dispute": "CD-2", "rep": "rep-jane", "amount": "500.00",
                     "currency": "USD", "opened_on": "2026-03-20", "reason": "accelerator not applied"}));
    // INITECH churns within three months of its booking: 3,000.00 back.
    book.exec(json!({"type": "contract_cancelled", "contract": "C-3", "effective_on": "2026-04-20",
                     "reason": "acquired"}));
    book.exec(json!({"type": "commission_adjusted", "rep": "rep-jane", "amount": "300.00", "currency": "USD",
                     "adjusted_on": "2026-04-30", "reason": "SPIF"}));
    // GLOBEX's invoice is written off: its 10,000.00 net is reversed at 15 %.
    book.exec(json!({"type": "invoice_written_off", "invoice": "INV-2", "amount": "10800.00", "currency": "USD",
                     "written_off_on": "2026-05-20", "reason": "insolvent"}));
    // ACME cancels after the clawback window: nothing comes back.
    book.exec(json!({"type": "contract_cancelled", "contract": "C-1", "effective_on": "2026-06-01",
                     "reason": "moved to a competitor"}));
    book
}

fn jane(commissions: &Commissions, as_of: &str) -> RepCommissions {
    let report = commissions.report(date(as_of)).unwrap();
    assert_eq!(report.reps.len(), 1);
    report.reps.into_iter().next().unwrap()
}

/// (period, credited, commission, adjustments, granted, earned, paid, clawed back, payable)
fn row(p: &CommissionPeriod) -> [String; 9] {
    let s = &p.sums;
    [
        &p.period.to_string(),
        &s.credited,
        &s.commission,
        &s.adjustments,
        &s.disputes_granted,
        &s.earned,
        &s.paid,
        &s.clawed_back,
        &s.payable,
    ]
    .map(|x| x.to_owned())
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn assert_payable(rep: &RepCommissions) {
    for s in rep.periods.iter().map(|p| &p.sums).chain([&rep.totals]) {
        assert_eq!(dec(&s.earned), dec(&s.commission) + dec(&s.adjustments) + dec(&s.disputes_granted));
        assert_eq!(dec(&s.payable), dec(&s.earned) - dec(&s.paid) - dec(&s.clawed_back));
    }
}

#[test]
fn tiers_across_quota_then_clawbacks_on_churn_and_write_off() {
    let commissions: Commissions = jane_book().fold();

    let feb = jane(&commissions, "2026-02-28");
    assert_eq!(
        [
            &feb.totals.credited,
            &feb.totals.commission,
            &feb.totals.earned,
            &feb.totals.paid,
            &feb.totals.clawed_back,
            &feb.totals.payable
        ]
        .map(|s| s.as_str()),
        ["110000.00", "11500.00", "11500.00", "6000.00", "0.00", "5500.00"]
    );
    assert_eq!(feb.plans[0].attainment_pct, "110.00");
    assert_eq!(feb.next_payout_on, Some(date("2026-03-15")));
    // CD-1 is open until March 5.
    assert_eq!(feb.open_disputes.len(), 1);
    assert_eq!(feb.disputed, "300.00");
    assert_payable(&feb);

    let may = jane(&commissions, "2026-05-31");
    let rows: Vec<[String; 9]> = may.periods.iter().map(row).collect();
    let expected = [
        ["2026-01", "60000.00", "6000.00", "0.00", "0.00", "6000.00", "6000.00", "0.00", "0.00"],
        ["2026-02", "50000.00", "5500.00", "0.00", "0.00", "5500.00", "5500.00", "0.00", "0.00"],
        ["2026-03", "20000.00", "3000.00", "0.00", "200.00", "3200.00", "0.00", "0.00", "3200.00"],
        ["2026-04", "-20000.00", "0.00", "300.00", "0.00", "300.00", "0.00", "3000.00", "-2700.00"],
        ["2026-05", "-10000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "1500.00", "-1500.00"],
    ];
    assert_eq!(rows, expected.map(|r| r.map(str::to_owned)));
    assert_eq!(
        [&may.totals.commission, &may.totals.adjustments, &may.totals.disputes_granted, &may.totals.earned]
            .map(|s| s.as_str()),
        ["14500.00", "300.00", "200.00", "15000.00"]
    );
    // payable = earned − paid − clawed back: the rep owes 1,000.00.
    assert_eq!(
        [&may.totals.paid, &may.totals.clawed_back, &may.totals.payable].map(|s| s.as_str()),
        ["11500.00", "4500.00", "-1000.00"]
    );
    assert_payable(&may);
    let plan = &may.plans[0];
    assert_eq!(
        (
            plan.plan.as_str(),
            plan.quota.as_str(),
            plan.year_start,
            plan.credited.as_str(),
            plan.attainment_pct.as_str()
        ),
        ("FY26", "100000.00", date("2026-01-01"), "100000.00", "100.00")
    );
    assert_eq!(may.next_payout_on, Some(date("2026-06-15")));
    let open: Vec<(&str, &str, &str)> =
        may.open_disputes.iter().map(|d| (d.dispute.as_str(), d.amount.as_str(), d.reason.as_str())).collect();
    assert_eq!(open, [("CD-2", "500.00", "accelerator not applied")]);
    assert_eq!(may.open_disputes[0].opened_on, date("2026-03-20"));

    // ACME's cancellation comes after its window (April 10): nothing more back.
    let june = jane(&commissions, "2026-06-30");
    assert_eq!(june.totals.clawed_back, "4500.00");
    assert_eq!(june.next_payout_on, Some(date("2026-07-15")));

    let json = serde_json::to_value(commissions.report(date("2026-05-31")).unwrap()).unwrap();
    assert_eq!(json["reps"][0]["rep"], "rep-jane");
    assert_eq!(json["reps"][0]["periods"][3]["clawed_back"], "3000.00");
    assert_eq!(json["reps"][0]["plans"][0]["basis"], "booking");
    assert_eq!(json["reps"][0]["next_payout_on"], "2026-06-15");
}

/// The entries break the report down by event: each month's add up to its
/// `earned − clawed_back`, and each points to the event behind it.
#[test]
fn entries_break_earned_and_clawed_back_down_by_event() {
    let commissions: Commissions = jane_book().fold();
    let entries = commissions.entries(date("2026-05-31")).unwrap();
    let got: Vec<(&str, CommissionEntryKind, &str, String)> =
        entries.iter().map(|e| (e.event_type, e.kind, e.rep.as_str(), format!("{} {}", e.on, e.amount))).collect();
    use CommissionEntryKind::*;
    let expected = [
        ("contract_signed", Commission, "rep-jane", "2026-01-10 6000.00"),
        ("contract_signed", Commission, "rep-jane", "2026-02-05 5500.00"),
        ("contract_signed", Commission, "rep-jane", "2026-03-01 3000.00"),
        ("commission_dispute_resolved", DisputeGranted, "rep-jane", "2026-03-05 200.00"),
        ("contract_cancelled", Clawback, "rep-jane", "2026-04-20 -3000.00"),
        ("commission_adjusted", Adjustment, "rep-jane", "2026-04-30 300.00"),
        ("invoice_written_off", Clawback, "rep-jane", "2026-05-20 -1500.00"),
    ];
    assert_eq!(got, expected.map(|(t, k, r, a)| (t, k, r, a.to_owned())));
    let may = jane(&commissions, "2026-05-31");
    for p in &may.periods {
        let sum: Decimal = entries.iter().filter(|e| YearMonth::of(e.on) == p.period).map(|e| e.amount).sum();
        assert_eq!(sum, dec(&p.sums.earned) - dec(&p.sums.clawed_back), "{}", p.period);
    }
    let book = jane_book();
    let signing = book.envelopes().iter().find(|e| e.seq.0 == entries[0].seq).unwrap();
    assert_eq!(signing.event_id, entries[0].event_id);
}

/// Two deals of one day across quota: the first by contract id takes the
/// lower tier whichever arrived first, so the arrival order of independent
/// events changes no entry.
#[test]
fn a_days_credits_are_taken_by_contract_id() {
    let book = |first: (&str, &str, &str), second: (&str, &str, &str)| {
        let mut book = Book::default();
        book.exec(plan_json("FY26", "rep-jane", "booking", "100000.00", [("0", "0.10"), ("1.0", "0.15")]));
        book.customer("ACME", "USD").customer("GLOBEX", "USD");
        for (contract, customer, price) in [first, second] {
            sign(&mut book, contract, customer, "2026-01-10", price);
        }
        let commissions: Commissions = book.fold();
        let entries = commissions.entries(date("2026-01-31")).unwrap();
        entries.iter().map(|e| (e.event_type, e.amount.to_string())).collect::<Vec<_>>()
    };
    let (a, b) = (("C-A", "ACME", "40000.00"), ("C-B", "GLOBEX", "80000.00"));
    // C-A: 40,000.00 at 10 %; C-B: 60,000.00 at 10 % and 20,000.00 at 15 %.
    let expected = [("contract_signed", "4000.00".to_owned()), ("contract_signed", "9000.00".to_owned())];
    assert_eq!(book(a, b), expected);
    let mut swapped = book(b, a);
    swapped.sort();
    assert_eq!(swapped, expected);
}

#[test]
fn collection_basis_credits_cash_net_of_tax() {
    let mut book = Book::default();
    book.exec(plan_json("FY26", "rep-jane", "collection", "1000.00", [("0", "0.05"), ("1.0", "0.10")]));
    book.customer("ACME", "USD");
    sign(&mut book, "C-1", "ACME", "2026-01-10", "12000.00");
    // 1,190.00 with 19 % tax, paid in two halves: 500.00 net each.
    book.invoice("INV-1", ("ACME", "C-1", "USD"), ("2026-01-10", "2026-02-09"), "1000.00", "190.00");
    book.pay("PAY-1", ("ACME", "USD"), "INV-1", "595.00", "2026-01-20");
    book.pay("PAY-2", ("ACME", "USD"), "INV-1", "595.00", "2026-02-03");
    // A third of 1,190.00 (396.67) is 333.34 net (333.336…), the rest 666.66.
    book.invoice("INV-2", ("ACME", "C-1", "USD"), ("2026-02-10", "2026-03-12"), "1000.00", "190.00");
    book.pay("PAY-3", ("ACME", "USD"), "INV-2", "396.67", "2026-02-20");
    book.pay("PAY-4", ("ACME", "USD"), "INV-2", "793.33", "2026-03-02");
    // Churn does not claw back commission on cash collected.
    book.exec(json!({"type": "contract_cancelled", "contract": "C-1", "effective_on": "2026-03-10",
                     "reason": "closed"}));
    let commissions: Commissions = book.fold();
    let rep = jane(&commissions, "2026-03-31");
    let rows: Vec<[String; 9]> = rep.periods.iter().map(row).collect();
    let expected = [
        // 500.00 at 5 %.
        ["2026-01", "500.00", "25.00", "0.00", "0.00", "25.00", "0.00", "0.00", "25.00"],
        // 500.00 to quota at 5 %, then 333.34 at 10 % (58.334).
        ["2026-02", "833.34", "58.33", "0.00", "0.00", "58.33", "0.00", "0.00", "58.33"],
        // 666.66 at 10 % (66.666).
        ["2026-03", "666.66", "66.67", "0.00", "0.00", "66.67", "0.00", "0.00", "66.67"],
    ];
    assert_eq!(rows, expected.map(|r| r.map(str::to_owned)));
    assert_eq!((rep.totals.credited.as_str(), rep.totals.clawed_back.as_str()), ("2000.00", "0.00"));
    assert_eq!(rep.plans[0].attainment_pct, "200.00");
    assert_payable(&rep);
}

#[test]
fn the_sample_book() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/book.jsonl");
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let at: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
    let mut log = MemoryLog::default();
    import(&mut log, file, ImportOptions::new(at)).unwrap();
    let mut commissions = Commissions::default();
    for envelope in log.envelopes() {
        commissions.apply(envelope);
    }
    let report = commissions.report(date("2026-12-31")).unwrap();
    let reps: Vec<(&str, &str, &str, &str, &str)> = report
        .reps
        .iter()
        .map(|r| {
            (
                r.rep.as_str(),
                r.currency.code(),
                r.totals.earned.as_str(),
                r.totals.paid.as_str(),
                r.totals.payable.as_str(),
            )
        })
        .collect();
    // rep-jonas: 55,200.00 at 8 %, paid. rep-maria: 84,000.00 in January
    // (6,720.00, paid), 150,000.00 in February (12,000.00, paid), ACME's
    // 63,000.00 renewal in December (5,040.00, payable).
    assert_eq!(
        reps,
        [("rep-jonas", "EUR", "4416.00", "4416.00", "0.00"), ("rep-maria", "USD", "23760.00", "18720.00", "5040.00")]
    );
    for rep in &report.reps {
        assert_payable(rep);
    }
}

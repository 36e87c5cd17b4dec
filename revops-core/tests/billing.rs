//! Billing schedules with exact expected dates and amounts, through the
//! public API.

use proptest::prelude::*;
use revops_core::billing::{billing_schedule, BillingSchedule, BillingSettings, Installment};
use revops_core::calendar::add_months;
use revops_core::performance::{MilestoneAcceptance, Performance, TimeApproval, UsageRecord};
use revops_core::recognition::{schedule, RecognitionSettings};
use revops_core::rounding::SpreadRule;
use revops_core::terms::*;
use revops_core::{Currency, Decimal, Error, Money, NaiveDate};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn usd(s: &str) -> Money {
    Money::parse(s, Currency::USD).unwrap()
}

fn line(id: &str, kind: LineKind, recognition: Recognition, price: &str) -> ContractLine {
    ContractLine {
        line: id.into(),
        product: format!("{id} product"),
        kind,
        quantity: Decimal::ONE,
        unit_price: None,
        price: dec(price),
        ssp: None,
        recognition,
        start_date: None,
        end_date: None,
        milestones: vec![],
        not_to_exceed_hours: None,
    }
}

fn subscription(id: &str, price: &str) -> ContractLine {
    line(id, LineKind::Subscription, Recognition::Ratable { basis: RatableBasis::Monthly }, price)
}

fn contract(
    currency: Currency,
    start: &str,
    end: &str,
    frequency: BillingFrequency,
    lines: Vec<ContractLine>,
) -> Contract {
    Contract {
        contract: "C-200".into(),
        customer: "ACME".into(),
        currency,
        start_date: d(start),
        end_date: d(end),
        billing_frequency: frequency,
        payment_terms: PaymentTerms::Net30,
        lines,
    }
}

fn bill(c: &Contract, p: &Performance) -> BillingSchedule {
    billing_schedule(c, p, BillingSettings::default()).unwrap()
}

/// "invoice_date period_start..period_end total" per installment.
fn summary(s: &BillingSchedule) -> Vec<String> {
    s.installments
        .iter()
        .map(|i| format!("{} {}..{} {}", i.invoice_date, i.period_start, i.period_end, total(i)))
        .collect()
}

fn total(i: &Installment) -> Money {
    i.total().unwrap()
}

/// "line amount" per line of an installment.
fn lines(i: &Installment) -> Vec<String> {
    i.lines.iter().map(|l| format!("{} {}", l.line, l.amount)).collect()
}

fn calendar_year(frequency: BillingFrequency) -> BillingSchedule {
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", frequency, vec![subscription("L1", "12000.00")]);
    bill(&c, &Performance::default())
}

#[test]
fn calendar_year_billed_monthly() {
    let s = calendar_year(BillingFrequency::Monthly);
    let expected: Vec<String> = (1..=12u32)
        .map(|m| {
            let start = NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
            let end = add_months(start, 1).unwrap().pred_opt().unwrap();
            format!("{start} {start}..{end} 1000.00 USD")
        })
        .collect();
    assert_eq!(summary(&s), expected);
    assert_eq!(summary(&s)[1], "2026-02-01 2026-02-01..2026-02-28 1000.00 USD");
    assert_eq!(s.currency, Currency::USD);
    assert_eq!(s.total().unwrap(), usd("12000.00"));
}

#[test]
fn calendar_year_billed_quarterly() {
    assert_eq!(
        summary(&calendar_year(BillingFrequency::Quarterly)),
        [
            "2026-01-01 2026-01-01..2026-03-31 3000.00 USD",
            "2026-04-01 2026-04-01..2026-06-30 3000.00 USD",
            "2026-07-01 2026-07-01..2026-09-30 3000.00 USD",
            "2026-10-01 2026-10-01..2026-12-31 3000.00 USD",
        ]
    );
}

#[test]
fn calendar_year_billed_annually() {
    assert_eq!(summary(&calendar_year(BillingFrequency::Annually)), ["2026-01-01 2026-01-01..2026-12-31 12000.00 USD"]);
}

#[test]
fn anniversary_periods_from_the_15th() {
    let c = contract(
        Currency::USD,
        "2026-01-15",
        "2027-01-14",
        BillingFrequency::Monthly,
        vec![subscription("L1", "12000.00")],
    );
    let s = bill(&c, &Performance::default());
    let got = summary(&s);
    assert_eq!(got.len(), 12);
    assert_eq!(got[0], "2026-01-15 2026-01-15..2026-02-14 1000.00 USD");
    assert_eq!(got[1], "2026-02-15 2026-02-15..2026-03-14 1000.00 USD");
    assert_eq!(got[10], "2026-11-15 2026-11-15..2026-12-14 1000.00 USD");
    assert_eq!(got[11], "2026-12-15 2026-12-15..2027-01-14 1000.00 USD");
}

#[test]
fn anniversary_on_the_31st_clamps_from_the_start_each_time() {
    let c = contract(
        Currency::USD,
        "2026-01-31",
        "2027-01-30",
        BillingFrequency::Monthly,
        vec![subscription("L1", "12000.00")],
    );
    let s = bill(&c, &Performance::default());
    let periods: Vec<String> = s.installments.iter().map(|i| format!("{}..{}", i.period_start, i.period_end)).collect();
    // Each start is Jan 31 + k months, clamped: Feb 28, then back to Mar 31.
    assert_eq!(
        periods,
        [
            "2026-01-31..2026-02-27",
            "2026-02-28..2026-03-30",
            "2026-03-31..2026-04-29",
            "2026-04-30..2026-05-30",
            "2026-05-31..2026-06-29",
            "2026-06-30..2026-07-30",
            "2026-07-31..2026-08-30",
            "2026-08-31..2026-09-29",
            "2026-09-30..2026-10-30",
            "2026-10-31..2026-11-29",
            "2026-11-30..2026-12-30",
            "2026-12-31..2027-01-30",
        ]
    );
    // All twelve are full periods, so all bill the same whatever their length.
    assert!(s.installments.iter().all(|i| total(i) == usd("1000.00")));
}

#[test]
fn quarterly_contract_ending_mid_quarter_is_prorated_by_days() {
    let c = contract(
        Currency::USD,
        "2026-01-15",
        "2026-06-30",
        BillingFrequency::Quarterly,
        vec![subscription("L1", "10000.00")],
    );
    let s = bill(&c, &Performance::default());
    // Jan 15 - Apr 14 is a full quarter, weight U = 91. The second quarter
    // would run Apr 15 - Jul 14, 91 days half-open; the service ends Jun 30,
    // so it covers 16 + 31 + 30 = 77 days, weight 77 x 91 / 91 = 77.
    // 10,000.00 x 91 / 168 = 5,416.666... -> 5,416.67; the rest 4,583.33.
    assert_eq!(
        summary(&s),
        ["2026-01-15 2026-01-15..2026-04-14 5416.67 USD", "2026-04-15 2026-04-15..2026-06-30 4583.33 USD"]
    );
}

#[test]
fn monthly_contract_ending_mid_month_is_prorated_by_days() {
    let c = contract(
        Currency::USD,
        "2026-01-01",
        "2026-03-15",
        BillingFrequency::Monthly,
        vec![subscription("L1", "2500.00")],
    );
    let s = bill(&c, &Performance::default());
    // The cut period Mar 1 - 15 is 15 of Mar 1 - Mar 31's 31 days, so U = 31:
    // weights 31 (Jan), 31 (Feb, full although 28 days), 15; total 77.
    // Billed to date: 2,500 x 31/77 = 1,006.49; 2,500 x 62/77 = 2,012.987 ->
    // 2,012.99, so Feb 1,006.50; Mar 2,500.00 - 2,012.99 = 487.01.
    assert_eq!(
        summary(&s),
        [
            "2026-01-01 2026-01-01..2026-01-31 1006.49 USD",
            "2026-02-01 2026-02-01..2026-02-28 1006.50 USD",
            "2026-03-01 2026-03-01..2026-03-15 487.01 USD",
        ]
    );
}

#[test]
fn remainder_last_rule_for_parity() {
    let c = contract(
        Currency::USD,
        "2026-01-01",
        "2026-12-31",
        BillingFrequency::Monthly,
        vec![subscription("L1", "1000.00")],
    );
    let settings = BillingSettings { spread: SpreadRule::RemainderLast, ..BillingSettings::default() };
    let s = billing_schedule(&c, &Performance::default(), settings).unwrap();
    let amounts: Vec<String> = s.installments.iter().map(|i| total(i).to_string()).collect();
    let mut expected = vec!["83.33 USD".to_string(); 11];
    expected.push("83.37 USD".into());
    assert_eq!(amounts, expected);
    // The default cumulative rule: 83.33 except months 2, 5, 8, 11.
    let s = bill(&c, &Performance::default());
    let amounts: Vec<String> = s.installments.iter().map(|i| total(i).amount.to_string()).collect();
    let expected: Vec<&str> = (1..=12).map(|m| if m % 3 == 2 { "83.34" } else { "83.33" }).collect();
    assert_eq!(amounts, expected);
}

/// A subscription, a perpetual license and support starting in April, sold
/// together; SSPs differ from prices, and invoices ignore them.
fn bundle() -> Contract {
    let mut sub = subscription("SUB", "12000.00");
    sub.ssp = Some(dec("15000"));
    let mut lic = line("LIC", LineKind::PerpetualLicense, Recognition::PointInTime, "6000.00");
    lic.ssp = Some(dec("20000"));
    let mut support = subscription("SUPPORT", "1800.00");
    support.start_date = Some(d("2026-04-01"));
    contract(Currency::USD, "2026-01-01", "2026-12-31", BillingFrequency::Quarterly, vec![sub, lic, support])
}

#[test]
fn bundle_gets_one_invoice_per_period_with_a_line_per_contract_line() {
    let s = bill(&bundle(), &Performance::default());
    assert_eq!(
        summary(&s),
        [
            "2026-01-01 2026-01-01..2026-03-31 4500.00 USD",
            "2026-04-01 2026-04-01..2026-06-30 5100.00 USD",
            "2026-07-01 2026-07-01..2026-09-30 5100.00 USD",
            "2026-10-01 2026-10-01..2026-12-31 5100.00 USD",
        ]
    );
    assert_eq!(lines(&s.installments[0]), ["SUB 3000.00 USD", "LIC 1500.00 USD"]);
    for i in &s.installments[1..] {
        assert_eq!(lines(i), ["SUB 3000.00 USD", "LIC 1500.00 USD", "SUPPORT 600.00 USD"]);
    }
    // Contractual prices, not the SSP-allocated ones.
    assert_eq!(s.line_total("SUB").unwrap(), usd("12000.00"));
    assert_eq!(s.line_total("LIC").unwrap(), usd("6000.00"));
    assert_eq!(s.line_total("SUPPORT").unwrap(), usd("1800.00"));
    assert_eq!(s.line_total("NOPE").unwrap(), usd("0.00"));
    assert_eq!(s.total().unwrap(), usd("19800.00"));
    assert_eq!(s.line_billed_as_of("SUPPORT", d("2026-06-30")).unwrap(), usd("600.00"));
    assert_eq!(s.installments[0].line_amount("SUPPORT").unwrap(), usd("0.00"));
}

fn implementation() -> ContractLine {
    let mut imp = line("IMP", LineKind::Milestone, Recognition::Milestone, "1000.00");
    // Milestone amounts that do not sum to the price: split 1 : 1 : 1.
    imp.milestones = ["design", "build", "go-live"]
        .into_iter()
        .map(|m| Milestone { milestone: m.into(), amount: dec("500"), due_on: None })
        .collect();
    imp
}

fn accepted(milestone: &str, on: &str) -> MilestoneAcceptance {
    MilestoneAcceptance { line: "IMP".into(), milestone: milestone.into(), accepted_on: d(on) }
}

#[test]
fn milestones_are_billed_on_acceptance_and_unaccepted_ones_are_not() {
    let c = contract(
        Currency::USD,
        "2026-01-01",
        "2026-12-31",
        BillingFrequency::Milestone,
        vec![implementation(), subscription("SUB", "1200.00")],
    );
    let p = Performance {
        milestones_accepted: vec![
            accepted("go-live", "2026-05-20"),
            accepted("design", "2026-03-12"),
            // A second acceptance does not bill again: the earliest counts.
            accepted("design", "2026-03-10"),
        ],
        ..Performance::default()
    };
    let s = bill(&c, &p);
    // allocate(1,000.00, 1:1:1) = 333.33, 333.33, 333.34 (ties to the later
    // part); "build" is not accepted, so its 333.33 is not billed.
    // Under milestone billing the subscription has no periods: billed in full
    // on its start date, for its whole service period.
    assert_eq!(
        summary(&s),
        [
            "2026-01-01 2026-01-01..2026-12-31 1200.00 USD",
            "2026-03-10 2026-03-10..2026-03-10 333.33 USD",
            "2026-05-20 2026-05-20..2026-05-20 333.34 USD",
        ]
    );
    assert_eq!(lines(&s.installments[1]), ["IMP 333.33 USD"]);
    assert_eq!(s.line_total("IMP").unwrap(), usd("666.67"));

    // Once every milestone is accepted the line bills its price exactly, and
    // milestones accepted the same day share one invoice line.
    let p = Performance {
        milestones_accepted: vec![
            accepted("design", "2026-03-10"),
            accepted("build", "2026-05-20"),
            accepted("go-live", "2026-05-20"),
        ],
        ..Performance::default()
    };
    let s = bill(&c, &p);
    assert_eq!(lines(&s.installments[2]), ["IMP 666.67 USD"]);
    assert_eq!(s.line_total("IMP").unwrap(), usd("1000.00"));
}

#[test]
fn milestone_lines_in_a_periodically_billed_contract_still_bill_on_acceptance() {
    let c = contract(
        Currency::USD,
        "2026-01-01",
        "2026-03-31",
        BillingFrequency::Monthly,
        vec![subscription("SUB", "300.00"), implementation()],
    );
    let s = bill(&c, &Performance { milestones_accepted: vec![accepted("build", "2026-02-01")], ..Default::default() });
    // Same date, different period: the subscription month and the milestone
    // are two invoices.
    assert_eq!(
        summary(&s),
        [
            "2026-01-01 2026-01-01..2026-01-31 100.00 USD",
            "2026-02-01 2026-02-01..2026-02-01 333.33 USD",
            "2026-02-01 2026-02-01..2026-02-28 100.00 USD",
            "2026-03-01 2026-03-01..2026-03-31 100.00 USD",
        ]
    );
}

fn approve(hours: &str, on: &str) -> TimeApproval {
    TimeApproval { line: "TM".into(), hours: dec(hours), rate: None, approved_on: d(on) }
}

#[test]
fn time_and_materials_in_arrears_with_a_not_to_exceed_cap() {
    let mut tm = line("TM", LineKind::TimeAndMaterials, Recognition::TimeAndMaterials, "0");
    tm.unit_price = Some(dec("150.00"));
    tm.not_to_exceed_hours = Some(dec("100"));
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", BillingFrequency::TimeAndMaterials, vec![tm]);
    let p = Performance {
        time_approved: vec![
            approve("50", "2026-02-05"),
            approve("30", "2026-01-10"),
            approve("30", "2026-01-25"),
            approve("10", "2026-03-05"),
        ],
        ..Performance::default()
    };
    let s = bill(&c, &p);
    // January: 60 h x 150.00 = 9,000.00, invoiced Feb 1. February: 40 of the
    // 50 h fit under the 100 h cap = 6,000.00. March's 10 h are all beyond
    // the cap: nothing to bill, so no invoice.
    assert_eq!(
        summary(&s),
        ["2026-02-01 2026-01-01..2026-01-31 9000.00 USD", "2026-03-01 2026-02-01..2026-02-28 6000.00 USD"]
    );
    assert_eq!(s.installments[0].due_date, d("2026-03-03"));

    // Billed and recognized time agree to the cent, in total and month by
    // month (recognized in the month approved, billed the month after).
    let r = schedule(&c, &p, &[], RecognitionSettings::default()).unwrap();
    assert_eq!(s.total().unwrap(), r.total());
    assert_eq!(s.total().unwrap(), usd("15000.00"));
    let recognized: Vec<(String, Money)> =
        r.by_month().into_iter().filter(|(_, a)| !a.is_zero()).map(|(m, a)| (m.to_string(), a)).collect();
    let billed: Vec<(String, Money)> =
        s.installments.iter().map(|i| (i.period_start.format("%Y-%m").to_string(), total(i))).collect();
    assert_eq!(billed, recognized);
}

#[test]
fn usage_is_billed_on_the_first_of_the_following_month() {
    let mut usage = line("API", LineKind::Usage, Recognition::Usage, "0");
    usage.unit_price = Some(dec("0.0015"));
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", BillingFrequency::Usage, vec![usage]);
    let record =
        |q: &str, on: &str| UsageRecord { line: "API".into(), quantity: dec(q), unit_price: None, incurred_on: d(on) };
    let p = Performance {
        usage_recorded: vec![
            record("1234567", "2026-02-10"),
            record("1000", "2026-02-20"),
            record("10", "2026-03-01"),
            record("100", "2026-12-31"),
        ],
        ..Performance::default()
    };
    let s = bill(&c, &p);
    // Each record is extended on its own: 1,851.8505 -> 1,851.85, 1.50,
    // 0.015 -> 0.02 (half up), 0.15.
    assert_eq!(
        summary(&s),
        [
            "2026-03-01 2026-02-01..2026-02-28 1853.35 USD",
            "2026-04-01 2026-03-01..2026-03-31 0.02 USD",
            "2027-01-01 2026-12-01..2026-12-31 0.15 USD",
        ]
    );
    let r = schedule(&c, &p, &[], RecognitionSettings::default()).unwrap();
    assert_eq!(s.total().unwrap(), r.total());
}

#[test]
fn time_and_usage_share_an_invoice_when_period_and_date_agree() {
    let mut tm = line("TM", LineKind::TimeAndMaterials, Recognition::TimeAndMaterials, "0");
    tm.unit_price = Some(dec("100.00"));
    let mut api = line("API", LineKind::Usage, Recognition::Usage, "0");
    api.unit_price = Some(dec("0.10"));
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", BillingFrequency::Usage, vec![tm, api]);
    let p = Performance {
        time_approved: vec![approve("2", "2026-01-31")],
        usage_recorded: vec![UsageRecord {
            line: "API".into(),
            quantity: dec("25"),
            unit_price: None,
            incurred_on: d("2026-01-01"),
        }],
        ..Performance::default()
    };
    let s = bill(&c, &p);
    assert_eq!(summary(&s), ["2026-02-01 2026-01-01..2026-01-31 202.50 USD"]);
    assert_eq!(lines(&s.installments[0]), ["TM 200.00 USD", "API 2.50 USD"]);
}

#[test]
fn contract_in_jpy() {
    let c = contract(
        Currency::JPY,
        "2026-01-01",
        "2026-03-31",
        BillingFrequency::Monthly,
        vec![subscription("L1", "100000")],
    );
    let s = bill(&c, &Performance::default());
    assert_eq!(
        summary(&s),
        [
            "2026-01-01 2026-01-01..2026-01-31 33333 JPY",
            "2026-02-01 2026-02-01..2026-02-28 33334 JPY",
            "2026-03-01 2026-03-01..2026-03-31 33333 JPY",
        ]
    );
    assert_eq!(s.total().unwrap(), Money::parse("100000", Currency::JPY).unwrap());
}

#[test]
fn due_dates_follow_the_payment_terms() {
    let mut c = contract(
        Currency::USD,
        "2026-01-01",
        "2026-03-31",
        BillingFrequency::Monthly,
        vec![subscription("L1", "300.00")],
    );
    let due = |c: &Contract| -> Vec<String> {
        bill(c, &Performance::default()).installments.iter().map(|i| i.due_date.to_string()).collect()
    };
    assert_eq!(due(&c), ["2026-01-31", "2026-03-03", "2026-03-31"]);
    c.payment_terms = PaymentTerms::Upfront;
    assert_eq!(due(&c), ["2026-01-01", "2026-02-01", "2026-03-01"]);
    c.payment_terms = PaymentTerms::Net15;
    assert_eq!(due(&c), ["2026-01-16", "2026-02-16", "2026-03-16"]);
}

#[test]
fn billed_as_of_counts_invoices_issued_by_the_date() {
    let s = calendar_year(BillingFrequency::Monthly);
    assert_eq!(s.billed_as_of(d("2025-12-31")).unwrap(), usd("0.00"));
    assert_eq!(s.billed_as_of(d("2026-01-01")).unwrap(), usd("1000.00"));
    assert_eq!(s.billed_as_of(d("2026-02-28")).unwrap(), usd("2000.00"));
    assert_eq!(s.billed_as_of(d("2026-03-01")).unwrap(), usd("3000.00"));
    assert_eq!(s.billed_as_of(d("2030-01-01")).unwrap(), usd("12000.00"));
    let q = calendar_year(BillingFrequency::Quarterly);
    assert_eq!(q.billed_as_of(d("2026-03-31")).unwrap(), usd("3000.00"));
    assert_eq!(q.line_billed_as_of("L1", d("2026-04-01")).unwrap(), usd("6000.00"));
}

#[test]
fn invalid_inputs_are_errors() {
    let c = bundle();
    let p = Performance {
        milestones_accepted: vec![MilestoneAcceptance {
            line: "SUB".into(),
            milestone: "x".into(),
            accepted_on: d("2026-01-01"),
        }],
        ..Performance::default()
    };
    assert_eq!(
        billing_schedule(&c, &p, BillingSettings::default()),
        Err(Error::WrongMethod { line: "SUB".into(), method: "ratable", record: "milestone acceptance" })
    );
    let mut c = bundle();
    c.lines[0].price = dec("-1.00");
    assert_eq!(
        billing_schedule(&c, &Performance::default(), BillingSettings::default()),
        Err(Error::InvalidLine { line: "SUB".into(), field: "price", problem: "must not be negative".into() })
    );
    // 100,001 monthly periods is beyond what one line may be split into.
    let mut c = contract(
        Currency::USD,
        "2000-01-01",
        "2000-01-01",
        BillingFrequency::Monthly,
        vec![subscription("L1", "1.00")],
    );
    c.end_date = NaiveDate::from_ymd_opt(10_333, 5, 1).unwrap();
    assert_eq!(
        billing_schedule(&c, &Performance::default(), BillingSettings::default()),
        Err(Error::TooManyParts { count: 100_001, limit: 100_000 })
    );
}

#[test]
fn free_lines_bill_zero() {
    let mut imp = implementation();
    imp.price = Decimal::ZERO;
    let c = contract(
        Currency::USD,
        "2026-01-01",
        "2026-02-28",
        BillingFrequency::Monthly,
        vec![subscription("FREE", "0"), imp],
    );
    let s =
        bill(&c, &Performance { milestones_accepted: vec![accepted("design", "2026-01-05")], ..Default::default() });
    assert_eq!(
        summary(&s),
        [
            "2026-01-01 2026-01-01..2026-01-31 0.00 USD",
            "2026-01-05 2026-01-05..2026-01-05 0.00 USD",
            "2026-02-01 2026-02-01..2026-02-28 0.00 USD",
        ]
    );
}

#[cfg(feature = "serde")]
#[test]
fn serializes_as_plain_json() {
    let s = calendar_year(BillingFrequency::Annually);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"currency":"USD","installments":[{"invoice_date":"2026-01-01","due_date":"2026-01-31","#,
            r#""period_start":"2026-01-01","period_end":"2026-12-31","currency":"USD","#,
            r#""lines":[{"line":"L1","amount":{"amount":"12000.00","currency":"USD"}}]}]}"#
        )
    );
    let back: BillingSchedule = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}

fn frequency() -> impl Strategy<Value = BillingFrequency> {
    prop_oneof![Just(BillingFrequency::Monthly), Just(BillingFrequency::Quarterly), Just(BillingFrequency::Annually)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every fixed line bills its price exactly, over periods that tile its
    /// service period with no gap or overlap, each invoiced on its first day.
    #[test]
    fn fixed_lines_bill_their_price_over_periods_that_tile_the_service(
        start_offset in 0u64..15_000,
        days in 1u64..2_000,
        line_offsets in proptest::collection::vec((0u64..400, 0u64..400, 0i64..1_000_000_000), 1..4),
        frequency in frequency(),
        jpy in any::<bool>(),
    ) {
        let currency = if jpy { Currency::JPY } else { Currency::USD };
        let start = d("2000-01-01") + chrono::Days::new(start_offset);
        let end = start + chrono::Days::new(days - 1);
        let mut lines = Vec::new();
        for (i, &(from, to, minor)) in line_offsets.iter().enumerate() {
            let mut l = subscription(&format!("L{i}"), "0");
            l.price = Money::from_minor(minor, currency).amount;
            // Lines may start late and end early, inside the contract.
            let line_start = start + chrono::Days::new(from.min(days - 1));
            let line_end = end - chrono::Days::new(to.min(days - 1));
            if line_start <= line_end {
                l.start_date = Some(line_start);
                l.end_date = Some(line_end);
            }
            lines.push(l);
        }
        let c = Contract {
            contract: "P".into(),
            customer: String::new(),
            currency,
            start_date: start,
            end_date: end,
            billing_frequency: frequency,
            payment_terms: PaymentTerms::Net30,
            lines,
        };
        let s = billing_schedule(&c, &Performance::default(), BillingSettings::default()).unwrap();
        let sorted = s.installments.windows(2).all(|w| {
            (w[0].invoice_date, w[0].period_start) <= (w[1].invoice_date, w[1].period_start)
        });
        prop_assert!(sorted);
        for l in &c.lines {
            prop_assert_eq!(s.line_total(&l.line).unwrap(), Money::new(l.price, currency));
            let period = c.service_period(l).unwrap();
            let mut mine: Vec<&Installment> =
                s.installments.iter().filter(|i| i.lines.iter().any(|x| x.line == l.line)).collect();
            mine.sort_by_key(|i| i.period_start);
            prop_assert_eq!(mine[0].period_start, period.start());
            prop_assert_eq!(mine[mine.len() - 1].period_end, period.end());
            for pair in mine.windows(2) {
                prop_assert_eq!(pair[0].period_end.succ_opt().unwrap(), pair[1].period_start);
            }
            for i in &mine {
                prop_assert!(i.period_start <= i.period_end);
                prop_assert_eq!(i.invoice_date, i.period_start);
                prop_assert_eq!(i.lines.iter().filter(|x| x.line == l.line).count(), 1);
            }
        }
    }
}

#[test]
fn line_starting_mid_period_is_prorated_on_the_contract_cycle() {
    let mut late = subscription("ADDON", "1000.00");
    late.start_date = Some(d("2026-03-15"));
    let c = contract(
        Currency::USD,
        "2026-01-01",
        "2026-12-31",
        BillingFrequency::Quarterly,
        vec![subscription("SUB", "12000.00"), late],
    );
    let s = bill(&c, &Performance::default());
    // Q1 runs Jan 1 - Mar 31 (90 days); ADDON covers Mar 15-31, 17 of them.
    // Weights 17, 90, 90, 90 (287): 1,000 x 17/287 = 59.23, then cumulative
    // 372.82, 686.41, 1,000.00.
    assert_eq!(
        summary(&s),
        [
            "2026-01-01 2026-01-01..2026-03-31 3000.00 USD",
            "2026-03-15 2026-03-15..2026-03-31 59.23 USD",
            "2026-04-01 2026-04-01..2026-06-30 3313.59 USD",
            "2026-07-01 2026-07-01..2026-09-30 3313.59 USD",
            "2026-10-01 2026-10-01..2026-12-31 3313.59 USD",
        ]
    );
}

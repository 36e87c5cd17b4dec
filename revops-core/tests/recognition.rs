//! Recognition schedules with exact expected amounts, through the public API.

use revops_core::modification::{LineChange, Modification, Treatment};
use revops_core::performance::{Delivery, MilestoneAcceptance, Performance, TimeApproval, UsageRecord};
use revops_core::recognition::{schedule, RecognitionSettings};
use revops_core::schedule::{EntryKind, RevenueSchedule};
use revops_core::terms::*;
use revops_core::{Currency, Decimal, Error, NaiveDate};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
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

fn subscription(id: &str, price: &str, basis: RatableBasis) -> ContractLine {
    line(id, LineKind::Subscription, Recognition::Ratable { basis }, price)
}

fn contract(currency: Currency, start: &str, end: &str, lines: Vec<ContractLine>) -> Contract {
    Contract {
        contract: "C-100".into(),
        customer: "ACME".into(),
        currency,
        start_date: d(start),
        end_date: d(end),
        billing_frequency: BillingFrequency::Monthly,
        payment_terms: PaymentTerms::Net30,
        lines,
    }
}

fn run(c: &Contract, p: &Performance, m: &[Modification]) -> RevenueSchedule {
    schedule(c, p, m, RecognitionSettings::default()).unwrap()
}

/// (period_start, period_end, amount in minor units, kind) of line `index`.
fn rows(s: &RevenueSchedule, index: usize) -> Vec<(String, String, i64, EntryKind)> {
    s.line_entries(index)
        .map(|e| (e.period_start.to_string(), e.period_end.to_string(), e.amount_minor, e.kind))
        .collect()
}

fn amounts(s: &RevenueSchedule, index: usize) -> Vec<i64> {
    s.line_entries(index).map(|e| e.amount_minor).collect()
}

#[test]
fn annual_contract_from_jan_15_monthly_basis() {
    let c = contract(
        Currency::USD,
        "2026-01-15",
        "2027-01-14",
        vec![subscription("L1", "12000.00", RatableBasis::Monthly)],
    );
    let s = run(&c, &Performance::default(), &[]);
    let mut expected = vec![54_839];
    expected.extend([100_000; 11]);
    expected.push(45_161);
    assert_eq!(amounts(&s, 0), expected);
    let r = rows(&s, 0);
    assert_eq!(r[0].0, "2026-01-15");
    assert_eq!(r[0].1, "2026-01-31");
    assert_eq!(r[12].0, "2027-01-01");
    assert_eq!(r[12].1, "2027-01-14");
    assert_eq!(s.recognized_as_of(d("2026-01-30")).to_string(), "0.00 USD");
    assert_eq!(s.recognized_as_of(d("2026-01-31")).to_string(), "548.39 USD");
    assert_eq!(s.recognized_as_of(d("2026-06-30")).to_string(), "5548.39 USD");
    assert_eq!(s.deferred_as_of(d("2026-06-30")).to_string(), "6451.61 USD");
    assert_eq!(s.recognized_as_of(d("2027-01-14")).to_string(), "12000.00 USD");
    assert_eq!(s.deferred_as_of(d("2027-01-14")).to_string(), "0.00 USD");
}

#[test]
fn annual_contract_from_jan_15_daily_basis() {
    let c =
        contract(Currency::USD, "2026-01-15", "2027-01-14", vec![subscription("L1", "12000.00", RatableBasis::Daily)]);
    let s = run(&c, &Performance::default(), &[]);
    assert_eq!(
        amounts(&s, 0),
        [55_890, 92_055, 101_918, 98_630, 101_918, 98_630, 101_918, 101_918, 98_630, 101_918, 98_630, 101_918, 46_027]
    );
    assert_eq!(s.recognized_as_of(d("2026-02-28")).to_string(), "1479.45 USD");
    let waterfall: Vec<String> = s.by_month().iter().map(|(m, a)| format!("{m} {a}")).collect();
    assert_eq!(waterfall[0], "2026-01 558.90 USD");
    assert_eq!(waterfall[12], "2027-01 460.27 USD");
}

/// A subscription, an implementation paid by milestones and a perpetual
/// license sold together for 30,000.00 against SSPs of 12,000, 4,000 and
/// 20,000: allocated 10,000.00 / 3,333.33 / 16,666.67.
fn bundle() -> Contract {
    let mut sub = subscription("SUB", "12000.00", RatableBasis::Monthly);
    sub.ssp = Some(dec("12000"));
    sub.price = dec("10000.00");
    let mut imp = line("IMP", LineKind::Milestone, Recognition::Milestone, "5000.00");
    imp.ssp = Some(dec("4000"));
    imp.milestones = vec![
        Milestone { milestone: "design".into(), amount: dec("3000.00"), due_on: Some(d("2026-03-01")) },
        Milestone { milestone: "go-live".into(), amount: dec("2000.00"), due_on: Some(d("2026-06-01")) },
    ];
    let mut lic = line("LIC", LineKind::PerpetualLicense, Recognition::PointInTime, "15000.00");
    lic.ssp = Some(dec("20000"));
    contract(Currency::USD, "2026-01-01", "2026-12-31", vec![sub, imp, lic])
}

#[test]
fn three_line_bundle_is_allocated_by_ssp_before_recognition() {
    let c = bundle();
    let p = Performance {
        milestones_accepted: vec![MilestoneAcceptance {
            line: "IMP".into(),
            milestone: "design".into(),
            accepted_on: d("2026-03-10"),
        }],
        deliveries: vec![Delivery { line: "LIC".into(), delivered_on: d("2026-01-20") }],
        ..Performance::default()
    };
    let s = run(&c, &p, &[]);
    assert_eq!(s.line_total(0).to_string(), "10000.00 USD");
    assert_eq!(s.line_total(1).to_string(), "3333.33 USD");
    assert_eq!(s.line_total(2).to_string(), "16666.67 USD");
    assert_eq!(s.total().to_string(), "30000.00 USD");
    let sub: Vec<i64> = (1..=12).map(|m| if m % 3 == 2 { 83_334 } else { 83_333 }).collect();
    assert_eq!(amounts(&s, 0), sub);
    // design carries 60 % of 3,333.33: 2,000.00; go-live is not accepted yet.
    assert_eq!(rows(&s, 1), [("2026-03-10".into(), "2026-03-10".into(), 200_000, EntryKind::Recognition)]);
    assert_eq!(rows(&s, 2), [("2026-01-20".into(), "2026-01-20".into(), 1_666_667, EntryKind::Recognition)]);
    assert_eq!(s.recognized_as_of(d("2026-03-09")).to_string(), "18333.34 USD");
    assert_eq!(s.recognized_as_of(d("2026-03-31")).to_string(), "21166.67 USD");
    assert_eq!(s.deferred_as_of(d("2026-03-31")).to_string(), "8833.33 USD");
    // go-live's 1,333.33 stays deferred after the service period ends.
    assert_eq!(s.line_deferred_as_of(1, d("2027-06-30")).to_string(), "1333.33 USD");
}

#[test]
fn milestone_revenue_waits_for_acceptance_not_delivery() {
    let c = bundle();
    let mut p = Performance::default();
    let s = run(&c, &p, &[]);
    assert_eq!(s.line_recognized_as_of(1, d("2030-01-01")).to_string(), "0.00 USD");
    p.milestones_accepted.push(MilestoneAcceptance {
        line: "IMP".into(),
        milestone: "go-live".into(),
        accepted_on: d("2026-06-15"),
    });
    let s = run(&c, &p, &[]);
    assert_eq!(s.line_recognized_as_of(1, d("2026-06-14")).to_string(), "0.00 USD");
    assert_eq!(s.line_recognized_as_of(1, d("2026-06-15")).to_string(), "1333.33 USD");
}

#[test]
fn point_in_time_without_delivery_is_recognized_on_the_start_date() {
    let c = bundle();
    let s = run(&c, &Performance::default(), &[]);
    assert_eq!(rows(&s, 2), [("2026-01-01".into(), "2026-01-01".into(), 1_666_667, EntryKind::Recognition)]);
}

fn twelve_thousand_calendar_year() -> Contract {
    contract(Currency::USD, "2026-01-01", "2026-12-31", vec![subscription("L1", "12000.00", RatableBasis::Monthly)])
}

fn upgrade(treatment: Treatment) -> Modification {
    Modification {
        effective_on: d("2026-05-01"),
        treatment,
        changes: vec![LineChange::Amend { line: "L1".into(), price: Some(dec("14400.00")), ssp: None, end_date: None }],
    }
}

#[test]
fn prospective_modification_in_month_five() {
    let c = twelve_thousand_calendar_year();
    let s = run(&c, &Performance::default(), &[upgrade(Treatment::Prospective)]);
    let mut expected = vec![100_000; 4];
    expected.extend([130_000; 8]);
    assert_eq!(amounts(&s, 0), expected);
    assert_eq!(s.line_total(0).to_string(), "14400.00 USD");
    assert_eq!(s.recognized_as_of(d("2026-05-31")).to_string(), "5300.00 USD");
}

#[test]
fn cumulative_catch_up_modification_in_month_five() {
    let c = twelve_thousand_calendar_year();
    let s = run(&c, &Performance::default(), &[upgrade(Treatment::CumulativeCatchUp)]);
    let r = rows(&s, 0);
    assert_eq!(r.len(), 13);
    assert!(r[..4].iter().all(|e| e.2 == 100_000 && e.3 == EntryKind::Recognition));
    assert_eq!(r[4], ("2026-05-01".into(), "2026-05-01".into(), 80_000, EntryKind::CatchUp));
    assert!(r[5..].iter().all(|e| e.2 == 120_000));
    assert_eq!(r[5].0, "2026-05-01");
    let may = s.by_month().into_iter().find(|(m, _)| m.to_string() == "2026-05").unwrap().1;
    assert_eq!(may.to_string(), "2000.00 USD");
    assert_eq!(s.recognized_as_of(d("2026-05-01")).to_string(), "4800.00 USD");
    assert_eq!(s.total().to_string(), "14400.00 USD");
}

#[test]
fn mid_month_prospective_modification_takes_the_whole_month() {
    let c = twelve_thousand_calendar_year();
    let m = Modification {
        effective_on: d("2026-05-16"),
        treatment: Treatment::Prospective,
        changes: vec![LineChange::Amend { line: "L1".into(), price: Some(dec("13000.00")), ssp: None, end_date: None }],
    };
    let s = run(&c, &Performance::default(), &[m]);
    // May is recognized on May 31, after the effective date: Jan-Apr stay at
    // 1,000.00 and 13,000 - 4,000 = 9,000.00 goes over May-Dec.
    let mut expected = vec![100_000; 4];
    expected.extend([112_500; 8]);
    assert_eq!(amounts(&s, 0), expected);
    assert_eq!(rows(&s, 0)[4].0, "2026-05-01");
    // What was recognized, and the total in force, before the effective date do not move.
    assert_eq!(s.recognized_as_of(d("2026-05-15")).to_string(), "4000.00 USD");
    assert_eq!(s.total_as_of(d("2026-05-15")).to_string(), "12000.00 USD");
    assert_eq!(s.deferred_as_of(d("2026-05-15")).to_string(), "8000.00 USD");
    assert_eq!(s.total_as_of(d("2026-05-16")).to_string(), "13000.00 USD");
    assert_eq!(s.deferred_as_of(d("2026-05-16")).to_string(), "9000.00 USD");
}

#[test]
fn modification_after_the_service_ended_never_backdates_revenue() {
    let c = contract(
        Currency::USD,
        "2026-01-15",
        "2027-01-14",
        vec![subscription("L1", "12000.00", RatableBasis::Monthly)],
    );
    let m = Modification {
        effective_on: d("2027-01-20"),
        treatment: Treatment::Prospective,
        changes: vec![LineChange::Amend { line: "L1".into(), price: Some(dec("12100.00")), ssp: None, end_date: None }],
    };
    let s = run(&c, &Performance::default(), &[m]);
    let r = rows(&s, 0);
    assert_eq!(r[12].2, 45_161);
    assert_eq!(r[13], ("2027-01-20".into(), "2027-01-20".into(), 10_000, EntryKind::Remainder));
    assert_eq!(s.recognized_as_of(d("2027-01-19")).to_string(), "12000.00 USD");
}

#[test]
fn separate_contract_lines_have_their_own_schedule() {
    let c = twelve_thousand_calendar_year();
    let mut addon = subscription("ADDON", "1200.00", RatableBasis::Monthly);
    addon.end_date = Some(d("2026-12-31"));
    let m = Modification {
        effective_on: d("2026-07-01"),
        treatment: Treatment::SeparateContract,
        changes: vec![LineChange::Add { line: addon }],
    };
    let s = run(&c, &Performance::default(), &[m]);
    assert_eq!(amounts(&s, 0), vec![100_000; 12]);
    assert_eq!(s.line_ids(), ["L1", "ADDON"]);
    assert_eq!(amounts(&s, 1), vec![20_000; 6]);
    assert_eq!(rows(&s, 1)[0].0, "2026-07-01");
}

#[test]
fn separate_contract_refuses_amendments() {
    let c = twelve_thousand_calendar_year();
    let mut m = upgrade(Treatment::SeparateContract);
    m.effective_on = d("2026-05-01");
    assert_eq!(
        schedule(&c, &Performance::default(), &[m], RecognitionSettings::default()),
        Err(Error::InvalidModification {
            effective_on: d("2026-05-01"),
            problem: "a separate contract only adds lines".into()
        })
    );
}

#[test]
fn removing_a_line_keeps_what_was_recognized() {
    let c = twelve_thousand_calendar_year();
    let m = Modification {
        effective_on: d("2026-10-01"),
        treatment: Treatment::Prospective,
        changes: vec![LineChange::Remove { line: "L1".into() }],
    };
    let s = run(&c, &Performance::default(), &[m]);
    assert_eq!(amounts(&s, 0), vec![100_000; 9]);
    assert_eq!(s.total().to_string(), "9000.00 USD");
    assert_eq!(s.deferred_as_of(d("2026-12-31")).to_string(), "0.00 USD");
}

#[test]
fn extension_after_the_term_books_the_remainder_on_the_effective_date() {
    let c = twelve_thousand_calendar_year();
    let m = Modification {
        effective_on: d("2027-02-01"),
        treatment: Treatment::Prospective,
        changes: vec![LineChange::Amend { line: "L1".into(), price: Some(dec("12500.00")), ssp: None, end_date: None }],
    };
    let s = run(&c, &Performance::default(), &[m]);
    let r = rows(&s, 0);
    assert_eq!(r.len(), 13);
    assert_eq!(r[12], ("2027-02-01".into(), "2027-02-01".into(), 50_000, EntryKind::Remainder));
}

#[test]
fn contract_in_jpy() {
    let c =
        contract(Currency::JPY, "2026-01-01", "2026-03-31", vec![subscription("L1", "100000", RatableBasis::Monthly)]);
    let s = run(&c, &Performance::default(), &[]);
    assert_eq!(amounts(&s, 0), [33_333, 33_334, 33_333]);
    assert_eq!(s.recognized_as_of(d("2026-02-28")).to_string(), "66667 JPY");
}

#[test]
fn time_and_materials_on_approval_with_a_not_to_exceed_cap() {
    let mut tm = line("TM", LineKind::TimeAndMaterials, Recognition::TimeAndMaterials, "0");
    tm.unit_price = Some(dec("150.00"));
    tm.not_to_exceed_hours = Some(dec("100"));
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", vec![tm]);
    let approve =
        |hours: &str, on: &str| TimeApproval { line: "TM".into(), hours: dec(hours), rate: None, approved_on: d(on) };
    let p = Performance {
        time_approved: vec![approve("50", "2026-03-05"), approve("60", "2026-02-05"), approve("10", "2026-04-05")],
        ..Performance::default()
    };
    let s = run(&c, &p, &[]);
    // 60 h, then 40 of the 50 h (the cap is 100 h), then nothing.
    assert_eq!(amounts(&s, 0), [900_000, 600_000, 0]);
    assert_eq!(s.recognized_as_of(d("2026-02-04")).to_string(), "0.00 USD");
    assert_eq!(s.total().to_string(), "15000.00 USD");
}

#[test]
fn usage_in_the_month_incurred() {
    let mut usage = line("API", LineKind::Usage, Recognition::Usage, "0");
    usage.unit_price = Some(dec("0.0015"));
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", vec![usage]);
    let record =
        |q: &str, on: &str| UsageRecord { line: "API".into(), quantity: dec(q), unit_price: None, incurred_on: d(on) };
    let p = Performance {
        usage_recorded: vec![record("1234567", "2026-02-10"), record("1000", "2026-02-20"), record("10", "2026-03-01")],
        ..Performance::default()
    };
    let s = run(&c, &p, &[]);
    assert_eq!(
        rows(&s, 0),
        [
            ("2026-02-01".into(), "2026-02-28".into(), 185_335, EntryKind::Recognition),
            ("2026-03-01".into(), "2026-03-31".into(), 2, EntryKind::Recognition),
        ]
    );
    assert_eq!(s.recognized_as_of(d("2026-02-27")).to_string(), "0.00 USD");
}

#[test]
fn performance_records_must_fit_their_lines() {
    let c = bundle();
    let bad_line = Performance {
        deliveries: vec![Delivery { line: "NOPE".into(), delivered_on: d("2026-01-01") }],
        ..Performance::default()
    };
    assert_eq!(
        schedule(&c, &bad_line, &[], RecognitionSettings::default()),
        Err(Error::UnknownLine { line: "NOPE".into() })
    );
    let wrong = Performance {
        deliveries: vec![Delivery { line: "SUB".into(), delivered_on: d("2026-01-01") }],
        ..Performance::default()
    };
    assert_eq!(
        schedule(&c, &wrong, &[], RecognitionSettings::default()),
        Err(Error::WrongMethod { line: "SUB".into(), method: "ratable", record: "delivery" })
    );
    let unknown = Performance {
        milestones_accepted: vec![MilestoneAcceptance {
            line: "IMP".into(),
            milestone: "launch".into(),
            accepted_on: d("2026-01-01"),
        }],
        ..Performance::default()
    };
    assert_eq!(
        schedule(&c, &unknown, &[], RecognitionSettings::default()),
        Err(Error::UnknownMilestone { line: "IMP".into(), milestone: "launch".into() })
    );
}

#[test]
fn invalid_terms_are_refused_with_the_field_named() {
    let mut c = twelve_thousand_calendar_year();
    c.lines[0].price = dec("-1.00");
    assert_eq!(
        schedule(&c, &Performance::default(), &[], RecognitionSettings::default()),
        Err(Error::InvalidLine { line: "L1".into(), field: "price", problem: "must not be negative".into() })
    );
    let mut c = twelve_thousand_calendar_year();
    c.lines[0].ssp = Some(dec("-5"));
    assert!(matches!(
        schedule(&c, &Performance::default(), &[], RecognitionSettings::default()),
        Err(Error::InvalidLine { field: "ssp", .. })
    ));
    let mut c = twelve_thousand_calendar_year();
    c.end_date = d("2025-12-31");
    assert_eq!(
        schedule(&c, &Performance::default(), &[], RecognitionSettings::default()),
        Err(Error::EndBeforeStart { start: d("2026-01-01"), end: d("2025-12-31") })
    );
    let mut c = twelve_thousand_calendar_year();
    c.lines[0].price = dec("10.001");
    assert!(matches!(
        schedule(&c, &Performance::default(), &[], RecognitionSettings::default()),
        Err(Error::InvalidLine { field: "price", .. })
    ));
}

#[test]
fn remainder_last_policy_for_parity() {
    let c =
        contract(Currency::USD, "2026-01-01", "2026-12-31", vec![subscription("L1", "1000.00", RatableBasis::Monthly)]);
    let settings = RecognitionSettings {
        spread: revops_core::rounding::SpreadRule::RemainderLast,
        ..RecognitionSettings::default()
    };
    let s = schedule(&c, &Performance::default(), &[], settings).unwrap();
    let mut expected = vec![8_333; 11];
    expected.push(8_337);
    assert_eq!(amounts(&s, 0), expected);
}

#[test]
fn prospective_change_to_one_line_of_a_bundle_leaves_the_others_alone() {
    let c = bundle();
    let p = Performance {
        deliveries: vec![Delivery { line: "LIC".into(), delivered_on: d("2026-01-20") }],
        ..Performance::default()
    };
    let m = Modification {
        effective_on: d("2026-07-01"),
        treatment: Treatment::Prospective,
        changes: vec![LineChange::Amend {
            line: "SUB".into(),
            price: Some(dec("11200.00")),
            ssp: None,
            end_date: None,
        }],
    };
    let s = run(&c, &p, &[m]);
    // 10,000.00 allocated + 1,200.00 added; 5,000.00 recognized Jan-Jun; 6,200.00 over Jul-Dec.
    assert_eq!(s.line_total(0).to_string(), "11200.00 USD");
    assert_eq!(&amounts(&s, 0)[6..], [103_333, 103_334, 103_333, 103_333, 103_334, 103_333]);
    assert_eq!(s.line_total(1).to_string(), "3333.33 USD");
    assert_eq!(rows(&s, 2), [("2026-01-20".into(), "2026-01-20".into(), 1_666_667, EntryKind::Recognition)]);
    assert_eq!(s.total().to_string(), "31200.00 USD");
}

#[test]
fn catch_up_change_to_a_bundle_reallocates_and_adjusts_the_delivered_license() {
    let c = bundle();
    let p = Performance {
        deliveries: vec![Delivery { line: "LIC".into(), delivered_on: d("2026-01-20") }],
        ..Performance::default()
    };
    let m = Modification {
        effective_on: d("2026-07-01"),
        treatment: Treatment::CumulativeCatchUp,
        changes: vec![LineChange::Amend {
            line: "SUB".into(),
            price: Some(dec("16000.00")),
            ssp: None,
            end_date: None,
        }],
    };
    let s = run(&c, &p, &[m]);
    // 36,000.00 over SSPs 12,000 / 4,000 / 20,000: 12,000.00 / 4,000.00 / 20,000.00.
    assert_eq!(s.line_total(0).to_string(), "12000.00 USD");
    assert_eq!(s.line_total(1).to_string(), "4000.00 USD");
    assert_eq!(s.line_total(2).to_string(), "20000.00 USD");
    // SUB: 6,000.00 was due by June under the new terms, 5,000.00 was recognized.
    let sub = rows(&s, 0);
    assert_eq!(sub[6], ("2026-07-01".into(), "2026-07-01".into(), 100_000, EntryKind::CatchUp));
    assert!(sub[7..].iter().all(|e| e.2 == 100_000));
    // The license was satisfied in January: its whole difference is caught up on the effective date.
    assert_eq!(rows(&s, 2)[1], ("2026-07-01".into(), "2026-07-01".into(), 333_333, EntryKind::CatchUp));
    assert_eq!(s.total().to_string(), "36000.00 USD");
}

fn tm_line(rate: &str) -> ContractLine {
    let mut tm = line("TM", LineKind::TimeAndMaterials, Recognition::TimeAndMaterials, "0");
    tm.unit_price = Some(dec(rate));
    tm
}

fn approvals(records: &[(&str, &str)]) -> Performance {
    Performance {
        time_approved: records
            .iter()
            .map(|(hours, on)| TimeApproval { line: "TM".into(), hours: dec(hours), rate: None, approved_on: d(on) })
            .collect(),
        ..Performance::default()
    }
}

#[test]
fn variable_revenue_is_in_the_total_from_the_day_it_is_recognized() {
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", vec![tm_line("100.00")]);
    let s = run(&c, &approvals(&[("1", "2026-01-05"), ("2", "2026-08-05")]), &[]);
    assert_eq!(s.total().to_string(), "300.00 USD");
    assert_eq!(s.recognized_as_of(d("2026-03-01")).to_string(), "100.00 USD");
    assert_eq!(s.total_as_of(d("2026-03-01")).to_string(), "100.00 USD");
    assert_eq!(s.deferred_as_of(d("2026-03-01")).to_string(), "0.00 USD");
}

#[test]
fn removing_a_variable_line_drops_what_is_performed_from_then_on() {
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", vec![tm_line("100.00")]);
    let remove = Modification {
        effective_on: d("2026-06-01"),
        treatment: Treatment::Prospective,
        changes: vec![LineChange::Remove { line: "TM".into() }],
    };
    let s = run(&c, &approvals(&[("1", "2026-01-05"), ("2", "2026-08-05")]), &[remove]);
    assert_eq!(amounts(&s, 0), [10_000]);
    assert_eq!(s.total().to_string(), "100.00 USD");
    let amend = Modification {
        effective_on: d("2026-06-01"),
        treatment: Treatment::Prospective,
        changes: vec![LineChange::Amend { line: "TM".into(), price: None, ssp: None, end_date: Some(d("2026-09-30")) }],
    };
    assert!(matches!(
        schedule(&c, &Performance::default(), &[amend], RecognitionSettings::default()),
        Err(Error::InvalidModification { .. })
    ));
}

#[test]
fn variable_totals_beyond_the_range_are_errors_not_wraparounds() {
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", vec![tm_line("10000000000000000")]);
    let ten: Vec<(&str, &str)> = (0..10).map(|_| ("1", "2026-02-01")).collect();
    assert!(matches!(
        schedule(&c, &approvals(&ten), &[], RecognitionSettings::default()),
        Err(Error::MinorUnitsOutOfRange { .. })
    ));
}

#[test]
fn a_separate_contract_cannot_start_or_perform_before_it_exists() {
    let c = twelve_thousand_calendar_year();
    let mut early = subscription("X", "600.00", RatableBasis::Monthly);
    early.start_date = Some(d("2026-01-01"));
    let m = Modification {
        effective_on: d("2026-06-01"),
        treatment: Treatment::SeparateContract,
        changes: vec![LineChange::Add { line: early }],
    };
    assert!(matches!(
        schedule(&c, &Performance::default(), &[m], RecognitionSettings::default()),
        Err(Error::InvalidLine { field: "start_date", .. })
    ));
    let license = line("LIC2", LineKind::PerpetualLicense, Recognition::PointInTime, "500.00");
    let m = Modification {
        effective_on: d("2026-06-01"),
        treatment: Treatment::SeparateContract,
        changes: vec![LineChange::Add { line: license }],
    };
    let delivered_early = Performance {
        deliveries: vec![Delivery { line: "LIC2".into(), delivered_on: d("2026-05-20") }],
        ..Performance::default()
    };
    assert_eq!(
        schedule(&c, &delivered_early, std::slice::from_ref(&m), RecognitionSettings::default()),
        Err(Error::InvalidLine {
            line: "LIC2".into(),
            field: "delivered_on",
            problem: "2026-05-20 is before the line was added on 2026-06-01".into()
        })
    );
    // Delivered on the effective date: recognized then, and nothing before.
    let on_time = Performance {
        deliveries: vec![Delivery { line: "LIC2".into(), delivered_on: d("2026-06-01") }],
        ..Performance::default()
    };
    let s = run(&c, &on_time, &[m]);
    assert_eq!(s.recognized_as_of(d("2026-05-31")).to_string(), "5000.00 USD");
    assert_eq!(s.deferred_as_of(d("2026-05-31")).to_string(), "7000.00 USD");
    assert_eq!(s.recognized_as_of(d("2026-06-01")).to_string(), "5500.00 USD");
}

#[test]
fn limits_and_contract_level_errors_name_the_field() {
    let c = twelve_thousand_calendar_year();
    let adds: Vec<LineChange> = (0..1_500)
        .map(|i| LineChange::Add { line: subscription(&format!("A{i}"), "1.00", RatableBasis::Monthly) })
        .collect();
    let m = Modification { effective_on: d("2026-06-01"), treatment: Treatment::SeparateContract, changes: adds };
    assert_eq!(
        schedule(&c, &Performance::default(), &[m], RecognitionSettings::default()),
        Err(Error::TooManyParts { count: 1_501, limit: MAX_LINES })
    );
    let mut empty = twelve_thousand_calendar_year();
    empty.lines.clear();
    assert_eq!(
        schedule(&empty, &Performance::default(), &[], RecognitionSettings::default()),
        Err(Error::InvalidContract {
            contract: "C-100".into(),
            field: "lines",
            problem: "must hold at least one line".into()
        })
    );
    let mut late = twelve_thousand_calendar_year();
    late.lines[0].start_date = Some(d("2027-02-01"));
    assert_eq!(
        schedule(&late, &Performance::default(), &[], RecognitionSettings::default()),
        Err(Error::InvalidLine {
            line: "L1".into(),
            field: "start_date",
            problem: "service from 2027-02-01 to 2026-12-31 ends before it starts".into()
        })
    );
    let c = contract(Currency::USD, "2026-01-01", "2026-12-31", vec![tm_line("100.00")]);
    let mut negative = approvals(&[("1", "2026-01-05")]);
    negative.time_approved[0].rate = Some(dec("-1"));
    assert_eq!(
        schedule(&c, &negative, &[], RecognitionSettings::default()),
        Err(Error::InvalidLine { line: "TM".into(), field: "rate", problem: "must not be negative".into() })
    );
}

//! Revenue-schedule scenarios: per contract and line, to the cent, by date.

mod ledger_support;

use ledger_support::*;
use revops_projections::revops_core::calendar::YearMonth;
use revops_projections::revops_core::schedule::EntryKind;
use revops_projections::schedules::RecognitionMethod;
use serde_json::json;

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

#[test]
fn annual_upfront_contract_and_line_figures() {
    let s = schedules(&log(&[
        customer("ACME"),
        subscription("C-1", "1000.00"),
        invoice("INV-1", "C-1", "2026-01-01", "SUB", "1000.00", "88.75"),
    ]));
    let c = s.contract("C-1", d("2026-02-28")).unwrap();
    assert_eq!(
        (c.total.as_str(), c.recognized.as_str(), c.remaining.as_str(), c.billed.as_str()),
        ("1000.00", "166.67", "833.33", "1000.00")
    );
    assert_eq!((c.deferred.as_str(), c.unbilled.as_str()), ("833.33", "0.00"));
    let line = &c.lines[0];
    assert_eq!((line.line.as_str(), line.term, line.method), ("SUB", 0, RecognitionMethod::Ratable));
    assert_eq!(line.entries.len(), 12);
    let february = &line.entries[1];
    assert_eq!(
        (february.month, february.amount.as_str(), february.kind),
        (ym(2026, 2), "83.34", EntryKind::Recognition)
    );
    assert!(february.recognized && !line.entries[2].recognized);
    // Not signed yet on the last day of 2025.
    assert!(s.contract("C-1", d("2025-12-31")).is_none());
    assert!(s.contract("C-404", d("2026-12-31")).is_none());
}

#[test]
fn milestones_and_time_update_the_schedule_as_performed() {
    let envelopes = log(&[
        customer("ACME"),
        contract(
            "C-2",
            "milestone",
            json!([milestone_line(),
                   {"line": "TM", "kind": "time_and_materials", "unit_price": "150.00",
                    "recognition": {"method": "time_and_materials"}}]),
        ),
        milestone("milestone_delivered", "C-2", "design", "2026-02-10"),
        milestone("milestone_accepted", "C-2", "design", "2026-02-20"),
        json!({"type": "time_approved", "contract": "C-2", "line": "TM", "hours": "4", "approved_on": "2026-03-05"}),
        invoice("INV-1", "C-2", "2026-03-01", "IMP", "5000.00", "0.00"),
    ]);
    let s = schedules(&envelopes[..3]); // delivered, not accepted
    let before = s.contract("C-2", d("2026-12-31")).unwrap();
    assert_eq!((before.recognized.as_str(), before.total.as_str()), ("0.00", "10000.00"));
    let s = schedules(&envelopes);
    let c = s.contract("C-2", d("2026-03-31")).unwrap();
    assert_eq!((c.total.as_str(), c.recognized.as_str(), c.remaining.as_str()), ("10600.00", "4600.00", "6000.00"));
    assert_eq!((c.billed.as_str(), c.deferred.as_str(), c.unbilled.as_str()), ("5000.00", "400.00", "0.00"));
    let tm = &c.lines[1];
    assert_eq!((tm.method, tm.recognized.as_str()), (RecognitionMethod::TimeAndMaterials, "600.00"));
    assert_eq!((tm.entries[0].period_end, tm.entries[0].amount.as_str()), (d("2026-03-05"), "600.00"));
    // Before the acceptance: billed ahead of nothing recognized.
    let early = s.contract("C-2", d("2026-02-19")).unwrap();
    assert_eq!((early.recognized.as_str(), early.unbilled.as_str()), ("0.00", "0.00"));
}

#[test]
fn credit_memos_and_cancellation_keep_the_contract_identity() {
    let s = schedules(&log(&[
        customer("ACME"),
        subscription("C-3", "12000.00"),
        invoice("INV-1", "C-3", "2026-01-01", "SUB", "6000.00", "600.00"),
        json!({"type": "credit_memo_issued", "memo": "CM-1", "invoice": "INV-1", "amount": "660.00", "currency": "USD",
               "issued_on": "2026-02-05", "reason": "service credit", "approved_by": "Dana",
               "approver_role": "vp_revenue_operations"}),
        json!({"type": "contract_cancelled", "contract": "C-3", "effective_on": "2026-08-01", "reason": "churned"}),
    ]));
    let c = s.contract("C-3", d("2026-12-31")).unwrap();
    // Seven months recognized, nothing after the cancellation.
    assert_eq!((c.recognized.as_str(), c.total.as_str(), c.remaining.as_str()), ("7000.00", "7000.00", "0.00"));
    assert_eq!((c.billed.as_str(), c.credited.as_str(), c.billed_net.as_str()), ("6000.00", "600.00", "5400.00"));
    assert_eq!((c.net_recognized.as_str(), c.deferred.as_str(), c.unbilled.as_str()), ("6400.00", "0.00", "1000.00"));
}

/// A cancellation removes the lines of a contract and of the separate
/// contracts modifications added to it. revops-core refuses one
/// modification across separate contracts, so the cancellation used to
/// leave the whole term unscheduled (no revenue at all) once a
/// `separate_contract` modification had added a line.
#[test]
fn cancellation_after_a_separate_contract_modification_keeps_the_schedule() {
    let s = schedules(&log(&[
        customer("ACME"),
        subscription("C-5", "12000.00"),
        json!({"type": "contract_modified", "contract": "C-5", "effective_on": "2026-04-01",
               "treatment": "separate_contract",
               "changes": [{"change": "add", "line": {"line": "ADD", "kind": "subscription", "price": "900.00",
                            "recognition": {"method": "ratable", "basis": "monthly"}}}]}),
        json!({"type": "contract_cancelled", "contract": "C-5", "effective_on": "2026-08-01", "reason": "churned"}),
    ]));
    let c = s.contract("C-5", d("2026-12-31")).unwrap();
    assert_eq!(c.error, None);
    // Seven months of the subscription, four of the add-on (900.00 over
    // April to December), nothing after the cancellation.
    let lines: Vec<_> = c.lines.iter().map(|l| (l.line.as_str(), l.recognized.as_str(), l.total.as_str())).collect();
    assert_eq!(lines, [("SUB", "7000.00", "7000.00"), ("ADD", "400.00", "400.00")]);
    assert_eq!((c.recognized.as_str(), c.remaining.as_str()), ("7400.00", "0.00"));
}

#[test]
fn a_cancellation_before_an_added_line_starts_removes_it_unrecognized() {
    // The add-on takes effect on 1 September; the cancellation, recorded
    // after it, takes effect on 1 August: the add-on never starts.
    let s = schedules(&log(&[
        customer("ACME"),
        subscription("C-6", "12000.00"),
        json!({"type": "contract_modified", "contract": "C-6", "effective_on": "2026-09-01",
               "treatment": "separate_contract",
               "changes": [{"change": "add", "line": {"line": "ADD", "kind": "subscription", "price": "400.00",
                            "recognition": {"method": "ratable", "basis": "monthly"}}}]}),
        json!({"type": "contract_cancelled", "contract": "C-6", "effective_on": "2026-08-01", "reason": "churned"}),
    ]));
    let c = s.contract("C-6", d("2026-12-31")).unwrap();
    assert_eq!(c.error, None);
    // Seven months of the subscription (1,000.00 a month), nothing of the add-on.
    let lines: Vec<_> = c.lines.iter().map(|l| (l.line.as_str(), l.recognized.as_str(), l.total.as_str())).collect();
    assert_eq!(lines, [("SUB", "7000.00", "7000.00"), ("ADD", "0.00", "0.00")]);
    assert_eq!((c.recognized.as_str(), c.remaining.as_str()), ("7000.00", "0.00"));
}

#[test]
fn report_and_waterfall_are_sorted_and_total_per_currency() {
    let s = schedules(&log(&[
        customer("ACME"),
        subscription("C-B", "1200.00"),
        subscription("C-A", "2400.00"),
        invoice("INV-1", "C-A", "2026-01-01", "SUB", "2400.00", "0.00"),
    ]));
    let report = s.report(d("2026-01-31"));
    let ids: Vec<_> = report.contracts.iter().map(|c| c.contract.as_str()).collect();
    assert_eq!(ids, ["C-A", "C-B"]);
    let totals = &report.totals[0];
    assert_eq!(
        (totals.recognized.as_str(), totals.deferred.as_str(), totals.unbilled.as_str()),
        ("300.00", "2200.00", "100.00")
    );

    let w = s.waterfall(d("2026-02-15"), ym(2026, 1), ym(2026, 3));
    assert_eq!(w.months, [ym(2026, 1), ym(2026, 2), ym(2026, 3)]);
    assert_eq!(w.recognized_through, Some(ym(2026, 1)));
    assert_eq!(w.rows[0].contract.as_deref(), Some("C-A"));
    assert_eq!(w.rows[0].amounts, ["200.00", "200.00", "200.00"]);
    assert_eq!(w.rows[1].amounts, ["100.00", "100.00", "100.00"]);
    assert_eq!((w.totals[0].amounts[0].as_str(), w.totals[0].total.as_str()), ("300.00", "900.00"));
    let json = serde_json::to_string(&w.totals[0]).unwrap();
    assert_eq!(json, r#"{"currency":"USD","amounts":["300.00","300.00","300.00"],"total":"900.00"}"#);
}

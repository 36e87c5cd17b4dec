//! `ReadModels` over the sample book: the same reports as each projection
//! fed on its own, and catching up in pieces equals one replay.

use chrono::NaiveDate;
use revops_projections::aging::{AgingOptions, ArAging};
use revops_projections::revops_events::jsonl::{import, ImportOptions};
use revops_projections::revops_events::{EventLog, MemoryLog, Seq};
use revops_projections::{
    Commissions, GeneralLedger, Mrr, Projection, ReadModels, RevenueOperations, RevenueSchedules,
};

const BOOK: &str = include_str!("../../examples/book.jsonl");

fn book() -> MemoryLog {
    let mut log = MemoryLog::default();
    let at = "2027-01-04T08:00:00Z".parse().unwrap();
    import(&mut log, BOOK.as_bytes(), ImportOptions::new(at)).unwrap();
    log
}

fn fold<P: Projection + Default>(log: &MemoryLog) -> P {
    let mut projection = P::default();
    for envelope in log.envelopes() {
        projection.apply(envelope);
    }
    projection
}

/// `P` fed only the event types it says it reads.
fn replay_own<P: Projection + Default>(log: &MemoryLog) -> P {
    let mut projection = P::default();
    log.replay_types(Seq(0), P::READS, &mut |envelope| projection.apply(envelope)).unwrap();
    projection
}

#[test]
fn each_projection_reads_every_type_it_folds() {
    let log = book();
    for as_of in ["2026-03-31", "2026-12-31"] {
        let as_of: NaiveDate = as_of.parse().unwrap();
        assert_eq!(
            json(&replay_own::<GeneralLedger>(&log).report(as_of)),
            json(&fold::<GeneralLedger>(&log).report(as_of))
        );
        assert_eq!(
            json(&replay_own::<RevenueSchedules>(&log).report(as_of)),
            json(&fold::<RevenueSchedules>(&log).report(as_of))
        );
        let aging = |a: ArAging| a.report(as_of, AgingOptions::default());
        assert_eq!(json(&aging(replay_own(&log))), json(&aging(fold(&log))));
        assert_eq!(json(&replay_own::<Mrr>(&log).report(as_of)), json(&fold::<Mrr>(&log).report(as_of)));
        let commissions = |c: Commissions| c.report(as_of).unwrap();
        assert_eq!(json(&commissions(replay_own(&log))), json(&commissions(fold(&log))));
        let models = |m: ReadModels| m.reports(as_of).unwrap();
        assert_eq!(json(&models(replay_own(&log))), json(&models(fold(&log))));
    }
}

/// A report as the JSON a reader relies on.
fn json<T: serde::Serialize>(report: &T) -> String {
    serde_json::to_string(report).unwrap()
}

#[test]
fn the_reports_are_those_of_each_projection_on_its_own() {
    let log = book();
    let models = ReadModels::replay(&log).unwrap();
    assert_eq!(models.applied(), 150);
    for as_of in ["2026-03-31", "2026-07-15", "2026-12-31"] {
        let as_of: NaiveDate = as_of.parse().unwrap();
        let reports = models.reports(as_of).unwrap();
        let ledger: GeneralLedger = fold(&log);
        assert_eq!(reports.ledger, ledger.report(as_of));
        assert_eq!(reports.schedules, ledger.schedules().report(as_of));
        assert_eq!(reports.aging, fold::<ArAging>(&log).report(as_of, AgingOptions::default()));
        assert_eq!(reports.mrr, fold::<Mrr>(&log).report(as_of));
        assert_eq!(reports.commissions, fold::<Commissions>(&log).report(as_of).unwrap());
    }
}

#[test]
fn catching_up_in_pieces_equals_one_replay() {
    let full = book();
    let mut partial = MemoryLog::default();
    let mut models = ReadModels::default();
    let mut caught = 0;
    for (n, envelope) in full.envelopes().iter().enumerate() {
        let batch = [revops_projections::revops_events::NewEvent {
            event_id: Some(envelope.event_id),
            event: envelope.event.clone(),
        }];
        let expected = revops_projections::revops_events::ExpectedVersion::Any;
        partial.append(&envelope.stream, expected, &batch, envelope.recorded_at).unwrap();
        if n % 7 == 6 {
            caught += models.catch_up(&partial).unwrap();
        }
    }
    caught += models.catch_up(&partial).unwrap();
    assert_eq!((caught, models.catch_up(&partial).unwrap()), (150, 0));
    let as_of = "2026-12-31".parse().unwrap();
    let json = |m: &ReadModels| serde_json::to_string(&m.reports(as_of).unwrap()).unwrap();
    assert_eq!(json(&models), json(&ReadModels::replay(&full).unwrap()));
}

#[test]
fn the_desk_and_the_five_it_holds_count_skipped_events_as_read() {
    let mut log = book();
    // Last in the log, a type that neither the desk nor the five fold.
    let dispatch = r#"{"type":"invoice_dispatched","invoice":"INV-2026-0001","channel":"email","to":"ap@acme-mfg.example","dispatched_on":"2026-01-16"}"#;
    import(&mut log, dispatch.as_bytes(), ImportOptions::new("2027-01-05T08:00:00Z".parse().unwrap())).unwrap();
    assert_eq!(log.len(), 151);
    let desk = RevenueOperations::replay(&log).unwrap();
    assert_eq!((desk.applied(), desk.models().applied()), (151, 151));
    assert_eq!(ReadModels::replay(&log).unwrap().applied(), 151);
}

#[test]
fn an_invoice_named_before_its_issue_ages_as_on_its_own() {
    let mut log = book();
    // Paid and credited before it is issued, issued twice, then paid and
    // written off: the five find it by the schedules' index from the issue
    // on, and by name before it; beside it, a payment for an invoice never
    // issued.
    let late = r#"{"type":"payment_applied","payment":"PAY-2026-0001","invoice":"INV-LATE-1","amount":"100.00","currency":"USD","applied_on":"2026-03-01"}
{"type":"credit_memo_issued","memo":"CM-LATE-1","invoice":"INV-LATE-1","amount":"50.00","currency":"USD","issued_on":"2026-03-02","reason":"early credit","approved_by":"Dana Whitfield","approver_role":"vp_revenue_operations"}
{"type":"invoice_issued","invoice":"INV-LATE-1","customer":"ACME","contract":"C-1001","issued_on":"2026-03-05","due_on":"2026-04-04","currency":"USD","lines":[{"line":"PLAT","description":"Services","amount":"1000.00","tax":"0.00"}]}
{"type":"payment_applied","payment":"PAY-2026-0001","invoice":"INV-LATE-1","amount":"200.00","currency":"USD","applied_on":"2026-03-10"}
{"type":"invoice_issued","invoice":"INV-LATE-1","customer":"ACME","contract":"C-1001","issued_on":"2026-03-05","due_on":"2026-04-04","currency":"USD","lines":[{"line":"PLAT","description":"Services","amount":"1000.00","tax":"0.00"}]}
{"type":"payment_applied","payment":"PAY-2026-0001","invoice":"INV-NEVER","amount":"30.00","currency":"USD","applied_on":"2026-03-11"}
{"type":"invoice_written_off","invoice":"INV-LATE-1","amount":"100.00","currency":"USD","written_off_on":"2026-04-01","reason":"goodwill"}"#;
    import(&mut log, late.as_bytes(), ImportOptions::new("2027-01-05T08:00:00Z".parse().unwrap())).unwrap();
    let models = ReadModels::replay(&log).unwrap();
    let alone: ArAging = fold(&log);
    for as_of in ["2026-03-03", "2026-03-31", "2026-04-30", "2026-12-31"] {
        let as_of: NaiveDate = as_of.parse().unwrap();
        let report = models.aging().report(as_of, AgingOptions::default());
        assert_eq!(json(&report), json(&alone.report(as_of, AgingOptions::default())), "as of {as_of}");
    }
    let report = models.aging().report("2026-04-30".parse().unwrap(), AgingOptions::default());
    let late = report.invoices.iter().find(|i| i.invoice == "INV-LATE-1").expect("the late invoice is open");
    let figures = [&late.total, &late.applied, &late.credited, &late.written_off, &late.open];
    assert_eq!(figures, ["1000.00", "300.00", "50.00", "100.00", "550.00"]);
    assert!(report.invoices.iter().all(|i| i.invoice != "INV-NEVER"));
}

#[test]
fn a_contract_billing_another_customer_bills_that_customer() {
    let mut log = book();
    // The five remember the customer a contract last billed; an invoice
    // of the same contract to another customer is that customer's.
    let invoice = |id: &str, customer: &str| {
        format!(
            r#"{{"type":"invoice_issued","invoice":"{id}","customer":"{customer}","contract":"C-1001","issued_on":"2026-11-20","due_on":"2026-12-20","currency":"USD","lines":[{{"line":"PLAT","description":"Services","amount":"100.00","tax":"0.00"}}]}}"#
        )
    };
    let lines = [invoice("INV-X1", "ACME"), invoice("INV-X2", "GLOBEX"), invoice("INV-X3", "ACME")].join("\n");
    import(&mut log, lines.as_bytes(), ImportOptions::new("2027-01-05T08:00:00Z".parse().unwrap())).unwrap();
    let models = ReadModels::replay(&log).unwrap();
    let as_of: NaiveDate = "2026-11-30".parse().unwrap();
    let report = models.aging().report(as_of, AgingOptions::default());
    assert_eq!(json(&report), json(&fold::<ArAging>(&log).report(as_of, AgingOptions::default())));
    assert_eq!(json(&models.ledger().report(as_of)), json(&fold::<GeneralLedger>(&log).report(as_of)));
    let billed: Vec<_> = report
        .invoices
        .iter()
        .filter(|i| i.invoice.starts_with("INV-X"))
        .map(|i| (i.invoice.as_str(), i.customer.as_str(), i.contract.as_str()))
        .collect();
    // The report lists invoices by customer.
    assert_eq!(billed, [("INV-X1", "ACME", "C-1001"), ("INV-X3", "ACME", "C-1001"), ("INV-X2", "GLOBEX", "C-1001")]);
}

#[test]
fn an_invoice_of_a_contract_not_signed_yet_earns_nothing_and_the_next_one_does() {
    let mut log = book();
    // The ledger hands its commissions an issue's contract by the
    // schedules' index; a contract the commissions do not know yet is
    // looked up again at its next invoice.
    let events = r#"{"type":"commission_plan_defined","plan":"FY26-COLL","rep":"rep-coll","quota":"100000.00","currency":"USD","basis":"collection","tiers":[{"from_attainment":"0","rate":"0.10"}],"clawback_months":6,"payout_day":15,"effective_on":"2026-01-01"}
{"type":"invoice_issued","invoice":"INV-COLL-1","customer":"ACME","contract":"C-COLL","issued_on":"2026-02-01","due_on":"2026-03-03","currency":"USD","lines":[{"line":"PLAT","description":"Services","amount":"1000.00","tax":"0.00"}]}
{"type":"contract_signed","contract":"C-COLL","customer":"ACME","signed_on":"2026-02-05","start_date":"2026-02-05","end_date":"2027-02-04","currency":"USD","billing_frequency":"monthly","payment_terms":"net_30","po_required":false,"tax_exempt":false,"assigned_ae":"rep-coll","commission_plan":"FY26-COLL","lines":[{"line":"PLAT","product":"Revops Cloud Professional","kind":"subscription","quantity":"1","price":"12000.00","ssp":"12000.00","recognition":{"method":"ratable","basis":"monthly"}}]}
{"type":"invoice_issued","invoice":"INV-COLL-2","customer":"ACME","contract":"C-COLL","issued_on":"2026-03-01","due_on":"2026-03-31","currency":"USD","lines":[{"line":"PLAT","description":"Services","amount":"1000.00","tax":"0.00"}]}
{"type":"payment_received","payment":"PAY-COLL-1","customer":"ACME","amount":"2000.00","currency":"USD","received_on":"2026-03-10","method":"ach"}
{"type":"payment_applied","payment":"PAY-COLL-1","invoice":"INV-COLL-1","amount":"1000.00","currency":"USD","applied_on":"2026-03-10"}
{"type":"payment_applied","payment":"PAY-COLL-1","invoice":"INV-COLL-2","amount":"1000.00","currency":"USD","applied_on":"2026-03-10"}"#;
    import(&mut log, events.as_bytes(), ImportOptions::new("2027-01-05T08:00:00Z".parse().unwrap())).unwrap();
    let models = ReadModels::replay(&log).unwrap();
    let as_of: NaiveDate = "2026-03-31".parse().unwrap();
    let report = models.commissions().report(as_of).unwrap();
    assert_eq!(json(&report), json(&fold::<Commissions>(&log).report(as_of).unwrap()));
    let rep = report.reps.iter().find(|r| r.rep == "rep-coll").expect("the rep of the collection plan");
    // Ten percent of what was collected on the second invoice only.
    assert_eq!(rep.totals.earned, "100.00");
}

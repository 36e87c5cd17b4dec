//! `Disputes` scenarios: the 48-business-hour review over a weekend, a
//! review in time, the 10-day escalation, valid and invalid resolutions, to
//! the day and the cent.

mod book;

use book::{acme_book, date, Book};
use chrono::NaiveDate;
use revops_events::event::{ApproverRole, DisputeOutcome, DisputeReason};
use revops_projections::disputes::{BreachKind, Disputes, DisputesReport, OpenDispute};
use serde_json::json;

const C1: (&str, &str, &str) = ("ACME", "C-1", "USD");

/// ACME with INV-1 (1,000.00 + 80.00 tax) and INV-2 (500.00), issued on
/// Monday 2026-01-05.
fn invoiced_book() -> Book {
    let mut book = acme_book();
    book.invoice("INV-1", C1, ("2026-01-05", "2026-02-04"), "1000.00", "80.00");
    book.invoice("INV-2", C1, ("2026-01-05", "2026-02-04"), "500.00", "0.00");
    book
}

fn open(book: &mut Book, dispute: &str, invoice: &str, reason: &str, amount: &str, on: &str) {
    book.exec(json!({"type": "dispute_opened", "dispute": dispute, "invoice": invoice, "reason_code": reason,
                     "amount": amount, "currency": "USD", "opened_on": on}));
}

fn review(book: &mut Book, dispute: &str, on: &str) {
    book.exec(json!({"type": "dispute_reviewed", "dispute": dispute, "reviewed_on": on, "reviewer": "Lee"}));
}

fn open_one<'a>(report: &'a DisputesReport, dispute: &str) -> &'a OpenDispute {
    report.open.iter().find(|o| o.facts.dispute == dispute).unwrap_or_else(|| panic!("{dispute} not open"))
}

/// The breaches as (dispute, kind, deadline, done on, days late).
fn breaches(d: &Disputes, as_of: &str) -> Vec<(String, BreachKind, NaiveDate, Option<NaiveDate>, i64)> {
    let r = d.report(date(as_of));
    assert_eq!(r.counts.breaches, r.breaches.len() as u64);
    r.breaches.into_iter().map(|b| (b.dispute, b.kind, b.due_on, b.done_on, b.days_late)).collect()
}

#[test]
fn a_dispute_opened_on_a_friday_is_due_for_review_on_tuesday() {
    let mut book = invoiced_book();
    // Friday 2026-01-09: Monday and Tuesday are the two business days.
    open(&mut book, "D-1", "INV-1", "pricing_error", "200.00", "2026-01-09");
    review(&mut book, "D-1", "2026-01-14");
    book.exec(json!({"type": "dispute_resolved", "dispute": "D-1", "resolved_on": "2026-01-16", "outcome": "invalid",
                     "evidence": "price as in the signed order form"}));
    // Friday 2026-01-16, never reviewed.
    open(&mut book, "D-2", "INV-2", "duplicate_charge", "500.00", "2026-01-16");
    let d: Disputes = book.fold();

    let r = d.report(date("2026-01-13"));
    let o = open_one(&r, "D-1");
    assert_eq!((o.review_due_on, o.reviewed, o.reviewed_on), (date("2026-01-13"), false, None));
    assert_eq!(
        (o.facts.customer.as_str(), o.facts.invoice.as_str(), o.facts.reason_code),
        ("ACME", "INV-1", DisputeReason::PricingError)
    );
    assert_eq!((o.facts.amount.as_str(), o.age_days), ("200.00", 4));
    assert!(r.breaches.is_empty());

    // Reviewed on Wednesday: a day late.
    let r = d.report(date("2026-01-14"));
    assert_eq!((open_one(&r, "D-1").reviewed, open_one(&r, "D-1").reviewed_on), (true, Some(date("2026-01-14"))));
    assert_eq!(
        breaches(&d, "2026-01-14"),
        [("D-1".into(), BreachKind::ReviewLate, date("2026-01-13"), Some(date("2026-01-14")), 1)]
    );

    // D-2: Monday the 19th is three calendar days on, but within the SLA.
    let r = d.report(date("2026-01-19"));
    assert_eq!(open_one(&r, "D-2").review_due_on, date("2026-01-20"));
    assert_eq!(r.breaches.len(), 1);
    assert_eq!(breaches(&d, "2026-01-20").len(), 1);
    // Wednesday: missing for a day. D-1's late review stays on record
    // after its resolution on the 16th.
    assert_eq!(
        breaches(&d, "2026-01-21"),
        [
            ("D-1".into(), BreachKind::ReviewLate, date("2026-01-13"), Some(date("2026-01-14")), 1),
            ("D-2".into(), BreachKind::ReviewMissing, date("2026-01-20"), None, 1),
        ]
    );

    let r = d.report(date("2026-01-21"));
    assert_eq!((r.counts.open, r.counts.awaiting_review, r.counts.resolved_invalid, r.counts.breaches), (1, 1, 1, 2));
    assert_eq!((r.open_amounts.len(), r.open_amounts[0].amount.as_str()), (1, "500.00"));
    // D-1 resolved on the day D-2 opened: the open amount is one or the other.
    assert_eq!(d.report(date("2026-01-16")).open_amounts[0].amount, "500.00");
    assert_eq!(d.report(date("2026-01-15")).open_amounts.len(), 1);
    assert_eq!(d.report(date("2026-01-15")).open_amounts[0].amount, "200.00");
}

#[test]
fn a_dispute_reviewed_in_time_has_no_breach_until_escalation_is_due() {
    let mut book = invoiced_book();
    // Monday 2026-01-12: review due Wednesday, escalation on the 22nd.
    open(&mut book, "D-3", "INV-1", "quantity_error", "120.50", "2026-01-12");
    review(&mut book, "D-3", "2026-01-14");
    book.exec(json!({"type": "dispute_escalated", "dispute": "D-3", "escalated_on": "2026-01-24", "to": "VP RevOps"}));
    let d: Disputes = book.fold();

    let r = d.report(date("2026-01-14"));
    let o = open_one(&r, "D-3");
    assert_eq!((o.review_due_on, o.reviewed_on), (date("2026-01-14"), Some(date("2026-01-14"))));
    assert_eq!((o.escalation_due_on, o.escalation_due), (date("2026-01-22"), false));
    assert!(breaches(&d, "2026-01-21").is_empty());
    assert!(!open_one(&d.report(date("2026-01-21")), "D-3").escalation_due);

    // Ten days open and unresolved: escalation due, not yet a breach.
    let r = d.report(date("2026-01-22"));
    assert!(open_one(&r, "D-3").escalation_due);
    assert_eq!((r.counts.escalations_due, r.counts.breaches), (1, 0));
    // The day after, it is overdue.
    assert_eq!(
        breaches(&d, "2026-01-23"),
        [("D-3".into(), BreachKind::EscalationMissing, date("2026-01-22"), None, 1)]
    );
    // Escalated on the 24th: late by two days, no longer due.
    let r = d.report(date("2026-01-24"));
    let o = open_one(&r, "D-3");
    assert_eq!((o.escalated_on, o.escalation_due, r.counts.escalations_due), (Some(date("2026-01-24")), false, 0));
    assert_eq!(
        breaches(&d, "2026-01-24"),
        [("D-3".into(), BreachKind::EscalationLate, date("2026-01-22"), Some(date("2026-01-24")), 2)]
    );
}

#[test]
fn a_valid_dispute_is_credited_and_rebilled_an_invalid_one_keeps_its_evidence() {
    let mut book = invoiced_book();
    open(&mut book, "D-1", "INV-1", "pricing_error", "200.00", "2026-01-12");
    review(&mut book, "D-1", "2026-01-13");
    book.exec(json!({"type": "credit_memo_issued", "memo": "CM-1", "invoice": "INV-1", "amount": "1080.00",
                     "currency": "USD", "issued_on": "2026-01-15", "reason": "pricing error, rebilled",
                     "approved_by": "Dana Whitfield", "approver_role": "vp_revenue_operations"}));
    book.invoice("INV-3", C1, ("2026-01-15", "2026-02-14"), "800.00", "64.00");
    book.exec(json!({"type": "dispute_resolved", "dispute": "D-1", "resolved_on": "2026-01-15", "outcome": "valid",
                     "credit_memo": "CM-1", "rebill_invoice": "INV-3"}));
    // Resolved on the review deadline without a separate review: in time.
    open(&mut book, "D-2", "INV-2", "service_issue", "500.00", "2026-01-12");
    book.exec(json!({"type": "dispute_resolved", "dispute": "D-2", "resolved_on": "2026-01-14", "outcome": "invalid",
                     "evidence": "uptime report: 99.98% in December"}));
    let d: Disputes = book.fold();

    // Both open on the 13th: 200.00 + 500.00 under dispute.
    let r = d.report(date("2026-01-13"));
    assert_eq!((r.counts.open, r.open_amounts[0].amount.as_str()), (2, "700.00"));
    // On the 14th, the day before D-1 is resolved, D-1 is open and D-2 resolved.
    let r = d.report(date("2026-01-14"));
    assert_eq!((r.counts.open, r.counts.resolved_valid, r.counts.resolved_invalid), (1, 0, 1));

    let r = d.report(date("2026-01-31"));
    assert!(r.open.is_empty() && r.open_amounts.is_empty() && r.breaches.is_empty());
    assert_eq!((r.counts.resolved_valid, r.counts.resolved_invalid, r.counts.breaches), (1, 1, 0));
    let [invalid, valid] = &r.resolved[..] else { panic!("{:?}", r.resolved) };

    assert_eq!(
        (valid.facts.dispute.as_str(), valid.outcome, valid.resolved_on),
        ("D-1", DisputeOutcome::Valid, date("2026-01-15"))
    );
    assert_eq!(
        (valid.facts.amount.as_str(), valid.reviewed_on, valid.escalated_on),
        ("200.00", Some(date("2026-01-13")), None)
    );
    assert_eq!((valid.credit_memo.as_deref(), valid.rebill_invoice.as_deref()), (Some("CM-1"), Some("INV-3")));
    let credit = valid.credit.as_ref().unwrap();
    assert_eq!(
        (credit.amount.as_str(), credit.issued_on, credit.approved_by.as_str(), credit.approver_role),
        ("1080.00", date("2026-01-15"), "Dana Whitfield", ApproverRole::VpRevenueOperations)
    );
    let rebill = valid.rebill.as_ref().unwrap();
    assert_eq!(
        (rebill.total.as_str(), rebill.issued_on, rebill.due_on),
        ("864.00", date("2026-01-15"), date("2026-02-14"))
    );
    assert_eq!(valid.evidence, None);

    assert_eq!(
        (invalid.facts.dispute.as_str(), invalid.outcome, invalid.reviewed_on),
        ("D-2", DisputeOutcome::Invalid, None)
    );
    assert_eq!(invalid.evidence.as_deref(), Some("uptime report: 99.98% in December"));
    assert_eq!((invalid.credit_memo.as_ref(), invalid.credit.as_ref(), invalid.rebill.as_ref()), (None, None, None));

    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["resolved"][0]["outcome"], "invalid");
    assert_eq!(json["resolved"][1]["credit"]["approver_role"], "vp_revenue_operations");
    assert_eq!(json["resolved"][1]["rebill"]["total"], "864.00");
    assert_eq!(json["resolved"][1]["reason_code"], "pricing_error");
    assert_eq!(
        json["counts"],
        json!({"open": 0, "awaiting_review": 0, "escalations_due": 0, "resolved_valid": 1,
                                      "resolved_invalid": 1, "breaches": 0})
    );
    let text = serde_json::to_string(&r).unwrap();
    assert_eq!(text, serde_json::to_string(&book.fold::<Disputes>().report(date("2026-01-31"))).unwrap());
}

#[test]
fn a_dispute_resolved_late_keeps_its_breaches_on_record() {
    let mut book = invoiced_book();
    open(&mut book, "D-4", "INV-2", "tax_error", "40.00", "2026-01-07");
    book.exec(json!({"type": "dispute_resolved", "dispute": "D-4", "resolved_on": "2026-01-20", "outcome": "invalid",
                     "evidence": "exemption certificate expired"}));
    let d: Disputes = book.fold();
    // Opened Wednesday: review due Friday the 9th, escalation on the 17th;
    // the resolution on the 20th answers the review late and came unescalated.
    assert_eq!(
        breaches(&d, "2026-02-01"),
        [
            ("D-4".into(), BreachKind::ReviewLate, date("2026-01-09"), Some(date("2026-01-20")), 11),
            ("D-4".into(), BreachKind::EscalationMissing, date("2026-01-17"), None, 15),
        ]
    );
    // As of the 18th it is still open, both deadlines passed unanswered.
    assert_eq!(
        breaches(&d, "2026-01-18"),
        [
            ("D-4".into(), BreachKind::ReviewMissing, date("2026-01-09"), None, 9),
            ("D-4".into(), BreachKind::EscalationMissing, date("2026-01-17"), None, 1),
        ]
    );
    assert!(d.report(date("2026-01-06")).open.is_empty());
}

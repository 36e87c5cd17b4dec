//! `Disputes`: open invoice disputes with their review and escalation
//! deadlines, resolved ones with what came of them, and SLA breaches.
//!
//! # Deadlines
//!
//! - **Review (48 business hours).** A dispute opened on day D must be
//!   reviewed by the end of the second business day after D: business days
//!   are Monday to Friday, so one opened on a Friday (or over the weekend) is
//!   due on the Tuesday. There is no holiday calendar: a public holiday is a
//!   business day. The review is answered by the first `dispute_reviewed`, or
//!   by the resolution if that comes first.
//! - **Escalation (10 days).** A dispute still unresolved 10 calendar days
//!   after it was opened must be escalated (`dispute_escalated`) by that day;
//!   one resolved on or before it needs no escalation.
//!
//! As of a date, a fact counts once it is dated on or before that date: a
//! dispute resolved later is open, a review recorded later is missing.
//!
//! # Breaches
//!
//! A deadline is breached once the as-of date is past it without an answer
//! (`review_missing`, `escalation_missing`), or when the answer came after it
//! (`review_late`, `escalation_late`). Breaches stay in the report after the
//! dispute is resolved: the report is the SLA record.
//!
//! # Resolutions
//!
//! A valid dispute is settled by a credit memo — approved by VP Revenue
//! Operations, which the command side enforces and the report shows — and a
//! rebill of a corrected invoice; an invalid one by the evidence that the
//! invoice stands. The report shows the memo's amount and approver and the
//! rebill's total when those are issued by the as-of date.
//!
//! Amounts are decimal strings with the currency's minor places; open amounts
//! are summed per currency, never across.
//!
//! ```
//! use revops_projections::disputes::{review_due_on, Disputes};
//!
//! // Opened on Friday 2026-01-09: the review is due on Tuesday 2026-01-13.
//! assert_eq!(review_due_on("2026-01-09".parse()?).to_string(), "2026-01-13");
//! let report = Disputes::default().report("2026-03-31".parse()?);
//! assert_eq!(report.counts.open, 0);
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use revops_core::Currency;
use revops_events::event::{ApproverRole, DisputeOutcome, DisputeReason};
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::amounts::format_decimal;
use crate::intern::{slot, Interner};
use crate::once::SeqGuard;
use crate::Projection;

/// Business days a dispute has for its first review.
pub const REVIEW_BUSINESS_DAYS: u32 = 2;

/// Calendar days after opening by which an unresolved dispute is escalated.
pub const ESCALATION_DAYS: u64 = 10;

/// The review deadline of a dispute opened on `opened_on`: the second
/// business day (Mon–Fri) after it.
pub fn review_due_on(opened_on: NaiveDate) -> NaiveDate {
    let mut day = opened_on;
    let mut counted = 0;
    // Two business days lie within four calendar days of any date.
    for _ in 0..7 {
        if counted == REVIEW_BUSINESS_DAYS {
            break;
        }
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            counted += 1;
        }
    }
    assert!(counted == REVIEW_BUSINESS_DAYS || day == NaiveDate::MAX, "review deadline of {opened_on}");
    day
}

/// The escalation deadline of a dispute opened on `opened_on`.
pub fn escalation_due_on(opened_on: NaiveDate) -> NaiveDate {
    opened_on.checked_add_days(Days::new(ESCALATION_DAYS)).unwrap_or(NaiveDate::MAX)
}

/// What a dispute was opened with; its fields stand in the JSON of the
/// open or resolved dispute itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeFacts {
    /// The dispute id.
    pub dispute: String,
    /// The invoice disputed.
    pub invoice: String,
    /// The invoice's customer; empty if the invoice is unknown.
    pub customer: String,
    /// Why.
    pub reason_code: DisputeReason,
    /// Currency of the amount.
    pub currency: Currency,
    /// Amount disputed.
    pub amount: String,
    /// When it was opened.
    pub opened_on: NaiveDate,
}

/// An open dispute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDispute {
    /// The dispute as opened.
    #[serde(flatten)]
    pub facts: DisputeFacts,
    /// Calendar days open.
    pub age_days: i64,
    /// Review deadline.
    pub review_due_on: NaiveDate,
    /// First review, if any.
    pub reviewed_on: Option<NaiveDate>,
    /// Whether it was reviewed.
    pub reviewed: bool,
    /// Escalation deadline.
    pub escalation_due_on: NaiveDate,
    /// Escalation, if any.
    pub escalated_on: Option<NaiveDate>,
    /// True once the escalation deadline is reached without an escalation.
    pub escalation_due: bool,
}

/// The credit memo of a valid dispute, once issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionCredit {
    /// Amount credited.
    pub amount: String,
    /// Date of the memo.
    pub issued_on: NaiveDate,
    /// Who approved it.
    pub approved_by: String,
    /// The approver's role (`vp_revenue_operations`).
    pub approver_role: ApproverRole,
}

/// The corrected invoice of a valid dispute, once issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionRebill {
    /// Amount plus tax of every line.
    pub total: String,
    /// Invoice date.
    pub issued_on: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
}

/// A resolved dispute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedDispute {
    /// The dispute as opened.
    #[serde(flatten)]
    pub facts: DisputeFacts,
    /// First review, if any.
    pub reviewed_on: Option<NaiveDate>,
    /// Escalation, if any.
    pub escalated_on: Option<NaiveDate>,
    /// When it was resolved.
    pub resolved_on: NaiveDate,
    /// Valid or invalid.
    pub outcome: DisputeOutcome,
    /// The credit memo id named by the resolution.
    pub credit_memo: Option<String>,
    /// That memo, if issued by the as-of date.
    pub credit: Option<ResolutionCredit>,
    /// The rebill invoice id named by the resolution.
    pub rebill_invoice: Option<String>,
    /// That invoice, if issued by the as-of date.
    pub rebill: Option<ResolutionRebill>,
    /// The evidence recorded for an invalid dispute.
    pub evidence: Option<String>,
}

/// Which deadline was breached, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachKind {
    /// Reviewed after the review deadline.
    ReviewLate,
    /// Not reviewed, and the review deadline is past.
    ReviewMissing,
    /// Escalated after the escalation deadline.
    EscalationLate,
    /// Not escalated, unresolved at the escalation deadline, which is past.
    EscalationMissing,
}

/// A breached deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaBreach {
    /// The dispute id.
    pub dispute: String,
    /// The invoice disputed.
    pub invoice: String,
    /// The invoice's customer; empty if the invoice is unknown.
    pub customer: String,
    /// What was breached.
    pub kind: BreachKind,
    /// The deadline.
    pub due_on: NaiveDate,
    /// When the late review or escalation came; absent when missing.
    pub done_on: Option<NaiveDate>,
    /// Days past the deadline: to `done_on`, or to the as-of date.
    pub days_late: i64,
}

/// An amount in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyAmount {
    /// The currency.
    pub currency: Currency,
    /// The amount.
    pub amount: String,
}

/// Counts for a dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeCounts {
    /// Open disputes.
    pub open: u64,
    /// Of those, not yet reviewed.
    pub awaiting_review: u64,
    /// Of those, with an escalation due.
    pub escalations_due: u64,
    /// Resolved as valid.
    pub resolved_valid: u64,
    /// Resolved as invalid.
    pub resolved_invalid: u64,
    /// SLA breaches, open and resolved disputes alike.
    pub breaches: u64,
}

/// The disputes report as of a date. Sorted: `open` by opening date then
/// dispute id, `resolved` by resolution date then dispute id, `breaches` by
/// deadline, dispute id and kind, `open_amounts` by currency code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputesReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Counts for a dashboard.
    pub counts: DisputeCounts,
    /// Amount under open disputes, per currency.
    pub open_amounts: Vec<CurrencyAmount>,
    /// Open disputes.
    pub open: Vec<OpenDispute>,
    /// Resolved disputes.
    pub resolved: Vec<ResolvedDispute>,
    /// SLA breaches.
    pub breaches: Vec<SlaBreach>,
}

#[derive(Clone, Copy, Debug)]
struct Invoice {
    customer: u32,
    total: Decimal,
    currency: Currency,
    issued_on: NaiveDate,
    due_on: NaiveDate,
}

#[derive(Clone, Debug)]
struct Memo {
    amount: Decimal,
    currency: Currency,
    issued_on: NaiveDate,
    approved_by: String,
    approver_role: ApproverRole,
}

#[derive(Clone, Debug)]
struct Resolution {
    resolved_on: NaiveDate,
    outcome: DisputeOutcome,
    credit_memo: Option<u32>,
    rebill_invoice: Option<u32>,
    evidence: Option<String>,
}

#[derive(Clone, Debug)]
struct Opened {
    invoice: u32,
    reason_code: DisputeReason,
    amount: Decimal,
    currency: Currency,
    opened_on: NaiveDate,
}

/// What is known of a dispute id; the review and escalation are the
/// earliest recorded, so that the log's order does not matter.
#[derive(Clone, Debug, Default)]
struct Dispute {
    opened: Option<Opened>,
    reviewed_on: Option<NaiveDate>,
    escalated_on: Option<NaiveDate>,
    resolution: Option<Resolution>,
}

/// Invoice disputes and their SLA. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct Disputes {
    guard: SeqGuard,
    dispute_ids: Interner,
    invoice_ids: Interner,
    customer_ids: Interner,
    memo_ids: Interner,
    disputes: Vec<Dispute>,
    invoices: Vec<Option<Invoice>>,
    memos: Vec<Option<Memo>>,
}

fn earliest(slot: &mut Option<NaiveDate>, on: NaiveDate) {
    *slot = Some(slot.map_or(on, |d| d.min(on)));
}

impl Projection for Disputes {
    const READS: EventTypes = EventTypes::NONE
        .with("invoice_issued")
        .with("credit_memo_issued")
        .with("dispute_opened")
        .with("dispute_reviewed")
        .with("dispute_escalated")
        .with("dispute_resolved");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        match &envelope.event {
            Event::InvoiceIssued(e) => {
                let id = self.invoice_ids.intern(e.invoice.as_str());
                let customer = self.customer_ids.intern(e.customer.as_str());
                slot(&mut self.invoices, id, None).get_or_insert(Invoice {
                    customer,
                    total: e.total().amount,
                    currency: e.currency,
                    issued_on: e.issued_on,
                    due_on: e.due_on,
                });
            }
            Event::CreditMemoIssued(e) => {
                let id = self.memo_ids.intern(e.memo.as_str());
                slot(&mut self.memos, id, None).get_or_insert_with(|| Memo {
                    amount: e.amount,
                    currency: e.currency,
                    issued_on: e.issued_on,
                    approved_by: e.approved_by.clone(),
                    approver_role: e.approver_role,
                });
            }
            Event::DisputeOpened(e) => {
                let invoice = self.invoice_ids.intern(e.invoice.as_str());
                self.dispute(e.dispute.as_str()).opened.get_or_insert(Opened {
                    invoice,
                    reason_code: e.reason_code,
                    amount: e.amount,
                    currency: e.currency,
                    opened_on: e.opened_on,
                });
            }
            Event::DisputeReviewed(e) => earliest(&mut self.dispute(e.dispute.as_str()).reviewed_on, e.reviewed_on),
            Event::DisputeEscalated(e) => {
                earliest(&mut self.dispute(e.dispute.as_str()).escalated_on, e.escalated_on);
            }
            Event::DisputeResolved(e) => {
                let credit_memo = e.credit_memo.as_ref().map(|m| self.memo_ids.intern(m.as_str()));
                let rebill_invoice = e.rebill_invoice.as_ref().map(|i| self.invoice_ids.intern(i.as_str()));
                self.dispute(e.dispute.as_str()).resolution.get_or_insert(Resolution {
                    resolved_on: e.resolved_on,
                    outcome: e.outcome,
                    credit_memo,
                    rebill_invoice,
                    evidence: e.evidence.clone(),
                });
            }
            _ => {}
        }
    }
}

impl Disputes {
    fn dispute(&mut self, id: &str) -> &mut Dispute {
        let id = self.dispute_ids.intern(id);
        slot(&mut self.disputes, id, Dispute::default())
    }

    fn customer_of(&self, invoice: u32) -> String {
        let invoice = self.invoices.get(invoice as usize).copied().flatten();
        invoice.map_or_else(String::new, |i| self.customer_ids.name(i.customer).to_owned())
    }

    /// The disputes as of `as_of` (see the [module docs](self)).
    pub fn report(&self, as_of: NaiveDate) -> DisputesReport {
        let known = |d: Option<NaiveDate>| d.filter(|&d| d <= as_of);
        let mut report = DisputesReport {
            as_of,
            counts: DisputeCounts::default(),
            open_amounts: Vec::new(),
            open: Vec::new(),
            resolved: Vec::new(),
            breaches: Vec::new(),
        };
        let mut open_amounts: BTreeMap<Currency, Decimal> = BTreeMap::new();
        for (id, d) in self.disputes.iter().enumerate() {
            let Some(opened) = d.opened.as_ref().filter(|o| o.opened_on <= as_of) else { continue };
            let facts = DisputeFacts {
                dispute: self.dispute_ids.name(id as u32).to_owned(),
                invoice: self.invoice_ids.name(opened.invoice).to_owned(),
                customer: self.customer_of(opened.invoice),
                reason_code: opened.reason_code,
                currency: opened.currency,
                amount: format_decimal(opened.amount, opened.currency),
                opened_on: opened.opened_on,
            };
            let resolution = d.resolution.as_ref().filter(|r| r.resolved_on <= as_of);
            let (reviewed_on, escalated_on) = (known(d.reviewed_on), known(d.escalated_on));

            let review_due = review_due_on(opened.opened_on);
            let escalation_due = escalation_due_on(opened.opened_on);
            let resolved_on = resolution.map(|r| r.resolved_on);
            let answered_on = match (reviewed_on, resolved_on) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let breach = |kind, due_on: NaiveDate, done_on: Option<NaiveDate>| SlaBreach {
                dispute: facts.dispute.clone(),
                invoice: facts.invoice.clone(),
                customer: facts.customer.clone(),
                kind,
                due_on,
                done_on,
                days_late: (done_on.unwrap_or(as_of) - due_on).num_days(),
            };
            match answered_on {
                Some(on) if on > review_due => {
                    report.breaches.push(breach(BreachKind::ReviewLate, review_due, Some(on)))
                }
                None if as_of > review_due => report.breaches.push(breach(BreachKind::ReviewMissing, review_due, None)),
                _ => {}
            }
            let needs_escalation = resolved_on.is_none_or(|r| r > escalation_due);
            if needs_escalation {
                match escalated_on {
                    Some(on) if on > escalation_due => {
                        report.breaches.push(breach(BreachKind::EscalationLate, escalation_due, Some(on)));
                    }
                    None if as_of > escalation_due => {
                        report.breaches.push(breach(BreachKind::EscalationMissing, escalation_due, None));
                    }
                    _ => {}
                }
            }

            match resolution {
                None => {
                    *open_amounts.entry(opened.currency).or_default() += opened.amount;
                    report.open.push(OpenDispute {
                        facts,
                        age_days: (as_of - opened.opened_on).num_days(),
                        review_due_on: review_due,
                        reviewed_on,
                        reviewed: reviewed_on.is_some(),
                        escalation_due_on: escalation_due,
                        escalated_on,
                        escalation_due: as_of >= escalation_due && escalated_on.is_none(),
                    });
                }
                Some(r) => report.resolved.push(ResolvedDispute {
                    facts,
                    reviewed_on,
                    escalated_on,
                    resolved_on: r.resolved_on,
                    outcome: r.outcome,
                    credit_memo: r.credit_memo.map(|m| self.memo_ids.name(m).to_owned()),
                    credit: self.credit(r.credit_memo, as_of),
                    rebill_invoice: r.rebill_invoice.map(|i| self.invoice_ids.name(i).to_owned()),
                    rebill: self.rebill(r.rebill_invoice, as_of),
                    evidence: r.evidence.clone(),
                }),
            }
        }
        report.open.sort_by(|a, b| (a.facts.opened_on, &a.facts.dispute).cmp(&(b.facts.opened_on, &b.facts.dispute)));
        report.resolved.sort_by(|a, b| (a.resolved_on, &a.facts.dispute).cmp(&(b.resolved_on, &b.facts.dispute)));
        report.breaches.sort_by(|a, b| (a.due_on, &a.dispute, a.kind).cmp(&(b.due_on, &b.dispute, b.kind)));
        report.open_amounts = open_amounts
            .into_iter()
            .map(|(currency, amount)| CurrencyAmount { currency, amount: format_decimal(amount, currency) })
            .collect();
        let resolved = |outcome| report.resolved.iter().filter(|r| r.outcome == outcome).count() as u64;
        report.counts = DisputeCounts {
            open: report.open.len() as u64,
            awaiting_review: report.open.iter().filter(|o| !o.reviewed).count() as u64,
            escalations_due: report.open.iter().filter(|o| o.escalation_due).count() as u64,
            resolved_valid: resolved(DisputeOutcome::Valid),
            resolved_invalid: resolved(DisputeOutcome::Invalid),
            breaches: report.breaches.len() as u64,
        };
        report
    }

    fn credit(&self, memo: Option<u32>, as_of: NaiveDate) -> Option<ResolutionCredit> {
        let m = self.memos.get(memo? as usize)?.as_ref().filter(|m| m.issued_on <= as_of)?;
        Some(ResolutionCredit {
            amount: format_decimal(m.amount, m.currency),
            issued_on: m.issued_on,
            approved_by: m.approved_by.clone(),
            approver_role: m.approver_role,
        })
    }

    fn rebill(&self, invoice: Option<u32>, as_of: NaiveDate) -> Option<ResolutionRebill> {
        let i = self.invoices.get(invoice? as usize).copied().flatten().filter(|i| i.issued_on <= as_of)?;
        Some(ResolutionRebill { total: format_decimal(i.total, i.currency), issued_on: i.issued_on, due_on: i.due_on })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_is_due_two_business_days_later() {
        let due = |s: &str| review_due_on(s.parse().unwrap()).to_string();
        // 2026-01-05 is a Monday.
        assert_eq!(due("2026-01-05"), "2026-01-07");
        assert_eq!(due("2026-01-07"), "2026-01-09");
        assert_eq!(due("2026-01-08"), "2026-01-12");
        assert_eq!(due("2026-01-09"), "2026-01-13");
        assert_eq!(due("2026-01-10"), "2026-01-13");
        assert_eq!(due("2026-01-11"), "2026-01-13");
        assert_eq!(review_due_on(NaiveDate::MAX), NaiveDate::MAX);
    }
}

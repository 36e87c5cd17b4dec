//! `Collections`: where each open invoice stands on the escalation ladder,
//! the steps due as of a date, and the credit holds the ladder calls for.
//!
//! # The ladder
//!
//! | step | day | action |
//! |---|---|---|
//! | `day_0` | 0 | due-date notice |
//! | `day_7` | 7 | reminder |
//! | `day_15` | 15 | AR follow-up |
//! | `day_30` | 30 | watch list, account manager alerted |
//! | `day_45` | 45 | formal notice |
//! | `day_60` | 60 | credit hold on the customer |
//! | `day_75` | 75 | CFO escalation |
//! | `day_90` | 90 | legal demand |
//!
//! - **Ladder days** are counted from the invoice's due date (day 0 is the
//!   due date itself), less the days the invoice was under dispute: while a
//!   dispute on it is open the ladder stands still, and after the dispute is
//!   resolved it resumes where it stopped. A dispute opened on O and resolved
//!   on R takes the R − O days between them (only those after the due date)
//!   off the count; overlapping disputes take their days off once. A dispute
//!   counts as open on the as-of date if it was opened on or before it and
//!   not resolved on or before it.
//! - **Open** invoices are the ones [`ArAging`] lists with an open amount
//!   above zero: total − payments − credit memos − write-offs as of the
//!   date. The aging is the caller's, folded from the same log, so the two
//!   reports agree on what is open and the open amounts are kept once. Only
//!   those whose due date is reached are on the ladder and in the report; a
//!   fully settled invoice leaves it.
//! - A step is **reached** when the ladder days reach its day; it is **due**
//!   when it is reached, not recorded by a `collection_step_taken` dated on
//!   or before the as-of date, and no dispute on the invoice is open. Every
//!   reached step that was never recorded stays due, a skipped one included,
//!   so that nothing on the ladder is silently passed over.
//! - **Credit holds.** The projection is pure, so the day-60 hold is an
//!   action it reports: a customer with an open, undisputed invoice at 60
//!   ladder days or more, and no `credit_hold_placed` in force, is a hold to
//!   place (with the invoice furthest up the ladder as the trigger). A
//!   customer with a hold in force and no open invoice at 60 ladder days or
//!   more left (a disputed one still counts: it is not paid) is a hold to
//!   release — which is what full payment does. Holds in force come from
//!   `credit_hold_placed` / `credit_hold_released` dated on or before the
//!   as-of date, in date order (log order within a day), whatever their
//!   reason.
//!
//! Amounts are decimal strings with the currency's minor places, as in the
//! aging report; dates are `YYYY-MM-DD`.
//!
//! ```
//! use revops_projections::aging::ArAging;
//! use revops_projections::collections::Collections;
//!
//! let collections = Collections::default();
//! let report = collections.report("2026-03-31".parse()?, &ArAging::default());
//! assert!(report.invoices.is_empty() && report.holds.is_empty());
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use revops_core::Currency;
use revops_events::event::CollectionStep;
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::aging::{AgingBasis, AgingOptions, ArAging};
use crate::intern::{slot, Interner};
use crate::once::SeqGuard;
use crate::Projection;

/// The steps of the ladder in order, with the day each is reached on.
pub const LADDER: [(CollectionStep, i64); 8] = [
    (CollectionStep::Day0, 0),
    (CollectionStep::Day7, 7),
    (CollectionStep::Day15, 15),
    (CollectionStep::Day30, 30),
    (CollectionStep::Day45, 45),
    (CollectionStep::Day60, 60),
    (CollectionStep::Day75, 75),
    (CollectionStep::Day90, 90),
];

/// The ladder day of the step that puts the customer on credit hold.
pub const CREDIT_HOLD_DAY: i64 = 60;

/// The day of `step` on the ladder.
pub fn ladder_day(step: CollectionStep) -> i64 {
    LADDER[step as usize].1
}

/// A step recorded by `collection_step_taken`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenStep {
    /// The step.
    pub step: CollectionStep,
    /// When it was taken.
    pub taken_on: NaiveDate,
}

/// An open invoice on the ladder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderInvoice {
    /// The invoice id.
    pub invoice: String,
    /// The bill-to customer.
    pub customer: String,
    /// Invoice currency.
    pub currency: Currency,
    /// Due date: ladder day 0.
    pub due_on: NaiveDate,
    /// Open amount as of the report date.
    pub open: String,
    /// Calendar days since the due date.
    pub days_past_due: i64,
    /// Days on the ladder: `days_past_due` less the days under dispute.
    pub ladder_days: i64,
    /// True while a dispute on the invoice is open: no step is due.
    pub paused: bool,
    /// The highest step reached (`day_0` at least).
    pub reached: CollectionStep,
    /// Steps recorded by the as-of date, in ladder order.
    pub taken: Vec<TakenStep>,
    /// Steps due: reached, not recorded, not paused; in ladder order.
    pub due: Vec<CollectionStep>,
    /// The next step to be reached; absent after `day_90`.
    pub next_step: Option<CollectionStep>,
    /// The date it will be reached if nothing changes; absent while paused.
    pub next_step_on: Option<NaiveDate>,
}

/// A credit hold in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditHold {
    /// The customer on hold.
    pub customer: String,
    /// When the hold was placed.
    pub placed_on: NaiveDate,
    /// Why, as recorded.
    pub reason: String,
}

/// A customer to put on credit hold: the day-60 action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldToPlace {
    /// The customer.
    pub customer: String,
    /// The open invoice furthest up the ladder (ties: lowest invoice id).
    pub invoice: String,
    /// Its ladder days.
    pub ladder_days: i64,
    /// Its currency.
    pub currency: Currency,
    /// Its open amount.
    pub open: String,
}

/// A customer on hold with no open invoice at 60 ladder days or more left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldToRelease {
    /// The customer.
    pub customer: String,
    /// When the hold in force was placed.
    pub placed_on: NaiveDate,
}

/// Counts for a dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionCounts {
    /// Open invoices on the ladder.
    pub invoices: u64,
    /// Of those, paused by an open dispute.
    pub paused: u64,
    /// Steps due, all invoices.
    pub due_steps: u64,
    /// Credit holds in force.
    pub holds: u64,
    /// Holds to place.
    pub holds_to_place: u64,
    /// Holds to release.
    pub holds_to_release: u64,
}

/// The collections report as of a date. Sorted: `invoices` by customer, due
/// date and invoice id; the hold lists by customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionsReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Counts for a dashboard.
    pub counts: CollectionCounts,
    /// Open invoices whose due date is reached.
    pub invoices: Vec<LadderInvoice>,
    /// Credit holds in force.
    pub holds: Vec<CreditHold>,
    /// Credit holds the ladder calls for.
    pub holds_to_place: Vec<HoldToPlace>,
    /// Credit holds that can be lifted.
    pub holds_to_release: Vec<HoldToRelease>,
}

#[derive(Clone, Copy, Debug)]
struct Dispute {
    opened: bool,
    invoice: u32,
    opened_on: NaiveDate,
    resolved_on: Option<NaiveDate>,
}

const UNSEEN: Dispute = Dispute { opened: false, invoice: 0, opened_on: NaiveDate::MIN, resolved_on: None };

#[derive(Clone, Debug)]
struct HoldFact {
    customer: String,
    on: NaiveDate,
    /// The reason of a hold placed; `None` for a release.
    placed: Option<String>,
}

/// The collections ladder. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct Collections {
    guard: SeqGuard,
    invoice_ids: Interner,
    dispute_ids: Interner,
    /// Per invoice id, the date each ladder step was recorded (the earliest).
    taken: Vec<[Option<NaiveDate>; 8]>,
    disputes: Vec<Dispute>,
    holds: Vec<HoldFact>,
}

impl Projection for Collections {
    const READS: EventTypes = EventTypes::NONE
        .with("collection_step_taken")
        .with("credit_hold_placed")
        .with("credit_hold_released")
        .with("dispute_opened")
        .with("dispute_resolved");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        match &envelope.event {
            Event::CollectionStepTaken(e) => {
                let id = self.invoice_ids.intern(e.invoice.as_str());
                let taken = &mut slot(&mut self.taken, id, [None; 8])[e.step as usize];
                *taken = Some(taken.map_or(e.taken_on, |d| d.min(e.taken_on)));
            }
            Event::DisputeOpened(e) => {
                let invoice = self.invoice_ids.intern(e.invoice.as_str());
                let id = self.dispute_ids.intern(e.dispute.as_str());
                let dispute = slot(&mut self.disputes, id, UNSEEN);
                if !dispute.opened {
                    *dispute = Dispute { opened: true, invoice, opened_on: e.opened_on, ..*dispute };
                }
            }
            Event::DisputeResolved(e) => {
                let id = self.dispute_ids.intern(e.dispute.as_str());
                slot(&mut self.disputes, id, UNSEEN).resolved_on.get_or_insert(e.resolved_on);
            }
            Event::CreditHoldPlaced(e) => self.holds.push(HoldFact {
                customer: e.customer.as_str().to_owned(),
                on: e.placed_on,
                placed: Some(e.reason.clone()),
            }),
            Event::CreditHoldReleased(e) => {
                self.holds.push(HoldFact { customer: e.customer.as_str().to_owned(), on: e.released_on, placed: None });
            }
            _ => {}
        }
    }
}

/// A dispute's span as of the report date: opened on, and resolved on if
/// that is on or before the report date.
type Span = (NaiveDate, Option<NaiveDate>);

impl Collections {
    /// The ladder as of `as_of`, with open amounts, customers and due dates
    /// from `aging` (folded from the same log; see the [module docs](self)).
    pub fn report(&self, as_of: NaiveDate, aging: &ArAging) -> CollectionsReport {
        let spans = self.dispute_spans(as_of);
        let holds = self.holds_in_force(as_of);
        let aging = aging.report(as_of, AgingOptions { basis: AgingBasis::DueDate, period_days: 1 });

        let mut invoices = Vec::new();
        for open in aging.invoices {
            let positive = open.open.parse::<Decimal>().is_ok_and(|d| d > Decimal::ZERO);
            if !positive || open.due_on > as_of {
                continue;
            }
            let id = self.invoice_ids.get(&open.invoice);
            let taken = id.and_then(|id| self.taken.get(id as usize)).copied().unwrap_or([None; 8]);
            let taken = taken.map(|d| d.filter(|&d| d <= as_of));
            let none = Vec::new();
            let spans = id.and_then(|id| spans.get(&id)).unwrap_or(&none);
            invoices.push(ladder_invoice(open, as_of, &taken, spans));
        }
        invoices.sort_by(|a, b| (&a.customer, a.due_on, &a.invoice).cmp(&(&b.customer, b.due_on, &b.invoice)));

        // Per customer, the open invoice furthest up the ladder, disputed or
        // not (it blocks a release), and the furthest undisputed one (it
        // triggers a hold).
        let mut furthest: BTreeMap<&str, (i64, Option<&LadderInvoice>)> = BTreeMap::new();
        for i in &invoices {
            let entry = furthest.entry(i.customer.as_str()).or_insert((i64::MIN, None));
            entry.0 = entry.0.max(i.ladder_days);
            let better = entry.1.is_none_or(|t| {
                (i.ladder_days, std::cmp::Reverse(&i.invoice)) > (t.ladder_days, std::cmp::Reverse(&t.invoice))
            });
            if !i.paused && better {
                entry.1 = Some(i);
            }
        }
        let holds_to_place: Vec<HoldToPlace> = furthest
            .iter()
            .filter(|(customer, _)| !holds.contains_key(*customer))
            .filter_map(|(_, (_, trigger))| trigger.filter(|t| t.ladder_days >= CREDIT_HOLD_DAY))
            .map(|t| HoldToPlace {
                customer: t.customer.clone(),
                invoice: t.invoice.clone(),
                ladder_days: t.ladder_days,
                currency: t.currency,
                open: t.open.clone(),
            })
            .collect();
        let holds_to_release: Vec<HoldToRelease> = holds
            .iter()
            .filter(|(customer, _)| furthest.get(*customer).is_none_or(|f| f.0 < CREDIT_HOLD_DAY))
            .map(|(customer, hold)| HoldToRelease { customer: (*customer).to_owned(), placed_on: hold.0 })
            .collect();

        let counts = CollectionCounts {
            invoices: invoices.len() as u64,
            paused: invoices.iter().filter(|i| i.paused).count() as u64,
            due_steps: invoices.iter().map(|i| i.due.len() as u64).sum(),
            holds: holds.len() as u64,
            holds_to_place: holds_to_place.len() as u64,
            holds_to_release: holds_to_release.len() as u64,
        };
        CollectionsReport {
            as_of,
            counts,
            invoices,
            holds: holds
                .into_iter()
                .map(|(customer, (placed_on, reason))| CreditHold {
                    customer: customer.to_owned(),
                    placed_on,
                    reason: reason.to_owned(),
                })
                .collect(),
            holds_to_place,
            holds_to_release,
        }
    }

    /// Per invoice id, the spans of its disputes opened on or before `as_of`.
    fn dispute_spans(&self, as_of: NaiveDate) -> BTreeMap<u32, Vec<Span>> {
        let mut spans: BTreeMap<u32, Vec<Span>> = BTreeMap::new();
        for d in self.disputes.iter().filter(|d| d.opened && d.opened_on <= as_of) {
            spans.entry(d.invoice).or_default().push((d.opened_on, d.resolved_on.filter(|&r| r <= as_of)));
        }
        spans
    }

    /// Customers on hold as of `as_of`: when the hold in force was placed,
    /// and why.
    fn holds_in_force(&self, as_of: NaiveDate) -> BTreeMap<&str, (NaiveDate, &str)> {
        let mut facts: Vec<&HoldFact> = self.holds.iter().filter(|h| h.on <= as_of).collect();
        // Stable: log order within a day.
        facts.sort_by_key(|h| h.on);
        let mut holds = BTreeMap::new();
        for fact in facts {
            match &fact.placed {
                Some(reason) => {
                    holds.entry(fact.customer.as_str()).or_insert((fact.on, reason.as_str()));
                }
                None => {
                    holds.remove(fact.customer.as_str());
                }
            }
        }
        holds
    }
}

fn ladder_invoice(
    open: crate::aging::OpenInvoice,
    as_of: NaiveDate,
    taken: &[Option<NaiveDate>; 8],
    spans: &[Span],
) -> LadderInvoice {
    let days_past_due = (as_of - open.due_on).num_days();
    let (paused_days, paused) = paused(open.due_on, as_of, spans);
    let ladder_days = days_past_due - paused_days;
    assert!((0..=days_past_due).contains(&ladder_days), "{}: ladder days {ladder_days}", open.invoice);

    let reached = LADDER.iter().take_while(|(_, day)| *day <= ladder_days).count();
    assert!(reached >= 1, "day 0 is reached on the due date");
    let due = LADDER[..reached].iter().filter(|(step, _)| taken[*step as usize].is_none()).map(|(step, _)| *step);
    let next = LADDER.get(reached);
    LadderInvoice {
        invoice: open.invoice,
        customer: open.customer,
        currency: open.currency,
        due_on: open.due_on,
        open: open.open,
        days_past_due,
        ladder_days,
        paused,
        reached: LADDER[reached - 1].0,
        taken: LADDER
            .iter()
            .filter_map(|(step, _)| taken[*step as usize].map(|taken_on| TakenStep { step: *step, taken_on }))
            .collect(),
        due: if paused { Vec::new() } else { due.collect() },
        next_step: next.map(|(step, _)| *step),
        next_step_on: next
            .filter(|_| !paused)
            .and_then(|(_, day)| as_of.checked_add_days(Days::new((day - ladder_days).unsigned_abs()))),
    }
}

/// Days between `due_on` and `as_of` spent under a dispute, each day once
/// however many disputes cover it, and whether a dispute is open on `as_of`.
fn paused(due_on: NaiveDate, as_of: NaiveDate, spans: &[Span]) -> (i64, bool) {
    let mut open_now = false;
    let mut clipped: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(spans.len());
    for &(opened_on, resolved_on) in spans {
        open_now |= resolved_on.is_none();
        let (from, to) = (opened_on.max(due_on), resolved_on.unwrap_or(as_of).min(as_of));
        if from < to {
            clipped.push((from, to));
        }
    }
    clipped.sort_unstable();
    let (mut days, mut covered_to) = (0, due_on);
    for (from, to) in clipped {
        if to > covered_to {
            days += (to - from.max(covered_to)).num_days();
            covered_to = to;
        }
    }
    assert!(days <= (as_of - due_on).num_days().max(0), "paused longer than past due");
    (days, open_now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn overlapping_disputes_pause_each_day_once() {
        let due = d("2026-01-01");
        let spans = [(d("2026-01-05"), Some(d("2026-01-15"))), (d("2026-01-10"), Some(d("2026-01-20")))];
        assert_eq!(paused(due, d("2026-01-31"), &spans), (15, false));
        assert_eq!(paused(due, d("2026-01-12"), &[(d("2026-01-05"), None), (d("2026-01-10"), None)]), (7, true));
        // Opened before the due date: only the days after it count.
        assert_eq!(paused(due, d("2026-01-31"), &[(d("2025-12-20"), Some(d("2026-01-04")))]), (3, false));
        assert_eq!(paused(due, d("2026-01-31"), &[(d("2025-12-20"), Some(d("2025-12-24")))]), (0, false));
    }

    #[test]
    fn the_ladder_table_is_in_step_order() {
        for (i, (step, day)) in LADDER.iter().enumerate() {
            assert_eq!(*step as usize, i);
            assert_eq!(ladder_day(*step), *day);
        }
        assert_eq!(ladder_day(CollectionStep::Day60), CREDIT_HOLD_DAY);
    }
}

//! The ledger's state: what commands are validated against, folded from
//! events only.
//!
//! The fold never fails and never refuses: the log holds facts, and a fact
//! that a command would refuse today (an invoice to an unknown customer,
//! a payment applied twice over) still happened. Where a fact cannot move a
//! balance the state keeps (an amount in another currency than the entity's,
//! a second `invoice_issued` for an id that exists), the state leaves that
//! balance alone; the event stays in the log for projections to interpret.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::modification::{LineChange, Modification};
use revops_core::performance::{Performance, TimeApproval, UsageRecord};
use revops_core::terms::{Contract, ContractLine, LineKind, PaymentTerms, Recognition};
use revops_core::{Currency, Money};
use rust_decimal::Decimal;

use crate::envelope::{Envelope, Seq};
use crate::event::*;
use crate::ids::*;
use crate::stream::StreamId;

/// A bill-to account as the ledger knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomerState {
    /// The billing currency; contracts and payments of the customer are in it.
    pub currency: Currency,
    /// Credit limit, in `currency`.
    pub credit_limit: Decimal,
    /// Default payment terms.
    pub payment_terms: PaymentTerms,
    /// True while a credit hold is in force: no new invoices.
    pub on_credit_hold: bool,
    /// Business date of registration.
    pub registered_on: NaiveDate,
    /// The earliest day the customer paid an invoice late: the receipt date
    /// of a payment applied to an invoice it reached after the due date.
    pub paid_late_on: Option<NaiveDate>,
}

/// A contract milestone's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MilestoneState {
    /// When the work was handed over.
    pub delivered_on: Option<NaiveDate>,
    /// When the customer accepted it.
    pub accepted_on: Option<NaiveDate>,
}

/// A contract line (of any term) as the ledger knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineState {
    /// What the line sells.
    pub kind: LineKind,
    /// How its revenue is recognized; decides which performance events fit.
    pub recognition: Recognition,
    /// Milestones of a milestone line, by id.
    pub milestones: BTreeMap<String, MilestoneState>,
    /// Delivery of a point-in-time line.
    pub delivered_on: Option<NaiveDate>,
    /// The effective date of a modification that removed the line.
    pub removed_on: Option<NaiveDate>,
}

impl LineState {
    fn of(line: &ContractLine) -> LineState {
        LineState {
            kind: line.kind,
            recognition: line.recognition,
            milestones: line.milestones.iter().map(|m| (m.milestone.clone(), MilestoneState::default())).collect(),
            delivered_on: None,
            removed_on: None,
        }
    }
}

/// A contract as the ledger knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContractState {
    /// The bill-to customer.
    pub customer: CustomerId,
    /// The contract currency.
    pub currency: Currency,
    /// True when every invoice must quote a PO number.
    pub po_required: bool,
    /// The customer's purchase order, quoted on the invoices.
    pub po_number: Option<String>,
    /// Where tax is assessed.
    pub tax_jurisdiction: Option<String>,
    /// True when the customer is exempt from tax: invoices carry no tax.
    pub tax_exempt: bool,
    /// The terms of the current term (the signed one, or the latest
    /// renewal), as revops-core validates them.
    pub terms: Contract,
    /// The modifications of the current term, in log order.
    pub modifications: Vec<Modification>,
    /// Every line of every term, by id: performance events and invoices may
    /// name a line of an earlier term.
    pub lines: BTreeMap<String, LineState>,
    /// The first day without service, once cancelled.
    pub cancelled_on: Option<NaiveDate>,
    /// The partner that sourced the deal (at most one).
    pub sourced_by: Option<PartnerId>,
    /// Every partner attributed to the contract, of any kind.
    pub partners: BTreeSet<PartnerId>,
    /// The terms and modifications of each term before the current one, for
    /// what those terms still have to bill (last month's usage).
    pub(crate) earlier_terms: Vec<Term>,
    /// Approved time and recorded usage, of every term: what the bill run
    /// prices. Milestone acceptances are in [`ContractState::lines`].
    pub(crate) performance: Performance,
    /// Every (contract line, period start) an invoice of the contract
    /// already bills: a bill run never bills one twice.
    pub(crate) billed: BTreeSet<BilledPeriod>,
    /// Per contract line, what invoices billed without naming a period (a
    /// milestone or a license invoiced by hand): it covers the line's
    /// earliest installments, so a bill run does not bill them again.
    pub(crate) billed_without_period: BTreeMap<String, Decimal>,
}

/// A term's terms with the modifications made during it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Term {
    pub(crate) terms: Contract,
    pub(crate) modifications: Vec<Modification>,
}

/// A contract line and the first day of the service period an invoice line
/// bills it for: a line has one period per start, whose end an amendment
/// of the line's end date can move, and a period billed is billed whatever
/// its end said then (no true-up).
pub(crate) type BilledPeriod = (String, NaiveDate);

/// An invoice as the ledger knows it; amounts in `currency`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvoiceState {
    /// The bill-to customer.
    pub customer: CustomerId,
    /// The contract billed.
    pub contract: ContractId,
    /// Invoice currency.
    pub currency: Currency,
    /// Invoice date.
    pub issued_on: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
    /// Amount plus tax of every line.
    pub total: Decimal,
    /// Payments applied.
    pub applied: Decimal,
    /// Credit memos issued.
    pub credited: Decimal,
    /// Written off as bad debt.
    pub written_off: Decimal,
    /// Collection steps taken.
    pub steps: BTreeSet<CollectionStep>,
}

impl InvoiceState {
    /// What is still owed: total − applied − credited − written off.
    pub fn open_amount(&self) -> Money {
        let open =
            self.total.saturating_sub(self.applied).saturating_sub(self.credited).saturating_sub(self.written_off);
        Money::new(open, self.currency)
    }

    /// The total as money.
    pub fn total(&self) -> Money {
        Money::new(self.total, self.currency)
    }
}

/// A payment as the ledger knows it; amounts in `currency`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentState {
    /// The paying customer.
    pub customer: CustomerId,
    /// Payment currency.
    pub currency: Currency,
    /// Amount received.
    pub amount: Decimal,
    /// Applied to invoices.
    pub applied: Decimal,
    /// Returned to the customer.
    pub refunded: Decimal,
    /// Value date.
    pub received_on: NaiveDate,
}

impl PaymentState {
    /// Cash not yet applied or refunded: amount − applied − refunded.
    pub fn unapplied(&self) -> Money {
        Money::new(self.amount.saturating_sub(self.applied).saturating_sub(self.refunded), self.currency)
    }
}

/// An invoice dispute as the ledger knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisputeState {
    /// The invoice disputed.
    pub invoice: InvoiceId,
    /// Amount disputed.
    pub amount: Money,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// First review.
    pub reviewed_on: Option<NaiveDate>,
    /// Escalation.
    pub escalated_on: Option<NaiveDate>,
    /// The outcome, once resolved.
    pub outcome: Option<DisputeOutcome>,
}

/// A rep with at least one commission plan.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepState {
    /// The currency of the rep's plans; commissions are paid in it.
    pub currency: Currency,
    /// The rep's plans.
    pub plans: BTreeSet<PlanId>,
}

/// A commission dispute as the ledger knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommissionDisputeState {
    /// The rep.
    pub rep: RepId,
    /// Amount claimed.
    pub amount: Money,
    /// True once resolved.
    pub resolved: bool,
}

/// A partner's market development funds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartnerState {
    /// The currency of the first allocation; later ones must match.
    pub currency: Currency,
    /// Funds granted.
    pub allocated: Decimal,
    /// Funds drawn.
    pub spent: Decimal,
}

impl PartnerState {
    /// Funds left: allocated − spent.
    pub fn mdf_balance(&self) -> Money {
        Money::new(self.allocated.saturating_sub(self.spent), self.currency)
    }
}

/// Everything commands are validated against, folded from the log.
///
/// Small on purpose: per entity only what a rule reads (currencies,
/// balances as [`Decimal`] in the entity's currency, lifecycle dates), in
/// `BTreeMap`s keyed by id so that two folds of the same log compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerState {
    pub(super) next_seq: u64,
    pub(super) streams: BTreeMap<StreamId, u64>,
    pub(super) customers: BTreeMap<CustomerId, CustomerState>,
    pub(super) contracts: BTreeMap<ContractId, ContractState>,
    pub(super) invoices: BTreeMap<InvoiceId, InvoiceState>,
    pub(super) payments: BTreeMap<PaymentId, PaymentState>,
    pub(super) credit_memos: BTreeMap<CreditMemoId, InvoiceId>,
    pub(super) disputes: BTreeMap<DisputeId, DisputeState>,
    pub(super) plans: BTreeMap<PlanId, RepId>,
    pub(super) reps: BTreeMap<RepId, RepState>,
    pub(super) commission_disputes: BTreeMap<CommissionDisputeId, CommissionDisputeState>,
    pub(super) partners: BTreeMap<PartnerId, PartnerState>,
    pub(super) closed_periods: BTreeSet<YearMonth>,
}

/// Adds `amount` to `balance` when it is in the balance's currency. Saturates
/// rather than panicking: replay must not fail on an absurd fact.
fn add_in(balance: &mut Decimal, balance_currency: Currency, amount: Decimal, currency: Currency) {
    if currency == balance_currency {
        *balance = balance.saturating_add(amount);
    }
}

impl LedgerState {
    /// The position of the next envelope to fold: every envelope before it
    /// has been applied.
    pub fn next_seq(&self) -> Seq {
        Seq(self.next_seq)
    }

    /// The number of events of `stream` folded so far: the version a command
    /// on that stream expects.
    pub fn stream_version(&self, stream: &StreamId) -> u64 {
        self.streams.get(stream).copied().unwrap_or(0)
    }

    /// The customer `id`.
    pub fn customer(&self, id: &CustomerId) -> Option<&CustomerState> {
        self.customers.get(id)
    }

    /// The contract `id`.
    pub fn contract(&self, id: &ContractId) -> Option<&ContractState> {
        self.contracts.get(id)
    }

    /// The invoice `id`.
    pub fn invoice(&self, id: &InvoiceId) -> Option<&InvoiceState> {
        self.invoices.get(id)
    }

    /// The payment `id`.
    pub fn payment(&self, id: &PaymentId) -> Option<&PaymentState> {
        self.payments.get(id)
    }

    /// The invoice the credit memo `id` credits.
    pub fn credit_memo(&self, id: &CreditMemoId) -> Option<&InvoiceId> {
        self.credit_memos.get(id)
    }

    /// The dispute `id`.
    pub fn dispute(&self, id: &DisputeId) -> Option<&DisputeState> {
        self.disputes.get(id)
    }

    /// The rep `id`, once a commission plan names it.
    pub fn rep(&self, id: &RepId) -> Option<&RepState> {
        self.reps.get(id)
    }

    /// The rep of commission plan `id`.
    pub fn plan(&self, id: &PlanId) -> Option<&RepId> {
        self.plans.get(id)
    }

    /// The commission dispute `id`.
    pub fn commission_dispute(&self, id: &CommissionDisputeId) -> Option<&CommissionDisputeState> {
        self.commission_disputes.get(id)
    }

    /// The MDF account of partner `id`, once funds were allocated to it.
    pub fn partner(&self, id: &PartnerId) -> Option<&PartnerState> {
        self.partners.get(id)
    }

    /// True once `period_closed` was recorded for `period`.
    pub fn is_closed(&self, period: YearMonth) -> bool {
        self.closed_periods.contains(&period)
    }

    /// Folds one envelope into the state. Never fails: see the module docs.
    /// An envelope before [`LedgerState::next_seq`] was folded already and is
    /// skipped, so applying the same envelope twice changes nothing.
    pub fn apply(&mut self, envelope: &Envelope) {
        if envelope.seq.0 < self.next_seq {
            return;
        }
        self.next_seq = envelope.seq.0.saturating_add(1);
        let version = self.streams.entry(envelope.stream.clone()).or_insert(0);
        *version = (*version).max(envelope.stream_version);
        self.apply_event(&envelope.event);
    }

    fn apply_event(&mut self, event: &Event) {
        match event {
            Event::CustomerRegistered(e) => {
                self.customers.entry(e.customer.clone()).or_insert(CustomerState {
                    currency: e.currency,
                    credit_limit: e.credit_limit,
                    payment_terms: e.payment_terms,
                    on_credit_hold: false,
                    registered_on: e.registered_on,
                    paid_late_on: None,
                });
            }
            Event::CustomerUpdated(e) => {
                if let Some(c) = self.customers.get_mut(&e.customer) {
                    c.credit_limit = e.credit_limit.unwrap_or(c.credit_limit);
                    c.payment_terms = e.payment_terms.unwrap_or(c.payment_terms);
                }
            }
            Event::CreditHoldPlaced(e) => self.set_hold(&e.customer, true),
            Event::CreditHoldReleased(e) => self.set_hold(&e.customer, false),
            Event::ContractSigned(e) => {
                self.contracts.entry(e.contract.clone()).or_insert_with(|| ContractState {
                    customer: e.customer.clone(),
                    currency: e.currency,
                    po_required: e.po_required,
                    po_number: e.po_number.clone(),
                    tax_jurisdiction: e.tax_jurisdiction.clone(),
                    tax_exempt: e.tax_exempt,
                    terms: e.terms(),
                    modifications: Vec::new(),
                    lines: e.lines.iter().map(|l| (l.line.clone(), LineState::of(l))).collect(),
                    cancelled_on: None,
                    sourced_by: None,
                    partners: BTreeSet::new(),
                    earlier_terms: Vec::new(),
                    performance: Performance::default(),
                    billed: BTreeSet::new(),
                    billed_without_period: BTreeMap::new(),
                });
            }
            Event::ContractModified(e) => {
                let Some(c) = self.contracts.get_mut(&e.contract) else { return };
                for change in &e.changes {
                    match change {
                        LineChange::Add { line } => {
                            c.lines.entry(line.line.clone()).or_insert_with(|| LineState::of(line));
                        }
                        LineChange::Remove { line } => {
                            if let Some(l) = c.lines.get_mut(line) {
                                l.removed_on.get_or_insert(e.effective_on);
                            }
                        }
                        // Amended prices and dates live in the terms and
                        // modifications kept for revops-core.
                        LineChange::Amend { .. } => {}
                    }
                }
                c.modifications.push(Modification {
                    effective_on: e.effective_on,
                    treatment: e.treatment,
                    changes: e.changes.clone(),
                });
            }
            Event::ContractRenewed(e) => {
                let Some(c) = self.contracts.get_mut(&e.contract) else { return };
                // A renewal starts a new term: its lines are the terms that
                // later modifications change.
                let term = Term { terms: c.terms.clone(), modifications: std::mem::take(&mut c.modifications) };
                c.earlier_terms.push(term);
                c.terms.start_date = e.start_date;
                c.terms.end_date = e.end_date;
                c.terms.lines = e.lines.clone();
                for line in &e.lines {
                    c.lines.entry(line.line.clone()).or_insert_with(|| LineState::of(line));
                }
            }
            Event::ContractCancelled(e) => {
                if let Some(c) = self.contracts.get_mut(&e.contract) {
                    c.cancelled_on.get_or_insert(e.effective_on);
                }
            }
            Event::MilestoneDelivered(e) => {
                if let Some(m) = self.milestone_mut(&e.contract, &e.line, &e.milestone) {
                    m.delivered_on.get_or_insert(e.delivered_on);
                }
            }
            Event::MilestoneAccepted(e) => {
                if let Some(m) = self.milestone_mut(&e.contract, &e.line, &e.milestone) {
                    m.accepted_on.get_or_insert(e.accepted_on);
                }
            }
            Event::LineDelivered(e) => {
                if let Some(l) = self.contracts.get_mut(&e.contract).and_then(|c| c.lines.get_mut(e.line.as_str())) {
                    l.delivered_on.get_or_insert(e.delivered_on);
                }
            }
            Event::PartnerAttributed(e) => {
                if let Some(c) = self.contracts.get_mut(&e.contract) {
                    if e.kind == AttributionKind::Sourced {
                        c.sourced_by.get_or_insert_with(|| e.partner.clone());
                    }
                    c.partners.insert(e.partner.clone());
                }
            }
            Event::InvoiceIssued(e) => {
                if self.invoices.contains_key(&e.invoice) {
                    return;
                }
                if let Some(c) = self.contracts.get_mut(&e.contract) {
                    for l in &e.lines {
                        let Some(line) = &l.line else { continue };
                        match (l.period_start, l.period_end) {
                            (Some(start), Some(_)) => {
                                c.billed.insert((line.to_string(), start));
                            }
                            _ => *c.billed_without_period.entry(line.to_string()).or_default() += l.amount,
                        }
                    }
                }
                let invoice = InvoiceState {
                    customer: e.customer.clone(),
                    contract: e.contract.clone(),
                    currency: e.currency,
                    issued_on: e.issued_on,
                    due_on: e.due_on,
                    total: e
                        .lines
                        .iter()
                        .fold(Decimal::ZERO, |sum, l| sum.saturating_add(l.amount).saturating_add(l.tax)),
                    applied: Decimal::ZERO,
                    credited: Decimal::ZERO,
                    written_off: Decimal::ZERO,
                    steps: BTreeSet::new(),
                };
                self.invoices.insert(e.invoice.clone(), invoice);
            }
            Event::InvoiceWrittenOff(e) => {
                if let Some(i) = self.invoices.get_mut(&e.invoice) {
                    add_in(&mut i.written_off, i.currency, e.amount, e.currency);
                }
            }
            Event::CreditMemoIssued(e) => {
                // A memo id seen before is a repeated fact about that memo,
                // not a second credit.
                if self.credit_memos.contains_key(&e.memo) {
                    return;
                }
                self.credit_memos.insert(e.memo.clone(), e.invoice.clone());
                if let Some(i) = self.invoices.get_mut(&e.invoice) {
                    add_in(&mut i.credited, i.currency, e.amount, e.currency);
                }
            }
            Event::CollectionStepTaken(e) => {
                if let Some(i) = self.invoices.get_mut(&e.invoice) {
                    i.steps.insert(e.step);
                }
            }
            Event::PaymentReceived(e) => {
                self.payments.entry(e.payment.clone()).or_insert_with(|| PaymentState {
                    customer: e.customer.clone(),
                    currency: e.currency,
                    amount: e.amount,
                    applied: Decimal::ZERO,
                    refunded: Decimal::ZERO,
                    received_on: e.received_on,
                });
            }
            Event::PaymentApplied(e) => {
                let mut received_on = None;
                if let Some(p) = self.payments.get_mut(&e.payment) {
                    add_in(&mut p.applied, p.currency, e.amount, e.currency);
                    received_on = Some(p.received_on);
                }
                let Some(i) = self.invoices.get_mut(&e.invoice) else { return };
                add_in(&mut i.applied, i.currency, e.amount, e.currency);
                // Cash that arrived by the due date and was matched later is
                // not a late payment: the customer paid in time.
                let late = received_on.filter(|on| *on > i.due_on);
                if let (Some(on), Some(c)) = (late, self.customers.get_mut(&i.customer)) {
                    c.paid_late_on = Some(c.paid_late_on.map_or(on, |first| first.min(on)));
                }
            }
            Event::PaymentRefunded(e) => {
                if let Some(p) = self.payments.get_mut(&e.payment) {
                    add_in(&mut p.refunded, p.currency, e.amount, e.currency);
                }
            }
            Event::DisputeOpened(e) => {
                self.disputes.entry(e.dispute.clone()).or_insert_with(|| DisputeState {
                    invoice: e.invoice.clone(),
                    amount: Money::new(e.amount, e.currency),
                    opened_on: e.opened_on,
                    reviewed_on: None,
                    escalated_on: None,
                    outcome: None,
                });
            }
            Event::DisputeReviewed(e) => {
                if let Some(d) = self.disputes.get_mut(&e.dispute) {
                    d.reviewed_on.get_or_insert(e.reviewed_on);
                }
            }
            Event::DisputeEscalated(e) => {
                if let Some(d) = self.disputes.get_mut(&e.dispute) {
                    d.escalated_on.get_or_insert(e.escalated_on);
                }
            }
            Event::DisputeResolved(e) => {
                if let Some(d) = self.disputes.get_mut(&e.dispute) {
                    d.outcome.get_or_insert(e.outcome);
                }
            }
            Event::CommissionPlanDefined(e) => {
                if self.plans.contains_key(&e.plan) {
                    return;
                }
                self.plans.insert(e.plan.clone(), e.rep.clone());
                let rep = self
                    .reps
                    .entry(e.rep.clone())
                    .or_insert_with(|| RepState { currency: e.currency, plans: BTreeSet::new() });
                rep.plans.insert(e.plan.clone());
            }
            Event::CommissionDisputeOpened(e) => {
                self.commission_disputes.entry(e.dispute.clone()).or_insert_with(|| CommissionDisputeState {
                    rep: e.rep.clone(),
                    amount: Money::new(e.amount, e.currency),
                    resolved: false,
                });
            }
            Event::CommissionDisputeResolved(e) => {
                if let Some(d) = self.commission_disputes.get_mut(&e.dispute) {
                    d.resolved = true;
                }
            }
            Event::MdfAllocated(e) => {
                let p = self.partners.entry(e.partner.clone()).or_insert_with(|| PartnerState {
                    currency: e.currency,
                    allocated: Decimal::ZERO,
                    spent: Decimal::ZERO,
                });
                add_in(&mut p.allocated, p.currency, e.amount, e.currency);
            }
            Event::MdfSpent(e) => {
                if let Some(p) = self.partners.get_mut(&e.partner) {
                    add_in(&mut p.spent, p.currency, e.amount, e.currency);
                }
            }
            Event::PeriodClosed(e) => {
                self.closed_periods.insert(e.period);
            }
            Event::TimeApproved(e) => {
                if let Some(c) = self.contracts.get_mut(&e.contract) {
                    c.performance.time_approved.push(TimeApproval {
                        line: e.line.to_string(),
                        hours: e.hours,
                        rate: e.rate,
                        approved_on: e.approved_on,
                    });
                }
            }
            Event::UsageRecorded(e) => {
                if let Some(c) = self.contracts.get_mut(&e.contract) {
                    c.performance.usage_recorded.push(UsageRecord {
                        line: e.line.to_string(),
                        quantity: e.quantity,
                        unit_price: e.unit_price,
                        incurred_on: e.incurred_on,
                    });
                }
            }
            // Facts no rule reads back: they need no state here.
            Event::InvoiceDispatched(_)
            | Event::CommissionPaid(_)
            | Event::CommissionAdjusted(_)
            | Event::RenewalContactLogged(_)
            | Event::SpifEarned(_)
            | Event::FxRateSet(_) => {}
        }
    }

    fn set_hold(&mut self, customer: &CustomerId, on: bool) {
        if let Some(c) = self.customers.get_mut(customer) {
            c.on_credit_hold = on;
        }
    }

    fn milestone_mut(
        &mut self,
        contract: &ContractId,
        line: &LineId,
        milestone: &MilestoneId,
    ) -> Option<&mut MilestoneState> {
        self.contracts.get_mut(contract)?.lines.get_mut(line.as_str())?.milestones.get_mut(milestone.as_str())
    }
}

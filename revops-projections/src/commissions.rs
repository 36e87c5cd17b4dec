//! `Commissions`: earned, payable, paid and clawed-back commission per rep and period.
//!
//! # Credits
//!
//! A contract counts under the plan it names (`commission_plan`), or else
//! under the plan of its `assigned_ae` in force on the signing date (the
//! latest `effective_on` on or before it). A plan with a `booking` basis
//! credits the rep with
//! - the contract's transaction price (the sum of its line prices) on the
//!   signing date,
//! - a renewal's line prices on the renewal date,
//! - a modification's added line prices and amended price differences (an
//!   amendment down is a negative credit) on its effective date.
//!
//! A plan with a `collection` basis credits each payment applied to an
//! invoice of the contract, on the application date, net of tax: the credit
//! to date on an invoice is `applied to date × amount / (amount + tax)`,
//! rounded to the minor unit (half away from zero), so the credits of an
//! invoice never drift from its net amount. Amounts in another currency than
//! the plan's are not credited (nothing is converted).
//!
//! # Earned
//!
//! Credits are taken in business-date order — within a day by contract id,
//! and a contract's in log order, so that the arrival order of independent
//! events (two customers' deals of one day) changes nothing; each
//! earns `CommissionPlan::commission_on` from revops-core — marginal tiers by
//! quota attainment, rounded once half away from zero — given the rep's
//! attainment under the plan so far. Attainment counts per plan year: the
//! twelve months from the plan's `effective_on`, and again from each
//! anniversary (credits dated before `effective_on` fall in the first year).
//!
//! A rep's **earned** commission also includes `commission_adjusted`
//! amounts (on their date) and what resolved commission disputes granted (on
//! the resolution date).
//!
//! # Clawed back
//!
//! Only booking-basis commission is clawed back (a collection was paid in
//! cash):
//! - **churn**: when a contract is cancelled on or before
//!   `CommissionPlan::clawback_deadline` of one of its credits, the credit
//!   is reversed;
//! - **write-off**: an invoice written off (at any time) reverses the net
//!   part of the amount written off (as for collections, net of tax) of the
//!   contract's credits still standing, oldest first.
//!
//! A contract's reversals never exceed what it was credited. A reversal is a
//! negative credit on its date, so it walks the tiers down from the rep's
//! current attainment (revops-core's rule): the commission it takes back is
//! **clawed back**, and attainment drops by the reversed amount.
//!
//! # Per period
//!
//! Periods are calendar months of the business date; `paid` counts each
//! `commission_paid` (on or before the as-of date) in the month it is for
//! (its `period`). In every period and in total:
//! `payable = earned − paid − clawed_back`.
//! Open disputes are those opened on or before the as-of date and not
//! resolved by then. The next payout date is the first payout day (of the
//! rep's plan in force on the as-of date, else its first plan) on or after
//! the as-of date.
//!
//! # Per event
//!
//! [`Commissions::entries`] breaks earned and clawed back down by the event
//! that caused each part: a credit's commission or clawback (the
//! commission of the signing, renewal, modification, payment application,
//! cancellation or write-off, at its place in the business-date order), an
//! adjustment, a dispute grant. A rep's entries of a month add up to that
//! month's `earned − clawed_back`, because the report is the sum of the
//! same walk. The general ledger books commission from them.
//!
//! ```
//! use revops_projections::commissions::Commissions;
//!
//! let report = Commissions::default().report("2026-03-31".parse()?)?;
//! assert!(report.reps.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use revops_core::calendar::{add_months, YearMonth};
use revops_core::commission::{CommissionBasis, CommissionPlan};
use revops_core::modification::LineChange;
use revops_core::terms::ContractLine;
use revops_core::{Currency, Money};
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::amounts::{fixed, format_decimal, prorate, ratio, ROUNDING};
use crate::chunked::Chunked;
use crate::intern::{found_by_index, line_key, slot, Interner};
use crate::once::SeqGuard;
use crate::schedules::Source;
use crate::{Error, Projection};

mod cursor;

pub(crate) use cursor::EntryCursor;

/// Commission figures of a month or of all months, in the rep's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionSums {
    /// Credited to the rep's plans (bookings or collections, net of reversals).
    pub credited: String,
    /// Commission on the credits (before clawbacks).
    pub commission: String,
    /// Manual adjustments.
    pub adjustments: String,
    /// Granted by resolved commission disputes.
    pub disputes_granted: String,
    /// `commission + adjustments + disputes_granted`.
    pub earned: String,
    /// Paid (for the month, in a period's figures).
    pub paid: String,
    /// Taken back by reversals (churn, write-offs), a positive amount.
    pub clawed_back: String,
    /// `earned − paid − clawed_back`.
    pub payable: String,
}

/// One month of a rep's commission; its figures are flattened into it in
/// JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionPeriod {
    /// The month.
    pub period: YearMonth,
    /// The month's figures.
    #[serde(flatten)]
    pub sums: CommissionSums,
}

/// Where a rep stands against one plan's quota in the current plan year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAttainment {
    /// The plan id.
    pub plan: String,
    /// What the plan credits.
    pub basis: CommissionBasis,
    /// The quota of a plan year.
    pub quota: String,
    /// First day of the plan year that holds the as-of date.
    pub year_start: NaiveDate,
    /// Credited in that plan year by the as-of date.
    pub credited: String,
    /// `credited / quota × 100`, two places.
    pub attainment_pct: String,
}

/// A commission dispute open on the as-of date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCommissionDispute {
    /// The dispute id.
    pub dispute: String,
    /// Amount claimed.
    pub amount: String,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// One rep's commission as of a date, in the rep's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepCommissions {
    /// The rep id.
    pub rep: String,
    /// The currency of the rep's plans.
    pub currency: Currency,
    /// The totals of `periods`, flattened into the rep in JSON.
    #[serde(flatten)]
    pub totals: CommissionSums,
    /// The next payout date on or after the as-of date.
    pub next_payout_on: Option<NaiveDate>,
    /// Attainment per plan, by plan id.
    pub plans: Vec<PlanAttainment>,
    /// Per month with any activity, in order.
    pub periods: Vec<CommissionPeriod>,
    /// Open commission disputes, by dispute id.
    pub open_disputes: Vec<OpenCommissionDispute>,
    /// Sum of the amounts claimed in open disputes.
    pub disputed: String,
}

/// The commissions report: reps (with at least one plan) by rep id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionsReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Per rep.
    pub reps: Vec<RepCommissions>,
}

/// What a [`CommissionEntry`] changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionEntryKind {
    /// Commission on a credit (negative for an amendment down): part of
    /// `commission`.
    Commission,
    /// Commission taken back by a reversal: part of `clawed_back`.
    Clawback,
    /// A `commission_adjusted`: part of `adjustments`.
    Adjustment,
    /// What a resolved commission dispute granted: part of
    /// `disputes_granted`.
    DisputeGranted,
}

/// One event's part of a rep's `earned − clawed_back`; see
/// [`Commissions::entries`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommissionEntry {
    /// The rep id.
    pub rep: String,
    /// The rep's currency.
    pub currency: Currency,
    /// What it changes.
    pub kind: CommissionEntryKind,
    /// The change of the rep's `earned − clawed_back` (a clawback is
    /// negative).
    pub amount: Decimal,
    /// Its business date; it counts in this date's month.
    pub on: NaiveDate,
    /// Log position of the event that caused it.
    pub seq: u64,
    /// Id of that event.
    pub event_id: Uuid,
    /// Type of that event (`contract_signed`, …).
    pub event_type: &'static str,
}

#[derive(Clone, Debug)]
struct Plan {
    rep: u32,
    plan: CommissionPlan,
    effective_on: NaiveDate,
    source: Source,
}

#[derive(Clone, Copy, Debug)]
struct Contract {
    signed: bool,
    cancelled: bool,
    plan: Option<u32>,
    ae: Option<u32>,
    currency: Currency,
    signed_on: NaiveDate,
}

const UNSIGNED: Contract = Contract {
    signed: false,
    cancelled: false,
    plan: None,
    ae: None,
    currency: Currency::USD,
    signed_on: NaiveDate::MIN,
};

#[derive(Clone, Copy, Debug)]
struct Invoice {
    issued: bool,
    contract: u32,
    currency: Currency,
    net: Decimal,
    total: Decimal,
    applied: Decimal,
    credited: Decimal,
}

const NOT_ISSUED: Invoice = Invoice {
    issued: false,
    contract: 0,
    currency: Currency::USD,
    net: Decimal::ZERO,
    total: Decimal::ZERO,
    applied: Decimal::ZERO,
    credited: Decimal::ZERO,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FactKind {
    Booking,
    Collection,
    Churn,
    WriteOff,
}

/// Something that moves a plan's credit, in the contract's currency.
#[derive(Clone, Copy, Debug)]
struct Fact {
    contract: u32,
    on: NaiveDate,
    kind: FactKind,
    amount: Decimal,
    source: Source,
}

/// A rep's money event outside the plan math: payouts (for `period`),
/// adjustments and dispute grants.
#[derive(Clone, Copy, Debug)]
struct RepAmount {
    rep: u32,
    on: NaiveDate,
    period: YearMonth,
    currency: Currency,
    amount: Decimal,
    kind: RepAmountKind,
    source: Source,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RepAmountKind {
    Paid,
    Adjusted,
}

#[derive(Clone, Debug)]
struct Dispute {
    rep: u32,
    amount: Decimal,
    currency: Currency,
    opened_on: NaiveDate,
    reason: String,
    resolved: Option<(NaiveDate, Decimal, Source)>,
}

/// Commission per rep and month. See the [module docs](self) for the rules.
#[derive(Clone, Debug, Default)]
pub struct Commissions {
    guard: SeqGuard,
    rep_ids: Interner,
    plan_ids: Interner,
    contract_ids: Interner,
    /// The id in `contract_ids` of each contract by the schedules' index
    /// (`u32::MAX` until found here): inside the ledger, an invoice's
    /// contract is found by that index rather than by name.
    contract_by_schedules: Vec<u32>,
    invoice_ids: Interner,
    dispute_ids: Interner,
    /// Keys `contract \0 line`, for the price an amendment changes.
    line_ids: Interner,
    key: String,
    line_prices: Vec<Decimal>,
    plans: Vec<Option<Plan>>,
    /// The ids of each rep's plans, ascending: `plans_of` without a scan
    /// of every plan.
    rep_plans: Vec<Vec<u32>>,
    contracts: Vec<Contract>,
    invoices: Chunked<Invoice>,
    facts: Chunked<Fact>,
    rep_amounts: Vec<RepAmount>,
    disputes: Vec<Option<Dispute>>,
}

impl Projection for Commissions {
    const READS: EventTypes = EventTypes::NONE
        .with("commission_plan_defined")
        .with("contract_signed")
        .with("contract_modified")
        .with("contract_renewed")
        .with("contract_cancelled")
        .with("invoice_issued")
        .with("payment_applied")
        .with("invoice_written_off")
        .with("commission_paid")
        .with("commission_adjusted")
        .with("commission_dispute_opened")
        .with("commission_dispute_resolved");

    fn apply(&mut self, envelope: &Envelope) {
        let invoice = match &envelope.event {
            Event::InvoiceIssued(e) => Some(self.invoice_ids.intern(e.invoice.as_str())),
            Event::PaymentApplied(e) => self.invoice_ids.get(e.invoice.as_str()),
            Event::InvoiceWrittenOff(e) => self.invoice_ids.get(e.invoice.as_str()),
            _ => None,
        };
        self.fold(envelope, invoice, None);
    }
}

impl Commissions {
    /// [`Projection::apply`] with the index of the event's invoice already
    /// found: by this projection's own table, or (inside the ledger) the
    /// index the schedules gave the invoice on its first issue. Either
    /// numbering serves, as long as one instance keeps to one: the invoices
    /// are never listed by id, only looked up. `None` for an invoice never
    /// issued. For an issue, `scheduled_contract` is the index the
    /// schedules gave its contract, when the caller has it.
    pub(crate) fn fold(&mut self, envelope: &Envelope, invoice: Option<u32>, scheduled_contract: Option<u32>) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        let source = Source::of(envelope);
        match &envelope.event {
            Event::CommissionPlanDefined(e) => {
                let id = self.plan_ids.intern(e.plan.as_str());
                let rep = self.rep_ids.intern(e.rep.as_str());
                let plan = e.plan();
                // A plan revops-core refuses (the command side does too) earns nothing.
                let slot = slot(&mut self.plans, id, None);
                if slot.is_none() && plan.validate().is_ok() {
                    *slot = Some(Plan { rep, plan, effective_on: e.effective_on, source });
                    let ids = crate::intern::slot(&mut self.rep_plans, rep, Vec::new());
                    let at = ids.partition_point(|&p| p < id);
                    ids.insert(at, id);
                }
            }
            Event::ContractSigned(e) => {
                let id = self.contract_ids.intern(e.contract.as_str());
                if slot(&mut self.contracts, id, UNSIGNED).signed {
                    return;
                }
                self.contracts[id as usize] = Contract {
                    signed: true,
                    cancelled: false,
                    plan: e.commission_plan.as_ref().map(|p| self.plan_ids.intern(p.as_str())),
                    ae: e.assigned_ae.as_ref().map(|r| self.rep_ids.intern(r.as_str())),
                    currency: e.currency,
                    signed_on: e.signed_on,
                };
                let booked = self.price_lines(e.contract.as_str(), &e.lines);
                self.fact(id, e.signed_on, FactKind::Booking, booked, source);
            }
            Event::ContractRenewed(e) => {
                let Some(id) = self.signed(e.contract.as_str()) else { return };
                let booked = self.price_lines(e.contract.as_str(), &e.lines);
                self.fact(id, e.renewed_on, FactKind::Booking, booked, source);
            }
            Event::ContractModified(e) => {
                let Some(id) = self.signed(e.contract.as_str()) else { return };
                let mut booked = Decimal::ZERO;
                for change in &e.changes {
                    match change {
                        LineChange::Add { line } => {
                            booked += self.price_lines(e.contract.as_str(), std::slice::from_ref(line));
                        }
                        LineChange::Amend { line, price: Some(price), .. } => {
                            line_key(&mut self.key, e.contract.as_str(), line);
                            if let Some(old) = self.line_ids.get(&self.key).map(|l| &mut self.line_prices[l as usize]) {
                                booked += *price - *old;
                                *old = *price;
                            }
                        }
                        LineChange::Amend { .. } | LineChange::Remove { .. } => {}
                    }
                }
                self.fact(id, e.effective_on, FactKind::Booking, booked, source);
            }
            Event::ContractCancelled(e) => {
                let Some(id) = self.signed(e.contract.as_str()) else { return };
                let contract = &mut self.contracts[id as usize];
                if !contract.cancelled {
                    contract.cancelled = true;
                    self.fact(id, e.effective_on, FactKind::Churn, Decimal::ZERO, source);
                }
            }
            Event::InvoiceIssued(e) => {
                let name = e.contract.as_str();
                let contract =
                    found_by_index(&mut self.contract_by_schedules, scheduled_contract, || self.contract_ids.get(name));
                let Some(contract) = contract else { return };
                let id = invoice.expect("an issued invoice has an index");
                let invoice = self.invoices.slot(id as usize, NOT_ISSUED);
                if !invoice.issued {
                    let net = e.lines.iter().map(|l| l.amount).sum();
                    let total = e.total().amount;
                    *invoice = Invoice { issued: true, contract, currency: e.currency, net, total, ..NOT_ISSUED };
                }
            }
            Event::PaymentApplied(e) => {
                // An index without an issue here: the invoice's contract was
                // unknown when it was issued.
                let Some(invoice) = invoice.and_then(|id| self.invoices.get_mut(id as usize)) else { return };
                if !invoice.issued || invoice.currency != e.currency || invoice.total <= Decimal::ZERO {
                    return;
                }
                invoice.applied += e.amount;
                let Some(to_date) = prorate(invoice.applied, invoice.net, invoice.total, invoice.currency) else {
                    return;
                };
                let credit = to_date - invoice.credited;
                invoice.credited = to_date;
                let contract = invoice.contract;
                self.fact(contract, e.applied_on, FactKind::Collection, credit, source);
            }
            Event::InvoiceWrittenOff(e) => {
                let Some(&invoice) = invoice.and_then(|id| self.invoices.get(id as usize)) else { return };
                if !invoice.issued || invoice.currency != e.currency || invoice.total <= Decimal::ZERO {
                    return;
                }
                let Some(net) = prorate(e.amount, invoice.net, invoice.total, invoice.currency) else { return };
                self.fact(invoice.contract, e.written_off_on, FactKind::WriteOff, net, source);
            }
            Event::CommissionPaid(e) => {
                let rep = self.rep_ids.intern(e.rep.as_str());
                self.rep_amounts.push(RepAmount {
                    rep,
                    on: e.paid_on,
                    period: e.period,
                    currency: e.currency,
                    amount: e.amount,
                    kind: RepAmountKind::Paid,
                    source,
                });
            }
            Event::CommissionAdjusted(e) => {
                let rep = self.rep_ids.intern(e.rep.as_str());
                self.rep_amounts.push(RepAmount {
                    rep,
                    on: e.adjusted_on,
                    period: YearMonth::of(e.adjusted_on),
                    currency: e.currency,
                    amount: e.amount,
                    kind: RepAmountKind::Adjusted,
                    source,
                });
            }
            Event::CommissionDisputeOpened(e) => {
                let id = self.dispute_ids.intern(e.dispute.as_str());
                let rep = self.rep_ids.intern(e.rep.as_str());
                let slot = slot(&mut self.disputes, id, None);
                if slot.is_none() {
                    *slot = Some(Dispute {
                        rep,
                        amount: e.amount,
                        currency: e.currency,
                        opened_on: e.opened_on,
                        reason: e.reason.clone(),
                        resolved: None,
                    });
                }
            }
            Event::CommissionDisputeResolved(e) => {
                let Some(id) = self.dispute_ids.get(e.dispute.as_str()) else { return };
                if let Some(d) = self.disputes[id as usize].as_mut().filter(|d| d.currency == e.currency) {
                    d.resolved.get_or_insert((e.resolved_on, e.granted, source));
                }
            }
            _ => {}
        }
    }
}

/// Whole months from `from` to `to` (negative when `to` is earlier).
fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let months = i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
    if to.day() < from.day() {
        months - 1
    } else {
        months
    }
}

/// Sums of one rep's month.
#[derive(Clone, Copy, Debug, Default)]
struct PeriodSums {
    credited: Decimal,
    commission: Decimal,
    adjustments: Decimal,
    granted: Decimal,
    paid: Decimal,
    clawed_back: Decimal,
}

impl PeriodSums {
    fn add(&mut self, other: &PeriodSums) {
        self.credited += other.credited;
        self.commission += other.commission;
        self.adjustments += other.adjustments;
        self.granted += other.granted;
        self.paid += other.paid;
        self.clawed_back += other.clawed_back;
    }

    fn earned(&self) -> Decimal {
        self.commission + self.adjustments + self.granted
    }

    fn payable(&self) -> Decimal {
        self.earned() - self.paid - self.clawed_back
    }

    fn report(&self, currency: Currency) -> CommissionSums {
        let money = |d: Decimal| format_decimal(d, currency);
        CommissionSums {
            credited: money(self.credited),
            commission: money(self.commission),
            adjustments: money(self.adjustments),
            disputes_granted: money(self.granted),
            earned: money(self.earned()),
            paid: money(self.paid),
            clawed_back: money(self.clawed_back),
            payable: money(self.payable()),
        }
    }
}

/// Where one plan's walk stands after the facts it has taken so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct PlanState {
    standing: Standing,
    /// Credits still standing per contract, oldest first: (date, amount).
    credits: BTreeMap<u32, Vec<(NaiveDate, Decimal)>>,
}

/// One part of a rep's `earned − clawed_back`, as [`Commissions::entries`]
/// gives it, with the rep by index: what the ledger books.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RepEntry {
    pub(crate) rep: u32,
    pub(crate) currency: Currency,
    pub(crate) kind: CommissionEntryKind,
    pub(crate) amount: Decimal,
    pub(crate) on: NaiveDate,
    pub(crate) source: Source,
}

/// A plan's running position during a report.
#[derive(Clone, Copy, Debug, Default)]
struct Standing {
    year: i64,
    attainment: Decimal,
}

/// What a [`Change`] moves: an entry's figure, or `paid`.
#[derive(Clone, Copy, Debug)]
enum ChangeKind {
    Entry(CommissionEntryKind),
    Paid,
}

/// One change of a rep's figures, as [`Commissions::walk`] finds it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Change {
    rep: u32,
    currency: Currency,
    /// The month it counts in (a payout's is the month it is for).
    period: YearMonth,
    on: NaiveDate,
    kind: ChangeKind,
    /// Credited to the plan (net of reversals); zero but for credits.
    credited: Decimal,
    /// Commission on a credit, commission taken back by a reversal (both
    /// signed as `commission_on` gives them), or the adjustment, grant or
    /// payout.
    amount: Decimal,
    source: Source,
}

impl Change {
    /// The entry it is, unless it is a payout or zero.
    pub(crate) fn entry(&self) -> Option<RepEntry> {
        let ChangeKind::Entry(kind) = self.kind else { return None };
        let Change { rep, currency, on, amount, source, .. } = *self;
        (!amount.is_zero()).then_some(RepEntry { rep, currency, kind, amount, on, source })
    }
}

impl Commissions {
    fn signed(&self, contract: &str) -> Option<u32> {
        let id = self.contract_ids.get(contract)?;
        self.contracts.get(id as usize).filter(|c| c.signed).map(|_| id)
    }

    fn fact(&mut self, contract: u32, on: NaiveDate, kind: FactKind, amount: Decimal, source: Source) {
        if !amount.is_zero() || kind == FactKind::Churn {
            self.facts.push(Fact { contract, on, kind, amount, source });
        }
    }

    /// Records the prices of `lines` (for later amendments) and sums them.
    fn price_lines(&mut self, contract: &str, lines: &[ContractLine]) -> Decimal {
        let mut sum = Decimal::ZERO;
        for line in lines {
            line_key(&mut self.key, contract, &line.line);
            let id = self.line_ids.intern(&self.key);
            *slot(&mut self.line_prices, id, Decimal::ZERO) = line.price;
            sum += line.price;
        }
        sum
    }

    /// The plan a contract counts under (see the module docs).
    fn plan_of(&self, contract: &Contract) -> Option<u32> {
        let defined = |p: u32| self.plans.get(p as usize).is_some_and(Option::is_some);
        if let Some(plan) = contract.plan.filter(|&p| defined(p)) {
            return Some(plan);
        }
        let ae = contract.ae?;
        self.plans_of(ae)
            .filter(|(_, p)| p.effective_on <= contract.signed_on)
            .max_by_key(|(_, p)| p.effective_on)
            .map(|(id, _)| id)
    }

    /// The currency of the rep's plans (of its first one): what it is
    /// paid in.
    fn rep_currency(&self, rep: u32) -> Option<Currency> {
        self.plans_of(rep).next().map(|(_, p)| p.plan.currency())
    }

    /// `rep`'s plans by plan id.
    fn plans_of(&self, rep: u32) -> impl Iterator<Item = (u32, &Plan)> {
        let ids = self.rep_plans.get(rep as usize).map_or(&[][..], Vec::as_slice);
        ids.iter().filter_map(|&id| self.plans[id as usize].as_ref().map(|p| (id, p)))
    }

    /// The plan whose walk takes `contract`'s facts: the plan it counts
    /// under, if that plan is in the contract's currency (nothing is
    /// converted).
    fn route(&self, contract: u32) -> Option<u32> {
        let c = self.contracts.get(contract as usize)?;
        self.plan_of(c).filter(|&p| self.plans[p as usize].as_ref().is_some_and(|p| p.plan.currency() == c.currency))
    }

    /// Commission per rep and month as of `as_of` (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// [`Error::Core`] when revops-core cannot compute a commission (an
    /// amount out of range).
    pub fn report(&self, as_of: NaiveDate) -> Result<CommissionsReport, Error> {
        let mut periods: BTreeMap<u32, BTreeMap<YearMonth, PeriodSums>> = BTreeMap::new();
        let standings = self
            .walk(as_of, &mut |change| {
                let sums = periods.entry(change.rep).or_default().entry(change.period).or_default();
                sums.credited += change.credited;
                match change.kind {
                    ChangeKind::Entry(CommissionEntryKind::Commission) => sums.commission += change.amount,
                    ChangeKind::Entry(CommissionEntryKind::Clawback) => sums.clawed_back -= change.amount,
                    ChangeKind::Entry(CommissionEntryKind::Adjustment) => sums.adjustments += change.amount,
                    ChangeKind::Entry(CommissionEntryKind::DisputeGranted) => sums.granted += change.amount,
                    ChangeKind::Paid => sums.paid += change.amount,
                }
            })
            .map_err(|(_, e)| Error::Core(e))?;

        let mut reps = Vec::new();
        for rep in 0..self.rep_ids.len() as u32 {
            let Some(currency) = self.rep_currency(rep) else { continue };
            reps.push(self.rep_report(rep, currency, as_of, periods.remove(&rep).unwrap_or_default(), &standings)?);
        }
        reps.sort_by(|a, b| a.rep.cmp(&b.rep));
        Ok(CommissionsReport { as_of, reps })
    }

    /// Every event's part of the reps' `earned − clawed_back` as of
    /// `as_of`, by date and log position (see the [module docs](self)): per
    /// rep and month the entries add up to the report's `earned −
    /// clawed_back`, and `payable = Σ amount − paid`. Zero parts are left
    /// out.
    ///
    /// ```
    /// use revops_projections::commissions::Commissions;
    ///
    /// assert!(Commissions::default().entries("2026-03-31".parse()?)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Core`] when revops-core cannot compute a commission, as for
    /// [`Commissions::report`].
    pub fn entries(&self, as_of: NaiveDate) -> Result<Vec<CommissionEntry>, Error> {
        let entries = self.rep_entries(as_of).map_err(|(_, e)| Error::Core(e))?;
        Ok(entries
            .into_iter()
            .map(|e| CommissionEntry {
                rep: self.rep_ids.name(e.rep).to_owned(),
                currency: e.currency,
                kind: e.kind,
                amount: e.amount,
                on: e.on,
                seq: e.source.seq,
                event_id: e.source.event_id,
                event_type: e.source.event_type(),
            })
            .collect())
    }

    /// [`Commissions::entries`] with reps by index, or the event whose
    /// commission could not be computed and why.
    pub(crate) fn rep_entries(&self, as_of: NaiveDate) -> Result<Vec<RepEntry>, (Source, revops_core::Error)> {
        let mut entries = Vec::new();
        self.walk(as_of, &mut |change| entries.extend(change.entry()))?;
        entries.sort_by_key(|e| (e.on, e.source.seq));
        Ok(entries)
    }

    /// The index of rep `rep`, if it was seen.
    pub(crate) fn rep_index(&self, rep: &str) -> Option<u32> {
        self.rep_ids.get(rep)
    }

    /// The id of the rep with index `rep`.
    pub(crate) fn rep_name(&self, rep: u32) -> &str {
        self.rep_ids.name(rep)
    }

    /// The definitions of `rep`'s plans: they decide which credits count,
    /// so a late one can change a closed month without being an entry.
    pub(crate) fn plan_sources(&self, rep: u32) -> impl Iterator<Item = Source> + '_ {
        self.plans_of(rep).map(|(_, p)| p.source)
    }

    /// The one computation behind [`Commissions::report`] and
    /// [`Commissions::entries`]: hands every change of a rep's figures as
    /// of `as_of` to `visit` (credits per plan in business-date order, then
    /// payouts and adjustments, then dispute grants) and returns where each
    /// plan stands. On failure, the event whose commission could not be
    /// computed.
    fn walk(
        &self,
        as_of: NaiveDate,
        visit: &mut dyn FnMut(Change),
    ) -> Result<BTreeMap<u32, Standing>, (Source, revops_core::Error)> {
        let mut facts: Vec<(u32, u32)> = (0..self.facts.len() as u32)
            .filter(|&i| self.facts[i as usize].on <= as_of)
            .filter_map(|i| self.route(self.facts[i as usize].contract).map(|p| (p, i)))
            .collect();
        let rank = self.contract_ranks();
        facts.sort_by_key(|&(plan, i)| (plan, self.walk_key(i, |c| rank[c as usize])));

        let mut standings: BTreeMap<u32, Standing> = BTreeMap::new();
        let mut state = (u32::MAX, PlanState::default());
        for (plan_id, i) in facts {
            if state.0 != plan_id {
                if state.0 != u32::MAX {
                    standings.insert(state.0, state.1.standing);
                }
                state = (plan_id, PlanState::default());
            }
            if let Some(change) = self.step(plan_id, i, &mut state.1)? {
                visit(change);
            }
        }
        if state.0 != u32::MAX {
            standings.insert(state.0, state.1.standing);
        }
        self.rep_changes(|on| on <= as_of, visit);
        Ok(standings)
    }

    /// Where fact `i` goes in its plan's walk: by business date, a day's by
    /// contract id (stable: log order within a contract). Not log order
    /// across contracts: independent events of a day may arrive in any
    /// order, and which of two credits crosses a tier must not depend on
    /// it. `rank` orders contract indices as their ids.
    pub(crate) fn walk_key<K: Ord>(&self, i: u32, rank: impl Fn(u32) -> K) -> (NaiveDate, K, u32) {
        let fact = &self.facts[i as usize];
        (fact.on, rank(fact.contract), i)
    }

    /// Each contract index's place in the order of contract ids.
    fn contract_ranks(&self) -> Vec<u32> {
        let mut by_name: Vec<u32> = (0..self.contract_ids.len() as u32).collect();
        by_name.sort_unstable_by_key(|&c| self.contract_ids.name(c));
        let mut rank = vec![0; by_name.len()];
        for (r, &c) in by_name.iter().enumerate() {
            rank[c as usize] = r as u32;
        }
        rank
    }

    /// Takes fact `i`, routed to plan `plan_id`, into the plan's walk: the
    /// change of the rep's figures it makes, if any. Facts must come in
    /// [`Commissions::walk_key`] order.
    pub(crate) fn step(
        &self,
        plan_id: u32,
        i: u32,
        state: &mut PlanState,
    ) -> Result<Option<Change>, (Source, revops_core::Error)> {
        let fact = &self.facts[i as usize];
        let Some(plan) = &self.plans[plan_id as usize] else { return Ok(None) };
        let failed = |e| (fact.source, e);
        let booking = plan.plan.basis == CommissionBasis::Booking;
        let credits = match fact.kind {
            FactKind::Booking => booking,
            FactKind::Collection => !booking,
            FactKind::Churn | FactKind::WriteOff => false,
        };
        let reversed = if credits {
            if booking {
                book(state.credits.entry(fact.contract).or_default(), fact.on, fact.amount);
            }
            fact.amount
        } else if booking && fact.kind == FactKind::Churn {
            let open = state.credits.entry(fact.contract).or_default();
            let mut total = Decimal::ZERO;
            for (on, amount) in open.iter_mut() {
                if fact.on <= plan.plan.clawback_deadline(*on).map_err(failed)? {
                    total += *amount;
                    *amount = Decimal::ZERO;
                }
            }
            -total
        } else if booking && fact.kind == FactKind::WriteOff {
            -take_oldest(state.credits.entry(fact.contract).or_default(), fact.amount)
        } else {
            return Ok(None);
        };
        if reversed.is_zero() {
            return Ok(None);
        }
        let year = months_between(plan.effective_on, fact.on).div_euclid(12).max(0);
        let position = &mut state.standing;
        if position.year != year {
            *position = Standing { year, attainment: Decimal::ZERO };
        }
        let currency = plan.plan.currency();
        let earned = plan
            .plan
            .commission_total_on(Money::new(reversed, currency), Money::new(position.attainment, currency), ROUNDING)
            .map_err(failed)?;
        position.attainment = earned.attainment_after.amount;
        Ok(Some(Change {
            rep: plan.rep,
            currency,
            period: YearMonth::of(fact.on),
            on: fact.on,
            kind: ChangeKind::Entry(if credits {
                CommissionEntryKind::Commission
            } else {
                CommissionEntryKind::Clawback
            }),
            credited: reversed,
            amount: earned.total.amount,
            source: fact.source,
        }))
    }

    /// Hands `visit` the payouts and adjustments (in log order), then the
    /// dispute grants (by dispute), dated on a day `on` picks and in their
    /// rep's currency.
    pub(crate) fn rep_changes(&self, on: impl Fn(NaiveDate) -> bool, visit: &mut dyn FnMut(Change)) {
        for a in self.rep_amounts.iter().filter(|a| on(a.on)) {
            if self.rep_currency(a.rep) != Some(a.currency) {
                continue;
            }
            visit(Change {
                rep: a.rep,
                currency: a.currency,
                period: a.period,
                on: a.on,
                kind: match a.kind {
                    RepAmountKind::Paid => ChangeKind::Paid,
                    RepAmountKind::Adjusted => ChangeKind::Entry(CommissionEntryKind::Adjustment),
                },
                credited: Decimal::ZERO,
                amount: a.amount,
                source: a.source,
            });
        }
        for d in self.disputes.iter().flatten() {
            if let Some((resolved_on, granted, source)) = d.resolved.filter(|(day, _, _)| on(*day)) {
                if self.rep_currency(d.rep) == Some(d.currency) {
                    visit(Change {
                        rep: d.rep,
                        currency: d.currency,
                        period: YearMonth::of(resolved_on),
                        on: resolved_on,
                        kind: ChangeKind::Entry(CommissionEntryKind::DisputeGranted),
                        credited: Decimal::ZERO,
                        amount: granted,
                        source,
                    });
                }
            }
        }
    }

    fn rep_report(
        &self,
        rep: u32,
        currency: Currency,
        as_of: NaiveDate,
        periods: BTreeMap<YearMonth, PeriodSums>,
        standings: &BTreeMap<u32, Standing>,
    ) -> Result<RepCommissions, Error> {
        let money = |d: Decimal| format_decimal(d, currency);
        let mut total = PeriodSums::default();
        let periods = periods
            .into_iter()
            .map(|(period, s)| {
                total.add(&s);
                CommissionPeriod { period, sums: s.report(currency) }
            })
            .collect();

        let mut plans = Vec::new();
        for (id, plan) in self.plans_of(rep) {
            let year = months_between(plan.effective_on, as_of).div_euclid(12).max(0);
            let credited = standings.get(&id).filter(|s| s.year == year).map_or(Decimal::ZERO, |s| s.attainment);
            let year_start = add_months(plan.effective_on, i32::try_from(year * 12).unwrap_or(i32::MAX))?;
            let quota = plan.plan.quota.amount;
            plans.push(PlanAttainment {
                plan: self.plan_ids.name(id).to_owned(),
                basis: plan.plan.basis,
                quota: money(quota),
                year_start,
                credited: money(credited),
                attainment_pct: attainment_pct(credited, quota),
            });
        }
        plans.sort_by(|a, b| a.plan.cmp(&b.plan));

        let in_force = self
            .plans_of(rep)
            .filter(|(_, p)| p.effective_on <= as_of)
            .max_by_key(|(_, p)| p.effective_on)
            .or_else(|| self.plans_of(rep).min_by_key(|(_, p)| p.effective_on));
        let next_payout_on = in_force.and_then(|(_, p)| p.plan.next_payout_date(as_of).ok());

        let mut open_disputes = Vec::new();
        let mut disputed = Decimal::ZERO;
        for (id, d) in self.disputes.iter().enumerate() {
            let Some(d) = d.as_ref().filter(|d| d.rep == rep && d.opened_on <= as_of) else { continue };
            if d.resolved.is_some_and(|(on, _, _)| on <= as_of) || d.currency != currency {
                continue;
            }
            disputed += d.amount;
            open_disputes.push(OpenCommissionDispute {
                dispute: self.dispute_ids.name(id as u32).to_owned(),
                amount: money(d.amount),
                opened_on: d.opened_on,
                reason: d.reason.clone(),
            });
        }
        open_disputes.sort_by(|a, b| a.dispute.cmp(&b.dispute));

        Ok(RepCommissions {
            rep: self.rep_ids.name(rep).to_owned(),
            currency,
            totals: total.report(currency),
            next_payout_on,
            plans,
            periods,
            open_disputes,
            disputed: money(disputed),
        })
    }
}

/// Books a credit on a contract's standing credits; a negative one (an
/// amendment down) takes from the latest first.
fn book(credits: &mut Vec<(NaiveDate, Decimal)>, on: NaiveDate, amount: Decimal) {
    if amount > Decimal::ZERO {
        credits.push((on, amount));
        return;
    }
    let mut left = -amount;
    for (_, standing) in credits.iter_mut().rev() {
        let take = left.min(*standing);
        *standing -= take;
        left -= take;
    }
}

/// Takes up to `amount` from the standing credits, oldest first; returns
/// what was taken.
fn take_oldest(credits: &mut [(NaiveDate, Decimal)], amount: Decimal) -> Decimal {
    let mut left = amount;
    for (_, standing) in credits.iter_mut() {
        let take = left.min(*standing);
        *standing -= take;
        left -= take;
    }
    amount - left
}

/// `credited / quota × 100` with two places, rounded half away from zero.
fn attainment_pct(credited: Decimal, quota: Decimal) -> String {
    let places = credited.scale().max(quota.scale());
    let at = |d: Decimal| d.mantissa().checked_mul(10i128.pow(places - d.scale()));
    at(credited).zip(at(quota)).and_then(|(c, q)| ratio(c, q, 100)).unwrap_or_else(|| fixed(0, 2))
}

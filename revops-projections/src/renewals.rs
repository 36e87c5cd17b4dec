//! `Renewals`: the renewal pipeline — contracts ending soon, their ARR,
//! owner, last contact, alerts, a green/yellow/red status with the reason
//! that decided it, the ARR at risk and a weighted forecast.
//!
//! # The pipeline
//!
//! As of a date D, a contract is in the pipeline when it was signed on or
//! before D, is not cancelled with effect on or before D, and the last day
//! of its current term falls within the next 90 days: `D ≤ end ≤ D + 90`.
//! The current term is the one of its signature or of its latest renewal
//! recorded on or before D (`renewed_on ≤ D`), so a renewed contract leaves
//! the pipeline the day its renewal is recorded. A cancellation effective
//! after D is not a fact yet as of D (as in [`Mrr`]).
//!
//! - **ARR** is the contract's MRR on D × 12, read from [`Mrr`] (subscription
//!   lines only), so it agrees with the MRR report.
//! - **Owner** is the contract's assigned AE (`assigned_ae`), if any.
//! - **Last contact** is the latest `renewal_contact_logged` for the contract
//!   dated on or before D.
//! - **Alert** is the tightest threshold reached: `days_to_end = end − D`;
//!   `≤ 30` → `"30"`, `≤ 60` → `"60"`, else `"90"`.
//!
//! # Status
//!
//! Reasons are checked in this order; the status is red when any red reason
//! holds, else yellow when any yellow one does, else green, and `reason` is
//! the first that holds (`on_track` for green). `reasons` lists them all.
//!
//! Red:
//! 1. `credit_hold`: the customer is on credit hold on D (the last
//!    `credit_hold_placed` / `credit_hold_released` dated on or before D was
//!    a placement).
//! 2. `open_dispute`: a dispute on one of the customer's invoices was opened
//!    on or before D and not resolved on or before D.
//! 3. `contraction`, in the 90 days up to D (`D − 90 ≤ date ≤ D`): a
//!    modification of one of the customer's contracts that lowered that
//!    contract's MRR on its effective date (MRR on the day before vs. on the
//!    day, from [`Mrr`]), or else the customer's MRR on D in the contract's
//!    currency below its MRR on `D − 90` (a cancellation, a lapsed contract).
//!
//! Yellow:
//! 4. `invoice_past_due`: one of the customer's invoices, open on D, is more
//!    than 30 days past its due date (`D − due_on > 30`), from [`ArAging`].
//! 5. `no_recent_contact`: no contact for the contract in the 30 days up to
//!    D (`D − last_contact > 30`, or none ever).
//!
//! A contract is **at risk** when it ends within 60 days and its status is
//! not green; **ARR at risk** is the sum of their ARR.
//!
//! # Forecast
//!
//! The renewal forecast weights each contract's ARR by its status with
//! [`ForecastWeights`], by default green 1.0, yellow 0.5, red 0.2:
//! `forecast_arr = arr × weight`, rounded to the minor unit half away from
//! zero by revops-core's `extend`, per contract; totals are sums of those.
//!
//! Amounts are per currency and never converted; money is a decimal string
//! with the currency's minor places.
//!
//! ```
//! use revops_projections::aging::ArAging;
//! use revops_projections::mrr::Mrr;
//! use revops_projections::renewals::{ForecastWeights, Renewals};
//!
//! let (renewals, mrr, aging) = (Renewals::default(), Mrr::default(), ArAging::default());
//! let report = renewals.report("2026-03-31".parse()?, &mrr, &aging, ForecastWeights::default());
//! assert!(report.renewals.is_empty() && report.totals.is_empty());
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use revops_core::{Currency, Money};
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::aging::{AgingBasis, AgingOptions, ArAging};
use crate::amounts::{format, scale_minor};
use crate::intern::{slot, Interner};
use crate::mrr::Mrr;
use crate::once::SeqGuard;
use crate::Projection;

/// How far ahead the pipeline looks, in days.
pub const HORIZON_DAYS: i64 = 90;

/// A contract ending within this many days and not green is at risk.
pub const AT_RISK_DAYS: i64 = 60;

/// Without a contact in more than this many days, a renewal is yellow.
pub const CONTACT_DAYS: i64 = 30;

/// An open invoice more than this many days past due makes a renewal yellow.
pub const PAST_DUE_DAYS: i64 = 30;

/// How far back a contraction makes a renewal red, in days.
pub const CONTRACTION_DAYS: u64 = 90;

/// The renewal status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalStatus {
    /// On track.
    Green,
    /// Needs attention: an invoice past due or no recent contact.
    Yellow,
    /// In danger: credit hold, open dispute or contraction.
    Red,
}

/// Why a renewal has its status, in the order they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusReason {
    /// Red: the customer is on credit hold.
    CreditHold,
    /// Red: a dispute on one of the customer's invoices is open.
    OpenDispute,
    /// Red: the customer's ARR shrank in the last 90 days.
    Contraction,
    /// Yellow: an open invoice is more than 30 days past due.
    InvoicePastDue,
    /// Yellow: no contact in the last 30 days.
    NoRecentContact,
    /// Green: nothing above holds.
    OnTrack,
}

impl StatusReason {
    fn status(self) -> RenewalStatus {
        match self {
            StatusReason::CreditHold | StatusReason::OpenDispute | StatusReason::Contraction => RenewalStatus::Red,
            StatusReason::InvoicePastDue | StatusReason::NoRecentContact => RenewalStatus::Yellow,
            StatusReason::OnTrack => RenewalStatus::Green,
        }
    }
}

/// The tightest renewal alert reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlertLevel {
    /// 61 to 90 days to the end of the term.
    #[serde(rename = "90")]
    Days90,
    /// 31 to 60 days.
    #[serde(rename = "60")]
    Days60,
    /// 30 days or fewer.
    #[serde(rename = "30")]
    Days30,
}

impl AlertLevel {
    /// The alert for a term ending in `days` days.
    pub fn of_days(days: i64) -> AlertLevel {
        match days {
            i64::MIN..=30 => AlertLevel::Days30,
            31..=60 => AlertLevel::Days60,
            _ => AlertLevel::Days90,
        }
    }
}

/// The weight of each status in the renewal forecast: the share of a
/// contract's ARR expected to renew.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ForecastWeights {
    /// Weight of a green renewal (default 1.0).
    #[serde(with = "rust_decimal::serde::str")]
    pub green: Decimal,
    /// Weight of a yellow renewal (default 0.5).
    #[serde(with = "rust_decimal::serde::str")]
    pub yellow: Decimal,
    /// Weight of a red renewal (default 0.2).
    #[serde(with = "rust_decimal::serde::str")]
    pub red: Decimal,
}

impl Default for ForecastWeights {
    /// Green 1.0, yellow 0.5, red 0.2.
    fn default() -> Self {
        ForecastWeights { green: Decimal::new(10, 1), yellow: Decimal::new(5, 1), red: Decimal::new(2, 1) }
    }
}

impl ForecastWeights {
    fn of(&self, status: RenewalStatus) -> Decimal {
        match status {
            RenewalStatus::Green => self.green,
            RenewalStatus::Yellow => self.yellow,
            RenewalStatus::Red => self.red,
        }
    }
}

/// One contract up for renewal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    /// The contract id.
    pub contract: String,
    /// The customer id.
    pub customer: String,
    /// The assigned AE, if any.
    pub owner: Option<String>,
    /// The contract's currency.
    pub currency: Currency,
    /// Last day of the current term.
    pub end_date: NaiveDate,
    /// `end_date − as_of`, 0 to 90.
    pub days_to_end: i64,
    /// The tightest alert reached.
    pub alert: AlertLevel,
    /// ARR on the as-of date (MRR × 12).
    pub arr: String,
    /// The latest contact on or before the as-of date.
    pub last_contact: Option<NaiveDate>,
    /// `as_of − last_contact`; absent without a contact.
    pub days_since_contact: Option<i64>,
    /// The status.
    pub status: RenewalStatus,
    /// The reason that decided the status (`on_track` when green).
    pub reason: StatusReason,
    /// The deciding reason in words, for people.
    pub reason_detail: String,
    /// Every reason that holds, in check order (`[on_track]` when green).
    pub reasons: Vec<StatusReason>,
    /// Ending within 60 days and not green.
    pub at_risk: bool,
    /// `arr × the status weight`.
    pub forecast_arr: String,
}

/// The pipeline's sums in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalTotals {
    /// The currency of the amounts.
    pub currency: Currency,
    /// Contracts up for renewal.
    pub contracts: u64,
    /// Their ARR.
    pub arr: String,
    /// ARR of the green ones.
    pub green_arr: String,
    /// ARR of the yellow ones.
    pub yellow_arr: String,
    /// ARR of the red ones.
    pub red_arr: String,
    /// Contracts at risk.
    pub at_risk_contracts: u64,
    /// Their ARR.
    pub arr_at_risk: String,
    /// The weighted forecast: the sum of the contracts' `forecast_arr`.
    pub forecast_arr: String,
}

/// The renewal pipeline report. Sorted: `renewals` by end date then
/// contract id, `totals` by currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalsReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The forecast weights used.
    pub weights: ForecastWeights,
    /// The contracts up for renewal.
    pub renewals: Vec<Renewal>,
    /// Per currency.
    pub totals: Vec<RenewalTotals>,
}

#[derive(Clone, Copy, Debug)]
struct Contract {
    signed: bool,
    customer: u32,
    currency: Currency,
    owner: Option<u32>,
    signed_on: NaiveDate,
    cancelled_on: Option<NaiveDate>,
}

const UNSIGNED: Contract = Contract {
    signed: false,
    customer: 0,
    currency: Currency::USD,
    owner: None,
    signed_on: NaiveDate::MAX,
    cancelled_on: None,
};

/// A term of a contract: its last day, a fact from the signature or
/// renewal date `on`.
#[derive(Clone, Copy, Debug)]
struct Term {
    contract: u32,
    on: NaiveDate,
    end: NaiveDate,
}

#[derive(Clone, Copy, Debug)]
struct Hold {
    customer: u32,
    on: NaiveDate,
    placed: bool,
}

#[derive(Clone, Copy, Debug)]
struct Dispute {
    opened: bool,
    customer: u32,
    opened_on: NaiveDate,
    resolved_on: Option<NaiveDate>,
}

const UNOPENED: Dispute = Dispute { opened: false, customer: 0, opened_on: NaiveDate::MAX, resolved_on: None };

/// The renewal pipeline. See the [module docs](self) for the rules.
#[derive(Clone, Debug, Default)]
pub struct Renewals {
    guard: SeqGuard,
    contract_ids: Interner,
    customer_ids: Interner,
    rep_ids: Interner,
    invoice_ids: Interner,
    dispute_ids: Interner,
    contracts: Vec<Contract>,
    /// Customer of each issued invoice, `None` before it is issued.
    invoices: Vec<Option<u32>>,
    disputes: Vec<Dispute>,
    /// Terms in log order: `on` is when the term became a fact.
    terms: Vec<Term>,
    /// (contract, effective date) of each modification.
    modifications: Vec<(u32, NaiveDate)>,
    /// (contract, date) of each renewal contact.
    contacts: Vec<(u32, NaiveDate)>,
    holds: Vec<Hold>,
}

impl Projection for Renewals {
    const READS: EventTypes = EventTypes::NONE
        .with("contract_signed")
        .with("contract_modified")
        .with("contract_renewed")
        .with("contract_cancelled")
        .with("invoice_issued")
        .with("credit_hold_placed")
        .with("credit_hold_released")
        .with("dispute_opened")
        .with("dispute_resolved")
        .with("renewal_contact_logged");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        match &envelope.event {
            Event::ContractSigned(e) => {
                let id = self.contract_ids.intern(e.contract.as_str());
                let customer = self.customer_ids.intern(e.customer.as_str());
                let owner = e.assigned_ae.as_ref().map(|r| self.rep_ids.intern(r.as_str()));
                let contract = slot(&mut self.contracts, id, UNSIGNED);
                if contract.signed {
                    return;
                }
                *contract = Contract {
                    signed: true,
                    customer,
                    currency: e.currency,
                    owner,
                    signed_on: e.signed_on,
                    cancelled_on: None,
                };
                self.terms.push(Term { contract: id, on: e.signed_on, end: e.end_date });
            }
            Event::ContractRenewed(e) => {
                if let Some(id) = self.signed(e.contract.as_str()) {
                    self.terms.push(Term { contract: id, on: e.renewed_on, end: e.end_date });
                }
            }
            Event::ContractModified(e) => {
                if let Some(id) = self.signed(e.contract.as_str()) {
                    self.modifications.push((id, e.effective_on));
                }
            }
            Event::ContractCancelled(e) => {
                if let Some(id) = self.signed(e.contract.as_str()) {
                    self.contracts[id as usize].cancelled_on.get_or_insert(e.effective_on);
                }
            }
            Event::RenewalContactLogged(e) => {
                if let Some(id) = self.signed(e.contract.as_str()) {
                    self.contacts.push((id, e.contacted_on));
                }
            }
            Event::InvoiceIssued(e) => {
                let id = self.invoice_ids.intern(e.invoice.as_str());
                let customer = self.customer_ids.intern(e.customer.as_str());
                slot(&mut self.invoices, id, None).get_or_insert(customer);
            }
            Event::DisputeOpened(e) => {
                let Some(customer) = self.invoice_ids.get(e.invoice.as_str()).and_then(|i| self.invoices[i as usize])
                else {
                    return;
                };
                let id = self.dispute_ids.intern(e.dispute.as_str());
                let dispute = slot(&mut self.disputes, id, UNOPENED);
                if !dispute.opened {
                    *dispute = Dispute { opened: true, customer, opened_on: e.opened_on, resolved_on: None };
                }
            }
            Event::DisputeResolved(e) => {
                if let Some(id) = self.dispute_ids.get(e.dispute.as_str()) {
                    self.disputes[id as usize].resolved_on.get_or_insert(e.resolved_on);
                }
            }
            Event::CreditHoldPlaced(e) => {
                let customer = self.customer_ids.intern(e.customer.as_str());
                self.holds.push(Hold { customer, on: e.placed_on, placed: true });
            }
            Event::CreditHoldReleased(e) => {
                let customer = self.customer_ids.intern(e.customer.as_str());
                self.holds.push(Hold { customer, on: e.released_on, placed: false });
            }
            _ => {}
        }
    }
}

/// A pipeline's sums in one currency, in minor units: what
/// [`RenewalTotals`] shows (the report's, and the reporting-currency view's).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PipelineSums {
    contracts: u64,
    arr: i128,
    /// ARR by status: green, yellow, red.
    by_status: [i128; 3],
    at_risk: u64,
    arr_at_risk: i128,
    forecast: i128,
}

impl PipelineSums {
    /// Counts one renewal of `arr` and `forecast`.
    pub(crate) fn add(&mut self, status: RenewalStatus, at_risk: bool, arr: i128, forecast: i128) {
        self.contracts += 1;
        self.arr += arr;
        self.by_status[status as usize] += arr;
        self.forecast += forecast;
        if at_risk {
            self.at_risk += 1;
            self.arr_at_risk += arr;
        }
    }

    /// The sums as a report's totals in `currency`.
    pub(crate) fn totals(&self, currency: Currency) -> RenewalTotals {
        let [green, yellow, red] = self.by_status;
        assert!(green + yellow + red == self.arr, "{currency}: status ARRs must sum to the pipeline ARR");
        let money = |m: i128| format(m, currency);
        RenewalTotals {
            currency,
            contracts: self.contracts,
            arr: money(self.arr),
            green_arr: money(green),
            yellow_arr: money(yellow),
            red_arr: money(red),
            at_risk_contracts: self.at_risk,
            arr_at_risk: money(self.arr_at_risk),
            forecast_arr: money(self.forecast),
        }
    }
}

/// What the report knows of one customer on the as-of date.
#[derive(Clone, Debug, Default)]
struct CustomerFacts {
    hold_since: Option<NaiveDate>,
    /// (opened on, dispute id) of the earliest open dispute.
    dispute: Option<(NaiveDate, u32)>,
    /// (contract, effective date, ARR change) of the first contracting
    /// modification in the window.
    contracted: Option<(u32, NaiveDate, i64)>,
    /// (invoice id, days past due) of the most overdue invoice.
    past_due: Option<(String, i64)>,
}

impl Renewals {
    fn signed(&self, contract: &str) -> Option<u32> {
        let id = self.contract_ids.get(contract)?;
        self.contracts.get(id as usize).filter(|c| c.signed).map(|_| id)
    }

    /// The renewal pipeline as of `as_of` (see the [module docs](self)).
    /// `mrr` and `aging` must be folded from the same log.
    pub fn report(&self, as_of: NaiveDate, mrr: &Mrr, aging: &ArAging, weights: ForecastWeights) -> RenewalsReport {
        let mut ends: Vec<Option<NaiveDate>> = vec![None; self.contracts.len()];
        for term in self.terms.iter().filter(|t| t.on <= as_of) {
            ends[term.contract as usize] = Some(term.end);
        }
        let horizon = as_of.checked_add_days(Days::new(HORIZON_DAYS as u64)).unwrap_or(NaiveDate::MAX);
        let pipeline: Vec<(u32, NaiveDate)> = ends
            .iter()
            .enumerate()
            .filter_map(|(id, end)| {
                let c = &self.contracts[id];
                let live = c.signed && c.signed_on <= as_of && c.cancelled_on.is_none_or(|d| d > as_of);
                end.filter(|&end| live && as_of <= end && end <= horizon).map(|end| (id as u32, end))
            })
            .collect();

        let mut facts: BTreeMap<u32, CustomerFacts> =
            pipeline.iter().map(|&(c, _)| (self.contracts[c as usize].customer, CustomerFacts::default())).collect();
        self.gather_facts(as_of, mrr, aging, &mut facts);
        let mrr_now = mrr.contract_mrrs(as_of);
        let drops = self.customer_mrr_drops(as_of, mrr, &mrr_now, &facts);

        let mut last_contact: BTreeMap<u32, NaiveDate> = BTreeMap::new();
        for &(contract, on) in self.contacts.iter().filter(|c| c.1 <= as_of) {
            let last = last_contact.entry(contract).or_insert(on);
            *last = (*last).max(on);
        }

        let mut renewals = Vec::with_capacity(pipeline.len());
        let mut totals: BTreeMap<Currency, PipelineSums> = BTreeMap::new();
        for (id, end) in pipeline {
            let contract = self.contracts[id as usize];
            let currency = contract.currency;
            let name = self.contract_ids.name(id);
            let arr = mrr_now.get(name).and_then(|m| m.to_minor().ok()).unwrap_or(0).saturating_mul(12);
            let contact = last_contact.get(&id).copied();
            let days_since_contact = contact.map(|d| (as_of - d).num_days());
            let drop = drops.get(&(contract.customer, currency)).copied();
            let found = self.reasons(&facts[&contract.customer], drop, currency, days_since_contact);
            // Red reasons come first, then yellow ones: the first decides.
            let (reason, detail) = found[0].clone();
            let status = reason.status();
            assert!(found.iter().all(|r| r.0.status() <= status), "reasons out of check order: {found:?}");
            let days_to_end = (end - as_of).num_days();
            let at_risk = days_to_end <= AT_RISK_DAYS && status != RenewalStatus::Green;
            let forecast = scale_minor(weights.of(status), arr, currency);

            totals.entry(currency).or_default().add(status, at_risk, arr.into(), forecast.into());
            renewals.push(Renewal {
                contract: name.to_owned(),
                customer: self.customer_ids.name(contract.customer).to_owned(),
                owner: contract.owner.map(|r| self.rep_ids.name(r).to_owned()),
                currency,
                end_date: end,
                days_to_end,
                alert: AlertLevel::of_days(days_to_end),
                arr: format(arr.into(), currency),
                last_contact: contact,
                days_since_contact,
                status,
                reason,
                reason_detail: detail,
                reasons: found.into_iter().map(|r| r.0).collect(),
                at_risk,
                forecast_arr: format(forecast.into(), currency),
            });
        }
        renewals.sort_by(|a, b| (a.end_date, &a.contract).cmp(&(b.end_date, &b.contract)));
        let totals = totals.into_iter().map(|(currency, s)| s.totals(currency)).collect();
        RenewalsReport { as_of, weights, renewals, totals }
    }

    /// Every reason that holds for a renewal, in check order, each with its
    /// words; `[on_track]` when none does. `drop` is the customer's (before,
    /// after) MRR when it fell over the window.
    fn reasons(
        &self,
        facts: &CustomerFacts,
        drop: Option<(i128, i128)>,
        currency: Currency,
        days_since_contact: Option<i64>,
    ) -> Vec<(StatusReason, String)> {
        let mut found = Vec::new();
        if let Some(since) = facts.hold_since {
            found.push((StatusReason::CreditHold, format!("customer on credit hold since {since}")));
        }
        if let Some((opened, dispute)) = facts.dispute {
            let dispute = self.dispute_ids.name(dispute);
            found.push((StatusReason::OpenDispute, format!("dispute {dispute} open since {opened}")));
        }
        if let Some((c, on, change)) = facts.contracted {
            let by = format(i128::from(change.unsigned_abs()) * 12, self.contracts[c as usize].currency);
            let c = self.contract_ids.name(c);
            found.push((StatusReason::Contraction, format!("contract {c} modified effective {on}: ARR down {by}")));
        } else if let Some((before, after)) = drop {
            let [before, after] = [before, after].map(|m| format(m * 12, currency));
            let words = format!("customer ARR down from {before} to {after} in the last {CONTRACTION_DAYS} days");
            found.push((StatusReason::Contraction, words));
        }
        if let Some((invoice, days)) = &facts.past_due {
            found.push((StatusReason::InvoicePastDue, format!("invoice {invoice} is {days} days past due")));
        }
        match days_since_contact {
            Some(days) if days <= CONTACT_DAYS => {}
            Some(days) => found.push((StatusReason::NoRecentContact, format!("no contact in {days} days"))),
            None => found.push((StatusReason::NoRecentContact, "never contacted".to_owned())),
        }
        if found.is_empty() {
            found.push((StatusReason::OnTrack, "on track".to_owned()));
        }
        found
    }

    /// Credit holds, open disputes, contracting modifications and overdue
    /// invoices of the customers in `facts`, as of `as_of`.
    fn gather_facts(&self, as_of: NaiveDate, mrr: &Mrr, aging: &ArAging, facts: &mut BTreeMap<u32, CustomerFacts>) {
        // Holds by date, log order within a day: a release ends the hold,
        // and a second placement while one is in force does not restart it
        // (as the collections report dates it).
        let mut holds: Vec<&Hold> = self.holds.iter().filter(|h| h.on <= as_of).collect();
        holds.sort_by_key(|h| h.on);
        for hold in holds {
            if let Some(f) = facts.get_mut(&hold.customer) {
                f.hold_since = if hold.placed { f.hold_since.or(Some(hold.on)) } else { None };
            }
        }
        for (id, d) in self.disputes.iter().enumerate() {
            let open = d.opened && d.opened_on <= as_of && d.resolved_on.is_none_or(|r| r > as_of);
            if let Some(f) = facts.get_mut(&d.customer).filter(|_| open) {
                if f.dispute.is_none_or(|(on, _)| d.opened_on < on) {
                    f.dispute = Some((d.opened_on, id as u32));
                }
            }
        }
        let window = as_of.checked_sub_days(Days::new(CONTRACTION_DAYS)).unwrap_or(NaiveDate::MIN);
        let mut modifications: Vec<(u32, NaiveDate)> =
            self.modifications.iter().copied().filter(|m| window <= m.1 && m.1 <= as_of).collect();
        modifications.sort_by_key(|m| m.1);
        for (contract, on) in modifications {
            let customer = self.contracts[contract as usize].customer;
            let Some(f) = facts.get_mut(&customer).filter(|f| f.contracted.is_none()) else { continue };
            let name = self.contract_ids.name(contract);
            let Some(day_before) = on.pred_opt() else { continue };
            let at = |on| mrr.contract_mrr(name, on).and_then(|m| m.to_minor().ok()).unwrap_or(0);
            let change = at(on) - at(day_before);
            if change < 0 {
                f.contracted = Some((contract, on, change));
            }
        }
        let options = AgingOptions { basis: AgingBasis::DueDate, period_days: 1 };
        for invoice in aging.report(as_of, options).invoices {
            let overdue =
                invoice.age_days > PAST_DUE_DAYS && invoice.open.parse::<Decimal>().is_ok_and(|o| o > Decimal::ZERO);
            let Some(customer) = self.customer_ids.get(&invoice.customer) else { continue };
            if let Some(f) = facts.get_mut(&customer).filter(|_| overdue) {
                if f.past_due.as_ref().is_none_or(|(_, days)| invoice.age_days > *days) {
                    f.past_due = Some((invoice.invoice, invoice.age_days));
                }
            }
        }
    }

    /// (before, after) MRR in minor units, per customer and currency in
    /// `facts`, of those whose MRR on `as_of` (`mrr_now`, per contract) is
    /// below that 90 days earlier.
    fn customer_mrr_drops(
        &self,
        as_of: NaiveDate,
        mrr: &Mrr,
        mrr_now: &BTreeMap<&str, Money>,
        facts: &BTreeMap<u32, CustomerFacts>,
    ) -> BTreeMap<(u32, Currency), (i128, i128)> {
        let then = as_of.checked_sub_days(Days::new(CONTRACTION_DAYS)).unwrap_or(NaiveDate::MIN);
        let mrr_then = mrr.contract_mrrs(then);
        let mut sums: BTreeMap<(u32, Currency), (i128, i128)> = BTreeMap::new();
        for (by_contract, after) in [(&mrr_then, false), (mrr_now, true)] {
            for (&name, &money) in by_contract {
                let Some(id) = self.signed(name) else { continue };
                let customer = self.contracts[id as usize].customer;
                if !facts.contains_key(&customer) {
                    continue;
                }
                let m = i128::from(money.to_minor().unwrap_or(0));
                let sum = sums.entry((customer, money.currency)).or_default();
                if after {
                    sum.1 += m;
                } else {
                    sum.0 += m;
                }
            }
        }
        sums.retain(|_, (before, after)| after < before);
        sums
    }
}

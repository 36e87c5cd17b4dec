//! `Expansion`: every change a `contract_modified` makes, classified, with
//! its ARR effect from the day it takes effect.
//!
//! # Classes
//!
//! Each [`LineChange`] of a modification is classified against the contract
//! as it stood just before that modification (its signed, renewed and
//! earlier-added lines, less the removed ones):
//!
//! | change | class |
//! |---|---|
//! | `add` of a `usage` line | `usage_overage` |
//! | `add` of a line whose product a line of the contract already sells | `seat_expansion` |
//! | `add` of a line of a product the contract does not sell yet (or without a product) | `module_upsell` |
//! | `amend` raising the price of a `usage` line | `usage_overage` |
//! | `amend` raising the price of any other line | `contract_uplift` |
//! | `amend` lowering a line's price, or `remove` | `contraction` |
//! | `amend` that leaves the price as it was (end date or SSP only) | `term_change` |
//!
//! An amendment carries no quantity, so more seats arrive as an added line
//! of a product the contract already has. The first four classes are
//! expansion; contraction is not, whatever its size.
//!
//! # ARR effect
//!
//! The ARR effect of a change is the change of its line's ARR (MRR × 12,
//! read from [`Mrr`], so that it agrees with the MRR report) from the day
//! before the change takes effect to the day it does. It takes effect on the
//! modification's effective date, or on an added or amended line's first
//! day of service when that is later (`arr_from`). Only subscription lines
//! recur, so changes to usage, milestone, time-and-materials and perpetual
//! lines have an ARR effect of zero: a usage overage is recorded for what it
//! is, but adds no ARR. An amended end date changes the line's MRR (its
//! price is spread over a different term), which shows as the effect of a
//! `term_change`. When several changes hit one line with effect on the same
//! day, the line's change that day is given to the last of them in log
//! order and the earlier ones show zero, so nothing is counted twice.
//!
//! A change is listed once its modification's effective date is on or
//! before the as-of date. Amounts are per currency, never converted.
//!
//! ```
//! use revops_projections::expansion::Expansion;
//! use revops_projections::mrr::Mrr;
//!
//! let report = Expansion::default().report("2026-03-31".parse()?, &Mrr::default());
//! assert!(report.changes.is_empty() && report.totals.is_empty());
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use revops_core::modification::LineChange;
use revops_core::terms::{ContractLine, LineKind};
use revops_core::Currency;
use revops_events::{Envelope, Event, EventTypes};
use serde::{Deserialize, Serialize};

use crate::amounts::{format, minor};
use crate::intern::{line_key, slot, Interner};
use crate::mrr::Mrr;
use crate::once::SeqGuard;
use crate::Projection;

/// What kind of change a modification made (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpansionClass {
    /// More of a product the contract already sells.
    SeatExpansion,
    /// A product the contract did not sell yet.
    ModuleUpsell,
    /// A usage line added or its price raised.
    UsageOverage,
    /// A higher price for an existing line.
    ContractUplift,
    /// A lower price or a removed line: not expansion.
    Contraction,
    /// An amendment that kept the price (end date or SSP only).
    TermChange,
}

impl ExpansionClass {
    /// True for the four expansion classes.
    pub fn is_expansion(self) -> bool {
        matches!(
            self,
            ExpansionClass::SeatExpansion
                | ExpansionClass::ModuleUpsell
                | ExpansionClass::UsageOverage
                | ExpansionClass::ContractUplift
        )
    }
}

/// One classified change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpansionChange {
    /// The contract id.
    pub contract: String,
    /// The customer id.
    pub customer: String,
    /// The contract's currency.
    pub currency: Currency,
    /// The modification's effective date.
    pub effective_on: NaiveDate,
    /// The day the ARR effect starts (the effective date, or the line's
    /// later first day of service).
    pub arr_from: NaiveDate,
    /// The line changed.
    pub line: String,
    /// Its product (empty when the contract did not name one).
    pub product: String,
    /// The class.
    pub class: ExpansionClass,
    /// The line's price for its term before the change; absent for an
    /// added line.
    pub price_before: Option<String>,
    /// The line's price for its term after the change; absent for a removed
    /// line.
    pub price_after: Option<String>,
    /// The change of the line's ARR from `arr_from` (negative for a
    /// decrease).
    pub arr_effect: String,
}

/// The ARR effects of one currency's changes, by class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpansionTotals {
    /// The currency of the amounts.
    pub currency: Currency,
    /// Changes listed.
    pub changes: u64,
    /// ARR effect of seat expansions.
    pub seat_expansion: String,
    /// ARR effect of module upsells.
    pub module_upsell: String,
    /// ARR effect of usage overages (zero: usage does not recur).
    pub usage_overage: String,
    /// ARR effect of contract uplifts.
    pub contract_uplift: String,
    /// ARR effect of contractions (zero or less).
    pub contraction: String,
    /// ARR effect of term changes.
    pub term_change: String,
    /// The four expansion classes together.
    pub expansion: String,
    /// Every class together: expansion + contraction + term change.
    pub net: String,
}

/// The expansion report. Sorted: `changes` by effective date, then contract
/// id, then log order; `totals` by currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpansionReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Every change effective on or before the as-of date.
    pub changes: Vec<ExpansionChange>,
    /// Per currency.
    pub totals: Vec<ExpansionTotals>,
}

#[derive(Clone, Copy, Debug)]
struct Contract {
    signed: bool,
    customer: u32,
    currency: Currency,
}

const UNSIGNED: Contract = Contract { signed: false, customer: 0, currency: Currency::USD };

#[derive(Clone, Copy, Debug)]
struct Line {
    known: bool,
    removed: bool,
    usage: bool,
    product: u32,
    /// Price for the line's term, in minor units.
    price: i64,
    start: NaiveDate,
}

const UNKNOWN: Line = Line { known: false, removed: false, usage: false, product: 0, price: 0, start: NaiveDate::MIN };

#[derive(Clone, Copy, Debug)]
struct Change {
    contract: u32,
    /// Index in the line interner (`contract \0 line`).
    line: u32,
    effective_on: NaiveDate,
    arr_from: NaiveDate,
    class: ExpansionClass,
    price_before: Option<i64>,
    price_after: Option<i64>,
}

/// Expansion tracking. See the [module docs](self) for the classes.
#[derive(Clone, Debug, Default)]
pub struct Expansion {
    guard: SeqGuard,
    contract_ids: Interner,
    customer_ids: Interner,
    product_ids: Interner,
    /// Keys `contract \0 line`: line ids are unique within a contract only.
    line_ids: Interner,
    /// The line id of each line key, for the report.
    line_names: Vec<String>,
    key: String,
    contracts: Vec<Contract>,
    lines: Vec<Line>,
    /// Lines in service per (contract, product): what "already sells" means.
    sold: BTreeMap<(u32, u32), u32>,
    changes: Vec<Change>,
}

impl Projection for Expansion {
    const READS: EventTypes =
        EventTypes::NONE.with("contract_signed").with("contract_modified").with("contract_renewed");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        match &envelope.event {
            Event::ContractSigned(e) => {
                let id = self.contract_ids.intern(e.contract.as_str());
                let customer = self.customer_ids.intern(e.customer.as_str());
                let contract = slot(&mut self.contracts, id, UNSIGNED);
                if contract.signed {
                    return;
                }
                *contract = Contract { signed: true, customer, currency: e.currency };
                for line in &e.lines {
                    self.add_line((id, e.contract.as_str()), line, e.start_date);
                }
            }
            Event::ContractRenewed(e) => {
                let Some(id) = self.signed(e.contract.as_str()) else { return };
                for line in &e.lines {
                    self.add_line((id, e.contract.as_str()), line, e.start_date);
                }
            }
            Event::ContractModified(e) => {
                let Some(id) = self.signed(e.contract.as_str()) else { return };
                // Classified against the contract as it was before this
                // modification, then applied.
                let first = self.changes.len();
                for change in &e.changes {
                    if let Some(c) = self.classify((id, e.contract.as_str()), change, e.effective_on) {
                        self.changes.push(c);
                    }
                }
                for i in first..self.changes.len() {
                    let c = self.changes[i];
                    if c.price_before.is_none() {
                        continue; // an added line, registered below
                    }
                    let line = &mut self.lines[c.line as usize];
                    match c.price_after {
                        Some(price) => line.price = price,
                        None => {
                            line.removed = true;
                            if let Some(n) = self.sold.get_mut(&(c.contract, line.product)) {
                                *n = n.saturating_sub(1);
                            }
                        }
                    }
                }
                for change in &e.changes {
                    if let LineChange::Add { line } = change {
                        self.add_line((id, e.contract.as_str()), line, e.effective_on);
                    }
                }
            }
            _ => {}
        }
    }
}

impl Expansion {
    fn signed(&self, contract: &str) -> Option<u32> {
        let id = self.contract_ids.get(contract)?;
        self.contracts.get(id as usize).filter(|c| c.signed).map(|_| id)
    }

    fn line_id(&mut self, contract: &str, line: &str) -> u32 {
        line_key(&mut self.key, contract, line);
        let id = self.line_ids.intern(&self.key);
        if self.line_names.len() <= id as usize {
            self.line_names.push(line.to_owned());
        }
        id
    }

    fn add_line(&mut self, (contract, name): (u32, &str), line: &ContractLine, start: NaiveDate) {
        let currency = self.contracts[contract as usize].currency;
        let id = self.line_id(name, &line.line);
        let product = self.product_ids.intern(&line.product);
        let slot = slot(&mut self.lines, id, UNKNOWN);
        if slot.known {
            return;
        }
        *slot = Line {
            known: true,
            removed: false,
            usage: line.kind == LineKind::Usage,
            product,
            price: minor(line.price, currency).unwrap_or(0),
            start: line.start_date.unwrap_or(start),
        };
        *self.sold.entry((contract, product)).or_default() += 1;
    }

    /// The class of one change against the lines as they stand; `None` for
    /// a change to a line the contract never had (or re-adding one).
    fn classify(&mut self, (contract, name): (u32, &str), change: &LineChange, on: NaiveDate) -> Option<Change> {
        let currency = self.contracts[contract as usize].currency;
        let line_name = match change {
            LineChange::Add { line } => line.line.as_str(),
            LineChange::Amend { line, .. } | LineChange::Remove { line } => line.as_str(),
        };
        let line = self.line_id(name, line_name);
        let known = self.lines.get(line as usize).copied().filter(|l| l.known);
        if matches!(change, LineChange::Add { .. }) && known.is_some() {
            return None;
        }
        let existing = known.filter(|l| !l.removed);
        let (class, before, after, start) = match (change, existing) {
            (LineChange::Add { line: added }, _) => {
                let product = self.product_ids.get(&added.product);
                let sold = !added.product.is_empty()
                    && product.is_some_and(|p| self.sold.get(&(contract, p)).is_some_and(|&n| n > 0));
                let class = match (added.kind, sold) {
                    (LineKind::Usage, _) => ExpansionClass::UsageOverage,
                    (_, true) => ExpansionClass::SeatExpansion,
                    (_, false) => ExpansionClass::ModuleUpsell,
                };
                let price = minor(added.price, currency).unwrap_or(0);
                (class, None, Some(price), added.start_date.unwrap_or(on))
            }
            (_, None) => return None,
            (LineChange::Amend { price, .. }, Some(l)) => {
                let new = price.and_then(|p| minor(p, currency)).unwrap_or(l.price);
                let class = match new.cmp(&l.price) {
                    std::cmp::Ordering::Greater if l.usage => ExpansionClass::UsageOverage,
                    std::cmp::Ordering::Greater => ExpansionClass::ContractUplift,
                    std::cmp::Ordering::Less => ExpansionClass::Contraction,
                    std::cmp::Ordering::Equal => ExpansionClass::TermChange,
                };
                (class, Some(l.price), Some(new), l.start)
            }
            (LineChange::Remove { .. }, Some(l)) => (ExpansionClass::Contraction, Some(l.price), None, on),
        };
        Some(Change {
            contract,
            line,
            effective_on: on,
            arr_from: on.max(start),
            class,
            price_before: before,
            price_after: after,
        })
    }

    /// Every change effective on or before `as_of`, with its ARR effect
    /// read from `mrr` (folded from the same log).
    pub fn report(&self, as_of: NaiveDate, mrr: &Mrr) -> ExpansionReport {
        let listed: Vec<usize> = (0..self.changes.len()).filter(|&i| self.changes[i].effective_on <= as_of).collect();
        // The last change of a line on a day takes the line's change that day.
        let mut taken: BTreeSet<(u32, NaiveDate)> = BTreeSet::new();
        let mut effects = vec![0i64; self.changes.len()];
        for &i in listed.iter().rev() {
            let c = self.changes[i];
            if !taken.insert((c.line, c.arr_from)) {
                continue;
            }
            let contract = self.contract_ids.name(c.contract);
            let line = &self.line_names[c.line as usize];
            let at = |on: Option<NaiveDate>| {
                on.and_then(|on| mrr.line_mrr(contract, line, on)).and_then(|m| m.to_minor().ok()).unwrap_or(0)
            };
            effects[i] = (at(Some(c.arr_from)) - at(c.arr_from.pred_opt())).saturating_mul(12);
        }

        let mut totals: BTreeMap<Currency, (u64, [i128; 6], i128)> = BTreeMap::new();
        let mut changes: Vec<(usize, ExpansionChange)> = Vec::with_capacity(listed.len());
        for i in listed {
            let c = self.changes[i];
            let contract = self.contracts[c.contract as usize];
            let currency = contract.currency;
            let sums = totals.entry(currency).or_default();
            sums.0 += 1;
            sums.1[c.class as usize] += i128::from(effects[i]);
            if c.class.is_expansion() {
                sums.2 += i128::from(effects[i]);
            }
            let money = |m: i64| format(m.into(), currency);
            let line = self.lines[c.line as usize];
            changes.push((
                i,
                ExpansionChange {
                    contract: self.contract_ids.name(c.contract).to_owned(),
                    customer: self.customer_ids.name(contract.customer).to_owned(),
                    currency,
                    effective_on: c.effective_on,
                    arr_from: c.arr_from,
                    line: self.line_names[c.line as usize].clone(),
                    product: self.product_ids.name(line.product).to_owned(),
                    class: c.class,
                    price_before: c.price_before.map(money),
                    price_after: c.price_after.map(money),
                    arr_effect: money(effects[i]),
                },
            ));
        }
        changes.sort_by(|(i, a), (j, b)| (a.effective_on, &a.contract, i).cmp(&(b.effective_on, &b.contract, j)));
        let totals = totals
            .into_iter()
            .map(|(currency, (count, by_class, expansion))| {
                let money = |m: i128| format(m, currency);
                ExpansionTotals {
                    currency,
                    changes: count,
                    seat_expansion: money(by_class[ExpansionClass::SeatExpansion as usize]),
                    module_upsell: money(by_class[ExpansionClass::ModuleUpsell as usize]),
                    usage_overage: money(by_class[ExpansionClass::UsageOverage as usize]),
                    contract_uplift: money(by_class[ExpansionClass::ContractUplift as usize]),
                    contraction: money(by_class[ExpansionClass::Contraction as usize]),
                    term_change: money(by_class[ExpansionClass::TermChange as usize]),
                    expansion: money(expansion),
                    net: money(by_class.iter().sum()),
                }
            })
            .collect();
        ExpansionReport { as_of, changes: changes.into_iter().map(|c| c.1).collect(), totals }
    }
}

//! `Mrr`: monthly recurring revenue per customer and its monthly movements.
//!
//! # What counts
//!
//! Only `subscription` lines are recurring: milestone, time-and-materials,
//! usage and perpetual-license lines are left out whatever their price.
//! A line's price is for its whole service period (its own dates, else the
//! contract's or the renewal term's), so its MRR is the price divided by the
//! length of that period in months: an annual line of 12,000.00 is 1,000.00
//! a month, a quarterly one of 3,000.00 is 1,000.00 too, whatever the
//! billing frequency. A period that is not a whole number of months counts
//! its last partial month as days covered / days in that month (15 Jan to
//! 30 Jun is 5 + 16/30 months). Each line's MRR is rounded to the minor unit
//! (half away from zero) once, so every sum below is exact.
//!
//! A line brings MRR on every day of its service period, from the day the
//! contract (or the renewal that brought the line) is signed at the earliest
//! as seen from the report's as-of date, until
//! - a modification that removes it (from its effective date),
//! - the cancellation of its contract (from the cancellation's effective
//!   date, the first day without service), or
//! - the end of its period: a contract that ends without a renewal churns.
//!
//! A modification that amends a line's price or end date gives the line a
//! new MRR from its effective date (the new price over the line's period
//! from its start to the new end); an added line brings its MRR from its own
//! start, by default the effective date. Amended SSPs change nothing.
//!
//! # Months and movements
//!
//! A month's MRR is the MRR on its last day; for the month of the as-of
//! date, on the as-of date. Per customer (and currency), from one month's
//! end to the next:
//!
//! - **new**: from zero to more, for a customer that never had MRR before;
//! - **reactivation**: from zero to more, for one that had;
//! - **expansion** / **contraction**: from more than zero to more / less;
//! - **churn**: from more than zero to zero (the whole former MRR).
//!
//! So, by construction, each month and currency:
//! `end = start + new + expansion + reactivation − contraction − churn`.
//! ARR = MRR × 12. The net change is `end − start`, and its percentage is
//! `(end − start) / start × 100` to two places (half away from zero), absent
//! when `start` is zero. Amounts are per currency (a customer's contracts are
//! in its billing currency), never converted.
//!
//! # Per contract and per line
//!
//! [`Mrr::contract_mrr`], [`Mrr::line_mrr`] and [`Mrr::contract_mrrs`] give
//! the MRR of one contract, one line, or every contract on a day, counted
//! exactly as the report as of that day counts it: the renewal pipeline,
//! the partner desk and expansion tracking read their ARR from here, so
//! that every ARR figure in revops agrees with this one.
//!
//! ```
//! use revops_projections::mrr::Mrr;
//! use revops_projections::Projection;
//!
//! let mrr = Mrr::default();
//! let report = mrr.report("2026-03-31".parse()?);
//! assert!(report.months.is_empty() && report.customers.is_empty());
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use revops_core::calendar::YearMonth;
use revops_core::modification::LineChange;
use revops_core::terms::{ContractLine, LineKind};
use revops_core::{Currency, Money};
use revops_events::{Envelope, Event, EventTypes};
use serde::{Deserialize, Serialize};

use crate::amounts::{div_round, format, minor, ratio, ROUNDING};
use crate::intern::{line_key, slot, Interner};
use crate::once::SeqGuard;
use crate::Projection;

/// How a customer's MRR moved in a month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// From zero, for the first time.
    New,
    /// Up, from more than zero.
    Expansion,
    /// Down, to more than zero.
    Contraction,
    /// Down to zero.
    Churn,
    /// From zero, after having had MRR before.
    Reactivation,
}

/// One customer's movement in a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerMovement {
    /// The customer id.
    pub customer: String,
    /// The movement.
    pub movement: Movement,
    /// MRR at the end of the month before.
    pub start_mrr: String,
    /// MRR at the end of this month.
    pub end_mrr: String,
    /// `end_mrr − start_mrr`.
    pub change: String,
}

/// The MRR bridge of one month in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrrMonth {
    /// The month.
    pub month: YearMonth,
    /// The currency of the amounts.
    pub currency: Currency,
    /// MRR at the end of the month before.
    pub start_mrr: String,
    /// From customers new this month.
    pub new: String,
    /// From customers that grew.
    pub expansion: String,
    /// From customers that came back.
    pub reactivation: String,
    /// From customers that shrank (a positive amount, subtracted).
    pub contraction: String,
    /// From customers that left (a positive amount, subtracted).
    pub churn: String,
    /// MRR at the end of the month (the as-of date in its month).
    pub end_mrr: String,
    /// `end_mrr × 12`.
    pub end_arr: String,
    /// `end_mrr − start_mrr`.
    pub net_change: String,
    /// The net change as a percentage of `start_mrr`; absent when it is zero.
    pub net_change_pct: Option<String>,
    /// The customers that moved, by customer id.
    pub customers: Vec<CustomerMovement>,
}

/// A customer's MRR on the as-of date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerMrr {
    /// The customer id.
    pub customer: String,
    /// The currency of the amounts.
    pub currency: Currency,
    /// Monthly recurring revenue.
    pub mrr: String,
    /// `mrr × 12`.
    pub arr: String,
}

/// Total MRR in one currency on the as-of date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyMrr {
    /// The currency of the amounts.
    pub currency: Currency,
    /// Monthly recurring revenue.
    pub mrr: String,
    /// `mrr × 12`.
    pub arr: String,
    /// Customers with MRR.
    pub customers: u64,
}

/// The MRR report. Sorted: `totals` by currency, `customers` by customer id
/// then currency (customers with MRR only), `months` by month then currency,
/// from the first month with any MRR to the as-of month, every currency that
/// ever had MRR in every month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrrReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Per currency.
    pub totals: Vec<CurrencyMrr>,
    /// Per customer.
    pub customers: Vec<CustomerMrr>,
    /// The monthly bridges.
    pub months: Vec<MrrMonth>,
}

#[derive(Clone, Copy, Debug)]
struct Contract {
    signed: bool,
    customer: u32,
    currency: Currency,
    /// Last day of the current term: where added lines end by default.
    end: NaiveDate,
    cancelled_on: Option<NaiveDate>,
}

const UNSIGNED: Contract =
    Contract { signed: false, customer: 0, currency: Currency::USD, end: NaiveDate::MIN, cancelled_on: None };

/// A subscription line (any other line is never recorded).
#[derive(Clone, Copy, Debug)]
struct Line {
    tracked: bool,
    contract: u32,
    /// The business date the line became a fact (signature, renewal, change).
    known_from: NaiveDate,
    start: NaiveDate,
    removed_on: Option<NaiveDate>,
    /// Index in `versions` of the line's latest terms, in log order.
    latest: u32,
}

const UNTRACKED: Line = Line {
    tracked: false,
    contract: 0,
    known_from: NaiveDate::MIN,
    start: NaiveDate::MIN,
    removed_on: None,
    latest: 0,
};

/// A line's price and end date from a date on.
#[derive(Clone, Copy, Debug)]
struct Version {
    line: u32,
    effective_on: NaiveDate,
    price: i64,
    end: NaiveDate,
}

/// Monthly recurring revenue. See the [module docs](self) for what counts.
#[derive(Clone, Debug, Default)]
pub struct Mrr {
    guard: SeqGuard,
    customer_ids: Interner,
    contract_ids: Interner,
    /// Keys `contract \0 line`: line ids are unique within a contract only.
    line_ids: Interner,
    key: String,
    contracts: Vec<Contract>,
    lines: Vec<Line>,
    versions: Vec<Version>,
}

impl Projection for Mrr {
    const READS: EventTypes = EventTypes::NONE
        .with("contract_signed")
        .with("contract_modified")
        .with("contract_renewed")
        .with("contract_cancelled");

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
                *contract =
                    Contract { signed: true, customer, currency: e.currency, end: e.end_date, cancelled_on: None };
                for line in &e.lines {
                    self.add_line((id, e.contract.as_str()), line, e.signed_on, (e.start_date, e.end_date));
                }
            }
            Event::ContractRenewed(e) => {
                let Some(id) = self.signed(e.contract.as_str()) else { return };
                self.contracts[id as usize].end = e.end_date;
                for line in &e.lines {
                    self.add_line((id, e.contract.as_str()), line, e.renewed_on, (e.start_date, e.end_date));
                }
            }
            Event::ContractModified(e) => {
                let Some(id) = self.signed(e.contract.as_str()) else { return };
                let end = self.contracts[id as usize].end;
                for change in &e.changes {
                    match change {
                        LineChange::Add { line } => {
                            self.add_line((id, e.contract.as_str()), line, e.effective_on, (e.effective_on, end))
                        }
                        LineChange::Amend { line, price, end_date, .. } => {
                            let Some(l) = self.tracked(e.contract.as_str(), line) else { continue };
                            let latest = self.versions[self.lines[l as usize].latest as usize];
                            let price = price.and_then(|p| minor(p, self.contracts[id as usize].currency));
                            self.lines[l as usize].latest = self.versions.len() as u32;
                            self.versions.push(Version {
                                line: l,
                                effective_on: e.effective_on,
                                price: price.unwrap_or(latest.price),
                                end: end_date.unwrap_or(latest.end),
                            });
                        }
                        LineChange::Remove { line } => {
                            if let Some(l) = self.tracked(e.contract.as_str(), line) {
                                self.lines[l as usize].removed_on.get_or_insert(e.effective_on);
                            }
                        }
                    }
                }
            }
            Event::ContractCancelled(e) => {
                if let Some(id) = self.signed(e.contract.as_str()) {
                    self.contracts[id as usize].cancelled_on.get_or_insert(e.effective_on);
                }
            }
            _ => {}
        }
    }
}

/// Months since year 0, so that consecutive months are consecutive numbers.
fn month_key(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

fn month_of_key(key: i64) -> YearMonth {
    let year = i32::try_from(key.div_euclid(12)).unwrap_or(i32::MAX);
    // Keys come from valid dates, so the month always exists.
    YearMonth::new(year, key.rem_euclid(12) as u32 + 1).expect("a month of a valid date")
}

/// `price` (for the period `start ..= end`) per month, in minor units; zero
/// for a negative price, which no valid contract has.
fn monthly(price: i64, start: NaiveDate, end: NaiveDate) -> i64 {
    let Some(stop) = end.checked_add_days(Days::new(1)) else { return 0 };
    if stop <= start || price <= 0 {
        return 0;
    }
    let add = |m: i64| start.checked_add_months(Months::new(u32::try_from(m).unwrap_or(u32::MAX)));
    let mut whole = month_key(stop) - month_key(start);
    if add(whole).is_none_or(|d| d > stop) {
        whole -= 1;
    }
    let (Some(anchor), Some(next)) = (add(whole), add(whole + 1)) else { return 0 };
    let (rem, month_days) = ((stop - anchor).num_days(), (next - anchor).num_days());
    let months_in_days = i128::from(whole) * i128::from(month_days) + i128::from(rem);
    let mrr = div_round(i128::from(price) * i128::from(month_days), months_in_days, ROUNDING).unwrap_or(0);
    i64::try_from(mrr).unwrap_or(0)
}

/// A customer in one currency: MRR is kept apart per currency.
type CustomerKey = (u32, Currency);

/// A change of MRR: (month key, index of the customer key, minor units).
type Delta = (i64, u32, i64);

/// Per-currency sums of one month's movements.
#[derive(Clone, Debug, Default)]
struct MonthSums {
    start: i128,
    moves: [i128; 5],
    customers: Vec<(u32, Movement, i64, i64)>,
}

impl Mrr {
    fn signed(&self, contract: &str) -> Option<u32> {
        let id = self.contract_ids.get(contract)?;
        self.contracts.get(id as usize).filter(|c| c.signed).map(|_| id)
    }

    fn tracked(&mut self, contract: &str, line: &str) -> Option<u32> {
        line_key(&mut self.key, contract, line);
        let id = self.line_ids.get(&self.key)?;
        self.lines.get(id as usize).filter(|l| l.tracked).map(|_| id)
    }

    fn add_line(
        &mut self,
        (contract, name): (u32, &str),
        line: &ContractLine,
        known_from: NaiveDate,
        (start, end): (NaiveDate, NaiveDate),
    ) {
        if line.kind != LineKind::Subscription {
            return;
        }
        let currency = self.contracts[contract as usize].currency;
        let Some(price) = minor(line.price, currency) else { return };
        line_key(&mut self.key, name, &line.line);
        let id = self.line_ids.intern(&self.key);
        let latest = self.versions.len() as u32;
        let slot = slot(&mut self.lines, id, UNTRACKED);
        if slot.tracked {
            return;
        }
        *slot = Line {
            tracked: true,
            contract,
            known_from,
            start: line.start_date.unwrap_or(start),
            removed_on: None,
            latest,
        };
        self.versions.push(Version {
            line: id,
            effective_on: NaiveDate::MIN,
            price,
            end: line.end_date.unwrap_or(end),
        });
    }

    /// MRR, ARR and the monthly bridges as of `as_of` (see the
    /// [module docs](self)).
    pub fn report(&self, as_of: NaiveDate) -> MrrReport {
        let (keys, mut deltas) = self.deltas(as_of);
        deltas.sort_unstable();
        let mut mrr = vec![0i64; keys.len()];
        let mut had_mrr = vec![false; keys.len()];
        let mut totals: BTreeMap<Currency, i128> = BTreeMap::new();
        let mut months = Vec::new();
        let mut next = 0;
        let first = deltas.first().map_or(i64::MAX, |d| d.0);
        for month in first..=month_key(as_of) {
            let mut sums: BTreeMap<Currency, MonthSums> =
                totals.iter().map(|(&c, &start)| (c, MonthSums { start, ..MonthSums::default() })).collect();
            while let Some(&(_, key, _)) = deltas.get(next).filter(|d| d.0 == month) {
                let mut change = 0i64;
                while let Some(d) = deltas.get(next).filter(|d| d.0 == month && d.1 == key) {
                    change = change.saturating_add(d.2);
                    next += 1;
                }
                let k = key as usize;
                let (before, after) = (mrr[k], mrr[k].saturating_add(change));
                let Some(movement) = movement(before, after, had_mrr[k]) else { continue };
                mrr[k] = after;
                had_mrr[k] |= after > 0;
                let (customer, currency) = keys[k];
                let sums = sums.entry(currency).or_default();
                sums.moves[movement as usize] += i128::from(after.abs_diff(before));
                sums.customers.push((customer, movement, before, after));
            }
            for (currency, sums) in sums {
                let row = self.month_row(month_of_key(month), currency, sums);
                totals.insert(currency, row.1);
                months.push(row.0);
            }
        }

        let mut customers: Vec<CustomerMrr> = keys
            .iter()
            .zip(&mrr)
            .filter(|(_, &m)| m > 0)
            .map(|(&(customer, currency), &m)| CustomerMrr {
                customer: self.customer_ids.name(customer).to_owned(),
                currency,
                mrr: format(m.into(), currency),
                arr: format(i128::from(m) * 12, currency),
            })
            .collect();
        customers.sort_by(|a, b| (&a.customer, a.currency).cmp(&(&b.customer, b.currency)));
        let totals = totals
            .into_iter()
            .map(|(currency, total)| CurrencyMrr {
                currency,
                mrr: format(total, currency),
                arr: format(total * 12, currency),
                customers: customers.iter().filter(|c| c.currency == currency).count() as u64,
            })
            .collect();
        MrrReport { as_of, totals, customers, months }
    }

    /// One month's bridge in one currency, and its end MRR.
    fn month_row(&self, month: YearMonth, currency: Currency, sums: MonthSums) -> (MrrMonth, i128) {
        let [new, expansion, contraction, churn, reactivation] = sums.moves;
        let end = sums.start + new + expansion + reactivation - contraction - churn;
        let money = |m: i128| format(m, currency);
        let mut customers: Vec<CustomerMovement> = sums
            .customers
            .iter()
            .map(|&(customer, movement, before, after)| CustomerMovement {
                customer: self.customer_ids.name(customer).to_owned(),
                movement,
                start_mrr: money(before.into()),
                end_mrr: money(after.into()),
                change: money(i128::from(after) - i128::from(before)),
            })
            .collect();
        customers.sort_by(|a, b| a.customer.cmp(&b.customer));
        let row = MrrMonth {
            month,
            currency,
            start_mrr: money(sums.start),
            new: money(new),
            expansion: money(expansion),
            reactivation: money(reactivation),
            contraction: money(contraction),
            churn: money(churn),
            end_mrr: money(end),
            end_arr: money(end * 12),
            net_change: money(end - sums.start),
            net_change_pct: ratio(end - sums.start, sums.start, 100),
            customers,
        };
        (row, end)
    }

    /// Every change of MRR on or before `as_of`, and the customer keys the
    /// changes index.
    fn deltas(&self, as_of: NaiveDate) -> (Vec<CustomerKey>, Vec<Delta>) {
        let mut keys = Vec::new();
        let mut key_of: BTreeMap<CustomerKey, u32> = BTreeMap::new();
        let mut deltas = Vec::new();
        let versions = &self.versions;
        let order = self.versions_in_force_order(as_of);
        for group in order.chunk_by(|&a, &b| versions[a].line == versions[b].line) {
            let line = self.lines[versions[group[0]].line as usize];
            let contract = self.contracts[line.contract as usize];
            if line.known_from > as_of {
                continue;
            }
            let key = *key_of.entry((contract.customer, contract.currency)).or_insert_with(|| {
                keys.push((contract.customer, contract.currency));
                keys.len() as u32 - 1
            });
            self.spans(group, |from, to, m| {
                if from <= as_of {
                    deltas.push((month_key(from), key, m));
                }
                if to <= as_of {
                    deltas.push((month_key(to), key, -m));
                }
            });
        }
        (keys, deltas)
    }

    /// The versions effective on or before `as_of`, by line, then effective
    /// date, then log order (amendments effective on the same day apply in
    /// log order).
    fn versions_in_force_order(&self, as_of: NaiveDate) -> Vec<usize> {
        let versions = &self.versions;
        let mut order: Vec<usize> = (0..versions.len()).filter(|&v| versions[v].effective_on <= as_of).collect();
        order.sort_by_key(|&v| (versions[v].line, versions[v].effective_on));
        order
    }

    /// Calls `f(from, to, mrr)` for each stretch `[from, to)` of days on
    /// which one of a line's versions gives it MRR. `group` is the line's
    /// versions in the order of [`Mrr::versions_in_force_order`].
    fn spans(&self, group: &[usize], mut f: impl FnMut(NaiveDate, NaiveDate, i64)) {
        let versions = &self.versions;
        let Some(&first) = group.first() else { return };
        let line = self.lines[versions[first].line as usize];
        let contract = self.contracts[line.contract as usize];
        let stop = line.removed_on.into_iter().chain(contract.cancelled_on).min();
        for (i, &v) in group.iter().enumerate() {
            let version = versions[v];
            let from = version.effective_on.max(line.start);
            let mut to = version.end.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX);
            if let Some(&next) = group.get(i + 1) {
                to = to.min(versions[next].effective_on.max(line.start));
            }
            if let Some(stop) = stop {
                to = to.min(stop);
            }
            let m = monthly(version.price, line.start, version.end);
            if to <= from || m == 0 {
                continue;
            }
            f(from, to, m);
        }
    }

    /// The MRR, in minor units, that the versions in `group` (one line's)
    /// give it on `on`, as [`Mrr::report`] as of `on` counts it.
    fn group_mrr_on(&self, group: &[usize], on: NaiveDate) -> i64 {
        let Some(&first) = group.first() else { return 0 };
        if self.lines[self.versions[first].line as usize].known_from > on {
            return 0;
        }
        let mut mrr = 0i64;
        self.spans(group, |from, to, m| {
            if from <= on && on < to {
                mrr = mrr.saturating_add(m);
            }
        });
        mrr
    }

    /// The MRR of line `line` on `on`, in minor units: its versions are
    /// found by scanning them all, so this is for one-off queries.
    fn line_mrr_on(&self, line: u32, on: NaiveDate) -> i64 {
        let versions = &self.versions;
        let mut group: Vec<usize> =
            (0..versions.len()).filter(|&v| versions[v].line == line && versions[v].effective_on <= on).collect();
        group.sort_by_key(|&v| versions[v].effective_on);
        self.group_mrr_on(&group, on)
    }

    /// The MRR of contract `contract` on `on`, exactly as [`Mrr::report`]
    /// as of `on` counts it for the contract's customer (so the contracts of
    /// a customer sum to its MRR in the report). Zero for a signed contract
    /// without recurring revenue that day; `None` for a contract never
    /// signed. Scans every line version: for many contracts at once, use
    /// [`Mrr::contract_mrrs`].
    pub fn contract_mrr(&self, contract: &str, on: NaiveDate) -> Option<Money> {
        let id = self.signed(contract)?;
        let currency = self.contracts[id as usize].currency;
        let versions = &self.versions;
        let order: Vec<usize> = self
            .versions_in_force_order(on)
            .into_iter()
            .filter(|&v| self.lines[versions[v].line as usize].contract == id)
            .collect();
        let mrr = order
            .chunk_by(|&a, &b| versions[a].line == versions[b].line)
            .fold(0i64, |sum, group| sum.saturating_add(self.group_mrr_on(group, on)));
        Some(Money::from_minor(mrr, currency))
    }

    /// The MRR of line `line` of contract `contract` on `on`, as
    /// [`Mrr::contract_mrr`] counts it. `None` for a line that is not a
    /// subscription line of a signed contract (only those recur).
    pub fn line_mrr(&self, contract: &str, line: &str, on: NaiveDate) -> Option<Money> {
        let id = self.signed(contract)?;
        let mut key = String::new();
        line_key(&mut key, contract, line);
        let l = self.line_ids.get(&key).filter(|&l| self.lines.get(l as usize).is_some_and(|l| l.tracked))?;
        Some(Money::from_minor(self.line_mrr_on(l, on), self.contracts[id as usize].currency))
    }

    /// The MRR of every contract with recurring revenue on `on`, by contract
    /// id: [`Mrr::contract_mrr`] for all of them in one pass. Contracts
    /// without MRR that day are left out.
    pub fn contract_mrrs(&self, on: NaiveDate) -> BTreeMap<&str, Money> {
        let versions = &self.versions;
        let mut by_contract: BTreeMap<u32, i64> = BTreeMap::new();
        for group in self.versions_in_force_order(on).chunk_by(|&a, &b| versions[a].line == versions[b].line) {
            let m = self.group_mrr_on(group, on);
            if m != 0 {
                let contract = self.lines[versions[group[0]].line as usize].contract;
                let sum = by_contract.entry(contract).or_default();
                *sum = sum.saturating_add(m);
            }
        }
        by_contract
            .into_iter()
            .map(|(id, m)| (self.contract_ids.name(id), Money::from_minor(m, self.contracts[id as usize].currency)))
            .collect()
    }
}

/// How a customer's MRR moved from `before` to `after`; `None` if it did not.
fn movement(before: i64, after: i64, had_mrr: bool) -> Option<Movement> {
    Some(match (before > 0, after > 0) {
        _ if before == after => return None,
        (false, true) if had_mrr => Movement::Reactivation,
        (false, true) => Movement::New,
        (true, false) => Movement::Churn,
        (true, true) if after > before => Movement::Expansion,
        (true, true) => Movement::Contraction,
        (false, false) => return None,
    })
}

//! The serializable reports of [`RevenueSchedules`](super::RevenueSchedules).
//!
//! Field names are stable. Amounts are strings with exactly the currency's
//! minor places ("1200.00"); months are "YYYY-MM", dates "YYYY-MM-DD".
//! Contracts are sorted by id, lines by term then contract order, entries
//! by date; totals are per currency, sorted by currency code.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::schedule::EntryKind;
use revops_core::Currency;
use serde::Serialize;

use super::book::ContractBook;
use super::{RecognitionMethod, RevenueSchedules};
use crate::amounts::format;

/// Every contract's schedule as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchedulesReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// One per contract, by contract id.
    pub contracts: Vec<ContractSchedule>,
    /// Sums of the contract figures per currency, by currency code.
    pub totals: Vec<ScheduleTotals>,
}

/// One contract as of a date; amounts in its currency.
///
/// `net_recognized + deferred − unbilled = billed_net`, and at most one of
/// `deferred` and `unbilled` is non-zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractSchedule {
    /// The contract id.
    pub contract: String,
    /// The customer id.
    pub customer: String,
    /// The contract currency.
    pub currency: Currency,
    /// What the contract recognizes in total under the terms in force on the
    /// as-of date (variable consideration as far as performed).
    pub total: String,
    /// Revenue recognized to date.
    pub recognized: String,
    /// `total − recognized`: still to be recognized.
    pub remaining: String,
    /// Invoice amounts before tax, to date.
    pub billed: String,
    /// The revenue part of credit memos, to date.
    pub credited: String,
    /// `billed − credited`.
    pub billed_net: String,
    /// `recognized − credited`: recognized revenue net of contra-revenue.
    pub net_recognized: String,
    /// Billed ahead of recognition: the contract liability.
    pub deferred: String,
    /// Recognized ahead of billing: the contract asset.
    pub unbilled: String,
    /// The lines, by term then line order.
    pub lines: Vec<LineSchedule>,
    /// Why revops-core could not schedule (part of) the contract; the figures
    /// then leave that term out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One line of a contract and its schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineSchedule {
    /// The line id.
    pub line: String,
    /// The term: 0 as signed, then 1, 2, … per renewal.
    pub term: u32,
    /// How the line is recognized.
    pub method: RecognitionMethod,
    /// Its total under the terms in force on the as-of date.
    pub total: String,
    /// Recognized to date.
    pub recognized: String,
    /// `total − recognized`.
    pub remaining: String,
    /// Every entry of its schedule, by date.
    pub entries: Vec<ScheduleEntry>,
}

/// One entry of a line's schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleEntry {
    /// The month it is recognized in.
    pub month: YearMonth,
    /// First day covered.
    pub period_start: NaiveDate,
    /// Last day covered: the day it is recognized.
    pub period_end: NaiveDate,
    /// The amount.
    pub amount: String,
    /// Why it exists: `recognition`, `catch_up` or `remainder`.
    pub kind: EntryKind,
    /// True when `period_end` is on or before the as-of date.
    pub recognized: bool,
}

/// The contract figures summed over one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleTotals {
    /// The currency.
    pub currency: Currency,
    /// Sum of [`ContractSchedule::total`].
    pub total: String,
    /// Sum of [`ContractSchedule::recognized`].
    pub recognized: String,
    /// Sum of [`ContractSchedule::remaining`].
    pub remaining: String,
    /// Sum of [`ContractSchedule::billed`].
    pub billed: String,
    /// Sum of [`ContractSchedule::credited`].
    pub credited: String,
    /// Sum of [`ContractSchedule::deferred`].
    pub deferred: String,
    /// Sum of [`ContractSchedule::unbilled`].
    pub unbilled: String,
}

/// Revenue by month and contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Waterfall {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The months, `from` to `to`.
    pub months: Vec<YearMonth>,
    /// The last month of `months` that ends on or before `as_of`: its
    /// figures and earlier ones are recognized, later ones scheduled.
    pub recognized_through: Option<YearMonth>,
    /// One row per contract with revenue in the range, by contract id.
    pub rows: Vec<WaterfallRow>,
    /// One row per currency (`contract` absent), by currency code.
    pub totals: Vec<WaterfallRow>,
}

/// A row of the waterfall: one amount per month of [`Waterfall::months`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaterfallRow {
    /// The contract id; absent on a currency total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// The currency.
    pub currency: Currency,
    /// The amount of each month.
    pub amounts: Vec<String>,
    /// Their sum.
    pub total: String,
}

/// A contract's figures in minor units, before formatting.
#[derive(Clone, Copy, Debug, Default)]
struct Figures {
    total: i128,
    recognized: i128,
    billed: i128,
    credited: i128,
}

impl Figures {
    fn add(&mut self, other: Figures) {
        self.total += other.total;
        self.recognized += other.recognized;
        self.billed += other.billed;
        self.credited += other.credited;
    }

    /// Billed minus recognized, netted into (deferred, unbilled).
    fn netted(self) -> (i128, i128) {
        let position = self.billed - self.recognized;
        (position.max(0), (-position).max(0))
    }
}

fn visible(book: &ContractBook, as_of: NaiveDate) -> bool {
    match book.signed_on {
        Some(signed) => signed <= as_of,
        None => book.billing.iter().any(|b| b.on <= as_of),
    }
}

fn figures_and_lines(book: &ContractBook, as_of: NaiveDate) -> (Figures, Vec<LineSchedule>) {
    let currency = book.currency;
    let mut figures =
        Figures { billed: book.billed_through(as_of), credited: book.credited_through(as_of), ..Figures::default() };
    let mut lines = Vec::new();
    for term in book.computed().flatten() {
        let s = &term.schedule;
        for (index, &line) in term.lines.iter().enumerate() {
            let minor = |m: revops_core::Money| i128::from(m.to_minor().expect("schedule amounts are minor units"));
            let total = minor(s.line_total_as_of(index, as_of));
            let recognized = minor(s.line_recognized_as_of(index, as_of));
            figures.total += total;
            figures.recognized += recognized;
            let entries = s
                .line_entries(index)
                .map(|e| ScheduleEntry {
                    month: YearMonth::of(e.period_end),
                    period_start: e.period_start,
                    period_end: e.period_end,
                    amount: format(i128::from(e.amount_minor), currency),
                    kind: e.kind,
                    recognized: e.period_end <= as_of,
                })
                .collect();
            let book_line = &book.lines[line as usize];
            lines.push(LineSchedule {
                line: book_line.id.to_string(),
                term: book_line.term,
                method: book_line.method,
                total: format(total, currency),
                recognized: format(recognized, currency),
                remaining: format(total - recognized, currency),
                entries,
            });
        }
    }
    (figures, lines)
}

pub(super) fn contract_schedule(id: &str, book: &ContractBook, as_of: NaiveDate) -> Option<ContractSchedule> {
    if !visible(book, as_of) {
        return None;
    }
    let (f, lines) = figures_and_lines(book, as_of);
    let (deferred, unbilled) = f.netted();
    let net_recognized = f.recognized - f.credited;
    let billed_net = f.billed - f.credited;
    // Invariant 3 of the design, checked in release builds too.
    assert_eq!(net_recognized + deferred - unbilled, billed_net, "contract {id}: recognized + deferred − unbilled");
    let c = book.currency;
    Some(ContractSchedule {
        contract: id.to_owned(),
        customer: book.customer.to_string(),
        currency: c,
        total: format(f.total, c),
        recognized: format(f.recognized, c),
        remaining: format(f.total - f.recognized, c),
        billed: format(f.billed, c),
        credited: format(f.credited, c),
        billed_net: format(billed_net, c),
        net_recognized: format(net_recognized, c),
        deferred: format(deferred, c),
        unbilled: format(unbilled, c),
        lines,
        error: book.error().map(str::to_owned),
    })
}

pub(super) fn schedules_report(schedules: &RevenueSchedules, as_of: NaiveDate) -> SchedulesReport {
    let mut contracts = Vec::new();
    let mut totals: BTreeMap<&'static str, (Currency, Figures, i128, i128)> = BTreeMap::new();
    for (_, id, book) in schedules.books() {
        let Some(report) = contract_schedule(id, book, as_of) else { continue };
        let (figures, _) = figures_and_lines(book, as_of);
        let (deferred, unbilled) = figures.netted();
        let slot = totals.entry(book.currency.code()).or_insert((book.currency, Figures::default(), 0, 0));
        slot.1.add(figures);
        slot.2 += deferred;
        slot.3 += unbilled;
        contracts.push(report);
    }
    contracts.sort_by(|a, b| a.contract.cmp(&b.contract));
    let totals = totals
        .into_values()
        .map(|(c, f, deferred, unbilled)| ScheduleTotals {
            currency: c,
            total: format(f.total, c),
            recognized: format(f.recognized, c),
            remaining: format(f.total - f.recognized, c),
            billed: format(f.billed, c),
            credited: format(f.credited, c),
            deferred: format(deferred, c),
            unbilled: format(unbilled, c),
        })
        .collect();
    SchedulesReport { as_of, contracts, totals }
}

pub(super) fn waterfall(schedules: &RevenueSchedules, as_of: NaiveDate, from: YearMonth, to: YearMonth) -> Waterfall {
    let mut months = Vec::new();
    let mut month = from;
    while month <= to {
        months.push(month);
        month = month.next();
    }
    let recognized_through = months.iter().rev().find(|m| m.last_day() <= as_of).copied();
    let mut rows = Vec::new();
    let mut totals: BTreeMap<&'static str, (Currency, Vec<i128>)> = BTreeMap::new();
    for (_, id, book) in schedules.books() {
        if !visible(book, as_of) {
            continue;
        }
        let mut amounts = vec![0i128; months.len()];
        let mut any = false;
        for (_, e) in book.entries() {
            let m = YearMonth::of(e.period_end);
            if (from..=to).contains(&m) {
                amounts[from.months_until(m) as usize] += i128::from(e.amount_minor);
                any = true;
            }
        }
        if !any {
            continue;
        }
        let c = book.currency;
        let sums = &mut totals.entry(c.code()).or_insert_with(|| (c, vec![0; months.len()])).1;
        sums.iter_mut().zip(&amounts).for_each(|(s, a)| *s += a);
        rows.push(row(Some(id.to_owned()), c, &amounts));
    }
    rows.sort_by(|a, b| a.contract.cmp(&b.contract));
    let totals = totals.into_values().map(|(c, amounts)| row(None, c, &amounts)).collect();
    Waterfall { as_of, months, recognized_through, rows, totals }
}

fn row(contract: Option<String>, currency: Currency, amounts: &[i128]) -> WaterfallRow {
    WaterfallRow {
        contract,
        currency,
        amounts: amounts.iter().map(|&a| format(a, currency)).collect(),
        total: format(amounts.iter().sum(), currency),
    }
}

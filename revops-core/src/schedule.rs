//! Recognition schedules: the entries that say how much revenue is
//! recognized when, and the queries over them.

use chrono::NaiveDate;

use crate::calendar::YearMonth;
use crate::{Currency, Decimal, Error, Money};

/// Why a schedule entry exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[repr(u8)]
pub enum EntryKind {
    /// Revenue earned in the period by the line's method.
    Recognition,
    /// The cumulative catch-up of a contract modification, booked on its
    /// effective date.
    CatchUp,
    /// The unrecognized remainder of a prospective modification that has no
    /// service period left to spread over, booked on its effective date.
    Remainder,
}

/// One entry of a recognition schedule, in the contract's minor units.
///
/// The entry is recognized as of `period_end`: a month's amount as of that
/// month's last day (or the service end, if earlier), a point event on its
/// date (`period_start == period_end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScheduleLine {
    /// First day the entry covers.
    pub period_start: NaiveDate,
    /// Last day the entry covers; the date it is recognized on.
    pub period_end: NaiveDate,
    /// Amount in minor units of the schedule's currency.
    pub amount_minor: i64,
    /// Index of the contract line (see [`RevenueSchedule::line_ids`]).
    pub line: u32,
    /// Why the entry exists.
    pub kind: EntryKind,
}

// The hot path writes millions of these: keep them at 24 bytes.
const _: () = assert!(core::mem::size_of::<ScheduleLine>() == 24);

/// The recognition schedule of one contract: every line's entries and what
/// each line will recognize in total.
///
/// Entries are grouped by line, in line order, and each line's entries are
/// in date order. A schedule can be refilled in place by
/// [`crate::recognition::Recognizer::schedule_into`], reusing its buffers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevenueSchedule {
    pub(crate) currency: Currency,
    pub(crate) line_ids: Vec<String>,
    pub(crate) line_totals: Vec<i64>,
    /// Changes of line totals by modifications: (effective date, line, delta).
    pub(crate) total_changes: Vec<(NaiveDate, u32, i64)>,
    pub(crate) entries: Vec<ScheduleLine>,
}

impl RevenueSchedule {
    /// An empty schedule in `currency`, to be filled by a
    /// [`crate::recognition::Recognizer`].
    pub fn new(currency: Currency) -> Self {
        RevenueSchedule {
            currency,
            line_ids: Vec::new(),
            line_totals: Vec::new(),
            total_changes: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Empties the schedule for refilling. Line ids are kept for reuse: the
    /// recognizer overwrites and truncates them.
    pub(crate) fn clear(&mut self, currency: Currency) {
        self.currency = currency;
        self.line_totals.clear();
        self.total_changes.clear();
        self.entries.clear();
    }

    /// The schedule's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The line ids, indexed by [`ScheduleLine::line`]: the contract's lines,
    /// then lines added by modifications.
    pub fn line_ids(&self) -> &[String] {
        &self.line_ids
    }

    /// Every entry.
    pub fn entries(&self) -> &[ScheduleLine] {
        &self.entries
    }

    /// The entries of the line at `index`.
    pub fn line_entries(&self, index: usize) -> impl Iterator<Item = &ScheduleLine> {
        self.entries.iter().filter(move |e| e.line as usize == index)
    }

    /// The index of the line with id `line`.
    pub fn line_index(&self, line: &str) -> Result<usize, Error> {
        self.line_ids.iter().position(|l| l == line).ok_or_else(|| Error::UnknownLine { line: line.into() })
    }

    /// Sums are taken in `i128`: a schedule's entries may sum past `i64` on
    /// the way even when every total fits.
    fn money(&self, minor: i128) -> Money {
        Money::new(Decimal::from_i128_with_scale(minor, self.currency.minor_units()), self.currency)
    }

    /// What the contract will recognize in total: allocated fixed prices plus
    /// the variable consideration known so far.
    pub fn total(&self) -> Money {
        self.money(self.line_totals.iter().map(|&t| i128::from(t)).sum())
    }

    /// What line `index` will recognize in total.
    pub fn line_total(&self, index: usize) -> Money {
        self.money(i128::from(self.line_totals[index]))
    }

    fn recognized_minor(&self, date: NaiveDate, line: Option<usize>) -> i128 {
        self.entries
            .iter()
            .filter(|e| e.period_end <= date && line.is_none_or(|l| e.line as usize == l))
            .map(|e| i128::from(e.amount_minor))
            .sum()
    }

    /// Revenue recognized as of `date`: every entry whose period ends on or
    /// before it.
    pub fn recognized_as_of(&self, date: NaiveDate) -> Money {
        self.money(self.recognized_minor(date, None))
    }

    /// Revenue of line `index` recognized as of `date`.
    pub fn line_recognized_as_of(&self, index: usize, date: NaiveDate) -> Money {
        self.money(self.recognized_minor(date, Some(index)))
    }

    /// Total changes by modifications effective after `date` (on `line`, or on
    /// every line when `None`): they are not in force yet.
    fn later_changes(&self, date: NaiveDate, line: Option<usize>) -> i128 {
        self.total_changes
            .iter()
            .filter(|&&(on, l, _)| on > date && line.is_none_or(|i| l as usize == i))
            .map(|&(_, _, delta)| i128::from(delta))
            .sum()
    }

    fn total_minor(&self) -> i128 {
        self.line_totals.iter().map(|&t| i128::from(t)).sum()
    }

    /// What the contract recognizes in total under the terms in force on
    /// `date`: modifications effective later are left out.
    pub fn total_as_of(&self, date: NaiveDate) -> Money {
        self.money(self.total_minor() - self.later_changes(date, None))
    }

    /// What line `index` recognizes in total under the terms in force on
    /// `date`.
    pub fn line_total_as_of(&self, index: usize, date: NaiveDate) -> Money {
        self.money(i128::from(self.line_totals[index]) - self.later_changes(date, Some(index)))
    }

    /// What remains to be recognized as of `date`: the total under the terms
    /// in force on `date`, less what is recognized. (The ledger's
    /// deferred-revenue balance also depends on what was billed; that is the
    /// projections' business.)
    pub fn deferred_as_of(&self, date: NaiveDate) -> Money {
        self.money(self.total_minor() - self.later_changes(date, None) - self.recognized_minor(date, None))
    }

    /// What remains to be recognized on line `index` as of `date`.
    pub fn line_deferred_as_of(&self, index: usize, date: NaiveDate) -> Money {
        self.money(
            i128::from(self.line_totals[index])
                - self.later_changes(date, Some(index))
                - self.recognized_minor(date, Some(index)),
        )
    }

    /// The waterfall: revenue per calendar month of recognition, in month
    /// order, months without entries left out.
    pub fn by_month(&self) -> Vec<(YearMonth, Money)> {
        let mut months: Vec<(YearMonth, i128)> = Vec::new();
        for e in &self.entries {
            let month = YearMonth::of(e.period_end);
            match months.binary_search_by(|(m, _)| m.cmp(&month)) {
                Ok(i) => months[i].1 += i128::from(e.amount_minor),
                Err(i) => months.insert(i, (month, i128::from(e.amount_minor))),
            }
        }
        months.into_iter().map(|(m, a)| (m, self.money(a))).collect()
    }
}

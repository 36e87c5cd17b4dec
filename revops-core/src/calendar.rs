//! Calendar months, inclusive date ranges and end-of-month-safe month
//! arithmetic.
//!
//! Contracts write service periods inclusively ("2026-01-15 to 2027-01-14");
//! [`DateRange`] keeps that form at its edges and counts days half-open,
//! `[start, end + 1 day)`, inside.

use core::fmt;
use core::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};

use crate::Error;

/// True for Gregorian leap years.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1–12) of `year`.
pub const fn days_in_month(year: i32, month: u32) -> u32 {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if month == 2 && is_leap_year(year) {
        29
    } else {
        DAYS[(month - 1) as usize]
    }
}

/// `date` plus `months` calendar months, clamped to the end of the target
/// month: Jan 31 + 1 month is Feb 28 (29 in leap years). Negative `months`
/// go back.
pub fn add_months(date: NaiveDate, months: i32) -> Result<NaiveDate, Error> {
    let shifted = if months >= 0 {
        date.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    shifted.ok_or(Error::DateOutOfRange)
}

/// A calendar month, e.g. 2026-01. Orders chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// The month `month` (1–12) of `year` (1–9999).
    pub fn new(year: i32, month: u32) -> Result<Self, Error> {
        if !(1..=12).contains(&month) || !(1..=9999).contains(&year) {
            return Err(Error::DateOutOfRange);
        }
        Ok(YearMonth { year, month })
    }

    /// The month that contains `date`.
    pub fn of(date: NaiveDate) -> Self {
        YearMonth { year: date.year(), month: date.month() }
    }

    /// The year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    pub const fn month(self) -> u32 {
        self.month
    }

    /// Number of days in the month.
    pub const fn days(self) -> u32 {
        days_in_month(self.year, self.month)
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("YearMonth is always a valid month")
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, self.days()).expect("YearMonth is always a valid month")
    }

    /// The month after this one.
    pub const fn next(self) -> Self {
        if self.month == 12 {
            YearMonth { year: self.year + 1, month: 1 }
        } else {
            YearMonth { year: self.year, month: self.month + 1 }
        }
    }

    /// This month plus `months` (negative goes back).
    pub fn plus(self, months: i32) -> Result<Self, Error> {
        YearMonth::from_index(self.index() + i64::from(months))
    }

    /// Months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i64 {
        later.index() - self.index()
    }

    /// Months since year 0: consecutive months have consecutive indices.
    pub(crate) fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    /// The month with `index` (see [`YearMonth::index`]).
    pub(crate) fn from_index(index: i64) -> Result<Self, Error> {
        let year = i32::try_from(index.div_euclid(12)).map_err(|_| Error::DateOutOfRange)?;
        YearMonth::new(year, index.rem_euclid(12) as u32 + 1)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidMonth { text: text.into() };
        let (y, m) = text.split_once('-').ok_or_else(invalid)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(invalid());
        }
        let year = y.parse().map_err(|_| invalid())?;
        let month = m.parse().map_err(|_| invalid())?;
        YearMonth::new(year, month).map_err(|_| invalid())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An inclusive range of business dates, `start ..= end`, with `end >= start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// The range `start ..= end`; an end before the start is
    /// [`Error::EndBeforeStart`].
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, Error> {
        if end < start {
            return Err(Error::EndBeforeStart { start, end });
        }
        Ok(DateRange { start, end })
    }

    /// First day, inclusive.
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last day, inclusive.
    pub const fn end(&self) -> NaiveDate {
        self.end
    }

    /// Days in the range, counted half-open: `[start, end + 1)`.
    pub fn days(&self) -> u32 {
        (self.end - self.start).num_days() as u32 + 1
    }

    /// True when `date` lies in the range.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The calendar months the range touches, each cut to the range.
    pub fn months(&self) -> MonthSlices {
        MonthSlices { next: self.start, end: self.end, done: false }
    }
}

/// The part of one calendar month inside a [`DateRange`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MonthSlice {
    /// The calendar month.
    pub month: YearMonth,
    /// First covered day.
    pub start: NaiveDate,
    /// Last covered day.
    pub end: NaiveDate,
}

impl MonthSlice {
    /// Days covered in this month.
    pub fn days_covered(&self) -> u32 {
        self.end.day() - self.start.day() + 1
    }

    /// True when the slice covers the whole month.
    pub fn is_full_month(&self) -> bool {
        self.days_covered() == self.month.days()
    }
}

/// Iterator over the [`MonthSlice`]s of a [`DateRange`].
#[derive(Clone, Debug)]
pub struct MonthSlices {
    next: NaiveDate,
    end: NaiveDate,
    done: bool,
}

impl Iterator for MonthSlices {
    type Item = MonthSlice;

    fn next(&mut self) -> Option<MonthSlice> {
        if self.done {
            return None;
        }
        let month = YearMonth::of(self.next);
        let month_end = month.last_day();
        let slice = MonthSlice { month, start: self.next, end: month_end.min(self.end) };
        if month_end >= self.end {
            self.done = true;
        } else {
            self.next = month.next().first_day();
        }
        Some(slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_arithmetic_is_end_of_month_safe() {
        assert_eq!(add_months(d("2026-01-31"), 1), Ok(d("2026-02-28")));
        assert_eq!(add_months(d("2028-01-31"), 1), Ok(d("2028-02-29")));
        assert_eq!(add_months(d("2026-03-31"), -1), Ok(d("2026-02-28")));
        assert_eq!(add_months(d("2026-01-15"), 12), Ok(d("2027-01-15")));
        assert_eq!(add_months(d("2026-08-31"), 3), Ok(d("2026-11-30")));
        assert_eq!(add_months(NaiveDate::MAX, 1), Err(Error::DateOutOfRange));
    }

    #[test]
    fn days_in_month_and_leap_years() {
        assert_eq!(days_in_month(2026, 2), 28);
        assert_eq!(days_in_month(2028, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2026, 4), 30);
        assert_eq!(days_in_month(2026, 12), 31);
    }

    #[test]
    fn year_month_parse_display_and_step() {
        let m: YearMonth = "2026-12".parse().unwrap();
        assert_eq!(m.to_string(), "2026-12");
        assert_eq!(m.next().to_string(), "2027-01");
        assert_eq!(m.plus(-12).unwrap().to_string(), "2025-12");
        assert_eq!(m.plus(14).unwrap().to_string(), "2028-02");
        assert_eq!(m.months_until("2027-03".parse().unwrap()), 3);
        assert_eq!(m.first_day(), d("2026-12-01"));
        assert_eq!(m.last_day(), d("2026-12-31"));
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", "2026-00"] {
            assert_eq!(bad.parse::<YearMonth>(), Err(Error::InvalidMonth { text: bad.into() }));
        }
    }

    #[test]
    fn date_range_counts_days_half_open() {
        let r = DateRange::new(d("2026-01-15"), d("2027-01-14")).unwrap();
        assert_eq!(r.days(), 365);
        assert_eq!(DateRange::new(d("2026-01-15"), d("2026-01-15")).unwrap().days(), 1);
        assert_eq!(
            DateRange::new(d("2026-01-15"), d("2026-01-14")),
            Err(Error::EndBeforeStart { start: d("2026-01-15"), end: d("2026-01-14") })
        );
    }

    #[test]
    fn month_slices_cover_the_range_exactly() {
        let r = DateRange::new(d("2026-01-15"), d("2027-01-14")).unwrap();
        let slices: Vec<MonthSlice> = r.months().collect();
        assert_eq!(slices.len(), 13);
        assert_eq!(slices[0].start, d("2026-01-15"));
        assert_eq!(slices[0].end, d("2026-01-31"));
        assert_eq!(slices[0].days_covered(), 17);
        assert!(!slices[0].is_full_month());
        assert!(slices[1].is_full_month());
        assert_eq!(slices[12].start, d("2027-01-01"));
        assert_eq!(slices[12].end, d("2027-01-14"));
        assert_eq!(slices[12].days_covered(), 14);
        assert_eq!(slices.iter().map(MonthSlice::days_covered).sum::<u32>(), r.days());
        let one: Vec<MonthSlice> = DateRange::new(d("2026-02-03"), d("2026-02-05")).unwrap().months().collect();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].days_covered(), 3);
    }
}

//! The hot path: a ratable line's monthly schedule, in integer minor units.
//!
//! Every month's weight is an integer: under the monthly basis a full month
//! weighs [`MONTH_UNITS`] and a partial month `days × MONTH_UNITS / days in
//! month`, exact because `MONTH_UNITS` is a multiple of 28, 29, 30 and 31;
//! under the daily basis a month weighs the days it covers. The cumulative
//! rounding of [`crate::rounding::spread`] then runs on precomputed
//! increments, so a month costs additions and a comparison, no division and
//! no allocation beyond the caller's buffer.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use crate::calendar::{days_in_month, DateRange, YearMonth};
use crate::rounding::{check_total, Cumulator, Increment, SpreadRule, MAX_PARTS};
use crate::schedule::{EntryKind, ScheduleLine};
use crate::terms::RatableBasis;
use crate::Error;

/// The weight of a full month under the monthly basis: lcm(28, 29, 30, 31).
pub const MONTH_UNITS: u64 = 377_580;

const _: () = assert!(MONTH_UNITS % 28 == 0 && MONTH_UNITS % 29 == 0 && MONTH_UNITS % 30 == 0);
const _: () = assert!(MONTH_UNITS % 31 == 0);

#[inline(always)]
fn weight(basis: RatableBasis, days: u32, days_in_month: u32) -> u64 {
    match basis {
        RatableBasis::Monthly => u64::from(days) * (MONTH_UNITS / u64::from(days_in_month)),
        RatableBasis::Daily => u64::from(days),
    }
}

fn total_units(period: DateRange, basis: RatableBasis, months: usize) -> u64 {
    let (start, end) = (period.start(), period.end());
    match basis {
        RatableBasis::Daily => u64::from(period.days()),
        RatableBasis::Monthly if months == 1 => {
            weight(basis, period.days(), days_in_month(start.year(), start.month()))
        }
        RatableBasis::Monthly => {
            let first_dim = days_in_month(start.year(), start.month());
            let first = weight(basis, first_dim - start.day() + 1, first_dim);
            let last = weight(basis, end.day(), days_in_month(end.year(), end.month()));
            first + last + (months as u64 - 2) * MONTH_UNITS
        }
    }
}

/// Appends the schedule of a ratable line to `out`: `total_minor` spread over
/// the calendar months of `period` by `basis` and `rule`, one entry per month
/// (cut to the period), all tagged with `line`.
///
/// Allocates nothing once `out` has capacity for the months.
///
/// ```
/// use revops_core::{calendar::DateRange, ratable::ratable_into, rounding::SpreadRule};
/// use revops_core::terms::RatableBasis;
/// let period = DateRange::new("2026-01-01".parse()?, "2026-12-31".parse()?)?;
/// let mut out = Vec::new();
/// ratable_into(100_000, period, RatableBasis::Monthly, SpreadRule::default(), 0, &mut out)?;
/// assert_eq!(out.len(), 12);
/// assert_eq!(out[1].amount_minor, 8_334);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ratable_into(
    total_minor: i64,
    period: DateRange,
    basis: RatableBasis,
    rule: SpreadRule,
    line: u32,
    out: &mut Vec<ScheduleLine>,
) -> Result<(), Error> {
    check_total(total_minor)?;
    let (start, end) = (period.start(), period.end());
    let months = YearMonth::of(start).months_until(YearMonth::of(end)) as usize + 1;
    if months > MAX_PARTS {
        return Err(Error::TooManyParts { count: months, limit: MAX_PARTS });
    }
    let units = total_units(period, basis, months);
    let magnitude = total_minor.unsigned_abs();
    let sign: i64 = if total_minor < 0 { -1 } else { 1 };
    let mut emitter =
        Emitter { cumulator: Cumulator::new(magnitude, units), rule, sign, line, magnitude, units_left: units };
    // Full months come in four lengths: their increments are computed once.
    let mut full = [(Increment::ZERO, 0u64); 4];
    for (dim, slot) in (28u32..=31).zip(full.iter_mut()) {
        let w = weight(basis, dim, dim);
        *slot = (emitter.cumulator.increment(w), w);
    }

    let bounds = MonthBounds::get();
    out.reserve(months);
    let first_index = YearMonth::of(start).index();
    let last_index = YearMonth::of(end).index();
    for index in first_index..=last_index {
        let month = bounds.month(index)?;
        let edge = index == first_index || index == last_index;
        if !edge {
            // A whole month inside the period: the common case.
            let (inc, w) = full[(month.days - 28) as usize];
            emitter.emit(month.first, month.last, w, inc, out);
            continue;
        }
        let seg_start = if index == first_index { start } else { month.first };
        let seg_end = if index == last_index { end } else { month.last };
        let days = seg_end.day() - seg_start.day() + 1;
        let (inc, w) = if days == month.days {
            full[(month.days - 28) as usize]
        } else {
            let w = weight(basis, days, month.days);
            (emitter.cumulator.increment(w), w)
        };
        emitter.emit(seg_start, seg_end, w, inc, out);
    }
    assert_eq!(emitter.units_left, 0, "ratable schedule must use every unit of its period");
    Ok(())
}

/// One calendar month's first and last day and its length.
#[derive(Clone, Copy, Debug)]
struct MonthSpan {
    first: NaiveDate,
    last: NaiveDate,
    days: u32,
}

impl MonthSpan {
    fn of(index: i64) -> Result<MonthSpan, Error> {
        let month = YearMonth::from_index(index)?;
        Ok(MonthSpan { first: month.first_day(), last: month.last_day(), days: month.days() })
    }
}

/// The [`MonthSpan`]s of years [`MonthBounds::FIRST_YEAR`] to
/// [`MonthBounds::LAST_YEAR`], built once: constructing `NaiveDate`s from
/// year, month and day was a third of the hot loop's time.
struct MonthBounds {
    spans: Vec<MonthSpan>,
}

impl MonthBounds {
    const FIRST_YEAR: i32 = 1900;
    const LAST_YEAR: i32 = 2199;

    fn get() -> &'static MonthBounds {
        static BOUNDS: OnceLock<MonthBounds> = OnceLock::new();
        BOUNDS.get_or_init(|| {
            let first = i64::from(Self::FIRST_YEAR) * 12;
            let last = i64::from(Self::LAST_YEAR) * 12 + 11;
            let spans = (first..=last).map(|i| MonthSpan::of(i).expect("years 1900-2199 are valid")).collect();
            MonthBounds { spans }
        })
    }

    /// The span of the month with `index` (see [`YearMonth::index`]).
    #[inline(always)]
    fn month(&self, index: i64) -> Result<MonthSpan, Error> {
        let offset = index - i64::from(Self::FIRST_YEAR) * 12;
        match usize::try_from(offset).ok().and_then(|i| self.spans.get(i)) {
            Some(&span) => Ok(span),
            None => MonthSpan::of(index),
        }
    }
}

/// Turns weighted periods into entries under one [`SpreadRule`].
struct Emitter {
    cumulator: Cumulator,
    rule: SpreadRule,
    sign: i64,
    line: u32,
    magnitude: u64,
    units_left: u64,
}

impl Emitter {
    #[inline(always)]
    fn emit(
        &mut self,
        period_start: NaiveDate,
        period_end: NaiveDate,
        units: u64,
        inc: Increment,
        out: &mut Vec<ScheduleLine>,
    ) {
        self.units_left -= units;
        let part = match self.rule {
            SpreadRule::Cumulative(mode) => self.cumulator.step(inc, mode),
            SpreadRule::RemainderLast if self.units_left == 0 => {
                let rest = self.magnitude - self.cumulator.emitted();
                self.cumulator.record(rest);
                rest
            }
            SpreadRule::RemainderLast => {
                self.cumulator.record(inc.quotient());
                inc.quotient()
            }
        };
        out.push(ScheduleLine {
            period_start,
            period_end,
            amount_minor: self.sign * part as i64,
            line: self.line,
            kind: EntryKind::Recognition,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn run(total: i64, start: &str, end: &str, basis: RatableBasis, rule: SpreadRule) -> Vec<ScheduleLine> {
        let mut out = Vec::new();
        ratable_into(total, DateRange::new(d(start), d(end)).unwrap(), basis, rule, 7, &mut out).unwrap();
        out
    }

    #[test]
    fn full_calendar_year_monthly_is_equal_months() {
        let out = run(1_200_000, "2026-01-01", "2026-12-31", RatableBasis::Monthly, SpreadRule::default());
        assert_eq!(out.len(), 12);
        assert!(out.iter().all(|e| e.amount_minor == 100_000 && e.line == 7));
        assert_eq!(out[1].period_start, d("2026-02-01"));
        assert_eq!(out[1].period_end, d("2026-02-28"));
    }

    #[test]
    fn remainder_last_truncates_then_settles() {
        let out = run(100_000, "2026-01-01", "2026-12-31", RatableBasis::Monthly, SpreadRule::RemainderLast);
        assert!(out[..11].iter().all(|e| e.amount_minor == 8_333));
        assert_eq!(out[11].amount_minor, 8_337);
    }

    #[test]
    fn single_day_and_single_month() {
        let out = run(-5_000, "2026-03-10", "2026-03-10", RatableBasis::Daily, SpreadRule::default());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].amount_minor, -5_000);
        assert_eq!(out[0].period_start, out[0].period_end);
    }
}

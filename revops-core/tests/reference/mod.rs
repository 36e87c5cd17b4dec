//! A small, obviously-correct reference model of the rounding primitives and
//! of ratable schedules, for checking the production code against.
//!
//! Everything here is plain `rust_decimal` arithmetic on whole minor units,
//! written for clarity, not speed: no precomputed increments, no `u64`/`u128`
//! tricks, no shared code with `revops_core` beyond its plain enums and
//! `NaiveDate`. Exactness comes from three facts about `Decimal`: addition,
//! multiplication and `%` of integers are exact, and `(n - n % d) / d` is an
//! exact integer quotient. Fractional month weights (days / days in month)
//! are never divided out: they are put over a common denominator first.

// Each test binary that includes this module uses a different part of it.
#![allow(dead_code)]

use chrono::{Datelike, Months, NaiveDate};
use revops_core::rounding::{RoundingMode, SpreadRule};
use revops_core::terms::RatableBasis;
use rust_decimal::{Decimal, RoundingStrategy};

/// `10^minor_units` as a Decimal.
fn unit(minor_units: u32) -> Decimal {
    Decimal::from(10i64.pow(minor_units))
}

/// A money amount in whole minor units (panics if it is not whole).
pub fn to_minor(amount: Decimal, minor_units: u32) -> Decimal {
    let minor = amount * unit(minor_units);
    assert!(minor.fract().is_zero(), "{amount} is not a whole number of minor units");
    minor.trunc()
}

/// Whole minor units back to a money amount with the currency's places.
pub fn from_minor(minor: Decimal, minor_units: u32) -> Decimal {
    assert!(minor.fract().is_zero());
    let mut amount = minor / unit(minor_units);
    amount.rescale(minor_units);
    amount
}

/// The exact integer quotient and remainder of `n / d` (`d > 0`), truncated
/// toward zero: `n = q × d + r`, `|r| < d`, `r` has the sign of `n`.
fn div_rem(n: Decimal, d: Decimal) -> (Decimal, Decimal) {
    assert!(d > Decimal::ZERO);
    let r = n % d;
    let q = (n - r) / d;
    assert!(q.fract().is_zero() && q * d + r == n, "inexact division {n} / {d}");
    (q, r)
}

/// `n / d` rounded to an integer with `mode`, for `d > 0` and any sign of `n`.
///
/// Only an exact half needs a rounding strategy; it is handed to
/// rust_decimal's own `RoundingStrategy` on the exactly representable value
/// `q ± 0.5`.
pub fn round_div(n: Decimal, d: Decimal, mode: RoundingMode) -> Decimal {
    let (q, r) = div_rem(n, d);
    let twice = r.abs() * Decimal::TWO;
    let sign = if n.is_sign_negative() { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
    if twice < d {
        q
    } else if twice > d {
        q + sign
    } else {
        let strategy = match mode {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        };
        (q + sign * Decimal::new(5, 1)).round_dp_with_strategy(0, strategy)
    }
}

/// Splits `total` across parallel parts in proportion to `weights`: each
/// part rounded down (toward zero) to the minor unit, the leftover units
/// handed out one each by largest remainder, ties to the later part. A
/// negative total is split as its magnitude and negated.
pub fn ref_allocate(total: Decimal, minor_units: u32, weights: &[Decimal]) -> Vec<Decimal> {
    let minor = to_minor(total, minor_units);
    let magnitude = minor.abs();
    let sum: Decimal = weights.iter().sum();
    assert!(sum > Decimal::ZERO, "weights must not all be zero");

    let mut parts = Vec::new();
    let mut remainders = Vec::new();
    for &w in weights {
        assert!(!w.is_sign_negative() || w.is_zero(), "negative weight");
        let (q, r) = div_rem(magnitude * w, sum);
        parts.push(q);
        remainders.push(r);
    }
    let leftover = magnitude - parts.iter().sum::<Decimal>();
    // Largest remainder first; on equal remainders the later part first.
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(b.cmp(&a)));
    let mut given = Decimal::ZERO;
    for &i in &order {
        if given == leftover {
            break;
        }
        parts[i] += Decimal::ONE;
        given += Decimal::ONE;
    }
    assert_eq!(given, leftover, "fewer parts than leftover units");
    let sign = if minor.is_sign_negative() { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
    parts.into_iter().map(|p| from_minor(sign * p, minor_units)).collect()
}

/// Splits `total` over consecutive periods weighted by `weights` (any
/// non-negative decimals, not all zero).
///
/// - `Cumulative(mode)`: recognized-to-date after period k is
///   `round(total × (w_1 + … + w_k) / W)`; period k is the difference.
/// - `RemainderLast`: each period is `total × w_k / W` truncated toward zero,
///   the last period takes whatever is left.
pub fn ref_spread(total: Decimal, minor_units: u32, weights: &[Decimal], rule: SpreadRule) -> Vec<Decimal> {
    let minor = to_minor(total, minor_units);
    let sum: Decimal = weights.iter().sum();
    assert!(sum > Decimal::ZERO, "weights must not all be zero");
    let mut parts = Vec::new();
    match rule {
        SpreadRule::Cumulative(mode) => {
            let mut through = Decimal::ZERO;
            let mut previous = Decimal::ZERO;
            for &w in weights {
                through += w;
                let to_date = round_div(minor * through, sum, mode);
                parts.push(to_date - previous);
                previous = to_date;
            }
            assert_eq!(previous, minor);
        }
        SpreadRule::RemainderLast => {
            for &w in &weights[..weights.len() - 1] {
                parts.push(div_rem(minor * w, sum).0);
            }
            let so_far: Decimal = parts.iter().sum();
            parts.push(minor - so_far);
        }
    }
    parts.into_iter().map(|p| from_minor(p, minor_units)).collect()
}

/// Exact recognized-to-date figure `round(total × through / W)` of a
/// cumulative spread, in money.
pub fn ref_to_date(total: Decimal, minor_units: u32, through: Decimal, sum: Decimal, mode: RoundingMode) -> Decimal {
    let minor = to_minor(total, minor_units);
    from_minor(round_div(minor * through, sum, mode), minor_units)
}

/// One period of a reference ratable schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefEntry {
    /// First day covered.
    pub start: NaiveDate,
    /// Last day covered (the date it is recognized on).
    pub end: NaiveDate,
    /// Amount in money, with the currency's places.
    pub amount: Decimal,
}

/// The first day of the calendar month that contains `date`.
pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap()
}

/// The first day of the month after the one containing `date`.
fn next_month_start(date: NaiveDate) -> NaiveDate {
    first_of_month(date).checked_add_months(Months::new(1)).unwrap()
}

/// Days in the calendar month that contains `date`, counted with chrono.
pub fn days_in_month_of(date: NaiveDate) -> i64 {
    (next_month_start(date) - first_of_month(date)).num_days()
}

/// Days from `start` to `end` inclusive.
pub fn days_inclusive(start: NaiveDate, end: NaiveDate) -> i64 {
    (end - start).num_days() + 1
}

/// The periods of a ratable schedule over `start ..= end`: one per calendar
/// month, cut to the range.
pub fn ref_periods(start: NaiveDate, end: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut periods = Vec::new();
    let mut from = start;
    while from <= end {
        let month_end = next_month_start(from).pred_opt().unwrap();
        let to = month_end.min(end);
        periods.push((from, to));
        from = to.succ_opt().unwrap();
    }
    periods
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The weight of each period as an exact integer.
///
/// Daily basis: the days covered. Monthly basis: days covered / days in the
/// month, i.e. 1 for a full month, brought over the least common multiple
/// of the month lengths that occur, so that every weight is a whole number.
pub fn ref_weights(periods: &[(NaiveDate, NaiveDate)], basis: RatableBasis) -> Vec<Decimal> {
    match basis {
        RatableBasis::Daily => periods.iter().map(|&(s, e)| Decimal::from(days_inclusive(s, e))).collect(),
        RatableBasis::Monthly => {
            let lcm = periods.iter().map(|&(s, _)| days_in_month_of(s)).fold(1, |l, m| l / gcd(l, m) * m);
            periods.iter().map(|&(s, e)| Decimal::from(days_inclusive(s, e) * (lcm / days_in_month_of(s)))).collect()
        }
    }
}

/// The ratable schedule of `total` over `start ..= end`, month by month.
pub fn ref_ratable(
    total: Decimal,
    minor_units: u32,
    start: NaiveDate,
    end: NaiveDate,
    basis: RatableBasis,
    rule: SpreadRule,
) -> Vec<RefEntry> {
    let periods = ref_periods(start, end);
    let weights = ref_weights(&periods, basis);
    let amounts = ref_spread(total, minor_units, &weights, rule);
    periods.into_iter().zip(amounts).map(|((start, end), amount)| RefEntry { start, end, amount }).collect()
}

#[cfg(test)]
mod self_checks {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn round_div_agrees_with_rust_decimal_on_small_fractions() {
        for mode in [RoundingMode::HalfUp, RoundingMode::HalfEven] {
            let strategy = match mode {
                RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
                RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            };
            for n in -50i64..=50 {
                for den in 1i64..=8 {
                    let exact = (Decimal::from(n) / Decimal::from(den)).round_dp_with_strategy(0, strategy);
                    assert_eq!(round_div(Decimal::from(n), Decimal::from(den), mode), exact, "{n}/{den}");
                }
            }
        }
    }

    #[test]
    fn design_examples() {
        let parts = ref_allocate(dec("100.00"), 2, &[dec("50"), dec("25"), dec("75")]);
        assert_eq!(parts, [dec("33.33"), dec("16.67"), dec("50.00")]);
        let parts = ref_allocate(dec("0.02"), 2, &[Decimal::ONE; 3]);
        assert_eq!(parts, [dec("0.00"), dec("0.01"), dec("0.01")]);
        let months = ref_spread(dec("1000.00"), 2, &[Decimal::ONE; 12], SpreadRule::default());
        let expected: Vec<Decimal> = (1..=12).map(|m| if m % 3 == 2 { dec("83.34") } else { dec("83.33") }).collect();
        assert_eq!(months, expected);
        let jan15 = ref_ratable(
            dec("12000.00"),
            2,
            d("2026-01-15"),
            d("2027-01-14"),
            RatableBasis::Monthly,
            SpreadRule::default(),
        );
        assert_eq!(jan15[0].amount, dec("548.39"));
        assert_eq!(jan15[12].amount, dec("451.61"));
    }
}

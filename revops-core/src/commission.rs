//! Commission math as pure functions: marginal tiers by quota attainment,
//! payout dates and clawback windows.
//!
//! A plan's tiers cut the rep's credited amount into attainment bands; each
//! part of a booking is paid at the rate of the band it falls into, so
//! crossing a threshold never re-rates what was already earned below it.
//!
//! ```
//! use revops_core::commission::{CommissionBasis, CommissionPlan, CommissionTier};
//! use revops_core::{rounding::RoundingMode, Currency, Decimal, Money};
//!
//! let usd = |s: &str| Money::parse(s, Currency::USD);
//! let plan = CommissionPlan::new(
//!     "ae-2026",
//!     usd("100000.00")?,
//!     CommissionBasis::Booking,
//!     vec![
//!         CommissionTier::new(Decimal::ZERO, Decimal::new(10, 2)),
//!         CommissionTier::new(Decimal::ONE, Decimal::new(15, 2)),
//!     ],
//!     3,
//!     15,
//! )?;
//! let earned = plan.commission_on(usd("30000.00")?, usd("80000.00")?, RoundingMode::HalfUp)?;
//! assert_eq!(earned.total.to_string(), "3500.00 USD");
//! # Ok::<(), revops_core::Error>(())
//! ```

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::calendar::add_months;
use crate::rounding::{extend, RoundingMode};
use crate::{Currency, Error, Money};

/// The latest day of the month a plan may pay out on. Every month, February
/// of a common year included, has a 28th, so a payout date never has to be
/// clamped and payouts stay evenly spaced.
pub const MAX_PAYOUT_DAY: u32 = 28;

/// What a rep is credited for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CommissionBasis {
    /// Contract value when the contract is signed.
    Booking,
    /// Cash when the customer pays.
    Collection,
}

/// One attainment band of a plan: from `from_attainment` up to the next
/// tier's threshold, credited amounts earn `rate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CommissionTier {
    /// Where the band starts, as a fraction of quota: `1.0` is 100 %.
    #[cfg_attr(feature = "serde", serde(with = "rust_decimal::serde::str"))]
    pub from_attainment: Decimal,
    /// The commission rate in the band as a fraction: `0.10` is 10 %.
    #[cfg_attr(feature = "serde", serde(with = "rust_decimal::serde::str"))]
    pub rate: Decimal,
}

impl CommissionTier {
    /// A band starting at `from_attainment` (fraction of quota) paying `rate`.
    pub const fn new(from_attainment: Decimal, rate: Decimal) -> Self {
        CommissionTier { from_attainment, rate }
    }
}

/// A commission plan as the `commission_plan_defined` event carries it.
///
/// The fields are public so the plan can be read from the log as is; every
/// calculation re-checks [`CommissionPlan::validate`], so a plan that breaks
/// a rule is refused rather than half-applied.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CommissionPlan {
    /// The plan id.
    pub plan: String,
    /// The credited amount that is 100 % attainment; fixes the plan currency.
    pub quota: Money,
    /// What the rep is credited for.
    pub basis: CommissionBasis,
    /// The attainment bands, starting at 0 and strictly increasing.
    pub tiers: Vec<CommissionTier>,
    /// How many months after booking a cancellation claws commission back.
    pub clawback_months: u32,
    /// Day of the month commission is paid, 1 to [`MAX_PAYOUT_DAY`].
    pub payout_day: u32,
}

/// The part of one credited amount that fell into one tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TierPortion {
    /// Index of the tier in [`CommissionPlan::tiers`].
    pub tier: usize,
    /// The tier's rate.
    #[cfg_attr(feature = "serde", serde(with = "rust_decimal::serde::str"))]
    pub rate: Decimal,
    /// The part of the booking in this tier; negative for a reversal. Exact:
    /// it may carry sub-minor places when a threshold does (quota × 1.5).
    pub amount: Money,
    /// `amount × rate`, unrounded.
    pub exact_commission: Money,
    /// This tier's share of the rounded total, in minor units.
    pub commission: Money,
}

/// The commission on one credited amount, tier by tier.
///
/// Rounding is cumulative, as in [`crate::rounding::spread`]: the rounded
/// commission through tier k is `round(sum of exact commissions through k)`,
/// and tier k's `commission` is that minus the figure through k−1. So the
/// total is rounded exactly once, each tier is within one minor unit of its
/// exact figure, and the tiers sum to `total` exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CommissionBreakdown {
    /// The tiers the booking touched, lowest tier first, whatever the sign of
    /// the booking.
    pub portions: Vec<TierPortion>,
    /// The sum of the exact tier commissions, unrounded.
    pub exact_total: Money,
    /// The commission, rounded once to the minor unit.
    pub total: Money,
    /// The rep's credited amount after the booking.
    pub attainment_after: Money,
}

/// The commission on one credited amount without its tier portions:
/// [`CommissionPlan::commission_total_on`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CommissionTotal {
    /// The sum of the exact tier commissions, unrounded.
    pub exact_total: Money,
    /// The commission, rounded once to the minor unit.
    pub total: Money,
    /// The rep's credited amount after the booking.
    pub attainment_after: Money,
}

impl CommissionPlan {
    /// A plan, checked by [`CommissionPlan::validate`].
    pub fn new(
        plan: impl Into<String>,
        quota: Money,
        basis: CommissionBasis,
        tiers: Vec<CommissionTier>,
        clawback_months: u32,
        payout_day: u32,
    ) -> Result<Self, Error> {
        let plan = CommissionPlan { plan: plan.into(), quota, basis, tiers, clawback_months, payout_day };
        plan.validate()?;
        Ok(plan)
    }

    /// Checks the plan's rules: a positive quota in whole minor units; at
    /// least one tier; the first tier starting at 0 and thresholds strictly
    /// increasing, so every attainment belongs to exactly one band; no
    /// negative rate; a payout day in 1..=[`MAX_PAYOUT_DAY`].
    pub fn validate(&self) -> Result<(), Error> {
        if self.quota.amount <= Decimal::ZERO {
            return Err(self.invalid(format!("quota must be positive, got {}", self.quota)));
        }
        if self.quota.to_minor().is_err() {
            return Err(
                self.invalid(format!("quota {} must be a whole number of minor units within range", self.quota))
            );
        }
        let Some(first) = self.tiers.first() else {
            return Err(self.invalid("needs at least one tier".into()));
        };
        if !first.from_attainment.is_zero() {
            return Err(self.invalid(format!("first tier must start at attainment 0, got {}", first.from_attainment)));
        }
        for (i, pair) in self.tiers.windows(2).enumerate() {
            if pair[1].from_attainment <= pair[0].from_attainment {
                return Err(self.invalid(format!(
                    "tier {} starts at {}, not above tier {} at {}",
                    i + 1,
                    pair[1].from_attainment,
                    i,
                    pair[0].from_attainment
                )));
            }
        }
        if let Some((i, tier)) =
            self.tiers.iter().enumerate().find(|(_, t)| t.rate.is_sign_negative() && !t.rate.is_zero())
        {
            return Err(self.invalid(format!("tier {i} has negative rate {}", tier.rate)));
        }
        if !(1..=MAX_PAYOUT_DAY).contains(&self.payout_day) {
            return Err(self.invalid(format!(
                "payout day must be 1 to {MAX_PAYOUT_DAY} so every month has it, got {}",
                self.payout_day
            )));
        }
        Ok(())
    }

    /// The plan currency: the quota's.
    pub fn currency(&self) -> Currency {
        self.quota.currency
    }

    /// `credited / quota` as a fraction (1.25 is 125 %), to Decimal's 28
    /// significant digits. For reporting only: [`CommissionPlan::commission_on`]
    /// works from money thresholds, which are exact.
    pub fn attainment(&self, credited: Money) -> Result<Decimal, Error> {
        self.validate()?;
        self.same_currency(credited)?;
        credited.amount.checked_div(self.quota.amount).ok_or(Error::AmountOutOfRange { amount: credited })
    }

    /// The commission on `booking` (a booking or a collection, per
    /// [`CommissionPlan::basis`]) for a rep already credited with
    /// `attainment_before` in the plan period.
    ///
    /// Each part of the booking is paid at the rate of the band it falls in.
    /// A negative booking (a cancellation) walks the bands downward from
    /// `attainment_before`, so reversing a booking returns exactly its
    /// commission: `commission_on(-b, a + b)` is `-commission_on(b, a)`, tier
    /// by tier, with either rounding mode. The first tier extends below zero
    /// attainment, so a clawback larger than the period's credit is still paid
    /// back at the first tier's rate.
    pub fn commission_on(
        &self,
        booking: Money,
        attainment_before: Money,
        mode: RoundingMode,
    ) -> Result<CommissionBreakdown, Error> {
        let mut portions = Vec::new();
        let earned = self.walk_tiers(booking, attainment_before, mode, |portion| portions.push(portion))?;
        Ok(CommissionBreakdown {
            portions,
            exact_total: earned.exact_total,
            total: earned.total,
            attainment_after: earned.attainment_after,
        })
    }

    /// [`CommissionPlan::commission_on`] without the tier portions: the same
    /// totals and errors, and nothing allocated, for a fold that books the
    /// total of every credit of a book.
    pub fn commission_total_on(
        &self,
        booking: Money,
        attainment_before: Money,
        mode: RoundingMode,
    ) -> Result<CommissionTotal, Error> {
        self.walk_tiers(booking, attainment_before, mode, |_| {})
    }

    /// Walks the bands `booking` falls into, lowest first, handing each
    /// portion to `portion`.
    fn walk_tiers(
        &self,
        booking: Money,
        attainment_before: Money,
        mode: RoundingMode,
        mut portion: impl FnMut(TierPortion),
    ) -> Result<CommissionTotal, Error> {
        self.validate()?;
        self.same_currency(booking)?;
        self.same_currency(attainment_before)?;
        let currency = self.currency();
        let threshold = |tier: &CommissionTier| {
            self.quota.amount.checked_mul(tier.from_attainment).ok_or(Error::AmountOutOfRange { amount: self.quota })
        };
        let start = attainment_before.amount;
        let end = attainment_before.checked_add(booking)?;
        // Validated tiers start at 0 and increase and the quota is positive,
        // so the thresholds increase too: if any is out of range, the last
        // one is. Checking it before any band refuses such a plan whatever the booking.
        if let Some(last) = self.tiers.last() {
            threshold(last)?;
        }
        let (low, high) = if booking.is_negative() { (end.amount, start) } else { (start, end.amount) };
        let sign = if booking.is_negative() { Decimal::NEGATIVE_ONE } else { Decimal::ONE };

        // Tier 0 has no floor: see the doc comment on negative attainment.
        let mut floor = None;
        let mut exact_through = Decimal::ZERO;
        let mut rounded_before = Money::zero(currency);
        for (i, tier) in self.tiers.iter().enumerate() {
            let next = self.tiers.get(i + 1).map(threshold).transpose()?;
            let from = floor.map_or(low, |floor| low.max(floor));
            let to = next.map_or(high, |next| high.min(next));
            floor = next;
            if to <= from {
                continue;
            }
            let amount = Money::new(sign * (to - from), currency);
            let exact = amount.amount.checked_mul(tier.rate).ok_or(Error::AmountOutOfRange { amount })?;
            exact_through = exact_through.checked_add(exact).ok_or(Error::AmountOutOfRange { amount })?;
            let rounded_through = round(Money::new(exact_through, currency), mode)?;
            portion(TierPortion {
                tier: i,
                rate: tier.rate,
                amount,
                exact_commission: Money::new(exact, currency),
                commission: rounded_through.checked_sub(rounded_before)?,
            });
            rounded_before = rounded_through;
        }
        Ok(CommissionTotal {
            exact_total: Money::new(exact_through, currency),
            total: rounded_before,
            attainment_after: end,
        })
    }

    /// The first payout date on or after `on_or_after`: a commission earned on
    /// a payout day is paid that day, not a month later.
    pub fn next_payout_date(&self, on_or_after: NaiveDate) -> Result<NaiveDate, Error> {
        self.validate()?;
        // Valid in every month because validate() caps the day at 28.
        let this_month = on_or_after.with_day(self.payout_day).ok_or(Error::DateOutOfRange)?;
        if this_month >= on_or_after {
            Ok(this_month)
        } else {
            add_months(this_month, 1)
        }
    }

    /// The last day (inclusive) on which cancelling a booking made on
    /// `booked_on` claws its commission back: `booked_on` plus
    /// `clawback_months`, clamped to the end of a shorter month (Nov 30 + 3
    /// months is Feb 28).
    pub fn clawback_deadline(&self, booked_on: NaiveDate) -> Result<NaiveDate, Error> {
        let months = i32::try_from(self.clawback_months).map_err(|_| Error::DateOutOfRange)?;
        add_months(booked_on, months)
    }

    fn same_currency(&self, other: Money) -> Result<(), Error> {
        if other.currency == self.currency() {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch { expected: self.currency(), found: other.currency })
        }
    }

    fn invalid(&self, problem: String) -> Error {
        Error::InvalidCommissionPlan { problem: format!("plan {:?}: {problem}", self.plan) }
    }
}

/// Rounds an exact amount to its minor unit through [`extend`], so commission
/// is rounded by the same primitive (and the same modes) as all other money.
fn round(exact: Money, mode: RoundingMode) -> Result<Money, Error> {
    extend(Decimal::ONE, exact, mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(s: &str) -> Money {
        Money::parse(s, Currency::USD).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn tiers(spec: &[(&str, &str)]) -> Vec<CommissionTier> {
        spec.iter().map(|&(from, rate)| CommissionTier::new(dec(from), dec(rate))).collect()
    }

    fn standard_tiers() -> Vec<CommissionTier> {
        tiers(&[("0", "0.10"), ("1.0", "0.15"), ("1.5", "0.20")])
    }

    fn plan() -> CommissionPlan {
        CommissionPlan::new("ae-2026", usd("100000.00"), CommissionBasis::Booking, standard_tiers(), 3, 15).unwrap()
    }

    /// A collection plan whose quota and rates leave sub-cent exact figures.
    fn odd_plan() -> CommissionPlan {
        let odd_tiers = tiers(&[("0", "0.0333"), ("0.7", "0.1234"), ("1.3", "0.0777")]);
        CommissionPlan::new("odd", usd("333.33"), CommissionBasis::Collection, odd_tiers, 1, 1).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// (tier, amount, commission) per portion, as strings.
    fn portions(b: &CommissionBreakdown) -> Vec<(usize, String, String)> {
        b.portions.iter().map(|p| (p.tier, p.amount.to_string(), p.commission.to_string())).collect()
    }

    fn owned(v: &[(usize, &str, &str)]) -> Vec<(usize, String, String)> {
        v.iter().map(|&(t, a, c)| (t, a.to_string(), c.to_string())).collect()
    }

    fn invalid_problem(result: Result<CommissionPlan, Error>) -> String {
        match result {
            Err(Error::InvalidCommissionPlan { problem }) => problem,
            other => panic!("expected InvalidCommissionPlan, got {other:?}"),
        }
    }

    #[test]
    fn booking_across_the_quota_is_paid_marginally() {
        let b = plan().commission_on(usd("30000.00"), usd("80000.00"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.total, usd("3500.00"));
        assert_eq!(portions(&b), owned(&[(0, "20000.00 USD", "2000.00 USD"), (1, "10000.00 USD", "1500.00 USD")]));
        assert_eq!(b.attainment_after, usd("110000.00"));
        assert_eq!(b.exact_total, usd("3500"));
    }

    #[test]
    fn booking_across_three_tiers() {
        let b = plan().commission_on(usd("70000.00"), usd("90000.00"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.total, usd("10500.00"));
        assert_eq!(
            portions(&b),
            owned(&[
                (0, "10000.00 USD", "1000.00 USD"),
                (1, "50000.00 USD", "7500.00 USD"),
                (2, "10000.00 USD", "2000.00 USD"),
            ])
        );
    }

    #[test]
    fn booking_entirely_above_the_top_threshold() {
        let b = plan().commission_on(usd("40000.00"), usd("160000.00"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.total, usd("8000.00"));
        assert_eq!(portions(&b), owned(&[(2, "40000.00 USD", "8000.00 USD")]));
        // Starting exactly on a threshold puts nothing in the band below it.
        let b = plan().commission_on(usd("10000.00"), usd("150000.00"), RoundingMode::HalfUp).unwrap();
        assert_eq!(portions(&b), owned(&[(2, "10000.00 USD", "2000.00 USD")]));
    }

    #[test]
    fn negative_booking_walks_the_tiers_down() {
        let b = plan().commission_on(usd("-30000.00"), usd("110000.00"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.total, usd("-3500.00"));
        assert_eq!(portions(&b), owned(&[(0, "-20000.00 USD", "-2000.00 USD"), (1, "-10000.00 USD", "-1500.00 USD")]));
        assert_eq!(b.attainment_after, usd("80000.00"));
    }

    #[test]
    fn a_reversal_undoes_its_booking_exactly() {
        let plan = odd_plan();
        for mode in [RoundingMode::HalfUp, RoundingMode::HalfEven] {
            for (booking, before) in [("123.45", "150.00"), ("0.05", "233.30"), ("500.01", "-20.00"), ("99.99", "0")] {
                let up = plan.commission_on(usd(booking), usd(before), mode).unwrap();
                let down = plan.commission_on(-usd(booking), up.attainment_after, mode).unwrap();
                assert_eq!(down.total, -up.total, "{booking} at {before}");
                assert_eq!(down.attainment_after, usd(before));
                assert_eq!(down.portions.len(), up.portions.len());
                for (d, u) in down.portions.iter().zip(&up.portions) {
                    assert_eq!((d.tier, d.amount, d.commission), (u.tier, -u.amount, -u.commission));
                }
            }
        }
    }

    #[test]
    fn tier_commissions_round_cumulatively_and_sum_to_the_total() {
        let plan = CommissionPlan::new(
            "p",
            usd("100.00"),
            CommissionBasis::Booking,
            tiers(&[("0", "0.10"), ("1", "0.50")]),
            0,
            1,
        )
        .unwrap();
        // Exact: 0.05 × 0.10 = 0.005 and 0.03 × 0.50 = 0.015, total 0.02.
        // Rounding each tier alone would pay 0.01 + 0.02 = 0.03.
        let b = plan.commission_on(usd("0.08"), usd("99.95"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.exact_total, usd("0.02"));
        assert_eq!(b.total, usd("0.02"));
        assert_eq!(portions(&b), owned(&[(0, "0.05 USD", "0.01 USD"), (1, "0.03 USD", "0.01 USD")]));
    }

    #[test]
    fn rounding_mode_is_applied_to_the_total() {
        let b = plan().commission_on(usd("0.05"), usd("0"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.total, usd("0.01"));
        let b = plan().commission_on(usd("0.05"), usd("0"), RoundingMode::HalfEven).unwrap();
        assert_eq!(b.total, usd("0.00"));
        let b = plan().commission_on(usd("-0.05"), usd("0.05"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.total, usd("-0.01"));
    }

    #[test]
    fn jpy_plan_rounds_to_whole_yen() {
        let yen = |s: &str| Money::parse(s, Currency::JPY).unwrap();
        let plan =
            CommissionPlan::new("jp", yen("10000000"), CommissionBasis::Booking, standard_tiers(), 6, 25).unwrap();
        // 2,000,000 × 10 % = 200,000; 1,333,333 × 15 % = 199,999.95.
        let b = plan.commission_on(yen("3333333"), yen("8000000"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.exact_total, yen("399999.95"));
        assert_eq!(b.total, yen("400000"));
        assert_eq!(portions(&b), owned(&[(0, "2000000 JPY", "200000 JPY"), (1, "1333333 JPY", "200000 JPY")]));
        assert_eq!(b.total.to_minor(), Ok(400_000));
    }

    #[test]
    fn zero_booking_earns_nothing() {
        let b = plan().commission_on(usd("0"), usd("120000.00"), RoundingMode::HalfUp).unwrap();
        assert!(b.portions.is_empty());
        assert_eq!(b.total, usd("0"));
    }

    #[test]
    fn negative_attainment_stays_in_the_first_tier() {
        let b = plan().commission_on(usd("-50000.00"), usd("20000.00"), RoundingMode::HalfUp).unwrap();
        assert_eq!(b.total, usd("-5000.00"));
        assert_eq!(portions(&b), owned(&[(0, "-50000.00 USD", "-5000.00 USD")]));
    }

    #[test]
    fn other_currencies_are_refused() {
        let eur = Money::parse("100.00", Currency::EUR).unwrap();
        let mismatch = Error::CurrencyMismatch { expected: Currency::USD, found: Currency::EUR };
        assert_eq!(plan().commission_on(eur, usd("0"), RoundingMode::HalfUp).unwrap_err(), mismatch);
        assert_eq!(plan().commission_on(usd("1"), eur, RoundingMode::HalfUp).unwrap_err(), mismatch);
        assert_eq!(plan().attainment(eur).unwrap_err(), mismatch);
    }

    #[test]
    fn attainment_is_a_fraction_of_quota() {
        assert_eq!(plan().attainment(usd("125000.00")), Ok(dec("1.25")));
        assert_eq!(plan().attainment(usd("0")), Ok(Decimal::ZERO));
    }

    #[test]
    fn validation_errors() {
        let make = |quota: Money, tiers: Vec<CommissionTier>, payout_day: u32| {
            CommissionPlan::new("p", quota, CommissionBasis::Booking, tiers, 3, payout_day)
        };
        assert!(invalid_problem(make(usd("0"), standard_tiers(), 15)).contains("quota must be positive"));
        assert!(invalid_problem(make(usd("-1.00"), standard_tiers(), 15)).contains("quota must be positive"));
        assert!(invalid_problem(make(usd("1.001"), standard_tiers(), 15)).contains("whole number of minor units"));
        assert!(invalid_problem(make(usd("100"), vec![], 15)).contains("at least one tier"));
        assert!(invalid_problem(make(usd("100"), tiers(&[("0.1", "0.1")]), 15)).contains("start at attainment 0"));
        assert!(invalid_problem(make(usd("100"), tiers(&[("0", "0.1"), ("1", "0.2"), ("1", "0.3")]), 15))
            .contains("tier 2 starts at 1, not above tier 1"));
        assert!(invalid_problem(make(usd("100"), tiers(&[("0", "0.1"), ("1", "0.2"), ("0.5", "0.3")]), 15))
            .contains("not above"));
        assert!(invalid_problem(make(usd("100"), tiers(&[("0", "0.1"), ("1", "-0.01")]), 15))
            .contains("tier 1 has negative rate"));
        assert!(invalid_problem(make(usd("100"), standard_tiers(), 0)).contains("payout day"));
        assert!(invalid_problem(make(usd("100"), standard_tiers(), 29)).contains("payout day"));
        assert!(make(usd("100"), standard_tiers(), 28).is_ok());
        assert!(make(usd("100"), tiers(&[("0", "0")]), 1).is_ok());
        let err = make(usd("0"), standard_tiers(), 15).unwrap_err();
        assert_eq!(err.to_string(), r#"commission plan: plan "p": quota must be positive, got 0.00 USD"#);
    }

    #[test]
    fn the_total_alone_is_the_breakdowns_total() {
        let odd = odd_plan();
        let mut invalid = plan();
        invalid.payout_day = 0;
        let bookings = ["0", "0.01", "-0.05", "30000.00", "-30000.00", "250000.00", "-250000.00", "123.45"];
        let befores = ["0", "-20.00", "99.99", "100000.00", "149999.99", "79228162514264337593543950335"];
        let mut compared = 0;
        for p in [plan(), odd, invalid] {
            for mode in [RoundingMode::HalfUp, RoundingMode::HalfEven] {
                for booking in bookings {
                    for before in befores {
                        let whole = p.commission_on(usd(booking), usd(before), mode);
                        let total = p.commission_total_on(usd(booking), usd(before), mode);
                        let expected = whole.map(|b| CommissionTotal {
                            exact_total: b.exact_total,
                            total: b.total,
                            attainment_after: b.attainment_after,
                        });
                        assert_eq!(total, expected, "{} {booking} at {before}", p.plan);
                        compared += usize::from(total.is_ok());
                    }
                }
            }
        }
        // Most cases are figures, not errors.
        assert!(compared > 150, "{compared}");
        let eur = Money::parse("1", Currency::EUR).unwrap();
        assert!(matches!(
            plan().commission_total_on(eur, usd("0"), RoundingMode::HalfUp),
            Err(Error::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn a_threshold_out_of_range_is_refused_before_any_band() {
        // Tier 1's commission overflows before the walk reaches tier 3,
        // whose threshold (quota × 10^27) is out of range: the plan is
        // refused for its threshold, as for any booking.
        let huge = CommissionPlan::new(
            "huge",
            usd("50000.00"),
            CommissionBasis::Booking,
            tiers(&[
                ("0", "0.10"),
                ("1", "10000000000000000000000000"),
                ("3", "0.10"),
                ("1000000000000000000000000000", "0.10"),
            ]),
            0,
            1,
        )
        .unwrap();
        let refused = Err(Error::AmountOutOfRange { amount: usd("50000.00") });
        for booking in ["1.00", "50000000000.00"] {
            let whole = huge.commission_on(usd(booking), usd("49999.00"), RoundingMode::HalfUp);
            assert_eq!(whole.map(|b| b.total), refused, "{booking}");
            let total = huge.commission_total_on(usd(booking), usd("49999.00"), RoundingMode::HalfUp);
            assert_eq!(total.map(|t| t.total), refused, "{booking}");
        }
    }

    #[test]
    fn an_invalid_plan_is_refused_by_every_calculation() {
        let mut bad = plan();
        bad.payout_day = 31;
        assert!(matches!(
            bad.commission_on(usd("1"), usd("0"), RoundingMode::HalfUp),
            Err(Error::InvalidCommissionPlan { .. })
        ));
        assert!(matches!(bad.next_payout_date(date("2026-01-01")), Err(Error::InvalidCommissionPlan { .. })));
        assert!(matches!(bad.attainment(usd("1")), Err(Error::InvalidCommissionPlan { .. })));
    }

    #[test]
    fn next_payout_is_on_or_after() {
        let plan = plan();
        assert_eq!(plan.next_payout_date(date("2026-01-10")), Ok(date("2026-01-15")));
        assert_eq!(plan.next_payout_date(date("2026-01-15")), Ok(date("2026-01-15")));
        assert_eq!(plan.next_payout_date(date("2026-01-16")), Ok(date("2026-02-15")));
        assert_eq!(plan.next_payout_date(date("2026-12-31")), Ok(date("2027-01-15")));
        let mut late = plan.clone();
        late.payout_day = 28;
        assert_eq!(late.next_payout_date(date("2026-01-31")), Ok(date("2026-02-28")));
        assert_eq!(late.next_payout_date(NaiveDate::MAX), Err(Error::DateOutOfRange));
    }

    #[test]
    fn clawback_deadline_is_end_of_month_safe() {
        let plan = plan();
        assert_eq!(plan.clawback_deadline(date("2026-01-10")), Ok(date("2026-04-10")));
        assert_eq!(plan.clawback_deadline(date("2025-11-30")), Ok(date("2026-02-28")));
        assert_eq!(plan.clawback_deadline(date("2023-11-30")), Ok(date("2024-02-29")));
        let mut none = plan.clone();
        none.clawback_months = 0;
        assert_eq!(none.clawback_deadline(date("2026-01-31")), Ok(date("2026-01-31")));
        none.clawback_months = u32::MAX;
        assert_eq!(none.clawback_deadline(date("2026-01-31")), Err(Error::DateOutOfRange));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_round_trip_in_event_shape() {
        let json = serde_json::to_string(&plan()).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"plan":"ae-2026","quota":{"amount":"100000.00","currency":"USD"},"basis":"booking","#,
                r#""tiers":[{"from_attainment":"0","rate":"0.10"},{"from_attainment":"1.0","rate":"0.15"},"#,
                r#"{"from_attainment":"1.5","rate":"0.20"}],"clawback_months":3,"payout_day":15}"#
            )
        );
        let back: CommissionPlan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, plan());
    }
}

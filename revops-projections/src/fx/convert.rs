//! Converting amounts into a reporting currency so that converted parts
//! still add up to their converted whole.

use chrono::NaiveDate;
use revops_core::rounding::{allocate_minor, extend};
use revops_core::{Currency, Money};
use rust_decimal::Decimal;
use rust_decimal::RoundingStrategy::MidpointAwayFromZero;

use super::{FxRate, FxRates};
use crate::amounts::ROUNDING;
use crate::Error;

/// Extra decimal places of the reporting currency's minor unit kept in the
/// weights a rounded whole is split by: a weight is a part's exact converted
/// value in hundredths of a minor unit, far finer than the split itself.
const WEIGHT_PLACES: u32 = 2;

/// Conversions into one currency at the rates in force on one date.
#[derive(Clone, Copy, Debug)]
pub struct ReportingCurrency<'a> {
    rates: &'a FxRates,
    currency: Currency,
    as_of: NaiveDate,
}

/// A whole converted into the reporting currency, and its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertedWhole {
    /// The exact sum of the parts' converted values, rounded once.
    pub total: Money,
    /// Each part converted, in the order given; they sum to `total` exactly.
    pub parts: Vec<Money>,
}

impl<'a> ReportingCurrency<'a> {
    pub(super) fn new(rates: &'a FxRates, currency: Currency, as_of: NaiveDate) -> Self {
        ReportingCurrency { rates, currency, as_of }
    }

    /// The reporting currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The date whose rates are used.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The rate from `from` into the reporting currency.
    pub fn rate(&self, from: Currency) -> Result<FxRate, Error> {
        self.rates.rate(from, self.currency, self.as_of)
    }

    /// One amount converted and rounded once to the minor unit.
    pub fn convert(&self, amount: Money) -> Result<Money, Error> {
        Ok(self.convert_whole(&[amount])?.total)
    }

    /// Converts amounts (in any currencies) that make up a whole.
    ///
    /// The whole is the exact sum of every part's converted value, rounded
    /// once to the reporting currency's minor unit, and the parts sum to it
    /// exactly:
    ///
    /// - a part whose converted value is a whole number of minor units keeps
    ///   it (every amount already in the reporting currency, 100.00 EUR at
    ///   1.0850);
    /// - the rest of the whole is split over the other parts with
    ///   revops-core's [`allocate_minor`], in proportion to their exact
    ///   converted values. Parts of both signs (a trial balance, an
    ///   over-credited invoice) split in two groups: the positive parts
    ///   share their exact sum rounded once, the negative parts what is left
    ///   to reach the whole, which rounding's monotonicity keeps within a
    ///   minor unit of their own exact sum.
    ///
    /// So each part is within one minor unit of its exact share of its
    /// group's sum, that sum within one of the group's exact sum: a part is
    /// never two minor units from its exact converted value. Parts converted
    /// one by one would not always add up (0.01 EUR three times at 1.5 is
    /// 0.05 USD, not 3 × 0.02).
    pub fn convert_whole(&self, parts: &[Money]) -> Result<ConvertedWhole, Error> {
        let mut exact = Vec::with_capacity(parts.len());
        for part in parts {
            let rate = self.rate(part.currency)?;
            exact.push(rate.apply(part.amount).ok_or(out_of_range(*part))?);
        }
        let whole = exact.iter().try_fold(Decimal::ZERO, |sum, e| sum.checked_add(*e));
        let total = self.round(whole.ok_or(out_of_range(Money::zero(self.currency)))?)?;
        let split = self.split(total, &exact)?;
        Ok(ConvertedWhole {
            total: Money::from_minor(total, self.currency),
            parts: split.into_iter().map(|m| Money::from_minor(m, self.currency)).collect(),
        })
    }

    /// `exact` in whole minor units of the reporting currency.
    fn round(&self, exact: Decimal) -> Result<i64, Error> {
        Ok(extend(Decimal::ONE, Money::new(exact, self.currency), ROUNDING)?.to_minor()?)
    }

    /// Splits `total` minor units over parts with the `exact` values.
    fn split(&self, total: i64, exact: &[Decimal]) -> Result<Vec<i64>, Error> {
        let mut out = vec![0i64; exact.len()];
        let mut whole = vec![false; exact.len()];
        let mut rest = total;
        for ((slot, is_whole), &e) in out.iter_mut().zip(&mut whole).zip(exact) {
            if let Ok(m) = Money::new(e, self.currency).to_minor() {
                (*slot, *is_whole) = (m, true);
                rest -= m;
            }
        }
        let fraction = |i: usize, sign: fn(&Decimal) -> bool| !whole[i] && sign(&exact[i]);
        let (has_positive, has_negative) = (
            (0..exact.len()).any(|i| fraction(i, Decimal::is_sign_positive)),
            (0..exact.len()).any(|i| fraction(i, Decimal::is_sign_negative)),
        );
        let (positive, negative) = match (has_positive, has_negative) {
            (_, false) => (rest, 0),
            (false, true) => (0, -rest),
            (true, true) => {
                let sum: Decimal =
                    (0..exact.len()).filter(|&i| fraction(i, Decimal::is_sign_positive)).map(|i| exact[i]).sum();
                // round(P − N) ≤ round(P), so the negative parts share a
                // magnitude; `max` only guards a half unit on the sign edge.
                let positive = self.round(sum)?.max(rest);
                (positive, positive - rest)
            }
        };
        self.allocate_group(positive, exact, |i| fraction(i, Decimal::is_sign_positive), &mut out)?;
        self.allocate_group(-negative, exact, |i| fraction(i, Decimal::is_sign_negative), &mut out)?;
        assert_eq!(
            out.iter().map(|&m| i128::from(m)).sum::<i128>(),
            i128::from(total),
            "a split must sum to its whole"
        );
        Ok(out)
    }

    /// Allocates `total` over the parts whose exact value passes `member`,
    /// weighted by the magnitude of that value.
    fn allocate_group(
        &self,
        total: i64,
        exact: &[Decimal],
        member: impl Fn(usize) -> bool,
        out: &mut [i64],
    ) -> Result<(), Error> {
        if total == 0 {
            return Ok(());
        }
        let scale = Decimal::from(10u64.pow(self.currency.minor_units() + WEIGHT_PLACES));
        let mut index = Vec::new();
        let mut weights = Vec::new();
        for (i, &e) in exact.iter().enumerate().filter(|&(i, _)| member(i)) {
            let weight = e.abs().checked_mul(scale).map(|w| w.round_dp_with_strategy(0, MidpointAwayFromZero));
            let weight = weight.and_then(|w| u128::try_from(w).ok()).ok_or(revops_core::Error::WeightsOutOfRange)?;
            index.push(i);
            weights.push(weight);
        }
        let mut parts = vec![0i64; weights.len()];
        allocate_minor(total, &weights, &mut parts)?;
        for (i, part) in index.into_iter().zip(parts) {
            out[i] = part;
        }
        Ok(())
    }
}

fn out_of_range(amount: Money) -> Error {
    Error::Core(revops_core::Error::AmountOutOfRange { amount })
}

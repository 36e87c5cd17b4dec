//! Money inside the projections (integer minor units) and in their reports
//! (decimal strings), and the one way a ratio is rounded.
//!
//! Folds add and subtract whole minor units, so sums are exact and cheap;
//! reports turn them into strings with exactly the currency's minor places
//! (`"1200.00"`, `"1200"` for JPY). The only divisions (MRR of a multi-month
//! price, percentages, days) go through [`div_round`] with a named
//! [`RoundingMode`].

use revops_core::rounding::{extend, extend_minor, RoundingMode};
use revops_core::{Currency, Money};
use rust_decimal::Decimal;

/// The rounding of every figure the projections derive by division: half a
/// unit away from zero, as the rest of revops rounds by default.
pub(crate) const ROUNDING: RoundingMode = RoundingMode::HalfUp;

/// `amount` in whole minor units of `currency`. The command side refuses
/// sub-minor amounts; one that is in the log all the same is rounded with
/// [`ROUNDING`] rather than dropped. `None` only out of range.
pub(crate) fn minor(amount: Decimal, currency: Currency) -> Option<i64> {
    let money = Money::new(amount, currency);
    match money.to_minor() {
        Ok(m) => Some(m),
        Err(_) => extend_minor(Decimal::ONE, money, ROUNDING).ok(),
    }
}

/// `minor` minor units of `currency` times `factor` (a share, a weight),
/// rounded to the minor unit with [`ROUNDING`]; 0 only out of range.
pub(crate) fn scale_minor(factor: Decimal, minor: i64, currency: Currency) -> i64 {
    extend_minor(factor, Money::from_minor(minor, currency), ROUNDING).unwrap_or(0)
}

/// `amount` rounded to the minor unit of `currency` with [`ROUNDING`]
/// (unchanged if out of range).
pub(crate) fn round_money(amount: Decimal, currency: Currency) -> Decimal {
    extend(Decimal::ONE, Money::new(amount, currency), ROUNDING).map_or(amount, |m| m.amount)
}

/// A decimal amount as [`format`] writes it.
pub(crate) fn format_decimal(amount: Decimal, currency: Currency) -> String {
    minor(amount, currency).map_or_else(|| amount.to_string(), |m| format(m.into(), currency))
}

/// `minor` minor units of `currency` as a decimal string with exactly the
/// currency's minor places: `format(-5, USD)` is `"-0.05"`.
pub(crate) fn format(minor: i128, currency: Currency) -> String {
    fixed(minor, currency.minor_units())
}

/// `value / 10^places` as a decimal string with exactly `places` places.
pub(crate) fn fixed(value: i128, places: u32) -> String {
    let unit = 10u128.pow(places);
    let (whole, frac) = (value.unsigned_abs() / unit, value.unsigned_abs() % unit);
    let sign = if value < 0 { "-" } else { "" };
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = places as usize)
    }
}

/// `numerator / denominator` rounded to an integer with `mode`; `None` when
/// the denominator is zero.
pub(crate) fn div_round(numerator: i128, denominator: i128, mode: RoundingMode) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    let (q, r) = (numerator / denominator, numerator % denominator);
    let twice = r.unsigned_abs() * 2;
    let d = denominator.unsigned_abs();
    let away = twice > d || (twice == d && (mode == RoundingMode::HalfUp || q % 2 != 0));
    let sign = if (numerator < 0) == (denominator < 0) { 1 } else { -1 };
    Some(if away && r != 0 { q + sign } else { q })
}

/// `numerator × factor / denominator` with two decimal places, rounded with
/// [`ROUNDING`], as a string (`"12.50"`): percentages (factor 100) and
/// days (factor 1). `None` when the denominator is zero.
pub(crate) fn ratio(numerator: i128, denominator: i128, factor: i128) -> Option<String> {
    let hundredths = div_round(numerator.checked_mul(factor)?.checked_mul(100)?, denominator, ROUNDING)?;
    Some(fixed(hundredths, 2))
}

/// Splits `gross` over an invoice's `amount` and `tax` in proportion (by
/// largest remainder, so the two parts sum to `gross`): the revenue and tax
/// parts of a credit memo or a payment.
pub(crate) fn split_gross(gross: i64, amount: i64, tax: i64) -> (i64, i64) {
    if tax == 0 || gross == 0 {
        return (gross, 0);
    }
    let weights = [u128::from(amount.unsigned_abs()), u128::from(tax.unsigned_abs())];
    let mut parts = [0i64; 2];
    match revops_core::rounding::allocate_minor(gross, &weights, &mut parts) {
        Ok(()) => (parts[0], parts[1]),
        // Zero weights: nothing to split by, so it is all revenue.
        Err(_) => (gross, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_round_trip_through_strings() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(minor(d("1200.00"), Currency::USD), Some(120_000));
        assert_eq!(minor(d("1200"), Currency::JPY), Some(1200));
        assert_eq!(minor(d("0.005"), Currency::USD), Some(1));
        assert_eq!(minor(d("-0.005"), Currency::USD), Some(-1));
        assert_eq!(minor(d("79000000000000000000000000000"), Currency::USD), None);
        assert_eq!(format(120_000, Currency::USD), "1200.00");
        assert_eq!(format(-5, Currency::USD), "-0.05");
        assert_eq!(format(1234, Currency::BHD), "1.234");
        assert_eq!(format(-1200, Currency::JPY), "-1200");
    }

    #[test]
    fn division_rounds_by_the_named_mode() {
        use RoundingMode::{HalfEven, HalfUp};
        assert_eq!(div_round(5, 2, HalfUp), Some(3));
        assert_eq!(div_round(5, 2, HalfEven), Some(2));
        assert_eq!(div_round(7, 2, HalfEven), Some(4));
        assert_eq!(div_round(-5, 2, HalfUp), Some(-3));
        assert_eq!(div_round(5, -2, HalfUp), Some(-3));
        assert_eq!(div_round(-4, 3, HalfUp), Some(-1));
        assert_eq!(div_round(2, 3, HalfUp), Some(1));
        assert_eq!(div_round(1, 0, HalfUp), None);
        assert_eq!(ratio(1, 8, 100), Some("12.50".into()));
        assert_eq!(ratio(2, 3, 100), Some("66.67".into()));
        assert_eq!(ratio(-1, 3, 1), Some("-0.33".into()));
        assert_eq!(ratio(1, 0, 100), None);
    }

    #[test]
    fn gross_splits_in_proportion_and_sums() {
        // A whole invoice's gross splits back into its amount and tax.
        assert_eq!(split_gross(108_875, 100_000, 8_875), (100_000, 8_875));
        assert_eq!(split_gross(1_000, 2_000, 1_000), (667, 333));
        assert_eq!(split_gross(500, 1_000, 0), (500, 0));
    }
}

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

/// `amount × part / whole`, rounded to the minor unit of `currency` with
/// [`ROUNDING`]: a pro-rata share, as `Decimal` computes it (multiply,
/// divide, round); `None` where `Decimal` overflows or `whole` is zero.
///
/// Amounts written with exactly their currency's places, up to
/// [`PRORATE_LIMIT`] minor units, take integer arithmetic instead, with the
/// same result to the scale. The exact share is a fraction over `whole`, so
/// unless it ends in exactly half a minor unit it lies at least
/// 1/(2 × 10^12) of one away from the half; `Decimal`'s 28-digit quotient of
/// a share that size is within 10^-14 of a minor unit of it, so rounding
/// that quotient lands where rounding the exact share does.
pub(crate) fn prorate(amount: Decimal, part: Decimal, whole: Decimal, currency: Currency) -> Option<Decimal> {
    if let Some(share) = prorate_exact(amount, part, whole, currency.minor_units()) {
        return Some(share);
    }
    let share = amount.checked_mul(part)?.checked_div(whole)?;
    Some(round_money(share, currency))
}

/// The largest magnitude, in minor units, of the amounts and the share
/// that [`prorate`] computes with integers: 10^12 (ten billion dollars).
const PRORATE_LIMIT: i64 = 1_000_000_000_000;

fn prorate_exact(amount: Decimal, part: Decimal, whole: Decimal, places: u32) -> Option<Decimal> {
    let minor_units = |d: Decimal| {
        let m = i64::try_from(d.mantissa()).ok().filter(|m| m.unsigned_abs() <= PRORATE_LIMIT.unsigned_abs())?;
        (d.scale() == places).then_some(m)
    };
    let (a, p, w) = (minor_units(amount)?, minor_units(part)?, minor_units(whole)?);
    let product = i128::from(a) * i128::from(p);
    if product == 0 && w != 0 {
        // `Decimal` divides zero into a zero of no places.
        return Some(Decimal::ZERO);
    }
    let share = div_round(product, i128::from(w), ROUNDING)?;
    let share = i64::try_from(share).ok().filter(|s| s.unsigned_abs() <= PRORATE_LIMIT.unsigned_abs())?;
    Some(Decimal::new(share, places))
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

    /// What [`prorate`] stands for, in `Decimal` alone.
    fn prorate_by_decimal(amount: Decimal, part: Decimal, whole: Decimal, currency: Currency) -> Option<Decimal> {
        Some(round_money(amount.checked_mul(part)?.checked_div(whole)?, currency))
    }

    #[test]
    fn a_share_rounds_half_away_from_zero_with_the_currency_places() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let usd = |a: &str, p: &str, w: &str| prorate(d(a), d(p), d(w), Currency::USD).map(|s| s.to_string());
        // 100.00 of 300.00 paid on a 1000.00 net of 1085.00 gross: 92.165898…
        assert_eq!(usd("100.00", "1000.00", "1085.00").as_deref(), Some("92.17"));
        // Exactly half a cent rounds away from zero, either sign.
        assert_eq!(usd("0.01", "0.50", "1.00").as_deref(), Some("0.01"));
        assert_eq!(usd("-0.01", "0.50", "1.00").as_deref(), Some("-0.01"));
        assert_eq!(usd("0.01", "0.49", "1.00").as_deref(), Some("0.00"));
        assert_eq!(usd("50.00", "100.00", "100.00").as_deref(), Some("50.00"));
        assert_eq!(usd("1.00", "1.00", "0.00"), None);
        assert_eq!(usd("0.00", "1.00", "-3.00").as_deref(), Some("0"));
        // Other scales and magnitudes beyond the limit go through Decimal.
        assert_eq!(usd("100", "1000", "1085").as_deref(), Some("92.17"));
        assert_eq!(usd("20000000000.00", "1.00", "3.00").as_deref(), Some("6666666666.67"));
        let jpy = prorate(d("1001"), d("1"), d("2"), Currency::JPY).map(|s| s.to_string());
        assert_eq!(jpy.as_deref(), Some("501"));
    }

    proptest::proptest! {
        /// The integer path agrees with `Decimal`, scale included, on
        /// amounts around and beyond its limit.
        #[test]
        fn a_share_is_what_decimal_computes(
            a in -2 * PRORATE_LIMIT..2 * PRORATE_LIMIT,
            p in -2 * PRORATE_LIMIT..2 * PRORATE_LIMIT,
            w in -2 * PRORATE_LIMIT..2 * PRORATE_LIMIT,
            small in proptest::bool::ANY,
            places in 0u32..4,
        ) {
            // Small amounts too, where halves and exact shares are common.
            let (a, p, w) = if small { (a % 1000, p % 1000, w % 1000) } else { (a, p, w) };
            let currency = [Currency::JPY, Currency::USD, Currency::USD, Currency::BHD][places as usize];
            let places = currency.minor_units();
            let (a, p, w) = (Decimal::new(a, places), Decimal::new(p, places), Decimal::new(w, places));
            let expected = prorate_by_decimal(a, p, w, currency).map(|s| s.to_string());
            proptest::prop_assert_eq!(prorate(a, p, w, currency).map(|s| s.to_string()), expected);
        }
    }

    #[test]
    fn gross_splits_in_proportion_and_sums() {
        // A whole invoice's gross splits back into its amount and tax.
        assert_eq!(split_gross(108_875, 100_000, 8_875), (100_000, 8_875));
        assert_eq!(split_gross(1_000, 2_000, 1_000), (667, 333));
        assert_eq!(split_gross(500, 1_000, 0), (500, 0));
    }
}

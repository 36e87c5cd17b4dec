//! Money in integer minor units inside the projections, and its string form
//! at the report edge.

use revops_core::{Currency, Decimal, Money};

/// `amount` in minor units of `currency`, or `None` when it is not a whole
/// number of them (or out of range): such a fact cannot be posted exactly.
pub(crate) fn to_minor(amount: Decimal, currency: Currency) -> Option<i64> {
    Money::new(amount, currency).to_minor().ok()
}

/// The report form of `minor` units of `currency`: a plain decimal string
/// with exactly the currency's minor places ("1200.00", "-83.33", "5000").
pub(crate) fn format(minor: i128, currency: Currency) -> String {
    Decimal::from_i128_with_scale(minor, currency.minor_units()).to_string()
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
    fn formats_with_the_currency_places() {
        assert_eq!(format(120_000, Currency::USD), "1200.00");
        assert_eq!(format(-8_333, Currency::USD), "-83.33");
        assert_eq!(format(5_000, Currency::JPY), "5000");
        assert_eq!(format(1, Currency::BHD), "0.001");
        assert_eq!(format(0, Currency::EUR), "0.00");
    }

    #[test]
    fn gross_splits_in_proportion_and_sums() {
        // A whole invoice's gross splits back into its amount and tax.
        assert_eq!(split_gross(108_875, 100_000, 8_875), (100_000, 8_875));
        let (revenue, tax) = split_gross(1_000, 2_000, 1_000);
        assert_eq!((revenue, tax), (667, 333));
        assert_eq!(split_gross(500, 1_000, 0), (500, 0));
        assert_eq!(to_minor("12.345".parse().unwrap(), Currency::USD), None);
        assert_eq!(to_minor("12.34".parse().unwrap(), Currency::USD), Some(1_234));
    }
}

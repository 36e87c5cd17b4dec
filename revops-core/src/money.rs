//! `Money`: an exact amount in one currency.

use core::fmt;
use core::ops::Neg;

use rust_decimal::Decimal;

use crate::{Currency, Error};

/// The largest magnitude, in minor units, that revops computes with:
/// 10^18 minor units (10^16 USD). Products of amounts and integer weights in
/// the allocation primitives stay inside `u128` under this limit.
pub const MAX_MINOR_UNITS: i64 = 1_000_000_000_000_000_000;

/// An exact amount of money in one currency.
///
/// The amount is a [`Decimal`]; it may carry more places than the currency's
/// minor unit while a calculation is in flight (a unit price of 0.0015 USD),
/// and is brought to the minor unit only by the rounding primitives in
/// [`crate::rounding`]. Adding or subtracting two currencies is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Money {
    /// The amount, serialized as a string ("1200.00").
    #[cfg_attr(feature = "serde", serde(with = "rust_decimal::serde::str"))]
    pub amount: Decimal,
    /// The currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// Money of `amount` in `currency`.
    #[inline]
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money { amount: Decimal::ZERO, currency }
    }

    /// Parses a decimal amount such as `"1200.00"` or `"-0.5"` in `currency`.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, Error> {
        let amount = amount.trim().parse::<Decimal>().map_err(|_| Error::InvalidAmount { text: amount.into() })?;
        Ok(Money { amount, currency })
    }

    /// Money from a whole number of minor units: `from_minor(120_000, USD)`
    /// is 1200.00 USD.
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { amount: Decimal::new(minor, currency.minor_units()), currency }
    }

    /// The amount as a whole number of minor units, if it is one and within
    /// [`MAX_MINOR_UNITS`]. Never rounds: an amount with sub-minor places is
    /// an [`Error::SubMinorAmount`].
    #[inline]
    pub fn to_minor(&self) -> Result<i64, Error> {
        // Integer arithmetic on the mantissa: this runs once per contract line
        // on the hot path, where Decimal multiplication and `fract` showed up.
        let mantissa = self.amount.mantissa();
        let (scale, minor_units) = (self.amount.scale(), self.currency.minor_units());
        let minor = if scale == minor_units {
            // Amounts are written with their currency's places: no scaling.
            Some(mantissa)
        } else if scale < minor_units {
            mantissa.checked_mul(pow10(minor_units - scale))
        } else {
            let divisor = pow10(scale - minor_units);
            // 128-bit division is a library call; amounts fit 64 bits.
            let (quotient, remainder) = match (i64::try_from(mantissa), i64::try_from(divisor)) {
                (Ok(m), Ok(d)) => (i128::from(m / d), m % d != 0),
                _ => (mantissa / divisor, mantissa % divisor != 0),
            };
            if remainder {
                return Err(Error::SubMinorAmount { amount: *self });
            }
            Some(quotient)
        };
        match minor {
            Some(m) if m.unsigned_abs() <= MAX_MINOR_UNITS.unsigned_abs() as u128 => Ok(m as i64),
            _ => Err(Error::AmountOutOfRange { amount: *self }),
        }
    }

    /// `self + other`, or [`Error::CurrencyMismatch`].
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        let amount = self.amount.checked_add(other.amount).ok_or(Error::AmountOutOfRange { amount: self })?;
        Ok(Money { amount, currency: self.currency })
    }

    /// `self - other`, or [`Error::CurrencyMismatch`].
    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.checked_add(-other)
    }

    /// Sums `items`, all of which must be in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(currency: Currency, items: I) -> Result<Money, Error> {
        items.into_iter().try_fold(Money::zero(currency), Money::checked_add)
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// True when the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    fn same_currency(&self, other: Money) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch { expected: self.currency, found: other.currency })
        }
    }
}

impl Neg for Money {
    type Output = Money;

    fn neg(self) -> Money {
        Money { amount: -self.amount, currency: self.currency }
    }
}

impl fmt::Display for Money {
    /// `1200.00 USD`: at least the currency's minor places, more if the
    /// amount carries them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut amount = self.amount.normalize();
        if amount.scale() < self.currency.minor_units() {
            amount.rescale(self.currency.minor_units());
        }
        write!(f, "{amount} {}", self.currency)
    }
}

/// Powers of ten up to the largest `Decimal` scale.
const POW10: [i128; 29] = {
    let mut table = [1i128; 29];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `10^exponent` for a `Decimal` scale (at most 28), from a table: the
/// loop of `i128::pow` showed on the replay's hot path.
pub(crate) fn pow10(exponent: u32) -> i128 {
    POW10[exponent as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn usd(s: &str) -> Money {
        Money::parse(s, Currency::USD).unwrap()
    }

    #[test]
    fn adding_two_currencies_is_an_error() {
        let eur = Money::parse("1.00", Currency::EUR).unwrap();
        assert_eq!(
            usd("1.00").checked_add(eur),
            Err(Error::CurrencyMismatch { expected: Currency::USD, found: Currency::EUR })
        );
        assert_eq!(usd("1.10").checked_add(usd("2.25")), Ok(usd("3.35")));
        assert_eq!(usd("1.10").checked_sub(usd("2.25")), Ok(usd("-1.15")));
    }

    #[test]
    fn minor_units_are_exact_or_refused() {
        assert_eq!(usd("1200.00").to_minor(), Ok(120_000));
        assert_eq!(usd("-0.01").to_minor(), Ok(-1));
        assert_eq!(Money::parse("1500", Currency::JPY).unwrap().to_minor(), Ok(1500));
        assert_eq!(Money::parse("1.005", Currency::BHD).unwrap().to_minor(), Ok(1005));
        assert_eq!(usd("0.001").to_minor(), Err(Error::SubMinorAmount { amount: usd("0.001") }));
        let jpy = Money::parse("0.5", Currency::JPY).unwrap();
        assert_eq!(jpy.to_minor(), Err(Error::SubMinorAmount { amount: jpy }));
        let huge = usd("100000000000000000");
        assert_eq!(huge.to_minor(), Err(Error::AmountOutOfRange { amount: huge }));
        // Written with the currency's places, fewer, or more that are zero.
        assert_eq!(
            (usd("12").to_minor(), usd("1.5").to_minor(), usd("2.500").to_minor()),
            (Ok(1200), Ok(150), Ok(250))
        );
        let max = Money::from_minor(MAX_MINOR_UNITS, Currency::USD);
        assert_eq!((max.amount.scale(), max.to_minor()), (2, Ok(MAX_MINOR_UNITS)));
        let beyond = Money::new(max.amount + Decimal::new(1, 2), Currency::USD);
        assert_eq!(beyond.to_minor(), Err(Error::AmountOutOfRange { amount: beyond }));
        let huge = usd("100000000000000000.00");
        assert_eq!(huge.to_minor(), Err(Error::AmountOutOfRange { amount: huge }));
        assert_eq!(Money::from_minor(-123_456, Currency::KWD).amount, Decimal::new(-123_456, 3));
    }

    #[test]
    fn display_shows_minor_places() {
        assert_eq!(usd("1200").to_string(), "1200.00 USD");
        assert_eq!(usd("0.0015").to_string(), "0.0015 USD");
        assert_eq!(Money::parse("1500.0", Currency::JPY).unwrap().to_string(), "1500 JPY");
        assert_eq!(Money::parse("2.5", Currency::BHD).unwrap().to_string(), "2.500 BHD");
    }

    #[test]
    fn parse_errors_name_the_text() {
        assert_eq!(Money::parse("12,00", Currency::USD), Err(Error::InvalidAmount { text: "12,00".into() }));
    }

    #[test]
    fn sum_checks_every_currency() {
        let eur = Money::parse("1", Currency::EUR).unwrap();
        assert_eq!(Money::sum(Currency::USD, [usd("1"), usd("2.5")]), Ok(usd("3.5")));
        assert!(Money::sum(Currency::USD, [usd("1"), eur]).is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_uses_string_amounts() {
        let json = serde_json::to_string(&usd("1200.00")).unwrap();
        assert_eq!(json, r#"{"amount":"1200.00","currency":"USD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, usd("1200.00"));
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"XXX"}"#).is_err());
    }
}

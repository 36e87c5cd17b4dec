//! Sales-tax rates by jurisdiction, and the one way tax is rounded.
//!
//! A [`TaxRates`] table maps a jurisdiction code (`US-CA`, `DE`, whatever the
//! contracts name) to a [`TaxRate`], a fraction from 0 to 1. Tax is charged
//! per invoice line: the line amount times the rate, rounded once to the
//! currency's minor unit with [`TAX_ROUNDING`] (half away from zero) through
//! [`extend`]. Rounding per line rather than per invoice means a line's tax
//! never changes when another line is added to its invoice.
//!
//! A jurisdiction the table does not hold has no rate at all
//! ([`TaxRates::rate`] is `None`), never a rate of zero: a missing row is a
//! gap in the table, and charging nothing would hide it.
//!
//! ```
//! use revops_core::tax::{TaxRate, TaxRates};
//! use revops_core::{Currency, Decimal, Money};
//!
//! let mut rates = TaxRates::default();
//! rates.insert("US-CA", TaxRate::new("0.0725".parse()?).expect("a fraction"));
//! let rate = rates.rate("US-CA").expect("in the table");
//! // 1,234.50 x 7.25 % = 89.50125, rounded half up to the cent.
//! assert_eq!(rate.tax(Money::parse("1234.50", Currency::USD)?)?.to_string(), "89.50 USD");
//! assert!(rates.rate("US-NV").is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::rounding::{extend, RoundingMode};
use crate::{Error, Money};

/// How tax is rounded to the minor unit: half a unit away from zero, the
/// rounding tax authorities commonly prescribe per line.
pub const TAX_ROUNDING: RoundingMode = RoundingMode::HalfUp;

/// The most jurisdictions a table read from input (its serde form) may hold.
pub const MAX_JURISDICTIONS: usize = 10_000;

/// A tax rate: a fraction from 0 to 1 inclusive (`0.0725` is 7.25 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "Decimal", into = "Decimal"))]
pub struct TaxRate(Decimal);

impl TaxRate {
    /// The rate `rate`, if it is from 0 to 1.
    pub fn new(rate: Decimal) -> Option<TaxRate> {
        (rate >= Decimal::ZERO && rate <= Decimal::ONE).then_some(TaxRate(rate))
    }

    /// The rate as a fraction.
    pub fn fraction(self) -> Decimal {
        self.0
    }

    /// The tax on `amount`: `amount × rate` rounded to its currency's minor
    /// unit with [`TAX_ROUNDING`]. Fails only beyond the range of money.
    pub fn tax(self, amount: Money) -> Result<Money, Error> {
        extend(self.0, amount, TAX_ROUNDING)
    }
}

impl TryFrom<Decimal> for TaxRate {
    type Error = String;

    fn try_from(rate: Decimal) -> Result<Self, String> {
        TaxRate::new(rate).ok_or_else(|| format!("tax rate {rate} is not a fraction from 0 to 1"))
    }
}

impl From<TaxRate> for Decimal {
    fn from(rate: TaxRate) -> Decimal {
        rate.0
    }
}

/// Tax rates by jurisdiction. Its serde form is a JSON object from
/// jurisdiction to rate: `{"US-CA": "0.0725", "US-OR": "0"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "BTreeMap<String, TaxRate>", into = "BTreeMap<String, TaxRate>"))]
pub struct TaxRates {
    rates: BTreeMap<String, TaxRate>,
}

impl TaxRates {
    /// Sets the rate of `jurisdiction`; returns the rate it replaces.
    pub fn insert(&mut self, jurisdiction: impl Into<String>, rate: TaxRate) -> Option<TaxRate> {
        self.rates.insert(jurisdiction.into(), rate)
    }

    /// The rate of `jurisdiction`, if the table has one.
    pub fn rate(&self, jurisdiction: &str) -> Option<TaxRate> {
        self.rates.get(jurisdiction).copied()
    }

    /// Every jurisdiction and its rate, in jurisdiction order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, TaxRate)> {
        self.rates.iter().map(|(j, r)| (j.as_str(), *r))
    }

    /// The number of jurisdictions.
    pub fn len(&self) -> usize {
        self.rates.len()
    }

    /// True when the table has no jurisdiction.
    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }
}

impl TryFrom<BTreeMap<String, TaxRate>> for TaxRates {
    type Error = String;

    fn try_from(rates: BTreeMap<String, TaxRate>) -> Result<Self, String> {
        if rates.len() > MAX_JURISDICTIONS {
            return Err(format!("{} jurisdictions exceed the limit of {MAX_JURISDICTIONS}", rates.len()));
        }
        Ok(TaxRates { rates })
    }
}

impl From<TaxRates> for BTreeMap<String, TaxRate> {
    fn from(table: TaxRates) -> Self {
        table.rates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn rate(s: &str) -> TaxRate {
        TaxRate::new(s.parse().unwrap()).unwrap()
    }

    #[test]
    fn rates_are_fractions() {
        assert!(TaxRate::new("-0.01".parse().unwrap()).is_none());
        assert!(TaxRate::new("1.01".parse().unwrap()).is_none());
        assert_eq!(rate("0").fraction(), Decimal::ZERO);
        assert_eq!(rate("1").fraction(), Decimal::ONE);
    }

    #[test]
    fn tax_rounds_half_up_to_the_minor_unit() {
        let usd = |s| Money::parse(s, Currency::USD).unwrap();
        // 10.10 x 5 % = 0.505 -> 0.51; 10.30 x 5 % = 0.515 -> 0.52.
        assert_eq!(rate("0.05").tax(usd("10.10")).unwrap(), usd("0.51"));
        assert_eq!(rate("0.05").tax(usd("10.30")).unwrap(), usd("0.52"));
        let jpy = Money::parse("1050", Currency::JPY).unwrap();
        assert_eq!(rate("0.1").tax(jpy).unwrap().to_string(), "105 JPY");
        let bhd = Money::parse("10.005", Currency::BHD).unwrap();
        // 10.005 x 10 % = 1.0005 -> 1.001.
        assert_eq!(rate("0.1").tax(bhd).unwrap().to_string(), "1.001 BHD");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_form_is_an_object_of_rate_strings() {
        let table: TaxRates = serde_json::from_str(r#"{"US-CA": "0.0725", "DE": "0.19"}"#).unwrap();
        assert_eq!(table.rate("DE"), Some(rate("0.19")));
        assert_eq!(serde_json::to_string(&table).unwrap(), r#"{"DE":"0.19","US-CA":"0.0725"}"#);
        let error = serde_json::from_str::<TaxRates>(r#"{"X": "1.5"}"#).unwrap_err().to_string();
        assert!(error.contains("tax rate 1.5 is not a fraction from 0 to 1"), "{error}");
    }
}

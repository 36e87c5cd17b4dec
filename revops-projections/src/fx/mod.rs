//! `FxRates`: exchange rates by date, and reports in a reporting currency.
//!
//! # Rates
//!
//! `fx_rate_set { from, to, rate, on }` says that one unit of `from` is worth
//! `rate` units of `to` from `on` until the pair's next rate. The rate of a
//! pair on a date is the one with the latest `on` on or before that date; of
//! two set for the same pair and day, the later in the log (a correction).
//!
//! Converting `from → to` on a date looks for the direct pair first: if it
//! has a rate in force, amounts are multiplied by it. Only when it has none
//! is the inverse pair `to → from` used, dividing by its rate in force — even
//! if the inverse was set more recently than a direct rate still in force:
//! a rate set for the direction asked is the one the books quoted. There is no
//! triangulation through a third currency. When neither direction has a rate
//! in force, the lookup is an [`Error::MissingFxRate`] naming the pair and
//! the date; a currency converts to itself at exactly 1.
//!
//! # Rounding
//!
//! A conversion is worked out exactly in `Decimal` (a division by an inverse
//! rate to Decimal's 28 significant digits) and rounded to the reporting
//! currency's minor unit once, half away from zero. Amounts that form a whole
//! are converted as a whole: see [`ReportingCurrency::convert_whole`].
//!
//! # Reports
//!
//! [`ReportingCurrency`] converts any set of amounts; it also has one view
//! per report ([`ReportingCurrency::aging`], [`ReportingCurrency::ledger`],
//! [`ReportingCurrency::schedules`], [`ReportingCurrency::mrr`],
//! [`ReportingCurrency::commissions`], and for the desk's reports
//! [`ReportingCurrency::collections`], [`ReportingCurrency::disputes`],
//! [`ReportingCurrency::renewals`], [`ReportingCurrency::expansion`],
//! [`ReportingCurrency::partners`], [`ReportingCurrency::kpis`]) that keeps
//! each currency section's original figures next to the converted ones; the
//! [`views`] module says which figures each converts.
//!
//! ```
//! use revops_projections::fx::FxRates;
//! use revops_projections::revops_core::{Currency, Money};
//!
//! let rates = FxRates::default();
//! let usd = rates.reporting(Currency::USD, "2026-03-31".parse()?);
//! let eur = Money::parse("100.00", Currency::EUR)?;
//! assert!(usd.convert(eur).is_err()); // no EUR rate: an error, never 1.0
//! assert_eq!(usd.convert(Money::parse("5.00", Currency::USD)?)?.to_string(), "5.00 USD");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod convert;
pub mod views;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::Currency;
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::Serialize;

pub use convert::{ConvertedWhole, ReportingCurrency};

use crate::once::SeqGuard;
use crate::{Error, Projection};

/// The rate a conversion from one currency to another uses on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FxRate {
    /// The currency converted from.
    pub from: Currency,
    /// The currency converted to.
    pub to: Currency,
    /// The rate as set: units of `to` per unit of `from`, or, when `inverse`,
    /// units of `from` per unit of `to` (amounts are then divided by it).
    /// Exactly 1 from a currency to itself.
    pub rate: Decimal,
    /// The `on` date of the `fx_rate_set` in force; absent from a currency to
    /// itself.
    pub on: Option<NaiveDate>,
    /// True when only the `to → from` pair had a rate in force.
    pub inverse: bool,
}

impl FxRate {
    /// `amount` in `to`, exact (to Decimal's precision); `None` out of range.
    pub fn apply(&self, amount: Decimal) -> Option<Decimal> {
        if self.inverse {
            amount.checked_div(self.rate)
        } else {
            amount.checked_mul(self.rate)
        }
    }
}

/// Exchange rates by pair and date. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct FxRates {
    guard: SeqGuard,
    /// At most one pair per ordered couple of currencies, so this map is
    /// bounded by the currency list; each pair's dates are the log's facts.
    rates: BTreeMap<(Currency, Currency), BTreeMap<NaiveDate, Decimal>>,
}

impl Projection for FxRates {
    const READS: EventTypes = EventTypes::NONE.with("fx_rate_set");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        if let Event::FxRateSet(e) = &envelope.event {
            // The command side refuses these; one in the log all the same
            // would turn a missing rate into a silent zero or identity.
            if e.from == e.to || e.rate <= Decimal::ZERO {
                return;
            }
            self.rates.entry((e.from, e.to)).or_default().insert(e.on, e.rate);
        }
    }
}

impl FxRates {
    /// The rate converting `from` into `to` on `on` (see the
    /// [module docs](self)), or [`Error::MissingFxRate`].
    pub fn rate(&self, from: Currency, to: Currency, on: NaiveDate) -> Result<FxRate, Error> {
        if from == to {
            return Ok(FxRate { from, to, rate: Decimal::ONE, on: None, inverse: false });
        }
        let in_force = |pair| self.rates.get(&pair).and_then(|dates| dates.range(..=on).next_back());
        let (inverse, (&set_on, &rate)) = match in_force((from, to)) {
            Some(found) => (false, found),
            None => (true, in_force((to, from)).ok_or(Error::MissingFxRate { from, to, on })?),
        };
        Ok(FxRate { from, to, rate, on: Some(set_on), inverse })
    }

    /// Conversions into `currency` at the rates in force on `as_of`.
    pub fn reporting(&self, currency: Currency, as_of: NaiveDate) -> ReportingCurrency<'_> {
        ReportingCurrency::new(self, currency, as_of)
    }
}

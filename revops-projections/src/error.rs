//! The one error type of revops-projections.

use chrono::NaiveDate;
use revops_core::Currency;
use rust_decimal::Decimal;

/// What can go wrong replaying the log into a projection or reading one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value or calculation error from revops-core.
    #[error(transparent)]
    Core(#[from] revops_core::Error),
    /// A report could not be serialized to JSON.
    #[error("cannot serialize the report: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The log could not be read while replaying it (a damaged segment, an
    /// I/O failure).
    #[error(transparent)]
    Log(#[from] revops_events::Error),
    /// No exchange rate between two currencies is in force on a date, in
    /// either direction: a figure is never converted at an assumed 1.0.
    #[error("no fx rate from {from} to {to} (nor from {to} to {from}) in force on {on}")]
    MissingFxRate {
        /// The currency converted from.
        from: Currency,
        /// The reporting currency.
        to: Currency,
        /// The date the rate was needed for.
        on: NaiveDate,
    },
    /// Reports combined into one view were drawn up as of different dates.
    #[error("the {report} report is as of {found}, not {expected}")]
    AsOfMismatch {
        /// Which report differs.
        report: &'static str,
        /// The as-of date of the view being built.
        expected: NaiveDate,
        /// The as-of date of that report.
        found: NaiveDate,
    },
    /// A gross margin outside 0 to 1 was given for the lifetime value.
    #[error("gross margin {margin} is not a fraction between 0 and 1")]
    GrossMargin {
        /// The margin as given.
        margin: Decimal,
    },
}

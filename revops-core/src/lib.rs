//! revops-core: exact money, calendars and revenue-recognition schedules.
//!
//! Pure values and calculations: no I/O, no clock, no events. Everything the
//! rest of revops computes with money goes through the types here.
//!
//! - [`Money`] and [`Currency`]: exact amounts; mixing currencies is an error.
//! - [`rounding`]: the only places money is rounded ([`rounding::allocate`],
//!   [`rounding::spread`], [`rounding::extend`]); parts always sum to the whole.
//! - [`calendar`]: months, inclusive date ranges, end-of-month-safe arithmetic.
//! - [`terms`]: a contract's lines, billing frequency, payment terms and
//!   recognition methods; [`performance`] and [`modification`]: what happened
//!   under it since.
//! - [`recognition`]: revenue schedules for every method, SSP allocation and
//!   modifications, into a [`schedule::RevenueSchedule`]; [`ratable`] is the
//!   hot loop.
//! - [`billing`]: invoice dates, periods and amounts.
//! - [`commission`] and [`credit`]: commission tiers and the credit policy.
//! - [`tax`]: tax rates by jurisdiction and how tax is rounded.
//!
//! ```
//! use revops_core::{rounding::{allocate, spread, SpreadRule}, Currency, Money};
//! use rust_decimal::Decimal;
//!
//! let price = Money::parse("12000.00", Currency::USD)?;
//! let months = spread(price, &[1; 12], SpreadRule::default())?;
//! assert!(months.iter().all(|m| m.to_string() == "1000.00 USD"));
//!
//! let bundle = Money::parse("100.00", Currency::USD)?;
//! let ssp = [Decimal::from(50), Decimal::from(25), Decimal::from(75)];
//! let parts = allocate(bundle, &ssp)?;
//! assert_eq!(Money::sum(Currency::USD, parts)?, bundle);
//! # Ok::<(), revops_core::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod billing;
pub mod calendar;
pub mod commission;
pub mod credit;
mod currency;
mod error;
pub mod modification;
mod money;
pub mod performance;
pub mod ratable;
pub mod recognition;
pub mod rounding;
pub mod schedule;
pub mod tax;
pub mod terms;

pub use chrono::NaiveDate;
pub use currency::Currency;
pub use error::Error;
pub use money::{Money, MAX_MINOR_UNITS};
pub use rust_decimal::Decimal;

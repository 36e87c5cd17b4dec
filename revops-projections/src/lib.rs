//! Pure projections of the revops event log into read models.
//!
//! This crate is being built: ledger, revenue schedules, AR aging, MRR,
//! commissions and the dashboard will live here.
//!
//! ```
//! let eur = revops_projections::revops_core::Currency::EUR;
//! assert_eq!(eur.code(), "EUR");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use revops_core;

//! Pure projections of the revops event log into read models.
//!
//! Each projection folds [`Envelope`](revops_events::Envelope)s with [`Projection::apply`]: no clock,
//! no randomness, no I/O. Read methods take the as-of date, and every report
//! is a serde-serializable type with stable field names and sorted output.
//!
//! ```
//! use revops_projections::Projection;
//! use revops_projections::revops_events::Envelope;
//!
//! /// Counts the events it has seen, once each.
//! #[derive(Default)]
//! struct Count(u64, Option<u64>);
//!
//! impl Projection for Count {
//!     fn apply(&mut self, envelope: &Envelope) {
//!         if self.1.is_some_and(|last| envelope.seq.0 <= last) {
//!             return; // already applied
//!         }
//!         self.1 = Some(envelope.seq.0);
//!         self.0 += 1;
//!     }
//! }
//! let count = Count::default();
//! assert_eq!(count.0, 0);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod aging;
mod amounts;
mod chunked;
pub mod collections;
pub mod commissions;
pub mod dashboard;
pub mod disputes;
mod error;
pub mod expansion;
pub mod fx;
mod intern;
pub mod kpis;
pub mod ledger;
pub mod mrr;
mod once;
mod operations;
pub mod partners;
mod projection;
mod read_models;
pub mod renewals;
pub mod schedules;

pub use aging::{AgingBasis, AgingOptions, AgingReport, ArAging};
pub use collections::{Collections, CollectionsReport};
pub use commissions::{Commissions, CommissionsReport};
pub use dashboard::Dashboard;
pub use disputes::{Disputes, DisputesReport};
pub use error::Error;
pub use expansion::{Expansion, ExpansionReport};
pub use fx::{FxRates, ReportingCurrency};
pub use kpis::{KpiReport, Kpis};
pub use ledger::GeneralLedger;
pub use mrr::{Mrr, MrrReport};
pub use operations::RevenueOperations;
pub use partners::{Partners, PartnersReport};
pub use projection::Projection;
pub use read_models::{ReadModels, Reports};
pub use renewals::{Renewals, RenewalsReport};
pub use revops_core;
pub use revops_events;
pub use schedules::RevenueSchedules;

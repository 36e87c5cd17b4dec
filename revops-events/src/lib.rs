//! The revops event vocabulary, command validation and the event log.
//!
//! This crate is being built: it will hold the `Event` enum, the `Envelope`,
//! the `EventLog` trait with its memory and file implementations, and the
//! JSON Lines interchange form (see the project's DESIGN.md).
//!
//! ```
//! // The crate depends on revops-core for its values.
//! let usd = revops_core::Currency::USD;
//! assert_eq!(usd.minor_units(), 2);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use revops_core;

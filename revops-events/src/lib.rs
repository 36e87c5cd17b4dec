//! The revops event vocabulary, command validation and the event log.
//!
//! Every revenue-operations fact is an [`Event`]; its JSON form is one
//! object with a `"type"` tag and snake_case fields, amounts as strings.
//!
//! ```
//! use revops_events::Event;
//!
//! let line = r#"{"type":"payment_received","payment":"P-1","customer":"ACME",
//!   "amount":"1200.00","currency":"USD","received_on":"2026-02-03","method":"wire"}"#;
//! let event: Event = serde_json::from_str(line)?;
//! assert_eq!(event.type_name(), "payment_received");
//! assert_eq!(event.business_date().to_string(), "2026-02-03");
//! # Ok::<(), serde_json::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod envelope;
mod error;
pub mod event;
pub mod event_types;
pub mod file_log;
pub mod ids;
pub mod jsonl;
pub mod ledger;
pub mod log;
pub mod memory;
pub mod stream;
pub mod text;

pub use envelope::{Envelope, ExpectedVersion, NewEvent, Seq};
pub use error::Error;
pub use event::Event;
pub use event_types::EventTypes;
pub use file_log::{Durability, FileLog, FileLogOptions};
pub use ledger::{BillRun, CreditDecision, Ledger, LedgerState};
pub use log::EventLog;
pub use memory::MemoryLog;
pub use revops_core;
pub use stream::StreamId;
pub use text::Text;

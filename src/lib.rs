#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
pub mod contract_file;
pub mod desk;
mod error;
mod ops_text;
pub mod report;
mod table;
pub mod text;

pub use contract_file::ContractFile;
pub use error::Error;
pub use report::ScheduleReport;
pub use revops_core as core;
pub use revops_core::{Currency, Money};
pub use revops_events as events;
pub use revops_projections as projections;
pub use revops_simulation as simulation;

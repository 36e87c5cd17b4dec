#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use revops_core as core;
pub use revops_core::{Currency, Error, Money};

//! The one error type of revops-projections.

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
}
